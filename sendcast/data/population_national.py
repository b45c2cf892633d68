"""Read the ONS 2022-based population projections for every English district and add them
up to the LAs that run SEND services (persons, single year of age 0-25, mid-years 2022-2040).

Three shipped files (``data/raw/ons/``, provenance in data/README.md):

- :data:`DISTRICT_FILE`: ONS 2022-based SNPP, one row per local authority district (2023
  geography) and age, one column per mid-year; the 2022 column is the ONS mid-2022 estimate.
- :data:`DISTRICT_LOOKUP_FILE`: district -> upper-tier LA (2023 structure); unitary
  authorities, metropolitan districts and London boroughs are their own upper tier.
- :data:`LA_NUMBER_FILE`: upper-tier ONS code -> DfE three-digit LA number (the key
  sendcast uses for every LA).

An upper-tier LA is the sum of its districts (a county: ``derived``). Boundary changes:
the file is in 2023 geography, so Dorset (838) and Bournemouth, Christchurch and Poole (839,
both 2019), North (940) and West (941) Northamptonshire (2021), Cumberland (942),
Westmorland and Furness (943), North Yorkshire (815) and Somerset (933, all 2023) are
present as they are now. North Yorkshire and Somerset became unitary on their county
boundaries, so their SEN2 series (DfE numbers 815 and 933) continue unbroken. The two
abolished LAs whose areas are exactly the sums of their successors get those sums
(``derived: sum of successors``): Cumbria (909) = 942 + 943 and Northamptonshire (928) =
940 + 941. The pre-2019 Dorset, Bournemouth and Poole have no figure: their series end in
2019, before the file starts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.release import read_csv_text, require_columns
from sendcast.runtime.errors import InputError

DISTRICT_FILE = "snpp2022_lad_persons_age0_25_2022_2040_wide.csv"
DISTRICT_LOOKUP_FILE = "lad_to_utla_2023.csv"
LA_NUMBER_FILE = "utla_ons_to_dfe_la_number.csv"
FILES = (DISTRICT_FILE, DISTRICT_LOOKUP_FILE, LA_NUMBER_FILE)
VINTAGE = "ONS 2022-based SNPP"
BASE_YEAR = 2022
#: Abolished LAs whose area is exactly the sum of their successors (DfE numbers).
PREDECESSORS: dict[str, tuple[str, ...]] = {"909": ("942", "943"), "928": ("940", "941")}
AGES = range(0, 26)


def read_la_numbers(path: Path) -> pd.DataFrame:
    """Upper-tier ONS code -> DfE LA number: ``utla_code, la_number, la_name, region``."""
    label = str(path)
    frame = read_csv_text(Path(path).read_bytes(), label)
    require_columns(frame, ("utla_code", "dfe_la_number", "dfe_la_name", "dfe_region"), label)
    numbers = frame["dfe_la_number"].str.strip()
    bad = ~numbers.str.fullmatch(r"\d{3}")
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise InputError(label, "a three-digit DfE LA number", row=int(row["_row"]), column="dfe_la_number",
                         found=row["dfe_la_number"])
    codes = frame["utla_code"].str.strip()
    for column, values in (("utla_code", codes), ("dfe_la_number", numbers)):
        if values.duplicated().any():
            row = frame.loc[values.duplicated()].iloc[0]
            raise InputError(label, "each code once", row=int(row["_row"]), column=column, found=row[column])
    return pd.DataFrame({"utla_code": codes, "la_number": numbers, "la_name": frame["dfe_la_name"].str.strip(),
                         "region": frame["dfe_region"].str.strip()}).reset_index(drop=True)


def read_district_lookup(path: Path) -> pd.Series:
    """District ONS code -> upper-tier ONS code."""
    label = str(path)
    frame = read_csv_text(Path(path).read_bytes(), label)
    require_columns(frame, ("lad_code", "utla_code"), label)
    lad = frame["lad_code"].str.strip()
    if lad.duplicated().any():
        row = frame.loc[lad.duplicated()].iloc[0]
        raise InputError(label, "each district once", row=int(row["_row"]), column="lad_code", found=row["lad_code"])
    return pd.Series(frame["utla_code"].str.strip().to_numpy(), index=lad.to_numpy())


def read_national_population(folder: Path, skip: set[str] = frozenset()) -> pd.DataFrame:
    """Every LA's population from the three files in ``folder``, except the DfE LA numbers in
    ``skip`` (those with a file of their own): rows ``la_key, year, age, value, vintage,
    base_year, derived`` (``derived``: "sum of districts", "sum of successors 942 + 943" or "").

    Checks, each failure naming file, row and column: every district has ages 0-25 once
    each, every value is a number of 0 or more, every district maps to an upper tier and
    every upper tier to a DfE LA number.
    """
    folder = Path(folder)
    for name in FILES:
        if not (folder / name).is_file():
            raise InputError(folder / name, f"this file beside {DISTRICT_FILE} (see data/README.md)", found="no file")
    numbers = read_la_numbers(folder / LA_NUMBER_FILE)
    lookup = read_district_lookup(folder / DISTRICT_LOOKUP_FILE)
    path = folder / DISTRICT_FILE
    label = str(path)
    frame = read_csv_text(path.read_bytes(), label)
    require_columns(frame, ("lad_code", "age"), label)
    year_columns = [c for c in frame.columns if c.isdigit() and len(c) == 4]
    if not year_columns:
        raise InputError(label, "one column per mid-year such as 2030", row=1, found="none")
    lad = frame["lad_code"].str.strip()
    ages, _ = parse_numbers(frame["age"], path=label, column="age", rows=frame["_row"], kind="count")
    outside = ages.isna() | ~ages.isin(list(AGES))
    if outside.any():
        row = frame.loc[outside].iloc[0]
        raise InputError(label, "a single year of age 0-25", row=int(row["_row"]), column="age", found=row["age"])
    repeated = pd.DataFrame({"lad": lad, "age": ages}).duplicated()
    if repeated.any():
        row = frame.loc[repeated].iloc[0]
        raise InputError(label, "one row per district and age", row=int(row["_row"]), column="age", found=row["age"])
    counts = pd.Series(ages.to_numpy()).groupby(lad.to_numpy()).size()
    short = counts[counts != len(AGES)]
    if not short.empty:
        raise InputError(label, f"a row for every single year of age 0-25 for district {short.index[0]} "
                         "(is the file truncated?)", column="age", found=f"{int(short.iloc[0])} ages")
    unmapped = ~lad.isin(lookup.index) & ~lad.isin(numbers["utla_code"])
    if unmapped.any():
        row = frame.loc[unmapped].iloc[0]
        raise InputError(label, f"a district listed in {DISTRICT_LOOKUP_FILE} or an upper-tier LA listed in "
                         f"{LA_NUMBER_FILE}", row=int(row["_row"]), column="lad_code", found=row["lad_code"])
    upper = lad.map(lookup).fillna(lad)
    number_of = numbers.set_index("utla_code")["la_number"]
    no_number = ~upper.isin(number_of.index)
    if no_number.any():
        row = frame.loc[no_number].iloc[0]
        raise InputError(str(folder / LA_NUMBER_FILE), f"a DfE LA number for upper-tier LA {upper[no_number].iloc[0]}",
                         column="utla_code", found="none")
    la_key = upper.map(number_of)
    pieces = []
    for column in year_columns:
        values, _ = parse_numbers(frame[column], path=label, column=column, rows=frame["_row"], kind="number")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = frame.loc[bad].iloc[0]
            raise InputError(label, "a population of 0 or more", row=int(row["_row"]), column=column,
                             found=row[column])
        pieces.append(pd.DataFrame({"la_key": la_key.to_numpy(), "lad": lad.to_numpy(),
                                    "age": ages.astype(int).to_numpy(), "value": values.to_numpy(),
                                    "year": int(column)}))
    long = pd.concat(pieces, ignore_index=True)
    long = long[~long["la_key"].isin(skip)]
    districts = long.groupby("la_key")["lad"].nunique()
    out = long.groupby(["la_key", "year", "age"], as_index=False)["value"].sum()
    out["derived"] = out["la_key"].map(districts > 1).map({True: "sum of districts", False: ""})
    successors = []
    for old, parts in PREDECESSORS.items():
        part_rows = out[out["la_key"].isin(parts)]
        if old in skip or part_rows["la_key"].nunique() != len(parts):
            continue
        summed = part_rows.groupby(["year", "age"], as_index=False)["value"].sum()
        successors.append(summed.assign(la_key=old, derived="sum of successors " + " + ".join(parts)))
    out = pd.concat([out, *successors], ignore_index=True)
    out["vintage"] = VINTAGE
    out["base_year"] = BASE_YEAR
    return out[["la_key", "year", "age", "value", "vintage", "base_year", "derived"]]


def la_numbers_by_code(folder: Path) -> pd.Series:
    """Upper-tier ONS code (2023) -> DfE LA number, for joining tables keyed on ONS codes."""
    numbers = read_la_numbers(Path(folder) / LA_NUMBER_FILE)
    return numbers.set_index("utla_code")["la_number"]
