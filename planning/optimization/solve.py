"""Hand a built Pyomo model to HiGHS in memory and read the solution back.

Translation path (measured, see benchmarks/): Pyomo's ``LinearStandardFormCompiler`` compiles
the model to a sparse matrix in one pass, which is passed to ``highspy`` with ``passModel``.
This is several times faster than Pyomo's persistent appsi/contrib HiGHS interfaces, which add
constraints one by one; those pay off only for repeated re-solves with small changes.

Termination
-----------
* optimal → values and duals are loaded;
* time limit (or another stop) with a feasible point → values loaded, status flagged;
* infeasible / unbounded / no feasible point → :class:`SolveResult` with ``has_solution=False``;
  the caller diagnoses (see :mod:`planning.workflows.run`).

Prices and primal values of a MILP come from one solve, the fixed-integer LP: integer columns
are fixed at the MILP's solution values, integrality is dropped, and the LP is re-solved; its
primal values, duals and objective are what the model holds afterwards (``duals_from`` records
it). The continuous part is thereby re-optimised for the integers found, so the objective can only
fall (it is ≤ the MILP incumbent); ``dual_bound`` keeps HiGHS' MIP dual bound and ``mip_gap`` is
recomputed against it. Were duals taken from the LP but primal values from the MILP incumbent, a
degenerate or heuristic incumbent could pair prices with a dispatch they do not support.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo

from planning.config.solver import Solver
from planning.errors import ScenarioError
from planning.optimization.tie_break import (
    PassOne,
    complete_tie_break_columns,
    definition_rows,
    minimise_on_optimal_face,
    tie_break_costs,
    without_tie_break,
)
from planning.optimization.translate import compile_standard_form

_STATUS_WITH_POINT = {"Optimal", "Time limit reached", "Iteration limit reached", "Solution limit reached", "Interrupted by user", "Objective bound", "Objective target"}


@dataclass
class SolveResult:
    """What came back from HiGHS."""

    status: str
    has_solution: bool
    objective: float = float("nan")
    mip_gap: float = float("nan")
    #: A lower bound on the optimum (currency): HiGHS' MIP dual bound for a MILP, the objective for an LP.
    dual_bound: float = float("nan")
    is_mip: bool = False
    duals_from: str = "lp"
    #: How tie-breaks were applied: "" (none in the model), "objective" (one objective with the penalty) or
    #: "lexicographic" (costs, then tie-breaks over their optimal face); pass 2's simplex iterations and status.
    tie_break: str = ""
    tie_break_iterations: int = 0
    tie_break_status: str = ""
    translate_s: float = 0.0
    solve_s: float = 0.0
    num_rows: int = 0
    num_cols: int = 0
    duals: dict = field(default_factory=dict)
    #: The HiGHS object after the solve (its basis is that of the LP the duals came from), the
    #: compiled columns (Pyomo variables) and rows (``(constraint, sense)``) in HiGHS order, and the
    #: column costs: kept so that metrics can re-use the basis (e.g. marginal emissions).
    highs: object = field(default=None, repr=False)
    columns: list = field(default_factory=list, repr=False)
    rows: list = field(default_factory=list, repr=False)
    col_cost: object = field(default=None, repr=False)
    #: Strong references to the columns' and rows' parent components (VarData/ConstraintData hold
    #: only weak references to them), so that names and indices stay readable after the model is gone.
    components: list = field(default_factory=list, repr=False)

    @property
    def optimal(self) -> bool:
        return self.status == "Optimal"

    def dual(self, constraint) -> float:
        """Dual (∂objective/∂rhs) of a Pyomo constraint; NaN if unavailable."""
        return self.duals.get(id(constraint), float("nan"))


def highs_lp(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, list, list, np.ndarray]:
    """Compile ``model`` to a ``HighsLp``: (lp, columns (Pyomo variables), rows ``(constraint, sense)``,
    integer mask of the columns). Fixed variables are compiled as constants. The matrix is Pyomo's
    ``LinearStandardFormCompiler``'s, built by :func:`planning.optimization.translate.compile_standard_form`."""
    form = compile_standard_form(model)
    columns, rows, A = form.columns, form.rows, form.A
    n_rows, n_cols = A.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = form.c
    lp.offset_ = form.offset
    inf = highspy.kHighsInf
    bounds = [v.bounds for v in columns]
    lp.col_lower_ = np.array([-inf if lb is None else lb for lb, _ in bounds], dtype=float)
    lp.col_upper_ = np.array([inf if ub is None else ub for _, ub in bounds], dtype=float)
    sense = np.array([r[1] for r in rows], dtype=int)
    lp.row_lower_ = np.where(sense <= 0, form.rhs, -inf)
    lp.row_upper_ = np.where(sense >= 0, form.rhs, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    integer = _integer_mask(columns)
    if integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    return lp, columns, rows, integer


def _integer_mask(columns: list) -> np.ndarray:
    """True for the integer (and binary) columns; decided once per domain object."""
    integer_domain: dict[int, bool] = {}
    mask = np.zeros(len(columns), dtype=bool)
    for j, var in enumerate(columns):
        domain = var.domain
        known = integer_domain.get(id(domain))
        if known is None:
            known = integer_domain[id(domain)] = bool(var.is_integer() or var.is_binary())
        mask[j] = known
    return mask


def solve_model(model: pyo.ConcreteModel, options: Solver, log_file: Path | None = None, verbose: bool = False) -> SolveResult:
    """Compile ``model`` to standard form, solve it with HiGHS, load values into the model."""
    start = time.perf_counter()
    lp, columns, rows, integer = highs_lp(model)
    n_rows, n_cols = lp.num_row_, lp.num_col_
    is_mip = bool(integer.any())
    # An LP's tie-breaks (g) go to a second pass over the costs' optimal face (planning.optimization.tie_break).
    tie_cost = tie_break_costs(model, columns) if not is_mip and options.tie_break == "lexicographic" else None
    pass_one = None
    if tie_cost is not None:
        lp.col_cost_ = np.asarray(lp.col_cost_) - tie_cost   # pass 1: the costs alone ...
        try:   # ... without the tie-break columns and the rows that only define them
            pass_one = without_tie_break(lp, tie_cost, definition_rows(model, rows))
        except ValueError:
            pass_one = None
    solved_lp = pass_one.lp if pass_one is not None else lp
    # The columns and rows of the LP HiGHS solves (pass 1's: without the tie-break columns and rows when dropped).
    kept_columns = columns if pass_one is None else [columns[j] for j in pass_one.columns]
    kept_rows = rows if pass_one is None else [rows[i] for i in pass_one.rows]
    highs = highspy.Highs()
    _set_options(highs, options, log_file, verbose, problem_class(model, is_mip))
    highs.passModel(solved_lp)
    translate_s = time.perf_counter() - start
    _heartbeat(highs, is_mip)

    start = time.perf_counter()
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    info = highs.getInfo()
    has_point = status in _STATUS_WITH_POINT and info.primal_solution_status == 2
    result = SolveResult(status=status, has_solution=has_point, is_mip=is_mip, translate_s=translate_s, num_rows=n_rows, num_cols=n_cols,
                         tie_break="lexicographic" if tie_cost is not None else ("objective" if hasattr(model, "tie_break_cost") else ""))
    if has_point:
        result.objective = info.objective_function_value
        result.mip_gap = info.mip_gap if is_mip else 0.0
        result.dual_bound = float(info.mip_dual_bound) if is_mip else result.objective
        solution = highs.getSolution()
        values = np.asarray(solution.col_value)
        if tie_cost is not None:
            values = _lexicographic_pass(highs, lp, pass_one, tie_cost, options, start, result)
        if is_mip:
            # One consistent point: primal values, duals and objective all from the fixed-integer LP.
            fixed = np.round(values[integer])
            index = np.flatnonzero(integer).astype(np.int32)
            highs.changeColsBounds(len(index), index, fixed, fixed)
            highs.changeColsIntegrality(len(index), index, np.array([highspy.HighsVarType.kContinuous] * len(index)))
            highs.run()
            if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                result.duals_from = "fixed-integer LP re-solve"
                solution = highs.getSolution()
                values = np.asarray(solution.col_value)
                result.objective = highs.getInfo().objective_function_value
                if np.isfinite(result.dual_bound):
                    result.mip_gap = max(0.0, result.objective - result.dual_bound) / max(abs(result.objective), 1e-12)
            else:
                result.duals_from = "none (the fixed-integer LP re-solve failed: no prices)"
                solution = None
        for var, value in zip(columns, values):
            var.set_value(float(value), skip_validation=True)
        _value_unused_variables(model)
        if solution is not None and solution.dual_valid:
            result.duals = {id(row[0]): float(dual) for row, dual in zip(kept_rows, solution.row_dual)}
            if pass_one is not None:   # the dropped defining rows: dual 0
                result.duals.update({id(rows[i][0]): 0.0 for i in np.setdiff1d(np.arange(len(rows)), pass_one.rows)})
    result.highs, result.columns, result.rows, result.col_cost = highs, list(kept_columns), list(kept_rows), solved_lp.col_cost_
    result.components = list({id(c): c for c in (item.parent_component() for item in (*columns, *(row[0] for row in rows)))}.values())
    result.solve_s = time.perf_counter() - start
    return result


def _lexicographic_pass(highs: highspy.Highs, lp: highspy.HighsLp, pass_one: PassOne | None, tie_cost: np.ndarray, options: Solver,
                        start: float, result: SolveResult) -> np.ndarray:
    """Pass 2 of the lexicographic tie-break after pass 1 (``highs``, on ``pass_one.lp`` or on the full ``lp``): the
    full LP's column values to load; the objective becomes costs + tie-breaks (as with the penalty). Pass 1 not
    optimal, or pass 2 not solved: pass 1's point, its tie-break columns completed for it."""
    solution = highs.getSolution()
    columns = np.arange(lp.num_col_) if pass_one is None else pass_one.columns
    rows = np.arange(lp.num_row_) if pass_one is None else pass_one.rows
    x, reduced = np.zeros(lp.num_col_), np.zeros(lp.num_col_)
    activity, dual = np.zeros(lp.num_row_), np.zeros(lp.num_row_)
    x[columns], reduced[columns] = solution.col_value, solution.col_dual
    activity[rows], dual[rows] = solution.row_value, solution.row_dual
    pass_options = {"threads": int(options.threads), "time_limit": max(1.0, float(options.time_limit_s) - (time.perf_counter() - start))}
    second = None
    if result.status == "Optimal":
        second = minimise_on_optimal_face(lp, x, reduced, activity, dual, tie_cost, pass_options)
        result.tie_break_iterations, result.tie_break_status = second.iterations, second.status
    if second is None or second.values is None:
        if second is not None:
            from planning.logging import get_logger

            get_logger("solve").warning("the tie-break pass stopped (%s): the schedule is pass 1's, tie-breaks not applied", second.status)
        if pass_one is not None:
            completed = complete_tie_break_columns(lp, x, tie_cost, {"threads": int(options.threads)})
            if completed.values is None:
                raise RuntimeError(f"the tie-break columns could not be completed for pass 1's point ({completed.status})")
            x = completed.values
        result.objective += float(tie_cost @ x)
        return x
    result.objective += second.tie_break_cost
    return second.values


#: Seconds between two progress lines of a running solve (``planning.solve`` logger, INFO).
HEARTBEAT_S = 30.0


def _heartbeat(highs: highspy.Highs, is_mip: bool, interval_s: float | None = None) -> None:
    """Log a line at most every ``interval_s`` while HiGHS runs: elapsed, objective, bound, gap and nodes (MIP), or the
    simplex iteration, objective and infeasibilities from HiGHS' own iteration lines (LP; HiGHS writes one every few
    seconds when its log is on, i.e. whenever a run writes solver.log) — so a long solve shows it is alive even without
    a terminal."""
    import re

    from planning.formatting import format_number
    from planning.logging import get_logger

    log = get_logger("solve")
    interval = HEARTBEAT_S if interval_s is None else interval_s
    start, last = time.monotonic(), [0.0]
    iteration_line = re.compile(r"^\s*(\d+)\s+([-+0-9.eE]+)\s+(.*?)\s+[\d.]+s\s*$")
    number = re.compile(r"[-+]?\d+(?:\.\d*)?[eE][-+]?\d+")

    def due() -> float | None:
        elapsed = time.monotonic() - start
        if elapsed - last[0] < interval:
            return None
        last[0] = elapsed
        return elapsed

    def mip(event) -> None:
        data = event.data_out
        if not (np.isfinite(data.mip_dual_bound) or np.isfinite(data.mip_primal_bound)) or (elapsed := due()) is None:
            return
        gap = f"{data.mip_gap:.2%}" if np.isfinite(data.mip_gap) else "none yet"
        log.info("HiGHS %.0f s: objective %s, bound %s, gap %s, %d nodes", elapsed, format_number(data.mip_primal_bound, 7),
                 format_number(data.mip_dual_bound, 7), gap, data.mip_node_count)

    def lp(event) -> None:
        match = iteration_line.match(str(event.message))
        if match and (elapsed := due()) is not None:
            rest = number.sub(lambda found: format_number(float(found.group(0)), 4), match.group(3))  # Pr: 12(3.4e+02) → Pr: 12(340)
            log.info("HiGHS %.0f s: iteration %s, objective %s, %s", elapsed, match.group(1), format_number(float(match.group(2)), 7), rest)

    if is_mip:
        highs.cbMipInterrupt.subscribe(mip)
    else:
        highs.cbLogging.subscribe(lp)


def _value_unused_variables(model: pyo.ConcreteModel) -> None:
    """Variables in no constraint or objective are not compiled; give them their lower bound (or 0)."""
    for var in model.component_data_objects(pyo.Var, active=True):
        if var.value is None:
            value = 0.0 if var.lb is None else max(0.0, var.lb)
            var.set_value(value if var.ub is None else min(value, var.ub), skip_validation=True)


#: HiGHS options measured fastest per problem class (``benchmarks/bench_solver_options.py``; the table, its
#: repeats and the machine load are in benchmarks/README.md, "HiGHS settings"). Applied when ``solver.tuned``
#: (the default) under ``solver.method`` and ``solver.options``, which win when the scenario sets them.
#: None of them changes what is solved: prices (duals) and objectives are the same (tested).
TUNED_OPTIONS: dict[str, dict[str, bool | int | float | str]] = {
    # single-zone LP: HiGHS' own choice (dual simplex, its edge-weight choice) was fastest; Devex, steepest
    # edge, other scaling and IPM were slower.
    "lp": {},
    # multi-zone LP (corridors): dual simplex with Devex pricing.
    "multi_zone_lp": {"solver": "simplex", "simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 1},
    # single-zone LP with a learned data-center schedule (a backlog chain): dual simplex with Devex pricing and
    # no presolve (benchmarks/README.md, "The data-center block's overhead"): HiGHS' own choice takes 1.5–2x the CPU.
    "datacenter_lp": {"solver": "simplex", "simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 1, "presolve": "off"},
    # MILP (integer unit commitment): HiGHS' own choice.
    "milp": {},
}


def problem_class(model: pyo.Block, is_mip: bool) -> str:
    """The key of :data:`TUNED_OPTIONS`: ``milp``, ``multi_zone_lp`` (a model with more than one zone),
    ``datacenter_lp`` (one zone, a data center with a learned schedule — a backlog —, minimising the costs) or ``lp``."""
    if is_mip:
        return "milp"
    zones = getattr(model, "ZONES", None)
    if zones is not None and len(zones) > 1:
        return "multi_zone_lp"
    # The tuned data-center options are measured on cost minimisation (model.total_cost); the headroom's
    # "largest new load" LP (total_cost deactivated) takes 108 s with them against 4 s with HiGHS' choice
    # (benchmarks/bench_datacenter_lp_options.py).
    datacenter = getattr(model, "datacenter", None)
    cost = getattr(model, "total_cost", None)
    if datacenter is not None and cost is not None and cost.active and any(hasattr(datacenter[d], "backlog") for d in model.DATACENTERS):
        return "datacenter_lp"
    return "lp"


def highs_options(options: Solver, problem: str = "lp") -> dict[str, bool | int | float | str]:
    """The HiGHS options a solve sets from the scenario's ``solver:`` section, by HiGHS name (the log settings
    apart): time limit, MIP gap, threads, method, presolve, the tuned options of the ``problem`` class
    (:data:`TUNED_OPTIONS`, unless ``solver.tuned`` is false; their ``solver`` only when the scenario leaves
    ``solver.method`` at its default), then ``solver.options``, which win. The PyPSA comparison
    (``benchmarks/pypsa_equivalent.py``) hands the same dictionary to linopy."""
    chosen: dict[str, bool | int | float | str] = {
        "time_limit": float(options.time_limit_s), "mip_rel_gap": float(options.mip_gap), "threads": int(options.threads),
        "solver": options.method, "presolve": "on" if options.presolve else "off"}
    if options.tuned:
        tuned = dict(TUNED_OPTIONS[problem])
        if "method" in options.model_fields_set:
            tuned = {name: value for name, value in tuned.items() if name not in ("solver", "simplex_strategy")}
        if "presolve" in options.model_fields_set:
            tuned.pop("presolve", None)
        chosen.update(tuned)
    chosen.update(options.options)
    return chosen


def _set_options(highs: highspy.Highs, options: Solver, log_file: Path | None, verbose: bool, problem: str = "lp") -> None:
    highs.setOptionValue("output_flag", bool(verbose or log_file))
    highs.setOptionValue("log_to_console", bool(verbose))
    if log_file is not None:
        highs.setOptionValue("log_file", str(log_file))
    problems = []
    for name, value in highs_options(options, problem).items():
        if highs.setOptionValue(name, value) == highspy.HighsStatus.kError:
            problems.append(f"solver.options.{name}: HiGHS does not accept {value!r} for this option (see the HiGHS option list)")
    if problems:
        raise ScenarioError(problems, title="invalid solver options")
