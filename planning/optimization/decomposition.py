"""Decomposed capacity expansion with integer unit commitment (``unit_commitment.strategy: decomposed``).

The full-year clustered-UC expansion MILP (8760 h) stays at its root node for minutes (see
benchmarks/README.md). This module finds a good full-year solution and *certifies* it with a
lower bound instead:

1. **Investments** (``decomposition.investments``) from a relaxed or an aggregated problem:

   * ``linear`` — the full-year linear-UC LP (unit counts continuous), strengthened as in 4.
     Committed plants with ``integer_build`` then get whole units: the LP is re-solved (warm
     start, seconds) with the *committable* units ⌊capacity/S⌋ of each expandable committed
     plant fixed at ⌊u⌋ or ⌈u⌉ of its LP value u (a fraction of a unit can never be committed:
     CCGT 15607 MW in 500 MW units is 31 units), for every combination, everything else free;
     the cheapest combination's capacities are taken. Every other capacity (MW, MWh, lines) is
     taken from that LP as it is;
   * ``representative`` — the integer-UC MILP on ``representative_days`` tsam days (already
     whole units).

   Every variable without a snapshot index (capacities, new units, lines, new load) is then
   fixed in the full-year integer model.

2. **Rolling-window commitment.** The full-year integer model with fixed capacities is compiled
   once to a sparse matrix. Each column belongs to one snapshot (its last index). The year is
   cut into windows of ``window_hours`` (+ ``overlap_hours`` of look-ahead); window k frees the
   columns of its hours and keeps every row that touches a free column and otherwise only
   columns that earlier windows have *decided* (their values move to the right-hand side).
   Rows that reach into hours not yet solved are dropped (the look-ahead mitigates this). So
   the state equation, min up/down sums, ramp limits and storage balance of the first hours of
   a window see the committed units, start-ups/shut-downs, output and state of charge the
   previous windows left. The cyclic rows of hour 0 reach back to the last hours: the first
   window frees those last hours too (as a look-back: a free but bounded initial state, no
   free energy), decides only its own hours, and the last window re-solves them with the first
   hours fixed, which closes the cycle. After a window only its core hours are decided; the
   look-ahead is solved again by the next window. With ``horizon.storage_cycle`` day or week,
   the cycles are independent (only the capacities link them): windows are then whole cycles
   without look-ahead, and the windows are exact.
   Every row of the full model is enforced by the last window that sets any of its columns,
   with all its other columns at their final values — so the stitched point is feasible for
   the full-year model. Each window is a small MILP (≈1/52 of the year) solved by HiGHS with
   ``window_mip_gap`` and ``window_time_limit_s`` (and ``solver.threads``: HiGHS' thread pool is per process).

3. **Evaluation (upper bound).** All integer columns fixed at the stitched values, the
   full-year LP is re-solved (dispatch and storage re-optimised over the whole cyclic year):
   its objective (investment + fixed O&M + operations, exactly as the monolithic model counts
   them) is the upper bound UB, and its duals give the prices (``prices_from``). Results
   (commitment.csv etc.) come from this solution.

4. **Lower bound** (``decomposition.lower_bound``):

   * ``linear`` — the full-year linear-UC LP objective: the LP relaxation of the integer
     problem (continuous units, builds and on/off flags), hence ≤ the integer optimum. It is
     strengthened by a valid inequality: committed units ≤ ⌊E/S⌋ − retired + new units (the
     fraction of a unit in existing capacity E can never be committed by an integer point); on
     the full-year case this lifts the LP from 5.2262e9 to 5.2363e9 — the MILP's root bound
     after cuts. With
     ``investments: linear`` it is the investment LP itself; with ``representative`` it is
     solved in a second process (``parallel``) while the windows run;
   * ``milp`` — in addition, the monolithic MILP is warm-started with the decomposed full-year
     solution (highspy ``setSolution``) and run for ``bound_time_limit_s``; its dual bound
     (after root cuts) tightens the bound, and if it finds a better incumbent the results come
     from it (with its own fixed-integer LP re-solve).

   gap = (UB − LB) / UB is reported in summary.csv (``upper_bound``, ``lower_bound``,
   ``certified_gap``, ``lower_bound_from``, ``investments_from``) and as ``mip_gap``.

Where: this module (the matrix-level window machinery and the three stages); it is called
from :func:`planning.workflows.run.solve_scenario` when ``unit_commitment.mode`` is integer and
``unit_commitment.strategy`` is decomposed, and returns what a monolithic solve returns, so
every output (commitment.csv, balance.csv prices, ...) is written as usual. Stage logs go next
to solver.log (``solver_investments.log``, ``solver_evaluation.log``, ``solver_milp.log``,
``solver_bound.log``); solver.log itself lists the stages and each window.

Limitations: the horizon must be chronological (no representative periods); rows that span
more hours than a window (a CO2 cap, a data-center energy budget over the horizon) cannot be
split and are refused with a message (a row is refused when it spans more than half the horizon
and more than a window with its look-ahead).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
import xarray as xr

from planning.config.representative_periods import RepresentativePeriods
from planning.config.scenario import Scenario
from planning.config.solver import Solver
from planning.errors import ScenarioError, SolveError
from planning.optimization.blocks.commitment import committed_plants
from planning.optimization.build import build_model
from planning.optimization.results import collect_results
from planning.optimization.solve import _STATUS_WITH_POINT, SolveResult, _set_options, _value_unused_variables, highs_lp, solve_model
from planning.timeseries.aggregate import aggregate_inputs

_INTEGER = highspy.HighsVarType.kInteger
_CONTINUOUS = highspy.HighsVarType.kContinuous


# --------------------------------------------------------------------------------------------
# Compiled full-year model
# --------------------------------------------------------------------------------------------


def snapshot_of(var) -> int | None:
    """The snapshot a variable belongs to: its (last) integer index; None for capacities etc."""
    index = var.index()
    if isinstance(index, tuple):
        index = index[-1] if index else None
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
        return int(index)
    return None


@dataclass
class Compiled:
    """A model in standard form, with each column's snapshot."""

    lp: highspy.HighsLp
    columns: list
    rows: list
    integer: np.ndarray
    A: sp.csr_matrix
    col_t: np.ndarray
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray

    @classmethod
    def of(cls, model: pyo.ConcreteModel) -> "Compiled":
        lp, columns, rows, integer = highs_lp(model)
        matrix = lp.a_matrix_
        A = sp.csc_matrix(
            (np.asarray(matrix.value_, dtype=float), np.asarray(matrix.index_, dtype=np.int64), np.asarray(matrix.start_, dtype=np.int64)),
            shape=(lp.num_row_, lp.num_col_),
        ).tocsr()
        col_t = np.array([-1 if (t := snapshot_of(v)) is None else t for v in columns], dtype=np.int64)
        return cls(lp, list(columns), list(rows), integer, A, col_t, np.asarray(lp.col_cost_, dtype=float),
                   np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float),
                   np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float))


def row_spans(form: Compiled, n_snapshots: int, cyclic: bool = True) -> np.ndarray:
    """Hours spanned by each row's columns: cyclically, the shortest arc of the cyclic horizon that
    holds them (a row at hour 0 reaching hour T−1 spans 2), or not (it spans T); 0 for rows without columns."""
    A = form.A
    counts = np.diff(A.indptr)
    span = np.zeros(A.shape[0])
    if not A.nnz:
        return span
    row = np.repeat(np.arange(A.shape[0]), counts)
    order = np.lexsort((form.col_t[A.indices], row))
    t, row = form.col_t[A.indices][order].astype(float), row[order]
    starts = A.indptr[:-1][counts > 0]
    ends = A.indptr[1:][counts > 0] - 1
    if not cyclic:
        span[counts > 0] = t[ends] - t[starts] + 1
        return span
    gap = np.empty_like(t)
    gap[1:] = t[1:] - t[:-1]
    gap[starts] = t[starts] + n_snapshots - t[ends]  # the arc from the row's last hour round to its first
    span[counts > 0] = n_snapshots - np.maximum.reduceat(gap, starts) + 1
    return span


# --------------------------------------------------------------------------------------------
# Stage 2: rolling windows
# --------------------------------------------------------------------------------------------


@dataclass
class WindowLog:
    start: int
    end: int
    core_end: int
    rows: int
    columns: int
    integers: int
    status: str
    objective: float
    mip_gap: float
    seconds: float


def rolling_commitment(form: Compiled, n_snapshots: int, window_h: int, overlap_h: int, options: Solver,
                       report: Callable[[str], None] = lambda line: None, period_h: int | None = None) -> tuple[np.ndarray, list[WindowLog]]:
    """Solve the compiled full-year MILP in rolling windows; return the stitched point and a log per window.

    ``period_h``: length of the cycles of storage and commitment (``horizon.storage_cycle``; None =
    the whole horizon). Cycles shorter than the horizon are independent of each other (only the
    capacities link them), so windows are then whole cycles (``window_h`` rounded to a multiple
    of the cycle) without look-ahead, and each window is exact. With one cycle over the horizon,
    the rows of the first hours reach back to the last hours: the first window also frees those
    last hours (``tail``, as a look-back whose values only anchor the first hours) and decides
    only its own hours; the last window re-solves them with the first hours fixed, closing the cycle.
    """
    period_h = n_snapshots if period_h is None else period_h
    if period_h < n_snapshots:
        window_h, overlap_h = max(1, round(window_h / period_h)) * period_h, 0
    if (form.col_t < 0).any():
        names = sorted({form.columns[j].parent_component().name for j in np.flatnonzero(form.col_t < 0)})
        raise ScenarioError([f"unit_commitment.strategy: decomposed: variables without a snapshot are not fixed: {', '.join(names)}"],
                            title="cannot decompose")
    span = row_spans(form, n_snapshots)
    too_long = np.flatnonzero(span > max(window_h + overlap_h, n_snapshots / 2))
    if too_long.size:
        names = sorted({form.rows[i][0].parent_component().name for i in too_long})
        raise ScenarioError(
            [f"unit_commitment.strategy: decomposed: constraint(s) {', '.join(names)} span more hours than a window "
             f"({window_h} + {overlap_h} h) and cannot be split; use strategy: monolithic (a CO2 cap: use a CO2 price)"],
            title="cannot decompose",
        )
    wrapping = span < row_spans(form, n_snapshots, cyclic=False)
    tail = int(span[wrapping].max() - 1) if period_h == n_snapshots and n_snapshots > window_h + overlap_h and wrapping.any() else 0
    tail = min(tail, max(0, n_snapshots - window_h - overlap_h))
    pattern = form.A.copy()
    pattern.data = np.ones_like(pattern.data)
    x = np.clip(np.zeros(len(form.columns)), form.col_lower, form.col_upper)
    decided = np.zeros(len(form.columns), dtype=bool)
    logs: list[WindowLog] = []
    for start in range(0, n_snapshots, window_h):
        if decided[form.col_t >= 0].all():
            break
        core_end = min(start + window_h, n_snapshots)
        end = min(core_end + overlap_h, n_snapshots)
        if end == n_snapshots:
            core_end = end  # the look-ahead reaches the end: decide it here (no window of look-ahead only)
        free = (form.col_t >= start) & (form.col_t < end)
        if start == 0 and tail:
            free |= form.col_t >= n_snapshots - tail
        open_ = ~decided & ~free
        n_free = pattern @ free.astype(float)
        n_open = pattern @ open_.astype(float)
        rows = np.flatnonzero((n_free > 0) & (n_open == 0))
        cols = np.flatnonzero(free)
        tic = time.perf_counter()
        values, log = _solve_window(form, rows, cols, np.where(free, 0.0, np.where(decided, x, 0.0)), options)
        log.start, log.end, log.core_end, log.seconds = start, end, core_end, time.perf_counter() - tic
        logs.append(log)
        report(f"window {len(logs):3d} hours {start:5d}-{end - 1:5d} (core to {core_end - 1}): {log.rows} rows x {log.columns} columns "
               f"({log.integers} integer), {log.status}, objective {log.objective:.6g}, gap {log.mip_gap:.2%}, {log.seconds:.1f} s")
        if values is None:
            raise SolveError([f"commitment window hours {start}-{end - 1}: HiGHS says '{log.status}' (state handed over from the "
                              "previous window cannot be continued); try longer windows or overlap"], title="decomposition failed")
        x[cols] = values
        decided |= (form.col_t >= start) & (form.col_t < core_end)
    return x, logs


def _solve_window(form: Compiled, rows: np.ndarray, cols: np.ndarray, fixed_x: np.ndarray, options: Solver):
    sub = form.A[rows]
    offset = sub @ fixed_x
    block = sub[:, cols].tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cols), len(rows)
    lp.col_cost_ = form.cost[cols]
    lp.col_lower_ = form.col_lower[cols]
    lp.col_upper_ = form.col_upper[cols]
    lp.row_lower_ = form.row_lower[rows] - offset
    lp.row_upper_ = form.row_upper[rows] - offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = block.indptr
    lp.a_matrix_.index_ = block.indices
    lp.a_matrix_.value_ = block.data
    integer = form.integer[cols]
    if integer.any():
        lp.integrality_ = [_INTEGER if i else _CONTINUOUS for i in integer]
    highs = highspy.Highs()
    _set_options(highs, options, None, False)
    highs.passModel(lp)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    info = highs.getInfo()
    log = WindowLog(0, 0, 0, len(rows), len(cols), int(integer.sum()), status, float("nan"), float("nan"), 0.0)
    if status not in _STATUS_WITH_POINT or info.primal_solution_status != 2:
        return None, log
    log.objective = info.objective_function_value
    log.mip_gap = info.mip_gap if integer.any() else 0.0
    values = np.asarray(highs.getSolution().col_value, dtype=float)
    values[integer] = np.round(values[integer])
    return values, log


# --------------------------------------------------------------------------------------------
# Stage 1: investments, and the fixing of capacities
# --------------------------------------------------------------------------------------------


def investment_values(stage1: pyo.ConcreteModel, full: pyo.ConcreteModel, inputs: xr.Dataset, from_linear: bool) -> dict[str, float]:
    """Values (by variable name in ``full``) of every variable without a snapshot, from the stage-1 model;
    whole units for committed plants with integer build when stage 1 was the linear relaxation."""
    values: dict[str, float] = {}
    for var in full.component_data_objects(pyo.Var, descend_into=True):
        if snapshot_of(var) is not None:
            continue
        source = stage1.find_component(var.name)
        values[var.name] = float(source.value or 0.0) if source is not None else float("nan")
    if hasattr(full, "new_units"):
        size = dict(zip((str(p) for p in inputs["plant"].values), inputs["unit_size_mw"].values.astype(float)))
        existing = dict(zip((str(p) for p in inputs["plant"].values), inputs["existing_mw"].values.astype(float)))
        for g in full.new_units:
            S = size[g]
            new, retired = values[f"new_mw[{g}]"], values[f"retired_mw[{g}]"]
            if from_linear:
                # Whole committable units ≥ the relaxed unit count (a fraction of a unit cannot be committed).
                base = math.floor(existing[g] / S + 1e-9)
                target = math.ceil(base + (new - retired) / S - 1e-6)
                upper_new = math.inf if full.new_mw[g].ub is None else math.floor(full.new_mw[g].ub / S + 1e-9)
                upper_retired = math.floor((full.retired_mw[g].ub or 0.0) / S + 1e-9)
                n = min(max(0, target - base), upper_new)
                r = min(max(0, base - target), upper_retired)
            else:
                n, r = round(new / S), round(retired / S)
            values[f"new_units[{g}]"], values[f"retired_units[{g}]"] = float(n), float(r)
            values[f"new_mw[{g}]"], values[f"retired_mw[{g}]"] = n * S, r * S
    missing = [name for name, value in values.items() if math.isnan(value)]
    if missing:
        raise SolveError([f"decomposition: no stage-1 value for {', '.join(missing[:5])}"], title="decomposition failed")
    return values


def strengthen_linear(form: Compiled, whole_units: bool) -> None:
    """Whole committable units in the linear-UC LP: committed_units ≤ ⌊E/S⌋ − retired + new units
    (the fraction of a unit in existing capacity E can never be committed) when units are built
    whole (``whole_units``), and ≤ ⌊E/S⌋ for plants of fixed capacity. Valid for every integer
    point, so the LP stays a relaxation of the integer problem (a lower bound) and gets tighter."""
    if whole_units:
        names = np.array([row[0].parent_component().name for row in form.rows])
        rows = np.flatnonzero(np.isin(names, ["commit_limit", "min_down"]) & np.isfinite(form.row_upper))
        form.row_upper[rows] = np.floor(form.row_upper[rows] + 1e-9)
    cols = np.array([j for j, var in enumerate(form.columns) if var.parent_component().name == "committed_units"], dtype=np.int64)
    if len(cols):
        finite = cols[np.isfinite(form.col_upper[cols])]
        form.col_upper[finite] = np.floor(form.col_upper[finite] + 1e-9)
    form.lp.row_upper_ = form.row_upper
    form.lp.col_upper_ = form.col_upper


def strengthened_linear_lp(model: pyo.ConcreteModel, inputs: xr.Dataset, solver: Solver,
                           log_file: Path | None) -> tuple[Compiled, highspy.Highs, SolveResult]:
    """Compile a linear-UC model, strengthen it (:func:`strengthen_linear`) and solve it."""
    form = Compiled.of(model)
    strengthen_linear(form, bool(inputs.attrs.get("unit_commitment_integer_build", 1)))
    highs = highspy.Highs()
    _set_options(highs, solver, log_file, False)
    highs.passModel(form.lp)
    tic = time.perf_counter()
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    result = SolveResult(status=status, has_solution=status == "Optimal", num_rows=len(form.rows), num_cols=len(form.columns))
    result.solve_s = time.perf_counter() - tic
    if result.has_solution:
        result.objective = highs.getInfo().objective_function_value
    return form, highs, result


def linear_investments(model: pyo.ConcreteModel, inputs: xr.Dataset, solver: Solver, log_file: Path | None,
                       report: Callable[[str], None]) -> SolveResult:
    """Solve the (strengthened) full-year linear-UC LP, then choose whole units of each growing committed
    plant by re-solving it (warm start) with ⌊units⌋ or ⌈units⌉ fixed for every combination; the
    cheapest combination's capacities (every other capacity re-optimised) are loaded into ``model``.
    Returns the first LP's result (its objective is the lower bound)."""
    form, highs, result = strengthened_linear_lp(model, inputs, solver, log_file)
    if not result.has_solution:
        return result
    report(f"linear-UC LP (committable whole units): {result.status}, objective {result.objective:.8g}, {result.solve_s:.1f} s")
    best_x = np.asarray(highs.getSolution().col_value)
    position = {id(var): j for j, var in enumerate(form.columns)}
    size = dict(zip((str(p) for p in inputs["plant"].values), inputs["unit_size_mw"].values.astype(float)))
    existing = dict(zip((str(p) for p in inputs["plant"].values), inputs["existing_mw"].values.astype(float)))
    choices = []
    whole_units = bool(inputs.attrs.get("unit_commitment_integer_build", 1))
    for g in committed_plants_of(model) if whole_units else []:
        new, retired = position.get(id(model.new_mw[g])), position.get(id(model.retired_mw[g]))
        if new is None and retired is None:
            continue
        S = size[g]
        base = math.floor(existing[g] / S + 1e-9)
        units = base + (best_x[new] if new is not None else 0.0) / S - (best_x[retired] if retired is not None else 0.0) / S
        options = sorted({math.floor(units + 1e-6), math.ceil(units - 1e-6)})
        candidates = []
        for k in options:
            n, r = max(0, k - base), max(0, base - k)
            if (new is None and n) or (retired is None and r):
                continue
            if new is not None and n * S > form.col_upper[new] + 1e-6 or retired is not None and r * S > form.col_upper[retired] + 1e-6:
                continue
            candidates.append((g, new, retired, n * S, r * S))
        if candidates:
            choices.append(candidates)
    if choices:
        best = float("inf")
        for combination in itertools.product(*choices):
            tic = time.perf_counter()
            for g, new, retired, new_mw, retired_mw in combination:
                for j, value in ((new, new_mw), (retired, retired_mw)):
                    if j is not None:
                        highs.changeColBounds(j, value, value)
            highs.run()
            ok = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
            objective = highs.getInfo().objective_function_value if ok else float("inf")
            report("  whole units " + ", ".join(f"{g} {(new_mw - retired_mw):+.0f} MW" for g, new, retired, new_mw, retired_mw in combination)
                   + f": {objective:.8g} ({time.perf_counter() - tic:.1f} s)")
            if objective < best:
                best, best_x = objective, np.asarray(highs.getSolution().col_value)
    _load(form, best_x, model)
    return result


def committed_plants_of(model: pyo.ConcreteModel) -> list[str]:
    return list(model.COMMITTED) if hasattr(model, "COMMITTED") else []


def fix_values(model: pyo.ConcreteModel, values: dict[str, float]) -> list:
    """Fix the named variables of ``model``; return them (to unfix later)."""
    fixed = []
    for name, value in values.items():
        var = model.find_component(name)
        var.fix(value, skip_validation=True)
        fixed.append(var)
    return fixed


# --------------------------------------------------------------------------------------------
# Lower bound in a second process
# --------------------------------------------------------------------------------------------


def _linear_bound_worker(inputs: xr.Dataset, options: Solver, log_file: str | None, queue) -> None:
    try:
        tic = time.perf_counter()
        built = build_model(inputs.assign_attrs(unit_commitment_mode="linear"))
        _, _, solved = strengthened_linear_lp(built.model, inputs, options, Path(log_file) if log_file else None)
        queue.put({"status": solved.status, "objective": solved.objective if solved.optimal else float("nan"), "seconds": time.perf_counter() - tic})
    except Exception as error:  # reported by the parent
        queue.put({"status": f"error: {error}", "objective": float("nan"), "seconds": 0.0})


# --------------------------------------------------------------------------------------------
# The workflow
# --------------------------------------------------------------------------------------------


def _sibling(log_file: Path | None, suffix: str) -> Path | None:
    return None if log_file is None else Path(log_file).with_name(f"{Path(log_file).stem}_{suffix}.log")


def _load(form: Compiled, values: np.ndarray, model: pyo.ConcreteModel) -> None:
    for var, value in zip(form.columns, values):
        var.set_value(float(value), skip_validation=True)
    _value_unused_variables(model)


def _fixed_integer_lp(form: Compiled, highs: highspy.Highs, values: np.ndarray, model: pyo.ConcreteModel, source: str) -> SolveResult:
    """Fix the integer columns at ``values`` in ``highs`` (holding ``form``), re-solve the LP, load values and duals."""
    index = np.flatnonzero(form.integer).astype(np.int32)
    fixed = np.round(values[form.integer])
    if len(index):
        highs.changeColsBounds(len(index), index, fixed, fixed)
        highs.changeColsIntegrality(len(index), index, np.array([_CONTINUOUS] * len(index)))
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    result = SolveResult(status=status, has_solution=status == "Optimal", is_mip=True, num_rows=len(form.rows), num_cols=len(form.columns))
    result.duals_from = source
    if result.has_solution:
        solution = highs.getSolution()
        result.objective = highs.getInfo().objective_function_value
        _load(form, np.asarray(solution.col_value), model)
        if solution.dual_valid:
            result.duals = {id(row[0]): float(dual) for row, dual in zip(form.rows, solution.row_dual)}
    result.highs, result.columns, result.rows, result.col_cost = highs, form.columns, form.rows, form.cost
    result.components = list({id(c): c for c in (item.parent_component() for item in (*form.columns, *(row[0] for row in form.rows)))}.values())
    return result


def solve_decomposed(scenario: Scenario, inputs: xr.Dataset, log_file: Path | None = None, verbose: bool = False,
                     step: Callable[[str], None] = lambda message: None,
                     timings: dict[str, float] | None = None) -> tuple[xr.Dataset, SolveResult, dict[str, float]]:
    """Solve an integer-UC scenario by decomposition (see the module docstring); like ``solve_scenario``."""
    settings = scenario.unit_commitment.decomposition
    timings = timings if timings is not None else {}
    if "representative_of_period" in inputs:
        raise ScenarioError(["unit_commitment.strategy: decomposed needs a chronological horizon; remove horizon.representative_periods "
                             "(use decomposition.investments: representative for aggregated investments)"], title="cannot decompose")
    lines: list[str] = []
    summary_log = Path(log_file) if log_file is not None else None

    def report(line: str) -> None:
        lines.append(line)
        if verbose:
            print(line, flush=True)
        if summary_log is not None:
            summary_log.write_text("\n".join(lines) + "\n", encoding="utf-8")

    wall = time.perf_counter()
    n_snapshots = inputs.sizes["snapshot"]
    solver = scenario.solver
    lower_bound, lower_from = float("nan"), "none"

    # Lower bound in a second process, while stage 1 and the windows run.
    bound_process, queue = None, None
    parallel_bound = settings.lower_bound in ("linear", "milp") and settings.investments == "representative"
    if parallel_bound and settings.parallel:
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        bound_options = solver.model_copy(update={"threads": max(1, solver.threads - 1)})
        bound_process = context.Process(target=_linear_bound_worker, args=(inputs, bound_options, str(_sibling(log_file, "bound")) if log_file else None, queue), daemon=True)
        bound_process.start()
        report("lower bound: full-year linear-UC LP started in a second process")

    # Stage 1: investments.
    step("decomposition: investments")
    tic = time.perf_counter()
    if settings.investments == "linear":
        stage_inputs = inputs.assign_attrs(unit_commitment_mode="linear")
        investments_from = "full-year linear-UC LP (whole units chosen by LP re-solves)"
    else:
        stage_inputs = aggregate_inputs(inputs, RepresentativePeriods(periods=settings.representative_days))
        investments_from = f"integer-UC MILP on {settings.representative_days} representative days"
    stage1 = build_model(stage_inputs)
    if settings.investments == "linear":
        stage1_solved = linear_investments(stage1.model, stage_inputs, solver, _sibling(log_file, "investments"), report)
    else:
        stage1_solved = solve_model(stage1.model, solver, log_file=_sibling(log_file, "investments"))
    timings["investments_s"] = time.perf_counter() - tic
    if not stage1_solved.has_solution:
        raise SolveError([f"decomposition: the investment problem ({investments_from}) has no solution: '{stage1_solved.status}'"],
                         title="decomposition failed")
    report(f"investments: {investments_from}: {stage1_solved.status}, objective {stage1_solved.objective:.8g}, "
           f"{timings['investments_s']:.1f} s")
    if settings.investments == "linear" and settings.lower_bound != "none" and stage1_solved.optimal:
        lower_bound, lower_from = stage1_solved.objective, "full-year linear-UC LP"
    if parallel_bound and not settings.parallel:
        tic = time.perf_counter()
        queue_result = {}
        _linear_bound_worker(inputs, solver, str(_sibling(log_file, "bound")) if log_file else None, _ListQueue(queue_result))
        timings["bound_s"] = time.perf_counter() - tic

    # Stage 2: full-year integer model with fixed capacities, rolling windows.
    step("decomposition: commitment windows")
    tic = time.perf_counter()
    built = build_model(inputs)
    model = built.model
    values = investment_values(stage1.model, model, inputs, from_linear=settings.investments == "linear")
    del stage1, stage1_solved
    fixed_vars = fix_values(model, values)
    form = Compiled.of(model)
    timings["build_s"] = built.build_s
    timings["translate_s"] = time.perf_counter() - tic - built.build_s
    report(f"full year with fixed capacities: {len(form.rows)} rows x {len(form.columns)} columns ({int(form.integer.sum())} integer), "
           f"built and compiled in {time.perf_counter() - tic:.1f} s")
    tic = time.perf_counter()
    # HiGHS' thread pool is global to a process: every solve here uses solver.threads (a window MILP is mostly serial).
    window_options = Solver(time_limit_s=settings.window_time_limit_s, mip_gap=settings.window_mip_gap, threads=solver.threads,
                            method=solver.method, presolve=solver.presolve, options=dict(solver.options))
    period = inputs["period"].values
    period_h = int(np.count_nonzero(period == period[0]))
    x, logs = rolling_commitment(form, n_snapshots, settings.window_hours, settings.overlap_hours, window_options, report, period_h=period_h)
    timings["windows_s"] = time.perf_counter() - tic
    stitched = float(form.cost @ x + form.lp.offset_)
    report(f"{len(logs)} windows in {timings['windows_s']:.1f} s; stitched full-year cost {stitched:.8g}; "
           f"largest row violation {_violation(form, x):.3g}")

    # Stage 3: fixed-integer LP over the full year → upper bound and prices.
    step("decomposition: fixed-commitment LP of the full year")
    tic = time.perf_counter()
    highs = highspy.Highs()
    _set_options(highs, solver, _sibling(log_file, "evaluation"), False)
    highs.passModel(form.lp)
    solved = _fixed_integer_lp(form, highs, x, model, "fixed-integer LP re-solve (decomposed commitment)")
    timings["evaluation_s"] = time.perf_counter() - tic
    if not solved.has_solution:
        raise SolveError([f"decomposition: the full-year LP with the commitment fixed says '{solved.status}'"], title="decomposition failed")
    upper_bound, solution_from = solved.objective, "decomposition"
    report(f"upper bound (full-year LP, commitment fixed): {upper_bound:.8g} ({timings['evaluation_s']:.1f} s)")

    if bound_process is not None:
        step("decomposition: waiting for the lower bound")
        tic = time.perf_counter()
        outcome = queue.get()
        bound_process.join()
        timings["bound_wait_s"] = time.perf_counter() - tic
        report(f"lower bound process: {outcome['status']}, objective {outcome['objective']:.8g}, {outcome['seconds']:.1f} s")
        if not math.isnan(outcome["objective"]):
            lower_bound, lower_from = outcome["objective"], "full-year linear-UC LP"
    elif parallel_bound and not math.isnan(queue_result.get("objective", float("nan"))):
        lower_bound, lower_from = queue_result["objective"], "full-year linear-UC LP"

    # Optional: monolithic MILP warm-started with the decomposed solution.
    if settings.lower_bound == "milp":
        step("decomposition: warm-started monolithic MILP")
        tic = time.perf_counter()
        full_x = {id(var): float(value) for var, value in zip(form.columns, np.asarray(solved.highs.getSolution().col_value))}
        duals_backup = solved
        for var in fixed_vars:
            var.unfix()
        mono = Compiled.of(model)
        start_point = np.array([full_x.get(id(var), values.get(var.name, 0.0)) for var in mono.columns])
        start_point[mono.integer] = np.round(start_point[mono.integer])
        highs_m = highspy.Highs()
        options = solver.model_copy(update={"time_limit_s": settings.bound_time_limit_s, "options": {**solver.options, **settings.milp_options}})
        _set_options(highs_m, options, _sibling(log_file, "milp"), verbose)
        highs_m.passModel(mono.lp)
        warm = highspy.HighsSolution()
        warm.col_value = list(start_point)
        warm.value_valid = True
        highs_m.setSolution(warm)
        try:
            highs_m.run()
            failure = None
        except (MemoryError, RuntimeError) as error:  # keep the decomposed solution and the LP bound
            failure = error
        info = highs_m.getInfo()
        timings["milp_s"] = time.perf_counter() - tic
        status = f"failed ({type(failure).__name__}: {failure})" if failure else highs_m.modelStatusToString(highs_m.getModelStatus())
        bound = float(info.mip_dual_bound) if failure is None else float("nan")
        report(f"warm-started monolithic MILP: {status}, incumbent {info.objective_function_value:.8g}, dual bound {bound:.8g}, "
               f"gap {info.mip_gap:.4%}, {timings['milp_s']:.1f} s")
        if math.isfinite(bound) and (math.isnan(lower_bound) or bound > lower_bound):
            lower_bound, lower_from = bound, "monolithic MILP dual bound (warm-started)"
        if failure is None and info.primal_solution_status == 2 and info.objective_function_value < upper_bound * (1 - 1e-9):
            point = np.asarray(highs_m.getSolution().col_value)
            improved = _fixed_integer_lp(mono, highs_m, point, model, "fixed-integer LP re-solve (warm-started MILP)")
            if improved.has_solution and improved.objective < upper_bound:
                solved, upper_bound, solution_from = improved, improved.objective, "warm-started monolithic MILP"
            else:
                _load(form, np.asarray(duals_backup.highs.getSolution().col_value), model)
                solved = duals_backup
        else:
            for var in fixed_vars:
                var.fix(skip_validation=True)
        del mono

    gap = (upper_bound - lower_bound) / abs(upper_bound) if not math.isnan(lower_bound) else float("nan")
    report(f"certified gap: UB {upper_bound:.8g} ({solution_from}), LB {lower_bound:.8g} ({lower_from}): {gap:.4%}; "
           f"{time.perf_counter() - wall:.1f} s in all")
    solved.mip_gap = gap
    solved.status = "Optimal" if gap <= solver.mip_gap + 1e-12 else "Decomposed (gap above solver.mip_gap)"
    solved.translate_s = timings.get("translate_s", 0.0)
    solved.solve_s = sum(timings.get(k, 0.0) for k in ("investments_s", "windows_s", "evaluation_s", "milp_s", "bound_wait_s"))
    timings["solve_s"] = solved.solve_s
    tic = time.perf_counter()
    results = collect_results(built.ctx, solved)
    timings["results_s"] = time.perf_counter() - tic
    results.attrs.update({
        "rows": solved.num_rows, "columns": solved.num_cols,
        "upper_bound": upper_bound, "lower_bound": lower_bound, "certified_gap": gap,
        "lower_bound_from": lower_from, "investments_from": investments_from, "solution_from": solution_from,
        "stitched_cost": stitched, "windows": len(logs),
    })
    return results, solved, timings


class _ListQueue:
    """Stands in for a queue when the bound is solved in this process."""

    def __init__(self, store: dict) -> None:
        self.store = store

    def put(self, item: dict) -> None:
        self.store.update(item)


def _violation(form: Compiled, x: np.ndarray) -> float:
    """Largest violation of a row or column bound by the point x (absolute)."""
    activity = form.A @ x
    rows = np.maximum(form.row_lower - activity, activity - form.row_upper)
    cols = np.maximum(form.col_lower - x, x - form.col_upper)
    return float(max(rows.max(initial=0.0), cols.max(initial=0.0), 0.0))
