"""``datacenters:`` AI data centers whose flexible load is learned from telemetry (a surrogate card).

A data center draws IT power ``P_it = P_base + P_flex`` and facility power ``PUE × P_it``. Its
card (``models/*.json``, fitted by ``planning fit``) gives the calendar baseline shape (per unit of
IT rating), the power→throughput curve of its flexible GPU work, and its flexibility envelope
(deferrable share, longest delay, ramps). Fields left empty here take the card's learned values.
See :mod:`planning.optimization.blocks.datacenter` for the equations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from planning.config.base import Fraction, NonNegative, Section, TimeSeriesRef, resolve_path


class DataCenter(Section):
    """One data center (or campus) in one zone."""

    zone: str = Field(description="Name of an entry in zones:.")
    card_file: Path = Field(description="Surrogate card (JSON, from `planning fit`), relative to the YAML file.")
    it_capacity_mw: float = Field(gt=0, description="Rated IT power of the site (MW); card values per unit are multiplied by it.")
    pue: float = Field(1.2, ge=1, le=3, description="Power usage effectiveness: facility power / IT power (unitless).")
    pue_profile: TimeSeriesRef | None = Field(None, description="Hourly PUE (unitless, ≥ 1) instead of the constant pue, e.g. from ambient temperature.")
    baseline: Literal["expected", "firm"] = Field(
        "firm",
        description="Baseline utilisation per hour: the card's expected calendar profile, or its firm floor "
        "(expected + the card's high-quantile residual offset) — conservative for adequacy.",
    )
    flexibility: Literal["learned", "inflexible", "ideal"] = Field(
        "learned",
        description="learned: the card's curve and envelope; inflexible: the flexible work runs as it arrives (a fixed load); "
        "ideal: no throughput loss and up to 24 h delay, no ramp limit (an upper bound on the value of flexibility).",
    )
    formulation: Literal["auto", "cuts", "binary"] = Field(
        "auto", description="Throughput curve encoding: linear cuts (LP, concave curves only), exact incremental binaries (MILP), or cuts when concave else binaries."
    )
    deferrable_share: Fraction | None = Field(None, description="Share of IT load that is deferrable work (fraction). Null = the card's envelope.")
    max_delay_hours: NonNegative | None = Field(None, description="Longest delay of deferrable work (h). Null = the card's envelope.")
    ramp_per_unit_per_hour: NonNegative | None = Field(
        None, description="Largest hour-to-hour change of IT power per unit of IT rating (1/h). Null = the card's larger ramp limit."
    )
    operating_range_per_unit: tuple[Fraction, Fraction] | None = Field(
        None,
        description="[low, high] power of the flexible fleet per unit of its rating (fraction). Null = the range its telemetry "
        "supports: the card's envelope power_min/max_per_unit (widened to the modelled schedule's own utilisation). "
        "Must lie within the throughput curve's fitted range (no extrapolation of the surrogate).",
    )
    schedule_tie_break_per_mwh: NonNegative = Field(
        0.01, description="Tie-break (currency per MWh of IT energy moved off the as-arrived schedule, i.e. per MW of "
        "|flexible − as-arrived| per hour of snapshot weight): where prices are flat many schedules cost the same and the "
        "LP may return one that switches hour by hour; this tiny penalty returns the one that runs work as it arrives "
        "unless moving it saves money, and then moves as little as needed. An LP applies it lexicographically (the costs' "
        "optimum first, then the least move at that cost: solver.tie_break), a MILP as this penalty. Never in a reported cost "
        "(summary.csv: datacenter_tie_break_cost = objective − total_cost); 0 switches it off. Measured effect on the "
        "objective ≤ 1e-6 relative (benchmarks/README.md)."
    )
    curtailable_mw: NonNegative = Field(
        0.0, description="Contracted curtailable facility power (MW): load the operator may interrupt on request, beyond the modelled "
        "schedule. Counts toward reserves.planning_reserve_margin at curtailable_credit; at most the site's facility power."
    )
    curtailable_credit: Fraction = Field(
        0.0, description="Firm share of curtailable_mw counted as a demand-side resource in the planning reserve margin (fraction). "
        "0 = no credit (the default)."
    )

    @field_validator("operating_range_per_unit")
    @classmethod
    def _ordered(cls, value):
        if value is not None and value[0] > value[1]:
            raise ValueError(f"low {value[0]:g} exceeds high {value[1]:g}; give [low, high]")
        return value

    @field_validator("card_file")
    @classmethod
    def _resolve(cls, value: Path, info: ValidationInfo) -> Path:
        return resolve_path(value, info)
