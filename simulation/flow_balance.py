"""The assessment backlog as a flow balance of the published flows: one rule for every use.

The children waiting for a decision or an assessment on 1 January are not published. They
are estimated from the flows (calendar years): the pipeline of a service keeping up in the
first year (``completed x pipeline_weeks / 52``), then each year plus the decisions to
assess (requests less refusals) less the completed assessments (new plans plus assessments
that ended without a plan), never below 0.

A year whose decisions or completions are not published (a return withheld as
contradicting itself or collapsing, :mod:`sendcast.data.checks`; a year an LA did not
report) moves the backlog by nothing: it is carried across unchanged for up to
:data:`CARRIED_YEARS` years in a row, then restarts from the pipeline of the next year
published. Before 8 December 2026 the calibration restarted after any missing year (losing
the backlog: Bath and North East Somerset 217 in January 2022, 107 a year later) while the
run's starting backlog read a missing flow as 0 (Sheffield's withheld 2022 new plans added
a year's plans to its backlog: 1,114 waiting in January 2025 against 81 a year earlier by
the calibration's own balance). Used by :func:`simulation.calibration.estimate_rates`,
:mod:`simulation.capacity_adjustment` and the run's starting backlog
(:func:`sendcast.scenarios.parameters.open_assessments`).

Pure computation on arrays: no I/O.
"""

from __future__ import annotations

import numpy as np

#: Unpublished years in a row the backlog is carried across unchanged (ILLUSTRATIVE: one
#: year keeps a single withheld return from erasing the backlog; after longer, the balance
#: restarts rather than carry a figure nothing has confirmed for years).
CARRIED_YEARS = 1


def backlog_januaries(decided, assessed, pipeline_weeks: float) -> np.ndarray:
    """The backlog on 1 January of each calendar year and of the year after the last.

    ``decided`` and ``assessed``: decisions to assess and completed assessments, arrays of
    shape ``(years,)`` or ``(areas, years)`` over consecutive calendar years (NaN: not
    published). Returns one more column than the flows (the January after the last year);
    NaN before the first year with completions published, and after a gap longer than
    :data:`CARRIED_YEARS` until the next such year."""
    d = np.asarray(decided, dtype=float)
    a = np.asarray(assessed, dtype=float)
    single = d.ndim == 1
    d, a = np.atleast_2d(d), np.atleast_2d(a)
    if d.shape != a.shape:
        raise ValueError(f"decided {d.shape} and assessed {a.shape} must have the same shape")
    n, m = a.shape
    out = np.full((n, m + 1), np.nan)
    level = np.full(n, np.nan)
    unpublished = np.zeros(n, dtype=int)
    for i in range(m):
        starting = np.isnan(level)  # the first year, or after a restart: earlier gaps do not count
        level = np.where(starting, a[:, i] * pipeline_weeks / 52.0, level)
        unpublished = np.where(starting, 0, unpublished)
        out[:, i] = level
        step = d[:, i] - a[:, i]
        published = np.isfinite(step)
        unpublished = np.where(published, 0, unpublished + 1)
        with np.errstate(invalid="ignore"):
            level = np.where(published, np.maximum(level + step, 0.0), level)
        level = np.where(unpublished > CARRIED_YEARS, np.nan, level)
    out[:, m] = level
    return out[0] if single else out
