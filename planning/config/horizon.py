"""``horizon:`` which hours of which year are modelled, and what each hour weighs."""

from __future__ import annotations

import calendar

from pydantic import Field, model_validator

from planning.config.base import Section
from planning.config.representative_periods import RepresentativePeriods


def hours_in_year(year: int) -> int:
    """8784 in a leap year, else 8760."""
    return 8784 if calendar.isleap(year) else 8760


class Horizon(Section):
    """The modelled hours: ``hours`` consecutive hours of ``year`` starting at ``start_hour``.

    Snapshots are ``resolution_hours`` long (default 1 h): snapshot *i* begins at
    ``year-01-01T00:00Z + start_hour + i·resolution_hours`` (UTC) and its inputs are the mean of its
    hours (:mod:`planning.timeseries.resolution`). Hourly time stamps label the hour that *begins* then; time series are aligned to them by their
    time stamps (:mod:`planning.io.timeseries`). ``storage_cycle`` cuts only the storage state of
    charge into days or weeks: unit commitment and data-center backlogs run chronologically through
    the whole horizon (its first hour following its last). With ``scale_to_year`` each hour weighs
    ``hours_in_year / hours`` so that operating costs and emissions are annual, like the annualised
    investment costs they are traded against; without it, each hour weighs 1 (operating cost of the
    modelled hours only).
    """

    year: int = Field(2021, ge=1900, le=2200, description="Calendar year modelled (UTC); time-series files are aligned to its hours by their time stamps, or row by row.")
    start_hour: int = Field(0, ge=0, description="First modelled hour of the year (h; 0 = the hour beginning January 1st, 00:00 UTC).")
    hours: int = Field(168, ge=1, description="Number of consecutive modelled hours (h).")
    scale_to_year: bool = Field(
        True,
        description="Weigh each modelled hour by hours_in_year/hours so operating costs and CO2 are annual (h per snapshot).",
    )
    storage_cycle: str = Field(
        "horizon",
        pattern="^(horizon|day|week)$",
        description="Storage state of charge is cyclic over the whole horizon, or within each day or week (UTC days; must divide "
        "the horizon). Only storage: unit commitment and data-center backlogs carry across those boundaries, cyclic over the horizon.",
    )
    resolution_hours: int = Field(
        1,
        ge=1,
        le=24,
        description="Length of a snapshot (h). Hourly inputs are averaged over each run of resolution_hours hours (weights add up); "
        "storage, ramps, minimum up/down times, start-ups and data-center backlogs scale with it. Must divide hours, the storage "
        "cycle and representative periods' period_hours.",
    )
    cyclic: bool = Field(
        True,
        description="Operating state wraps around: the first snapshot follows the last (storage, commitment, data-center backlog). "
        "False = the horizon starts from the initial states given per plant (initial_soc_fraction, initial_units_online, "
        "initial_hours_in_state) and per data center (initial_backlog_mwh), and its end is free. Needs storage_cycle: horizon and "
        "no representative periods.",
    )
    representative_periods: RepresentativePeriods | None = Field(
        None,
        description="Model the horizon by representative periods (tsam) instead of every hour. Null = chronological. "
        "With it, storage_cycle is ignored: storage is cyclic within each representative period (or linked across them).",
    )

    @model_validator(mode="after")
    def _within_year(self) -> "Horizon":
        total = hours_in_year(self.year)
        if self.start_hour + self.hours > total:
            raise ValueError(
                f"start_hour + hours = {self.start_hour + self.hours} exceeds the {total} hours of {self.year}; "
                f"lower hours to at most {total - self.start_hour}"
            )
        step = self.resolution_hours
        if self.hours % step:
            raise ValueError(f"resolution_hours = {step} must divide hours = {self.hours}; choose hours as a multiple of {step}")
        if not self.cyclic and (self.representative_periods is not None or self.storage_cycle != "horizon"):
            raise ValueError("cyclic: false needs storage_cycle: horizon and no representative_periods (those are cyclic by nature)")
        if self.representative_periods is not None and self.representative_periods.period_hours % step:
            raise ValueError(f"resolution_hours = {step} must divide representative_periods.period_hours = "
                             f"{self.representative_periods.period_hours}")
        if self.representative_periods is not None:
            length = self.representative_periods.period_hours
            if self.hours % length or self.hours // length < self.representative_periods.periods:
                raise ValueError(
                    f"representative_periods: hours = {self.hours} must be a multiple of period_hours = {length} "
                    f"holding at least periods = {self.representative_periods.periods} periods"
                )
            return self
        period = {"horizon": self.hours, "day": 24, "week": 168}[self.storage_cycle]
        if self.hours % period:
            raise ValueError(f"storage_cycle '{self.storage_cycle}' needs hours to be a multiple of {period}; got {self.hours}")
        if period % step:
            raise ValueError(f"resolution_hours = {step} must divide the storage cycle ({self.storage_cycle} = {period} h)")
        return self

    @property
    def snapshot_count(self) -> int:
        """Number of snapshots (hours / resolution_hours)."""
        return self.hours // self.resolution_hours

    @property
    def weight_h(self) -> float:
        """Hours each snapshot stands for."""
        return hours_in_year(self.year) / self.hours if self.scale_to_year else 1.0

    @property
    def period_hours(self) -> int:
        """Length of a storage cycle (h)."""
        return {"horizon": self.hours, "day": 24, "week": 168}[self.storage_cycle]
