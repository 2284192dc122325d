"""``planning run``: scenario → inputs → model → HiGHS → results → files.

Termination handling
--------------------
* solution found (optimal, or a feasible point at the time limit) → results written; a
  non-optimal status and the MIP gap are flagged in run.json (``summary_facts``, ``solver``), summary.csv (``mip_gap``) and on screen. For a MILP every
  result — dispatch, commitment, prices, objective — comes from one solve, the LP re-solved with
  the integers fixed (:mod:`planning.optimization.solve`; the decomposed path does the same), and
  run.json records HiGHS' dual bound (``dual_bound``) next to the objective;
* ``solver.temporal_decomposition`` set (an LP on a chronological horizon): solved by Benders over blocks of hours
  (:mod:`planning.optimization.temporal_solve`) to a certified gap, with the same outputs;
* infeasible → the model is rebuilt *elastic* (penalised slacks on every zonal balance and the
  CO2 cap) and re-solved; the zones and hours that need slack are reported in a
  :class:`~planning.errors.SolveError` (exit code 3), and nothing is written;
* unbounded or no point found → :class:`~planning.errors.SolveError` saying so.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from planning.config.scenario import Scenario
from planning.errors import ScenarioError, SolveError
from planning.io.inputs import load_inputs
from planning.io.telemetry import file_sha256
from planning.io.writers import atomic_folder, netcdf_ready, tidy_tables, write_tables
from planning.logging import held_records, log_unseen, seen_records
from planning.metrics.carbon import carbon_outputs
from planning.metrics.footprint import twin_carbon_table
from planning.metrics.statistics import statistics_table
from planning.metrics.summary import summary_facts, summary_table
from planning.optimization.build import build_model
from planning.optimization.results import collect_results
from planning.optimization.solve import SolveResult, solve_model
from planning.workflows.twins import compare_twins

PACKAGES = ("planning", "pyomo", "highspy", "numpy", "pandas", "xarray", "scikit-learn", "pydantic", "tsam")


@dataclass
class RunOutcome:
    """What a run produced."""

    results: xr.Dataset
    summary: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    out_dir: Path | None
    solved: SolveResult
    facts: dict[str, str] = field(default_factory=dict)
    """The text facts kept out of summary.csv (:func:`planning.metrics.summary.summary_facts`; run.json's ``summary_facts``)."""


def resolved_scenario_yaml(scenario: Scenario) -> str:
    """The scenario with every default filled in, as YAML — except a future's ``policy``, written with the keys it sets
    only: there a key left out keeps the scenario's value and ``co2_cap_t: null`` removes the cap, so filling in the
    null defaults would change the futures when the file is read again."""
    raw = scenario.model_dump(mode="json")
    for name, future in scenario.futures.items():
        raw["futures"][name]["policy"] = future.policy.model_dump(mode="json", exclude_unset=True)
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def solve_scenario(scenario: Scenario, log_file: Path | None = None, verbose: bool = False,
                   step: Callable[[str], None] = lambda message: None,
                   inputs: xr.Dataset | None = None) -> tuple[xr.Dataset, SolveResult, dict[str, float]]:
    """Load inputs, build, solve and collect results (no files written)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    if inputs is None:
        step("reading inputs")
        inputs = load_inputs(scenario)
    timings["inputs_s"] = time.perf_counter() - start
    if scenario.unit_commitment.mode == "integer" and scenario.unit_commitment.strategy == "decomposed":
        from planning.optimization.decomposition import solve_decomposed

        return solve_decomposed(scenario, inputs, log_file=log_file, verbose=verbose, step=step, timings=timings)
    if scenario.solver.temporal_decomposition is not None:
        from planning.optimization.temporal_solve import solve_temporal

        return solve_temporal(scenario, inputs, log_file=log_file, verbose=verbose, step=step, timings=timings)
    step("building the model")
    built = build_model(inputs)
    timings["build_s"] = built.build_s
    step("solving with HiGHS")
    solved = solve_model(built.model, scenario.solver, log_file=log_file, verbose=verbose)
    timings["translate_s"] = solved.translate_s
    timings["solve_s"] = solved.solve_s
    if not solved.has_solution:
        raise SolveError(diagnose(scenario, inputs, solved), title=f"no solution: HiGHS says '{solved.status}'")
    start = time.perf_counter()
    results = collect_results(built.ctx, solved)
    timings["results_s"] = time.perf_counter() - start
    results.attrs["rows"] = solved.num_rows
    results.attrs["columns"] = solved.num_cols
    return results, solved, timings


def diagnose(scenario: Scenario, inputs: xr.Dataset, solved: SolveResult) -> list[str]:
    """Say, as far as can be found, why there is no solution."""
    status = solved.status
    if status in ("Infeasible", "Primal infeasible or unbounded"):
        built = build_model(inputs, elastic=True)
        elastic = solve_model(built.model, scenario.solver)
        if not elastic.has_solution:
            return [f"the model is infeasible and its elastic version could not be solved either ({elastic.status})"]
        results = collect_results(built.ctx, elastic)
        problems = []
        snapshots = pd.DatetimeIndex(results["snapshot"].values)
        for name, what, fix in (
            ("shortfall_mw", "demand cannot be met", "allow unserved energy (reliability.allow_unserved_energy: true), raise plants.*.max_new_mw, or add transmission"),
            ("surplus_mw", "supply cannot be absorbed", "lower must-run output or allow more flexibility"),
        ):
            values = results[name]
            for zone in results["zone"].values:
                series = values.sel(zone=zone).values
                hours = np.flatnonzero(series > 1e-6)
                if hours.size:
                    problems.append(
                        f"zone '{zone}': {what} in {hours.size} hour(s), first {snapshots[hours[0]]:%Y-%m-%dT%H:%M}, "
                        f"largest {series.max():.6g} MW — {fix}"
                    )
        if float(results.get("co2_cap_slack_t", 0.0)) > 1e-6:
            problems.append(
                f"policy.co2_cap_t: the cap of {scenario.policy.co2_cap_t:g} t cannot be met; it needs "
                f"{float(results['co2_cap_slack_t']):.6g} t more — raise the cap or allow clean capacity to be built"
            )
        return problems or ["the model is infeasible, but the elastic balance and CO2 slacks do not show where; check capacity limits"]
    if status in ("Unbounded",):
        return ["the objective is unbounded below: a cost term can decrease without limit; check for capacities without bounds that earn money"]
    if status == "Time limit reached":
        return [f"no feasible point within solver.time_limit_s = {scenario.solver.time_limit_s:g} s; raise it or simplify the scenario"]
    return [f"HiGHS stopped with status '{status}'; see the solver log"]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _repeating_run(solve: Callable, seen: list, key: str) -> Callable:
    """``solve`` for a twin of a run: the input warnings the run has already shown (``seen``) are not repeated; a new
    one is logged once, prefixed ``key: `` (planning.logging.log_unseen)."""

    def solve_twin(scenario: Scenario, **kwargs):
        with held_records("inputs") as held:
            outcome = solve(scenario, **kwargs)
        log_unseen(held, seen, key)
        return outcome

    return solve_twin


def run_scenario(scenario: Scenario, out_dir: Path, scenario_file: Path | None = None, verbose: bool = False,
                 step: Callable[[str], None] = lambda message: None, twins: bool = False, site_twins: bool = False) -> RunOutcome:
    """Solve a scenario and write its results folder atomically.

    With ``twins`` (and data centers in the scenario), also solve the inflexible, learned and ideal
    twins and write value_of_flexibility.csv (see :mod:`planning.workflows.twins`). With ``site_twins``
    (``datacenter_sites`` with ``workload_shifting``), the fleet's no / temporal / spatial / both
    flexibility twins: value_of_spatial_flexibility.csv and _zones.csv (:mod:`planning.workflows.spatial_twins`).
    """
    if scenario.futures:
        from planning.workflows.stochastic import run_stochastic

        if site_twins:
            raise ScenarioError(["--site-twins: not available with futures: (the spatial twins solve one future); "
                                 "run them on the scenario without futures:"], title="invalid options")

        return run_stochastic(scenario, out_dir, scenario_file=scenario_file, verbose=verbose, step=step, twins=twins)
    wall = time.perf_counter()
    with atomic_folder(out_dir) as staging:
        with seen_records("inputs") as input_warnings:
            results, solved, timings = solve_scenario(scenario, log_file=staging / "solver.log", verbose=verbose, step=step)
        step("writing results")
        summary = summary_table(results, timings)
        carbon_rows, carbon_tables, carbon_metrics = carbon_outputs(scenario, results, solved)
        summary = pd.concat([summary, carbon_rows], ignore_index=True)
        facts = summary_facts(results, carbon_metrics)
        tables = {"summary": summary, **tidy_tables(results), **carbon_tables, "statistics": statistics_table(results, scenario)}
        if twins and scenario.datacenters:
            modes = {site.flexibility for site in scenario.datacenters.values()}
            known = {modes.pop(): (results, summary)} if len(modes) == 1 else {}
            step("solving the data-center twins")
            twin_runs = {name: (scenario, results, solved) for name in known}

            def solve_twin(twin: Scenario, **kwargs):
                name = next(iter({site.flexibility for site in twin.datacenters.values()}))
                outcome = _repeating_run(solve_scenario, input_warnings, f"twin {name}")(twin, **kwargs)
                twin_runs[name] = (twin, outcome[0], outcome[1])
                return outcome

            tables["value_of_flexibility"] = compare_twins(scenario, solve_twin, known)
            tables["datacenter_carbon_twins"] = twin_carbon_table(twin_runs)
        if site_twins:
            from planning.workflows.spatial_twins import compare_site_twins, twin_of

            step("solving the data-center fleet's flexibility twins")
            tables["value_of_spatial_flexibility"], tables["value_of_spatial_flexibility_zones"] = compare_site_twins(
                scenario, _repeating_run(solve_scenario, input_warnings, "site twin"), {twin_of(scenario): (results, summary)})
        scenario_yaml = write_run_files(staging, scenario, tables)
        netcdf_ready(results, {"scenario_yaml": scenario_yaml}, carbon=carbon_metrics,
                     statistics=tables["statistics"]).to_netcdf(staging / "results.nc")
        record = {
            **run_record(scenario, scenario_file),
            "timings_s": {key: round(value, 4) for key, value in timings.items()},
            "wall_s": round(time.perf_counter() - wall, 4),
            "solver": {"status": solved.status, "objective": solved.objective, "dual_bound": solved.dual_bound, "mip_gap": solved.mip_gap,
                       "rows": solved.num_rows, "columns": solved.num_cols, "log": "solver.log", "prices_from": solved.duals_from},
            "summary_facts": facts,
        }
        (staging / "run.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return RunOutcome(results=results, summary=summary, tables=tables, out_dir=Path(out_dir).resolve(), solved=solved, facts=facts)


def write_run_files(staging: Path, scenario: Scenario, tables: dict[str, pd.DataFrame]) -> str:
    """What every results folder holds besides results.nc and run.json: the data centers' cards, the tables and
    scenario.resolved.yaml. Returns the resolved scenario's YAML (results.nc carries it too)."""
    if scenario.datacenters:
        (staging / "cards").mkdir()
        for name, site in scenario.datacenters.items():
            shutil.copy2(site.card_file, staging / "cards" / f"{name}.json")
    write_tables(staging, tables)
    scenario_yaml = resolved_scenario_yaml(scenario)
    (staging / "scenario.resolved.yaml").write_text(scenario_yaml, encoding="utf-8")
    return scenario_yaml


def run_record(scenario: Scenario, scenario_file: Path | None, input_files: list[str] | None = None) -> dict:
    """The head of run.json: scenario, file, creation time, package versions and the SHA-256 of every input file
    (default: those the scenario names)."""
    files = results_input_files(scenario) if input_files is None else sorted(input_files)
    return {
        "scenario": scenario.name,
        "scenario_file": str(scenario_file) if scenario_file else None,
        "created": pd.Timestamp.now(tz="UTC").isoformat(),
        "versions": package_versions(),
        "input_files": {path: file_sha256(Path(path)) for path in files},
    }


def results_input_files(scenario: Scenario) -> list[str]:
    """Every data file the scenario names."""
    files = {str(zone.demand.file) for zone in scenario.zones.values()}
    files |= {str(plant.profile.file) for plant in scenario.plants.values() if plant.profile is not None}
    files |= {str(site.card_file) for site in scenario.datacenters.values()}
    files |= {str(site.pue_profile.file) for site in scenario.datacenters.values() if site.pue_profile is not None}
    if scenario.datacenter_sites is not None:
        sites = scenario.datacenter_sites
        files |= {str(site.card_file or sites.card_file) for site in sites.candidates.values()}
        files |= {str(site.pue_profile.file) for site in sites.candidates.values() if site.pue_profile is not None}
    return sorted(files)
