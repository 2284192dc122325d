"""``datacenter_sites:`` where to put new AI compute, how much, and how flexible to contract it.

A fleet of candidate sites (each in a zone, with the most IT MW it can take, an interconnection
cost per MW, a fixed cost per site, a PUE and an optional earliest year) must together serve a
**compute requirement** — firm IT MW, or work per year in IT-MWh. The model chooses the IT MW of
every site together with generation, storage and transmission, and how much **deferrable
capacity to contract** per site (a price per MW-year, at most the share the site's surrogate card
supports). With ``workload_shifting`` the sites form one workload pool: a movable share of the work
may run at another site of the pool in the same hour, within a migration limit (MW, a bandwidth
proxy) and at an energy overhead. Equations: :mod:`planning.optimization.blocks.datacenter_siting`
and :mod:`planning.optimization.blocks.workload_shifting`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from planning.config.base import Fraction, NonNegative, Section, TimeSeriesRef, resolve_path
from planning.errors import did_you_mean, unknown_name


class SiteCandidate(Section):
    """One candidate site: a zone, a size limit and its costs."""

    zone: str = Field(description="Name of an entry in zones:.")
    max_it_mw: float = Field(gt=0, description="Most IT power the site can host (MW of IT rating).")
    min_it_mw: NonNegative = Field(0.0, description="Least IT power built at the site (MW; e.g. a campus already committed). 0 = may stay empty.")
    interconnection_capex_per_mw: NonNegative = Field(
        0.0, description="One-off cost of connecting one MW of IT rating (grid connection, substation; currency/MW of IT), annualised "
        "with the capital recovery factor of economics.discount_rate over lifetime_years.")
    interconnection_fixed_om_per_mw_year: NonNegative = Field(
        0.0, description="Yearly cost of keeping one MW of IT rating connected (currency/MW-year), added to the annualised capex.")
    fixed_capex: NonNegative = Field(
        0.0, description="One-off cost of opening the site at all (currency), annualised like interconnection_capex_per_mw. With "
        "datacenter_sites.site_binaries it is paid in full by an opened site (a MILP); without, spread per MW as "
        "fixed_capex/max_it_mw (the binary's LP relaxation: exact for an empty or a full site).")
    lifetime_years: float = Field(20.0, gt=0, description="Economic lifetime of the interconnection and the site (years).")
    pue: float = Field(1.2, ge=1, le=3, description="Power usage effectiveness: facility power / IT power (unitless).")
    pue_profile: TimeSeriesRef | None = Field(None, description="Hourly PUE (unitless, ≥ 1) instead of the constant pue, e.g. from the site's climate.")
    earliest_year: int | None = Field(
        None, ge=1900, le=2200, description="First year the site can serve (year). A site whose earliest_year is after "
        "datacenter_sites.in_service_year cannot be built. Null = any year.")
    card_file: Path | None = Field(None, description="Surrogate card of the site's workload (JSON). Null = datacenter_sites.card_file.")
    max_flexible_share: Fraction | None = Field(
        None, description="Most deferrable capacity that may be contracted, per MW of IT (fraction). Null = the card's deferrable "
        "share; a value above the card's is an error (the card is what the workload supports).")

    @field_validator("card_file")
    @classmethod
    def _resolve(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else resolve_path(value, info)

    @model_validator(mode="after")
    def _sizes(self) -> "SiteCandidate":
        if self.min_it_mw > self.max_it_mw:
            raise ValueError(f"min_it_mw {self.min_it_mw:g} exceeds max_it_mw {self.max_it_mw:g}; lower min_it_mw")
        return self


class ComputeRequirement(Section):
    """What the fleet must serve: give exactly one of the two."""

    firm_it_mw: NonNegative | None = Field(None, description="IT rating the sites must add up to (MW; 0 = nothing to site, e.g. "
                                           "the first period of a pathway's growth path).")
    work_it_mwh_per_year: NonNegative | None = Field(
        None, description="Work arriving at the fleet per year (IT-MWh: the IT energy of the work as it arrives, at each site's "
        "utilisation profile; per weighted horizon when the horizon is not scaled to a year).")

    @model_validator(mode="after")
    def _one(self) -> "ComputeRequirement":
        given = [name for name in ("firm_it_mw", "work_it_mwh_per_year") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of firm_it_mw (MW) or work_it_mwh_per_year (IT-MWh)"
                             + (f"; both are set" if len(given) == 2 else ""))
        return self


class WorkloadClass(Section):
    """A class of work (e.g. interactive inference, batch training) and whether it may move between sites."""

    share: Fraction = Field(description="Share of the work arriving at a site (fraction); the classes' shares add up to 1.")
    movable: bool = Field(description="True: may run at another site of the pool; false: latency-bound, stays where it arrives.")


class WorkloadShifting(Section):
    """Geo-distributed shifting of work between the sites of the pool (same hour, see the block's docstring)."""

    enabled: bool = Field(True, description="Allow moving work between sites (false: every site serves its own work).")
    sites: list[str] | None = Field(None, description="Sites of the pool (entries of datacenter_sites.candidates). Null = every candidate.")
    classes: dict[str, WorkloadClass] = Field(
        default_factory=dict, description="Work classes by name; the movable share is the sum of the movable classes' shares. "
        "Empty = movable_share, or the card's deferrable share.")
    movable_share: Fraction | None = Field(
        None, description="Share of the work (not contracted as deferrable) that may move (fraction). Null = from classes, else the "
        "card's deferrable share (its batch work).")
    migration_limit_mw: NonNegative | None = Field(
        None, description="Most work moved in one hour across the whole pool (MW of IT power; a network-bandwidth proxy). Null = no limit.")
    migration_overhead_fraction: Fraction = Field(
        0.0, description="Extra IT energy a moved MW costs at its destination (fraction of the moved work: data transfer, "
        "re-loading, check-pointing).")

    @model_validator(mode="after")
    def _shares(self) -> "WorkloadShifting":
        if self.classes:
            if self.movable_share is not None:
                raise ValueError("give classes or movable_share, not both")
            total = sum(c.share for c in self.classes.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"classes: the shares add up to {total:g}; they must add up to 1")
        return self


class DataCenterSites(Section):
    """Candidate sites, the compute requirement, contracted flexibility and workload shifting."""

    candidates: dict[str, SiteCandidate] = Field(min_length=1, description="Candidate sites by name.")
    requirement: ComputeRequirement = Field(description="Compute the fleet must serve (firm IT MW or IT-MWh per year).")
    card_file: Path | None = Field(None, description="Surrogate card of every candidate without its own card_file (JSON).")
    baseline: Literal["expected", "firm"] = Field(
        "firm", description="Utilisation per hour from the card's calendar profile: expected, or the firm floor (expected + the card's "
        "high-quantile offset), at each site's local time.")
    utilisation_per_unit: Fraction | None = Field(
        None, description="Constant utilisation of the IT rating (fraction) instead of the card's calendar profile.")
    in_service_year: int | None = Field(
        None, ge=1900, le=2200, description="Year the fleet must serve (compared with each site's earliest_year). Null = horizon.year; "
        "with pathway: each period's own year (leave it out).")
    site_binaries: bool = Field(False, description="One binary 'site opened' per candidate carrying its full fixed_capex (a MILP).")
    temporal_flexibility: bool = Field(
        True, description="Offer contracted deferrable capacity at flexibility_price_per_mw_year (false: no site defers work).")
    flexibility_price_per_mw_year: NonNegative = Field(
        0.0, description="Price of contracting one MW of IT rating as deferrable (currency/MW-year): what the operator is paid for "
        "letting that capacity's work wait up to the card's delay.")
    formulation: Literal["auto", "cuts", "binary"] = Field(
        "auto", description="Throughput-curve encoding of the contracted fleet: linear cuts (concave cards), binaries (any card), or auto.")
    workload_shifting: WorkloadShifting | None = Field(None, description="Geo-distributed shifting of work between the sites. Null = none.")


def site_reference_problems(data: dict) -> list[str]:
    """Candidates in undefined zones, pool sites that are not candidates, and cards missing everywhere (YAML key paths)."""
    def mapping(value):
        return value if isinstance(value, dict) else {}

    section = mapping(data.get("datacenter_sites"))
    if not section:
        return []
    zones = mapping(data.get("zones"))
    candidates = mapping(section.get("candidates"))
    problems = []
    for name, site in candidates.items():
        site = mapping(site)
        zone = site.get("zone")
        if zone is not None and zone not in zones:
            problems.append(unknown_name(f"datacenter_sites.candidates.{name}.zone", "zone", zone, zones))
        if site.get("card_file") is None and section.get("card_file") is None:
            problems.append(f"datacenter_sites.candidates.{name}.card_file: no surrogate card; set it, or datacenter_sites.card_file for every site")
    if mapping(data.get("unit_commitment")).get("strategy") == "decomposed":
        problems.append("datacenter_sites: not supported with unit_commitment.strategy: decomposed (its rolling windows would each "
                        "site the fleet anew); use strategy: monolithic, or representative periods")
    pool = mapping(section.get("workload_shifting")).get("sites")
    for name in pool if isinstance(pool, list) else []:
        if name not in candidates:
            problems.append(f"datacenter_sites.workload_shifting.sites: unknown site '{name}'{did_you_mean(str(name), candidates)} "
                            f"(candidates: {', '.join(sorted(map(str, candidates))) or 'none'})")
    return problems
