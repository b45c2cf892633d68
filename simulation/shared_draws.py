"""Draws, and what follows from them alone, that a replication's scenarios share: made once.

Replication ``r`` of every scenario reads the same streams (:mod:`simulation.streams`,
common random numbers), so where two scenarios ask a stream for the same draws (the same
activity, the same number of children, the same distribution) they get the same arrays. A
scenario run after another in the same replication and process (a baseline and its option:
:func:`sendcast.scenarios.replications.run_replications` runs them as one task) takes them
from here instead of drawing them again: in a Gloucestershire replication the children's
first draws and the identifications cost about 6 ms of about 110. The model keeps here too
the first SEN support events it walked (:meth:`simulation.model._Model._start_sen_support`),
for the next scenario to take those of the children whose start, birth, draws and hazards
are the same.

Only the draws of streams used for nothing else are kept, so a stream read from here is
never read again by the replication: its later numbers do not depend on whether the draws
were made or taken. The arrays are made read-only, so nobody can change what the next
scenario reads.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

#: what is kept, by key (the stream's seed and replication, and what was drawn); the oldest
#: go first beyond :data:`_MAX_KEPT` (a pair needs one of each kind)
_kept: dict[Hashable, Any] = {}
_MAX_KEPT = 8


def shared(key: Hashable, make: Callable[[], T]) -> T:
    """The draws ``make()`` makes for ``key`` (which must name the seed, the replication and
    everything the draws depend on), made once; numpy arrays in them (a tuple) read-only."""
    if key in _kept:
        return _kept[key]
    made = make()
    keep(key, made)
    return made


def kept(key: Hashable) -> Any:
    """What was kept for ``key``, or ``None``."""
    return _kept.get(key)


def keep(key: Hashable, value: Any) -> None:
    """Keep ``value`` (numpy arrays in it, a tuple, made read-only) for ``key``."""
    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, np.ndarray):
            item.flags.writeable = False
    if key not in _kept and len(_kept) >= _MAX_KEPT:
        _kept.pop(next(iter(_kept)))
    _kept[key] = value


def forget() -> None:
    """Drop everything kept."""
    _kept.clear()
