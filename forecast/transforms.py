"""Moving between counts and the scale a model is fitted on.

Caseloads grow multiplicatively, so most models work on ``log(count + offset)``. The offset
is 0 for a series whose training window has no count below 1 (so exact constant growth is
recovered exactly), and 1 for a series with a zero (or a fraction below 1) in its window (small groups such
as alternative provision in a small LA, or further education before 2015 when SEN2 did not
collect it). Negative counts and gaps are errors, never silently repaired.
"""

from __future__ import annotations

import numpy as np

from forecast.errors import ForecastError


def as_panel(history: np.ndarray, *, model: str, min_years: int = 2) -> np.ndarray:
    """Check a ``(series, years)`` array of counts and return it as float64.

    Errors: not 2-D, fewer than ``min_years`` columns, a NaN (a gap: the caller decides which
    years to use) or a negative count."""
    values = np.asarray(history, dtype=float)
    if values.ndim == 1:
        values = values[None, :]
    if values.ndim != 2:
        raise ForecastError(f"{model}: history must be a (series, years) array, found {values.ndim} dimensions")
    if values.shape[1] < min_years:
        raise ForecastError(f"{model}: needs at least {min_years} years of history, found {values.shape[1]}")
    if np.isnan(values).any():
        rows = np.flatnonzero(np.isnan(values).any(axis=1))
        raise ForecastError(
            f"{model}: history has missing years (series {rows[:5].tolist()}); pass only complete consecutive years"
        )
    if (values < 0).any():
        rows = np.flatnonzero((values < 0).any(axis=1))
        raise ForecastError(f"{model}: negative counts in series {rows[:5].tolist()}")
    return values


def log_offsets(values: np.ndarray) -> np.ndarray:
    """Per series: 0 when every value is at least 1, else 1 (a zero count, or a value below 1
    whose logarithm would dominate the fit)."""
    return np.where((values >= 1).all(axis=1), 0.0, 1.0)


def to_log(values: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """``log(values + offset)`` with one offset per series (row)."""
    return np.log(values + offset[:, None])


def from_log(log_values: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Back to counts: ``exp(x) - offset``, floored at zero (a count cannot be negative).

    ``offset`` has one value per series and broadcasts over any trailing axes."""
    shape = (offset.shape[0],) + (1,) * (log_values.ndim - 1)
    return np.maximum(np.exp(log_values) - offset.reshape(shape), 0.0)
