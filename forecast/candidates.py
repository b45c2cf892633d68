"""The candidate methods of the real-time backtest, registered in one place.

Adding a method is one registration::

    @register("my_method", "what it means to a planner")
    def my_method(data: OriginData) -> np.ndarray:
        return ...  # central forecasts in counts, (series, data.horizon)

Every candidate sees only an :class:`OriginData`: each series' history up to the origin,
national growth up to the origin, and (for the stock-flow method) the flows published by
then. It returns central forecasts in counts (the number a planner reads), one row per
series and one column per year ahead, and never NaN for a series with at least two years:
a method that cannot use a series (too short, no flows) says in its docstring what it does
instead (a candidate registered ``selectable=False`` may return NaN where an input it needs is
missing: it is scored beside the others, never chosen, and its NaN rows are not scored).
Intervals are not the methods' business: they come from the pooled out-of-sample
errors of whatever method was chosen (:mod:`forecast.empirical_intervals`).

Growth is log growth of ``count + 1`` throughout (see :mod:`forecast.shrinkage`).
``baseline=True`` marks the yardsticks printed beside every result (naive, whole-history
drift, the five-year straight line and constant growth); ``selectable=False`` keeps a method
out of the real-time choice.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from forecast.demographic import demographic_rate as demographic_rate_model
from forecast.errors import ForecastError
from forecast.shrinkage import (
    empirical_bayes_weights,
    fitted_blend_weight,
    log_changes,
    mean_last,
    national_growth,
    noise_variance,
    robust_changes,
)
from forecast.stock_flow import stock_flow_path


@dataclass(frozen=True)
class OriginData:
    """What is known at one origin for one measure.

    - ``measure``: its name; ``origin``: the last year of history (January census year for
      caseloads, calendar year for flows); ``horizon``: years ahead to forecast.
    - ``values``: ``(series, years)`` counts up to the origin, NaN before a series starts.
    - ``pooled``: series that count in national figures (LAs in the national panel).
    - ``national``: per year after the first, the national log growth into that year
      (:func:`forecast.shrinkage.national_growth`).
    - ``flows``: other measures of the same series on the same year labels (for
      ``ehcp_total``: ``new_plans``, ``plans_ceased``, ``requests``); empty when not given.
    - ``flow_national``: per flow name, its national log growth, as ``national``.
    """

    measure: str
    origin: int
    horizon: int
    values: np.ndarray
    pooled: np.ndarray
    national: np.ndarray
    flows: Mapping[str, np.ndarray] = field(default_factory=dict)
    flow_national: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_years(self) -> np.ndarray:
        """Per series: years of history (non-missing values)."""
        return (~np.isnan(self.values)).sum(axis=1)

    @property
    def steps(self) -> np.ndarray:
        return np.arange(1, self.horizon + 1, dtype=float)

    def last(self) -> np.ndarray:
        return self.values[:, -1]

    def grow(self, rate: np.ndarray | float) -> np.ndarray:
        """Central forecasts from the last value growing at ``rate`` (log, per year)."""
        rate = np.broadcast_to(np.asarray(rate, dtype=float), (self.values.shape[0],))
        rate = np.where(np.isfinite(rate), rate, 0.0)
        return np.maximum(np.expm1(np.log1p(self.last())[:, None] + rate[:, None] * self.steps[None, :]), 0.0)

    def national_rate(self, years: int) -> float:
        rate = float(mean_last(self.national[None, :], years)[0])
        return rate if np.isfinite(rate) else 0.0


CandidateFunction = Callable[[OriginData], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    """A registered method: ``function``, planning ``description``, ``baseline`` (a
    yardstick), ``selectable`` (may be chosen) and ``measures`` (None: every measure)."""

    name: str
    function: CandidateFunction
    description: str
    baseline: bool = False
    selectable: bool = True
    measures: tuple[str, ...] | None = None

    def applies_to(self, measure: str) -> bool:
        return self.measures is None or measure in self.measures


CANDIDATES: dict[str, Candidate] = {}


def register(
    name: str,
    description: str,
    *,
    baseline: bool = False,
    selectable: bool = True,
    measures: tuple[str, ...] | None = None,
) -> Callable[[CandidateFunction], CandidateFunction]:
    """Register a candidate (decorator). A name registered twice is an error."""

    def wrap(function: CandidateFunction) -> CandidateFunction:
        if name in CANDIDATES:
            raise ForecastError(f"candidate {name!r} is registered twice")
        CANDIDATES[name] = Candidate(name, function, description, baseline, selectable, measures)
        return function

    return wrap


def candidates_for(measure: str, names: tuple[str, ...] | None = None) -> list[Candidate]:
    """The registered candidates that apply to ``measure`` (restricted to ``names``)."""
    chosen = [c for c in CANDIDATES.values() if c.applies_to(measure)]
    if names is not None:
        unknown = set(names) - set(CANDIDATES)
        if unknown:
            raise ForecastError(f"unknown candidate(s) {sorted(unknown)}; known: {', '.join(CANDIDATES)}")
        chosen = [c for c in chosen if c.name in names]
    return chosen


# ---------------------------------------------------------------------------------------------
# baselines


@register("naive", "no change from the latest year", baseline=True)
def naive(data: OriginData) -> np.ndarray:
    return np.repeat(data.last()[:, None], data.horizon, axis=1)


@register("drift", "the average yearly change over the whole history continues", baseline=True)
def drift(data: OriginData) -> np.ndarray:
    """Whole-history drift in counts; a one-year series is held level."""
    first = data.values[np.arange(data.values.shape[0]), np.argmax(~np.isnan(data.values), axis=1)]
    spans = np.maximum(data.n_years - 1, 1)
    slope = (data.last() - first) / spans
    return np.maximum(data.last()[:, None] + slope[:, None] * data.steps[None, :], 0.0)


FIVE_YEARS = 5


@register(
    "five_year_line", "the planner's spreadsheet line: a straight line fitted to the last five Januaries", baseline=True
)
def five_year_line(data: OriginData) -> np.ndarray:
    """Ordinary least squares line through the last five years (fewer when the history is
    shorter), extended; floored at zero."""
    window = data.values[:, -FIVE_YEARS:]
    x = np.arange(window.shape[1], dtype=float)
    present = ~np.isnan(window)
    counts = present.sum(axis=1)
    x_mean = np.where(present, x, 0.0).sum(axis=1) / np.maximum(counts, 1)
    y_mean = np.where(present, window, 0.0).sum(axis=1) / np.maximum(counts, 1)
    dx = np.where(present, x[None, :] - x_mean[:, None], 0.0)
    dy = np.where(present, window - y_mean[:, None], 0.0)
    sxx = (dx**2).sum(axis=1)
    slope = np.where(sxx > 0, (dx * dy).sum(axis=1) / np.where(sxx > 0, sxx, 1.0), 0.0)
    future = x[-1] + data.steps
    return np.maximum(y_mean[:, None] + slope[:, None] * (future[None, :] - x_mean[:, None]), 0.0)


@register("constant_growth", "the whole history's average growth rate continues", baseline=True)
def constant_growth(data: OriginData) -> np.ndarray:
    return data.grow(mean_last(log_changes(data.values), data.values.shape[1]))


# ---------------------------------------------------------------------------------------------
# own and national growth


def own_rate(data: OriginData, years: int) -> np.ndarray:
    """Per series: the mean of its last ``years`` yearly log changes, breaks clipped
    (:func:`forecast.shrinkage.robust_changes`)."""
    return mean_last(robust_changes(data.values, data.national), years)


def _recent(years: int) -> CandidateFunction:
    def method(data: OriginData) -> np.ndarray:
        return data.grow(own_rate(data, years))

    method.__doc__ = f"The LA's own growth rate of the last {years} years (breaks clipped) continues."
    return method


def _national(years: int) -> CandidateFunction:
    def method(data: OriginData) -> np.ndarray:
        return data.grow(data.national_rate(years))

    method.__doc__ = f"Every LA grows at the national rate of the last {years} years."
    return method


for _years in (2, 3):
    register(f"recent_growth_{_years}", f"the LA's own growth of the last {_years} years continues")(_recent(_years))
for _years in (1, 2):
    register(
        f"national_growth_{_years}",
        f"the LA grows at England's growth of the last {_years} year{'s' if _years > 1 else ''}",
    )(_national(_years))


@register("shrunk_growth", "the LA's 3-year growth shrunk toward England's 2-year growth, by empirical Bayes")
def shrunk_growth(data: OriginData) -> np.ndarray:
    """Per LA, ``w_i * own_3 + (1 - w_i) * national_2`` with ``w_i`` the empirical-Bayes
    weight (:func:`forecast.shrinkage.empirical_bayes_weights`): noisy LAs lean on England."""
    own = own_rate(data, 3)
    weights, _ = empirical_bayes_weights(own - data.national_rate(2), noise_variance(data.values), 3, data.pooled)
    national = data.national_rate(2)
    return data.grow(np.where(np.isfinite(own), weights * own + (1 - weights) * national, national))


@register(
    "fitted_blend",
    "a blend of the LA's 3-year growth and England's 2-year growth, weight fitted on the years already known",
)
def fitted_blend(data: OriginData) -> np.ndarray:
    """``w * own_3 + (1 - w) * national_2``, one ``w`` per measure and origin fitted by
    :func:`forecast.shrinkage.fitted_blend_weight` on the outcomes known at the origin."""
    weight = fitted_blend_weight(data.values, data.pooled, 3, 2)
    own = own_rate(data, 3)
    national = data.national_rate(2)
    return data.grow(np.where(np.isfinite(own), weight * own + (1 - weight) * national, national))


# ---------------------------------------------------------------------------------------------
# stock and flow

STOCK_FLOW_FLOWS: tuple[str, str, str] = ("new_plans", "plans_ceased", "requests")


@register(
    "stock_flow",
    "January = last January + new plans (from last year's requests x recent conversion) - plans ceased + net moves",
    measures=("ehcp_total",),
)
def stock_flow(data: OriginData) -> np.ndarray:
    """:func:`forecast.stock_flow.stock_flow_path` with requests growing at England's
    2-year requests growth. Where a series' flows are not published (or too few years are
    known), its forecast is ``fitted_blend``'s instead."""
    fallback = fitted_blend(data)
    if any(name not in data.flows for name in STOCK_FLOW_FLOWS) or data.values.shape[1] < 5:
        return fallback
    new, ceased, requests = (data.flows[name] for name in STOCK_FLOW_FLOWS)
    growth = float(mean_last(np.asarray(data.flow_national.get("requests", np.array([0.0])))[None, :], 2)[0])
    path = stock_flow_path(
        data.values,
        new,
        ceased,
        requests,
        data.horizon,
        requests_growth=growth if np.isfinite(growth) else 0.0,
        pooled=data.pooled,
    )
    usable = (
        np.isfinite(path.stock).all(axis=1)
        & np.isfinite(requests[:, -2])
        & np.isfinite(new[:, -2])
        & np.isfinite(ceased[:, -2])
    )
    return np.where(usable[:, None], path.stock, fallback)


# ---------------------------------------------------------------------------------------------
# requests driven by the stock

#: The measure whose growth drives requests in :func:`stock_growth` (January census counts).
REQUESTS_DRIVER = "ehcp_total"


@register(
    "stock_growth",
    "requests grow at England's growth of EHC plans (the January stock) over the last 2 years",
    measures=("requests",),
)
def stock_growth(data: OriginData) -> np.ndarray:
    """Requests for assessment (calendar year) grow at England's log growth of EHC plans
    (the January caseload, :data:`REQUESTS_DRIVER`, read from ``data.flows``) over the last
    two years known at the origin; the stock's year ``Y`` is January ``Y``, so at requests
    origin ``T`` (calendar ``T``) the stock to January ``T`` is used (January ``T + 1`` is
    published with calendar ``T``'s requests but is not used). Planning meaning: requests
    grew faster than the stock of plans after 2020, and England's stock grows smoothly
    (it is not moved by one year's dip, such as calendar 2020's requests). Without the
    stock, England's requests growth of the last 2 years (``national_growth_2``)."""
    stock = data.flows.get(REQUESTS_DRIVER)
    if stock is None:
        return data.grow(data.national_rate(2))
    rate = float(mean_last(national_growth(stock, data.pooled)[None, :], 2)[0])
    return data.grow(rate if np.isfinite(rate) else data.national_rate(2))


# ---------------------------------------------------------------------------------------------
# plans per resident times the population

#: The flow holding each series' population aged 0-25 on the measure's year labels (for a
#: January caseload ``Y``: the mid-year ``Y - 1`` estimate, the latest before that January).
POPULATION = "population_0_25"
#: Years of rates the demographic rate model is fitted to (fewer, down to the model's minimum
#: of 4, where fewer are known); the planner's five-year convention, fixed before any scoring.
DEMOGRAPHIC_YEARS = 5
#: Years of population growth that carry the population forward from the origin.
POPULATION_GROWTH_YEARS = 3


def population_forward(population: np.ndarray, horizon: int, years: int = POPULATION_GROWTH_YEARS) -> np.ndarray:
    """``(series, T)`` populations known at the origin extended ``horizon`` years at each
    series' mean log growth over its last ``years`` years (held level with one year known):
    the population a planner could project at the origin, without projections published later."""
    population = np.asarray(population, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.diff(np.log(population[:, -(years + 1) :]), axis=1)
    rate = np.where(np.isfinite(growth), growth, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a series with no growth known
        rate = np.nanmean(rate, axis=1)
    rate = np.where(np.isfinite(rate), rate, 0.0)
    steps = np.arange(1, horizon + 1, dtype=float)
    return np.hstack([population, population[:, -1:] * np.exp(rate[:, None] * steps[None, :])])


@register(
    "demographic_rate",
    "EHC plans per 1,000 residents aged 0-25 on the trend of the last 5 years, times the population carried "
    "forward at its own recent growth",
    selectable=False,
    measures=("ehcp_total",),
)
def demographic_rate(data: OriginData) -> np.ndarray:
    """:func:`forecast.demographic.demographic_rate` (log link, ordinary least squares line
    through the log rate per resident) on each series' last :data:`DEMOGRAPHIC_YEARS` years
    (4 where only 4 are known with a population), times the population of
    :func:`population_forward`: everything from data known at the origin (the population up
    to the origin's label, ``data.flows[POPULATION]``). NaN where fewer than 4 years have both
    a count and a population, or where the population flow is not given: the model cannot be
    run there, and it is a yardstick (not selectable), so nothing stands in for it."""
    out = np.full((data.values.shape[0], data.horizon), np.nan)
    population = data.flows.get(POPULATION)
    if population is None:
        return out
    done = np.zeros(data.values.shape[0], dtype=bool)
    for years in range(DEMOGRAPHIC_YEARS, 3, -1):
        if data.values.shape[1] < years:
            continue
        counts, people = data.values[:, -years:], population[:, -years:]
        usable = ~done & np.isfinite(counts).all(axis=1) & np.isfinite(people).all(axis=1) & (people > 0).all(axis=1)
        if not usable.any():
            continue
        ahead = population_forward(people[usable], data.horizon)
        out[usable] = demographic_rate_model(counts[usable], data.horizon, population=ahead).mean
        done |= usable
    return out
