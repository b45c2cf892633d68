"""The candidate methods by name, and forecasting one series with any of them.

Every method takes a ``(series, years)`` array of counts and returns a
:class:`forecast.result.PanelForecast`; :func:`forecast_series` wraps that for one series
given as a pandas Series indexed by year, the form the application layer holds.

========================  ======  =====================================================
name                      scale   planning meaning
========================  ======  =====================================================
naive                     level   no change from the latest year
drift                     level   the same number more each year (the benchmark)
log_drift                 log     constant growth: the same percentage more each year
recent_growth             log     the growth rate of the last 3 years continues
damped_trend              log     recent growth continues but fades
theta                     log     smoothed level plus half the long-run growth
arima                     log     ARIMA, order chosen by AICc (slow; statsmodels)
demographic_rate          log     plans per resident, trended, times population
combination               log     median of log_drift, damped_trend and theta
damped_trend_statsmodels  log     reference implementation (statsmodels ETSModel)
theta_statsmodels         log     reference implementation (statsmodels ThetaModel)
========================  ======  =====================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from forecast.arima import arima
from forecast.combine import combine
from forecast.damped_trend import damped_trend, damped_trend_statsmodels
from forecast.demographic import demographic_rate
from forecast.errors import ForecastError
from forecast.random_walks import drift, log_drift, naive, recent_growth
from forecast.result import Forecast, PanelForecast
from forecast.theta import theta, theta_statsmodels

PanelModel = Callable[..., PanelForecast]

#: Vectorised (closed-form or grid-fitted) methods: fast enough for a national backtest.
FAST_MODELS: dict[str, PanelModel] = {
    "naive": naive,
    "drift": drift,
    "log_drift": log_drift,
    "recent_growth": recent_growth,
    "damped_trend": damped_trend,
    "theta": theta,
}
#: statsmodels methods fitted one series at a time.
SLOW_MODELS: dict[str, PanelModel] = {
    "arima": arima,
    "damped_trend_statsmodels": lambda history, horizon, **_: damped_trend_statsmodels(history, horizon),
    "theta_statsmodels": lambda history, horizon, **_: theta_statsmodels(history, horizon),
}
#: Members of the default ``combination``.
COMBINATION_MEMBERS: tuple[str, ...] = ("log_drift", "damped_trend", "theta")
#: Every method name :func:`forecast_panel` accepts.
MODEL_NAMES: tuple[str, ...] = tuple(FAST_MODELS) + ("demographic_rate", "combination") + tuple(SLOW_MODELS)
#: The default set for a national backtest (all vectorised).
BACKTEST_MODELS: tuple[str, ...] = (
    "naive",
    "drift",
    "log_drift",
    "recent_growth",
    "damped_trend",
    "theta",
    "combination",
)
#: Fewest years of history each method accepts.
MIN_YEARS: dict[str, int] = {
    "naive": 2,
    "drift": 3,
    "log_drift": 3,
    "recent_growth": 3,
    "damped_trend": 4,
    "theta": 3,
    "arima": 5,
    "demographic_rate": 4,
    "combination": 4,
    "damped_trend_statsmodels": 4,
    "theta_statsmodels": 3,
}


def forecast_panel(
    model: str,
    history: np.ndarray,
    horizon: int,
    *,
    population: np.ndarray | None = None,
    n_paths: int = 0,
    rng: np.random.Generator | None = None,
    members: Sequence[str] = COMBINATION_MEMBERS,
    weights: Sequence[float] | None = None,
) -> PanelForecast:
    """Forecast every row of ``history`` ``(series, years)`` ``horizon`` years ahead with
    ``model``. ``population`` (``(series, years + horizon)``) is needed by
    ``demographic_rate`` (and by a combination that includes it); ``members`` and
    ``weights`` define ``combination`` (median if ``weights`` is None)."""
    if horizon < 1:
        raise ForecastError(f"{model}: horizon must be at least 1 year, found {horizon}")
    if model in FAST_MODELS:
        return FAST_MODELS[model](history, horizon, n_paths=n_paths, rng=rng)
    if model in SLOW_MODELS:
        return SLOW_MODELS[model](history, horizon, n_paths=n_paths, rng=rng)
    if model == "demographic_rate":
        if population is None:
            raise ForecastError("demographic_rate needs a population series covering history and forecast years")
        return demographic_rate(history, horizon, population=population, n_paths=n_paths, rng=rng)
    if model == "combination":
        if "combination" in members:
            raise ForecastError("combination cannot contain itself")
        parts = [forecast_panel(m, history, horizon, population=population, n_paths=n_paths, rng=rng) for m in members]
        return combine(parts, method="median" if weights is None else "weighted", weights=weights)
    raise ForecastError(f"unknown model {model!r}; known: {', '.join(MODEL_NAMES)}")


def _history_array(history: pd.Series, model: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(history, pd.Series):
        raise ForecastError(f"{model}: history must be a pandas Series indexed by year")
    clean = history.dropna().sort_index()
    years = np.asarray(clean.index, dtype=int)
    if len(years) and (np.diff(years) != 1).any():
        raise ForecastError(f"{model}: history years must be consecutive, found {years.tolist()}")
    if len(years) < MIN_YEARS.get(model, 2):
        raise ForecastError(f"{model}: needs at least {MIN_YEARS.get(model, 2)} years of history, found {len(years)}")
    return clean.to_numpy(dtype=float), years


def forecast_series(
    history: pd.Series,
    model: str,
    horizon: int,
    *,
    population: pd.Series | None = None,
    n_paths: int = 1000,
    seed: int | np.random.SeedSequence | None = None,
    members: Sequence[str] = COMBINATION_MEMBERS,
    weights: Sequence[float] | None = None,
    name: str = "",
) -> Forecast:
    """Forecast one series (counts indexed by consecutive integer year) ``horizon`` years
    beyond its last year, with ``n_paths`` simulated sample paths (0 for none).

    ``population`` (demographic_rate only) is indexed by year and must cover every history
    and forecast year. ``seed`` makes the sample paths reproducible."""
    values, years = _history_array(history, model)
    future = np.arange(years[-1] + 1, years[-1] + 1 + horizon)
    population_array = None
    if population is not None:
        needed = np.concatenate([years, future])
        missing = [int(y) for y in needed if y not in population.index or pd.isna(population.get(y))]
        if missing:
            raise ForecastError(f"{model}: population is missing years {missing}")
        population_array = population.reindex(needed).to_numpy(dtype=float)[None, :]
    rng = np.random.default_rng(seed)
    panel = forecast_panel(
        model,
        values[None, :],
        horizon,
        population=population_array,
        n_paths=n_paths,
        rng=rng,
        members=members,
        weights=weights,
    )
    return panel.row(0, future, name=name)
