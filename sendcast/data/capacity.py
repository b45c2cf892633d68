"""Special school capacity files: places by school, phase and need, with openings and closures.

One CSV per LA, ``data/capacity/<la_code>.csv``, with the columns in :data:`COLUMNS`.
``from_year`` is the first January census year in which the places exist (blank: before
the data starts); ``to_year`` the last (blank: still open). ``source`` and
``confidence`` say where each figure comes from and how far to trust it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.release import read_csv_text, read_input_file, require_columns
from sendcast.runtime.errors import InputError

COLUMNS = ("school", "urn", "phase", "designation", "places", "from_year", "to_year", "source", "confidence")
#: Places on one row: the largest special schools in England have about 500 places.
MAX_PLACES = 5_000
PHASES = ("all", "primary", "secondary", "post16", "all-through")


def read_capacity(path: Path) -> pd.DataFrame:
    """Read and validate a capacity file; every problem names its row and column."""
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, COLUMNS, label)
    phase = frame["phase"].str.strip().str.lower()
    bad = ~phase.isin(PHASES)
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise InputError(label, "a phase: " + ", ".join(PHASES), row=int(row["_row"]), column="phase",
                         found=row["phase"])
    for column in ("school", "source"):
        empty = frame[column].str.strip() == ""
        if empty.any():
            raise InputError(label, f"a {column} on every row", row=int(frame.loc[empty, "_row"].iloc[0]),
                             column=column, found="")
    places, _ = parse_numbers(frame["places"], path=label, column="places", rows=frame["_row"], kind="count")
    if places.isna().any():
        raise InputError(label, "a number of places", row=int(frame.loc[places.isna(), "_row"].iloc[0]),
                         column="places", found="")
    if (places > MAX_PLACES).any():
        row = frame.loc[places > MAX_PLACES].iloc[0]
        raise InputError(label, f"at most {MAX_PLACES:,} places on one row (the largest special schools have "
                         "about 500)", row=int(row["_row"]), column="places", found=row["places"])
    years = {}
    for column in ("from_year", "to_year"):
        values, _ = parse_numbers(frame[column], path=label, column=column, rows=frame["_row"], kind="count")
        outside = values.notna() & ((values < 1990) | (values > 2100))
        if outside.any():
            row = frame.loc[outside].iloc[0]
            raise InputError(label, "a January census year such as 2027", row=int(row["_row"]), column=column,
                             found=row[column])
        years[column] = values
    backwards = years["from_year"].notna() & years["to_year"].notna() & (years["to_year"] < years["from_year"])
    if backwards.any():
        row = frame.loc[backwards].iloc[0]
        raise InputError(label, "to_year on or after from_year", row=int(row["_row"]), column="to_year",
                         found=row["to_year"])
    key = pd.DataFrame({"school": frame["school"].str.strip().str.casefold(), "urn": frame["urn"].str.strip(),
                        "phase": phase, "designation": frame["designation"].str.strip().str.casefold(),
                        "from_year": years["from_year"]})
    repeated = key.duplicated()
    if repeated.any():
        row = frame.loc[repeated].iloc[0]
        raise InputError(label, "each school, URN, phase, designation and opening year once (a repeated row "
                         "would count its places twice)", row=int(row["_row"]), column="school", found=row["school"])
    return pd.DataFrame({
        "school": frame["school"].str.strip(), "urn": frame["urn"].str.strip(), "phase": phase,
        "designation": frame["designation"].str.strip(), "places": places.astype(int),
        "from_year": years["from_year"].astype("Int64"), "to_year": years["to_year"].astype("Int64"),
        "source": frame["source"].str.strip(), "confidence": frame["confidence"].str.strip(),
    }).reset_index(drop=True)


def places_by_year(capacity: pd.DataFrame, years: list[int]) -> pd.Series:
    """Total places open in each January of ``years``."""
    totals = []
    for year in years:
        opened = capacity["from_year"].isna() | (capacity["from_year"] <= year)
        open_still = capacity["to_year"].isna() | (capacity["to_year"] >= year)
        totals.append(int(capacity.loc[(opened & open_still).fillna(False).astype(bool), "places"].sum()))
    return pd.Series(totals, index=pd.Index(years, name="year"), name="places")


def capacity_file(data: Path, la_code: str) -> Path:
    return Path(data) / "capacity" / f"{la_code}.csv"
