"""Signal export in the Carbon Aware SDK's Web API shapes.

The expected JSON below is written by hand from the SDK's documented types
(Green-Software-Foundation/carbon-aware-sdk: EmissionsForecastDTO, EmissionsDataDTO,
EmissionsData, CarbonIntensityDTO; rolling average of EmissionsDataExtensions.RollingAverage,
ties of GetOptimalEmissions), not from this code's output.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.config.carbon import Carbon
from planning.errors import InputDataError
from planning.io.signals import (average_carbon_intensity, carbon_aware_forecast, emissions_by_location, optimal_window,
                                 signals_table, write_signals)

# Zone isone (SDK location "eastus"), six hours from 2030-06-01 00:00 UTC.
ISONE = [300.0, 100.0, 200.0, 100.0, 250.0, 550.0]
# Zone z2 (no SDK name: keeps its own), hour 1 without supply.
Z2 = [100.0, np.nan, 300.0, 200.0, 400.0, 100.0]
LOCATIONS = {"isone": "eastus"}


def carbon_frame() -> pd.DataFrame:
    snapshots = list(pd.date_range("2030-06-01", periods=6, freq="h").strftime("%Y-%m-%dT%H:%M"))
    values = ISONE + Z2
    return pd.DataFrame({"snapshot": snapshots * 2, "zone": ["isone"] * 6 + ["z2"] * 6, "average_g_per_kwh": values,
                         "consumption_g_per_kwh": values, "marginal_g_per_kwh": values, "price_per_mwh": 1.0})


def point(location, hour, value, duration=120):
    return {"location": location, "timestamp": f"2030-06-01T{hour:02d}:00:00+00:00", "duration": duration, "value": value}


# windowSize 2 h (120 min): forward windows starting at each hour, none past 06:00 (no partial tail).
# isone: (300+100)/2 = 200, (100+200)/2 = 150, (200+100)/2 = 150, (100+250)/2 = 175, (250+550)/2 = 400
#        → minimum 150, tied at 01:00 and 02:00.
# z2: windows at 00:00 and 01:00 contain the hour without supply → not written;
#     (300+200)/2 = 250, (200+400)/2 = 300, (400+100)/2 = 250 → minimum 250 tied at 02:00 and 04:00.
EXPECTED_FORECAST = [
    {
        "generatedAt": "2030-06-01T00:00:00+00:00",
        "requestedAt": "2030-06-01T00:00:00+00:00",
        "location": "eastus",
        "dataStartAt": "2030-06-01T00:00:00+00:00",
        "dataEndAt": "2030-06-01T06:00:00+00:00",
        "windowSize": 120,
        "optimalDataPoints": [point("eastus", 1, 150.0), point("eastus", 2, 150.0)],
        "forecastData": [point("eastus", 0, 200.0), point("eastus", 1, 150.0), point("eastus", 2, 150.0),
                         point("eastus", 3, 175.0), point("eastus", 4, 400.0)],
    },
    {
        "generatedAt": "2030-06-01T00:00:00+00:00",
        "requestedAt": "2030-06-01T00:00:00+00:00",
        "location": "z2",
        "dataStartAt": "2030-06-01T00:00:00+00:00",
        "dataEndAt": "2030-06-01T06:00:00+00:00",
        "windowSize": 120,
        "optimalDataPoints": [point("z2", 2, 250.0), point("z2", 4, 250.0)],
        "forecastData": [point("z2", 2, 250.0), point("z2", 3, 300.0), point("z2", 4, 250.0)],
    },
]

# emissions/bylocation (EmissionsData: location, time, rating, duration as a TimeSpan "hh:mm:ss");
# the z2 hour without supply is left out.
EXPECTED_BYLOCATION = (
    [{"location": "eastus", "time": f"2030-06-01T{h:02d}:00:00+00:00", "rating": v, "duration": "01:00:00"} for h, v in enumerate(ISONE)]
    + [{"location": "z2", "time": f"2030-06-01T{h:02d}:00:00+00:00", "rating": v, "duration": "01:00:00"}
       for h, v in [(0, 100.0), (2, 300.0), (3, 200.0), (4, 400.0), (5, 100.0)]]
)

# CarbonIntensityDTO: isone (300+100+200+100+250+550)/6 = 1500/6 = 250; z2 (100+300+200+400+100)/5 = 1100/5 = 220.
EXPECTED_AVERAGE = [
    {"location": "eastus", "startTime": "2030-06-01T00:00:00+00:00", "endTime": "2030-06-01T06:00:00+00:00", "carbonIntensity": 250.0},
    {"location": "z2", "startTime": "2030-06-01T00:00:00+00:00", "endTime": "2030-06-01T06:00:00+00:00", "carbonIntensity": 220.0},
]


def test_forecast_matches_the_sdk_rolling_average_and_ties():
    assert carbon_aware_forecast(carbon_frame(), "marginal", window_hours=2, locations=LOCATIONS) == EXPECTED_FORECAST


def test_forecast_window_of_one_hour_is_the_hourly_series():
    # windowSize 60 = the data points' own duration: the SDK's rolling average returns the points themselves.
    entry = carbon_aware_forecast(carbon_frame(), "average", window_hours=1, locations=LOCATIONS)[0]
    assert entry["forecastData"] == [point("eastus", h, v, 60) for h, v in enumerate(ISONE)]
    assert entry["optimalDataPoints"] == [point("eastus", 1, 100.0, 60), point("eastus", 3, 100.0, 60)]


def test_bylocation_and_carbon_intensity_shapes():
    assert emissions_by_location(carbon_frame(), "consumption", LOCATIONS) == EXPECTED_BYLOCATION
    assert average_carbon_intensity(carbon_frame(), "consumption", LOCATIONS) == EXPECTED_AVERAGE


def test_files_have_no_nulls_and_match_the_examples(tmp_path):
    paths = write_signals(carbon_frame(), tmp_path, window_hours=2, locations=LOCATIONS)
    names = sorted(p.name for p in paths)
    assert names == sorted(["signals.csv"] + [f"signals_{m}{s}.json" for m in ("average", "consumption", "marginal")
                                              for s in ("", "_bylocation", "_average")])
    for metric in ("average", "consumption", "marginal"):
        text = (tmp_path / f"signals_{metric}.json").read_text()
        assert "null" not in text and "NaN" not in text
        assert json.loads(text) == EXPECTED_FORECAST
        assert json.loads((tmp_path / f"signals_{metric}_bylocation.json").read_text()) == EXPECTED_BYLOCATION
        assert json.loads((tmp_path / f"signals_{metric}_average.json").read_text()) == EXPECTED_AVERAGE
    table = signals_table(carbon_frame())
    assert list(table.columns)[:3] == ["timestamp", "zone", "duration_min"]
    assert np.isnan(table["marginal_g_per_kwh"].iloc[7])   # empty in the CSV, never 0


def test_zone_keeps_its_name_without_a_mapping():
    assert [entry["location"] for entry in carbon_aware_forecast(carbon_frame(), window_hours=2)] == ["isone", "z2"]


def test_window_longer_than_the_data_and_optimal_window():
    # isone 2 h means 200, 150, 150, 175, 400 → the earliest minimum starts at hour 1.
    assert optimal_window(np.array(ISONE), 2) == (1, 150.0)
    with pytest.raises(InputDataError):
        carbon_aware_forecast(carbon_frame(), window_hours=7)


def test_window_across_a_gap_in_time_is_not_written():
    # Two representative days, 2 h each: 00–01 on 1 June and 00–01 on 8 June. 2 h windows: only within each day.
    frame = pd.DataFrame({"snapshot": ["2030-06-01T00:00", "2030-06-01T01:00", "2030-06-08T00:00", "2030-06-08T01:00"], "zone": "z",
                          "average_g_per_kwh": [100.0, 300.0, 50.0, 150.0], "consumption_g_per_kwh": 0.0,
                          "marginal_g_per_kwh": 0.0, "price_per_mwh": 0.0})
    entry = carbon_aware_forecast(frame, "average", window_hours=2)[0]
    assert entry["forecastData"] == [{"location": "z", "timestamp": "2030-06-01T00:00:00+00:00", "duration": 120, "value": 200.0},
                                     {"location": "z", "timestamp": "2030-06-08T00:00:00+00:00", "duration": 120, "value": 100.0}]


def test_location_names_from_the_scenario_via_the_cli(tmp_path):
    assert Carbon(sdk_locations={"isone": "eastus"}).sdk_locations == {"isone": "eastus"}
    assert Carbon().sdk_locations == {}
    results = tmp_path / "run"
    results.mkdir()
    carbon_frame().to_csv(results / "carbon.csv", index=False)
    (results / "scenario.resolved.yaml").write_text("carbon:\n  sdk_locations:\n    isone: eastus\n", encoding="utf-8")
    outcome = CliRunner().invoke(app, ["signals", str(results), "--window-hours", "2"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads((results / "signals" / "signals_marginal.json").read_text()) == EXPECTED_FORECAST


def test_two_hour_snapshots_state_their_length():
    # horizon.resolution_hours = 2: three 2-hour snapshots 00:00, 02:00, 04:00 with 300, 100, 200 g/kWh.
    # A 4-hour window spans two snapshots: (300+100)/2 = 200 at 00:00, (100+200)/2 = 150 at 02:00;
    # the data end at 06:00; each by-location value lasts 02:00:00; the CSV says 120 minutes.
    snapshots = ["2030-06-01T00:00", "2030-06-01T02:00", "2030-06-01T04:00"]
    frame = pd.DataFrame({"snapshot": snapshots, "zone": "isone", "average_g_per_kwh": [300.0, 100.0, 200.0],
                          "consumption_g_per_kwh": [300.0, 100.0, 200.0], "marginal_g_per_kwh": [300.0, 100.0, 200.0],
                          "price_per_mwh": 1.0})
    forecast = carbon_aware_forecast(frame, "marginal", window_hours=4, locations=LOCATIONS)[0]
    assert forecast["forecastData"] == [point("eastus", 0, 200.0, 240), point("eastus", 2, 150.0, 240)]
    assert forecast["dataEndAt"] == "2030-06-01T06:00:00+00:00"
    assert {p["duration"] for p in emissions_by_location(frame, "marginal", LOCATIONS)} == {"02:00:00"}
    assert average_carbon_intensity(frame, "marginal", LOCATIONS)[0]["endTime"] == "2030-06-01T06:00:00+00:00"
    assert set(signals_table(frame)["duration_min"]) == {120}
    with pytest.raises(InputDataError, match="not a whole number of 2-hour snapshots"):
        carbon_aware_forecast(frame, "marginal", window_hours=3)
