"""Which HiGHS settings are fastest on our problems: measured per problem class (issue 16, goal 2).

    python benchmarks/bench_solver_options.py [--case lp1 lp2 milp] [--repeats 3] [--settings NAME ...]
                                              [--time-limit 300] [--out benchmarks/results/solver_options.csv]

Each case's model is built and compiled once (``planning.optimization.solve.highs_lp``); every setting then
solves the same ``HighsLp`` in a fresh ``highspy.Highs`` (``passModel``), the settings interleaved round-robin
over the repeats so that drift in machine load hits all of them alike. Per run: HiGHS' own run time (wall),
the process CPU time of ``Highs.run()`` (steadier than wall on a shared machine), simplex / IPM / crossover
iterations, the objective, and — for LPs — the largest difference of the zonal balance duals (the prices)
from those of the first setting, in currency/MWh (``price_max_abs_diff``), and whether HiGHS returned a
valid dual solution and basis. The 1-minute load average is recorded before and after every run.

Cases (``--case``):

* ``lp1``  — single-zone LP: ``scenarios/isone_2030.yaml``, full year (the PyPSA comparison's problem);
* ``lp2``  — multi-zone LP: ``scenarios/isone_two_zones.yaml`` over the first 52 weeks of 2021 (8736 h; two
  zones, one expandable corridor, weekly storage cycles);
* ``milp`` — integer unit commitment: ``scenarios/isone_datacenter_week.yaml`` (two weeks, reserves,
  a learned data-center campus), MILP to its 0.1 % gap; the run is the branch-and-bound alone (the
  fixed-integer LP re-solve for prices is not included).
* ``east2`` / ``east4`` / ``east9`` — large multi-zone LPs: the first 2 / 4 / 9 real zones of
  ``scenarios/eastern_us_2030.yaml``, full year (``bench_zones.eastern_raw``, the zones in ``bench_zones.ORDER``).

Settings are HiGHS option sets (``SETTINGS``) on top of the project's fixed options (threads 1,
presolve on unless the setting says otherwise; ``--threads`` to change the threads). Medians over the repeats go to ``--out``; ``--raw`` keeps
every run.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the planning package of this checkout
sys.path.insert(0, str(HERE))  # bench_zones (the Eastern cases)

CASES: dict[str, tuple[str, list[str]]] = {
    "lp1": ("scenarios/isone_2030.yaml", []),
    "lp2": ("scenarios/isone_two_zones.yaml", ["horizon.start_hour=0", "horizon.hours=8736"]),
    "milp": ("scenarios/isone_datacenter_week.yaml", []),
    # the first 2 / 4 / 9 real zones of the US Eastern Interconnection, full year (bench_zones.ORDER)
    "east2": ("eastern:2", []),
    "east4": ("eastern:4", []),
    "east9": ("eastern:9", []),
}

#: HiGHS option sets compared (names are the table's rows).
SETTINGS: dict[str, dict] = {
    "choose (HiGHS default)": {"solver": "choose"},
    "dual simplex, Devex pricing": {"solver": "simplex", "simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 1},
    "dual simplex, Dantzig pricing": {"solver": "simplex", "simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 0},
    "dual simplex, steepest edge": {"solver": "simplex", "simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 2},
    "dual simplex, Devex, scaling off": {"solver": "simplex", "simplex_dual_edge_weight_strategy": 1, "simplex_scale_strategy": 0},
    "dual simplex, Devex, max-value scaling": {"solver": "simplex", "simplex_dual_edge_weight_strategy": 1, "simplex_scale_strategy": 4},
    "dual simplex, Devex, presolve off": {"solver": "simplex", "simplex_dual_edge_weight_strategy": 1, "presolve": "off"},
    "primal simplex": {"solver": "simplex", "simplex_strategy": 4},
    "IPM + crossover": {"solver": "ipm", "run_crossover": "on"},
    "IPM, no crossover": {"solver": "ipm", "run_crossover": "off"},
    "PDLP": {"solver": "pdlp"},
}


def _compile(case: str):
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.solve import highs_lp

    path, sets = CASES[case]
    if path.startswith("eastern:"):  # the first N real zones of eastern_us_2030.yaml, full year (bench_zones.py)
        from bench_zones import ORDER, eastern_raw

        from planning.config.load import apply_overrides, validate_scenario

        scenario = validate_scenario(apply_overrides(eastern_raw(ORDER[:int(path.split(":")[1])]), sets))
    else:
        scenario = load_scenario(ROOT / path, sets)
    built = build_model(load_inputs(scenario))
    lp, columns, rows, integer = highs_lp(built.model)
    balance = [i for i, row in enumerate(rows) if row[0].parent_component().local_name == "balance"]
    weight = built.ctx.weight_h
    snapshot = [rows[i][0].index()[1] for i in balance]
    return scenario, lp, integer, balance, [weight[t] for t in snapshot]


def _run(lp, integer, options: dict, time_limit_s: float, mip_gap: float, threads: int = 1, log_file: Path | None = None):
    import highspy
    import numpy as np

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", log_file is not None)
    highs.setOptionValue("log_to_console", False)
    if log_file is not None:
        highs.setOptionValue("log_file", str(log_file))
    for name, value in {"threads": threads, "presolve": "on", "time_limit": float(time_limit_s), "mip_rel_gap": mip_gap, **options}.items():
        if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejects {name}={value!r}")
    highs.passModel(lp)
    load_before = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    highs.run()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    info = highs.getInfo()
    solution = highs.getSolution()
    return highs, {
        "status": highs.modelStatusToString(highs.getModelStatus()), "wall_s": wall, "cpu_s": cpu,
        "objective": info.objective_function_value, "mip_gap": info.mip_gap if integer.any() else 0.0,
        "simplex_iterations": int(info.simplex_iteration_count), "ipm_iterations": int(info.ipm_iteration_count),
        "crossover_iterations": int(info.crossover_iteration_count), "pdlp_iterations": int(getattr(info, "pdlp_iteration_count", 0)),
        "dual_valid": bool(solution.dual_valid), "basis_valid": bool(highs.getBasis().valid),
        "loadavg_1m": max(load_before, os.getloadavg()[0]),
    }, np.asarray(solution.row_dual)


def _log_file(folder: Path | None, case: str, setting: str, repeat: int) -> Path | None:
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{case}_{''.join(c if c.isalnum() else '_' for c in setting)}_{repeat}.log"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", nargs="+", default=["lp1", "lp2", "milp"], choices=sorted(CASES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--settings", nargs="+", default=None, help=f"names from SETTINGS (default all): {', '.join(SETTINGS)}")
    parser.add_argument("--time-limit", type=float, default=300.0, help="per run (s); a run that hits it is reported as such")
    parser.add_argument("--threads", type=int, default=1, help="HiGHS threads of every run (a setting may override)")
    parser.add_argument("--log-dir", type=Path, default=None, help="write each run's HiGHS log there (progress of long runs)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "solver_options.csv")
    parser.add_argument("--raw", type=Path, default=None)
    args = parser.parse_args(argv)
    import numpy as np

    names = args.settings or list(SETTINGS)
    unknown = [n for n in names if n not in SETTINGS]
    if unknown:
        parser.error(f"unknown settings {unknown}; choose from {list(SETTINGS)}")
    all_runs, summary = [], []
    for case in args.case:
        scenario, lp, integer, balance, weight = _compile(case)
        is_mip = bool(integer.any())
        print(f"{case}: {lp.num_row_} rows x {lp.num_col_} columns ({int(integer.sum())} integer), {CASES[case][0]}", flush=True)
        reference_prices = None
        runs: dict[str, list[dict]] = {n: [] for n in names}
        for repeat in range(args.repeats):
            for name in names:
                _, run, duals = _run(lp, integer, SETTINGS[name], args.time_limit, float(scenario.solver.mip_gap), args.threads,
                                     _log_file(args.log_dir, case, name, repeat))
                prices = duals[balance] / np.asarray(weight) if (run["dual_valid"] and not is_mip) else None
                if reference_prices is None and prices is not None:
                    reference_prices = prices
                run["price_max_abs_diff"] = (float(np.max(np.abs(prices - reference_prices))) if prices is not None else float("nan"))
                run.update(case=case, setting=name, repeat=repeat)
                runs[name].append(run)
                all_runs.append(run)
                print(f"  {name:<40} #{repeat}: {run['status']:<20} CPU {run['cpu_s']:7.2f} s, wall {run['wall_s']:7.2f} s, "
                      f"it {run['simplex_iterations']}/{run['ipm_iterations']}/{run['crossover_iterations']}, "
                      f"objective {run['objective']:.10g}, price diff {run['price_max_abs_diff']:.2g}, load {run['loadavg_1m']:.1f}", flush=True)
        base = statistics.median(r["cpu_s"] for r in runs[names[0]])
        for name in names:
            rs = runs[name]
            row = {"case": case, "setting": name, "repeats": len(rs), "rows": lp.num_row_, "cols": lp.num_col_,
                   "status": ";".join(sorted({r["status"] for r in rs})),
                   **{f"median_{k}": statistics.median(r[k] for r in rs) for k in ("cpu_s", "wall_s", "simplex_iterations", "ipm_iterations",
                                                                                  "crossover_iterations")},
                   "cpu_vs_first": statistics.median(r["cpu_s"] for r in rs) / base if base else float("nan"),
                   "objective": statistics.median(r["objective"] for r in rs),
                   "objective_rel_diff": max(abs(r["objective"] - summary_ref) / abs(summary_ref) for r in rs) if (summary_ref := runs[names[0]][0]["objective"]) else 0.0,
                   "price_max_abs_diff": max(r["price_max_abs_diff"] for r in rs), "dual_valid": all(r["dual_valid"] for r in rs),
                   "basis_valid": all(r["basis_valid"] for r in rs),
                   "load_min": min(r["loadavg_1m"] for r in rs), "load_max": max(r["loadavg_1m"] for r in rs)}
            summary.append(row)
    print(f"\n{'case':<5} {'setting':<40} {'CPU s':>8} {'×first':>7} {'wall s':>8} {'iterations s/ipm/x':>20} {'obj rel':>8} {'price Δ':>8} {'basis':>5} {'load':>9}")
    for r in summary:
        its = f"{r['median_simplex_iterations']:.0f}/{r['median_ipm_iterations']:.0f}/{r['median_crossover_iterations']:.0f}"
        print(f"{r['case']:<5} {r['setting']:<40} {r['median_cpu_s']:8.2f} {r['cpu_vs_first']:7.2f} {r['median_wall_s']:8.2f} {its:>20} "
              f"{r['objective_rel_diff']:8.1e} {r['price_max_abs_diff']:8.2g} {str(r['basis_valid']):>5} {r['load_min']:.1f}–{r['load_max']:.1f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for path, rows in ((args.out, summary), (args.raw, all_runs)):
        if path is None:
            continue
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
