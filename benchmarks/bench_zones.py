"""Scaling with REAL zones: the full-year expansion LP of the US Eastern Interconnection on 1 … 9 zones.

Issue 16, goal 6. Unlike ``bench_scaling.py`` (identical copies of ISO-NE on a ring), each case is a
real, connected part of ``scenarios/eastern_us_2030.yaml``: the first N zones of ``ORDER`` (PJM, then
its neighbours), with their EIA-860 fleets, measured 2021 demand and the NREL corridors among them.
The data has 9 zones (the US Eastern Interconnection in NREL ReEDS transmission groups), not 12.
For each N: inputs, build, translation and HiGHS time, simplex iterations, peak memory (RSS of a fresh
process), CPU time and the 1-minute load average before and after. With ``--rep-periods K`` each
case is also solved on K representative days (tsam, the scenario's settings otherwise) and compared
with its full year: objective difference and the new capacity by technology.

    python benchmarks/bench_zones.py                       # 1 2 4 8 9 zones, 8760 h, 1 repeat, + 12 rep. days
    python benchmarks/bench_zones.py --zones 1 2 --hours 168 --repeats 3
    python benchmarks/bench_zones.py --zones 9 --only-rep  # the representative days alone
    python benchmarks/bench_zones.py --headroom            # also: the 9-zone headroom table (eastern_us_2030_rep.yaml)

Writes ``benchmarks/results/bench_zones.csv`` (one row per case and horizon: medians over repeats),
``bench_zones_capacity.csv`` (new MW by zone set, technology and horizon; ``_capacity_long.csv`` the same, long) and ``bench_zones.png``.
Each solve runs in a fresh subprocess.
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
SCENARIO = REPO / "scenarios" / "eastern_us_2030.yaml"
# Zones in the order they are added: each prefix is connected (PJM's neighbours first).
ORDER = ["PJM", "MISO_NC", "SERTP", "NYIS", "ISNE", "MISO_S", "SWPP_S", "SWPP_N", "FRCC"]



def eastern_raw(zones: list[str], hours: int = 8760, periods: int = 0) -> dict:
    """The raw scenario mapping of ``eastern_us_2030.yaml`` restricted to ``zones`` (their plants and the corridors
    among them), over ``hours`` (``periods`` > 0: that many representative days, otherwise chronological)."""
    from planning.config.load import load_raw

    raw = load_raw(SCENARIO)
    raw["zones"] = {name: zone for name, zone in raw["zones"].items() if name in zones}
    raw["plants"] = {name: plant for name, plant in raw["plants"].items() if plant["zone"] in zones}
    raw["transmission"] = {name: line for name, line in (raw.get("transmission") or {}).items()
                           if line["from_zone"] in zones and line["to_zone"] in zones}
    raw["horizon"]["hours"] = hours
    raw["horizon"].pop("representative_periods", None)
    if periods:
        raw["horizon"]["representative_periods"] = {"periods": periods, "period_hours": 24}
    return raw


CHILD = r"""
import gc, json, os, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[7])
from bench_zones import eastern_raw
from planning.config.load import validate_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
zones, hours, periods, method = sys.argv[2].split(","), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
raw = eastern_raw(zones, hours, periods)
if method != "scenario":
    raw.setdefault("solver", {})["method"] = method
raw.setdefault("solver", {})["time_limit_s"] = 7200
raw["solver"]["threads"] = int(sys.argv[6])
start = time.perf_counter()
scenario = validate_scenario(raw)
inputs = load_inputs(scenario)
inputs_s = time.perf_counter() - start
built = build_model(inputs)
result = solve_model(built.model, scenario.solver, log_file=Path(sys.argv[8]) if sys.argv[8] else None)
m = built.model
new, new_by_zone = {}, {}
technology, plant_zone = inputs["plant_technology"], inputs["plant_zone"]
for p in m.PLANTS:
    key = str(technology.sel(plant=p).item())
    new[key] = new.get(key, 0.0) + (m.new_mw[p].value or 0.0)
    zone_key = str(plant_zone.sel(plant=p).item()) + "|" + key
    new_by_zone[zone_key] = new_by_zone.get(zone_key, 0.0) + (m.new_mw[p].value or 0.0)
lines = {str(l): (m.new_line_mw[l].value or 0.0) for l in getattr(m, "LINES", [])} if hasattr(m, "new_line_mw") else {}
try:
    iterations = int(result.highs.getInfo().simplex_iteration_count)
    ipm_iterations = int(result.highs.getInfo().ipm_iteration_count)
except Exception:
    iterations = ipm_iterations = -1
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"objective": result.objective, "status": result.status, "inputs_s": inputs_s, "build_s": built.build_s,
                  "translate_s": result.translate_s, "solve_s": result.solve_s, "total_s": time.perf_counter() - start,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "rows": result.num_rows, "columns": result.num_cols,
                  "simplex_iterations": iterations, "ipm_iterations": ipm_iterations,
                  "peak_rss_mb": usage.ru_maxrss / 1024, "new_mw": new, "new_mw_by_zone": new_by_zone, "new_line_mw": lines}))
"""


def run_case(zones: list[str], hours: int, periods: int, method: str, threads: int = 1, log_dir: Path | None = None) -> dict:
    load_before = os.getloadavg()[0]
    log = ""
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log = str(log_dir / f"zones{len(zones)}_{'full' if not periods else f'{periods}days'}_{method}.log")
    done = subprocess.run([sys.executable, "-c", CHILD, str(SCENARIO), ",".join(zones), str(hours), str(periods), method, str(threads),
                           str(REPO / "benchmarks"), log], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"case {zones} {hours} h periods={periods} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(load_before=load_before, load_after=os.getloadavg()[0])
    return result


def capacity_rows(count: int, horizon: str, run: dict) -> list[dict]:
    """New MW of one solve, long: by technology over all zones (``zone`` "all"), by zone and technology, and each
    corridor (``technology`` "corridor", ``zone`` its name); "transmission" is the corridors' sum."""
    rows = [{"zones": count, "horizon": horizon, "zone": "all", "technology": technology, "new_mw": mw}
            for technology, mw in run["new_mw"].items()]
    rows.append({"zones": count, "horizon": horizon, "zone": "all", "technology": "transmission", "new_mw": sum(run["new_line_mw"].values())})
    for key, mw in run.get("new_mw_by_zone", {}).items():
        zone, technology = key.split("|")
        rows.append({"zones": count, "horizon": horizon, "zone": zone, "technology": technology, "new_mw": mw})
    rows += [{"zones": count, "horizon": horizon, "zone": line, "technology": "corridor", "new_mw": mw} for line, mw in run["new_line_mw"].items()]
    return rows


def headroom(folder: Path) -> None:
    """The Duke-style table for the 9 zones: headroom per zone, with and without transmission."""
    import shutil
    import tempfile

    sys.path.insert(0, str(REPO / "benchmarks"))
    from planning_process import run_planning

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "headroom"
        timing = run_planning(["headroom", str(REPO / "scenarios" / "eastern_us_2030_rep.yaml"), "--zone", "all",
                               "--transmission", "both", "--out", str(out), "-q"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / "headroom.csv", folder / "eastern_headroom.csv")
    (folder / "eastern_headroom_timing.json").write_text(json.dumps(timing, indent=1), encoding="utf-8")
    print(json.dumps(timing), flush=True)


def plot(table, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for horizon, style in (("full year", "-o"), ("rep. days", "--s")):
        part = table[table.horizon == horizon].sort_values("zones")
        if part.empty:
            continue
        for column, label in (("build_s", "build, wall"), ("translate_s", "translate, wall"), ("solve_s", "HiGHS, wall"),
                              ("cpu_s", "total CPU")):
            left.plot(part.zones, part[column], style, label=f"{label} ({horizon})", linewidth=2.5 if column == "cpu_s" else 1)
        right.plot(part.zones, part.peak_rss_mb, style, label=horizon)
    left.axhline(300, color="grey", linestyle=":", linewidth=1, label="goal: 5 min")
    left.set(xlabel="zones (real, connected)", ylabel="seconds (median)", yscale="log",
             title="Eastern US expansion LP: time vs zones")
    left.legend(fontsize=7)
    right.set(xlabel="zones (real, connected)", ylabel="peak RSS (MB)", title="memory vs zones")
    right.legend(fontsize=8)
    load = f"1-min load {table.load_before.min():.1f}–{table.load_after.max():.1f} on 2 cores"
    fig.suptitle(f"bench_zones.py — {load}", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, nargs="+", default=[1, 2, 4, 8, 9], help="zone counts (≤ 9: the data has 9 real zones)")
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--rep-periods", type=int, default=12, help="representative days to compare with the full year (0: none)")
    parser.add_argument("--only-rep", action="store_true", help="solve only the representative days (no full year)")
    parser.add_argument("--method", default="scenario", help="HiGHS method: scenario (its solver.method), simplex, ipm, choose")
    parser.add_argument("--threads", type=int, default=1, help="HiGHS threads (solver.threads)")
    parser.add_argument("--log-dir", type=Path, default=None, help="write each solve's HiGHS log there (progress of long runs)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "bench_zones.csv")
    parser.add_argument("--keep", action="store_true", help="keep the rows of other zone counts already in --out (run the cases in pieces)")
    parser.add_argument("--headroom", action="store_true",
                        help="also run `planning headroom scenarios/eastern_us_2030_rep.yaml --zone all --transmission both` "
                             "and write results/eastern_headroom.csv (+ its wall/CPU time and load)")
    args = parser.parse_args()
    if args.headroom:
        headroom(args.out.parent)
    if max(args.zones) > len(ORDER):
        raise SystemExit(f"--zones: at most {len(ORDER)} (the data has {len(ORDER)} real zones)")
    import pandas as pd

    rows, capacity = [], []
    for count in args.zones:
        zones = ORDER[:count]
        cases = ([] if args.only_rep else [("full year", 0)]) + ([("rep. days", args.rep_periods)] if args.rep_periods else [])
        for horizon, periods in cases:
            runs = [run_case(zones, args.hours, periods, args.method, args.threads, args.log_dir) for _ in range(args.repeats)]
            row = {"zones": count, "zone_names": " ".join(zones), "horizon": horizon, "periods": periods, "hours": args.hours,
                   "method": args.method, "threads": args.threads, "repeats": args.repeats, "status": runs[-1]["status"], "objective": runs[-1]["objective"],
                   "rows": runs[-1]["rows"], "columns": runs[-1]["columns"], "simplex_iterations": runs[-1]["simplex_iterations"],
                   "ipm_iterations": runs[-1]["ipm_iterations"],
                   "load_before": min(r["load_before"] for r in runs), "load_after": max(r["load_after"] for r in runs)}
            row.update({key: statistics.median(r[key] for r in runs) for key in
                        ("inputs_s", "build_s", "translate_s", "solve_s", "total_s", "cpu_s", "peak_rss_mb")})
            rows.append(row)
            capacity.extend(capacity_rows(count, horizon, runs[-1]))
            print(json.dumps({**row, **{key: runs[-1][key] for key in ("new_mw", "new_mw_by_zone", "new_line_mw")}}), flush=True)
    table = pd.DataFrame(rows)
    capacity = pd.DataFrame(capacity)
    capacity_out = args.out.with_name(args.out.stem + "_capacity_long.csv")
    if args.keep and args.out.exists():
        old = pd.read_csv(args.out)
        table = pd.concat([old[~old.zones.isin(args.zones)], table], ignore_index=True).sort_values(["zones", "horizon"]).reset_index(drop=True)
        if capacity_out.exists():
            old = pd.read_csv(capacity_out)
            capacity = pd.concat([old[~old.zones.isin(args.zones)], capacity], ignore_index=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    capacity.to_csv(capacity_out, index=False)
    full = table[table.horizon == "full year"].set_index("zones")
    rep = table[table.horizon == "rep. days"].set_index("zones")
    for count in rep.index.intersection(full.index):
        mask = (table.zones == count) & (table.horizon == "rep. days")
        table.loc[mask, "objective_vs_full_year"] = rep.loc[count, "objective"] / full.loc[count, "objective"] - 1
        table.loc[mask, "cpu_speedup"] = full.loc[count, "cpu_s"] / rep.loc[count, "cpu_s"]
        table.loc[mask, "wall_speedup"] = full.loc[count, "total_s"] / rep.loc[count, "total_s"]
    if len(capacity):
        if "zone" not in capacity:  # rows written before zones and corridors were kept
            capacity["zone"] = "all"
        capacity["zone"] = capacity["zone"].fillna("all")
        wide = capacity.pivot_table(index=["zones", "zone", "technology"], columns="horizon", values="new_mw").reset_index()
        if {"full year", "rep. days"} <= set(wide.columns):
            # capacity error as bench_periods: (rep − full) / max(full, 1 % of the zones' peak load)
            wide["difference_mw"] = wide["rep. days"] - wide["full year"]
        capacity = wide
    table.to_csv(args.out, index=False)
    capacity.to_csv(args.out.with_name(args.out.stem + "_capacity.csv"), index=False)
    plot(table, args.out.with_suffix(".png"))
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    print(capacity.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))


if __name__ == "__main__":
    main()
