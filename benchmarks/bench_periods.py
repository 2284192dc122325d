"""Representative periods vs the full chronological year: cost error, per-technology capacity error, speed-up.

    python benchmarks/bench_periods.py                       # both full-year examples, the settings below
    python benchmarks/bench_periods.py --scenario scenarios/isone_2030.yaml --set policy.co2_price_per_t=100 --tag co2_100
    python benchmarks/bench_periods.py --only default        # settings whose name contains "default"
    python benchmarks/bench_periods.py --reference-cache /tmp/periods   # reuse full-year solves of the same inputs

For each scenario the full year is solved once (or read from ``--reference-cache``, keyed by a hash of
the resolved scenario and the input files' contents), then every setting of :data:`SETTINGS`. Per
setting: total-cost error, each technology's total capacity (MW; storage also MWh) relative to the
full year, and the speed-up. Capacity error = (reduced − full) / max(full, 1 % of the peak load) —
a technology the full year does not build may be built by at most 0.1 % of the peak load to stay
within 10 %. The goal (issue 11): cost within 1 % and every capacity within 10 % at ≥ 10× speed-up.
With ``--regret NAME``, the capacities of the matching settings are fixed in the full year and the
year re-solved: ``regret_pct`` = how much dearer the full year is with them than with its optimum.

Timings, in one process after a warm-up per scenario (one untimed reduced run: imports, tsam's
first call): ``wall`` = inputs + aggregation + build + solve (the full year: inputs + build + solve),
``cpu`` = the same in process CPU seconds — the machine is shared, so the CPU ratio is the steadier
figure; load averages before and after are printed and written. Writes
benchmarks/results/bench_periods[_<tag>].csv (one row per scenario and setting) and prints Markdown
tables.

Not in the list: weeks (8760 h is not a whole number of weeks), ``method: kmedoids`` (tsam solves an exact MILP over all 365 days: > 4 minutes
without finishing here, so no speed-up).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planning.config import load_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [ROOT / "scenarios" / "isone_2030.yaml", ROOT / "scenarios" / "isone_datacenter_2030.yaml"]
P = "horizon.representative_periods"

#: name → overrides (the representative-period settings tried; "default" = the schema's defaults).
MINMAX = [f"{P}.representation=distribution_minmax", f"{P}.keep_peak_net_load=false"]  # the default before 2026-11-30
SETTINGS: dict[str, list[str]] = {
    "default (12 days, distribution_minmax_medoid, peak load + peak net load)": [f"{P}.periods=12"],
    "8 days": [f"{P}.periods=8"],
    "16 days": [f"{P}.periods=16"],
    "24 days": [f"{P}.periods=24"],
    "12 days, no peak net load": [f"{P}.periods=12", f"{P}.keep_peak_net_load=false"],
    "12 days, distribution_minmax (old default)": [f"{P}.periods=12", *MINMAX],
    "8 days, distribution_minmax": [f"{P}.periods=8", *MINMAX],
    "24 days, distribution_minmax": [f"{P}.periods=24", *MINMAX],
    "12 days, medoid": [f"{P}.periods=12", f"{P}.representation=medoid"],
    "12 days, medoid, means not preserved": [f"{P}.periods=12", f"{P}.representation=medoid", f"{P}.preserve_means=false"],
    "12 days, extremes replace": [f"{P}.periods=12", f"{P}.extreme_method=replace"],
    "12 days, total load weight 3": [f"{P}.periods=12", f"{P}.weights={{total_load_mw: 3}}"],
}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def capacities(model: pyo.ConcreteModel, inputs) -> dict[str, float]:
    """Total capacity per technology (MW) and storage energy (MWh)."""
    technology = dict(zip(map(str, inputs["plant"].values), map(str, inputs["plant_technology"].values)))
    out: dict[str, float] = {}
    for p in model.PLANTS:
        key = f"{technology[p]}_mw"
        out[key] = out.get(key, 0.0) + float(pyo.value(model.capacity_mw[p]))
    for s in getattr(model, "STORAGE", []):
        key = f"{technology[s]}_mwh"
        out[key] = out.get(key, 0.0) + float(pyo.value(model.energy_mwh[s]))
    return out


INVESTMENTS = ("new_mw", "retired_mw", "new_mwh", "retired_mwh", "new_line_mw")


def investment_values(model: pyo.ConcreteModel) -> dict[str, float]:
    """Every investment decision of a solved model, by variable name."""
    return {var.name: float(var.value or 0.0) for name in INVESTMENTS if hasattr(model, name)
            for var in getattr(model, name).values()}


def run(scenario_file: Path, overrides: list[str], fixed: dict[str, float] | None = None) -> dict:
    """Solve; with ``fixed`` (investment values by name) the investments are fixed to them (a dispatch run)."""
    wall, cpu = time.perf_counter(), time.process_time()
    scenario = load_scenario(scenario_file, overrides)
    inputs = load_inputs(scenario)
    built = build_model(inputs)
    for name, value in (fixed or {}).items():
        built.model.find_component(name).fix(value)
    solved = solve_model(built.model, scenario.solver)
    row = {"objective": solved.objective, "status": solved.status, "snapshots": inputs.sizes["snapshot"],
           "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
    row.update(capacities(built.model, inputs))
    row["investments"] = investment_values(built.model)
    if "demand_mw" in inputs:
        from planning.timeseries.aggregate import total_load_mw

        row["peak_load_mw"] = float(total_load_mw(inputs).max())
    return row


def reference_key(scenario_file: Path, overrides: list[str]) -> str:
    """Hash of the resolved scenario and the contents of every input file it reads."""
    scenario = load_scenario(scenario_file, overrides)
    digest = hashlib.sha256(scenario.model_dump_json().encode())
    for name in sorted(str(p) for p in load_inputs(scenario).attrs["input_files"]):
        digest.update(Path(name).read_bytes())
    return digest.hexdigest()[:16]


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (no extra dependency)."""
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, values)) + " |" for values in frame.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", action="append", default=None, help="full-year scenario (repeatable; default: both ISO-NE examples)")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="extra overrides for every run")
    parser.add_argument("--only", default=None, help="run only settings whose name contains this")
    parser.add_argument("--reference-cache", default=None, help="folder to keep full-year results in (by input hash)")
    parser.add_argument("--tag", default="", help="suffix of the results file: bench_periods_<tag>.csv")
    parser.add_argument("--regret", default=None,
                        help="settings (name substring) whose capacities are also fixed in the full year and re-solved: "
                             "the full-year cost of adopting them, vs the full-year optimum (one full-year solve each)")
    args = parser.parse_args()
    scenarios = [Path(s) for s in args.scenario] if args.scenario else SCENARIOS
    settings = {k: v for k, v in SETTINGS.items() if args.only is None or args.only in k}

    rows = []
    for scenario_file in scenarios:
        # Warm-up (imports — a data-center card pulls in the surrogate code —, tsam's first call): one
        # untimed reduced run per scenario; not part of any figure.
        run(scenario_file, [*args.sets, *next(iter(SETTINGS.values()))])
        cache = None
        if args.reference_cache:
            cache = Path(args.reference_cache) / f"full_{scenario_file.stem}_{reference_key(scenario_file, args.sets)}.json"
        load_before = _load()
        if cache is not None and cache.is_file():
            full = json.loads(cache.read_text())
            print(f"{scenario_file.name}: full year from {cache}", flush=True)
        else:
            full = run(scenario_file, args.sets)
            full["load_before"], full["load_after"] = load_before, _load()
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                cache.write_text(json.dumps(full, indent=1))
        print(f"{scenario_file.name}: full year {full['objective']:.6g} in {full['wall_s']:.1f} s wall, {full['cpu_s']:.1f} s CPU "
              f"(load {full['load_before']} → {full['load_after']})", flush=True)
        rows.append({"scenario": scenario_file.stem, "setting": "full year", **full})
        scale = 0.01 * full["peak_load_mw"]
        for name, overrides in settings.items():
            load_before = _load()
            row = run(scenario_file, [*args.sets, *overrides])
            row.update({"scenario": scenario_file.stem, "setting": name, "load_before": load_before, "load_after": _load()})
            row["cost_error_pct"] = 100 * (row["objective"] / full["objective"] - 1)
            row["speed_up_wall"] = full["wall_s"] / row["wall_s"]
            row["speed_up_cpu"] = full["cpu_s"] / row["cpu_s"]
            errors = {}
            for key in [k for k in full if k.endswith(("_mw", "_mwh")) and k != "peak_load_mw"]:
                denominator = max(abs(full[key]), scale * (1 if key.endswith("_mw") else 4))
                errors[key] = 100 * (row.get(key, 0.0) - full[key]) / denominator
                row[f"err_{key}"] = errors[key]
            worst = max(errors, key=lambda k: abs(errors[k]))
            row["worst_capacity"] = f"{worst} {errors[worst]:+.1f} %"
            row["meets_goal"] = bool(abs(row["cost_error_pct"]) <= 1 and all(abs(e) <= 10 for e in errors.values())
                                     and row["speed_up_cpu"] >= 10)
            if args.regret and args.regret in name:
                adopted = run(scenario_file, args.sets, fixed=row["investments"])
                row["regret_pct"] = 100 * (adopted["objective"] / full["objective"] - 1)
                print(f"  {name}: its capacities cost {row['regret_pct']:+.3f} % more than the optimum over the full year", flush=True)
            rows.append(row)
            print(f"  {name:55s} cost {row['cost_error_pct']:+.2f} %  worst {row['worst_capacity']:28s} "
                  f"×{row['speed_up_wall']:.1f} wall ×{row['speed_up_cpu']:.1f} CPU  goal {'yes' if row['meets_goal'] else 'no'}", flush=True)
    frame = pd.DataFrame([{k: v for k, v in row.items() if k != "investments"} for row in rows])
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / f"bench_periods{'_' + args.tag if args.tag else ''}.csv", index=False)
    for scenario, group in frame.groupby("scenario", sort=False):
        error_columns = [c for c in group.columns if c.startswith("err_") and group[c].abs().max() > 0.05]
        regret = ["regret_pct"] if "regret_pct" in group and group["regret_pct"].notna().any() else []
        table = group[group["setting"] != "full year"][["setting", "cost_error_pct", "speed_up_wall", "speed_up_cpu", *error_columns,
                                                        *regret, "meets_goal"]]
        table = table.rename(columns={c: c[4:] + " %" for c in error_columns})
        print(f"\n{scenario} (capacity errors in % of the full year; columns where any setting differs by > 0.05 %)")
        print(markdown(table.round(2)))


if __name__ == "__main__":
    main()
