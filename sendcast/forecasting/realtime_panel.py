"""The long panel the real-time engine takes: every area's series of every forecast measure.

One row per (``measure``, ``la_code``, ``year``) with ``value`` and ``pooled``:

- every LA and England, totals only (no breakdowns), values after ``until`` dropped and
  values before a measure's comparable start (:data:`COMPARABLE_FROM`) left out;
- each series cut to its latest unbroken run of years (a gap is never filled in);
- ``pooled`` is True for the LAs of the measure's national panel (unbroken by boundary
  changes, no gaps, at least two years; :func:`sendcast.forecasting.panels.panel`): they make
  England's growth and the pooled errors. England and LAs whose boundary changed are
  forecast but never pooled.

Year convention as the data: January census year for caseloads, calendar year for flows.

When ``ehcp_total`` is asked for, the panel also holds each area's ONS population aged 0-25 as
measure :data:`forecast.candidates.POPULATION` (read by the ``demographic_rate`` candidate),
labelled with the January it precedes: year ``Y`` holds the mid-year ``Y - 1`` figure, the
latest population before the January ``Y`` caseload (so a forecast from origin ``t`` uses
populations to mid-``t - 1`` only), cut at the last year of the other measures. The figures
are the ONS 2022-based series: before mid-2022 back-cast (ILLUSTRATIVE, not the mid-year
estimates published at the time), after it the projection, so the population is the one
input of the backtest that is not as it was known at each origin (data/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from forecast.candidates import POPULATION
from sendcast.data.build import Dataset
from sendcast.forecasting.panels import panel, population_0_25

#: Flows the stock-flow candidate of ``ehcp_total`` reads besides the forecast measures.
EXTRA_FLOWS: tuple[str, ...] = ("plans_ceased",)
#: What the ``stock_growth`` candidate of ``requests`` reads (England's EHC plan growth).
REQUESTS_FLOWS: tuple[str, ...] = ("ehcp_total",)


def _latest_run(rows: pd.DataFrame) -> pd.DataFrame:
    """Per series, the rows of its latest unbroken run of years."""
    rows = rows.sort_values(["measure", "la_code", "year"])
    step = rows.groupby(["measure", "la_code"])["year"].diff().fillna(1)
    run = (step != 1).groupby([rows["measure"], rows["la_code"]]).cumsum()
    last = run.groupby([rows["measure"], rows["la_code"]]).transform("max")
    return rows[run == last]


def realtime_panel(dataset: Dataset, measures: Sequence[str], *, until: int | None = None,
                   comparable_from: dict[str, tuple[int, str]] | None = None) -> pd.DataFrame:
    """The long panel of the module docstring for ``measures`` (plus :data:`EXTRA_FLOWS`
    when ``ehcp_total`` is asked for, and :data:`REQUESTS_FLOWS` when ``requests`` is)."""
    comparable_from = comparable_from or {}
    wanted = list(dict.fromkeys([*measures, *(EXTRA_FLOWS if "ehcp_total" in measures else ()),
                                 *(REQUESTS_FLOWS if "requests" in measures else ())]))
    data = dataset.measures
    rows = data[data["measure"].isin(wanted) & (data["breakdown"] == "") & data["value"].notna()]
    if until is not None:
        rows = rows[rows["year"] <= until]
    for measure, (since, _) in comparable_from.items():
        rows = rows[(rows["measure"] != measure) | (rows["year"] >= since)]
    rows = _latest_run(rows[["measure", "la_code", "year", "value"]].astype({"year": int, "value": float}))
    pooled = []
    for measure in wanted:
        since = comparable_from[measure][0] if measure in comparable_from else None
        built = panel(dataset, measure, until=until, min_years=2, since=since)
        pooled.append(pd.DataFrame({"measure": measure, "la_code": built.values.index.astype(str)}))
    keys = pd.concat(pooled, ignore_index=True).assign(pooled=True)
    out = rows.merge(keys, on=["measure", "la_code"], how="left")
    out["pooled"] = out["pooled"].fillna(False).astype(bool)
    if "ehcp_total" in measures and not out.empty:
        out = pd.concat([out, population_rows(dataset, int(out["year"].max()))], ignore_index=True)
    return out.reset_index(drop=True)


def population_rows(dataset: Dataset, last_year: int) -> pd.DataFrame:
    """Population aged 0-25 (:func:`sendcast.forecasting.panels.population_0_25`, England the
    sum of the LAs) as panel rows of measure :data:`POPULATION`, year ``Y`` = mid-year ``Y - 1``
    (module docstring), years to ``last_year``; never pooled (it is an input, not forecast)."""
    frames = [pd.DataFrame({"measure": POPULATION, "la_code": code, "year": series.index.astype(int) + 1,
                            "value": series.to_numpy(dtype=float)})
              for code, series in population_0_25(dataset).items()]
    if not frames:
        return pd.DataFrame(columns=["measure", "la_code", "year", "value", "pooled"])
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[(rows["year"] <= last_year) & (rows["value"] > 0)]
    return _latest_run(rows).assign(pooled=False)
