"""Clustered-UC expansion MILP on the full year, integer vs linear commitment (run by hand).

    python benchmarks/bench_uc.py [--time-limit 600] [--threads 2] [--cases integer linear rp12-integer]

Units: CCGT 500 MW (min stable 0.4, min up 6 h, min down 4 h, start 60 $/MW, ramps 0.5/h),
OCGT 100 MW (min up 2 h, start 20 $/MW); scenario scenarios/isone_2030.yaml. The HiGHS log of the
integer run is parsed for the time at which the MIP gap first fell to 0.5 % and to 0.1 %.
Writes benchmarks/results/bench_uc.csv and the HiGHS logs next to it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from planning.config import load_scenario
from planning.workflows.run import solve_scenario

ROOT = Path(__file__).resolve().parents[1]
UNITS = [
    "technologies.ccgt.unit_size_mw=500", "technologies.ccgt.min_stable_output=0.4",
    "technologies.ccgt.min_up_hours=6", "technologies.ccgt.min_down_hours=4",
    "technologies.ccgt.startup_cost_per_mw=60", "technologies.ccgt.ramp_up_per_hour=0.5",
    "technologies.ccgt.ramp_down_per_hour=0.5",
    "technologies.ocgt.unit_size_mw=100", "technologies.ocgt.min_up_hours=2", "technologies.ocgt.startup_cost_per_mw=20",
]


def gap_times(log: Path) -> dict[str, float]:
    """First time (s) at which HiGHS' reported gap was ≤ 0.5 % and ≤ 0.1 % (NaN if never)."""
    found = {"t_gap_0.5pct_s": float("nan"), "t_gap_0.1pct_s": float("nan")}
    if not log.exists():
        return found
    for line in log.read_text(errors="ignore").splitlines():
        tokens = line.split()
        percents = [token for token in tokens if token.endswith("%")]
        # B&B lines: ... explored% dual_bound primal_bound gap% ... time_s
        if len(percents) < 2 or not tokens[-1].endswith("s"):
            continue
        try:
            gap, seconds = float(percents[1].rstrip("%")), float(tokens[-1].rstrip("s"))
        except ValueError:
            continue
        for key, limit in (("t_gap_0.5pct_s", 0.5), ("t_gap_0.1pct_s", 0.1)):
            if gap <= limit and pd.isna(found[key]):
                found[key] = seconds
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", nargs="+", default=["linear", "integer", "rp12-integer"])
    parser.add_argument("--option", action="append", default=[], help="extra HiGHS option NAME=VALUE, e.g. mip_heuristic_effort=0.3")
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in args.cases:
        overrides = [*UNITS, f"solver.time_limit_s={args.time_limit}", f"solver.threads={args.threads}", "solver.mip_gap=0.001"]
        overrides += [f"solver.options.{item}" for item in args.option]
        mode = case.split("-")[-1]
        overrides.append(f"unit_commitment.mode={mode}")
        if case.startswith("rp12"):
            overrides.append("horizon.representative_periods.periods=12")
        scenario = load_scenario(ROOT / "scenarios" / "isone_2030.yaml", overrides)
        log = out / f"bench_uc_{case}.log"
        log.unlink(missing_ok=True)
        start = time.perf_counter()
        results, solved, timings = solve_scenario(scenario, log_file=log)
        wall = time.perf_counter() - start
        row = {"case": case, "objective": solved.objective, "status": solved.status, "mip_gap": solved.mip_gap,
               "wall_s": wall, "solve_s": timings["solve_s"], "rows": solved.num_rows, "columns": solved.num_cols,
               **(gap_times(log) if mode == "integer" else {})}
        for name, value in zip(results["plant_technology"].values, results["total_mw"].values):
            row[f"{name}_mw"] = float(value)
        if "energy_mwh" in results:
            row["battery_mwh"] = float(results["energy_mwh"].sum())
        rows.append(row)
        print(row, flush=True)
    frame = pd.DataFrame(rows)
    frame.to_csv(out / "bench_uc.csv", index=False)
    print(frame.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
