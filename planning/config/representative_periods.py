"""``horizon.representative_periods:`` time-series aggregation with tsam.

See :mod:`planning.timeseries.aggregate` for what is clustered and how the result enters the
model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from planning.config.base import Section


class RepresentativePeriods(Section):
    """Represent the modelled hours by ``periods`` representative periods of ``period_hours``.

    The modelled hours (``horizon.start_hour``, ``horizon.hours``) are cut into periods of
    ``period_hours``; tsam clusters them on the zonal demands, the capacity-factor profiles, the
    data-center series and the system load (each scaled to [0, 1], weighted by ``weights``);
    stress flags and line availability are not clustered. Each representative period keeps
    hourly resolution; its hours weigh (number of periods it stands for) × (the horizon's hour
    weight). The period holding the highest hour of demand + data-center facility power is kept
    as its own (extreme) period unless ``keep_peak_demand`` is false. Storage and commitment are cyclic within each representative period; storage may
    be linked across the calendar sequence (``link_storage``).
    """

    periods: int = Field(12, ge=1, description="Number of representative periods (including the extreme ones).")
    period_hours: Literal[24, 168] = Field(24, description="Length of a period (h): a day or a week.")
    method: Literal["hierarchical", "kmeans", "kmedoids", "contiguous"] = Field(
        "hierarchical", description="tsam clustering method."
    )
    representation: Literal["medoid", "mean", "distribution", "distribution_minmax", "distribution_minmax_medoid"] = Field(
        "distribution_minmax_medoid",
        description="How a cluster is represented: a real member (medoid), the mean, or values that keep each "
        "series' duration curve within the cluster (distribution, optionally with the cluster's min and max; "
        "_medoid orders every series like the cluster's medoid, keeping their co-occurrence).",
    )
    keep_peak_demand: bool = Field(True, description="Keep the period with the highest total demand hour as an extreme period.")
    keep_peak_net_load: bool = Field(
        True,
        description="Also keep the period holding the highest net-load hour (MW): demand + data-center facility power − the "
        "output of the existing variable renewables (existing MW × capacity factor) — the hour that sizes firm capacity. "
        "Skipped when it is the peak-load period, or when periods leaves no room for a typical period.",
    )
    extreme_method: Literal["append", "new_cluster", "replace"] = Field(
        "append",
        description="How tsam keeps extreme periods: append (its own representative, weight 1 period), new_cluster (its own "
        "representative that also takes the periods closer to it than to their cluster), replace (the extreme "
        "replaces its cluster's representative, keeping the cluster's weight).",
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight of a series in the clustering (unitless, > 0; default 1 each): keys total_load_mw, net_load_mw "
        "(with keep_peak_net_load), an input variable for all its columns (demand_mw, availability_per_unit, dc_baseline_mw, "
        "...), or variable|label for one column (availability_per_unit|isone_wind).",
    )
    preserve_means: bool = Field(
        True,
        description="Rescale the representatives so each series' weighted mean equals the full horizon's (energy totals kept; "
        "tsam's preserve_column_means); false keeps medoid days exactly as they were measured.",
    )
    keep_lowest_mean_of: list[str] = Field(
        default_factory=list,
        description="Plant names whose period of lowest mean capacity factor is kept as an extreme period (e.g. a wind drought).",
    )
    link_storage: bool = Field(
        True,
        description="Link storage across the calendar sequence of periods (Kotzur et al. 2018); false = cyclic within each period.",
    )

    @field_validator("weights")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [f"{key} = {weight:g}" for key, weight in value.items() if not weight > 0]
        if bad:
            raise ValueError(f"weights must be > 0 (leave a series out to weigh it 1): {', '.join(bad)}")
        return value
