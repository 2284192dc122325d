"""The report of a run with futures (``futures:``, :mod:`planning.workflows.stochastic`): each future on its own,
the probability-weighted expectation where one number is shown, and the value of information.

A results folder of such a run has a ``future`` column in every operating table (dispatch, balance, storage,
carbon, datacenter, flows, statistics), capacity.csv once (the shared investments), summary.csv holding the
probability-weighted mean of every future's figure, summary_futures.csv each future's own summary and
futures.csv each future's probability and costs. The figures and tables here never add up or average the
futures' hours: they are drawn per future, and an expectation is Σ_f p_f·x_f with the probabilities p_f of
futures.csv, said so wherever it is shown.

* :func:`energy_by_future`   generation by technology per future (MWh, Σ_t w_t·g_t) and its expectation
* :func:`summary_by_future`  summary_futures.csv's key metrics, a column per future and the expectation
* :func:`information_table`  RP, EV, EEV, WS, EVPI and VSS from summary.csv, each with its meaning
* :func:`futures_comparison` figure: energy mix per future and expected, cost per future (RP, EEV, WS),
  price duration curve per future
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from planning.report.palette import colour, label, ordered

EXPECTED = "expected"

#: Metrics of summary_futures.csv compared across the futures (those a run has, in this order).
FUTURE_METRICS = ("total_cost", "investment_cost", "fixed_om_cost", "operating_cost", "co2_t", "demand_mwh", "peak_demand_mw",
                  "unserved_energy_mwh", "loss_of_load_hours", "curtailment_mwh", "demand_weighted_price_per_mwh",
                  "datacenter_energy_mwh", "datacenter_shifted_mwh", "average_g_per_kwh")

#: The value-of-information rows of summary.csv: (summary metric, short name, meaning).
INFORMATION = (
    ("rp_cost", "RP", "the recourse problem: one plan for every future, its risk measure of the futures' costs (the stochastic plan)"),
    ("ev_cost", "EV", "the expected-value problem: one future with the futures' probability-weighted mean data"),
    ("eev_cost", "EEV", "the EV plan's investments fixed, every future operated with them: their risk measure"),
    ("ws_cost", "WS", "wait-and-see: every future planned on its own (perfect foresight), their risk measure"),
    ("evpi", "EVPI", "expected value of perfect information, RP − WS: what knowing the future before building would save"),
    ("vss", "VSS", "value of the stochastic solution, EEV − RP: what planning for the futures rather than their average saves"),
)


def probabilities(futures: pd.DataFrame) -> dict[str, float]:
    """Future name → probability (futures.csv), in the file's order."""
    return {str(name): float(p) for name, p in zip(futures["future"], futures["probability"])}


def frame_of(frame: pd.DataFrame | None, future: str) -> pd.DataFrame | None:
    """The rows of one future, without the ``future`` column (None stays None; a table without the column is returned whole)."""
    if frame is None or "future" not in frame:
        return frame
    return frame[frame["future"].astype(str) == future].drop(columns="future").reset_index(drop=True)


def energy_by_future(dispatch: pd.DataFrame, probability: dict[str, float]) -> pd.DataFrame:
    """Generation by technology (rows, report order) per future (columns) and ``expected`` = Σ_f p_f·E_f, in MWh:
    E_f = Σ_t w_t·generation_mw over the future's own snapshots (dispatch.csv's ``weight``)."""
    energy = (dispatch["generation_mw"] * dispatch["weight"]).groupby([dispatch["technology"].astype(str), dispatch["future"].astype(str)]).sum()
    table = energy.unstack("future").reindex(columns=list(probability)).fillna(0.0)
    table = table.reindex(ordered(table.index))
    table[EXPECTED] = sum(probability[f] * table[f] for f in probability)
    table.index.name = "technology"
    table.columns.name = None
    return table


def summary_by_future(summary_futures: pd.DataFrame, probability: dict[str, float]) -> pd.DataFrame:
    """metric, unit, a column per future and ``expected`` = Σ_f p_f·x_f, for :data:`FUTURE_METRICS` the run has."""
    frame = summary_futures.assign(value=pd.to_numeric(summary_futures["value"], errors="coerce"))
    values = frame.pivot_table(index="metric", columns="future", values="value", aggfunc="first")
    units = frame.drop_duplicates("metric").set_index("metric")["unit"]
    metrics = [m for m in FUTURE_METRICS if m in values.index and values.loc[m].notna().any()]
    table = values.reindex(index=metrics, columns=list(probability))
    table[EXPECTED] = sum(probability[f] * table[f] for f in probability)
    table.insert(0, "unit", units.reindex(metrics).fillna("").astype(str))
    table.columns.name = None
    return table.reset_index()


def information_table(summary: pd.DataFrame) -> pd.DataFrame:
    """metric (RP, EV, EEV, WS, EVPI, VSS), value, unit, meaning — the rows summary.csv has (none without
    ``stochastic.value_of_information``)."""
    indexed = summary.drop_duplicates("metric").set_index("metric")
    rows = [{"metric": short, "value": float(indexed.loc[name, "value"]), "unit": str(indexed.loc[name, "unit"]), "meaning": meaning}
            for name, short, meaning in INFORMATION if name in indexed.index]
    return pd.DataFrame(rows, columns=["metric", "value", "unit", "meaning"])


def system_price(balance: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot: the load-weighted mean price over the zones (the zone's price with one zone) and the weight."""
    load = (balance["demand_mw"] + balance["datacenter_mw"]).clip(lower=0)
    frame = balance.assign(_load=load, _value=load * balance["price_per_mwh"])
    grouped = frame.groupby("snapshot", sort=True).agg(_load=("_load", "sum"), _value=("_value", "sum"), price=("price_per_mwh", "mean"),
                                                       weight=("weight", "first"))
    grouped["price"] = np.where(grouped["_load"] > 0, grouped["_value"] / grouped["_load"].where(grouped["_load"] > 0, 1.0), grouped["price"])
    return grouped[["price", "weight"]]


def futures_comparison(energy: pd.DataFrame, futures: pd.DataFrame, balance: pd.DataFrame, probability: dict[str, float],
                       currency: str = "", title: str = "") -> Figure:
    """Three panels: generation by technology per future and the expectation (stacked bars); each future's cost with the
    EV plan (EEV) and planned alone (WS) minus its cost with this plan (RP, in the tick labels) — or, without the
    value-of-information re-solves, its RP cost; each future's price duration curve (load-weighted over the zones, hours
    weighted)."""
    from planning.report.figures import _duration, _magnitude

    figure = Figure(figsize=(14, 4.9), layout="constrained")
    axes = figure.subplots(1, 3, gridspec_kw={"width_ratios": [1.15, 1, 1.1]})
    names = [*probability, EXPECTED]
    ticks = [f"{f}\np = {probability[f]:g}" for f in probability] + ["expected\nΣ p·x"]
    scale, unit = _magnitude(energy.sum(axis=0), [(1e6, "TWh"), (1e3, "GWh")], default="MWh")
    ax = axes[0]
    bottom = np.zeros(len(names))
    for technology in energy.index:
        values = energy.loc[technology, names].to_numpy(float) / scale
        if np.abs(values).max() < 1e-9:
            continue
        ax.bar(range(len(names)), values, bottom=bottom, color=colour(technology), label=label(technology), edgecolor="white",
               linewidth=0.5, hatch=None)
        bottom += values
    ax.bar([len(names) - 1], [0], color="none")
    ax.set_xticks(range(len(names)), ticks, fontsize=9)
    ax.get_xticklabels()[-1].set_fontweight("bold")
    ax.set_ylabel(f"generation ({unit})")
    ax.set_title("Energy by technology", loc="left", fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
    handles, labels_ = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels_[::-1], fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.16), ncols=3)

    ax = axes[1]
    steps = [(1e9, "billion "), (1e6, "million "), (1e3, "thousand ")]
    rp = futures["rp_cost"].to_numpy(float)
    others = [(c, n) for c, n in (("eev_cost", "with the EV plan (EEV − RP)"), ("ws_cost", "planned alone (WS − RP)")) if c in futures]
    if others:   # the futures' costs differ by far less than they are: draw what another plan would change
        money, prefix = _magnitude(pd.Series(np.concatenate([futures[c].to_numpy(float) - rp for c, _ in others])), steps)
        width = 0.8 / len(others)
        for k, (column, name) in enumerate(others):
            ax.bar(np.arange(len(futures)) + (k - (len(others) - 1) / 2) * width, (futures[column].to_numpy(float) - rp) / money,
                   width=width, label=name, color=f"C{k + 1}")
        ax.axhline(0, color="black", linewidth=0.8)
        rp_money, rp_prefix = _magnitude(pd.Series(rp), steps)
        ticks = [f"{f}\nRP {rp[i] / rp_money:,.4g} {rp_prefix}".rstrip() for i, f in enumerate(futures["future"])]
        ax.set_ylabel(f"cost difference to this plan ({prefix}{currency})".replace(" )", ")"))
        ax.set_title("Each future's cost with another plan, minus this plan's (RP)", loc="left", fontsize=10)
        ax.legend(fontsize=8.5, frameon=False, loc="best")
    else:
        money, prefix = _magnitude(pd.Series(rp), steps)
        ax.bar(np.arange(len(futures)), rp / money, width=0.6, color="C0")
        ticks = [str(f) for f in futures["future"]]
        ax.set_ylabel(f"total cost with this plan ({prefix}{currency})".replace(" )", ")"))
        ax.set_title("Total cost per future", loc="left", fontsize=10)
    ax.set_xticks(range(len(futures)), ticks, fontsize=9)
    ax.grid(True, axis="y", alpha=0.3)

    ax = axes[2]
    styles = ["-", "--", ":", "-."]
    for i, future in enumerate(probability):
        prices = system_price(frame_of(balance, future))
        hours, values = _duration(prices["price"], prices["weight"])
        ax.step(hours, values, where="pre", linewidth=1.6, linestyle=styles[i % 4], color=f"C{i}", label=f"{future} (p = {probability[future]:g})")
    ax.set_xlabel("hours at or above (weighted)")
    ax.set_ylabel(f"price ({currency}/MWh)" if currency else "price per MWh")
    ax.set_title("Price duration curve per future", loc="left", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.set_xlim(left=0)
    ax.legend(fontsize=8.5, frameon=False)
    figure.suptitle(title or "Futures compared", fontsize=12)
    return figure


__all__ = ["EXPECTED", "energy_by_future", "frame_of", "futures_comparison", "information_table", "probabilities",
           "summary_by_future", "system_price"]
