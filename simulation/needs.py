"""Primary need in the simulation: the shares each child's need is drawn from, and the
placement of a new plan by need.

The inputs are published counts of EHC plans in one January
(:class:`simulation.parameters.PrimaryNeeds`: by single year of age and need, and by
placement and need); this module turns them into shares, on plain arrays:

- :func:`shares_by_age` ``(26, needs)``: the share of each need among the plans at each age,
  the need a child is given when it enters the model (identified at SEN support, a direct
  request, a move in with a plan) at the age it enters: the need the early identification
  lever targets. ASSUMPTION (no published source gives the need of children at SEN support
  by age): it is the need mix of EHC plans at that age. Each age's shares are the age's
  counts plus :data:`PRIOR_PLANS` plans in the all-ages mix (so a need with no plan at an
  age in one LA's January is rare there, not impossible).
- :func:`plan_shares_by_age` ``(26, needs)``: the need of a new plan by the age it starts:
  the plans-held shares by age raked (iterative proportional fitting) to the published new
  plans of a calendar year by age and by need, so that new plans have the need mix new
  plans have (in Gloucestershire's 2024 new plans SEMH is 32%, against 23% of the plans
  held in January 2025). A need is not fixed for life: children identified young are mostly
  recorded with speech, language and communication needs, and many of their plans name
  autism or SEMH. :func:`keep_or_change` gives a new plan its need from the child's need at
  entry and the new-plan shares at its age by the coupling that changes fewest needs: the
  need is kept with probability ``min(1, q / p)`` (``p``: the entry shares at the entry
  age, ``q``: the new-plan shares at the age of issue), else drawn from the needs ``q``
  has more of than ``p``; so the plan's need has exactly the new-plan shares, and a child
  keeps its need wherever they allow. ASSUMPTION: no source links a child's need at SEN
  support to the need its plan names.
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
  proportional fitting) so that, over the needs weighted by the need mix of new plans at
  the phase's ages (:func:`phase_need_mix`), they give the phase's shares back exactly:
  placement by need moves children between placements by need, and leaves the expected
  placement of a new plan at each phase what it was (up to how far the simulated ages of
  new plans within a phase differ from the published ones).

Placements at the phase transfers do not depend on need (SEN2 publishes no transfers), and
neither does ceasing: a need whose plans last longer than most (severe learning difficulty,
autism) is a larger share of the plans held than of the new plans, and with one ceasing rate
for every need the simulated mix of plans held drifts towards the mix of new plans over the
run (Gloucestershire, baseline: autism 18.4% of plans in January 2025, 13.2% in 2035; SLCN
23.5% to 34%). A LIMITATION, stated in the run's notes: need-specific ceasing is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simulation.early_support import shift_to_special
from simulation.parameters import AGES, PHASES, PLACEMENTS, Parameters, PrimaryNeeds, phase_by_age

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


def plan_shares_by_age(needs: PrimaryNeeds) -> np.ndarray:
    """``P(need of a new plan | age at its start)``, ``(26, needs)`` (see the module notes):
    :func:`shares_by_age` where new plans by age and need are not given, or at ages with no
    new plan."""
    held = shares_by_age(needs)
    if needs.new_by_age is None or needs.new_by_age.sum() <= 0 or needs.new_by_need.sum() <= 0:
        return held
    by_age = needs.new_by_age
    by_need = needs.new_by_need * by_age.sum() / needs.new_by_need.sum()
    table = rake(held * by_age[:, None], by_age, by_need)
    rows = table.sum(axis=1, keepdims=True)
    return np.where(rows > 0, table / np.where(rows > 0, rows, 1.0), held)


def keep_or_change(
    need: np.ndarray,
    entry: np.ndarray,
    entry_row: np.ndarray,
    plan: np.ndarray,
    plan_row: np.ndarray,
    keep_u: np.ndarray,
    change_u: np.ndarray,
) -> np.ndarray:
    """The need of each new plan from the child's need at entry ``need`` (see the module
    notes): ``entry[entry_row]`` the shares its need was drawn from, ``plan[plan_row]`` the
    new-plan shares at its age of issue (tables of shares, one row per age, and each child's
    row), two uniforms per child. Kept with probability ``min(1, plan / entry)`` of the
    child's need, else drawn from ``max(plan - entry, 0)`` (only those rows are built)."""
    out = np.array(need, copy=True)
    if not out.size:
        return out
    keep = keep_u * entry[entry_row, need] < plan[plan_row, need]
    change = np.flatnonzero(~keep)
    if change.size:
        extra = np.maximum(plan[plan_row[change]] - entry[entry_row[change]], 0.0)
        total = extra.sum(axis=1, keepdims=True)
        cumulative = np.cumsum(extra / np.where(total > 0, total, 1.0), axis=1)
        drawn = np.minimum((change_u[change, None] > cumulative).sum(axis=1), plan.shape[1] - 1)
        out[change] = np.where(total[:, 0] > 0, drawn, out[change])
    return out


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
    """The need mix of new plans at each phase's ages, ``(5, needs)`` (rows sum to 1):
    :func:`plan_shares_by_age` weighted by the new plans at each age where they are given,
    else by the plans held at each age."""
    given = needs.new_by_age is not None and needs.new_by_age.sum() > 0
    weight = (needs.new_by_age if given else needs.by_age.sum(axis=1)) + 1e-6
    counts = np.zeros((len(PHASES), len(needs.names)))
    np.add.at(counts, phase_by_age(), plan_shares_by_age(needs) * weight[:, None])
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
    does not depend on need); and as shares (not cumulative) ``entry`` (:func:`shares_by_age`)
    and ``plan`` (:func:`plan_shares_by_age`), ``(26, needs)``, for :func:`keep_or_change`."""

    by_age: np.ndarray
    entry: np.ndarray
    plan: np.ndarray
    starting: np.ndarray
    placement: np.ndarray | None
    supported_placement: np.ndarray | None


def need_tables(params: Parameters) -> NeedTables:
    """The :class:`NeedTables` of ``params`` (which must have ``needs``)."""
    needs, shares = params.needs, params.placement.new_plan_shares
    assert needs is not None
    multiplier = params.early_identification.special_placement_multiplier
    key = (*(_by_value(getattr(needs, f.name)) for f in fields(needs)), _by_value(shares), multiplier)
    tables = _tables_made.get(key)
    if tables is None:
        tables = _tables(needs, shares, multiplier)
        if len(_tables_made) >= 32:
            _tables_made.pop(next(iter(_tables_made)))  # the oldest
        _tables_made[key] = tables
    return tables


#: tables made, keyed by what they are made from, by value: replications of a scenario
#: share them, so the raking is done once, also in a worker process that gets its own
#: copy of the parameters with each replication
_tables_made: dict[tuple, NeedTables] = {}


def _by_value(value):
    """An array as its shape and bytes (equal bytes, equal array); anything else as it is."""
    if isinstance(value, np.ndarray):
        return value.shape, value.dtype.str, value.tobytes()
    return value


def _tables(needs: PrimaryNeeds, new_plan_shares: np.ndarray, multiplier: float) -> NeedTables:
    entry = shares_by_age(needs)
    plan = plan_shares_by_age(needs)
    by_age = np.cumsum(entry, axis=1)
    starting = np.cumsum(starting_shares(needs), axis=2).reshape(AGES * len(PLACEMENTS), -1)
    shares = placement_by_need(new_plan_shares, needs)
    if shares is None:
        return NeedTables(by_age, entry, plan, starting, None, None)
    supported = shift_to_special(shares, multiplier)
    return NeedTables(
        by_age,
        entry,
        plan,
        starting,
        np.cumsum(shares, axis=2).reshape(-1, len(PLACEMENTS)),
        np.cumsum(supported, axis=2).reshape(-1, len(PLACEMENTS)),
    )
