"""Side-by-side differences between results folders of ``planning run`` (``planning compare``), for runs outside a sweep.

* compare.csv: one row per summary.csv metric, aligned by ``metric`` and ``unit`` (a metric whose unit differs
  between runs, e.g. a cost per year against one per horizon, gets a row per unit and is not subtracted);
  one column per run with its value, then for every run after the first ``delta_<run>`` = run − first run and
  ``relative_<run>`` = (run − first) / |first| (NaN when the first run's value is 0 or missing).
  Only numbers are compared: a text value (an older folder's solver status) is left out.
* compare_statistics.csv: the same for statistics.csv, one row per zone × technology × quantity (``total`` rows
  included), when every run has statistics.csv.

A pathway's tables have a ``period`` column and a run with futures has a ``future`` column in statistics.csv: the
rows are then also keyed by it (leading ``period`` / ``future`` columns; empty for a run without), so each period's
and each future's figures are compared with their own, never dropped or mixed.

Runs are named by their folder name (``name#2`` ... when two folders share a name).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SUMMARY_KEYS = ["metric", "unit"]
STATISTICS_KEYS = ["zone", "technology", "quantity"]
#: Leading key columns of a pathway (period) or of a run with futures (future), when a folder's table has them.
BLOCK_KEYS = ["period", "future"]


def _blocked(frames: list[pd.DataFrame], keys: list[str]) -> tuple[list[pd.DataFrame], list[str]]:
    """The frames with every block key any of them has (empty text where a frame has none), and the keys with them first."""
    blocks = [key for key in BLOCK_KEYS if any(key in frame for frame in frames)]
    frames = [frame.assign(**{key: frame[key].astype(str) if key in frame else "" for key in blocks}) for frame in frames]
    return frames, [*blocks, *keys]


def compare_problems(folders: list[Path]) -> list[str]:
    """Why ``folders`` cannot be compared (empty when they can): at least two, each a results folder with summary.csv."""
    problems = []
    if len(folders) < 2:
        problems.append(f"compare needs at least two results folders (got {len(folders)}); give RUN_A RUN_B ...")
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            problems.append(f"{folder}: no such folder; give a results folder of `planning run`")
        elif not (folder / "summary.csv").is_file():
            problems.append(f"{folder}: not a results folder (no summary.csv); give a results folder of `planning run`")
    return problems


def run_labels(folders: list[Path]) -> list[str]:
    """The folder names, made unique with ``#2``, ``#3`` ... in order."""
    labels: list[str] = []
    for folder in folders:
        name = Path(folder).resolve().name or str(folder)
        label, n = name, 1
        while label in labels:
            n += 1
            label = f"{name}#{n}"
        labels.append(label)
    return labels


def side_by_side(frames: list[pd.DataFrame], labels: list[str], keys: list[str]) -> pd.DataFrame:
    """Long frames (``keys`` + ``value``) of each run → one row per key, a value column per run, deltas and relatives."""
    merged: pd.DataFrame | None = None
    for frame, label in zip(frames, labels):
        part = frame[keys].astype(str).assign(**{label: pd.to_numeric(frame["value"], errors="coerce").to_numpy(float)})
        part = part.drop_duplicates(keys)
        merged = part if merged is None else merged.merge(part, on=keys, how="outer", sort=False)
    assert merged is not None
    values = merged[labels].to_numpy(float)
    merged = merged[~np.isnan(values).all(axis=1)].reset_index(drop=True)
    first = merged[labels[0]].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        for label in labels[1:]:
            delta = merged[label].to_numpy(float) - first
            merged[f"delta_{label}"] = delta
            merged[f"relative_{label}"] = np.where(first != 0, delta / np.abs(first), np.nan)
    return merged


def _summary(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / "summary.csv", keep_default_na=False, na_values=["nan", "NaN", ""])
    frame["unit"] = frame["unit"].fillna("")
    return frame


def _statistics(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / "statistics.csv")
    keys = [c for c in (*BLOCK_KEYS, "zone", "technology") if c in frame]
    numeric = [c for c in frame.columns if c not in keys]
    return frame.melt(id_vars=keys, value_vars=numeric, var_name="quantity", value_name="value")


def compare_folders(folders: list[Path]) -> dict[str, pd.DataFrame]:
    """``{"compare": ..., "compare_statistics": ...}`` (the latter only when every folder has statistics.csv).

    The folders must pass :func:`compare_problems`.
    """
    from planning.errors import PlanningError

    folders = [Path(folder) for folder in folders]
    problems = compare_problems(folders)
    if problems:
        raise PlanningError(problems, title="cannot compare")
    labels = run_labels(folders)
    frames, keys = _blocked([_summary(f) for f in folders], SUMMARY_KEYS)
    tables = {"compare": side_by_side(frames, labels, keys)}
    if all((folder / "statistics.csv").is_file() for folder in folders):
        frames, keys = _blocked([_statistics(f) for f in folders], STATISTICS_KEYS)
        tables["compare_statistics"] = side_by_side(frames, labels, keys)
    return tables


def changed_rows(table: pd.DataFrame, rtol: float = 1e-9, atol: float = 1e-9) -> pd.DataFrame:
    """The rows where some run differs from the first (beyond rounding), or is missing in some run but not all."""
    deltas = table[[c for c in table.columns if c.startswith("delta_")]].to_numpy(float)
    runs = [c for c in table.columns if c not in (*BLOCK_KEYS, *SUMMARY_KEYS, *STATISTICS_KEYS) and not c.startswith(("delta_", "relative_"))]
    values = table[runs].to_numpy(float)
    scale = np.nanmax(np.abs(values), axis=1, initial=0.0)
    moved = (np.abs(np.nan_to_num(deltas, nan=0.0)) > atol + rtol * scale[:, None]).any(axis=1)
    missing = np.isnan(values).any(axis=1) & ~np.isnan(values).all(axis=1)
    return table[moved | missing]
