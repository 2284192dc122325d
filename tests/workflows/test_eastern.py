"""The 9-zone US Eastern Interconnection (scenarios/eastern_us_2030*.yaml, data/grid/eastern_us_9zone_2021/).

Expected values come from the copied source tables (zones.csv, links.csv, the EIA-860 capacity table),
read here with pandas, and from the figures the shared data's MANIFEST states (mean 329 GW), not
from the model's own inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.config import load_scenario
from planning.io.writers import open_results
from tests.conftest import REPO

runner = CliRunner()
SCENARIO = REPO / "scenarios" / "eastern_us_2030.yaml"
DATA = REPO / "data" / "grid" / "eastern_us_9zone_2021"
ZONES = ["ISNE", "NYIS", "PJM", "MISO_NC", "MISO_S", "SWPP_N", "SWPP_S", "SERTP", "FRCC"]
# plant suffix -> EIA-860 technologies whose summer MW it stands for
FLEET = {"ccgt": ["Gas_CC"], "ocgt": ["Gas_SC"], "coal": ["Coal"], "nuclear": ["Nuclear"], "oil": ["Oil"],
         "hydro": ["Hydro"], "biomass": ["Biomass", "Waste", "Other"], "pumped_storage": ["Hydro_PumpedStorage"]}
SUMMER_PEAK_DAY = ["--set", "horizon.start_hour=5664", "--set", "horizon.hours=24"]  # 2021-08-25, the peak day of the rep. periods


def test_hourly_demand_adds_up_to_the_stated_eastern_total():
    hourly = pd.read_csv(DATA / "eastern_2021_hourly.csv")
    zones = pd.read_csv(DATA / "zones.csv").set_index("zone")
    assert len(hourly) == 8760 and not hourly.isna().any().any()
    total = sum(hourly[f"demand_mw_{zone}"] for zone in ZONES)
    assert total.mean() == pytest.approx(329_000, abs=500)   # MANIFEST: "mean 329 GW"
    for zone in ZONES:
        assert hourly[f"demand_mw_{zone}"].mean() == pytest.approx(zones.loc[zone, "demand_mean_mw"], abs=1.0), zone
        assert hourly[f"demand_mw_{zone}"].max() == pytest.approx(zones.loc[zone, "demand_peak_mw"], abs=1.0), zone
    profiles = [c for c in hourly.columns if "_cf_" in c]
    assert sorted({c.rsplit("_", 1)[-1] for c in profiles}) == ["ISNE", "PJM"]   # measured generation: only these two
    assert all(hourly[c].between(0, 1).all() for c in profiles)


def test_capacity_table_is_the_one_the_isone_examples_use():
    assert (DATA / "capacity_by_zone_technology_eia860.csv").read_bytes() == \
        (REPO / "data" / "grid" / "eia860" / "capacity_by_zone_technology_eia860.csv").read_bytes()
    assert (DATA / "NOTICE.txt").exists()


def test_scenario_fleet_is_the_eia860_fleet_of_every_zone():
    scenario = load_scenario(SCENARIO)
    capacity = pd.read_csv(DATA / "capacity_by_zone_technology_eia860.csv")
    assert sorted(scenario.zones) == sorted(ZONES)
    checked = 0
    for zone in ZONES:
        rows = capacity[capacity.zone == zone]
        for suffix, technologies in FLEET.items():
            expected = float(rows[rows.technology.isin(technologies)].summer_mw.sum())
            plant = scenario.plants.get(f"{zone}_{suffix}")
            if expected == 0:
                assert plant is None or plant.existing_mw == 0, (zone, suffix)
                continue
            assert plant is not None and plant.existing_mw == pytest.approx(expected, abs=0.05), (zone, suffix)
            checked += 1
        wind = float(rows[rows.technology == "Wind"].summer_mw.sum())
        assert scenario.plants[f"{zone}_wind"].existing_mw == pytest.approx(wind, abs=0.05), zone
    assert checked >= 50


def test_corridors_carry_the_smaller_nrel_limit_of_both_directions():
    scenario = load_scenario(SCENARIO)
    links = pd.read_csv(DATA / "links.csv").set_index(["from_ba", "to_ba"])["capacity_mw"]
    assert len(scenario.transmission) == 12 and len(links) == 24
    per_km = []
    for name, corridor in scenario.transmission.items():
        a, b = corridor.from_zone, corridor.to_zone
        assert corridor.existing_mw == pytest.approx(min(links[(a, b)], links[(b, a)]), abs=0.05), name
        assert corridor.max_new_mw == corridor.existing_mw and corridor.capex_per_mw > 0
    corridors = pd.read_csv(DATA / "corridors.csv")
    per_km = corridors.capex_per_mw / corridors.distance_km
    assert per_km.min() == pytest.approx(708.1, rel=2e-3) and per_km.max() == pytest.approx(708.1, rel=2e-3)


def test_representative_variant_extends_the_full_year():
    rep = load_scenario(REPO / "scenarios" / "eastern_us_2030_rep.yaml")
    full = load_scenario(SCENARIO)
    assert rep.horizon.representative_periods is not None and rep.horizon.hours == 8760
    assert {p: v.existing_mw for p, v in rep.plants.items()} == {p: v.existing_mw for p, v in full.plants.items()}


@pytest.fixture(scope="module")
def peak_day_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("eastern") / "day"
    result = runner.invoke(app, ["run", str(SCENARIO), "--out", str(out), "-q", *SUMMER_PEAK_DAY])
    assert result.exit_code == 0, result.output
    return out


def test_a_day_balances_every_zone_and_keeps_flows_within_the_limits(peak_day_run):
    results = open_results(peak_day_run / "results.nc")
    if True:
        zone_of = results["plant_zone"].values
        plants = pd.Index(results["plant"].values)
        supply = (results.generation_mw.fillna(0) + results.discharge_mw.fillna(0) - results.charge_mw.fillna(0))
        worst = 0.0
        for zone in ZONES:
            mine = np.asarray(zone_of == zone)
            zone_supply = supply.isel(plant=np.flatnonzero(mine)).sum("plant")
            load = results.demand_mw.sel(zone=zone) + results.datacenter_mw.sel(zone=zone) - results.unserved_mw.sel(zone=zone)
            residual = zone_supply + results.net_import_mw.sel(zone=zone) - load
            worst = max(worst, float(np.abs(residual).max()))
        assert len(plants) > 80 and worst < 1e-6
        assert float(np.abs(results.net_import_mw.sum("zone")).max()) < 1e-6   # lossless corridors: imports = exports
        flow = np.abs(results.flow_mw)
        assert float((flow - results.line_total_mw).max()) < 1e-6
        assert float(flow.max()) > 0


def test_zone_scaling_benchmark_cases_are_connected_real_parts_of_the_nine_zones():
    """benchmarks/bench_zones.py solves the first N zones of its ORDER: every prefix keeps exactly those zones, all
    their plants (the full scenario's, none other) and every corridor between them, and is connected through them."""
    import networkx as nx

    from benchmarks.bench_zones import ORDER, eastern_raw

    full = load_scenario(SCENARIO)
    assert sorted(ORDER) == sorted(ZONES) == sorted(full.zones)
    for count in range(1, len(ORDER) + 1):
        zones = set(ORDER[:count])
        raw = eastern_raw(ORDER[:count], hours=24)
        assert set(raw["zones"]) == zones and raw["horizon"]["hours"] == 24, count
        assert set(raw["plants"]) == {p for p, plant in full.plants.items() if plant.zone in zones}, count
        assert set(raw["transmission"]) == {n for n, c in full.transmission.items() if {c.from_zone, c.to_zone} <= zones}, count
        graph = nx.Graph([(c["from_zone"], c["to_zone"]) for c in raw["transmission"].values()])
        graph.add_nodes_from(zones)
        assert nx.is_connected(graph), f"the first {count} zones of ORDER are not connected"
    assert eastern_raw(ORDER[:2], periods=12)["horizon"]["representative_periods"] == {"periods": 12, "period_hours": 24}
