"""CO2 policy: a price on emissions in the objective and/or a cap on them.

Data
----
π: CO2 price (currency/t); Cap: CO2 cap over the weighted horizon (t, per year when the
horizon is scaled to a year); emissions_t: the terms registered by other blocks (t CO2).

Expressions and constraints
---------------------------
co2_t = Σ emissions_t                                       (t CO2/year)
costs["co2"] += π · co2_t
co2_t ≤ Cap  (+ co2_cap_slack_t in elastic mode, penalised at 10 × VOLL per t)

The dual of the cap (currency/t) is the implied CO2 price, reported in summary.csv.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo
import xarray as xr

from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    model.co2_t = pyo.Expression(expr=pyo.quicksum(ctx.emissions_t) if ctx.emissions_t else 0.0)
    price = float(inputs.attrs["co2_price_per_t"])
    if price:
        ctx.costs["co2"].append(price * model.co2_t)
    cap = float(inputs.attrs["co2_cap_t"])
    if not math.isnan(cap):
        body = model.co2_t
        if ctx.elastic:
            model.co2_cap_slack_t = pyo.Var(bounds=(0.0, None))
            ctx.costs["elastic"].append(10.0 * float(inputs.attrs["voll_per_mwh"]) * model.co2_cap_slack_t)
            body = body - model.co2_cap_slack_t
        model.co2_cap = pyo.Constraint(expr=body <= cap)


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model = ctx.model
    out = {"co2_t": xr.DataArray(float(pyo.value(model.co2_t)))}
    if hasattr(model, "co2_cap_slack_t"):
        out["co2_cap_slack_t"] = xr.DataArray(model.co2_cap_slack_t.value or 0.0)
    return out
