"""Shared test helpers: tiny scenarios with hand-computable optima, written to tmp_path."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def emitted(logger: str = "planning", level: int = logging.WARNING) -> Iterator[list[logging.LogRecord]]:
    """The records ``logger`` emits at ``level`` or above while in the block, each once: a handler on the logger itself,
    independent of propagation and of pytest's caplog (which saw each record twice in a fresh venv)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level)
    handler.emit = records.append
    logging.getLogger(logger).addHandler(handler)
    try:
        yield records
    finally:
        logging.getLogger(logger).removeHandler(handler)


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


def thermal(heat_rate, capex=0.0, fuel="gas", **extra) -> dict:
    """A thermal technology: heat rate h at the default 1 $/MMBtu fuel costs h $/MWh and emits 0.1·h t/MWh."""
    return {"kind": "thermal", "fuel": fuel, "heat_rate_mmbtu_per_mwh": heat_rate, "capex_per_mw": capex, "lifetime_years": 1, **extra}


def storage_arbitrage_scenario(folder: Path, **extra) -> dict:
    """Two hours: free PV 180 MW in hour 0 only, demand 100/100 MW, a 200 MW/100 MWh battery with
    90 %/90 % efficiency, and gas at 50 $/MWh (5 t/MWh). Optimum: charge 80 MW, discharge 64.8 MW,
    gas 35.2 MW in hour 1 → 1760 $. ``extra`` adds top-level sections."""
    return tiny_scenario(folder, [100, 100], columns={"cf": [1.0, 0.0]}, extra={
        "technologies": {"gas": thermal(50), "pv": {"kind": "variable"},
                         "bat": {"kind": "storage", "charge_efficiency": 0.9, "discharge_efficiency": 0.9}},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 200, "max_new_mw": 0},
                   "s": {"zone": "z", "technology": "pv", "existing_mw": 180, "max_new_mw": 0,
                         "profile": {"file": str(folder / "series.csv"), "column": "cf"}},
                   "b": {"zone": "z", "technology": "bat", "existing_mw": 200, "existing_mwh": 100, "max_new_mw": 0, "max_new_mwh": 0}},
        **extra,
    })


def run_command(command: str, raw: dict, folder: Path, name: str, *options: str) -> Path:
    """Write ``raw`` to ``folder/name`` and run ``planning <command>`` on it into ``folder/out`` (returned); it must succeed."""
    import yaml
    from typer.testing import CliRunner

    from planning.cli import app

    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    out = folder / "out"
    result = CliRunner().invoke(app, [command, str(path), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out


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
