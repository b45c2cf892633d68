"""The real-time track record as text tables: pooled over origins and per vintage.

Input: the tables of :func:`sendcast.forecasting.evidence.realtime_evidence` (columns of
:data:`forecast.scores.TABLE_COLUMNS`). Every table shows the real-time choice
(``sendcast``) beside the baselines: naive, whole-history drift, the five-year straight line
(the reference of ``relative_mase``) and constant growth; for EHC plans also the demographic
rate model (plans per resident aged 0-25 trended, times the population), scored from the
origins where it could run and against the five-year line on the same forecasts. Percentages are of the outcome
(bias, interval score) or of the forecast (width); caseloads are January census years,
flows calendar years.
"""

from __future__ import annotations

import pandas as pd

BASELINE_ORDER: tuple[str, ...] = ("sendcast", "naive", "drift", "five_year_line", "constant_growth",
                                   "demographic_rate")

POOLED_COLUMNS = {"relative_mase": "MASE/5yr", "median_bias_pct": "bias%", "median_ape_pct": "APE%",
                  "coverage80": "cov80", "coverage95": "cov95", "median_width80_pct": "width80%",
                  "interval_score80_pct": "IS80%", "interval_score95_pct": "IS95%", "n": "n"}


def _format(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for column in ("coverage80", "coverage95"):
        if column in out:
            out[column] = (100 * out[column]).map("{:.0f}%".format)
    for column in ("relative_mase",):
        if column in out:
            out[column] = out[column].map("{:.2f}".format)
    for column in ("median_bias_pct", "median_ape_pct", "median_width80_pct", "interval_score80_pct",
                   "interval_score95_pct"):
        if column in out:
            out[column] = out[column].map("{:+.1f}".format if column == "median_bias_pct" else "{:.1f}".format)
    return out


def pooled_lines(track_record: pd.DataFrame, measure: str) -> list[str]:
    """Per horizon and method, the pooled scores of ``measure``."""
    rows = track_record[track_record["measure"] == measure].copy()
    if rows.empty:
        return []
    rows["order"] = rows["method"].map({m: i for i, m in enumerate(BASELINE_ORDER)})
    rows = rows.sort_values(["horizon", "order"])
    table = _format(rows)[["horizon", "method", *POOLED_COLUMNS]].rename(columns=POOLED_COLUMNS)
    return table.to_string(index=False).splitlines()


def vintage_lines(vintages: pd.DataFrame, measure: str) -> list[str]:
    """Per vintage and horizon: the real-time choice's scores and each baseline's MASE
    relative to the five-year line."""
    rows = vintages[vintages["measure"] == measure]
    if rows.empty:
        return []
    chosen = rows[rows["method"] == "sendcast"].set_index(["origin", "horizon"])
    table = _format(chosen.reset_index())[["origin", "horizon", *[c for c in POOLED_COLUMNS if c != "n"]]]
    table = table.rename(columns=POOLED_COLUMNS)
    for method in ("naive", "drift", "constant_growth", "demographic_rate"):
        other = rows[rows["method"] == method].set_index(["origin", "horizon"])["relative_mase"]
        if method == "demographic_rate" and other.empty:
            continue
        table[f"{method}/5yr"] = other.reindex(chosen.index).map(lambda x: "n/a" if pd.isna(x) else f"{x:.2f}"
                                                                  ).to_numpy()
    return table.to_string(index=False).splitlines()


def past_forecast_line(past: pd.DataFrame, la_name: str) -> str:
    """One line on an LA's own track record from :func:`sendcast.forecasting.past_forecasts.past_forecasts`:
    the years covered, how many published values fell inside the forecast's 80% interval (of those
    forecasts that had one; bounds count as inside) and the median absolute error, % of the
    published value (years published as 0 left out of the percentage)."""
    if past.empty:
        return f"No earlier forecast of this measure for {la_name} can yet be set against a published year."
    ahead = int(past["horizon"].iloc[0])
    when = "a year" if ahead == 1 else f"{ahead} years"
    first, last = int(past["year"].min()), int(past["year"].max())
    with_interval = past.dropna(subset=["lo80", "hi80"])
    inside = int(((with_interval["actual"] >= with_interval["lo80"])
                  & (with_interval["actual"] <= with_interval["hi80"])).sum())
    published = past[past["actual"] != 0]
    error = (100 * (published["forecast"] - published["actual"]).abs() / published["actual"]).median()
    parts = [f"Forecasts for {la_name} made {when} earlier, {first}-{last} ({len(past)} years)"]
    if len(with_interval):
        parts.append(f"{inside} of {len(with_interval)} published values fell inside their 80% interval")
    if pd.notna(error):
        parts.append(f"median error {error:.1f}% of the published value")
    return parts[0] + ": " + "; ".join(parts[1:]) + "."
