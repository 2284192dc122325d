"""The data-center siting section of a run's report: where the fleet was placed, what it pays, what it emits.

Reads ``datacenter_sites.csv`` and ``datacenter_site_load.csv`` (:mod:`planning.io.site_writers`),
``balance.csv`` (prices), ``datacenter_site_carbon.csv`` (:func:`planning.metrics.footprint.site_footprint`,
when written) and ``transmission.csv`` (the corridors, for the zone layout) of a results folder.

Per candidate site (table, one row each, built or not):

* built IT MW, opened, contracted flexible MW (:mod:`planning.optimization.blocks.datacenter_siting`);
* facility energy E_s = Σ_t w_t·P_{s,t} (GWh per year when the horizon is scaled; P facility power, MW);
* price paid p̄_s = Σ_t w_t·P_{s,t}·π_{z(s),t} / E_s (currency/MWh: the load-weighted price of its zone's
  balance dual over the hours it draws power), and the zone's time-weighted mean price Σ_t w_t·π_t / Σ_t w_t —
  a site that shifts work pays less than its zone's mean;
* location-based emissions (t/year, the campus footprint's allocation) when the run wrote them;
* work moved out/in (MWh, workload shifting).

Map: the zones laid out as in the transmission section's zone diagram (:func:`planning.report.network.zone_layout`
on the corridor graph), a disc per zone whose area is proportional to the IT MW sited there (candidates not
built: an empty ring), coloured by the price the zone's sites pay; corridors as thin grey lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from planning.formatting import format_number
from planning.report.network import _mappable, zone_layout

SITE_TABLE_COLUMNS = ["site", "zone", "built IT MW", "of max IT MW", "opened", "contracted flexible MW", "facility energy GWh",
                      "price paid", "zone mean price", "location-based t CO2", "moved out MWh", "moved in MWh"]


def site_summary(sites: pd.DataFrame, load: pd.DataFrame, balance: pd.DataFrame, carbon: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per candidate site (see the module docstring for the definitions); built sites first, by IT MW."""
    prices = balance[["snapshot", "zone", "price_per_mwh", "weight"]].astype({"zone": str})
    drawn = load.astype({"zone": str}).merge(prices.drop(columns="weight"), on=["snapshot", "zone"], how="left")
    drawn["energy_mwh"] = drawn["weight"] * drawn["facility_power_mw"]
    drawn["paid"] = drawn["energy_mwh"] * drawn["price_per_mwh"]
    per_site = drawn.groupby("site").agg(energy_mwh=("energy_mwh", "sum"), paid=("paid", "sum"))
    zone_mean = prices.groupby("zone").apply(lambda g: float((g["weight"] * g["price_per_mwh"]).sum() / g["weight"].sum()),
                                             include_groups=False)
    table = sites.astype({"site": str, "zone": str}).set_index("site")
    out = pd.DataFrame({
        "site": table.index,
        "zone": table["zone"].values,
        "built IT MW": table["it_mw"].values,
        "of max IT MW": table["max_it_mw"].values,
        "opened": table["opened"].astype(int).values,
        "contracted flexible MW": table["flexible_contract_mw"].values,
        "facility energy GWh": per_site["energy_mwh"].reindex(table.index).fillna(0.0).values / 1e3,
    })
    energy = per_site["energy_mwh"].reindex(table.index).fillna(0.0).to_numpy(dtype=float)
    paid = per_site["paid"].reindex(table.index).fillna(0.0).to_numpy(dtype=float)
    out["price paid"] = np.divide(paid, energy, out=np.full_like(energy, np.nan), where=energy > 1e-9)
    out["zone mean price"] = out["zone"].map(zone_mean).values
    if carbon is not None and len(carbon):
        out["location-based t CO2"] = out["site"].map(carbon.astype({"datacenter": str}).groupby("datacenter")["location_t"].sum()).fillna(0.0).values
    else:
        out["location-based t CO2"] = np.nan
    out["moved out MWh"] = table["moved_out_mwh"].values if "moved_out_mwh" in table else 0.0
    out["moved in MWh"] = table["moved_in_mwh"].values if "moved_in_mwh" in table else 0.0
    return out.sort_values(["built IT MW", "site"], ascending=[False, True], kind="stable").reset_index(drop=True)[SITE_TABLE_COLUMNS]


def expected_site_summary(tables: dict[str, pd.DataFrame], probability: dict[str, float]) -> pd.DataFrame:
    """The site table of a run with futures: the sites' IT MW and contracts are first-stage (the same in every future);
    energy, price paid, zone mean price, emissions and moved work are each future's, combined as Σ_f p_f·x_f — except
    the price paid, which is the expected cost over the expected energy, Σ p·E·p̄ / Σ p·E (currency/MWh)."""
    indexed = {f: table.set_index("site") for f, table in tables.items()}
    first = next(iter(indexed.values()))
    by_future = {f: table.reindex(first.index) for f, table in indexed.items()}
    expected = first.copy()
    for column in ("facility energy GWh", "zone mean price", "location-based t CO2", "moved out MWh", "moved in MWh"):
        expected[column] = sum(probability[f] * table[column].to_numpy(dtype=float) for f, table in by_future.items())
    paid = sum(probability[f] * (table["facility energy GWh"] * table["price paid"].fillna(0.0)).to_numpy(dtype=float)
               for f, table in by_future.items())
    energy = expected["facility energy GWh"].to_numpy(dtype=float)
    expected["price paid"] = np.divide(paid, energy, out=np.full_like(energy, np.nan), where=energy > 1e-12)
    return expected.reset_index()[SITE_TABLE_COLUMNS]


def zone_siting(summary: pd.DataFrame) -> pd.DataFrame:
    """Per zone with candidates: sited IT MW, contracted MW, candidates and the price its sites pay (energy-weighted)."""
    rows = []
    for zone, group in summary.groupby("zone", sort=False):
        energy = group["facility energy GWh"].to_numpy(dtype=float)
        price = group["price paid"].to_numpy(dtype=float)
        ok = np.isfinite(price) & (energy > 0)
        rows.append({"zone": zone, "it_mw": float(group["built IT MW"].sum()), "contracted_mw": float(group["contracted flexible MW"].sum()),
                     "candidates": int(len(group)), "price_paid": float((price[ok] * energy[ok]).sum() / energy[ok].sum()) if ok.any() else np.nan,
                     "zone_mean_price": float(group["zone mean price"].iloc[0])})
    return pd.DataFrame(rows)


def site_map(summary: pd.DataFrame, zones: list[str], edges: list[tuple[str, str]], currency: str = "", title: str = "") -> Figure:
    """Zones laid out from the corridor graph; disc area ∝ sited IT MW, colour = price paid; rings: candidates not built."""
    per_zone = zone_siting(summary).set_index("zone")
    places = list(dict.fromkeys([*zones, *per_zone.index]))
    position = zone_layout(places, edges)
    figure = Figure(figsize=(8.0, 6.0), layout="constrained")
    ax = figure.add_subplot()
    for a, b in edges:
        if a in position and b in position:
            ax.plot([position[a][0], position[b][0]], [position[a][1], position[b][1]], color="0.8", lw=1.2, zorder=1)
    largest = float(per_zone["it_mw"].max()) if len(per_zone) else 0.0
    prices = per_zone["price_paid"].to_numpy(dtype=float)
    finite = prices[np.isfinite(prices)]
    norm = Normalize(vmin=float(finite.min()) if finite.size else 0.0, vmax=float(finite.max()) if finite.size else 1.0)
    if norm.vmax - norm.vmin < 1e-9:
        norm = Normalize(vmin=norm.vmin - 1.0, vmax=norm.vmax + 1.0)
    cmap = colormaps["viridis"]
    for zone in places:
        x, y = position[zone]
        if zone not in per_zone.index:
            ax.scatter([x], [y], s=30, color="0.6", zorder=3)
            ax.annotate(zone, (x, y), xytext=(0, -12), textcoords="offset points", ha="center", va="top", fontsize=8, color="0.4")
            continue
        row = per_zone.loc[zone]
        if row["it_mw"] > 1e-6 and largest > 0:
            size = 1800.0 * row["it_mw"] / largest
            ax.scatter([x], [y], s=size, color=cmap(norm(row["price_paid"])) if np.isfinite(row["price_paid"]) else "0.5",
                       edgecolor="black", linewidth=0.6, zorder=3, alpha=0.9)
            label = f"{zone}\n{_mw(row['it_mw'])} IT" + (f"\n{_mw(row['contracted_mw'])} flexible" if row["contracted_mw"] > 1e-6 else "")
        else:
            ax.scatter([x], [y], s=120, facecolor="white", edgecolor="0.3", linewidth=1.0, zorder=3)
            label = f"{zone}\nnot built"
        ax.annotate(label, (x, y), xytext=(0, 14 + 0.5 * np.sqrt(1800.0 * row["it_mw"] / largest if largest > 0 else 0.0)),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8)
    mappable = _mappable(cmap, norm)
    figure.colorbar(mappable, ax=ax, shrink=0.7, label=f"price the sites pay ({currency}/MWh)" if currency else "price the sites pay (per MWh)")
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.45, 1.55)   # room for the largest disc (√1800 pt across) and the labels above it
    ax.axis("off")
    if title:
        ax.set_title(title)
    return figure


def _mw(mw: float) -> str:
    return f"{format_number(mw / 1e3, 3)} GW" if abs(mw) >= 1000 else f"{format_number(mw, 3)} MW"


def site_map_alt(summary: pd.DataFrame, currency: str = "") -> str:
    """Alt text of the map from its data: where the IT MW went and what each zone's sites pay."""
    per_zone = zone_siting(summary)
    built = per_zone[per_zone["it_mw"] > 1e-6].sort_values("it_mw", ascending=False)
    unit = f" {currency}/MWh" if currency else " per MWh"
    if not len(built):
        return f"Map of {len(per_zone)} zones with candidate data-center sites; no site was built."
    parts = [f"{row.zone} {_mw(row.it_mw)}" + (f" at {format_number(row.price_paid, 4)}{unit}" if np.isfinite(row.price_paid) else "")
             for row in built.itertuples()]
    empty = per_zone[per_zone["it_mw"] <= 1e-6]["zone"].tolist()
    text = f"Map of the data-center fleet: {_mw(float(built['it_mw'].sum()))} of IT sited in {len(built)} zone{'s' if len(built) != 1 else ''} — " + "; ".join(parts) + "."
    if empty:
        text += f" Candidates not built in {', '.join(empty)}."
    return text
