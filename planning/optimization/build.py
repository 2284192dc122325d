"""Build the planning model: the blocks in order, then the zonal balance and the objective.

Adding a constraint family = one module in :mod:`planning.optimization.blocks` with
``add(ctx)`` and ``results(ctx)``, and one line in :data:`BLOCKS`.

Balance (per zone z and snapshot t, MW)
---------------------------------------
Σ injections[z,t] = D_{z,t} + Σ withdrawals[z,t]        (dual / w_t = price, currency/MWh)

Objective (currency/year)
-------------------------
min Σ_categories Σ costs[category]  — investment (annualised), fixed O&M, variable (fuel +
O&M, weighted), CO2 price, unserved energy at VOLL (and elastic penalties when diagnosing)
    + Σ tie-breaks (``ctx.extras["tie_breaks"]``: tiny terms that pick one of equal-cost solutions,
      e.g. smooth data-center schedules; not costs, so not in any category or reported cost). An LP
      applies them lexicographically by default (``solver.tie_break``, :mod:`planning.optimization.tie_break`):
      min Σ costs first, then min Σ tie-breaks over its optimal face.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks import (
    capacity,
    commitment,
    datacenter,
    datacenter_siting,
    dispatch,
    line_outage,
    policy,
    power_flow,
    reserves,
    storage,
    transmission,
    unserved,
    workload_shifting,
)
from planning.optimization.context import ModelContext

#: Blocks in build order. Policy comes after every block that registers emissions; reserves after every
#: block that withdraws load (data centers), since the reserve requirements cover that load.
BLOCKS: list[ModuleType] = [capacity, dispatch, commitment, storage, transmission, line_outage, power_flow, datacenter, datacenter_siting, workload_shifting,
                           reserves, unserved, policy]


@contextmanager
def paused_gc():
    """Pause Python's cyclic garbage collector (building many small objects is ~2× faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class BuiltModel:
    """A built model with its context and how long it took."""

    ctx: ModelContext
    build_s: float

    @property
    def model(self) -> pyo.ConcreteModel:
        return self.ctx.model


def build_model(inputs: xr.Dataset, elastic: bool = False, blocks: list[ModuleType] | None = None) -> BuiltModel:
    """Build the Pyomo model for ``inputs`` (see :mod:`planning.io.inputs`).

    Parameters
    ----------
    elastic
        Add penalised slacks to the balance and the CO2 cap (to diagnose infeasibility).
    blocks
        The blocks to use, in order (default :data:`BLOCKS`).
    """
    start = time.perf_counter()
    with paused_gc():
        ctx = ModelContext(model=pyo.ConcreteModel(name=str(inputs.attrs.get("scenario", "planning"))), inputs=inputs, elastic=elastic)
        ctx.extras["blocks"] = list(blocks or BLOCKS)
        for block in ctx.extras["blocks"]:
            block.add(ctx)
        _add_balance(ctx)
        _add_objective(ctx)
    return BuiltModel(ctx=ctx, build_s=time.perf_counter() - start)


def _add_balance(ctx: ModelContext) -> None:
    model = ctx.model
    demand = ctx.inputs["demand_mw"].values
    zones = ctx.zones

    def rule(m, z, t):
        supply = pyo.quicksum(ctx.injections[z, t])
        extra = ctx.withdrawals.get((z, t))
        if extra:
            supply = supply - pyo.quicksum(extra)
        return supply == float(demand[zones.index(z), t])

    if not hasattr(model, "ZONES"):
        model.ZONES = pyo.Set(initialize=zones, ordered=True)
    model.balance = pyo.Constraint(model.ZONES, ctx.snapshots, rule=rule)


def _add_objective(ctx: ModelContext) -> None:
    model = ctx.model
    categories = [c for c, terms in ctx.costs.items() if terms]
    model.COST_CATEGORIES = pyo.Set(initialize=categories, ordered=True)
    model.cost = pyo.Expression(model.COST_CATEGORIES, rule=lambda m, c: pyo.quicksum(ctx.costs[c]))
    # Tie-breaks (e.g. the data centers' schedule smoothing): in the objective, never in a cost category.
    # ``model.tie_break_cost`` (currency/yr) is what the lexicographic pass of an LP minimises after the costs
    # (planning.optimization.tie_break, solver.tie_break).
    tie_breaks = ctx.extras.get("tie_breaks", [])
    if tie_breaks:
        model.tie_break_cost = pyo.Expression(expr=pyo.quicksum(tie_breaks))
        # Constraints that only define tie-break columns (satisfiable for any value of the other columns):
        # the lexicographic pass 1 leaves them out with those columns (planning.optimization.tie_break).
        model.tie_break_rows = tuple(ctx.extras.get("tie_break_rows", ()))
    model.total_cost = pyo.Objective(expr=pyo.quicksum(model.cost[c] for c in categories) + pyo.quicksum(tie_breaks), sense=pyo.minimize)
