"""Shared test helpers: tiny scenarios with hand-computable optima, written to tmp_path."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def write_series(folder: Path, columns: dict[str, list[float]], name: str = "series.csv", rows: int = 8760) -> Path:
    """A CSV with ``rows`` rows; each column starts with the given values, the rest is 0."""
    data = {}
    for column, values in columns.items():
        full = np.zeros(rows)
        full[: len(values)] = values
        data[column] = full
    path = folder / name
    pd.DataFrame(data).to_csv(path, index=False)
    return path


def tiny_scenario(folder: Path, demand: list[float], extra: dict | None = None, columns: dict | None = None) -> dict:
    """A one-zone scenario over len(demand) hours, weight 1 h, with no plants yet.

    ``columns`` adds more series to the same CSV (e.g. a capacity factor ``cf``);
    ``extra`` is merged over the scenario (sections replaced key by key at the top level).
    """
    path = write_series(folder, {"demand": demand, **(columns or {})})
    scenario = {
        "name": "tiny",
        "horizon": {"year": 2021, "start_hour": 0, "hours": len(demand), "scale_to_year": False},
        "zones": {"z": {"demand": {"file": str(path), "column": "demand"}}},
        "fuels": {"gas": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {},
        "plants": {},
    }
    for key, value in (extra or {}).items():
        scenario[key] = copy.deepcopy(value)
    return scenario


@pytest.fixture
def solve_raw():
    """Validate a raw scenario mapping, build, solve; return (results Dataset, SolveResult)."""
    from planning.config import validate_scenario
    from planning.workflows.run import solve_scenario

    def solve(raw: dict):
        scenario = validate_scenario(raw)
        results, solved, _ = solve_scenario(scenario)
        return results, solved

    return solve
