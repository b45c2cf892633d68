"""The ``sendcast data`` commands, end to end, as a planner would use them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sendcast.cli import main
from tests.cli_run import run_cli as run
from tests.data.malformed import small_release


@pytest.fixture(scope="module")
def built(data_dir: Path) -> Path:
    """The session's data folder, built once (by whichever test module needs it first)."""
    if not (data_dir / "processed" / "manifest.json").exists():
        assert main(["-q", "data", "build", "--data", str(data_dir)]) == 0
    return data_dir


@pytest.mark.slow  # 8 CPU-s measured: a data build of its own (fast tier: under 3)
def test_build_writes_tables_and_a_manifest(data_dir, capsys):
    assert main(["data", "build", "--data", str(data_dir)]) == 0
    built = data_dir
    processed = built / "processed"
    manifest = json.loads((processed / "manifest.json").read_text())
    assert manifest["local_authorities"] == 158
    assert {i["path"] for i in manifest["inputs"]} >= {
        "sen2/education-health-and-care-plans_2022.zip", "sen2/education-health-and-care-plans_2025.zip"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["measures"]["ehcp_total"]["first_year"] == 2010
    assert manifest["checks"].get("fail", 0) == 0
    for name in ("measures.csv", "las.csv", "breaks.csv", "checks.csv"):
        assert (processed / name).stat().st_size > 0
    assert not list(built.glob(".processed*")), "no temporary folders left behind"


def test_show_csv_has_the_contract_columns(built, capsys):
    code, out, _ = run(capsys, "data", "show", "--data", str(built), "--la", "Gloucestershire",
                       "--measure", "ehcp_total", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert code == 0
    assert list(frame.columns) == ["la_code", "la_name", "measure", "breakdown", "year", "value"]
    assert frame.set_index("year")["value"][2025] == 6412


def test_show_england_table(built, capsys):
    code, out, _ = run(capsys, "data", "show", "--data", str(built), "--la", "England", "--measure", "ehcp_total")
    assert code == 0 and "638,745" in out and "England (E92000001)" in out


def test_unknown_la_exits_2_and_suggests(built, capsys):
    code, out, err = run(capsys, "data", "show", "--data", str(built), "--la", "Gloucestershre")
    assert code == 2 and "Gloucestershire" in err and "Traceback" not in err


def test_unknown_measure_exits_2_and_suggests(built, capsys):
    code, _, err = run(capsys, "data", "show", "--data", str(built), "--la", "916", "--measure", "ehcp_totl")
    assert code == 2 and "'ehcp_total'" in err


def test_las_lists_code_name_region_and_breaks(built, capsys):
    code, out, _ = run(capsys, "data", "las", "--data", str(built), "--format", "csv")
    las = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index("la_name")
    assert code == 0
    assert las.loc["Gloucestershire", "la_code"] == "E10000013"
    assert las.loc["Gloucestershire", "region"] == "South West"
    assert "series ends" in las.loc["Northamptonshire", "note"]


def test_summary_reads_like_a_briefing(built, capsys):
    code, out, _ = run(capsys, "summary", "--data", str(built), "--la", "Gloucestershire")
    assert code == 0 and "6,412" in out and "England x" in out and "calendar year" in out


@pytest.mark.slow  # 12 CPU-s measured (fast tier: under 3)
def test_a_newer_release_with_the_same_columns_needs_no_code_change(data_dir, tmp_path, capsys):
    # Make a "2026" release: the small 2025-format release with Gloucestershire's January
    # 2025 caseload relabelled as January 2026 and one child more.
    from tests.data.malformed import find_row, read, write_csv
    release = small_release(tmp_path / "release-2026")
    path = release / "data" / "caseload.csv"
    rows = read(path)
    index = find_row(rows, la_name="Gloucestershire", time_period="202425", breakdown_topic="All EHC plans")
    new = list(rows[index])
    header = rows[0]
    new[header.index("time_period")] = "202526"
    for column in ("ehcplans", "mainstream_total", "mainstream_la_maintained"):
        new[header.index(column)] = str(int(new[header.index(column)]) + 1)
    rows.append(new)
    write_csv(path, rows)
    root = tmp_path / "data"
    (root / "raw").mkdir(parents=True)
    for part in ("sen2", "lait", "ons"):
        (root / "raw" / part).symlink_to(data_dir / "raw" / part, target_is_directory=True)
    code, out, err = run(capsys, "data", "build", "--data", str(root), "--release", str(release))
    assert code == 0, err
    code, out, _ = run(capsys, "data", "show", "--data", str(root), "--la", "916", "--measure", "ehcp_total",
                       "--format", "csv")
    values = pd.read_csv(io.StringIO(out)).set_index("year")["value"]
    assert values[2026] == 6413 and values[2025] == 6412 and values[2010] == 2248


def test_a_broken_release_names_file_row_and_column_through_the_cli(data_dir, tmp_path, capsys):
    from tests.data.malformed import find_row, read, write_csv
    release = small_release(tmp_path / "broken")
    path = release / "data" / "newplans.csv"
    rows = read(path)
    index = find_row(rows, la_name="Wiltshire", time_period="2023", breakdown_topic="New EHC plans")
    rows[index][rows[0].index("new_ehc_plans")] = "12O"
    write_csv(path, rows)
    root = tmp_path / "data"
    (root / "raw" / "sen2").mkdir(parents=True)
    code, _, err = run(capsys, "data", "build", "--data", str(root), "--release", str(release))
    assert code == 2
    assert f"newplans.csv, row {index + 1}, column 'new_ehc_plans'" in err and "'12O'" in err
    assert "Traceback" not in err
    assert not (root / "processed").exists()


@pytest.mark.slow  # 3 CPU-s measured (fast tier: under 3)
def test_the_console_script_runs(built):
    result = subprocess.run([str(Path(sys.executable).parent / "sendcast"), "data", "show", "--data", str(built),
                             "--la", "England", "--measure", "ehcp_total", "--format", "csv"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "E92000001,England,ehcp_total,,2025,638745" in result.stdout


@pytest.mark.slow  # 9 CPU-s measured (fast tier: under 3)
def test_building_never_modifies_the_raw_files(data_dir, capsys):
    from sendcast.runtime.files import sha256
    raw = sorted(p for p in (data_dir / "raw").resolve().rglob("*") if p.is_file())
    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in raw}
    assert main(["data", "build", "--data", str(data_dir)]) == 0
    after = {p: (sha256(p), p.stat().st_mtime_ns) for p in raw}
    assert before == after and len(raw) >= 6
