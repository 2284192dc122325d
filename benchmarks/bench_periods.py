"""Representative periods vs the full chronological year (run by hand, ~2–4 minutes).

    python benchmarks/bench_periods.py [--scenario scenarios/isone_2030.yaml] [--days 4 8 12 24]
                                       [--representations distribution_minmax medoid ...]

For each setting: objective and built capacities relative to the full year, and the end-to-end
speed-up (inputs + build + solve). Writes benchmarks/results/bench_periods.csv and prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from planning.config import load_scenario
from planning.workflows.run import solve_scenario

ROOT = Path(__file__).resolve().parents[1]


def run(scenario_file: Path, overrides: list[str]) -> dict:
    start = time.perf_counter()
    scenario = load_scenario(scenario_file, overrides)
    results, solved, _ = solve_scenario(scenario)
    wall = time.perf_counter() - start
    tech = results["plant_technology"].values
    row = {"objective": solved.objective, "wall_s": wall}
    for name, value in zip(tech, results["total_mw"].values):
        row[f"{name}_mw"] = float(value)
    if "energy_mwh" in results:
        row["battery_mwh"] = float(results["energy_mwh"].sum())
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "isone_2030.yaml"))
    parser.add_argument("--days", type=int, nargs="+", default=[4, 8, 12, 24])
    parser.add_argument("--representations", nargs="+", default=["distribution_minmax", "distribution_minmax_medoid", "medoid"])
    parser.add_argument("--set", dest="sets", action="append", default=[], help="extra overrides for every run")
    args = parser.parse_args()
    scenario_file = Path(args.scenario)

    full = run(scenario_file, args.sets)
    rows = [{"setting": "full year", **full}]
    print(f"full year: {full['objective']:.6g} in {full['wall_s']:.1f} s", flush=True)
    for representation in args.representations:
        for days in args.days:
            for link in (True,):
                overrides = [*args.sets, f"horizon.representative_periods.periods={days}",
                             f"horizon.representative_periods.representation={representation}",
                             f"horizon.representative_periods.link_storage={str(link).lower()}"]
                row = run(scenario_file, overrides)
                rows.append({"setting": f"{days} days, {representation}", **row})
                print(f"{days:3d} days {representation:28s}: {100 * (row['objective'] / full['objective'] - 1):+.2f} %"
                      f" in {row['wall_s']:.1f} s", flush=True)
    frame = pd.DataFrame(rows)
    frame["cost_error_pct"] = 100 * (frame["objective"] / full["objective"] - 1)
    frame["speed_up"] = full["wall_s"] / frame["wall_s"]
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "bench_periods.csv", index=False)
    capacity_columns = [c for c in frame.columns if c.endswith("_mw") or c == "battery_mwh"]
    table = frame[["setting", "cost_error_pct", "speed_up", *capacity_columns]].round(2)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
