"""``reserves:`` spinning (upward operating) reserve and a planning reserve margin.

Both cover every MW of load: the zones' demand and the facility power of each data center, hour by
hour. A data center's contracted curtailable MW (``datacenters.<name>.curtailable_mw`` with its
``curtailable_credit``) counts toward the margin only when both are set.

See :mod:`planning.optimization.blocks.reserves` for the equations.
"""

from __future__ import annotations

from pydantic import Field

from planning.config.base import Fraction, NonNegative, Section


class SpinningReserve(Section):
    """Upward reserve each zone must hold in every snapshot (MW).

    requirement[z,t] = fixed_mw + load_fraction × load[z,t] + (largest online unit in z if
    ``largest_unit``), with load = demand + the facility power of the zone's data centers. It is met by the headroom of committed thermal units (of every thermal
    plant when it is not committed) and by storage headroom (power and energy).
    """

    load_fraction: Fraction = Field(
        0.0, description="Share of the zone's load (demand + data centers' facility power, hour by hour) held as reserve (fraction of MW)."
    )
    fixed_mw: NonNegative = Field(0.0, description="Fixed reserve held in every zone and snapshot (MW).")
    largest_unit: bool = Field(
        False,
        description="Add the size of the largest online unit of the zone (N-1 contingency, MW). Needs an on/off binary per "
        "committed plant and snapshot in integer mode.",
    )
    zones: list[str] | None = Field(None, description="Zones that hold reserve. Null = every zone.")
    storage_duration_hours: float = Field(
        1.0, gt=0, description="Hours a storage unit must be able to sustain the reserve it offers (h): r·h ≤ stored energy × discharge efficiency."
    )
    shortfall_penalty_per_mwh: NonNegative | None = Field(
        None, description="Penalty on reserve not held (currency/MWh of missing reserve). Null = the requirement is hard."
    )


class Reserves(Section):
    """Operating and planning reserves. Everything is off by default."""

    spinning: SpinningReserve | None = Field(None, description="Spinning reserve requirement per zone. Null = none.")
    planning_reserve_margin: NonNegative | None = Field(
        None,
        description="System-wide, in every snapshot: firm capacity ≥ (1 + margin) × total load, where load is demand plus the "
        "facility power of every data center in that hour (fraction, e.g. 0.15). Null = none.",
    )
    capacity_credit: dict[str, Fraction] = Field(
        default_factory=dict,
        description="Firm share of each technology's power capacity (fraction), by technology name. Unlisted: thermal = its "
        "availability, storage = 1, variable = 0. Storage is further limited by its energy (storage_credit_duration_hours).",
    )
    storage_credit_duration_hours: float = Field(
        4.0,
        gt=0,
        description="Hours a storage plant must sustain the firm power it is credited with (h): firm ≤ credit × power and "
        "firm ≤ discharge efficiency × energy (MWh) / these hours.",
    )
