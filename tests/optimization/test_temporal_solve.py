"""``solver.temporal_decomposition`` (planning.optimization.temporal_solve): a run by Benders over blocks of hours gives
the monolithic run's optimum, capacities and prices (at every hour: the duals are the blocks' duals of every cut weighted
by the master's cut duals, an optimal dual of the whole LP — checked against the LP's own matrix: every built capacity's
reduced cost is 0), and a feasible chronological year (balance and storage levels checked hour by hour from the
outputs, across block edges)."""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.config import validate_scenario
from planning.errors import ScenarioError
from planning.optimization.decomposition import Compiled
from planning.workflows.run import run_scenario
from tests.optimization.test_temporal_bounds import dual_check, expansion_case

TEMPORAL = {"block_hours": 12, "gap": 1e-9}
ETA = 0.95  # expansion_case's battery: charge and discharge efficiency
CARBON = {"technology_rows": {"gas": "ccgt", "pv": "utility_pv", "bat": "battery"}}  # emission-factor rows of the run's outputs


def run_both(folder):
    """The 48-hour expansion case (gas and PV built new; 4 blocks of 12 h) with an existing 50 MW / 200 MWh battery (new
    storage is too dear over 48 h), run whole and decomposed."""
    raw = expansion_case(folder)
    raw["plants"]["b"].update({"existing_mw": 50.0, "existing_mwh": 200.0})
    raw["carbon"] = CARBON
    whole = run_scenario(validate_scenario(raw), folder / "whole")
    raw["solver"] = {"temporal_decomposition": TEMPORAL}
    temporal = run_scenario(validate_scenario(raw), folder / "temporal")
    return whole, temporal


def summary_value(outcome, metric: str) -> float:
    table = outcome.summary
    return float(table.loc[table["metric"] == metric, "value"].iloc[0])


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    return run_both(tmp_path_factory.mktemp("temporal"))


def test_same_objective_and_capacities_as_the_monolithic_run(both):
    whole, temporal = both
    assert temporal.solved.status == "Optimal" and temporal.results.attrs["temporal_blocks"] == 4
    assert temporal.solved.objective == pytest.approx(whole.solved.objective, rel=1e-6)
    assert summary_value(temporal, "total_cost") == pytest.approx(summary_value(whole, "total_cost"), rel=1e-6)
    for name in ("new_mw", "new_mwh"):
        np.testing.assert_allclose(np.nan_to_num(temporal.results[name].values), np.nan_to_num(whole.results[name].values), atol=1e-4)
    new = dict(zip(whole.results["plant"].values, whole.results["new_mw"].values))
    assert new["s"] > 1 and new["g"] > 1  # a real expansion


def test_the_decomposed_year_balances_every_hour_and_its_storage_levels_are_continuous(both):
    _, temporal = both
    results = temporal.results
    supply = results["generation_mw"].sum("plant") + results["discharge_mw"].sum("plant") - results["charge_mw"].sum("plant")
    supply = supply + results["unserved_mw"].sum("zone") if "zone" in results["unserved_mw"].dims else supply + results["unserved_mw"]
    demand = results["demand_mw"].sum("zone")
    np.testing.assert_allclose(supply.values, demand.values, atol=1e-6)
    # soc_t = soc_{t-1} + η·charge_t − discharge_t/η at every hour, the block edges (12, 24, 36) and the cyclic hour 0 included.
    soc = results["soc_mwh"].sel(plant="b").values
    charge, discharge = results["charge_mw"].sel(plant="b").values, results["discharge_mw"].sel(plant="b").values
    residual = soc - (np.roll(soc, 1) + ETA * charge - discharge / ETA)
    np.testing.assert_allclose(residual, 0.0, atol=1e-6)
    edges = [12, 24, 36]
    assert np.abs(charge[[e - 1 for e in edges] + edges]).sum() + np.abs(discharge[[e - 1 for e in edges] + edges]).sum() > 1.0 \
        or soc[[e - 1 for e in edges]].max() > 1.0  # the battery is in use at the edges: the check can fail


def test_prices_equal_the_monolithic_ones_where_the_marginal_plant_is_clear(both):
    whole, temporal = both
    gas = whole.results["generation_mw"].sel(plant="g").values
    capacity = float(whole.results["total_mw"].sel(plant="g"))
    clear = (gas > 1e-3) & (gas < capacity - 1e-3)  # gas between its limits sets the price: its fuel cost, 50 $/MWh
    assert clear.sum() >= 10
    whole_price = whole.results["price_per_mwh"].values[0]
    temporal_price = temporal.results["price_per_mwh"].values[0]
    np.testing.assert_allclose(temporal_price[clear], whole_price[clear], atol=1e-6)
    np.testing.assert_allclose(temporal_price[clear], 50.0, atol=1e-6)
    assert np.isfinite(temporal_price).all()
    balance = pd.read_csv(temporal.out_dir / "balance.csv")
    assert np.isfinite(balance["price_per_mwh"]).all() and len(balance) == 48


def demand_derivatives(outcome, delta: float = 1e-2) -> tuple[np.ndarray, np.ndarray]:
    """One-sided derivatives of the run's LP optimum with respect to each hour's demand (currency per MW, the LP
    compiled from the run's model and re-solved whole with the hour's balance moved by ±``delta`` MW): the least and
    the largest balance dual of that hour over every optimal dual of the LP (∂OPT(b; ±e_t) = max over optimal y of
    ±y_t). Where they differ, the LP's price at that hour is not unique."""
    form = Compiled.of(outcome.solved.rows[0][0].model())
    balance = [i for i, row in enumerate(form.rows) if row[0].parent_component().name == "balance"]

    def optimum(i: int, shift: float) -> float:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.passModel(form.lp)
        highs.changeRowBounds(i, form.row_lower[i] + shift, form.row_upper[i] + shift)
        highs.run()
        return highs.getInfo().objective_function_value

    base = optimum(balance[0], 0.0)
    left = np.array([(base - optimum(i, -delta)) / delta for i in balance])
    right = np.array([(optimum(i, delta) - base) / delta for i in balance])
    return left, right


def test_prices_are_the_monolithic_ones_where_unique_and_optimal_lp_prices_at_every_hour(both):
    # At 21 of the 48 hours (a battery hour, gas at its limit, PV's last hour) the LP's price is not unique: the
    # optimum's derivative with respect to the hour's demand is 50 to the left and 54.68 to the right (hours 5-6,
    # 19-23, 29-30, 43-47), 50 | 60.03 (18, 42), 0 | 24.03 (7, 31): any price in between belongs to an optimal dual,
    # and the whole LP's simplex picks one end. There the decomposed price must lie in that range, elsewhere equal the
    # whole LP's. The blocks' own duals at the best point gave 55.40 $/MWh at hours 5-6 and 29-30 (above 54.68: not a
    # price of any optimal dual); the cuts' assembled dual gives 52.08 and 52.60.
    whole, temporal = both
    weight = summary_value(temporal, "snapshot_weight_h")
    whole_price = whole.results["price_per_mwh"].values[0]
    temporal_price = temporal.results["price_per_mwh"].values[0]
    left, right = (d / weight for d in demand_derivatives(temporal))
    tol = 1e-3 + 1e-5 * np.abs(right)
    assert np.all(left <= right + tol)  # the optimum is convex in the demand
    unique = right - left <= tol
    assert unique.sum() >= 20 and (~unique).sum() >= 10 and np.ptp(whole_price) > 50
    assert np.all((whole_price >= left - tol) & (whole_price <= right + tol))  # the whole LP's prices too
    np.testing.assert_allclose(temporal_price[unique], whole_price[unique], rtol=1e-5, atol=1e-3)
    outside = (temporal_price < left - tol) | (temporal_price > right + tol)
    assert not outside.any(), {int(t): (temporal_price[t], left[t], right[t]) for t in np.flatnonzero(outside)}


def whole_lp_reduced_costs(outcome):
    """The run's LP compiled again from its Pyomo model (its own matrix, not the blocks'), the row duals the run reports
    (by constraint, as the prices are read), the reduced costs c − Aᵀy of every column and the values it reports."""
    solved = outcome.solved
    form = Compiled.of(solved.rows[0][0].model())
    duals = np.array([solved.duals[id(row[0])] for row in form.rows])
    values = np.array([column.value for column in form.columns], dtype=float)
    return form, duals, form.cost - form.A.T @ duals, values


def test_the_duals_price_every_built_capacity_at_its_cost(both):
    # Investment optimality: a capacity strictly between its bounds earns exactly its annual cost from the duals
    # (c_x − A_xᵀy = 0). The blocks' own duals at the best point left 21.19 $/MW-yr on new gas (of 42.8), 6.22 on new
    # PV (of 32.1) and 5.35 on new battery power (of 5.35).
    _, temporal = both
    form, _, reduced, values = whole_lp_reduced_costs(temporal)
    interior = (form.col_t < 0) & (values > form.col_lower + 1e-6) & (values < form.col_upper - 1e-6)
    names = {form.columns[j].name: j for j in np.flatnonzero(interior)}
    assert {"new_mw[g]", "new_mw[s]", "new_mw[b]"} <= set(names)
    relative = {name: reduced[j] / form.cost[j] for name, j in names.items()}
    assert max(abs(r) for r in relative.values()) <= 1e-5, relative


def test_the_duals_are_an_optimal_dual_of_the_whole_lp(both):
    # Every column's reduced cost has the sign its bounds allow (0 strictly between them: the storage levels at the
    # block edges included; the blocks' own duals left −5.13 on soc_mwh[b,23]), every row's dual the sign its bounds
    # allow, and the dual objective equals the cost to the gap: y is an optimal dual of the LP itself.
    _, temporal = both
    form, duals, _, values = whole_lp_reduced_costs(temporal)
    _, worst, dual_objective = dual_check(form, duals, values)
    assert worst[1] <= 1e-5, worst
    assert dual_objective == pytest.approx(temporal.solved.objective, rel=1e-8)


def test_summary_reports_the_certified_bracket(both):
    _, temporal = both
    written = pd.read_csv(temporal.out_dir / "summary.csv").set_index("metric")["value"].astype(float)
    assert written["lower_bound"] <= written["total_cost"]
    assert -1e-12 <= written["certified_gap"] <= TEMPORAL["gap"]  # LB ≤ UB to rounding
    assert written["upper_bound"] == pytest.approx(written["total_cost"], rel=1e-9)
    assert written["benders_iterations"] >= 2 and written["temporal_blocks"] == 4
    assert "Benders master" in temporal.facts["lower_bound_from"] and "blocks" in temporal.facts["prices_from"]


def test_a_yearly_co2_cap_is_refused_with_the_key_and_the_fix(tmp_path):
    import yaml

    from planning.cli import app

    raw = expansion_case(tmp_path, co2_cap_t=3000.0)
    raw["carbon"] = CARBON
    raw["solver"] = {"temporal_decomposition": TEMPORAL}
    path = tmp_path / "capped.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    outcome = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    text = outcome.output
    assert outcome.exit_code == ScenarioError.exit_code != 0
    assert "Traceback" not in text and (outcome.exception is None or isinstance(outcome.exception, SystemExit))
    flat = " ".join(text.split())
    assert "solver.temporal_decomposition" in flat and "co2_cap (1 row" in flat
    assert "policy.co2_price_per_t" in flat and "Remove solver.temporal_decomposition" in flat
    assert not (tmp_path / "out").exists()


def test_representative_periods_are_refused_when_the_scenario_is_read(tmp_path):
    raw = expansion_case(tmp_path)
    raw["solver"] = {"temporal_decomposition": TEMPORAL}
    raw["horizon"]["representative_periods"] = {"periods": 2, "period_hours": 24}
    with pytest.raises(ScenarioError) as error:
        validate_scenario(raw)
    assert "solver.temporal_decomposition: needs a chronological horizon" in str(error.value)
