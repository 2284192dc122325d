"""``planning stress``: the same stressed system under emissions-first, stability-first and auto signals.

The stress events of the scenario's ``stress:`` section are applied to the inputs when they are
loaded (:mod:`planning.io.stress_inputs`). Each signal mode then runs the signal-response loop
(:mod:`planning.workflows.signal_response`) on the same stressed inputs and fixed capacities:

* ``emissions_first`` — the data centers follow ``stress.emissions_signal`` (average, consumption or
  marginal carbon intensity of their zone);
* ``stability_first`` — they follow the stability signal σ_{z,t} = (max m − m_t)/(max m − min m) of the
  net reserve margin m_{z,t} = (headroom − unserved)/load (:mod:`planning.metrics.adequacy`): 1 in
  the tightest hour, 0 in the loosest;
* ``auto`` — carbon (scaled to [0, 1]) in hours whose net margin is at or above
  ``stress.reserve_threshold_fraction``, and 1 + σ in the hours below it, re-assessed in every round
  from that round's grid solution; the hours where the signal switches (to stability-first and back)
  are logged in switches.csv.

The data centers' response stays inside their learned envelope in every mode: the response
problem is the datacenter block (deferrable share, throughput curve on its fitted range, the
card's delay — e.g. Emerald AI's field-tested 25–31 % for about 3 h — and its ramps).

Outputs: adequacy.csv (mode, zone, unserved_energy_mwh, loss_of_load_hours, min_reserve_margin,
reserve_shortfall_mwh, curtailment_mwh, datacenter_curtailed_mwh), stress_summary.csv (one row per
mode: cost, CO2, data-center CO2, unserved energy, iterations, converged), switches.csv (auto),
and per mode loop_<mode>.csv and loop_<mode>_schedule.csv.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from planning.config.scenario import Scenario
from planning.metrics.adequacy import ADEQUACY_COLUMNS, adequacy_table
from planning.workflows.signal_response import LoopResult, prepare_inputs, run_loop, schedule_table

MODES = ("emissions_first", "stability_first", "auto")


def mode_signal(scenario: Scenario, mode: str) -> str:
    """The signal kind of a stress mode."""
    if mode == "emissions_first":
        return scenario.stress.emissions_signal
    if mode == "stability_first":
        return "stability"
    if mode == "auto":
        return "auto"
    raise ValueError(f"unknown stress mode '{mode}' (one of {', '.join(MODES)})")


def run_modes(scenario: Scenario, inputs, modes=MODES, step: Callable[[str], None] = lambda message: None) -> dict[str, LoopResult]:
    """One signal-response loop per mode on the same (stressed, fixed-capacity) inputs."""
    loops = {}
    for mode in modes:
        loops[mode] = run_loop(scenario, inputs, mode_signal(scenario, mode), step=lambda message, m=mode: step(f"{m}: {message}"), compare=False)
    return loops


def stress_tables(scenario: Scenario, inputs, loops: dict[str, LoopResult]) -> dict[str, pd.DataFrame]:
    """adequacy.csv, stress_summary.csv, switches.csv and the per-mode loop tables."""
    threshold = scenario.stress.reserve_threshold_fraction
    adequacy, summary, tables = [], [], {}
    for mode, loop in loops.items():
        frame = adequacy_table(loop.final.results, inputs, threshold)
        frame.insert(0, "mode", mode)
        adequacy.append(frame)
        last = loop.table.iloc[-1]
        summary.append({"mode": mode, "signal": loop.signal_kind, "total_cost": last["total_cost"], "co2_t": last["co2_t"],
                        "datacenter_co2_t": last["datacenter_co2_t"], "unserved_energy_mwh": last["unserved_energy_mwh"],
                        "shifted_mwh": last["shifted_mwh"], "stressed_hours": last["stressed_hours"],
                        "iterations": int(last["iteration"]) + 1, "converged": bool(last["converged"])})
        tables[f"loop_{mode}"] = loop.table
        tables[f"loop_{mode}_schedule"] = schedule_table(loop, inputs)
        if mode == "auto":
            tables["switches"] = loop.switches
    tables["adequacy"] = pd.concat(adequacy, ignore_index=True)[["mode", *ADEQUACY_COLUMNS]]
    tables["stress_summary"] = pd.DataFrame(summary)
    return tables


def write_stress(scenario: Scenario, out_dir: Path, capacities: Path | None = None, modes=MODES,
                 step: Callable[[str], None] = lambda message: None) -> tuple[dict[str, pd.DataFrame], Path]:
    """``planning stress``: run every mode and write the tables atomically."""
    from planning.io.writers import atomic_folder, write_tables
    from planning.workflows.run import resolved_scenario_yaml

    inputs = prepare_inputs(scenario, capacities)
    loops = run_modes(scenario, inputs, modes, step=step)
    tables = stress_tables(scenario, inputs, loops)
    with atomic_folder(out_dir) as staging:
        write_tables(staging, tables)
        (staging / "scenario.resolved.yaml").write_text(resolved_scenario_yaml(scenario), encoding="utf-8")
    return tables, Path(out_dir).resolve()
