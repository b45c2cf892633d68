"""Time order of many events at once, as a stable sort gives it, at the cost of a quick one.

numpy's stable sort of floats (a merge sort) is several times slower than its default
sort (vectorised): about 2.7 against 0.6 ms for the ~60,000 identifications of a
Gloucestershire replication. The two orders differ only among equal values, which random
times almost never have; :func:`stable_order` sorts quickly and falls back to the stable
sort only when the sorted values hold a tie, so the order is always the stable one.
"""

from __future__ import annotations

import numpy as np


def stable_order(values: np.ndarray) -> np.ndarray:
    """The indices that sort ``values`` (1-D, no NaN), equal values in their original
    order: exactly ``np.argsort(values, kind="stable")``."""
    order = np.argsort(values)
    ordered = values[order]
    if ordered.size > 1 and (ordered[1:] == ordered[:-1]).any():
        return np.argsort(values, kind="stable")
    return order
