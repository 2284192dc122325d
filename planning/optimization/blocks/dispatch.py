"""Dispatch of thermal and variable-renewable plants.

Sets and data
-------------
G ⊂ P: thermal and variable plants; T: snapshots; w_t: snapshot weight (h);
a_{g,t}: availability per unit (capacity factor for variable plants, derating for thermal);
c_g: marginal cost (currency/MWh) = fuel price × heat rate + variable O&M;
e_g: emission factor (t CO2/MWh).

Variables
---------
generation_mw[g, t] ≥ 0   (MW)

Constraints
-----------
generation_mw[g, t] ≤ a_{g,t} · capacity_mw[g]      (a variable bound when capacity is fixed)

Curtailment of a variable plant is a_{g,t}·capacity_mw[g] − generation_mw[g, t] (≥ 0), reported.

Contributions
-------------
injections[zone(g), t] += generation_mw[g, t]
costs["variable"]      += Σ_{g,t} w_t · c_g · generation_mw[g, t]     (currency/year)
emissions_t            += Σ_{g,t} w_t · e_g · generation_mw[g, t]     (t CO2/year)

When can prices be negative (a sink have value)?
------------------------------------------------
Here every generation_mw[g,t] may fall to 0 at no extra cost (c_g ≥ 0, curtailment is free, no
ramp limits), as may storage discharge, corridor flows and unserved energy. So lowering any
zone's demand by ε never raises the cost: every balance dual (price) is ≥ 0 and an energy sink
has no value. A storage unit charging and discharging at once, or a corridor carrying power both
ways, only loses energy (η^c·η^d < 1, λ > 0) and never lowers the cost — the LP has an optimum
without it (take the simultaneous part out: the freed injection is absorbed by lowering an
injection of the same zone and hour). This ends when committed units have must-run output:
minimum stable output m_g > 0 or a ramp-down limit (:mod:`.commitment`). Then a surplus may have
to be absorbed, prices may be negative, and a lossy round trip is a free sink (measured in
``tests/optimization/test_storage_transmission.py``: 12000 $ → 3520 $ with a battery, 3600 $
with a corridor). :func:`must_run_in_milp` tells the storage and transmission blocks to exclude
the round trip exactly (binaries) in integer unit commitment; see their docstrings.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks.capacity import is_fixed
from planning.optimization.blocks.commitment import committed_plants
from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    generators = ctx.plants_of_kind("thermal", "variable")
    T = ctx.snapshots
    position = {str(p): i for i, p in enumerate(inputs["plant"].values)}
    availability = inputs["availability_per_unit"].values
    existing = ctx.plant_value("existing_mw")
    zone = ctx.plant_value("plant_zone")
    cost = ctx.plant_value("marginal_cost_per_mwh")
    emission = ctx.plant_value("emission_factor_t_per_mwh")
    fixed = {g: is_fixed(ctx, g) for g in generators}

    model.GENERATORS = pyo.Set(initialize=generators, ordered=True)

    def bounds(m, g, t):
        if fixed[g]:
            return (0.0, float(availability[position[g], t]) * existing[g])
        return (0.0, None)

    model.generation_mw = pyo.Var(model.GENERATORS, T, bounds=bounds)
    flexible = [(g, t) for g in generators if not fixed[g] for t in T]
    model.generation_limit = pyo.Constraint(
        flexible,
        rule=lambda m, g, t: m.generation_mw[g, t] <= float(availability[position[g], t]) * m.capacity_mw[g],
    )

    weight = ctx.weight_h
    for g in generators:
        variables = model.generation_mw
        for t in T:
            ctx.injections[zone[g], t].append(variables[g, t])
        if cost[g]:
            ctx.costs["variable"].append(pyo.quicksum((weight[t] * cost[g] * variables[g, t] for t in T)))
        if emission[g]:
            ctx.emissions_t.append(pyo.quicksum((weight[t] * emission[g] * variables[g, t] for t in T)))


def must_run_in_milp(ctx: ModelContext) -> bool:
    """True if the model is a MILP (integer unit commitment) in which committed units may have to run.

    Must-run output comes from a minimum stable output > 0 or a ramp-down limit of a committed
    plant; only then can a surplus need a sink (see the module docstring).
    """
    plants = committed_plants(ctx)
    if not plants or ctx.inputs.attrs.get("unit_commitment_mode") != "integer":
        return False
    stable = ctx.plant_value("min_stable_output")
    ramp_down = ctx.plant_value("ramp_down_per_h")
    return any(stable[g] > 0 or not np.isnan(ramp_down[g]) for g in plants)


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    generators = list(model.GENERATORS)
    T = ctx.snapshots
    generation = np.array([[model.generation_mw[g, t].value or 0.0 for t in T] for g in generators]).reshape(len(generators), len(T))
    availability = inputs["availability_per_unit"].sel(plant=generators).values
    capacity = np.array([pyo.value(model.capacity_mw[g]) for g in generators])
    kind = inputs["plant_kind"].sel(plant=generators).values
    curtailment = np.where((kind == "variable")[:, None], np.maximum(availability * capacity[:, None] - generation, 0.0), 0.0)
    coords = {"plant": generators, "snapshot": inputs["snapshot"].values}
    return {
        "generation_mw": xr.DataArray(generation, coords=coords, dims=("plant", "snapshot")),
        "curtailment_mw": xr.DataArray(curtailment, coords=coords, dims=("plant", "snapshot")),
    }
