"""The summary table of a run: costs, energy, emissions, solver facts (summary.csv).

All energies are weighted: Σ_t w_t·x_t, so with ``horizon.scale_to_year`` they are annual.

summary.csv holds numbers only in ``value`` (``pd.read_csv`` reads it as float); the text facts of a run (solver
status, where the prices and bounds come from, the carbon-factor basis and marginal method) are
:func:`summary_facts`, written to run.json's ``summary_facts`` and shown on the terminal.

Units are honest about the period (:func:`period_unit`): energies, emissions and operating costs are ``/year``
only when the snapshot weights add up to a year (a full year, or a sample or representative periods scaled to
one); otherwise they are ``per N-h horizon``. Investment and fixed O&M are annualised in the model, so they are
``/year (annualised)`` on a horizon shorter than a year, and the total cost and the objective (their sum with
the operating cost) say so. The currency is the scenario's ``economics.currency``.

What the figures stand for is said in numbers:

* ``modelled_hours`` (snapshots solved), ``represented_hours`` (Σ_t w_t; 8760 = a year),
  ``snapshot_weight_h`` (h each modelled hour stands for; NaN when representative periods weigh
  differently) and ``sample_scaled_to_year`` (1 when the modelled hours are a sample whose figures
  are scaled up to represented_hours, e.g. the two-week main example × 26.07);
* loss of load (:mod:`planning.metrics.adequacy`): ``unserved_energy_mwh`` and ``loss_of_load_hours``
  (weighted), ``modelled_unserved_energy_mwh`` and ``modelled_loss_of_load_hours`` (unweighted),
  with stress events ``event_hours``, ``event_unserved_energy_mwh`` and ``event_loss_of_load_hours``
  (unweighted, during the events), and ``load_shed`` (1 when any hour sheds more than
  :data:`~planning.metrics.adequacy.LOSS_OF_LOAD_MW`).

:func:`horizon_label` and :func:`shedding_label` turn those rows into the sentences the terminal and
the report print next to the annual figures.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from planning.metrics.adequacy import LOSS_OF_LOAD_MW, event_hours_mask, shedding_figures


def weighted_energy_mwh(power_mw: xr.DataArray, weight_h: xr.DataArray) -> float:
    """Σ over every dimension of power (MW) × snapshot weight (h) → MWh."""
    return float((power_mw.fillna(0.0) * weight_h).sum())


YEAR_HOURS = 8760.0
"""Snapshot weights adding up to at least this many hours stand for a year (8784 in a leap year)."""


def period_unit(weight_h) -> str:
    """``"/year"`` when the snapshot weights add up to a year, else ``" per N-h horizon"`` (appended to a unit)."""
    represented = float(np.nansum(np.asarray(weight_h, dtype=float)))
    return "/year" if represented >= YEAR_HOURS - 1e-6 else f" per {represented:,.6g}-h horizon"


def per_period(table: pd.DataFrame, weight_h) -> pd.DataFrame:
    """A copy of rows written with ``/year`` units (carbon, footprint) whose ``/year`` says the period instead."""
    period = period_unit(weight_h)
    if period == "/year":
        return table
    return table.assign(unit=table["unit"].astype(str).str.replace("/year", period, regex=False))


def cost_units(currency: str, weight_h) -> dict[str, str]:
    """Units of the cost rows: ``annual`` (investment, fixed O&M), ``operating`` and ``total`` (their sum)."""
    period = period_unit(weight_h)
    if period == "/year":
        return {"annual": f"{currency}/year", "operating": f"{currency}/year", "total": f"{currency}/year"}
    return {"annual": f"{currency}/year (annualised)", "operating": f"{currency}{period}",
            "total": f"{currency} (investment and fixed O&M per year + operating cost{period})"}


def summary_table(results: xr.Dataset, timings: dict[str, float]) -> pd.DataFrame:
    """One row per metric: ``metric, value, unit``; every value a number (see :func:`summary_facts` for the text)."""
    currency = results.attrs.get("currency") or "currency"
    weight = results["weight_h"]
    period = period_unit(weight)
    units = cost_units(currency, weight)
    rows: list[tuple[str, object, str]] = []
    cost_names = [name for name in results.data_vars if name.startswith("cost_")]
    total = sum(float(results[name]) for name in cost_names)
    rows.append(("total_cost", total, units["total"]))
    for category in ("investment", "fixed_om", "variable", "startup", "reserve_shortfall", "co2", "unserved"):
        name = f"cost_{category}"
        value = float(results[name]) if name in results else 0.0
        rows.append((f"{category}_cost", value, units["annual" if category in ("investment", "fixed_om") else "operating"]))
    rows.append(("operating_cost", sum(v for m, v, _ in rows if m in ("variable_cost", "startup_cost", "reserve_shortfall_cost", "co2_cost", "unserved_cost")), units["operating"]))
    rows.append(("co2_t", float(results["co2_t"]), f"t{period}"))
    demand = weighted_energy_mwh(results["demand_mw"], weight) + weighted_energy_mwh(results["datacenter_mw"], weight)
    rows.append(("demand_mwh", demand, f"MWh{period}"))
    rows.extend(horizon_rows(results))
    rows.extend(shedding_rows(results))
    curtailment = weighted_energy_mwh(results["curtailment_mw"], weight) if "curtailment_mw" in results else 0.0
    rows.append(("curtailment_mwh", curtailment, f"MWh{period}"))
    rows.append(("peak_demand_mw", float((results["demand_mw"] + results["datacenter_mw"]).sum("zone").max()), "MW"))
    rows.extend(datacenter_rows(results))
    from planning.io.site_writers import site_summary_rows

    rows.extend(site_summary_rows(results, period))
    mean_price = float((results["price_per_mwh"] * results["demand_mw"] * weight).sum() / max((results["demand_mw"] * weight).sum(), 1e-12))
    rows.append(("demand_weighted_price_per_mwh", mean_price, f"{currency}/MWh"))
    if "co2_cap_dual_per_t" in results.attrs:
        rows.append(("co2_cap_shadow_price_per_t", float(results.attrs["co2_cap_dual_per_t"]), f"{currency}/t"))
    rows.append(("objective", float(results.attrs["objective"]), units["total"]))
    rows.append(("mip_gap", float(results.attrs["mip_gap"]), "fraction"))
    rows.extend(bound_rows(results))
    for key, value in timings.items():
        rows.append((key, round(float(value), 4), "s"))
    table = pd.DataFrame(rows, columns=["metric", "value", "unit"])
    table["value"] = table["value"].astype(float)
    return table


FACT_ATTRS = {"solver_status": "solver_status", "prices_from": "duals_from", "lower_bound_from": "lower_bound_from",
              "investments_from": "investments_from", "solution_from": "solution_from"}
"""Text facts of a run (run.json's ``summary_facts``) and the results attribute each comes from."""


def summary_facts(results: xr.Dataset, carbon_metrics: xr.Dataset | None = None) -> dict[str, str]:
    """The text facts of a run, kept out of summary.csv's numbers: solver status, ``prices_from`` (``lp`` or the
    fixed-integer LP re-solve), a decomposed run's ``lower_bound_from``/``investments_from``/``solution_from``, and
    with the carbon metrics ``carbon_factor_basis`` and ``marginal_method``."""
    facts = {name: str(results.attrs[attr]) for name, attr in FACT_ATTRS.items() if attr in results.attrs}
    facts.setdefault("prices_from", "lp")
    if carbon_metrics is not None:
        for name, attr in (("carbon_factor_basis", "factor_basis"), ("marginal_method", "marginal_method")):
            if attr in carbon_metrics.attrs:
                facts[name] = str(carbon_metrics.attrs[attr])
    return facts


def horizon_rows(results: xr.Dataset) -> list[tuple[str, object, str]]:
    """modelled_hours, represented_hours, snapshot_weight_h, sample_scaled_to_year (see the module docstring)."""
    dt = float(results.attrs.get("snapshot_duration_h", 1))
    weight = results["weight_h"].values.astype(float) / dt  # per modelled hour
    modelled, represented = float(weight.size) * dt, float(weight.sum()) * dt
    uniform = weight.size > 0 and bool(np.allclose(weight, weight[0], rtol=1e-12, atol=0.0))
    scaled = 1 if represented > modelled * (1 + 1e-9) else 0
    return [
        ("modelled_hours", modelled, "h (snapshots solved × their length)"),
        ("represented_hours", represented, "h (sum of snapshot weights; 8760 = a year)"),
        ("snapshot_weight_h", float(weight[0]) if uniform else float("nan"), "h per modelled hour (NaN: representative periods weigh differently)"),
        ("sample_scaled_to_year", scaled, "flag (1 = the modelled hours are a sample scaled up to represented_hours)"),
    ]


def shedding_rows(results: xr.Dataset) -> list[tuple[str, object, str]]:
    """Unserved energy and loss-of-load hours, weighted and unweighted, during the stress events, and the load_shed flag."""
    unserved = results["unserved_mw"].transpose("zone", "snapshot").values
    event = event_hours_mask(results)
    figures = shedding_figures(unserved, results["weight_h"].values, event, float(results.attrs.get("snapshot_duration_h", 1)))
    period = period_unit(results["weight_h"].values)
    rows: list[tuple[str, object, str]] = [
        ("unserved_energy_mwh", figures["unserved_energy_mwh"], f"MWh{period}"),
        ("loss_of_load_hours", figures["loss_of_load_hours"], f"h{period}"),
        ("modelled_unserved_energy_mwh", figures["modelled_unserved_energy_mwh"], "MWh in the modelled hours (unweighted)"),
        ("modelled_loss_of_load_hours", figures["modelled_loss_of_load_hours"], "h in the modelled hours (unweighted)"),
    ]
    if "stress_active" in results and event.any():
        rows += [
            ("event_hours", figures["event_hours"], "h (stress-event windows, each hour once)"),
            ("event_unserved_energy_mwh", figures["event_unserved_energy_mwh"], "MWh during the stress events (unweighted)"),
            ("event_loss_of_load_hours", figures["event_loss_of_load_hours"], "h during the stress events (unweighted)"),
        ]
    rows.append(("load_shed", figures["load_shed"], f"flag (1 = unserved energy above {LOSS_OF_LOAD_MW:g} MW in some hour)"))
    return rows


def _amount(value: float) -> str:
    """160 → '160', 58400 → '58 400', 17.46 → '17.5', 0.25 → '0.25' (:func:`planning.formatting.format_number`)."""
    from planning.formatting import format_number

    return format_number(value, 3)


def horizon_text(modelled_hours: float, represented_hours: float, snapshot_weight_h: float | None = None) -> str | None:
    """What the modelled hours stand for, in one sentence; None for a full chronological year."""
    n = int(round(modelled_hours))
    if represented_hours > modelled_hours * (1 + 1e-9):
        if snapshot_weight_h is None or not np.isfinite(snapshot_weight_h):
            return (f"the {n} modelled hours are representative periods scaled to a year ({_amount(represented_hours)} h): "
                    "figures per year are their weighted sums")
        factor = f"{snapshot_weight_h:,.4g}"
        return f"the {n} modelled hours are a sample scaled to a year: each stands for {factor} h, so figures per year are the sample's × {factor}"
    if represented_hours < 8760 - 1e-6:
        return (f"the {n} modelled hours are not scaled to a year: energy, emissions and operating cost cover these {n} hours only "
                "(investment is annualised)")
    return None


def shedding_text(figures: Mapping[str, float]) -> str | None:
    """'LOAD SHED: …' — the event, modelled-hour and annualised figures, each labelled; None when nothing is shed.

    ``figures`` has the keys of :func:`planning.metrics.adequacy.shedding_figures` (event keys optional).
    """
    if not figures.get("modelled_loss_of_load_hours", 0.0) > 0:
        return None
    parts = []
    if figures.get("event_hours", 0.0) > 0:
        hours = figures["event_loss_of_load_hours"]
        parts.append(f"{_amount(figures['event_unserved_energy_mwh'])} MWh unserved and {_amount(hours)} "
                     f"loss-of-load hour{'' if hours == 1 else 's'} during the stress events ({_amount(figures['event_hours'])} h, unweighted)")
    modelled, represented = figures["modelled_hours"], figures["represented_hours"]
    parts.append(f"{_amount(figures['modelled_unserved_energy_mwh'])} MWh and {_amount(figures['modelled_loss_of_load_hours'])} h "
                 f"in the {int(round(modelled))} modelled hours (unweighted)")
    if represented > modelled * (1 + 1e-9):
        parts.append(f"{_amount(figures['unserved_energy_mwh'])} MWh/year and {_amount(figures['loss_of_load_hours'])} h/year annualised "
                     f"(the sample scaled to {_amount(represented)} h)")
    return "LOAD SHED: " + "; ".join(parts)


def _summary_values(summary: pd.DataFrame) -> dict[str, float]:
    values = {}
    for metric, value in zip(summary["metric"], summary["value"]):
        try:
            values[str(metric)] = float(value)
        except (TypeError, ValueError):
            continue
    return values


def horizon_label(summary: pd.DataFrame) -> str | None:
    """:func:`horizon_text` from the rows of summary.csv (None when they are missing: an older results folder)."""
    values = _summary_values(summary)
    if "modelled_hours" not in values or "represented_hours" not in values:
        return None
    return horizon_text(values["modelled_hours"], values["represented_hours"], values.get("snapshot_weight_h"))


def shedding_label(summary: pd.DataFrame) -> str | None:
    """:func:`shedding_text` from the rows of summary.csv (None without the rows or without shedding)."""
    values = _summary_values(summary)
    if values.get("load_shed", 0.0) < 0.5 or "modelled_hours" not in values:
        return None
    return shedding_text(values)


def results_labels(results: xr.Dataset) -> tuple[str | None, str | None]:
    """(:func:`horizon_label`, :func:`shedding_label`) of a results Dataset without a summary table (e.g. a loop's grid solution)."""
    facts = pd.DataFrame(horizon_rows(results) + shedding_rows(results), columns=["metric", "value", "unit"])
    return horizon_label(facts), shedding_label(facts)


def bound_rows(results: xr.Dataset) -> list[tuple[str, object, str]]:
    """Rows of a decomposed run — unit commitment (:mod:`planning.optimization.decomposition`: and the stitched windows'
    cost and count) or temporal (:mod:`planning.optimization.temporal_solve`: and the blocks and Benders iterations):
    upper and lower bound of the full-year cost and the certified gap (UB − LB)/UB (their sources: :func:`summary_facts`)."""
    if "certified_gap" not in results.attrs:
        return []
    total = cost_units(results.attrs.get("currency") or "currency", results["weight_h"])["total"]
    attrs = results.attrs
    rows = [
        ("upper_bound", float(attrs["upper_bound"]), total),
        ("lower_bound", float(attrs["lower_bound"]), total),
        ("certified_gap", float(attrs["certified_gap"]), "fraction"),
    ]
    if "stitched_cost" in attrs:
        rows += [("stitched_window_cost", float(attrs["stitched_cost"]), total), ("commitment_windows", int(attrs["windows"]), "")]
    if "temporal_blocks" in attrs:
        rows += [("temporal_blocks", int(attrs["temporal_blocks"]), ""), ("benders_iterations", int(attrs["benders_iterations"]), "")]
    return rows


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
    period = period_unit(weight)
    facility = results["datacenter_facility_power_mw"]
    rows: list[tuple[str, object, str]] = [
        ("datacenter_energy_mwh", weighted_energy_mwh(facility, weight), f"MWh{period}"),
        ("datacenter_peak_mw", float(facility.sum("datacenter").max()), "MW"),
        ("datacenter_work_done", weighted_energy_mwh(results["work_done"], weight), f"MWh of rated-power throughput{period}"),
        ("datacenter_max_backlog", float(results["backlog"].max()), "MWh of rated-power throughput"),
    ]
    if "datacenter_as_arrived_it_mw" in results:
        moved = (results["datacenter_it_power_mw"] - results["datacenter_as_arrived_it_mw"]).clip(min=0.0)
        rows.append(("datacenter_shifted_mwh", weighted_energy_mwh(moved, weight), f"MWh{period}"))
    if "datacenter_tie_break_cost_per_year" in results:   # in the objective, not in total_cost (objective − total_cost)
        unit = cost_units(results.attrs.get("currency") or "currency", weight)["operating"]
        rows.append(("datacenter_tie_break_cost", float(results["datacenter_tie_break_cost_per_year"].sum()), unit))
    return rows
