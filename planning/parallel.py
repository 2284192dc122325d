"""One executor for the independent pieces of a model: serially, on a local Dask cluster, or on many machines.

The pieces of one model that do not depend on each other — decomposed commitment windows
(:mod:`planning.optimization.decomposition`), the runs of a sweep (:mod:`planning.workflows.sweep`),
the re-solves of stochastic futures — are *tasks*: a module-level function and its arguments.
:class:`Executor` runs a list of tasks in one of three places, chosen by ``scheduler``:

* ``None`` (default) — a :class:`distributed.LocalCluster` of ``workers`` worker processes with one
  thread each (HiGHS and Pyomo hold the GIL), started at the first task and closed when the
  ``with`` block ends. Called from inside a Dask task (a sweep run on a worker), ``None`` means the
  cluster that runs that task: the tasks are submitted to it through
  :func:`distributed.worker_client` (the calling task secedes while it waits);
* ``"tcp://host:8786"`` — a running Dask scheduler (``dask scheduler`` on one machine,
  ``dask worker tcp://host:8786 --nthreads 1`` on each of the others; every worker needs this
  package installed, and the files a task reads at the same path);
* ``"synchronous"`` — no Dask: the tasks run one after the other in this process, in their order
  (a task that runs tasks itself runs them here too).
  This is the serial fallback: the same function on the same arguments, so the results are
  identical (HiGHS is deterministic for the same model, options and thread count).

API
---
::

    from planning.parallel import Executor, current

    with Executor(scheduler=None, workers=2) as executor:
        results = executor.map(solve_piece, pieces)              # [solve_piece(p) for p in pieces], in order
        results = executor.map(solve_piece, pieces, common={"inputs": dataset})   # solve_piece(p, inputs=dataset)
        for index, result in executor.as_completed(solve_piece, pieces):        # as they finish
            ...

* ``map(function, items, common=None)`` → list of ``function(item, **common)`` in the order of
  ``items``; the first exception a task raises is raised here (the other tasks are cancelled).
  ``common`` values are sent to the cluster once (``Client.scatter``), not once per task: put a
  large shared object (an inputs Dataset, a compiled matrix) there.
* ``as_completed(function, items, common=None, keys=None, errors="raise")`` → iterator of
  ``(index, result)`` in completion order (serially: in order). ``errors="return"`` yields a
  task's exception (or the loss of its worker) as its result instead of raising. ``keys``: Dask
  task names (default ``planning-<function name>-<index>-<unique>``).
* ``executor.serial`` — True when the tasks run in this process; ``executor.workers`` — the number
  of workers the tasks are spread over (1 when serial; counted when the cluster has started).
* :func:`current` — the executor of the innermost ``with Executor(...)`` block in this process, or
  None. Code that may run tasks (the decomposition, stochastic re-solves) asks for it with
  :func:`executor_for`, so that one ``planning run --scheduler ... --workers ...`` (or a sweep) decides
  where *every* piece runs; without one, that code opens its own executor from its settings.

Tasks: a function defined at module level (Dask pickles it by reference; the workers import it),
arguments and results that pickle (numpy arrays, dataclasses, xarray objects — not Pyomo models,
not highspy objects), and no reliance on this process' state (globals, open files, the Pyomo
model): the task gets everything it needs through its arguments. A task that writes files writes
to a path it is given (on a cluster of several machines: a shared file system).

Why Dask distributed and not :mod:`concurrent.futures`: the same code then runs on one machine
and on many (DESIGN.md §7), and ``planning sweep`` already uses it.
"""

from __future__ import annotations

import contextvars
import time
from typing import Any, Callable, Iterator, Literal, Sequence

from planning.logging import get_logger

log = get_logger("parallel")

SYNCHRONOUS = "synchronous"
_CURRENT: contextvars.ContextVar["Executor | None"] = contextvars.ContextVar("planning_executor", default=None)


def current() -> "Executor | None":
    """The executor of the innermost ``with Executor(...)`` block in this process (None outside one)."""
    return _CURRENT.get()


def executor_for(workers: int = 1, scheduler: str | None = None) -> "Executor":
    """The executor a piece of code should use: :func:`current` if one is open, else a new one.

    A new one is serial when ``workers`` is 1 and ``scheduler`` is None (no cluster for one worker),
    else ``Executor(scheduler, workers)``. Use it as a context manager either way (entering the
    current executor again neither starts nor closes anything).
    """
    active = current()
    if active is not None:
        return active
    if scheduler is None and workers <= 1 and not _on_dask_worker():
        return Executor(SYNCHRONOUS)
    return Executor(scheduler, workers)


def _on_dask_worker() -> bool:
    try:
        from distributed import get_worker

        get_worker()
        return True
    except (ImportError, ValueError):
        return False


class Executor:
    """Runs tasks serially, on a LocalCluster, or on a running Dask scheduler (see the module docstring).

    Parameters
    ----------
    scheduler
        None (a LocalCluster of ``workers`` processes; inside a Dask task, the cluster running it),
        a scheduler address ``tcp://host:port``, or ``"synchronous"`` (this process, in order).
    workers
        Worker processes of the LocalCluster (one thread each); ignored otherwise.
    """

    def __init__(self, scheduler: str | None = None, workers: int = 2) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1 (got {workers})")
        self.scheduler = scheduler
        self.n_local_workers = int(workers)
        self._client = None
        self._cluster = None
        self._worker_client = None
        self._depth = 0
        self._tokens: list = []

    # ---------------------------------------------------------------- lifecycle ---

    def __enter__(self) -> "Executor":
        self._depth += 1
        self._tokens.append(_CURRENT.set(self))
        return self

    def __exit__(self, *exc) -> None:
        _CURRENT.reset(self._tokens.pop())
        self._depth -= 1
        if self._depth == 0:
            self.close()

    def close(self) -> None:
        """Close the client and the cluster this executor started (a connected scheduler keeps running)."""
        if self._worker_client is not None:
            self._worker_client.__exit__(None, None, None)
        elif self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = self._worker_client = None

    @property
    def serial(self) -> bool:
        return self.scheduler == SYNCHRONOUS

    @property
    def workers(self) -> int:
        """Workers the tasks are spread over: 1 when serial; the cluster's count once it has started."""
        if self.serial:
            return 1
        if self._client is None:
            return self.n_local_workers if self.scheduler is None else 1
        return max(1, len(self._client.scheduler_info(n_workers=-1).get("workers", {})))

    def describe(self) -> str:
        if self.serial:
            return "in this process (synchronous)"
        if self._worker_client is not None:
            return "on the Dask cluster running this task"
        if self.scheduler:
            return f"on the Dask scheduler at {self.scheduler}"
        return f"on a local Dask cluster of {self.n_local_workers} worker process(es)"

    def client(self):
        """The Dask client (starting the LocalCluster or connecting on first use); None when serial."""
        if self.serial:
            return None
        if self._client is not None:
            return self._client
        from distributed import Client, LocalCluster

        if self.scheduler:
            log.info("connecting to the Dask scheduler at %s", self.scheduler)
            self._client = Client(self.scheduler, timeout="30s")
            try:
                self._client.wait_for_workers(1, timeout=5)
            except TimeoutError:
                log.warning("no worker is connected to the scheduler at %s after 5 s; the tasks wait for one "
                            "(start one with `dask worker %s --nthreads 1`)", self.scheduler, self.scheduler)
        elif _on_dask_worker():
            from distributed import worker_client

            log.debug("submitting to the Dask cluster that runs this task")
            self._worker_client = worker_client()
            self._client = self._worker_client.__enter__()
        else:
            tic = time.perf_counter()
            self._cluster = LocalCluster(n_workers=self.n_local_workers, threads_per_worker=1, processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
            log.info("started a local Dask cluster: %d worker process(es), 1 thread each (%.1f s)", self.n_local_workers,
                     time.perf_counter() - tic)
        return self._client

    # -------------------------------------------------------------------- tasks ---

    def map(self, function: Callable[..., Any], items: Sequence[Any], common: dict[str, Any] | None = None) -> list[Any]:
        """``[function(item, **common) for item in items]``, the tasks spread over the workers; results in order."""
        results: list[Any] = [None] * len(items)
        for index, result in self.as_completed(function, items, common=common):
            results[index] = result
        return results

    def as_completed(self, function: Callable[..., Any], items: Sequence[Any], common: dict[str, Any] | None = None,
                     keys: Sequence[str] | None = None, errors: Literal["raise", "return"] = "raise") -> Iterator[tuple[int, Any]]:
        """Yield ``(index, function(items[index], **common))`` as the tasks finish (serially: in order).

        ``errors="return"``: a task's exception (or a lost worker's) is yielded as its result.
        """
        items = list(items)
        common = dict(common or {})
        if self.serial:
            for index, item in enumerate(items):
                token = _CURRENT.set(self)   # a task that runs tasks runs them here too, as on a worker it would on the cluster
                try:
                    result = function(item, **common)
                except Exception as error:  # noqa: BLE001 - returned on request, else raised
                    if errors == "raise":
                        raise
                    result = error
                finally:
                    _CURRENT.reset(token)
                yield index, result
            return
        from distributed import as_completed

        client = self.client()
        if common:
            common = {name: client.scatter(value, broadcast=True) for name, value in common.items()}
        stamp = time.time_ns()
        name = getattr(function, "__name__", "task")
        keys = list(keys) if keys is not None else [f"planning-{name}-{index}-{stamp}" for index in range(len(items))]
        futures = {client.submit(function, item, key=key, pure=False, **common): index
                   for index, (item, key) in enumerate(zip(items, keys))}
        try:
            for future in as_completed(futures):
                index = futures[future]
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a task's error, or a lost worker
                    if errors == "raise":
                        raise
                    result = error
                yield index, result
        finally:
            for future in futures:
                if not future.done():
                    future.cancel()
