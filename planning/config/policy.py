"""``policy:`` carbon pricing and an emissions cap."""

from __future__ import annotations

from pydantic import Field

from planning.config.base import NonNegative, Section


class Policy(Section):
    """CO2 price in the objective and/or a cap on annual (weighted) CO2 emissions."""

    co2_price_per_t: NonNegative = Field(0.0, description="Price on CO2 emissions (currency/t CO2).")
    co2_cap_t: NonNegative | None = Field(
        None, description="Cap on CO2 emissions over the weighted horizon, i.e. per year when horizon.scale_to_year (t CO2). Null = no cap."
    )
