"""``zones:`` the nodes of the transport model, each with its demand."""

from __future__ import annotations

from pydantic import Field, field_validator

from planning.config.base import Section, TimeSeriesRef, parse_time_zone


class Zone(Section):
    """A zone (bidding zone, balancing area, or a documented part of one).

    ``time_zone`` is the zone's local clock. Snapshots stay in UTC; the local clock is used where
    behaviour follows it: a data center's calendar baseline (learned in its telemetry's local time)
    is evaluated at the site's local hour and weekday.
    """

    description: str = Field("", description="Free text.")
    demand: TimeSeriesRef = Field(description="Hourly electricity demand (MW) served in the zone, excluding data centers modelled explicitly.")
    time_zone: str = Field(
        "UTC",
        description="Local time zone of the zone: an IANA name (America/New_York, with daylight saving) or a fixed offset "
        "(UTC-05:00). Default UTC. Used for local-clock behaviour such as a data center's calendar baseline.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        parse_time_zone(value)
        return value
