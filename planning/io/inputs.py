"""Scenario + data files → one ``xarray.Dataset`` of numbers, the only thing blocks read.

Dimensions
----------
``snapshot`` (datetime64 without a time zone, read as UTC: the hour that *begins* at the label),
``zone``, ``plant``, ``line``. Time series are aligned to these labels by
:class:`planning.io.timeseries.TimeSeriesReader` (by time stamp when the file has a time column).

Variables (units in the names)
------------------------------
* ``weight_h(snapshot)`` — hours each snapshot stands for; ``period(snapshot)`` — storage cycle index.
* ``demand_mw(zone, snapshot)``.
* per plant: ``plant_zone``, ``plant_technology``, ``plant_kind`` (thermal/variable/storage),
  ``existing_mw``, ``max_new_mw`` (inf = unlimited), ``can_retire``, ``annual_capex_per_mw``
  (capex × CRF), ``fixed_om_per_mw_year``, ``marginal_cost_per_mwh`` (fuel + variable O&M),
  ``emission_factor_t_per_mwh``, and for storage ``existing_mwh``, ``max_new_mwh``,
  ``annual_capex_per_mwh``, ``fixed_om_per_mwh_year``, ``charge_efficiency``,
  ``discharge_efficiency``, ``min_duration_h``, ``max_duration_h``, ``initial_soc_fraction``.
* ``availability_per_unit(plant, snapshot)`` — capacity factor of variable plants, the
  availability of thermal plants, 1 for storage.
* per line: ``line_from``, ``line_to``, ``line_existing_mw``, ``line_max_new_mw``,
  ``line_annual_cost_per_mw`` (capex × CRF + fixed O&M), ``line_loss_fraction``,
  ``line_reactance_pu`` (per unit on ``power_flow.base_mva``; NaN for a transport corridor).

Snapshots are ``attrs['snapshot_duration_h']`` hours long (``horizon.resolution_hours``; see
:mod:`planning.timeseries.resolution`); ``attrs['cyclic']`` (0/1) says whether operating state wraps around.

Attributes: ``voll_per_mwh``, ``allow_unserved_energy``, ``co2_price_per_t``, ``co2_cap_t`` (NaN
= none), ``currency``, ``scenario``, ``power_flow_formulation`` (cycles | ptdf). ``attrs['input_files']`` lists the files read;
``attrs['input_time_notes']`` the modelled hours filled at a file's edge (``edge_fill_hours``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from planning.config.scenario import Scenario
from planning.config.technologies import StorageTechnology, ThermalTechnology, VariableTechnology
from planning.errors import ScenarioError
from planning.io.datacenter_inputs import datacenter_arrays
from planning.io.site_inputs import site_arrays
from planning.logging import get_logger
from planning.io.timeseries import TimeSeriesReader
from planning.io.operations import add_operations_inputs
from planning.io.stress_inputs import apply_stress_events
from planning.timeseries.aggregate import aggregate_inputs
from planning.timeseries.resolution import coarsen_inputs


def snapshots(scenario: Scenario) -> pd.DatetimeIndex:
    """Hour-beginning UTC timestamps of the modelled hours (stored without a time zone)."""
    horizon = scenario.horizon
    start = pd.Timestamp(year=horizon.year, month=1, day=1) + pd.Timedelta(hours=horizon.start_hour)
    return pd.date_range(start, periods=horizon.hours, freq="h", name="snapshot")


def load_inputs(scenario: Scenario, aggregate: bool = True) -> xr.Dataset:
    """Read every data file the scenario names and assemble the model's numbers.

    ``aggregate=False`` returns the chronological hours even with representative periods (the
    stochastic workflow averages futures before clustering).

    Raises
    ------
    ScenarioError
        With every data problem found (missing files/columns, wrong length, NaN, out of range).
    """
    horizon = scenario.horizon
    window = slice(horizon.start_hour, horizon.start_hour + horizon.hours)
    reader = TimeSeriesReader(horizon.year, window)
    time = snapshots(scenario)
    n_hours = len(time)

    zones = list(scenario.zones)
    demand = np.zeros((len(zones), n_hours))
    for i, (name, zone) in enumerate(scenario.zones.items()):
        values = reader.read(zone.demand, f"zones.{name}.demand", lower=0)
        if values is not None:
            demand[i] = values[window]

    plants = list(scenario.plants)
    n_plants = len(plants)
    availability = np.ones((n_plants, n_hours))
    per_plant: dict[str, list] = {key: [] for key in (
        "plant_zone", "plant_technology", "plant_kind", "existing_mw", "max_new_mw", "can_retire",
        "annual_capex_per_mw", "fixed_om_per_mw_year", "marginal_cost_per_mwh", "emission_factor_t_per_mwh",
        "existing_mwh", "max_new_mwh", "annual_capex_per_mwh", "fixed_om_per_mwh_year",
        "charge_efficiency", "discharge_efficiency", "min_duration_h", "max_duration_h", "initial_soc_fraction",
    )}
    economics = scenario.economics
    for p, (name, plant) in enumerate(scenario.plants.items()):
        tech = scenario.technologies[plant.technology]
        crf = economics.capital_recovery_factor(tech.lifetime_years)
        marginal, emission = tech.variable_om_per_mwh, 0.0
        if isinstance(tech, ThermalTechnology):
            fuel = scenario.fuels[tech.fuel]
            marginal += fuel.price_per_mmbtu * tech.heat_rate_mmbtu_per_mwh
            emission = (
                tech.emission_factor_t_per_mwh
                if tech.emission_factor_t_per_mwh is not None
                else fuel.co2_t_per_mmbtu * tech.heat_rate_mmbtu_per_mwh
            )
            availability[p] = tech.availability
        elif isinstance(tech, VariableTechnology):
            values = reader.read(plant.profile, f"plants.{name}.profile", lower=0, upper=1)
            if values is not None:
                availability[p] = values[window]
        storage = isinstance(tech, StorageTechnology)
        row = {
            "plant_zone": plant.zone,
            "plant_technology": plant.technology,
            "plant_kind": tech.kind,
            "existing_mw": plant.existing_mw,
            "max_new_mw": np.inf if plant.max_new_mw is None else plant.max_new_mw,
            "can_retire": plant.can_retire,
            "annual_capex_per_mw": tech.capex_per_mw * crf,
            "fixed_om_per_mw_year": tech.fixed_om_per_mw_year,
            "marginal_cost_per_mwh": marginal,
            "emission_factor_t_per_mwh": emission,
            "existing_mwh": plant.existing_mwh if storage else 0.0,
            "max_new_mwh": (np.inf if plant.max_new_mwh is None else plant.max_new_mwh) if storage else 0.0,
            "annual_capex_per_mwh": tech.capex_per_mwh * crf if storage else 0.0,
            "fixed_om_per_mwh_year": tech.fixed_om_per_mwh_year if storage else 0.0,
            "charge_efficiency": tech.charge_efficiency if storage else np.nan,
            "discharge_efficiency": tech.discharge_efficiency if storage else np.nan,
            "min_duration_h": tech.min_duration_hours if storage else np.nan,
            "max_duration_h": (np.inf if tech.max_duration_hours is None else tech.max_duration_hours) if storage else np.nan,
            "initial_soc_fraction": plant.initial_soc_fraction if storage else np.nan,
        }
        for key, value in row.items():
            per_plant[key].append(value)

    card_problems: list[str] = []
    datacenter_vars, datacenter_coords = datacenter_arrays(scenario, time, reader, window, card_problems)
    site_vars, site_coords, site_attrs = site_arrays(scenario, time, reader, window, card_problems)
    if reader.problems or card_problems:
        raise ScenarioError(reader.problems + card_problems, title="invalid scenario data")
    for note in reader.notes:
        get_logger("inputs").warning(note)

    lines = list(scenario.transmission)
    per_line: dict[str, list] = {key: [] for key in (
        "line_from", "line_to", "line_existing_mw", "line_max_new_mw", "line_annual_cost_per_mw", "line_loss_fraction",
        "line_reactance_pu")}
    for name, line in scenario.transmission.items():
        crf = economics.capital_recovery_factor(line.lifetime_years)
        per_line["line_from"].append(line.from_zone)
        per_line["line_to"].append(line.to_zone)
        per_line["line_existing_mw"].append(line.existing_mw)
        per_line["line_max_new_mw"].append(line.max_new_mw)
        per_line["line_annual_cost_per_mw"].append(line.capex_per_mw * crf + line.fixed_om_per_mw_year)
        per_line["line_loss_fraction"].append(line.loss_fraction)
        reactance = line.reactance_per_unit(scenario.power_flow.base_mva)
        per_line["line_reactance_pu"].append(np.nan if reactance is None else reactance)   # NaN = transport corridor

    period = np.arange(n_hours) // horizon.period_hours
    data_vars = {
        "weight_h": (("snapshot",), np.full(n_hours, horizon.weight_h), {"units": "h"}),
        "period": (("snapshot",), period),
        "demand_mw": (("zone", "snapshot"), demand, {"units": "MW"}),
        "availability_per_unit": (("plant", "snapshot"), availability, {"units": "per unit of capacity"}),
    }
    data_vars.update({key: (("plant",), np.asarray(values)) for key, values in per_plant.items()})
    data_vars.update({key: (("line",), np.asarray(values, dtype=object if key in ("line_from", "line_to") else float)) for key, values in per_line.items()})
    data_vars.update(datacenter_vars)
    data_vars.update(site_vars)
    dataset = xr.Dataset(
        data_vars,
        coords={"snapshot": time, "zone": zones, "plant": plants, "line": lines, **datacenter_coords, **site_coords},
        attrs={
            "scenario": scenario.name,
            "currency": economics.currency,
            "voll_per_mwh": scenario.reliability.value_of_lost_load_per_mwh,
            "allow_unserved_energy": int(scenario.reliability.allow_unserved_energy),
            "co2_price_per_t": scenario.policy.co2_price_per_t,
            "co2_cap_t": np.nan if scenario.policy.co2_cap_t is None else scenario.policy.co2_cap_t,
            "power_flow_formulation": scenario.power_flow.formulation,
            "input_files": sorted(str(path) for path in reader.files),
            "input_time_notes": list(reader.notes),
            **site_attrs,
        },
    )
    dataset = add_operations_inputs(dataset, scenario)
    dataset = apply_stress_events(dataset, scenario)
    dataset = coarsen_inputs(dataset, horizon.resolution_hours)
    dataset.attrs["cyclic"] = int(horizon.cyclic)
    if aggregate and horizon.representative_periods is not None:
        dataset = aggregate_inputs(dataset, horizon.representative_periods)
    return dataset
