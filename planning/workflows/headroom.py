"""``planning headroom``: the largest new flexible data-center load the existing system can serve.

The question of Norris et al. (2025), "Rethinking Load Growth" (Duke University, Nicholas
Institute): how much new load fits on the existing system if it accepts curtailment of at most
0.25 %, 0.5 % or 1 % of its annual energy (76, 98 and 126 GW across US balancing authorities).

Method: a direct formulation, two LPs (MILPs with integer unit commitment) per budget b
---------------------------------------------------------------------------------------
Capacities are fixed (the scenario's existing fleet, or a planning run's via ``--capacities``).
"Without unserved energy" means no unserved energy beyond the existing system's own: a first
solve without the new load gives U⁰_{z,t} (zero for an adequate system; a least-cost plan may
shed a few hours when that is cheaper than a peaker at the value of lost load), and then
unserved_mw[z,t] ≤ U⁰_{z,t} in every zone and hour. The new load of size X (MW) at zone
z draws PUE·(s_t·X − c_t), with shape s_t ≤ 1 (flat, or an existing data center's IT profile /
its peak) and curtailment c_t (block :mod:`planning.optimization.blocks.new_load`):

1. max X  s.t. the whole operating model (dispatch, commitment, storage, reserves, transmission,
   the existing data centers with their learned flexibility), c_t ≤ κ·s_t·X and
   Σ_t w_t·c_t ≤ b·Σ_t w_t·s_t·X. X appears only linearly (X·s_t with s_t data), so this is one
   LP: no bisection is needed. (Bisection would be valid too: the least curtailment C(X) of an
   LP is convex in X with C(0) = 0, so C(X)/X is non-decreasing — but it needs ~20 solves.)
2. X fixed at X*·(1 − 1e-7) (0 below 1 kW); min operating cost + VOLL·Σ_t w_t·c_t: the cheapest dispatch
   with the least curtailment at that size, from which the curtailment statistics are read.

Reserves count every data center: the spinning reserve's share of load and the planning reserve
margin (one row per snapshot) cover the existing data centers' facility power and the new load's
PUE·(s_t·X − c_t) (block order: new load, then reserves), so X is the load the system serves while
still holding its reserves — curtailing the new load in its tightest hours also frees reserve.

headroom.csv: curtailment_budget, headroom_mw, curtailed_mwh, curtailed_fraction,
curtailed_hours (Σ w_t over hours with c_t > 0), max_curtail_depth (max_t c_t/(s_t·X), fraction),
longest_event_hours (longest run of consecutive curtailed hours), zone, shape. Because the
feasible set for a larger budget contains that of a smaller one, headroom is non-decreasing in
the budget. ``base_unserved_mwh`` reports Σ w·U⁰.

Per zone, with and without transmission (the Duke table for a many-zone grid)
------------------------------------------------------------------------------
``zones`` places the new load in each named zone in turn (one X per zone, the others without new
load); ``transmission="without"`` sets every corridor's capability to 0 first (each zone islanded
on its own fleet; U⁰ is recomputed for the islanded system), ``"both"`` gives both rows. Rows gain
``transmission`` (with / without). With representative periods (``horizon.representative_periods``)
the budget is on the weighted energy Σ w·c as above — an approximation of the year (a curtailed hour
of a typical day counts as many hours as its cluster holds) — and ``longest_event_hours`` counts
within a period; read the full year for decisions, the periods for a quick table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from planning.config.scenario import Scenario
from planning.errors import ScenarioError, SolveError
from planning.optimization.blocks import new_load, reserves
from planning.optimization.build import BLOCKS, build_model
from planning.optimization.solve import solve_model

HEADROOM_COLUMNS = ["curtailment_budget", "headroom_mw", "curtailed_hours", "max_curtail_depth", "longest_event_hours",
                    "curtailed_mwh", "curtailed_fraction", "base_unserved_mwh", "zone", "shape", "transmission"]
TRANSMISSION_SETTINGS = {"with": ("with",), "without": ("without",), "both": ("with", "without")}


def headroom_blocks() -> list:
    """The standard blocks with the new-load block before the reserves (whose requirements cover its load)."""
    blocks = list(BLOCKS)
    blocks.insert(blocks.index(reserves), new_load)
    return blocks


def load_shape(scenario: Scenario, inputs: xr.Dataset, zone: str | None = None) -> tuple[str, np.ndarray, str]:
    """(zone, shape s_t ∈ [0, 1], description) of the new load (``zone`` overrides operations.headroom.zone)."""
    settings = scenario.operations.headroom
    names = [str(d) for d in inputs["datacenter"].values] if "datacenter" in inputs.dims else []
    zone = zone if zone is not None else settings.zone
    if zone is None:
        zone = str(inputs["dc_zone"].values[0]) if names else str(inputs["zone"].values[0])
    if zone not in [str(z) for z in inputs["zone"].values]:
        raise ScenarioError([f"operations.headroom.zone: unknown zone '{zone}'"], title="invalid headroom settings")
    if settings.shape == "flat":
        return zone, np.ones(inputs.sizes["snapshot"]), "flat"
    source = settings.shape_datacenter or (names[0] if names else None)
    if source is None or source not in names:
        raise ScenarioError([f"operations.headroom.shape_datacenter: '{source}' is not a data center of the scenario (defined: {', '.join(names) or 'none'})"],
                            title="invalid headroom settings")
    profile = (inputs["dc_baseline_mw"] + inputs["dc_observed_flexible_mw"]).sel(datacenter=source).values.astype(float)
    peak = profile.max()
    return zone, (profile / peak if peak > 0 else np.ones_like(profile)), f"datacenter:{source}"


def longest_run(flags: np.ndarray, period: np.ndarray | None = None) -> int:
    """Longest run of consecutive True values (within one ``period`` label when given)."""
    best = run = 0
    for i, flag in enumerate(flags):
        if period is not None and i > 0 and period[i] != period[i - 1]:
            run = 0
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def without_transmission(inputs: xr.Dataset) -> xr.Dataset:
    """The inputs with every corridor's capability 0 and nothing to build: each zone on its own fleet."""
    if not inputs.sizes.get("line", 0):
        return inputs
    return inputs.assign(line_existing_mw=xr.zeros_like(inputs["line_existing_mw"]), line_max_new_mw=xr.zeros_like(inputs["line_max_new_mw"]))


def headroom_inputs(inputs: xr.Dataset, zone: str, shape: np.ndarray, settings, budget: float, fixed_mw: float = float("nan")) -> xr.Dataset:
    """The inputs with the new load's data (unserved energy is capped by :func:`_cap_unserved`)."""
    ds = inputs.copy()
    ds["new_load_shape"] = (("snapshot",), np.asarray(shape, float))
    ds.attrs = dict(inputs.attrs)
    ds.attrs.update({"new_load_zone": zone, "new_load_pue": settings.pue, "new_load_budget": float(budget),
                     "new_load_max_curtail_fraction": settings.max_curtail_fraction, "new_load_max_mw": settings.max_mw,
                     "new_load_fixed_mw": float(fixed_mw)})
    return ds


def solve_headroom(scenario: Scenario, inputs: xr.Dataset, budget: float, base_unserved_mw: np.ndarray | None = None,
                   zone: str | None = None) -> dict:
    """Stages 1 and 2 for one budget; returns the headroom.csv row (and the curtailment series)."""
    settings = scenario.operations.headroom
    zone, shape, description = load_shape(scenario, inputs, zone)
    blocks = headroom_blocks()
    if base_unserved_mw is None:
        base_unserved_mw = base_unserved(scenario, inputs)
    built = build_model(headroom_inputs(inputs, zone, shape, settings, budget), blocks=blocks)
    model = built.model
    _cap_unserved(built, base_unserved_mw)
    model.total_cost.deactivate()
    model.headroom_objective = pyo.Objective(expr=model.new_load_mw, sense=pyo.maximize)
    solved = solve_model(model, scenario.solver)
    if not solved.has_solution:
        raise SolveError([f"the headroom problem has no solution (HiGHS: '{solved.status}'); check the existing system and "
                          "operations.headroom"], title="no headroom")
    size = float(model.new_load_mw.value) * (1.0 - 1e-7)
    size = size if size >= 1e-3 else 0.0  # below a kW: no headroom (solver noise)
    built = build_model(headroom_inputs(inputs, zone, shape, settings, budget, fixed_mw=size), blocks=blocks)
    _cap_unserved(built, base_unserved_mw)
    solved = solve_model(built.model, scenario.solver)
    if not solved.has_solution:
        raise SolveError([f"the dispatch at the headroom {size:.6g} MW could not be solved (HiGHS: '{solved.status}')"], title="headroom check failed")
    model = built.model
    T = built.ctx.snapshots
    weight = built.ctx.weight_h
    curtailed = np.array([model.new_load_curtailed_mw[t].value or 0.0 for t in T])
    demand = shape * size
    flags = curtailed > 1e-6 * max(1.0, size)
    depth = np.divide(curtailed, demand, out=np.zeros_like(curtailed), where=demand > 0)
    energy = float((weight * demand).sum())
    return {
        "curtailment_budget": budget, "headroom_mw": size, "curtailed_hours": float(weight[flags].sum()),
        "max_curtail_depth": float(depth.max()) if depth.size else 0.0,
        "longest_event_hours": float(longest_run(flags, inputs["period"].values if "representative_of_period" in inputs else None)),
        "curtailed_mwh": float((weight * curtailed).sum()), "curtailed_fraction": float((weight * curtailed).sum() / energy) if energy > 0 else 0.0,
        "zone": zone, "shape": description, "curtailed_mw": curtailed,
    }


def base_unserved(scenario: Scenario, inputs: xr.Dataset) -> np.ndarray:
    """U⁰_{z,t}: the existing system's own unserved energy (MW) without the new load (its least-cost dispatch)."""
    ds = inputs.copy()
    ds.attrs = {**inputs.attrs, "allow_unserved_energy": 1}
    built = build_model(ds)
    solved = solve_model(built.model, scenario.solver)
    if not solved.has_solution:
        problem = f"the existing system could not be dispatched (HiGHS: '{solved.status}')"
        margin = float(inputs.attrs.get("planning_reserve_margin", float("nan")))
        if not np.isnan(margin):
            problem += (f"; with reserves.planning_reserve_margin = {margin:g} the fixed fleet's firm capacity must cover "
                        f"{1 + margin:g} × load (demand + data centers' facility power) in every hour — lower the margin or "
                        "give larger capacities (--capacities)")
        raise SolveError([problem], title="no headroom")
    model = built.model
    if not hasattr(model, "unserved_mw"):
        return np.zeros((len(built.ctx.zones), len(built.ctx.snapshots)))
    return np.array([[model.unserved_mw[z, t].value or 0.0 for t in built.ctx.snapshots] for z in built.ctx.zones])


def _cap_unserved(built, base_unserved_mw: np.ndarray) -> None:
    """unserved_mw[z,t] ≤ U⁰_{z,t}: the new load may not add unserved energy in any zone or hour."""
    model = built.model
    if not hasattr(model, "unserved_mw"):
        return
    for i, z in enumerate(built.ctx.zones):
        for t in built.ctx.snapshots:
            model.unserved_mw[z, t].setub(float(base_unserved_mw[i, t]) * (1.0 + 1e-9) + 1e-9)


ISLAND_DIMENSIONS = {"snapshot", "zone", "plant", "line", "datacenter", "breakpoint", "calendar_period"}


def island(inputs: xr.Dataset, zone: str) -> tuple[xr.Dataset, int] | None:
    """``zone`` alone (its plants and data centers, no corridors) and its index in ``inputs``, when that is the same
    problem as the whole system with every corridor at 0: nothing couples the zones then (no system-wide reserve,
    reserve margin or CO2 cap, no dimension this function does not know). None otherwise (solve the whole system)."""
    attrs = inputs.attrs
    coupled = (float(attrs.get("reserve_load_fraction", 0) or 0) > 0 or float(attrs.get("reserve_fixed_mw", 0) or 0) > 0
               or bool(attrs.get("reserve_largest_unit", 0)) or not np.isnan(float(attrs.get("planning_reserve_margin", float("nan"))))
               or not np.isnan(float(attrs.get("co2_cap_t", float("nan")))))
    if coupled or set(inputs.dims) - ISLAND_DIMENSIONS:
        return None
    zones = [str(z) for z in inputs["zone"].values]
    index = zones.index(zone)
    selection = {"zone": [index], "plant": np.flatnonzero(inputs["plant_zone"].values.astype(str) == zone), "line": []}
    if inputs.sizes.get("datacenter", 0):
        selection["datacenter"] = np.flatnonzero(inputs["dc_zone"].values.astype(str) == zone)
    return inputs.isel({dim: index for dim, index in selection.items() if dim in inputs.dims}), index


def headroom_zones(scenario: Scenario, inputs: xr.Dataset, zones: list[str] | None) -> list[str | None]:
    """The zones to place the new load in: None = operations.headroom.zone (one row set); ``all`` = every zone."""
    if not zones:
        return [None]
    known = [str(z) for z in inputs["zone"].values]
    if "all" in zones:
        return known
    unknown = [zone for zone in zones if zone not in known]
    if unknown:
        raise ScenarioError([f"--zone: unknown zone '{zone}' (zones: {', '.join(known)}, or all)" for zone in unknown],
                            title="invalid headroom settings")
    return list(dict.fromkeys(zones))


def headroom_table(scenario: Scenario, inputs: xr.Dataset, budgets=None, step: Callable[[str], None] = lambda message: None,
                   zones: list[str] | None = None, transmission: str = "with") -> pd.DataFrame:
    """headroom.csv: one row per transmission setting, zone and curtailment budget."""
    if transmission not in TRANSMISSION_SETTINGS:
        raise ScenarioError([f"--transmission: '{transmission}' is not one of {', '.join(TRANSMISSION_SETTINGS)}"], title="invalid headroom settings")
    places = headroom_zones(scenario, inputs, zones)
    rows = []
    weight = inputs["weight_h"].values
    for setting in TRANSMISSION_SETTINGS[transmission]:
        system = inputs if setting == "with" else without_transmission(inputs)
        step(f"the existing system without the new load ({setting} transmission)")
        base = base_unserved(scenario, system)
        for place in places:
            zone_system, zone_base = system, base
            alone = island(system, place) if setting == "without" and place is not None else None
            if alone is not None:   # the same LP, 1/n of the size
                zone_system, index = alone
                zone_base = base[[index]]
            for budget in budgets or scenario.operations.headroom.budgets:
                where = f" in {place}" if place is not None else ""
                step(f"headroom{where} at a {budget:.2%} curtailment budget ({setting} transmission)")
                row = solve_headroom(scenario, zone_system, budget, zone_base, zone=place)
                row["base_unserved_mwh"] = float((base * weight[None, :]).sum())
                row["transmission"] = setting
                row.pop("curtailed_mw")
                rows.append(row)
    return pd.DataFrame(rows, columns=HEADROOM_COLUMNS)


def headroom_view(table: pd.DataFrame) -> pd.DataFrame:
    """The terminal's view of headroom.csv (which keeps every column).

    One zone, one transmission setting: a row per curtailment budget with the curtailment it takes (hours, depth,
    longest event, MWh). Several zones or settings: one row per (zone, setting) and the headroom in MW per budget
    side by side ("MW at 0.25 %"), so that 9 zones × 2 settings × 3 budgets fit an 80-column terminal.
    ``base unserved MWh`` (the existing system's own shortfall, which the new load must not raise) is shown
    when it is not zero."""
    shortfall = bool((table["base_unserved_mwh"].fillna(0.0) > 0).any())
    zones, settings = table["zone"].dropna().unique(), table["transmission"].unique()
    if len(zones) <= 1 and len(settings) == 1:
        columns = ["curtailment_budget", "headroom_mw", "curtailed_hours", "max_curtail_depth", "longest_event_hours", "curtailed_mwh"]
        return table[columns + (["base_unserved_mwh"] if shortfall else [])].reset_index(drop=True)
    keys = (["zone"] if len(zones) else []) + (["transmission"] if len(settings) > 1 else [])
    view = table.pivot_table(index=keys, columns="curtailment_budget", values="headroom_mw", sort=False)
    view.columns = [f"MW at {budget * 100:.4g} %" for budget in view.columns]
    if shortfall:
        view["base unserved MWh"] = table.groupby(keys, sort=False)["base_unserved_mwh"].first()
    return view.reset_index()


def headroom_inputs_of(scenario: Scenario, capacities: Path | None = None) -> xr.Dataset:
    """The scenario's inputs (stress events applied) with every capacity fixed — representative periods allowed
    (headroom needs no chronology beyond its periods; see the module docstring)."""
    from planning.io.inputs import load_inputs
    from planning.workflows.signal_response import fixed_capacity_inputs, read_capacities
    from planning.workflows.stochastic import require_one_future

    require_one_future(scenario, "headroom")
    inputs = load_inputs(scenario)
    capacity, lines = read_capacities(capacities) if capacities is not None else (None, None)
    return fixed_capacity_inputs(inputs, capacity, lines)


def write_headroom(scenario: Scenario, out_dir: Path, capacities: Path | None = None, budgets=None,
                   step: Callable[[str], None] = lambda message: None, zones: list[str] | None = None,
                   transmission: str = "with") -> tuple[pd.DataFrame, Path]:
    """``planning headroom``: write headroom.csv (and the resolved scenario) atomically."""
    from planning.io.writers import atomic_folder, write_tables
    from planning.workflows.run import resolved_scenario_yaml

    inputs = headroom_inputs_of(scenario, capacities)
    table = headroom_table(scenario, inputs, budgets, step=step, zones=zones, transmission=transmission)
    with atomic_folder(out_dir) as staging:
        write_tables(staging, {"headroom": table})
        (staging / "scenario.resolved.yaml").write_text(resolved_scenario_yaml(scenario), encoding="utf-8")
    return table, Path(out_dir).resolve()
