"""Prices: one price base, one deflator, one inflation assumption for every output.

- Price base: **2025-26** (financial year, April-March). Every real-terms figure in the
  forecast, the simulation, the report and the workbook is in pounds at 2025-26 prices.
- Moving a past year's pounds (such as the 2021-22 s251 outturn that the unit costs are
  derived from) to the price base uses HM Treasury's GDP deflator at market prices, read from
  ``data/prices/gdp_deflator.csv``. That file says where its values come from and their status:
  no copy of HM Treasury's release is in the shared data, so the values shipped are an
  **assumption** (2% a year, labelled so in the file, the report and the workbook) until the
  published figures are shipped and replace them.
- Cash terms: real-terms pounds inflated by **one** yearly rate after the price base: the
  scenario's ``costs.inflation_pct`` (default :data:`INFLATION_PCT`, 2% a year, an
  assumption: the Bank of England's CPI target). The forecast uses the same rate
  (no second convention).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sendcast.data.years import financial_year_label, financial_year_start
from sendcast.runtime.errors import InputError

#: The price base of every real-terms figure.
PRICE_BASE = "2025-26"
#: Yearly inflation after the price base for cash figures: an ASSUMPTION (Bank of England CPI target).
INFLATION_PCT = 2.0
DEFLATOR_FILE = Path(__file__).resolve().parents[2] / "data" / "prices" / "gdp_deflator.csv"
DEFLATOR_COLUMN = "gdp_deflator_2025_26_eq_100"


@dataclass(frozen=True)
class Deflator:
    """HM Treasury GDP deflator by financial year (index, 2025-26 = 100), with its source and status."""

    index: dict[str, float]
    status: str
    source: str

    def factor(self, from_year: str, to_year: str = PRICE_BASE) -> float:
        """Multiply pounds at ``from_year`` prices by this to get ``to_year`` prices."""
        for year in (from_year, to_year):
            if year not in self.index:
                raise InputError(DEFLATOR_FILE, f"a GDP deflator for financial year {year} (the file covers "
                                 f"{', '.join(sorted(self.index))})", column="financial_year")
        return self.index[to_year] / self.index[from_year]


@lru_cache(maxsize=4)
def read_deflator(path: Path = DEFLATOR_FILE) -> Deflator:
    """The GDP deflator table (one row per financial year)."""
    try:
        table = pd.read_csv(path, dtype={"financial_year": str})
    except FileNotFoundError:
        raise InputError(path, "the GDP deflator file (financial_year, gdp_deflator_2025_26_eq_100, status, "
                         "source)", found="no file") from None
    for column in ("financial_year", DEFLATOR_COLUMN, "status", "source"):
        if column not in table.columns:
            raise InputError(path, "this column", column=column, found="missing")
    index = {}
    for row, (year, value) in enumerate(zip(table["financial_year"], table[DEFLATOR_COLUMN]), start=2):
        try:
            financial_year_start(year)
            index[year] = float(value)
        except (ValueError, TypeError):
            raise InputError(path, "a financial year like 2025-26 and a number", row=row,
                             found=f"{year!r}, {value!r}") from None
        if not index[year] > 0:
            raise InputError(path, "a positive deflator", row=row, column=DEFLATOR_COLUMN, found=repr(value))
    status = "; ".join(sorted(set(table["status"].astype(str))))
    return Deflator(index, status=status, source=str(table["source"].iloc[0]))


def to_price_base(pounds: float, from_year: str, to_year: str = PRICE_BASE) -> float:
    """Pounds at ``from_year`` prices restated at ``to_year`` prices (GDP deflator)."""
    return pounds * read_deflator().factor(from_year, to_year)


def price_base_year(label: str = PRICE_BASE) -> int:
    """The start year of a financial-year label: ``"2025-26"`` -> 2025."""
    return financial_year_start(label)


def label(year: int) -> str:
    return financial_year_label(year)
