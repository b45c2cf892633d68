"""Choosing a method per measure (or per series) from the backtest.

The rule, written down so a planner can check it:

1. Score: for each candidate, the mean over horizons 1..``max_horizon`` of its median MASE
   across series (:func:`forecast.backtest.summarise` ``median_mase``); per series, the
   mean over horizons of that series' MASE. Lower is better. MASE, not MAPE, so large and
   small LAs count alike and a series near zero does not dominate.
2. Eligible: the candidate was scored at every horizon 1..``max_horizon`` that any candidate
   was scored at for that measure (a measure published for fewer years has fewer horizons)
   and, per measure, on at least ``min_series`` series.
3. The lowest score wins, except that a simpler candidate within ``tolerance`` (default 2%)
   of the best score is preferred, simplest first by :data:`SIMPLICITY` (a tie on the
   evidence goes to the method that is easiest to explain).
4. Interval coverage is not part of the choice: every method's intervals are calibrated
   from the same backtest afterwards (:mod:`forecast.calibration`). Bias is reported beside
   the choice so a persistent under-forecast is visible.

Per-series choice (``by="series"``) is available but noisier: with about 10 origins per
LA the winner is often luck. The default is per measure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecast.backtest import BacktestResult, summarise
from forecast.errors import ForecastError

#: Simplest first; a candidate not listed counts as more complex than all listed.
SIMPLICITY: tuple[str, ...] = (
    "naive",
    "drift",
    "log_drift",
    "recent_growth",
    "theta",
    "damped_trend",
    "demographic_rate",
    "combination",
    "arima",
)

SELECTION_COLUMNS: tuple[str, ...] = (
    "model",
    "score",
    "best_score_model",
    "best_score",
    "runner_up",
    "runner_up_score",
    "median_bias_pct",
    "n_series",
    "reason",
)


def select_models(
    result: BacktestResult,
    *,
    candidates: Sequence[str] | None = None,
    max_horizon: int | None = None,
    tolerance: float = 0.02,
    min_series: int = 10,
    by: str = "measure",
) -> pd.DataFrame:
    """The chosen model per measure (``by="measure"``; one row, or one per ``measure``
    value when the series ids include a ``measure`` column) or per series
    (``by="series"``), with the score, the best-scoring and runner-up candidates, the
    chosen model's median bias and the reason in words."""
    if by not in ("measure", "series"):
        raise ForecastError(f"select_models: by must be 'measure' or 'series', found {by!r}")
    horizons = max_horizon or result.horizons
    if by == "measure":
        table = summarise(result)
        groups = ["measure"] if "measure" in table.columns else []
        count_column, score_column, bias_column = "n_series", "median_mase", "median_bias_pct"
    else:
        table = result.metrics.rename(columns={"mase": "score_raw"})
        table["n_series"] = 1
        groups = list(result.id_columns)
        count_column, score_column, bias_column = "n_series", "score_raw", "bias_pct"
        min_series = 1
    if candidates is not None:
        table = table[table["model"].isin(candidates)]
    table = table[table["horizon"] <= horizons]
    per_model = (
        table.groupby([*groups, "model"], observed=True)
        .agg(
            score=(score_column, "mean"),
            horizons=("horizon", "nunique"),
            n_series=(count_column, "min"),
            bias=(bias_column, "mean"),
        )
        .reset_index()
    )
    scored_horizons = (
        per_model.groupby(groups, observed=True)["horizons"].transform("max") if groups else per_model["horizons"].max()
    )
    eligible = per_model[
        (per_model["horizons"] == scored_horizons)
        & (per_model["n_series"] >= min_series)
        & np.isfinite(per_model["score"])
    ].copy()
    if eligible.empty:
        empty = table[groups].drop_duplicates() if groups else pd.DataFrame(index=[0])
        return (
            empty.assign(reason="no candidate has enough backtest evidence")
            .reindex(columns=[*groups, *SELECTION_COLUMNS])
            .reset_index(drop=True)
        )
    keys = groups or ["_all"]
    if not groups:
        eligible["_all"] = 0
    rank = {m: i for i, m in enumerate(SIMPLICITY)}
    eligible["simplicity"] = eligible["model"].map(rank).fillna(len(SIMPLICITY))
    by_score = eligible.sort_values([*keys, "score", "simplicity"], kind="stable")
    best = by_score.groupby(keys, observed=True).first()[["model", "score"]]
    best.columns = ["best_score_model", "best_score"]
    eligible = eligible.join(best, on=keys)
    near = eligible[eligible["score"] <= eligible["best_score"] * (1 + tolerance)]
    chosen = near.sort_values([*keys, "simplicity", "score"], kind="stable").groupby(keys, observed=True).first()
    eligible = eligible.join(chosen["model"].rename("chosen"), on=keys)
    others = eligible[eligible["model"] != eligible["chosen"]].sort_values([*keys, "score"], kind="stable")
    runner = others.groupby(keys, observed=True).first()[["model", "score"]]
    runner.columns = ["runner_up", "runner_up_score"]
    out = chosen.rename(columns={"bias": "median_bias_pct"}).join(runner)
    label = "mean median MASE" if by == "measure" else "mean MASE"
    simplest = out["model"] != out["best_score_model"]
    out["reason"] = np.where(
        simplest,
        "simplest within "
        + f"{tolerance:.0%}"
        + " of the best ("
        + out["best_score_model"].astype(str)
        + ", "
        + out["best_score"].map("{:.3f}".format)
        + "); scores "
        + out["score"].map("{:.3f}".format),
        f"lowest {label} (" + out["score"].map("{:.3f}".format) + ")",
    )
    out = out.reset_index()
    if groups:
        every = table[groups].drop_duplicates()
        out = every.merge(out, on=groups, how="left")
        out["reason"] = out["reason"].fillna("no candidate has enough backtest evidence")
    elif out.empty:
        out = pd.DataFrame([{"reason": "no candidate has enough backtest evidence"}])
    out["n_series"] = out["n_series"].astype("Int64") if "n_series" in out else pd.NA
    return out.reindex(columns=[*groups, *SELECTION_COLUMNS]).reset_index(drop=True)
