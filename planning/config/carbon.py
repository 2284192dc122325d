"""``carbon:`` how emissions are counted and attributed in the outputs (no effect on the model).

The model's CO2 price and cap always use the direct (combustion) factor of each technology
(``technologies.*.emission_factor_t_per_mwh`` or fuel CO2 content × heat rate). This section
chooses the factors of the *reported* carbon metrics (carbon.csv, datacenter_carbon.csv,
signals): direct or lifecycle (both are always reported; ``factor_basis`` picks the headline
columns), per-technology overrides, and the data centers' contracts and embodied emissions.

Example::

    carbon:
      factor_basis: lifecycle
      technology_rows: {my_gas_cc: ccgt}        # a scenario technology → a row of the factors file
      overrides: {utility_pv: {lifecycle_g_per_kwh: 30}}
      datacenters:
        dc1:
          embodied_t_per_year: 1200              # M of the SCI
          work_unit: GPU-hour
          ppas: [{plant: isone_wind, share: 0.25}]
          recs_mwh: 50000
          residual_mix_g_per_kwh: 420
      market_matching: annual                   # or hourly (no RECs then)
      sdk_locations: {isone: eastus}            # zone → Carbon Aware SDK location name in the signals
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from planning.config.base import Fraction, NonNegative, Section, resolve_path


class FactorOverride(Section):
    """Emission factors of one technology that replace the factors file's row."""

    direct_g_per_kwh: NonNegative | None = Field(None, description="Direct (combustion) CO2 per kWh of output (g/kWh). Null = keep.")
    lifecycle_g_per_kwh: NonNegative | None = Field(None, description="Lifecycle CO2-eq per kWh of output (g/kWh). Null = keep.")


class PowerPurchaseAgreement(Section):
    """A physical/virtual PPA: a share of a named plant's hourly output, contracted by a data center."""

    plant: str = Field(description="Name of an entry in plants: (its generation is the contracted profile).")
    share: Fraction = Field(1.0, description="Share of the plant's hourly output that is contracted (0–1).")
    max_mw: NonNegative | None = Field(None, description="Cap on the contracted MW in any hour (MW). Null = none.")


class DataCenterCarbon(Section):
    """Contracts, embodied emissions and work unit of one data center."""

    embodied_t_per_year: NonNegative = Field(
        0.0, description="Embodied (hardware, building) emissions allocated to the horizon, M of the SCI (t CO2-eq per year). Default 0."
    )
    work_unit: str = Field("work unit", description="Name of the unit of work_done (R of the SCI), e.g. GPU-hour, epoch.")
    ppas: list[PowerPurchaseAgreement] = Field(default_factory=list, description="Power purchase agreements (hourly profiles).")
    recs_mwh: NonNegative = Field(0.0, description="Unbundled renewable energy certificates retired over the horizon (MWh, annual matching).")
    residual_mix_g_per_kwh: NonNegative | None = Field(
        None, description="Residual-mix factor for energy not covered by contracts (g/kWh). Null = computed: the zone's consumption-based "
        "emissions minus the contracted ones, over its consumption minus the contracted energy (hourly or annual, as carbon.market_matching)."
    )


class Carbon(Section):
    """Emission factors and attribution choices of the reported carbon metrics."""

    factor_basis: Literal["direct", "lifecycle"] = Field(
        "direct", description="Factors of the headline columns: direct (combustion) or lifecycle (IPCC AR5 medians). Both are reported."
    )
    factors_file: Path | None = Field(
        None, description="CSV with columns technology, direct_g_per_kwh, lifecycle_g_per_kwh, source. Null = data/emission_factors.csv."
    )
    technology_rows: dict[str, str] = Field(
        default_factory=dict, description="Scenario technology → row (technology) of the factors file, where the names differ."
    )
    overrides: dict[str, FactorOverride] = Field(default_factory=dict, description="Per scenario technology, factors replacing the file's.")
    carbon_free_technologies: list[str] | None = Field(
        None, description="Technologies counted as carbon-free energy (24/7 CFE). Null = those with a direct factor of 0 except biomass."
    )
    marginal: Literal["basis", "none"] = Field(
        "basis", description="Marginal intensity: from the optimal basis of the fixed-investment dispatch LP ('basis') or not computed ('none')."
    )
    sci_intensity: Literal["average", "consumption", "marginal"] = Field(
        "consumption", description="Hourly intensity I used in the SCI = (E·I + M)/R of each data center."
    )
    market_matching: Literal["annual", "hourly"] = Field(
        "annual", description="Market-based Scope 2: contracts matched to the data center's load over the whole horizon (annual, MWh/year) "
        "or hour by hour (hourly, MWh in each hour; a surplus hour covers nothing else). Hourly needs no unbundled RECs (recs_mwh: 0)."
    )
    signal_window_hours: int = Field(4, ge=1, description="Window (h) of the optimal window in the Carbon Aware SDK-shaped signal JSON.")
    sdk_locations: dict[str, str] = Field(
        default_factory=dict, description="Zone → Carbon Aware SDK location name written as `location` in the signal JSON "
        "(e.g. {isone: eastus}). A zone not listed keeps its own name."
    )
    datacenters: dict[str, DataCenterCarbon] = Field(default_factory=dict, description="Per data center: contracts, embodied emissions, work unit.")

    @model_validator(mode="after")
    def _hourly_needs_hourly_contracts(self) -> "Carbon":
        if self.market_matching == "hourly":
            annual = [name for name, site in self.datacenters.items() if site.recs_mwh > 0]
            if annual:
                raise ValueError("; ".join(
                    f"carbon.datacenters.{name}.recs_mwh: unbundled RECs are annual certificates and cannot be matched hour by hour; "
                    "set it to 0 (give hourly contracts as ppas) or use carbon.market_matching: annual" for name in annual))
        return self

    @field_validator("factors_file")
    @classmethod
    def _resolve(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else resolve_path(value, info)
