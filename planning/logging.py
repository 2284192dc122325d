"""The ``planning`` logger: one place that decides what goes to the screen and to log files.

Every module logs through ``logging.getLogger("planning")`` (or a child such as
``planning.sweep``). The command line calls :func:`configure` once:

* ``--quiet``   → the screen shows warnings and errors only;
* default       → steps and results (INFO) on the screen, through rich;
* ``--verbose`` → DEBUG as well (and HiGHS' own progress lines, which HiGHS prints itself).

Without a terminal each screen line starts with its time; a running solve logs a heartbeat (elapsed, objective,
bound, gap) every :data:`planning.optimization.solve.HEARTBEAT_S` seconds (``planning.solve``, INFO).

A log file (``configure(log_file=...)`` or :func:`log_to_file`) always receives DEBUG and above,
whatever the screen shows, so a quiet run in a script still leaves a full record. HiGHS writes its
own log to each run's ``solver.log``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOGGER_NAME = "planning"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

logger = logging.getLogger(LOGGER_NAME)


def get_logger(name: str | None = None) -> logging.Logger:
    """The ``planning`` logger, or its child ``planning.<name>``."""
    return logger if not name else logger.getChild(name)


def screen_level(verbose: bool = False, quiet: bool = False) -> int:
    """The screen's level for the CLI flags (quiet wins over verbose)."""
    if quiet:
        return logging.WARNING
    return logging.DEBUG if verbose else logging.INFO


def configure(verbose: bool = False, quiet: bool = False, log_file: Path | None = None, console=None) -> logging.Logger:
    """Set up the ``planning`` logger for a command: rich screen handler + optional file.

    Calling it again replaces the handlers it added before (tests call the CLI many times).
    """
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    for handler in [h for h in logger.handlers if getattr(h, "_planning", False)]:
        logger.removeHandler(handler)
        handler.close()
    from rich.console import Console
    from rich.logging import RichHandler

    console = console if console is not None else Console(stderr=quiet)
    # Without a terminal (a batch job, a pipe) every line carries its time, so a log shows when each step happened.
    screen = RichHandler(console=console, show_path=False, show_time=verbose or not console.is_terminal, markup=False,
                         rich_tracebacks=False, log_time_format="%Y-%m-%dT%H:%M:%S")
    screen.setLevel(screen_level(verbose, quiet))
    screen._planning = True
    logger.addHandler(screen)
    if log_file is not None:
        _add_file(log_file)
    # Dask's own loggers: warnings only unless --verbose; the nanny's "worker process still alive
    # after 4 s, killing" at shutdown is routine (HiGHS threads), so only its errors.
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("distributed.nanny").setLevel(logging.INFO if verbose else logging.ERROR)
    return logger


def _add_file(log_file: Path) -> logging.Handler:
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler._planning = True
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    return handler


@contextmanager
def log_to_file(log_file: Path) -> Iterator[Path]:
    """Also write every ``planning`` record (DEBUG and above) to ``log_file`` while in the block."""
    handler = _add_file(log_file)
    try:
        yield Path(log_file)
    finally:
        logger.removeHandler(handler)
        handler.close()


@contextmanager
def _recorded(names: tuple[str, ...], shown: bool) -> Iterator[list[logging.LogRecord]]:
    """The records of the loggers ``planning.<name>`` while in the block, in the list yielded; ``shown``: still logged."""
    records: list[logging.LogRecord] = []

    def record_it(record: logging.LogRecord) -> bool:
        records.append(record)
        return shown

    loggers = [get_logger(name) for name in names]
    for one in loggers:
        one.addFilter(record_it)
    try:
        yield records
    finally:
        for one in loggers:
            one.removeFilter(record_it)


def held_records(*names: str):
    """Hold back the records of the loggers ``planning.<name>`` while in the block — neither shown nor written — in the
    list yielded, for the caller to log them once (e.g. a warning that every period of a pathway would repeat)."""
    return _recorded(names, shown=False)


def seen_records(*names: str):
    """Note the records of the loggers ``planning.<name>`` while in the block, in the list yielded — still logged as
    usual (e.g. a run's input warnings, so that its twins can leave out the same warnings: :func:`log_unseen`)."""
    return _recorded(names, shown=True)


def log_unseen(held: list[logging.LogRecord], seen: list[logging.LogRecord], key: str) -> None:
    """Log the records ``held`` (:func:`held_records`) of a load that repeats an earlier one — a twin of a run — except
    those already ``seen`` there (:func:`seen_records`; same logger, level and message), each once, prefixed ``key: ``."""
    done = {(record.name, record.levelno, record.getMessage()) for record in seen}
    for record in held:
        identity = (record.name, record.levelno, record.getMessage())
        if identity not in done:
            done.add(identity)
            logging.getLogger(record.name).log(record.levelno, "%s: %s", key, record.getMessage())


def log_once(held: dict[str, list[logging.LogRecord]]) -> None:
    """Log each distinct record held from several loads of one scenario (:func:`held_records`; ``held``: the key of each
    load, e.g. ``futures.<name>`` or ``pathway.periods.<Y>``, → its records) once, in the order first held: as it is when
    every load gave it, else prefixed by the keys of the loads that did (``futures.a, futures.c: <message>``)."""
    given: dict[tuple[str, int, str], list[str]] = {}
    for key, records in held.items():
        for record in records:
            keys = given.setdefault((record.name, record.levelno, record.getMessage()), [])
            keys += [key] if key not in keys else []
    for (name, level, message), keys in given.items():
        logging.getLogger(name).log(level, "%s", message if len(keys) == len(held) else f"{', '.join(keys)}: {message}")
