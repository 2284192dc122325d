"""The transmission section of a multi-zone run's report: corridor figures, a zone diagram, flow duration curves.

Reads transmission.csv, flows.csv and balance.csv of a results folder (DESIGN.md §6), for any number
of zones and corridors. The per-line outcomes written by the run (planning/metrics/transmission.py:
``available_mw``, ``loading``, ``congested``, ``price_difference_per_mwh`` in flows.csv;
``congestion_hours``, ``congestion_rent_per_year``, ``max_loading``, ``mean_loading``,
``mean_price_difference_per_mwh`` in transmission.csv) are used when present; an older results folder
without them gets the same quantities computed here with the same definitions, from the flows, the
capacities and the prices (the corridor's full capability standing in for the hourly available one):

* loading_{l,t} = |f_{l,t}| / available_{l,t} (f: flow_mw, + from ``from_zone`` to ``to_zone``);
* congested_{l,t} = 1 where |f_{l,t}| ≥ (1 − 10⁻⁶) · available_{l,t} > 0;
* price difference_{l,t} = p_{to,t} − p_{from,t} (currency/MWh, balance.csv's ``price_per_mwh``);
* congestion hours = Σ_t w_t · congested_{l,t} (w: balance.csv's ``weight``, h; per year when scaled);
* congestion rent = Σ_t w_t · ((1 − λ_l)·|f|·p_sink − |f|·p_source) with source/sink by the flow's
  direction and λ_l the corridor's ``loss_fraction`` from scenario.resolved.yaml (0 when unknown).

Per corridor the report adds the weighted mean flow (signed), the peak flow in each direction and
the weighted mean of |price difference|.

Zone diagram: zones are laid out by stress majorisation of their distances in the corridor graph (hops;
classical multidimensional scaling as the start), deterministic, the widest spread horizontal; each
corridor is an arrow in the direction of its mean flow, its width proportional to its capability and
its colour its mean loading; zones are coloured by their mean price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from planning.formatting import format_number

AT_LIMIT_RELATIVE = 1e-6   # as planning/metrics/transmission.py
HOURLY = ("available_mw", "loading", "congested", "price_difference_per_mwh")
PER_LINE = ("congestion_hours", "congestion_rent_per_year", "max_loading", "mean_loading", "mean_price_difference_per_mwh")


@dataclass
class Corridors:
    """Per-line outcomes (``lines``, one row per corridor) and the hourly ones (``hourly``, line × snapshot)."""

    lines: pd.DataFrame
    hourly: pd.DataFrame
    zones: list[str]
    prices: pd.DataFrame      # per zone: mean_price_per_mwh (weighted), max_price_per_mwh
    computed: list[str]       # quantities computed here because the results folder did not have them


def corridors(transmission: pd.DataFrame, flows: pd.DataFrame, balance: pd.DataFrame,
              loss_fraction: dict[str, float] | None = None) -> Corridors:
    """Per-line and hourly corridor outcomes (see the module docstring), from the run's columns when present."""
    loss_fraction = loss_fraction or {}
    weight = balance.groupby("snapshot")["weight"].first()
    price = balance.pivot_table(index="snapshot", columns="zone", values="price_per_mwh", aggfunc="first")
    zones = list(dict.fromkeys(balance["zone"].astype(str)))
    lines = transmission.copy()
    lines["line"] = lines["line"].astype(str)
    hourly = flows.copy()
    hourly["line"] = hourly["line"].astype(str)
    hourly["weight"] = hourly["snapshot"].map(weight).astype(float)
    total = lines.set_index("line")["total_mw"].astype(float)
    computed: list[str] = []
    if "available_mw" not in hourly:
        hourly["available_mw"] = hourly["line"].map(total)
        computed.append("available_mw")
    sent = hourly["flow_mw"].abs()
    available = hourly["available_mw"].astype(float)
    if "loading" not in hourly:
        hourly["loading"] = np.where(available > 0, sent / available.where(available > 0, 1.0), np.nan)
        computed.append("loading")
    if "congested" not in hourly:
        hourly["congested"] = ((available > 0) & (sent >= (1.0 - AT_LIMIT_RELATIVE) * available)).astype(float)
        computed.append("congested")
    price_from = _lookup(price, hourly["snapshot"], hourly["from_zone"])
    price_to = _lookup(price, hourly["snapshot"], hourly["to_zone"])
    if "price_difference_per_mwh" not in hourly:
        hourly["price_difference_per_mwh"] = price_to - price_from
        computed.append("price_difference_per_mwh")
    forward = hourly["flow_mw"] >= 0
    loss = hourly["line"].map(lambda line: float(loss_fraction.get(line, 0.0)))
    value_sent = sent * np.where(forward, price_from, price_to)
    value_received = (1.0 - loss) * sent * np.where(forward, price_to, price_from)
    hourly["_rent"] = (value_received - value_sent) * hourly["weight"]

    rows = []
    for line, group in hourly.groupby("line", sort=False):
        w = group["weight"]
        with_capability = group["loading"].notna()
        rows.append({
            "line": line,
            "mean_flow_mw": float((group["flow_mw"] * w).sum() / w.sum()) if w.sum() > 0 else np.nan,
            "peak_forward_mw": float(max(group["flow_mw"].max(), 0.0)),
            "peak_backward_mw": float(max(-group["flow_mw"].min(), 0.0)),
            "mean_abs_price_difference_per_mwh": float((group["price_difference_per_mwh"].abs() * w).sum() / w.sum()) if w.sum() > 0 else np.nan,
            "_congestion_hours": float((group["congested"] * w).sum()),
            "_congestion_rent_per_year": float(group["_rent"].sum()),
            "_max_loading": float(group["loading"].max()) if with_capability.any() else np.nan,
            "_mean_loading": (float((group.loc[with_capability, "loading"] * w[with_capability]).sum() / w[with_capability].sum())
                              if with_capability.any() and w[with_capability].sum() > 0 else np.nan),
            "_mean_price_difference_per_mwh": float((group["price_difference_per_mwh"] * w).sum() / w.sum()) if w.sum() > 0 else np.nan,
            "modelled_hours": int(len(group)),
            "congested_modelled_hours": int((group["congested"] > 0.5).sum()),
        })
    derived = pd.DataFrame(rows, columns=["line", "mean_flow_mw", "peak_forward_mw", "peak_backward_mw", "mean_abs_price_difference_per_mwh",
                                          *(f"_{name}" for name in PER_LINE), "modelled_hours", "congested_modelled_hours"])
    lines = lines.merge(derived, on="line", how="left")
    for name in PER_LINE:
        if name not in lines:
            lines[name] = lines.pop(f"_{name}")
            computed.append(name)
        else:
            lines.pop(f"_{name}")
    hourly = hourly.drop(columns="_rent")
    prices = pd.DataFrame({
        "mean_price_per_mwh": price.mul(weight, axis=0).sum() / weight.sum(),
        "max_price_per_mwh": price.max(),
    }).reindex(zones)
    return Corridors(lines=lines, hourly=hourly, zones=zones, prices=prices, computed=computed)


def _lookup(table: pd.DataFrame, rows: pd.Series, columns: pd.Series) -> np.ndarray:
    """table.loc[row_i, column_i] for each i (NaN where missing)."""
    stacked = table.stack()
    keys = pd.MultiIndex.from_arrays([rows.to_numpy(), columns.astype(str).to_numpy()])
    return stacked.reindex(keys).to_numpy(dtype=float)


def corridor_table(result: Corridors, hours_unit: str = "h", money_unit: str = "", currency: str = "") -> pd.DataFrame:
    """The table shown in the report: one row per corridor, units in the headers."""
    lines = result.lines
    frame = pd.DataFrame({
        "corridor": lines["line"],
        "from → to": [f"{a}\u00a0→\u00a0{b}" for a, b in zip(lines["from_zone"], lines["to_zone"])],   # no break inside
    })
    if "model" in lines:
        frame["model"] = lines["model"].astype(str).str.replace("_", " ")
    frame["existing MW"] = lines["existing_mw"]
    frame["new MW"] = lines["new_mw"]
    frame["total MW"] = lines["total_mw"]
    frame["mean flow MW (+ = from → to)"] = lines["mean_flow_mw"]
    frame["peak MW from → to"] = lines["peak_forward_mw"]
    frame["peak MW to → from"] = lines["peak_backward_mw"]
    frame["mean loading %"] = lines["mean_loading"] * 100
    frame["max loading %"] = lines["max_loading"] * 100
    frame[f"congestion {hours_unit}"] = lines["congestion_hours"]
    frame["congested modelled hours"] = [f"{c} of {n}" for c, n in zip(lines["congested_modelled_hours"], lines["modelled_hours"])]
    frame[f"mean price difference to − from, {currency}/MWh".replace(" ,", ",")] = lines["mean_price_difference_per_mwh"]
    frame[f"mean |price difference|, {currency}/MWh".replace(" ,", ",")] = lines["mean_abs_price_difference_per_mwh"]
    frame[f"congestion rent, {money_unit}" if money_unit else "congestion rent"] = lines["congestion_rent_per_year"]
    return frame


# ------------------------------------------------------------------------------ layout ---

def hop_distances(zones: list[str], edges: list[tuple[str, str]]) -> np.ndarray:
    """Shortest-path distances (corridors counted as 1) between zones; unconnected pairs one more than the largest."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import shortest_path

    index = {zone: i for i, zone in enumerate(zones)}
    n = len(zones)
    adjacency = np.zeros((n, n))
    for a, b in edges:
        if a in index and b in index and a != b:
            adjacency[index[a], index[b]] = adjacency[index[b], index[a]] = 1.0
    distances = shortest_path(csr_matrix(adjacency), unweighted=True, directed=False)
    finite = distances[np.isfinite(distances)]
    largest = finite.max() if finite.size else 1.0
    return np.where(np.isfinite(distances), distances, largest + 1.0)


def zone_layout(zones: list[str], edges: list[tuple[str, str]], iterations: int = 300) -> dict[str, tuple[float, float]]:
    """Positions of the zones in [-1, 1]²: classical MDS of the hop distances refined by stress majorisation
    (SMACOF, weights d⁻²), centred, the widest spread horizontal, the first zone on the left. Deterministic."""
    n = len(zones)
    if n == 1:
        return {zones[0]: (0.0, 0.0)}
    if n == 2:
        return {zones[0]: (-1.0, 0.0), zones[1]: (1.0, 0.0)}
    distances = hop_distances(zones, edges)
    # Classical MDS start.
    squared = distances ** 2
    centring = np.eye(n) - np.ones((n, n)) / n
    inner = -0.5 * centring @ squared @ centring
    values, vectors = np.linalg.eigh(inner)
    top = np.argsort(values)[::-1][:2]
    position = vectors[:, top] * np.sqrt(np.clip(values[top], 1e-9, None))
    # Nodes on top of each other (symmetric graphs): a small deterministic spread around a circle.
    angles = 2 * np.pi * np.arange(n) / n
    position = position + 0.05 * np.column_stack([np.cos(angles), np.sin(angles)])
    # Stress majorisation (Gansner, Koren & North 2004): minimise Σ w_ij (|x_i − x_j| − d_ij)², w = d⁻².
    weights = np.zeros_like(distances)
    np.divide(1.0, distances ** 2, out=weights, where=distances > 0)
    np.fill_diagonal(weights, 0.0)
    laplacian = -weights.copy()
    np.fill_diagonal(laplacian, weights.sum(axis=1))
    pseudo = np.linalg.pinv(laplacian)
    for _ in range(iterations):
        delta = position[:, None, :] - position[None, :, :]
        norm = np.linalg.norm(delta, axis=2)
        ratio = np.where(norm > 1e-12, weights * distances / np.where(norm > 1e-12, norm, 1.0), 0.0)
        b = -ratio
        np.fill_diagonal(b, 0.0)
        np.fill_diagonal(b, -b.sum(axis=1))
        updated = pseudo @ (b @ position)
        if np.abs(updated - position).max() < 1e-9:
            position = updated
            break
        position = updated
    position -= position.mean(axis=0)
    _, _, axes = np.linalg.svd(position, full_matrices=False)
    position = position @ axes.T   # principal axes: widest spread along x
    if position[0, 0] > 0:
        position[:, 0] *= -1
    if position[0, 1] < 0:
        position[:, 1] *= -1
    scale = np.abs(position).max(axis=0)
    position = position / np.where(scale > 1e-9, scale, 1.0)
    position = _spread(position)
    return {zone: (float(x), float(y)) for zone, (x, y) in zip(zones, position)}


def _spread(position: np.ndarray, gap: float = 0.75, rounds: int = 400) -> np.ndarray:
    """Push zones closer than ``gap`` apart (labels need room), then rescale to [-1, 1] per axis."""
    position = position.copy()
    for _ in range(rounds):
        delta = position[:, None, :] - position[None, :, :]
        norm = np.linalg.norm(delta, axis=2)
        np.fill_diagonal(norm, np.inf)
        close = norm < gap
        if not close.any():
            break
        push = np.where(close[..., None], delta / np.maximum(norm, 1e-6)[..., None] * (gap - np.minimum(norm, gap))[..., None] / 2, 0.0)
        position += push.sum(axis=1)
        scale = np.abs(position).max(axis=0)
        position /= np.where(scale > 1e-9, scale, 1.0)
    return position


# ------------------------------------------------------------------------------ figures ---

def _gw(mw: float) -> str:
    return f"{format_number(mw / 1e3, 3)} GW" if abs(mw) >= 100 else f"{format_number(mw, 3)} MW"


def zone_pairs(result: Corridors) -> pd.DataFrame:
    """One row per pair of zones joined by corridors (parallel and opposite corridors added up), oriented
    zone_a → zone_b as the first corridor between them: capability (total_mw, new_mw), mean net flow
    (+ = a → b), peak net flow each way, mean loading (|net flow| / capability) and the most congestion
    hours of its corridors."""
    lines = result.lines.assign(from_zone=result.lines["from_zone"].astype(str), to_zone=result.lines["to_zone"].astype(str))
    orientation: dict[frozenset, tuple[str, str]] = {}
    for a, b in zip(lines["from_zone"], lines["to_zone"]):
        orientation.setdefault(frozenset((a, b)), (a, b))
    sign = {row.line: (1.0 if orientation[frozenset((row.from_zone, row.to_zone))][0] == row.from_zone else -1.0) for row in lines.itertuples()}
    pair_of = {row.line: orientation[frozenset((row.from_zone, row.to_zone))] for row in lines.itertuples()}
    hourly = result.hourly.assign(net_mw=result.hourly["flow_mw"] * result.hourly["line"].map(sign),
                                  pair=result.hourly["line"].map(pair_of))
    rows = []
    for (a, b), group in lines.groupby([lines["line"].map(lambda line: pair_of[line][0]), lines["line"].map(lambda line: pair_of[line][1])],
                                       sort=False):
        net = hourly[hourly["pair"] == (a, b)].groupby("snapshot").agg(net_mw=("net_mw", "sum"), weight=("weight", "first"))
        capability = float(group["total_mw"].sum())
        weight = net["weight"].sum()
        rows.append({
            "zone_a": a, "zone_b": b, "corridors": len(group), "total_mw": capability, "new_mw": float(group["new_mw"].sum()),
            "mean_flow_mw": float((net["net_mw"] * net["weight"]).sum() / weight) if weight > 0 else 0.0,
            "peak_forward_mw": float(max(net["net_mw"].max(), 0.0)) if len(net) else 0.0,
            "peak_backward_mw": float(max(-net["net_mw"].min(), 0.0)) if len(net) else 0.0,
            "mean_loading": float((net["net_mw"].abs() * net["weight"]).sum() / weight / capability) if weight > 0 and capability > 0 else np.nan,
            "congestion_hours": float(group["congestion_hours"].max()),
        })
    return pd.DataFrame(rows, columns=["zone_a", "zone_b", "corridors", "total_mw", "new_mw", "mean_flow_mw", "peak_forward_mw",
                                       "peak_backward_mw", "mean_loading", "congestion_hours"])


def network_diagram(result: Corridors, currency: str = "", hours_unit: str = "h", title: str = "") -> Figure:
    """Zones as nodes (colour: mean price), corridors as arrows in the direction of the mean flow
    (width: capability; colour: mean loading), each labelled with capability, mean and peak flow."""
    pairs = zone_pairs(result)
    zones = result.zones
    layout = zone_layout(zones, list(zip(pairs["zone_a"], pairs["zone_b"])))
    xs = np.array([layout[z][0] for z in zones])
    ys = np.array([layout[z][1] for z in zones])
    width = 11.0
    height = 3.2 if np.ptp(ys) < 1e-9 else float(np.clip(width * 0.62 * (np.ptp(ys) + 0.5) / (np.ptp(xs) + 0.5), 4.5, 9.0))
    figure = Figure(figsize=(width, height), layout="constrained")
    ax = figure.add_subplot()
    ax.axis("off")
    price = result.prices["mean_price_per_mwh"]
    # Zones shaded by mean price; differences below 5 % of the mean price (or 1 per MWh) are not shaded apart.
    span = float(price.max() - price.min())
    span = max(span, 0.05 * abs(float(price.mean())), 1.0)
    middle = (float(price.min()) + float(price.max())) / 2
    price_norm = Normalize(vmin=middle - span / 2, vmax=middle + span / 2)
    price_map = colormaps["Blues"]
    loading_map = LinearSegmentedColormap.from_list("loading", ["#9aa5b1", "#f0a030", "#b03030"])
    loading_norm = Normalize(0.0, 1.0)
    thickest = max(float(pairs["total_mw"].max()), 1e-9) if len(pairs) else 1.0
    placed: list[tuple[float, float]] = []   # label positions so far: later labels keep away from them too
    boxes = {}
    for zone in zones:
        x, y = layout[zone]
        mean_price = price.get(zone, np.nan)
        shade = price_norm(mean_price) if pd.notna(mean_price) else np.nan
        fill = price_map(0.15 + 0.7 * shade) if pd.notna(shade) else "#dddddd"
        text = f"{zone}\n{format_number(mean_price, 3)}" if pd.notna(mean_price) else zone
        boxes[zone] = ax.text(x, y, text, ha="center", va="center", fontsize=9, fontweight="bold", zorder=5,
                color="white" if pd.notna(shade) and shade > 0.6 else "black",
                bbox={"boxstyle": "round,pad=0.6", "facecolor": fill, "edgecolor": "#1d2329", "linewidth": 1.2})
    for _, row in pairs.iterrows():
        a, b = row["zone_a"], row["zone_b"]
        forward = not (row["mean_flow_mw"] < 0)
        start, end = (layout[a], layout[b]) if forward else (layout[b], layout[a])
        source_box, sink_box = (boxes[a], boxes[b]) if forward else (boxes[b], boxes[a])
        loading = row["mean_loading"]
        edge_colour = loading_map(loading_norm(loading)) if pd.notna(loading) else "#999999"
        line_width = 1.5 + 9.0 * float(row["total_mw"]) / thickest
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12 + line_width * 1.3, linewidth=line_width,
                                color=edge_colour, patchA=source_box.get_bbox_patch(), patchB=sink_box.get_bbox_patch(),
                                shrinkA=3, shrinkB=3, zorder=1)
        arrow.set_gid(f"{a} -> {b}" if forward else f"{b} -> {a}")   # the direction drawn (an id in SVG output)
        ax.add_patch(arrow)
        peak = row["peak_forward_mw"] if forward else row["peak_backward_mw"]
        text = _gw(row["total_mw"]) + (f" (+{_gw(row['new_mw'])} new)" if row["new_mw"] > 1e-3 else "")
        if row["corridors"] > 1:
            text += f", {row['corridors']} corridors"
        text += f"\nmean {_gw(abs(row['mean_flow_mw']))}\npeak {_gw(peak)}"
        if pd.notna(row["congestion_hours"]) and row["congestion_hours"] > 0:
            text += f"\nat limit {format_number(row['congestion_hours'], 3)} {hours_unit}"
        middle_point = _label_point(start, end, [layout[z] for z in zones] + placed)
        placed.append(middle_point)
        ax.annotate(text, middle_point, ha="center", va="center", fontsize=7.5 if len(pairs) > 4 else 8.5, zorder=3,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#cccccc", "alpha": 0.85})
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(*((-1.2, 1.2) if np.ptp(ys) > 1e-9 else (-0.5, 0.5)))
    loading_bar = figure.colorbar(_mappable(loading_map, loading_norm), ax=ax, shrink=0.6, pad=0.01, fraction=0.03)
    loading_bar.set_label("mean loading")
    loading_bar.ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    figure.suptitle(title or "Zones and corridors", fontsize=12)
    ax.set_title("arrows: direction of the mean net flow between two zones (all their corridors), width ∝ capability, labels: "
                 f"capability, mean and peak flow that way, hours at the limit; zones: mean price{f' ({currency}/MWh)' if currency else ''}, "
                 "darker = dearer", loc="left", fontsize=8.5, color="#444444", wrap=True)
    return figure


def _label_point(start, end, nodes, fractions=(0.5, 0.4, 0.6, 0.3, 0.7)) -> tuple[float, float]:
    """Where on the edge start → end to put its label: the point (among a few along it, the middle first) farthest
    from every zone and label placed so far (``nodes``), so that boxes cover as little of it as possible."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    points = [start + f * (end - start) for f in fractions]
    centres = np.asarray(nodes, float)
    clearance = [float(np.linalg.norm(centres - p, axis=1).min()) for p in points]
    best = int(np.argmax(np.round(clearance, 3)))   # ties: the earlier (more central) point
    return float(points[best][0]), float(points[best][1])


def _mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable

    mappable = ScalarMappable(norm=norm, cmap=cmap)
    mappable.set_array([])
    return mappable


def flow_duration(result: Corridors, horizon_note: str = "", title: str = "") -> Figure:
    """Each corridor's hourly flow as a share of its capability (+ = from → to), sorted from the largest
    forward to the largest backward flow, against weighted hours."""
    figure = Figure(figsize=(11, 4.4), layout="constrained")
    ax = figure.add_subplot()
    hourly = result.hourly
    total = result.lines.set_index("line")["total_mw"].astype(float)
    palette = colormaps["tab10"].colors if len(total) <= 10 else colormaps["tab20"].colors
    styles = ["-", "--", "-.", ":"]
    for i, (line, group) in enumerate(hourly.groupby("line", sort=False)):
        capability = float(total.get(line, np.nan))
        share = group["flow_mw"] / capability if capability > 0 else group["flow_mw"] * np.nan
        order = np.argsort(-share.to_numpy(), kind="stable")
        hours = np.cumsum(group["weight"].to_numpy()[order])
        values = share.to_numpy()[order] * 100
        row = result.lines.set_index("line").loc[line]
        ax.step(np.concatenate([[0.0], hours]), np.concatenate([values[:1], values]), where="pre", linewidth=1.6,
                color=palette[i % len(palette)], linestyle=styles[(i // len(palette)) % len(styles)],
                label=f"{line} ({row['from_zone']} → {row['to_zone']}, {_gw(capability)})")
    for level in (100, -100):
        ax.axhline(level, color="#b03030", linewidth=0.9, linestyle=":")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel("flow (% of capability, + = from → to)")
    ax.set_xlabel("hours at or above (weighted" + (f"; {horizon_note}" if horizon_note else "") + ")")
    ax.set_xlim(left=0)
    ax.set_ylim(-110, 110)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8.5)
    figure.suptitle(title or "Corridor flow duration curves", fontsize=12)
    return figure


def diagram_alt(result: Corridors, currency: str = "", hours_unit: str = "h") -> str:
    """Alt text of the zone diagram: every zone's mean price and every corridor's capability and flows."""
    zones = "; ".join(f"{z} {format_number(result.prices.loc[z, 'mean_price_per_mwh'], 3)} {currency}/MWh" for z in result.zones)
    parts = []
    for _, row in result.lines.iterrows():
        forward = not (row["mean_flow_mw"] < 0)
        source, sink = (row["from_zone"], row["to_zone"]) if forward else (row["to_zone"], row["from_zone"])
        parts.append(f"{row['line']} {row['from_zone']}–{row['to_zone']}, {_gw(row['total_mw'])}: mean flow {_gw(abs(row['mean_flow_mw']))} "
                     f"{source} to {sink}, peak {_gw(row['peak_forward_mw'])} {row['from_zone']} to {row['to_zone']} and "
                     f"{_gw(row['peak_backward_mw'])} back, congested {format_number(row['congestion_hours'], 3)} {hours_unit}")
    return (f"Diagram of {len(result.zones)} zones and {len(result.lines)} corridors. Mean prices: {zones}. Corridors: "
            + "; ".join(parts) + ".")


def duration_alt(result: Corridors) -> str:
    parts = []
    for _, row in result.lines.iterrows():
        parts.append(f"{row['line']} mean loading {format_number(row['mean_loading'] * 100, 3)} %, at its limit "
                     f"{row['congested_modelled_hours']} of {row['modelled_hours']} modelled hours")
    return "Flow duration curves of each corridor, flow as a share of capability sorted from highest to lowest: " + "; ".join(parts) + "."


__all__ = ["Corridors", "corridor_table", "corridors", "diagram_alt", "duration_alt", "flow_duration", "hop_distances", "network_diagram",
           "zone_layout"]
