"""Bounds on the optimum of a full-year expansion LP too large to solve whole: multi-cut Benders over weekly blocks.

Why: validating representative periods needs the full year's optimum, and the full-year LP of many zones is hours of
dual simplex on 2 cores (benchmarks/README.md, bench_zones: 9 zones ≈ 4 million iterations). This module brackets
that optimum instead, with a certificate: ``lower_bound ≤ full-year optimum ≤ upper_bound``.

The LP, compiled (:class:`planning.optimization.decomposition.Compiled`), is

    min  c_x·x + c_y·y + offset    s.t.  row_lower ≤ A_x·x + A_y·y ≤ row_upper,  bounds on x and y,

x the columns without a snapshot (capacities, retirements, lines; currency/yr each through c_x) and y the operating
columns of the hours (generation, flows, storage, shedding). The hours are cut into blocks of ``block_hours``
(:func:`planning.optimization.decomposition.window_cores`, a week by default) and the rows sorted (:func:`split_by_blocks`):

* rows of x alone → the master;
* rows of one block's hours (and x) → that block;
* **linking rows**, whose hours lie in two neighbouring blocks (a storage balance across a block boundary, the cyclic
  row of hour 0, a ramp, a min up/down sum) → the block holding most of their columns ("home"). The columns of the
  other block they read become **states** s (storage levels at the edge, committed units, the hours a min up/down row
  reaches back to): master columns, read by the block that owns them and, as **copies**, by the home block, each
  through an elastic row  column − s + d⁺ − d⁻ = 0  with d± ≥ 0 at ``penalty`` per unit. Rows among x and the states
  alone (a state's ``soc ≤ energy capacity``) go to the master too, and with the copies;
* rows over more than two blocks (a yearly budget) are dropped, and named in the result (``dropped_rows``): the bound
  is then of a relaxation of the LP (the callers that need the LP itself refuse such rows).

**Lower bound** (:class:`TemporalBenders`). Given the master columns z = (x, s) the blocks separate:

    min  c_x·x + offset + Σ_k Q_k(z),    Q_k(z) = min { c_k·y_k + penalty·Σ(d⁺ + d⁻) : block k's rows at z }.

With d = 0 this is the LP exactly (each state read by both its blocks at the same value); the elastic rows only make
every block feasible at any z (so Q_k is finite) and can only lower Q_k, so the problem above is ≤ the LP's optimum for
any penalty ≥ 0, and equal to it once the penalty exceeds the value of a unit of state. Each Q_k is convex and
piecewise linear in z; at a point ẑ its value and a subgradient g_k come from one LP of block k with z fixed at ẑ by
its bounds: g_k = the reduced costs of the fixed columns (∂Q_k/∂ẑ; z costs 0 in the block). Kelley's cutting planes,
one cut per block per iteration (multi-cut Benders):

    master:  min c_x·x + offset + Σ_k θ_k   s.t.  master rows, bounds on x and s,
             θ_k ≥ Q_k(ẑ_j) + g_kj·(z − ẑ_j)  for every evaluated ẑ_j,   θ_k ≥ θ_k^min,

θ_k^min = Σ min(c·lower, c·upper) over the block's own columns (−∞ if unbounded; then the first cuts bound it). Every
cut under-estimates Q_k (convexity), so **LB = the master's optimal objective** is ≤ the LP's optimum at every
iteration (to HiGHS' tolerances, as for any LP bound). The blocks' total at ẑ, c_x·x̂ + offset + Σ_k Q_k(ẑ), is the cost
of a feasible full-year point when no block deviates from a state (``best_consistent``: every |d| ≤ 1e-6 × max(1,
|state|)): then it is an upper bound. Query points are stabilised (in-out, Ben-Ameur & Neto 2007): ẑ = z_best +
α·(z_master − z_best), α = 1/2, and α = 1 for an iteration after one whose lower bound did not rise.
:meth:`TemporalBenders.restrict` narrows master bounds (e.g. whole units fixed) keeping every cut: Q_k does not depend
on them.

**Upper bound at a given plan** (:func:`windows_upper_bound`). At any x (the best Benders point, or a representative-period plan) the
year's operation is solved in rolling windows with x fixed and *every* row enforced
(:func:`planning.optimization.decomposition.rolling_commitment`: each row by the last window that sets any of its
columns, the cyclic year closed by the last window): a feasible point of the full-year LP, so its objective
c·(x, y) + offset is ≥ the optimum. Its excess over the optimum is what the windows' limited foresight costs (storage
beyond the look-ahead).

**The full-year point** (:meth:`TemporalBenders.solution_at`). At a point where the blocks agree on every state
(``best_consistent``), each block re-solved there gives its own columns' values; with x and the states from the point
they make one full-year point (every row of the LP holds, each in its home block) at the cost ``best_value``. What
:mod:`planning.optimization.temporal_solve` hands to ``planning run``, with the duals below.

**Duals** (:meth:`TemporalBenders.duals`). Each iteration j keeps every block's row duals π_kj (its rows, then its
elastic state rows; float64: Σ_k (rows_k + states_k) × 8 bytes per iteration) and the master row of its cuts. With
λ_kj ≥ 0 the master's duals of block k's cuts at its last solve (HiGHS, minimising: a binding ≥ row has dual ≥ 0),
y_k = Σ_j λ_kj·π_kj on block k's rows and the master's duals on its own rows, summed where a row is held more than
once (a row among x and the states alone: in the master, its home block and a neighbour's copy rows), is a dual of
the LP: each block's part is a combination of dual-feasible points with weights Σ_j λ_kj = 1 − (θ_k's reduced cost),
the rest of the weight on the floor θ_k^min, which is the cut of π = 0 (with θ_k above its floor the weights sum to 1).
The master's optimality conditions are then the LP's: the reduced cost of x, c_x − A_xᵀy = c_x − A_Mᵀy_M +
Σ_kj λ_kj·g_kj, is the master's (0 for x strictly between its bounds), that of a state column the sum of its master
and blocks' reduced costs, and the dual objective is ≥ the master's optimum LB: an optimal dual to the gap.

Units: objective terms in the model's currency per year (the operating costs of the hours scaled to a year as the
model scales them); x in MW, MWh or units as the model declares them.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import highspy
import numpy as np
import scipy.sparse as sp

from planning.config.solver import Solver
from planning.errors import SolveError
from planning.optimization.decomposition import Compiled, rolling_commitment, window_cores

_INF = highspy.kHighsInf


@dataclass
class Block:
    """One block of hours: its rows and columns in the compiled LP and the master columns it reads.

    ``own``: the columns of its hours; ``copies``: columns of the neighbouring block read by its linking rows;
    ``states``: positions (in :attr:`BlockSplit.states`) of the state columns among ``own`` and ``copies``."""

    start: int
    end: int
    rows: np.ndarray
    own: np.ndarray
    copies: np.ndarray
    states: np.ndarray


@dataclass
class BlockSplit:
    """The compiled LP cut into blocks of hours (:func:`split_by_blocks`)."""

    x: np.ndarray                 # column indices without a snapshot
    states: np.ndarray            # column indices of the states at block boundaries (read by linking rows across a boundary)
    master_rows: np.ndarray       # rows of x and states alone
    blocks: list[Block]
    linking_rows: int             # rows over two neighbouring blocks
    dropped_rows: dict[str, int]  # rows over more than two blocks, left out (the bound is then of a relaxation), by component

    @property
    def master_columns(self) -> np.ndarray:
        return np.concatenate([self.x, self.states])


@dataclass
class BendersResult:
    """Outcome of :func:`benders_lower_bound` (currency/yr)."""

    lower_bound: float
    best_value: float              # the blocks' total at the best point (an upper bound when ``best_consistent``)
    best_consistent: bool          # the blocks agree on every state at the best point (deviations ≤ 1e-6 × max(1, |state|))
    x_values: np.ndarray           # the best point, in the order of ``BlockSplit.master_columns``
    iterations: int
    converged: bool
    seconds: float
    history: list[tuple[int, float, float, float]] = field(default_factory=list)  # (iteration, LB, best value, s)

    @property
    def gap(self) -> float:
        """Relative gap between the best point's value and the lower bound."""
        return (self.best_value - self.lower_bound) / max(1.0, abs(self.best_value))


@dataclass
class BendersDuals:
    """A dual of the full-year LP assembled from the cuts (:meth:`TemporalBenders.duals`; module docstring, "Duals").

    ``row_dual``: one per row of the compiled LP (HiGHS' sign convention: ∂objective/∂bound, c − Aᵀy the reduced
    costs; currency/yr per unit of the row). ``weight``: Σ_j λ_kj per block; ``floor_weight``: θ_k's reduced cost in
    the master, the weight of the floor's dual π = 0 (weight + floor_weight = 1 to HiGHS' tolerance). ``state_dual``:
    per block, Σ_j λ_kj·(the duals of its elastic state rows) (no row of the LP: they price the block's states).
    ``valid``: the master and every block dual with a weight came from optimal solves."""

    row_dual: np.ndarray
    weight: np.ndarray
    floor_weight: np.ndarray
    state_dual: list[np.ndarray]
    valid: bool


@dataclass
class PointSolution:
    """The full-year LP's primal and dual values at one master point (:meth:`TemporalBenders.solution_at`), in the
    compiled LP's column and row order.

    ``values``: x and the states from the point, every other column from its own block re-solved there. ``row_dual``:
    the cuts' assembled dual (:meth:`TemporalBenders.duals`, :class:`BendersDuals` in ``duals``): an optimal dual of
    the LP to the gap, not the blocks' duals at the point. ``dual_valid``: ``duals.valid``. ``deviation``: the largest
    deviation of a block from a state, relative to max(1, |state|)."""

    values: np.ndarray
    row_dual: np.ndarray
    objective: float
    deviation: float
    dual_valid: bool
    duals: BendersDuals | None = None


def block_snapshots(block_hours: float, snapshot_duration_h: float) -> int:
    """A block of ``block_hours`` as a whole number of snapshots of ``snapshot_duration_h`` hours (at least 1)."""
    return max(1, math.ceil(block_hours / snapshot_duration_h - 1e-9))


def block_of_hours(n_snapshots: int, block_hours: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Blocks' core hours [start, end) (a last block shorter than half a block joins the one before) and the block of each hour."""
    cores = window_cores(n_snapshots, block_hours)
    of_hour = np.empty(n_snapshots, dtype=np.int64)
    for k, (start, end) in enumerate(cores):
        of_hour[start:end] = k
    return cores, of_hour


def split_by_blocks(form: Compiled, n_snapshots: int, block_hours: int = 168) -> BlockSplit:
    """Sort the rows of ``form`` into master rows, blocks of ``block_hours`` and linking rows (see the module docstring)."""
    cores, of_hour = block_of_hours(n_snapshots, block_hours)
    n_blocks = len(cores)
    has_t = form.col_t >= 0
    col_block = np.where(has_t, of_hour[np.clip(form.col_t, 0, n_snapshots - 1)], -1)
    A = form.A.tocsr()
    counts = np.diff(A.indptr)
    row_of_entry = np.repeat(np.arange(A.shape[0]), counts)
    entry_block = col_block[A.indices]
    timed = entry_block >= 0
    lowest = np.full(A.shape[0], n_blocks, dtype=np.int64)
    highest = np.full(A.shape[0], -1, dtype=np.int64)
    np.minimum.at(lowest, row_of_entry[timed], entry_block[timed])
    np.maximum.at(highest, row_of_entry[timed], entry_block[timed])
    single = (highest >= 0) & (lowest == highest)
    rows_of_block: list[list[np.ndarray]] = [[np.flatnonzero(single & (lowest == k))] for k in range(n_blocks)]
    copies_of_block: list[set[int]] = [set() for _ in range(n_blocks)]
    dropped: dict[str, int] = {}
    linking = 0
    for i in np.flatnonzero((highest >= 0) & (lowest != highest)):
        cols = A.indices[A.indptr[i]:A.indptr[i + 1]]
        blocks_here = col_block[cols]
        blocks_here = blocks_here[blocks_here >= 0]
        present = np.unique(blocks_here)
        adjacent = present.size == 2 and (present[1] - present[0] == 1 or (present[0] == 0 and present[1] == n_blocks - 1))
        if not adjacent:
            name = form.rows[i][0].parent_component().name
            dropped[name] = dropped.get(name, 0) + 1
            continue
        tally = [(int((blocks_here == b).sum()), b) for b in present]
        home = max(tally)[1] if tally[0][0] != tally[1][0] else (0 if present[1] - present[0] > 1 else int(present[1]))
        rows_of_block[home].append(np.array([i]))
        copies_of_block[home].update(int(j) for j in cols if col_block[j] >= 0 and col_block[j] != home)
        linking += 1
    x = np.flatnonzero(~has_t)
    states = np.array(sorted(set().union(*copies_of_block)), dtype=np.int64)
    position = np.full(len(form.columns), -1, dtype=np.int64)
    position[states] = np.arange(states.size)
    # Rows among x and the states alone (a state's soc ≤ energy capacity): in the master, and with the copies.
    pattern = A.copy()
    pattern.data = np.ones_like(pattern.data)
    is_state = np.zeros(len(form.columns), dtype=float)
    is_state[states] = 1.0
    timed_per_row = pattern @ has_t.astype(float)
    of_states = (pattern @ is_state == timed_per_row)
    master_rows = np.flatnonzero(of_states)
    A_csc = A.tocsc()
    blocks = []
    for k, (start, end) in enumerate(cores):
        own = np.flatnonzero(col_block == k)
        copies = np.array(sorted(copies_of_block[k]), dtype=np.int64)
        rows = np.concatenate(rows_of_block[k])
        if copies.size:
            touching = np.unique(A_csc[:, copies].tocoo().row)
            is_copy = np.zeros(len(form.columns), dtype=float)
            is_copy[copies] = 1.0
            rows = np.union1d(rows, touching[(pattern[touching] @ is_copy) == timed_per_row[touching]])
        local = np.concatenate([own[position[own] >= 0], copies])
        blocks.append(Block(start, end, np.sort(rows), own, copies, position[local]))
    return BlockSplit(x, states, master_rows, blocks, linking, dropped)


def _block_floor(block: Block, form: Compiled) -> float:
    """θ_k^min: Σ min(c·lower, c·upper) over the block's own columns (the deviations cost ≥ 0); −∞ if a cost can fall
    without bound (then the first cuts must bound θ_k)."""
    cost, lower, upper = form.cost[block.own], form.col_lower[block.own], form.col_upper[block.own]
    with np.errstate(invalid="ignore"):
        least = np.where(cost > 0, cost * lower, np.where(cost < 0, cost * upper, 0.0))
    return float(least.sum()) if np.isfinite(least).all() else -_INF


class _BlockLp:
    """Block k's LP in HiGHS, kept between iterations (the master columns' bounds change; the basis is reused).

    Columns: x (fixed), the block's states as read from the master (fixed), its own columns, the copies, and two
    deviations per state (cost ``penalty`` each): column − state + d⁺ − d⁻ = 0 — elastic, so the block is feasible at
    any master point that its own rows allow, and the cut still under-estimates the true Q_k."""

    def __init__(self, form: Compiled, split: BlockSplit, block: Block, penalty: float, options: dict):
        n_x, n_s = split.x.size, block.states.size
        state_cols = split.states[block.states]
        n_own = block.own.size
        cols = np.concatenate([split.x, block.own, block.copies])
        sub = form.A[block.rows][:, cols].tocsr()
        # Original rows: x | states (0) | own | copies | d+ | d-.
        n_rows = sub.shape[0]
        where = {int(j): p for p, j in enumerate(np.concatenate([block.own, block.copies]))}
        local_of_state = np.array([n_x + n_s + where[int(j)] for j in state_cols], dtype=np.int64)
        n_cols = n_x + n_s + n_own + block.copies.size + 2 * n_s
        top = sp.hstack([sub[:, :n_x], sp.csr_matrix((n_rows, n_s)), sub[:, n_x:], sp.csr_matrix((n_rows, 2 * n_s))]).tocsr()
        r = np.arange(n_s)
        elastic = sp.csr_matrix(
            (np.concatenate([np.ones(n_s), -np.ones(n_s), np.ones(n_s), -np.ones(n_s)]),
             (np.concatenate([r, r, r, r]),
              np.concatenate([local_of_state, n_x + r, n_cols - 2 * n_s + r, n_cols - n_s + r]))),
            shape=(n_s, n_cols))
        matrix = sp.vstack([top, elastic]).tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_cols, matrix.shape[0]
        lp.col_cost_ = np.concatenate([np.zeros(n_x + n_s), form.cost[block.own], np.zeros(block.copies.size), np.full(2 * n_s, penalty)])
        lp.col_lower_ = np.concatenate([form.col_lower[split.x], form.col_lower[state_cols], form.col_lower[block.own],
                                        form.col_lower[block.copies], np.zeros(2 * n_s)])
        lp.col_upper_ = np.concatenate([form.col_upper[split.x], form.col_upper[state_cols], form.col_upper[block.own],
                                        form.col_upper[block.copies], np.full(2 * n_s, _INF)])
        lp.row_lower_ = np.concatenate([form.row_lower[block.rows], np.zeros(n_s)])
        lp.row_upper_ = np.concatenate([form.row_upper[block.rows], np.zeros(n_s)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
        self.highs = highspy.Highs()
        for name, value in options.items():
            self.highs.setOptionValue(name, value)
        self.highs.passModel(lp)
        self.n_x, self.fixed = n_x, n_x + n_s
        self.fixed_index = np.arange(self.fixed, dtype=np.int32)
        self.master_index = np.concatenate([np.arange(n_x), n_x + block.states])  # positions among the master columns
        self.deviations = slice(n_cols - 2 * n_s, n_cols)
        self.block = block

    def solve(self, master_x: np.ndarray) -> tuple[float, np.ndarray, float]:
        """Q_k at the master point, ∂Q_k/∂(its master columns) (reduced costs of the fixed columns), and the largest
        deviation from a state relative to max(1, |state|)."""
        values = master_x[self.master_index]
        self.highs.changeColsBounds(self.fixed, self.fixed_index, values, values)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolveError([f"temporal bounds: the LP of hours {self.block.start}-{self.block.end - 1} at the master's point "
                              f"is '{self.highs.modelStatusToString(status)}' (it needs a feasible operation for every "
                              "capacity the master may choose: unserved energy with a value of lost load)"],
                             title="temporal bounds failed")
        solution = self.highs.getSolution()
        value = np.asarray(solution.col_value, dtype=float)
        n_s = self.fixed - self.n_x
        d = value[self.deviations]
        states = np.abs(value[self.n_x:self.fixed])
        deviation = float(((d[:n_s] + d[n_s:]) / np.maximum(1.0, states)).max(initial=0.0))
        self.row_dual = np.asarray(solution.row_dual, dtype=float)  # π: the block's rows, then its elastic state rows
        self.dual_valid = bool(solution.dual_valid)
        return self.highs.getInfo().objective_function_value, np.asarray(solution.col_dual, dtype=float)[: self.fixed], deviation

    def point(self) -> np.ndarray:
        """After :meth:`solve`: the values of the block's own columns (order of ``block.own``)."""
        return np.asarray(self.highs.getSolution().col_value, dtype=float)[self.fixed:self.fixed + self.block.own.size]


class TemporalBenders:
    """Multi-cut Benders over the blocks of ``split`` (module docstring), kept between calls: :meth:`run` adds cuts until
    a gap; :meth:`restrict` narrows master columns' bounds (the cuts stay valid: Q_k does not depend on them), so a
    restricted problem (say, a plant's units fixed) is solved from the cuts already found.

    ``threads``: blocks solved at once (HiGHS releases the GIL). ``penalty`` (currency per unit of a state): cost of a
    block's deviation from the master's state; default 100 × the largest operating cost coefficient, above any value a
    unit of stored energy or a committed unit at a block's edge can have. ``keep_duals``: keep every iteration's block
    duals for :meth:`duals` (module docstring, "Duals": float64, Σ_k (rows_k + states_k) × 8 bytes per iteration);
    without them :meth:`duals` is not valid."""

    def __init__(self, form: Compiled, split: BlockSplit, threads: int = 1, penalty: float | None = None,
                 report: Callable[[str], None] = lambda line: None, keep_duals: bool = True):
        tic = time.perf_counter()
        self.form, self.split, self.threads, self.report, self.keep_duals = form, split, threads, report, keep_duals
        columns = split.master_columns
        self.n_m, n_blocks = columns.size, len(split.blocks)
        if penalty is None:
            penalty = 100.0 * float(np.abs(form.cost[form.col_t >= 0]).max(initial=1.0))
        block_options = {"output_flag": False, "threads": 1, "solver": "simplex", "simplex_strategy": 1, "presolve": "off"}
        self.lps = [_BlockLp(form, split, block, penalty, block_options) for block in split.blocks]
        report(f"{n_blocks} blocks of hours: {sum(b.rows.size for b in split.blocks)} rows, {sum(b.own.size for b in split.blocks)} "
               f"columns; {split.linking_rows} linking rows, {split.states.size} states, {split.x.size} capacities; master "
               f"{split.master_rows.size} rows; dropped: {split.dropped_rows or 'none'}; set up in {time.perf_counter() - tic:.1f} s")
        self.lower, self.upper = form.col_lower[columns].copy(), form.col_upper[columns].copy()
        self.master = highspy.Highs()
        self.master.setOptionValue("output_flag", False)
        self.master.setOptionValue("threads", 1)
        m_lp = highspy.HighsLp()
        m_lp.num_col_ = self.n_m + n_blocks
        self.offset = float(form.lp.offset_)
        m_lp.offset_ = self.offset
        self.cost = np.concatenate([form.cost[split.x], np.zeros(split.states.size)])  # a state's own cost is in its block
        m_lp.col_cost_ = np.concatenate([self.cost, np.ones(n_blocks)])
        m_lp.col_lower_ = np.concatenate([self.lower, [_block_floor(block, form) for block in split.blocks]])
        m_lp.col_upper_ = np.concatenate([self.upper, np.full(n_blocks, _INF)])
        rows = form.A[split.master_rows][:, columns]
        m_lp.num_row_ = rows.shape[0]
        m_lp.row_lower_, m_lp.row_upper_ = form.row_lower[split.master_rows], form.row_upper[split.master_rows]
        rows = sp.hstack([rows, sp.csr_matrix((rows.shape[0], n_blocks))]).tocsc()
        m_lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        m_lp.a_matrix_.start_, m_lp.a_matrix_.index_, m_lp.a_matrix_.value_ = rows.indptr, rows.indices, rows.data
        self.master.passModel(m_lp)
        self.lower_bound = -_INF
        self.best_x: np.ndarray | None = None
        self.best_value, self.best_consistent, self.best_deviation = _INF, False, _INF
        self.x_master: np.ndarray | None = None
        self.iterations = 0
        self.history: list[tuple[int, float, float, float]] = []
        # For the duals (:meth:`duals`): the master row of block 0's cut of each iteration (block k's is that + k) and
        # each block's row duals π_kj at each iteration (None where HiGHS had none, or without ``keep_duals``).
        self.cut_rows: list[int] = []
        self.cut_duals: list[list[np.ndarray | None]] = [[] for _ in range(n_blocks)]

    def _solve_master(self) -> highspy.HighsModelStatus:
        """The master LP: dual simplex from the last basis; on numerical trouble once more from scratch, then by interior
        point with crossover (the cuts' coefficients span the costs of capacities and of the states' penalty)."""
        self.master.run()
        if self.master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            self.master.clearSolver()
            self.master.run()
        if self.master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            self.master.clearSolver()
            self.master.setOptionValue("solver", "ipm")
            self.master.run()
            self.master.setOptionValue("solver", "simplex")
        return self.master.getModelStatus()

    def evaluate(self, point: np.ndarray) -> list[tuple[float, np.ndarray, float]]:
        """Each block at ``point`` (master columns): (Q_k, ∂Q_k/∂ its master columns, largest deviation)."""
        if self.threads > 1:
            with ThreadPoolExecutor(max_workers=self.threads) as pool:
                return list(pool.map(lambda lp: lp.solve(point), self.lps))
        return [lp.solve(point) for lp in self.lps]

    def restrict(self, positions: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Narrow the bounds of master columns (``positions`` in ``split.master_columns``); the best point is forgotten
        unless it still lies within them."""
        positions = np.asarray(positions, dtype=np.int64)
        self.lower[positions], self.upper[positions] = lower, upper
        self.master.changeColsBounds(positions.size, positions.astype(np.int32), np.asarray(lower, dtype=float),
                                     np.asarray(upper, dtype=float))
        if self.best_x is not None and not np.all((self.best_x[positions] >= lower - 1e-9) & (self.best_x[positions] <= upper + 1e-9)):
            self.best_x, self.best_value, self.best_consistent = None, _INF, False
        self.lower_bound = -_INF
        if self.iterations and self._solve_master() == highspy.HighsModelStatus.kOptimal:
            # The master with the cuts found so far: its point is where the next run starts (not the old best point
            # clipped to the new bounds, whose states no longer fit the capacities).
            self.lower_bound = self.master.getInfo().objective_function_value
            self.x_master = np.clip(np.asarray(self.master.getSolution().col_value, dtype=float)[:self.n_m], self.lower, self.upper)

    def duals(self) -> BendersDuals:
        """The full-year LP's row duals assembled from the cuts at the master's last solve (module docstring, "Duals"):
        block k's rows get y_k = Σ_j λ_kj·π_kj (λ_kj the master's dual of block k's cut j, π_kj the block's row duals
        when the cut was made), the master's rows their master duals; a row held several times (a row among the states
        and x alone: in the master, its home block and as a copy row in the neighbour) gets the sum of its duals."""
        form, split, n_blocks = self.form, self.split, len(self.lps)
        row_dual = np.zeros(len(form.rows))
        empty = BendersDuals(row_dual, np.zeros(n_blocks), np.zeros(n_blocks), [], False)
        if not self.cut_rows or self.master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return empty
        solution = self.master.getSolution()
        master_dual = np.asarray(solution.row_dual, dtype=float)
        if master_dual.size != self.master.getNumRow():
            return empty
        valid = bool(solution.dual_valid)
        # HiGHS (minimising): col_dual = c − Aᵀ row_dual; a cut θ_k − g·x ≥ … at its lower bound has row_dual ≥ 0.
        row_dual[split.master_rows] += master_dual[: split.master_rows.size]
        first = np.asarray(self.cut_rows, dtype=np.int64)
        weight, state_dual = np.zeros(n_blocks), []
        for k, lp in enumerate(self.lps):
            lam = master_dual[first + k]
            weight[k] = lam.sum()
            y = np.zeros(lp.block.rows.size + lp.block.states.size)
            for j in np.flatnonzero(lam != 0.0):
                pi = self.cut_duals[k][j]
                if pi is None:
                    valid = False
                    continue
                y += lam[j] * pi
            row_dual[lp.block.rows] += y[: lp.block.rows.size]
            state_dual.append(y[lp.block.rows.size:])
        # θ_k's reduced cost: 1 − Σ_j λ_kj, > 0 only with θ_k at its floor (the dual π = 0: nothing to add).
        floor_weight = np.asarray(solution.col_dual, dtype=float)[self.n_m:self.n_m + n_blocks]
        return BendersDuals(row_dual, weight, floor_weight, state_dual, valid)

    @property
    def dual_bytes(self) -> int:
        """Memory held by the blocks' duals of every cut (bytes)."""
        return sum(pi.nbytes for duals in self.cut_duals for pi in duals if pi is not None)

    def solution_at(self, point: np.ndarray) -> PointSolution:
        """Every block re-solved at ``point`` (master columns, order of ``split.master_columns``; typically the best
        point of :meth:`run`), assembled into the full-year LP's column values (:class:`PointSolution`); the row duals
        are the cuts' (:meth:`duals`, at the master's last solve: call after :meth:`run`), not the re-solve's."""
        form, split = self.form, self.split
        point = np.asarray(point, dtype=float)
        out = self.evaluate(point)
        values = np.full(len(form.columns), np.nan)
        columns = split.master_columns
        values[columns] = point
        fixed = np.zeros(len(form.columns), dtype=bool)
        fixed[columns] = True
        for lp in self.lps:
            own_values = lp.point()
            free = ~fixed[lp.block.own]
            values[lp.block.own[free]] = own_values[free]
        duals = self.duals()
        objective = float(self.cost @ point) + self.offset + sum(q for q, _, _ in out)
        return PointSolution(values, duals.row_dual, objective, max((d for _, _, d in out), default=0.0), duals.valid, duals)

    def run(self, gap: float = 1e-4, max_iterations: int = 100, time_limit_s: float = 3600.0,
            start: np.ndarray | None = None, require_consistent: bool = True) -> BendersResult:
        """Add cuts until (best value − LB) / |best value| ≤ ``gap`` — at a point where the blocks agree on every state
        (``require_consistent``: the best value is then a feasible point's cost) —, or ``max_iterations`` more
        iterations, or ``time_limit_s``; the LB is valid whenever it stops. ``start``: the first point (order of
        ``split.master_columns``); default the best point, else the master's last point, else the lower bounds."""
        tic = time.perf_counter()
        if start is not None:
            query = np.asarray(start, dtype=float)
        elif self.best_x is not None:
            query = self.best_x
        elif self.x_master is not None:
            query = self.x_master
        else:
            query = np.zeros(self.n_m)
        query = np.clip(query, self.lower, self.upper)
        query = np.where(np.isfinite(query), query, np.where(np.isfinite(self.lower), self.lower, 0.0))
        n_m, n_blocks = self.n_m, len(self.lps)
        alpha, converged, done = 0.5, False, 0
        while done < max_iterations:
            done += 1
            self.iterations += 1
            out = self.evaluate(query)
            value = float(self.cost @ query) + self.offset + sum(q for q, _, _ in out)
            if value < self.best_value:
                self.best_x, self.best_value = query.copy(), value
                self.best_deviation = max(d for _, _, d in out)
                self.best_consistent = self.best_deviation <= 1e-6
            # Cuts: θ_k − g·(its master columns) ≥ Q_k(x̂) − g·x̂.
            starts, index, coef, cut_lower = [], [], [], []
            for k, ((q, g, _), lp) in enumerate(zip(out, self.lps)):
                nz = np.flatnonzero(np.abs(g) > 1e-12)
                starts.append(len(index))
                index.extend(lp.master_index[nz].tolist() + [n_m + k])
                coef.extend((-g[nz]).tolist() + [1.0])
                cut_lower.append(q - float(g @ query[lp.master_index]))
            self.cut_rows.append(self.master.getNumRow())
            for k, lp in enumerate(self.lps):
                self.cut_duals[k].append(lp.row_dual if self.keep_duals and lp.dual_valid else None)
            self.master.addRows(n_blocks, np.array(cut_lower), np.full(n_blocks, _INF), len(index),
                                np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(coef))
            status = self._solve_master()
            if status != highspy.HighsModelStatus.kOptimal:
                if not np.isfinite(self.lower_bound):
                    raise SolveError([f"temporal bounds: the Benders master is '{self.master.modelStatusToString(status)}'"],
                                     title="temporal bounds failed")
                self.report(f"iteration {self.iterations:3d}: the master is '{self.master.modelStatusToString(status)}'; "
                            "stopping with the last lower bound")
                break
            previous = self.lower_bound
            self.lower_bound = self.master.getInfo().objective_function_value
            self.x_master = np.clip(np.asarray(self.master.getSolution().col_value, dtype=float)[:n_m], self.lower, self.upper)
            elapsed = time.perf_counter() - tic
            self.history.append((self.iterations, self.lower_bound, self.best_value, elapsed))
            relative = (self.best_value - self.lower_bound) / max(1.0, abs(self.best_value))
            self.report(f"iteration {self.iterations:3d}: LB {self.lower_bound:.10g}, best {self.best_value:.10g}"
                        f"{'' if self.best_consistent else f' (states missed by up to {self.best_deviation:.2g})'}, "
                        f"gap {relative:.3e}, {elapsed:.0f} s")
            if relative <= gap and (self.best_consistent or not require_consistent):
                converged = True
                break
            if elapsed >= time_limit_s:
                break
            alpha = 1.0 if self.lower_bound <= previous + 1e-9 * max(1.0, abs(previous)) and alpha < 1.0 else 0.5
            query = np.clip(self.best_x + alpha * (self.x_master - self.best_x), self.lower, self.upper)
        return BendersResult(self.lower_bound, self.best_value, self.best_consistent, self.best_x.copy(), self.iterations,
                             converged, time.perf_counter() - tic, list(self.history))


def benders_lower_bound(form: Compiled, split: BlockSplit, gap: float = 1e-4, max_iterations: int = 100,
                        time_limit_s: float = 3600.0, threads: int = 1, report: Callable[[str], None] = lambda line: None,
                        start: np.ndarray | None = None, penalty: float | None = None) -> BendersResult:
    """:class:`TemporalBenders` run once: a lower bound on the full-year LP's optimum and the best point found."""
    return TemporalBenders(form, split, threads, penalty, report).run(gap, max_iterations, time_limit_s, start)


def windows_upper_bound(form: Compiled, split: BlockSplit, x_values: np.ndarray, n_snapshots: int, options: Solver,
                        window_h: int = 168, overlap_h: int = 48, report: Callable[[str], None] = lambda line: None,
                        period_h: int | None = None) -> tuple[float, np.ndarray]:
    """An upper bound on the full-year LP's optimum: the year's operation in rolling windows at ``x_values`` (the
    capacities, order of ``split.x``; fixed), every row enforced: a feasible point of the LP (checked here to 1e-6
    relative); its objective and the point.

    ``form``'s bounds of the x columns are set to ``x_values`` (restore them before a new Benders run)."""
    form.col_lower[split.x] = x_values
    form.col_upper[split.x] = x_values
    form.lp.col_lower_, form.lp.col_upper_ = form.col_lower, form.col_upper
    point, _ = rolling_commitment(form, n_snapshots, window_h, overlap_h, options, report=report, period_h=period_h)
    worst = relative_violation(form, point)
    if worst > 1e-6:
        raise SolveError([f"temporal bounds: the windows' point violates a row or bound of the LP by {worst:.3g} (relative)"],
                         title="temporal bounds failed")
    return float(form.cost @ point) + float(form.lp.offset_), point


def relative_violation(form: Compiled, x: np.ndarray) -> float:
    """Largest violation of a row or column bound of ``form`` by the point ``x``, relative to max(1, |bound|); inf if a
    value is missing. A full-year point assembled from blocks or windows is feasible when this is ≤ 1e-6."""
    if not np.isfinite(x).all():
        return float("inf")
    activity = form.A @ x

    def excess(lower, upper, value):
        with np.errstate(invalid="ignore"):
            low = np.where(np.isfinite(lower), (lower - value) / np.maximum(1.0, np.abs(lower)), 0.0)
            high = np.where(np.isfinite(upper), (value - upper) / np.maximum(1.0, np.abs(upper)), 0.0)
        return float(np.maximum(low, high).max(initial=0.0))

    return max(excess(form.row_lower, form.row_upper, activity), excess(form.col_lower, form.col_upper, x), 0.0)
