"""Two-stage stochastic planning over named futures (``futures:``), with EV, EEV, WS, EVPI and VSS.

The problem (the extensive form, "RP", the recourse problem)
------------------------------------------------------------
For futures f ∈ F with probabilities p_f, each future's inputs are loaded with the ordinary loader
from the scenario with that future's overrides (:func:`future_scenario`), and each future's model is
built by the ordinary build path (:func:`planning.optimization.build.build_model`, every block
unchanged) as a sub-block ``future_<i>`` of one Pyomo model. The investment (first-stage) variables
of every future — :data:`FIRST_STAGE_VARIABLES` — are tied to the first future's by
non-anticipativity rows, x_f = x_1 (HiGHS' presolve removes them); everything indexed by snapshot
(dispatch, commitment, storage, flows, the data-center schedule, ...) is per future (second stage).
The objective is that of :mod:`planning.optimization.blocks.risk`:

    min (1 − λ)·Σ_f p_f·cost_f + λ·CVaR_α(cost_f),   cost_f = investment + fixed O&M + operating cost of f

**Why sub-models and not futures stacked on the snapshot axis** (DESIGN §9 "index, do not
copy"): fuel prices, CO2 price and cap, start-up and no-load costs are per-plant numbers or
attributes in the inputs, not per-snapshot series; stacking would need every block that reads them
(dispatch, storage, commitment, policy) and every time coupling (storage cycles, operating cycles,
representative periods and their calendar linking) to learn about futures. As sub-models every
block, every time coupling, every CO2 cap (which then holds **in every future**, not in
expectation) and representative periods (each future clustered on its own data) are correct by
construction, and each future's cost is its own objective expression, which CVaR needs. The
price is one copy of the first-stage columns per future, which presolve removes.

Per-future results
------------------
Each future's results are collected by the ordinary :func:`planning.optimization.results.collect_results`
from its sub-model, with its duals divided by q_f, the future's risk-adjusted probability (the dual of
its ``future_cost_definition`` row; q_f = p_f when λ = 0): prices are then currency/MWh **in that
future** (balance dual / (w_t · q_f)). The marginal emission intensity is computed per future from one
basis sensitivity of the extensive form with the first stage fixed (:func:`future_marginals`): each
future's dispatch, and so its marginal unit, is its own.

Value of information (``stochastic.value_of_information``, re-solves)
---------------------------------------------------------------------
* **EV** — the expected-value problem: one future whose numbers are the probability-weighted means
  of the futures' inputs (demand, capacity factors, marginal, start-up and no-load costs, CO2
  price, data-center series and ratings; text such as a data center's flexibility mode from the
  most probable future; a CO2 cap the probability-weighted mean if every future has one);
* **EEV** — the EV problem's investments fixed, every future solved with them: the risk measure of
  those costs (the expected cost when λ = 0);
* **WS** — wait-and-see: every future solved alone (its own investments): the risk measure of those costs;
* **EVPI = RP − WS** (≥ 0: what perfect foresight would be worth) and **VSS = EEV − RP** (≥ 0: what
  planning for the futures, rather than for their average, saves).

"The risk measure" is (1 − λ)·E + λ·CVaR_α of the futures' total costs, the RP's own objective,
so that EVPI and VSS compare like with like. The re-solves are independent tasks run by
:func:`run_tasks` on the shared executor (:mod:`planning.parallel`; serial unless one is open).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr
from pydantic import ValidationError

from planning.config.scenario import Scenario
from planning.errors import ScenarioError, SolveError
from planning.optimization.blocks import risk

#: Variables without a snapshot index: the investments shared by every future (first stage).
#: A block that adds an investment variable adds its name here (tests/workflows/test_stochastic.py
#: checks that every variable of a full model is either indexed by snapshot or named here or in
#: :data:`SECOND_STAGE_SCALARS`).
FIRST_STAGE_VARIABLES = ("new_mw", "retired_mw", "new_mwh", "retired_mwh", "new_line_mw", "new_units", "retired_units",
                         "site_it_mw", "site_flexible_contract_mw", "site_opened")
#: Variables without a snapshot index that are nevertheless per future (auxiliaries of second-stage rows).
SECOND_STAGE_SCALARS = ("firm_mw", "firm_capacity_mw", "co2_cap_slack_t", "soc_start_mwh", "soc_high_mwh", "soc_low_mwh", "soc_floor_mwh")

#: summary.csv rows of a stochastic run only (also shown on the terminal).
STOCHASTIC_METRICS = ("futures", "expected_cost", "cvar_cost", "stochastic_objective", "rp_cost", "ev_cost", "eev_cost", "ws_cost", "evpi", "vss")

#: Data-center series and ratings zeroed in a future where the site is not online.
_OFFLINE_ZERO = ("dc_baseline_mw", "dc_observed_flexible_mw", "dc_work_arrived", "dc_flexible_rating_mw", "dc_it_capacity_mw",
                 "dc_curtailable_credit_mw")


# ----------------------------------------------------------------------------------------------
# Scenarios and inputs of the futures
# ----------------------------------------------------------------------------------------------

def future_scenario(scenario: Scenario, name: str) -> Scenario:
    """The scenario as it is in future ``name``: the future's overrides merged over it, without ``futures:``.

    Raises
    ------
    ScenarioError
        The merged scenario's problems, each keyed ``futures.<name>: <key path>: ...``.
    """
    from planning.config.load import deep_merge, validate_scenario

    future = scenario.futures[name]
    raw = scenario.model_dump(mode="json", exclude={"futures"})
    override: dict = {}
    if future.fuels:
        override["fuels"] = {fuel: {"price_per_mmbtu": value.price_per_mmbtu} for fuel, value in future.fuels.items()}
    policy = future.policy.model_dump(mode="json", exclude_unset=True)
    if policy.get("co2_price_per_t", 0.0) is None:   # null is no price override (folders written before the resolved YAML kept unset keys out)
        del policy["co2_price_per_t"]
    if policy:
        override["policy"] = policy
    for zone, value in future.zones.items():
        demand = dict(raw["zones"][zone]["demand"]) if value.demand is None else value.demand.model_dump(mode="json")
        if value.demand_scale is not None:
            demand["scale"] = float(demand.get("scale", 1.0)) * value.demand_scale
        override.setdefault("zones", {})[zone] = {"demand": demand}
    for plant, value in future.plants.items():
        override.setdefault("plants", {})[plant] = {"profile": value.profile.model_dump(mode="json")}
    for site, value in future.datacenters.items():
        changes = {k: v for k, v in value.model_dump(mode="json", exclude_unset=True, exclude={"online"}).items() if v is not None}
        if changes:
            override.setdefault("datacenters", {})[site] = changes
    raw = deep_merge(raw, override)
    raw["stochastic"] = {}
    try:
        return validate_scenario(raw, source=f"futures.{name}")
    except ScenarioError as error:
        raise ScenarioError([f"futures.{name}: {p}" for p in error.problems], title=f"invalid future '{name}'") from None


def future_inputs(scenario: Scenario, name: str | None, aggregate: bool = True) -> xr.Dataset:
    """The inputs of future ``name`` (``None``: the scenario itself), read by the ordinary loader; a data center
    that is not ``online`` in the future draws nothing (its series and ratings are 0, its flexibility 'inflexible')."""
    from planning.io.inputs import load_inputs
    from planning.timeseries.aggregate import aggregate_inputs

    own = scenario if name is None else future_scenario(scenario, name)
    inputs = load_inputs(own, aggregate=False)
    if name is not None:
        offline = [site for site, value in scenario.futures[name].datacenters.items() if not value.online]
        if offline:
            inputs = inputs.copy(deep=True)
            for site in offline:
                for variable in _OFFLINE_ZERO:
                    if variable in inputs:
                        inputs[variable].loc[{"datacenter": site}] = 0.0
                inputs["dc_flexibility"].loc[{"datacenter": site}] = "inflexible"
    if aggregate and own.horizon.representative_periods is not None:
        inputs = aggregate_inputs(inputs, own.horizon.representative_periods)
    return inputs


def require_one_future(scenario: Scenario, what: str) -> None:
    """Refuse a scenario with ``futures:`` in a workflow that solves one future (loop, stress, headroom), rather than
    silently solving the scenario without its futures."""
    if scenario.futures:
        raise ScenarioError([f"futures: {what} solves one future; remove futures: (or pick one with its overrides "
                             f"written into the scenario), or use `planning run` for the stochastic plan"], title="invalid scenario")


def load_futures(scenario: Scenario) -> tuple[dict[str, Scenario], dict[str, xr.Dataset], list[str]]:
    """Every future's scenario and chronological inputs, and every problem found on the way (each keyed
    ``futures.<name>: ...``), so that all futures' problems are reported at once (``planning validate`` too).
    The loader's warnings (``planning.inputs``, e.g. hours filled at a file's edge) are logged once each, not once
    per future: as they are when every future gives them, else keyed by the futures that do (``futures.<name>: ...``)."""
    from planning.errors import PlanningError
    from planning.logging import held_records, log_once

    scenarios, inputs, problems, held = {}, {}, [], {}
    for name in scenario.futures:
        with held_records("inputs") as held[f"futures.{name}"]:
            try:
                scenarios[name] = future_scenario(scenario, name)
                inputs[name] = future_inputs(scenario, name, aggregate=False)
            except ScenarioError as error:
                problems += [p if p.startswith("futures.") else f"futures.{name}: {p}" for p in error.problems]
            except PlanningError as error:
                problems += [f"futures.{name}: {p}" for p in error.problems]
    log_once(held)
    return scenarios, inputs, problems


def load_scenario_and_futures(scenario: Scenario) -> tuple[xr.Dataset | None, list[str]]:
    """``planning validate`` of a scenario with ``futures:``: the scenario's own chronological inputs (None when its data
    has problems) and every problem of its own data files and of every future's (:func:`load_futures`), together.

    A future's problem that is the scenario's own (data the future inherits, e.g. a demand column it does not override)
    is reported once, under the scenario's key, not again as ``futures.<name>: ...``. The scenario's own load holds back
    its warnings: the futures' loads give what a run reads, once each."""
    from planning.errors import PlanningError
    from planning.io.inputs import load_inputs
    from planning.logging import held_records

    inputs, own = None, []
    with held_records("inputs"):
        try:
            inputs = load_inputs(scenario)
        except PlanningError as error:
            own = list(error.problems)
    inherited = {f"futures.{name}: {problem}" for name in scenario.futures for problem in own}
    return inputs, [*own, *(problem for problem in load_futures(scenario)[2] if problem not in inherited)]


def expected_value_inputs(inputs_by_future: dict[str, xr.Dataset], probability: dict[str, float]) -> xr.Dataset:
    """The EV problem's inputs: every number the futures disagree on replaced by its probability-weighted mean;
    text (and integers) from the most probable future; the CO2 price averaged, a CO2 cap averaged when every
    future has one (no cap when any has none)."""
    names = list(inputs_by_future)
    likeliest = max(names, key=lambda f: probability[f])
    out = inputs_by_future[likeliest].copy(deep=True)
    for variable in out.data_vars:
        arrays = [inputs_by_future[f][variable] for f in names]
        if any(a.shape != arrays[0].shape for a in arrays) or out[variable].dtype.kind not in "f":
            continue
        if all(np.array_equal(a.values, arrays[0].values, equal_nan=True) for a in arrays[1:]):
            continue
        out[variable] = sum(probability[f] * inputs_by_future[f][variable] for f in names)
    prices = [float(inputs_by_future[f].attrs["co2_price_per_t"]) for f in names]
    out.attrs["co2_price_per_t"] = float(sum(probability[f] * p for f, p in zip(names, prices)))
    caps = [float(inputs_by_future[f].attrs["co2_cap_t"]) for f in names]
    out.attrs["co2_cap_t"] = float(sum(probability[f] * c for f, c in zip(names, caps))) if not any(math.isnan(c) for c in caps) else float("nan")
    return out


# ----------------------------------------------------------------------------------------------
# The extensive form
# ----------------------------------------------------------------------------------------------

@dataclass
class Extensive:
    """The built extensive form: the parent model, each future's built sub-model, probabilities."""

    model: pyo.ConcreteModel
    built: dict  # future name -> BuiltModel
    probability: dict[str, float]
    build_s: float


def first_stage_values(model: pyo.Block) -> dict[str, dict]:
    """The first-stage variables' values of one (sub-)model: name → {index: value}."""
    out = {}
    for name in FIRST_STAGE_VARIABLES:
        component = getattr(model, name, None)
        if isinstance(component, pyo.Var):
            out[name] = {index: (component[index].value or 0.0) for index in component}
    return out


def fix_first_stage(model: pyo.Block, values: dict[str, dict]) -> None:
    """Fix the first-stage variables of ``model`` at ``values`` (integers rounded)."""
    for name, by_index in values.items():
        component = getattr(model, name)
        for index, value in by_index.items():
            var = component[index]
            var.fix(round(value) if var.is_integer() else min(max(value, var.lb if var.lb is not None else value),
                                                                   var.ub if var.ub is not None else value))


def build_extensive(inputs_by_future: dict[str, xr.Dataset], probability: dict[str, float], cvar_alpha: float = 0.9,
                    cvar_weight: float = 0.0, investments: dict[str, dict] | None = None) -> Extensive:
    """Build the extensive form (see the module docstring); ``investments`` fixes the first stage."""
    from planning.optimization.build import build_model, paused_gc

    start = time.perf_counter()
    parent = pyo.ConcreteModel(name="stochastic")
    built = {}
    with paused_gc():
        for i, (name, inputs) in enumerate(inputs_by_future.items()):
            one = build_model(inputs)
            one.model.total_cost.deactivate()
            parent.add_component(f"future_{i}", one.model)
            built[name] = one
        names = list(built)
        first = built[names[0]].model
        pairs = []
        for var_name in FIRST_STAGE_VARIABLES:
            component = getattr(first, var_name, None)
            if isinstance(component, pyo.Var):
                pairs += [(var_name, index) for index in component]
        parent.NONANTICIPATIVITY = pyo.Set(initialize=range(len(pairs) * (len(names) - 1)))

        def tie(m, k):
            var_name, index = pairs[k % len(pairs)]
            other = built[names[1 + k // len(pairs)]].model
            return getattr(other, var_name)[index] == getattr(first, var_name)[index]

        parent.nonanticipativity = pyo.Constraint(parent.NONANTICIPATIVITY, rule=tie)
        if investments is not None:
            for one in built.values():
                fix_first_stage(one.model, investments)
        risk.add(parent, {name: one.model.total_cost.expr for name, one in built.items()}, probability, cvar_alpha, cvar_weight)
    return Extensive(model=parent, built=built, probability=probability, build_s=time.perf_counter() - start)


def future_solve_view(extensive: Extensive, solved, name: str):
    """The SolveResult as future ``name`` sees it: duals divided by its risk-adjusted probability q_f, its own cost
    as the objective, no basis (a basis sensitivity of the whole extensive form is not one future's)."""
    q = risk_adjusted_probability(extensive, solved)[name]
    duals = {key: value / q for key, value in solved.duals.items()} if q > 0 else {key: float("nan") for key in solved.duals}
    cost = float(pyo.value(extensive.model.future_cost[name]))
    return dataclasses.replace(solved, duals=duals, objective=cost, dual_bound=float("nan") if solved.is_mip else cost,
                               highs=None, columns=[], rows=[], col_cost=None)


def risk_adjusted_probability(extensive: Extensive, solved) -> dict[str, float]:
    """q_f = |dual of future_cost_definition[f]| (= p_f when λ = 0); p_f when no duals are available."""
    out = {}
    for name, p in extensive.probability.items():
        dual = solved.dual(extensive.model.future_cost_definition[name])
        out[name] = abs(dual) if dual == dual else p
    return out


# ----------------------------------------------------------------------------------------------
# Solving: RP, and the value of information
# ----------------------------------------------------------------------------------------------

@dataclass
class StochasticSolution:
    """The solved recourse problem and, when asked, EV, EEV, WS, EVPI and VSS."""

    results_by_future: dict[str, xr.Dataset]
    solved: object
    extensive: Extensive
    cost_by_future: dict[str, float]
    objective: float
    timings: dict[str, float]
    information: pd.DataFrame | None = None
    information_by_future: pd.DataFrame | None = None
    scenarios: dict[str, Scenario] = field(default_factory=dict)


def risk_measure(costs: dict[str, float], probability: dict[str, float], alpha: float, weight: float) -> float:
    """(1 − λ)·E[cost] + λ·CVaR_α(cost), computed directly from the futures' costs."""
    if any(not math.isfinite(c) for c in costs.values()):
        return float("inf")
    expected = sum(probability[f] * costs[f] for f in costs)
    return expected if weight == 0 else (1 - weight) * expected + weight * risk.cvar_of(costs, probability, alpha)


def solve_single(inputs: xr.Dataset, solver, investments: dict[str, dict] | None = None) -> tuple[float, dict[str, dict], str]:
    """One model (one future, or the EV problem) built and solved, optionally with the first stage fixed:
    (total cost, first-stage values, HiGHS status); the cost is inf without a solution. A task of :func:`run_tasks`."""
    from planning.optimization.build import build_model
    from planning.optimization.solve import solve_model

    built = build_model(inputs)
    if investments is not None:
        fix_first_stage(built.model, investments)
    solved = solve_model(built.model, solver)
    if not solved.has_solution:
        return float("inf"), {}, solved.status
    return float(solved.objective), first_stage_values(built.model), solved.status


def run_tasks(function: Callable, tasks: list[tuple]) -> list:
    """Run independent tasks ``function(*task)``, in order, on the shared executor (:func:`planning.parallel.executor_for`:
    the one a ``planning run --scheduler/--workers`` or a sweep opened, else serially in this process)."""
    from planning.parallel import executor_for

    with executor_for() as executor:
        return executor.map(_star, [(function, task) for task in tasks])


def _star(item: tuple) -> object:
    """``function(*arguments)`` of a task (module level, so that Dask pickles it by reference)."""
    function, arguments = item
    return function(*arguments)


def solve_stochastic(scenario: Scenario, log_file: Path | None = None, verbose: bool = False,
                     step: Callable[[str], None] = lambda message: None,
                     loaded: tuple[dict[str, Scenario], dict[str, xr.Dataset]] | None = None) -> StochasticSolution:
    """Solve the recourse problem of ``scenario.futures`` and, with ``stochastic.value_of_information``, EV/EEV/WS.

    ``loaded``: the futures' scenarios and chronological inputs (:func:`load_futures`), when already read.
    """
    from planning.optimization.results import collect_results
    from planning.optimization.solve import solve_model
    from planning.workflows.run import diagnose

    settings = scenario.stochastic
    names = list(scenario.futures)
    probability = {name: scenario.futures[name].probability for name in names}
    timings: dict[str, float] = {}
    start = time.perf_counter()
    step(f"reading the inputs of {len(names)} futures")
    scenarios, chronological, problems = load_futures(scenario) if loaded is None else (*loaded, [])
    if problems:
        raise ScenarioError(problems, title="invalid futures")
    periods = scenario.horizon.representative_periods
    if periods is not None:
        from planning.timeseries.aggregate import aggregate_inputs

        inputs = {name: aggregate_inputs(chronological[name], periods) for name in names}
    else:
        inputs = chronological
    timings["inputs_s"] = time.perf_counter() - start

    step("building the stochastic model")
    extensive = build_extensive(inputs, probability, settings.cvar_alpha, settings.cvar_weight)
    timings["build_s"] = extensive.build_s
    step("solving with HiGHS")
    solved = solve_model(extensive.model, scenario.solver, log_file=log_file, verbose=verbose)
    timings["translate_s"] = solved.translate_s
    timings["solve_s"] = solved.solve_s
    if not solved.has_solution:
        details = []
        for name in names:
            details += [f"future '{name}': {p}" for p in diagnose(scenarios[name], inputs[name], solved)]
        raise SolveError(details, title=f"no solution of the stochastic problem: HiGHS says '{solved.status}'")
    start = time.perf_counter()
    results, costs = {}, {}
    for name, one in extensive.built.items():
        view = future_solve_view(extensive, solved, name)
        results[name] = collect_results(one.ctx, view)
        results[name].attrs.update(rows=solved.num_rows, columns=solved.num_cols, future=name, probability=probability[name])
        # A future's cost excludes its tie-breaks (objective terms, not costs: see build._add_objective).
        costs[name] = float(pyo.value(extensive.model.future_cost[name])) - sum(float(pyo.value(t)) for t in one.ctx.extras.get("tie_breaks", []))
    timings["results_s"] = time.perf_counter() - start
    solution = StochasticSolution(results_by_future=results, solved=solved, extensive=extensive, cost_by_future=costs,
                                  objective=float(pyo.value(extensive.model.objective)), timings=timings, scenarios=scenarios)
    if settings.value_of_information:
        start = time.perf_counter()
        step(f"value of information: EV, then {2 * len(names)} re-solves (EEV, WS)")
        solution.information, solution.information_by_future = value_of_information(
            scenario, chronological, inputs, probability, solution)
        timings["value_of_information_s"] = time.perf_counter() - start
    return solution


def value_of_information(scenario: Scenario, chronological: dict[str, xr.Dataset], inputs: dict[str, xr.Dataset],
                         probability: dict[str, float], solution: StochasticSolution) -> tuple[pd.DataFrame, pd.DataFrame]:
    """EV, EEV, WS, EVPI, VSS (metric, value, unit) and each future's EEV and WS cost (future, probability, rp, eev, ws)."""
    settings, solver = scenario.stochastic, scenario.solver
    names = list(inputs)
    ev_inputs = expected_value_inputs(chronological, probability)
    if scenario.horizon.representative_periods is not None:
        from planning.timeseries.aggregate import aggregate_inputs

        ev_inputs = aggregate_inputs(ev_inputs, scenario.horizon.representative_periods)
    ev_cost, ev_investments, ev_status = solve_single(ev_inputs, solver)
    if not ev_investments:
        raise SolveError([f"the expected-value problem has no solution (HiGHS: '{ev_status}'); set stochastic.value_of_information: false"],
                         title="value of information")
    outcomes = run_tasks(solve_single, [(inputs[f], solver, ev_investments) for f in names] + [(inputs[f], solver, None) for f in names])
    eev = {f: outcomes[i][0] for i, f in enumerate(names)}
    ws = {f: outcomes[len(names) + i][0] for i, f in enumerate(names)}
    measure = lambda costs: risk_measure(costs, probability, settings.cvar_alpha, settings.cvar_weight)  # noqa: E731
    rp, eev_value, ws_value = solution.objective, measure(eev), measure(ws)
    unit = _cost_unit(solution)
    table = pd.DataFrame([
        ("rp_cost", rp, unit),
        ("ev_cost", ev_cost, unit),
        ("eev_cost", eev_value, unit),
        ("ws_cost", ws_value, unit),
        ("evpi", rp - ws_value, unit),
        ("vss", eev_value - rp, unit),
    ], columns=["metric", "value", "unit"])
    by_future = pd.DataFrame({"future": names, "probability": [probability[f] for f in names],
                              "rp_cost": [solution.cost_by_future[f] for f in names],
                              "eev_cost": [eev[f] for f in names], "ws_cost": [ws[f] for f in names]})
    return table, by_future


def _cost_unit(solution: StochasticSolution) -> str:
    from planning.metrics.summary import cost_units

    first = next(iter(solution.results_by_future.values()))
    return cost_units(first.attrs.get("currency") or "currency", first["weight_h"])["total"]


# ----------------------------------------------------------------------------------------------
# planning run of a scenario with futures: the results folder
# ----------------------------------------------------------------------------------------------

def expected_summary(summaries: dict[str, pd.DataFrame], probability: dict[str, float]) -> pd.DataFrame:
    """summary.csv's rows of a stochastic run: each metric's probability-weighted mean over the futures (NaN where a
    future lacks it), in the first future's unit and order."""
    names = list(summaries)
    first = summaries[names[0]]
    values = pd.concat([summaries[f].drop_duplicates("metric").set_index("metric")["value"].rename(f) for f in names], axis=1)
    mean = sum(probability[f] * values[f] for f in names)
    out = first.drop_duplicates("metric").copy()
    out["value"] = out["metric"].map(mean).astype(float)
    return out.reset_index(drop=True)


def stochastic_rows(solution: StochasticSolution, scenario: Scenario) -> pd.DataFrame:
    """The rows only a stochastic run has: futures, expected cost, CVaR of the futures' costs, the objective, and
    with ``value_of_information`` rp/ev/eev/ws cost, EVPI and VSS."""
    settings = scenario.stochastic
    probability = solution.extensive.probability
    unit = _cost_unit(solution)
    costs = solution.cost_by_future
    rows = pd.DataFrame([
        ("futures", float(len(costs)), "count"),
        ("expected_cost", sum(probability[f] * costs[f] for f in costs), unit),
        ("cvar_cost", risk.cvar_of(costs, probability, settings.cvar_alpha), f"{unit}, CVaR at alpha {settings.cvar_alpha:g}"),
        ("stochastic_objective", solution.objective, unit),
    ], columns=["metric", "value", "unit"])
    if solution.information is not None:
        rows = pd.concat([rows, solution.information], ignore_index=True)
    return rows


def future_marginals(scenario: Scenario, solution: StochasticSolution) -> dict[str, object]:
    """Each future's marginal emission intensity and dispatch prices (a MarginalResult), from one basis sensitivity of
    the extensive form with the first stage fixed (:func:`planning.metrics.carbon.marginal_intensities`): the cost
    columns ``future_cost``, ``cvar_eta``, ``cvar_excess`` stay free — fixed, they would pin each future's cost (a
    test shows the wrong figures then); prices divided by q_f. Text (the reason) per future when not computed."""
    from planning.metrics.carbon import marginal_factors, marginal_intensities, model_direct_factors, plant_factors

    names = list(solution.extensive.built)
    if scenario.carbon.marginal != "basis":
        return {name: "not computed (carbon.marginal: none)" for name in names}
    if getattr(solution.solved, "highs", None) is None:
        return {name: "not computed: no solver basis available" for name in names}
    q = risk_adjusted_probability(solution.extensive, solution.solved)
    by_block = {}
    for i, name in enumerate(names):
        own, results = solution.scenarios[name], solution.results_by_future[name]
        factors = plant_factors(results, own.carbon, model_direct_factors(own))
        by_block[f"future_{i}"] = (results, marginal_factors(factors), q[name])
    try:
        found = marginal_intensities(solution.solved, by_block, free_components=("future_cost", "cvar_eta", "cvar_excess"))
    except Exception as error:  # noqa: BLE001 - reported in the outputs, the run goes on
        return {name: f"not computed: {error}" for name in names}
    return {name: found[f"future_{i}"] for i, name in enumerate(names)}


def run_stochastic(scenario: Scenario, out_dir: Path, scenario_file: Path | None = None, verbose: bool = False,
                   step: Callable[[str], None] = lambda message: None, twins: bool = False):
    """``planning run`` of a scenario with ``futures:``: solve (:func:`solve_stochastic`) and write the results folder.

    Files: as a one-future run, with a leading ``future`` column in every table that varies by future
    (dispatch, balance, storage, flows, commitment, datacenter, carbon, statistics, ...); capacity.csv and
    transmission.csv once (the shared investments); summary.csv the probability-weighted mean of every
    future's figure plus ``futures``, ``expected_cost``, ``cvar_cost``, ``stochastic_objective`` and
    ``rp_cost``, ``ev_cost``, ``eev_cost``, ``ws_cost``, ``evpi``, ``vss``; summary_futures.csv each
    future's summary (future, metric, value, unit); futures.csv per future its probability, risk-adjusted
    probability and RP, EEV and WS cost; results.nc with a ``future`` dimension (names in ``future_name``).
    """
    import json

    from planning.io.writers import atomic_folder, future_tables, netcdf_ready, stack_futures, statistics_dataset, tidy_tables
    from planning.io.writers import CARBON_NAMES, CARBON_SUFFIXES
    from planning.metrics.carbon import carbon_outputs
    from planning.metrics.statistics import statistics_table
    from planning.metrics.summary import summary_facts, summary_table
    from planning.workflows.run import RunOutcome, results_input_files, run_record, write_run_files

    wall = time.perf_counter()
    with atomic_folder(out_dir) as staging:
        solution = solve_stochastic(scenario, log_file=staging / "solver.log", verbose=verbose, step=step)
        step("writing results")
        probability = solution.extensive.probability
        tables_by_future, summaries, datasets, facts = {}, {}, {}, {}
        marginals = future_marginals(scenario, solution)
        for name, results in solution.results_by_future.items():
            own = solution.scenarios[name]
            summary = summary_table(results, {})
            carbon_rows, carbon_tables, carbon_metrics = carbon_outputs(own, results, None, marginal=marginals[name])
            summaries[name] = pd.concat([summary, carbon_rows], ignore_index=True)
            statistics = statistics_table(results, own)
            tables_by_future[name] = {**tidy_tables(results), **carbon_tables, "statistics": statistics}
            carbon_vars = {n: carbon_metrics[n].transpose("zone", "snapshot") for n in carbon_metrics.data_vars
                           if (str(n).endswith(CARBON_SUFFIXES) or n in CARBON_NAMES) and n not in results}
            datasets[name] = results.assign(carbon_vars).merge(statistics_dataset(statistics))
            facts = facts or summary_facts(results, carbon_metrics)
        tables = future_tables(tables_by_future)
        summary = expected_summary(summaries, probability)
        summary = summary[~summary["metric"].isin(["objective", *solution.timings])]
        summary = pd.concat([summary, stochastic_rows(solution, scenario),
                             pd.DataFrame([(k, round(float(v), 4), "s") for k, v in solution.timings.items()], columns=["metric", "value", "unit"])],
                            ignore_index=True)
        summary.loc[summary["metric"] == "mip_gap", "value"] = float(solution.solved.mip_gap)
        tables = {"summary": summary, **tables}
        tables["summary_futures"] = pd.concat([s.assign(future=f)[["future", "metric", "value", "unit"]] for f, s in summaries.items()],
                                              ignore_index=True)
        q = risk_adjusted_probability(solution.extensive, solution.solved)
        futures = pd.DataFrame({"future": list(probability), "probability": list(probability.values()),
                                "risk_adjusted_probability": [q[f] for f in probability],
                                "rp_cost": [solution.cost_by_future[f] for f in probability]})
        if solution.information_by_future is not None:
            futures = futures.merge(solution.information_by_future.drop(columns=["probability", "rp_cost"]), on="future")
        tables["futures"] = futures
        results = stack_futures(datasets)
        results["future_probability"] = xr.DataArray(list(probability.values()), coords={"future": list(probability)}, dims="future")
        results.attrs.update(objective=solution.objective, solver_status=solution.solved.status, mip_gap=solution.solved.mip_gap)
        if twins and scenario.datacenters:
            tables["value_of_flexibility"] = _twins_table(scenario, step)
        scenario_yaml = write_run_files(staging, scenario, tables)
        netcdf_ready(results, {"scenario_yaml": scenario_yaml}).to_netcdf(staging / "results.nc")
        solved = solution.solved
        files = set(results_input_files(scenario))
        for own in solution.scenarios.values():
            files |= set(results_input_files(own))
        record = {
            **run_record(scenario, scenario_file, sorted(files)),
            "timings_s": {key: round(value, 4) for key, value in solution.timings.items()},
            "wall_s": round(time.perf_counter() - wall, 4),
            "solver": {"status": solved.status, "objective": solution.objective, "dual_bound": solved.dual_bound, "mip_gap": solved.mip_gap,
                       "rows": solved.num_rows, "columns": solved.num_cols, "log": "solver.log", "prices_from": solved.duals_from},
            "futures": {f: {"probability": probability[f], "risk_adjusted_probability": q[f]} for f in probability},
            "summary_facts": facts,
        }
        (staging / "run.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return RunOutcome(results=results, summary=summary, tables=tables, out_dir=Path(out_dir).resolve(), solved=solved, facts=facts)


def _twins_table(scenario: Scenario, step: Callable[[str], None]) -> pd.DataFrame:
    """value_of_flexibility.csv of a stochastic run: each twin (every data center, in every future, set to the twin's
    flexibility) solved as a stochastic plan; its expected figures (summary.csv's) compared."""
    from planning.metrics.summary import summary_table
    from planning.workflows.twins import TWINS, comparison_row, twin_scenario

    rows = []
    for twin in TWINS:
        step(f"solving the data-center twin '{twin}' over the futures")
        base = twin_scenario(scenario, twin)
        futures = {name: future.model_copy(update={"datacenters": {site: value.model_copy(update={"flexibility": None})
                                                                   for site, value in future.datacenters.items()}})
                   for name, future in base.futures.items()}
        twin_plan = base.model_copy(update={"futures": futures, "stochastic": base.stochastic.model_copy(update={"value_of_information": False})})
        solution = solve_stochastic(twin_plan)
        summaries = {name: summary_table(results, {}) for name, results in solution.results_by_future.items()}
        summary = expected_summary(summaries, solution.extensive.probability)
        rows.append(comparison_row(twin, next(iter(solution.results_by_future.values())), summary))
    table = pd.DataFrame(rows)
    table["saving_vs_inflexible"] = table.loc[table.twin == "inflexible", "total_cost"].iloc[0] - table["total_cost"]
    return table
