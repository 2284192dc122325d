"""Results Dataset → tidy CSV files + netCDF, written atomically.

Every file is written into a temporary sibling folder which replaces the target folder only
when everything has been written, so a failed run never leaves a half-written folder.

Snapshots are written as UTC with an explicit ``Z`` (``2021-08-01T00:00:00Z``, the hour that begins
then) in every CSV (:func:`snapshot_labels`), and as CF time in UTC in results.nc; read them back
with :func:`snapshot_times`. results.nc follows the CF conventions (CF-1.8, :func:`netcdf_ready`);
read it back with :func:`open_results`.

Files (DESIGN.md §6): summary.csv, capacity.csv, transmission.csv, dispatch.csv, storage.csv,
flows.csv, balance.csv, commitment.csv, reserves.csv (with spinning reserve; balance.csv then
also has reserve_requirement_mw, reserve_provided_mw, reserve_shortfall_mw),
representative_periods.csv (with representative periods), statistics.csv
(:mod:`planning.metrics.statistics`), results.nc, scenario.resolved.yaml, run.json, solver.log.
transmission.csv and flows.csv carry each line's model, loading, congestion and price difference
(:mod:`planning.metrics.transmission`; :data:`LINE_SUMMARY_COLUMNS`, :data:`LINE_HOURLY_COLUMNS`).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import xarray as xr


# Files that mark a folder as written by `planning` (run, loop, stress, headroom, sweep, report, signals, compare): only such a
# folder (or an empty one) is replaced with --force, never a user's unrelated folder.
OUTPUT_MARKERS = ("run.json", "summary.csv", "loop.csv", "adequacy.csv", "headroom.csv", "stress_summary.csv", "sweep.csv",
                  "report.html", "signals.csv", "compare.csv")


def _blocking_ancestor(path: Path) -> tuple[Path | None, str]:
    """The first ancestor of ``path`` that is a file, or the nearest existing one that cannot be written, with why."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent, "is a file, not a folder"
    existing = next((p for p in [path, *path.parents] if p.exists()), None)
    if existing is not None and existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
        return existing, "is not writable by you"
    return None, ""


def output_folder_problems(path: Path, force: bool = False, option: str = "--out", existing_ok: bool = False) -> list[str]:
    """Why ``path`` cannot take a new output folder (empty when it can); checked before any solve.

    An existing file is never replaced; an existing folder only with ``force`` and only when it is empty or was
    written by ``planning`` (:data:`OUTPUT_MARKERS`); ``existing_ok`` (a sweep folder, which is resumed) accepts it.
    """
    path = Path(path).expanduser()
    blocker, why = _blocking_ancestor(path)
    if blocker is not None:
        return [f"{option} {path}: {blocker} {why}; choose another {option}"]
    if path.exists() and not path.is_dir():
        return [f"{option} {path}: a file of that name exists (it is not replaced by a folder); remove it or choose another {option}"]
    if path.is_dir() and not existing_ok:
        entries = [entry.name for entry in path.iterdir()]
        ours = not entries or any(name in entries for name in OUTPUT_MARKERS)
        if not ours:
            return [f"{option} {path}: an existing folder that was not written by planning ({len(entries)} entries); choose another {option}"]
        if not force:
            return [f"{option} {path}: the folder exists (an earlier run's results); add --force to replace it, or choose another {option}"]
    return []


def output_file_problems(path: Path, option: str = "--out") -> list[str]:
    """Why ``path`` cannot be written as a file (empty when it can)."""
    path = Path(path).expanduser()
    if path.is_dir():
        return [f"{option} {path}: is a folder; give a file name, e.g. {path / 'name.json'}"]
    blocker, why = _blocking_ancestor(path)
    if blocker is not None:
        return [f"{option} {path}: {blocker} {why}; choose another {option}"]
    return []


def _stale_partials(target: Path) -> list[Path]:
    return [p for p in target.parent.glob(f".{glob.escape(target.name)}.*.partial") if p.is_dir()]


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target``, on failure it is removed.

    Nothing is left behind by a failure: the staging folder and any parent folders this call created are removed.
    Staging folders left by a killed run (``.NAME.*.partial``) are removed before starting. The written folder
    gets the user's normal permissions (umask), not the private 0700 of a temporary folder. An existing *file*
    at ``target`` is an error (it is never renamed away). Whether an existing folder may be replaced is the
    caller's decision (:func:`output_folder_problems`, checked before any solve).
    """
    target = Path(target).resolve()
    if target.exists() and not target.is_dir():
        from planning.errors import PlanningError

        raise PlanningError([f"{target}: a file of that name exists; remove it or choose another output folder"], title="cannot write the results")
    created = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in _stale_partials(target):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        yield staging
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:   # deepest first
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.previous")
        shutil.rmtree(backup, ignore_errors=True)
        target.rename(backup)
    staging.rename(target)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


SNAPSHOT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""How every CSV writes a snapshot: ISO 8601 in UTC with an explicit ``Z`` (hour-beginning)."""


def snapshot_labels(values) -> np.ndarray:
    """``2021-08-01T00:00:00Z`` for each snapshot (naive datetimes are UTC; aware ones are converted)."""
    index = pd.DatetimeIndex(values)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return index.strftime(SNAPSHOT_FORMAT).to_numpy()


def snapshot_times(labels) -> pd.DatetimeIndex:
    """The snapshots of a written CSV column back as datetimes (UTC, without a time zone, like the
    model's), whether the labels carry ``Z``/an offset or not."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Series(labels).astype(str), format="ISO8601", utc=True))
    return index.tz_convert("UTC").tz_localize(None)


def _snapshot_strings(results: xr.Dataset) -> np.ndarray:
    return snapshot_labels(results["snapshot"].values)


def _long(results: xr.Dataset, names: list[str], dim: str, plants: list[str] | None = None) -> pd.DataFrame:
    """Stack (dim, snapshot) variables into one tidy frame."""
    subset = results[names]
    if plants is not None:
        subset = subset.sel(plant=plants)
    frame = subset.to_dataframe().reset_index()
    frame["snapshot"] = snapshot_labels(frame["snapshot"])
    return frame


def tidy_tables(results: xr.Dataset) -> dict[str, pd.DataFrame]:
    """The tidy tables of DESIGN.md §6 (one row per index combination, units in column names)."""
    tables: dict[str, pd.DataFrame] = {}
    plant_zone = results["plant_zone"].to_series()
    plant_tech = results["plant_technology"].to_series()
    plant_kind = results["plant_kind"].to_series()
    weight = pd.Series(results["weight_h"].values, index=_snapshot_strings(results))

    capacity = results[["existing_mw", "new_mw", "retired_mw", "total_mw"]].to_dataframe()
    for name in ("existing_mwh", "new_mwh", "retired_mwh", "energy_mwh"):
        capacity[name] = results[name].to_series().reindex(capacity.index) if name in results else np.nan
    capacity.insert(0, "technology", plant_tech)
    capacity.insert(0, "zone", plant_zone)
    tables["capacity"] = capacity.reset_index(drop=True)

    if "line_total_mw" in results:
        lines = results[["line_existing_mw", "line_new_mw", "line_total_mw"]].to_dataframe().rename(
            columns=lambda c: c.removeprefix("line_"))
        lines.insert(0, "to_zone", results["line_to"].to_series())
        lines.insert(0, "from_zone", results["line_from"].to_series())
        if "line_reactance_pu" in results:   # model and per-line outcomes: planning/metrics/transmission.py
            reactance = results["line_reactance_pu"].to_series()
            lines["model"] = np.where(np.isfinite(reactance.reindex(lines.index)), "dc_power_flow", "transport")
            lines["reactance_pu"] = reactance
        for name in LINE_SUMMARY_COLUMNS:
            if f"line_{name}" in results:
                lines[name] = results[f"line_{name}"].to_series()
        tables["transmission"] = lines.reset_index()

    generators = [p for p in results["plant"].values if plant_kind[p] in ("thermal", "variable")]
    dispatch = _long(results, ["generation_mw", "curtailment_mw"], "plant", generators)
    dispatch["weight"] = dispatch["snapshot"].map(weight)
    dispatch["zone"] = dispatch["plant"].map(plant_zone)
    dispatch["technology"] = dispatch["plant"].map(plant_tech)
    tables["dispatch"] = dispatch[["snapshot", "weight", "zone", "technology", "generation_mw", "curtailment_mw"]]

    stores = [p for p in results["plant"].values if plant_kind[p] == "storage"]
    if stores:
        storage = _long(results, ["charge_mw", "discharge_mw", "soc_mwh"], "plant", stores)
        storage["weight"] = storage["snapshot"].map(weight)
        storage["zone"] = storage["plant"].map(plant_zone)
        storage["technology"] = storage["plant"].map(plant_tech)
        tables["storage"] = storage[["snapshot", "weight", "zone", "technology", "charge_mw", "discharge_mw", "soc_mwh"]]
    else:
        tables["storage"] = pd.DataFrame(columns=["snapshot", "weight", "zone", "technology", "charge_mw", "discharge_mw", "soc_mwh"])

    if "flow_mw" in results:
        hourly = [name for name in LINE_HOURLY_COLUMNS if f"line_{name}" in results]
        flows = _long(results, ["flow_mw", *(f"line_{name}" for name in hourly)], "line").rename(
            columns={f"line_{name}": name for name in hourly})
        flows.insert(1, "from_zone", flows["line"].map(results["line_from"].to_series()))
        flows.insert(2, "to_zone", flows["line"].map(results["line_to"].to_series()))
        tables["flows"] = flows[["snapshot", "line", "from_zone", "to_zone", "flow_mw", *hourly]]
    else:
        tables["flows"] = pd.DataFrame(columns=["snapshot", "line", "from_zone", "to_zone", "flow_mw"])

    tables["balance"] = balance_table(results)
    tables.update(operations_tables(results, weight, plant_zone, plant_tech))
    tables.update(datacenter_tables(results, weight))
    from planning.io.site_writers import site_tables

    tables.update(site_tables(results, weight))
    return tables


LINE_SUMMARY_COLUMNS = ("congestion_hours", "congestion_rent_per_year", "max_loading", "mean_loading", "mean_price_difference_per_mwh")
"""transmission.csv columns after existing/new/total_mw, model and reactance_pu (from ``line_<name>``, planning/metrics/transmission.py)."""
LINE_HOURLY_COLUMNS = ("available_mw", "loading", "congested", "price_difference_per_mwh")
"""flows.csv columns after flow_mw (from ``line_<name>``)."""


def operations_tables(results: xr.Dataset, weight: pd.Series, plant_zone: pd.Series, plant_tech: pd.Series) -> dict[str, pd.DataFrame]:
    """commitment.csv, reserves.csv and representative_periods.csv (when the run has them)."""
    tables: dict[str, pd.DataFrame] = {}
    columns = ["snapshot", "weight", "zone", "technology", "committed_units", "startups", "shutdowns"]
    if "committed_units" in results:
        plants = [p for p in results["plant"].values if np.isfinite(results["committed_units"].sel(plant=p).values).all()]
        frame = _long(results, ["committed_units", "startups", "shutdowns"], "plant", plants)
        frame["weight"] = frame["snapshot"].map(weight)
        frame["zone"] = frame["plant"].map(plant_zone)
        frame["technology"] = frame["plant"].map(plant_tech)
        tables["commitment"] = frame[columns]
    else:
        tables["commitment"] = pd.DataFrame(columns=columns)
    if "reserve_mw" in results:
        providers = [p for p in results["plant"].values if np.isfinite(results["reserve_mw"].sel(plant=p).values).all()]
        frame = _long(results, ["reserve_mw"], "plant", providers)
        frame["weight"] = frame["snapshot"].map(weight)
        frame["zone"] = frame["plant"].map(plant_zone)
        frame["technology"] = frame["plant"].map(plant_tech)
        tables["reserves"] = frame[["snapshot", "weight", "zone", "technology", "reserve_mw"]]
    if "representative_of_period" in results:
        period_map = results[["representative_of_period", "period_start", "representative_start"]].to_dataframe().reset_index()
        period_map["period_start"] = snapshot_labels(period_map["period_start"])
        period_map["representative_start"] = snapshot_labels(period_map["representative_start"])
        tables["representative_periods"] = period_map.rename(columns={"representative_of_period": "representative"})[
            ["calendar_period", "period_start", "representative", "representative_start"]]
    return tables


def _by_zone(results: xr.Dataset, name: str, plants: list[str]) -> xr.DataArray:
    """Sum a (plant, snapshot) variable over the plants of each zone → (zone, snapshot)."""
    zones = results["zone"].values
    snapshots = results["snapshot"].values
    if name not in results or not plants:
        return xr.DataArray(np.zeros((len(zones), len(snapshots))), coords={"zone": zones, "snapshot": snapshots}, dims=("zone", "snapshot"))
    data = results[name].sel(plant=plants).fillna(0.0)
    zone_of = results["plant_zone"].sel(plant=plants)
    return data.groupby(zone_of.rename("zone")).sum().reindex(zone=zones, fill_value=0.0).transpose("zone", "snapshot")


def balance_table(results: xr.Dataset) -> pd.DataFrame:
    """Per zone and snapshot: every term of the balance, and the price.

    generation + storage_discharge − storage_charge + net_import + unserved
        = demand + datacenter   (MW), holding to solver tolerance.
    """
    kind = results["plant_kind"].to_series()
    generators = [p for p in kind.index if kind[p] in ("thermal", "variable")]
    stores = [p for p in kind.index if kind[p] == "storage"]
    terms = xr.Dataset(
        {
            "demand_mw": results["demand_mw"],
            "datacenter_mw": results["datacenter_mw"],
            "generation_mw": _by_zone(results, "generation_mw", generators),
            "storage_discharge_mw": _by_zone(results, "discharge_mw", stores),
            "storage_charge_mw": _by_zone(results, "charge_mw", stores),
            "net_import_mw": results["net_import_mw"] if "net_import_mw" in results else xr.zeros_like(results["demand_mw"]),
            "unserved_mw": results["unserved_mw"],
            "curtailment_mw": _by_zone(results, "curtailment_mw", generators),
            "price_per_mwh": results["price_per_mwh"],
            **{name: results[name] for name in ("reserve_requirement_mw", "reserve_provided_mw", "reserve_shortfall_mw") if name in results},
        }
    ).transpose("zone", "snapshot")
    frame = terms.to_dataframe().reset_index()
    frame["snapshot"] = snapshot_labels(frame["snapshot"])
    weight = pd.Series(results["weight_h"].values, index=_snapshot_strings(results))
    frame.insert(1, "weight", frame["snapshot"].map(weight))
    frame = frame[["snapshot", "weight", "zone"] + [c for c in frame.columns if c not in ("snapshot", "weight", "zone")]]
    return frame.sort_values(["snapshot", "zone"], kind="stable").reset_index(drop=True)


CF_CONVENTIONS = "CF-1.8"
LABELLED_DIMENSIONS = ("plant", "zone", "line", "datacenter", "site", "statistics_zone", "statistics_technology", "future")
"""Dimensions whose members are names: in results.nc the names are the string coordinate ``<dimension>_name``
(CF coordinate variables are numeric); :func:`open_results` makes them the index again."""
STRING_VARIABLES = (*LABELLED_DIMENSIONS, *(f"{name}_name" for name in LABELLED_DIMENSIONS), "plant_zone", "plant_technology",
                    "plant_kind", "line_from", "line_to", "datacenter_zone", "site_zone")
"""String variables of results.nc (typed as strings even when their dimension is empty)."""
AUXILIARY_COORDINATES = ("plant_zone", "plant_technology", "plant_kind", "line_from", "line_to", "datacenter_zone", "site_zone")
"""Labels of a dimension's members, written as coordinates (CF auxiliary coordinates), not data."""
CARBON_SUFFIXES = ("_g_per_kwh", "_t_per_h")
CARBON_NAMES = ("carbon_free_share", "dispatch_price_per_mwh")

_EXACT_UNITS: dict[str, tuple[str, str, bool]] = {
    # name: (UDUNITS units, long name, in currency)
    "weight_h": ("h", "hours each snapshot stands for", False),
    "price_per_mwh": ("MW-1 h-1", "price: balance dual / snapshot weight", True),
    "dispatch_price_per_mwh": ("MW-1 h-1", "price of the dispatch with commitments fixed", True),
    "committed_units": ("1", "committed units", False),
    "startups": ("1", "units started", False),
    "shutdowns": ("1", "units shut down", False),
    "work_arrived": ("MW h", "work arriving, in MWh of rated-power throughput", False),
    "work_done": ("MW h", "work done, in MWh of rated-power throughput", False),
    "backlog": ("MW h", "work waiting, in MWh of rated-power throughput", False),
    "period": ("1", "storage cycle (or representative period) index", False),
    "representative_of_period": ("1", "representative period standing for each calendar period", False),
    "calendar_period": ("1", "calendar period index", False),
    "stress_active": ("1", "1 in an hour of a stress event", False),
    "carbon_free_share": ("1", "carbon-free share of the zone's consumption", False),
    "site_opened": ("1", "candidate data-center site opened (1) or not (0)", False),
    "line_reactance_pu": ("1", "series reactance of an AC line, per unit on power_flow.base_mva (NaN: transport corridor)", False),
    "line_loading": ("1", "line loading: |flow| / available capability", False),
    "line_max_loading": ("1", "largest hourly line loading", False),
    "line_mean_loading": ("1", "weighted mean hourly line loading", False),
    "line_congested": ("1", "1 where |flow| is at the available capability (within 1e-6 relative)", False),
}
_SUFFIX_UNITS: tuple[tuple[str, str, bool, str], ...] = (
    # name suffix, UDUNITS units, in currency, unit as written in the long name
    ("_g_per_kwh", "g kW-1 h-1", False, "g/kWh"), ("_t_per_mwh", "t MW-1 h-1", False, "t/MWh"), ("_t_per_h", "t h-1", False, "t/h"),
    ("_per_mwh", "MW-1 h-1", True, "currency/MWh"), ("_per_mw_year", "MW-1 year-1", True, "currency/MW/year"), ("_per_year", "year-1", True, "currency/year"), ("_per_t", "t-1", True, "currency/t"),
    ("_mwh", "MW h", False, "MWh"), ("_mw", "MW", False, "MW"), ("_hours", "h", False, "h"), ("_h", "h", False, "h"), ("_t", "t", False, "t"),
    ("_share", "1", False, ""), ("_factor", "1", False, ""),
)


def cf_units(name: str) -> tuple[str, str, bool] | None:
    """(UDUNITS units, long name, whether the value is in the scenario's currency) of a results variable;
    None if its name says no unit. Money is counted in currency units, which UDUNITS cannot name: a price
    in currency/MWh has ``units = "MW-1 h-1"`` and ``currency = "USD2020"`` (the number of currency units per MWh)."""
    if name in _EXACT_UNITS:
        return _EXACT_UNITS[name]
    if name.startswith("cost_"):
        return ("year-1", f"{name.removeprefix('cost_').replace('_', ' ')} cost per year (weighted horizon)", True)
    for suffix, units, money, written in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return (units, name.replace("_", " ") if not written else f"{name[: -len(suffix)].replace('_', ' ')} ({written})", money)
    return None


def undeclared_units(dataset: xr.Dataset) -> list[str]:
    """Numeric variables of ``dataset`` whose units :func:`cf_units` cannot tell (written with ``units = "1"``)."""
    return [str(name) for name in dataset.variables if str(name) not in STRING_VARIABLES
            and not np.issubdtype(dataset[name].dtype, np.datetime64) and " since " not in str(dataset[name].attrs.get("units", ""))
            and cf_units(str(name)) is None]


def statistics_dataset(statistics: pd.DataFrame) -> xr.Dataset:
    """statistics.csv as variables ``statistics_<column>(statistics_zone, statistics_technology)``
    (``total`` rows included; NaN where a zone has no plant of a technology)."""
    frame = statistics.set_index(["zone", "technology"])
    zones = list(dict.fromkeys(statistics["zone"].astype(str)))
    technologies = list(dict.fromkeys(statistics["technology"].astype(str)))
    index = pd.MultiIndex.from_product([zones, technologies], names=["zone", "technology"])
    full = frame.reindex(index)
    data = {f"statistics_{column}": (("statistics_zone", "statistics_technology"),
                                     full[column].to_numpy(float).reshape(len(zones), len(technologies)))
            for column in frame.columns}
    return xr.Dataset(data, coords={"statistics_zone": np.asarray(zones, dtype=str),
                                    "statistics_technology": np.asarray(technologies, dtype=str)})


def netcdf_ready(results: xr.Dataset, attrs: dict, carbon: xr.Dataset | None = None,
                 statistics: pd.DataFrame | None = None) -> xr.Dataset:
    """A copy of ``results`` that follows the CF conventions (``Conventions = "CF-1.8"``).

    * every variable has ``units`` (UDUNITS; money as described in :func:`cf_units`) and ``long_name``
      (string labels have a ``long_name`` only: units do not apply to them);
    * ``snapshot`` is the CF time coordinate in UTC (``units: hours since 1970-01-01T00:00:00+00:00``,
      ``standard_name: time``, hour-beginning); every other datetime is encoded the same way;
    * the names of plants, zones, lines, data centers (and of the statistics' zones and technologies) are
      string coordinates ``<dimension>_name`` (a CF coordinate variable named like its dimension must be
      numeric); the zone, technology and kind of each plant and the ends of each line are coordinates
      too (CF auxiliary coordinates). :func:`open_results` reads the file back with the names as indexes;
    * with ``carbon`` (the metrics Dataset of :func:`planning.metrics.carbon.carbon_outputs`), its
      intensities (``*_g_per_kwh``), emissions (``*_t_per_h``), carbon-free share and dispatch price;
      with ``statistics`` (statistics.csv), :func:`statistics_dataset`;
    * strings as str, also when their dimension is empty; attrs as str/number.
    """
    out = results.copy()
    if carbon is not None:
        names = [n for n in carbon.data_vars if str(n).endswith(CARBON_SUFFIXES) or n in CARBON_NAMES]
        out = out.assign({n: carbon[n].transpose("zone", "snapshot") for n in names if n not in out})
    if statistics is not None:
        out = out.merge(statistics_dataset(statistics))
    for name in STRING_VARIABLES:
        if name in out.variables and (out[name].dtype == object or out[name].dtype.kind == "U" or out[name].size == 0):
            out[name] = out[name].astype(str) if out[name].size else out[name].copy(data=np.asarray([], dtype=str))
    for name in list(out.variables):
        if out[name].dtype == object:
            out[name] = out[name].astype(str)
    out = out.set_coords([name for name in AUXILIARY_COORDINATES if name in out.data_vars])
    for name in LABELLED_DIMENSIONS:
        if name in out.variables:
            labels = out[name].values
            out = out.drop_vars(name).assign_coords({f"{name}_name": (name, labels)})
    currency = str(out.attrs.get("currency", "") or attrs.get("currency", "") or "currency")
    for name in list(out.variables):
        variable = out.variables[name]
        if np.issubdtype(variable.dtype, np.datetime64):
            variable.encoding.update(units="hours since 1970-01-01T00:00:00+00:00", calendar="proleptic_gregorian")
            variable.attrs.pop("units", None)
            variable.attrs.update(time_zone="UTC", long_name=f"{name} (hour beginning, UTC)")
            if name == "snapshot":
                variable.attrs.update(standard_name="time", axis="T")
            continue
        if str(name) in STRING_VARIABLES or variable.dtype.kind in ("U", "S"):
            variable.encoding["dtype"] = "S1"  # a char array: netCDF classic strings, which CF 1.8 checkers read
            variable.attrs.pop("units", None)
            variable.attrs.setdefault("long_name", str(name).replace("_", " "))
            continue
        declared = cf_units(str(name))
        units, long_name, money = declared if declared is not None else ("1", str(name).replace("_", " "), False)
        variable.attrs.update(units=units, long_name=long_name)
        if money:
            variable.attrs["currency"] = currency
    clean = {}
    for key, value in {**out.attrs, **attrs}.items():
        if isinstance(value, (bool, np.bool_)):
            value = int(value)
        elif value is None:
            value = ""
        elif isinstance(value, (list, dict, tuple)):
            value = json.dumps(value)
        clean[key] = value
    clean["Conventions"] = CF_CONVENTIONS
    out.attrs = clean
    return out


def open_results(path: Path) -> xr.Dataset:
    """results.nc as written by a run, with ``plant``, ``zone``, ``line`` ... indexed by their names again
    (the inverse of the renaming in :func:`netcdf_ready`; loaded into memory, the file is closed)."""
    with xr.open_dataset(path) as dataset:
        dataset = dataset.load()
    labels = {name: dataset[f"{name}_name"].values for name in LABELLED_DIMENSIONS
              if f"{name}_name" in dataset.coords and dataset[f"{name}_name"].dims == (name,)}
    return dataset.drop_vars([f"{name}_name" for name in labels]).assign_coords(labels)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.10g")


DATACENTER_COLUMNS = ["snapshot", "weight", "datacenter", "zone", "baseline_mw", "flexible_mw", "it_power_mw",
                      "facility_power_mw", "work_arrived", "work_done", "backlog"]


def datacenter_tables(results: xr.Dataset, weight: pd.Series) -> dict[str, pd.DataFrame]:
    """datacenter.csv: per data center and snapshot, its power and work (DESIGN.md §6).

    ``work_*`` and ``backlog`` are in MWh of rated-power throughput (the card's work unit).
    """
    if "datacenter_it_power_mw" not in results:
        return {"datacenter": pd.DataFrame(columns=DATACENTER_COLUMNS)}
    names = {f"datacenter_{key}": key for key in ("baseline_mw", "flexible_mw", "it_power_mw", "facility_power_mw")}
    frame = _long(results, [*names, "work_arrived", "work_done", "backlog"], "datacenter").rename(columns=names)
    frame["weight"] = frame["snapshot"].map(weight)
    frame["zone"] = frame["datacenter"].map(results["datacenter_zone"].to_series())
    return {"datacenter": frame[DATACENTER_COLUMNS]}


# Stochastic runs (futures:): one results Dataset and one set of tables per future, joined here.

#: Tables written once in a stochastic run: the first-stage decisions, the same in every future.
FIRST_STAGE_TABLES = ("capacity", "transmission")


def stack_futures(datasets: dict[str, xr.Dataset]) -> xr.Dataset:
    """One Dataset from per-future Datasets: a variable without a snapshot dimension that is equal in every future
    (capacities to 1e-6 MW, plant data) once, any other with a leading ``future`` dimension (snapshots joined outer: with representative periods each future has its own,
    NaN where a snapshot is not one of a future's). Attributes from the first future."""
    names = list(datasets)
    first = datasets[names[0]]
    out = {}
    for variable in first.data_vars:
        arrays = [datasets[name][variable] for name in names if variable in datasets[name]]
        same = "snapshot" not in first[variable].dims and len(arrays) == len(names) and all(
            a.dims == arrays[0].dims and a.shape == arrays[0].shape and all(np.array_equal(a[d].values, arrays[0][d].values) for d in a.dims if d in a.coords)
            and _equal(a.values, arrays[0].values) for a in arrays[1:])
        if same:
            out[variable] = first[variable]
        else:
            present = [name for name in names if variable in datasets[name]]
            out[variable] = xr.concat([datasets[name][variable] for name in present], dim=pd.Index(present, name="future"), join="outer")
    stacked = xr.Dataset(out, attrs=dict(first.attrs))
    return stacked.assign_coords(future=np.asarray(names, dtype=object))


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal, numbers to solver tolerance (the futures' copies of an investment agree to HiGHS' feasibility tolerance)."""
    if a.dtype.kind in "fiu" and b.dtype.kind in "fiu":
        return bool(np.allclose(a, b, rtol=1e-9, atol=1e-6, equal_nan=True))
    return bool(np.array_equal(a, b))


def future_tables(tables_by_future: dict[str, dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Per-future tables → one table each with a leading ``future`` column; :data:`FIRST_STAGE_TABLES` once."""
    names = list(tables_by_future)
    out: dict[str, pd.DataFrame] = {}
    for table in dict.fromkeys(t for tables in tables_by_future.values() for t in tables):
        frames = {name: tables_by_future[name][table] for name in names if table in tables_by_future[name]}
        if table in FIRST_STAGE_TABLES:
            out[table] = next(iter(frames.values()))
            continue
        out[table] = pd.concat([frame.assign(future=name)[["future", *frame.columns]] for name, frame in frames.items()], ignore_index=True)
    return out
