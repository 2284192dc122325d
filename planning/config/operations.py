"""``operations:`` settings of the signal-response loop (``planning loop``) and of ``planning headroom``.

See :mod:`planning.workflows.signal_response` (the loop and its damping rule) and
:mod:`planning.workflows.headroom` (the headroom formulation).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from planning.config.base import Fraction, Section


class Loop(Section):
    """The grid publishes a signal, the data centers re-schedule, repeat."""

    signal: Literal["price", "average", "consumption", "marginal", "blend"] = Field(
        "price",
        description="Hourly signal of the data center's zone: price (balance dual, currency/MWh), average, consumption-based "
        "or marginal carbon intensity (g/kWh), or blend = w·price/mean(price) + (1 − w)·intensity/mean(intensity).",
    )
    blend_price_weight: Fraction = Field(0.5, description="blend: weight w of the normalised price (fraction).")
    blend_intensity: Literal["average", "consumption", "marginal"] = Field("average", description="blend: the carbon intensity blended with the price.")
    damping: Literal["none", "fixed", "diminishing"] = Field(
        "diminishing",
        description="Step rule x_{k+1} = x_k + α_k·(response_k − x_k): none α = 1; fixed α = step; diminishing α_k = step·2/(k+2) "
        "(Frank–Wolfe's step, k = 0, 1, ...).",
    )
    step: float = Field(1.0, gt=0, le=1, description="α (fixed) or α_0 (diminishing), unitless in (0, 1].")
    gap_tolerance_fraction: float = Field(
        1e-4, ge=0, lt=1,
        description="Converged when the loop's relative gap is at most this (fraction): for the price signal the certified "
        "Frank–Wolfe gap (best cost − lower bound)/best cost; for other signals the response gap (signal-weighted energy the "
        "best response would save)/(|signal|-weighted energy). A small step is never taken for convergence.",
    )
    max_iterations: int = Field(30, ge=1, description="Largest number of grid/data-center rounds.")


class Headroom(Section):
    """The largest new flexible data-center load the existing system can take (`planning headroom`)."""

    zone: str | None = Field(None, description="Zone of the new load. Null = the zone of the first data center, else the first zone.")
    shape: Literal["flat", "datacenter"] = Field(
        "flat", description="Hourly shape of the new load: flat (1 every hour) or the baseline+as-arrived IT profile of an existing data center "
        "(shape_datacenter), divided by its peak."
    )
    shape_datacenter: str | None = Field(None, description="shape: datacenter — which data center (default the first).")
    pue: float = Field(1.0, ge=1, le=3, description="PUE of the new load (unitless): its grid draw is PUE × MW × shape.")
    budgets: list[Annotated[float, Field(ge=0, lt=1)]] = Field(
        default_factory=lambda: [0.0025, 0.005, 0.01], min_length=1,
        description="Curtailment budgets: the largest share of the new load's energy that may be curtailed (fractions in [0, 1): "
        "Duke: 0.0025, 0.005, 0.01 for 0.25 %, 0.5 %, 1 %; a budget of 1 would admit any load).",
    )
    max_curtail_fraction: Fraction = Field(1.0, description="Deepest curtailment in any hour (fraction of the new load's power that hour).")
    max_mw: float = Field(1e6, gt=0, description="Upper bound of the search (MW).")


class Operations(Section):
    """Operating-horizon workflows: the signal-response loop and headroom."""

    loop: Loop = Field(default_factory=Loop, description="Signal-response loop settings.")
    headroom: Headroom = Field(default_factory=Headroom, description="Headroom settings.")
