"""Multi-period investment pathways (``pathway:``): perfect foresight over every period, or myopic.

Periods and their data
----------------------
Period p (``pathway.periods``, keyed by its first year Y_p, in calendar order) models the scenario's
hours in year Y_p with the period's overrides (fuel prices, CO2 price/cap, demand, capacity factors,
data centers, technology costs; :mod:`planning.config.pathway`) and stands for n_p years. Its model is
the ordinary one (:func:`planning.optimization.build.build_model`, every block unchanged), built as a
sub-block ``period_<Y_p>`` of one Pyomo model — as the futures of :mod:`planning.workflows.stochastic`.
Existing capacity of a plant with ``retire_year`` R is 0 in every period with Y_p ≥ R.

Build years and lifetimes
-------------------------
build[q,i] ≥ 0: capacity of investment i (a plant's MW, a store's MWh, a corridor's MW) built at the
start of period q, alive in period p iff Y_q ≤ Y_p < Y_q + L_i (L_i: the technology's or corridor's
``lifetime_years``). Each period's own new-capacity variable is the capacity alive then:

    new_p[i] = Σ_{q: Y_q ≤ Y_p < Y_q + L_i} build[q,i]          (max_new bounds the capacity alive)

so capacity built in 2030 with a 10-year life is gone in 2040 and must be built again. Existing
capacity kept cannot come back: (E_p[i] − retired_p[i]) ≤ (E_{p−1}[i] − retired_{p−1}[i]).

Costs and discounting (PyPSA's multi-investment convention)
-----------------------------------------------------------
cost_p (currency/year) is period p's model objective — annualised investment on the capacity alive,
fixed O&M, operation — with the investment of each vintage at the annuity of its own build period
(capex falls over time): period p's model prices every alive MW at its own annuity a_p[i], so

    cost_p += Σ_q alive build[q,i]·(a_q[i] − a_p[i])            (vintage correction, exact)

Annuities are paid for the years a vintage is alive within the pathway (none after its end).

    min Σ_p DF_p·cost_p,   DF_p = Σ_{k=0}^{n_p−1} (1 + r)^−(Y_p + k − Y_1)

(r = ``economics.discount_rate``, Y_1 the first period's year). CO2: per-period caps
(``pathway.periods.<Y>.policy.co2_cap_t``, t/year of that period) and an optional budget over the
pathway Σ_p n_p·E_p ≤ ``co2_budget_t`` (E_p: period p's annual emissions).

Data-center sites (``datacenter_sites:``)
----------------------------------------
A candidate site's IT rating is an investment like a plant's MW: build[q,s] (MW of IT) is the campus
added at site s at the start of period q, alive for the candidate's ``lifetime_years`` L_s (the life its
interconnection is annualised over; a life longer than the pathway keeps the campus to its end), and each
period's siting variable is the campus alive then:

    site_it_mw_p[s] = Σ_{q: Y_q ≤ Y_p < Y_q + L_s} build[q,s]      (MW of IT)

so a campus sited in period q stays at s in every later period while alive — it cannot move to a site
that has become cheaper; a later period only adds to it. The period's requirement (the growth path,
``pathway.periods.<Y>.datacenter_sites.requirement``), a candidate's size limits N̲_s,p ≤ site_it_mw_p[s]
≤ N̄_s,p and its availability (``earliest_year`` ≤ Y_p) are the period's own rows of
:mod:`planning.optimization.blocks.datacenter_siting`. The interconnection annuity c_s is paid on the
campus alive in each period (the vintage correction above with c_s for a). Contracted flexibility
(``site_flexible_contract_mw``, F_s ≤ φ_s,p·site_it_mw_p[s]) is a yearly contract, chosen anew per period
at that period's price; with ``site_binaries`` a site's "opened" binary is per period too (its fixed cost,
annualised, is paid in every period the site holds a campus). Myopic: the campuses built so far are
handed forward like capacities.

Modes
-----
* ``perfect_foresight`` — one problem over every period (the above).
* ``myopic`` — period by period in calendar order; period p sees only its own data and cost_p, with
  build[q,i] of earlier periods fixed at their solution (handed forward) and the kept existing
  capacity capped at what the last period kept. Its total Σ_p DF_p·cost_p is ≥ the perfect-foresight
  optimum (the myopic plan is feasible for it).

Prices of period p are its balance duals divided by DF_p·w_t (currency/MWh in that period's year).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from planning.config.scenario import Scenario
from planning.errors import ScenarioError, SolveError

#: The investment variables that carry over between periods, and the inputs giving their annuity.
INVESTMENTS = {"new_mw": "annual_capex_per_mw", "new_mwh": "annual_capex_per_mwh", "new_line_mw": "line_annual_cost_per_mw",
               "site_it_mw": "site_annual_cost_per_mw"}
#: The dimension of each investment variable's index (plants otherwise).
_DIMENSION = {"new_line_mw": "line", "site_it_mw": "site"}


def discount_factors(scenario: Scenario) -> dict[int, float]:
    """DF_p = Σ_{k=0}^{n_p−1} (1 + r)^−(Y_p + k − Y_1), per period year (years)."""
    rate = scenario.economics.discount_rate
    years = list(scenario.pathway.periods)
    first = years[0]
    return {year: float(sum((1.0 + rate) ** -(year + k - first) for k in range(scenario.pathway.periods[year].years)))
            for year in years}


def period_scenario(scenario: Scenario, year: int) -> Scenario:
    """The scenario as it is in period ``year`` (technology costs and retirements applied), with the period's operating
    overrides as its single future ``period`` (read by :func:`planning.workflows.stochastic.future_inputs`)."""
    from planning.config.load import deep_merge, validate_scenario

    period = scenario.pathway.periods[year]
    raw = scenario.model_dump(mode="json", exclude={"pathway", "futures"})
    override: dict = {}
    for name, costs in period.technologies.items():
        override.setdefault("technologies", {})[name] = costs.model_dump(mode="json", exclude_none=True)
    for name, plant in scenario.plants.items():
        if plant.retire_year is not None and year >= plant.retire_year:
            override.setdefault("plants", {})[name] = {"existing_mw": 0.0, "existing_mwh": 0.0}
    if scenario.datacenter_sites is not None:
        override["datacenter_sites"] = {"in_service_year": year}   # a candidate's earliest_year against the period's year
        if period.datacenter_sites is not None:
            override["datacenter_sites"].update(period.datacenter_sites.model_dump(mode="json", exclude_none=True))
            if period.datacenter_sites.requirement is not None:   # replaces the scenario's (firm or work) whole
                override["datacenter_sites"]["requirement"] = period.datacenter_sites.requirement.model_dump(mode="json")
    raw = deep_merge(raw, override)
    raw["futures"] = {"period": {"probability": 1.0, **period.model_dump(mode="json", exclude={"years", "description", "technologies",
                                                                                               "datacenter_sites"},
                                                                          exclude_defaults=True)}}
    try:
        return validate_scenario(raw, source=f"pathway.periods.{year}")
    except ScenarioError as error:
        raise ScenarioError([f"pathway.periods.{year}: {p}" for p in error.problems], title=f"invalid period {year}") from None


def period_inputs(scenario: Scenario, year: int) -> xr.Dataset:
    """The inputs of period ``year`` (the ordinary loader, with the period's overrides)."""
    from planning.workflows.stochastic import future_inputs

    return future_inputs(period_scenario(scenario, year), "period")


def load_periods(scenario: Scenario) -> tuple[dict[int, xr.Dataset], list[str]]:
    """Every period's inputs and every problem found on the way, so that all periods' problems are reported at once
    (``planning validate`` too): a problem of some periods keyed ``pathway.periods.<Y>: ...``, one of every period
    (e.g. a missing file) once, as it is. The loader's warnings (``planning.inputs``, e.g. hours filled at a file's
    edge) are logged once each the same way, not once per period."""
    from planning.errors import PlanningError
    from planning.logging import held_records, log_once

    inputs, found, held = {}, {}, {}
    for year in scenario.pathway.periods:
        with held_records("inputs") as held[f"pathway.periods.{year}"]:
            try:
                inputs[year] = period_inputs(scenario, year)
            except PlanningError as error:
                for problem in error.problems:
                    found.setdefault(problem, []).append(year)
    log_once(held)
    problems = []
    for problem, years in found.items():
        if problem.startswith("pathway.periods.") or len(years) == len(scenario.pathway.periods):
            problems.append(problem)
        else:
            problems += [f"pathway.periods.{year}: {problem}" for year in years]
    return inputs, problems


def lifetimes(scenario: Scenario, inputs: xr.Dataset) -> dict[str, dict]:
    """L_i (years) per investment variable and index."""
    plants = {str(p): scenario.technologies[scenario.plants[str(p)].technology].lifetime_years for p in inputs["plant"].values}
    lines = {name: line.lifetime_years for name, line in scenario.transmission.items()}
    sites = {name: site.lifetime_years for name, site in (scenario.datacenter_sites.candidates.items() if scenario.datacenter_sites else ())}
    return {"new_mw": plants, "new_mwh": plants, "new_line_mw": lines, "site_it_mw": sites}


@dataclass
class Pathway:
    """A built pathway model: the parent, each period's built sub-model, and the build variables."""

    model: pyo.ConcreteModel
    built: dict  # year -> BuiltModel
    discount: dict[int, float]
    build_s: float


def build_pathway(scenario: Scenario, inputs: dict[int, xr.Dataset], history: dict | None = None,
                  kept_before: dict | None = None, earlier_inputs: dict[int, xr.Dataset] | None = None) -> Pathway:
    """Build the periods ``inputs`` (year → inputs) as one model (see the module docstring).

    ``history`` — (year q, variable, index) → build[q,i] fixed from earlier periods (myopic);
    ``kept_before`` — (variable, index) → the existing capacity kept in the period before the first one here;
    ``earlier_inputs`` — the inputs of the periods in ``history`` (their annuities price the vintages).
    """
    from planning.optimization.build import build_model, paused_gc

    start = time.perf_counter()
    history, kept_before = history or {}, kept_before or {}
    discount = {year: factor for year, factor in discount_factors(scenario).items() if year in inputs}
    years = list(inputs)
    parent = pyo.ConcreteModel(name="pathway")
    built = {}
    with paused_gc():
        for year in years:
            one = build_model(inputs[year])
            one.model.total_cost.deactivate()
            parent.add_component(f"period_{year}", one.model)
            built[year] = one
        life = lifetimes(scenario, inputs[years[0]])
        index = [(var, str(i)) for var in INVESTMENTS if getattr(built[years[0]].model, var, None) is not None
                 for i in getattr(built[years[0]].model, var)]
        priced = {**(earlier_inputs or {}), **inputs}
        annuity = {(year, var, i): _annuity(priced[year], INVESTMENTS[var], var, i) for year in priced for var, i in index}
        all_years = list(scenario.pathway.periods)
        parent.BUILDS = pyo.Set(initialize=[(year, var, str(i)) for year in years for var, i in index], dimen=3)
        parent.build = pyo.Var(parent.BUILDS, bounds=(0.0, None))

        def alive(q: int, p: int, var: str, i) -> bool:
            return q <= p < q + life[var].get(str(i), float("inf"))

        def alive_sum(p: int, var: str, i):
            own = [parent.build[q, var, str(i)] for q in years if alive(q, p, var, i)]
            fixed = sum(value for (q, v, j), value in history.items() if v == var and j == str(i) and alive(q, p, var, i))
            return pyo.quicksum(own) + fixed

        parent.vintages = pyo.Constraint(
            [(p, var, str(i)) for p in years for var, i in index],
            rule=lambda m, p, var, i: getattr(built[p].model, var)[i] == alive_sum(p, var, i))
        _add_kept_capacity(parent, built, years, kept_before)

        def correction(p: int):
            terms = [parent.build[q, var, str(i)] * (annuity[q, var, str(i)] - annuity[p, var, str(i)])
                     for q in years for var, i in index if alive(q, p, var, i) and annuity[q, var, str(i)] != annuity[p, var, str(i)]]
            fixed = sum(value * (annuity[q, var, j] - annuity[p, var, j])
                        for (q, var, j), value in history.items() if alive(q, p, var, j))
            return pyo.quicksum(terms) + fixed

        parent.period_cost = pyo.Expression(years, rule=lambda m, p: built[p].model.total_cost.expr + correction(p))
        parent.objective = pyo.Objective(expr=pyo.quicksum(discount[p] * parent.period_cost[p] for p in years), sense=pyo.minimize)
        budget = scenario.pathway.co2_budget_t
        if budget is not None and len(years) == len(all_years):
            parent.co2_budget = pyo.Constraint(expr=pyo.quicksum(
                scenario.pathway.periods[p].years * built[p].model.co2_t for p in years) <= budget)
    return Pathway(model=parent, built=built, discount=discount, build_s=time.perf_counter() - start)


def _annuity(inputs: xr.Dataset, column: str, var: str, index: str) -> float:
    return float(inputs[column].sel({_DIMENSION.get(var, "plant"): index}))


def _add_kept_capacity(parent: pyo.ConcreteModel, built: dict, years: list[int], kept_before: dict) -> None:
    """(E_p − retired_p) ≤ (E_{p−1} − retired_{p−1}) for every plant (MW) and store (MWh)."""
    rows = []
    for var, existing in (("retired_mw", "existing_mw"), ("retired_mwh", "existing_mwh")):
        for k, p in enumerate(years):
            model = built[p].model
            component = getattr(model, var, None)
            if component is None:
                continue
            inputs = built[p].ctx.inputs
            for i in component:
                kept = float(inputs[existing].sel(plant=i)) - component[i]
                if k > 0:
                    before = built[years[k - 1]]
                    rows.append(kept <= float(before.ctx.inputs[existing].sel(plant=i)) - getattr(before.model, var)[i])
                elif (var, i) in kept_before:
                    rows.append(kept <= kept_before[var, i])
    parent.kept_capacity = pyo.ConstraintList()
    for row in rows:
        if not isinstance(row, bool):
            parent.kept_capacity.add(row)


@dataclass
class PathwaySolution:
    """Per-period results, the builds, the discounted costs."""

    results: dict[int, xr.Dataset]
    builds: pd.DataFrame
    periods: pd.DataFrame
    objective: float
    timings: dict[str, float] = field(default_factory=dict)


def solve_pathway(scenario: Scenario, log_file: Path | None = None, verbose: bool = False,
                  step: Callable[[str], None] = lambda message: None) -> PathwaySolution:
    """Solve ``scenario.pathway`` in its mode; results per period with prices in that period's currency/MWh."""
    years = list(scenario.pathway.periods)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    step(f"reading the inputs of {len(years)} periods")
    inputs, problems = load_periods(scenario)
    if problems:
        raise ScenarioError(problems, title="invalid pathway periods")
    timings["inputs_s"] = time.perf_counter() - start
    if scenario.pathway.mode == "perfect_foresight":
        rounds = [years]
    else:
        rounds = [[year] for year in years]
    history: dict = {}
    kept_before: dict = {}
    results: dict[int, xr.Dataset] = {}
    period_cost: dict[int, float] = {}
    for chunk in rounds:
        step(f"building and solving {'the pathway' if len(chunk) > 1 else f'period {chunk[0]}'}")
        built = build_pathway(scenario, {year: inputs[year] for year in chunk}, history, kept_before,
                              {year: inputs[year] for year in years if year < chunk[0]})
        timings["build_s"] = timings.get("build_s", 0.0) + built.build_s
        solved = _solve(scenario, built.model, log_file, verbose)
        timings["solve_s"] = timings.get("solve_s", 0.0) + solved.solve_s
        for year in chunk:
            results[year] = _period_results(built, solved, year)
            period_cost[year] = float(pyo.value(built.model.period_cost[year]))
        for (q, var, i) in built.model.BUILDS:
            history[q, var, i] = float(built.model.build[q, var, i].value or 0.0)
        last = built.built[chunk[-1]]
        for var, existing in (("retired_mw", "existing_mw"), ("retired_mwh", "existing_mwh")):
            component = getattr(last.model, var, None)
            for i in (component or {}):
                kept_before[var, i] = float(last.ctx.inputs[existing].sel(plant=i)) - float(component[i].value or 0.0)
    discount = discount_factors(scenario)
    periods = pd.DataFrame({
        "period": years,
        "years": [scenario.pathway.periods[y].years for y in years],
        "discount_factor": [discount[y] for y in years],
        "annual_cost": [period_cost[y] for y in years],
        "discounted_cost": [discount[y] * period_cost[y] for y in years],
        "co2_t_per_year": [float(results[y]["co2_t"]) if "co2_t" in results[y] else np.nan for y in years],
    })
    builds = pd.DataFrame([{"period": q, "variable": var, "name": i, "built": value} for (q, var, i), value in history.items()])
    return PathwaySolution(results=results, builds=builds, periods=periods,
                           objective=float(periods["discounted_cost"].sum()), timings=timings)


def _solve(scenario: Scenario, model: pyo.ConcreteModel, log_file: Path | None, verbose: bool):
    from planning.optimization.solve import solve_model

    solved = solve_model(model, scenario.solver, log_file=log_file, verbose=verbose)
    if not solved.has_solution:
        raise SolveError([(f"HiGHS says '{solved.status}' for the pathway; solve each period alone with planning run "
                           "(its scenario with the period's overrides) to find the period at fault")],
                         title="no solution of the pathway")
    return solved


def _period_results(built: Pathway, solved, year: int) -> xr.Dataset:
    """Period ``year``'s results from its sub-model, its duals divided by DF_p (prices in that year's currency/MWh)."""
    from planning.optimization.results import collect_results

    factor = built.discount[year]
    view = dataclasses.replace(solved, duals={key: value / factor for key, value in solved.duals.items()},
                               objective=float(pyo.value(built.model.period_cost[year])), highs=None, columns=[], rows=[],
                               col_cost=None, dual_bound=float("nan") if solved.is_mip else float(pyo.value(built.model.period_cost[year])))
    results = collect_results(built.built[year].ctx, view)
    results.attrs.update(period=year, discount_factor=factor)
    return results


# ----------------------------------------------------------------------------------------------
# Files (planning pathway)
# ----------------------------------------------------------------------------------------------

def pathway_tables(scenario: Scenario, solution: PathwaySolution) -> dict[str, pd.DataFrame]:
    """The run's tables with a leading ``period`` column (one block per period), plus:

    * ``pathway_periods`` — period, years, discount_factor, annual_cost (currency/year of that period),
      discounted_cost (currency, present value at the first period's year), co2_t_per_year;
    * ``pathway_builds`` — period, kind (power_mw / energy_mwh / corridor_mw / datacenter_it_mw: a campus at a
      candidate site), name, zone, technology (``datacenter_site`` for a campus), built (capacity built at the
      start of that period), alive_from, retired_by (the first year it is gone);
    * ``datacenter_sites`` (with sites) gains ``built_it_mw``: the part of the period's ``it_mw`` added in that period.
    """
    from planning.io.writers import tidy_tables
    from planning.metrics.summary import summary_table

    per_period: dict[str, list[pd.DataFrame]] = {}
    for year, results in solution.results.items():
        tables = {"summary": summary_table(results, {}), **tidy_tables(results)}
        for name, frame in tables.items():
            per_period.setdefault(name, []).append(frame.assign(period=year)[["period", *frame.columns]])
    out = {name: pd.concat(frames, ignore_index=True) for name, frames in per_period.items()}
    out["pathway_periods"] = solution.periods
    rows = []
    kinds = {"new_mw": "power_mw", "new_mwh": "energy_mwh", "new_line_mw": "corridor_mw", "site_it_mw": "datacenter_it_mw"}
    for record in solution.builds.itertuples(index=False):
        if record.variable == "new_line_mw":
            zone, technology, life = "", "", scenario.transmission[record.name].lifetime_years
        elif record.variable == "site_it_mw":
            site = scenario.datacenter_sites.candidates[record.name]
            zone, technology, life = site.zone, "datacenter_site", site.lifetime_years
        else:
            plant = scenario.plants[record.name]
            zone, technology, life = plant.zone, plant.technology, scenario.technologies[plant.technology].lifetime_years
        rows.append({"period": record.period, "kind": kinds[record.variable], "name": record.name, "zone": zone, "technology": technology,
                     "built": record.built, "alive_from": record.period, "retired_by": record.period + life})
    out["pathway_builds"] = pd.DataFrame(rows, columns=["period", "kind", "name", "zone", "technology", "built", "alive_from", "retired_by"])
    if "datacenter_sites" in out:
        campuses = out["pathway_builds"].query("kind == 'datacenter_it_mw'")
        added = {(int(r.period), r.name): r.built for r in campuses.itertuples(index=False)}
        sites = out["datacenter_sites"]
        position = sites.columns.get_loc("it_mw") + 1
        sites.insert(position, "built_it_mw", [added.get((int(p), n), 0.0) for p, n in zip(sites["period"], sites["site"])])
    return out


def write_pathway(scenario: Scenario, solution: PathwaySolution, out_dir: Path, scenario_file: Path | None = None) -> None:
    """Write the pathway's tables, results.nc (a ``period`` dimension: the investment period; a run's storage-cycle or
    representative-period index of the snapshots is ``snapshot_period`` there), the resolved scenario and run.json, atomically."""
    import json

    from planning.io.writers import atomic_folder, netcdf_ready
    from planning.workflows.run import results_input_files, run_record, write_run_files

    files = set(results_input_files(scenario))
    for year in scenario.pathway.periods:
        files |= set(results_input_files(period_scenario(scenario, year)))
    with atomic_folder(out_dir) as staging:
        scenario_yaml = write_run_files(staging, scenario, pathway_tables(scenario, solution))
        # A run's own ``period`` (the storage cycle / representative period of each snapshot) becomes ``snapshot_period``:
        # ``period`` is the investment period here.
        datasets = [netcdf_ready(results, {"scenario_yaml": scenario_yaml}).rename({"period": "snapshot_period"})
                    if "period" in results else netcdf_ready(results, {"scenario_yaml": scenario_yaml})
                    for results in solution.results.values()]
        combined = xr.concat(datasets, dim=pd.Index(list(solution.results), name="period"), combine_attrs="override")
        combined["period"].attrs.update(units="1", long_name="first calendar year of the investment period")
        combined.to_netcdf(staging / "results.nc")
        record = {
            **run_record(scenario, scenario_file, sorted(files)),
            "pathway": {"mode": scenario.pathway.mode, "objective_present_value": solution.objective,
                        "periods": solution.periods.to_dict(orient="records")},
            "timings_s": {key: round(value, 4) for key, value in solution.timings.items()},
        }
        (staging / "run.json").write_text(json.dumps(record, indent=2, default=float), encoding="utf-8")
