"""Data-center siting and sizing (planning/optimization/blocks/datacenter_siting.py), hand-computed.

Cases from :mod:`tests.optimization.site_cases`: two hours of weight 1 h, utilisation b = 0.5,
zone a's gas at 30 $/MWh, zone b's at 40 $/MWh, no zonal demand, no corridor.
Energy per MW of IT rating over the two hours: b·PUE·2 h = 0.5·1.2·2 = 1.2 MWh, so
zone a: 1.2·30 = 36 $/MW, zone b: 1.2·40 = 48 $/MW.
"""

from __future__ import annotations

import numpy as np
import pytest

from planning.config import validate_scenario
from planning.errors import PlanningError, ScenarioError
from planning.io.inputs import load_inputs
from tests.optimization.site_cases import site, two_zone_case


def siting_case(tmp_path, capex_a: float, capex_b: float, max_a=150.0, fixed_a=0.0, requirement=None, **section):
    return two_zone_case(tmp_path, 30, 40, sites={
        "site_a": site("a", max_a, pue=1.2, interconnection_capex_per_mw=capex_a, fixed_capex=fixed_a),
        "site_b": site("b", 150, pue=1.2, interconnection_capex_per_mw=capex_b)},
        requirement=requirement or {"firm_it_mw": 100}, temporal_flexibility=False, **section)


@pytest.mark.parametrize(("capex_a", "chosen", "objective"), [
    # a: 36 + 20 = 56 $/MW > b: 48 + 5 = 53 $/MW → b takes the 100 MW: 5300 $
    (20.0, "site_b", 5300.0),
    # a: 36 + 10 = 46 $/MW < 53 → a takes the 100 MW: 4600 $
    (10.0, "site_a", 4600.0),
])
def test_the_cheaper_site_energy_plus_interconnection_takes_the_requirement(tmp_path, solve_raw, capex_a, chosen, objective):
    results, solved = solve_raw(siting_case(tmp_path, capex_a, 5.0))
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    it_mw = results["site_it_mw"].to_series()
    assert it_mw[chosen] == pytest.approx(100.0, abs=1e-6)
    assert it_mw.sum() == pytest.approx(100.0, abs=1e-6)
    # Facility power 1.2 × 0.5 × 100 = 60 MW in the chosen site's zone, every hour; it is the zone's datacenter_mw.
    zone = "a" if chosen == "site_a" else "b"
    np.testing.assert_allclose(results["datacenter_mw"].sel(zone=zone).values, [60.0, 60.0], atol=1e-6)
    np.testing.assert_allclose(results["site_facility_power_mw"].sel(site=chosen).values, [60.0, 60.0], atol=1e-6)


def test_interconnection_fixed_om_counts_per_mw_year(tmp_path, solve_raw):
    """a: 36 + 10 (capex) + 10 (fixed O&M per MW-year) = 56 $/MW > b's 53 → b: 5300 $."""
    raw = siting_case(tmp_path, 10.0, 5.0)
    raw["datacenter_sites"]["candidates"]["site_a"]["interconnection_fixed_om_per_mw_year"] = 10.0
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(5300.0, rel=1e-9)
    assert results["site_it_mw"].sel(site="site_b").item() == pytest.approx(100.0, abs=1e-6)


def test_reserves_cover_the_sites_load(tmp_path, solve_raw):
    """Planning reserve margin 20 % over the sites' load: 100 MW at a (46 $/MW, energy from gas at 30 $/MWh) draw
    1.2·0.5·100 = 60 MW; no gas exists anywhere (b's is removed: the margin is system-wide), a's costs 1 $/MW-year to
    build → firm ≥ 1.2·60 = 72 MW built (60 without the sites' load in the margin): 100·46 + 72·1 = 4672 $."""
    raw = siting_case(tmp_path, 10.0, 5.0)
    raw["plants"]["ga"].update(existing_mw=0, max_new_mw=None)
    raw["plants"]["gb"].update(existing_mw=0)
    raw["technologies"]["gas_a"]["capex_per_mw"] = 1.0
    raw["reserves"] = {"planning_reserve_margin": 0.2}
    results, solved = solve_raw(raw)
    assert results["new_mw"].sel(plant="ga").item() == pytest.approx(72.0, abs=1e-6)
    assert solved.objective == pytest.approx(100 * 46.0 + 72.0, rel=1e-9)


def test_work_requirement_in_it_mwh_sizes_the_fleet(tmp_path, solve_raw):
    """150 IT-MWh over the two hours at b = 0.5: each MW brings 0.5·2 = 1 IT-MWh → 150 MW, split 150 at a (46 $/MW)."""
    results, solved = solve_raw(siting_case(tmp_path, 10.0, 5.0, requirement={"work_it_mwh_per_year": 150}))
    assert results["site_it_mw"].sel(site="site_a").item() == pytest.approx(150.0, abs=1e-6)
    assert solved.objective == pytest.approx(150 * 46.0, rel=1e-9)
    work = float((results["site_as_arrived_it_mw"] * results["weight_h"]).sum())
    assert work == pytest.approx(150.0, abs=1e-6)


def test_site_binaries_pay_the_whole_fixed_cost(tmp_path, solve_raw):
    """Site a: 46 $/MW and a fixed cost of 1000 $, room for 200 MW; b: 53 $/MW.

    LP (no binaries): the fixed cost is spread as 1000/200 = 5 $/MW → a at 51 $/MW wins: 100·51 = 5100 $
    (an under-estimate: a half-full site pays half its fixed cost). With site_binaries, a costs
    100·46 + 1000 = 5600 $ > b's 5300 $ → b."""
    results, solved = solve_raw(siting_case(tmp_path, 10.0, 5.0, max_a=200.0, fixed_a=1000.0))
    assert solved.objective == pytest.approx(5100.0, rel=1e-9)
    assert results["site_it_mw"].sel(site="site_a").item() == pytest.approx(100.0, abs=1e-6)
    results, solved = solve_raw(siting_case(tmp_path, 10.0, 5.0, max_a=200.0, fixed_a=1000.0, site_binaries=True))
    assert solved.objective == pytest.approx(5300.0, rel=1e-9)
    assert results["site_it_mw"].sel(site="site_b").item() == pytest.approx(100.0, abs=1e-6)
    assert results["site_opened"].to_series().to_dict() == {"site_a": 0.0, "site_b": 1.0}


def test_a_site_not_yet_available_is_not_built(tmp_path, solve_raw):
    """Site a is cheaper (46 $/MW) but only from 2031; the fleet serves in 2030 → b: 5300 $."""
    raw = siting_case(tmp_path, 10.0, 5.0, in_service_year=2030)
    raw["datacenter_sites"]["candidates"]["site_a"]["earliest_year"] = 2031
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(5300.0, rel=1e-9)
    assert results["site_it_mw"].sel(site="site_a").item() == pytest.approx(0.0, abs=1e-9)


def contract_case(tmp_path, price: float) -> dict:
    """One site in zone a (100 MW, min = max, PUE 1, b = 0.5, deferrable share ≤ 0.5, delay 1 h); zone a has 100 MW of
    gas at 10 $/MWh and unlimited gas at 50 $/MWh; demand 0 MW in hour 0 and 100 MW in hour 1.

    Without flexibility: hour 0 load 50 MW (cheap), hour 1 150 MW = 100 cheap + 50 dear:
    50·10 + 100·10 + 50·50 = 4000 $. With F MW contracted (F ≤ 0.5·100 = 50), the contracted fleet's work
    (0.5·F MWh an hour) of hour 1 runs in hour 0 (waits 1 h, cyclic): 0.5·F MWh move from 50 $ to 10 $,
    worth 0.5·40 = 20 $ per contracted MW (hour 0 stays within the cheap 100 MW: 50 + 0.5·50 = 75).
    So F = 50 when the price is below 20 $/MW (cost 4000 − 50·(20 − price)), F = 0 above."""
    raw = two_zone_case(tmp_path, 10, 50, demand_a=(0.0, 100.0), sites={"dc": site("a", 100, min_it_mw=100)},
                        requirement={"firm_it_mw": 100}, flexibility_price_per_mw_year=price)
    raw["technologies"]["dear"] = raw["technologies"]["gas_b"]
    raw["plants"]["ga"]["existing_mw"] = 100
    raw["plants"]["gb"]["zone"] = "a"
    raw["plants"]["gb"]["technology"] = "dear"
    return raw


@pytest.mark.parametrize(("price", "contracted", "objective"), [
    (19.9, 50.0, 4000.0 - 50 * (20.0 - 19.9)),   # 3995 $
    (20.1, 0.0, 4000.0),
])
def test_flexibility_is_contracted_exactly_when_its_price_is_below_its_value(tmp_path, solve_raw, price, contracted, objective):
    results, solved = solve_raw(contract_case(tmp_path, price))
    assert solved.objective == pytest.approx(objective, rel=1e-9)
    assert results["site_flexible_contract_mw"].sel(site="dc").item() == pytest.approx(contracted, abs=1e-6)
    # Work balance: every MWh of work that arrived at the contracted fleet is done (cyclic backlog).
    arrived = float(results["site_work_arrived_mwh"].sum())
    assert float(results["site_work_done_mwh"].sum()) == pytest.approx(arrived, abs=1e-6)
    assert arrived == pytest.approx(0.5 * contracted * 2, abs=1e-6)
    # IT energy over the horizon is the work as it arrives (0.5·100·2 = 100 MWh), only its timing moves.
    assert float(results["site_it_power_mw"].sum()) == pytest.approx(100.0, abs=1e-6)
    if contracted:
        np.testing.assert_allclose(results["site_it_power_mw"].sel(site="dc").values, [75.0, 25.0], atol=1e-6)


def test_contract_share_above_the_card_is_an_error(tmp_path):
    raw = contract_case(tmp_path, 1.0)
    raw["datacenter_sites"]["candidates"]["dc"]["max_flexible_share"] = 0.8
    with pytest.raises(ScenarioError, match=r"datacenter_sites.candidates.dc.max_flexible_share: 0.8 is more than card"):
        load_inputs(validate_scenario(raw))


def test_bad_site_references_are_reported_together(tmp_path):
    raw = siting_case(tmp_path, 10.0, 5.0, workload_shifting={"sites": ["site_a", "site_c"]})
    raw["datacenter_sites"]["candidates"]["site_b"]["zone"] = "bb"
    with pytest.raises(PlanningError) as error:
        validate_scenario(raw)
    text = str(error.value)
    assert "datacenter_sites.candidates.site_b.zone: unknown zone 'bb'" in text
    assert "datacenter_sites.workload_shifting.sites: unknown site 'site_c'" in text


def test_a_requirement_beyond_the_candidates_is_an_error(tmp_path):
    raw = siting_case(tmp_path, 10.0, 5.0, requirement={"firm_it_mw": 400})
    with pytest.raises(ScenarioError, match=r"datacenter_sites.requirement.firm_it_mw: 400 MW is more than the candidates can host \(300 MW"):
        load_inputs(validate_scenario(raw))


def test_run_writes_sites_and_site_load_with_units(tmp_path):
    """planning run's folder: datacenter_sites.csv (the choice), datacenter_site_load.csv (per hour) and the same in
    results.nc with units; the 100 MW at b (case of the first test, a at 56 $/MW) draw 60 MW of facility power."""
    import pandas as pd

    from planning.io.writers import open_results, undeclared_units
    from planning.workflows.run import run_scenario

    raw = siting_case(tmp_path, 20.0, 5.0)
    raw["carbon"] = {"technology_rows": {"gas_a": "ccgt", "gas_b": "ccgt"}}
    outcome = run_scenario(validate_scenario(raw), tmp_path / "out")
    sites = pd.read_csv(tmp_path / "out" / "datacenter_sites.csv").set_index("site")
    assert sites.loc["site_b", "it_mw"] == pytest.approx(100.0, abs=1e-6)
    assert sites.loc["site_b", "zone"] == "b"
    assert sites.loc["site_b", "facility_energy_mwh"] == pytest.approx(120.0, abs=1e-6)
    load = pd.read_csv(tmp_path / "out" / "datacenter_site_load.csv")
    assert len(load) == 4 and load.loc[load.site == "site_b", "facility_power_mw"].tolist() == pytest.approx([60.0, 60.0])
    summary = outcome.summary.set_index("metric")["value"]
    assert summary["sited_it_mw"] == pytest.approx(100.0, abs=1e-6)
    results = open_results(tmp_path / "out" / "results.nc")
    assert results["site_facility_power_mw"].attrs["units"] == "MW"
    assert results["site_it_mw"].sel(site="site_b").item() == pytest.approx(100.0, abs=1e-6)
    assert not [name for name in undeclared_units(outcome.results) if name.startswith("site")]


def test_eastern_siting_scenario_inputs():
    """scenarios/eastern_us_siting.yaml: a 2 GW candidate in each of the 9 zones, 5 GW firm; the interconnection
    179,490 $/MW over 40 years at 7 %: CRF = 0.07/(1 − 1.07^−40) = 0.075009, so 13,463 + 3,590 fixed O&M
    = 17,053 $/MW-year; the movable share is the batch class's 0.3."""
    from planning.config import load_scenario
    from tests.conftest import REPO

    inputs = load_inputs(load_scenario(REPO / "scenarios" / "eastern_us_siting.yaml"))
    assert list(inputs["site_zone"].values) == ["ISNE", "NYIS", "PJM", "MISO_NC", "MISO_S", "SWPP_N", "SWPP_S", "SERTP", "FRCC"]
    np.testing.assert_allclose(inputs["site_max_it_mw"].values, 2000.0)
    np.testing.assert_allclose(inputs["site_annual_cost_per_mw"].values, 179490 * 0.07 / (1 - 1.07 ** -40) + 3590, rtol=1e-12)
    assert inputs["site_annual_cost_per_mw"].values[0] == pytest.approx(17053, abs=1)
    np.testing.assert_allclose(inputs["site_movable_share"].values, 0.3)
    assert inputs.attrs["site_requirement_firm_it_mw"] == 5000
    assert inputs.sizes["snapshot"] == 12 * 24


def test_a_non_cyclic_horizon_cannot_do_work_before_it_arrives(tmp_path, solve_raw):
    """contract_case with horizon.cyclic: false: hour 1's work cannot wrap to hour 0, and waiting moves hour 0's work
    from 10 $ to 50 $: nothing is worth contracting even at 19.9 $/MW → 4000 $, the backlog ends empty."""
    raw = contract_case(tmp_path, 19.9)
    raw["horizon"]["cyclic"] = False
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(4000.0, rel=1e-9)
    assert results["site_flexible_contract_mw"].sel(site="dc").item() == pytest.approx(0.0, abs=1e-6)


def test_sites_are_one_decision_for_every_future(tmp_path):
    """Futures (stochastic planning): zone a's gas costs 30 or 60 $/MWh with probability 0.5 each (its own fuel at 1 or 2
    $/MMBtu), b's 40 $/MWh. Per MW over the two hours (1.2 MWh): a 36 or 72 → expected 54 $; b 48 $. The sites are
    first-stage: b takes the 100 MW in both futures, expected cost 4800 $. (Were they per future, the cheap future would
    site at a: 0.5·3600 + 0.5·4800 = 4200 $.)"""
    from planning.workflows.stochastic import solve_stochastic

    raw = siting_case(tmp_path, 0.0, 0.0)
    raw["fuels"]["fuel_a"] = {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}
    raw["technologies"]["gas_a"]["fuel"] = "fuel_a"
    raw["futures"] = {"cheap": {"probability": 0.5}, "dear": {"probability": 0.5, "fuels": {"fuel_a": {"price_per_mmbtu": 2.0}}}}
    raw["stochastic"] = {"value_of_information": False}
    solution = solve_stochastic(validate_scenario(raw))
    assert solution.objective == pytest.approx(4800.0, rel=1e-9)
    for results in solution.results_by_future.values():
        assert results["site_it_mw"].sel(site="site_b").item() == pytest.approx(100.0, abs=1e-6)


def test_sited_campuses_get_a_carbon_footprint_that_adds_up(tmp_path):
    """site_a takes the 100 MW (capex_a 10): facility power 1.2·0.5·100 = 60 MW in zone a in both hours, met by a's gas
    (heat rate 30 at 0.1 t/MMBtu → 3 t/MWh; zone a has no other load): location-, consumption- and marginal-based
    60·3·2 = 360 t, the system's co2_t; energy 120 MWh; site_b (not built) 0 t. planning run writes
    datacenter_site_carbon.csv and sited_datacenter_<site>_* summary rows."""
    import pandas as pd
    import yaml
    from typer.testing import CliRunner

    from planning.cli import app

    raw = siting_case(tmp_path, 10.0, 5.0)
    raw["carbon"] = {"technology_rows": {"gas_a": "ccgt", "gas_b": "ccgt"}}   # lifecycle rows; direct = the model's
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv").set_index("metric")["value"]
    assert summary["co2_direct_t"] == pytest.approx(360.0, rel=1e-9)
    for method in ("location", "consumption", "marginal"):
        assert summary[f"sited_datacenter_site_a_{method}_based_t"] == pytest.approx(360.0, rel=1e-9), method
        assert summary[f"sited_datacenter_site_b_{method}_based_t"] == pytest.approx(0.0, abs=1e-9), method
    assert summary["sited_datacenter_site_a_energy_mwh"] == pytest.approx(120.0, rel=1e-9)
    table = pd.read_csv(out / "datacenter_site_carbon.csv")
    rows = table[table["datacenter"] == "site_a"]
    assert rows["facility_power_mw"].tolist() == pytest.approx([60.0, 60.0], abs=1e-6)
    assert rows["location_t"].sum() == pytest.approx(360.0, rel=1e-9)
    assert (rows["zone"] == "a").all()
