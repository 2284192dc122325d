"""HiGHS settings on the full-year data-center LPs, each LP alone (run by hand; issue 16 goals 2 and 3).

    python benchmarks/bench_datacenter_lp_options.py [--settings choose devex ...] [--lps inflexible learned ...]
        [--time-limit 240] [--dir /tmp/dc_lps] [--out benchmarks/results/bench_datacenter_lp_options.csv]

The screens behind the ``datacenter_lp`` class (``planning.optimization.solve.TUNED_OPTIONS``) and the two passes of
the lexicographic tie-break (``planning.optimization.tie_break``), on ``scenarios/isone_datacenter_2030.yaml``
(8760 h). Each LP is compiled once and written to MPS (``--dir``; kept and reused); each (LP, setting) is then read
into a fresh ``highspy.Highs`` in a process of its own, 1 thread; recorded: status, objective, simplex iterations,
the process CPU of ``run()`` and the 1-minute load. LPs (``LPS``):

* ``inflexible`` — the campus as a fixed load;
* ``learned_full`` — the learned campus with the tie-break's columns and defining rows present at zero cost (pass 1
  before 2026-11-30 night);
* ``learned`` — the same without them (:func:`planning.optimization.tie_break.without_tie_break`: pass 1 now);
* ``headroom`` — the headroom's "largest new load" LP on the same campus (``planning headroom``'s first solve after
  the base dispatch, budget 0.25 %), which the class leaves to HiGHS' choice.

Settings (``SETTINGS``): ``choose`` (HiGHS' own), ``devex``, ``devex_nopresolve`` (the ``datacenter_lp`` class),
``steepest_edge``. ``--pass2`` also times pass 2 on ``learned_full``'s optimal face: primal simplex from pass 1's
basis on the whole face (before) against presolve + dual simplex (now).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "isone_datacenter_2030.yaml"
SETTINGS = {
    "choose": {},
    "devex": {"simplex_dual_edge_weight_strategy": 1},
    "devex_nopresolve": {"simplex_dual_edge_weight_strategy": 1, "presolve": "off"},
    "steepest_edge": {"simplex_dual_edge_weight_strategy": 2},
}
LPS = ("inflexible", "learned_full", "learned", "headroom")

SOLVE = """
import json, os, sys, time, highspy
path, options, limit = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
h = highspy.Highs(); h.setOptionValue("output_flag", False); h.setOptionValue("threads", 1)
for key, value in {**options, "time_limit": limit}.items(): h.setOptionValue(key, value)
h.readModel(path)
load = os.getloadavg()[0]; cpu = time.process_time(); h.run(); info = h.getInfo()
print(json.dumps({"status": h.modelStatusToString(h.getModelStatus()), "objective": info.objective_function_value,
                  "iterations": info.simplex_iteration_count, "cpu_s": time.process_time() - cpu, "load_1min": load}))
"""

PASS2 = """
import json, sys, time, numpy as np, highspy
from planning.optimization import tie_break
path, g = sys.argv[1], np.load(sys.argv[2])
h = highspy.Highs(); h.setOptionValue("output_flag", False); h.setOptionValue("threads", 1)
h.setOptionValue("simplex_dual_edge_weight_strategy", 1); h.readModel(path); h.run()
lp, solution = h.getLp(), h.getSolution()
x, reduced = np.asarray(solution.col_value), np.asarray(solution.col_dual)
activity, dual = np.asarray(solution.row_value), np.asarray(solution.row_dual)
rows = []
# now: presolve + dual simplex on the face, from its own start
cpu = time.process_time(); now = tie_break.minimise_on_optimal_face(lp, x, reduced, activity, dual, g, {"threads": 1})
rows.append({"pass2": "presolve_dual", "cpu_s": time.process_time() - cpu, "iterations": now.iterations, "tie_break": now.tie_break_cost})
# before: the same face, primal simplex from pass 1's basis, no presolve
face = highspy.HighsLp(); face.num_col_, face.num_row_, face.a_matrix_ = lp.num_col_, lp.num_row_, lp.a_matrix_
lower, upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
pinned, at = np.abs(reduced) > tie_break.FACE_TOLERANCE, tie_break._nearest_bound(x, lower, upper)
face.col_lower_, face.col_upper_ = np.where(pinned, at, lower), np.where(pinned, at, upper)
row_lower, row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
active, side = np.abs(dual) > tie_break.FACE_TOLERANCE, tie_break._nearest_bound(activity, row_lower, row_upper)
face.row_lower_, face.row_upper_ = np.where(active, side, row_lower), np.where(active, side, row_upper)
face.col_cost_ = g
before = highspy.Highs(); before.setOptionValue("output_flag", False); before.setOptionValue("threads", 1)
before.setOptionValue("simplex_strategy", 4); before.setOptionValue("presolve", "off"); before.passModel(face); before.setBasis(h.getBasis())
cpu = time.process_time(); before.run()
rows.append({"pass2": "basis_primal", "cpu_s": time.process_time() - cpu, "iterations": before.getInfo().simplex_iteration_count,
             "tie_break": before.getInfo().objective_function_value})
print(json.dumps(rows))
"""


class _Captured(Exception):
    def __init__(self, model):
        self.model = model


def write_lps(folder: Path, lps: list[str]) -> None:
    """Compile the LPs to ``folder/<name>.mps`` (the tie-break's costs of ``learned_full`` to ``learned_full_g.npy``)."""
    import highspy
    import numpy as np

    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.solve import highs_lp
    from planning.optimization.tie_break import (
        definition_rows,
        tie_break_costs,
        without_tie_break,
    )

    def write(lp, name: str) -> None:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.passModel(lp)
        highs.writeModel(str(folder / f"{name}.mps"))

    for name in lps:
        if (folder / f"{name}.mps").exists():
            continue
        overrides = ["datacenters.campus.flexibility=inflexible"] if name == "inflexible" else []
        scenario = load_scenario(SCENARIO, overrides)
        inputs = load_inputs(scenario)
        if name == "headroom":
            model = _headroom_model(scenario, inputs)
        else:
            model = build_model(inputs).model
        lp, columns, rows, _ = highs_lp(model)
        g = tie_break_costs(model, columns)
        if g is not None:
            lp.col_cost_ = np.asarray(lp.col_cost_) - g    # pass 1: the costs alone
            np.save(folder / f"{name}_g.npy", g)
        if name == "learned":
            lp = without_tie_break(lp, g, definition_rows(model, rows)).lp
        write(lp, name)


def _headroom_model(scenario, inputs):
    """The model of ``planning headroom``'s largest-new-load solve (its second solve: the first is the base dispatch)."""
    from planning.workflows import headroom

    solve, calls = headroom.solve_model, []

    def capture(model, options, *args, **kwargs):
        calls.append(model)
        if len(calls) == 2:
            raise _Captured(model)
        return solve(model, options, *args, **kwargs)

    headroom.solve_model = capture
    try:
        headroom.solve_headroom(scenario, inputs, 0.0025)
    except _Captured as captured:
        return captured.model
    finally:
        headroom.solve_model = solve
    raise RuntimeError("the headroom workflow did not reach its largest-new-load solve")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lps", nargs="+", default=list(LPS), choices=LPS)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--pass2", action="store_true", help="also time pass 2 (before / now) on learned_full's face")
    parser.add_argument("--time-limit", type=float, default=240.0)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dc_lps"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "bench_datacenter_lp_options.csv")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    write_lps(args.dir, sorted(set(args.lps) | ({"learned_full"} if args.pass2 else set())))
    rows = []
    for name in args.lps:
        for setting in args.settings:
            done = subprocess.run([sys.executable, "-c", SOLVE, str(args.dir / f"{name}.mps"), json.dumps(SETTINGS[setting]),
                                   str(args.time_limit)], capture_output=True, text=True, check=True)
            row = {"lp": name, "setting": setting, **json.loads(done.stdout.strip().splitlines()[-1])}
            print(row, flush=True)
            rows.append(row)
    if args.pass2:
        done = subprocess.run([sys.executable, "-c", PASS2, str(args.dir / "learned_full.mps"), str(args.dir / "learned_full_g.npy")],
                              capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        for row in json.loads(done.stdout.strip().splitlines()[-1]):
            row = {"lp": "learned_full face", "setting": row.pop("pass2"), **row}
            print(row, flush=True)
            rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=sorted({key for row in rows for key in row}, key=lambda k: list(rows[0]).index(k) if k in rows[0] else 99))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
