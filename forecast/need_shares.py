"""Shares of a total by category (EHC plans by primary need), projected so they sum to one.

Pure computation on plain data. A *composition* is a table of counts: one row per year
(January census year for caseloads), one column per category (the thirteen primary needs,
"not recorded" included), every value 0 or more, and every year with a positive total: a
year of zeros has no shares, so the methods refuse it; :func:`projectable_history` picks the
years a published series can be projected from (those with a positive total, latest run).

Methods (each returns shares for the years after the last one given, each row summing to 1):

- ``carry_forward``: the latest year's shares, unchanged. The benchmark every other method
  must beat.
- ``damped_log_ratio_trend``: a trended multinomial-logit model. Shares become centred
  log-ratios, ``clr_k = log(n_k) - mean_j log(n_j)`` (zero counts taken as
  :data:`ZERO_COUNT` children for this estimate only); the slope of each category's
  log-ratio is fitted by least squares over the last ``window`` years and applied damped to
  the latest published shares: ``p_k(T+h)`` proportional to
  ``p_k(T) * exp(slope_k * (phi + phi^2 + ... + phi^h))`` (the multinomial-logit form, so
  shares stay in 0-1 and sum to one; a category with none stays at none). With one year
  of history there is no slope and it equals ``carry_forward``; so does ``phi`` = 0.
  ``phi`` = 0.8 by default: a damping fixed before any backtest (the lower end of the
  range usual for damped trends), not tuned on it.

Evaluation (:func:`backtest_shares`) is time-respecting: at each origin ``t`` a method sees
only years up to ``t`` and is scored on the published shares of ``t + h``. The error is the
mean absolute error in percentage points, averaged over the categories of one area and
origin; :func:`summarise_backtest` averages it over areas and origins per horizon, beside
``carry_forward`` on the same forecasts. :func:`choose_method` keeps ``carry_forward``
unless another method has a lower error at every horizon scored, with at least
``min_origins`` area-origins per horizon; with no origin at all it says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Children added to a zero count before taking logs (the usual half-count correction).
ZERO_COUNT = 0.5
DEFAULT_WINDOW = 5
DEFAULT_PHI = 0.8
METHODS = ("carry_forward", "damped_log_ratio_trend")


def shares_of(counts: pd.DataFrame) -> pd.DataFrame:
    """Counts -> shares (rows sum to 1; a row of zeros stays NaN: no total, no shares)."""
    totals = counts.sum(axis=1)
    return counts.div(totals.where(totals > 0), axis=0)


def projectable_history(counts: pd.DataFrame) -> pd.DataFrame:
    """The years of a composition that shares can be projected from: the years with every
    count published and a positive total, and of those the latest run of consecutive years
    (the rule :func:`backtest_shares` scores the methods on).

    A year whose total is 0 (no children in it, or every count suppressed to 0) has no shares
    (0/0): it is left out, never filled in, and the gap it leaves cuts the history as a gap
    in publication does. Empty (same columns) when no year has a positive total: there is
    then nothing to project, and the caller says so."""
    complete = counts.dropna()
    usable = complete[complete.sum(axis=1) > 0]
    return usable if usable.empty else _trailing_run(usable)


def _check(counts: pd.DataFrame) -> None:
    if counts.empty:
        raise ValueError("a composition needs at least one year")
    values = counts.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError("a composition needs counts of 0 or more in every category and year")
    if (values.sum(axis=1) <= 0).any():
        raise ValueError("a composition needs a positive total in every year")
    if not counts.index.is_monotonic_increasing:
        raise ValueError("a composition's years must be in order")


def _future(counts: pd.DataFrame, horizon: int) -> pd.Index:
    last = int(counts.index[-1])
    return pd.Index(range(last + 1, last + horizon + 1), name="year")


def carry_forward(counts: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The latest shares, repeated ``horizon`` years."""
    _check(counts)
    latest = shares_of(counts).iloc[-1].to_numpy()
    return pd.DataFrame(np.tile(latest, (horizon, 1)), index=_future(counts, horizon), columns=counts.columns)


def damped_log_ratio_trend(
    counts: pd.DataFrame, horizon: int, *, window: int = DEFAULT_WINDOW, phi: float = DEFAULT_PHI
) -> pd.DataFrame:
    """Shares from damped linear trends in the centred log-ratios (see the module docstring)."""
    _check(counts)
    if not 0 <= phi <= 1:
        raise ValueError(f"phi must be between 0 and 1, found {phi}")
    recent = counts.iloc[-window:].to_numpy(dtype=float)
    logs = np.log(np.where(recent == 0, ZERO_COUNT, recent))
    clr = logs - logs.mean(axis=1, keepdims=True)
    years = counts.index[-window:].to_numpy(dtype=float)
    if len(years) < 2:
        slope = np.zeros(clr.shape[1])
    else:
        centred = years - years.mean()
        slope = centred @ (clr - clr.mean(axis=0)) / (centred @ centred)
    steps = np.cumsum(phi ** np.arange(1, horizon + 1))
    moved = steps[:, None] * slope[None, :]
    latest = shares_of(counts).iloc[-1].to_numpy()
    weights = latest[None, :] * np.exp(moved - moved.max(axis=1, keepdims=True))
    shares = weights / weights.sum(axis=1, keepdims=True)
    return pd.DataFrame(shares, index=_future(counts, horizon), columns=counts.columns)


_METHODS: dict[str, Callable[[pd.DataFrame, int], pd.DataFrame]] = {
    "carry_forward": carry_forward,
    "damped_log_ratio_trend": damped_log_ratio_trend,
}


def project_shares(counts: pd.DataFrame, method: str, horizon: int) -> pd.DataFrame:
    """Shares for the ``horizon`` years after the last, by ``method`` (one of :data:`METHODS`)."""
    if method not in _METHODS:
        raise ValueError(f"unknown share method {method!r}; one of {', '.join(METHODS)}")
    if horizon < 1:
        raise ValueError("horizon must be 1 or more")
    return _METHODS[method](counts, horizon)


def backtest_shares(
    panel: pd.DataFrame, *, horizons: int = 5, methods: tuple[str, ...] = METHODS, min_history: int = 1
) -> pd.DataFrame:
    """Rolling-origin backtest of share methods on a panel of compositions.

    ``panel``: columns ``area, year, category, count``. At every origin ``t`` of an area with
    at least ``min_history`` consecutive years up to ``t``, each method sees years ``<= t``
    only (the latest run of consecutive years) and is scored on every published later
    year ``t + h`` (``h <= horizons``).

    Returns one row per (method, area, origin, horizon): ``mae_pp``, the mean over
    categories of the absolute error of the share, in percentage points. Empty (with the
    columns) when no area has a year to score.
    """
    columns = ["method", "area", "origin", "horizon", "mae_pp"]
    rows = []
    for area, block in panel.groupby("area", sort=True):
        counts = block.pivot_table(index="year", columns="category", values="count", aggfunc="sum").sort_index()
        counts = counts.dropna()
        counts = counts[counts.sum(axis=1) > 0]
        years = counts.index.to_numpy()
        actual = shares_of(counts)
        for i, origin in enumerate(years):
            history = _trailing_run(counts.iloc[: i + 1])
            if len(history) < min_history:
                continue
            targets = [y for y in years[i + 1 :] if y - origin <= horizons]
            if not targets:
                continue
            for method in methods:
                projected = project_shares(history, method, int(max(targets) - origin))
                for year in targets:
                    error = (projected.loc[year] - actual.loc[year]).abs().mean() * 100
                    rows.append((method, area, int(origin), int(year - origin), float(error)))
    return pd.DataFrame(rows, columns=columns)


def _trailing_run(counts: pd.DataFrame) -> pd.DataFrame:
    """The latest run of consecutive years (a gap cuts the history: nothing is interpolated)."""
    years = counts.index.to_numpy()
    gaps = np.flatnonzero(np.diff(years) != 1)
    return counts if len(gaps) == 0 else counts.iloc[gaps[-1] + 1 :]


def summarise_backtest(errors: pd.DataFrame, *, horizons: int = 5, methods: tuple[str, ...] = METHODS) -> pd.DataFrame:
    """Per method and horizon: area-origins scored, mean absolute error (pp), carry-forward's
    on the same area-origins, and the ratio (below 1: better than carrying forward).

    Every method and horizon up to ``horizons`` gets a row; with nothing scored its
    ``scored`` is 0 and the errors are NaN (not measured, never zero)."""
    out = []
    for method in methods:
        for horizon in range(1, horizons + 1):
            mine = errors[(errors["method"] == method) & (errors["horizon"] == horizon)]
            base = errors[(errors["method"] == "carry_forward") & (errors["horizon"] == horizon)]
            joined = mine.merge(base, on=["area", "origin", "horizon"], suffixes=("", "_cf"))
            scored = len(joined)
            mae = joined["mae_pp"].mean() if scored else np.nan
            mae_cf = joined["mae_pp_cf"].mean() if scored else np.nan
            out.append(
                {
                    "method": method,
                    "horizon": horizon,
                    "scored": scored,
                    "areas": joined["area"].nunique() if scored else 0,
                    "mae_pp": mae,
                    "mae_pp_carry_forward": mae_cf,
                    "ratio_to_carry_forward": mae / mae_cf if scored and mae_cf > 0 else np.nan,
                }
            )
    return pd.DataFrame(out)


@dataclass(frozen=True)
class ShareChoice:
    """The method chosen for projecting shares, and why (in words a planner can read)."""

    method: str
    reason: str


def choose_method(summary: pd.DataFrame, *, min_origins: int = 30) -> ShareChoice:
    """Keep ``carry_forward`` unless a method beats it at every horizon scored, each horizon
    with at least ``min_origins`` area-origins (see the module docstring)."""
    scored = summary[summary["scored"] > 0]
    if scored.empty:
        return ShareChoice(
            "carry_forward",
            "no origin to score: the published series has one year, so no method "
            "can be tested against carrying the latest shares forward",
        )
    best, best_ratio = None, np.inf
    for method, rows in scored[scored["method"] != "carry_forward"].groupby("method"):
        if (rows["scored"] < min_origins).any():
            continue
        if (rows["ratio_to_carry_forward"] < 1).all() and rows["ratio_to_carry_forward"].mean() < best_ratio:
            best, best_ratio = method, rows["ratio_to_carry_forward"].mean()
    if best is None:
        return ShareChoice(
            "carry_forward",
            "no method beat carrying the latest shares forward at every horizon "
            f"scored (with {min_origins}+ area-origins each)",
        )
    return ShareChoice(
        best, f"beat carrying the latest shares forward at every horizon scored (mean error ratio {best_ratio:.2f})"
    )


def apply_shares(totals: pd.Series, shares: pd.DataFrame) -> pd.DataFrame:
    """Counts by category: each year's total times that year's shares (tidy: ``year,
    category, value``). Totals indexed by year; every year of ``totals`` needs shares."""
    missing = sorted(set(totals.index) - set(shares.index))
    if missing:
        raise ValueError(f"no shares for years {missing}")
    counts = shares.loc[totals.index].mul(totals.to_numpy(), axis=0)
    counts.index.name = "year"
    counts.columns.name = "category"
    return counts.stack().rename("value").reset_index()
