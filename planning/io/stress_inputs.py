"""Apply the scenario's ``stress:`` events to the inputs Dataset (before aggregation or build).

Called from :func:`planning.io.inputs.load_inputs`. Each event acts on the hours
``start_hour .. start_hour + duration_hours − 1`` of the modelled horizon (clipped to it):

* outage:          availability_per_unit[p, t] ×= (1 − fraction)      for the named plants/technologies
* drought:         availability_per_unit[p, t] ×= scale               for variable plants (default: all)
* heat_wave / demand_spike: demand_mw[z, t] ×= demand_scale; dc_pue[d, t] ×= pue_scale (d in z)
* line_outage:     line_availability[l, t] ×= (1 − fraction)          (enforced by the line_outage block)

With events, adds ``stress_active(snapshot)`` (1 in any event window) and, with line outages,
``line_availability(line, snapshot)`` (per unit of the corridor's capability).
"""

from __future__ import annotations

import numpy as np
import xarray as xr


def _selected_plants(dataset: xr.Dataset, event, default_kind: str | None = None) -> list[int]:
    plants = [str(p) for p in dataset["plant"].values]
    technology = [str(t) for t in dataset["plant_technology"].values]
    kind = [str(k) for k in dataset["plant_kind"].values]
    if not event.plants and not event.technologies:
        return [i for i, k in enumerate(kind) if default_kind is not None and k == default_kind]
    return [i for i, (p, t) in enumerate(zip(plants, technology)) if p in event.plants or t in event.technologies]


def apply_stress_events(dataset: xr.Dataset, scenario) -> xr.Dataset:
    """Return ``dataset`` with every stress event applied (unchanged if there are none)."""
    events = scenario.stress.events
    n_hours = dataset.sizes["snapshot"]
    active = np.zeros(n_hours, dtype=int)
    if not events:
        return dataset
    dataset = dataset.copy(deep=True)
    availability = dataset["availability_per_unit"].values
    demand = dataset["demand_mw"].values
    zones = [str(z) for z in dataset["zone"].values]
    line_availability = np.ones((dataset.sizes.get("line", 0), n_hours))
    lines = [str(line) for line in dataset["line"].values] if "line" in dataset.dims else []
    for event in events:
        window = slice(event.start_hour, min(n_hours, event.start_hour + event.duration_hours))
        active[window] = 1
        if event.kind == "outage":
            for i in _selected_plants(dataset, event):
                availability[i, window] *= 1.0 - event.fraction
        elif event.kind == "drought":
            for i in _selected_plants(dataset, event, default_kind="variable"):
                availability[i, window] *= event.scale
        elif event.kind in ("heat_wave", "demand_spike"):
            affected = zones if event.zones is None else [z for z in zones if z in event.zones]
            for z in affected:
                demand[zones.index(z), window] *= event.demand_scale
            if "datacenter" in dataset.dims and dataset.sizes["datacenter"]:
                for i, zone in enumerate(dataset["dc_zone"].values):
                    if str(zone) in affected:
                        dataset["dc_pue"].values[i, window] *= event.pue_scale
        elif event.kind == "line_outage":
            for name in event.lines:
                if name in lines:
                    line_availability[lines.index(name), window] *= 1.0 - event.fraction
    dataset["stress_active"] = (("snapshot",), active)
    if (line_availability < 1.0).any():
        dataset["line_availability"] = (("line", "snapshot"), line_availability, {"units": "per unit of capability"})
    dataset.attrs["stress_events"] = len(events)
    return dataset
