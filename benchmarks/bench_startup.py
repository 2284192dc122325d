"""Start-up time of the command line (issue 12): `planning --help` and `planning validate` on the full year.

    python benchmarks/bench_startup.py [--repeats 5] [--out benchmarks/results/startup.csv]

Each case runs as a fresh subprocess (what a user waits for), ``--repeats`` times; the median wall and CPU
(user + system of the child) are reported, with the machine's load average (os.getloadavg) before and after,
since a shared 2-core machine can double wall times. Goals: ``--help`` ≤ 1 s, ``validate`` (full year) ≤ 3 s.

The import breakdown (``python -X importtime -c "import planning.cli"``, cumulative µs of the top-level
packages) and the heavy libraries each case ends up importing are written next to the CSV
(``startup_imports.csv``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "matplotlib", "dask", "pyomo", "scipy", "highspy", "pandas", "xarray", "pydantic", "typer", "rich")
PROBE = ("import sys, json, runpy\nsys.argv = ['planning', *{args!r}]\n"
         "try:\n    from planning.cli import app\n    app()\nexcept SystemExit:\n    pass\n"
         "print('@@' + json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)")
CASES = {
    "planning --help": ["--help"],
    "planning validate scenarios/isone_2030.yaml": ["validate", "scenarios/isone_2030.yaml"],
}


def timed(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, completed


BREAKDOWNS = {
    "import planning.cli": "import planning.cli",
    "validate's imports": "import planning.cli, planning.io.inputs, planning.preflight, planning.metrics.carbon",
}


def import_breakdown() -> pd.DataFrame:
    """Cumulative import time (ms) of each top-level package the first time it is imported, per probe
    (``python -X importtime``; nested packages are included in their importer's figure as well)."""
    rows = []
    for probe, code in BREAKDOWNS.items():
        completed = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
        total = 0.0
        for line in completed.stderr.splitlines():
            if not line.startswith("import time:") or line.count("|") != 2 or "cumulative" in line:
                continue
            _, cumulative, name = line.split("|")
            depth = len(name) - len(name.lstrip())
            name = name.strip()
            if depth == 1:
                total += float(cumulative) / 1000
            ours = name.startswith("planning.") and name.count(".") == 1
            if ours or ("." not in name and not name.startswith("_") and name not in ("encodings", "site", "zipimport", "io", "abc", "codecs")):
                rows.append({"probe": probe, "package": name, "import_ms": float(cumulative) / 1000})
        rows.append({"probe": probe, "package": "(total)", "import_ms": total})
    frame = pd.DataFrame(rows)
    return frame.sort_values(["probe", "import_ms"], ascending=[True, False]).groupby("probe").head(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "startup.csv")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    rows = []
    for case, argv in CASES.items():
        walls, cpus, heavy = [], [], []
        for _ in range(args.repeats):
            wall, cpu, completed = timed([sys.executable, "-c", PROBE.format(args=argv, heavy=HEAVY)])
            if "@@" not in completed.stderr:
                raise SystemExit(f"{case} failed:\n{completed.stderr}")
            walls.append(wall)
            cpus.append(cpu)
            heavy = json.loads(completed.stderr.rsplit("@@", 1)[1].strip())
        rows.append({"case": case, "median_wall_s": statistics.median(walls), "min_wall_s": min(walls),
                     "median_cpu_s": statistics.median(cpus), "repeats": args.repeats, "imports": " ".join(heavy)})
    load_after = os.getloadavg()
    frame = pd.DataFrame(rows)
    frame["load_1min_before"], frame["load_1min_after"] = load_before[0], load_after[0]
    frame["cores"] = os.cpu_count()
    frame["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    frame.to_csv(args.out, index=False, float_format="%.3f")
    breakdown = import_breakdown()
    breakdown.to_csv(args.out.with_name("startup_imports.csv"), index=False, float_format="%.1f")
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(frame.to_string(index=False))
        print(f"\nload average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} on {os.cpu_count()} cores")
        print("\nimport time by top-level package (ms, cumulative, first import):")
        print(breakdown.to_string(index=False))


if __name__ == "__main__":
    main()
