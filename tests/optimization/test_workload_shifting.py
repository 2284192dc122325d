"""Geo-distributed workload shifting (planning/optimization/blocks/workload_shifting.py), hand-computed.

Two sites of 100 MW IT (min = max, PUE 1, b = 0.5: 50 MW of work each, every hour) in zones a and b
(no corridor), two hours of weight 1 h. Zone b's gas costs 40 $/MWh; the migration overhead is
ε = 0.25, so a MW of a's work run at b costs (1 + ε)·40 = 50 $/MWh there. Moving pays exactly when
a's price exceeds b's by more than ε·40 = 10 $/MWh.

Movable share 0.4 (≤ 0.4·50 = 20 MW of a's work), b's room (100 − 50)/1.25 = 40 MW, migration
limit 15 MW → 15 MW move when it pays, saving 15·2·(λ_a − 50) $.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.optimization.site_cases import site, two_zone_case

SHIFTING = {"movable_share": 0.4, "migration_limit_mw": 15, "migration_overhead_fraction": 0.25}


def pool_case(tmp_path, cost_a: float, shifting: dict | None = None, **section) -> dict:
    return two_zone_case(tmp_path, cost_a, 40, sites={"site_a": site("a", 100, min_it_mw=100), "site_b": site("b", 100, min_it_mw=100)},
                         requirement={"firm_it_mw": 200}, temporal_flexibility=False,
                         workload_shifting=shifting if shifting is not None else SHIFTING, **section)


@pytest.mark.parametrize(("cost_a", "moved_mw", "objective"), [
    # just below the threshold: 49 − 40 = 9 < 10 → nothing moves: a 50·49·2 + b 50·40·2 = 4900 + 4000
    (49.0, 0.0, 8900.0),
    # just above: 51 − 40 = 11 > 10 → 15 MW move: a 35·51·2 = 3570, b (50 + 1.25·15)·40·2 = 5500
    (51.0, 15.0, 9070.0),
])
def test_work_moves_exactly_when_the_price_difference_exceeds_the_overhead(tmp_path, solve_raw, cost_a, moved_mw, objective):
    results, solved = solve_raw(pool_case(tmp_path, cost_a))
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    np.testing.assert_allclose(results["site_moved_out_mw"].sel(site="site_a").values, [moved_mw] * 2, atol=1e-6)
    np.testing.assert_allclose(results["site_moved_in_mw"].sel(site="site_b").values, [moved_mw] * 2, atol=1e-6)
    np.testing.assert_allclose(results["site_it_power_mw"].sel(site="site_a").values, [50 - moved_mw] * 2, atol=1e-6)
    np.testing.assert_allclose(results["site_it_power_mw"].sel(site="site_b").values, [50 + 1.25 * moved_mw] * 2, atol=1e-6)
    # Work balance of the pool: the IT energy net of the overhead is the work that arrived, to 1e-6.
    net = results["site_it_power_mw"].sum("site") - 0.25 * results["site_moved_in_mw"].sum("site")
    np.testing.assert_allclose(net.values, results["site_as_arrived_it_mw"].sum("site").values, atol=1e-6)
    # The zones' balance carries the sites' load.
    np.testing.assert_allclose(results["datacenter_mw"].sel(zone="a").values, [50 - moved_mw] * 2, atol=1e-6)


@pytest.mark.parametrize(("shifting", "moved_mw", "objective"), [
    # no limit: the movable share binds, 0.4·50 = 20 MW: a 30·51·2 = 3060, b (50 + 25)·40·2 = 6000
    ({"movable_share": 0.4, "migration_overhead_fraction": 0.25}, 20.0, 9060.0),
    # classes: 70 % interactive (latency-bound), 30 % batch → 0.3·50 = 15 MW: 3570 + 5500
    ({"classes": {"interactive": {"share": 0.7, "movable": False}, "batch": {"share": 0.3, "movable": True}},
      "migration_overhead_fraction": 0.25}, 15.0, 9070.0),
    # shifting off: 5100 + 4000
    ({"enabled": False, "movable_share": 0.4}, 0.0, 9100.0),
])
def test_movable_share_classes_and_switch(tmp_path, solve_raw, shifting, moved_mw, objective):
    results, solved = solve_raw(pool_case(tmp_path, 51.0, shifting))
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    np.testing.assert_allclose(results["site_moved_out_mw"].sel(site="site_a").values, [moved_mw] * 2, atol=1e-6)


def test_destination_capacity_limits_what_moves(tmp_path, solve_raw):
    """Site b of 40 MW (20 MW of its own work at b = 0.5) has room (40 − 20)/1.25 = 16 MW for a's work, less than the
    0.4·50 = 20 MW movable → 16 MW move and b runs at its full 40 MW."""
    raw = pool_case(tmp_path, 51.0, {"movable_share": 0.4, "migration_overhead_fraction": 0.25})
    raw["datacenter_sites"]["requirement"] = {"firm_it_mw": 140}
    raw["datacenter_sites"]["candidates"]["site_b"].update(min_it_mw=40, max_it_mw=40)
    results, _ = solve_raw(raw)
    np.testing.assert_allclose(results["site_moved_in_mw"].sel(site="site_b").values, [16.0, 16.0], atol=1e-6)
    np.testing.assert_allclose(results["site_it_power_mw"].sel(site="site_b").values, [40.0, 40.0], atol=1e-6)
