"""The Theta method on the log scale, vectorised across series.

Planning meaning: a blend of "carry on at the latest smoothed level" (simple exponential
smoothing) and "half the long-run linear growth" (the theta = 2 line). On log counts, the
trend is a growth rate. It did well on yearly series in the M3/M4 competitions.

Same estimator as statsmodels ``ThetaModel(...).fit(use_mle=False)`` with no
deseasonalising (Assimakopoulos and Nikolopoulos 2000; Hyndman and Billah 2003):

- ``b0``: ordinary least-squares slope of the series on time;
- ``alpha``: simple exponential smoothing with the initial level fixed at the first value,
  ``alpha`` in [0.001, 1] minimising the one-step squared errors (a grid of 101 values,
  then a finer grid of 101 around the best: resolution 0.0002);
- forecast ``l_T + b0 / 2 * (h - 1 + 1/alpha - (1 - alpha)^T / alpha)``.

Intervals: the method's statistical model is ARIMA(0,1,1) with drift (MA coefficient
``alpha - 1``); its h-step variance is ``sigma^2 * (1 + (h - 1) * alpha^2)``, with
``sigma^2`` the conditional mean square of that model's one-step errors. (statsmodels uses
``1 + (h - 1) * (1 + (alpha - 1)^2)`` and an exact-likelihood ``sigma^2``; we use the
textbook variance, so intervals differ from statsmodels while means agree.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecast.intervals import panel_from_normal
from forecast.result import PanelForecast
from forecast.transforms import as_panel, log_offsets, to_log

_MIN_ALPHA = 0.001


def _ses_sse(values: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum of squared one-step errors and final level for every series x alpha;
    ``alphas`` is ``(series, k)``. Initial level is the first value."""
    level = np.repeat(values[:, :1], alphas.shape[1], axis=1)
    sse = np.zeros_like(level)
    for t in range(1, values.shape[1]):
        error = values[:, t : t + 1] - level
        sse += error**2
        level = level + alphas * error
    return sse, level


def fit_ses_alpha(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per series: the smoothing parameter and the final smoothed level."""
    n_series = values.shape[0]
    coarse = np.tile(np.linspace(_MIN_ALPHA, 1.0, 101), (n_series, 1))
    sse, _ = _ses_sse(values, coarse)
    best = coarse[np.arange(n_series), np.argmin(sse, axis=1)]
    fine = np.clip(best[:, None] + np.linspace(-0.01, 0.01, 101)[None, :], _MIN_ALPHA, 1.0)
    sse, level = _ses_sse(values, fine)
    pick = np.argmin(sse, axis=1)
    rows = np.arange(n_series)
    return fine[rows, pick], level[rows, pick]


def _trend_slope(values: np.ndarray) -> np.ndarray:
    time = np.arange(values.shape[1], dtype=float)
    time -= time.mean()
    return (values - values.mean(axis=1, keepdims=True)) @ time / (time @ time)


def theta(
    history: np.ndarray, horizon: int, *, n_paths: int = 0, rng: np.random.Generator | None = None
) -> PanelForecast:
    """Theta forecasts of log counts for every row of ``history`` ``(series, years)``.
    Needs at least 3 years."""
    values = as_panel(history, model="theta", min_years=3)
    offset = log_offsets(values)
    logs = to_log(values, offset)
    n_years = values.shape[1]
    slope = _trend_slope(logs)
    alpha, level = fit_ses_alpha(logs)
    steps = np.arange(1, horizon + 1, dtype=float)[None, :]
    a = alpha[:, None]
    centre = level[:, None] + 0.5 * slope[:, None] * (steps - 1 + 1 / a - (1 - a) ** n_years / a)
    # conditional one-step errors of ARIMA(0,1,1) with drift slope, MA coefficient alpha - 1
    changes = np.diff(logs, axis=1)
    previous = np.zeros(values.shape[0])
    sse = np.zeros(values.shape[0])
    for t in range(changes.shape[1]):
        error = changes[:, t] - slope - (alpha - 1) * previous
        sse += error**2
        previous = error
    sigma = np.sqrt(sse / changes.shape[1])
    sd = sigma[:, None] * np.sqrt(1 + (steps - 1) * a**2)
    paths = None
    if n_paths:
        rng = rng or np.random.default_rng()
        shocks = rng.standard_normal((values.shape[0], n_paths, horizon)) * sigma[:, None, None]
        earlier = np.cumsum(shocks, axis=2) - shocks
        paths = centre[:, None, :] + shocks + alpha[:, None, None] * earlier
    return panel_from_normal("theta", "log", centre, sd, offset, paths)


def theta_statsmodels(history: np.ndarray, horizon: int) -> PanelForecast:
    """Reference implementation: statsmodels ``ThetaModel(period=1, deseasonalize=False)``
    on log counts, one series at a time (about 35 ms per fit here), with statsmodels'
    own intervals."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    values = as_panel(history, model="theta_statsmodels", min_years=3)
    offset = log_offsets(values)
    logs = to_log(values, offset)
    index = pd.period_range(start="2000", periods=values.shape[1], freq="Y")
    out = {key: np.empty((values.shape[0], horizon)) for key in ("mean", "lo80", "hi80", "lo95", "hi95")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels convergence chatter on short series
        for row in range(values.shape[0]):
            fitted = ThetaModel(pd.Series(logs[row], index=index), period=1, deseasonalize=False).fit()
            out["mean"][row] = fitted.forecast(horizon).to_numpy()
            for level in (80, 95):
                bounds = fitted.prediction_intervals(horizon, alpha=1 - level / 100)
                out[f"lo{level}"][row] = bounds["lower"].to_numpy()
                out[f"hi{level}"][row] = bounds["upper"].to_numpy()
    return PanelForecast.from_log_bands("theta_statsmodels", out, offset)
