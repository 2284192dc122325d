"""``solver.temporal_decomposition``: a chronological LP solved by Benders over blocks of hours, with a normal run's outputs.

Why: the full-year LP of many zones is hours of dual simplex on 2 cores (9-zone Eastern year: 919 818 rows × 1 410 526
columns, 5–6 h), while multi-cut Benders over weekly blocks (:mod:`planning.optimization.temporal_bounds`) brackets its
optimum to 1e-5 in minutes. This module turns that bracket into a run: the same results Dataset, prices and files as
:func:`planning.optimization.solve.solve_model` followed by :func:`planning.optimization.results.collect_results`.

Steps (:func:`solve_temporal`):

1. build the model and compile it (:class:`planning.optimization.decomposition.Compiled`); refuse integer columns
   (an LP only) and rows over more than two blocks (:func:`planning.optimization.temporal_bounds.split_by_blocks`'s
   ``dropped_rows``, e.g. a yearly ``co2_cap``: Σ_t w_t·e_g·p_g,t ≤ Cap cannot be split into blocks exactly);
2. Benders (:class:`planning.optimization.temporal_bounds.TemporalBenders`) until

       (UB − LB) / |UB| ≤ gap,   LB = the master's optimum ≤ the LP optimum ≤ UB = c·(x̂, ŷ) + offset,

   at a point x̂ (capacities and the storage levels at block edges) where every block meets the master's states
   (``require_consistent``): the blocks' operation ŷ_k at x̂ then joins into a feasible full-year point of cost UB
   (currency/yr);
3. every block re-solved at x̂ (:meth:`TemporalBenders.solution_at`) gives the full-year point: each operating column
   from its own block, capacities and boundary states from x̂. The point is checked against every row and bound of the
   LP (1e-6 relative) and loaded into the Pyomo model. The row duals are not the re-solve's: they are assembled from
   the cuts (:meth:`TemporalBenders.duals`; "What differs", duals, below);
4. :class:`planning.optimization.solve.SolveResult`: objective = UB, dual_bound = LB, mip_gap = the certified gap,
   status "Optimal" when the gap is reached, duals keyed by ``id(constraint)`` as ``solve_model`` keys them (so
   balance.csv's price_per_mwh = balance dual / w_t, reserve and capacity prices, the CO2 and line metrics come out as
   usual); results.attrs carry ``upper_bound``, ``lower_bound``, ``certified_gap``, ``lower_bound_from``,
   ``solution_from`` (summary.csv and run.json's ``summary_facts``).

What differs from one HiGHS solve:

* the optimum is reached to ``gap``, not to HiGHS' tolerances (1e-5 by default: 1 M$ on a 112 G$/yr system);
* duals: the whole LP's optimal duals to ``gap``, assembled from the cuts (standard Benders / Dantzig–Wolfe duality;
  :meth:`TemporalBenders.duals`). With λ_kj ≥ 0 the master's dual of block k's cut from iteration j (HiGHS' sign
  convention, minimising: c − Aᵀy are the reduced costs, a binding ≥ row has y ≥ 0) and π_kj block k's row duals at
  that iteration,

      y_k = Σ_j λ_kj · π_kj     (block k's rows),      y_M = the master's row duals (rows of x and edge states alone),

  a row held twice (a row among x and one edge state alone, e.g. soc ≤ energy capacity: in the master, in its block
  and as a copy row in the neighbour) taking the sum of its duals. θ_k has cost 1 and coefficient 1 in its own cuts,
  so 1 − Σ_j λ_kj = θ_k's reduced cost: 0 when θ_k is above its floor θ_k^min (the weights sum to 1), > 0 only with
  θ_k at its floor — the floor is the cut of the block's dual π = 0 (each column at the bound of its least cost), so
  that weight adds nothing and y_k = Σ_j λ_kj·π_kj holds as it is (e.g. a block of PV alone at no cost: its prices
  are 0). Master optimality then gives the whole LP's reduced cost of every capacity c_x − A_xᵀy =
  c_x − A_Mᵀy_M + Σ_kj λ_kj·g_kj = the master's reduced cost of x (0 for a capacity strictly between its bounds), and
  likewise of an edge state; the dual objective is ≥ LB: y is an optimal dual of the whole LP to the gap. Where the
  LP's dual is unique the prices are the monolithic LP's; where it is not (a battery hour, a plant at its limit: on
  the 48-hour test case the optimum's derivative with respect to an hour's demand is 50 $/MWh to the left and
  54.68 to the right) the price is one of the LP's optimal prices (there 52.08), as the monolithic LP's simplex picks
  one too (tests/optimization/test_temporal_solve.py). The blocks' own duals at x̂ (the re-solve's, used before) are
  optimal for each block *given* x̂ and the edge states, not for the whole LP (55.40 $/MWh there; 21.19 $/MW-yr of
  new gas' 42.8 unpaid). Memory: every iteration's block duals are kept as float64, Σ_k (rows_k + states_k) × 8
  bytes per iteration (9-zone Eastern year, 52 blocks × ≈ 17 700 rows, 27 iterations: 190 MiB measured, peak memory
  3.0 → 3.2 GiB; the run log says how much);
* tie-breaks (``datacenters.<name>.schedule_tie_break_per_mwh``) are part of the one objective (``solver.tie_break:
  objective``), never a lexicographic second pass;
* there is no full-year simplex basis: ``SolveResult.highs`` is None, so the basis-based marginal emission intensity
  is not computed (carbon.csv says so in ``marginal_method``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np
import xarray as xr

from planning.config.scenario import Scenario
from planning.errors import ScenarioError, SolveError
from planning.optimization.build import build_model
from planning.optimization.decomposition import Compiled
from planning.optimization.results import collect_results
from planning.optimization.solve import SolveResult, _value_unused_variables
from planning.optimization.temporal_bounds import TemporalBenders, block_snapshots, relative_violation, split_by_blocks

KEY = "solver.temporal_decomposition"

#: What to say for a dropped row, by component: the key that makes it and the alternative.
_DROPPED_FIX = {
    "co2_cap": "policy.co2_cap_t (a yearly CO2 cap): replace it by a CO2 price (policy.co2_price_per_t)",
}


def dropped_rows_problem(dropped: dict[str, int], block_hours: int) -> str:
    """The message for rows over more than two blocks (by component), naming the key and what to do."""
    rows = ", ".join(f"{name} ({count} row{'s' if count != 1 else ''}"
                     + (f": {_DROPPED_FIX[name].split(':')[0]}" if name in _DROPPED_FIX else "") + ")"
                     for name, count in sorted(dropped.items()))
    fixes = "; ".join(_DROPPED_FIX[name] for name in sorted(dropped) if name in _DROPPED_FIX)
    return (f"{KEY}: rows over more than two blocks of {block_hours} h cannot be split into blocks exactly: {rows}. "
            f"Remove {KEY} (or set it to null) to solve the LP whole" + (f", or {fixes}" if fixes else
                                                                         ", or make block_hours longer than the rows' span"))


def solve_temporal(scenario: Scenario, inputs: xr.Dataset, log_file: Path | None = None, verbose: bool = False,
                   step: Callable[[str], None] = lambda message: None,
                   timings: dict[str, float] | None = None) -> tuple[xr.Dataset, SolveResult, dict[str, float]]:
    """Solve ``scenario``'s LP by Benders over blocks of hours (module docstring); returns what
    :func:`planning.workflows.run.solve_scenario` returns: (results, SolveResult, timings in s)."""
    settings = scenario.solver.temporal_decomposition
    timings = timings if timings is not None else {}
    if "representative_of_period" in inputs:
        raise ScenarioError([f"{KEY}: needs a chronological horizon; remove horizon.representative_periods or {KEY}"],
                            title="cannot decompose")
    lines: list[str] = []

    def report(line: str) -> None:
        lines.append(line)
        if verbose:
            print(line, flush=True)
        if log_file is not None:
            Path(log_file).write_text("\n".join(lines) + "\n", encoding="utf-8")

    step("building the model")
    built = build_model(inputs)
    timings["build_s"] = built.build_s
    tic = time.perf_counter()
    form = Compiled.of(built.model)
    timings["translate_s"] = time.perf_counter() - tic
    if form.integer.any():
        names = sorted({form.columns[j].parent_component().name for j in np.flatnonzero(form.integer)})
        raise ScenarioError([f"{KEY}: decomposes LPs only; the model has integer columns ({', '.join(names)}): set "
                             "unit_commitment.mode: linear or off, or remove " + KEY], title="cannot decompose")
    n_snapshots = int(inputs.sizes["snapshot"])
    block = block_snapshots(settings.block_hours, float(inputs.attrs.get("snapshot_duration_h", 1)))
    step("temporal decomposition: blocks")
    tic = time.perf_counter()
    split = split_by_blocks(form, n_snapshots, block)
    if split.dropped_rows:
        raise ScenarioError([dropped_rows_problem(split.dropped_rows, settings.block_hours)], title="cannot decompose")
    threads = settings.threads or scenario.solver.threads
    report(f"temporal decomposition ({KEY}): {len(form.rows)} rows x {len(form.columns)} columns in {len(split.blocks)} blocks "
           f"of {settings.block_hours} h, {threads} thread(s), gap {settings.gap:g}")
    benders = TemporalBenders(form, split, threads=threads, report=report)
    timings["blocks_s"] = time.perf_counter() - tic
    step("temporal decomposition: Benders")
    tic = time.perf_counter()
    outcome = benders.run(gap=settings.gap, max_iterations=settings.max_iterations,
                          time_limit_s=float(scenario.solver.time_limit_s), require_consistent=True)
    timings["benders_s"] = time.perf_counter() - tic
    if not outcome.best_consistent:
        raise SolveError([f"{KEY}: after {outcome.iterations} iterations ({outcome.seconds:.0f} s) no point was found where the "
                          f"blocks agree on the storage levels at their edges (lower bound {outcome.lower_bound:.8g}); raise "
                          "solver.time_limit_s or max_iterations, or remove " + KEY], title="temporal decomposition failed")
    step("temporal decomposition: the year from its blocks")
    tic = time.perf_counter()
    point = benders.solution_at(outcome.x_values)
    violation = relative_violation(form, point.values)
    upper_bound = float(form.cost @ point.values) + float(form.lp.offset_)
    report(f"full-year point from the blocks at the best point: cost {upper_bound:.10g} (Benders: {outcome.best_value:.10g}), "
           f"largest relative violation of a row or bound {violation:.2g}, state deviation {point.deviation:.2g}")
    if violation > 1e-6:
        raise SolveError([f"{KEY}: the point assembled from the blocks violates the LP by {violation:.3g} (relative)"],
                         title="temporal decomposition failed")
    for var, value in zip(form.columns, point.values):
        var.set_value(float(value), skip_validation=True)
    _value_unused_variables(built.model)
    lower_bound = outcome.lower_bound
    gap = (upper_bound - lower_bound) / max(1.0, abs(upper_bound))
    converged = outcome.converged and gap <= settings.gap * (1 + 1e-9) + 1e-12
    result = SolveResult(status="Optimal" if converged else "Time limit reached", has_solution=True, num_rows=len(form.rows),
                         num_cols=len(form.columns))
    result.objective, result.dual_bound, result.mip_gap = upper_bound, lower_bound, gap
    result.tie_break = "objective" if hasattr(built.model, "tie_break_cost") else ""
    duals = point.duals
    at_floor = int((duals.floor_weight > 1e-9).sum())
    report(f"duals from the cuts: y_k = Σ_j λ_kj·π_kj over {len(benders.cut_rows)} iterations' block duals "
           f"({benders.dual_bytes / 2**20:.1f} MiB); Σ_j λ_kj from {duals.weight.min():.9f} to "
           f"{duals.weight.max():.9f}, {at_floor} block(s) with θ_k at its floor")
    result.duals_from = (f"Benders cuts over blocks of {settings.block_hours} h: each block's row duals at every iteration "
                         "weighted by the master's duals of its cuts (y_k = Σ_j λ_kj·π_kj), rows of capacities alone from "
                         "the master: an optimal dual of the whole LP to the certified gap")
    if point.dual_valid:
        result.duals = {id(row[0]): float(dual) for row, dual in zip(form.rows, point.row_dual)}
    else:
        result.duals_from = "none (the Benders master or a block returned no duals: no prices)"
    result.columns, result.rows, result.col_cost = form.columns, form.rows, form.cost
    result.components = list({id(c): c for c in (item.parent_component() for item in (*form.columns, *(row[0] for row in form.rows)))}.values())
    timings["assemble_s"] = time.perf_counter() - tic
    result.translate_s = timings["translate_s"]
    result.solve_s = timings["blocks_s"] + timings["benders_s"] + timings["assemble_s"]
    timings["solve_s"] = result.solve_s
    report(f"certified gap: UB {upper_bound:.10g}, LB {lower_bound:.10g} (Benders master): {gap:.3e} after {outcome.iterations} "
           f"iterations; {'converged' if converged else 'stopped short of ' + format(settings.gap, 'g')}")
    tic = time.perf_counter()
    results = collect_results(built.ctx, result)
    timings["results_s"] = time.perf_counter() - tic
    results.attrs.update({
        "rows": result.num_rows, "columns": result.num_cols,
        "upper_bound": upper_bound, "lower_bound": lower_bound, "certified_gap": gap,
        "lower_bound_from": f"Benders master over {len(split.blocks)} blocks of {settings.block_hours} h ({KEY})",
        "solution_from": f"{KEY}: the blocks' operation at the best Benders point (capacities and storage levels at block edges)",
        "temporal_blocks": len(split.blocks), "benders_iterations": outcome.iterations,
    })
    return results, result, timings
