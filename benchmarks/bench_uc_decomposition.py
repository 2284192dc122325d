"""Decomposed clustered-UC expansion on the full year vs the monolithic MILP (run by hand).

    python benchmarks/bench_uc_decomposition.py [--cases linear representative linear-milp]
        [--hours 8760] [--threads 2] [--window 168] [--overlap 24] [--bound-time-limit 300]
        [--windows rolling|parallel|chains] [--workers 2] [--chains 2] [--option solver.time_limit_s=3600]

Same units and scenario as bench_uc.py (scenarios/isone_2030.yaml, CCGT 500 MW / OCGT 100 MW
units, integer build). Cases (``unit_commitment.strategy: decomposed``):

* ``linear`` — investments and lower bound from the full-year linear-UC LP;
* ``representative`` — investments from the integer-UC MILP on 12 representative days, lower
  bound from the full-year linear-UC LP solved in a second process at the same time;
* ``linear-milp`` / ``representative-milp`` — as above, then the monolithic MILP warm-started
  with the decomposed solution for --bound-time-limit s (its dual bound tightens the LB).

``--windows parallel`` solves the commitment windows in passes on a LocalCluster of ``--workers``
processes (planning.parallel); ``--windows chains`` rolls ``--chains`` parts of the year at once in threads
of this process and joins them at the seams. Besides wall time, the CPU seconds of this process (``cpu_s``) and of
its finished child processes (``children_cpu_s``: the Dask workers, the bound process) are recorded:
on a loaded shared machine they are steadier than wall time.

The gap is certified only when the run ends, so the time to a 0.5 % (0.1 %) gap is the wall
time of a run whose final gap is at most that. The 1-, 5- and 15-minute load averages of the
machine (shared) are recorded before and after each case. Writes
benchmarks/results/bench_uc_decomposition.csv and the logs next to it.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import pandas as pd

from planning.config import load_scenario
from planning.workflows.run import solve_scenario

ROOT = Path(__file__).resolve().parents[1]
from bench_uc import UNITS  # noqa: E402  (the same unit data as the monolithic benchmark)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", nargs="+", default=["linear", "representative"])
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--start-hour", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--window", type=int, default=168)
    parser.add_argument("--overlap", type=int, default=24)
    parser.add_argument("--window-gap", type=float, default=1e-3)   # the scenario default (unit_commitment.decomposition.window_mip_gap)
    parser.add_argument("--bound-time-limit", type=float, default=300.0)
    parser.add_argument("--option", action="append", default=[], help="extra scenario override, e.g. solver.method=ipm")
    parser.add_argument("--tag", default="", help="suffix of the output file names")
    parser.add_argument("--windows", choices=["rolling", "parallel", "chains"], default="chains")
    parser.add_argument("--chains", type=int, default=2, help="parts of the year rolled at once in threads (--windows chains)")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes of --windows parallel")
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in args.cases:
        investments, _, bound = case.partition("-")
        overrides = [
            *UNITS, f"horizon.hours={args.hours}", f"horizon.start_hour={args.start_hour}", f"solver.threads={args.threads}",
            "solver.mip_gap=0.001", "unit_commitment.mode=integer", "unit_commitment.strategy=decomposed",
            f"unit_commitment.decomposition.investments={investments}",
            f"unit_commitment.decomposition.lower_bound={bound or 'linear'}",
            f"unit_commitment.decomposition.window_hours={args.window}",
            f"unit_commitment.decomposition.overlap_hours={args.overlap}",
            f"unit_commitment.decomposition.window_mip_gap={args.window_gap}",
            f"unit_commitment.decomposition.bound_time_limit_s={args.bound_time_limit}",
            f"unit_commitment.decomposition.windows={args.windows}", f"unit_commitment.decomposition.workers={args.workers}",
            f"unit_commitment.decomposition.chains={args.chains}",
            *args.option,
        ]
        scenario = load_scenario(ROOT / "scenarios" / "isone_2030.yaml", overrides)
        log = out / f"bench_uc_decomposition_{case}{args.tag}.log"
        before = load()
        start, cpu = time.perf_counter(), time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        results, solved, timings = solve_scenario(scenario, log_file=log)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        children_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        attrs = results.attrs
        gap = float(attrs["certified_gap"])
        row = {"case": case, "window_mode": args.windows, "window_gap": args.window_gap, "workers": args.workers, "hours": args.hours, "cpu_s": round(cpu, 1),
               "children_cpu_s": round(children_cpu, 1), "upper_bound": attrs["upper_bound"], "lower_bound": attrs["lower_bound"],
               "gap": gap, "wall_s": wall, "t_gap_0.5pct_s": wall if gap <= 0.005 else float("nan"),
               "t_gap_0.1pct_s": wall if gap <= 0.001 else float("nan"), "solution_from": attrs["solution_from"],
               "lower_bound_from": attrs["lower_bound_from"], "stitched_cost": attrs["stitched_cost"], "windows": attrs["windows"],
               "load_before": before, "load_after": load(), **{k: round(v, 2) for k, v in timings.items()}}
        for name, value in zip(results["plant_technology"].values, results["total_mw"].values):
            row[f"{name}_mw"] = float(value)
        if "energy_mwh" in results:
            row["battery_mwh"] = float(results["energy_mwh"].sum())
        row["unserved_mwh"] = float((results["unserved_mw"] * results["weight_h"]).sum()) if "unserved_mw" in results else 0.0
        rows.append(row)
        print(row, flush=True)
        frame = pd.DataFrame(rows)
        frame.to_csv(out / f"bench_uc_decomposition{args.tag}.csv", index=False)
    print(pd.DataFrame(rows).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
