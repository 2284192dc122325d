"""The signal-response loop: convergence, damping, and the gap to the integrated optimum.

The price case (hand-computable): one zone, two hours, demand 95 and 100 MW; a cheap plant of
106 MW at 10 $/MWh and a dear one at 50 $/MWh; a data center with 20 MW of flexible power whose
work (= power, a linear curve) arrives at 10 MWh/h and may wait 3 h, so it can put x MW in hour
A and 20 − x in hour B. Grid cost C(x) = 10·min(95 + x, 106) + 50·max(0, x − 11)
+ 10·min(120 − x, 106) + 50·max(0, 14 − x):
* as arrived (x = 10): 10·105 + 10·106 + 50·4 = 2310;
* x = 20: 10·106 + 50·9 + 10·100 = 2510;   x = 0: 10·95 + 10·106 + 50·14 = 2710;
* optimum: 212 MWh cheap + 3 MWh dear = 2120 + 150 = 2270 for any x in [11, 14].
Prices: A is dear iff x > 11, B is dear iff x < 14; the best response to (A cheap, B dear) is
x̂ = 20, to (A dear, B cheap) x̂ = 0, and between 11 and 14 both hours are dear (ties: stay).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.config import load_scenario
from planning.workflows.signal_response import (as_arrived_schedule, comparison_table, fixed_capacity_inputs, respond, run_loop,
                                                step_size)
from tests.conftest import REPO
from tests.workflows.helpers import THERMAL, scenario_and_inputs

TECHNOLOGIES = {"ccgt": {**THERMAL, "fuel": "cheap_fuel"}, "ocgt": {**THERMAL, "fuel": "dear_fuel"}}
FUELS = {"cheap_fuel": {"price_per_mmbtu": 10.0, "co2_t_per_mmbtu": 0.0}, "dear_fuel": {"price_per_mmbtu": 50.0, "co2_t_per_mmbtu": 0.5}}
PLANTS = {"cheap": {"zone": "z", "technology": "ccgt", "existing_mw": 106, "max_new_mw": 0},
          "dear": {"zone": "z", "technology": "ocgt", "existing_mw": 1000, "max_new_mw": 0}}


def price_case(tmp_path, **loop):
    return scenario_and_inputs(tmp_path, [95, 100], PLANTS, TECHNOLOGIES, FUELS, extra={"operations": {"loop": {"max_iterations": 8, **loop}}})


def test_step_rules():
    assert [step_size("none", 0.3, k) for k in range(3)] == [1.0, 1.0, 1.0]
    assert [step_size("fixed", 0.5, k) for k in range(3)] == [0.5, 0.5, 0.5]
    np.testing.assert_allclose([step_size("diminishing", 1.0, k) for k in range(4)], [1.0, 2 / 3, 0.5, 0.4])


def test_price_loop_converges_to_the_integrated_optimum(tmp_path):
    scenario, inputs = price_case(tmp_path)
    loop = run_loop(scenario, inputs)
    table = loop.table
    # x: 10 → 20 (α 1) → 20 − ⅔·20 = 6.67 (α ⅔) → 6.67 + ½·13.33 = 13.33 (α ½), inside [11, 14]: both hours dear, stay.
    np.testing.assert_allclose(table["total_cost"], [2310, 2510, 2443.333333, 2270], rtol=1e-9)
    assert table["converged"].tolist() == [False, False, False, True]
    np.testing.assert_allclose(loop.schedule.flexible_mw, [[40 / 3, 20 / 3]], atol=1e-6)
    integrated = float(loop.integrated.solved.objective)
    assert integrated == pytest.approx(2270.0, rel=1e-9)
    assert table["total_cost"].iloc[-1] >= integrated - 1e-6
    comparison = comparison_table(loop).set_index("architecture")
    assert comparison.loc["gap (loop − integrated)", "total_cost"] == pytest.approx(0.0, abs=1e-6)


def test_undamped_response_oscillates_and_damping_fixes_it(tmp_path):
    scenario, inputs = price_case(tmp_path, damping="none")
    undamped = run_loop(scenario, inputs, compare=False)
    # Best response to best response: x = 10, 20, 0, 20, 0, ... costs 2310, 2510, 2710, 2510, ...
    assert not undamped.converged
    np.testing.assert_allclose(undamped.table["total_cost"], [2310] + [2510, 2710] * 3 + [2510], rtol=1e-9)
    np.testing.assert_allclose(undamped.table["max_schedule_change_mw"].iloc[1:], 20.0, rtol=1e-9)
    scenario, inputs = price_case(tmp_path, damping="fixed", step=0.5)
    damped = run_loop(scenario, inputs, compare=False)
    # x: 10 → 15 → 7.5 → 13.75 (in [11, 14]) → stays.
    assert damped.converged and len(damped.table) == 4
    np.testing.assert_allclose(damped.schedule.flexible_mw, [[13.75, 6.25]], atol=1e-6)
    assert damped.table["total_cost"].iloc[-1] == pytest.approx(2270.0, rel=1e-9)


@pytest.mark.parametrize("signal", ["average", "consumption", "marginal", "blend"])
def test_other_signals_cost_at_least_the_integrated_optimum(tmp_path, signal):
    scenario, inputs = price_case(tmp_path, signal=signal, max_iterations=12)
    loop = run_loop(scenario, inputs)
    assert float(loop.final.solved.objective) >= float(loop.integrated.solved.objective) - 1e-6
    assert (loop.table["signal"] == signal).all()
    # Not a price: no certified bound, and converged only at a fixed point of the signal (response gap ≤ tolerance).
    assert np.isnan(loop.lower_bound) and loop.gap_bounds.startswith("none: not a price signal")
    assert loop.converged == (loop.table["relative_gap"].iloc[-1] <= scenario.operations.loop.gap_tolerance_fraction)
    assert loop.relative_gap == loop.table["relative_gap"].min()


def test_marginal_signal_reaches_a_fixed_point(tmp_path):
    # Dear fuel 0.5 t/MMBtu at 1 MMBtu/MWh: the marginal intensity is 500 g/kWh where the dear plant is on the margin.
    # Round 3 (x = 13.33, as for the price) has both hours at 500: the flat signal's best response stays, gap 0.
    scenario, inputs = price_case(tmp_path, signal="marginal")
    loop = run_loop(scenario, inputs, compare=False)
    assert loop.converged and loop.reported_iteration == 3
    np.testing.assert_allclose(loop.signal, [[500.0, 500.0]], rtol=1e-9)
    np.testing.assert_allclose(loop.table["response_gap"].iloc[:3], [5000.0, 10000.0, 20000 / 3], rtol=1e-9)
    assert loop.gap == pytest.approx(0.0, abs=1e-6)


def test_blend_of_price_only_is_the_price_loop(tmp_path):
    # w = 1: the signal is price/mean(price), a positive rescaling: the same responses and rounds.
    scenario, inputs = price_case(tmp_path, signal="blend", blend_price_weight=1.0)
    blend = run_loop(scenario, inputs, compare=False)
    np.testing.assert_allclose(blend.table["total_cost"], [2310, 2510, 2443.333333, 2270], rtol=1e-9)


def test_response_keeps_the_learned_constraints(tmp_path):
    scenario, inputs = price_case(tmp_path)
    current = as_arrived_schedule(inputs)
    response = respond(inputs, np.array([[10.0, 50.0]]), current, scenario.solver)
    # Cheaper hour A takes everything it can: 20 MW (the fitted range's top), B gets 0.
    np.testing.assert_allclose(response.flexible_mw, [[20.0, 0.0]], atol=1e-6)
    # Backlog balance (cyclic) B_t = B_{t−1} + A_t − W_t, and all work is done.
    work, backlog = response.work_done[0], response.backlog[0]
    np.testing.assert_allclose(backlog, np.roll(backlog, 1) + 10.0 - work, atol=1e-6)
    assert work.sum() == pytest.approx(20.0)
    assert (response.work_done <= response.flexible_mw + 1e-6).all()


def test_fixed_capacities_from_a_planning_run(tmp_path):
    scenario, inputs = price_case(tmp_path)
    capacity = pd.DataFrame({"zone": ["z", "z"], "technology": ["ccgt", "ocgt"], "total_mw": [50.0, 70.0], "energy_mwh": [np.nan, np.nan]})
    fixed = fixed_capacity_inputs(inputs, capacity)
    assert fixed["existing_mw"].values.tolist() == [50.0, 70.0]
    assert (fixed["max_new_mw"].values == 0).all() and not fixed["can_retire"].values.any()


def test_loop_command_on_the_main_example(tmp_path):
    example = REPO / "scenarios" / "isone_datacenter_week.yaml"
    out = tmp_path / "loop"
    sets = ["horizon.hours=48", "horizon.storage_cycle=day", "plants.isone_ocgt.existing_mw=6000", "plants.isone_battery.existing_mw=1000",
            "plants.isone_battery.existing_mwh=2000", "operations.loop.max_iterations=6"]
    result = CliRunner().invoke(app, ["loop", str(example), "--out", str(out), "-q", *sum((["--set", s] for s in sets), [])])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "loop.csv")
    assert list(table.columns[:8]) == ["iteration", "signal", "total_cost", "co2_t", "datacenter_co2_t", "shifted_mwh", "max_schedule_change_mw", "converged"]
    comparison = pd.read_csv(out / "loop_comparison.csv").set_index("architecture")
    # Integer unit commitment: the integrated cost is a MILP incumbent (the loop may beat it), never below its dual bound;
    # and the loop says that its gap certifies nothing.
    assert comparison.loc["loop (price)", "total_cost"] >= comparison.loc["integrated", "lower_bound"] * (1 - 1e-9)
    assert comparison.loc["loop (price)", "gap_bounds"].startswith("none: with integer unit commitment")
    assert np.isnan(comparison.loc["loop (price)", "lower_bound"])
    assert table["reported"].sum() == 1
    schedule = pd.read_csv(out / "loop_schedule.csv")
    np.testing.assert_allclose(schedule.it_power_mw, schedule.facility_power_mw / 1.15, rtol=1e-9)
    assert (out / "adequacy.csv").is_file()
    scenario = load_scenario(example, sets)
    assert len(table) <= scenario.operations.loop.max_iterations


def single_point_case(tmp_path, **loop):
    """The price case with the cheap plant at 107.5 MW: 95 + x ≤ 107.5 and 120 − x ≤ 107.5 leave one
    optimum, x* = 12.5, C* = 10·215 = 2150. Around it C(x) = 2650 − 40x (x < 12.5) and 1650 + 40x
    (x > 12.5), a kink: the Frank–Wolfe gap does not vanish near x*, whatever the step does."""
    plants = {**PLANTS, "cheap": {**PLANTS["cheap"], "existing_mw": 107.5}}
    return scenario_and_inputs(tmp_path, [95, 100], plants, TECHNOLOGIES, FUELS,
                               extra={"operations": {"loop": {"max_iterations": 20, **loop}}})


def test_single_point_optimum_is_not_reported_converged_while_the_gap_is_open(tmp_path):
    # The diminishing step shrinks the schedule's moves below 1 MW (round 15: 0.94 MW, where the old rule,
    # moves < tolerance_mw = 1 MW, stopped and claimed convergence), but the certified gap stays open.
    scenario, inputs = single_point_case(tmp_path)
    loop = run_loop(scenario, inputs, compare=False)
    table = loop.table
    assert len(table) == 20 and table["max_schedule_change_mw"].min() < 1.0  # the step has shrunk …
    assert not loop.converged and not table["converged"].any()  # … but that is no convergence
    # Round 0 (x = 10): C = 10·105 + 10·107.5 + 50·2.5 = 2250; prices (10, 50), best response x̂ = 20,
    # gap = ∇C·(x − x̂) = 10·(10 − 20) + 50·(10 − 0) = 400 → C* ≥ 1850. Every x < 12.5 gives the same bound
    # (2650 − 40x − (800 − 40x)), every x > 12.5 a weaker one (1650): the certified lower bound is 1850.
    assert table["response_gap"].iloc[0] == pytest.approx(400.0, rel=1e-9)
    assert loop.lower_bound == pytest.approx(1850.0, rel=1e-9)
    best = int(table["total_cost"].idxmin())
    assert loop.reported_iteration == int(table["iteration"].iloc[best])
    assert float(loop.final.solved.objective) == pytest.approx(table["total_cost"].min(), rel=1e-12)
    np.testing.assert_allclose(loop.schedule.flexible_mw, loop.final.results["datacenter_flexible_mw"].values, atol=1e-9)
    assert loop.gap == pytest.approx(table["total_cost"].min() - 1850.0, rel=1e-9)
    assert loop.gap >= table["total_cost"].min() - 2150.0  # it bounds cost − optimum (C* = 2150 by hand)
    assert loop.relative_gap > scenario.operations.loop.gap_tolerance_fraction


def test_converged_price_loop_certifies_the_integrated_optimum(tmp_path):
    # The price case of the module docstring: round 3 (x = 13.33) has both hours dear (50, 50), the
    # best response stays, gap 0: the loop certifies C(x) − C* ≤ 0 without solving the integrated model.
    scenario, inputs = price_case(tmp_path)
    loop = run_loop(scenario, inputs, compare=False)
    assert loop.converged and loop.reported_iteration == 3
    assert loop.gap == pytest.approx(0.0, abs=1e-6)
    assert loop.lower_bound == pytest.approx(2270.0, rel=1e-9)
    assert loop.gap_bounds == "total cost − integrated optimum"


def test_non_concave_card_keeps_every_round_on_the_learned_set(tmp_path):
    """A convex curve f(p) = 0.2p (p ≤ 0.5), 0.1 + 1.8(p − 0.5) (p ≥ 0.5), binaries: the 20 MWh of work of the two
    hours need full power in one hour (W ≤ 20·f(P/20); e.g. (15, 5) MW does 11 + 1 = 12). Grid as in the module
    docstring: x = (20, 0) costs 10·106 + 50·9 + 10·100 = 2510, the integrated optimum. The as-arrived round 0,
    (10, 10), costs 2310 but cannot be run (it does 2 + 2 of the 20); round 1 is the best response (20, 0); round 2's
    damped step (⅔ of the way to (0, 20)) would give (6.67, 13.33), which cannot be run either and would cost
    2443.33 < 2510 — it goes back to the closest schedule the data center can run instead."""
    scenario, inputs = price_case(tmp_path)
    inputs = inputs.drop_vars(["dc_curve_x", "dc_curve_y"]).drop_dims("breakpoint").assign_coords(breakpoint=[0, 1, 2]).assign(
        dc_curve_x=(("datacenter", "breakpoint"), np.array([[0.0, 0.5, 1.0]])),
        dc_curve_y=(("datacenter", "breakpoint"), np.array([[0.0, 0.1, 1.0]])),
        dc_formulation=(("datacenter",), np.array(["binary"], dtype=object)))
    loop = run_loop(scenario, inputs, compare=True)
    table = loop.table
    optimum = float(loop.integrated.solved.objective)
    assert optimum == pytest.approx(2510.0, rel=1e-9)
    np.testing.assert_allclose(table["total_cost"].iloc[:2], [2310.0, 2510.0], rtol=1e-9)
    assert table["in_learned_set"].tolist() == [False] + [True] * (len(table) - 1)
    assert (table["total_cost"].iloc[1:] >= optimum - 1e-6).all()  # every round the data center can run costs ≥ C*
    # The reported round is one it can run: the cheapest of those, the optimum (20, 0) — not round 0.
    assert loop.reported_iteration >= 1 and float(loop.final.solved.objective) == pytest.approx(2510.0, rel=1e-9)
    flexible, work = loop.schedule.flexible_mw[0], loop.schedule.work_done[0]
    assert (work <= 20 * np.interp(flexible / 20, [0.0, 0.5, 1.0], [0.0, 0.1, 1.0]) + 1e-6).all() and work.sum() == pytest.approx(20.0)
    # Round 0 (x = (10, 10), prices (10, 50)): F = 600, best response (20, 0) gives 200 → C* ≥ 2310 − 400 = 1910.
    assert 1910.0 - 1e-6 <= loop.lower_bound <= optimum + 1e-6


def test_loop_does_not_impose_the_planning_margin_on_the_fixed_fleet(tmp_path):
    # The margin is an investment rule: firm capacity ≥ (1 + m) × load every hour. The loop runs on a fixed fleet, where
    # nothing can be built to meet it. With m = 3 the real ISO-NE fleet (about 30 GW firm) is far short of 4 × the August
    # peak (> 20 GW), so imposing it made the first grid solve infeasible (exit 3). The loop measures adequacy instead,
    # like stress: it must run, and give the same loop as without a margin.
    example = REPO / "scenarios" / "isone_datacenter_week.yaml"
    sets = ["horizon.hours=24", "horizon.storage_cycle=day", "unit_commitment.mode='off'", "operations.loop.max_iterations=2"]
    tables = {}
    for margin in ("3.0", "null"):
        out = tmp_path / f"loop_{margin}"
        args = ["loop", str(example), "--out", str(out), "-q", *sum((["--set", s] for s in [*sets, f"reserves.planning_reserve_margin={margin}"]), [])]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        tables[margin] = pd.read_csv(out / "loop.csv")
    np.testing.assert_allclose(tables["3.0"]["total_cost"], tables["null"]["total_cost"], rtol=1e-9)
