"""The HTML report: one self-contained file (inline style, figures as base64 PNG, no scripts)."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planning.formatting import format_number, label, value_parts
from planning.report.palette import label as label_technology
from planning.report.palette import rank

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1180px;
       color: #1d2329; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #d9dee3; }
.meta { color: #5b6670; font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
th, td { padding: .28rem .6rem; border-bottom: 1px solid #e4e8ec; text-align: right; white-space: nowrap; }
th { background: #f3f5f7; } td:first-child, th:first-child { text-align: left; }
td.text, th.text { text-align: left; white-space: normal; } h3 { font-size: 1rem; margin: 1.2rem 0 .2rem; } tr.failed td { color: #b03030; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; border: 1px solid #e4e8ec; }
code { overflow-wrap: anywhere; } p, figcaption, li { overflow-wrap: anywhere; }
th { white-space: normal; min-width: 4.5em; vertical-align: bottom; }
figcaption { color: #3d4750; font-size: .9rem; margin-top: .3rem; }
.scroll { overflow-x: auto; }
p.warning { color: #8a1c1c; background: #fbeaea; border-left: 4px solid #b03030; padding: .5rem .8rem; font-weight: 600; }
p.caution { color: #6b4d00; background: #fff6dc; border-left: 4px solid #c99a00; padding: .5rem .8rem; }
p.horizon { background: #eef3f8; border-left: 4px solid #4c72b0; padding: .5rem .8rem; }
p.horizon.top { font-size: 1.05rem; font-weight: 600; border-left-width: 6px; }
"""

#: Summary metrics shown first (others with numeric values follow in a collapsed list).
KEY_METRICS = ("total_cost", "investment_cost", "fixed_om_cost", "operating_cost", "variable_cost", "co2_cost", "co2_t",
               "demand_mwh", "peak_demand_mw", "unserved_energy_mwh", "loss_of_load_hours", "event_unserved_energy_mwh",
               "event_loss_of_load_hours", "modelled_unserved_energy_mwh", "modelled_loss_of_load_hours", "load_shed", "curtailment_mwh",
               "demand_weighted_price_per_mwh", "average_g_per_kwh", "marginal_g_per_kwh", "carbon_free_share", "modelled_hours",
               "represented_hours", "sample_scaled_to_year", "solver_status", "mip_gap", "prices_from")


def number(value, digits: int = 4) -> str:
    """A readable number (:func:`planning.formatting.format_number`, the terminal's format too)."""
    return format_number(value, digits)


def _image(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def table_html(frame: pd.DataFrame, classes: list[str] | None = None, text_columns: tuple[str, ...] = ()) -> str:
    head = "".join(f'<th class="text">{_breakable(c)}</th>' if c in text_columns else f"<th>{_breakable(c)}</th>" for c in frame.columns)
    rows = []
    for i, (_, row) in enumerate(frame.astype(object).iterrows()):   # object: each cell keeps its own type (int, float, str)
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        cells = []
        for column, value in row.items():
            cell = html.escape(number(value) if not isinstance(value, str) else value)
            cells.append(f'<td class="text">{cell}</td>' if column in text_columns else f"<td>{cell}</td>")
        rows.append(f"<tr{css}>{''.join(cells)}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


@dataclass
class TransmissionSection:
    """What the report shows of a multi-zone run's corridors (:func:`planning.report._transmission_section`)."""

    zones: list[str]
    table: pd.DataFrame | None                                            # one row per corridor; None: no corridors
    figures: list[tuple[Path, str, str]] = field(default_factory=list)   # (png, caption, alt text)
    computed: list[str] = field(default_factory=list)                     # quantities the results folder did not have

    @property
    def figure_paths(self) -> list[Path]:
        return [item[0] for item in self.figures]


@dataclass
class SitingSection:
    """What the report shows of a run with ``datacenter_sites`` (:func:`planning.report._siting_section`)."""

    table: pd.DataFrame                                                    # planning.report.sites.site_summary
    currency: str
    figures: list[tuple[Path, str, str]] = field(default_factory=list)   # (png, caption, alt text)
    expected: bool = False                                                 # a run with futures: Σ p·x over the futures

    @property
    def figure_paths(self) -> list[Path]:
        return [item[0] for item in self.figures]


@dataclass
class FuturesSection:
    """What the report shows of a run with futures (:func:`planning.report._futures_report`)."""

    table: pd.DataFrame                   # futures.csv
    probability: dict[str, float]
    information: pd.DataFrame             # planning.report.futures.information_table
    by_future: pd.DataFrame               # planning.report.futures.summary_by_future
    energy: pd.DataFrame                  # planning.report.futures.energy_by_future (MWh)
    groups: list[tuple[str, TransmissionSection | None, list[tuple]]] = field(default_factory=list)   # (future, corridors, figures)


def _breakable(name) -> str:
    """A column name that may wrap after the dots and underscores of key paths (policy.co2_price_per_t)."""
    return html.escape(str(name)).replace(".", ".<wbr>").replace("_", "_<wbr>")


def _figures_html(figures: list[tuple]) -> str:
    """Each figure with its caption; ``(path, caption, alt)``, or ``(path, caption)`` whose caption is also the alt text."""
    parts = []
    for item in figures:
        path, caption = item[0], item[1]
        alt = item[2] if len(item) > 2 and item[2] else caption
        parts.append(f'<figure><img alt="{html.escape(alt, quote=True)}" src="{_image(path)}">'
                     f"<figcaption><b>{html.escape(Path(path).name)}</b>: {html.escape(caption)}</figcaption></figure>")
    return "\n".join(parts)


def siting_html(section: SitingSection) -> list[str]:
    """The report's data-center siting section: the map and a row per candidate site."""
    table = section.table.rename(columns={"price paid": f"price paid ({section.currency}/MWh)",
                                          "zone mean price": f"zone mean price ({section.currency}/MWh)"})
    built = section.table[section.table["built IT MW"] > 1e-6]
    return ["<h2>Data-center siting (datacenter_sites.csv, datacenter_site_load.csv)</h2>",
            f"<p>{number(float(built['built IT MW'].sum()))} MW of IT sited at {len(built)} of {len(section.table)} candidate sites. Per "
            "candidate: the IT rating built and its maximum, contracted flexible MW, the facility energy drawn, the price it pays "
            "(its zone's price weighted by its own hourly power) against the zone's time-weighted mean price — lower when the "
            "campus shifts work to cheap hours — its location-based emissions and the work moved to or from other sites."
            + (" The sites and contracts are one decision for every future; energy, prices, emissions and moved work are the "
               "probability-weighted expectation over the futures (price paid: expected cost over expected energy)." if section.expected else "")
            + "</p>",
            _figures_html(section.figures),
            table_html(table, text_columns=("site", "zone"))]


def transmission_html(section: TransmissionSection) -> list[str]:
    """The report's transmission section: corridor table and figures, or a note that the zones are not connected."""
    body = ["<h2>Transmission (transmission.csv, flows.csv)</h2>"]
    if section.table is None:
        return body + [f"<p>{len(section.zones)} zones ({html.escape(', '.join(map(str, section.zones)))}) and no corridors between "
                       "them: each zone balances on its own.</p>"]
    body.append("<p>Per corridor: capability existing and new, the weighted mean flow (+ from the first zone to the second), the peak "
                "flow each way, loading = |flow| / capability (mean weighted over the hours, and the largest), congestion = hours at "
                "the limit (weighted, and how many of the modelled hours), the price difference between the corridor's ends "
                "(to − from, and its mean size), and the congestion rent (what the energy is worth where it arrives minus where it "
                "leaves).</p>")
    if section.computed:
        body.append('<p class="meta">Computed for this report from flows, capabilities and prices (the results folder does not have '
                    f"them; the corridor's full capability stands in for the hourly available one): {html.escape(', '.join(section.computed))}.</p>")
    # Two narrower tables rather than one that runs off the page: flows, then congestion and prices.
    table = section.table
    flow_columns = [c for c in table.columns if c.startswith(("corridor", "from → to", "model", "existing", "new", "total", "mean flow", "peak",
                                                               "mean loading", "max loading"))]
    price_columns = ["corridor", *[c for c in table.columns if c not in flow_columns]]
    body.append("<h3>Capability and flows</h3>")
    body.append(table_html(table[flow_columns], text_columns=("from → to", "model")))
    body.append("<h3>Congestion and prices</h3>")
    body.append(table_html(table[price_columns], text_columns=("congested modelled hours",)))
    body.append(_figures_html(section.figures))
    return body


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body>\n{body}\n</body></html>\n")


def summary_rows(summary: pd.DataFrame, facts: dict | None = None) -> pd.DataFrame:
    """The key metrics of summary.csv, large annual values in millions, then the text ``facts`` (run.json's
    ``summary_facts``: solver status, where the prices come from)."""
    indexed = summary.set_index("metric")
    rows = []
    for metric in KEY_METRICS:
        if metric in indexed.index:
            value, unit = _maybe_number(indexed.loc[metric, "value"]), indexed.loc[metric, "unit"]
            if str(unit).startswith("flag") and isinstance(value, float):
                value = bool(value)   # shown as yes/no
            text, unit = value_parts(value, unit)
            rows.append({"metric": label(metric), "value": text, "unit": unit})
    for metric in ("solver_status", "prices_from", "investments_from", "lower_bound_from", "solution_from"):
        if metric in (facts or {}) and metric not in indexed.index:
            rows.append({"metric": label(metric), "value": str(facts[metric]), "unit": ""})
    return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def datacenter_rows(summary: pd.DataFrame) -> pd.DataFrame:
    indexed = summary[summary["metric"].astype(str).str.startswith("datacenter_")]
    rows = []
    for metric, value, unit in indexed[["metric", "value", "unit"]].itertuples(index=False):
        text, unit = value_parts(_maybe_number(value), unit)
        rows.append({"metric": label(metric), "value": text, "unit": unit})
    return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def twin_rows(twins: pd.DataFrame, currency: str) -> pd.DataFrame:
    """value_of_flexibility.csv transposed (one column per twin), costs in millions, CO2 in Mt, energy in GWh, MIP gap in %."""
    frame = twins.set_index("twin").T
    # New capacity of technologies no twin builds says nothing: left out (value_of_flexibility.csv has every row).
    unbuilt = [m for m in frame.index if str(m).startswith("new_") and str(m).endswith("_mw")
               and pd.to_numeric(frame.loc[m], errors="coerce").fillna(0).abs().max() < 1e-6]
    frame = frame.drop(index=unbuilt)
    units, scales = [], []
    for metric in frame.index:
        if metric.endswith("_cost") or metric.startswith("saving"):
            units.append(f"M {currency}/year"), scales.append(1e6)
        elif metric == "co2_t":
            units.append("Mt/year"), scales.append(1e6)
        elif metric.endswith("_mwh"):
            units.append("GWh/year"), scales.append(1e3)
        elif metric.endswith("_mw"):
            units.append("MW"), scales.append(1.0)
        elif metric == "mip_gap":
            units.append("%"), scales.append(0.01)
        else:
            units.append(""), scales.append(1.0)
    frame = frame.apply(pd.to_numeric, errors="coerce").div(scales, axis=0)
    frame.insert(0, "unit", units)
    frame.index = [label(metric) for metric in frame.index]
    return frame.reset_index(names="metric")


#: More zones than this: the capacity table is one row per technology and one column per zone.
TABLE_ZONES = 4


def capacity_html(capacity: pd.DataFrame) -> list[str]:
    """The capacity table(s), technologies in report order: one row per zone × technology (rows with no capacity
    before or after the plan left out), or with many zones one row per technology and a column per zone
    (total after the plan; new and retired capacity in tables of their own when there are any)."""
    zones = list(dict.fromkeys(capacity["zone"]))
    sizes = capacity[["existing_mw", "new_mw", "retired_mw"]].abs().sum(axis=1)
    cap = capacity[sizes > 1e-6] if (sizes > 1e-6).any() else capacity
    cap = cap.assign(_zone=cap["zone"].map(zones.index), _technology=cap["technology"].map(rank)).sort_values(["_zone", "_technology"], kind="stable")
    if len(zones) <= TABLE_ZONES:
        columns = [c for c in ("zone", "technology", "existing_mw", "new_mw", "retired_mw", "total_mw", "energy_mwh") if c in cap]
        return ["<h2>Capacity (MW; storage energy in MWh)</h2>", table_html(cap[columns], text_columns=("zone", "technology"))]
    body = ["<h2>Capacity by zone (MW; capacity.csv)</h2>"]
    technologies = list(dict.fromkeys(cap["technology"]))
    for column, title in (("total_mw", "After the plan (total MW)"), ("new_mw", "New (MW)"), ("retired_mw", "Retired (MW)"),
                          ("energy_mwh", "Storage energy after the plan (MWh)")):
        if column not in cap or pd.to_numeric(cap[column], errors="coerce").fillna(0).abs().max() < 1e-6:
            continue
        pivot = cap.pivot_table(index="technology", columns="zone", values=column, aggfunc="sum")
        pivot = pivot.reindex(index=[t for t in technologies if t in pivot.index], columns=[z for z in zones if z in pivot.columns])
        pivot["all zones"] = pivot.sum(axis=1, min_count=1)
        pivot = pivot[pivot.fillna(0).abs().max(axis=1) > 1e-6] if column != "total_mw" else pivot
        body += [f"<h3>{html.escape(title)}</h3>", table_html(pivot.reset_index(), text_columns=("technology",))]
    return body


def _maybe_number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def run_html(name: str, description: str, folder: Path, summary: pd.DataFrame, capacity: pd.DataFrame, twins: pd.DataFrame | None,
             record: dict, figures: list[tuple], currency: str, transmission: TransmissionSection | None = None,
             futures: FuturesSection | None = None, siting: SitingSection | None = None) -> str:
    versions = record.get("versions", {})
    solver = record.get("solver", {})
    meta = [f"results folder <code>{html.escape(str(folder))}</code>"]
    if record.get("created"):
        meta.append(f"solved {html.escape(str(record['created'])[:19].replace('T', ' '))} UTC")
    if solver:
        meta.append(f"HiGHS {html.escape(str(versions.get('highspy', '')))}: {html.escape(str(solver.get('status', '')))}, "
                    f"{number(solver.get('rows'))} rows × {number(solver.get('columns'))} columns")
    if record.get("wall_s") is not None:
        meta.append(f"wall time {number(record['wall_s'])} s")
    from planning.metrics.summary import horizon_label, shedding_label

    horizon, shed = horizon_label(summary), shedding_label(summary)
    # The horizon note opens the report: a sample or representative periods must not be read as a measured year.
    body = [f"<h1>{html.escape(name)}</h1>",
            f'<p class="horizon top">{html.escape(horizon[0].upper() + horizon[1:])}.</p>' if horizon else "",
            f"<p>{html.escape(description)}</p>" if description else "",
            f'<p class="meta">{" · ".join(meta)}</p>',
            f'<p class="warning">{html.escape(shed)}</p>' if shed else "",
            "<h2>Summary</h2>" if futures is None else
            "<h2>Summary: expected over the futures (summary.csv)</h2><p>Each figure is the probability-weighted mean over the "
            f"{len(futures.probability)} futures, Σ p·x (probabilities in futures.csv); each future's own figures follow.</p>",
            table_html(summary_rows(summary, record.get("summary_facts")), text_columns=("unit",))]
    if futures is not None:
        body += futures_html(futures, currency)
    body += capacity_html(capacity)
    if transmission is not None:
        body += transmission_html(transmission)
    if siting is not None:
        body += siting_html(siting)
    if twins is not None and len(twins):
        transposed = twin_rows(twins, currency)
        body += ["<h2>Value of data-center flexibility (value_of_flexibility.csv)</h2>",
                 "<p>Each twin is the same scenario with the data centers inflexible, as learned from telemetry, or ideally "
                 "flexible. <code>saving_vs_inflexible</code> is the total-cost saving against the inflexible twin.</p>",
                 f'<p class="horizon">{html.escape(horizon[0].upper() + horizon[1:])}.</p>' if horizon else "",
                 table_html(transposed, text_columns=("unit",))]
    dc = datacenter_rows(summary)
    if len(dc):
        body += ["<h2>Data centers" + (" (expected over the futures, Σ p·x)" if futures is not None else "") + "</h2>",
                 table_html(dc, text_columns=("unit",))]
    body += ["<h2>Figures</h2>", _figures_html(figures)]
    for future, section, own in (futures.groups if futures is not None else []):
        body.append(f"<h2>Future {html.escape(future)} (probability {futures.probability[future]:g})</h2>")
        if section is not None:
            body += [part.replace("<h2>", "<h3>").replace("</h2>", "</h3>") for part in transmission_html(section)]
        body.append(_figures_html(own))
    if versions:
        body.append('<p class="meta">' + html.escape(", ".join(f"{k} {v}" for k, v in versions.items())) + "</p>")
    return _page(f"{name} — planning report", "\n".join(body))


def futures_html(futures: FuturesSection, currency: str) -> list[str]:
    """The futures' tables: probabilities and costs (futures.csv), value of information, key metrics and energy per future
    with the probability-weighted expectation."""
    from planning.formatting import row_scale

    table = futures.table.copy()
    costs = [c for c in ("rp_cost", "eev_cost", "ws_cost") if c in table]
    scale, unit = row_scale(table[costs].to_numpy(float).ravel(), currency)
    names = {"rp_cost": "with this plan (RP)", "eev_cost": "with the EV plan (EEV)", "ws_cost": "planned alone (WS)"}
    for column in costs:
        table[f"total cost {names[column]}, {unit}"] = table[column] / scale
    table = table.drop(columns=costs).rename(columns={"risk_adjusted_probability": "risk-adjusted probability"})
    body = ["<h2>Futures (futures.csv)</h2>",
            "<p>The investments (capacity below) are shared by every future; operation, commitment and the data-center schedules "
            "are each future's own. Risk-adjusted probability: the weight the objective gives each future (the probability when "
            "risk neutral, more on the costly futures with CVaR).</p>",
            table_html(table, text_columns=("future",))]
    if len(futures.information):
        information = futures.information.copy()
        scale, unit = row_scale(information["value"].to_numpy(float), currency)
        information["value"] = information["value"] / scale
        information["unit"] = [f"{unit}{str(u)[len(currency):]}" if str(u).startswith(currency) else u for u in futures.information["unit"]]
        body += ["<h2>Value of information (summary.csv)</h2>",
                 "<p>Each problem re-solved: EV ≤ WS ≤ RP ≤ EEV for a risk-neutral plan. EVPI = RP − WS is what perfect "
                 "foresight (wait-and-see) would be worth; VSS = EEV − RP what planning for the futures, rather than for their "
                 "average, saves.</p>",
                 table_html(information, text_columns=("metric", "unit", "meaning"))]
    by_future = futures.by_future.copy()
    rows = []
    for _, row in by_future.iterrows():
        columns = [*futures.probability, "expected"]
        scale, unit = row_scale(row[columns].to_numpy(float), row["unit"])
        rows.append({"metric": label(row["metric"]), "unit": unit, **{c: float(row[c]) / scale for c in columns}})
    shown = pd.DataFrame(rows).rename(columns={"expected": "expected (Σ p·x)"})
    body += ["<h2>Key figures per future (summary_futures.csv)</h2>",
             "<p>Each future's own figures; the last column is their probability-weighted mean (summary.csv's value).</p>",
             table_html(shown, text_columns=("metric", "unit"))]
    scale, unit = (1e3, "GWh") if futures.energy.to_numpy(float).max(initial=0.0) >= 1e3 else (1.0, "MWh")
    energy = futures.energy.rename(columns={"expected": "expected (Σ p·x)"}) / scale
    energy.index = [label_technology(t) for t in energy.index]
    body += [f"<h2>Energy by technology per future ({unit}, dispatch.csv)</h2>",
             "<p>Σ over the hours of each future of the hour's weight × generation; the last column is the probability-weighted "
             "expectation.</p>", table_html(energy.reset_index(names="technology"), text_columns=("technology",))]
    return body


def sweep_html(name: str, description: str, folder: Path, table: pd.DataFrame, keys: list[str], figures: list[tuple[Path, str]],
               currency: str) -> str:
    solved = int((table["status"] == "solved").sum())
    meta = f"sweep folder <code>{html.escape(str(folder))}</code> · {len(table)} run(s), {solved} solved, {len(table) - solved} did not solve"
    shown = ["run", "status", *keys]
    frame = table.copy()
    for column, scale, title in (("total_cost", 1e6, f"total cost (million {currency}/year)"), ("co2_t", 1e6, "CO2 (Mt/year)")):
        if column in frame:
            frame[title] = pd.to_numeric(frame[column], errors="coerce") / scale
            shown.append(title)
    new = [c for c in frame.columns if c.startswith("new_") and c.endswith("_mw")]
    shown += [c for c in new if pd.to_numeric(frame[c], errors="coerce").fillna(0).abs().max() > 1e-6]
    shown += [c for c in ("datacenter_energy_mwh", "datacenter_shifted_mwh", "demand_weighted_price_per_mwh", "wall_s") if c in frame]
    classes = ["failed" if status != "solved" else "" for status in frame["status"]]
    # Errors are listed under the table, whole: a column of them would make rows tall and the table wide.
    errors = [(run, status, str(error)) for run, status, error in zip(frame["run"], frame["status"], frame.get("error", [""] * len(frame)))
              if status != "solved" and isinstance(error, str) and error.strip()]
    body = [f"<h1>{html.escape(name)}</h1>", f"<p>{html.escape(description)}</p>" if description else "",
            f'<p class="meta">{meta}</p>', "<h2>Runs (sweep.csv)</h2>",
            table_html(frame[shown], classes=classes),
            ("<h3>Runs that did not solve</h3><ul>" + "".join(f"<li><b>{html.escape(str(run))}</b> ({html.escape(str(status))}): "
                                                                f"{html.escape(error)}</li>" for run, status, error in errors) + "</ul>")
            if errors else "",
            "<p>Each solved run's results folder is <code>runs/&lt;run&gt;</code> next to sweep.csv; "
            "<code>planning report</code> on it draws that run's own figures.</p>",
            "<h2>Figures</h2>", _figures_html(figures)]
    return _page(f"{name} — sweep report", "\n".join(body))


def compare_html(folder: Path, table: pd.DataFrame, statistics: pd.DataFrame | None) -> str:
    """The report of a `planning compare --out` folder: what differs between the runs, absolute and relative to the first."""
    from planning.metrics.compare import BLOCK_KEYS, changed_rows

    def blocks_as_text(frame: pd.DataFrame) -> pd.DataFrame:   # a pathway's period (2030) and a future's name are labels
        return frame.assign(**{key: frame[key].map(lambda v: "" if pd.isna(v) else str(int(v)) if isinstance(v, float) and v.is_integer()
                                                    else str(v)) for key in BLOCK_KEYS if key in frame})

    table = blocks_as_text(table)
    statistics = blocks_as_text(statistics) if statistics is not None else None
    runs = [c for c in table.columns if c not in ("metric", "unit", *BLOCK_KEYS) and not c.startswith(("delta_", "relative_"))]
    changed = changed_rows(table)
    body = [f"<h1>Comparison of {len(runs)} runs</h1>",
            f'<p class="meta">compare folder <code>{html.escape(str(folder))}</code> · runs {html.escape(", ".join(runs))} · '
            f"differences to the first run <code>{html.escape(runs[0])}</code>: <code>delta_</code> = run − first, "
            "<code>relative_</code> = (run − first) / |first|</p>",
            f"<h2>Summary: {len(changed)} of {len(table)} metrics differ (compare.csv)</h2>",
            table_html(changed, text_columns=("metric", "unit", *BLOCK_KEYS))]
    if statistics is not None:
        moved = changed_rows(statistics)
        totals = moved[(moved["zone"] == "total") | (moved["technology"] == "total")]
        body += [f"<h2>Statistics: {len(moved)} of {len(statistics)} figures differ (compare_statistics.csv)</h2>",
                 f"<p>Zone and system totals shown ({len(totals)} rows); every zone × technology row is in compare_statistics.csv.</p>",
                 table_html(totals, text_columns=(*BLOCK_KEYS, "zone", "technology", "quantity"))]
    return _page("comparison of runs", "\n".join(body))


def stress_html(name: str, description: str, folder: Path, summary: pd.DataFrame, adequacy: pd.DataFrame, events: pd.DataFrame | None,
                traces: dict[str, pd.DataFrame], messages: dict[str, list[str]], figures: list[tuple[Path, str]], currency: str) -> str:
    """The report of a `planning stress` folder: modes (converged or not, ranked or not), event and annualised figures, traces."""
    scaled = bool((summary["represented_hours"] > summary["modelled_hours"] * (1 + 1e-9)).any())
    weighted = "annualised, per year" if scaled else "weighted, modelled hours"
    marks = ["yes" if c else "NOT CONVERGED" for c in summary["converged"]]
    modes = pd.DataFrame({
        "mode": summary["mode"], "converged": marks,
        "rank": [str(int(r)) if pd.notna(r) else "not ranked" for r in summary["rank"]],
        "rounds": summary["iterations"], "reported round": [f"{int(i)} ({w})" for i, w in zip(summary["reported_iteration"], summary["reported_iterate"])],
        "relative gap": summary["relative_gap"],
        "unserved during the stress events (unweighted), MWh": summary["event_unserved_energy_mwh"],
        "loss of load during the stress events (unweighted), h": summary["event_loss_of_load_hours"],
        f"unserved ({weighted}), MWh": summary["unserved_energy_mwh"],
        f"loss of load ({weighted}), h": summary["loss_of_load_hours"],
        f"total cost ({'million ' if scaled else ''}{currency}{'/year' if scaled else ''})": summary["total_cost"] / (1e6 if scaled else 1.0),
        f"campus CO2 (t{'/year' if scaled else ''})": summary["datacenter_co2_t"],
    })
    classes = ["" if c else "failed" for c in summary["converged"]]
    zones = adequacy.assign(converged=["yes" if c else "NOT CONVERGED" for c in adequacy["converged"]])
    zones = zones.rename(columns={"event_unserved_energy_mwh": "event_unserved_energy_mwh (during the stress events, unweighted)",
                                  "unserved_energy_mwh": f"unserved_energy_mwh ({weighted})", "loss_of_load_hours": f"loss_of_load_hours ({weighted})"})
    zone_classes = ["" if c else "failed" for c in adequacy["converged"]]
    body = [f"<h1>{html.escape(name)} — stress</h1>", f"<p>{html.escape(description)}</p>" if description else "",
            f'<p class="meta">stress folder <code>{html.escape(str(folder))}</code> · {len(summary)} signal mode(s)</p>']
    body += [f'<p class="warning">{html.escape(line)}</p>' for line in messages["shedding"]]
    if messages["unconverged"]:
        body.append(f'<p class="caution">Not converged, so not ranked: {html.escape(", ".join(messages["unconverged"]))}. Their figures are '
                    "those of the reported round of an unfinished loop, not a settled outcome of the signal.</p>")
    body += [f'<p class="horizon">{html.escape(line[0].upper() + line[1:])}.</p>' for line in messages["horizon"]]
    body += ["<h2>Signal modes (stress_summary.csv)</h2>",
             "<p>The stress events are one-off: their figures are given as an event (during the stress events, unweighted) next to "
             f"the figures of the whole horizon ({weighted}). Modes are ranked by unserved energy, then loss-of-load hours, then "
             "total cost, among converged modes only.</p>",
             table_html(modes, classes=classes, text_columns=("converged", "rank", "reported round")),
             "<h2>Adequacy by mode and zone (adequacy.csv)</h2>", table_html(zones, classes=zone_classes, text_columns=("converged",))]
    if events is not None and len(events):
        body += ["<h2>Each stress event on its own (stress_events.csv)</h2>",
                 "<p>Unserved energy and loss-of-load hours during each event's window, unweighted (events that overlap share hours).</p>",
                 table_html(events, classes=["" if c else "failed" for c in events["converged"]], text_columns=("event",))]
    body += ["<h2>Convergence</h2>", "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in messages["convergence"]) + "</ul>"]
    for mode, trace in traces.items():
        shown = [c for c in ("iteration", "total_cost", "unserved_energy_mwh", "relative_gap", "max_schedule_change_mw", "converged", "reported")
                 if c in trace]
        body += [f"<h3>{html.escape(mode)} (loop_{html.escape(mode)}.csv)</h3>", table_html(trace[shown])]
    body += ["<h2>Figures</h2>", _figures_html(figures)]
    return _page(f"{name} — stress report", "\n".join(body))


MODES = {"perfect_foresight": "perfect foresight — one problem over every period: each period's builds are chosen knowing every later "
                              "period's data",
         "myopic": "myopic — period by period in calendar order: each period sees only its own data, the builds of the earlier "
                   "periods handed forward (its present value is at least that of perfect foresight)"}


def pathway_sites_html(sites: pd.DataFrame) -> list[str]:
    """The pathway report's data-center sites per period: a row per site sited in some period and a total row."""
    from planning.report.pathway import never_sited, site_period_table

    empty = never_sited(sites)
    note = ("Never sited in any period (not shown): " + ", ".join(f"{r.site} (zone {r.zone})" for r in empty.itertuples(index=False)) + "."
            if len(empty) else "Every candidate holds a campus in some period.")
    return ["<h2>Data-center sites per period (MW of IT, datacenter_sites.csv)</h2>",
            "<p>Per candidate site, the IT MW in service in each period and the part added at the start of that period "
            "(<code>built_it_mw</code>); the rest was built in an earlier period and stays at its site for the candidate's "
            f"lifetime. {html.escape(note)}</p>",
            table_html(site_period_table(sites), text_columns=("site", "zone"))]


def pathway_html(name: str, description: str, folder: Path, record: dict, scenario: dict, table: pd.DataFrame, in_service: pd.DataFrame,
                 builds: pd.DataFrame | None, energy: pd.DataFrame | None, summary: pd.DataFrame, figures: list[tuple], currency: str,
                 sites: pd.DataFrame | None = None) -> str:
    """The report of a `planning pathway` folder: mode and CO2 budget, a row per period, capacity in service per period,
    data-center sites per period (``sites``: :func:`planning.report.pathway.sites_in_service`, None without sites), builds by
    vintage, energy per period, figures."""
    from planning.formatting import row_scale
    from planning.metrics.summary import horizon_label

    settings = scenario.get("pathway") or {}
    mode = str((record.get("pathway") or {}).get("mode") or settings.get("mode") or "")
    horizon = horizon_label(summary)
    meta = [f"pathway folder <code>{html.escape(str(folder))}</code>", f"{len(table)} investment periods"]
    if record.get("created"):
        meta.append(f"solved {html.escape(str(record['created'])[:19].replace('T', ' '))} UTC")
    units = summary.set_index("metric")["unit"] if "unit" in summary else pd.Series(dtype=str)
    cost_unit = str(units.get("total_cost", currency))
    co2_unit = str(units.get("co2_t", "t"))
    present = float(table["present_value"].sum())
    body = [f"<h1>{html.escape(name)} — pathway</h1>",
            f'<p class="horizon top">In every period, {html.escape(horizon[0].lower() + horizon[1:])}.</p>' if horizon else "",
            f"<p>{html.escape(description)}</p>" if description else "",
            f'<p class="meta">{" · ".join(meta)}</p>',
            "<h2>Pathway (pathway_periods.csv)</h2>",
            f"<p><b>Mode</b>: {html.escape(MODES.get(mode, mode or 'not recorded'))}.</p>",
            f"<p><b>Present value</b> of the pathway: {number(present)} {html.escape(currency)} (Σ over the periods of the discount "
            "factor × the annual cost; the discount factor sums (1 + r)^−(year − first year) over the period's years).</p>"]
    budget = settings.get("co2_budget_t")
    emitted = float((table["years"] * table["co2_t_per_year"]).sum())
    if budget is not None:
        used = emitted / float(budget) if float(budget) > 0 else float("nan")
        body.append(f"<p><b>CO2 budget</b> over the pathway: {number(float(budget))} t; used Σ years × CO2 per year = {number(emitted)} t "
                    f"({number(100 * used, 3)} %).</p>")
    else:
        body.append(f"<p>No CO2 budget over the pathway (pathway.co2_budget_t); emitted Σ years × CO2 per year = {number(emitted)} t.</p>")
    shown = pd.DataFrame({"period": table["period"].astype(str), "years": table["years"], "discount factor": table["discount_factor"]})
    scale, unit = row_scale(table["annual_cost"].to_numpy(float), cost_unit)
    shown[f"annual cost, {unit}"] = table["annual_cost"] / scale
    scale, unit = row_scale(table["present_value"].to_numpy(float), currency)
    shown[f"present value, {unit}"] = table["present_value"] / scale
    shown[f"CO2, {co2_unit}"] = table["co2_t_per_year"]
    shown["in service, MW"] = table["in_service_mw"]
    shown["built, MW"] = table["built_mw"]
    shown["built by technology, MW"] = table["built"]
    shown["retired, MW"] = table["retired_mw"]
    shown["retired by technology, MW"] = table["retired"]
    body += ["<h3>Periods</h3>",
             "<p>Annual cost: the period's own year (investment annuities of every vintage alive, fixed O&amp;M, operation). Built: "
             "power capacity built at the start of the period. Retired: capacity in service in the period before and not in this one "
             "(existing plants retired or at their retire_year, vintages at the end of their lifetime; in the first period, existing "
             "capacity retired at once).</p>",
             table_html(shown, text_columns=("period", "built by technology, MW", "retired by technology, MW"))]
    pivot = in_service.assign(technology=[label_technology(t) for t in in_service["technology"]], _rank=in_service["technology"].map(rank))
    pivot = pivot.pivot_table(index=["_rank", "technology", "part"], columns="period", values="capacity_mw", aggfunc="sum").fillna(0.0)
    pivot = pivot.droplevel("_rank").reset_index()
    pivot.columns = [str(c) for c in pivot.columns]
    pivot["part"] = ["existing fleet, kept" if p == "existing" else f"built {p}" for p in pivot["part"]]
    body += ["<h2>Capacity in service per period (MW, capacity.csv and pathway_builds.csv)</h2>",
             "<p>The capacity pathway figure's data: per technology, the existing fleet kept and each vintage still alive.</p>",
             table_html(pivot, text_columns=("technology", "part"))]
    if sites is not None:
        body += pathway_sites_html(sites)
    if builds is not None and len(builds):
        built = builds[builds["built"] > 1e-6].copy()
        built["technology"] = [label_technology(t) if isinstance(t, str) and t else "" for t in built["technology"].fillna("")]
        body += ["<h2>Builds by vintage (pathway_builds.csv)</h2>",
                 "<p>Capacity built at the start of a period (power MW, storage energy MWh, corridor MW), in service from "
                 "<code>alive_from</code> until the year before <code>retired_by</code> (its lifetime).</p>",
                 table_html(built.astype({"period": str, "alive_from": str, "retired_by": str}), text_columns=("period", "kind", "name", "zone", "technology"))
                 if len(built) else "<p>Nothing is built in any period.</p>"]
    if energy is not None and len(energy):
        scale, unit = (1e3, "GWh") if energy.to_numpy(float).max(initial=0.0) >= 1e3 else (1.0, "MWh")
        frame = energy / scale
        frame.index = [label_technology(t) for t in frame.index]
        frame.columns = [str(c) for c in frame.columns]
        body += [f"<h2>Energy by technology per period ({unit}, dispatch.csv)</h2>", table_html(frame.reset_index(names="technology"),
                                                                                           text_columns=("technology",))]
    body += ["<h2>Figures</h2>", _figures_html(figures)]
    versions = record.get("versions", {})
    if versions:
        body.append('<p class="meta">' + html.escape(", ".join(f"{k} {v}" for k, v in versions.items())) + "</p>")
    return _page(f"{name} — pathway report", "\n".join(body))
