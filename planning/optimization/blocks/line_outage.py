"""Transmission outages: time-varying corridor capability (from ``stress:`` line_outage events).

Data
----
a_{l,t} ∈ [0, 1]: availability of corridor l in snapshot t (``line_availability``; absent = 1);
C_l: existing capability (MW); new_line_mw[l] (MW, from the transmission block).

Constraints (only where a_{l,t} < 1)
------------------------------------
flow_forward_mw[l,t] ≤ a_{l,t}·(C_l + new_line_mw[l]);  flow_backward_mw[l,t] ≤ a_{l,t}·(C_l + new_line_mw[l])

No contributions to balance or cost.
"""

from __future__ import annotations

import pyomo.environ as pyo
import xarray as xr

from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    if "line_availability" not in inputs or not hasattr(model, "flow_forward_mw"):
        return
    lines = [str(line) for line in inputs["line"].values]
    availability = inputs["line_availability"].values
    existing = {line: float(v) for line, v in zip(lines, inputs["line_existing_mw"].values)}
    derated = [(line, t) for i, line in enumerate(lines) for t in ctx.snapshots if availability[i, t] < 1.0]
    share = {(line, t): float(availability[lines.index(line), t]) for line, t in derated}
    model.line_outage_forward = pyo.Constraint(
        derated, rule=lambda m, line, t: m.flow_forward_mw[line, t] <= share[line, t] * (existing[line] + m.new_line_mw[line]))
    model.line_outage_backward = pyo.Constraint(
        derated, rule=lambda m, line, t: m.flow_backward_mw[line, t] <= share[line, t] * (existing[line] + m.new_line_mw[line]))


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    return {}
