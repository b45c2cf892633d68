"""Panels of one measure across every LA: the input to national backtests and forecasts.

An LA is left out of a panel, with the reason listed, when its series:

- is broken by a boundary change (it starts late or ends early; see the series breaks);
- has a gap (a missing year inside the series);
- is shorter than ``min_years`` after ``until``.

A missing year is never filled in and a value is never invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sendcast.data.build import Dataset
from sendcast.data.query import check_measures
from sendcast.data.measures import ENGLAND_CODE


@dataclass(frozen=True)
class Panel:
    """``values``: one row per LA (index la_code), one column per year.
    ``excluded``: la_code, la_name, reason. ``names``: la_code -> la_name."""

    measure: str
    values: pd.DataFrame
    excluded: pd.DataFrame
    names: pd.Series


def panel(dataset: Dataset, measure: str, *, until: int | None = None, min_years: int = 6,
          include_england: bool = False, since: int | None = None) -> Panel:
    """Build the panel for ``measure`` (totals only)."""
    check_measures([measure])
    rows = dataset.measures[(dataset.measures["measure"] == measure) & (dataset.measures["breakdown"] == "")]
    if until is not None:
        rows = rows[rows["year"] <= until]
    if since is not None:
        rows = rows[rows["year"] >= since]
    wide = rows.pivot_table(index="la_code", columns="year", values="value", aggfunc="first")
    names = dataset.geography.las.set_index("la_code")["la_name"]
    broken = set(dataset.geography.breaks["la_code"])
    keep, excluded = [], []
    for code, series in wide.iterrows():
        if code == ENGLAND_CODE and not include_england:
            continue
        present = series.dropna()
        reason = None
        if code in broken:
            kinds = dataset.geography.breaks.loc[dataset.geography.breaks["la_code"] == code, "reason"]
            reason = "boundary change: " + kinds.iloc[0]
        elif present.empty:
            reason = "no published values"
        elif len(present) < min_years:
            reason = f"only {len(present)} years of data (at least {min_years} needed)"
        else:
            span = range(int(present.index.min()), int(present.index.max()) + 1)
            gaps = [y for y in span if y not in present.index]
            if gaps:
                reason = "missing years " + ", ".join(str(y) for y in gaps)
        if reason is None:
            keep.append(code)
        else:
            excluded.append({"la_code": code, "la_name": names.get(code, code), "reason": reason})
    values = wide.loc[keep]
    values = values.loc[:, values.notna().any(axis=0)]
    return Panel(measure, values, pd.DataFrame(excluded, columns=["la_code", "la_name", "reason"]),
                 names.reindex(values.index))


def population_0_25(dataset: Dataset) -> dict[str, pd.Series]:
    """ONS population aged 0-25 by mid-year for each LA (``la_code`` -> Series by year), and
    for England the sum over every LA with a figure, leaving out the abolished LAs whose figure
    is the sum of their successors (Cumbria, Northamptonshire), in the years every LA has one."""
    rows = dataset.measures[(dataset.measures["measure"] == "population") & (dataset.measures["breakdown"] == "")
                            & dataset.measures["value"].notna()]
    out = {code: part.set_index("year")["value"] for code, part in rows.groupby("la_code")}
    predecessors = rows.loc[rows["source"].str.contains("sum of successors", regex=False), "la_code"].unique()
    parts = rows[~rows["la_code"].isin(predecessors)]
    if not parts.empty:
        complete = parts.groupby("year")["la_code"].nunique() == parts["la_code"].nunique()
        out[ENGLAND_CODE] = parts.groupby("year")["value"].sum()[complete[complete].index]
    return out
