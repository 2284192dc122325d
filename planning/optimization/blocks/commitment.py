"""Clustered unit commitment of thermal plants whose technology has a unit size.

Each such plant is a cluster of identical units of size S_g (MW); the model decides how many
are committed, started and shut down in each snapshot (Palmintier & Webster 2014; the
minimum up/down constraints are the clustered form of Rajan & Takriti 2005, as in GenX).

Sets and data
-------------
C ⊂ thermal plants: plants with a unit size (and ``unit_commitment.mode`` ≠ off); T: snapshots;
prev(t): the snapshot before t in operating time (:meth:`ModelContext.previous_in_operation`):
t − 1 in a chronological run, the first snapshot following the last (cyclic over the horizon) —
``horizon.storage_cycle`` day/week cuts only storage, so a unit on at 23:00 is on at 00:00 of
the *next* day; with representative periods, cyclic within each period;
S_g: unit size (MW); a_{g,t}: availability (fraction); m_g: minimum stable output (fraction);
UT_g, DT_g: minimum up and down time (h); RU_g, RD_g: ramp limits (fraction of S_g per h);
sc_g: start-up cost incl. start-up fuel (currency/MW/start); se_g: start-up CO2 (t/MW/start);
nc_g, ne_g: no-load cost (currency/MW/h) and CO2 (t/MW/h) of committed units; w_t: weight (h).

Variables (integers in ``integer`` mode, continuous ≥ 0 in ``linear`` mode)
---------------------------------------------------------------------------
committed_units[g,t], startups[g,t], shutdowns[g,t] ≥ 0        (units)
new_units[g], retired_units[g] ≥ 0 integers (integer mode with ``integer_build`` and
expandable/retirable capacity): new_mw[g] = S_g·new_units[g], retired_mw[g] = S_g·retired_units[g]

Units available: U_g = capacity_mw[g] / S_g (a constant when the capacity is fixed; then
committed_units ≤ ⌊U_g⌋ is a bound). A fraction of a unit (existing capacity that is not a
multiple of S_g) can never be committed in integer mode.

Constraints
-----------
committed_units[g,t] ≤ U_g
committed_units[g,t] − committed_units[g,prev(t)] = startups[g,t] − shutdowns[g,t]
Σ_{τ = t−UT_g+1..t} startups[g,τ]  ≤ committed_units[g,t]            (min up, if UT_g > 1)
Σ_{τ = t−DT_g+1..t} shutdowns[g,τ] ≤ U_g − committed_units[g,t]      (min down, if DT_g > 1)
  (the sums walk back through prev(), so windows wrap cyclically over the horizon, or within a
  representative period; a window never exceeds that cycle's length)
generation_mw[g,t] ≤ a_{g,t}·S_g·committed_units[g,t]
generation_mw[g,t] ≥ m_g·S_g·committed_units[g,t]                      (if m_g > 0)
generation_mw[g,t] − generation_mw[g,prev(t)] ≤ RU_g·S_g·(committed_units[g,t] − startups[g,t])
        + max(m_g, RU_g)·S_g·startups[g,t] − m_g·S_g·shutdowns[g,t]     (if RU_g is set)
generation_mw[g,prev(t)] − generation_mw[g,t] ≤ RD_g·S_g·(committed_units[g,t] − startups[g,t])
        − m_g·S_g·startups[g,t] + max(m_g, RD_g)·S_g·shutdowns[g,t]     (if RD_g is set)
  (a unit that starts may jump to max(m, RU) of its size; one that shuts down may drop from
  max(m, RD); the form of GenX's clustered ramp constraints)

Snapshot length Δt (``horizon.resolution_hours``): ramp limits allow RU_g·Δt between snapshots; minimum
up/down times span ⌈UT_g/Δt⌉, ⌈DT_g/Δt⌉ snapshots.

Non-cyclic horizon (``horizon.cyclic: false``): committed_units before the first snapshot = U0_g
(``initial_units_online``); units on (off) for h0_g < UT_g (DT_g) hours stay so for ⌈(UT_g − h0_g)/Δt⌉
(⌈(DT_g − h0_g)/Δt⌉) snapshots (``initial_hours_in_state``); minimum up/down windows do not reach
before the first snapshot; no ramp row into it (the output before it is not modelled).

Contributions
-------------
costs["startup"]  += Σ_{g,t} (o_t·(sc_g·S_g·startups[g,t] + dc_g·S_g·shutdowns[g,t]) + w_t·nc_g·S_g·committed_units[g,t])
emissions_t       += Σ_{g,t} (o_t·se_g·S_g·startups[g,t] + w_t·ne_g·S_g·committed_units[g,t])   (t CO2/year)
  o_t = w_t/Δt (``unit_commitment.startup_cost_weighting: per_event``: each start counted once per
  occurrence of its snapshot) or w_t (``snapshot_weight``, PyPSA's convention); equal when Δt = 1 h.
  dc_g: shut-down cost (currency/MW/shut-down).

Results: ``commitment_co2_t_per_h[g,t]`` = se_g·S_g·startups[g,t] + ne_g·S_g·committed_units[g,t]
(t per snapshot-hour; the carbon metrics allocate it, :mod:`planning.metrics.carbon`).

Prices of the integer model come from the LP re-solved with every integer fixed (see
:mod:`planning.optimization.solve`; ``prices_from`` in run.json's ``summary_facts``).
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks.capacity import is_fixed
from planning.optimization.context import ModelContext


def committed_plants(ctx: ModelContext) -> list[str]:
    """Thermal plants with unit commitment in this model."""
    inputs = ctx.inputs
    if "unit_size_mw" not in inputs or inputs.attrs.get("unit_commitment_mode", "off") == "off":
        return []
    size = ctx.plant_value("unit_size_mw")
    return [g for g in ctx.plants_of_kind("thermal") if not math.isnan(size[g])]


def window(previous: list[int], t: int, hours: int, period_length: int) -> list[int]:
    """t and the snapshots before it within its cycle, ``hours`` in all (at most the cycle's length)."""
    out = [t]
    for _ in range(min(hours, period_length) - 1):
        out.append(previous[out[-1]])
    return out


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    plants = committed_plants(ctx)
    model.COMMITTED = pyo.Set(initialize=plants, ordered=True)
    if not plants:
        return
    integer = inputs.attrs["unit_commitment_mode"] == "integer"
    domain = pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals
    T = ctx.snapshots
    weight = ctx.weight_h
    dt = ctx.duration_h
    # Start-ups and shut-downs are events: counted w_t/Δt times (per_event) or weighted like energy (snapshot_weight).
    per_event = ctx.occurrences() if inputs.attrs.get("startup_cost_weighting", "per_event") == "per_event" else weight
    previous = ctx.previous_in_operation()
    no_history = ctx.starts_history()
    period = ctx.operating_cycles()
    period_length = dict(zip(*np.unique(period, return_counts=True)))
    position = {str(p): i for i, p in enumerate(inputs["plant"].values)}
    availability = inputs["availability_per_unit"].values
    size = ctx.plant_value("unit_size_mw")
    stable = ctx.plant_value("min_stable_output")
    min_up = ctx.plant_value("min_up_h")
    min_down = ctx.plant_value("min_down_h")
    ramp_up = ctx.plant_value("ramp_up_per_h")
    ramp_down = ctx.plant_value("ramp_down_per_h")
    start_cost = ctx.plant_value("startup_cost_per_mw")
    start_co2 = ctx.plant_value("startup_emission_t_per_mw")
    no_load_cost = ctx.plant_value("no_load_cost_per_mw_h")
    no_load_co2 = ctx.plant_value("no_load_emission_t_per_mw_h")
    shutdown_cost = ctx.plant_value("shutdown_cost_per_mw") if "shutdown_cost_per_mw" in inputs else dict.fromkeys(plants, 0.0)
    existing = ctx.plant_value("existing_mw")
    fixed = {g: is_fixed(ctx, g) for g in plants}

    # Units available, as a constant or an expression of the built capacity.
    if integer and inputs.attrs.get("unit_commitment_integer_build", 1):
        growing = [g for g in plants if not fixed[g]]
        model.new_units = pyo.Var(growing, domain=pyo.NonNegativeIntegers)
        model.retired_units = pyo.Var(growing, domain=pyo.NonNegativeIntegers)
        model.whole_new_units = pyo.Constraint(growing, rule=lambda m, g: m.new_mw[g] == size[g] * m.new_units[g])
        model.whole_retired_units = pyo.Constraint(growing, rule=lambda m, g: m.retired_mw[g] == size[g] * m.retired_units[g])

    def units(g):
        return existing[g] / size[g] if fixed[g] else model.capacity_mw[g] / size[g]

    def commit_bounds(m, g, t):
        if fixed[g]:
            bound = existing[g] / size[g]
            return (0.0, math.floor(bound + 1e-9) if integer else bound)
        return (0.0, None)

    model.committed_units = pyo.Var(model.COMMITTED, T, domain=domain, bounds=commit_bounds)
    model.startups = pyo.Var(model.COMMITTED, T, domain=domain)
    model.shutdowns = pyo.Var(model.COMMITTED, T, domain=domain)
    u, su, sd, p = model.committed_units, model.startups, model.shutdowns, model.generation_mw

    model.commit_limit = pyo.Constraint([(g, t) for g in plants if not fixed[g] for t in T], rule=lambda m, g, t: u[g, t] <= units(g))
    online_0 = ctx.plant_value("initial_units_online") if no_history else {}
    model.commit_state = pyo.Constraint(
        model.COMMITTED, T,
        rule=lambda m, g, t: u[g, t] - (online_0[g] if t in no_history else u[g, previous[t]]) == su[g, t] - sd[g, t])
    up_steps = {g: ctx.hours_to_snapshots(min_up[g]) for g in plants}
    down_steps = {g: ctx.hours_to_snapshots(min_down[g]) for g in plants}

    def steps_back(t: int, steps: int) -> int:
        """The window length at t: ``steps``, at most the cycle, and not before the start of a non-cyclic horizon."""
        return min(steps, t + 1) if no_history else steps

    model.min_up = pyo.Constraint(
        [(g, t) for g in plants if up_steps[g] > 1 for t in T],
        rule=lambda m, g, t: pyo.quicksum(su[g, tau] for tau in window(previous, t, steps_back(t, up_steps[g]), period_length[period[t]]))
        <= u[g, t],
    )
    model.min_down = pyo.Constraint(
        [(g, t) for g in plants if down_steps[g] > 1 for t in T],
        rule=lambda m, g, t: pyo.quicksum(sd[g, tau] for tau in window(previous, t, steps_back(t, down_steps[g]), period_length[period[t]]))
        <= units(g) - u[g, t],
    )
    if no_history:
        _carry_initial_state(ctx, plants, online_0, up_steps, down_steps)
    model.commit_max_output = pyo.Constraint(
        model.COMMITTED, T, rule=lambda m, g, t: p[g, t] <= float(availability[position[g], t]) * size[g] * u[g, t]
    )
    model.commit_min_output = pyo.Constraint(
        [(g, t) for g in plants if stable[g] > 0 for t in T], rule=lambda m, g, t: p[g, t] >= stable[g] * size[g] * u[g, t]
    )

    def ramp_up_rule(m, g, t):
        S, low, ramp = size[g], stable[g], ramp_up[g] * dt
        return p[g, t] - p[g, previous[t]] <= ramp * S * (u[g, t] - su[g, t]) + max(low, ramp) * S * su[g, t] - low * S * sd[g, t]

    def ramp_down_rule(m, g, t):
        S, low, ramp = size[g], stable[g], ramp_down[g] * dt
        return p[g, previous[t]] - p[g, t] <= ramp * S * (u[g, t] - su[g, t]) - low * S * su[g, t] + max(low, ramp) * S * sd[g, t]

    # No ramp row into the first snapshot of a non-cyclic horizon (the output before it is not modelled).
    ramped = [t for t in T if t not in no_history]
    model.ramp_up = pyo.Constraint([(g, t) for g in plants if not math.isnan(ramp_up[g]) for t in ramped], rule=ramp_up_rule)
    model.ramp_down = pyo.Constraint([(g, t) for g in plants if not math.isnan(ramp_down[g]) for t in ramped], rule=ramp_down_rule)

    for g in plants:
        S = size[g]
        if start_cost[g]:
            ctx.costs["startup"].append(pyo.quicksum(per_event[t] * start_cost[g] * S * su[g, t] for t in T))
        if shutdown_cost[g]:
            ctx.costs["startup"].append(pyo.quicksum(per_event[t] * shutdown_cost[g] * S * sd[g, t] for t in T))
        if no_load_cost[g]:
            ctx.costs["startup"].append(pyo.quicksum(weight[t] * no_load_cost[g] * S * u[g, t] for t in T))
        if start_co2[g]:
            ctx.emissions_t.append(pyo.quicksum(per_event[t] * start_co2[g] * S * su[g, t] for t in T))
        if no_load_co2[g]:
            ctx.emissions_t.append(pyo.quicksum(weight[t] * no_load_co2[g] * S * u[g, t] for t in T))


def _carry_initial_state(ctx: ModelContext, plants: list[str], online_0: dict, up_steps: dict, down_steps: dict) -> None:
    """Non-cyclic horizon: units on (off) for fewer hours than their minimum up (down) time before the
    first snapshot stay on (off) until they have served it:
    committed_units[g,t] ≥ U0_g for t < ⌈(UT_g − h0_g)/Δt⌉;  committed_units[g,t] ≤ U0_g for t < ⌈(DT_g − h0_g)/Δt⌉."""
    model = ctx.model
    hours_0 = ctx.plant_value("initial_hours_in_state")
    min_up, min_down = ctx.plant_value("min_up_h"), ctx.plant_value("min_down_h")
    stay_on = [(g, t) for g in plants if online_0[g] > 0 and hours_0[g] < min_up[g]
               for t in range(min(len(ctx.snapshots), ctx.hours_to_snapshots(min_up[g] - hours_0[g])))]
    stay_off = [(g, t) for g in plants if hours_0[g] < min_down[g]
                for t in range(min(len(ctx.snapshots), ctx.hours_to_snapshots(min_down[g] - hours_0[g])))]
    model.initial_stay_on = pyo.Constraint(stay_on, rule=lambda m, g, t: m.committed_units[g, t] >= online_0[g])
    model.initial_stay_off = pyo.Constraint(stay_off, rule=lambda m, g, t: m.committed_units[g, t] <= online_0[g])


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model = ctx.model
    plants = list(model.COMMITTED)
    if not plants:
        return {}
    T = ctx.snapshots
    coords = {"plant": plants, "snapshot": ctx.inputs["snapshot"].values}

    def grid(var):
        return np.array([[var[g, t].value or 0.0 for t in T] for g in plants])

    committed, startups = grid(model.committed_units), grid(model.startups)
    size = ctx.plant_value("unit_size_mw")
    start_co2, no_load_co2 = ctx.plant_value("startup_emission_t_per_mw"), ctx.plant_value("no_load_emission_t_per_mw_h")
    # Per start, spread over the snapshot's hours so that Σ_t w_t·(...) is the block's CO2 (per_event: w_t/Δt starts).
    per_event_h = 1.0 / ctx.duration_h if ctx.inputs.attrs.get("startup_cost_weighting", "per_event") == "per_event" else 1.0
    per_start = np.array([[start_co2[g] * size[g] * per_event_h] for g in plants])
    per_hour = np.array([[no_load_co2[g] * size[g]] for g in plants])
    return {
        "committed_units": xr.DataArray(committed, coords=coords, dims=("plant", "snapshot")),
        "startups": xr.DataArray(startups, coords=coords, dims=("plant", "snapshot")),
        "shutdowns": xr.DataArray(grid(model.shutdowns), coords=coords, dims=("plant", "snapshot")),
        # se_g·S_g·startups + ne_g·S_g·committed_units (t per snapshot-hour; Σ_t w_t·(...) is this block's co2_t share)
        "commitment_co2_t_per_h": xr.DataArray(per_start * startups + per_hour * committed, coords=coords, dims=("plant", "snapshot"),
                                               attrs={"units": "t/h"}),
    }
