"""Every malformed file, through the command a planner types: exit status 2 and one line
on stderr naming the file, the row and the column and what was expected; no traceback.
A byte-order mark is not an error."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from sendcast.cli import main
from tests import bad_input_corpus
from tests.bad_input_corpus import (CAPACITY_CASES, POPULATION, POPULATION_CASES, RELEASE_CASES, SMALL_AREA_CASES,
                                    TRUST_CASES, UNIT_COST_CASES, Case, scenario_cases)

_BUILT: dict[str, str] = {}


def _built_data() -> str:
    return _BUILT["data"]


CASES = (RELEASE_CASES + POPULATION_CASES + CAPACITY_CASES + UNIT_COST_CASES + SMALL_AREA_CASES
         + scenario_cases(_built_data) + TRUST_CASES)


@pytest.fixture(scope="module", autouse=True)
def built(data_dir: Path) -> None:
    """The shipped data built once, so that a scenario's LA can be looked up."""
    if not (data_dir / "processed" / "manifest.json").exists():
        assert main(["-q", "data", "build", "--data", str(data_dir)]) == 0
    _BUILT["data"] = str(data_dir)
    bad_input_corpus.BUILT["data"] = str(data_dir)


def run_case(case: Case, folder: Path, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    """Make the broken file, run the command, and return (exit status, stderr).

    An argument the parser refuses ends in ``SystemExit(2)``, as argparse does; that is
    the exit status the shell sees. A case that takes over :data:`HANG_SECONDS` fails
    (a named pipe or a zip bomb must be refused at once, not read).
    """
    argv = case.make(folder)
    if case.accepted and argv[0] == "disclose":
        argv += ["--out", str(folder / "out")]

    def hang(signum, frame):
        raise TimeoutError(f"{case.id} took over {HANG_SECONDS} s")

    timed = threading.current_thread() is threading.main_thread()  # signals reach the main thread only
    previous = signal.signal(signal.SIGALRM, hang) if timed else None
    signal.alarm(HANG_SECONDS if timed else 0)
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    return code, capsys.readouterr().err


HANG_SECONDS = 10


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_malformed_file_gives_one_line_naming_file_row_and_column(case: Case, tmp_path: Path, capsys):
    code, err = run_case(case, tmp_path, capsys)
    if case.accepted:
        assert code == 0, err
        return
    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("sendcast: error: "), err
    assert "Traceback" not in err and "\x1b" not in err and "\r" not in err.rstrip("\n")
    written = [p for p in tmp_path.rglob("*") if p.name == "manifest.json" or ".partial-" in p.name]
    assert not written, f"nothing that looks complete is written: {written}"
    message = lines[0]
    assert case.file in message and "expected" in message, message
    if case.row is not None:
        assert f", row {case.row}" in message, message
    if case.column is not None:
        assert f"column '{case.column}'" in message, message
    assert case.says in message, message


@pytest.mark.slow  # 5 CPU-s measured: two data builds (fast tier: under 3)
def test_a_broken_population_file_stops_the_build_and_keeps_the_old_tables(data_dir: Path, tmp_path: Path, capsys):
    root = tmp_path / "data"
    (root / "raw" / "ons").mkdir(parents=True)
    for part in ("sen2", "lait"):
        (root / "raw" / part).symlink_to(data_dir / "raw" / part, target_is_directory=True)
    population = data_dir / "raw" / "ons" / POPULATION.name
    text = population.read_text(encoding="utf-8").replace("6595.0", "-6595.0", 1)
    (root / "raw" / "ons" / POPULATION.name).write_text(text, encoding="utf-8")
    code = main(["-q", "data", "build", "--data", str(root)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{POPULATION.name}, row 2, column '2018': expected a population of 0 or more" in err
    assert not (root / "processed").exists()


def test_a_row_with_an_extra_comma_is_refused_not_shifted(tmp_path: Path, capsys):
    # pandas alone would read "a,b\n1,2,\n" as a=2, b='' (the first column becomes an index).
    path = tmp_path / "unit_costs.csv"
    path.write_text("placement_group,annual_cost_gbp,price_base,source\nehcp_ap,45000,2025-26,finance,\n")
    assert main(["check", "unit-costs", str(path)]) == 2
    assert "row 2: expected 4 cells on every row" in capsys.readouterr().err


def test_quoted_cells_with_commas_and_line_breaks_are_read_not_refused(tmp_path: Path, capsys):
    path = tmp_path / "capacity.csv"
    path.write_text('school,urn,phase,designation,places,from_year,to_year,source,confidence\n'
                    '"Alpha School, main site",100001,primary,ASD,120,,,"council list,\nJanuary 2025",high\n'
                    '"Beta ""New"" School",100002,secondary,SEMH,90,2027,,council plan,planned\n')
    assert main(["check", "capacity", str(path)]) == 0
    assert "210 places" in capsys.readouterr().out
