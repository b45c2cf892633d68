"""The discrete-event model of the graduated pathway: one replication.

Event-driven, not time-stepped, in two stages on one timeline:

1. The assessment pipeline (requests, decisions, the assessment queue, outcomes) never
   depends on special places: a child with a plan does not come back to it (a ceased
   plan leaves the model). It runs first, to the end of the run, on its own clock of
   three time-ordered queues (decisions to assess, assessments finishing, changes of
   assessment capacity on 1 January): :meth:`_Model._assess_all`.
2. Plans and special places run on the SimPy clock: :meth:`_Model._run_plans` starts
   each plan the pipeline issued (and each move in) at its time, and only what touches
   special places is a SimPy event: a phase transfer or a ceasing that gives up or
   seeks a special place, a place granted to a waiting child, a change of places.

Everything a child does alone is worked out ahead from the child's own draws and
written straight into the record at the time it will happen:

- Children on SEN support at the start and all exogenous arrivals (identification at
  SEN support from the population, direct requests, moves in with a plan) are drawn
  up front with numpy; their first time and cause of leaving SEN support come from
  competing hazards (:mod:`simulation.hazards`).
- A request and its decision (Erlang time) touch nothing shared: both are drawn when the
  request is known; refused requests go back to SEN support at the decision time. A
  decision to assess joins the assessment queue at its own time. Assessments need one
  of the concurrent slots of the assessment capacity (:mod:`simulation.assessment_queue`:
  children wait for a slot and are picked up in random order or first come first
  served), so waits and the % issued within 20 weeks come from demand against capacity.
  Assessments without a plan go back to SEN support.
- A plan is placed by phase; a state special placement needs a place from a
  pool (phase or all-through; :mod:`simulation.place_pools`). With none free the child goes to an
  independent special school or waits (``SpecialPlaces.overflow_policy``).
- At each phase transfer the placement may change; a plan ceases (needs met, moved away,
  left education) on competing hazards or at ``Ceasing.max_age``. A plan whose placement
  path (fixed by the child's transfer draws, :mod:`simulation.plan_paths`) never enters
  a state special school touches no capacity at all: its spells are written in one
  vectorised pass after the run. A test checks this gives exactly what events give.

Common random numbers: every child's first draws for each activity are made up front
from that activity's stream in child order, so a scenario that changes capacity or the
early identification lever gives each child the same decision times, outcomes and
placement draws as in the baseline; so does a child's first return to SEN support (after
a refusal or an assessment without a plan). Draws for later returns and for second and
later requests come from one shared ``repeat`` stream in event order.
"""

from __future__ import annotations

import gc
import itertools
import logging
import math
import pickle
from bisect import bisect_left
from dataclasses import dataclass
from functools import partial
from heapq import heappop, heappush, heapreplace
from typing import Any, cast

import numpy as np
import simpy
from simpy.events import NORMAL

from simulation.assessment_queue import AssessmentQueue
from simulation.caseload import age_placement_counts
from simulation.early_support import EARLIER, MORE, SupportHazards, reach, supported_plan_shares
from simulation.hazards import NO_EVENT, CompetingHazards, first_events, first_events_each, next_event
from simulation.needs import keep_or_change, need_tables
from simulation.ordering import stable_order
from simulation.parameters import (
    AGES,
    INDEPENDENT,
    MAINSTREAM,
    MAX_MORE_IDENTIFIED,
    MAX_YEARS_EARLIER,
    MORE_IDENTIFIED_AGES,
    MOVE_FROM,
    OTHER,
    PHASE_START_AGES,
    PHASES,
    PLACEMENTS,
    SCHOOL_AGE_PHASES,
    STATE_SPECIAL,
    Parameters,
    phase_of_age,
    phases_of_ages,
    schedule_values,
    school_year_age,
    school_year_ages,
    transfer_times,
)
from simulation.place_pools import POOL_FOR_PHASE, PlacePool, PlaceRequest, free_pool, home_pool, open_pools
from simulation.plan_paths import (
    N_PHASES,
    MoveDraws,
    choose_by_row,
    move_time,
    paths_with_moves,
    placement_paths,
    plan_segments,
    touches,
)
from simulation.replication_results import WEEKS, ReplicationResult, gather, replication_result
from simulation.shared_draws import keep, kept, shared
from simulation.streams import replication_streams

log = logging.getLogger(__name__)

#: the phase entered at each phase transfer (at the ages ``PHASE_START_AGES[1:]``)
_TRANSFERS = tuple(range(1, len(PHASE_START_AGES)))
_REQUEST = 0  # SEN support cause index: 0 request, 1 needs met, 2 moved away, 3 left school (age out)


def sen_support_hazards(params: Parameters, relative_risk: float = 1.0) -> CompetingHazards:
    """SEN support: request (times ``relative_risk``), needs met, moved away; out at leaving age."""
    h = params.horizon
    multiplier = schedule_values(params.sen_support.request_multiplier, params.start_year, h)
    request = params.sen_support.request_rate_by_age[None, :] * multiplier[:, None] * relative_risk
    needs_met = np.broadcast_to(params.sen_support.needs_met_rate_by_age, (h, AGES))
    moved = np.full((h, AGES), params.sen_support.moved_away_rate)
    return CompetingHazards(np.stack([request, needs_met, moved]), params.sen_support.leaving_age)


def plan_hazards(params: Parameters) -> CompetingHazards:
    """Plans: needs met, moved away, left education; ceased at ``max_age``."""
    c = params.ceasing
    rates = np.stack(
        [
            np.broadcast_to(r, (params.horizon, AGES))
            for r in (c.needs_met_rate_by_age, c.moved_away_rate_by_age, c.left_education_rate_by_age)
        ]
    )
    if params.individual_support_plans.share_at_transfer > 0:  # reform: plans to ISPs (simulation.reform)
        rates = rates.copy()
        rates[0] += params.individual_support_plans.extra_hazard(params.start_year, params.horizon, AGES)
    return CompetingHazards(rates, c.max_age)


#: the hazards of each set of parameters run (SEN support, the early identification
#: lever's, plans), keyed by what they are made from, by value: every replication of a
#: scenario shares them (a replication run in a worker process gets its own copy of the
#: parameters, so identity would not do); the lever's twenty or so hazards cost about 4%
#: of a Gloucestershire replication to make
_hazards_made: dict[bytes, tuple[CompetingHazards, SupportHazards, CompetingHazards]] = {}
_MAX_HAZARDS = 16


def _hazards(params: Parameters) -> tuple[CompetingHazards, SupportHazards, CompetingHazards]:
    """SEN support hazards, the lever's :class:`SupportHazards` on them, and plan hazards
    (:func:`sen_support_hazards`, :func:`plan_hazards`), made once for parameters that read
    the same (equal pickles of what they are made from: equal hazards). The objects are
    never changed once made (a :class:`SupportHazards` fills its cache of hazards by key,
    the same whoever asks first), so replications can share them."""
    key = pickle.dumps(
        (
            params.start_year,
            params.horizon,
            params.sen_support,
            params.early_identification,
            params.ceasing,
            params.individual_support_plans,
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    made = _hazards_made.get(key)
    if made is None:
        sen = sen_support_hazards(params)
        made = (sen, SupportHazards(params.early_identification, sen), plan_hazards(params))
        if len(_hazards_made) >= _MAX_HAZARDS:
            _hazards_made.pop(next(iter(_hazards_made)))  # the oldest
        _hazards_made[key] = made
    return made


def _poisson_arrivals(rng: np.random.Generator, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times and exact ages from expected counts ``(year, age)``, uniform within each cell."""
    counts = rng.poisson(expected)
    year, age = np.nonzero(counts)
    n = counts[year, age]
    year = np.repeat(year, n).astype(float)
    age = np.repeat(age, n).astype(float)
    time = year + rng.random(year.size)
    exact_age = age + rng.random(age.size)
    order = stable_order(time)
    return time[order], exact_age[order]


class _Environment(simpy.Environment):
    """SimPy's environment, which can also schedule an event at a given time
    (:class:`_At`): the model's clock may run ahead of SimPy's (:meth:`_Model._run_plans`)."""

    def schedule_at(self, event: simpy.Event, at: float) -> None:
        """Schedule ``event`` at time ``at`` (not before now), as :meth:`schedule` does at
        ``now + delay``."""
        heappush(self._queue, (at, NORMAL, next(self._eid), event))


class _At(simpy.Event):
    """A timeout at time ``at`` (not after a delay from SimPy's clock), with ``value``: set
    up as :class:`simpy.events.Timeout` sets itself up."""

    def __init__(self, env: _Environment, at: float, value: Any = None) -> None:
        self.env = env
        self.callbacks = []
        self._value = value
        self._ok = True
        env.schedule_at(self, at)


def _choose(cumulative: list[float], u: float) -> int:
    """The index drawn by ``u`` from ``cumulative`` shares: how many of them (but the last)
    are below ``u``. (Cumulative shares never decrease, so a binary search counts them: the
    same index as counting one at a time, in C.)"""
    return bisect_left(cumulative, u, 0, len(cumulative) - 1)


@dataclass(frozen=True)
class _Entrants:
    """How many children of each kind a replication has, in child order: a child's number
    says what it entered as (the identified include the lever's extra pool)."""

    on_sen_support: int
    identified: int
    direct_requests: int
    moved_in: int
    with_plan: int
    in_assessment: int

    KINDS = ("on_sen_support", "identified", "direct_requests", "moved_in", "with_plan", "in_assessment")

    @property
    def total(self) -> int:
        return sum(getattr(self, kind) for kind in self.KINDS)

    def first(self, kind: str) -> int:
        """The number of the first child of ``kind``."""
        return sum(getattr(self, k) for k in self.KINDS[: self.KINDS.index(kind)])

    def ids(self, kind: str) -> np.ndarray:
        """The numbers of the children of ``kind``."""
        start = self.first(kind)
        return np.arange(start, start + getattr(self, kind))

    def spread(self, kind: str, values: np.ndarray, fill) -> np.ndarray:
        """A per-child array: ``values`` for the children of ``kind``, ``fill`` for the rest."""
        out = np.full(self.total, fill, dtype=np.asarray(values).dtype)
        start = self.first(kind)
        out[start : start + getattr(self, kind)] = values
        return out


class _Model:
    def __init__(self, params: Parameters, seed: int, replication: int, *, defer_plans: bool = True) -> None:
        # defer_plans=False sends every plan through events (tests check both agree)
        self.defer_plans = defer_plans
        self.p = params
        self.h = params.horizon
        self.rng = replication_streams(seed, replication)
        self.seed, self.replication = seed, replication
        self.overflow_rng = self.rng["special_place_overflow"]
        self.env = _Environment()
        # the time the plans' clock has reached (:meth:`_run_plans`): the SimPy clock's, or
        # a later time a waiting child's overflow fell due after it no longer waited
        self.clock = 0.0
        # waiting children's overflows to an independent special school, a heap of
        # (time due, number, child, the wait it ends) (:meth:`_wait`)
        self.overflow_due: list[tuple[float, int, int, simpy.Event]] = []
        self._overflows = itertools.count()
        # phase transfers and mid-phase moves, which fall on a few 1 Septembers, by their
        # exact time: the children's (a move as ``-1 - child``), in the order scheduled
        # (:meth:`_on_september`)
        self.septembers: dict[float, list[int]] = {}
        self.pop = params.population.for_years(params.start_year, self.h)
        self.sen_hz, self.support, self.plan_hz = _hazards(params)
        self.refusal = schedule_values(params.assessment.refusal_probability, params.start_year, self.h).tolist()
        # a request is closed at its decision (refused, or withdrawn) when the child's uniform
        # is below this: the refusal probability plus the withdrawals' share of the rest
        withdrawal = float(params.assessment.withdrawal_probability)
        self.closed_at = [r + (1.0 - r) * withdrawal for r in self.refusal] if withdrawal > 0 else self.refusal
        self.not_issued = schedule_values(params.assessment.not_issued_probability, params.start_year, self.h).tolist()
        # cumulative placement shares: arrays for the vectorised paths, transfers also as
        # lists for one child at a transfer event
        self.shares_cum_array = np.cumsum(params.placement.new_plan_shares, axis=1)
        self.supported_shares_cum = np.cumsum(supported_plan_shares(params), axis=1)
        self.transfer_cum_array = np.cumsum(params.placement.transfer, axis=2)
        self.transfer_cum = self.transfer_cum_array.tolist()
        # mid-phase moves (Placement.mid_phase_moves): per phase the chance of a move each
        # September and the cumulative shares of where to, given a move
        self.moves = params.placement.moves
        if self.moves:
            move_p = params.placement.mid_phase_moves
            self.move_probability = move_p
            self.move_total = move_p.sum(axis=1).tolist()
            self.move_cum = (np.cumsum(move_p, axis=1) / np.maximum(move_p.sum(axis=1), 1e-300)[:, None]).tolist()
        self.policy_wait = params.special_places.overflow_policy == "wait"
        # the placement a child waiting for a special place counts in, by phase
        in_mainstream = params.special_places.waiting_placement == "mainstream"
        self.waiting_group = tuple(
            MAINSTREAM if in_mainstream and phase in SCHOOL_AGE_PHASES else OTHER for phase in range(len(PHASES))
        )
        # mean years a waiting child waits before an independent placement (0: waits for a place)
        rate = params.special_places.overflow_rate_per_year
        self.overflow_mean_wait = 1.0 / rate if rate > 0 else 0.0
        # primary need (simulation.needs): cumulative shares to draw from, placement by need
        self.need_tables = None if params.needs is None else need_tables(params)
        self.need_names: tuple[str, ...] = () if params.needs is None else params.needs.names
        # each child's need on entry (index into need_names) and the need its plan names (empty: no needs)
        self.need = np.empty(0, dtype=np.int64)
        self.plan_need = np.empty(0, dtype=np.int64)
        # records appended during the run, each a flat list of its rows' numbers one after
        # another (``extend`` with a row: no tuple kept per row, and a flat list of numbers
        # converts to an array faster; :func:`simulation.replication_results.records`)
        self.sen_spells: list[float] = []  # start, end
        self.sen_exits: list[float] = []  # time, reason
        self.pipeline_spells: list[float] = []  # start, end
        self.plan_spells: list[float] = []  # start, end, placement, child
        self.waits: list[float] = []  # start, end
        self.requests: list[float] = []
        self.refused: list[float] = []
        # assessments finished: (time, time of the request) without a plan (a flat record, as
        # above), (time, time of the request, child) with one
        self.not_issued_done: list[float] = []
        # (kept as three columns: converting one list of floats is several times faster
        # than a list of tuples, and ~10,000 plans are issued in a Gloucestershire run)
        self.issued_times: list[float] = []
        self.issued_requested: list[float] = []
        self.issued_children: list[int] = []
        self.ceased: list[float] = []  # time, reason (a flat record)
        self.overflow: list[float] = []
        self._repeat_block: list[float] = []
        self._overflow_block: list[float] = []  # standard exponential draws, next one last
        self.first_decision_times: list[float] = []  # first decisions to assess, in time order
        self.first_decision_children: list[int] = []
        self.assess_requested: list[int] = []  # decisions to assess by year of request
        self.to_assess: list[tuple[float, int]] = []  # later decisions to assess (time, child), a heap
        self.done: list[tuple[float, int]] = []  # assessments under way (time they finish, child), a heap
        self.capacity_changes: list[tuple[float, int]] = []  # (1 January, assessment slots)
        self.slots_by_year: list[int] = []  # slots set on each 1 January after the first (responsive capacity)
        # plans that need events, in time order: (start, child, phase, placement, ceasing time, reason)
        self.plan_starts: list[tuple[float, int, int, int, float, int]] = []

    # ------------------------------------------------------------------ set-up
    def build(self) -> None:
        """Set up the replication: draw every child the run starts with or will meet, in
        child order (on SEN support at the start, identified at SEN support, direct
        requests, moves in with a plan, plans at the start, assessments under way at the
        start), each child's first draws for each activity (common random numbers), the
        assessment capacity and special places, and then start them all: SEN support
        spells, the first requests, the starting plans and the starting assessments."""
        p, rng = self.p, self.rng
        # on SEN support at the start
        counts = np.round(p.caseload.sen_support_by_age).astype(np.int64)
        sen_age = np.repeat(np.arange(AGES), counts) + rng["initial_caseload"].random(counts.sum())
        # identification at SEN support: drawn MAX_YEARS_EARLIER years beyond the run, so that
        # every child the early identification lever can move into the run is there
        id_time, id_age, pool_time, pool_age = self._identifications()
        id_birth = np.concatenate([id_time - id_age, pool_time - pool_age])
        # primary need of the identified (usual, then pool) at the age they would be identified:
        # drawn before the lever, from its own stream, so every scenario gives them the same need
        need_identified, eligible = None, None
        if p.needs is not None:
            need_identified = self._needs_by_age(np.concatenate([id_age, pool_age]))
            targets = p.early_identification.target_needs
            if targets is not None:
                eligible = np.isin(need_identified, p.needs.index(targets))
        id_time, support_group = self._early_identification(id_time, id_birth[: id_time.size], pool_time, eligible)
        direct_time, direct_age = _poisson_arrivals(
            rng["direct_requests"], self.pop * p.arrivals.direct_request_rate_by_age
        )
        moved_in_time, moved_in_age = _poisson_arrivals(rng["moves_in"], self.pop * p.arrivals.move_in_rate_by_age)
        # plans at the start, by age and placement, and assessments under way at the start
        joint = age_placement_counts(p.caseload)
        age_idx, group_idx = np.nonzero(joint)
        n = joint[age_idx, group_idx]
        plan_age = np.repeat(age_idx, n) + rng["initial_caseload"].random(n.sum())
        plan_group = np.repeat(group_idx, n)
        open_counts = np.round(p.caseload.in_assessment_by_age).astype(np.int64)
        open_age = np.repeat(np.arange(AGES), open_counts) + rng["initial_caseload"].random(open_counts.sum())

        self.entrants = entrants = _Entrants(
            on_sen_support=sen_age.size,
            identified=id_time.size,
            direct_requests=direct_time.size,
            moved_in=moved_in_time.size,
            with_plan=plan_age.size,
            in_assessment=open_age.size,
        )
        if need_identified is not None:
            self._draw_needs(
                sen_age, need_identified, id_age, pool_age, direct_age, moved_in_age, plan_age, plan_group, open_age
            )
        self.n_children = n_all = entrants.total
        birth = np.concatenate(
            [-sen_age, id_birth, direct_time - direct_age, moved_in_time - moved_in_age, -plan_age, -open_age]
        )
        # per child: arrays for numpy over many children, and for one child in an event
        # their memoryviews (``ndarray.data``: indexing one gives a Python float or int, the
        # same number, about 3x faster than a numpy scalar; and no list of every child,
        # most of whom never have an event, is made)
        self.births = birth
        self.birth: Any = birth.data
        # the 1 September of each child's four phase transfers (worked out once, not in
        # every event)
        # (flat: child ``c``'s transfer into phase ``p`` at ``4 * c + p - 1``, one index faster
        # than two)
        self.transfer_at: Any = (
            transfer_times(birth[:, None], np.array(PHASE_START_AGES[1:], dtype=float)).reshape(-1).data
        )
        early = support_group >= 0
        self.early_array = entrants.spread("identified", early, False)
        self.support_keys = entrants.spread("identified", self.support.key(support_group, id_time), 0)
        self.support_key = self.support_keys.data
        self.identified_times = id_time
        self.early_times = id_time[support_group == EARLIER]
        self.more_times = id_time[support_group == MORE]
        self.direct_times = direct_time
        self.move_in_times = moved_in_time
        self._draw_first_draws(n_all)
        self._start_child_state(n_all)
        self._build_capacity()
        # plans that can never need a local special place touch no shared capacity: they
        # are recorded as arrays (child, start, placement in each phase, time of each mid-phase
        # move) and their spells written in one pass at the end (:mod:`simulation.plan_paths`)
        self.deferred: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._start_sen_support(id_time, direct_time)
        self.move_in_ids = entrants.ids("moved_in")
        self._start_plans(plan_age, plan_group)
        self._start_open_assessments()

    def _draw_needs(self, *ages_and_needs: np.ndarray) -> None:
        """Each child's primary need on entry, in child order (the identified were drawn
        first; the rest in the order of :class:`_Entrants`), and the draws for keeping or
        changing it (:mod:`simulation.needs`). ``ages_and_needs``: the exact ages (years) of
        the children on SEN support at the start, the needs of the identified, their ages at
        identification (usual, pool), the ages of the direct requests and moves in, the ages and
        placement numbers of the starting plans, and the ages of the assessments under way."""
        sen_age, need_identified, id_age, pool_age, direct_age, moved_in_age, plan_age, plan_group, open_age = (
            ages_and_needs
        )
        rng = self.rng
        self.need = np.concatenate(
            [
                self._needs_by_age(sen_age),
                need_identified,
                self._needs_by_age(direct_age),
                self._needs_by_age(moved_in_age),
                self._starting_needs(plan_age, plan_group),
                self._needs_by_age(open_age),
            ]
        )
        # the age whose shares gave the need at entry (-1: arrived with a plan, which keeps it)
        self.need_age = np.concatenate(
            [sen_age, id_age, pool_age, direct_age, np.full(moved_in_age.size + plan_age.size, -1.0), open_age]
        ).astype(np.int64)
        np.clip(self.need_age, -1, AGES - 1, out=self.need_age)
        self.plan_need = self.need.copy()  # set for each new plan when it is issued
        self.need_keep_u = rng["primary_need"].random(self.need.size)
        self.need_change_u = rng["primary_need"].random(self.need.size)

    def _draw_first_draws(self, n_all: int) -> None:
        """Every child's first draws for each activity, from that activity's stream in child
        order (common random numbers: a scenario gives each child the same draws); made once
        for the scenarios of a replication that ask for the same (:mod:`simulation.shared_draws`:
        these streams are used for nothing else)."""
        a = self.p.assessment
        key = (
            "first draws",
            self.seed,
            self.replication,
            n_all,
            a.decision_weeks_shape,
            a.decision_weeks_mean,
            a.assessment_weeks_shape,
            a.assessment_weeks_mean,
            self.moves,
        )
        (
            self.decision_delay,
            self.refuse_u,
            self.assess_time,
            self.not_issued_u,
            self.place_u,
            self.transfer_u,
            self.move_u,
            self.plan_e,
            self.plan_u,
            self.return_e,
            self.return_u,
        ) = shared(key, partial(self._first_draws, n_all))
        # one child's draw in an event, a Python float (flat, as ``transfer_at``)
        self.transfer_draw: Any = self.transfer_u.reshape(-1).data

    def _first_draws(self, n_all: int) -> tuple[np.ndarray, ...]:
        """The draws of :meth:`_draw_first_draws`, in its order (years; uniforms; Exp(1))."""
        rng, a = self.rng, self.p.assessment
        years_per_week = 1.0 / WEEKS
        # (kept as arrays: most children never use them, and converting is slower than indexing)
        decision_delay = (
            rng["decision"].gamma(a.decision_weeks_shape, a.decision_weeks_mean / a.decision_weeks_shape, n_all)
            * years_per_week
        )
        refuse_u = rng["decision"].random(n_all)
        assess_time = (
            rng["assessment"].gamma(a.assessment_weeks_shape, a.assessment_weeks_mean / a.assessment_weeks_shape, n_all)
            * years_per_week
        )
        not_issued_u = rng["assessment"].random(n_all)
        place_u = rng["placement"].random(n_all)
        transfer_u = rng["transfer"].random((n_all, 4))
        # drawn only when plans can move, so a run without moves keeps its numbers
        move_u = rng["mid_phase_moves"].random((n_all, N_PHASES, 2)) if self.moves else np.empty((0, N_PHASES, 2))
        plan_e = rng["plan_path"].exponential(1.0, n_all)
        plan_u = rng["plan_path"].random(n_all)
        # the child's first return to SEN support (after a refusal or no plan): own draws
        return_e = rng["sen_support_return"].exponential(1.0, n_all)
        return_u = rng["sen_support_return"].random(n_all)
        return (
            decision_delay,
            refuse_u,
            assess_time,
            not_issued_u,
            place_u,
            transfer_u,
            move_u,
            plan_e,
            plan_u,
            return_e,
            return_u,
        )

    def _start_child_state(self, n_all: int) -> None:
        """Per-child state, as lists (one child at a time in events)."""
        self.returned: set[int] = set()
        self.assessed_before = [False] * n_all
        self.group = [-1] * n_all
        self.spell_start = [0.0] * n_all
        self.cease_time = [np.inf] * n_all
        self.cease_reason = [NO_EVENT] * n_all
        self.pool_held: list[PlacePool | None] = [None] * n_all
        self.wait_event: list[PlaceRequest | None] = [None] * n_all  # the wait of a waiting child
        self.open_plans: set[int] = set()  # children with a plan run through events
        self.waiting: set[int] = set()  # children waiting for a special place
        self.events = 0

    def _start_sen_support(self, id_time: np.ndarray, direct_time: np.ndarray) -> None:
        """SEN support spells of the children on it at the start and of the identified: the
        first time and cause of leaving it; those leaving by a request, and the direct
        requests, make their first request."""
        entrants = self.entrants
        on_sen_support = entrants.on_sen_support
        sen_ids = np.arange(on_sen_support + entrants.identified)
        t0 = np.concatenate([np.zeros(on_sen_support), id_time])
        # (the stream is used for nothing else: its draws shared with the replication's other scenarios)
        e, u = shared(("sen_support_path", self.seed, self.replication, sen_ids.size), self._sen_support_path_draws)
        time, cause = self._first_sen_support_events(t0, self.births[sen_ids], e, u, self.support_keys[: sen_ids.size])
        self.sen_start0, self.sen_end0 = t0, time
        exits = (cause != _REQUEST) & (cause != NO_EVENT)
        self.sen_exit_times0 = time[exits]
        self.sen_exit_causes0 = cause[exits] - 1
        requesting = np.flatnonzero((cause == _REQUEST) & (time < self.h))
        self._first_requests(
            np.concatenate([requesting, entrants.ids("direct_requests")]),
            np.concatenate([time[requesting], direct_time]),
        )

    def _sen_support_path_draws(self) -> tuple[np.ndarray, np.ndarray]:
        """Exp(1) and uniform draws for the first SEN support spells (:meth:`_start_sen_support`)."""
        n = self.entrants.on_sen_support + self.entrants.identified
        stream = self.rng["sen_support_path"]
        return stream.exponential(1.0, n), stream.random(n)

    def _first_sen_support_events(
        self, t0: np.ndarray, birth: np.ndarray, e: np.ndarray, u: np.ndarray, keys: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_sen_support_events` of the first SEN support spells, taking from the walk
        another scenario of this replication made (:mod:`simulation.shared_draws`) the events
        of the children it had on the usual hazards, with the same hazards, start and birth
        and the same draws (``e`` and ``u``, the shared arrays): a child's event depends on
        nothing else. The rest (in an early identification scenario, the children the lever
        reached) are walked here. A baseline and its option walk about 67,000 children once
        and about 10,000 again, not 67,000 twice."""
        key = ("first SEN support events", self.seed, self.replication, t0.size)
        usual = self.sen_hz
        before = kept(key)
        on_usual = keys == 0
        if (
            before is None
            or before[0] is not e
            or before[1] is not u
            or before[2].end_age != usual.end_age
            or not np.array_equal(before[2].rates, usual.rates)
        ):
            time, cause = self._sen_support_events(t0, birth, e, u, keys)
            keep(key, (e, u, usual, t0, birth, on_usual, time, cause))
            return time.copy(), cause.copy()
        _, _, _, t0_before, birth_before, usual_before, time_before, cause_before = before
        same = on_usual & usual_before & (t0 == t0_before) & (birth == birth_before)
        time, cause = time_before.copy(), cause_before.copy()
        rest = np.flatnonzero(~same)
        if rest.size:
            time[rest], cause[rest] = self._sen_support_events(t0[rest], birth[rest], e[rest], u[rest], keys[rest])
        return time, cause

    def _start_plans(self, plan_age: np.ndarray, plan_group: np.ndarray) -> None:
        """The plans at the start: placed (holding special places, beyond capacity where the
        starting caseload is above it), their ceasing drawn, and scheduled; those that never
        touch a state special school are deferred (:mod:`simulation.plan_paths`)."""
        plan_ids = self.entrants.ids("with_plan")
        plan_phase = phases_of_ages(plan_age)
        paths, moved = self._paths(plan_ids, np.zeros(plan_ids.size), plan_group, plan_phase)
        eventful = np.zeros(plan_ids.size, dtype=bool)
        if self.constrained:
            eventful = touches(paths, STATE_SPECIAL) | (not self.defer_plans)
        self.deferred.append(
            (plan_ids[~eventful], np.zeros(int((~eventful).sum())), paths[~eventful], moved[~eventful])
        )
        plan_ids, plan_group = plan_ids[eventful], plan_group[eventful]
        c_time, c_cause = first_events(
            self.plan_hz, np.zeros(plan_ids.size), self.births[plan_ids], self.plan_e[plan_ids], self.plan_u[plan_ids]
        )
        cease_time, cease_reason, pool_held = self.cease_time, self.cease_reason, self.pool_held
        for child, cease, reason, group, phase in zip(
            plan_ids.tolist(), c_time.tolist(), c_cause.tolist(), plan_group.tolist(), plan_phase[eventful].tolist()
        ):
            cease_time[child] = cease
            cease_reason[child] = reason
            if group == STATE_SPECIAL and self.constrained:
                pool = free_pool(self.pools, phase)
                if pool is None:
                    pool = home_pool(self.pools, self.ever_open, phase)
                    pool.take_beyond_capacity()
                else:
                    pool.take()
                pool_held[child] = pool
            self._set_group(child, group, 0.0)
            self._schedule_plan(child, 0.0)

    def _start_open_assessments(self) -> None:
        """Assessments under way at the start: decided to assess, they join the queue now
        (those that find a slot are part-way through: remaining time uniform on [0, mean])."""
        p, rng = self.p, self.rng
        children = self.entrants.ids("in_assessment").tolist()
        n_open = len(children)
        remaining = (rng["initial_caseload"].random(n_open) * p.assessment.assessment_weeks_mean / WEEKS).tolist()
        if p.caseload.in_assessment_weeks_open is None:
            requested = [-p.assessment.decision_weeks_mean / WEEKS] * n_open
        else:  # a backlog built up over the weeks before: requests dated evenly over them
            requested = (-rng["initial_caseload"].random(n_open) * p.caseload.in_assessment_weeks_open / WEEKS).tolist()
        for k, child in enumerate(children):
            self.request_time[child] = requested[k]
            self.pipeline_open[child] = True
            self.requests_made[child] = 1
            if self.queue is not None and not self.queue.arrive(child):
                continue
            # part-way through: the remaining time replaces the child's own first draw of
            # the duration; the outcome is still the child's own first draw
            heappush(self.done, (remaining[k], child))

    def _identifications(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Identifications at SEN support (times, exact ages) over the run and
        :data:`MAX_YEARS_EARLIER` years beyond it, and the pool of potential extra
        identifications the lever may make (:mod:`simulation.early_support`), drawn in every
        scenario from its own stream so that a scenario and its baseline share them."""
        p, h = self.p, self.h
        span = h + MAX_YEARS_EARLIER
        years = schedule_values(p.arrivals.sen_support_multiplier, p.start_year, span)
        expected = (
            p.population.for_years(p.start_year, span) * p.arrivals.sen_support_rate_by_age[None, :] * years[:, None]
        )
        # made once for the scenarios of a replication with the same expected counts
        # (simulation.shared_draws: these two streams are used for nothing else)
        key = ("identifications", self.seed, self.replication, h, expected.shape, expected.tobytes())
        return shared(key, partial(self._draw_identifications, expected))

    def _draw_identifications(self, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The draws of :meth:`_identifications` from ``expected`` counts ``(year, age)``."""
        id_time, id_age = _poisson_arrivals(self.rng["identification"], expected)
        low, high = MORE_IDENTIFIED_AGES
        pool = np.zeros_like(expected[: self.h])
        pool[:, low:high] = MAX_MORE_IDENTIFIED * expected[: self.h, low:high]
        pool_time, pool_age = _poisson_arrivals(self.rng["more_identified"], pool)
        return id_time, id_age, pool_time, pool_age

    def _early_identification(
        self, time: np.ndarray, birth: np.ndarray, pool_time: np.ndarray, eligible: np.ndarray | None = None
    ):
        """The lever's reach (:func:`simulation.early_support.reach`): identification times
        (usual, then pool) and each child's support group (-1: not supported); ``eligible``:
        the children a lever targeted at some needs can reach."""
        u = self.rng["early_identification"].random(time.size)
        u_pool = self.rng["early_identification"].random(pool_time.size)
        result = reach(self.p.early_identification, time, birth, u, pool_time, u_pool, eligible)
        return result.time, result.group

    def _needs_by_age(self, age: np.ndarray) -> np.ndarray:
        """Primary needs drawn at exact ``age`` (:func:`simulation.needs.shares_by_age`), from
        the ``primary_need`` stream (one draw per child, in the order asked)."""
        u = self.rng["primary_need"].random(age.size)
        row = np.clip(age.astype(np.int64), 0, AGES - 1)
        assert self.need_tables is not None
        return choose_by_row(self.need_tables.by_age, row, u)

    def _starting_needs(self, age: np.ndarray, placement: np.ndarray) -> np.ndarray:
        """Primary needs of the starting plans by age and placement (:func:`simulation.needs.starting_shares`)."""
        u = self.rng["primary_need"].random(age.size)
        row = np.clip(age.astype(np.int64), 0, AGES - 1) * len(PLACEMENTS) + placement
        assert self.need_tables is not None
        return choose_by_row(self.need_tables.starting, row, u)

    def _build_capacity(self) -> None:
        p, env = self.p, self.env
        cap = p.assessment.capacity_per_year
        self.queue: AssessmentQueue | None = None
        if cap is not None:
            per_year_slots = [p.assessment.slots(c) for c in schedule_values(cap, p.start_year, self.h)]
            self.queue = AssessmentQueue(per_year_slots[0], p.assessment.queue_discipline, self.rng["assessment_queue"])
            if p.assessment.capacity_response is not None:
                # responsive: worked out on each 1 January from the work in hand (-1: to work out)
                self.capacity_changes = [(float(k), -1) for k in range(1, self.h)]
                self.capacity_floor = per_year_slots
            else:
                self.capacity_changes = [
                    (float(k), per_year_slots[k])
                    for k in range(1, self.h)
                    if per_year_slots[k] != per_year_slots[k - 1]
                ]
        self.constrained = p.special_places.constrained
        self.pools, self.ever_open = open_pools(env, p.special_places, p.start_year, self.h)
        # by phase, the pools a child may take a place from (free_pool's order) and the pool it
        # waits in (home_pool's: a pool with places now has places in the run, so the pool
        # never changes); none for a phase that has no pool (post-19)
        self.pools_of_phase = {
            phase: tuple(self.pools[name] for name in names) if self.pools else ()
            for phase, names in POOL_FOR_PHASE.items()
        }
        self.home_pools = (
            {phase: home_pool(self.pools, self.ever_open, phase) for phase, names in POOL_FOR_PHASE.items() if names}
            if self.pools
            else {}
        )

    # ------------------------------------------------------------------ helpers
    def _repeat(self) -> float:
        if not self._repeat_block:
            self._repeat_block = self.rng["repeat"].random(4096).tolist()
        return self._repeat_block.pop()

    def _repeat_gamma(self, shape: int, mean: float) -> float:
        # Erlang(shape) from uniforms: -mean/shape * log(prod(U)) (the draws of _repeat, inline)
        total = 0.0
        block = self._repeat_block
        log1p = math.log1p
        if 0 < shape <= len(block):  # the next ``shape`` draws, in the order _repeat pops them
            for u in block[: -shape - 1 : -1]:
                total -= log1p(-u)
            del block[-shape:]
            return total * mean / shape / WEEKS
        for _ in range(shape):
            if not block:
                block = self._repeat_block = self.rng["repeat"].random(4096).tolist()
            total -= log1p(-block.pop())
        return total * mean / shape / WEEKS

    def _overflow_delay(self, scale: float) -> float:
        """An exponential draw with mean ``scale`` from the ``special_place_overflow`` stream:
        the same numbers, in the same order, as ``overflow_rng.exponential(scale)`` one at a
        time (numpy's exponential is ``scale`` times a standard exponential draw), drawn in
        blocks (the stream is used for nothing else)."""
        if not self._overflow_block:
            self._overflow_block = self.overflow_rng.standard_exponential(1024).tolist()[::-1]
        return scale * self._overflow_block.pop()

    _choose = staticmethod(_choose)

    def _set_group(self, child: int, group: int, now: float) -> None:
        old = self.group[child]
        if old == group:
            return
        if old >= 0:
            self.plan_spells.extend((self.spell_start[child], now, old, child))
        else:
            self.open_plans.add(child)
        self.group[child] = group
        self.spell_start[child] = now

    def _end_plan(self, child: int, when: float) -> None:
        self.plan_spells.extend((self.spell_start[child], when, self.group[child], child))
        self.group[child] = -1
        self.open_plans.discard(child)
        self.ceased.extend((when, self.cease_reason[child]))

    def _back_to_sen_support(self, child: int, now: float) -> None:
        """The child returns to SEN support at ``now``: draw the end of the spell; a
        request that ends it is followed at once (see :meth:`_decide`)."""
        while True:
            hz = self.support.hazard(self.support_key[child])
            if child in self.returned:
                block = self._repeat_block
                if len(block) >= 2:  # as _repeat twice, inline
                    e = -math.log1p(-block.pop())
                    u = block.pop()
                else:
                    e, u = -math.log1p(-self._repeat()), self._repeat()
            else:
                self.returned.add(child)
                e, u = float(self.return_e[child]), float(self.return_u[child])
            time, cause = next_event(hz, now, self.birth[child], e, u)
            self.sen_spells.extend((now, time))
            if cause != _REQUEST:
                if cause != NO_EVENT:
                    self.sen_exits.extend((time, cause - 1))
                return
            if time >= self.h:
                return
            refused_at = self._decide(child, time)
            if refused_at is None:
                return
            now = refused_at

    def _sen_support_events(
        self, t0: np.ndarray, birth: np.ndarray, exp_draw: np.ndarray, uniform: np.ndarray, keys: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """End of SEN support spells starting at ``t0`` (time and cause, :func:`first_events`),
        on each child's support hazards (``keys``, :class:`SupportHazards`); children never
        identified (``t0`` infinite) have no event."""
        if not keys.any() and np.isfinite(t0).all():
            return first_events(self.sen_hz, t0, birth, exp_draw, uniform)
        time = np.full(t0.size, np.inf)
        cause = np.full(t0.size, NO_EVENT, dtype=np.int64)
        finite = np.flatnonzero(np.isfinite(t0))
        if not finite.size:
            return time, cause
        # the distinct hazards of the keys present (keys often share them, compared by
        # identity), and which of them each child is on (keys are small whole numbers)
        present = keys[finite]
        of_key = np.zeros(int(present.max()) + 1, dtype=np.int64)
        hazards: list[CompetingHazards] = []
        for key in np.flatnonzero(np.bincount(present)).tolist():
            hazard = self.support.hazard(key)
            if hazard not in hazards:
                hazards.append(hazard)
            of_key[key] = hazards.index(hazard)
        which = of_key[present]
        time[finite], cause[finite] = first_events_each(
            hazards, which, t0[finite], birth[finite], exp_draw[finite], uniform[finite]
        )
        return time, cause

    def _first_requests(self, children: np.ndarray, when: np.ndarray) -> None:
        """Every child's first request (``when``) and its decision, from the child's own
        draws, at once: as :meth:`_decide` for each child, in numpy."""
        h = self.h
        decided = when + self.decision_delay[children]
        in_run = decided < h
        year = np.minimum(decided, h - 1).astype(np.int64)
        u = self.refuse_u[children]
        refused = in_run & (u < np.asarray(self.refusal)[year])
        closed = in_run & (u < np.asarray(self.closed_at)[year]) if self.closed_at is not self.refusal else refused
        assess = in_run & ~closed
        self.requests0 = when
        self.refused0 = decided[refused]
        self.pipeline0 = np.column_stack([when[closed], decided[closed]])
        # per child, written one child at a time later through their memoryviews
        self.request_times = np.zeros(self.n_children)
        self.request_times[children] = when
        # (typed Any: typeshed's memoryview takes only ints, this one holds float64)
        self.request_time: Any = self.request_times.data
        self.pipeline_opens = np.zeros(self.n_children, dtype=bool)  # a request not yet closed
        self.pipeline_opens[children[~closed]] = True
        self.pipeline_open = self.pipeline_opens.data
        made = np.zeros(self.n_children, dtype=np.int64)
        made[children] = 1
        self.requests_made = made.data
        if self.queue is None:
            for child, at in zip(children[assess].tolist(), decided[assess].tolist()):
                self._start_assessment(child, at)
        else:
            # first decisions to assess, in time order (later ones go on the heap to_assess)
            order = stable_order(decided[assess])
            self.first_decision_times = decided[assess][order].tolist()
            self.first_decision_children = children[assess][order].tolist()
            # decisions to assess by the calendar year of the request (the work in hand)
            self.assess_requested = np.bincount(
                np.floor(when[assess]).astype(np.int64).clip(0, h - 1), minlength=h
            ).tolist()
        self._first_returns(children[closed], decided[closed])  # refused or withdrawn: back to SEN support

    def _first_returns(self, children: np.ndarray, when: np.ndarray) -> None:
        """Children back on SEN support for the first time at ``when`` (refused at their first
        request): as :meth:`_back_to_sen_support` for each child, in numpy."""
        self.returned.update(children.tolist())
        time, cause = self._sen_support_events(
            when, self.births[children], self.return_e[children], self.return_u[children], self.support_keys[children]
        )
        self.return_start0, self.return_end0 = when, time
        exits = (cause != _REQUEST) & (cause != NO_EVENT)
        self.return_exit_times0, self.return_exit_causes0 = time[exits], cause[exits] - 1
        again = np.flatnonzero((cause == _REQUEST) & (time < self.h))
        for child, at in zip(children[again].tolist(), time[again].tolist()):
            self._request(child, at)

    def _request(self, child: int, when: float) -> None:
        """A request for an EHC needs assessment at ``when`` (now or later in the run)."""
        refused = self._decide(child, when)
        if refused is not None:
            self._back_to_sen_support(child, refused)

    def _decide(self, child: int, when: float) -> float | None:
        """Record a request made at ``when`` and draw its decision, ahead of time: neither
        touches shared capacity, so neither needs an event. A decision to assess is an
        event (the child joins the assessment queue then). Returns the time of a refusal
        (the child goes back to SEN support then), or ``None`` when the child goes on to
        assessment or the decision falls after the end of the run."""
        self.requests.append(when)
        self.request_time[child] = when
        self.pipeline_open[child] = True
        if self.requests_made[child] == 0:
            decided = when + float(self.decision_delay[child])
            u = float(self.refuse_u[child])
        else:
            a = self.p.assessment
            shape, block = a.decision_weeks_shape, self._repeat_block
            if 0 < shape < len(block):
                # the draws of _repeat_gamma then _repeat, inline (about 5,000 second and
                # later requests a Gloucestershire replication): the same numbers in the same order
                total = 0.0
                for draw in block[: -shape - 1 : -1]:
                    total -= math.log1p(-draw)
                del block[-shape:]
                decided = when + total * a.decision_weeks_mean / shape / WEEKS
                u = block.pop()
            else:
                decided = when + self._repeat_gamma(shape, a.decision_weeks_mean)
                u = self._repeat()
        self.requests_made[child] += 1
        if decided >= self.h:
            return None
        if u < self.closed_at[int(decided)]:  # refused, or withdrawn (closed, not counted as refused)
            if u < self.refusal[int(decided)]:
                self.refused.append(decided)
            self._close_pipeline(child, decided)
            return decided
        if self.queue is None:
            self._start_assessment(child, decided)
        else:
            heappush(self.to_assess, (decided, child))
            if 0 <= when < self.h:
                self.assess_requested[int(when)] += 1
        return None

    # ------------------------------------------------------------------ the assessment pipeline
    def _start_assessment(self, child: int, when: float) -> None:
        """The child's assessment starts at ``when`` (now, or later where no queue limits it)."""
        if not self.assessed_before[child]:
            duration = float(self.assess_time[child])
        else:
            a = self.p.assessment
            duration = self._repeat_gamma(a.assessment_weeks_shape, a.assessment_weeks_mean)
        heappush(self.done, (when + duration, child))

    def _close_pipeline(self, child: int, now: float) -> None:
        self.pipeline_spells.extend((self.request_time[child], now))
        self.pipeline_open[child] = False

    def _work_in_hand(self, now: float, decided: int) -> float:
        """The work in hand on the 1 January ``now``, as the calibration counts it from the
        published flows (:func:`simulation.calibration.estimate_rates`: the backlog of
        decisions to assess not completed, plus the year before's decisions to assess, both
        by the year of the request): children waiting for or in an assessment, children
        whose request made before ``now`` is still to be decided (and will be decided to
        assess: every decision to assess of a request made before ``now`` less the
        ``decided`` ones, the decisions to assess taken so far), and the decisions to assess
        among the requests made in the year before. Counting by the date of the decision
        instead (the rule before 8 December 2026) left out the requests awaiting a
        decision, about 5 weeks of demand, so the run completed a smaller share of its work
        than the share estimated (issue 19)."""
        queue = self.queue
        assert queue is not None
        year = int(now)
        requested = self.assess_requested
        awaiting = sum(requested[:year]) - decided
        return float(len(queue) + queue.in_use + awaiting + (requested[year - 1] if year >= 1 else 0))

    def _assess_all(self, until: float) -> None:
        """Run the assessment pipeline to ``until``: decisions to assess join the queue,
        assessments start when a slot is free and finish, and each outcome is recorded (a
        plan starts, or the child goes back to SEN support and may request again).

        Nothing here depends on special places: a child with a plan never comes back to
        the pipeline (a ceased plan leaves the model). So the pipeline runs first, on its
        own clock (three queues in time order: decisions, assessments finishing, changes
        of capacity on 1 January), and hands the plans it starts to
        :meth:`_run_plans`. Draws from the shared ``repeat`` stream come in the same order
        as if both ran on one clock, since only the pipeline uses it.

        The loop is the hot path of a replication (about 10,000 assessments in the
        Gloucestershire scenario), so starting an assessment (:meth:`_start_assessment`,
        which other callers use) is written out inline here, and so is its outcome: the
        child's first assessment uses its own draw, a later one the ``repeat`` stream; a
        plan is recorded (``issued_*``), or the child goes back to SEN support
        (:meth:`_back_to_sen_support`). Only times before the end reach the outcome, so
        ``int(now)`` indexes a year of the run.
        """
        pending, done, changes = self.to_assess, self.done, self.capacity_changes
        first_times, first_children = self.first_decision_times, self.first_decision_children
        first_times.append(math.inf)  # sentinel
        queue = self.queue
        # the queue's state, held here and written back to it around a change of capacity and
        # at the end (as AssessmentQueue.arrive and .finish, written out: called for every
        # decision to assess and every assessment finished)
        if queue is not None:
            in_use, units, waiting = queue.in_use, queue.units, queue.waiting
            draws, draw_block, randomly = queue._draws, queue._rng.random, queue.random
        start = self._start_assessment
        # what starting and finishing an assessment read and write (the per-child draws through
        # their memoryviews, ``ndarray.data``: indexing one gives a Python float, the same
        # number, about 3x faster than a numpy scalar)
        assessed_before = self.assessed_before
        assess_time: Any = self.assess_time.data
        not_issued_u: Any = self.not_issued_u.data
        not_issued = self.not_issued
        request_time, pipeline_open = self.request_time, self.pipeline_open
        not_issued_append = self.not_issued_done.extend
        issued_time, issued_requested, issued_child = (
            self.issued_times.append,
            self.issued_requested.append,
            self.issued_children.append,
        )
        back, repeat, repeat_gamma = self._back_to_sen_support, self._repeat, self._repeat_gamma
        shape, mean = self.p.assessment.assessment_weeks_shape, self.p.assessment.assessment_weeks_mean
        inf = math.inf
        changes = changes + [(inf, 0)]  # sentinel
        t_change = changes[0][0]
        events = next_change = next_first = 0
        decided = 0  # decisions to assess taken (responsive capacity: the requests awaiting one)
        while True:
            t_first = first_times[next_first]
            t_decide = pending[0][0] if pending and pending[0][0] < t_first else t_first
            t_done = done[0][0] if done else inf
            if t_decide <= t_done and t_decide <= t_change:
                if t_decide >= until:
                    break
                if t_decide == t_first:
                    child = first_children[next_first]
                    next_first += 1
                else:
                    child = heappop(pending)[1]
                events += 1
                decided += 1
                if queue is not None:  # as queue.arrive(child): a free slot and nobody waiting, or wait
                    if in_use >= units or waiting:
                        waiting.append(child)
                        continue
                    in_use += 1
                # as _start_assessment(child, t_decide) (with no queue: at once, as _decide does)
                duration = repeat_gamma(shape, mean) if assessed_before[child] else assess_time[child]
                heappush(done, (t_decide + duration, child))
            elif t_change <= t_done:
                if t_change >= until:
                    break
                assert queue is not None  # capacity changes exist only with a queue (_build_capacity)
                queue.in_use, queue._draws = in_use, draws
                units = changes[next_change][1]
                if units < 0:  # responsive capacity: the work in hand this 1 January
                    units = self.p.assessment.responsive_slots(
                        self._work_in_hand(t_change, decided), self.capacity_floor[next_change + 1], queue.units
                    )
                self.slots_by_year.append(units)
                for child in queue.set_units(units):
                    start(child, t_change)
                in_use, units, draws = queue.in_use, queue.units, queue._draws
                next_change += 1
                t_change = changes[next_change][0]
            else:
                if t_done >= until:
                    break
                now, child = done[0]
                events += 1
                # as queue.finish(): the child who takes over the slot now, or None
                if queue is not None and waiting and in_use <= units:
                    if randomly:
                        if not draws:
                            draws = draw_block(1024).tolist()
                        index = int(draws.pop() * len(waiting))
                        waiting[index], waiting[-1] = waiting[-1], waiting[index]
                        following = waiting.pop()
                    else:
                        following = waiting.popleft()  # type: ignore[union-attr]
                    # as _start_assessment(following, now); its slot is the one just freed, so
                    # it replaces the assessment finished on the heap in one step (the same
                    # order of finishing: every entry is a different child)
                    duration = repeat_gamma(shape, mean) if assessed_before[following] else assess_time[following]
                    heapreplace(done, (now + duration, following))
                else:
                    if queue is not None:
                        in_use -= 1
                    heappop(done)
                # the outcome
                requested = request_time[child]
                pipeline_open[child] = False
                if assessed_before[child]:
                    u = repeat()
                else:
                    u = not_issued_u[child]
                    assessed_before[child] = True
                if u < not_issued[int(now)]:
                    not_issued_append((now, requested))
                    back(child, now)
                else:
                    issued_time(now)
                    issued_requested(requested)
                    issued_child(child)
        if queue is not None:
            queue.in_use, queue._draws = in_use, draws
        self.events += events

    def _sort_out_plan_starts(self) -> None:
        """Split the plans started in the run (issued by the pipeline, or moved in) into
        those that can need a local special place, started through events in time order
        (:meth:`_run_plans`), and those that cannot, written at the end (deferred)."""
        n_issued = len(self.issued_children)
        issued_children = np.fromiter(self.issued_children, np.int64, n_issued)
        issued = self.issued = np.column_stack(
            [
                np.fromiter(self.issued_times, float, n_issued),
                np.fromiter(self.issued_requested, float, n_issued),
                issued_children.astype(float),
            ]
        )
        time = np.concatenate([issued[:, 0], self.move_in_times])
        child = np.concatenate([issued_children, self.move_in_ids])
        phase = phases_of_ages(school_year_ages(time, self.births[child]))
        tables = self.need_tables
        if tables is not None:  # the need each new plan names (simulation.needs.keep_or_change)
            new = child[: issued.shape[0]]
            issue_age = np.clip((time[: new.size] - self.births[new]).astype(np.int64), 0, AGES - 1)
            self.plan_need[new] = keep_or_change(
                self.need[new],
                tables.entry,
                self.need_age[new],
                tables.plan,
                issue_age,
                self.need_keep_u[new],
                self.need_change_u[new],
            )
        if tables is not None and tables.placement is not None:  # placement by the plan's need (simulation.needs)
            row = self.plan_need[child] * N_PHASES + phase
            group = choose_by_row(tables.placement, row, self.place_u[child])
        else:
            group = choose_by_row(self.shares_cum_array, phase, self.place_u[child])
        supported = self.early_array[child]
        if supported.any() and self.p.early_identification.special_placement_multiplier != 1.0:
            if tables is not None and tables.supported_placement is not None:
                group[supported] = choose_by_row(
                    tables.supported_placement, row[supported], self.place_u[child[supported]]
                )
            else:
                group[supported] = choose_by_row(
                    self.supported_shares_cum, phase[supported], self.place_u[child[supported]]
                )
        if self.constrained and not self.defer_plans:
            eventful = np.ones(child.size, dtype=bool)  # every plan through events (tests compare)
            width = 2 * N_PHASES if self.moves else N_PHASES
            later = np.empty((0, width), dtype=np.int64)
            later_moved = np.empty((0, N_PHASES if self.moves else 0))
        else:
            paths, moved = self._paths(child, time, group, phase)
            eventful = touches(paths, STATE_SPECIAL) if self.constrained else np.zeros(child.size, dtype=bool)
            later, later_moved = paths[~eventful], moved[~eventful]
        self.deferred.append((child[~eventful], time[~eventful], later, later_moved))
        self.events += int(eventful[issued.shape[0] :].sum())  # a move in is an event
        order = stable_order(time[eventful])
        time, child, phase, group = (values[eventful][order] for values in (time, child, phase, group))
        cease, reason = first_events(self.plan_hz, time, self.births[child], self.plan_e[child], self.plan_u[child])
        self.plan_starts = list(
            zip(time.tolist(), child.tolist(), phase.tolist(), group.tolist(), cease.tolist(), reason.tolist())
        )

    def _paths(
        self, child: np.ndarray, start: np.ndarray, group: np.ndarray, phase: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Placement paths of plans starting at ``start`` in ``group`` and ``phase``
        (:mod:`simulation.plan_paths`), and the times of their mid-phase moves (``(n, 0)``
        without moves)."""
        if not self.moves:
            paths = placement_paths(group, phase, self.transfer_cum_array, self.transfer_u[child])
            return paths, np.empty((child.size, 0))
        draws = MoveDraws(self.move_probability, start, self.births[child], self.move_u[child])
        return paths_with_moves(group, phase, self.transfer_cum_array, self.transfer_u[child], draws)

    # ------------------------------------------------------------------ plans and special places
    def _start_plan(self, now: float, child: int, phase: int, group: int, cease: float, reason: int) -> None:
        """A plan that may need a special place starts at ``now`` in ``phase``, placed in
        ``group`` by the child's draw, to cease at ``cease`` for ``reason`` (all worked
        out ahead, :meth:`_sort_out_plan_starts`); see :meth:`_run_plans`."""
        self.cease_time[child], self.cease_reason[child] = cease, reason
        if group == STATE_SPECIAL:
            group = self._seek_special(child, phase, now)
        if self.group[child] < 0:  # as _set_group: a new plan (always, but for a child already placed)
            self.open_plans.add(child)
            self.group[child] = group
            self.spell_start[child] = now
        else:
            self._set_group(child, group, now)
        self._schedule_plan(child, now)

    def _seek_special(self, child: int, phase: int, now: float) -> int:
        """Find a local special place: returns the placement the child gets now."""
        if not self.constrained:
            return STATE_SPECIAL
        for pool in self.pools_of_phase[phase]:  # as free_pool and PlacePool.take, inline
            if pool.level >= 1 and not pool.waiting:
                pool.level -= 1
                self.pool_held[child] = pool
                return STATE_SPECIAL
        if not self.policy_wait:
            self.overflow.append(now)
            return INDEPENDENT
        self._wait(child, phase, now)
        return self.waiting_group[phase]

    def _wait(self, child: int, phase: int, now: float) -> None:
        request = self.home_pools[phase].wait(now, child)
        request.callbacks.append(self._on_place_granted)
        self.wait_event[child] = request
        self.waiting.add(child)
        if self.overflow_mean_wait > 0:  # placed in an independent special school after a wait, if no place frees first
            block = self._overflow_block  # as _overflow_delay, inline
            if not block:
                block = self._overflow_block = self.overflow_rng.standard_exponential(1024).tolist()[::-1]
            delay = self.overflow_mean_wait * block.pop()
            if now + delay < self.h:
                # due from the start of the wait, ``now``: a plan can start (and so start
                # waiting) ahead of the SimPy clock (:meth:`_run_plans`), and a delay counted
                # from the clock placed the child before the wait began, even before a
                # January when the plan did not yet exist (the conservation fault). The time
                # is the clock's plus the wait left, as a SimPy timeout of that delay would
                # fall; it is kept on a heap of its own, and becomes a SimPy event only if the
                # child still waits when it falls due (:meth:`_run_plans`)
                clock = self.clock
                heappush(self.overflow_due, (clock + (now + delay - clock), next(self._overflows), child, request))

    def _on_overflow(self, event: simpy.Event) -> None:
        """A waiting child's wait for a local place ends in an independent special school
        (the child still waits on that request: :meth:`_run_plans` makes the event only then)."""
        child, request = cast(tuple[int, simpy.Event], event.value)
        if self.wait_event[child] is not request:
            return
        self.events += 1
        now = self.env.now
        self._stop_waiting(child, now)
        self.overflow.append(now)
        self._set_group(child, INDEPENDENT, now)

    def _stop_waiting(self, child: int, now: float) -> None:
        request = self.wait_event[child]
        if request is not None:
            request.pool.leave(request)
            self.wait_event[child] = None
            self.waiting.discard(child)
            self.waits.extend((request.since, now))

    def _on_place_granted(self, event: simpy.Event) -> None:
        request = cast(PlaceRequest, event)
        self.events += 1
        child, now = request.child, self.env.now
        self.wait_event[child] = None
        self.waiting.discard(child)
        self.waits.extend((request.since, now))
        self.pool_held[child] = request.value
        self._set_group(child, STATE_SPECIAL, now)

    def _schedule_plan(self, child: int, now: float) -> None:
        """Schedule the child's next phase transfer that can change who holds a special
        place, or the end of the plan; transfers before it are booked now."""
        cease = self.cease_time[child]
        held = self.pool_held[child]
        waiting = self.wait_event[child] is not None
        transfer_at, transfer_draw, transfer_cum = self.transfer_at, self.transfer_draw, self.transfer_cum
        moves, h, choose = self.moves, self.h, _choose
        since = now  # the start of the child's spell in the phase it is in
        row = 4 * child - 1  # the child's transfer into ``phase`` at ``row + phase``
        for phase in _TRANSFERS:
            next_transfer = transfer_at[row + phase]  # the 1 September of the transfer
            if next_transfer <= now + 1e-9:  # already made (or being made now)
                continue
            if moves and self._move(child, phase - 1, since, min(next_transfer, cease, h)):
                return
            if next_transfer >= cease or next_transfer >= h:
                break
            u = transfer_draw[row + phase]
            if held is not None:
                # staying on in an all-through special school keeps the place: no event
                if (
                    held.name == "all"
                    and phase <= 3
                    and choose(transfer_cum[phase - 1][STATE_SPECIAL], u) == STATE_SPECIAL
                ):
                    continue
                needs_event = True
            elif waiting:
                needs_event = True
            else:
                # a transfer that touches no special place needs no event: book it now
                new = choose(transfer_cum[phase - 1][self.group[child]], u)
                needs_event = new == STATE_SPECIAL and self.constrained
            if needs_event:
                clock = self.clock
                self._on_september(clock + (next_transfer - clock), child)
                return
            self._set_group(child, new, next_transfer)
            since = next_transfer
        else:  # every transfer made: a move in the last phase
            if self.moves and self._move(child, N_PHASES - 1, since, min(cease, self.h)):
                return
        if cease < math.inf:
            if held is not None or waiting:
                clock = self.clock
                _At(self.env, clock + (cease - clock), child).callbacks.append(self._on_cease)
            else:
                self._end_plan(child, cease)

    def _on_september(self, at: float, entry: int) -> None:
        """Schedule a phase transfer (``entry`` the child) or a mid-phase move (``-1 -
        child``) at time ``at``: one SimPy event for every transfer and move at that exact
        time (:meth:`_september`), in the order they were scheduled. The same order as an
        event each: events at one time are processed in the order they were scheduled, and
        nothing else is scheduled at a 1 September ahead of it (places given while the day
        is processed are events at the same time, scheduled after all of the day's)."""
        day = self.septembers.get(at)
        if day is None:
            day = self.septembers[at] = []
            _At(self.env, at, at).callbacks.append(self._september)
        day.append(entry)

    def _september(self, event: simpy.Event) -> None:
        """The transfers and moves of one time (:meth:`_on_september`), in order."""
        for entry in self.septembers.pop(cast(float, event.value)):
            if entry >= 0:
                self._on_transfer(entry)
            else:
                self._on_move(-1 - entry)

    def _on_transfer(self, child: int) -> None:
        self.events += 1
        now = self.env.now
        phase = phase_of_age(school_year_age(now, self.birth[child]))
        waiting = self.wait_event[child] is not None
        current = STATE_SPECIAL if waiting else self.group[child]
        new = self._choose(self.transfer_cum[phase - 1][current], self.transfer_draw[4 * child + phase - 1])
        held = self.pool_held[child]
        if held is not None and not (new == STATE_SPECIAL and held.name == "all" and phase <= 3):
            held.release()
            self.pool_held[child] = None
            held = None
        if waiting:
            self._stop_waiting(child, now)
        if new == STATE_SPECIAL and held is None:
            new = self._seek_special(child, phase, now)
        self._set_group(child, new, now)
        self._schedule_plan(child, now)

    def _move(self, child: int, phase: int, since: float, until: float) -> bool:
        """The child's mid-phase move in ``phase`` (its spell there began at ``since``),
        if it comes before ``until``: booked now, or, into a state special school when
        places are limited, an event at its time (returns ``True``: nothing more is
        scheduled until then)."""
        if self.group[child] not in MOVE_FROM or self.wait_event[child] is not None:  # a waiting child waits
            return False
        u = self.move_u[child, phase]
        when = move_time(self.birth[child], since, phase, self.move_total[phase], float(u[0]))
        if when >= until:
            return False
        new = self._choose(self.move_cum[phase], float(u[1]))
        if new == STATE_SPECIAL and self.constrained:
            clock = self.clock
            self._on_september(clock + (when - clock), -1 - child)
            return True
        self._set_group(child, new, when)
        return False

    def _on_move(self, child: int) -> None:
        """A mid-phase move into a state special school, when places are limited: the
        child seeks a place (:meth:`_seek_special`), then the rest of its plan is scheduled."""
        self.events += 1
        now = self.env.now
        phase = phase_of_age(school_year_age(now, self.birth[child]))
        self._set_group(child, self._seek_special(child, phase, now), now)
        self._schedule_plan(child, now)

    def _on_cease(self, event: simpy.Event) -> None:
        self.events += 1
        child, now = cast(int, event.value), self.env.now
        held = self.pool_held[child]
        if held is not None:
            held.release()
            self.pool_held[child] = None
        self._stop_waiting(child, now)
        self._end_plan(child, now)

    # ------------------------------------------------------------------ results
    def run(self) -> ReplicationResult:
        """One replication (:func:`simulate` runs it with the cycle collector paused)."""
        self.build()
        until = float(self.h)
        self._assess_all(until)
        self._sort_out_plan_starts()
        self._run_plans(until)
        return replication_result(self)

    def _cut_cycles(self) -> None:
        """Drop the SimPy environment, the pools and the events children wait on: they
        hold callbacks bound to the model (and a wait and its pool's line point at each
        other: the lines are emptied)."""
        for pool in self.pools.values():
            pool.waiting.clear()
            pool.left.clear()
        self.env = None  # type: ignore[assignment]
        self.pools = {}
        self.pools_of_phase = {}
        self.home_pools = {}
        self.overflow_due = []
        self.septembers = {}
        self.pool_held = self.wait_event = []  # type: ignore[assignment]

    def _run_plans(self, until: float) -> None:
        """Run the SimPy environment to ``until``, starting the plans that need events.

        The plans started by the assessment pipeline (:meth:`_assess_all`, already run)
        and by moves in are known ahead, in time order; each starts, at its own time,
        just before the first SimPy event that comes after it, when the special places
        are exactly as they would be at that time (nothing else happens in between).
        The same order of events as scheduling each start in SimPy, at a fraction of the
        cost. (A plan's own later events are scheduled relative to the clock, which may
        lag the start time.)

        A waiting child's overflow (:meth:`_wait`) comes due in the same order, but from
        a heap of its own: only a child still waiting on the same request then becomes a
        SimPy event (at that time, so the places it frees are given at that time); most
        waits end first (a place given, a phase transfer, a plan ceased), and those cost
        no SimPy event. The clock (``self.clock``, from which later events are scheduled)
        still moves to the time one falls due, as SimPy's clock moved to an event that had
        nothing left to do, so every event keeps the time it had when each was an event.
        """
        env = self.env
        starts = self.plan_starts
        start_plan = self._start_plan
        due = self.overflow_due
        wait_event = self.wait_event
        on_overflow = self._on_overflow
        inf = math.inf
        queue = env._queue  # as env.peek(), inline: the time of SimPy's next event
        k, n = 0, len(starts)
        next_start = starts[0][0] if n else inf
        while True:
            next_event = queue[0][0] if queue else inf
            next_due = due[0][0] if due else inf
            if next_start <= next_event and next_start <= next_due and next_start < until:
                start_plan(*starts[k])
                k += 1
                next_start = starts[k][0] if k < n else inf
            elif next_due < next_event and next_due < until:
                _, _, child, request = heappop(due)
                if wait_event[child] is request:  # still waiting: an event now
                    _At(env, next_due, (child, request)).callbacks.append(on_overflow)
                else:
                    self.clock = next_due
            elif next_event < until:
                self.clock = next_event
                env.step()
            else:
                break
        env.run(until=until)
        # the run's last 1 January: the places that change then are given to children
        # waiting before the last count, as every earlier January's are (SimPy's run stops
        # ahead of events at ``until``; nothing else falls on that instant)
        while queue and queue[0][0] <= until:
            self.clock = until
            env.step()

    def _deferred_spells(self) -> tuple[np.ndarray, np.ndarray]:
        """Spells ``(start, end, placement, child)`` and ceasings ``(time, reason)`` of the
        plans that needed no events, from the children's own draws, as the event path
        would have made them (spells that would start after the end of the run left out)."""
        child, start, paths, moved = (np.concatenate(parts) for parts in zip(*self.deferred))
        if not child.size:
            return np.empty((0, 4)), np.empty((0, 2))
        birth = self.births[child]
        cease, reason = first_events(self.plan_hz, start, birth, self.plan_e[child], self.plan_u[child])
        begin, end, placement, index = plan_segments(
            start, cease, birth, paths, float(self.h), moved if self.moves else None
        )
        ends = np.isfinite(cease)
        return (np.column_stack([begin, end, placement, child[index]]), np.column_stack([cease[ends], reason[ends]]))

    def _open_plan_spells(self) -> np.ndarray:
        """Spells ``(start, end, placement, child)`` of the plans run through events that are
        still open at the end of the run (``end`` infinite), in child order."""
        children = sorted(self.open_plans)
        return np.column_stack(
            [
                gather(self.spell_start, children),
                np.full(len(children), np.inf),
                gather(self.group, children),
                np.array(children, dtype=float),
            ]
        )

    def _open_requests(self) -> np.ndarray:
        """Times of the requests still open (not decided, or assessment not finished) at the
        end of the run, in child order."""
        return self.request_times[np.flatnonzero(self.pipeline_opens)]


def simulate(params: Parameters, seed: int, replication: int = 0) -> ReplicationResult:
    """Run one replication of ``params`` with the streams of ``(seed, replication)``.

    Python's cycle collector is paused while the replication runs and until the model is
    freed: a replication makes hundreds of thousands of small records, none of them
    garbage until the end, and the collector's passes over them (during the run, and one
    over everything still alive when it is switched back on) cost about a third of the
    run time. The model's own reference cycles (SimPy callbacks that point back at it)
    are cut first, so reference counting frees it at once."""
    paused = gc.isenabled()
    gc.disable()
    try:
        model = _Model(params, seed, replication)
        try:
            result = model.run()
        finally:
            model._cut_cycles()
        log.debug("replication %d: %d children, %d events", replication, model.n_children, result.events)
        del model
    finally:
        if paused:
            gc.enable()
    return result


def issued_plans(params: Parameters, seed: int, replication: int, until: float) -> tuple[np.ndarray, np.ndarray]:
    """Times plans were issued and times they were requested (years from the run's start),
    running only the assessment pipeline to ``until`` (years): it never depends on special
    places, so this is what the full replication issues by then, at a fraction of the cost."""
    paused = gc.isenabled()
    gc.disable()
    try:
        model = _Model(params, seed, replication)
        model.build()
        model._assess_all(until)
        issued, requested = np.asarray(model.issued_times), np.asarray(model.issued_requested)
        model._cut_cycles()
    finally:
        if paused:
            gc.enable()
    keep = issued < until
    return issued[keep], requested[keep]


def arrivals_and_exits(result: ReplicationResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(arrivals, exits, change in the stock of children in the system) per calendar year,
    from one replication's output: arrivals are identifications, direct requests and moves
    in; exits are SEN support exits and ceased plans; the stock is SEN support, open
    requests and assessments, and plans. The three must balance exactly."""
    f, s = result.flows, result.stocks
    arrivals = f[("sen_support_identified", "")] + f[("requests", "route=direct")] + f[("ehcp_moves_in", "")]
    exits = f[("sen_support_exits", "")] + f[("plans_ceased", "")]
    stock = s[("sen_support", "")] + s[("in_assessment", "")] + s[("ehcp_total", "")]
    return arrivals, exits, np.diff(stock)
