"""DC power flow: the two formulations of Kirchhoff's voltage law against each other, against the
transport model, and against PyPSA's linear optimal power flow on the same network.

    python benchmarks/bench_power_flow.py [--repeats 3] [--no-pypsa] [--set key=value ...]

Scenario: ``scenarios/isone_three_zones_dcpf.yaml`` (three ISO-NE zones in a loop of AC lines), with
``horizon.storage_cycle=horizon`` (the scope of :mod:`pypsa_equivalent`) and two cases:

* ``as shipped`` — the example;
* ``tight loop`` — north_east 500 MW and north_west 200 MW, 2,500 MW of nuclear in the north: the
  north's cheap surplus meets the loop's limits, so Kirchhoff's voltage law changes the optimum.

For each case and network model (``cycles``, ``ptdf``, ``transport``: the three corridors without
reactances) it builds and solves the model ``--repeats`` times and reports the objective, the number
of Kirchhoff rows and of rows/nonzeros of the LP, HiGHS' simplex iterations, and the median CPU time
(process time) of build + translation + solve; the 1-minute load average is printed next to them.
With PyPSA installed (``pip install -e ".[bench]"``), the same inputs are rebuilt in PyPSA
(:func:`pypsa_equivalent.build_network` without the corridors, then one ``Line`` per AC corridor with
``x`` = our per-unit reactance and ``s_nom`` extendable up to existing + max_new, one lossless ``Link``
per transport corridor) and solved with ``n.optimize`` (PyPSA's own Kirchhoff formulation); its
objective (+ the offset for the existing capacity of extendable lines, whose capital cost PyPSA
counts) is compared with ours.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SCENARIO = ROOT / "scenarios" / "isone_three_zones_dcpf.yaml"
BASE_SETS = ["horizon.storage_cycle=horizon"]
CASES = {
    "as shipped": [],
    "tight loop": ["transmission.north_east.existing_mw=500", "transmission.north_west.existing_mw=200",
                   "plants.north_nuclear.existing_mw=2500"],
}
TRANSPORT_SETS = [f"transmission.{line}.{key}" for line in ("north_east", "north_west", "west_east")
                  for key in ("model=transport", "reactance_ohm=null", "voltage_kv=null")]


def solve_ours(sets: list[str]) -> dict:
    from planning.config import load_scenario
    from planning.io.inputs import load_inputs
    from planning.optimization.build import build_model
    from planning.optimization.solve import solve_model

    scenario = load_scenario(SCENARIO, sets)
    inputs = load_inputs(scenario)
    start = time.process_time()
    built = build_model(inputs)
    solved = solve_model(built.model, scenario.solver)
    cpu_s = time.process_time() - start
    model = built.model
    kirchhoff = len(model.kirchhoff_voltage_law) if hasattr(model, "kirchhoff_voltage_law") else 0
    info = solved.highs.getInfo() if solved.highs is not None else None
    flows = {(str(line), t): (model.flow_forward_mw[line, t].value or 0.0) - (model.flow_backward_mw[line, t].value or 0.0)
             for line in model.LINES for t in built.ctx.snapshots}
    return {"objective": solved.objective, "status": solved.status, "kirchhoff_rows": kirchhoff, "rows": solved.num_rows,
            "columns": solved.num_cols, "iterations": getattr(info, "simplex_iteration_count", float("nan")), "cpu_s": cpu_s,
            "inputs": inputs, "flows": flows}


def solve_pypsa(inputs) -> float:
    import numpy as np
    import pypsa_equivalent as pe

    lines = [str(line) for line in inputs["line"].values]
    model = pe.build_network(inputs.isel(line=[]))
    n = model.network
    for line in lines:
        value = {key: inputs[key].sel(line=line).item() for key in (
            "line_from", "line_to", "line_existing_mw", "line_max_new_mw", "line_annual_cost_per_mw", "line_reactance_pu", "line_loss_fraction")}
        existing, new, cost = value["line_existing_mw"], value["line_max_new_mw"], value["line_annual_cost_per_mw"]
        extendable = new > 0
        common = dict(bus0=str(value["line_from"]), bus1=str(value["line_to"]))
        if np.isfinite(value["line_reactance_pu"]):
            n.add("Line", line, x=float(value["line_reactance_pu"]), r=0.0, s_nom=existing, s_nom_extendable=extendable,
                  s_nom_min=existing, s_nom_max=existing + new, capital_cost=cost if extendable else 0.0, **common)
        else:
            if value["line_loss_fraction"] > 0:
                raise NotImplementedError("lossy transport corridors: two unidirectional Links would be needed")
            n.add("Link", line, p_nom=existing, p_nom_extendable=extendable, p_nom_min=existing, p_nom_max=existing + new,
                  p_min_pu=-1.0, capital_cost=cost if extendable else 0.0, **common)
        if extendable:
            model.objective_offset -= cost * existing   # PyPSA charges capital cost on the whole extendable capacity
    status, condition, objective = pe.optimize(model)
    if status != "ok":
        raise RuntimeError(f"PyPSA: {status} {condition}")
    return objective


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-pypsa", action="store_true")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="extra key=value overrides for every run")
    args = parser.parse_args(argv)
    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.WARNING)
    print(f"1-min load average at start: {os.getloadavg()[0]:.1f} (2 cores)")
    header = f"{'case':<12} {'model':<10} {'objective (USD/yr)':>20} {'KVL rows':>9} {'rows':>7} {'iterations':>10} {'CPU s (median)':>15}"
    print(header)
    for case, case_sets in CASES.items():
        reference = None
        for formulation in ("cycles", "ptdf", "transport"):
            sets = BASE_SETS + case_sets + args.sets + (TRANSPORT_SETS if formulation == "transport" else [f"power_flow.formulation={formulation}"])
            runs = [solve_ours(sets) for _ in range(args.repeats)]
            first = runs[0]
            print(f"{case:<12} {formulation:<10} {first['objective']:>20,.2f} {first['kirchhoff_rows']:>9} {first['rows']:>7} "
                  f"{first['iterations']:>10} {statistics.median(r['cpu_s'] for r in runs):>15.2f}   (load {os.getloadavg()[0]:.1f})")
            if formulation == "cycles":
                reference = first
            elif formulation == "ptdf":
                print(f"{'':<23} ptdf − cycles objective: {first['objective'] - reference['objective']:+.3e} "
                      f"(relative {(first['objective'] - reference['objective']) / reference['objective']:+.1e})")
        if not args.no_pypsa:
            try:
                objective = solve_pypsa(reference["inputs"])
            except ImportError as error:
                print(f"PyPSA not installed ({error}); pip install -e '.[bench]'")
                continue
            print(f"{case:<12} {'PyPSA':<10} {objective:>20,.2f}   PyPSA − ours (cycles): {objective - reference['objective']:+.3e} "
                  f"(relative {(objective - reference['objective']) / reference['objective']:+.1e})   (load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
