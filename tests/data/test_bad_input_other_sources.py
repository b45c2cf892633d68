"""Malformed population and LAIT files, and reproducible builds."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from sendcast.data.build import build_dataset, discover_inputs
from sendcast.data.lait import read_lait
from sendcast.data.population import POPULATION_SOURCES, read_population_file
from sendcast.data.store import save_dataset
from sendcast.runtime.errors import InputError

REPO = Path(__file__).resolve().parents[2]
POP = REPO / "data" / "raw" / "ons" / POPULATION_SOURCES[0].file
LAIT = REPO / "data" / "raw" / "lait" / "lait_bds_sen_measures_all_las_long.csv"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue())
    return path


def test_population_negative_value(tmp_path):
    rows = _rows(POP)
    rows[3][rows[0].index("2030")] = "-12"
    with pytest.raises(InputError) as caught:
        read_population_file(_write(tmp_path / POP.name, rows), POPULATION_SOURCES[0])
    assert (caught.value.row, caught.value.column) == (4, "2030")


def test_population_age_that_is_not_a_single_year(tmp_path):
    rows = _rows(POP)
    rows[2][rows[0].index("AGE_GROUP")] = "90+"
    with pytest.raises(InputError) as caught:
        read_population_file(_write(tmp_path / POP.name, rows), POPULATION_SOURCES[0])
    assert (caught.value.row, caught.value.column) == (3, "AGE_GROUP")


def test_population_missing_area(tmp_path):
    rows = _rows(POP)
    code = rows[0].index("AREA_CODE")
    for row in rows[1:]:
        row[code] = "E99999999"
    with pytest.raises(InputError, match="E10000013"):
        read_population_file(_write(tmp_path / POP.name, rows), POPULATION_SOURCES[0])


def test_population_duplicate_age(tmp_path):
    rows = _rows(POP)
    rows.insert(3, list(rows[2]))
    with pytest.raises(InputError, match="one row per area and age"):
        read_population_file(_write(tmp_path / POP.name, rows), POPULATION_SOURCES[0])


def _lait_sample(tmp_path: Path, edit) -> Path:
    rows = _rows(LAIT)
    header = rows[0]
    keep = [header] + [r for r in rows[1:] if r[0] in ("SEN_TotSENSuP", "SEN_TotStat")][:60]
    edit(keep)
    return _write(tmp_path / "lait.csv", keep)


def test_lait_unknown_la_number(tmp_path):
    path = _lait_sample(tmp_path, lambda rows: rows[5].__setitem__(rows[0].index("la_number"), "999.0"))
    with pytest.raises(InputError) as caught:
        read_lait(path, known_numbers={r[5].removesuffix(".0") for r in _rows(LAIT)[1:] if r[5]})
    assert (caught.value.row, caught.value.column, caught.value.found) == (6, "la_number", "999.0")


def test_lait_percentage_out_of_range(tmp_path):
    path = _lait_sample(tmp_path, lambda rows: rows[7].__setitem__(rows[0].index("value"), "115"))
    known = {r[5].removesuffix(".0") for r in _rows(LAIT)[1:] if r[5]}
    with pytest.raises(InputError) as caught:
        read_lait(path, known)
    assert (caught.value.row, caught.value.column) == (8, "value")


@pytest.mark.slow  # 17 CPU-s measured (fast tier: under 3)
def test_building_twice_gives_byte_identical_tables(tmp_path):
    inputs = discover_inputs(REPO / "data" / "raw")
    save_dataset(build_dataset(inputs), tmp_path / "a")
    save_dataset(build_dataset(inputs), tmp_path / "b")
    for name in ("measures.csv", "las.csv", "breaks.csv", "checks.csv", "neighbours.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
