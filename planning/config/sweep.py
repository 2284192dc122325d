"""Sweep files: one base scenario and the overrides of each run.

A sweep file is YAML::

    name: co2-price-x-campus            # sweep folder name (default: the file's stem)
    description: CO2 price x campus size
    scenario: ../isone_datacenter_week.yaml   # base scenario, relative to this file
    set:                                # applied to every run (same key paths as --set)
      horizon.hours: 72
    grid:                               # cartesian product: 3 x 2 = 6 runs
      policy.co2_price_per_t: [0, 50, 150]
      datacenters.campus.it_capacity_mw: [500, 1500]
    runs:                               # and/or an explicit list, one mapping per run
      - {policy.co2_price_per_t: 300, datacenters.campus.flexibility: ideal}
    twins: false                        # also solve the data-center twins of every run
    cluster:                            # where the runs execute (planning sweep --scheduler/--workers override it)
      workers: 2                        # a LocalCluster of 2 worker processes (default)
      # scheduler: tcp://head-node:8786   # or a running Dask scheduler; "synchronous" = this process

Keys are dotted key paths into the scenario, exactly as after ``--set``; values are YAML values
(a number, a string, ``null``, a list or a mapping). ``file`` / ``*_file`` values are relative to
the sweep file. The runs are the grid's combinations (in the order the keys and values are
written, the last key varying fastest) followed by the listed runs.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planning.errors import ScenarioError, did_you_mean

KeyPath = str


def _check_key_path(key: str) -> str:
    parts = key.split(".")
    if not key or any(not part.strip() for part in parts):
        raise ValueError(f"'{key}' is not a key path; write dotted keys such as policy.co2_price_per_t")
    return key


class Cluster(BaseModel):
    """Where the independent tasks run (:class:`planning.parallel.Executor`): a LocalCluster, a scheduler, or this process."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    scheduler: str | None = Field(
        None, description="Address of a running Dask scheduler (tcp://host:8786); null = a LocalCluster of `workers` processes; "
        "'synchronous' = one task after the other in this process, without Dask.")
    workers: int = Field(2, ge=1, description="Worker processes of the LocalCluster (one thread each); ignored with a scheduler.")

    @field_validator("scheduler")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and value != "synchronous" and "://" not in value:
            raise ValueError(f"'{value}' is not a scheduler address; write tcp://host:8786, or 'synchronous', or leave it out "
                             "for a local cluster")
        return value


class SweepFile(BaseModel):
    """The schema of a sweep file (strict: unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str | None = Field(None, description="Name of the sweep, used for its results folder (default: the file name without .yaml).")
    description: str = Field("", description="Free text shown in the report.")
    scenario: Path = Field(description="Base scenario YAML, relative to the sweep file.")
    set: dict[KeyPath, Any] = Field(default_factory=dict, description="Overrides applied to every run: key path → value (as --set).")
    grid: dict[KeyPath, list[Any]] = Field(default_factory=dict, description="Key path → list of values; every combination is one run (cartesian product).")
    runs: list[dict[KeyPath, Any]] = Field(default_factory=list, description="Explicit runs, each a mapping key path → value (added after the grid's runs).")
    twins: bool = Field(False, description="Also solve each run's data-center twins (inflexible/learned/ideal) and write value_of_flexibility.csv.")
    cluster: Cluster = Field(default_factory=Cluster, description="Where the runs execute; --scheduler/--workers of planning sweep override it.")

    @field_validator("set", "grid")
    @classmethod
    def _keys(cls, value: dict) -> dict:
        for key in value:
            _check_key_path(key)
        return value

    @field_validator("grid")
    @classmethod
    def _values(cls, value: dict) -> dict:
        for key, values in value.items():
            if not values:
                raise ValueError(f"grid.{key}: give at least one value")
        return value

    @field_validator("runs")
    @classmethod
    def _run_keys(cls, value: list) -> list:
        for index, run in enumerate(value):
            for key in run:
                try:
                    _check_key_path(key)
                except ValueError as error:
                    raise ValueError(f"runs[{index}]: {error}") from None
        return value

    @model_validator(mode="after")
    def _has_runs(self) -> "SweepFile":
        if not self.grid and not self.runs:
            raise ValueError("give a grid: (key path → list of values) or runs: (list of overrides), or both")
        return self


class Run(BaseModel):
    """One run of a sweep: its folder name and its overrides (key path → value)."""

    model_config = ConfigDict(frozen=True)

    name: str
    overrides: dict[str, Any]

    def set_strings(self) -> list[str]:
        """The overrides as ``--set`` strings (values as JSON, which YAML reads back unchanged)."""
        return [f"{key}={json.dumps(value)}" for key, value in self.overrides.items()]


class Sweep(BaseModel):
    """A loaded sweep: the base scenario file, the overrides common to all runs, and the runs."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    source: Path
    scenario: Path
    common: dict[str, Any]
    runs: tuple[Run, ...]
    keys: tuple[str, ...]
    twins: bool
    cluster: Cluster = Cluster()

    def common_strings(self) -> list[str]:
        return [f"{key}={json.dumps(value)}" for key, value in self.common.items()]


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file.

    Raises
    ------
    ScenarioError
        Every problem of the file at once, each naming its key.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise ScenarioError([f"{path}: sweep file not found; check the path"], title="invalid sweep")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ScenarioError([f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"], title="invalid sweep") from None
    except yaml.YAMLError as error:
        raise ScenarioError([f"{path}: not valid YAML ({error})"], title="invalid sweep") from None
    if not isinstance(raw, dict):
        raise ScenarioError([f"{path}: the top level must be a mapping (scenario:, grid:, runs:, ...)"], title="invalid sweep")
    try:
        spec = SweepFile.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(_problems(error), title=f"invalid sweep {path}") from None
    base = spec.scenario if spec.scenario.is_absolute() else (path.parent / spec.scenario).resolve()
    problems = []
    if not base.is_file():
        problems.append(f"scenario: base scenario {base} not found (paths are relative to the sweep file)")
    resolve = lambda key, value: _resolve_file(key, value, path.parent)  # noqa: E731
    common = {key: resolve(key, value) for key, value in spec.set.items()}
    combos = []
    if spec.grid:
        keys = list(spec.grid)
        for values in itertools.product(*(spec.grid[key] for key in keys)):
            combos.append(dict(zip(keys, values)))
    combos += [dict(run) for run in spec.runs]
    combos = [{key: resolve(key, value) for key, value in combo.items()} for combo in combos]
    seen: dict[str, int] = {}
    for index, combo in enumerate(combos):
        canonical = json.dumps(combo, sort_keys=True)
        if canonical in seen:
            problems.append(f"runs: run {index + 1} repeats run {seen[canonical] + 1} ({_describe(combo)}); remove one")
        seen.setdefault(canonical, index)
    if problems:
        raise ScenarioError(problems, title=f"invalid sweep {path}")
    keys = tuple(dict.fromkeys(key for combo in combos for key in combo))
    names = run_names(combos, keys)
    runs = tuple(Run(name=name, overrides=combo) for name, combo in zip(names, combos))
    return Sweep(name=spec.name or path.stem, description=spec.description, source=path, scenario=base, common=common,
                 runs=runs, keys=keys, twins=spec.twins, cluster=spec.cluster)


def _resolve_file(key: str, value: Any, base_dir: Path) -> Any:
    last = key.split(".")[-1]
    if (last == "file" or last.endswith("_file")) and isinstance(value, str) and value:
        candidate = Path(value).expanduser()
        return str(candidate if candidate.is_absolute() else (base_dir / candidate).resolve())
    return value


def _describe(combo: dict) -> str:
    return ", ".join(f"{key}={json.dumps(value)}" for key, value in combo.items()) or "no overrides"


# ------------------------------------------------------------------------------ run names ---

_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+")
MAX_NAME = 120


def short_keys(keys: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The shortest dotted suffix of each key path that is unique among ``keys``.

    ``policy.co2_price_per_t`` → ``co2_price_per_t``; two keys ending in ``it_capacity_mw`` keep
    one more segment each (``campus.it_capacity_mw``, ``edge.it_capacity_mw``).
    """
    short = {}
    for key in keys:
        parts = key.split(".")
        for length in range(1, len(parts) + 1):
            suffix = ".".join(parts[-length:])
            clash = [other for other in keys if other != key and (other == suffix or other.endswith("." + suffix))]
            if not clash:
                break
        short[key] = suffix
    return short


def _value_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    elif isinstance(value, (int, float, str)):
        text = str(value)
    else:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return "".join(c if c in _SAFE else "-" for c in text) or "-"


def run_names(combos: list[dict[str, Any]], keys: tuple[str, ...]) -> list[str]:
    """Filesystem-safe, stable folder names from the overrides: ``key=value__key=value``.

    Keys are shortened to their shortest unique suffix (:func:`short_keys`); characters other
    than letters, digits and ``.-_+`` become ``-``. A name longer than 120 characters, or one
    that two runs would share, ends in ``~`` and the first 8 hex digits of the SHA-256 of the
    run's overrides (as canonical JSON), so it stays the same each time the sweep is read.
    """
    import hashlib

    short = short_keys(list(keys))
    names = []
    for combo in combos:
        parts = [f"{''.join(c if c in _SAFE else '-' for c in short[key])}={_value_text(value)}" for key, value in combo.items()]
        names.append("__".join(parts) or "base")
    digest = lambda combo: hashlib.sha256(json.dumps(combo, sort_keys=True).encode()).hexdigest()[:8]  # noqa: E731
    counts = {name: names.count(name) for name in names}
    out = []
    for name, combo in zip(names, combos):
        if counts[name] > 1 or len(name) > MAX_NAME:
            name = f"{name[:MAX_NAME]}~{digest(combo)}"
        out.append(name)
    return out


def _problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            key = str(item["loc"][-1])
            problems.append(f"{where}: unknown key{did_you_mean(key, list(SweepFile.model_fields))} (remove it or fix its spelling)")
        elif item["type"] == "missing":
            problems.append(f"{where}: required key is missing")
        else:
            problems.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return problems
