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

With ``datacenter_sites:`` (siting) the fleet to place is a growth path: a period may raise the
requirement, a candidate's size limit and change its contracted flexibility. A campus built at a site in
one period stays there (same site, at least the same MW) for the candidate's ``lifetime_years``; later
periods only add to it (:mod:`planning.workflows.pathway`). Each period serves in its own year: a
candidate with ``earliest_year`` after the period's year cannot be built in it.

.. code-block:: yaml

    datacenter_sites: {requirement: {firm_it_mw: 500}, candidates: {ohio: {zone: pjm, max_it_mw: 800}, ...}}
    pathway:
      periods:
        2030: {years: 5}
        2035: {years: 5, datacenter_sites: {requirement: {firm_it_mw: 1500}, candidates: {ohio: {max_it_mw: 1500}}}}
        2040: {years: 5, datacenter_sites: {requirement: {firm_it_mw: 3000}, flexibility_price_per_mw_year: 20000}}
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planning.config.base import Fraction, NonNegative, Section
from planning.config.datacenter_sites import ComputeRequirement
from planning.config.futures import OVERRIDDEN_SECTIONS, OperatingOverrides, unknown_override_problems
from planning.errors import unknown_name


class TechnologyPeriod(Section):
    """A technology's costs in one investment period (keys left out keep the scenario's value)."""

    capex_per_mw: NonNegative | None = Field(None, description="Overnight cost of power capacity built in this period (currency/MW).")
    capex_per_mwh: NonNegative | None = Field(None, description="Storage only: overnight cost of energy capacity built in this period (currency/MWh).")
    fixed_om_per_mw_year: NonNegative | None = Field(None, description="Fixed O&M in this period (currency/MW/year).")
    variable_om_per_mwh: NonNegative | None = Field(None, description="Variable O&M in this period (currency/MWh).")


class SiteCandidatePeriod(Section):
    """A candidate site in one investment period (keys left out keep the scenario's value)."""

    max_it_mw: float | None = Field(
        None, gt=0, description="Most IT power the site can hold in this period (MW of IT rating): the campus alive then, old "
        "vintages and new. Not less than in the period before (a campus does not shrink while alive).")
    min_it_mw: NonNegative | None = Field(None, description="Least IT power at the site in this period (MW; e.g. a committed expansion).")
    max_flexible_share: Fraction | None = Field(
        None, description="Most deferrable capacity contracted in this period, per MW of IT (fraction, at most the card's share).")


class DataCenterSitesPeriod(Section):
    """The data-center growth path in one investment period (keys left out keep the scenario's ``datacenter_sites:``)."""

    requirement: ComputeRequirement | None = Field(
        None, description="Compute the fleet must serve in this period (firm IT MW or IT-MWh per year; replaces the scenario's).")
    flexibility_price_per_mw_year: NonNegative | None = Field(
        None, description="Price of contracting one MW of IT as deferrable in this period (currency/MW-year); contracts are per period.")
    candidates: dict[str, SiteCandidatePeriod] = Field(default_factory=dict, description="Size limits and flexibility by candidate site name.")


class PathwayPeriod(OperatingOverrides):
    """One investment period: how many years it stands for and the data that differ in it (a future's operating
    overrides — demand, fuels, CO2, profiles, data centers as a growth path — plus technology costs and the sited fleet)."""

    years: int = Field(ge=1, description="Years the period stands for (years): its operating year is repeated this many times, "
                       "discounted year by year.")
    technologies: dict[str, TechnologyPeriod] = Field(default_factory=dict, description="Technology costs in this period, by technology name.")
    datacenter_sites: DataCenterSitesPeriod | None = Field(
        None, description="The siting growth path in this period: requirement, candidates' size limits, flexibility. Null = the "
        "scenario's datacenter_sites:.")


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
    """Overrides of names the scenario does not define, a siting growth path that shrinks a site, pathway together with
    futures (each message starts with its key)."""
    pathway = data.get("pathway")
    if not isinstance(pathway, dict):
        return []
    mapping = lambda value: value if isinstance(value, dict) else {}  # noqa: E731
    problems: list[str] = []
    if data.get("futures"):
        problems.append("pathway: a scenario with pathway: cannot also have futures: (one or the other, for now)")
    periods = mapping(pathway.get("periods"))
    for year, period in periods.items():
        problems += unknown_override_problems(data, f"pathway.periods.{year}", mapping(period),
                                              {**OVERRIDDEN_SECTIONS, "technologies": "technology"})
    problems += _site_path_problems(mapping(data.get("datacenter_sites")), periods)
    if mapping(data.get("unit_commitment")).get("strategy") == "decomposed":
        problems.append("unit_commitment.strategy: 'decomposed' is not available with pathway: (the periods are solved together); "
                        "use 'monolithic'")
    return problems


def _site_path_problems(sites: dict, periods: dict) -> list[str]:
    """The siting growth path against ``datacenter_sites:``: it exists, names its candidates, never lowers a site's max_it_mw."""
    mapping = lambda value: value if isinstance(value, dict) else {}  # noqa: E731
    problems: list[str] = []
    if sites and sites.get("in_service_year") is not None:
        problems.append("datacenter_sites.in_service_year: with pathway: each period serves in its own year (a candidate's "
                        "earliest_year is compared with the period's year); remove in_service_year")
    candidates = mapping(sites.get("candidates"))
    largest = {name: mapping(site).get("max_it_mw") for name, site in candidates.items()}
    before: dict[str, tuple] = {}
    for year, period in periods.items():
        path = mapping(mapping(period).get("datacenter_sites"))
        if mapping(period).get("datacenter_sites") is not None and not sites:
            problems.append(f"pathway.periods.{year}.datacenter_sites: the scenario has no datacenter_sites: (candidate sites) to grow; "
                            "add it or remove this key")
            continue
        for name, site in mapping(path.get("candidates")).items():
            if name not in candidates:
                problems.append(unknown_name(f"pathway.periods.{year}.datacenter_sites.candidates.{name}", "site", name, candidates))
            elif isinstance(mapping(site).get("max_it_mw"), (int, float)):
                largest[name] = mapping(site)["max_it_mw"]
        for name, value in largest.items():
            if not isinstance(value, (int, float)):
                continue
            if name in before and value < before[name][1] - 1e-9:
                problems.append(f"pathway.periods.{year}.datacenter_sites.candidates.{name}.max_it_mw: {value:g} MW is less than in "
                                f"{before[name][0]} ({before[name][1]:g} MW); a campus does not shrink while alive: keep it at least "
                                f"{before[name][1]:g}")
            before[name] = (year, value)
    return problems
