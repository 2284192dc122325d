"""Hourly carbon and price signals for carbon-aware schedulers (from carbon.csv).

Two forms:

* ``signals.csv`` — one row per snapshot and zone: ``timestamp`` (ISO 8601, UTC), ``zone``,
  ``duration_min``, ``average_g_per_kwh``, ``consumption_g_per_kwh``, ``marginal_g_per_kwh``,
  ``price_per_mwh``.
* ``signals_<metric>.json`` — the shape of the Carbon Aware SDK's forecast response
  (``GET /emissions/forecasts/current``, `EmissionsForecastDTO`): a list with one object per
  location::

      [{"generatedAt": ..., "requestedAt": ..., "location": "isone", "dataStartAt": ..., "dataEndAt": ...,
        "windowSize": 240,
        "optimalDataPoints": [{"location": "isone", "timestamp": ..., "duration": 240, "value": 301.2}],
        "forecastData": [{"location": "isone", "timestamp": ..., "duration": 60, "value": 355.1}, ...]}]

  ``duration`` and ``windowSize`` are minutes; ``value`` is g CO2/kWh (the SDK's unit). The
  optimal data point is the window of ``windowSize`` minutes with the lowest mean value, as the
  SDK computes it (its value is that mean); ties go to the earliest window.

Snapshots of weight > 1 h (representative periods) are written as they are, one hour each; the
weight is not part of a signal.

Values are those of carbon.csv (start-up and no-load fuel included in the average and
consumption-based intensities; a zone without local generation carries its imported intensity
in ``average``). A zone-hour without any supply has no intensity: it is written empty in
signals.csv and ``null`` in the JSON (never 0), and no optimal window contains it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from planning.errors import InputDataError

METRICS = ("average", "consumption", "marginal")


def signals_table(carbon: pd.DataFrame) -> pd.DataFrame:
    """signals.csv from a carbon.csv table."""
    frame = pd.DataFrame({
        "timestamp": pd.to_datetime(carbon["snapshot"]).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "zone": carbon["zone"].astype(str),
        "duration_min": 60,
    })
    for metric in METRICS:
        frame[f"{metric}_g_per_kwh"] = carbon[f"{metric}_g_per_kwh"].to_numpy()
    frame["price_per_mwh"] = carbon["price_per_mwh"].to_numpy()
    return frame


def optimal_window(values: np.ndarray, window: int) -> tuple[int, float]:
    """Start index and mean of the ``window``-long run with the lowest mean (NaN hours excluded)."""
    values = np.asarray(values, dtype=float)
    if window > len(values):
        raise InputDataError([f"signal window of {window} h is longer than the {len(values)} h of data; choose a shorter window"],
                             title="invalid signal window")
    filled = np.where(np.isfinite(values), values, np.inf)
    sums = np.convolve(filled, np.ones(window), mode="valid")
    start = int(np.argmin(sums))
    return start, float(sums[start] / window)


def carbon_aware_forecast(carbon: pd.DataFrame, metric: str = "marginal", window_hours: int = 4,
                          generated_at: str | None = None) -> list[dict]:
    """The Carbon Aware SDK forecast-response list (one entry per zone) for one metric."""
    if metric not in METRICS:
        raise InputDataError([f"signal metric '{metric}': choose one of {', '.join(METRICS)}"], title="invalid signal metric")
    column = f"{metric}_g_per_kwh"
    generated_at = generated_at or pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for zone, frame in carbon.groupby("zone", sort=False):
        times = pd.to_datetime(frame["snapshot"])
        stamps = times.dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
        values = frame[column].to_numpy(dtype=float)
        start, mean = optimal_window(values, window_hours)
        end = (times.iloc[-1] + pd.Timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append({
            "generatedAt": generated_at,
            "requestedAt": generated_at,
            "location": str(zone),
            "dataStartAt": stamps[0],
            "dataEndAt": end,
            "windowSize": 60 * window_hours,
            "optimalDataPoints": [{"location": str(zone), "timestamp": stamps[start], "duration": 60 * window_hours,
                                   "value": round(mean, 6)}],
            "forecastData": [{"location": str(zone), "timestamp": s, "duration": 60, "value": (None if not np.isfinite(v) else round(float(v), 6))}
                             for s, v in zip(stamps, values)],
        })
    return out


def write_signals(carbon: pd.DataFrame, folder: Path, window_hours: int = 4, metrics: tuple[str, ...] = METRICS) -> list[Path]:
    """Write signals.csv and one SDK-shaped JSON per metric into ``folder``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "signals.csv"]
    signals_table(carbon).to_csv(paths[0], index=False, float_format="%.10g")
    for metric in metrics:
        path = folder / f"signals_{metric}.json"
        path.write_text(json.dumps(carbon_aware_forecast(carbon, metric, window_hours), indent=1), encoding="utf-8")
        paths.append(path)
    return paths


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
