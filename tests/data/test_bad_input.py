"""Malformed published files are refused with a message naming file, row and column.

Each case starts from a small real-format release and breaks one thing.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from sendcast.data.release import open_release
from sendcast.data.sen2 import read_release
from sendcast.runtime.errors import InputError
from tests.data.malformed import find_row, read, small_release, write_csv


@pytest.fixture()
def release(tmp_path: Path) -> Path:
    return small_release(tmp_path / "release")


def _break_cell(release: Path, file: str, column: str, value: str, **match: str) -> int:
    path = release / "data" / file
    rows = read(path)
    index = find_row(rows, **match)
    rows[index][rows[0].index(column)] = value
    write_csv(path, rows)
    return index + 1  # spreadsheet row number (header is row 1)


def _error(release: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_release(open_release(release))
    return caught.value


def test_the_small_release_reads_cleanly(release):
    tables = read_release(open_release(release))
    glos = tables.measures[(tables.measures["la_key"] == "916") & (tables.measures["measure"] == "ehcp_total")
                           & (tables.measures["breakdown"] == "")]
    assert glos.set_index("year")["value"][2025] == 6412


def test_text_in_a_count_column(release):
    row = _break_cell(release, "caseload.csv", "special_total", "twelve",
                      la_name="Gloucestershire", time_period="202425", breakdown_topic="All EHC plans")
    # special_total is not read; special_la_maintained is.
    row = _break_cell(release, "caseload.csv", "special_la_maintained", "twelve",
                      la_name="Gloucestershire", time_period="202425", breakdown_topic="All EHC plans")
    error = _error(release)
    assert error.path.endswith("caseload.csv") and error.row == row
    assert error.column == "special_la_maintained" and error.found == "twelve"
    assert "whole number" in str(error)


def test_negative_count(release):
    row = _break_cell(release, "requests.csv", "requests_received_in_year", "-5",
                      la_name="Wiltshire", time_period="2023",
                      breakdown_topic="All requests for EHC needs assessments")
    error = _error(release)
    assert (error.row, error.column, error.found) == (row, "requests_received_in_year", "-5")


def test_fractional_count(release):
    _break_cell(release, "newplans.csv", "new_ehc_plans", "12.5", la_name="Wiltshire", time_period="2023",
                breakdown_topic="New EHC plans")
    assert "whole number" in str(_error(release))


def test_percentage_out_of_range(release):
    row = _break_cell(release, "timeliness_20_week.csv", "pc_plans_issued_within_20_weeks", "140",
                      la_name="Wiltshire", time_period="2023", breakdown_topic="All EHC plans issued")
    error = _error(release)
    assert error.row == row and "0 to 100" in str(error)


def test_missing_column(release):
    path = release / "data" / "assessments.csv"
    rows = read(path)
    drop = rows[0].index("assess_not_issued")
    write_csv(path, [r[:drop] + r[drop + 1:] for r in rows])
    error = _error(release)
    assert error.path.endswith("assessments.csv") and error.row == 1
    assert "assess_not_issued" in str(error)


def test_renamed_column(release):
    path = release / "data" / "caseload.csv"
    rows = read(path)
    rows[0][rows[0].index("ehcplans")] = "ehc_plans_total"
    write_csv(path, rows)
    assert "columns ehcplans" in str(_error(release))


def test_duplicate_key(release):
    path = release / "data" / "ceased_plans.csv"
    rows = read(path)
    index = find_row(rows, la_name="Gloucestershire", time_period="2024", breakdown_topic="All ceased EHC plans")
    rows.insert(index + 1, list(rows[index]))
    write_csv(path, rows)
    error = _error(release)
    assert error.path.endswith("ceased_plans.csv") and error.row == index + 2
    assert "one row per area and year" in str(error)


def test_year_in_the_wrong_format(release):
    row = _break_cell(release, "caseload.csv", "time_period", "2024/25",
                      la_name="Gloucestershire", time_period="202425", breakdown_topic="All EHC plans")
    error = _error(release)
    assert (error.row, error.column, error.found) == (row, "time_period", "2024/25")


def test_academic_year_whose_halves_are_not_consecutive(release):
    _break_cell(release, "caseload.csv", "time_period", "202427",
                la_name="Gloucestershire", time_period="202425", breakdown_topic="All EHC plans")
    assert _error(release).column == "time_period"


def test_malformed_la_code(release):
    row = _break_cell(release, "newplans.csv", "new_la_code", "E1000013",
                      la_name="Gloucestershire", time_period="2024", breakdown_topic="New EHC plans")
    error = _error(release)
    assert (error.row, error.column) == (row, "new_la_code")


def test_empty_file(release):
    (release / "data" / "requests.csv").write_bytes(b"")
    error = _error(release)
    assert error.path.endswith("requests.csv") and "empty" in str(error)


def test_header_only(release):
    path = release / "data" / "requests.csv"
    write_csv(path, read(path)[:1])
    assert "at least one data row" in str(_error(release))


def test_wrong_encoding(release):
    path = release / "data" / "caseload.csv"
    text = path.read_bytes().decode("utf-8-sig").replace("Gloucestershire", "Gloucestershire\u00e9", 1)
    path.write_bytes(text.encode("cp1252"))
    error = _error(release)
    assert "UTF-8" in str(error) and error.row is not None and error.row > 1


def test_byte_order_mark_is_optional(release):
    for path in (release / "data").glob("*.csv"):
        write_csv(path, read(path), bom=False)
    tables = read_release(open_release(release))
    assert not tables.measures.empty


def test_markers_are_missing_not_zero(release):
    _break_cell(release, "requests.csv", "requests_received_in_year", "c", la_name="Wiltshire",
                time_period="2023", breakdown_topic="All requests for EHC needs assessments")
    tables = read_release(open_release(release))
    rows = tables.measures[(tables.measures["la_key"] == "865") & (tables.measures["measure"] == "requests")]
    assert rows.set_index("year")["value"].isna()[2023]


def test_truncated_zip(release, tmp_path):
    archive = Path(shutil.make_archive(str(tmp_path / "release"), "zip", release))
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as caught:
        open_release(archive)
    assert caught.value.path == str(archive) and "truncated" in str(caught.value)


def test_a_folder_that_is_not_a_release(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as caught:
        read_release(open_release(tmp_path / "notes"))
    assert "caseload.csv" in str(caught.value)


def test_zip_and_extracted_folder_give_the_same_table(release, tmp_path):
    archive = shutil.make_archive(str(tmp_path / "zipped"), "zip", release)
    with zipfile.ZipFile(archive) as z:
        assert any(n.endswith("caseload.csv") for n in z.namelist())
    from_folder = read_release(open_release(release)).measures
    from_zip = read_release(open_release(Path(archive))).measures
    assert from_folder.drop(columns="source").equals(from_zip.drop(columns="source"))
