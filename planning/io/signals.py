"""Hourly carbon and price signals for carbon-aware schedulers (from carbon.csv).

Forms written by ``planning signals RESULTS_DIR``:

* ``signals.csv`` — one row per snapshot and zone: ``timestamp`` (ISO 8601, UTC), ``zone``,
  ``duration_min``, ``average_g_per_kwh``, ``consumption_g_per_kwh``, ``marginal_g_per_kwh``,
  ``price_per_mwh``.
* Per metric (average, consumption, marginal), three JSON files in the Green Software
  Foundation Carbon Aware SDK's Web API response shapes (field names and casing as its DTOs):

  - ``signals_<metric>.json`` — ``GET /emissions/forecasts/current`` (``EmissionsForecastDTO``),
    one object per location: ``generatedAt``, ``requestedAt``, ``location``, ``dataStartAt``,
    ``dataEndAt``, ``windowSize`` (minutes, int), ``optimalDataPoints`` and ``forecastData``
    (``EmissionsDataDTO``: ``location``, ``timestamp``, ``duration`` in minutes as an int,
    ``value``). As the SDK's ``RollingAverage`` does, each ``forecastData`` point is the mean
    over the forward-looking window of ``windowSize`` minutes starting at its timestamp, with
    ``duration = windowSize``; windows that would end after ``dataEndAt`` are not written (no
    partial tail), so n hourly values give n − w + 1 points. ``optimalDataPoints`` lists every
    point whose value equals the minimum (the SDK's ``GetOptimalEmissions``), in time order.
  - ``signals_<metric>_bylocation.json`` — ``GET /emissions/bylocation`` (``EmissionsData``):
    one object per zone-hour: ``location``, ``time``, ``rating``, ``duration`` (a .NET TimeSpan
    as System.Text.Json writes it, ``"01:00:00"``).
  - ``signals_<metric>_average.json`` — ``GET /emissions/average-carbon-intensity``
    (``CarbonIntensityDTO``): one object per zone: ``location``, ``startTime``, ``endTime``,
    ``carbonIntensity`` (the mean over the zone's hours with a value).

Units: values are g CO2/kWh (the SDK's unit). Timestamps are written as System.Text.Json writes
a ``DateTimeOffset`` at UTC: ``2030-06-01T02:00:00+00:00``.

``location`` is the SDK location name of a zone: ``carbon.sdk_locations`` of the run's
scenario (zone → name, e.g. ``{isone: eastus}``); a zone not listed keeps its own name.

``generatedAt`` and ``requestedAt`` are the as-of time of the modelled data, not the time of the
export: the start of the modelled horizon (the first snapshot), i.e. the forecast is read as
one issued at the start of the data it covers. The export is thus reproducible.

No nulls: the SDK has none. A zone-hour without any supply has no intensity (empty in
signals.csv, never 0); in the JSON it is left out of ``bylocation``, out of the average, and no
``forecastData`` window containing it is written. Windows spanning a gap in time (between
representative periods) are not written either, since the SDK averages only continuous data.
Snapshots of weight > 1 h (representative periods) are written as they are, one hour each; the
weight is not part of a signal.

Values are those of carbon.csv (start-up and no-load fuel included in the average and
consumption-based intensities; a zone without local generation carries its imported intensity
in ``average``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from planning.errors import InputDataError

METRICS = ("average", "consumption", "marginal")
_ISO = "%Y-%m-%dT%H:%M:%S+00:00"


def _stamp(time) -> str:
    """A UTC time as System.Text.Json writes a DateTimeOffset at offset zero."""
    time = pd.Timestamp(time)
    if time.tzinfo is not None:
        time = time.tz_convert("UTC").tz_localize(None)
    return time.strftime(_ISO)


def _timespan(minutes: int) -> str:
    """A duration as System.Text.Json writes a TimeSpan ("c" format: [d.]hh:mm:ss)."""
    days, rest = divmod(int(minutes), 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}:00"
    return f"{days}.{text}" if days else text


def signals_table(carbon: pd.DataFrame) -> pd.DataFrame:
    """signals.csv from a carbon.csv table."""
    frame = pd.DataFrame({
        "timestamp": pd.to_datetime(carbon["snapshot"]).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "zone": carbon["zone"].astype(str),
        "duration_min": int(time_step(carbon["snapshot"]) / pd.Timedelta(minutes=1)),
    })
    for metric in METRICS:
        frame[f"{metric}_g_per_kwh"] = carbon[f"{metric}_g_per_kwh"].to_numpy()
    frame["price_per_mwh"] = carbon["price_per_mwh"].to_numpy()
    return frame


def time_step(times) -> pd.Timedelta:
    """The length of one snapshot: the smallest step between consecutive distinct times (1 h for one time).

    Snapshots are ``horizon.resolution_hours`` long; every export states that length (``duration``)."""
    stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(times))).unique().sort_values()
    steps = np.diff(stamps.values.astype("datetime64[ns]").astype(np.int64))
    steps = steps[steps > 0]
    return pd.Timedelta(int(steps.min()), unit="ns") if steps.size else pd.Timedelta(hours=1)


def rolling_windows(times: pd.Series, values: np.ndarray, window: int) -> list[tuple[int, float]]:
    """(start index, mean) of each forward-looking ``window``-hour window over continuous snapshots with values.

    As the SDK's RollingAverage: one window per starting snapshot, none past the last one; windows
    containing a snapshot without a value or a gap in time are left out. With snapshots of Δt hours
    a window spans window/Δt of them (window must be a multiple of Δt).
    """
    values = np.asarray(values, dtype=float)
    times = pd.to_datetime(pd.Series(times)).reset_index(drop=True)
    step = time_step(times)
    count = pd.Timedelta(hours=window) / step
    if abs(count - round(count)) > 1e-9:
        raise InputDataError([f"signal window of {window} h is not a whole number of {step / pd.Timedelta(hours=1):g}-hour snapshots; "
                              "choose a multiple of horizon.resolution_hours"], title="invalid signal window")
    count = int(round(count))
    if count > len(values):
        raise InputDataError([f"signal window of {window} h is longer than the {len(values)} h of data; choose a shorter window"],
                             title="invalid signal window")
    out = []
    for start in range(len(values) - count + 1):
        chunk = values[start:start + count]
        continuous = times[start + count - 1] - times[start] == step * (count - 1)
        if continuous and np.all(np.isfinite(chunk)):
            out.append((start, float(chunk.mean())))
    return out


def optimal_window(values: np.ndarray, window: int) -> tuple[int, float]:
    """Start index and mean of the earliest ``window``-long run with the lowest mean (NaN hours excluded)."""
    values = np.asarray(values, dtype=float)
    times = pd.Series(pd.date_range("2000-01-01", periods=len(values), freq="h"))
    windows = rolling_windows(times, values, window)
    if not windows:
        raise InputDataError([f"no {window} h window without a missing hour"], title="invalid signal window")
    return min(windows, key=lambda item: item[1])


def _location(zone, locations: dict[str, str] | None) -> str:
    return str((locations or {}).get(str(zone), zone))


def carbon_aware_forecast(carbon: pd.DataFrame, metric: str = "marginal", window_hours: int = 4,
                          generated_at: str | None = None, locations: dict[str, str] | None = None) -> list[dict]:
    """The Carbon Aware SDK forecast-response list (``EmissionsForecastDTO``, one per zone) for one metric."""
    column = _column(metric)
    out = []
    for zone, frame in carbon.groupby("zone", sort=False):
        location = _location(zone, locations)
        times = pd.to_datetime(frame["snapshot"]).reset_index(drop=True)
        values = frame[column].to_numpy(dtype=float)
        points = [{"location": location, "timestamp": _stamp(times[start]), "duration": 60 * window_hours, "value": round(mean, 6)}
                  for start, mean in rolling_windows(times, values, window_hours)]
        best = min((p["value"] for p in points), default=None)
        as_of = generated_at or _stamp(times[0])
        out.append({
            "generatedAt": as_of,
            "requestedAt": as_of,
            "location": location,
            "dataStartAt": _stamp(times[0]),
            "dataEndAt": _stamp(times.iloc[-1] + time_step(times)),
            "windowSize": 60 * window_hours,
            "optimalDataPoints": [p for p in points if p["value"] == best],
            "forecastData": points,
        })
    return out


def emissions_by_location(carbon: pd.DataFrame, metric: str = "marginal", locations: dict[str, str] | None = None) -> list[dict]:
    """The SDK's ``emissions/bylocation`` response (``EmissionsData``): one object per zone-hour with a value."""
    column = _column(metric)
    minutes = int(time_step(carbon["snapshot"]) / pd.Timedelta(minutes=1))
    return [{"location": _location(zone, locations), "time": _stamp(time), "rating": round(float(value), 6), "duration": _timespan(minutes)}
            for zone, time, value in zip(carbon["zone"], carbon["snapshot"], carbon[column].to_numpy(dtype=float))
            if np.isfinite(value)]


def average_carbon_intensity(carbon: pd.DataFrame, metric: str = "marginal", locations: dict[str, str] | None = None) -> list[dict]:
    """The SDK's ``CarbonIntensityDTO`` per zone: mean intensity over its hours with a value."""
    column = _column(metric)
    out = []
    for zone, frame in carbon.groupby("zone", sort=False):
        times = pd.to_datetime(frame["snapshot"]).reset_index(drop=True)
        values = frame[column].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if not len(finite):
            continue
        out.append({"location": _location(zone, locations), "startTime": _stamp(times[0]),
                    "endTime": _stamp(times.iloc[-1] + time_step(times)), "carbonIntensity": round(float(finite.mean()), 6)})
    return out


def _column(metric: str) -> str:
    if metric not in METRICS:
        raise InputDataError([f"signal metric '{metric}': choose one of {', '.join(METRICS)}"], title="invalid signal metric")
    return f"{metric}_g_per_kwh"


def write_signals(carbon: pd.DataFrame, folder: Path, window_hours: int = 4, metrics: tuple[str, ...] = METRICS,
                  locations: dict[str, str] | None = None) -> list[Path]:
    """Write signals.csv and the SDK-shaped JSON files of each metric into ``folder``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "signals.csv"]
    signals_table(carbon).to_csv(paths[0], index=False, float_format="%.10g")
    for metric in metrics:
        for name, body in ((f"signals_{metric}.json", carbon_aware_forecast(carbon, metric, window_hours, locations=locations)),
                           (f"signals_{metric}_bylocation.json", emissions_by_location(carbon, metric, locations)),
                           (f"signals_{metric}_average.json", average_carbon_intensity(carbon, metric, locations))):
            path = folder / name
            path.write_text(json.dumps(body, indent=1, allow_nan=False), encoding="utf-8")
            paths.append(path)
    return paths


def sdk_locations(results_dir: Path) -> dict[str, str]:
    """``carbon.sdk_locations`` of the run's scenario.resolved.yaml (empty when absent)."""
    import yaml

    path = Path(results_dir) / "scenario.resolved.yaml"
    if not path.is_file():
        return {}
    scenario = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    mapping = (scenario.get("carbon") or {}).get("sdk_locations") or {}
    return {str(zone): str(name) for zone, name in mapping.items()}


def read_carbon_csv(results_dir: Path) -> pd.DataFrame:
    """carbon.csv of a results folder, with a clear error when it is missing."""
    path = Path(results_dir) / "carbon.csv"
    if not path.is_file():
        raise InputDataError([f"{path}: not found; give a results folder written by `planning run`"], title="no carbon results")
    carbon = pd.read_csv(path)
    needed = ["snapshot", "zone", *(f"{metric}_g_per_kwh" for metric in METRICS), "price_per_mwh"]
    missing = [column for column in needed if column not in carbon.columns]
    if missing:
        raise InputDataError([f"{path}: missing column '{column}'; re-run `planning run` to rewrite the folder" for column in missing],
                             title="invalid carbon results")
    return carbon
