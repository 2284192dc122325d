"""Fit a data center's surrogate card from telemetry files.

Which file feeds which part (files are recognised by their header, see
:func:`planning.io.telemetry.load_telemetry`):

- **baseline** — time series whose role is ``"baseline"`` (Google powerdata) or, for the
  documented schema, that span at least 2 days. Several files (e.g. PDUs of one cell) are averaged
  hour by hour into one fleet series, per unit of the fleet's rating (equal ratings assumed).
  Fitted by :class:`~planning.surrogate.estimators.BaselineModel` on hourly means.
- **envelope** — range and ramps from the same hourly baseline series; deferrable share and
  longest delay from the demand-response event record (role ``"event"``: Emerald
  ``SRP_total_power``, or a documented-schema series shorter than 2 days).
- **throughput_curve** — power-cap sweeps (Emerald ``dvfs_sweep``, Zeus ``summary_power_*``, the
  documented power-cap schema). All rows are pooled after per-workload normalisation; workloads whose
  measured power varies by less than ``min_power_span_per_unit`` across caps are dropped (the cap never
  binds, so they say nothing about W = f(P) — e.g. small-batch ShuffleNet in Zeus draws ≈ 39 W at
  every cap). The hold-out and cross-validation split by workload.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planning.errors import InputDataError
from planning.io.telemetry import PowerCapSweep, TelemetrySeries, load_telemetry
from planning.surrogate.card import (
    BaselinePart,
    CurvePart,
    EnvelopePart,
    SurrogateCard,
    TrainingData,
    _now_utc,
    library_versions,
)
from planning.surrogate.estimators import (
    BaselineModel,
    FlexibilityEnvelope,
    PiecewiseLinearCurve,
    calendar_features,
)

__all__ = ["fit_surrogate", "accuracy_rows"]

BASELINE_MIN_DAYS = 2.0


def _training(item: TelemetrySeries | PowerCapSweep) -> TrainingData:
    if isinstance(item, TelemetrySeries):
        start, end = item.period
    else:
        start = end = None
    return TrainingData(file=item.source.name, sha256=item.sha256, start=start, end=end, rows=len(item.frame))


def _role(item: TelemetrySeries) -> str:
    if item.role is not None:
        return item.role
    span_days = (item.frame.index[-1] - item.frame.index[0]) / pd.Timedelta(days=1)
    return "baseline" if span_days >= BASELINE_MIN_DAYS else "event"


def _metric_dict(metrics: dict) -> dict:
    return {k: (v if isinstance(v, str) else float(v)) for k, v in metrics.items()
            if isinstance(v, str) or np.isfinite(v)}


def fit_surrogate(telemetry_paths: list[Path | str], *, name: str | None = None, segments: int | None = None,
                  max_segments: int = 6, shape: str = "auto", quantile: float = 0.95,
                  test_fraction: float = 0.25, min_power_span_per_unit: float = 0.1,
                  random_state: int = 0) -> SurrogateCard:
    """Fit a surrogate card from telemetry files.

    Parameters
    ----------
    telemetry_paths
        Telemetry CSV files (any supported format; see the module docstring for their use).
    name
        Card name (default: stem of the first file).
    segments
        Number of curve segments; None chooses by cross-validation.
    max_segments
        Largest number of segments tried.
    shape
        Curve shape: ``"auto"``, ``"concave"`` or ``"free"`` (see ``PiecewiseLinearCurve``).
    quantile
        Baseline quantile for the firm floor.
    test_fraction
        Held-out share (latest hours for time series; workloads for sweeps).
    min_power_span_per_unit
        Sweeps: drop workloads whose measured power spans less than this (per unit) across caps.
    random_state
        Seed of the sweep hold-out and cross-validation splits.

    Returns
    -------
    SurrogateCard

    Raises
    ------
    InputDataError
        If a file is invalid, or nothing could be fitted.
    """
    if not telemetry_paths:
        raise InputDataError(["no telemetry files given"], title="nothing to fit")
    problems: list[str] = []
    items = []
    for path in telemetry_paths:
        try:
            items.append(load_telemetry(path))
        except InputDataError as error:
            problems.extend(error.problems)
    if problems:
        raise InputDataError(problems, title="invalid telemetry")
    baseline_items = [i for i in items if isinstance(i, TelemetrySeries) and _role(i) == "baseline"]
    event_items = [i for i in items if isinstance(i, TelemetrySeries) and _role(i) == "event"]
    sweep_items = [i for i in items if isinstance(i, PowerCapSweep)]
    if len(event_items) > 1:
        raise InputDataError([f"{i.source}: only one demand-response event record per card is supported"
                              for i in event_items[1:]], title="invalid telemetry")
    parts: dict = {}

    hourly_power = None
    if baseline_items:
        series = []
        for item in baseline_items:
            hourly = item.hourly()
            if "power_per_unit" in hourly:
                series.append(hourly["power_per_unit"])
            else:  # MW: per unit of the stated rating, else of the record's peak hour
                base = item.rating_mw if item.rating_mw is not None else float(hourly["power_mw"].max())
                series.append(hourly["power_mw"] / base)
        fleet = pd.concat(series, axis=1).dropna().mean(axis=1)
        timezones = {str(s.index.tz) for s in series}
        if len(timezones) != 1:
            raise InputDataError([f"baseline files use different time zones {sorted(timezones)}; give one site "
                                  "per card"], title="invalid telemetry")
        if len(fleet) < 48:
            raise InputDataError([f"{baseline_items[0].source}: fewer than 48 complete hours for the baseline"],
                                 title="invalid telemetry")
        hourly_power = fleet
        model = BaselineModel(quantile=quantile, test_fraction=test_fraction).fit(calendar_features(fleet.index),
                                                                                  fleet.to_numpy())
        training = [_training(i) for i in baseline_items]
        parts["baseline"] = BaselinePart(
            inputs=[{"name": "hour_of_day", "unit": "h (local)"}, {"name": "day_of_week", "unit": "0=Monday"}],
            outputs=[{"name": "baseline_power_per_unit", "unit": "per unit of rating"},
                     {"name": "firm_power_per_unit", "unit": "per unit of rating"}],
            parameters={"timezone": timezones.pop(), **model.parameters},
            fitted_range={"power_per_unit": (float(fleet.min()), float(fleet.max()))},
            training_data=training, metrics=_metric_dict(model.metrics_),
            settings={"quantile": quantile, "test_fraction": test_fraction, "alpha": model.alpha,
                      "hours": len(fleet), "files_averaged": len(baseline_items)},
            notes={"model": "additive ridge on one-hot hour_of_day + day_of_week, evaluated as a 7x24 table",
                   "firm": f"firm = profile + {quantile:.2f} quantile of training residuals",
                   "resampling": "hourly means over [h, h+1h) in local time; files averaged hour by hour"},
        )

    if hourly_power is not None or event_items:
        if hourly_power is None:
            raise InputDataError([f"{event_items[0].source}: an event record needs a baseline record (a time "
                                  "series of at least 2 days) for the operating range and ramps"],
                                 title="nothing to fit")
        event = event_items[0] if event_items else None
        event_power = None
        if event is not None:
            column = "power_mw" if "power_mw" in event.frame else "power_per_unit"
            event_power = event.frame[column]
        envelope = FlexibilityEnvelope(test_fraction=test_fraction).fit(hourly_power, event_power=event_power)
        notes = {
            "power_min_per_unit/power_max_per_unit": "min/max of the hourly baseline power (per unit of rating)",
            "ramp_*_per_unit_per_hour": "max hour-to-hour change of hourly power: baseline record (per unit of "
                                        "rating) or the event's step in/out (per unit of pre-event power), larger",
        }
        if envelope.event_ is not None:
            e = envelope.event_
            notes["deferrable_share"] = (f"1 - mean event power / pre-event power = 1 - {e['event_power']:.6g} / "
                                         f"{e['pre_event_power']:.6g} over {e['event_start']} .. {e['event_end']}")
            notes["max_delay_hours"] = (f"sustained reduction lasted {e['event_duration_hours']:.2f} h, floored to "
                                        "whole hours; demonstrated, not a limit")
        else:
            notes["deferrable_share"] = "no event record given: 0 (no flexibility evidenced)"
        parts["envelope"] = EnvelopePart(
            inputs=[{"name": "power_per_unit", "unit": "per unit of rating"}],
            outputs=[{"name": "power_per_unit", "unit": "per unit of rating"}],
            parameters=envelope.parameters,
            fitted_range={"power_per_unit": (envelope.params_["power_min_per_unit"],
                                             envelope.params_["power_max_per_unit"])},
            training_data=[_training(i) for i in baseline_items + event_items],
            metrics=_metric_dict(envelope.metrics_), settings={"test_fraction": test_fraction}, notes=notes,
        )

    if sweep_items:
        frames = []
        for item in sweep_items:
            frame = item.frame.copy()
            frame["workload"] = item.source.name + ":" + frame["workload"]
            frames.append(frame)
        pooled = pd.concat(frames, ignore_index=True)
        span = pooled.groupby("workload")["power_per_unit"].agg(lambda s: s.max() - s.min())
        keep = span[span >= min_power_span_per_unit].index
        pooled = pooled[pooled["workload"].isin(keep)]
        if pooled["workload"].nunique() < 2:
            raise InputDataError([f"{sweep_items[0].source}: fewer than 2 workloads whose power varies by at least "
                                  f"{min_power_span_per_unit} per unit across caps; nothing to fit a curve on"],
                                 title="nothing to fit")
        curve = PiecewiseLinearCurve(n_segments=segments, max_segments=max_segments, shape=shape,
                                     test_fraction=test_fraction, random_state=random_state)
        curve.fit(pooled[["power_per_unit"]], pooled["throughput_per_unit"], groups=pooled["workload"])
        low, high = curve.fitted_range_
        parts["throughput_curve"] = CurvePart(
            inputs=[{"name": "power_per_unit", "unit": "per unit of rated (highest-cap) power"}],
            outputs=[{"name": "throughput_per_unit", "unit": "per unit of throughput at rated power"}],
            parameters=curve.parameters, fitted_range={"power_per_unit": (low, high)},
            training_data=[_training(i) for i in sweep_items], metrics=_metric_dict(curve.metrics_),
            settings={"segments": curve.n_segments_, "segments_requested": segments, "shape": curve.shape_,
                      "shape_requested": shape, "max_segments": max_segments, "test_fraction": test_fraction,
                      "min_power_span_per_unit": min_power_span_per_unit, "random_state": random_state,
                      "workloads": int(pooled["workload"].nunique()), "points": int(len(pooled))},
            notes={"normalisation": "per workload: power / power at the highest cap; throughput / throughput "
                                    "at the highest cap",
                   "cv_mse": "; ".join(f"{k}={v:.3g}" for k, v in curve.cv_mse_.items())},
        )
    if not parts:
        raise InputDataError(["no usable telemetry: give a time series (baseline, event) or a power-cap sweep"],
                             title="nothing to fit")
    return SurrogateCard(name=name or Path(telemetry_paths[0]).stem, created_utc=_now_utc(),
                         library_versions=library_versions(), **parts)


def accuracy_rows(card: SurrogateCard) -> list[dict]:
    """One row per part: held-out metrics for printing (r2, mae, mape, coverage, n_test, split)."""
    rows = []
    for part_name in ("baseline", "throughput_curve", "envelope"):
        part = getattr(card, part_name)
        if part is None:
            continue
        rows.append({"part": part_name, **part.metrics})
    return rows
