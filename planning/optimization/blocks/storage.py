"""Storage: energy capacity, charge/discharge, and state of charge.

Sets and data
-------------
S ⊂ P: storage plants; η^c_s, η^d_s: charge and discharge efficiency (0, 1];
E^e_s: existing energy (MWh), N̄^e_s: max new energy (MWh); d_min, d_max: duration limits (h);
prev(t): the snapshot before t in its storage cycle (the last one of the cycle for the first:
the state of charge is cyclic within each cycle — the whole horizon, a day or a week, per
``horizon.storage_cycle``). Snapshots are 1 h long (Δt = 1 h).

Variables
---------
new_mwh[s] ∈ [0, N̄^e_s], retired_mwh[s] ∈ [0, E^e_s if the plant may retire else 0]
charge_mw[s,t], discharge_mw[s,t], soc_mwh[s,t] ≥ 0

Constraints
-----------
energy_mwh[s] = E^e_s − retired_mwh[s] + new_mwh[s]
charge_mw[s,t] ≤ capacity_mw[s];  discharge_mw[s,t] ≤ capacity_mw[s];  soc_mwh[s,t] ≤ energy_mwh[s]
soc_mwh[s,t] = soc_mwh[s,prev(t)] + η^c_s·charge_mw[s,t]·Δt − discharge_mw[s,t]·Δt/η^d_s
d_min·capacity_mw[s] ≤ energy_mwh[s] ≤ d_max·capacity_mw[s]

Simultaneous charge and discharge is not excluded: with efficiencies < 1 it only loses energy,
which the optimizer does only when it must dump a surplus (curtailment is free, so it does not).

Contributions
-------------
injections[zone(s), t] += discharge_mw[s,t] − charge_mw[s,t]
costs["investment"] += Σ_s capex^e_s·CRF·new_mwh[s];  costs["fixed_om"] += Σ_s fom^e_s·energy_mwh[s]
costs["variable"]   += Σ_{s,t} w_t·vom_s·discharge_mw[s,t]
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

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

    model.new_mwh = pyo.Var(model.STORAGE, bounds=lambda m, s: (0.0, None if max_new[s] == float("inf") else max_new[s]))
    model.retired_mwh = pyo.Var(model.STORAGE, bounds=lambda m, s: (0.0, existing[s] if can_retire[s] else 0.0))
    model.energy_mwh = pyo.Expression(model.STORAGE, rule=lambda m, s: existing[s] - m.retired_mwh[s] + m.new_mwh[s])
    model.charge_mw = pyo.Var(model.STORAGE, T, bounds=(0.0, None))
    model.discharge_mw = pyo.Var(model.STORAGE, T, bounds=(0.0, None))
    model.soc_mwh = pyo.Var(model.STORAGE, T, bounds=(0.0, None))

    model.charge_limit = pyo.Constraint(model.STORAGE, T, rule=lambda m, s, t: m.charge_mw[s, t] <= m.capacity_mw[s])
    model.discharge_limit = pyo.Constraint(model.STORAGE, T, rule=lambda m, s, t: m.discharge_mw[s, t] <= m.capacity_mw[s])
    model.soc_limit = pyo.Constraint(model.STORAGE, T, rule=lambda m, s, t: m.soc_mwh[s, t] <= m.energy_mwh[s])
    model.soc_balance = pyo.Constraint(
        model.STORAGE,
        T,
        rule=lambda m, s, t: m.soc_mwh[s, t]
        == m.soc_mwh[s, previous[t]] + eta_c[s] * m.charge_mw[s, t] - m.discharge_mw[s, t] / eta_d[s],
    )
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
        "soc_mwh": xr.DataArray(grid(model.soc_mwh), coords=coords, dims=("plant", "snapshot")),
        "existing_mwh": xr.DataArray(existing, coords={"plant": stores}, dims="plant"),
        "new_mwh": xr.DataArray(new, coords={"plant": stores}, dims="plant"),
        "retired_mwh": xr.DataArray(retired, coords={"plant": stores}, dims="plant"),
        "energy_mwh": xr.DataArray(existing - retired + new, coords={"plant": stores}, dims="plant"),
    }
