"""``horizon.representative_periods:`` time-series aggregation with tsam.

See :mod:`planning.timeseries.aggregate` for what is clustered and how the result enters the
model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planning.config.base import Section


class RepresentativePeriods(Section):
    """Represent the modelled hours by ``periods`` representative periods of ``period_hours``.

    The modelled hours (``horizon.start_hour``, ``horizon.hours``) are cut into periods of
    ``period_hours``; tsam clusters them on the zonal demands and the capacity-factor profiles
    (each scaled to [0, 1]). Each representative period keeps hourly resolution; its hours
    weigh (number of periods it stands for) × (the horizon's hour weight). The period holding
    the highest demand hour is kept as its own (extreme) period unless ``keep_peak_demand`` is
    false. Storage and commitment are cyclic within each representative period; storage may
    be linked across the calendar sequence (``link_storage``).
    """

    periods: int = Field(12, ge=1, description="Number of representative periods (including the extreme ones).")
    period_hours: Literal[24, 168] = Field(24, description="Length of a period (h): a day or a week.")
    method: Literal["hierarchical", "kmeans", "kmedoids", "contiguous"] = Field(
        "hierarchical", description="tsam clustering method."
    )
    representation: Literal["medoid", "mean", "distribution", "distribution_minmax", "distribution_minmax_medoid"] = Field(
        "distribution_minmax",
        description="How a cluster is represented: a real member (medoid), the mean, or values that keep each "
        "series' duration curve within the cluster (distribution, optionally with the cluster's min and max; "
        "_medoid orders every series like the cluster's medoid, keeping their co-occurrence).",
    )
    keep_peak_demand: bool = Field(True, description="Keep the period with the highest total demand hour as an extreme period.")
    keep_lowest_mean_of: list[str] = Field(
        default_factory=list,
        description="Plant names whose period of lowest mean capacity factor is kept as an extreme period (e.g. a wind drought).",
    )
    link_storage: bool = Field(
        True,
        description="Link storage across the calendar sequence of periods (Kotzur et al. 2018); false = cyclic within each period.",
    )
