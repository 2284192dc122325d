"""``stress:`` stress events applied to the inputs, and the signal the data centers follow under stress.

Events (a list; each has a ``kind``, a window ``start_hour`` + ``duration_hours`` counted from the
first modelled hour, and its own settings) transform the inputs Dataset before the model is built
(:func:`planning.io.stress_inputs.apply_stress_events`), so every workflow — ``planning run``,
``loop``, ``stress``, ``headroom`` — sees the stressed system:

* ``outage`` — plants (by name or technology) lose ``fraction`` of their capacity:
  availability × (1 − fraction);
* ``drought`` — variable renewables (by name or technology; default every variable plant) have
  their capacity factor scaled by ``scale``;
* ``heat_wave`` / ``demand_spike`` — demand of the zones × ``demand_scale``; data centers in those
  zones run at PUE × ``pue_scale`` (cooling works harder);
* ``line_outage`` — transmission corridors lose ``fraction`` of their capability.

Overlapping events multiply. The signal mode decides what the data centers follow in the
signal-response loop (:mod:`planning.workflows.stress`): carbon (``emissions_first``), reserve
headroom (``stability_first``), or carbon until the reserve margin falls below
``reserve_threshold_fraction`` (``auto``).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from planning.config.base import Fraction, NonNegative, Section


class _Window(Section):
    start_hour: int = Field(ge=0, description="First hour of the event, counted from the first modelled hour (h, 0-based).")
    duration_hours: int = Field(ge=1, description="Length of the event (h).")


class PlantOutage(_Window):
    """Forced outage of plants: their availability is multiplied by (1 − fraction) in the window."""

    kind: Literal["outage"]
    plants: list[str] = Field(default_factory=list, description="Plant names (entries of plants:).")
    technologies: list[str] = Field(default_factory=list, description="Every plant of these technologies.")
    fraction: Fraction = Field(1.0, description="Share of capacity lost (fraction; 1 = the whole plant).")


class RenewableDrought(_Window):
    """A wind/solar drought: capacity factors of variable plants × scale in the window."""

    kind: Literal["drought"]
    plants: list[str] = Field(default_factory=list, description="Plant names. Empty (with technologies empty) = every variable plant.")
    technologies: list[str] = Field(default_factory=list, description="Every plant of these (variable) technologies.")
    scale: Fraction = Field(0.2, description="Multiplier of the capacity factor (fraction).")


class HeatWave(_Window):
    """A heat wave or demand spike: zone demand × demand_scale and data-center PUE × pue_scale."""

    kind: Literal["heat_wave", "demand_spike"]
    zones: list[str] | None = Field(None, description="Zones affected. Null = every zone.")
    demand_scale: float = Field(1.1, ge=0, description="Multiplier of zone demand (unitless).")
    pue_scale: float = Field(1.0, ge=1, description="Multiplier of the PUE of data centers in those zones (unitless; e.g. 1.08 for a hot spell).")


class LineOutage(_Window):
    """A transmission outage: the corridors' capability × (1 − fraction) in the window."""

    kind: Literal["line_outage"]
    lines: list[str] = Field(min_length=1, description="Corridor names (entries of transmission:).")
    fraction: Fraction = Field(1.0, description="Share of capability lost (fraction).")


StressEvent = Annotated[Union[PlantOutage, RenewableDrought, HeatWave, LineOutage], Field(discriminator="kind")]


class Stress(Section):
    """Stress events and the data centers' signal mode under stress."""

    events: list[StressEvent] = Field(default_factory=list, description="Stress events (outage, drought, heat_wave, demand_spike, line_outage).")
    signal_mode: Literal["emissions_first", "stability_first", "auto"] = Field(
        "auto",
        description="What data centers follow in `planning loop` when there are events (--signal/--stress-mode override it): carbon intensity (emissions_first), reserve headroom "
        "(stability_first), or carbon except in hours whose reserve margin is below reserve_threshold_fraction (auto).",
    )
    emissions_signal: Literal["average", "consumption", "marginal"] = Field(
        "average", description="The carbon intensity followed in emissions-first hours (see carbon.csv)."
    )
    reserve_threshold_fraction: NonNegative = Field(
        0.10, description="auto: an hour is stressed when (headroom − unserved)/load of the data center's zone is below this (fraction of load)."
    )


def stress_reference_problems(data: dict) -> list[str]:
    """Events naming undefined plants, technologies, zones or lines, or windows past the horizon."""
    def mapping(value):
        return value if isinstance(value, dict) else {}

    stress = mapping(data.get("stress"))
    events = stress.get("events") if isinstance(stress.get("events"), list) else []
    known = {"plants": mapping(data.get("plants")), "technologies": mapping(data.get("technologies")),
             "zones": mapping(data.get("zones")), "lines": mapping(data.get("transmission"))}
    horizon = mapping(data.get("horizon"))
    hours = horizon.get("hours", 8760)
    problems = []
    for i, event in enumerate(events):
        event = mapping(event)
        for key, names in known.items():
            listed = event.get(key)
            for name in listed if isinstance(listed, list) else []:
                if name not in names:
                    problems.append(f"stress.events[{i}].{key}: unknown {key[:-1] if key != 'technologies' else 'technology'} "
                                    f"'{name}' (defined: {', '.join(sorted(map(str, names))) or 'none'})")
        start = event.get("start_hour")
        if isinstance(start, int) and isinstance(hours, int) and start >= hours:
            problems.append(f"stress.events[{i}].start_hour: {start} is past the modelled horizon ({hours} h); use 0..{hours - 1}")
    return problems
