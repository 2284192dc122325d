"""Bounds on a full-year LP from blocks of hours (planning.optimization.temporal_bounds): hand optima and the monolithic LP."""

from __future__ import annotations

import numpy as np
import pytest

from planning.config import validate_scenario
from planning.io.inputs import load_inputs
from planning.optimization import temporal_bounds as tb
from planning.optimization.build import build_model
from planning.optimization.decomposition import Compiled
from planning.optimization.solve import solve_model
from tests.conftest import thermal, tiny_scenario


def compiled(raw: dict):
    scenario = validate_scenario(raw)
    inputs = load_inputs(scenario)
    built = build_model(inputs)
    return scenario, built, Compiled.of(built.model), int(inputs.sizes["snapshot"])


def carry_over_case(folder) -> dict:
    """Four hours, demand 100 MW each; free PV 180 MW in hour 1 only; a 200 MW / 100 MWh battery (90 %/90 %), cyclic;
    gas (existing 200 MW) at 50 $/MWh. By hand: PV serves hour 1 and charges 80 MW (72 MWh stored), which returns
    64.8 MWh in a later hour; gas 100 + 35.2 + 100 MWh → 11 760 $. With blocks of 2 h the stored energy crosses the
    block boundary (hour 1 → 2), so the state at the boundary must come from the master."""
    raw = tiny_scenario(folder, [100, 100, 100, 100], columns={"cf": [0.0, 1.0, 0.0, 0.0]}, extra={
        "technologies": {"gas": thermal(50), "pv": {"kind": "variable"},
                         "bat": {"kind": "storage", "charge_efficiency": 0.9, "discharge_efficiency": 0.9}},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 200, "max_new_mw": 0},
                   "s": {"zone": "z", "technology": "pv", "existing_mw": 180, "max_new_mw": 0,
                         "profile": {"file": str(folder / "series.csv"), "column": "cf"}},
                   "b": {"zone": "z", "technology": "bat", "existing_mw": 200, "existing_mwh": 100, "max_new_mw": 0,
                         "max_new_mwh": 0}},
    })
    raw["horizon"]["storage_cycle"] = "horizon"
    return raw


def test_stored_energy_crossing_a_block_boundary_gives_the_hand_optimum(tmp_path):
    scenario, built, form, hours = compiled(carry_over_case(tmp_path))
    split = tb.split_by_blocks(form, hours, block_hours=2)
    assert len(split.blocks) == 2 and split.linking_rows >= 2 and split.states.size >= 2 and not split.dropped_rows
    result = tb.benders_lower_bound(form, split, gap=1e-9, max_iterations=50)
    assert result.converged and result.best_consistent
    assert result.lower_bound == pytest.approx(11760.0, rel=1e-7)
    assert result.best_value == pytest.approx(11760.0, rel=1e-7)
    # Without the states (each block starting from any level) a block could discharge a full battery for free:
    # the relaxation of free states is below the hand optimum, so the master's states are what make the bound exact.
    assert solve_model(built.model, scenario.solver).objective == pytest.approx(11760.0, rel=1e-9)


def expansion_case(folder, hours: int = 48, co2_cap_t: float | None = None) -> dict:
    """One zone over ``hours`` with a daily demand and PV shape; gas, PV and a battery all built new (with capex)."""
    t = np.arange(hours)
    demand = (100 + 40 * np.sin(2 * np.pi * (t - 8) / 24)).round(3).tolist()
    cf = np.clip(np.sin(2 * np.pi * (t % 24 - 6) / 24), 0, None).round(4).tolist()
    raw = tiny_scenario(folder, demand, columns={"cf": cf}, extra={
        "technologies": {"gas": thermal(50, capex=40.0),
                         "pv": {"kind": "variable", "capex_per_mw": 30.0, "lifetime_years": 1},
                         "bat": {"kind": "storage", "charge_efficiency": 0.95, "discharge_efficiency": 0.95,
                                 "capex_per_mw": 5.0, "capex_per_mwh": 300.0, "lifetime_years": 1}},
        "plants": {"g": {"zone": "z", "technology": "gas"},
                   "s": {"zone": "z", "technology": "pv", "profile": {"file": str(folder / "series.csv"), "column": "cf"}},
                   "b": {"zone": "z", "technology": "bat"}},
    })
    raw["horizon"]["storage_cycle"] = "horizon"
    if co2_cap_t is not None:
        raw["policy"] = {"co2_cap_t": co2_cap_t}
    return raw


def dual_check(form: Compiled, duals: np.ndarray, values: np.ndarray, rel: float = 1e-5) -> tuple[np.ndarray, tuple[str, float], float]:
    """A candidate dual ``duals`` of the compiled LP (HiGHS' signs: reduced costs c − Aᵀy) at the point ``values``: the
    reduced costs; the worst sign error (a column's reduced cost against its bounds: ≥ 0 at a lower bound, ≤ 0 at an
    upper one, 0 strictly between; a row's dual against its bounds), relative to max(1, |c_j|), with its name; and the
    dual objective Σ_i bound_i·y_i + Σ_j bound_j·d_j + offset (the bound each sign selects; reduced costs below ``rel``
    count 0). y is an optimal dual when the sign error is ≤ ``rel`` and the dual objective equals the optimum."""
    reduced = form.cost - form.A.T @ duals
    scale = np.maximum(1.0, np.abs(form.cost))
    at_lower = np.isfinite(form.col_lower) & (values <= form.col_lower + 1e-6)
    at_upper = np.isfinite(form.col_upper) & (values >= form.col_upper - 1e-6)
    wrong = np.where(at_lower & at_upper, 0.0, np.where(at_lower, np.maximum(-reduced, 0.0),
                                                          np.where(at_upper, np.maximum(reduced, 0.0), np.abs(reduced)))) / scale
    row_wrong = np.where(np.isfinite(form.row_lower), 0.0, np.maximum(duals, 0.0)) + np.where(np.isfinite(form.row_upper), 0.0,
                                                                                               np.maximum(-duals, 0.0))
    worst = (form.columns[int(np.argmax(wrong))].name, float(wrong.max()))
    if row_wrong.max(initial=0.0) > worst[1]:
        worst = (form.rows[int(np.argmax(row_wrong))][0].name, float(row_wrong.max()))
    with np.errstate(invalid="ignore"):
        rows = np.where(duals == 0.0, 0.0, np.where(duals > 0, form.row_lower, form.row_upper) * duals)
        cols = np.where(np.abs(reduced) <= rel * scale, 0.0, np.where(reduced > 0, form.col_lower, form.col_upper) * reduced)
    rows, cols = np.where(row_wrong > 0, 0.0, rows), np.where(np.isfinite(cols), cols, np.inf)
    return reduced, worst, float(rows.sum() + cols.sum()) + float(form.lp.offset_)


@pytest.mark.parametrize("block_hours", [12, 4])
def test_the_cuts_duals_are_an_optimal_dual_of_the_whole_lp(tmp_path, block_hours):
    # y_k = Σ_j λ_kj·π_kj: with an existing battery (its value carried across block edges) and gas, PV and battery power
    # built to interior values. Blocks of 4 h: four of the twelve (hours 8-15 and 32-39, PV alone, curtailed) cost
    # nothing, θ_k sits at its floor 0 with the floor's weight 1 − Σ_j λ_kj = 1 (its dual is π = 0: prices 0).
    raw = expansion_case(tmp_path)
    raw["plants"]["b"].update({"existing_mw": 50.0, "existing_mwh": 200.0})
    scenario, built, form, hours = compiled(raw)
    optimum = solve_model(built.model, scenario.solver).objective
    split = tb.split_by_blocks(form, hours, block_hours=block_hours)
    benders = tb.TemporalBenders(form, split)
    result = benders.run(gap=1e-9, max_iterations=200)
    assert result.converged and result.best_consistent
    point = benders.solution_at(result.x_values)
    duals = point.duals
    assert point.dual_valid and duals.valid and np.array_equal(point.row_dual, duals.row_dual)
    # HiGHS' signs: the cuts (≥ rows of a minimisation) have duals ≥ 0, and θ_k's reduced cost is 1 − Σ_j λ_kj.
    lam = np.asarray(benders.master.getSolution().row_dual)[split.master_rows.size:]
    assert lam.min() >= -1e-9
    np.testing.assert_allclose(duals.weight + duals.floor_weight, 1.0, atol=1e-9)
    at_floor = duals.floor_weight > 1e-9
    assert at_floor.sum() == (4 if block_hours == 4 else 0)
    assert len(benders.cut_rows) == result.iterations and benders.dual_bytes > 0
    reduced, worst, dual_objective = dual_check(form, point.row_dual, point.values)
    assert worst[1] <= 1e-5, worst
    assert dual_objective == pytest.approx(optimum, rel=1e-8)
    names = [column.name for column in form.columns]
    for name in ("new_mw[g]", "new_mw[s]", "new_mw[b]"):
        j = names.index(name)
        assert form.col_lower[j] + 1 < point.values[j] < form.col_upper[j]
        assert abs(reduced[j]) <= 1e-6 * form.cost[j], (name, reduced[j])
    if block_hours == 4:
        balance = [i for i, row in enumerate(form.rows) if row[0].parent_component().name == "balance"]
        for k in np.flatnonzero(at_floor):
            block = split.blocks[k]
            np.testing.assert_allclose(point.row_dual[balance[block.start:block.end]], 0.0, atol=1e-9)


def test_benders_bracket_closes_on_the_monolithic_optimum_with_investments(tmp_path):
    scenario, built, form, hours = compiled(expansion_case(tmp_path))
    optimum = solve_model(built.model, scenario.solver).objective
    split = tb.split_by_blocks(form, hours, block_hours=12)
    assert len(split.blocks) == 4 and split.x.size >= 3
    result = tb.benders_lower_bound(form, split, gap=1e-8, max_iterations=200)
    assert result.converged and result.best_consistent
    assert result.lower_bound <= optimum * (1 + 1e-9)
    assert result.best_value >= optimum * (1 - 1e-9)
    assert result.lower_bound == pytest.approx(optimum, rel=1e-7)
    built_mw = dict(zip((form.columns[j].name for j in split.x), result.x_values))
    assert built_mw["new_mw[s]"] > 1.0 and built_mw["new_mw[g]"] > 1.0  # a real expansion, not a trivial point


def test_windows_upper_bound_is_a_feasible_point_at_or_above_the_optimum(tmp_path):
    scenario, built, form, hours = compiled(expansion_case(tmp_path))
    optimum = solve_model(built.model, scenario.solver).objective
    split = tb.split_by_blocks(form, hours, block_hours=12)
    result = tb.benders_lower_bound(form, split, gap=1e-8, max_iterations=200)
    upper, point = tb.windows_upper_bound(form, split, result.x_values[: split.x.size], hours, scenario.solver,
                                          window_h=12, overlap_h=6)
    assert upper >= optimum * (1 - 1e-9)
    assert upper == pytest.approx(float(form.cost @ point) + float(form.lp.offset_), rel=1e-12)
    activity = form.A @ point
    assert np.all(activity >= form.row_lower - 1e-6) and np.all(activity <= form.row_upper + 1e-6)
    # A plan without PV is feasible (gas covers every hour) but dearer: its full-year price is above the optimum's.
    no_pv = result.x_values[: split.x.size].copy()
    no_pv[[form.columns[j].name for j in split.x].index("new_mw[s]")] = 0.0
    no_pv[[form.columns[j].name for j in split.x].index("new_mw[g]")] = 200.0
    dearer, _ = tb.windows_upper_bound(form, split, no_pv, hours, scenario.solver, window_h=12, overlap_h=6)
    assert dearer > optimum * (1 + 1e-3)


def test_a_yearly_row_is_left_out_and_named_and_the_bound_stays_below(tmp_path):
    free_scenario, free_built, _, _ = compiled(expansion_case(tmp_path))
    free_optimum = solve_model(free_built.model, free_scenario.solver).objective
    scenario, built, form, hours = compiled(expansion_case(tmp_path, co2_cap_t=3000.0))
    optimum = solve_model(built.model, scenario.solver).objective
    assert optimum > free_optimum * (1 + 1e-4)  # the cap binds
    split = tb.split_by_blocks(form, hours, block_hours=12)
    assert split.dropped_rows == {"co2_cap": 1}
    result = tb.benders_lower_bound(form, split, gap=1e-8, max_iterations=200)
    assert result.lower_bound <= optimum * (1 + 1e-9)
    assert result.lower_bound == pytest.approx(free_optimum, rel=1e-6)  # the relaxation without the cap
