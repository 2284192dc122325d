"""Time stamps: every series lands on the hour it describes (snapshots are hour-beginning UTC).

Expected positions are computed by hand: hour h of 2021 (0-based) begins at 2021-01-01T00:00Z + h;
July 1st is day 181 of 2021 (31+28+31+30+31+30), so 2021-07-01T04:00Z is hour 181·24 + 4 = 4348.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from planning.config import load_scenario, validate_scenario
from planning.config.base import TimeSeriesRef
from planning.errors import ScenarioError
from planning.io.inputs import load_inputs
from planning.io.timeseries import TimeSeriesReader
from tests.conftest import REPO, emitted, thermal, tiny_scenario, write_series

ISNE = REPO / "data" / "grid" / "isne_2021.csv"
GAS = {"technologies": {"gas": thermal(10)}, "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 100}}}


def _write(path, header: str, rows: list[tuple[str, float]]):
    path.write_text(header + "\n" + "".join(f"{stamp},{value}\n" for stamp, value in rows))
    return path


def _read(path, modelled=slice(0, 3), **declared):
    reader = TimeSeriesReader(2021, modelled)
    values = reader.read(TimeSeriesRef(file=path, column="value", **declared), "zones.z.demand")
    return values, reader


def test_hour_ending_stamps_land_on_the_hour_they_end(tmp_path):
    # EIA-930 style: the row stamped 01:00 (UTC, hour ending) is the hour 00:00–01:00 = hour 0.
    path = _write(tmp_path / "he.csv", "utc_time,value", [("2021-01-01 01:00:00", 10), ("2021-01-01 02:00:00", 20),
                                                          ("2021-01-01 03:00:00", 30)])
    values, reader = _read(path, time_convention="hour_ending")
    assert reader.problems == []
    np.testing.assert_array_equal(values[:3], [10, 20, 30])
    assert np.isnan(values[3:]).all()            # hours the file does not cover (not modelled)
    # Read hour-beginning (the default for a column that does not say), the same rows are hours 1–3,
    # and hour 0 is not in the file.
    values, reader = _read(path, modelled=slice(1, 4))
    np.testing.assert_array_equal(values[1:4], [10, 20, 30])


def test_the_column_name_can_declare_the_convention(tmp_path):
    path = _write(tmp_path / "he.csv", "utc_hour_ending,value", [("2021-01-01T01:00:00Z", 10), ("2021-01-01T02:00:00Z", 20),
                                                                 ("2021-01-01T03:00:00Z", 30)])
    values, reader = _read(path)
    assert reader.problems == []
    np.testing.assert_array_equal(values[:3], [10, 20, 30])
    # An explicit declaration wins over the name.
    values, reader = _read(path, modelled=slice(1, 4), time_convention="hour_beginning")
    np.testing.assert_array_equal(values[1:4], [10, 20, 30])


@pytest.mark.parametrize(("stamps", "declared"), [
    # Offsets in the stamps: 00:00 EDT (UTC−4) is 04:00Z.
    (["2021-07-01T00:00:00-04:00", "2021-07-01T01:00:00-04:00"], {}),
    # Local stamps without an offset, declared in New York time (EDT in July).
    (["2021-07-01 00:00", "2021-07-01 01:00"], {"time_zone": "America/New_York"}),
    # A fixed offset declared for the whole file.
    (["2021-07-01 00:00", "2021-07-01 01:00"], {"time_zone": "UTC-04:00"}),
])
def test_local_stamps_are_placed_in_utc(tmp_path, stamps, declared):
    path = _write(tmp_path / "local.csv", "timestamp,value", list(zip(stamps, [7.0, 8.0])))
    values, reader = _read(path, modelled=slice(4348, 4350), **declared)
    assert reader.problems == []
    np.testing.assert_array_equal(values[4348:4350], [7.0, 8.0])


def test_file_without_a_time_column_is_read_by_row(tmp_path):
    pd.DataFrame({"value": np.arange(8760.0)}).to_csv(tmp_path / "rows.csv", index=False)
    values, reader = _read(tmp_path / "rows.csv")
    assert reader.problems == []
    np.testing.assert_array_equal(values, np.arange(8760.0))
    # Declaring how to read stamps that are not there is a mistake, named.
    _, reader = _read(tmp_path / "rows.csv", time_convention="hour_ending")
    assert reader.problems and "time_convention set, but the file has no time column" in reader.problems[0]


def test_file_without_a_time_column_may_hold_only_the_modelled_hours(tmp_path):
    # A 4-hour model from hour 1416 (2021-03-01T00:00Z) reads a 4-row file: row i is modelled hour i.
    pd.DataFrame({"value": [5.0, 6.0, 7.0, 8.0]}).to_csv(tmp_path / "short.csv", index=False)
    values, reader = _read(tmp_path / "short.csv", modelled=slice(1416, 1420))
    assert reader.problems == []
    np.testing.assert_array_equal(values[1416:1420], [5.0, 6.0, 7.0, 8.0])
    assert np.isnan(values[:1416]).all() and np.isnan(values[1420:]).all()
    # Neither a year nor the modelled hours: both lengths are named.
    pd.DataFrame({"value": [1.0] * 5}).to_csv(tmp_path / "five.csv", index=False)
    message = _problem(tmp_path / "five.csv", modelled=slice(1416, 1420))
    assert "5 rows" in message and "8760" in message and "4 (one per modelled hour" in message and "time column" in message


def test_scenario_with_horizon_only_files_solves(tmp_path):
    # A 3-hour model at hour 1416 reads a 3-row demand file (no 8760-row file needed).
    raw = tiny_scenario(tmp_path, [5.0, 6.0, 7.0], extra=GAS)
    raw["horizon"].update(start_hour=1416)
    raw["zones"]["z"]["demand"]["file"] = str(write_series(tmp_path, {"demand": [5.0, 6.0, 7.0]}, name="short.csv", rows=3))
    inputs = load_inputs(validate_scenario(raw))
    np.testing.assert_array_equal(inputs["demand_mw"].values[0], [5.0, 6.0, 7.0])


def _problem(path, **kwargs) -> str:
    values, reader = _read(path, **kwargs)
    assert values is None and len(reader.problems) == 1, reader.problems
    return reader.problems[0]


def test_newest_first_file_is_rejected_naming_file_and_row(tmp_path):
    path = _write(tmp_path / "backwards.csv", "utc_time,value", [("2021-01-01 02:00", 3), ("2021-01-01 01:00", 2),
                                                                 ("2021-01-01 00:00", 1)])
    message = _problem(path)
    assert message.startswith(f"zones.z.demand: {path}")
    assert "column 'utc_time': not increasing" in message and "first at line 3" in message and "sort the file by time" in message


def test_shifted_year_file_is_rejected_naming_file_and_row(tmp_path):
    # A 2020 file (leap year: 8784 hours) for a 2021 model.
    stamps = pd.date_range("2020-01-01", periods=8784, freq="h").strftime("%Y-%m-%d %H:%M:%S")
    path = _write(tmp_path / "y2020.csv", "utc_time,value", [(s, 1.0) for s in stamps])
    message = _problem(path, modelled=slice(0, 8760))
    assert message.startswith(f"zones.z.demand: {path}: time column 'utc_time'")
    assert "covers 2020-01-01T00:00Z to 2020-12-31T23:00Z" in message and "line 2 '2020-01-01 00:00:00'" in message
    assert "another year" in message


@pytest.mark.parametrize(("rows", "expected"), [
    ([("2021-01-01 00:00", 1), ("2021-01-01 01:00", 2), ("2021-01-01 01:00", 2), ("2021-01-01 02:00", 3)],
     "duplicate timestamp(s), first at line 4"),
    ([("2021-01-01 00:00", 1), ("2021-01-01 01:00", 2), ("2021-01-01 04:00", 3)],
     "line 4: '2021-01-01 04:00' follows line 3 ('2021-01-01 01:00') with 2 hours missing"),
    ([("2021-01-01 00:00", 1), ("2021-01-01 00:30", 2), ("2021-01-01 01:00", 3)], "line 3: '2021-01-01 00:30' is not on the hour"),
    ([("2021-01-01 00:00", 1), ("Jan 1 1am", 2), ("2021-01-01 02:00", 3)], "line 3: 'Jan 1 1am' is not an ISO 8601 time stamp"),
    ([("2021-01-01T00:00Z", 1), ("2021-01-01 01:00", 2), ("2021-01-01 02:00", 3)], "line 3: '2021-01-01 01:00' has no UTC offset"),
])
def test_bad_time_columns_name_the_row(tmp_path, rows, expected):
    message = _problem(_write(tmp_path / "bad.csv", "time,value", rows))
    assert expected in message, message


def test_hours_beyond_the_file_need_an_explicit_edge_fill(tmp_path):
    # Hour-ending stamps 2021-01-01 00:00 ... 2021-12-31 23:00 (as in the bundled EIA-930 files): hour
    # beginnings 2020-12-31T23:00Z ... 2021-12-31T22:00Z, so the year's last hour (8759) is not in the file.
    stamps = pd.date_range("2021-01-01", periods=8760, freq="h").strftime("%Y-%m-%d %H:%M:%S")
    path = _write(tmp_path / "he.csv", "utc_hour_ending,value", [(s, float(i)) for i, s in enumerate(stamps)])
    message = _problem(path, modelled=slice(0, 8760))
    assert "1 modelled hour after its last hour, first 2021-12-31T23:00Z" in message and "edge_fill_hours: 1" in message
    values, reader = _read(path, modelled=slice(0, 8760), edge_fill_hours=1)
    assert reader.problems == []
    # Row i (value i) stamped i h after 2021-01-01T00:00 ends there: hour i − 1. Hour 0 is row 1.
    np.testing.assert_array_equal(values[:8759], np.arange(1.0, 8760.0))
    assert values[8759] == 8759.0                # the last row's value, repeated
    assert reader.notes == [f"zones.z.demand: {path}: 1 modelled hour (2021-12-31T23:00Z) outside the file takes its nearest value "
                            "(edge_fill_hours: 1)"]


def test_scenario_data_land_on_their_snapshots(tmp_path):
    # Through load_inputs: a 3-hour model from 2021-03-01T00:00Z (hour 59·24 = 1416), demand stamped
    # hour-ending in UTC; the rows before and after the modelled hours are ignored.
    raw = tiny_scenario(tmp_path, [0.0] * 3, extra=GAS)
    raw["horizon"].update(start_hour=1416)
    stamps = ["2021-03-01 00:00", "2021-03-01 01:00", "2021-03-01 02:00", "2021-03-01 03:00", "2021-03-01 04:00"]
    _write(tmp_path / "demand.csv", "utc_hour_ending,value", list(zip(stamps, [5.0, 6.0, 7.0, 8.0, 9.0])))
    raw["zones"]["z"]["demand"] = {"file": str(tmp_path / "demand.csv"), "column": "value"}
    inputs = load_inputs(validate_scenario(raw))
    assert pd.DatetimeIndex(inputs["snapshot"].values)[0] == pd.Timestamp("2021-03-01T00:00")
    np.testing.assert_array_equal(inputs["demand_mw"].values[0], [6.0, 7.0, 8.0])


def test_scenario_time_problems_name_the_key(tmp_path):
    raw = tiny_scenario(tmp_path, [0.0] * 3, extra=GAS)
    _write(tmp_path / "demand.csv", "utc_time,value", [("2021-01-01 02:00", 3), ("2021-01-01 01:00", 2), ("2021-01-01 00:00", 1)])
    raw["zones"]["z"]["demand"] = {"file": str(tmp_path / "demand.csv"), "column": "value"}
    with pytest.raises(ScenarioError) as info:
        load_inputs(validate_scenario(raw))
    assert any(p.startswith(f"zones.z.demand: {tmp_path / 'demand.csv'}") and "first at line 3" in p for p in info.value.problems)
    raw["zones"]["z"]["demand"]["time_zone"] = "Mars/Olympus"
    with pytest.raises(ScenarioError, match=r"zones.z.demand.time_zone: .*unknown time zone 'Mars/Olympus'"):
        validate_scenario(raw)


def test_bundled_isne_file_is_hour_ending(tmp_path):
    """The EIA-930 ISO-NE file, read independently with the csv module: its row stamped
    2021-08-01 01:00:00 (UTC, hour ending) is the demand of snapshot 2021-08-01T00:00Z."""
    with ISNE.open() as handle:
        rows = {row[next(iter(row))]: row for row in csv.DictReader(handle)}
    scenario = load_scenario(REPO / "scenarios" / "isone_week.yaml", ["horizon.hours=24", "horizon.storage_cycle=day"])
    inputs = load_inputs(scenario)
    first = pd.DatetimeIndex(inputs["snapshot"].values)[0]
    assert first == pd.Timestamp("2021-08-01T00:00")
    expected = [float(rows[(first + pd.Timedelta(hours=h + 1)).strftime("%Y-%m-%d %H:%M:%S")]["demand_mw"]) for h in range(24)]
    np.testing.assert_array_equal(inputs["demand_mw"].sel(zone="isone").values, expected)


def test_isne_solar_is_centred_on_solar_noon():
    """Independent of any label: ISO-NE's PV fleet (about 71.5° W) peaks around solar noon,
    12:00 + 71.5/15 h = 16:46 UTC (the equation of time averages out over a year). The
    annual-mean capacity factor by hour of day, with each hour placed at its mid-point, must
    centre within half an hour of it; read hour-beginning, the file would centre about 1 h late."""
    frame = pd.read_csv(ISNE)
    stamp_column = frame.columns[0]
    hour_of_label = pd.to_datetime(frame[stamp_column]).dt.hour.to_numpy()
    weights = frame["solar_cf"].to_numpy()

    def centre(midpoints):
        angle = np.angle((weights * np.exp(2j * np.pi * midpoints / 24)).sum())
        return (angle * 24 / (2 * np.pi)) % 24

    solar_noon_utc = 12 + 71.5 / 15
    assert abs(centre(hour_of_label - 0.5) - solar_noon_utc) < 0.5      # hour ending: the hour is [label − 1, label)
    assert abs(centre(hour_of_label + 0.5) - solar_noon_utc) > 0.9      # hour beginning would be an hour late


def test_every_key_reading_a_filled_file_is_warned_under_its_own_key(tmp_path):
    # One file, read by three keys (two zones' demand and a wind profile), starts an hour after the first modelled
    # hour (2021-01-01T00:00Z): each key fills that hour from the first row, so each is warned, named by its key —
    # not only the first key to read the file (the reader reads and aligns the file once).
    import logging

    late = tmp_path / "late.csv"
    late.write_text("utc_time,demand,cf\n2021-01-01 01:00,100,0.5\n2021-01-01 02:00,100,0.5\n", encoding="utf-8")
    shared = {"file": str(late), "edge_fill_hours": 1}
    raw = tiny_scenario(tmp_path, [0.0] * 2, extra={
        "zones": {"a": {"demand": {**shared, "column": "demand"}}, "b": {"demand": {**shared, "column": "demand"}}},
        "technologies": {"gas": thermal(10), "wind": {"kind": "variable"}},
        "plants": {"g": {"zone": "a", "technology": "gas", "existing_mw": 100},
                   "w": {"zone": "b", "technology": "wind", "existing_mw": 10, "profile": {**shared, "column": "cf"}}}})
    with emitted() as records:
        inputs = load_inputs(validate_scenario(raw))
    note = "1 modelled hour (2021-01-01T00:00Z) outside the file takes its nearest value (edge_fill_hours: 1)"
    expected = [f"{key}: {late}: {note}" for key in ("zones.a.demand", "zones.b.demand", "plants.w.profile")]
    assert [record.getMessage() for record in records] == expected
    assert all(record.levelno == logging.WARNING and record.name == "planning.inputs" for record in records)
    assert inputs.attrs["input_time_notes"] == expected
    np.testing.assert_array_equal(inputs["demand_mw"].values, [[100, 100], [100, 100]])
