"""Compile a linear Pyomo model to standard form for HiGHS: the same matrix as Pyomo's
``LinearStandardFormCompiler``, in a fraction of its time.

What it produces (mixed form, as ``LinearStandardFormCompiler().write(model, mixed_form=True)``)
--------------------------------------------------------------------------------------------
min c·x + offset   s.t.   A x (sense) rhs,   x in the columns' bounds   (a maximised objective is negated)

* ``columns``: the Pyomo variables in HiGHS order — the variables of each Var component, in the
  component's index order, components in the order the objective and then the constraints first
  mention them; variables with no nonzero in ``A`` or ``c`` and fixed variables are left out
  (fixed variables are constants);
* ``rows``: ``(constraint, sense)`` in the model's constraint order, sense 0 for ``=``, 1 for
  ``≤ rhs``, −1 for ``≥ rhs``; a ranged constraint gives a ≤ row and then a ≥ row; a constraint
  with both sides variable, ``lhs ≤ rhs``, is compiled as ``lhs − rhs ≤ 0`` (so its dual is with
  respect to that form), one with a constant side keeps the constant as its bound;
* ``A`` (rows × columns, CSC, canonical: sorted indices, no zeros), ``c`` (per column), the
  objective's constant ``offset`` and ``rhs`` (per row, the constraint's constants moved over).

Why not Pyomo's compiler
------------------------
``LinearStandardFormCompiler`` walks every expression with Pyomo's general visitor (about ten Python
calls per node) and first rebuilds every two-sided constraint as a new ``lhs − rhs`` expression.
Here a direct walk reads the expression node types that linear models are made of — variables,
monomials, linear and general sums, negation, products and quotients by constants, named
expressions (walked once and cached) and constant sub-expressions — with one call per node, both
sides of a constraint walked in place. Coefficients and their summation order are Pyomo's, so the
matrix, costs and right-hand sides are Pyomo's to the last bit on every shipped scenario (tested);
in other models a right-hand side may differ by a rounding (1e-16 relative) where constants are
summed in another order (3.6e-12 on about a dozen rows of some test models). Any other
node type (a nonlinear term, a product of variables, an external function, a component the compiler
does not know) hands the whole model to ``LinearStandardFormCompiler``, which then gives Pyomo's own
answer or error. ``benchmarks/bench_translation.py`` measures both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types, native_types
from pyomo.core.expr.numeric_expr import (
    DivisionExpression,
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression
from pyomo.repn.util import FileDeterminism, FileDeterminism_to_SortComponents

from planning.logging import get_logger

#: Component types a linear model may hold (those ``LinearStandardFormCompiler`` accepts, less
#: ports and external functions, which go to Pyomo's compiler).
_VALID = {pyo.Block, pyo.Constraint, pyo.Var, pyo.Param, pyo.Expression, pyo.Set, pyo.RangeSet, pyo.Objective, pyo.Suffix}


@dataclass
class StandardForm:
    """A linear model in mixed standard form (see the module docstring)."""

    columns: list
    rows: list
    A: object  # scipy.sparse csc (rows × columns)
    c: np.ndarray
    offset: float
    rhs: np.ndarray
    #: "fast" (this module's walk) or "pyomo" (``LinearStandardFormCompiler``) and, for the latter, why.
    compiler: str = "fast"


class _Unsupported(Exception):
    """A node or component the direct walk does not read: the model goes to Pyomo's compiler."""


def compile_standard_form(model: pyo.Block) -> StandardForm:
    """``model`` in mixed standard form, by the direct walk, or by Pyomo's compiler when the model
    holds anything the walk does not read (then ``compiler`` says why)."""
    try:
        return _Compiler(model).compile()
    except _Unsupported as reason:
        get_logger("solve").debug("standard form by Pyomo's compiler: %s", reason)
        return pyomo_standard_form(model, reason=str(reason))


def pyomo_standard_form(model: pyo.Block, reason: str = "requested") -> StandardForm:
    """``model`` in mixed standard form by Pyomo's ``LinearStandardFormCompiler`` (the reference)."""
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    compiled = LinearStandardFormCompiler().write(model, mixed_form=True)
    n_cols = len(compiled.columns)
    c = np.asarray(compiled.c.toarray()).ravel() if n_cols else np.zeros(0)
    offset = float(compiled.c_offset[0]) if len(compiled.c_offset) else 0.0
    return StandardForm(list(compiled.columns), [tuple(r) for r in compiled.rows], compiled.A.tocsc(), c, offset,
                        np.asarray(compiled.rhs, dtype=float), compiler=f"pyomo ({reason})")


class _Compiler:
    def __init__(self, model: pyo.Block) -> None:
        self.model = model
        self.sorter = FileDeterminism_to_SortComponents(FileDeterminism.ORDERED)
        self.order: dict[int, int] = {}  # id(variable) → column before unused columns are dropped
        self.free: dict[int, int] = {}  # the same for the variables that are not fixed (the hot lookup)
        self.variables: list = []
        self.recorded: set[int] = set()  # id(Var component)
        self.named: dict[int, tuple[float, dict]] = {}  # id(named expression) → (constant, linear)
        self.handlers: dict[type, object] = {}

    # ----------------------------------------------------------------------------- columns ---
    def record(self, var) -> None:
        """Give every variable of ``var``'s component a column (Pyomo's order: whole components,
        in the order they are first met)."""
        component = var.parent_component()
        members = [var] if id(component) in self.recorded else component.values(self.sorter)  # [var]: e.g. a Reference's data
        self.recorded.add(id(component))
        order, free, variables = self.order, self.free, self.variables
        for v in members:
            if id(v) not in order:
                order[id(v)] = len(variables)
                if not v.fixed:
                    free[id(v)] = len(variables)
                variables.append(v)

    # -------------------------------------------------------------------------------- walk ---
    def handler(self, cls, node):
        """The walk function for node class ``cls`` (decided once per class)."""
        if cls in native_numeric_types:
            found = _constant_native
        elif cls in native_types:
            raise _Unsupported(f"a {cls.__name__} value in an expression")
        elif node.is_variable_type():
            found = _variable
        elif node.is_named_expression_type():
            found = _named
        elif not node.is_potentially_variable():
            found = _constant
        elif issubclass(cls, MonomialTermExpression):
            found = _monomial
        elif issubclass(cls, (LinearExpression, SumExpression)):
            found = _sum
        elif issubclass(cls, NegationExpression):
            found = _negation
        elif issubclass(cls, ProductExpression):
            found = _product
        elif issubclass(cls, DivisionExpression):
            found = _division
        else:
            raise _Unsupported(f"expression node {cls.__name__}")
        self.handlers[cls] = found
        return found

    def walk(self, node, mult: float, linear: dict) -> float:
        """Add ``mult`` × the linear part of ``node`` to ``linear`` (column → coefficient);
        return ``mult`` × its constant."""
        cls = node.__class__
        function = self.handlers.get(cls) or self.handler(cls, node)
        return function(self, node, mult, linear)

    # ------------------------------------------------------------------------------ compile ---
    def compile(self) -> StandardForm:
        import scipy.sparse as sp

        model, sorter = self.model, self.sorter
        for component in model.component_objects(active=True, descend_into=True, sort=sorter):
            if component.ctype not in _VALID:
                raise _Unsupported(f"component {component.name} of type {component.ctype.__name__}")
        objectives = list(model.component_data_objects(pyo.Objective, active=True, sort=sorter))
        if len(objectives) != 1:
            raise _Unsupported(f"{len(objectives)} active objectives")
        objective_linear: dict = {}
        # HiGHS gets a minimisation: a maximised objective is negated, as Pyomo's compiler does (set_sense=minimize).
        sign = -1 if objectives[0].sense == pyo.maximize else 1
        offset = self.walk(objectives[0].expr, sign, objective_linear)

        rows, rhs, indptr = [], [], [0]
        row_cols: list = []  # the columns of every row, row after row
        row_coefs: list = []
        walk = self.walk
        for con in model.component_data_objects(pyo.Constraint, active=True, sort=sorter):
            expr = con.expr
            cls = expr.__class__
            linear: dict = {}
            if cls is EqualityExpression or cls is InequalityExpression:
                lhs, rhs_node = expr._args_
                if rhs_node.__class__ in native_types or not rhs_node.is_potentially_variable():
                    upper = rhs_node
                    lower = rhs_node if cls is EqualityExpression else None
                    constant = walk(lhs, 1, linear)
                elif lhs.__class__ in native_types or not lhs.is_potentially_variable():
                    lower = lhs
                    upper = lhs if cls is EqualityExpression else None
                    constant = walk(rhs_node, 1, linear)
                else:
                    lower = 0 if cls is EqualityExpression else None
                    upper = 0
                    constant = walk(lhs, 1, linear)
                    constant += walk(rhs_node, -1, linear)
            elif cls is RangedExpression:
                lower, body, upper = expr._args_
                for bound in (lower, upper):
                    if bound.__class__ not in native_types and bound.is_potentially_variable() and not bound.is_fixed():
                        raise _Unsupported(f"constraint {con.name}: a ranged inequality with a variable bound")
                constant = walk(body, 1, linear)
            elif expr is None:
                continue
            else:
                raise _Unsupported(f"constraint {con.name}: {cls.__name__}")
            if lower.__class__ not in native_types:
                lower = pyo.value(lower)
            if upper.__class__ not in native_types:
                upper = pyo.value(upper)
            if lower is None and upper is None:
                continue
            if linear and not all(linear.values()):
                linear = {k: v for k, v in linear.items() if v}
            if not linear:
                if (lower is None or lower <= constant) and (upper is None or upper >= constant):
                    continue
                raise _Unsupported(f"constraint {con.name} is constant and infeasible")
            if lower == upper:
                senses = ((0, upper),)
            elif lower is None:
                senses = ((1, upper),)
            elif upper is None:
                senses = ((-1, lower),)
            else:
                senses = ((1, upper), (-1, lower))
            for sense, bound in senses:
                rows.append((con, sense))
                rhs.append(bound - constant)
                row_cols.extend(linear)
                row_coefs.extend(linear.values())
                indptr.append(len(row_cols))

        n_all = len(self.variables)
        indices = np.fromiter(row_cols, dtype=np.int64, count=len(row_cols))
        A = sp.csr_array((np.asarray(row_coefs, dtype=float), indices, np.asarray(indptr, dtype=np.int64)), shape=(len(rows), n_all)).tocsc()
        A.sum_duplicates()
        A.eliminate_zeros()
        c_all = np.zeros(n_all)
        if objective_linear:
            ids = np.fromiter(objective_linear, dtype=np.int64, count=len(objective_linear))
            c_all[ids] = np.fromiter(objective_linear.values(), dtype=float, count=len(objective_linear))
        used = (np.diff(A.indptr) > 0) | (c_all != 0)
        keep = np.flatnonzero(used)
        if len(keep) < n_all:
            A = A[:, keep]
        columns = [self.variables[j] for j in keep]
        A = sp.csc_array(A)
        A.indices = A.indices.astype(np.int32, copy=False)
        A.indptr = A.indptr.astype(np.int32, copy=False)
        return StandardForm(columns, rows, A, c_all[keep], float(offset), np.asarray(rhs, dtype=float))


# ------------------------------------------------------------------------------- node walks ---
# Each: (compiler, node, mult, linear) → mult × constant of node, its linear part added to ``linear``.

def _constant_native(compiler, node, mult, linear):
    return mult * node


def _constant(compiler, node, mult, linear):
    value = pyo.value(node)
    if value.__class__ not in native_numeric_types:
        raise _Unsupported(f"a constant of type {value.__class__.__name__}")
    return mult * value


def _add_variable(compiler, var, coef, linear):
    """``coef`` × ``var``: a column, or a constant if ``var`` is fixed (Pyomo's rule: a zero
    coefficient still gives the variable's component its columns)."""
    col = compiler.free.get(id(var))
    if col is None:
        if var.fixed:
            if var.value is None:
                raise _Unsupported(f"fixed variable {var.name} without a value")
            return coef * var.value
        compiler.record(var)
        col = compiler.free[id(var)]
    if col in linear:
        linear[col] += coef
    elif coef:
        linear[col] = coef
    return 0


def _variable(compiler, node, mult, linear):
    return _add_variable(compiler, node, mult, linear)


def _monomial(compiler, node, mult, linear):
    coef, var = node._args_
    if coef.__class__ not in native_numeric_types:
        coef = _constant(compiler, coef, 1, linear)
    return _add_variable(compiler, var, coef if mult == 1 else mult * coef, linear)


def _sum(compiler, node, mult, linear):
    if mult != 1:
        # Pyomo sums the terms first and scales the sum after (a multiplier on the sum's result):
        # do the same, so that nested products round as in Pyomo.
        own: dict = {}
        constant = _sum(compiler, node, 1, own)
        for col, coef in own.items():
            if col in linear:
                linear[col] += mult * coef
            else:
                linear[col] = mult * coef
        return mult * constant
    constant = 0
    handlers, free = compiler.handlers, compiler.free
    for arg in node.args:
        cls = arg.__class__
        if cls is MonomialTermExpression:
            coef, var = arg._args_
            if coef.__class__ not in native_numeric_types:
                coef = _constant(compiler, coef, 1, linear)
            col = free.get(id(var))
            if col is None:
                constant += _add_variable(compiler, var, coef, linear)
            elif col in linear:
                linear[col] += coef
            elif coef:
                linear[col] = coef
        elif cls in native_numeric_types:
            constant += arg
        else:
            function = handlers.get(cls) or compiler.handler(cls, arg)
            if function is _variable:
                col = free.get(id(arg))
                if col is None:
                    constant += _add_variable(compiler, arg, 1, linear)
                elif col in linear:
                    linear[col] += 1
                else:
                    linear[col] = 1
            else:
                constant += function(compiler, arg, 1, linear)
    return constant


def _negation(compiler, node, mult, linear):
    return compiler.walk(node.args[0], -mult, linear)


def _is_constant(node) -> bool:
    return node.__class__ in native_types or not node.is_potentially_variable()


def _product(compiler, node, mult, linear):
    a, b = node.args
    if _is_constant(a):
        factor, other = a, b
    elif _is_constant(b):
        factor, other = b, a
    else:
        raise _Unsupported("a product of two variable expressions")
    factor = _constant(compiler, factor, 1, linear) if factor.__class__ not in native_numeric_types else factor
    if not factor:  # Pyomo drops the term, though its variables' components still get their columns
        compiler.walk(other, 1, {})
        return 0
    return compiler.walk(other, mult * factor, linear)


def _division(compiler, node, mult, linear):
    a, b = node.args
    if not _is_constant(b):
        raise _Unsupported("a division by a variable expression")
    divisor = _constant(compiler, b, 1, linear) if b.__class__ not in native_numeric_types else b
    return compiler.walk(a, mult / divisor, linear)


def _named(compiler, node, mult, linear):
    cached = compiler.named.get(id(node))
    if cached is None:
        own: dict = {}
        constant = compiler.walk(node.expr, 1, own)
        cached = compiler.named[id(node)] = (constant, own)
    constant, own = cached
    if mult == 1:
        for col, coef in own.items():
            if col in linear:
                linear[col] += coef
            else:
                linear[col] = coef
        return constant
    for col, coef in own.items():
        if col in linear:
            linear[col] += mult * coef
        else:
            linear[col] = mult * coef
    return mult * constant
