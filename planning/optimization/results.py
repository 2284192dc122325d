"""Solved model → one ``xarray.Dataset`` of results (the source of every output file).

Besides each block's ``results``, this adds the zonal balance (``demand_mw``, ``price_per_mwh``
= balance dual / snapshot weight, in currency/MWh), ``weight_h``, plant and line metadata, and
the cost breakdown (``cost_<category>`` in currency/year), and with reserves the spinning-reserve
price ``reserve_price_per_mwh`` and the capacity price ``capacity_price_per_mw_year`` (duals of the
requirements; see :func:`_reserve_prices`), and per line its loading, congestion hours, congestion rent
and price difference (:mod:`planning.metrics.transmission`).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.metrics.transmission import line_metrics
from planning.optimization.context import ModelContext
from planning.optimization.solve import SolveResult


def collect_results(ctx: ModelContext, solved: SolveResult) -> xr.Dataset:
    """Assemble the results Dataset of a solved model."""
    inputs, model = ctx.inputs, ctx.model
    arrays: dict[str, xr.DataArray] = {}
    for block in ctx.extras["blocks"]:
        arrays.update(block.results(ctx))
    results = xr.Dataset(arrays)
    T, zones = ctx.snapshots, ctx.zones
    price = np.array([[solved.dual(model.balance[z, t]) / ctx.weight_h[t] for t in T] for z in zones])
    withdrawals = np.array([[sum(pyo.value(term) for term in ctx.withdrawals.get((z, t), ())) for t in T] for z in zones])
    results["demand_mw"] = inputs["demand_mw"]
    results["datacenter_mw"] = (("zone", "snapshot"), withdrawals)
    results["price_per_mwh"] = (("zone", "snapshot"), price)
    results["weight_h"] = inputs["weight_h"]
    for name in ("plant_zone", "plant_technology", "plant_kind"):
        results[name] = inputs[name]
    for name in ("line_from", "line_to"):
        results[name] = inputs[name]
    for name in ("period", "representative_of_period", "period_start", "representative_start", "stress_active"):
        if name in inputs and (name != "period" or "representative_of_period" in inputs):
            results[name] = inputs[name]
    for category in model.COST_CATEGORIES:
        results[f"cost_{category}"] = xr.DataArray(float(pyo.value(model.cost[category])), attrs={"units": "currency/year"})
    results.attrs.update(
        {
            "objective": solved.objective,
            "solver_status": solved.status,
            "mip_gap": solved.mip_gap,
            "duals_from": solved.duals_from,
            "currency": inputs.attrs.get("currency", ""),
            "scenario": inputs.attrs.get("scenario", ""),
            "snapshot_duration_h": ctx.duration_h,
        }
    )
    results.update(_reserve_prices(ctx, solved))
    results.update(line_metrics(results, inputs))   # loading, congestion, rent: planning/metrics/transmission.py
    if hasattr(model, "co2_cap") and model.co2_cap.active:
        results.attrs["co2_cap_dual_per_t"] = -solved.dual(model.co2_cap)
    return results


def _reserve_prices(ctx: ModelContext, solved: SolveResult) -> dict[str, xr.DataArray]:
    """``reserve_price_per_mwh(zone, snapshot)``: Σ duals of the zone's spinning-reserve rows (the requirement
    and each contingency row) / w_t, in currency per MW held for an hour; ``capacity_price_per_mw_year``:
    Σ_t dual of the planning-reserve rows, in currency per firm MW per year. Used for the reserve and
    capacity revenue in :mod:`planning.metrics.statistics`."""
    model, out = ctx.model, {}
    T, zones = ctx.snapshots, ctx.zones

    def requirement_dual(row) -> float:
        """∂objective/∂requirement of a row "supply ≥ requirement" (≥ 0): Pyomo keeps it as ``supply ≥ r`` or
        moves the requirement into the body, ``r − supply ≤ 0``; the dual is with respect to the bound kept."""
        return solved.dual(row) if row.upper is None else -solved.dual(row)

    if hasattr(model, "reserve_requirement") and len(model.RESERVE_ZONES):
        price = np.zeros((len(zones), len(T)))
        for z, t in model.reserve_requirement:
            price[zones.index(z), t] += requirement_dual(model.reserve_requirement[z, t]) / ctx.weight_h[t]
        if hasattr(model, "reserve_contingency"):
            zone_of = ctx.plant_value("plant_zone")
            for g, t in model.reserve_contingency:
                price[zones.index(zone_of[g]), t] += requirement_dual(model.reserve_contingency[g, t]) / ctx.weight_h[t]
        out["reserve_price_per_mwh"] = xr.DataArray(price, coords={"zone": zones, "snapshot": ctx.inputs["snapshot"].values}, dims=("zone", "snapshot"))
    if hasattr(model, "planning_reserve"):
        out["capacity_price_per_mw_year"] = xr.DataArray(sum(requirement_dual(model.planning_reserve[t]) for t in model.PLANNING_RESERVE_SNAPSHOTS))
    return out
