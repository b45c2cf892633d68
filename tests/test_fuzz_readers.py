"""Fuzzing the readers: whatever bytes a user hands sendcast, a reader either returns a
result or raises an InputError naming the file; never another exception (which the
CLI would show as a traceback).

Two kinds of input: random bytes, and a valid file mutated a few times (a slice
deleted, bytes inserted or replaced, a line repeated or dropped, cells swapped for
awkward text). The small-area counts are synthetic.
"""

from __future__ import annotations

import functools
import io
import shutil
import struct
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendcast.data.capacity import read_capacity
from sendcast.data.lait import read_lait
from sendcast.data.population import POPULATION_SOURCES, read_population_file
from sendcast.data.release import open_release
from sendcast.data.sen2 import read_release
from sendcast.reporting.disclosure import apply_disclosure_control
from sendcast.runtime.errors import InputError
from sendcast.scenarios.files import load_scenario
from sendcast.data.small_area import read_small_area_counts
from sendcast.money.unit_costs import read_unit_cost_file
from tests.bad_input_corpus import CAPACITY, POPULATION, SCENARIO, SMALL_AREA, UNIT_COSTS, _template

REPO = Path(__file__).resolve().parent.parent
LAIT = REPO / "data" / "raw" / "lait" / "lait_bds_sen_measures_all_las_long.csv"
AWKWARD = ["", " ", "-1", "1e309", "nan", "inf", "c", "z", "x", "0x10", "1,000", "\ufeff", "\x00", "é", '"',
           "2024/25", "202427", "E99999999", "999", "Total", "\n", ",", "9" * 40, "１２"]

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """A valid file with one to four random edits."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "repeat_line", "drop_line", "cell"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "delete":
            del data[at: at + draw(st.integers(1, 50))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind in ("repeat_line", "drop_line", "cell"):
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(0, len(lines) - 1))
            if kind == "repeat_line":
                lines.insert(index, lines[index])
            elif kind == "drop_line":
                del lines[index]
            else:
                cells = lines[index].split(b",")
                cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(AWKWARD)).encode("utf-8")
                lines[index] = b",".join(cells)
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _inputs(original: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), mutated(original))


def _reads_or_refuses(read: Callable[[Path], object], path: Path,
                      sound: Callable[[object], bool] = lambda result: True) -> None:
    """``read(path)`` gives a result that passes ``sound``, or a one-line InputError."""
    try:
        result = read(path)
    except InputError as error:
        assert str(error).strip() and "\n" not in str(error), "one line"
        assert path.name in str(error), str(error)
    else:
        assert sound(result), "a result a planner could be misled by"


def _protectable(counts) -> bool:
    """Counts the reader accepts are whole, non-negative and go through disclosure control."""
    published = apply_disclosure_control(counts).published
    return bool((counts.to_numpy() >= 0).all()) and published.shape == (counts.shape[0] + 1, counts.shape[1] + 1)


@pytest.mark.parametrize("name, original, read, sound", [
    ("capacity.csv", CAPACITY.encode(), read_capacity, lambda c: bool((c["places"] >= 0).all())),
    ("unit_costs.csv", UNIT_COSTS.encode(), read_unit_cost_file,
     lambda c: not (c["annual_cost_gbp"] < 0).any() and not np.isinf(c["annual_cost_gbp"]).any()),
    ("counts.csv", SMALL_AREA.encode(), read_small_area_counts, _protectable),
    ("scenario.toml", SCENARIO.encode(), lambda p: load_scenario(p), lambda s: True),
], ids=["capacity", "unit costs", "small-area counts", "scenario"])
def test_small_user_files(name, original, read, sound, tmp_path):
    @FUZZ
    @given(_inputs(original))
    def check(data: bytes) -> None:
        path = tmp_path / name
        path.write_bytes(data)
        _reads_or_refuses(read, path, sound)
    check()


@FUZZ
@given(_inputs(POPULATION.read_bytes()))
def test_population_file(tmp_path, data):
    path = tmp_path / POPULATION.name
    path.write_bytes(data)
    _reads_or_refuses(lambda p: read_population_file(p, POPULATION_SOURCES[0]), path,
                      lambda rows: bool((rows["value"] >= 0).all() and np.isfinite(rows["value"]).all()))


@FUZZ
@given(_inputs(b"".join(LAIT.read_bytes().splitlines(keepends=True)[:80])))
def test_lait_file(tmp_path, data):
    path = tmp_path / "lait.csv"
    path.write_bytes(data)
    _reads_or_refuses(lambda p: read_lait(p, {"916", "865", "201"}), path)


@pytest.mark.slow  # 5 CPU-s measured (fast tier: under 3)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(["caseload.csv", "requests.csv", "timeliness_20_week.csv"]), data=st.data())
def test_release_table(tmp_path, table, data):
    release = tmp_path / "release"
    shutil.rmtree(release, ignore_errors=True)
    shutil.copytree(_template(), release)
    path = release / "data" / table
    path.write_bytes(data.draw(_inputs(path.read_bytes())))
    try:
        read_release(open_release(release))
    except InputError as error:
        assert "\n" not in str(error) and str(release) in str(error)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 0.999))
def test_release_zip_cut_anywhere(tmp_path, cut):
    archive = Path(shutil.make_archive(str(tmp_path / "release"), "zip", _template()))
    data = archive.read_bytes()
    archive.write_bytes(data[: int(len(data) * cut)])
    try:
        read_release(open_release(archive))
    except InputError as error:
        assert "\n" not in str(error) and archive.name in str(error)


# ------------------------------------------------------------------ release zip structure
# A zip is built from a random list of members: the real tables under their own or other
# folders (so a table may appear twice), paths leaving the archive, junk and highly
# compressible members, and headers patched as other zip tools write them (encrypted,
# Deflate64, unknown methods). Whatever the structure, reading either refuses in one line
# naming the zip, or returns exactly the numbers the clean release gives: a duplicate
# table can never double a count.
_TABLES = sorted(p.name for p in (_template() / "data").glob("*.csv"))
_FOLDERS = ["data/", "", "old/data/", "release/data/", "supporting-files/", "../", "/abs/", "data\\", "data/../"]


@st.composite
def release_zips(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A zip's bytes, and whether it is the clean release (every table once under data/)."""
    entries: list[tuple[str, bytes]] = [(f"data/{name}", (_template() / "data" / name).read_bytes())
                                        for name in _TABLES]
    clean = True
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["copy", "junk", "zeros", "drop"]))
        if kind == "copy":
            name = draw(st.sampled_from(_TABLES))
            entries.append((draw(st.sampled_from(_FOLDERS)) + name, (_template() / "data" / name).read_bytes()))
        elif kind == "junk":
            entries.append((draw(st.sampled_from(_FOLDERS)) + draw(st.sampled_from(["notes.txt", "extra.csv"])),
                            draw(st.binary(max_size=200))))
        elif kind == "zeros":
            entries.append(("data-guidance/padding.txt", bytes(draw(st.integers(0, 3 * 1024**2)))))
        elif entries:
            del entries[draw(st.integers(0, len(entries) - 1))]
        clean = False
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    data = bytearray(buffer.getvalue())
    patch = draw(st.sampled_from([None, ("flags", 0x1), ("method", 9), ("method", 99), ("method", 14)]))
    if patch is not None and entries:
        member = draw(st.integers(0, len(entries) - 1))
        at = -1
        for _ in range(member + 1):
            at = data.find(b"PK\x01\x02", at + 1)
        local = struct.unpack_from("<I", data, at + 42)[0]
        central, offset = (8, 6) if patch[0] == "flags" else (10, 8)
        struct.pack_into("<H", data, at + central, patch[1])
        struct.pack_into("<H", data, local + offset, patch[1])
        clean = False
    return bytes(data), clean


@functools.cache
def _clean_measures() -> pd.DataFrame:
    tables = read_release(open_release(_template()))
    return tables.measures.drop(columns="source").sort_values(list(tables.measures.columns[:5])).reset_index(drop=True)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(release_zips())
def test_release_zip_structure(tmp_path, drawn):
    data, clean = drawn
    archive = tmp_path / "release.zip"
    archive.write_bytes(data)
    started = time.perf_counter()
    try:
        tables = read_release(open_release(archive))
    except InputError as error:
        assert "\n" not in str(error) and archive.name in str(error), str(error)
        assert not clean, f"the clean release was refused: {error}"
    else:
        got = tables.measures.drop(columns="source").sort_values(list(tables.measures.columns[:5]))
        pd.testing.assert_frame_equal(got.reset_index(drop=True), _clean_measures())
    assert time.perf_counter() - started < 30, "refused or read promptly"
