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


@pytest.fixture(scope="module")
def outage_modes(tmp_path_factory):
    scenario, inputs = scenario_and_inputs(tmp_path_factory.mktemp("stress"), [110] * 6, PLANTS, TECHNOLOGIES, FUELS, extra={"stress": OUTAGE})
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
    assert list(tables["adequacy"].columns) == ["mode", "zone", "unserved_energy_mwh", "loss_of_load_hours", "min_reserve_margin",
                                                "reserve_shortfall_mwh", "curtailment_mwh", "datacenter_curtailed_mwh"]


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
