"""Figures of a results folder or a sweep folder (matplotlib, Agg, PNG).

Each function takes tidy frames read from the CSVs of a results folder (DESIGN.md §6) and
returns a :class:`matplotlib.figure.Figure`; :func:`save` renders it with the Agg canvas as PNG. Figures are built
with ``matplotlib.figure.Figure`` directly (no pyplot), so no GUI backend and no global state
is involved: safe in scripts, on servers and in worker processes.

* :func:`capacity_mix`      existing (kept), new and retired capacity by technology and zone
* :func:`dispatch_week`     stacked generation, storage and imports against demand for one week
* :func:`duration_curves`   price and carbon-intensity duration curves (hours weighted)
* :func:`datacenter_week`   a data center's IT power and backlog against the price and intensity
* :func:`sweep_comparison`  total cost, CO2 and new capacity across the runs of a sweep
* :func:`stress_convergence` each stress mode's relative gap per round against the tolerance
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from planning.report.palette import colour, label, ordered

DPI = 110


def save(figure: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(figure)  # render with Agg, whatever pyplot's backend is
    figure.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    return path


def _grid(n: int, max_columns: int = 3) -> tuple[int, int]:
    columns = min(n, max_columns)
    return int(np.ceil(n / columns)), columns


def _date_axis(ax, hours: float) -> None:
    if hours <= 24 * 10:
        ax.xaxis.set_major_locator(mdates.DayLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d %b"))
        ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))
    else:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(True, which="major", axis="both", alpha=0.3)


def _log_axis(ax) -> None:
    """Log scale with plain tick labels at 1-2-5 steps (50, 100, 200, 500, 1,000, ...)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}" if value >= 1 else f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def hourly(index: pd.DatetimeIndex) -> bool:
    """True when consecutive timestamps are one hour apart (a chronological horizon)."""
    steps = pd.Series(pd.DatetimeIndex(index)).diff().dropna()
    return bool((steps == pd.Timedelta(hours=1)).all())


class Window:
    """The hours a weekly figure shows, in order.

    Chronological results: the 168 hours from a start. Representative periods: the snapshots are
    representative days scattered over the year, so the chosen days are drawn back to back
    (``compressed``): each is placed right after the previous one on the time axis, the ticks
    name the real dates and dotted lines separate the days.
    """

    def __init__(self, hours: pd.DatetimeIndex) -> None:
        self.hours = pd.DatetimeIndex(hours)
        self.compressed = not hourly(self.hours)
        self.display = (pd.DatetimeIndex(self.hours[0] + pd.to_timedelta(np.arange(len(self.hours)), unit="h"))
                        if self.compressed else self.hours)
        self._map = pd.Series(self.display, index=self.hours)

    @property
    def title(self) -> str:
        if not len(self.hours):
            return "no hours"
        if self.compressed:
            days = sorted(set(self.hours.normalize()))
            return f"{len(days)} representative days from {days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d} (UTC), drawn back to back"
        return f"week from {self.hours[0]:%Y-%m-%d} (UTC)"

    def take(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of a time-indexed frame inside the window, re-indexed to display time."""
        frame = frame[frame.index.isin(self.hours)]
        frame.index = pd.DatetimeIndex(self._map.loc[frame.index].to_numpy())
        return frame.sort_index()

    def axis(self, ax) -> None:
        if not len(self.hours):
            return
        ax.set_xlim(self.display[0], self.display[-1] + pd.Timedelta(hours=1))
        if not self.compressed:
            _date_axis(ax, len(self.hours))
            return
        starts = [i for i in range(len(self.hours)) if i == 0 or self.hours[i].normalize() != self.hours[i - 1].normalize()]
        ax.set_xticks([self.display[i] for i in starts], [f"{self.hours[i]:%a}\n{self.hours[i]:%d %b}" for i in starts])
        for i in starts[1:]:
            ax.axvline(self.display[i], color="#555555", linestyle=":", linewidth=0.9)
        ax.grid(True, axis="y", alpha=0.3)


# ---------------------------------------------------------------------------- capacity ---

#: More zones than this: one stacked bar per zone (:func:`capacity_by_zone`) instead of a panel per zone.
PANEL_ZONES = 4


def capacity_mix(capacity: pd.DataFrame, title: str = "") -> Figure:
    """Horizontal bars per zone: existing capacity kept (light), new (solid), retired (hatched, negative), GW.
    With more than :data:`PANEL_ZONES` zones: :func:`capacity_by_zone`."""
    zones = list(dict.fromkeys(capacity["zone"]))
    if len(zones) > PANEL_ZONES:
        return capacity_by_zone(capacity, title)
    rows, columns = _grid(len(zones), 2)
    # Technologies with no capacity before or after the plan in any zone add an empty row: left out (capacity.csv has them).
    sizes = capacity.groupby("technology")[["existing_mw", "new_mw", "retired_mw"]].sum().abs().sum(axis=1)
    technologies = [t for t in ordered(capacity["technology"]) if sizes.get(t, 0.0) > 1e-6] or ordered(capacity["technology"])
    capacity = capacity[capacity["technology"].isin(technologies)]
    height = 0.55 * len(technologies) + 1.6
    figure = Figure(figsize=(7.2 * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    span = max(float((capacity["existing_mw"] - capacity["retired_mw"] + capacity["new_mw"]).max()),
               float(capacity["retired_mw"].max()), 1.0) / 1e3
    for ax, zone in zip(axes, zones):
        frame = capacity[capacity["zone"] == zone].groupby("technology", sort=False)[["existing_mw", "new_mw", "retired_mw", "energy_mwh"]].sum(min_count=1)
        frame = frame.reindex([t for t in technologies if t in frame.index])[::-1]
        y = np.arange(len(frame))
        kept = (frame["existing_mw"] - frame["retired_mw"]).clip(lower=0) / 1e3
        new = frame["new_mw"] / 1e3
        retired = frame["retired_mw"] / 1e3
        colours = [colour(t) for t in frame.index]
        ax.barh(y, kept, color=colours, alpha=0.45, edgecolor=colours, linewidth=1.0)
        ax.barh(y, new, left=kept, color=colours, edgecolor="black", linewidth=0.6)
        ax.barh(y, -retired, color="white", edgecolor="#b03030", hatch="///", linewidth=0.8)
        for i, technology in enumerate(frame.index):
            total = kept.iloc[i] + new.iloc[i]
            text = f"{total:,.1f} GW"
            if new.iloc[i] > 1e-3:
                text += f"  (+{new.iloc[i]:,.1f} new)"
            energy = frame["energy_mwh"].iloc[i]
            if pd.notna(energy) and energy > 0:
                text += f"  {energy / 1e3:,.1f} GWh"
            ax.text(total + span * 0.01, i, text, va="center", fontsize=8.5)
            if retired.iloc[i] > 1e-3:
                ax.text(-retired.iloc[i] - span * 0.01, i, f"−{retired.iloc[i]:,.1f}", va="center", ha="right", fontsize=8.5, color="#b03030")
        ax.set_yticks(y, [label(t) for t in frame.index])
        ax.axvline(0, color="black", linewidth=0.8)
        left = -float(retired.max()) * 1.25 - (span * 0.08 if retired.max() > 1e-3 else 0) if len(retired) else 0
        ax.set_xlim(min(left, 0), span * 1.32)
        ax.set_xlabel("capacity (GW)")
        ax.set_title(f"zone {zone}", loc="left", fontsize=10)
        ax.grid(True, axis="x", alpha=0.3)
    for ax in axes[len(zones):]:
        ax.set_visible(False)
    handles = [Patch(facecolor="#999999", alpha=0.45, edgecolor="#999999", label="existing, kept"),
               Patch(facecolor="#999999", edgecolor="black", label="new build"),
               Patch(facecolor="white", edgecolor="#b03030", hatch="///", label="retired")]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    figure.suptitle(title or "Capacity mix: existing, new and retired", fontsize=12)
    return figure


def capacity_by_zone(capacity: pd.DataFrame, title: str = "") -> Figure:
    """One horizontal bar per zone, technologies stacked in report order (GW): capacity kept (solid) then new
    (same colour, hatched); retirements as a red hatched bar to the left of zero. One legend: the technologies."""
    zones = list(dict.fromkeys(capacity["zone"]))
    sizes = capacity.groupby("technology")[["existing_mw", "new_mw", "retired_mw"]].sum().abs().sum(axis=1)
    technologies = [t for t in ordered(capacity["technology"]) if sizes.get(t, 0.0) > 1e-6] or ordered(capacity["technology"])
    table = capacity.groupby(["zone", "technology"])[["existing_mw", "new_mw", "retired_mw"]].sum()
    figure = Figure(figsize=(12, 0.5 * len(zones) + 2.2), layout="constrained")
    ax = figure.add_subplot()
    y = np.arange(len(zones))[::-1]   # first zone on top
    left = np.zeros(len(zones))
    handles = []
    for technology in technologies:
        frame = table.xs(technology, level="technology").reindex(zones).fillna(0.0) if technology in table.index.get_level_values(1) else None
        if frame is None:
            continue
        kept = (frame["existing_mw"] - frame["retired_mw"]).clip(lower=0).to_numpy() / 1e3
        new = frame["new_mw"].to_numpy() / 1e3
        handle = ax.barh(y, kept, left=left, color=colour(technology), edgecolor="white", linewidth=0.4, label=label(technology))
        left += kept
        ax.barh(y, new, left=left, color=colour(technology), edgecolor="black", linewidth=0.4, hatch="//")
        left += new
        handles.append(handle)
    retired = table["retired_mw"].groupby(level="zone").sum().reindex(zones).fillna(0.0).to_numpy() / 1e3
    ax.barh(y, -retired, color="white", edgecolor="#b03030", hatch="///", linewidth=0.8)
    new_total = table["new_mw"].groupby(level="zone").sum().reindex(zones).fillna(0.0).to_numpy() / 1e3
    span = max(float(left.max()), 1e-3)
    for i in range(len(zones)):
        text = f"{left[i]:,.1f} GW" + (f"  (+{new_total[i]:,.1f} new)" if new_total[i] > 1e-3 else "")
        ax.text(left[i] + span * 0.01, y[i], text, va="center", fontsize=8.5)
        if retired[i] > 1e-3:
            ax.text(-retired[i] - span * 0.01, y[i], f"−{retired[i]:,.1f}", va="center", ha="right", fontsize=8.5, color="#b03030")
    ax.set_yticks(y, [str(z) for z in zones])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-(float(retired.max()) * 1.3 + span * 0.06) if retired.max() > 1e-3 else 0, span * 1.22)
    ax.set_xlabel("capacity (GW)")
    ax.grid(True, axis="x", alpha=0.3)
    extra = [Patch(facecolor="#dddddd", edgecolor="black", hatch="//", label="new build (hatched)"),
             Patch(facecolor="white", edgecolor="#b03030", hatch="///", label="retired")]
    ax.legend(handles=handles + extra, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    figure.suptitle(title or "Capacity by zone: existing, new and retired", fontsize=12)
    return figure


# ---------------------------------------------------------------------------- dispatch ---

def zone_stack(dispatch: pd.DataFrame, storage: pd.DataFrame, balance: pd.DataFrame, zone: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(positive stack by column, lines) in MW for one zone (or the system when ``zone`` is None), indexed by time."""
    pick = (lambda frame: frame) if zone is None else (lambda frame: frame[frame["zone"] == zone])
    generation = pick(dispatch).pivot_table(index="snapshot", columns="technology", values="generation_mw", aggfunc="sum")
    stack = generation[ordered(generation.columns)]
    terms = pick(balance).groupby("snapshot")[["demand_mw", "datacenter_mw", "storage_discharge_mw", "storage_charge_mw",
                                                "net_import_mw", "unserved_mw"]].sum()
    stack = stack.reindex(terms.index).fillna(0.0)
    if (terms["storage_discharge_mw"] > 1e-6).any() or (terms["storage_charge_mw"] > 1e-6).any():
        stack["storage_discharge"] = terms["storage_discharge_mw"]
        stack["storage_charge"] = -terms["storage_charge_mw"]
    if zone is not None and (terms["net_import_mw"].abs() > 1e-6).any():
        stack["net_import"] = terms["net_import_mw"]
    if (terms["unserved_mw"] > 1e-6).any():
        stack["unserved"] = terms["unserved_mw"]
    stack.index = pd.DatetimeIndex(stack.index)
    terms.index = pd.DatetimeIndex(terms.index)
    return stack, terms


def dispatch_week(dispatch: pd.DataFrame, storage: pd.DataFrame, balance: pd.DataFrame, window: Window, title: str = "") -> Figure:
    """Stacked areas (GW): generation by technology, storage, imports, unserved; lines: demand, demand + data centers."""
    zones = list(dict.fromkeys(balance["zone"]))
    panels: list[str | None] = zones if len(zones) <= 3 else [None]
    figure = Figure(figsize=(12, 3.9 * len(panels) + 0.9), layout="constrained")
    axes = figure.subplots(len(panels), 1, squeeze=False, sharex=True).ravel()
    seen: dict[str, object] = {}
    for ax, zone in zip(axes, panels):
        stack, terms = zone_stack(dispatch, storage, balance, zone)
        stack, terms = window.take(stack) / 1e3, window.take(terms) / 1e3
        positive = stack.clip(lower=0)
        negative = stack.clip(upper=0)
        columns = [c for c in positive if positive[c].abs().max() > 1e-6]
        if columns:
            collections = ax.stackplot(positive.index, *[positive[c].values for c in columns], step=None,
                                       colors=[colour(c) for c in columns], labels=[label(c) for c in columns], linewidth=0)
            for column, item in zip(columns, collections):
                if column == "storage_discharge":
                    item.set_hatch("..")
                seen.setdefault(label(column), item)
        below = [c for c in negative if negative[c].abs().max() > 1e-6]
        if below:
            collections = ax.stackplot(negative.index, *[negative[c].values for c in below], colors=[colour(c) for c in below],
                                       labels=[label(c) for c in below], linewidth=0, alpha=0.75)
            for column, item in zip(below, collections):
                item.set_hatch("xx" if column == "storage_charge" else "//" if column == "net_import" else "")
                seen.setdefault(label(column) if column != "net_import" else "Net export", item)
        (demand,) = ax.plot(terms.index, terms["demand_mw"], color="black", linewidth=1.6, label="demand")
        seen.setdefault("demand", demand)
        if (terms["datacenter_mw"] > 1e-6).any():
            (total,) = ax.plot(terms.index, terms["demand_mw"] + terms["datacenter_mw"], color="black", linestyle="--", linewidth=1.3,
                               label="demand + data centers")
            seen.setdefault("demand + data centers", total)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_ylabel("GW")
        ax.set_title("system (all zones)" if zone is None else f"zone {zone}", loc="left", fontsize=10)
        window.axis(ax)
    # One legend for all panels, top to bottom as stacked (the reverse of the stack), then the lines.
    technologies = ordered(dispatch["technology"])
    stacked = [label(c) for c in technologies] + ["Storage discharge", "Net import", "Unserved", "Storage charge", "Net export"]
    rank = lambda name: (1, 0) if name.startswith("demand") else (0, -stacked.index(name) if name in stacked else -len(stacked))  # noqa: E731
    names = sorted(seen, key=lambda name: (rank(name), name == "demand + data centers"))
    below_zero = [n for n in names if n in ("Storage charge", "Net export")]
    names = [n for n in names if n not in below_zero and not n.startswith("demand")] + below_zero + [n for n in names if n.startswith("demand")]
    figure.legend([seen[n] for n in names], names, loc="outside right upper", frameon=False, fontsize=9)
    figure.suptitle(title or f"Dispatch, {window.title}", fontsize=12)
    return figure


# --------------------------------------------------------------------- duration curves ---

def _duration(values: pd.Series, weights: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-values.to_numpy(), kind="stable")
    sorted_values = values.to_numpy()[order]
    hours = np.cumsum(weights.to_numpy()[order])
    return np.concatenate([[0.0], hours]), np.concatenate([sorted_values[:1], sorted_values])


def duration_curves(balance: pd.DataFrame, carbon: pd.DataFrame | None, currency: str = "", title: str = "", horizon_note: str = "") -> Figure:
    """Price (left) and carbon intensity (right) sorted from highest to lowest against hours of the year.

    ``horizon_note`` (:func:`planning.report.horizon_note`, e.g. "a sample of 336 modelled hours scaled to a year, each
    standing for 26.07 h") is said under the title, so a sample or representative periods are not read as a measured year."""
    xlabel = ("hours at or above (weighted: each modelled hour counts for the hours it stands for)" if horizon_note
              else "hours of the year at or above")
    panels = 2 if carbon is not None and len(carbon) else 1
    figure = Figure(figsize=(6.4 * panels, 4.6), layout="constrained")
    axes = figure.subplots(1, panels, squeeze=False).ravel()
    zones = list(dict.fromkeys(balance["zone"]))
    styles = ["-", "--", ":", "-."]
    ax = axes[0]
    prices = balance["price_per_mwh"]
    for i, zone in enumerate(zones):
        frame = balance[balance["zone"] == zone]
        hours, values = _duration(frame["price_per_mwh"], frame["weight"])
        ax.step(hours, values, where="pre", linewidth=1.6, linestyle=styles[i % 4], label=f"{zone}", color=f"C{i}")
    positive = prices[prices > 0]
    if len(positive) and positive.max() > 20 * max(positive.median(), 1e-9) and (prices > 0).all():
        _log_axis(ax)
        ax.set_ylabel(f"price ({currency}/MWh, log scale)" if currency else "price per MWh (log scale)")
    else:
        ax.set_ylabel(f"price ({currency}/MWh)" if currency else "price per MWh")
    top = balance.loc[balance["price_per_mwh"].idxmax()]
    ax.annotate(f"max {top['price_per_mwh']:,.0f}", xy=(0, top["price_per_mwh"]), xytext=(8, -4), textcoords="offset points", fontsize=8.5, va="top")
    ax.set_xlabel(xlabel)
    ax.set_title("Price duration curve (balance dual)", loc="left", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_xlim(left=0)
    many = len(zones) > 3   # many zones: one line per zone and metric would bury the curves — zones share one legend below
    if len(zones) > 1 and not many:
        ax.legend(frameon=False, fontsize=9)
    if panels == 2:
        ax = axes[1]
        metrics = [("average_g_per_kwh", "average (production)", "-"), ("consumption_g_per_kwh", "consumption-based", "--"),
                   ("marginal_g_per_kwh", "marginal", ":")]
        if many:
            metrics = metrics[:1]   # the average per zone; consumption-based and marginal intensities are in carbon.csv
        for i, zone in enumerate(zones):
            frame = carbon[carbon["zone"] == zone]
            for j, (column, name, style) in enumerate(metrics):
                if column not in frame:
                    continue
                if column == "consumption_g_per_kwh" and "average_g_per_kwh" in frame and (frame[column] - frame["average_g_per_kwh"]).abs().max() < 0.01 * max(frame["average_g_per_kwh"].abs().mean(), 1e-9):
                    continue  # identical to the average without imports: one line is enough
                hours, values = _duration(frame[column], frame["weight"])
                ax.step(hours, values, where="pre", linewidth=1.6, linestyle=styles[i % 4] if many else style,   # as the zone's price
                        color=f"C{i}" if len(zones) > 1 else f"C{j + 2}",
                        label=f"{name}" + (f", {zone}" if len(zones) > 1 else ""))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("carbon intensity (g CO2/kWh)")
        ax.set_title("Carbon-intensity duration curves" + (": average (production-based) intensity per zone" if many else ""),
                     loc="left", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        if not many:
            ax.legend(frameon=False, fontsize=9)
    if many:
        handles, names = axes[0].get_legend_handles_labels()
        figure.legend(handles, names, loc="outside lower center", ncols=min(len(zones), 6), frameon=False, fontsize=9, title="zones")
    figure.suptitle((title or "Duration curves") + (f"\n{horizon_note[0].upper()}{horizon_note[1:]}" if horizon_note else ""),
                    fontsize=12)
    return figure


# -------------------------------------------------------------------------- data center ---

def datacenter_week(datacenter: pd.DataFrame, balance: pd.DataFrame, carbon: pd.DataFrame | None, name: str, window: Window,
                    currency: str = "") -> Figure:
    """One data center over a week: IT power (baseline + flexible) and backlog; its zone's price; its zone's intensity."""
    site = datacenter[datacenter["datacenter"] == name].copy()
    zone = site["zone"].iloc[0]
    site.index = pd.DatetimeIndex(site["snapshot"])
    site = window.take(site)
    zone_balance = balance[balance["zone"] == zone].set_index(pd.DatetimeIndex(balance.loc[balance["zone"] == zone, "snapshot"]))
    zone_balance = window.take(zone_balance)
    rows = 3 if carbon is not None and len(carbon) else 2
    figure = Figure(figsize=(12, 2.6 * rows + 1.6), layout="constrained")
    axes = figure.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": [1.5] + [1] * (rows - 1)})
    ax = axes[0]
    # Hour-beginning values drawn as steps, like the signals below.
    ax.fill_between(site.index, 0, site["baseline_mw"], step="post", color="#9aa5b1", linewidth=0, label="baseline IT power (must serve)")
    ax.fill_between(site.index, site["baseline_mw"], site["baseline_mw"] + site["flexible_mw"], step="post", color="#7b4fc9",
                    linewidth=0, label="flexible IT power (scheduled)")
    ax.step(site.index, site["facility_power_mw"], where="post", color="black", linewidth=1.1, label="facility power (× PUE)")
    ax.set_ylabel("MW")
    ax.set_ylim(0, max(float(site["facility_power_mw"].max()) * 1.4, 1.0) if len(site) else 1.0)  # room for the legend; ≥ 1 MW (a campus offline in a future draws 0)
    twin = ax.twinx()
    twin.plot(site.index, site["backlog"], color="#c0392b", linestyle=":", linewidth=1.6, label="backlog (right axis)")
    twin.set_ylabel("backlog (MWh of work)", color="#c0392b")
    twin.tick_params(axis="y", colors="#c0392b")
    twin.set_ylim(0, max(float(site["backlog"].max()), 1e-6) * 1.4 if len(site) else 1.0)
    handles = ax.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    ax.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left", ncols=2, fontsize=8.5, framealpha=0.85)
    ax.set_title(f"data center '{name}' (zone {zone}): schedule", loc="left", fontsize=10)
    window.axis(ax)

    ax = axes[1]
    ax.step(zone_balance.index, zone_balance["price_per_mwh"], where="post", color="#1f77b4", linewidth=1.4)
    price = zone_balance["price_per_mwh"]
    if len(price) and price.min() > 0 and price.max() > 20 * max(price.median(), 1e-9):
        _log_axis(ax)
    ax.set_ylabel(f"{currency}/MWh" if currency else "price per MWh")
    ax.set_title(f"signal: price in zone {zone}" + (" (log scale)" if ax.get_yscale() == "log" else ""), loc="left", fontsize=10)
    window.axis(ax)
    if rows == 3:
        ax = axes[2]
        frame = carbon[carbon["zone"] == zone].set_index(pd.DatetimeIndex(carbon.loc[carbon["zone"] == zone, "snapshot"]))
        frame = window.take(frame)
        for column, name_, style, c in (("average_g_per_kwh", "average", "-", "#2ca02c"), ("marginal_g_per_kwh", "marginal", "--", "#8c564b")):
            if column in frame:
                ax.step(frame.index, frame[column], where="post", linestyle=style, color=c, linewidth=1.4, label=name_)
        ax.set_ylabel("g CO2/kWh")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8.5, ncols=2, framealpha=0.85)
        ax.set_title(f"signal: carbon intensity in zone {zone}", loc="left", fontsize=10)
        window.axis(ax)
    figure.suptitle(f"Data-center schedule vs price and carbon signals, {window.title}", fontsize=12)
    return figure


# -------------------------------------------------------------------------------- sweep ---

def _magnitude(values, steps: list[tuple[float, str]], default: str = "") -> tuple[float, str]:
    """(divisor, prefix) so that the largest value reads between 1 and 1000."""
    largest = float(pd.to_numeric(values, errors="coerce").abs().max()) if values is not None and len(values) else 0.0
    for scale, prefix in steps:
        if largest >= scale:
            return scale, prefix
    return 1.0, default


def _plain(value) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if pd.notna(number) and not isinstance(value, bool) and float(number).is_integer():
        return str(int(number))
    return str(value)


def sweep_comparison(table: pd.DataFrame, keys: list[str], currency: str = "", title: str = "") -> Figure:
    """Total cost and CO2 against the first numeric swept key (one line per value of the others); new capacity per run."""
    from planning.config.sweep import short_keys

    short = short_keys(keys) if keys else {}
    solved = table[table["status"] == "solved"].copy()
    # The x axis: the first key numeric and varied among the runs that solved (a failed extra run may leave it empty).
    numeric = [k for k in keys if k in solved and len(solved) and pd.to_numeric(solved[k], errors="coerce").notna().all() and solved[k].nunique() > 1]
    x_key = numeric[0] if numeric else None
    others = [k for k in keys if k != x_key and k in solved and solved[k].nunique(dropna=False) > 1]   # keys that tell solved runs apart
    figure = Figure(figsize=(14, 9.2), layout="constrained")
    grid = figure.add_gridspec(2, 2, height_ratios=[1, 1.15])
    cost_ax, co2_ax, build_ax = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1]), figure.add_subplot(grid[1, :])
    cost_scale, cost_prefix = _magnitude(solved.get("total_cost"), [(1e9, "billion "), (1e6, "million "), (1e3, "thousand ")])
    co2_scale, co2_unit = _magnitude(solved.get("co2_t"), [(1e6, "Mt"), (1e3, "kt")], default="t")
    for ax, column, scale, ylabel in ((cost_ax, "total_cost", cost_scale, f"total cost ({cost_prefix}{currency}/year)"),
                                     (co2_ax, "co2_t", co2_scale, f"CO2 ({co2_unit}/year)")):
        if column not in solved:
            continue
        if x_key is not None:
            groups = solved.groupby(others, sort=False, dropna=False) if others else [((), solved)]
            for i, (value, group) in enumerate(groups):
                value = value if isinstance(value, tuple) else (value,)
                name = ", ".join(f"{short[k]} = {v}" for k, v in zip(others, value)) or "all runs"
                group = group.assign(_x=pd.to_numeric(group[x_key])).sort_values("_x")
                ax.plot(group["_x"], group[column] / scale, marker="o", linewidth=1.8, label=name, color=f"C{i}")
            ax.set_xlabel(short[x_key])
            ax.legend(frameon=False, fontsize=9)
        else:
            ax.bar(range(len(solved)), solved[column] / scale, color="#4c72b0", width=0.6)
            ax.set_xticks(range(len(solved)), solved["run"], rotation=30, ha="right", fontsize=8)
            ax.set_xlim(-0.6, max(len(solved), 2) - 0.4)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    cost_ax.set_title("Total system cost", loc="left", fontsize=10)
    co2_ax.set_title("CO2 emissions", loc="left", fontsize=10)

    technologies = ordered(c.removeprefix("new_").removesuffix("_mw") for c in table.columns
                           if c.startswith("new_") and c.endswith("_mw") and c != "new_transmission_mw")
    new_columns = [f"new_{t}_mw" for t in technologies]
    positions = np.arange(len(table))
    bottom = np.zeros(len(table))
    for column, technology in zip(new_columns, technologies):
        values = pd.to_numeric(table[column], errors="coerce").fillna(0.0).to_numpy() / 1e3
        if np.abs(values).max() < 1e-6:
            continue
        build_ax.bar(positions, values, bottom=bottom, color=colour(technology), label=label(technology), edgecolor="white", linewidth=0.5)
        bottom += values
    for position, (status, total) in enumerate(zip(table["status"], bottom)):
        if status != "solved":
            build_ax.text(position, 0, f"  {status}", rotation=90, ha="center", va="bottom", color="#c0392b", fontsize=9, fontweight="bold")
        else:
            build_ax.text(position, total, f"{total:,.1f}", ha="center", va="bottom", fontsize=8.5)
    run_labels = ["\n".join(f"{short[k]}={_plain(table[k].iloc[i])}" for k in keys if k in table and pd.notna(table[k].iloc[i]))
                  or table["run"].iloc[i] for i in range(len(table))]
    build_ax.set_xticks(positions, run_labels, fontsize=8.5)
    build_ax.set_xlim(-0.6, len(table) - 0.4)
    build_ax.set_ylabel("new capacity (GW)")
    build_ax.set_title("New capacity by technology, per run", loc="left", fontsize=10)
    build_ax.grid(True, axis="y", alpha=0.3)
    build_ax.set_ylim(0, max(bottom.max() * 1.12, 1.0))
    handles, labels_ = build_ax.get_legend_handles_labels()
    if handles:
        build_ax.legend(handles[::-1], labels_[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    failed = int((table["status"] != "solved").sum())
    figure.suptitle((title or "Sweep comparison") + (f" — {failed} run(s) did not solve" if failed else ""), fontsize=12)
    return figure


def stress_convergence(traces: dict[str, pd.DataFrame], converged: dict[str, bool], tolerance: float | None, title: str = "") -> Figure:
    """Each stress mode's convergence measure per round (loop_<mode>.csv): the relative gap (log scale) against
    the tolerance, or the largest schedule change (MW) for a trace without a gap. The reported round is ringed;
    modes that did not converge are dashed and labelled so."""
    figure = Figure(figsize=(9, 4.6), layout="constrained")
    ax = figure.add_subplot()
    with_gap = all("relative_gap" in trace for trace in traces.values())
    column = "relative_gap" if with_gap else "max_schedule_change_mw"
    for i, (mode, trace) in enumerate(traces.items()):
        values = pd.to_numeric(trace[column], errors="coerce").clip(lower=1e-12)
        settled = converged.get(mode, False)
        ax.plot(trace["iteration"], values, marker="o", markersize=3.5, linewidth=1.6, color=f"C{i}", linestyle="-" if settled else "--",
                label=mode if settled else f"{mode} (not converged)")
        if "reported" in trace:
            reported = trace["reported"].astype(bool).to_numpy()
            ax.plot(trace["iteration"][reported], values[reported], linestyle="none", marker="o", markersize=10, markerfacecolor="none",
                    markeredgecolor=f"C{i}")
    if with_gap and tolerance is not None and np.isfinite(tolerance) and tolerance > 0:
        ax.axhline(tolerance, color="#555555", linewidth=1, linestyle=":", label=f"tolerance {tolerance:g}")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round")
    ax.set_ylabel("relative gap" if with_gap else "largest schedule change (MW)")
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(frameon=False, fontsize=9)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return figure
