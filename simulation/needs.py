"""Primary need in the simulation: the shares each child's need is drawn from, and the
placement of a new plan by need.

The inputs are published counts of EHC plans in one January
(:class:`simulation.parameters.PrimaryNeeds`: by single year of age and need, and by
placement and need); this module turns them into shares, on plain arrays:

- :func:`shares_by_age` ``(26, needs)``: the share of each need among the plans at each age,
  the need a child is given at identification (and on arriving by a direct request or a
  move in) at the age it arrives. ASSUMPTION (no published source gives the need of
  children at SEN support or at a request by age): a child's need is drawn from the need
  mix of EHC plans at the age it is identified, and kept. Each age's shares are the age's
  counts plus :data:`PRIOR_PLANS` plans in the all-ages mix (so a need with no plan at an
  age in one LA's January is rare there, not impossible).
- :func:`starting_shares` ``(26, 7, needs)``: the need of a plan in the starting caseload
  given its age and placement. SEN2 publishes need by age and need by placement, not the
  three together: the shares assume age and placement independent given the need
  (``P(need | age, placement)`` proportional to ``P(need | age) P(placement | need)``, the
  table of largest entropy with both published margins), each placement's share of a
  need smoothed like the ages.
- :func:`placement_by_need` ``(needs, 5, 7)``: where a new plan is placed, by need and
  phase. The phase's shares (:class:`simulation.parameters.Placement`, fitted on all plans)
  are tilted by how much more or less often each need is in each placement in the
  published stock (``P(placement | need) / P(placement)``), then raked (iterative
  proportional fitting) so that, over the needs weighted by the need mix of plans at the
  phase's ages, they give the phase's shares back exactly: placement by need moves
  children between placements by need, and leaves the expected placement of a new plan
  at each phase what it was (up to how far the need mix of new plans at a phase differs
  from that of the plans held at its ages).

Placements at the phase transfers do not depend on need (SEN2 publishes no transfers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulation.early_support import shift_to_special
from simulation.parameters import AGES, PHASES, PLACEMENTS, Parameters, Placement, PrimaryNeeds, phase_by_age

#: Weight, in plans, of the all-ages need mix in each age's (and each placement's) shares.
PRIOR_PLANS = 1.0
#: Raking stops when every row and column is within this of its target (or after the sweeps).
RAKE_TOLERANCE = 1e-12
RAKE_SWEEPS = 500


def _overall(needs: PrimaryNeeds) -> np.ndarray:
    total = needs.by_age.sum(axis=0)
    return total / total.sum()


def shares_by_age(needs: PrimaryNeeds) -> np.ndarray:
    """``P(need | age)``, ``(26, needs)``, rows summing to 1 (see the module notes)."""
    counts = needs.by_age + PRIOR_PLANS * _overall(needs)[None, :]
    return counts / counts.sum(axis=1, keepdims=True)


def placement_given_need(needs: PrimaryNeeds) -> np.ndarray | None:
    """``P(placement | need)``, ``(7, needs)``, columns summing to 1, each need's column
    smoothed towards the all-needs placement mix by :data:`PRIOR_PLANS` plans; ``None``
    without ``by_placement`` (or with no plan in it)."""
    if needs.by_placement is None or needs.by_placement.sum() <= 0:
        return None
    counts = needs.by_placement
    overall = counts.sum(axis=1) / counts.sum()
    smoothed = counts + PRIOR_PLANS * overall[:, None]
    return smoothed / smoothed.sum(axis=0, keepdims=True)


def starting_shares(needs: PrimaryNeeds) -> np.ndarray:
    """``P(need | age, placement)``, ``(26, 7, needs)`` (see the module notes); without
    placement counts, ``P(need | age)`` for every placement."""
    by_age = shares_by_age(needs)
    given = placement_given_need(needs)
    if given is None:
        return np.broadcast_to(by_age[:, None, :], (AGES, len(PLACEMENTS), len(needs.names))).copy()
    joint = by_age[:, None, :] * given[None, :, :]
    total = joint.sum(axis=2, keepdims=True)
    return np.where(total > 0, joint / np.where(total > 0, total, 1.0), by_age[:, None, :])


def rake(seed: np.ndarray, row_totals: np.ndarray, column_totals: np.ndarray) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` (>= 0) to the row and column totals
    (which must have the same sum). Cells that are 0 stay 0; a row or column whose seed is
    all 0 stays 0 (its total cannot be met and is not)."""
    table = np.array(seed, dtype=float)
    for _ in range(RAKE_SWEEPS):
        rows = table.sum(axis=1)
        table *= np.divide(row_totals, rows, out=np.zeros_like(rows), where=rows > 0)[:, None]
        columns = table.sum(axis=0)
        table *= np.divide(column_totals, columns, out=np.zeros_like(columns), where=columns > 0)[None, :]
        if np.abs(table.sum(axis=1) - row_totals).max() < RAKE_TOLERANCE:
            break
    return table


def phase_need_mix(needs: PrimaryNeeds) -> np.ndarray:
    """The need mix of plans held at each phase's ages, ``(5, needs)`` (rows sum to 1)."""
    phase = phase_by_age()
    counts = np.zeros((len(PHASES), len(needs.names)))
    np.add.at(counts, phase, needs.by_age + PRIOR_PLANS * _overall(needs)[None, :])
    return counts / counts.sum(axis=1, keepdims=True)


def placement_by_need(phase_shares: np.ndarray, needs: PrimaryNeeds) -> np.ndarray | None:
    """Placement of a new plan by need and phase, ``(needs, 5, 7)``, rows summing to 1 (see
    the module notes): ``None`` without placement counts."""
    given = placement_given_need(needs)
    if given is None:
        return None
    overall = needs.by_placement.sum(axis=1) / needs.by_placement.sum()
    # how much more often than all needs each need is in each placement (1 where no plan is)
    tilt = np.divide(given, overall[:, None], out=np.ones_like(given), where=overall[:, None] > 0).T
    mix = phase_need_mix(needs)
    out = np.empty((len(needs.names), len(PHASES), len(PLACEMENTS)))
    for k in range(len(PHASES)):
        shares = np.asarray(phase_shares[k], dtype=float)
        table = rake(mix[k][:, None] * shares[None, :] * tilt, mix[k], shares)
        rows = table.sum(axis=1, keepdims=True)
        # a need no plan has (never drawn) is placed as the phase's shares say
        out[:, k, :] = np.where(rows > 0, table / np.where(rows > 0, rows, 1.0), shares[None, :])
    return out


@dataclass(frozen=True)
class NeedTables:
    """Cumulative shares the model draws needs and placements from (rows for
    :func:`simulation.plan_paths.choose_by_row`): ``by_age`` ``(26, needs)``; ``starting``
    ``(26 * 7, needs)``, row ``age * 7 + placement``; ``placement`` and
    ``supported_placement`` ``(needs * 5, 7)``, row ``need * 5 + phase`` (``None``: placement
    does not depend on need)."""

    by_age: np.ndarray
    starting: np.ndarray
    placement: np.ndarray | None
    supported_placement: np.ndarray | None


def need_tables(params: Parameters) -> NeedTables:
    """The :class:`NeedTables` of ``params`` (which must have ``needs``)."""
    return _tables(params.needs, params.placement, params.early_identification.special_placement_multiplier)


@lru_cache(maxsize=32)
def _tables(needs: PrimaryNeeds, placement: Placement, multiplier: float) -> NeedTables:
    # keyed on the (frozen, compared by identity) needs and placement objects and the one
    # lever setting used: replications of a scenario share them, so the raking is done once
    by_age = np.cumsum(shares_by_age(needs), axis=1)
    starting = np.cumsum(starting_shares(needs), axis=2).reshape(AGES * len(PLACEMENTS), -1)
    shares = placement_by_need(placement.new_plan_shares, needs)
    if shares is None:
        return NeedTables(by_age, starting, None, None)
    supported = shift_to_special(shares, multiplier)
    return NeedTables(
        by_age,
        starting,
        np.cumsum(shares, axis=2).reshape(-1, len(PLACEMENTS)),
        np.cumsum(supported, axis=2).reshape(-1, len(PLACEMENTS)),
    )
