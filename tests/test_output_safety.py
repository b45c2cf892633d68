"""Outputs a user can trust (issue 22): spreadsheet text that cannot run as a formula,
run folders that never replace the user's own work, never half-written, never shared
more or less than the umask says, and a workbook that is the same bytes for the same
content. Counts are synthetic (made up for the tests)."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from sendcast.cli import main
from sendcast.reporting.workbook import Sheet, write_workbook
from sendcast.runtime import atomic, runs
from sendcast.runtime.safe_text import escape_controls, neutralise_cell, neutralise_frame

SYNTHETIC = "district,ASD,SEMH\nCheltenham,41,3\nStroud,28,9\n"  # synthetic


def _disclose(tmp_path: Path, capsys, *extra: str, out: str = "run") -> tuple[int, str]:
    source = tmp_path / "counts.csv"
    source.write_text(SYNTHETIC)
    code = main(["disclose", str(source), "--out", str(tmp_path / out), *extra])
    return code, capsys.readouterr().err


# ------------------------------------------------------------------ text
@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
                                  "=1", "-cmd|' /C calc'!A0"])
def test_formula_text_is_neutralised(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-5", "+1.5e3", "plain", "", 3.0, -2, None, "a=b", "-"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralise_cell(value) == value


def test_every_csv_sendcast_writes_neutralises_text_cells(tmp_path):
    frame = pd.DataFrame({"scenario": ["=cmd()", "ok", "@x"], "value": [-1.5, 2.0, 3.0], "=head": ["a", "b", "c"]})
    atomic.write_csv(tmp_path / "t.csv", frame)
    text = (tmp_path / "t.csv").read_text()
    assert text.splitlines() == ["scenario,value,'=head", "'=cmd(),-1.5,a", "ok,2,b", "'@x,3,c"]
    assert neutralise_frame(frame)["value"].tolist() == [-1.5, 2.0, 3.0]


def test_control_characters_are_escaped_in_messages():
    assert escape_controls("a\x1b[2Jb\rc\nd\x07") == "a\\x1b[2Jb\\rc\\nd\\x07"


def test_a_formula_area_name_reaches_the_protected_csv_as_text(tmp_path, capsys):
    source = tmp_path / "counts.csv"
    source.write_text("district,ASD,SEMH\n=1+1,41,3\nStroud,28,9\n")  # synthetic
    assert main(["disclose", str(source), "--out", str(tmp_path / "run")]) == 0
    written = (tmp_path / "run" / "protected.csv").read_text()
    assert "'=1+1" in written and "\n=1+1" not in written


def test_option_names_make_distinct_short_file_names():
    names = ["Option A", "option a", "OPTION-A", "x" * 300, "x" * 299 + "y", "Early identification"]
    made = runs.option_file_names(names)
    assert len(set(made.values())) == len(names)
    assert all(0 < len(part) <= runs.MAX_NAME_PART for part in made.values())
    assert made["Early identification"] == "early-identification"


# ------------------------------------------------------------------ workbook
def test_the_workbook_is_the_same_bytes_for_the_same_content(tmp_path):
    table = pd.DataFrame({"Scenario": ["=1+1", "base"], "Spend (£)": [1.5, 2.0]})
    digests = []
    for name in ("a.xlsx", "b.xlsx"):
        write_workbook(tmp_path / name, [Sheet("Spend", "Spend", "note", table, {"Spend (£)": "gbp"})])
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
        os.utime(tmp_path / name, (0, 0))
    assert digests[0] == digests[1]


def test_the_workbook_holds_no_formula(tmp_path):
    import zipfile
    table = pd.DataFrame({"Scenario": ["=HYPERLINK(\"http://x\",\"y\")", "+1"], "Spend": [1.0, 2.0]})
    write_workbook(tmp_path / "w.xlsx", [Sheet("Spend", "=title", "@note", table, {})])
    with zipfile.ZipFile(tmp_path / "w.xlsx") as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


# ------------------------------------------------------------------ run folders
def test_force_never_replaces_a_folder_sendcast_did_not_write(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "budget-2026.xlsx").write_bytes(b"the user's work")
    code, err = _disclose(tmp_path, capsys, "--force")
    assert code == 2 and err.count("\n") == 1 and "sendcast wrote" in err
    assert (tmp_path / "run" / "budget-2026.xlsx").read_bytes() == b"the user's work"


def test_force_refuses_a_sendcast_folder_the_user_has_added_to(tmp_path, capsys):
    assert _disclose(tmp_path, capsys)[0] == 0
    (tmp_path / "run" / "my notes.docx").write_bytes(b"mine")
    assert _disclose(tmp_path, capsys, "--force")[0] == 2
    assert (tmp_path / "run" / "my notes.docx").exists()


def test_force_replaces_a_folder_sendcast_wrote(tmp_path, capsys):
    assert _disclose(tmp_path, capsys)[0] == 0
    assert _disclose(tmp_path, capsys, "--force")[0] == 0
    assert (tmp_path / "run" / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv", "run"]


@pytest.mark.parametrize("out", [".", ".."])
def test_out_cannot_be_the_current_folder_or_above(tmp_path, capsys, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_text("keep")
    source = tmp_path / "counts.csv"
    source.write_text(SYNTHETIC)
    code = main(["disclose", str(source), "--out", out, "--force"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert (tmp_path / "mine.txt").read_text() == "keep"


def test_a_second_run_on_the_same_out_at_once_is_refused(tmp_path, capsys):
    target = tmp_path / "run"
    with runs._lock(target):  # a first run holds the folder
        code, err = _disclose(tmp_path, capsys)
    assert code == 2 and "another sendcast run" in err and not target.exists()
    assert _disclose(tmp_path, capsys)[0] == 0  # free again once the first has finished


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_full_or_read_only_disk_gives_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch, number):
    def refuse(path, data):
        raise OSError(number, os.strerror(number), str(path))
    monkeypatch.setattr(atomic, "write_bytes", refuse)
    code, err = _disclose(tmp_path, capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err and os.strerror(number) in err
    assert str(tmp_path) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv"]  # no run folder, no staging


def test_a_failure_after_the_manifest_leaves_no_complete_looking_folder(tmp_path, capsys, monkeypatch):
    def fail(source, target):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(source))
    monkeypatch.setattr(runs.os, "rename", fail)
    code, err = _disclose(tmp_path, capsys)
    assert code == 2 and err.count("\n") == 1
    assert not list(tmp_path.rglob("manifest.json")) and sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv"]


def test_files_and_folders_follow_the_umask(tmp_path, capsys):
    old = os.umask(0o027)
    try:
        assert _disclose(tmp_path, capsys)[0] == 0
    finally:
        os.umask(old)
    folder = tmp_path / "run"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o640}


@pytest.mark.slow  # 6 CPU-s measured (fast tier: under 3)
def test_a_read_only_data_folder_gives_one_line(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path / "data" / "processed"))
    monkeypatch.setattr(atomic, "make_staging_folder", refuse)
    (tmp_path / "data" / "raw").mkdir(parents=True)
    for part in ("sen2", "ons", "lait"):
        (tmp_path / "data" / "raw" / part).symlink_to(Path(__file__).resolve().parent.parent / "data" / "raw" / part)
    code = main(["-q", "data", "build", "--data", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "processed" in err and "Traceback" not in err


# ------------------------------------------------------------------ prices
@pytest.mark.slow  # 6 CPU-s measured (fast tier: under 3)
def test_a_unit_cost_file_keeps_its_own_price_base(dataset, tmp_path):
    """A file at 2025-26 prices, a scenario at 2025-26 prices: the cost is used as written,
    not inflated again from 2021-22 (the defaults' price base)."""
    from sendcast.money.unit_costs import read_unit_cost_file, restate_prices
    from sendcast.scenarios.files import load_scenario
    from sendcast.scenarios.parameters import la_history, placement_costs
    costs = tmp_path / "unit_costs.csv"
    costs.write_text("placement_group,annual_cost_gbp,price_base,source\n"
                     "ehcp_independent_special,80000,2025-26,finance team\n"
                     "ehcp_fe,20000,2023-24,finance team\n")  # illustrative figures
    scenario = tmp_path / "s.toml"
    scenario.write_text('[scenario]\nname = "t"\nla = "Gloucestershire"\nstart_year = 2025\n'
                        f'[costs]\nunit_costs_file = "{costs}"\nprice_base = "2025-26"\ninflation_pct = 2.0\n')
    loaded, _, _ = load_scenario(scenario)
    engine, _ = placement_costs(la_history(dataset, "Gloucestershire"), loaded)
    from simulation.parameters import PLACEMENTS
    by_placement = dict(zip(PLACEMENTS, engine.placement_gbp_per_year))
    assert by_placement["independent_special"] == pytest.approx(80_000)
    # past years are restated with HM Treasury's GDP deflator (sendcast.money.prices), not the inflation assumption
    from sendcast.money.prices import read_deflator
    fe = 20_000 * read_deflator().factor("2023-24", "2025-26")
    assert by_placement["fe"] == pytest.approx(fe)
    restated = restate_prices(read_unit_cost_file(costs), 2025, 0.02)
    assert restated["annual_cost_gbp"].tolist() == pytest.approx([80_000, fe])
    assert set(restated["price_base"]) == {"2025-26"}
