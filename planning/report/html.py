"""The HTML report: one self-contained file (inline style, figures as base64 PNG, no scripts)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from planning.formatting import format_number, label, value_parts

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1180px;
       color: #1d2329; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #d9dee3; }
.meta { color: #5b6670; font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
th, td { padding: .28rem .6rem; border-bottom: 1px solid #e4e8ec; text-align: right; white-space: nowrap; }
th { background: #f3f5f7; } td:first-child, th:first-child { text-align: left; }
td.text { text-align: left; white-space: normal; } tr.failed td { color: #b03030; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; border: 1px solid #e4e8ec; }
figcaption { color: #3d4750; font-size: .9rem; margin-top: .3rem; }
.scroll { overflow-x: auto; }
p.warning { color: #8a1c1c; background: #fbeaea; border-left: 4px solid #b03030; padding: .5rem .8rem; font-weight: 600; }
p.caution { color: #6b4d00; background: #fff6dc; border-left: 4px solid #c99a00; padding: .5rem .8rem; }
p.horizon { background: #eef3f8; border-left: 4px solid #4c72b0; padding: .5rem .8rem; }
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
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for i, (_, row) in enumerate(frame.astype(object).iterrows()):   # object: each cell keeps its own type (int, float, str)
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        cells = []
        for column, value in row.items():
            cell = html.escape(number(value) if not isinstance(value, str) else value)
            cells.append(f'<td class="text">{cell}</td>' if column in text_columns else f"<td>{cell}</td>")
        rows.append(f"<tr{css}>{''.join(cells)}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _figures_html(figures: list[tuple[Path, str]]) -> str:
    parts = []
    for path, caption in figures:
        parts.append(f'<figure><img alt="{html.escape(Path(path).stem)}" src="{_image(path)}">'
                     f"<figcaption><b>{html.escape(Path(path).name)}</b>: {html.escape(caption)}</figcaption></figure>")
    return "\n".join(parts)


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


def _maybe_number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def run_html(name: str, description: str, folder: Path, summary: pd.DataFrame, capacity: pd.DataFrame, twins: pd.DataFrame | None,
             record: dict, figures: list[tuple[Path, str]], currency: str) -> str:
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
    body = [f"<h1>{html.escape(name)}</h1>", f"<p>{html.escape(description)}</p>" if description else "",
            f'<p class="meta">{" · ".join(meta)}</p>',
            f'<p class="warning">{html.escape(shed)}</p>' if shed else "",
            "<h2>Summary</h2>", f'<p class="horizon">{html.escape(horizon[0].upper() + horizon[1:])}.</p>' if horizon else "",
            table_html(summary_rows(summary, record.get("summary_facts")))]
    cap = capacity.copy()
    columns = [c for c in ("zone", "technology", "existing_mw", "new_mw", "retired_mw", "total_mw", "energy_mwh") if c in cap]
    body += ["<h2>Capacity (MW; storage energy in MWh)</h2>", table_html(cap[columns])]
    if twins is not None and len(twins):
        transposed = twin_rows(twins, currency)
        body += ["<h2>Value of data-center flexibility (value_of_flexibility.csv)</h2>",
                 "<p>Each twin is the same scenario with the data centers inflexible, as learned from telemetry, or ideally "
                 "flexible. <code>saving_vs_inflexible</code> is the total-cost saving against the inflexible twin.</p>",
                 f'<p class="horizon">{html.escape(horizon[0].upper() + horizon[1:])}.</p>' if horizon else "",
                 table_html(transposed, text_columns=("unit",))]
    dc = datacenter_rows(summary)
    if len(dc):
        body += ["<h2>Data centers</h2>", table_html(dc, text_columns=("unit",))]
    body += ["<h2>Figures</h2>", _figures_html(figures)]
    if versions:
        body.append('<p class="meta">' + html.escape(", ".join(f"{k} {v}" for k, v in versions.items())) + "</p>")
    return _page(f"{name} — planning report", "\n".join(body))


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
    shown += [c for c in ("datacenter_energy_mwh", "datacenter_shifted_mwh", "demand_weighted_price_per_mwh", "wall_s", "results_dir", "error") if c in frame]
    classes = ["failed" if status != "solved" else "" for status in frame["status"]]
    body = [f"<h1>{html.escape(name)}</h1>", f"<p>{html.escape(description)}</p>" if description else "",
            f'<p class="meta">{meta}</p>', "<h2>Runs (sweep.csv)</h2>",
            table_html(frame[shown], classes=classes, text_columns=("error",)),
            "<p>Each solved run's results folder is <code>runs/&lt;run&gt;</code> next to sweep.csv; "
            "<code>planning report</code> on it draws that run's own figures.</p>",
            "<h2>Figures</h2>", _figures_html(figures)]
    return _page(f"{name} — sweep report", "\n".join(body))


def compare_html(folder: Path, table: pd.DataFrame, statistics: pd.DataFrame | None) -> str:
    """The report of a `planning compare --out` folder: what differs between the runs, absolute and relative to the first."""
    from planning.metrics.compare import changed_rows

    runs = [c for c in table.columns if c not in ("metric", "unit") and not c.startswith(("delta_", "relative_"))]
    changed = changed_rows(table)
    body = [f"<h1>Comparison of {len(runs)} runs</h1>",
            f'<p class="meta">compare folder <code>{html.escape(str(folder))}</code> · runs {html.escape(", ".join(runs))} · '
            f"differences to the first run <code>{html.escape(runs[0])}</code>: <code>delta_</code> = run − first, "
            "<code>relative_</code> = (run − first) / |first|</p>",
            f"<h2>Summary: {len(changed)} of {len(table)} metrics differ (compare.csv)</h2>",
            table_html(changed, text_columns=("metric", "unit"))]
    if statistics is not None:
        moved = changed_rows(statistics)
        totals = moved[(moved["zone"] == "total") | (moved["technology"] == "total")]
        body += [f"<h2>Statistics: {len(moved)} of {len(statistics)} figures differ (compare_statistics.csv)</h2>",
                 f"<p>Zone and system totals shown ({len(totals)} rows); every zone × technology row is in compare_statistics.csv.</p>",
                 table_html(totals, text_columns=("zone", "technology", "quantity"))]
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
