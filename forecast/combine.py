"""Combining candidate forecasts into one.

Planning meaning: no single method wins everywhere on short yearly series; combinations of
simple methods won most forecasting competitions (M3, M4). Two rules:

- ``"median"``: per year, the median across candidates of the central forecast and of each
  interval bound;
- ``"weighted"``: per year, a weighted mean of the same, with weights that sum to one,
  normally from :func:`backtest_weights` (inverse backtest MASE).

Combining bounds quantile by quantile is "quantile averaging" (Vincentization; Lichtendahl,
Grushka-Cockayne and Winkler 2013): it keeps the intervals nested and the central forecast
inside them. Sample paths, when every candidate has the same number of them, are combined
the same way: per year the candidates' sorted paths are averaged (or their median taken),
and the result is re-ordered by the ranks of the paths of the candidate with the largest
weight (the first, for the median), so a path that is high in one year stays high in the
next as it does in that candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.result import PanelForecast

COMBINE_METHODS: tuple[str, str] = ("median", "weighted")


def _reduce(stack: np.ndarray, method: str, weights: np.ndarray) -> np.ndarray:
    if method == "median":
        return np.median(stack, axis=0)
    return np.tensordot(weights, stack, axes=1)


def combine(
    forecasts: Sequence[PanelForecast],
    *,
    method: str = "median",
    weights: Sequence[float] | None = None,
    name: str = "combination",
) -> PanelForecast:
    """Combine forecasts of the same series and horizon made by different models.

    Rows a candidate could not forecast (all NaN) make that row NaN in the combination.
    The result is on the log scale (with, per series, the largest candidate log offset, or 1
    if a candidate's lower bound reaches zero) so that calibration can treat it like any
    multiplicative model."""
    if method not in COMBINE_METHODS:
        raise ForecastError(f"combine: method must be one of {COMBINE_METHODS}, found {method!r}")
    if not forecasts:
        raise ForecastError("combine: no forecasts to combine")
    shape = forecasts[0].mean.shape
    if any(f.mean.shape != shape for f in forecasts):
        raise ForecastError("combine: candidates must forecast the same series and years")
    if method == "weighted":
        if weights is None or len(weights) != len(forecasts):
            raise ForecastError("combine: weighted needs one weight per candidate")
        w = np.asarray(weights, dtype=float)
        if (w < 0).any() or not np.isclose(w.sum(), 1.0):
            raise ForecastError(f"combine: weights must be non-negative and sum to 1, found {w.tolist()}")
    else:
        w = np.full(len(forecasts), 1.0 / len(forecasts))
    fields = {}
    for field in ("mean", "lower80", "upper80", "lower95", "upper95"):
        fields[field] = _reduce(np.stack([getattr(f, field) for f in forecasts]), method, w)
    offset = np.max(np.stack([f.log_offset for f in forecasts]), axis=0)
    offset = np.where(np.nan_to_num(fields["lower95"], nan=1.0).min(axis=1) <= 0, 1.0, offset)
    paths = None
    counts = {None if f.paths is None else f.paths.shape[1] for f in forecasts}
    if len(counts) == 1 and None not in counts:
        ordered = np.stack([np.sort(np.asarray(f.paths), axis=1) for f in forecasts])
        averaged = _reduce(ordered, method, w)
        reference = np.asarray(forecasts[int(np.argmax(w))].paths)
        ranks = np.argsort(np.argsort(reference, axis=1), axis=1)
        paths = np.take_along_axis(averaged, ranks, axis=1)
    return PanelForecast(model=name, scale="log", log_offset=offset, paths=paths, **fields)


def backtest_weights(
    summary: pd.DataFrame, models: Sequence[str], *, measure: str | None = None, max_horizon: int | None = None
) -> Mapping[str, float]:
    """Weights for a ``"weighted"`` combination: inverse of each model's median MASE in the
    backtest (averaged over horizons up to ``max_horizon``), normalised to sum to 1.

    ``summary`` is :func:`forecast.backtest.summarise` output (columns ``model``,
    ``horizon``, ``median_mase`` and, if several measures, ``measure``). A model missing from
    the summary is an error: weights must come from evidence."""
    table = summary if measure is None else summary[summary["measure"] == measure]
    if max_horizon is not None:
        table = table[table["horizon"] <= max_horizon]
    scores = table.groupby("model")["median_mase"].mean()
    missing = [m for m in models if m not in scores.index or not np.isfinite(scores[m]) or scores[m] <= 0]
    if missing:
        raise ForecastError(
            f"backtest_weights: no usable backtest score for {missing}"
            + (f" in measure {measure!r}" if measure else "")
        )
    inverse = np.array([1.0 / scores[m] for m in models])
    return dict(zip(models, inverse / inverse.sum()))
