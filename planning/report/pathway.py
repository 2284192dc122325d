"""The report of a ``planning pathway`` folder (:mod:`planning.workflows.pathway`): the capacity pathway, a row per
investment period, the builds by vintage, each period's energy and prices, and (with ``datacenter_sites:``) where the
data-center campuses are in each period.

A pathway folder holds the run's tables with a leading ``period`` column (the period's first year), pathway_periods.csv
(years n_p, discount factor DF_p, annual cost, present value DF_p·cost_p, CO2 t/year), pathway_builds.csv (MW or MWh
built at the start of a period, alive from ``alive_from`` until the year before ``retired_by``) and results.nc with a
``period`` dimension.

Capacity in service in period p, by technology, summed over the zones (MW of power; storage energy is in the tables):

* existing fleet kept   K_p = Σ (existing_mw − retired_mw) of capacity.csv (existing_mw is 0 from a plant's retire_year on);
* vintage q             V_{q,p} = Σ built of pathway_builds.csv's ``power_mw`` rows built in q with q ≤ p < retired_by
                        (Σ_q V_{q,p} = capacity.csv's new_mw of period p);
* retired in period p   R_p = (K_{p−1} − K_p) + Σ_{q: retired_by ≤ p, alive in p−1} V_{q,p−1}: what was in service in the
                        period before and is not any more (existing plants retired or at their retire_year, vintages at the
                        end of their lifetime); in the first period, its retired_mw (existing capacity retired at once).

* :func:`capacity_pathway`  long table period × technology × part (``existing`` or the vintage year) of MW in service
* :func:`retirements`       R_p by technology
* :func:`period_table`      a row per period: years, DF, annual cost, present value, CO2, new build and retired MW
* :func:`energy_by_period`  generation by technology per period (MWh/year: Σ_t w_t·g_t of dispatch.csv)
* :func:`sites_in_service`  per period and candidate site (``datacenter_sites.csv``): IT MW in service, added in the period
                            (``built_it_mw``) and built earlier (the difference: campuses never move, see
                            :mod:`planning.workflows.pathway`)
* :func:`site_period_table` a row per site ever sited: its zone, IT MW in service and added per period, and a total row
* :func:`figure_capacity`, :func:`figure_energy`, :func:`figure_prices`, :func:`figure_sites`  the figures
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from planning.formatting import format_number
from planning.report.palette import colour, label, ordered

EXISTING = "existing"
#: Hatches of the vintages, in build order (the existing fleet is drawn light and plain).
HATCHES = ("//", "\\\\", "xx", "..", "++", "oo", "--", "||")
TOLERANCE_MW = 1e-6


def _power_builds(builds: pd.DataFrame | None) -> pd.DataFrame:
    if builds is None or not len(builds):
        return pd.DataFrame(columns=["period", "technology", "built", "retired_by"])
    frame = builds[builds["kind"] == "power_mw"]
    return frame[frame["built"] > TOLERANCE_MW]


def capacity_pathway(capacity: pd.DataFrame, builds: pd.DataFrame | None) -> pd.DataFrame:
    """period, technology, part (``existing`` or the vintage's build year as text), capacity_mw — the capacity in service
    in each period (see the module docstring). Without pathway_builds.csv the new capacity is one part, ``new``."""
    periods = sorted(capacity["period"].unique())
    kept = capacity.assign(capacity_mw=(capacity["existing_mw"] - capacity["retired_mw"]).clip(lower=0))
    rows = [kept.groupby(["period", "technology"], sort=False)["capacity_mw"].sum().reset_index().assign(part=EXISTING)]
    power = _power_builds(builds)
    if builds is None:
        rows.append(capacity.groupby(["period", "technology"], sort=False)["new_mw"].sum().reset_index()
                    .rename(columns={"new_mw": "capacity_mw"}).assign(part="new"))
    for period in periods:
        alive = power[(power["period"] <= period) & (power["retired_by"] > period)]
        if len(alive):
            rows.append(alive.groupby(["period", "technology"])["built"].sum().reset_index()
                        .rename(columns={"period": "part", "built": "capacity_mw"}).assign(period=period))
    frame = pd.concat(rows, ignore_index=True)
    frame["part"] = frame["part"].astype(str)
    frame = frame[frame["capacity_mw"].abs() > TOLERANCE_MW]
    return frame[["period", "technology", "part", "capacity_mw"]].reset_index(drop=True)


def retirements(capacity: pd.DataFrame, builds: pd.DataFrame | None) -> pd.DataFrame:
    """period, technology, retired_mw: R_p of the module docstring (rows with nothing retired left out)."""
    periods = sorted(capacity["period"].unique())
    kept = capacity.assign(kept=(capacity["existing_mw"] - capacity["retired_mw"]).clip(lower=0)).pivot_table(
        index="technology", columns="period", values="kept", aggfunc="sum").reindex(columns=periods).fillna(0.0)
    first = capacity[capacity["period"] == periods[0]].groupby("technology")["retired_mw"].sum()
    power = _power_builds(builds)
    rows = [{"period": periods[0], "technology": t, "retired_mw": float(v)} for t, v in first.items()]
    for before, period in pairwise(periods):
        expired = power[(power["period"] <= before) & (power["retired_by"] > before) & (power["retired_by"] <= period)]
        gone = expired.groupby("technology")["built"].sum()
        for technology in kept.index.union(gone.index):
            drop = (kept.loc[technology, before] - kept.loc[technology, period]) if technology in kept.index else 0.0
            rows.append({"period": period, "technology": technology, "retired_mw": float(max(drop, 0.0) + gone.get(technology, 0.0))})
    frame = pd.DataFrame(rows, columns=["period", "technology", "retired_mw"])
    return frame[frame["retired_mw"] > TOLERANCE_MW].reset_index(drop=True)


def new_builds(builds: pd.DataFrame | None) -> pd.DataFrame:
    """period, technology, built_mw: power capacity built at the start of each period."""
    power = _power_builds(builds)
    return power.groupby(["period", "technology"], sort=False)["built"].sum().reset_index().rename(columns={"built": "built_mw"})


def _by_technology(frame: pd.DataFrame, period, column: str) -> str:
    rows = frame[frame["period"] == period].groupby("technology")[column].sum()
    return ", ".join(f"{label(t)} {format_number(rows[t], 4)}" for t in ordered(rows.index)) or "none"


def period_table(periods: pd.DataFrame, capacity: pd.DataFrame, builds: pd.DataFrame | None) -> pd.DataFrame:
    """A row per period: period, years, discount_factor, annual_cost, present_value, co2_t_per_year, built_mw, built (by
    technology, text), retired_mw, retired (text), in_service_mw (capacity in service, MW)."""
    built, retired, pathway = new_builds(builds), retirements(capacity, builds), capacity_pathway(capacity, builds)
    table = periods.rename(columns={"discounted_cost": "present_value"})[["period", "years", "discount_factor", "annual_cost",
                                                                          "present_value", "co2_t_per_year"]].copy()
    table["in_service_mw"] = [float(pathway.loc[pathway["period"] == p, "capacity_mw"].sum()) for p in table["period"]]
    table["built_mw"] = [float(built.loc[built["period"] == p, "built_mw"].sum()) for p in table["period"]]
    table["built"] = [_by_technology(built, p, "built_mw") for p in table["period"]]
    table["retired_mw"] = [float(retired.loc[retired["period"] == p, "retired_mw"].sum()) for p in table["period"]]
    table["retired"] = [_by_technology(retired, p, "retired_mw") for p in table["period"]]
    return table


def energy_by_period(dispatch: pd.DataFrame) -> pd.DataFrame:
    """Generation by technology (rows, report order) per period (columns), MWh: Σ_t w_t·generation_mw."""
    energy = (dispatch["generation_mw"] * dispatch["weight"]).groupby([dispatch["technology"].astype(str), dispatch["period"]]).sum()
    table = energy.unstack("period").fillna(0.0)
    table = table.reindex(ordered(table.index))
    table.index.name = "technology"
    table.columns.name = None
    return table


def sites_in_service(sites: pd.DataFrame) -> pd.DataFrame:
    """period, site, zone, it_mw (in service), added_mw (added at the start of the period), earlier_mw (built in an earlier
    period and still alive: it_mw − added_mw) of datacenter_sites.csv. A folder without ``built_it_mw`` counts what grew
    since the period before as added."""
    frame = sites.astype({"site": str, "zone": str}).sort_values(["period", "site"], kind="stable").reset_index(drop=True)
    if "built_it_mw" in frame:
        added = frame["built_it_mw"].astype(float)
    else:
        added = (frame["it_mw"] - frame.groupby("site")["it_mw"].shift(fill_value=0.0)).clip(lower=0.0)
    return pd.DataFrame({"period": frame["period"], "site": frame["site"], "zone": frame["zone"], "it_mw": frame["it_mw"].astype(float),
                         "added_mw": added.to_numpy(float), "earlier_mw": (frame["it_mw"] - added).clip(lower=0.0).to_numpy(float)})


def never_sited(frame: pd.DataFrame) -> pd.DataFrame:
    """site, zone of the candidates with no IT MW in any period (``frame``: :func:`sites_in_service`)."""
    largest = frame.groupby("site", sort=False)["it_mw"].max()
    empty = largest[largest <= TOLERANCE_MW].index
    return frame[frame["site"].isin(empty)].drop_duplicates("site")[["site", "zone"]].reset_index(drop=True)


def site_period_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A row per site sited in some period (zone, then site order) and a ``total`` row: site, zone, then per period
    ``in service <Y>`` and ``added <Y>`` (MW of IT; ``frame``: :func:`sites_in_service`)."""
    shown = frame[~frame["site"].isin(never_sited(frame)["site"])]
    periods = sorted(frame["period"].unique())
    wide = shown.pivot_table(index=["zone", "site"], columns="period", values=["it_mw", "added_mw"], aggfunc="sum").fillna(0.0)
    table = wide.index.to_frame(index=False)[["site", "zone"]]
    for period in periods:
        for column, name in (("it_mw", "in service"), ("added_mw", "added")):
            table[f"{name} {period}"] = wide[(column, period)].to_numpy(float) if (column, period) in wide else 0.0
    total = {"site": "total", "zone": "", **{c: float(table[c].sum()) for c in table.columns[2:]}}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def zone_colours(zones) -> dict[str, tuple]:
    """A distinct colour per zone (tab10, or tab20 beyond ten zones), in the zones' sorted order."""
    from matplotlib import colormaps

    names = sorted(dict.fromkeys(str(z) for z in zones))
    palette = colormaps["tab10"].colors if len(names) <= 10 else colormaps["tab20"].colors
    return {zone: palette[i % len(palette)] for i, zone in enumerate(names)}


# ---------------------------------------------------------------------------------------------- figures ---

def _vintages(pathway: pd.DataFrame) -> list[str]:
    return sorted({p for p in pathway["part"] if p != EXISTING})


def figure_capacity(pathway: pd.DataFrame, retired: pd.DataFrame, title: str = "") -> Figure:
    """Stacked bars per period (GW): per technology in report order from the bottom, the existing fleet kept (light) then
    each vintage in service (solid, hatched by build period); retirements of the period below zero (white, red hatched)."""
    periods = sorted(set(pathway["period"]) | set(retired["period"]))
    technologies = ordered(set(pathway["technology"]) | set(retired["technology"]))
    vintages = _vintages(pathway)
    hatch = {v: HATCHES[i % len(HATCHES)] for i, v in enumerate(vintages)}
    figure = Figure(figsize=(max(7.5, 1.6 * len(periods) + 5), 5.6), layout="constrained")
    ax = figure.add_subplot()
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for technology in technologies:
        for part in [EXISTING, *vintages]:
            rows = pathway[(pathway["technology"] == technology) & (pathway["part"] == part)].set_index("period")["capacity_mw"]
            values = rows.reindex(periods).fillna(0.0).to_numpy() / 1e3
            if np.abs(values).max(initial=0.0) < 1e-9:
                continue
            if part == EXISTING:
                ax.bar(x, values, bottom=bottom, width=0.62, color=colour(technology), alpha=0.45, edgecolor=colour(technology), linewidth=0.8)
            else:
                ax.bar(x, values, bottom=bottom, width=0.62, color=colour(technology), edgecolor="black", linewidth=0.5, hatch=hatch[part])
            bottom += values
    gone = retired.groupby("period")["retired_mw"].sum().reindex(periods).fillna(0.0).to_numpy() / 1e3
    below = np.zeros(len(periods))
    for technology in technologies:
        rows = retired[retired["technology"] == technology].set_index("period")["retired_mw"].reindex(periods).fillna(0.0).to_numpy() / 1e3
        if rows.max(initial=0.0) < 1e-9:
            continue
        ax.bar(x, -rows, bottom=below, width=0.62, color="white", edgecolor=colour(technology), hatch="///", linewidth=0.9)
        below -= rows
    span = max(float(bottom.max(initial=0.0)), float(gone.max(initial=0.0)), 1e-3)
    for i in range(len(periods)):
        ax.text(x[i], bottom[i] + span * 0.01, f"{format_number(bottom[i], 3)} GW", ha="center", va="bottom", fontsize=8.5)
        if gone[i] > 1e-6:
            ax.text(x[i], -gone[i] - span * 0.01, f"−{format_number(gone[i], 3)} retired", ha="center", va="top", fontsize=8.5, color="#b03030")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [str(p) for p in periods])
    ax.set_xlabel("investment period (first year)")
    ax.set_ylabel("capacity in service (GW); retired in the period below zero")
    ax.set_ylim(-(float(gone.max(initial=0.0)) * 1.25 + span * 0.08) if gone.max(initial=0.0) > 1e-6 else 0, span * 1.12)
    ax.grid(True, axis="y", alpha=0.3)
    present = [t for t in technologies if t in set(pathway["technology"]) | set(retired["technology"])]
    handles = [Patch(facecolor=colour(t), edgecolor="white", label=label(t)) for t in reversed(present)]
    handles += [Patch(facecolor="#cccccc", alpha=0.45, edgecolor="#999999", label="existing fleet, kept (light)")]
    handles += [Patch(facecolor="#cccccc", edgecolor="black", hatch=hatch[v], label=f"built {v}" if v != "new" else "new build") for v in vintages]
    handles += [Patch(facecolor="white", edgecolor="#b03030", hatch="///", label="retired in the period")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    figure.suptitle(title or "Capacity pathway", fontsize=12)
    return figure


def figure_energy(energy: pd.DataFrame, unit_note: str = "", title: str = "") -> Figure:
    """Generation by technology per period, stacked bars in report order."""
    from planning.report.figures import _magnitude

    periods = list(energy.columns)
    scale, unit = _magnitude(energy.sum(axis=0), [(1e6, "TWh"), (1e3, "GWh")], default="MWh")
    figure = Figure(figsize=(max(7.5, 1.6 * len(periods) + 5), 4.8), layout="constrained")
    ax = figure.add_subplot()
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for technology in energy.index:
        values = energy.loc[technology].to_numpy(float) / scale
        if np.abs(values).max(initial=0.0) < 1e-9:
            continue
        ax.bar(x, values, bottom=bottom, width=0.62, color=colour(technology), label=label(technology), edgecolor="white", linewidth=0.5)
        bottom += values
    for i in range(len(periods)):
        ax.text(x[i], bottom[i], format_number(bottom[i], 3), ha="center", va="bottom", fontsize=8.5)
    ax.set_xticks(x, [str(p) for p in periods])
    ax.set_xlabel("investment period (first year)")
    ax.set_ylabel(f"generation ({unit}{unit_note})")
    ax.grid(True, axis="y", alpha=0.3)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    figure.suptitle(title or "Energy by technology per period", fontsize=12)
    return figure


def figure_prices(balance: pd.DataFrame, currency: str = "", horizon_note: str = "", title: str = "") -> Figure:
    """Each period's price duration curve (load-weighted mean over the zones per hour; hours weighted)."""
    from planning.report.figures import _duration
    from planning.report.futures import system_price

    figure = Figure(figsize=(8.5, 4.6), layout="constrained")
    ax = figure.add_subplot()
    styles = ["-", "--", ":", "-."]
    for i, period in enumerate(sorted(balance["period"].unique())):
        prices = system_price(balance[balance["period"] == period])
        hours, values = _duration(prices["price"], prices["weight"])
        ax.step(hours, values, where="pre", linewidth=1.6, linestyle=styles[i % 4], color=f"C{i}", label=str(period))
    ax.set_xlabel("hours at or above (weighted)")
    ax.set_ylabel(f"price ({currency}/MWh of that period's year)" if currency else "price per MWh")
    ax.grid(True, alpha=0.3)
    ax.set_xlim(left=0)
    ax.legend(title="period", frameon=False, fontsize=9)
    figure.suptitle((title or "Price duration curve per period") + (f"\n{horizon_note[0].upper()}{horizon_note[1:]}" if horizon_note else ""),
                    fontsize=12)
    return figure


def figure_sites(frame: pd.DataFrame, title: str = "") -> Figure:
    """Data-center IT in service per period (MW or GW), stacked by zone (sorted, from the bottom): per zone the campuses built
    in earlier periods (solid) then what the period adds (lighter, hatched), named inside when there is room; over each bar the
    total and the MW added. Zones never sited are left out (``frame``: :func:`sites_in_service`)."""
    from planning.report.figures import _magnitude
    from planning.report.sites import _mw

    periods = sorted(frame["period"].unique())
    earlier, added = (frame.pivot_table(index="period", columns="zone", values=c, aggfunc="sum").reindex(periods).fillna(0.0)
                      for c in ("earlier_mw", "added_mw"))
    totals = frame.groupby("period")[["it_mw", "added_mw"]].sum().reindex(periods).fillna(0.0)
    scale, unit = _magnitude(totals["it_mw"], [(1e3, "GW")], default="MW")
    colours = zone_colours(frame.loc[frame["it_mw"] > TOLERANCE_MW, "zone"])   # zones never sited are not drawn
    figure = Figure(figsize=(max(7.5, 1.6 * len(periods) + 5), 5.0), layout="constrained")
    ax = figure.add_subplot()
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    span = max(float(totals["it_mw"].max()) / scale if len(totals) else 0.0, 1e-9)
    handles = []
    for zone in colours:
        old, new = earlier[zone].to_numpy(float) / scale, added[zone].to_numpy(float) / scale
        drawn, shown = old * scale > TOLERANCE_MW, new * scale > TOLERANCE_MW   # no zero-height bars (their edges show as lines)
        ax.bar(x[drawn], old[drawn], bottom=bottom[drawn], width=0.62, color=colours[zone], edgecolor="white", linewidth=0.5)
        ax.bar(x[shown], new[shown], bottom=(bottom + old)[shown], width=0.62, color=colours[zone], alpha=0.45, edgecolor=colours[zone],
               hatch="//", linewidth=0.8)
        for i in np.flatnonzero(old + new >= 0.07 * span):   # the zone's name inside its block when there is room
            ax.text(x[i], bottom[i] + (old[i] + new[i]) / 2, str(zone), ha="center", va="center", fontsize=8, color="#1d2329",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75, "edgecolor": "none"})
        bottom += old + new
        handles.append(Patch(facecolor=colours[zone], edgecolor="white", label=f"zone {zone}"))
    for i, period in enumerate(periods):
        text = f"{_mw(totals.loc[period, 'it_mw'])}\n+{_mw(totals.loc[period, 'added_mw'])} added"
        ax.text(x[i], bottom[i] + span * 0.01, text, ha="center", va="bottom", fontsize=8.5)
    ax.set_xticks(x, [str(p) for p in periods])
    ax.set_xlabel("investment period (first year)")
    ax.set_ylabel(f"IT in service ({unit})")
    ax.set_ylim(0, span * 1.18)
    ax.grid(True, axis="y", alpha=0.3)
    handles = handles[::-1] + [Patch(facecolor="#888888", edgecolor="white", label="built in an earlier period (solid)"),
                               Patch(facecolor="#888888", alpha=0.45, edgecolor="#888888", hatch="//", label="added in the period (light)")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    figure.suptitle(title or "Data-center sites per period", fontsize=12)
    return figure


__all__ = ["EXISTING", "capacity_pathway", "energy_by_period", "figure_capacity", "figure_energy", "figure_prices", "figure_sites", "never_sited",
           "new_builds", "period_table", "retirements", "site_period_table", "sites_in_service", "zone_colours"]
