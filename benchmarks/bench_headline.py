"""The README's headline figures, end to end through the command line (run by hand).

    python benchmarks/bench_headline.py [--cases main year] [--out benchmarks/results/headline.csv]
                                        [--budgets 0.0025 0.005 0.01] [--set KEY=VALUE ...]

Cases:

* ``main`` — ``planning run scenarios/isone_datacenter_week.yaml --twins``: the main example
  (integer unit commitment, reserves, the learned campus and its twins). Its figures are a
  **two-week sample scaled to a year**; the case is here for its wall and CPU time.
* ``year`` — ``planning run scenarios/isone_datacenter_2030.yaml --twins`` (the full chronological
  year, an LP) and ``planning headroom`` on its learned fleet at each budget: the headline figures.

Each command runs in a fresh process; wall time (``time.perf_counter``) and CPU time of the child
(``resource.getrusage(RUSAGE_CHILDREN)``) are recorded with the 1-minute load average before and
after, because this machine is shared. Writes one row per case and twin (value of flexibility:
cost, CO2 and peak against the inflexible twin; firm capacity built = new thermal + storage MW,
its net change after retirements; new OCGT; MIP gap) plus one row per headroom budget, and prints
a Markdown table. Results folders go next to the CSV (``headline_<case>/``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from planning_process import run_planning as run

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "main": ("scenarios/isone_datacenter_week.yaml", "two-week sample scaled to a year"),
    "year": ("scenarios/isone_datacenter_2030.yaml", "full chronological year"),
}


def firm_technologies(results: Path) -> set[str]:
    """Technologies of kind thermal or storage in the run's resolved scenario."""
    from planning.config import load_scenario

    scenario = load_scenario(results / "scenario.resolved.yaml")
    return {name for name, tech in scenario.technologies.items() if tech.kind in ("thermal", "storage")}


def twin_rows(case: str, label: str, results: Path, timing: dict) -> list[dict]:
    twins = pd.read_csv(results / "value_of_flexibility.csv").set_index("twin")
    capacity = pd.read_csv(results / "capacity.csv")
    firm = firm_technologies(results)
    learned_capacity = capacity[capacity.technology.isin(firm)]
    rows = []
    for twin, row in twins.iterrows():
        new = {column[4:-3]: row[column] for column in twins.columns if column.startswith("new_") and column.endswith("_mw")}
        rows.append({
            "case": case, "sample": label, "twin": twin, "budget": float("nan"),
            "total_cost": row["total_cost"], "saving_vs_inflexible": row["saving_vs_inflexible"],
            "co2_t": row["co2_t"], "co2_change_vs_inflexible_t": row["co2_t"] - twins.loc["inflexible", "co2_t"],
            "peak_demand_mw": row["peak_demand_mw"], "peak_change_vs_inflexible_mw": row["peak_demand_mw"] - twins.loc["inflexible", "peak_demand_mw"],
            "unserved_energy_mwh": row["unserved_energy_mwh"], "mip_gap": row.get("mip_gap", float("nan")),
            "firm_new_mw": sum(value for tech, value in new.items() if tech in firm),
            "new_ocgt_mw": new.get("ocgt", 0.0), "new_ccgt_mw": new.get("ccgt", 0.0), "new_battery_mw": new.get("battery", 0.0),
            "new_utility_pv_mw": new.get("utility_pv", 0.0), "new_onshore_wind_mw": new.get("onshore_wind", 0.0),
            # retirements are in capacity.csv of the learned run only
            "firm_net_change_mw": float((learned_capacity.new_mw - learned_capacity.retired_mw).sum()) if twin == "learned" else float("nan"),
            "headroom_mw": float("nan"), **timing,
        })
    return rows


def headroom_rows(case: str, label: str, folder: Path, timing: dict) -> list[dict]:
    table = pd.read_csv(folder / "headroom.csv")
    return [{"case": f"{case}-headroom", "sample": label, "twin": "learned fleet", "budget": row["curtailment_budget"],
             "headroom_mw": row["headroom_mw"], "curtailed_hours": row["curtailed_hours"],
             "longest_event_hours": row["longest_event_hours"], **timing} for _, row in table.iterrows()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--budgets", nargs="+", type=float, default=[0.0025, 0.005, 0.01])
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="scenario override KEY=VALUE (every command)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "headline.csv")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    overrides = [item for value in args.overrides for item in ("--set", value)]
    rows = []
    for case in args.cases:
        scenario, label = CASES[case]
        if args.overrides:
            label = f"{label}, with --set {' '.join(args.overrides)}"
        results = args.out.parent / f"headline_{case}"
        timing = run(["run", scenario, "--twins", "--out", str(results), "-q", "--force", *overrides])
        print(f"[{case}] planning run {scenario} --twins: {timing['wall_s']:.1f} s wall, {timing['cpu_s']:.1f} s CPU, "
              f"load {timing['load_before']:.1f} -> {timing['load_after']:.1f}", flush=True)
        rows += twin_rows(case, label, results, timing)
        if case == "year":
            folder = args.out.parent / f"headline_{case}_headroom"
            budgets = [item for budget in args.budgets for item in ("--budget", str(budget))]
            timing = run(["headroom", scenario, "--capacities", str(results), "--out", str(folder), "-q", "--force", *budgets, *overrides])
            print(f"[{case}] planning headroom: {timing['wall_s']:.1f} s wall, {timing['cpu_s']:.1f} s CPU", flush=True)
            rows += headroom_rows(case, label, folder, timing)
    frame = pd.DataFrame(rows)
    frame.insert(0, "date", pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%MZ"))
    frame.to_csv(args.out, index=False)
    shown = frame.drop(columns=["date"]).dropna(axis=1, how="all")
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(shown.to_markdown(index=False, floatfmt=",.6g") if _has_tabulate() else shown.to_string(index=False))
    print(f"wrote {args.out}")
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
