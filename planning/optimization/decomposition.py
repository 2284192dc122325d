"""Decomposed capacity expansion with integer unit commitment (``unit_commitment.strategy: decomposed``).

The full-year clustered-UC expansion MILP (8760 h) stays at its root node for minutes (see
benchmarks/README.md). This module finds a good full-year solution and *certifies* it with a
lower bound instead:

1. **Investments** (``decomposition.investments``) from a relaxed or an aggregated problem:

   * ``linear`` — the full-year linear-UC LP (unit counts continuous, every other integer —
     the data-center curve binaries of a non-concave card — relaxed too), strengthened as in 4.
     Committed plants with ``integer_build`` then get whole units by **sequential rounding**
     (:func:`linear_investments`): plant by plant, largest unit first, the LP is re-solved (warm
     start, seconds) with the plant's committable units ⌊capacity/S⌋ fixed at ⌊u⌋ and at ⌈u⌉ of its
     value u in the current LP, the plants rounded before it kept fixed, and the cheaper is kept —
     2n LP re-solves for n plants, not the 2^n of an enumeration (a fraction of a unit can never be
     committed: CCGT 15607 MW in 500 MW units is 31 units). Bound: each re-solve is a restriction
     of the LP, so the rounded cost is ≥ the LP bound; what rounding loses is reported and lies
     inside the certified gap. Every other capacity (MW, MWh, lines) is taken from the last LP;
   * ``representative`` — the integer-UC MILP on ``representative_days`` tsam days (already
     whole units).

   Stage 1 is solved in a worker thread (the linear LP with one HiGHS thread: dual simplex is serial)
   while this thread builds and compiles the full-year integer model of stage 2, whose columns
   without a snapshot index (capacities, new units, lines, new load) are then fixed by their
   bounds at stage 1's values (:func:`fix_without_snapshot`).

2. **Rolling-window commitment.** The full-year integer model with fixed capacities is compiled
   once to a sparse matrix. Each column belongs to one snapshot (:func:`snapshot_of`: the first
   integer of its index — ``generation_mw[g, t]``, and ``throughput_delta[t, k]`` /
   ``throughput_z[t, k]`` of the data-center curve, whose second integer is the segment). The
   year is cut into windows of ``window_hours`` (+ ``overlap_hours`` of look-ahead); window k frees
   the columns of its hours and keeps every row that touches a free column and otherwise only
   columns that earlier windows have *decided* (their values move to the right-hand side).
   Rows that reach into hours not yet solved are dropped (the look-ahead mitigates this). So
   the state equation, min up/down sums, ramp limits, storage balance and data-center backlog of
   the first hours of a window see the state the previous windows left. Operating state
   (commitment, backlog) runs chronologically over the whole horizon whatever
   ``horizon.storage_cycle`` is (:meth:`ModelContext.operating_cycles`), so the horizon is one
   cycle: the cyclic rows of hour 0 reach back to the last hours, the first window frees those
   last hours too (as a look-back: a free but bounded initial state, no free energy), decides
   only its own hours, and the last window re-solves them together with the first
   max(overlap, look-back) hours (re-opened), which closes the cycle. After a window only its
   core hours are decided; the look-ahead is solved again by the next window.
   **Window-end targets and budgets** (:class:`Budgets`, from one LP relaxation of the
   fixed-capacity year, commitment continuous — one more full-year LP, solved only when there is a
   CO2 cap or a data-center backlog): a window may not leave a data-center backlog
   above the LP's at its last hour (else it defers work past its end for free and a later window
   cannot catch up; a window infeasible with the targets is re-solved without them). A **CO2
   cap** Σ e·x ≤ Cap (a row over the whole year) is never split blindly: each hour gets a budget
   Cap × (LP emissions of the hour)/(LP emissions), and a window may use Cap − (emissions of the
   decided hours) − (budgets of the hours still open), so unused budget passes to later windows;
   the last window has no open hour and enforces the cap itself, so the stitched point meets it
   (and the fixed-commitment LP of stage 3 keeps the cap row). A window that cannot stay within
   its budget stops the run with a message.
   Every row of the full model is enforced by the last window that sets any of its columns,
   with all its other columns at their final values — so the stitched point is feasible for
   the full-year model. Each window is a small MILP (≈1/52 of the year) solved by HiGHS with
   ``window_mip_gap`` and ``window_time_limit_s`` (and ``solver.threads``: HiGHS' thread pool is per process).

   **Parallel windows** (``decomposition.windows: parallel``, :func:`parallel_commitment`): the
   windows are solved in passes whose windows do not wait for each other — the even windows at
   once (each from a free initial state, with look-back and look-ahead), then the odd ones, each
   joining its two decided neighbours (re-opening a few of their hours), then the last of an odd
   number — as tasks of :class:`planning.parallel.Executor` (serially, on a LocalCluster of
   ``workers`` processes, or on the cluster of ``planning run --scheduler``/a sweep), with identical
   results wherever they run. A CO2 cap (a budget handed from window to window) or a window that
   cannot join its neighbours falls back to the rolling windows.

   **Chained windows** (``decomposition.windows: chains``, :func:`chained_commitment`): the year in
   ``chains`` runs of consecutive windows, each rolled as above at the same time in a thread of this
   process (highspy releases the GIL), then one window per seam re-solving the hours on both sides
   of it with everything else decided. The work of rolling windows plus a few seam windows, on as
   many cores as chains; no Dask (one machine).

3. **Evaluation (upper bound).** All integer columns fixed at the stitched values, the
   full-year LP is re-solved (dispatch and storage re-optimised over the whole cyclic year):
   its objective (investment + fixed O&M + operations, exactly as the monolithic model counts
   them) is the upper bound UB, and its duals give the prices (``prices_from``). Results
   (commitment.csv etc.) come from this solution.

4. **Lower bound** (``decomposition.lower_bound``):

   * ``linear`` — the full-year linear-UC LP objective: the LP relaxation of the integer
     problem (continuous units, builds and on/off flags, *and* every other integer column relaxed:
     the data-center curve binaries, contingency flags — ``lower_bound_from`` counts them), hence ≤
     the integer optimum. Never a MILP incumbent: solved to a gap, an incumbent can lie above the
     optimum. It is strengthened by a valid inequality: committed units ≤ ⌊E/S⌋ − retired + new units (the
     fraction of a unit in existing capacity E can never be committed by an integer point); on
     the full-year case this lifts the LP from 5.2262e9 to 5.2363e9 — the MILP's root bound
     after cuts. With
     ``investments: linear`` it is the investment LP itself; with ``representative`` it is
     solved in a second process (``parallel``) while the windows run;
   * ``milp`` — in addition, the monolithic MILP is warm-started with the decomposed full-year
     solution (highspy ``setSolution``) and run for ``bound_time_limit_s``; its dual bound
     (after root cuts) tightens the bound, and if it finds a better incumbent the results come
     from it (with its own fixed-integer LP re-solve).

   **Why the certificate holds** (whatever the windows, the executor or the LP algorithm):
   *LB ≤ optimum*: the linear LP's feasible set contains every feasible point of the integer
   problem — integrality is dropped (a relaxation), and the added rows are met by every integer
   point (committed units u, retired r and new n are integers, u ≤ E/S − r + n, so u ≤ ⌊E/S⌋ − r + n);
   the LB is that LP's optimal objective (status Optimal), never a MIP incumbent. Devex pricing
   and presolve off (``LINEAR_LP_OPTIONS``) change the simplex path, not the LP (same objective to 3e-14 relative on the
   full-year case). *UB ≥ optimum*: the UB is the objective of a point the full-year LP has just
   checked — every integer fixed at a whole value, every row and bound of the integer model
   enforced (stage 3 stops with an error if the windows' point were infeasible), so the window
   scheme decides how good the UB is, never whether it is valid. Both are floating-point LP
   optima to HiGHS' feasibility tolerances (1e-7), as for HiGHS' own MIP gap.

   gap = (UB − LB) / UB is reported in summary.csv (``upper_bound``, ``lower_bound``,
   ``certified_gap``) and as ``mip_gap``; ``lower_bound_from``, ``investments_from`` and ``solution_from``
   (text) in run.json's ``summary_facts``.

Where: this module (the matrix-level window machinery and the three stages); it is called
from :func:`planning.workflows.run.solve_scenario` when ``unit_commitment.mode`` is integer and
``unit_commitment.strategy`` is decomposed, and returns what a monolithic solve returns, so
every output (commitment.csv, balance.csv prices, ...) is written as usual. Stage logs go next
to solver.log (``solver_investments.log``, ``solver_evaluation.log``, ``solver_milp.log``,
``solver_bound.log``); solver.log itself lists the stages and each window.

Limitations: the horizon must be chronological (no representative periods); rows other than a
CO2 cap that span more hours than a window (a data-center energy budget over the horizon) cannot
be split and are refused with a message (a row is refused when it spans more than half the
horizon and more than a window with its look-ahead).
"""

from __future__ import annotations

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
    """The snapshot a variable belongs to: the *first* integer entry of its index; None for capacities etc.

    Blocks index operating variables by names (strings: plant, zone, line, storage) and then the
    snapshot, e.g. ``generation_mw[g, t]``; the piecewise-linear formulations of the data-center
    curve (:mod:`planning.surrogate.formulations`) index theirs by (position of the snapshot,
    segment), ``throughput_delta[t, k]`` and the binaries ``throughput_z[t, k]`` — the position is
    the snapshot because the block passes variables indexed by every snapshot in order. The last
    integer would be the segment k, and would put those columns into the windows of hours 0…K−1.
    """
    index = var.index()
    for entry in index if isinstance(index, tuple) else (index,):
        if isinstance(entry, (int, np.integer)) and not isinstance(entry, bool):
            return int(entry)
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


def fix_without_snapshot(form: Compiled, values: dict[str, float], tolerance: float = 1e-6) -> None:
    """Fix every column without a snapshot (capacities, new units, lines, new load) at ``values[name]`` by its bounds
    (in ``form`` and ``form.lp``): the model can be compiled before stage 1 has decided them (while stage 1 solves).
    The windows treat these columns as decided (their activity moves to the right-hand side).

    A row among these columns only (a storage's energy ≤ max duration × power) is then a constant. Values from an LP
    meet it only to HiGHS' feasibility tolerance (an unbuilt battery at 1e-10 MWh and 0 MW): each such row is checked
    to ``tolerance`` (relative to max(1, |bound|)) and left to HiGHS (stage 3's LP accepts 1e-10); a larger violation
    raises :class:`SolveError` naming the rows."""
    index = np.flatnonzero(form.col_t < 0)
    missing = [form.columns[j].name for j in index if form.columns[j].name not in values]
    if missing:
        raise SolveError([f"decomposition: no stage-1 value for {', '.join(missing[:5])}"], title="decomposition failed")
    fixed = np.array([values[form.columns[j].name] for j in index], dtype=float)
    form.col_lower[index] = fixed
    form.col_upper[index] = fixed
    form.lp.col_lower_ = form.col_lower
    form.lp.col_upper_ = form.col_upper
    pattern = form.A.copy()
    pattern.data = np.ones_like(pattern.data)
    constant = (np.diff(form.A.indptr) > 0) & (pattern @ (form.col_t >= 0).astype(float) == 0)
    rows = np.flatnonzero(constant)
    activity = form.A[rows] @ np.where(form.col_t < 0, form.col_lower, 0.0)
    lower, upper = form.row_lower[rows], form.row_upper[rows]
    with np.errstate(invalid="ignore"):
        excess = np.maximum(np.where(np.isfinite(lower), (lower - activity) / np.maximum(1.0, np.abs(lower)), 0.0),
                            np.where(np.isfinite(upper), (activity - upper) / np.maximum(1.0, np.abs(upper)), 0.0))
    violated = [f"{form.rows[i][0].name} (by {e:.3g})" for i, e in zip(rows, excess) if e > tolerance]
    if violated:
        raise SolveError([f"decomposition: the fixed capacities violate {', '.join(violated)}"], title="decomposition failed")


def without_snapshot(form: Compiled) -> np.ndarray:
    """Columns without a snapshot (decided before the windows: :func:`fix_without_snapshot`); raises if one is not fixed."""
    mask = form.col_t < 0
    loose = np.flatnonzero(mask & (form.col_lower != form.col_upper))
    if loose.size:
        names = sorted({form.columns[j].parent_component().name for j in loose})
        raise ScenarioError([f"unit_commitment.strategy: decomposed: variables without a snapshot are not fixed: {', '.join(names)}"],
                            title="cannot decompose")
    return mask


def row_spans(form: Compiled, n_snapshots: int, cyclic: bool = True) -> np.ndarray:
    """Hours spanned by each row's columns with a snapshot: cyclically, the shortest arc of the cyclic horizon that
    holds them (a row at hour 0 reaching hour T−1 spans 2), or not (it spans T); 0 for rows without such columns."""
    A, col_t = form.A, form.col_t
    if (col_t < 0).any():
        A, col_t = A[:, col_t >= 0].tocsr(), col_t[col_t >= 0]
    counts = np.diff(A.indptr)
    span = np.zeros(A.shape[0])
    if not A.nnz:
        return span
    row = np.repeat(np.arange(A.shape[0]), counts)
    order = np.lexsort((col_t[A.indices], row))
    t, row = col_t[A.indices][order].astype(float), row[order]
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
    cpu_s: float = 0.0   # CPU time of the thread that solved it (HiGHS runs in the calling thread with threads = 1)
    lane: str = ""       # windows: chains — "chain k" or "join"; the windows of one lane run one after the other


@dataclass
class Budgets:
    """Rows over the whole horizon handed over between windows as budgets (a CO2 cap), and window-end targets.

    ``rows``: row indices (each Σ_j a_j·x_j ≤ U, e.g. ``co2_cap``); ``hourly`` (len(rows), T): the
    budget allocated to each hour, Σ_h hourly[r, h] = U_r (by the fixed-capacity LP relaxation's
    emissions per hour). A window gets U_r − (what decided hours outside it use) − Σ over hours
    neither decided nor in the window of hourly[r, h]: unused budget is handed on to later windows,
    and the last window (no hour left open) enforces the row itself, so the stitched point meets U.
    ``terminal_upper`` (per column, +inf where none): upper bound of a column at the last hour of a
    window that does not reach the end of the horizon (a data-center backlog at most the LP's):
    without it a window defers work past its end for free, and the windows after it, or the one
    closing the cycle, may not be able to catch up. A window infeasible with these targets is
    re-solved without them.
    """

    rows: np.ndarray
    hourly: np.ndarray
    terminal_upper: np.ndarray | None = None


def rolling_commitment(form: Compiled, n_snapshots: int, window_h: int, overlap_h: int, options: Solver,
                       report: Callable[[str], None] = lambda line: None, period_h: int | None = None,
                       budgets: Budgets | None = None) -> tuple[np.ndarray, list[WindowLog]]:
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
    fixed = without_snapshot(form)
    budget_rows = budgets.rows if budgets is not None else np.zeros(0, dtype=np.int64)
    span = row_spans(form, n_snapshots)
    span[budget_rows] = 0  # handed over as budgets, never split
    too_long = np.flatnonzero(span > max(window_h + overlap_h, n_snapshots / 2))
    if too_long.size:
        names = sorted({form.rows[i][0].parent_component().name for i in too_long})
        raise ScenarioError(
            [f"unit_commitment.strategy: decomposed: constraint(s) {', '.join(names)} span more hours than a window "
             f"({window_h} + {overlap_h} h) and cannot be split; use strategy: monolithic"],
            title="cannot decompose",
        )
    wrapping = span < row_spans(form, n_snapshots, cyclic=False)
    wrapping[budget_rows] = False
    tail = int(span[wrapping].max() - 1) if period_h == n_snapshots and n_snapshots > window_h + overlap_h and wrapping.any() else 0
    tail = min(tail, max(0, n_snapshots - window_h - overlap_h))
    pattern = form.A.copy()
    pattern.data = np.ones_like(pattern.data)
    x = np.clip(np.zeros(len(form.columns)), form.col_lower, form.col_upper)
    decided = fixed.copy()
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
        if end == n_snapshots and tail and start > 0:
            # Closing the cycle: the first hours are re-opened (look-back of the last window), so that a state
            # the first window left through its free look-back (e.g. a data-center backlog) can be met.
            free |= (form.col_t >= 0) & (form.col_t < min(max(overlap_h, tail), start))
        open_ = ~decided & ~free
        n_free = pattern @ free.astype(float)
        n_open = pattern @ open_.astype(float)
        keep = (n_free > 0) & (n_open == 0)
        keep[budget_rows] = False
        rows = np.flatnonzero(keep)
        cols = np.flatnonzero(free)
        row_upper, col_upper = None, None
        if budget_rows.size:
            # Budget of the window: U − decided use outside it (via the offset) − the allocation of the hours still open.
            open_hours = np.ones(n_snapshots, dtype=bool)
            open_hours[np.unique(form.col_t[~open_ & (form.col_t >= 0)])] = False
            rows = np.concatenate([rows, budget_rows])
            row_upper = form.row_upper[rows].copy()
            row_upper[-len(budget_rows):] -= budgets.hourly[:, open_hours].sum(axis=1)
        if budgets is not None and budgets.terminal_upper is not None and end < n_snapshots:
            col_upper = np.where(form.col_t[cols] == end - 1, np.minimum(form.col_upper[cols], budgets.terminal_upper[cols]), form.col_upper[cols])
        tic = time.perf_counter()
        fixed_x = np.where(free, 0.0, np.where(decided, x, 0.0))
        values, log = _solve_window(form, rows, cols, fixed_x, options, row_upper, col_upper)
        if values is None and col_upper is not None:
            report(f"window hours {start}-{end - 1}: {log.status} with the window-end targets; solved again without them")
            values, log = _solve_window(form, rows, cols, fixed_x, options, row_upper, None)
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


def window_cores(n_snapshots: int, window_h: int) -> list[tuple[int, int]]:
    """Core hours [start, end) of the windows; a last window shorter than half a window joins the one before."""
    cores = [(start, min(start + window_h, n_snapshots)) for start in range(0, n_snapshots, window_h)]
    if len(cores) > 1 and cores[-1][1] - cores[-1][0] < window_h / 2:
        cores[-2:] = [(cores[-2][0], n_snapshots)]
    return cores


def parallel_commitment(form: Compiled, n_snapshots: int, window_h: int, overlap_h: int, options: Solver, executor,
                        report: Callable[[str], None] = lambda line: None, period_h: int | None = None,
                        budgets: Budgets | None = None) -> tuple[np.ndarray, list[WindowLog]] | None:
    """Solve the compiled full-year MILP in windows that do not wait for each other; the stitched point and the logs,
    or None when this scheme does not apply (then use :func:`rolling_commitment`).

    Windows are tasks of ``executor`` (:class:`planning.parallel.Executor`), in passes:

    * cycles shorter than the horizon (``period_h``): every window is whole cycles, exact and independent:
      one pass;
    * one cycle over the horizon: the cores [s_k, e_k) of :func:`window_cores`, in an even number of windows
      (else the last window has a pass of its own). **Pass 1**, the even windows at once: window k frees hours
      [s_k − overlap, e_k + overlap) (cyclically) and keeps only the rows inside them — its first hours start
      from a free state (as the first rolling window does), its last hours carry the window-end targets —
      and decides its core. **Pass 2**, the odd windows at once: window k frees its core and re-opens the
      last and first r = min(overlap, shortest core/2) hours of its neighbours' cores; everything else is
      decided, so every row touching the window is enforced with the decided values (it joins the state the
      even window before it left to the state the even window after it started from, with r hours on each
      side to do so). **Pass 3** (an odd number of windows): the last window, likewise between window n−2
      and window 0. No two windows of a pass share an hour (2r ≤ a core).

    Every row is thereby enforced by a window in which all its other columns are decided: the stitched point
    is feasible for the full-year model (as with rolling windows) — provided each pass-2 window can join its
    neighbours. When one cannot (infeasible), or rows span more than a core (they could touch two windows of
    one pass), or a CO2 cap must be handed over as a budget (sequential by nature), this returns None. The
    tasks are the same whatever the executor, so serial and Dask runs give identical points.
    """
    period_h = n_snapshots if period_h is None else period_h
    if budgets is not None and budgets.rows.size:
        report("parallel windows: a CO2 cap is handed over between windows as a budget (sequential); rolling windows instead")
        return None
    if period_h < n_snapshots:
        window_h, overlap_h = max(1, round(window_h / period_h)) * period_h, 0
    cores = window_cores(n_snapshots, window_h)
    span = row_spans(form, n_snapshots, cyclic=period_h == n_snapshots)
    if len(cores) < 2 or span.max(initial=0) > min(end - start for start, end in cores):
        report("parallel windows: fewer than two windows, or rows longer than a window; rolling windows instead")
        return None
    pattern = form.A.copy()
    pattern.data = np.ones_like(pattern.data)
    x = np.clip(np.zeros(len(form.columns)), form.col_lower, form.col_upper)
    decided = without_snapshot(form).copy()
    terminal = budgets.terminal_upper if budgets is not None else None
    reopen = min(overlap_h, min(end - start for start, end in cores) // 2)
    t = form.col_t

    def hours(first: int, last: int) -> np.ndarray:
        """Columns of the hours [first, last) taken cyclically (never a column without a snapshot)."""
        return (((t - first) % n_snapshots) < (last - first)) & (t >= 0)

    def problem(core: tuple[int, int], free: np.ndarray, targets: bool) -> tuple[WindowProblem, np.ndarray, bool]:
        open_ = ~decided & ~free
        keep = (pattern @ free.astype(float) > 0) & (pattern @ open_.astype(float) == 0)
        rows, cols = np.flatnonzero(keep), np.flatnonzero(free)
        col_upper = None
        if targets and terminal is not None:
            last = (core[1] + overlap_h - 1) % n_snapshots
            col_upper = np.where(t[cols] == last, np.minimum(form.col_upper[cols], terminal[cols]), form.col_upper[cols])
        fixed_x = np.where(free, 0.0, np.where(decided, x, 0.0))   # a re-opened column is free: not on the right-hand side
        return window_problem(form, rows, cols, fixed_x, options, col_upper=col_upper), cols, col_upper is not None

    def run_pass(number: int, members: list[int], independent: bool) -> bool:
        tasks = []
        for k in members:
            start, end = cores[k]
            if independent:
                free = hours(start - overlap_h, end + overlap_h) if period_h == n_snapshots else hours(start, end)
            else:   # joining: its core, and the first/last `reopen` hours of its neighbours' cores again
                free = hours(start - reopen, end + reopen)
            tasks.append((k, *problem(cores[k], free, independent and period_h == n_snapshots)))
        tic = time.perf_counter()
        outcomes = executor.map(solve_window, [task[1] for task in tasks])
        retry = [i for i, (values, _) in enumerate(outcomes) if values is None and tasks[i][3]]
        for i in retry:   # without the window-end targets
            k = tasks[i][0]
            start, end = cores[k]
            tasks[i] = (k, *problem(cores[k], hours(start - overlap_h, end + overlap_h), False))
        if retry:
            for i, outcome in zip(retry, executor.map(solve_window, [tasks[i][1] for i in retry])):
                outcomes[i] = outcome
        ok = True
        for (k, _, cols, _), (values, log) in zip(tasks, outcomes):
            start, end = cores[k]
            log.start, log.core_end, log.end, log.lane = start, end, end, "task"
            logs.append(log)
            report(f"window {k + 1:3d} (pass {number}) hours {start:5d}-{end - 1:5d}: {log.rows} rows x {log.columns} columns "
                   f"({log.integers} integer), {log.status}, objective {log.objective:.6g}, gap {log.mip_gap:.2%}, {log.seconds:.1f} s")
            if values is None:
                ok = False
                continue
            core = (t[cols] >= start) & (t[cols] < end) if independent else np.ones(len(cols), dtype=bool)
            x[cols[core]] = values[core]
        for k, *_ in tasks:
            decided[(t >= cores[k][0]) & (t < cores[k][1])] = True
        report(f"pass {number}: {len(tasks)} window(s) {executor.describe()}, {time.perf_counter() - tic:.1f} s")
        return ok

    logs: list[WindowLog] = []
    if period_h < n_snapshots:
        passes = [(list(range(len(cores))), True)]
    else:
        n = len(cores)
        even, odd = list(range(0, n - n % 2, 2)), list(range(1, n - n % 2, 2))
        passes = [(even, True), (odd, False)] + ([([n - 1], False)] if n % 2 else [])
    for number, (members, independent) in enumerate(passes, start=1):
        if not run_pass(number, members, independent or period_h < n_snapshots):
            report(f"parallel windows: a window of pass {number} could not join its neighbours; rolling windows instead")
            return None
    return x, logs


def chained_commitment(form: Compiled, n_snapshots: int, window_h: int, overlap_h: int, options: Solver, chains: int,
                       report: Callable[[str], None] = lambda line: None, period_h: int | None = None,
                       budgets: Budgets | None = None) -> tuple[np.ndarray, list[WindowLog]] | None:
    """Rolling windows in ``chains`` chains at once (threads of this process), joined at the seams; the stitched
    point and the logs, or None when this scheme does not apply (then use :func:`rolling_commitment`).

    The cores of :func:`window_cores` are split into ``chains`` runs of consecutive windows, segments [s_k, e_k) of
    the cyclic horizon. **Pass 1**: each segment is solved by rolling windows, as :func:`rolling_commitment` solves
    the year — its first window also frees the ``lookback`` = max(overlap, longest row − 1) hours before s_k (a free
    initial state: hours of the segment before it, re-solved and discarded), each window frees its core and
    ``overlap_h`` hours of look-ahead (into the next segment at the end), keeps the rows touching a free column and
    otherwise only columns its chain has decided, and decides its core. The chains do not read each other's
    hours, so they run in parallel: one thread each (highspy releases the GIL while HiGHS solves; every window
    MILP with ``options.threads``, set it to 1). **Pass 2**: one window per seam s_k (the wrap at hour 0 too)
    frees the r = max(overlap, longest row − 1) hours on each side of it, [s_k − r, s_k + r), with every other
    column decided, and keeps every row touching them: each row that crosses a seam touches one of those hours
    (a row spans at most r + 1 hours), so it is enforced there with the final values of its other columns;
    a row inside a segment was enforced by its chain's window that decided its last hour (with its other
    columns decided or free in that window) and, if it touches re-opened hours, again by the join. So the
    stitched point is feasible for the full-year model — provided each join is feasible (else None). The joins
    do not share a row when every segment is longer than 2r plus the longest row (else None).

    Work: the windows of rolling windows, plus ``chains`` look-backs and ``chains`` joins of 2r hours; wall time on
    ``chains`` cores ≈ 1/chains of rolling windows. Results do not depend on the thread timing (each chain's
    windows depend only on its own earlier windows). A CO2 cap (a budget handed from window to window, sequential)
    or cycles shorter than the horizon (``period_h``: rolling windows are then exact, whole cycles) → None.
    """
    from concurrent.futures import ThreadPoolExecutor

    period_h = n_snapshots if period_h is None else period_h
    if budgets is not None and budgets.rows.size:
        report("chained windows: a CO2 cap is handed over between windows as a budget (sequential); rolling windows instead")
        return None
    if period_h < n_snapshots:
        report("chained windows: operating cycles shorter than the horizon (each window is exact); rolling windows instead")
        return None
    cores = window_cores(n_snapshots, window_h)
    chains = min(chains, len(cores))
    span = row_spans(form, n_snapshots)
    longest = int(span.max(initial=1))
    reach = max(overlap_h, longest - 1, 1)
    groups = [group for group in np.array_split(np.arange(len(cores)), chains) if len(group)]
    segments = [(cores[group[0]][0], cores[group[-1]][1]) for group in groups]
    if chains < 2 or min(end - start for start, end in segments) < 2 * reach + longest:
        report(f"chained windows: fewer than two chains of windows longer than 2 × {reach} + {longest} h; rolling windows instead")
        return None
    pattern = form.A.copy()
    pattern.data = np.ones_like(pattern.data)
    x0 = np.clip(np.zeros(len(form.columns)), form.col_lower, form.col_upper)
    fixed = without_snapshot(form)
    t = form.col_t
    terminal = budgets.terminal_upper if budgets is not None else None

    def hours(first: int, last: int) -> np.ndarray:
        """Columns of the hours [first, last) taken cyclically (never a column without a snapshot)."""
        return (((t - first) % n_snapshots) < (last - first)) & (t >= 0)

    def solve(free: np.ndarray, decided: np.ndarray, x: np.ndarray, last_hour: int | None):
        """The window of the ``free`` columns (targets at ``last_hour``, retried without): (columns, values, log)."""
        open_ = ~decided & ~free
        keep = (pattern @ free.astype(float) > 0) & (pattern @ open_.astype(float) == 0)
        rows, cols = np.flatnonzero(keep), np.flatnonzero(free)
        fixed_x = np.where(free, 0.0, np.where(decided, x, 0.0))
        col_upper = None
        if terminal is not None and last_hour is not None:
            col_upper = np.where(t[cols] == last_hour, np.minimum(form.col_upper[cols], terminal[cols]), form.col_upper[cols])
        values, log = solve_window(window_problem(form, rows, cols, fixed_x, options, col_upper=col_upper))
        if values is None and col_upper is not None:
            first = log
            values, log = solve_window(window_problem(form, rows, cols, fixed_x, options))
            log.status += " (without the window-end targets)"
            log.seconds, log.cpu_s = log.seconds + first.seconds, log.cpu_s + first.cpu_s
        return cols, values, log

    def chain(k: int):
        """Rolling windows over segment k: (decided columns, their values, logs) or (None, None, logs) on failure."""
        x, decided, logs = x0.copy(), fixed.copy(), []
        for number, index in enumerate(groups[k]):
            start, core_end = cores[index]
            end = core_end + overlap_h
            free = hours(start - (reach if number == 0 else 0), end) & ~decided
            cols, values, log = solve(free, decided, x, (end - 1) % n_snapshots)
            log.start, log.core_end, log.end, log.lane = start, core_end, end, f"chain {k + 1}"
            logs.append(log)
            if values is None:
                return None, None, logs
            x[cols] = values
            decided |= hours(start, core_end)
        decided &= ~fixed
        return np.flatnonzero(decided), x[decided], logs

    def join(seam: int):
        cols, values, log = solve(hours(seam - reach, seam + reach), np.ones(len(form.columns), dtype=bool), x, None)
        log.start, log.core_end, log.end, log.lane = seam - reach, seam + reach, seam + reach, "join"
        return cols, values, log

    logs: list[WindowLog] = []
    x = x0.copy()
    with ThreadPoolExecutor(max_workers=len(segments), thread_name_prefix="decomposition-chain") as pool:
        tic = time.perf_counter()
        outcomes = list(pool.map(chain, range(len(segments))))
        for k, (cols, values, chain_logs) in enumerate(outcomes):
            for log in chain_logs:
                logs.append(log)
                report(f"window {len(logs):3d} (chain {k + 1}) hours {log.start:5d}-{log.end - 1:5d} (core to {log.core_end - 1}): "
                       f"{log.rows} rows x {log.columns} columns ({log.integers} integer), {log.status}, objective {log.objective:.6g}, "
                       f"gap {log.mip_gap:.2%}, {log.seconds:.1f} s")
            if cols is None:
                report(f"chained windows: a window of chain {k + 1} has no solution; rolling windows instead")
                return None
            x[cols] = values
        chain_cpu = [sum(log.cpu_s for log in chain_logs) for _, _, chain_logs in outcomes]
        report(f"pass 1: {len(segments)} chains of rolling windows in {len(segments)} threads, {time.perf_counter() - tic:.1f} s "
               f"(CPU of the windows per chain: {', '.join(f'{c:.1f}' for c in chain_cpu)} s)")
        tic = time.perf_counter()
        joins = list(pool.map(join, [start for start, _ in segments]))
    for cols, values, log in joins:
        logs.append(log)
        report(f"window {len(logs):3d} (join) hours {log.start % n_snapshots:5d}-{(log.end - 1) % n_snapshots:5d}: {log.rows} rows x "
               f"{log.columns} columns ({log.integers} integer), {log.status}, objective {log.objective:.6g}, gap {log.mip_gap:.2%}, "
               f"{log.seconds:.1f} s")
        if values is None:
            report("chained windows: a seam cannot be joined; rolling windows instead")
            return None
    for cols, values, _ in joins:
        x[cols] = values
    report(f"pass 2: {len(joins)} joins at the seams, {time.perf_counter() - tic:.1f} s")
    return x, logs


BUDGET_ROWS = ("co2_cap",)
TERMINAL_STATES = ("backlog",)


def window_budgets(form: Compiled, n_snapshots: int, solver: Solver, report: Callable[[str], None]) -> Budgets | None:
    """The CO2 cap's hourly allocation and the window-end backlog targets, from the LP relaxation of the
    fixed-capacity full-year model (commitment continuous: one LP), or None when there is neither."""
    names = [row[0].parent_component().local_name for row in form.rows]
    rows = np.array([i for i, name in enumerate(names) if name in BUDGET_ROWS], dtype=np.int64)
    states = np.array([var.parent_component().local_name in TERMINAL_STATES for var in form.columns], dtype=bool)
    if not rows.size and not states.any():
        return None
    if rows.size and (np.isfinite(form.row_lower[rows]).any() or not np.isfinite(form.row_upper[rows]).all()):
        raise ScenarioError(["unit_commitment.strategy: decomposed: only caps (≤) can be handed over between windows"], title="cannot decompose")
    tic = time.perf_counter()
    highs = highspy.Highs()
    _set_options(highs, solver, None, False)
    highs.passModel(form.lp)
    index = np.flatnonzero(form.integer).astype(np.int32)
    if len(index):
        highs.changeColsIntegrality(len(index), index, np.array([_CONTINUOUS] * len(index)))
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    if status != "Optimal":
        problems = [f"the full-year LP with the capacities fixed and the commitment relaxed says '{status}'"]
        if rows.size:
            problems.append("policy.co2_cap_t: the cap cannot be met by these capacities even with relaxed commitment; raise the cap or "
                            "let clean capacity be built")
        raise SolveError(problems, title="decomposition failed")
    x_lp = np.asarray(highs.getSolution().col_value)
    hourly = np.zeros((rows.size, n_snapshots))
    for k, r in enumerate(rows):
        start, end = form.A.indptr[r], form.A.indptr[r + 1]
        cols, coefficients = form.A.indices[start:end], form.A.data[start:end]
        hourly_cols = form.col_t[cols] >= 0   # a column without a snapshot (fixed) is no hour's use
        use = np.bincount(form.col_t[cols][hourly_cols], weights=(coefficients * x_lp[cols])[hourly_cols], minlength=n_snapshots)
        total = use.sum()
        cap = form.row_upper[r]
        hourly[k] = use * (cap / total) if total > 0 else np.full(n_snapshots, cap / n_snapshots)
        report(f"budget {form.rows[r][0].name}: {cap:.8g} handed over between windows, allocated by the relaxed LP's use per hour "
               f"(LP uses {total:.8g})")
    terminal = np.where(states, x_lp + 1e-6 * np.maximum(1.0, np.abs(x_lp)), np.inf) if states.any() else None
    report(f"fixed-capacity LP relaxation for budgets and window-end targets: {time.perf_counter() - tic:.1f} s")
    return Budgets(rows, hourly, terminal)


@dataclass
class WindowProblem:
    """One commitment window as arrays: a task of :class:`planning.parallel.Executor` (pickles; no Pyomo, no highspy)."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    integer: np.ndarray
    options: Solver


def window_problem(form: Compiled, rows: np.ndarray, cols: np.ndarray, fixed_x: np.ndarray, options: Solver,
                   row_upper: np.ndarray | None = None, col_upper: np.ndarray | None = None) -> WindowProblem:
    """Rows and free columns of ``form``, the other columns at ``fixed_x`` (their activity moves to the right-hand
    side); ``row_upper``/``col_upper`` replace the rows'/columns' upper bounds (budgets, targets)."""
    sub = form.A[rows]
    offset = sub @ fixed_x
    block = sub[:, cols].tocsc()
    return WindowProblem(
        cost=form.cost[cols], col_lower=form.col_lower[cols], col_upper=form.col_upper[cols] if col_upper is None else col_upper,
        row_lower=form.row_lower[rows] - offset, row_upper=(form.row_upper[rows] if row_upper is None else row_upper) - offset,
        start=block.indptr, index=block.indices, value=block.data, integer=form.integer[cols], options=options)


def solve_window(problem: WindowProblem) -> tuple[np.ndarray | None, WindowLog]:
    """Solve one window MILP with HiGHS; the values of its columns (integers rounded), or None, and its log."""
    tic, cpu = time.perf_counter(), time.thread_time()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(problem.cost), len(problem.row_lower)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = problem.cost, problem.col_lower, problem.col_upper
    lp.row_lower_, lp.row_upper_ = problem.row_lower, problem.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = problem.start, problem.index, problem.value
    integer = problem.integer
    if integer.any():
        lp.integrality_ = [_INTEGER if i else _CONTINUOUS for i in integer]
    highs = highspy.Highs()
    _set_options(highs, problem.options, None, False)
    highs.passModel(lp)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    info = highs.getInfo()
    log = WindowLog(0, 0, 0, lp.num_row_, lp.num_col_, int(integer.sum()), status, float("nan"), float("nan"), 0.0)
    if status not in _STATUS_WITH_POINT or info.primal_solution_status != 2:
        log.seconds, log.cpu_s = time.perf_counter() - tic, time.thread_time() - cpu
        return None, log
    log.objective = info.objective_function_value
    log.mip_gap = info.mip_gap if integer.any() else 0.0
    values = np.asarray(highs.getSolution().col_value, dtype=float)
    values[integer] = np.round(values[integer])
    log.seconds, log.cpu_s = time.perf_counter() - tic, time.thread_time() - cpu
    return values, log


def _solve_window(form: Compiled, rows: np.ndarray, cols: np.ndarray, fixed_x: np.ndarray, options: Solver,
                  row_upper: np.ndarray | None = None, col_upper: np.ndarray | None = None):
    """One window in this process (:func:`window_problem` then :func:`solve_window`)."""
    return solve_window(window_problem(form, rows, cols, fixed_x, options, row_upper, col_upper))


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
        limits = _of_components(form.rows, ("commit_limit", "min_down"), lambda row: row[0])
        rows = np.flatnonzero(limits & np.isfinite(form.row_upper))
        form.row_upper[rows] = np.floor(form.row_upper[rows] + 1e-9)
    cols = np.flatnonzero(_of_components(form.columns, ("committed_units",), lambda var: var))
    if len(cols):
        finite = cols[np.isfinite(form.col_upper[cols])]
        form.col_upper[finite] = np.floor(form.col_upper[finite] + 1e-9)
    form.lp.row_upper_ = form.row_upper
    form.lp.col_upper_ = form.col_upper


def _of_components(items: list, names: tuple[str, ...], data: Callable) -> np.ndarray:
    """True for the items (rows or columns) whose Pyomo component (``data(item).parent_component()``) is named in
    ``names``; each component's name is looked up once (Pyomo builds a name string on every call: 1.5 s for the
    400 000 rows and columns of the full-year linear-UC LP, on stage 1's critical path)."""
    named: dict[int, bool] = {}
    mask = np.zeros(len(items), dtype=bool)
    for k, item in enumerate(items):
        component = data(item).parent_component()
        known = named.get(id(component))
        if known is None:
            known = named[id(component)] = component.name in names
        mask[k] = known
    return mask


def relax_integrality(form: Compiled) -> int:
    """Drop every integrality of ``form`` (data-center binaries of a non-concave card, contingency flags, ...):
    the LP relaxation. Returns how many columns were integer. A bound from a MILP solved to a gap would
    be an incumbent, not a bound; the LP relaxation is a bound."""
    count = int(form.integer.sum())
    form.integer = np.zeros(len(form.columns), dtype=bool)
    form.lp.integrality_ = []
    return count


def strengthened_linear_form(model: pyo.ConcreteModel, inputs: xr.Dataset) -> tuple[Compiled, int]:
    """Compile a linear-UC model, relax what stays integer in it (:func:`relax_integrality`: the data-center
    binaries) and strengthen it (:func:`strengthen_linear`); the form and how many columns were relaxed."""
    form = Compiled.of(model)
    relaxed = relax_integrality(form)
    strengthen_linear(form, bool(inputs.attrs.get("unit_commitment_integer_build", 1)))
    return form, relaxed


def strengthened_linear_lp(model: pyo.ConcreteModel, inputs: xr.Dataset, solver: Solver, log_file: Path | None,
                           compiled: tuple[Compiled, int] | None = None) -> tuple[Compiled, highspy.Highs, SolveResult]:
    """Solve the strengthened linear-UC LP of ``model`` (:func:`strengthened_linear_form`, or ``compiled``: its
    result, e.g. made in another thread). ``result.is_mip`` records whether anything had to be relaxed
    (``result.duals_from`` says what)."""
    form, relaxed = compiled if compiled is not None else strengthened_linear_form(model, inputs)
    highs = highspy.Highs()
    _set_options(highs, linear_lp_options(solver), log_file, False)
    highs.passModel(form.lp)
    tic = time.perf_counter()
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    result = SolveResult(status=status, has_solution=status == "Optimal", num_rows=len(form.rows), num_cols=len(form.columns))
    result.solve_s = time.perf_counter() - tic
    result.is_mip = relaxed > 0
    result.duals_from = bound_source(relaxed)
    if result.has_solution:
        result.objective = highs.getInfo().objective_function_value
        result.dual_bound = result.objective
    return form, highs, result


#: HiGHS options of the full-year linear-UC LP (bound and investments) unless ``solver.options`` sets them: Devex
#: pricing for dual simplex cut its CPU time from 70.9 to 40.4 s on the ISO-NE full-year case (201 482 rows,
#: same objective, 102 365 vs 106 264 iterations); without presolve the same LP takes 27.3–28.0 s CPU (116 306 /
#: 117 058 iterations, from memory and from the MPS file) against 29.5–46.6 s with it (102 365 / 112 200), the
#: same optimum (benchmarks/README.md, (c′); benchmarks/bench_uc_lp_options.py).
LINEAR_LP_OPTIONS = {"simplex_dual_edge_weight_strategy": 1, "presolve": "off"}


def linear_lp_options(solver: Solver) -> Solver:
    """``solver`` with :data:`LINEAR_LP_OPTIONS` under its own ``options`` (the user's settings win: ``solver.options``,
    and ``solver.presolve`` when the scenario sets it)."""
    defaults = {name: value for name, value in LINEAR_LP_OPTIONS.items()
                if not (name == "presolve" and "presolve" in solver.model_fields_set)}
    return solver.model_copy(update={"options": {**defaults, **solver.options}})


def bound_source(relaxed: int) -> str:
    """How the linear lower bound was obtained (``lower_bound_from``)."""
    if relaxed:
        return f"full-year linear-UC LP ({relaxed} other integer columns relaxed: data-center curve binaries etc.)"
    return "full-year linear-UC LP"


def linear_investments(model: pyo.ConcreteModel, inputs: xr.Dataset, solver: Solver, log_file: Path | None,
                       report: Callable[[str], None], compiled: tuple[Compiled, int] | None = None) -> SolveResult:
    """Solve the (strengthened, relaxed) full-year linear-UC LP, then round the committable units of each
    growing committed plant to whole units by **sequential rounding**; the resulting capacities (every
    other capacity re-optimised) are loaded into ``model``. Returns the first LP's result (its
    objective is the lower bound).

    Sequential rounding: plants in order of unit size (largest first, ties by name); for each, the LP is
    re-solved (warm start) with its units fixed at ⌊u⌋ and at ⌈u⌉ (u its value in the current LP, the
    plants rounded before it fixed), and the cheaper is kept: at most 2n LP re-solves for n plants,
    instead of the 2^n of an enumeration. Bound: every re-solve is a restriction of the LP, so the
    rounded LP costs at least the LP bound LB; what rounding loses is (rounded − LB), reported, and
    is part of the certified gap of the whole decomposition (the greedy order may miss the best
    combination of an enumeration; that loss, too, is inside the certified gap)."""
    form, highs, result = strengthened_linear_lp(model, inputs, solver, log_file, compiled)
    if not result.has_solution:
        return result
    report(f"linear-UC LP (committable whole units): {result.status}, objective {result.objective:.8g}, {result.solve_s:.1f} s "
           f"[{result.duals_from}]")
    position = {id(var): j for j, var in enumerate(form.columns)}

    def bound(fixings: list[tuple[int, float]]) -> None:
        for j, value in fixings:
            highs.changeColBounds(j, value, value)

    def solve() -> tuple[float, np.ndarray] | None:
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return highs.getInfo().objective_function_value, np.asarray(highs.getSolution().col_value)

    _, best_x = sequential_rounding(model, inputs, position, form.col_upper, result.objective,
                                    np.asarray(highs.getSolution().col_value), bound, solve, report)
    _load(form, best_x, model)
    return result


def sequential_rounding(model: pyo.ConcreteModel, inputs: xr.Dataset, position: dict[int, int], upper: np.ndarray, objective: float,
                        x: np.ndarray, bound: Callable[[list[tuple[int, float]]], None],
                        solve: Callable[[], tuple[float, np.ndarray] | None], report: Callable[[str], None],
                        label: str = "LP") -> tuple[float, np.ndarray]:
    """Whole committable units of each growing committed plant, plant by plant (largest unit first, ties by name):
    ⌊u⌋ and ⌈u⌉ of its unit count u in the current solution ``x``, each solved with the plants before it kept at their
    choice, the cheaper kept (:func:`linear_investments`). ``position``: id of a Pyomo variable → its index in ``x``
    and ``upper``; ``bound(fixings)`` sets those indices' bounds to the values, ``solve()`` returns (objective, x) or
    None if infeasible; ``label`` names the problem in the log. Returns the objective and the solution after the last plant."""
    size = dict(zip((str(p) for p in inputs["plant"].values), inputs["unit_size_mw"].values.astype(float)))
    existing = dict(zip((str(p) for p in inputs["plant"].values), inputs["existing_mw"].values.astype(float)))
    whole_units = bool(inputs.attrs.get("unit_commitment_integer_build", 1))
    plants = sorted(committed_plants_of(model) if whole_units else [], key=lambda g: (-size[g], g))
    first, resolves = objective, 0
    for g in plants:
        new, retired = position.get(id(model.new_mw[g])), position.get(id(model.retired_mw[g]))
        if new is None and retired is None:
            continue
        S = size[g]
        base = math.floor(existing[g] / S + 1e-9)
        units = base + (x[new] if new is not None else 0.0) / S - (x[retired] if retired is not None else 0.0) / S
        options = []
        for k in sorted({math.floor(units + 1e-6), math.ceil(units - 1e-6)}):
            n, r = max(0, k - base), max(0, base - k)
            if (new is None and n) or (retired is None and r):
                continue
            if new is not None and n * S > upper[new] + 1e-6 or retired is not None and r * S > upper[retired] + 1e-6:
                continue
            options.append((n * S, r * S))
        best, chosen, chosen_x = float("inf"), None, None
        for new_mw, retired_mw in options:
            tic = time.perf_counter()
            bound([(j, value) for j, value in ((new, new_mw), (retired, retired_mw)) if j is not None])
            solved = solve()
            resolves += 1
            value = solved[0] if solved is not None else float("inf")
            report(f"  whole units {g} {(new_mw - retired_mw):+.0f} MW: {value:.8g} ({time.perf_counter() - tic:.1f} s)")
            if value < best:
                best, chosen, chosen_x = value, (new_mw, retired_mw), solved[1]
        if chosen is None:
            raise SolveError([f"decomposition: no whole number of units of '{g}' keeps the linear-UC LP feasible "
                              f"(tried {', '.join(f'{n - r:+.0f} MW' for n, r in options) or 'none'})"], title="decomposition failed")
        bound([(j, value) for j, value in ((new, chosen[0]), (retired, chosen[1])) if j is not None])
        objective, x = best, chosen_x
    if resolves:
        report(f"sequential rounding: {resolves} {label} re-solves for {len(plants)} plants; rounded {label} {objective:.8g}, "
               f"{(objective - first) / max(abs(objective), 1e-12):.4%} above the {label} bound")
    return objective, x


def committed_plants_of(model: pyo.ConcreteModel) -> list[str]:
    return list(model.COMMITTED) if hasattr(model, "COMMITTED") else []


# --------------------------------------------------------------------------------------------
# Lower bound in a second process
# --------------------------------------------------------------------------------------------


def _linear_bound_worker(inputs: xr.Dataset, options: Solver, log_file: str | None, queue) -> None:
    try:
        tic = time.perf_counter()
        built = build_model(inputs.assign_attrs(unit_commitment_mode="linear"))
        _, _, solved = strengthened_linear_lp(built.model, inputs, options, Path(log_file) if log_file else None)
        queue.put({"status": solved.status, "objective": solved.objective if solved.optimal else float("nan"), "seconds": time.perf_counter() - tic,
                   "source": solved.duals_from})
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
    tic, cpu = time.perf_counter(), time.thread_time()
    if settings.investments == "linear":
        stage_inputs = inputs.assign_attrs(unit_commitment_mode="linear")
        investments_from = ("full-year linear-UC LP" + (" by Benders" if settings.linear_solver == "benders" else "")
                            + " (whole units by sequential rounding)")
    else:
        stage_inputs = aggregate_inputs(inputs, RepresentativePeriods(periods=settings.representative_days))
        investments_from = f"integer-UC MILP on {settings.representative_days} representative days"
    stage1 = build_model(stage_inputs)
    # Stage 1 is solved in a thread while this one builds stage 2's full-year integer model (which does not depend on
    # stage 1's values): highspy releases the GIL while HiGHS solves, so the build runs on the other core. The linear LP
    # is compiled here first (Pyomo stays in this thread) and solved with one HiGHS thread: dual simplex is serial,
    # and a second HiGHS thread would only take the core the build needs (HiGHS' thread pool is per thread: the
    # windows and stage 3 in this thread keep solver.threads).
    from concurrent.futures import ThreadPoolExecutor

    solver_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decomposition-stage1")
    if settings.investments == "linear":
        compiled = strengthened_linear_form(stage1.model, stage_inputs)
        if settings.linear_solver == "benders":
            from planning.optimization.benders_investments import benders_investments

            stage1_future = solver_thread.submit(_thread_cpu, benders_investments, stage1.model, stage_inputs,
                                                 solver.model_copy(update={"threads": 1}), _sibling(log_file, "investments"), report,
                                                 compiled, settings.benders_gap, settings.window_hours, solver.threads)
        else:
            stage1_future = solver_thread.submit(_thread_cpu, linear_investments, stage1.model, stage_inputs,
                                                 solver.model_copy(update={"threads": 1}), _sibling(log_file, "investments"), report,
                                                 compiled)
        del compiled
    else:
        stage1_future = solver_thread.submit(_thread_cpu, solve_model, stage1.model, solver, log_file=_sibling(log_file, "investments"))
    solver_thread.shutdown(wait=False)
    timings["stage1_build_cpu_s"] = time.thread_time() - cpu
    cpu = time.thread_time()
    built = build_model(inputs)
    # Compiled with the capacities still free columns: they are fixed by their bounds once stage 1 has decided them.
    compile_tic = time.perf_counter()
    form = Compiled.of(built.model)
    timings["translate_s"] = time.perf_counter() - compile_tic
    timings["stage2_build_cpu_s"] = time.thread_time() - cpu
    stage1_solved, timings["stage1_solve_cpu_s"] = stage1_future.result()
    timings["investments_s"] = time.perf_counter() - tic
    cpu = time.thread_time()
    if not stage1_solved.has_solution:
        raise SolveError([f"decomposition: the investment problem ({investments_from}) has no solution: '{stage1_solved.status}'"],
                         title="decomposition failed")
    report(f"investments: {investments_from}: {stage1_solved.status}, objective {stage1_solved.objective:.8g}, "
           f"{timings['investments_s']:.1f} s")
    if settings.investments == "linear" and settings.lower_bound != "none" and stage1_solved.optimal:
        lower_bound, lower_from = stage1_solved.objective, stage1_solved.duals_from
    if parallel_bound and not settings.parallel:
        tic = time.perf_counter()
        queue_result = {}
        _linear_bound_worker(inputs, solver, str(_sibling(log_file, "bound")) if log_file else None, _ListQueue(queue_result))
        timings["bound_s"] = time.perf_counter() - tic

    # Stage 2: full-year integer model with fixed capacities, rolling windows.
    step("decomposition: commitment windows")
    tic = time.perf_counter()
    model = built.model
    values = investment_values(stage1.model, model, inputs, from_linear=settings.investments == "linear")
    del stage1, stage1_solved
    fix_without_snapshot(form, values)
    timings["build_s"] = built.build_s
    report(f"full year with fixed capacities: {len(form.rows)} rows x {len(form.columns)} columns ({int(form.integer.sum())} integer, "
           f"{int((form.col_t < 0).sum())} without a snapshot fixed by their bounds), built in {built.build_s:.1f} s and compiled in "
           f"{timings['translate_s']:.1f} s while stage 1 ran, fixed in {time.perf_counter() - tic:.1f} s")
    tic = time.perf_counter()
    # HiGHS' thread pool is global to a process: every solve here uses solver.threads (a window MILP is mostly serial).
    window_options = Solver(time_limit_s=settings.window_time_limit_s, mip_gap=settings.window_mip_gap, threads=solver.threads,
                            method=solver.method, presolve=solver.presolve, options=dict(solver.options))
    # Cycles of operating state (commitment, data-center backlog): one over the whole chronological horizon,
    # whatever horizon.storage_cycle is (ModelContext.operating_cycles); storage cycles are within it.
    cycles = built.ctx.operating_cycles()
    period_h = int(np.count_nonzero(cycles == cycles[0]))
    budgets = window_budgets(form, n_snapshots, solver, report)
    # Windows are set in hours; with Δt-hour snapshots (horizon.resolution_hours) they span hours/Δt snapshots.
    window_steps = max(1, built.ctx.hours_to_snapshots(settings.window_hours))
    overlap_steps = built.ctx.hours_to_snapshots(settings.overlap_hours) if settings.overlap_hours else 0
    outcome = None
    if settings.windows == "parallel":
        from planning.parallel import executor_for

        # One thread per window task, wherever it runs, so that serial and parallel runs solve identical MILPs.
        with executor_for(workers=settings.workers) as executor:
            outcome = parallel_commitment(form, n_snapshots, window_steps, overlap_steps,
                                          window_options.model_copy(update={"threads": 1}), executor, report, period_h=period_h,
                                          budgets=budgets)
    elif settings.windows == "chains":
        # One HiGHS thread per window: the chains are the parallelism.
        outcome = chained_commitment(form, n_snapshots, window_steps, overlap_steps, window_options.model_copy(update={"threads": 1}),
                                     settings.chains, report, period_h=period_h, budgets=budgets)
    x, logs = outcome if outcome is not None else rolling_commitment(form, n_snapshots, window_steps, overlap_steps,
                                                                     window_options, report, period_h=period_h, budgets=budgets)
    timings["windows_s"] = time.perf_counter() - tic
    timings["windows_cpu_s"] = sum(log.cpu_s for log in logs)
    lanes = {lane: sum(log.cpu_s for log in logs if log.lane == lane) for lane in {log.lane for log in logs} if lane != "join"}
    timings["windows_critical_cpu_s"] = max(lanes.values(), default=0.0) + max((log.cpu_s for log in logs if log.lane == "join"), default=0.0)
    stitched = float(form.cost @ x + form.lp.offset_)
    report(f"{len(logs)} windows in {timings['windows_s']:.1f} s; stitched full-year cost {stitched:.8g}; "
           f"largest row violation {_violation(form, x):.3g}")

    # Stage 3: fixed-integer LP over the full year → upper bound and prices.
    step("decomposition: fixed-commitment LP of the full year")
    tic = time.perf_counter()
    # CPU of this thread outside the window solves (fixing, budgets, window set-up), on the critical path
    timings["stage2_other_cpu_s"] = time.thread_time() - cpu - sum(log.cpu_s for log in logs if not log.lane)
    cpu = time.thread_time()
    highs = highspy.Highs()
    _set_options(highs, solver, _sibling(log_file, "evaluation"), False)
    highs.passModel(form.lp)
    solved = _fixed_integer_lp(form, highs, x, model, "fixed-integer LP re-solve (decomposed commitment)")
    timings["evaluation_s"] = time.perf_counter() - tic
    timings["evaluation_cpu_s"] = time.thread_time() - cpu
    cpu = time.thread_time()   # from here to the results (bound process, warm-started MILP, results): on the critical path
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
            lower_bound, lower_from = outcome["objective"], outcome.get("source", "full-year linear-UC LP")
    elif parallel_bound and not math.isnan(queue_result.get("objective", float("nan"))):
        lower_bound, lower_from = queue_result["objective"], queue_result.get("source", "full-year linear-UC LP")

    # Optional: monolithic MILP warm-started with the decomposed solution.
    if settings.lower_bound == "milp":
        step("decomposition: warm-started monolithic MILP")
        tic = time.perf_counter()
        full_x = {id(var): float(value) for var, value in zip(form.columns, np.asarray(solved.highs.getSolution().col_value))}
        duals_backup = solved
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
        del mono

    gap = (upper_bound - lower_bound) / abs(upper_bound) if not math.isnan(lower_bound) else float("nan")
    report(f"certified gap: UB {upper_bound:.8g} ({solution_from}), LB {lower_bound:.8g} ({lower_from}): {gap:.4%}; "
           f"{time.perf_counter() - wall:.1f} s in all")
    solved.mip_gap = gap
    solved.dual_bound = lower_bound
    solved.status = "Optimal" if gap <= solver.mip_gap + 1e-12 else "Decomposed (gap above solver.mip_gap)"
    solved.translate_s = timings.get("translate_s", 0.0)
    solved.solve_s = sum(timings.get(k, 0.0) for k in ("investments_s", "windows_s", "evaluation_s", "milp_s", "bound_wait_s"))
    timings["solve_s"] = solved.solve_s
    tic = time.perf_counter()
    results = collect_results(built.ctx, solved)
    timings["results_s"] = time.perf_counter() - tic
    # On an idle machine with a core per thread, the wall time would be the CPU time of the critical path (rolling and
    # chained windows; for windows: parallel the windows' CPU is summed over all tasks, an overestimate):
    timings["critical_path_cpu_s"] = (timings["stage1_build_cpu_s"] + max(timings["stage1_solve_cpu_s"], timings["stage2_build_cpu_s"])
                                      + timings["stage2_other_cpu_s"] + timings["windows_critical_cpu_s"] + timings["evaluation_cpu_s"]
                                      + time.thread_time() - cpu)
    results.attrs.update({
        "rows": solved.num_rows, "columns": solved.num_cols,
        "upper_bound": upper_bound, "lower_bound": lower_bound, "certified_gap": gap,
        "lower_bound_from": lower_from, "investments_from": investments_from, "solution_from": solution_from,
        "stitched_cost": stitched, "windows": len(logs),
    })
    return results, solved, timings


def _thread_cpu(function: Callable, *args, **kwargs) -> tuple:
    """``function(*args, **kwargs)`` and the CPU time of the thread that ran it (s)."""
    cpu = time.thread_time()
    result = function(*args, **kwargs)
    return result, time.thread_time() - cpu


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
