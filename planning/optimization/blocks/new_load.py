"""A new, curtailable load of unknown size (used by ``planning headroom``; absent otherwise).

Data (from ``inputs``, set by :mod:`planning.workflows.headroom`)
----------------------------------------------------------------
s_t: shape of the new load (``new_load_shape``, per unit of its size, ≤ 1); z: its zone
(attr ``new_load_zone``); PUE (``new_load_pue``); b: curtailment budget (``new_load_budget``,
fraction of its energy); κ: deepest curtailment per hour (``new_load_max_curtail_fraction``);
X̄: largest size searched (``new_load_max_mw``); X_fix: a fixed size (``new_load_fixed_mw``,
NaN = free); w_t: weight (h); VOLL.

Variables
---------
new_load_mw ∈ [0, X̄] (or fixed at X_fix)       size of the new load (MW at shape 1)
new_load_curtailed_mw[t] ≥ 0                    power the new load gives up in t (MW, IT side)

Constraints
-----------
new_load_curtailed_mw[t] ≤ κ·s_t·new_load_mw                                   (depth)
Σ_t w_t·new_load_curtailed_mw[t] ≤ b·Σ_t w_t·s_t·new_load_mw                   (energy budget)

Contributions
-------------
withdrawals[z, t] += PUE·(s_t·new_load_mw − new_load_curtailed_mw[t])
costs["new_load_curtailment"] += Σ_t w_t·VOLL·new_load_curtailed_mw[t]   (curtail only when it avoids
  something dearer; the headroom search replaces the objective by max new_load_mw)
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    if "new_load_shape" not in inputs:
        return
    shape = inputs["new_load_shape"].values.astype(float)
    zone = str(inputs.attrs["new_load_zone"])
    pue = float(inputs.attrs["new_load_pue"])
    budget = float(inputs.attrs["new_load_budget"])
    depth = float(inputs.attrs["new_load_max_curtail_fraction"])
    fixed = float(inputs.attrs.get("new_load_fixed_mw", float("nan")))
    T, weight = ctx.snapshots, ctx.weight_h
    upper = float(inputs.attrs["new_load_max_mw"])
    model.new_load_mw = pyo.Var(bounds=(fixed, fixed) if not math.isnan(fixed) else (0.0, upper))
    model.new_load_curtailed_mw = pyo.Var(T, bounds=(0.0, None))
    x, c = model.new_load_mw, model.new_load_curtailed_mw
    model.new_load_depth = pyo.Constraint(T, rule=lambda m, t: c[t] <= depth * float(shape[t]) * x)
    energy = float(np.sum(weight * shape))
    model.new_load_budget = pyo.Constraint(expr=pyo.quicksum(weight[t] * c[t] for t in T) <= budget * energy * x)
    for t in T:
        ctx.withdrawals[zone, t].append(pue * (float(shape[t]) * x - c[t]))
    voll = float(inputs.attrs["voll_per_mwh"])
    ctx.costs["new_load_curtailment"].append(pyo.quicksum(weight[t] * voll * c[t] for t in T))


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    if not hasattr(model, "new_load_mw"):
        return {}
    T = ctx.snapshots
    coords = {"snapshot": inputs["snapshot"].values}
    return {
        "new_load_mw": xr.DataArray(float(model.new_load_mw.value or 0.0)),
        "new_load_curtailed_mw": xr.DataArray(np.array([model.new_load_curtailed_mw[t].value or 0.0 for t in T]), coords=coords, dims="snapshot"),
    }
