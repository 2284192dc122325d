"""Linearised DC power flow: Kirchhoff's voltage law for the corridors with ``model: dc_power_flow``.

The transport block (:mod:`.transmission`) gives every corridor its flow, limit, expansion and
balance terms; this block adds, for the AC lines only, the law that decides how power divides
between parallel paths. Transport corridors (interfaces, DC links) stay controllable and take no
part in it.

Sets and data
-------------
AC ⊆ L: corridors with ``model: dc_power_flow``; x_l: series reactance (per unit on
``power_flow.base_mva``); a_{l,t} ∈ [0, 1]: availability of the line (``line_availability`` from
``stress:`` line outages, else 1). A line that has lost a share 1 − a of its circuits keeps the
share a of its susceptance: x_{l,t} = x_l / a_{l,t}; a line with a_{l,t} = 0 is open and leaves the
network in that hour (its flow is 0 through :mod:`.line_outage`). Hours with the same availability
of the AC lines share one topology, whose rows are computed once.

f_{l,t} = flow_forward_mw[l,t] − flow_backward_mw[l,t] (MW, from ``from_zone`` to ``to_zone``).

DC power flow (lossless): f_{l,t} = (θ_{from(l),t} − θ_{to(l),t}) / x_{l,t} with bus angles θ.
Eliminating the angles leaves Kirchhoff's voltage law, written in one of two equivalent ways
(``power_flow.formulation``):

``cycles`` (default; Hörsch, Ronellenfitsch, Witthaut & Brown 2018, "Linear optimal power flow
using cycle flows", Electric Power Systems Research 158, 126–135, doi:10.1016/j.epsr.2017.12.034)
    For each cycle c of a cycle basis of the graph of the AC lines (``networkx.cycle_basis``:
    |AC| − |zones| + |components| independent loops) and each snapshot t:

        Σ_{l ∈ c} σ_{c,l} · x_{l,t} · f_{l,t} = 0          (σ = +1 if l runs along the cycle, −1 against)

    The angle differences around a loop add to zero. Each row is divided by its largest x_{l,t}
    (dimensionless coefficients, order 1).

``ptdf``
    With the incidence matrix A (A_{l,n} = +1 at from(l), −1 at to(l)), B = Aᵀ·diag(1/x)·A and a
    slack zone per connected component, the power transfer distribution factors are
    PTDF = diag(1/x)·A_r·B_r⁻¹ (slack column 0). The net injection of zone n into the AC network is
    p_{n,t} = Σ_l A_{l,n}·f_{l,t} (by the zonal balance: generation − load ± storage and transport
    imports of the zone), and the flows are those the PTDF gives for it: f_t = PTDF·p_t, i.e.

        f_{k,t} − Σ_{l ∈ AC} (PTDF·Aᵀ)_{k,l} · f_{l,t} = 0     for each line k outside a spanning tree

    (the rows of the lines in the tree follow from these: the full set has rank |cycles|). Writing
    p through the flows keeps the zonal balance rows, so their duals are the nodal prices in both
    formulations; the rows are dense (every AC line of the component).

Both formulations give the same set of feasible flows, hence the same optimum
(``tests/optimization/test_power_flow.py``: to 1e-9). A network without loops of AC lines (radial)
adds no row: the DC power flow then equals the transport model.

Line expansion: ``new_line_mw`` raises the limit |f_{l,t}| ≤ C_l + new_line_mw[l] of the transport
block; **the reactance stays x_l**. Physically, reinforcing a line (more circuits) lowers its
reactance and draws more flow onto it; keeping x fixed keeps the model linear. PyPSA does the same
in its linear optimal power flow (``s_nom_extendable`` lines keep ``x``; its
``optimize_transmission_expansion_iteratively`` re-solves with updated impedances), and so does
GenX (``dcopf_transmission!``: the flow–angle coefficient V²/X is fixed while continuous expansion
raises only the flow limit). Re-run with updated reactances when a line is expanded much.

No contributions to balance or cost.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.context import ModelContext

FORMULATIONS = ("cycles", "ptdf")


def ac_lines(inputs: xr.Dataset) -> list[str]:
    """The corridors with ``model: dc_power_flow`` (a finite ``line_reactance_pu``)."""
    if "line_reactance_pu" not in inputs or not inputs.sizes.get("line", 0):
        return []
    reactance = inputs["line_reactance_pu"].values.astype(float)
    return [str(line) for line, x in zip(inputs["line"].values, reactance) if np.isfinite(x)]


def kirchhoff_rows(reactance_pu: dict[str, float], ends: dict[str, tuple[str, str]], formulation: str = "cycles") -> list[dict[str, float]]:
    """The rows of Kirchhoff's voltage law for one topology: each a mapping line → coefficient of its
    flow f_l, with Σ_l coefficient·f_l = 0.

    Parameters
    ----------
    reactance_pu
        The AC lines in service and their (effective) reactances (per unit).
    ends
        (from_zone, to_zone) of each line.
    formulation
        ``cycles`` or ``ptdf`` (see the module docstring).
    """
    import networkx as nx

    if formulation not in FORMULATIONS:
        raise ValueError(f"power_flow.formulation: unknown formulation {formulation!r} (one of {', '.join(FORMULATIONS)})")
    graph = nx.Graph()
    for line, x in reactance_pu.items():
        graph.add_edge(*ends[line], line=line)
    rows: list[dict[str, float]] = []
    if formulation == "cycles":
        for cycle in nx.cycle_basis(graph):
            row = {}
            for a, b in zip(cycle, cycle[1:] + cycle[:1]):
                line = graph.edges[a, b]["line"]
                row[line] = (1.0 if ends[line] == (a, b) else -1.0) * reactance_pu[line]
            rows.append(_scaled(row))
        return rows
    for component in nx.connected_components(graph):
        sub = graph.subgraph(component)
        lines = [data["line"] for _, _, data in sub.edges(data=True)]
        buses = list(sub.nodes)
        if len(lines) < len(buses):   # a tree: no loop, no row
            continue
        position = {bus: i for i, bus in enumerate(buses)}
        incidence = np.zeros((len(lines), len(buses)))
        for i, line in enumerate(lines):
            incidence[i, position[ends[line][0]]] = 1.0
            incidence[i, position[ends[line][1]]] = -1.0
        susceptance = np.array([1.0 / reactance_pu[line] for line in lines])
        bus_susceptance = incidence.T @ (susceptance[:, None] * incidence)
        ptdf = np.zeros((len(lines), len(buses)))   # slack: buses[0]
        ptdf[:, 1:] = np.linalg.solve(bus_susceptance[1:, 1:], (susceptance[:, None] * incidence[:, 1:]).T).T
        redistribution = ptdf @ incidence.T          # f = PTDF·Aᵀ·f for flows obeying the voltage law
        tree = {data["line"] for _, _, data in nx.minimum_spanning_tree(sub).edges(data=True)}
        for k, line in enumerate(lines):
            if line in tree:
                continue
            coefficients = -redistribution[k].copy()
            coefficients[k] += 1.0
            largest = np.abs(coefficients).max()
            rows.append(_scaled({lines[i]: float(c) for i, c in enumerate(coefficients) if abs(c) > 1e-12 * largest}))
    return rows


def _scaled(row: dict[str, float]) -> dict[str, float]:
    largest = max(abs(c) for c in row.values())
    return {line: c / largest for line, c in row.items()}


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    lines = ac_lines(inputs)
    if not lines or not hasattr(model, "flow_forward_mw"):
        return
    formulation = str(inputs.attrs.get("power_flow_formulation", "cycles"))
    reactance = dict(zip(lines, inputs["line_reactance_pu"].sel(line=lines).values.astype(float)))
    ends = {line: (str(inputs["line_from"].sel(line=line).item()), str(inputs["line_to"].sel(line=line).item())) for line in lines}
    if "line_availability" in inputs:
        availability = inputs["line_availability"].sel(line=lines).values.astype(float)
    else:
        availability = np.ones((len(lines), len(ctx.snapshots)))
    topologies: dict[tuple, list[int]] = {}
    for t in ctx.snapshots:
        topologies.setdefault(tuple(np.round(availability[:, t], 12)), []).append(t)
    coefficients: list[dict[str, float]] = []
    index: list[tuple[int, int]] = []
    for shares, snapshots in topologies.items():
        in_service = {line: reactance[line] / share for line, share in zip(lines, shares) if share > 0}
        for row in kirchhoff_rows(in_service, ends, formulation):
            coefficients.append(row)
            index += [(len(coefficients) - 1, t) for t in snapshots]
    if not index:
        return
    model.KIRCHHOFF_ROWS = pyo.Set(initialize=index, dimen=2, ordered=True)
    model.kirchhoff_voltage_law = pyo.Constraint(
        model.KIRCHHOFF_ROWS,
        rule=lambda m, r, t: pyo.quicksum(c * (m.flow_forward_mw[line, t] - m.flow_backward_mw[line, t]) for line, c in coefficients[r].items()) == 0,
    )


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    inputs = ctx.inputs
    if "line_reactance_pu" not in inputs or not inputs.sizes.get("line", 0):
        return {}
    return {"line_reactance_pu": inputs["line_reactance_pu"].astype(float)}
