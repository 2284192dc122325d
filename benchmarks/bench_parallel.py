"""Speed-up of planning.parallel on 2 local workers against 1, with identical results (run by hand).

    python benchmarks/bench_parallel.py [--pieces windows sweep futures] [--hours 2016] [--window 168] [--overlap 24]
                                        [--repeats 3] [--sweep-runs 4]

Three kinds of independent pieces, each run serially in this process, on a LocalCluster of 1 worker
and on one of 2 workers (the order rotates between repeats), on scenarios/isone_2030.yaml with the
commitment units of bench_uc.py:

* ``windows`` — the commitment windows of ``unit_commitment.decomposition.windows: parallel``
  (:func:`planning.optimization.decomposition.parallel_commitment`) over the first ``--hours``,
  capacities fixed from the linear-UC LP of the same hours (built once, outside the timing). The
  stitched point of every run is compared with the serial one (max |Δx|, must be 0);
* ``sweep`` — ``--sweep-runs`` one-week runs of a sweep (CO2 prices) through
  :func:`planning.workflows.sweep.run_sweep`; total costs compared with the serial sweep;
* ``futures`` — the value-of-information re-solves (EV, then EEV and WS of each future: 1 + 2 × 3 MILPs) of
  ``scenarios/isone_datacenter_futures.yaml`` (:func:`planning.workflows.stochastic.solve_stochastic`; the
  recourse problem itself is one solve and is not timed); EVPI/VSS and per-future costs compared with serial.

Timed: wall seconds of the stage (cluster start-up excluded for ``windows``: the cluster is started
before the clock; for ``sweep`` the start-up is inside, as a user sees it), and the CPU seconds of
this process. The 1-minute load average before and after every run is recorded: the machine is
shared, so the ratio of paired runs (same repeat) is the figure to read. Writes
benchmarks/results/bench_parallel.csv.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bench_uc import UNITS

ROOT = Path(__file__).resolve().parents[1]


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def compiled_year(hours: int, threads: int):
    """The integer-UC model of the first ``hours`` with capacities fixed from the linear-UC LP, compiled."""
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.decomposition import Compiled, fix_without_snapshot, investment_values, linear_investments, window_budgets

    scenario = load_scenario(ROOT / "scenarios" / "isone_2030.yaml", [*UNITS, f"horizon.hours={hours}", f"solver.threads={threads}",
                                                                      "unit_commitment.mode=integer", "solver.time_limit_s=3600"])
    inputs = load_inputs(scenario)
    linear_inputs = inputs.assign_attrs(unit_commitment_mode="linear")
    stage1 = build_model(linear_inputs)
    linear_investments(stage1.model, linear_inputs, scenario.solver, None, lambda line: None)
    built = build_model(inputs)
    form = Compiled.of(built.model)
    fix_without_snapshot(form, investment_values(stage1.model, built.model, inputs, from_linear=True))
    budgets = window_budgets(form, hours, scenario.solver, lambda line: None)
    return scenario, form, budgets


def rotated_setups(repeats: int):
    """(repeat, setup) in the order the runs go: serial, 1 worker, 2 workers, rotated by one per repeat."""
    setups = ["serial", "1 worker", "2 workers"]
    for repeat in range(repeats):
        for setup in setups[repeat % 3:] + setups[:repeat % 3]:
            yield repeat, setup


def started_executor(setup: str):
    """The executor of ``setup``, its cluster (if any) started before the clock."""
    from planning.parallel import Executor

    executor = Executor("synchronous") if setup == "serial" else Executor(workers=int(setup[0]))
    if not executor.serial:
        executor.client()
    return executor


def bench_windows(args, rows: list) -> None:
    from planning.optimization.decomposition import parallel_commitment

    scenario, form, budgets = compiled_year(args.hours, 1)
    settings = scenario.unit_commitment.decomposition
    options = scenario.solver.model_copy(update={"time_limit_s": settings.window_time_limit_s, "mip_gap": settings.window_mip_gap,
                                                 "threads": 1})
    reference = None
    for repeat, setup in rotated_setups(args.repeats):
        with started_executor(setup) as executor:
            before, tic, cpu = load1(), time.perf_counter(), time.process_time()
            outcome = parallel_commitment(form, args.hours, args.window, args.overlap, options, executor, period_h=args.hours,
                                          budgets=budgets)
            wall, cpu = time.perf_counter() - tic, time.process_time() - cpu
        assert outcome is not None, "parallel windows did not apply"
        x, logs = outcome
        reference = x if reference is None else reference
        rows.append({"piece": "windows", "hours": args.hours, "tasks": len(logs), "setup": setup, "repeat": repeat, "wall_s": round(wall, 2),
                     "cpu_s": round(cpu, 2), "max_abs_diff_vs_first": float(np.abs(x - reference).max()),
                     "stitched_cost": float(form.cost @ x + form.lp.offset_), "load_before": before, "load_after": load1()})
        print(rows[-1], flush=True)


def bench_sweep(args, rows: list) -> None:
    from planning.config.sweep import load_sweep
    from planning.workflows.sweep import run_sweep

    folder = Path(tempfile.mkdtemp(prefix="bench_parallel_"))
    sweep_file = folder / "sweep.yaml"
    prices = [25 * (k + 1) for k in range(args.sweep_runs)]
    sweep_file.write_text(yaml.safe_dump({"name": "bench", "scenario": str(ROOT / "scenarios" / "isone_week.yaml"),
                                          "grid": {"policy.co2_price_per_t": prices}}), encoding="utf-8")
    reference = None
    for repeat, setup in rotated_setups(args.repeats):
        out = folder / f"{setup.replace(' ', '_')}_{repeat}"
        scheduler, workers = ("synchronous", 1) if setup == "serial" else (None, int(setup[0]))
        before, tic, cpu = load1(), time.perf_counter(), time.process_time()
        outcome = run_sweep(load_sweep(sweep_file), out, scheduler=scheduler, workers=workers)   # cluster start-up inside
        wall, cpu = time.perf_counter() - tic, time.process_time() - cpu
        costs = outcome.table["total_cost"].to_numpy(dtype=float)
        reference = costs if reference is None else reference
        rows.append({"piece": "sweep", "hours": 168, "tasks": len(costs), "setup": setup, "repeat": repeat, "wall_s": round(wall, 2),
                     "cpu_s": round(cpu, 2), "max_abs_diff_vs_first": float(np.abs(costs - reference).max()),
                     "stitched_cost": float(costs.sum()), "load_before": before, "load_after": load1()})
        print(rows[-1], flush=True)


def bench_futures(args, rows: list) -> None:
    from planning.config import load_scenario
    from planning.workflows.stochastic import solve_stochastic

    scenario = load_scenario(ROOT / "scenarios" / "isone_datacenter_futures.yaml", ["solver.threads=1"])
    reference = None
    for repeat, setup in rotated_setups(args.repeats):
        with started_executor(setup):
            before, cpu = load1(), time.process_time()
            solution = solve_stochastic(scenario)
            cpu = time.process_time() - cpu
        figures = solution.information_by_future[["eev_cost", "ws_cost"]].to_numpy(dtype=float).ravel()
        reference = figures if reference is None else reference
        rows.append({"piece": "futures", "hours": scenario.horizon.hours, "tasks": 1 + 2 * len(scenario.futures), "setup": setup,
                     "repeat": repeat, "wall_s": round(solution.timings["value_of_information_s"], 2), "cpu_s": round(cpu, 2),
                     "max_abs_diff_vs_first": float(np.abs(figures - reference).max()), "stitched_cost": float(figures.sum()),
                     "load_before": before, "load_after": load1()})
        print(rows[-1], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pieces", nargs="+", default=["windows", "sweep", "futures"], choices=["windows", "sweep", "futures"])
    parser.add_argument("--hours", type=int, default=2016)
    parser.add_argument("--window", type=int, default=168)
    parser.add_argument("--overlap", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sweep-runs", type=int, default=4)
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    rows: list = []
    if "windows" in args.pieces:
        bench_windows(args, rows)
    if "sweep" in args.pieces:
        bench_sweep(args, rows)
    if "futures" in args.pieces:
        bench_futures(args, rows)
    frame = pd.DataFrame(rows)
    frame.to_csv(out / "bench_parallel.csv", index=False)
    medians = frame.groupby(["piece", "setup"])[["wall_s", "cpu_s", "load_before"]].median()
    for piece in frame["piece"].unique():
        paired = frame[frame["piece"] == piece].pivot(index="repeat", columns="setup", values="wall_s")
        medians.loc[(piece, "2 workers"), "speedup_vs_1_worker_paired_median"] = float((paired["1 worker"] / paired["2 workers"]).median())
    print(medians.to_string())
    print("max |difference| from the first run:", frame.groupby("piece")["max_abs_diff_vs_first"].max().to_dict())


if __name__ == "__main__":
    main()
