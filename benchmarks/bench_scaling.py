"""Scaling in zones (and hours): the ISO-NE example split into N identical zones on a ring.

For N = 1, 2, 4, 8 (``--zones``) each zone gets 1/N of ISO-NE's measured demand and of the
existing fleet of ``scenarios/isone_week.yaml`` (same technologies, same capacity factors, same
expansion options), and zone i is joined to zone i+1 (mod N) by a 2,000 MW corridor that may be
expanded. The optimum therefore has the single zone's cost (a check, printed as
``objective_vs_one_zone``), while the model grows N-fold; the benchmark shows how build,
translation and HiGHS time grow. Each case runs in a fresh subprocess; medians over ``--repeats``.

    python benchmarks/bench_scaling.py [--zones 1 2 4 8] [--hours 168 2190] [--repeats 3]
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
import json, resource, sys, time
from planning.config.load import load_raw, validate_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
path, zones, hours = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw = load_raw(__import__("pathlib").Path(path))
raw["horizon"]["hours"] = hours
raw["horizon"]["storage_cycle"] = "day" if hours % 168 else "week"
base_zone = raw["zones"].pop("isone")
base_plants = raw.pop("plants")
raw["zones"], raw["plants"], raw["transmission"] = {}, {}, {}
for i in range(zones):
    zone = f"z{i}"
    raw["zones"][zone] = {**base_zone, "demand": {**base_zone["demand"], "scale": 1.0 / zones}}
    for name, plant in base_plants.items():
        scaled = dict(plant, zone=zone)
        for key in ("existing_mw", "existing_mwh", "max_new_mw", "max_new_mwh"):
            if scaled.get(key):
                scaled[key] = scaled[key] / zones
        raw["plants"][f"{zone}_{name}"] = scaled
    if zones > 1 and not (zones == 2 and i == 1):
        raw["transmission"][f"{zone}_z{(i + 1) % zones}"] = {"from_zone": zone, "to_zone": f"z{(i + 1) % zones}",
                                                           "existing_mw": 2000, "max_new_mw": 5000, "capex_per_mw": 1.5e6}
start = time.perf_counter()
scenario = validate_scenario(raw)
inputs = load_inputs(scenario)
built = build_model(inputs)
result = solve_model(built.model, scenario.solver)
print(json.dumps({"objective": result.objective, "status": result.status, "build_s": built.build_s,
                  "translate_s": result.translate_s, "solve_s": result.solve_s, "total_s": time.perf_counter() - start,
                  "rows": result.num_rows, "columns": result.num_cols,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--hours", type=int, nargs="+", default=[168, 2184])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "scaling.csv")
    args = parser.parse_args()
    rows = []
    for hours in args.hours:
        for zones in args.zones:
            runs = []
            for _ in range(args.repeats):
                done = subprocess.run([sys.executable, "-c", CHILD, str(REPO / "scenarios" / "isone_week.yaml"), str(zones), str(hours)],
                                      capture_output=True, text=True, cwd=REPO, check=True)
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            row = {"zones": zones, "hours": hours, "repeats": args.repeats, "status": runs[-1]["status"],
                   "objective": runs[-1]["objective"], "rows": runs[-1]["rows"], "columns": runs[-1]["columns"]}
            row.update({key: statistics.median(run[key] for run in runs) for key in ("build_s", "translate_s", "solve_s", "total_s", "peak_rss_mb")})
            rows.append(row)
            print(json.dumps(row), flush=True)
    import pandas as pd

    table = pd.DataFrame(rows)
    one = table[table.zones == 1].set_index("hours")
    if len(one):
        table["objective_vs_one_zone"] = table.apply(lambda r: r.objective / one.loc[r.hours, "objective"] - 1 if r.hours in one.index else float("nan"), axis=1)
        table["total_vs_one_zone"] = table.apply(lambda r: r.total_s / one.loc[r.hours, "total_s"] if r.hours in one.index else float("nan"), axis=1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))


if __name__ == "__main__":
    main()
