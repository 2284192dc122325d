"""`planning report` on a `planning pathway` folder with data-center sites: where the campuses are in each period.

The hand case of tests/workflows/test_pathway_sites.py (``sites_case``, site b from 2040): 2030 sites its 100 MW at
site_a (zone a); 2040 needs 150 MW, keeps a's campus (it cannot move) and adds 50 MW at site_b (zone b). A third
candidate, site_c (zone b, interconnection annuity 50 $/MW-year against b's 5), is never sited.

    site     zone   in service 2030   added 2030   in service 2040   added 2040
    site_a   a      100               100          100               0
    site_b   b      0                 0            50                50
    total           100               100          150               50
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from planning.report import build_report
from tests.conftest import run_command
from tests.optimization.site_cases import site
from tests.workflows.test_pathway import crf
from tests.workflows.test_pathway_sites import LIFE, RATE, sites_case


def write_sited_pathway(folder):
    """`planning pathway` of the hand case into ``folder/out`` (returned)."""
    raw = sites_case(folder, b_from=2040)
    raw["datacenter_sites"]["candidates"]["site_c"] = site("b", 200.0, lifetime_years=LIFE, interconnection_capex_per_mw=50 / crf(RATE, LIFE))
    raw["carbon"] = {"technology_rows": {"gas_a": "ccgt", "gas_b": "ccgt"}}
    return run_command("pathway", raw, folder, "sites_pathway.yaml", "-q")


@pytest.fixture(scope="module")
def sited_pathway(tmp_path_factory):
    return write_sited_pathway(tmp_path_factory.mktemp("pathway_sites"))


def test_site_table_per_period_by_hand(sited_pathway):
    from planning.report.pathway import site_period_table, sites_in_service

    frame = sites_in_service(pd.read_csv(sited_pathway / "datacenter_sites.csv"))
    table = site_period_table(frame).set_index("site")
    assert list(table.index) == ["site_a", "site_b", "total"]          # site_c never sited: left out (the page says so)
    assert list(table.columns) == ["zone", "in service 2030", "added 2030", "in service 2040", "added 2040"]
    numbers = table.drop(columns="zone")
    assert numbers.loc["site_a"].tolist() == pytest.approx([100, 100, 100, 0], abs=1e-6)
    assert numbers.loc["site_b"].tolist() == pytest.approx([0, 0, 50, 50], abs=1e-6)
    assert numbers.loc["total"].tolist() == pytest.approx([100, 100, 150, 50], abs=1e-6)
    assert table.loc["site_a", "zone"] == "a" and table.loc["site_b", "zone"] == "b"
    # built earlier + added = in service, per period and site
    rows = frame.set_index(["period", "site"])
    assert rows.loc[(2040, "site_a"), ["earlier_mw", "added_mw"]].tolist() == pytest.approx([100, 0], abs=1e-6)
    assert rows.loc[(2040, "site_b"), ["earlier_mw", "added_mw"]].tolist() == pytest.approx([0, 50], abs=1e-6)
    # a folder without built_it_mw: what grew since the period before counts as added (the same here)
    older = sites_in_service(pd.read_csv(sited_pathway / "datacenter_sites.csv").drop(columns="built_it_mw"))
    assert older[["it_mw", "added_mw", "earlier_mw"]].to_numpy() == pytest.approx(frame[["it_mw", "added_mw", "earlier_mw"]].to_numpy(), abs=1e-6)


def test_pathway_report_shows_the_sites_per_period(sited_pathway, tmp_path):
    report = build_report(sited_pathway, tmp_path / "report")
    names = [path.name for path in report.figures]
    assert names == ["capacity_pathway.png", "datacenter_sites_pathway.png", "energy_pathway.png", "price_pathway.png"]
    figure = report.figures[1]
    assert figure.is_file() and figure.stat().st_size > 10_000
    page = report.html.read_text(encoding="utf-8")
    assert "<h2>Data-center sites per period" in page
    assert "Never sited in any period (not shown): site_c (zone b)." in page
    section = page.split("<h2>Data-center sites per period")[1].split("<h2>")[0]
    cells = re.findall(r"<tr>(.*?)</tr>", section)
    values = [row for row in (re.findall(r"<td[^>]*>([^<]*)</td>", cell) for cell in cells) if row]   # the body's rows
    assert values == [["site_a", "a", "100", "100", "100", "0"], ["site_b", "b", "0", "0", "50", "50"],
                      ["total", "", "100", "100", "150", "50"]]
    alts = dict(zip(re.findall(r"<b>([^<]+\.png)</b>", page), re.findall(r'<img alt="([^"]*)"', page)))
    text = alts["datacenter_sites_pathway.png"]
    assert "2030: 100 MW in service, 100 MW added — zone a 100 MW (site_a 100 MW, added 100 MW)" in text
    assert "2040: 150 MW in service, 50 MW added — zone a 100 MW (site_a 100 MW); zone b 50 MW (site_b 50 MW, added 50 MW)" in text
    assert "Never sited: site_c (zone b)" in text
    assert "<b>datacenter_sites_pathway.png</b>: IT MW of the data-center campuses in service" in page
