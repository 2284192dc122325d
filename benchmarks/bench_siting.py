"""Where 5 GW of AI compute goes on the 9-zone Eastern Interconnection, and the value of spatial vs temporal flexibility.

Solves ``scenarios/eastern_us_siting.yaml`` as its four flexibility twins — none, temporal (contracted
deferrable capacity), spatial (workload shifting), both — each a fresh ``planning run`` process with the twin's
``--set`` keys, the four **in parallel** (they are independent; ``planning run --site-twins`` solves the same four
one after the other in one process), then builds the twins' tables with the same code as ``--site-twins``
(:func:`planning.workflows.spatial_twins.compare_site_twins`, from each run's results.nc and summary.csv):

* ``<out>_sites.csv`` — the sites built in the ``both`` twin (datacenter_sites.csv);
* ``<out>.csv`` — the twins (value_of_spatial_flexibility.csv) with the wall and CPU time of the four processes and the
  1-minute load average before and after (figures from a shared machine must be read with their load);
* ``<out>_zones.csv`` — the value per zone (value_of_spatial_flexibility_zones.csv).

    python benchmarks/bench_siting.py [--out benchmarks/results/siting_eastern.csv] [--scenario scenarios/eastern_us_siting.yaml] [--serial]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
TWIN_KEYS = {
    "none": ["datacenter_sites.temporal_flexibility=false", "datacenter_sites.workload_shifting.enabled=false"],
    "temporal": ["datacenter_sites.temporal_flexibility=true", "datacenter_sites.workload_shifting.enabled=false"],
    "spatial": ["datacenter_sites.temporal_flexibility=false", "datacenter_sites.workload_shifting.enabled=true"],
    "both": ["datacenter_sites.temporal_flexibility=true", "datacenter_sites.workload_shifting.enabled=true"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "siting_eastern.csv")
    parser.add_argument("--scenario", default="scenarios/eastern_us_siting.yaml")
    parser.add_argument("--serial", action="store_true", help="one twin after the other instead of four processes at once")
    args = parser.parse_args()
    folder = args.out.parent / args.out.stem
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    commands = {twin: [sys.executable, "-m", "planning", "run", args.scenario, "--out", str(folder / twin), "--quiet", "--force",
                       *sum((["--set", key] for key in keys), [])] for twin, keys in TWIN_KEYS.items()}
    walls, failures = {}, []
    if args.serial:
        for twin, command in commands.items():
            tic = time.perf_counter()
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
            walls[twin] = time.perf_counter() - tic
            if done.returncode:
                failures.append(f"{twin}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    else:
        running = {twin: (subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), time.perf_counter())
                   for twin, command in commands.items()}
        for twin, (process, tic) in running.items():
            out, err = process.communicate()
            walls[twin] = time.perf_counter() - tic
            if process.returncode:
                failures.append(f"{twin}: exit {process.returncode}\n{out}\n{err}")
    wall = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if failures:
        raise SystemExit("\n".join(failures))
    sys.path.insert(0, str(REPO))
    from planning.config import load_scenario
    from planning.io.writers import open_results
    from planning.workflows.spatial_twins import compare_site_twins

    known = {twin: (open_results(folder / twin / "results.nc"), pd.read_csv(folder / twin / "summary.csv")) for twin in TWIN_KEYS}
    twins, zones = compare_site_twins(load_scenario(REPO / args.scenario), solve=None, known=known)
    stamp = {"wall_s": round(wall, 1), "cpu_s": round((cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime), 1),
             "load_before": f"{load_before:.2f}", "load_after": f"{os.getloadavg()[0]:.2f}", "mode": "serial" if args.serial else "parallel",
             "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.node()} ({os.cpu_count()} cores)"}
    twins["run_wall_s"] = twins["twin"].map({twin: round(value, 1) for twin, value in walls.items()})
    sites = pd.read_csv(folder / "both" / "datacenter_sites.csv")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    twins.assign(**stamp).to_csv(args.out, index=False)
    sites.to_csv(args.out.with_name(f"{args.out.stem}_sites.csv"), index=False)
    zones.to_csv(args.out.with_name(f"{args.out.stem}_zones.csv"), index=False)
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(sites[sites["it_mw"] > 1e-6].to_string(index=False))
        print(twins.to_string(index=False))
        print(zones[zones["sited_it_mw"].abs() + zones["value_vs_none"].abs() > 1e-6].to_string(index=False))
    print(" ".join(f"{key}={value}" for key, value in stamp.items()))
    print(f"written {args.out} (+ _sites, _zones); run folders {folder}")


if __name__ == "__main__":
    main()
