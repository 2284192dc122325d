"""``power_flow:`` how Kirchhoff's voltage law is written for the corridors with ``model: dc_power_flow``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planning.config.base import Section


class PowerFlow(Section):
    """The formulation of the linearised DC power flow, and the per-unit base of the reactances.

    Both formulations give the same feasible flows, hence the same optimum (tested to 1e-9); ``cycles``
    writes one sparse row per independent loop and hour, ``ptdf`` one dense row per line outside a
    spanning tree and hour. Equations: :mod:`planning.optimization.blocks.power_flow`.
    """

    formulation: Literal["cycles", "ptdf"] = Field(
        "cycles",
        description="cycles: Kirchhoff's voltage law around each loop of a cycle basis (sparse rows); ptdf: line flows equal the "
        "power transfer distribution factors times the zones' net injections into the AC network (dense rows). Same optimum.",
    )
    base_mva: float = Field(100.0, gt=0, description="System base power (MVA) of reactance_pu; converts reactance_ohm to per unit.")
