"""Alt text of the report's figures: what each one plots and its main numbers, for readers who cannot see it.

Each function takes the frames the figure was drawn from and returns one or two sentences (technology
names and order as in the figure, :mod:`planning.report.palette`; numbers in the report's format,
:func:`planning.formatting.format_number`).
"""

from __future__ import annotations

import pandas as pd

from planning.formatting import format_number
from planning.report.palette import label, ordered


def _of(future: str | None) -> str:
    return f"future {future}, " if future else ""


def _gw(mw: float) -> str:
    return f"{format_number(mw / 1e3, 3)} GW"


def capacity(capacity: pd.DataFrame) -> str:
    """Bars per zone: every technology's capacity after the plan, with new and retired capacity."""
    parts = []
    for zone in dict.fromkeys(capacity["zone"]):
        frame = capacity[capacity["zone"] == zone].groupby("technology")[["existing_mw", "new_mw", "retired_mw"]].sum()
        items = []
        for technology in ordered(frame.index):
            row = frame.loc[technology]
            total = row["existing_mw"] - row["retired_mw"] + row["new_mw"]
            text = f"{label(technology)} {_gw(total)}"
            if row["new_mw"] > 1e-3:
                text += f" ({_gw(row['new_mw'])} new)"
            if row["retired_mw"] > 1e-3:
                text += f" ({_gw(row['retired_mw'])} retired)"
            items.append(text)
        parts.append(f"zone {zone}: " + ", ".join(items))
    return "Horizontal bar chart of capacity by technology after the plan. " + "; ".join(parts) + "."


def dispatch(dispatch: pd.DataFrame, balance: pd.DataFrame, window, future: str | None = None) -> str:
    """Stacked areas of the shown week: the technologies in stack order and their share of the week's generation
    (of one future's rows when ``future`` is given)."""
    hours = set(window.hours)
    shown = dispatch[pd.DatetimeIndex(dispatch["snapshot"]).isin(hours)]
    energy = shown.groupby("technology")["generation_mw"].sum()
    total = float(energy.sum())
    shares = [f"{label(t)} {format_number(100 * energy[t] / total, 2)} %" for t in ordered(energy.index) if total > 0 and energy[t] > 1e-6 * total]
    load = balance[pd.DatetimeIndex(balance["snapshot"]).isin(hours)]
    system = (load["demand_mw"] + load["datacenter_mw"]).groupby(load["snapshot"]).sum()
    peak = f"; peak demand with data centers {_gw(float(system.max()))}" if len(system) else ""
    return (f"Stacked area chart of hourly generation by technology, {_of(future)}{window.title}, bottom to top in the legend's reverse order, "
            f"with demand drawn as a line. Share of the week's generation: {', '.join(shares) or 'none'}{peak}.")


def duration(balance: pd.DataFrame, carbon: pd.DataFrame | None, currency: str, note: str, future: str | None = None) -> str:
    """Price and intensity duration curves: the range of each per zone."""
    prices = [f"{zone} from {format_number(frame['price_per_mwh'].max(), 3)} down to {format_number(frame['price_per_mwh'].min(), 3)}"
              for zone, frame in balance.groupby("zone", sort=False)]
    of = f" of future {future}" if future else ""
    text = f"Duration curves{of}, hours sorted from the highest value to the lowest. Price ({currency}/MWh): {'; '.join(prices)}."
    if carbon is not None and len(carbon) and "average_g_per_kwh" in carbon:
        intensity = [f"{zone} from {format_number(frame['average_g_per_kwh'].max(), 3)} down to {format_number(frame['average_g_per_kwh'].min(), 3)}"
                     for zone, frame in carbon.groupby("zone", sort=False)]
        text += f" Average carbon intensity (g CO2/kWh): {'; '.join(intensity)}."
    if note:
        text += f" The hours are {note}."
    return text


def datacenter(datacenter: pd.DataFrame, site: str, window, future: str | None = None) -> str:
    """A data center's week: baseline and flexible IT power, backlog, against its zone's signals."""
    frame = datacenter[(datacenter["datacenter"] == site) & pd.DatetimeIndex(datacenter["snapshot"]).isin(set(window.hours))]
    if not len(frame):
        return f"Data center {site}: no hours in the week shown."
    return (f"Three panels for data center {site}, {_of(future)}{window.title}: IT power as stacked areas (baseline from "
            f"{format_number(frame['baseline_mw'].min(), 3)} to {format_number(frame['baseline_mw'].max(), 3)} MW, flexible up to "
            f"{format_number(frame['flexible_mw'].max(), 3)} MW), facility power up to {format_number(frame['facility_power_mw'].max(), 3)} MW "
            f"and the backlog of deferred work (at most {format_number(frame['backlog'].max(), 3)} MWh); below, its zone's hourly price "
            "and carbon intensity.")


def futures(energy: pd.DataFrame, table: pd.DataFrame, balance: pd.DataFrame, probability: dict[str, float], currency: str) -> str:
    """Alt text of :func:`planning.report.futures.futures_comparison`: each future's (and the expected) generation shares, costs and price range."""
    from planning.report.futures import EXPECTED, frame_of, system_price

    parts = []
    for name in [*probability, EXPECTED]:
        column = energy[name]
        total = float(column.sum())
        shares = ", ".join(f"{label(t)} {format_number(100 * column[t] / total, 2)} %" for t in energy.index if total > 0 and column[t] > 1e-6 * total)
        head = f"{name} (probability {probability[name]:g})" if name in probability else "expected (probability-weighted)"
        parts.append(f"{head}: {format_number(total, 3)} MWh, {shares or 'no generation'}")
    costs = "; ".join(f"{row.future}: " + ", ".join(f"{c.split('_')[0].upper()} {format_number(getattr(row, c), 4)}"
                                                      for c in ("rp_cost", "eev_cost", "ws_cost") if c in table)
                      for row in table.itertuples(index=False))
    prices = "; ".join(f"{f} from {format_number(system_price(frame_of(balance, f))['price'].max(), 3)} down to "
                       f"{format_number(system_price(frame_of(balance, f))['price'].min(), 3)}" for f in probability)
    return (f"Three panels comparing the futures. Generation by technology per future and the probability-weighted expectation: "
            f"{'; '.join(parts)}. Total cost per future ({currency}): {costs}. Price duration curves ({currency}/MWh): {prices}.")


def pathway_capacity(pathway: pd.DataFrame, retired: pd.DataFrame) -> str:
    """Alt text of :func:`planning.report.pathway.figure_capacity`: per period the capacity in service by technology
    (existing kept and each vintage) and what retired."""
    from planning.report.pathway import EXISTING

    parts = []
    for period in sorted(set(pathway["period"]) | set(retired["period"])):
        frame = pathway[pathway["period"] == period]
        items = []
        for technology in ordered(frame["technology"]):
            rows = frame[frame["technology"] == technology].set_index("part")["capacity_mw"]
            pieces = [f"{'existing' if part == EXISTING else f'built {part}'} {_gw(value)}" for part, value in rows.items()]
            items.append(f"{label(technology)} {_gw(float(rows.sum()))} ({', '.join(pieces)})")
        gone = retired[retired["period"] == period]
        text = f"{period}: {_gw(float(frame['capacity_mw'].sum()))} in service — " + ("; ".join(items) or "none")
        if len(gone):
            text += "; retired " + ", ".join(f"{label(t)} {_gw(float(v))}" for t, v in gone.groupby("technology")["retired_mw"].sum().items())
        parts.append(text)
    return "Stacked bar chart of the capacity pathway, one bar per investment period. " + ". ".join(parts) + "."


def pathway_energy(energy: pd.DataFrame) -> str:
    """Alt text of :func:`planning.report.pathway.figure_energy`: each period's generation and technology shares."""
    parts = []
    for period in energy.columns:
        column = energy[period]
        total = float(column.sum())
        shares = ", ".join(f"{label(t)} {format_number(100 * column[t] / total, 2)} %" for t in energy.index if total > 0 and column[t] > 1e-6 * total)
        parts.append(f"{period}: {format_number(total, 4)} MWh ({shares or 'no generation'})")
    return "Stacked bar chart of generation by technology per investment period. " + "; ".join(parts) + "."


def pathway_prices(balance: pd.DataFrame, currency: str, note: str) -> str:
    """Alt text of :func:`planning.report.pathway.figure_prices`: each period's price range and weighted mean."""
    from planning.report.futures import system_price

    parts = []
    for period in sorted(balance["period"].unique()):
        prices = system_price(balance[balance["period"] == period])
        mean = float((prices["price"] * prices["weight"]).sum() / prices["weight"].sum()) if prices["weight"].sum() > 0 else float("nan")
        parts.append(f"{period} from {format_number(prices['price'].max(), 3)} down to {format_number(prices['price'].min(), 3)}, "
                     f"hour-weighted mean {format_number(mean, 3)}")
    text = f"Price duration curves, one per investment period ({currency}/MWh): " + "; ".join(parts) + "."
    return text + (f" The hours are {note}." if note else "")


def pathway_sites(frame: pd.DataFrame) -> str:
    """Alt text of :func:`planning.report.pathway.figure_sites`: per period the IT MW in service and added, per zone and site
    (``frame``: :func:`planning.report.pathway.sites_in_service`), and the candidates never sited."""
    from planning.report.pathway import TOLERANCE_MW, never_sited
    from planning.report.sites import _mw

    parts = []
    for period, rows in frame.groupby("period"):
        rows = rows[rows["it_mw"] > TOLERANCE_MW]
        zones = []
        for zone, group in rows.groupby("zone"):
            sites = ", ".join(f"{r.site} {_mw(r.it_mw)}" + (f", added {_mw(r.added_mw)}" if r.added_mw > TOLERANCE_MW else "")
                              for r in group.itertuples(index=False))
            zones.append(f"zone {zone} {_mw(float(group['it_mw'].sum()))} ({sites})")
        parts.append(f"{period}: {_mw(float(rows['it_mw'].sum()))} in service, {_mw(float(rows['added_mw'].sum()))} added — "
                     + ("; ".join(zones) or "no campus"))
    text = ("Stacked bar chart of the data-center IT in service per investment period, by zone; in each zone the campuses built "
            "earlier solid, what the period adds light and hatched. " + ". ".join(parts) + ".")
    empty = never_sited(frame)
    if len(empty):
        text += " Never sited: " + ", ".join(f"{r.site} (zone {r.zone})" for r in empty.itertuples(index=False)) + "."
    return text


__all__ = ["capacity", "datacenter", "dispatch", "duration", "futures", "pathway_capacity", "pathway_energy", "pathway_prices",
           "pathway_sites"]
