"""The direct standard-form compiler (planning.optimization.translate) against Pyomo's own
``LinearStandardFormCompiler`` (the independent method) and a hand-written matrix.

Hand case (3 variables x, y, z ≥ 0; z fixed at 2; e = 2x + 3 a named expression):

    objective  min  x + 4y + 5e          → c = (1+10, 4) for (x, y), offset 15
    r1   x + y == 4                      → row  =  4:  [1, 1]
    r2   2·e ≤ y   (both sides variable)  → row ≤ −6: [4, −1]   (2·(2x + 3) − y ≤ 0)
    r3   1 ≤ x − (−y) / 2                → row ≥  1: [1, 0.5]
    r4   0 ≤ x + z ≤ 10 (ranged)          → row ≤  8 then row ≥ −2: [1, 0] each
    r5   0·y + x ≥ 0                      → row ≥  0: [1, 0]
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from planning.optimization.translate import compile_standard_form, pyomo_standard_form
from tests.conftest import REPO


def hand_model() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.y = pyo.Var(bounds=(0, None))
    m.z = pyo.Var(bounds=(0, None))
    m.z.fix(2.0)
    m.e = pyo.Expression(expr=2 * m.x + 3)
    m.total = pyo.Objective(expr=m.x + 4 * m.y + 5 * m.e)
    m.r1 = pyo.Constraint(expr=m.x + m.y == 4)
    m.r2 = pyo.Constraint(expr=2 * m.e <= m.y)
    m.r3 = pyo.Constraint(expr=1 <= m.x - (-m.y) / 2)
    m.r4 = pyo.Constraint(expr=pyo.inequality(0, m.x + m.z, 10))
    m.r5 = pyo.Constraint(expr=0 * m.y + m.x >= 0)
    return m


def assert_same_form(fast, reference) -> None:
    """Bit for bit: the same columns, rows, matrix, costs, constant and right-hand sides."""
    assert [id(v) for v in fast.columns] == [id(v) for v in reference.columns]
    assert [(id(con), sense) for con, sense in fast.rows] == [(id(con), sense) for con, sense in reference.rows]
    B = reference.A.tocsc()
    B.sort_indices()
    assert fast.A.shape == B.shape
    np.testing.assert_array_equal(fast.A.indptr, B.indptr)
    np.testing.assert_array_equal(fast.A.indices, B.indices)
    np.testing.assert_array_equal(fast.A.data, B.data)
    np.testing.assert_array_equal(fast.c, reference.c)
    assert fast.offset == reference.offset
    np.testing.assert_array_equal(fast.rhs, reference.rhs)


def test_hand_model_matches_the_hand_matrix_and_pyomo():
    m = hand_model()
    form = compile_standard_form(m)
    assert form.compiler == "fast"
    assert [v.name for v in form.columns] == ["x", "y"]
    assert [(con.name, sense) for con, sense in form.rows] == [("r1", 0), ("r2", 1), ("r3", -1), ("r4", 1), ("r4", -1), ("r5", -1)]
    np.testing.assert_array_equal(form.A.toarray(), [[1, 1], [4, -1], [1, 0.5], [1, 0], [1, 0], [1, 0]])
    np.testing.assert_array_equal(form.rhs, [4, -6, 1, 8, -2, 0])
    np.testing.assert_array_equal(form.c, [11, 4])
    assert form.offset == 15
    assert_same_form(form, pyomo_standard_form(m))


def test_a_maximised_objective_is_negated_as_pyomo_does():
    """HiGHS gets a minimisation: max x + 4y + 5e becomes min −(x + 4y + 5e): c = (−11, −4), offset −15
    (Pyomo's compiler maps every objective to minimise; headroom maximises the new load)."""
    m = hand_model()
    m.total.sense = pyo.maximize
    form = compile_standard_form(m)
    assert form.compiler == "fast"
    np.testing.assert_array_equal(form.c, [-11, -4])
    assert form.offset == -15
    assert_same_form(form, pyomo_standard_form(m))


def test_a_node_the_walk_does_not_read_goes_to_pyomo_with_the_same_result():
    """x**p with a mutable parameter p = 1 is linear for Pyomo's compiler but not a node type of the
    direct walk: the whole model is compiled by Pyomo, and says so."""
    m = hand_model()
    m.p = pyo.Param(initialize=1, mutable=True)
    m.r6 = pyo.Constraint(expr=m.x**m.p + m.y <= 7)
    form = compile_standard_form(m)
    assert form.compiler.startswith("pyomo") and "PowExpression" in form.compiler
    assert [(con.name, sense) for con, sense in form.rows][-1] == ("r6", 1)
    np.testing.assert_array_equal(form.A.toarray()[-1], [1, 1])
    assert form.rhs[-1] == 7


def test_a_nonlinear_model_gets_pyomos_error():
    m = hand_model()
    m.r6 = pyo.Constraint(expr=m.x * m.y <= 7)
    with pytest.raises(Exception, match="nonlinear"):
        compile_standard_form(m)


def test_an_infeasible_constant_constraint_gets_pyomos_error():
    m = hand_model()
    m.r6 = pyo.Constraint(expr=m.z >= 3)  # z is fixed at 2
    with pytest.raises(Exception, match="trivially infeasible"):
        compile_standard_form(m)


SCENARIOS = [
    ("isone_2030.yaml", ["horizon.hours=168"]),  # single zone, storage, retirement
    ("isone_two_zones.yaml", []),  # corridors
    ("isone_datacenter_week.yaml", ["horizon.hours=168"]),  # integer commitment, reserves, planning margin, learned campus
    ("isone_stress_week.yaml", []),  # stress events
    ("isone_2030.yaml", ["horizon.hours=672", "horizon.representative_periods.periods=4"]),  # representative periods
]


@pytest.mark.parametrize("name, sets", SCENARIOS, ids=[f"{n}{'+' if s else ''}{','.join(s)}" for n, s in SCENARIOS])
def test_every_shipped_scenario_compiles_as_pyomo_compiles_it(name, sets):
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model

    model = build_model(load_inputs(load_scenario(REPO / "scenarios" / name, sets))).model
    form = compile_standard_form(model)
    assert form.compiler == "fast"
    assert_same_form(form, pyomo_standard_form(model))


def test_elastic_model_compiles_as_pyomo_compiles_it(tmp_path):
    """The diagnosis model (penalised slacks on the balance and the CO2 cap)."""
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model

    scenario = load_scenario(REPO / "scenarios" / "isone_week.yaml", ["horizon.hours=48", "horizon.storage_cycle=day", "policy.co2_cap_t=1000"])
    model = build_model(load_inputs(scenario), elastic=True).model
    form = compile_standard_form(model)
    assert form.compiler == "fast"
    assert_same_form(form, pyomo_standard_form(model))
