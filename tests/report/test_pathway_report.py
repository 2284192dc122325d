"""`planning report` (and `planning statistics`) on a `planning pathway` folder (issue 14): a two-period case by hand.

One zone, one modelled hour of 150 MW (weight 1 h), periods 2030 and 2040 of 10 years each, r = 5 %:

* nuclear: 50 MW existing at 0 $/MWh, retire_year 2040; oil: 100 MW existing at 100 $/MWh with 1 $/MW-yr fixed O&M,
  may retire; wind (capacity factor 1): annuity 50 $/MW-yr, 10-year life.
* 2030: nuclear serves 50 MW; wind (50 $/MW-yr) beats oil (100 $/MWh + 1): 100 MW of wind built, oil retired (100 MW).
  Annual cost 100·50 = 5 000 $.
* 2040: nuclear is past its retire_year and the 2030 wind at the end of its life (2030 + 10): 150 MW of wind built.
  Annual cost 150·50 = 7 500 $. Retired in 2040: nuclear 50 MW and the 2030 wind 100 MW.
* DF_2030 = Σ_{k<10} 1.05^−k, DF_2040 = 1.05^−10·DF_2030; no emissions, budget 1 000 t: 0 % used.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.report import build_report
from planning.report.pathway import (
    capacity_pathway,
    energy_by_period,
    period_table,
    retirements,
)
from tests.conftest import run_command, thermal, tiny_scenario

runner = CliRunner()
RATE = 0.05


def hand_pathway(folder, mode: str = "perfect_foresight") -> dict:
    life, annuity = 10, 50.0
    crf = RATE / (1 - (1 + RATE) ** -life)
    return tiny_scenario(folder, [150.0], columns={"cf": [1.0]}, extra={
        "fuels": {"gas": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "uranium": {"price_per_mmbtu": 0.0, "co2_t_per_mmbtu": 0.0}},
        "technologies": {"oil": thermal(100, fixed_om_per_mw_year=1.0), "nuclear": thermal(1, fuel="uranium"),
                         "onshore_wind": {"kind": "variable", "capex_per_mw": annuity / crf, "lifetime_years": life}},
        "plants": {"o": {"zone": "z", "technology": "oil", "existing_mw": 100, "max_new_mw": 0, "can_retire": True},
                   "n": {"zone": "z", "technology": "nuclear", "existing_mw": 50, "max_new_mw": 0, "retire_year": 2040},
                   "w": {"zone": "z", "technology": "onshore_wind", "profile": {"file": str(folder / "series.csv"), "column": "cf"}}},
        "economics": {"discount_rate": RATE},
        "carbon": {"technology_rows": {}},
        "pathway": {"mode": mode, "co2_budget_t": 1000 if mode == "perfect_foresight" else None,
                    "periods": {2030: {"years": 10}, 2040: {"years": 10}}},
    })


def write_pathway_run(folder):
    """`planning pathway` of :func:`hand_pathway` into ``folder/out`` (returned)."""
    return run_command("pathway", hand_pathway(folder), folder, "pathway.yaml", "-q")


@pytest.fixture(scope="module")
def pathway_folder(tmp_path_factory):
    return write_pathway_run(tmp_path_factory.mktemp("pathway"))


def _frames(folder):
    return pd.read_csv(folder / "capacity.csv"), pd.read_csv(folder / "pathway_builds.csv"), pd.read_csv(folder / "pathway_periods.csv")


def test_capacity_in_service_and_retirements_by_hand(pathway_folder):
    capacity, builds, _ = _frames(pathway_folder)
    in_service = capacity_pathway(capacity, builds).set_index(["period", "technology", "part"])["capacity_mw"]
    assert in_service.to_dict() == pytest.approx({(2030, "nuclear", "existing"): 50, (2030, "onshore_wind", "2030"): 100,
                                                  (2040, "onshore_wind", "2040"): 150}, abs=1e-6)
    # the vintages add up to capacity.csv's new_mw of each period
    new = capacity.groupby(["period", "technology"])["new_mw"].sum()
    vintages = in_service.drop("existing", level="part").groupby(level=["period", "technology"]).sum()
    assert vintages.to_dict() == pytest.approx(new[new > 1e-6].to_dict(), abs=1e-6)
    retired = retirements(capacity, builds).set_index(["period", "technology"])["retired_mw"]
    assert retired.to_dict() == pytest.approx({(2030, "oil"): 100, (2040, "nuclear"): 50, (2040, "onshore_wind"): 100}, abs=1e-6)


def test_period_rows_by_hand(pathway_folder):
    capacity, builds, periods = _frames(pathway_folder)
    table = period_table(periods, capacity, builds).set_index("period")
    first = sum((1 + RATE) ** -k for k in range(10))
    second = (1 + RATE) ** -10 * first
    assert table["discount_factor"].tolist() == pytest.approx([first, second], rel=1e-9)
    assert table["annual_cost"].tolist() == pytest.approx([5_000, 7_500], rel=1e-9)
    assert table["present_value"].tolist() == pytest.approx([first * 5_000, second * 7_500], rel=1e-9)
    assert table["in_service_mw"].tolist() == pytest.approx([150, 150], abs=1e-6)
    assert table["built_mw"].tolist() == pytest.approx([100, 150], abs=1e-6)
    assert table["retired_mw"].tolist() == pytest.approx([100, 150], abs=1e-6)
    assert table.loc[2030, "built"] == "Onshore wind 100" and table.loc[2040, "retired"] == "Nuclear 50, Onshore wind 100"
    energy = energy_by_period(pd.read_csv(pathway_folder / "dispatch.csv"))
    assert energy.loc["nuclear"].tolist() == pytest.approx([50, 0], abs=1e-6)
    assert energy.loc["onshore_wind"].tolist() == pytest.approx([100, 150], abs=1e-6)


def test_pathway_report_sections_figures_and_alt_text(pathway_folder):
    report = build_report(pathway_folder)
    assert [path.name for path in report.figures] == ["capacity_pathway.png", "energy_pathway.png", "price_pathway.png"]
    html = report.html.read_text(encoding="utf-8")
    assert "Data-center sites per period" not in html and "datacenter_sites_pathway" not in html   # no sites: no section
    for heading in ("Pathway (pathway_periods.csv)", "Capacity in service per period", "Builds by vintage (pathway_builds.csv)",
                    "Energy by technology per period"):
        assert heading in html, heading
    assert "<b>Mode</b>: perfect foresight" in html
    assert "<b>CO2 budget</b> over the pathway: 1 000 t; used Σ years × CO2 per year = 0 t (0 %)" in html
    assert "In every period, the 1 modelled hours are not scaled to a year" in html
    alts = dict(zip(re.findall(r"<b>([^<]+\.png)</b>", html), re.findall(r'<img alt="([^"]*)"', html)))
    capacity = alts["capacity_pathway.png"]
    assert "2030: 0.15 GW in service" in capacity and "Nuclear 0.05 GW (existing 0.05 GW)" in capacity
    assert "Onshore wind 0.1 GW (built 2030 0.1 GW)" in capacity and "retired Oil 0.1 GW" in capacity
    assert "2040: 0.15 GW in service" in capacity and "Onshore wind 0.15 GW (built 2040 0.15 GW)" in capacity
    assert "2030: 150 MWh" in alts["energy_pathway.png"] and "2040: 150 MWh" in alts["energy_pathway.png"]
    assert "2030 from 50" in alts["price_pathway.png"] and "2040 from 50" in alts["price_pathway.png"]


def test_statistics_of_a_pathway_folder_are_per_period(pathway_folder):
    """Per period, priced with the period's scenario: 2030 wind 100 MWh, nuclear 50 MWh; 2040 wind 150 MWh."""
    result = runner.invoke(app, ["statistics", str(pathway_folder), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(pathway_folder / "statistics.csv")
    assert list(table.columns[:3]) == ["period", "zone", "technology"]
    plants = table[(table["zone"] == "z") & (table["technology"] != "total")].set_index(["period", "technology"])["generation_mwh"]
    assert plants.to_dict() == pytest.approx({(2030, "oil"): 0, (2030, "nuclear"): 50, (2030, "onshore_wind"): 100,
                                              (2040, "oil"): 0, (2040, "nuclear"): 0, (2040, "onshore_wind"): 150}, abs=1e-6)


def test_compare_keeps_each_period_and_future_apart(pathway_folder, tmp_path):
    """`planning compare` of two pathway folders: a row per period and metric (2030: 5 000 $, 2040: 7 500 $), not the first
    period's rows only; statistics.csv rows keyed by period too."""
    import shutil

    from planning.metrics.compare import compare_folders

    runner.invoke(app, ["statistics", str(pathway_folder), "-q"])
    other = tmp_path / "again"
    shutil.copytree(pathway_folder, other)
    tables = compare_folders([pathway_folder, other])
    cost = tables["compare"].query("metric == 'total_cost'")
    assert cost["period"].tolist() == ["2030", "2040"]
    assert cost[pathway_folder.name].tolist() == pytest.approx([5_000, 7_500], rel=1e-9)
    assert cost["delta_again"].tolist() == pytest.approx([0, 0], abs=1e-9)
    wind = tables["compare_statistics"].query("zone == 'z' and technology == 'onshore_wind' and quantity == 'generation_mwh'")
    assert dict(zip(wind["period"], wind[pathway_folder.name])) == pytest.approx({"2030": 100, "2040": 150}, abs=1e-6)
    # the compare report shows the periods as labels, not as runs or numbers
    result = runner.invoke(app, ["compare", str(pathway_folder), str(other), "--out", str(tmp_path / "cmp"), "-q"])
    assert result.exit_code == 0, result.output
    html = build_report(tmp_path / "cmp").html.read_text(encoding="utf-8")
    assert f"runs {pathway_folder.name}, again ·" in html
