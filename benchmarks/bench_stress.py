"""The stress example end to end: the README's stress table (event and annualised figures, convergence per mode).

1. ``planning run scenarios/isone_datacenter_week.yaml`` plans the fleet of the main example;
2. ``planning stress scenarios/isone_stress_week.yaml --capacities <that run>`` meets the heat wave,
   gas outage and renewable lull with that fleet under each signal mode.

Writes ``stress_main_example.csv`` (one row per mode: converged, rank, rounds, reported round, relative
gap, unserved MWh and loss-of-load hours during the events — unweighted — and annualised, total cost,
campus CO2) with the wall time of each step and the machine's load average before and after, and
keeps the stress folder (``<out folder>/stress``) for ``planning report``.

    python benchmarks/bench_stress.py [--out benchmarks/results/stress_main_example.csv] [--modes emissions_first ...]
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


def _planning(*args: str) -> float:
    """Wall time (s) of one `planning` command in a fresh process."""
    return run_planning(list(args), accept=(0, 5))["wall_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "stress_main_example.csv")
    parser.add_argument("--modes", nargs="*", default=["emissions_first", "stability_first", "auto"])
    args = parser.parse_args()
    folder = args.out.parent / args.out.stem
    load_before = os.getloadavg()
    run_s = _planning("run", "scenarios/isone_datacenter_week.yaml", "--out", str(folder / "fleet"), "--quiet", "--force")
    stress_s = _planning("stress", "scenarios/isone_stress_week.yaml", "--capacities", str(folder / "fleet"), "--out", str(folder / "stress"),
                         "--quiet", "--force", *sum((["--mode", mode] for mode in args.modes), []))
    load_after = os.getloadavg()
    summary = pd.read_csv(folder / "stress" / "stress_summary.csv")
    columns = ["mode", "converged", "rank", "iterations", "reported_iteration", "relative_gap", "event_hours", "event_unserved_energy_mwh",
               "event_loss_of_load_hours", "unserved_energy_mwh", "loss_of_load_hours", "total_cost", "co2_t", "datacenter_co2_t",
               "modelled_hours", "represented_hours"]
    table = summary[columns].assign(run_s=round(run_s, 1), stress_s=round(stress_s, 1),
                                    load_before=f"{load_before[0]:.2f}", load_after=f"{load_after[0]:.2f}",
                                    date=time.strftime("%Y-%m-%d"), machine=f"{platform.node()} ({os.cpu_count()} cores)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False))
    print(f"written {args.out}; stress folder {folder / 'stress'}")


if __name__ == "__main__":
    main()
