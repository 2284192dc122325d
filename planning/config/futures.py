"""``futures:`` and ``stochastic:`` — two-stage stochastic planning over named futures.

A scenario may declare named futures, each with a probability (they must add up to 1). A future
overrides **operating data only**; investments are decided once for all futures (first stage),
operation, commitment and the data-center schedule per future (second stage). See
:mod:`planning.workflows.stochastic` for the problem solved and the figures reported (EV, EEV, WS,
EVPI, VSS), and :mod:`planning.optimization.blocks.risk` for the optional CVaR term.

.. code-block:: yaml

    futures:
      full_size: {probability: 0.5}
      half_size: {probability: 0.3, datacenters: {campus: {it_capacity_mw: 500}}}
      no_campus: {probability: 0.2, datacenters: {campus: {online: false}}, fuels: {gas: {price_per_mmbtu: 5.0}}}
    stochastic: {cvar_alpha: 0.9, cvar_weight: 0.0, value_of_information: true}

What a future may override (everything else is the scenario's):

* ``fuels.<fuel>.price_per_mmbtu`` (currency/MMBtu);
* ``policy.co2_price_per_t`` and ``policy.co2_cap_t`` (the cap then holds in that future; a cap in
  the scenario holds in **every** future, not in expectation);
* ``zones.<zone>.demand`` (another series) and/or ``zones.<zone>.demand_scale`` (× the series' scale);
* ``plants.<plant>.profile`` (another capacity-factor series: weather) of a variable plant;
* ``datacenters.<site>``: ``it_capacity_mw``, ``pue``, ``baseline``, ``flexibility``,
  ``deferrable_share``, ``max_delay_hours``, or ``online: false`` (the site has not arrived in that
  future: it draws nothing).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planning.config.base import Fraction, NonNegative, Section, TimeSeriesRef
from planning.errors import unknown_name

#: Tolerance of the check that the futures' probabilities add up to 1.
PROBABILITY_TOLERANCE = 1e-6


class FuelFuture(Section):
    """A fuel's price in one future."""

    price_per_mmbtu: NonNegative = Field(description="Delivered fuel price in this future (currency/MMBtu).")


class PolicyFuture(Section):
    """CO2 price and cap in one future (keys left out keep the scenario's value)."""

    co2_price_per_t: NonNegative | None = Field(None, description="Price on CO2 emissions in this future (currency/t CO2).")
    co2_cap_t: NonNegative | None = Field(
        None, description="Cap on this future's CO2 emissions over the weighted horizon (t CO2); null written explicitly = no cap.")


class ZoneFuture(Section):
    """A zone's demand in one future."""

    demand: TimeSeriesRef | None = Field(None, description="Another demand series (MW) for this future. Null = the scenario's.")
    demand_scale: NonNegative | None = Field(
        None, description="Multiplier on the zone's demand series in this future (unitless, × the series' own scale). Null = 1.")


class PlantFuture(Section):
    """A variable plant's capacity-factor series in one future (weather)."""

    profile: TimeSeriesRef = Field(description="Capacity-factor series (per unit, 0..1) of this variable plant in this future.")


class DataCenterFuture(Section):
    """A data center's size, arrival and flexibility in one future (keys left out keep the scenario's value)."""

    online: bool = Field(True, description="False = the site has not arrived in this future: it draws no power.")
    it_capacity_mw: float | None = Field(None, gt=0, description="Rated IT power in this future (MW).")
    pue: float | None = Field(None, ge=1, le=3, description="Power usage effectiveness in this future (unitless).")
    baseline: Literal["expected", "firm"] | None = Field(None, description="Baseline utilisation per hour in this future.")
    flexibility: Literal["learned", "inflexible", "ideal"] | None = Field(None, description="Flexibility of the site in this future.")
    deferrable_share: Fraction | None = Field(None, description="Share of IT load that is deferrable work in this future (fraction).")
    max_delay_hours: NonNegative | None = Field(None, description="Longest delay of deferrable work in this future (h).")


class OperatingOverrides(Section):
    """The operating data a future (or an investment period, :mod:`planning.config.pathway`) overrides."""

    description: str = Field("", description="Free text.")
    fuels: dict[str, FuelFuture] = Field(default_factory=dict, description="Fuel prices by fuel name.")
    policy: PolicyFuture = Field(default_factory=PolicyFuture, description="CO2 price and cap in this future.")
    zones: dict[str, ZoneFuture] = Field(default_factory=dict, description="Demand by zone name.")
    plants: dict[str, PlantFuture] = Field(default_factory=dict, description="Capacity-factor series of variable plants, by plant name.")
    datacenters: dict[str, DataCenterFuture] = Field(default_factory=dict, description="Data-center size, arrival and flexibility, by site name.")


class Future(OperatingOverrides):
    """One future: its probability and the operating data it overrides."""

    probability: float = Field(gt=0, le=1, description="Probability of this future (fraction); the futures' add up to 1.")


class Stochastic(Section):
    """Risk aversion and the value-of-information re-solves of a scenario with ``futures:``.

    Objective: min (1 − λ)·E[cost_f] + λ·CVaR_α(cost_f), with cost_f the total cost (shared
    investment + operation) of future f; λ = ``cvar_weight``, α = ``cvar_alpha``.
    """

    cvar_alpha: float = Field(0.9, ge=0, lt=1, description="CVaR confidence level α (fraction): CVaR is the expected cost of the worst (1 − α) share of probability.")
    cvar_weight: Fraction = Field(0.0, description="Weight λ of CVaR in the objective (fraction): 0 = risk neutral (expected cost), 1 = CVaR only.")
    value_of_information: bool = Field(
        True, description="Also solve the expected-value problem (EV), its decision in every future (EEV) and every future alone (WS), "
        "and report EVPI = RP − WS and VSS = EEV − RP (1 + 2 × futures more solves).")


#: Sections whose entries a future (or an investment period) overrides by name, and what an entry is.
OVERRIDDEN_SECTIONS = {"fuels": "fuel", "zones": "zone", "plants": "plant", "datacenters": "data center"}


def unknown_override_problems(data: dict, prefix: str, override: dict, sections: dict[str, str]) -> list[str]:
    """``<prefix>.<section>.<name>: unknown <kind> …`` for every entry of ``override`` (a future's or a period's mapping)
    under ``sections`` (section → what its entries are) that the (raw) scenario ``data`` does not define."""
    mapping = lambda value: value if isinstance(value, dict) else {}  # noqa: E731
    problems = []
    for section, kind in sections.items():
        known = mapping(data.get(section))
        problems += [unknown_name(f"{prefix}.{section}.{key}", kind, key, known)
                     for key in mapping(mapping(override).get(section)) if key not in known]
    return problems


def futures_problems(data: dict) -> list[str]:
    """Problems of ``futures:`` against the rest of the (raw) scenario: probabilities that do not add up to 1,
    overrides of names the scenario does not define, profiles of plants that are not variable. Each message
    starts with its YAML key path."""
    futures = data.get("futures")
    problems: list[str] = []
    stochastic = data.get("stochastic") if isinstance(data.get("stochastic"), dict) else {}
    if not isinstance(futures, dict) or not futures:
        if stochastic.get("cvar_weight"):
            problems.append("stochastic.cvar_weight: CVaR needs futures: (named futures with probabilities); add them or remove the key")
        return problems
    mapping = lambda value: value if isinstance(value, dict) else {}  # noqa: E731
    probabilities = [f.get("probability") for f in futures.values() if isinstance(f, dict)]
    if probabilities and all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in probabilities):
        total = float(sum(probabilities))
        if abs(total - 1.0) > PROBABILITY_TOLERANCE:
            listed = ", ".join(f"{name} {mapping(f).get('probability')}" for name, f in futures.items())
            problems.append(f"futures: the probabilities add up to {total:.6g}, not 1 ({listed}); make them sum to 1")
    for name, future in futures.items():
        future = mapping(future)
        problems += unknown_override_problems(data, f"futures.{name}", future, OVERRIDDEN_SECTIONS)
        technologies = mapping(data.get("technologies"))
        for key in mapping(future.get("plants")):
            plant = mapping(mapping(data.get("plants")).get(key))
            kind = mapping(technologies.get(plant.get("technology"))).get("kind")
            if plant and kind != "variable":
                problems.append(f"futures.{name}.plants.{key}.profile: only variable plants take a profile ('{key}' is {kind})")
    strategy = mapping(data.get("unit_commitment")).get("strategy")
    if strategy == "decomposed":
        problems.append("unit_commitment.strategy: 'decomposed' is not available with futures: (the futures are solved together); "
                        "use 'monolithic' or remove futures:")
    return problems
