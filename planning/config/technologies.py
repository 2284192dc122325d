"""``technologies:`` generic cost and performance data, placed in zones by ``plants:``.

Three kinds, told apart by ``kind``:

* ``thermal`` — dispatchable, burns a fuel: marginal cost (currency/MWh) =
  ``fuel.price_per_mmbtu · heat_rate_mmbtu_per_mwh + variable_om_per_mwh``; emissions
  (t/MWh) = ``emission_factor_t_per_mwh`` if given, else ``fuel.co2_t_per_mmbtu · heat_rate``.
* ``variable`` — wind, solar: output ≤ hourly capacity factor × capacity; the rest is curtailed.
  The capacity-factor profile belongs to the plant (it depends on the site).
* ``storage`` — power (MW) and energy (MWh) sized separately, with charge and discharge
  efficiencies.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from planning.config.base import Efficiency, Fraction, NonNegative, Section


class _TechnologyBase(Section):
    description: str = Field("", description="Free text.")
    capex_per_mw: NonNegative = Field(0.0, description="Overnight investment cost of new power capacity (currency/MW).")
    fixed_om_per_mw_year: NonNegative = Field(0.0, description="Fixed operation and maintenance cost (currency/MW/year), paid on all capacity kept.")
    variable_om_per_mwh: NonNegative = Field(0.0, description="Variable O&M cost per MWh of output (currency/MWh).")
    lifetime_years: float = Field(30.0, gt=0, description="Economic lifetime for annualising capex (years).")
    source: str = Field("", description="Where the numbers come from.")


class ThermalTechnology(_TechnologyBase):
    """A dispatchable plant that burns a fuel."""

    kind: Literal["thermal"] = "thermal"
    fuel: str = Field(description="Name of an entry in fuels:.")
    heat_rate_mmbtu_per_mwh: NonNegative = Field(description="Fuel burnt per MWh of output (MMBtu/MWh).")
    emission_factor_t_per_mwh: NonNegative | None = Field(
        None, description="Direct CO2 per MWh of output (t/MWh). Default: fuel CO2 content × heat rate."
    )
    availability: Fraction = Field(1.0, description="Maximum output as a share of capacity in every hour (derating for outages).")
    # Unit commitment (used when unit_size_mw is set and unit_commitment.mode is not off;
    # equations in planning/optimization/blocks/commitment.py).
    unit_size_mw: float | None = Field(
        None, gt=0, description="Size of one unit (MW). Null = no unit commitment (dispatched as a continuous fleet)."
    )
    min_stable_output: Fraction = Field(0.0, description="Least output of a committed unit, as a share of its size (fraction).")
    min_up_hours: int = Field(1, ge=1, description="Hours a unit stays on once started (h).")
    min_down_hours: int = Field(1, ge=1, description="Hours a unit stays off once shut down (h).")
    startup_cost_per_mw: NonNegative = Field(0.0, description="Cost of one start per MW of unit size, excluding fuel (currency/MW/start).")
    shutdown_cost_per_mw: NonNegative = Field(0.0, description="Cost of one shut-down per MW of unit size (currency/MW/shut-down).")
    startup_fuel_mmbtu_per_mw: NonNegative = Field(0.0, description="Fuel burnt by one start per MW of unit size (MMBtu/MW/start); its CO2 is counted.")
    no_load_fuel_mmbtu_per_mw_hour: NonNegative = Field(
        0.0, description="Fuel burnt per MW of committed unit size per hour, on top of the heat rate (MMBtu/MW/h); its CO2 is counted."
    )
    ramp_up_per_hour: Fraction | None = Field(None, description="Largest output increase of a committed unit per hour, share of its size (fraction/h). Null = none.")
    ramp_down_per_hour: Fraction | None = Field(None, description="Largest output decrease of a committed unit per hour, share of its size (fraction/h). Null = none.")


class VariableTechnology(_TechnologyBase):
    """Wind or solar: output bounded by the plant's hourly capacity factor; may be curtailed."""

    kind: Literal["variable"] = "variable"


class StorageTechnology(_TechnologyBase):
    """Energy storage with separately sized power (MW) and energy (MWh)."""

    kind: Literal["storage"] = "storage"
    capex_per_mwh: NonNegative = Field(0.0, description="Overnight investment cost of new energy capacity (currency/MWh).")
    fixed_om_per_mwh_year: NonNegative = Field(0.0, description="Fixed O&M on energy capacity (currency/MWh/year).")
    charge_efficiency: Efficiency = Field(0.92, description="Share of charged energy that reaches the store, in (0, 1].")
    discharge_efficiency: Efficiency = Field(0.92, description="Share of stored energy delivered to the grid, in (0, 1].")
    min_duration_hours: NonNegative = Field(0.0, description="Least energy/power ratio of the total capacity (h).")
    max_duration_hours: NonNegative | None = Field(None, description="Largest energy/power ratio of the total capacity (h). Null = free.")

    @model_validator(mode="after")
    def _durations(self) -> "StorageTechnology":
        if self.max_duration_hours is not None and self.max_duration_hours < self.min_duration_hours:
            raise ValueError("max_duration_hours must be ≥ min_duration_hours")
        return self


Technology = Annotated[Union[ThermalTechnology, VariableTechnology, StorageTechnology], Field(discriminator="kind")]
