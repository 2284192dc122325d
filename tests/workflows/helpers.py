"""Tiny operating cases built in code: a one-zone system and a hand-specified data center.

The data center is written straight into the inputs Dataset (the arrays
:mod:`planning.io.datacenter_inputs` would derive from a card), so every number is hand-set:
baseline 0, flexible rating N_f, a linear curve work = power (breakpoints (0, 0), (1, 1)),
work arriving A_t per hour, delay D, no binding ramp limit, PUE 1.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from planning.config import validate_scenario
from planning.io.inputs import load_inputs
from planning.workflows.signal_response import fixed_capacity_inputs
from tests.conftest import tiny_scenario

THERMAL = {"kind": "thermal", "heat_rate_mmbtu_per_mwh": 1.0, "capex_per_mw": 0.0, "fixed_om_per_mw_year": 0.0,
           "variable_om_per_mwh": 0.0, "lifetime_years": 30}


def scenario_and_inputs(folder, demand, plants, technologies, fuels, extra=None, arrived=10.0, rating=20.0, delay=3.0, columns=None):
    """(Scenario, inputs with fixed capacities and one data center 'dc' in zone 'z')."""
    raw = tiny_scenario(folder, demand, extra={"technologies": technologies, "plants": plants, "fuels": fuels,
                                               "horizon": {"year": 2021, "start_hour": 0, "hours": len(demand), "scale_to_year": False},
                                               **(extra or {})}, columns=columns)
    scenario = validate_scenario(raw)
    inputs = fixed_capacity_inputs(load_inputs(scenario))
    return scenario, add_datacenter(inputs, arrived=arrived, rating=rating, delay=delay)


def add_datacenter(inputs: xr.Dataset, arrived: float, rating: float, delay: float, pue: float = 1.0) -> xr.Dataset:
    n = inputs.sizes["snapshot"]
    one = lambda value: (("datacenter",), np.array([value]))  # noqa: E731
    series = lambda values: (("datacenter", "snapshot"), np.asarray(values, float).reshape(1, n))  # noqa: E731
    empty = [name for name, var in inputs.variables.items() if "datacenter" in var.dims or "breakpoint" in var.dims]
    inputs = inputs.drop_vars(empty)
    return inputs.assign_coords(datacenter=["dc"], breakpoint=[0, 1]).assign(
        dc_zone=one("z"), dc_it_capacity_mw=one(rating), dc_flexible_rating_mw=one(rating), dc_max_delay_h=one(delay),
        dc_ramp_mw_per_h=one(1e4), dc_flexibility=(("datacenter",), np.array(["learned"], dtype=object)),
        dc_formulation=(("datacenter",), np.array(["cuts"], dtype=object)), dc_card_file=(("datacenter",), np.array([""], dtype=object)),
        dc_baseline_mw=series(np.zeros(n)), dc_observed_flexible_mw=series(np.full(n, arrived)),
        dc_work_arrived=series(np.full(n, arrived)), dc_pue=series(np.full(n, pue)),
        dc_curve_x=(("datacenter", "breakpoint"), np.array([[0.0, 1.0]])), dc_curve_y=(("datacenter", "breakpoint"), np.array([[0.0, 1.0]])),
        dc_operating_min_per_unit=one(0.0), dc_operating_max_per_unit=one(1.0),   # the whole curve: 0..N_f
    )
