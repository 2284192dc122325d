"""``pathway:`` multi-period investment planning (e.g. 2030, 2035, 2040), perfect foresight or myopic.

Each investment period is the scenario's horizon (the same modelled hours) in a given year, with the
operating data that change over time overridden per period — the same overrides as a future's
(:mod:`planning.config.futures`: fuel prices, CO2 price and cap, demand series or scale, capacity-factor
series, data-center size, arrival and flexibility) plus technology costs (capex and O&M fall over time).
The periods' years of weight and the discounting between them, build years and lifetimes, existing
plants' retirement years and the optional CO2 budget over the pathway are in
:mod:`planning.workflows.pathway`, with the equations.

.. code-block:: yaml

    pathway:
      mode: perfect_foresight            # or myopic
      periods:
        2030: {years: 5}
        2035: {years: 5, zones: {isone: {demand_scale: 1.1}}, technologies: {utility_pv: {capex_per_mw: 800000}}}
        2040: {years: 5, zones: {isone: {demand_scale: 1.2}}, datacenters: {campus: {it_capacity_mw: 2000}}}
      co2_budget_t: 150000000            # over the whole pathway (t CO2), optional
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planning.config.base import NonNegative, Section
from planning.config.futures import OperatingOverrides
from planning.errors import did_you_mean


class TechnologyPeriod(Section):
    """A technology's costs in one investment period (keys left out keep the scenario's value)."""

    capex_per_mw: NonNegative | None = Field(None, description="Overnight cost of power capacity built in this period (currency/MW).")
    capex_per_mwh: NonNegative | None = Field(None, description="Storage only: overnight cost of energy capacity built in this period (currency/MWh).")
    fixed_om_per_mw_year: NonNegative | None = Field(None, description="Fixed O&M in this period (currency/MW/year).")
    variable_om_per_mwh: NonNegative | None = Field(None, description="Variable O&M in this period (currency/MWh).")


class PathwayPeriod(OperatingOverrides):
    """One investment period: how many years it stands for and the data that differ in it (a future's operating
    overrides — demand, fuels, CO2, profiles, data centers as a growth path — plus technology costs)."""

    years: int = Field(ge=1, description="Years the period stands for (years): its operating year is repeated this many times, "
                       "discounted year by year.")
    technologies: dict[str, TechnologyPeriod] = Field(default_factory=dict, description="Technology costs in this period, by technology name.")


class Pathway(Section):
    """Investment periods in calendar order; see :mod:`planning.workflows.pathway` for the problem."""

    mode: Literal["perfect_foresight", "myopic"] = Field(
        "perfect_foresight",
        description="perfect_foresight = one problem over every period; myopic = period by period, each seeing only its own "
        "data, with the capacities built so far handed forward.")
    periods: dict[int, PathwayPeriod] = Field(min_length=1, description="Investment periods by their first year (e.g. 2030).")
    co2_budget_t: NonNegative | None = Field(
        None, description="Cap on the CO2 emitted over the whole pathway (t CO2): Σ_periods years × annual emissions. Null = none. "
        "Perfect foresight only.")

    @model_validator(mode="after")
    def _ordered(self) -> "Pathway":
        years = list(self.periods)
        if years != sorted(years):
            raise ValueError(f"periods must be in calendar order (got {', '.join(map(str, years))})")
        for first, second in zip(years, years[1:]):
            if first + self.periods[first].years > second:
                raise ValueError(f"periods.{first}: {self.periods[first].years} years overlap period {second}; "
                                 f"at most {second - first}")
        if self.co2_budget_t is not None and self.mode == "myopic":
            raise ValueError("co2_budget_t needs mode: perfect_foresight (a myopic pathway cannot see the budget's later years)")
        return self


def pathway_problems(data: dict) -> list[str]:
    """Overrides of names the scenario does not define; pathway together with futures (each message starts with its key)."""
    pathway = data.get("pathway")
    if not isinstance(pathway, dict):
        return []
    mapping = lambda value: value if isinstance(value, dict) else {}  # noqa: E731
    problems: list[str] = []
    if data.get("futures"):
        problems.append("pathway: a scenario with pathway: cannot also have futures: (one or the other, for now)")
    sections = {"fuels": "fuel", "zones": "zone", "plants": "plant", "datacenters": "data center", "technologies": "technology"}
    for year, period in mapping(pathway.get("periods")).items():
        for section, kind in sections.items():
            known = mapping(data.get(section))
            for key in mapping(mapping(period).get(section)):
                if key not in known:
                    problems.append(f"pathway.periods.{year}.{section}.{key}: unknown {kind} '{key}'{did_you_mean(str(key), known)} "
                                    f"(defined: {', '.join(sorted(map(str, known))) or 'none'})")
    if data.get("datacenter_sites"):
        problems.append("pathway: datacenter_sites (siting) is not available with pathway: yet (sites would be re-chosen each period); "
                        "plan the siting for one year with planning run")
    if mapping(data.get("unit_commitment")).get("strategy") == "decomposed":
        problems.append("unit_commitment.strategy: 'decomposed' is not available with pathway: (the periods are solved together); "
                        "use 'monolithic'")
    return problems
