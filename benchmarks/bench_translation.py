"""How to hand a built Pyomo model to HiGHS: measured, not assumed (issues 2 and 16).

Same model (``scenarios/isone_2030.yaml``, ``--hours`` h), four translation paths, each in a fresh
subprocess, the paths interleaved over ``--repeats`` (so that drift in machine load hits all alike), medians:

* ``direct`` — ours: :func:`planning.optimization.translate.compile_standard_form` (a direct walk of the
  expressions; the same matrix as Pyomo's compiler, bit for bit) → ``highspy.passModel``;
* ``standard_form`` — Pyomo's ``LinearStandardFormCompiler`` → ``highspy.passModel`` (ours until issue 16);
* ``appsi`` — Pyomo's persistent ``appsi_highs`` interface (adds rows one by one);
* ``lp_file`` — write an LP file with Pyomo, ``highspy.readModel`` it.

Reported per path: translate seconds, wall and process CPU (Pyomo model → HiGHS holds it), the rows and
columns HiGHS holds, the 1-minute load average; with ``--solve`` also HiGHS' solve time and the objective
(all paths must agree to 1e-9 relative).

    python benchmarks/bench_translation.py [--repeats 3] [--hours 8760] [--paths direct standard_form appsi lp_file] [--solve]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, tempfile, time, os, logging, warnings
warnings.simplefilter("ignore"); logging.disable(logging.WARNING)
import highspy, pyomo.environ as pyo
from planning.config import load_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import highs_lp
from planning.optimization.translate import pyomo_standard_form
import planning.optimization.translate as translate
path, hours, method, solve = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
scenario = load_scenario(path, [f"horizon.hours={hours}"])
model = build_model(load_inputs(scenario)).model
load = os.getloadavg()[0]
start, cpu = time.perf_counter(), time.process_time()
if method in ("direct", "standard_form"):
    if method == "standard_form":
        translate.compile_standard_form = lambda m: pyomo_standard_form(m)
        import planning.optimization.solve as solve_module
        solve_module.compile_standard_form = translate.compile_standard_form
    lp, columns, rows, integer = highs_lp(model)
    highs = highspy.Highs(); highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
elif method == "appsi":
    from pyomo.contrib.appsi.solvers.highs import Highs
    solver = Highs()
    solver.config.load_solution = False
    solver.set_instance(model)
    highs = solver._solver_model
else:
    folder = tempfile.mkdtemp()
    lp_path = os.path.join(folder, "model.lp")
    model.write(lp_path, io_options={"symbolic_solver_labels": False})
    highs = highspy.Highs(); highs.setOptionValue("output_flag", False)
    highs.readModel(lp_path)
out = {"translate_s": time.perf_counter() - start, "cpu_translate_s": time.process_time() - cpu,
       "rows": highs.getNumRow(), "cols": highs.getNumCol()}
if solve:
    highs.setOptionValue("threads", 1)
    start, cpu = time.perf_counter(), time.process_time()
    highs.run()
    out.update(solve_s=time.perf_counter() - start, cpu_solve_s=time.process_time() - cpu, objective=highs.getInfo().objective_function_value)
out["loadavg_1m"] = max(load, os.getloadavg()[0])
print(json.dumps(out))
"""

PATHS = ("direct", "standard_form", "appsi", "lp_file")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--paths", nargs="+", default=list(PATHS), choices=PATHS)
    parser.add_argument("--solve", action="store_true", help="also solve (HiGHS, 1 thread) and compare objectives")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "translation.csv")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {p: [] for p in args.paths}
    for repeat in range(args.repeats):
        for path in args.paths:
            done = subprocess.run([sys.executable, "-c", CHILD, str(REPO / "scenarios" / "isone_2030.yaml"), str(args.hours), path,
                                   "1" if args.solve else "0"], capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
            if done.returncode:
                raise SystemExit(f"{path} failed:\n{done.stderr[-3000:]}")
            run = json.loads(done.stdout.strip().splitlines()[-1])
            runs[path].append(run)
            print(f"#{repeat} {path:<14} " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in run.items()), flush=True)
    import pandas as pd

    rows = []
    for path, rs in runs.items():
        row = {"path": path, "hours": args.hours, "repeats": len(rs), "rows": rs[0]["rows"], "cols": rs[0]["cols"]}
        for key in ("translate_s", "cpu_translate_s", "solve_s", "cpu_solve_s"):
            if key in rs[0]:
                row[key] = statistics.median(r[key] for r in rs)
        if "objective" in rs[0]:
            row["objective"] = rs[-1]["objective"]
        row["load_min"], row["load_max"] = min(r["loadavg_1m"] for r in rs), max(r["loadavg_1m"] for r in rs)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("path")
    first = table.index[0]
    if "objective" in table:
        reference = table.loc[first, "objective"]
        table["objective_rel_diff"] = (table["objective"] - reference).abs() / abs(reference)
    table["translate_vs_first"] = table["translate_s"] / table.loc[first, "translate_s"]
    table["cpu_translate_vs_first"] = table["cpu_translate_s"] / table.loc[first, "cpu_translate_s"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out)
    print(table.to_string(float_format=lambda v: f"{v:,.4g}"))


if __name__ == "__main__":
    main()
