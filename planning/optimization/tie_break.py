"""Tie-breaks of an LP as a lexicographic second pass: the costs first, then the tie-breaks over their optimum.

A tie-break picks one of several equal-cost solutions (``ctx.extras["tie_breaks"]``, summed by
:func:`planning.optimization.build.build_model` into ``model.tie_break_cost``, currency/yr; today the data
centers' schedule tie-break ε·Σ_t w_t·|P_t − as-arrived_t|, see
:mod:`planning.optimization.blocks.datacenter`). Two ways to apply it (``solver.tie_break``):

* ``objective``: min c·x + g·x in one solve (g: the tie-break's costs per column) — the ε-penalty;
* ``lexicographic`` (the default for an LP): first min c·x (pass 1, the costs alone: the user's HiGHS
  options, the prices come from it), then min g·x over the optimal face of pass 1 (pass 2).

Pass 1 leaves out the tie-break columns (g ≠ 0) and the rows that only define them
(``ctx.extras["tie_break_rows"]``, e.g. the data centers' ``schedule_move``): they cost nothing in pass 1
and hold for any value of the other columns, so the optimum and the prices are the same
(:func:`without_tie_break`).

The optimal face (pass 2's feasible set)
----------------------------------------
With (y, d) pass 1's optimal duals (row duals, reduced costs), a feasible x is optimal for min c·x iff it
is complementary to them: every column with d_j ≠ 0 at the bound it is at in pass 1, every row with
y_i ≠ 0 at the bound it is at in pass 1. Pass 2 fixes exactly those columns and rows (|d_j|, |y_i| > 1e-9,
currency per unit of the column or row) at those bounds and minimises g·x over the full LP: every point it
returns costs c·x = the pass-1 optimum (to the columns left free with |d_j| ≤ 1e-9), and among those points
it moves least by g. The left-out rows and columns have y = 0 and d = 0: free. Pass 1's duals stay optimal
for pass 2's point (complementary slackness), so they are the prices reported. Pass 2 runs HiGHS' presolve
(the pinned columns and rows go: 201 487 × 236 549 → 8 657 × 25 183 on the full-year campus) and dual
simplex — 1.6 s against 4.5 s for primal simplex from pass 1's basis on the whole face
(``benchmarks/bench_datacenter_lp_options.py --pass2``).

Versus the ε-penalty: the same schedule where ε is small enough that the penalty never trades against a
cost (it is, on the shipped cases: the cost with ε 0.01 $/MWh equals the optimum without it to 5e-15),
and the costs exactly the costs' optimum (the penalty can buy up to ε·moved MWh of cost). Measured
(benchmarks/README.md, "data-center block's overhead", full year, quiet): the penalty in the objective
costs 3.3x the inflexible campus' solve CPU; pass 1 without the tie-break rows + pass 2 1.03–1.07x its solve
time (1.08–1.13x the CPU with the translation).
A MILP keeps the penalty in its one objective (branch-and-bound has no optimal basis to start from).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn import generate_standard_repn

#: Reduced costs and row duals above this (currency per unit of the column or row) pin a column or row on
#: the optimal face; at or below it a column may move in pass 2 (cost change ≤ 1e-9 × its move).
FACE_TOLERANCE = 1e-9


@dataclass
class SecondPass:
    """What pass 2 returned: the column values (``None`` when it did not reach an optimum), its simplex
    iterations, its HiGHS status and the tie-breaks' value g·x (currency/yr)."""

    values: np.ndarray | None
    iterations: int
    status: str
    tie_break_cost: float


def tie_break_costs(model: pyo.Block, columns: list) -> np.ndarray | None:
    """g: the tie-break's cost per compiled column (``model.tie_break_cost``, linear), or None without one."""
    expression = getattr(model, "tie_break_cost", None)
    if expression is None:
        return None
    repn = generate_standard_repn(expression.expr, quadratic=False, compute_values=True)
    if not repn.is_linear():
        raise ValueError("model.tie_break_cost must be linear for the lexicographic pass")
    index = {id(var): j for j, var in enumerate(columns)}
    g = np.zeros(len(columns))
    for var, coefficient in zip(repn.linear_vars, repn.linear_coefs):
        j = index.get(id(var))
        if j is not None:       # a tie-break column in no row and no cost is not compiled: it stays at its bound
            g[j] += float(coefficient)
    return g if g.any() else None


def _nearest_bound(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return np.where(np.abs(value - lower) <= np.abs(value - upper), lower, upper)


@dataclass
class PassOne:
    """Pass 1's LP: the full LP less the tie-break columns (g ≠ 0) and the rows that only define them
    (``model.tie_break_rows``), and the indices of the full LP's columns and rows it keeps, in its order."""

    lp: highspy.HighsLp
    columns: np.ndarray
    rows: np.ndarray


def definition_rows(model: pyo.Block, rows: list) -> np.ndarray:
    """True for the compiled rows of the constraints in ``model.tie_break_rows`` (rows that only define
    tie-break columns, registered by the blocks in ``ctx.extras["tie_break_rows"]``)."""
    components = {id(c) for c in getattr(model, "tie_break_rows", ())}
    return np.array([id(row[0].parent_component()) in components for row in rows], dtype=bool)


def without_tie_break(lp: highspy.HighsLp, g: np.ndarray, defining: np.ndarray) -> PassOne:
    """Pass 1's LP: ``lp`` without the columns with a tie-break cost (g ≠ 0) and the rows ``defining`` them.

    Exact for the costs: a defining row holds for every value of the other columns, by the tie-break columns
    alone (the block that registers it guarantees this: for the data centers' ``schedule_move``,
    P_t − moved_up + moved_down = as-arrived_t with the moves' bounds spanning the operating range of P_t),
    and the tie-break columns cost nothing in pass 1; so min c·x is the same with or without them, and the
    dropped rows' duals are 0 in an optimal dual solution of the full LP (the tie-break columns' reduced costs
    0 − y·a = 0). Dropping them spares pass 1 their 17 520 columns and 8 760 rows at 8760 h (and the
    ε-costed columns' degenerate moves), measured 2x less HiGHS CPU (benchmarks/README.md).

    Raises ValueError when a tie-break column appears in a row not registered as defining (nothing to drop
    safely then: the caller solves the full LP)."""
    A = sp.csc_matrix((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_), np.asarray(lp.a_matrix_.start_)),
                      shape=(lp.num_row_, lp.num_col_))
    tie = g != 0
    outside = A[~defining][:, tie]
    if outside.nnz:
        raise ValueError("a tie-break column appears in a row that does not only define tie-break columns")
    columns, rows = np.flatnonzero(~tie), np.flatnonzero(~defining)
    sub = A[rows][:, columns].tocsc()
    sub.sort_indices()
    one = highspy.HighsLp()
    one.num_col_, one.num_row_ = len(columns), len(rows)
    one.col_cost_ = np.asarray(lp.col_cost_, dtype=float)[columns]
    one.col_lower_ = np.asarray(lp.col_lower_, dtype=float)[columns]
    one.col_upper_ = np.asarray(lp.col_upper_, dtype=float)[columns]
    one.row_lower_ = np.asarray(lp.row_lower_, dtype=float)[rows]
    one.row_upper_ = np.asarray(lp.row_upper_, dtype=float)[rows]
    one.offset_ = lp.offset_
    one.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    one.a_matrix_.start_ = sub.indptr
    one.a_matrix_.index_ = sub.indices
    one.a_matrix_.value_ = sub.data
    if len(lp.integrality_):
        one.integrality_ = [lp.integrality_[j] for j in columns]
    return PassOne(one, columns, rows)


def minimise_on_optimal_face(lp: highspy.HighsLp, x: np.ndarray, reduced: np.ndarray, activity: np.ndarray, dual: np.ndarray,
                             g: np.ndarray, options: dict) -> SecondPass:
    """Pass 2: min g·x over the optimal face of ``lp`` (see the module docstring) given an optimal point ``x`` with
    its reduced costs, row activities and row duals (full length: a dropped row's dual 0, a dropped column's
    reduced cost 0 — both left free), in a new HiGHS object. ``lp`` is not changed.

    ``options``: HiGHS options for pass 2 (threads, time limit); presolve and dual simplex are set here:
    presolve removes the pinned columns and rows (most of the LP): 1.6 s against 4.5 s for primal simplex from
    pass 1's basis on the whole face (``benchmarks/bench_datacenter_lp_options.py --pass2``)."""
    col_lower, col_upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    row_lower, row_upper = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
    pinned = np.abs(reduced) > FACE_TOLERANCE
    at = _nearest_bound(x, col_lower, col_upper)
    active = np.abs(dual) > FACE_TOLERANCE
    side = _nearest_bound(activity, row_lower, row_upper)
    return _minimise(lp, g, np.where(pinned, at, col_lower), np.where(pinned, at, col_upper),
                     np.where(active, side, row_lower), np.where(active, side, row_upper), options)


def complete_tie_break_columns(lp: highspy.HighsLp, x: np.ndarray, g: np.ndarray, options: dict) -> SecondPass:
    """Values of the tie-break columns (g ≠ 0) for the point ``x`` of the other columns, which stay fixed:
    min g·x over the defining rows alone (separable, presolve solves it) — what a run falls back to when
    pass 2 stops, so that every row holds at the loaded point."""
    fixed = g == 0
    col_lower, col_upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    return _minimise(lp, g, np.where(fixed, x, col_lower), np.where(fixed, x, col_upper),
                     np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float), options)


def _minimise(lp: highspy.HighsLp, g: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray, row_lower: np.ndarray,
              row_upper: np.ndarray, options: dict) -> SecondPass:
    """min g·x over ``lp``'s rows with the given bounds: presolve, then dual simplex."""
    face = highspy.HighsLp()
    face.num_col_, face.num_row_ = lp.num_col_, lp.num_row_
    face.a_matrix_ = lp.a_matrix_
    face.col_cost_, face.offset_ = g, 0.0
    face.col_lower_, face.col_upper_ = col_lower, col_upper
    face.row_lower_, face.row_upper_ = row_lower, row_upper
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for name, value in options.items():
        highs.setOptionValue(name, value)
    highs.setOptionValue("solver", "simplex")
    highs.setOptionValue("simplex_strategy", 1)
    highs.setOptionValue("presolve", "on")
    highs.passModel(face)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    iterations = int(highs.getInfo().simplex_iteration_count)
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return SecondPass(None, iterations, status, float("nan"))
    values = np.asarray(highs.getSolution().col_value)
    return SecondPass(values, iterations, status, float(g @ values))
