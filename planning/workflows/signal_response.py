"""``planning loop``: the grid publishes an hourly signal, the data centers re-schedule, repeat (architecture i).

Capacities are fixed (from a planning run's capacity.csv / transmission.csv, or the scenario's
existing capacity with no new build or retirement). Each round k:

1. **Grid.** The full model (dispatch, unit commitment, storage, reserves, transmission) is solved
   with every responsive data center's IT schedule x_k fixed (its block in ``inflexible`` mode with
   the schedule as its load). Round 0 uses the as-arrived schedule (the work runs as it arrives).
2. **Signal** of the data center's zone, per hour: ``price`` (balance dual, currency/MWh),
   ``average`` / ``consumption`` / ``marginal`` carbon intensity (g/kWh, :mod:`planning.metrics.carbon`),
   or ``blend`` = w·price/mean(price) + (1 − w)·I/mean(I). Under stress (:mod:`planning.workflows.stress`)
   the signal may be the stability signal (reserve headroom) instead.
3. **Response.** The data center solves its own re-scheduling problem with the *same* learned
   constraints as in the planning model — the datacenter block is reused, not duplicated
   (throughput ≤ learned curve of flexible power, backlog balance, delay limit, ramps, fitted range):

       F_k(s) = Σ_t w_t·σ_{z(d),t}·PUE_{d,t}·(B_{d,t} + s_{d,t}),    ŝ_k ∈ argmin_{s ∈ X} F_k(s)

   lexicographically: among the minimisers, the one closest to x_k (min Σ_t w_t·|s_t − x_{k,t}|),
   so that where the signal is flat the data center stays where it is.
4. **Damping** (``operations.loop.damping``): x_{k+1} = x_k + α_k·(ŝ_k − x_k) applied to the whole
   schedule (flexible power, work done and backlog, so x_{k+1} stays feasible for a concave curve:
   the feasible set X is convex). With a non-concave card (binaries) X is not convex and a convex
   combination can leave it: the damped schedule is then replaced by the closest schedule of X
   (min Σ_t w_t·|s_t − x_t|, the response problem without a signal), so every round's cost is that of
   a schedule the data center can run. ``none``: α = 1 (pure best response; it oscillates when the
   data center is large enough to move the signal); ``fixed``: α = step; ``diminishing`` (default):
   α_k = step·2/(k + 2), the step of Frank–Wolfe / the method of successive averages.
5. **Gap and stop.** The response gap g_k = F_k(x_k) − F_k(ŝ_k) ≥ 0 (0 iff x_k is a best response
   to its own signal). For the **price** signal on an LP grid it certifies: the grid's cost C(x)
   given the schedule (the data center has no cost of its own in the model) is convex (the value
   function of an LP in its right-hand side), and the balance duals × PUE × w_t are a subgradient
   of it (∂C/∂x_t = dual_t·PUE_t; with degenerate duals HiGHS returns *a* subgradient, which is all
   the argument needs), so C(x*) ≥ C(x_k) + ∇C(x_k)·(x* − x_k) ≥ C(x_k) − g_k for the integrated
   optimum x*. Hence LB_k = max_{j≤k} (C(x_j) − g_j) ≤ C*, and the certified gap
   C(x_best) − LB_k ≥ C(x_best) − C* of the cheapest round so far. The loop stops, **converged**,
   when (C(x_best) − LB_k)/C(x_best) ≤ ``gap_tolerance_fraction`` — a fixed point (g_k = 0) of the
   price loop is an integrated optimum — and otherwise after ``max_iterations`` rounds, not
   converged; a shrinking step is never taken for convergence. At a kink of C (a single optimal
   schedule, the usual case for a dispatch LP) g_k need not vanish near x*: the loop then reports
   its best round with an honest, possibly wide, gap (tests/workflows/test_signal_response.py,
   ``single_point_case``). With a non-concave card the response is a MILP; its dual bound is used,
   so g_k stays an upper bound. **Integer unit commitment**: C is not convex (and the prices come
   from the fixed-commitment LP), so no bound on cost − integrated optimum follows: a warning is
   logged, ``lower_bound`` is NaN, ``gap_bounds`` says so in loop_comparison.csv, and converged
   means g_k/C(x_k) ≤ tolerance (a fixed point of the price response only). **Other signals**
   (carbon, blend, stability, auto) are no gradient of any cost the grid minimises: converged
   means g_k/F^|σ|_k(x_k) ≤ tolerance (a fixed point of the signal, F^|σ| the |σ|-weighted energy),
   the reported round is the one with the smallest such relative gap, and the cost gap to the
   integrated optimum says what serving the carbon signal costs.

Outputs: loop.csv (the trace, one row per round: iteration, signal kind, total cost, system CO2,
data-center CO2 (location-based: average intensity × served facility energy), shifted MWh, max schedule
change, converged, step, response_gap_mw (max |ŝ_k − x_k|), unserved energy, stressed hours,
response_gap (g_k, signal units × MWh; currency for price), lower_bound, certified_gap,
relative_gap, reported (the round whose figures are reported), allocated_falls_system_rises (the
round's data-center CO2 is below round 0's while the system's CO2 is above it: see
:func:`planning.metrics.footprint.allocated_falls_system_rises`), in_learned_set (whether the data
centers can run the round's schedule under their learned constraints — the as-arrived round 0 need
not; only such rounds are reported)), loop_schedule.csv (the reported
round's schedules and signal), and loop_comparison.csv: the reported round against the integrated
optimum (architecture ii: the learned block inside the grid model, same fixed capacities and
horizon) — cost and emissions gap, the loop's lower bound and gap, what the gap bounds, and the
integrated model's own lower bound (its MIP dual bound with integer UC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from planning.config.scenario import Scenario
from planning.errors import ScenarioError, SolveError
from planning.io.writers import snapshot_labels
from planning.logging import get_logger
from planning.metrics.adequacy import adequacy_table, net_margin
from planning.metrics.footprint import allocated_falls_system_rises
from planning.optimization.blocks import datacenter as datacenter_block
from planning.optimization.build import build_model, paused_gc
from planning.optimization.context import ModelContext
from planning.optimization.results import collect_results
from planning.optimization.solve import SolveResult, solve_model

logger = get_logger("loop")

SIGNAL_KINDS = ("price", "average", "consumption", "marginal", "blend", "stability", "auto")
LOOP_COLUMNS = ["iteration", "signal", "total_cost", "co2_t", "datacenter_co2_t", "shifted_mwh", "max_schedule_change_mw",
                "converged", "step", "response_gap_mw", "unserved_energy_mwh", "stressed_hours",
                "response_gap", "lower_bound", "certified_gap", "relative_gap", "reported", "allocated_falls_system_rises",
                "in_learned_set"]


# --------------------------------------------------------------------------------------------
# Fixed capacities
# --------------------------------------------------------------------------------------------

def read_capacities(results_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """capacity.csv (and transmission.csv if present) of a planning run."""
    results_dir = Path(results_dir)
    path = results_dir / "capacity.csv"
    if not path.is_file():
        raise ScenarioError([f"--capacities: {path} not found; pass the results folder of `planning run`"], title="invalid capacities")
    lines = results_dir / "transmission.csv"
    return pd.read_csv(path), (pd.read_csv(lines) if lines.is_file() else None)


def fixed_capacity_inputs(inputs: xr.Dataset, capacity: pd.DataFrame | None = None, transmission: pd.DataFrame | None = None) -> xr.Dataset:
    """The inputs with every capacity fixed: no new build, no retirement.

    With ``capacity`` (capacity.csv of a planning run) each plant's existing MW (and MWh) become
    the run's ``total_mw`` (``energy_mwh``); with ``transmission`` each corridor's capability becomes
    its ``total_mw``. Without them the scenario's existing capacity is kept.
    """
    ds = inputs.copy(deep=True)
    problems = []
    if capacity is not None:
        table = capacity.set_index(["zone", "technology"])
        for i, (zone, tech) in enumerate(zip(ds["plant_zone"].values, ds["plant_technology"].values)):
            key = (str(zone), str(tech))
            if key not in table.index:
                problems.append(f"capacity.csv: no row for zone '{zone}', technology '{tech}' (plant '{ds['plant'].values[i]}')")
                continue
            row = table.loc[key]
            ds["existing_mw"].values[i] = float(row["total_mw"])
            if ds["plant_kind"].values[i] == "storage" and "energy_mwh" in row and np.isfinite(row["energy_mwh"]):
                ds["existing_mwh"].values[i] = float(row["energy_mwh"])
    if transmission is not None and ds.sizes.get("line", 0):
        table = transmission.set_index("line")
        for i, line in enumerate(ds["line"].values):
            if str(line) in table.index:
                ds["line_existing_mw"].values[i] = float(table.loc[str(line), "total_mw"])
            else:
                problems.append(f"transmission.csv: no row for line '{line}'")
    if problems:
        raise ScenarioError(problems, title="capacities do not match the scenario")
    ds["max_new_mw"] = xr.zeros_like(ds["max_new_mw"])
    ds["can_retire"] = xr.zeros_like(ds["can_retire"]).astype(bool)
    ds["max_new_mwh"] = xr.zeros_like(ds["max_new_mwh"])
    if ds.sizes.get("line", 0):
        ds["line_max_new_mw"] = xr.zeros_like(ds["line_max_new_mw"])
    return ds


# --------------------------------------------------------------------------------------------
# Schedules
# --------------------------------------------------------------------------------------------

@dataclass
class Schedule:
    """The responsive data centers' schedule: flexible power (MW), work done and backlog, (datacenter, snapshot)."""

    names: list[str]
    flexible_mw: np.ndarray
    work_done: np.ndarray
    backlog: np.ndarray

    def step_towards(self, other: "Schedule", alpha: float) -> "Schedule":
        mix = lambda a, b: a + alpha * (b - a)  # noqa: E731
        return Schedule(self.names, mix(self.flexible_mw, other.flexible_mw), mix(self.work_done, other.work_done), mix(self.backlog, other.backlog))


def responsive_datacenters(inputs: xr.Dataset) -> list[str]:
    """Data centers that re-schedule (flexibility learned or ideal)."""
    if "datacenter" not in inputs.dims:
        return []
    return [str(d) for d, mode in zip(inputs["datacenter"].values, inputs["dc_flexibility"].values) if str(mode) != "inflexible"]


def as_arrived_schedule(inputs: xr.Dataset) -> Schedule:
    """Round 0: the flexible work runs as it arrives (backlog 0)."""
    names = responsive_datacenters(inputs)
    observed = inputs["dc_observed_flexible_mw"].sel(datacenter=names).values.astype(float) if names else np.zeros((0, inputs.sizes["snapshot"]))
    arrived = inputs["dc_work_arrived"].sel(datacenter=names).values.astype(float) if names else observed.copy()
    return Schedule(names, observed.copy(), arrived.copy(), np.zeros_like(observed))


def grid_inputs(inputs: xr.Dataset, schedule: Schedule) -> xr.Dataset:
    """The inputs with each responsive data center's load fixed at ``schedule`` (block in inflexible mode)."""
    if not schedule.names:
        return inputs
    ds = inputs.copy()
    flexibility = ds["dc_flexibility"].values.copy()
    observed = ds["dc_observed_flexible_mw"].values.copy()
    names = [str(d) for d in ds["datacenter"].values]
    for i, name in enumerate(schedule.names):
        j = names.index(name)
        flexibility[j] = "inflexible"
        observed[j] = schedule.flexible_mw[i]
    ds["dc_flexibility"] = (("datacenter",), flexibility)
    ds["dc_observed_flexible_mw"] = (("datacenter", "snapshot"), observed, inputs["dc_observed_flexible_mw"].attrs)
    return ds


# --------------------------------------------------------------------------------------------
# The two problems of a round
# --------------------------------------------------------------------------------------------

@dataclass
class GridOutcome:
    """The grid's solution for one data-center schedule."""

    results: xr.Dataset
    solved: SolveResult
    metrics: xr.Dataset | None = None


def solve_grid(scenario: Scenario, inputs: xr.Dataset, schedule: Schedule | None = None, carbon: bool = True) -> GridOutcome:
    """Solve the grid with the data centers' load fixed at ``schedule`` (None = as in ``inputs``)."""
    from planning.metrics.carbon import scenario_carbon_metrics

    fixed = grid_inputs(inputs, schedule) if schedule is not None else inputs
    built = build_model(fixed)
    solved = solve_model(built.model, scenario.solver)
    if not solved.has_solution:
        raise SolveError([f"the grid model has no solution (HiGHS: '{solved.status}'); check that the fixed capacities can serve "
                          "the load, or allow unserved energy (reliability.allow_unserved_energy: true)"], title="grid solve failed")
    results = collect_results(built.ctx, solved)
    if "datacenter_as_arrived_it_mw" in results:
        # The block saw the schedule as its load; restore the true as-arrived schedule.
        results["datacenter_as_arrived_it_mw"] = inputs["dc_baseline_mw"] + inputs["dc_observed_flexible_mw"]
    if schedule is not None and schedule.names:
        results["work_done"].loc[{"datacenter": schedule.names}] = schedule.work_done
        results["backlog"].loc[{"datacenter": schedule.names}] = schedule.backlog
    metrics = scenario_carbon_metrics(scenario, results, solved) if carbon else None
    return GridOutcome(results, solved, metrics)


@dataclass
class BestResponse:
    """The data centers' best response to a signal and what it says about the current schedule.

    ``gap`` = F(x_k) − min_{s∈X} F(s) ≥ 0 with F(s) = Σ_{d,t} w_t·σ_{z(d),t}·PUE_{d,t}·(B_{d,t} + s_{d,t}) the
    signal-weighted facility energy (signal units × MWh; currency for the price signal) and X the
    learned feasible set; ``energy`` = Σ w_t·|σ|·PUE·(B + x_k) (same units, the scale of ``gap``).
    With a MILP response (a non-concave card) the minimum is HiGHS' dual bound, so ``gap`` stays an upper bound.
    """

    schedule: Schedule
    gap: float
    energy: float


def signal_weighted_energy(inputs: xr.Dataset, signal: np.ndarray, schedule: Schedule, absolute: bool = False) -> float:
    """F(x) = Σ_{d,t} w_t·σ_{z(d),t}·PUE_{d,t}·(B_{d,t} + x_{d,t}) over the responsive data centers (|σ| if ``absolute``)."""
    zones = [str(z) for z in inputs["zone"].values]
    weight = inputs["weight_h"].values.astype(float)
    sigma = np.nan_to_num(np.asarray(signal, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    total = 0.0
    for i, d in enumerate(schedule.names):
        zone = zones.index(str(inputs["dc_zone"].sel(datacenter=d).item()))
        s = np.abs(sigma[zone]) if absolute else sigma[zone]
        facility = inputs["dc_pue"].sel(datacenter=d).values * (inputs["dc_baseline_mw"].sel(datacenter=d).values + schedule.flexible_mw[i])
        total += float(np.sum(weight * s * facility))
    return total


def respond(inputs: xr.Dataset, signal: np.ndarray, current: Schedule, solver) -> Schedule:
    """The data centers' re-scheduling problem (see :func:`best_response`); the schedule only."""
    return best_response(inputs, signal, current, solver).schedule


def best_response(inputs: xr.Dataset, signal: np.ndarray, current: Schedule, solver) -> BestResponse:
    """The data centers' re-scheduling problem: minimise the signal-weighted facility energy F.

    ``signal`` is (zone, snapshot), in the inputs' zone order. Reuses
    :mod:`planning.optimization.blocks.datacenter` for every constraint of the learned surrogate.
    Lexicographic: (1) min F over the learned set X; (2) among the minimisers (F ≤ F* + 1e-9·max(1, |F*|)),
    the schedule closest to ``current`` (min Σ_t w_t·|s_t − x_t|): where the signal is flat the data
    center stays where it is instead of jumping to an arbitrary vertex of its LP.
    """
    if not current.names:
        return BestResponse(current, 0.0, 0.0)
    with paused_gc():
        ctx = ModelContext(model=pyo.ConcreteModel(name="datacenter_response"), inputs=inputs)
        datacenter_block.add(ctx)
        model = ctx.model
        zones = ctx.zones
        weight = ctx.weight_h
        T = ctx.snapshots
        terms = []
        for (zone, t), withdrawals in ctx.withdrawals.items():
            value = float(signal[zones.index(zone), t])
            if value and np.isfinite(value):
                terms.append(weight[t] * value * pyo.quicksum(withdrawals))
        model.RESPONSIVE = pyo.Set(initialize=current.names, ordered=True)
        model.move_up = pyo.Var(model.RESPONSIVE, T, bounds=(0.0, None))
        model.move_down = pyo.Var(model.RESPONSIVE, T, bounds=(0.0, None))
        index = {d: i for i, d in enumerate(current.names)}
        model.move = pyo.Constraint(model.RESPONSIVE, T, rule=lambda m, d, t: m.datacenter[d].flexible_mw[t] - float(current.flexible_mw[index[d], t])
                                    == m.move_up[d, t] - m.move_down[d, t])
        model.distance = pyo.Objective(expr=pyo.quicksum(weight[t] * (model.move_up[d, t] + model.move_down[d, t]) for d in current.names for t in T))
    block = model.datacenter
    read = lambda name: np.array([[pyo.value(getattr(block[d], name)[t]) for t in T] for d in current.names], dtype=float)  # noqa: E731
    gap = 0.0
    if terms:
        # Stage 1: min F.
        model.distance.deactivate()
        model.signal_cost_expr = pyo.Expression(expr=pyo.quicksum(terms))
        model.signal_cost = pyo.Objective(expr=model.signal_cost_expr, sense=pyo.minimize)
        solved = solve_model(model, solver)
        if not solved.has_solution:
            raise SolveError([f"the data center's re-scheduling problem has no solution (HiGHS: '{solved.status}')"], title="data-center response failed")
        best = Schedule(current.names, read("flexible_mw"), read("work_done"), read("backlog"))
        # min F at the optimum, less the MIP gap of a MILP response (HiGHS' dual bound, never the incumbent alone).
        slack = max(0.0, solved.objective - solved.dual_bound) if solved.is_mip else 0.0
        gap = max(0.0, signal_weighted_energy(inputs, signal, current) - (signal_weighted_energy(inputs, signal, best) - slack))
        level = float(pyo.value(model.signal_cost_expr))
        model.signal_cost.deactivate()
        model.optimal_signal = pyo.Constraint(expr=model.signal_cost_expr <= level + 1e-9 * max(1.0, abs(level)))
        model.distance.activate()
    # Stage 2: the minimiser closest to the current schedule.
    solved = solve_model(model, solver)
    if not solved.has_solution:
        raise SolveError([f"the data center's re-scheduling problem has no solution (HiGHS: '{solved.status}')"], title="data-center response failed")
    best = Schedule(current.names, read("flexible_mw"), read("work_done"), read("backlog"))
    return BestResponse(best, gap, signal_weighted_energy(inputs, signal, current, absolute=True))


def integrated_optimum(scenario: Scenario, inputs: xr.Dataset) -> GridOutcome:
    """Architecture (ii): the learned data-center block inside the grid model (same fixed capacities)."""
    return solve_grid(scenario, inputs, schedule=None)


# --------------------------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------------------------

def _normalised(values: np.ndarray) -> np.ndarray:
    mean = float(np.nanmean(np.abs(values))) if np.isfinite(values).any() else 0.0
    return values / mean if mean > 0 else np.zeros_like(values)


def carbon_signal(outcome: GridOutcome, kind: str) -> np.ndarray:
    """(zone, snapshot) intensity in g/kWh, never a silent 0.

    A zone without local generation carries its imported (consumption-based) intensity
    (:func:`planning.metrics.carbon.carbon_metrics`). Only a zone-hour without any supply (nothing
    is consumed there) is undefined: it gets the zone's highest intensity of the horizon (else the
    highest of any zone), so that no load is drawn to it; a warning says how many hours.
    """
    from planning.logging import get_logger

    values = outcome.metrics[f"{kind}_g_per_kwh"].transpose("zone", "snapshot").values.astype(float)
    finite = np.isfinite(values)
    if finite.all():
        return values
    top = float(values[finite].max()) if finite.any() else 0.0
    zone_top = np.array([row[np.isfinite(row)].max() if np.isfinite(row).any() else top for row in values])
    get_logger("loop").warning("%s intensity undefined in %d zone-hours without supply: the zone's highest intensity is used there",
                               kind, int((~finite).sum()))
    return np.where(finite, values, zone_top[:, None])


def stability_signal(outcome: GridOutcome, inputs: xr.Dataset) -> np.ndarray:
    """σ_{z,t} ∈ [0, 1]: (max m − m_t)/(max m − min m) of the net reserve margin m (1 = the tightest hour)."""
    margin = net_margin(outcome.results, inputs)
    finite = np.where(np.isfinite(margin), margin, np.nan)
    out = np.zeros_like(margin)
    for i in range(margin.shape[0]):
        row = finite[i]
        if not np.isfinite(row).any():
            continue
        top, bottom = np.nanmax(row), np.nanmin(row)
        out[i] = np.nan_to_num((top - row) / (top - bottom), nan=0.0) if top > bottom else 0.0
    return out


def grid_signal(kind: str, outcome: GridOutcome, inputs: xr.Dataset, settings, stress=None) -> tuple[np.ndarray, np.ndarray]:
    """The hourly signal (zone, snapshot) of a round and the stressed-hour flags (zone, snapshot).

    Kinds: price, average, consumption, marginal, blend (see the module docstring); ``stability``
    = σ (stress: stability_first); ``auto`` = the carbon signal scaled to [0, 1] (I/max I) in hours
    whose net margin is at or above ``stress.reserve_threshold_fraction``, and 1 + σ in the hours below
    it, so that any stressed hour is dearer than any unstressed one.
    """
    margin = net_margin(outcome.results, inputs)
    stressed = np.zeros(margin.shape, dtype=bool)
    if kind == "price":
        signal = outcome.results["price_per_mwh"].transpose("zone", "snapshot").values.astype(float)
    elif kind in ("average", "consumption", "marginal"):
        signal = carbon_signal(outcome, kind)
    elif kind == "blend":
        price = outcome.results["price_per_mwh"].transpose("zone", "snapshot").values.astype(float)
        w = settings.blend_price_weight
        signal = w * _normalised(price) + (1.0 - w) * _normalised(carbon_signal(outcome, settings.blend_intensity))
    elif kind == "stability":
        signal = stability_signal(outcome, inputs)
    elif kind == "auto":
        carbon = carbon_signal(outcome, stress.emissions_signal)
        top = np.max(np.abs(carbon), axis=1, keepdims=True)
        carbon = np.divide(carbon, top, out=np.zeros_like(carbon), where=top > 0)
        stressed = margin < stress.reserve_threshold_fraction
        signal = np.where(stressed, 1.0 + stability_signal(outcome, inputs), carbon)
    else:
        raise ValueError(f"unknown signal kind '{kind}' (one of {', '.join(SIGNAL_KINDS)})")
    return np.nan_to_num(signal, nan=0.0, posinf=0.0, neginf=0.0), stressed


# --------------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------------

def in_learned_set(inputs: xr.Dataset, schedule: Schedule, solver, tolerance_mw: float = 1e-6) -> bool:
    """Whether the data centers can run ``schedule``'s flexible power under their learned constraints (its
    closest schedule in the learned set, :func:`best_response` without a signal, is within ``tolerance_mw``)."""
    if not schedule.names:
        return True
    zeros = np.zeros((inputs.sizes["zone"], inputs.sizes["snapshot"]))
    closest = best_response(inputs, zeros, schedule, solver).schedule
    return bool(np.max(np.abs(closest.flexible_mw - schedule.flexible_mw)) <= tolerance_mw)


def uses_binaries(inputs: xr.Dataset, name: str) -> bool:
    """Whether data center ``name`` is encoded with binaries (a learned, non-concave curve): its feasible set is not convex."""
    if str(inputs["dc_flexibility"].sel(datacenter=name).item()) != "learned":
        return False
    formulation = str(inputs["dc_formulation"].sel(datacenter=name).item())
    x, y = (inputs[key].sel(datacenter=name).values for key in ("dc_curve_x", "dc_curve_y"))
    keep = ~np.isnan(x)
    return formulation == "binary" or (formulation == "auto" and not datacenter_block.is_concave(x[keep], y[keep]))


def step_size(rule: str, step: float, k: int) -> float:
    """α_k of the damping rule (k = 0, 1, ...)."""
    if rule == "none":
        return 1.0
    if rule == "fixed":
        return step
    return step * 2.0 / (k + 2.0)


GAP_BOUNDS_PRICE = "total cost − integrated optimum"
GAP_BOUNDS_INTEGER = ("none: with integer unit commitment the grid's cost is not convex in the load; the gap is that of the LP "
                      "with each round's commitment fixed, not a bound on cost − integrated optimum")
GAP_BOUNDS_SIGNAL = "none: not a price signal; the gap is the signal-weighted energy the best response would save (a fixed-point test)"


@dataclass
class LoopResult:
    """Everything a loop produced.

    Fields
    ------
    table
        The trace: one row per round (:data:`LOOP_COLUMNS`; loop.csv). ``trace`` is the same table.
    schedule, final, signal, stressed
        The *reported* iterate (``reported_iteration``), not necessarily the last round: its schedule,
        its grid solution, and the signal and stressed hours of that round. The reported iterate is
        the cheapest round for the price signal (total cost, grid solved with the schedule fixed) and
        the round with the smallest relative response gap for the other signals — among the rounds
        whose schedule the data centers can run (``in_learned_set`` in the trace: the as-arrived
        round 0 need not be; see the module docstring, step 4).
    converged
        True when ``relative_gap`` ≤ ``operations.loop.gap_tolerance_fraction`` — never because the
        step became small.
    gap, relative_gap, lower_bound, gap_bounds
        Price signal on an LP grid: ``lower_bound`` = max_k (C(x_k) − g_k) ≤ C* (Frank–Wolfe) and the
        certified ``gap`` = C(x_reported) − lower_bound ≥ C(x_reported) − C* (currency/year), relative to
        C(x_reported). Otherwise ``gap`` is the reported round's response gap g_k (signal units × MWh),
        relative to its |signal|-weighted facility energy, and ``lower_bound`` is NaN. ``gap_bounds``
        says in words what the gap bounds (:data:`GAP_BOUNDS_PRICE`, ..._INTEGER, ..._SIGNAL).
    """

    table: pd.DataFrame
    schedule: Schedule
    final: GridOutcome
    signal: np.ndarray
    stressed: np.ndarray
    converged: bool
    signal_kind: str
    switches: pd.DataFrame = field(default_factory=pd.DataFrame)
    integrated: GridOutcome | None = None
    gap: float = float("nan")
    relative_gap: float = float("nan")
    lower_bound: float = float("nan")
    reported_iteration: int = 0
    gap_bounds: str = GAP_BOUNDS_PRICE

    @property
    def trace(self) -> pd.DataFrame:
        """loop.csv: one row per round."""
        return self.table


def datacenter_co2_t(outcome: GridOutcome) -> float:
    """Location-based data-center CO2 (t): Σ_d Σ_t w_t·served facility_{d,t}·a_{z(d),t}, as in
    datacenter_carbon.csv (:func:`planning.metrics.footprint.location_based_t`)."""
    from planning.metrics.footprint import location_based_t

    return 0.0 if outcome.metrics is None else location_based_t(outcome.results, outcome.metrics)


def shifted_mwh(results: xr.Dataset) -> float:
    """Σ_t w_t·max(0, P_IT − P_IT^as-arrived) over data centers (MWh)."""
    if "datacenter_it_power_mw" not in results:
        return 0.0
    moved = (results["datacenter_it_power_mw"] - results["datacenter_as_arrived_it_mw"]).clip(min=0.0)
    return float((moved * results["weight_h"]).sum())


def switch_log(stressed: np.ndarray, margin: np.ndarray, inputs: xr.Dataset, threshold: float, iteration: int) -> pd.DataFrame:
    """Hours where the auto signal changes: snapshot, zone, from, to, net margin, threshold."""
    snapshots = pd.DatetimeIndex(inputs["snapshot"].values)
    rows = []
    for i, zone in enumerate(inputs["zone"].values):
        previous = False
        for t in range(stressed.shape[1]):
            if bool(stressed[i, t]) != previous:
                rows.append({"iteration": iteration, "snapshot": snapshot_labels([snapshots[t]])[0], "hour": t, "zone": str(zone),
                             "from": "stability_first" if previous else "emissions_first",
                             "to": "stability_first" if stressed[i, t] else "emissions_first",
                             "net_margin": float(margin[i, t]), "threshold": threshold})
                previous = bool(stressed[i, t])
    return pd.DataFrame(rows, columns=["iteration", "snapshot", "hour", "zone", "from", "to", "net_margin", "threshold"])


def run_loop(scenario: Scenario, inputs: xr.Dataset, signal_kind: str | None = None, settings=None,
             step: Callable[[str], None] = lambda message: None, compare: bool = True) -> LoopResult:
    """Iterate grid solve → signal → data-center best response → damping until the gap closes.

    ``inputs`` must already have fixed capacities (:func:`fixed_capacity_inputs`). ``signal_kind``
    defaults to ``operations.loop.signal``; ``stability`` and ``auto`` are the stress modes. Stops
    when the relative gap is at most ``gap_tolerance_fraction`` (converged) or after
    ``max_iterations`` rounds (not converged); see :class:`LoopResult` for what is reported.
    """
    settings = settings or scenario.operations.loop
    kind = signal_kind or settings.signal
    schedule = as_arrived_schedule(inputs)
    if not schedule.names:
        raise ScenarioError(["datacenters: the loop needs at least one data center with flexibility learned or ideal"], title="nothing to loop over")
    rows, rounds = [], []
    converged = False
    switches = pd.DataFrame()
    threshold = scenario.stress.reserve_threshold_fraction
    lower_bound = -np.inf
    gap_bounds = GAP_BOUNDS_PRICE if kind == "price" else GAP_BOUNDS_SIGNAL
    non_concave = any(uses_binaries(inputs, d) for d in schedule.names)
    # Whether each round's schedule is one the data center can run (in the learned set X): the as-arrived
    # round 0 need not be; a full step (α = 1) lands on a best response, a projection back onto X, and a
    # convex combination of points of a convex X stay in it. Only such rounds can be reported.
    inside = in_learned_set(inputs, schedule, scenario.solver)
    for k in range(settings.max_iterations):
        step(f"round {k}: grid")
        outcome = solve_grid(scenario, inputs, schedule)
        signal, stressed = grid_signal(kind, outcome, inputs, settings, scenario.stress)
        step(f"round {k}: data-center response")
        reply = best_response(inputs, signal, schedule, scenario.solver)
        cost = float(outcome.solved.objective)
        if kind == "price" and outcome.solved.is_mip and gap_bounds != GAP_BOUNDS_INTEGER:
            gap_bounds = GAP_BOUNDS_INTEGER
            logger.warning("loop: the grid has integer unit commitment; the loop's gap does not bound cost − integrated optimum")
        results = outcome.results
        weight = results["weight_h"].values
        if kind == "auto":
            switches = switch_log(stressed, net_margin(results, inputs), inputs, threshold, k)
        rounds.append((schedule, outcome, signal, stressed))
        certify = gap_bounds == GAP_BOUNDS_PRICE
        eligible = [row["in_learned_set"] for row in rows] + [inside]
        if not any(eligible):
            eligible = [True] * len(eligible)
        if kind == "price":
            # The cheapest round (of those in X) is reported. LP grid: C* ≥ C(x_k) − g_k (g_k ≥ ∇C(x_k)·(x_k − x*) ≥ C(x_k) − C*,
            # C convex), so the certified gap is best cost − max_k (C(x_k) − g_k). Integer UC: no such bound;
            # the round's response gap relative to its cost is a fixed-point test only.
            costs = [row["total_cost"] if ok else np.inf for row, ok in zip(rows, eligible)] + [cost if eligible[-1] else np.inf]
            best = int(np.argmin(costs))
            if certify:
                lower_bound = max(lower_bound, cost - reply.gap)
                certified = costs[best] - lower_bound
                relative = certified / max(abs(costs[best]), 1e-12)
            else:
                certified, relative = float("nan"), reply.gap / max(abs(cost), 1e-12)
        else:
            relative_gaps = [row["relative_gap"] for row in rows] + [reply.gap / reply.energy if reply.energy > 0 else 0.0]  # 0: a zero signal
            ranked = [value if ok else np.inf for value, ok in zip(relative_gaps, eligible)]
            best = len(ranked) - 1 - int(np.argmin(ranked[::-1]))
            relative = relative_gaps[-1]
            certified = float("nan")
        converged = relative <= settings.gap_tolerance_fraction
        alpha = step_size(settings.damping, settings.step, k)
        candidate = schedule.step_towards(reply.schedule, alpha)
        if non_concave and 0.0 < alpha < 1.0:
            # A convex combination can leave the learned set of a non-concave curve: back onto it (closest schedule).
            candidate = best_response(inputs, np.zeros_like(signal), candidate, scenario.solver).schedule
        next_inside = inside or alpha >= 1.0 or non_concave
        change = float(np.max(np.abs(candidate.flexible_mw - schedule.flexible_mw))) if schedule.flexible_mw.size else 0.0
        distance = float(np.max(np.abs(reply.schedule.flexible_mw - schedule.flexible_mw))) if schedule.flexible_mw.size else 0.0
        rows.append({
            "iteration": k, "signal": kind, "total_cost": cost, "co2_t": float(results["co2_t"]),
            "datacenter_co2_t": datacenter_co2_t(outcome), "shifted_mwh": shifted_mwh(results),
            "max_schedule_change_mw": change, "converged": converged, "step": alpha, "response_gap_mw": distance,
            "unserved_energy_mwh": float((results["unserved_mw"] * results["weight_h"]).sum()),
            "stressed_hours": float(weight[stressed.any(axis=0)].sum()),
            "response_gap": reply.gap, "lower_bound": lower_bound if certify else np.nan,
            "certified_gap": certified, "relative_gap": relative,
            "reported": False, "in_learned_set": inside,
            # The data center looks cleaner than as it arrived (round 0) while the system emits more.
            "allocated_falls_system_rises": bool(rows) and allocated_falls_system_rises(
                rows[0]["datacenter_co2_t"], datacenter_co2_t(outcome), rows[0]["co2_t"], float(results["co2_t"])),
        })
        if converged:
            break
        schedule, inside = candidate, next_inside
    table = pd.DataFrame(rows, columns=LOOP_COLUMNS)
    table.loc[best, "reported"] = True
    reported_schedule, reported_outcome, reported_signal, reported_stressed = rounds[best]
    if certify:
        gap, relative_gap = float(table["total_cost"].iloc[best] - lower_bound), float(table["relative_gap"].iloc[-1])
    else:
        gap, relative_gap = float(table["response_gap"].iloc[best]), float(table["relative_gap"].iloc[best])
    final = LoopResult(table, reported_schedule, reported_outcome, reported_signal, reported_stressed, converged, kind, switches,
                       gap=gap, relative_gap=relative_gap, lower_bound=float(lower_bound) if certify else float("nan"),
                       reported_iteration=int(table["iteration"].iloc[best]), gap_bounds=gap_bounds)
    if compare:
        step("integrated optimum")
        final.integrated = integrated_optimum(scenario, inputs)
    return final


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

def schedule_table(loop: LoopResult, inputs: xr.Dataset) -> pd.DataFrame:
    """loop_schedule.csv: snapshot, weight, datacenter, zone, flexible_mw, it_power_mw, facility_power_mw,
    as_arrived_it_mw, work_done, backlog, signal, stressed (of the final round), and the integrated
    optimum's it_power_mw."""
    results = loop.final.results
    snapshots = snapshot_labels(inputs["snapshot"].values)
    zones = [str(z) for z in inputs["zone"].values]
    frames = []
    for d in results["datacenter"].values:
        zone = str(results["datacenter_zone"].sel(datacenter=d).item())
        z = zones.index(zone)
        frame = pd.DataFrame({
            "snapshot": snapshots, "weight": inputs["weight_h"].values, "datacenter": str(d), "zone": zone,
            "flexible_mw": results["datacenter_flexible_mw"].sel(datacenter=d).values,
            "it_power_mw": results["datacenter_it_power_mw"].sel(datacenter=d).values,
            "facility_power_mw": results["datacenter_facility_power_mw"].sel(datacenter=d).values,
            "as_arrived_it_mw": results["datacenter_as_arrived_it_mw"].sel(datacenter=d).values,
            "work_done": results["work_done"].sel(datacenter=d).values,
            "backlog": results["backlog"].sel(datacenter=d).values,
            "signal": loop.signal[z], "stressed": loop.stressed[z].astype(int),
        })
        if loop.integrated is not None:
            frame["integrated_it_power_mw"] = loop.integrated.results["datacenter_it_power_mw"].sel(datacenter=d).values
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def comparison_table(loop: LoopResult) -> pd.DataFrame:
    """loop_comparison.csv: the loop's reported iterate vs the integrated optimum, and the gaps.

    ``lower_bound``: the loop's certified lower bound (price signal on an LP grid, else NaN) and the
    integrated model's (its objective for an LP, HiGHS' MIP dual bound for a MILP — the integrated
    MILP's cost is an incumbent, so the loop can come out cheaper than it, never below its bound).
    ``gap_bounds`` says what the loop's ``gap`` bounds.
    """
    reported = loop.table.loc[loop.table["reported"]].iloc[0]
    rows = [{"architecture": f"loop ({loop.signal_kind})", "total_cost": reported["total_cost"], "co2_t": reported["co2_t"],
             "datacenter_co2_t": reported["datacenter_co2_t"], "shifted_mwh": reported["shifted_mwh"], "iterations": len(loop.table),
             "reported_iteration": loop.reported_iteration, "converged": loop.converged, "lower_bound": loop.lower_bound,
             "gap": loop.gap, "relative_gap": loop.relative_gap, "gap_bounds": loop.gap_bounds}]
    if loop.integrated is not None:
        integrated = loop.integrated
        rows.append({"architecture": "integrated", "total_cost": float(integrated.solved.objective), "co2_t": float(integrated.results["co2_t"]),
                     "datacenter_co2_t": datacenter_co2_t(integrated), "shifted_mwh": shifted_mwh(integrated.results),
                     "iterations": 1, "converged": True, "lower_bound": float(integrated.solved.dual_bound)})
        cost_gap = rows[0]["total_cost"] - rows[1]["total_cost"]
        rows.append({"architecture": "gap (loop − integrated)", "total_cost": cost_gap, "co2_t": rows[0]["co2_t"] - rows[1]["co2_t"],
                     "datacenter_co2_t": rows[0]["datacenter_co2_t"] - rows[1]["datacenter_co2_t"],
                     "shifted_mwh": rows[0]["shifted_mwh"] - rows[1]["shifted_mwh"], "iterations": np.nan, "converged": np.nan})
        relative = {key: (rows[2][key] / abs(rows[1][key]) if rows[1][key] else np.nan) for key in ("total_cost", "co2_t", "datacenter_co2_t")}
        rows.append({"architecture": "relative gap", **relative, "shifted_mwh": np.nan, "iterations": np.nan, "converged": np.nan})
    return pd.DataFrame(rows)


def loop_tables(loop: LoopResult, inputs: xr.Dataset, threshold_fraction: float, prefix: str = "loop") -> dict[str, pd.DataFrame]:
    """Every table of one loop: loop.csv, loop_schedule.csv, loop_comparison.csv, adequacy.csv (and switches)."""
    tables = {prefix: loop.table, f"{prefix}_schedule": schedule_table(loop, inputs), f"{prefix}_comparison": comparison_table(loop)}
    tables[f"{prefix}_adequacy"] = adequacy_table(loop.final.results, inputs, threshold_fraction)
    if loop.signal_kind == "auto":
        tables[f"{prefix}_switches"] = loop.switches
    return tables


def prepare_inputs(scenario: Scenario, capacities: Path | None = None) -> xr.Dataset:
    """Load the scenario's inputs (stress events applied) and fix the capacities."""
    from planning.io.inputs import load_inputs
    from planning.workflows.stochastic import require_one_future

    require_one_future(scenario, "the signal-response loop (and stress)")
    inputs = load_inputs(scenario)
    if "representative_of_period" in inputs:
        raise ScenarioError(["horizon.representative_periods: the operating workflows need a chronological horizon; remove representative_periods"],
                            title="invalid operating horizon")
    capacity, lines = read_capacities(capacities) if capacities is not None else (None, None)
    return fixed_capacity_inputs(inputs, capacity, lines)


def operating_inputs(inputs):
    """Fixed-capacity inputs (stressed or not) without ``reserves.planning_reserve_margin``.

    The margin is an investment rule (firm capacity ≥ (1 + margin) × load in every hour). On a fixed
    fleet nothing can be built to meet it, so a load above the fleet's firm capacity / (1 + margin) (a heat wave,
    a campus schedule that raises the peak) makes every grid solve infeasible, with no slack to show
    where. The loop and stress measure adequacy instead of imposing it: unserved energy, loss of load
    and reserve margins in adequacy.csv. (``planning headroom`` keeps the margin: it asks how much new
    load the fleet can take while its requirements hold.)
    """
    if np.isnan(float(inputs.attrs.get("planning_reserve_margin", float("nan")))):
        return inputs
    inputs = inputs.copy()
    inputs.attrs["planning_reserve_margin"] = float("nan")
    return inputs


def write_loop(scenario: Scenario, out_dir: Path, capacities: Path | None = None, signal_kind: str | None = None,
               step: Callable[[str], None] = lambda message: None) -> tuple[LoopResult, dict[str, pd.DataFrame], Path]:
    """``planning loop``: run the loop and write loop.csv, loop_schedule.csv, loop_comparison.csv, adequacy.csv.

    The signal is ``signal_kind`` if given, else the stress mode ``stress.signal_mode`` when the scenario
    has stress events, else ``operations.loop.signal``.
    """
    from planning.io.writers import atomic_folder, write_tables
    from planning.workflows.run import resolved_scenario_yaml

    inputs = operating_inputs(prepare_inputs(scenario, capacities))
    if signal_kind is None and scenario.stress.events:
        from planning.workflows.stress import mode_signal

        signal_kind = mode_signal(scenario, scenario.stress.signal_mode)
    loop = run_loop(scenario, inputs, signal_kind, step=step)
    tables = loop_tables(loop, inputs, scenario.stress.reserve_threshold_fraction)
    named = {name.replace("loop_adequacy", "adequacy").replace("loop_switches", "switches"): table for name, table in tables.items()}
    with atomic_folder(out_dir) as staging:
        write_tables(staging, named)
        (staging / "scenario.resolved.yaml").write_text(resolved_scenario_yaml(scenario), encoding="utf-8")
    return loop, named, Path(out_dir).resolve()
