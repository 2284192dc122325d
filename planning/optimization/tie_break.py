"""Tie-breaks of an LP as a lexicographic second pass: the costs first, then the tie-breaks over their optimum.

A tie-break picks one of several equal-cost solutions (``ctx.extras["tie_breaks"]``, summed by
:func:`planning.optimization.build.build_model` into ``model.tie_break_cost``, currency/yr; today the data
centers' schedule tie-break ε·Σ_t w_t·|P_t − as-arrived_t|, see
:mod:`planning.optimization.blocks.datacenter`). Two ways to apply it (``solver.tie_break``):

* ``objective``: min c·x + g·x in one solve (g: the tie-break's costs per column) — the ε-penalty;
* ``lexicographic`` (the default for an LP): first min c·x (pass 1, the costs alone: the user's HiGHS
  options, the prices come from it), then min g·x over the optimal face of pass 1 (pass 2), started from
  pass 1's optimal basis with primal simplex.

The optimal face (pass 2's feasible set)
----------------------------------------
With (y, d) pass 1's optimal duals (row duals, reduced costs), a feasible x is optimal for min c·x iff it
is complementary to them: every column with d_j ≠ 0 at the bound it is at in pass 1, every row with
y_i ≠ 0 at the bound it is at in pass 1. Pass 2 fixes exactly those columns and rows (|d_j|, |y_i| > 1e-9,
currency per unit of the column or row) at those bounds and minimises g·x: every point it returns costs
c·x = the pass-1 optimum (to the columns left free with |d_j| ≤ 1e-9), and among those points it moves
least by g. Pass 1's basis stays primal feasible (its non-basic columns and rows sit at the fixed bounds),
so primal simplex starts at once, no presolve; pass 1's duals stay optimal for pass 2's point
(complementary slackness), so they are the prices reported.

Versus the ε-penalty: the same schedule where ε is small enough that the penalty never trades against a
cost (it is, on the shipped cases: the cost with ε 0.01 $/MWh equals the optimum without it to 5e-15),
and the costs exactly the costs' optimum (the penalty can buy up to ε·moved MWh of cost). Measured
(benchmarks/README.md, "data-center block's overhead"): the penalty in the objective makes the full-year
LP +49 % simplex iterations over the inflexible campus; pass 1 + pass 2 +22 % (pass 2: 4 408 of 97 845).
A MILP keeps the penalty in its one objective (branch-and-bound has no optimal basis to start from).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
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


def minimise_on_optimal_face(highs: highspy.Highs, g: np.ndarray, options: dict) -> SecondPass:
    """Pass 2: min g·x over the optimal face of the LP ``highs`` has just solved to optimality (see the module
    docstring), in a new HiGHS object from its basis; ``highs`` itself is left as it is (its LP, basis, duals).

    ``options``: HiGHS options for pass 2 (threads, time limit); primal simplex and no presolve are set here.
    """
    lp = highs.getLp()
    solution = highs.getSolution()
    x, reduced = np.asarray(solution.col_value), np.asarray(solution.col_dual)
    activity, dual = np.asarray(solution.row_value), np.asarray(solution.row_dual)
    col_lower, col_upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    row_lower, row_upper = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
    pinned = np.abs(reduced) > FACE_TOLERANCE
    at = _nearest_bound(x, col_lower, col_upper)
    lp.col_lower_ = np.where(pinned, at, col_lower)
    lp.col_upper_ = np.where(pinned, at, col_upper)
    active = np.abs(dual) > FACE_TOLERANCE
    side = _nearest_bound(activity, row_lower, row_upper)
    lp.row_lower_ = np.where(active, side, row_lower)
    lp.row_upper_ = np.where(active, side, row_upper)
    lp.col_cost_ = g
    lp.offset_ = 0.0
    face = highspy.Highs()
    face.setOptionValue("output_flag", False)
    for name, value in options.items():
        face.setOptionValue(name, value)
    face.setOptionValue("solver", "simplex")
    face.setOptionValue("simplex_strategy", 4)      # primal simplex: pass 1's basis is primal feasible here
    face.setOptionValue("presolve", "off")
    face.passModel(lp)
    face.setBasis(highs.getBasis())
    face.run()
    status = face.modelStatusToString(face.getModelStatus())
    iterations = int(face.getInfo().simplex_iteration_count)
    if face.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return SecondPass(None, iterations, status, float(g @ x))
    values = np.asarray(face.getSolution().col_value)
    return SecondPass(values, iterations, status, float(g @ values))
