"""Placement paths of EHC plans, worked out ahead for many children at once (numpy).

A plan's placement changes only at phase transfers (ages :data:`PHASE_START_AGES`), by the
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

from simulation.parameters import PHASE_START_AGES

N_PHASES = len(PHASE_START_AGES)


def choose(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category drawn by uniforms ``u`` from cumulative shares (one row per child, or one
    row for all): the first category whose cumulative share is at least ``u``."""
    cumulative = np.atleast_2d(cumulative)
    return np.minimum((u[:, None] > cumulative).sum(axis=1), cumulative.shape[1] - 1)


def placement_paths(start_group: np.ndarray, start_phase: np.ndarray, transfer_cum: np.ndarray,
                    transfer_u: np.ndarray) -> np.ndarray:
    """Placement in each phase, ``(children, phases)``, for plans starting in ``start_group``
    in ``start_phase``; ``-1`` in phases before the start.

    ``transfer_cum[p - 1, g]`` holds the cumulative transfer shares out of placement ``g``
    on entering phase ``p``; ``transfer_u[:, p - 1]`` the child's draw for that transfer.
    """
    n = start_group.size
    paths = np.full((n, N_PHASES), -1, dtype=np.int64)
    current = np.full(n, -1, dtype=np.int64)
    for phase in range(N_PHASES):
        starting = start_phase == phase
        current[starting] = start_group[starting]
        moving = (start_phase < phase) & (current >= 0)
        if phase > 0 and moving.any():
            current[moving] = choose(transfer_cum[phase - 1][current[moving]], transfer_u[moving, phase - 1])
        paths[:, phase] = current
    return paths


def touches(paths: np.ndarray, group: int) -> np.ndarray:
    """Whether each path is in ``group`` in any phase."""
    return (paths == group).any(axis=1)


def plan_segments(start: np.ndarray, cease: np.ndarray, birth: np.ndarray,
                  paths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Spells ``[start, end)`` of each plan in each phase's placement.

    ``start``: plan start (run years); ``cease``: the time the plan ends (``inf`` if it
    does not end in the run); ``birth``: time of birth. Returns ``(spell_start, spell_end,
    placement, plan_index)`` for the non-empty spells; a plan in the same placement across
    a transfer gives one spell per phase (every output adds spells up, so that is the
    same as one longer spell).
    """
    bounds = np.array(PHASE_START_AGES[1:] + (np.inf,), dtype=float)
    lows = np.maximum(start[:, None], birth[:, None] + np.array(PHASE_START_AGES, dtype=float)[None, :])
    highs = np.minimum(cease[:, None], birth[:, None] + bounds[None, :])
    keep = (paths >= 0) & (lows < highs)
    index, _ = np.nonzero(keep)
    return lows[keep], highs[keep], paths[keep], index
