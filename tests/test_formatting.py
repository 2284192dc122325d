"""One number format for the terminal and the report (issue 13); every expected string worked out by hand."""

import pytest

from planning.formatting import format_number, format_value, label, row_scale


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (6.46454e9, "USD2020/year", "6 465 M USD2020/year"),     # 6 464.54 million, rounded
    (3.157e5, "USD2020/year", "315 700 USD2020/year"),       # below a million: not scaled
    (-2.5e6, "EUR per 168-h horizon", "-2.5 M EUR per 168-h horizon"),
    (6.4e-10, "MW", "0 MW"),                                 # solver noise
    (-3e-7, "MWh/year", "0 MWh/year"),
    (0.0006346, "fraction", "0.063 %"),                      # 0.06346 %, 2 significant digits
    (0.25, "fraction", "25 %"),
    (0.0, "fraction", "0 %"),
    (58400.0, "MWh/year", "58 400 MWh/year"),
    (25_930_000.4, "t/year", "25 930 000 t/year"),           # not money: grouped, not scaled
    (17.4567, "h", "17.46 h"),
    (1234, "", "1 234"),
    (float("nan"), "MW", ""),
    ("Optimal", "", "Optimal"),
])
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (58400, 4, "58 400"), (182.5, 4, "182.5"), (182.5, 3, "182"), (17.46, 3, "17.5"), (0.25, 3, "0.25"), (160.0, 3, "160"), (6.4e-10, 4, "0"),
    (True, 4, "yes"), (None, 4, ""), (-1234567.8, 4, "-1 234 568"),
])
def test_format_number(value, digits, expected):
    assert format_number(value, digits) == expected


@pytest.mark.parametrize(("metric", "expected"), [
    ("operating_cost", "operating cost"), ("co2_t", "CO2"), ("unserved_energy_mwh", "unserved energy"),
    ("demand_weighted_price_per_mwh", "demand weighted price per MWh"), ("mip_gap", "MIP gap"),
    ("solve_s", "solve time"), ("saving_vs_inflexible", "saving vs inflexible"), ("datacenter_peak_mw", "datacenter peak"),
])
def test_label(metric, expected):
    assert label(metric) == expected


def test_row_scale():
    assert row_scale([6.46454e9, 0.0, "n/a"], "USD2020") == (1e6, "M USD2020")
    assert row_scale([3.157e5, -2e5], "USD2020/year") == (1.0, "USD2020/year")   # below a million: not scaled
    assert row_scale([0.5], "fraction") == (0.01, "%")
    assert row_scale([2e7], "MWh") == (1.0, "MWh")
