"""Trends carried forward after the calibration window, by a stated rule chosen out of sample.

The calibration fits a request-rate multiplier for every calendar year of its window and
a yearly log-linear trend of identification at SEN support. Holding both at their last
fitted value after the window (the old rule) makes growth die; carrying them forward
undamped makes it explode. The rule here is **damped growth** (as in damped-trend
exponential smoothing): a rate whose log grew by ``g`` a year is, ``k`` years after its
last fitted year, its last value times ``exp(g * (phi + phi**2 + ... + phi**k))``.

- ``g`` for the request multiplier: the mean yearly change of its log over the last
  :data:`GROWTH_YEARS` fitted years; for identification: its fitted trend, or, where the
  calibration fitted a multiplier for every year (its ``"yearly"`` rule), the same mean
  as for requests over those multipliers (:func:`identification_growth`).
- ``phi`` (the damping, in [0, 1]) is chosen out of sample. On a published series the rule
  is meant to carry (yearly requests for an assessment), from every past origin with
  :data:`GROWTH_YEARS` growths before it, the same rule forecasts the following years from
  data to that origin only; the ``phi`` of :data:`DAMPING_CANDIDATES` with the smallest mean
  absolute log error wins (ties: the more damped).

  - :func:`choose_panel_damping` (the baseline's rule): the errors are pooled over every
    area of a panel (every LA in England) and :data:`PANEL_HORIZONS` years ahead. One LA's
    series gives a handful of origins, all from one period of acceleration, and picks the
    damping that fits that period (Gloucestershire's own requests choose no damping, which
    compounds 15% a year for a decade); pooled over every LA the choice rests on
    thousands of checks.
  - :func:`choose_damping`: one series, :data:`BACKTEST_HORIZONS` years ahead (reported
    beside the panel's choice). With no origin to score, ``phi`` is
    :data:`DEFAULT_DAMPING`.

- ``g`` is kept within ``+-cap`` a year (a **growth cap**, issue 19): an LA whose requests
  doubled in three years (Leeds: the request multiplier grew 43% a year in logs over
  2021-2024) would otherwise carry most of that forward, about fivefold in the long run at
  ``phi = 0.8``. The cap is chosen with the damping, on the same panel and the same checks
  (:func:`choose_panel_rule`: every pair of :data:`DAMPING_CANDIDATES` and
  :data:`GROWTH_CAP_CANDIDATES`, ``None`` meaning no cap; ties: the more damped, then the
  tighter cap).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from simulation.parameters import Parameters, schedule_values

#: Years of fitted multipliers (or published growths) the growth ``g`` is the mean over.
GROWTH_YEARS = 3
#: Damping factors the out-of-sample choice picks from (0: hold the last value; 1: no damping).
DAMPING_CANDIDATES = (0.0, 0.25, 0.5, 0.7, 0.8, 0.9, 1.0)
#: Horizons (years) each past origin is scored on.
BACKTEST_HORIZONS = 3
#: Horizons (years) the panel choice scores: the longest the published requests (calendar
#: 2015 on) allow from an origin with :data:`GROWTH_YEARS` growths before it.
PANEL_HORIZONS = 5
#: Caps on the yearly log growth the choice picks from (``None``: no cap).
GROWTH_CAP_CANDIDATES = (None, 0.3, 0.2, 0.15, 0.1, 0.05)
#: Damping with nothing to choose it on: the common damped-trend value (Gardner and
#: McKenzie 1985 report 0.8-0.98; the lower end for short, volatile series). ILLUSTRATIVE.
DEFAULT_DAMPING = 0.8


def damped_factors(growth: float, damping: float, years_ahead: int) -> np.ndarray:
    """``exp(growth * (phi + ... + phi**k))`` for ``k = 1 .. years_ahead``."""
    steps = np.cumsum(damping ** np.arange(1, years_ahead + 1)) if years_ahead > 0 else np.zeros(0)
    return np.exp(growth * steps)


def damping_scores(
    series: pd.Series, candidates=DAMPING_CANDIDATES, horizons: int = BACKTEST_HORIZONS, window: int = GROWTH_YEARS
) -> pd.DataFrame:
    """Mean absolute log error of the damped-growth rule on ``series`` (index: year, values
    > 0) from every origin with ``window`` growths before it, per candidate: columns
    ``damping, origins, checks, mean_abs_log_error``."""
    values = series.dropna()
    values = values[values > 0].sort_index()
    years = values.index.to_numpy(dtype=int)
    logs = np.log(values.to_numpy(dtype=float))
    rows = []
    for phi in candidates:
        errors, origins = [], 0
        for i in range(window, len(years) - 1):
            if years[i] - years[i - window] != window:
                continue  # a gap in the years: no clean growth
            growth = (logs[i] - logs[i - window]) / window
            scored = False
            for k in range(1, horizons + 1):
                if i + k < len(years) and years[i + k] == years[i] + k:
                    errors.append(abs(logs[i] + np.log(damped_factors(growth, phi, k)[-1]) - logs[i + k]))
                    scored = True
            origins += scored
        rows.append((phi, origins, len(errors), float(np.mean(errors)) if errors else np.nan))
    return pd.DataFrame(rows, columns=["damping", "origins", "checks", "mean_abs_log_error"])


def choose_damping(series: pd.Series, candidates=DAMPING_CANDIDATES) -> tuple[float, pd.DataFrame]:
    """The damping of :func:`damping_scores` with the smallest error (ties: the more
    damped), and the scores; :data:`DEFAULT_DAMPING` when no origin can be scored."""
    return _best(damping_scores(series, candidates))


def capped(growth, cap: float | None):
    """``growth`` (a yearly log growth, or an array of them) kept within ``+-cap``
    (``None``: as it is)."""
    return growth if cap is None else np.clip(growth, -cap, cap)


def panel_damping_scores(
    panel: pd.DataFrame,
    candidates=DAMPING_CANDIDATES,
    horizons: int = PANEL_HORIZONS,
    window: int = GROWTH_YEARS,
    growth_cap: float | None = None,
) -> pd.DataFrame:
    """Mean absolute log error of the damped-growth rule pooled over every area of
    ``panel`` (one row per area, one column per year; missing or non-positive values are
    gaps), from every origin with ``window`` growths before it, ``1 .. horizons`` years
    ahead, the growth kept within ``+-growth_cap`` (:func:`capped`): columns ``damping,
    areas, origins, checks, mean_abs_log_error`` (``origins``: area-origins with at least
    one check)."""
    if panel.empty:
        return pd.DataFrame(
            [(phi, 0, 0, 0, np.nan) for phi in candidates],
            columns=["damping", "areas", "origins", "checks", "mean_abs_log_error"],
        )
    years = np.arange(int(min(panel.columns)), int(max(panel.columns)) + 1)
    values = panel.reindex(columns=years).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(values > 0, np.log(values), np.nan)
    rows = []
    for phi in candidates:
        errors = []
        scored = np.zeros(logs.shape, dtype=bool)
        for i in range(window, len(years) - 1):
            growth = capped((logs[:, i] - logs[:, i - window]) / window, growth_cap)
            for k in range(1, min(horizons, len(years) - 1 - i) + 1):
                steps = float(np.sum(phi ** np.arange(1, k + 1)))
                error = np.abs(logs[:, i] + growth * steps - logs[:, i + k])
                ok = np.isfinite(error)
                errors.append(error[ok])
                scored[ok, i] = True
        pooled = np.concatenate(errors) if errors else np.zeros(0)
        rows.append(
            (
                phi,
                int(scored.any(axis=1).sum()),
                int(scored.sum()),
                pooled.size,
                float(pooled.mean()) if pooled.size else np.nan,
            )
        )
    return pd.DataFrame(rows, columns=["damping", "areas", "origins", "checks", "mean_abs_log_error"])


def panel_log_errors(
    panel: pd.DataFrame,
    damping: float,
    horizons: int = PANEL_HORIZONS,
    window: int = GROWTH_YEARS,
    growth_cap: float | None = None,
    rule_at: Callable[[int], tuple[float, float | None]] | None = None,
) -> tuple[np.ndarray, ...]:
    """Signed out-of-sample log errors (published minus rule, ``log(actual / forecast)``)
    of the damped-growth rule with ``damping``, the growth kept within ``+-growth_cap``
    (:func:`capped`), on every area of ``panel`` (one row per area, one column per year;
    missing or non-positive values are gaps), from every origin with ``window`` growths
    before it: one array per horizon ``1 .. horizons`` (each pooled over areas and origins;
    a horizon no origin reaches is left off, so the tuple may be shorter). ``rule_at``
    (given): the ``(damping, growth_cap)`` used from each origin, a function of the
    origin's year (the last year of data the forecast uses), in place of ``damping`` and
    ``growth_cap``: :func:`rules_chosen_at`, the rule as it would have been chosen on the
    data to that origin. Every forecast uses the panel's years up to its own origin only;
    the panel itself should be cut at the run's origin (:func:`sendcast.scenarios.
    predictive.panels_until` does), so no error uses a year after it."""
    if panel.empty:
        return ()
    years = np.arange(int(min(panel.columns)), int(max(panel.columns)) + 1)
    values = panel.reindex(columns=years).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(values > 0, np.log(values), np.nan)
    by_horizon: list[list[np.ndarray]] = [[] for _ in range(horizons)]
    for i in range(window, len(years) - 1):
        phi, cap = (damping, growth_cap) if rule_at is None else rule_at(int(years[i]))
        growth = capped((logs[:, i] - logs[:, i - window]) / window, cap)
        for k in range(1, min(horizons, len(years) - 1 - i) + 1):
            steps = float(np.sum(phi ** np.arange(1, k + 1)))
            error = logs[:, i + k] - (logs[:, i] + growth * steps)
            by_horizon[k - 1].append(error[np.isfinite(error)])
    out = []
    for parts in by_horizon:
        pooled = np.concatenate(parts) if parts else np.zeros(0)
        if pooled.size == 0:
            break
        out.append(pooled)
    return tuple(out)


def rules_chosen_at(panel: pd.DataFrame, choose: Callable | None = None) -> Callable[[int], tuple[float, float | None]]:
    """The damping and growth cap the baseline would have chosen at each origin: a
    function of the origin's year ``y`` giving ``choose(panel cut to the years <= y)[:2]``
    (``choose``: :func:`choose_panel_rule` unless given, e.g. a remembering wrapper of it;
    with nothing to score before ``y``, its default: :data:`DEFAULT_DAMPING`, no cap).
    What :func:`panel_log_errors` measures a rule's errors with so that no choice is
    scored on the data that made it (issue 19)."""
    chooser = choose_panel_rule if choose is None else choose
    chosen: dict[int, tuple[float, float | None]] = {}

    def rule_at(year: int) -> tuple[float, float | None]:
        if year not in chosen:
            cut = panel.loc[:, [y for y in panel.columns if int(y) <= year]]
            damping, cap = chooser(cut)[:2]
            chosen[year] = (float(damping), None if cap is None else float(cap))
        return chosen[year]

    return rule_at


def choose_panel_damping(panel: pd.DataFrame, candidates=DAMPING_CANDIDATES) -> tuple[float, pd.DataFrame]:
    """The damping of :func:`panel_damping_scores` with the smallest pooled error (ties:
    the more damped), and the scores; :data:`DEFAULT_DAMPING` when nothing can be scored."""
    return _best(panel_damping_scores(panel, candidates))


def panel_rule_scores(
    panel: pd.DataFrame, dampings=DAMPING_CANDIDATES, caps=GROWTH_CAP_CANDIDATES, horizons: int = PANEL_HORIZONS
) -> pd.DataFrame:
    """:func:`panel_damping_scores` for every growth cap of ``caps``, with a ``growth_cap``
    column (NaN: no cap)."""
    parts = [
        panel_damping_scores(panel, dampings, horizons, growth_cap=cap).assign(
            growth_cap=np.nan if cap is None else cap
        )
        for cap in caps
    ]
    return pd.concat(parts, ignore_index=True)


def choose_panel_rule(
    panel: pd.DataFrame, dampings=DAMPING_CANDIDATES, caps=GROWTH_CAP_CANDIDATES
) -> tuple[float, float | None, pd.DataFrame]:
    """The damping and growth cap of :func:`panel_rule_scores` with the smallest pooled
    error (ties: the more damped, then the tighter cap), and the scores;
    :data:`DEFAULT_DAMPING` and no cap when nothing can be scored."""
    scores = panel_rule_scores(panel, dampings, caps)
    scored = scores.dropna(subset=["mean_abs_log_error"])
    if scored.empty:
        return DEFAULT_DAMPING, None, scores
    best = scored[scored["mean_abs_log_error"] <= scored["mean_abs_log_error"].min() + 1e-12]
    best = best.assign(order=best["growth_cap"].fillna(np.inf)).sort_values(["damping", "order"]).iloc[0]
    cap = None if np.isnan(best["growth_cap"]) else float(best["growth_cap"])
    return float(best["damping"]), cap, scores


def _best(scores: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    scored = scores.dropna(subset=["mean_abs_log_error"])
    if scored.empty:
        return DEFAULT_DAMPING, scores
    best = scored["mean_abs_log_error"].min()
    return float(scored.loc[scored["mean_abs_log_error"] <= best + 1e-12, "damping"].min()), scores


def carry_forward(
    params: Parameters,
    last_fitted_year: int,
    *,
    request_growth: float,
    identification_growth: float | None,
    damping: float,
    identification_damping: float | None = None,
) -> Parameters:
    """``params`` with the request multiplier and the identification multiplier after
    ``last_fitted_year`` (calendar) grown by the damped rule from their values in that
    year, for every year of the run (before it: as fitted); identification with
    ``identification_damping`` (``None``: ``damping``). ``identification_growth=None``:
    the identification multiplier is kept as it is (set by another rule, e.g.
    :mod:`simulation.share_target`)."""
    years = params.years
    ahead = years - last_fitted_year

    def extend(schedule, growth: float, phi: float = damping):
        at_last = float(schedule_values(schedule, last_fitted_year, 1)[0])
        own = schedule_values(schedule, params.start_year, params.horizon)
        factors = damped_factors(growth, phi, int(max(ahead.max(), 0)))
        values = [float(own[j]) if k <= 0 else at_last * float(factors[k - 1]) for j, k in enumerate(ahead)]
        # the fitted years stay in the schedule, so carrying forward again starts from them
        out = {int(y): float(v) for y, v in schedule if y <= last_fitted_year}
        out[int(last_fitted_year)] = at_last
        out.update({int(y): v for y, v in zip(years, values)})
        return out

    sen = replace(params.sen_support, request_multiplier=extend(params.sen_support.request_multiplier, request_growth))
    if identification_growth is None:
        return replace(params, sen_support=sen)
    arrivals = replace(
        params.arrivals,
        sen_support_multiplier=extend(
            params.arrivals.sen_support_multiplier,
            identification_growth,
            damping if identification_damping is None else identification_damping,
        ),
    )
    return replace(params, sen_support=sen, arrivals=arrivals)


#: Prefix of the calibration's yearly request multipliers.
REQUEST_MULTIPLIERS = "request_multiplier_"
#: Prefix of the calibration's yearly identification multipliers (its ``"yearly"`` rule).
IDENTIFICATION_MULTIPLIERS = "identification_multiplier_"


def multiplier_changes(
    fitted: dict[str, float], last_fitted_year: int, window: int = GROWTH_YEARS, prefix: str = REQUEST_MULTIPLIERS
) -> np.ndarray:
    """Yearly changes of the log request multiplier over the last ``window`` fitted years
    (fewer if the window is shorter; none with one year), from the calibration's
    ``request_multiplier_<year>`` values (``prefix``: another yearly multiplier's, e.g.
    :data:`IDENTIFICATION_MULTIPLIERS`)."""
    values = {int(k.removeprefix(prefix)): v for k, v in fitted.items() if k.startswith(prefix)}
    years = sorted(y for y in values if y <= last_fitted_year)[-(window + 1) :]
    return np.array([np.log(values[b] / values[a]) / (b - a) for a, b in zip(years[:-1], years[1:])])


def multiplier_growth(
    fitted: dict[str, float], last_fitted_year: int, window: int = GROWTH_YEARS, prefix: str = REQUEST_MULTIPLIERS
) -> float:
    """Mean yearly change of the log request multiplier (or the multiplier named by
    ``prefix``) over the last ``window`` fitted years (:func:`multiplier_changes`; 0 with
    one year)."""
    changes = multiplier_changes(fitted, last_fitted_year, window, prefix)
    return float(changes.mean()) if changes.size else 0.0


def identification_growth(fitted: dict[str, float], last_fitted_year: int, window: int = GROWTH_YEARS) -> float:
    """Yearly log growth of identification at SEN support to carry forward: the mean yearly
    change of the log identification multiplier over the last ``window`` fitted years when
    the calibration fitted one per year (:data:`IDENTIFICATION_MULTIPLIERS`), else its
    fitted ``identification_trend`` (0 without one)."""
    if any(k.startswith(IDENTIFICATION_MULTIPLIERS) for k in fitted):
        return multiplier_growth(fitted, last_fitted_year, window, IDENTIFICATION_MULTIPLIERS)
    return float(fitted.get("identification_trend", 0.0))
