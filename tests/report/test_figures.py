"""Figures that must stay readable with many zones."""

from __future__ import annotations

import pandas as pd

from planning.report import figures


def test_many_zone_duration_curves_one_line_per_zone_and_one_zone_legend():
    zones = [f"zone{i}" for i in range(6)]
    snapshots = pd.date_range("2021-08-01", periods=10, freq="h")
    balance = pd.DataFrame([(t, 1.0, z, 30.0 + i + h) for h, t in enumerate(snapshots) for i, z in enumerate(zones)],
                           columns=["snapshot", "weight", "zone", "price_per_mwh"])
    carbon = balance.rename(columns={"price_per_mwh": "average_g_per_kwh"}).assign(
        consumption_g_per_kwh=lambda f: f["average_g_per_kwh"] * 2, marginal_g_per_kwh=400.0)
    figure = figures.duration_curves(balance, carbon, "USD", horizon_note="a sample of 10 modelled hours")
    price_ax, carbon_ax = figure.axes
    assert len(price_ax.lines) == len(carbon_ax.lines) == len(zones)   # averages only: 6 lines, not 18
    assert price_ax.get_legend() is None and carbon_ax.get_legend() is None
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == zones
    assert "A sample of 10 modelled hours" in figure.get_suptitle()
    # Zone i has the same colour and line style in both panels, as in the legend.
    for price_line, carbon_line in zip(price_ax.lines, carbon_ax.lines):
        assert (price_line.get_color(), price_line.get_linestyle()) == (carbon_line.get_color(), carbon_line.get_linestyle())
