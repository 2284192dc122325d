"""Transport model of transmission corridors, with optional linear losses.

Sets and data
-------------
L: corridors from zone f(l) to zone o(l); C_l: existing capability (MW each direction);
N̄_l: max new (MW); λ_l: loss fraction; k_l: annual cost of new capability (currency/MW/year).

Variables
---------
new_line_mw[l] ∈ [0, N̄_l];  flow_forward_mw[l,t], flow_backward_mw[l,t] ≥ 0 (sent, MW)

Constraints
-----------
flow_forward_mw[l,t] + flow_backward_mw[l,t] ≤ C_l + new_line_mw[l]
(one row; with the bounds ≥ 0 it implies each direction ≤ the capability; each direction is also
a variable bound ≤ C_l when the corridor cannot be expanded)

Flows both ways at once (no loss sink)
--------------------------------------
With λ_l > 0, sending f one way and b the other in the same hour loses λ_l·(f + b) MW: a free
sink for a surplus. Without must-run output prices are ≥ 0 and the sink has no value (argument in
:mod:`.dispatch`; ``test_without_commitment_a_sink_has_no_value``: 3400 $ with or without the
corridor). With integer unit commitment and must-run output (:func:`.dispatch.must_run_in_milp`)
it has (measured: a 60 MW minimum stable output in a 40 MW hour costs 3600 $ through a lossy
corridor to an empty zone vs 12000 $ without), so it is **prevented** exactly with one binary per
lossy corridor and hour, forward[l,t] ∈ {0, 1}:
    flow_forward_mw[l,t] ≤ (C_l + N̄_l)·forward[l,t];  flow_backward_mw[l,t] ≤ (C_l + N̄_l)·(1 − forward[l,t])
In ``linear`` unit commitment (an LP) only the row above holds — the LP relaxation of the
exclusion, so the sink is bounded by the capability, not removed. Lossless corridors need no
binary (a round trip loses nothing).

Contributions
-------------
injections[f(l), t] += −flow_forward_mw[l,t] + (1 − λ_l)·flow_backward_mw[l,t]
injections[o(l), t] += (1 − λ_l)·flow_forward_mw[l,t] − flow_backward_mw[l,t]
costs["investment"] += Σ_l k_l·new_line_mw[l]

Reported ``flow_mw`` = forward − backward, measured at the sending end of the forward direction.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks.dispatch import must_run_in_milp
from planning.optimization.context import ModelContext


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    lines = [str(line) for line in inputs["line"].values]
    model.LINES = pyo.Set(initialize=lines, ordered=True)
    if not lines:
        return
    T = ctx.snapshots
    data = {line: {key: inputs[key].sel(line=line).item() for key in (
        "line_from", "line_to", "line_existing_mw", "line_max_new_mw", "line_annual_cost_per_mw", "line_loss_fraction")}
        for line in lines}

    model.new_line_mw = pyo.Var(model.LINES, bounds=lambda m, line: (0.0, data[line]["line_max_new_mw"]))

    def flow_bounds(m, line, t):
        d = data[line]
        return (0.0, d["line_existing_mw"] if d["line_max_new_mw"] == 0 else None)

    model.flow_forward_mw = pyo.Var(model.LINES, T, bounds=flow_bounds)
    model.flow_backward_mw = pyo.Var(model.LINES, T, bounds=flow_bounds)
    model.flow_limit = pyo.Constraint(
        model.LINES, T, rule=lambda m, line, t: m.flow_forward_mw[line, t] + m.flow_backward_mw[line, t]
        <= data[line]["line_existing_mw"] + m.new_line_mw[line]
    )
    lossy = [line for line in lines if data[line]["line_loss_fraction"] > 0]
    if lossy and must_run_in_milp(ctx):
        big_m = {line: data[line]["line_existing_mw"] + data[line]["line_max_new_mw"] for line in lossy}
        model.forward = pyo.Var(lossy, T, domain=pyo.Binary)
        model.forward_only_when_forward = pyo.Constraint(
            lossy, T, rule=lambda m, line, t: m.flow_forward_mw[line, t] <= big_m[line] * m.forward[line, t])
        model.backward_only_when_backward = pyo.Constraint(
            lossy, T, rule=lambda m, line, t: m.flow_backward_mw[line, t] <= big_m[line] * (1 - m.forward[line, t]))
    for line in lines:
        d = data[line]
        keep = 1.0 - d["line_loss_fraction"]
        for t in T:
            forward, backward = model.flow_forward_mw[line, t], model.flow_backward_mw[line, t]
            ctx.injections[d["line_from"], t].extend((-forward, keep * backward))
            ctx.injections[d["line_to"], t].extend((keep * forward, -backward))
        if d["line_annual_cost_per_mw"] and d["line_max_new_mw"] > 0:
            ctx.costs["investment"].append(d["line_annual_cost_per_mw"] * model.new_line_mw[line])


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    lines = list(model.LINES)
    if not lines:
        return {}
    T = ctx.snapshots
    new = np.array([model.new_line_mw[l].value or 0.0 for l in lines])
    existing = inputs["line_existing_mw"].values
    zones = ctx.zones
    net_import = np.zeros((len(zones), len(T)))
    for i, l in enumerate(lines):
        keep = 1.0 - inputs["line_loss_fraction"].sel(line=l).item()
        forward = np.array([model.flow_forward_mw[l, t].value or 0.0 for t in T])
        backward = np.array([model.flow_backward_mw[l, t].value or 0.0 for t in T])
        net_import[zones.index(inputs["line_from"].sel(line=l).item())] += keep * backward - forward
        net_import[zones.index(inputs["line_to"].sel(line=l).item())] += keep * forward - backward
    flow = np.array([[(model.flow_forward_mw[l, t].value or 0.0) - (model.flow_backward_mw[l, t].value or 0.0) for t in T] for l in lines])
    coords = {"line": lines}
    return {
        "net_import_mw": xr.DataArray(net_import, coords={"zone": zones, "snapshot": inputs["snapshot"].values}, dims=("zone", "snapshot")),
        "flow_mw": xr.DataArray(flow, coords={**coords, "snapshot": inputs["snapshot"].values}, dims=("line", "snapshot")),
        "line_existing_mw": xr.DataArray(existing, coords=coords, dims="line"),
        "line_new_mw": xr.DataArray(new, coords=coords, dims="line"),
        "line_total_mw": xr.DataArray(existing + new, coords=coords, dims="line"),
    }
