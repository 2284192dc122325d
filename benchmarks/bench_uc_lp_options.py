"""HiGHS settings on the decomposition's bound: the strengthened full-year linear-UC LP (run by hand).

    python benchmarks/bench_uc_lp_options.py [--variants devex1 devex2 ...] [--time-limit 120]
        [--mps /tmp/linear_uc.mps] [--out benchmarks/results/bench_uc_lp_options.csv]

The LP is the one ``unit_commitment.strategy: decomposed`` solves first (investments and lower bound):
scenarios/isone_2030.yaml with the units of bench_uc.py, every integer relaxed and the whole-unit rows
strengthened (:func:`planning.optimization.decomposition.strengthened_linear_form`), 201 482 rows × 192 738
columns. It is written once to an MPS file (``--mps``; kept, and reused if it exists); every variant then reads
that file into a fresh ``highspy.Highs`` in a process of its own and solves it to optimality or ``--time-limit``.
Recorded per variant: status, objective, simplex/IPM iterations, HiGHS wall time, the process CPU time of
``run()`` (steadier than wall on a shared machine) and the 1-minute load before and after.

Variants (``VARIANTS``): ``devex1`` dual simplex with Devex pricing on 1 thread (the decomposition's setting),
``devex2`` the same on 2 threads, ``nopresolve`` Devex without presolve, ``pami2`` parallel dual simplex
(PAMI, 2 threads), ``primal1`` primal simplex, ``nolimit`` Devex on the LP without the commit_limit rows of
plants that have min_down rows (committed ≤ units is implied by Σ shut-downs ≤ units − committed) — a
smaller LP with the same optimum; ``inmemory`` Devex on the LP as the decomposition hands it to HiGHS
(built in the variant's process and passed with ``passModel``, no MPS file: the file rounds the data at the
1e-10 level, enough to change the simplex path); ``inmemory_nopresolve`` the same without presolve. On top of
``nopresolve`` (2026-11-30 night): ``scale_equilibration`` / ``scale_off`` / ``scale_max_value``
(``simplex_scale_strategy`` 2 / 0 / 4), ``no_perturbation`` (dual cost perturbation off), ``crash_ltssf``
(``simplex_crash_strategy`` 1).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DEVEX = {"simplex_dual_edge_weight_strategy": 1}
VARIANTS = {
    "devex1": {"threads": 1, **DEVEX},
    "devex2": {"threads": 2, **DEVEX},
    "nopresolve": {"threads": 1, "presolve": "off", **DEVEX},
    "pami2": {"threads": 2, "simplex_strategy": 2, "simplex_max_concurrency": 2, **DEVEX},
    "primal1": {"threads": 1, "simplex_strategy": 4},
    "nolimit": {"threads": 1, **DEVEX},
    "inmemory": {"threads": 1, **DEVEX},
    "inmemory_nopresolve": {"threads": 1, "presolve": "off", **DEVEX},
    "scale_equilibration": {"threads": 1, "presolve": "off", "simplex_scale_strategy": 2, **DEVEX},
    "scale_off": {"threads": 1, "presolve": "off", "simplex_scale_strategy": 0, **DEVEX},
    "scale_max_value": {"threads": 1, "presolve": "off", "simplex_scale_strategy": 4, **DEVEX},
    "no_perturbation": {"threads": 1, "presolve": "off", "dual_simplex_cost_perturbation_multiplier": 0.0, **DEVEX},
    "crash_ltssf": {"threads": 1, "presolve": "off", "simplex_crash_strategy": 1, **DEVEX},
}

SOLVE = """
import json, os, sys, time, highspy
path, options, limit = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
h = highspy.Highs(); h.setOptionValue("output_flag", False)
if path == "inmemory":
    sys.path[:0] = [sys.argv[4], sys.argv[5]]
    from bench_uc_lp_options import linear_form
    h.passModel(linear_form().lp)
else:
    h.readModel(path)
for key, value in {**options, "time_limit": limit}.items(): h.setOptionValue(key, value)
load = os.getloadavg()[0]; cpu = time.process_time(); wall = time.perf_counter()
h.run()
info = h.getInfo()
print(json.dumps({"status": h.modelStatusToString(h.getModelStatus()), "objective": info.objective_function_value,
                  "simplex_iterations": info.simplex_iteration_count, "ipm_iterations": info.ipm_iteration_count,
                  "wall_s": round(time.perf_counter() - wall, 1), "cpu_s": round(time.process_time() - cpu, 1),
                  "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}))
"""


def linear_form():
    """The strengthened linear-UC LP of the benchmark case, compiled (:class:`planning.optimization.decomposition.Compiled`)."""
    from bench_uc import UNITS
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.decomposition import strengthened_linear_form

    scenario = load_scenario(ROOT / "scenarios" / "isone_2030.yaml", [*UNITS, "unit_commitment.mode=integer"])
    inputs = load_inputs(scenario).assign_attrs(unit_commitment_mode="linear")
    return strengthened_linear_form(build_model(inputs).model, inputs)[0]


def write_lps(mps: Path) -> tuple[Path, Path]:
    """The strengthened linear-UC LP (``mps``) and the same without implied commit_limit rows (``*_nolimit.mps``)."""
    nolimit = mps.with_name(mps.stem + "_nolimit.mps")
    if mps.exists() and nolimit.exists():
        return mps, nolimit
    import highspy
    import numpy as np

    form = linear_form()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(form.lp)
    highs.writeModel(str(mps))
    with_down = {row[0].index()[0] for row in form.rows if row[0].parent_component().local_name == "min_down"}
    drop = np.array([i for i, row in enumerate(form.rows)
                     if row[0].parent_component().local_name == "commit_limit" and row[0].index()[0] in with_down], dtype=np.int32)
    highs.deleteRows(len(drop), drop)
    highs.writeModel(str(nolimit))
    print(f"wrote {mps} and {nolimit} ({len(drop)} commit_limit rows of {sorted(with_down)} dropped)", flush=True)
    return mps, nolimit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--mps", type=Path, default=Path("/tmp/linear_uc.mps"))
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bench_uc_lp_options.csv")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    mps, nolimit = write_lps(args.mps)
    rows = []
    for name in args.variants:
        path = nolimit if name == "nolimit" else "inmemory" if name.startswith("inmemory") else mps
        done = subprocess.run([sys.executable, "-c", SOLVE, str(path), json.dumps(VARIANTS[name]), str(args.time_limit), str(HERE), str(ROOT)],
                              capture_output=True, text=True, check=True)
        row = {"variant": name, "options": json.dumps(VARIANTS[name]), **json.loads(done.stdout.strip().splitlines()[-1])}
        print(row, flush=True)
        rows.append(row)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
