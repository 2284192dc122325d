"""The example scenarios: the real ISO-NE fleet as published, and the main example's shape.

Expected values come from the data files, read here with pandas (EIA-860 capacity, EIA-930
profiles), not from the model's own inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from planning.cli import app
from planning.config import load_scenario
from tests.conftest import REPO

runner = CliRunner()
SCENARIOS = REPO / "scenarios"
GRID = REPO / "data" / "grid"
EIA860 = GRID / "eia860" / "capacity_by_zone_technology_eia860.csv"
HEAT_WAVE = ["--set", "horizon.start_hour=5352", "--set", "horizon.hours=48"]  # 2021-08-12/13, the summer peak
# plant of isone_2030.yaml -> EIA-860 technologies whose ISNE summer MW it stands for
FLEET = {
    "isone_ccgt": ["Gas_CC"], "isone_ocgt": ["Gas_SC"], "isone_nuclear": ["Nuclear"], "isone_oil": ["Oil"],
    "isone_hydro": ["Hydro"], "isone_other": ["Biomass", "Waste"], "isone_pumped_storage": ["Hydro_PumpedStorage"],
}


def _balance_residual_mw(folder) -> tuple[float, float]:
    """Largest |supply − load| of a one-zone run (MW): from results.nc (full precision) and balance.csv
    (written with 10 significant digits, so ~1e-5 MW at 20 GW)."""
    with xr.open_dataset(folder / "results.nc") as results:
        supply = (results.generation_mw.fillna(0) + results.discharge_mw.fillna(0) - results.charge_mw.fillna(0)).sum("plant")
        load = (results.demand_mw + results.datacenter_mw - results.unserved_mw).sum("zone")
        exact = float(np.abs(supply - load).max())
    balance = pd.read_csv(folder / "balance.csv")
    written = (balance.generation_mw + balance.storage_discharge_mw - balance.storage_charge_mw + balance.net_import_mw
               + balance.unserved_mw - balance.demand_mw - balance.datacenter_mw)
    return exact, float(np.abs(written).max())


def _summer_mw(technologies: list[str]) -> float:
    table = pd.read_csv(EIA860)
    return float(table[(table.zone == "ISNE") & table.technology.isin(technologies)].summer_mw.sum())


def test_real_fleet_is_the_eia860_fleet():
    scenario = load_scenario(SCENARIOS / "isone_2030.yaml")
    for plant, technologies in FLEET.items():
        assert scenario.plants[plant].existing_mw == pytest.approx(_summer_mw(technologies), abs=0.05), plant
    # Every extending example carries the same fleet.
    for name in ("isone_week.yaml", "isone_datacenter_week.yaml", "isone_datacenter_2030.yaml", "isone_stress_week.yaml"):
        other = load_scenario(SCENARIOS / name)
        assert {p: other.plants[p].existing_mw for p in FLEET} == {p: scenario.plants[p].existing_mw for p in FLEET}, name
    # Nuclear at the real rating: Millstone 2 and 3 and Seabrook, not the larger measured 2021 maximum (3,619 MW).
    assert scenario.plants["isone_nuclear"].existing_mw < 3400
    assert scenario.plants["isone_pumped_storage"].existing_mwh == 12000


@pytest.fixture(scope="module")
def heat_wave_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("examples") / "fleet48"
    result = runner.invoke(app, ["run", str(SCENARIOS / "isone_2030.yaml"), "--out", str(out), "-q", *HEAT_WAVE])
    assert result.exit_code == 0, result.output
    return out


def test_real_fleet_balances_and_dispatches_every_resource(heat_wave_run):
    exact, written = _balance_residual_mw(heat_wave_run)
    assert exact < 1e-6 and written < 1e-4
    assert len(pd.read_csv(heat_wave_run / "balance.csv")) == 48
    dispatch = pd.read_csv(heat_wave_run / "dispatch.csv")
    technologies = set(dispatch.technology)
    assert {"hydro", "imports", "oil", "biomass", "nuclear", "ccgt", "ocgt"} <= technologies
    energy = dispatch.groupby("technology").generation_mw.sum()
    assert energy["hydro"] > 0 and energy["imports"] > 0 and energy["biomass"] > 0
    storage = pd.read_csv(heat_wave_run / "storage.csv")
    assert storage[storage.technology == "pumped_storage"].discharge_mw.sum() > 0
    capacity = pd.read_csv(heat_wave_run / "capacity.csv").set_index("technology")
    assert capacity.loc["pumped_storage", "energy_mwh"] == 12000


def test_zero_cost_fleet_delivers_its_measured_energy_in_the_heat_wave(heat_wave_run):
    """In the peak days nothing zero-cost is spilled: hydro and imports deliver their measured 2021 energy.

    Expected: Σ over the 48 h of (profile × capacity) read from isne_2021.csv by time stamp: EIA-930
    labels an hour by its end, so snapshot t (hour-beginning) is the row labelled t + 1 h.
    """
    dispatch = pd.read_csv(heat_wave_run / "dispatch.csv")
    snapshots = pd.to_datetime(dispatch.snapshot.unique()).tz_localize(None)
    grid = pd.read_csv(GRID / "isne_2021.csv", parse_dates=["utc_hour_ending"]).set_index("utc_hour_ending")
    for technology, column, capacity in (("hydro", "hydro_cf", _summer_mw(["Hydro"])), ("imports", "net_imports_cf", 5301.2)):
        modelled = dispatch[dispatch.technology == technology].generation_mw.sum()
        expected = float(grid[column].reindex(snapshots + pd.Timedelta(hours=1)).sum()) * capacity
        assert modelled == pytest.approx(expected, abs=1e-3), technology


def test_main_example_is_integer_uc_with_reserves_and_the_learned_campus():
    result = runner.invoke(app, ["validate", str(SCENARIOS / "isone_datacenter_week.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output
    scenario = load_scenario(SCENARIOS / "isone_datacenter_week.yaml")
    assert scenario.unit_commitment.mode == "integer"
    assert scenario.technologies["ccgt"].unit_size_mw and scenario.technologies["ocgt"].unit_size_mw
    assert scenario.reserves.spinning.fixed_mw == 700 and scenario.reserves.planning_reserve_margin == 0.15
    assert scenario.datacenters["campus"].flexibility == "learned"


def test_main_example_two_days_commits_whole_units_and_holds_reserve(tmp_path):
    out = tmp_path / "main48"
    result = runner.invoke(app, ["run", str(SCENARIOS / "isone_datacenter_week.yaml"), "--out", str(out), "-q",
                                 "--set", "horizon.hours=48", "--set", "horizon.storage_cycle=day"])
    assert result.exit_code == 0, result.output
    exact, written = _balance_residual_mw(out)
    assert exact < 1e-6 and written < 1e-4
    balance = pd.read_csv(out / "balance.csv")
    assert (balance.reserve_provided_mw >= 700 - 1e-6).all()  # the 700 MW spinning requirement, every hour
    commitment = pd.read_csv(out / "commitment.csv")
    assert set(commitment.technology) == {"ccgt", "ocgt"}
    units = commitment[["committed_units", "startups", "shutdowns"]].to_numpy()
    assert np.abs(units - np.round(units)).max() < 1e-6
    # A committed 250 MW CCGT unit runs at ≥ 33.8 % of its size (min stable output).
    ccgt = commitment[commitment.technology == "ccgt"].set_index("snapshot").committed_units
    dispatch = pd.read_csv(out / "dispatch.csv")
    output = dispatch[dispatch.technology == "ccgt"].set_index("snapshot").generation_mw.reindex(ccgt.index)
    assert (output >= 0.338 * 250 * ccgt - 1e-6).all() and (output <= 250 * ccgt + 1e-6).all()
    summary = pd.read_csv(out / "summary.csv").set_index("metric")
    assert float(summary.loc["mip_gap", "value"]) <= 0.001


def test_fleet_profile_figures_and_capacity_credits_match_data_readme():
    """data/README.md's figures for the new profiles, and the credits isone_2030.yaml uses, from the data file."""
    grid = pd.read_csv(GRID / "isne_2021.csv")
    assert grid.hydro_cf.mean() == pytest.approx(0.394, abs=5e-4)
    assert grid.other_cf.mean() == pytest.approx(0.589, abs=5e-4)
    assert grid.net_imports_cf.mean() == pytest.approx(0.392, abs=5e-4)
    assert grid.net_imports_cf.sum() * 5301.2 / 1e6 == pytest.approx(18.20, abs=0.005)  # TWh modelled
    # Capacity credit = mean output in the 100 highest-demand hours of 2021, rounded to 3 decimals.
    peak = grid.nlargest(100, "demand_mw")
    credits = load_scenario(SCENARIOS / "isone_2030.yaml").reserves.capacity_credit
    for technology, column in (("hydro", "hydro_cf"), ("biomass", "other_cf"), ("imports", "net_imports_cf")):
        assert credits[technology] == pytest.approx(round(float(peak[column].mean()), 3), abs=1e-12), technology
