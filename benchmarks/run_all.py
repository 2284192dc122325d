"""Run the benchmark suite and collect its CSVs into one table.

    python benchmarks/run_all.py                 # every benchmark, full size (long: tens of minutes)
    python benchmarks/run_all.py --quick         # short horizons, one repeat (a few minutes)
    python benchmarks/run_all.py --only pypsa datacenter
    python benchmarks/run_all.py --collect-only  # no runs: summarise the CSVs already there

Benchmarks (each a script in this folder, run as a subprocess, skipped when absent):

=========== ===================== ===========================================================
name        script                what
=========== ===================== ===========================================================
pypsa       bench_pypsa.py        identical LP in this project and in PyPSA: wall time, ratio,
                                  objective agreement; horizon scaling 168 → 2190 → 8760 h
datacenter  bench_datacenter.py   overhead of the learned data-center block (cuts, binaries)
                                  against the inflexible campus and the block-free model
periods     bench_periods.py      representative periods vs the full year: cost error, speed-up
scaling     bench_scaling.py      ISO-NE split into 1, 2, 4, 8 zones on a ring: time growth, objective check
translation bench_translation.py  Pyomo → HiGHS: standard-form matrix vs appsi persistent vs LP file
uc          bench_uc.py           clustered-UC MILP: time to gap, linear vs integer commitment
headline    bench_headline.py     README headline figures: main example end to end (time), full-year
                                  campus twins and headroom (value of flexibility, capacity, CO2)
stress      bench_stress.py       the stress example end to end (plan, then each signal mode): event and
                                  annualised shedding, convergence per mode
time        bench_time_alignment.py  full-year example with the EIA-930 rows read hour-ending (as bundled) vs
                                  the old hour-beginning reading: objective, CO2, new capacity
startup     bench_startup.py      `planning --help` and `planning validate` (full year) as fresh processes:
                                  median wall and CPU, machine load, import breakdown
stochastic  bench_stochastic.py   three-future stochastic LP in this project and in PyPSA (set_scenarios,
                                  CVaR): objective agreement, CPU and wall ratio
=========== ===================== ===========================================================

Each script writes its own CSV; this one reads them and writes ``summary.csv`` (one row per
benchmark case, the same columns for all) into the output folder — ``benchmarks/results/`` for a
full run, ``benchmarks/results/quick/`` with ``--quick`` — and prints it. Columns:

benchmark, case
    which script and which of its cases (horizon, variant, setting).
time_s
    this project's end-to-end wall time for the case (s).
reference_s, ratio
    the reference's time (PyPSA; the inflexible campus; the full year) and time_s / reference_s.
objective, accuracy, accuracy_metric
    the objective, and how close it is to the reference (``objective_rel_diff`` vs PyPSA,
    ``cost_error_pct`` vs the full year, ``mip_gap`` for UC).
status, date, machine
    solver status (or why the benchmark failed), when and where it ran.

In ``--quick`` mode the scripts that always write to ``benchmarks/results/`` (bench_periods.py,
bench_uc.py) have their outputs moved to ``results/quick/`` and the full-size files they replaced
restored, so a quick check never overwrites the latest full figures. Each script's output is
kept in ``<out>/logs/<name>.log``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
COLUMNS = ["benchmark", "case", "time_s", "reference_s", "ratio", "objective", "accuracy", "accuracy_metric", "status", "date", "machine"]


@dataclass
class Benchmark:
    name: str
    script: str
    csv: str
    #: arguments for a full and a quick run; "{out}" is replaced by the output folder
    full: list[str] = field(default_factory=list)
    quick: list[str] = field(default_factory=list)
    #: files the script writes into benchmarks/results/ whatever its arguments (moved in --quick)
    fixed_outputs: list[str] = field(default_factory=list)


BENCHMARKS = [
    Benchmark("pypsa", "bench_pypsa.py", "pypsa_comparison.csv",
              full=["--out", "{out}/pypsa_comparison.csv"],
              quick=["--repeats", "1", "--hours", "168", "--out", "{out}/pypsa_comparison.csv"]),
    Benchmark("datacenter", "bench_datacenter.py", "datacenter_overhead.csv",
              full=["--out", "{out}/datacenter_overhead.csv"],
              quick=["--repeats", "1", "--hours", "168", "--out", "{out}/datacenter_overhead.csv"]),
    Benchmark("periods", "bench_periods.py", "bench_periods.csv",
              quick=["--scenario", str(ROOT / "scenarios" / "isone_week.yaml"), "--days", "4", "--representations", "medoid"],
              fixed_outputs=["bench_periods.csv"]),
    Benchmark("scaling", "bench_scaling.py", "scaling.csv",
              full=["--out", "{out}/scaling.csv"],
              quick=["--repeats", "1", "--hours", "168", "--zones", "1", "2", "4", "--out", "{out}/scaling.csv"]),
    Benchmark("translation", "bench_translation.py", "translation.csv",
              full=["--out", "{out}/translation.csv"],
              quick=["--repeats", "1", "--hours", "168", "--out", "{out}/translation.csv"]),
    Benchmark("uc", "bench_uc.py", "bench_uc.csv",
              # bench_uc.py has no horizon option: quick = the 12-representative-day integer case only
              quick=["--cases", "rp12-integer", "--time-limit", "60"],
              fixed_outputs=["bench_uc.csv", "bench_uc_linear.log", "bench_uc_integer.log", "bench_uc_rp12-integer.log"]),
    Benchmark("headline", "bench_headline.py", "headline.csv",
              full=["--out", "{out}/headline.csv"],
              quick=["--cases", "main", "--out", "{out}/headline.csv"]),
    Benchmark("stress", "bench_stress.py", "stress_main_example.csv",
              full=["--out", "{out}/stress_main_example.csv"],
              quick=["--modes", "auto", "--out", "{out}/stress_main_example.csv"]),
    Benchmark("time", "bench_time_alignment.py", "time_alignment.csv",
              full=["--out", "{out}/time_alignment.csv"],
              quick=["--hours", "168", "--out", "{out}/time_alignment.csv"]),
    Benchmark("startup", "bench_startup.py", "startup.csv",
              full=["--out", "{out}/startup.csv"],
              quick=["--repeats", "3", "--out", "{out}/startup.csv"]),
    Benchmark("stochastic", "bench_stochastic.py", "stochastic_comparison.csv",
              full=["--out", "{out}/stochastic_comparison.csv"],
              quick=["--repeats", "1", "--hours", "48", "--out", "{out}/stochastic_comparison.csv"]),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


# ------------------------------------------------------------------------------- running ---

def run_benchmark(bench: Benchmark, out: Path, quick: bool, timeout: float | None) -> str:
    """Run one script; return 'ok' or why it failed."""
    script = HERE / bench.script
    arguments = [a.replace("{out}", str(out)) for a in (bench.quick if quick else bench.full)]
    moved = quick and out.resolve() != RESULTS.resolve()
    saved = {name: (RESULTS / name).read_bytes() for name in bench.fixed_outputs if moved and (RESULTS / name).is_file()}
    before = {name: (RESULTS / name).stat().st_mtime_ns for name in saved}
    log = out / "logs" / f"{bench.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(script), *arguments]
    print(f"[{bench.name}] {' '.join(command[1:])}", flush=True)
    start = time.perf_counter()
    try:
        with open(log, "w", encoding="utf-8") as handle:
            completed = subprocess.run(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, timeout=timeout)
        status = "ok" if completed.returncode == 0 else f"failed (exit {completed.returncode}; see {log})"
    except subprocess.TimeoutExpired:
        status = f"failed (timed out after {timeout:g} s; see {log})"
    finally:
        if moved:
            for name in bench.fixed_outputs:
                path = RESULTS / name
                if not path.is_file() or (name in saved and path.stat().st_mtime_ns == before[name]):
                    continue
                shutil.move(str(path), str(out / name))
                if name in saved:
                    path.write_bytes(saved[name])
    print(f"[{bench.name}] {status} in {time.perf_counter() - start:.0f} s", flush=True)
    return status


# ------------------------------------------------------------------------------ collecting ---

def _get(row: pd.Series, name: str, default=float("nan")):
    value = row.get(name, default)
    return default if value is None else value


def collect(bench: Benchmark, out: Path) -> list[dict]:
    """The summary rows of one benchmark's CSV (empty when it has none)."""
    path = out / bench.csv
    if not path.is_file():
        return []
    frame = pd.read_csv(path)
    date = pd.Timestamp(path.stat().st_mtime, unit="s").strftime("%Y-%m-%dT%H:%M")
    rows = []
    if bench.name == "pypsa":
        for _, row in frame.iterrows():
            rows.append({"case": f"{int(row['hours'])} h", "time_s": row["ours_total_s"], "reference_s": row["pypsa_total_s"],
                         "objective": row["ours_objective"], "accuracy": row["objective_rel_diff"],
                         "accuracy_metric": "objective rel. diff vs PyPSA", "status": f"{row['ours_status']} / PyPSA {row['pypsa_status']}",
                         "date": _get(row, "date", date)})
    elif bench.name == "datacenter":
        frame = frame.set_index("variant") if "variant" in frame else frame
        reference = frame.loc["inflexible", "total_s"] if "inflexible" in frame.index else float("nan")
        for variant, row in frame.iterrows():
            rows.append({"case": f"{variant}, {int(row['hours'])} h", "time_s": row["total_s"], "reference_s": reference,
                         "objective": row["objective"], "accuracy": row.get("mip_gap"), "accuracy_metric": "MIP gap (reference: inflexible campus)",
                         "status": row["status"], "date": date})
    elif bench.name == "periods":
        full = frame.loc[frame["setting"] == "full year", "wall_s"]
        reference = float(full.iloc[0]) if len(full) else float("nan")
        for _, row in frame.iterrows():
            rows.append({"case": row["setting"], "time_s": row["wall_s"], "reference_s": reference, "objective": row["objective"],
                         "accuracy": row["cost_error_pct"], "accuracy_metric": "cost error vs full year (%)", "status": "", "date": date})
    elif bench.name == "scaling":
        for _, row in frame.iterrows():
            one = frame[(frame.zones == 1) & (frame.hours == row["hours"])]["total_s"]
            rows.append({"case": f"{int(row['zones'])} zones, {int(row['hours'])} h", "time_s": row["total_s"],
                         "reference_s": float(one.iloc[0]) if len(one) else float("nan"), "objective": row["objective"],
                         "accuracy": row.get("objective_vs_one_zone"), "accuracy_metric": "objective rel. diff vs 1 zone (reference: 1 zone)",
                         "status": row["status"], "date": date})
    elif bench.name == "translation":
        frame = frame.set_index("method")
        reference = frame.loc["standard_form", "translate_s"] if "standard_form" in frame.index else float("nan")
        for method, row in frame.iterrows():
            rows.append({"case": f"{method}, {int(row['hours'])} h (translate only)", "time_s": row["translate_s"], "reference_s": reference,
                         "objective": row["objective"], "accuracy": row["objective_rel_diff"],
                         "accuracy_metric": "objective rel. diff vs standard form (reference: ours)", "status": "", "date": date})
    elif bench.name == "uc":
        for _, row in frame.iterrows():
            extra = "; ".join(f"{k} {row[k]:.0f}" for k in ("t_gap_0.5pct_s", "t_gap_0.1pct_s") if k in row and pd.notna(row[k]))
            rows.append({"case": row["case"], "time_s": row["wall_s"], "reference_s": float("nan"), "objective": row["objective"],
                         "accuracy": row["mip_gap"], "accuracy_metric": "MIP gap" + (f" ({extra})" if extra else ""),
                         "status": row["status"], "date": date})
    elif bench.name == "headline":
        for _, row in frame[frame.twin == "learned"].iterrows():
            rows.append({"case": f"{row['case']} ({row['sample']}), learned twin", "time_s": row["wall_s"], "reference_s": float("nan"),
                         "objective": row["total_cost"], "accuracy": row.get("mip_gap"), "accuracy_metric": "MIP gap (time: all twins, CPU "
                         f"{row['cpu_s']:.0f} s, load {row['load_before']:.1f})", "status": "", "date": _get(row, "date", date)})
    elif bench.name == "stress":
        for _, row in frame.iterrows():
            rows.append({"case": f"{row['mode']} ({'converged' if row['converged'] else 'NOT converged'})", "time_s": row["stress_s"],
                         "reference_s": row["run_s"], "objective": row["total_cost"], "accuracy": row["relative_gap"],
                         "accuracy_metric": "loop relative gap (reference: the planning run)",
                         "status": f"event unserved {row['event_unserved_energy_mwh']:,.0f} MWh", "date": _get(row, "date", date)})
    elif bench.name == "time":
        old_reading = frame.loc[frame["case"] == "hour_beginning", "total_s"]
        for _, row in frame.iterrows():
            rows.append({"case": f"{row['case']}, {int(row['hours'])} h", "time_s": row["total_s"],
                         "reference_s": float(old_reading.iloc[0]) if len(old_reading) else float("nan"), "objective": row["objective"],
                         "accuracy": row["objective_change_vs_hour_beginning"],
                         "accuracy_metric": "objective change vs the old hour-beginning reading (reference: that reading)",
                         "status": row["status"], "date": _get(row, "date", date)})
    elif bench.name == "startup":
        goals = {"planning --help": 1.0, "planning validate scenarios/isone_2030.yaml": 3.0}
        for _, row in frame.iterrows():
            rows.append({"case": row["case"], "time_s": row["median_wall_s"], "reference_s": goals.get(row["case"], float("nan")),
                         "objective": float("nan"), "accuracy": row["median_cpu_s"],
                         "accuracy_metric": "median CPU s of the process (reference: the goal in s)",
                         "status": f"load {row['load_1min_before']:.1f} on {int(row['cores'])} cores", "date": _get(row, "date", date)})
    for row in rows:
        row["benchmark"] = bench.name
        row["ratio"] = row["time_s"] / row["reference_s"] if pd.notna(row["reference_s"]) and row["reference_s"] else float("nan")
    return rows


def summarise(benchmarks: list[Benchmark], out: Path, statuses: dict[str, str]) -> pd.DataFrame:
    rows = []
    for bench in benchmarks:
        found = collect(bench, out)
        status = statuses.get(bench.name)
        if status and status != "ok":
            found.append({"benchmark": bench.name, "case": "(run)", "status": status})
        elif not found:
            found.append({"benchmark": bench.name, "case": "(none)", "status": f"no {bench.csv} in {out}"})
        rows += found
    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    frame["machine"] = machine()
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "summary.csv", index=False)
    return frame


def print_table(frame: pd.DataFrame) -> None:
    shown = frame.drop(columns=["machine"]).copy()
    for column in ("time_s", "reference_s"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
    shown["ratio"] = shown["ratio"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    shown["objective"] = shown["objective"].map(lambda v: "" if pd.isna(v) else f"{v:,.6g}")
    shown["accuracy"] = shown["accuracy"].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    with pd.option_context("display.max_colwidth", 60, "display.width", 250):
        print(shown.fillna("").to_string(index=False))
    print(f"machine: {frame['machine'].iloc[0] if len(frame) else machine()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short horizons and one repeat (writes to results/quick/)")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHMARKS], help="run these benchmarks only")
    parser.add_argument("--collect-only", action="store_true", help="do not run anything; summarise the CSVs already written")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default results/ or results/quick/)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per script (default: none; 1200 with --quick)")
    args = parser.parse_args(argv)
    out = (args.out or (RESULTS / "quick" if args.quick else RESULTS)).resolve()
    out.mkdir(parents=True, exist_ok=True)
    chosen = [b for b in BENCHMARKS if (not args.only or b.name in args.only) and (HERE / b.script).is_file()]
    missing = [b.name for b in BENCHMARKS if not (HERE / b.script).is_file()]
    if missing:
        print(f"not present, skipped: {', '.join(missing)}")
    others = sorted(path.name for path in HERE.glob("bench_*.py") if path.name not in {b.script for b in BENCHMARKS})
    if others:
        print(f"not in run_all's list (run them by hand, or add them to BENCHMARKS): {', '.join(others)}")
    statuses: dict[str, str] = {}
    if not args.collect_only:
        timeout = args.timeout if args.timeout is not None else (1200.0 if args.quick else None)
        for bench in chosen:
            statuses[bench.name] = run_benchmark(bench, out, args.quick, timeout)
    frame = summarise(chosen, out, statuses)
    print()
    print_table(frame)
    print(f"\nwritten {out / 'summary.csv'}")
    return 0 if all(status == "ok" for status in statuses.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
