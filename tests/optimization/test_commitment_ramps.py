"""Ramp limits with start-up and shut-down headroom, computed by hand (one unit, so the clustered
ramp rows are exact).

A 100 MW unit at 10 $/MWh and a peaker (no commitment) at 100 $/MWh; demand 0/90/90/90/0/0 MW,
weight 1 h, cyclic. In the zero-demand hours the unit must be off (it cannot produce its minimum
stable output with nothing to serve it). A unit that starts may produce at most max(m, RU)·S in
its first hour; one that shuts down must have come down to max(m, RD)·S in its last hour on.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import thermal, tiny_scenario


@pytest.mark.parametrize(("stable", "ramp", "base"), [
    # m = 0.5, RU = RD = 0.2: start at max(0.5, 0.2)·100 = 50, ramp +20 → 70, and be at
    # max(0.5, 0.2)·100 = 50 before shutting down in hour 4: 50/70/50.
    (0.5, 0.2, [0, 50, 70, 50, 0, 0]),
    # m = 0.3, RU = RD = 0.4: start at max(0.3, 0.4)·100 = 40, ramp +40 → 80, down to 40: 40/80/40.
    (0.3, 0.4, [0, 40, 80, 40, 0, 0]),
])
def test_ramps_with_startup_and_shutdown_headroom(tmp_path, solve_raw, stable, ramp, base):
    raw = tiny_scenario(tmp_path, [0, 90, 90, 90, 0, 0], extra={
        "technologies": {"base": thermal(10, unit_size_mw=100, min_stable_output=stable,
                                         ramp_up_per_hour=ramp, ramp_down_per_hour=ramp),
                         "peak": thermal(100)},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "p": {"zone": "z", "technology": "peak", "existing_mw": 100, "max_new_mw": 0}},
        "unit_commitment": {"mode": "integer"},
    })
    results, solved = solve_raw(raw)
    peaker = 270.0 - sum(base)
    # 50/70/50: 170 MWh × 10 $ + 100 MWh × 100 $ = 11700 $; 40/80/40: 1600 + 11000 = 12600 $.
    assert solved.objective == pytest.approx(10.0 * sum(base) + 100.0 * peaker, rel=1e-9)
    np.testing.assert_allclose(results["generation_mw"].sel(plant="b").values, base, atol=1e-6)
    np.testing.assert_allclose(results["committed_units"].sel(plant="b").values, [0, 1, 1, 1, 0, 0], atol=1e-6)
