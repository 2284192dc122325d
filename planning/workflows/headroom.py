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
                    "curtailed_mwh", "curtailed_fraction", "base_unserved_mwh", "zone", "shape"]


def headroom_blocks() -> list:
    """The standard blocks with the new-load block before the reserves (whose requirements cover its load)."""
    blocks = list(BLOCKS)
    blocks.insert(blocks.index(reserves), new_load)
    return blocks


def load_shape(scenario: Scenario, inputs: xr.Dataset) -> tuple[str, np.ndarray, str]:
    """(zone, shape s_t ∈ [0, 1], description) of the new load."""
    settings = scenario.operations.headroom
    names = [str(d) for d in inputs["datacenter"].values] if "datacenter" in inputs.dims else []
    zone = settings.zone
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


def longest_run(flags: np.ndarray) -> int:
    """Longest run of consecutive True values."""
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def headroom_inputs(inputs: xr.Dataset, zone: str, shape: np.ndarray, settings, budget: float, fixed_mw: float = float("nan")) -> xr.Dataset:
    """The inputs with the new load's data (unserved energy is capped by :func:`_cap_unserved`)."""
    ds = inputs.copy()
    ds["new_load_shape"] = (("snapshot",), np.asarray(shape, float))
    ds.attrs = dict(inputs.attrs)
    ds.attrs.update({"new_load_zone": zone, "new_load_pue": settings.pue, "new_load_budget": float(budget),
                     "new_load_max_curtail_fraction": settings.max_curtail_fraction, "new_load_max_mw": settings.max_mw,
                     "new_load_fixed_mw": float(fixed_mw)})
    return ds


def solve_headroom(scenario: Scenario, inputs: xr.Dataset, budget: float, base_unserved_mw: np.ndarray | None = None) -> dict:
    """Stages 1 and 2 for one budget; returns the headroom.csv row (and the curtailment series)."""
    settings = scenario.operations.headroom
    zone, shape, description = load_shape(scenario, inputs)
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
        "max_curtail_depth": float(depth.max()) if depth.size else 0.0, "longest_event_hours": float(longest_run(flags)),
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


def headroom_table(scenario: Scenario, inputs: xr.Dataset, budgets=None, step: Callable[[str], None] = lambda message: None) -> pd.DataFrame:
    """headroom.csv: one row per curtailment budget."""
    rows = []
    step("the existing system without the new load")
    base = base_unserved(scenario, inputs)
    weight = inputs["weight_h"].values
    for budget in budgets or scenario.operations.headroom.budgets:
        step(f"headroom at a {budget:.2%} curtailment budget")
        row = solve_headroom(scenario, inputs, budget, base)
        row["base_unserved_mwh"] = float((base * weight[None, :]).sum())
        row.pop("curtailed_mw")
        rows.append(row)
    return pd.DataFrame(rows, columns=HEADROOM_COLUMNS)


def write_headroom(scenario: Scenario, out_dir: Path, capacities: Path | None = None, budgets=None,
                   step: Callable[[str], None] = lambda message: None) -> tuple[pd.DataFrame, Path]:
    """``planning headroom``: write headroom.csv (and the resolved scenario) atomically."""
    from planning.io.writers import atomic_folder, write_tables
    from planning.workflows.run import resolved_scenario_yaml
    from planning.workflows.signal_response import prepare_inputs

    inputs = prepare_inputs(scenario, capacities)
    table = headroom_table(scenario, inputs, budgets, step=step)
    with atomic_folder(out_dir) as staging:
        write_tables(staging, {"headroom": table})
        (staging / "scenario.resolved.yaml").write_text(resolved_scenario_yaml(scenario), encoding="utf-8")
    return table, Path(out_dir).resolve()
