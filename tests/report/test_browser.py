"""report.html as a browser shows it: headless Chromium (Debian's ``chromium``; `.ci/run` installs it).

Every image loads (naturalWidth > 0) and nothing is wider than the page (document.scrollWidth ≤ the
viewport, no element beyond its right edge unless inside a scrolling table container), on a desktop
and on a narrow window. Skipped only when no Chromium binary can be found.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.report import build_report
from planning.report.html import sweep_html
from tests.conftest import REPO
from tests.report.browser import chromium_binary, layout_check

pytestmark = pytest.mark.skipif(chromium_binary() is None, reason="no chromium binary on PATH (Debian: apt-get install chromium)")
WIDTHS = (1280, 640)


@pytest.fixture(scope="module")
def two_zone_report(tmp_path_factory):
    """The two-zone ISO-NE scenario over 48 hours: transmission section, every run figure."""
    out = tmp_path_factory.mktemp("browser") / "two_zones"
    result = CliRunner().invoke(app, ["run", str(REPO / "scenarios" / "isone_two_zones.yaml"), "--out", str(out), "-q",
                                      "--set", "horizon.hours=48", "--set", "horizon.storage_cycle=day"])
    assert result.exit_code == 0, result.output
    return build_report(out)


@pytest.fixture(scope="module")
def pathway_report(tmp_path_factory):
    """The hand two-period pathway of tests/report/test_pathway_report.py: capacity pathway, energy and price figures."""
    from tests.report.test_pathway_report import write_pathway_run

    return build_report(write_pathway_run(tmp_path_factory.mktemp("browser_pathway")))


@pytest.fixture(scope="module")
def pathway_sites_report(tmp_path_factory):
    """The hand pathway with data-center sites of tests/report/test_pathway_sites_report.py: the sites per period too."""
    from tests.report.test_pathway_sites_report import write_sited_pathway

    return build_report(write_sited_pathway(tmp_path_factory.mktemp("browser_pathway_sites")))


@pytest.fixture(scope="module")
def futures_report(tmp_path_factory):
    """The two-future screening case of tests/report/test_futures_report.py: futures compared, each future's figures."""
    from tests.report.test_futures_report import write_futures_run

    return build_report(write_futures_run(tmp_path_factory.mktemp("browser_futures")))


@pytest.fixture(scope="module")
def siting_report(tmp_path_factory):
    """The two-site hand case of tests/report/test_sites.py: the siting map and its 12-column table."""
    from tests.report.test_sites import write_sited_run

    return build_report(write_sited_run(tmp_path_factory.mktemp("browser_sites")))


@pytest.mark.parametrize("kind", ["pathway", "pathway_sites", "futures", "siting"])
@pytest.mark.parametrize("width", WIDTHS)
def test_pathway_futures_and_siting_reports_load_and_nothing_overflows(request, tmp_path, width, kind):
    report = request.getfixturevalue(f"{kind}_report")
    found = layout_check(report.html, tmp_path, width)
    assert found["images"] == len(report.figures) == {"pathway": 3, "pathway_sites": 4, "futures": 6, "siting": 4}[kind]
    assert found["broken"] == []
    assert found["scroll_width"] <= width and found["overflowing"] == [], (kind, width, found["overflowing"])
    assert all(len(alt) > 60 for alt in found["alts"])


@pytest.mark.parametrize("width", WIDTHS)
def test_run_report_images_load_and_nothing_overflows(two_zone_report, tmp_path, width):
    found = layout_check(two_zone_report.html, tmp_path, width)
    assert found["viewport"] == width
    assert found["images"] == len(two_zone_report.figures) == 5  # network, corridor flows, capacity, dispatch, duration curves
    assert found["broken"] == []
    assert found["scroll_width"] <= width and found["overflowing"] == []
    assert all(len(alt) > 60 for alt in found["alts"])   # each says what it plots, not a file name


def test_wide_sweep_table_scrolls_inside_the_page(tmp_path):
    runs = 12
    table = pd.DataFrame({"run": [f"co2_price_per_t={10 * i}__it_capacity_mw={500 * i}__flexibility=learned" for i in range(runs)],
                          "status": "solved", "policy.co2_price_per_t": [10 * i for i in range(runs)],
                          "datacenters.campus.it_capacity_mw": [500 * i for i in range(runs)],
                          "total_cost": 4.6e9, "co2_t": 2.6e7, **{f"new_technology_number_{k}_mw": 1000.0 + k for k in range(14)},
                          "results_dir": [f"runs/a-very-long-folder-name-without-any-break-{i}" * 2 for i in range(runs)], "error": ""})
    page = tmp_path / "sweep.html"
    page.write_text(sweep_html(name="wide", description="", folder=tmp_path / ("deep/" * 30), table=table,
                               keys=["policy.co2_price_per_t", "datacenters.campus.it_capacity_mw"], figures=[], currency="USD"),
                    encoding="utf-8")
    for width in WIDTHS:
        found = layout_check(page, tmp_path, width)
        assert found["scroll_width"] <= width and found["overflowing"] == [], (width, found)


def test_the_check_sees_a_broken_image_and_an_overflow(tmp_path):
    # The check itself can fail: a 2000 px block outside any scroll container and an image that cannot decode.
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><div style="width:2000px">wide</div>'
                    '<img alt="broken" src="data:image/png;base64,AAAA"></body></html>', encoding="utf-8")
    found = layout_check(page, tmp_path, 800)
    assert found["broken"] == ["broken"]
    assert found["scroll_width"] > 800 and any(item.startswith("div right=") for item in found["overflowing"])
