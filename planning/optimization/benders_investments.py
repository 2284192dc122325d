"""Stage 1 of the decomposed unit commitment by Benders over weeks (``unit_commitment.decomposition.linear_solver: benders``).

The same problem as :func:`planning.optimization.decomposition.linear_investments` — the strengthened full-year
linear-UC LP, then whole units by sequential rounding — solved by :class:`planning.optimization.temporal_bounds.TemporalBenders`
instead of dual simplex on the whole year: blocks of the commitment windows' length (a week by default), capacities and the block-boundary states (storage levels,
committed units and the hours that min up/down times reach back to) in the master.

What changes for the certificate: the **lower bound is the Benders master's optimum** (every cut under-estimates its
block's cost, so LB ≤ the LP optimum ≤ the integer optimum: a valid bound at any iteration), reached to the relative gap
``benders_gap`` between it and the best point's cost. The capacities are the best point's. Rounding: for each plant, ⌊u⌋
and ⌈u⌉ units are each solved by more Benders iterations on the same cuts (restricting the master's bounds keeps every
cut valid) and compared by their lower bounds.

When a row spans more than two blocks (a yearly CO2 cap or energy budget), the blocks cannot hold it: the LP is solved
whole instead (:func:`planning.optimization.decomposition.linear_investments`), and the log says why.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from planning.config.solver import Solver
from planning.errors import SolveError
from planning.optimization.decomposition import Compiled, linear_investments, sequential_rounding
from planning.optimization.solve import SolveResult
from planning.optimization.temporal_bounds import TemporalBenders, block_snapshots, split_by_blocks


def benders_investments(model: pyo.ConcreteModel, inputs: xr.Dataset, solver: Solver, log_file: Path | None,
                        report: Callable[[str], None], compiled: tuple[Compiled, int], gap: float, block_hours: int = 168,
                        threads: int = 1) -> SolveResult:
    """Stage 1 by Benders over blocks of ``block_hours`` (the commitment windows' length; module docstring): the
    capacities (whole units) are loaded into ``model``; the result's objective is the lower bound (the master's optimum
    before rounding), ``status`` "Optimal" when ``gap`` was reached. ``threads``: blocks solved at once (each block LP on
    one HiGHS thread; the stage-2 build shares the cores while it runs)."""
    form, relaxed = compiled
    n_snapshots = int(inputs.sizes["snapshot"])
    block = block_snapshots(block_hours, float(inputs.attrs.get("snapshot_duration_h", 1)))
    split = split_by_blocks(form, n_snapshots, block)
    if split.dropped_rows:
        report(f"linear-UC LP by Benders: rows over more than two blocks ({', '.join(split.dropped_rows)}) cannot be split; "
               "the LP is solved whole")
        return linear_investments(model, inputs, solver, log_file, report, compiled)
    tic = time.perf_counter()
    lines: list[str] = []

    def note(line: str) -> None:
        lines.append(line)
        if log_file is not None:
            Path(log_file).write_text("\n".join(lines) + "\n", encoding="utf-8")

    limit = float(solver.time_limit_s)
    # x is the first split.x.size master columns (then the states): a capacity's master position is its rank in split.x.
    position = {id(form.columns[j]): p for p, j in enumerate(split.x)}

    def bound(fixings: list[tuple[int, float]]) -> None:
        positions = np.array([p for p, _ in fixings], dtype=np.int64)
        values = np.array([v for _, v in fixings], dtype=float)
        benders.restrict(positions, values, values)

    def solve() -> tuple[float, np.ndarray] | None:
        again = benders.run(gap=gap, max_iterations=200, time_limit_s=limit, require_consistent=False)
        return again.lower_bound, again.x_values

    try:
        benders = TemporalBenders(form, split, threads=threads, report=note, keep_duals=False)  # prices: stage 3's LP
        first = benders.run(gap=gap, max_iterations=500, time_limit_s=limit, require_consistent=False)
        report(f"linear-UC LP (committable whole units) by Benders: {len(split.blocks)} blocks, {first.iterations} iterations, "
               f"LB {first.lower_bound:.8g}, best point {first.best_value:.8g} (gap {first.gap:.1e}), {time.perf_counter() - tic:.1f} s")
        _, x = sequential_rounding(model, inputs, position, form.col_upper[split.x], first.lower_bound, first.x_values, bound, solve,
                                   report, label="Benders")
    except SolveError as error:
        report(f"linear-UC LP by Benders failed ({'; '.join(error.problems)}); the LP is solved whole")
        return linear_investments(model, inputs, solver, log_file, report, compiled)
    result = SolveResult(status="Optimal" if first.converged else "Time limit reached", has_solution=True,
                         num_rows=len(form.rows), num_cols=len(form.columns))
    result.objective = result.dual_bound = first.lower_bound
    result.is_mip = relaxed > 0
    result.duals_from = (f"full-year linear-UC LP (Benders master's bound, blocks of {block_hours} h)"
                         + (f" ({relaxed} other integer columns relaxed: data-center curve binaries etc.)" if relaxed else ""))
    for p, j in enumerate(split.x):
        form.columns[j].set_value(float(x[p]), skip_validation=True)
    result.solve_s = time.perf_counter() - tic
    return result
