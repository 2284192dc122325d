"""``solver:`` HiGHS options."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planning.config.base import Section


class Solver(Section):
    """Options passed to HiGHS (highspy, in memory)."""

    time_limit_s: float = Field(600.0, gt=0, description="Wall-clock limit for the solve (s).")
    mip_gap: float = Field(0.001, ge=0, le=1, description="Relative MIP gap at which branch-and-bound stops (fraction).")
    threads: int = Field(1, ge=1, description="Threads HiGHS may use.")
    method: Literal["choose", "simplex", "ipm", "pdlp"] = Field(
        "choose", description="LP algorithm: HiGHS' choice, dual simplex, interior point (with crossover), or PDLP."
    )
    presolve: bool = Field(True, description="Run HiGHS presolve.")
    tuned: bool = Field(
        True,
        description="Use the HiGHS options measured fastest for the problem class (single-zone LP, single zone with a learned data center, multi-zone LP, MILP; "
        "planning.optimization.solve.TUNED_OPTIONS, measured in benchmarks/README.md, 'HiGHS settings'); false: HiGHS' own "
        "defaults. solver.method and solver.options, when set, win over them.",
    )
    tie_break: Literal["lexicographic", "objective"] = Field(
        "lexicographic",
        description="How an LP applies tie-breaks (datacenters.<name>.schedule_tie_break_per_mwh): lexicographic = solve the "
        "costs, then minimise the tie-breaks over their optimal face from the optimal basis (costs exactly optimal; measured "
        "faster, benchmarks/README.md); objective = add them to the one objective as a small penalty (what a MILP always does).",
    )
    options: dict[str, bool | int | float | str] = Field(
        default_factory=dict, description="Further HiGHS options by their HiGHS name, e.g. {mip_heuristic_effort: 0.2}."
    )
