"""Headroom: the largest new flexible load the existing system serves, per curtailment budget.

Hand case: one zone, four hours, demand 50, 60, 80, 90 MW; 100 MW of gas; a flat new load X.
Curtailment needed: max(0, 90 + X − 100) in the last hour (for X ≤ 20); energy 4X.
* b = 0:    X = 10 (the last hour is full).
* b = 0.05: X − 10 ≤ 0.05·4X → X ≤ 12.5; curtailed 2.5 MW in 1 h, depth 2.5/12.5 = 0.2.
* b = 0.10: X − 10 ≤ 0.4X → X ≤ 16.667; curtailed 6.667 MW, depth 0.4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.config import validate_scenario
from planning.io.inputs import load_inputs
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
from planning.workflows.headroom import _cap_unserved, headroom_blocks, headroom_inputs, headroom_table, longest_run, solve_headroom
from planning.workflows.signal_response import fixed_capacity_inputs
from tests.conftest import REPO, tiny_scenario
from tests.workflows.helpers import THERMAL


def hand_case(tmp_path, demand=(50, 60, 80, 90), budgets=(0.0, 0.05, 0.10), **headroom):
    raw = tiny_scenario(tmp_path, list(demand), extra={
        "technologies": {"ccgt": {**THERMAL, "fuel": "gas"}}, "plants": {"g": {"zone": "z", "technology": "ccgt", "existing_mw": 100}},
        "operations": {"headroom": {"budgets": list(budgets), **headroom}}})
    scenario = validate_scenario(raw)
    return scenario, fixed_capacity_inputs(load_inputs(scenario))


def test_headroom_hand_case(tmp_path):
    scenario, inputs = hand_case(tmp_path)
    table = headroom_table(scenario, inputs)
    np.testing.assert_allclose(table["headroom_mw"], [10.0, 12.5, 50 / 3], rtol=1e-6)
    np.testing.assert_allclose(table["curtailed_hours"], [0, 1, 1])
    np.testing.assert_allclose(table["max_curtail_depth"], [0.0, 0.2, 0.4], atol=1e-6)
    np.testing.assert_allclose(table["longest_event_hours"], [0, 1, 1])
    assert list(table.columns[:5]) == ["curtailment_budget", "headroom_mw", "curtailed_hours", "max_curtail_depth", "longest_event_hours"]


def test_larger_budget_never_less_headroom(tmp_path):
    scenario, inputs = hand_case(tmp_path, demand=(70, 95, 85, 99, 60, 92), budgets=(0.0025, 0.005, 0.01, 0.05))
    headroom = headroom_table(scenario, inputs)["headroom_mw"].to_numpy()
    assert np.all(np.diff(headroom) >= -1e-6)
    assert headroom[-1] > headroom[0]


def test_at_the_headroom_no_unserved_energy_and_curtailment_within_budget(tmp_path):
    scenario, inputs = hand_case(tmp_path, demand=(70, 95, 85, 99, 60, 92), budgets=(0.05,))
    row = solve_headroom(scenario, inputs, 0.05)
    size, curtailed = row["headroom_mw"], row["curtailed_mw"]
    assert row["curtailed_fraction"] <= 0.05 + 1e-9
    # Independent check: the ordinary model (unserved energy allowed at VOLL) with the new load as fixed demand.
    checked = inputs.copy()
    checked["demand_mw"] = inputs["demand_mw"] + (size - curtailed)[None, :]
    built = build_model(checked)
    solved = solve_model(built.model, scenario.solver)
    unserved = np.array([built.model.unserved_mw["z", t].value for t in built.ctx.snapshots])
    assert solved.optimal and unserved.max() == pytest.approx(0.0, abs=1e-6)
    # And the headroom is the largest: 1 % more cannot stay within the budget.
    settings = scenario.operations.headroom
    bigger = build_model(headroom_inputs(inputs, "z", np.ones(6), settings, 0.05, fixed_mw=size * 1.01), blocks=headroom_blocks())
    _cap_unserved(bigger, np.zeros((1, 6)))  # the system alone sheds nothing
    assert not solve_model(bigger.model, scenario.solver).has_solution


def test_a_system_that_already_sheds_load_gets_no_more_unserved(tmp_path):
    # Demand 50 and 120 MW on 100 MW: 20 MW shed in hour 1 without the new load (base_unserved_mwh = 20).
    # Budget 0: the new load may not raise hour 1's shedding, so X = 0. Budget 0.5: it may be curtailed
    # fully in hour 1 (X ≤ 0.5·2X), and hour 0 takes 50 + X ≤ 100 → X = 50.
    scenario, inputs = hand_case(tmp_path, demand=(50, 120), budgets=(0.0, 0.5))
    table = headroom_table(scenario, inputs)
    np.testing.assert_allclose(table["headroom_mw"], [0.0, 50.0], atol=1e-4)
    np.testing.assert_allclose(table["base_unserved_mwh"], [20.0, 20.0], atol=1e-6)


@pytest.mark.parametrize("reserves", [{"spinning": {"load_fraction": 0.1}}, {"planning_reserve_margin": 0.1}])
def test_headroom_counts_datacenter_load_in_the_reserve(tmp_path, reserves):
    # Demand 40, 50, 70, 80 MW plus an existing campus running inflexibly at 10 MW (PUE 1): the hand
    # case's 50, 60, 80, 90 MW. A 10 % reserve (spinning, of all load; or a planning margin) on every
    # MW of load — demand, the campus and the new load X — leaves 1.1·(90 + X − c) ≤ 100 in the last hour:
    # * b = 0:    X = 100/1.1 − 90 = 0.90909 MW;
    # * b = 0.05: c = X − 0.90909 ≤ 0.05·4X → X = 0.90909/0.8 = 1.13636 MW.
    # (Before 2026-11-30 the reserve ignored both data-center loads: X = 2 and 2.5 MW with spinning
    # reserve, 10 and 12.5 MW with the margin.)
    from tests.workflows.helpers import scenario_and_inputs

    scenario, inputs = scenario_and_inputs(tmp_path, [40, 50, 70, 80], plants={"g": {"zone": "z", "technology": "ccgt", "existing_mw": 100}},
                                           technologies={"ccgt": {**THERMAL, "fuel": "gas"}}, fuels={"gas": {"price_per_mmbtu": 1.0}},
                                           extra={"reserves": reserves, "operations": {"headroom": {"budgets": [0.0, 0.05], "zone": "z"}}},
                                           arrived=10.0, rating=20.0)
    inputs["dc_flexibility"] = (("datacenter",), np.array(["inflexible"], dtype=object))
    table = headroom_table(scenario, inputs)
    np.testing.assert_allclose(table["headroom_mw"], [100 / 1.1 - 90, (100 / 1.1 - 90) / 0.8], rtol=1e-6)
    np.testing.assert_allclose(table["base_unserved_mwh"], [0.0, 0.0], atol=1e-9)


def test_a_fleet_short_of_its_margin_names_the_key(tmp_path):
    # Load 50, 60, 80, 90 MW (the campus' 10 MW included) on 100 MW: a 20 % margin needs 108 MW of firm
    # capacity in the last hour, which the fixed fleet does not have.
    from planning.errors import SolveError
    from tests.workflows.helpers import scenario_and_inputs

    scenario, inputs = scenario_and_inputs(tmp_path, [40, 50, 70, 80], plants={"g": {"zone": "z", "technology": "ccgt", "existing_mw": 100}},
                                           technologies={"ccgt": {**THERMAL, "fuel": "gas"}}, fuels={"gas": {"price_per_mmbtu": 1.0}},
                                           extra={"reserves": {"planning_reserve_margin": 0.2}}, arrived=10.0, rating=20.0)
    inputs["dc_flexibility"] = (("datacenter",), np.array(["inflexible"], dtype=object))
    with pytest.raises(SolveError) as caught:
        headroom_table(scenario, inputs)
    assert "reserves.planning_reserve_margin" in "\n".join(caught.value.problems)


def test_longest_run():
    assert longest_run(np.array([True, False, True, True, True, False, True])) == 3
    assert longest_run(np.array([], dtype=bool)) == 0


def test_headroom_command_with_a_datacenter_shape(tmp_path):
    example = REPO / "scenarios" / "isone_datacenter_week.yaml"
    out = tmp_path / "headroom"
    sets = ["horizon.hours=48", "horizon.storage_cycle=day", "plants.isone_ocgt.existing_mw=8000", "operations.headroom.shape=datacenter"]
    result = CliRunner().invoke(app, ["headroom", str(example), "--out", str(out), "-q", *sum((["--set", s] for s in sets), [])])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "headroom.csv")
    assert table["curtailment_budget"].tolist() == [0.0025, 0.005, 0.01]
    assert np.all(np.diff(table["headroom_mw"]) >= -1e-6) and (table["headroom_mw"] > 0).all()
    assert (table["curtailed_fraction"] <= table["curtailment_budget"] + 1e-9).all()
    assert table["shape"].eq("datacenter:campus").all()


def two_zone_case(tmp_path):
    """Zone a: demand 50, 60, 80, 90 MW, 100 MW of gas; zone b: 10 MW flat, 40 MW of gas; a 20 MW corridor.

    Flat new load X, by hand (curtailment in the tightest hours only):
    * in a, with the corridor: hour 4 gets 90 + X ≤ 100 + 20 → b = 0: X = 30; b = 0.05: X − 30 ≤ 0.05·4X → X = 37.5
      (hour 3: 80 + X ≤ 120 holds);
    * in a, islanded: the one-zone hand case, X = 10 and 12.5;
    * in b, with the corridor: 10 + X ≤ 40 + min(20, 100 − demand_a) → hour 4 binds, X = 40; b = 0.05: X − 40 ≤ 0.2X
      → X = 50 (hour 3: 10 + X ≤ 60 holds with equality);
    * in b, islanded: 10 + X ≤ 40 every hour → X = 30; b = 0.05: 4(X − 30) ≤ 0.05·4X → X = 30/0.95.
    """
    from tests.conftest import write_series

    path = write_series(tmp_path, {"a": [50, 60, 80, 90], "b": [10, 10, 10, 10]})
    raw = {
        "name": "two-zones", "horizon": {"year": 2021, "start_hour": 0, "hours": 4, "scale_to_year": False},
        "zones": {"a": {"demand": {"file": str(path), "column": "a"}}, "b": {"demand": {"file": str(path), "column": "b"}}},
        "fuels": {"gas": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"ccgt": {**THERMAL, "fuel": "gas"}},
        "plants": {"ga": {"zone": "a", "technology": "ccgt", "existing_mw": 100}, "gb": {"zone": "b", "technology": "ccgt", "existing_mw": 40}},
        "transmission": {"ab": {"from_zone": "a", "to_zone": "b", "existing_mw": 20}},
        "operations": {"headroom": {"budgets": [0.0, 0.05]}},
    }
    scenario = validate_scenario(raw)
    return scenario, fixed_capacity_inputs(load_inputs(scenario))


def test_headroom_per_zone_with_and_without_transmission(tmp_path):
    scenario, inputs = two_zone_case(tmp_path)
    table = headroom_table(scenario, inputs, zones=["all"], transmission="both")
    assert table[["transmission", "zone"]].apply(tuple, axis=1).tolist() == [
        ("with", "a"), ("with", "a"), ("with", "b"), ("with", "b"), ("without", "a"), ("without", "a"), ("without", "b"), ("without", "b")]
    np.testing.assert_allclose(table["headroom_mw"], [30, 37.5, 40, 50, 10, 12.5, 30, 30 / 0.95], rtol=1e-6)
    assert (table["curtailed_fraction"] <= table["curtailment_budget"] + 1e-9).all()
    # The default (operations.headroom.zone: null, no data center) is the first zone, with transmission.
    default = headroom_table(scenario, inputs, budgets=[0.0])
    assert default[["zone", "transmission"]].values.tolist() == [["a", "with"]]
    np.testing.assert_allclose(default["headroom_mw"], [30], rtol=1e-6)


def test_headroom_command_names_an_unknown_zone_and_setting(tmp_path):
    scenario = REPO / "scenarios" / "isone_week.yaml"
    result = CliRunner().invoke(app, ["headroom", str(scenario), "--out", str(tmp_path / "h"), "--zone", "nowhere", "--transmission", "maybe"])
    assert result.exit_code == 2
    assert "--zone: unknown zone 'nowhere'" in result.output and "--transmission: 'maybe'" in result.output
    assert not (tmp_path / "h").exists()


def test_longest_run_restarts_at_each_representative_period():
    flags = np.array([True, True, True, True, False, True])
    assert longest_run(flags, period=np.array([0, 0, 1, 1, 1, 2])) == 2


def test_an_islanded_zone_alone_gives_the_whole_system_answer(tmp_path):
    from planning.workflows.headroom import island, without_transmission

    scenario, inputs = two_zone_case(tmp_path)
    alone, index = island(without_transmission(inputs), "b")
    assert index == 1 and alone.sizes["zone"] == 1 and alone.sizes["plant"] == 1 and alone.sizes["line"] == 0
    whole = solve_headroom(scenario, without_transmission(inputs), 0.05, zone="b")["headroom_mw"]
    assert solve_headroom(scenario, alone, 0.05, zone="b")["headroom_mw"] == pytest.approx(whole, rel=1e-9)
    assert whole == pytest.approx(30 / 0.95, rel=1e-6)


def test_headroom_terminal_view_is_one_row_per_zone_and_setting_and_fits_80_columns():
    """The terminal shows headroom MW per budget side by side; headroom.csv keeps every column. Two zones × two
    settings × three budgets (12 rows, 11 columns in the CSV) → 4 rows × (zone, transmission, 3 budgets); no
    number is folded over two lines."""
    import pandas as pd
    from rich.console import Console

    from planning.cli import _frame_table
    from planning.workflows.headroom import HEADROOM_COLUMNS, headroom_view

    rows = []
    for setting, base in (("with", 54709.22902), ("without", 254086.0)):
        for zone, values in (("north", (638.8, 719.2, 814.3)), ("south_with_a_long_name", (12345.6, 13456.7, 14567.8))):
            for budget, mw in zip((0.0025, 0.005, 0.01), values):
                rows.append({"curtailment_budget": budget, "headroom_mw": mw, "curtailed_hours": 208.6, "max_curtail_depth": 0.212,
                             "longest_event_hours": 4, "curtailed_mwh": 13989, "curtailed_fraction": budget,
                             "base_unserved_mwh": base, "zone": zone, "shape": "flat", "transmission": setting})
    table = pd.DataFrame(rows, columns=HEADROOM_COLUMNS)
    view = headroom_view(table)
    assert list(view.columns) == ["zone", "transmission", "MW at 0.25 %", "MW at 0.5 %", "MW at 1 %", "base unserved MWh"]
    assert view.shape == (4, 6)
    north_without = view[(view["zone"] == "north") & (view["transmission"] == "without")].iloc[0]
    assert (north_without["MW at 0.25 %"], north_without["MW at 1 %"], north_without["base unserved MWh"]) == (638.8, 814.3, 254086.0)
    console = Console(width=80, record=True)
    console.print(_frame_table(view, "headroom"))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    for number in ("638.8", "12 346", "14 568", "254 086", "54 709"):
        assert number in text, number


def test_headroom_terminal_view_of_one_zone_keeps_the_curtailment_columns():
    """One zone, one setting: a row per budget with the curtailment it takes (no zone/transmission columns)."""
    import pandas as pd

    from planning.workflows.headroom import HEADROOM_COLUMNS, headroom_view

    table = pd.DataFrame([{"curtailment_budget": 0.01, "headroom_mw": 500.0, "curtailed_hours": 12, "max_curtail_depth": 0.4,
                           "longest_event_hours": 3, "curtailed_mwh": 438, "curtailed_fraction": 0.01, "base_unserved_mwh": 0.0,
                           "zone": None, "shape": "flat", "transmission": "with"}], columns=HEADROOM_COLUMNS)
    view = headroom_view(table)
    assert list(view.columns) == ["curtailment_budget", "headroom_mw", "curtailed_hours", "max_curtail_depth", "longest_event_hours",
                                  "curtailed_mwh"]
    assert view.iloc[0]["headroom_mw"] == 500.0
