"""Run folders: every command that writes outputs writes them into a new folder.

A run folder is filled under a hidden temporary name and renamed into place at the
end, so an interrupted run leaves nothing that looks complete. An existing folder is
never written into unless the user says ``--force``, and then it is replaced whole.
Each run folder holds a ``manifest.json``: inputs and checksums, version, command,
timings.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
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
    """The output folder exists and the user did not ask to replace it (or may not)."""


#: The longest name part a label or an option becomes in a file name (file systems allow 255 bytes).
MAX_NAME_PART = 60


def slug(text: str, limit: int = MAX_NAME_PART) -> str:
    """``"Early identification"`` -> ``"early-identification"``: safe in a file name.

    At most ``limit`` characters: a longer name is cut and given a short fingerprint of the
    whole name, so two long names that start alike still differ. Never empty.
    """
    made = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower()).strip("-")
    while "--" in made:
        made = made.replace("--", "-")
    if len(made) > limit or not made:
        made = made[: limit - 9].rstrip("-") + "-" + _fingerprint(text)
    return made.strip("-")


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def option_file_names(names: list[str]) -> dict[str, str]:
    """A distinct, length-limited file-name part for each option name.

    :func:`slug` folds case and punctuation, so ``"Option A"`` and ``"option a"`` would
    share charts; every name whose slug is shared gets its own fingerprint added.
    """
    slugs = {name: slug(name) for name in names}
    counts: dict[str, int] = {}
    for made in slugs.values():
        counts[made] = counts.get(made, 0) + 1
    return {name: made if counts[made] == 1 else f"{made[: MAX_NAME_PART - 9]}-{_fingerprint(name)}"
            for name, made in slugs.items()}


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


MANIFEST = "manifest.json"


def written_by_sendcast(folder: Path) -> bool:
    """True when ``folder`` holds a ``manifest.json`` that sendcast wrote (it names the
    sendcast version and lists the folder's outputs), and nothing else but those outputs."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or "sendcast_version" not in manifest:
        return False
    outputs = manifest.get("outputs")
    if not isinstance(outputs, list):
        return False
    present = {p.name for p in folder.iterdir()}
    return present <= set(outputs) | {MANIFEST}


def _check_target(target: Path, force: bool) -> None:
    """Refuse an ``--out`` that is not a folder sendcast may create or replace."""
    resolved = target.resolve()
    here = Path.cwd().resolve()
    if resolved == here or resolved in here.parents or resolved == Path(resolved.anchor) \
            or resolved == Path.home().resolve():
        raise OutputExistsError(f"{target}: --out must be a new folder for this run, not the current folder, "
                                "one above it, your home folder or the root")
    if not (target.exists() or target.is_symlink()):
        return
    if not force:
        raise OutputExistsError(f"{target}: output folder already exists; choose a new --out or add --force")
    if target.is_symlink() or not target.is_dir() or not written_by_sendcast(target):
        raise OutputExistsError(f"{target}: --force replaces only a folder sendcast wrote (with its manifest.json "
                                "and only the outputs it lists); this one is not, so it is left as it is. "
                                "Choose a new --out")


@contextmanager
def _lock(target: Path) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside ``target`` for the whole run: a second run on the same
    ``--out`` at the same time is refused at once (the lock goes with the process, so a run
    that was killed does not leave the folder locked)."""
    lock_path = target.parent / f".{target.name}.lock"
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputExistsError(f"{target}: another sendcast run is writing this folder now; wait for it "
                                    "or choose a new --out") from None
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)
    finally:
        os.close(handle)


@contextmanager
def run_folder(out: str | Path | None, *, command: str, label: str, force: bool = False) -> Iterator[Run]:
    """Yield a :class:`Run`; on success its folder appears at ``out`` in one rename.

    The folder is filled under a hidden ``.NAME.partial-*`` name and its manifest is the
    last file written; anything that fails (the command, the manifest, the rename) removes
    the staging folder, so no folder that looks complete is ever left behind. ``force``
    replaces only a folder sendcast wrote (see :func:`written_by_sendcast`), checked
    again just before the rename; a concurrent run on the same ``out`` is refused.
    """
    target = Path(out) if out is not None else default_folder(command, label)
    _check_target(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        _check_target(target, force)  # again, now that no other run can change it
        staging = atomic.make_staging_folder(target.parent, f".{target.name}.partial-")
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
            atomic.write_json(staging / MANIFEST, manifest)
            _check_target(target, force)
            if target.exists():  # only with force, and only a folder sendcast wrote
                retired = target.with_name(f".{target.name}.replaced-{os.getpid()}")
                os.replace(target, retired)
                os.rename(staging, target)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                os.rename(staging, target)  # fails if a folder with files appeared meanwhile
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
