"""``plants:`` a technology placed in a zone, with its existing and buildable capacity."""

from __future__ import annotations

from pydantic import Field, model_validator

from planning.config.base import NonNegative, Section, TimeSeriesRef


class Plant(Section):
    """Capacity of one technology in one zone (at most one plant per zone and technology).

    Total capacity = existing_mw − retired_mw + new_mw, with 0 ≤ new_mw ≤ max_new_mw and
    0 ≤ retired_mw ≤ existing_mw if ``can_retire`` (else retired_mw = 0). Retiring saves the
    fixed O&M of the retired MW. Storage energy follows the same rule in MWh.
    """

    zone: str = Field(description="Name of an entry in zones:.")
    technology: str = Field(description="Name of an entry in technologies:.")
    existing_mw: NonNegative = Field(0.0, description="Capacity in place at the start (MW).")
    max_new_mw: NonNegative | None = Field(None, description="Most new capacity that may be built (MW). Null = unlimited; 0 = none.")
    can_retire: bool = Field(False, description="Whether existing capacity may be retired to save its fixed O&M.")
    profile: TimeSeriesRef | None = Field(None, description="Hourly capacity factor (per unit of capacity, 0–1); required for variable technologies.")
    existing_mwh: NonNegative = Field(0.0, description="Storage only: energy capacity in place (MWh).")
    max_new_mwh: NonNegative | None = Field(None, description="Storage only: most new energy capacity (MWh). Null = unlimited.")
    retire_year: int | None = Field(
        None, ge=1900, le=2200,
        description="pathway: only: the existing capacity (MW and MWh) is gone from this year on (an investment period starting "
        "in or after it has none). Null = kept through the pathway.",
    )
    initial_soc_fraction: float = Field(
        0.5, ge=0, le=1,
        description="Storage only, horizon.cyclic: false: state of charge before the first snapshot (fraction of the energy capacity).",
    )
    initial_units_online: NonNegative = Field(
        0.0,
        description="Committed thermal plants only, horizon.cyclic: false: units on before the first snapshot (a count; at most "
        "the existing units).",
    )
    initial_hours_in_state: NonNegative | None = Field(
        None,
        description="Committed thermal plants only, horizon.cyclic: false: hours the initial_units_online have been on (and the "
        "other existing units off) before the first snapshot; units that have not yet met their minimum up (down) time stay on "
        "(off) until they have. Null = long enough (no carried-over minimum up/down time).",
    )

    @model_validator(mode="after")
    def _storage_energy(self) -> "Plant":
        if self.existing_mwh and not self.existing_mw:
            raise ValueError("existing_mwh > 0 needs existing_mw > 0 (energy without power cannot be used)")
        return self
