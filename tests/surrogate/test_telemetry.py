"""Telemetry reader: bad files give one InputDataError naming file, column and line."""

from pathlib import Path

import pytest

from planning.errors import InputDataError
from planning.io.telemetry import load_telemetry, read_telemetry

DATA = Path(__file__).resolve().parents[2] / "data" / "telemetry"


def _write(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = ("timestamp,power_mw,ambient_temperature_c\n"
        "2025-05-04T14:00:00-07:00,10.0,30\n"
        "2025-05-04T14:30:00-07:00,11.0,31\n"
        "2025-05-04T15:00:00-07:00,12.0,31\n"
        "2025-05-04T15:30:00-07:00,14.0,32\n")


def test_good_file_reads_and_resamples_hourly(tmp_path):
    series = read_telemetry(_write(tmp_path, GOOD))
    hourly = series.hourly()
    assert list(hourly["power_mw"]) == [10.5, 13.0]  # energy-preserving hourly means
    assert str(hourly.index[0]) == "2025-05-04 14:00:00-07:00"


@pytest.mark.parametrize("text, column, line, words", [
    ("timestamp,power_mw\n2025-05-04T15:00:00-07:00,1\n2025-05-04T14:00:00-07:00,1\n", "timestamp", 3, "backwards"),
    ("timestamp,power_mw\n2025-05-04T14:00:00-07:00,1\n2025-05-04T14:00:00-07:00,2\n", "timestamp", 3, "duplicate"),
    ("timestamp,power_mw\n2025-05-04T14:00:00-07:00,1\n2025-05-04T15:00:00-07:00,NaN\n", "power_mw", 3, "NaN"),
    ("timestamp,power_mw\n2025-05-04T14:00:00-07:00,abc\n", "power_mw", 2, "non-numeric"),
    ("timestamp,power_mw\n2025-05-04T14:00:00-07:00,1\n2025-05-04T15:00:00-07:00,94172.9\n", "power_mw", 3, "look like W"),
    ("timestamp,power_per_unit\n2025-05-04T14:00:00-07:00,65\n", "power_per_unit", 2, "percent"),
    ("timestamp,power_mw\n2025-05-04 14:00:00,1\n", "timestamp", 2, "time zone missing"),
])
def test_bad_telemetry_names_file_column_line(tmp_path, text, column, line, words):
    path = _write(tmp_path, text)
    with pytest.raises(InputDataError) as caught:
        read_telemetry(path)
    message = str(caught.value)
    assert str(path) in message and f"'{column}'" in message and f"line {line}" in message and words in message


def test_problems_are_collected_together(tmp_path):
    text = ("timestamp,power_mw,utilisation\n2025-05-04T14:00:00-07:00,1,0.5\n"
            "2025-05-04T13:00:00-07:00,x,0.5\n")
    with pytest.raises(InputDataError) as caught:
        read_telemetry(_write(tmp_path, text))
    problems = caught.value.problems
    assert len(problems) == 3  # unknown column (with hint), backwards time, non-numeric power
    assert any("did you mean 'utilization_fraction'" in p for p in problems)


@pytest.mark.parametrize("text", ["", "timestamp,power_mw\n"])
def test_empty_file(tmp_path, text):
    with pytest.raises(InputDataError, match="empty|no data rows"):
        load_telemetry(_write(tmp_path, text))


def test_gaps_are_reported_not_raised(tmp_path):
    text = GOOD + "2025-05-04T18:00:00-07:00,14.0,32\n"
    series = read_telemetry(_write(tmp_path, text))
    assert any("gap" in w for w in series.warnings)


def test_bundled_adapters():
    google = load_telemetry(DATA / "cella_pdu6.csv")
    assert str(google.frame.index[0]) == "2019-05-01 00:00:00-07:00" and len(google.frame) == 8928
    assert 0.6 < google.frame["power_per_unit"].min() < google.frame["power_per_unit"].max() < 0.8
    srp = load_telemetry(DATA / "SRP_total_power.csv")
    assert srp.frame["power_mw"].iloc[0] == pytest.approx(0.0941729219351093)
    sweep = load_telemetry(DATA / "dvfs_sweep.csv").frame
    top = sweep[sweep["gpu_power_cap_w"] == 400]
    assert top["power_per_unit"].eq(1.0).all() and top["throughput_per_unit"].eq(1.0).all()
    zeus = load_telemetry(DATA / "summary_power_v100.csv").frame
    first = zeus.iloc[0]
    assert first["throughput_per_s"] == pytest.approx(1 / 11.276666666666666)
