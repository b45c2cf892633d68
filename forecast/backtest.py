"""Rolling-origin backtest: how well would each method have forecast the years we now know?

For every series and every *origin* (the last year of history the forecast is allowed to
see) with at least ``min_history`` years of history, each method forecasts 1 to
``horizons`` years ahead, and each forecast whose year has since been published is scored.
A planner reads the result as "forecasting three years ahead, this method was typically
x% out, and its 80% intervals contained the outcome y% of the time".

Input: ``values``, a DataFrame with one row per series (index: a series id such as
``la_code``, or a MultiIndex such as ``(measure, la_code)``) and one column per consecutive
integer year. A series may start and end in different years (NaN outside its span), but a
gap inside its span is an error (:class:`ForecastError`), never filled in.

Scores, per forecast (table ``errors``; year basis as the input, January for caseloads):

- ``pct_error = 100 * (forecast - actual) / actual`` (positive: over-forecast; NaN when
  the actual is 0);
- ``scaled_error = |forecast - actual| / scale`` where ``scale`` is the mean absolute
  year-on-year change in that origin's training window (the in-sample one-step naive MAE;
  NaN when the training window is constant);
- ``covered80``/``covered95``: the actual lies within the interval, bounds included.

Metrics per series, model and horizon (table ``metrics``): ``mape`` (mean of
``|pct_error|``), ``mase`` (mean of ``scaled_error``), ``bias_pct`` (mean of
``pct_error``), ``coverage80``/``coverage95`` (share of forecasts covered) and ``n``
(forecasts scored). :func:`summarise` reduces them across series.

Speed: windows with the same length and horizon are forecast together by the vectorised
methods, so a national backtest (150 LAs x 12 measures x 10 origins) takes seconds for the
fast methods. statsmodels methods (``arima``, ``*_statsmodels``) work but fit one series
at a time: about 0.3 s per ARIMA window.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.combine import combine
from forecast.errors import ForecastError
from forecast.models import BACKTEST_MODELS, COMBINATION_MEMBERS, MIN_YEARS, SLOW_MODELS, forecast_panel
from forecast.result import PanelForecast

LOGGER = logging.getLogger(__name__)

ERROR_COLUMNS: tuple[str, ...] = (
    "model",
    "origin",
    "horizon",
    "year",
    "actual",
    "forecast",
    "lo80",
    "hi80",
    "lo95",
    "hi95",
    "scale",
    "log_offset",
    "mase_scale",
    "pct_error",
    "scaled_error",
    "covered80",
    "covered95",
)
METRIC_COLUMNS: tuple[str, ...] = ("n", "mape", "mase", "bias_pct", "coverage80", "coverage95")


@dataclass(frozen=True)
class BacktestResult:
    """``errors``: one row per series x model x origin x horizon (the series id columns
    first, then :data:`ERROR_COLUMNS`). ``metrics``: one row per series x model x horizon
    with :data:`METRIC_COLUMNS`. ``id_columns``: the names of the series id columns.
    ``min_history`` and ``horizons``: the settings used."""

    errors: pd.DataFrame
    metrics: pd.DataFrame
    id_columns: tuple[str, ...]
    min_history: int
    horizons: int


def _spans(values: np.ndarray, labels: list) -> tuple[np.ndarray, np.ndarray]:
    present = ~np.isnan(values)
    first = np.where(present.any(axis=1), present.argmax(axis=1), -1)
    last = np.where(present.any(axis=1), values.shape[1] - 1 - present[:, ::-1].argmax(axis=1), -2)
    for row in range(values.shape[0]):
        if first[row] >= 0 and not present[row, first[row] : last[row] + 1].all():
            raise ForecastError(
                f"backtest: series {labels[row]} has a missing year inside its span; "
                "gaps are never filled in, so leave the series out or shorten it"
            )
    return first, last


def in_sample_naive_mae(windows: np.ndarray) -> np.ndarray:
    """Per row: the mean absolute year-on-year change (MASE's denominator); NaN if zero."""
    mae = np.mean(np.abs(np.diff(windows, axis=1)), axis=1)
    return np.where(mae > 0, mae, np.nan)


def score_forecasts(
    forecast: np.ndarray,
    actual: np.ndarray,
    lower80: np.ndarray,
    upper80: np.ndarray,
    lower95: np.ndarray,
    upper95: np.ndarray,
    mase_scale: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per-forecast scores (see the module docstring); all arguments are aligned arrays."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(actual != 0, 100.0 * (forecast - actual) / actual, np.nan)
        scaled = np.abs(forecast - actual) / mase_scale
    return {
        "pct_error": pct,
        "scaled_error": scaled,
        "covered80": (actual >= lower80) & (actual <= upper80),
        "covered95": (actual >= lower95) & (actual <= upper95),
    }


def _model_forecasts(
    models: Sequence[str],
    windows: np.ndarray,
    horizon: int,
    population: np.ndarray | None,
    members: Sequence[str],
    rng: np.random.Generator,
) -> dict[str, PanelForecast]:
    needed = list(
        dict.fromkeys([m for m in models if m != "combination"] + (list(members) if "combination" in models else []))
    )
    results = {m: forecast_panel(m, windows, horizon, population=population, rng=rng) for m in needed}
    if "combination" in models:
        results["combination"] = combine([results[m] for m in members])
    return {m: results[m] for m in models}


def rolling_origin_backtest(
    values: pd.DataFrame,
    *,
    models: Sequence[str] = BACKTEST_MODELS,
    horizons: int = 5,
    min_history: int = 6,
    population: pd.DataFrame | None = None,
    combination_members: Sequence[str] = COMBINATION_MEMBERS,
    seed: int = 0,
) -> BacktestResult:
    """Backtest ``models`` on every series of ``values`` (see the module docstring).

    ``population`` (same index as ``values``, year columns covering every forecast year) is
    required if ``demographic_rate`` is among the models or combination members."""
    if values.empty:
        raise ForecastError("backtest: no series to backtest")
    if min_history < max(MIN_YEARS.get(m, 2) for m in list(models) + list(combination_members)):
        raise ForecastError(f"backtest: min_history={min_history} is too short for the models chosen")
    years = np.asarray(values.columns, dtype=int)
    if (np.diff(years) != 1).any():
        raise ForecastError(f"backtest: year columns must be consecutive, found {years.tolist()}")
    slow = [m for m in models if m in SLOW_MODELS]
    if slow:
        LOGGER.warning("backtest: %s fit one series at a time and will be slow", ", ".join(slow))
    data = values.to_numpy(dtype=float)
    labels = list(values.index)
    first, last = _spans(data, labels)
    pop = None
    if population is not None:
        pop = population.reindex(index=values.index, columns=np.arange(years[0], years[-1] + horizons + 1))
        pop = pop.to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    groups: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for row in range(data.shape[0]):
        if first[row] < 0:
            continue
        for origin in range(first[row] + min_history - 1, last[row]):
            length = origin - first[row] + 1
            horizon = min(horizons, last[row] - origin)
            groups.setdefault((length, horizon), []).append((row, first[row], origin))
    if not groups:
        raise ForecastError(f"backtest: no series has more than {min_history} years, so there is nothing to score")
    frames = []
    for (length, horizon), members in sorted(groups.items()):
        rows, starts, origins = (np.array(part) for part in zip(*members))
        columns = starts[:, None] + np.arange(length)[None, :]
        windows = data[rows[:, None], columns]
        target_columns = origins[:, None] + 1 + np.arange(horizon)[None, :]
        actual = data[rows[:, None], target_columns]
        window_pop = None
        if pop is not None:
            window_pop = pop[rows[:, None], starts[:, None] + np.arange(length + horizon)[None, :]]
        scale_in_sample = in_sample_naive_mae(windows)
        forecasts = _model_forecasts(models, windows, horizon, window_pop, combination_members, rng)
        for name, result in forecasts.items():
            scores = score_forecasts(
                result.mean,
                actual,
                result.lower80,
                result.upper80,
                result.lower95,
                result.upper95,
                scale_in_sample[:, None],
            )
            block = {
                "_row": np.repeat(rows, horizon),
                "model": name,
                "origin": np.repeat(years[origins], horizon),
                "horizon": np.tile(np.arange(1, horizon + 1), len(rows)),
                "year": years[target_columns].ravel(),
                "actual": actual.ravel(),
                "forecast": result.mean.ravel(),
                "lo80": result.lower80.ravel(),
                "hi80": result.upper80.ravel(),
                "lo95": result.lower95.ravel(),
                "hi95": result.upper95.ravel(),
                "scale": result.scale,
                "log_offset": np.repeat(result.log_offset, horizon),
                "mase_scale": np.repeat(scale_in_sample, horizon),
            }
            block.update({key: value.ravel() for key, value in scores.items()})
            frames.append(pd.DataFrame(block))
    errors = pd.concat(frames, ignore_index=True)
    id_frame = values.index.to_frame(index=False)
    id_columns = tuple(str(c) if c is not None else "series" for c in id_frame.columns)
    id_frame.columns = list(id_columns)
    errors = pd.concat(
        [id_frame.iloc[errors["_row"].to_numpy()].reset_index(drop=True), errors.drop(columns="_row")], axis=1
    )
    errors = errors.sort_values([*id_columns, "model", "origin", "horizon"], kind="stable").reset_index(drop=True)
    LOGGER.info("backtest: %d forecasts scored for %d series and %d models", len(errors), len(values), len(models))
    return BacktestResult(
        errors=errors,
        metrics=metrics_from_errors(errors, id_columns),
        id_columns=id_columns,
        min_history=min_history,
        horizons=horizons,
    )


def metrics_from_errors(errors: pd.DataFrame, id_columns: Sequence[str]) -> pd.DataFrame:
    """Per series, model and horizon: ``n``, ``mape``, ``mase``, ``bias_pct``,
    ``coverage80``, ``coverage95`` (see the module docstring)."""
    keys = [*id_columns, "model", "horizon"]
    work = errors.assign(
        abs_pct=errors["pct_error"].abs(),
        covered80=errors["covered80"].astype(float),
        covered95=errors["covered95"].astype(float),
    )
    grouped = work.groupby(keys, sort=True, observed=True)
    table = grouped.agg(
        n=("actual", "size"),
        mape=("abs_pct", "mean"),
        mase=("scaled_error", "mean"),
        bias_pct=("pct_error", "mean"),
        coverage80=("covered80", "mean"),
        coverage95=("covered95", "mean"),
    )
    return table.reset_index()


def summarise(result: BacktestResult, *, baseline: str = "drift", by: Sequence[str] | None = None) -> pd.DataFrame:
    """Across series: per (``by`` columns,) model and horizon,

    - ``n_series``, ``n_forecasts``;
    - ``median_mase``: median over series of each series' MASE;
    - ``relative_mase``: ``median_mase`` divided by the baseline's (``drift``) for the same
      group and horizon (below 1: better than carrying on the average yearly change);
    - ``median_mape``, ``median_bias_pct``;
    - ``coverage80``, ``coverage95``: the share of all forecasts (pooled across series)
      whose outcome fell in the interval, against nominal 0.80 and 0.95.

    ``by`` defaults to ``("measure",)`` when the series ids include a ``measure`` column."""
    if by is None:
        by = ("measure",) if "measure" in result.id_columns else ()
    keys = [*by, "model", "horizon"]
    metrics = result.metrics
    summary = metrics.groupby(keys, observed=True).agg(
        n_series=("n", "size"),
        median_mase=("mase", "median"),
        median_mape=("mape", "median"),
        median_bias_pct=("bias_pct", "median"),
    )
    pooled = result.errors.assign(
        covered80=result.errors["covered80"].astype(float), covered95=result.errors["covered95"].astype(float)
    )
    coverage = pooled.groupby(keys, observed=True).agg(
        n_forecasts=("actual", "size"), coverage80=("covered80", "mean"), coverage95=("covered95", "mean")
    )
    summary = summary.join(coverage).reset_index()
    base = summary[summary["model"] == baseline].set_index([*by, "horizon"])["median_mase"]
    if base.empty:
        LOGGER.warning("summarise: baseline %r not in the backtest; relative_mase left empty", baseline)
        summary["relative_mase"] = np.nan
    else:
        lookup = summary.set_index([*by, "horizon"]).index
        summary["relative_mase"] = summary["median_mase"].to_numpy() / base.reindex(lookup).to_numpy()
    return summary[
        [
            *keys,
            "n_series",
            "n_forecasts",
            "median_mase",
            "relative_mase",
            "median_mape",
            "median_bias_pct",
            "coverage80",
            "coverage95",
        ]
    ]
