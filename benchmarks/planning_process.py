"""Run ``python -m planning COMMAND`` in a fresh process and measure it (shared by the bench scripts).

A fresh process per command is what a user pays (imports included); CPU time is the child's
user + system time, and the 1-minute load average is recorded before and after, so figures taken on
a shared machine can be read with their load.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_planning(command: list[str], accept: tuple[int, ...] = (0,)) -> dict:
    """Wall time (s), CPU time (s), load before/after and exit code of one ``planning`` command.

    An exit code outside ``accept`` stops the benchmark with the command's output (e.g. ``accept=(0, 5)``
    for a stress run that may shed load, which ``--strict``-style exit 5 reports).
    """
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "planning", *command], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode not in accept:
        raise SystemExit(f"planning {' '.join(command)} failed (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "load_before": load_before, "load_after": os.getloadavg()[0], "exit_code": completed.returncode}
