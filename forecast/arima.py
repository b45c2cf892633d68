"""ARIMA on the log scale with a small order search by AICc (statsmodels).

Planning meaning: lets the data say whether growth is steady (a random walk with drift on
the log scale), has momentum (autoregressive growth) or corrects itself (moving average).

Candidates (:data:`ORDERS`), all on ``log(count + offset)``:
ARIMA(0,1,0), (1,1,0), (0,1,1) and (1,1,1) with drift, and (0,2,1) without a constant
(a local linear trend in the growth rate). The order with the smallest AICc wins; orders
with too many parameters for the series (AICc undefined: ``n - k - 1 <= 0``) are skipped.
It is slow (about 60 ms per candidate, 300 ms per series here), so the national backtest
leaves it out by default; it is one of the candidates for a single LA's forecast.
Sample paths come from statsmodels' ``simulate`` anchored at the last year.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.result import PanelForecast
from forecast.transforms import as_panel, log_offsets, to_log

LOGGER = logging.getLogger(__name__)

#: (p, d, q, trend) searched; trend "t" is a drift for d = 1.
ORDERS: tuple[tuple[int, int, int, str], ...] = (
    (0, 1, 0, "t"),
    (1, 1, 0, "t"),
    (0, 1, 1, "t"),
    (1, 1, 1, "t"),
    (0, 2, 1, "n"),
)


def select_arima_order(log_values: np.ndarray):
    """Fit every candidate order to one log series; return ``(order, results)`` of the one
    with the lowest AICc. :class:`ForecastError` if none can be fitted."""
    from statsmodels.tsa.arima.model import ARIMA

    series = pd.Series(log_values, index=pd.period_range(start="2000", periods=len(log_values), freq="Y"))
    best = None
    for p, d, q, trend in ORDERS:
        n_params = p + q + (trend != "n") + 1
        if len(log_values) - d - n_params - 1 <= 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels convergence chatter on short series
            try:
                results = ARIMA(series, order=(p, d, q), trend=trend).fit()
            except (ValueError, np.linalg.LinAlgError) as error:
                LOGGER.debug("ARIMA(%d,%d,%d) failed: %s", p, d, q, error)
                continue
        score = results.aicc
        if np.isfinite(score) and (best is None or score < best[0]):
            best = (score, (p, d, q, trend), results)
    if best is None:
        raise ForecastError(f"arima: no candidate order could be fitted to a series of {len(log_values)} years")
    return best[1], best[2]


def arima(
    history: np.ndarray, horizon: int, *, n_paths: int = 0, rng: np.random.Generator | None = None
) -> PanelForecast:
    """ARIMA with the order chosen by AICc, for each row of ``history`` (one series at a
    time; about 0.3 s per series). Needs at least 5 years."""
    values = as_panel(history, model="arima", min_years=5)
    offset = log_offsets(values)
    logs = to_log(values, offset)
    out = {key: np.empty((values.shape[0], horizon)) for key in ("mean", "lo80", "hi80", "lo95", "hi95")}
    paths = np.empty((values.shape[0], n_paths, horizon)) if n_paths else None
    rng = rng or np.random.default_rng()
    for row in range(values.shape[0]):
        order, results = select_arima_order(logs[row])
        LOGGER.debug("arima: series %d uses order %s", row, order)
        prediction = results.get_forecast(horizon)
        out["mean"][row] = prediction.predicted_mean.to_numpy()
        for level in (80, 95):
            frame = prediction.summary_frame(alpha=1 - level / 100)
            out[f"lo{level}"][row] = frame["mean_ci_lower"].to_numpy()
            out[f"hi{level}"][row] = frame["mean_ci_upper"].to_numpy()
        if paths is not None:
            simulated = results.simulate(
                horizon, repetitions=n_paths, anchor="end", rng=np.random.default_rng(rng.integers(2**31))
            )
            paths[row] = np.asarray(simulated).reshape(horizon, n_paths).T
    return PanelForecast.from_log_bands("arima", out, offset, paths)
