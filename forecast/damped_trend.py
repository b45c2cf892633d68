"""Damped-trend exponential smoothing on the log scale, vectorised across series.

Planning meaning: the recent growth rate carries on but fades year by year (by the damping
factor ``phi`` each year), which suits caseloads whose growth is expected to slow rather than
continue for ever. It is ETS(A,Ad,N) (additive error, additive damped trend, no season) on
``log(count + offset)``::

    forecast  y_hat[t] = l[t-1] + phi * b[t-1]
    error     e[t]     = y[t] - y_hat[t]
    level     l[t]     = l[t-1] + phi * b[t-1] + alpha * e[t]
    trend     b[t]     = phi * b[t-1] + beta * e[t]

Estimation (same objective as statsmodels ``ETSModel``: the Gaussian likelihood with the
variance concentrated out, i.e. the sum of squared one-step errors) over the parameter box
statsmodels uses (``1e-4 <= alpha <= 0.9999``, ``beta = beta_star * alpha`` with
``1e-4 <= beta_star <= 0.9999``, ``0.8 <= phi <= 0.98``):

- for fixed ``(alpha, beta, phi)`` the one-step errors are linear in the data and in the
  initial level and trend, so the best initial states are an exact least-squares solve and
  the sum of squares is ``|R y|^2`` for a matrix ``R`` that depends only on the parameters
  and the series length;
- the smoothing parameters are chosen from a fixed grid (:data:`GRID`), all series at once.

So the fit is a grid approximation of statsmodels' continuous optimum (the tests check that
the two agree closely); :func:`damped_trend_statsmodels` is the reference implementation.
Intervals use the analytic variance for this model class (Hyndman et al. 2008, table 6.1):
``sigma^2 * (1 + sum_{j<h} c_j^2)`` with ``c_j = alpha + beta * phi * (1 - phi^j) / (1 - phi)``
and ``sigma^2 = SSE / T`` as statsmodels does; they under-cover on short series (see
:mod:`forecast.calibration`).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from forecast.intervals import panel_from_normal
from forecast.result import PanelForecast
from forecast.transforms import as_panel, from_log, log_offsets, to_log

_ALPHAS = np.concatenate([[1e-4], np.linspace(0.05, 0.95, 19), [0.9999]])
_BETA_STARS = np.array([1e-4, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9999])
_PHIS = np.linspace(0.80, 0.98, 10)
#: The grid of (alpha, beta, phi) searched, one row per candidate.
GRID: np.ndarray = np.array([(a, a * bs, p) for a in _ALPHAS for bs in _BETA_STARS for p in _PHIS])
_CHUNK_FLOATS = 20_000_000


@lru_cache(maxsize=32)
def _design(n_years: int) -> tuple[np.ndarray, np.ndarray]:
    """For every grid point: ``R`` (T x T, residual-maker of the one-step errors after the
    least-squares initial states) and ``A`` (2 x T, final level and trend as linear maps of
    the data). Returned stacked: R as (G, T, T), A as (G, 2, T)."""
    alpha, beta, phi = GRID[:, 0], GRID[:, 1], GRID[:, 2]
    n_grid = GRID.shape[0]
    # s[t] = D s[t-1] + g y[t];  e[t] = y[t] - w' s[t-1];  D = F - g w'
    transition = np.zeros((n_grid, 2, 2))
    transition[:, 0, 0] = 1 - alpha
    transition[:, 0, 1] = phi * (1 - alpha)
    transition[:, 1, 0] = -beta
    transition[:, 1, 1] = phi * (1 - beta)
    gain = np.stack([alpha, beta], axis=1)
    weights = np.stack([np.ones(n_grid), phi], axis=1)
    # state_from_data[:, :, k] : effect of y[k] on s[t-1] as t advances; state_from_init: D^(t-1)
    from_data = np.zeros((n_grid, 2, n_years))
    from_init = np.tile(np.eye(2), (n_grid, 1, 1))
    mixing = np.zeros((n_grid, n_years, n_years))
    init_design = np.zeros((n_grid, n_years, 2))
    for t in range(n_years):
        mixing[:, t, :] = -np.einsum("gi,gik->gk", weights, from_data)
        mixing[:, t, t] += 1.0
        init_design[:, t, :] = np.einsum("gi,gij->gj", weights, from_init)
        from_data = np.einsum("gij,gjk->gik", transition, from_data)
        from_data[:, :, t] += gain
        from_init = np.einsum("gij,gjk->gik", transition, from_init)
    # e = mixing y - init_design s0 ; s0 = pinv(init_design) mixing y
    pinv = np.linalg.pinv(init_design)
    initial = np.einsum("gjt,gts->gjs", pinv, mixing)
    residual = mixing - np.einsum("gtj,gjs->gts", init_design, initial)
    final = np.einsum("gij,gjs->gis", from_init, initial) + from_data
    return residual, final


def fit_damped_trend(log_values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit every row of ``log_values`` ``(series, T)``; returns the chosen grid rows
    ``(series, 3)`` of (alpha, beta, phi), the final (level, trend) ``(series, 2)`` and the
    sum of squared one-step errors ``(series,)``."""
    n_series, n_years = log_values.shape
    residual, final = _design(n_years)
    n_grid = residual.shape[0]
    anchor = log_values[:, :1]
    centred = log_values - anchor
    flat = residual.transpose(2, 0, 1).reshape(n_years, n_grid * n_years)
    best = np.empty(n_series, dtype=int)
    best_sse = np.empty(n_series)
    chunk = max(1, _CHUNK_FLOATS // (n_grid * n_years))
    for start in range(0, n_series, chunk):
        block = centred[start : start + chunk]
        errors = (block @ flat).reshape(block.shape[0], n_grid, n_years)
        sse = np.einsum("ngt,ngt->ng", errors, errors)
        best[start : start + chunk] = np.argmin(sse, axis=1)
        best_sse[start : start + chunk] = sse[np.arange(block.shape[0]), best[start : start + chunk]]
    states = np.einsum("nis,ns->ni", final[best], centred)
    states[:, 0] += anchor[:, 0]
    return GRID[best], states, best_sse


def _forecast_from_states(
    params: np.ndarray,
    states: np.ndarray,
    sigma: np.ndarray,
    horizon: int,
    n_paths: int,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    alpha, beta, phi = params[:, 0:1], params[:, 1:2], params[:, 2:3]
    steps = np.arange(1, horizon + 1)
    phi_powers = phi ** steps[None, :]
    cumulative_phi = np.cumsum(phi_powers, axis=1)
    centre = states[:, 0:1] + cumulative_phi * states[:, 1:2]
    lags = np.arange(1, horizon)[None, :]
    c = alpha + beta * phi * (1 - phi**lags) / (1 - phi)
    variance_factor = 1 + np.concatenate([np.zeros((params.shape[0], 1)), np.cumsum(c**2, axis=1)], axis=1)
    sd = sigma[:, None] * np.sqrt(variance_factor)
    paths = None
    if n_paths:
        rng = rng or np.random.default_rng()
        level = np.repeat(states[:, None, 0], n_paths, axis=1)
        trend = np.repeat(states[:, None, 1], n_paths, axis=1)
        paths = np.empty((params.shape[0], n_paths, horizon))
        for h in range(horizon):
            shock = rng.standard_normal(level.shape) * sigma[:, None]
            paths[:, :, h] = level + phi * trend + shock
            level = level + phi * trend + alpha * shock
            trend = phi * trend + beta * shock
    return centre, sd, paths


def damped_trend(
    history: np.ndarray, horizon: int, *, n_paths: int = 0, rng: np.random.Generator | None = None
) -> PanelForecast:
    """Damped-trend ETS on log counts for every row of ``history`` ``(series, years)``.
    Needs at least 4 years (five parameters on fewer points is a fit to noise; even at 6
    years it is shaky, which the backtest shows)."""
    values = as_panel(history, model="damped_trend", min_years=4)
    offset = log_offsets(values)
    logs = to_log(values, offset)
    params, states, sse = fit_damped_trend(logs)
    sigma = np.sqrt(sse / values.shape[1])
    centre, sd, paths = _forecast_from_states(params, states, sigma, horizon, n_paths, rng)
    return panel_from_normal("damped_trend", "log", centre, sd, offset, paths)


def damped_trend_statsmodels(history: np.ndarray, horizon: int) -> PanelForecast:
    """Reference implementation: statsmodels ``ETSModel(error="add", trend="add",
    damped_trend=True)`` on ``log(count + offset)``, one series at a time (about 17 ms per
    fit here). Intervals from ``get_prediction``."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    values = as_panel(history, model="damped_trend_statsmodels", min_years=4)
    offset = log_offsets(values)
    logs = to_log(values, offset)
    centre = np.empty((values.shape[0], horizon))
    bounds = {level: (np.empty_like(centre), np.empty_like(centre)) for level in (80, 95)}
    index = pd.period_range(start="2000", periods=values.shape[1], freq="Y")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels convergence chatter on short series
        for row in range(values.shape[0]):
            series = pd.Series(logs[row], index=index)
            fitted = ETSModel(series, error="add", trend="add", damped_trend=True).fit(disp=False)
            prediction = fitted.get_prediction(start=len(series), end=len(series) + horizon - 1)
            centre[row] = prediction.predicted_mean.to_numpy()
            for level in (80, 95):
                frame = prediction.summary_frame(alpha=1 - level / 100)
                bounds[level][0][row] = frame["pi_lower"].to_numpy()
                bounds[level][1][row] = frame["pi_upper"].to_numpy()
    return PanelForecast(
        model="damped_trend_statsmodels",
        scale="log",
        mean=from_log(centre, offset),
        lower80=from_log(bounds[80][0], offset),
        upper80=from_log(bounds[80][1], offset),
        lower95=from_log(bounds[95][0], offset),
        upper95=from_log(bounds[95][1], offset),
        log_offset=offset,
    )
