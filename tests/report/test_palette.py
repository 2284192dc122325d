"""One technology order and one colour per technology in every panel of the report, in every process."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from planning.report import figures, palette
from tests.conftest import REPO


def test_colours_do_not_depend_on_the_process():
    # Python's str hash changes with PYTHONHASHSEED; a colour must not (the old tab20 fallback used hash()).
    names = ["imports", "Gas_CC", "Hydro_PumpedStorage", "Other", "fusion_demo"]
    code = f"from planning.report.palette import colour; print([colour(n) for n in {names!r}])"
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                              env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (1, 2, 3)}
    assert len(outputs) == 1
    assert outputs.pop().strip() == str([palette.colour(n) for n in names])


def test_family_members_are_recognised_and_kept_apart():
    assert palette.family("Gas_CC") == "ccgt" and palette.family("Gas_SC") == "ocgt" and palette.family("Hydro_PumpedStorage") == "pumped_storage"
    assert palette.family("oil_ct") == "oil" and palette.family("Wind") == "wind" and palette.family("Other") is None
    assert palette.colour("Gas_CC") != palette.colour("ccgt") and palette.colour("Gas_CC") != palette.colour("Gas_SC")
    assert palette.ordered(["battery", "Other", "Gas_CC", "nuclear", "utility_pv", "imports"]) == \
        ["nuclear", "utility_pv", "Gas_CC", "imports", "battery", "Other"]


def _frames():
    snapshots = pd.date_range("2021-08-01", periods=24, freq="h")
    technologies = ["imports", "ccgt", "nuclear", "utility_pv", "fusion_demo"]
    dispatch = pd.DataFrame([(t, 1.0, "z", tech, 100.0 + i) for t in snapshots for i, tech in enumerate(technologies)],
                            columns=["snapshot", "weight", "zone", "technology", "generation_mw"])
    balance = pd.DataFrame({"snapshot": snapshots, "weight": 1.0, "zone": "z", "demand_mw": 510.0, "datacenter_mw": 0.0,
                            "storage_discharge_mw": 0.0, "storage_charge_mw": 0.0, "net_import_mw": 0.0, "unserved_mw": 0.0,
                            "price_per_mwh": 30.0})
    capacity = pd.DataFrame({"zone": "z", "technology": technologies, "existing_mw": 1000.0, "new_mw": [0, 500, 0, 300, 0],
                             "retired_mw": 0.0, "total_mw": 1000.0, "energy_mwh": np.nan})
    return dispatch, balance, capacity


def test_capacity_and_dispatch_panels_share_order_and_colours():
    dispatch, balance, capacity = _frames()
    bars = figures.capacity_mix(capacity).axes[0]
    new_bars = bars.containers[1]   # existing (light), new (solid), retired
    labels = [tick.get_text() for tick in bars.get_yticklabels()]
    bar_colours = {name: to_hex(patch.get_facecolor(), keep_alpha=False) for name, patch in zip(labels, new_bars.patches)}
    week = figures.Window(pd.DatetimeIndex(balance["snapshot"]))
    stack = figures.dispatch_week(dispatch, None, balance, week)
    legend = stack.legends[0]
    legend_colours = {text.get_text(): to_hex(handle.get_facecolor(), keep_alpha=False)
                      for text, handle in zip(legend.get_texts(), legend.legend_handles) if hasattr(handle, "get_facecolor")}
    for technology in ["imports", "ccgt", "nuclear", "utility_pv", "fusion_demo"]:
        name = palette.label(technology)
        assert bar_colours[name] == legend_colours[name] == palette.colour(technology), technology
    # Capacity bars list the report order from the top; the dispatch legend lists the stack from its top (the reverse).
    order = [palette.label(t) for t in palette.ordered(capacity["technology"])]
    assert labels[::-1] == order
    assert [n for n in (t.get_text() for t in legend.get_texts()) if n in order] == order[::-1]


def test_many_zones_one_bar_per_zone_and_capacity_tables_by_zone():
    from planning.report.html import capacity_html

    zones = [f"z{i}" for i in range(6)]
    capacity = pd.DataFrame([(z, t, 1000.0 * (i + 1), 100.0 if t == "utility_pv" else 0.0, 50.0 if t == "ccgt" else 0.0)
                             for i, z in enumerate(zones) for t in ("ccgt", "nuclear", "utility_pv", "battery")],
                            columns=["zone", "technology", "existing_mw", "new_mw", "retired_mw"]).assign(total_mw=np.nan, energy_mwh=np.nan)
    capacity.loc[capacity["technology"] == "battery", "existing_mw"] = 0.0   # nothing before or after: left out
    figure = figures.capacity_mix(capacity)
    (ax,) = figure.axes
    heights = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert sorted(heights, key=heights.get, reverse=True) == zones   # one bar per zone, the first on top
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Nuclear", "Utility PV", "CCGT", "new build (hatched)", "retired"]
    handles = ax.get_legend().legend_handles
    assert [to_hex(h.get_facecolor(), keep_alpha=False) for h in handles[:3]] == [palette.colour(t) for t in ("nuclear", "utility_pv", "ccgt")]
    html = "\n".join(capacity_html(capacity.assign(total_mw=capacity["existing_mw"] - capacity["retired_mw"] + capacity["new_mw"])))
    assert "<th>all zones</th>" in html and "battery" not in html
    # nuclear: 1000 + 2000 + … + 6000 = 21 000 MW in all zones; new PV 6 × 100 = 600 MW; retired CCGT 6 × 50 = 300 MW
    assert "<td>21 000</td></tr>" in html and "<td>600</td></tr>" in html and "<td>300</td></tr>" in html
