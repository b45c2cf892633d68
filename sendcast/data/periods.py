"""Read DfE ``time_period`` codes into sendcast years.

- Six digits, an academic year: ``202425`` is the year 2024/25, whose January census is
  January 2025, so it becomes ``2025``. The two halves must be consecutive years.
- Four digits: the year as published (a January snapshot for caseload tables, a calendar
  year for flow tables; the caller knows which).
"""

from __future__ import annotations

import re

import pandas as pd

from sendcast.runtime.errors import InputError

_FOUR = re.compile(r"^(19|20)\d{2}$")
_SIX = re.compile(r"^(19|20)\d{4}$")


def parse_time_periods(periods: pd.Series, rows: pd.Series, label: str) -> pd.Series:
    """Return the sendcast year for each ``time_period`` cell, or raise naming the row."""
    text = periods.astype("string").fillna("").str.strip()
    out = pd.Series(0, index=periods.index, dtype="int64")
    for value in text.unique():
        mask = text == value
        if _FOUR.match(value):
            out[mask] = int(value)
        elif _SIX.match(value) and (int(value[:4]) + 1) % 100 == int(value[4:]):
            out[mask] = int(value[:4]) + 1
        else:
            first = int(rows[mask].iloc[0])
            raise InputError(
                label,
                "a year such as 2022 or an academic year such as 202425",
                row=first,
                column="time_period",
                found=str(value),
            )
    return out
