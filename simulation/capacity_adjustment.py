"""How fast a responsive assessment service moves toward the work in hand: chosen out of sample.

The responsive capacity rule (:class:`simulation.parameters.Assessment`) sets a year's
capacity to ``capacity_response`` times the work in hand on 1 January. Applied at once, an
LA whose decisions to assess ran far ahead of its completions (a large estimated backlog)
completes two or three times last year's assessments in the first year of a run (issue 19:
Leeds 783 completed in 2024, 2,236 in the run's first year; Essex 1,924 and about 4,360),
which the published history never shows. The partial adjustment rule moves capacity
``lambda`` of the way (in logs) from last year's completions toward that target each year:
``previous ** (1 - lambda) * target ** lambda``.

``lambda`` is chosen on every LA's published flows by projecting each candidate 1 to
:data:`HORIZONS` years ahead from every past origin ``T``, as a run applies it
(:func:`years_ahead`): the share completed is the mean of ``A / work in hand`` over the years
from ``response_from`` to ``T - 1`` (completed assessments ``A``: new plans plus assessments
that ended without a plan; decisions to assess ``D``: requests less refusals), the backlog
and the work in hand as :func:`simulation.calibration.estimate_rates` builds them (the
backlog starts at ``A * pipeline_weeks / 52`` in the first year, then grows by ``D - A``,
never below 0, carried across a year not published: :mod:`simulation.flow_balance`; the
work in hand of ``t`` is the backlog on 1 January plus ``D`` of ``t - 1``), and from ``T`` on the backlog moves with the rule's own completions and the published
decisions. The candidate with the smallest mean absolute log error, averaged over the years
ahead, wins (ties: the slower; :func:`choose_adjustment_ahead`); with nothing to score,
:data:`DEFAULT_ADJUSTMENT` (at once: the rule before this module).

Why years ahead, not one (8 December 2026): a run applies the rule for ten years, and on
every LA's published flows 2020-2024 the one-year-ahead choice (0.5) under-projects
completions more the further it runs (median log error -0.039 / -0.053 / -0.058 one, two
and three years ahead; 0.75: -0.001 / -0.005 / +0.008). Chosen on 1-3 years ahead with the
flows to each origin: 0.5 from January 2021, 2022 and 2023 (the validation's origins: the
checks are unchanged) and 0.75 from January 2024 and 2025. :func:`one_year_ahead` and
:func:`choose_adjustment` (the rule before) are kept for the evidence scripts.

Years are calendar years (flows). Pure computation on arrays: no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.flow_balance import backlog_januaries

#: Candidate shares of the gap (in logs) closed a year; 1 is "at once" (the old rule).
ADJUSTMENT_CANDIDATES = (0.1, 0.25, 0.5, 0.75, 1.0)
#: With no past year to score: at once, as before this rule (ILLUSTRATIVE: no evidence either way).
DEFAULT_ADJUSTMENT = 1.0
SCORE_COLUMNS = ["capacity_adjustment", "checks", "mean_abs_log_error", "median_log_error"]
#: Years ahead each candidate's path is scored on (:func:`years_ahead`): the horizons the
#: simulation's own checks reach (1-4 years from January 2021-2023 to the latest published
#: year); a run uses the rule for ten years, so one year ahead alone chose too slow a
#: service (the 7 December 2026 checks: new plans -16% two years ahead).
HORIZONS = 3
PATH_COLUMNS = ["capacity_adjustment", "la", "origin", "horizon", "year", "projected", "actual"]


def _flow_panels(decided: pd.DataFrame, assessed: pd.DataFrame, pipeline_weeks: float):
    """The panels on every calendar year from the first to the last (LAs the union of
    both): ``years, index, d, a`` (decisions to assess, completed assessments), the
    backlog on each 1 January (:func:`simulation.flow_balance.backlog_januaries`; one more
    column: the January after the last year) and the share of the work in hand completed
    each year (``A / (backlog + D of the year before)``; NaN where not known)."""
    years = np.arange(
        int(min(min(decided.columns), min(assessed.columns))), int(max(max(decided.columns), max(assessed.columns))) + 1
    )
    index = decided.index.union(assessed.index)
    d = decided.reindex(index=index, columns=years).to_numpy(dtype=float)
    a = assessed.reindex(index=index, columns=years).to_numpy(dtype=float)
    backlog = backlog_januaries(d, a, pipeline_weeks)
    work = np.full(a.shape, np.nan)
    work[:, 1:] = backlog[:, 1:-1] + d[:, :-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(work > 0, a / work, np.nan)
    return years, index, d, a, backlog, share


def _mean_share(share: np.ndarray, past: list[int]) -> np.ndarray:
    """Each LA's mean of the shares completed in the columns ``past`` that are known (NaN
    where none is)."""
    seen = np.isfinite(share[:, past])
    counts = seen.sum(axis=1)
    total = np.where(seen, share[:, past], 0.0).sum(axis=1)
    return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def _slowest_best(scores: pd.DataFrame) -> float:
    """The candidate with the smallest mean absolute log error (ties: the slower);
    :data:`DEFAULT_ADJUSTMENT` when none was scored."""
    scored = scores.dropna(subset=["mean_abs_log_error"])
    if scored.empty:
        return DEFAULT_ADJUSTMENT
    best = scored["mean_abs_log_error"].min()
    return float(scored.loc[scored["mean_abs_log_error"] <= best + 1e-12, "capacity_adjustment"].min())


def one_year_ahead(
    decided: pd.DataFrame, assessed: pd.DataFrame, *, response_from: int, pipeline_weeks: float = 15.0
) -> pd.DataFrame:
    """For every LA (row) and calendar year ``t`` of the panels (one column per year;
    ``decided``: decisions to assess, ``assessed``: completed assessments) where the rule
    can be applied from the flows to ``t - 1``: ``la, year, previous, target, actual``
    (``previous``: completions in ``t - 1``; ``target``: the mean share completed times the
    work in hand of ``t``; ``actual``: completions in ``t``)."""
    if decided.empty or assessed.empty:
        return pd.DataFrame(columns=["la", "year", "previous", "target", "actual"])
    years, index, d, a, backlog, share = _flow_panels(decided, assessed, pipeline_weeks)
    rows = []
    for i in range(1, len(years)):
        past = [j for j in range(i) if years[j] >= response_from]
        if not past:
            continue
        target = _mean_share(share, past) * (backlog[:, i] + d[:, i - 1])
        ok = np.isfinite(target) & (target > 0) & (a[:, i - 1] > 0) & (a[:, i] > 0)
        ok &= np.isfinite(a[:, i - 1]) & np.isfinite(a[:, i])
        for k in np.flatnonzero(ok):
            rows.append((index[k], int(years[i]), a[k, i - 1], target[k], a[k, i]))
    return pd.DataFrame(rows, columns=["la", "year", "previous", "target", "actual"])


def years_ahead(
    decided: pd.DataFrame,
    assessed: pd.DataFrame,
    *,
    response_from: int,
    pipeline_weeks: float = 15.0,
    horizons: int = HORIZONS,
    candidates=ADJUSTMENT_CANDIDATES,
) -> pd.DataFrame:
    """Each candidate's completed assessments projected ``1..horizons`` years ahead from
    every origin, as the simulation applies the rule (:data:`PATH_COLUMNS`).

    At origin ``T`` (the first calendar year projected) only the flows to ``T - 1`` set the
    rule: the share completed is the mean of ``A / work in hand`` over ``response_from ..
    T - 1``, the backlog on 1 January ``T`` is the published flow balance (as
    :func:`one_year_ahead` builds it) and the first ``previous`` is ``A`` of ``T - 1``. Each
    year ``y`` then: target = share x (backlog + decisions of ``y - 1``), projected =
    :func:`adjusted` from the year before's projection, at most the backlog plus the year's
    decisions (a service cannot complete work it has not been given), and the backlog moves
    by the year's published decisions less the projected completions (never below 0). The
    decisions are the published ones: this scores the capacity rule, not the requests.
    ``actual``: the published completions of ``y`` (rows only where they are positive)."""
    if decided.empty or assessed.empty:
        return pd.DataFrame(columns=PATH_COLUMNS)
    years, index, d, a, backlog, share = _flow_panels(decided, assessed, pipeline_weeks)
    m = len(years)
    parts = []
    for i in range(1, m):  # origin years[i]
        past = [j for j in range(i) if years[j] >= response_from]
        if not past:
            continue
        mean_share = _mean_share(share, past)
        start = np.isfinite(mean_share) & np.isfinite(backlog[:, i]) & (a[:, i - 1] > 0)
        for adjustment in candidates:
            b, previous, alive = backlog[:, i].copy(), a[:, i - 1].copy(), start.copy()
            for h in range(1, horizons + 1):
                y = i + h - 1
                if y >= m:
                    break
                with np.errstate(invalid="ignore"):
                    target = mean_share * (b + d[:, y - 1])
                    alive &= np.isfinite(target) & (target > 0)
                    projected = np.where(
                        alive, adjusted(np.maximum(previous, 1e-9), np.maximum(target, 1e-9), adjustment), np.nan
                    )
                    available = b + d[:, y]
                    projected = np.where(np.isfinite(available), np.minimum(projected, available), projected)
                    scored = alive & np.isfinite(a[:, y]) & (a[:, y] > 0) & (projected > 0)
                for k in np.flatnonzero(scored):
                    parts.append((adjustment, index[k], int(years[i]), h, int(years[y]), projected[k], a[k, y]))
                with np.errstate(invalid="ignore"):
                    b = np.maximum(b + d[:, y] - projected, 0.0)
                alive &= np.isfinite(b)
                previous = projected
    return pd.DataFrame(parts, columns=PATH_COLUMNS)


def path_scores(paths: pd.DataFrame, candidates=ADJUSTMENT_CANDIDATES) -> pd.DataFrame:
    """Per candidate: the number of checks, the mean absolute log error (``log(projected /
    actual)``) of each horizon averaged over the horizons with checks (each horizon counts
    the same, however many origins reach it) and the median signed log error."""
    rows = []
    for adjustment in candidates:
        mine = paths[paths["capacity_adjustment"] == adjustment] if not paths.empty else paths
        if mine.empty:
            rows.append((adjustment, 0, np.nan, np.nan))
            continue
        errors = np.log(mine["projected"].to_numpy(float) / mine["actual"].to_numpy(float))
        per_horizon = pd.Series(np.abs(errors)).groupby(mine["horizon"].to_numpy()).mean()
        rows.append((adjustment, int(errors.size), float(per_horizon.mean()), float(np.median(errors))))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def choose_adjustment_ahead(paths: pd.DataFrame, candidates=ADJUSTMENT_CANDIDATES) -> tuple[float, pd.DataFrame]:
    """The candidate of :func:`path_scores` with the smallest error averaged over the
    horizons (ties: the slower), and the scores; :data:`DEFAULT_ADJUSTMENT` with nothing
    to score."""
    scores = path_scores(paths, candidates)
    return _slowest_best(scores), scores


def adjusted(previous, target, adjustment: float):
    """``previous ** (1 - adjustment) * target ** adjustment`` (elementwise)."""
    return np.power(previous, 1.0 - adjustment) * np.power(target, adjustment)


def adjustment_scores(checks: pd.DataFrame, candidates=ADJUSTMENT_CANDIDATES) -> pd.DataFrame:
    """Per candidate ``lambda``: the number of checks (rows of :func:`one_year_ahead`), the
    mean absolute and the median signed log error (``log(rule / actual)``)."""
    rows = []
    for share in candidates:
        if checks.empty:
            rows.append((share, 0, np.nan, np.nan))
            continue
        errors = np.log(
            adjusted(checks["previous"].to_numpy(float), checks["target"].to_numpy(float), share)
            / checks["actual"].to_numpy(float)
        )
        rows.append((share, int(errors.size), float(np.abs(errors).mean()), float(np.median(errors))))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def choose_adjustment(checks: pd.DataFrame, candidates=ADJUSTMENT_CANDIDATES) -> tuple[float, pd.DataFrame]:
    """The ``lambda`` of :func:`adjustment_scores` with the smallest mean absolute log error
    (ties: the slower), and the scores; :data:`DEFAULT_ADJUSTMENT` with nothing to score."""
    scores = adjustment_scores(checks, candidates)
    return _slowest_best(scores), scores
