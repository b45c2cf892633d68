"""The starting EHC plan caseload as whole children by age and placement.

SEN2 publishes plans by age and plans by placement, and (from January 2024) the two
together. The joint table is estimated by iterative proportional fitting from a prior
that rules out impossible cells (no FE placement under 16, no state special school
placement from 19, no mainstream or AP placement under 2 or over 18, independent special
schools to 19) and, where the caseload gives an ``age_placement_shape`` (the published
joint table of that or the nearest January), follows that shape: prior = possible cell x
(shape + :data:`PSEUDO_COUNT`), so a cell the shape leaves empty stays possible. Then it is
rounded to whole children keeping each age's (rounded) total exactly. With the published
joint table of the same January the result is that table to within a child or two per
placement (impossible cells, a handful of children, are moved to the possible
placements of the same age).
"""

from __future__ import annotations

import numpy as np

from simulation.errors import ParameterError
from simulation.parameters import (
    AGES,
    AP,
    FE,
    INDEPENDENT,
    MAINSTREAM,
    OTHER,
    PLACEMENTS,
    RESOURCED,
    STATE_SPECIAL,
    Caseload,
)

#: Added to every possible cell of an ``age_placement_shape`` before fitting (children).
PSEUDO_COUNT = 0.05


def allowed_cells() -> np.ndarray:
    """Boolean (26, 7): which (age, placement) cells may hold plans in the starting caseload."""
    allowed = np.zeros((AGES, len(PLACEMENTS)), dtype=bool)
    ages = np.arange(AGES)
    allowed[:, OTHER] = True
    allowed[(ages >= 2) & (ages <= 18), MAINSTREAM] = True
    allowed[(ages >= 4) & (ages <= 18), RESOURCED] = True
    allowed[(ages >= 2) & (ages <= 18), STATE_SPECIAL] = True
    allowed[(ages >= 4) & (ages <= 19), INDEPENDENT] = True
    allowed[ages >= 16, FE] = True
    allowed[(ages >= 5) & (ages <= 18), AP] = True
    return allowed


def round_keeping_totals(matrix: np.ndarray, row_totals: np.ndarray) -> np.ndarray:
    """Whole numbers with each row summing to its (whole) ``row_totals`` (largest remainders)."""
    out = np.floor(matrix).astype(np.int64)
    for i, target in enumerate(row_totals.astype(np.int64)):
        short = int(target - out[i].sum())
        if short > 0:
            order = np.argsort(-(matrix[i] - out[i]), kind="stable")
            out[i, order[:short]] += 1
        elif short < 0:
            order = np.argsort(matrix[i] - out[i], kind="stable")
            order = order[out[i, order] > 0]
            out[i, order[:-short]] -= 1
    return out


#: caseloads fitted, by what the fit reads (by value: every replication of a scenario
#: starts from the same caseload, but a replication run in a worker process gets its own
#: copy of it), and their results; the fit (200 sweeps) cost about 2% of a replication
_fits: dict[tuple, np.ndarray] = {}
_MAX_FITS = 16


def _fit_key(caseload: Caseload, iterations: int) -> tuple:
    """What :func:`_fit` reads of ``caseload``, as bytes (equal bytes, equal fit)."""
    shape = caseload.age_placement_shape
    return (
        np.asarray(caseload.ehcp_by_age, dtype=float).tobytes(),
        np.asarray(caseload.ehcp_by_placement, dtype=float).tobytes(),
        None if shape is None else np.asarray(shape, dtype=float).tobytes(),
        iterations,
    )


def age_placement_counts(caseload: Caseload, iterations: int = 200) -> np.ndarray:
    """Whole plans by (age, placement), shape (26, 7), matching ``ehcp_by_age`` (rounded)."""
    key = _fit_key(caseload, iterations)
    joint = _fits.get(key)
    if joint is None:
        joint = _fit(caseload, iterations)
        if len(_fits) >= _MAX_FITS:
            _fits.pop(next(iter(_fits)))  # the oldest
        _fits[key] = joint
    return joint.copy()


def _fit(caseload: Caseload, iterations: int) -> np.ndarray:
    """Iterative proportional fitting and rounding (see the module notes)."""
    by_age = caseload.ehcp_by_age
    by_placement = caseload.ehcp_by_placement * (by_age.sum() / max(caseload.ehcp_by_placement.sum(), 1e-12))
    prior = allowed_cells().astype(float)
    if caseload.age_placement_shape is not None:
        prior = prior * (caseload.age_placement_shape + PSEUDO_COUNT)
    if np.any((by_age > 0) & (prior.sum(axis=1) == 0)) or np.any((by_placement > 0) & (prior.sum(axis=0) == 0)):
        raise ParameterError("caseload: a plan count falls where no placement is possible")
    matrix = prior * by_age[:, None] / prior.sum(axis=1, keepdims=True)
    for _ in range(iterations):
        columns = matrix.sum(axis=0)
        matrix *= np.divide(by_placement, columns, out=np.zeros_like(columns), where=columns > 0)[None, :]
        rows = matrix.sum(axis=1)
        matrix *= np.divide(by_age, rows, out=np.zeros_like(rows), where=rows > 0)[:, None]
    return round_keeping_totals(matrix, np.round(by_age))
