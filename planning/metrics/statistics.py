"""Per zone × technology statistics of a run (statistics.csv), in the scope of PyPSA's
``n.statistics`` and GenX's NetRevenue.

One row per plant (a plant is one technology in one zone), one ``total`` row per technology over
the zones (``zone = total``), one ``total`` row per zone (``technology = total``, which also holds
the zone's demand, prices and imports) and the system row (``zone = technology = total``).
Costs and revenues are in the scenario's currency per year (``_per_year``); energies are
weighted, Σ_t w_t·x_t (MWh/year when the horizon is scaled to a year).

Definitions, per plant p with price λ_{z,t} = balance dual / w_t (``price_per_mwh``):

* capacity: existing/new/retired/total MW (and MWh for storage), as capacity.csv;
* ``generation_mwh`` = Σ_t w_t·g_{p,t} (storage: discharge); ``consumption_mwh`` = Σ_t w_t·charge_{p,t};
* ``capacity_factor`` = generation_mwh / (total_mw · Σ_t w_t);
* ``curtailment_mwh`` = Σ_t w_t·(a_{p,t}·capacity − g_{p,t}) (variable plants),
  ``available_mwh`` = generation + curtailment (variable plants) and ``curtailment_share`` =
  curtailment / available;
* ``energy_revenue_per_year`` = Σ_t w_t·λ_{z,t}·(g_{p,t} or discharge − charge);
  ``market_value_per_mwh`` = energy revenue / generation_mwh;
* ``reserve_revenue_per_year`` = Σ_t w_t·ρ_{z,t}·reserve_mw[p,t], with ρ the spinning-reserve price
  (``reserve_price_per_mwh``: duals of the zone's requirement and contingency rows / w_t);
  ``capacity_revenue_per_year`` = κ·firm_mw[p], with κ the capacity price (``capacity_price_per_mw_year``:
  Σ_t duals of the planning-reserve rows) and firm_mw the plant's credited firm capacity;
* costs: ``capex`` (annualised capex × new MW, and per MWh for storage, currency/year; in a pathway each
  vintage alive at the annuity of its own build period, :func:`pathway_capex`), ``fixed_om`` (on the total
  capacity kept), ``variable_om`` (variable O&M × output), ``fuel`` (fuel price × heat rate ×
  output), ``startup`` (start-ups and no-load fuel of committed units), ``co2`` (CO2 price × the
  plant's emissions, counted once: the marginal cost holds fuel and O&M only);
  ``total_cost_per_year`` is their sum, ``profit_per_year`` = energy + reserve + capacity revenue − total cost,
  ``lcoe_per_mwh`` = total cost / generation_mwh;
* ``co2_t`` = e_p·generation + start-up and no-load emissions.

Per zone (``technology = total``): ``demand_mwh`` (fixed demand), ``datacenter_mwh`` (data-center
facility load), ``net_import_mwh``, ``unserved_mwh``, ``price_mean_per_mwh`` (hour-weighted
Σ w·λ / Σ w), ``price_max_per_mwh`` and ``price_cap_hours`` (weighted hours with λ at the value of
lost load).

Free entry (zero profit): in an LP, a plant without existing capacity whose new capacity is built
strictly between its bounds earns its costs exactly, profit = 0, because every constraint on a plant
is homogeneous in its capacity and output (Euler's theorem on the KKT conditions; a plant that also
has existing capacity earns annualised capex × existing MW on top). ``tests/metrics/test_statistics.py``
checks this with and without a CO2 price, spinning reserve and a planning margin; it holds only if
prices, weights and costs agree. It need not hold with integer commitment or build, or with the
largest-unit contingency (its unit-count bound is not proportional to capacity).

Not counted (so profit is not zero with them): the value of a CO2 *cap* (its shadow price is in
summary.csv as ``co2_cap_shadow_price_per_t``, not in the plants' costs), the contracted curtailable
load of data centers in the planning margin, and transmission (its investment is in summary.csv's
investment cost, not in any zone's rows). Reserve and capacity prices of a MILP are those of the
LP with the integers fixed, like the energy prices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from planning.config.scenario import Scenario
from planning.config.technologies import StorageTechnology, ThermalTechnology

TOTAL = "total"

CAPACITY_COLUMNS = ["existing_mw", "new_mw", "retired_mw", "total_mw", "existing_mwh", "new_mwh", "retired_mwh", "total_mwh"]
ENERGY_COLUMNS = ["generation_mwh", "consumption_mwh", "curtailment_mwh", "available_mwh"]
MONEY_COLUMNS = ["energy_revenue_per_year", "reserve_revenue_per_year", "capacity_revenue_per_year", "capex_cost_per_year", "fixed_om_cost_per_year", "variable_om_cost_per_year",
                 "fuel_cost_per_year", "startup_cost_per_year", "co2_cost_per_year", "total_cost_per_year", "profit_per_year"]
RATIO_COLUMNS = ["capacity_factor", "curtailment_share", "market_value_per_mwh", "lcoe_per_mwh"]
ZONE_COLUMNS = ["demand_mwh", "datacenter_mwh", "net_import_mwh", "unserved_mwh", "price_mean_per_mwh", "price_max_per_mwh",
                "price_cap_hours"]
COLUMNS = ["zone", "technology", *CAPACITY_COLUMNS, "generation_mwh", "consumption_mwh", "capacity_factor", "curtailment_mwh",
           "available_mwh", "curtailment_share", "energy_revenue_per_year", "market_value_per_mwh", "reserve_revenue_per_year",
           "capacity_revenue_per_year", "capex_cost_per_year", "fixed_om_cost_per_year",
           "variable_om_cost_per_year", "fuel_cost_per_year", "startup_cost_per_year", "co2_cost_per_year", "total_cost_per_year",
           "profit_per_year", "lcoe_per_mwh", "co2_t", *ZONE_COLUMNS]


def plant_cost_coefficients(scenario: Scenario, plants: list[str]) -> pd.DataFrame:
    """Per plant: annual capex per MW and MWh, fixed O&M per MW-year and MWh-year, variable O&M and fuel
    cost per MWh, emission factor (t/MWh), start-up cost per MW of unit size (incl. start-up fuel) and
    no-load cost per MW-hour — the numbers :func:`planning.io.inputs.load_inputs` and
    :func:`planning.io.operations.add_operations_inputs` give the model."""
    rows = {}
    economics = scenario.economics
    for name in plants:
        plant = scenario.plants[name]
        tech = scenario.technologies[plant.technology]
        crf = economics.capital_recovery_factor(tech.lifetime_years)
        storage = isinstance(tech, StorageTechnology)
        row = {
            "annual_capex_per_mw": tech.capex_per_mw * crf,
            "annual_capex_per_mwh": tech.capex_per_mwh * crf if storage else 0.0,
            "fixed_om_per_mw_year": tech.fixed_om_per_mw_year,
            "fixed_om_per_mwh_year": tech.fixed_om_per_mwh_year if storage else 0.0,
            "variable_om_per_mwh": tech.variable_om_per_mwh,
            "fuel_cost_per_mwh": 0.0, "emission_factor_t_per_mwh": 0.0,
            "startup_cost_per_mw": 0.0, "no_load_cost_per_mw_h": 0.0,
        }
        if isinstance(tech, ThermalTechnology):
            fuel = scenario.fuels[tech.fuel]
            row["fuel_cost_per_mwh"] = fuel.price_per_mmbtu * tech.heat_rate_mmbtu_per_mwh
            row["emission_factor_t_per_mwh"] = (tech.emission_factor_t_per_mwh if tech.emission_factor_t_per_mwh is not None
                                                else fuel.co2_t_per_mmbtu * tech.heat_rate_mmbtu_per_mwh)
            row["startup_cost_per_mw"] = tech.startup_cost_per_mw + tech.startup_fuel_mmbtu_per_mw * fuel.price_per_mmbtu
            row["no_load_cost_per_mw_h"] = tech.no_load_fuel_mmbtu_per_mw_hour * fuel.price_per_mmbtu
            row["unit_size_mw"] = tech.unit_size_mw if tech.unit_size_mw is not None else np.nan
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def _per_plant(results: xr.Dataset, name: str, plants: list[str]) -> np.ndarray:
    """A (plant, snapshot) result for every plant (0 where the plant has none), weighted rows summed later."""
    n = results.sizes["snapshot"]
    if name not in results:
        return np.zeros((len(plants), n))
    data = results[name].reindex(plant=plants).transpose("plant", "snapshot").values.astype(float)
    return np.nan_to_num(data, nan=0.0)


def _per_plant_scalar(results: xr.Dataset, name: str, plants: list[str], fill: float = np.nan) -> np.ndarray:
    if name not in results:
        return np.full(len(plants), fill)
    return results[name].reindex(plant=plants).values.astype(float)


def _ratios(frame: pd.DataFrame, hours: float) -> pd.DataFrame:
    """Capacity factor, curtailment share, market value and LCOE from the summed columns."""
    with np.errstate(divide="ignore", invalid="ignore"):
        generation = frame["generation_mwh"].to_numpy(float)
        positive = generation > 0
        frame["capacity_factor"] = np.where(frame["total_mw"] > 0, generation / (frame["total_mw"].to_numpy(float) * hours), np.nan)
        available = frame["available_mwh"].to_numpy(float)
        frame["curtailment_share"] = np.where(available > 0, frame["curtailment_mwh"].to_numpy(float) / available, np.nan)
        frame["market_value_per_mwh"] = np.where(positive, frame["energy_revenue_per_year"].to_numpy(float) / generation, np.nan)
        frame["lcoe_per_mwh"] = np.where(positive, frame["total_cost_per_year"].to_numpy(float) / generation, np.nan)
    return frame


def statistics_table(results: xr.Dataset, scenario: Scenario, capex_per_year: pd.Series | None = None) -> pd.DataFrame:
    """statistics.csv: per zone × technology, per technology, per zone and system totals (see the module docstring).

    ``capex_per_year`` — the capex each plant pays in the year (currency/year, by plant name), where it is not the
    annuity × new capacity of a single run (a pathway's vintages, :func:`pathway_capex`)."""
    plants = [str(p) for p in results["plant"].values]
    weight = results["weight_h"].values.astype(float)
    hours = float(weight.sum())
    kind = results["plant_kind"].to_series().astype(str).reindex(plants).to_numpy()
    zone_of = results["plant_zone"].to_series().astype(str).reindex(plants).to_numpy()
    coefficients = plant_cost_coefficients(scenario, plants)
    zones = [str(z) for z in results["zone"].values]
    price = results["price_per_mwh"].transpose("zone", "snapshot").values.astype(float)
    plant_price = price[[zones.index(z) for z in zone_of]]

    output = _per_plant(results, "generation_mw", plants) + _per_plant(results, "discharge_mw", plants)
    charge = _per_plant(results, "charge_mw", plants)
    curtailment = _per_plant(results, "curtailment_mw", plants)
    frame = pd.DataFrame({"zone": zone_of, "technology": results["plant_technology"].to_series().astype(str).reindex(plants).to_numpy()},
                         index=plants)
    for name in ("existing_mw", "new_mw", "retired_mw", "total_mw"):
        frame[name] = _per_plant_scalar(results, name, plants)
    for name, source in (("existing_mwh", "existing_mwh"), ("new_mwh", "new_mwh"), ("retired_mwh", "retired_mwh"), ("total_mwh", "energy_mwh")):
        frame[name] = np.where(kind == "storage", np.nan_to_num(_per_plant_scalar(results, source, plants, 0.0)), np.nan)
    frame["generation_mwh"] = output @ weight
    frame["consumption_mwh"] = charge @ weight
    frame["curtailment_mwh"] = curtailment @ weight
    frame["available_mwh"] = np.where(kind == "variable", frame["generation_mwh"] + frame["curtailment_mwh"], 0.0)
    frame["energy_revenue_per_year"] = (plant_price * (output - charge)) @ weight

    size = coefficients["unit_size_mw"].to_numpy(float) if "unit_size_mw" in coefficients else np.full(len(plants), np.nan)
    size = np.nan_to_num(size, nan=0.0)
    starts = _per_plant(results, "startups", plants) @ weight
    committed = _per_plant(results, "committed_units", plants) @ weight
    if capex_per_year is None:
        frame["capex_cost_per_year"] = (coefficients["annual_capex_per_mw"] * frame["new_mw"]
                                        + coefficients["annual_capex_per_mwh"] * frame["new_mwh"].fillna(0.0))
    else:
        frame["capex_cost_per_year"] = capex_per_year.reindex(plants).to_numpy(float)
    frame["fixed_om_cost_per_year"] = (coefficients["fixed_om_per_mw_year"] * frame["total_mw"]
                                       + coefficients["fixed_om_per_mwh_year"] * frame["total_mwh"].fillna(0.0))
    frame["variable_om_cost_per_year"] = coefficients["variable_om_per_mwh"] * frame["generation_mwh"]
    frame["fuel_cost_per_year"] = coefficients["fuel_cost_per_mwh"] * frame["generation_mwh"]
    frame["startup_cost_per_year"] = size * (coefficients["startup_cost_per_mw"].to_numpy(float) * starts
                                             + coefficients["no_load_cost_per_mw_h"].to_numpy(float) * committed)
    commitment_co2 = _per_plant(results, "commitment_co2_t_per_h", plants) @ weight
    frame["co2_t"] = coefficients["emission_factor_t_per_mwh"] * frame["generation_mwh"] + commitment_co2
    frame["co2_cost_per_year"] = scenario.policy.co2_price_per_t * frame["co2_t"]
    costs = ["capex_cost_per_year", "fixed_om_cost_per_year", "variable_om_cost_per_year", "fuel_cost_per_year",
             "startup_cost_per_year", "co2_cost_per_year"]
    frame["total_cost_per_year"] = frame[costs].sum(axis=1)
    if "reserve_price_per_mwh" in results:
        reserve_price = results["reserve_price_per_mwh"].transpose("zone", "snapshot").values.astype(float)[[zones.index(z) for z in zone_of]]
        frame["reserve_revenue_per_year"] = (reserve_price * _per_plant(results, "reserve_mw", plants)) @ weight
    else:
        frame["reserve_revenue_per_year"] = 0.0
    capacity_price = float(results["capacity_price_per_mw_year"]) if "capacity_price_per_mw_year" in results else 0.0
    frame["capacity_revenue_per_year"] = capacity_price * np.nan_to_num(_per_plant_scalar(results, "firm_mw", plants, 0.0))
    revenue = frame[["energy_revenue_per_year", "reserve_revenue_per_year", "capacity_revenue_per_year"]].sum(axis=1)
    frame["profit_per_year"] = revenue - frame["total_cost_per_year"]

    summed = CAPACITY_COLUMNS + ENERGY_COLUMNS + [c for c in MONEY_COLUMNS] + ["co2_t"]
    by_technology = frame.groupby("technology", sort=False)[summed].sum(min_count=1).reset_index()
    by_technology.insert(0, "zone", TOTAL)
    by_zone = frame.groupby("zone", sort=False)[summed].sum(min_count=1).reindex(zones).reset_index()
    by_zone.insert(1, "technology", TOTAL)
    system = frame[summed].sum(min_count=1).to_frame().T
    system.insert(0, "technology", TOTAL)
    system.insert(0, "zone", TOTAL)

    zone_figures = _zone_figures(results, scenario, zones, price, weight)
    by_zone = by_zone.set_index("zone")
    for name in ZONE_COLUMNS:
        by_zone[name] = zone_figures[name]
    by_zone = by_zone.reset_index()
    for name in ("demand_mwh", "datacenter_mwh", "net_import_mwh", "unserved_mwh"):
        system[name] = zone_figures[name].sum()
    system["price_max_per_mwh"] = zone_figures["price_max_per_mwh"].max() if zones else np.nan

    table = pd.concat([frame.reset_index(drop=True), by_technology, by_zone, system], ignore_index=True)
    for name in [c for c in table.columns if c not in ("zone", "technology")]:
        table[name] = pd.to_numeric(table[name], errors="coerce")
    table = _ratios(table, hours)
    return table.reindex(columns=COLUMNS)


def _zone_figures(results: xr.Dataset, scenario: Scenario, zones: list[str], price: np.ndarray, weight: np.ndarray) -> pd.DataFrame:
    """Demand, data-center load, net imports, unserved energy (MWh, weighted) and price figures per zone."""

    def energy(name: str) -> np.ndarray:
        if name not in results:
            return np.zeros(len(zones))
        return np.nan_to_num(results[name].reindex(zone=zones).transpose("zone", "snapshot").values.astype(float)) @ weight

    cap = scenario.reliability.value_of_lost_load_per_mwh
    at_cap = price >= cap * (1.0 - 1e-9)
    hours = float(weight.sum())
    return pd.DataFrame(
        {
            "demand_mwh": energy("demand_mw"),
            "datacenter_mwh": energy("datacenter_mw"),
            "net_import_mwh": energy("net_import_mw"),
            "unserved_mwh": energy("unserved_mw"),
            "price_mean_per_mwh": (price @ weight) / hours if hours > 0 else np.full(len(zones), np.nan),
            "price_max_per_mwh": price.max(axis=1) if price.shape[1] else np.full(len(zones), np.nan),
            "price_cap_hours": at_cap.astype(float) @ weight,
        },
        index=zones,
    )


def folder_statistics(folder) -> pd.DataFrame:
    """:func:`statistics_table` of a results folder of ``planning run`` or ``planning pathway``, from its results.nc and
    scenario.resolved.yaml (also for folders written before statistics.csv existed).

    A run with futures (results.nc with a ``future`` dimension) gives one block per future with a leading ``future``
    column, each priced with its own scenario (the future's fuel and CO2 prices) — as the run writes statistics.csv; a
    pathway (a ``period`` dimension) one block per period with a leading ``period`` column, priced with the period's
    scenario (fuel, CO2 and O&M of that period), except capex: each vintage alive in the period at the annuity of its
    own build period (:func:`pathway_capex`), as the pathway's objective charges it: a period's plant costs are those in
    its ``annual_cost`` of pathway_periods.csv (currency/year of that period, not discounted; ``annual_cost`` also holds
    what statistics do not count, e.g. transmission, candidate sites, unserved energy). Nothing is summed or averaged
    over futures or periods."""
    from pathlib import Path

    from planning.config import load_scenario
    from planning.errors import ScenarioError
    from planning.io.writers import open_results

    folder = Path(folder)
    missing = [name for name in ("results.nc", "scenario.resolved.yaml") if not (folder / name).is_file()]
    if missing:
        raise ScenarioError([f"{folder / name}: not found (is {folder} a results folder of `planning run`?)" for name in missing],
                            title="not a results folder")
    results = open_results(folder / "results.nc")
    scenario = load_scenario(folder / "scenario.resolved.yaml")
    if "future" in results.dims:
        from planning.workflows.stochastic import future_scenario

        return _blocks(results, "future", lambda name: future_scenario(scenario, str(name)))
    if "period" in results.dims and scenario.pathway is not None:
        from planning.workflows.pathway import period_scenario
        from planning.workflows.stochastic import future_scenario

        own = {int(year): future_scenario(period_scenario(scenario, int(year)), "period") for year in results["period"].values}
        return _blocks(results, "period", own.__getitem__, pathway_capex(results, scenario, own))
    return statistics_table(results, scenario)


def pathway_capex(results: xr.Dataset, scenario: Scenario, period_scenarios: dict[int, Scenario]) -> dict[int, pd.Series]:
    """Capex per plant (currency/year, by plant name) of each period p of a pathway's results, as its objective charges:

        capex_p[i] = Σ_{q: Y_q ≤ Y_p < Y_q + L_i} (build_mw[q,i]·a_q[i] + build_mwh[q,i]·b_q[i])

    a_q, b_q: the annuities (currency/MW/year, currency/MWh/year) of period q's technology costs; L_i (years) the
    technology's life. The builds come from each period's capacity alive, new_p = Σ_{q alive} build[q]
    (:mod:`planning.workflows.pathway`), in calendar order: build[p] = new_p − Σ_{q < p alive in p} build[q]."""
    years = [int(year) for year in results["period"].values]
    plants = [str(p) for p in results["plant"].values]
    life = np.array([scenario.technologies[scenario.plants[p].technology].lifetime_years for p in plants], dtype=float)
    annuities = {year: plant_cost_coefficients(period_scenarios[year], plants) for year in years}
    capex = {year: np.zeros(len(plants)) for year in years}
    for variable, column in (("new_mw", "annual_capex_per_mw"), ("new_mwh", "annual_capex_per_mwh")):
        if variable not in results:
            continue
        built: dict[int, np.ndarray] = {}
        for p in years:
            alive = {q: p < q + life for q in [*built, p]}   # per plant: the vintage of q still alive in p
            new = np.nan_to_num(results[variable].sel(period=p).reindex(plant=plants).values.astype(float))
            built[p] = new - sum((alive[q] * built[q] for q in built), np.zeros(len(plants)))
            capex[p] += sum(alive[q] * built[q] * annuities[q][column].to_numpy(float) for q in built)
    return {year: pd.Series(values, index=plants) for year, values in capex.items()}


def _blocks(results: xr.Dataset, dim: str, scenario_of, capex: dict | None = None) -> pd.DataFrame:
    """statistics_table of each ``dim`` value's slice (its own snapshots: those with a weight), a leading ``dim`` column;
    ``capex`` — the capex per plant of each ``dim`` value where it is not the slice's annuity × new capacity."""
    frames = []
    for key in results[dim].values:
        one = results.sel({dim: key})
        one = one.isel(snapshot=np.flatnonzero(np.isfinite(one["weight_h"].values)))
        key = key.item() if hasattr(key, "item") else key
        table = statistics_table(one, scenario_of(key), None if capex is None else capex[key])
        frames.append(table.assign(**{dim: key})[[dim, *table.columns]])
    return pd.concat(frames, ignore_index=True)
