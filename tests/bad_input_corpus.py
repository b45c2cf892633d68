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
import shutil
import tempfile
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

    @property
    def id(self) -> str:
        return f"{self.kind}: {self.name}"


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
