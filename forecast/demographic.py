"""Demographic rate model: EHC plans per 1,000 residents, trended, times the population.

Planning meaning: the analogue of how mainstream pupil numbers are projected (participation
rates times ONS population projections): "the share of children and young people with a
plan keeps changing as it has, and the number of children changes as ONS projects".

Rule, for each series:

- rate ``r_t = (count_t + offset) / population_t`` (``offset`` 0, or 1 if a count in the
  training window is below 1); reported per 1,000 residents by :func:`rate_per_thousand`;
- ``z_t = link(r_t)`` with ``link`` ``"log"`` (default: the rate grows by a constant
  percentage a year) or ``"logit"`` (the same but bounded below 1; the two are almost
  identical for rates of a few per cent);
- ordinary least squares ``z_t = a + b t``; forecast ``z`` on the line; prediction intervals
  are the OLS prediction intervals with Student t quantiles on ``T - 2`` degrees of freedom
  (so parameter uncertainty is included);
- forecast count ``= population_(T+h) * inverse_link(z) - offset``, floored at zero.

The population is taken as known: its own projection error is not added (say so in any
report). ``population`` must be aligned by the caller to the caseload's year (for a January
caseload, the caller chooses e.g. the previous mid-year estimate) and cover the history and
every forecast year; population 0-25 is a sensible denominator for all EHC plans.
Sample paths draw ``sigma^2`` from its scaled inverse chi-square distribution, the line's
coefficients given ``sigma^2``, and independent yearly deviations, so their quantiles match
the t intervals.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from forecast.errors import ForecastError
from forecast.result import PanelForecast
from forecast.transforms import as_panel, log_offsets

LINKS: tuple[str, str] = ("log", "logit")


def rate_per_thousand(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Plans per 1,000 residents; population must be positive (0 residents is an error,
    not a rate of infinity)."""
    population = np.asarray(population, dtype=float)
    if (population <= 0).any():
        raise ForecastError("demographic_rate: population must be positive in every year")
    return 1000.0 * np.asarray(counts, dtype=float) / population


def _link(rate: np.ndarray, link: str) -> np.ndarray:
    return np.log(rate) if link == "log" else special.logit(rate)


def _inverse(z: np.ndarray, link: str) -> np.ndarray:
    return np.exp(z) if link == "log" else special.expit(z)


def demographic_rate(
    history: np.ndarray,
    horizon: int,
    *,
    population: np.ndarray,
    link: str = "log",
    n_paths: int = 0,
    rng: np.random.Generator | None = None,
) -> PanelForecast:
    """Forecast counts from a trended rate per resident.

    ``history`` is ``(series, T)`` counts; ``population`` is ``(series, T + horizon)``, the
    same years as the history followed by the forecast years. Needs at least 4 years."""
    if link not in LINKS:
        raise ForecastError(f"demographic_rate: link must be one of {LINKS}, found {link!r}")
    values = as_panel(history, model="demographic_rate", min_years=4)
    n_series, n_years = values.shape
    population = np.asarray(population, dtype=float)
    if population.ndim == 1:
        population = population[None, :]
    if population.shape != (n_series, n_years + horizon):
        raise ForecastError(
            f"demographic_rate: population must be (series, history years + horizon) = "
            f"{(n_series, n_years + horizon)}, found {population.shape}"
        )
    if not np.isfinite(population).all() or (population <= 0).any():
        raise ForecastError("demographic_rate: population must be positive and present in every year")
    offset = log_offsets(values)
    rate = (values + offset[:, None]) / population[:, :n_years]
    if link == "logit" and (rate >= 1).any():
        raise ForecastError("demographic_rate: a count is not smaller than its population; logit needs a share")
    z = _link(rate, link)
    time = np.arange(n_years, dtype=float)
    centred = time - time.mean()
    sxx = centred @ centred
    slope = (z - z.mean(axis=1, keepdims=True)) @ centred / sxx
    intercept = z.mean(axis=1) - slope * time.mean()
    residuals = z - intercept[:, None] - slope[:, None] * time[None, :]
    dof = n_years - 2
    sigma = np.sqrt((residuals**2).sum(axis=1) / dof)
    future = np.arange(n_years, n_years + horizon, dtype=float)
    centre = intercept[:, None] + slope[:, None] * future[None, :]
    se = sigma[:, None] * np.sqrt(1 + 1 / n_years + (future - time.mean()) ** 2 / sxx)[None, :]
    future_population = population[:, n_years:]

    def counts(z_values: np.ndarray, pop: np.ndarray) -> np.ndarray:
        return np.maximum(pop * _inverse(z_values, link) - offset.reshape((-1,) + (1,) * (z_values.ndim - 1)), 0.0)

    t80, t95 = stats.t.ppf(0.90, dof), stats.t.ppf(0.975, dof)
    paths = None
    if n_paths:
        rng = rng or np.random.default_rng()
        variance = sigma[:, None] ** 2 * dof / rng.chisquare(dof, (n_series, n_paths))
        draw_sd = np.sqrt(variance)[:, :, None]
        line = rng.standard_normal((n_series, n_paths, 1)) / np.sqrt(n_years) + rng.standard_normal(
            (n_series, n_paths, 1)
        ) * (future - time.mean())[None, None, :] / np.sqrt(sxx)
        noise = rng.standard_normal((n_series, n_paths, horizon))
        paths = counts(centre[:, None, :] + draw_sd * (line + noise), future_population[:, None, :])
    return PanelForecast(
        model="demographic_rate",
        scale="log",
        mean=counts(centre, future_population),
        lower80=counts(centre - t80 * se, future_population),
        upper80=counts(centre + t80 * se, future_population),
        lower95=counts(centre - t95 * se, future_population),
        upper95=counts(centre + t95 * se, future_population),
        log_offset=offset,
        paths=paths,
    )
