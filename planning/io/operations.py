"""Unit-commitment and reserve numbers of a scenario, added to the inputs Dataset.

Called by :func:`planning.io.inputs.load_inputs`. Adds, per plant (NaN where not applicable):

* ``unit_size_mw`` — NaN unless the plant's technology is thermal with ``unit_size_mw`` and
  ``unit_commitment.mode`` is not ``off`` (NaN = not committed);
* ``min_stable_output`` (fraction), ``min_up_h``, ``min_down_h`` (h),
  ``startup_cost_per_mw`` (currency per MW of unit size per start, including start-up fuel),
  ``startup_emission_t_per_mw`` (t CO2 per MW per start), ``no_load_cost_per_mw_h`` and
  ``no_load_emission_t_per_mw_h`` (per MW of committed size per hour),
  ``ramp_up_per_h`` / ``ramp_down_per_h`` (fraction of unit size per hour; NaN = no limit);
  ``shutdown_cost_per_mw`` (currency per MW of unit size per shut-down); ``initial_units_online`` and
  ``initial_hours_in_state`` (h, inf = long enough) for non-cyclic horizons;
* ``capacity_credit`` (fraction of power capacity counted as firm);

and attributes ``unit_commitment_mode``, ``unit_commitment_integer_build`` (0/1),
``reserve_load_fraction``, ``reserve_fixed_mw``, ``reserve_largest_unit`` (0/1),
``reserve_storage_duration_h``, ``reserve_shortfall_penalty_per_mwh`` (NaN = hard),
``planning_reserve_margin`` (NaN = none), ``storage_credit_duration_h``, ``startup_cost_weighting``, and ``reserve_zone(zone)`` (1 if the zone holds
spinning reserve).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from planning.config.scenario import Scenario
from planning.config.technologies import StorageTechnology, ThermalTechnology


def add_operations_inputs(dataset: xr.Dataset, scenario: Scenario) -> xr.Dataset:
    """Return ``dataset`` with the unit-commitment and reserve variables and attributes."""
    mode = scenario.unit_commitment.mode
    keys = ("unit_size_mw", "min_stable_output", "min_up_h", "min_down_h", "startup_cost_per_mw", "startup_emission_t_per_mw",
            "no_load_cost_per_mw_h", "no_load_emission_t_per_mw_h", "ramp_up_per_h", "ramp_down_per_h", "capacity_credit",
            "shutdown_cost_per_mw", "initial_units_online", "initial_hours_in_state")
    values: dict[str, list[float]] = {key: [] for key in keys}
    credit = scenario.reserves.capacity_credit
    for name in dataset["plant"].values:
        plant = scenario.plants[str(name)]
        tech = scenario.technologies[plant.technology]
        row = dict.fromkeys(keys, np.nan)
        if isinstance(tech, ThermalTechnology):
            row["capacity_credit"] = credit.get(plant.technology, tech.availability)
            if tech.unit_size_mw is not None and mode != "off":
                fuel = scenario.fuels[tech.fuel]
                row.update(
                    unit_size_mw=tech.unit_size_mw,
                    min_stable_output=tech.min_stable_output,
                    min_up_h=float(tech.min_up_hours),
                    min_down_h=float(tech.min_down_hours),
                    startup_cost_per_mw=tech.startup_cost_per_mw + tech.startup_fuel_mmbtu_per_mw * fuel.price_per_mmbtu,
                    startup_emission_t_per_mw=tech.startup_fuel_mmbtu_per_mw * fuel.co2_t_per_mmbtu,
                    no_load_cost_per_mw_h=tech.no_load_fuel_mmbtu_per_mw_hour * fuel.price_per_mmbtu,
                    no_load_emission_t_per_mw_h=tech.no_load_fuel_mmbtu_per_mw_hour * fuel.co2_t_per_mmbtu,
                    ramp_up_per_h=np.nan if tech.ramp_up_per_hour is None else tech.ramp_up_per_hour,
                    ramp_down_per_h=np.nan if tech.ramp_down_per_hour is None else tech.ramp_down_per_hour,
                    shutdown_cost_per_mw=tech.shutdown_cost_per_mw,
                    initial_units_online=plant.initial_units_online,
                    initial_hours_in_state=np.inf if plant.initial_hours_in_state is None else plant.initial_hours_in_state,
                )
        elif isinstance(tech, StorageTechnology):
            row["capacity_credit"] = credit.get(plant.technology, 1.0)
        else:
            row["capacity_credit"] = credit.get(plant.technology, 0.0)
        for key in keys:
            values[key].append(row[key])
    dataset = dataset.assign({key: (("plant",), np.asarray(column, dtype=float)) for key, column in values.items()})

    spinning = scenario.reserves.spinning
    zones = [str(z) for z in dataset["zone"].values]
    holds = [1 if spinning is not None and (spinning.zones is None or z in spinning.zones) else 0 for z in zones]
    dataset["reserve_zone"] = (("zone",), np.asarray(holds, dtype=int))
    margin = scenario.reserves.planning_reserve_margin
    dataset.attrs.update(
        {
            "unit_commitment_mode": mode,
            "unit_commitment_integer_build": int(scenario.unit_commitment.integer_build),
            "reserve_load_fraction": spinning.load_fraction if spinning else 0.0,
            "reserve_fixed_mw": spinning.fixed_mw if spinning else 0.0,
            "reserve_largest_unit": int(spinning.largest_unit) if spinning else 0,
            "reserve_storage_duration_h": spinning.storage_duration_hours if spinning else 1.0,
            "reserve_shortfall_penalty_per_mwh": np.nan if spinning is None or spinning.shortfall_penalty_per_mwh is None else spinning.shortfall_penalty_per_mwh,
            "planning_reserve_margin": np.nan if margin is None else margin,
            "storage_credit_duration_h": scenario.reserves.storage_credit_duration_hours,
            "startup_cost_weighting": scenario.unit_commitment.startup_cost_weighting,
        }
    )
    return dataset
