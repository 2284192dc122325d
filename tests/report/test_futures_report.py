"""`planning report` and `planning statistics` on a results folder of a run with futures (issue 14).

The screening-curve case of tests/workflows/test_stochastic.py (one zone, four hours of 1 h, base 10 $/MW + 1 $/MWh,
peak 3 $/MW + 5 $/MWh, futures low 50/50/50/50 MW and high 100/100/100/50 MW at p = 0.5 each). The plan builds base 50
and peak 50; by hand:

* energy (MWh): low — base 4·50 = 200, peak 0; high — base 200, peak 3·50 = 150; expected Σ p_f·E_f: base 200, peak 75;
* fuel cost ($): low — base 200; high — base 200, peak 150·5 = 750;
* total cost: low 850, high 1600; expected 1225 = RP; EV 1025, EEV 1737.5, WS 1025, EVPI 200, VSS 512.5;
* peak demand: low 50 MW, high 100 MW — mixing the futures' hours would give 150 MW.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from planning.cli import app
from planning.report import build_report
from tests.conftest import run_command
from tests.workflows.test_stochastic import screening

runner = CliRunner()


def write_futures_run(folder):
    """`planning run` of the screening case with its two futures into ``folder/out`` (returned)."""
    raw = screening(folder)
    raw["carbon"] = {"technology_rows": {"base": "ccgt", "peak": "ocgt"}}
    return run_command("run", raw, folder, "futures.yaml", "-q")


@pytest.fixture(scope="module")
def futures_run(tmp_path_factory):
    return write_futures_run(tmp_path_factory.mktemp("futures"))


def test_statistics_of_a_futures_folder_are_per_future(futures_run, tmp_path):
    """`planning statistics` recomputes statistics.csv per future (each with its own scenario), equal to what the run wrote."""
    written = pd.read_csv(futures_run / "statistics.csv")
    result = runner.invoke(app, ["statistics", str(futures_run), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(futures_run / "statistics.csv")
    assert list(table.columns[:3]) == ["future", "zone", "technology"]
    plants = table[(table["zone"] == "z") & (table["technology"] != "total")].set_index(["future", "technology"])
    assert plants["generation_mwh"].to_dict() == pytest.approx(
        {("low", "base"): 200, ("low", "peak"): 0, ("high", "base"): 200, ("high", "peak"): 150}, abs=1e-6)
    assert plants.loc[("high", "peak"), "fuel_cost_per_year"] == pytest.approx(750, abs=1e-6)
    pd.testing.assert_frame_equal(table, written, check_exact=False, rtol=1e-9, atol=1e-6)


def test_energy_and_costs_per_future_with_the_expectation(futures_run):
    from planning.report.futures import (
        energy_by_future,
        information_table,
        summary_by_future,
    )

    probability = {"low": 0.5, "high": 0.5}
    energy = energy_by_future(pd.read_csv(futures_run / "dispatch.csv"), probability)
    assert list(energy.columns) == ["low", "high", "expected"]
    assert energy.loc["base"].to_dict() == pytest.approx({"low": 200, "high": 200, "expected": 200}, abs=1e-6)
    assert energy.loc["peak"].to_dict() == pytest.approx({"low": 0, "high": 150, "expected": 75}, abs=1e-6)
    by_future = summary_by_future(pd.read_csv(futures_run / "summary_futures.csv"), probability).set_index("metric")
    assert by_future.loc["total_cost", ["low", "high", "expected"]].tolist() == pytest.approx([850, 1600, 1225], abs=1e-6)
    assert by_future.loc["peak_demand_mw", ["low", "high"]].tolist() == pytest.approx([50, 100], abs=1e-9)
    information = information_table(pd.read_csv(futures_run / "summary.csv")).set_index("metric")["value"]
    assert information.to_dict() == pytest.approx({"RP": 1225, "EV": 1025, "EEV": 1737.5, "WS": 1025, "EVPI": 200, "VSS": 512.5},
                                                  abs=1e-6)


def test_report_of_a_futures_run_draws_each_future(futures_run):
    report = build_report(futures_run)
    names = [path.name for path in report.figures]
    assert names[:2] == ["capacity_mix.png", "futures_comparison.png"]
    for future in ("low", "high"):
        assert f"dispatch_week_{future}.png" in names and f"duration_curves_{future}.png" in names
    html = report.html.read_text(encoding="utf-8")
    for heading in ("Futures (futures.csv)", "Value of information", "Energy by technology per future", "Future low (probability 0.5)",
                    "Future high (probability 0.5)"):
        assert heading in html, heading
    assert "probability-weighted" in html
    for term in ("EVPI", "VSS", "EEV", "wait-and-see"):
        assert term in html
    alts = dict(zip(re.findall(r"<b>([^<]+\.png)</b>", html), re.findall(r'<img alt="([^"]*)"', html)))
    # each future's dispatch: its own peak demand (low 50 MW, high 100 MW), not the 150 MW of both futures added up
    assert "future low" in alts["dispatch_week_low.png"] and "peak demand with data centers 0.05 GW" in alts["dispatch_week_low.png"]
    assert "future high" in alts["dispatch_week_high.png"] and "peak demand with data centers 0.1 GW" in alts["dispatch_week_high.png"]
    comparison = alts["futures_comparison.png"]
    assert "low (probability 0.5)" in comparison and "high (probability 0.5)" in comparison and "expected" in comparison


def test_resolved_scenario_of_futures_reloads_with_each_futures_policy(tmp_path):
    """scenario.resolved.yaml reloads to the same futures: a future that leaves policy out keeps the scenario's CO2 cap
    (60 t), one that writes co2_cap_t: null has none, one that sets a price has it (`planning statistics` reloads it)."""
    from planning.config import validate_scenario
    from planning.workflows.run import resolved_scenario_yaml
    from planning.workflows.stochastic import future_scenario

    raw = screening(tmp_path, information=False)
    raw["policy"] = {"co2_cap_t": 60}
    raw["futures"]["low"]["policy"] = {"co2_cap_t": None, "co2_price_per_t": 7}
    again = validate_scenario(yaml.safe_load(resolved_scenario_yaml(validate_scenario(raw))))
    assert future_scenario(again, "high").policy.co2_cap_t == 60
    low = future_scenario(again, "low").policy
    assert (low.co2_cap_t, low.co2_price_per_t) == (None, 7)
    # a folder written before: every future's policy with both keys null still reloads (a null price overrides nothing)
    raw["futures"]["high"]["policy"] = {"co2_cap_t": None, "co2_price_per_t": None}
    assert future_scenario(validate_scenario(raw), "high").policy.co2_price_per_t == 0.0
