"""Random-walk benchmarks, vectorised across many series at once.

- ``naive``: next years equal the last published year ("no change from now").
- ``drift``: the average yearly change in counts continues ("the same number more each
  year"); the benchmark every other method is compared with in the backtest summary.
- ``log_drift`` (constant growth): the average yearly *growth rate* continues ("the same
  percentage more each year"), i.e. drift on the log scale.
- ``recent_growth``: the average growth rate of the last few years (default 3) continues.
  Where growth has been accelerating (EHC plans in England since about 2018), the
  whole-history rate under-forecasts; the recent rate follows the acceleration, at the price
  of a noisier estimate of the rate (its intervals include that).

All take ``history``, an array ``(series, years)`` of counts with the last column the latest
year, and return a :class:`forecast.result.PanelForecast` for ``horizon`` years ahead.
Interval formulas are the textbook ones (Hyndman and Athanasopoulos, *Forecasting:
principles and practice*, 3rd ed., section 5.5): naive ``sd_h = sigma * sqrt(h)``, drift
``sd_h = sigma * sqrt(h * (1 + h / (T - 1)))``, with ``sigma`` the standard deviation of the
one-step residuals. Sample paths are simulated from the same model, including the
uncertainty in the estimated drift, so their spread matches the intervals.
"""

from __future__ import annotations

import numpy as np

from forecast.intervals import panel_from_normal
from forecast.result import PanelForecast
from forecast.transforms import as_panel, log_offsets, to_log


def _steps(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=float)


def naive(
    history: np.ndarray, horizon: int, *, n_paths: int = 0, rng: np.random.Generator | None = None
) -> PanelForecast:
    """Every future year equals the last published year; on the count scale.

    ``sigma^2`` is the mean squared year-on-year change (the residuals of a random walk)."""
    values = as_panel(history, model="naive", min_years=2)
    changes = np.diff(values, axis=1)
    sigma = np.sqrt(np.mean(changes**2, axis=1))
    steps = _steps(horizon)
    centre = np.repeat(values[:, -1:], horizon, axis=1)
    sd = sigma[:, None] * np.sqrt(steps)[None, :]
    paths = None
    if n_paths:
        rng = rng or np.random.default_rng()
        shocks = rng.standard_normal((values.shape[0], n_paths, horizon)) * sigma[:, None, None]
        paths = values[:, -1, None, None] + np.cumsum(shocks, axis=2)
    return panel_from_normal("naive", "level", centre, sd, np.zeros(values.shape[0]), paths)


def _drift(
    model: str,
    scale: str,
    values: np.ndarray,
    offset: np.ndarray,
    horizon: int,
    n_paths: int,
    rng: np.random.Generator | None,
) -> PanelForecast:
    n_years = values.shape[1]
    changes = np.diff(values, axis=1)
    slope = changes.mean(axis=1)
    residuals = changes - slope[:, None]
    sigma = np.sqrt((residuals**2).sum(axis=1) / (n_years - 2))
    steps = _steps(horizon)
    centre = values[:, -1:] + slope[:, None] * steps[None, :]
    sd = sigma[:, None] * np.sqrt(steps * (1 + steps / (n_years - 1)))[None, :]
    paths = None
    if n_paths:
        rng = rng or np.random.default_rng()
        slope_error = rng.standard_normal((values.shape[0], n_paths, 1)) * (sigma / np.sqrt(n_years - 1))[:, None, None]
        shocks = rng.standard_normal((values.shape[0], n_paths, horizon)) * sigma[:, None, None]
        paths = (
            values[:, -1, None, None]
            + (slope[:, None, None] + slope_error) * steps[None, None, :]
            + np.cumsum(shocks, axis=2)
        )
    return panel_from_normal(model, scale, centre, sd, offset, paths)


def drift(
    history: np.ndarray, horizon: int, *, n_paths: int = 0, rng: np.random.Generator | None = None
) -> PanelForecast:
    """The average yearly change over the history continues; on the count scale.
    Needs at least 3 years (2 to estimate the drift, 1 more for its error)."""
    values = as_panel(history, model="drift", min_years=3)
    return _drift("drift", "level", values, np.zeros(values.shape[0]), horizon, n_paths, rng)


def log_drift(
    history: np.ndarray, horizon: int, *, n_paths: int = 0, rng: np.random.Generator | None = None
) -> PanelForecast:
    """Constant growth: the average yearly growth rate (geometric mean of year-on-year
    ratios, i.e. ``(last / first) ** (1 / (T - 1))``) continues. Drift on the log scale.
    Needs at least 3 years."""
    values = as_panel(history, model="log_drift", min_years=3)
    offset = log_offsets(values)
    return _drift("log_drift", "log", to_log(values, offset), offset, horizon, n_paths, rng)


#: Years of growth that ``recent_growth`` averages (chosen by the national backtest; see
#: ``sendcast/forecasting/one_la.py`` and the accuracy note in the README).
RECENT_YEARS: int = 3


def recent_growth(
    history: np.ndarray,
    horizon: int,
    *,
    window: int = RECENT_YEARS,
    n_paths: int = 0,
    rng: np.random.Generator | None = None,
) -> PanelForecast:
    """The average yearly growth rate over the last ``window`` years,
    ``(y_T / y_(T - window)) ** (1 / window)``, continues. On the log scale.

    Uncertainty: ``sigma`` is the standard deviation of every yearly log change in the
    history around their mean (the year-to-year noise, estimated from all the years, not just
    the window); the h-year standard deviation is ``sigma * sqrt(h * (1 + h / window))``:
    yearly noise plus the error of a growth rate averaged over ``window`` changes. Needs at
    least ``window + 1`` years and 3 years in all; a shorter history uses all its years."""
    values = as_panel(history, model="recent_growth", min_years=3)
    offset = log_offsets(values)
    logs = to_log(values, offset)
    changes = np.diff(logs, axis=1)
    used = min(window, changes.shape[1])
    slope = changes[:, -used:].mean(axis=1)
    spread = changes - changes.mean(axis=1, keepdims=True)
    sigma = np.sqrt((spread**2).sum(axis=1) / max(changes.shape[1] - 1, 1))
    steps = _steps(horizon)
    centre = logs[:, -1:] + slope[:, None] * steps[None, :]
    sd = sigma[:, None] * np.sqrt(steps * (1 + steps / used))[None, :]
    paths = None
    if n_paths:
        rng = rng or np.random.default_rng()
        slope_error = rng.standard_normal((values.shape[0], n_paths, 1)) * (sigma / np.sqrt(used))[:, None, None]
        shocks = rng.standard_normal((values.shape[0], n_paths, horizon)) * sigma[:, None, None]
        paths = (
            logs[:, -1, None, None]
            + (slope[:, None, None] + slope_error) * steps[None, None, :]
            + np.cumsum(shocks, axis=2)
        )
    return panel_from_normal("recent_growth", "log", centre, sd, offset, paths)
