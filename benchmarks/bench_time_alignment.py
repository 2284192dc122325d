"""What reading the EIA-930 files one hour early cost: the full-year example, hour-ending vs the old row reading.

Until 2026-11-30 row *i* of ``data/grid/isne_2021.csv`` was taken as the hour *beginning* at its
stamp, although EIA-930 stamps an hour by its *end*: every series sat one hour early. This script
solves ``scenarios/isone_2030.yaml`` (one zone, the real fleet, full chronological year, an LP)
twice on the same machine:

* ``hour_ending``   — as bundled: rows aligned by their stamps, hour-ending (the last hour of 2021
  repeats the one before, ``edge_fill_hours: 1``);
* ``hour_beginning`` — every reference to the file declared ``time_convention: hour_beginning``,
  which reproduces the old row-by-row reading exactly (the file's stamps then cover 2021).

and writes one row per case: objective, CO2, new capacity by technology, timings, plus the
relative change. One solve at a time, one thread.

    python benchmarks/bench_time_alignment.py [--hours 8760] [--out benchmarks/results/time_alignment.csv]
    python benchmarks/bench_time_alignment.py --hours 168      # quick: the week of 2021-08-01
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from planning.config import load_scenario
from planning.workflows.run import solve_scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "isone_2030.yaml"
GRID_FILE = "isne_2021.csv"


def references(scenario) -> list[str]:
    """YAML key paths of every time series read from the EIA-930 ISO-NE file."""
    keys = [f"zones.{name}.demand" for name, zone in scenario.zones.items() if zone.demand.file.name == GRID_FILE]
    keys += [f"plants.{name}.profile" for name, plant in scenario.plants.items()
             if plant.profile is not None and plant.profile.file.name == GRID_FILE]
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=8760, help="8760 = the full year; otherwise that many hours from 2021-08-01T00:00Z")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "time_alignment.csv")
    args = parser.parse_args()
    base = ["solver.threads=1", "solver.time_limit_s=1800"]
    if args.hours != 8760:
        base += ["horizon.start_hour=5088", f"horizon.hours={args.hours}", "horizon.storage_cycle=" + ("week" if args.hours % 168 == 0 else "day")]
    keys = references(load_scenario(SCENARIO, base))
    cases = {"hour_ending": base, "hour_beginning": base + [f"{key}.time_convention=hour_beginning" for key in keys]}
    rows = []
    for case, overrides in cases.items():
        start = time.perf_counter()
        scenario = load_scenario(SCENARIO, overrides)
        results, solved, timings = solve_scenario(scenario)
        row = {"case": case, "hours": args.hours, "objective": solved.objective, "status": solved.status,
               "co2_t": float(results["co2_t"]), "total_s": time.perf_counter() - start}
        new = results["new_mw"].to_series().groupby(results["plant_technology"].to_series()).sum()
        row.update({f"new_{technology}_mw": value for technology, value in new.items()})
        row["load_average_1min"] = os.getloadavg()[0]
        rows.append(row)
        print(f"{case}: objective {solved.objective:,.0f}, CO2 {row['co2_t']:,.0f} t, {row['total_s']:.1f} s", flush=True)
    frame = pd.DataFrame(rows)
    reference = frame.set_index("case").loc["hour_beginning", "objective"]
    frame["objective_change_vs_hour_beginning"] = frame["objective"] / reference - 1.0
    frame["date"] = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%MZ")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, float_format="%.10g")
    print(frame.T.to_string())


if __name__ == "__main__":
    main()
