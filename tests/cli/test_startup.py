"""The command line starts fast: importing it pulls in none of the heavy libraries (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from planning import __version__
from planning.cli import app, hoist_options
from tests.conftest import REPO

HEAVY = ("sklearn", "matplotlib", "dask", "distributed", "pyomo", "scipy", "tsam", "highspy")


def _modules_after(code: str) -> dict:
    probe = f"import sys, json\n{code}\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_import_cli_pulls_in_no_heavy_library():
    loaded = _modules_after("import planning.cli")
    assert not any(loaded.values()), {m for m, v in loaded.items() if v}


def test_validate_full_year_without_pyomo_or_sklearn():
    # isone_2030 has no data center: nothing to build, no card to read. (xarray itself imports dask when it is installed.)
    code = ("from typer.testing import CliRunner\nfrom planning.cli import app\n"
            "result = CliRunner().invoke(app, ['validate', 'scenarios/isone_2030.yaml'])\nassert result.exit_code == 0, result.output")
    loaded = _modules_after(code)
    assert not loaded["pyomo"] and not loaded["sklearn"] and not loaded["matplotlib"] and not loaded["highspy"], loaded


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"planning {__version__}"


def test_options_are_hoisted_around_the_command_name():
    assert hoist_options(["run", "x.yaml", "--debug"]) == ["--debug", "run", "x.yaml"]
    assert hoist_options(["-v", "run", "x.yaml"]) == ["run", "-v", "x.yaml"]
    assert hoist_options(["--quiet", "--debug", "sweep", "s.yaml"]) == ["--debug", "sweep", "--quiet", "s.yaml"]
    assert hoist_options(["run", "--", "--debug"]) == ["run", "--", "--debug"]   # after "--" nothing is touched


def test_debug_after_the_command_shows_the_traceback(tmp_path):
    missing = str(tmp_path / "none.yaml")
    plain = CliRunner().invoke(app, ["validate", missing])
    assert plain.exit_code == 2 and plain.exception is not None and isinstance(plain.exception, SystemExit)
    debug = CliRunner().invoke(app, ["validate", missing, "--debug"])
    assert debug.exit_code != 0 and type(debug.exception).__name__ == "ScenarioError"


def test_help_documents_exit_codes_and_quiet_verbose_everywhere():
    text = " ".join(CliRunner().invoke(app, ["--help"]).output.split())
    assert "2 invalid input" in text and "3 no usable solution" in text and "4 some runs of a sweep" in text and "5 load was shed" in text
    for command in ("run", "fit", "sweep", "report", "loop", "stress", "headroom"):
        help_text = CliRunner().invoke(app, [command, "--help"]).output
        assert "--verbose" in help_text and "--quiet" in help_text, command
