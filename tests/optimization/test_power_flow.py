"""Linearised DC power flow (``model: dc_power_flow``): hand-computed loops, both formulations, and the
transport model it must reduce to.

The 3-bus loop (weight 1 h, fuel 1 $/MMBtu so a heat rate h costs h $/MWh)
---------------------------------------------------------------------------
Zones 1, 2, 3; lines l12 (1→2), l23 (2→3), l13 (1→3), all with reactance x = 0.1 pu; limits
l13 = 80 MW, l12 = l23 = 200 MW. A cheap plant at 1 (10 $/MWh), a dear one at 3 (50 $/MWh), load
only at 3: 150 MW in hour 0, 60 MW in hour 1.

* **Flows split 2/3–1/3.** Power P sent from 1 to 3 takes the direct path (x) and the path through 2
  (2x) in inverse proportion to their reactances: f13 = 2P/3, f12 = f23 = P/3 (Kirchhoff's voltage
  law: x·f12 + x·f23 − x·f13 = 0, and f12 = f23 at bus 2).
* **Hour 0, l13 binds.** 2P/3 ≤ 80 → P = 120: plant 1 gives 120, plant 3 gives 30; f13 = 80,
  f12 = f23 = 40. Cost 120·10 + 30·50 = 2700 $.
* **Prices, hour 0.** p1 = 10 (plant 1 is marginal), p3 = 50 (plant 3 is marginal). One more MW at
  bus 2 is served by a from 1 and b from 3 (a + b = 1) without moving f13: PTDF of l13 (slack 3) is
  2/3 for bus 1 and 1/3 for bus 2, so 2a/3 − 1/3 = 0 → a = b = 1/2 and p2 = (10 + 50)/2 = 30.
  The limit's shadow price μ: p1 = p3 − μ·2/3 → μ = 60 $/MWh (and p2 = 50 − 60/3 = 30 ✓).
* **Hour 1.** 60 MW from plant 1 (f13 = 40 < 80): no congestion, every price 10; cost 600 $.
* Objective 2700 + 600 = **3300 $**.
* **Congestion rent** (Σ w·f·(p_to − p_from)), hour 0: l13 80·40 = 3200, l12 40·20 = 800,
  l23 40·20 = 800; total 4800 $ = μ·limit = 60·80 (= what loads pay, 150·50 = 7500, minus what
  plants earn, 120·10 + 30·50 = 2700). Hour 1: 0. Congestion hours: l13 1, the others 0.
* **Transport model** (no reactances): plant 1 serves all 150 MW (80 direct, 70 through 2), every
  price 10: 1500 + 600 = **2100 $**. The same when only one line of the loop is a transport corridor:
  the two AC lines left form no loop.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import thermal, tiny_scenario

X_PU = 0.1
LOOP_COST = 3300.0
TRANSPORT_COST = 2100.0


def loop_case(tmp_path, models=None, formulation="cycles", demand=(150.0, 60.0), limits=None, **sections):
    """The 3-bus loop of the module docstring; ``models`` maps a line to ``transport`` to drop its reactance."""
    hours = len(demand)
    raw = tiny_scenario(tmp_path, list(demand), columns={"zero": [0.0] * hours}, extra={
        "technologies": {"cheap": thermal(10), "dear": thermal(50)},
        "plants": {"g1": {"zone": "bus1", "technology": "cheap", "existing_mw": 1000, "max_new_mw": 0},
                   "g3": {"zone": "bus3", "technology": "dear", "existing_mw": 1000, "max_new_mw": 0}},
        "power_flow": {"formulation": formulation},
        **sections,
    })
    series = raw["zones"].pop("z")["demand"]["file"]
    raw["zones"] = {"bus1": {"demand": {"file": series, "column": "zero"}},
                    "bus2": {"demand": {"file": series, "column": "zero"}},
                    "bus3": {"demand": {"file": series, "column": "demand"}}}
    limits = {"l12": 200.0, "l23": 200.0, "l13": 80.0, **(limits or {})}
    ends = {"l12": ("bus1", "bus2"), "l23": ("bus2", "bus3"), "l13": ("bus1", "bus3")}
    raw["transmission"] = {}
    for line, (a, b) in ends.items():
        corridor = {"from_zone": a, "to_zone": b, "existing_mw": limits[line]}
        if (models or {}).get(line, "dc_power_flow") == "dc_power_flow":
            corridor.update(model="dc_power_flow", reactance_pu=X_PU)
        raw["transmission"][line] = corridor
    return raw


def flows(results, hour=0):
    return {str(line): float(results["flow_mw"].sel(line=line).values[hour]) for line in results["line"].values}


def prices(results, hour=0):
    return {str(zone): float(results["price_per_mwh"].sel(zone=zone).values[hour]) for zone in results["zone"].values}


@pytest.mark.parametrize("formulation", ["cycles", "ptdf"])
def test_three_bus_loop_flows_and_prices_by_hand(tmp_path, solve_raw, formulation):
    results, solved = solve_raw(loop_case(tmp_path, formulation=formulation))
    assert solved.objective == pytest.approx(LOOP_COST, rel=1e-9)
    hour0 = flows(results, 0)
    assert hour0["l13"] == pytest.approx(80.0, abs=1e-6)
    assert hour0["l12"] == pytest.approx(40.0, abs=1e-6)
    assert hour0["l23"] == pytest.approx(40.0, abs=1e-6)
    assert hour0["l13"] == pytest.approx(2 * hour0["l12"], abs=1e-6)          # the 2/3–1/3 split
    np.testing.assert_allclose(list(flows(results, 1).values()), [20.0, 20.0, 40.0], atol=1e-6)
    assert prices(results, 0) == pytest.approx({"bus1": 10.0, "bus2": 30.0, "bus3": 50.0}, abs=1e-6)
    assert prices(results, 1) == pytest.approx({"bus1": 10.0, "bus2": 10.0, "bus3": 10.0}, abs=1e-6)
    generation = results["generation_mw"].sel(plant=["g1", "g3"]).values
    np.testing.assert_allclose(generation[:, 0], [120.0, 30.0], atol=1e-6)


def test_cycles_and_ptdf_give_the_same_optimum_on_the_loop(tmp_path, solve_raw):
    cycles, solved_cycles = solve_raw(loop_case(tmp_path, formulation="cycles"))
    ptdf, solved_ptdf = solve_raw(loop_case(tmp_path, formulation="ptdf"))
    assert solved_ptdf.objective == pytest.approx(solved_cycles.objective, rel=1e-9)
    np.testing.assert_allclose(ptdf["flow_mw"].values, cycles["flow_mw"].values, atol=1e-6)
    np.testing.assert_allclose(ptdf["price_per_mwh"].values, cycles["price_per_mwh"].values, atol=1e-6)


def mesh_case(tmp_path, formulation):
    """Five zones, two loops of AC lines with unequal reactances (one given in ohm), a transport link
    closing a third loop, an expandable AC line, three hours: nothing here is computed by hand; the
    two formulations must agree."""
    demand = {"a": [0, 0, 0], "b": [120, 300, 80], "c": [200, 90, 260], "d": [60, 150, 40], "e": [0, 100, 30]}
    raw = tiny_scenario(tmp_path, demand["a"], columns=demand, extra={
        "technologies": {"cheap": thermal(10), "mid": thermal(30), "dear": thermal(70)},
        "plants": {"ga": {"zone": "a", "technology": "cheap", "existing_mw": 600, "max_new_mw": 0},
                   "gc": {"zone": "c", "technology": "mid", "existing_mw": 300, "max_new_mw": 0},
                   "ge": {"zone": "e", "technology": "dear", "existing_mw": 500, "max_new_mw": 0}},
        "power_flow": {"formulation": formulation},
    })
    series = raw["zones"].pop("z")["demand"]["file"]
    raw["zones"] = {zone: {"demand": {"file": series, "column": zone}} for zone in demand}
    ac = {"ab": ("a", "b", 0.10, 150), "bc": ("b", "c", 0.20, 120), "ac": ("a", "c", 0.15, 100),
          "cd": ("c", "d", 0.05, 200), "bd": ("b", "d", 0.25, 90)}
    raw["transmission"] = {name: {"from_zone": f, "to_zone": t, "existing_mw": mw, "model": "dc_power_flow", "reactance_pu": x}
                           for name, (f, t, x, mw) in ac.items()}
    raw["transmission"]["ac"].update(max_new_mw=200, fixed_om_per_mw_year=15)
    del raw["transmission"]["bd"]["reactance_pu"]
    raw["transmission"]["bd"].update(reactance_ohm=0.25 * 345.0**2 / 100.0, voltage_kv=345.0)   # = 0.25 pu on 100 MVA
    raw["transmission"]["de"] = {"from_zone": "d", "to_zone": "e", "existing_mw": 80, "loss_fraction": 0.03}
    raw["transmission"]["ae"] = {"from_zone": "a", "to_zone": "e", "existing_mw": 50}
    return raw


def test_cycles_and_ptdf_give_the_same_optimum_on_a_mesh(tmp_path, solve_raw):
    cycles, solved_cycles = solve_raw(mesh_case(tmp_path, "cycles"))
    ptdf, solved_ptdf = solve_raw(mesh_case(tmp_path, "ptdf"))
    assert solved_ptdf.objective == pytest.approx(solved_cycles.objective, rel=1e-9)
    transport = mesh_case(tmp_path, "cycles")
    for corridor in transport["transmission"].values():
        for key in ("model", "reactance_pu", "reactance_ohm", "voltage_kv"):
            corridor.pop(key, None)
    _, solved_transport = solve_raw(transport)
    assert solved_transport.objective < solved_cycles.objective - 1.0   # the loops' physics binds here


@pytest.mark.parametrize("dropped", ["l13", "l12"])
def test_transport_model_is_recovered_when_reactances_are_dropped(tmp_path, solve_raw, dropped):
    _, solved_transport = solve_raw(loop_case(tmp_path, models={"l12": "transport", "l23": "transport", "l13": "transport"}))
    assert solved_transport.objective == pytest.approx(TRANSPORT_COST, rel=1e-9)
    # One line of the loop without a reactance: the two AC lines left form no loop, so no voltage law binds.
    results, solved = solve_raw(loop_case(tmp_path, models={dropped: "transport"}))
    assert solved.objective == pytest.approx(solved_transport.objective, rel=1e-9)
    assert prices(results, 0) == pytest.approx({"bus1": 10.0, "bus2": 10.0, "bus3": 10.0}, abs=1e-6)


def radial_case(tmp_path, model):
    """A chain bus1 → bus2 → bus3 (l12 100 MW, l23 200 MW); loads 30 MW at bus2 and 150 MW at bus3.
    Hand optimum for either model: plant 1 sends 100 MW (l12 binds), 30 stay at bus2, 70 go on to bus3,
    plant 3 gives 80: 100·10 + 80·50 = 5000 $; prices 10 / 50 / 50."""
    raw = loop_case(tmp_path, demand=(150.0,))
    series = raw["zones"]["bus3"]["demand"]["file"]
    raw["zones"]["bus2"]["demand"] = {"file": series, "column": "demand", "scale": 0.2}
    del raw["transmission"]["l13"]
    raw["transmission"]["l12"]["existing_mw"] = 100.0
    for corridor in raw["transmission"].values():
        if model == "transport":
            corridor.pop("model"), corridor.pop("reactance_pu")
    return raw


def test_a_radial_network_is_the_same_under_both_models(tmp_path, solve_raw):
    ac, solved_ac = solve_raw(radial_case(tmp_path, "dc_power_flow"))
    transport, solved_transport = solve_raw(radial_case(tmp_path, "transport"))
    assert solved_ac.objective == pytest.approx(5000.0, rel=1e-9)
    assert solved_transport.objective == pytest.approx(solved_ac.objective, rel=1e-9)
    np.testing.assert_allclose(ac["flow_mw"].values, transport["flow_mw"].values, atol=1e-6)
    np.testing.assert_allclose(ac["flow_mw"].sel(line=["l12", "l23"]).values[:, 0], [100.0, 70.0], atol=1e-6)
    np.testing.assert_allclose(ac["price_per_mwh"].values, transport["price_per_mwh"].values, atol=1e-6)
    assert prices(ac) == pytest.approx({"bus1": 10.0, "bus2": 50.0, "bus3": 50.0}, abs=1e-6)


def test_congestion_rent_hours_and_loading_by_hand(tmp_path, solve_raw):
    results, _ = solve_raw(loop_case(tmp_path))
    rent = results["line_congestion_rent_per_year"].to_series()
    assert rent.to_dict() == pytest.approx({"l12": 800.0, "l23": 800.0, "l13": 3200.0}, abs=1e-5)
    assert rent.sum() == pytest.approx(60.0 * 80.0, abs=1e-5)            # μ × limit of the binding line
    assert results["line_congestion_hours"].to_series().to_dict() == {"l12": 0.0, "l23": 0.0, "l13": 1.0}
    np.testing.assert_allclose(results["line_loading"].sel(line=["l12", "l23", "l13"]).values,
                               [[0.2, 0.1], [0.2, 0.1], [1.0, 0.5]], atol=1e-8)
    np.testing.assert_allclose(results["line_price_difference_per_mwh"].sel(line=["l12", "l23", "l13"]).values[:, 0],
                               [20.0, 20.0, 40.0], atol=1e-6)


def test_congestion_rent_of_a_transport_corridor_is_its_shadow_price_times_flow(tmp_path, solve_raw):
    # All transport, l13 limited to 80 and the path through bus 2 limited to 40: plant 1 sends 120,
    # plant 3 gives 30; p1 = p2 = 10 (l12 is below its limit, l23 at it), p3 = 50.
    # Binding: l13 (80 MW) and l23 (40 MW), each with μ = 50 − 10 = 40 $/MWh: rents 3200 and 1600; l12 0.
    models = {"l12": "transport", "l23": "transport", "l13": "transport"}
    results, solved = solve_raw(loop_case(tmp_path, models=models, demand=(150.0,), limits={"l23": 40.0}))
    assert solved.objective == pytest.approx(120 * 10 + 30 * 50, rel=1e-9)
    assert results["line_congestion_rent_per_year"].to_series().to_dict() == pytest.approx({"l12": 0.0, "l23": 1600.0, "l13": 3200.0}, abs=1e-5)
    assert results["line_congestion_hours"].to_series().to_dict() == {"l12": 0.0, "l23": 1.0, "l13": 1.0}


def test_expansion_raises_the_limit_and_keeps_the_reactance(tmp_path, solve_raw):
    # l13 may be expanded at 30 $/MW/year (one hour, load 150 at bus 3). Each MW of l13 lets plant 1 send
    # 1.5 MW more (2/3 of P goes on l13), saving 1.5·40 = 60 $ > 30 $: expand until plant 3 is idle,
    # P = 150 → f13 = 100 → 20 MW new. Cost 150·10 + 20·30 = 2100 $; f12 = f23 = 50 (split unchanged:
    # the reactance stays). Prices: p3 = 10 + (2/3)·30 = 30, p2 = 10 + (1/3)·30 = 20.
    raw = loop_case(tmp_path, demand=(150.0,))
    raw["transmission"]["l13"].update(max_new_mw=500, fixed_om_per_mw_year=30)
    results, solved = solve_raw(raw)
    assert solved.objective == pytest.approx(2100.0, rel=1e-9)
    assert float(results["line_new_mw"].sel(line="l13")) == pytest.approx(20.0, abs=1e-6)
    assert flows(results) == pytest.approx({"l12": 50.0, "l23": 50.0, "l13": 100.0}, abs=1e-6)
    assert prices(results) == pytest.approx({"bus1": 10.0, "bus2": 20.0, "bus3": 30.0}, abs=1e-6)


@pytest.mark.parametrize("formulation", ["cycles", "ptdf"])
def test_line_outages_change_the_topology(tmp_path, solve_raw, formulation):
    # Hour 0: l13 fully out — the loop is open, bus 1 feeds bus 3 through bus 2 alone (200 MW): plant 1
    # serves all 150 MW, 1500 $. (Keeping l13's voltage law with f13 = 0 would force f12 = −f23, i.e.
    # no export from bus 1: 7500 $.) Hour 1: half of l13 lost — half its circuits, so x13 = 0.2 and the
    # two paths split 1/2–1/2; its limit is 40 MW → P = 80, plant 3 gives 70: 800 + 3500 = 4300 $.
    events = [{"kind": "line_outage", "lines": ["l13"], "start_hour": 0, "duration_hours": 1, "fraction": 1.0},
              {"kind": "line_outage", "lines": ["l13"], "start_hour": 1, "duration_hours": 1, "fraction": 0.5}]
    results, solved = solve_raw(loop_case(tmp_path, formulation=formulation, demand=(150.0, 150.0), stress={"events": events}))
    assert solved.objective == pytest.approx(1500.0 + 4300.0, rel=1e-9)
    assert flows(results, 0) == pytest.approx({"l12": 150.0, "l23": 150.0, "l13": 0.0}, abs=1e-6)
    assert flows(results, 1) == pytest.approx({"l12": 40.0, "l23": 40.0, "l13": 40.0}, abs=1e-6)
    assert float(results["line_loading"].sel(line="l13").values[1]) == pytest.approx(1.0, abs=1e-8)
    assert np.isnan(results["line_loading"].sel(line="l13").values[0])      # nothing available


def test_outputs_carry_the_line_columns_and_units(tmp_path, solve_raw):
    from planning.io.writers import netcdf_ready, tidy_tables, undeclared_units

    results, _ = solve_raw(loop_case(tmp_path))
    tables = tidy_tables(results)
    transmission = tables["transmission"].set_index("line")
    assert list(transmission.columns[:5]) == ["from_zone", "to_zone", "existing_mw", "new_mw", "total_mw"]   # unchanged
    assert transmission.loc["l13", "model"] == "dc_power_flow"
    assert transmission.loc["l13", "reactance_pu"] == pytest.approx(X_PU)
    assert transmission.loc["l13", "congestion_rent_per_year"] == pytest.approx(3200.0, abs=1e-5)
    assert transmission.loc["l13", "congestion_hours"] == 1.0
    assert transmission.loc["l13", "mean_price_difference_per_mwh"] == pytest.approx(20.0, abs=1e-6)
    flows_table = tables["flows"]
    assert list(flows_table.columns[:5]) == ["snapshot", "line", "from_zone", "to_zone", "flow_mw"]
    row = flows_table[(flows_table["line"] == "l13")].iloc[0]
    assert (row["available_mw"], row["loading"], row["congested"]) == pytest.approx((80.0, 1.0, 1.0))
    assert row["price_difference_per_mwh"] == pytest.approx(40.0, abs=1e-6)
    dataset = netcdf_ready(results, {})
    assert undeclared_units(dataset) == []
    assert dataset["line_congestion_rent_per_year"].attrs["units"] == "year-1"
    assert dataset["line_loading"].attrs["units"] == "1"


def test_dc_power_flow_settings_are_checked(tmp_path):
    from planning.config import validate_scenario
    from planning.errors import ScenarioError

    raw = loop_case(tmp_path)
    del raw["transmission"]["l12"]["reactance_pu"]
    raw["transmission"]["l23"].update(loss_fraction=0.02)
    raw["transmission"]["l13"].update(model="transport")
    raw["transmission"]["l13"].pop("reactance_pu")
    raw["transmission"]["l13"]["reactance_ohm"] = 10.0
    with pytest.raises(ScenarioError) as error:
        validate_scenario(raw)
    text = "\n".join(error.value.problems)
    assert "transmission.l12: model dc_power_flow needs the line's reactance" in text
    assert "transmission.l23: loss_fraction 0.02 applies to transport corridors only" in text
    assert "transmission.l13: reactance_ohm apply to model: dc_power_flow only" in text


def _solve_with_limit_duals(raw):
    """Solve with every line expandable at a prohibitive cost, so that each limit is a row with a dual:
    μ_{l,t} = −∂cost/∂limit = −dual(flow_limit[l, t]) ≥ 0 (currency per MW of limit in that hour)."""
    from planning.config import validate_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.results import collect_results
    from planning.optimization.solve import solve_model

    for corridor in raw["transmission"].values():
        corridor.update(max_new_mw=1000, fixed_om_per_mw_year=1e7)
    scenario = validate_scenario(raw)
    built = build_model(load_inputs(scenario))
    solved = solve_model(built.model, scenario.solver)
    results = collect_results(built.ctx, solved)
    lines = [str(line) for line in results["line"].values]
    shadow = np.array([[-solved.dual(built.model.flow_limit[line, t]) for t in built.ctx.snapshots] for line in lines])
    return results, solved, shadow


def test_congestion_rent_sign_matches_the_limit_duals(tmp_path):
    # Transport corridors: each line's rent is Σ_t μ_{l,t}·|f_{l,t}| (its merchandising surplus is its limit's value).
    models = {"l12": "transport", "l23": "transport", "l13": "transport"}
    results, solved, shadow = _solve_with_limit_duals(loop_case(tmp_path, models=models, limits={"l23": 40.0}))
    assert float(results["line_new_mw"].sum()) == pytest.approx(0.0, abs=1e-9)
    assert (shadow >= -1e-9).all()
    flow = np.abs(results["flow_mw"].values)
    np.testing.assert_allclose(results["line_congestion_rent_per_year"].values, (shadow * flow).sum(axis=1), atol=1e-5)
    # The AC loop: per line the rent is not μ·flow (l12 and l23 earn 800 each with μ = 0), but the loop's
    # rents add up to Σ μ·limit: 60 $/MWh × 80 MW on l13 in hour 0.
    results, solved, shadow = _solve_with_limit_duals(loop_case(tmp_path))
    assert shadow[[0, 1], :] == pytest.approx(0.0, abs=1e-9)
    assert shadow[2] == pytest.approx([60.0, 0.0], abs=1e-6)
    limits = results["line_total_mw"].values
    assert results["line_congestion_rent_per_year"].sum() == pytest.approx((shadow * limits[:, None]).sum(), abs=1e-5)


def test_cycle_and_ptdf_rows_span_the_same_space():
    # Three components: a, b, c, d fully meshed (6 lines, 3 loops), e–f–g in a loop with h hanging off g
    # (1 loop), and a radial x–y–z (no loop). Both formulations give |lines| − |zones| + |components|
    # = 12 − 11 + 3 = 4 independent rows and each set lies in the other's span: they admit exactly the
    # same flows. Flows from bus angles θ (f = (θ_from − θ_to)/x) satisfy every row.
    from planning.optimization.blocks.power_flow import kirchhoff_rows

    ends = {"ab": ("a", "b"), "bc": ("b", "c"), "ca": ("c", "a"), "cd": ("c", "d"), "db": ("d", "b"), "ad": ("a", "d"),
            "ef": ("e", "f"), "fg": ("f", "g"), "eg": ("e", "g"), "gh": ("g", "h"), "xy": ("x", "y"), "zy": ("z", "y")}
    reactance = dict(zip(ends, [0.1, 0.2, 0.15, 0.05, 0.3, 0.25, 0.12, 0.08, 0.4, 0.2, 0.1, 0.3]))
    lines = list(ends)
    matrix = {}
    for formulation in ("cycles", "ptdf"):
        rows = kirchhoff_rows(reactance, ends, formulation)
        matrix[formulation] = np.array([[row.get(line, 0.0) for line in lines] for row in rows])
    assert matrix["cycles"].shape[0] == matrix["ptdf"].shape[0] == 4
    assert np.linalg.matrix_rank(matrix["cycles"]) == np.linalg.matrix_rank(matrix["ptdf"]) == 4
    assert np.linalg.matrix_rank(np.vstack([matrix["cycles"], matrix["ptdf"]])) == 4
    buses = sorted({bus for pair in ends.values() for bus in pair})
    theta = {bus: 0.1 * i ** 1.5 for i, bus in enumerate(buses)}
    flows = np.array([(theta[ends[line][0]] - theta[ends[line][1]]) / reactance[line] for line in lines])
    for formulation in ("cycles", "ptdf"):
        np.testing.assert_allclose(matrix[formulation] @ flows, 0.0, atol=1e-12)
    # ... and a flow that breaks the voltage law (1 MW around the loop e → f → g → e) violates both.
    loop = np.array([1.0 if line in ("ef", "fg") else -1.0 if line == "eg" else 0.0 for line in lines])
    for formulation in ("cycles", "ptdf"):
        assert np.abs(matrix[formulation] @ loop).max() > 0.1
