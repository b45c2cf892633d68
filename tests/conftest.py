"""Shared fixtures: the shipped data, built once per test session (however many xdist
workers share the session) into a temporary folder, so tests never write into the
repository's data/processed/."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from pathlib import Path

import pytest

from sendcast.data.build import Dataset, build_dataset, discover_inputs
from sendcast.data.store import load_dataset, save_dataset

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "data" / "raw"


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the shipped data built once for the whole session: ``dataset.pickle``
    (the built :class:`Dataset`) and ``processed/`` (its saved tables). Under xdist the first
    worker to ask builds it, holding a lock, and the others wait and read it: one data build
    (about 8 CPU-seconds) a session instead of one per worker and per fixture."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shipped_data"
    shared.mkdir(exist_ok=True)
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / "dataset.pickle").exists():
            dataset = build_dataset(discover_inputs(RAW))
            save_dataset(dataset, shared / "processed")
            staging = shared / "dataset.pickle.partial"
            staging.write_bytes(pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL))
            staging.rename(shared / "dataset.pickle")
    return shared


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory, shipped_build: Path) -> Path:
    """A data folder like the shipped one, one per worker: raw/, capacity/ and evidence/ linked
    (never written), and its own processed/, a copy of the session's build (the notes in its
    checks.csv name the repository's raw folder, which raw/ links to)."""
    root = tmp_path_factory.mktemp("data")
    (root / "raw").symlink_to(RAW, target_is_directory=True)
    (root / "capacity").symlink_to(REPO / "data" / "capacity", target_is_directory=True)
    (root / "evidence").symlink_to(REPO / "data" / "evidence", target_is_directory=True)
    shutil.copytree(shipped_build / "processed", root / "processed")
    # read (and so checked current against raw/) here, not by the first command a test runs:
    # were it ever stale, the build's warnings (withheld values) would otherwise land in that
    # test's captured output (a test counting error lines failed whenever it happened to be
    # the first to use the folder in its worker)
    load_dataset(root)
    return root


@pytest.fixture(scope="session")
def dataset(shipped_build: Path) -> Dataset:
    """The shipped data, built in memory (once a session: :func:`shipped_build`)."""
    return pickle.loads((shipped_build / "dataset.pickle").read_bytes())


@pytest.fixture(scope="module")
def built_data(data_dir):
    """The commands read the session's data folder (``SENDCAST_DATA``), built already, not
    the repository's: the build's own warnings (withheld published values), which are not
    about the bad input under test, never reach stderr, and the fast tier does no data build
    of its own here (about 8 CPU-seconds)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SENDCAST_DATA", str(data_dir))
        yield data_dir
