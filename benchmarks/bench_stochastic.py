"""Benchmark: this project's two-stage stochastic plan vs the identical problem in PyPSA (``n.set_scenarios``).

    python benchmarks/bench_stochastic.py [--hours 168] [--repeats 3] [--cvar-weight 0 0.5]
                                          [--out benchmarks/results/stochastic_comparison.csv]
    python benchmarks/bench_stochastic.py --example     # the README's figures of scenarios/isone_datacenter_futures.yaml

``--example`` runs ``planning run scenarios/isone_datacenter_futures.yaml`` in a fresh process and prints its
RP, EV, EEV, WS, EVPI, VSS and each future's cost (summary.csv, futures.csv) with the wall and CPU time and load.

The problem: ``scenarios/isone_week.yaml`` (the real ISO-NE fleet, one zone, an LP: no unit commitment, no
data center — the scope of :mod:`pypsa_equivalent`) over its first ``--hours`` hours, storage cyclic over
the horizon, with three futures (:data:`FUTURES`): gas price and demand differ; investments are shared.

Ours: :func:`planning.workflows.stochastic.solve_stochastic` (value of information off): build (every
future's sub-model + non-anticipativity + the risk block), translate, HiGHS.
PyPSA: each future's inputs (the same Datasets ours solves) → :func:`pypsa_equivalent.build_network`; the
first future's network gets ``n.set_scenarios(probabilities)`` and every other future's per-scenario
data (generator marginal cost and availability, load, the unserved-energy generator's size); every other
attribute is checked to be equal across the futures (else the problems would differ); with
``--cvar-weight`` λ > 0, ``n.set_risk_preference(alpha, omega=λ)``; then ``n.optimize`` with the same
HiGHS options (:func:`pypsa_equivalent.highs_options` of the scenario's ``solver:`` section). Objectives compared to 1e-6 (relative).

Each repeat runs both in this process, alternating which goes first; the figures are medians over the
repeats of wall and CPU seconds (build → solution loaded), the ratio ours/PyPSA of the medians, the
1-minute load average before each repeat, and the relative objective difference.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

SCENARIO = ROOT / "scenarios" / "isone_week.yaml"
#: The futures: name → (probability, natural-gas price $/MMBtu, demand scale).
FUTURES = {"reference": (0.5, 3.5, 1.0), "dear_gas_high_load": (0.3, 5.0, 1.05), "cheap_gas_low_load": (0.2, 2.5, 0.95)}
CVAR_ALPHA = 0.8


def scenario_with_futures(hours: int, cvar_weight: float):
    from planning.config import load_scenario

    sets = [f"horizon.hours={hours}", "horizon.storage_cycle=horizon", "solver.threads=1", "solver.method=choose",
            "solver.presolve=true", "solver.time_limit_s=600", "stochastic.value_of_information=false",
            f"stochastic.cvar_alpha={CVAR_ALPHA}", f"stochastic.cvar_weight={cvar_weight}"]
    for name, (p, gas, scale) in FUTURES.items():
        sets += [f"futures.{name}.probability={p}", f"futures.{name}.fuels.natural_gas.price_per_mmbtu={gas}",
                 f"futures.{name}.zones.isone.demand_scale={scale}"]
    return load_scenario(SCENARIO, sets)


def ours(scenario, loaded) -> tuple[float, float, float]:
    """(objective, wall s, CPU s) of our stochastic solve from the futures' loaded inputs (both tools start from them)."""
    from planning.workflows.stochastic import solve_stochastic

    wall, cpu = time.perf_counter(), time.process_time()
    solution = solve_stochastic(scenario, loaded=loaded)
    return solution.objective, time.perf_counter() - wall, time.process_time() - cpu


def pypsa_network(inputs_by_future: dict, probability: dict, cvar_weight: float):
    """The stochastic PyPSA network of the futures' inputs, and our objective offset (first stage: equal in every future)."""
    import numpy as np
    from pypsa_equivalent import build_network

    models = {name: build_network(inputs) for name, inputs in inputs_by_future.items()}
    names = list(models)
    base = models[names[0]]
    offsets = {round(m.objective_offset, 6) for m in models.values()}
    if len(offsets) != 1:
        raise NotImplementedError(f"the futures' first-stage offsets differ ({offsets}): not one investment problem")
    varying_static = {"Generator": ["marginal_cost", "p_nom"]}
    varying_dynamic = {"Generator": ["p_max_pu"], "Load": ["p_set"]}
    for name in names[1:]:   # everything else must be the same in every future
        for component in ("Generator", "Load", "Store", "Link", "Bus"):
            a, b = base.network.c[component].static, models[name].network.c[component].static
            columns = [c for c in a.columns if c not in varying_static.get(component, []) and a[c].dtype.kind in "fib"]
            if not np.allclose(a[columns].to_numpy(float), b[columns].to_numpy(float), equal_nan=True):
                raise NotImplementedError(f"future {name}: {component} data beyond {varying_static.get(component)} differ")
    # Each future's own data, read before the base network becomes stochastic (its tables then gain a scenario level).
    static_data = {name: {(c, a): models[name].network.c[c].static[a].copy() for c, attrs in varying_static.items() for a in attrs} for name in names}
    dynamic_data = {name: {(c, a): models[name].network.c[c].dynamic[a].copy() for c, attrs in varying_dynamic.items() for a in attrs} for name in names}
    n = base.network
    n.set_scenarios({name: probability[name] for name in names})
    for name in names:
        for (component, attribute), values in static_data[name].items():
            static = n.c[component].static
            for item, value in values.items():
                static.loc[(name, item), attribute] = value
        for (component, attribute), source in dynamic_data[name].items():
            frame = n.c[component].dynamic[attribute]
            for column in source.columns:
                frame.loc[:, (name, column)] = source[column].to_numpy()
    if cvar_weight > 0:
        n.set_risk_preference(alpha=CVAR_ALPHA, omega=cvar_weight)
    return base


def pypsa_solve(inputs_by_future: dict, probability: dict, cvar_weight: float, solver=None) -> tuple[float, float, float]:
    """(objective comparable to ours, wall s, CPU s) of PyPSA: network, linopy model, HiGHS, solution loaded."""
    from pypsa_equivalent import optimize

    wall, cpu = time.perf_counter(), time.process_time()
    model = pypsa_network(inputs_by_future, probability, cvar_weight)
    status, condition, objective = optimize(model, solver=solver)   # the HiGHS options of our scenario's solver: section
    if status != "ok":
        raise RuntimeError(f"PyPSA: {status} {condition}")
    return objective, time.perf_counter() - wall, time.process_time() - cpu


def example() -> int:
    """The example's figures (see the module docstring)."""
    import tempfile

    import pandas as pd
    from planning_process import run_planning

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "futures"
        measured = run_planning(["run", "scenarios/isone_datacenter_futures.yaml", "--out", str(out), "--quiet"])
        summary = pd.read_csv(out / "summary.csv").set_index("metric")
        futures = pd.read_csv(out / "futures.csv")
    for metric in ("rp_cost", "ev_cost", "eev_cost", "ws_cost", "evpi", "vss", "expected_cost", "cvar_cost"):
        print(f"{metric:>14}: {summary.loc[metric, 'value'] / 1e6:12.3f} M ({summary.loc[metric, 'unit']})")
    print(futures.to_string(index=False))
    print(f"planning run: wall {measured['wall_s']:.1f} s, CPU {measured['cpu_s']:.1f} s, load {measured['load_before']:.1f} → "
          f"{measured['load_after']:.1f} ({os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d', time.gmtime())})")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=int, default=168)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cvar-weight", type=float, nargs="+", default=[0.0, 0.5])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "stochastic_comparison.csv")
    parser.add_argument("--example", action="store_true", help="Run the example scenario instead (the README's figures).")
    args = parser.parse_args(argv)
    if args.example:
        return example()

    import logging

    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    import warnings

    warnings.simplefilter("ignore")
    import highspy  # noqa: F401 - imports outside the timed runs (the first call of each tool would pay them)
    import linopy  # noqa: F401
    import pyomo.environ  # noqa: F401
    import pypsa  # noqa: F401

    from planning.workflows.stochastic import load_futures

    rows = []
    for weight in args.cvar_weight:
        scenario = scenario_with_futures(args.hours, weight)
        scenarios, inputs_by_future, problems = load_futures(scenario)
        if problems:
            raise SystemExit("\n".join(problems))
        probability = {name: future.probability for name, future in scenario.futures.items()}
        runs = {"ours": [], "pypsa": []}
        loads = []
        for repeat in range(args.repeats):
            loads.append(os.getloadavg()[0])
            order = ("ours", "pypsa") if repeat % 2 == 0 else ("pypsa", "ours")
            for tool in order:
                runs[tool].append(ours(scenario, (scenarios, inputs_by_future)) if tool == "ours" else pypsa_solve(inputs_by_future, probability, weight, scenario.solver))
        objective_ours, objective_pypsa = runs["ours"][0][0], runs["pypsa"][0][0]
        median = {tool: (statistics.median(r[1] for r in runs[tool]), statistics.median(r[2] for r in runs[tool])) for tool in runs}
        row = {
            "hours": args.hours, "futures": len(FUTURES), "cvar_alpha": CVAR_ALPHA, "cvar_weight": weight,
            "objective_ours": objective_ours, "objective_pypsa": objective_pypsa,
            "relative_difference": abs(objective_ours - objective_pypsa) / abs(objective_pypsa),
            "wall_ours_s": median["ours"][0], "wall_pypsa_s": median["pypsa"][0], "wall_ratio": median["ours"][0] / median["pypsa"][0],
            "cpu_ours_s": median["ours"][1], "cpu_pypsa_s": median["pypsa"][1], "cpu_ratio": median["ours"][1] / median["pypsa"][1],
            "repeats": args.repeats, "loadavg_1m": f"{min(loads):.1f}-{max(loads):.1f}", "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d", time.gmtime()), "python": platform.python_version(),
        }
        rows.append(row)
        print(f"λ={weight:g}: objective ours {objective_ours:.10g}, PyPSA {objective_pypsa:.10g} (relative difference "
              f"{row['relative_difference']:.2e}); wall {row['wall_ours_s']:.2f} s vs {row['wall_pypsa_s']:.2f} s "
              f"(ratio {row['wall_ratio']:.2f}), CPU {row['cpu_ours_s']:.2f} s vs {row['cpu_pypsa_s']:.2f} s (ratio {row['cpu_ratio']:.2f}); "
              f"load {row['loadavg_1m']}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"written {args.out}")
    return 0 if all(r["relative_difference"] <= 1e-6 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
