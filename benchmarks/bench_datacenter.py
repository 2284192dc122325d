"""Solve-time overhead of the data-center block on the full-year example (issue 4's benchmark).

Variants of ``scenarios/isone_datacenter_2030.yaml`` (8760 h, one zone, 1 GW campus):

* ``none``        — the data center removed (``isone_2030.yaml``);
* ``inflexible``  — the campus as a fixed load (no data-center variables);
* ``cuts``        — learned flexibility, concave curve as linear cuts (LP);
* ``cuts_no_tie_break`` — ``cuts`` with the schedule tie-break off (``schedule_tie_break_per_mwh=0``);
* ``cuts_tie_break_objective`` — ``cuts`` with the tie-break as a penalty in the one objective
  (``solver.tie_break=objective``; the default, ``lexicographic``, solves the costs and then the tie-break
  over their optimal face: ``simplex_iterations`` counts both passes, ``tie_break_iterations`` the second);
* ``binary``      — learned flexibility, the same curve by exact incremental binaries (MILP).

Each run is a fresh subprocess (so peak memory is its own). Repeats are interleaved (repeat 1 of
every variant, then repeat 2, ...) so that a change of machine load hits every variant alike;
medians over ``--repeats``, with the 1-minute load average at the start of each run, the solve's
CPU time and HiGHS' simplex iterations (steadier than wall time on a shared machine). The
overhead of the learned block is reported against the inflexible campus, which has the same
demand but no decisions: ``*_vs_inflexible`` is the median over repeats of the ratio within each
repeat. Goal (issue 16, goal 3): cuts ≤ 10 % extra solve time over the inflexible campus.

    python benchmarks/bench_datacenter.py [--repeats 3] [--hours 8760] [--variants none inflexible cuts binary] [--set KEY=VALUE ...]

``--tie-break-effect`` measures instead what the schedule tie-break (``schedule_tie_break_per_mwh``)
does to the objective, on the main example (``isone_datacenter_week.yaml``, a MILP) and the full-year
campus (``isone_datacenter_2030.yaml``, an LP): solve with the tie-break (default ε); then, on the same
model with the integers fixed at that solution, re-solve without it (objective = Σ costs). Reported:
the objective with it, the penalty's value, its reported cost (objective − penalty), the optimum without
it, and the relative changes; plus the schedule's total variation Σ_t |ΔP_t| (MW) and the energy moved off the
as-arrived schedule Σ_t w_t·|P_t − N_f·b(t)| (MWh) with and without.

    python benchmarks/bench_datacenter.py --tie-break-effect [--hours 8760]
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
    "cuts_no_tie_break": ("scenarios/isone_datacenter_2030.yaml", ["datacenters.campus.formulation=cuts",
                                                                   "datacenters.campus.schedule_tie_break_per_mwh=0"]),
    "cuts_tie_break_objective": ("scenarios/isone_datacenter_2030.yaml", ["datacenters.campus.formulation=cuts",
                                                                         "solver.tie_break=objective"]),
    "binary": ("scenarios/isone_datacenter_2030.yaml", ["datacenters.campus.formulation=binary"]),
}

CHILD = r"""
import json, os, resource, sys, time
import pyomo.environ as pyo
load_1min = os.getloadavg()[0]
from planning.config import load_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
path, overrides = sys.argv[1], json.loads(sys.argv[2])
start = time.perf_counter()
scenario = load_scenario(path, overrides)
inputs = load_inputs(scenario)
built = build_model(inputs)
cpu = time.process_time()
result = solve_model(built.model, scenario.solver)
solve_cpu_s = time.process_time() - cpu
print(json.dumps({"objective": result.objective, "status": result.status, "mip_gap": result.mip_gap,
                  "build_s": built.build_s, "translate_s": result.translate_s, "solve_s": result.solve_s,
                  "total_s": time.perf_counter() - start, "solve_cpu_s": solve_cpu_s, "load_1min": load_1min, "rows": result.num_rows, "columns": result.num_cols,
                  "simplex_iterations": result.highs.getInfo().simplex_iteration_count + result.tie_break_iterations,
                  "tie_break_iterations": result.tie_break_iterations,
                  "tie_break": sum(float(pyo.value(term)) for term in built.ctx.extras.get("tie_breaks", [])),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_once(variant: str, hours: int, extra: list[str] = (), repo: Path = REPO) -> dict:
    path, overrides = SCENARIOS[variant]
    overrides = [*overrides, f"horizon.hours={hours}", "solver.threads=1", "solver.time_limit_s=900", *extra]
    completed = subprocess.run([sys.executable, "-c", CHILD, str(repo / path), json.dumps(overrides)],
                               capture_output=True, text=True, cwd=repo, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


EFFECT = r"""
import json, os, sys
import numpy as np
import pyomo.environ as pyo
from planning.config import load_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
path, overrides = sys.argv[1], json.loads(sys.argv[2])
load_1min = os.getloadavg()[0]
scenario = load_scenario(path, overrides)
built = build_model(load_inputs(scenario))
model = built.model
solved = solve_model(model, scenario.solver)
block = model.datacenter["campus"]
T = sorted(block.flexible_mw)
observed = built.ctx.inputs["dc_observed_flexible_mw"].sel(datacenter="campus").values
weight = built.ctx.weight_h
variation = lambda: float(np.abs(np.diff([block.flexible_mw[t].value for t in T])).sum())
moved = lambda: float(sum(weight[t] * abs(block.flexible_mw[t].value - observed[t]) for t in T))
with_tb = {"objective": solved.objective, "tie_break": float(pyo.value(block.tie_break_cost)), "total_variation_mw": variation(),
           "moved_mwh": moved(), "status": solved.status, "mip_gap": solved.mip_gap}
for var in model.component_data_objects(pyo.Var):
    if var.is_integer() or var.is_binary():
        var.fix(round(var.value))
model.total_cost.deactivate()
model.cost_only = pyo.Objective(expr=pyo.quicksum(model.cost[c] for c in model.COST_CATEGORIES))
without = solve_model(model, scenario.solver)
cost_with = with_tb["objective"] - with_tb["tie_break"]
print(json.dumps({"scenario": os.path.basename(path), "load_1min": load_1min, **with_tb, "cost_with_tie_break": cost_with,
                  "objective_without": without.objective, "total_variation_without_mw": variation(), "moved_without_mwh": moved(),
                  "objective_change_rel": (with_tb["objective"] - without.objective) / without.objective,
                  "cost_change_rel": (cost_with - without.objective) / without.objective,
                  "tie_break_rel": with_tb["tie_break"] / without.objective}))
"""


def tie_break_effect(hours: int, repo: Path) -> None:
    """The tie-break's effect on the objective on the week example (as committed) and the full-year campus."""
    for path, overrides in (("scenarios/isone_datacenter_week.yaml", []),
                            ("scenarios/isone_datacenter_2030.yaml", [f"horizon.hours={hours}", "solver.threads=1", "solver.time_limit_s=3600"])):
        completed = subprocess.run([sys.executable, "-c", EFFECT, str(repo / path), json.dumps(overrides)],
                                   capture_output=True, text=True, cwd=repo, check=True)
        print(completed.stdout.strip().splitlines()[-1], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--variants", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="an override for every variant (e.g. datacenters.campus.schedule_tie_break_per_mwh=0)")
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="the checkout whose `planning` package and scenarios are measured (e.g. an export of an older commit)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "datacenter_overhead.csv")
    parser.add_argument("--tie-break-effect", action="store_true", help="measure the tie-break's effect on the objective (see above)")
    args = parser.parse_args()
    if args.tie_break_effect:
        tie_break_effect(args.hours, args.repo)
        return
    runs: dict[str, list[dict]] = {variant: [] for variant in args.variants}
    for repeat in range(args.repeats):
        for variant in args.variants:
            run = run_once(variant, args.hours, args.overrides, args.repo)
            runs[variant].append(run)
            print(json.dumps({"variant": variant, "repeat": repeat, **run}), flush=True)
    rows = []
    for variant in args.variants:
        last = runs[variant][-1]
        row = {"variant": variant, "hours": args.hours, "repeats": args.repeats, "status": last["status"],
               "objective": last["objective"], "mip_gap": last["mip_gap"], "rows": last["rows"], "columns": last["columns"],
               "load_1min": statistics.median(run["load_1min"] for run in runs[variant])}
        for key in ("simplex_iterations", "tie_break_iterations", "build_s", "translate_s", "solve_s", "solve_cpu_s", "total_s", "peak_rss_mb"):
            row[key] = statistics.median(run[key] for run in runs[variant])
        if "inflexible" in runs and variant != "inflexible":
            for key in ("solve_cpu_s", "solve_s", "total_s", "simplex_iterations"):
                row[f"{key}_vs_inflexible"] = statistics.median(
                    run[key] / reference[key] for run, reference in zip(runs[variant], runs["inflexible"]))
        rows.append(row)
    import pandas as pd

    table = pd.DataFrame(rows).set_index("variant")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out)
    print(table.to_string(float_format=lambda v: f"{v:,.4g}"))


if __name__ == "__main__":
    main()
