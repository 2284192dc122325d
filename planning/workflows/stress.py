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

The fleet is fixed, so ``reserves.planning_reserve_margin`` (an investment rule) is not imposed: it
could only make the stressed grid infeasible; adequacy is measured instead (:func:`operating_inputs`).

The data centers' response stays inside their learned envelope in every mode: the response
problem is the datacenter block (deferrable share, throughput curve on its fitted range, the
card's delay — e.g. Emerald AI's field-tested 25–31 % for about 3 h — and its ramps).

Convergence and the reported iterate
------------------------------------
Each mode is a loop of its own, and its figures mean something only if the loop settled. Per mode
stress_summary.csv gives ``converged`` (the loop's own test, :class:`~planning.workflows.signal_response.LoopResult`:
the relative gap at most ``operations.loop.gap_tolerance_fraction``), ``iterations``, ``relative_gap``,
the trace in loop_<mode>.csv (one row per round), and the round whose figures are reported:
``reported_iteration`` (flagged ``reported`` in the trace) and ``reported_iterate`` saying which it is —
the loop's best round: for the stress signals the round with the smallest relative response gap (for
the price signal, the cheapest). Every figure of a mode (adequacy.csv, costs, emissions) is that
round's. A mode that did not converge keeps its figures, is marked ``converged = False`` in
adequacy.csv, stress_summary.csv, on the terminal and in the report, and gets no ``rank``: modes are
ranked (1 = best) by unserved energy, then loss-of-load hours, then total cost, among converged
modes only.

Event and annualised figures
----------------------------
Stress events are one-off, so each mode reports the event as an event — unserved energy and
loss-of-load hours during the event windows, unweighted (``event_*``) — next to the weighted
figures of the whole horizon (annual when the horizon is scaled to a year), with ``modelled_hours``
and ``represented_hours`` saying which (definitions: :mod:`planning.metrics.adequacy`).
``load_shed`` = 1 when any hour sheds load; ``planning stress --strict`` then exits with code 5.

Outputs: adequacy.csv (mode, converged, zone, event_hours, event_unserved_energy_mwh,
event_loss_of_load_hours, unserved_energy_mwh, loss_of_load_hours, min_reserve_margin,
reserve_shortfall_mwh, curtailment_mwh, datacenter_curtailed_mwh, modelled_hours,
represented_hours), stress_events.csv (mode, converged, event, first_snapshot, hours,
unserved_energy_mwh, loss_of_load_hours: each event on its own, unweighted),
stress_summary.csv (one row per mode, :data:`SUMMARY_COLUMNS`), switches.csv
(auto), and per mode loop_<mode>.csv (the iteration trace) and loop_<mode>_schedule.csv.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planning.config.scenario import Scenario
from planning.metrics.adequacy import ADEQUACY_COLUMNS, adequacy_table, event_hours_mask, event_table, shedding_figures
from planning.metrics.summary import horizon_text, shedding_text
from planning.workflows.signal_response import LoopResult, operating_inputs, prepare_inputs, run_loop, schedule_table

MODES = ("emissions_first", "stability_first", "auto")
SUMMARY_COLUMNS = ["mode", "signal", "converged", "rank", "iterations", "reported_iteration", "reported_iterate", "relative_gap",
                   "gap_tolerance_fraction", "max_schedule_change_mw", "event_hours", "event_unserved_energy_mwh", "event_loss_of_load_hours",
                   "modelled_unserved_energy_mwh", "modelled_loss_of_load_hours", "unserved_energy_mwh", "loss_of_load_hours", "load_shed",
                   "total_cost", "co2_t", "datacenter_co2_t", "shifted_mwh", "stressed_hours", "modelled_hours", "represented_hours"]


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
    """One signal-response loop per mode on the same stressed, fixed-capacity inputs (:func:`operating_inputs`)."""
    inputs = operating_inputs(inputs)
    loops = {}
    for mode in modes:
        loops[mode] = run_loop(scenario, inputs, mode_signal(scenario, mode), step=lambda message, m=mode: step(f"{m}: {message}"), compare=False)
    return loops


#: What the reported round is (:class:`~planning.workflows.signal_response.LoopResult`): for a price signal, and for the others.
REPORTED = {True: "cheapest round", False: "round with the smallest relative response gap"}


def rank_modes(summary: pd.DataFrame) -> pd.Series:
    """1 = best: fewest unserved MWh, then loss-of-load hours, then total cost (ties share a rank); NaN for unconverged modes."""
    ranks = pd.Series(np.nan, index=summary.index)
    converged = summary[summary["converged"].astype(bool)]
    if len(converged):
        keys = [tuple(np.round(values, 6)) for values in converged[["unserved_energy_mwh", "loss_of_load_hours", "total_cost"]].to_numpy(float)]
        ordered = sorted(keys)
        ranks.loc[converged.index] = [ordered.index(key) + 1 for key in keys]
    return ranks


def stress_tables(scenario: Scenario, inputs, loops: dict[str, LoopResult]) -> dict[str, pd.DataFrame]:
    """adequacy.csv, stress_summary.csv, switches.csv and the per-mode loop tables (see the module docstring)."""
    threshold = scenario.stress.reserve_threshold_fraction
    tolerance = scenario.operations.loop.gap_tolerance_fraction
    event = event_hours_mask(inputs)
    windows = [(f"{i}: {e.kind}", e.start_hour, e.duration_hours) for i, e in enumerate(scenario.stress.events)]
    adequacy, summary, events, tables = [], [], [], {}
    for mode, loop in loops.items():
        converged = bool(loop.converged)
        frame = adequacy_table(loop.final.results, inputs, threshold)
        frame.insert(0, "converged", converged)
        frame.insert(0, "mode", mode)
        adequacy.append(frame)
        per_event = event_table(loop.final.results, windows)
        per_event.insert(0, "converged", converged)
        per_event.insert(0, "mode", mode)
        events.append(per_event)
        row = loop.table.loc[loop.table["iteration"] == loop.reported_iteration].iloc[0]
        results = loop.final.results
        figures = shedding_figures(results["unserved_mw"].transpose("zone", "snapshot").values, results["weight_h"].values, event,
                                   float(results.attrs.get("snapshot_duration_h", 1)))
        summary.append({
            "mode": mode, "signal": loop.signal_kind, "converged": converged, "rank": np.nan, "iterations": len(loop.table),
            "reported_iteration": int(loop.reported_iteration), "reported_iterate": REPORTED[loop.signal_kind == "price"],
            "relative_gap": float(row["relative_gap"]), "gap_tolerance_fraction": tolerance,
            "max_schedule_change_mw": float(row["max_schedule_change_mw"]), **figures,
            **{key: float(row[key]) for key in ("total_cost", "co2_t", "datacenter_co2_t", "shifted_mwh", "stressed_hours")},
        })
        tables[f"loop_{mode}"] = loop.table
        tables[f"loop_{mode}_schedule"] = schedule_table(loop, inputs)
        if mode == "auto":
            tables["switches"] = loop.switches
    tables["adequacy"] = pd.concat(adequacy, ignore_index=True)[["mode", "converged", *ADEQUACY_COLUMNS]]
    tables["stress_events"] = pd.concat(events, ignore_index=True)
    frame = pd.DataFrame(summary)
    frame["rank"] = rank_modes(frame)
    tables["stress_summary"] = frame[SUMMARY_COLUMNS]
    return tables


def convergence_text(row: pd.Series, trace: pd.DataFrame) -> str:
    """One line per mode: converged or not, the relative gap per round, the reported round, the rank."""
    steps = [f"{value:,.3g}" for value in trace["relative_gap"]]
    if len(steps) > 6:
        steps = [*steps[:3], "…", *steps[-2:]]
    rounds = int(row["iterations"])
    rounds = f"{rounds} round{'s' if rounds != 1 else ''}"
    status = f"converged in {rounds}" if row["converged"] else f"NOT CONVERGED after {rounds}"
    ranked = f"rank {int(row['rank'])}" if np.isfinite(row["rank"]) else "not ranked (its figures are not a settled outcome)"
    return (f"{row['mode']}: {status} (relative gap per round {' → '.join(steps)}; tolerance {row['gap_tolerance_fraction']:g}); "
            f"reported: round {int(row['reported_iteration'])}, the {row['reported_iterate']}; {ranked}")


def stress_messages(tables: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """What the terminal and the report say: ``horizon`` (what the hours stand for), ``convergence`` (one line per mode),
    ``unconverged`` (modes that did not converge) and ``shedding`` (one 'mode — LOAD SHED: …' line per mode that sheds)."""
    summary = tables["stress_summary"]
    first = summary.iloc[0]
    weight = first["represented_hours"] / first["modelled_hours"] if first["modelled_hours"] else None
    horizon = horizon_text(first["modelled_hours"], first["represented_hours"], weight)
    return {
        "horizon": [horizon] if horizon else [],
        "convergence": [convergence_text(row, tables[f"loop_{row['mode']}"]) for _, row in summary.iterrows()],
        "unconverged": [str(mode) for mode, converged in zip(summary["mode"], summary["converged"]) if not converged],
        "shedding": [f"{row['mode']} — {shedding_text(row)}" for _, row in summary.iterrows() if row["load_shed"]],
    }


def display_tables(tables: dict[str, pd.DataFrame]) -> list[tuple[pd.DataFrame, str]]:
    """The terminal's view of stress_summary.csv and adequacy.csv: fewer columns, each labelled event (unweighted) or
    weighted (per year when the horizon is scaled to a year), convergence spelled out."""
    summary, adequacy = tables["stress_summary"], tables["adequacy"]
    scaled = bool((summary["represented_hours"] > summary["modelled_hours"] * (1 + 1e-9)).any())
    per = "/yr annualised" if scaled else " (modelled hours)"
    labels = {"event_unserved_energy_mwh": "event MWh unserved (unweighted)", "event_loss_of_load_hours": "event LOL h (unweighted)",
              "unserved_energy_mwh": f"MWh unserved{per}", "loss_of_load_hours": f"LOL h{per}", "min_reserve_margin": "min net margin",
              "total_cost": "total cost" + ("/yr" if scaled else ""), "datacenter_co2_t": "campus CO2 t" + ("/yr" if scaled else "")}
    marks = lambda frame: frame.assign(converged=["yes" if c else "NO" for c in frame["converged"]])  # noqa: E731
    modes = marks(summary).assign(rank=[str(int(r)) if np.isfinite(r) else "not ranked" for r in summary["rank"]])
    modes = modes[["mode", "converged", "rank", "event_unserved_energy_mwh", "event_loss_of_load_hours", "unserved_energy_mwh", "loss_of_load_hours", "total_cost", "datacenter_co2_t"]]
    zones = marks(adequacy)[["mode", "converged", "zone", "event_unserved_energy_mwh", "event_loss_of_load_hours", "unserved_energy_mwh",
                             "loss_of_load_hours", "min_reserve_margin"]]
    return [(modes.rename(columns=labels), "signal modes (stress_summary.csv)"), (zones.rename(columns=labels), "adequacy by mode and zone (adequacy.csv)")]


def write_stress(scenario: Scenario, out_dir: Path, capacities: Path | None = None, modes=MODES,
                 step: Callable[[str], None] = lambda message: None) -> tuple[dict[str, pd.DataFrame], Path]:
    """``planning stress``: run every mode and write the tables atomically."""
    from planning.io.writers import atomic_folder, write_tables
    from planning.workflows.run import resolved_scenario_yaml

    inputs = operating_inputs(prepare_inputs(scenario, capacities))
    loops = run_modes(scenario, inputs, modes, step=step)
    tables = stress_tables(scenario, inputs, loops)
    with atomic_folder(out_dir) as staging:
        write_tables(staging, tables)
        (staging / "scenario.resolved.yaml").write_text(resolved_scenario_yaml(scenario), encoding="utf-8")
    return tables, Path(out_dir).resolve()
