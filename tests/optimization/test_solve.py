"""solve_model on a MILP: primal values, prices and objective from one solve (the fixed-integer LP).

Hand case: two hours, demand 5 and 7 MW; a unit with on/off flag u_t (3 $ when on, 0–10 MW at
1 $/MWh) and two identical dear plants a, b (0–10 MW at 10 $/MWh each: the LP of the dear
dispatch is degenerate, any split of the dear MW is optimal). Optimum: u = 1 both hours, the
unit serves everything: 3 + 5 + 3 + 7 = 18 $; with u fixed the balance prices are 1 $/MWh.
Forcing u_1 = 0 (bound) makes hour 1 dear: 3 + 5 + 70 = 78 $, price 10 $/MWh in hour 1.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from planning.config.solver import Solver
from planning.optimization.solve import solve_model


def tiny_milp(off_in_hour_1: bool = False) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    T, demand = [0, 1], [5.0, 7.0]
    m.on = pyo.Var(T, domain=pyo.Binary, bounds=lambda m, t: (0, 0 if off_in_hour_1 and t == 1 else 1))
    m.unit_mw = pyo.Var(T, bounds=(0, 10))
    m.dear_a_mw = pyo.Var(T, bounds=(0, 10))
    m.dear_b_mw = pyo.Var(T, bounds=(0, 10))
    m.capacity = pyo.Constraint(T, rule=lambda m, t: m.unit_mw[t] <= 10 * m.on[t])
    m.balance = pyo.Constraint(T, rule=lambda m, t: m.unit_mw[t] + m.dear_a_mw[t] + m.dear_b_mw[t] == demand[t])
    m.cost = pyo.Objective(expr=sum(3 * m.on[t] + m.unit_mw[t] + 10 * (m.dear_a_mw[t] + m.dear_b_mw[t]) for t in T))
    return m


@pytest.mark.parametrize("off, objective, prices", [(False, 18.0, [1.0, 1.0]), (True, 78.0, [1.0, 10.0])])
def test_milp_values_prices_and_objective_come_from_the_fixed_integer_lp(off, objective, prices):
    m = tiny_milp(off)
    solved = solve_model(m, Solver(threads=1))
    assert solved.is_mip and solved.duals_from == "fixed-integer LP re-solve"
    assert solved.objective == pytest.approx(objective, abs=1e-9)
    np.testing.assert_allclose([solved.dual(m.balance[t]) for t in (0, 1)], prices, atol=1e-9)
    # The loaded point is the LP's (the one whose duals are reported), and it costs the reported objective.
    lp_point = np.asarray(solved.highs.getSolution().col_value)
    np.testing.assert_allclose([v.value for v in solved.columns], lp_point, atol=0.0)
    assert pyo.value(m.cost) == pytest.approx(solved.objective, abs=1e-9)
    # Complementary slackness of the loaded point with the reported duals (checked on the model, not by HiGHS).
    for t in (0, 1):
        slack = 10 * m.on[t].value - m.unit_mw[t].value
        assert solved.dual(m.capacity[t]) * slack == pytest.approx(0.0, abs=1e-9)
        reduced = 1.0 - solved.dual(m.balance[t]) - solved.dual(m.capacity[t])
        if 1e-9 < m.unit_mw[t].value < 10 - 1e-9:
            assert reduced == pytest.approx(0.0, abs=1e-9)
    assert solved.dual_bound <= solved.objective + 1e-9 and solved.mip_gap >= 0.0


def test_run_records_the_dual_bound_of_the_milp(tmp_path):
    """run.json: objective and dual bound of the MILP (valley case of test_commitment: min up 5 h → 4500 $)."""
    import json

    from planning.config import validate_scenario
    from planning.workflows.run import run_scenario
    from tests.optimization.test_commitment import valley_case

    raw = valley_case(tmp_path, min_up_hours=5)
    raw["carbon"] = {"technology_rows": {"base": "ccgt", "pv": "utility_pv"}}
    outcome = run_scenario(validate_scenario(raw), tmp_path / "run")
    record = json.loads((tmp_path / "run" / "run.json").read_text())["solver"]
    assert record["objective"] == pytest.approx(4500.0, rel=1e-9)
    assert record["dual_bound"] <= record["objective"] + 1e-9 and record["dual_bound"] >= 4500.0 * (1 - 1e-3)  # solver.mip_gap 0.1 %
    assert record["prices_from"] == "fixed-integer LP re-solve" and outcome.solved.is_mip


# ------------------------------------------------------------------ HiGHS options per problem class ---

def test_highs_options_per_problem_class_with_the_scenarios_own_options_winning():
    from planning.optimization.solve import TUNED_OPTIONS, highs_options

    fixed = {"time_limit": 600.0, "mip_rel_gap": 0.001, "threads": 1, "solver": "choose", "presolve": "on"}
    for problem, tuned in TUNED_OPTIONS.items():
        assert highs_options(Solver(), problem) == {**fixed, **tuned}
        assert highs_options(Solver(tuned=False), problem) == fixed
    multi = TUNED_OPTIONS["multi_zone_lp"]
    assert multi["simplex_dual_edge_weight_strategy"] == 1  # Devex (benchmarks/README.md, "HiGHS settings")
    # an explicit method keeps the scenario's algorithm; solver.options override a tuned option of the same name
    options = highs_options(Solver(method="ipm", options={"simplex_dual_edge_weight_strategy": 2}), "multi_zone_lp")
    assert options["solver"] == "ipm" and options["simplex_dual_edge_weight_strategy"] == 2 and "simplex_strategy" not in options
    # the data-center LP's tuned presolve off gives way to a scenario that sets solver.presolve
    assert highs_options(Solver(), "datacenter_lp")["presolve"] == "off"
    assert highs_options(Solver(presolve=True), "datacenter_lp")["presolve"] == "on"


def test_problem_class_of_built_models():
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.solve import problem_class
    from tests.conftest import REPO

    one = build_model(load_inputs(load_scenario(REPO / "scenarios" / "isone_2030.yaml", ["horizon.hours=24", "horizon.storage_cycle=day"]))).model
    two = build_model(load_inputs(load_scenario(REPO / "scenarios" / "isone_two_zones.yaml", ["horizon.hours=24", "horizon.storage_cycle=day"]))).model
    assert (problem_class(one, False), problem_class(two, False), problem_class(one, True)) == ("lp", "multi_zone_lp", "milp")
    # one zone with a learned campus (a backlog); the same campus as a fixed load is a plain LP
    campus = REPO / "scenarios" / "isone_datacenter_2030.yaml"
    learned = build_model(load_inputs(load_scenario(campus, ["horizon.hours=24", "horizon.storage_cycle=day"]))).model
    fixed = build_model(load_inputs(load_scenario(campus, ["horizon.hours=24", "horizon.storage_cycle=day",
                                                          "datacenters.campus.flexibility=inflexible"]))).model
    assert (problem_class(learned, False), problem_class(fixed, False)) == ("datacenter_lp", "lp")
    learned.total_cost.deactivate()        # another objective (the headroom's largest new load): not measured for it
    learned.other = pyo.Objective(expr=learned.datacenter["campus"].flexible_mw[0], sense=pyo.maximize)
    assert problem_class(learned, False) == "lp"


def test_tuned_options_change_neither_the_objective_nor_the_prices():
    """Two zones, 48 h: solved with the tuned multi-zone options (Devex dual simplex) and with HiGHS' defaults, the
    objective agrees to 1e-9 and every zonal price (balance dual / weight) to 1e-6 $/MWh."""
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from tests.conftest import REPO

    scenario = load_scenario(REPO / "scenarios" / "isone_two_zones.yaml", ["horizon.hours=48", "horizon.storage_cycle=day"])
    inputs = load_inputs(scenario)
    solved = {}
    for tuned in (True, False):
        built = build_model(inputs)
        result = solve_model(built.model, Solver(tuned=tuned, threads=1))
        assert result.optimal
        prices = np.array([[result.dual(built.model.balance[z, t]) / built.ctx.weight_h[t] for t in built.ctx.snapshots] for z in built.ctx.zones])
        solved[tuned] = (result.objective, prices)
    assert solved[True][0] == pytest.approx(solved[False][0], rel=1e-9)
    np.testing.assert_allclose(solved[True][1], solved[False][1], atol=1e-6)
