"""Open a published statistics release as a planner downloads it: a zip or a folder.

A release is found by the names of the files inside it, not by its own name, so a
newer release (say 2026) with the same columns works without code changes.
"""

from __future__ import annotations

import csv
import io
import lzma
import os
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sendcast.runtime.errors import InputError


#: Limits checked on every member's declared size before anything is decompressed. The
#: largest real member (2022 release, ``sen2_estab_caseload.csv``) is 11.4 MB and
#: compresses 13:1; the most compressible (2025) 27:1. A zip bomb of zeros compresses
#: about 1,000:1, so it is refused by its header, at once and without reading it.
MAX_MEMBER_BYTES = 200 * 1024**2
MAX_RELEASE_BYTES = 1024**3
MAX_COMPRESSION_RATIO = 100.0
#: Limit on a single CSV or TOML file a user hands sendcast (the largest shipped: 2.1 MB).
MAX_FILE_BYTES = 200 * 1024**2
#: Compression methods Python reads (stored, deflate, bzip2, lzma); Deflate64 (9) and others are refused.
_READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
                     zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def file_kind(mode: int) -> str:
    """What a ``stat`` mode is, in words (``"a named pipe"``)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def require_regular_file(path: str | Path, label: str | None = None, *, what: str = "a file",
                         max_bytes: int | None = None) -> int:
    """Refuse, in one line, anything but an existing regular file (after symlinks) of at most
    ``max_bytes`` (default :data:`MAX_FILE_BYTES`); return its size.

    A named pipe would block forever and ``/dev/zero`` would fill the memory, so the kind
    of file is checked before it is opened.
    """
    label = str(path) if label is None else label
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(label, f"{what} that exists", found="no such file") from None
    except OSError as error:
        raise InputError(label, f"{what} sendcast can read", found=error.strerror or str(error)) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(label, f"{what} (a regular file)", found=file_kind(info.st_mode))
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if info.st_size > limit:
        raise InputError(label, f"{what} of at most {limit:,} bytes", found=f"{info.st_size:,} bytes")
    return info.st_size


def read_input_file(path: str | Path, label: str | None = None, *, what: str = "a file") -> bytes:
    """The bytes of a user's file, after :func:`require_regular_file`; read with a cap, so a
    file that grows while it is read cannot exceed the limit either."""
    require_regular_file(path, label, what=what)
    label = str(path) if label is None else label
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(label, f"{what} sendcast can read", found=error.strerror or str(error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(label, f"{what} of at most {MAX_FILE_BYTES:,} bytes", found="a larger file")
    return data


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
        """A member's bytes, read with the limits of :func:`open_release` enforced again (the
        file may have changed since it was opened)."""
        inner = self.members[name]
        if not self.is_zip:
            require_regular_file(self.path / inner, self.label(name), what="a CSV table",
                                 max_bytes=MAX_MEMBER_BYTES)
            return read_input_file(self.path / inner, self.label(name), what="a CSV table")
        require_regular_file(self.path, what="a release zip", max_bytes=MAX_RELEASE_BYTES)
        try:
            with zipfile.ZipFile(self.path) as archive:
                info = archive.getinfo(inner)
                _check_member(info, self.path)
                with archive.open(info) as handle:
                    data = handle.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, EOFError, OSError, KeyError, NotImplementedError, RuntimeError,
                zlib.error, lzma.LZMAError, ValueError) as error:
            raise InputError(
                self.label(name), "a complete, readable zip member", found=str(error)
            ) from error
        if len(data) > MAX_MEMBER_BYTES:
            raise InputError(self.label(name), f"a member of at most {MAX_MEMBER_BYTES:,} bytes",
                             found="a larger member")
        return data


def _check_member(info: zipfile.ZipInfo, path: Path) -> None:
    """One member's header: inside the archive, not encrypted, a readable method, and a
    declared size within :data:`MAX_MEMBER_BYTES` and :data:`MAX_COMPRESSION_RATIO`."""
    name = info.filename
    label = f"{path}!{name}"
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise InputError(label, "a member inside the archive (no absolute path, no '..')", found=name)
    if info.flag_bits & 0x1:
        raise InputError(label, "an unencrypted member (the release is published without a password)",
                         found="a password-protected member")
    if info.compress_type not in _READABLE_METHODS:
        method = {9: "Deflate64"}.get(info.compress_type, f"method {info.compress_type}")
        raise InputError(label, "a member compressed with " + ", ".join(_READABLE_METHODS.values())
                         + " (re-save the zip with ordinary compression)", found=method)
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(label, f"a member of at most {MAX_MEMBER_BYTES:,} bytes",
                         found=f"{info.file_size:,} bytes")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > 1024**2 and ratio > MAX_COMPRESSION_RATIO:
        raise InputError(label, f"a member compressed at most {MAX_COMPRESSION_RATIO:g}:1 (published tables "
                         "compress about 10-30:1; is it a zip bomb?)", found=f"{ratio:,.0f}:1")


def _zip_names(path: Path) -> list[str]:
    """The CSV members of a release zip, after checking the structure of every member."""
    require_regular_file(path, what="a release zip or folder", max_bytes=MAX_RELEASE_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            seen: set[str] = set()
            total = 0
            for info in infos:
                _check_member(info, path)
                key = info.filename.replace("\\", "/")
                if key in seen:
                    raise InputError(path, "each member once (a zip holding two copies of a file would count "
                                     "it twice)", found=f"{key} twice")
                seen.add(key)
                total += info.file_size
            if total > MAX_RELEASE_BYTES:
                raise InputError(path, f"a release of at most {MAX_RELEASE_BYTES:,} bytes uncompressed",
                                 found=f"{total:,} bytes")
            bad = archive.testzip()
            if bad is not None:
                raise InputError(path, "a zip whose members pass their checksums", found=bad)
            return [i.filename for i in infos if i.filename.lower().endswith(".csv") and not i.is_dir()]
    except (zipfile.BadZipFile, EOFError) as error:
        raise InputError(
            path, "a complete zip file (is the download truncated?)", found=str(error)
        ) from error
    except (NotImplementedError, RuntimeError, zlib.error, lzma.LZMAError, ValueError, OSError) as error:
        raise InputError(path, "a zip sendcast can read (ordinary compression, no password)",
                         found=str(error)) from error


def _folder_names(path: Path) -> list[str]:
    """The CSV files of a release folder; each must be a regular file within the limits."""
    names = []
    total = 0
    for item in sorted(path.rglob("*")):
        if not item.name.lower().endswith(".csv"):
            continue
        inner = str(item.relative_to(path))
        total += require_regular_file(item, what="a CSV table", max_bytes=MAX_MEMBER_BYTES)
        names.append(inner)
    if total > MAX_RELEASE_BYTES:
        raise InputError(path, f"a release of at most {MAX_RELEASE_BYTES:,} bytes", found=f"{total:,} bytes")
    return names


def open_release(path: str | Path) -> Release:
    """Open a release zip or folder and list the CSV tables it holds.

    The structure is checked before any content is read: a regular file or a folder (a
    named pipe or a device is refused at once), every zip member inside the archive,
    unencrypted, with a readable compression method and a size and compression ratio
    within the limits above, no member twice, and no CSV name in two folders (a second
    ``caseload.csv`` would be read instead of, or as well as, the first). A truncated or
    corrupt zip is an :class:`InputError` naming the file.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "an existing release zip or folder", found="nothing at that path") from None
    except OSError as error:
        raise InputError(path, "a release zip or folder sendcast can read",
                         found=error.strerror or str(error)) from None
    names = _folder_names(path) if stat.S_ISDIR(info.st_mode) else _zip_names(path)
    members: dict[str, str] = {}
    for inner in names:
        base = inner.replace("\\", "/").rsplit("/", 1)[-1]
        if base in members:
            raise InputError(path, f"one table named {base} (a release re-zipped with a second copy would be "
                             "read twice or the wrong one read)", found=f"{members[base]} and {inner}")
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
    _check_header(text, label)
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


def _check_header(text: str, label: str) -> None:
    """Every column name once (after trimming spaces and case): pandas would rename a second
    ``ehcplans`` to ``ehcplans.1`` and the reader would silently use only the first."""
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        key = name.strip().lstrip("\ufeff").casefold()
        if key in seen and key:
            raise InputError(label, "a distinct name for every column (each once in the header)", row=1,
                             column=name.strip(),
                             found=f"columns {seen[key]} and {number} both named {name.strip()!r}")
        seen[key] = number


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


