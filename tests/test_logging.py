"""Logging: results on stdout, log lines and errors on stderr; ``--verbose`` shows
progress and decisions, ``--quiet`` only errors, and no log line echoes a council's
own data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sendcast.cli import main
from tests.cli_run import run_cli as _run

RELEASE_2025 = Path(__file__).resolve().parent.parent / "data" / "raw" / "sen2" / "education-health-and-care-plans_2025.zip"
#: Synthetic counts with names and numbers that could not appear in a log by chance.
PRIVATE = "school,Need-Alpha,Need-Beta\nSchool-Quokka,4137,3\nSchool-Wombat,2,9\n"


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[int, str, str]]:
    """The 2025 release checked at each noise level (it withholds 15 values, with a warning)."""
    results = {}
    for noise in ("default", "quiet", "verbose"):
        argv = ["check", "release", str(RELEASE_2025)] + ([] if noise == "default" else [f"--{noise}"])
        result = subprocess.run([str(Path(sys.executable).parent / "sendcast"), *argv],
                                capture_output=True, text=True, check=False)
        results[noise] = (result.returncode, result.stdout, result.stderr)
    return results


@pytest.mark.slow  # 12 CPU-s measured (fast tier: under 3)
def test_by_default_warnings_go_to_stderr_and_results_to_stdout(runs):
    code, out, err = runs["default"]
    assert code == 0 and out.count("\n") == 1 and "2025-format SEN2 release" in out
    assert err.startswith("WARNING: ") and "withheld" in err and "INFO" not in err


@pytest.mark.slow  # shares runs: three release checks in new processes, 11 CPU-s measured
def test_quiet_leaves_only_the_result(runs):
    code, out, err = runs["quiet"]
    assert code == 0 and err == "" and out == runs["default"][1]


@pytest.mark.slow  # shares runs: three release checks in new processes, 11 CPU-s measured
def test_verbose_explains_each_decision_on_stderr_only(runs):
    code, out, err = runs["verbose"]
    assert code == 0 and out == runs["default"][1]
    assert err.count("INFO: ") >= 16 and "row 2095, column 'new_ehc_plans'" in err


def test_errors_go_to_stderr_even_when_quiet(tmp_path, capsys):
    code, out, err = _run(capsys, "check", "capacity", str(tmp_path / "missing.csv"), "-q")
    assert code == 2 and out == "" and err.startswith("sendcast: error: ") and err.count("\n") == 1


def test_verbose_and_quiet_together_are_refused(capsys):
    with pytest.raises(SystemExit) as caught:  # argparse's usage error: exit status 2
        main(["-v", "data", "measures", "-q"])
    assert caught.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_repeated_runs_in_one_process_take_their_own_level(tmp_path, capsys):
    path = tmp_path / "counts.csv"
    path.write_text(PRIVATE)
    assert _run(capsys, "-v", "disclose", str(path), "--out", str(tmp_path / "a"))[2].startswith("INFO: ")
    assert _run(capsys, "disclose", str(path), "--out", str(tmp_path / "b"))[2] == ""


@pytest.mark.slow  # 3.5 CPU-s measured: a fresh process through the installed entry point (fast tier: under 3)
def test_no_log_line_or_output_message_echoes_the_councils_own_data(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(PRIVATE)
    result = subprocess.run([str(Path(sys.executable).parent / "sendcast"), "--verbose", "disclose", str(path),
                             "--out", str(tmp_path / "run")], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "INFO: disclosure control" in result.stderr
    for private in ("School-Quokka", "School-Wombat", "4137", "Need-Alpha"):
        assert private not in result.stderr + result.stdout


def test_verbose_keeps_library_noise_out_unless_asked_twice():
    """``-v`` shows sendcast's own progress and decisions; matplotlib's font search and other
    libraries' debug lines only with ``-vv``."""
    import logging

    from sendcast.cli import _log_to_stderr

    _log_to_stderr(logging.DEBUG, libraries=logging.WARNING)
    assert logging.getLogger("matplotlib.font_manager").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("sendcast.scenarios").getEffectiveLevel() == logging.DEBUG
    _log_to_stderr(logging.DEBUG, libraries=logging.DEBUG)
    assert logging.getLogger("matplotlib.font_manager").getEffectiveLevel() == logging.DEBUG
    _log_to_stderr(logging.WARNING)


def test_announce_says_which_step_is_running_unless_quiet(capsys):
    from sendcast.runtime.progress import announce

    announce(2, 4, "forecasting the statistical neighbours")
    announce(3, 4, "simulating", quiet=True)
    err = capsys.readouterr().err
    assert err == "[2/4] forecasting the statistical neighbours\n"
