"""Unserved energy (load shedding) at the value of lost load, and elastic slacks for diagnosis.

Data
----
D_{z,t}: demand (MW); VOLL: value of lost load (currency/MWh); w_t: weight (h).

Variables
---------
unserved_mw[z,t] ∈ [0, D_{z,t} + data-center demand bound]   (only if unserved energy is allowed)

In *elastic* mode (used only to diagnose an infeasible model) two more slacks per zone and hour
enter the balance with a penalty of 10 × VOLL: ``shortfall_mw`` (missing supply) and
``surplus_mw`` (supply that cannot be absorbed). Non-zero slacks name the zones and hours where
the original model cannot balance.

Contributions
-------------
injections[z,t] += unserved_mw[z,t] (+ shortfall_mw[z,t] − surplus_mw[z,t] when elastic)
costs["unserved"] += Σ_{z,t} w_t·VOLL·unserved_mw[z,t]
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    zones, T, weight = ctx.zones, ctx.snapshots, ctx.weight_h
    voll = float(inputs.attrs["voll_per_mwh"])
    model.ZONES = pyo.Set(initialize=zones, ordered=True)
    if inputs.attrs["allow_unserved_energy"]:
        model.unserved_mw = pyo.Var(model.ZONES, T, bounds=(0.0, None))
        for z in zones:
            for t in T:
                ctx.injections[z, t].append(model.unserved_mw[z, t])
            ctx.costs["unserved"].append(pyo.quicksum((weight[t] * voll * model.unserved_mw[z, t] for t in T)))
    if ctx.elastic:
        penalty = 10.0 * voll
        model.shortfall_mw = pyo.Var(model.ZONES, T, bounds=(0.0, None))
        model.surplus_mw = pyo.Var(model.ZONES, T, bounds=(0.0, None))
        for z in zones:
            for t in T:
                ctx.injections[z, t].extend((model.shortfall_mw[z, t], -model.surplus_mw[z, t]))
            ctx.costs["elastic"].append(
                pyo.quicksum((weight[t] * penalty * (model.shortfall_mw[z, t] + model.surplus_mw[z, t]) for t in T))
            )


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    zones, T = ctx.zones, ctx.snapshots
    coords = {"zone": zones, "snapshot": inputs["snapshot"].values}
    if hasattr(model, "unserved_mw"):
        values = np.array([[model.unserved_mw[z, t].value or 0.0 for t in T] for z in zones])
    else:
        values = np.zeros((len(zones), len(T)))
    out = {"unserved_mw": xr.DataArray(values, coords=coords, dims=("zone", "snapshot"))}
    if ctx.elastic:
        for name in ("shortfall_mw", "surplus_mw"):
            var = getattr(model, name)
            out[name] = xr.DataArray(np.array([[var[z, t].value or 0.0 for t in T] for z in zones]), coords=coords, dims=("zone", "snapshot"))
    return out
