"""Spinning reserve and the planning reserve margin: hand-computable cases, and real data.

Tiny cases: weight 1 h, fuel 1 $/MMBtu (heat rate h → h $/MWh), cyclic horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO, tiny_scenario
from tests.optimization.test_commitment import real_case, thermal


def solar_case(tmp_path, reserves, battery_mwh=None):
    """Demand 100 MW for 2 h, all of it from free PV (100 MW, cf 1); a 100 MW base unit at
    10 $/MWh with minimum stable output 0.3 (30 MW) is off unless reserve needs it."""
    raw = tiny_scenario(tmp_path, [100, 100], columns={"cf": [1, 1]}, extra={
        "technologies": {"base": thermal(10, unit_size_mw=100, min_stable_output=0.3),
                         "pv": {"kind": "variable"},
                         "battery": {"kind": "storage", "charge_efficiency": 1.0, "discharge_efficiency": 1.0}},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "s": {"zone": "z", "technology": "pv", "existing_mw": 100, "max_new_mw": 0,
                         "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}}},
        "reserves": reserves,
    })
    if battery_mwh is not None:
        raw["plants"]["st"] = {"zone": "z", "technology": "battery", "existing_mw": 100, "max_new_mw": 0,
                               "existing_mwh": battery_mwh, "max_new_mwh": 0}
    return raw


def test_no_reserve_no_commitment(tmp_path, solve_raw):
    # PV serves everything for free; the base unit stays off: 0 $.
    results, solved = solve_raw(solar_case(tmp_path, {}))
    assert solved.objective == pytest.approx(0.0, abs=1e-9)
    assert "reserve_requirement_mw" not in results


@pytest.mark.parametrize("spinning", [{"fixed_mw": 50}, {"load_fraction": 0.5}])
def test_reserve_commits_a_unit_at_min_stable_output(tmp_path, solve_raw, spinning):
    # 50 MW of reserve (fixed, or 0.5 × 100 MW of load) can only come from the base unit's
    # headroom: committed at its minimum 30 MW (headroom 70 ≥ 50), PV curtailed 30.
    # Cost 2 h × 30 MWh × 10 $ = 600 $.
    results, solved = solve_raw(solar_case(tmp_path, {"spinning": spinning}))
    assert solved.objective == pytest.approx(600.0, rel=1e-9)
    np.testing.assert_allclose(results["generation_mw"].sel(plant="b").values, [30, 30], atol=1e-6)
    np.testing.assert_allclose(results["reserve_requirement_mw"].sel(zone="z").values, [50, 50], atol=1e-6)
    assert (results["reserve_provided_mw"].sel(zone="z").values >= 50 - 1e-6).all()


@pytest.mark.parametrize(("hours", "objective"), [
    # A 100 MW / 200 MWh battery (η = 1) sitting full covers 50 MW of reserve if it can hold it
    # for 4 h: 4 × 50 = 200 MWh ≤ 200 MWh → the base unit stays off, 0 $.
    (4.0, 0.0),
    # For 5 h it can offer only 200/5 = 40 MW; the other 10 MW need the base unit on at 30 MW:
    # 600 $ (as above).
    (5.0, 600.0),
])
def test_storage_energy_limits_its_reserve(tmp_path, solve_raw, hours, objective):
    raw = solar_case(tmp_path, {"spinning": {"fixed_mw": 50, "storage_duration_hours": hours}}, battery_mwh=200)
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, abs=1e-6)


def test_reserve_shortfall_penalty(tmp_path, solve_raw):
    # Penalty 1 $/MWh: leaving 50 MW short for 2 h costs 100 $ < committing the unit (600 $).
    results, solved = solve_raw(solar_case(tmp_path, {"spinning": {"fixed_mw": 50, "shortfall_penalty_per_mwh": 1.0}}))
    assert solved.objective == pytest.approx(100.0, rel=1e-9)
    np.testing.assert_allclose(results["reserve_shortfall_mw"].sel(zone="z").values, [50, 50], atol=1e-6)


@pytest.mark.parametrize(("largest_unit", "objective", "requirement"), [
    # Without contingency: the 100 MW unit A (10 $/MWh) serves 100 MW alone: 2 × 1000 = 2000 $.
    (False, 2000.0, 0.0),
    # With it: while A is online the zone needs 100 MW of reserve. A runs flat out (no headroom),
    # so all five 20 MW units of B must be committed (5 × 20 = 100 MW headroom), producing 0 but
    # paying no-load 0.1 MMBtu/MW/h × 100 MW × 1 $ = 10 $/h → 2000 + 2 × 10 = 2020 $.
    (True, 2020.0, 100.0),
])
def test_largest_online_unit(tmp_path, solve_raw, largest_unit, objective, requirement):
    raw = tiny_scenario(tmp_path, [100, 100], extra={
        "technologies": {"a": thermal(10, unit_size_mw=100), "b": thermal(20, unit_size_mw=20, no_load_fuel_mmbtu_per_mw_hour=0.1)},
        "plants": {"pa": {"zone": "z", "technology": "a", "existing_mw": 100, "max_new_mw": 0},
                   "pb": {"zone": "z", "technology": "b", "existing_mw": 100, "max_new_mw": 0}},
        "reserves": {"spinning": {"largest_unit": largest_unit}},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    np.testing.assert_allclose(results["reserve_requirement_mw"].sel(zone="z").values, requirement, atol=1e-6)
    if largest_unit:
        np.testing.assert_allclose(results["committed_units"].sel(plant="pb").values, [5, 5], atol=1e-6)


@pytest.mark.parametrize(("credit", "objective", "new_mw"), [
    # Peak 100 MW, margin 0.2 → firm ≥ 120 MW; the existing base (100 MW, credit = availability 1)
    # falls 20 MW short: build 20 MW of peaker at 1000 $/MW → 20000 $ + energy (100+80) × 10 $ = 21800 $.
    ({}, 21800.0, 20.0),
    # With the peaker's credit at 0.5 it takes 40 MW: 40000 + 1800 = 41800 $.
    ({"peak": 0.5}, 41800.0, 40.0),
])
def test_planning_reserve_margin(tmp_path, solve_raw, credit, objective, new_mw):
    raw = tiny_scenario(tmp_path, [100, 80], extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"base": thermal(10), "peak": thermal(30, capex=1000)},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "p": {"zone": "z", "technology": "peak"}},
        "reserves": {"planning_reserve_margin": 0.2, "capacity_credit": credit},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert float(results["new_mw"].sel(plant="p")) == pytest.approx(new_mw, rel=1e-9)
    assert float(results["firm_capacity_mw"]) == pytest.approx(120.0, rel=1e-9)


@pytest.mark.parametrize(("max_new_mw", "units", "unserved_mwh"), [
    # 1000 MW flat for 2 h, only new 100 MW units (1000 $/MW, 10 $/MWh). Requirement while a unit
    # is online: 0.1 × 1000 + 100 = 200 MW of headroom, so generation 1000 + reserve 200 needs
    # 12 units: 1.2e6 $ + 2000 MWh × 10 $ = 1,220,000 $, nothing shed. (Before 2026-11-30 the
    # contingency's big-M was (existing + peak)/S = 10 units: 400 MWh shed at VOLL.)
    (None, 12, 0.0),
    # A build limit that is not binding (15 units) gives the same plan.
    (1500.0, 12, 0.0),
    # 11 units at most: 1100 − 200 = 900 MW served, 100 MW shed for 2 h:
    # 1.1e6 + 1800 × 10 + 200 × 10000 = 3,118,000 $.
    (1100.0, 11, 200.0),
])
def test_largest_unit_contingency_with_expandable_units(tmp_path, solve_raw, max_new_mw, units, unserved_mwh):
    plant = {"zone": "z", "technology": "unit", "existing_mw": 0}
    if max_new_mw is not None:
        plant["max_new_mw"] = max_new_mw
    raw = tiny_scenario(tmp_path, [1000, 1000], extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"unit": thermal(10, capex=1000, unit_size_mw=100)},
        "plants": {"g": plant},
        "reserves": {"spinning": {"load_fraction": 0.1, "largest_unit": True}},
    })
    results, solved = solve_raw(raw)
    served_mwh = 2000.0 - unserved_mwh
    assert solved.objective == pytest.approx(units * 100 * 1000 + served_mwh * 10 + unserved_mwh * 10000, rel=1e-9)
    assert float(results["new_mw"].sel(plant="g")) == pytest.approx(units * 100, rel=1e-9)
    assert float((results["unserved_mw"] * results["weight_h"]).sum()) == pytest.approx(unserved_mwh, abs=1e-6)
    np.testing.assert_allclose(results["committed_units"].sel(plant="g").values, [units, units], atol=1e-6)
    np.testing.assert_allclose(results["reserve_requirement_mw"].sel(zone="z").values, [200, 200], atol=1e-6)


def test_contingency_bound_leaves_room_for_units_committed_to_ramp(tmp_path, solve_raw):
    # Demand 100 → 1000 MW (and back, cyclic); new 100 MW units ramping at most 0.1 of their size per
    # hour (10 MW/h each, also when starting or stopping): the 900 MW swing needs 90 units committed in
    # the high hour — far more than the load needs (12 with the reserve); the low hour needs
    # (100 + 110)/100 → at least 3. Capex 1 $/MW: 9000 $ + 1100 MWh × 10 $ = 20000 $, nothing shed;
    # requirement 0.1 × load + 100 = 110 and 200 MW. A bound on committed units that counted load
    # only (12) would shed ~780 MWh instead.
    raw = tiny_scenario(tmp_path, [100, 1000], extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"unit": thermal(10, capex=1, unit_size_mw=100, ramp_up_per_hour=0.1, ramp_down_per_hour=0.1)},
        "plants": {"g": {"zone": "z", "technology": "unit", "existing_mw": 0}},
        "reserves": {"spinning": {"load_fraction": 0.1, "largest_unit": True}},
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(20000.0, rel=1e-9)
    committed = results["committed_units"].sel(plant="g").values
    assert committed[1] == pytest.approx(90, abs=1e-6) and committed[0] >= 3 - 1e-6
    assert float(results["new_mw"].sel(plant="g")) == pytest.approx(9000.0, rel=1e-9)
    assert float(results["unserved_mw"].sum()) == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(results["reserve_requirement_mw"].sel(zone="z").values, [110, 200], atol=1e-6)


@pytest.mark.parametrize(("credit_hours", "objective", "peaker_mw", "battery_firm_mw"), [
    # A flat 4-hour peak of 100 MW, margin 0.5 → 150 MW firm. Base 100 MW (credit 1) and a
    # 50 MW / 50 MWh battery: with 4 h required it is firm for 50/4 = 12.5 MW, so 37.5 MW of peaker
    # (1000 $/MW) are built: 37500 + 400 MWh × 10 $ = 41500 $.
    (None, 41500.0, 37.5, 12.5),
    # Required duration 1 h: the battery counts its full 50 MW; no peaker: 4000 $.
    (1.0, 4000.0, 0.0, 50.0),
])
def test_storage_credit_is_limited_by_its_energy(tmp_path, solve_raw, credit_hours, objective, peaker_mw, battery_firm_mw):
    reserves = {"planning_reserve_margin": 0.5}
    if credit_hours is not None:
        reserves["storage_credit_duration_hours"] = credit_hours
    raw = tiny_scenario(tmp_path, [100, 100, 100, 100], extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"base": thermal(10), "peak": thermal(30, capex=1000),
                         "battery": {"kind": "storage", "charge_efficiency": 1.0, "discharge_efficiency": 1.0}},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "p": {"zone": "z", "technology": "peak"},
                   "st": {"zone": "z", "technology": "battery", "existing_mw": 50, "max_new_mw": 0, "existing_mwh": 50, "max_new_mwh": 0}},
        "reserves": reserves,
    })
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert float(results["new_mw"].sel(plant="p")) == pytest.approx(peaker_mw, abs=1e-6)
    assert float(results["firm_capacity_mw"]) == pytest.approx(150.0, rel=1e-9)
    assert float(results["firm_mw"].sel(plant="st")) == pytest.approx(battery_firm_mw, rel=1e-9)


def datacenter_prm_case(tmp_path, margin=0.2, curtailable_credit_mw=None):
    """Demand 100 and 60 MW; a 100 MW base unit (10 $/MWh) and a peaker to build (1000 $/MW, 30 $/MWh);
    a data center with flexible rating 40 MW, linear curve (work = power), 20 MWh of work arriving each
    hour, delay 2 h (it may move work freely within the 2-hour cyclic horizon), PUE 1.25."""
    from planning.config import validate_scenario
    from planning.io.inputs import load_inputs
    from tests.workflows.helpers import add_datacenter

    raw = tiny_scenario(tmp_path, [100, 60], extra={
        "economics": {"discount_rate": 0.0},
        "technologies": {"base": thermal(10), "peak": thermal(30, capex=1000)},
        "plants": {"b": {"zone": "z", "technology": "base", "existing_mw": 100, "max_new_mw": 0},
                   "p": {"zone": "z", "technology": "peak"}},
        "reserves": {"planning_reserve_margin": margin},
    })
    scenario = validate_scenario(raw)
    inputs = add_datacenter(load_inputs(scenario), arrived=20.0, rating=40.0, delay=2.0, pue=1.25)
    if curtailable_credit_mw is not None:
        inputs["dc_curtailable_credit_mw"] = (("datacenter",), np.array([curtailable_credit_mw]))
    return scenario, inputs


def solve_inputs(scenario, inputs):
    from planning.optimization.build import build_model
    from planning.optimization.results import collect_results
    from planning.optimization.solve import solve_model

    built = build_model(inputs)
    solved = solve_model(built.model, scenario.solver)
    assert solved.optimal, solved.status
    return collect_results(built.ctx, solved), solved


@pytest.mark.parametrize(("curtailable_credit_mw", "peaker_mw", "objective"), [
    # Hourly margin: firm ≥ 1.2 × (D_t + 1.25·P_t) in both hours, with P_0 + P_1 = 40 MWh of work.
    # The campus levels the load: 100 + 1.25·P_0 = 60 + 1.25·P_1 → P = (4, 36), load 105 MW in both
    # hours, firm 1.2 × 105 = 126 MW → 26 MW of peaker. Cost 26000 + 200 MWh × 10 + 10 MWh × 30 =
    # 28300 $. (Before 2026-11-30 the margin covered demand only: 20 MW of peaker, 22300 $.)
    (None, 26.0, 28300.0),
    # A contracted curtailable 20 MW at credit 0.5 counts as 10 MW firm: 16 MW of peaker, 18300 $.
    (10.0, 16.0, 18300.0),
])
def test_planning_reserve_margin_covers_datacenter_facility_power_every_hour(tmp_path, curtailable_credit_mw, peaker_mw, objective):
    scenario, inputs = datacenter_prm_case(tmp_path, curtailable_credit_mw=curtailable_credit_mw)
    results, solved = solve_inputs(scenario, inputs)
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert float(results["new_mw"].sel(plant="p")) == pytest.approx(peaker_mw, rel=1e-9)
    np.testing.assert_allclose(results["datacenter_facility_power_mw"].sel(datacenter="dc").values, [5.0, 45.0], atol=1e-6)
    assert float(results["firm_capacity_mw"]) == pytest.approx(126.0, rel=1e-9)
    assert float(results["planning_reserve_requirement_mw"]) == pytest.approx(126.0, rel=1e-9)


def test_spinning_share_covers_datacenter_facility_power(tmp_path):
    # Reserve 10 % of load; the campus runs inflexibly at 20 MW IT × PUE 1.25 = 25 MW:
    # requirement 0.1 × (100 + 25) = 12.5 and 0.1 × (60 + 25) = 8.5 MW (before: 10 and 6).
    scenario, inputs = datacenter_prm_case(tmp_path)
    inputs.attrs.update(reserve_load_fraction=0.1, planning_reserve_margin=float("nan"))
    inputs["reserve_zone"] = (("zone",), np.array([1]))
    inputs["dc_flexibility"] = (("datacenter",), np.array(["inflexible"], dtype=object))
    results, _ = solve_inputs(scenario, inputs)
    np.testing.assert_allclose(results["reserve_requirement_mw"].sel(zone="z").values, [12.5, 8.5], atol=1e-9)


def test_curtailable_credit_comes_from_the_datacenter_keys(tmp_path):
    from planning.config import load_scenario
    from planning.errors import ScenarioError
    from planning.io.inputs import load_inputs

    example = REPO / "scenarios" / "isone_datacenter_week.yaml"
    short = ["horizon.hours=24", "horizon.storage_cycle=day"]
    inputs = load_inputs(load_scenario(example, short))
    assert float(inputs["dc_curtailable_credit_mw"].sel(datacenter="campus")) == 0.0  # never by default
    inputs = load_inputs(load_scenario(example, [*short, "datacenters.campus.curtailable_mw=100", "datacenters.campus.curtailable_credit=0.4"]))
    assert float(inputs["dc_curtailable_credit_mw"].sel(datacenter="campus")) == pytest.approx(40.0, rel=1e-12)
    with pytest.raises(ScenarioError, match=r"datacenters\.campus\.curtailable_mw: 1e\+06 MW is more than the site's largest facility power"):
        load_inputs(load_scenario(example, [*short, "datacenters.campus.curtailable_mw=1e6", "datacenters.campus.curtailable_credit=0.4"]))


def test_reserve_met_in_every_snapshot_on_real_data(tmp_path):
    # 3 % of load + the largest online unit (a 500 MW CCGT) in every hour of three August days.
    outcome = real_case(tmp_path / "run", **{"reserves.spinning.load_fraction": 0.03, "reserves.spinning.largest_unit": "true"})
    balance = pd.read_csv(tmp_path / "run" / "balance.csv")
    reserves = pd.read_csv(tmp_path / "run" / "reserves.csv")
    commitment = pd.read_csv(tmp_path / "run" / "commitment.csv")
    assert (balance["reserve_provided_mw"] >= balance["reserve_requirement_mw"] - 1e-6).all()
    assert (balance["reserve_shortfall_mw"] == 0).all()
    ccgt_on = commitment[commitment["technology"] == "ccgt"].set_index("snapshot")["committed_units"] > 0.5
    base = 0.03 * balance.set_index("snapshot")["demand_mw"]
    requirement = balance.set_index("snapshot")["reserve_requirement_mw"]
    assert ccgt_on.any()
    np.testing.assert_allclose(requirement[ccgt_on.index[ccgt_on]], base[ccgt_on.index[ccgt_on]] + 500, atol=1e-6)
    # reserves.csv (per technology) adds up to the provided reserve of balance.csv.
    provided = reserves.groupby("snapshot")["reserve_mw"].sum()
    np.testing.assert_allclose(provided.reindex(balance["snapshot"]).to_numpy(), balance["reserve_provided_mw"].to_numpy(), atol=1e-6)
    assert outcome.solved.is_mip


def test_unknown_reserve_zone_and_credit_technology_are_reported(tmp_path):
    from planning.config import validate_scenario
    from planning.errors import ScenarioError

    raw = solar_case(tmp_path, {"spinning": {"zones": ["zz"]}, "capacity_credit": {"bsae": 0.5}})
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(raw)
    text = "\n".join(caught.value.problems)
    assert "reserves.spinning.zones: unknown zone 'zz'" in text
    assert "reserves.capacity_credit.bsae: unknown technology 'bsae' — did you mean 'base'?" in text
