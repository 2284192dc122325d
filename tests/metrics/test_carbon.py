"""Carbon metrics on hand-computable cases (arithmetic in the comments).

Hand-made results Datasets test the accounting; tiny solved scenarios test the marginal
intensity (basis sensitivity) against the merit order and against finite-difference re-solves.
Fuel in the solved cases: 1 $/MMBtu, 0.1 t CO2/MMBtu, so heat rate h → h $/MWh and 0.1·h t/MWh.
"""

from __future__ import annotations

import gc
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from planning.config.carbon import Carbon
from planning.errors import ScenarioError
from planning.metrics import carbon
from tests.conftest import storage_arbitrage_scenario, thermal, tiny_scenario


def hand_results(zones, plants, generation, demand, *, lines=(), flows=None, loss=None, storage=None,
                 weight=None, unserved=None, commitment=None) -> xr.Dataset:
    """A results Dataset written by hand.

    plants: {name: (zone, technology, kind, direct factor t/MWh)}; generation: {plant: [MW per hour]};
    demand: {zone: [MW per hour]}; lines: [(name, from, to)], flows: {line: [MW]}; storage:
    {name: (zone, charge list, discharge list)}; commitment: {plant: [start-up + no-load t per hour]}
    (the commitment block's ``commitment_co2_t_per_h``).
    """
    n = len(next(iter(demand.values())))
    snapshots = pd.date_range("2030-01-01", periods=n, freq="h", name="snapshot")
    storage = storage or {}
    names = list(plants) + list(storage)
    data = xr.Dataset(coords={"zone": list(zones), "plant": names, "snapshot": snapshots, "line": [l[0] for l in lines]})
    data["plant_zone"] = ("plant", np.array([plants[p][0] for p in plants] + [storage[s][0] for s in storage], dtype=object))
    data["plant_technology"] = ("plant", np.array([plants[p][1] for p in plants] + ["battery"] * len(storage), dtype=object))
    data["plant_kind"] = ("plant", np.array([plants[p][2] for p in plants] + ["storage"] * len(storage), dtype=object))
    data["emission_factor_t_per_mwh"] = ("plant", np.array([plants[p][3] for p in plants] + [0.0] * len(storage)))
    gen = xr.DataArray(np.array([generation[p] for p in plants], dtype=float), coords={"plant": list(plants), "snapshot": snapshots},
                       dims=("plant", "snapshot"))
    data["generation_mw"] = gen
    if storage:
        coords = {"plant": list(storage), "snapshot": snapshots}
        data["charge_mw"] = xr.DataArray(np.array([storage[s][1] for s in storage], dtype=float), coords=coords, dims=("plant", "snapshot"))
        data["discharge_mw"] = xr.DataArray(np.array([storage[s][2] for s in storage], dtype=float), coords=coords, dims=("plant", "snapshot"))
    data["demand_mw"] = (("zone", "snapshot"), np.array([demand[z] for z in zones], dtype=float))
    data["datacenter_mw"] = xr.zeros_like(data["demand_mw"])
    data["unserved_mw"] = (("zone", "snapshot"), np.array([unserved[z] for z in zones], dtype=float)) if unserved else xr.zeros_like(data["demand_mw"])
    data["price_per_mwh"] = xr.zeros_like(data["demand_mw"])
    data["weight_h"] = ("snapshot", np.ones(n) if weight is None else np.asarray(weight, dtype=float))
    if lines:
        data["line_from"] = ("line", np.array([l[1] for l in lines], dtype=object))
        data["line_to"] = ("line", np.array([l[2] for l in lines], dtype=object))
        data["flow_mw"] = (("line", "snapshot"), np.array([flows[l[0]] for l in lines], dtype=float))
        data["line_loss_fraction"] = ("line", np.zeros(len(lines)) if loss is None else np.asarray(loss, dtype=float))
    if commitment:
        data["commitment_co2_t_per_h"] = xr.DataArray(np.array([commitment[p] for p in commitment], dtype=float),
                                                       coords={"plant": list(commitment), "snapshot": snapshots}, dims=("plant", "snapshot"))
    # The model's co2_t: Σ_t w_t·(Σ_g EF_g·p_g,t + start-up and no-load t/h).
    w = data["weight_h"].values
    data["co2_t"] = xr.DataArray(sum(plants[p][3] * float(w @ np.asarray(generation[p], float)) for p in plants)
                                 + sum(float(w @ np.asarray(v, float)) for v in (commitment or {}).values()))
    return data


def factors_of(results):
    return carbon.plant_factors(results, Carbon())


def test_one_zone_two_fuels_average():
    # coal 60 MW × 1.0 t/MWh + ccgt 40 MW × 0.5 t/MWh = 80 t/h over 100 MW → 0.8 t/MWh = 800 g/kWh.
    # Hour 2: ccgt only → 500 g/kWh. Lifecycle (file rows): (60·820 + 40·490)/100 = 688 g/kWh.
    r = hand_results(["z"], {"c": ("z", "coal", "thermal", 1.0), "g": ("z", "ccgt", "thermal", 0.5)},
                     {"c": [60, 0], "g": [40, 100]}, {"z": [100, 100]})
    f = factors_of(r)
    avg = carbon.average_intensity(r, f["direct_t_per_mwh"]).sel(zone="z").values
    np.testing.assert_allclose(avg, [800.0, 500.0], rtol=1e-12)
    life = carbon.average_intensity(r, f["lifecycle_t_per_mwh"]).sel(zone="z").values
    np.testing.assert_allclose(life, [688.0, 490.0], rtol=1e-12)
    # One zone, no trade or storage: flow tracing = average.
    traced = carbon.flow_traced_intensity(r, {"d": f["direct_t_per_mwh"]})["d"].sel(zone="z").values
    np.testing.assert_allclose(traced * 1000, [800.0, 500.0], rtol=1e-12)


@pytest.mark.parametrize(("loss", "x_b"), [
    # a: coal 100 MW (1 t/MWh), load 60, sends 40 to b. b: ccgt 60 MW (0.5 t/MWh), load 100.
    # No loss: x_a = 1; x_b·(60 + 40) − 40·x_a = 30 → x_b = 70/100 = 0.7 t/MWh.
    (0.0, 0.7),
    # 10 % loss: b receives 36 and has load 96 but is charged for the 40 sent:
    # x_b·(60 + 36) − 40·1 = 30 → x_b = 70/96.
    (0.1, 70 / 96),
])
def test_two_zones_flow_tracing_closed_form(loss, x_b):
    r = hand_results(["a", "b"], {"c": ("a", "coal", "thermal", 1.0), "g": ("b", "ccgt", "thermal", 0.5)},
                     {"c": [100], "g": [60]}, {"a": [60], "b": [100 - 40 * loss]},
                     lines=[("ab", "a", "b")], flows={"ab": [40]}, loss=[loss])
    x = carbon.flow_traced_intensity(r, {"d": factors_of(r)["direct_t_per_mwh"]})["d"]
    np.testing.assert_allclose(x.sel(zone=["a", "b"]).values.ravel(), [1.0, x_b], rtol=1e-12)
    # Emissions conserved: Σ x·consumption = 100 + 30 = 130 t (losses charged to b).
    load = carbon.consumption_mw(r)
    assert float((x * load).sum()) == pytest.approx(130.0, rel=1e-12)
    # The reverse direction (negative flow on a line b→a) gives the same numbers.
    r2 = hand_results(["a", "b"], {"c": ("a", "coal", "thermal", 1.0), "g": ("b", "ccgt", "thermal", 0.5)},
                      {"c": [100], "g": [60]}, {"a": [60], "b": [100 - 40 * loss]},
                      lines=[("ba", "b", "a")], flows={"ba": [-40]}, loss=[loss])
    x2 = carbon.flow_traced_intensity(r2, {"d": factors_of(r2)["direct_t_per_mwh"]})["d"]
    np.testing.assert_allclose(x2.values, x.values, rtol=1e-12)


def test_storage_pool_carries_charging_emissions():
    # Hour 0: coal 100 MW (1 t/MWh), load 50, battery charges 50. Hour 1: no generation, battery
    # discharges 40 (80 % round trip), load 40. Pool: σ·40 = 50·x_0 = 50 → σ = 1.25 t/MWh,
    # x_1 = 1.25 (losses carried by the discharged energy). Σ x·load = 50·1 + 40·1.25 = 100 t = total.
    r = hand_results(["z"], {"c": ("z", "coal", "thermal", 1.0)}, {"c": [100, 0]}, {"z": [50, 40]},
                     storage={"b": ("z", [50, 0], [0, 40])})
    f = factors_of(r)
    x = carbon.flow_traced_intensity(r, {"d": f["direct_t_per_mwh"]})["d"].sel(zone="z").values
    np.testing.assert_allclose(x, [1.0, 1.25], rtol=1e-12)
    # Average (production-based) is undefined in an hour without generation.
    assert np.isnan(carbon.average_intensity(r, f["direct_t_per_mwh"]).values[0, 1])


def test_carbon_free_share_of_a_clean_hour_is_one():
    # Hour 0: wind only → share 1. Hour 1: wind 75 + ccgt 25 → 0.75. Hour 2: nuclear 50 + ccgt 50 → 0.5.
    r = hand_results(["z"], {"w": ("z", "onshore_wind", "variable", 0.0), "n": ("z", "nuclear", "thermal", 0.0),
                             "g": ("z", "ccgt", "thermal", 0.338)},
                     {"w": [100, 75, 0], "n": [0, 0, 50], "g": [0, 25, 50]}, {"z": [100, 100, 100]})
    metrics = carbon.carbon_metrics(r, factors_of(r))
    np.testing.assert_allclose(metrics["carbon_free_share"].sel(zone="z").values, [1.0, 0.75, 0.5], rtol=1e-12)


def test_factors_from_file_override_and_unknown_technology():
    r = hand_results(["z"], {"g": ("z", "my_cc", "thermal", 0.3), "p": ("z", "utility_pv", "variable", 0.0)},
                     {"g": [1], "p": [1]}, {"z": [2]})
    with pytest.raises(ScenarioError, match="carbon.technology_rows.my_cc"):
        carbon.plant_factors(r, Carbon())
    settings = Carbon(technology_rows={"my_cc": "ccgt"}, overrides={"utility_pv": {"lifecycle_g_per_kwh": 30}})
    f = carbon.plant_factors(r, settings)
    # direct: the model's 0.3 t/MWh; lifecycle: ccgt row 490 g/kWh; PV override 30 g/kWh.
    np.testing.assert_allclose(f["direct_t_per_mwh"].values, [0.3, 0.0])
    np.testing.assert_allclose(f["lifecycle_t_per_mwh"].values, [0.490, 0.030])
    assert f["carbon_free"].values.tolist() == [False, True]


def test_shipped_direct_factors_match_the_model(tmp_path):
    # The file's direct column is fuel CO2 × heat rate, as the model computes it: 53.07 kg/MMBtu × 6.37 = 338.06 g/kWh.
    from planning.config import load_scenario
    from tests.conftest import REPO

    scenario = load_scenario(REPO / "scenarios" / "isone_week.yaml")
    table = carbon.load_factor_table()
    for plant, factor in carbon.model_direct_factors(scenario).items():
        tech = scenario.plants[plant].technology
        assert factor * 1000 == pytest.approx(float(table.loc[tech, "direct_g_per_kwh"]), abs=0.1)


def _merit_order(tmp_path, demand):
    # coal: 10 $/MWh, 1.0 t/MWh, 100 MW; gas: heat rate 5 at 4 $/MMBtu = 20 $/MWh, 0.5 t/MWh, 200 MW.
    return tiny_scenario(tmp_path, demand, extra={
        "fuels": {"dirty": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "clean": {"price_per_mmbtu": 4.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"coal": thermal(10, fuel="dirty"), "ccgt": thermal(5, fuel="clean")},
        "plants": {"c": {"zone": "z", "technology": "coal", "existing_mw": 100, "max_new_mw": 0},
                   "g": {"zone": "z", "technology": "ccgt", "existing_mw": 200, "max_new_mw": 0}},
        "carbon": {"technology_rows": {}},
    })


def _metrics(results, solved, scenario_raw):
    from planning.config import validate_scenario

    scenario = validate_scenario(scenario_raw)
    f = carbon.plant_factors(results, scenario.carbon, carbon.model_direct_factors(scenario))
    m = carbon.marginal_intensity(solved, results, {"direct": f["direct_t_per_mwh"], "lifecycle": f["lifecycle_t_per_mwh"]})
    return carbon.carbon_metrics(results, f, marginal=m), m


def test_merit_order_marginal_is_the_marginal_units_factor(tmp_path, solve_raw):
    # Demand 50 → coal is marginal (1.0 t/MWh = 1000 g/kWh, price 10 $/MWh);
    # demand 150 → coal at 100 MW, gas marginal (0.5 t/MWh = 500 g/kWh, price 20 $/MWh).
    raw = _merit_order(tmp_path, [50, 150])
    results, solved = solve_raw(raw)
    gc.collect()  # the Pyomo model is gone by now: the kept columns/rows must still be readable
    metrics, m = _metrics(results, solved, raw)
    np.testing.assert_allclose(metrics["marginal_direct_g_per_kwh"].sel(zone="z").values, [1000.0, 500.0], atol=1e-6)
    np.testing.assert_allclose(metrics["dispatch_price_per_mwh"].sel(zone="z").values, [10.0, 20.0], atol=1e-6)
    # Averages: hour 0 coal only 1000; hour 1 (100·1 + 50·0.5)/150 = 833.33 g/kWh.
    np.testing.assert_allclose(metrics["average_g_per_kwh"].sel(zone="z").values, [1000.0, 125000 / 150], rtol=1e-9)
    # Totals: Σ average × load × weight = model CO2 = 50 + 100 + 25 = 175 t.
    total = float((metrics["average_g_per_kwh"] * metrics["consumption_mw"] * metrics["weight_h"]).sum()) / 1000
    assert total == pytest.approx(float(results["co2_t"]), rel=1e-6)
    assert float(results["co2_t"]) == pytest.approx(175.0, rel=1e-9)


def test_storage_marginal_spreads_over_hours(tmp_path, solve_raw):
    # test_storage_arbitrage of the formulation tests: PV 180 MW in hour 0 only, demand 100/100,
    # battery 90 %/90 %; gas (heat rate 50 → 5 t/MWh) serves hour 1.
    # One more MWh in hour 1 → 1 MWh more gas → 5 t/MWh = 5000 g/kWh.
    # One more MWh in hour 0 → 1 MWh less charged → 0.81 MWh less discharged → 0.81 MWh more gas
    # → 0.81·5 = 4.05 t/MWh = 4050 g/kWh, though hour 0 burns no gas at all (average 0).
    raw = storage_arbitrage_scenario(tmp_path, carbon={"technology_rows": {"gas": "ccgt", "pv": "utility_pv", "bat": "battery"}})
    results, solved = solve_raw(raw)
    metrics, _ = _metrics(results, solved, raw)
    np.testing.assert_allclose(metrics["marginal_direct_g_per_kwh"].sel(zone="z").values, [4050.0, 5000.0], atol=1e-6)
    np.testing.assert_allclose(metrics["average_direct_g_per_kwh"].sel(zone="z").values, [0.0, 5000.0], atol=1e-9)
    # Consumption-based, hour 1: 35.2 MW gas (5 t/MWh) + 64.8 MW discharge of PV energy (0) → 1.76 t/MWh.
    np.testing.assert_allclose(metrics["consumption_direct_g_per_kwh"].sel(zone="z").values, [0.0, 1760.0], atol=1e-6)


def _expansion_case(tmp_path, demand, cf):
    # Expansion of base (coal-like, 10 $/MWh, 1 t/MWh), peak (gas 20 $/MWh, 0.5 t/MWh), PV and a
    # battery; capacity costs make several units marginal in different hours.
    return tiny_scenario(tmp_path, demand, columns={"cf": cf}, extra={
        "economics": {"discount_rate": 0.0},
        "fuels": {"dirty": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "clean": {"price_per_mmbtu": 4.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"coal": thermal(10, fuel="dirty", capex_per_mw=60), "ccgt": thermal(5, fuel="clean", capex_per_mw=15),
                         "pv": {"kind": "variable", "capex_per_mw": 20, "lifetime_years": 1},
                         "bat": {"kind": "storage", "capex_per_mw": 5, "capex_per_mwh": 8, "charge_efficiency": 0.9,
                                 "discharge_efficiency": 0.9, "lifetime_years": 1}},
        "plants": {"c": {"zone": "z", "technology": "coal"}, "g": {"zone": "z", "technology": "ccgt"},
                   "s": {"zone": "z", "technology": "pv", "max_new_mw": 150, "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}},
                   "b": {"zone": "z", "technology": "bat"}},
        "carbon": {"technology_rows": {"pv": "utility_pv", "bat": "battery"}},
    })


def _one_sided_differences(tmp_path, solve_raw, raw, demand, cf, delta=0.01):
    """(E(d + δ·e_t) − E(d))/δ and (E(d) − E(d − δ·e_t))/δ for every hour t, by re-solving."""
    base = float(solve_raw(raw)[0]["co2_t"])
    out = []
    for t in range(len(demand)):
        sides = []
        for sign in (+1, -1):
            bumped = list(demand)
            bumped[t] += sign * delta
            folder = tmp_path / f"h{t}_{'up' if sign > 0 else 'down'}"
            folder.mkdir()
            case = tiny_scenario(folder, bumped, columns={"cf": cf}, extra={k: v for k, v in raw.items() if k not in ("zones", "horizon", "name")})
            case["plants"]["s"] = {**raw["plants"]["s"], "profile": {"file": str(folder / "series.csv"), "column": "cf"}}
            sides.append(sign * (float(solve_raw(case)[0]["co2_t"]) - base) / delta)
        out.append(sides)
    return base, np.array(out)


DEMAND = [80, 120, 100, 60, 140, 90]
CF = [0.0, 0.3, 0.9, 0.8, 0.2, 0.0]


def test_basis_marginal_matches_finite_difference_fixed_fleet(tmp_path, solve_raw):
    # A fixed fleet (no build): coal 70 MW, gas 200 MW, PV 100 MW, battery 30 MW / 60 MWh, so
    # that no unit sits exactly at a kink. δ = 0.01 MW is far inside every unit's headroom, so the
    # basis stays feasible both ways: left = right = basis marginal, in every hour, including the
    # hours where the battery moves energy (the marginal there is that of another hour's unit).
    raw = _expansion_case(tmp_path, DEMAND, CF)
    for plant, mw in (("c", 70.0), ("g", 200.0), ("s", 100.0), ("b", 30.0)):
        raw["plants"][plant] = {**raw["plants"][plant], "existing_mw": mw, "max_new_mw": 0}
    raw["plants"]["b"].update(existing_mwh=60.0, max_new_mwh=0)
    results, solved = solve_raw(raw)
    metrics, _ = _metrics(results, solved, raw)
    basis = metrics["marginal_direct_g_per_kwh"].sel(zone="z").values / 1000
    _, sides = _one_sided_differences(tmp_path, solve_raw, raw, DEMAND, CF)
    np.testing.assert_allclose(sides[:, 0], sides[:, 1], atol=1e-6)
    np.testing.assert_allclose(basis, sides[:, 0], atol=1e-6)
    assert len(set(np.round(basis, 6))) >= 2  # not a trivial case: several marginal units


def test_basis_marginal_after_expansion_is_one_sided(tmp_path, solve_raw):
    # After an expansion every capacity sits exactly where it is fully used (degenerate basis):
    # left and right derivatives differ in every hour, e.g. 0 up (the battery absorbs it with PV
    # that would be curtailed) and 0.5 t/MWh down (gas). The basis marginal equals one side.
    raw = _expansion_case(tmp_path, DEMAND, CF)
    results, solved = solve_raw(raw)
    metrics, m = _metrics(results, solved, raw)
    assert m.fixed_columns == 10  # fixed: new/retired MW of 4 plants (8) + new/retired MWh of the battery (2)
    basis = metrics["marginal_direct_g_per_kwh"].sel(zone="z").values / 1000
    fixed = _expansion_case(tmp_path, DEMAND, CF)
    for plant in ("c", "g", "s", "b"):
        fixed["plants"][plant] = {**fixed["plants"][plant], "existing_mw": float(results["total_mw"].sel(plant=plant)), "max_new_mw": 0}
    fixed["plants"]["b"].update(existing_mwh=float(results["energy_mwh"].sel(plant="b")), max_new_mwh=0)
    base, sides = _one_sided_differences(tmp_path, solve_raw, fixed, DEMAND, CF)
    assert base == pytest.approx(float(results["co2_t"]), rel=1e-9)
    assert np.all(np.min(np.abs(sides - basis[:, None]), axis=1) < 1e-6), (basis, sides)


def test_carbon_table_columns_and_summary(tmp_path, solve_raw):
    raw = _merit_order(tmp_path, [50, 150])
    results, solved = solve_raw(raw)
    metrics, _ = _metrics(results, solved, raw)
    table = carbon.carbon_table(metrics)
    assert list(table.columns) == carbon.CARBON_COLUMNS
    # 2026-11-30: snapshots are written as UTC with an explicit Z (was "2021-01-01T00:00").
    assert len(table) == 2 and table["snapshot"].iloc[0] == "2021-01-01T00:00:00Z"
    rows = {m: v for m, v, _ in carbon.carbon_summary_rows(metrics)}
    assert rows["co2_direct_t"] == pytest.approx(175.0, rel=1e-9)
    # Load-weighted marginal: (50·1000 + 150·500)/200 = 625 g/kWh.
    assert rows["marginal_direct_g_per_kwh"] == pytest.approx(625.0, rel=1e-9)


# --------------------------------------------------------------------------------------------
# Start-up and no-load emissions: allocated, so that the allocations add up to co2_t
# --------------------------------------------------------------------------------------------

def _valley_with_startups(folder, unit_size_mw=100.0):
    """test_commitment's valley: demand 100 MW for 6 h, free PV covers hours 2–3, one base unit
    (heat rate 10 → 10 $/MWh, 1 t/MWh) of ``unit_size_mw`` with minimum stable output 0.5,
    start-up fuel 5 MMBtu/MW (0.5 t/MW per start), no-load fuel 0.1 MMBtu/MW/h (0.01 t/MW/h)."""
    return tiny_scenario(folder, [100] * 6, columns={"cf": [0, 0, 1, 1, 0, 0]}, extra={
        "technologies": {"base": thermal(10, unit_size_mw=unit_size_mw, min_stable_output=0.5, startup_fuel_mmbtu_per_mw=5.0,
                                         no_load_fuel_mmbtu_per_mw_hour=0.1),
                         "pv": {"kind": "variable"}},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": unit_size_mw, "max_new_mw": 0},
                   "s": {"zone": "z", "technology": "pv", "existing_mw": 100, "max_new_mw": 0,
                         "profile": {"file": str(folder / "series.csv"), "column": "cf"}}},
        "unit_commitment": {"mode": "integer"},
        "carbon": {"technology_rows": {"base": "ccgt", "pv": "utility_pv"}},
    })


def _scenario_metrics(raw, results, solved):
    from planning.config import validate_scenario

    return carbon.scenario_carbon_metrics(validate_scenario(raw), results, solved)


def test_startup_and_no_load_emissions_are_allocated_to_the_hour_of_output(tmp_path, solve_raw):
    # The unit runs hours 4, 5, 0, 1 at 100 MW (100 t/h) and starts once, in hour 4 (off in the
    # PV valley, cyclic horizon). No-load: 0.01 t/MW/h × 100 MW = 1 t per committed hour; start:
    # 0.5 t/MW × 100 MW = 50 t in hour 4. Hourly intensity (t/MWh), one zone, no storage or trade:
    #   hours 0, 1, 5: (100 + 1)/100 = 1.01;  hour 4: (100 + 1 + 50)/100 = 1.51;  hours 2, 3: PV only, 0.
    # Σ_t intensity × load = 3·101 + 151 = 454 t = co2_t (400 t output + 50 t start + 4 t no-load).
    raw = _valley_with_startups(tmp_path)
    results, solved = solve_raw(raw)
    assert float(results["startups"].sum()) == pytest.approx(1.0, abs=1e-9)
    assert float(results["co2_t"]) == pytest.approx(454.0, rel=1e-9)
    metrics = _scenario_metrics(raw, results, solved)
    expected = np.array([1010.0, 1010.0, 0.0, 0.0, 1510.0, 1010.0])
    for what in ("average", "consumption"):
        np.testing.assert_allclose(metrics[f"{what}_direct_g_per_kwh"].sel(zone="z").values, expected, atol=1e-6)
        allocated = float((metrics[f"{what}_direct_g_per_kwh"] * metrics["consumption_mw"] * metrics["weight_h"]).sum()) / 1000
        assert allocated == pytest.approx(float(results["co2_t"]), abs=1e-6)
    rows = {m: v for m, v, _ in carbon.carbon_summary_rows(metrics)}
    assert rows["co2_direct_t"] == pytest.approx(454.0, abs=1e-6)
    # carbon.csv carries each zone-hour's emissions: Σ weight × emissions_t_per_h = co2_t.
    table = carbon.carbon_table(metrics)
    assert float((table["weight"] * table["emissions_t_per_h"]).sum()) == pytest.approx(454.0, abs=1e-6)


def test_marginal_intensity_excludes_startups(tmp_path, solve_raw):
    # A 150 MW unit serving 100 MW has headroom, so it is the marginal unit in hours 0, 1, 4, 5.
    # With commitments fixed (the documented basis sensitivity) one more MWh burns 1 t, also in
    # hour 4 where the unit starts: start-up (75 t) and no-load (1.5 t/h) fuel do not change.
    raw = _valley_with_startups(tmp_path, unit_size_mw=150.0)
    results, solved = solve_raw(raw)
    assert float(results["startups"].sel(plant="b").values[4]) == pytest.approx(1.0, abs=1e-9)
    metrics = _scenario_metrics(raw, results, solved)
    np.testing.assert_allclose(metrics["marginal_direct_g_per_kwh"].sel(zone="z").values[[0, 1, 4, 5]], 1000.0, atol=1e-6)
    assert "start-up and no-load emissions are not marginal" in metrics.attrs["marginal_method"]


def test_startup_of_a_plant_with_no_output_goes_to_its_zones_supply():
    # Hour 1: gas unit g is started (10 t) and committed (2 t/h no-load) but produces 0 MWh; coal
    # produces 100 MW at 1 t/MWh. The 12 t belong to the zone's supply in that hour:
    # (100 + 12)/100 = 1.12 t/MWh. Hour 0: coal only, 1.0. Σ = 100 + 112 = 212 t = co2_t.
    r = hand_results(["z"], {"c": ("z", "coal", "thermal", 1.0), "g": ("z", "ccgt", "thermal", 0.5)},
                     {"c": [100, 100], "g": [0, 0]}, {"z": [100, 100]}, commitment={"g": [0, 12]})
    metrics = carbon.carbon_metrics(r, factors_of(r))
    for what in ("average", "consumption"):
        np.testing.assert_allclose(metrics[f"{what}_direct_g_per_kwh"].sel(zone="z").values, [1000.0, 1120.0], rtol=1e-12)
    # Lifecycle: the file's coal row (820 g/kWh) per MWh plus the same 12 t of start-up/no-load fuel
    # (combustion CO2, not in the per-MWh median): (82 + 12)/100 = 0.94 t/MWh in hour 1.
    np.testing.assert_allclose(metrics["consumption_lifecycle_g_per_kwh"].sel(zone="z").values, [820.0, 940.0], rtol=1e-12)
    assert float((metrics["consumption_g_per_kwh"] * metrics["consumption_mw"]).sum()) / 1000 == pytest.approx(float(r["co2_t"]), abs=1e-9)


def test_startup_in_an_hour_without_any_supply_moves_to_the_zones_other_hours():
    # Hour 1: no supply at all (the 50 MW load is shed) while unit g is committed with 0 output
    # (12 t). Nothing is consumed in that hour, so its 12 t go to the zone's supply in the other
    # hours of the period, in proportion to w·supply: hour 0 gets 12·100/150 = 8 t, hour 2 gets 4 t.
    # x_0 = (100 + 8)/100 = 1.08, x_2 = (50 + 4)/50 = 1.08; Σ = 108 + 54 = 162 t = co2_t.
    r = hand_results(["z"], {"c": ("z", "coal", "thermal", 1.0), "g": ("z", "ccgt", "thermal", 0.5)},
                     {"c": [100, 0, 50], "g": [0, 0, 0]}, {"z": [100, 50, 50]}, commitment={"g": [0, 12, 0]},
                     unserved={"z": [0, 50, 0]})
    metrics = carbon.carbon_metrics(r, factors_of(r))
    x = metrics["consumption_direct_g_per_kwh"].sel(zone="z").values
    np.testing.assert_allclose(x[[0, 2]], [1080.0, 1080.0], rtol=1e-12)
    assert np.isnan(x[1])  # no supply, nothing consumed: undefined, and never 0
    np.testing.assert_allclose(metrics["average_direct_g_per_kwh"].sel(zone="z").values[[0, 2]], [1080.0, 1080.0], rtol=1e-12)
    assert float((metrics["consumption_g_per_kwh"].fillna(0) * metrics["consumption_mw"]).sum()) / 1000 == pytest.approx(162.0, abs=1e-9)
    assert float(r["co2_t"]) == pytest.approx(162.0)


def test_zone_without_local_generation_gets_its_imported_intensity():
    # a: coal 60 MW (1 t/MWh) + wind 40 MW, load 60, sends 40 to b; b generates nothing, load 40.
    # x_a = 60/100 = 0.6 t/MWh; b imports a's mix: x_b = 0.6. The production-based average of b
    # is undefined (no production): it falls back to b's consumption (imported) intensity, 600 g/kWh.
    r = hand_results(["a", "b"], {"c": ("a", "coal", "thermal", 1.0), "w": ("a", "onshore_wind", "variable", 0.0)},
                     {"c": [60], "w": [40]}, {"a": [60], "b": [40]}, lines=[("ab", "a", "b")], flows={"ab": [40]})
    metrics = carbon.carbon_metrics(r, factors_of(r))
    np.testing.assert_allclose(metrics["average_g_per_kwh"].sel(zone=["a", "b"]).values.ravel(), [600.0, 600.0], rtol=1e-12)
    np.testing.assert_allclose(metrics["consumption_g_per_kwh"].sel(zone=["a", "b"]).values.ravel(), [600.0, 600.0], rtol=1e-12)
    assert metrics["average_g_per_kwh"].attrs["no_local_generation"].startswith("consumption-based")


def _two_zone_uc_datacenter(folder):
    """Zone z: a 100 MW base unit (UC, start-up fuel 2 MMBtu/MW, no-load fuel), 250 MW PV, demand 100 MW
    and a 20 MW flexible data center (work 10 MWh/h, 3 h delay). Zone y: dear gas (heat rate 5,
    fuel 4 $/MMBtu → 20 $/MWh, 0.5 t/MWh) and a 50 MW / 100 MWh battery, demand 30 MW; a 60 MW
    line y→z loses 5 %."""
    from tests.workflows.helpers import scenario_and_inputs

    demand = [100, 100, 100, 100, 100, 100]
    technologies = {"base": thermal(10, unit_size_mw=100, min_stable_output=0.5, startup_fuel_mmbtu_per_mw=2.0,
                                    no_load_fuel_mmbtu_per_mw_hour=0.1),
                    "gas": thermal(5, fuel="dear"), "pv": {"kind": "variable"},
                    "bat": {"kind": "storage", "charge_efficiency": 0.9, "discharge_efficiency": 0.9}}
    plants = {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
              "s": {"zone": "z", "technology": "pv", "existing_mw": 250, "max_new_mw": 0,
                    "profile": {"file": str(folder / "series.csv"), "column": "cf"}},
              "g": {"zone": "y", "technology": "gas", "existing_mw": 300, "max_new_mw": 0},
              "k": {"zone": "y", "technology": "bat", "existing_mw": 50, "existing_mwh": 100, "max_new_mw": 0, "max_new_mwh": 0}}
    fuels = {"gas": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "dear": {"price_per_mmbtu": 4.0, "co2_t_per_mmbtu": 0.1}}
    extra = {"zones": {"z": {"demand": {"file": str(folder / "series.csv"), "column": "demand"}},
                       "y": {"demand": {"file": str(folder / "series.csv"), "column": "demand_y"}}},
             "transmission": {"yz": {"from_zone": "y", "to_zone": "z", "existing_mw": 60, "loss_fraction": 0.05}},
             "unit_commitment": {"mode": "integer"},
             "carbon": {"technology_rows": {"base": "ccgt", "gas": "ocgt", "pv": "utility_pv", "bat": "battery"}}}
    return scenario_and_inputs(folder, demand, plants, technologies, fuels, extra=extra,
                               columns={"cf": [0, 0.2, 1, 1, 0.3, 0], "demand_y": [30] * 6})


def test_allocations_add_up_to_co2_with_startups_trade_storage_and_a_datacenter(tmp_path):
    # Conservation against the model's own co2_t (an independent sum of the optimisation's
    # emission terms): flow-traced intensity × served load (demand + data center − unserved; storage
    # charging passes its emissions to the discharge, line losses to the importer) = co2_t, and the
    # data center's consumption-based allocation + everyone else's = co2_t.
    from planning.metrics.footprint import datacenter_footprint
    from planning.workflows.signal_response import solve_grid

    scenario, inputs = _two_zone_uc_datacenter(tmp_path)
    outcome = solve_grid(scenario, inputs)
    results, metrics = outcome.results, outcome.metrics
    assert float(results["startups"].sum()) >= 1.0 - 1e-9  # the case has start-ups
    startup_t = float((results["commitment_co2_t_per_h"].fillna(0) * results["weight_h"]).sum())
    assert startup_t >= 20.0 - 1e-6  # 0.2 t/MW × 100 MW per start
    assert float(np.abs(results["flow_mw"]).sum()) > 1.0 and float(results["discharge_mw"].sum()) > 1.0
    co2 = float(results["co2_t"])
    w = metrics["weight_h"]
    served = metrics["consumption_mw"]
    traced = float((metrics["consumption_g_per_kwh"].fillna(0.0) * served * w).sum()) / 1000
    assert traced == pytest.approx(co2, abs=1e-6)
    footprint = datacenter_footprint(results, metrics, scenario.carbon)
    dc_t = float(footprint["consumption_based_t"].sum())
    dc_served = served.copy()
    dc_served.loc[dict(zone="z")] = served.sel(zone="z") - footprint["served_power_mw"].sel(datacenter="dc").values
    others = float((metrics["consumption_g_per_kwh"].fillna(0.0) * dc_served * w).sum()) / 1000
    assert dc_t > 0 and dc_t + others == pytest.approx(co2, abs=1e-6)


def test_stranded_emissions_fall_back_to_the_zones_horizon_then_to_every_zone():
    # Zone z, two storage cycles (hours 0–1, 2–3). Cycle 0 has no supply at all; a unit committed
    # in hour 0 emits 6 t (weight 2 h → 12 t). Cycle 1 has supply 100 and 50 MW (weights 1 h):
    # 12 t go there ∝ w·supply → +8 t/h in hour 2 and +4 t/h in hour 3 (Σ w·ΔE = 12).
    emitted = np.array([[6.0, 0.0, 100.0, 50.0]])
    supply = np.array([[0.0, 0.0, 100.0, 50.0]])
    weight = np.array([2.0, 1.0, 1.0, 1.0])
    placed = carbon.place_unsupplied(emitted, supply, weight, period=np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(placed, [[0.0, 0.0, 108.0, 54.0]], rtol=1e-12)
    # A zone with no supply over the whole horizon: to every zone's supply, ∝ w·supply.
    # Zone a emits 3 t/h in hour 0 (w 2 → 6 t); zone b supplies 100 and 200 MW (w 2, 1 → 200 + 200):
    # +6·100/400 = 1.5 t/h in hour 0 and +6·200/400 = 3 t/h in hour 1 (2·1.5 + 1·3 = 6 t).
    placed = carbon.place_unsupplied(np.array([[3.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [100.0, 200.0]]), np.array([2.0, 1.0]))
    np.testing.assert_allclose(placed, [[0.0, 0.0], [1.5, 3.0]], rtol=1e-12)
