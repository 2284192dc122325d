"""Spinning (upward operating) reserve per zone, and a system planning reserve margin.

Both cover every MW of load. The load of zone z in snapshot t is

    L_{z,t} = D_{z,t} + Σ withdrawals[z,t]                                                 (MW)

— the zone's demand plus every term other blocks withdraw from its balance: the facility power
PUE_{d,t}·(baseline_{d,t} + flexible_mw[d,t]) of each data center d in z and, in ``planning
headroom``, the new load PUE·(s_t·X − c_t). L is linear in the data-center variables, so every
requirement stays linear with a flexible campus; this block is built after the blocks that
withdraw (see ``BLOCKS`` in :mod:`planning.optimization.build`).

Sets and data
-------------
Z_R: zones that hold spinning reserve; T: snapshots; f: load fraction; F: fixed reserve (MW);
a_{g,t}: availability; S_g: unit size (MW) of committed plants C; H: hours a storage unit must
sustain its spinning reserve (h); H_req: hours a storage unit must sustain its firm capacity (h);
η^d_s: discharge efficiency; π_R: shortfall penalty (currency/MWh, or none = hard requirement);
w_t: weight (h); m: planning reserve margin (fraction); k_p: capacity credit (fraction);
K^c_d: firm MW of data center d's contracted curtailable load (credit × contracted MW; 0 unless set).

Variables
---------
reserve_mw[p,t] ≥ 0 for thermal and storage plants p in Z_R                         (MW)
online[g,t] ∈ {0,1} (integer mode; [0,1] in linear mode), g ∈ C in Z_R, only with the
largest-unit contingency
reserve_shortfall_mw[z,t] ≥ 0, only with a shortfall penalty                       (MW)
firm_mw[s] ≥ 0 for storage plants with a capacity credit, only with a planning margin (MW)

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
Σ_{p in z} reserve_mw[p,t] + reserve_shortfall_mw[z,t] ≥ F + f·L_{z,t}
and, with the largest-unit contingency, for every committed plant g in z:
Σ_{p in z} reserve_mw[p,t] + reserve_shortfall_mw[z,t] ≥ F + f·L_{z,t} + S_g·online[g,t]
committed_units[g,t] ≤ Ū_g·online[g,t];   online[g,t] ≤ committed_units[g,t]
One row per plant makes the requirement F + f·L + the largest S_g among the plants with a unit
online: the N−1 loss of one unit. S_g (not the unit's output) is what is lost: a tripped unit
takes its output and its own headroom, (generation + reserve)/units ≤ a·S_g, so the reserve left on
the other units still covers its output. ``online ≤ committed_units`` only keeps ``online`` (and
the reported requirement) at 0 when no unit runs; minimising never raises it.

Ū_g must bound committed_units[g,t] in every solution worth having, or the contingency row caps
the plant below its optimum (before 2026-11-30 a peak/S_g big-M shed load instead of building
units). Ū_g is the plant's count bound:
* fixed capacity: ⌊existing/S_g⌋ (existing/S_g in linear mode);
* expandable with max_new: ⌊(existing + max_new)/S_g⌋, since committed ≤ capacity/S_g;
* unlimited: ⌈C̄/(ρ_g·S_g)⌉ with
  C̄ = [(1 + f)·L̄ + F + max_g S_g + P̄_ch] / (1 − λ̄)^(n_zones − 1)      (MW)
  L̄ = max_t Σ_z upper bound of L_{z,t} (demand + each data center's largest facility power, from
  the variables' bounds); P̄_ch: storage charging power Σ_s (existing + max_new), L̄ for a storage
  plant without a limit; λ̄: the largest line loss fraction; ρ_g = min(min_{t: a>0} a_{g,t},
  ramp-up, ramp-down limit per unit of S_g per hour, 1). Committed units beyond Ū_g can add neither
  generation (≤ C̄ needed anywhere, with losses) nor needed headroom (≤ (f·L̄ + F + S)), nor ramp
  room (ρ·S·Ū ≥ C̄ already spans any change of output in an hour); clipping committed_units at Ū_g in every
  snapshot keeps start-ups, min up/down and ramp rows feasible and costs no more, so an optimum
  lies within the bound. The argument assumes storage without a power limit never charges faster
  than the peak load — charging faster needs capacity built only to charge.
In linear mode ``online`` is continuous and the contingency term is only S_g·committed/Ū_g — a
weak relaxation.

Reserve is held within a zone (no sharing over lines) and does not enter the ramp limits.

Planning reserve margin (system-wide, if set; one row per snapshot)
-------------------------------------------------------------------
firm_capacity_mw = Σ_{p not storage} k_p·capacity_mw[p] + Σ_s firm_mw[s] + Σ_d K^c_d    (a column, defined once)
firm_mw[s] ≤ k_s·capacity_mw[s];   H_req·firm_mw[s] ≤ η^d_s·energy_mwh[s]      (storage credit
             respects energy: a 50 MW / 50 MWh battery is firm for 12.5 MW at H_req = 4 h)
firm_capacity_mw ≥ (1 + m)·Σ_z L_{z,t}                                          for every t ∈ T
k_p: thermal = availability, storage = 1, variable = 0 unless reserves.capacity_credit says
otherwise. Without any withdrawals (no data center) the load is data, and the single row at the
snapshot of the highest Σ_z D_{z,t} is exactly equivalent; it is the only row written then. With
representative periods the rows cover the representative snapshots (their peaks are the year's
peaks only as far as the aggregation keeps them). The contracted curtailable MW is load the
operator may interrupt beyond the modelled schedule; it is credited on the supply side (not
scaled by 1 + m) and never by default.

Contributions
-------------
costs["reserve_shortfall"] += Σ_{z,t} w_t·π_R·reserve_shortfall_mw[z,t]
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import xarray as xr
from pyomo.contrib.fbbt.fbbt import compute_bounds_on_expr

from planning.errors import ScenarioError
from planning.optimization.blocks.capacity import is_fixed
from planning.optimization.blocks.commitment import committed_plants
from planning.optimization.blocks.storage import absolute_soc_lower_bound
from planning.optimization.context import ModelContext


def reserve_zones(ctx: ModelContext) -> list[str]:
    """Zones that hold spinning reserve."""
    if "reserve_zone" not in ctx.inputs:
        return []
    return [z for z, holds in zip(ctx.zones, ctx.inputs["reserve_zone"].values) if holds]


def zone_load_mw(ctx: ModelContext, zone: str, t: int):
    """L_{z,t} = D_{z,t} + Σ withdrawals[z,t] (MW): a float, or an expression with data centers."""
    demand = float(ctx.inputs["demand_mw"].values[ctx.zones.index(zone), t])
    extra = ctx.withdrawals.get((zone, t))
    return demand + pyo.quicksum(extra) if extra else demand


def largest_load_mw(ctx: ModelContext) -> float:
    """L̄ = max_t Σ_z upper bound of L_{z,t} (MW), from the bounds of the variables in the withdrawals."""
    peak = 0.0
    demand = ctx.inputs["demand_mw"].values.sum(axis=0)
    for t in ctx.snapshots:
        total = float(demand[t])
        for z in ctx.zones:
            for term in ctx.withdrawals.get((z, t), ()):
                upper = compute_bounds_on_expr(term)[1] if not isinstance(term, (int, float)) else float(term)
                total += math.inf if upper is None else float(upper)
        peak = max(peak, total)
    return peak


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
    size = ctx.plant_value("unit_size_mw") if "unit_size_mw" in inputs else {}
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

    base = {(z, t): fixed_mw + fraction * zone_load_mw(ctx, z, t) if fraction else fixed_mw for z in zones for t in T}
    ctx.extras["reserve_base_mw"] = base
    model.reserve_requirement = pyo.Constraint(model.RESERVE_ZONES, T, rule=lambda m, z, t: held(z, t) >= base[z, t])

    contingency = [g for g in committed if zone_of[g] in zones] if inputs.attrs.get("reserve_largest_unit") else []
    contingency = [g for g in providers if g in contingency]  # keep model order
    model.CONTINGENCY_UNITS = pyo.Set(initialize=contingency, ordered=True)
    if contingency:
        most = contingency_unit_bounds(ctx, contingency, integer)
        ctx.extras["contingency_unit_bound"] = most
        model.online = pyo.Var(model.CONTINGENCY_UNITS, T, domain=pyo.Binary if integer else pyo.UnitInterval)
        model.online_link = pyo.Constraint(
            model.CONTINGENCY_UNITS, T, rule=lambda m, g, t: m.committed_units[g, t] <= most[g] * m.online[g, t]
        )
        model.online_only_when_committed = pyo.Constraint(
            model.CONTINGENCY_UNITS, T, rule=lambda m, g, t: m.online[g, t] <= m.committed_units[g, t]
        )
        model.reserve_contingency = pyo.Constraint(
            model.CONTINGENCY_UNITS, T, rule=lambda m, g, t: held(zone_of[g], t) >= base[zone_of[g], t] + size[g] * m.online[g, t]
        )


def contingency_unit_bounds(ctx: ModelContext, plants: list[str], integer: bool) -> dict[str, float]:
    """Ū_g: the most units of each plant that can be committed in any snapshot worth having (see the module docstring)."""
    inputs = ctx.inputs
    size = ctx.plant_value("unit_size_mw")
    existing = ctx.plant_value("existing_mw")
    max_new = ctx.plant_value("max_new_mw")
    ramp_up = ctx.plant_value("ramp_up_per_h")
    ramp_down = ctx.plant_value("ramp_down_per_h")
    position = {str(p): i for i, p in enumerate(inputs["plant"].values)}
    availability = inputs["availability_per_unit"].values
    bounds: dict[str, float] = {}
    useful_mw = None
    for g in plants:
        if is_fixed(ctx, g) or max_new[g] != math.inf:
            top = existing[g] + (0.0 if is_fixed(ctx, g) else max_new[g])
            bounds[g] = math.floor(top / size[g] + 1e-9) if integer else top / size[g]
            continue
        if useful_mw is None:
            useful_mw = _largest_useful_commitment_mw(ctx, plants)
        if not math.isfinite(useful_mw):
            raise ScenarioError([f"plants.{g}.max_new_mw: the largest-unit contingency needs a bound on the units of '{g}', and the "
                                 "load has none (a withdrawal without an upper bound); set max_new_mw"], title="unbounded contingency")
        available = availability[position[g]]
        rho = min([float(available[available > 0].min()) if (available > 0).any() else 1.0, 1.0]
                  + [float(v) for v in (ramp_up[g], ramp_down[g]) if not math.isnan(v) and v > 0])
        bounds[g] = math.ceil(useful_mw / (rho * size[g]) - 1e-9)
    return bounds


def _largest_useful_commitment_mw(ctx: ModelContext, plants: list[str]) -> float:
    """C̄ (MW): the most committed capacity any one plant can put to use in a snapshot."""
    inputs = ctx.inputs
    size = ctx.plant_value("unit_size_mw")
    existing = ctx.plant_value("existing_mw")
    max_new = ctx.plant_value("max_new_mw")
    load = largest_load_mw(ctx)
    charge = 0.0
    for s in ctx.plants_of_kind("storage"):
        top = existing[s] + max_new[s]
        charge += top if math.isfinite(top) else load
    fraction = float(inputs.attrs["reserve_load_fraction"])
    fixed_mw = float(inputs.attrs["reserve_fixed_mw"])
    need = (1.0 + fraction) * load + fixed_mw + max(size[g] for g in plants) + charge
    if inputs.sizes.get("line", 0) and len(ctx.zones) > 1:
        keep = 1.0 - float(np.max(inputs["line_loss_fraction"].values))
        need = need / keep ** (len(ctx.zones) - 1) if keep > 0 else math.inf
    return need


def _add_planning_reserve(ctx: ModelContext) -> None:
    model, inputs = ctx.model, ctx.inputs
    margin = float(inputs.attrs.get("planning_reserve_margin", float("nan")))
    if math.isnan(margin):
        return
    credit = ctx.plant_value("capacity_credit")
    kind = ctx.plant_value("plant_kind")
    eta_d = ctx.plant_value("discharge_efficiency")
    hours = float(inputs.attrs.get("storage_credit_duration_h", 4.0))
    stores = [s for s in ctx.plants_of_kind("storage") if credit[s]]
    model.FIRM_STORAGE = pyo.Set(initialize=stores, ordered=True)
    model.firm_mw = pyo.Var(model.FIRM_STORAGE, bounds=(0.0, None))
    model.firm_storage_power = pyo.Constraint(model.FIRM_STORAGE, rule=lambda m, s: m.firm_mw[s] <= credit[s] * m.capacity_mw[s])
    model.firm_storage_energy = pyo.Constraint(model.FIRM_STORAGE, rule=lambda m, s: hours * m.firm_mw[s] <= eta_d[s] * m.energy_mwh[s])
    curtailable = float(np.nansum(inputs["dc_curtailable_credit_mw"].values)) if "dc_curtailable_credit_mw" in inputs else 0.0
    # One column for the firm capacity, defined once, keeps each snapshot's row short (its load terms only).
    model.firm_capacity_mw = pyo.Var(bounds=(None, None))
    model.firm_capacity_definition = pyo.Constraint(
        expr=model.firm_capacity_mw == pyo.quicksum(credit[p] * model.capacity_mw[p] for p in model.PLANTS if credit[p] and kind[p] != "storage")
        + pyo.quicksum(model.firm_mw[s] for s in stores) + curtailable)
    demand = inputs["demand_mw"].values.sum(axis=0)
    varying = any(ctx.withdrawals.get((z, t)) for z in ctx.zones for t in ctx.snapshots)
    snapshots = list(ctx.snapshots) if varying else [int(np.argmax(demand))]
    model.PLANNING_RESERVE_SNAPSHOTS = pyo.Set(initialize=snapshots, ordered=True)
    model.planning_reserve_requirement_mw = pyo.Expression(
        model.PLANNING_RESERVE_SNAPSHOTS, rule=lambda m, t: (1.0 + margin) * pyo.quicksum(zone_load_mw(ctx, z, t) for z in ctx.zones))
    model.planning_reserve = pyo.Constraint(
        model.PLANNING_RESERVE_SNAPSHOTS, rule=lambda m, t: m.firm_capacity_mw >= m.planning_reserve_requirement_mw[t])


def results(ctx: ModelContext) -> dict[str, xr.DataArray]:
    model, inputs = ctx.model, ctx.inputs
    out: dict[str, xr.DataArray] = {}
    if hasattr(model, "planning_reserve"):
        out["firm_capacity_mw"] = xr.DataArray(float(pyo.value(model.firm_capacity_mw)), attrs={"units": "MW"})
        out["planning_reserve_requirement_mw"] = xr.DataArray(
            max(float(pyo.value(model.planning_reserve_requirement_mw[t])) for t in model.PLANNING_RESERVE_SNAPSHOTS),
            attrs={"units": "MW", "description": "largest (1 + margin) × system load over the snapshots"})
        credit = ctx.plant_value("capacity_credit")
        firm = [float(model.firm_mw[p].value or 0.0) if p in model.FIRM_STORAGE
                else 0.0 if ctx.plant_value("plant_kind")[p] == "storage" or not credit[p]
                else credit[p] * float(pyo.value(model.capacity_mw[p])) for p in model.PLANTS]
        out["firm_mw"] = xr.DataArray(np.asarray(firm), coords={"plant": list(model.PLANTS)}, dims=("plant",), attrs={"units": "MW"})
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
        zone_base = np.array([float(pyo.value(base[z, t])) for t in T])
        requirement[i] = zone_base
        for g in model.CONTINGENCY_UNITS:
            if zone_of[g] == z:
                online = np.array([size[g] * (model.online[g, t].value or 0.0) for t in T])
                requirement[i] = np.maximum(requirement[i], zone_base + online)
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
