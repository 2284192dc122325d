"""The README's full-year figure: ``planning run scenarios/isone_2030.yaml`` end to end (run by hand).

    python benchmarks/bench_full_year.py [--repeats 3] [--scenario scenarios/isone_2030.yaml] [--out benchmarks/results/full_year.csv]

Each repeat is a fresh ``python -m planning run SCENARIO --out <results>/full_year_run -q --force`` (what a user
waits for: imports, inputs, build, translation, HiGHS, results, metrics and every output file), measured by
:func:`planning_process.run_planning`: wall time, the child's CPU time (user + system) and the 1-minute load
average before and after. Prints each run and the medians; writes one row per run and a median row.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

from planning_process import ROOT, run_planning


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="scenarios/isone_2030.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "full_year.csv")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    folder = args.out.parent / "full_year_run"
    runs = []
    for repeat in range(args.repeats):
        timing = run_planning(["run", args.scenario, "--out", str(folder), "-q", "--force"])
        runs.append({"scenario": args.scenario, "repeat": repeat, **timing})
        print(f"#{repeat} planning run {args.scenario}: {timing['wall_s']:.1f} s wall, {timing['cpu_s']:.1f} s CPU, "
              f"load {timing['load_before']:.1f} -> {timing['load_after']:.1f}", flush=True)
    median = {"scenario": args.scenario, "repeat": "median", **{k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s")},
              "load_before": min(r["load_before"] for r in runs), "load_after": max(r["load_after"] for r in runs), "exit_code": 0}
    print(f"median of {len(runs)}: {median['wall_s']:.1f} s wall, {median['cpu_s']:.1f} s CPU "
          f"(1-min load {median['load_before']:.1f}–{median['load_after']:.1f})")
    with args.out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(median))
        writer.writeheader()
        writer.writerows([*runs, median])
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
