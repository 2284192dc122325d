"""Formulation tests: tiny cases whose optimum is computed by hand (arithmetic in comments).

All use weight 1 h per snapshot (scale_to_year: false) and a fuel at 1 $/MMBtu with
0.1 t CO2/MMBtu unless stated, so a heat rate of h MMBtu/MWh costs h $/MWh and emits 0.1·h t/MWh.
"""

from __future__ import annotations

import numpy as np
import pytest

from planning.errors import SolveError
from tests.conftest import storage_arbitrage_scenario, thermal, tiny_scenario


def test_two_generators_three_hours(tmp_path, solve_raw):
    # base 10 $/MWh (100 MW), peak 30 $/MWh (200 MW), demand 50/150/80:
    # base 50+100+80 = 230 MWh → 2300 $; peak 50 MWh in hour 2 → 1500 $; total 3800 $.
    raw = tiny_scenario(tmp_path, [50, 150, 80], extra={
        "technologies": {"base": thermal(10), "peak": thermal(30)},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "p": {"zone": "z", "technology": "peak", "existing_mw": 200, "max_new_mw": 0}},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(3800.0, rel=1e-9)
    np.testing.assert_allclose(results["generation_mw"].sel(plant="b").values, [50, 100, 80], atol=1e-6)
    np.testing.assert_allclose(results["generation_mw"].sel(plant="p").values, [0, 50, 0], atol=1e-6)
    # The marginal unit sets the price: base, peak, base.
    np.testing.assert_allclose(results["price_per_mwh"].sel(zone="z").values, [10, 30, 10], atol=1e-6)
    # CO2: base 230 MWh × 1 t + peak 50 MWh × 3 t = 380 t.
    assert float(results["co2_t"]) == pytest.approx(380.0, rel=1e-9)


def _cap_case(tmp_path, **policy):
    # coal: 10 $/MWh, 1.0 t/MWh; gas: heat rate 5 at 4 $/MMBtu = 20 $/MWh, 0.5 t/MWh. Demand 100 MW × 3 h.
    return tiny_scenario(tmp_path, [100, 100, 100], extra={
        "fuels": {"dirty": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "clean": {"price_per_mmbtu": 4.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"coal": thermal(10, fuel="dirty"), "gas": thermal(5, fuel="clean")},
        "plants": {"c": {"zone": "z", "technology": "coal", "existing_mw": 200, "max_new_mw": 0},
                   "g": {"zone": "z", "technology": "gas", "existing_mw": 200, "max_new_mw": 0}},
        "policy": policy,
    })


def test_binding_co2_cap(tmp_path, solve_raw):
    # Cap 200 t: coal x + 0.5·(300 − x) ≤ 200 → x = 100 MWh; cost 10·100 + 20·200 = 5000 $.
    # One more MWh of demand: coal −1, gas +2 (keeps CO2 at the cap) → 10·(−1) + 20·2 = 30 $/MWh.
    # Shadow price of the cap: switching 1 MWh coal → gas costs 10 $ and saves 0.5 t → 20 $/t.
    results, solved = solve_raw(_cap_case(tmp_path, co2_cap_t=200))
    assert solved.objective == pytest.approx(5000.0, rel=1e-9)
    assert float(results["co2_t"]) == pytest.approx(200.0, rel=1e-9)
    np.testing.assert_allclose(results["price_per_mwh"].values, 30.0, atol=1e-6)
    assert results.attrs["co2_cap_dual_per_t"] == pytest.approx(20.0, rel=1e-9)


@pytest.mark.parametrize(("price", "coal_mwh", "objective"), [
    (15.0, 300.0, 300 * (10 + 15 * 1.0)),   # coal 25 $/MWh < gas 20 + 7.5 = 27.5
    (25.0, 0.0, 300 * (20 + 25 * 0.5)),     # coal 35 $/MWh > gas 32.5
])
def test_co2_price_switches_merit_order(tmp_path, solve_raw, price, coal_mwh, objective):
    results, solved = solve_raw(_cap_case(tmp_path, co2_price_per_t=price))
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert float(results["generation_mw"].sel(plant="c").sum()) == pytest.approx(coal_mwh, abs=1e-6)


def test_storage_arbitrage(tmp_path, solve_raw):
    # Hour 0: free PV 180 MW, demand 100 → charge 80 MW, stores 0.9·80 = 72 MWh (< 100 MWh).
    # Hour 1: no PV, discharge 72·0.9 = 64.8 MW; gas (50 $/MWh) serves 35.2 MW → 1760 $.
    # Price hour 1 = 50 (gas marginal); hour 0: one more MWh of demand means 1 MWh less charged,
    # 0.81 MWh less discharged, 0.81 MWh more gas → 0.81·50 = 40.5 $/MWh.
    raw = storage_arbitrage_scenario(tmp_path)
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(1760.0, rel=1e-9)
    np.testing.assert_allclose(results["charge_mw"].sel(plant="b").values, [80, 0], atol=1e-6)
    np.testing.assert_allclose(results["discharge_mw"].sel(plant="b").values, [0, 64.8], atol=1e-6)
    np.testing.assert_allclose(results["price_per_mwh"].sel(zone="z").values, [40.5, 50.0], atol=1e-6)


@pytest.mark.parametrize(("loss", "objective", "gen_b"), [
    (0.0, 10 * 180 + 30 * 70, 70.0),     # 80 MW sent and received; b makes 150 − 80 = 70
    (0.1, 10 * 180 + 30 * 78, 78.0),     # 80 MW sent, 72 received; b makes 150 − 72 = 78
])
def test_congested_line(tmp_path, solve_raw, loss, objective, gen_b):
    # Zone a: 10 $/MWh, demand 100; zone b: 30 $/MWh, demand 150; corridor limit 80 MW.
    raw = tiny_scenario(tmp_path, [100], columns={"demand_b": [150]}, extra={
        "technologies": {"cheap": thermal(10), "dear": thermal(30)},
        "plants": {"a1": {"zone": "z", "technology": "cheap", "existing_mw": 300, "max_new_mw": 0},
                   "b1": {"zone": "b", "technology": "dear", "existing_mw": 300, "max_new_mw": 0}},
        "transmission": {"zb": {"from_zone": "z", "to_zone": "b", "existing_mw": 80, "loss_fraction": loss}},
    })
    raw["zones"]["b"] = {"demand": {"file": str(tmp_path / "series.csv"), "column": "demand_b"}}
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert results["flow_mw"].sel(line="zb").item() == pytest.approx(80.0, abs=1e-6)
    assert results["generation_mw"].sel(plant="b1").item() == pytest.approx(gen_b, abs=1e-6)
    # Congestion splits the prices: each zone's own marginal unit.
    np.testing.assert_allclose(results["price_per_mwh"].sel(zone=["z", "b"]).values.ravel(), [10, 30], atol=1e-6)


def test_line_expansion_when_worth_it(tmp_path, solve_raw):
    # Same case, no existing corridor, new capability at 5 $/MW/year (lifetime 1, rate 0 → CRF 1).
    # Each MW of line saves 30 − 10 = 20 $ in the single hour > 5 $ → build up to b's demand 150 MW.
    # Cost = 5·150 + 10·250 = 3250 $.
    raw = tiny_scenario(tmp_path, [100], columns={"demand_b": [150]}, extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"cheap": thermal(10), "dear": thermal(30)},
        "plants": {"a1": {"zone": "z", "technology": "cheap", "existing_mw": 300, "max_new_mw": 0},
                   "b1": {"zone": "b", "technology": "dear", "existing_mw": 300, "max_new_mw": 0}},
        "transmission": {"zb": {"from_zone": "z", "to_zone": "b", "max_new_mw": 1000, "capex_per_mw": 5, "lifetime_years": 1}},
    })
    raw["zones"]["b"] = {"demand": {"file": str(tmp_path / "series.csv"), "column": "demand_b"}}
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(3250.0, rel=1e-9)
    assert float(results["line_new_mw"].sel(line="zb")) == pytest.approx(150.0, abs=1e-6)


def test_screening_curve_expansion(tmp_path, solve_raw):
    # Demand 100 then 50 MW; rate 0, lifetime 1 → annual cost = capex.
    # base: 60 $/MW + 10 $/MWh; peak: 15 $/MW + 50 $/MWh.
    # 2-hour band: base 60 + 2·10 = 80 < peak 15 + 2·50 = 115 → 50 MW base.
    # 1-hour band: base 60 + 10 = 70 > peak 15 + 50 = 65 → 50 MW peak.
    # Cost = 50·60 + 50·15 + 100 MWh·10 + 50 MWh·50 = 3000 + 750 + 1000 + 2500 = 7250 $.
    # Prices: p0 = 50 + 15 = 65 (peak's capacity binds in hour 0 only);
    # base: (p0 − 10) + (p1 − 10) = 60 → p1 = 15.
    raw = tiny_scenario(tmp_path, [100, 50], extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"base": thermal(10, capex=60), "peak": thermal(50, capex=15)},
        "plants": {"b": {"zone": "z", "technology": "base"}, "p": {"zone": "z", "technology": "peak"}},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(7250.0, rel=1e-9)
    np.testing.assert_allclose(results["new_mw"].sel(plant=["b", "p"]).values, [50, 50], atol=1e-6)
    np.testing.assert_allclose(results["price_per_mwh"].sel(zone="z").values, [65, 15], atol=1e-6)


def test_retirement_saves_fixed_om(tmp_path, solve_raw):
    # 100 MW existing with 7 $/MW/year fixed O&M, demand 40 MW for 1 h at 10 $/MWh:
    # retire 60 MW; cost = 40·7 + 40·10 = 680 $. Without retirement: 100·7 + 400 = 1100 $.
    technologies = {"old": thermal(10, fixed_om_per_mw_year=7)}
    for can_retire, objective, retired in ((True, 680.0, 60.0), (False, 1100.0, 0.0)):
        raw = tiny_scenario(tmp_path, [40], extra={
            "technologies": technologies,
            "plants": {"o": {"zone": "z", "technology": "old", "existing_mw": 100, "max_new_mw": 0, "can_retire": can_retire}},
        })
        results, solved = solve_raw(raw)
        assert solved.objective == pytest.approx(objective, rel=1e-9)
        assert float(results["retired_mw"].sel(plant="o")) == pytest.approx(retired, abs=1e-6)


def test_unserved_energy_at_voll(tmp_path, solve_raw):
    # 100 MW plant, demand 150 MW for one hour, VOLL 1000 → 50 MWh shed: 100·10 + 50·1000 = 51000 $.
    raw = tiny_scenario(tmp_path, [150], extra={
        "technologies": {"gt": thermal(10)},
        "plants": {"g": {"zone": "z", "technology": "gt", "existing_mw": 100, "max_new_mw": 0}},
        "reliability": {"value_of_lost_load_per_mwh": 1000},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(51000.0, rel=1e-9)
    assert float(results["unserved_mw"].sum()) == pytest.approx(50.0, abs=1e-6)
    assert results["price_per_mwh"].sel(zone="z").item() == pytest.approx(1000.0, rel=1e-9)


def test_infeasible_model_is_diagnosed(tmp_path, solve_raw):
    # No load shedding allowed and 100 MW cannot meet 150 MW in hour 1 → infeasible;
    # the elastic re-solve names the zone, the hour and the 50 MW missing.
    raw = tiny_scenario(tmp_path, [50, 150, 80], extra={
        "technologies": {"gt": thermal(10)},
        "plants": {"g": {"zone": "z", "technology": "gt", "existing_mw": 100, "max_new_mw": 0}},
        "reliability": {"allow_unserved_energy": False},
    })
    with pytest.raises(SolveError) as info:
        solve_raw(raw)
    assert info.value.problems == [
        "zone 'z': demand cannot be met in 1 hour(s), first 2021-01-01T01:00, largest 50 MW — allow unserved energy "
        "(reliability.allow_unserved_energy: true), raise plants.*.max_new_mw, or add transmission"
    ]
