"""Honest summary.csv (issue 13): numbers only in `value`, "/year" only when the horizon stands for a year, the
scenario's currency; the text facts in run.json."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from planning.cli import app
from tests.conftest import thermal, tiny_scenario

runner = CliRunner()
COSTS = ["total_cost", "investment_cost", "fixed_om_cost", "variable_cost", "co2_cost", "operating_cost", "objective"]


def _run(folder, scale: bool):
    """Two hours of 100 MW from existing gas (50 $/MWh, 5 t/MWh: 1000 t in the two hours), in EUR2024."""
    raw = tiny_scenario(folder, [100, 100], extra={
        "technologies": {"gas": thermal(50)},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 200, "max_new_mw": 0}},
        "carbon": {"technology_rows": {"gas": "ccgt"}},
        "economics": {"currency": "EUR2024"}})
    raw["horizon"]["scale_to_year"] = scale
    (folder / "s.yaml").write_text(yaml.safe_dump(raw))
    result = runner.invoke(app, ["run", str(folder / "s.yaml"), "--out", str(folder / "run")])
    assert result.exit_code == 0, result.output
    assert "│ solver status" in result.output and "Optimal" in result.output   # still on the terminal, from run.json
    return pd.read_csv(folder / "run" / "summary.csv"), json.loads((folder / "run" / "run.json").read_text())


def test_a_two_hour_horizon_says_per_horizon_and_keeps_text_in_run_json(tmp_path):
    summary, record = _run(tmp_path, scale=False)
    assert summary["value"].dtype == float
    units = summary.set_index("metric")["unit"]
    assert units["co2_t"] == "t per 2-h horizon" and units["demand_mwh"] == "MWh per 2-h horizon"
    assert units["variable_cost"] == "EUR2024 per 2-h horizon"
    assert units["investment_cost"] == units["fixed_om_cost"] == "EUR2024/year (annualised)"   # annualised in the model
    assert units["total_cost"] == "EUR2024 (investment and fixed O&M per year + operating cost per 2-h horizon)"
    assert {m for m, u in units.items() if "/year" in str(u)} == {"investment_cost", "fixed_om_cost"}
    assert summary.set_index("metric").loc["co2_t", "value"] == pytest.approx(1000.0, rel=1e-9)
    assert not {"solver_status", "prices_from", "carbon_factor_basis", "marginal_method"} & set(summary["metric"])
    facts = record["summary_facts"]
    assert facts["solver_status"] == "Optimal" and facts["prices_from"] == "lp" and facts["carbon_factor_basis"] == "direct"


def test_a_sample_scaled_to_a_year_says_per_year(tmp_path):
    summary, _ = _run(tmp_path, scale=True)
    assert summary["value"].dtype == float
    table = summary.set_index("metric")
    assert all(table.loc[m, "unit"] == "EUR2024/year" for m in COSTS)
    assert table.loc["co2_t", "unit"] == "t/year"
    assert table.loc["co2_t", "value"] == pytest.approx(1000.0 * 8760 / 2, rel=1e-9)   # each hour weighs 4380 h
