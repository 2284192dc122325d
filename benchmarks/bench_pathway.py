"""Multi-period investment pathway: this project vs PyPSA's multi-investment mode on the identical problem.

    python benchmarks/bench_pathway.py [--repeats 3] [--scenario benchmarks/pathway_bench.yaml] [--out benchmarks/results/pathway.csv]

The PyPSA network is built from the *same* per-period inputs Datasets our model reads
(:func:`planning.workflows.pathway.period_inputs`), so the data cannot drift:

* snapshots = (period, hour) for every investment period; ``investment_period_weightings``: objective =
  DF_p (our :func:`discount_factors`), years = n_p; snapshot weightings = our w_t;
* a Load per zone with each period's ``demand_mw``;
* existing capacity of every plant: a non-extendable Generator (p_max_pu = availability, marginal cost =
  fuel + VOM + CO2 price × emission factor of that period), build_year = first period, infinite lifetime;
  its fixed O&M is a constant of our objective that PyPSA leaves out: Σ_p DF_p·FOM·existing is added to PyPSA's;
* new capacity of an expandable plant: one extendable Generator per period (vintage) with build_year = Y_q,
  lifetime = the technology's, capital_cost = our annuity of period q + fixed O&M (constant over periods in
  the benchmark case, so a vintage's FOM equals the period's), p_nom_max = max_new_mw;
* unserved energy: a Generator at VOLL (p_nom = the largest demand).

Scope: one zone, no storage, no unit commitment, no retirement (the benchmark scenario keeps them out; the
equivalence of each single period with storage and retirement is benchmarks/bench_pypsa.py's).
Measured per run (each tool in this process, interleaved ours/PyPSA): wall time of build + solve (HiGHS,
identical options: choose, presolve on, 1 thread) and the objective; medians over repeats; the 1-minute load.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planning.config import load_scenario  # noqa: E402
from planning.workflows.pathway import discount_factors, period_inputs, solve_pathway  # noqa: E402


def pypsa_network(scenario):
    """The identical pathway as a PyPSA multi-investment network, and the objective constant it leaves out."""
    import pypsa

    years = list(scenario.pathway.periods)
    discount = discount_factors(scenario)
    inputs = {year: period_inputs(scenario, year) for year in years}
    first = inputs[years[0]]
    hours = first.sizes["snapshot"]
    n = pypsa.Network()
    n.set_snapshots(pd.MultiIndex.from_product([years, range(hours)], names=["period", "timestep"]))
    n.investment_periods = years
    n.investment_period_weightings["objective"] = [discount[y] for y in years]
    n.investment_period_weightings["years"] = [scenario.pathway.periods[y].years for y in years]
    weight = np.concatenate([inputs[y]["weight_h"].values for y in years])
    n.snapshot_weightings.loc[:, "objective"] = weight
    n.snapshot_weightings.loc[:, "generators"] = weight
    n.snapshot_weightings.loc[:, "stores"] = 1.0
    constant = 0.0
    for zone in first["zone"].values:
        n.add("Bus", str(zone))
        demand = np.concatenate([inputs[y]["demand_mw"].sel(zone=zone).values for y in years])
        n.add("Load", f"load {zone}", bus=str(zone), p_set=pd.Series(demand, index=n.snapshots))
        n.add("Generator", f"unserved {zone}", bus=str(zone), p_nom=float(demand.max()),
              marginal_cost=float(first.attrs["voll_per_mwh"]))
    for plant in first["plant"].values:
        p = str(plant)
        kind = str(first["plant_kind"].sel(plant=p).item())
        if kind == "storage":
            raise SystemExit("bench_pathway: storage is outside this benchmark's mapping")
        zone = str(first["plant_zone"].sel(plant=p).item())
        availability = pd.Series(np.concatenate([inputs[y]["availability_per_unit"].sel(plant=p).values for y in years]),
                                 index=n.snapshots)
        marginal = pd.Series(np.concatenate([
            np.full(hours, float(inputs[y]["marginal_cost_per_mwh"].sel(plant=p)) + float(inputs[y].attrs["co2_price_per_t"])
                    * float(inputs[y]["emission_factor_t_per_mwh"].sel(plant=p))) for y in years]), index=n.snapshots)
        existing = float(first["existing_mw"].sel(plant=p))
        fom = float(first["fixed_om_per_mw_year"].sel(plant=p))
        if existing > 0:
            n.add("Generator", f"{p} existing", bus=zone, p_nom=existing, p_max_pu=availability, marginal_cost=marginal,
                  build_year=years[0], lifetime=math.inf)
            constant += sum(discount[y] * fom * float(inputs[y]["existing_mw"].sel(plant=p)) for y in years)
        max_new = float(first["max_new_mw"].sel(plant=p))
        if max_new <= 0:
            continue
        life = scenario.technologies[scenario.plants[p].technology].lifetime_years
        for year in years:
            n.add("Generator", f"{p} {year}", bus=zone, p_nom_extendable=True, p_nom_max=max_new if math.isfinite(max_new) else math.inf,
                  p_max_pu=availability, marginal_cost=marginal, build_year=year, lifetime=life,
                  capital_cost=float(inputs[year]["annual_capex_per_mw"].sel(plant=p)) + fom)
    return n, constant


OPTIONS = {"solver": "choose", "presolve": "on", "threads": 1, "output_flag": False}


def run_ours(scenario) -> tuple[float, float]:
    start = time.perf_counter()
    solution = solve_pathway(scenario)
    return time.perf_counter() - start, solution.objective


def run_pypsa(scenario) -> tuple[float, float]:
    start = time.perf_counter()
    n, constant = pypsa_network(scenario)
    status, condition = n.optimize(multi_investment_periods=True, solver_name="highs", solver_options=OPTIONS,
                                   include_objective_constant=False)
    if status != "ok":
        raise SystemExit(f"PyPSA: {status} / {condition}")
    return time.perf_counter() - start, float(n.objective) + constant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "benchmarks" / "pathway_bench.yaml")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "pathway.csv")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    rows = []
    for repeat in range(args.repeats):
        for tool, run in (("ours", run_ours), ("pypsa", run_pypsa)):
            seconds, objective = run(scenario)
            rows.append({"repeat": repeat, "tool": tool, "seconds": seconds, "objective": objective, "loadavg_1m": os.getloadavg()[0]})
            print(f"{tool:6s} repeat {repeat}: {seconds:7.2f} s  objective {objective:.10e}  load {os.getloadavg()[0]:.1f}", flush=True)
    frame = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False)
    ours = frame[frame.tool == "ours"]
    theirs = frame[frame.tool == "pypsa"]
    relative = abs(ours.objective.iloc[0] - theirs.objective.iloc[0]) / abs(theirs.objective.iloc[0])
    print(f"objective: ours {ours.objective.iloc[0]:.10e}, PyPSA {theirs.objective.iloc[0]:.10e}, relative difference {relative:.2e}")
    print(f"median seconds: ours {statistics.median(ours.seconds):.2f}, PyPSA {statistics.median(theirs.seconds):.2f}, "
          f"ratio {statistics.median(ours.seconds) / statistics.median(theirs.seconds):.2f}; load {frame.loadavg_1m.median():.1f}")


if __name__ == "__main__":
    main()
