"""``planning sweep``: many runs of one scenario, on Dask distributed.

A sweep file (:mod:`planning.config.sweep`) names a base scenario and the overrides of each run.
Every run is one task: load the scenario with the run's overrides, solve it and write its own
results folder with :func:`planning.workflows.run.run_scenario` (atomically, as ``planning run``
does). The sweep folder holds::

    <out>/sweep.csv           one row per run (see SWEEP_COLUMNS), rewritten as runs finish
    <out>/sweep.log           what happened, run by run (the ``planning`` logger, DEBUG)
    <out>/sweep.yaml          a copy of the sweep file
    <out>/runs/<run name>/    each run's results folder (summary.csv, capacity.csv, ...)

Where the runs execute
----------------------
Each run is a task of :class:`planning.parallel.Executor` (the executor the decomposition uses
too; a decomposed run on a worker submits its commitment windows to the same cluster). Chosen by
``--scheduler``/``--workers``, else the sweep file's ``cluster:`` section:

* default: a :class:`distributed.LocalCluster` started for the sweep — worker *processes*
  (``n_workers``, default 2), one thread each, since HiGHS and Pyomo hold the GIL;
* ``scheduler="tcp://host:8786"``: a running Dask scheduler (see the README: ``dask scheduler``
  on one machine, ``dask worker tcp://host:8786 --nthreads 1`` on each of the others). Every
  worker needs this package installed and must see the scenario, its data and the output folder
  at the same paths (a shared file system, or the same checkout and a shared output folder);
* ``scheduler="synchronous"``: one run after the other in this process, without Dask (for
  debugging: tracebacks with ``planning --debug``).

Failures and resuming
---------------------
A run that is infeasible, invalid or raises is recorded in sweep.csv (status, error) and
leaves no folder; the other runs go on. A run whose folder already holds summary.csv and whose
``scenario.resolved.yaml`` agrees with the scenario the sweep would run now is *finished*:
re-running the sweep skips it (``resumed = True`` in sweep.csv) and reads its row from the
folder. Failed runs and runs whose scenario changed (base file, ``set:``) are run again; settings
that only one side has (defaults added by a newer version of the package) are not compared.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from planning.config.sweep import Run, Sweep
from planning.errors import PlanningError, SolveError
from planning.logging import get_logger, log_to_file

log = get_logger("sweep")

#: Columns of sweep.csv in order; the run's override columns (full key paths) follow ``status``,
#: and ``new_<technology>_mw``, ``datacenter_*`` and ``saving_vs_inflexible_<twin>`` columns are
#: inserted before ``wall_s`` as the runs provide them. Costs are in the scenario's currency per
#: year, CO2 in t/year, energies in MWh/year (the units of summary.csv).
LEADING = ["run", "status"]
METRICS = ["solver_status", "total_cost", "investment_cost", "operating_cost", "co2_t", "unserved_energy_mwh",
           "curtailment_mwh", "demand_weighted_price_per_mwh", "mip_gap"]
TRAILING = ["wall_s", "attempts", "worker", "resumed", "results_dir", "error"]

STATUSES = ("solved", "infeasible", "no solution", "invalid", "failed", "pending")


@dataclass
class SweepOutcome:
    """What a sweep produced."""

    sweep: Sweep
    out_dir: Path
    table: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def csv(self) -> Path:
        return self.out_dir / "sweep.csv"

    @property
    def failed(self) -> int:
        return int((~self.table["status"].isin(["solved"])).sum())


# ------------------------------------------------------------------------------- one run ---

def run_folder(out_dir: Path, run: Run) -> Path:
    return Path(out_dir) / "runs" / run.name


def execute_run(scenario_file: str, overrides: list[str], out_dir: str, twins: bool = False, verbose: bool = False) -> dict[str, Any]:
    """Load, solve and write one run; never raises. Runs on a Dask worker.

    Returns ``{"status", "error", "wall_s"}`` plus the metrics of :func:`folder_metrics` when solved.
    """
    start = time.perf_counter()
    worker, marker = _worker_name(), Path(out_dir).parent / f".{Path(out_dir).name}.attempts"
    try:
        # Dask re-runs a task whose worker was lost: each attempt leaves a line here, so the retry shows in sweep.csv.
        marker.parent.mkdir(parents=True, exist_ok=True)
        with marker.open("a", encoding="utf-8") as lines:
            lines.write(f"{worker}\n")
        previous = marker.read_text(encoding="utf-8").splitlines()[:-1]
    except OSError:
        previous = []
    attempt = {"attempts": len(previous) + 1, "worker": worker, "lost_workers": ", ".join(previous)}
    try:
        from planning.config import load_scenario
        from planning.workflows.run import run_scenario

        scenario = load_scenario(scenario_file, overrides)
        run_scenario(scenario, Path(out_dir), scenario_file=Path(scenario_file), verbose=verbose, twins=twins)
    except SolveError as error:
        text = f"{error.title}: " + "; ".join(error.problems)
        status = "infeasible" if "infeasible" in text.lower() else "no solution"
        return {"status": status, "error": text, "wall_s": time.perf_counter() - start, **attempt}
    except PlanningError as error:
        return {"status": "invalid", "error": f"{error.title}: " + "; ".join(error.problems), "wall_s": time.perf_counter() - start, **attempt}
    except Exception as error:  # noqa: BLE001 - one failing run must not stop the sweep
        last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
        where = f" (at {Path(last[0].filename).name}:{last[0].lineno})" if last else ""
        return {"status": "failed", "error": f"{type(error).__name__}: {error}{where}", "wall_s": time.perf_counter() - start, **attempt}
    finally:
        marker.unlink(missing_ok=True)
    row = {"status": "solved", "error": "", **folder_metrics(Path(out_dir)), **attempt}
    row["wall_s"] = time.perf_counter() - start
    return row


def _worker_name() -> str:
    """The Dask worker's address, or host:pid outside a worker (``--scheduler synchronous``)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        import socket

        return f"{socket.gethostname()}:{os.getpid()}"


def folder_metrics(folder: Path) -> dict[str, Any]:
    """The sweep.csv metrics of one results folder (summary, capacity, value of flexibility)."""
    folder = Path(folder)
    row: dict[str, Any] = {}
    summary = pd.read_csv(folder / "summary.csv").set_index("metric")["value"]
    for name in METRICS:
        if name in summary.index:
            row[name] = _number(summary[name]) if name != "solver_status" else summary[name]   # an older folder's text row
    record = folder / "run.json"
    if record.is_file():   # the solver status is text: run.json's summary_facts, not summary.csv
        facts = json.loads(record.read_text(encoding="utf-8")).get("summary_facts", {})
        if "solver_status" in facts:
            row["solver_status"] = facts["solver_status"]
    capacity_path = folder / "capacity.csv"
    if capacity_path.exists():
        capacity = pd.read_csv(capacity_path)
        for technology, new_mw in capacity.groupby("technology", sort=False)["new_mw"].sum().items():
            row[f"new_{technology}_mw"] = float(new_mw)
    if (folder / "transmission.csv").exists():
        row["new_transmission_mw"] = float(pd.read_csv(folder / "transmission.csv")["new_mw"].sum())
    for name, value in summary.items():
        if str(name).startswith("datacenter_"):
            number = _number(value)
            if isinstance(number, float):
                row[str(name)] = number
    twins = folder / "value_of_flexibility.csv"
    if twins.exists():
        frame = pd.read_csv(twins).set_index("twin")
        for twin in frame.index:
            if twin != "inflexible" and "saving_vs_inflexible" in frame:
                row[f"saving_vs_inflexible_{twin}"] = float(frame.loc[twin, "saving_vs_inflexible"])
    record = folder / "run.json"
    if record.exists():
        row["wall_s"] = json.loads(record.read_text(encoding="utf-8")).get("wall_s", np.nan)
    return row


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


# --------------------------------------------------------------------------------- sweep ---

def is_finished(folder: Path, resolved_yaml: str | None) -> bool:
    """A folder with summary.csv whose resolved scenario is the one the sweep would run now.

    The two resolved scenarios are compared key by key where both have the key: a section or
    setting that only one of them has (a default added by a newer version of this package) does
    not make a finished run stale; a value that differs does.
    """
    if not (folder / "summary.csv").is_file():
        return False
    if resolved_yaml is None:
        return True
    written = folder / "scenario.resolved.yaml"
    if not written.is_file():
        return False
    import yaml

    return _same_where_both(yaml.safe_load(written.read_text(encoding="utf-8")), yaml.safe_load(resolved_yaml))


def _same_where_both(old: Any, new: Any) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        return all(_same_where_both(old[key], new[key]) for key in old.keys() & new.keys())
    return old == new


def run_sweep(sweep: Sweep, out_dir: Path | None = None, scheduler: str | None = None, workers: int | None = None,
              progress: Callable[[dict, dict], None] | None = None, verbose: bool = False) -> SweepOutcome:
    """Run every run of ``sweep`` that is not finished yet and write sweep.csv.

    Parameters
    ----------
    out_dir
        Sweep folder (default ``results/sweeps/<sweep name>``).
    scheduler, workers
        Where the runs execute (:class:`planning.parallel.Executor`): ``None`` for a LocalCluster of
        ``workers`` processes, a scheduler address (``tcp://host:8786``) for a running cluster, or
        ``"synchronous"`` for this process. None = the sweep file's ``cluster:`` (default: a
        LocalCluster of 2 workers).
    progress
        Called after each run with the run's row and the counts so far
        (``total, done, failed, skipped``).
    """
    from planning.config import load_scenario
    from planning.workflows.run import resolved_scenario_yaml

    scheduler = scheduler if scheduler is not None else sweep.cluster.scheduler
    workers = workers if workers is not None else sweep.cluster.workers
    out_dir = Path(out_dir if out_dir is not None else Path("results") / "sweeps" / sweep.name).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if sweep.source.resolve() != (out_dir / "sweep.yaml").resolve():
        shutil.copy2(sweep.source, out_dir / "sweep.yaml")
    rows: dict[str, dict[str, Any]] = {run.name: {"run": run.name, "status": "pending", **run.overrides} for run in sweep.runs}
    counts = {"total": len(sweep.runs), "done": 0, "failed": 0, "skipped": 0}
    progress = progress or (lambda row, counts: None)

    with log_to_file(out_dir / "sweep.log"):
        log.info("sweep '%s': %d run(s) of %s → %s", sweep.name, len(sweep.runs), sweep.scenario, out_dir)
        todo: list[tuple[Run, Path]] = []
        for run in sweep.runs:
            folder = run_folder(out_dir, run)
            overrides = [*sweep.common_strings(), *run.set_strings()]
            try:
                resolved = resolved_scenario_yaml(load_scenario(sweep.scenario, overrides))
            except PlanningError as error:
                rows[run.name].update(status="invalid", error=f"{error.title}: " + "; ".join(error.problems))
                _finish(rows[run.name], counts, progress, out_dir, log)
                continue
            if is_finished(folder, resolved):
                rows[run.name].update(status="solved", resumed=True, error="", **folder_metrics(folder))
                counts["skipped"] += 1
                log.info("run %s: finished before, skipped", run.name)
                _finish(rows[run.name], counts, progress, out_dir, log, count=False)
                continue
            if (folder / "summary.csv").is_file():
                log.warning("run %s: its scenario changed since %s was written; running it again", run.name, folder)
            todo.append((run, folder))
        _write_table(out_dir, sweep, rows)
        if todo:
            _execute(sweep, todo, rows, counts, progress, out_dir, scheduler, workers, verbose)
        table = _write_table(out_dir, sweep, rows)
        log.info("sweep '%s' done: %d solved (%d resumed), %d failed; %s", sweep.name, int((table["status"] == "solved").sum()),
                 counts["skipped"], counts["failed"], out_dir / "sweep.csv")
    return SweepOutcome(sweep=sweep, out_dir=out_dir, table=table, counts=counts)


def _execute(sweep: Sweep, todo: list[tuple[Run, Path]], rows: dict, counts: dict, progress, out_dir: Path,
             scheduler: str | None, workers: int, verbose: bool) -> None:
    arguments = {run.name: (str(sweep.scenario), [*sweep.common_strings(), *run.set_strings()], str(folder), sweep.twins, verbose)
                 for run, folder in todo}
    from planning.parallel import Executor

    names = [run.name for run, _ in todo]
    keys = [f"planning-run-{sweep.name}-{name}-{time.time_ns()}" for name in names]
    with Executor(scheduler, workers) as executor:
        log.info("running %d run(s) %s", len(todo), executor.describe())
        for index, result in executor.as_completed(_execute_task, [arguments[name] for name in names], keys=keys, errors="return"):
            name = names[index]
            if isinstance(result, BaseException):   # a lost worker or an unpicklable result (execute_run itself never raises)
                result = {"status": "failed", "error": f"{type(result).__name__}: {result}", "wall_s": np.nan}
            lost = result.pop("lost_workers", "")
            rows[name].update(resumed=False, **result)
            if result.get("attempts", 1) > 1:
                log.warning("run %s: attempt %d on %s (a worker was lost before: %s)", name, result["attempts"], result.get("worker", "?"),
                            lost or "?")
            _finish(rows[name], counts, progress, out_dir, log, sweep=sweep, rows=rows)


def _execute_task(arguments: tuple) -> dict[str, Any]:
    """One run as a task of :class:`planning.parallel.Executor`: ``execute_run(*arguments)``."""
    return execute_run(*arguments)


def _finish(row: dict, counts: dict, progress, out_dir: Path, logger, count: bool = True, sweep: Sweep | None = None,
            rows: dict | None = None) -> None:
    if count:
        counts["done"] += 1
        if row["status"] != "solved":
            counts["failed"] += 1
    if row["status"] == "solved":
        if count:
            logger.info("run %s: solved in %.1f s, total cost %.6g, CO2 %.6g t", row["run"], row.get("wall_s", np.nan),
                        row.get("total_cost", np.nan), row.get("co2_t", np.nan))
    else:
        logger.warning("run %s: %s — %s", row["run"], row["status"], row.get("error", ""))
    if sweep is not None and rows is not None:
        _write_table(out_dir, sweep, rows)
    progress(row, dict(counts))


def sweep_table(sweep: Sweep, rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """sweep.csv as a frame: fixed leading/trailing columns, the runs' metrics between."""
    frame = pd.DataFrame([rows[run.name] for run in sweep.runs])
    for key in sweep.keys:
        if key in frame:
            frame[key] = frame[key].map(lambda v: json.dumps(v) if isinstance(v, (list, dict)) else v)
    middle = [c for c in frame.columns if c not in (*LEADING, *sweep.keys, *METRICS, *TRAILING)]
    new_capacity = [c for c in middle if c.startswith("new_")]
    rest = [c for c in middle if c not in new_capacity]
    columns = [*LEADING, *sweep.keys, *METRICS, *new_capacity, *rest, *TRAILING]
    frame = frame.reindex(columns=columns)
    frame["resumed"] = frame["resumed"].fillna(False).astype(bool)
    frame["error"] = frame["error"].fillna("")
    frame["results_dir"] = [f"runs/{name}" if status == "solved" else "" for name, status in zip(frame["run"], frame["status"])]
    return frame


def _write_table(out_dir: Path, sweep: Sweep, rows: dict) -> pd.DataFrame:
    frame = sweep_table(sweep, rows)
    partial = out_dir / ".sweep.csv.partial"
    frame.to_csv(partial, index=False)
    os.replace(partial, out_dir / "sweep.csv")
    return frame


def sweep_exit_problems(outcome: SweepOutcome) -> list[str]:
    """One line per run that did not solve (for the CLI)."""
    failed = outcome.table[outcome.table["status"] != "solved"]
    return [f"run {row.run}: {row.status} — {row.error}" for row in failed.itertuples()]


class SweepFailures(PlanningError):
    """Some runs of a sweep did not solve (the others did; sweep.csv has them all)."""

    exit_code = 4
