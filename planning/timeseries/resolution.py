"""Snapshots longer than an hour: hourly inputs averaged over runs of Δt hours.

Called by :func:`planning.io.inputs.load_inputs` when ``horizon.resolution_hours`` = Δt > 1,
after stress events are applied (they are hourly) and before representative periods are chosen
(which then cluster Δt-hour snapshots). Snapshot k covers the hours kΔt … kΔt + Δt − 1 of the
horizon and is labelled with the first of them (hour-beginning, UTC).

Every variable over ``snapshot`` becomes, per snapshot k (h ∈ hours of k):

* ``weight_h[k] = Σ_h weight_h[h]`` (h): the hours it stands for, so Σ weight_h is unchanged and
  every weighted sum (costs, energy, CO2) keeps its meaning;
* ``period[k] = period[first hour of k]`` (storage cycles are multiples of Δt, checked by the config);
* ``stress_active[k] = max_h stress_active[h]``: a snapshot touched by an event is in the event;
* any other (powers in MW, capacity factors, availabilities, PUE, work arriving in MW of
  throughput): the mean over its hours — so a snapshot's energy, power × Δt, is the hours' energy.

Blocks read Δt from ``attrs['snapshot_duration_h']`` (:attr:`planning.optimization.context.ModelContext.duration_h`):
a state carried from snapshot to snapshot (storage energy, data-center backlog) changes by power × Δt;
limits stated per hour (ramps) allow Δt times as much between snapshots; durations in hours (minimum
up/down times, the data-center delay) count ⌈duration / Δt⌉ or ⌊duration / Δt⌋ snapshots, as each
block documents.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

#: Reductions other than the mean, per variable.
_SUM = ("weight_h",)
_FIRST = ("period",)
_MAX = ("stress_active",)


def coarsen_inputs(dataset: xr.Dataset, duration_h: int) -> xr.Dataset:
    """``dataset`` with snapshots of ``duration_h`` hours (see the module docstring)."""
    if duration_h == 1:
        return dataset.assign_attrs(snapshot_duration_h=1)
    n_hours = dataset.sizes["snapshot"]
    if n_hours % duration_h:
        raise ValueError(f"{n_hours} hours are not a whole number of {duration_h}-hour snapshots")
    starts = np.arange(0, n_hours, duration_h)
    out = {}
    for name, variable in dataset.data_vars.items():
        if "snapshot" not in variable.dims:
            out[name] = variable
            continue
        axis = variable.dims.index("snapshot")
        values = np.asarray(variable.values)
        shape = values.shape[:axis] + (len(starts), duration_h) + values.shape[axis + 1:]
        blocks = values.reshape(shape)
        if name in _SUM:
            reduced = blocks.sum(axis=axis + 1)
        elif name in _FIRST:
            reduced = blocks.take(0, axis=axis + 1)
        elif name in _MAX:
            reduced = blocks.max(axis=axis + 1)
        else:
            reduced = blocks.mean(axis=axis + 1)
        out[name] = (variable.dims, reduced.astype(values.dtype) if name in _FIRST + _MAX else reduced, variable.attrs)
    coords = {name: coord for name, coord in dataset.coords.items() if "snapshot" not in coord.dims}
    coords["snapshot"] = dataset["snapshot"].values[starts]
    coarse = xr.Dataset(out, coords=coords, attrs=dict(dataset.attrs))
    coarse["snapshot"].attrs.update(dataset["snapshot"].attrs)
    coarse.attrs["snapshot_duration_h"] = int(duration_h)
    return coarse
