"""High-needs block income by financial year: the money a deficit management plan measures
spend against.

Two ways in:

- the shipped extract of the ESFA Dedicated Schools Grant allocation tables
  (``data/raw/finance/dsg_allocations_summary_glos_england_extract.csv``: Gloucestershire and
  England, 2019-20 to 2023-24), read by :func:`published_income`;
- a council's own file (:func:`read_income_file`): columns ``financial_year`` (``2025-26``),
  ``high_needs_income_gbp`` and ``source``, one row per financial year.

Rules for the published extract, so a reader can check them:

- the high-needs block **before deductions** is used: it includes the place funding the ESFA
  pays directly to academy and free special schools, which sendcast's state special unit
  cost also includes (:mod:`sendcast.money.unit_costs`), so income and spend count the same money;
- where the same financial year was published more than once, the latest dated allocation
  table wins (``dedicated-schools-grant_YYYY_MM_DD.ods``); the undated ``hardcoded`` file is
  used only for a year no dated table covers (2019-20);
- the 2019-20 table is in GBP million; it is converted to pounds (a unit change only, said in
  the ``source`` column).

Future years are not published: :func:`extend_income` projects them at a stated growth rate,
labelled as an assumption row by row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.release import read_csv_text, read_input_file, require_columns
from sendcast.runtime.errors import InputError, SendcastError
from sendcast.data.years import financial_year_label, financial_year_start

PUBLISHED_FILE = "dsg_allocations_summary_glos_england_extract.csv"
COLUMNS = ["financial_year", "high_needs_income_gbp", "status", "source"]
_TITLE_YEAR = re.compile(r"(\d{4})\s*(?:to|-)\s*(\d{2,4})")
_FILE_DATE = re.compile(r"_(\d{4})_(\d{2})_(\d{2})\.ods$")


def _title_year(title: str) -> int:
    match = _TITLE_YEAR.search(title)
    if match is None:
        raise ValueError(title)
    return int(match.group(1))


def published_income(path: Path, area: str) -> pd.DataFrame:
    """The published high-needs block allocation (before deductions) for ``area`` (e.g.
    ``"Gloucestershire"`` or ``"ENGLAND"``) by financial year, by the rules above."""
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, ("file", "title", "area", "hnb_before_deductions"), label)
    rows = frame[frame["area"].str.strip().str.lower() == area.strip().lower()]
    if rows.empty:
        raise SendcastError(f"{label}: no high-needs block allocations for {area!r}")
    values, _ = parse_numbers(rows["hnb_before_deductions"], path=label, column="hnb_before_deductions",
                              rows=rows["_row"], kind="number")
    chosen: dict[int, tuple[tuple, float, str]] = {}
    for (_, row), value in zip(rows.iterrows(), values):
        try:
            year = _title_year(row["title"])
        except ValueError:
            raise InputError(label, "a title naming the financial year, e.g. '2021 to 2022 allocations'",
                             row=int(row["_row"]), column="title", found=row["title"]) from None
        dated = _FILE_DATE.search(row["file"].strip())
        rank = (1, dated.groups()) if dated else (0, ("",))
        in_millions = value < 100_000  # the 2019-20 table is in GBP million
        pounds = round(value * 1_000_000) if in_millions else value
        note = (f"ESFA DSG allocations, high needs block before deductions ({row['file'].strip()}"
                + (", published in GBP million, converted to pounds)" if in_millions else ")"))
        if year not in chosen or rank > chosen[year][0]:
            chosen[year] = (rank, float(pounds), note)
    out = pd.DataFrame([{"financial_year": financial_year_label(y), "high_needs_income_gbp": v, "status": "published",
                         "source": s} for y, (_, v, s) in sorted(chosen.items())], columns=COLUMNS)
    return out


def read_income_file(path: Path) -> pd.DataFrame:
    """A council's own high-needs income by financial year (see the module docstring)."""
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, ("financial_year", "high_needs_income_gbp", "source"), label)
    years = []
    for _, row in frame.iterrows():
        try:
            years.append(financial_year_start(row["financial_year"]))
        except ValueError:
            raise InputError(label, "a financial year such as 2025-26", row=int(row["_row"]),
                             column="financial_year", found=row["financial_year"]) from None
    duplicated = pd.Series(years).duplicated().to_numpy()
    if duplicated.any():
        row = frame.loc[duplicated].iloc[0]
        raise InputError(label, "each financial year once", row=int(row["_row"]), column="financial_year",
                         found=row["financial_year"])
    income, _ = parse_numbers(frame["high_needs_income_gbp"], path=label, column="high_needs_income_gbp",
                              rows=frame["_row"], kind="number")
    bad = income.isna() | (income < 0)
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise InputError(label, "an income of 0 or more pounds", row=int(row["_row"]),
                         column="high_needs_income_gbp", found=row["high_needs_income_gbp"])
    out = pd.DataFrame({"financial_year": [financial_year_label(y) for y in years],
                        "high_needs_income_gbp": income.to_numpy(dtype=float), "status": "user",
                        "source": frame["source"].str.strip().to_numpy()}, columns=COLUMNS)
    return out.sort_values("financial_year").reset_index(drop=True)


def extend_income(income: pd.DataFrame, until: str, growth_pct: float) -> pd.DataFrame:
    """Add financial years after the last given one, up to ``until`` (``"2030-31"``), each
    ``growth_pct`` % a year above the year before, marked ``status = "assumption"``."""
    if income.empty:
        raise SendcastError("no high-needs income to extend")
    last = financial_year_start(income["financial_year"].iloc[-1])
    value = float(income["high_needs_income_gbp"].iloc[-1])
    rows = [income]
    for year in range(last + 1, financial_year_start(until) + 1):
        value *= 1 + growth_pct / 100
        rows.append(pd.DataFrame([{"financial_year": financial_year_label(year), "high_needs_income_gbp": value,
                                   "status": "assumption",
                                   "source": f"assumption: {growth_pct:g}% a year after "
                                             f"{financial_year_label(last)}"}], columns=COLUMNS))
    return pd.concat(rows, ignore_index=True)
