"""Adequacy metrics per zone (adequacy.csv) and the hourly reserve headroom the stability signal uses.

Notation: zone z, snapshot t, weight w_t (h); available capacity of generator g a_{g,t}·K_g (MW);
output p_{g,t}; storage s with power K_s, charge c, discharge d, state of charge e, discharge
efficiency η; unserved u_{z,t}; load L_{z,t} = demand + data-center facility power (MW).

Headroom (MW) — the upward capability not in use
------------------------------------------------
H_{z,t} = Σ_{g∈z} (a_{g,t}·K_g − p_{g,t}) + Σ_{s∈z} min(K_s − d_{s,t} + c_{s,t}, η_s·e_{s,t}/1 h)

(thermal plants count their whole available capacity, committed or not: "operable" headroom;
curtailed wind and solar count; imports do not). Net reserve margin m_{z,t} = (H_{z,t} − u_{z,t})/L_{z,t}
(negative when load is shed).

An hour has **loss of load** when u_{z,t} > :data:`LOSS_OF_LOAD_MW` (1e-3 MW = 1 kW: above solver
noise, below anything a planner would accept); a run **sheds load** when any hour does.

Event and annualised figures
----------------------------
A stress event is one-off: weighting its hours by w_t (8760/336 = 26.07 h on the two-week main
example) would report it as if it recurred 26 times a year. So the event is reported *as an event*,
unweighted, over the hours E of the scenario's ``stress.events`` windows (their union, each hour once,
``stress_active`` in the inputs; none with representative periods, whose hours are not the event's),
next to the weighted (annualised when the horizon is scaled to a year) figures of the whole horizon:

* event_hours = |E| (h);  event_unserved_energy_mwh = Σ_{t∈E} u_{z,t}·1 h;  event_loss_of_load_hours = Σ_{t∈E} [u_{z,t} > LOSS_OF_LOAD_MW]
* modelled_hours = number of snapshots (h);  represented_hours = Σ_t w_t (h; 8760 = a year)

:func:`event_table` gives the same unweighted figures for each event on its own (stress_events.csv).

adequacy.csv, per zone
----------------------
* event_hours, event_unserved_energy_mwh, event_loss_of_load_hours (unweighted, see above; 0 without events)
* unserved_energy_mwh = Σ_t w_t·u_{z,t};  loss_of_load_hours = Σ_t w_t·[u_{z,t} > LOSS_OF_LOAD_MW]
  (weighted: per year when the horizon is scaled to a year)
* min_reserve_margin = min_t m_{z,t}
* reserve_shortfall_mwh = Σ_t w_t·max(0, R_{z,t} − H_{z,t}) with R the spinning-reserve requirement
  when ``reserves.spinning`` is set, else ``stress.reserve_threshold_fraction``·L_{z,t}
* curtailment_mwh = Σ_t w_t·(VRE curtailment in z)
* datacenter_curtailed_mwh = Σ_t w_t·PUE_{d,t}·max(0, P^as-arrived_{d,t} − P^IT_{d,t}) over data
  centers d in z: the facility energy the data centers shed below their as-arrived schedule
  (deferred or slowed work; the response to the signal).
* modelled_hours, represented_hours (see above): the basis of the weighted columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

ADEQUACY_COLUMNS = ["zone", "event_hours", "event_unserved_energy_mwh", "event_loss_of_load_hours", "unserved_energy_mwh", "loss_of_load_hours",
                    "min_reserve_margin", "reserve_shortfall_mwh", "curtailment_mwh", "datacenter_curtailed_mwh", "modelled_hours",
                    "represented_hours"]

#: Unserved power above which an hour counts as loss of load, and a run as shedding load (MW).
LOSS_OF_LOAD_MW = 1e-3


def _zone_sum(values: np.ndarray, plant_zone: np.ndarray, zones: list[str]) -> np.ndarray:
    out = np.zeros((len(zones), values.shape[1]))
    for i, zone in enumerate(plant_zone):
        out[zones.index(str(zone))] += values[i]
    return out


def load_mw(results: xr.Dataset) -> np.ndarray:
    """Demand + data-center facility power per zone and snapshot (MW)."""
    return results["demand_mw"].transpose("zone", "snapshot").values + results["datacenter_mw"].transpose("zone", "snapshot").values


def headroom_mw(results: xr.Dataset, inputs: xr.Dataset) -> np.ndarray:
    """H_{z,t}: available capacity not in use, per zone (rows in ``results.zone`` order) and snapshot (MW)."""
    zones = [str(z) for z in results["zone"].values]
    n_hours = results.sizes["snapshot"]
    out = np.zeros((len(zones), n_hours))
    kind = {str(p): str(k) for p, k in zip(inputs["plant"].values, inputs["plant_kind"].values)}
    plants = [str(p) for p in results["plant"].values] if "plant" in results.dims else []
    generators = [p for p in plants if kind.get(p) in ("thermal", "variable")]
    if generators and "generation_mw" in results:
        available = inputs["availability_per_unit"].sel(plant=generators).values * results["total_mw"].sel(plant=generators).values[:, None]
        spare = np.maximum(available - np.nan_to_num(results["generation_mw"].sel(plant=generators).values), 0.0)
        out += _zone_sum(spare, inputs["plant_zone"].sel(plant=generators).values, zones)
    stores = [p for p in plants if kind.get(p) == "storage"]
    if stores and "discharge_mw" in results:
        pick = lambda name: np.nan_to_num(results[name].sel(plant=stores).values)  # noqa: E731
        power = results["total_mw"].sel(plant=stores).values[:, None] - pick("discharge_mw") + pick("charge_mw")
        energy = inputs["discharge_efficiency"].sel(plant=stores).values[:, None] * pick("soc_mwh")
        out += _zone_sum(np.maximum(np.minimum(power, energy), 0.0), inputs["plant_zone"].sel(plant=stores).values, zones)
    return out


def net_margin(results: xr.Dataset, inputs: xr.Dataset) -> np.ndarray:
    """m_{z,t} = (H − u)/L per zone and snapshot (fraction of load; +inf where there is no load)."""
    load = load_mw(results)
    unserved = results["unserved_mw"].transpose("zone", "snapshot").values
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = (headroom_mw(results, inputs) - unserved) / load
    return np.where(load > 1e-9, margin, np.inf)


def datacenter_curtailed_mw(results: xr.Dataset, inputs: xr.Dataset) -> np.ndarray:
    """Per zone and snapshot: Σ_d PUE·max(0, as-arrived IT − scheduled IT) (MW)."""
    zones = [str(z) for z in results["zone"].values]
    out = np.zeros((len(zones), results.sizes["snapshot"]))
    if "datacenter_it_power_mw" not in results:
        return out
    shed = np.maximum(results["datacenter_as_arrived_it_mw"].values - results["datacenter_it_power_mw"].values, 0.0)
    shed = shed * inputs["dc_pue"].values
    return out + _zone_sum(shed, results["datacenter_zone"].values, zones)


def event_hours_mask(source: xr.Dataset) -> np.ndarray:
    """True in the snapshots of any stress-event window (``stress_active`` of the inputs or results; all False without events).

    With representative periods the snapshots are not chronological hours of the event, so the mask is all False.
    """
    n_hours = source.sizes["snapshot"]
    if "stress_active" not in source or "representative_of_period" in source:
        return np.zeros(n_hours, dtype=bool)
    return np.asarray(source["stress_active"].values, dtype=float) > 0.5


def shedding_figures(unserved_mw: np.ndarray, weight_h: np.ndarray, event: np.ndarray, duration_h: float = 1.0) -> dict[str, float]:
    """Loss-of-load figures of one unserved series u_t (MW) or a (zone, snapshot) array summed over zones.

    Returns event_hours, event_unserved_energy_mwh, event_loss_of_load_hours (unweighted, in the event hours),
    modelled_unserved_energy_mwh and modelled_loss_of_load_hours (unweighted, every modelled hour),
    unserved_energy_mwh and loss_of_load_hours (weighted), modelled_hours and represented_hours
    (definitions in the module docstring), and load_shed (1 when any hour has loss of load). For several zones an hour
    counts once if any zone sheds. ``duration_h`` = Δt, the length of a snapshot: unweighted figures count its
    Δt hours (a snapshot with loss of load is Δt loss-of-load hours).
    """
    unserved = np.atleast_2d(np.nan_to_num(np.asarray(unserved_mw, dtype=float)))
    weight = np.asarray(weight_h, dtype=float)
    shed = (unserved > LOSS_OF_LOAD_MW).any(axis=0)
    hourly = unserved.sum(axis=0)
    return {
        "event_hours": float(event.sum()) * duration_h,
        "event_unserved_energy_mwh": float(hourly[event].sum()) * duration_h,
        "event_loss_of_load_hours": float((shed & event).sum()) * duration_h,
        "modelled_unserved_energy_mwh": float(hourly.sum()) * duration_h,
        "modelled_loss_of_load_hours": float(shed.sum()) * duration_h,
        "unserved_energy_mwh": float((weight * hourly).sum()),
        "loss_of_load_hours": float(weight[shed].sum()),
        "modelled_hours": float(weight.size) * duration_h,
        "represented_hours": float(weight.sum()),
        "load_shed": int(shed.any()),
    }


def event_table(results: xr.Dataset, windows: list[tuple[str, int, int]]) -> pd.DataFrame:
    """One row per stress event (stress_events.csv): event, first_snapshot, hours, unserved_energy_mwh, loss_of_load_hours.

    ``windows`` is (name, start_hour, duration_hours) per event, hours counted from the first modelled hour and clipped to
    the horizon. The figures are the event's own, unweighted: Σ_{t∈event} Σ_z u_{z,t}·1 h and the number of its hours with
    loss of load in some zone (events that overlap share hours).
    """
    unserved = np.nan_to_num(results["unserved_mw"].transpose("zone", "snapshot").values)
    snapshots = pd.DatetimeIndex(results["snapshot"].values)
    dt = float(results.attrs.get("snapshot_duration_h", 1))
    rows = []
    for name, start_hour, duration in windows:
        # Snapshots of Δt hours that the event's hours touch.
        start, stop = int(start_hour // dt), min(len(snapshots), int(-(-(start_hour + duration) // dt)))
        hourly = unserved[:, start:stop]
        rows.append({"event": name, "first_snapshot": snapshots[start].strftime("%Y-%m-%dT%H:%M") if start < len(snapshots) else "",
                     "hours": float(hourly.shape[1]) * dt, "unserved_energy_mwh": float(hourly.sum()) * dt,
                     "loss_of_load_hours": float((hourly > LOSS_OF_LOAD_MW).any(axis=0).sum()) * dt})
    return pd.DataFrame(rows, columns=["event", "first_snapshot", "hours", "unserved_energy_mwh", "loss_of_load_hours"])


def adequacy_table(results: xr.Dataset, inputs: xr.Dataset, threshold_fraction: float = 0.10) -> pd.DataFrame:
    """adequacy.csv rows, one per zone (columns :data:`ADEQUACY_COLUMNS`)."""
    zones = [str(z) for z in results["zone"].values]
    weight = results["weight_h"].values.astype(float)
    unserved = results["unserved_mw"].transpose("zone", "snapshot").values
    headroom = headroom_mw(results, inputs)
    load = load_mw(results)
    if "reserve_requirement_mw" in results:
        requirement = results["reserve_requirement_mw"].transpose("zone", "snapshot").values
    else:
        requirement = threshold_fraction * load
    margin = net_margin(results, inputs)
    curtailment = np.zeros_like(load)
    if "curtailment_mw" in results and results["curtailment_mw"].sizes.get("plant", 0):
        plants = [str(p) for p in results["curtailment_mw"]["plant"].values]
        curtailment = _zone_sum(np.nan_to_num(results["curtailment_mw"].values), inputs["plant_zone"].sel(plant=plants).values, zones)
    shed = datacenter_curtailed_mw(results, inputs)
    event = event_hours_mask(inputs)
    rows = []
    for i, zone in enumerate(zones):
        figures = shedding_figures(unserved[i], weight, event, float(inputs.attrs.get("snapshot_duration_h", 1)))
        rows.append({
            "zone": zone,
            **{key: figures[key] for key in ("event_hours", "event_unserved_energy_mwh", "event_loss_of_load_hours", "unserved_energy_mwh",
                                             "loss_of_load_hours", "modelled_hours", "represented_hours")},
            "min_reserve_margin": float(np.min(margin[i])) if margin.shape[1] else float("nan"),
            "reserve_shortfall_mwh": float((weight * np.maximum(requirement[i] - headroom[i], 0.0)).sum()),
            "curtailment_mwh": float((weight * curtailment[i]).sum()),
            "datacenter_curtailed_mwh": float((weight * shed[i]).sum()),
        })
    return pd.DataFrame(rows, columns=ADEQUACY_COLUMNS)
