"""Multi-period investment pathway: this project vs PyPSA's multi-investment mode on the identical problem.

    python benchmarks/bench_pathway.py [--repeats 3] [--scenario benchmarks/pathway_bench.yaml] [--out benchmarks/results/pathway.csv]

The PyPSA network is built from the *same* per-period inputs Datasets our model reads
(:func:`planning.workflows.pathway.period_inputs`), so the data cannot drift:

* snapshots = (period, hour) for every investment period; ``investment_period_weightings``: objective =
  DF_p (our :func:`discount_factors`), years = n_p; snapshot weightings = our w_t;
* a Load per zone with each period's ``demand_mw``;
* existing capacity of every plant: a non-extendable Generator (p_max_pu = availability, marginal cost =
  fuel + VOM + CO2 price × emission factor of that period), build_year = first period, lifetime = its
  ``retire_year`` − first period (PyPSA: active iff build_year ≤ Y_p < build_year + lifetime; ours: existing
  capacity 0 from retire_year on), infinite without one; its fixed O&M is a constant of our objective that
  PyPSA leaves out: Σ_p DF_p·FOM·existing_p is added to PyPSA's;
* new capacity of an expandable plant: one extendable Generator per period (vintage) with build_year = Y_q,
  lifetime = the technology's, capital_cost = our annuity of period q + fixed O&M (constant over periods in
  the benchmark case, so a vintage's FOM equals the period's), p_nom_max = max_new_mw;
* unserved energy: a Generator at VOLL (p_nom = the largest demand);
* storage s (power and energy sized separately, as in ``benchmarks/pypsa_equivalent.py``): a DC bus ``<s> dc``
  holding, per vintage (existing, then one per build period q with build_year = Y_q and the technology's
  lifetime), a Store (e_nom = that vintage's MWh, cyclic per investment period like ours per period model,
  capital_cost = annuity_q + FOM per MWh), a charger Link zone → DC (efficiency η_c, p_nom = the vintage's MW,
  capital_cost = annuity_q + FOM per MW) and a discharger Link DC → zone (efficiency η_d, p_nom tied by
  η_d·p_nom = the charger's, marginal cost VOM·η_d: ours charges VOM per MWh delivered). The vintages share
  the bus, so their energy and power pool like our one store per period with the alive capacity. Our
  duration limits on the alive totals, d_min·MW_p ≤ MWh_p ≤ d_max·MW_p, are per period rows over the alive
  vintages (``extra_functionality``). Ours bounds charge + discharge ≤ MW (one row), PyPSA each flow: the same
  optimum without unit commitment (a simultaneous round trip only burns energy; see the storage block).

Scope: one zone, no unit commitment, no economic retirement (``can_retire``), no max_new_mw that binds the
alive capacity (PyPSA's p_nom_max is per vintage), no transmission (raised, not silently mapped).
Measured per run (each tool in this process, interleaved ours/PyPSA): wall and CPU time of build + solve (HiGHS,
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
    ties: list[tuple[str, str, float]] = []              # (charger, discharger, η_d) of every extendable vintage
    durations: list[tuple[int, list, list, float, float, float, float]] = []   # per period and store, see _storage
    for zone in first["zone"].values:
        n.add("Bus", str(zone))
        demand = np.concatenate([inputs[y]["demand_mw"].sel(zone=zone).values for y in years])
        n.add("Load", f"load {zone}", bus=str(zone), p_set=pd.Series(demand, index=n.snapshots))
        n.add("Generator", f"unserved {zone}", bus=str(zone), p_nom=float(demand.max()),
              marginal_cost=float(first.attrs["voll_per_mwh"]))
    for plant in first["plant"].values:
        p = str(plant)
        kind = str(first["plant_kind"].sel(plant=p).item())
        if bool(first["can_retire"].sel(plant=p)):
            raise SystemExit(f"bench_pathway: {p} may retire (can_retire), outside this benchmark's mapping")
        zone = str(first["plant_zone"].sel(plant=p).item())
        retire = scenario.plants[p].retire_year
        existing_life = math.inf if retire is None else retire - years[0]
        if kind == "storage":
            constant += _storage(n, scenario, inputs, years, discount, p, zone, existing_life, ties, durations)
            continue
        availability = pd.Series(np.concatenate([inputs[y]["availability_per_unit"].sel(plant=p).values for y in years]),
                                 index=n.snapshots)
        marginal = pd.Series(np.concatenate([
            np.full(hours, float(inputs[y]["marginal_cost_per_mwh"].sel(plant=p)) + float(inputs[y].attrs["co2_price_per_t"])
                    * float(inputs[y]["emission_factor_t_per_mwh"].sel(plant=p))) for y in years]), index=n.snapshots)
        existing = float(first["existing_mw"].sel(plant=p))
        fom = float(first["fixed_om_per_mw_year"].sel(plant=p))
        if existing > 0:
            n.add("Generator", f"{p} existing", bus=zone, p_nom=existing, p_max_pu=availability, marginal_cost=marginal,
                  build_year=years[0], lifetime=existing_life)
            constant += sum(discount[y] * fom * float(inputs[y]["existing_mw"].sel(plant=p)) for y in years)
        max_new = float(first["max_new_mw"].sel(plant=p))
        if max_new <= 0:
            continue
        life = scenario.technologies[scenario.plants[p].technology].lifetime_years
        for year in years:
            n.add("Generator", f"{p} {year}", bus=zone, p_nom_extendable=True, p_nom_max=max_new if math.isfinite(max_new) else math.inf,
                  p_max_pu=availability, marginal_cost=marginal, build_year=year, lifetime=life,
                  capital_cost=float(inputs[year]["annual_capex_per_mw"].sel(plant=p)) + fom)
    return n, constant, (lambda network, snapshots: _storage_rows(network, ties, durations))


def _storage(n, scenario, inputs, years, discount, p, zone, existing_life, ties, durations) -> float:
    """Storage plant ``p`` as vintaged Stores and Links on one DC bus (module docstring); returns its objective
    constant (the existing part's fixed O&M). Appends the power ties and the per-period duration rows' data."""
    first = inputs[years[0]]
    value = lambda name, year=years[0]: float(inputs[year][name].sel(plant=p))  # noqa: E731
    eta_c, eta_d = value("charge_efficiency"), value("discharge_efficiency")
    fom, fom_e = value("fixed_om_per_mw_year"), value("fixed_om_per_mwh_year")
    if math.isfinite(value("max_new_mw")) or math.isfinite(value("max_new_mwh")):
        raise SystemExit(f"bench_pathway: {p} has a finite max_new_mw/max_new_mwh, outside this benchmark's mapping")
    hours = first.sizes["snapshot"]
    vom = pd.Series(np.concatenate([np.full(hours, value("marginal_cost_per_mwh", y) * eta_d) for y in years]), index=n.snapshots)
    bus = f"{p} dc"
    n.add("Bus", bus)
    life = scenario.technologies[scenario.plants[p].technology].lifetime_years
    vintages = []   # (name, build year, lifetime, extendable)
    existing, existing_e = value("existing_mw"), value("existing_mwh")
    constant = 0.0
    if existing > 0 or existing_e > 0:
        vintages.append((f"{p} existing", years[0], existing_life, False))
        n.add("Store", f"{p} existing", bus=bus, e_nom=existing_e, e_cyclic_per_period=True, build_year=years[0], lifetime=existing_life)
        n.add("Link", f"{p} existing charger", bus0=zone, bus1=bus, efficiency=eta_c, p_nom=existing, build_year=years[0],
              lifetime=existing_life)
        n.add("Link", f"{p} existing discharger", bus0=bus, bus1=zone, efficiency=eta_d, p_nom=existing / eta_d, marginal_cost=vom,
              build_year=years[0], lifetime=existing_life)
        constant += sum(discount[y] * (fom * value("existing_mw", y) + fom_e * value("existing_mwh", y)) for y in years)
    for year in years:
        name = f"{p} {year}"
        vintages.append((name, year, life, True))
        n.add("Store", name, bus=bus, e_nom_extendable=True, e_cyclic_per_period=True, build_year=year, lifetime=life,
              capital_cost=value("annual_capex_per_mwh", year) + fom_e)
        n.add("Link", f"{name} charger", bus0=zone, bus1=bus, efficiency=eta_c, p_nom_extendable=True, build_year=year, lifetime=life,
              capital_cost=value("annual_capex_per_mw", year) + fom)
        n.add("Link", f"{name} discharger", bus0=bus, bus1=zone, efficiency=eta_d, p_nom_extendable=True, marginal_cost=vom,
              build_year=year, lifetime=life)
        ties.append((f"{name} charger", f"{name} discharger", eta_d))
    for year in years:
        alive = [(name, extendable) for name, built, lifetime, extendable in vintages if built <= year < built + lifetime]
        fixed_mw = value("existing_mw", year) if any(not e for _, e in alive) else 0.0
        fixed_mwh = value("existing_mwh", year) if any(not e for _, e in alive) else 0.0
        durations.append((year, [name for name, e in alive if e], fixed_mw, fixed_mwh, value("min_duration_h"), value("max_duration_h")))
    return constant


def _storage_rows(n, ties, durations) -> None:
    """η_d·p_nom(discharger) = p_nom(charger) per vintage; d_min·MW_p ≤ MWh_p ≤ d_max·MW_p over the vintages alive in
    period p (MW_p, MWh_p: the alive chargers' p_nom and stores' e_nom, plus the existing part)."""
    m = n.model
    if not ties:
        return
    link, store = m["Link-p_nom"], m["Store-e_nom"]
    for charger, discharger, eta_d in ties:
        m.add_constraints(eta_d * link.sel(name=discharger, drop=True) - link.sel(name=charger, drop=True) == 0.0,
                          name=f"Link-{charger}-power-tie")
    for k, (year, names, fixed_mw, fixed_mwh, d_min, d_max) in enumerate(durations):
        if not names:
            continue
        power = sum(link.sel(name=f"{name} charger", drop=True) for name in names)
        energy = sum(store.sel(name=name, drop=True) for name in names)
        if d_min > 0:
            m.add_constraints(energy - d_min * power >= d_min * fixed_mw - fixed_mwh, name=f"Store-min-duration-{k}")
        if math.isfinite(d_max):
            m.add_constraints(energy - d_max * power <= d_max * fixed_mw - fixed_mwh, name=f"Store-max-duration-{k}")


OPTIONS = {"solver": "choose", "presolve": "on", "threads": 1, "output_flag": False}


def run_ours(scenario) -> tuple[float, float, float]:
    """(wall s, CPU s of this process, objective)."""
    start, cpu = time.perf_counter(), time.process_time()
    solution = solve_pathway(scenario)
    return time.perf_counter() - start, time.process_time() - cpu, solution.objective


def run_pypsa(scenario) -> tuple[float, float, float]:
    """(wall s, CPU s of this process — HiGHS runs in it —, objective)."""
    start, cpu = time.perf_counter(), time.process_time()
    n, constant, extra = pypsa_network(scenario)
    status, condition = n.optimize(multi_investment_periods=True, solver_name="highs", solver_options=OPTIONS,
                                   include_objective_constant=False, extra_functionality=extra)
    if status != "ok":
        raise SystemExit(f"PyPSA: {status} / {condition}")
    return time.perf_counter() - start, time.process_time() - cpu, float(n.objective) + constant


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
            seconds, cpu, objective = run(scenario)
            rows.append({"repeat": repeat, "tool": tool, "seconds": seconds, "cpu_seconds": cpu, "objective": objective,
                         "loadavg_1m": os.getloadavg()[0]})
            print(f"{tool:6s} repeat {repeat}: {seconds:7.2f} s wall {cpu:7.2f} s CPU  objective {objective:.10e}  "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    frame = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False)
    ours = frame[frame.tool == "ours"]
    theirs = frame[frame.tool == "pypsa"]
    relative = abs(ours.objective.iloc[0] - theirs.objective.iloc[0]) / abs(theirs.objective.iloc[0])
    print(f"objective: ours {ours.objective.iloc[0]:.10e}, PyPSA {theirs.objective.iloc[0]:.10e}, relative difference {relative:.2e}")
    print(f"median seconds: ours {statistics.median(ours.seconds):.2f}, PyPSA {statistics.median(theirs.seconds):.2f}, "
          f"ratio {statistics.median(ours.seconds) / statistics.median(theirs.seconds):.2f}; median CPU s: ours "
          f"{statistics.median(ours.cpu_seconds):.2f}, PyPSA {statistics.median(theirs.cpu_seconds):.2f}, ratio "
          f"{statistics.median(ours.cpu_seconds) / statistics.median(theirs.cpu_seconds):.2f}; load {frame.loadavg_1m.median():.1f}")


if __name__ == "__main__":
    main()
