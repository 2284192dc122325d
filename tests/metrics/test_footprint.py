"""Data-center footprint and signal export on hand-made results (arithmetic in the comments)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from planning.config.carbon import Carbon
from planning.errors import InputDataError, ScenarioError
from planning.io.signals import carbon_aware_forecast, optimal_window, signals_table, write_signals
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
    # Default residual mix: the zone's load-weighted consumption intensity (100·0 + 100·250)/200 = 125 g/kWh:
    # 20 MWh × 125 = 2.5 t.
    settings = Carbon(datacenters={"dc": {"ppas": [{"plant": "w", "share": 0.1}], "recs_mwh": 5}})
    fp = datacenter_footprint(r, metrics, settings, factors=f)
    assert float(fp["market_based_t"][0]) == pytest.approx(2.5, rel=1e-12)
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
    assert set(footprint_table(flexible, inflexible)["case"]) == {"flexible", "inflexible"}


def test_no_datacenter_no_footprint():
    r = hand_results(["z"], {"g": ("z", "ccgt", "thermal", 0.5)}, {"g": [1]}, {"z": [1]})
    assert datacenter_footprint(r, carbon.carbon_metrics(r, carbon.plant_factors(r, Carbon())), Carbon()) is None


def _carbon_frame(values):
    snapshots = pd.date_range("2030-06-01", periods=len(values), freq="h").strftime("%Y-%m-%dT%H:%M")
    return pd.DataFrame({"snapshot": snapshots, "zone": "z", "average_g_per_kwh": values, "consumption_g_per_kwh": values,
                         "marginal_g_per_kwh": values, "price_per_mwh": 1.0})


def test_optimal_window_and_sdk_shape(tmp_path):
    values = [500, 400, 100, 200, 300, 50, 600]
    # 2-hour windows: means 450, 250, 150, 250, 175, 325 → the window starting at hour 2 (150).
    assert optimal_window(np.array(values, dtype=float), 2) == (2, 150.0)
    forecast = carbon_aware_forecast(_carbon_frame(values), "marginal", window_hours=2, generated_at="2030-01-01T00:00:00Z")
    entry = forecast[0]
    assert entry["location"] == "z" and entry["windowSize"] == 120
    assert entry["optimalDataPoints"] == [{"location": "z", "timestamp": "2030-06-01T02:00:00Z", "duration": 120, "value": 150.0}]
    assert entry["dataEndAt"] == "2030-06-01T07:00:00Z"
    assert [p["value"] for p in entry["forecastData"]] == values
    paths = write_signals(_carbon_frame(values), tmp_path, window_hours=2)
    assert json.loads(paths[-1].read_text())[0]["optimalDataPoints"][0]["value"] == 150.0
    assert list(signals_table(_carbon_frame(values)).columns)[:3] == ["timestamp", "zone", "duration_min"]
    with pytest.raises(InputDataError):
        optimal_window(np.array(values, dtype=float), 8)
