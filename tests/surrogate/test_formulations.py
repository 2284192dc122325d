"""Formulation exactness: fix x, maximise y, compare with the curve's own predict (OMLT-style)."""

import numpy as np
import pyomo.environ as pyo
import pytest

from planning.surrogate.estimators import PiecewiseLinearCurve
from planning.surrogate.formulations import (
    SurrogateFormulationError,
    add_concave_pwl_cuts,
    add_pwl_incremental_binary,
)

# Hand-made curves (per unit): concave, and non-concave (S-shaped: convex then concave).
CONCAVE = PiecewiseLinearCurve.from_breakpoints([0.25, 0.5, 0.75, 1.0], [0.2, 0.65, 0.9, 1.0])
S_SHAPED = PiecewiseLinearCurve.from_breakpoints([0.2, 0.4, 0.6, 1.0], [0.1, 0.15, 0.7, 1.0])


def _solver():
    solver = pyo.SolverFactory("appsi_highs")
    if not solver.available(exception_flag=False):
        solver = pyo.SolverFactory("highs")
    return solver


def _points(curve, scale):
    bx = curve.breakpoints_x_
    inner = np.linspace(bx[0], bx[-1], 9)
    return np.unique(np.r_[bx, inner]) * scale


def _solve_indexed(curve, formulation, x_values, scale=1.0, **kwargs):
    model = pyo.ConcreteModel()
    model.TIME = pyo.RangeSet(0, len(x_values) - 1)
    model.x = pyo.Var(model.TIME)
    model.y = pyo.Var(model.TIME, bounds=(-1000, 1000))
    for t, value in enumerate(x_values):
        model.x[t].fix(float(value))
    formulation(model, model.x, model.y, curve, scale, **kwargs)
    model.objective = pyo.Objective(expr=sum(model.y[t] for t in model.TIME), sense=pyo.maximize)
    result = _solver().solve(model)
    assert pyo.check_optimal_termination(result)
    return np.array([pyo.value(model.y[t]) for t in model.TIME])


@pytest.mark.parametrize("formulation", [add_concave_pwl_cuts, add_pwl_incremental_binary])
@pytest.mark.parametrize("scale", [1.0, 37.5])
def test_concave_curve_is_exact_at_many_points(formulation, scale):
    x = _points(CONCAVE, scale)
    y = _solve_indexed(CONCAVE, formulation, x, scale)
    np.testing.assert_allclose(y, scale * CONCAVE.predict(x / scale), atol=1e-6)


def test_non_concave_curve_rejected_by_cuts():
    model = pyo.ConcreteModel()
    model.x, model.y = pyo.Var(), pyo.Var()
    with pytest.raises(SurrogateFormulationError, match="not concave"):
        add_concave_pwl_cuts(model, model.x, model.y, S_SHAPED)


def test_non_concave_curve_exact_with_binaries():
    x = _points(S_SHAPED, 1.0)
    y = _solve_indexed(S_SHAPED, add_pwl_incremental_binary, x)
    np.testing.assert_allclose(y, S_SHAPED.predict(x), atol=1e-6)
    # Hand check: midpoint of the steep segment 0.4..0.6 -> (0.15 + 0.7) / 2.
    assert S_SHAPED.predict([0.5])[0] == pytest.approx(0.425)


def test_convex_epigraph_minimises_to_curve():
    convex = PiecewiseLinearCurve.from_breakpoints([0.0, 0.5, 1.0], [0.0, 0.1, 1.0])
    model = pyo.ConcreteModel()
    model.x, model.y = pyo.Var(), pyo.Var(bounds=(-5, 5))
    model.x.fix(0.75)
    add_concave_pwl_cuts(model, model.x, model.y, convex, hull="epigraph")
    model.objective = pyo.Objective(expr=model.y, sense=pyo.minimize)
    assert pyo.check_optimal_termination(_solver().solve(model))
    assert pyo.value(model.y) == pytest.approx(0.55, abs=1e-6)


@pytest.mark.parametrize("formulation", [add_concave_pwl_cuts, add_pwl_incremental_binary])
def test_variable_scale_capacity(formulation):
    """Capacity N is a variable fixed by a constraint; y = N f(x/N) still holds; x held in range."""
    curve = CONCAVE if formulation is add_concave_pwl_cuts else S_SHAPED
    for capacity in (0.0, 20.0, 80.0):
        for share in (curve.breakpoints_x_[0], 0.5, 0.6, curve.breakpoints_x_[-1]):
            model = pyo.ConcreteModel()
            model.capacity_mw = pyo.Var(bounds=(0, 100))
            model.capacity_mw.fix(capacity)
            model.x, model.y = pyo.Var(), pyo.Var(bounds=(-500, 500))
            model.x.fix(share * capacity)
            formulation(model, model.x, model.y, curve, model.capacity_mw)
            model.objective = pyo.Objective(expr=model.y, sense=pyo.maximize)
            assert pyo.check_optimal_termination(_solver().solve(model))
            assert pyo.value(model.y) == pytest.approx(capacity * curve.predict([share])[0], abs=1e-6)


@pytest.mark.parametrize("formulation", [add_concave_pwl_cuts, add_pwl_incremental_binary])
def test_input_outside_fitted_range_is_infeasible(formulation):
    model = pyo.ConcreteModel()
    model.x, model.y = pyo.Var(), pyo.Var(bounds=(-5, 5))
    model.x.fix(0.1 * 10.0)  # below P_min = 0.25 per unit of N = 10
    formulation(model, model.x, model.y, CONCAVE, 10.0)
    model.objective = pyo.Objective(expr=model.y, sense=pyo.maximize)
    result = _solver().solve(model, load_solutions=False)
    assert not pyo.check_optimal_termination(result)
    assert "infeasible" in str(result.solver.termination_condition).lower()


def test_variable_scale_without_bound_is_rejected():
    model = pyo.ConcreteModel()
    model.capacity_mw = pyo.Var(within=pyo.NonNegativeReals)
    model.x, model.y = pyo.Var(), pyo.Var()
    with pytest.raises(SurrogateFormulationError, match="upper bound"):
        add_pwl_incremental_binary(model, model.x, model.y, S_SHAPED, model.capacity_mw)
