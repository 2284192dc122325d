"""``reliability:`` the value of lost load and whether load may be shed at all."""

from __future__ import annotations

from pydantic import Field

from planning.config.base import Section


class Reliability(Section):
    """Unserved energy is allowed at a penalty (value of lost load) unless disabled."""

    value_of_lost_load_per_mwh: float = Field(10000.0, gt=0, description="Penalty on unserved energy (currency/MWh).")
    allow_unserved_energy: bool = Field(
        True, description="If false, demand must be met in every hour; a shortfall makes the model infeasible and is diagnosed."
    )
