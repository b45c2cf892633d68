"""Placement paths of EHC plans, worked out ahead for many children at once (numpy).

A plan's placement changes only at phase transfers (on the 1 September a child's school-year
age reaches one of :data:`PHASE_START_AGES`: :func:`simulation.parameters.transfer_times`), by the
transfer matrix and the child's own uniform draw for that transfer, so the placement a child
would have in every later phase is fixed by the placement it starts in. The SimPy model uses
this twice:

- to see, when a plan starts, whether it can ever need a local special place before age 25
  (:func:`touches`): plans that cannot touch no shared capacity, so they need no events;
- to write those plans' spells afterwards in one pass (:func:`plan_segments`).

Phases are indices into ``PHASE_START_AGES`` (0 early years, 1 primary, 2 secondary,
3 post-16, 4 post-19); placements are indices into ``PLACEMENTS``.
"""

from __future__ import annotations

import numpy as np

from simulation.parameters import PHASE_START_AGES, transfer_times

N_PHASES = len(PHASE_START_AGES)


def choose(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category drawn by uniforms ``u`` from cumulative shares (one row per child, or one
    row for all): the first category whose cumulative share is at least ``u``."""
    cumulative = np.atleast_2d(cumulative)
    return np.minimum((u[:, None] > cumulative).sum(axis=1), cumulative.shape[1] - 1)


def choose_by_row(cumulative: np.ndarray, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """:func:`choose` with each child's cumulative shares taken from row ``row`` of
    ``cumulative`` (rows non-decreasing, as cumulative shares are): how many of the row's
    shares are below the draw, counted one share at a time for every child at once, with
    no per-child copy of the row (the last share needs no test: below the draw, it is the
    last category either way). ``row`` ``-1`` reads the last row. At most 128 categories."""
    if cumulative.shape[1] > 128:
        raise ValueError(f"choose_by_row: {cumulative.shape[1]} categories, at most 128 are counted")
    counted = np.zeros(row.size, dtype=np.int8)
    below = np.empty(row.size, dtype=bool)
    u = np.ascontiguousarray(u)
    for share in range(cumulative.shape[1] - 1):
        np.less(np.ascontiguousarray(cumulative[:, share]).take(row), u, out=below)
        counted += below.view(np.int8)
    return counted.astype(np.int64)


def placement_paths(
    start_group: np.ndarray, start_phase: np.ndarray, transfer_cum: np.ndarray, transfer_u: np.ndarray
) -> np.ndarray:
    """Placement in each phase, ``(children, phases)``, for plans starting in ``start_group``
    in ``start_phase``; ``-1`` in phases before the start.

    ``transfer_cum[p - 1, g]`` holds the cumulative transfer shares out of placement ``g``
    on entering phase ``p`` (non-decreasing, as cumulative shares are);
    ``transfer_u[:, p - 1]`` the child's draw for that transfer (:func:`choose_by_row`).
    """
    n = start_group.size
    paths = np.empty((n, N_PHASES), dtype=np.int64)  # every column is written below
    current = np.full(n, -1, dtype=np.int64)
    for phase in range(N_PHASES):
        if phase > 0:
            # plans not yet started (-1) read the last row, and stay -1
            current = np.where(
                current >= 0, choose_by_row(transfer_cum[phase - 1], current, transfer_u[:, phase - 1]), -1
            )
        starting = start_phase == phase
        current[starting] = start_group[starting]
        paths[:, phase] = current
    return paths


def touches(paths: np.ndarray, group: int) -> np.ndarray:
    """Whether each path is in ``group`` in any phase."""
    return (paths == group).any(axis=1)


def plan_segments(
    start: np.ndarray, cease: np.ndarray, birth: np.ndarray, paths: np.ndarray, until: float = np.inf
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spells ``[start, end)`` of each plan in each phase's placement.

    ``start``: plan start (run years); ``cease``: the time the plan ends (``inf`` if it
    does not end in the run); ``birth``: time of birth. Returns ``(spell_start, spell_end,
    placement, plan_index)`` for the non-empty spells that start at or before ``until``
    (the end of the run: later spells count in no output); a plan in the same placement
    across a transfer gives one spell per phase (every output adds spells up, so that is
    the same as one longer spell).
    """
    # phase p runs from the 1 September of the transfer into it to the next one's (:func:`transfer_times`)
    transfers = np.column_stack(
        [np.full(birth.size, -np.inf)]
        + [transfer_times(birth, age) for age in PHASE_START_AGES[1:]]
        + [np.full(birth.size, np.inf)]
    )
    lows = np.maximum(start[:, None], transfers[:, :-1])
    highs = np.minimum(cease[:, None], transfers[:, 1:])
    keep = np.flatnonzero((paths >= 0) & (lows < highs) & (lows <= until))
    return lows.ravel()[keep], highs.ravel()[keep], paths.ravel()[keep], keep // N_PHASES
