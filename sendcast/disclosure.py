"""Disclosure control for tables built from user-supplied data below LA level.

Published DfE aggregates are public. A council's own person-level or small-area data is
not: any table sendcast builds from it suppresses small counts before it is shown,
written or charted, as DfE does.

Rules (:func:`suppress`):

1. **Primary**: a count from 1 to 5 (:data:`LOW`, :data:`HIGH`) is shown as ``"c"``.
   Zero is shown: it reveals no individual.
2. **Secondary**: the table's margins make additive constraints (each row's cells add up
   to its row total, each column's to its column total, and the totals to the grand
   total). A constraint with exactly one hidden cell gives that cell away by subtraction,
   so another cell in it is hidden too: the smallest non-zero count among the inner
   cells, else its total. This repeats until no constraint has exactly one hidden cell.

:func:`audit` checks a published table the hard way: for every hidden cell it finds, by
linear programming, the smallest and largest value consistent with everything shown
(counts are non-negative). A cell is protected when that range is wider than a point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

LOW, HIGH = 1, 5
SUPPRESSED = "c"
TOTAL = "Total"


def with_margins(counts: pd.DataFrame) -> pd.DataFrame:
    """Add a ``Total`` column and row to a table of counts."""
    out = counts.copy()
    out[TOTAL] = out.sum(axis=1)
    out.loc[TOTAL] = out.sum(axis=0)
    return out


def suppress(table: pd.DataFrame) -> pd.DataFrame:
    """Apply primary and secondary suppression to a table **with** margins.

    ``table`` holds non-negative whole counts, its last row and column named ``Total``
    (see :func:`with_margins`). Returns an object table: counts, or ``"c"``.
    """
    values = table.to_numpy(dtype=float)
    if (values < 0).any() or not np.allclose(values, np.round(values)):
        raise ValueError("disclosure control needs non-negative whole counts")
    if table.index[-1] != TOTAL or table.columns[-1] != TOTAL:
        raise ValueError("the table needs a 'Total' row and column as its last (use with_margins)")
    hidden = (values >= LOW) & (values <= HIGH)
    constraints = _constraints(values.shape)
    changed = True
    while changed:
        changed = False
        for cells in constraints:
            flagged = [c for c in cells if hidden[c]]
            if len(flagged) != 1:
                continue
            candidate = _next_to_hide(values, hidden, cells)
            if candidate is None:
                continue
            hidden[candidate] = True
            changed = True
    out = table.astype(object).copy()
    out[:] = np.where(hidden, SUPPRESSED, values.astype(int)).astype(object)
    out = out.map(lambda v: v if v == SUPPRESSED else int(v))
    return out


def _constraints(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    rows, cols = shape
    out = [[(i, j) for j in range(cols)] for i in range(rows)]  # each row with its total
    out += [[(i, j) for i in range(rows)] for j in range(cols)]  # each column with its total
    return out


def _next_to_hide(values: np.ndarray, hidden: np.ndarray, cells: list[tuple[int, int]]) -> tuple[int, int] | None:
    *inner, total = cells
    open_inner = [c for c in inner if not hidden[c] and values[c] > 0]
    if open_inner:
        return min(open_inner, key=lambda c: (values[c], c))
    if not hidden[total]:
        return total
    zeros = [c for c in inner if not hidden[c]]
    return zeros[0] if zeros else None


def audit(published: pd.DataFrame) -> pd.DataFrame:
    """For each hidden cell, the range of values consistent with the published table.

    Returns rows (row, column, low, high). A cell with ``high - low < 1`` can be worked
    out exactly and is not protected.
    """
    shown = published.to_numpy(dtype=object)
    hidden = [(i, j) for i in range(shown.shape[0]) for j in range(shown.shape[1]) if shown[i, j] == SUPPRESSED]
    if not hidden:
        return pd.DataFrame(columns=["row", "column", "low", "high"])
    position = {cell: k for k, cell in enumerate(hidden)}
    equations, targets = [], []
    for cells in _constraints(shown.shape):
        *inner, total = cells
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for cell in inner:
            if cell in position:
                coefficients[position[cell]] += 1.0
            else:
                constant += float(shown[cell])
        if total in position:
            coefficients[position[total]] -= 1.0
            target = -constant
        else:
            target = float(shown[total]) - constant
        if coefficients.any():
            equations.append(coefficients)
            targets.append(target)
    a_eq, b_eq = np.array(equations), np.array(targets)
    rows = []
    for k, (i, j) in enumerate(hidden):
        objective = np.zeros(len(hidden))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        rows.append({"row": published.index[i], "column": published.columns[j],
                     "low": low.fun if low.success else np.nan,
                     "high": -high.fun if high.status == 0 else np.inf})
    return pd.DataFrame(rows)
