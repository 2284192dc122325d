"""``fuels:`` fuel prices and CO2 content."""

from __future__ import annotations

from pydantic import Field

from planning.config.base import NonNegative, Section


class Fuel(Section):
    """A fuel burnt by thermal technologies."""

    price_per_mmbtu: NonNegative = Field(description="Delivered fuel price (currency/MMBtu).")
    co2_t_per_mmbtu: NonNegative = Field(0.0, description="Combustion CO2 content (t CO2/MMBtu), e.g. natural gas 0.05307.")
    source: str = Field("", description="Where the numbers come from.")
