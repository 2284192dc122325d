"""`planning compare RUN_A RUN_B ...`: summary and statistics differences between results folders (issue 13)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from planning.cli import app
from tests.conftest import thermal, tiny_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two hours of 100 MW served by existing gas at 50 $/MWh emitting 5 t/MWh (1000 t in all); run B adds 10 $/t CO2.

    By hand: B − A = 10 $/t × 1000 t = 10,000 $ of CO2 cost and total cost (A's total is 200 MWh × 50 $/MWh = 10,000 $,
    so +100 %), the price rises 50 → 100 $/MWh, emissions and energy are unchanged."""
    folder = tmp_path_factory.mktemp("compare")
    raw = tiny_scenario(folder, [100, 100], extra={
        "technologies": {"gas": thermal(50)},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 200, "max_new_mw": 0}},
        "carbon": {"technology_rows": {"gas": "ccgt"}}})
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(raw))
    runs = []
    for name, price in (("a", 0), ("b", 10)):
        result = runner.invoke(app, ["run", str(path), "--out", str(folder / name), "--quiet", "--set", f"policy.co2_price_per_t={price}"])
        assert result.exit_code == 0, result.output
        runs.append(folder / name)
    return folder, runs


def test_compare_shows_the_hand_computed_difference(two_runs):
    folder, (a, b) = two_runs
    result = runner.invoke(app, ["compare", str(a), str(b), "--out", str(folder / "cmp")])
    assert result.exit_code == 0, result.output
    shown = result.output.split("metrics differ")[1].split("statistics:")[0]
    metrics = [line.split("│")[1].strip() for line in shown.splitlines() if line.startswith("│")]
    assert "total cost" in metrics and "CO2 cost" in metrics and "CO2" not in metrics   # co2_t did not change, co2_cost did
    assert "│ total cost       │ USD2020          │ 10 000 │ 20 000 │  10 000 │          1 │" in shown
    assert "e+0" not in shown and max(len(line) for line in result.output.splitlines()) <= 80
    table = pd.read_csv(folder / "cmp" / "compare.csv").set_index("metric")
    assert list(table.columns[:3]) == ["unit", "a", "b"]
    assert table.loc["total_cost", "a"] == pytest.approx(10_000, rel=1e-9)
    assert table.loc["total_cost", "delta_b"] == pytest.approx(10_000, rel=1e-9)
    assert table.loc["total_cost", "relative_b"] == pytest.approx(1.0, rel=1e-9)
    assert table.loc["co2_cost", "delta_b"] == pytest.approx(10_000, rel=1e-9)
    assert pd.isna(table.loc["co2_cost", "relative_b"])            # A's CO2 cost is 0: no relative change
    assert table.loc["variable_cost", "delta_b"] == pytest.approx(0, abs=1e-6)
    assert table.loc["co2_t", "delta_b"] == pytest.approx(0, abs=1e-6)
    assert table.loc["demand_weighted_price_per_mwh", "delta_b"] == pytest.approx(50, rel=1e-9)
    statistics = pd.read_csv(folder / "cmp" / "compare_statistics.csv").set_index(["zone", "technology", "quantity"])
    assert statistics.loc[("z", "gas", "co2_cost_per_year"), "delta_b"] == pytest.approx(10_000, rel=1e-9)
    assert statistics.loc[("z", "gas", "generation_mwh"), "delta_b"] == pytest.approx(0, abs=1e-6)


def test_compare_against_itself_has_no_difference(two_runs):
    _, (a, _) = two_runs
    result = runner.invoke(app, ["compare", str(a), str(a)])
    assert result.exit_code == 0, result.output
    assert "0 of" in result.output and "a#2" in result.output


def test_compare_refuses_a_folder_that_is_not_results(two_runs, tmp_path):
    _, (a, _) = two_runs
    (tmp_path / "notes").mkdir()
    result = runner.invoke(app, ["compare", str(a), str(tmp_path / "notes"), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 2
    assert "notes: not a results folder (no summary.csv)" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "cmp").exists()


def test_compare_needs_two_runs(two_runs, tmp_path):
    _, (a, _) = two_runs
    result = runner.invoke(app, ["compare", str(a)])
    assert result.exit_code == 2 and "at least two results folders (got 1)" in result.output


def test_compare_does_not_replace_an_output_folder_without_force(two_runs, tmp_path):
    _, (a, b) = two_runs
    assert runner.invoke(app, ["compare", str(a), str(b), "--out", str(tmp_path / "cmp")]).exit_code == 0
    again = runner.invoke(app, ["compare", str(a), str(b), "--out", str(tmp_path / "cmp")])
    assert again.exit_code == 2 and "add --force" in again.output
    assert runner.invoke(app, ["compare", str(a), str(b), "--out", str(tmp_path / "cmp"), "--force"]).exit_code == 0


def test_report_of_a_compare_folder_lists_what_differs(two_runs):
    folder, (a, b) = two_runs
    assert runner.invoke(app, ["compare", str(a), str(b), "--out", str(folder / "cmp-report")]).exit_code == 0
    result = runner.invoke(app, ["report", str(folder / "cmp-report"), "--quiet"])
    assert result.exit_code == 0, result.output
    page = (folder / "cmp-report" / "report" / "report.html").read_text()
    assert "Comparison of 2 runs" in page
    # The CO2 cost row, by hand: A 0, B 10,000, B − A 10,000, relative to 0 undefined (blank).
    assert ('<td class="text">co2_cost</td><td class="text">USD2020 per 2-h horizon</td><td>0</td><td>10 000</td><td>10 000</td>'
            '<td></td></tr>') in page
    assert ">co2_t</td>" not in page                                  # emissions do not differ
