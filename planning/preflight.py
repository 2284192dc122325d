"""Checks that need no solve, run by ``planning validate`` and by every command before it solves or fits.

A finished full-year solve must never be thrown away for something that could have been seen at the start:
a technology missing from the emission factors (reporting), a typo in a sweep grid key (every run would fail),
a results folder that is in the way (:func:`planning.io.writers.output_folder_problems`), an option out of range.
Each function returns a list of problems (key path or option, what to do); the caller raises them together.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["reporting_problems", "sweep_problems", "capacities_problems", "fraction_problems"]


def reporting_problems(scenario) -> list[str]:
    """Lookups the results step makes: every plant's technology has direct and lifecycle emission factors."""
    import numpy as np
    import xarray as xr

    from planning.errors import PlanningError
    from planning.metrics.carbon import plant_factors

    plants = list(scenario.plants)
    if not plants:
        return []
    technologies = [scenario.plants[p].technology for p in plants]
    kinds = [getattr(scenario.technologies.get(t), "kind", "thermal") for t in technologies]
    stub = xr.Dataset(coords={"plant": plants}, data_vars={
        "plant_technology": ("plant", np.array(technologies, dtype=object)),
        "plant_kind": ("plant", np.array(kinds, dtype=object)),
    })
    # Direct factors come from the model (fuel CO2 × heat rate) for every non-storage plant: a placeholder suffices.
    try:
        plant_factors(stub, scenario.carbon, model_direct_t_per_mwh={p: 0.0 for p in plants})
    except PlanningError as error:
        return list(error.problems)
    return []


def sweep_problems(sweep) -> list[str]:
    """Every run of a sweep, its overrides applied to the base scenario and validated (no data read, no solve)."""
    from planning.config.load import apply_overrides, load_raw, validate_scenario
    from planning.errors import PlanningError

    try:
        base = apply_overrides(load_raw(Path(sweep.scenario)), sweep.common_strings())
    except PlanningError as error:
        return [f"scenario/set: {problem}" for problem in error.problems]
    problems: list[str] = []
    for run in sweep.runs:
        try:
            validate_scenario(apply_overrides(base, run.set_strings()), source=run.name)
        except PlanningError as error:
            problems += [f"run '{run.name}': {problem}" for problem in error.problems if f"run '{run.name}': {problem}" not in problems]
    return _deduplicate_across_runs(problems, len(sweep.runs))


def _deduplicate_across_runs(problems: list[str], n_runs: int) -> list[str]:
    """One line for a problem every run has (a grid-key typo), not one per run."""
    by_text: dict[str, list[str]] = {}
    for line in problems:
        run, _, text = line.partition(": ")
        by_text.setdefault(text, []).append(run)
    out = []
    for text, runs in by_text.items():
        out.append(f"every run ({n_runs}): {text}" if len(runs) == n_runs and n_runs > 1 else f"{', '.join(runs)}: {text}")
    return out


def capacities_problems(folder: Path | None, option: str = "--capacities") -> list[str]:
    """``--capacities`` must be a results folder of ``planning run`` (capacity.csv)."""
    if folder is None:
        return []
    folder = Path(folder)
    if not folder.is_dir():
        return [f"{option} {folder}: no such folder; give a results folder of `planning run`"]
    if not (folder / "capacity.csv").is_file():
        return [f"{option} {folder}: no capacity.csv in it; give a results folder of `planning run`"]
    return []


def fraction_problems(values, option: str, upper_inclusive: bool = False) -> list[str]:
    """Each value a finite fraction in [0, 1) (or [0, 1]); a percentage given by mistake gets a hint."""
    problems = []
    for value in values or ():
        ok = math.isfinite(value) and 0 <= value and (value <= 1 if upper_inclusive else value < 1)
        if not ok:
            hint = f" (a percentage? {value:g} % is {value / 100:g})" if math.isfinite(value) and value >= 1 else ""
            bound = "[0, 1]" if upper_inclusive else "[0, 1)"
            problems.append(f"{option} {value:g}: must be a fraction in {bound}, e.g. 0.005 for 0.5 %{hint}")
    return problems
