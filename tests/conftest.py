"""Shared fixtures: the shipped data, built once per test session into a temporary
folder, so tests never write into the repository's data/processed/."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendcast.data.build import Dataset, build_dataset, discover_inputs
from sendcast.data.store import load_dataset

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "data" / "raw"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder like the shipped one: raw/ and capacity/ linked (never written), and its
    own processed/."""
    root = tmp_path_factory.mktemp("data")
    (root / "raw").symlink_to(RAW, target_is_directory=True)
    (root / "capacity").symlink_to(REPO / "data" / "capacity", target_is_directory=True)
    # built here, not by the first command a test runs: the build's warnings (withheld values)
    # would otherwise land in that test's captured output (a test counting error lines failed
    # whenever it happened to be the first to use the folder in its worker)
    load_dataset(root)
    return root


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The shipped data, built in memory."""
    return build_dataset(discover_inputs(RAW))
