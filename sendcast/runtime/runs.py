"""Run folders: every command that writes outputs writes them into a new folder.

A run folder is filled under a hidden temporary name and renamed into place at the
end, so an interrupted run leaves nothing that looks complete. An existing folder is
never written into unless the user says ``--force``, and then it is replaced whole.
Each run folder holds a ``manifest.json``: inputs and checksums, version, command,
timings.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sendcast import __version__
from sendcast.runtime import atomic
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.files import PACKAGE_ROOT, sha256


class OutputExistsError(SendcastError):
    """The output folder exists and the user did not ask to replace it."""


def slug(text: str) -> str:
    """``"Early identification"`` -> ``"early-identification"``: safe in a file name."""
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def default_folder(command: str, label: str) -> Path:
    """``reports/<command>-<label>-<UTC timestamp>``; a suffix keeps it new."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = PACKAGE_ROOT / "reports" / f"{command}-{slug(label)}-{stamp}"
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


@dataclass
class Run:
    """A run being written: put files in ``staging``; the manifest is added at the end."""

    target: Path
    staging: Path
    started: float = field(default_factory=time.perf_counter)
    inputs: list[dict] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.staging / name

    def record_input(self, path: Path, role: str) -> None:
        path = Path(path)
        self.inputs.append({"role": role, "path": str(path), "sha256": sha256(path)})


@contextmanager
def run_folder(out: str | Path | None, *, command: str, label: str, force: bool = False) -> Iterator[Run]:
    """Yield a :class:`Run`; on success its folder appears at ``out`` in one rename."""
    target = Path(out) if out is not None else default_folder(command, label)
    if target.exists() and not force:
        raise OutputExistsError(f"{target}: output folder already exists; choose a new --out or add --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    run = Run(target=target, staging=staging)
    try:
        yield run
        manifest = {
            "sendcast_version": __version__,
            "command": ["sendcast", *sys.argv[1:]] if sys.argv and sys.argv[0].endswith("sendcast") else sys.argv,
            "python": sys.version.split()[0],
            "finished_at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.perf_counter() - run.started, 2),
            "timings_seconds": run.timings,
            "inputs": run.inputs,
            "outputs": sorted(p.name for p in staging.iterdir()),
            **run.details,
        }
        atomic.write_json(staging / "manifest.json", manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():  # only with force
        retired = target.with_name(f".{target.name}.replaced")
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(target, retired)
        shutil.rmtree(retired, ignore_errors=True)
    os.replace(staging, target)
