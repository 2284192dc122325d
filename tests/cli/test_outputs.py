"""Output folders: never clobbered, never debris, normal permissions (issue 12)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from planning.cli import _default_out
from planning.errors import PlanningError
from planning.io.writers import atomic_folder, output_folder_problems


def test_written_folder_has_the_users_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_folder(tmp_path / "out") as staging:
            (staging / "a.csv").write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755   # mkdtemp's 0700 would hide it from colleagues


def test_failure_removes_the_parents_it_created(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_folder(tmp_path / "results" / "deep" / "out"):
            raise RuntimeError("solve failed")
    assert list(tmp_path.iterdir()) == []


def test_stale_partial_folders_are_cleaned_next_time(tmp_path):
    stale = tmp_path / ".out.abc123.partial"
    stale.mkdir()
    (stale / "half.csv").write_text("x")
    other = tmp_path / ".other.abc.partial"   # another target's: not touched
    other.mkdir()
    with atomic_folder(tmp_path / "out") as staging:
        (staging / "a.csv").write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.abc.partial", "out"]


def test_a_file_is_never_renamed_away(tmp_path):
    (tmp_path / "out").write_text("mine")
    with pytest.raises(PlanningError, match="a file of that name exists"):
        with atomic_folder(tmp_path / "out"):
            pass
    assert (tmp_path / "out").read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_output_folder_rules(tmp_path):
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "summary.csv").write_text("x")
    assert "--force" in output_folder_problems(earlier)[0]
    assert output_folder_problems(earlier, force=True) == []
    assert output_folder_problems(tmp_path / "new") == []
    (tmp_path / "empty").mkdir()
    assert output_folder_problems(tmp_path / "empty", force=True) == []


def test_set_variants_get_their_own_default_folder():
    assert _default_out("isone-week", None) == Path("results/isone-week")
    assert _default_out("isone-week", ["policy.co2_price_per_t=100"]) == Path("results/isone-week--co2_price_per_t=100")
    assert _default_out("isone-week", ["policy.co2_price_per_t=100"], "-loop") == Path("results/isone-week-loop--co2_price_per_t=100")
    long = _default_out("x", [f"a.key_number_{i}={i}" for i in range(10)])
    assert len(long.name) < 80 and long != _default_out("x", [f"a.key_number_{i}={i + 1}" for i in range(10)])


def test_run_without_a_terminal_prints_timestamped_steps_and_never_clobbers(tmp_path):
    import re

    from typer.testing import CliRunner

    from planning.cli import app
    from tests.conftest import REPO

    runner = CliRunner()
    args = ["run", str(REPO / "scenarios" / "isone_two_zones.yaml"), "--out", str(tmp_path / "out"),
            "--set", "horizon.hours=24", "--set", "horizon.storage_cycle=day", "--set", "unit_commitment.mode=linear"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    steps = re.findall(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d \[ *\d+\.\d s\] (.+)$", first.output, flags=re.M)
    assert steps[:2] == ["reading inputs", "building the model"] and "writing results" in steps
    summary = (tmp_path / "out" / "summary.csv").read_bytes()

    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output and "Traceback" not in again.output
    assert (tmp_path / "out" / "summary.csv").read_bytes() == summary

    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_sweep_table_never_truncates_run_names():
    import pandas as pd
    from rich.console import Console

    from planning.cli import _frame_table

    name = "co2_price_per_t=150,it_capacity_mw=2000,horizon_hours=168,storage=week"
    frame = pd.DataFrame({"run": [name], "status": ["Optimal"], "total_cost": [1.23e9], "co2_t": [4.5e6], "wall_s": [12.0]})
    console = Console(width=60, record=True)
    console.print(_frame_table(frame, "sweep"))
    cells = [line.split("│")[1].strip() for line in console.export_text().splitlines() if line.startswith("│")]
    assert "".join(cells) == name


def test_frame_table_fits_80_columns_with_readable_numbers_and_whole_labels():
    import pandas as pd
    from rich.console import Console

    from planning.cli import _frame_table

    frame = pd.DataFrame({"metric": ["demand_weighted_price_per_mwh", "operating_cost", "mip_gap"],
                          "unit": ["USD2020/MWh", "USD2020 (investment and fixed O&M per year + operating cost per 2-h horizon)", ""],
                          "first_run_with_a_long_name": [43.51, 6.46454e9, 6.4e-10],
                          "second_run_with_a_long_name": [43.5, 6.5e9, 0.0006346],
                          "delta_second_run_with_a_long_name": [-0.01, 3.546e7, 0.0006346]})
    console = Console(width=80, record=True)
    console.print(_frame_table(frame, "summary differences"))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in "".join(lines) and "e+0" not in "".join(lines)
    cells = [line.split("│") for line in lines if line.startswith("│")]
    metric = " ".join(c[1].strip() for c in cells if c[1].strip())
    assert metric == "demand weighted price per MWh operating cost MIP gap"   # folded onto lines, never cut
    rows = [[cell.strip() for cell in c[2:6]] for c in cells if c[3].strip()]   # the first line of each row
    assert rows[0] == ["USD2020/MWh", "43.51", "43.5", "-0.01"]
    assert rows[1] == ["M USD2020", "6 465", "6 500", "35.46"]   # one scale per row: millions (the unit folds on)
    assert rows[2] == ["", "0", "0.000635", "0.000635"]   # 6.4e-10 is solver noise; no unit, so not scaled


def test_solver_heartbeat_and_timestamped_log_lines_without_a_terminal(tmp_path, monkeypatch):
    import re

    from typer.testing import CliRunner

    import planning.optimization.solve as solve
    from planning.cli import app
    from tests.conftest import REPO

    monkeypatch.setattr(solve, "HEARTBEAT_S", 0.0)   # every progress line HiGHS has becomes a heartbeat
    result = CliRunner().invoke(app, ["run", str(REPO / "scenarios" / "isone_two_zones.yaml"), "--out", str(tmp_path / "out"),
                                      "--set", "horizon.hours=24", "--set", "horizon.storage_cycle=day",
                                      "--set", "unit_commitment.mode=linear"])
    assert result.exit_code == 0, result.output
    beats = re.findall(r"^\[?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\]? +INFO +HiGHS \d+ s: iteration \d+, objective \S+", result.output, flags=re.M)
    assert beats, result.output
    # One number format: the objective as the terminal shows numbers (no 1.2e+09), whatever HiGHS printed.
    objectives = re.findall(r"HiGHS \d+ s: iteration \d+, objective ([^,]+),", result.output)
    assert objectives and not any(re.search(r"\de[+-]?\d", value) for value in objectives), objectives


def test_heartbeat_numbers_use_the_terminal_format():
    """HiGHS writes its objective as 6.4645412345e+09; the heartbeat shows it as the terminal does (6 464 541 234)."""
    import logging
    from types import SimpleNamespace

    import planning.optimization.solve as solve

    subscribed = {}
    highs = SimpleNamespace(cbLogging=SimpleNamespace(subscribe=lambda f: subscribed.setdefault("lp", f)),
                            cbMipInterrupt=SimpleNamespace(subscribe=lambda f: subscribed.setdefault("mip", f)))
    solve._heartbeat(highs, is_mip=False, interval_s=0.0)
    solve._heartbeat(highs, is_mip=True, interval_s=0.0)
    from planning.logging import get_logger

    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.INFO)
    handler.emit = records.append
    log = get_logger("solve")
    level, log.level = log.level, logging.INFO
    log.addHandler(handler)
    try:
        subscribed["lp"](SimpleNamespace(message="      12345     6.4645412345e+09 Pr: 12(3.4e+02) 4s"))
        subscribed["mip"](SimpleNamespace(data_out=SimpleNamespace(mip_dual_bound=6.4e9, mip_primal_bound=6.5e9, mip_gap=0.0154,
                                                                  mip_node_count=7)))
    finally:
        log.removeHandler(handler)
        log.level = level
    lines = [record.getMessage() for record in records if "HiGHS" in record.getMessage()]
    assert any("iteration 12345, objective 6 464 541 234, Pr: 12(340)" in line for line in lines), lines
    assert any("objective 6 500 000 000, bound 6 400 000 000, gap 1.54%, 7 nodes" in line for line in lines), lines
