"""Open a published statistics release as a planner downloads it: a zip or a folder.

A release is found by the names of the files inside it, not by its own name, so a
newer release (say 2026) with the same columns works without code changes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sendcast.runtime.errors import InputError


@dataclass(frozen=True)
class Release:
    """A zip file or an extracted folder holding CSV tables.

    ``members`` maps each CSV's base name (``caseload.csv``) to its path inside the
    release (``data/caseload.csv``).
    """

    path: Path
    members: dict[str, str]

    @property
    def is_zip(self) -> bool:
        return self.path.is_file()

    def has(self, name: str) -> bool:
        return name in self.members

    def label(self, name: str) -> str:
        """How to name a member in a message: ``release.zip!data/caseload.csv``."""
        inner = self.members.get(name, name)
        return f"{self.path}!{inner}" if self.is_zip else str(self.path / inner)

    def read_bytes(self, name: str) -> bytes:
        inner = self.members[name]
        if not self.is_zip:
            return (self.path / inner).read_bytes()
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(inner)
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise InputError(
                self.label(name), "a complete, readable zip member", found=str(error)
            ) from error


def open_release(path: str | Path) -> Release:
    """Open a release zip or folder and list the CSV tables it holds.

    A truncated or corrupt zip is an :class:`InputError` naming the file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "an existing release zip or folder", found="nothing at that path")
    if path.is_dir():
        names: Iterable[str] = (
            str(p.relative_to(path)) for p in sorted(path.rglob("*.csv")) if p.is_file()
        )
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
                if bad is not None:
                    raise InputError(path, "a zip whose members pass their checksums", found=bad)
                names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        except (zipfile.BadZipFile, EOFError) as error:
            raise InputError(
                path, "a complete zip file (is the download truncated?)", found=str(error)
            ) from error
    members: dict[str, str] = {}
    for inner in names:
        base = inner.replace("\\", "/").rsplit("/", 1)[-1]
        # Prefer the data/ copy when a name appears twice (e.g. supporting-files/).
        if base not in members or inner.replace("\\", "/").startswith("data/"):
            members[base] = inner
    return Release(path=path, members=members)


def read_csv_text(data: bytes, label: str) -> pd.DataFrame:
    """Read published CSV bytes as text cells, keeping each row's line number.

    Byte-order marks are removed; the encoding must be UTF-8 (DfE publishes UTF-8).
    An empty file, or one with a header and no rows, is an error; so is a file whose last
    row does not end with a line break, or a row with more or fewer cells than the
    header: the signs of a truncated download or a shifted row. The returned frame has
    an extra column ``_row``: the row number as a spreadsheet shows it (header = 1).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            label, "UTF-8 text (save the file as CSV UTF-8)", row=line,
            found=f"byte 0x{data[error.start]:02x}",
        ) from error
    if not text.strip():
        raise InputError(label, "a CSV file with a header row and data rows", found="an empty file")
    if not text.endswith(("\n", "\r")):
        raise InputError(label, "the last row to end with a line break (a download cut short ends mid-row; "
                         "if the file is complete, add a line break at its end)", row=len(text.splitlines()),
                         found=text.splitlines()[-1][-40:])
    _check_row_lengths(text, label)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False
        )
    except pd.errors.ParserError as error:
        raise InputError(label, "well-formed CSV", found=str(error).strip()) from error
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if frame.empty:
        raise InputError(label, "at least one data row", found="a header only")
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def _check_row_lengths(text: str, label: str) -> None:
    """Every row has as many cells as the header.

    A short row is what a truncated download ends with; a long one shifts every cell
    one column to the right (pandas would even take the first column as an index).
    Blank lines are skipped, as the reader skips them. Rows without quotes are counted
    by their commas (fast); a quoted cell spanning lines sends the file to the csv module.
    """
    lines = [line for line in text.splitlines() if line]
    if any(line.count('"') % 2 for line in lines):
        widths = (len(record) for record in csv.reader(io.StringIO(text)) if record)
    else:
        widths = (line.count(",") + 1 if '"' not in line else len(next(csv.reader([line]))) for line in lines)
    width = None
    row = 0
    try:
        for row, cells in enumerate(widths, start=1):
            if width is None:
                width = cells
            elif cells != width:
                raise InputError(label, f"{width} cells on every row, as in the header (is the file truncated, "
                                 "or has a row an extra comma?)", row=row, found=f"{cells} cells")
    except csv.Error as error:
        raise InputError(label, "well-formed CSV", row=row + 1, found=str(error)) from error


def require_columns(frame: pd.DataFrame, required: Iterable[str], label: str) -> None:
    """Raise an :class:`InputError` listing every required column the file lacks."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            label,
            "columns " + ", ".join(missing),
            row=1,
            found="header without them (has: " + ", ".join(c for c in frame.columns if c != "_row")[:400] + ")",
        )


