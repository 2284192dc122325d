"""Data-center siting and sizing: where the new AI compute goes, how much, and how much of it is contracted flexible.

Sets and data (``datacenter_sites:``; arrays from :mod:`planning.io.site_inputs`)
--------------------------------------------------------------------------------
S: candidate sites, z(s) the zone of site s; T: snapshots, w_t their weight (h); prev(t): the
snapshot before t in operating time (:meth:`ModelContext.previous_in_operation`, cyclic per cycle).
N̲_s, N̄_s: least / most IT rating (MW); c_s: interconnection cost annualised (currency/MW-year);
K_s: fixed cost annualised (currency/year); b_{s,t}: utilisation, the IT power of the work as it
arrives per MW of rating (per unit); PUE_{s,t}; φ_s: most deferrable share (per unit of rating,
bounded by the card); π_F: price of contracted flexibility (currency/MW-year); f_s: the card's
throughput curve (per unit → per unit), breakpoints x_0 < … < x_K; [o_lo, o_hi]: the operating
range of the contracted fleet (per unit); D_s: longest delay (h, integer part); r_s: ramp limit
(per unit of rating per hour); R^firm (MW) or R^work (IT-MWh per weighted horizon).

Variables
---------
site_it_mw[s] ∈ [N̲_s, N̄_s]                     IT rating built at s, N_s (MW)
site_opened[s] ∈ {0, 1}                         only with ``site_binaries``
site_flexible_contract_mw[s] ∈ [0, φ_s·N̄_s]     IT rating contracted as deferrable, F_s (MW)
site[s].flexible_mw[t] ∈ [0, o_hi·φ_s·N̄_s]      power of the contracted fleet (MW)
site[s].work_done[t] ≥ 0, site[s].backlog[t] ≥ 0   MWh of rated-power throughput
(the last three only where φ_s·N̄_s > 0). The first three are investments (first stage with
``futures:``, :data:`planning.workflows.stochastic.FIRST_STAGE_VARIABLES`); the rest is per snapshot.
Below, it_mw[s] = N_s, F_s = site_flexible_contract_mw[s], opened[s] = site_opened[s], and
flexible_mw, work_done, backlog are the site's.

Constraints
-----------
requirement:      Σ_s it_mw[s] ≥ R^firm      or      Σ_s (Σ_t w_t·b_{s,t})·it_mw[s] ≥ R^work
contract:         F_s ≤ φ_s·it_mw[s]
operating range:  o_lo·F_s ≤ flexible_mw[s,t] ≤ o_hi·F_s
throughput:       work_done[s,t] ≤ F_s·f_s(flexible_mw[s,t]/F_s)
                  (concave f: cuts work ≤ a_k·flexible + β_k·F_s, an LP; otherwise the exact incremental
                  formulation with binaries and big-M φ_s·N̄_s — :mod:`planning.surrogate.formulations`)
backlog:          backlog[s,t] = backlog[s,prev(t)] + Δt·(F_s·f_s(b_{s,t}) − work_done[s,t])
delay:            backlog[s,t] ≤ Δt·F_s·Σ_{k=0}^{K_s−1} f_s(b_{s,prev^k(t)}),  K_s = ⌊D_s/Δt⌋ snapshots
                  (waiting work arrived within D_s hours)
ramp:             |base_it_mw[s,t] − base_it_mw[s,t−1]| ≤ Δt·r_s·it_mw[s]     (not across cycle starts)
non-cyclic horizon (``horizon.cyclic: false``): the first snapshot starts with no backlog and the last
ends with none (all work that arrived is done within the horizon).
Δt = ``horizon.resolution_hours``; work_done is a rate (MW of rated-power throughput), the backlog and
the reported work in MWh.
site opened:      N̲_s·opened[s] ≤ it_mw[s] ≤ N̄_s·opened[s]                   (``site_binaries`` only)

The uncontracted rating runs its work as it arrives: base_it_mw[s,t] = b_{s,t}·(it_mw[s] − F_s) +
flexible_mw[s,t] (MW). Work arriving at the contracted fleet, F_s·f_s(b_{s,t}), is done within D_s
hours, so the fleet's work is the same as when it runs as it arrives — only when it is done moves.
All of it is linear in (it_mw, F, flexible_mw): the card scales to any size. The backlog carries
in operating time like the fixed data centers' (:mod:`planning.optimization.blocks.datacenter`):
cyclic over the horizon, or within each representative period.

Contributions
-------------
withdrawals[z(s), t] += PUE_{s,t}·base_it_mw[s,t]                  (facility power, MW; counted by reserves)
costs["investment"]  += Σ_s c_s·it_mw[s] + K_s·opened[s]            (without binaries K_s/N̄_s·it_mw[s]:
                        the binary's LP relaxation, exact for an empty or a full site)
costs["flexibility_contract"] += π_F·Σ_s F_s
``ctx.extras["site_it_terms"][(s, t)]`` holds the terms of each site's IT power (MW);
:mod:`planning.optimization.blocks.workload_shifting` adds the moved work to it.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks.datacenter import _window_sums, is_concave
from planning.optimization.context import ModelContext
from planning.surrogate.formulations import add_concave_pwl_cuts, add_pwl_incremental_binary


def site_names(inputs: xr.Dataset) -> list[str]:
    """The candidate sites of the inputs (empty without ``datacenter_sites``)."""
    return [str(s) for s in inputs["site"].values] if "site" in inputs.dims else []


def site_curve(inputs: xr.Dataset, s: str) -> tuple[np.ndarray, np.ndarray]:
    """The card's throughput-curve breakpoints of site ``s`` (per unit)."""
    x = inputs["site_curve_x"].sel(site=s).values
    y = inputs["site_curve_y"].sel(site=s).values
    keep = ~np.isnan(x)
    return x[keep], y[keep]


def site_value(inputs: xr.Dataset, name: str, s: str):
    value = inputs[name].sel(site=s).values
    return value.item() if value.ndim == 0 else value


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    sites = site_names(inputs)
    model.SITES = pyo.Set(initialize=sites, ordered=True)
    ctx.extras["site_it_terms"] = defaultdict(list)
    if not sites:
        return
    T = ctx.snapshots
    previous = ctx.previous_in_operation()
    period = ctx.operating_cycles()
    binaries = bool(inputs.attrs.get("site_binaries", 0))
    low = {s: float(site_value(inputs, "site_min_it_mw", s)) for s in sites}
    high = {s: float(site_value(inputs, "site_max_it_mw", s)) for s in sites}
    share = {s: float(site_value(inputs, "site_max_flexible_share", s)) for s in sites}
    model.site_it_mw = pyo.Var(model.SITES, bounds=lambda m, s: (min(low[s], high[s]), high[s]))
    model.site_flexible_contract_mw = pyo.Var(model.SITES, bounds=lambda m, s: (0.0, share[s] * high[s]))
    if binaries:
        model.site_opened = pyo.Var(model.SITES, within=pyo.Binary)
        model.site_open_upper = pyo.Constraint(model.SITES, rule=lambda m, s: m.site_it_mw[s] <= high[s] * m.site_opened[s])
        model.site_open_lower = pyo.Constraint(model.SITES, rule=lambda m, s: m.site_it_mw[s] >= low[s] * m.site_opened[s])
    model.site = pyo.Block(model.SITES)
    for s in sites:
        block = model.site[s]
        N, F = model.site_it_mw[s], model.site_flexible_contract_mw[s]
        utilisation = np.asarray(site_value(inputs, "site_utilisation_per_unit", s), float)
        if share[s] * high[s] <= 0:   # F's bounds are (0, 0)
            base = {t: float(utilisation[t]) * N for t in T}
        else:
            _add_contracted_fleet(ctx, block, s, N, F, share[s], share[s] * high[s], utilisation, previous, period)
            base = {t: float(utilisation[t]) * (N - F) + block.flexible_mw[t] for t in T}
        block.base_it_mw = pyo.Expression(T, rule=lambda b, t: base[t])
        zone = str(site_value(inputs, "site_zone", s))
        pue = np.asarray(site_value(inputs, "site_pue", s), float)
        for t in T:
            ctx.extras["site_it_terms"][s, t].append(block.base_it_mw[t])
            ctx.withdrawals[zone, t].append(float(pue[t]) * block.base_it_mw[t])
    _add_requirement(ctx, sites)
    _add_costs(ctx, sites, binaries)


def _add_contracted_fleet(ctx: ModelContext, block, s: str, N, F, share: float, contract_max: float, utilisation: np.ndarray,
                          previous: list[int], period: np.ndarray) -> None:
    inputs, T = ctx.inputs, ctx.snapshots
    x, y = site_curve(inputs, s)
    low = float(site_value(inputs, "site_operating_min_per_unit", s))
    high = float(site_value(inputs, "site_operating_max_per_unit", s))
    block.flexible_mw = pyo.Var(T, bounds=(0.0, high * contract_max))
    block.work_done = pyo.Var(T, bounds=(0.0, None))
    block.backlog = pyo.Var(T, bounds=(0.0, None))
    block.contract_limit = pyo.Constraint(expr=F <= share * N)
    block.operating_low = pyo.Constraint(T, rule=lambda b, t: b.flexible_mw[t] >= low * F)
    block.operating_high = pyo.Constraint(T, rule=lambda b, t: b.flexible_mw[t] <= high * F)
    formulation = str(inputs.attrs.get("site_formulation", "auto"))
    if formulation == "auto":
        formulation = "cuts" if is_concave(x, y) else "binary"
    if formulation == "cuts":
        add_concave_pwl_cuts(block, block.flexible_mw, block.work_done, (x, y), scale=F, name="throughput", bound_inputs=False)
    else:
        add_pwl_incremental_binary(block, block.flexible_mw, block.work_done, (x, y), scale=F, scale_max=contract_max,
                                   output="<=", name="throughput")
    arrived_per_unit = np.interp(utilisation, x, y)
    dt = ctx.duration_h
    delay_snapshots = ctx.hours_to_snapshots(float(site_value(inputs, "site_max_delay_h", s)), "floor")
    window = dt * _window_sums(arrived_per_unit, period, delay_snapshots)
    fresh = ctx.starts_history()   # non-cyclic horizon: the first snapshot starts with no backlog

    def balance(b, t):
        before = 0.0 if t in fresh else b.backlog[previous[t]]
        return b.backlog[t] == before + dt * (float(arrived_per_unit[t]) * F - b.work_done[t])

    block.backlog_balance = pyo.Constraint(T, rule=balance)
    block.delay_limit = pyo.Constraint(T, rule=lambda b, t: b.backlog[t] <= float(window[t]) * F)
    if fresh:   # ... and ends with none: every MWh of work that arrived is done within the horizon
        block.backlog_end = pyo.Constraint(expr=block.backlog[T[-1]] == 0.0)
    ramp = dt * float(site_value(inputs, "site_ramp_per_unit_per_h", s))
    steps = [t for t in T if previous[t] == t - 1]

    def change(b, t):
        return float(utilisation[t] - utilisation[t - 1]) * (N - F) + b.flexible_mw[t] - b.flexible_mw[t - 1]

    block.ramp_up = pyo.Constraint(steps, rule=lambda b, t: change(b, t) <= ramp * N)
    block.ramp_down = pyo.Constraint(steps, rule=lambda b, t: -change(b, t) <= ramp * N)


def work_per_mw(ctx: ModelContext, s: str) -> float:
    """Σ_t w_t·b_{s,t}: IT-MWh of work arriving per MW of rating over the weighted horizon."""
    return float(np.dot(ctx.weight_h, np.asarray(site_value(ctx.inputs, "site_utilisation_per_unit", s), float)))


def _add_requirement(ctx: ModelContext, sites: list[str]) -> None:
    model, attrs = ctx.model, ctx.inputs.attrs
    firm = float(attrs.get("site_requirement_firm_it_mw", math.nan))
    work = float(attrs.get("site_requirement_work_it_mwh", math.nan))
    if not math.isnan(firm):
        model.site_requirement = pyo.Constraint(expr=pyo.quicksum(model.site_it_mw[s] for s in sites) >= firm)
    elif not math.isnan(work):
        model.site_requirement = pyo.Constraint(expr=pyo.quicksum(work_per_mw(ctx, s) * model.site_it_mw[s] for s in sites) >= work)


def _add_costs(ctx: ModelContext, sites: list[str], binaries: bool) -> None:
    model, inputs = ctx.model, ctx.inputs
    for s in sites:
        per_mw = float(site_value(inputs, "site_annual_cost_per_mw", s))
        fixed = float(site_value(inputs, "site_annual_fixed_cost", s))
        high = float(site_value(inputs, "site_max_it_mw", s))
        if per_mw:
            ctx.costs["investment"].append(per_mw * model.site_it_mw[s])
        if fixed and binaries:
            ctx.costs["investment"].append(fixed * model.site_opened[s])
        elif fixed and high > 0:
            ctx.costs["investment"].append(fixed / high * model.site_it_mw[s])
    price = float(inputs.attrs.get("site_flexibility_price_per_mw_year", 0.0))
    if price:
        ctx.costs["flexibility_contract"].append(pyo.quicksum(price * model.site_flexible_contract_mw[s] for s in sites))


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    sites = list(model.SITES)
    if not sites:
        return {}
    T = ctx.snapshots
    site_coords = {"site": sites}
    coords = {"site": sites, "snapshot": inputs["snapshot"].values}
    dims = ("site", "snapshot")

    def series(name: str) -> np.ndarray:
        return np.array([[getattr(model.site[s], name)[t].value if hasattr(model.site[s], name) else 0.0 for t in T]
                         for s in sites], dtype=float)

    it_mw = np.array([model.site_it_mw[s].value or 0.0 for s in sites])
    contract = np.array([model.site_flexible_contract_mw[s].value or 0.0 for s in sites])
    it_power = np.array([[sum(pyo.value(term) for term in ctx.extras["site_it_terms"][s, t]) for t in T] for s in sites])
    utilisation = inputs["site_utilisation_per_unit"].values
    arrived = ctx.duration_h * np.array([np.interp(utilisation[i], *site_curve(inputs, s)) * contract[i] for i, s in enumerate(sites)])
    opened = np.array([round(model.site_opened[s].value or 0.0) if hasattr(model, "site_opened") else float(it_mw[i] > 1e-6)
                       for i, s in enumerate(sites)])
    per_mw = inputs["site_annual_cost_per_mw"].values
    fixed = inputs["site_annual_fixed_cost"].values
    high = inputs["site_max_it_mw"].values
    fixed_paid = fixed * opened if hasattr(model, "site_opened") else np.divide(fixed * it_mw, high, out=np.zeros_like(it_mw), where=high > 0)
    price = float(inputs.attrs.get("site_flexibility_price_per_mw_year", 0.0))
    return {
        "site_zone": inputs["site_zone"],
        "site_investment_cost_per_year": xr.DataArray(per_mw * it_mw + fixed_paid, coords=site_coords, dims="site"),
        "site_flexibility_cost_per_year": xr.DataArray(price * contract, coords=site_coords, dims="site"),
        "site_max_it_mw": inputs["site_max_it_mw"],
        "site_it_mw": xr.DataArray(it_mw, coords=site_coords, dims="site"),
        "site_opened": xr.DataArray(opened, coords=site_coords, dims="site"),
        "site_flexible_contract_mw": xr.DataArray(contract, coords=site_coords, dims="site"),
        "site_as_arrived_it_mw": xr.DataArray(utilisation * it_mw[:, None], coords=coords, dims=dims),
        "site_it_power_mw": xr.DataArray(it_power, coords=coords, dims=dims),
        "site_facility_power_mw": xr.DataArray(inputs["site_pue"].values * it_power, coords=coords, dims=dims),
        "site_flexible_mw": xr.DataArray(series("flexible_mw"), coords=coords, dims=dims),
        "site_work_arrived_mwh": xr.DataArray(arrived, coords=coords, dims=dims),
        "site_work_done_mwh": xr.DataArray(ctx.duration_h * series("work_done"), coords=coords, dims=dims),
        "site_backlog_mwh": xr.DataArray(series("backlog"), coords=coords, dims=dims),
    }
