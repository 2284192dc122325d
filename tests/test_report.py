"""`planning report`: every figure is drawn, non-empty and embedded in one self-contained HTML file."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from planning.cli import app
from planning.config import load_scenario
from planning.config.sweep import load_sweep
from planning.errors import InputDataError
from planning.io.writers import snapshot_times
from planning.report import build_report, choose_week, week_window
from planning.workflows.run import run_scenario
from planning.workflows.sweep import run_sweep
from tests.conftest import REPO
from tests.workflows.test_sweep import write_sweep

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
RUN_FIGURES = ["capacity_mix.png", "dispatch_week.png", "duration_curves.png", "datacenter_campus.png"]


@pytest.fixture(scope="module")
def main_example(tmp_path_factory):
    """The main example (data center, twins) over 9 days, so that a week can be chosen."""
    scenario = load_scenario(REPO / "scenarios" / "isone_datacenter_week.yaml", ["horizon.hours=216", "horizon.storage_cycle=day",
                                                                                   "unit_commitment.mode=linear"])  # an LP: the report, not UC, is tested
    out = tmp_path_factory.mktemp("report") / "run"
    run_scenario(scenario, out, twins=True)
    return out


def _embedded(html: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def test_run_report_figures_and_self_contained_html(main_example):
    report = build_report(main_example)
    assert [path.name for path in report.figures] == RUN_FIGURES
    for path in report.figures:
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, path
    html = report.html.read_text(encoding="utf-8")
    assert report.html == main_example / "report" / "report.html"
    assert _embedded(html) == [path.read_bytes() for path in report.figures]   # every figure, in order, byte for byte
    assert "http://" not in html and "https://" not in html and "<script" not in html   # nothing loaded from elsewhere
    assert "Value of data-center flexibility" in html and "saving_vs_inflexible" in html
    assert "inflexible" in html and "ideal" in html
    assert "<td>total cost</td>" in html and "M USD2020/year" in html
    # 216 modelled hours scaled to 8760 h: each stands for 8760/216 = 40.56 h; said next to the annual figures.
    assert html.count("The 216 modelled hours are a sample scaled to a year: each stands for 40.56 h") == 2   # top of the page and twins
    assert html.index('<p class="horizon top">The 216 modelled hours') < html.index("<h2>Summary</h2>")
    assert "a sample of 216 modelled hours scaled to a year, each standing for 40.56 h, not a measured year" in html   # duration curves
    assert "<h2>Transmission" not in html   # one zone: no transmission section
    alts = re.findall(r'<img alt="([^"]*)"', html)
    assert len(alts) == len(RUN_FIGURES)
    assert alts[0].startswith("Horizontal bar chart of capacity by technology after the plan. zone isone: Nuclear ")
    assert alts[1].startswith("Stacked area chart of hourly generation by technology") and "demand" in alts[1]
    assert alts[2].startswith("Duration curves") and "a sample of 216 modelled hours" in alts[2]
    assert alts[3].startswith("Three panels for data center campus")


def test_default_week_is_around_peak_demand_and_week_option(main_example):
    balance = pd.read_csv(main_example / "balance.csv")
    balance["snapshot"] = snapshot_times(balance["snapshot"])  # 2026-11-30: written as UTC with Z
    peak = pd.Timestamp(balance.assign(load=balance.demand_mw + balance.datacenter_mw).set_index("snapshot")["load"].idxmax())
    start = choose_week(balance)
    assert start <= peak < start + pd.Timedelta(hours=168)
    first = pd.Timestamp(balance["snapshot"].iloc[0])
    last = pd.Timestamp(balance["snapshot"].iloc[-1])
    assert first <= start and start + pd.Timedelta(hours=167) <= last   # a whole week inside the 9 modelled days
    assert choose_week(balance, "2021-08-02") == pd.Timestamp("2021-08-02")
    with pytest.raises(InputDataError, match="outside the modelled hours"):
        choose_week(balance, "2022-01-01")


def test_cli_report_quiet_prints_the_html_path(main_example, tmp_path):
    result = runner.invoke(app, ["report", str(main_example), "--out", str(tmp_path / "r"), "--week", "2021-08-03", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "r" / "report.html")
    assert sorted(p.name for p in (tmp_path / "r").glob("*.png")) == sorted(RUN_FIGURES)
    bad = runner.invoke(app, ["report", str(tmp_path / "missing")])
    assert bad.exit_code == 2 and "no such folder" in bad.output


def test_sweep_report_with_a_failed_run(tmp_path):
    outcome = run_sweep(load_sweep(write_sweep(tmp_path)), tmp_path / "out", scheduler="synchronous")
    report = build_report(outcome.out_dir)
    assert [path.name for path in report.figures] == ["sweep_comparison.png"]
    assert report.figures[0].read_bytes().startswith(PNG) and report.figures[0].stat().st_size > 10_000
    html = report.html.read_text(encoding="utf-8")
    assert _embedded(html) == [report.figures[0].read_bytes()]
    assert 'class="failed"' in html and "infeasible" in html
    assert "co2_price_per_t=15" in html
    # The failed run's error is listed whole under the table (not squeezed into a column).
    assert "<h3>Runs that did not solve</h3><ul><li><b>co2_cap_t=10__allow_unserved_energy=false</b> (infeasible): " in html
    assert "policy.co2_cap_t: the cap of 10 t cannot be met" in html and "<th>error</th>" not in html


def test_week_window_chronological_and_representative_days(main_example):
    balance = pd.read_csv(main_example / "balance.csv")
    window = week_window(balance, choose_week(balance))
    assert not window.compressed and len(window.hours) == 168
    assert (window.display == window.hours).all()
    # Representative periods: 10 days scattered over the year, 24 h each → 7 of them, back to back.
    days = pd.to_datetime([f"2021-{m:02d}-15" for m in range(1, 11)])
    hours = [day + pd.Timedelta(hours=h) for day in days for h in range(24)]
    scattered = pd.DataFrame({"snapshot": [t.strftime("%Y-%m-%dT%H:%M") for t in hours], "zone": "z", "demand_mw": 1.0, "datacenter_mw": 0.0})
    window = week_window(scattered, pd.Timestamp("2021-03-01"))
    assert window.compressed and len(window.hours) == 7 * 24
    assert window.hours[0] == pd.Timestamp("2021-03-15") and window.hours[-1] == pd.Timestamp("2021-09-15T23:00")
    assert (window.display[1:] - window.display[:-1] == pd.Timedelta(hours=1)).all()
    assert "7 representative days" in window.title


def test_run_report_flags_load_shedding(tmp_path):
    # The hand-computed case of tests/metrics/test_shedding.py: 160 MWh shed during a 4-h outage, 24 h scaled to a year.
    from planning.config import validate_scenario
    from tests.metrics.test_shedding import shed_scenario

    run_scenario(validate_scenario(shed_scenario(tmp_path)), tmp_path / "run")
    html = build_report(tmp_path / "run").html.read_text(encoding="utf-8")
    assert ('<p class="warning">LOAD SHED: 160 MWh unserved and 4 loss-of-load hours during the stress events (4 h, unweighted)'
            in html)
    assert "58 400 MWh/year and 1 460 h/year annualised" in html
    assert "The 24 modelled hours are a sample scaled to a year: each stands for 365 h" in html
    assert "<td>load shed</td><td>yes</td>" in html and "<td>sample scaled to year</td><td>yes</td>" in html
