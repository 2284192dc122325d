"""CLI command functions for the surrogate (registered by ``planning/cli.py``).

``app.command("fit")(fit_command)`` gives ``planning fit TELEMETRY... --out models/NAME.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from planning.surrogate.card import SurrogateCard, save_card
from planning.surrogate.fit import accuracy_rows, fit_surrogate

__all__ = ["fit_command", "accuracy_table"]


def accuracy_table(card: SurrogateCard) -> Table:
    """A rich table of the card's held-out accuracy, one row per part."""
    table = Table(title=f"held-out accuracy — {card.name}")
    for column in ("part", "r2", "mae", "mape", "coverage", "n_test"):
        table.add_column(column, justify="left" if column == "part" else "right", no_wrap=True)
    for row in accuracy_rows(card):

        def number(key, percent=False):
            value = row.get(key)
            if value is None or isinstance(value, str):
                return "—"
            return f"{100 * value:.1f} %" if percent else f"{value:.4g}"

        coverage = "—"
        if "firm_coverage" in row:
            coverage = f"firm {100 * row['firm_coverage']:.0f} %"
        elif "range_coverage" in row:
            coverage = f"range {100 * row['range_coverage']:.0f} %, ramp {100 * row['ramp_coverage']:.0f} %"
        table.add_row(row["part"], number("r2"), number("mae"), number("mape", percent=True), coverage,
                      f"{int(row.get('n_test', 0))}")
    table.caption = "; ".join(f"{row['part']}: {row.get('split', '')}" for row in accuracy_rows(card))
    return table


def fit_command(
    telemetry: Annotated[list[Path], typer.Argument(help="telemetry CSV files (time series, events, power-cap "
                                                         "sweeps); recognised by their header")],
    out: Annotated[Path, typer.Option("--out", "-o", help="card to write, e.g. models/site.json")],
    segments: Annotated[Optional[int], typer.Option(help="curve segments; default: chosen by cross-validation",
                                                    min=1)] = None,
    max_segments: Annotated[int, typer.Option(help="largest number of curve segments tried", min=1)] = 6,
    shape: Annotated[str, typer.Option(help="curve shape: auto, concave (embeds as an LP) or free")] = "auto",
    quantile: Annotated[float, typer.Option(help="baseline quantile for the firm floor, in (0, 1)")] = 0.95,
    test_fraction: Annotated[float, typer.Option(help="held-out share: latest hours / workloads")] = 0.25,
    name: Annotated[Optional[str], typer.Option(help="card name (default: the output file's stem)")] = None,
) -> None:
    """Fit a data-center surrogate card from telemetry and print its held-out accuracy."""
    card = fit_surrogate(telemetry, name=name or out.stem, segments=segments, max_segments=max_segments,
                         shape=shape, quantile=quantile, test_fraction=test_fraction)
    save_card(card, out)
    console = Console()
    console.print(accuracy_table(card))
    if card.throughput_curve is not None:
        p = card.throughput_curve.parameters
        console.print(f"curve: {len(p.breakpoints_x) - 1} segment(s), "
                      f"{'concave (LP cuts)' if p.is_concave else 'not concave (binary formulation)'}")
    console.print(f"wrote {out}")
