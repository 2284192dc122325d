"""The summary table of a run: costs, energy, emissions, solver facts (summary.csv).

All energies are weighted: Σ_t w_t·x_t, so with ``horizon.scale_to_year`` they are annual.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr


def weighted_energy_mwh(power_mw: xr.DataArray, weight_h: xr.DataArray) -> float:
    """Σ over every dimension of power (MW) × snapshot weight (h) → MWh."""
    return float((power_mw.fillna(0.0) * weight_h).sum())


def summary_table(results: xr.Dataset, timings: dict[str, float]) -> pd.DataFrame:
    """One row per metric: ``metric, value, unit``."""
    currency = results.attrs.get("currency", "currency")
    weight = results["weight_h"]
    rows: list[tuple[str, object, str]] = []
    cost_names = [name for name in results.data_vars if name.startswith("cost_")]
    total = sum(float(results[name]) for name in cost_names)
    rows.append(("total_cost", total, f"{currency}/year"))
    for category in ("investment", "fixed_om", "variable", "startup", "reserve_shortfall", "co2", "unserved"):
        name = f"cost_{category}"
        value = float(results[name]) if name in results else 0.0
        rows.append((f"{category}_cost", value, f"{currency}/year"))
    rows.append(("operating_cost", sum(v for m, v, _ in rows if m in ("variable_cost", "startup_cost", "reserve_shortfall_cost", "co2_cost", "unserved_cost")), f"{currency}/year"))
    rows.append(("co2_t", float(results["co2_t"]), "t/year"))
    demand = weighted_energy_mwh(results["demand_mw"], weight) + weighted_energy_mwh(results["datacenter_mw"], weight)
    rows.append(("demand_mwh", demand, "MWh/year"))
    rows.append(("unserved_energy_mwh", weighted_energy_mwh(results["unserved_mw"], weight), "MWh/year"))
    curtailment = weighted_energy_mwh(results["curtailment_mw"], weight) if "curtailment_mw" in results else 0.0
    rows.append(("curtailment_mwh", curtailment, "MWh/year"))
    rows.append(("peak_demand_mw", float((results["demand_mw"] + results["datacenter_mw"]).sum("zone").max()), "MW"))
    rows.extend(datacenter_rows(results))
    mean_price = float((results["price_per_mwh"] * results["demand_mw"] * weight).sum() / max((results["demand_mw"] * weight).sum(), 1e-12))
    rows.append(("demand_weighted_price_per_mwh", mean_price, f"{currency}/MWh"))
    if "co2_cap_dual_per_t" in results.attrs:
        rows.append(("co2_cap_shadow_price_per_t", float(results.attrs["co2_cap_dual_per_t"]), f"{currency}/t"))
    rows.append(("objective", float(results.attrs["objective"]), f"{currency}/year"))
    rows.append(("solver_status", results.attrs["solver_status"], ""))
    rows.append(("mip_gap", float(results.attrs["mip_gap"]), "fraction"))
    rows.append(("prices_from", results.attrs.get("duals_from", "lp"), ""))
    rows.extend(bound_rows(results))
    for key, value in timings.items():
        rows.append((key, round(float(value), 4), "s"))
    return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def bound_rows(results: xr.Dataset) -> list[tuple[str, object, str]]:
    """Rows of a decomposed unit-commitment run (see :mod:`planning.optimization.decomposition`):
    upper and lower bound of the full-year cost, the certified gap (UB − LB)/UB, and their sources."""
    if "certified_gap" not in results.attrs:
        return []
    currency = results.attrs.get("currency", "currency")
    attrs = results.attrs
    return [
        ("upper_bound", float(attrs["upper_bound"]), f"{currency}/year"),
        ("lower_bound", float(attrs["lower_bound"]), f"{currency}/year"),
        ("certified_gap", float(attrs["certified_gap"]), "fraction"),
        ("lower_bound_from", attrs["lower_bound_from"], ""),
        ("investments_from", attrs["investments_from"], ""),
        ("solution_from", attrs["solution_from"], ""),
        ("stitched_window_cost", float(attrs["stitched_cost"]), f"{currency}/year"),
        ("commitment_windows", int(attrs["windows"]), ""),
    ]


def new_capacity_by_technology(results: xr.Dataset) -> pd.Series:
    """New power capacity (MW) summed over zones, by technology."""
    frame = pd.DataFrame({"technology": results["plant_technology"].values, "new_mw": results["new_mw"].values})
    return frame.groupby("technology", sort=False)["new_mw"].sum()


def datacenter_rows(results: xr.Dataset) -> list[tuple[str, object, str]]:
    """Data-center totals: facility energy, peak, work done, and the energy moved in time.

    ``datacenter_shifted_mwh`` = Σ_t w_t·max(0, P_it,t − P_it,t^as-arrived), the IT energy drawn
    later (or earlier) than the work arrived, where P^as-arrived = baseline + N_f·b(t) is the
    inflexible schedule.
    """
    if "datacenter_facility_power_mw" not in results:
        return []
    weight = results["weight_h"]
    facility = results["datacenter_facility_power_mw"]
    rows: list[tuple[str, object, str]] = [
        ("datacenter_energy_mwh", weighted_energy_mwh(facility, weight), "MWh/year"),
        ("datacenter_peak_mw", float(facility.sum("datacenter").max()), "MW"),
        ("datacenter_work_done", weighted_energy_mwh(results["work_done"], weight), "MWh of rated-power throughput/year"),
        ("datacenter_max_backlog", float(results["backlog"].max()), "MWh of rated-power throughput"),
    ]
    if "datacenter_as_arrived_it_mw" in results:
        moved = (results["datacenter_it_power_mw"] - results["datacenter_as_arrived_it_mw"]).clip(min=0.0)
        rows.append(("datacenter_shifted_mwh", weighted_energy_mwh(moved, weight), "MWh/year"))
    return rows
