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


# ------------------------------------------------------------------ a default for every LA
#: Third-party table of state special school capacity by LA (``data/raw/national/``).
THIRD_PARTY_FILE = "thirdparty_la_special_capacity_2024.csv"
THIRD_PARTY_CONFIDENCE = "third-party, low confidence"
THIRD_PARTY_SOURCE = ("third-party table: Kali89/la-send-analysis outputs/tables/la_capacity_2024.csv at commit "
                      "3c7b43f4 (sum of the GIAS SchoolCapacity field of open state special schools, GIAS extract "
                      "12 May 2026); not an official statistic, stated capacity rather than commissioned places")


def read_third_party_capacity(path: Path, number_of_code: dict[str, str]) -> pd.DataFrame:
    """The third-party table keyed by DfE LA number: ``la_number, la_name, schools, places``
    (``places`` missing where the table is blank). ``number_of_code`` maps every ONS code an
    LA has had (the table keeps pre-2023 codes for North Yorkshire and Somerset) to its DfE
    number; rows whose code it does not know are left out."""
    label = str(path)
    frame = read_csv_text(Path(path).read_bytes(), label)
    require_columns(frame, ("la_code", "la_name", "n_state_special_schools", "state_special_capacity"), label)
    places, _ = parse_numbers(frame["state_special_capacity"], path=label, column="state_special_capacity",
                              rows=frame["_row"], kind="number")
    schools, _ = parse_numbers(frame["n_state_special_schools"], path=label, column="n_state_special_schools",
                               rows=frame["_row"], kind="number")
    negative = (places < 0) | (schools < 0)
    if negative.any():
        row = frame.loc[negative].iloc[0]
        raise InputError(label, "a number of places of 0 or more", row=int(row["_row"]),
                         column="state_special_capacity", found=row["state_special_capacity"])
    out = pd.DataFrame({"la_number": frame["la_code"].str.strip().map(number_of_code),
                        "la_name": frame["la_name"].str.strip(), "schools": schools, "places": places})
    return out[out["la_number"].notna()].drop_duplicates("la_number").reset_index(drop=True)


def default_capacity(data: Path, la_code: str, la_number: str, number_of_code: dict[str, str]
                     ) -> tuple[pd.DataFrame | None, str]:
    """Special school places for an LA and a note saying where they come from.

    The LA's own file (``data/capacity/<la_code>.csv``) wins; else the third-party table's
    aggregate, one row flagged :data:`THIRD_PARTY_CONFIDENCE`; else ``None`` with the reason.
    """
    own = capacity_file(data, la_code)
    if own.is_file():
        return read_capacity(own), f"places from {own}; read its source and confidence columns before relying on it"
    table_path = Path(data) / "raw" / "national" / THIRD_PARTY_FILE
    if not table_path.is_file():
        return None, f"no capacity file ({own.name}) and no third-party table ({THIRD_PARTY_FILE})"
    table = read_third_party_capacity(table_path, number_of_code).set_index("la_number")
    if la_number not in table.index:
        return None, f"no capacity file ({own.name}) and no row in the third-party table"
    row = table.loc[la_number]
    if pd.isna(row["places"]):
        return None, (f"no capacity file ({own.name}) and the third-party table's capacity is blank for this LA "
                      "(its GIAS join failed or the LA has no state special school)")
    schools = "" if pd.isna(row["schools"]) else f"{int(row['schools'])} schools, "
    frame = pd.DataFrame([{
        "school": f"State special schools in {row['la_name']} ({schools}aggregate)", "urn": "", "phase": "all",
        "designation": "", "places": int(row["places"]), "from_year": pd.NA, "to_year": pd.NA,
        "source": THIRD_PARTY_SOURCE, "confidence": THIRD_PARTY_CONFIDENCE}])
    frame["from_year"] = frame["from_year"].astype("Int64")
    frame["to_year"] = frame["to_year"].astype("Int64")
    return frame, (f"places: {int(row['places']):,} from the {THIRD_PARTY_CONFIDENCE} table ({THIRD_PARTY_FILE}); "
                   f"put the LA's own list in data/capacity/{la_code}.csv to replace it")


def codes_to_numbers(las: pd.DataFrame) -> dict[str, str]:
    """Every ONS code an LA in ``las`` (a dataset's LA list) has had -> its DfE LA number,
    plus the 2023 unitary codes of North Yorkshire (E06000065) and Somerset (E06000066)."""
    out: dict[str, str] = {}
    for _, la in las[las["la_number"] != ""].iterrows():
        for code in [la["la_code"], *str(la["aliases"]).split("|")]:
            if code[:1] == "E" and len(code) == 9:
                out[code] = la["la_number"]
    out.setdefault("E06000065", "815")
    out.setdefault("E06000066", "933")
    return out
