"""Placement paths of EHC plans, worked out ahead for many children at once (numpy).

A plan's placement changes at phase transfers (on the 1 September a child's school-year
age reaches one of :data:`PHASE_START_AGES`: :func:`simulation.parameters.transfer_times`), by the
transfer matrix and the child's own uniform draw for that transfer, and, with mid-phase moves
(:attr:`simulation.parameters.Placement.mid_phase_moves`), at most once inside a phase, on a
1 September, by the child's own two draws for that phase (when, :func:`move_times`, and where).
So the placement a child would have in every later phase is fixed by the placement it starts
in. The SimPy model uses this twice:

- to see, when a plan starts, whether it can ever need a local special place before age 25
  (:func:`touches`): plans that cannot touch no shared capacity, so they need no events;
- to write those plans' spells afterwards in one pass (:func:`plan_segments`).

Phases are indices into ``PHASE_START_AGES`` (0 early years, 1 primary, 2 secondary,
3 post-16, 4 post-19); placements are indices into ``PLACEMENTS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulation.parameters import (
    AGES,
    MOVE_FROM,
    PHASE_START_AGES,
    SEPTEMBER,
    school_year_age,
    school_year_ages,
    transfer_times,
)

N_PHASES = len(PHASE_START_AGES)


#: More Septembers than any phase has: a move this far off never happens.
_NEVER = 1e6


def move_ages(phase: int) -> tuple[int, int]:
    """The school-year ages (first, last) whose 1 September a child can move on inside
    ``phase``: every September of the phase but the transfer into it (primary: 5-10)."""
    last = PHASE_START_AGES[phase + 1] - 1 if phase + 1 < N_PHASES else AGES - 1
    return PHASE_START_AGES[phase] + 1, last


def move_times(birth: np.ndarray, since: np.ndarray, phase: int, probability: float, u: np.ndarray) -> np.ndarray:
    """When children born at ``birth`` move inside ``phase`` (run years; ``inf``: not in the
    phase): on the ``n``-th 1 September of the phase (:func:`move_ages`) after ``since``
    (the start of the plan's spell in the phase), ``n = ceil(log(1 - u) / log(1 - p))``,
    the first success of a draw with probability ``probability`` each September (one
    uniform ``u`` per child, so a child's move is fixed by its own draw)."""
    birth, since, u = (np.asarray(values, dtype=float) for values in (birth, since, u))
    if probability <= 0:
        return np.full(birth.shape, np.inf)
    first, last = move_ages(phase)
    if probability >= 1:
        nth = np.ones(u.shape)
    else:  # (capped: a tiny probability would overflow, and any n past the phase's last September is no move)
        with np.errstate(over="ignore"):
            ratio = np.minimum(np.log1p(-u) / math.log1p(-probability), _NEVER)
        nth = np.maximum(np.ceil(ratio), 1.0)
    age = np.maximum(school_year_ages(since, birth) + 1.0, first) + nth - 1.0
    return np.where(age <= last, transfer_times(birth, age), np.inf)


def move_time(birth: float, since: float, phase: int, probability: float, u: float) -> float:
    """:func:`move_times` for one child (same arithmetic)."""
    if probability <= 0:
        return math.inf
    first, last = move_ages(phase)
    # (numpy's log1p for the draw, as :func:`move_times`: the two must agree to the last bit)
    nth = 1.0 if probability >= 1 else max(math.ceil(min(float(np.log1p(-u)) / math.log1p(-probability), _NEVER)), 1.0)
    age = max(school_year_age(since, birth) + 1.0, first) + nth - 1.0
    return math.ceil(birth + age - 1.0 - 1e-9) + SEPTEMBER if age <= last else math.inf


@dataclass(frozen=True)
class MoveDraws:
    """What decides the mid-phase moves of many plans: ``probability[phase, to]``, the
    chance a child placed in mainstream or a resourced unit moves to ``to`` on a September
    inside the phase (:attr:`simulation.parameters.Placement.mid_phase_moves`); each plan's
    ``start`` and the child's ``birth`` (run years); each child's uniforms ``u[:, phase, 0]``
    (when) and ``u[:, phase, 1]`` (where)."""

    probability: np.ndarray
    start: np.ndarray
    birth: np.ndarray
    u: np.ndarray


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
    return _walk(start_group, start_phase, transfer_cum, transfer_u, None)[0]


def paths_with_moves(
    start_group: np.ndarray,
    start_phase: np.ndarray,
    transfer_cum: np.ndarray,
    transfer_u: np.ndarray,
    moves: MoveDraws,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`placement_paths` with mid-phase moves: ``(paths, moved)``. ``paths`` is
    ``(children, 2 * phases)``: in each phase the placement from the phase's start (or
    the plan's), then the placement after the child's move in it (the same if it does not
    move); ``moved`` ``(children, phases)`` the time of the move (``inf``: none). A move
    that would come after the plan ceases still counts in the path (as later transfers
    do); :func:`plan_segments` cuts it off."""
    paths, moved = _walk(start_group, start_phase, transfer_cum, transfer_u, moves)
    assert moved is not None
    return paths, moved


def _walk(
    start_group: np.ndarray,
    start_phase: np.ndarray,
    transfer_cum: np.ndarray,
    transfer_u: np.ndarray,
    moves: MoveDraws | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    n = start_group.size
    paths = np.empty((n, N_PHASES if moves is None else 2 * N_PHASES), dtype=np.int64)  # every column is written
    moved = None if moves is None else np.full((n, N_PHASES), np.inf)
    current = np.full(n, -1, dtype=np.int64)
    for phase in range(N_PHASES):
        if phase > 0:
            # plans not yet started (-1) read the last row, and stay -1
            current = np.where(
                current >= 0, choose_by_row(transfer_cum[phase - 1], current, transfer_u[:, phase - 1]), -1
            )
        starting = start_phase == phase
        current[starting] = start_group[starting]
        if moves is None or moved is None:
            paths[:, phase] = current
            continue
        paths[:, 2 * phase] = current
        probability = float(moves.probability[phase].sum())
        movable = np.flatnonzero(np.isin(current, MOVE_FROM)) if probability > 0 else np.empty(0, dtype=np.int64)
        if movable.size:
            birth = moves.birth[movable]
            since = moves.start[movable]
            if phase > 0:  # the spell in the phase starts at the transfer into it, or at the plan's start
                since = np.maximum(since, transfer_times(birth, PHASE_START_AGES[phase]))
            when = move_times(birth, since, phase, probability, moves.u[movable, phase, 0])
            hit = np.isfinite(when)
            where = np.cumsum(moves.probability[phase]) / probability
            current = current.copy()
            current[movable[hit]] = choose(where, moves.u[movable[hit], phase, 1])
            moved[movable[hit], phase] = when[hit]
        paths[:, 2 * phase + 1] = current
    return paths, moved


def touches(paths: np.ndarray, group: int) -> np.ndarray:
    """Whether each path is in ``group`` in any phase."""
    return (paths == group).any(axis=1)


def plan_segments(
    start: np.ndarray,
    cease: np.ndarray,
    birth: np.ndarray,
    paths: np.ndarray,
    until: float = np.inf,
    moved: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spells ``[start, end)`` of each plan in each phase's placement (with ``moved``, the
    paths and move times of :func:`paths_with_moves`: two per phase, split at the move).

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
    if moved is None:
        begins, ends = transfers[:, :-1], transfers[:, 1:]
    else:  # each phase from its start to the move, then from the move to its end
        split = np.minimum(np.maximum(moved, transfers[:, :-1]), transfers[:, 1:])
        begins = np.column_stack([transfers[:, :-1], split]).reshape(-1, 2, N_PHASES).transpose(0, 2, 1)
        begins = begins.reshape(birth.size, 2 * N_PHASES)
        ends = np.column_stack([split, transfers[:, 1:]]).reshape(-1, 2, N_PHASES).transpose(0, 2, 1)
        ends = ends.reshape(birth.size, 2 * N_PHASES)
    lows = np.maximum(start[:, None], begins)
    highs = np.minimum(cease[:, None], ends)
    keep = np.flatnonzero((paths >= 0) & (lows < highs) & (lows <= until))
    return lows.ravel()[keep], highs.ravel()[keep], paths.ravel()[keep], keep // paths.shape[1]
