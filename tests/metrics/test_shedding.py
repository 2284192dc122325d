"""Load shedding is reported loudly and labelled: unweighted during the event, annualised next to it.

Hand-computed case (:func:`shed_scenario`): one zone, 24 modelled hours scaled to a year (each
stands for 8760/24 = 365 h), demand 100 MW, one gas plant of 120 MW, value of lost load
10,000 $/MWh. The gas plant loses half its capacity in hours 5–8 (4 h): 60 MW remain, so
40 MW are unserved in each of those hours and none elsewhere.

* during the event (unweighted): 4 × 40 = 160 MWh unserved, 4 loss-of-load hours, 4 event hours;
* in the modelled hours (unweighted): the same 160 MWh and 4 h;
* annualised (weighted by 365 h): 160 × 365 = 58,400 MWh/year and 4 × 365 = 1,460 h/year;
* horizon: 24 modelled hours standing for 8,760 h → the sample is scaled to a year.
"""

from __future__ import annotations

import pandas as pd
import pytest

from planning.metrics.summary import horizon_label, shedding_label, summary_table
from tests.conftest import thermal, tiny_scenario


def shed_scenario(folder, fraction: float = 0.5) -> dict:
    """The case of the module docstring (``fraction`` of the gas plant out in hours 5–8)."""
    return tiny_scenario(folder, [100.0] * 24, extra={
        "horizon": {"year": 2021, "start_hour": 0, "hours": 24, "scale_to_year": True},
        "technologies": {"ocgt": thermal(10.0)},
        "plants": {"g": {"zone": "z", "technology": "ocgt", "existing_mw": 120, "max_new_mw": 0}},
        "reliability": {"value_of_lost_load_per_mwh": 10000.0},
        "stress": {"events": [{"kind": "outage", "plants": ["g"], "start_hour": 5, "duration_hours": 4, "fraction": fraction}]},
    })


@pytest.fixture(scope="module")
def shed_summary(tmp_path_factory):
    from planning.config import validate_scenario
    from planning.workflows.run import solve_scenario

    results, _, timings = solve_scenario(validate_scenario(shed_scenario(tmp_path_factory.mktemp("shed"))))
    return summary_table(results, timings)


def _value(summary: pd.DataFrame, metric: str) -> float:
    return float(summary.set_index("metric").loc[metric, "value"])


def test_event_shortfall_is_unweighted_and_the_annual_figure_weighted(shed_summary):
    assert _value(shed_summary, "event_hours") == 4
    assert _value(shed_summary, "event_unserved_energy_mwh") == pytest.approx(160.0, abs=1e-6)
    assert _value(shed_summary, "event_loss_of_load_hours") == 4
    assert _value(shed_summary, "modelled_unserved_energy_mwh") == pytest.approx(160.0, abs=1e-6)
    assert _value(shed_summary, "modelled_loss_of_load_hours") == 4
    assert _value(shed_summary, "unserved_energy_mwh") == pytest.approx(160.0 * 365, abs=1e-4)
    assert _value(shed_summary, "loss_of_load_hours") == pytest.approx(4 * 365, abs=1e-9)
    units = shed_summary.set_index("metric")["unit"]
    assert "unweighted" in units["event_unserved_energy_mwh"] and "unweighted" in units["modelled_unserved_energy_mwh"]


def test_summary_flags_load_shedding_and_the_scaled_sample_with_numbers(shed_summary):
    assert _value(shed_summary, "load_shed") == 1
    assert _value(shed_summary, "modelled_hours") == 24
    assert _value(shed_summary, "represented_hours") == 8760
    assert _value(shed_summary, "sample_scaled_to_year") == 1
    for metric in ("load_shed", "modelled_hours", "represented_hours", "sample_scaled_to_year", "event_hours",
                   "event_unserved_energy_mwh", "loss_of_load_hours"):
        assert isinstance(shed_summary.set_index("metric").loc[metric, "value"], (int, float)), metric


def test_labels_say_sample_and_shedding(shed_summary):
    assert horizon_label(shed_summary) == ("the 24 modelled hours are a sample scaled to a year: each stands for 365 h, "
                                           "so figures per year are the sample's × 365")
    text = shedding_label(shed_summary)
    assert text.startswith("LOAD SHED")
    assert "160 MWh unserved and 4 loss-of-load hours during the stress events (4 h, unweighted)" in text
    assert "58 400 MWh/year and 1 460 h/year annualised" in text


def test_no_flag_without_shedding(tmp_path):
    from planning.config import validate_scenario
    from planning.workflows.run import solve_scenario

    raw = shed_scenario(tmp_path, fraction=0.1)   # 108 MW remain ≥ 100 MW: nothing shed
    results, _, timings = solve_scenario(validate_scenario(raw))
    summary = summary_table(results, timings)
    assert _value(summary, "load_shed") == 0
    assert _value(summary, "event_unserved_energy_mwh") == pytest.approx(0.0, abs=1e-9)
    assert shedding_label(summary) is None


def test_horizon_text_for_each_kind_of_horizon():
    from planning.metrics.summary import horizon_text

    assert horizon_text(8760, 8760, 1.0) is None                                   # a full chronological year
    assert horizon_text(336, 8760, 8760 / 336).endswith("each stands for 26.07 h, so figures per year are the sample's × 26.07")
    assert horizon_text(48, 48, 1.0).startswith("the 48 modelled hours are not scaled to a year")
    assert horizon_text(288, 8760, float("nan")).startswith("the 288 modelled hours are representative periods scaled to a year (8 760 h)")
