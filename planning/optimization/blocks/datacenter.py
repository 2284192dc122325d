"""AI data centers: inflexible baseline + flexible GPU work, encoded from a fitted surrogate card.

Sets and data (per data center d; see :mod:`planning.io.datacenter_inputs` for how they are learned)
----------------------------------------------------------------------------------------------------
T: snapshots; prev(t): the snapshot before t in operating time
(:meth:`ModelContext.previous_in_operation`): t − 1 in a chronological run, the first snapshot
following the last (cyclic over the horizon) whatever ``horizon.storage_cycle`` is — work waiting at
23:00 is still waiting at 00:00 of the *next* day; with representative periods, cyclic within each
period (a cycle). B_{d,t}: baseline IT power (MW);
N_f: rating of the flexible fleet (MW); A_{d,t}: work arriving (MWh of rated-power throughput);
f: the card's throughput curve (per unit → per unit), breakpoints x_0 < … < x_K;
D: longest delay (h, integer part); R: ramp limit (MW/h); PUE_{d,t}.

Variables
---------
flexible_mw[d,t] ∈ [o_lo·N_f, o_hi·N_f]   (MW) with [o_lo, o_hi] ⊆ [x_0, x_K] the operating range the
    telemetry supports (the card's envelope power_min/max_per_unit, widened to the modelled schedule's
    own utilisation b(t)) or the key ``operating_range_per_unit``; never outside the curve's fitted range
work_done[d,t] ≥ 0, backlog[d,t] ≥ 0   (MWh of rated-power throughput); work_done is an expression
    of flexible_mw (no column) in the affine case below

Constraints (flexibility = learned)
-----------------------------------
work_done[d,t] ≤ N_f·f(flexible_mw[d,t]/N_f)
    concave f → linear cuts  work ≤ a_k·flexible + b_k·N_f  (an LP), only for the segments k the
    operating range [o_lo, o_hi] meets (the other lines lie above f there: redundant rows);
    affine case — the range inside one segment k and no ramp row able to bind (the bundled card):
    work_done[d,t] = a_k·flexible_mw[d,t] + b_k·N_f − idle_work[d,t], 0 ≤ idle_work ≤ N_f·f(o_lo)
    (an expression: no throughput row, no work column; equivalent in cost, see ``_add_affine_work``);
    otherwise → exact incremental PWL with binaries  (formulation: auto | cuts | binary)
backlog[d,t] = backlog[d,prev(t)] + Δt·(A_{d,t} − work_done[d,t])                  (cyclic per cycle)
backlog[d,t] ≤ Δt·Σ_{k=0}^{⌊D/Δt⌋−1} A_{d,prev^k(t)}   (work still waiting arrived within the last D hours; a bound)
  Δt: snapshot length (h, ``horizon.resolution_hours``); ramps allow R·Δt between snapshots. With
  ``horizon.cyclic: false`` the backlog starts empty (no wrap) and must be empty after the last snapshot.
−R ≤ (B_{d,t} + flexible_mw[d,t]) − (B_{d,t−1} + flexible_mw[d,t−1]) ≤ R     (not across cycle starts)
    rows only where they can bind: left out when the operating range alone keeps them
    ((o_hi − o_lo)·N_f ≤ R − ΔB_t, resp. ≤ R + ΔB_t, ΔB_t = B_{d,t} − B_{d,t−1})

Tie-break (objective only; ``schedule_tie_break_per_mwh`` = ε, currency per MWh)
--------------------------------------------------------------------------------
flexible_mw[d,t] − N_f·b(t) = moved_up_mw[d,t] − moved_down_mw[d,t]   (row ``schedule_move``; both ≥ 0,
    bounded by the operating range)
+ ε·Σ_t w_t·(moved_up_mw + moved_down_mw)   (= ε × the IT energy moved off the as-arrived schedule)
Where prices are flat many schedules cost the same and the LP returns a vertex that may switch hour
by hour; with ε > 0 the campus runs work as it arrives (N_f·b(t), the smooth calendar profile) unless
moving it saves money, and then moves as little as needed — every shift in the schedule has a price
reason. An LP applies it lexicographically by default (``solver.tie_break``,
:mod:`planning.optimization.tie_break`): min costs, then min ε·Σ w·(up + down) over the costs' optimal
face — the costs exactly optimal, ε only a scale; a MILP as the penalty in its objective.
Registered in ``ctx.extras["tie_breaks"]``: built into the objective, never into a cost
category, so reported costs exclude it (``tie_break_cost`` on the block,
``datacenter_tie_break_cost_per_year`` in the results, ``datacenter_tie_break_cost`` in summary.csv).
Why this device: a penalty on hour-to-hour changes Σ|P_t − P_{t−1}| couples every hour to the next
and cost +24 % simplex iterations on the full year (benchmarks/README.md); these rows are local to
each hour. ε = 0.01: moving the whole 40 MW range every hour of a year costs 3.5 k$, < 1e-6 of the
examples' 3.8 G$/yr; the measured effect is in benchmarks/README.md. ε = 0 switches it off.

flexibility = inflexible: flexible_mw[d,t] = N_f·b(t) (the work runs as it arrives; no variables).
flexibility = ideal: work_done ≤ η*·flexible_mw with η* = max_k y_k/x_k (no throughput loss at the
best efficiency), flexible_mw ∈ [0, x_K·N_f], D = 24 h, no ramp limit — an upper bound on the value
of flexibility, not a feasible operating plan.

Contributions
-------------
withdrawals[zone(d), t] += PUE_{d,t}·(B_{d,t} + flexible_mw[d,t])     (facility power, MW)

With representative periods each period is a cycle: work arriving in a period is done within it
(backlog is not carried across periods — deferral is intra-day/intra-week, as the envelope's
delays of hours imply).
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.context import ModelContext
from planning.surrogate.formulations import add_concave_pwl_cuts, add_pwl_incremental_binary, segments_meeting


def _curve(inputs: xr.Dataset, d: str) -> tuple[np.ndarray, np.ndarray]:
    x = inputs["dc_curve_x"].sel(datacenter=d).values
    y = inputs["dc_curve_y"].sel(datacenter=d).values
    keep = ~np.isnan(x)
    return x[keep], y[keep]


def is_concave(x: np.ndarray, y: np.ndarray) -> bool:
    slopes = np.diff(y) / np.diff(x)
    return bool(np.all(np.diff(slopes) <= 1e-9))


def _window_sums(arrived: np.ndarray, period: np.ndarray, delay_h: int, cyclic: bool = True) -> np.ndarray:
    """Σ_{k=0}^{D−1} A_{t−k} over D snapshots, wrapping cyclically within each cycle (``period``: the cycle
    index of each snapshot, :meth:`ModelContext.operating_cycles`); not before the first snapshot when not ``cyclic``."""
    sums = np.zeros_like(arrived)
    for cycle in np.unique(period):
        where = np.flatnonzero(period == cycle)
        values = arrived[where]
        n = len(values)
        window = min(delay_h, n)
        for k in range(window):
            shifted = np.roll(values, k)
            if not cyclic:
                shifted[:k] = 0.0
            sums[where] += shifted
    return sums


def tie_break_per_mwh(inputs: xr.Dataset, d: str) -> float:
    """ε_d (currency per MWh moved off the as-arrived schedule); 0 when the inputs do not carry it."""
    if "dc_schedule_tie_break_per_mwh" not in inputs:
        return 0.0
    return float(inputs["dc_schedule_tie_break_per_mwh"].sel(datacenter=d))


def _add_ramp(block, baseline: np.ndarray, ramp_mw_per_h: float, previous: list[int]) -> None:
    """Ramp limits on the IT power: −R ≤ ΔB_t + ΔP_t ≤ R for steps t with prev(t) = t − 1 (none across a
    cycle start) — rows ``ramp_up``/``ramp_down`` only where they can bind: a row is left out when the
    operating range alone keeps it ((o_hi − o_lo)·N_f ≤ R − ΔB_t, resp. ≤ R + ΔB_t)."""
    T = list(block.flexible_mw.keys())
    steps = [t for t in T if previous[t] == t - 1]
    if not math.isfinite(ramp_mw_per_h):
        return
    change = {t: float(baseline[t] - baseline[t - 1]) for t in steps}
    span = block.flexible_mw[T[0]].ub - block.flexible_mw[T[0]].lb
    binding_up = [t for t in steps if span > ramp_mw_per_h - change[t]]
    binding_down = [t for t in steps if span > ramp_mw_per_h + change[t]]
    block.ramp_up = pyo.Constraint(binding_up, rule=lambda b, t: b.flexible_mw[t] - b.flexible_mw[t - 1] <= ramp_mw_per_h - change[t])
    block.ramp_down = pyo.Constraint(binding_down, rule=lambda b, t: b.flexible_mw[t - 1] - b.flexible_mw[t] <= ramp_mw_per_h + change[t])


def _add_tie_break(ctx: ModelContext, block, d: str, observed_mw: np.ndarray) -> None:
    """The schedule tie-break: ε·Σ_t w_t·|flexible_mw[t] − N_f·b(t)| in the objective (ε > 0).

    flexible_mw[t] − N_f·b(t) = moved_up_mw[t] − moved_down_mw[t]   (row ``schedule_move``, one per hour,
    local: no coupling of hours), moved_up_mw ∈ [0, o_hi·N_f − N_f·b(t)], moved_down_mw ∈ [0, N_f·b(t) − o_lo·N_f];
    ε·Σ_t w_t·(moved_up_mw + moved_down_mw) is registered in ``ctx.extras["tie_breaks"]`` (objective only).
    """
    epsilon = tie_break_per_mwh(ctx.inputs, d)
    if epsilon <= 0:
        return
    T = list(block.flexible_mw.keys())
    low, high = block.flexible_mw[T[0]].lb, block.flexible_mw[T[0]].ub
    block.moved_up_mw = pyo.Var(T, bounds=lambda b, t: (0.0, max(high - float(observed_mw[t]), 0.0)))
    block.moved_down_mw = pyo.Var(T, bounds=lambda b, t: (0.0, max(float(observed_mw[t]) - low, 0.0)))
    block.schedule_move = pyo.Constraint(T, rule=lambda b, t: b.flexible_mw[t] - b.moved_up_mw[t] + b.moved_down_mw[t]
                                         == float(observed_mw[t]))
    weight = ctx.weight_h
    block.tie_break_cost = pyo.Expression(
        expr=epsilon * pyo.quicksum(float(weight[t]) * (block.moved_up_mw[t] + block.moved_down_mw[t]) for t in T))
    ctx.extras.setdefault("tie_breaks", []).append(block.tie_break_cost)
    # schedule_move holds for every flexible_mw in [low, high] by the moves alone: a defining row.
    ctx.extras.setdefault("tie_break_rows", []).append(block.schedule_move)


def _ramp_can_bind(baseline: np.ndarray, ramp_mw_per_h: float, previous: list[int], span_mw: float) -> bool:
    """Whether some ramp row can bind: |ΔP_t| ≤ span_mw (the operating range) exceeds R − |ΔB_t| in some step."""
    steps = np.array([t for t in range(len(previous)) if previous[t] == t - 1], dtype=int)
    if not math.isfinite(ramp_mw_per_h) or len(steps) == 0:
        return False
    change = np.abs(baseline[steps] - baseline[steps - 1])
    return bool(np.any(span_mw > ramp_mw_per_h - change))


def _add_affine_work(block, x: np.ndarray, y: np.ndarray, segment: int, low_per_unit: float, rating_mw: float) -> None:
    """Work done as an affine expression of the power (no throughput rows, no work column).

    With the operating range inside segment k of the concave curve, f(P) = a_k·P + b_k·N_f there, and

        work_done[t] = a_k·flexible_mw[t] + b_k·N_f − idle_work[t],   0 ≤ idle_work[t] ≤ N_f·f(o_lo)

    (an Expression; ``idle_work``: throughput the fleet could do but does not — at most the floor's).
    Versus the cut form 0 ≤ work_done ≤ f(P): the same at the floor power, and above it work_done ≥
    a_k·(P − o_lo·N_f) — power above the floor always does work. Equivalent in cost: any cut-form point
    (P, W, B) has a point here with the same W, B and power P' = max(o_lo·N_f, f⁻¹(W)) ≤ P, which costs
    no more where lowering load never raises cost (non-negative prices) and breaks no ramp (this form is
    used only when no ramp row can bind). Saves one row and one column per hour.
    """
    slope = float((y[segment + 1] - y[segment]) / (x[segment + 1] - x[segment]))
    intercept = float(y[segment] - slope * x[segment])
    floor_work = (slope * low_per_unit + intercept) * rating_mw
    T = list(block.flexible_mw.keys())
    block.idle_work = pyo.Var(T, bounds=(0.0, floor_work))
    block.work_done = pyo.Expression(T, rule=lambda b, t: slope * b.flexible_mw[t] + intercept * rating_mw - b.idle_work[t])


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    names = [str(d) for d in inputs["datacenter"].values] if "datacenter" in inputs.dims else []
    model.DATACENTERS = pyo.Set(initialize=names, ordered=True)
    if not names:
        return
    T = ctx.snapshots
    period = ctx.operating_cycles()
    previous = ctx.previous_in_operation()
    dt, no_history = ctx.duration_h, ctx.starts_history()
    model.datacenter = pyo.Block(model.DATACENTERS)
    for d in names:
        block = model.datacenter[d]
        zone = str(inputs["dc_zone"].sel(datacenter=d).item())
        mode = str(inputs["dc_flexibility"].sel(datacenter=d).item())
        rating = float(inputs["dc_flexible_rating_mw"].sel(datacenter=d))
        baseline = inputs["dc_baseline_mw"].sel(datacenter=d).values
        arrived = inputs["dc_work_arrived"].sel(datacenter=d).values
        pue = inputs["dc_pue"].sel(datacenter=d).values
        x, y = _curve(inputs, d)

        if mode == "inflexible":
            observed = inputs["dc_observed_flexible_mw"].sel(datacenter=d).values
            block.flexible_mw = pyo.Var(T, initialize=lambda b, t: float(observed[t]))
            block.flexible_mw.fix()  # fixed variables compile to constants: no columns
        else:
            low = float(inputs["dc_operating_min_per_unit"].sel(datacenter=d))
            high = float(inputs["dc_operating_max_per_unit"].sel(datacenter=d))
            if mode == "ideal":
                low, high = 0.0, float(x[-1])
            block.flexible_mw = pyo.Var(T, bounds=(low * rating, high * rating))
            if mode == "ideal":
                efficiency = float(np.max(y / x))
                delay_h = 24
                block.work_done = pyo.Var(T, bounds=(0.0, None))
                block.throughput = pyo.Constraint(T, rule=lambda b, t: b.work_done[t] <= efficiency * b.flexible_mw[t])
                ramp = math.inf
            else:
                delay_h = int(math.floor(float(inputs["dc_max_delay_h"].sel(datacenter=d))))
                formulation = str(inputs["dc_formulation"].sel(datacenter=d).item())
                ramp = float(inputs["dc_ramp_mw_per_h"].sel(datacenter=d)) * dt   # MW per snapshot
                if formulation == "auto":
                    formulation = "cuts" if is_concave(x, y) else "binary"
                segments = segments_meeting(x, low, high)
                if formulation == "cuts" and len(segments) == 1 and not _ramp_can_bind(baseline, ramp, previous, (high - low) * rating):
                    _add_affine_work(block, x, y, segments[0], low, rating)
                elif formulation == "cuts":
                    # Only the cuts of segments the operating range meets: exact there (the others are redundant rows).
                    block.work_done = pyo.Var(T, bounds=(0.0, None))
                    add_concave_pwl_cuts(block, block.flexible_mw, block.work_done, (x, y), scale=rating,
                                         name="throughput", bound_inputs=False, input_range=(low, high))
                else:
                    block.work_done = pyo.Var(T, bounds=(0.0, None))
                    add_pwl_incremental_binary(block, block.flexible_mw, block.work_done, (x, y), scale=rating,
                                               output="<=", name="throughput")
            _add_ramp(block, baseline, ramp, previous)
            _add_tie_break(ctx, block, d, inputs["dc_observed_flexible_mw"].sel(datacenter=d).values)
            # The delay limit is a bound on the backlog (a column bound, not a row): work of the last ⌊D/Δt⌋ snapshots.
            window = dt * _window_sums(arrived, period, ctx.hours_to_snapshots(delay_h, "floor"), cyclic=ctx.cyclic)
            if not ctx.cyclic:
                window[-1] = 0.0   # a non-cyclic horizon ends with every arrived job done
            block.backlog = pyo.Var(T, bounds=lambda b, t: (0.0, float(window[t])))
            block.backlog_balance = pyo.Constraint(
                T, rule=lambda b, t: b.backlog[t] == (0.0 if t in no_history else b.backlog[previous[t]])
                + dt * (float(arrived[t]) - b.work_done[t]))
        for t in T:
            ctx.withdrawals[zone, t].append(float(pue[t]) * (float(baseline[t]) + block.flexible_mw[t]))


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    names = list(model.DATACENTERS)
    if not names:
        return {}
    T = ctx.snapshots
    flexible = np.array([[model.datacenter[d].flexible_mw[t].value for t in T] for d in names], dtype=float)
    arrived = inputs["dc_work_arrived"].values
    work = np.array([[pyo.value(model.datacenter[d].work_done[t]) for t in T] if hasattr(model.datacenter[d], "work_done")
                     else arrived[i] for i, d in enumerate(names)], dtype=float)
    backlog = np.array([[model.datacenter[d].backlog[t].value for t in T] if hasattr(model.datacenter[d], "backlog")
                        else np.zeros(len(T)) for d in names], dtype=float)
    baseline = inputs["dc_baseline_mw"].values
    it_power = baseline + flexible
    tie_break = [float(pyo.value(model.datacenter[d].tie_break_cost)) if hasattr(model.datacenter[d], "tie_break_cost") else 0.0
                 for d in names]
    coords = {"datacenter": names, "snapshot": inputs["snapshot"].values}
    dims = ("datacenter", "snapshot")
    return {
        "datacenter_zone": inputs["dc_zone"],
        "datacenter_baseline_mw": xr.DataArray(baseline, coords=coords, dims=dims),
        "datacenter_flexible_mw": xr.DataArray(flexible, coords=coords, dims=dims),
        "datacenter_it_power_mw": xr.DataArray(it_power, coords=coords, dims=dims),
        "datacenter_facility_power_mw": xr.DataArray(inputs["dc_pue"].values * it_power, coords=coords, dims=dims),
        "datacenter_as_arrived_it_mw": xr.DataArray(baseline + inputs["dc_observed_flexible_mw"].values, coords=coords, dims=dims),
        "work_arrived": xr.DataArray(arrived, coords=coords, dims=dims),
        "work_done": xr.DataArray(work, coords=coords, dims=dims),
        "backlog": xr.DataArray(backlog, coords=coords, dims=dims),
        # The schedule tie-break's value in the objective (not a cost; in no cost_* total).
        "datacenter_tie_break_cost_per_year": xr.DataArray(tie_break, coords={"datacenter": names}, dims=("datacenter",)),
    }
