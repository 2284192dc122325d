"""Storage and transmission: no loss sink (simultaneous charge/discharge, flows both ways).

Hand-computable must-run case (weight 1 h, cyclic 4 h, fuel 1 $/MMBtu): demand 100/40/100/100 MW;
one 100 MW base unit at 10 $/MWh with minimum stable output 0.6 (60 MW when committed) and a
start-up cost of 50 $/MW (5000 $ a start); a peaker (no commitment) at 100 $/MWh.

* Physically, in hour 1 the base unit cannot stay on (60 MW > 40 MW of demand) unless something
  absorbs 20 MW. Hours 0, 2, 3 need the full 100 MW of base, so there is no spare energy to
  store before or after. It must shut down for hour 1: peaker 40 MWh × 100 $ = 4000 $, base
  300 MWh × 10 $ = 3000 $, one start 5000 $ → **12000 $**.
* A lossy sink would keep it on: a battery that charges c and discharges d in the same hour, or
  a corridor that sends f out and (1−λ)-scaled flows back, burns energy at no cost. Then the
  base unit runs 60 MW in hour 1 and everything costs only (100+60+100+100 − stored-and-returned
  energy) × 10 $ — a leak of ≈ 8000 $ (two thirds of the cost).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import thermal, tiny_scenario

DEMAND = [100.0, 40.0, 100.0, 100.0]
MUST_RUN_COST = 12000.0


def must_run_case(tmp_path, mode="integer", extra_plants=None, extra_technologies=None, **sections):
    raw = tiny_scenario(tmp_path, DEMAND, columns={"zero": [0.0] * 4}, extra={
        "technologies": {"base": thermal(10, unit_size_mw=100, min_stable_output=0.6, startup_cost_per_mw=50),
                         "peak": thermal(100), **(extra_technologies or {})},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "p": {"zone": "z", "technology": "peak", "existing_mw": 100, "max_new_mw": 0},
                   **(extra_plants or {})},
        "unit_commitment": {"mode": mode},
        **sections,
    })
    return raw


def battery_case(tmp_path, mode="integer"):
    # 100 MW / 10 MWh battery, η = 0.8 each way (round trip 0.64). Legitimately it can store at
    # most 10 MWh in hour 1 (12.5 MW of charge) — less than the 20 MW surplus.
    return must_run_case(tmp_path, mode, extra_technologies={
        "bat": {"kind": "storage", "charge_efficiency": 0.8, "discharge_efficiency": 0.8}},
        extra_plants={"s": {"zone": "z", "technology": "bat", "existing_mw": 100, "existing_mwh": 10,
                            "max_new_mw": 0, "max_new_mwh": 0}})


def corridor_case(tmp_path, mode="integer", max_new_mw=0.0):
    # A second zone "far" with no demand and no plants, joined by a 200 MW corridor losing 10 %.
    raw = must_run_case(tmp_path, mode)
    series = raw["zones"]["z"]["demand"]["file"]
    raw["zones"]["far"] = {"demand": {"file": series, "column": "zero"}}
    raw["transmission"] = {"corridor": {"from_zone": "z", "to_zone": "far", "existing_mw": 200,
                                        "max_new_mw": max_new_mw, "loss_fraction": 0.1}}
    return raw


def test_battery_is_no_sink_for_must_run_output(tmp_path, solve_raw):
    # Before the fix: 3520 $ — base on all 4 h; in hour 1 the battery stores 10 MWh (12.5 MW) and
    # burns the other 7.5 MW by charging 20.8 and discharging 13.3 MW at once (0.36 lost), then
    # returns 8 MWh in hour 2: base (100+60+92+100) × 10 $ = 3520 $.
    results, solved = solve_raw(battery_case(tmp_path))
    assert solved.objective == pytest.approx(MUST_RUN_COST, rel=1e-9)
    charge = results["charge_mw"].sel(plant="s").values
    discharge = results["discharge_mw"].sel(plant="s").values
    assert np.minimum(charge, discharge).max() <= 1e-6
    np.testing.assert_allclose(results["committed_units"].sel(plant="b").values, [1, 0, 1, 1], atol=1e-6)


def test_corridor_is_no_sink_for_must_run_output(tmp_path, solve_raw):
    # Before the fix: 3600 $ — base on all 4 h; in hour 1 the corridor sends f = 105.3 MW to "far",
    # which sends 0.9·f = 94.7 MW back (0.9 of it arrives): 20 MW lost, no cost.
    results, solved = solve_raw(corridor_case(tmp_path))
    assert solved.objective == pytest.approx(MUST_RUN_COST, rel=1e-9)
    assert np.abs(results["flow_mw"].values).max() <= 1e-6


def test_expandable_corridor_is_no_sink_either(tmp_path, solve_raw):
    # Same with a corridor that may be expanded for free up to 300 MW more: still no round trip.
    results, solved = solve_raw(corridor_case(tmp_path, max_new_mw=300.0))
    assert solved.objective == pytest.approx(MUST_RUN_COST, rel=1e-9)
    assert np.abs(results["flow_mw"].values).max() <= 1e-6


@pytest.mark.parametrize("case", [battery_case, corridor_case])
def test_without_commitment_a_sink_has_no_value(tmp_path, solve_raw, case):
    # Without unit commitment every injection can fall to 0 at no extra cost, so prices are ≥ 0 and
    # a sink has no value (the block docstrings' argument). The base unit (no min stable output)
    # follows demand: 340 MWh × 10 $ = 3400 $, with or without the battery or corridor.
    results, solved = solve_raw(case(tmp_path, mode="off"))
    assert solved.objective == pytest.approx(3400.0, rel=1e-9)
    np.testing.assert_allclose(results["generation_mw"].sel(plant="b").values, DEMAND, atol=1e-6)


def test_linear_commitment_sink_is_bounded_by_power(tmp_path, solve_raw):
    # Linear (relaxed) commitment stays an LP, so the exclusion is only relaxed: the one row
    # charge + discharge ≤ capacity (the LP relaxation of "one of them is zero") holds, the sink
    # does not go away. Hand optimum: keep u constant (no start-up), base ≤ 100·u in hours 0, 2, 3
    # and ≥ 60·u in hour 1. The battery covers the 3 × 100·(1 − u) MW short in hours 0, 2, 3,
    # storing 3·100·(1 − u)/0.8 ≤ 10 MWh in hour 1 → u = 1 − 10·0.8/300 = 0.97333; the rest of the
    # hour-1 surplus (60u − 40 − 12.5 = 5.9 MW) is burned. Cost = 10 $ × 360·u = 3504 $ < 12000 $
    # (integer): a valid but weaker bound.
    results, solved = solve_raw(battery_case(tmp_path, mode="linear"))
    assert solved.objective == pytest.approx(3600.0 * (1 - 8.0 / 300.0), rel=1e-9)
    charge = results["charge_mw"].sel(plant="s").values
    discharge = results["discharge_mw"].sel(plant="s").values
    assert (charge + discharge).max() <= 100.0 + 1e-6


def test_lossless_ac_line_is_no_sink_and_needs_no_binary(tmp_path, solve_raw):
    # The corridor as an AC line (model: dc_power_flow, lossless): sending and returning loses nothing,
    # so it cannot absorb the hour-1 surplus either — 12000 $, no flow, and no direction binaries.
    from planning.config import validate_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model

    raw = corridor_case(tmp_path)
    raw["transmission"]["corridor"].update(loss_fraction=0.0, model="dc_power_flow", reactance_pu=0.1)
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(MUST_RUN_COST, rel=1e-9)
    assert np.abs(results["flow_mw"].values).max() <= 1e-6
    assert not hasattr(build_model(load_inputs(validate_scenario(raw))).model, "forward")
