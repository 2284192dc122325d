"""Terminal output of ``planning fit`` (the command itself is in ``planning/cli.py``)."""

from __future__ import annotations

from rich.table import Table

from planning.surrogate.card import SurrogateCard
from planning.surrogate.fit import accuracy_rows

__all__ = ["accuracy_table"]


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

