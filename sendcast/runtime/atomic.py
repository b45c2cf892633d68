"""Write outputs so that nothing is half-written and nothing the user wrote is lost.

Every file is written under a temporary name in the same folder and renamed into
place, so an interrupted run leaves no file that looks complete. Folders are filled
under a temporary name and renamed at the end in the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from sendcast.runtime.safe_text import neutralise_frame


def current_umask() -> int:
    """The process's umask (read without changing it for long)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share_as_umask_says(path: Path, *, folder: bool = False) -> None:
    """Give a file made by :func:`tempfile.mkstemp` (0600) or a folder made by
    :func:`tempfile.mkdtemp` (0700) the permissions an ordinary ``open``/``mkdir`` would:
    0666 or 0777 less the umask, so a team folder stays readable by the team."""
    os.chmod(path, (0o777 if folder else 0o666) & ~current_umask())


def make_staging_folder(parent: Path, prefix: str) -> Path:
    """A new, empty hidden folder in ``parent`` with umask permissions."""
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    share_as_umask_says(staging, folder=True)
    return staging


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        share_as_umask_says(Path(temporary))
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, payload: dict) -> None:
    write_text(path, json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


def csv_text(frame: pd.DataFrame, *, float_format: str = "%.10g") -> str:
    """The CSV sendcast writes: fixed float format and line ending (equal tables give equal
    bytes), and text cells that a spreadsheet would run as formulas neutralised
    (:func:`sendcast.runtime.safe_text.neutralise_cell`)."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n", float_format=float_format)


def write_csv(path: Path, frame: pd.DataFrame, *, float_format: str = "%.10g") -> None:
    """Write :func:`csv_text` of ``frame`` atomically."""
    write_text(path, csv_text(frame, float_format=float_format))


@contextmanager
def replace_folder(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces ``target`` as a whole.

    Used only for folders sendcast owns (``data/processed``). On an error the old
    folder is left exactly as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = make_staging_folder(target.parent, f".{target.name}.")
    retired = target.with_name(f".{target.name}.old")
    try:
        yield staging
        shutil.rmtree(retired, ignore_errors=True)
        if target.exists():
            os.replace(target, retired)
        try:
            os.replace(staging, target)
        except BaseException:
            if retired.exists() and not target.exists():
                os.replace(retired, target)  # put the old folder back
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
