"""The data-center block: the embedded surrogate reproduces the card, backlog and delay hold in the
written datacenter.csv, and flexibility never costs more than its inflexible twin."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.config import load_scenario
from planning.errors import ScenarioError
from planning.io.inputs import load_inputs
from planning.optimization.blocks.datacenter import _window_sums
from planning.optimization.build import build_model
from planning.optimization.solve import solve_model
from planning.surrogate.card import card_to_estimator, load_card
from tests.conftest import REPO, emitted

EXAMPLE = REPO / "scenarios" / "isone_datacenter_week.yaml"
CARD = REPO / "models" / "google_cella_emerald_llm.json"
SHORT = ["horizon.hours=48", "horizon.storage_cycle=day"]


def _non_concave_card(tmp_path):
    data = json.loads(CARD.read_text())
    # An S-shaped curve (slopes 0.5, 2.0, 0.25): not concave.
    data["throughput_curve"]["parameters"] = {"breakpoints_x": [0.2, 0.4, 0.6, 1.0], "breakpoints_y": [0.1, 0.2, 0.6, 0.7],
                                              "is_concave": False, "is_convex": False}
    data["throughput_curve"]["fitted_range"] = {"power_per_unit": [0.2, 1.0]}
    path = tmp_path / "s_curve.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(("card", "formulation"), [("bundled", "cuts"), ("bundled", "binary"), ("s_curve", "binary")])
def test_embedded_curve_reproduces_card_prediction(tmp_path, card, formulation):
    card_path = CARD if card == "bundled" else _non_concave_card(tmp_path)
    fitted = card_to_estimator(load_card(card_path), "throughput_curve").breakpoints_x_
    # The operating range widened to the curve's whole fitted range, so that every segment (and cut) is in the model.
    scenario = load_scenario(EXAMPLE, [*SHORT, f"datacenters.campus.card_file={card_path}",
                                       f"datacenters.campus.formulation={formulation}",
                                       f"datacenters.campus.operating_range_per_unit=[{float(fitted[0])!r}, {float(fitted[-1])!r}]"])
    inputs = load_inputs(scenario)
    model = build_model(inputs).model
    block = model.datacenter["campus"]
    rating = float(inputs["dc_flexible_rating_mw"].sel(datacenter="campus"))
    curve = card_to_estimator(load_card(card_path), "throughput_curve")
    x = np.asarray(curve.breakpoints_x_)
    # Every breakpoint, midpoints between them, and points near the ends of the fitted range.
    points = np.unique(np.r_[x, (x[:-1] + x[1:]) / 2, x[0] + 1e-3, x[-1] - 1e-3, np.linspace(x[0], x[-1], 48 - 2 * len(x) - 1)])[:48]
    # Keep only the throughput constraint: fix the input, maximise the output.
    block.backlog_balance.deactivate()
    for t in block.backlog:
        block.backlog[t].setub(None)
    for name in ("ramp_up", "ramp_down", "schedule_move"):
        if hasattr(block, name):
            getattr(block, name).deactivate()
    model.total_cost.deactivate()
    T = list(range(len(points)))
    for t, value in zip(T, points):
        block.flexible_mw[t].fix(value * rating)
    model.probe = pyo.Objective(expr=-sum(block.work_done[t] for t in T))
    solved = solve_model(model, scenario.solver)
    assert solved.optimal, solved.status
    embedded = np.array([pyo.value(block.work_done[t]) for t in T])
    np.testing.assert_allclose(embedded, rating * curve.predict(points), atol=1e-6)


def test_cuts_reject_a_non_concave_card(tmp_path):
    card_path = _non_concave_card(tmp_path)
    with pytest.raises(ScenarioError, match="datacenters.campus.formulation: 'cuts' needs a concave throughput curve"):
        load_inputs(load_scenario(EXAMPLE, [*SHORT, f"datacenters.campus.card_file={card_path}", "datacenters.campus.formulation=cuts"]))


def test_missing_card_names_the_key(tmp_path):
    with pytest.raises(ScenarioError, match=r"datacenters.campus.card_file: .*nope.json: surrogate card not found"):
        load_inputs(load_scenario(EXAMPLE, [*SHORT, f"datacenters.campus.card_file={tmp_path / 'nope.json'}"]))


def test_window_sums_wrap_within_cycles():
    # Two 3-hour cycles; D = 2: A_t + A_{t-1}, with t-1 wrapping to the cycle's last hour.
    arrived = np.array([1.0, 2.0, 4.0, 10.0, 20.0, 40.0])
    period = np.array([0, 0, 0, 1, 1, 1])
    np.testing.assert_allclose(_window_sums(arrived, period, 2), [5, 3, 6, 50, 30, 60])


@pytest.fixture(scope="module")
def twin_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dc") / "run"
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "--out", str(out), "--twins", *sum((["--set", s] for s in SHORT), [])])
    assert result.exit_code == 0, result.output
    (out.parent / "terminal.txt").write_text(result.output, encoding="utf-8")   # for the formatting test below
    return out


def test_twins_terminal_output_is_readable_and_fits_80_columns(twin_run):
    import re

    text = (twin_run.parent / "terminal.txt").read_text(encoding="utf-8")   # CliRunner: not a terminal, so 80 columns
    assert not re.search(r"\de[+-]\d", text), "no scientific notation"
    tables = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]   # log and prose lines wrap by themselves
    assert len(tables) > 40 and "…" not in "".join(tables) and max(len(line) for line in tables) <= 80
    metrics = [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]
    assert {"operating cost", "total cost", "CO2", "MIP gap", "saving vs inflexible"} <= set(metrics)
    assert re.search(r"│ operating cost +│ +[0-9 ]+(\.[0-9]+)? │ M USD2020", text)   # money in millions
    assert re.search(r"│ MIP gap +│ +[0-9.]+ │ % ", text)                           # a fraction as a percentage
    assert re.search(r"│ MIP gap +│ % +│ +[0-9.]+ │", text)                           # the twins' gaps too


def test_datacenter_csv_backlog_delay_and_power(twin_run):
    frame = pd.read_csv(twin_run / "datacenter.csv")
    scenario = load_scenario(EXAMPLE, SHORT)
    inputs = load_inputs(scenario)
    delay = int(math.floor(float(inputs["dc_max_delay_h"].sel(datacenter="campus"))))
    # storage_cycle: day cuts storage only; the backlog carries from 23:00 into the next day and the
    # horizon is cyclic (2026-11-30: it used to wrap within each day).
    previous = np.roll(np.arange(len(frame)), 1)
    backlog, arrived, done = frame["backlog"].to_numpy(), frame["work_arrived"].to_numpy(), frame["work_done"].to_numpy()
    # Backlog balance (chronological, cyclic over the horizon): B_t = B_{t−1} + A_t − W_t.
    np.testing.assert_allclose(backlog, backlog[previous] + arrived - done, atol=1e-6)
    # Delay limit: what waits arrived within the last D hours.
    assert np.all(backlog <= _window_sums(arrived, np.zeros(len(frame), dtype=int), delay) + 1e-6)
    # All work that arrives in the horizon is done in it.
    assert done.sum() == pytest.approx(arrived.sum(), rel=1e-9)
    # Power bookkeeping and the fitted input range of the curve.
    np.testing.assert_allclose(frame.it_power_mw, frame.baseline_mw + frame.flexible_mw, atol=1e-9)
    np.testing.assert_allclose(frame.facility_power_mw, 1.15 * frame.it_power_mw, atol=1e-9)
    rating = float(inputs["dc_flexible_rating_mw"].sel(datacenter="campus"))
    x = inputs["dc_curve_x"].sel(datacenter="campus").dropna("breakpoint").values
    assert frame.flexible_mw.min() >= x[0] * rating - 1e-6 and frame.flexible_mw.max() <= x[-1] * rating + 1e-6
    # The balance carries the facility power.
    balance = pd.read_csv(twin_run / "balance.csv")
    np.testing.assert_allclose(balance.datacenter_mw, frame.facility_power_mw, atol=1e-6)


def test_flexibility_never_costs_more(twin_run):
    table = pd.read_csv(twin_run / "value_of_flexibility.csv").set_index("twin")
    cost = table["total_cost"]
    assert cost["learned"] <= cost["inflexible"] * (1 + 1e-9)
    assert cost["ideal"] <= cost["learned"] * (1 + 1e-9)
    assert table.loc["inflexible", "datacenter_shifted_mwh"] == pytest.approx(0.0, abs=1e-6)
    assert (twin_run / "cards" / "campus.json").is_file()


def test_affine_work_reproduces_card_prediction_in_the_operating_range():
    # The bundled card's operating range (0.638 .. 0.764 per unit) lies in one segment of its curve and no ramp row
    # can bind: work done is an expression of the power (no throughput rows). Fixed power → the most work = N_f·f(P/N_f).
    scenario = load_scenario(EXAMPLE, [*SHORT, "datacenters.campus.formulation=cuts"])
    inputs = load_inputs(scenario)
    model = build_model(inputs).model
    block = model.datacenter["campus"]
    assert not hasattr(block, "throughput_cut") and hasattr(block, "idle_work")
    rating = float(inputs["dc_flexible_rating_mw"].sel(datacenter="campus"))
    low, high = (float(inputs[key].sel(datacenter="campus")) for key in ("dc_operating_min_per_unit", "dc_operating_max_per_unit"))
    block.backlog_balance.deactivate()
    model.total_cost.deactivate()
    points = np.linspace(low, high, 48)
    for t, value in enumerate(points):
        block.flexible_mw[t].fix(value * rating)
    model.probe = pyo.Objective(expr=-sum(block.work_done[t] for t in range(48)))
    solved = solve_model(model, scenario.solver)
    assert solved.optimal, solved.status
    curve = card_to_estimator(load_card(CARD), "throughput_curve")
    embedded = np.array([pyo.value(block.work_done[t]) for t in range(48)])
    np.testing.assert_allclose(embedded, rating * curve.predict(points), atol=1e-6)
    # At the floor power the fleet may also do no work at all (as with the cut form's 0 ≤ work ≤ f).
    floor_work = rating * float(curve.predict(np.array([low]))[0])
    assert block.idle_work[0].ub == pytest.approx(floor_work, rel=1e-12)


def test_twins_repeat_no_input_warning(tmp_path):
    """`planning run --twins` loads the scenario once per twin; an input warning (hours filled at the file's edge)
    is shown by the run and not again by its twins."""
    from planning.workflows.run import run_scenario

    scenario = load_scenario(EXAMPLE, ["horizon.start_hour=8712", "horizon.hours=48", "horizon.storage_cycle=day"])
    with emitted("planning.inputs") as records:
        run_scenario(scenario, tmp_path / "run", twins=True)
    demand = [r.getMessage() for r in records if r.getMessage().startswith("zones.isone.demand:")]
    assert len(demand) == 1 and "2021-12-31T23:00Z) outside the file takes its nearest value" in demand[0]
    assert (tmp_path / "run" / "value_of_flexibility.csv").exists()
