"""The value of spatial vs temporal flexibility of a sited data-center fleet: four twins of one scenario.

Twins differ only in ``datacenter_sites``' flexibility (siting, generation, storage and transmission
are re-optimised in each):

* ``none`` — no contracted deferrable capacity, no workload shifting;
* ``temporal`` — contracted deferrable capacity (the card's delay, at its price), no shifting;
* ``spatial`` — workload shifting between the pool's sites, no deferral;
* ``both`` — both.

Each twin's feasible set contains the ``none`` twin's, so its total cost is at most ``none``'s (to
solver tolerance); ``value_vs_none`` is that saving (currency/year). The spatial and temporal values
need not add up to ``both``'s: the two compete for the same price differences (and the movable work
excludes the contracted deferrable work, see :mod:`planning.optimization.blocks.workload_shifting`).

Tables
------
value_of_spatial_flexibility.csv — one row per twin: total, investment and operating cost, co2_t,
sited_it_mw, contracted_flexible_mw, migrated_work_mwh, new_<technology>_mw, new_transmission_mw,
value_vs_none.

value_of_spatial_flexibility_zones.csv — one row per twin and zone: sited_it_mw,
contracted_flexible_mw, sited_facility_energy_mwh, new_capacity_mw (generation and storage built in
the zone), price_mean_per_mwh (load-weighted), zone_cost_per_year (the statistics' cost of the zone's
plants plus the sites' interconnection, fixed and flexibility costs there; transmission is not
attributed to a zone) and value_vs_none (the ``none`` twin's zone cost minus the twin's: where the
saving falls). The total cost of a twin is unique; its split by zone is not when the LP has alternative
optima (new wind or PV placed in different zones at the same total cost): measured on
``eastern_us_siting.yaml``, the temporal twin equals ``none`` in total yet moves ±2.2 G$/yr of zone cost between
MISO_S and SERTP. Read the zone columns as those of one optimum.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from planning.config.scenario import Scenario
from planning.errors import ScenarioError
from planning.metrics.summary import new_capacity_by_technology, summary_table

SITE_TWINS = ("none", "temporal", "spatial", "both")
FLAGS = {"none": (False, False), "temporal": (True, False), "spatial": (False, True), "both": (True, True)}
COMPARED = ("total_cost", "investment_cost", "operating_cost", "co2_t", "sited_it_mw", "contracted_flexible_mw", "migrated_work_mwh",
            "unserved_energy_mwh", "mip_gap")


def twin_problems(scenario: Scenario) -> list[str]:
    """Why the scenario cannot have site twins (empty when it can)."""
    sites = scenario.datacenter_sites
    if sites is None:
        return ["--site-twins: the scenario has no datacenter_sites section; add candidate sites and a requirement"]
    if sites.workload_shifting is None:
        return ["--site-twins: datacenter_sites.workload_shifting is missing: the spatial twins need its movable share, "
                "migration_limit_mw and migration_overhead_fraction (add the section, even with enabled: false)"]
    return []


def twin_of(scenario: Scenario) -> str:
    """The twin the scenario itself is."""
    sites = scenario.datacenter_sites
    flags = (sites.temporal_flexibility, sites.workload_shifting is not None and sites.workload_shifting.enabled)
    return next(name for name, value in FLAGS.items() if value == flags)


def site_twin_scenario(scenario: Scenario, twin: str) -> Scenario:
    """The scenario with ``datacenter_sites`` set to the twin's flexibility."""
    temporal, spatial = FLAGS[twin]
    sites = scenario.datacenter_sites
    shifting = sites.workload_shifting.model_copy(update={"enabled": spatial})
    return scenario.model_copy(update={"datacenter_sites": sites.model_copy(update={"temporal_flexibility": temporal,
                                                                                  "workload_shifting": shifting})})


def zone_rows(twin: str, results: xr.Dataset, statistics: pd.DataFrame) -> list[dict]:
    """The twin's rows of value_of_spatial_flexibility_zones.csv (before value_vs_none)."""
    weight = results["weight_h"]
    site_zone = results["site_zone"].to_series().astype(str)
    plant_zone = results["plant_zone"].to_series().astype(str)
    new = results["new_mw"].to_series()
    totals = statistics[(statistics["technology"] == "total")].set_index("zone")
    rows = []
    for zone in results["zone"].values.astype(str):
        here = site_zone.index[site_zone == zone]
        load = results["demand_mw"].sel(zone=zone) + results["datacenter_mw"].sel(zone=zone)
        site_cost = float(results["site_investment_cost_per_year"].sel(site=here).sum() + results["site_flexibility_cost_per_year"].sel(site=here).sum())
        plant_cost = float(totals.loc[zone, "total_cost_per_year"]) if zone in totals.index else 0.0
        rows.append({
            "twin": twin, "zone": zone,
            "sited_it_mw": float(results["site_it_mw"].sel(site=here).sum()),
            "contracted_flexible_mw": float(results["site_flexible_contract_mw"].sel(site=here).sum()),
            "sited_facility_energy_mwh": float((results["site_facility_power_mw"].sel(site=here) * weight).sum()),
            "new_capacity_mw": float(new[plant_zone.index[plant_zone == zone]].sum()),
            "price_mean_per_mwh": float((results["price_per_mwh"].sel(zone=zone) * load * weight).sum() / max(float((load * weight).sum()), 1e-12)),
            "zone_cost_per_year": plant_cost + site_cost,
        })
    return rows


def compare_site_twins(scenario: Scenario, solve, known: dict[str, tuple[xr.Dataset, pd.DataFrame]] | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Solve the four twins (reusing ``known`` results by twin name) → (per-twin table, per-zone table).

    ``solve(scenario) -> (results, solved, timings)`` is :func:`planning.workflows.run.solve_scenario`; it is not
    called for twins in ``known`` (``benchmarks/bench_siting.py`` passes all four, solved in parallel processes).
    """
    from planning.metrics.statistics import statistics_table

    problems = twin_problems(scenario)
    if problems:
        raise ScenarioError(problems, title="cannot compare the site twins")
    rows, zones = [], []
    for twin in SITE_TWINS:
        scenario_twin = site_twin_scenario(scenario, twin)
        if known and twin in known:
            results, summary = known[twin]
        else:
            results, _, timings = solve(scenario_twin)
            summary = summary_table(results, timings)
        values = summary.set_index("metric")["value"]
        row = {"twin": twin, **{metric: float(values[metric]) for metric in COMPARED if metric in values.index}}
        row.update({f"new_{tech}_mw": float(mw) for tech, mw in new_capacity_by_technology(results).items()})
        row["new_transmission_mw"] = float(results["line_new_mw"].sum()) if "line_new_mw" in results else 0.0
        rows.append(row)
        zones += zone_rows(twin, results, statistics_table(results, scenario_twin))
    table = pd.DataFrame(rows)
    table["value_vs_none"] = table.loc[table.twin == "none", "total_cost"].iloc[0] - table["total_cost"]
    by_zone = pd.DataFrame(zones)
    base = by_zone[by_zone.twin == "none"].set_index("zone")["zone_cost_per_year"]
    by_zone["value_vs_none"] = by_zone["zone"].map(base) - by_zone["zone_cost_per_year"]
    return table, by_zone
