"""Spinning (upward operating) reserve per zone, and a system planning reserve margin.

Sets and data
-------------
Z_R: zones that hold spinning reserve; T: snapshots; D_{z,t}: demand (MW); f: load fraction;
F: fixed reserve (MW); a_{g,t}: availability; S_g: unit size (MW) of committed plants C;
H: hours a storage unit must sustain its reserve (h); η^d_s: discharge efficiency;
π_R: shortfall penalty (currency/MWh, or none = hard requirement); w_t: weight (h).

Variables
---------
reserve_mw[p,t] ≥ 0 for thermal and storage plants p in Z_R                         (MW)
online[g,t] ∈ {0,1} (integer mode; [0,1] in linear mode), g ∈ C in Z_R, only with the
largest-unit contingency
reserve_shortfall_mw[z,t] ≥ 0, only with a shortfall penalty                       (MW)

Provision (headroom)
--------------------
committed thermal g:   reserve_mw[g,t] ≤ a_{g,t}·S_g·committed_units[g,t] − generation_mw[g,t]
other thermal g:       reserve_mw[g,t] ≤ a_{g,t}·capacity_mw[g] − generation_mw[g,t]
  (without commitment every available MW counts as spinning: a fast-start simplification)
storage s (power):     reserve_mw[s,t] ≤ capacity_mw[s] − discharge_mw[s,t] + charge_mw[s,t]
storage s (energy):    H·reserve_mw[s,t] ≤ η^d_s·soc_mwh[s,t]   (with linked representative periods:
                       a lower bound of the absolute level, see the storage block)
Variable renewables do not provide reserve.

Requirement (per z ∈ Z_R and t)
-------------------------------
Σ_{p in z} reserve_mw[p,t] + reserve_shortfall_mw[z,t] ≥ F + f·D_{z,t}
and, with the largest-unit contingency, for every committed plant g in z:
Σ_{p in z} reserve_mw[p,t] + reserve_shortfall_mw[z,t] ≥ F + f·D_{z,t} + S_g·online[g,t]
committed_units[g,t] ≤ Ū_g·online[g,t]
  (Ū_g: most units g can have — its fixed unit count, or (existing + max new)/S_g, or, when new
  build is unlimited, (existing + peak system demand)/S_g: a big-M). So the requirement grows
  by the largest unit that is online. In linear mode ``online`` is continuous and the
  contingency term is only S_g·committed/Ū_g — a weak relaxation.

Reserve is held within a zone (no sharing over lines) and does not enter the ramp limits.

Planning reserve margin (system-wide, if set)
---------------------------------------------
Σ_p k_p·capacity_mw[p] ≥ (1 + margin)·max_t Σ_z D_{z,t}
k_p: capacity credit (fraction; default thermal = availability, storage = 1, variable = 0).
Data-center load modelled by its own block is not in the peak.

Contributions
-------------
costs["reserve_shortfall"] += Σ_{z,t} w_t·π_R·reserve_shortfall_mw[z,t]
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.optimization.blocks.capacity import is_fixed
from planning.optimization.blocks.commitment import committed_plants
from planning.optimization.blocks.storage import absolute_soc_lower_bound
from planning.optimization.context import ModelContext


def reserve_zones(ctx: ModelContext) -> list[str]:
    """Zones that hold spinning reserve."""
    if "reserve_zone" not in ctx.inputs:
        return []
    return [z for z, holds in zip(ctx.zones, ctx.inputs["reserve_zone"].values) if holds]


def add(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    zones = reserve_zones(ctx)
    T = ctx.snapshots
    zone_of = ctx.plant_value("plant_zone")
    providers = [p for p in ctx.plants_of_kind("thermal", "storage") if zone_of[p] in zones]
    model.RESERVE_ZONES = pyo.Set(initialize=zones, ordered=True)
    model.RESERVE_PROVIDERS = pyo.Set(initialize=providers, ordered=True)
    _add_planning_reserve(ctx)
    if not zones:
        return
    committed = set(committed_plants(ctx))
    kind = ctx.plant_value("plant_kind")
    position = {str(p): i for i, p in enumerate(inputs["plant"].values)}
    availability = inputs["availability_per_unit"].values
    demand = inputs["demand_mw"].values
    size = ctx.plant_value("unit_size_mw") if "unit_size_mw" in inputs else {}
    existing = ctx.plant_value("existing_mw")
    max_new = ctx.plant_value("max_new_mw")
    eta_d = ctx.plant_value("discharge_efficiency")
    fraction = float(inputs.attrs["reserve_load_fraction"])
    fixed_mw = float(inputs.attrs["reserve_fixed_mw"])
    duration = float(inputs.attrs["reserve_storage_duration_h"])
    penalty = float(inputs.attrs["reserve_shortfall_penalty_per_mwh"])
    integer = inputs.attrs.get("unit_commitment_mode") == "integer"

    model.reserve_mw = pyo.Var(model.RESERVE_PROVIDERS, T, bounds=(0.0, None))
    r = model.reserve_mw

    def headroom(m, p, t):
        a = float(availability[position[p], t])
        if kind[p] == "storage":
            return r[p, t] <= m.capacity_mw[p] - m.discharge_mw[p, t] + m.charge_mw[p, t]
        if p in committed:
            return r[p, t] <= a * size[p] * m.committed_units[p, t] - m.generation_mw[p, t]
        return r[p, t] <= a * m.capacity_mw[p] - m.generation_mw[p, t]

    model.reserve_headroom = pyo.Constraint(model.RESERVE_PROVIDERS, T, rule=headroom)
    stores = [s for s in providers if kind[s] == "storage"]
    model.reserve_storage_energy = pyo.Constraint(
        [(s, t) for s in stores for t in T], rule=lambda m, s, t: duration * r[s, t] <= eta_d[s] * absolute_soc_lower_bound(ctx, s, t)
    )

    if not math.isnan(penalty):
        model.reserve_shortfall_mw = pyo.Var(model.RESERVE_ZONES, T, bounds=(0.0, None))
        ctx.costs["reserve_shortfall"].append(
            pyo.quicksum(ctx.weight_h[t] * penalty * model.reserve_shortfall_mw[z, t] for z in zones for t in T)
        )

    def held(z, t):
        total = pyo.quicksum(r[p, t] for p in providers if zone_of[p] == z)
        if hasattr(model, "reserve_shortfall_mw"):
            total = total + model.reserve_shortfall_mw[z, t]
        return total

    base = {(z, t): fixed_mw + fraction * float(demand[ctx.zones.index(z), t]) for z in zones for t in T}
    ctx.extras["reserve_base_mw"] = base
    model.reserve_requirement = pyo.Constraint(model.RESERVE_ZONES, T, rule=lambda m, z, t: held(z, t) >= base[z, t])

    contingency = [g for g in committed if zone_of[g] in zones] if inputs.attrs.get("reserve_largest_unit") else []
    contingency = [g for g in providers if g in contingency]  # keep model order
    model.CONTINGENCY_UNITS = pyo.Set(initialize=contingency, ordered=True)
    if contingency:
        peak = float(demand.sum(axis=0).max())

        def most_units(g):
            if is_fixed(ctx, g):
                return math.floor(existing[g] / size[g] + 1e-9)
            top = existing[g] + (max_new[g] if max_new[g] != float("inf") else peak)
            return math.ceil(top / size[g])

        model.online = pyo.Var(model.CONTINGENCY_UNITS, T, domain=pyo.Binary if integer else pyo.UnitInterval)
        model.online_link = pyo.Constraint(
            model.CONTINGENCY_UNITS, T, rule=lambda m, g, t: m.committed_units[g, t] <= most_units(g) * m.online[g, t]
        )
        model.reserve_contingency = pyo.Constraint(
            model.CONTINGENCY_UNITS, T, rule=lambda m, g, t: held(zone_of[g], t) >= base[zone_of[g], t] + size[g] * m.online[g, t]
        )


def _add_planning_reserve(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    margin = float(inputs.attrs.get("planning_reserve_margin", float("nan")))
    if math.isnan(margin):
        return
    credit = ctx.plant_value("capacity_credit")
    peak = float(inputs["demand_mw"].values.sum(axis=0).max())
    model.planning_reserve_requirement_mw = pyo.Param(initialize=(1.0 + margin) * peak, mutable=False)
    model.firm_capacity_mw = pyo.Expression(expr=pyo.quicksum(credit[p] * model.capacity_mw[p] for p in model.PLANTS if credit[p]))
    model.planning_reserve = pyo.Constraint(expr=model.firm_capacity_mw >= (1.0 + margin) * peak)


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    out: dict[str, xr.DataArray] = {}
    if hasattr(model, "planning_reserve"):
        out["firm_capacity_mw"] = xr.DataArray(float(pyo.value(model.firm_capacity_mw)))
        out["planning_reserve_requirement_mw"] = xr.DataArray(float(pyo.value(model.planning_reserve_requirement_mw)))
    zones = list(model.RESERVE_ZONES)
    if not zones:
        return out
    T = ctx.snapshots
    snapshots = inputs["snapshot"].values
    providers = list(model.RESERVE_PROVIDERS)
    zone_of = ctx.plant_value("plant_zone")
    provision = np.array([[model.reserve_mw[p, t].value or 0.0 for t in T] for p in providers]).reshape(len(providers), len(T))
    all_zones = ctx.zones
    requirement = np.zeros((len(all_zones), len(T)))
    provided = np.zeros((len(all_zones), len(T)))
    shortfall = np.zeros((len(all_zones), len(T)))
    base = ctx.extras["reserve_base_mw"]
    size = ctx.plant_value("unit_size_mw") if "unit_size_mw" in inputs else {}
    for z in zones:
        i = all_zones.index(z)
        requirement[i] = [base[z, t] for t in T]
        for g in model.CONTINGENCY_UNITS:
            if zone_of[g] == z:
                online = np.array([size[g] * (model.online[g, t].value or 0.0) for t in T])
                requirement[i] = np.maximum(requirement[i], np.array([base[z, t] for t in T]) + online)
        for k, p in enumerate(providers):
            if zone_of[p] == z:
                provided[i] += provision[k]
        if hasattr(model, "reserve_shortfall_mw"):
            shortfall[i] = [model.reserve_shortfall_mw[z, t].value or 0.0 for t in T]
    zone_coords = {"zone": all_zones, "snapshot": snapshots}
    out.update(
        {
            "reserve_mw": xr.DataArray(provision, coords={"plant": providers, "snapshot": snapshots}, dims=("plant", "snapshot")),
            "reserve_requirement_mw": xr.DataArray(requirement, coords=zone_coords, dims=("zone", "snapshot")),
            "reserve_provided_mw": xr.DataArray(provided, coords=zone_coords, dims=("zone", "snapshot")),
            "reserve_shortfall_mw": xr.DataArray(shortfall, coords=zone_coords, dims=("zone", "snapshot")),
        }
    )
    return out
