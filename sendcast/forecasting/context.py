"""An LA beside England and its statistical neighbours: the comparisons commissioners ask for."""

from __future__ import annotations

import pandas as pd

from sendcast.data import query
from sendcast.data.build import Dataset
from sendcast.data.measures import ENGLAND_CODE

COLUMNS = ["la", "england", "neighbours_median", "neighbours_min", "neighbours_max", "neighbours_count"]


def neighbour_comparison(dataset: Dataset, la: str, measure: str, *, index_year: int | None = None) -> pd.DataFrame:
    """Year-by-year values of ``measure`` for the LA, England and its ten neighbours.

    With ``index_year`` every series is divided by its own value in that year and times
    100 (so growth can be compared between areas of different size); an area without a
    value in ``index_year`` is left out. ``neighbours_count`` says how many neighbours
    have a value each year.
    """
    query.check_measures([measure])
    code = dataset.geography.resolve(la)["la_code"]
    neighbours = query.neighbours(dataset, la)["neighbour_code"].tolist()
    rows = dataset.measures[(dataset.measures["measure"] == measure) & (dataset.measures["breakdown"] == "")
                            & dataset.measures["value"].notna()]
    wide = rows.pivot_table(index="year", columns="la_code", values="value", aggfunc="first")
    if index_year is not None:
        if index_year not in wide.index:
            raise ValueError(f"no {measure} values in {index_year} to index on")
        wide = 100 * wide / wide.loc[index_year]
    near = wide.reindex(columns=neighbours)
    out = pd.DataFrame({
        "la": wide.get(code),
        "england": wide.get(ENGLAND_CODE),
        "neighbours_median": near.median(axis=1),
        "neighbours_min": near.min(axis=1),
        "neighbours_max": near.max(axis=1),
        "neighbours_count": near.notna().sum(axis=1),
    })
    return out[out["la"].notna() | out["england"].notna()]
