"""Multi-period investment pathways (issue 14): hand-computed two-period cases.

One zone, one modelled hour of 100 MW, weight 1 h (scale_to_year: false): a period's "year" costs one
hour. Existing oil (100 MW, 100 $/MWh: 10 000 $ per year), new wind with a capacity factor of 1 whose
annuity a (currency/MW/year) is set per period through its capex: a = capex·CRF(r, L). Periods 2030 and
2040 of 10 years each; DF_2030 = Σ_{k=0}^{9} (1+r)^−k, DF_2040 = (1+r)^−10·DF_2030.
"""

from __future__ import annotations

import pytest

from planning.config import validate_scenario
from planning.errors import ScenarioError
from planning.workflows.pathway import discount_factors, solve_pathway
from tests.conftest import emitted, thermal, tiny_scenario


def crf(rate: float, life: float) -> float:
    return rate / (1.0 - (1.0 + rate) ** -life)


def two_periods(tmp_path, rate: float, a_2030: float, a_2040: float, life: float = 30.0, mode: str = "perfect_foresight",
                oil_retires: int | None = None) -> dict:
    raw = tiny_scenario(tmp_path, [100.0], columns={"cf": [1.0]}, extra={
        "technologies": {"oil": thermal(100), "onshore_wind": {"kind": "variable", "capex_per_mw": a_2030 / crf(rate, life), "lifetime_years": life}},
        "plants": {"o": {"zone": "z", "technology": "oil", "existing_mw": 100, "max_new_mw": 0, "retire_year": oil_retires},
                   "w": {"zone": "z", "technology": "onshore_wind", "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}}},
        "economics": {"discount_rate": rate},
        "pathway": {"mode": mode, "periods": {
            2030: {"years": 10},
            2040: {"years": 10, "technologies": {"onshore_wind": {"capex_per_mw": a_2040 / crf(rate, life)}}}}},
    })
    return raw


def dfs(rate: float) -> tuple[float, float]:
    first = sum((1 + rate) ** -k for k in range(10))
    return first, (1 + rate) ** -10 * first


def built(solution, year) -> float:
    rows = solution.builds[(solution.builds["variable"] == "new_mw") & (solution.builds["name"] == "w") & (solution.builds["period"] == year)]
    return float(rows["built"].sum())


def test_discount_factors_by_hand(tmp_path):
    scenario = validate_scenario(two_periods(tmp_path, 0.05, 90, 60))
    first, second = dfs(0.05)
    assert discount_factors(scenario) == {2030: pytest.approx(first, rel=1e-12), 2040: pytest.approx(second, rel=1e-12)}


@pytest.mark.parametrize(("rate", "build_now"), [(0.05, False), (0.15, True)])
def test_discounting_decides_build_now_or_later(tmp_path, rate, build_now):
    # Wind costs 90 $/MW/yr if built in 2030 (saving 100 − 90 = 10 $/MW/yr of oil in 2030) but 60 if built
    # in 2040; a 2030 vintage keeps its 90 in 2040. Build now: (DF30 + DF40)·9 000; wait: DF30·10 000 +
    # DF40·6 000. Now is cheaper iff DF40/DF30 = (1+r)^−10 < 1/3, i.e. r > 11.6 %: wait at 5 %, build at 15 %.
    solution = solve_pathway(validate_scenario(two_periods(tmp_path, rate, 90, 60)))
    first, second = dfs(rate)
    now, later = (first + second) * 9_000, first * 10_000 + second * 6_000
    assert (now < later) == build_now
    assert solution.objective == pytest.approx(min(now, later), rel=1e-9)
    assert built(solution, 2030) == pytest.approx(100.0 if build_now else 0.0, abs=1e-6)
    assert built(solution, 2040) == pytest.approx(0.0 if build_now else 100.0, abs=1e-6)
    # Each period's capacity is what is alive then; prices are that year's (currency/MWh), the balance duals
    # divided by DF_p: a vintage in use prices at its annuity over the periods it lives in. Waiting: oil sets
    # 2030 (100), the 2040 build sets 2040 (60). Building now: the 2030 vintage serves both periods, so
    # DF30·π30 + DF40·π40 = (DF30 + DF40)·90 (the split between the years is degenerate).
    assert float(solution.results[2040]["new_mw"].sel(plant="w")) == pytest.approx(100.0, abs=1e-6)
    price_2030 = float(solution.results[2030]["price_per_mwh"].max())
    price_2040 = float(solution.results[2040]["price_per_mwh"].max())
    if build_now:
        assert first * price_2030 + second * price_2040 == pytest.approx((first + second) * 90, rel=1e-9)
    else:
        assert (price_2030, price_2040) == (pytest.approx(100.0, rel=1e-9), pytest.approx(60.0, rel=1e-9))


def test_lifetime_expiry_forces_a_rebuild(tmp_path):
    # Wind lives 10 years: the 2030 vintage is gone in 2040 (2030 + 10 ≤ 2040). Oil retires in 2040.
    # Wind at 50 $/MW/yr < 100 is built in 2030 and again in 2040: DF30·5 000 + DF40·5 000.
    solution = solve_pathway(validate_scenario(two_periods(tmp_path, 0.05, 50, 50, life=10, oil_retires=2040)))
    first, second = dfs(0.05)
    assert solution.objective == pytest.approx((first + second) * 5_000, rel=1e-9)
    assert built(solution, 2030) == pytest.approx(100.0, abs=1e-6) and built(solution, 2040) == pytest.approx(100.0, abs=1e-6)
    assert float(solution.results[2040]["generation_mw"].sel(plant="o").max()) == pytest.approx(0.0, abs=1e-9)


def test_myopic_costs_at_least_perfect_foresight(tmp_path):
    # At 5 % perfect foresight waits for the cheaper 2040 wind; myopic 2030 sees only 90 < 100 and builds,
    # then pays 90 in 2040 too: (DF30 + DF40)·9 000 > DF30·10 000 + DF40·6 000.
    first, second = dfs(0.05)
    myopic = solve_pathway(validate_scenario(two_periods(tmp_path, 0.05, 90, 60, mode="myopic")))
    foresight = solve_pathway(validate_scenario(two_periods(tmp_path, 0.05, 90, 60)))
    assert myopic.objective == pytest.approx((first + second) * 9_000, rel=1e-9)
    assert foresight.objective == pytest.approx(first * 10_000 + second * 6_000, rel=1e-9)
    assert myopic.objective > foresight.objective
    assert built(myopic, 2030) == pytest.approx(100.0, abs=1e-6) and built(myopic, 2040) == pytest.approx(0.0, abs=1e-6)


def test_co2_budget_over_the_pathway_binds(tmp_path):
    # Oil emits 0.1 × 100 = 10 t/MWh: 1 000 t per year at 100 MW. A budget of 5 000 t over the 20 years
    # allows 500 t/yr on average; at 5 % without a budget the plan waits (oil runs 10 years of 2030:
    # 10 000 t), so the budget forces wind in 2030: the cheapest way is to build x MW in 2030 with
    # 10·(100 − x)·10 ≤ 5 000 → x = 50, at (DF30 + DF40)·90·50 + DF30·(50·100) + DF40·(50·60).
    raw = two_periods(tmp_path, 0.05, 90, 60)
    raw["pathway"]["co2_budget_t"] = 5_000
    solution = solve_pathway(validate_scenario(raw))
    first, second = dfs(0.05)
    assert built(solution, 2030) == pytest.approx(50.0, abs=1e-6)
    expected = (first + second) * 90 * 50 + first * 50 * 100 + second * 50 * 60
    assert solution.objective == pytest.approx(expected, rel=1e-9)


def test_pathway_errors_name_the_key(tmp_path):
    raw = two_periods(tmp_path, 0.05, 90, 60)
    raw["pathway"]["periods"][2035] = {"years": 10}
    raw["pathway"]["periods"][2040]["technologies"]["wnd"] = {"capex_per_mw": 1.0}
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    problems = info.value.problems
    assert any("pathway.periods.2040.technologies.wnd: unknown technology 'wnd'" in p for p in problems), problems
    raw = two_periods(tmp_path, 0.05, 90, 60, mode="myopic")
    raw["pathway"]["co2_budget_t"] = 1.0
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    assert any(p.startswith("pathway") and "co2_budget_t needs mode: perfect_foresight" in p for p in info.value.problems)



def test_schema_and_cross_reference_errors_name_a_period_the_same_way(tmp_path):
    # A period is a mapping key: pathway.periods.2040.<key>, as the cross-reference checks write it, whether pydantic
    # (a bad value, an unknown key), the non-finite check or the name checks find the problem. A list's item keeps its
    # index: stress.events[0].<key>.
    raw = two_periods(tmp_path, 0.05, 90, 60)
    period = raw["pathway"]["periods"][2040]
    period["years"] = 0
    period["technologies"]["onshore_wind"]["capex_per_mw"] = float("inf")
    period["technologies"]["wnd"] = {"capex_per_mw": 1.0}
    period["bogus_key"] = 1
    raw["stress"] = {"events": [{"kind": "outage", "plants": ["o"], "start_hour": 0, "duration_hours": 1, "bogus_key": 1}]}
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    problems = info.value.problems
    keys = {problem.split(": ", 1)[0] for problem in problems}
    assert {"pathway.periods.2040.years", "pathway.periods.2040.technologies.onshore_wind.capex_per_mw",
            "pathway.periods.2040.technologies.wnd", "pathway.periods.2040.bogus_key", "stress.events[0].bogus_key"} <= keys, problems
    assert not any("[2040]" in problem for problem in problems), problems


def test_input_warnings_are_logged_once_naming_the_periods_they_differ_in(tmp_path):
    # The demand file starts an hour after the first modelled hour (2021-01-01T00:00Z) and fills it from its first row
    # (edge_fill_hours: 1) in every period: one warning, as a single run gives it. Period 2040's wind profile is such a
    # file too: one warning keyed by that period. Three periods, so that "every period" is not "all but one".
    import logging

    import yaml
    from typer.testing import CliRunner

    from planning.cli import app
    from planning.workflows.pathway import load_periods

    late = tmp_path / "late.csv"
    late.write_text("utc_time,demand\n2021-01-01 01:00,100\n2021-01-01 02:00,100\n", encoding="utf-8")
    windy = tmp_path / "windy.csv"
    windy.write_text("utc_time,cf\n2021-01-01 01:00,1\n2021-01-01 02:00,1\n", encoding="utf-8")
    raw = two_periods(tmp_path, 0.05, 90, 60)
    raw["horizon"]["hours"] = 2
    raw["zones"]["z"]["demand"] = {"file": str(late), "column": "demand", "edge_fill_hours": 1}
    raw["pathway"]["periods"] = {2030: {"years": 5}, 2035: {"years": 5},
                                 2040: {"years": 10, "plants": {"w": {"profile": {"file": str(windy), "column": "cf", "edge_fill_hours": 1}}}}}
    note = "1 modelled hour (2021-01-01T00:00Z) outside the file takes its nearest value (edge_fill_hours: 1)"
    with emitted() as records:
        inputs, problems = load_periods(validate_scenario(raw))
    assert problems == [] and list(inputs) == [2030, 2035, 2040]
    assert sorted(record.getMessage() for record in records) == [
        f"pathway.periods.2040: plants.w.profile: {windy}: {note}", f"zones.z.demand: {late}: {note}"]
    assert all(record.levelno == logging.WARNING and record.name == "planning.inputs" for record in records)

    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["pathway", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()).count("outside the file takes its nearest value") == 2, result.output

def test_cli_writes_the_pathway_and_run_points_to_it(tmp_path):
    import pandas as pd
    import xarray as xr
    import yaml
    from typer.testing import CliRunner

    from planning.cli import app

    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(two_periods(tmp_path, 0.05, 90, 60)), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["pathway", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    periods = pd.read_csv(out / "pathway_periods.csv")
    first, second = dfs(0.05)
    assert list(periods["period"]) == [2030, 2040]
    assert periods["discounted_cost"].sum() == pytest.approx(first * 10_000 + second * 6_000, rel=1e-9)
    builds = pd.read_csv(out / "pathway_builds.csv")
    wind = builds[(builds["name"] == "w") & (builds["built"] > 1e-6)]
    assert wind[["period", "built", "retired_by"]].values.tolist() == [[2040, pytest.approx(100.0), 2070]]
    capacity = pd.read_csv(out / "capacity.csv")
    assert capacity.columns[0] == "period" and set(capacity["period"]) == {2030, 2040}
    with xr.open_dataset(out / "results.nc") as results:
        assert results.sizes["period"] == 2 and all("units" in results[name].attrs for name in results.data_vars
                                                     if results[name].dtype.kind in "fi")
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "single")])
    assert result.exit_code == 2 and "run it with `planning pathway`" in result.output
    assert not (tmp_path / "single").exists()


def test_pathway_on_representative_days_writes_results_nc(tmp_path):
    # Two identical days clustered into 2 representative days: each period's results carry the storage-cycle index
    # `period` of the snapshots, which the pathway's own `period` dimension must not collide with. The case over 48 h
    # of weight 1: oil would cost 48·10 000 $ a year, so 100 MW of wind (90 $/MW-year in 2030) is built in 2030 and
    # serves both periods: (DF30 + DF40)·9 000.
    import xarray as xr
    import yaml
    from typer.testing import CliRunner

    from planning.cli import app

    raw = two_periods(tmp_path, 0.05, 90, 60)
    raw = tiny_scenario(tmp_path, [100.0] * 48, columns={"cf": [1.0] * 48}, extra={key: raw[key] for key in raw
                                                                                  if key not in ("name", "horizon", "zones")})
    raw["horizon"]["representative_periods"] = {"periods": 2, "period_hours": 24, "keep_peak_demand": False, "keep_peak_net_load": False}
    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["pathway", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first, second = dfs(0.05)
    with xr.open_dataset(out / "results.nc") as results:
        assert results.sizes["period"] == 2 and list(results["period"].values) == [2030, 2040]
        assert results["snapshot_period"].dims[-1] == "snapshot"
    import pandas as pd

    periods = pd.read_csv(out / "pathway_periods.csv")
    assert periods["discounted_cost"].sum() == pytest.approx((first + second) * 9_000, rel=1e-9)


@pytest.mark.parametrize(("life", "capex_2040"), [(30.0, 100 * 90 + 50 * 60), (10.0, 150 * 60)])
def test_statistics_charge_each_vintage_its_own_annuity(tmp_path, life, capex_2040):
    # At 15 % wind (90 $/MW/yr if built in 2030, 60 in 2040) is built now: 100 MW in 2030. Demand grows to 150 MW
    # in 2040, met by 50 MW of 2040 wind (60 < oil's 100). With a 30-year life the 2030 vintage is alive in 2040 and
    # still costs its own 90: capex 2040 = 100·90 + 50·60 = 12 000 $/yr (not 150·60 = 9 000, the 2040 annuity on
    # all 150 MW). With a 10-year life it is gone in 2040 and 150 MW are built again: 150·60 = 9 000. 2030: 100·90.
    # Oil has no fixed cost and does not run, so each period's statistics total is its capex, and equals the
    # pathway's own annual cost of that period.
    import pandas as pd
    import yaml
    from typer.testing import CliRunner

    from planning.cli import app

    raw = two_periods(tmp_path, 0.15, 90, 60, life=life)
    raw["pathway"]["periods"][2040]["zones"] = {"z": {"demand_scale": 1.5}}
    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["pathway", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["statistics", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "statistics.csv")
    wind = table[(table["zone"] == "z") & (table["technology"] == "onshore_wind")].set_index("period")
    assert wind.loc[2030, "capex_cost_per_year"] == pytest.approx(100 * 90, rel=1e-9)
    assert wind.loc[2040, "capex_cost_per_year"] == pytest.approx(capex_2040, rel=1e-9)
    system = table[(table["zone"] == "total") & (table["technology"] == "total")].set_index("period")["total_cost_per_year"]
    periods = pd.read_csv(out / "pathway_periods.csv").set_index("period")["annual_cost"]
    assert periods.to_dict() == {2030: pytest.approx(100 * 90, rel=1e-9), 2040: pytest.approx(capex_2040, rel=1e-9)}
    assert system.to_dict() == {year: pytest.approx(cost, rel=1e-9) for year, cost in periods.items()}
