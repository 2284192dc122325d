"""Read hourly time-series columns named by the scenario, with every problem reported.

A time-series file is a CSV with a header row and one row per hour of the modelled year
(8760 rows, 8784 in a leap year), in chronological order. Other columns (timestamps,
notes) are ignored. Problems are collected, not raised one by one: a missing file, a missing
column (with a "did you mean"), the wrong number of rows, non-numeric cells and NaN, each with
the YAML key path, the file, the column and the first bad line (1-based, header = line 1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planning.config.base import TimeSeriesRef
from planning.errors import did_you_mean


class TimeSeriesReader:
    """Reads each CSV file once and hands out checked columns.

    Parameters
    ----------
    expected_rows
        Rows every file must have (hours of the modelled year).
    """

    def __init__(self, expected_rows: int) -> None:
        self.expected_rows = expected_rows
        self._frames: dict[Path, pd.DataFrame | str] = {}
        self.problems: list[str] = []
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
        """The column as float64 × ``ref.scale``, or None (and a recorded problem).

        ``lower``/``upper`` bound the raw values (before scaling), e.g. 0 and 1 for a
        capacity factor.
        """
        frame = self._frame(ref.file)
        where = f"{key_path}: {ref.file}"
        if isinstance(frame, str):
            self.problems.append(f"{where}: {frame}")
            return None
        if ref.column not in frame.columns:
            self.problems.append(f"{where}: no column '{ref.column}'{did_you_mean(ref.column, frame.columns)} (columns: {', '.join(frame.columns)})")
            return None
        text = frame[ref.column]
        if len(text) != self.expected_rows:
            self.problems.append(
                f"{where} column '{ref.column}': {len(text)} rows, but the modelled year needs {self.expected_rows} (one per hour)"
            )
            return None
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
        return values * ref.scale
