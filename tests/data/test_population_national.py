"""Population for every LA: the national ONS 2022-based file, its checks, boundary changes
and the labelled back-cast before mid-2022."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sendcast.data import population_national
from sendcast.data.population import POPULATION_SOURCES, population_measures, read_population_file
from sendcast.runtime.errors import InputError

REPO = Path(__file__).resolve().parents[2]
ONS = REPO / "data" / "raw" / "ons"


def _population(dataset):
    m = dataset.measures
    rows = m[(m["measure"] == "population") & m["breakdown"].str.startswith("age=")]
    return rows.assign(age=rows["breakdown"].str.removeprefix("age=").astype(int))


def test_every_current_la_has_ages_0_to_25_in_every_year_and_no_negatives(dataset):
    rows = _population(dataset)
    las = dataset.geography.las
    current = las[(las["la_code"] != "E92000001") & (las["last_year"] == las["last_year"].max())]
    assert len(current) >= 150
    for year in (2016, 2019, 2022, 2025, 2040):
        wanted = current["la_code"] if year >= 2018 else current.loc[current["la_number"] != "916", "la_code"]
        counts = rows[rows["year"] == year].groupby("la_code")["age"].nunique()
        assert set(wanted) <= set(counts.index), year
        assert (counts[wanted] == 26).all(), year
    assert (rows["value"] >= 0).all()


def test_gloucestershire_keeps_its_own_files(dataset):
    own = [read_population_file(ONS / s.file, s) for s in POPULATION_SOURCES]
    rows = _population(dataset)
    glos = rows[rows["la_code"] == "E10000013"].set_index(["year", "age"])
    for vintage, years in ((own[0], (2018, 2019, 2020, 2021)), (own[1], (2022, 2030, 2047))):
        expected = vintage[vintage["year"].isin(years)].set_index(["year", "age"])["value"]
        assert glos.loc[expected.index, "value"].to_numpy() == pytest.approx(expected.to_numpy())
    assert glos.index.get_level_values("year").min() == 2018  # not back-cast


def test_boundary_changes(dataset):
    rows = _population(dataset)
    total = rows[rows["year"] == 2025].groupby("la_code")["value"].sum()
    # Cumbria (abolished 2023) is the sum of Cumberland and Westmorland and Furness.
    assert total["E10000006"] == pytest.approx(total["E06000063"] + total["E06000064"])
    # North Yorkshire and Somerset: unitary on the county boundary, found under the SEN2 keys.
    assert {"E10000023", "E10000027", "E06000058", "E06000059", "E06000061", "E06000062"} <= set(total.index)
    # The pre-2019 Dorset, Bournemouth and Poole have no figure (their series end in 2019).
    assert not {"E10000009", "E06000028", "E06000029"} & set(total.index)


def test_backcast_is_labelled_and_close_to_the_ons_2018_based_figures_for_gloucestershire():
    """The back-cast rule applied to Gloucestershire's mid-2022 estimate, against the ONS
    2018-based figures for 2019-2021 (measured: total ages 0-25 within 1.2%, ages 0-17
    within 2.2%, single ages within 9%)."""
    old, new = (read_population_file(ONS / s.file, s) for s in POPULATION_SOURCES)
    rows = population_measures([new.assign(la_key="X")])
    back = rows[(rows["year"] < 2022) & rows["breakdown"].str.startswith("age=")]
    assert back["source"].str.contains("back-cast").all() and back["source"].str.contains("ILLUSTRATIVE").all()
    assert sorted(back["year"].unique()) == list(range(2016, 2022))
    back = back.assign(age=back["breakdown"].str[4:].astype(int)).set_index(["year", "age"])["value"]
    published = old.set_index(["year", "age"])["value"]
    for year in (2019, 2020, 2021):
        mine, theirs = back.loc[year], published.loc[year]
        assert abs(mine.sum() / theirs.sum() - 1) < 0.015
        assert abs(mine.loc[:17].sum() / theirs.loc[:17].sum() - 1) < 0.025
        assert (mine / theirs - 1).abs().max() < 0.10


def _copy(tmp_path: Path) -> Path:
    for name in population_national.FILES:
        shutil.copy(ONS / name, tmp_path / name)
    return tmp_path


def test_a_negative_value_names_its_row_and_column(tmp_path):
    folder = _copy(tmp_path)
    path = folder / population_national.DISTRICT_FILE
    lines = path.read_text().splitlines()
    fields = lines[5].split(",")
    fields[7] = "-3.000"
    lines[5] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"row 6, column '2024'.*0 or more"):
        population_national.read_national_population(folder)


def test_a_missing_age_and_a_missing_lookup_are_refused(tmp_path):
    folder = _copy(tmp_path)
    path = folder / population_national.DISTRICT_FILE
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:3] + lines[4:]) + "\n")
    with pytest.raises(InputError, match="every single year of age 0-25 for district E06000001"):
        population_national.read_national_population(folder)
    (folder / population_national.LA_NUMBER_FILE).unlink()
    with pytest.raises(InputError, match="no file"):
        population_national.read_national_population(folder)
