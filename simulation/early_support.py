"""Early identification: who the programme reaches, and their hazards on SEN support.

The rules are the lever's (:class:`simulation.parameters.EarlyIdentification`); this
module applies them for the model (:mod:`simulation.model`), on plain arrays:

- :func:`reach`: which identifications are moved earlier and which potential extra
  identifications happen, within the programme's yearly capacity, first come first
  served by the time the child is reached. Children keep their place in the arrays
  (their ids, so their own random draws, stay those of a scenario without the lever:
  common random numbers); an extra identification that does not happen is given an
  infinite time (the child never enters the model).
- :class:`SupportHazards`: the SEN support hazards of a supported child. The request
  hazard is multiplied by the group's escalation multiple (in the years gained by
  identifying earlier, or always for the extra children) and by the relative risk of
  support at the child's years since identification, counted in whole calendar years
  (``year of the run - year identified``); "needs met" exits by the lever's multiplier.
  One :class:`~simulation.hazards.CompetingHazards` per (group, year identified), shared
  where they are the same; an unsupported child (key 0) uses the usual hazards.

Times are years from 1 January of the run's first year; ages exact years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.hazards import CompetingHazards
from simulation.parameters import MAX_MORE_IDENTIFIED, EarlyIdentification

EARLIER, MORE = 0, 1  # support groups


@dataclass(frozen=True)
class Reach:
    """Result of :func:`reach` for the identification arrays (usual, then pool).

    ``time``: identification times after the lever (moved earlier, or infinite for pool
    children not identified); ``group``: -1 not supported, else :data:`EARLIER` / :data:`MORE`."""

    time: np.ndarray
    group: np.ndarray


def reach(
    lever: EarlyIdentification,
    time: np.ndarray,
    birth: np.ndarray,
    u: np.ndarray,
    pool_time: np.ndarray,
    u_pool: np.ndarray,
    eligible: np.ndarray | None = None,
) -> Reach:
    """Apply the lever to usual identifications ``(time, birth, u)`` and to the pool of
    potential extra identifications ``(pool_time, u_pool)`` (see the module notes); the
    returned arrays follow ``time`` then ``pool_time``. ``eligible`` (optional, one flag per
    child of ``time`` then ``pool_time``): only those children can be reached (a lever
    targeted at some primary needs); ``None``: every child."""
    n, m = time.size, pool_time.size
    out_time = np.concatenate([time, np.full(m, np.inf)])
    group = np.full(n + m, -1, dtype=np.int64)
    if not lever.active:
        return Reach(out_time, group)
    age = time - birth
    new_time = time - lever.years_earlier
    earlier = (age >= lever.late_age) & (new_time >= 0) & (u < lever.share_identified_early)
    more = u_pool < lever.share_more_identified / MAX_MORE_IDENTIFIED
    candidate_time = np.concatenate([np.where(earlier, new_time, np.inf), np.where(more, pool_time, np.inf)])
    chosen = np.concatenate([earlier, more])
    if eligible is not None:
        chosen &= eligible
    if lever.capacity_children_per_year is not None:
        idx = np.flatnonzero(chosen)
        idx = idx[np.argsort(candidate_time[idx], kind="stable")]
        year = np.floor(candidate_time[idx]).astype(np.int64)
        rank = np.arange(idx.size) - np.searchsorted(year, year, side="left")
        chosen = np.zeros(n + m, dtype=bool)
        chosen[idx[rank < lever.capacity_children_per_year]] = True
    out_time[chosen] = candidate_time[chosen]
    group[chosen] = np.where(np.arange(n + m)[chosen] < n, EARLIER, MORE)
    return Reach(out_time, group)


class SupportHazards:
    """SEN support hazards by support key: 0 unsupported, ``1 + group * horizon + year``
    for a child of ``group`` identified in run year ``year`` (see the module notes)."""

    def __init__(self, lever: EarlyIdentification, usual: CompetingHazards) -> None:
        self.lever = lever
        self.usual = usual
        self.horizon = usual.horizon
        self._cache: dict[int, CompetingHazards] = {0: usual}
        self._by_modifiers: dict[tuple, CompetingHazards] = {}

    def key(self, group: np.ndarray, time: np.ndarray) -> np.ndarray:
        """Support key of each child (``group`` -1: unsupported)."""
        year = np.clip(np.floor(np.where(np.isfinite(time), time, 0.0)), 0, self.horizon - 1).astype(np.int64)
        return np.where(group >= 0, 1 + np.maximum(group, 0) * self.horizon + year, 0)

    def modifiers(self, group: int, year: int) -> tuple[np.ndarray, float]:
        """Request hazard multiplier for each run year, and the needs-met multiplier."""
        lever = self.lever
        since = np.arange(self.horizon) - year
        request = lever.relative_risk_after(np.maximum(since, 0))
        if group == EARLIER:
            request = request * np.where(since < lever.years_earlier, lever.late_identified_escalation_multiple, 1.0)
        else:
            request = request * lever.more_identified_escalation_multiple
        request = np.where(since < 0, 1.0, request)
        return request, lever.needs_met_multiplier

    def hazard(self, key: int) -> CompetingHazards:
        found = self._cache.get(key)
        if found is not None:
            return found
        group, year = divmod(key - 1, self.horizon)
        request, needs_met = self.modifiers(group, year)
        signature = (tuple(np.round(request, 12)), needs_met)
        found = self._by_modifiers.get(signature)
        if found is None:
            if np.all(request == 1.0) and needs_met == 1.0:
                found = self.usual
            else:
                rates = self.usual.rates.copy()
                rates[0] = rates[0] * request[:, None]
                rates[1] = rates[1] * needs_met
                found = CompetingHazards(rates, self.usual.end_age)
            self._by_modifiers[signature] = found
        self._cache[key] = found
        return found


def early_support_cost(lever: EarlyIdentification, reached_times: np.ndarray, horizon: int) -> np.ndarray:
    """Pounds a calendar year of the run: ``cost_per_child_gbp`` for each child reached, in
    each of ``support_years`` years from the year reached, plus the programme's fixed cost
    while the lever is active."""
    years = np.floor(reached_times[np.isfinite(reached_times)]).astype(np.int64)
    cost = np.zeros(horizon)
    for offset in range(lever.support_years):
        year = years + offset
        cost += np.bincount(year[(year >= 0) & (year < horizon)], minlength=horizon)[:horizon]
    cost *= lever.cost_per_child_gbp
    if lever.active:
        cost += lever.programme_cost_gbp_per_year
    return cost


def supported_plan_shares(params) -> np.ndarray:
    """Placement of a supported child's new plan by phase: special school shares (state and
    independent) times ``special_placement_multiplier`` (capped so no share goes below
    zero), the difference to or from mainstream (:func:`shift_to_special`)."""
    return shift_to_special(params.placement.new_plan_shares, params.early_identification.special_placement_multiplier)


def shift_to_special(shares: np.ndarray, factor: float) -> np.ndarray:
    """Placement shares ``(..., 7)`` with the special school shares (state and independent)
    times ``factor`` (capped so no share goes below zero), the difference to or from mainstream."""
    from simulation.parameters import INDEPENDENT, MAINSTREAM, STATE_SPECIAL

    shares = np.array(shares, dtype=float)
    special = shares[..., [STATE_SPECIAL, INDEPENDENT]]
    change = special * (factor - 1.0)
    change = np.minimum(change.sum(axis=-1), shares[..., MAINSTREAM])[..., None] * np.divide(
        special,
        special.sum(axis=-1, keepdims=True),
        out=np.zeros_like(special),
        where=special.sum(axis=-1, keepdims=True) > 0,
    )
    shares[..., [STATE_SPECIAL, INDEPENDENT]] += change
    shares[..., MAINSTREAM] -= change.sum(axis=-1)
    return shares
