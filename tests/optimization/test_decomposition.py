"""Decomposed expansion + unit commitment (planning.optimization.decomposition).

The real-data case is three August days of ISO-NE with 500 MW CCGT and 100 MW OCGT units
(tests/optimization/test_commitment.py, ``real_case``), cut into 24-h windows with 12 h of
look-ahead, so that the hand-over between windows and the closing of the cyclic horizon are
exercised.
"""

from __future__ import annotations

import highspy
import numpy as np
import pyomo.environ as pyo
import pandas as pd
import pytest

from tests.optimization.test_commitment import check_commitment_table, real_case, real_case_scenario, valley_case

WINDOWS = {"unit_commitment.decomposition.window_hours": 24, "unit_commitment.decomposition.overlap_hours": 12}
DECOMPOSED = {"unit_commitment.strategy": "decomposed", **WINDOWS}


@pytest.fixture(scope="module")
def monolithic(tmp_path_factory):
    """The monolithic MILP of the real case, solved to (near) optimality."""
    return real_case(tmp_path_factory.mktemp("mono") / "run", **{"solver.mip_gap": 1e-6})


@pytest.fixture(scope="module")
def decomposed(tmp_path_factory):
    out = tmp_path_factory.mktemp("dec") / "run"
    return real_case(out, **DECOMPOSED), out


def summary_of(outcome) -> pd.Series:
    return outcome.summary.set_index("metric")["value"]


def test_decomposed_cost_within_reported_gap_of_monolithic(monolithic, decomposed):
    optimum = monolithic.solved.objective
    outcome, _ = decomposed
    summary = summary_of(outcome)
    upper, lower, gap = (float(summary[k]) for k in ("upper_bound", "lower_bound", "certified_gap"))
    assert upper == pytest.approx(float(summary["total_cost"]), rel=1e-9)
    assert upper == pytest.approx(outcome.solved.objective, rel=1e-12)
    assert upper >= optimum * (1 - 1e-6)  # a feasible full-horizon schedule
    assert lower <= optimum * (1 + 1e-9)  # a valid lower bound …
    assert upper <= optimum + gap * upper + 1e-6 * optimum  # … so the decomposed cost is within its reported gap
    assert gap == pytest.approx((upper - lower) / upper)
    assert 0 <= gap < 0.01
    assert outcome.facts["lower_bound_from"] == "full-year linear-UC LP (Benders master's bound, blocks of 24 h)"
    assert outcome.facts["prices_from"] == "fixed-integer LP re-solve (decomposed commitment)"
    assert int(summary["commitment_windows"]) == 3
    # the fixed-commitment LP re-solve can only improve on the stitched windows
    assert upper <= float(summary["stitched_window_cost"]) * (1 + 1e-9)
    prices = pd.read_csv(outcome.out_dir / "balance.csv")["price_per_mwh"]
    assert prices.notna().all()


def test_benders_bound_and_capacities_match_the_whole_linear_lp(tmp_path, decomposed):
    """linear_solver: benders (default) against simplex (the whole LP): the Benders master's bound lies below the LP
    optimum by at most benders_gap (the master's bound is ≤ the LP optimum ≤ the best point, which it reaches to the
    gap), and the rounded capacities are the same."""
    outcome, _ = decomposed
    simplex = real_case(tmp_path / "simplex", **DECOMPOSED, **{"unit_commitment.decomposition.linear_solver": "simplex"})
    assert simplex.facts["lower_bound_from"] == "full-year linear-UC LP"
    lp_bound = float(summary_of(simplex)["lower_bound"])
    benders_bound = float(summary_of(outcome)["lower_bound"])
    assert benders_bound <= lp_bound * (1 + 1e-9)
    assert benders_bound >= lp_bound * (1 - 1e-5 - 1e-9)
    capacity = {name: pd.read_csv(run.out_dir / "capacity.csv").set_index(["zone", "technology"])[["new_mw", "retired_mw", "new_mwh"]]
                for name, run in (("benders", outcome), ("simplex", simplex))}
    assert capacity["benders"].shape == capacity["simplex"].shape
    # Whole units (CCGT retirements of 500 MW) identical; MW/MWh of the rest within 1 MW: the cost surface is flat near the optimum.
    pd.testing.assert_frame_equal(capacity["benders"].fillna(0), capacity["simplex"].fillna(0).loc[capacity["benders"].index], atol=1.0, rtol=0)


def test_window_handover_keeps_state_and_min_up_down(decomposed):
    """commitment.csv satisfies the state equation, min up/down (cyclically) and integrality across the
    window boundaries (hours 24, 48) and the horizon's wrap; storage keeps its state equation."""
    outcome, out = decomposed
    commitment = pd.read_csv(out / "commitment.csv")
    capacity = pd.read_csv(out / "capacity.csv")
    assert len(commitment) == 2 * 72
    starts = check_commitment_table(commitment, capacity, {"ccgt": 500, "ocgt": 100}, {"ccgt": 6, "ocgt": 2}, {"ccgt": 4, "ocgt": 1})
    assert starts > 0
    for technology in ("ccgt", "ocgt"):
        row = capacity.loc[capacity["technology"] == technology].iloc[0]
        for column in ("new_mw", "retired_mw"):  # whole units built or retired (existing capacity may hold a fraction of a unit)
            units = float(row[column]) / {"ccgt": 500, "ocgt": 100}[technology]
            assert units == pytest.approx(round(units), abs=1e-9)
    efficiency = {"battery": 0.922, "pumped_storage": 0.8888}  # scenarios/base/atb2022_technologies.yaml (charge = discharge)
    storage = pd.read_csv(out / "storage.csv")
    for technology, rows in storage.groupby("technology"):
        rows = rows.sort_values("snapshot")
        soc, charge, discharge = (rows[c].to_numpy() for c in ("soc_mwh", "charge_mw", "discharge_mw"))
        eta = efficiency[technology]
        np.testing.assert_allclose(soc - np.roll(soc, 1), eta * charge - discharge / eta, atol=1e-5)


def test_representative_investments_in_a_parallel_bound_process(tmp_path, monolithic):
    outcome = real_case(tmp_path / "run", **DECOMPOSED, **{"unit_commitment.decomposition.investments": "representative",
                                                         "unit_commitment.decomposition.representative_days": 2})
    summary = summary_of(outcome)
    optimum = monolithic.solved.objective
    assert float(summary["upper_bound"]) >= optimum * (1 - 1e-6)
    assert float(summary["lower_bound"]) <= optimum * (1 + 1e-9)
    assert "representative days" in outcome.facts["investments_from"]
    assert outcome.facts["lower_bound_from"] == "full-year linear-UC LP"


def test_warm_started_milp_tightens_the_bound(tmp_path, monolithic, decomposed):
    outcome = real_case(tmp_path / "run", **DECOMPOSED, **{"unit_commitment.decomposition.lower_bound": "milp",
                                                         "unit_commitment.decomposition.bound_time_limit_s": 60})
    summary = summary_of(outcome)
    optimum = monolithic.solved.objective
    assert float(summary["lower_bound"]) <= optimum * (1 + 1e-9)
    assert float(summary["upper_bound"]) >= optimum * (1 - 1e-6)
    assert float(summary["lower_bound"]) >= float(summary_of(decomposed[0])["lower_bound"]) - 1e-6 * optimum
    assert float(summary["certified_gap"]) <= float(summary_of(decomposed[0])["certified_gap"]) + 1e-9
    check_commitment_table(pd.read_csv(outcome.out_dir / "commitment.csv"), pd.read_csv(outcome.out_dir / "capacity.csv"),
                           {"ccgt": 500, "ocgt": 100}, {"ccgt": 6, "ocgt": 2}, {"ccgt": 4, "ocgt": 1})


def test_rolling_windows_respect_min_up_across_boundaries(tmp_path):
    """The valley case (min up 5 h over a 6-h cyclic horizon) in 2-h windows with 3 h of look-ahead:
    the stitched point is feasible for the whole horizon and costs at least the optimum 4500 $."""
    from planning.config import validate_scenario
    from planning.config.solver import Solver
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.decomposition import Compiled, rolling_commitment
    from planning.optimization.decomposition import _violation

    inputs = load_inputs(validate_scenario(valley_case(tmp_path, min_up_hours=5)))
    built = build_model(inputs)
    form = Compiled.of(built.model)
    x, logs = rolling_commitment(form, 6, 2, 3, Solver(threads=1))
    assert [(log.start, log.core_end, log.end) for log in logs] == [(0, 2, 5), (2, 6, 6)]
    assert _violation(form, x) < 1e-6
    u = np.array([x[j] for j, var in enumerate(form.columns) if var.parent_component().name == "committed_units"])
    su = np.array([x[j] for j, var in enumerate(form.columns) if var.parent_component().name == "startups"])
    for t in range(6):
        assert sum(su[(t - k) % 6] for k in range(5)) <= u[t] + 1e-6


def test_decomposed_needs_integer_mode(tmp_path):
    from planning.config import load_scenario
    from tests.conftest import REPO

    with pytest.raises(Exception, match="needs mode 'integer'"):
        load_scenario(REPO / "scenarios" / "isone_week.yaml", ["unit_commitment.mode=linear", "unit_commitment.strategy=decomposed"])


# --------------------------------------------------------------------------------------------
# A small hand-built case (72 h, one zone): a committed base fleet of five 50 MW units (10 $/MWh,
# min stable 50 %, min up 4 h, min down 2 h, start-up 20 $/MW), a 40 $/MWh peaker, optionally a
# clean 60 $/MWh plant, and a campus whose throughput curve is S-shaped (not concave: exact
# incremental binaries) over its whole range. Its monolithic MILP solves to 1e-6 in about a second:
# the independent reference for the decomposed bounds.
# --------------------------------------------------------------------------------------------

HOURS = 72


def small_case(folder, clean: bool = False, card_range: bool = False, **unit_commitment) -> dict:
    from tests.conftest import thermal, tiny_scenario
    from tests.optimization.test_datacenter import _non_concave_card

    demand = list(200 + 60 * np.sin(np.arange(HOURS) * 2 * np.pi / 24))
    technologies = {"base": thermal(10, unit_size_mw=50, min_stable_output=0.5, min_up_hours=4, min_down_hours=2, startup_cost_per_mw=20),
                    "peak": thermal(40)}
    plants = {"b": {"zone": "z", "technology": "base", "existing_mw": 250, "max_new_mw": 0},
              "p": {"zone": "z", "technology": "peak", "existing_mw": 400, "max_new_mw": 0}}
    fuels = {"gas": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}}
    if clean:
        technologies["clean"] = thermal(60, fuel="clean_fuel")
        plants["c"] = {"zone": "z", "technology": "clean", "existing_mw": 300, "max_new_mw": 0}
        fuels["clean_fuel"] = {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.0}
    return tiny_scenario(folder, demand, extra={
        "technologies": technologies, "plants": plants, "fuels": fuels,
        "datacenters": {"campus": {"zone": "z", "card_file": str(_non_concave_card(folder)), "it_capacity_mw": 60, "pue": 1.0,
                                   "formulation": "binary", "deferrable_share": 0.5, "max_delay_hours": 6,
                                   **({} if card_range else {"operating_range_per_unit": [0.2, 1.0]})}},
        "unit_commitment": {"mode": "integer", **unit_commitment},
        "solver": {"mip_gap": 1e-6, "threads": 1},
    })


def solve_small(folder, co2_cap_t: float | None = None, clean: bool = False, card_range: bool = False, **unit_commitment):
    from planning.config import validate_scenario
    from planning.workflows.run import solve_scenario

    folder.mkdir(parents=True, exist_ok=True)
    raw = small_case(folder, clean=clean, card_range=card_range, **unit_commitment)
    if co2_cap_t is not None:
        raw["policy"] = {"co2_cap_t": co2_cap_t}
    return solve_scenario(validate_scenario(raw))


SMALL_DECOMPOSED = {"strategy": "decomposed", "decomposition": {"window_hours": 24, "overlap_hours": 12, "parallel": False}}


def test_curve_binaries_land_in_their_own_hour(tmp_path):
    """throughput_delta[t, k] and throughput_z[t, k] belong to hour t (not to hour k, the segment)."""
    from planning.config import validate_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.decomposition import Compiled

    form = Compiled.of(build_model(load_inputs(validate_scenario(small_case(tmp_path)))).model)
    pwl = [(j, var) for j, var in enumerate(form.columns) if var.parent_component().local_name in ("throughput_delta", "throughput_z")]
    assert len(pwl) == HOURS * (3 + 2)  # 3 segments, 2 flags per hour
    assert all(form.col_t[j] == var.index()[0] for j, var in pwl)
    assert {int(form.col_t[j]) for j, _ in pwl} == set(range(HOURS))


def test_decomposed_with_a_non_concave_card(tmp_path):
    """Rolling windows with the campus' curve binaries: the stitched solution is feasible (UB ≥ the monolithic
    optimum), and the lower bound is the LP with the binaries relaxed (≤ the optimum), never an incumbent."""
    _, mono, _ = solve_small(tmp_path / "mono")
    results, solved, _ = solve_small(tmp_path / "dec", **SMALL_DECOMPOSED)
    optimum = mono.objective
    upper, lower, gap = (results.attrs[k] for k in ("upper_bound", "lower_bound", "certified_gap"))
    assert results.attrs["windows"] == 3
    assert upper >= optimum * (1 - 1e-9)
    assert lower <= optimum * (1 + 1e-9)
    assert upper - optimum <= gap * upper + 1e-9 * optimum
    assert "144 other integer columns relaxed" in results.attrs["lower_bound_from"]  # 72 h × 2 curve flags
    flexible = results["datacenter_flexible_mw"].sel(datacenter="campus").values
    work = results["work_done"].sel(datacenter="campus").values
    # The exact S-curve (not its concave envelope) holds at every hour of the stitched solution.
    curve_x, curve_y = np.array([0.2, 0.4, 0.6, 1.0]) * 30.0, np.array([0.1, 0.2, 0.6, 0.7]) * 30.0
    assert (work <= np.interp(flexible, curve_x, curve_y) + 1e-5).all()


def test_window_end_backlog_targets_keep_the_windows_feasible(tmp_path):
    """With the card's own narrow operating range (flexible power 0.64–0.77 of 30 MW) the campus can barely keep
    up with its work; a window that defers work past its end for free leaves a backlog no later window can clear
    (the window closing the cycle was infeasible). With the backlog at each window's end held to the relaxed LP's,
    the windows stay feasible and the bounds bracket the monolithic optimum."""
    _, mono, _ = solve_small(tmp_path / "mono", card_range=True)
    results, _, _ = solve_small(tmp_path / "dec", card_range=True, **SMALL_DECOMPOSED)
    assert results.attrs["upper_bound"] >= mono.objective * (1 - 1e-9)
    assert results.attrs["lower_bound"] <= mono.objective * (1 + 1e-9)
    backlog = results["backlog"].sel(datacenter="campus").values
    work = results["work_done"].sel(datacenter="campus").values
    arrived = results["work_arrived"].sel(datacenter="campus").values
    np.testing.assert_allclose(backlog, np.roll(backlog, 1) + arrived - work, atol=1e-6)  # cyclic over the horizon


def test_co2_cap_is_handed_over_between_windows(tmp_path):
    """A cap of 90 % of the uncapped emissions: the decomposed solution meets it, costs at least the monolithic
    capped optimum and at most that plus the certified gap."""
    uncapped, _, _ = solve_small(tmp_path / "free", clean=True)
    cap = 0.9 * float(uncapped["co2_t"])
    capped, mono, _ = solve_small(tmp_path / "mono", co2_cap_t=cap, clean=True)
    assert float(capped["co2_t"]) == pytest.approx(cap, rel=1e-6)  # the cap binds
    results, solved, _ = solve_small(tmp_path / "dec", co2_cap_t=cap, clean=True, **SMALL_DECOMPOSED)
    assert float(results["co2_t"]) <= cap * (1 + 1e-9)
    upper, lower, gap = (results.attrs[k] for k in ("upper_bound", "lower_bound", "certified_gap"))
    assert upper >= mono.objective * (1 - 1e-9) and lower <= mono.objective * (1 + 1e-9)
    assert upper - mono.objective <= gap * upper + 1e-9 * mono.objective
    assert results.attrs["co2_cap_dual_per_t"] >= 0.0
    # The cap spans every window, so Benders over the blocks (the default) cannot hold it: stage 1 is the whole LP.
    assert results.attrs["lower_bound_from"].startswith("full-year linear-UC LP (")
    assert "Benders" not in results.attrs["lower_bound_from"]


@pytest.mark.parametrize("linear_solver", ["simplex", "benders"])
def test_rounding_to_whole_units_is_sequential(tmp_path, linear_solver):
    """Three expandable committed technologies, each fractional in the linear-UC LP: sequential rounding solves
    2 LPs per plant (6, where enumerating ⌊u⌋/⌈u⌉ combinations would solve 2³ = 8); the rounded LP costs at
    least the LP bound and at least the exact whole-unit optimum of the linear-UC problem (a MILP over the unit
    counts, solved here independently). With Benders (blocks of 24 h) each option is more Benders iterations on the
    same cuts, compared by their bounds, and the bound is the master's, ≤ the LP optimum by at most benders_gap."""
    import re

    from planning.config import validate_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.solve import solve_model
    from planning.workflows.run import solve_scenario
    from tests.conftest import thermal, tiny_scenario

    hours = 48
    sizes = {"a": 70, "b": 45, "c": 25}
    technologies = {"a": thermal(10, capex=40000, unit_size_mw=70, min_stable_output=0.3),
                    "b": thermal(14, capex=25000, unit_size_mw=45, min_stable_output=0.3),
                    "c": thermal(20, capex=12000, unit_size_mw=25, min_stable_output=0.3), "peak": thermal(200)}
    plants = {g: {"zone": "z", "technology": g, "existing_mw": 0, "max_new_mw": 1000} for g in sizes}
    plants["peak"] = {"zone": "z", "technology": "peak", "existing_mw": 500, "max_new_mw": 0}
    raw = tiny_scenario(tmp_path, list(300 + 80 * np.sin(np.arange(hours) * 2 * np.pi / 24)), extra={
        "technologies": technologies, "plants": plants, "solver": {"threads": 1},
        "horizon": {"year": 2021, "start_hour": 0, "hours": hours, "scale_to_year": True},
        "unit_commitment": {"mode": "integer", **SMALL_DECOMPOSED}})
    raw["unit_commitment"]["decomposition"] = {**raw["unit_commitment"]["decomposition"], "linear_solver": linear_solver}
    scenario = validate_scenario(raw)
    results, _, _ = solve_scenario(scenario, log_file=tmp_path / "solver.log")
    log = (tmp_path / "solver.log").read_text()
    tried = re.findall(r"^  whole units (\w+) \+(\d+) MW: (\S+)", log, flags=re.M)
    assert [g for g, _, _ in tried] == ["a", "a", "b", "b", "c", "c"]  # largest unit first, floor and ceil each
    if linear_solver == "simplex":
        bound = float(re.search(r"linear-UC LP \(committable whole units\): Optimal, objective ([0-9.e+-]+)", log).group(1))
        rounded = float(re.search(r"rounded LP ([0-9.e+-]+),", log).group(1))
    else:
        bound = float(re.search(r"linear-UC LP \(committable whole units\) by Benders: 2 blocks, \d+ iterations, LB ([0-9.e+-]+),", log).group(1))
        rounded = float(re.search(r"rounded Benders ([0-9.e+-]+),", log).group(1))
    assert rounded >= bound * (1 - 1e-12)
    new = {g: float(results["new_mw"].sel(plant=g)) for g in sizes}
    assert all(new[g] / sizes[g] == pytest.approx(round(new[g] / sizes[g]), abs=1e-9) for g in sizes)
    # Independent: the linear-UC problem with whole new units (new_mw = S·k, k integer), solved as a MILP.
    import pyomo.environ as pyo

    linear = load_inputs(scenario).assign_attrs(unit_commitment_mode="linear")
    built = build_model(linear)
    lp = solve_model(built.model, scenario.solver)
    # The log prints 8 digits; no strengthening bites (no existing units). Benders' bound: within its gap below the LP.
    assert lp.objective == pytest.approx(bound, rel=1e-7) if linear_solver == "simplex" else lp.objective * (1 - 1e-5 - 1e-7) <= bound <= lp.objective * (1 + 1e-7)
    assert all(abs(built.model.new_mw[g].value / sizes[g] - round(built.model.new_mw[g].value / sizes[g])) > 1e-3 for g in sizes)
    model = built.model
    model.whole_units = pyo.Var(list(sizes), domain=pyo.NonNegativeIntegers)
    model.whole = pyo.Constraint(list(sizes), rule=lambda m, g: m.new_mw[g] == sizes[g] * m.whole_units[g])
    exact = solve_model(model, scenario.solver.model_copy(update={"mip_gap": 1e-9}))
    assert rounded >= exact.objective * (1 - 1e-7)  # (8 printed digits; here the greedy order finds the exact optimum)


def test_capacities_fixed_from_an_lp_within_its_tolerance_compile(tmp_path):
    """An unbuilt battery whose LP energy is 1e-10 MWh at 0 MW (inside HiGHS' feasibility tolerance) violates
    energy ≤ 10 h × power by 1e-10 once both are fixed: a constant row that Pyomo's compiler refused as 'trivially
    infeasible' (the full-year ISO-NE case failed so, 2026-11-30). The capacities are now fixed by the bounds of
    the compiled columns: such rows are checked to a tolerance and left to HiGHS, whose LP over the fixed
    capacities is optimal; a real violation (energy 50 MWh at 0 MW) is reported naming the constraint."""
    from planning.config import validate_scenario
    from planning.errors import SolveError
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.decomposition import Compiled, fix_without_snapshot, snapshot_of
    from tests.conftest import storage_arbitrage_scenario

    raw = storage_arbitrage_scenario(tmp_path)
    raw["technologies"]["bat"].update(min_duration_hours=1, max_duration_hours=10)
    raw["plants"]["b"].update(existing_mw=0, existing_mwh=0, max_new_mw=100, max_new_mwh=1000)
    inputs = load_inputs(validate_scenario(raw))
    for energy_mwh, error in ((1e-10, None), (50.0, "max_duration")):
        model = build_model(inputs).model
        values = {var.name: 0.0 for var in model.component_data_objects(pyo.Var) if snapshot_of(var) is None}
        values["new_mwh[b]"] = energy_mwh
        form = Compiled.of(model)
        if error is None:
            fix_without_snapshot(form, values)
            highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
            highs.passModel(form.lp)
            highs.run()
            assert highs.modelStatusToString(highs.getModelStatus()) == "Optimal"
            assert highs.getSolution().col_value[[var.name for var in form.columns].index("new_mwh[b]")] == pytest.approx(1e-10, abs=1e-12)
        else:
            with pytest.raises(SolveError, match=error):
                fix_without_snapshot(form, values)


# --------------------------------------------------------------------------------------------
# Parallel windows (decomposition.windows: parallel): pass 1 the even windows, pass 2 the odd ones
# joining them, pass 3 the last of an odd number — here 3 windows of 24 h, one per pass.
# --------------------------------------------------------------------------------------------

PARALLEL = {"strategy": "decomposed", "decomposition": {"window_hours": 24, "overlap_hours": 12, "parallel": False, "windows": "parallel"}}


def test_parallel_windows_serial_and_dask_give_identical_results(tmp_path):
    """The same window tasks in this process and on a LocalCluster of 2 workers: identical bounds and schedule;
    both bracket the monolithic optimum (UB ≥ optimum ≥ LB) and keep the S-curve and the backlog equation."""
    from planning.parallel import Executor

    _, mono, _ = solve_small(tmp_path / "mono")
    runs = {}
    for name, executor in (("serial", Executor("synchronous")), ("dask", Executor(workers=2))):
        with executor:
            runs[name] = solve_small(tmp_path / name, **PARALLEL)[0]
    serial, dask = runs["serial"], runs["dask"]
    for key in ("upper_bound", "lower_bound", "stitched_cost", "windows"):
        assert dask.attrs[key] == pytest.approx(serial.attrs[key], rel=1e-9, abs=1e-9)
    for name in ("committed_units", "startups", "generation_mw", "datacenter_flexible_mw", "backlog"):
        np.testing.assert_allclose(dask[name].values, serial[name].values, rtol=1e-9, atol=1e-9)
    upper, lower = serial.attrs["upper_bound"], serial.attrs["lower_bound"]
    assert serial.attrs["windows"] == 3
    assert upper >= mono.objective * (1 - 1e-9) and lower <= mono.objective * (1 + 1e-9)
    backlog = serial["backlog"].sel(datacenter="campus").values
    arrived, work = (serial[k].sel(datacenter="campus").values for k in ("work_arrived", "work_done"))
    np.testing.assert_allclose(backlog, np.roll(backlog, 1) + arrived - work, atol=1e-6)


def test_parallel_windows_on_the_real_case_keep_commitment_feasible(tmp_path, monolithic):
    """Three August days of ISO-NE in three 24-h windows solved in passes: the stitched commitment meets the state
    equation, min up/down across both seams and the wrap, and the bounds bracket the monolithic optimum."""
    out = tmp_path / "run"
    outcome = real_case(out, **DECOMPOSED, **{"unit_commitment.decomposition.windows": "parallel",
                                              "unit_commitment.decomposition.workers": 1})
    summary = summary_of(outcome)
    assert float(summary["upper_bound"]) >= monolithic.solved.objective * (1 - 1e-6)
    assert float(summary["lower_bound"]) <= monolithic.solved.objective * (1 + 1e-9)
    assert float(summary["certified_gap"]) < 0.01
    log = (out / "solver.log").read_text()
    assert "pass 1: 1 window(s) in this process" in log and "pass 3: 1 window(s)" in log
    check_commitment_table(pd.read_csv(out / "commitment.csv"), pd.read_csv(out / "capacity.csv"),
                           {"ccgt": 500, "ocgt": 100}, {"ccgt": 6, "ocgt": 2}, {"ccgt": 4, "ocgt": 1})


def test_parallel_windows_fall_back_to_rolling_with_a_co2_cap(tmp_path):
    """A CO2 cap is handed over from window to window as a budget: parallel windows give way to rolling ones."""
    uncapped, _, _ = solve_small(tmp_path / "free", clean=True)
    cap = 0.9 * float(uncapped["co2_t"])
    results, _, _ = solve_small(tmp_path / "dec", co2_cap_t=cap, clean=True, **PARALLEL)
    assert float(results["co2_t"]) <= cap * (1 + 1e-9)
    assert results.attrs["windows"] == 3


def test_parallel_windows_stitch_a_feasible_point(tmp_path):
    """The valley case (min up 2 h, 6-h cyclic horizon) in three 2-h windows, one per pass, the joining windows
    re-opening 1 h of each neighbour: the stitched point meets every row of the horizon (before 2026-11-30 a
    re-opened column was counted twice, free and on the right-hand side: rows at the seams were violated)."""
    from planning.config import validate_scenario
    from planning.config.solver import Solver
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.decomposition import Compiled, _violation, parallel_commitment
    from planning.parallel import Executor

    inputs = load_inputs(validate_scenario(valley_case(tmp_path, min_up_hours=2)))
    form = Compiled.of(build_model(inputs).model)
    lines = []
    with Executor("synchronous") as executor:
        x, logs = parallel_commitment(form, 6, 2, 3, Solver(threads=1), executor, lines.append)
    assert [(log.start, log.end) for log in logs] == [(0, 2), (2, 4), (4, 6)]
    assert [line.split(":")[0] for line in lines if line.startswith("pass")] == ["pass 1", "pass 2", "pass 3"]
    assert _violation(form, x) < 1e-6


# --------------------------------------------------------------------------------------------
# Chained windows (decomposition.windows: chains) and windows at Δt > 1 h
# --------------------------------------------------------------------------------------------


def _week_case(log_file, **sets):
    """The real case over a week (168 h) in 24-h windows with 6 h of look-ahead, solved without writing outputs."""
    from planning.workflows.run import solve_scenario

    week = {"horizon.hours": 168, "unit_commitment.strategy": "decomposed", "unit_commitment.decomposition.window_hours": 24,
            "unit_commitment.decomposition.overlap_hours": 6}
    return solve_scenario(real_case_scenario(**{**week, **sets}), log_file=log_file)


def _commitment_frames(results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """commitment.csv and capacity.csv as check_commitment_table reads them, from a results Dataset."""
    technology = dict(zip(results["plant"].values, results["plant_technology"].values))
    rows = []
    for g in results["committed_units"]["plant"].values:
        if technology[g] not in ("ccgt", "ocgt"):
            continue
        rows.append(pd.DataFrame({"snapshot": np.arange(results.sizes["snapshot"]), "technology": technology[g],
                                  **{name: results[name].sel(plant=g).values for name in ("committed_units", "startups", "shutdowns")}}))
    capacity = pd.DataFrame({"technology": [technology[g] for g in results["plant"].values], "total_mw": results["total_mw"].values})
    return pd.concat(rows), capacity


def test_chained_windows_join_two_chains_into_a_feasible_year(tmp_path):
    """A week in seven 24-h windows as two chains rolled at once (windows 1–4 and 5–7, in two threads), then one join at
    each seam (hours 96 and 0, r = max(6 h look-ahead, longest row 6 h − 1) = 6 h each side): the stitched point meets
    every row (largest violation in solver.log), the commitment meets the state equation and min up/down cyclically,
    and the bounds are those of the rolling windows' LP (same LB) with a gap below 0.5 %."""
    import re

    results, _, _ = _week_case(tmp_path / "chains.log", **{"unit_commitment.decomposition.windows": "chains"})
    log = (tmp_path / "chains.log").read_text()
    assert "pass 1: 2 chains of rolling windows in 2 threads" in log and "pass 2: 2 joins at the seams" in log
    windows = re.findall(r"window +\d+ \((chain \d|join)\) hours +(\d+)- *(\d+)", log)
    assert windows == [("chain 1", "0", "29"), ("chain 1", "24", "53"), ("chain 1", "48", "77"), ("chain 1", "72", "101"),
                       ("chain 2", "96", "125"), ("chain 2", "120", "149"), ("chain 2", "144", "173"),
                       ("join", "162", "5"), ("join", "90", "101")]
    assert float(re.search(r"largest row violation ([0-9.e+-]+)", log).group(1)) < 1e-6
    assert results.attrs["windows"] == 9
    assert results.attrs["upper_bound"] <= results.attrs["stitched_cost"] * (1 + 1e-9)
    assert 0 <= results.attrs["certified_gap"] < 0.005
    commitment, capacity = _commitment_frames(results)
    check_commitment_table(commitment, capacity, {"ccgt": 500, "ocgt": 100}, {"ccgt": 6, "ocgt": 2}, {"ccgt": 4, "ocgt": 1})


def test_windows_are_converted_to_snapshots_at_two_hour_resolution(tmp_path):
    """Δt = 2 h: 72 h are 36 snapshots; 24-h windows with 12 h of look-ahead are 12 + 6 snapshots, so the rolling
    windows are snapshots [0, 18), [12, 30), [24, 36) with cores ending at 12, 24, 36 (taken as snapshots, the
    hours would give 2 windows [0, 36), [24, 36)); min up 6 h is 3 snapshots in the written commitment."""
    import re

    results, _, _ = _week_case(tmp_path / "dt2.log", **{"horizon.hours": 72, "horizon.resolution_hours": 2,
                                                         "unit_commitment.decomposition.overlap_hours": 12,
                                                         "unit_commitment.decomposition.windows": "rolling"})
    log = (tmp_path / "dt2.log").read_text()
    windows = re.findall(r"window +\d+ hours +(\d+)- *(\d+) \(core to (\d+)\)", log)
    assert windows == [("0", "17", "11"), ("12", "29", "23"), ("24", "35", "35")]
    assert results.sizes["snapshot"] == 36 and results.attrs["windows"] == 3
    commitment, capacity = _commitment_frames(results)
    check_commitment_table(commitment, capacity, {"ccgt": 500, "ocgt": 100}, {"ccgt": 3, "ocgt": 1}, {"ccgt": 2, "ocgt": 1})


def test_linear_lp_options_default_to_devex_without_presolve_unless_the_scenario_says():
    """The bound LP runs dual simplex with Devex pricing and no presolve (measured fastest on the full-year case);
    solver.presolve set in the scenario, or solver.options, win."""
    from planning.config.solver import Solver
    from planning.optimization.decomposition import linear_lp_options
    from planning.optimization.solve import highs_options

    assert highs_options(linear_lp_options(Solver()))["presolve"] == "off"
    assert highs_options(linear_lp_options(Solver()))["simplex_dual_edge_weight_strategy"] == 1
    assert highs_options(linear_lp_options(Solver(presolve=True)))["presolve"] == "on"
    assert highs_options(linear_lp_options(Solver(options={"presolve": "on"})))["presolve"] == "on"
    assert highs_options(linear_lp_options(Solver(options={"simplex_dual_edge_weight_strategy": 2})))["simplex_dual_edge_weight_strategy"] == 2


def test_benders_stage_one_falls_back_to_the_whole_lp_when_benders_fails(tmp_path, monkeypatch):
    """A Benders failure (e.g. the master's numerical trouble) must not stop the run: stage 1 is then the whole
    linear-UC LP, named in lower_bound_from, and the bounds still bracket the monolithic optimum."""
    from planning.errors import SolveError
    from planning.optimization import temporal_bounds

    _, mono, _ = solve_small(tmp_path / "mono")

    def failing(self, *args, **kwargs):
        raise SolveError(["temporal bounds: the Benders master is 'Unknown'"], title="temporal bounds failed")

    monkeypatch.setattr(temporal_bounds.TemporalBenders, "run", failing)
    results, _, _ = solve_small(tmp_path / "dec", **SMALL_DECOMPOSED)
    assert results.attrs["lower_bound_from"].startswith("full-year linear-UC LP (")
    assert "Benders" not in results.attrs["lower_bound_from"]
    assert results.attrs["lower_bound"] <= mono.objective * (1 + 1e-9) <= results.attrs["upper_bound"] * (1 + 2e-9)
