"""Snapshots of Δt hours and non-cyclic horizons with initial states (issue 14).

Tiny cases: weight 1 h per hour (scale_to_year: false), so a Δt-hour snapshot weighs Δt h; a fuel at
1 $/MMBtu (heat rate h → h $/MWh).
"""

from __future__ import annotations

import numpy as np
import pytest

from planning.config import validate_scenario
from planning.errors import ScenarioError
from tests.conftest import thermal, tiny_scenario


def _blocky_case(tmp_path, resolution: int) -> dict:
    """24 h in eight 3-hour blocks whose hours are identical: demand and a PV capacity factor; gas
    at 50 $/MWh, expandable PV and a battery (90 %/90 %, 1–6 h), unserved energy at VOLL."""
    demand = np.repeat([80, 60, 70, 120, 150, 140, 130, 90], 3).tolist()
    cf = np.repeat([0.0, 0.0, 0.4, 0.9, 1.0, 0.6, 0.1, 0.0], 3).tolist()
    raw = tiny_scenario(tmp_path, demand, columns={"cf": cf}, extra={
        "technologies": {"gas": thermal(50, capex=2000.0), "pv": {"kind": "variable", "capex_per_mw": 400.0, "lifetime_years": 1},
                         "bat": {"kind": "storage", "charge_efficiency": 0.9, "discharge_efficiency": 0.9, "capex_per_mw": 100.0,
                                 "capex_per_mwh": 60.0, "lifetime_years": 1, "min_duration_hours": 1, "max_duration_hours": 6}},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 100},
                   "s": {"zone": "z", "technology": "pv", "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}},
                   "b": {"zone": "z", "technology": "bat"}},
    })
    raw["horizon"]["resolution_hours"] = resolution
    return raw


def test_three_hourly_model_equals_the_hourly_model_of_repeated_hours(tmp_path, solve_raw):
    # Each 3-hour step written as three identical hours: the hourly LP has an optimum constant within
    # the steps (average any optimum over a step: every constraint is convex and the storage level at
    # step ends is unchanged), so both models have the same objective, builds and step energies.
    hourly, solved_hourly = solve_raw(_blocky_case(tmp_path, 1))
    coarse, solved_coarse = solve_raw(_blocky_case(tmp_path, 3))
    assert coarse.sizes["snapshot"] == 8 and hourly.sizes["snapshot"] == 24
    assert solved_coarse.objective == pytest.approx(solved_hourly.objective, rel=1e-9)
    for name in ("new_mw", "new_mwh"):
        np.testing.assert_allclose(coarse[name].values, hourly[name].values, rtol=1e-7, atol=1e-6)
    # Gas energy: 3 h × the snapshots' MW = the hours' MWh (when in the day the battery shifts it is
    # a tie, so only the total is pinned).
    gas_hourly = float(hourly["generation_mw"].sel(plant="g").sum())
    assert 3.0 * float(coarse["generation_mw"].sel(plant="g").sum()) == pytest.approx(gas_hourly, rel=1e-7)
    # Snapshots are labelled by their first hour.
    assert str(coarse["snapshot"].values[1])[:16] == "2021-01-01T03:00"


def test_inputs_are_averaged_over_each_snapshot(tmp_path):
    from planning.io.inputs import load_inputs

    raw = tiny_scenario(tmp_path, [10, 20, 30, 40, 50, 60], extra={"technologies": {"gas": thermal(10)},
                                                                   "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 100}}})
    raw["horizon"]["resolution_hours"] = 2
    inputs = load_inputs(validate_scenario(raw))
    np.testing.assert_allclose(inputs["demand_mw"].values[0], [15, 35, 55])
    np.testing.assert_allclose(inputs["weight_h"].values, [2, 2, 2])
    assert inputs.attrs["snapshot_duration_h"] == 2


def _unit_case(tmp_path, demand, resolution=1, unit=None, plant=None, **horizon):
    """A 100 MW unit at 10 $/MWh and an uncommitted peaker at 100 $/MWh."""
    raw = tiny_scenario(tmp_path, demand, extra={
        "technologies": {"base": thermal(10, unit_size_mw=100, **(unit or {})), "peak": thermal(100)},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0, **(plant or {})},
                   "p": {"zone": "z", "technology": "peak", "existing_mw": 100, "max_new_mw": 0}},
        "unit_commitment": {"mode": "integer"},
    })
    raw["horizon"].update(resolution_hours=resolution, **horizon)
    return raw


def test_ramp_limits_scale_with_the_snapshot_length(tmp_path, solve_raw):
    # Hours [0, 0, 100, 100] as two 2-hour snapshots of 0 and 100 MW. The unit ramps 25 %/h → 50 MW
    # per 2-hour snapshot: 50 MW from the unit and 50 MW from the peaker in the second snapshot, each
    # for 2 h: 2 × (50 × 10 + 50 × 100) = 11 000 $. (Hourly, 25 MW per hour would be the limit.)
    results, solved = solve_raw(_unit_case(tmp_path, [0, 0, 100, 100], resolution=2, unit={"ramp_up_per_hour": 0.25}))
    assert solved.objective == pytest.approx(11_000.0, rel=1e-9)
    np.testing.assert_allclose(results["generation_mw"].sel(plant="b").values, [0.0, 50.0], atol=1e-6)


@pytest.mark.parametrize(("weighting", "objective"), [("per_event", 3000.0), ("snapshot_weight", 4000.0)])
def test_startup_cost_weighting_is_per_event_or_per_snapshot_weight(tmp_path, solve_raw, weighting, objective):
    # Two 2-hour snapshots, 0 and 100 MW; at ≥ 50 % output the unit must be off at 0 MW, so it starts
    # once per cycle at 10 $/MW × 100 MW = 1000 $, plus
    # 100 MW × 2 h × 10 $ = 2000 $. Per event the start counts once (w/Δt = 1): 3000 $; weighted by
    # the snapshot weight (2 h, PyPSA's convention) it counts twice: 4000 $.
    raw = _unit_case(tmp_path, [0, 0, 100, 100], resolution=2, unit={"startup_cost_per_mw": 10.0, "min_stable_output": 0.5})
    raw["unit_commitment"]["startup_cost_weighting"] = weighting
    _, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)


def test_minimum_up_time_counts_whole_snapshots(tmp_path, solve_raw):
    # Hourly demand 100,100,0,0,0,0 as three 2-hour snapshots (100, 0, 0 MW); the unit runs at ≥ 50 %
    # of its 100 MW, the peaker costs 100 $/MWh, nothing can absorb a surplus. Minimum up 2 h =
    # 1 snapshot: the unit serves snapshot 0 and shuts down: 2 h × 100 MW × 10 $ = 2 000 $.
    # Minimum up 3 h = ⌈3/2⌉ = 2 snapshots: a start in snapshot 0 would keep it on at ≥ 50 MW in
    # snapshot 1 where demand is 0 (infeasible), so the peaker serves: 2 h × 100 MW × 100 $ = 20 000 $.
    raw = _unit_case(tmp_path, [100, 100, 0, 0, 0, 0], resolution=2, unit={"min_stable_output": 0.5, "min_up_hours": 2})
    _, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(2_000.0, rel=1e-9)
    raw = _unit_case(tmp_path, [100, 100, 0, 0, 0, 0], resolution=2, unit={"min_stable_output": 0.5, "min_up_hours": 3})
    _, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(20_000.0, rel=1e-9)


def _storage_case(tmp_path, cyclic: bool) -> dict:
    """Two hours of 100 MW; gas at 50 $/MWh; a 100 MW / 100 MWh battery (100 %/90 %) with nothing cheaper to charge from."""
    raw = tiny_scenario(tmp_path, [100, 100], extra={
        "technologies": {"gas": thermal(50), "bat": {"kind": "storage", "charge_efficiency": 1.0, "discharge_efficiency": 0.9}},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 200, "max_new_mw": 0},
                   "b": {"zone": "z", "technology": "bat", "existing_mw": 100, "existing_mwh": 100, "max_new_mw": 0, "max_new_mwh": 0,
                         "initial_soc_fraction": 0.5}},
    })
    raw["horizon"]["cyclic"] = cyclic
    return raw


def test_non_cyclic_storage_starts_from_its_initial_state_of_charge(tmp_path, solve_raw):
    # Cyclic: the battery must end where it started, so it saves nothing: 200 MWh × 50 $ = 10 000 $.
    _, solved = solve_raw(_storage_case(tmp_path, cyclic=True))
    assert solved.objective == pytest.approx(10_000.0, rel=1e-9)
    # Non-cyclic from 50 % (50 MWh): it delivers 50 × 0.9 = 45 MWh; gas 155 MWh × 50 $ = 7 750 $.
    results, solved = solve_raw(_storage_case(tmp_path, cyclic=False))
    assert solved.objective == pytest.approx(7_750.0, rel=1e-9)
    assert float(results["discharge_mw"].sum()) == pytest.approx(45.0, abs=1e-6)


@pytest.mark.parametrize(("hours_in_state", "objective"), [(None, 300.0), (1, 1_800.0)])
def test_non_cyclic_commitment_carries_the_initial_minimum_up_time(tmp_path, solve_raw, hours_in_state, objective):
    # 60 MW for 4 h, met by 60 MW of free PV. One unit (min stable 50 %, min up 4 h, shut-down
    # 3 $/MW = 300 $) is on before the first hour. Long on (null): it shuts down at once: 300 $.
    # On for 1 h only: it must stay on 3 more hours at ≥ 50 MW (PV curtailed):
    # 3 h × 50 MW × 10 $ = 1 500 $, then shuts down (300 $) — cheaper than staying on (2 000 $): 1 800 $.
    raw = tiny_scenario(tmp_path, [60] * 4, columns={"cf": [1.0] * 4}, extra={
        "technologies": {"base": thermal(10, unit_size_mw=100, min_stable_output=0.5, min_up_hours=4, shutdown_cost_per_mw=3.0),
                         "pv": {"kind": "variable"}},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0, "initial_units_online": 1,
                         "initial_hours_in_state": hours_in_state},
                   "s": {"zone": "z", "technology": "pv", "existing_mw": 60, "max_new_mw": 0,
                         "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}}},
        "unit_commitment": {"mode": "integer"},
    })
    raw["horizon"]["cyclic"] = False
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert float(results["shutdowns"].sum()) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(("horizon", "message"), [
    ({"hours": 7, "resolution_hours": 2}, "resolution_hours = 2 must divide hours = 7"),
    ({"hours": 48, "resolution_hours": 5}, "resolution_hours = 5 must divide hours = 48"),
    ({"hours": 48, "storage_cycle": "day", "resolution_hours": 16}, "must divide the storage cycle (day = 24 h)"),
    ({"hours": 48, "cyclic": False, "storage_cycle": "day"}, "cyclic: false needs storage_cycle: horizon"),
])
def test_resolution_and_cyclic_errors_name_the_key(tmp_path, horizon, message):
    raw = tiny_scenario(tmp_path, [1.0] * 4, extra={"technologies": {"gas": thermal(10)},
                                                    "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 10}}})
    raw["horizon"].update(horizon)
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    assert any(p.startswith("horizon") and message in p for p in info.value.problems), info.value.problems


def test_unweighted_shedding_figures_count_the_snapshot_hours(tmp_path, solve_raw):
    # 4 h of 100 MW as two 2-hour snapshots, 60 MW of gas: 40 MW unserved in both snapshots →
    # 40 MW × 4 h = 160 MWh and 4 loss-of-load hours in the modelled hours (weights 2 h each: the
    # weighted figures agree, 2 × 2 × 40 = 160 MWh), modelled_hours 4.
    from planning.metrics.summary import horizon_rows, shedding_rows

    raw = tiny_scenario(tmp_path, [100] * 4, extra={"technologies": {"gas": thermal(10)},
                                                    "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 60, "max_new_mw": 0}}})
    raw["horizon"]["resolution_hours"] = 2
    results, _ = solve_raw(raw)
    rows = {name: value for name, value, _ in shedding_rows(results) + horizon_rows(results)}
    assert rows["modelled_unserved_energy_mwh"] == pytest.approx(160.0)
    assert rows["modelled_loss_of_load_hours"] == pytest.approx(4.0)
    assert rows["unserved_energy_mwh"] == pytest.approx(160.0)
    assert rows["modelled_hours"] == pytest.approx(4.0) and rows["represented_hours"] == pytest.approx(4.0)


@pytest.mark.parametrize("cyclic", [True, False])
def test_data_center_backlog_with_two_hour_snapshots(cyclic):
    """The learned campus of the main example, 48 h as 24 two-hour snapshots (LP): the backlog moves by
    Δt·(arrived − done) = 2·(A − W) MWh per snapshot, waits at most ⌊D/Δt⌋ snapshots' arrivals (× 2 h), and
    every arrived job is done (cyclic: over the cycle; non-cyclic: the backlog starts and ends empty)."""
    import math

    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.workflows.run import solve_scenario
    from tests.conftest import REPO

    overrides = ["horizon.hours=48", "horizon.resolution_hours=2", "horizon.storage_cycle=horizon", "unit_commitment.mode='off'",
                 f"horizon.cyclic={str(cyclic).lower()}"]
    scenario = load_scenario(REPO / "scenarios" / "isone_datacenter_week.yaml", overrides)
    results, solved, _ = solve_scenario(scenario)
    assert solved.has_solution
    arrived = results["work_arrived"].sel(datacenter="campus").values
    done = results["work_done"].sel(datacenter="campus").values
    backlog = results["backlog"].sel(datacenter="campus").values
    assert len(backlog) == 24
    before = np.roll(backlog, 1)
    if not cyclic:
        before[0] = 0.0
        assert backlog[-1] == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(backlog, before + 2.0 * (arrived - done), atol=1e-6)
    assert 2.0 * arrived.sum() == pytest.approx(2.0 * done.sum() + (backlog[-1] if not cyclic else 0.0), rel=1e-9)
    steps = math.floor(float(load_inputs(scenario)["dc_max_delay_h"].sel(datacenter="campus")) / 2)
    window = sum(np.roll(arrived, k) if cyclic else np.concatenate([np.zeros(k), arrived[:len(arrived) - k]]) for k in range(steps))
    assert np.all(backlog <= 2.0 * window + 1e-6)
    assert float(np.abs(done - arrived).sum()) > 1e-3   # the campus does move work


