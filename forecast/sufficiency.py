"""Will there be enough state special school places? Demand forecast against capacity.

Planning meaning: for each future January, how many children and young people are likely
to need a state special place, how many places there will be, the gap, and the chance that
demand exceeds places; and the first year that chance passes one half (the year by which
new places are most likely needed).

Definitions, per year:

- demand ``mean``/``median`` and ``lo80``, ``hi80``, ``lo95``, ``hi95``: from the sample
  paths (mean over paths; quantiles 10/90 and 2.5/97.5%);
- ``capacity``: places, as given (the caller decides what counts, e.g. planned places);
- ``gap``: ``mean - capacity``, positive when places fall short;
- ``prob_exceeds``: the share of sample paths with demand strictly greater than capacity;
- ``expected_shortfall``: mean over paths of ``max(demand - capacity, 0)`` (the average
  number of children without a place, counting zero in paths with room).

``first_year_over`` is the first year whose ``prob_exceeds`` is strictly above
``threshold`` (default 0.5), or ``None``.
Without sample paths, :func:`sufficiency_from_forecast` approximates the demand distribution
as normal on the forecast's scale (log or counts), matched to the 95% interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from forecast.errors import ForecastError
from forecast.result import Z95, Forecast


@dataclass(frozen=True)
class Sufficiency:
    """``table`` indexed by ``year`` (the forecast's year basis, January census for
    caseloads) with the columns in the module docstring; ``first_year_over``; ``threshold``;
    ``method`` (``"sample paths"`` or ``"normal approximation"``)."""

    table: pd.DataFrame
    first_year_over: int | None
    threshold: float
    method: str


def _capacity(capacity: pd.Series, years: np.ndarray) -> np.ndarray:
    missing = [int(y) for y in years if y not in capacity.index or pd.isna(capacity.get(y))]
    if missing:
        raise ForecastError(f"sufficiency: capacity missing for years {missing}")
    values = capacity.reindex(years).to_numpy(dtype=float)
    if (values < 0).any():
        raise ForecastError("sufficiency: capacity cannot be negative")
    return values


def _first_over(years: np.ndarray, probability: np.ndarray, threshold: float) -> int | None:
    over = np.flatnonzero(probability > threshold)
    return int(years[over[0]]) if over.size else None


def sufficiency_from_paths(
    demand_paths: np.ndarray, years: np.ndarray | list[int], capacity: pd.Series, *, threshold: float = 0.5
) -> Sufficiency:
    """Sufficiency from sample paths of demand (``(paths, years)``) and capacity indexed by
    year (must cover every year)."""
    paths = np.asarray(demand_paths, dtype=float)
    years = np.asarray(years, dtype=int)
    if paths.ndim != 2 or paths.shape[1] != years.size or paths.shape[0] < 1:
        raise ForecastError("sufficiency: demand paths must be (paths, years) matching the years")
    if not 0 < threshold < 1:
        raise ForecastError(f"sufficiency: threshold must be a probability strictly between 0 and 1, found {threshold}")
    places = _capacity(capacity, years)
    lo95, lo80, median, hi80, hi95 = np.quantile(paths, [0.025, 0.10, 0.5, 0.90, 0.975], axis=0)
    mean = paths.mean(axis=0)
    probability = (paths > places[None, :]).mean(axis=0)
    table = pd.DataFrame(
        {
            "mean": mean,
            "median": median,
            "lo80": lo80,
            "hi80": hi80,
            "lo95": lo95,
            "hi95": hi95,
            "capacity": places,
            "gap": mean - places,
            "prob_exceeds": probability,
            "expected_shortfall": np.maximum(paths - places[None, :], 0.0).mean(axis=0),
        },
        index=pd.Index(years, name="year"),
    )
    return Sufficiency(table, _first_over(years, probability, threshold), threshold, "sample paths")


def sufficiency_from_forecast(forecast: Forecast, capacity: pd.Series, *, threshold: float = 0.5) -> Sufficiency:
    """Sufficiency from a forecast: its sample paths if it has them, else a normal
    approximation on its own scale fitted to the central forecast and 95% interval (then
    ``expected_shortfall`` is not computed and ``mean`` is the central forecast)."""
    if forecast.paths is not None:
        return sufficiency_from_paths(forecast.paths, forecast.years, capacity, threshold=threshold)
    if not 0 < threshold < 1:
        raise ForecastError(f"sufficiency: threshold must be a probability strictly between 0 and 1, found {threshold}")
    places = _capacity(capacity, forecast.years)
    offset = forecast.log_offset
    if forecast.scale == "log":

        def g(x: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore"):
                return np.log(np.maximum(x, 0.0) + offset)
    else:

        def g(x: np.ndarray) -> np.ndarray:
            return x

    centre = g(forecast.mean)
    sd = (g(forecast.upper95) - g(forecast.lower95)) / (2 * Z95)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (g(places) - centre) / sd
    probability = np.where(sd > 0, stats.norm.sf(z), (forecast.mean > places).astype(float))
    table = pd.DataFrame(
        {
            "mean": forecast.mean,
            "median": forecast.mean,
            "lo80": forecast.lower80,
            "hi80": forecast.upper80,
            "lo95": forecast.lower95,
            "hi95": forecast.upper95,
            "capacity": places,
            "gap": forecast.mean - places,
            "prob_exceeds": probability,
            "expected_shortfall": np.nan,
        },
        index=pd.Index(forecast.years, name="year"),
    )
    return Sufficiency(table, _first_over(forecast.years, probability, threshold), threshold, "normal approximation")
