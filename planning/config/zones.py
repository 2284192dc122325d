"""``zones:`` the nodes of the transport model, each with its demand."""

from __future__ import annotations

from pydantic import Field

from planning.config.base import Section, TimeSeriesRef


class Zone(Section):
    """A zone (bidding zone, balancing area, or a documented part of one)."""

    description: str = Field("", description="Free text.")
    demand: TimeSeriesRef = Field(description="Hourly electricity demand (MW) served in the zone, excluding data centers modelled explicitly.")
