"""Power capacity of every plant: new build, retirement, and their annual costs.

Sets and data
-------------
P: plants (all kinds). E_p: existing capacity (MW), N̄_p: max new (MW, may be ∞),
R_p ∈ {0, 1}: may retire. CRF: capital recovery factor (1/year).

Variables
---------
new_mw[p] ∈ [0, N̄_p], retired_mw[p] ∈ [0, R_p·E_p]   (MW)

Expressions
-----------
capacity_mw[p] = E_p − retired_mw[p] + new_mw[p]   (MW)

Costs (currency/year)
---------------------
investment += Σ_p capex_p · CRF_p · new_mw[p]
fixed_om   += Σ_p fom_p · capacity_mw[p]          (existing capacity's fixed O&M is a constant
                                                    unless retired; it is reported in total cost)
"""

from __future__ import annotations

import pyomo.environ as pyo
import xarray as xr

from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    plants = [str(p) for p in inputs["plant"].values]
    existing = ctx.plant_value("existing_mw")
    max_new = ctx.plant_value("max_new_mw")
    can_retire = ctx.plant_value("can_retire")
    capex = ctx.plant_value("annual_capex_per_mw")
    fixed_om = ctx.plant_value("fixed_om_per_mw_year")

    model.PLANTS = pyo.Set(initialize=plants, ordered=True)
    model.new_mw = pyo.Var(model.PLANTS, bounds=lambda m, p: (0.0, None if max_new[p] == float("inf") else max_new[p]))
    model.retired_mw = pyo.Var(model.PLANTS, bounds=lambda m, p: (0.0, existing[p] if can_retire[p] else 0.0))
    model.capacity_mw = pyo.Expression(model.PLANTS, rule=lambda m, p: existing[p] - m.retired_mw[p] + m.new_mw[p])

    ctx.costs["investment"].extend(capex[p] * model.new_mw[p] for p in plants if capex[p])
    ctx.costs["fixed_om"].extend(fixed_om[p] * model.capacity_mw[p] for p in plants if fixed_om[p])


def is_fixed(ctx: ModelContext, plant: str) -> bool:
    """True if the plant's capacity cannot change (no new build, no retirement)."""
    return ctx.model.new_mw[plant].ub == 0.0 and ctx.model.retired_mw[plant].ub == 0.0


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model = ctx.model
    plants = list(model.PLANTS)
    new = [model.new_mw[p].value or 0.0 for p in plants]
    retired = [model.retired_mw[p].value or 0.0 for p in plants]
    existing = ctx.inputs["existing_mw"].values
    coords = {"plant": plants}
    return {
        "existing_mw": xr.DataArray(existing, coords=coords, dims="plant"),
        "new_mw": xr.DataArray(new, coords=coords, dims="plant"),
        "retired_mw": xr.DataArray(retired, coords=coords, dims="plant"),
        "total_mw": xr.DataArray(existing - retired + new, coords=coords, dims="plant"),
    }
