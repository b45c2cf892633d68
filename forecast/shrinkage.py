"""Borrowing strength across LAs: national growth, and LA growth shrunk toward it.

Planning meaning: one LA's last three years of growth are a noisy guide to its next three;
England's growth (the sum over LAs) is measured almost without noise and carries most of the
signal. Shrinking each LA's growth toward the national rate, by as much as the data say its
own rate is noise, forecasts better than either alone.

All rates are yearly log growth, ``log((y_t + 1) / (y_(t-1) + 1))`` (the ``+ 1`` keeps a
small group with a zero count finite). Arrays are ``(series, years)`` with NaN before a
series starts; the year convention is the caller's (January census for caseloads).

- :func:`national_growth`: per year, the growth of the sum over the pooled series present in
  both years (so an LA that starts later does not look like growth).
- :func:`own_growth`: per series, the mean of its last ``k`` yearly log changes (fewer when
  its history is shorter).
- :func:`empirical_bayes_weights`: per series, the weight on its own rate,
  ``tau^2 / (tau^2 + s_i^2 / k)``, where ``s_i^2`` is the series' year-to-year variance of
  log changes (its noise) and ``tau^2`` the variance of true rates across series estimated by
  the method of moments, ``max(var(own) - mean(s_i^2 / k), 0)`` (James-Stein / Efron-Morris).
  When LA noise dominates, ``tau^2`` is 0 and every LA gets the national rate.
- :func:`fitted_blend_weight`: one weight ``w`` for ``w * own + (1 - w) * national`` fitted by
  least squares on the pairs (past own-minus-national rate, next year's own-minus-national
  growth) whose outcomes are already known, clipped to [0, 1].
- :func:`robust_changes`: yearly changes with breaks clipped (a change more than 50% away
  from England's that year is a reclassification, not growth); the own rates of the
  shrinkage candidates are means of these.
"""

from __future__ import annotations

import numpy as np


def log_changes(values: np.ndarray) -> np.ndarray:
    """Yearly log changes ``log1p(y_t) - log1p(y_(t-1))``, ``(series, years - 1)``; NaN where
    either year is missing."""
    with np.errstate(invalid="ignore"):
        return np.diff(np.log1p(values), axis=1)


#: A yearly change more than this far (log) from England's in the same year is a break
#: (reclassification, boundary or recording change), not growth to extrapolate: ``log(1.5)``,
#: the 50% jump that sendcast also flags in an LA's latest year.
BREAK_LOG_CHANGE: float = float(np.log(1.5))


def robust_changes(values: np.ndarray, national: np.ndarray, limit: float = BREAK_LOG_CHANGE) -> np.ndarray:
    """Yearly log changes with each one's departure from England's change in the same year
    clipped to ``+-limit`` (see :data:`BREAK_LOG_CHANGE`); where England's is unknown, the
    change is kept."""
    changes = log_changes(values)
    reference = np.where(np.isfinite(national), national, np.nan)[None, :]
    clipped = np.clip(changes, reference - limit, reference + limit)
    return np.where(np.isfinite(reference), clipped, changes)


def national_growth(values: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """Per year after the first: log growth of the sum over ``pooled`` series present in both
    years (NaN when none is). Uses only the two years concerned, so it is real-time."""
    rows = values[np.asarray(pooled, dtype=bool)]
    both = ~np.isnan(rows[:, 1:]) & ~np.isnan(rows[:, :-1])
    now = np.where(both, rows[:, 1:], 0.0).sum(axis=0)
    before = np.where(both, rows[:, :-1], 0.0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log((now + 1.0) / (before + 1.0))
    return np.where(both.any(axis=0), out, np.nan)


def mean_last(changes: np.ndarray, k: int) -> np.ndarray:
    """Per row: the mean of the last ``k`` finite values of ``changes`` (all of them when
    fewer; NaN when none). Values are assumed contiguous at the end of each row."""
    tail = changes[..., -k:]
    with np.errstate(invalid="ignore"):
        counts = (~np.isnan(tail)).sum(axis=-1)
        return np.where(counts > 0, np.nansum(tail, axis=-1) / np.maximum(counts, 1), np.nan)


def own_growth(values: np.ndarray, k: int) -> np.ndarray:
    """Per series: the mean of its last ``k`` yearly log changes."""
    return mean_last(log_changes(values), k)


def national_rate(values: np.ndarray, pooled: np.ndarray, k: int) -> float:
    """The national growth rate: the mean of the last ``k`` years of :func:`national_growth`."""
    rates = national_growth(values, pooled)
    return float(mean_last(rates[None, :], k)[0])


def empirical_bayes_weights(
    own: np.ndarray, noise_variance: np.ndarray, k: int, pooled: np.ndarray
) -> tuple[np.ndarray, float]:
    """Weights on each series' own rate (see the module docstring) and ``tau^2``.

    ``own``: each series' mean of ``k`` changes; ``noise_variance``: each series' variance of
    one yearly change (``s_i^2``). ``tau^2`` is estimated from the pooled series only."""
    use = np.asarray(pooled, dtype=bool) & np.isfinite(own) & np.isfinite(noise_variance)
    sampling = noise_variance / k
    if use.sum() < 3:
        return np.zeros_like(own), 0.0
    tau2 = max(float(np.var(own[use], ddof=1) - np.mean(sampling[use])), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(tau2 + sampling > 0, tau2 / (tau2 + sampling), 0.0)
    return np.where(np.isfinite(weights), weights, 0.0), tau2


def noise_variance(values: np.ndarray, years: int = 8) -> np.ndarray:
    """Per series: the variance (ddof 1) of its last ``years`` yearly log changes; NaN with
    fewer than 3 changes."""
    changes = log_changes(values)[:, -years:]
    counts = (~np.isnan(changes)).sum(axis=1)
    mean = np.nansum(changes, axis=1) / np.maximum(counts, 1)
    deviations = np.where(np.isnan(changes), 0.0, changes - mean[:, None])
    out = (deviations**2).sum(axis=1) / np.maximum(counts - 1, 1)
    return np.where(counts >= 3, out, np.nan)


def fitted_blend_weight(
    values: np.ndarray, pooled: np.ndarray, own_years: int, national_years: int, *, fit_years: int = 5
) -> float:
    """The weight on own growth fitted on the data in ``values`` only (see the module
    docstring): for each of the last ``fit_years`` known years ``y``, predictor = own rate
    over the ``own_years`` changes before ``y`` minus the national rate over the
    ``national_years`` before ``y``; outcome = the change into ``y`` minus national growth
    into ``y``. 0.5 when there are too few pairs to fit."""
    nat = national_growth(values, pooled)
    changes = robust_changes(values, nat)
    rows = np.asarray(pooled, dtype=bool)
    xs, ys = [], []
    n = changes.shape[1]
    for column in range(max(own_years, national_years, n - fit_years), n):
        own = mean_last(changes[rows, :column], own_years)
        national = mean_last(nat[None, :column], national_years)[0]
        outcome = changes[rows, column] - nat[column]
        ok = np.isfinite(own) & np.isfinite(outcome) & np.isfinite(national)
        xs.append(own[ok] - national)
        ys.append(outcome[ok])
    if not xs:
        return 0.5
    x, y = np.concatenate(xs), np.concatenate(ys)
    if x.size < 10 or float(x @ x) <= 0:
        return 0.5
    return float(np.clip((x @ y) / (x @ x), 0.0, 1.0))
