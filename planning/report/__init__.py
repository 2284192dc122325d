"""``planning report``: figures (PNG) and one self-contained HTML report of a run or a sweep.

Reads only the files of a results folder (DESIGN.md §6) — summary.csv, capacity.csv,
dispatch.csv, storage.csv, balance.csv, carbon.csv, datacenter.csv, value_of_flexibility.csv,
transmission.csv, flows.csv,
run.json, scenario.resolved.yaml — or of a sweep folder (sweep.csv, sweep.yaml), and writes into
``RESULTS_DIR/report/`` (or ``out``):

run folder
    capacity_mix.png, dispatch_week.png, duration_curves.png, datacenter_<name>.png (one per data
    center, when the run has them), report.html; with two or more zones and corridors also network.png
    (zone diagram) and corridor_flows.png, with the corridor table (transmission.csv, flows.csv; see
    :mod:`planning.report.network`). A sample scaled to a year or representative periods is said at
    the top of report.html and on the duration curves. Technology order and colours:
    :mod:`planning.report.palette`; alt text of every figure: :mod:`planning.report.alt`.
run folder with futures (``futures:``; a ``future`` column in the operating tables, futures.csv)
    capacity_mix.png (the shared plan), futures_comparison.png, then per future dispatch_week_<future>.png,
    duration_curves_<future>.png, datacenter_<name>_<future>.png (and network/corridor figures), report.html with the
    futures' probabilities and costs, the value of information (RP, EV, EEV, WS, EVPI, VSS), key figures and energy per
    future next to their probability-weighted expectation (:mod:`planning.report.futures`)
pathway folder (``planning pathway``: pathway_periods.csv, pathway_builds.csv, tables with a ``period`` column)
    capacity_pathway.png, energy_pathway.png, price_pathway.png, report.html with the mode, the CO2 budget used, a row
    per period (years, discount factor, annual cost, present value, CO2, built, retired), capacity in service per
    period and the builds by vintage (:mod:`planning.report.pathway`); with datacenter_sites.csv also
    datacenter_sites_pathway.png and a row per site sited in some period (IT MW in service and added per period)
sweep folder
    sweep_comparison.png, report.html
compare folder (``planning compare --out``: compare.csv, compare_statistics.csv)
    report.html — the summary metrics that differ between the runs and the zone and system totals of
    the statistics that differ (absolute and relative to the first run); no figures
stress folder (``planning stress``: stress_summary.csv, adequacy.csv, loop_<mode>.csv)
    stress_convergence.png, report.html — each mode converged or NOT (unconverged modes marked, not
    ranked), the event figures (unweighted) next to the annualised ones, load shedding flagged

report.html is one file: the figures are embedded as base64 PNG, the style is inline, nothing is
loaded from elsewhere; it can be opened offline or sent by e-mail.

The week shown (dispatch and data-center figures) starts at ``week`` (a date) or, by default,
is the 7 days around the hour of peak system demand (data centers included), moved inside the
modelled horizon. With representative periods the snapshots are representative days scattered
over the year: 7 of them, from the first on or after that date, are drawn back to back.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from planning.errors import InputDataError
from planning.io.writers import snapshot_times
from planning.logging import get_logger
from planning.report import alt, figures, network
from planning.report.html import SitingSection, TransmissionSection, run_html, stress_html, sweep_html

log = get_logger("report")

WEEK_HOURS = 168


@dataclass
class Report:
    """What :func:`build_report` wrote."""

    html: Path
    figures: list[Path] = field(default_factory=list)
    week_start: pd.Timestamp | None = None


def _read(folder: Path, name: str, required: bool = True) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        if required:
            raise InputDataError([f"{path}: not found; is {folder} a results folder written by `planning run`?"], title="cannot draw the report")
        return None
    frame = pd.read_csv(path)
    if "snapshot" in frame:  # written as UTC with Z; drawn as UTC clock times without a time zone
        frame["snapshot"] = snapshot_times(frame["snapshot"])
    return frame


def choose_week(balance: pd.DataFrame, week: str | None = None, hours: int = WEEK_HOURS) -> pd.Timestamp:
    """First hour of the week to show: ``week`` (YYYY-MM-DD), or the days around peak system demand."""
    balance = balance.assign(snapshot=snapshot_times(balance["snapshot"]))
    snapshots = pd.DatetimeIndex(balance["snapshot"].unique()).sort_values()
    first, last = snapshots[0], snapshots[-1]
    latest_start = max(first, last + pd.Timedelta(hours=1) - pd.Timedelta(hours=hours))
    if week is not None:
        try:
            start = pd.Timestamp(week).tz_localize(None).normalize() if pd.Timestamp(week).tzinfo else pd.Timestamp(week).normalize()
        except ValueError:
            raise InputDataError([f"--week {week!r}: not a date; write YYYY-MM-DD"], title="cannot draw the report") from None
        if start > last or start + pd.Timedelta(hours=hours) <= first:
            raise InputDataError([f"--week {week}: outside the modelled hours {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}; "
                                  f"pick a date in that range"], title="cannot draw the report")
        return max(start, first)
    system = balance.assign(load=balance["demand_mw"] + balance["datacenter_mw"]).groupby("snapshot")["load"].sum()
    peak = pd.Timestamp(system.idxmax())
    start = peak.normalize() - pd.Timedelta(days=3)
    return min(max(start, first), latest_start)


def week_window(balance: pd.DataFrame, start: pd.Timestamp, hours: int = WEEK_HOURS) -> figures.Window:
    """The hours to draw: ``hours`` hours from ``start`` when the snapshots are chronological; with
    representative periods, up to 7 representative days from the first one on or after ``start``."""
    snapshots = pd.DatetimeIndex(snapshot_times(balance["snapshot"].unique())).sort_values()
    if figures.hourly(snapshots):
        return figures.Window(snapshots[(snapshots >= start) & (snapshots < start + pd.Timedelta(hours=hours))])
    days = list(dict.fromkeys(snapshots.normalize()))
    count = max(1, hours // 24)
    first = next((i for i, day in enumerate(days) if day >= start.normalize()), len(days) - 1)
    first = max(0, min(first, len(days) - count))
    chosen = set(days[first:first + count])
    return figures.Window(snapshots[snapshots.normalize().isin(chosen)])


def build_report(results_dir: str | Path, out: str | Path | None = None, week: str | None = None) -> Report:
    """Draw the figures and write report.html for a run folder or a sweep folder."""
    folder = Path(results_dir).expanduser().resolve()
    if not folder.is_dir():
        raise InputDataError([f"{folder}: no such folder; give a results folder of `planning run` or a sweep folder"], title="cannot draw the report")
    out_dir = Path(out).expanduser().resolve() if out is not None else folder / "report"
    out_dir.mkdir(parents=True, exist_ok=True)
    if (folder / "sweep.csv").is_file():
        return _sweep_report(folder, out_dir)
    if (folder / "stress_summary.csv").is_file():
        return _stress_report(folder, out_dir)
    if (folder / "compare.csv").is_file():
        return _compare_report(folder, out_dir)
    if (folder / "pathway_periods.csv").is_file():
        return _pathway_report(folder, out_dir)
    return _run_report(folder, out_dir, week)


def _run_report(folder: Path, out_dir: Path, week: str | None) -> Report:
    summary = _read(folder, "summary.csv")
    capacity = _read(folder, "capacity.csv")
    dispatch = _read(folder, "dispatch.csv")
    storage = _read(folder, "storage.csv", required=False)
    balance = _read(folder, "balance.csv")
    carbon = _read(folder, "carbon.csv", required=False)
    datacenter = _read(folder, "datacenter.csv", required=False)
    twins = _read(folder, "value_of_flexibility.csv", required=False)
    record, scenario, name = _record(folder)
    currency = _currency_of(scenario) or _currency(summary)
    note = horizon_note(summary)
    written: list[tuple[Path, str, str]] = []

    log.info("drawing the capacity mix")
    path = figures.save(figures.capacity_mix(capacity, f"{name}: capacity mix (existing, new, retired)"), out_dir / "capacity_mix.png")
    if capacity["zone"].nunique() > figures.PANEL_ZONES:
        caption = ("Capacity by zone, technologies stacked in the report's order: capacity kept (solid), new build (hatched; new GW in "
                   "brackets), retirements (red hatched, to the left of zero).")
    else:
        caption = ("Capacity by technology and zone: existing capacity kept (light), new build (solid, with the new GW in "
                   "brackets), retirements (hatched, to the left of zero). Storage bars also give the energy capacity (GWh).")
    written.append((path, caption, alt.capacity(capacity)))
    frames = {"dispatch": dispatch, "storage": storage, "balance": balance, "carbon": carbon, "datacenter": datacenter}
    if "future" not in balance:
        start = choose_week(balance, week)
        written += _operation_figures(frames, name, currency, note, start, week, out_dir)
        section = _transmission_section(folder, scenario, summary, balance, name, currency, note, out_dir)
        siting = _siting_section(folder, balance, name, currency, out_dir)
        html = out_dir / "report.html"
        html.write_text(run_html(name=name, description=scenario.get("description", ""), folder=folder, summary=summary,
                                 capacity=capacity, twins=twins, record=record, figures=written, currency=currency, transmission=section,
                                 siting=siting),
                        encoding="utf-8")
        log.info("report written to %s", html)
        figure_paths = ((section.figure_paths if section else []) + (siting.figure_paths if siting else [])
                        + [item[0] for item in written])   # in the order of report.html
        return Report(html=html, figures=figure_paths, week_start=start)
    return _futures_report(folder, out_dir, week, frames, summary, capacity, twins, record, scenario, name, currency, note, written)


def _operation_figures(frames: dict, name: str, currency: str, note: str, start: pd.Timestamp, week: str | None, out_dir: Path,
                       future: str | None = None) -> list[tuple[Path, str, str]]:
    """Dispatch week, duration curves and each data center's week of one run (or of one future's rows: ``future``)."""
    from planning.report.futures import frame_of

    dispatch, storage, balance, carbon, datacenter = (frame_of(frames[k], future) if future else frames[k]
                                                      for k in ("dispatch", "storage", "balance", "carbon", "datacenter"))
    suffix, of = (f"_{_safe(future)}", f" — future {future}") if future else ("", "")
    window = week_window(balance, start)
    written = []
    log.info("drawing the dispatch of the %s%s", window.title, of)
    path = figures.save(figures.dispatch_week(dispatch, storage, balance, window, f"{name}{of}: dispatch\n{window.title}"),
                        out_dir / f"dispatch_week{suffix}.png")
    reason = "chosen with --week" if week else "around the hour of peak demand" + (" of the most probable future" if future else "")
    written.append((path, f"Hourly dispatch{of}, {window.title} ({reason}). Areas above zero: generation, storage "
                          "discharge, imports and unserved energy; below zero: storage charging and exports. Lines: demand, and demand "
                          "plus data centers (the top of the stack exceeds it while storage charges).",
                    alt.dispatch(dispatch, balance, window, future)))
    log.info("drawing the duration curves%s", of)
    path = figures.save(figures.duration_curves(balance, carbon, currency, f"{name}{of}: price and carbon-intensity duration curves",
                                                horizon_note=note), out_dir / f"duration_curves{suffix}.png")
    written.append((path, f"Each hour's price{of} (dual of the zonal balance) and carbon intensity, sorted from highest to lowest; "
                          "the x axis counts hours weighted by what each modelled hour stands for (a year when scaled)"
                          + (f" — {note}, not a measured year." if note else "."),
                    alt.duration(balance, carbon, currency, note, future)))
    if datacenter is not None and len(datacenter):
        for site in dict.fromkeys(datacenter["datacenter"]):
            log.info("drawing the schedule of data center %s%s", site, of)
            path = figures.save(figures.datacenter_week(datacenter, balance, carbon, site, window, currency),
                                out_dir / f"datacenter_{_safe(site)}{suffix}.png")
            written.append((path, f"Data center '{site}'{of}: the IT power it must serve (baseline) and the flexible power the plan "
                                  "schedules, with the backlog of deferred work, against its zone's price and carbon intensity "
                                  "in the same week.", alt.datacenter(datacenter, site, window, future)))
    return written


def _futures_report(folder: Path, out_dir: Path, week: str | None, frames: dict, summary: pd.DataFrame, capacity: pd.DataFrame,
                    twins: pd.DataFrame | None, record: dict, scenario: dict, name: str, currency: str, note: str,
                    written: list) -> Report:
    """A run with futures: the shared capacity, the futures compared, then each future's own figures (see
    :mod:`planning.report.futures`)."""
    from planning.report.futures import (
        energy_by_future,
        frame_of,
        futures_comparison,
        information_table,
        probabilities,
        summary_by_future,
    )
    from planning.report.html import FuturesSection

    table = _read(folder, "futures.csv")
    probability = probabilities(table)
    energy = energy_by_future(frames["dispatch"], probability)
    log.info("drawing the futures compared")
    path = figures.save(futures_comparison(energy, table, frames["balance"], probability, currency, f"{name}: the futures compared"),
                        out_dir / "futures_comparison.png")
    written.append((path, "Left: generation by technology in each future and its probability-weighted expectation (Σ p·x); middle: "
                          "what each future would cost with the expected-value plan (EEV) or planned alone (WS), minus its cost with "
                          "this plan (RP, under the future's name; the RP cost alone without the value-of-information re-solves); right: each future's price duration curve (load-weighted mean over the zones, hours "
                          "weighted)" + (f" — {note}." if note else "."),
                    alt.futures(energy, table, frames["balance"], probability, currency)))
    likeliest = max(probability, key=probability.get)
    start = choose_week(frame_of(frames["balance"], likeliest), week)
    groups = []
    for future in probability:
        own = _operation_figures(frames, name, currency, note, start, week, out_dir, future)
        section = _transmission_section(folder, scenario, summary, frame_of(frames["balance"], future), f"{name} — future {future}", currency,
                                        note, out_dir, future)
        groups.append((future, section, own))
    summary_futures = _read(folder, "summary_futures.csv")
    futures = FuturesSection(table=table, probability=probability, information=information_table(summary),
                             by_future=summary_by_future(summary_futures, probability), energy=energy, groups=groups)
    siting = _siting_section(folder, frames["balance"], name, currency, out_dir, probability)
    html = out_dir / "report.html"
    html.write_text(run_html(name=name, description=scenario.get("description", ""), folder=folder, summary=summary, capacity=capacity,
                             twins=twins, record=record, figures=written, currency=currency, futures=futures, siting=siting), encoding="utf-8")
    log.info("report written to %s", html)
    paths = siting.figure_paths if siting else []
    paths += [item[0] for item in written]
    for _, section, own in groups:
        paths += (section.figure_paths if section else []) + [item[0] for item in own]
    return Report(html=html, figures=paths, week_start=start)


def _pathway_report(folder: Path, out_dir: Path) -> Report:
    """A ``planning pathway`` folder: the capacity pathway, a row per period, builds by vintage, energy and prices per
    period (:mod:`planning.report.pathway`)."""
    from planning.report import pathway
    from planning.report.html import pathway_html

    periods = _read(folder, "pathway_periods.csv")
    capacity = _read(folder, "capacity.csv")
    builds = _read(folder, "pathway_builds.csv", required=False)
    summary = _read(folder, "summary.csv")
    dispatch = _read(folder, "dispatch.csv", required=False)
    balance = _read(folder, "balance.csv", required=False)
    record, scenario, name = _record(folder)
    first = summary[summary["period"] == summary["period"].iloc[0]].drop(columns="period")   # every period models the same hours
    currency = _currency_of(scenario) or _currency(first)
    note = horizon_note(first)
    in_service, retired = pathway.capacity_pathway(capacity, builds), pathway.retirements(capacity, builds)
    written: list[tuple[Path, str, str]] = []
    log.info("drawing the capacity pathway")
    path = figures.save(pathway.figure_capacity(in_service, retired, f"{name}: capacity pathway"), out_dir / "capacity_pathway.png")
    written.append((path, "Capacity in service in each investment period, all zones, technologies stacked in the report's order: the "
                          "existing fleet kept (light), then each vintage still alive (solid, hatched by its build period); below zero, "
                          "what retired in the period (existing plants retired or at their retire_year, vintages at the end of their "
                          "lifetime). Power capacity only; storage energy (MWh) is in capacity.csv.",
                    alt.pathway_capacity(in_service, retired)))
    candidates = _read(folder, "datacenter_sites.csv", required=False)
    campuses = pathway.sites_in_service(candidates) if candidates is not None and len(candidates) else None
    if campuses is not None:
        log.info("drawing the data-center sites per period")
        path = figures.save(pathway.figure_sites(campuses, f"{name}: data-center sites per period"), out_dir / "datacenter_sites_pathway.png")
        written.append((path, "IT MW of the data-center campuses in service in each investment period, all candidate sites, stacked by "
                              "zone (named in its block when there is room): the campuses built in earlier periods (solid; a campus "
                              "stays at its site for its lifetime and later periods only add to it), then the IT MW added in the "
                              "period (light, hatched); over each bar the total and the MW added.", alt.pathway_sites(campuses)))
    energy = None
    if dispatch is not None and len(dispatch) and "period" in dispatch:
        energy = pathway.energy_by_period(dispatch)
        log.info("drawing the energy per period")
        per_year = str(first.set_index("metric")["unit"].get("demand_mwh", "")).endswith("/year")
        path = figures.save(pathway.figure_energy(energy, "/year" if per_year else " over the modelled hours",
                                                  f"{name}: energy by technology per period"),
                            out_dir / "energy_pathway.png")
        written.append((path, "Generation by technology in each period (Σ over the modelled hours of weight × output)"
                              + (f" — {note}." if note else "."), alt.pathway_energy(energy)))
    if balance is not None and len(balance) and "period" in balance:
        log.info("drawing the prices per period")
        path = figures.save(pathway.figure_prices(balance, currency, note, f"{name}: price duration curve per period"),
                            out_dir / "price_pathway.png")
        written.append((path, "Each period's hourly price (the balance dual divided by the period's discount factor: currency/MWh in that "
                              "period's year; load-weighted over the zones), sorted from highest to lowest, hours weighted"
                              + (f" — {note}, not a measured year." if note else "."), alt.pathway_prices(balance, currency, note)))
    html = out_dir / "report.html"
    html.write_text(pathway_html(name=name, description=scenario.get("description", ""), folder=folder, record=record, scenario=scenario,
                                 table=pathway.period_table(periods, capacity, builds), in_service=in_service, builds=builds,
                                 energy=energy, summary=first, figures=written, currency=currency, sites=campuses), encoding="utf-8")
    log.info("report written to %s", html)
    return Report(html=html, figures=[item[0] for item in written])


def horizon_note(summary: pd.DataFrame) -> str:
    """A few words on what the modelled hours stand for, for figures ("" for a full chronological year)."""
    from planning.metrics.summary import _summary_values

    values = _summary_values(summary)
    modelled, represented = values.get("modelled_hours"), values.get("represented_hours")
    if modelled is None or represented is None:
        return ""
    n = int(round(modelled))
    if represented > modelled * (1 + 1e-9):
        weight = values.get("snapshot_weight_h", float("nan"))
        if not math.isnan(weight):   # one weight for every hour: a sample scaled to a year
            return f"a sample of {n} modelled hours scaled to a year, each standing for {weight:,.4g} h"
        return f"{n} hours of representative periods weighted to a year ({represented:,.0f} h)"
    if represented < 8760 - 1e-6:
        return f"{n} modelled hours, not scaled to a year"
    return ""


def _transmission_section(folder: Path, scenario: dict, summary: pd.DataFrame, balance: pd.DataFrame, name: str, currency: str,
                          note: str, out_dir: Path, future: str | None = None) -> TransmissionSection | None:
    """Corridor table, zone diagram and flow duration curves of a multi-zone run (None for one zone or no corridors);
    of one future's flows and prices with ``future`` (figures named ``network_<future>.png`` ...)."""
    from planning.report.futures import frame_of

    zones = list(dict.fromkeys(balance["zone"]))
    transmission = _read(folder, "transmission.csv", required=False)
    if len(zones) < 2:
        return None
    if transmission is None or not len(transmission):
        return TransmissionSection(zones=zones, table=None, figures=[], computed=[])
    flows = frame_of(_read(folder, "flows.csv"), future) if future else _read(folder, "flows.csv")
    transmission = frame_of(transmission, future) if future else transmission
    suffix = f"_{_safe(future)}" if future else ""
    loss = {str(line): float((spec or {}).get("loss_fraction", 0.0) or 0.0)
            for line, spec in (scenario.get("transmission") or {}).items() if isinstance(spec, dict)}
    result = network.corridors(transmission, flows, balance, loss)
    units = summary.set_index("metric")["unit"] if "unit" in summary else pd.Series(dtype=str)
    hours_unit = str(units.get("loss_of_load_hours", "h")) if str(units.get("loss_of_load_hours", "nan")) != "nan" else "h"
    money = str(units.get("total_cost", "")) if str(units.get("total_cost", "nan")) != "nan" else currency
    scale = 1e6 if money.endswith("/year") else 1.0
    table = network.corridor_table(result, hours_unit=hours_unit, money_unit=("M " if scale > 1 else "") + money, currency=currency)
    rent_column = table.columns[-1]
    table[rent_column] = table[rent_column] / scale
    log.info("drawing the zone diagram and corridor flows")
    written = []
    path = figures.save(network.network_diagram(result, currency, hours_unit, f"{name}: zones and corridors"), out_dir / f"network{suffix}.png")
    written.append((path, "Zones and corridors: each arrow joins two zones (their corridors added up) in the direction of the mean net flow; "
                          "its width is proportional to the capability, its colour the mean loading (|flow| / capability), its label "
                          "the capability and the mean and peak flow that way. Zones are shaded by their mean price.",
                    network.diagram_alt(result, currency, hours_unit)))
    path = figures.save(network.flow_duration(result, note, f"{name}: corridor flow duration curves"), out_dir / f"corridor_flows{suffix}.png")
    written.append((path, "Each corridor's hourly flow as a share of its capability (+ = from → to), sorted from the largest flow one way "
                          "to the largest the other way; dotted red lines: the capability." + (f" Hours weighted: {note}." if note else ""),
                    network.duration_alt(result)))
    return TransmissionSection(zones=zones, table=table, figures=written, computed=result.computed)


def _siting_section(folder: Path, balance: pd.DataFrame, name: str, currency: str, out_dir: Path,
                    probability: dict[str, float] | None = None) -> SitingSection | None:
    """Map and table of the data-center fleet's sites (:mod:`planning.report.sites`); None without datacenter_sites.csv.
    A run with futures (``probability``): the expectation over the futures (:func:`planning.report.sites.expected_site_summary`)."""
    from planning.report import sites
    from planning.report.futures import frame_of

    candidates = _read(folder, "datacenter_sites.csv", required=False)
    if candidates is None or not len(candidates):
        return None
    load = _read(folder, "datacenter_site_load.csv")
    carbon = _read(folder, "datacenter_site_carbon.csv", required=False)
    if probability:
        per_future = {f: sites.site_summary(frame_of(candidates, f), frame_of(load, f), frame_of(balance, f), frame_of(carbon, f))
                      for f in probability}
        table = sites.expected_site_summary(per_future, probability)
        balance = frame_of(balance, max(probability, key=probability.get))
    else:
        table = sites.site_summary(candidates, load, balance, carbon)
    transmission = _read(folder, "transmission.csv", required=False)
    edges = ([(str(a), str(b)) for a, b in zip(transmission["from_zone"], transmission["to_zone"])]
             if transmission is not None and {"from_zone", "to_zone"} <= set(transmission.columns) else [])
    log.info("drawing the data-center siting map")
    path = figures.save(sites.site_map(table, list(dict.fromkeys(balance["zone"].astype(str))), edges, currency,
                                       f"{name}: data-center sites"), out_dir / "datacenter_sites.png")
    caption = ("Where the data-center fleet was sited: zones laid out as in the zone diagram (grey lines: corridors), a disc per zone "
               "whose area is proportional to the IT MW sited there, coloured by the price its sites pay (their zone's price weighted "
               "by their own hourly power); empty rings: candidate zones where nothing was built.")
    if probability:
        caption += " Energy, prices and emissions: the probability-weighted expectation over the futures (the sites are one decision for all)."
    return SitingSection(table=table, currency=currency, figures=[(path, caption, sites.site_map_alt(table, currency))],
                         expected=bool(probability))


def _sweep_report(folder: Path, out_dir: Path) -> Report:
    table = pd.read_csv(folder / "sweep.csv", keep_default_na=False, na_values=[""])
    spec = {}
    if (folder / "sweep.yaml").is_file():
        spec = yaml.safe_load((folder / "sweep.yaml").read_text(encoding="utf-8")) or {}
    keys = [c for c in table.columns[2:] if "." in c]
    name = spec.get("name") or folder.name
    currency = ""
    for run_dir in table.loc[table["status"] == "solved", "results_dir"]:
        summary_path = folder / str(run_dir) / "summary.csv"
        if summary_path.is_file():
            currency = _currency(pd.read_csv(summary_path))
            break
    log.info("drawing the sweep comparison")
    path = figures.save(figures.sweep_comparison(table, keys, currency, f"{name}: sweep comparison"), out_dir / "sweep_comparison.png")
    written = [(path, "Total system cost and CO2 emissions across the runs (one line per value of the other swept keys), and "
                      "the new capacity each run builds, by technology (GW). Runs that did not solve are marked in red.")]
    html = out_dir / "report.html"
    html.write_text(sweep_html(name=name, description=spec.get("description", ""), folder=folder, table=table, keys=keys,
                               figures=written, currency=currency), encoding="utf-8")
    log.info("report written to %s", html)
    return Report(html=html, figures=[path])


def _compare_report(folder: Path, out_dir: Path) -> Report:
    from planning.report.html import compare_html

    table = pd.read_csv(folder / "compare.csv", keep_default_na=False, na_values=["", "nan", "NaN"])
    table["unit"] = table["unit"].fillna("")
    statistics = _read(folder, "compare_statistics.csv", required=False)
    html = out_dir / "report.html"
    html.write_text(compare_html(folder=folder, table=table, statistics=statistics), encoding="utf-8")
    log.info("report written to %s", html)
    return Report(html=html, figures=[])


def _stress_report(folder: Path, out_dir: Path) -> Report:
    from planning.workflows.stress import stress_messages

    summary = pd.read_csv(folder / "stress_summary.csv")
    adequacy = _read(folder, "adequacy.csv")
    events = _read(folder, "stress_events.csv", required=False)
    traces = {str(mode): _read(folder, f"loop_{mode}.csv") for mode in summary["mode"]}
    scenario = {}
    if (folder / "scenario.resolved.yaml").is_file():
        scenario = yaml.safe_load((folder / "scenario.resolved.yaml").read_text(encoding="utf-8")) or {}
    name = scenario.get("name") or folder.name
    messages = stress_messages({"stress_summary": summary, "adequacy": adequacy, **{f"loop_{m}": t for m, t in traces.items()}})
    converged = {str(m): bool(c) for m, c in zip(summary["mode"], summary["converged"])}
    tolerance = float(summary["gap_tolerance_fraction"].iloc[0]) if "gap_tolerance_fraction" in summary else None
    log.info("drawing the convergence of the stress modes")
    path = figures.save(figures.stress_convergence(traces, converged, tolerance, f"{name}: convergence of each signal mode"),
                        out_dir / "stress_convergence.png")
    written = [(path, "Each signal mode's loop, round by round (loop_<mode>.csv): the relative gap against the tolerance; the ringed "
                      "point is the round whose figures are reported. Dashed lines: modes that did not converge (not ranked).")]
    html = out_dir / "report.html"
    html.write_text(stress_html(name=name, description=scenario.get("description", ""), folder=folder, summary=summary, adequacy=adequacy,
                                events=events, traces=traces, messages=messages, figures=written, currency=_currency_of(scenario)), encoding="utf-8")
    log.info("report written to %s", html)
    return Report(html=html, figures=[path])


def _record(folder: Path) -> tuple[dict, dict, str]:
    """run.json and scenario.resolved.yaml as read ({} when missing), and the name to show."""
    record = json.loads((folder / "run.json").read_text(encoding="utf-8")) if (folder / "run.json").is_file() else {}
    scenario = {}
    if (folder / "scenario.resolved.yaml").is_file():
        scenario = yaml.safe_load((folder / "scenario.resolved.yaml").read_text(encoding="utf-8")) or {}
    return record, scenario, scenario.get("name") or record.get("scenario") or folder.name


def _currency_of(scenario: dict) -> str:
    economics = scenario.get("economics") if isinstance(scenario.get("economics"), dict) else {}
    return str(economics.get("currency", ""))


def _currency(summary: pd.DataFrame) -> str:
    units = summary.set_index("metric")["unit"] if "unit" in summary else pd.Series(dtype=str)
    unit = str(units.get("total_cost", ""))
    return unit.split("/")[0].split(" ")[0] if unit and unit != "nan" else ""


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in str(name))


__all__ = ["Report", "build_report", "choose_week", "horizon_note", "week_window"]
