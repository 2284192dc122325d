"""The representative days of the Eastern Interconnection validated against their full year, at any zone count.

Issue 16, goal 6: "12 zones × 8760 h with representative periods (validated against the full year) in ≤ 5 min". The
data has 9 real zones, and their full-year expansion LP is ≈ 4 million dual-simplex iterations (5–6 h of CPU here,
bench_zones.py). This script brackets the full year's optimum F* instead, with weekly Benders cuts
(:mod:`planning.optimization.temporal_bounds`: LB ≤ F* ≤ UB, the UB a feasible full-year point), then

1. solves the same zones on K representative days (``--rep-periods``, tsam, the scenario's settings) → objective R and
   the plan x_rep (every capacity, retirement and line);
2. prices the plan over the full year: the same Benders with the capacities fixed at x_rep → C_rep (the plan's own
   full-year cost, the optimal operation of the whole year for it, bracketed the same way);
3. reports R − F* (the representative days' cost error) and C_rep − F* (what building the representative days' plan
   costs over the full year's own plan: the regret), both with their brackets, and the new capacity by technology.

``--monolithic`` also solves the full-year LP whole (dual simplex; 1–2 zones in minutes) and checks LB ≤ F ≤ UB.

    python benchmarks/bench_zones_bounds.py --zones 9               # ≈ 20–30 min on 2 cores
    python benchmarks/bench_zones_bounds.py --zones 1 --monolithic  # the method against the exact optimum

Writes ``benchmarks/results/bench_zones_bounds.json`` (one entry per zone count: bounds, iterations, times, CPU, load,
capacities by technology for the full year's best point and the representative days).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_zones import ORDER, eastern_raw  # noqa: E402


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def by_technology(columns, values, inputs) -> dict[str, float]:
    """New MW by technology (``new_mw[plant]``) and new line MW (``new_line_mw``) of a vector over the x columns."""
    technology = {str(p): str(t) for p, t in zip(inputs["plant"].values, inputs["plant_technology"].values)}
    out: dict[str, float] = {}
    for var, value in zip(columns, values):
        name = var.parent_component().name
        if name == "new_mw":
            key = technology[str(var.index())]
        elif name == "new_line_mw":
            key = "transmission"
        else:
            continue
        out[key] = out.get(key, 0.0) + float(value)
    return out


def representative_plan(zones: list[str], periods: int, names: list[str]) -> tuple[float, dict[str, float], float]:
    """Objective and capacities (by variable name) of the zones on ``periods`` representative days; its CPU seconds."""
    from planning.config.load import validate_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.solve import solve_model

    start = cpu_s()
    scenario = validate_scenario(eastern_raw(zones, 8760, periods))
    built = build_model(load_inputs(scenario))
    result = solve_model(built.model, scenario.solver)
    if result.status != "Optimal":
        raise SystemExit(f"representative days: {result.status}")
    model = built.model
    values = {}
    for name in names:
        var = model.find_component(name)
        if var is None:
            raise SystemExit(f"representative days: no variable {name}")
        values[name] = float(var.value or 0.0)
    return result.objective, values, cpu_s() - start


def run(count: int, args) -> dict:
    import numpy as np

    from planning.config.load import validate_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization import temporal_bounds as tb
    from planning.optimization.build import build_model
    from planning.optimization.decomposition import Compiled
    from planning.optimization.solve import solve_model

    zones = ORDER[:count]
    entry: dict = {"zones": count, "zone_names": zones, "load_before": os.getloadavg()[0], "threads": args.threads,
                   "block_hours": args.block_hours, "gap_target": args.gap}
    say = (lambda line: print(f"[{count} zones] {line}", flush=True))
    tic, cpu0 = time.perf_counter(), cpu_s()
    scenario = validate_scenario(eastern_raw(zones, 8760))
    inputs = load_inputs(scenario)
    built = build_model(inputs)
    form = Compiled.of(built.model)
    entry.update(rows=int(form.A.shape[0]), columns=int(form.A.shape[1]), build_compile_s=time.perf_counter() - tic,
                 build_compile_cpu_s=cpu_s() - cpu0)
    say(f"full year {form.A.shape[0]} × {form.A.shape[1]} built and compiled in {entry['build_compile_s']:.0f} s")
    n_snapshots = int(inputs.sizes["snapshot"])
    split = tb.split_by_blocks(form, n_snapshots, args.block_hours)
    names = [form.columns[j].name for j in split.x]
    lower0, upper0 = form.col_lower.copy(), form.col_upper.copy()

    tic, cpu0 = time.perf_counter(), cpu_s()
    full = tb.benders_lower_bound(form, split, gap=args.gap, max_iterations=args.max_iterations, time_limit_s=args.time_limit_s,
                                  threads=args.threads, report=say)
    entry["full_year"] = {"lower_bound": full.lower_bound, "upper_bound": full.best_value, "consistent": full.best_consistent,
                          "gap": full.gap, "iterations": full.iterations, "converged": full.converged,
                          "wall_s": time.perf_counter() - tic, "cpu_s": cpu_s() - cpu0,
                          "new_mw": by_technology([form.columns[j] for j in split.x], full.x_values[:split.x.size], inputs)}
    if not full.best_consistent:
        ub, _ = tb.windows_upper_bound(form, split, full.x_values[:split.x.size], n_snapshots, scenario.solver)
        entry["full_year"]["upper_bound"] = ub
        entry["full_year"]["upper_bound_from"] = "windows"
    form.col_lower[:], form.col_upper[:] = lower0, upper0

    if args.rep_periods:
        objective, plan, rep_cpu = representative_plan(zones, args.rep_periods, names)
        x_rep = np.array([plan[name] for name in names])
        x_rep = np.clip(x_rep, lower0[split.x], upper0[split.x])
        form.col_lower[split.x] = x_rep
        form.col_upper[split.x] = x_rep
        tic, cpu0 = time.perf_counter(), cpu_s()
        priced = tb.benders_lower_bound(form, split, gap=args.gap, max_iterations=args.max_iterations,
                                        time_limit_s=args.time_limit_s, threads=args.threads, report=say)
        entry["representative"] = {
            "periods": args.rep_periods, "objective": objective, "cpu_s": rep_cpu,
            "new_mw": by_technology([form.columns[j] for j in split.x], x_rep, inputs),
            "full_year_cost_lower": priced.lower_bound, "full_year_cost_upper": priced.best_value,
            "full_year_cost_consistent": priced.best_consistent, "pricing_iterations": priced.iterations,
            "pricing_wall_s": time.perf_counter() - tic}
        form.col_lower[:], form.col_upper[:] = lower0, upper0
        lb, ub = entry["full_year"]["lower_bound"], entry["full_year"]["upper_bound"]
        entry["representative"]["cost_error"] = [(objective - ub) / ub, (objective - lb) / lb]
        entry["representative"]["regret"] = [(priced.lower_bound - ub) / ub, (priced.best_value - lb) / lb]

    if args.monolithic:
        tic = time.perf_counter()
        result = solve_model(built.model, scenario.solver)
        entry["monolithic"] = {"objective": result.objective, "status": result.status, "wall_s": time.perf_counter() - tic,
                               "lb_ok": full.lower_bound <= result.objective * (1 + 1e-9),
                               "ub_ok": result.objective <= entry["full_year"]["upper_bound"] * (1 + 1e-9)}
    entry["load_after"] = os.getloadavg()[0]
    entry["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(json.dumps(entry))
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, nargs="+", default=[9], help=f"zone counts (≤ {len(ORDER)}: the data has {len(ORDER)} real zones)")
    parser.add_argument("--rep-periods", type=int, default=12, help="representative days to validate (0: only the bounds)")
    parser.add_argument("--block-hours", type=int, default=168)
    parser.add_argument("--gap", type=float, default=1e-5, help="Benders stops at this relative gap")
    parser.add_argument("--max-iterations", type=int, default=200)
    parser.add_argument("--time-limit-s", type=float, default=7200.0)
    parser.add_argument("--threads", type=int, default=2, help="blocks solved at once")
    parser.add_argument("--monolithic", action="store_true", help="also solve the full-year LP whole and check the bounds")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "bench_zones_bounds.json")
    args = parser.parse_args()
    if max(args.zones) > len(ORDER):
        raise SystemExit(f"--zones: at most {len(ORDER)} (the data has {len(ORDER)} real zones)")
    entries = [run(count, args) for count in args.zones]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
