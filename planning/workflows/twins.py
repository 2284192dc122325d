"""The value of flexibility: solve a scenario's data-center twins and compare them.

Twins differ only in every data center's ``flexibility``:

* ``inflexible`` — the flexible work runs as it arrives (baseline + all work as a fixed load);
* ``learned`` — the card's throughput curve, delay and ramp limits (what the telemetry supports);
* ``ideal`` — no throughput loss, up to 24 h delay, no ramp limit (an upper bound).

Because each twin's feasible data-center schedules contain the previous one's, total cost is
non-increasing from inflexible to learned to ideal (to solver tolerance).
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from planning.config.scenario import Scenario
from planning.metrics.summary import new_capacity_by_technology, summary_table

TWINS = ("inflexible", "learned", "ideal")
COMPARED = ("total_cost", "investment_cost", "operating_cost", "co2_t", "peak_demand_mw", "unserved_energy_mwh",
            "datacenter_energy_mwh", "datacenter_peak_mw", "datacenter_shifted_mwh", "mip_gap")


def twin_scenario(scenario: Scenario, flexibility: str) -> Scenario:
    """The scenario with every data center set to ``flexibility``."""
    centers = {name: site.model_copy(update={"flexibility": flexibility}) for name, site in scenario.datacenters.items()}
    return scenario.model_copy(update={"datacenters": centers})


def comparison_row(twin: str, results: xr.Dataset, summary: pd.DataFrame) -> dict:
    """One row of value_of_flexibility.csv."""
    values = summary.set_index("metric")["value"]
    row = {"twin": twin}
    row.update({metric: float(values[metric]) for metric in COMPARED if metric in values.index})
    row.update({f"new_{tech}_mw": float(mw) for tech, mw in new_capacity_by_technology(results).items()})
    return row


def compare_twins(scenario: Scenario, solve, known: dict[str, tuple[xr.Dataset, pd.DataFrame]] | None = None) -> pd.DataFrame:
    """Solve each twin (reusing ``known`` results by twin name) and tabulate them.

    ``solve(scenario) -> (results, solved, timings)`` is :func:`planning.workflows.run.solve_scenario`.
    The last column, ``saving_vs_inflexible``, is the inflexible twin's total cost minus the row's.
    """
    rows = []
    for twin in TWINS:
        if known and twin in known:
            results, summary = known[twin]
        else:
            results, _, timings = solve(twin_scenario(scenario, twin))
            summary = summary_table(results, timings)
        rows.append(comparison_row(twin, results, summary))
    table = pd.DataFrame(rows)
    table["saving_vs_inflexible"] = table.loc[table.twin == "inflexible", "total_cost"].iloc[0] - table["total_cost"]
    return table
