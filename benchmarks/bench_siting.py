"""Where 5 GW of AI compute goes on the 9-zone Eastern Interconnection, and the value of spatial vs temporal flexibility.

Runs ``planning run scenarios/eastern_us_siting.yaml --site-twins`` in a fresh process (the scenario's own
choice, plus the no / temporal / spatial / both flexibility twins) and prints, from its folder:

* the sites built (datacenter_sites.csv: zone, IT MW, contracted deferrable MW, work moved out/in);
* the twins (value_of_spatial_flexibility.csv: total cost, CO2, sited and contracted MW, migrated work,
  new transmission, value vs the no-flexibility twin);
* the value per zone (value_of_spatial_flexibility_zones.csv).

Each table is written as CSV next to ``--out`` with the wall and CPU time of the command and the 1-minute load
average before and after (figures from a shared machine must be read with their load).

    python benchmarks/bench_siting.py [--out benchmarks/results/siting_eastern.csv] [--scenario scenarios/eastern_us_siting.yaml]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import pandas as pd
from planning_process import run_planning

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "siting_eastern.csv")
    parser.add_argument("--scenario", default="scenarios/eastern_us_siting.yaml")
    args = parser.parse_args()
    folder = args.out.parent / args.out.stem
    measured = run_planning(["run", args.scenario, "--site-twins", "--out", str(folder), "--quiet", "--force"])
    stamp = {"wall_s": round(measured["wall_s"], 1), "cpu_s": round(measured["cpu_s"], 1), "load_before": f"{measured['load_before']:.2f}",
             "load_after": f"{measured['load_after']:.2f}", "date": time.strftime("%Y-%m-%d"),
             "machine": f"{platform.node()} ({os.cpu_count()} cores)"}
    sites = pd.read_csv(folder / "datacenter_sites.csv")
    twins = pd.read_csv(folder / "value_of_spatial_flexibility.csv")
    zones = pd.read_csv(folder / "value_of_spatial_flexibility_zones.csv")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    twins.assign(**stamp).to_csv(args.out, index=False)
    sites.to_csv(args.out.with_name(f"{args.out.stem}_sites.csv"), index=False)
    zones.to_csv(args.out.with_name(f"{args.out.stem}_zones.csv"), index=False)
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(sites[sites["it_mw"] > 1e-6].to_string(index=False))
        print(twins.to_string(index=False))
        print(zones[zones["sited_it_mw"].abs() + zones["value_vs_none"].abs() > 1e-6].to_string(index=False))
    print(" ".join(f"{key}={value}" for key, value in stamp.items()))
    print(f"written {args.out} (+ _sites, _zones); run folder {folder}")


if __name__ == "__main__":
    main()
