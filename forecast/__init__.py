"""sendcast's forecasting engine: pure computation on numpy/pandas inputs.

Where things are:

- ``result``: the common result (:class:`Forecast`, :class:`PanelForecast`).
- ``random_walks``, ``damped_trend``, ``theta``, ``arima``, ``demographic``: the methods;
  ``combine``: combinations; ``models``: methods by name, :func:`forecast_series`.
- ``backtest``: rolling-origin evaluation and its summary; ``selection``: the method chosen
  per measure; ``calibration``: widening intervals that under-covered in the backtest.
- ``reconcile``: placement groups that add up to the total; ``sufficiency``: demand against
  places; ``costing``: spend from forecast placements.

The engine never imports the application layer (``sendcast``), reads or writes files, or
prints; it logs through :mod:`logging`.
"""

from forecast.backtest import BacktestResult, rolling_origin_backtest, summarise
from forecast.calibration import Calibration, calibrate, calibrate_forecast, holdout_coverage, widen
from forecast.combine import backtest_weights, combine
from forecast.costing import CostForecast, cost_forecast, price_index
from forecast.errors import ForecastError
from forecast.models import BACKTEST_MODELS, MODEL_NAMES, forecast_panel, forecast_series
from forecast.reconcile import Hierarchy, reconcile, reconcile_forecasts
from forecast.result import Forecast, PanelForecast
from forecast.selection import select_models
from forecast.sufficiency import Sufficiency, sufficiency_from_forecast, sufficiency_from_paths

__all__ = [
    "BACKTEST_MODELS",
    "MODEL_NAMES",
    "BacktestResult",
    "Calibration",
    "CostForecast",
    "Forecast",
    "ForecastError",
    "Hierarchy",
    "PanelForecast",
    "Sufficiency",
    "backtest_weights",
    "calibrate",
    "calibrate_forecast",
    "combine",
    "cost_forecast",
    "forecast_panel",
    "forecast_series",
    "holdout_coverage",
    "price_index",
    "reconcile",
    "reconcile_forecasts",
    "rolling_origin_backtest",
    "select_models",
    "sufficiency_from_forecast",
    "sufficiency_from_paths",
    "summarise",
    "widen",
]
