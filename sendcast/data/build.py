"""Build the processed dataset from the raw published files.

Reads every SEN2 release, the LAIT school-census file and the ONS population files
found under a raw-data folder, merges them into the tidy table of
:mod:`sendcast.data.measures`, runs the consistency checks and describes it all in a
manifest. Pure reading: nothing under the raw folder is ever written.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sendcast import __version__
from sendcast.data import checks, needs
from sendcast.data.geography import Geography, build_geography
from sendcast.data.lait import read_lait
from sendcast.data.measures import ENGLAND_CODE, TIDY_COLUMNS
from sendcast.data.neighbours import read_neighbours
from sendcast.data.population import POPULATION_SOURCES, population_measures, read_population_file
from sendcast.data import population_national
from sendcast.data.release import open_release
from sendcast.data.sen2 import ENGLAND_KEY, ReleaseTables, read_release
from sendcast.runtime.errors import InputError
from sendcast.runtime.files import sha256

log = logging.getLogger(__name__)

LAIT_FILE = "lait_bds_sen_measures_all_las_long.csv"
NEIGHBOURS_FILE = "lait_sn_may_2025.xlsx"


@dataclass(frozen=True)
class RawInputs:
    """The raw files a build reads. ``sen2`` holds release zips or folders."""

    sen2: tuple[Path, ...]
    lait: Path | None
    population: tuple[Path, ...]
    root: Path | None = None
    neighbours: Path | None = None

    def name(self, path: Path) -> str:
        """How the manifest names a file: relative to the raw folder when inside it."""
        if self.root is not None:
            try:
                return Path(path).resolve().relative_to(Path(self.root).resolve()).as_posix()
            except ValueError:
                pass
        return str(path)

    @property
    def files(self) -> list[Path]:
        out = [p for p in self.sen2 if p.is_file()]
        for folder in (p for p in self.sen2 if p.is_dir()):
            out.extend(sorted(folder.rglob("*.csv")))
        out += [p for p in (self.lait, self.neighbours) if p is not None]
        return out + list(self.population)


@dataclass(frozen=True)
class Dataset:
    """A built dataset: the tidy measures, the LAs, the checks, the manifest and the
    statistical neighbours (la_code, rank, neighbour_code, neighbour_name, closeness)."""

    measures: pd.DataFrame
    geography: Geography
    checks: pd.DataFrame
    manifest: dict
    neighbours: pd.DataFrame

    @property
    def input_checksums(self) -> tuple[str, ...]:
        """The checksums of the raw files it was built from, sorted: two datasets with the
        same checksums hold the same data (empty if the manifest does not record them)."""
        return tuple(sorted(item["sha256"] for item in self.manifest.get("inputs", [])))


def discover_inputs(raw_dir: Path, extra_releases: tuple[Path, ...] = ()) -> RawInputs:
    """Find the raw files under ``raw_dir`` (layout in data/README.md).

    ``sen2/`` holds release zips or extracted release folders; ``lait/`` the LAIT file;
    ``ons/`` the population projections. ``extra_releases`` adds releases from elsewhere.
    """
    raw_dir = Path(raw_dir)
    sen2_dir = raw_dir / "sen2"
    releases = sorted(p for p in sen2_dir.glob("*") if p.suffix == ".zip" or p.is_dir()) if sen2_dir.is_dir() else []
    releases += [Path(p) for p in extra_releases]
    if not releases:
        raise InputError(sen2_dir, "at least one SEN2 release zip or folder", found="none")
    lait = raw_dir / "lait" / LAIT_FILE
    population = tuple(raw_dir / "ons" / s.file for s in POPULATION_SOURCES if (raw_dir / "ons" / s.file).exists())
    if (raw_dir / "ons" / population_national.DISTRICT_FILE).exists():
        # The national file needs its two lookups; a missing one is named when the build reads it.
        population += tuple(raw_dir / "ons" / name for name in population_national.FILES)
    neighbours = raw_dir / "lait" / NEIGHBOURS_FILE
    return RawInputs(tuple(releases), lait if lait.exists() else None, population, raw_dir,
                     neighbours if neighbours.exists() else None)


def build_dataset(inputs: RawInputs) -> Dataset:
    """Read, merge and check every raw input; return the :class:`Dataset`."""
    started = time.perf_counter()
    releases = [needs.with_needs(read_release(open_release(path))) for path in inputs.sen2]
    sen2 = _merge_releases(releases)
    areas = pd.concat([r.areas for r in releases], ignore_index=True)
    caseload = sen2[(sen2["measure"] == "ehcp_total") & (sen2["breakdown"] == "") & sen2["value"].notna()]
    geography = build_geography(areas, caseload[caseload["la_key"] != ENGLAND_KEY][["la_key", "year"]])
    known = set(geography.las["la_number"]) - {""}
    pieces = [sen2]
    if inputs.lait is not None:
        pieces.append(read_lait(inputs.lait, known))
    vintages = [read_population_file(path, source)
                for path in inputs.population
                for source in POPULATION_SOURCES if source.file == path.name]
    national = [p for p in inputs.population if p.name == population_national.DISTRICT_FILE]
    if national:
        # LAs with a file of their own keep it (Gloucestershire: the same ONS figures, to 2047).
        own = {s.la_number for s in POPULATION_SOURCES if any(p.name == s.file for p in inputs.population)}
        vintages.append(population_national.read_national_population(national[0].parent, skip=own))
    pieces.append(population_measures(vintages))
    tidy, collapsed = checks.without_collapsed_requests(_attach_names(pd.concat(pieces, ignore_index=True), geography))
    neighbours = _neighbours(inputs, known, geography)
    results = pd.concat([checks.run_all(tidy, releases), collapsed, needs.need_checks(tidy).drop(columns="_age")],
                        ignore_index=True)
    codes = geography.las.set_index("la_number")["la_code"]
    results["la_code"] = results["la_code"].map(lambda k: codes.get(k, k))
    manifest = _manifest(inputs, releases, tidy, geography, results, time.perf_counter() - started)
    log.info("built %d rows for %d LAs in %.1f s", len(tidy), len(geography.las) - 1, manifest["build_seconds"])
    return Dataset(tidy, geography, results, manifest, neighbours)


def _neighbours(inputs: RawInputs, known: set[str], geography: Geography) -> pd.DataFrame:
    columns = ["la_code", "rank", "neighbour_code", "neighbour_name", "closeness"]
    if inputs.neighbours is None:
        return pd.DataFrame(columns=columns)
    raw = read_neighbours(inputs.neighbours, known)
    las = geography.las.set_index("la_number")
    return pd.DataFrame({
        "la_code": raw["la_number"].map(las["la_code"]),
        "rank": raw["rank"],
        "neighbour_code": raw["neighbour_number"].map(las["la_code"]),
        "neighbour_name": raw["neighbour_number"].map(las["la_name"]),
        "closeness": raw["closeness"],
    })[columns]


def _merge_releases(releases: list[ReleaseTables]) -> pd.DataFrame:
    """Where releases overlap, keep the newer release's published value.

    A value the newer release does not publish (suppressed) falls back to the older one.
    """
    tagged = [r.measures.assign(_rank=r.latest_january) for r in releases]
    every = pd.concat(tagged, ignore_index=True)
    every["_has"] = every["value"].notna()
    every = every.sort_values(["_has", "_rank"], ascending=False, kind="stable")
    keys = ["la_key", "year", "year_basis", "measure", "breakdown"]
    return every.drop_duplicates(keys).drop(columns=["_rank", "_has"])


def _attach_names(tidy: pd.DataFrame, geography: Geography) -> pd.DataFrame:
    las = geography.las.set_index("la_number")
    is_england = tidy["la_key"] == ENGLAND_KEY
    tidy = tidy.copy()
    tidy["la_code"] = tidy["la_key"].map(las["la_code"]).where(~is_england, ENGLAND_CODE)
    tidy["la_name"] = tidy["la_key"].map(las["la_name"]).where(~is_england, "England")
    tidy["year"] = tidy["year"].astype(int)
    tidy = tidy.sort_values(["la_code", "measure", "breakdown", "year"], kind="stable")
    return tidy[list(TIDY_COLUMNS)].reset_index(drop=True)


def _manifest(inputs: RawInputs, releases: list[ReleaseTables], tidy: pd.DataFrame,
              geography: Geography, results: pd.DataFrame, seconds: float) -> dict:
    files = []
    for path in inputs.files:
        files.append({"path": inputs.name(path), "sha256": sha256(path), "bytes": path.stat().st_size})
    per_measure = tidy[tidy["value"].notna()].groupby("measure").agg(
        rows=("value", "size"), first_year=("year", "min"), last_year=("year", "max"))
    return {
        "sendcast_version": __version__,
        "built_at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(seconds, 2),
        "inputs": files,
        "sen2_releases": [{"path": inputs.name(r.release.path), "format": r.format,
                           "latest_january": r.latest_january}
                          for r in releases],
        "rows": int(len(tidy)),
        "local_authorities": int(len(geography.las) - 1),
        "series_breaks": int(len(geography.breaks)),
        "measures": {m: {"rows": int(r.rows), "first_year": int(r.first_year), "last_year": int(r.last_year)}
                     for m, r in per_measure.iterrows()},
        "checks": {str(k): int(v) for k, v in results["status"].value_counts().sort_index().items()},
    }
