"""Stress events and the emissions-first / stability-first / auto signals.

The outage case (hand-computable): one zone, six hours, demand 110 MW; nuclear 100 MW (0 t/MWh)
and gas 60 MW (0.5 t/MWh); the gas plant is out in hours 2–3. A data center with 20 MW of
flexible power, work arriving at 10 MWh/h, 3 h delay (as arrived: 10 MW every hour).
* Hours 2–3 have only nuclear: average intensity 0, so the emissions-first data center moves in:
  20 MW there → load 130 vs 100 MW of supply → 30 MW unserved in each → 60 MWh.
* Stability-first moves out (net margin there is negative): 0 MW → 10 MW unserved each → 20 MWh.
* auto (threshold 0.10): net margin m = (headroom − unserved)/load. Hours 2–3: at most
  −10/110 = −0.09 < 0.10 → stability; other hours: gas has ≥ 60 − 30 = 30 MW spare on ≤ 130 MW
  → m ≥ 0.23 → emissions. Switch to stability at hour 2 and back at hour 4; 20 MWh unserved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.config import validate_scenario
from planning.errors import ScenarioError
from planning.io.inputs import load_inputs
from planning.metrics.adequacy import net_margin
from planning.workflows.stress import run_modes, stress_tables
from tests.conftest import tiny_scenario
from tests.workflows.helpers import THERMAL, scenario_and_inputs

TECHNOLOGIES = {"nuclear": {**THERMAL, "fuel": "uranium"}, "ocgt": {**THERMAL, "fuel": "gas"}}
FUELS = {"uranium": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.0}, "gas": {"price_per_mmbtu": 50.0, "co2_t_per_mmbtu": 0.5}}
PLANTS = {"n": {"zone": "z", "technology": "nuclear", "existing_mw": 100, "max_new_mw": 0},
          "g": {"zone": "z", "technology": "ocgt", "existing_mw": 60, "max_new_mw": 0}}
OUTAGE = {"events": [{"kind": "outage", "plants": ["g"], "start_hour": 2, "duration_hours": 2}], "reserve_threshold_fraction": 0.1}
ROUNDS = {"loop": {"max_iterations": 8}}   # the outcomes below are reached from round 1 on; 8 rounds keep the tests short


@pytest.fixture(scope="module")
def outage_modes(tmp_path_factory):
    scenario, inputs = scenario_and_inputs(tmp_path_factory.mktemp("stress"), [110] * 6, PLANTS, TECHNOLOGIES, FUELS,
                                           extra={"stress": OUTAGE, "operations": ROUNDS})
    loops = run_modes(scenario, inputs)
    return scenario, inputs, loops, stress_tables(scenario, inputs, loops)


def test_stability_first_sheds_less_than_emissions_first(outage_modes):
    _, _, _, tables = outage_modes
    adequacy = tables["adequacy"].set_index("mode")
    assert adequacy.loc["emissions_first", "unserved_energy_mwh"] == pytest.approx(60.0, abs=1e-6)
    assert adequacy.loc["stability_first", "unserved_energy_mwh"] == pytest.approx(20.0, abs=1e-6)
    assert adequacy.loc["auto", "unserved_energy_mwh"] == pytest.approx(20.0, abs=1e-6)
    assert (adequacy["loss_of_load_hours"] == 2.0).all()
    # Worst net margin: (0 − 30)/130 emissions-first; (0 − 10)/110 stability-first.
    assert adequacy.loc["emissions_first", "min_reserve_margin"] == pytest.approx(-30 / 130)
    assert adequacy.loc["stability_first", "min_reserve_margin"] == pytest.approx(-10 / 110)
    assert list(tables["adequacy"].columns) == ["mode", "converged", "zone", "event_hours", "event_unserved_energy_mwh", "event_loss_of_load_hours",
                                                "unserved_energy_mwh", "loss_of_load_hours", "min_reserve_margin", "reserve_shortfall_mwh",
                                                "curtailment_mwh", "datacenter_curtailed_mwh", "modelled_hours", "represented_hours"]
    # Not scaled: the event is hours 2–3, so the event figures equal the horizon's.
    assert (adequacy["event_hours"] == 2).all() and (adequacy["event_loss_of_load_hours"] == 2).all()
    assert adequacy.loc["emissions_first", "event_unserved_energy_mwh"] == pytest.approx(60.0, abs=1e-6)
    assert adequacy["converged"].to_dict() == {mode: loop.converged for mode, loop in outage_modes[2].items()}


def test_each_event_is_reported_on_its_own(outage_modes):
    # One event (the gas outage, hours 2–3 from 2021-01-01T00:00): 60 MWh emissions-first, 20 MWh otherwise, 2 h each.
    events = outage_modes[3]["stress_events"].set_index("mode")
    assert events["event"].tolist() == ["0: outage"] * 3 and (events["first_snapshot"] == "2021-01-01T02:00").all()
    assert (events["hours"] == 2).all() and (events["loss_of_load_hours"] == 2).all()
    assert events["unserved_energy_mwh"].to_dict() == pytest.approx({"emissions_first": 60.0, "stability_first": 20.0, "auto": 20.0}, abs=1e-6)


def test_auto_switches_exactly_where_the_margin_crosses_the_threshold(outage_modes):
    scenario, inputs, loops, tables = outage_modes
    switches = tables["switches"]
    assert switches["hour"].tolist() == [2, 4]
    assert switches["to"].tolist() == ["stability_first", "emissions_first"]
    # The flags of the last round are exactly the hours whose net margin (that round's grid) is below 0.10.
    auto = loops["auto"]
    margin = net_margin(auto.final.results, inputs)[0]
    np.testing.assert_array_equal(auto.stressed[0], margin < 0.10)
    assert auto.stressed[0].tolist() == [False, False, True, True, False, False]


def test_response_stays_inside_the_learned_envelope(outage_modes):
    _, inputs, loops, _ = outage_modes
    for loop in loops.values():
        flexible = loop.schedule.flexible_mw[0]
        assert flexible.min() >= -1e-6 and flexible.max() <= 20.0 + 1e-6
        # All work arriving in the horizon is done (cyclic backlog), nothing waits longer than 3 h.
        assert loop.schedule.work_done.sum() == pytest.approx(60.0, rel=1e-6)
        assert (loop.schedule.backlog <= 30.0 + 1e-6).all()


def test_events_transform_the_inputs(tmp_path):
    raw = tiny_scenario(tmp_path, [100.0] * 4, columns={"cf": [0.5] * 4}, extra={
        "technologies": {"ocgt": {**THERMAL, "fuel": "gas"}, "utility_pv": {"kind": "variable", "capex_per_mw": 0.0, "lifetime_years": 30}},
        "plants": {"g": {"zone": "z", "technology": "ocgt", "existing_mw": 100},
                   "pv": {"zone": "z", "technology": "utility_pv", "existing_mw": 10, "profile": {"file": "x", "column": "cf"}}},
        "stress": {"events": [
            {"kind": "outage", "technologies": ["ocgt"], "start_hour": 0, "duration_hours": 2, "fraction": 0.25},
            {"kind": "drought", "start_hour": 1, "duration_hours": 2, "scale": 0.1},
            {"kind": "heat_wave", "start_hour": 3, "duration_hours": 5, "demand_scale": 1.2, "pue_scale": 1.1},
        ]},
    })
    raw["plants"]["pv"]["profile"]["file"] = raw["zones"]["z"]["demand"]["file"]
    inputs = load_inputs(validate_scenario(raw))
    np.testing.assert_allclose(inputs["availability_per_unit"].sel(plant="g").values, [0.75, 0.75, 1.0, 1.0])
    np.testing.assert_allclose(inputs["availability_per_unit"].sel(plant="pv").values, [0.5, 0.05, 0.05, 0.5])
    np.testing.assert_allclose(inputs["demand_mw"].sel(zone="z").values, [100, 100, 100, 120])  # window clipped to the horizon
    assert inputs["stress_active"].values.tolist() == [1, 1, 1, 1]


def test_line_outage_limits_the_corridor(tmp_path, solve_raw):
    # Zone a: 100 MW of gas, no load; zone b: 50 MW load, nothing local; corridor 50 MW, out in hour 1.
    from tests.conftest import write_series

    path = write_series(tmp_path, {"a": [0, 0], "b": [50, 50]})
    raw = {
        "name": "lines", "horizon": {"year": 2021, "start_hour": 0, "hours": 2, "scale_to_year": False},
        "zones": {"a": {"demand": {"file": str(path), "column": "a"}}, "b": {"demand": {"file": str(path), "column": "b"}}},
        "fuels": {"gas": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"ocgt": {**THERMAL, "fuel": "gas"}},
        "plants": {"g": {"zone": "a", "technology": "ocgt", "existing_mw": 100, "max_new_mw": 0}},
        "transmission": {"ab": {"from_zone": "a", "to_zone": "b", "existing_mw": 50, "max_new_mw": 0}},
        "stress": {"events": [{"kind": "line_outage", "lines": ["ab"], "start_hour": 1, "duration_hours": 1, "fraction": 0.6}]},
    }
    results, _ = solve_raw(raw)
    # Hour 1: 40 % of 50 MW = 20 MW arrives; 30 MW unserved in b.
    np.testing.assert_allclose(results["unserved_mw"].sel(zone="b").values, [0.0, 30.0], atol=1e-6)


def test_unknown_names_in_events_are_reported(tmp_path):
    raw = tiny_scenario(tmp_path, [1.0], extra={
        "technologies": {"ocgt": {**THERMAL, "fuel": "gas"}}, "plants": {"g": {"zone": "z", "technology": "ocgt"}},
        "stress": {"events": [{"kind": "outage", "plants": ["gg"], "start_hour": 5, "duration_hours": 1}]}})
    with pytest.raises(ScenarioError) as error:
        validate_scenario(raw)
    text = str(error.value)
    assert "stress.events[0].plants: unknown plant 'gg'" in text
    assert "stress.events[0].start_hour: 5 is past the modelled horizon (1 h)" in text


def test_stress_command_writes_adequacy_per_mode(tmp_path):
    from typer.testing import CliRunner

    from planning.cli import app
    from tests.conftest import REPO

    out = tmp_path / "stress"
    sets = ["horizon.hours=48", "horizon.storage_cycle=day", "plants.isone_ocgt.existing_mw=2000", "operations.loop.max_iterations=3",
            "stress.events=[{kind: outage, technologies: [ccgt], start_hour: 14, duration_hours: 6, fraction: 0.3},"
            " {kind: heat_wave, start_hour: 12, duration_hours: 12, demand_scale: 1.05, pue_scale: 1.1}]"]
    result = CliRunner().invoke(app, ["stress", str(REPO / "scenarios" / "isone_stress_week.yaml"), "--out", str(out), "-q",
                                      "--mode", "emissions_first", "--mode", "auto", *sum((["--set", s] for s in sets), [])])
    assert result.exit_code == 0, result.output
    adequacy = pd.read_csv(out / "adequacy.csv")
    assert adequacy["mode"].tolist() == ["emissions_first", "auto"]
    for name in ("stress_summary.csv", "switches.csv", "loop_auto.csv", "loop_emissions_first_schedule.csv"):
        assert (out / name).is_file()


def test_event_figures_are_unweighted_next_to_the_annualised_ones(tmp_path):
    # The outage case scaled to a year: 6 modelled hours, each standing for 8760/6 = 1460 h. Stability-first
    # sheds 10 MW in each of the 2 event hours (see the module docstring): 20 MWh and 2 h during the event,
    # 20 × 1460 = 29,200 MWh/year and 2 × 1460 = 2,920 h/year annualised.
    horizon = {"horizon": {"year": 2021, "start_hour": 0, "hours": 6, "scale_to_year": True}}
    scenario, inputs = scenario_and_inputs(tmp_path, [110] * 6, PLANTS, TECHNOLOGIES, FUELS, extra={"stress": OUTAGE, "operations": ROUNDS, **horizon})
    tables = stress_tables(scenario, inputs, run_modes(scenario, inputs, modes=("stability_first",)))
    row = tables["adequacy"].iloc[0]
    assert row["event_hours"] == 2 and row["event_loss_of_load_hours"] == 2
    assert row["event_unserved_energy_mwh"] == pytest.approx(20.0, abs=1e-6)
    assert row["unserved_energy_mwh"] == pytest.approx(20.0 * 1460, abs=1e-3)
    assert row["loss_of_load_hours"] == pytest.approx(2 * 1460)
    assert row["modelled_hours"] == 6 and row["represented_hours"] == pytest.approx(8760)
    summary = tables["stress_summary"].iloc[0]
    assert summary["event_unserved_energy_mwh"] == pytest.approx(20.0, abs=1e-6) and summary["unserved_energy_mwh"] == pytest.approx(29_200, abs=1e-3)
    assert summary["load_shed"] == 1


def test_a_mode_that_did_not_converge_is_marked_and_not_ranked(outage_modes):
    import dataclasses

    scenario, inputs, loops, _ = outage_modes
    # All converged: ranked by unserved energy (60 emissions-first; 20 stability-first and auto).
    settled = {mode: dataclasses.replace(loop, converged=True) for mode, loop in loops.items()}
    ranked = stress_tables(scenario, inputs, settled)["stress_summary"].set_index("mode")
    assert ranked["converged"].all()
    assert ranked.loc["emissions_first", "rank"] == 3 and ranked.loc["stability_first", "rank"] < 3 and ranked.loc["auto", "rank"] < 3
    # Mark stability-first as not converged: it keeps its figures but leaves the ranking.
    marked = dict(settled, stability_first=dataclasses.replace(loops["stability_first"], converged=False))
    again = stress_tables(scenario, inputs, marked)
    summary = again["stress_summary"].set_index("mode")
    assert not summary.loc["stability_first", "converged"] and np.isnan(summary.loc["stability_first", "rank"])
    assert summary.loc["auto", "rank"] == 1 and summary.loc["emissions_first", "rank"] == 2
    adequacy = again["adequacy"].set_index("mode")
    assert adequacy["converged"].to_dict() == {"emissions_first": True, "stability_first": False, "auto": True}
    assert adequacy.loc["stability_first", "unserved_energy_mwh"] == pytest.approx(20.0, abs=1e-6)


def test_each_mode_reports_its_trace_and_the_iterate_it_reports(outage_modes):
    _, _, loops, tables = outage_modes
    summary = tables["stress_summary"].set_index("mode")
    adequacy = tables["adequacy"].set_index("mode")
    for mode, loop in loops.items():
        trace = tables[f"loop_{mode}"]
        assert trace["iteration"].tolist() == list(range(len(trace)))
        assert summary.loc[mode, "iterations"] == len(trace)
        # The reported iterate is the round the trace flags; every figure of the mode is that round's.
        reported = trace.index[trace["reported"]].tolist()
        assert reported == [summary.loc[mode, "reported_iteration"]]
        assert summary.loc[mode, "reported_iterate"] == "round with the smallest relative response gap"   # not a price signal
        assert summary.loc[mode, "total_cost"] == pytest.approx(trace.loc[reported[0], "total_cost"])
        assert summary.loc[mode, "unserved_energy_mwh"] == pytest.approx(trace.loc[reported[0], "unserved_energy_mwh"], abs=1e-6)
        assert adequacy.loc[mode, "unserved_energy_mwh"] == pytest.approx(trace.loc[reported[0], "unserved_energy_mwh"], abs=1e-6)
        assert summary.loc[mode, "relative_gap"] == pytest.approx(trace.loc[reported[0], "relative_gap"])
        assert summary.loc[mode, "converged"] == loop.converged == (trace["relative_gap"].iloc[-1] <= summary.loc[mode, "gap_tolerance_fraction"])


@pytest.fixture(scope="module")
def unconverged_stress_run(tmp_path_factory):
    """`planning stress --strict` on 48 h of the stress example, 90 % of the CCGT, oil and import capacity out for 12 h (the
    existing fleet sheds load), one round only and a zero gap tolerance: the as-arrived schedule is not the campus' best
    response, so no mode converges."""
    from typer.testing import CliRunner

    from planning.cli import app
    from tests.conftest import REPO

    out = tmp_path_factory.mktemp("stress") / "unconverged"
    sets = ["horizon.hours=48", "horizon.storage_cycle=day", "unit_commitment.mode=linear", "operations.loop.max_iterations=1",
            "operations.loop.gap_tolerance_fraction=0",
            "stress.events=[{kind: outage, technologies: [ccgt, oil, imports], start_hour: 12, duration_hours: 12, fraction: 0.9}]"]
    result = CliRunner().invoke(app, ["stress", str(REPO / "scenarios" / "isone_stress_week.yaml"), "--out", str(out), "--strict",
                                      "--mode", "stability_first", "--mode", "auto", *sum((["--set", s] for s in sets), [])])
    return result, out


def test_stress_command_marks_unconverged_modes_and_strict_exits_5(unconverged_stress_run):
    result, out = unconverged_stress_run
    assert result.exit_code == 5, result.output
    text = " ".join(result.output.split())
    assert "stability_first: NOT CONVERGED after 1 round" in text and "auto: NOT CONVERGED after 1 round" in text
    assert "not ranked" in text
    assert "LOAD SHED" in text and "during the stress events (12 h, unweighted)" in text
    assert "the 48 modelled hours are a sample scaled to a year" in text
    adequacy = pd.read_csv(out / "adequacy.csv")
    assert adequacy["converged"].tolist() == [False, False]
    assert (adequacy["event_hours"] == 12).all() and (adequacy["event_unserved_energy_mwh"] > 0).all()
    summary = pd.read_csv(out / "stress_summary.csv")
    assert summary["rank"].isna().all() and (summary["load_shed"] == 1).all()


def test_stress_report_marks_unconverged_modes_and_labels_event_and_annual_figures(unconverged_stress_run):
    from planning.report import build_report

    _, out = unconverged_stress_run
    report = build_report(out)
    html = report.html.read_text(encoding="utf-8")
    assert html.count("NOT CONVERGED") >= 4 and "Not converged, so not ranked: stability_first, auto" in html   # modes and zones tables, banner
    assert "during the stress events (unweighted)" in html and "annualised" in html
    assert "LOAD SHED" in html
    assert "The 48 modelled hours are a sample scaled to a year: each stands for 182.5 h" in html
    assert [path.name for path in report.figures] == ["stress_convergence.png"]
    assert "Each stress event on its own (stress_events.csv)" in html and "0: outage" in html


def test_a_planning_reserve_margin_does_not_make_the_fixed_fleet_infeasible(tmp_path):
    # The outage case with reserves.planning_reserve_margin = 0.5: firm capacity 160 MW < 1.5 × 120 MW of as-arrived load, so
    # the margin (an investment rule) cannot hold on the fixed fleet. Stress measures adequacy instead: stability-first sheds
    # 10 MW in each event hour, 20 MWh, as without the margin (module docstring).
    extra = {"stress": OUTAGE, "operations": ROUNDS, "reserves": {"planning_reserve_margin": 0.5}}
    scenario, inputs = scenario_and_inputs(tmp_path, [110] * 6, PLANTS, TECHNOLOGIES, FUELS, extra=extra)
    tables = stress_tables(scenario, inputs, run_modes(scenario, inputs, modes=("stability_first",)))
    assert tables["adequacy"].iloc[0]["event_unserved_energy_mwh"] == pytest.approx(20.0, abs=1e-6)
