"""Read DfE ``time_period`` codes into sendcast years.

- Six digits, an academic year: ``202425`` is the year 2024/25, whose January census is
  January 2025, so it becomes ``2025``. The two halves must be consecutive years.
- Four digits: the year as published (a January snapshot for caseload tables, a calendar
  year for flow tables; the caller knows which).
"""

from __future__ import annotations

import datetime
import re

import pandas as pd

from sendcast.runtime.errors import InputError

_FOUR = re.compile(r"^(19|20)\d{2}$")
_SIX = re.compile(r"^(19|20)\d{4}$")


#: The years a published SEN2 table can hold: the collection began in January 2010 (its
#: new-plan flows in calendar 2009), and a table cannot hold a year after next year.
FIRST_YEAR = 2009


def last_plausible_year() -> int:
    return datetime.date.today().year + 1


def parse_time_periods(periods: pd.Series, rows: pd.Series, label: str) -> pd.Series:
    """Return the sendcast year for each ``time_period`` cell, or raise naming the row.

    Years outside :data:`FIRST_YEAR` to next year (``203031``, ``190102``) are refused.
    """
    text = periods.astype("string").fillna("").str.strip()
    out = pd.Series(0, index=periods.index, dtype="int64")
    for value in text.unique():
        mask = text == value
        if _FOUR.match(value):
            out[mask] = int(value)
        elif _SIX.match(value) and (int(value[:4]) + 1) % 100 == int(value[4:]):
            out[mask] = int(value[:4]) + 1
        else:
            out[mask] = -1
        year = int(out[mask].iloc[0])
        if not FIRST_YEAR <= year <= last_plausible_year():
            first = int(rows[mask].iloc[0])
            if year != -1:
                raise InputError(label, f"a year from {FIRST_YEAR} to {last_plausible_year()} (a published SEN2 "
                                 "table holds no other)", row=first, column="time_period", found=str(value))
            raise InputError(
                label,
                "a year such as 2022 or an academic year such as 202425",
                row=first,
                column="time_period",
                found=str(value),
            )
    return out
