"""results.nc follows the CF conventions: units and long names, a UTC time coordinate, names as
coordinates, carbon intensities and statistics included, empty dimensions typed; and the CF checker
from PyPI passes it (skipped when ``cfchecker`` or its UDUNITS-2 library is missing; see
benchmarks/cf_check.py)."""

from __future__ import annotations

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from planning.config import validate_scenario
from planning.io.writers import STRING_VARIABLES, open_results, undeclared_units
from planning.workflows.run import run_scenario
from tests.conftest import storage_arbitrage_scenario, thermal, tiny_scenario

try:  # cfunits loads UDUNITS-2 at import: a missing library is an OSError/FileNotFoundError, not an ImportError
    import cfchecker.cfchecks  # noqa: F401  (benchmarks.cf_check imports it only when checking)

    from benchmarks.cf_check import check as cf_check
except Exception:  # pragma: no cover - depends on the machine
    cf_check = None

# Units as UDUNITS-2 spells them (money in currency units: MW-1 h-1 is currency/MWh, year-1 is currency/year).
KNOWN_UNITS = {"MW", "MW h", "h", "t", "1", "t h-1", "g kW-1 h-1", "t MW-1 h-1", "MW-1 h-1", "MW-1 year-1", "year-1", "t-1"}


@pytest.fixture(scope="module")
def arbitrage_run(tmp_path_factory):
    """One zone, no lines (an empty ``line`` dimension), PV + battery + gas, carbon factors."""
    folder = tmp_path_factory.mktemp("arbitrage")
    raw = storage_arbitrage_scenario(folder, carbon={"technology_rows": {"gas": "ccgt", "pv": "utility_pv", "bat": "battery"}})
    run_scenario(validate_scenario(raw), folder / "run")
    return folder / "run"


@pytest.fixture(scope="module")
def committed_two_zone_run(tmp_path_factory):
    """Two zones joined by a line, gas with unit commitment in one of them, spinning reserve and a planning margin
    (commitment, flow, reserve and capacity-price variables)."""
    folder = tmp_path_factory.mktemp("two_zone")
    raw = tiny_scenario(folder, [150, 60, 120], columns={"zero": [0, 0, 0], "far": [40, 40, 40]}, extra={
        "technologies": {"gas": thermal(10, unit_size_mw=100, min_stable_output=0.3), "peaker": thermal(40)},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 200, "max_new_mw": 0},
                   "p": {"zone": "far", "technology": "peaker", "existing_mw": 100, "max_new_mw": 0}},
        "unit_commitment": {"mode": "linear"},
        "carbon": {"technology_rows": {"gas": "ccgt", "peaker": "ocgt"}},
        "reserves": {"spinning": {"load_fraction": 0.1}, "planning_reserve_margin": 0.1},
    })
    raw["zones"]["far"] = {"demand": {"file": raw["zones"]["z"]["demand"]["file"], "column": "far"}}
    raw["transmission"] = {"corridor": {"from_zone": "z", "to_zone": "far", "existing_mw": 50, "max_new_mw": 0}}
    run_scenario(validate_scenario(raw), folder / "run")
    return folder / "run"


@pytest.mark.parametrize("run", ["arbitrage_run", "committed_two_zone_run"])
def test_every_variable_has_units_and_a_long_name(run, request):
    folder = request.getfixturevalue(run)
    with xr.open_dataset(folder / "results.nc", decode_times=False) as results:
        assert results.attrs["Conventions"] == "CF-1.8"
        assert undeclared_units(results) == []  # every unit comes from a declared rule, none from the fallback
        for name, variable in results.variables.items():
            assert variable.attrs.get("long_name"), name
            if name in STRING_VARIABLES:  # names: units do not apply
                assert "units" not in variable.attrs, name
                continue
            assert variable.attrs.get("units") in KNOWN_UNITS | {"hours since 1970-01-01T00:00:00+00:00"}, (name, variable.attrs.get("units"))
            if variable.attrs["units"] in ("MW-1 h-1", "MW-1 year-1", "year-1", "t-1"):
                assert variable.attrs["currency"] == "USD2020", name
        assert results["snapshot"].attrs["standard_name"] == "time" and results["snapshot"].attrs["units"].endswith("+00:00")
        # names of plants are coordinates, not data
        for name in ("plant_zone", "plant_technology", "plant_kind", "plant_name", "zone_name"):
            assert name in results.coords and name not in results.data_vars, name
        if run == "committed_two_zone_run":
            assert {"committed_units", "flow_mw", "reserve_price_per_mwh", "capacity_price_per_mw_year", "line_from"} <= set(results.variables)


def test_carbon_and_statistics_match_the_csv_files(arbitrage_run):
    results = open_results(arbitrage_run / "results.nc")
    carbon = pd.read_csv(arbitrage_run / "carbon.csv")
    written = results["average_g_per_kwh"].sel(zone="z").values
    np.testing.assert_allclose(written, carbon["average_g_per_kwh"].to_numpy(), rtol=1e-9, equal_nan=True)
    statistics = pd.read_csv(arbitrage_run / "statistics.csv").set_index(["zone", "technology"])
    assert results["statistics_generation_mwh"].sel(statistics_zone="z", statistics_technology="gas") == pytest.approx(
        statistics.loc[("z", "gas"), "generation_mwh"], rel=1e-9)
    # gas 35.2 MW in hour 1 at 5 t/MWh = 176 t (conftest's hand-computed optimum)
    assert float(results["statistics_co2_t"].sel(statistics_zone="total", statistics_technology="total")) == pytest.approx(176.0, rel=1e-9)
    # production-based average in hour 1: gas is the only generator (storage is not a source) → 5 t/MWh = 5000 g/kWh
    assert float(results["average_g_per_kwh"].sel(zone="z").isel(snapshot=1)) == pytest.approx(5000.0, rel=1e-9)


def test_names_read_back_as_indexes_and_empty_dimensions_stay_strings(arbitrage_run):
    results = open_results(arbitrage_run / "results.nc")
    assert sorted(results["plant"].values) == ["b", "g", "s"]
    assert float(results["generation_mw"].sel(plant="g").isel(snapshot=1)) == pytest.approx(35.2, rel=1e-9)
    assert str(results["plant_technology"].sel(plant="b").values) == "bat"
    assert results.sizes["line"] == 0
    with netCDF4.Dataset(arbitrage_run / "results.nc") as nc:  # char arrays even with no member
        for name in ("line_name", "line_from", "line_to"):
            assert nc.variables[name].dtype == np.dtype("S1"), name
            assert nc.variables[name].dimensions[0] == "line"


@pytest.mark.skipif(cf_check is None, reason="cfchecker (pip) and UDUNITS-2 (apt-get install libudunits2-0) are needed")
@pytest.mark.parametrize("run", ["arbitrage_run", "committed_two_zone_run"])
def test_cf_checker_finds_no_errors(run, request):
    messages = cf_check(request.getfixturevalue(run) / "results.nc")
    assert messages["FATAL"] + messages["ERROR"] == []
    assert messages["WARN"] == []
