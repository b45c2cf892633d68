"""Build small, real-format SEN2 releases (cut from the shipped 2025 zip) to break on purpose."""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from pathlib import Path

from sendcast.data.sources import FORMAT_2025

REPO = Path(__file__).resolve().parents[2]
ZIP_2025 = REPO / "data" / "raw" / "sen2" / "education-health-and-care-plans_2025.zip"
KEEP = {"Gloucestershire", "Wiltshire"}


def _rows(name: str) -> list[list[str]]:
    return [list(row) for row in _cut_rows(name)]  # a fresh copy: callers break rows in place


@functools.lru_cache(maxsize=None)
def _cut_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of ``name`` kept from the shipped zip, read once per test process."""
    with zipfile.ZipFile(ZIP_2025) as archive:
        text = archive.read(f"data/{name}").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    level, la = header.index("geographic_level"), header.index("la_name")
    keep = [r for r in body if r[level] == "National" or r[la] in KEEP]
    return tuple(tuple(row) for row in [header] + keep)


def write_csv(path: Path, rows: list[list[str]], *, bom: bool = True) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8"))


def small_release(folder: Path) -> Path:
    """A 2025-format release folder with England, Gloucestershire and Wiltshire rows."""
    data = folder / "data"
    data.mkdir(parents=True)
    for name in {spec.file for spec in FORMAT_2025}:
        write_csv(data / name, _rows(name))
    return folder


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def find_row(rows: list[list[str]], **match: str) -> int:
    """Index (0-based, header = 0) of the first row matching column=value pairs."""
    header = rows[0]
    for index, row in enumerate(rows[1:], start=1):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return index
    raise LookupError(match)
