"""Ask the dataset for series: by LA, measure and breakdown, in the tidy shape."""

from __future__ import annotations

import difflib

import pandas as pd

from sendcast.data.build import Dataset
from sendcast.runtime.errors import UnknownNameError
from sendcast.data.measures import MEASURES

SERIES_COLUMNS = ["la_code", "la_name", "measure", "breakdown", "year", "value"]


def check_measures(names: list[str]) -> list[str]:
    """Return ``names`` unchanged, or raise with the nearest measure names."""
    for name in names:
        if name not in MEASURES:
            raise UnknownNameError("measure", name, difflib.get_close_matches(name, list(MEASURES), n=3, cutoff=0.4))
    return names


def series(dataset: Dataset, la: str, measures: list[str] | None = None, *,
           breakdowns: bool = False, until: int | None = None) -> pd.DataFrame:
    """The rows for one LA (any code, number, name or alias; ``England`` works).

    Totals only unless ``breakdowns``; years after ``until`` dropped. Rows with no
    published value are kept out: a missing year is absent, never zero.
    """
    row = dataset.geography.resolve(la)
    wanted = check_measures(measures) if measures else list(MEASURES)
    out = dataset.measures[(dataset.measures["la_code"] == row["la_code"])
                           & dataset.measures["measure"].isin(wanted)
                           & dataset.measures["value"].notna()]
    if not breakdowns:
        out = out[out["breakdown"] == ""]
    if until is not None:
        out = out[out["year"] <= until]
    order = {m: i for i, m in enumerate(wanted)}
    out = out.assign(_order=out["measure"].map(order)).sort_values(["_order", "breakdown", "year"])
    return out[SERIES_COLUMNS].reset_index(drop=True)


def wide(rows: pd.DataFrame) -> pd.DataFrame:
    """Years down the side, one column per measure (totals), for reading on screen."""
    totals = rows[rows["breakdown"] == ""]
    order = list(dict.fromkeys(totals["measure"]))
    table = totals.pivot_table(index="year", columns="measure", values="value", aggfunc="first")
    return table.reindex(columns=order)


def neighbours(dataset: Dataset, la: str) -> pd.DataFrame:
    """The LA's ten DfE statistical neighbours, closest first."""
    code = dataset.geography.resolve(la)["la_code"]
    return dataset.neighbours[dataset.neighbours["la_code"] == code].sort_values("rank").reset_index(drop=True)
