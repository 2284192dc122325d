"""The state shared by the blocks while one model is built.

Blocks (one file per constraint family in :mod:`planning.optimization.blocks`) add their
variables and constraints to ``model`` and register their contributions here, following
Switch's pattern:

* ``injections[(zone, t)]`` — terms (MW) that supply zone ``zone`` in snapshot ``t``
  (generation, storage discharge − charge, net imports, unserved energy);
* ``withdrawals[(zone, t)]`` — terms (MW) of demand beyond the zone's fixed demand
  (data centers);
* ``costs[category]`` — terms (currency/year) of the objective, by category (investment,
  fixed_om, variable, co2, unserved, ...);
* ``emissions_t`` — terms (t CO2 per weighted horizon, i.e. per year when the horizon is
  scaled to a year).

:func:`planning.optimization.build.build_model` builds the zonal balance and the objective
from these lists last.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr


@dataclass
class ModelContext:
    """Everything a block needs: the model, the inputs, and the shared expression lists."""

    model: pyo.ConcreteModel
    inputs: xr.Dataset
    elastic: bool = False
    injections: dict[tuple[str, int], list] = field(default_factory=lambda: defaultdict(list))
    withdrawals: dict[tuple[str, int], list] = field(default_factory=lambda: defaultdict(list))
    costs: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    emissions_t: list = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.snapshots: list[int] = list(range(self.inputs.sizes["snapshot"]))
        self.zones: list[str] = [str(z) for z in self.inputs["zone"].values]
        self.weight_h: np.ndarray = self.inputs["weight_h"].values.astype(float)
        #: Δt: length of every snapshot (h), ``horizon.resolution_hours``.
        self.duration_h: float = float(self.inputs.attrs.get("snapshot_duration_h", 1))
        #: False when the horizon is not cyclic: the first snapshot starts from initial states.
        self.cyclic: bool = bool(self.inputs.attrs.get("cyclic", 1))

    def occurrences(self) -> np.ndarray:
        """w_t / Δt: how many times each snapshot occurs in the weighted horizon (per year when scaled)
        — the weight of a per-event quantity such as a start-up (w_t is in hours)."""
        return self.weight_h / self.duration_h

    def starts_history(self) -> set[int]:
        """Snapshots whose predecessor is not modelled (non-cyclic horizon: the first snapshot;
        empty when cyclic). State equations there start from the initial state instead of prev(t)."""
        return set() if self.cyclic else {0}

    def hours_to_snapshots(self, hours: float, rounding: str = "ceil") -> int:
        """A duration in hours as a whole number of snapshots (``ceil`` or ``floor``)."""
        ratio = hours / self.duration_h
        return int(math.ceil(ratio - 1e-9) if rounding == "ceil" else math.floor(ratio + 1e-9))

    def plants_of_kind(self, *kinds: str) -> list[str]:
        """Plant names whose technology kind is one of ``kinds``."""
        kind = self.inputs["plant_kind"].values
        return [str(p) for p, k in zip(self.inputs["plant"].values, kind) if k in kinds]

    def plant_value(self, name: str) -> dict[str, Any]:
        """A per-plant input as a dict plant → value (Python scalars)."""
        data = self.inputs[name]
        return {str(p): v.item() if hasattr(v, "item") else v for p, v in zip(data["plant"].values, data.values)}

    def previous_in_period(self) -> list[int]:
        """For each snapshot, the snapshot before it in its storage cycle (cyclic).

        Storage cycles are ``inputs['period']``: the whole horizon, each day or week
        (``horizon.storage_cycle``), or each representative period. Only storage is cyclic
        within them; commitment and data-center backlogs use :meth:`previous_in_operation`.
        """
        return _previous_in_cycles(self.inputs["period"].values)

    def operating_cycles(self) -> np.ndarray:
        """Cycle index per snapshot for state that carries in operating time (unit commitment,
        data-center backlog): one cycle over the whole horizon in a chronological run (the first
        hour follows the last), each representative period with representative periods."""
        if "representative_of_period" in self.inputs:
            return np.asarray(self.inputs["period"].values)
        return np.zeros(len(self.snapshots), dtype=int)

    def previous_in_operation(self) -> list[int]:
        """For each snapshot, the snapshot before it in operating time: t − 1 in a chronological
        run, whatever ``horizon.storage_cycle`` is (23:00 is followed by 00:00 of the next day),
        with the first snapshot following the last (cyclic over the horizon); within its period
        (cyclic) with representative periods."""
        return _previous_in_cycles(self.operating_cycles())


def _previous_in_cycles(cycle: np.ndarray) -> list[int]:
    """The snapshot before each one within its run of equal cycle indices; the first of a run
    follows the run's last."""
    previous = []
    n = len(cycle)
    for t in range(n):
        if t == 0 or cycle[t - 1] != cycle[t]:
            last = t
            while last + 1 < n and cycle[last + 1] == cycle[t]:
                last += 1
            previous.append(last)
        else:
            previous.append(t - 1)
    return previous
