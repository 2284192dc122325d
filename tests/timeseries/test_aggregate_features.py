"""What tsam clusters on: the peak period kept is the peak of demand + data-center facility power, and
stress flags and line availability stay chronological (not clustered, not rescaled).

Synthetic inputs, 20 days, built here so every expected value is known by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from planning.config.representative_periods import RepresentativePeriods
from planning.timeseries.aggregate import aggregate_inputs

DAYS = 20


def synthetic_inputs(stress: bool = False) -> xr.Dataset:
    hours = DAYS * 24
    time = pd.date_range("2021-07-01", periods=hours, freq="h")
    rng = np.random.default_rng(7)
    hour = np.arange(hours) % 24
    demand = 700 + 150 * np.sin((hour - 6) / 24 * 2 * np.pi) + rng.normal(0, 10, hours)
    demand = np.clip(demand, 0, 880)
    # Day 3, 12:00: the highest demand hour (1000 MW). Day 11, 18:00: demand 950 MW, but the campus
    # draws 200 MW of facility power then (50 MW otherwise): demand + facility = 1150 > 1050.
    demand[3 * 24 + 12] = 1000.0
    demand[11 * 24 + 18] = 950.0
    baseline = np.full(hours, 30.0)
    flexible = np.full(hours, 20.0)
    flexible[11 * 24 + 18] = 170.0
    wind = np.clip(0.4 + 0.3 * np.sin(np.arange(hours) / 37.0) + rng.normal(0, 0.05, hours), 0.05, 1)
    # Net load (load − 500 MW of wind × cf): day 15, 20:00 has demand 990 MW and no wind → 990 + 50 = 1040 MW,
    # above day 11 (1150 − 250 = 900) and day 3 (1050 − 250 = 800); elsewhere ≤ 880 + 50 − 25.
    wind[[3 * 24 + 12, 11 * 24 + 18]] = 0.5
    demand[15 * 24 + 20], wind[15 * 24 + 20] = 990.0, 0.0
    data = {
        "weight_h": (("snapshot",), np.full(hours, 8760 / hours)),
        "period": (("snapshot",), np.zeros(hours, dtype=int)),
        "demand_mw": (("zone", "snapshot"), demand[None, :]),
        "availability_per_unit": (("plant", "snapshot"), np.vstack([np.ones(hours), wind])),
        "dc_baseline_mw": (("datacenter", "snapshot"), baseline[None, :]),
        "dc_observed_flexible_mw": (("datacenter", "snapshot"), flexible[None, :]),
        "dc_work_arrived": (("datacenter", "snapshot"), 0.8 * flexible[None, :]),
        "dc_pue": (("datacenter", "snapshot"), np.ones((1, hours))),
        "plant_kind": (("plant",), np.array(["thermal", "variable"], dtype=object)),
        "existing_mw": (("plant",), np.array([1000.0, 500.0])),
    }
    if stress:
        active = np.zeros(hours)
        active[5 * 24: 6 * 24] = 1.0
        availability = np.ones((1, hours))
        availability[0, 5 * 24: 6 * 24] = 0.5
        data["stress_active"] = (("snapshot",), active)
        data["line_availability"] = (("line", "snapshot"), availability)
    coords = {"snapshot": time, "zone": ["z"], "plant": ["gas", "wind"], "datacenter": ["campus"], "line": ["l"]}
    return xr.Dataset(data, coords=coords)


def _facility_total(dataset: xr.Dataset) -> np.ndarray:
    facility = (dataset["dc_pue"] * (dataset["dc_baseline_mw"] + dataset["dc_observed_flexible_mw"])).sum("datacenter")
    return (dataset["demand_mw"].sum("zone") + facility).values


def test_peak_period_is_the_peak_of_demand_plus_datacenter_load():
    inputs = synthetic_inputs()
    assert _facility_total(inputs).max() == pytest.approx(1150.0)
    reduced = aggregate_inputs(inputs, RepresentativePeriods(periods=4))
    starts = pd.DatetimeIndex(reduced["representative_start"].values)
    # Day 11 is its own representative (weight one day), labelled with itself, and keeps its peak hour.
    day_11 = pd.Timestamp("2021-07-12")
    kept = int(reduced["representative_of_period"].values[11])
    assert list(reduced["representative_of_period"].values).count(kept) == 1
    assert starts[11] == day_11
    assert _facility_total(reduced).max() == pytest.approx(1150.0, rel=1e-9)


def test_stress_flags_and_line_availability_stay_chronological():
    plain = aggregate_inputs(synthetic_inputs(), RepresentativePeriods(periods=5))
    stressed_inputs = synthetic_inputs(stress=True)
    stressed = aggregate_inputs(stressed_inputs, RepresentativePeriods(periods=5))
    # The flags do not move the clustering ...
    np.testing.assert_array_equal(stressed["representative_of_period"].values, plain["representative_of_period"].values)
    # ... and each representative carries the flags of the calendar day it is labelled with, unscaled.
    labels = pd.DatetimeIndex(stressed["snapshot"].values)
    source = stressed_inputs.sel(snapshot=labels)
    np.testing.assert_array_equal(stressed["stress_active"].values, source["stress_active"].values)
    np.testing.assert_array_equal(stressed["line_availability"].values, source["line_availability"].values)
    assert set(np.unique(stressed["stress_active"].values)) <= {0.0, 1.0}


def _own_representative(reduced: xr.Dataset, day: int) -> bool:
    kept = int(reduced["representative_of_period"].values[day])
    return list(reduced["representative_of_period"].values).count(kept) == 1


def test_peak_net_load_period_is_kept_too():
    inputs = synthetic_inputs()
    net = _facility_total(inputs) - 500.0 * inputs["availability_per_unit"].sel(plant="wind").values
    assert int(np.argmax(net)) == 15 * 24 + 20 and net.max() == pytest.approx(1040.0)
    reduced = aggregate_inputs(inputs, RepresentativePeriods(periods=5, keep_peak_net_load=True))
    assert _own_representative(reduced, 11) and _own_representative(reduced, 15)
    assert reduced.attrs["representative_periods"] == 5
    # Without it, day 15 is averaged into a cluster.
    assert not _own_representative(aggregate_inputs(inputs, RepresentativePeriods(periods=5, keep_peak_net_load=False)), 15)


def test_extreme_replace_keeps_the_number_of_clusters_and_the_peak():
    reduced = aggregate_inputs(synthetic_inputs(), RepresentativePeriods(periods=4, extreme_method="replace"))
    assert reduced.attrs["representative_periods"] == 4
    assert _facility_total(reduced).max() == pytest.approx(1150.0, rel=1e-9)


def test_unknown_weight_key_names_the_key_and_the_choices():
    from planning.errors import ScenarioError

    with pytest.raises(ScenarioError) as error:
        aggregate_inputs(synthetic_inputs(), RepresentativePeriods(periods=4, weights={"wind_cf": 2.0}))
    message = str(error.value)
    assert "horizon.representative_periods.weights.wind_cf: no such series" in message
    assert "availability_per_unit" in message and "total_load_mw" in message


@pytest.mark.parametrize("preserve", [False, True])
def test_medoid_days_unscaled_without_mean_preservation(preserve):
    # A medoid representative is a measured day; labelled with that day, it equals it exactly
    # unless tsam rescales the representatives to preserve each series' mean.
    inputs = synthetic_inputs()
    reduced = aggregate_inputs(inputs, RepresentativePeriods(periods=4, representation="medoid", keep_peak_demand=False,
                                                             preserve_means=preserve))
    measured = inputs.sel(snapshot=pd.DatetimeIndex(reduced["snapshot"].values))["demand_mw"].values
    same = np.allclose(reduced["demand_mw"].values, measured, rtol=1e-12)
    assert same == (not preserve)
    if preserve:  # the weighted mean is the full horizon's
        weighted = float((reduced["demand_mw"] * reduced["weight_h"]).sum() / reduced["weight_h"].sum())
        assert weighted == pytest.approx(float(inputs["demand_mw"].mean()), rel=1e-9)
