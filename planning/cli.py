"""The ``planning`` command line (typer). Thin: parse, call the library, print.

Errors in the user's input are printed one per line (red) and exit with a non-zero code,
without a traceback; ``--debug`` (before or after the command name) shows the traceback.

Exit codes: 0 done; 1 internal error; 2 invalid input (scenario, data, options); 3 no usable
solution; 4 some runs of a sweep did not solve; 5 load was shed and ``--strict`` was given
(``run``, ``loop``, ``stress``; the results are written).

Start-up: this module imports only typer/rich and the package's light modules; each command imports
what it needs (Pyomo, scikit-learn, matplotlib, Dask) when it runs, so ``planning --help`` and
``planning validate`` do not pay for them (``tests/cli/test_startup.py``, ``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from planning import __version__
from planning.errors import LoadShedError, PlanningError

EXIT_CODES = ("Exit codes: 0 done; 1 internal error (a bug: please report it with --debug); 2 invalid input (scenario, data, "
              "options, output folder); 3 no usable solution; 4 some runs of a sweep did not solve; 5 load was shed and "
              "--strict was given (results written).")
_EVERYWHERE = ("--debug",)
_AFTER_COMMAND = ("--verbose", "-v", "--quiet", "-q")


class _Group(TyperGroup):
    """Accepts ``--debug`` anywhere, and ``--verbose``/``--quiet`` before the command name as well as after it."""

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, hoist_options(list(args)))


def hoist_options(args: list[str]) -> list[str]:
    """``planning run x.yaml --debug`` → ``planning --debug run x.yaml``; ``planning -v run`` → ``planning run -v``."""
    end = args.index("--") if "--" in args else len(args)
    head, tail = args[:end], args[end:]
    front = [a for a in head if a in _EVERYWHERE]
    head = [a for a in head if a not in _EVERYWHERE]
    command = next((i for i, a in enumerate(head) if not a.startswith("-")), None)
    if command is not None:
        moved = [a for a in head[:command] if a in _AFTER_COMMAND]
        head = [a for a in head[:command] if a not in _AFTER_COMMAND] + [head[command]] + moved + head[command + 1:]
    return [*dict.fromkeys(front), *head, *tail]


app = typer.Typer(
    name="planning",
    cls=_Group,
    help="Capacity-expansion and unit-commitment planning with learned, flexible AI data-center load (Pyomo + HiGHS).",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)
_state = {"debug": False}

STRICT_HELP = ("Make load shedding an error: exit code 5 when unserved energy exceeds 0.001 MW in some hour (the results are "
               "written all the same).")

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", help="Override a scenario key, e.g. --set horizon.hours=24 (repeatable; value parsed as YAML)."),
]


def _print_version(value: bool) -> None:
    if value:
        print(f"planning {__version__}")
        raise typer.Exit(0)

VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Show debug messages (and HiGHS' own progress lines where a solve runs).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output path (warnings and errors still go to stderr).")]
# Where independent tasks run (planning.parallel.Executor): sweep runs, decomposed commitment windows.
SchedulerOption = Annotated[Optional[str], typer.Option("--scheduler", help="Address of a running Dask scheduler (tcp://host:8786); default: a local cluster. 'synchronous' runs in this process.")]
WorkersOption = Annotated[Optional[int], typer.Option("--workers", "-n", min=1, metavar="N", help="Worker processes of the local Dask cluster (one thread each); default 2 (a sweep file's cluster.workers).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing output folder (only one written by planning, never a file).")]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors (also accepted after the command).")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Plan generation, storage and transmission with flexible data-center load.

    Typical use: `planning validate scenarios/isone_week.yaml`, then `planning run scenarios/isone_week.yaml`.
    """
    _state["debug"] = debug


def _fail(error: BaseException) -> None:
    if _state["debug"]:
        raise error
    error = _as_planning_error(error)
    if isinstance(error, PlanningError):
        errors.print(f"[bold red]error:[/] {error.title} ({len(error.problems)} problem{'s' if len(error.problems) != 1 else ''})", highlight=False, soft_wrap=True)
        for problem in error.problems:
            errors.print(f"[red]  - {problem}[/]", highlight=False, markup=True, soft_wrap=True)
        raise typer.Exit(error.exit_code)
    errors.print(f"[bold red]internal error:[/] {type(error).__name__}: {error} (run with --debug for the traceback)", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _as_planning_error(error: BaseException) -> BaseException:
    """A predictable condition (a path that cannot be written or read, a file that is not UTF-8) as an exit-2 error."""
    if isinstance(error, UnicodeDecodeError):
        return PlanningError([f"not UTF-8 text (byte {error.start}: {error.object[error.start:error.start + 1]!r}); save the file as UTF-8"],
                             title="invalid input")
    if isinstance(error, OSError) and getattr(error, "filename", None):
        return PlanningError([f"{error.filename}: {error.strerror or error}; check the path and its permissions"], title="cannot read or write a file")
    return error


def _check(problems: list[str], title: str = "cannot start") -> None:
    """Raise the problems found before any work (exit 2), all at once."""
    if problems:
        raise PlanningError(problems, title=title)


def _default_out(name: str, overrides: list[str] | None, suffix: str = "") -> Path:
    """results/<name><suffix>, and for ``--set`` variants their own folder: results/<name><suffix>--<key=value,...>."""
    import hashlib
    import re

    folder = f"{name}{suffix}"
    if overrides:
        text = ",".join(f"{item.partition('=')[0].split('.')[-1]}={item.partition('=')[2]}" for item in overrides)
        slug = re.sub(r"[^A-Za-z0-9=,._+-]+", "_", text).strip("_")
        if len(slug) > 60:
            slug = f"{slug[:48]}-{hashlib.sha256(' '.join(overrides).encode()).hexdigest()[:8]}"
        folder = f"{folder}--{slug}"
    return Path("results") / folder


def _warn_whole_lp(scenario, command: str) -> None:
    """``solver.temporal_decomposition`` serves ``planning run`` only: say so where a command solves its LPs whole."""
    if scenario.solver.temporal_decomposition is not None:
        from planning.logging import get_logger

        get_logger("cli").warning(
            "solver.temporal_decomposition is used by `planning run` only: `planning %s` solves each LP of the full "
            "horizon whole (a multi-zone full year can take hours); use representative periods for it (e.g. "
            "scenarios/eastern_us_2030_rep.yaml)", command)


def _out_problems(target: Path, force: bool, scenario=None) -> list[str]:
    """The output folder (and, with a scenario, the reporting lookups) checked before any solve."""
    from planning.io.writers import output_folder_problems

    problems = output_folder_problems(target, force)
    if scenario is not None:
        from planning.preflight import reporting_problems

        problems += reporting_problems(scenario)
    return problems


def _load(scenario: Path, overrides: list[str] | None):
    from planning.config import load_scenario

    return load_scenario(scenario, overrides or [])


@app.command()
def validate(
    scenario: ScenarioArg,
    set_: SetOption = None,
    build: Annotated[bool, typer.Option("--build", help="Also build the optimisation model and count its variables and constraints (imports Pyomo; seconds on a full year).")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also check that `planning run` could write this results folder (with --force: replace it).")] = None,
    force: ForceOption = False,
) -> None:
    """Check a scenario and every data file it names, without solving.

    Exit code 2 lists every problem found (key path, file, column), each with what to do.
    """
    try:
        from planning.io.inputs import load_inputs

        from planning.preflight import reporting_problems

        loaded = _load(scenario, set_)
        problems = reporting_problems(loaded)
        if out is not None:
            from planning.io.writers import output_folder_problems

            problems += output_folder_problems(out, force)
        if loaded.pathway is not None:   # each investment period's data (its overrides, its sited fleet), not the base year's
            from planning.workflows.pathway import load_periods

            periods, period_problems = load_periods(loaded)
            if period_problems:
                raise PlanningError([*period_problems, *problems], title="invalid scenario data")
            inputs = next(iter(periods.values()))
        elif loaded.futures:   # the scenario's own data files and each future's (futures: of a stochastic scenario), all at once
            from planning.workflows.stochastic import load_scenario_and_futures

            inputs, data_problems = load_scenario_and_futures(loaded)
            problems = [*data_problems, *problems]
        else:
            try:
                inputs = load_inputs(loaded)
            except PlanningError as error:
                raise PlanningError([*error.problems, *problems], title=error.title) from None
        _check(problems, title=f"invalid scenario {scenario}")
        built = None
        if build:
            from planning.optimization.build import build_model

            built = build_model(inputs)
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    counts = ""
    if built is not None:
        from pyomo.environ import Constraint, Var

        n_vars = sum(len(v) for v in built.model.component_objects(Var, active=True))
        n_cons = sum(len(c) for c in built.model.component_objects(Constraint, active=True))
        counts = f"; model {n_vars:,} variables, {n_cons:,} constraints (built in {built.build_s:.2f} s)"
    console.print(
        f"[green]ok[/]: scenario '{loaded.name}': {len(loaded.zones)} zone(s), {len(loaded.plants)} plant(s), "
        f"{len(loaded.transmission)} corridor(s), {loaded.horizon.hours} h{counts}",
        highlight=False,
    )


@app.command()
def run(
    scenario: ScenarioArg,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Results folder (default: results/<scenario name>, and results/<name>--<key=value,...> with --set).")] = None,
    set_: SetOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show HiGHS' own progress lines.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the results folder.")] = False,
    force: ForceOption = False,
    twins: Annotated[bool, typer.Option("--twins", help="Also solve the data centers' inflexible/learned/ideal twins and write value_of_flexibility.csv.")] = False,
    site_twins: Annotated[bool, typer.Option("--site-twins", help="Also solve the sited fleet's no/temporal/spatial/both flexibility twins (datacenter_sites) and write value_of_spatial_flexibility.csv and _zones.csv.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Solve a scenario and write its results (CSV, netCDF, resolved scenario, run record).

    --scheduler/--workers: where independent pieces of the model run (parallel commitment windows); started only if used.

    A run that sheds load says so (terminal, summary.csv's load_shed, the report).

    An existing results folder is not replaced without --force; nothing is written when the run fails.

    Exit codes: 2 invalid input, 3 no solution, 5 load was shed with --strict (results written).
    """
    log = _configure_logging(verbose, quiet)
    try:
        loaded = _load(scenario, set_)
        target = out if out is not None else _default_out(loaded.name, set_)
        _check(_out_problems(target, force, loaded))
        if loaded.pathway is not None:
            _check(["pathway: this scenario plans several investment periods; run it with `planning pathway` "
                    "(or remove pathway: to plan one year)"])
        if site_twins:
            from planning.workflows.spatial_twins import twin_problems

            _check(twin_problems(loaded))
        from contextlib import nullcontext

        from planning.parallel import Executor
        from planning.workflows.run import run_scenario

        cluster = Executor(scheduler, workers or 2) if scheduler is not None or workers is not None else nullcontext()
        with cluster:
            if quiet or verbose:
                # No spinner: its redraws would interleave with HiGHS' lines; the steps go to the log instead.
                outcome = run_scenario(loaded, target, scenario_file=scenario.resolve(), verbose=verbose, twins=twins, site_twins=site_twins,
                                       step=log.info)
            else:
                outcome = _run_with_status(False, lambda step: run_scenario(loaded, target, scenario_file=scenario.resolve(), step=step,
                                                                            twins=twins, site_twins=site_twins))
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    from planning.metrics.summary import shedding_label

    shed = shedding_label(outcome.summary)
    if quiet:
        print(outcome.out_dir)
        if shed and not strict:
            errors.print(f"[bold red]{shed}[/]", highlight=False, soft_wrap=True)
    else:
        _print_summary(outcome, shed_line=not strict)
    if strict and shed:
        _fail(LoadShedError([shed], title=f"load was shed (--strict); results kept in {outcome.out_dir}"))


@app.command()
def pathway(
    scenario: ScenarioArg,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Results folder (default: results/<scenario name>).")] = None,
    set_: SetOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show HiGHS' own progress lines.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the results folder.")] = False,
    force: ForceOption = False,
) -> None:
    """Solve a multi-period investment pathway (the scenario's pathway: section), perfect foresight or myopic.

    Writes the run's tables with a period column, pathway_periods.csv (years, discount factor, annual and
    discounted cost, CO2), pathway_builds.csv (what is built when and until when) and results.nc with a
    period dimension. Exit codes: 2 invalid input, 3 no solution.
    """
    log = _configure_logging(verbose, quiet)
    try:
        loaded = _load(scenario, set_)
        target = out if out is not None else _default_out(loaded.name, set_)
        _check(_out_problems(target, force, loaded))
        if loaded.pathway is None:
            _check(["pathway: the scenario has no pathway: section (investment periods); use `planning run` for one year"])
        from planning.workflows.pathway import solve_pathway, write_pathway

        def work(step):
            solution = solve_pathway(loaded, verbose=verbose, step=step)
            write_pathway(loaded, solution, target, scenario_file=scenario.resolve())
            return solution

        solution = work(log.info) if quiet or verbose else _run_with_status(False, work)
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    if quiet:
        print(Path(target).resolve())
        return
    from planning.formatting import format_number

    table = Table(title=f"pathway ({loaded.pathway.mode}): present value {format_number(solution.objective)} {loaded.economics.currency}")
    for column in ("period", "years", "discount factor", "annual cost", "discounted cost", "CO2 t/year"):
        table.add_column(column, justify="right")
    for row in solution.periods.itertuples(index=False):
        table.add_row(str(row.period), str(row.years), f"{row.discount_factor:.4f}", format_number(row.annual_cost),
                      format_number(row.discounted_cost), format_number(row.co2_t_per_year))
    console.print(table)
    console.print(f"results written to {Path(target).resolve()}", highlight=False)


def _print_summary(outcome, shed_line: bool = True) -> None:
    """The summary table, what the modelled hours stand for and, unless ``shed_line`` is False (``--strict`` reports it as
    the error), the LOAD SHED line."""
    from planning.formatting import format_number, label, value_parts
    from planning.metrics.summary import horizon_label, new_capacity_by_technology, shedding_label

    horizon = horizon_label(outcome.summary)
    if horizon:
        console.print(f"[bold]horizon:[/] {horizon}", highlight=False, soft_wrap=True)
    summary = outcome.summary.set_index("metric")
    table = Table(title=f"{outcome.results.attrs.get('scenario', '')}: summary", show_header=True)
    table.add_column("metric", overflow="fold", max_width=32)
    table.add_column("value", justify="right", overflow="fold")
    table.add_column("unit", overflow="fold", max_width=36)
    shown = ("total_cost", "investment_cost", "operating_cost", "co2_t", "unserved_energy_mwh", "loss_of_load_hours",
             "event_unserved_energy_mwh", "event_loss_of_load_hours", "curtailment_mwh", "demand_weighted_price_per_mwh",
             "mip_gap", "build_s", "translate_s", "solve_s")
    # A sample scaled to a year: each operating figure says by how much (investment is annualised, not scaled;
    # a NaN weight means representative periods, said in the horizon line).
    weight = summary["value"].get("snapshot_weight_h") if summary["value"].get("sample_scaled_to_year") == 1 else None
    scaled = {"operating_cost": "sample", "co2_t": "sample", "unserved_energy_mwh": "sample", "loss_of_load_hours": "sample",
              "curtailment_mwh": "sample", "total_cost": "operating part: sample"}
    for metric in shown:
        if metric in summary.index:
            text, unit = value_parts(summary.loc[metric, "value"], summary.loc[metric, "unit"])
            if weight is not None and weight == weight and metric in scaled:
                unit = f"{unit} ({scaled[metric]} × {format_number(weight)})"
            table.add_row(label(metric), text, unit)
    for technology, new_mw in new_capacity_by_technology(outcome.results).items():
        table.add_row(f"new {technology.replace('_', ' ')}", format_number(new_mw), "MW")
    for name, text in outcome.facts.items():   # text facts: run.json's summary_facts, not summary.csv
        if name != "marginal_method":
            table.add_row(label(name), text, "run.json")
    console.print(table)
    if "value_of_flexibility" in outcome.tables:
        from planning.report.html import twin_rows

        twins = twin_rows(outcome.tables["value_of_flexibility"], outcome.results.attrs.get("currency") or "currency")
        console.print(_frame_table(twins, "value of data-center flexibility (value_of_flexibility.csv)"))
    if "value_of_spatial_flexibility" in outcome.tables:
        frame = outcome.tables["value_of_spatial_flexibility"]
        shown = [c for c in ("twin", "total_cost", "co2_t", "sited_it_mw", "contracted_flexible_mw", "migrated_work_mwh",
                             "new_transmission_mw", "value_vs_none") if c in frame]
        console.print(_frame_table(frame[shown], "value of spatial vs temporal flexibility (value_of_spatial_flexibility.csv)"))
    if "datacenter_sites" in outcome.tables:
        sites = outcome.tables["datacenter_sites"]
        chosen = sites.loc[sites["it_mw"] > 1e-6, ["site", "zone", "it_mw", "flexible_contract_mw", "moved_out_mwh", "moved_in_mwh"]]
        console.print(_frame_table(chosen, "data-center sites built (datacenter_sites.csv)"))
    if "futures" in outcome.tables:   # a stochastic run (futures:): its own figures and each future's costs
        from planning.workflows.stochastic import STOCHASTIC_METRICS

        rows = outcome.summary[outcome.summary["metric"].isin(STOCHASTIC_METRICS)]
        console.print(_frame_table(rows.reset_index(drop=True), "stochastic plan: expected cost, CVaR, value of information (summary.csv)"))
        futures = outcome.tables["futures"].rename(columns={"risk_adjusted_probability": "risk-adjusted"})
        money = [c for c in futures.columns if c.endswith("_cost")]
        currency = outcome.results.attrs.get("currency") or "currency"
        futures = futures.assign(**{c: futures[c] / 1e6 for c in money}).rename(columns={c: f"{c.removesuffix('_cost')} (M {currency})" for c in money})
        console.print(_frame_table(futures, "futures (futures.csv): each future's total cost"))
    shed = shedding_label(outcome.summary)
    if shed and shed_line:
        console.print(f"[bold red]{shed}[/]", highlight=False, soft_wrap=True)
    status = outcome.solved.status
    if status != "Optimal":
        console.print(f"[bold yellow]warning:[/] HiGHS stopped with '{status}' (gap {outcome.solved.mip_gap:.3%}); results are the best point found")
    console.print(f"results written to [bold]{outcome.out_dir}[/]", highlight=False)


def _frame_table(frame, title: str) -> Table:
    """A rich table of a frame in the one number format (:mod:`planning.formatting`), metric names as labels, a row with
    a ``unit`` column scaled as one (:func:`planning.formatting.row_scale`: money in M, fractions in %); every
    column wraps onto more lines instead of being cut with '…', so the table fits an 80-column terminal."""
    from planning.formatting import format_number, label, row_scale

    table = Table(title=title)
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "biufc"
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for _, row in frame.iterrows():
        divisor, unit = row_scale(row.drop(["metric", "unit"], errors="ignore"), row["unit"]) if "unit" in row else (1.0, None)
        cells = []
        for column, value in row.items():
            if column == "metric" and isinstance(value, str):
                cells.append(label(value))
            elif column == "unit":
                cells.append(unit)
            elif divisor != 1.0 and isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(format_number(value / divisor))
            else:
                cells.append(format_number(value))
        table.add_row(*cells)
    return table


@app.command()
def schema(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the JSON Schema to this file instead of printing it.")] = None,
) -> None:
    """Export the scenario format as JSON Schema (for editor validation and autocompletion).

    VS Code with the YAML extension: put `# yaml-language-server: $schema=planning.schema.json`
    on the first line of a scenario.
    """
    from planning.config.schema import scenario_json_schema
    from planning.io.writers import output_file_problems

    try:
        if out is not None:
            _check(output_file_problems(out))
        text = json.dumps(scenario_json_schema(), indent=2)
        if out is None:
            sys.stdout.write(text + "\n")
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    console.print(f"JSON Schema written to {out}", highlight=False)


@app.command()
def signals(
    results_dir: Annotated[Path, typer.Argument(help="Results folder written by `planning run` (reads carbon.csv).", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for signals.csv and signals_<metric>.json (default: RESULTS_DIR/signals).")] = None,
    window_hours: Annotated[int, typer.Option("--window-hours", "-w", min=1, help="Window of the optimal data point (h).")] = 4,
    force: ForceOption = False,
) -> None:
    """Export hourly carbon signals (average, consumption-based, marginal; price) as CSV and Carbon Aware SDK-shaped JSON.

    The default folder RESULTS_DIR/signals is rewritten; an existing --out folder only with --force.
    """
    from planning.io.signals import read_carbon_csv, sdk_locations, write_signals
    from planning.io.writers import atomic_folder

    try:
        target = out if out is not None else Path(results_dir) / "signals"
        _check(_derived_out_problems(results_dir, target, force or out is None))
        carbon = read_carbon_csv(results_dir)
        with atomic_folder(target) as staging:
            paths = [target / Path(p).name for p in write_signals(carbon, staging, window_hours=window_hours, locations=sdk_locations(results_dir))]
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    for path in paths:
        console.print(f"written [bold]{path}[/]", highlight=False)


def _derived_out_problems(results_dir: Path, target: Path, force: bool) -> list[str]:
    """An output folder derived from a results folder: the input must be a folder, and the output neither it nor above it."""
    from planning.io.writers import output_folder_problems

    source = Path(results_dir)
    if not source.is_dir():
        return [f"{source}: no such folder; give a results folder of `planning run`"]
    resolved, inside = Path(target).resolve(), source.resolve()
    if resolved == inside or resolved in inside.parents:
        return [f"--out {target}: is the results folder itself (or contains it); give a new folder, e.g. {source / 'out'}"]
    return output_folder_problems(target, force)



def _configure_logging(verbose: bool, quiet: bool, log_file: Path | None = None):
    """The `planning` logger for this command: rich on the screen (stderr when quiet), DEBUG to the log file."""
    from planning.logging import configure

    return configure(verbose=verbose, quiet=quiet, log_file=log_file, console=errors if quiet else console)


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep YAML: a base scenario and a grid and/or list of overrides.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Sweep folder (default: results/sweeps/<sweep name>).")] = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run every combination of a sweep on Dask; write each run's folder and sweep.csv (resumable).

    Exit code 4 when some runs did not solve (they are recorded in sweep.csv; the others ran).
    """
    from planning.config.sweep import load_sweep
    from planning.workflows.sweep import SweepFailures, run_sweep, sweep_exit_problems

    _configure_logging(verbose, quiet)
    try:
        from planning.io.writers import output_folder_problems
        from planning.preflight import sweep_problems

        loaded = load_sweep(sweep_file)
        _check([*(output_folder_problems(out, existing_ok=True) if out is not None else []), *sweep_problems(loaded)],
               title=f"invalid sweep {sweep_file} (nothing was run)")
        if quiet:
            outcome = run_sweep(loaded, out, scheduler=scheduler, workers=workers, verbose=verbose)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("[green]{task.fields[solved]} solved[/] [red]{task.fields[failed]} failed[/] {task.fields[skipped]} resumed"),
                       TimeElapsedColumn())
            with Progress(*columns, console=console, transient=False) as bar:
                task = bar.add_task(f"sweep {loaded.name}", total=len(loaded.runs), solved=0, failed=0, skipped=0)

                def advance(row: dict, counts: dict) -> None:
                    bar.update(task, completed=counts["done"] + counts["skipped"], failed=counts["failed"], skipped=counts["skipped"],
                               solved=counts["done"] - counts["failed"] + counts["skipped"])

                outcome = run_sweep(loaded, out, scheduler=scheduler, workers=workers, verbose=verbose, progress=advance)
        problems = sweep_exit_problems(outcome)
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    if quiet:
        print(outcome.csv)
    else:
        shown = [c for c in ("run", "status", "total_cost", "co2_t", "wall_s", "resumed") if c in outcome.table]
        shown_table = outcome.table[shown].astype(object).where(outcome.table[shown].notna(), "")
        console.print(_frame_table(shown_table, f"sweep {loaded.name}: {len(outcome.table)} run(s)"))
        console.print(f"sweep table written to [bold]{outcome.csv}[/] (log: sweep.log)", highlight=False)
    if problems:
        _fail(SweepFailures(problems, title=f"{len(problems)} of {len(outcome.table)} run(s) did not solve (recorded in {outcome.csv})"))


@app.command()
def report(
    results_dir: Annotated[Path, typer.Argument(help="Results folder of `planning run` (with futures too) or `planning pathway`, a sweep folder of `planning sweep`, a stress folder, or a compare folder of `planning compare --out`.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for the figures and report.html (default: RESULTS_DIR/report).")] = None,
    week: Annotated[Optional[str], typer.Option("--week", "-w", help="First day of the week shown in the dispatch and data-center figures (YYYY-MM-DD; default: the week around peak demand).")] = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    force: ForceOption = False,
) -> None:
    """Draw the figures (PNG) and one self-contained HTML report of a run (each future of a run with futures), a pathway
    (the capacity pathway), a sweep, a stress or a compare folder.

    The default folder RESULTS_DIR/report is rewritten; an existing --out folder only with --force.
    """
    _configure_logging(verbose, quiet)
    try:
        from planning.io.writers import atomic_folder

        target = out if out is not None else Path(results_dir) / "report"
        problems = _derived_out_problems(results_dir, target, force or out is None)
        if week is not None:
            import datetime

            try:
                datetime.date.fromisoformat(week)
            except ValueError:
                problems.append(f"--week {week!r}: not a date; write YYYY-MM-DD, e.g. 2021-08-02")
        _check(problems)
        from planning.report import build_report

        with atomic_folder(target) as staging:
            built = build_report(results_dir, staging, week=week)
        html = target / Path(built.html).name
        figures = [target / Path(path).relative_to(staging) for path in built.figures]
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    if quiet:
        print(html)
        return
    for path in figures:
        console.print(f"figure  [bold]{path}[/]", highlight=False)
    console.print(f"report written to [bold]{html}[/] (one file, figures embedded)", highlight=False)


@app.command()
def statistics(
    results_dir: Annotated[Path, typer.Argument(help="Results folder of `planning run` or `planning pathway`.", show_default=False)],
    quiet: QuietOption = False,
) -> None:
    """Per zone × technology statistics of a run (capacity, energy, capacity factor, curtailment, revenue, market value,
    costs, LCOE, CO2; zone demand and prices), recomputed from results.nc and written to RESULTS_DIR/statistics.csv
    (one block per future of a run with futures, per period of a pathway)."""
    from planning.io.writers import write_tables
    from planning.metrics.statistics import folder_statistics

    try:
        table = folder_statistics(results_dir)
        write_tables(results_dir, {"statistics": table})
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    shown = table[[*(c for c in ("future", "period") if c in table), "zone", "technology", "total_mw", "generation_mwh", "capacity_factor", "market_value_per_mwh", "lcoe_per_mwh",
                   "profit_per_year"]]
    _show_outputs(quiet, results_dir / "statistics.csv", [(shown, "statistics (currency/year, currency/MWh)")])


@app.command()
def compare(
    runs: Annotated[list[Path], typer.Argument(help="Results folders of `planning run` (two or more); the first is the reference.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also write compare.csv (and compare_statistics.csv) to this folder.")] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Side by side: the summary (and statistics) of results folders, with differences to the first, absolute and relative.

    Prints the summary metrics that differ; with --out writes every row to compare.csv and compare_statistics.csv.
    """
    try:
        from planning.io.writers import atomic_folder, output_folder_problems, write_tables
        from planning.metrics.compare import compare_folders, compare_problems

        problems = compare_problems(runs)
        if out is not None:
            problems += output_folder_problems(out, force)
        _check(problems)
        tables = compare_folders(runs)
        if out is not None:
            with atomic_folder(out) as staging:
                write_tables(staging, tables)
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    from planning.metrics.compare import changed_rows

    if quiet:
        if out is not None:
            print(out)
        return
    changed = changed_rows(tables["compare"])
    console.print(_frame_table(changed, f"summary differences to {runs[0]} ({len(changed)} of {len(tables['compare'])} metrics differ)"))
    if "compare_statistics" in tables:
        moved = changed_rows(tables["compare_statistics"])
        console.print(f"statistics: {len(moved)} of {len(tables['compare_statistics'])} zone × technology figures differ", highlight=False)
    else:
        console.print("statistics: not compared (some folder has no statistics.csv)", highlight=False)
    if out is not None:
        console.print(f"results written to [bold]{out}[/]", highlight=False)


CapacitiesOption = Annotated[
    Optional[Path],
    typer.Option("--capacities", "-c", help="Results folder of `planning run` whose capacity.csv (and transmission.csv) fix the capacities. "
                 "Default: the scenario's existing capacity, no new build."),
]


def _run_with_status(quiet: bool, work):
    """Call ``work(step)``: on a terminal a spinner shows each step with the elapsed time; without one (a batch job, a
    pipe) each step is a timestamped line, so a log shows where a long command is; ``quiet`` shows nothing."""
    import time

    if quiet:
        return work(lambda message: None)
    start = time.monotonic()
    if not console.is_terminal:
        def line(message: str) -> None:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime())
            console.print(f"{stamp} [{time.monotonic() - start:7.1f} s] {message}", highlight=False, markup=False, soft_wrap=True)

        return work(line)
    with console.status("starting") as status:
        return work(lambda message: status.update(f"{message} [dim]({time.monotonic() - start:.0f} s elapsed)[/]"))


def _show_outputs(quiet: bool, folder: Path, shown: list, warning: str | None = None) -> None:
    """Print the output folder (``--quiet``), or each non-empty (table, title), a warning, and the folder."""
    if quiet:
        print(folder)
        return
    for frame, title in shown:
        if frame is not None and len(frame):
            console.print(_frame_table(frame, title))
    if warning:
        console.print(warning)
    console.print(f"results written to [bold]{folder}[/]", highlight=False)


@app.command()
def loop(
    scenario: ScenarioArg,
    capacities: CapacitiesOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output folder (default: results/<scenario name>-loop).")] = None,
    signal: Annotated[Optional[str], typer.Option("--signal", help="price | average | consumption | marginal | blend (default: operations.loop.signal).")] = None,
    stress_mode: Annotated[Optional[str], typer.Option("--stress-mode", help="Follow a stress signal instead: emissions_first | stability_first | auto.")] = None,
    set_: SetOption = None,
    verbose: VerboseOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output folder.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
    force: ForceOption = False,
) -> None:
    """Signal-response loop: the grid publishes an hourly signal, the data centers re-schedule, until the schedule settles.

    Writes loop.csv (one row per round), loop_schedule.csv, loop_comparison.csv (vs the integrated optimum) and adequacy.csv.

    Exit codes: 2 invalid input, 3 no solution, 5 load was shed at the reported round with --strict (results written).
    """
    _configure_logging(verbose, quiet)
    try:
        from planning.preflight import capacities_problems
        from planning.workflows.signal_response import SIGNAL_KINDS, write_loop
        from planning.workflows.stress import MODES, mode_signal

        loaded = _load(scenario, set_)
        kind = signal
        problems = capacities_problems(capacities)
        if stress_mode is not None:
            if stress_mode not in MODES:
                problems.append(f"--stress-mode: '{stress_mode}' is not one of {', '.join(MODES)}")
            else:
                kind = mode_signal(loaded, stress_mode)
        if kind is not None and kind not in SIGNAL_KINDS:
            problems.append(f"--signal: '{kind}' is not one of price, average, consumption, marginal, blend")
        target = out if out is not None else _default_out(loaded.name, set_, "-loop")
        _check([*problems, *_out_problems(target, force, loaded)])
        _warn_whole_lp(loaded, "loop")
        result, tables, folder = _run_with_status(quiet, lambda step: write_loop(loaded, target, capacities, kind, step=step))
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    columns = ["iteration", "signal", "total_cost", "co2_t", "datacenter_co2_t", "shifted_mwh", "max_schedule_change_mw", "converged"]
    warning = None if result.converged else (
        f"[bold yellow]warning:[/] not converged after {len(result.table)} rounds; raise operations.loop.max_iterations or use damping: diminishing")
    _show_outputs(quiet, folder, [(tables["loop"][columns], "signal-response loop (loop.csv)"),
                                  (tables["loop_comparison"], "loop vs integrated optimum (loop_comparison.csv)"),
                                  (tables.get("switches"), "auto signal switches (switches.csv)")], warning)
    _report_shedding(result.final.results, quiet, strict, folder)


def _report_shedding(results, quiet: bool, strict: bool, folder: Path) -> None:
    """What the modelled hours stand for, and a LOAD SHED line (an exit-5 error with ``--strict``) for one results Dataset."""
    from planning.metrics.summary import results_labels

    horizon, shed = results_labels(results)
    if horizon and not quiet:
        console.print(f"[bold]horizon:[/] {horizon}", highlight=False, soft_wrap=True)
    if shed and strict:
        _fail(LoadShedError([shed], title=f"load was shed (--strict); results kept in {folder}"))
    if shed:
        (errors if quiet else console).print(f"[bold red]{shed}[/]", highlight=False, soft_wrap=True)


@app.command()
def stress(
    scenario: ScenarioArg,
    capacities: CapacitiesOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output folder (default: results/<scenario name>-stress).")] = None,
    mode: Annotated[Optional[list[str]], typer.Option("--mode", "-m", help="Signal modes to compare (repeatable; default all: emissions_first, stability_first, auto).")] = None,
    set_: SetOption = None,
    verbose: VerboseOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output folder (warnings go to stderr).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
    force: ForceOption = False,
) -> None:
    """Run the stressed system under emissions-first, stability-first and auto signals; write adequacy.csv per mode.

    Each mode reports whether its loop converged and the round it reports; a mode that did not converge is marked
    and not ranked. Event figures (unweighted, during the stress events) stand next to the annualised ones.

    Exit codes: 2 invalid input, 3 no solution, 5 load was shed in some mode with --strict (results written).
    """
    _configure_logging(verbose, quiet)
    try:
        from planning.preflight import capacities_problems
        from planning.workflows.stress import MODES, display_tables, stress_messages, write_stress

        loaded = _load(scenario, set_)
        modes = tuple(mode or MODES)
        problems = [f"--mode: '{m}' is not one of {', '.join(MODES)}" for m in modes if m not in MODES]
        target = out if out is not None else _default_out(loaded.name, set_, "-stress")
        _check([*problems, *capacities_problems(capacities), *_out_problems(target, force, loaded)])
        _warn_whole_lp(loaded, "stress")
        tables, folder = _run_with_status(quiet, lambda step: write_stress(loaded, target, capacities, modes, step=step))
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    messages = stress_messages(tables)
    _show_outputs(quiet, folder, [*display_tables(tables), (tables["stress_events"], "each stress event on its own, unweighted (stress_events.csv)"),
                                  (tables.get("switches"), "auto signal switches (switches.csv)")])
    screen = errors if quiet else console
    if not quiet:
        for line in messages["horizon"]:
            console.print(f"[bold]horizon:[/] {line}", highlight=False, soft_wrap=True)
        for line, converged in zip(messages["convergence"], tables["stress_summary"]["converged"]):
            console.print(line if converged else f"[bold yellow]{line}[/]", highlight=False, soft_wrap=True)
    elif messages["unconverged"]:
        screen.print(f"[bold yellow]not converged (not ranked):[/] {', '.join(messages['unconverged'])}", highlight=False, soft_wrap=True)
    if strict and messages["shedding"]:
        _fail(LoadShedError(messages["shedding"], title=f"load was shed (--strict); results kept in {folder}"))
    for line in messages["shedding"]:
        screen.print(f"[bold red]{line}[/]", highlight=False, soft_wrap=True)


@app.command()
def headroom(
    scenario: ScenarioArg,
    capacities: CapacitiesOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output folder (default: results/<scenario name>-headroom).")] = None,
    budget: Annotated[Optional[list[float]], typer.Option("--budget", "-b", help="Curtailment budget as a fraction of the new load's energy (repeatable; default operations.headroom.budgets).")] = None,
    zone: Annotated[Optional[list[str]], typer.Option("--zone", "-z", help="Zone of the new load, one table per zone (repeatable; 'all' = every zone; default operations.headroom.zone).")] = None,
    transmission: Annotated[str, typer.Option("--transmission", help="with: the scenario's corridors; without: every zone on its own fleet; both: one row set each.")] = "with",
    set_: SetOption = None,
    verbose: VerboseOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output folder.")] = False,
    force: ForceOption = False,
) -> None:
    """Largest new flexible data-center load the existing system serves without unserved energy, per curtailment budget (headroom.csv)."""
    _configure_logging(verbose, quiet)
    try:
        from planning.preflight import capacities_problems, fraction_problems
        from planning.workflows.headroom import TRANSMISSION_SETTINGS, headroom_view, write_headroom

        problems = fraction_problems(budget, "--budget")
        if transmission not in TRANSMISSION_SETTINGS:
            problems.append(f"--transmission: '{transmission}' is not one of {', '.join(TRANSMISSION_SETTINGS)}")
        loaded = _load(scenario, set_)
        problems += [f"--zone: unknown zone '{name}' (zones: {', '.join(loaded.zones)}, or all)" for name in zone or []
                     if name != "all" and name not in loaded.zones]
        target = out if out is not None else _default_out(loaded.name, set_, "-headroom")
        _check([*problems, *capacities_problems(capacities), *_out_problems(target, force, loaded)])
        _warn_whole_lp(loaded, "headroom")
        table, folder = _run_with_status(quiet, lambda step: write_headroom(loaded, target, capacities, budget, step=step,
                                                                            zones=zone, transmission=transmission))
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    _show_outputs(quiet, folder, [(headroom_view(table), "headroom for new flexible load (all columns in headroom.csv)")])


@app.command("fit")
def fit(
    telemetry: Annotated[list[Path], typer.Argument(help="telemetry CSV files (time series, events, power-cap sweeps); recognised by their header", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="card to write, e.g. models/site.json")],
    segments: Annotated[Optional[int], typer.Option(help="curve segments; default: chosen by cross-validation", min=1)] = None,
    max_segments: Annotated[int, typer.Option(help="largest number of curve segments tried", min=1)] = 6,
    shape: Annotated[str, typer.Option(help="curve shape: auto, concave (embeds as an LP) or free")] = "auto",
    quantile: Annotated[float, typer.Option(help="baseline quantile for the firm floor, in (0, 1)")] = 0.95,
    test_fraction: Annotated[float, typer.Option(help="held-out share: latest hours / workloads, in (0, 1)")] = 0.25,
    name: Annotated[Optional[str], typer.Option(help="card name (default: the output file's stem)")] = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Fit a data-center surrogate card (JSON) from telemetry and print its held-out accuracy.

    Options and files are checked before any telemetry is read; nothing is written when the fit fails.
    """
    _configure_logging(verbose, quiet)
    try:
        from planning.io.writers import output_file_problems

        problems = output_file_problems(out)
        if shape not in ("auto", "concave", "free"):
            problems.append(f"--shape {shape!r}: must be one of auto, concave, free")
        problems += [f"--{key.replace('_', '-')} {value:g}: must be strictly between 0 and 1"
                     for key, value in (("quantile", quantile), ("test_fraction", test_fraction)) if not 0 < value < 1]
        if segments is not None and segments > max_segments:
            problems.append(f"--segments {segments}: more than --max-segments {max_segments}; raise --max-segments or lower --segments")
        problems += [f"{path}: telemetry file not found; check the path" for path in telemetry if not Path(path).is_file()]
        _check(problems)
        from planning.surrogate.card import save_card
        from planning.surrogate.commands import accuracy_table
        from planning.surrogate.fit import fit_surrogate

        card = fit_surrogate(telemetry, name=name or out.stem, segments=segments, max_segments=max_segments,
                             shape=shape, quantile=quantile, test_fraction=test_fraction)
        save_card(card, out)
    except Exception as error:  # noqa: BLE001 - reported by _fail
        _fail(error)
        return
    if quiet:
        print(out)
        return
    console.print(accuracy_table(card))
    if card.throughput_curve is not None:
        p = card.throughput_curve.parameters
        console.print(f"curve: {len(p.breakpoints_x) - 1} segment(s), "
                      f"{'concave (LP cuts)' if p.is_concave else 'not concave (binary formulation)'}")
    console.print(f"wrote {out}", highlight=False)
