"""The signal-response loop on the main example: the README's loop table (rounds, convergence, certified gap).

1. ``planning run scenarios/isone_datacenter_week.yaml`` plans the fleet of the main example;
2. ``planning loop scenarios/isone_datacenter_week.yaml --capacities <that run>`` runs the loop on that
   fleet for each case: price with diminishing steps, the same with the commitment relaxed (an LP
   grid, where the loop's gap is certified), price without damping, average and marginal intensity (``operations.loop`` defaults otherwise: 30 rounds at most, gap tolerance 1e-4).

Writes ``loop_main_example.csv``: one row per case — rounds, converged, the reported round, its total
cost and the integrated optimum's (with the integrated MILP's dual bound), the gap to it, the loop's
own gap and what it bounds (``gap_bounds``: with integer unit commitment, as in this example, it
bounds nothing), CO2, campus CO2 and unserved energy gaps — with the wall time of each step and the
machine's load average before and after. The loop folders are kept next to the CSV.

    python benchmarks/bench_loop.py [--out benchmarks/results/loop_main_example.csv] [--cases price average ...]
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
SCENARIO = "scenarios/isone_datacenter_week.yaml"
CASES = {  # name: extra arguments of `planning loop`
    "price": ["--signal", "price"],
    # The same fleet with the commitment relaxed (an LP grid): the case where the loop's gap certifies cost − optimum.
    "price_linear_uc": ["--signal", "price", "--set", "unit_commitment.mode=linear"],
    "price_no_damping": ["--signal", "price", "--set", "operations.loop.damping=none"],
    "average": ["--signal", "average"],
    "marginal": ["--signal", "marginal"],
}


def _planning(*args: str) -> float:
    """Wall time (s) of one `planning` command in a fresh process."""
    return run_planning(list(args))["wall_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "loop_main_example.csv")
    parser.add_argument("--cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    folder = args.out.parent / args.out.stem
    load_before = os.getloadavg()
    run_s = _planning("run", SCENARIO, "--out", str(folder / "fleet"), "--quiet", "--force")
    rows = []
    for case in args.cases:
        loop_s = _planning("loop", SCENARIO, "--capacities", str(folder / "fleet"), "--out", str(folder / case), "--quiet", "--force", *CASES[case])
        trace = pd.read_csv(folder / case / "loop.csv")
        comparison = pd.read_csv(folder / case / "loop_comparison.csv").set_index("architecture")
        loop, integrated = comparison.iloc[0], comparison.loc["integrated"]
        reported = trace.loc[trace["reported"].astype(bool)].iloc[0]
        rows.append({
            "case": case, "rounds": len(trace), "converged": bool(loop["converged"]), "reported_round": int(loop["reported_iteration"]),
            "total_cost": loop["total_cost"], "integrated_cost": integrated["total_cost"], "integrated_lower_bound": integrated["lower_bound"],
            "gap_to_integrated": loop["total_cost"] - integrated["total_cost"],
            "relative_gap_to_integrated": (loop["total_cost"] - integrated["total_cost"]) / integrated["total_cost"],
            "loop_gap": loop["gap"], "loop_relative_gap": loop["relative_gap"], "gap_bounds": loop["gap_bounds"],
            "co2_gap_t": loop["co2_t"] - integrated["co2_t"], "datacenter_co2_gap_t": loop["datacenter_co2_t"] - integrated["datacenter_co2_t"],
            "unserved_energy_mwh": reported["unserved_energy_mwh"], "round0_cost": trace["total_cost"].iloc[0], "loop_s": round(loop_s, 1),
        })
    load_after = os.getloadavg()
    table = pd.DataFrame(rows).assign(run_s=round(run_s, 1), load_before=f"{load_before[0]:.2f}", load_after=f"{load_after[0]:.2f}",
                                      date=time.strftime("%Y-%m-%d"), machine=f"{platform.node()} ({os.cpu_count()} cores)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
