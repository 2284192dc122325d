"""Read hourly time-series columns named by the scenario, aligned to the model's hours, with every problem reported.

The model's snapshots are labelled **hour-beginning, in UTC**: snapshot ``2021-08-01T00:00Z`` is
the hour 00:00–01:00 UTC. A file states its time in one of two ways (declared per reference,
:class:`planning.config.base.TimeSeriesRef`):

* **With a time column** — ``time_column``, or, when it is not declared, the one column whose
  name is one of :data:`TIME_COLUMN_NAMES` or ends in ``_hour_ending``/``_hour_beginning``. Each
  stamp is read as ISO 8601; a stamp with an offset (``Z``, ``+01:00``) carries its own time zone,
  one without is in ``time_zone`` (default UTC; an IANA name or ``UTC±HH:MM``). A stamp labels the
  hour that begins at it (``hour_beginning``) or ends at it (``hour_ending``, as EIA-930 does):
  ``time_convention``, by default the one the column's name states, else hour-beginning. So the
  EIA-930 row stamped ``2021-01-01 01:00:00`` (UTC, hour-ending) is snapshot ``2021-01-01T00:00Z``.
  The stamps must parse, be all with or all without an offset, increase (oldest first: a
  newest-first file is an error), have no duplicates, step by exactly one hour (no gaps, no
  sub-hourly rows) and cover every modelled snapshot. Rows outside the modelled hours are not
  used. ``edge_fill_hours: k`` lets up to k modelled hours lie before the file's first or after its
  last hour; they take that first or last value (persistence) and are listed in
  :attr:`TimeSeriesReader.notes` (logged as warnings by :func:`planning.io.inputs.load_inputs` and kept
  in the inputs' ``attrs['input_time_notes']``). Interior gaps are never filled.
* **Without a time column** — one row per hour of ``horizon.year`` (8760 rows, 8784 in a leap
  year), row *i* being hour *i* (hour-beginning, UTC, from January 1st 00:00); or one row per
  modelled hour (``horizon.hours`` rows), row *i* being modelled hour *i* (hour
  ``horizon.start_hour + i`` of the year). A file of any other length is an error naming both.

Other columns are ignored. Problems are collected, not raised one by one: a missing file or
column (with a "did you mean"), time stamps as above, the wrong number of rows, non-numeric cells,
NaN and values out of range, each with the YAML key path, the file, the column and the first bad
line (1-based, header = line 1). A file's time problems are reported once, under the first key that
reads it; hours filled at its edges are noted for every key that reads it, each under its own key.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from planning.config.base import TimeSeriesRef, parse_time_zone
from planning.config.horizon import hours_in_year
from planning.errors import ProblemCollector, did_you_mean
from planning.io.telemetry import _check_order

#: Column names recognised as the time column when ``time_column`` is not declared (any case).
TIME_COLUMN_NAMES = ("snapshot", "timestamp", "time", "datetime", "date_time", "utc_time", "time_utc")
_CONVENTION_SUFFIXES = {"_hour_ending": "hour_ending", "_hour_beginning": "hour_beginning"}
_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:\.\d*)?)?\s*(?:Z|z|[+-]\d\d(?::?\d\d)?)$")
HOUR = pd.Timedelta(hours=1)


def utc_label(stamp: pd.Timestamp) -> str:
    """``2021-08-01T00:00Z`` for messages (an hour-beginning UTC label)."""
    stamp = pd.Timestamp(stamp)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.strftime("%Y-%m-%dT%H:%MZ")


class TimeSeriesReader:
    """Reads each CSV file once and hands out checked columns of the modelled year.

    Parameters
    ----------
    year
        ``horizon.year``: :meth:`read` returns one value per hour of it.
    modelled
        The positions (hours of the year, 0-based) that are modelled; stamped files must cover
        them. Default: the whole year.
    """

    def __init__(self, year: int, modelled: slice | None = None) -> None:
        self.year = int(year)
        self.n_hours = hours_in_year(self.year)
        self.modelled = modelled if modelled is not None else slice(0, self.n_hours)
        start = pd.Timestamp(year=self.year, month=1, day=1, tz="UTC")
        #: hour-beginning UTC stamps of every hour of the year
        self.year_hours = pd.date_range(start, periods=self.n_hours, freq="h")
        self._frames: dict[Path, pd.DataFrame | str] = {}
        self._alignments: dict[tuple, tuple[np.ndarray, np.ndarray] | None] = {}
        self.problems: list[str] = []
        #: what was filled (``edge_fill_hours``), one line per YAML key that reads filled hours
        self.notes: list[str] = []
        self.files: set[Path] = set()

    def _frame(self, path: Path) -> pd.DataFrame | str:
        if path not in self._frames:
            if not path.is_file():
                self._frames[path] = "file not found; check the path (relative paths are relative to the YAML file)"
            else:
                try:
                    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
                    self._frames[path] = frame
                    self.files.add(path)
                except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
                    self._frames[path] = f"cannot be read as CSV ({str(error).splitlines()[0]})"
        return self._frames[path]

    def read(self, ref: TimeSeriesRef, key_path: str, lower: float | None = None, upper: float | None = None) -> np.ndarray | None:
        """The column as float64 × ``ref.scale``, one value per hour of the year (hour-beginning UTC), or None
        (and a recorded problem).

        For a stamped file, hours of the year the file does not cover (outside the modelled hours)
        are NaN. ``lower``/``upper`` bound the raw values (before scaling) of every row, e.g. 0 and
        1 for a capacity factor.
        """
        frame = self._frame(ref.file)
        where = f"{key_path}: {ref.file}"
        if isinstance(frame, str):
            self.problems.append(f"{where}: {frame}")
            return None
        if ref.column not in frame.columns:
            self.problems.append(f"{where}: no column '{ref.column}'{did_you_mean(ref.column, frame.columns)} (columns: {', '.join(frame.columns)})")
            return None
        alignment = self._alignment(ref, frame, where)
        if alignment is None:
            return None
        rows, filled = alignment
        if filled.size:
            # Per key, not per alignment: the alignment is cached, and every key that reads filled hours is told.
            self.notes.append(self._fill_note(ref, filled, where))
        text = frame[ref.column]
        values = pd.to_numeric(text.str.strip(), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            first = int(bad[0])
            self.problems.append(
                f"{where} column '{ref.column}' line {first + 2}: {text.iloc[first]!r} is not a number"
                f" ({bad.size} bad value{'s' if bad.size > 1 else ''} in all); fill or remove them"
            )
            return None
        checks = [(values < lower, "below", lower)] if lower is not None else []
        checks += [(values > upper, "above", upper)] if upper is not None else []
        for outside, word, bound in checks:
            out = np.flatnonzero(outside)
            if out.size:
                first = int(out[0])
                self.problems.append(
                    f"{where} column '{ref.column}' line {first + 2}: {values[first]:g} is {word} the allowed {bound:g}"
                    f" ({out.size} value{'s' if out.size > 1 else ''} in all)"
                )
                return None
        year_values = np.full(self.n_hours, np.nan)
        covered = rows >= 0
        year_values[covered] = values[rows[covered]]
        return year_values * ref.scale

    # ------------------------------------------------------------------------------------------
    # Time alignment: row of the file for each hour of the year
    # ------------------------------------------------------------------------------------------

    def _alignment(self, ref: TimeSeriesRef, frame: pd.DataFrame, where: str) -> tuple[np.ndarray, np.ndarray] | None:
        """``(rows, filled)``: the file row of each hour of the year (−1 = not covered) and the
        filled hours; None if the file's time is invalid (problems recorded once per file)."""
        key = (ref.file, ref.time_column, ref.time_convention, ref.time_zone, ref.edge_fill_hours)
        if key not in self._alignments:
            problems = ProblemCollector()
            self._alignments[key] = self._align(ref, frame, where, problems)
            self.problems.extend(problems.problems)
        return self._alignments[key]

    def _time_column(self, ref: TimeSeriesRef, frame: pd.DataFrame, where: str, problems: ProblemCollector) -> str | None | bool:
        """The time column's name, None if the file has none, False on a problem."""
        if ref.time_column is not None:
            if ref.time_column not in frame.columns:
                problems.add(f"{where}: time_column '{ref.time_column}' is not a column{did_you_mean(ref.time_column, frame.columns)}"
                             f" (columns: {', '.join(frame.columns)})")
                return False
            return ref.time_column
        found = [c for c in frame.columns
                 if c.strip().lower() in TIME_COLUMN_NAMES or c.strip().lower().endswith(tuple(_CONVENTION_SUFFIXES))]
        if len(found) > 1:
            problems.add(f"{where}: columns {', '.join(repr(c) for c in found)} all look like time stamps; "
                         "name the one to use with time_column")
            return False
        return found[0] if found else None

    def _align(self, ref: TimeSeriesRef, frame: pd.DataFrame, where: str, problems: ProblemCollector) -> tuple[np.ndarray, np.ndarray] | None:
        column = self._time_column(ref, frame, where, problems)
        if column is False:
            return None
        if column is None:
            declared = [name for name, value in (("time_convention", ref.time_convention), ("edge_fill_hours", ref.edge_fill_hours))
                        if value] + (["time_zone"] if parse_time_zone(ref.time_zone) != parse_time_zone("UTC") else [])
            if declared:
                problems.add(f"{where}: {', '.join(declared)} set, but the file has no time column; "
                             "name it with time_column (rows without stamps are hours of horizon.year, hour-beginning UTC)")
                return None
            if len(frame) == self.n_hours:
                return np.arange(self.n_hours), np.array([], dtype=int)
            first, stop = self.modelled.start or 0, self.modelled.stop
            if len(frame) == stop - first:
                rows = np.full(self.n_hours, -1)
                rows[first:stop] = np.arange(stop - first)
                return rows, np.array([], dtype=int)
            problems.add(f"{where}: {len(frame)} rows, but a file without time stamps needs {self.n_hours} (one per hour of "
                         f"{self.year}) or {stop - first} (one per modelled hour, from horizon.start_hour = {first}); "
                         "or add a time column that places each row")
            return None
        beginnings = self._hour_beginnings(ref, frame[column], column, where, problems)
        if beginnings is None:
            return None
        return self._cover(ref, beginnings, frame[column], column, where, problems)

    def _hour_beginnings(self, ref: TimeSeriesRef, text: pd.Series, column: str, where: str,
                         problems: ProblemCollector) -> pd.DatetimeIndex | None:
        """The hour-beginning UTC stamp of every row, checked (parse, offsets, order, hourly steps)."""
        stripped = text.astype(str).str.strip()
        has_offset = stripped.str.contains(_OFFSET, regex=True).to_numpy()
        if has_offset.any() and not has_offset.all():
            first = int(np.flatnonzero(has_offset != has_offset[0])[0])
            problems.add(f"{where}: time column '{column}' line {first + 2}: {text.iloc[first]!r} "
                         f"{'has' if has_offset[first] else 'has no'} UTC offset, unlike line 2 ({text.iloc[0]!r}); "
                         "write every stamp the same way")
            return None
        parsed = pd.to_datetime(stripped, errors="coerce", utc=bool(has_offset.all()), format="ISO8601")
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if bad.size:
            problems.add(f"{where}: time column '{column}' line {bad[0] + 2}: {text.iloc[bad[0]]!r} is not an ISO 8601 time stamp "
                         f"({bad.size} in all); write e.g. 2021-01-01T00:00:00Z")
            return None
        stamps = pd.DatetimeIndex(parsed)
        if stamps.tz is None:
            zone = parse_time_zone(ref.time_zone)
            try:
                stamps = stamps.tz_localize(zone, ambiguous="infer", nonexistent="raise")
            except Exception as error:  # pytz/zoneinfo raise different classes for DST clashes
                problems.add(f"{where}: time column '{column}': local stamps in {ref.time_zone} cannot be placed in UTC "
                             f"({str(error).splitlines()[0]}); write the stamps in UTC or with their offset")
                return None
        stamps = stamps.tz_convert("UTC")
        off_hour = np.flatnonzero((stamps != stamps.floor("h")))
        if off_hour.size:
            problems.add(f"{where}: time column '{column}' line {off_hour[0] + 2}: {text.iloc[off_hour[0]]!r} is not on the hour; "
                         "the model is hourly: resample the file to hourly rows")
            return None
        if _check_order(where, stamps, problems, column=column) is None:
            return None
        steps = pd.TimedeltaIndex(stamps[1:] - stamps[:-1])
        gaps = np.flatnonzero(steps != HOUR)
        if gaps.size:
            k = int(gaps[0])
            missing = int(steps[k] / HOUR) - 1
            problems.add(f"{where}: time column '{column}' line {k + 3}: {text.iloc[k + 1]!r} follows line {k + 2} ({text.iloc[k]!r}) "
                         f"with {missing} hour{'s' if missing != 1 else ''} missing ({gaps.size} gap{'s' if gaps.size > 1 else ''} in all); "
                         "the model needs every hour: fill the gaps")
            return None
        convention = ref.time_convention or next(
            (value for suffix, value in _CONVENTION_SUFFIXES.items() if column.strip().lower().endswith(suffix)), "hour_beginning")
        return stamps - HOUR if convention == "hour_ending" else stamps

    def _cover(self, ref: TimeSeriesRef, beginnings: pd.DatetimeIndex, text: pd.Series, column: str, where: str,
               problems: ProblemCollector) -> tuple[np.ndarray, np.ndarray] | None:
        """Row of each hour of the year; modelled hours must be covered (or filled at the file's edges)."""
        rows = beginnings.get_indexer(self.year_hours)
        modelled = np.arange(self.n_hours)[self.modelled]
        uncovered = modelled[rows[modelled] < 0]
        filled = np.array([], dtype=int)
        if uncovered.size:
            first_hour, last_hour = beginnings[0], beginnings[-1]
            span = (f"the file covers {utc_label(first_hour)} to {utc_label(last_hour)} (hour-beginning UTC, line 2 {text.iloc[0]!r} "
                    f"to line {len(text) + 1} {text.iloc[-1]!r})")
            wanted = f"the modelled hours are {utc_label(self.year_hours[modelled[0]])} to {utc_label(self.year_hours[modelled[-1]])}"
            if uncovered.size == modelled.size:
                problems.add(f"{where}: time column '{column}': {span}, none of the modelled hours ({wanted[len('the modelled hours are '):]}); "
                             f"the file is for another year or period: set horizon.year/start_hour, or use a file for {self.year}")
                return None
            before = (self.year_hours[uncovered] < first_hour)
            after = (self.year_hours[uncovered] > last_hour)
            reach = max(int((first_hour - self.year_hours[uncovered[before]].min()) / HOUR) if before.any() else 0,
                        int((self.year_hours[uncovered[after]].max() - last_hour) / HOUR) if after.any() else 0)
            if reach > ref.edge_fill_hours:
                side = "before its first" if before.any() else "after its last"
                problems.add(f"{where}: time column '{column}': {span}, but {wanted}: {uncovered.size} modelled hour"
                             f"{'s' if uncovered.size > 1 else ''} {side} hour, first {utc_label(self.year_hours[uncovered[0]])}; "
                             f"extend the file, or allow edge_fill_hours: {reach} to repeat its {'first' if before.any() else 'last'} value")
                return None
            rows = rows.copy()
            rows[uncovered[before]] = 0
            rows[uncovered[after]] = len(beginnings) - 1
            filled = uncovered
        return rows, filled

    def _fill_note(self, ref: TimeSeriesRef, filled: np.ndarray, where: str) -> str:
        """``<key>: <file>: N modelled hour(s) (...) outside the file take(s) its nearest value (edge_fill_hours: k)``."""
        shown = ", ".join(utc_label(self.year_hours[h]) for h in filled[:3]) + (", ..." if filled.size > 3 else "")
        return (f"{where}: {filled.size} modelled hour{'s' if filled.size > 1 else ''} ({shown}) "
                f"outside the file take{'' if filled.size > 1 else 's'} its nearest value (edge_fill_hours: {ref.edge_fill_hours})")
