"""Convert between the three year conventions, in one tested place.

- A **January** caseload is a count on census day (``year`` = that January).
- A **calendar-year** flow counts events from January to December of ``year``.
- A **financial year** runs from 1 April of ``year`` to 31 March of ``year + 1`` and is
  labelled ``"2025-26"`` (``year`` = 2025).

Rule for money: the average caseload over financial year Y-(Y+1) is taken as the
caseload on 1 October Y, its midpoint, interpolated linearly between the two Januaries
around it: ``0.25 x January Y + 0.75 x January Y+1``. (With a straight line between the
Januaries, the average over a period equals the value at its midpoint.) A financial
year's cost is that average caseload times the annual unit cost.

Rule for calendar-year flows (spend or events accrued evenly through a calendar year, as
the simulation reports them): financial year Y-(Y+1) takes the nine months April-December
of calendar year Y and the three months January-March of Y+1:
``0.75 x calendar Y + 0.25 x calendar Y+1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

JANUARY_WEIGHTS: tuple[float, float] = (0.25, 0.75)
CALENDAR_WEIGHTS: tuple[float, float] = (0.75, 0.25)


def financial_year_label(year: int) -> str:
    """2025 -> ``"2025-26"``."""
    return f"{year}-{(year + 1) % 100:02d}"


def financial_year_start(label: str) -> int:
    """``"2025-26"`` -> 2025; anything else is a ``ValueError`` naming the form expected."""
    text = label.strip()
    parts = text.split("-")
    if len(parts) != 2 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) != 4 \
            or len(parts[1]) != 2 or (int(parts[0]) + 1) % 100 != int(parts[1]):
        raise ValueError(f"expected a financial year such as 2025-26, found {label!r}")
    return int(parts[0])


def financial_year_average(january: pd.Series) -> pd.Series:
    """Average caseload in each financial year from a Series of January caseloads.

    ``january`` is indexed by January year; the result is indexed by the financial year's
    start year (Y for Y-(Y+1)) and has a value wherever Januaries Y and Y+1 both exist.
    Works on any numeric Series, including one column of simulated paths.
    """
    early, late = JANUARY_WEIGHTS
    following = january.reindex(january.index + 1)
    following.index = january.index
    return (early * january + late * following).dropna().rename(january.name)


def financial_year_average_paths(january: pd.DataFrame) -> pd.DataFrame:
    """The same rule applied to every column of a (January year x path) frame."""
    early, late = JANUARY_WEIGHTS
    nxt = january.reindex(january.index + 1)
    nxt.index = january.index
    return (early * january + late * nxt).dropna(how="all")


def financial_year_from_calendar(calendar: pd.Series) -> pd.Series:
    """Financial-year totals from calendar-year flows (indexed by calendar year), by the
    months each contributes (see the module docstring). The result is indexed by the
    financial year's start year and has a value wherever calendar years Y and Y+1 both exist.
    """
    early, late = CALENDAR_WEIGHTS
    following = calendar.reindex(calendar.index + 1)
    following.index = calendar.index
    return (early * calendar + late * following).dropna().rename(calendar.name)


def financial_years_from_calendar_rows(years, values) -> tuple[np.ndarray, np.ndarray]:
    """:func:`financial_year_from_calendar` for every row of a (rows x calendar year) array
    of flows (one row per replication or draw): the financial years' start years (every
    calendar year but the last) and their totals. ``years`` must be consecutive."""
    years = np.asarray(years, dtype=int)
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != years.size:
        raise ValueError(f"expected (rows, {years.size}) yearly values, found shape {values.shape}")
    if years.size and np.any(np.diff(years) != 1):
        raise ValueError(f"calendar years must be consecutive, found {years.tolist()}")
    early, late = CALENDAR_WEIGHTS
    return years[:-1], early * values[:, :-1] + late * values[:, 1:]
