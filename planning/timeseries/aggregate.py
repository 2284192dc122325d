"""Representative periods with tsam: the hourly inputs → N representative days (or weeks).

What is clustered
-----------------
Every input that varies by snapshot (zonal demand, capacity factors, data-center series, ...)
becomes one column (constant columns are left out and kept as they are), plus the system load
``total_load_mw`` = Σ_z demand + Σ_d PUE·(baseline + flexible power as the work arrives) — the
data centers' facility power is load like any other. Not clustered (:data:`CHRONOLOGICAL`):
stress flags (``stress_active``) and line availability (``line_availability``) — each
representative keeps them as they are in the calendar period it is labelled with, unscaled, and
they do not move the clustering (an event flag averaged into a day would be a fraction of an
event, and rescaling would break its 0/1 meaning). tsam scales each column to [0, 1] and clusters the periods
(``horizon.representative_periods``: method, representation). With
``representation: distribution_minmax`` (the default) each representative keeps, per column,
the duration curve of its cluster and its min and max — this preserves energy totals, peaks and
the shape of the load-duration curve far better than medoids or means (see benchmarks/README.md,
bench_periods). Column means are preserved (tsam's rescaling; ``preserve_means: false`` keeps
medoid days as measured); capacity factors are clipped back to [0, 1] afterwards.

Extreme periods and weights
---------------------------
``keep_peak_demand``: the period holding the highest hour of ``total_load_mw`` (demand plus
data-center facility power, so a campus' peak counts) is kept as its own representative.
``keep_peak_net_load`` (default): also the period of the highest ``net_load_mw`` = total load − Σ
existing variable-renewable MW × capacity factor (that column is then clustered too) — when it is
another period than the load peak's and ``periods`` leaves room for at least one typical period. ``keep_lowest_mean_of``:
the period of lowest mean capacity factor of each named plant (a wind drought) likewise.
``extreme_method`` is tsam's: ``append`` (weight 1 period) and ``new_cluster`` count towards
``periods``; ``replace`` puts the extreme period in place of its cluster's representative (the
cluster keeps its weight; ``periods`` clusters in all). ``weights`` are tsam's per-column weights
(all pipeline stages: clustering, representation, rescaling), keyed by column or by variable.
Which settings get capacities right is measured in ``benchmarks/bench_periods.py`` (README there).

Result
------
The returned Dataset has the same variables over fewer snapshots: the hours of the
representative periods, labelled with the timestamps of one calendar period each stands for
(the member period closest to the representative), in calendar order. Then

* ``weight_h[t]`` = (number of calendar periods the representative stands for) × (the
  horizon's hour weight), so Σ_t weight_h = the weighted horizon (8760 h for a scaled year);
* ``period[t]`` = index of the representative (storage and commitment are cyclic within it,
  unless storage is linked);
* ``representative_of_period(calendar_period)``, ``period_start(calendar_period)``,
  ``representative_start(calendar_period)`` = the calendar map (representative_periods.csv);
* attrs ``representative_periods``, ``period_hours``, ``link_storage`` (0/1),
  ``aggregation_rmse`` (tsam's weighted RMSE of the scaled series).

Snapshots may be longer than an hour (``horizon.resolution_hours``, :mod:`planning.timeseries.resolution`,
applied before clustering: a period then holds period_hours / Δt snapshots). Segmentation (time steps
of *unequal* length within a period, tsam's ``SegmentConfig``) is not used: blocks take one duration Δt
for every snapshot.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from planning.config.representative_periods import RepresentativePeriods

_SEPARATOR = "|"
_TOTAL = "total_load_mw"
_NET = "net_load_mw"
#: Series that are not clustered: each representative keeps them as they are in the calendar
#: period it is labelled with (0/1 event flags and outage derating must not be averaged or rescaled).
CHRONOLOGICAL = ("weight_h", "period", "stress_active", "line_availability")


def feature_frame(dataset: xr.Dataset) -> tuple[pd.DataFrame, dict[str, tuple[str, str | None, object]]]:
    """One column per (snapshot-indexed variable, other coordinate); constant columns dropped.

    Returns the frame (index = snapshot) and, per column, (variable, other dimension, label).
    """
    columns: dict[str, np.ndarray] = {}
    where: dict[str, tuple[str, str | None, object]] = {}
    for name, variable in dataset.data_vars.items():
        if "snapshot" not in variable.dims or name in CHRONOLOGICAL or variable.dtype.kind not in "fiu":
            continue
        others = [d for d in variable.dims if d != "snapshot"]
        if len(others) > 1:
            raise ValueError(f"representative periods: input '{name}' has dimensions {variable.dims}; at most one besides snapshot is supported")
        if not others:
            values = variable.values.astype(float)
            if np.ptp(values) > 0:
                columns[name] = values
                where[name] = (name, None, None)
            continue
        other = others[0]
        data = variable.transpose(other, "snapshot").values.astype(float)
        for label, values in zip(dataset[other].values, data):
            if np.ptp(values) > 0:
                key = f"{name}{_SEPARATOR}{label}"
                columns[key] = values
                where[key] = (name, other, label)
    frame = pd.DataFrame(columns, index=pd.DatetimeIndex(dataset["snapshot"].values))
    frame[_TOTAL] = total_load_mw(dataset)
    return frame, where


def total_load_mw(dataset: xr.Dataset) -> np.ndarray:
    """Σ_z demand + Σ_d PUE·(baseline + flexible as it arrives): the system load per snapshot (MW)."""
    total = dataset["demand_mw"].sum("zone")
    if "dc_baseline_mw" in dataset and dataset.sizes.get("datacenter", 0):
        facility = dataset["dc_pue"] * (dataset["dc_baseline_mw"] + dataset["dc_observed_flexible_mw"])
        total = total + facility.sum("datacenter")
    return np.asarray(total.values, dtype=float)


def net_load_mw(dataset: xr.Dataset) -> np.ndarray:
    """System load minus the output of the existing variable renewables (MW per snapshot)."""
    variable = dataset["plant_kind"].values == "variable"
    output = (dataset["availability_per_unit"].values[variable] * dataset["existing_mw"].values[variable, None]).sum(axis=0)
    return total_load_mw(dataset) - output


def column_weights(weights: dict[str, float], frame: pd.DataFrame, where: dict) -> dict[str, float]:
    """tsam's per-column weights from ``horizon.representative_periods.weights`` (keys: a column, or a variable for all its columns)."""
    out: dict[str, float] = {}
    unknown = []
    for key, weight in weights.items():
        columns = [key] if key in frame.columns else [c for c, (name, _, _) in where.items() if name == key]
        if not columns:
            unknown.append(key)
        out.update({column: float(weight) for column in columns})
    if unknown:
        from planning.errors import ScenarioError

        names = sorted({name for name, _, _ in where.values()} | {c for c in frame.columns if _SEPARATOR not in c})
        raise ScenarioError([f"horizon.representative_periods.weights.{key}: no such series; use one of {', '.join(names)} "
                             f"or variable{_SEPARATOR}label (e.g. availability_per_unit{_SEPARATOR}<plant>)" for key in unknown])
    return out


def aggregate_inputs(dataset: xr.Dataset, settings: RepresentativePeriods) -> xr.Dataset:
    """The inputs Dataset on representative periods (see the module docstring)."""
    import tsam

    length = settings.period_hours // int(dataset.attrs.get("snapshot_duration_h", 1))  # snapshots per period
    n_hours = dataset.sizes["snapshot"]
    n_periods = n_hours // length
    frame, where = feature_frame(dataset)
    extremes: dict[str, list[str]] = {}
    periods_of = frame.iloc[: n_periods * length]
    period_of_peak = {}  # extreme column → the calendar period it keeps
    if settings.keep_peak_demand:
        period_of_peak[_TOTAL] = int(np.argmax(periods_of[_TOTAL].to_numpy())) // length
    if settings.keep_peak_net_load or _NET in settings.weights:
        frame[_NET] = net_load_mw(dataset)
        net_period = int(np.argmax(frame[_NET].to_numpy()[: n_periods * length])) // length
        # The net-load peak is kept if it falls in another period than the load peak, and if there is room.
        room = settings.periods - len(period_of_peak) - len(settings.keep_lowest_mean_of) > 1 or settings.extreme_method == "replace"
        if settings.keep_peak_net_load and net_period not in period_of_peak.values() and room:
            period_of_peak[_NET] = net_period
    peaks = list(period_of_peak)
    if peaks:
        extremes["max_value"] = peaks
    lowest = [f"availability_per_unit{_SEPARATOR}{plant}" for plant in settings.keep_lowest_mean_of]
    missing = [c for c in lowest if c not in frame.columns]
    if missing:
        raise ValueError(f"horizon.representative_periods.keep_lowest_mean_of: no varying capacity factor for {', '.join(missing)}")
    if lowest:
        extremes["min_period"] = lowest
    n_extreme = 0 if settings.extreme_method == "replace" else len(peaks) + len(lowest)
    n_clusters = settings.periods - n_extreme
    if n_clusters < 1:
        raise ValueError("horizon.representative_periods.periods must exceed the number of extreme periods kept")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsam.aggregate(
            frame,
            n_clusters=n_clusters,
            period_duration=length,
            cluster=tsam.ClusterConfig(method=settings.method, representation=_representation(settings.representation)),
            extremes=tsam.ExtremeConfig(method=settings.extreme_method, **extremes) if extremes else None,
            weights=column_weights(settings.weights, frame, where) or None,
            preserve_column_means=settings.preserve_means,
        )
    assignment = np.asarray(result.cluster_assignments, dtype=int)[:n_periods]
    clusters = sorted(int(k) for k in result.cluster_counts)
    # Label each representative with the member period closest to it (features scaled to [0, 1]).
    span = (frame.max() - frame.min()).replace(0.0, 1.0)
    scaled = ((frame - frame.min()) / span).to_numpy()[: n_periods * length].reshape(n_periods, length, -1)
    chosen: dict[int, int] = {}
    for k in clusters:
        members = [int(m) for m in np.flatnonzero(assignment == k) if m not in chosen.values()]
        profile = ((result.cluster_representatives.loc[k, frame.columns] - frame.min()) / span).to_numpy()
        distance = [float(((scaled[m] - profile) ** 2).sum()) for m in members]
        chosen[k] = members[int(np.argmin(distance))]
    order = sorted(clusters, key=lambda k: chosen[k])  # representatives in calendar order
    new_index = {k: i for i, k in enumerate(order)}

    hours = np.concatenate([np.arange(chosen[k] * length, (chosen[k] + 1) * length) for k in order])
    out = dataset.isel(snapshot=hours)
    representatives = result.cluster_representatives
    for column, (name, other, label) in where.items():
        values = np.concatenate([representatives.loc[k, column].to_numpy(dtype=float) for k in order])
        if name == "availability_per_unit":
            values = np.clip(values, 0.0, 1.0)
        elif values.min() < 0 <= frame[column].min():
            values = np.maximum(values, 0.0)
        if other is None:
            out[name].values[:] = values
        else:
            position = list(out[name].dims).index(other)
            index = [slice(None)] * 2
            index[position] = list(out[other].values).index(label)
            out[name].values[tuple(index)] = values
    base_weight = float(dataset["weight_h"].values[0])
    counts = np.array([result.cluster_counts[k] for k in order], dtype=float)
    out["weight_h"] = (("snapshot",), np.repeat(counts * base_weight, length), {"units": "h"})
    out["period"] = (("snapshot",), np.repeat(np.arange(len(order)), length))
    starts = pd.DatetimeIndex(dataset["snapshot"].values[::length][:n_periods])
    out = out.assign_coords(calendar_period=np.arange(n_periods))
    out["representative_of_period"] = (("calendar_period",), np.array([new_index[int(k)] for k in assignment]))
    out["period_start"] = (("calendar_period",), starts.values)
    out["representative_start"] = (("calendar_period",), starts.values[[chosen[int(k)] for k in assignment]])
    out.attrs.update(
        {
            "representative_periods": len(order),
            "period_hours": settings.period_hours,
            "period_snapshots": length,
            "link_storage": int(settings.link_storage),
            "aggregation_rmse": float(result.accuracy.weighted_rmse),
        }
    )
    return out


def _representation(name: str):
    import tsam

    if name == "distribution_minmax_medoid":
        return tsam.Distribution(scope="local", preserve_minmax=True, concurrency="medoid")
    return name
