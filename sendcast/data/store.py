"""Save and load the processed dataset under ``data/processed/``.

Files: ``measures.csv`` (the tidy table), ``las.csv``, ``breaks.csv``, ``checks.csv``
and ``manifest.json``. The folder is replaced as a whole, atomically. Loading checks
the manifest's input checksums against the raw files and rebuilds when they differ.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from sendcast.data import paths
from sendcast.data.build import Dataset, RawInputs, build_dataset, discover_inputs
from sendcast.data.geography import Geography
from sendcast.runtime import atomic
from sendcast.runtime.files import sha256

log = logging.getLogger(__name__)

FILES = ("measures.csv", "las.csv", "breaks.csv", "checks.csv", "neighbours.csv", "manifest.json")


def save_dataset(dataset: Dataset, folder: Path) -> None:
    """Write every processed file, replacing ``folder`` atomically as a whole."""
    with atomic.replace_folder(folder) as staging:
        atomic.write_csv(staging / "measures.csv", dataset.measures)
        atomic.write_csv(staging / "las.csv", dataset.geography.las)
        atomic.write_csv(staging / "breaks.csv", dataset.geography.breaks)
        atomic.write_csv(staging / "checks.csv", dataset.checks)
        atomic.write_csv(staging / "neighbours.csv", dataset.neighbours)
        atomic.write_json(staging / "manifest.json", dataset.manifest)


def read_dataset(folder: Path) -> Dataset:
    """Read a processed folder written by :func:`save_dataset`."""
    text = {"la_code": str, "la_name": str, "measure": str, "breakdown": str, "source": str,
            "year_basis": str, "la_number": str, "aliases": str, "region": str}
    measures = pd.read_csv(folder / "measures.csv", dtype=text, keep_default_na=False,
                           na_values={"value": [""]})
    measures["value"] = measures["value"].astype(float)
    las = pd.read_csv(folder / "las.csv", dtype=text, keep_default_na=False)
    for column in ("first_year", "last_year"):
        las[column] = pd.to_numeric(las[column]).astype("Int64")
    breaks = pd.read_csv(folder / "breaks.csv", dtype=str, keep_default_na=False)
    checks = pd.read_csv(folder / "checks.csv", dtype={"la_code": str, "note": str}, keep_default_na=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    neighbours = pd.read_csv(folder / "neighbours.csv", dtype=str, keep_default_na=False)
    neighbours["rank"] = neighbours["rank"].astype(int)
    return Dataset(measures, Geography(las, breaks), checks, manifest, neighbours)


def is_current(folder: Path, inputs: RawInputs) -> bool:
    """True when ``folder`` holds a complete build whose recorded inputs are unchanged.

    Every file now under the raw folder must be among the recorded inputs, and every
    recorded input (including releases added with ``--release`` from elsewhere) must
    still exist with the same checksum.
    """
    if not all((folder / name).exists() for name in FILES):
        return False
    manifest = json.loads((folder / "manifest.json").read_text())
    recorded = {item["path"]: item["sha256"] for item in manifest.get("inputs", [])}
    if not {inputs.name(p) for p in inputs.files} <= set(recorded):
        return False
    root = Path(inputs.root) if inputs.root is not None else Path(".")
    for name, checksum in recorded.items():
        path = Path(name) if Path(name).is_absolute() else root / name
        if not path.is_file() or sha256(path) != checksum:
            return False
    return True


def load_dataset(data: str | Path | None = None, *, rebuild: bool = False) -> Dataset:
    """The dataset for a data folder: read it when current, otherwise build and save it."""
    root = paths.data_dir(data)
    inputs = discover_inputs(paths.raw_dir(root))
    folder = paths.processed_dir(root)
    if not rebuild and is_current(folder, inputs):
        return read_dataset(folder)
    log.info("building processed data in %s", folder)
    dataset = build_dataset(inputs)
    save_dataset(dataset, folder)
    return read_dataset(folder)


#: Datasets already read in this process, by data folder: a worker process of a national
#: run reads its folder once, and processes forked from one that remembered a dataset
#: inherit it.
_IN_PROCESS: dict[str, Dataset] = {}


def remember_dataset(dataset: Dataset, data: str | Path | None = None) -> None:
    """Let later :func:`process_dataset` calls in this process (and processes forked from
    it) use ``dataset`` for ``data`` instead of reading it again."""
    _IN_PROCESS[str(paths.data_dir(data).resolve())] = dataset


def process_dataset(data: str | Path | None = None) -> Dataset:
    """The dataset for ``data``, read at most once per process (:func:`load_dataset`)."""
    key = str(paths.data_dir(data).resolve())
    if key not in _IN_PROCESS:
        _IN_PROCESS[key] = load_dataset(data)
    return _IN_PROCESS[key]

