"""The report's transmission section, checked on a two-zone case computed by hand.

Zone a: gas at 10 $/MWh (200 MW), no demand. Zone b: gas at 50 $/MWh (200 MW), demand 100 then 40 MW.
One lossless corridor a → b of 60 MW. Hour 1: the corridor carries 60 MW (at its limit: congested),
b's own gas makes the other 40 MW, prices 10 (a) and 50 (b). Hour 2: 40 MW flow, not at the limit,
both prices 10. So: mean flow 50 MW, peak 60 MW a → b and 0 back, loading 1 and 2/3 (mean 5/6, max 1),
1 congestion hour of 2, price difference (b − a) 40 then 0 (mean 20), congestion rent 60 × 40 = 2400 $.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from planning.config import validate_scenario
from planning.report import build_report, network
from planning.workflows.run import run_scenario
from tests.conftest import thermal, write_series


def two_zone_scenario(folder):
    write_series(folder, {"demand_a": [0, 0], "demand_b": [100, 40]})
    series = str(folder / "series.csv")
    return {
        "name": "corridor-by-hand",
        "horizon": {"year": 2021, "start_hour": 0, "hours": 2, "scale_to_year": False},
        "zones": {"a": {"demand": {"file": series, "column": "demand_a"}}, "b": {"demand": {"file": series, "column": "demand_b"}}},
        "fuels": {"gas": {"price_per_mmbtu": 1.0, "co2_t_per_mmbtu": 0.1}},
        "technologies": {"ccgt": thermal(10), "ocgt": thermal(50)},
        "plants": {"ga": {"zone": "a", "technology": "ccgt", "existing_mw": 200, "max_new_mw": 0},
                   "gb": {"zone": "b", "technology": "ocgt", "existing_mw": 200, "max_new_mw": 0}},
        "transmission": {"ab": {"from_zone": "a", "to_zone": "b", "existing_mw": 60, "max_new_mw": 0}},
    }


@pytest.fixture(scope="module")
def corridor_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corridor")
    run_scenario(validate_scenario(two_zone_scenario(folder)), folder / "run")
    return folder / "run"


def _frames(run):
    return pd.read_csv(run / "transmission.csv"), pd.read_csv(run / "flows.csv"), pd.read_csv(run / "balance.csv")


def test_corridor_figures_match_the_hand_computation(corridor_run):
    transmission, flows, balance = _frames(corridor_run)
    # Without the run's own per-line columns (an older results folder, or before planning/metrics/transmission.py):
    # everything computed here from flows, capabilities and prices.
    transmission = transmission[["line", "from_zone", "to_zone", "existing_mw", "new_mw", "total_mw"]]
    flows = flows[["snapshot", "line", "from_zone", "to_zone", "flow_mw"]]
    result = network.corridors(transmission, flows, balance)
    line = result.lines.set_index("line").loc["ab"]
    assert line["mean_flow_mw"] == pytest.approx(50.0, abs=1e-6)
    assert line["peak_forward_mw"] == pytest.approx(60.0, abs=1e-6) and line["peak_backward_mw"] == pytest.approx(0.0, abs=1e-6)
    assert line["mean_loading"] == pytest.approx(5 / 6, abs=1e-6) and line["max_loading"] == pytest.approx(1.0, abs=1e-6)
    assert line["congestion_hours"] == pytest.approx(1.0, abs=1e-9) and line["congested_modelled_hours"] == 1
    assert line["mean_price_difference_per_mwh"] == pytest.approx(20.0, abs=1e-6)
    assert line["mean_abs_price_difference_per_mwh"] == pytest.approx(20.0, abs=1e-6)
    assert line["congestion_rent_per_year"] == pytest.approx(2400.0, abs=1e-4)
    assert set(result.computed) >= {"loading", "congested", "congestion_hours", "congestion_rent_per_year"}
    assert result.prices.loc["a", "mean_price_per_mwh"] == pytest.approx(10.0, abs=1e-6)
    assert result.prices.loc["b", "mean_price_per_mwh"] == pytest.approx(30.0, abs=1e-6)
    pair = network.zone_pairs(result).iloc[0]
    assert (pair["zone_a"], pair["zone_b"], pair["corridors"]) == ("a", "b", 1)
    assert pair["mean_flow_mw"] == pytest.approx(50.0, abs=1e-6) and pair["mean_loading"] == pytest.approx(50 / 60, abs=1e-6)


def test_the_runs_own_line_columns_are_used_when_present(corridor_run):
    transmission, flows, balance = _frames(corridor_run)
    # As written by planning/metrics/transmission.py (DC power flow): marked values must come through unchanged.
    transmission = transmission.assign(congestion_hours=7.0, congestion_rent_per_year=1234.0, max_loading=0.9, mean_loading=0.3,
                                       mean_price_difference_per_mwh=-5.0)
    flows = flows.assign(available_mw=120.0, loading=flows["flow_mw"].abs() / 120.0, congested=0.0, price_difference_per_mwh=1.0)
    result = network.corridors(transmission, flows, balance)
    line = result.lines.set_index("line").loc["ab"]
    assert (line["congestion_hours"], line["congestion_rent_per_year"], line["max_loading"], line["mean_loading"],
            line["mean_price_difference_per_mwh"]) == (7.0, 1234.0, 0.9, 0.3, -5.0)
    assert line["congested_modelled_hours"] == 0 and line["mean_abs_price_difference_per_mwh"] == pytest.approx(1.0)
    assert result.computed == []


def test_zone_diagram_draws_the_corridor_from_a_to_b_with_its_figures(corridor_run):
    from matplotlib.patches import FancyArrowPatch

    result = network.corridors(*_frames(corridor_run))
    (ax, _colourbar) = network.network_diagram(result, "USD", "h").axes
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert [a.get_gid() for a in arrows] == ["a -> b"]   # the mean flow runs a → b
    labels = [t.get_text() for t in ax.texts]
    assert "60 MW\nmean 50 MW\npeak 60 MW\nat limit 1 h" in labels
    assert "a\n10" in labels and "b\n30" in labels   # zones with their mean prices


def test_report_has_a_transmission_section_with_table_and_diagram(corridor_run):
    report = build_report(corridor_run)
    html = report.html.read_text(encoding="utf-8")
    assert [p.name for p in report.figures[:2]] == ["network.png", "corridor_flows.png"]
    assert "<h2>Transmission (transmission.csv, flows.csv)</h2>" in html
    flows_row, prices_row = re.findall(r"<tr><td>ab</td>(.*?)</tr>", html)
    # Capability and flows: from → to, model (transmission.csv's, planning/metrics/transmission.py), existing, new, total,
    # mean flow, peak a→b, peak b→a, mean loading %, max loading %
    assert re.findall(r"<td[^>]*>(.*?)</td>", flows_row) == ["a\u00a0→\u00a0b", "transport", "60", "0", "60", "50", "60", "0", "83.33", "100"]
    # Congestion and prices: congestion h, congested modelled hours, mean price difference, mean |difference|,
    # rent (2 h not scaled: $, not M$/year)
    assert re.findall(r"<td[^>]*>(.*?)</td>", prices_row) == ["1", "1 of 2", "20", "20", "2 400"]
    assert 'alt="Diagram of 2 zones and 1 corridors. Mean prices: a 10' in html
    # Not scaled to a year: the note opens the report and the duration curves say so.
    top = html.index('<p class="horizon top">')
    assert top < html.index("<h2>Summary</h2>")
    assert "The 2 modelled hours are not scaled to a year" in html[top:top + 200]
    assert "2 modelled hours, not scaled to a year" in html[html.index("duration_curves.png</b>"):]


def test_zone_layout_spreads_nine_zones_deterministically():
    # The 12 connected pairs of the 9-zone Eastern US data (../shared/data/grid/eastern_us_9zone_2021/links.csv).
    edges = [("FRCC", "SERTP"), ("ISNE", "NYIS"), ("MISO_NC", "MISO_S"), ("MISO_NC", "PJM"), ("MISO_NC", "SERTP"), ("MISO_NC", "SWPP_N"),
             ("MISO_NC", "SWPP_S"), ("MISO_S", "SERTP"), ("MISO_S", "SWPP_S"), ("NYIS", "PJM"), ("PJM", "SERTP"), ("SWPP_N", "SWPP_S")]
    zones = sorted({z for edge in edges for z in edge})
    layout = network.zone_layout(zones, edges)
    assert layout == network.zone_layout(zones, edges)
    points = np.array([layout[z] for z in zones])
    assert np.abs(points).max() <= 1 + 1e-9
    gaps = np.linalg.norm(points[:, None] - points[None, :], axis=2)[np.triu_indices(len(zones), 1)]
    assert gaps.min() >= 0.3   # no two zones on top of each other
    # Neighbours sit closer than zones three corridors apart (ISNE–NYIS vs ISNE–FRCC).
    def distance(a, b):
        return float(np.linalg.norm(np.subtract(layout[a], layout[b])))

    assert distance("ISNE", "NYIS") < distance("ISNE", "FRCC")
    assert network.zone_layout(["x", "y"], [("x", "y")]) == {"x": (-1.0, 0.0), "y": (1.0, 0.0)}
