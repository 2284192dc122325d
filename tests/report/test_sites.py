"""The data-center siting section of the report (planning/report/sites.py), on the hand case of tests/optimization/test_siting.py.

site_a (zone a, gas at 30 $/MWh) takes the 100 MW requirement; site_b (zone b, 40 $/MWh) is not built. Facility power
1.2 (PUE) × 0.5 (utilisation) × 100 MW = 60 MW in both hours of weight 1 h: 120 MWh = 0.12 GWh at zone a's price 30 $/MWh;
emissions 60 MW × 3 t/MWh × 2 h = 360 t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_command
from tests.optimization.test_siting import siting_case


def write_sited_run(folder):
    """planning run of the hand case into ``folder``/out; returns the results folder."""
    raw = siting_case(folder, 10.0, 5.0)
    raw["carbon"] = {"technology_rows": {"gas_a": "ccgt", "gas_b": "ccgt"}}
    return run_command("run", raw, folder, "sites.yaml")


@pytest.fixture(scope="module")
def sited_run(tmp_path_factory):
    return write_sited_run(tmp_path_factory.mktemp("sites"))


def test_site_table_by_hand(sited_run):
    from planning.report.sites import site_summary

    read = lambda name: pd.read_csv(sited_run / name)  # noqa: E731
    table = site_summary(read("datacenter_sites.csv"), read("datacenter_site_load.csv"), read("balance.csv"),
                         read("datacenter_site_carbon.csv")).set_index("site")
    assert list(table.index) == ["site_a", "site_b"]   # built first
    a, b = table.loc["site_a"], table.loc["site_b"]
    assert (a["zone"], a["opened"]) == ("a", 1)
    assert a["built IT MW"] == pytest.approx(100.0, abs=1e-6)
    assert a["facility energy GWh"] == pytest.approx(0.12, abs=1e-9)
    assert a["price paid"] == pytest.approx(30.0, abs=1e-6)
    assert a["zone mean price"] == pytest.approx(30.0, abs=1e-6)
    assert a["location-based t CO2"] == pytest.approx(360.0, rel=1e-9)
    assert b["built IT MW"] == pytest.approx(0.0, abs=1e-6) and np.isnan(b["price paid"])
    assert b["zone mean price"] == pytest.approx(40.0, abs=1e-6)


def test_site_map_and_its_alt_text(sited_run, tmp_path):
    from planning.report.figures import save
    from planning.report.sites import site_map, site_map_alt, site_summary

    read = lambda name: pd.read_csv(sited_run / name)  # noqa: E731
    table = site_summary(read("datacenter_sites.csv"), read("datacenter_site_load.csv"), read("balance.csv"))
    path = save(site_map(table, ["a", "b"], [], "USD", "sites"), tmp_path / "map.png")
    assert path.stat().st_size > 10_000
    text = site_map_alt(table, "USD")
    assert text == "Map of the data-center fleet: 100 MW of IT sited in 1 zone — a 100 MW at 30 USD/MWh. Candidates not built in b."


def test_the_run_report_has_the_siting_section(sited_run, tmp_path):
    """planning report on a sited run: the map among the figures (with its alt text) and a row per candidate."""
    from planning.report import build_report

    report = build_report(sited_run, tmp_path / "report")
    page = report.html.read_text(encoding="utf-8")
    assert "<h2>Data-center siting" in page
    assert "100 MW of IT sited at 1 of 2 candidate sites" in page
    assert any(path.name == "datacenter_sites.png" for path in report.figures)
    assert "a 100 MW at 30 USD2020/MWh" in page   # the alt text, from the data
    assert "<th>price paid (USD2020/MWh)</th>" in page.replace("<wbr>", "")


def test_a_run_with_futures_reports_its_sites_as_the_expectation(tmp_path):
    """tests/optimization/test_siting.py's futures case: zone a's gas at 30 or 60 $/MWh (p 0.5 each), b's 40; the sites are
    first-stage and b takes the 100 MW in both futures: 60 MW × 2 h = 0.12 GWh at 40 $/MWh, 4 t/MWh → 480 t in each future.
    The report's table: site_b 0.12 GWh, price paid 40, 480 t; site_a's zone mean price 0.5·30 + 0.5·60 = 45."""
    from planning.report import build_report

    raw = siting_case(tmp_path, 0.0, 0.0)
    raw["fuels"]["fuel_a"] = {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}
    raw["technologies"]["gas_a"]["fuel"] = "fuel_a"
    raw["futures"] = {"cheap": {"probability": 0.5}, "dear": {"probability": 0.5, "fuels": {"fuel_a": {"price_per_mmbtu": 2.0}}}}
    raw["stochastic"] = {"value_of_information": False}
    raw["carbon"] = {"technology_rows": {"gas_a": "ccgt", "gas_b": "ccgt"}}
    out = run_command("run", raw, tmp_path, "futures_sites.yaml")
    report = build_report(out, tmp_path / "report")
    page = report.html.read_text(encoding="utf-8")
    assert "<h2>Data-center siting" in page and "probability-weighted expectation over the futures" in page
    assert report.figures[0].name == "datacenter_sites.png"

    from planning.report.futures import frame_of
    from planning.report.sites import expected_site_summary, site_summary

    read = lambda name: pd.read_csv(out / name)  # noqa: E731
    tables = {f: site_summary(*(frame_of(read(n), f) for n in ("datacenter_sites.csv", "datacenter_site_load.csv", "balance.csv",
                                                                 "datacenter_site_carbon.csv"))) for f in ("cheap", "dear")}
    table = expected_site_summary(tables, {"cheap": 0.5, "dear": 0.5}).set_index("site")
    b, a = table.loc["site_b"], table.loc["site_a"]
    assert b["built IT MW"] == pytest.approx(100.0, abs=1e-6) and a["built IT MW"] == pytest.approx(0.0, abs=1e-6)
    assert b["facility energy GWh"] == pytest.approx(0.12, abs=1e-9)
    assert b["price paid"] == pytest.approx(40.0, abs=1e-6)
    assert b["location-based t CO2"] == pytest.approx(480.0, rel=1e-9)
    assert a["zone mean price"] == pytest.approx(45.0, abs=1e-6)
