"""Read ONS sub-national population projections (persons, single year of age 0-25).

Each file is one ONS projection vintage in its published wide layout (AREA_CODE,
AREA_NAME, COMPONENT, SEX, AGE_GROUP, then one column per mid-year). Districts are
added up to their county when the vintage is published for districts only. For each
year the newest vintage whose base year is not after that year is used; the base year
itself is an ONS mid-year estimate and later years are projections, and the ``source``
column says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.release import read_csv_text, read_input_file, require_columns
from sendcast.runtime.errors import InputError

ID_COLUMNS = ("AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP")
#: The single years of age every area must have (SEND plans run to age 25).
AGES = (0, 25)
#: No area has more people of one single year of age (England's largest cohort is about
#: 720,000; an LA's about 20,000): a larger cell is a typing or unit error.
MAX_PER_AGE = 1_000_000
#: Mid-years a sub-national projection can hold (the 2001 census base to far beyond any horizon).
YEARS = (2001, 2100)
SEXES = ("persons", "males", "females", "male", "female")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_AREA_CODE = re.compile(r"^[EWSN]\d{8}$")


@dataclass(frozen=True)
class PopulationSource:
    """One ONS projection file and how its areas map to an LA."""

    file: str
    vintage: str
    base_year: int
    la_number: str
    area_codes: tuple[str, ...]


GLOUCESTERSHIRE_DISTRICTS = ("E07000078", "E07000079", "E07000080", "E07000081", "E07000082", "E07000083")

POPULATION_SOURCES: tuple[PopulationSource, ...] = (
    PopulationSource("snpp2018_glos_county_age0_25_persons.csv", "ONS 2018-based SNPP", 2018, "916",
                     ("E10000013",)),
    PopulationSource("snpp2022_glos_districts_age0_25_persons.csv", "ONS 2022-based SNPP", 2022, "916",
                     GLOUCESTERSHIRE_DISTRICTS),
)


def read_population_file(path: Path, source: PopulationSource) -> pd.DataFrame:
    """Read one vintage: rows (la_key, year, age, value, vintage, base_year)."""
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, ID_COLUMNS, label)
    for column in frame.columns:
        if column not in ID_COLUMNS and column != "_row" and not _YEAR.match(column):
            raise InputError(label, "only the columns " + ", ".join(ID_COLUMNS) + " and one per mid-year such as 2030",
                             row=1, column=column)
        if _YEAR.match(column) and not YEARS[0] <= int(column) <= YEARS[1]:
            raise InputError(label, f"mid-years from {YEARS[0]} to {YEARS[1]} (ONS projections of this kind)",
                             row=1, column=column)
    codes = frame["AREA_CODE"].str.strip()
    malformed = ~codes.str.match(_AREA_CODE)
    if malformed.any():
        row = frame.loc[malformed].iloc[0]
        raise InputError(label, "a nine-character ONS area code such as E10000013", row=int(row["_row"]),
                         column="AREA_CODE", found=row["AREA_CODE"])
    sex = frame["SEX"].str.strip().str.lower()
    unknown = ~sex.isin(SEXES)
    if unknown.any():
        row = frame.loc[unknown].iloc[0]
        raise InputError(label, "SEX persons, males or females (as ONS publishes it)", row=int(row["_row"]),
                         column="SEX", found=row["SEX"])
    frame = frame[(sex == "persons")
                  & (frame["COMPONENT"].str.strip() == "Population")
                  & codes.isin(source.area_codes)].copy()
    frame["AREA_CODE"] = frame["AREA_CODE"].str.strip()
    found = set(frame["AREA_CODE"])
    missing = [c for c in source.area_codes if c not in found]
    if missing:
        raise InputError(label, "population rows for areas " + ", ".join(missing), column="AREA_CODE",
                         found="none")
    ages, _ = parse_numbers(frame["AGE_GROUP"], path=label, column="AGE_GROUP", rows=frame["_row"], kind="count")
    if ages.isna().any():
        row = frame.loc[ages.isna(), "_row"].iloc[0]
        raise InputError(label, "a single year of age 0-25", row=int(row), column="AGE_GROUP")
    outside = (ages < AGES[0]) | (ages > AGES[1])
    if outside.any():
        row = frame.loc[outside].iloc[0]
        raise InputError(label, f"single years of age {AGES[0]}-{AGES[1]} only (SEND plans run to 25; another age "
                         "would be added to the totals)", row=int(row["_row"]), column="AGE_GROUP",
                         found=row["AGE_GROUP"])
    year_columns = [c for c in frame.columns if _YEAR.match(c)]
    if not year_columns:
        raise InputError(label, "one column per year (e.g. 2022, 2023, ...)", row=1, found="none")
    if frame.assign(_age=ages).duplicated(["AREA_CODE", "_age"]).any():
        row = frame.loc[frame.assign(_age=ages).duplicated(["AREA_CODE", "_age"]), "_row"].iloc[0]
        raise InputError(label, "one row per area and age", row=int(row), column="AGE_GROUP")
    for code in source.area_codes:
        present = set(ages[frame["AREA_CODE"].str.strip() == code].astype(int))
        absent = sorted(set(range(AGES[0], AGES[1] + 1)) - present)
        if absent:
            raise InputError(label, f"a row for every single year of ages {AGES[0]}-{AGES[1]} for area {code} "
                             "(is the file truncated?)", column="AGE_GROUP",
                             found="no row for age " + ", ".join(map(str, absent[:5])))
    pieces = []
    for column in year_columns:
        values, _ = parse_numbers(frame[column], path=label, column=column, rows=frame["_row"], kind="number")
        if (values < 0).any() or values.isna().any():
            bad = frame.loc[(values < 0) | values.isna()].iloc[0]
            raise InputError(label, "a population of 0 or more", row=int(bad["_row"]), column=column,
                             found=bad[column])
        if (values > MAX_PER_AGE).any():
            bad = frame.loc[values > MAX_PER_AGE].iloc[0]
            raise InputError(label, f"a population of at most {MAX_PER_AGE:,} for one area and single year of age",
                             row=int(bad["_row"]), column=column, found=bad[column])
        pieces.append(pd.DataFrame({"age": ages.astype(int).to_numpy(), "value": values.to_numpy(),
                                    "year": int(column)}))
    long = pd.concat(pieces).groupby(["year", "age"], as_index=False)["value"].sum()
    long["la_key"] = source.la_number
    long["vintage"] = source.vintage
    long["base_year"] = source.base_year
    long["derived"] = "sum of districts" if len(source.area_codes) > 1 else ""
    return long


def population_measures(vintages: list[pd.DataFrame]) -> pd.DataFrame:
    """Pick the newest usable vintage per LA and year; return tidy ``population`` rows.

    Breakdown ``age=N`` for each single year of age, and a total row (ages 0-25). An LA
    whose figures start at mid-2022 (every LA but Gloucestershire: the national file starts
    there) gets the earlier years back-cast
    by :func:`backcast` (``source`` says so).
    """
    if not vintages:
        return pd.DataFrame(columns=["la_key", "year", "year_basis", "measure", "breakdown", "value", "source"])
    every = pd.concat(vintages, ignore_index=True)
    every = every[every["year"] >= every["base_year"]]
    newest = every.groupby(["la_key", "year"])["base_year"].transform("max")
    chosen = every[every["base_year"] == newest].copy()
    status = chosen["year"].eq(chosen["base_year"]).map({True: "mid-year estimate", False: "projection"})
    derived = chosen["derived"].fillna("")
    chosen["source"] = (chosen["vintage"] + " " + status
                        + derived.map(lambda d: f" (derived: {d})" if d else ""))
    chosen = pd.concat([chosen, backcast(chosen)], ignore_index=True)
    ages = chosen.assign(breakdown="age=" + chosen["age"].astype(str))
    totals = chosen.groupby(["la_key", "year", "source"], as_index=False)["value"].sum()
    totals["breakdown"] = ""
    totals["source"] = totals["source"] + " (derived: sum of ages 0-25)"
    out = pd.concat([ages, totals], ignore_index=True)
    out["year_basis"] = "mid_year"
    out["measure"] = "population"
    return out[["la_key", "year", "year_basis", "measure", "breakdown", "value", "source"]]


#: First mid-year back-cast for LAs whose ONS figures start later (the simulation's
#: calibration window starts in 2016 at the earliest).
BACKCAST_FROM = 2016
#: Only LAs with no ONS figure before this mid-year are back-cast (Gloucestershire keeps its
#: 2018-based figures and is not back-cast).
BACKCAST_BASE = 2022
#: Oldest age (at the base year) whose cohort is aged backwards; older residents (students,
#: young adults moving for work) are held at the base year's figure for their age.
BACKCAST_COHORT_MAX_AGE = 17
BACKCAST_SOURCE = ("back-cast from the {vintage} mid-{base} estimate (derived, ILLUSTRATIVE: ages whose "
                   "cohort was 0-17 at mid-{base} aged backwards, i.e. population(a, y) = population(a + {base} - y, "
                   "{base}); older ages held at their mid-{base} figure; no deaths or migration)")


def backcast(chosen: pd.DataFrame) -> pd.DataFrame:
    """Mid-years :data:`BACKCAST_FROM` to the base year - 1 for each LA whose first figure is a
    base-year estimate of :data:`BACKCAST_BASE` or later (ONS publishes no single-year-of-age
    estimates for every LA before mid-2022 in the shipped files).

    Rule (one per age and year, stated in ``source``): ``k = base - year``; if
    ``age + k <= 17`` the cohort is aged backwards (``population(age + k, base)``), otherwise
    the base year's figure for the same age is used. It ignores deaths and migration, so it
    is a labelled approximation, not an estimate; tests/data/test_population_national.py
    measures it against the ONS 2018-based figures for Gloucestershire.
    """
    columns = ["la_key", "year", "age", "value", "vintage", "base_year", "derived", "source"]
    first = chosen.groupby("la_key")["year"].min()
    rows = []
    for la_key, base in first[first >= BACKCAST_BASE].items():
        base_rows = chosen[(chosen["la_key"] == la_key) & (chosen["year"] == base)]
        if base_rows.empty or not (base_rows["base_year"] == base).all():
            continue
        by_age = base_rows.set_index("age")["value"]
        vintage = base_rows["vintage"].iloc[0]
        text = BACKCAST_SOURCE.format(vintage=vintage, base=int(base))
        for year in range(BACKCAST_FROM, int(base)):
            k = int(base) - year
            for age in by_age.index:
                value = by_age.get(age + k) if age + k <= BACKCAST_COHORT_MAX_AGE else by_age[age]
                rows.append((la_key, year, int(age), float(value), vintage, int(base), "backcast", text))
    return pd.DataFrame(rows, columns=columns)


def population_note(measures: pd.DataFrame, la_code: str, first: int, last: int) -> str:
    """One line saying which population figures an LA uses for mid-years ``first`` to
    ``last`` (``measures``: a dataset's tidy table): each source once, with its years ("" when
    none)."""
    rows = measures[measures["la_code"] == la_code]
    totals = rows[(rows["measure"] == "population") & (rows["breakdown"] == "") & rows["year"].between(first, last)]
    if totals.empty:
        return ""
    parts = []
    for source, part in totals.groupby("source", sort=False):
        years = sorted(part["year"].astype(int))
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else f"{years[0]}"
        parts.append(f"mid-{span}: {source.removesuffix(' (derived: sum of ages 0-25)')}")
    return "population: " + "; ".join(parts)
