"""Disclosure control for tables built from a council's own data below LA level.

Published DfE aggregates are public. A council's own person-level or small-area data
(children by school, ward or district and need) is not: any table sendcast builds from
it hides small counts before it is shown, written or charted, as DfE does.

The rules (:func:`apply_disclosure_control`):

1. **Primary suppression.** A count from 1 to 5 (:data:`LOW` to :data:`HIGH`) is shown
   as ``"c"``. Zero is shown: it reveals no child. This applies to every cell, totals
   included.
2. **Audit.** For every hidden cell, linear programming finds the smallest and the
   largest value it could take given everything published: the shown cells, the facts
   that each row's cells add up to its row total, each column's to its column total and
   the totals to the grand total, and that counts are never negative. The table's
   constraints form a network (each cell sits in one row and one column sum), so these
   bounds are whole numbers and are exactly what a reader could work out, with or
   without integer arithmetic.
3. **Protection rule.** A hidden cell is *protected* when the range a reader can work
   out for it is at least :data:`PROTECTION_LEVEL` wide (``high - low >= 5`` by
   default), or unbounded. With the default, the margins tell a reader no more about a
   hidden count than ``"c"`` itself does (a band as wide as 0 to 5). A range at least
   one wide can never pin the true value. The rule applies to every hidden cell,
   secondary ones included, so that no ``"c"`` can be worked out.
4. **Repair loop.** While some hidden cell is exposed (not protected), take the exposed
   cell first in reading order (top row first, left to right) and hide one more cell:
   among the shown cells in the same row or column (totals included), the smallest
   count whose hiding widens the exposed cell's range (ties: reading order); if none
   widens it on its own, the smallest of them; if the row and column are all hidden
   already, the smallest shown cell anywhere in the table. Then audit again.

The loop always ends: every round hides one more cell, and a table with every cell
hidden publishes nothing, so every range is unbounded and protected.

What is published: the table with ``"c"`` in place of hidden counts, and, if wanted,
the audit ranges (:func:`audit`), which hold nothing a reader could not compute from
the published table. Never published: which hidden cells were primary (that would say
they hold 1 to 5) or any checksum of the input (a reader could test guesses against it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from sendcast.data.small_area import TOTAL

LOW, HIGH = 1, 5
SUPPRESSED = "c"
#: Minimum width of the range a reader can work out for a hidden count.
PROTECTION_LEVEL = 5
AUDIT_COLUMNS = ["row", "column", "low", "high", "width", "protected"]


@dataclass(frozen=True)
class ProtectedTable:
    """The result of disclosure control.

    ``published`` is the table with margins and ``"c"`` for hidden counts (safe to
    publish); ``audit`` the range a reader can work out for each hidden cell (safe to
    publish); ``primary`` and ``secondary`` count the hidden cells by reason and
    ``rounds`` the repair rounds (for the run log, not for publication beside the table).
    """

    published: pd.DataFrame
    audit: pd.DataFrame
    primary: int
    secondary: int
    rounds: int


def with_margins(counts: pd.DataFrame) -> pd.DataFrame:
    """Add a ``Total`` column and a ``Total`` row to a table of counts."""
    out = counts.copy()
    out[TOTAL] = out.sum(axis=1)
    out.loc[TOTAL] = out.sum(axis=0)
    return out


def apply_disclosure_control(counts: pd.DataFrame, *, protection_level: float = PROTECTION_LEVEL
                             ) -> ProtectedTable:
    """Protect a table of counts (areas by categories, **without** totals).

    ``counts`` holds whole numbers of 0 or more; its row and column labels are the
    areas and categories. Margins are added (:func:`with_margins`), then the rules in
    this module's docstring are applied. Raises ``ValueError`` for a table that is not
    whole non-negative counts or already has a ``Total`` row or column.
    """
    if protection_level < 1:
        raise ValueError("the protection level must be at least 1 (otherwise a hidden count could be pinned)")
    values = counts.to_numpy(dtype=float)
    if values.size == 0:
        raise ValueError("disclosure control needs at least one row and one column of counts")
    if (values < 0).any() or not np.allclose(values, np.round(values)):
        raise ValueError("disclosure control needs whole counts of 0 or more")
    if TOTAL in counts.index or TOTAL in counts.columns:
        raise ValueError(f"the table already has a {TOTAL!r} row or column; give the counts only")
    table = with_margins(counts)
    full = table.to_numpy(dtype=float)
    primary = (full >= LOW) & (full <= HIGH)
    hidden = primary.copy()
    rounds = 0
    while (exposed := _first_exposed(full, hidden, protection_level)) is not None:
        hidden[_next_to_hide(full, hidden, exposed)] = True
        rounds += 1
    published = _publish(table, hidden)
    return ProtectedTable(published, audit(published), int(primary.sum()), int((hidden & ~primary).sum()), rounds)


def audit(published: pd.DataFrame, *, protection_level: float = PROTECTION_LEVEL) -> pd.DataFrame:
    """For each hidden cell of a published table (margins last), the range a reader can
    work out: rows (row, column, low, high, width, protected)."""
    shown = published.to_numpy(dtype=object)
    hidden = shown == SUPPRESSED
    full = np.where(hidden, 0, shown).astype(float)
    rows = []
    for (i, j), (low, high) in _ranges(full, hidden).items():
        rows.append({"row": published.index[i], "column": published.columns[j], "low": low, "high": high,
                     "width": high - low, "protected": _protected(low, high, protection_level)})
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def _first_exposed(full: np.ndarray, hidden: np.ndarray, protection_level: float) -> tuple[int, int] | None:
    """The first hidden cell in reading order that is not protected, or ``None``."""
    for cell in (tuple(int(k) for k in c) for c in np.argwhere(hidden)):
        low, high = _ranges(full, hidden, cell)[cell]
        if not _protected(low, high, protection_level):
            return cell
    return None


def _protected(low: float, high: float, protection_level: float) -> bool:
    return bool(high - low >= protection_level - 1e-6)


def _publish(table: pd.DataFrame, hidden: np.ndarray) -> pd.DataFrame:
    out = table.astype(object).copy()
    values = table.to_numpy(dtype=float)
    out[:] = [[SUPPRESSED if hidden[i, j] else int(round(values[i, j])) for j in range(values.shape[1])]
              for i in range(values.shape[0])]
    return out


def _equations(shape: tuple[int, int]) -> np.ndarray:
    """The additive facts of a table with margins, one equation per row and column.

    Every cell of the ``rows x cols`` table (margins included) is a variable, numbered
    in reading order. Row ``i``: its inner cells minus its total = 0; likewise columns.
    """
    rows, cols = shape
    equations = []
    for i in range(rows):
        line = np.zeros(rows * cols)
        line[i * cols: i * cols + cols - 1] = 1.0
        line[i * cols + cols - 1] = -1.0
        equations.append(line)
    for j in range(cols):
        line = np.zeros(rows * cols)
        line[[i * cols + j for i in range(rows - 1)]] = 1.0
        line[(rows - 1) * cols + j] = -1.0
        equations.append(line)
    return np.array(equations)


def _ranges(full: np.ndarray, hidden: np.ndarray, only: tuple[int, int] | None = None
            ) -> dict[tuple[int, int], tuple[float, float]]:
    """Smallest and largest value of each hidden cell (or of ``only``) consistent with
    the shown cells, the margins and non-negativity."""
    a_eq = _equations(full.shape)
    bounds = [(0.0, None) if hide else (value, value) for value, hide in zip(full.ravel(), hidden.ravel())]
    cols = full.shape[1]
    cells = [only] if only is not None else [tuple(int(k) for k in c) for c in np.argwhere(hidden)]
    out = {}
    for i, j in cells:
        objective = np.zeros(full.size)
        objective[i * cols + j] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds, method="highs")
        if low.status != 0:
            raise RuntimeError(f"disclosure audit: the published table is inconsistent ({low.message})")
        top = np.inf if high.status == 3 else -high.fun
        out[(i, j)] = (round(float(low.fun), 6), round(float(top), 6) if np.isfinite(top) else np.inf)
    return out


def _next_to_hide(full: np.ndarray, hidden: np.ndarray, exposed: tuple[int, int]) -> tuple[int, int]:
    """The cell to hide next to protect ``exposed`` (rule 4 in the module docstring)."""
    i, j = exposed
    rows, cols = full.shape
    same_line = [(i, c) for c in range(cols) if c != j] + [(r, j) for r in range(rows) if r != i]
    candidates = sorted((c for c in same_line if not hidden[c]), key=lambda c: (full[c], c))
    if not candidates:
        return min((tuple(int(k) for k in c) for c in np.argwhere(~hidden)), key=lambda c: (full[c], c))
    before = _ranges(full, hidden, exposed)[exposed]
    for candidate in candidates:
        trial = hidden.copy()
        trial[candidate] = True
        low, high = _ranges(full, trial, exposed)[exposed]
        if high - low > before[1] - before[0] + 1e-6:
            return candidate
    return candidates[0]
