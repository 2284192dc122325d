"""statistics.csv: hand-computed figures on the storage arbitrage case, agreement with the model's
cost categories, and the zero-profit condition of free entry in an LP."""

from __future__ import annotations

import numpy as np
import pytest

from planning.config import validate_scenario
from planning.metrics.statistics import statistics_table
from planning.workflows.run import solve_scenario
from tests.conftest import storage_arbitrage_scenario, thermal, tiny_scenario


def _row(table, zone, technology):
    rows = table[(table["zone"] == zone) & (table["technology"] == technology)]
    assert len(rows) == 1, (zone, technology)
    return rows.iloc[0]


def test_storage_arbitrage_figures_by_hand(tmp_path):
    # conftest: PV 180 MW free in hour 0, demand 100/100, battery 90 %/90 %, gas 50 $/MWh at 5 t/MWh.
    # Optimum: charge the 80 MW surplus, discharge 80·0.81 = 64.8 MW, gas 35.2 MW in hour 1.
    # Prices: hour 1 = 50 (gas); hour 0 = 0.81·50 = 40.5 (a MW more demand in hour 0 costs 0.81 MWh of gas later).
    scenario = validate_scenario(storage_arbitrage_scenario(tmp_path))
    results, _, _ = solve_scenario(scenario)
    table = statistics_table(results, scenario)
    gas, pv, battery = _row(table, "z", "gas"), _row(table, "z", "pv"), _row(table, "z", "bat")
    assert gas["generation_mwh"] == pytest.approx(35.2, rel=1e-9)
    assert gas["energy_revenue_per_year"] == pytest.approx(35.2 * 50, rel=1e-9)
    assert gas["fuel_cost_per_year"] == pytest.approx(1760.0, rel=1e-9)
    assert gas["co2_t"] == pytest.approx(176.0, rel=1e-9)
    assert gas["capacity_factor"] == pytest.approx(35.2 / (200 * 2), rel=1e-9)
    assert gas["market_value_per_mwh"] == pytest.approx(50.0, rel=1e-9)
    assert pv["generation_mwh"] == pytest.approx(180.0, rel=1e-9)
    assert pv["energy_revenue_per_year"] == pytest.approx(180 * 40.5, rel=1e-9)
    assert pv["curtailment_mwh"] == pytest.approx(0.0, abs=1e-9)
    assert pv["capacity_factor"] == pytest.approx(0.5, rel=1e-9)
    assert battery["generation_mwh"] == pytest.approx(64.8, rel=1e-9)
    assert battery["consumption_mwh"] == pytest.approx(80.0, rel=1e-9)
    # 64.8·50 − 80·40.5 = 3240 − 3240: the battery's whole spread is the efficiency loss
    assert battery["energy_revenue_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert battery["total_mwh"] == pytest.approx(100.0) and np.isnan(gas["total_mwh"])
    zone = _row(table, "z", "total")
    assert zone["demand_mwh"] == pytest.approx(200.0)
    assert zone["price_mean_per_mwh"] == pytest.approx((40.5 + 50) / 2, rel=1e-9)
    assert zone["price_max_per_mwh"] == pytest.approx(50.0, rel=1e-9)
    assert zone["price_cap_hours"] == 0
    assert zone["generation_mwh"] == pytest.approx(35.2 + 180 + 64.8, rel=1e-9)
    system = _row(table, "total", "total")
    assert system["co2_t"] == pytest.approx(176.0, rel=1e-9)


def free_entry_scenario(folder, co2_price=0.0, **sections):
    """Four hours scaled to a year (weight 2190 h), nothing existing: gas (capex 300 000 $/MW, 10 + 2 $/MWh, 1 t/MWh),
    PV (capex 500 000 $/MW, profile 0.9/0.5/0/0) and a battery (power and energy capex), VOLL 1000 $/MWh."""
    raw = tiny_scenario(folder, [100, 150, 120, 60], columns={"cf": [0.9, 0.5, 0.0, 0.0]}, extra={
        "horizon": {"year": 2021, "start_hour": 0, "hours": 4, "scale_to_year": True},
        "economics": {"discount_rate": 0.05},
        "reliability": {"value_of_lost_load_per_mwh": 1000.0, "allow_unserved_energy": True},
        "policy": {"co2_price_per_t": co2_price},
        "technologies": {
            "gas": thermal(10, capex=300_000.0, fixed_om_per_mw_year=5_000.0, variable_om_per_mwh=2.0, lifetime_years=20),
            "pv": {"kind": "variable", "capex_per_mw": 500_000.0, "lifetime_years": 25, "fixed_om_per_mw_year": 1_000.0},
            "bat": {"kind": "storage", "capex_per_mw": 300_000.0, "capex_per_mwh": 600_000.0, "lifetime_years": 15,
                    "fixed_om_per_mwh_year": 500.0, "charge_efficiency": 0.95, "discharge_efficiency": 0.95},
        },
        "plants": {
            "g": {"zone": "z", "technology": "gas"},
            "s": {"zone": "z", "technology": "pv", "profile": {"file": str(folder / "series.csv"), "column": "cf"}},
            "b": {"zone": "z", "technology": "bat"},
        },
        **sections,
    })
    return validate_scenario(raw)


@pytest.mark.parametrize("co2_price", [0.0, 25.0])
def test_zero_profit_of_every_built_technology_under_free_entry(tmp_path, co2_price):
    scenario = free_entry_scenario(tmp_path, co2_price)
    results, solved, _ = solve_scenario(scenario)
    assert solved.status == "Optimal"
    table = statistics_table(results, scenario)
    plants = table[(table["zone"] == "z") & (table["technology"] != "total")].set_index("technology")
    built = plants[plants["new_mw"] > 1e-6]
    # the case must build gas and PV (and, with the CO2 price, the battery too: 170 MW / 161.5 MWh)
    assert {"gas", "pv"} | ({"bat"} if co2_price else set()) <= set(built.index), plants["new_mw"].to_dict()
    for technology, row in built.iterrows():
        assert row["total_cost_per_year"] > 0
        assert row["profit_per_year"] == pytest.approx(0.0, abs=1e-6 * row["total_cost_per_year"]), (technology, row.to_dict())
    # costs counted once: the plants' costs add up to the model's objective (no lines, no shedding cost here
    # unless unserved energy is bought; it is added from the zone row at VOLL)
    unserved_cost = 1000.0 * _row(table, "z", "total")["unserved_mwh"]
    system = _row(table, "total", "total")
    assert system["total_cost_per_year"] + unserved_cost == pytest.approx(solved.objective, rel=1e-9)
    assert system["co2_cost_per_year"] == pytest.approx(float(results.get("cost_co2", 0.0)), rel=1e-9, abs=1e-9)
    assert system["capex_cost_per_year"] == pytest.approx(float(results["cost_investment"]), rel=1e-9)


@pytest.mark.parametrize("reserves, paid", [({"spinning": {"load_fraction": 0.3}}, "reserve_revenue_per_year"),
                                           ({"planning_reserve_margin": 0.15}, "capacity_revenue_per_year")])
def test_zero_profit_with_reserve_and_capacity_revenue(tmp_path, reserves, paid):
    """Spinning reserve (30 % of load) or a 15 % planning margin pays capacity a second revenue (the dual of the
    requirement); with it every built technology still earns exactly its costs."""
    scenario = free_entry_scenario(tmp_path, 25.0, reserves=reserves)
    results, solved, _ = solve_scenario(scenario)
    assert solved.status == "Optimal"
    table = statistics_table(results, scenario)
    plants = table[(table["zone"] == "z") & (table["technology"] != "total")].set_index("technology")
    built = plants[plants["new_mw"] > 1e-6]
    assert {"gas", "pv"} <= set(built.index), plants["new_mw"].to_dict()
    # the requirement binds and is paid: without that revenue gas would lose money
    assert built.loc["gas", paid] > 1e-3 * built.loc["gas", "total_cost_per_year"]
    for technology, row in built.iterrows():
        assert row["profit_per_year"] == pytest.approx(0.0, abs=1e-6 * row["total_cost_per_year"]), (technology, row.to_dict())
    if "planning_reserve_margin" in reserves:
        # the margin row binds at the 150 MW peak: firm MW = 1.15 × 150, each paid the capacity price
        firm = float(results["firm_mw"].sum())
        assert firm == pytest.approx(1.15 * 150.0, rel=1e-9)
        assert plants[paid].sum() == pytest.approx(float(results["capacity_price_per_mw_year"]) * firm, rel=1e-9)


def test_zero_profit_fails_when_prices_are_read_without_weights(tmp_path):
    """The check is not vacuous: prices taken as the raw duals (not ÷ weight) break zero profit."""
    scenario = free_entry_scenario(tmp_path, 25.0)
    results, _, _ = solve_scenario(scenario)
    wrong = results.copy()
    wrong["price_per_mwh"] = results["price_per_mwh"] * results["weight_h"]
    row = _row(statistics_table(wrong, scenario), "z", "gas")
    assert abs(row["profit_per_year"]) > 1e-3 * row["total_cost_per_year"]


def test_zone_figures_count_hours_at_the_price_cap(tmp_path):
    # 100 MW of gas at 10 $/MWh, demand 50 then 150 MW, VOLL 1000 $/MWh: hour 1 sheds 50 MW at a price of 1000.
    raw = tiny_scenario(tmp_path, [50, 150], extra={
        "reliability": {"value_of_lost_load_per_mwh": 1000.0, "allow_unserved_energy": True},
        "technologies": {"gas": thermal(10)},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 100, "max_new_mw": 0}},
    })
    scenario = validate_scenario(raw)
    results, _, _ = solve_scenario(scenario)
    zone = _row(statistics_table(results, scenario), "z", "total")
    assert zone["unserved_mwh"] == pytest.approx(50.0, rel=1e-9)
    assert zone["price_cap_hours"] == 1
    assert zone["price_max_per_mwh"] == pytest.approx(1000.0, rel=1e-9)
    assert zone["price_mean_per_mwh"] == pytest.approx((10 + 1000) / 2, rel=1e-9)
    gas = _row(statistics_table(results, scenario), "z", "gas")
    assert gas["energy_revenue_per_year"] == pytest.approx(50 * 10 + 100 * 1000, rel=1e-9)
    assert gas["profit_per_year"] == pytest.approx(100 * 990, rel=1e-9)


def test_statistics_command_recomputes_the_file_from_results_nc(tmp_path):
    """`planning statistics RESULTS_DIR` rebuilds statistics.csv from results.nc and the resolved scenario:
    the same numbers as the run wrote (results.nc keeps full precision), and the hand-computed 35.2 MWh of gas."""
    import pandas as pd
    from typer.testing import CliRunner

    from planning.cli import app
    from planning.workflows.run import run_scenario

    folder = tmp_path / "run"
    raw = storage_arbitrage_scenario(tmp_path, carbon={"technology_rows": {"gas": "ccgt", "pv": "utility_pv", "bat": "battery"}})
    run_scenario(validate_scenario(raw), folder)
    written = pd.read_csv(folder / "statistics.csv")
    (folder / "statistics.csv").unlink()
    outcome = CliRunner().invoke(app, ["statistics", str(folder), "--quiet"])
    assert outcome.exit_code == 0, outcome.output
    again = pd.read_csv(folder / "statistics.csv")
    pd.testing.assert_frame_equal(again, written, rtol=1e-9)
    assert _row(again, "z", "gas")["generation_mwh"] == pytest.approx(35.2, rel=1e-9)
    missing = CliRunner().invoke(app, ["statistics", str(tmp_path)])
    assert missing.exit_code == 2 and "results.nc: not found" in missing.output


def test_pathway_capex_prices_each_storage_vintage_at_its_own_annuity(tmp_path):
    """A battery (life 10 years, r = 0) built in 2030 (20 MW / 80 MWh) and 2035 (10 MW / 20 MWh): in 2040 the 2030
    vintage is gone (2030 + 10 ≤ 2040). Annuities at r = 0 are capex / 10: 2030 100/MW and 10/MWh, 2035 and 2040
    50/MW and 5/MWh. Capacity alive: 2030 20 MW/80 MWh, 2035 30/100, 2040 10/20 (the 2035 vintage) + 5/5 new.
    capex 2030 = 20·100 + 80·10 = 2 800; 2035 = 2 800 + 10·50 + 20·5 = 3 400; 2040 = 10·50 + 20·5 + 5·50 + 5·5 = 875."""
    import xarray as xr

    from planning.metrics.statistics import pathway_capex

    def scenario(capex_mw: float, capex_mwh: float):
        raw = storage_arbitrage_scenario(tmp_path)
        raw["economics"] = {"discount_rate": 0.0}
        raw["technologies"]["bat"].update(capex_per_mw=capex_mw, capex_per_mwh=capex_mwh, lifetime_years=10)
        return validate_scenario(raw)

    periods = {2030: scenario(1000, 100), 2035: scenario(500, 50), 2040: scenario(500, 50)}
    plants = ["g", "s", "b"]
    results = xr.Dataset({"new_mw": (("period", "plant"), [[0, 0, 20], [0, 0, 30], [0, 0, 15]]),
                          "new_mwh": (("period", "plant"), [[np.nan, np.nan, 80], [np.nan, np.nan, 100], [np.nan, np.nan, 25]])},
                         coords={"period": list(periods), "plant": plants})
    capex = pathway_capex(results, periods[2030], periods)
    assert {year: float(values["b"]) for year, values in capex.items()} == {
        2030: pytest.approx(2_800, rel=1e-12), 2035: pytest.approx(3_400, rel=1e-12), 2040: pytest.approx(875, rel=1e-12)}
    assert all(float(values["g"]) == 0.0 and float(values["s"]) == 0.0 for values in capex.values())
