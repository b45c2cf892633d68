"""The malformed-input corpus: every kind of file a user hands sendcast, broken in each
way the trust issue lists, and the command that reads it.

Each :class:`Case` makes its broken file under a temporary folder and says what the one
line on stderr must name. The files are small copies of the shipped, real files with one
thing broken; the small-area counts are synthetic (made up for the tests).
Cases that cannot arise for a kind of file are listed in :data:`NOT_APPLICABLE` with the
reason, so the corpus says what it does not cover.
"""

from __future__ import annotations

import atexit
import csv
import functools
import io
import os
import shutil
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sendcast.data.population import POPULATION_SOURCES
from tests.data.malformed import find_row, read, small_release, write_csv

REPO = Path(__file__).resolve().parent.parent
POPULATION = REPO / "data" / "raw" / "ons" / POPULATION_SOURCES[0].file
CAPACITY = ("school,urn,phase,designation,places,from_year,to_year,source,confidence\n"
            "Alpha School,100001,primary,ASD,120,,,council list,high\n"
            "Beta School,100002,secondary,SEMH,90,2027,,council plan,planned\n")
UNIT_COSTS = ("placement_group,annual_cost_gbp,price_base,source\n"
              "ehcp_independent_special,82000,2025-26,finance team\n"
              "ehcp_ap,45000,2025-26,finance team\n")
SCENARIO = ('[scenario]\nname = "test"\nla = "Gloucestershire"\nstart_year = 2025\nreplications = 10\n'
            '[costs]\nprice_base = "2025-26"\ninflation_pct = 2.0\n')
SMALL_AREA = "district,ASD,SEMH,SLCN\nCheltenham,41,3,17\nStroud,28,0,9\nTewkesbury,12,7,2\n"  # synthetic


@dataclass(frozen=True)
class Case:
    """One malformed file: ``make(folder)`` writes it and returns the command's arguments.

    ``row`` and ``column`` are what the message must name (``None``: the problem is with
    the file as a whole, or the key is absent); ``says`` a phrase it must contain;
    ``accepted`` marks a variation that is not an error (a byte-order mark).
    """

    kind: str
    name: str
    make: Callable[[Path], list[str]]
    file: str
    row: int | None = None
    column: str | None = None
    says: str = ""
    accepted: bool = False
    family: str = "format"

    @property
    def id(self) -> str:
        return f"{self.kind}: {self.name}" if self.family == "format" else f"{self.family}: {self.kind}: {self.name}"


# ---------------------------------------------------------------- helpers
def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _write_rows(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _drop_column(rows: list[list[str]], name: str) -> list[list[str]]:
    index = rows[0].index(name)
    return [r[:index] + r[index + 1:] for r in rows]


def _rename_column(rows: list[list[str]], old: str, new: str) -> list[list[str]]:
    rows = [list(r) for r in rows]
    rows[0][rows[0].index(old)] = new
    return rows


def _set(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in rows]
    rows[row - 1][rows[0].index(column)] = value
    return rows


def _truncate(path: Path) -> None:
    """Cut the file short mid-row, as an interrupted download is."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])


def _truncate_at_line_end(path: Path) -> None:
    """Cut the file short at the end of a row (the harder case)."""
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\n", 0, int(len(data) * 0.6)) + 1])


def _cp1252(path: Path, old: str, new: str) -> None:
    path.write_bytes(path.read_bytes().decode("utf-8-sig").replace(old, new, 1).encode("cp1252"))


def _bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


# ---------------------------------------------------------------- SEN2 release (folder or zip)
@functools.cache
def _template() -> Path:
    """The small real-format release, cut from the shipped zip once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="sendcast-small-release-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return small_release(folder / "release")


def _release(folder: Path) -> Path:
    return Path(shutil.copytree(_template(), folder / "release"))


def _release_cell(file: str, column: str, value: str, **match: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        release = _release(folder)
        path = release / "data" / file
        rows = read(path)
        rows[find_row(rows, **match)][rows[0].index(column)] = value
        write_csv(path, rows)
        return ["check", "release", str(release)]
    return make


_GLOS_2025 = {"la_name": "Gloucestershire", "time_period": "202425", "breakdown_topic": "All EHC plans"}


def _row_of(file: str, **match: str) -> int:
    """Spreadsheet row (header = 1) of a row in the small release."""
    return find_row(read(_template() / "data" / file), **match) + 1


def _release_zip(folder: Path, edit: Callable[[Path], None] | None = None) -> Path:
    release = _release(folder)
    if edit is not None:
        edit(release)
    return Path(shutil.make_archive(str(folder / "download"), "zip", release))


def _truncated_zip(folder: Path) -> list[str]:
    archive = _release_zip(folder)
    _truncate(archive)
    return ["check", "release", str(archive)]


def _release_bom(folder: Path) -> list[str]:
    return ["check", "release", str(_release_zip(folder))]  # malformed.write_csv writes a BOM on every file


def _release_no_bom(folder: Path) -> list[str]:
    def strip(release: Path) -> None:
        for path in (release / "data").glob("*.csv"):
            write_csv(path, read(path), bom=False)
    return ["check", "release", str(_release_zip(folder, strip))]


def _release_edit(file: str, edit: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        release = _release(folder)
        path = release / "data" / file
        write_csv(path, edit(read(path)))
        return ["check", "release", str(release)]
    return make


def _duplicate_row(match: dict[str, str]) -> Callable[[list[list[str]]], list[list[str]]]:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        index = find_row(rows, **match)
        return rows[: index + 1] + [list(rows[index])] + rows[index + 1:]
    return edit


def _unknown_la_number(rows: list[list[str]]) -> list[list[str]]:
    index = find_row(rows, **_GLOS_2025)
    rows[index][rows[0].index("old_la_code")] = "999"
    return rows


def _release_file(file: str, write: Callable[[Path], None]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        release = _release(folder)
        write(release / "data" / file)
        return ["check", "release", str(release)]
    return make


RELEASE_CASES = [
    Case("release", "truncated zip", _truncated_zip, "download.zip", says="truncated"),
    Case("release", "missing column", _release_edit("assessments.csv", lambda r: _drop_column(r, "assess_not_issued")),
         "assessments.csv", row=1, says="assess_not_issued"),
    Case("release", "renamed column",
         _release_edit("caseload.csv", lambda r: _rename_column(r, "ehcplans", "ehc_plans_total")),
         "caseload.csv", row=1, says="columns ehcplans"),
    Case("release", "byte-order mark (zip)", _release_bom, "download.zip", accepted=True),
    Case("release", "no byte-order mark (zip)", _release_no_bom, "download.zip", accepted=True),
    Case("release", "text in a count", _release_cell("caseload.csv", "special_la_maintained", "twelve", **_GLOS_2025),
         "caseload.csv", row=_row_of("caseload.csv", **_GLOS_2025), column="special_la_maintained",
         says="whole number"),
    Case("release", "negative count",
         _release_cell("requests.csv", "requests_received_in_year", "-5", la_name="Wiltshire", time_period="2023",
                       breakdown_topic="All requests for EHC needs assessments"),
         "requests.csv", row=_row_of("requests.csv", la_name="Wiltshire", time_period="2023",
                                     breakdown_topic="All requests for EHC needs assessments"),
         column="requests_received_in_year", says="0 or more"),
    Case("release", "duplicate key",
         _release_edit("ceased_plans.csv", _duplicate_row({"la_name": "Gloucestershire", "time_period": "2024",
                                                           "breakdown_topic": "All ceased EHC plans"})),
         "ceased_plans.csv", row=_row_of("ceased_plans.csv", la_name="Gloucestershire", time_period="2024",
                                         breakdown_topic="All ceased EHC plans") + 1,
         says="one row per area and year"),
    Case("release", "year in the wrong format", _release_cell("caseload.csv", "time_period", "2024/25", **_GLOS_2025),
         "caseload.csv", row=_row_of("caseload.csv", **_GLOS_2025), column="time_period", says="202425"),
    Case("release", "unknown LA number", _release_edit("caseload.csv", _unknown_la_number),
         "caseload.csv", row=_row_of("caseload.csv", **_GLOS_2025), column="old_la_code", says="LA number 916"),
    Case("release", "malformed LA code", _release_cell("caseload.csv", "new_la_code", "E1000013", **_GLOS_2025),
         "caseload.csv", row=_row_of("caseload.csv", **_GLOS_2025), column="new_la_code", says="E10000013"),
    Case("release", "empty file", _release_file("requests.csv", lambda p: p.write_bytes(b"")),
         "requests.csv", says="empty file"),
    Case("release", "wrong encoding",
         _release_file("caseload.csv", lambda p: _cp1252(p, "Gloucestershire", "Gloucestershire\u00e9")),
         "caseload.csv", row=_row_of("caseload.csv", la_name="Gloucestershire"), says="UTF-8"),
]


# ---------------------------------------------------------------- ONS population projection
def _population(edit: Callable[[Path], None]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = folder / POPULATION.name
        path.write_bytes(POPULATION.read_bytes())
        edit(path)
        return ["check", "population", str(path)]
    return make


def _population_rows(edit: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path], None]:
    return lambda path: _write_rows(path, edit(_csv(path.read_text(encoding="utf-8-sig"))))


def _duplicate_line(rows: list[list[str]], row: int) -> list[list[str]]:
    return rows[:row] + [list(rows[row - 1])] + rows[row:]


POPULATION_CASES = [
    Case("population", "truncated mid-row", _population(_truncate), POPULATION.name, says="line break"),
    Case("population", "truncated at a row end", _population(_truncate_at_line_end), POPULATION.name,
         column="AGE_GROUP", says="ages 0-25"),
    Case("population", "missing column", _population(_population_rows(lambda r: _drop_column(r, "AGE_GROUP"))),
         POPULATION.name, row=1, says="AGE_GROUP"),
    Case("population", "renamed column",
         _population(_population_rows(lambda r: _rename_column(r, "AREA_CODE", "area_code"))),
         POPULATION.name, row=1, says="AREA_CODE"),
    Case("population", "byte-order mark", _population(_bom), POPULATION.name, accepted=True),
    Case("population", "text in a count", _population(_population_rows(lambda r: _set(r, 4, "2030", "lots"))),
         POPULATION.name, row=4, column="2030", says="a number"),
    Case("population", "negative count", _population(_population_rows(lambda r: _set(r, 4, "2030", "-12"))),
         POPULATION.name, row=4, column="2030", says="0 or more"),
    Case("population", "duplicate key", _population(_population_rows(lambda r: _duplicate_line(r, 3))),
         POPULATION.name, row=4, column="AGE_GROUP", says="one row per area and age"),
    Case("population", "year in the wrong format",
         _population(_population_rows(lambda r: _rename_column(r, "2030", "2030-31"))),
         POPULATION.name, row=1, column="2030-31", says="such as 2030"),
    Case("population", "unknown area code", _population(_population_rows(lambda r: _set(r, 6, "AREA_CODE", "E1000013"))),
         POPULATION.name, row=6, column="AREA_CODE", says="nine-character"),
    Case("population", "area code of another area on one row",
         _population(_population_rows(lambda r: _set(r, 6, "AREA_CODE", "E10000014"))),
         POPULATION.name, column="AGE_GROUP", says="ages 0-25"),
    Case("population", "empty file", _population(lambda p: p.write_bytes(b"")), POPULATION.name, says="empty file"),
    Case("population", "wrong encoding", _population(lambda p: _cp1252(p, "Gloucestershire", "Gloucestershire\u00e9")),
         POPULATION.name, row=2, says="UTF-8"),
]


# ---------------------------------------------------------------- capacity, unit costs, small-area counts
def _text_file(kind: str, command: list[str], name: str, text: str,
               edit: Callable[[Path], None] | None = None) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        if edit is not None:
            edit(path)
        return [*command, str(path)]
    return make


def _rows_edit(edit: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path], None]:
    return lambda path: _write_rows(path, edit(_csv(path.read_text(encoding="utf-8-sig"))))


def _file_cases(kind: str, command: list[str], name: str, text: str, cases: list[tuple]) -> list[Case]:
    out = []
    for label, edit, extra in cases:
        out.append(Case(kind, label, _text_file(kind, command, name, text, edit), name, **extra))
    return out


CAPACITY_CASES = _file_cases("capacity", ["check", "capacity"], "E10000013.csv", CAPACITY, [
    ("truncated mid-row", _truncate, {"row": 2, "says": "line break"}),
    ("missing column", _rows_edit(lambda r: _drop_column(r, "places")), {"row": 1, "says": "places"}),
    ("renamed column", _rows_edit(lambda r: _rename_column(r, "places", "places_total")), {"row": 1, "says": "places"}),
    ("byte-order mark", _bom, {"accepted": True}),
    ("text in a count", _rows_edit(lambda r: _set(r, 2, "places", "sixty")), {"row": 2, "column": "places"}),
    ("negative count", _rows_edit(lambda r: _set(r, 3, "places", "-3")), {"row": 3, "column": "places"}),
    ("count too large to be true", _rows_edit(lambda r: _set(r, 3, "places", "9" * 25)),
     {"row": 3, "column": "places", "says": "below 1,000,000,000"}),
    ("duplicate key", _rows_edit(lambda r: r + [list(r[1])]), {"row": 4, "column": "school", "says": "once"}),
    ("year in the wrong format", _rows_edit(lambda r: _set(r, 3, "from_year", "2027/28")),
     {"row": 3, "column": "from_year"}),
    ("two-digit year", _rows_edit(lambda r: _set(r, 3, "from_year", "27")), {"row": 3, "column": "from_year",
                                                                              "says": "such as 2027"}),
    ("empty file", lambda p: p.write_bytes(b""), {"says": "empty file"}),
    ("wrong encoding", lambda p: _cp1252(p, "Beta", "B\u00e9ta"), {"row": 3, "says": "UTF-8"}),
])

UNIT_COST_CASES = _file_cases("unit costs", ["check", "unit-costs"], "unit_costs.csv", UNIT_COSTS, [
    ("truncated mid-row", _truncate, {"row": 2, "says": "line break"}),
    ("missing column", _rows_edit(lambda r: _drop_column(r, "source")), {"row": 1, "says": "source"}),
    ("renamed column", _rows_edit(lambda r: _rename_column(r, "annual_cost_gbp", "cost")),
     {"row": 1, "says": "annual_cost_gbp"}),
    ("byte-order mark", _bom, {"accepted": True}),
    ("text in a count", _rows_edit(lambda r: _set(r, 2, "annual_cost_gbp", "lots")),
     {"row": 2, "column": "annual_cost_gbp"}),
    ("negative count", _rows_edit(lambda r: _set(r, 3, "annual_cost_gbp", "-5")),
     {"row": 3, "column": "annual_cost_gbp", "says": "0 or more"}),
    ("duplicate key", _rows_edit(lambda r: r + [list(r[1])]), {"row": 4, "column": "placement_group",
                                                               "says": "once"}),
    ("year in the wrong format", _rows_edit(lambda r: _set(r, 2, "price_base", "2025/26")),
     {"row": 2, "column": "price_base", "says": "2025-26"}),
    ("unknown placement group", _rows_edit(lambda r: _set(r, 2, "placement_group", "ehcp_special")),
     {"row": 2, "column": "placement_group"}),
    ("empty file", lambda p: p.write_bytes(b""), {"says": "empty file"}),
    ("wrong encoding", lambda p: _cp1252(p, "finance team", "finance t\u00e9am"), {"row": 2, "says": "UTF-8"}),
])

SMALL_AREA_CASES = _file_cases("small-area counts", ["disclose"], "counts.csv", SMALL_AREA, [
    ("truncated mid-row", _truncate, {"row": 3, "says": "line break"}),
    ("missing column", _rows_edit(lambda r: [row[:1] for row in r]), {"row": 1, "says": "at least one column"}),
    ("renamed column to Total", _rows_edit(lambda r: _rename_column(r, "SLCN", "Total")),
     {"row": 1, "column": "Total", "says": "without a total"}),
    ("byte-order mark", _bom, {"accepted": True}),
    ("text in a count", _rows_edit(lambda r: _set(r, 3, "ASD", "lots")), {"row": 3, "column": "ASD"}),
    ("negative count", _rows_edit(lambda r: _set(r, 3, "ASD", "-1")), {"row": 3, "column": "ASD"}),
    ("count too large to be true", _rows_edit(lambda r: _set(r, 3, "ASD", "1e30")),
     {"row": 3, "column": "ASD", "says": "below 1,000,000,000"}),
    ("already suppressed", _rows_edit(lambda r: _set(r, 2, "SEMH", "c")), {"row": 2, "column": "SEMH",
                                                                            "says": "no blanks or markers"}),
    ("duplicate key", _rows_edit(lambda r: r + [list(r[2])]), {"row": 5, "column": "district", "says": "once"}),
    ("duplicate column", _rows_edit(lambda r: [row + [row[1]] for row in r]), {"row": 1, "says": "distinct"}),
    ("empty file", lambda p: p.write_bytes(b""), {"says": "empty file"}),
    ("wrong encoding", lambda p: _cp1252(p, "Stroud", "Str\u00e9ud"), {"row": 3, "says": "UTF-8"}),
])


# ---------------------------------------------------------------- scenario TOML
def _scenario(text: str, data: Callable[[], str]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = folder / "scenario.toml"
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return ["check", "scenario", str(path), "--data", data()]
    return make


def scenario_cases(data: Callable[[], str]) -> list[Case]:
    """Scenario cases; ``data`` gives a built data folder (to look the LA up in)."""
    base = SCENARIO
    cases = [
        ("truncated mid-line", base[: base.index("price_base") + 16], {"row": 7, "says": "valid TOML"}),
        ("missing key", base.replace('la = "Gloucestershire"\n', ""), {"says": "'scenario.la' to be set"}),
        ("renamed key", base.replace("inflation_pct", "inflation"), {"row": 8, "says": "no key 'costs.inflation'"}),
        ("byte-order mark", "\ufeff" + base, {"accepted": True}),
        ("text in a count", base.replace("replications = 10", 'replications = "many"'),
         {"row": 5, "says": "scenario.replications"}),
        ("negative count", base.replace("replications = 10", "replications = -1"),
         {"row": 5, "says": "greater than or equal to 1"}),
        ("duplicate key", base + 'inflation_pct = 3.0\n', {"row": 9, "says": "valid TOML"}),
        ("year in the wrong format", base.replace("start_year = 2025", 'start_year = "2024/25"'),
         {"row": 4, "says": "scenario.start_year"}),
        ("financial year in the wrong format", base.replace('"2025-26"', '"2025/26"'),
         {"row": 7, "says": "costs.price_base"}),
        ("unknown LA code", base.replace('"Gloucestershire"', '"E10099999"'), {"row": 3, "says": "scenario.la"}),
        ("empty file", "", {"says": "key 'scenario' to be set"}),
        ("wrong encoding", base.replace('"test"', '"t\u00e9st"').encode("cp1252"), {"row": 2, "says": "UTF-8"}),
    ]
    return [Case("scenario", label, _scenario(text, data), "scenario.toml", **extra) for label, text, extra in cases]


#: Cases from the issue that cannot arise for a kind of file, and why.
NOT_APPLICABLE = {
    ("population", "truncated zip"): "a single CSV, never zipped (a truncated CSV is covered)",
    ("capacity", "truncated zip"): "a single CSV (a truncated CSV is covered)",
    ("capacity", "unknown LA code"): "no LA column: the LA is the file's name, chosen by the scenario",
    ("unit costs", "truncated zip"): "a single CSV (a truncated CSV is covered)",
    ("unit costs", "unknown LA code"): "no LA column (an unknown placement group is covered instead)",
    ("scenario", "truncated zip"): "a single TOML file (a truncated file is covered)",
    ("small-area counts", "truncated zip"): "a single CSV (a truncated CSV is covered)",
    ("small-area counts", "renamed column"): "column names are the user's own categories; only 'Total' is refused",
    ("small-area counts", "year in the wrong format"): "no year column: one table is one snapshot",
    ("small-area counts", "unknown LA code"): "areas below LA level are the user's own names",
}


# ================================================================ issue 22: families of faults
# Each family is one class of fault, with cases invented for it across every kind of file
# (not copies of the issue's examples). A case's ``family`` names it; the test asserts the
# same things of every case: exit status 2, one line naming the file (row and column where
# there is one), no traceback, nothing written that looks complete, and no hang.

def _zip_of(folder: Path, entries: list[tuple[str, bytes]]) -> Path:
    """A zip of the small release's tables plus ``entries`` (name, bytes), written in order."""
    path = folder / "download.zip"
    tables = sorted((_template() / "data").glob("*.csv"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.write(table, f"data/{table.name}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that is the point
            for name, data in entries:
                archive.writestr(name, data)
    return path


def _patch_member(path: Path, member: str, *, flags: int | None = None, method: int | None = None) -> None:
    """Set a member's flag bits or compression method in both its headers (as another zip tool
    would write them): how an encrypted or Deflate64 member looks without the tool."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = bytes(data[at + 46: at + 46 + name_length]).decode()
        if name == member:
            local = struct.unpack_from("<I", data, at + 42)[0]
            if flags is not None:
                struct.pack_into("<H", data, at + 8, flags)
                struct.pack_into("<H", data, local + 6, flags)
            if method is not None:
                struct.pack_into("<H", data, at + 10, method)
                struct.pack_into("<H", data, local + 8, method)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def _zip_case(entries: Callable[[], list[tuple[str, bytes]]], patch: dict | None = None
              ) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = _zip_of(folder, entries())
        if patch:
            _patch_member(path, **patch)
        return ["check", "release", str(path)]
    return make


def _table(name: str) -> bytes:
    return (_template() / "data" / name).read_bytes()


def _bomb() -> bytes:
    """20 MB of zeros: compresses about 1,000:1 (a real table 10-30:1)."""
    return bytes(20 * 1024**2)


ZIP_CASES = [Case("release", name, make, "download.zip", says=says, family="zip structure") for name, make, says in [
    ("the same member twice", _zip_case(lambda: [("data/caseload.csv", _table("caseload.csv"))]), "each member once"),
    ("a second copy of a table in another folder",
     _zip_case(lambda: [("old/data/caseload.csv", _table("caseload.csv"))]), "one table named caseload.csv"),
    ("a table only in a sub-folder of a parent", _zip_case(lambda: [("release/data/requests.csv",
                                                                     _table("requests.csv"))]),
     "one table named requests.csv"),
    ("a member path leaving the archive", _zip_case(lambda: [("../evil.csv", b"a,b\n1,2\n")]), "inside the archive"),
    ("an absolute member path", _zip_case(lambda: [("/tmp/evil.csv", b"a,b\n1,2\n")]), "inside the archive"),
    ("a backslash path leaving the archive", _zip_case(lambda: [("..\\evil.csv", b"a,b\n1,2\n")]),
     "inside the archive"),
    ("a password-protected member", _zip_case(lambda: [("data/extra.csv", b"a,b\n1,2\n")],
                                              {"member": "data/extra.csv", "flags": 0x1}), "unencrypted"),
    ("a Deflate64 member", _zip_case(lambda: [("data/extra.csv", b"a,b\n1,2\n")],
                                     {"member": "data/extra.csv", "method": 9}), "Deflate64"),
    ("an unknown compression method", _zip_case(lambda: [("notes.txt", b"hello")],
                                                {"member": "notes.txt", "method": 99}), "method 99"),
    ("a zip bomb (a member compressing 1,000:1)", _zip_case(lambda: [("data/padding.csv", _bomb())]), "zip bomb"),
    ("a zip bomb that is not a CSV", _zip_case(lambda: [("data-guidance/guide.txt", _bomb())]), "zip bomb"),
    ("twenty thousand empty members", _zip_case(lambda: [(f"empty/{i}.txt", b"") for i in range(20_000)]),
     "at most 10,000 files"),
]]


def _special(kind: str, command: list[str], name: str, make_path: Callable[[Path], Path],
             says: str) -> Case:
    def make(folder: Path) -> list[str]:
        return [*command, str(make_path(folder / name))]
    return Case(kind, f"{says} given as the file", make, name, says=says, family="not a regular file")


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _release_with_fifo(path: Path) -> Path:
    release = _release(path.parent)
    (release / "data" / "caseload.csv").unlink()
    os.mkfifo(release / "data" / "caseload.csv")
    return release


SPECIAL_FILE_CASES = [
    _special("release", ["check", "release"], "pipe.zip", _fifo, "a named pipe"),
    Case("release", "/dev/zero given as the release", lambda folder: ["check", "release", "/dev/zero"], "/dev/zero",
         says="a character device", family="not a regular file"),
    Case("release", "a named pipe as a table in a release folder",
         lambda folder: ["check", "release", str(_release_with_fifo(folder / "release"))], "caseload.csv",
         says="a named pipe", family="not a regular file"),
    _special("population", ["check", "population"], POPULATION.name, _fifo, "a named pipe"),
    _special("capacity", ["check", "capacity"], "E10000013.csv", _fifo, "a named pipe"),
    _special("capacity", ["check", "capacity"], "E10000013.csv", _folder, "a folder"),
    Case("unit costs", "/dev/zero given as the file", lambda folder: ["check", "unit-costs", "/dev/zero"],
         "/dev/zero", says="a character device", family="not a regular file"),
    _special("unit costs", ["check", "unit-costs"], "unit_costs.csv", _fifo, "a named pipe"),
    _special("small-area counts", ["disclose"], "counts.csv", _fifo, "a named pipe"),
    _special("small-area counts", ["disclose"], "counts.csv", _folder, "a folder"),
]


VOCABULARY_CASES = [Case("release", name, make, "caseload.csv" if "caseload" in name or file is None else file,
                         row=row, column=column, says=says, family="controlled vocabulary")
                    for name, make, file, row, column, says in [
    ("caseload: geographic level in title case",
     _release_cell("caseload.csv", "geographic_level", "Local Authority", **_GLOS_2025), None,
     _row_of("caseload.csv", **_GLOS_2025), "geographic_level", "as published"),
    ("caseload: geographic level in lower case",
     _release_cell("caseload.csv", "geographic_level", "national", geographic_level="National",
                   time_period="202425", breakdown_topic="All EHC plans"), None,
     _row_of("caseload.csv", geographic_level="National", time_period="202425", breakdown_topic="All EHC plans"),
     "geographic_level", "as published"),
    ("requests: an unknown geographic level",
     _release_cell("requests.csv", "geographic_level", "County", la_name="Wiltshire", time_period="2023",
                   breakdown_topic="All requests for EHC needs assessments"), "requests.csv",
     _row_of("requests.csv", la_name="Wiltshire", time_period="2023",
             breakdown_topic="All requests for EHC needs assessments"), "geographic_level", "as published"),
    ("caseload: breakdown topic spelt differently",
     _release_cell("caseload.csv", "breakdown_topic", "All EHC Plans", **_GLOS_2025), None,
     _row_of("caseload.csv", **_GLOS_2025), "breakdown_topic", "'All EHC plans'"),
    ("timeliness: breakdown topic with a typo",
     _release_cell("timeliness_20_week.csv", "breakdown_topic", "All EHC plan issued", la_name="Gloucestershire",
                   time_period="2024", breakdown_topic="All EHC plans issued"), "timeliness_20_week.csv",
     _row_of("timeliness_20_week.csv", la_name="Gloucestershire", time_period="2024",
             breakdown_topic="All EHC plans issued"), "breakdown_topic", "as published"),
    ("caseload: an age the age breakdown does not have",
     _release_cell("caseload.csv", "breakdown", "age 26", la_name="Gloucestershire", time_period="202425",
                   breakdown_topic="Child or young persons age", breakdown="age 25"), None,
     _row_of("caseload.csv", la_name="Gloucestershire", time_period="202425",
             breakdown_topic="Child or young persons age", breakdown="age 25"), "breakdown", "as published"),
]]

YEAR_CASES = [Case(kind, name, make, file, row=row, column=column, says=says, family="implausible year")
              for kind, name, make, file, row, column, says in [
    ("release", "caseload: an academic year far ahead",
     _release_cell("caseload.csv", "time_period", "203031", **_GLOS_2025), "caseload.csv",
     _row_of("caseload.csv", **_GLOS_2025), "time_period", "a year from 2009"),
    ("release", "caseload: an academic year a century ago",
     _release_cell("caseload.csv", "time_period", "190102", **_GLOS_2025), "caseload.csv",
     _row_of("caseload.csv", **_GLOS_2025), "time_period", "a year from 2009"),
    ("release", "requests: a calendar year far ahead",
     _release_cell("requests.csv", "time_period", "2099", la_name="Wiltshire", time_period="2023",
                   breakdown_topic="All requests for EHC needs assessments"), "requests.csv",
     _row_of("requests.csv", la_name="Wiltshire", time_period="2023",
             breakdown_topic="All requests for EHC needs assessments"), "time_period", "a year from 2009"),
    ("population", "a mid-year column from another century",
     _population(_population_rows(lambda r: _rename_column(r, "2030", "1930"))), POPULATION.name, 1, "1930",
     "mid-years from"),
    ("capacity", "an opening year before 1990",
     _text_file("capacity", ["check", "capacity"], "E10000013.csv", CAPACITY,
                _rows_edit(lambda r: _set(r, 3, "from_year", "1899"))), "E10000013.csv", 3, "from_year",
     "census year"),
]]


def _population_edit(edit: Callable[[list[list[str]]], list[list[str]]]) -> Callable[[Path], list[str]]:
    return _population(_population_rows(edit))


def _extra_age(age: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        extra = list(rows[-1])
        extra[rows[0].index("AGE_GROUP")] = age
        return rows + [extra]
    return edit


def _spaced_duplicate(rows: list[list[str]]) -> list[list[str]]:
    extra = list(rows[5])
    extra[rows[0].index("AREA_CODE")] = " " + extra[rows[0].index("AREA_CODE")]
    return rows + [extra]


_POP_ROWS = len(_csv(POPULATION.read_text(encoding="utf-8-sig")))

BOUND_CASES = [Case(kind, name, make, file, row=row, column=column, says=says, family="number out of bounds")
               for kind, name, make, file, row, column, says in [
    ("release", "a count that underflows to zero",
     _release_cell("caseload.csv", "special_la_maintained", "1e-400", **_GLOS_2025), "caseload.csv",
     _row_of("caseload.csv", **_GLOS_2025), "special_la_maintained", "ordinary size"),
    ("release", "a percentage that underflows to zero",
     _release_cell("timeliness_20_week.csv", "pc_plans_issued_within_20_weeks", "5e-324000",
                   la_name="Gloucestershire", time_period="2024", breakdown_topic="All EHC plans issued"),
     "timeliness_20_week.csv", _row_of("timeliness_20_week.csv", la_name="Gloucestershire", time_period="2024",
                                       breakdown_topic="All EHC plans issued"),
     "pc_plans_issued_within_20_weeks", "ordinary size"),
    ("population", "a population of a trillion in one cell",
     _population_edit(lambda r: _set(r, 5, "2030", "1e12")), POPULATION.name, 5, "2030", "at most 1,000,000"),
    ("population", "a population written 1e-400", _population_edit(lambda r: _set(r, 7, "2031", "1e-400")),
     POPULATION.name, 7, "2031", "ordinary size"),
    ("population", "a population too large for a float", _population_edit(lambda r: _set(r, 7, "2031", "1e400")),
     POPULATION.name, 7, "2031", "ordinary size"),
    ("unit costs", "an infinite unit cost",
     _text_file("unit costs", ["check", "unit-costs"], "unit_costs.csv", UNIT_COSTS,
                _rows_edit(lambda r: _set(r, 2, "annual_cost_gbp", "inf"))), "unit_costs.csv", 2, "annual_cost_gbp",
     "a number"),
    ("unit costs", "a unit cost of 1e308",
     _text_file("unit costs", ["check", "unit-costs"], "unit_costs.csv", UNIT_COSTS,
                _rows_edit(lambda r: _set(r, 3, "annual_cost_gbp", "1e308"))), "unit_costs.csv", 3,
     "annual_cost_gbp", "at most 2,000,000"),
    ("unit costs", "a unit cost that underflows",
     _text_file("unit costs", ["check", "unit-costs"], "unit_costs.csv", UNIT_COSTS,
                _rows_edit(lambda r: _set(r, 3, "annual_cost_gbp", "1e-400"))), "unit_costs.csv", 3,
     "annual_cost_gbp", "ordinary size"),
    ("capacity", "more places than any school has",
     _text_file("capacity", ["check", "capacity"], "E10000013.csv", CAPACITY,
                _rows_edit(lambda r: _set(r, 2, "places", "60000"))), "E10000013.csv", 2, "places",
     "at most 5,000"),
    ("small-area counts", "a count that underflows",
     _text_file("small-area counts", ["disclose"], "counts.csv", SMALL_AREA,
                _rows_edit(lambda r: _set(r, 2, "SLCN", "7e-999"))), "counts.csv", 2, "SLCN", "ordinary size"),
]]

POPULATION_RANGE_CASES = [Case("population", name, _population_edit(edit), POPULATION.name, row=row,
                               column="AGE_GROUP", says=says, family="population not exactly ages 0-25")
                          for name, edit, row, says in [
    ("an age-26 row", _extra_age("26"), _POP_ROWS + 1, "age 0-25 only"),
    ("an age-90 row", _extra_age("90"), _POP_ROWS + 1, "age 0-25 only"),
    ("a duplicate age row whose area code has a leading space", _spaced_duplicate, _POP_ROWS + 1,
     "one row per area and age"),
    ("ages 0-24 only", lambda r: [row for row in r if row[r[0].index("AGE_GROUP")] != "25"], None, "ages 0-25"),
]]

DUPLICATE_COLUMN_CASES = [Case(kind, name, make, file, row=1, column=column, says="distinct name",
                               family="duplicate column")
                          for kind, name, make, file, column in [
    ("release", "caseload: a count column twice",
     _release_edit("caseload.csv", lambda r: [row + [row[r[0].index("ehcplans")]] for row in r]), "caseload.csv",
     "ehcplans"),
    ("population", "a year column twice", _population_edit(lambda r: [row + [row[r[0].index("2030")]] for row in r]),
     POPULATION.name, "2030"),
    ("capacity", "places twice, in another case",
     _text_file("capacity", ["check", "capacity"], "E10000013.csv", CAPACITY,
                _rows_edit(lambda r: [row + (["PLACES"] if i == 0 else ["1"]) for i, row in enumerate(r)])),
     "E10000013.csv", "PLACES"),
    ("unit costs", "the cost column twice, with spaces",
     _text_file("unit costs", ["check", "unit-costs"], "unit_costs.csv", UNIT_COSTS,
                _rows_edit(lambda r: [row + ([" annual_cost_gbp "] if i == 0 else ["1"]) for i, row in enumerate(r)])),
     "unit_costs.csv", "annual_cost_gbp"),
]]


#: The built data folder the test module sets (``BUILT["data"]``), for commands that look an LA up.
BUILT: dict[str, str] = {}


def _data() -> str:
    return BUILT.get("data", str(REPO / "data"))


def _scenario_files(files: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        return ["check", "scenario", str(files(folder)), "--data", _data()]
    return make


def _simulated(files: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        return ["simulate", "--la", "Gloucestershire", "--scenario", str(files(folder)), "--data", _data(),
                "--out", str(folder / "out")]
    return make


def _deep(folder: Path) -> Path:
    path = folder / "scenario.toml"
    path.write_text(SCENARIO + "[scenario.extra]\nx = " + "[" * 3000 + "]" * 3000 + "\n")
    return path


def _deep_tables(folder: Path) -> Path:
    path = folder / "scenario.toml"
    path.write_text(SCENARIO + "[" + ".".join(f"t{i}" for i in range(40)) + "]\nx = 1\n")
    return path


def _long_chain(folder: Path) -> Path:
    (folder / "s0.toml").write_text(SCENARIO)
    for i in range(1, 40):
        (folder / f"s{i}.toml").write_text(f'based_on = "s{i - 1}.toml"\n')
    path = folder / "scenario.toml"
    path.write_text('based_on = "s39.toml"\n')
    return path


def _names(section: str, key: str, target: Callable[[Path], str]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "scenario.toml"
        path.write_text(SCENARIO + f'[{section}]\n{key} = "{target(folder)}"\n'
                        if section != "costs" else SCENARIO + f'{key} = "{target(folder)}"\n')
        return path
    return make


def _big_scenario(folder: Path) -> Path:
    path = folder / "scenario.toml"
    path.write_text(SCENARIO + "# " + "x" * (2 * 1024**2) + "\n")
    return path


SCENARIO_STRUCTURE_CASES = [Case("scenario", name, _scenario_files(make), "scenario.toml", row=row, says=says,
                                 family="scenario structure")
                            for name, make, row, says in [
    ("a list nested 3,000 deep", _deep, None, "nested at most"),
    ("tables nested 40 deep", _deep_tables, None, "nested at most"),
    ("a based_on chain of 40 files", _long_chain, None, "at most 20 files"),
    ("a capacity file that does not exist", _names("special_places", "capacity_file", lambda f: "missing.csv"), 10,
     "existing regular file"),
    ("a capacity file that is a folder", _names("special_places", "capacity_file", lambda f: "."), 10, "a folder"),
    ("a unit-cost file that is a named pipe",
     _names("costs", "unit_costs_file", lambda f: str(_fifo(f / "pipe.csv"))), 9, "a named pipe"),
    ("a scenario file of 2 MB", _big_scenario, None, "at most"),
    ("a folder given as the scenario", lambda f: _folder(f / "scenario.toml"), None, "a folder"),
]] + [Case("scenario", f"simulate: {name}", _simulated(make), "scenario.toml", row=10, says=says,
           family="scenario structure") for name, make, says in [
    ("a capacity file that does not exist", _names("special_places", "capacity_file", lambda f: "gone.csv"),
     "existing regular file"),
    ("a capacity file that is a named pipe",
     _names("special_places", "capacity_file", lambda f: str(_fifo(f / "pipe.csv"))), "a named pipe"),
]]


def _scenario_text(text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "scenario.toml"
        path.write_text(text)
        return path
    return make


# SCENARIO ends in [costs] (line 6) with price_base (7) and inflation_pct (8).
SCENARIO_VALUE_CASES = [Case("scenario", name, _scenario_files(_scenario_text(text)), "scenario.toml", row=row,
                             says=says, family="scenario value out of bounds")
                        for name, text, row, says in [
    ("inflation nan", SCENARIO.replace("inflation_pct = 2.0", "inflation_pct = nan"), 8, "finite number"),
    ("an infinite unit cost", SCENARIO + "unit_costs_gbp = { ehcp_fe = inf }\n", 9, "finite number"),
    ("a unit cost of a trillion pounds", SCENARIO + "unit_costs_gbp = { ehcp_fe = 1e12 }\n", 9,
     "less than or equal to 2000000"),
    ("infinite transport costs", SCENARIO + "transport_gbp = { ehcp_state_special = -inf }\n", 9,
     "finite number"),
    ("an infinite relative risk", SCENARIO + "[early_identification]\nrelative_risk = inf\n", 10,
     "early_identification.relative_risk"),
    ("a seed beyond 64 bits", SCENARIO.replace("replications = 10", f"replications = 10\nseed = {2**64}"), 6,
     "scenario.seed"),
    ("a negative seed", SCENARIO.replace("replications = 10", "replications = 10\nseed = -1"), 6,
     "scenario.seed"),
    ("no replications", SCENARIO.replace("replications = 10", "replications = 0"), 5, "scenario.replications"),
    ("a horizon of 1,000 years", SCENARIO.replace("replications = 10", "replications = 10\nhorizon = 1000"), 6,
     "scenario.horizon"),
    ("a scenario name of 300 characters", SCENARIO.replace('"test"', '"' + "x" * 300 + '"'), 2, "at most 200"),
]]


def _option(command: list[str], option: str, value: str, says: str, name: str) -> Case:
    def make(folder: Path) -> list[str]:
        argv = [arg.replace("{folder}", str(folder)).replace("{data}", _data()) for arg in command]
        if "{scenario}" in " ".join(argv):
            (folder / "scenario.toml").write_text(SCENARIO)
            argv = [arg.replace("{scenario}", str(folder / "scenario.toml")) for arg in argv]
        return [*argv, f"{option}={value}", "--out", str(folder / "out")]
    return Case("command line", name, make, option, says=says, family="command-line value")


_SIM = ["simulate", "--la", "Gloucestershire", "--data", "{data}"]
OPTION_CASES = [
    _option(_SIM, "--seed", "-1", "from 0 to", "a negative seed"),
    _option(_SIM, "--seed", str(2**64), "from 0 to", "a seed beyond 64 bits"),
    _option(_SIM, "--replications", "0", "from 1 to", "no replications"),
    _option(_SIM, "--replications", "-1", "from 1 to", "negative replications"),
    _option(_SIM, "--replications", "1e3", "whole number", "replications written as a float"),
    _option(_SIM, "--workers", "-1", "from 1 to", "negative workers"),
    _option(_SIM, "--years", "0", "from 1 to", "a horizon of no years"),
    _option(_SIM, "--years", "1000", "from 1 to 50", "a horizon of 1,000 years"),
    _option(_SIM, "--start-year", "1066", "from 2,000", "a start year long ago"),
    _option(["forecast", "--la", "Gloucestershire"], "--inflation-pct", "nan", "from -5",
            "inflation nan"),
    _option(["forecast", "--la", "Gloucestershire"], "--inflation-pct", "inf", "from -5", "inflation infinite"),
    _option(["forecast", "--la", "Gloucestershire"], "--inflation", "nan", "from -0.05",
            "inflation nan, old spelling (a fraction)"),
    _option(["forecast", "--la", "Gloucestershire"], "--horizon", "-3", "from 1 to 15", "a negative horizon"),
    _option(["forecast", "--la", "Gloucestershire"], "--paths", "0", "from 1 to", "no sample paths"),
    _option(["backtest", "--all-las"], "--horizons", "99", "from 1 to 10", "too many backtest horizons"),
    _option(["run", "{scenario}"], "--replications", "0", "from 1 to", "run with no replications"),
    _option(["sweep", "{scenario}", "--vary", "early_identification.relative_risk=0.6:1.2:3"], "--replications",
            "-1", "from 1 to", "sweep with negative replications"),
    _option(["sweep", "{scenario}"], "--vary", "early_identification.relative_risk=0.6:1.2:1000000000",
            "at most 400", "a sweep of a billion points"),
    _option(["sweep", "{scenario}"], "--vary", "early_identification.relative_risk=nan:1.2:3", "finite",
            "a sweep starting at nan"),
    _option(["export", "deficit-plan", "{scenario}", "{scenario}"], "--income-growth-pct", "nan", "from -50",
            "income growth nan"),
    _option(["export", "deficit-plan", "{scenario}", "{scenario}"], "--opening-balance", "-inf", "from -1e+12",
            "an infinite opening balance"),
    _option(["disclose", "{scenario}"], "--protection", "-5", "from 1 to", "negative protection"),
]


def _control_key(folder: Path) -> Path:
    path = folder / "scenario.toml"
    path.write_text(SCENARIO + '"\\u001b[2J\\u001b[31mevil" = 1\n')
    return path


def _control_name(folder: Path) -> Path:
    path = folder / "scenario.toml"
    path.write_text(SCENARIO.replace('la = "Gloucestershire"', 'la = "Glouc\\u001b[2Jester\\rshire"'))
    return path


CONTROL_CASES = [
    Case("scenario", "an escape sequence in a key", _scenario_files(_control_key), "scenario.toml",
         says="\\x1b[2J", family="control characters"),
    Case("scenario", "an escape sequence and a carriage return in the LA name", _scenario_files(_control_name),
         "scenario.toml", row=3, says="\\x1b", family="control characters"),
    Case("capacity", "a carriage return in a count", _text_file(
        "capacity", ["check", "capacity"], "E10000013.csv", CAPACITY,
        _rows_edit(lambda r: _set(r, 2, "places", "12\x1b[1A"))), "E10000013.csv", row=2, column="places",
        says="\\x1b", family="control characters"),
]

#: The issue 22 corpus, by family.
TRUST_CASES = (ZIP_CASES + SPECIAL_FILE_CASES + VOCABULARY_CASES + YEAR_CASES + BOUND_CASES + POPULATION_RANGE_CASES
               + DUPLICATE_COLUMN_CASES + SCENARIO_STRUCTURE_CASES + SCENARIO_VALUE_CASES + OPTION_CASES
               + CONTROL_CASES)
