"""``transmission:`` corridors between zones (transport model)."""

from __future__ import annotations

from pydantic import Field, model_validator

from planning.config.base import Fraction, NonNegative, Section


class Corridor(Section):
    """A bidirectional corridor with a transfer limit in each direction.

    |flow| ≤ existing_mw + new_mw; a share ``loss_fraction`` of what is sent is lost on the way.
    """

    from_zone: str = Field(description="Name of an entry in zones:.")
    to_zone: str = Field(description="Name of an entry in zones:.")
    existing_mw: NonNegative = Field(0.0, description="Transfer capability in place, each direction (MW).")
    max_new_mw: NonNegative = Field(0.0, description="Most new transfer capability that may be built (MW).")
    capex_per_mw: NonNegative = Field(0.0, description="Investment cost of new transfer capability (currency/MW).")
    fixed_om_per_mw_year: NonNegative = Field(0.0, description="Fixed O&M on new transfer capability (currency/MW/year).")
    lifetime_years: float = Field(40.0, gt=0, description="Economic lifetime for annualising capex (years).")
    loss_fraction: Fraction = Field(0.0, description="Share of the sent power lost in transit (fraction).")

    @model_validator(mode="after")
    def _distinct(self) -> "Corridor":
        if self.from_zone == self.to_zone:
            raise ValueError("from_zone and to_zone must differ")
        return self
