"""Two-stage stochastic planning: a screening-curve case worked out by hand.

One zone, four hours of 1 h, no discounting (annualised capex = capex for a 1-year life), gas at 1 $/MMBtu:

* base: capex 10 $/MW, heat rate 1 → 1 $/MWh;  peak: capex 3 $/MW, heat rate 5 → 5 $/MWh;
  unserved energy at 20 $/MWh (VOLL).
* future L (p = 0.5): demand 50, 50, 50, 50 MW;  future H (p = 0.5): demand 100, 100, 100, 50 MW
  (``zones.z.demand_scale`` of another column would do; here H reads its own column).

Screening curve: a MW that runs h hours costs 10 + h (base), 3 + 5h (peak), 20h (unserved);
base beats peak above h = 7/4, peak beats unserved above h = 0.2.

RP (risk neutral): layer 0–50 MW runs 4 h in both futures (E 4 h) → base; layer 50–100 runs 3 h
in H only (E 1.5 h < 1.75) → peak. Build base 50, peak 50:
  cost_L = 500 + 150 + 50·4·1 = 850;  cost_H = 650 + 50·4·1 + 50·3·5 = 650 + 200 + 750 = 1600;
  RP = 0.5·850 + 0.5·1600 = 1225.
WS: L alone → base 50: 500 + 200 = 700; H alone → layer 50–100 runs 3 h > 1.75 → base 100:
  1000 + 350 = 1350; WS = 1025; EVPI = RP − WS = 200.
EV: mean demand 75, 75, 75, 50 → layer 50–75 runs 3 h → base 75: 750 + 275 = 1025 (= EV).
EEV: base 75 fixed: L: 750 + 200 = 950; H: 750 + 275 + 3·25 MWh unserved × 20 = 2525;
  EEV = 0.5·(950 + 2525) = 1737.5; VSS = EEV − RP = 512.5.
Chain EV ≤ WS ≤ RP ≤ EEV: 1025 ≤ 1025 ≤ 1225 ≤ 1737.5.

CVaR at α = 0.5 with p = 0.5/0.5 is the worse future's cost (H). Objective (1 − λ)E + λ·cost_H:
the 50–100 layer costs 10 + 3m (base) or 3 + 15m (peak), m = 0.5(1 − λ) + λ the weight of H's
hours, so base wins for λ > 1/6:
* λ = 0.1: build unchanged (base 50, peak 50): objective 0.9·1225 + 0.1·1600 = 1262.5;
* λ = 0.5: base 100, peak 0: cost_L = 1000 + 200 = 1200, cost_H = 1350, E = 1275,
  objective 0.5·1275 + 0.5·1350 = 1312.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from typer.testing import CliRunner

from planning.cli import app
from planning.config import validate_scenario
from planning.errors import ScenarioError
from planning.optimization.blocks.risk import cvar_of
from planning.workflows.stochastic import solve_stochastic
from tests.conftest import REPO, emitted, thermal, tiny_scenario


def screening(folder, cvar_weight=0.0, cvar_alpha=0.5, information=True) -> dict:
    raw = tiny_scenario(folder, [50, 50, 50, 50], columns={"high": [100, 100, 100, 50]}, extra={
        "technologies": {"base": thermal(1, capex=10), "peak": thermal(5, capex=3)},
        "plants": {"b": {"zone": "z", "technology": "base"}, "p": {"zone": "z", "technology": "peak"}},
        "economics": {"discount_rate": 0.0},
        "reliability": {"value_of_lost_load_per_mwh": 20, "allow_unserved_energy": True},
        "futures": {
            "low": {"probability": 0.5},
            "high": {"probability": 0.5, "zones": {"z": {"demand": {"file": str(folder / "series.csv"), "column": "high"}}}},
        },
        "stochastic": {"cvar_alpha": cvar_alpha, "cvar_weight": cvar_weight, "value_of_information": information},
    })
    return raw


def new_mw(solution) -> dict[str, float]:
    results = next(iter(solution.results_by_future.values()))
    return {str(p): float(v) for p, v in zip(results["plant"].values, results["new_mw"].values)}


def information(solution) -> dict[str, float]:
    return dict(zip(solution.information["metric"], solution.information["value"]))


def test_screening_curve_rp_ev_eev_ws_evpi_vss(tmp_path):
    """RP 1225 (base 50, peak 50), EV 1025, EEV 1737.5, WS 1025, EVPI 200, VSS 512.5 (module docstring)."""
    solution = solve_stochastic(validate_scenario(screening(tmp_path)))
    assert solution.objective == pytest.approx(1225, abs=1e-6)
    assert new_mw(solution) == pytest.approx({"b": 50, "p": 50}, abs=1e-6)
    assert solution.cost_by_future == pytest.approx({"low": 850, "high": 1600}, abs=1e-6)
    figures = information(solution)
    assert figures == pytest.approx({"rp_cost": 1225, "ev_cost": 1025, "eev_cost": 1737.5, "ws_cost": 1025,
                                     "evpi": 200, "vss": 512.5}, abs=1e-6)
    by_future = solution.information_by_future.set_index("future")
    assert by_future["eev_cost"].to_dict() == pytest.approx({"low": 950, "high": 2525}, abs=1e-6)
    assert by_future["ws_cost"].to_dict() == pytest.approx({"low": 700, "high": 1350}, abs=1e-6)


def test_each_future_keeps_its_own_dispatch_and_prices(tmp_path):
    """Capacities are shared; H's peak runs 50 MW in hours 0–2, L's not at all; balances hold to 1e-6 per future.
    Prices are duals / (w·p): peak's capacity rent 3 $/MW = Σ_f p_f Σ_t (π_f,t − 5)⁺ = 0.5·Σ_{t<3}(π_H,t − 5),
    so Σ_{t<3} π_H,t = 21 $/MWh (the split between the hours is degenerate; the sum is not)."""
    solution = solve_stochastic(validate_scenario(screening(tmp_path, information=False)))
    low, high = solution.results_by_future["low"], solution.results_by_future["high"]
    assert np.allclose(low["new_mw"].values, high["new_mw"].values)
    assert high["generation_mw"].sel(plant="p").values == pytest.approx([50, 50, 50, 0], abs=1e-6)
    assert low["generation_mw"].sel(plant="p").values == pytest.approx([0, 0, 0, 0], abs=1e-6)
    for results in (low, high):
        supplied = results["generation_mw"].sum("plant").values + results["unserved_mw"].values
        assert supplied == pytest.approx(results["demand_mw"].values, abs=1e-6)
    assert float(high["price_per_mwh"].isel(snapshot=slice(0, 3)).sum()) == pytest.approx(21, abs=1e-6)


def test_cvar_weight_zero_is_the_risk_neutral_optimum_and_small_weight_keeps_the_build(tmp_path):
    """λ = 0: 1225 and base 50/peak 50 (the risk-neutral optimum). λ = 0.1 < 1/6 exercises the CVaR rows with
    the same build: 0.9·1225 + 0.1·1600 = 1262.5."""
    neutral = solve_stochastic(validate_scenario(screening(tmp_path, cvar_weight=0.0)))
    assert neutral.objective == pytest.approx(1225, abs=1e-6)
    small = solve_stochastic(validate_scenario(screening(tmp_path, cvar_weight=0.1)))
    assert small.objective == pytest.approx(1262.5, abs=1e-6)
    assert new_mw(neutral) == pytest.approx({"b": 50, "p": 50}, abs=1e-6)
    assert new_mw(small) == pytest.approx({"b": 50, "p": 50}, abs=1e-6)


def test_cvar_changes_the_build(tmp_path):
    """λ = 0.5 > 1/6: base 100, peak 0; costs L 1200, H 1350; objective 0.5·1275 + 0.5·1350 = 1312.5.
    Risk measure of WS {700, 1350}: 0.5·1025 + 0.5·1350 = 1187.5 → EVPI 125; of EEV {950, 2525}:
    0.5·1737.5 + 0.5·2525 = 2131.25 → VSS 818.75."""
    solution = solve_stochastic(validate_scenario(screening(tmp_path, cvar_weight=0.5)))
    assert new_mw(solution) == pytest.approx({"b": 100, "p": 0}, abs=1e-6)
    assert solution.cost_by_future == pytest.approx({"low": 1200, "high": 1350}, abs=1e-6)
    assert solution.objective == pytest.approx(1312.5, abs=1e-6)
    assert information(solution)["evpi"] == pytest.approx(125, abs=1e-6)
    assert information(solution)["vss"] == pytest.approx(818.75, abs=1e-6)
    # The risk-adjusted probabilities (duals of future_cost_definition): q_H = 0.5·0.5 + 0.5·1 = 0.75, q_L = 0.25 (α = 0.5: the
    # tail is H alone). H's prices are its duals / (w·q_H): peak's rent 3 = 0.75·Σ_{t<3}(π_H,t − 5) would need a peak; with
    # none built the base's rent 10 = Σ_f q_f Σ_t (π_f,t − 1) holds instead.
    from planning.workflows.stochastic import risk_adjusted_probability

    q = risk_adjusted_probability(solution.extensive, solution.solved)
    assert q == pytest.approx({"low": 0.25, "high": 0.75}, abs=1e-9)
    rent = sum(q[f] * float((solution.results_by_future[f]["price_per_mwh"] - 1).sum()) for f in q)
    assert rent == pytest.approx(10, abs=1e-6)


def test_cvar_of_a_discrete_distribution():
    """Costs 10 (p 0.5), 20 (p 0.3), 40 (p 0.2): CVaR_0.7 = 40·0.2/0.3 + 20·0.1/0.3 = 33.33…; CVaR_0 = E = 19."""
    costs, probability = {"a": 10.0, "b": 20.0, "c": 40.0}, {"a": 0.5, "b": 0.3, "c": 0.2}
    assert cvar_of(costs, probability, 0.7) == pytest.approx((40 * 0.2 + 20 * 0.1) / 0.3)
    assert cvar_of(costs, probability, 0.0) == pytest.approx(19.0)


def test_futures_are_checked_all_at_once(tmp_path):
    """Probabilities that do not add up to 1, an unknown zone and a profile on a thermal plant: every problem, keyed."""
    raw = screening(tmp_path)
    raw["futures"]["low"]["probability"] = 0.6
    raw["futures"]["high"]["zones"]["north"] = {"demand_scale": 2}
    raw["futures"]["high"]["plants"] = {"b": {"profile": {"file": str(tmp_path / "series.csv"), "column": "high"}}}
    with pytest.raises(ScenarioError) as error:
        validate_scenario(raw)
    text = "\n".join(error.value.problems)
    assert "futures: the probabilities add up to 1.1, not 1" in text
    assert "futures.high.zones.north: unknown zone 'north'" in text
    assert "futures.high.plants.b.profile: only variable plants take a profile" in text


def test_representative_periods_each_day_its_own_equal_the_chronological_plan(tmp_path):
    """Two days, two representative days: each day stands for itself (weight 1 h), so the stochastic plan with
    representative periods (each future clustered on its own data) equals the chronological one. Day 1 is the
    screening case, day 2 is 60 % of it: same technologies, the objective is the LP's, not a hand number."""
    day = [50, 50, 50, 50] + [40] * 20
    high = [100, 100, 100, 50] + [40] * 20
    raw = tiny_scenario(tmp_path, day + [0.6 * d for d in day], columns={"high": high + [0.6 * h for h in high]}, extra={
        "technologies": {"base": thermal(1, capex=10), "peak": thermal(5, capex=3)},
        "plants": {"b": {"zone": "z", "technology": "base"}, "p": {"zone": "z", "technology": "peak"}},
        "economics": {"discount_rate": 0.0},
        "reliability": {"value_of_lost_load_per_mwh": 20, "allow_unserved_energy": True},
        "futures": {"low": {"probability": 0.5},
                    "high": {"probability": 0.5, "zones": {"z": {"demand": {"file": str(tmp_path / "series.csv"), "column": "high"}}}}},
        "stochastic": {"value_of_information": False},
    })
    chronological = solve_stochastic(validate_scenario(raw))
    raw["horizon"]["representative_periods"] = {"periods": 2, "period_hours": 24, "keep_peak_demand": False, "keep_peak_net_load": False}
    clustered = solve_stochastic(validate_scenario(raw))
    assert "representative_of_period" in clustered.results_by_future["high"]
    assert clustered.objective == pytest.approx(chronological.objective, rel=1e-9)
    assert new_mw(clustered) == pytest.approx(new_mw(chronological), abs=1e-6)


CARD = REPO / "models" / "google_cella_emerald_llm.json"


def test_run_with_futures_and_twins_writes_a_future_column(tmp_path):
    """`planning run --twins` of a scenario whose 20 MW campus is online (p 0.6) or not (p 0.4): every operating table
    has a `future` column, capacity.csv is written once, the campus draws nothing in 'off', each future's balance holds
    to 1e-6, summary.csv's total cost is Σ p_f · cost_f (summary_futures.csv), and the twins' expected cost falls from
    inflexible to learned to ideal."""
    raw = tiny_scenario(tmp_path, [100] * 24, columns={"cf": [0.0] * 6 + [0.8] * 12 + [0.0] * 6}, extra={
        "technologies": {"ccgt": thermal(5, capex=3), "utility_pv": {"kind": "variable", "capex_per_mw": 2.0, "lifetime_years": 1}},
        "plants": {"g": {"zone": "z", "technology": "ccgt"}, "s": {"zone": "z", "technology": "utility_pv",
                                                                   "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}}},
        "economics": {"discount_rate": 0.0},
        "datacenters": {"campus": {"zone": "z", "card_file": str(CARD), "it_capacity_mw": 20, "pue": 1.1}},
        "futures": {"on": {"probability": 0.6}, "off": {"probability": 0.4, "datacenters": {"campus": {"online": False}}}},
        "stochastic": {"value_of_information": False},
    })
    path = tmp_path / "futures.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--twins"])
    assert result.exit_code == 0, result.output
    assert "futures (futures.csv)" in result.output and "value of information" in result.output
    capacity = pd.read_csv(out / "capacity.csv")
    assert "future" not in capacity.columns and len(capacity) == 2
    balance = pd.read_csv(out / "balance.csv")
    assert set(balance["future"]) == {"on", "off"}
    supply = balance[["generation_mw", "storage_discharge_mw", "net_import_mw", "unserved_mw"]].sum(axis=1) - balance["storage_charge_mw"]
    assert supply.to_numpy() == pytest.approx((balance["demand_mw"] + balance["datacenter_mw"]).to_numpy(), abs=1e-6)
    datacenter = pd.read_csv(out / "datacenter.csv")
    assert datacenter.loc[datacenter["future"] == "off", "facility_power_mw"].abs().max() == pytest.approx(0, abs=1e-9)
    assert datacenter.loc[datacenter["future"] == "on", "facility_power_mw"].min() > 1.0
    summary = pd.read_csv(out / "summary.csv").set_index("metric")["value"]
    per_future = pd.read_csv(out / "summary_futures.csv").query("metric == 'total_cost'").set_index("future")["value"]
    assert summary["total_cost"] == pytest.approx(0.6 * per_future["on"] + 0.4 * per_future["off"], rel=1e-9)
    assert summary["expected_cost"] == pytest.approx(summary["total_cost"], rel=1e-9)
    twins = pd.read_csv(out / "value_of_flexibility.csv").set_index("twin")["total_cost"]
    assert twins["inflexible"] >= twins["learned"] - 1e-6 >= twins["ideal"] - 2e-6
    with xr.open_dataset(out / "results.nc") as nc:
        assert nc["generation_mw"].dims[0] == "future" and nc["new_mw"].dims == ("plant",)
        assert list(nc["future_name"].values) == ["on", "off"]


@pytest.mark.parametrize("example", ["isone_datacenter_week.yaml", "isone_two_zones.yaml"])
def test_every_variable_without_a_snapshot_index_is_classified(example):
    """The extensive form ties FIRST_STAGE_VARIABLES across futures and leaves the rest per future. A block that adds
    a variable without a snapshot index (an investment?) must be classified, or it would silently differ per future.
    The examples cover capacity, storage, transmission, integer commitment, reserves and a data center."""
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.workflows.stochastic import FIRST_STAGE_VARIABLES, SECOND_STAGE_SCALARS
    import pyomo.environ as pyo

    scenario = load_scenario(REPO / "scenarios" / example, ["horizon.hours=48", "horizon.storage_cycle=day"])
    model = build_model(load_inputs(scenario)).model
    snapshots = set(range(48))
    unclassified = []
    for component in model.component_objects(pyo.Var, descend_into=True):
        if component.local_name in FIRST_STAGE_VARIABLES + SECOND_STAGE_SCALARS or len(component) == 0:
            continue
        last = {index[-1] if isinstance(index, tuple) else index for index in component}
        if last != snapshots:
            unclassified.append(component.name)
    assert unclassified == []
    assert {"new_mw", "new_mwh"} <= {c.local_name for c in model.component_objects(pyo.Var)}


def test_validate_reports_every_futures_data_problem(tmp_path):
    """A future's missing demand column and another's missing file: `planning validate` names both futures, the
    key and the file, exit code 2, no traceback."""
    raw = screening(tmp_path)
    raw["futures"]["high"]["zones"]["z"]["demand"]["column"] = "nope"
    raw["futures"]["low"]["zones"] = {"z": {"demand": {"file": str(tmp_path / "missing.csv"), "column": "demand"}}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert "futures.high: zones.z.demand" in text and "nope" in text
    assert "futures.low: zones.z.demand" in text and "missing.csv" in text


@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_scenarios_and_every_futures_data_problems_are_reported_together(tmp_path, command):
    """The scenario's own demand column missing, future high's missing too and a non-number in future mid's file: one
    `planning validate` (or `planning run`) reports all three, each with its key, file and column (a future's keyed
    ``futures.<name>``), exit code 2, no traceback, nothing written. validate reports the scenario's own problem once,
    under its own key, not again under future low that inherits it (run reads the futures only: there it is low's)."""
    raw = screening(tmp_path, information=False)
    raw["carbon"] = {"technology_rows": {"base": "ccgt", "peak": "ocgt"}}
    raw["zones"]["z"]["demand"]["column"] = "nope"
    raw["futures"]["high"]["zones"]["z"]["demand"]["column"] = "gone"
    bad = tmp_path / "bad_values.csv"
    bad.write_text("demand\n50\nx\n50\n50\n", encoding="utf-8")
    raw["futures"]["low"]["probability"] = 0.3
    raw["futures"]["mid"] = {"probability": 0.2, "zones": {"z": {"demand": {"file": str(bad), "column": "demand"}}}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [command, str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not out.exists()
    text = " ".join(result.output.split())
    assert "(3 problems)" in text, result.output
    assert f"zones.z.demand: {tmp_path / 'series.csv'}: no column 'nope'" in text
    assert f"futures.high: zones.z.demand: {tmp_path / 'series.csv'}: no column 'gone'" in text
    assert f"futures.mid: zones.z.demand: {bad} column 'demand' line 3: 'x' is not a number" in text
    assert ("futures.low" in text) == (command == "run")


@pytest.mark.parametrize("command", [["loop"], ["headroom", "--budget", "0.01"]])
def test_one_future_workflows_refuse_futures(tmp_path, command):
    """loop, stress and headroom solve one future: with futures: they stop with a keyed error (exit 2), nothing written,
    instead of silently solving the scenario without its futures."""
    raw = screening(tmp_path, information=False)
    raw["carbon"] = {"technology_rows": {"base": "ccgt", "peak": "ocgt"}}
    path = tmp_path / "futures.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [*command, str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "futures:" in result.output and "solves one future" in " ".join(result.output.split())
    assert not out.exists()


def test_a_co2_cap_holds_in_every_future_not_in_expectation(tmp_path):
    """Cap 60 t (base 0.1 t/MWh, peak 0.5 t/MWh). The risk-neutral plan (base 50, peak 50) emits L 20 t, H 20 + 75 = 95 t:
    57.5 t in expectation (within the cap), but H breaks it. Per future: H's 50–100 MW layer (3 h) needs base x MW with
    0.3·x + 0.5·3·(50 − x) ≤ 60 − 20 → x ≥ 175/6; a MW moved from peak to base costs (10 + 0.5·3) − (3 + 0.5·15) = 1 $
    more, cheaper per t than unserved energy (13 $/t vs 0.83 $/t). Optimum 1225 + 175/6, base 50 + 175/6, peak 50 − 175/6."""
    raw = screening(tmp_path, information=False)
    raw["policy"] = {"co2_cap_t": 60}
    solution = solve_stochastic(validate_scenario(raw))
    assert solution.objective == pytest.approx(1225 + 175 / 6, abs=1e-6)
    assert new_mw(solution) == pytest.approx({"b": 50 + 175 / 6, "p": 50 - 175 / 6}, abs=1e-6)
    assert float(solution.results_by_future["high"]["co2_t"]) == pytest.approx(60, abs=1e-6)
    assert float(solution.results_by_future["low"]["co2_t"]) == pytest.approx(20, abs=1e-6)


def test_expected_value_inputs_average_prices_and_data(tmp_path):
    """Gas 1 $/MMBtu (L) or 3 $/MMBtu (H), p = 0.5 each, CO2 price 0 or 10 $/t: the EV problem's marginal costs are the
    means (base 1·2 = 2 $/MWh, peak 5·2 = 10 $/MWh), its CO2 price 5 $/t, its demand the mean (75, 75, 75, 50 MW)."""
    from planning.workflows.stochastic import expected_value_inputs, load_futures

    raw = screening(tmp_path, information=False)
    raw["futures"]["high"]["fuels"] = {"gas": {"price_per_mmbtu": 3.0}}
    raw["futures"]["high"]["policy"] = {"co2_price_per_t": 10}
    scenario = validate_scenario(raw)
    _, inputs, problems = load_futures(scenario)
    assert problems == []
    ev = expected_value_inputs(inputs, {"low": 0.5, "high": 0.5})
    assert ev["marginal_cost_per_mwh"].values == pytest.approx([2.0, 10.0])
    assert ev.attrs["co2_price_per_t"] == pytest.approx(5.0)
    assert ev["demand_mw"].values[0] == pytest.approx([75, 75, 75, 50])


def merit_order_futures(folder, cvar_weight=0.0) -> dict:
    """Coal 100 MW at 10 $/MWh, 1.0 t/MWh; gas 200 MW at heat rate 5, 0.5 t/MWh; demand 50 and 150 MW.
    Future ``reference`` (p 0.6): gas fuel 4 $/MMBtu → gas 20 $/MWh, coal first: hour 0 coal marginal (1.0 t/MWh,
    10 $/MWh), hour 1 coal full, gas marginal (0.5 t/MWh, 20 $/MWh). Future ``cheap_gas`` (p 0.4): gas fuel
    1 $/MMBtu → 5 $/MWh, gas first and never full: gas marginal in both hours (0.5 t/MWh, 5 $/MWh)."""
    return tiny_scenario(folder, [50, 150], extra={
        "fuels": {"dirty": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}, "clean": {"price_per_mmbtu": 4.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"coal": thermal(10, fuel="dirty"), "ccgt": thermal(5, fuel="clean")},
        "plants": {"c": {"zone": "z", "technology": "coal", "existing_mw": 100, "max_new_mw": 0},
                   "g": {"zone": "z", "technology": "ccgt", "existing_mw": 200, "max_new_mw": 0}},
        "carbon": {"technology_rows": {}},
        "futures": {"reference": {"probability": 0.6}, "cheap_gas": {"probability": 0.4, "fuels": {"clean": {"price_per_mmbtu": 1.0}}}},
        "stochastic": {"cvar_alpha": 0.5, "cvar_weight": cvar_weight, "value_of_information": False},
    })


@pytest.mark.parametrize("cvar_weight", [0.0, 0.5])
def test_marginal_emission_intensity_and_dispatch_price_per_future(tmp_path, cvar_weight):
    """Each future's marginal intensity is its own merit order's (see merit_order_futures): reference 1000, 500 g/kWh,
    cheap_gas 500, 500 g/kWh; dispatch prices in each future's terms 10, 20 and 5, 5 $/MWh — with CVaR too (the
    cost columns stay free when the investments are fixed). Written to carbon.csv per future by planning run."""
    folder = tmp_path / "out"
    path = tmp_path / "futures.yaml"
    path.write_text(yaml.safe_dump(merit_order_futures(tmp_path, cvar_weight)), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(folder)])
    assert result.exit_code == 0, result.output
    carbon = pd.read_csv(folder / "carbon.csv")
    marginal = carbon.pivot_table(index="future", columns="snapshot", values="marginal_direct_g_per_kwh")
    assert marginal.loc["reference"].values == pytest.approx([1000.0, 500.0], abs=1e-6)
    assert marginal.loc["cheap_gas"].values == pytest.approx([500.0, 500.0], abs=1e-6)
    price = carbon.pivot_table(index="future", columns="snapshot", values="dispatch_price_per_mwh")
    assert price.loc["reference"].values == pytest.approx([10.0, 20.0], abs=1e-6)
    assert price.loc["cheap_gas"].values == pytest.approx([5.0, 5.0], abs=1e-6)
    summary = pd.read_csv(folder / "summary_futures.csv").set_index(["future", "metric"])["value"]
    # load-weighted marginal: reference (50·1000 + 150·500)/200 = 625 g/kWh; cheap_gas 500 g/kWh
    assert summary[("reference", "marginal_direct_g_per_kwh")] == pytest.approx(625.0, rel=1e-9)
    assert summary[("cheap_gas", "marginal_direct_g_per_kwh")] == pytest.approx(500.0, rel=1e-9)


def test_value_of_information_re_solves_on_dask_equal_the_serial_ones(tmp_path):
    """EV, EEV and WS re-solves are tasks on the shared executor (planning.parallel): on a 2-worker LocalCluster they
    give exactly the serial figures (HiGHS is deterministic), which are the hand-computed ones (module docstring)."""
    from planning.parallel import Executor

    scenario = validate_scenario(screening(tmp_path))
    serial = solve_stochastic(scenario)
    with Executor(workers=2) as executor:
        parallel = solve_stochastic(scenario)
        assert not executor.serial and executor.workers == 2
    assert information(parallel) == information(serial)
    assert information(serial) == pytest.approx({"rp_cost": 1225, "ev_cost": 1025, "eev_cost": 1737.5, "ws_cost": 1025,
                                                 "evpi": 200, "vss": 512.5}, abs=1e-6)
    pd.testing.assert_frame_equal(parallel.information_by_future, serial.information_by_future)


def test_input_warnings_are_logged_once_naming_the_futures_they_differ_in(tmp_path):
    # The demand file starts an hour after the first modelled hour (2021-01-01T00:00Z) and fills it from its first row
    # (edge_fill_hours: 1) in every future: one warning, as a run without futures gives it. Futures windy and
    # windy_too read a wind profile that is such a file too: one warning keyed by both; gusty another: one keyed by it.
    # Four futures, so that "every future" is not "all but one".
    import logging

    from planning.workflows.stochastic import load_futures

    def late_file(name: str, column: str) -> str:
        path = tmp_path / name
        path.write_text(f"utc_time,{column}\n2021-01-01 01:00,1\n2021-01-01 02:00,1\n", encoding="utf-8")
        return str(path)

    late, windy, gusty = late_file("late.csv", "demand"), late_file("windy.csv", "cf"), late_file("gusty.csv", "cf")
    raw = tiny_scenario(tmp_path, [50, 50], columns={"cf": [0.5, 0.5]}, extra={
        "technologies": {"gas": thermal(1), "wind": {"kind": "variable"}},
        "plants": {"g": {"zone": "z", "technology": "gas", "existing_mw": 100},
                   "w": {"zone": "z", "technology": "wind", "existing_mw": 10,
                         "profile": {"file": str(tmp_path / "series.csv"), "column": "cf"}}},
        "carbon": {"technology_rows": {"gas": "ccgt", "wind": "onshore_wind"}},
        "futures": {"calm": {"probability": 0.25},
                    **{name: {"probability": 0.25, "plants": {"w": {"profile": {"file": file, "column": "cf", "edge_fill_hours": 1}}}}
                       for name, file in (("windy", windy), ("gusty", gusty), ("windy_too", windy))}},
        "stochastic": {"value_of_information": False},
    })
    raw["zones"]["z"]["demand"] = {"file": late, "column": "demand", "edge_fill_hours": 1}
    note = "1 modelled hour (2021-01-01T00:00Z) outside the file takes its nearest value (edge_fill_hours: 1)"
    with emitted() as records:
        _, inputs, problems = load_futures(validate_scenario(raw))
    assert problems == [] and list(inputs) == ["calm", "windy", "gusty", "windy_too"]
    assert sorted(record.getMessage() for record in records) == sorted([
        f"zones.z.demand: {late}: {note}",
        f"futures.windy, futures.windy_too: plants.w.profile: {windy}: {note}",
        f"futures.gusty: plants.w.profile: {gusty}: {note}"])
    assert all(record.levelno == logging.WARNING and record.name == "planning.inputs" for record in records)

    path = tmp_path / "futures.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    # planning run reads the futures only; planning validate reads the scenario too, and warns as a run does.
    for command in (["run", str(path), "--out", str(tmp_path / "out"), "--set", "solver.threads=1"], ["validate", str(path)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, result.output
        output = " ".join(result.output.split())
        assert output.count("outside the file takes its nearest value") == 3, (command[0], result.output)
        assert output.count("zones.z.demand:") == 1 and output.count("futures.gusty:") == 1, (command[0], result.output)
