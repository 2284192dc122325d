"""End to end through the command line: outputs, balances in the written CSVs, errors, regression."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from planning.cli import app
from tests.conftest import REPO

runner = CliRunner()
TWO_ZONES = str(REPO / "scenarios" / "isone_two_zones.yaml")
SHORT = ["--set", "horizon.hours=48", "--set", "horizon.storage_cycle=day"]
FILES = ("summary.csv", "capacity.csv", "transmission.csv", "dispatch.csv", "storage.csv", "flows.csv", "balance.csv",
         "results.nc", "scenario.resolved.yaml", "run.json", "solver.log")


@pytest.fixture(scope="module")
def two_zone_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "two_zones"
    result = runner.invoke(app, ["run", TWO_ZONES, "--out", str(out), *SHORT])
    assert result.exit_code == 0, result.output
    assert "results written to" in result.output
    return out


def test_run_writes_every_file(two_zone_run):
    for name in FILES:
        assert (two_zone_run / name).is_file(), name
    assert not list(two_zone_run.parent.glob(".*partial*"))
    summary = pd.read_csv(two_zone_run / "summary.csv").set_index("metric")
    record = json.loads((two_zone_run / "run.json").read_text())
    assert record["summary_facts"]["solver_status"] == "Optimal"   # text facts in run.json, numbers in summary.csv
    assert record["versions"]["highspy"] != "not installed"
    assert all(len(digest) == 64 for digest in record["input_files"].values())


def test_energy_balance_holds_in_written_csvs(two_zone_run):
    balance = pd.read_csv(two_zone_run / "balance.csv")
    residual = (balance.generation_mw + balance.storage_discharge_mw - balance.storage_charge_mw + balance.net_import_mw
                + balance.unserved_mw - balance.demand_mw - balance.datacenter_mw)
    assert np.abs(residual).max() < 1e-6
    assert len(balance) == 48 * 2

    # The balance terms agree with the detailed files.
    dispatch = pd.read_csv(two_zone_run / "dispatch.csv").groupby(["snapshot", "zone"])["generation_mw"].sum()
    merged = balance.set_index(["snapshot", "zone"])
    np.testing.assert_allclose(merged["generation_mw"], dispatch.reindex(merged.index).values, atol=1e-6)
    storage = pd.read_csv(two_zone_run / "storage.csv").groupby(["snapshot", "zone"])[["charge_mw", "discharge_mw"]].sum()
    storage = storage.reindex(merged.index, fill_value=0.0)
    np.testing.assert_allclose(merged["storage_charge_mw"], storage["charge_mw"], atol=1e-6)

    # Net imports from flows.csv with the 2 % loss of the north→south corridor.
    flows = pd.read_csv(two_zone_run / "flows.csv").set_index("snapshot")["flow_mw"]
    north = merged.xs("north", level="zone")["net_import_mw"]
    south = merged.xs("south", level="zone")["net_import_mw"]
    sent_north = flows.clip(lower=0)
    sent_south = (-flows).clip(lower=0)
    np.testing.assert_allclose(north, (-sent_north + 0.98 * sent_south).reindex(north.index), atol=1e-6)
    np.testing.assert_allclose(south, (0.98 * sent_north - sent_south).reindex(south.index), atol=1e-6)


def test_netcdf_matches_csv(two_zone_run):
    with xr.open_dataset(two_zone_run / "results.nc") as results:
        capacity = pd.read_csv(two_zone_run / "capacity.csv")
        np.testing.assert_allclose(sorted(results["new_mw"].values), sorted(capacity["new_mw"].values), atol=1e-6)
        assert "extends" not in results.attrs["scenario_yaml"]
        assert "isone-two-zones" in results.attrs["scenario_yaml"]


def test_regression_two_zone_objective(two_zone_run):
    # Pinned 2026-11-26 (first version of the model): isone_two_zones, 48 h from 2021-08-01, daily storage cycle.
    # 2026-11-30: 4,420,205,922.577692 → 4,474,720,310.506668: the EIA-930 rows are read hour-ending (one hour
    # later than before); declaring time_convention: hour_beginning on the five references gives the old value exactly.
    summary = pd.read_csv(two_zone_run / "summary.csv").set_index("metric")
    assert float(summary.loc["objective", "value"]) == pytest.approx(PINNED_TWO_ZONE_OBJECTIVE, rel=1e-6)


PINNED_TWO_ZONE_OBJECTIVE = 4_474_720_310.506668


def test_validate_reports_all_problems_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"extends: {REPO / 'scenarios' / 'isone_week.yaml'}\n"
        "technologies:\n  ccgt:\n    capex_per_mw: -1\n    heat_rat: 6\n"
        "plants:\n  isone_wind:\n    profile: {file: missing.csv, column: x}\n"
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    text = result.output
    assert "technologies.ccgt.capex_per_mw: Input should be greater than or equal to 0" in text
    assert "technologies.ccgt.heat_rat: unknown key — did you mean 'heat_rate_mmbtu_per_mwh'?" in text
    assert "Traceback" not in text


def test_failed_run_leaves_no_folder(tmp_path):
    out = tmp_path / "never"
    result = runner.invoke(app, ["run", TWO_ZONES, "--out", str(out), "--set", "zones.north.demand.column=nope"])
    assert result.exit_code == 2
    assert "zones.north.demand" in result.output and "no column 'nope'" in result.output
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_infeasible_run_exits_3_and_writes_nothing(tmp_path):
    out = tmp_path / "infeasible"
    result = runner.invoke(app, ["run", TWO_ZONES, "--out", str(out), *SHORT,
                                 "--set", "reliability.allow_unserved_energy=false",
                                 "--set", "plants.south_ocgt.max_new_mw=0", "--set", "plants.south_battery.max_new_mw=0",
                                 "--set", "plants.south_ccgt.existing_mw=5000", "--set", "plants.south_ccgt.max_new_mw=0",
                                 "--set", "plants.north_ccgt.max_new_mw=0"])
    assert result.exit_code == 3, result.output
    assert "zone 'south': demand cannot be met" in result.output
    assert not list(tmp_path.iterdir())


def test_schema_command(tmp_path):
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text())
    assert "zones" in schema["properties"] and schema["additionalProperties"] is False


def test_python_dash_m_entry_point():
    completed = subprocess.run([sys.executable, "-m", "planning", "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    assert "validate" in completed.stdout and "run" in completed.stdout


def _shed_yaml(folder):
    import yaml

    from tests.metrics.test_shedding import shed_scenario

    path = folder / "shed.yaml"
    path.write_text(yaml.safe_dump(shed_scenario(folder)), encoding="utf-8")
    return path


def test_run_that_sheds_load_says_so_and_strict_exits_5(tmp_path):
    # The hand-computed case of tests/metrics/test_shedding.py: 160 MWh shed during a 4-h outage, 24 h scaled to a year.
    scenario = _shed_yaml(tmp_path)
    loud = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "loud")])
    assert loud.exit_code == 0, loud.output
    text = " ".join(loud.output.split())
    assert "LOAD SHED: 160 MWh unserved and 4 loss-of-load hours during the stress events (4 h, unweighted)" in text
    assert "the 24 modelled hours are a sample scaled to a year" in text
    assert "MWh/year (sample × 365)" in text and "│ investment cost │ 0 │ USD2020/year │" in text   # investment is annualised, not scaled
    summary = pd.read_csv(tmp_path / "loud" / "summary.csv").set_index("metric")["value"]
    assert float(summary["load_shed"]) == 1 and float(summary["sample_scaled_to_year"]) == 1

    strict = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "strict"), "--strict"])
    assert strict.exit_code == 5, strict.output
    assert "load was shed" in strict.output
    assert (tmp_path / "strict" / "summary.csv").is_file()   # the results are kept; the exit code says why they need a look

    served = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "served"), "--strict", "--set", "stress.events=[]"])
    assert served.exit_code == 0, served.output
    assert "LOAD SHED" not in served.output


def test_help_documents_the_exit_codes():
    for command in ("run", "stress", "loop"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        text = " ".join(result.output.split())
        assert "--strict" in text and "exit code 5" in text


def test_loop_that_sheds_load_says_so_and_strict_exits_5(tmp_path):
    # 90 % of the CCGT, oil and import capacity out for 12 of 48 h: the existing fleet cannot serve the load.
    sets = ["horizon.hours=48", "horizon.storage_cycle=day", "unit_commitment.mode=linear", "operations.loop.max_iterations=1",
            "stress.events=[{kind: outage, technologies: [ccgt, oil, imports], start_hour: 12, duration_hours: 12, fraction: 0.9}]"]
    args = ["loop", str(REPO / "scenarios" / "isone_stress_week.yaml"), "--signal", "price", *sum((["--set", s] for s in sets), [])]
    strict = runner.invoke(app, [*args, "--out", str(tmp_path / "strict"), "--strict", "--quiet"])
    assert strict.exit_code == 5, strict.output
    text = " ".join(strict.output.split())
    assert "load was shed (--strict)" in text and "during the stress events (12 h, unweighted)" in text
    adequacy = pd.read_csv(tmp_path / "strict" / "adequacy.csv")
    assert adequacy["event_unserved_energy_mwh"].iloc[0] > 0 and adequacy["event_loss_of_load_hours"].iloc[0] == 12
