"""Excel workbooks for finance teams: tables with numbers as numbers, and sheets of formulas.

Two kinds of sheet:

- a :class:`Sheet` is a table of values (title line, plain-English note, bold headers that
  carry the units, frozen headers, number formats);
- a :class:`FormulaSheet` is a grid of cells, each a value or an Excel formula (a string
  starting with ``=``), laid out by :mod:`sendcast.reporting.finance_sheets` so that a unit
  cost changed on the Inputs sheet moves every cost and total.

Every sheet prints landscape, fitted to one page wide, with its header rows repeated on each
page. The file is byte-identical for identical inputs: fixed document dates and zip
timestamps. It is written under a temporary name and renamed into place (readable by the
group, as any new file under the user's umask).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from sendcast.runtime import atomic


FORMATS = {
    "gbp": '"£"#,##0',
    "count": "#,##0",
    "decimal": "#,##0.0",
    "decimal2": "#,##0.00",
    "percent": "0.0",
    "share": "0%",
    "year": "0",
    "text": "@",
}
TITLE_ROWS = 3  # title, note, blank
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
#: Fixed document date, so the same inputs give the same bytes (the run date is in the report).
DOCUMENT_DATE = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class Sheet:
    """A table for one worksheet.

    ``formats`` maps a column name to a key of :data:`FORMATS`; unlisted numeric columns
    get ``decimal``. Column names should carry units, e.g. ``"Spend (£, 2025-26 prices)"``.
    """

    name: str
    title: str
    note: str
    table: pd.DataFrame
    formats: dict[str, str]


@dataclass
class Cell:
    """One cell of a :class:`FormulaSheet`: a value or a formula (``"=..."``), a format key,
    bold, and whether it is an input a user may change (shaded)."""

    value: object
    format: str | None = None
    bold: bool = False
    input: bool = False
    header: bool = False
    formula: bool = False


@dataclass
class FormulaSheet:
    """A grid of cells (1-based rows and columns), written as laid out.

    ``header_rows`` are repeated at the top of every printed page and frozen on screen;
    ``names`` are workbook-level defined names (``{"Inflation": "$B$6"}``) on this sheet;
    ``widths`` are column widths by 1-based column."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    header_rows: tuple[int, int] = (1, 4)
    freeze: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, row: int, column: int, value: object, fmt: str | None = None, *, bold: bool = False,
            input: bool = False, header: bool = False) -> str:
        """Set a cell; returns its absolute address on this sheet (``'Costs by year'!$D$7``)."""
        self.cells[(row, column)] = Cell(value, fmt, bold, input, header)
        return self.ref(row, column)

    def formula(self, row: int, column: int, text: str, fmt: str | None = None, *, bold: bool = False) -> str:
        """Set a cell to an Excel formula (``"=SUM(D7:D9)"``); returns its absolute address."""
        if not text.startswith("="):
            raise ValueError(f"a formula starts with '=': {text!r}")
        self.cells[(row, column)] = Cell(text, fmt, bold, formula=True)
        return self.ref(row, column)

    def ref(self, row: int, column: int, *, absolute: bool = True) -> str:
        letter = get_column_letter(column)
        where = f"${letter}${row}" if absolute else f"{letter}{row}"
        return f"'{self.name}'!{where}"


def write_workbook(path: Path, sheets: list[Sheet | FormulaSheet]) -> None:
    """Write ``sheets`` to ``path`` atomically, byte-identical for identical sheets."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        if isinstance(sheet, FormulaSheet):
            _add_formulas(book, sheet)
        else:
            _add(book, sheet)
    book.properties.creator = "sendcast"
    book.properties.created = DOCUMENT_DATE
    book.properties.modified = DOCUMENT_DATE
    book.properties.lastModifiedBy = "sendcast"
    buffer = io.BytesIO()
    book.save(buffer)
    atomic.write_bytes(Path(path), _fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp fixed (and openpyxl's save-time stamp in
    docProps/core.xml replaced by the fixed document date), so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = DOCUMENT_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    start = text.find(f"<{tag}")
                    if start >= 0:
                        close = text.find(">", start) + 1
                        end = text.find(f"</{tag}>", close)
                        text = text[:close] + stamp + text[end:]
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def _print_setup(ws, header_rows: tuple[int, int]) -> None:
    """Landscape A4, one page wide (as many pages tall as needed), header rows repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&A, page &P of &N"


def _as_text(cell) -> None:
    """A text cell stays text: openpyxl would store text starting with ``=`` as a formula.
    Only the formulas sendcast lays out itself (:class:`Cell` values) are formulas."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _add(book: Workbook, sheet: Sheet) -> None:
    if len(sheet.name) > 31:
        raise ValueError(f"sheet name {sheet.name!r} is longer than Excel's 31 characters")
    ws = book.create_sheet(sheet.name)
    ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=13)
    ws.cell(row=2, column=1, value=sheet.note).alignment = Alignment(wrap_text=False)
    _as_text(ws.cell(row=1, column=1))
    _as_text(ws.cell(row=2, column=1))
    header_row = TITLE_ROWS + 1
    for j, column in enumerate(sheet.table.columns, start=1):
        cell = ws.cell(row=header_row, column=j, value=str(column))
        _as_text(cell)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, record in enumerate(sheet.table.itertuples(index=False), start=header_row + 1):
        for j, (column, value) in enumerate(zip(sheet.table.columns, record), start=1):
            cell = ws.cell(row=i, column=j, value=_plain(value))
            _as_text(cell)
            kind = sheet.formats.get(column) or ("decimal" if isinstance(cell.value, float) else None)
            if kind is not None and isinstance(cell.value, (int, float)):
                cell.number_format = FORMATS[kind]
    for j, column in enumerate(sheet.table.columns, start=1):
        values = [str(column)] + [str(v) for v in sheet.table.iloc[:, j - 1].head(200)]
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, max(len(v) for v in values) + 2))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print_setup(ws, (1, header_row))


def _add_formulas(book: Workbook, sheet: FormulaSheet) -> None:
    if len(sheet.name) > 31:
        raise ValueError(f"sheet name {sheet.name!r} is longer than Excel's 31 characters")
    ws = book.create_sheet(sheet.name)
    for (row, column), item in sorted(sheet.cells.items()):
        value = _plain(item.value)
        cell = ws.cell(row=row, column=column, value=value)
        if not (isinstance(value, str) and value.startswith("=") and item.formula):
            _as_text(cell)
        if item.format:
            cell.number_format = FORMATS[item.format]
        if item.bold or item.header:
            cell.font = Font(bold=True, size=13 if (row == 1 and column == 1) else 11)
        if item.header:
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if item.input:
            cell.fill = INPUT_FILL
    for column, width in sheet.widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    if sheet.freeze:
        ws.freeze_panes = sheet.freeze
    for name, where in sheet.names.items():
        book.defined_names[name] = DefinedName(name, attr_text=f"'{sheet.name}'!{where}")
    _print_setup(ws, sheet.header_rows)


def _plain(value):
    """Numbers as Python numbers (not numpy), missing as empty, everything else as text."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (int, float, str)):
        return value
    if pd.isna(value):
        return None
    return str(value)
