"""planning.parallel: the same tasks serially and on a LocalCluster give identical results, in order."""

from __future__ import annotations

import numpy as np
import pytest

from planning.parallel import _CURRENT, SYNCHRONOUS, Executor, current, executor_for


def lp_task(demand_mw: float, price_per_mwh: np.ndarray) -> tuple[float, np.ndarray]:
    """A tiny dispatch LP: min Σ c_g·p_g, Σ p_g = demand, 0 ≤ p_g ≤ 60 MW; the optimum by hand is merit order."""
    import highspy

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    n = len(price_per_mwh)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, 1
    lp.col_cost_ = np.asarray(price_per_mwh, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.full(n, 60.0)
    lp.row_lower_ = lp.row_upper_ = np.array([demand_mw])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(n + 1, dtype=np.int32)
    lp.a_matrix_.index_ = np.zeros(n, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(n)
    highs.passModel(lp)
    highs.run()
    return highs.getInfo().objective_function_value, np.asarray(highs.getSolution().col_value)


def fails_on_three(item: int) -> int:
    if item == 3:
        raise ValueError("item 3 is bad")
    return item * item


def nested_task(item: int) -> list[int]:
    """A task that runs tasks itself: on a worker, executor_for() submits to the cluster that runs it."""
    with executor_for(workers=2) as inner:
        return [int(inner.serial), *inner.map(fails_on_three, [item, item + 1])]


DEMANDS = [10.0, 70.0, 130.0, 170.0, 55.5]
PRICES = np.array([30.0, 10.0, 20.0])


def by_hand(demand: float) -> float:
    """Merit order: 60 MW at 10, 60 at 20, the rest at 30 $/MWh."""
    cheap, mid = min(demand, 60.0), min(max(demand - 60.0, 0.0), 60.0)
    return 10 * cheap + 20 * mid + 30 * (demand - cheap - mid)


@pytest.fixture(scope="module")
def cluster():
    with Executor(workers=2) as executor:
        yield executor


def test_serial_and_cluster_give_identical_results_in_order(cluster):
    serial = Executor(SYNCHRONOUS).map(lp_task, DEMANDS, common={"price_per_mwh": PRICES})
    parallel = cluster.map(lp_task, DEMANDS, common={"price_per_mwh": PRICES})
    assert cluster.workers == 2 and not cluster.serial
    for demand, (objective, dispatch), (objective_p, dispatch_p) in zip(DEMANDS, serial, parallel):
        assert objective == pytest.approx(by_hand(demand), rel=1e-12)
        assert objective_p == objective                       # identical, not just close
        np.testing.assert_array_equal(dispatch_p, dispatch)
        assert dispatch.sum() == pytest.approx(demand, abs=1e-9)


def test_as_completed_returns_or_raises_task_errors(cluster):
    for executor in (Executor(SYNCHRONOUS), cluster):
        results = dict(executor.as_completed(fails_on_three, [1, 2, 3, 4], errors="return"))
        assert [results[i] for i in (0, 1, 3)] == [1, 4, 16]
        assert isinstance(results[2], ValueError) and "item 3 is bad" in str(results[2])
        with pytest.raises(ValueError, match="item 3 is bad"):
            executor.map(fails_on_three, [1, 2, 3, 4])


def test_tasks_of_a_task_run_on_the_same_cluster(cluster):
    # On a worker, executor_for() is not serial: it submits to the cluster that runs the task (worker_client).
    assert cluster.map(nested_task, [1, 5]) == [[0, 1, 4], [0, 25, 36]]
    # Serially, a task's own tasks run serially too (the executor running it is the current one).
    assert Executor(SYNCHRONOUS).map(nested_task, [1]) == [[1, 1, 4]]


def test_current_is_the_innermost_open_executor():
    before = current()   # the module's cluster, when its fixture is open
    outer = Executor(SYNCHRONOUS)
    with outer:
        assert current() is outer and executor_for(workers=8) is outer
        with Executor(SYNCHRONOUS) as inner:
            assert current() is inner
        assert current() is outer
    assert current() is before
    token = _CURRENT.set(None)
    try:
        assert executor_for(workers=1).serial and not executor_for(workers=2).serial
    finally:
        _CURRENT.reset(token)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        Executor(workers=0)


def test_cluster_settings_of_a_sweep_file_are_checked():
    from pydantic import ValidationError

    from planning.config.sweep import Cluster

    assert Cluster().workers == 2 and Cluster().scheduler is None
    with pytest.raises(ValidationError, match="is not a scheduler address"):
        Cluster(scheduler="head-node:8786")
    with pytest.raises(ValidationError):
        Cluster(workers=0)
