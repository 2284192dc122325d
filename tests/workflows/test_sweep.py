"""Sweeps: grid/list expansion, run names, Dask LocalCluster execution, failures recorded, resume."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from planning.cli import app
from planning.config.sweep import load_sweep, run_names, short_keys
from planning.errors import ScenarioError
from planning.workflows.sweep import is_finished, run_sweep
from tests.conftest import REPO, thermal, tiny_scenario

runner = CliRunner()

# coal 10 $/MWh, 1.0 t/MWh; gas 20 $/MWh, 0.5 t/MWh; demand 100 MW × 3 h (tests/optimization/test_formulations.py):
# CO2 price 15 $/t → coal (25 < 27.5 $/MWh): 300 × 25 = 7500 $, 300 t;
# CO2 price 25 $/t → gas (35 > 32.5 $/MWh): 300 × 32.5 = 9750 $, 150 t;
# a CO2 cap of 10 t without unserved energy is infeasible (all gas still emits 150 t).
EXPECTED = {"co2_price_per_t=15": (7500.0, 300.0), "co2_price_per_t=25": (9750.0, 150.0)}
INFEASIBLE = "co2_cap_t=10__allow_unserved_energy=false"
COLUMNS = ["run", "status", "policy.co2_price_per_t", "policy.co2_cap_t", "reliability.allow_unserved_energy", "solver_status",
           "total_cost", "investment_cost", "operating_cost", "co2_t", "unserved_energy_mwh", "curtailment_mwh",
           "demand_weighted_price_per_mwh", "mip_gap", "new_coal_mw", "new_ccgt_mw", "wall_s", "attempts", "worker", "resumed",
           "results_dir", "error"]


def write_sweep(folder, runs=None, grid=None, extra=None):
    raw = tiny_scenario(folder, [100, 100, 100], extra={
        "fuels": {"dirty": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "clean": {"price_per_mmbtu": 4.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"coal": thermal(10, fuel="dirty"), "ccgt": thermal(5, fuel="clean")},
        "plants": {"c": {"zone": "z", "technology": "coal", "existing_mw": 200, "max_new_mw": 0},
                   "g": {"zone": "z", "technology": "ccgt", "existing_mw": 200, "max_new_mw": 0}},
    })
    (folder / "base.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    sweep = {"name": "tiny-sweep", "scenario": "base.yaml", "set": {"horizon.hours": 3},
             "grid": grid if grid is not None else {"policy.co2_price_per_t": [15, 25]},
             "runs": runs if runs is not None else [{"policy.co2_cap_t": 10, "reliability.allow_unserved_energy": False}],
             **(extra or {})}
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cluster_sweep(tmp_path_factory):
    """The tiny sweep run once on a real LocalCluster (2 worker processes)."""
    folder = tmp_path_factory.mktemp("sweep")
    events = []
    outcome = run_sweep(load_sweep(write_sweep(folder)), folder / "out", workers=2, progress=lambda row, counts: events.append(counts))
    return outcome, events


def test_local_cluster_runs_all_and_records_the_infeasible_one(cluster_sweep):
    outcome, events = cluster_sweep
    table = pd.read_csv(outcome.csv, keep_default_na=False, na_values=[""])
    assert list(table.columns) == COLUMNS
    assert list(table["run"]) == [*EXPECTED, INFEASIBLE]   # the sweep's order, not completion order
    solved = table.set_index("run").loc[list(EXPECTED)]
    assert (solved["status"] == "solved").all() and (solved["solver_status"] == "Optimal").all()
    for run, (cost, co2) in EXPECTED.items():
        assert solved.loc[run, "total_cost"] == pytest.approx(cost, rel=1e-9)
        assert solved.loc[run, "co2_t"] == pytest.approx(co2, rel=1e-9)
        assert solved.loc[run, "results_dir"] == f"runs/{run}"
        assert (outcome.out_dir / "runs" / run / "summary.csv").is_file()
        assert (outcome.out_dir / "runs" / run / "solver.log").stat().st_size > 0
    assert list(solved["policy.co2_price_per_t"]) == [15, 25]
    failed = table.set_index("run").loc[INFEASIBLE]
    assert failed["status"] == "infeasible"
    assert "policy.co2_cap_t" in failed["error"] and "140" in failed["error"]   # needs 140 t more
    assert pd.isna(failed["total_cost"]) and pd.isna(failed["results_dir"])
    assert not (outcome.out_dir / "runs" / INFEASIBLE).exists()
    assert not list((outcome.out_dir / "runs").glob(".*"))   # no half-written folders
    assert outcome.counts == {"total": 3, "done": 3, "failed": 1, "skipped": 0}
    assert [e["done"] for e in events] == [1, 2, 3]
    log = (outcome.out_dir / "sweep.log").read_text()
    assert "local Dask cluster: 2 worker" in log and f"run {INFEASIBLE}: infeasible" in log


def test_resume_skips_finished_runs(cluster_sweep):
    outcome, _ = cluster_sweep
    folder = outcome.out_dir
    stamps = {run: os.stat(folder / "runs" / run / "summary.csv").st_mtime_ns for run in EXPECTED}
    created = {run: json.loads((folder / "runs" / run / "run.json").read_text())["created"] for run in EXPECTED}
    again = run_sweep(outcome.sweep, folder, scheduler="synchronous")
    assert again.counts == {"total": 3, "done": 1, "failed": 1, "skipped": 2}   # only the failed run ran again
    for run in EXPECTED:
        assert os.stat(folder / "runs" / run / "summary.csv").st_mtime_ns == stamps[run]
        assert json.loads((folder / "runs" / run / "run.json").read_text())["created"] == created[run]
    table = again.table.set_index("run")
    assert list(table["resumed"]) == [True, True, False]
    first = pd.read_csv(outcome.csv)
    assert table.loc["co2_price_per_t=15", "total_cost"] == pytest.approx(7500.0)
    assert len(first) == 3


def test_changed_scenario_is_run_again_and_invalid_run_recorded(tmp_path):
    path = write_sweep(tmp_path, grid={"policy.co2_price_per_t": [15, -5]}, runs=[])
    first = run_sweep(load_sweep(path), tmp_path / "out", scheduler="synchronous")
    table = first.table.set_index("run")
    assert table.loc["co2_price_per_t=-5", "status"] == "invalid"
    assert "policy.co2_price_per_t" in table.loc["co2_price_per_t=-5", "error"]
    assert first.counts["failed"] == 1
    # A change of the common overrides changes every resolved scenario: nothing is skipped.
    text = path.read_text().replace("horizon.hours: 3", "horizon.hours: 2")
    path.write_text(text)
    second = run_sweep(load_sweep(path), tmp_path / "out", scheduler="synchronous")
    assert second.counts["skipped"] == 0
    assert second.table.set_index("run").loc["co2_price_per_t=15", "total_cost"] == pytest.approx(5000.0)   # 2 h × 100 MW × 25 $


def test_grid_and_list_expand_in_order_with_stable_names(tmp_path):
    path = write_sweep(tmp_path, grid={"policy.co2_price_per_t": [0, 12.5], "plants.g.max_new_mw": [0, None]},
                       runs=[{"zones.z.demand.file": "data/x y.csv"}])
    sweep = load_sweep(path)
    names = [run.name for run in sweep.runs]
    assert names == ["co2_price_per_t=0__max_new_mw=0", "co2_price_per_t=0__max_new_mw=null", "co2_price_per_t=12.5__max_new_mw=0",
                     "co2_price_per_t=12.5__max_new_mw=null", "file=" + str(tmp_path / "data" / "x y.csv").replace("/", "-").replace(" ", "-")]
    assert names == [run.name for run in load_sweep(path).runs]   # same file → same names
    assert sweep.runs[4].overrides["zones.z.demand.file"] == str(tmp_path / "data" / "x y.csv")   # relative to the sweep file
    assert sweep.common == {"horizon.hours": 3}
    assert sweep.runs[1].set_strings() == ["policy.co2_price_per_t=0", "plants.g.max_new_mw=null"]


def test_run_names_are_unique_and_short():
    assert short_keys(["a.campus.it_capacity_mw", "a.edge.it_capacity_mw", "policy.co2_price_per_t"]) == {
        "a.campus.it_capacity_mw": "campus.it_capacity_mw", "a.edge.it_capacity_mw": "edge.it_capacity_mw",
        "policy.co2_price_per_t": "co2_price_per_t"}
    names = run_names([{"k": "a/b"}, {"k": "a-b"}, {"k": "x" * 200}], ("k",))
    assert len(set(names)) == 3
    assert names[0].startswith("k=a-b~") and names[1].startswith("k=a-b~")
    assert len(names[2]) <= 130 and "~" in names[2]
    assert all("/" not in name for name in names)


def test_sweep_file_errors_are_reported_together(tmp_path):
    path = write_sweep(tmp_path, extra={"gird": {"x.y": [1]}, "twins": "perhaps"})
    with pytest.raises(ScenarioError) as raised:
        load_sweep(path)
    text = str(raised.value)
    assert "gird: unknown key — did you mean 'grid'?" in text
    assert "twins:" in text
    path = write_sweep(tmp_path, grid={}, runs=[{"policy.co2_price_per_t": 1}, {"policy.co2_price_per_t": 1}])
    with pytest.raises(ScenarioError, match="run 2 repeats run 1"):
        load_sweep(path)


def test_cli_sweep_exit_code_and_quiet_output(tmp_path):
    path = write_sweep(tmp_path)
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out"), "--scheduler", "synchronous", "--quiet"])
    assert result.exit_code == 4, result.output
    assert str(tmp_path / "out" / "sweep.csv") in result.stdout
    assert "1 of 3 run(s) did not solve" in result.output


def test_example_sweep_file_is_valid():
    sweep = load_sweep(REPO / "scenarios" / "sweeps" / "co2_price_x_datacenter_size.yaml")
    assert 4 <= len(sweep.runs) <= 6
    assert sweep.scenario == (REPO / "scenarios" / "isone_datacenter_week.yaml").resolve()


def test_finished_ignores_settings_only_one_side_has(tmp_path):
    (tmp_path / "summary.csv").write_text("metric,value,unit\n")
    written = {"policy": {"co2_price_per_t": 50}, "horizon": {"hours": 3}}
    (tmp_path / "scenario.resolved.yaml").write_text(yaml.safe_dump(written))
    newer = {"policy": {"co2_price_per_t": 50, "co2_cap_t": None}, "horizon": {"hours": 3}, "stress": {"events": []}}
    assert is_finished(tmp_path, yaml.safe_dump(newer))           # a default added by a newer version: still finished
    changed = {"policy": {"co2_price_per_t": 60}, "horizon": {"hours": 3}}
    assert not is_finished(tmp_path, yaml.safe_dump(changed))     # a value the sweep sets differently: run again
    (tmp_path / "summary.csv").unlink()
    assert not is_finished(tmp_path, yaml.safe_dump(written))      # no summary.csv: not finished


def test_a_retry_after_a_lost_worker_is_recorded(tmp_path):
    # Dask re-runs a task whose worker died; the first attempt's line is still there, so the retry counts 2.
    from planning.workflows.sweep import execute_run

    folder = tmp_path / "runs" / "a"
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / ".a.attempts").write_text("tcp://10.0.0.7:40001\n")
    row = execute_run(str(tmp_path / "missing.yaml"), [], str(folder))
    assert row["status"] == "invalid" and row["attempts"] == 2 and row["lost_workers"] == "tcp://10.0.0.7:40001"
    assert row["worker"] and not (tmp_path / "runs" / ".a.attempts").exists() and not folder.exists()
    assert execute_run(str(tmp_path / "missing.yaml"), [], str(folder))["attempts"] == 1


def test_sweep_file_cluster_section_chooses_where_runs_execute(tmp_path):
    path = write_sweep(tmp_path, grid={"policy.co2_price_per_t": [15]}, runs=[], extra={"cluster": {"scheduler": "synchronous"}})
    sweep = load_sweep(path)
    assert sweep.cluster.scheduler == "synchronous" and sweep.cluster.workers == 2
    outcome = run_sweep(sweep, tmp_path / "out")   # no --scheduler: the file's cluster section
    assert outcome.table.set_index("run").loc["co2_price_per_t=15", "total_cost"] == pytest.approx(7500.0, rel=1e-9)
    assert "in this process (synchronous)" in (outcome.out_dir / "sweep.log").read_text()
    bad = write_sweep(tmp_path, extra={"cluster": {"scheduler": "head-node:8786", "worker": 3}})
    with pytest.raises(ScenarioError) as raised:
        load_sweep(bad)
    assert "cluster.scheduler: 'head-node:8786' is not a scheduler address" in str(raised.value)
    assert "cluster.worker: unknown key" in str(raised.value)
