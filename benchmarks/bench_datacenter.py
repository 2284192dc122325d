"""Solve-time overhead of the data-center block on the full-year example (issue 4's benchmark).

Variants of ``scenarios/isone_datacenter_2030.yaml`` (8760 h, one zone, 1 GW campus):

* ``none``        — the data center removed (``isone_2030.yaml``);
* ``inflexible``  — the campus as a fixed load (no data-center variables);
* ``cuts``        — learned flexibility, concave curve as linear cuts (LP);
* ``binary``      — learned flexibility, the same curve by exact incremental binaries (MILP).

Each run is a fresh subprocess (so peak memory is its own); medians over ``--repeats``. The
overhead of the learned block is reported against the inflexible campus, which has the same
demand but no decisions. Goal (issue 4): cuts ≤ 10 % over the block-free model.

    python benchmarks/bench_datacenter.py [--repeats 3] [--hours 8760] [--variants none inflexible cuts binary]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = {
    "none": ("scenarios/isone_2030.yaml", []),
    "inflexible": ("scenarios/isone_datacenter_2030.yaml", ["datacenters.campus.flexibility=inflexible"]),
    "cuts": ("scenarios/isone_datacenter_2030.yaml", ["datacenters.campus.formulation=cuts"]),
    "binary": ("scenarios/isone_datacenter_2030.yaml", ["datacenters.campus.formulation=binary"]),
}

CHILD = r"""
import json, resource, sys, time
from planning.config import load_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
path, overrides = sys.argv[1], json.loads(sys.argv[2])
start = time.perf_counter()
scenario = load_scenario(path, overrides)
inputs = load_inputs(scenario)
built = build_model(inputs)
result = solve_model(built.model, scenario.solver)
print(json.dumps({"objective": result.objective, "status": result.status, "mip_gap": result.mip_gap,
                  "build_s": built.build_s, "translate_s": result.translate_s, "solve_s": result.solve_s,
                  "total_s": time.perf_counter() - start, "rows": result.num_rows, "columns": result.num_cols,
                  "simplex_iterations": result.highs.getInfo().simplex_iteration_count,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_once(variant: str, hours: int) -> dict:
    path, overrides = SCENARIOS[variant]
    overrides = [*overrides, f"horizon.hours={hours}", "solver.threads=1", "solver.time_limit_s=900"]
    completed = subprocess.run([sys.executable, "-c", CHILD, str(REPO / path), json.dumps(overrides)],
                               capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--variants", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "datacenter_overhead.csv")
    args = parser.parse_args()
    rows = []
    for variant in args.variants:
        runs = [run_once(variant, args.hours) for _ in range(args.repeats)]
        row = {"variant": variant, "hours": args.hours, "repeats": args.repeats, "status": runs[-1]["status"],
               "objective": runs[-1]["objective"], "mip_gap": runs[-1]["mip_gap"], "rows": runs[-1]["rows"],
               "simplex_iterations": runs[-1]["simplex_iterations"],
               "columns": runs[-1]["columns"]}
        for key in ("build_s", "translate_s", "solve_s", "total_s", "peak_rss_mb"):
            row[key] = statistics.median(run[key] for run in runs)
        rows.append(row)
        print(json.dumps(row), flush=True)
    import pandas as pd

    table = pd.DataFrame(rows).set_index("variant")
    for reference in ("none", "inflexible"):
        if reference in table.index:
            table[f"total_vs_{reference}"] = table["total_s"] / table.loc[reference, "total_s"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out)
    print(table.to_string(float_format=lambda v: f"{v:,.4g}"))


if __name__ == "__main__":
    main()
