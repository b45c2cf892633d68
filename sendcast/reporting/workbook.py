"""Excel workbooks for finance teams: one sheet per table, numbers as numbers.

Each sheet has a title line and a plain-English note above the table, bold headers that
carry the units, frozen headers, sensible column widths and number formats (pounds,
counts, percentages). Files open cleanly in Excel and LibreOffice. A workbook is saved
under a temporary name and renamed into place.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sendcast.runtime.atomic import share_as_umask_says

FORMATS = {
    "gbp": '"£"#,##0',
    "count": "#,##0",
    "decimal": "#,##0.0",
    "percent": "0.0",
    "year": "0",
    "text": "@",
}
TITLE_ROWS = 3  # title, note, blank


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


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    """Write ``sheets`` to ``path`` atomically."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _add(book, sheet)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book.save(temporary)
        make_reproducible(Path(temporary))
        share_as_umask_says(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


#: The date every workbook carries (creation, modification, zip entries): the same inputs and
#: seed then give the same bytes. The run's manifest records when it was really written.
FIXED_TIMESTAMP = (2000, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def make_reproducible(path: Path) -> None:
    """Rewrite a saved workbook so that equal content gives equal bytes: the creation and
    modification dates in ``docProps/core.xml`` and every zip entry's date are set to
    :data:`FIXED_TIMESTAMP`, entries kept in the order openpyxl wrote them."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*FIXED_TIMESTAMP)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(lambda m: m.group(1) + stamp.encode() + m.group(2), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, data)


def _text(cell) -> None:
    """A text cell stays text: openpyxl would store ``=...`` as a formula; sendcast writes none."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _add(book: Workbook, sheet: Sheet) -> None:
    if len(sheet.name) > 31:
        raise ValueError(f"sheet name {sheet.name!r} is longer than Excel's 31 characters")
    ws = book.create_sheet(sheet.name)
    ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=13)
    ws.cell(row=2, column=1, value=sheet.note).alignment = Alignment(wrap_text=False)
    _text(ws.cell(row=1, column=1))
    _text(ws.cell(row=2, column=1))
    header_row = TITLE_ROWS + 1
    fill = PatternFill("solid", fgColor="DDE6F0")
    for j, column in enumerate(sheet.table.columns, start=1):
        cell = ws.cell(row=header_row, column=j, value=str(column))
        _text(cell)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, record in enumerate(sheet.table.itertuples(index=False), start=header_row + 1):
        for j, (column, value) in enumerate(zip(sheet.table.columns, record), start=1):
            cell = ws.cell(row=i, column=j, value=_plain(value))
            _text(cell)
            kind = sheet.formats.get(column) or ("decimal" if isinstance(cell.value, float) else None)
            if kind is not None and isinstance(cell.value, (int, float)):
                cell.number_format = FORMATS[kind]
    for j, column in enumerate(sheet.table.columns, start=1):
        values = [str(column)] + [str(v) for v in sheet.table.iloc[:, j - 1].head(200)]
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, max(len(v) for v in values) + 2))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


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
