"""Per-line outcomes of a solved run: loading, congestion hours, congestion rent, price differences.

Per line l and snapshot t (flow f_{l,t} in MW from ``from_zone`` to ``to_zone``, prices p in
currency/MWh = balance dual / w_t, weights w_t in h):

* ``line_available_mw`` = a_{l,t} · (existing + new) — the capability in that hour (a = availability
  under ``stress:`` line outages, else 1);
* ``line_loading`` = |f_{l,t}| / available (NaN where nothing is available);
* ``line_congested`` = 1 where |f_{l,t}| ≥ (1 − 10⁻⁶) · available > 0 (at the limit), else 0;
* ``line_price_difference_per_mwh`` = p_{to,t} − p_{from,t}.

Per line (over the weighted horizon, i.e. per year when the horizon is scaled to a year):

* ``line_congestion_hours`` = Σ_t w_t · congested_{l,t} (h) — hours **at** the limit. Whether the limit
  has a price there shows in the rent and the price difference: when several flow patterns cost the
  same (equal prices), the LP's optimal vertex may put a line at its limit with a zero shadow price;
  such hours count here and add nothing to the rent;
* ``line_max_loading`` = max_t loading; ``line_mean_loading`` = Σ_t w_t·loading / Σ_t w_t (over the hours
  with capability);
* ``line_mean_price_difference_per_mwh`` = Σ_t w_t·(p_to − p_from) / Σ_t w_t;
* ``line_congestion_rent_per_year`` = Σ_t w_t · (received_t · p_{sink,t} − sent_t · p_{source,t}):
  what the line's energy is worth where it arrives minus where it leaves (its merchandising surplus;
  sent = |f|, received = (1 − λ_l)·|f|, source/sink by the flow's direction). For a lossless line this
  is Σ_t w_t·f_{l,t}·(p_{to,t} − p_{from,t}).

Sign, checked against the duals: for a transport corridor the optimality conditions give
(1 − λ)·p_sink − p_source = μ_{l,t}/w_t, the shadow price of its limit (≥ 0, 0 when not at the limit),
so its rent is Σ_t μ_{l,t}·|f_{l,t}| = Σ_t μ_{l,t}·capability ≥ 0 and is positive only in congested
hours. For AC lines in a loop (``model: dc_power_flow``) a line may carry power from a dearer to a
cheaper zone — Kirchhoff's voltage law sends it there — and then has a **negative** rent; the sum over
the lines of a loop equals Σ_l μ_l·capability_l of its congested lines (in the 3-bus test: 4800 $ =
60 $/MWh × 80 MW). A formula with |flow|·|price difference| would count such counter-flows as income
and no longer add up to the duals, so the signed surplus is reported.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

AT_LIMIT_RELATIVE = 1e-6


def line_metrics(results: xr.Dataset, inputs: xr.Dataset) -> dict[str, xr.DataArray]:
    """The variables of the module docstring (empty without lines or flows)."""
    if "flow_mw" not in results or not results.sizes.get("line", 0):
        return {}
    lines = [str(line) for line in results["line"].values]
    zones = [str(zone) for zone in results["zone"].values]
    flow = results["flow_mw"].transpose("line", "snapshot").values.astype(float)
    weight = results["weight_h"].values.astype(float)
    price = results["price_per_mwh"].transpose("zone", "snapshot").values.astype(float)
    total = results["line_total_mw"].values.astype(float)
    availability = (inputs["line_availability"].sel(line=lines).values.astype(float) if "line_availability" in inputs
                    else np.ones_like(flow))
    loss = inputs["line_loss_fraction"].sel(line=lines).values.astype(float)
    source_zone = np.array([zones.index(str(z)) for z in results["line_from"].values])
    sink_zone = np.array([zones.index(str(z)) for z in results["line_to"].values])

    available = total[:, None] * availability
    sent = np.abs(flow)
    with np.errstate(divide="ignore", invalid="ignore"):
        loading = np.where(available > 0, sent / np.where(available > 0, available, 1.0), np.nan)
    congested = ((available > 0) & (sent >= (1.0 - AT_LIMIT_RELATIVE) * available)).astype(float)
    price_from, price_to = price[source_zone], price[sink_zone]
    difference = price_to - price_from
    forward = flow >= 0
    value_sent = sent * np.where(forward, price_from, price_to)
    value_received = (1.0 - loss[:, None]) * sent * np.where(forward, price_to, price_from)
    rent = ((value_received - value_sent) * weight).sum(axis=1)
    total_weight = weight.sum()
    mean_loading = np.array([np.nansum(row * weight) / weight[np.isfinite(row)].sum() if np.isfinite(row).any() else np.nan
                             for row in loading])

    by_line = {"line": lines}
    by_line_snapshot = {"line": lines, "snapshot": results["snapshot"].values}
    hourly = ("line", "snapshot")
    return {
        "line_available_mw": xr.DataArray(available, coords=by_line_snapshot, dims=hourly),
        "line_loading": xr.DataArray(loading, coords=by_line_snapshot, dims=hourly),
        "line_congested": xr.DataArray(congested, coords=by_line_snapshot, dims=hourly),
        "line_price_difference_per_mwh": xr.DataArray(difference, coords=by_line_snapshot, dims=hourly),
        "line_congestion_hours": xr.DataArray((congested * weight).sum(axis=1), coords=by_line, dims="line"),
        "line_max_loading": xr.DataArray(np.array([np.nanmax(row) if np.isfinite(row).any() else np.nan for row in loading]),
                                         coords=by_line, dims="line"),
        "line_mean_loading": xr.DataArray(mean_loading, coords=by_line, dims="line"),
        "line_mean_price_difference_per_mwh": xr.DataArray((difference * weight).sum(axis=1) / total_weight, coords=by_line, dims="line"),
        "line_congestion_rent_per_year": xr.DataArray(rent, coords=by_line, dims="line"),
    }
