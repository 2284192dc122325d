"""The whole scenario: one field per YAML section, plus checks across sections."""

from __future__ import annotations

from pydantic import Field, model_validator

from planning.config.base import Section
from planning.config.carbon import Carbon
from planning.config.datacenter_sites import DataCenterSites, site_reference_problems
from planning.config.datacenters import DataCenter
from planning.config.economics import Economics
from planning.config.fuels import Fuel
from planning.config.futures import Future, Stochastic, futures_problems
from planning.config.pathway import Pathway, pathway_problems
from planning.config.horizon import Horizon
from planning.config.operations import Operations
from planning.config.plants import Plant
from planning.config.policy import Policy
from planning.config.power_flow import PowerFlow
from planning.config.reliability import Reliability
from planning.config.reserves import Reserves
from planning.config.solver import Solver, temporal_decomposition_problems
from planning.config.stress import Stress, stress_reference_problems
from planning.config.technologies import Technology
from planning.config.transmission import Corridor
from planning.config.unit_commitment import UnitCommitment
from planning.config.zones import Zone
from planning.errors import unknown_name


class Scenario(Section):
    """A planning scenario, as written in YAML (see scenarios/ for examples)."""

    name: str = Field(description="Short name, used in output folder names.")
    description: str = Field("", description="Free text.")
    horizon: Horizon = Field(default_factory=Horizon, description="Modelled hours and their weights.")
    zones: dict[str, Zone] = Field(min_length=1, description="Zones by name.")
    fuels: dict[str, Fuel] = Field(default_factory=dict, description="Fuels by name.")
    technologies: dict[str, Technology] = Field(min_length=1, description="Technologies by name.")
    plants: dict[str, Plant] = Field(min_length=1, description="Plants by name: a technology in a zone.")
    transmission: dict[str, Corridor] = Field(default_factory=dict, description="Transmission corridors by name.")
    power_flow: PowerFlow = Field(default_factory=PowerFlow, description="Formulation of the DC power flow of corridors with model: dc_power_flow.")
    economics: Economics = Field(default_factory=Economics, description="Discounting.")
    policy: Policy = Field(default_factory=Policy, description="CO2 price and cap.")
    reliability: Reliability = Field(default_factory=Reliability, description="Value of lost load.")
    solver: Solver = Field(default_factory=Solver, description="HiGHS options.")
    datacenters: dict[str, DataCenter] = Field(default_factory=dict, description="AI data centers with learned, flexible load, by name.")
    datacenter_sites: DataCenterSites | None = Field(
        None, description="Candidate data-center sites to build for a compute requirement, contracted flexibility and workload shifting. Null = none.")
    unit_commitment: UnitCommitment = Field(default_factory=UnitCommitment, description="Unit commitment formulation (integer, linear, off).")
    reserves: Reserves = Field(default_factory=Reserves, description="Spinning reserve and planning reserve margin.")
    carbon: Carbon = Field(default_factory=Carbon, description="Emission factors and attribution of the reported carbon metrics (not the model).")
    stress: Stress = Field(default_factory=Stress, description="Stress events (outages, drought, heat wave, line outage) and the data centers' signal mode under stress.")
    operations: Operations = Field(default_factory=Operations, description="Signal-response loop and headroom settings (planning loop, planning headroom).")
    futures: dict[str, Future] = Field(default_factory=dict, description="Named futures with probabilities (adding up to 1), each overriding operating data: "
                                       "a two-stage stochastic plan (investments shared, operation per future). Empty = one future.")
    stochastic: Stochastic = Field(default_factory=Stochastic, description="Risk aversion (CVaR) and value-of-information re-solves of a scenario with futures.")
    pathway: Pathway | None = Field(None, description="Investment periods (e.g. 2030, 2035, 2040) with build years, lifetimes, retirements and "
                                    "discounting, perfect foresight or myopic (planning pathway). Null = one year.")

    @model_validator(mode="after")
    def _references(self) -> "Scenario":
        problems = cross_reference_problems(self.model_dump())
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def cross_reference_problems(data: dict) -> list[str]:
    """Every reference to an undefined zone, technology or fuel, and every inconsistent plant.

    Works on the plain (possibly still invalid) YAML mapping, so that the loader can report
    these problems together with the field errors pydantic finds. Each message starts with the
    YAML key path.
    """
    problems: list[str] = []
    zones, fuels = _mapping(data.get("zones")), _mapping(data.get("fuels"))
    technologies = _mapping(data.get("technologies"))

    def unknown(path: str, kind: str, name: object, known: dict) -> None:
        problems.append(unknown_name(path, kind, name, known))

    for name, tech in technologies.items():
        tech = _mapping(tech)
        if tech.get("kind") == "thermal" and "fuel" in tech and tech["fuel"] not in fuels:
            unknown(f"technologies.{name}.fuel", "fuel", tech["fuel"], fuels)

    seen: dict[tuple, str] = {}
    for name, plant in _mapping(data.get("plants")).items():
        plant = _mapping(plant)
        zone, tech_name = plant.get("zone"), plant.get("technology")
        if zone is not None and zone not in zones:
            unknown(f"plants.{name}.zone", "zone", zone, zones)
        if tech_name is not None and tech_name not in technologies:
            unknown(f"plants.{name}.technology", "technology", tech_name, technologies)
        kind = _mapping(technologies.get(tech_name)).get("kind")
        if kind == "variable" and plant.get("profile") is None:
            problems.append(f"plants.{name}.profile: technology '{tech_name}' is variable and needs a capacity-factor profile (file, column)")
        if kind in ("thermal", "storage") and plant.get("profile") is not None:
            problems.append(f"plants.{name}.profile: only variable technologies take a profile; remove it or change the technology")
        if kind in ("thermal", "variable") and (plant.get("existing_mwh") or plant.get("max_new_mwh") is not None):
            problems.append(f"plants.{name}: existing_mwh/max_new_mwh apply to storage only; '{tech_name}' is {kind}")
        key = (zone, tech_name)
        if zone is not None and tech_name is not None:
            if key in seen:
                problems.append(
                    f"plants.{name}: zone '{zone}' already has technology '{tech_name}' (plants.{seen[key]}); merge the two plants"
                )
            seen.setdefault(key, name)

    for name, site in _mapping(data.get("datacenters")).items():
        zone = _mapping(site).get("zone")
        if zone is not None and zone not in zones:
            unknown(f"datacenters.{name}.zone", "zone", zone, zones)

    reserves = _mapping(data.get("reserves"))
    for zone in (_mapping(reserves.get("spinning")).get("zones") or []):
        if zone not in zones:
            unknown("reserves.spinning.zones", "zone", zone, zones)
    for tech_name in _mapping(reserves.get("capacity_credit")):
        if tech_name not in technologies:
            unknown(f"reserves.capacity_credit.{tech_name}", "technology", tech_name, technologies)

    pairs: dict[frozenset, str] = {}
    for name, line in _mapping(data.get("transmission")).items():
        line = _mapping(line)
        for field in ("from_zone", "to_zone"):
            zone = line.get(field)
            if zone is not None and zone not in zones:
                unknown(f"transmission.{name}.{field}", "zone", zone, zones)
        pair = frozenset((line.get("from_zone"), line.get("to_zone")))
        if pair in pairs:
            problems.append(f"transmission.{name}: corridor duplicates transmission.{pairs[pair]} (same two zones); merge them")
        pairs.setdefault(pair, name)
    problems += stress_reference_problems(data)
    problems += futures_problems(data)
    problems += pathway_problems(data)
    problems += site_reference_problems(data)
    problems += temporal_decomposition_problems(data)
    return problems

