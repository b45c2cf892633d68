"""Scoring real-time forecasts per vintage (origin year) and pooled, beside the baselines.

Input: the ``forecasts`` table of :class:`forecast.realtime.RealtimeResult` (one row per
measure, series, origin, horizon and method; only rows with a known ``actual`` and from
pooled series are scored).

Per forecast: ``scaled_error = |forecast - actual| / scale`` (MASE's terms, ``scale`` the
mean absolute yearly change up to the origin); ``pct_error = 100 * (forecast - actual) /
actual``; covered when ``lo <= actual <= hi``; ``width80_pct = 100 * (hi80 - lo80) /
forecast``; ``interval_score80_pct = 100 * IS_0.2(lo80, hi80, actual) / actual`` (and 95%),
the interval score (:func:`forecast.empirical_intervals.interval_score`) relative to the
outcome, so a wide interval is never rewarded for covering.

Per group (measure, method, horizon, and origin for :func:`vintage_table`):

- ``mase``: the median over series of ``scaled_error`` (pooled table: of each series' mean
  over the vintages);
- ``relative_mase``: ``mase`` / the same for ``reference`` (the five-year straight line) in
  the same group: below 1 beats the planner's line;
- ``median_bias_pct``: median ``pct_error`` (negative: under-forecast); ``median_ape_pct``:
  median ``|pct_error|`` ("typically x% out");
- ``coverage80``/``coverage95``; ``mean_width80_pct``/``median_width80_pct``;
  ``interval_score80_pct``/``interval_score95_pct`` (means); ``n``: forecasts scored,
  ``n_series``: series among them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecast.empirical_intervals import interval_score

REFERENCE = "five_year_line"
TABLE_COLUMNS: tuple[str, ...] = (
    "n",
    "n_series",
    "mase",
    "relative_mase",
    "median_bias_pct",
    "median_ape_pct",
    "coverage80",
    "coverage95",
    "mean_width80_pct",
    "median_width80_pct",
    "interval_score80_pct",
    "interval_score95_pct",
)


def scored_rows(
    forecasts: pd.DataFrame,
    *,
    origins: Sequence[int] | None = None,
    horizons: int | None = None,
    methods: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The scoreable rows with the per-forecast scores of the module docstring."""
    rows = forecasts[forecasts["actual"].notna() & forecasts["forecast"].notna() & forecasts["pooled"].astype(bool)]
    if origins is not None:
        rows = rows[rows["origin"].isin(list(origins))]
    if horizons is not None:
        rows = rows[rows["horizon"] <= horizons]
    if methods is not None:
        rows = rows[rows["method"].isin(list(methods))]
    actual = rows["actual"].to_numpy(dtype=float)
    forecast = rows["forecast"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "scaled_error": np.abs(forecast - actual) / rows["scale"].to_numpy(dtype=float),
            "pct_error": np.where(actual != 0, 100 * (forecast - actual) / actual, np.nan),
            "covered80": np.where(rows["lo80"].notna(), (actual >= rows["lo80"]) & (actual <= rows["hi80"]), np.nan),
            "covered95": np.where(rows["lo95"].notna(), (actual >= rows["lo95"]) & (actual <= rows["hi95"]), np.nan),
            "width80_pct": np.where(forecast > 0, 100 * (rows["hi80"] - rows["lo80"]) / forecast, np.nan),
            "interval_score80_pct": np.where(
                actual > 0,
                100
                * interval_score(rows["lo80"].to_numpy(dtype=float), rows["hi80"].to_numpy(dtype=float), actual, 0.2)
                / actual,
                np.nan,
            ),
            "interval_score95_pct": np.where(
                actual > 0,
                100
                * interval_score(rows["lo95"].to_numpy(dtype=float), rows["hi95"].to_numpy(dtype=float), actual, 0.05)
                / actual,
                np.nan,
            ),
        }
    return rows.assign(**out)


def _aggregate(rows: pd.DataFrame, keys: list[str], series_mean: bool) -> pd.DataFrame:
    rows = rows.assign(ape_pct=rows["pct_error"].abs())
    grouped = rows.groupby(keys, observed=True)
    table = grouped.agg(
        n=("actual", "size"),
        n_series=("la_code", "nunique"),
        median_bias_pct=("pct_error", "median"),
        median_ape_pct=("ape_pct", "median"),
        coverage80=("covered80", "mean"),
        coverage95=("covered95", "mean"),
        mean_width80_pct=("width80_pct", "mean"),
        median_width80_pct=("width80_pct", "median"),
        interval_score80_pct=("interval_score80_pct", "mean"),
        interval_score95_pct=("interval_score95_pct", "mean"),
    )
    if series_mean:
        per_series = rows.groupby([*keys, "la_code"], observed=True)["scaled_error"].mean()
        table["mase"] = per_series.groupby(level=list(range(len(keys)))).median()
    else:
        table["mase"] = grouped["scaled_error"].median()
    return table.reset_index()


#: What identifies one forecast across methods.
CELL = ["measure", "la_code", "origin", "horizon"]


def _same_cells(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return pd.MultiIndex.from_frame(a[CELL]).sort_values().equals(pd.MultiIndex.from_frame(b[CELL]).sort_values())


def _relative(
    table: pd.DataFrame, rows: pd.DataFrame, keys: list[str], reference: str, series_mean: bool
) -> pd.DataFrame:
    """``relative_mase``: each method's ``mase`` over the reference's on the same forecasts
    (series, origins and horizons): a method that could not forecast some of them (a
    yardstick missing an input) is not compared with the reference's record on others."""
    others = [k for k in keys if k != "method"]
    ref_rows = rows[rows["method"] == reference]
    full = _aggregate(ref_rows, keys, series_mean)[[*others, "mase"]].rename(columns={"mase": "reference_mase"})
    per_method = []
    for method, part in rows.groupby("method", observed=True):
        if method == reference or len(part) == len(ref_rows) and _same_cells(part, ref_rows):
            per_method.append(full.assign(method=method))
            continue
        same = ref_rows.merge(part[CELL], on=CELL)
        found = _aggregate(same, keys, series_mean)[[*others, "mase"]].rename(columns={"mase": "reference_mase"})
        per_method.append(found.assign(method=method))
    if not per_method:
        return table.assign(relative_mase=np.nan)
    table = table.merge(pd.concat(per_method, ignore_index=True), on=keys, how="left")
    table["relative_mase"] = table["mase"] / table["reference_mase"]
    return table.drop(columns="reference_mase")


def vintage_table(
    forecasts: pd.DataFrame,
    *,
    origins: Sequence[int],
    horizons: int = 3,
    methods: Sequence[str] | None = None,
    reference: str = REFERENCE,
) -> pd.DataFrame:
    """Per measure, origin (vintage), horizon and method: :data:`TABLE_COLUMNS`."""
    rows = scored_rows(forecasts, origins=origins, horizons=horizons, methods=methods)
    keys = ["measure", "origin", "horizon", "method"]
    table = _relative(_aggregate(rows, keys, series_mean=False), rows, keys, reference, series_mean=False)
    return table[[*keys, *TABLE_COLUMNS]].sort_values(keys).reset_index(drop=True)


def pooled_table(
    forecasts: pd.DataFrame,
    *,
    origins: Sequence[int],
    horizons: int = 3,
    methods: Sequence[str] | None = None,
    reference: str = REFERENCE,
) -> pd.DataFrame:
    """Per measure, horizon and method over all ``origins``: :data:`TABLE_COLUMNS` (``mase``
    the median over series of each series' mean scaled error)."""
    rows = scored_rows(forecasts, origins=origins, horizons=horizons, methods=methods)
    keys = ["measure", "horizon", "method"]
    table = _relative(_aggregate(rows, keys, series_mean=True), rows, keys, reference, series_mean=True)
    return table[[*keys, *TABLE_COLUMNS]].sort_values(keys).reset_index(drop=True)
