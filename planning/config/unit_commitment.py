"""``unit_commitment:`` whether thermal technologies with a unit size are committed, and how.

The unit data (size, minimum stable output, minimum up/down time, start-up cost and fuel, ramp
limits) belong to each thermal technology (``technologies.<name>.unit_size_mw`` etc.); this
section only switches the formulation. See :mod:`planning.optimization.blocks.commitment` for
the equations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planning.config.base import Section


class Decomposition(Section):
    """Settings of ``strategy: decomposed`` (see :mod:`planning.optimization.decomposition`)."""

    investments: Literal["linear", "representative"] = Field(
        "linear",
        description="Where the capacities come from: the full-year linear-UC LP (rounded up to whole units where integer_build), "
        "or the integer-UC MILP on representative days.",
    )
    linear_solver: Literal["benders", "simplex"] = Field(
        "benders",
        description="How the full-year linear-UC LP of investments: linear is solved. benders (default): multi-cut Benders over "
        "blocks of window_hours (planning.optimization.benders_investments; capacities and the states at block boundaries in the "
        "master), to benders_gap; the lower bound is the master's, ≤ the LP optimum. simplex: the whole LP by dual simplex (the "
        "lower bound is the LP optimum). A row over more than two blocks (a CO2 cap) makes benders fall back to simplex.",
    )
    benders_gap: float = Field(1e-5, gt=0, le=0.01, description="Relative gap at which the Benders of linear_solver: benders stops "
                               "(between the master's bound and the best point's cost; fraction).")
    representative_days: int = Field(12, ge=2, description="Representative days of the investment MILP (investments: representative).")
    window_hours: int = Field(168, ge=24, description="Length of a commitment window (h); its state is handed to the next window.")
    overlap_hours: int = Field(24, ge=0, description="Look-ahead solved with each window and then discarded (h).")
    window_mip_gap: float = Field(1e-3, ge=0, le=1, description="Relative MIP gap of each window MILP (fraction). Default 1e-3: "
                                  "the certificate needs only the total gap; on the full-year ISO-NE case it makes the windows a third "
                                  "faster than 1e-4 for +0.003 % on the upper bound (benchmarks/README.md (c′)).")
    window_time_limit_s: float = Field(60.0, gt=0, description="Time limit of each window MILP (s).")
    lower_bound: Literal["linear", "milp", "none"] = Field(
        "linear",
        description="Certified lower bound: the full-year linear-UC LP objective (run in a parallel process when the investments "
        "come from representative days); milp = also run the monolithic MILP warm-started with the decomposed solution for "
        "bound_time_limit_s (its dual bound tightens the LP bound, its incumbent may improve the solution); none = no bound.",
    )
    bound_time_limit_s: float = Field(300.0, gt=0, description="Time limit of the warm-started monolithic MILP (lower_bound: milp) (s).")
    milp_options: dict[str, bool | int | float | str] = Field(
        default_factory=dict,
        description="Further HiGHS options of the warm-started monolithic MILP only (over solver.options), e.g. "
        "{mip_lp_solver: ipm, mip_heuristic_effort: 0}.",
    )
    parallel: bool = Field(True, description="Solve the linear-UC lower bound in a second process while the windows are solved.")
    windows: Literal["rolling", "parallel", "chains"] = Field(
        "chains",
        description="rolling: one window after the other, each from the state the previous one left; chains (default): the year cut "
        "into `chains` parts, each solved by rolling windows at the same time in threads of this process, then one window joining "
        "each seam; parallel: the even windows at once, then the odd ones joining them (tasks on the Dask cluster of "
        "planning.parallel: planning run --scheduler/--workers, a sweep's cluster, else `workers` local processes). chains and "
        "parallel fall back to rolling where they cannot apply (a CO2 cap, parts shorter than twice the look-ahead).",
    )
    chains: int = Field(2, ge=2, description="Parts of the year rolled at once in threads for windows: chains (one per core).")
    workers: int = Field(2, ge=1, description="Local worker processes for windows: parallel when no cluster is open; 1 = in this process.")


class UnitCommitment(Section):
    """Clustered unit commitment of thermal technologies that set ``unit_size_mw``.

    * ``integer`` — committed units, start-ups and shut-downs are integers (a MILP); prices come
      from the LP re-solved with the integers fixed (``prices_from`` in run.json's ``summary_facts``);
    * ``linear`` — the same constraints with continuous unit counts (the LP relaxation);
    * ``off`` — no commitment: thermal plants are dispatched as continuous fleets (the plain LP).

    ``strategy: decomposed`` (integer mode) replaces the full-year MILP by investments from a
    relaxed or aggregated problem and commitment in rolling windows with the capacities fixed;
    summary.csv then reports the upper and lower bounds and the certified gap.
    """

    mode: Literal["integer", "linear", "off"] = Field(
        "integer", description="integer (MILP), linear (relaxed commitment, an LP) or off (no commitment)."
    )
    integer_build: bool = Field(
        True,
        description="In integer mode, build and retire whole units (new_mw = unit_size_mw × an integer). "
        "False = continuous build (capacity/unit_size_mw may be fractional; only whole units can be committed).",
    )
    strategy: Literal["monolithic", "decomposed"] = Field(
        "monolithic",
        description="integer mode: solve the expansion + commitment MILP at once (monolithic), or decomposed: investments from a "
        "relaxed or aggregated problem, then commitment in rolling windows, with a certified gap (see decomposition).",
    )
    decomposition: Decomposition = Field(default_factory=Decomposition, description="Settings of strategy: decomposed.")
    startup_cost_weighting: Literal["per_event", "snapshot_weight"] = Field(
        "per_event",
        description="How start-up and shut-down costs (and start-up CO2) enter the objective: per_event = once per start, times "
        "the number of times the snapshot occurs (w_t / Δt: the year scaling); snapshot_weight = times the snapshot weight w_t "
        "in hours, as PyPSA does (Δt times more with Δt-hour snapshots). The two agree with hourly snapshots.",
    )

    @model_validator(mode="after")
    def _decomposed_needs_integer(self) -> "UnitCommitment":
        if self.strategy == "decomposed" and self.mode != "integer":
            raise ValueError(f"strategy 'decomposed' needs mode 'integer' (got '{self.mode}'); the linear and off modes are LPs")
        return self
