"""How to hand a built Pyomo model to HiGHS: measured, not assumed (issue 2).

Same model (``scenarios/isone_2030.yaml``, ``--hours`` h), three translation paths, each in a fresh
subprocess, medians over ``--repeats``:

* ``standard_form`` — ours: ``LinearStandardFormCompiler`` → ``highspy.passModel`` (one matrix);
* ``appsi`` — Pyomo's persistent ``appsi_highs`` interface (adds rows one by one);
* ``lp_file`` — write an LP file with Pyomo, ``highspy.readModel`` it.

Reported: translate seconds (Pyomo model → HiGHS holds it), solve seconds, objective (all paths
must agree to 1e-9 relative).

    python benchmarks/bench_translation.py [--repeats 3] [--hours 8760]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, tempfile, time, os
import highspy, pyomo.environ as pyo
from planning.config import load_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
path, hours, method = sys.argv[1], int(sys.argv[2]), sys.argv[3]
scenario = load_scenario(path, [f"horizon.hours={hours}"])
model = build_model(load_inputs(scenario)).model
if method == "standard_form":
    result = solve_model(model, scenario.solver)
    out = {"translate_s": result.translate_s, "solve_s": result.solve_s, "objective": result.objective}
elif method == "appsi":
    from pyomo.contrib.appsi.solvers.highs import Highs
    solver = Highs()
    solver.config.load_solution = False
    start = time.perf_counter()
    solver.set_instance(model)
    translate = time.perf_counter() - start
    start = time.perf_counter()
    res = solver.solve(model)
    out = {"translate_s": translate, "solve_s": time.perf_counter() - start, "objective": res.best_feasible_objective}
else:
    folder = tempfile.mkdtemp()
    lp = os.path.join(folder, "model.lp")
    start = time.perf_counter()
    model.write(lp, io_options={"symbolic_solver_labels": False})
    highs = highspy.Highs(); highs.setOptionValue("output_flag", False)
    highs.readModel(lp)
    translate = time.perf_counter() - start
    start = time.perf_counter()
    highs.run()
    out = {"translate_s": translate, "solve_s": time.perf_counter() - start, "objective": highs.getInfo().objective_function_value}
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "translation.csv")
    args = parser.parse_args()
    rows = []
    for method in ("standard_form", "appsi", "lp_file"):
        runs = []
        for _ in range(args.repeats):
            done = subprocess.run([sys.executable, "-c", CHILD, str(REPO / "scenarios" / "isone_2030.yaml"), str(args.hours), method],
                                  capture_output=True, text=True, cwd=REPO, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        rows.append({"method": method, "hours": args.hours, "repeats": args.repeats,
                     "translate_s": statistics.median(r["translate_s"] for r in runs),
                     "solve_s": statistics.median(r["solve_s"] for r in runs), "objective": runs[-1]["objective"]})
        print(json.dumps(rows[-1]), flush=True)
    import pandas as pd

    table = pd.DataFrame(rows).set_index("method")
    reference = table.loc["standard_form", "objective"]
    table["objective_rel_diff"] = (table["objective"] - reference).abs() / abs(reference)
    table["translate_vs_standard_form"] = table["translate_s"] / table.loc["standard_form", "translate_s"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out)
    print(table.to_string(float_format=lambda v: f"{v:,.4g}"))


if __name__ == "__main__":
    main()
