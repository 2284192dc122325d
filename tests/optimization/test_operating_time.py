"""Commitment and the data-center backlog run in operating time, not in storage cycles.

``horizon.storage_cycle: day`` makes the *storage* state of charge cyclic within each day. Unit
commitment and the data-center backlog must still carry from 23:00 to 00:00 of the *next* day in a
chronological run (the first hour of the horizon follows its last); only representative periods
are separate cycles for them. Each case below is built so that wrapping 23:00 → 00:00 of the same
day gives a different, hand-computed answer.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

from planning.optimization.blocks import datacenter
from planning.optimization.context import ModelContext
from planning.optimization.solve import solve_model
from planning.config.solver import Solver
from tests.conftest import thermal, tiny_scenario


def test_previous_in_operation_is_chronological_and_cyclic_over_the_horizon():
    inputs = xr.Dataset({"weight_h": ("snapshot", np.ones(6)), "period": ("snapshot", [0, 0, 0, 1, 1, 1])},
                        coords={"snapshot": np.arange(6), "zone": ["z"]})
    ctx = ModelContext(pyo.ConcreteModel(), inputs)
    assert ctx.previous_in_period() == [2, 0, 1, 5, 3, 4]        # storage: cyclic within each cycle
    assert ctx.previous_in_operation() == [5, 0, 1, 2, 3, 4]     # commitment, backlog: chronological
    # With representative periods each period is its own cycle for everything.
    represented = inputs.assign(representative_of_period=("calendar_period", [0, 1, 1]))
    assert ModelContext(pyo.ConcreteModel(), represented).previous_in_operation() == [2, 0, 1, 5, 3, 4]


def test_unit_stays_committed_across_midnight_with_daily_storage_cycle(tmp_path, solve_raw):
    # 48 h, storage_cycle: day. Demand 100 MW in hours 12–35 (12:00 day 1 to 11:00 day 2), 0 otherwise.
    # One 100 MW unit at 10 $/MWh, min stable output 0.5 (so it must be off at zero demand),
    # start-up cost 5 $/MW × 100 MW = 500 $ per start. Energy: 24 h × 100 MWh × 10 $ = 24000 $.
    # Chronological: on from hour 12 to hour 35 → one start → 24500 $.
    # (Wrapping within each day, hour 24 would follow hour 47 (off): a second start → 25000 $.)
    demand = [0.0] * 12 + [100.0] * 24 + [0.0] * 12
    raw = tiny_scenario(tmp_path, demand, extra={
        "horizon": {"year": 2021, "start_hour": 0, "hours": 48, "scale_to_year": False, "storage_cycle": "day"},
        "technologies": {"base": thermal(10, unit_size_mw=100, min_stable_output=0.5, startup_cost_per_mw=5.0)},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0}},
        "unit_commitment": {"mode": "integer"},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(24500.0, rel=1e-9)
    starts = results["startups"].sel(plant="b").values
    assert starts.sum() == pytest.approx(1.0, abs=1e-6) and starts[12] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(results["committed_units"].sel(plant="b").values, np.asarray(demand) / 100.0, atol=1e-6)


def test_min_up_time_runs_past_midnight(tmp_path, solve_raw):
    # 48 h, storage_cycle: day. Demand 100 MW in hours 0–1 and 22–23 (the first and last two hours of
    # day 1), 0 otherwise. A 100 MW unit at 10 $/MWh with min stable output 0.5 (off at zero demand)
    # and min up time 4 h; a 50 $/MWh peaker without commitment.
    # Chronologically hours 22–23 are followed by 24–25 (day 2, zero demand) and hours 0–1 by 2–3
    # (zero demand): no 4-hour on-block fits anywhere, so the peaker serves all 4 h:
    # 4 × 100 MWh × 50 $ = 20000 $.
    # (Wrapping day 1 onto itself, 22, 23, 0, 1 would be one 4-hour block for the unit: 4000 $.)
    demand = [100.0] * 2 + [0.0] * 20 + [100.0] * 2 + [0.0] * 24
    raw = tiny_scenario(tmp_path, demand, extra={
        "horizon": {"year": 2021, "start_hour": 0, "hours": 48, "scale_to_year": False, "storage_cycle": "day"},
        "technologies": {"base": thermal(10, unit_size_mw=100, min_stable_output=0.5, min_up_hours=4), "peak": thermal(50)},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "p": {"zone": "z", "technology": "peak", "existing_mw": 100, "max_new_mw": 0}},
        "unit_commitment": {"mode": "integer"},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(20000.0, rel=1e-9)
    np.testing.assert_allclose(results["committed_units"].sel(plant="b").values, 0.0, atol=1e-6)


def _datacenter_inputs(hours: int, period: np.ndarray, arrived: np.ndarray, representative: bool = False) -> xr.Dataset:
    """One data center: flexible fleet 100 MW, throughput = power (x = y = [0, 1]), no baseline,
    PUE 1, longest delay 2 h, no binding ramp."""
    inputs = xr.Dataset(
        {
            "weight_h": ("snapshot", np.ones(hours)),
            "period": ("snapshot", period),
            "dc_zone": ("datacenter", np.array(["z"], dtype=object)),
            "dc_flexibility": ("datacenter", np.array(["learned"], dtype=object)),
            "dc_formulation": ("datacenter", np.array(["cuts"], dtype=object)),
            "dc_flexible_rating_mw": ("datacenter", [100.0]),
            "dc_max_delay_h": ("datacenter", [2.0]),
            "dc_ramp_mw_per_h": ("datacenter", [1e4]),
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
    if representative:
        inputs = inputs.assign(representative_of_period=("calendar_period", np.unique(period)))
    return inputs


def _cheapest_schedule(inputs: xr.Dataset, price: np.ndarray) -> tuple[float, np.ndarray]:
    """Minimise Σ_t price_t × facility power_t with the datacenter block alone."""
    ctx = ModelContext(pyo.ConcreteModel(), inputs)
    datacenter.add(ctx)
    model = ctx.model
    model.cost = pyo.Objective(expr=sum(price[t] * term for (zone, t), terms in ctx.withdrawals.items() for term in terms))
    solved = solve_model(model, Solver())
    assert solved.optimal, solved.status
    block = model.datacenter["campus"]
    return pyo.value(model.cost), np.array([pyo.value(block.work_done[t]) for t in ctx.snapshots])


def _work_arriving_at_23(representative: bool):
    """48 h in two daily cycles; 100 MWh arrive at hour 23, price 10 $/MWh except 1 at hour 0 and 5 at hour 24."""
    hours = 48
    arrived = np.zeros(hours)
    arrived[23] = 100.0
    price = np.full(hours, 10.0)
    price[24], price[0] = 5.0, 1.0
    return _cheapest_schedule(_datacenter_inputs(hours, np.arange(hours) // 24, arrived, representative=representative), price)


def test_backlog_carries_across_midnight_with_daily_cycles():
    # 48 h in two daily cycles (the storage cycle). 100 MWh of work arrives at 23:00 of day 1
    # (hour 23) and may wait 2 h. Price 10 $/MWh except 5 at 00:00 of day 2 (hour 24) and 1 at
    # 00:00 of day 1 (hour 0).
    # Chronological: the work is done at hour 23 or 24 → at 24 for 100 × 5 = 500 $.
    # (Wrapping day 1 onto itself it could be done at hour 0, "after" 23:00 of the same day: 100 $.)
    cost, done = _work_arriving_at_23(representative=False)
    assert cost == pytest.approx(500.0, rel=1e-9)
    expected = np.zeros(48)
    expected[24] = 100.0
    np.testing.assert_allclose(done, expected, atol=1e-6)


def test_backlog_wraps_within_a_representative_period():
    # The same two days as representative periods: each is its own cycle, so the work arriving at
    # hour 23 is done at hour 0 of its own period (100 × 1 = 100 $), as documented.
    cost, done = _work_arriving_at_23(representative=True)
    assert cost == pytest.approx(100.0, rel=1e-9)
    assert done[0] == pytest.approx(100.0, abs=1e-6)
