"""``solver:`` HiGHS options, and the temporal decomposition of a full-year LP (``solver.temporal_decomposition``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planning.config.base import Section


class TemporalDecomposition(Section):
    """Solve a chronological LP by multi-cut Benders over blocks of hours instead of one HiGHS solve
    (:mod:`planning.optimization.temporal_solve`): the capacities and the storage levels at the blocks' edges in a
    master problem, one LP per block. The run stops at a relative gap between the master's lower bound and the cost of
    a feasible full-year point; the outputs are those of a normal run (prices from an optimal dual of the whole LP to
    the gap, assembled from the blocks' duals of every cut), with lower_bound, upper_bound and certified_gap in
    summary.csv.

    For LPs on a chronological horizon only (no integer unit commitment, no representative periods, no pathway or
    futures). A row over more than two blocks (a yearly CO2 cap) cannot be split: the run stops with a message."""

    block_hours: int = Field(168, ge=1, description="Length of a block of hours (h; a week by default). A last block shorter "
                             "than half a block joins the one before.")
    gap: float = Field(1e-5, gt=0, le=0.01, description="Relative gap at which Benders stops: (cost of the full-year point − "
                       "lower bound) / cost (fraction).")
    threads: int | None = Field(None, ge=1, description="Blocks solved at once (each block LP on one HiGHS thread). Null = solver.threads.")
    max_iterations: int = Field(500, ge=1, description="Most Benders iterations (each solves every block once); the run also "
                                "stops at solver.time_limit_s.")


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
    temporal_decomposition: TemporalDecomposition | None = Field(
        None,
        description="Solve the LP by Benders over blocks of hours (a full-year LP of many zones in minutes instead of hours; "
        "planning.optimization.temporal_solve) to a certified gap. Null = one HiGHS solve. LPs on a chronological horizon only.",
    )


def temporal_decomposition_problems(data: dict) -> list[str]:
    """``solver.temporal_decomposition`` with what it cannot solve: representative periods, a pathway, futures, or the
    decomposed unit commitment (each message starts with the key; checked on the raw mapping, like the other
    cross-section checks). Integer columns (integer unit commitment of technologies with a unit size, a non-concave
    data-center curve) are found when the model is built (:mod:`planning.optimization.temporal_solve`)."""
    mapping = lambda value: value if isinstance(value, dict) else {}  # noqa: E731
    if mapping(data.get("solver")).get("temporal_decomposition") is None:
        return []
    key = "solver.temporal_decomposition"
    fix = f"remove {key} (or set it to null) to solve the model whole"
    problems = []
    if mapping(data.get("horizon")).get("representative_periods") is not None:
        problems.append(f"{key}: needs a chronological horizon; horizon.representative_periods is set — {fix}, "
                        "or remove horizon.representative_periods")
    commitment = mapping(data.get("unit_commitment"))
    if commitment.get("mode", "integer") == "integer" and commitment.get("strategy") == "decomposed":
        problems.append(f"{key}: cannot go with unit_commitment.strategy: decomposed (a MILP by windows) — remove one of the two")
    if data.get("pathway") is not None:
        problems.append(f"{key}: not available with pathway: (the periods are solved together) — {fix}")
    if data.get("futures"):
        problems.append(f"{key}: not available with futures: (the stochastic plan is solved as one LP) — {fix}")
    return problems
