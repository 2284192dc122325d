"""The schedule tie-break (``schedule_tie_break_per_mwh``): among equal-cost schedules the campus runs
work as it arrives and moves only what saves money; the penalty is in the objective only, never in a
reported cost. Plus the rows the block no longer builds (cuts outside the operating range, ramp rows
the operating range already keeps)."""

from __future__ import annotations

import logging

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

from planning.config import load_scenario
from planning.config.solver import Solver
from planning.io.inputs import load_inputs
from planning.optimization.blocks import datacenter
from planning.optimization.build import build_model
from planning.optimization.context import ModelContext
from planning.optimization.solve import solve_model
from planning.surrogate.formulations import segments_meeting
from tests.conftest import REPO

YEAR = REPO / "scenarios" / "isone_datacenter_2030.yaml"
EPSILON = 0.01


def _inputs(arrived, delay_h: float, ramp_mw_per_h: float, epsilon: float) -> xr.Dataset:
    """One data center: flexible fleet 100 MW, throughput = power (x = y = [0, 1]), no baseline, PUE 1,
    operating range [0, 1], one chronological cycle over the horizon."""
    arrived = np.asarray(arrived, dtype=float)
    hours = len(arrived)
    return xr.Dataset(
        {
            "weight_h": ("snapshot", np.ones(hours)),
            "period": ("snapshot", np.zeros(hours, dtype=int)),
            "dc_zone": ("datacenter", np.array(["z"], dtype=object)),
            "dc_flexibility": ("datacenter", np.array(["learned"], dtype=object)),
            "dc_formulation": ("datacenter", np.array(["cuts"], dtype=object)),
            "dc_flexible_rating_mw": ("datacenter", [100.0]),
            "dc_max_delay_h": ("datacenter", [delay_h]),
            "dc_ramp_mw_per_h": ("datacenter", [ramp_mw_per_h]),
            "dc_schedule_tie_break_per_mwh": ("datacenter", [epsilon]),
            "dc_operating_min_per_unit": ("datacenter", [0.0]),
            "dc_operating_max_per_unit": ("datacenter", [1.0]),
            "dc_baseline_mw": (("datacenter", "snapshot"), np.zeros((1, hours))),
            "dc_observed_flexible_mw": (("datacenter", "snapshot"), arrived[None, :]),
            "dc_work_arrived": (("datacenter", "snapshot"), arrived[None, :]),
            "dc_pue": (("datacenter", "snapshot"), np.ones((1, hours))),
            "dc_curve_x": (("datacenter", "breakpoint"), [[0.0, 1.0]]),
            "dc_curve_y": (("datacenter", "breakpoint"), [[0.0, 1.0]]),
        },
        coords={"snapshot": np.arange(hours), "zone": ["z"], "datacenter": ["campus"], "breakpoint": [0, 1]},
    )


def _solve(inputs: xr.Dataset, price, fixed=None, tie_break: str = "lexicographic") -> tuple[float, float, np.ndarray]:
    """min Σ_t price_t × facility power_t + the block's tie-breaks (as build_model registers them:
    ``model.tie_break_cost``, ``model.tie_break_rows``), applied as ``solver.tie_break`` says → (objective, energy
    cost, flexible MW). ``lexicographic_full_pass_one``: lexicographic with the defining rows not registered, so
    that pass 1 solves the full LP (tie-break columns at zero cost) instead of the LP without them."""
    full_pass_one = tie_break == "lexicographic_full_pass_one"
    tie_break = "lexicographic" if full_pass_one else tie_break
    ctx = ModelContext(pyo.ConcreteModel(), inputs)
    datacenter.add(ctx)
    model = ctx.model
    model.energy_cost = pyo.Expression(expr=sum(price[t] * term for (zone, t), terms in ctx.withdrawals.items() for term in terms))
    tie_breaks = ctx.extras.get("tie_breaks", [])
    if tie_breaks:
        model.tie_break_cost = pyo.Expression(expr=pyo.quicksum(tie_breaks))
        if not full_pass_one:
            model.tie_break_rows = tuple(ctx.extras["tie_break_rows"])
    model.objective = pyo.Objective(expr=model.energy_cost + pyo.quicksum(tie_breaks))
    block = model.datacenter["campus"]
    for t, value in enumerate(fixed if fixed is not None else []):
        block.flexible_mw[t].fix(value)
    solved = solve_model(model, Solver(tie_break=tie_break))
    assert solved.optimal, solved.status
    assert solved.tie_break == (tie_break if tie_breaks else "")
    return solved.objective, pyo.value(model.energy_cost), np.array([block.flexible_mw[t].value for t in ctx.snapshots])


TIE_BREAK_MODES = ["lexicographic", "objective", "lexicographic_full_pass_one"]


# Six hours at a flat 10 $/MWh; 20, 30, 40, 40, 30, 20 MWh arrive; D = 2 (backlog_t ≤ A_t + A_{t−1}, cyclic);
# throughput = power, so every schedule that does the work costs 10 × 180 = 1800 $. As arrived (P = A) the schedule
# changes 4 times by 10 MW (TV 40 MW); 0, 50, 0, 80, 0, 50 is feasible too (backlogs 20, 0, 40, 0, 30, 0) and as cheap.
FLAT_ARRIVED = [20.0, 30.0, 40.0, 40.0, 30.0, 20.0]
FLAT_PRICE = np.full(6, 10.0)
OSCILLATING = [0.0, 50.0, 0.0, 80.0, 0.0, 50.0]


def _total_variation(flexible_mw: np.ndarray) -> float:
    return float(np.abs(np.diff(flexible_mw)).sum())


def test_without_tie_break_an_oscillating_schedule_is_as_cheap():
    objective, _, _ = _solve(_inputs(FLAT_ARRIVED, delay_h=2, ramp_mw_per_h=1e4, epsilon=0.0), FLAT_PRICE)
    assert objective == pytest.approx(1800.0, rel=1e-12)
    # On–off–on–off (TV 310 MW) is an optimum too: the LP may return it.
    fixed_objective, _, fixed = _solve(_inputs(FLAT_ARRIVED, 2, 1e4, 0.0), FLAT_PRICE, fixed=OSCILLATING)
    assert fixed_objective == pytest.approx(1800.0, rel=1e-12)
    assert _total_variation(fixed) == pytest.approx(310.0)


@pytest.mark.parametrize("mode", TIE_BREAK_MODES)
def test_tie_break_runs_work_as_it_arrives_when_prices_are_flat(mode):
    objective, energy_cost, flexible = _solve(_inputs(FLAT_ARRIVED, delay_h=2, ramp_mw_per_h=1e4, epsilon=EPSILON), FLAT_PRICE,
                                              tie_break=mode)
    np.testing.assert_allclose(flexible, FLAT_ARRIVED, atol=1e-6)
    assert _total_variation(flexible) == pytest.approx(40.0, abs=1e-6)
    assert int(np.sum(np.abs(np.diff(flexible)) > 1e-6)) == 4
    assert energy_cost == pytest.approx(1800.0, rel=1e-12)
    assert objective == pytest.approx(1800.0, rel=1e-12)       # nothing moved: no penalty


# Four hours; 50 MWh arrive at hours 1 and 3; D = 1 (backlog_t ≤ A_t: work is done in its hour or the next; hour 3's
# may wait into hour 0, cyclic); price 10, 10, 1, 10 $/MWh; fleet 100 MW. Hour 1's work moves to the cheap hour 2
# (50 $); hour 3's costs 500 $ whether x MWh of it wait into hour 0 or not. P = x, 0, 50, 50 − x, cost 550 $ for every
# x; moved off as-arrived (0, 50, 0, 50): x + 50 + 50 + x → the tie-break picks x = 0: 0, 0, 50, 50, objective 550 + 100·ε.
STEP_ARRIVED = [0.0, 50.0, 0.0, 50.0]
STEP_PRICE = np.array([10.0, 10.0, 1.0, 10.0])


@pytest.mark.parametrize("mode", TIE_BREAK_MODES)
def test_tie_break_moves_only_the_work_that_saves_money(mode):
    _, energy_cost, _ = _solve(_inputs(STEP_ARRIVED, delay_h=1, ramp_mw_per_h=1e4, epsilon=0.0), STEP_PRICE)
    assert energy_cost == pytest.approx(550.0, rel=1e-12)
    fixed_objective, _, _ = _solve(_inputs(STEP_ARRIVED, 1, 1e4, 0.0), STEP_PRICE, fixed=[50.0, 0.0, 50.0, 0.0])   # x = 50
    assert fixed_objective == pytest.approx(550.0, rel=1e-12)
    objective, energy_cost, flexible = _solve(_inputs(STEP_ARRIVED, delay_h=1, ramp_mw_per_h=1e4, epsilon=EPSILON), STEP_PRICE,
                                              tie_break=mode)
    np.testing.assert_allclose(flexible, [0, 0, 50, 50], atol=1e-6)
    assert energy_cost == pytest.approx(550.0, rel=1e-12)
    assert objective == pytest.approx(550.0 + EPSILON * 100.0, rel=1e-12)


def test_lexicographic_tie_break_never_trades_cost_for_smoothness():
    # STEP with ε = 100 $/MWh, above the 9 $/MWh the shift saves: as a penalty it keeps the work as arrived
    # (cost 1000 $: 500 + 500, objective = cost), lexicographically the cost is the optimum 550 $ whatever ε, and the
    # tie-break the least move at that cost (0, 0, 50, 50: 100 MWh moved, 100·100 $ of tie-break on top).
    inputs = _inputs(STEP_ARRIVED, delay_h=1, ramp_mw_per_h=1e4, epsilon=100.0)
    objective, energy_cost, flexible = _solve(inputs, STEP_PRICE, tie_break="objective")
    np.testing.assert_allclose(flexible, STEP_ARRIVED, atol=1e-6)
    assert (energy_cost, objective) == (pytest.approx(1000.0, rel=1e-12), pytest.approx(1000.0, rel=1e-12))
    objective, energy_cost, flexible = _solve(inputs, STEP_PRICE, tie_break="lexicographic")
    np.testing.assert_allclose(flexible, [0, 0, 50, 50], atol=1e-6)
    assert energy_cost == pytest.approx(550.0, rel=1e-12)
    assert objective == pytest.approx(550.0 + 100.0 * 100.0, rel=1e-12)


# Four hours, 100 MWh arrive at hour 0 and may wait 3 h; price 10, 10, 10, 1 $/MWh; ramp 40 MW/h.
# Energy cost = 10·100 − 9·P_3, so P_3 is as large as the ramp allows: P_3 ≤ P_2 + 40 ≤ P_1 + 80 with
# P_1 + P_2 + P_3 ≤ 100 → P = 0, 0, 30, 70, cost 300 + 70 = 370 $ (unique); moved off as-arrived 100 + 30 + 70 = 200 MWh.
RAMP_ARRIVED = [100.0, 0.0, 0.0, 0.0]
RAMP_PRICE = np.array([10.0, 10.0, 10.0, 1.0])


@pytest.mark.parametrize("mode", TIE_BREAK_MODES)
@pytest.mark.parametrize("epsilon", [0.0, EPSILON])
def test_ramp_limit_holds_with_and_without_tie_break(epsilon, mode):
    inputs = _inputs(RAMP_ARRIVED, delay_h=3, ramp_mw_per_h=40.0, epsilon=epsilon)
    objective, energy_cost, flexible = _solve(inputs, RAMP_PRICE, tie_break=mode)
    np.testing.assert_allclose(flexible, [0, 0, 30, 70], atol=1e-6)
    assert energy_cost == pytest.approx(370.0, rel=1e-12)
    assert objective == pytest.approx(370.0 + epsilon * 200.0, rel=1e-12)


def test_ramp_rows_the_operating_range_keeps_are_not_built():
    # A 100 MW fleet cannot change by more than 100 MW: a 100 MW/h ramp never binds (no rows), 99 MW/h can.
    def rows(ramp):
        ctx = ModelContext(pyo.ConcreteModel(), _inputs(RAMP_ARRIVED, 3, ramp, 0.0))
        datacenter.add(ctx)
        block = ctx.model.datacenter["campus"]
        return len(block.ramp_up), len(block.ramp_down)

    assert rows(100.0) == (0, 0)
    assert rows(99.0) == (3, 3)


def test_segments_meeting_the_operating_range():
    x = np.array([0.25, 0.5, 1.0])
    assert segments_meeting(x, 0.6, 0.8) == [1]
    assert segments_meeting(x, 0.3, 0.8) == [0, 1]
    assert segments_meeting(x, 0.5, 0.5) == [0, 1]     # a breakpoint belongs to both of its segments
    assert segments_meeting(x, 0.25, 0.4) == [0]


@pytest.fixture(scope="module")
def week_of_the_year():
    """The full-year campus scenario (an LP) over its first week, with and without the tie-break."""
    out = {}
    for name, extra in (("off", ["datacenters.campus.schedule_tie_break_per_mwh=0"]), ("on", []),
                        ("on_objective", ["solver.tie_break=objective"])):
        scenario = load_scenario(YEAR, ["horizon.hours=168", *extra])
        built = build_model(load_inputs(scenario))
        solved = solve_model(built.model, scenario.solver)
        assert solved.optimal, solved.status
        model = built.model
        block = model.datacenter["campus"]
        out[name] = {
            "solved": solved,
            "objective": solved.objective,
            "cost": sum(pyo.value(model.cost[c]) for c in model.COST_CATEGORIES),
            "tie_break": pyo.value(block.tie_break_cost) if hasattr(block, "tie_break_cost") else 0.0,
            "flexible": np.array([block.flexible_mw[t].value for t in sorted(block.flexible_mw)]),
            "observed": built.ctx.inputs["dc_observed_flexible_mw"].sel(datacenter="campus").values,
            "epsilon": scenario.datacenters["campus"].schedule_tie_break_per_mwh,
        }
    return out


def test_tie_break_is_on_by_default_and_out_of_reported_cost(week_of_the_year):
    on, off = week_of_the_year["on"], week_of_the_year["off"]
    assert on["epsilon"] == 0.01 and off["tie_break"] == 0.0
    # objective = costs + ε·Σ w_t·|P_t − as-arrived_t| (the penalty is not a cost category).
    weight = 8760.0 / 168.0
    expected = on["epsilon"] * weight * np.abs(on["flexible"] - on["observed"]).sum()
    assert on["tie_break"] == pytest.approx(expected, rel=1e-6)
    assert on["objective"] == pytest.approx(on["cost"] + on["tie_break"], rel=1e-12)
    # Its effect on the objective and on the reported cost: ≤ 1e-6 relative.
    assert abs(on["objective"] - off["objective"]) <= 1e-6 * off["objective"]
    assert abs(on["cost"] - off["cost"]) <= 1e-6 * off["cost"]
    # And it moves no more energy off the as-arrived schedule than without it.
    assert np.abs(on["flexible"] - on["observed"]).sum() <= np.abs(off["flexible"] - off["observed"]).sum() + 1e-6


def test_lexicographic_tie_break_keeps_the_costs_optimum(week_of_the_year):
    # The default (an LP): the costs exactly the optimum without tie-break (1e-9), the tie-break's value the
    # penalty form's (same schedule distance), found by a second pass of a few primal simplex iterations.
    on, off, penalty = week_of_the_year["on"], week_of_the_year["off"], week_of_the_year["on_objective"]
    assert on["solved"].tie_break == "lexicographic" and penalty["solved"].tie_break == "objective"
    assert on["solved"].tie_break_status == "Optimal" and on["solved"].tie_break_iterations > 0
    assert on["cost"] == pytest.approx(off["objective"], rel=1e-9)
    assert on["solved"].dual_bound == pytest.approx(off["objective"], rel=1e-9)
    assert on["tie_break"] == pytest.approx(penalty["tie_break"], rel=1e-6)
    assert on["objective"] == pytest.approx(penalty["objective"], rel=1e-9)


# ------------------------------------------------ pass 1 without the tie-break's columns and defining rows ---

def _step_model(epsilon: float = EPSILON):
    """STEP (above) as a model with the tie-break registered as build_model does it."""
    ctx = ModelContext(pyo.ConcreteModel(), _inputs(STEP_ARRIVED, delay_h=1, ramp_mw_per_h=1e4, epsilon=epsilon))
    datacenter.add(ctx)
    model = ctx.model
    model.energy_cost = pyo.Expression(expr=sum(STEP_PRICE[t] * term for (zone, t), terms in ctx.withdrawals.items() for term in terms))
    model.tie_break_cost = pyo.Expression(expr=pyo.quicksum(ctx.extras["tie_breaks"]))
    model.tie_break_rows = tuple(ctx.extras["tie_break_rows"])
    model.objective = pyo.Objective(expr=model.energy_cost + model.tie_break_cost)
    return model


def test_pass_one_leaves_out_the_tie_break_columns_and_their_defining_rows():
    model = _step_model()
    solved = solve_model(model, Solver())
    block = model.datacenter["campus"]
    hours = len(STEP_ARRIVED)
    # HiGHS holds pass 1's LP: one schedule_move row and two move columns per hour fewer than the model compiles to.
    lp = solved.highs.getLp()
    assert (lp.num_row_, lp.num_col_) == (solved.num_rows - hours, solved.num_cols - 2 * hours)
    assert not any(row[0].parent_component() is block.schedule_move for row in solved.rows)
    assert not any(var.parent_component() in (block.moved_up_mw, block.moved_down_mw) for var in solved.columns)
    # Their duals are 0 (an optimal dual of the full pass-1 LP); the loaded point holds every defining row.
    assert all(solved.dual(block.schedule_move[t]) == 0.0 for t in range(hours))
    for t in range(hours):
        assert block.flexible_mw[t].value - block.moved_up_mw[t].value + block.moved_down_mw[t].value == pytest.approx(STEP_ARRIVED[t], abs=1e-9)
    assert solved.objective == pytest.approx(550.0 + EPSILON * 100.0, rel=1e-12)


def test_a_stopped_pass_two_still_loads_a_point_that_holds_every_row(monkeypatch, caplog):
    """Pass 2 stopped (forced here): the schedule is pass 1's, the move columns completed for it by the defining rows
    alone (moved = |P − as-arrived|), the objective its cost + ε·moved, and a warning says so."""
    from planning.optimization import solve as solve_module
    from planning.optimization.tie_break import SecondPass

    monkeypatch.setattr(logging.getLogger("planning"), "propagate", True)   # the CLI's configure() turns it off
    monkeypatch.setattr(solve_module, "minimise_on_optimal_face",
                        lambda *args, **kwargs: SecondPass(None, 0, "Time limit reached", float("nan")))
    model = _step_model()
    with caplog.at_level("WARNING"):
        solved = solve_model(model, Solver())
    assert any("tie-break pass stopped (Time limit reached)" in record.getMessage() for record in caplog.records)
    block = model.datacenter["campus"]
    flexible = np.array([block.flexible_mw[t].value for t in range(4)])
    moved = np.array([block.moved_up_mw[t].value + block.moved_down_mw[t].value for t in range(4)])
    np.testing.assert_allclose(moved, np.abs(flexible - STEP_ARRIVED), atol=1e-9)
    assert pyo.value(model.energy_cost) == pytest.approx(550.0, rel=1e-12)
    assert solved.objective == pytest.approx(550.0 + EPSILON * moved.sum(), rel=1e-12)


def test_a_tie_break_column_in_an_unregistered_row_keeps_the_full_pass_one():
    """A tie-break column that appears in a row not registered as defining: nothing is dropped (the full LP)."""
    import highspy

    from planning.optimization.tie_break import without_tie_break

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = 2, 2
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.array([1.0, 0.0]), np.zeros(2), np.full(2, 10.0)
    lp.row_lower_, lp.row_upper_ = np.array([1.0, 0.0]), np.array([1.0, 5.0])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = np.array([0, 2, 4]), np.array([0, 1, 0, 1]), np.ones(4)
    with pytest.raises(ValueError, match="does not only define"):
        without_tie_break(lp, np.array([0.0, 1.0]), np.array([True, False]))
    one = without_tie_break(lp, np.array([0.0, 1.0]), np.array([True, True]))
    assert (one.lp.num_row_, one.lp.num_col_, list(one.columns), list(one.rows)) == (0, 1, [0], [])
