"""Storage: energy capacity, charge/discharge, and state of charge.

Sets and data
-------------
S ⊂ P: storage plants; η^c_s, η^d_s: charge and discharge efficiency (0, 1];
E^e_s: existing energy (MWh), N̄^e_s: max new energy (MWh); d_min, d_max: duration limits (h);
prev(t): the snapshot before t in its storage cycle (the last one of the cycle for the first:
the state of charge is cyclic within each cycle — the whole horizon, a day or a week, per
``horizon.storage_cycle``). Δt: snapshot length (h, ``horizon.resolution_hours``). With
``horizon.cyclic: false`` the first snapshot starts from soc_0 = f^0_s·energy_mwh[s]
(``plants.<name>.initial_soc_fraction``) instead of the last, and the final state is free.

Variables
---------
new_mwh[s] ∈ [0, N̄^e_s], retired_mwh[s] ∈ [0, E^e_s if the plant may retire else 0]
charge_mw[s,t], discharge_mw[s,t], soc_mwh[s,t] ≥ 0

Constraints
-----------
energy_mwh[s] = E^e_s − retired_mwh[s] + new_mwh[s]
charge_mw[s,t] + discharge_mw[s,t] ≤ capacity_mw[s];  soc_mwh[s,t] ≤ energy_mwh[s]
soc_mwh[s,t] = soc_mwh[s,prev(t)] + η^c_s·charge_mw[s,t]·Δt − discharge_mw[s,t]·Δt/η^d_s   (soc_0 for the first
  snapshot of a non-cyclic horizon)
d_min·capacity_mw[s] ≤ energy_mwh[s] ≤ d_max·capacity_mw[s]

Representative periods with linked storage (Kotzur et al. 2018, ``link_storage``)
------------------------------------------------------------------------------
With representative periods k and the calendar sequence of periods i → k(i), soc_mwh[s,t] is
the state of charge *relative to the start of its period* (free sign; it starts from 0, so the
first hour has soc_mwh = η^c·charge − discharge/η^d), and the absolute level is carried across
the calendar:
soc_start_mwh[s,i+1] = soc_start_mwh[s,i] + soc_mwh[s, last hour of k(i)]   (cyclic over the year)
soc_high_mwh[s,k] ≥ soc_mwh[s,t], soc_low_mwh[s,k] ≤ soc_mwh[s,t] (t ∈ k), and ≥ 0 / ≤ 0
0 ≤ soc_start_mwh[s,i] + soc_low_mwh[s,k(i)];  soc_start_mwh[s,i] + soc_high_mwh[s,k(i)] ≤ energy_mwh[s]
soc_floor_mwh[s,k] ≤ soc_start_mwh[s,i] for every i with k(i) = k (a lower bound of the
absolute level, used by the reserves block: absolute ≥ soc_floor_mwh[s,k] + soc_mwh[s,t]).
Reported soc_mwh is absolute, in the calendar period each representative is labelled with.
This lets energy move between seasons; without linking (or in chronological runs) the state of
charge is cyclic within each period as above.

Charging and discharging in the same hour (no loss sink)
-------------------------------------------------------
With η^c·η^d < 1, charging c and discharging d in the same hour burns (c − η^c·η^d·c) MWh and
leaves the state of charge as it was: a free sink for a surplus. Whether it matters, per case:

* no unit commitment (and ``linear``/``integer`` without must-run output): prices are ≥ 0 and a
  sink has no value (argument in :mod:`.dispatch`); the LP has an optimum without it. Measured:
  ``test_without_commitment_a_sink_has_no_value`` (3400 $ with or without the battery).
* integer unit commitment with must-run output (minimum stable output or ramp-down limits;
  :func:`.dispatch.must_run_in_milp`): the sink is valuable. Measured on a 100 MW unit with
  60 MW minimum stable output and a 40 MW hour: 3520 $ with the sink (the unit stays on, the
  battery burns the surplus) vs 12000 $ without (it must shut down and restart). It is
  **prevented** exactly with one binary per storage and hour, charging[s,t] ∈ {0, 1}:
      charge_mw[s,t] ≤ M_s·charging[s,t];  discharge_mw[s,t] ≤ M_s·(1 − charging[s,t])
  M_s = existing + max new power (MW); if the power is unbounded, M_s = 2 × the system's peak
  withdrawal (Σ_z demand + data-center PUE × IT capacity) — an assumption, not a proof: it cuts off
  charging or discharging one unit faster than that, which only a surplus of more than the whole
  system's peak could use; bound max_new_mw to avoid it. Not added when η^c·η^d = 1 (a lossless round
  trip is no sink).
* ``linear`` unit commitment: an LP, so the exclusion cannot be exact; the row below is its
  LP relaxation (it holds at every point of the exact formulation, so linear UC stays a relaxation
  of integer UC). The sink is then bounded by the power, not removed (measured: 3504 $, below the
  integer 12000 $, ``test_linear_commitment_sink_is_bounded_by_power``).

Always: charge_mw[s,t] + discharge_mw[s,t] ≤ capacity_mw[s]  (one row; it implies each ≤ capacity,
and is what a converter can do within the hour: charge for part of it, discharge for the rest).

Contributions
-------------
injections[zone(s), t] += discharge_mw[s,t] − charge_mw[s,t]
costs["investment"] += Σ_s capex^e_s·CRF·new_mwh[s];  costs["fixed_om"] += Σ_s fom^e_s·energy_mwh[s]
costs["variable"]   += Σ_{s,t} w_t·vom_s·discharge_mw[s,t]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks.dispatch import must_run_in_milp
from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model = ctx.model
    stores = ctx.plants_of_kind("storage")
    model.STORAGE = pyo.Set(initialize=stores, ordered=True)
    T = ctx.snapshots
    if not stores:
        return
    zone = ctx.plant_value("plant_zone")
    existing = ctx.plant_value("existing_mwh")
    max_new = ctx.plant_value("max_new_mwh")
    can_retire = ctx.plant_value("can_retire")
    capex = ctx.plant_value("annual_capex_per_mwh")
    fixed_om = ctx.plant_value("fixed_om_per_mwh_year")
    vom = ctx.plant_value("marginal_cost_per_mwh")
    eta_c = ctx.plant_value("charge_efficiency")
    eta_d = ctx.plant_value("discharge_efficiency")
    d_min = ctx.plant_value("min_duration_h")
    d_max = ctx.plant_value("max_duration_h")
    previous = ctx.previous_in_period()
    linked = is_linked(ctx)
    first = {t for t in T if previous[t] >= t}

    model.new_mwh = pyo.Var(model.STORAGE, bounds=lambda m, s: (0.0, None if max_new[s] == float("inf") else max_new[s]))
    model.retired_mwh = pyo.Var(model.STORAGE, bounds=lambda m, s: (0.0, existing[s] if can_retire[s] else 0.0))
    model.energy_mwh = pyo.Expression(model.STORAGE, rule=lambda m, s: existing[s] - m.retired_mwh[s] + m.new_mwh[s])
    model.charge_mw = pyo.Var(model.STORAGE, T, bounds=(0.0, None))
    model.discharge_mw = pyo.Var(model.STORAGE, T, bounds=(0.0, None))
    model.soc_mwh = pyo.Var(model.STORAGE, T, bounds=(None, None) if linked else (0.0, None))

    model.power_limit = pyo.Constraint(
        model.STORAGE, T, rule=lambda m, s, t: m.charge_mw[s, t] + m.discharge_mw[s, t] <= m.capacity_mw[s]
    )
    if must_run_in_milp(ctx):
        _exclude_round_trip(ctx, [s for s in stores if eta_c[s] * eta_d[s] < 1.0])
    model.soc_limit = pyo.Constraint(
        model.STORAGE, [] if linked else T, rule=lambda m, s, t: m.soc_mwh[s, t] <= m.energy_mwh[s]
    )
    dt = ctx.duration_h
    initial = ctx.plant_value("initial_soc_fraction")
    no_history = ctx.starts_history()

    def before(m, s, t):
        """State of charge before snapshot t (MWh)."""
        if linked and t in first:
            return 0.0
        if t in no_history:
            return initial[s] * m.energy_mwh[s]
        return m.soc_mwh[s, previous[t]]

    model.soc_balance = pyo.Constraint(
        model.STORAGE,
        T,
        rule=lambda m, s, t: m.soc_mwh[s, t] == before(m, s, t) + dt * (eta_c[s] * m.charge_mw[s, t] - m.discharge_mw[s, t] / eta_d[s]),
    )
    if linked:
        _link_periods(ctx, stores)
    model.min_duration = pyo.Constraint(
        [s for s in stores if d_min[s] > 0], rule=lambda m, s: m.energy_mwh[s] >= d_min[s] * m.capacity_mw[s]
    )
    model.max_duration = pyo.Constraint(
        [s for s in stores if d_max[s] != float("inf")], rule=lambda m, s: m.energy_mwh[s] <= d_max[s] * m.capacity_mw[s]
    )

    weight = ctx.weight_h
    for s in stores:
        for t in T:
            ctx.injections[zone[s], t].extend((model.discharge_mw[s, t], -model.charge_mw[s, t]))
        if capex[s]:
            ctx.costs["investment"].append(capex[s] * model.new_mwh[s])
        if fixed_om[s]:
            ctx.costs["fixed_om"].append(fixed_om[s] * model.energy_mwh[s])
        if vom[s]:
            ctx.costs["variable"].append(pyo.quicksum((weight[t] * vom[s] * model.discharge_mw[s, t] for t in T)))


def _exclude_round_trip(ctx: ModelContext, stores: list[str]) -> None:
    """charging[s,t] ∈ {0,1}: charge only when 1, discharge only when 0 (see the module docstring)."""
    model = ctx.model
    if not stores:
        return
    existing = ctx.plant_value("existing_mw")
    max_new = ctx.plant_value("max_new_mw")
    big_m = {s: existing[s] + max_new[s] for s in stores}
    if any(math.isinf(value) for value in big_m.values()):
        peak = ctx.inputs["demand_mw"].sum("zone")
        if "dc_it_capacity_mw" in ctx.inputs:
            peak = peak + (ctx.inputs["dc_pue"] * ctx.inputs["dc_it_capacity_mw"]).sum("datacenter")
        unbounded = 2.0 * float(peak.max())
        big_m = {s: unbounded if math.isinf(value) else value for s, value in big_m.items()}
    T = ctx.snapshots
    model.charging = pyo.Var(stores, T, domain=pyo.Binary)
    model.charge_only_when_charging = pyo.Constraint(
        stores, T, rule=lambda m, s, t: m.charge_mw[s, t] <= big_m[s] * m.charging[s, t])
    model.discharge_only_when_not_charging = pyo.Constraint(
        stores, T, rule=lambda m, s, t: m.discharge_mw[s, t] <= big_m[s] * (1 - m.charging[s, t]))


def is_linked(ctx: ModelContext) -> bool:
    """True if storage is linked across the calendar sequence of representative periods."""
    return bool(ctx.inputs.attrs.get("link_storage", 0)) and "representative_of_period" in ctx.inputs


def _link_periods(ctx: ModelContext, stores: list[str]) -> None:
    model = ctx.model
    sequence = [int(k) for k in ctx.inputs["representative_of_period"].values]
    period = ctx.inputs["period"].values
    representatives = sorted(set(int(k) for k in period))
    last = {k: int(np.flatnonzero(period == k)[-1]) for k in representatives}
    hours = {k: np.flatnonzero(period == k).tolist() for k in representatives}
    calendar = range(len(sequence))
    model.soc_start_mwh = pyo.Var(model.STORAGE, calendar)
    model.soc_high_mwh = pyo.Var(model.STORAGE, representatives, bounds=(0.0, None))
    model.soc_low_mwh = pyo.Var(model.STORAGE, representatives, bounds=(None, 0.0))
    model.soc_floor_mwh = pyo.Var(model.STORAGE, representatives)
    model.soc_link = pyo.Constraint(
        model.STORAGE, calendar,
        rule=lambda m, s, i: m.soc_start_mwh[s, (i + 1) % len(sequence)] == m.soc_start_mwh[s, i] + m.soc_mwh[s, last[sequence[i]]],
    )
    pairs = [(s, k, t) for s in stores for k in representatives for t in hours[k]]
    model.soc_high = pyo.Constraint(pairs, rule=lambda m, s, k, t: m.soc_high_mwh[s, k] >= m.soc_mwh[s, t])
    model.soc_low = pyo.Constraint(pairs, rule=lambda m, s, k, t: m.soc_low_mwh[s, k] <= m.soc_mwh[s, t])
    model.soc_start_low = pyo.Constraint(
        model.STORAGE, calendar, rule=lambda m, s, i: m.soc_start_mwh[s, i] + m.soc_low_mwh[s, sequence[i]] >= 0.0
    )
    model.soc_start_high = pyo.Constraint(
        model.STORAGE, calendar, rule=lambda m, s, i: m.soc_start_mwh[s, i] + m.soc_high_mwh[s, sequence[i]] <= m.energy_mwh[s]
    )
    model.soc_floor = pyo.Constraint(
        model.STORAGE, calendar, rule=lambda m, s, i: m.soc_floor_mwh[s, sequence[i]] <= m.soc_start_mwh[s, i]
    )


def absolute_soc_lower_bound(ctx: ModelContext, store: str, t: int):
    """An expression ≤ the absolute state of charge of ``store`` at the end of snapshot ``t`` (MWh)."""
    model = ctx.model
    if hasattr(model, "soc_floor_mwh"):
        return model.soc_floor_mwh[store, int(ctx.inputs["period"].values[t])] + model.soc_mwh[store, t]
    return model.soc_mwh[store, t]


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    stores = list(model.STORAGE)
    if not stores:
        return {}
    T = ctx.snapshots

    def grid(var):
        return np.array([[var[s, t].value or 0.0 for t in T] for s in stores])

    coords = {"plant": stores, "snapshot": inputs["snapshot"].values}
    existing = inputs["existing_mwh"].sel(plant=stores).values
    new = np.array([model.new_mwh[s].value or 0.0 for s in stores])
    retired = np.array([model.retired_mwh[s].value or 0.0 for s in stores])
    return {
        "charge_mw": xr.DataArray(grid(model.charge_mw), coords=coords, dims=("plant", "snapshot")),
        "discharge_mw": xr.DataArray(grid(model.discharge_mw), coords=coords, dims=("plant", "snapshot")),
        "soc_mwh": xr.DataArray(_absolute_soc(ctx, stores, grid(model.soc_mwh)), coords=coords, dims=("plant", "snapshot")),
        "existing_mwh": xr.DataArray(existing, coords={"plant": stores}, dims="plant"),
        "new_mwh": xr.DataArray(new, coords={"plant": stores}, dims="plant"),
        "retired_mwh": xr.DataArray(retired, coords={"plant": stores}, dims="plant"),
        "energy_mwh": xr.DataArray(existing - retired + new, coords={"plant": stores}, dims="plant"),
    }


def _absolute_soc(ctx: ModelContext, stores: list[str], relative: np.ndarray) -> np.ndarray:
    """Linked storage: relative SOC + the start level of the calendar period each representative is labelled with."""
    model, inputs = ctx.model, ctx.inputs
    if not hasattr(model, "soc_start_mwh"):
        return relative
    starts = pd.DatetimeIndex(inputs["period_start"].values)
    label = pd.DatetimeIndex(inputs["snapshot"].values)
    period = inputs["period"].values
    absolute = relative.copy()
    for k in np.unique(period):
        hours = np.flatnonzero(period == k)
        calendar = int(starts.get_loc(label[hours[0]]))
        for i, s in enumerate(stores):
            absolute[i, hours] += model.soc_start_mwh[s, calendar].value or 0.0
    return absolute
