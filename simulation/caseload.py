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


#: the last caseload fitted and its result: every replication of a scenario starts from
#: the same caseload object, and the fit (200 sweeps) cost about 5% of a replication
_last_fit: tuple[Caseload, int, np.ndarray] | None = None


def age_placement_counts(caseload: Caseload, iterations: int = 200) -> np.ndarray:
    """Whole plans by (age, placement), shape (26, 7), matching ``ehcp_by_age`` (rounded)."""
    global _last_fit
    if _last_fit is not None and _last_fit[0] is caseload and _last_fit[1] == iterations:
        return _last_fit[2].copy()
    joint = _fit(caseload, iterations)
    _last_fit = (caseload, iterations, joint)
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
