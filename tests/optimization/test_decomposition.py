"""Decomposed expansion + unit commitment (planning.optimization.decomposition).

The real-data case is three August days of ISO-NE with 500 MW CCGT and 100 MW OCGT units
(tests/optimization/test_commitment.py, ``real_case``), cut into 24-h windows with 12 h of
look-ahead, so that the hand-over between windows and the closing of the cyclic horizon are
exercised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.errors import ScenarioError
from tests.optimization.test_commitment import check_commitment_table, real_case, valley_case

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
    assert summary["lower_bound_from"] == "full-year linear-UC LP"
    assert summary["prices_from"] == "fixed-integer LP re-solve (decomposed commitment)"
    assert int(summary["commitment_windows"]) == 3
    # the fixed-commitment LP re-solve can only improve on the stitched windows
    assert upper <= float(summary["stitched_window_cost"]) * (1 + 1e-9)
    prices = pd.read_csv(outcome.out_dir / "balance.csv")["price_per_mwh"]
    assert prices.notna().all()


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
        units = float(capacity.loc[capacity["technology"] == technology, "total_mw"].iloc[0]) / {"ccgt": 500, "ocgt": 100}[technology]
        assert units == pytest.approx(round(units)) or technology == "ccgt"  # whole new units (CCGT has a fractional existing part)
    storage = pd.read_csv(out / "storage.csv").sort_values("snapshot")
    if len(storage) and storage["soc_mwh"].abs().max() > 1e-6:
        soc, charge, discharge = (storage[c].to_numpy() for c in ("soc_mwh", "charge_mw", "discharge_mw"))
        np.testing.assert_allclose(soc - np.roll(soc, 1), 0.922 * charge - discharge / 0.922, atol=1e-5)


def test_representative_investments_in_a_parallel_bound_process(tmp_path, monolithic):
    outcome = real_case(tmp_path / "run", **DECOMPOSED, **{"unit_commitment.decomposition.investments": "representative",
                                                         "unit_commitment.decomposition.representative_days": 2})
    summary = summary_of(outcome)
    optimum = monolithic.solved.objective
    assert float(summary["upper_bound"]) >= optimum * (1 - 1e-6)
    assert float(summary["lower_bound"]) <= optimum * (1 + 1e-9)
    assert "representative days" in summary["investments_from"]
    assert summary["lower_bound_from"] == "full-year linear-UC LP"


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
    assert float(form.cost @ x + form.lp.offset_) >= 4500.0 - 1e-6
    u = np.array([x[j] for j, var in enumerate(form.columns) if var.parent_component().name == "committed_units"])
    su = np.array([x[j] for j, var in enumerate(form.columns) if var.parent_component().name == "startups"])
    for t in range(6):
        assert sum(su[(t - k) % 6] for k in range(5)) <= u[t] + 1e-6


def test_decomposed_needs_integer_mode_and_no_global_rows(tmp_path):
    from planning.config import load_scenario
    from tests.conftest import REPO

    with pytest.raises(Exception, match="needs mode 'integer'"):
        load_scenario(REPO / "scenarios" / "isone_week.yaml", ["unit_commitment.mode=linear", "unit_commitment.strategy=decomposed"])
    with pytest.raises(ScenarioError, match="co2_cap"):
        real_case(tmp_path / "run", **DECOMPOSED, **{"policy.co2_cap_t": 1e9})
