"""``economics:`` discounting and annualisation of investment costs."""

from __future__ import annotations

from pydantic import Field

from planning.config.base import Section


class Economics(Section):
    """Investment costs are annualised with the capital recovery factor.

    CRF(r, n) = r / (1 − (1 + r)^−n), and CRF(0, n) = 1/n. Annual cost of a new MW is
    ``capex_per_mw · CRF(discount_rate, lifetime_years) + fixed_om_per_mw_year``.
    """

    discount_rate: float = Field(0.07, ge=0, le=1, description="Real discount rate (fraction per year).")
    currency: str = Field("USD2020", description="Currency label of every cost in the scenario (for outputs only).")

    def capital_recovery_factor(self, lifetime_years: float) -> float:
        """Annuity factor (1/year) for ``lifetime_years``."""
        rate = self.discount_rate
        if rate == 0:
            return 1.0 / lifetime_years
        return rate / (1.0 - (1.0 + rate) ** (-lifetime_years))
