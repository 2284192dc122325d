"""Unit commitment: hand-computable cases, and the written commitment.csv on real data.

Tiny cases use weight 1 h per snapshot (scale_to_year: false), a fuel at 1 $/MMBtu with
0.1 t CO2/MMBtu, so a heat rate of h MMBtu/MWh costs h $/MWh and emits 0.1·h t/MWh. The
horizon is cyclic: the first hour follows the last.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO, tiny_scenario


def thermal(heat_rate, capex=0.0, **extra):
    return {"kind": "thermal", "fuel": "gas", "heat_rate_mmbtu_per_mwh": heat_rate, "capex_per_mw": capex, "lifetime_years": 1, **extra}


def valley_case(tmp_path, mode="integer", **unit):
    """Demand 100 MW for 6 h; free PV covers hours 2–3 fully; one 100 MW base unit at 10 $/MWh
    with minimum stable output 0.5 (50 MW) serves the rest."""
    raw = tiny_scenario(tmp_path, [100] * 6, columns={"cf": [0, 0, 1, 1, 0, 0]}, extra={
        "technologies": {"base": thermal(10, unit_size_mw=100, min_stable_output=0.5, **unit),
                         "pv": {"kind": "variable"}},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "s": {"zone": "z", "technology": "pv", "existing_mw": 100, "max_new_mw": 0,
                         "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}}},
        "unit_commitment": {"mode": mode},
    })
    return raw


@pytest.mark.parametrize(("min_up", "min_down", "objective", "committed"), [
    # Free to cycle: off in the valley (hours 2–3). Base 4 h × 100 MWh × 10 $ = 4000 $.
    (1, 1, 4000.0, [1, 1, 0, 0, 1, 1]),
    # The on-block (hours 4,5,0,1) is 4 h ≥ 4 and the off-block 2 h ≥ 2: cycling still allowed.
    (4, 2, 4000.0, [1, 1, 0, 0, 1, 1]),
    # Min up 6 h (the whole cyclic horizon) > the 4 h on-block: stays on through the valley at
    # 50 MW (PV curtailed 50): 4 × 100 + 2 × 50 = 500 MWh × 10 $ = 5000 $.
    (6, 1, 5000.0, [1, 1, 1, 1, 1, 1]),
    # Min up 5 h: the on-block stretches over one valley hour only (off for 1 h):
    # 4 × 100 + 1 × 50 = 450 MWh → 4500 $; on for 5 of the 6 hours.
    (5, 1, 4500.0, 5),
    # Min down 3 h > the 2 h valley: shutting down would leave 100 MW unserved for an hour
    # (VOLL 10000 $/MWh), so it stays on: 5000 $.
    (1, 3, 5000.0, [1, 1, 1, 1, 1, 1]),
])
def test_min_up_and_down_time_through_a_valley(tmp_path, solve_raw, min_up, min_down, objective, committed):
    results, solved = solve_raw(valley_case(tmp_path, min_up_hours=min_up, min_down_hours=min_down))
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    u = results["committed_units"].sel(plant="b").values
    if isinstance(committed, int):
        assert u.sum() == pytest.approx(committed, abs=1e-6) and u[[0, 1, 4, 5]].min() == pytest.approx(1.0)
    else:
        np.testing.assert_allclose(u, committed, atol=1e-6)


@pytest.mark.parametrize(("startup_per_mw", "objective", "starts"), [
    # No-load fuel 0.1 MMBtu/MW/h × 100 MW × 1 $ = 10 $ per committed hour.
    # Stay on: 500 MWh × 10 $ + 6 h × 10 $ = 5060 $.  Cycle: 4000 $ + 4 h × 10 $ + 100 MW × c.
    # c = 10 $/MW → 4000 + 40 + 1000 = 5040 < 5060: cycle (one start).
    (10.0, 5040.0, 1),
    # c = 10.5 $/MW → 4000 + 40 + 1050 = 5090 > 5060: stay on (no start).
    (10.5, 5060.0, 0),
])
def test_startup_cost_versus_no_load_cost(tmp_path, solve_raw, startup_per_mw, objective, starts):
    raw = valley_case(tmp_path, startup_cost_per_mw=startup_per_mw, no_load_fuel_mmbtu_per_mw_hour=0.1)
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert results["startups"].sel(plant="b").values.sum() == pytest.approx(starts, abs=1e-6)


def test_startup_fuel_cost_and_co2(tmp_path, solve_raw):
    # Start-up fuel 5 MMBtu/MW × 100 MW = 500 MMBtu per start → 500 $ and 50 t CO2.
    # Cycle: 4000 + 40 (no-load) + 500 = 4540 $ < stay on 5060 $ → one start.
    # CO2: 400 MWh × 1 t + 50 t (start) + 4 h × 10 MMBtu × 0.1 t (no-load) = 454 t.
    raw = valley_case(tmp_path, startup_fuel_mmbtu_per_mw=5.0, no_load_fuel_mmbtu_per_mw_hour=0.1)
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(4540.0, rel=1e-9)
    assert float(results["co2_t"]) == pytest.approx(454.0, rel=1e-9)
    assert float(results["cost_startup"]) == pytest.approx(540.0, rel=1e-9)


def test_ramp_limit_forces_a_peaker(tmp_path, solve_raw):
    # Demand 40/100/40/40. Base unit 100 MW at 10 $/MWh, ramps 30 MW/h (0.3 of its size):
    # 40 → 70 → 40, the peaker (30 $/MWh, no commitment) covers 30 MW in hour 1.
    # Cost: base (40+70+40+40) × 10 = 1900 $ + peaker 30 × 30 = 900 $ → 2800 $.
    # (Without the ramp limit: 220 × 10 = 2200 $.)
    def case(ramp):
        return tiny_scenario(tmp_path, [40, 100, 40, 40], extra={
            "technologies": {"base": thermal(10, unit_size_mw=100, ramp_up_per_hour=ramp, ramp_down_per_hour=ramp),
                             "peak": thermal(30)},
            "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                       "p": {"zone": "z", "technology": "peak", "existing_mw": 100, "max_new_mw": 0}},
        })
    results, solved = solve_raw(case(0.3))
    assert solved.objective == pytest.approx(2800.0, rel=1e-9)
    np.testing.assert_allclose(results["generation_mw"].sel(plant="b").values, [40, 70, 40, 40], atol=1e-6)
    results, solved = solve_raw(case(None))
    assert solved.objective == pytest.approx(2200.0, rel=1e-9)


@pytest.mark.parametrize(("mode", "objective", "new_mw"), [
    # Demand 250 MW for 2 h, units of 100 MW at 1000 $/MW/year (discount rate 0 → CRF 1), 10 $/MWh.
    # Integer build: 3 units = 300 MW → 300000 $ + 500 MWh × 10 $ = 305000 $.
    ("integer", 305000.0, 300.0),
    # Linear (relaxed) commitment builds exactly 250 MW → 250000 + 5000 = 255000 $.
    ("linear", 255000.0, 250.0),
    # Off: the plain LP, same as linear here.
    ("off", 255000.0, 250.0),
])
def test_integer_units_built(tmp_path, solve_raw, mode, objective, new_mw):
    raw = tiny_scenario(tmp_path, [250, 250], extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"base": thermal(10, capex=1000, unit_size_mw=100)},
        "plants": {"b": {"zone": "z", "technology": "base"}},
        "unit_commitment": {"mode": mode},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert float(results["new_mw"].sel(plant="b")) == pytest.approx(new_mw, rel=1e-9)
    assert solved.is_mip == (mode == "integer")
    assert ("committed_units" in results) == (mode != "off")


def test_linear_commitment_is_a_relaxation(tmp_path, solve_raw):
    # Relaxed UC may commit half a unit through the valley (u = 0.5 → Pmin 25 MW... ) so its
    # cost is at most the integer cost: valley case with min up 5 h: integer 5000 $ (above).
    # Linear: u ∈ [0,1] with Σ starts over 5 h ≤ u; keeping u = 1 in hours 4..1 and 0.0 in the
    # valley needs one start at hour 4 which forces u ≥ 1 for 5 h — so the relaxation can
    # instead keep u = 1 outside and u at its least over the valley; the bound holds either way.
    results_int, solved_int = solve_raw(valley_case(tmp_path, min_up_hours=5))
    results_lin, solved_lin = solve_raw(valley_case(tmp_path, mode="linear", min_up_hours=5))
    assert solved_lin.objective <= solved_int.objective + 1e-6
    assert solved_lin.objective >= 4000.0 - 1e-6  # no cheaper than free cycling


def real_case(out_dir, **sets):
    """Three August days of ISO-NE with 500 MW CCGT units and 100 MW OCGT units (a MILP, ~7 s)."""
    from planning.workflows.run import run_scenario

    return run_scenario(real_case_scenario(**sets), out_dir)


def real_case_scenario(**sets):
    """The scenario of :func:`real_case` (``sets``: more overrides, key → value)."""
    from planning.config import load_scenario

    overrides = [
        "horizon.hours=72", "horizon.storage_cycle=horizon",
        "technologies.ccgt.unit_size_mw=500", "technologies.ccgt.min_stable_output=0.4",
        "technologies.ccgt.min_up_hours=6", "technologies.ccgt.min_down_hours=4",
        "technologies.ccgt.startup_cost_per_mw=60", "technologies.ccgt.ramp_up_per_hour=0.5",
        "technologies.ccgt.ramp_down_per_hour=0.5",
        "technologies.ocgt.unit_size_mw=100", "technologies.ocgt.min_up_hours=2", "technologies.ocgt.startup_cost_per_mw=20",
        "policy.co2_price_per_t=150",  # cheap gas would run flat; at 150 $/t the CCGTs cycle around solar
        "solver.mip_gap=0.001",
        *[f"{key}={value}" for key, value in sets.items()],
    ]
    return load_scenario(REPO / "scenarios" / "isone_week.yaml", overrides)


def check_commitment_table(commitment: pd.DataFrame, capacity: pd.DataFrame, sizes: dict, min_up: dict, min_down: dict) -> int:
    """Assert the state equation, min up/down (cyclic) and integrality; return the number of starts."""
    starts = 0
    for technology, rows in commitment.groupby("technology"):
        rows = rows.sort_values("snapshot")
        u, su, sd = (rows[c].to_numpy() for c in ("committed_units", "startups", "shutdowns"))
        np.testing.assert_allclose(u, np.round(u), atol=1e-6)
        np.testing.assert_allclose(su, np.round(su), atol=1e-6)
        np.testing.assert_allclose(u - np.roll(u, 1), su - sd, atol=1e-6)
        units = float(capacity.loc[capacity["technology"] == technology, "total_mw"].iloc[0]) / sizes[technology]
        assert (u <= units + 1e-6).all()
        for t in range(len(u)):
            up = [(t - k) % len(u) for k in range(min_up[technology])]
            down = [(t - k) % len(u) for k in range(min_down[technology])]
            assert su[up].sum() <= u[t] + 1e-6
            assert sd[down].sum() <= units - u[t] + 1e-6
        starts += int(round(su.sum()))
    return starts


def test_written_commitment_satisfies_state_and_min_up_down(tmp_path):
    outcome = real_case(tmp_path / "run")
    commitment = pd.read_csv(tmp_path / "run" / "commitment.csv")
    capacity = pd.read_csv(tmp_path / "run" / "capacity.csv")
    assert list(commitment.columns) == ["snapshot", "weight", "zone", "technology", "committed_units", "startups", "shutdowns"]
    assert set(commitment["technology"]) == {"ccgt", "ocgt"}
    assert len(commitment) == 2 * 72
    starts = check_commitment_table(commitment, capacity, {"ccgt": 500, "ocgt": 100}, {"ccgt": 6, "ocgt": 2}, {"ccgt": 4, "ocgt": 1})
    assert starts > 0  # the case does exercise start-ups
    summary = outcome.summary.set_index("metric")["value"]
    assert outcome.facts["prices_from"] == "fixed-integer LP re-solve"
    assert float(summary["startup_cost"]) > 0
