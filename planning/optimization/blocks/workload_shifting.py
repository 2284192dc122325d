"""Geo-distributed workload shifting: the sites of one pool run each other's movable work.

Built after :mod:`planning.optimization.blocks.datacenter_siting` (it uses ``site_it_mw``,
``site_flexible_contract_mw`` and the sites' ``base_it_mw``) and before the reserves, which cover the moved load.

Sets and data
-------------
P ⊆ S: the sites of the pool (``workload_shifting.sites``); b_{s,t}: utilisation (per unit);
μ_s: movable share of the work that is not contracted deferrable (fraction: the movable classes'
shares, ``movable_share`` or the card's deferrable share); L: migration limit (MW of IT work moved
in an hour across the pool, a bandwidth proxy; none = no row); ε: migration overhead (fraction of the
moved work, extra IT energy at the destination); PUE_{s,t}.

Variables (MW of IT power, per site of the pool and snapshot)
-------------------------------------------------------------
moved_out_mw[s,t] ∈ [0, μ_s·N̄_s·max_t b_{s,t}]   work of s run elsewhere in hour t
moved_in_mw[s,t]  ∈ [0, N̄_s]                      work of other sites run at s in hour t

Constraints
-----------
pool balance:  Σ_{s∈P} moved_out_mw[s,t] = Σ_{s∈P} moved_in_mw[s,t]                         (MW)
movable work:  moved_out_mw[s,t] ≤ μ_s·b_{s,t}·(it_mw[s] − F_s)     (latency-bound classes and the
               contracted deferrable work stay at their site)
capacity:      base_it_mw[s,t] − moved_out_mw[s,t] + (1 + ε)·moved_in_mw[s,t] ≤ it_mw[s]
bandwidth:     Σ_{s∈P} moved_out_mw[s,t] ≤ L

Moved work runs in the hour it is moved: spatial shifting is immediate; deferral is the
contracted fleet's (temporal) flexibility at each site, with its own backlog per site in the siting
block. Work that is both moved and deferred is not modelled (a conservative bound on their
combination). Since the overhead is paid at the destination and the limit is pool-wide, which site
sends to which does not change cost or feasibility: one balance per hour replaces the |P|² pairwise
flows. A site never both sends and receives in an optimum with ε > 0 (the round trip costs ε).
The ramp limit of the siting block applies to the site's own work, not to moved work.

Moving 1 MW from s to s' saves PUE_s·λ_s and costs (1 + ε)·PUE_{s'}·λ_{s'} (λ the zones' prices):
it pays exactly when PUE_s·λ_s − PUE_{s'}·λ_{s'} > ε·PUE_{s'}·λ_{s'}.

Contributions
-------------
site IT power:   site_it_terms[s,t] += −moved_out_mw[s,t] + (1 + ε)·moved_in_mw[s,t]
withdrawals[z(s), t] += PUE_{s,t}·(−moved_out_mw[s,t] + (1 + ε)·moved_in_mw[s,t])
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks.datacenter_siting import site_names, site_value
from planning.optimization.context import ModelContext


def pool_sites(ctx: ModelContext) -> list[str]:
    """The sites of the workload pool (empty when shifting is off or fewer than two sites can host work)."""
    inputs = ctx.inputs
    if not int(inputs.attrs.get("site_shifting", 0)):
        return []
    pool = [s for s in site_names(inputs) if site_value(inputs, "site_in_pool", s) and site_value(inputs, "site_max_it_mw", s) > 0]
    return pool if len(pool) >= 2 else []


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    pool = pool_sites(ctx)
    model.POOL_SITES = pyo.Set(initialize=pool, ordered=True)
    if not pool:
        return
    T = ctx.snapshots
    overhead = float(inputs.attrs.get("site_migration_overhead_fraction", 0.0))
    limit = float(inputs.attrs.get("site_migration_limit_mw", math.nan))
    movable = {s: float(site_value(inputs, "site_movable_share", s)) for s in pool}
    utilisation = {s: np.asarray(site_value(inputs, "site_utilisation_per_unit", s), float) for s in pool}
    largest = {s: float(site_value(inputs, "site_max_it_mw", s)) for s in pool}
    model.moved_out_mw = pyo.Var(model.POOL_SITES, T, bounds=lambda m, s, t: (0.0, movable[s] * largest[s] * float(utilisation[s].max())))
    model.moved_in_mw = pyo.Var(model.POOL_SITES, T, bounds=lambda m, s, t: (0.0, largest[s]))
    out, into = model.moved_out_mw, model.moved_in_mw
    model.pool_balance = pyo.Constraint(T, rule=lambda m, t: pyo.quicksum(out[s, t] for s in pool) == pyo.quicksum(into[s, t] for s in pool))

    def movable_rule(m, s, t):
        return out[s, t] <= movable[s] * float(utilisation[s][t]) * (m.site_it_mw[s] - m.site_flexible_contract_mw[s])

    model.movable_work = pyo.Constraint(model.POOL_SITES, T, rule=movable_rule)
    model.site_capacity = pyo.Constraint(model.POOL_SITES, T, rule=lambda m, s, t: m.site[s].base_it_mw[t] - out[s, t]
                                         + (1.0 + overhead) * into[s, t] <= m.site_it_mw[s])
    if not math.isnan(limit):
        model.migration_limit = pyo.Constraint(T, rule=lambda m, t: pyo.quicksum(out[s, t] for s in pool) <= limit)
    for s in pool:
        zone = str(site_value(inputs, "site_zone", s))
        pue = np.asarray(site_value(inputs, "site_pue", s), float)
        for t in T:
            moved = -out[s, t] + (1.0 + overhead) * into[s, t]
            ctx.extras["site_it_terms"][s, t].append(moved)
            ctx.withdrawals[zone, t].append(float(pue[t]) * moved)


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    sites = site_names(inputs)
    if not sites:
        return {}
    T = ctx.snapshots
    pool = set(model.POOL_SITES)
    out = np.array([[model.moved_out_mw[s, t].value or 0.0 for t in T] if s in pool else np.zeros(len(T)) for s in sites], dtype=float)
    into = np.array([[model.moved_in_mw[s, t].value or 0.0 for t in T] if s in pool else np.zeros(len(T)) for s in sites], dtype=float)
    coords = {"site": sites, "snapshot": inputs["snapshot"].values}
    return {
        "site_moved_out_mw": xr.DataArray(out.reshape(len(sites), len(T)), coords=coords, dims=("site", "snapshot")),
        "site_moved_in_mw": xr.DataArray(into.reshape(len(sites), len(T)), coords=coords, dims=("site", "snapshot")),
    }
