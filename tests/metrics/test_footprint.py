"""Data-center footprint and signal export on hand-made results (arithmetic in the comments)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
import xarray as xr

from planning.config.carbon import Carbon
from planning.errors import ScenarioError
from planning.metrics import carbon
from planning.metrics.footprint import compare_with_twin, datacenter_footprint, footprint_summary_rows, footprint_table
from tests.metrics.test_carbon import hand_results


def with_datacenter(results: xr.Dataset, facility_mw, work, zone="z", name="dc") -> xr.Dataset:
    """Add the data-center block's result variables (as the block writes them) to hand-made results."""
    out = results.copy()
    coords = {"datacenter": [name], "snapshot": results["snapshot"].values}
    out["datacenter_zone"] = ("datacenter", np.array([zone], dtype=object))
    out["datacenter_facility_power_mw"] = xr.DataArray(np.array([facility_mw], dtype=float), coords=coords, dims=("datacenter", "snapshot"))
    out["datacenter_it_power_mw"] = out["datacenter_facility_power_mw"] / 1.25
    out["work_done"] = xr.DataArray(np.array([work], dtype=float), coords=coords, dims=("datacenter", "snapshot"))
    dc = xr.zeros_like(results["demand_mw"])
    dc.loc[dict(zone=zone)] = np.asarray(facility_mw, dtype=float)
    out["datacenter_mw"] = dc
    out["co2_t"] = xr.DataArray(0.0)
    return out


def case():
    # Hour 0: wind 100 MW only (clean). Hour 1: wind 50 + ccgt 50 (0.5 t/MWh) → 250 g/kWh, CFE share 0.5.
    # Demand 80 (other load) + data center 20 MW in each hour.
    r = hand_results(["z"], {"w": ("z", "onshore_wind", "variable", 0.0), "g": ("z", "ccgt", "thermal", 0.5)},
                     {"w": [100, 50], "g": [0, 50]}, {"z": [80, 80]})
    r = with_datacenter(r, [20, 20], [10, 30])
    f = carbon.plant_factors(r, Carbon())
    metrics = carbon.carbon_metrics(r, f)
    return r, f, metrics


def test_location_consumption_cfe_and_sci():
    r, f, metrics = case()
    settings = Carbon(datacenters={"dc": {"embodied_t_per_year": 2.0, "work_unit": "GPU-hour"}})
    fp = datacenter_footprint(r, metrics, settings, factors=f)
    # Energy 40 MWh; location-based: 20·0 + 20·250 kg = 5 t; consumption-based the same (one zone).
    assert float(fp["energy_mwh"][0]) == pytest.approx(40.0)
    assert float(fp["location_based_t"][0]) == pytest.approx(5.0, rel=1e-12)
    assert float(fp["consumption_based_t"][0]) == pytest.approx(5.0, rel=1e-12)
    # CFE: hour 0 fully clean → 1; hour 1 → 0.5; score (20·1 + 20·0.5)/40 = 0.75.
    np.testing.assert_allclose(fp["cfe_mw"].values[0] / 20.0, [1.0, 0.5], rtol=1e-12)
    assert float(fp["cfe_score"][0]) == pytest.approx(0.75, rel=1e-12)
    # SCI = (E·I + M)/R = (5 t + 2 t)/(10 + 30 GPU-hours) = 7e6 g / 40 = 175 000 g per GPU-hour.
    assert float(fp["sci_g_per_unit"][0]) == pytest.approx(175000.0, rel=1e-12)
    rows = {m: (v, u) for m, v, u in footprint_summary_rows(fp)}
    assert rows["datacenter_dc_sci_g_per_unit"][1].startswith("g CO2-eq per GPU-hour")
    table = footprint_table(fp)
    assert len(table) == 2 and table["zone"].tolist() == ["z", "z"]


def test_cfe_of_a_fully_clean_hour_is_one():
    r, f, metrics = case()
    fp = datacenter_footprint(r.isel(snapshot=[0]), metrics.isel(snapshot=[0]), Carbon(), factors=f)
    assert float(fp["cfe_score"][0]) == 1.0


def test_market_based_with_ppa_recs_and_residual_mix():
    r, f, metrics = case()
    # PPA: 10 % of the wind plant → 10 MW in hour 0 and 5 MW in hour 1 = 15 MWh at 0 g/kWh;
    # RECs 5 MWh; residual 40 − 15 − 5 = 20 MWh × 400 g/kWh = 8 t.
    settings = Carbon(datacenters={"dc": {"ppas": [{"plant": "w", "share": 0.1}], "recs_mwh": 5, "residual_mix_g_per_kwh": 400}})
    fp = datacenter_footprint(r, metrics, settings, factors=f)
    assert float(fp["market_based_t"][0]) == pytest.approx(8.0, rel=1e-12)
    # Hourly CFE: hour 0: 10 PPA + 1.0·10 grid = 20; hour 1: 5 PPA + 0.5·15 = 12.5 → 32.5/40.
    assert float(fp["cfe_score"][0]) == pytest.approx(32.5 / 40.0, rel=1e-12)
    # Default residual mix (GHG Protocol Scope 2): the zone's emissions left after the contracted
    # energy is removed. Zone: 200 MWh consumed, 25 t (ccgt 50 MWh × 0.5); contracted 15 MWh of wind
    # (0 t) and 5 MWh of RECs (0 t) → r = 25/(200 − 15 − 5) = 25/180 t/MWh; the data center's
    # uncovered 20 MWh × 25/180 = 2.7778 t. The rest of the zone (160 MWh × 25/180 = 22.2222 t)
    # plus the data center = 25 t: nothing counted twice.
    settings = Carbon(datacenters={"dc": {"ppas": [{"plant": "w", "share": 0.1}], "recs_mwh": 5}})
    fp = datacenter_footprint(r, metrics, settings, factors=f)
    assert float(fp["market_based_t"][0]) == pytest.approx(20 * 25 / 180, rel=1e-12)
    assert float(fp["residual_mix_g_per_kwh"][0]) == pytest.approx(25 / 180 * 1000, rel=1e-12)
    assert float(fp["market_based_t"][0]) + 160 * 25 / 180 == pytest.approx(25.0, rel=1e-12)
    with pytest.raises(ScenarioError, match=r"carbon.datacenters.dc.ppas\[0\].plant"):
        datacenter_footprint(r, metrics, Carbon(datacenters={"dc": {"ppas": [{"plant": "nope"}]}}), factors=f)


def test_twin_comparison_reports_allocated_and_system_emissions():
    # Flexible: the data center moves 10 MW into the clean hour (30/10); allocated emissions fall
    # from 5 t to 10·250/1000 = 2.5 t. The system's emissions are given as rising (e.g. storage
    # losses elsewhere): both are reported.
    r, f, metrics = case()
    inflexible = datacenter_footprint(r.assign(co2_t=xr.DataArray(12.5)), metrics, Carbon(), factors=f, case="inflexible")
    moved = with_datacenter(r, [30, 10], [20, 20]).assign(co2_t=xr.DataArray(13.0))
    flexible = datacenter_footprint(moved, metrics, Carbon(), factors=f, case="flexible")
    table = compare_with_twin(flexible, inflexible).set_index("metric")
    assert table.loc["consumption_based_t", "change"] == pytest.approx(-2.5)
    assert table.loc["system_co2_t", "change"] == pytest.approx(0.5)
    assert table.loc["allocated_falls_system_rises", "change"] == 1.0  # location-based 5 → 2.5 t, system 12.5 → 13 t
    assert set(footprint_table(flexible, inflexible)["case"]) == {"flexible", "inflexible"}


def test_no_datacenter_no_footprint():
    r = hand_results(["z"], {"g": ("z", "ccgt", "thermal", 0.5)}, {"g": [1]}, {"z": [1]})
    assert datacenter_footprint(r, carbon.carbon_metrics(r, carbon.plant_factors(r, Carbon())), Carbon()) is None


def test_market_based_hourly_matching_removes_contracts_from_each_hours_residual_mix():
    # PPA 10 % of wind: 10 MW in hour 0, 5 MW in hour 1; load 20 MW each hour. Hourly matching:
    # hour 0: 10 MWh matched (0 t); residual r_0 = (0 − 0)/(100 − 10) = 0 → 10 MWh × 0 = 0 t.
    # hour 1: 5 MWh matched; r_1 = (25 − 0)/(100 − 5) = 25/95 t/MWh → 15 MWh × 25/95 = 3.9474 t.
    # Annual matching of the same contract: r = 25/(200 − 15) → (40 − 15) × 25/185 = 3.3784 t:
    # hourly is higher because the contract's energy comes in the clean hour.
    r, f, metrics = case()
    contract = {"dc": {"ppas": [{"plant": "w", "share": 0.1}]}}
    hourly = datacenter_footprint(r, metrics, Carbon(market_matching="hourly", datacenters=contract), factors=f)
    assert float(hourly["market_based_t"][0]) == pytest.approx(15 * 25 / 95, rel=1e-12)
    np.testing.assert_allclose(hourly["residual_mix_hourly_g_per_kwh"].values[0], [0.0, 25 / 95 * 1000], rtol=1e-12)
    annual = datacenter_footprint(r, metrics, Carbon(datacenters=contract), factors=f)
    assert float(annual["market_based_t"][0]) == pytest.approx(25 * 25 / 185, rel=1e-12)
    # Hourly: the rest of the zone (80 MWh each hour) at each hour's residual mix + the data center
    # = 80 × 0 + 80 × 25/95 + 15 × 25/95 = 25 t.
    assert float(hourly["market_based_t"][0]) + 80 * 0.0 + 80 * 25 / 95 == pytest.approx(25.0, rel=1e-12)
    rows = {m: u for m, _, u in footprint_summary_rows(hourly)}
    assert rows["datacenter_dc_market_based_t"].startswith("t/year (hourly matching")


def test_hourly_matching_rejects_annual_certificates():
    with pytest.raises(ValueError, match=r"carbon.datacenters.dc.recs_mwh"):
        Carbon(market_matching="hourly", datacenters={"dc": {"recs_mwh": 5}})


def test_ppa_with_a_committed_plant_carries_its_startup_emissions():
    # The PPA takes all of gas plant g (0.5 t/MWh): 50 MW in hour 1, when g also starts (10 t).
    # g's hourly intensity in hour 1 is (25 + 10)/50 = 0.7 t/MWh, so the contract carries 35 t;
    # the data center's 20 MWh of hour 1 are covered by 50 MWh of contract, annual matching:
    # contracted 50 MWh capped at its 40 MWh of load → 35 t × 40/50 = 28 t.
    r = hand_results(["z"], {"w": ("z", "onshore_wind", "variable", 0.0), "g": ("z", "ccgt", "thermal", 0.5)},
                     {"w": [100, 50], "g": [0, 50]}, {"z": [80, 80]}, commitment={"g": [0, 10]})
    r = with_datacenter(r, [20, 20], [10, 30])
    f = carbon.plant_factors(r, Carbon())
    metrics = carbon.carbon_metrics(r, f)
    fp = datacenter_footprint(r, metrics, Carbon(datacenters={"dc": {"ppas": [{"plant": "g"}]}}), factors=f)
    assert float(fp["market_based_t"][0]) == pytest.approx(28.0, rel=1e-12)


def test_datacenter_in_a_zone_without_generation_is_charged_its_imports():
    # Zone a: coal 60 (1 t/MWh) + wind 40, load 60; sends 40 to b (no generation), where a 20 MW
    # data center and 20 MW of other load consume a's mix, 0.6 t/MWh: location- and consumption-based
    # 20 × 0.6 = 12 t (before: the NaN average became 0 t).
    r = hand_results(["a", "b"], {"c": ("a", "coal", "thermal", 1.0), "w": ("a", "onshore_wind", "variable", 0.0)},
                     {"c": [60], "w": [40]}, {"a": [60], "b": [20]}, lines=[("ab", "a", "b")], flows={"ab": [40]})
    r = with_datacenter(r, [20], [5], zone="b")
    f = carbon.plant_factors(r, Carbon())
    fp = datacenter_footprint(r, carbon.carbon_metrics(r, f), Carbon(), factors=f)
    assert float(fp["location_based_t"][0]) == pytest.approx(12.0, rel=1e-12)
    assert float(fp["consumption_based_t"][0]) == pytest.approx(12.0, rel=1e-12)


def test_unserved_load_is_shared_pro_rata_and_not_charged():
    # Hour 1: load 80 + data center 20 = 100 MW, 10 MW unserved → served share 0.9: the data center
    # consumes 18 MW; the zone's 90 MW served carry the ccgt's 25 t → 25/90 t/MWh;
    # data center 18 × 25/90 = 5 t; other load 72 × 25/90 = 20 t; together 25 t = co2_t.
    r = hand_results(["z"], {"w": ("z", "onshore_wind", "variable", 0.0), "g": ("z", "ccgt", "thermal", 0.5)},
                     {"w": [100, 40], "g": [0, 50]}, {"z": [80, 80]}, unserved={"z": [0, 10]})
    r = with_datacenter(r, [20, 20], [10, 30])
    f = carbon.plant_factors(r, Carbon())
    fp = datacenter_footprint(r, carbon.carbon_metrics(r, f), Carbon(), factors=f)
    np.testing.assert_allclose(fp["served_power_mw"].values[0], [20.0, 18.0], rtol=1e-12)
    assert float(fp["consumption_based_t"][0]) == pytest.approx(5.0, rel=1e-12)


@pytest.mark.parametrize(("dc_after", "system_after", "flag"), [
    (2.5, 13.0, True),    # allocated falls 5 → 2.5 t while the system rises 12.5 → 13 t
    (2.5, 12.0, False),   # both fall
    (6.0, 13.0, False),   # both rise
    (5.0, 12.5, False),   # nothing moves
])
def test_twin_flag_when_allocated_falls_while_the_system_rises(dc_after, system_after, flag):
    from planning.metrics.footprint import twin_flag_rows

    table = pd.DataFrame([
        ("inflexible", "", "system_co2_t", 12.5, "t/year"), ("inflexible", "dc", "location_based_t", 5.0, "t/year"),
        ("inflexible", "dc", "consumption_based_t", 5.0, "t/year"),
        ("learned", "", "system_co2_t", system_after, "t/year"), ("learned", "dc", "location_based_t", dc_after, "t/year"),
        ("learned", "dc", "consumption_based_t", dc_after, "t/year"),
    ], columns=["twin", "datacenter", "metric", "value", "unit"])
    rows = twin_flag_rows(table).set_index(["twin", "metric"])
    assert bool(rows.loc[("learned", "allocated_falls_system_rises"), "value"]) is flag
    assert rows.loc[("learned", "location_based_change_vs_inflexible_t"), "value"] == pytest.approx(dc_after - 5.0)
    assert rows.loc[("learned", "system_co2_change_vs_inflexible_t"), "value"] == pytest.approx(system_after - 12.5)


def test_loop_signal_of_a_zone_without_generation_is_its_imported_intensity():
    from planning.workflows.signal_response import GridOutcome, carbon_signal, datacenter_co2_t

    r = hand_results(["a", "b"], {"c": ("a", "coal", "thermal", 1.0), "w": ("a", "onshore_wind", "variable", 0.0)},
                     {"c": [60, 0], "w": [40, 50]}, {"a": [60, 30], "b": [20, 0]}, lines=[("ab", "a", "b")], flows={"ab": [40, 20]})
    r = with_datacenter(r, [20, 20], [5, 5], zone="b")
    metrics = carbon.carbon_metrics(r, carbon.plant_factors(r, Carbon()))
    outcome = GridOutcome(results=r, solved=None, metrics=metrics)
    # Hour 0: b imports a's mix (600 g/kWh); hour 1: a runs on wind only (0 g/kWh).
    np.testing.assert_allclose(carbon_signal(outcome, "average")[1], [600.0, 0.0], rtol=1e-12)
    # The loop's data-center CO2 (location-based) = 20 × 0.6 + 20 × 0 = 12 t.
    assert datacenter_co2_t(outcome) == pytest.approx(12.0, rel=1e-12)


def test_loop_signal_of_an_hour_without_supply_is_never_zero():
    # Zone b imports a's mix in hour 0 (600 g/kWh) and receives nothing in hour 1 (its 20 MW data
    # center is unserved): b's intensity is undefined in hour 1, and the loop's signal takes b's
    # highest intensity of the horizon (600), so that no load is drawn to an hour without supply.
    from planning.workflows.signal_response import GridOutcome, carbon_signal, datacenter_co2_t

    r = hand_results(["a", "b"], {"c": ("a", "coal", "thermal", 1.0), "w": ("a", "onshore_wind", "variable", 0.0)},
                     {"c": [60, 0], "w": [40, 30]}, {"a": [60, 30], "b": [20, 0]}, lines=[("ab", "a", "b")], flows={"ab": [40, 0]},
                     unserved={"a": [0, 0], "b": [0, 20]})
    r = with_datacenter(r, [20, 20], [5, 5], zone="b")
    metrics = carbon.carbon_metrics(r, carbon.plant_factors(r, Carbon()))
    assert np.isnan(metrics["average_g_per_kwh"].sel(zone="b").values[1])
    outcome = GridOutcome(results=r, solved=None, metrics=metrics)
    np.testing.assert_allclose(carbon_signal(outcome, "average")[1], [600.0, 600.0], rtol=1e-12)
    np.testing.assert_allclose(carbon_signal(outcome, "consumption")[0], [600.0, 0.0], rtol=1e-12)
    # Location-based CO2 of the served energy only: 20 MWh × 0.6 t/MWh = 12 t (hour 1: nothing served).
    assert datacenter_co2_t(outcome) == pytest.approx(12.0, rel=1e-12)


def _cleaner_looking_case(tmp_path):
    """Two hours. A: wind 100 MW (free), demand 100; B: no wind, demand 90. Coal 20 MW (10 $/MWh,
    1 t/MWh), gas (20 $/MWh, 0.5 t/MWh). Data center 'dc': 10 MWh/h of work, 20 MW, may wait 3 h."""
    from tests.workflows.helpers import THERMAL, scenario_and_inputs

    technologies = {"coal": {**THERMAL, "heat_rate_mmbtu_per_mwh": 10.0, "fuel": "coal"},
                    "ccgt": {**THERMAL, "heat_rate_mmbtu_per_mwh": 5.0, "fuel": "gas"}, "onshore_wind": {"kind": "variable"}}
    fuels = {"coal": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "gas": {"price_per_mmbtu": 4.0, "co2_t_per_mmbtu": 0.1}}
    plants = {"c": {"zone": "z", "technology": "coal", "existing_mw": 20, "max_new_mw": 0},
              "g": {"zone": "z", "technology": "ccgt", "existing_mw": 200, "max_new_mw": 0},
              "w": {"zone": "z", "technology": "onshore_wind", "existing_mw": 100, "max_new_mw": 0,
                    "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}}}
    return scenario_and_inputs(tmp_path, [100, 90], plants, technologies, fuels, columns={"cf": [1.0, 0.0]},
                               extra={"operations": {"loop": {"signal": "average", "max_iterations": 6}}})


def test_loop_flags_rounds_where_the_datacenter_looks_cleaner_while_the_system_emits_more(tmp_path):
    # The average signal of round 0 (as arrived, 10 MW each hour): A 10/110 = 0.091, B 60/100 = 0.6
    # t/MWh, so the data center moves all 20 MW to A (step 1 in round 0): system 70 → 75 t, the data
    # center's location-based CO2 6.909 → 20·20/120 = 3.333 t (see the twins test below). Round 0 is
    # the reference (never flagged); every later round at x = 20 is.
    from planning.workflows.signal_response import run_loop

    scenario, inputs = _cleaner_looking_case(tmp_path)
    table = run_loop(scenario, inputs, compare=False).table
    assert table["co2_t"].iloc[0] == pytest.approx(70.0, rel=1e-9)
    assert table["datacenter_co2_t"].iloc[0] == pytest.approx(10 * 10 / 110 + 6.0, rel=1e-9)
    assert table["co2_t"].iloc[1] == pytest.approx(75.0, rel=1e-9)
    assert table["datacenter_co2_t"].iloc[1] == pytest.approx(20 * 20 / 120, rel=1e-9)
    assert table["allocated_falls_system_rises"].tolist()[:2] == [False, True]


def test_twins_flag_a_datacenter_that_looks_cleaner_while_the_system_emits_more(tmp_path):
    # _cleaner_looking_case. Inflexible (10 MW each hour): A = wind 100 + coal 10; B = coal 20 + gas 80.
    #   System 10 + 20 + 40 = 70 t. Average intensity A 10/110, B 60/100 → data center
    #   10·10/110 + 10·0.6 = 6.9091 t.
    # Learned (cost: coal in A is cheaper than gas in B, so all 20 MW go to A): A = wind 100 + coal 20;
    #   B = coal 20 + gas 70. System 20 + 20 + 35 = 75 t (+5 t). Data center 20·20/120 = 3.3333 t (−3.5758 t).
    from planning.metrics.footprint import twin_carbon_table
    from planning.workflows.signal_response import as_arrived_schedule, solve_grid

    scenario, inputs = _cleaner_looking_case(tmp_path)
    inflexible = solve_grid(scenario, inputs, as_arrived_schedule(inputs))
    learned = solve_grid(scenario, inputs)
    assert float(inflexible.results["co2_t"]) == pytest.approx(70.0, rel=1e-9)
    assert float(learned.results["co2_t"]) == pytest.approx(75.0, rel=1e-9)
    table = twin_carbon_table({"inflexible": (scenario, inflexible.results, inflexible.solved),
                               "learned": (scenario, learned.results, learned.solved)}).set_index(["twin", "datacenter", "metric"])["value"]
    assert float(table[("inflexible", "dc", "location_based_t")]) == pytest.approx(10 * 10 / 110 + 6.0, rel=1e-9)
    assert float(table[("learned", "dc", "location_based_t")]) == pytest.approx(20 * 20 / 120, rel=1e-9)
    assert float(table[("learned", "dc", "system_co2_change_vs_inflexible_t")]) == pytest.approx(5.0, rel=1e-9)
    assert bool(table[("learned", "dc", "allocated_falls_system_rises")]) is True
