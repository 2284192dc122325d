"""Data-center telemetry: the documented CSV schema, a validating reader, adapters.

Two kinds of telemetry feed the surrogate fit (DESIGN.md §4):

**Time series** (``kind="timeseries"``) — one row per sample of one data center or GPU fleet.

======================================  ========================================================
column                                  meaning, unit, allowed range
======================================  ========================================================
``timestamp``                           ISO 8601 **with UTC offset**, e.g. ``2025-05-04T14:40:00-07:00``;
                                        strictly increasing; any constant resolution (1 min .. 1 h)
``power_mw``                            IT (or facility) power, MW, ``0 <= p < 5000``  — *either this*
``power_per_unit``                      power / rating, per unit, ``0 <= p <= 1.5`` — *or this*;
                                        the rating (MW) is passed as ``rating_mw`` (optional)
``utilization_fraction``                optional, fraction of capacity busy, ``[0, 1]``
``ambient_temperature_c``               optional, outdoor dry-bulb temperature, °C, ``[-60, 60]``
``gpu_power_cap_w``                     optional, GPU power limit in force, W per GPU, ``(0, 2000]``
``throughput_per_s``                    optional, AI work done, work units per second, ``>= 0``
``arrivals_<class>_per_hour``           optional, work arriving in class ``<class>``, work units per
                                        hour, ``>= 0`` (e.g. ``arrivals_training_per_hour``)
======================================  ========================================================

**Power-cap sweeps** (``kind="powercap"``) — no time axis; one row per (workload, cap) measurement.

======================  ===================================================================
column                  meaning, unit
======================  ===================================================================
``workload``            workload name (text); the curve is normalised per workload
``gpu_power_cap_w``     GPU power limit, W per GPU, ``(0, 2000]``
``power_w``             measured average power at that cap, W (per GPU or per cluster), ``> 0``
``throughput_per_s``    work units per second (any unit, consistent within a workload), ``> 0``
======================  ===================================================================

Validation (all problems are collected and raised together as
:class:`planning.errors.InputDataError`, each naming the file, the column and the first bad line,
where line 1 is the header): empty file or no data rows; missing required columns; unknown
columns (a hint is given); non-numeric or missing (NaN) values; values outside the ranges above,
with a unit hint when the values look like W instead of MW or percent instead of per unit;
timestamps that are unparsable, lack a UTC offset, go backwards, or repeat (duplicates).
Gaps (a step longer than 1.5 × the median step) are *reported* in ``TelemetrySeries.warnings``,
not raised: real telemetry has gaps and the hourly resampling below handles them.

Resampling to the model resolution (hourly)
-------------------------------------------
The planning model is hourly. :meth:`TelemetrySeries.hourly` averages every numeric column over
each clock hour ``[h, h + 1 h)`` (labelled by the hour's start, in the series' own time zone). For
power, the mean of equally spaced samples over the hour is the hour's energy in MWh (per unit
energy for ``power_per_unit``), so energy is conserved. ``arrivals_*_per_hour`` columns are
averaged as well (they are rates). An hour is kept only if at least half of its expected samples
(1 h / median step) are present; other hours are dropped and listed as gaps in ``warnings``.
Series coarser than hourly are rejected for fitting (the model cannot invent sub-samples).

Adapters map the bundled public telemetry onto the schema without changing the files:
:func:`read_google_powerdata`, :func:`read_emerald_srp_power`, :func:`read_emerald_dvfs_sweep`,
:func:`read_zeus_summary`; :func:`load_telemetry` recognises each by its header.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planning.errors import InputDataError, ProblemCollector

__all__ = [
    "TIMESERIES_COLUMNS",
    "POWERCAP_COLUMNS",
    "TelemetrySeries",
    "PowerCapSweep",
    "file_sha256",
    "read_telemetry",
    "read_powercap_sweep",
    "read_google_powerdata",
    "read_emerald_srp_power",
    "read_emerald_dvfs_sweep",
    "read_zeus_summary",
    "load_telemetry",
]

#: Time-series columns: name -> (unit, lower bound, upper bound, lower bound inclusive).
TIMESERIES_COLUMNS: dict[str, tuple[str, float, float, bool]] = {
    "power_mw": ("MW", 0.0, 5000.0, True),
    "power_per_unit": ("per unit of rating", 0.0, 1.5, True),
    "utilization_fraction": ("fraction", 0.0, 1.0, True),
    "ambient_temperature_c": ("degC", -60.0, 60.0, True),
    "gpu_power_cap_w": ("W per GPU", 0.0, 2000.0, False),
    "throughput_per_s": ("work units per s", 0.0, np.inf, True),
}
ARRIVALS_PREFIX, ARRIVALS_SUFFIX = "arrivals_", "_per_hour"

#: Power-cap sweep columns: name -> (unit, lower bound, upper bound, lower bound inclusive).
POWERCAP_COLUMNS: dict[str, tuple[str, float, float, bool]] = {
    "gpu_power_cap_w": ("W per GPU", 0.0, 2000.0, False),
    "power_w": ("W", 0.0, np.inf, False),
    "throughput_per_s": ("work units per s", 0.0, np.inf, False),
}

GOOGLE_EPOCH = pd.Timestamp("2019-05-01 00:00", tz="US/Pacific") - pd.Timedelta(seconds=600)


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes (the training-data fingerprint stored in cards)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class TelemetrySeries:
    """Validated time-series telemetry at its native resolution.

    Attributes
    ----------
    frame
        Columns from :data:`TIMESERIES_COLUMNS` (and ``arrivals_*_per_hour``), indexed by a
        strictly increasing, time-zone-aware ``DatetimeIndex`` named ``timestamp``.
    source
        The file read.
    sha256
        SHA-256 of the file's bytes.
    rating_mw
        Rating that ``power_per_unit`` refers to, MW, if known.
    role
        ``"baseline"`` (long record: shape of demand), ``"event"`` (a demand-response event) or
        ``None`` (decided by the fit from the record's length).
    description
        How the source file was mapped onto the schema.
    warnings
        Non-fatal findings (gaps).
    """

    frame: pd.DataFrame
    source: Path
    sha256: str
    rating_mw: float | None = None
    role: str | None = None
    description: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def step(self) -> pd.Timedelta:
        """Median sampling step."""
        if len(self.frame) < 2:
            return pd.Timedelta(hours=1)
        return pd.Series(self.frame.index).diff().median()

    @property
    def period(self) -> tuple[str, str]:
        """First and last timestamp (ISO 8601 with offset)."""
        return self.frame.index[0].isoformat(), self.frame.index[-1].isoformat()

    def power_per_unit(self, base_mw: float | None = None) -> pd.Series:
        """Power in per unit: ``power_per_unit`` as is, or ``power_mw / base_mw`` (default rating_mw)."""
        if "power_per_unit" in self.frame:
            return self.frame["power_per_unit"]
        base = base_mw if base_mw is not None else self.rating_mw
        if base is None:
            raise InputDataError([f"{self.source}: column 'power_mw': no rating_mw given to convert to per unit"])
        return self.frame["power_mw"] / base

    def hourly(self) -> pd.DataFrame:
        """Hourly means over ``[h, h+1h)``, hours with < 50 % of the expected samples dropped.

        Dropped hours are appended to :attr:`warnings`. See the module docstring.
        """
        step = self.step
        if step > pd.Timedelta(hours=1):
            raise InputDataError([f"{self.source}: column 'timestamp': resolution {step} is coarser than the "
                                  "model's hourly resolution; provide hourly or finer telemetry"])
        expected = pd.Timedelta(hours=1) / step
        grouped = self.frame.resample("1h")
        hourly = grouped.mean()
        counts = grouped.size()
        keep = counts >= 0.5 * expected
        dropped = hourly.index[~keep.reindex(hourly.index, fill_value=False)]
        if len(dropped):
            self.warnings.append(f"{self.source}: {len(dropped)} hour(s) with fewer than half the expected samples "
                                 f"dropped when resampling to hourly, first {dropped[0].isoformat()}")
        return hourly[keep.reindex(hourly.index, fill_value=False)].dropna(how="all")

    def to_xarray(self):
        """The native-resolution frame as an ``xarray.Dataset`` with units in ``attrs``."""
        dataset = self.frame.to_xarray()
        for name in dataset.data_vars:
            unit = TIMESERIES_COLUMNS.get(name, ("work units per hour",))[0]
            dataset[name].attrs["units"] = unit
        dataset.attrs.update(source=str(self.source), sha256=self.sha256)
        return dataset


@dataclass
class PowerCapSweep:
    """Validated power-cap sweep.

    Attributes
    ----------
    frame
        Columns ``workload, gpu_power_cap_w, power_w, throughput_per_s`` plus the normalised
        ``power_per_unit`` (power / power at the workload's highest cap) and ``throughput_per_unit``
        (throughput / throughput at the workload's highest cap).
    source, sha256, description
        As for :class:`TelemetrySeries`.
    """

    frame: pd.DataFrame
    source: Path
    sha256: str
    description: str = ""
    warnings: list[str] = field(default_factory=list)

    def normalised(self) -> pd.DataFrame:
        """The rows with ``power_per_unit`` and ``throughput_per_unit`` (per workload, at its highest cap)."""
        return self.frame


# ----------------------------------------------------------------------------------------------
# Low-level checks
# ----------------------------------------------------------------------------------------------

def _line(position: int) -> int:
    """File line of the data row at 0-based ``position`` (line 1 is the header)."""
    return int(position) + 2


def _read_text_frame(path: Path, problems: ProblemCollector) -> pd.DataFrame | None:
    path = Path(path)
    if not path.is_file():
        problems.add(f"{path}: file not found")
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        problems.add(f"{path}: file is empty; expected a header line and data rows")
        return None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        problems.add(f"{path}: not a readable CSV file ({error})")
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        problems.add(f"{path}: no data rows below the header")
        return None
    return frame


def _numeric(path: Path, frame: pd.DataFrame, column: str, problems: ProblemCollector) -> pd.Series | None:
    text = frame[column].astype(str).str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = values.isna() | ~np.isfinite(values.fillna(0.0))
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        problems.add(f"{path}: column '{column}': {int(bad.sum())} missing, NaN or non-numeric value(s), first at "
                     f"line {_line(position)} (value {frame[column].iloc[position]!r}); fix or remove those rows")
        return None
    return values.astype(float)


def _range_check(path: Path, column: str, values: pd.Series, spec: tuple[str, float, float, bool],
                 problems: ProblemCollector) -> None:
    unit, low, high, low_inclusive = spec
    below = values < low if low_inclusive else values <= low
    outside = below | (values > high)
    if not outside.any():
        return
    position = int(np.flatnonzero(outside.to_numpy())[0])
    value = values.iloc[position]
    hint = ""
    if column == "power_mw" and values.max() > high:
        hint = " — the values look like W or kW, not MW: convert to MW"
    elif column in {"power_per_unit", "utilization_fraction"} and values.max() > 1.5 and values.max() <= 150:
        hint = " — the values look like percent: divide by 100"
    bound = f"{'[' if low_inclusive else '('}{low:g}, {high:g}]"
    problems.add(f"{path}: column '{column}' ({unit}): {int(outside.sum())} value(s) outside {bound}, first at "
                 f"line {_line(position)} (value {value:g}){hint}")


def _parse_timestamps(path: Path, text: pd.Series, problems: ProblemCollector) -> pd.DatetimeIndex | None:
    stripped = text.astype(str).str.strip()
    try:
        parsed = pd.to_datetime(stripped, errors="coerce", utc=True, format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(stripped, errors="coerce", utc=True, format="mixed")
    bad = parsed.isna()
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        problems.add(f"{path}: column 'timestamp': {int(bad.sum())} missing or unparsable timestamp(s), first at "
                     f"line {_line(position)} (value {text.iloc[position]!r}); use ISO 8601 with an offset")
        return None
    has_offset = stripped.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    if not has_offset.all():
        position = int(np.flatnonzero(~has_offset.to_numpy())[0])
        problems.add(f"{path}: column 'timestamp': time zone missing, first at line {_line(position)} "
                     f"(value {text.iloc[position]!r}); write the UTC offset, e.g. 2025-05-04T14:40:00-07:00")
        return None
    index = pd.DatetimeIndex(parsed)
    # Keep the file's own offset (local clock) when it is constant, else UTC.
    offsets = stripped.str.extract(r"([+-]\d\d:?\d\d|Z)$")[0].unique()
    if len(offsets) == 1 and offsets[0] != "Z":
        sign = 1 if offsets[0][0] == "+" else -1
        digits = offsets[0][1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        index = index.tz_convert(datetime.timezone(datetime.timedelta(minutes=minutes)))
    return _check_order(path, index, problems)


def _check_order(path: Path, index: pd.DatetimeIndex, problems: ProblemCollector, column: str = "timestamp") -> pd.DatetimeIndex | None:
    """``index`` if it increases strictly; otherwise None, with a problem naming the first bad line."""
    steps = index.to_series().diff().to_numpy()[1:]
    zero = np.flatnonzero(steps == np.timedelta64(0))
    backwards = np.flatnonzero(steps < np.timedelta64(0))
    ok = True
    if len(zero):
        problems.add(f"{path}: column '{column}': {len(zero)} duplicate timestamp(s), first at line "
                     f"{_line(zero[0] + 1)} ({index[zero[0] + 1].isoformat()}); remove or average duplicates")
        ok = False
    if len(backwards):
        problems.add(f"{path}: column '{column}': not increasing, time goes backwards {len(backwards)} time(s), "
                     f"first at line {_line(backwards[0] + 1)} ({index[backwards[0] + 1].isoformat()} after "
                     f"{index[backwards[0]].isoformat()}); sort the file by time")
        ok = False
    return index if ok else None


def _gap_warnings(path: Path, index: pd.DatetimeIndex) -> list[str]:
    if len(index) < 3:
        return []
    steps = index.to_series().diff().iloc[1:]
    median = steps.median()
    gaps = steps[steps > 1.5 * median]
    if gaps.empty:
        return []
    first = gaps.index[0]
    return [f"{path}: column 'timestamp': {len(gaps)} gap(s) longer than 1.5 x the {median} step, first ending at "
            f"{first.isoformat()} ({gaps.iloc[0]} long)"]


def _raise(problems: ProblemCollector, path: Path) -> None:
    problems.raise_if_any(InputDataError, title=f"invalid telemetry in {path}")


# ----------------------------------------------------------------------------------------------
# Readers for the documented schema
# ----------------------------------------------------------------------------------------------

def read_telemetry(path: Path | str, rating_mw: float | None = None, role: str | None = None) -> TelemetrySeries:
    """Read and validate a time-series telemetry CSV in the documented schema.

    Parameters
    ----------
    path
        CSV file (see the module docstring for the columns).
    rating_mw
        Rating, MW, that ``power_per_unit`` refers to (optional; needed only to convert to MW).
    role
        ``"baseline"``, ``"event"`` or ``None`` (let the fit decide from the record's length).

    Returns
    -------
    TelemetrySeries

    Raises
    ------
    InputDataError
        With every problem found (file, column, first bad line).
    """
    path = Path(path)
    problems = ProblemCollector()
    text = _read_text_frame(path, problems)
    if text is None:
        _raise(problems, path)
    known = set(TIMESERIES_COLUMNS) | {"timestamp"}
    for column in text.columns:
        is_arrivals = column.startswith(ARRIVALS_PREFIX) and column.endswith(ARRIVALS_SUFFIX)
        if column not in known and not is_arrivals:
            close = difflib.get_close_matches(column, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.add(f"{path}: column '{column}': unknown column (units belong in the name: power_mw, "
                         f"power_per_unit, ...){hint}")
    if "timestamp" not in text.columns:
        problems.add(f"{path}: column 'timestamp': required column missing")
    power_columns = [c for c in ("power_mw", "power_per_unit") if c in text.columns]
    if len(power_columns) != 1:
        problems.add(f"{path}: column 'power_mw'/'power_per_unit': exactly one of them is required "
                     f"(found {power_columns or 'neither'})")
    if rating_mw is not None and not (np.isfinite(rating_mw) and rating_mw > 0):
        problems.add(f"{path}: rating_mw must be a positive number of MW (got {rating_mw!r})")
    index = _parse_timestamps(path, text["timestamp"], problems) if "timestamp" in text.columns else None
    data: dict[str, pd.Series] = {}
    for column in text.columns:
        if column == "timestamp" or (column not in TIMESERIES_COLUMNS and not column.startswith(ARRIVALS_PREFIX)):
            continue
        values = _numeric(path, text, column, problems)
        if values is None:
            continue
        spec = TIMESERIES_COLUMNS.get(column, ("work units per hour", 0.0, np.inf, True))
        _range_check(path, column, values, spec, problems)
        data[column] = values
    _raise(problems, path)
    frame = pd.DataFrame({k: v.to_numpy() for k, v in data.items()}, index=index)
    frame.index.name = "timestamp"
    return TelemetrySeries(frame=frame, source=path, sha256=file_sha256(path), rating_mw=rating_mw, role=role,
                           description="documented telemetry schema", warnings=_gap_warnings(path, index))


def read_powercap_sweep(path: Path | str) -> PowerCapSweep:
    """Read and validate a power-cap sweep CSV in the documented schema (see module docstring)."""
    path = Path(path)
    problems = ProblemCollector()
    text = _read_text_frame(path, problems)
    if text is None:
        _raise(problems, path)
    required = ["workload", *POWERCAP_COLUMNS]
    for column in required:
        if column not in text.columns:
            close = difflib.get_close_matches(column, list(text.columns), n=1)
            hint = f"; found '{close[0]}' — rename it" if close else ""
            problems.add(f"{path}: column '{column}': required column missing{hint}")
    _raise(problems, path)
    frame = _sweep_frame(path, text, {c: c for c in POWERCAP_COLUMNS}, "workload", problems)
    _raise(problems, path)
    return PowerCapSweep(frame=frame, source=path, sha256=file_sha256(path),
                         description="documented power-cap schema")


def _sweep_frame(path: Path, text: pd.DataFrame, mapping: dict[str, str], workload_column: str | list[str],
                 problems: ProblemCollector, throughput_from_seconds: str | None = None) -> pd.DataFrame:
    """Validate sweep columns (``mapping``: schema name -> file column) and normalise per workload."""
    data = {}
    for schema_name, file_column in mapping.items():
        values = _numeric(path, text, file_column, problems)
        if values is None:
            continue
        spec = POWERCAP_COLUMNS[schema_name]
        _range_check(path, file_column, values, spec, problems)
        data[schema_name] = values
    if throughput_from_seconds is not None:
        seconds = _numeric(path, text, throughput_from_seconds, problems)
        if seconds is not None:
            _range_check(path, throughput_from_seconds, seconds, ("s", 0.0, np.inf, False), problems)
            data["throughput_per_s"] = 1.0 / seconds.where(seconds > 0)
    if problems:
        return pd.DataFrame()
    columns = [workload_column] if isinstance(workload_column, str) else workload_column
    workload = text[columns].astype(str).apply(lambda r: "/".join(v.strip() for v in r), axis=1)
    frame = pd.DataFrame({"workload": workload, **{k: v.to_numpy() for k, v in data.items()}})
    duplicated = frame.duplicated(["workload", "gpu_power_cap_w"])
    if duplicated.any():
        position = int(np.flatnonzero(duplicated.to_numpy())[0])
        problems.add(f"{path}: columns '{'+'.join(columns)}', '{mapping['gpu_power_cap_w']}': duplicate "
                     f"(workload, cap) row, first at line {_line(position)}; keep one measurement per cap")
        return frame
    top = frame.loc[frame.groupby("workload")["gpu_power_cap_w"].idxmax()].set_index("workload")
    frame["power_per_unit"] = frame["power_w"] / frame["workload"].map(top["power_w"])
    frame["throughput_per_unit"] = frame["throughput_per_s"] / frame["workload"].map(top["throughput_per_s"])
    return frame


# ----------------------------------------------------------------------------------------------
# Adapters for the bundled public telemetry (files unchanged)
# ----------------------------------------------------------------------------------------------

def _read_format(path: Path, columns, format_name: str, problems: ProblemCollector) -> pd.DataFrame:
    """The file as text columns, after checking that every column of ``format_name`` is there
    (raises InputDataError with all missing columns)."""
    text = _read_text_frame(path, problems)
    if text is None:
        _raise(problems, path)
    for column in columns:
        if column not in text.columns:
            problems.add(f"{path}: column '{column}': required column of the {format_name} format missing")
    _raise(problems, path)
    return text


def read_google_powerdata(path: Path | str) -> TelemetrySeries:
    """Google powerdata-2019 (cell a, one PDU): 5-minute ``measured_power_util`` per unit.

    Mapping: ``time`` (µs since 600 s before 2019-05-01 00:00 US/Pacific, so 600000000 is 00:00 PT)
    -> ``timestamp`` in US/Pacific; ``measured_power_util`` (total PDU power / PDU capacity, incl.
    floor cooling) -> ``power_per_unit``. The ``index`` and ``pdu`` columns are ignored. Absolute MW
    are not published, so ``rating_mw`` is None.
    """
    path = Path(path)
    problems = ProblemCollector()
    text = _read_format(path, ("time", "measured_power_util"), "Google powerdata", problems)
    micros = _numeric(path, text, "time", problems)
    util = _numeric(path, text, "measured_power_util", problems)
    if util is not None:
        _range_check(path, "measured_power_util", util, TIMESERIES_COLUMNS["power_per_unit"], problems)
    index = None
    if micros is not None:
        index = pd.DatetimeIndex(GOOGLE_EPOCH + pd.to_timedelta(micros.to_numpy().astype("int64"), unit="us"))
        index = _check_order(path, index.tz_convert("US/Pacific"), problems)
    _raise(problems, path)
    frame = pd.DataFrame({"power_per_unit": util.to_numpy()}, index=index)
    frame.index.name = "timestamp"
    return TelemetrySeries(frame=frame, source=path, sha256=file_sha256(path), role="baseline",
                           description="Google powerdata-2019: time (us since 2019-04-30 23:50 US/Pacific) -> "
                                       "timestamp; measured_power_util -> power_per_unit (of PDU capacity)",
                           warnings=_gap_warnings(path, index))


def read_emerald_srp_power(path: Path | str) -> TelemetrySeries:
    """Emerald AI Phoenix field test ``SRP_total_power.csv``: 1-minute cluster power in W.

    Mapping: ``timestamp`` (local time with offset) -> ``timestamp``; ``total`` (W) / 1e6 ->
    ``power_mw``. Role ``"event"``: the record covers the 25 %/3-hour demand-response event.
    """
    path = Path(path)
    problems = ProblemCollector()
    text = _read_format(path, ("timestamp", "total"), "Emerald SRP power", problems)
    index = _parse_timestamps(path, text["timestamp"], problems)
    watts = _numeric(path, text, "total", problems)
    if watts is not None:
        _range_check(path, "total", watts, ("W", 0.0, 5e9, False), problems)
    _raise(problems, path)
    frame = pd.DataFrame({"power_mw": watts.to_numpy() / 1e6}, index=index)
    frame.index.name = "timestamp"
    return TelemetrySeries(frame=frame, source=path, sha256=file_sha256(path), role="event",
                           description="Emerald SRP_total_power: timestamp -> timestamp; total (W) / 1e6 -> power_mw",
                           warnings=_gap_warnings(path, index))


def read_emerald_dvfs_sweep(path: Path | str) -> PowerCapSweep:
    """Emerald AI ``dvfs_sweep.csv``: GPU power cap -> throughput for six LLM workloads.

    Mapping: ``Workload`` -> ``workload``; ``GPU power cap`` (W) -> ``gpu_power_cap_w``;
    ``power per GPU`` (W, measured) -> ``power_w``; ``throughput`` -> ``throughput_per_s``.
    Normalised per workload at its 400 W cap (``normalized throughput`` in the file equals our
    ``throughput_per_unit``).
    """
    path = Path(path)
    problems = ProblemCollector()
    mapping = {"gpu_power_cap_w": "GPU power cap", "power_w": "power per GPU", "throughput_per_s": "throughput"}
    text = _read_format(path, ["Workload", *mapping.values()], "Emerald dvfs_sweep", problems)
    frame = _sweep_frame(path, text, mapping, "Workload", problems)
    _raise(problems, path)
    return PowerCapSweep(frame=frame, source=path, sha256=file_sha256(path),
                         description="Emerald dvfs_sweep: Workload -> workload; GPU power cap -> gpu_power_cap_w; "
                                     "power per GPU -> power_w; throughput -> throughput_per_s")


def read_zeus_summary(path: Path | str) -> PowerCapSweep:
    """Zeus ``summary_power_<gpu>.csv``: GPU power limit -> time per epoch.

    Mapping: ``dataset/network/batch_size/optimizer`` -> ``workload``; ``power_limit`` (W) ->
    ``gpu_power_cap_w``; ``average_power`` (W) -> ``power_w``; ``1 / time_per_epoch`` (epochs/s) ->
    ``throughput_per_s``.
    """
    path = Path(path)
    problems = ProblemCollector()
    keys = ["dataset", "network", "batch_size", "optimizer"]
    text = _read_format(path, [*keys, "power_limit", "time_per_epoch", "average_power"], "Zeus summary", problems)
    frame = _sweep_frame(path, text, {"gpu_power_cap_w": "power_limit", "power_w": "average_power"}, keys,
                         problems, throughput_from_seconds="time_per_epoch")
    _raise(problems, path)
    return PowerCapSweep(frame=frame, source=path, sha256=file_sha256(path),
                         description="Zeus summary_power: dataset/network/batch_size/optimizer -> workload; "
                                     "power_limit -> gpu_power_cap_w; average_power -> power_w; "
                                     "1/time_per_epoch -> throughput_per_s (epochs per s)")


def load_telemetry(path: Path | str, rating_mw: float | None = None) -> TelemetrySeries | PowerCapSweep:
    """Read any supported telemetry file, recognised by its header line.

    Recognised: the documented time-series schema (``timestamp`` + ``power_mw``/``power_per_unit``),
    the documented power-cap schema (``workload, gpu_power_cap_w, ...``), Google powerdata
    (``time, measured_power_util``), Emerald ``SRP_total_power`` (``timestamp, total``), Emerald
    ``dvfs_sweep`` (``Workload, GPU power cap, ...``) and Zeus ``summary_power_*``.
    """
    path = Path(path)
    problems = ProblemCollector()
    text = _read_text_frame(path, problems)
    if text is None:
        _raise(problems, path)
    columns = set(text.columns)
    if {"time", "measured_power_util"} <= columns:
        return read_google_powerdata(path)
    if columns == {"timestamp", "total"}:
        return read_emerald_srp_power(path)
    if {"Workload", "GPU power cap", "throughput"} <= columns:
        return read_emerald_dvfs_sweep(path)
    if {"power_limit", "time_per_epoch", "average_power"} <= columns:
        return read_zeus_summary(path)
    if "workload" in columns:
        return read_powercap_sweep(path)
    if "timestamp" in columns:
        return read_telemetry(path, rating_mw=rating_mw)
    raise InputDataError([f"{path}: unrecognised telemetry header {sorted(columns)}; expected the documented schema "
                          "(timestamp, power_mw or power_per_unit, ...) or power-cap schema (workload, "
                          "gpu_power_cap_w, power_w, throughput_per_s)"], title=f"invalid telemetry in {path}")
