"""Prediction intervals from pooled out-of-sample relative errors.

Planning meaning: "80% of the time, forecasts made this way, this many years ahead, were
within these percentages of the outcome". The errors are the method's own real-time misses,
``log((actual + 1) / (forecast + 1))``, pooled across LAs for one measure and horizon, over a
recent window of outcome years chosen in real time.

Rules (per measure, stream of forecasts and horizon ``h``, at origin ``t``):

1. Pool: errors of forecasts made at origins ``s`` with ``s + h <= t`` (known at ``t``),
   outcome year within the last ``window`` years up to ``t``, from pooled LAs only. Outcome
   years up to ``transition_until`` (the statement-to-EHC-plan transition, whose misses were
   of another kind) are left out whenever at least ``min_errors`` later errors exist.
   Fewer than ``min_errors`` errors: every known year is used; fewer than ``floor_errors``:
   no quantiles (NaN) at that horizon.
2. Quantiles 2.5, 10, 90 and 97.5% of the pool, less the pool's median (``centred``: the
   pool's typical miss belongs to the forecasts it came from, made in another year; the
   central forecast's bias is the method choice's business, the interval's width the
   pool's; without centring a pool of under-forecasts puts the whole interval above a
   forecast that was not low). The interval around a central forecast
   ``F`` is ``(F + 1) * exp(q) - 1``, floored at 0, with the 10% quantile capped at 0 and the
   90% floored at 0 (so the central forecast is always inside), and the 95% bounds at least
   as far out as the 80% bounds: nested, and monotone in ``F``.
3. The window is chosen at ``t`` from ``windows`` by the mean interval score (80% and 95%,
   on the log scale) of the intervals each window would have given at earlier origins, on
   the outcomes known at ``t`` of the last ``evaluation_years`` years.
4. A horizon with no quantiles takes the previous horizon's, scaled by ``h / (h - 1)``
   (``extrapolated``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The quantiles kept, in order: lower 95, lower 80, upper 80, upper 95.
QUANTILES: tuple[float, ...] = (0.025, 0.10, 0.90, 0.975)


@dataclass(frozen=True)
class IntervalSettings:
    """See the module docstring. ``transition_until``: outcome years up to this one are the
    2014-2016 statement-to-EHC-plan transition era (DfE SEN2; DOMAIN.md: statements converted
    2014-2018, with the largest step changes in the 2015-2016 Januaries)."""

    windows: tuple[int, ...] = (1, 2, 3, 4, 6)
    evaluation_years: int = 3
    transition_until: int = 2016
    min_errors: int = 30
    floor_errors: int = 8
    centred: bool = True


def interval_score(lower: np.ndarray, upper: np.ndarray, actual: np.ndarray, alpha: float) -> np.ndarray:
    """Gneiting and Raftery's interval score of a central ``1 - alpha`` interval: its width
    plus ``2 / alpha`` times the distance by which the outcome falls outside (lower is better;
    a wide interval is never rewarded for covering)."""
    return (
        (upper - lower) + (2 / alpha) * np.maximum(lower - actual, 0.0) + (2 / alpha) * np.maximum(actual - upper, 0.0)
    )


def _pool(
    errors: np.ndarray,
    usable: np.ndarray,
    origins: np.ndarray,
    h: int,
    t: int,
    window: int | None,
    settings: IntervalSettings,
) -> np.ndarray:
    """Errors at horizon ``h`` (``errors``: ``(origins, series)``) known at ``t`` in the window."""
    target = origins + h
    known = target <= t
    recent = known if window is None else known & (target > t - window)
    later = recent & (target > settings.transition_until)

    def gather(rows: np.ndarray) -> np.ndarray:
        values = errors[rows][usable[rows]]
        return values[np.isfinite(values)]

    chosen = gather(later)
    if chosen.size >= settings.min_errors:
        return chosen
    chosen = gather(known & (target > settings.transition_until))
    if chosen.size >= settings.min_errors:
        return chosen
    return gather(known)


def quantiles_at(
    errors: np.ndarray, usable: np.ndarray, origins: np.ndarray, t: int, window: int | None, settings: IntervalSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles ``(horizons, 4)`` of :data:`QUANTILES` at origin ``t`` (errors
    ``(origins, series, horizons)``), and a flag per horizon for "extrapolated"."""
    horizons = errors.shape[2]
    out = np.full((horizons, len(QUANTILES)), np.nan)
    for h in range(1, horizons + 1):
        pool = _pool(errors[:, :, h - 1], usable, origins, h, t, window, settings)
        if pool.size >= settings.floor_errors:
            out[h - 1] = np.quantile(pool, QUANTILES) - (np.median(pool) if settings.centred else 0.0)
    extrapolated = np.zeros(horizons, dtype=bool)
    for h in range(2, horizons + 1):
        if np.isnan(out[h - 1]).any() and np.isfinite(out[h - 2]).all():
            out[h - 1] = out[h - 2] * h / (h - 1)
            extrapolated[h - 1] = True
    return out, extrapolated


def bounds(central: np.ndarray, quantiles: np.ndarray) -> dict[str, np.ndarray]:
    """Interval bounds (rule 2) for central forecasts ``(series, horizons)`` from quantiles
    ``(horizons, 4)`` (or ``(series, horizons, 4)``): ``lo95, lo80, hi80, hi95``."""
    q = np.asarray(quantiles, dtype=float)
    if q.ndim == 2:
        q = np.broadcast_to(q[None], central.shape + (len(QUANTILES),))
    lo80 = np.minimum(q[..., 1], 0.0)
    hi80 = np.maximum(q[..., 2], 0.0)
    lo95 = np.minimum(q[..., 0], lo80)
    hi95 = np.maximum(q[..., 3], hi80)
    base = np.log1p(central)

    def back(offset: np.ndarray) -> np.ndarray:
        return np.maximum(np.expm1(base + offset), 0.0)

    low80, high80 = np.minimum(back(lo80), central), np.maximum(back(hi80), central)
    return {
        "lo95": np.minimum(back(lo95), low80),
        "lo80": low80,
        "hi80": high80,
        "hi95": np.maximum(back(hi95), high80),
    }


@dataclass(frozen=True)
class RealtimeIntervals:
    """Per origin (``origins``): the chosen ``window`` (0: every known year, NaN-free), the
    quantiles ``(origins, horizons, 4)`` and ``extrapolated`` ``(origins, horizons)``."""

    origins: np.ndarray
    window: np.ndarray
    quantiles: np.ndarray
    extrapolated: np.ndarray


def realtime_intervals(
    errors: np.ndarray, usable: np.ndarray, origins: np.ndarray, settings: IntervalSettings = IntervalSettings()
) -> RealtimeIntervals:
    """Quantiles at every origin with the window chosen in real time (rules 1-4).

    ``errors``: ``(origins, series, horizons)`` log errors (NaN where the outcome is not
    known); ``usable``: ``(origins, series)`` rows that may be pooled; ``origins``: the
    origin years."""
    n_origins, _, horizons = errors.shape
    candidates: dict[int, np.ndarray] = {}
    flags: dict[int, np.ndarray] = {}
    for window in settings.windows:
        q = np.full((n_origins, horizons, len(QUANTILES)), np.nan)
        f = np.zeros((n_origins, horizons), dtype=bool)
        for k, t in enumerate(origins):
            q[k], f[k] = quantiles_at(errors, usable, origins, int(t), window, settings)
        candidates[window], flags[window] = q, f
    chosen = np.zeros(n_origins, dtype=int)
    quantiles = np.full((n_origins, horizons, len(QUANTILES)), np.nan)
    extrapolated = np.zeros((n_origins, horizons), dtype=bool)
    for k, t in enumerate(origins):
        scores = {}
        for window, q in candidates.items():
            total, count = 0.0, 0
            for h in range(1, horizons + 1):
                target = origins + h
                rows = (target <= t) & (target > t - settings.evaluation_years)
                if not rows.any():
                    continue
                err = errors[rows, :, h - 1]
                use = usable[rows] & np.isfinite(err) & np.isfinite(q[rows, h - 1, 0])[:, None]
                if not use.any():
                    continue
                qq = np.broadcast_to(q[rows, h - 1][:, None, :], err.shape + (len(QUANTILES),))[use]
                e = err[use]
                lo80, hi80 = np.minimum(qq[:, 1], 0), np.maximum(qq[:, 2], 0)
                lo95, hi95 = np.minimum(qq[:, 0], lo80), np.maximum(qq[:, 3], hi80)
                total += float(np.mean(interval_score(lo80, hi80, e, 0.2) + interval_score(lo95, hi95, e, 0.05)))
                count += 1
            if count:
                scores[window] = total / count
        window = min(scores, key=lambda w: (scores[w], w)) if scores else max(settings.windows)
        chosen[k] = window
        quantiles[k], extrapolated[k] = candidates[window][k], flags[window][k]
    return RealtimeIntervals(origins=np.asarray(origins), window=chosen, quantiles=quantiles, extrapolated=extrapolated)


def comonotone_paths(central: np.ndarray, quantiles: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Sample paths ``(paths, horizons)`` for one series: at each path's uniform draw ``u``
    (one per path, shared by every year, so a path that runs high stays high), the relative
    error is read off the piecewise-linear quantile function through (0, 1.5 x q2.5 - 0.5 x
    q10), (2.5%, q2.5), (10%, q10), (50%, 0), (90%, q90), (97.5%, q97.5), (1, 1.5 x q97.5 -
    0.5 x q90) of the nested bounds of :func:`bounds`."""
    q = np.asarray(quantiles, dtype=float)
    lo80 = np.minimum(q[:, 1], 0.0)
    hi80 = np.maximum(q[:, 2], 0.0)
    lo95 = np.minimum(q[:, 0], lo80)
    hi95 = np.maximum(q[:, 3], hi80)
    probs = np.array([0.0, 0.025, 0.10, 0.5, 0.90, 0.975, 1.0])
    out = np.empty((uniforms.size, central.size))
    for h in range(central.size):
        knots = np.array(
            [
                lo95[h] + 0.5 * (lo95[h] - lo80[h]),
                lo95[h],
                lo80[h],
                0.0,
                hi80[h],
                hi95[h],
                hi95[h] + 0.5 * (hi95[h] - hi80[h]),
            ]
        )
        offset = np.interp(uniforms, probs, knots)
        out[:, h] = np.maximum(np.expm1(np.log1p(central[h]) + offset), 0.0)
    return out
