"""``transmission:`` corridors between zones: a transport model, or a linearised DC power flow.

Each corridor is either

* ``model: transport`` (default) — a controllable transfer (an interface limit, an HVDC link): the
  flow is free within the limit, with an optional loss share; or
* ``model: dc_power_flow`` — an AC line: the flow also obeys Kirchhoff's voltage law around every
  loop of AC lines (:mod:`planning.optimization.blocks.power_flow`), which needs the line's series
  reactance: ``reactance_pu`` (per unit on the system base ``power_flow.base_mva``, 100 MVA by
  default) or ``reactance_ohm`` with ``voltage_kv`` (converted as x_pu = x_Ω · S_base / V_kV²).
  Only ratios of reactances around a loop matter, so any consistent base gives the same flows.
  A DC power flow line is lossless (``loss_fraction`` must be 0), like the linearised model itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planning.config.base import Fraction, NonNegative, Section


class Corridor(Section):
    """A bidirectional corridor with a transfer limit in each direction.

    |flow| ≤ existing_mw + new_mw; a share ``loss_fraction`` of what is sent is lost on the way
    (transport corridors only). With ``model: dc_power_flow`` the flows of AC lines also follow their
    reactances (Kirchhoff's voltage law); building new capability raises the limit only, the reactance
    stays as given (the usual linear-expansion caveat; see the power_flow block).
    """

    from_zone: str = Field(description="Name of an entry in zones:.")
    to_zone: str = Field(description="Name of an entry in zones:.")
    existing_mw: NonNegative = Field(0.0, description="Transfer capability in place, each direction (MW).")
    max_new_mw: NonNegative = Field(0.0, description="Most new transfer capability that may be built (MW).")
    capex_per_mw: NonNegative = Field(0.0, description="Investment cost of new transfer capability (currency/MW).")
    fixed_om_per_mw_year: NonNegative = Field(0.0, description="Fixed O&M on new transfer capability (currency/MW/year).")
    lifetime_years: float = Field(40.0, gt=0, description="Economic lifetime for annualising capex (years).")
    loss_fraction: Fraction = Field(0.0, description="Share of the sent power lost in transit (fraction); transport corridors only.")
    model: Literal["transport", "dc_power_flow"] = Field(
        "transport",
        description="transport: a controllable transfer within its limit (interfaces, DC links); dc_power_flow: an AC line whose "
        "flow also obeys Kirchhoff's voltage law through its reactance (needs reactance_pu, or reactance_ohm and voltage_kv).",
    )
    reactance_pu: float | None = Field(
        None, gt=0, description="Series reactance of an AC line (per unit on the system base power_flow.base_mva). dc_power_flow only."
    )
    reactance_ohm: float | None = Field(
        None, gt=0, description="Series reactance of an AC line (ohm), converted with voltage_kv and power_flow.base_mva. dc_power_flow only."
    )
    voltage_kv: float | None = Field(None, gt=0, description="Nominal line-to-line voltage of an AC line (kV), to convert reactance_ohm.")

    @model_validator(mode="after")
    def _consistent(self) -> "Corridor":
        problems = []
        if self.from_zone == self.to_zone:
            problems.append("from_zone and to_zone must differ")
        given = [key for key in ("reactance_pu", "reactance_ohm") if getattr(self, key) is not None]
        if self.model == "dc_power_flow":
            if not given:
                problems.append("model dc_power_flow needs the line's reactance: set reactance_pu, or reactance_ohm and voltage_kv")
            if len(given) == 2:
                problems.append("give reactance_pu or reactance_ohm, not both")
            if self.reactance_ohm is not None and self.voltage_kv is None:
                problems.append("reactance_ohm needs voltage_kv (kV) to be converted to per unit; set voltage_kv or give reactance_pu")
            if self.loss_fraction > 0:
                problems.append(f"loss_fraction {self.loss_fraction} applies to transport corridors only: a DC power flow line is "
                                "lossless; set loss_fraction: 0 or model: transport")
        elif given or self.voltage_kv is not None:
            keys = ", ".join(given + (["voltage_kv"] if self.voltage_kv is not None else []))
            problems.append(f"{keys} apply to model: dc_power_flow only; set model: dc_power_flow or remove them")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def reactance_per_unit(self, base_mva: float) -> float | None:
        """The series reactance in per unit on ``base_mva`` (None for a transport corridor)."""
        if self.model != "dc_power_flow":
            return None
        if self.reactance_pu is not None:
            return self.reactance_pu
        return self.reactance_ohm * base_mva / self.voltage_kv**2
