"""Data-center siting across investment periods (issue 14): a campus stays where it was sited, hand-computed.

Zones a and b (:func:`tests.optimization.site_cases.two_zone_case`): two hours of weight 1 h, utilisation
b = 0.5, PUE 1, so a MW of IT draws 0.5·2 = 1 MWh per period-year. Zone a's gas costs 30 $/MWh in 2030 and
60 $/MWh in 2040 (its fuel doubles), zone b's 40 $/MWh. Interconnection annuities (r = 5 %, 30 years, so a
2030 campus is alive in 2040): site a 10, site b 5 $/MW-year. Per MW of IT and period-year:

    site a: 30 + 10 = 40 (2030),  60 + 10 = 70 (2040);      site b: 40 + 5 = 45 (both)

Periods 2030 and 2040 of 10 years each: DF_2030 = Σ_{k<10} 1.05^−k, DF_2040 = 1.05^−10·DF_2030.
"""

from __future__ import annotations

import pytest

from planning.config import validate_scenario
from planning.errors import ScenarioError
from planning.workflows.pathway import load_periods, pathway_tables, solve_pathway
from tests.optimization.site_cases import site, two_zone_case
from tests.workflows.test_pathway import crf, dfs

RATE, LIFE = 0.05, 30


def sites_case(tmp_path, mode: str = "perfect_foresight", b_from: int | None = None, max_a: float = 200.0, max_b: float = 200.0,
               period_2040: dict | None = None) -> dict:
    """Requirement 100 MW in 2030, 150 MW in 2040 (the growth path); ``b_from``: site b's earliest_year."""
    raw = two_zone_case(tmp_path, 30, 40, sites={
        "site_a": site("a", max_a, lifetime_years=LIFE, interconnection_capex_per_mw=10 / crf(RATE, LIFE)),
        "site_b": site("b", max_b, lifetime_years=LIFE, interconnection_capex_per_mw=5 / crf(RATE, LIFE), earliest_year=b_from)},
        requirement={"firm_it_mw": 100}, temporal_flexibility=False)
    raw["economics"]["discount_rate"] = RATE
    raw["fuels"]["fuel_a"] = {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}
    raw["technologies"]["gas_a"]["fuel"] = "fuel_a"
    raw["pathway"] = {"mode": mode, "periods": {
        2030: {"years": 10},
        2040: {"years": 10, "fuels": {"fuel_a": {"price_per_mmbtu": 2.0}},
               "datacenter_sites": {"requirement": {"firm_it_mw": 150}, **(period_2040 or {})}}}}
    return raw


def campus(solution, year: int) -> dict[str, float]:
    """site → IT MW alive in period ``year``."""
    return {s: pytest.approx(v, abs=1e-6) for s, v in solution.results[year]["site_it_mw"].to_series().items()}


def added(solution, year: int, name: str) -> float:
    rows = solution.builds[(solution.builds["variable"] == "site_it_mw") & (solution.builds["period"] == year)
                           & (solution.builds["name"] == name)]
    return float(rows["built"].sum())


def test_the_second_period_adds_the_increment_and_keeps_the_first_periods_campus(tmp_path):
    # Site b opens in 2040 (earliest_year), so 2030 sites its 100 MW at a (4 000 $). In 2040 a costs 70 > b's 45:
    # re-choosing would put all 150 MW at b (150·45 = 6 750 $), but a's campus stays: 100·70 + 50·45 = 9 250 $.
    first, second = dfs(RATE)
    solution = solve_pathway(validate_scenario(sites_case(tmp_path, b_from=2040)))
    assert 150 * 45 < 100 * 70 + 50 * 45          # re-choosing is cheaper, and not allowed
    assert solution.objective == pytest.approx(first * 100 * 40 + second * (100 * 70 + 50 * 45), rel=1e-9)
    assert campus(solution, 2030) == {"site_a": 100.0, "site_b": 0.0}
    assert campus(solution, 2040) == {"site_a": 100.0, "site_b": 50.0}
    assert added(solution, 2040, "site_a") == pytest.approx(0.0, abs=1e-6)
    assert added(solution, 2040, "site_b") == pytest.approx(50.0, abs=1e-6)
    # Each period's facility load is in its campus' zone: 0.5 × MW of IT.
    assert float(solution.results[2040]["datacenter_mw"].sel(zone="a").max()) == pytest.approx(50.0, abs=1e-6)
    assert float(solution.results[2040]["datacenter_mw"].sel(zone="b").max()) == pytest.approx(25.0, abs=1e-6)
    tables = pathway_tables(validate_scenario(sites_case(tmp_path, b_from=2040)), solution)
    sites = tables["datacenter_sites"].set_index(["period", "site"])
    assert sites.loc[(2040, "site_a"), ["it_mw", "built_it_mw"]].tolist() == [pytest.approx(100.0), pytest.approx(0.0, abs=1e-6)]
    assert sites.loc[(2040, "site_b"), ["it_mw", "built_it_mw"]].tolist() == [pytest.approx(50.0), pytest.approx(50.0)]
    builds = tables["pathway_builds"].query("kind == 'datacenter_it_mw' and built > 1e-6")
    assert builds[["period", "name", "zone", "built", "retired_by"]].values.tolist() == [
        [2030, "site_a", "a", pytest.approx(100.0), 2030 + LIFE], [2040, "site_b", "b", pytest.approx(50.0), 2040 + LIFE]]


def test_a_sites_size_limit_grows_along_the_path(tmp_path):
    # As above with site a limited to 100 MW in 2030 and 120 MW in 2040, site b to 30 MW: 2040 needs 150 =
    # a's 100 kept + 20 more at a (70 $) + b's 30 (45 $): 120·70 + 30·45 = 9 750 $.
    first, second = dfs(RATE)
    raw = sites_case(tmp_path, b_from=2040, max_a=100, max_b=30, period_2040={"candidates": {"site_a": {"max_it_mw": 120}}})
    solution = solve_pathway(validate_scenario(raw))
    assert solution.objective == pytest.approx(first * 100 * 40 + second * (120 * 70 + 30 * 45), rel=1e-9)
    assert campus(solution, 2040) == {"site_a": 120.0, "site_b": 30.0}
    assert added(solution, 2040, "site_a") == pytest.approx(20.0, abs=1e-6)


def test_myopic_sites_for_today_and_costs_more_than_foresight(tmp_path):
    # Both sites open from 2030. Myopic 2030 sees a at 40 < b at 45 and sites 100 MW at a; 2040 keeps it and adds
    # 50 at b: DF30·4 000 + DF40·9 250. Perfect foresight sites at b from the start (moving a MW from b to a in 2030
    # saves DF30·5 but costs DF40·25 in 2040): DF30·4 500 + DF40·6 750.
    first, second = dfs(RATE)
    myopic = solve_pathway(validate_scenario(sites_case(tmp_path, mode="myopic")))
    foresight = solve_pathway(validate_scenario(sites_case(tmp_path)))
    assert myopic.objective == pytest.approx(first * 4_000 + second * 9_250, rel=1e-9)
    assert foresight.objective == pytest.approx(first * 4_500 + second * 6_750, rel=1e-9)
    assert myopic.objective > foresight.objective
    assert campus(myopic, 2030) == {"site_a": 100.0, "site_b": 0.0} and campus(myopic, 2040) == {"site_a": 100.0, "site_b": 50.0}
    assert campus(foresight, 2030) == {"site_a": 0.0, "site_b": 100.0} and campus(foresight, 2040) == {"site_a": 0.0, "site_b": 150.0}


def test_a_period_overrides_flexibility_and_serves_in_its_own_year(tmp_path):
    raw = sites_case(tmp_path, b_from=2040, period_2040={"candidates": {"site_a": {"max_flexible_share": 0.2}}})
    raw["datacenter_sites"]["temporal_flexibility"] = True
    inputs, problems = load_periods(validate_scenario(raw))
    assert problems == []
    # The card's deferrable share is 0.5; 2040 contracts at most 0.2 at a. Site b (earliest_year 2040) is closed in 2030.
    assert inputs[2030]["site_max_flexible_share"].sel(site="site_a").item() == pytest.approx(0.5)
    assert inputs[2040]["site_max_flexible_share"].sel(site="site_a").item() == pytest.approx(0.2)
    assert inputs[2030]["site_max_it_mw"].sel(site="site_b").item() == 0.0
    assert inputs[2040]["site_max_it_mw"].sel(site="site_b").item() == 200.0
    assert inputs[2040].attrs["site_requirement_firm_it_mw"] == 150.0


def test_bad_siting_growth_path_keys_are_named(tmp_path):
    raw = sites_case(tmp_path, period_2040={"candidates": {"site_c": {"max_it_mw": 10}, "site_a": {"max_it_mw": 50}}})
    raw["datacenter_sites"]["in_service_year"] = 2030
    raw["pathway"]["periods"][2030]["datacenter_sites"] = {"requirement": {"firm_it_mw": 1, "work_it_mwh_per_year": 1}, "requirment": {}}
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    problems = info.value.problems
    expected = ["pathway.periods.2040.datacenter_sites.candidates.site_c: unknown site 'site_c'",
                "pathway.periods.2040.datacenter_sites.candidates.site_a.max_it_mw: 50 MW is less than in 2030 (200 MW)",
                "datacenter_sites.in_service_year: with pathway: each period serves in its own year",
                "pathway.periods.2030.datacenter_sites.requirement: give exactly one of firm_it_mw",
                "pathway.periods.2030.datacenter_sites.requirment: unknown key"]
    for key in expected:
        assert any(key in p for p in problems), (key, problems)
    raw = sites_case(tmp_path)
    del raw["datacenter_sites"]
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    assert any(p.startswith("pathway.periods.2040.datacenter_sites: the scenario has no datacenter_sites:") for p in info.value.problems)


def test_a_period_that_cannot_host_its_requirement_is_named_with_every_other(tmp_path):
    # Site b opens in 2040: 2030's 250 MW exceed site a's 200; 2040's 500 exceed a + b = 400. Both periods at once.
    raw = sites_case(tmp_path, b_from=2040, period_2040={"requirement": {"firm_it_mw": 500}})
    raw["datacenter_sites"]["requirement"] = {"firm_it_mw": 250}
    with pytest.raises(ScenarioError) as info:
        solve_pathway(validate_scenario(raw))
    problems = info.value.problems
    assert any(p.startswith("pathway.periods.2030: datacenter_sites.requirement.firm_it_mw: 250 MW") for p in problems), problems
    assert any(p.startswith("pathway.periods.2040: datacenter_sites.requirement.firm_it_mw: 500 MW") for p in problems), problems
    # planning validate reports them too (exit 2), without solving.
    import yaml
    from typer.testing import CliRunner

    from planning.cli import app

    path = tmp_path / "sites_pathway.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "pathway.periods.2030: datacenter_sites.requirement.firm_it_mw" in " ".join(result.output.split())
    assert "pathway.periods.2040: datacenter_sites.requirement.firm_it_mw" in " ".join(result.output.split())


def test_a_problem_of_every_period_is_named_once(tmp_path):
    # The site's PUE file is missing: every period reads it, the message comes once, not once per period.
    raw = sites_case(tmp_path)
    raw["datacenter_sites"]["candidates"]["site_a"]["pue_profile"] = {"file": str(tmp_path / "missing.csv"), "column": "pue"}
    _, problems = load_periods(validate_scenario(raw))
    missing = [p for p in problems if "missing.csv" in p]
    assert len(missing) == 1 and missing[0].startswith("datacenter_sites.candidates.site_a.pue_profile"), problems


def test_with_site_binaries_an_open_site_pays_its_fixed_cost_in_every_period_it_holds_a_campus(tmp_path):
    # The first case with site_binaries and fixed costs annualised to 500 $/yr at a and 1 000 $/yr at b. 2030: a opens
    # (4 000 + 500). 2040: the 50 MW more cost 50·45 + 1 000 = 3 250 at b < 50·70 = 3 500 at a, so b opens too and a
    # pays its fixed cost again: 100·70 + 50·45 + 500 + 1 000 = 10 750.
    first, second = dfs(RATE)
    raw = sites_case(tmp_path, b_from=2040)
    raw["datacenter_sites"]["site_binaries"] = True
    raw["datacenter_sites"]["candidates"]["site_a"]["fixed_capex"] = 500 / crf(RATE, LIFE)
    raw["datacenter_sites"]["candidates"]["site_b"]["fixed_capex"] = 1_000 / crf(RATE, LIFE)
    solution = solve_pathway(validate_scenario(raw))
    assert solution.objective == pytest.approx(first * 4_500 + second * 10_750, rel=1e-9)
    assert campus(solution, 2040) == {"site_a": 100.0, "site_b": 50.0}
    assert solution.results[2030]["site_opened"].values.tolist() == [1, 0]
    assert solution.results[2040]["site_opened"].values.tolist() == [1, 1]
