"""Time to a child's next change of state from competing hazards.

Hazards are piecewise constant on the grid (calendar year of the run, single year of
age). A child's path crosses that grid diagonally, so the cumulative hazard from time
``t0`` is piecewise linear; the event time is where it reaches an Exp(1) draw, and the
cause is chosen with probability proportional to each cause's hazard at that moment
(the standard competing-risks construction, exact for piecewise-constant hazards).
Everybody still there at ``end_age`` leaves then (cause index ``len(causes)``).

Two implementations of the same rule: :func:`first_events` for many children at once
(numpy, used for the starting caseload and all exogenous arrivals) and
:func:`next_event` for one child (plain Python, used inside the event loop). They are
tested against each other. Where the hazards do not change with the calendar year (the
usual case once calibrated), both invert the cumulative hazard by age directly instead of
walking the grid; a test checks the shortcut against the walk.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from simulation.plan_paths import choose_by_row

NO_EVENT = -1


@dataclass(frozen=True, eq=False)
class CompetingHazards:
    """Hazards per year ``rates[cause, year, age]`` over a run of ``horizon`` years, and
    a deterministic exit at exact age ``end_age``."""

    rates: np.ndarray
    end_age: float
    # derived in __post_init__ (precomputed for the event loop)
    _total: np.ndarray = field(init=False, repr=False)
    _cum: np.ndarray = field(init=False, repr=False)
    _total_list: list = field(init=False, repr=False)
    _cum_list: list = field(init=False, repr=False)
    _age_only: bool = field(init=False, repr=False)
    _cum_by_age: list = field(init=False, repr=False)
    _last_positive: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rates = np.asarray(self.rates, dtype=float)
        total = rates.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            cum = np.cumsum(rates, axis=0) / total
        cum = np.where(total > 0, cum, 1.0)
        cum[-1] = 1.0
        object.__setattr__(self, "rates", rates)
        object.__setattr__(self, "_total", total)
        object.__setattr__(self, "_cum", np.moveaxis(cum, 0, -1).copy())  # (year, age, cause)
        object.__setattr__(self, "_total_list", total.tolist())
        object.__setattr__(self, "_cum_list", np.moveaxis(cum, 0, -1).tolist())
        # hazards that do not change with the calendar year: invert the cumulative hazard by age
        age_only = bool(np.all(total == total[:1]))
        object.__setattr__(self, "_age_only", age_only)
        object.__setattr__(self, "_cum_by_age", np.concatenate([[0.0], np.cumsum(total[0])]).tolist())
        # for each age, the last age at or below it with a positive hazard (0 if none)
        positive = np.where(total[0] > 0, np.arange(total.shape[1]), 0)
        object.__setattr__(self, "_last_positive", np.maximum.accumulate(positive))

    @property
    def horizon(self) -> int:
        return self.rates.shape[1]

    @property
    def age_out(self) -> int:
        """The cause index of leaving at ``end_age``."""
        return self.rates.shape[0]

    @property
    def total(self) -> np.ndarray:
        return self._total


def first_events(
    hazards: CompetingHazards, t0: np.ndarray, birth: np.ndarray, exp_draw: np.ndarray, uniform: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Event time and cause for many children at once.

    ``t0``: time each child becomes exposed; ``birth``: time of birth (negative before the
    run); ``exp_draw``: Exp(1) draws; ``uniform``: U(0,1) draws for the cause. Returns
    ``(time, cause)``; ``time`` is ``inf`` and ``cause`` :data:`NO_EVENT` if nothing
    happens before the end of the run.
    """
    t0 = np.asarray(t0, dtype=float)
    birth = np.asarray(birth, dtype=float)
    if hazards._age_only:
        return _first_events_by_age(
            hazards, t0, birth, np.asarray(exp_draw, dtype=float), np.asarray(uniform, dtype=float)
        )
    return _first_events_walk(hazards, t0, birth, exp_draw, uniform)


def first_events_each(
    hazards: list[CompetingHazards],
    which: np.ndarray,
    t0: np.ndarray,
    birth: np.ndarray,
    exp_draw: np.ndarray,
    uniform: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`first_events` for many children, each on its own hazards: child ``i`` on
    ``hazards[which[i]]`` (hazards over the same horizon and ages, with the same
    ``end_age``). The same times and causes as calling :func:`first_events` on each
    hazard's children, with one walk of the grid for all the hazards that change with the
    calendar year instead of one walk each (a child's arithmetic reads only its own hazards)."""
    t0 = np.asarray(t0, dtype=float)
    birth = np.asarray(birth, dtype=float)
    exp_draw = np.asarray(exp_draw, dtype=float)
    uniform = np.asarray(uniform, dtype=float)
    which = np.asarray(which, dtype=np.int64)
    walked = [k for k, hazard in enumerate(hazards) if not hazard._age_only]
    if walked and len(walked) == len(hazards):  # every child walks: the walk takes the arrays as they are
        return _walk_tables(
            np.stack([hazard._total for hazard in hazards]),
            np.stack([hazard._cum for hazard in hazards]),
            hazards[0].end_age,
            hazards[0].age_out,
            which,
            t0,
            birth,
            exp_draw,
            uniform,
        )
    time = np.full(t0.size, np.inf)
    cause = np.full(t0.size, NO_EVENT, dtype=np.int64)
    for k, hazard in enumerate(hazards):
        if hazard._age_only:
            mine = np.flatnonzero(which == k)
            time[mine], cause[mine] = _first_events_by_age(hazard, t0[mine], birth[mine], exp_draw[mine], uniform[mine])
    if walked:
        mine = np.flatnonzero(np.isin(which, walked))
        table = np.zeros(len(hazards), dtype=np.int64)
        table[walked] = np.arange(len(walked))
        first = hazards[walked[0]]
        time[mine], cause[mine] = _walk_tables(
            np.stack([hazards[k]._total for k in walked]),
            np.stack([hazards[k]._cum for k in walked]),
            first.end_age,
            first.age_out,
            table[which[mine]],
            t0[mine],
            birth[mine],
            exp_draw[mine],
            uniform[mine],
        )
    return time, cause


def _first_events_walk(
    hazards: CompetingHazards, t0: np.ndarray, birth: np.ndarray, exp_draw: np.ndarray, uniform: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`first_events` for any hazards: each child walks the (year, age) grid cell
    by cell, all children at once, until the cumulative hazard reaches its draw."""
    return _walk_tables(
        hazards._total[None],
        hazards._cum[None],
        hazards.end_age,
        hazards.age_out,
        np.zeros(np.asarray(t0).size, dtype=np.int64),
        t0,
        birth,
        exp_draw,
        uniform,
    )


def _walk_tables(
    total: np.ndarray,
    cum: np.ndarray,
    end_age: float,
    age_out: int,
    table: np.ndarray,
    t0: np.ndarray,
    birth: np.ndarray,
    exp_draw: np.ndarray,
    uniform: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The walk of :func:`_first_events_walk` with child ``i`` on the hazards
    ``total[table[i]]`` (``(tables, year, age)``, all causes together) and cumulative
    cause shares ``cum[table[i]]`` (``(tables, year, age, cause)``)."""
    n = t0.size
    n_years, n_ages = total.shape[1], total.shape[2]
    horizon = float(n_years)
    time = np.full(n, np.inf)
    cause = np.full(n, NO_EVENT, dtype=np.int64)
    end = np.minimum(horizon, birth + end_age)
    # each child's hazards read from the flattened tables at ``base + year * ages + age``
    rates = total.ravel()
    shares = cum.reshape(-1, cum.shape[-1])
    work = np.flatnonzero(t0 < end)
    t = t0[work]
    born = birth[work]
    remaining = np.asarray(exp_draw, dtype=float)[work]
    stop = end[work]
    base = np.asarray(table, dtype=np.int64)[work] * (n_years * n_ages)
    year = np.clip(np.floor(t).astype(np.int64), 0, n_years - 1)
    age = np.clip(np.floor(t - born).astype(np.int64), 0, n_ages - 1)
    uniform = np.asarray(uniform, dtype=float)
    while work.size:
        age_boundary = born + age + 1
        year_boundary = year + 1.0
        nxt = np.minimum(np.minimum(year_boundary, age_boundary), stop)
        cell = base + year * n_ages + age
        rate = rates.take(cell)
        used = rate * np.maximum(nxt - t, 0.0)
        hit = used >= remaining
        if hit.any():
            at = np.flatnonzero(hit)
            who = work.take(at)
            time[who] = t.take(at) + remaining.take(at) / rate.take(at)
            cause[who] = _cause(shares[cell.take(at)], uniform[who])
            keep = np.flatnonzero(~hit & (nxt < stop))
        else:
            keep = np.flatnonzero(nxt < stop)
        # the children still walking, into the next cell (positions taken once, by index:
        # much faster than a boolean mask on each array)
        remaining = (remaining - used).take(keep)
        age = (age + (age_boundary <= nxt)).take(keep)
        year = (year + (year_boundary <= nxt)).take(keep)
        t = nxt.take(keep)
        work, born, stop, base = work.take(keep), born.take(keep), stop.take(keep), base.take(keep)
        np.minimum(age, n_ages - 1, out=age)
        np.minimum(year, n_years - 1, out=year)
    age_out_time = np.maximum(birth + end_age, t0)
    ages_out = (cause == NO_EVENT) & (age_out_time <= horizon) & np.isinf(time)
    time[ages_out] = age_out_time[ages_out]
    cause[ages_out] = age_out
    return time, cause


def _first_events_by_age(
    hazards: CompetingHazards, t0: np.ndarray, birth: np.ndarray, exp_draw: np.ndarray, uniform: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`first_events` where the hazards do not change with the calendar year: the
    cumulative hazard by age is inverted directly, as :func:`next_event` does for one child
    (the same arithmetic, so the same times)."""
    cum = np.asarray(hazards._cum_by_age)
    rates = hazards._total[0]
    top = rates.size - 1
    horizon = float(hazards.horizon)
    age_out_time = birth + hazards.end_age
    stop = np.minimum(horizon, age_out_time)
    age0 = t0 - birth
    a = _age_index(age0, top)
    target = cum[a] + rates[a] * (age0 - a) + exp_draw
    stop_age = stop - birth
    s_index = _age_index(stop_age, top)
    hit = (t0 < stop) & (target < cum[s_index] + rates[s_index] * (stop_age - s_index))
    time = np.full(t0.size, np.inf)
    cause = np.full(t0.size, NO_EVENT, dtype=np.int64)
    at = np.minimum(np.searchsorted(cum, target[hit], side="right") - 1, top)
    at = hazards._last_positive[at]
    time[hit] = np.maximum(birth[hit] + at + (target[hit] - cum[at]) / rates[at], t0[hit])
    cause[hit] = choose_by_row(hazards._cum[0], at, uniform[hit])
    out_time = np.maximum(age_out_time, t0)
    ages_out = ~hit & (out_time <= horizon)
    time[ages_out] = out_time[ages_out]
    cause[ages_out] = hazards.age_out
    return time, cause


def _cause(shares: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """The cause drawn by ``uniform`` from each row of cumulative ``shares`` (non-decreasing):
    how many of the row's shares are below the draw, at most the last cause; counted one
    share at a time (much faster than a 2-D comparison summed along its rows)."""
    counted = np.zeros(uniform.size, dtype=np.int64)
    for k in range(shares.shape[1] - 1):
        counted += uniform > shares[:, k]
    return counted


def _age_index(age: np.ndarray, top: int) -> np.ndarray:
    """Completed years of ``age``, limited to ``0..top`` (truncation toward zero, as
    ``int()`` in :func:`next_event`)."""
    index = age.astype(np.int64)
    np.clip(index, 0, top, out=index)
    return index


def next_event(
    hazards: CompetingHazards, t0: float, birth: float, exp_draw: float, uniform: float
) -> tuple[float, int]:
    """The same as :func:`first_events` for one child, in plain Python (fast for one)."""
    horizon = float(hazards.horizon)
    age_out_time = birth + hazards.end_age
    stop = min(horizon, age_out_time)
    total = hazards._total_list
    if hazards._age_only and t0 < stop:
        cum = hazards._cum_by_age
        rates = total[0]
        top = len(rates) - 1
        age0 = t0 - birth
        a = min(max(int(age0), 0), top)
        target = cum[a] + rates[a] * (age0 - a) + exp_draw
        stop_age = stop - birth
        s_index = min(max(int(stop_age), 0), top)
        if target < cum[s_index] + rates[s_index] * (stop_age - s_index):
            a = min(bisect_right(cum, target) - 1, top)
            while rates[a] <= 0.0 and a > 0:  # float ties at a flat stretch
                a -= 1
            event_time = birth + a + (target - cum[a]) / rates[a]
            shares = hazards._cum_list[0][a]
            index = 0
            while index < len(shares) - 1 and uniform > shares[index]:
                index += 1
            return max(event_time, t0), index
    elif t0 < stop:
        t = t0
        remaining = exp_draw
        last_year, last_age = hazards.horizon - 1, len(total[0]) - 1
        year = min(max(int(t), 0), last_year)
        age = min(max(int(t - birth), 0), last_age)
        # (min and max written as comparisons: the same numbers, and the loop runs for every
        # cell a child's path crosses)
        while t < stop:
            age_boundary = birth + age + 1
            year_boundary = year + 1.0
            nxt = year_boundary if year_boundary <= age_boundary else age_boundary
            if stop < nxt:
                nxt = stop
            step = nxt - t
            rate = total[year][age]
            used = rate * (0.0 if step < 0.0 else step)
            if used >= remaining:
                shares = hazards._cum_list[year][age]
                index = 0
                while index < len(shares) - 1 and uniform > shares[index]:
                    index += 1
                return t + remaining / rate, index
            remaining -= used
            if age_boundary <= nxt and age < last_age:
                age += 1
            if year_boundary <= nxt and year < last_year:
                year += 1
            t = nxt
    age_out_time = max(age_out_time, t0)
    if age_out_time <= horizon:
        return age_out_time, hazards.age_out
    return float("inf"), NO_EVENT
