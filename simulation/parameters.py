"""Scenario parameters: one frozen dataclass per scenario, nested frozen sections.

A typo in a field name is an error (``TypeError`` from the dataclass constructor), a
value out of range or of the wrong shape is a :class:`~simulation.errors.ParameterError`
naming the field. Derive a scenario from a baseline with :func:`dataclasses.replace`::

    scenario = replace(baseline, assessment=replace(baseline.assessment, capacity_per_year=1250))

Conventions used everywhere in the engine:

- Time is in years from 1 January of ``Parameters.start_year`` (time 0). Stocks are
  counted on 1 January of each year ``start_year .. start_year + horizon``; flows are
  calendar years ``start_year .. start_year + horizon - 1``.
- Ages are single years 0..25 (``AGES`` = 26 values). A rate "by age" is a hazard per
  year, applied while the child's exact age is in ``[a, a + 1)``.
- Rates that change over calendar years are *schedules*: a number (constant), or pairs
  ``((year, value), ...)`` / a mapping ``{year: value}`` read as a step function (the
  value of the latest year at or before the one asked for; the first value before that).
- Money is pounds a year at ``Costs.price_base`` prices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulation.errors import ParameterError
from simulation.reform import IndividualSupportPlans

AGES = 26
#: Placement types an EHC plan can name. ``resourced_unit`` is the part of mainstream in a
#: resourced provision or SEN unit (reported inside ``ehcp_mainstream`` as well).
PLACEMENTS: tuple[str, ...] = (
    "mainstream",
    "resourced_unit",
    "state_special",
    "independent_special",
    "fe",
    "ap",
    "other",
)
MAINSTREAM, RESOURCED, STATE_SPECIAL, INDEPENDENT, FE, AP, OTHER = range(7)
#: Placements a plan can move out of inside a phase (:attr:`Placement.mid_phase_moves`).
MOVE_FROM: tuple[int, ...] = (MAINSTREAM, RESOURCED)
#: Phases by exact age: early years [0, 4), primary [4, 11), secondary [11, 16),
#: post-16 [16, 19), post-19 [19, 26). Placements may change at each phase transfer.
PHASES: tuple[str, ...] = ("early_years", "primary", "secondary", "post16", "post19")
PHASE_START_AGES: tuple[int, ...] = (0, 4, 11, 16, 19)
#: 1 September as a fraction of a year after 1 January (day 243 of 365): children change
#: school phase then, at the start of the school year, not on their birthdays.
SEPTEMBER = 243 / 365
#: Special school place pools: by phase, or ``all`` (all-through) serving every phase but post-19.
POOLS: tuple[str, ...] = ("primary", "secondary", "post16", "all")
OVERFLOW_POLICIES = ("independent", "wait")
#: Where a child waiting for a special place is counted (``SpecialPlaces.waiting_placement``).
WAITING_PLACEMENTS = ("other", "mainstream")
#: The phases (:data:`PHASES`) of school age, in which ``waiting_placement = "mainstream"``
#: counts a waiting child in a mainstream school: primary and secondary.
SCHOOL_AGE_PHASES: tuple[int, ...] = (1, 2)

Schedule = tuple[tuple[int, float], ...]


def phase_of_age(age: float) -> int:
    """Index into :data:`PHASES` of an exact age."""
    if age < 4:
        return 0
    if age < 11:
        return 1
    if age < 16:
        return 2
    if age < 19:
        return 3
    return 4


def phases_of_ages(age: np.ndarray) -> np.ndarray:
    """:func:`phase_of_age` for many exact ages at once."""
    starts = np.array(PHASE_START_AGES, dtype=float)
    return np.maximum(np.searchsorted(starts, age, side="right") - 1, 0)


def school_year_ages(time: np.ndarray, birth: np.ndarray) -> np.ndarray:
    """The age (whole years) a school phase is decided by, at ``time`` for children born at
    ``birth`` (run years: 0 is 1 January of the first year): the whole part of the child's
    age on the 1 January of its school year (which runs from 1 September). The model's ages
    are placed so that on a 1 January their whole part is the published age, so this age is
    the same all school year, goes up on 1 September, and on a 1 January equals the whole
    part of the exact age."""
    time = np.asarray(time, dtype=float)
    whole = np.floor(time)
    january = whole + (time - whole >= SEPTEMBER - 1e-9)
    return np.floor(january - np.asarray(birth, dtype=float) + 1e-9)


def school_year_age(time: float, birth: float) -> int:
    """:func:`school_year_ages` for one child."""
    whole = math.floor(time)
    january = whole + (1 if time - whole >= SEPTEMBER - 1e-9 else 0)
    return math.floor(january - birth + 1e-9)


def transfer_times(birth: np.ndarray, start_age: float | np.ndarray) -> np.ndarray:
    """When children born at ``birth`` start the phase that begins at ``start_age``: the
    1 September their school-year age (:func:`school_year_ages`) reaches it (run years)."""
    return np.ceil(np.asarray(birth, dtype=float) + start_age - 1.0 - 1e-9) + SEPTEMBER


def transfer_time(birth: float, start_age: float) -> float:
    """:func:`transfer_times` for one child."""
    return math.ceil(birth + start_age - 1.0 - 1e-9) + SEPTEMBER


def phase_by_age() -> np.ndarray:
    """Phase index for each single year of age 0..25."""
    return phases_of_ages(np.arange(AGES, dtype=float))


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float, copy=True)
    array.flags.writeable = False
    return array


def _vector(name: str, values: Any, length: int = AGES) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.shape != (length,):
        raise ParameterError(
            f"{name}: expected {length} values (one per single year of age 0-25 or per "
            f"placement), found shape {array.shape}"
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ParameterError(f"{name}: every value must be a finite number >= 0")
    return _readonly(array)


def make_schedule(name: str, value: Any, *, lower: float = 0.0, upper: float = np.inf) -> Schedule:
    """Normalise a number, a ``{year: value}`` mapping or ``((year, value), ...)`` pairs."""
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        pairs: list[tuple[int, float]] = [(0, float(value))]
    elif isinstance(value, Mapping):
        pairs = [(int(k), float(v)) for k, v in value.items()]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        try:
            pairs = [(int(k), float(v)) for k, v in value]
        except (TypeError, ValueError):
            raise ParameterError(f"{name}: expected (year, value) pairs, found {value!r}") from None
    else:
        raise ParameterError(
            f"{name}: expected a number, a {{year: value}} mapping or (year, value) pairs, found {value!r}"
        )
    if not pairs:
        raise ParameterError(f"{name}: the schedule is empty")
    pairs.sort()
    years = [p[0] for p in pairs]
    if len(set(years)) != len(years):
        raise ParameterError(f"{name}: a year appears twice in the schedule")
    for year, number in pairs:
        if not (lower <= number <= upper) or not np.isfinite(number):
            raise ParameterError(f"{name}: value {number} for {year} is outside [{lower}, {upper}]")
    return tuple(pairs)


def schedule_values(schedule: Schedule, start_year: int, horizon: int) -> np.ndarray:
    """The schedule's value for each calendar year ``start_year .. start_year + horizon - 1``."""
    years = np.array([p[0] for p in schedule])
    values = np.array([p[1] for p in schedule])
    wanted = np.arange(start_year, start_year + horizon)
    index = np.searchsorted(years, wanted, side="right") - 1
    return values[np.clip(index, 0, None)]


@dataclass(frozen=True, eq=False)
class Population:
    """Resident population by single year of age, one row per calendar year from ``start_year``.

    Rows are mid-year populations (ONS); a year after the last row uses the last row.
    """

    start_year: int
    by_age: Any

    def __post_init__(self) -> None:
        array = np.asarray(self.by_age, dtype=float)
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2 or array.shape[1] != AGES or array.shape[0] < 1:
            raise ParameterError(f"population.by_age: expected (years, 26) values, found shape {array.shape}")
        if not np.all(np.isfinite(array)) or np.any(array < 0):
            raise ParameterError("population.by_age: every value must be a finite number >= 0")
        object.__setattr__(self, "by_age", _readonly(array))

    def for_years(self, start_year: int, horizon: int) -> np.ndarray:
        """Population for ``horizon`` calendar years from ``start_year``: shape (horizon, 26)."""
        if start_year < self.start_year:
            raise ParameterError(f"population: starts in {self.start_year}, the run starts in {start_year}")
        rows = np.arange(start_year, start_year + horizon) - self.start_year
        return self.by_age[np.minimum(rows, self.by_age.shape[0] - 1)]


#: How far the EHC plans by age and by placement may part in children, whatever the share:
#: SEN2's tables are published separately and a small LA's two totals can differ by a child
#: or two (City of London, January 2025: 15 by age, 14 by placement, 7%). ILLUSTRATIVE.
CASELOAD_SLACK = 2.0


@dataclass(frozen=True, eq=False)
class Caseload:
    """The January caseload the run starts from (plain counts).

    ``ehcp_by_placement`` follows :data:`PLACEMENTS`; its total is rescaled to the total
    of ``ehcp_by_age`` (they come from different SEN2 tables), which must agree within 2%.
    ``in_assessment_by_age`` (optional): children whose request was decided (to assess)
    before the start and whose assessment is not finished; they join the assessment queue
    at the start, with their request dated ``decision_weeks_mean`` weeks before it, or,
    with ``in_assessment_weeks_open``, evenly over that many weeks before it (the age of
    a backlog that has built up: the application dates it from the published flows).
    ``age_placement_shape`` (optional, shape (26, 7), counts or any weights >= 0): the
    shape of plans by age and placement (SEN2 publishes the joint table from January
    2024); the starting caseload by age and placement is fitted to the two totals from it
    (:func:`simulation.caseload.age_placement_counts`). ``None``: no information beyond
    which cells are possible.
    """

    sen_support_by_age: Any
    ehcp_by_age: Any
    ehcp_by_placement: Any
    in_assessment_by_age: Any = None
    age_placement_shape: Any = None
    in_assessment_weeks_open: float | None = None

    def __post_init__(self) -> None:
        if self.in_assessment_weeks_open is not None and not 0 < self.in_assessment_weeks_open <= 208:
            raise ParameterError("caseload.in_assessment_weeks_open must be in (0, 208] weeks")
        object.__setattr__(self, "sen_support_by_age", _vector("caseload.sen_support_by_age", self.sen_support_by_age))
        object.__setattr__(self, "ehcp_by_age", _vector("caseload.ehcp_by_age", self.ehcp_by_age))
        in_assessment = np.zeros(AGES) if self.in_assessment_by_age is None else self.in_assessment_by_age
        object.__setattr__(self, "in_assessment_by_age", _vector("caseload.in_assessment_by_age", in_assessment))
        by_placement = _vector("caseload.ehcp_by_placement", self.ehcp_by_placement, len(PLACEMENTS))
        if self.age_placement_shape is not None:
            shape = np.asarray(self.age_placement_shape, dtype=float)
            if shape.shape != (AGES, len(PLACEMENTS)):
                raise ParameterError(f"caseload.age_placement_shape: expected shape (26, 7), found {shape.shape}")
            if not np.all(np.isfinite(shape)) or np.any(shape < 0):
                raise ParameterError("caseload.age_placement_shape: every value must be a finite number >= 0")
            object.__setattr__(self, "age_placement_shape", _readonly(shape))
        object.__setattr__(self, "ehcp_by_placement", by_placement)
        total_age, total_placement = self.ehcp_by_age.sum(), by_placement.sum()
        if abs(total_age - total_placement) > max(0.02 * total_age, CASELOAD_SLACK):
            raise ParameterError(
                f"caseload: EHC plans by age total {total_age:g} but by placement "
                f"{total_placement:g}; they must agree within 2% or {CASELOAD_SLACK:g} children"
            )


@dataclass(frozen=True, eq=False)
class Arrivals:
    """Flows into the system from the resident population (rates per head of population a year).

    - ``sen_support_rate_by_age``: identification at SEN support, times the calendar-year
      ``sen_support_multiplier`` schedule (a trend in identification).
    - ``direct_request_rate_by_age``: complex needs met first in early years (or elsewhere)
      that go straight to a request for an EHC needs assessment, without SEN support.
    - ``move_in_rate_by_age``: children and young people moving into the area with a plan.
    """

    sen_support_rate_by_age: Any
    direct_request_rate_by_age: Any
    move_in_rate_by_age: Any
    sen_support_multiplier: Any = 1.0

    def __post_init__(self) -> None:
        for name in ("sen_support_rate_by_age", "direct_request_rate_by_age", "move_in_rate_by_age"):
            object.__setattr__(self, name, _vector(f"arrivals.{name}", getattr(self, name)))
        object.__setattr__(
            self,
            "sen_support_multiplier",
            make_schedule("arrivals.sen_support_multiplier", self.sen_support_multiplier),
        )


@dataclass(frozen=True, eq=False)
class SenSupport:
    """Competing hazards (per child on SEN support per year) while on SEN support.

    Escalation to a request: ``request_rate_by_age`` times the ``request_multiplier``
    schedule (times the early-identification relative risk for children reached early).
    Ending: ``needs_met_rate_by_age``, ``moved_away_rate``; and everybody left on SEN
    support leaves it on reaching ``leaving_age`` (left school).
    """

    request_rate_by_age: Any
    needs_met_rate_by_age: Any
    moved_away_rate: float = 0.02
    leaving_age: float = 18.0
    request_multiplier: Any = 1.0

    def __post_init__(self) -> None:
        for name in ("request_rate_by_age", "needs_met_rate_by_age"):
            object.__setattr__(self, name, _vector(f"sen_support.{name}", getattr(self, name)))
        object.__setattr__(
            self, "request_multiplier", make_schedule("sen_support.request_multiplier", self.request_multiplier)
        )
        if not 0 <= self.moved_away_rate < 10:
            raise ParameterError("sen_support.moved_away_rate must be in [0, 10)")
        if not 1 <= self.leaving_age <= AGES:
            raise ParameterError("sen_support.leaving_age must be between 1 and 26")


@dataclass(frozen=True)
class Assessment:
    """Requests, decisions and EHC needs assessments.

    Decision time and assessment time are Erlang (gamma with a whole-number shape), in
    weeks. ``capacity_per_year`` is the number of assessments the service can complete
    in a year (caseworker and EP capacity), a schedule; ``None`` means unconstrained. It
    becomes ``round(capacity * assessment_weeks_mean / 52)`` concurrent assessment slots.
    Refused requests and assessments that end without a plan return the child to SEN support.

    ``capacity_response`` (``None``: capacity follows the schedule, "frozen"): capacity
    that responds to demand. On 1 January of every year after the first, the capacity of
    the year is ``capacity_response`` times the work in hand, counted as the calibration
    counts it from the published flows (by the year of the request): the children waiting
    for or in an assessment that day, those whose request is still to be decided and will
    be decided to assess, plus the decisions to assess among the requests made in the year
    before, but
    never below the schedule's value for that year (a floor: a scenario that funds more
    capacity). The first year's capacity is the schedule's first value (which must then
    be given).
    SEN2 history (completed assessments against that work in hand) estimates it
    (:func:`simulation.calibration.estimate_rates`).

    ``capacity_adjustment`` (``lambda`` in (0, 1]; 1: at once): how far a responsive
    service moves toward that target in a year, in proportion. The year's slots are
    ``previous ** (1 - lambda) * target ** lambda`` (a geometric partial adjustment:
    ``lambda = 0.5`` closes half the gap, in logs, every year) before the floor, with
    ``previous`` the slots of the year before. Chosen out of sample
    (:mod:`simulation.capacity_adjustment`).

    ``withdrawal_probability`` (0 to below 1; 0: none, the rule before it): the share of
    decisions to assess that never reach an outcome (the request withdrawn, the child moved
    away, the case closed before an outcome). SEN2 publishes no
    withdrawals; their share is estimated from the flows of services keeping up
    (:mod:`simulation.withdrawals`). A withdrawn request closes at the decision and the child
    goes back to SEN support, as after a refusal, but is counted neither as refused nor as
    assessed, and never joins the assessment queue.
    """

    decision_weeks_mean: float = 5.0
    decision_weeks_shape: int = 4
    assessment_weeks_mean: float = 10.0
    assessment_weeks_shape: int = 12
    refusal_probability: Any = 0.05
    not_issued_probability: Any = 0.05
    capacity_per_year: Any = None
    queue_discipline: str = "random"
    capacity_response: float | None = None
    capacity_adjustment: float = 1.0
    withdrawal_probability: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.withdrawal_probability < 1:
            raise ParameterError(
                "assessment.withdrawal_probability must be in [0, 1) (a share of the decisions to assess)"
            )
        if not 0 < self.capacity_adjustment <= 1:
            raise ParameterError(
                "assessment.capacity_adjustment must be in (0, 1] (the share of the gap closed a year)"
            )
        if self.capacity_response is not None:
            if not 0 < self.capacity_response <= 5:
                raise ParameterError("assessment.capacity_response must be in (0, 5] (a share of the work in hand)")
            if self.capacity_per_year is None:
                raise ParameterError("assessment.capacity_response needs capacity_per_year for the first year")
        if self.queue_discipline not in ("random", "fifo"):
            raise ParameterError(f"assessment.queue_discipline {self.queue_discipline!r}; allowed: random, fifo")
        for name in ("decision_weeks_mean", "assessment_weeks_mean"):
            if not 0 < getattr(self, name) <= 104:
                raise ParameterError(f"assessment.{name} must be in (0, 104] weeks")
        for name in ("decision_weeks_shape", "assessment_weeks_shape"):
            value = getattr(self, name)
            if int(value) != value or not 1 <= value <= 100:
                raise ParameterError(f"assessment.{name} must be a whole number 1..100")
        for name in ("refusal_probability", "not_issued_probability"):
            object.__setattr__(self, name, make_schedule(f"assessment.{name}", getattr(self, name), upper=1.0))
        if self.capacity_per_year is not None:
            object.__setattr__(
                self,
                "capacity_per_year",
                make_schedule("assessment.capacity_per_year", self.capacity_per_year, lower=1.0),
            )

    def slots(self, capacity_per_year: float) -> int:
        """Concurrent assessment slots giving ``capacity_per_year`` completions a year."""
        return max(1, int(round(capacity_per_year * self.assessment_weeks_mean / 52.0)))

    def responsive_slots(self, work_in_hand: float, floor_slots: int = 1, previous_slots: float | None = None) -> int:
        """Slots of a year under ``capacity_response`` given the work in hand on 1 January
        (children awaiting a decision to assess or waiting for or in an assessment, plus the
        decisions to assess among the year before's requests), moved ``capacity_adjustment`` of the way (in logs) from ``previous_slots``
        (the year before's; ``None``: all the way), at least ``floor_slots`` (the
        schedule's slots that year)."""
        if self.capacity_response is None:
            raise ParameterError("assessment.responsive_slots: capacity_response is not set")
        target = self.slots(max(float(self.capacity_response) * work_in_hand, 1.0))
        if previous_slots is not None and previous_slots >= 1 and self.capacity_adjustment < 1:
            share = float(self.capacity_adjustment)
            target = max(1, int(round(float(previous_slots) ** (1.0 - share) * float(target) ** share)))
        return max(target, floor_slots)


@dataclass(frozen=True, eq=False)
class Placement:
    """Where plans are placed.

    ``new_plan_shares[phase, placement]``: placement of a new plan (or a plan moving in)
    by the child's phase (rows follow :data:`PHASES`, columns :data:`PLACEMENTS`; rows sum
    to 1). ``transfer[k, from, to]``: placement after the transfer into phase ``k + 1``
    (primary at 4, secondary at 11, post-16 at 16, post-19 at 19) given the placement
    before it. No state special placement is allowed post-19.

    ``mid_phase_moves[phase, to]`` (optional): the probability that a child whose plan
    places it in mainstream or a resourced unit moves to placement ``to`` on a 1 September
    inside the phase (every September of the phase but the transfer into it: at school-year
    ages 5-10 in primary, 12-15 in secondary, ...; :data:`MOVE_FROM`). The columns of the
    placements moved from are 0: a child moves at most once in a phase, and stays where it
    moved until the next transfer. ``None``: placements change only at phase transfers.
    """

    new_plan_shares: Any
    transfer: Any
    mid_phase_moves: Any = None

    def __post_init__(self) -> None:
        shares = np.asarray(self.new_plan_shares, dtype=float)
        transfer = np.asarray(self.transfer, dtype=float)
        n = len(PLACEMENTS)
        if shares.shape != (len(PHASES), n):
            raise ParameterError(f"placement.new_plan_shares: expected shape (5, 7), found {shares.shape}")
        if transfer.shape != (len(PHASES) - 1, n, n):
            raise ParameterError(f"placement.transfer: expected shape (4, 7, 7), found {transfer.shape}")
        for name, array in (("new_plan_shares", shares), ("transfer", transfer)):
            # np.allclose(sums, 1.0, atol=1e-6) without its wrapper (a fit builds thousands of mixes)
            if np.any(array < 0) or not np.all(np.abs(array.sum(axis=-1) - 1.0) <= 1e-6 + 1e-5):
                raise ParameterError(f"placement.{name}: every row must be >= 0 and sum to 1")
        if shares[4, STATE_SPECIAL] > 0 or np.any(transfer[3, :, STATE_SPECIAL] > 0):
            raise ParameterError("placement: no state special placement is allowed post-19")
        object.__setattr__(self, "new_plan_shares", _readonly(shares / shares.sum(axis=1, keepdims=True)))
        object.__setattr__(self, "transfer", _readonly(transfer / transfer.sum(axis=-1, keepdims=True)))
        if self.mid_phase_moves is not None:
            moves = np.asarray(self.mid_phase_moves, dtype=float)
            if moves.shape != (len(PHASES), n):
                raise ParameterError(f"placement.mid_phase_moves: expected shape (5, 7), found {moves.shape}")
            if not np.all(np.isfinite(moves)) or np.any(moves < 0) or np.any(moves.sum(axis=1) > 1 + 1e-9):
                raise ParameterError(
                    "placement.mid_phase_moves: every value must be a probability >= 0, each phase's summing to at most 1"
                )
            if np.any(moves[:, list(MOVE_FROM)] > 0):
                raise ParameterError(
                    "placement.mid_phase_moves: moves go from mainstream and resourced units to other placements; "
                    "their own columns must be 0"
                )
            if moves[4, STATE_SPECIAL] > 0:
                raise ParameterError("placement: no state special placement is allowed post-19")
            object.__setattr__(self, "mid_phase_moves", _readonly(moves))

    @property
    def moves(self) -> bool:
        """Whether any plan can move between placements inside a phase."""
        return self.mid_phase_moves is not None and bool(np.any(self.mid_phase_moves > 0))


@dataclass(frozen=True)
class PlaceBlock:
    """A block of state special school places in one pool, open from January ``from_year``
    to January ``to_year`` inclusive (``None``: always)."""

    pool: str
    places: int
    from_year: int | None = None
    to_year: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.pool not in POOLS:
            raise ParameterError(f"special_places: pool {self.pool!r}; allowed: {', '.join(POOLS)}")
        if int(self.places) != self.places or self.places < 0:
            raise ParameterError("special_places: places must be a whole number >= 0")


@dataclass(frozen=True)
class SpecialPlaces:
    """Local state special school places. ``blocks=None`` means unconstrained.

    ``overflow_policy``: when no local place is free, ``independent`` places the child in
    an independent or non-maintained special school at once; ``wait`` keeps the child
    waiting (counted in ``other`` placements, as SEN2's awaiting provision) until a place
    frees, or, with ``overflow_rate_per_year`` > 0, until the child is placed in an
    independent special school (a hazard per year of waiting: mean wait ``1 / rate`` years).
    ``waiting_placement``: where a waiting child is counted: ``other`` (SEN2's awaiting
    provision) or ``mainstream``: a child of school age (:data:`SCHOOL_AGE_PHASES`) stays in
    a mainstream school while waiting, in the other phases counted in ``other``.

    ``over_capacity_share``: schools take children beyond their nominal places up to this
    share (0.12: up to 112% of the places); the places of every pool and year are
    ``floor(nominal x (1 + share))`` (:meth:`places_by_year`).
    """

    blocks: tuple[PlaceBlock, ...] | None = None
    overflow_policy: str = "independent"
    over_capacity_share: float = 0.0
    overflow_rate_per_year: float = 0.0
    waiting_placement: str = "other"

    def __post_init__(self) -> None:
        if self.waiting_placement not in WAITING_PLACEMENTS:
            raise ParameterError(
                f"special_places.waiting_placement {self.waiting_placement!r}; allowed: {', '.join(WAITING_PLACEMENTS)}"
            )
        if not 0 <= self.over_capacity_share <= 1:
            raise ParameterError("special_places.over_capacity_share must be in [0, 1]")
        if not 0 <= self.overflow_rate_per_year <= 52:
            raise ParameterError("special_places.overflow_rate_per_year must be in [0, 52] a year")
        if self.overflow_policy not in OVERFLOW_POLICIES:
            raise ParameterError(
                f"special_places.overflow_policy {self.overflow_policy!r}; allowed: {', '.join(OVERFLOW_POLICIES)}"
            )
        if self.blocks is not None:
            blocks = tuple(self.blocks)
            if not all(isinstance(b, PlaceBlock) for b in blocks):
                raise ParameterError("special_places.blocks: expected PlaceBlock items")
            object.__setattr__(self, "blocks", blocks)

    @property
    def constrained(self) -> bool:
        return self.blocks is not None

    def places_by_year(self, start_year: int, horizon: int) -> dict[str, np.ndarray]:
        """Places open in each pool on 1 January of each year (``horizon`` values), with the
        over-capacity allowance (``floor(nominal x (1 + over_capacity_share))``)."""
        years = np.arange(start_year, start_year + horizon)
        out = {pool: np.zeros(horizon, dtype=np.int64) for pool in POOLS}
        for block in self.blocks or ():
            active = np.ones(horizon, dtype=bool)
            if block.from_year is not None:
                active &= years >= block.from_year
            if block.to_year is not None:
                active &= years <= block.to_year
            out[block.pool] += np.where(active, int(block.places), 0)
        if self.over_capacity_share:
            out = {
                pool: np.floor(values * (1.0 + self.over_capacity_share) + 1e-9).astype(np.int64)
                for pool, values in out.items()
            }
        return out


@dataclass(frozen=True, eq=False)
class Ceasing:
    """Competing hazards of a plan ending, per plan per year, by age; and ageing out on
    reaching ``max_age`` (26: plans can run while the young person is 25)."""

    needs_met_rate_by_age: Any
    moved_away_rate_by_age: Any
    left_education_rate_by_age: Any
    max_age: float = 26.0

    def __post_init__(self) -> None:
        for name in ("needs_met_rate_by_age", "moved_away_rate_by_age", "left_education_rate_by_age"):
            object.__setattr__(self, name, _vector(f"ceasing.{name}", getattr(self, name)))
        if not 1 <= self.max_age <= AGES:
            raise ParameterError("ceasing.max_age must be between 1 and 26")


@dataclass(frozen=True, eq=False)
class PrimaryNeeds:
    """Primary need of EHC plans (counts of plans in one January, published): what each
    child's primary need is drawn from (:mod:`simulation.needs`).

    ``names``: the needs (any labels; the application passes the SEN2 codes, ``asd``,
    ``semh``, ...; a need "not recorded" is a need like any other). ``by_age[age, need]``:
    EHC plans by single year of age 0-25 and need. ``by_placement[placement, need]``
    (optional, rows follow :data:`PLACEMENTS`): plans by placement and need; with it the
    starting caseload's needs follow its placements too and a new plan is placed by the
    child's need (:func:`simulation.needs.placement_by_need`); ``None``: placement does
    not depend on need. ``new_by_age`` (26 values) and ``new_by_need`` (one per need)
    (optional, both or neither): new plans in a calendar year by age at the start of the
    plan and by need; with them the need of a new plan follows the need mix of new plans
    (:func:`simulation.needs.plan_shares_by_age`). ``year``: the January the counts are from.
    """

    names: tuple[str, ...]
    by_age: Any
    by_placement: Any = None
    year: int | None = None
    new_by_age: Any = None
    new_by_need: Any = None

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.names)
        if not names or len(set(names)) != len(names):
            raise ParameterError("needs.names: expected distinct need names")
        if len(names) > 100:
            raise ParameterError("needs.names: at most 100 needs")
        object.__setattr__(self, "names", names)
        by_age = np.asarray(self.by_age, dtype=float)
        if by_age.shape != (AGES, len(names)):
            raise ParameterError(f"needs.by_age: expected shape (26, {len(names)}), found {by_age.shape}")
        if not np.all(np.isfinite(by_age)) or np.any(by_age < 0) or by_age.sum() <= 0:
            raise ParameterError("needs.by_age: every value must be a finite number >= 0, and some > 0")
        object.__setattr__(self, "by_age", _readonly(by_age))
        if self.by_placement is not None:
            by_placement = np.asarray(self.by_placement, dtype=float)
            if by_placement.shape != (len(PLACEMENTS), len(names)):
                raise ParameterError(
                    f"needs.by_placement: expected shape (7, {len(names)}), found {by_placement.shape}"
                )
            if not np.all(np.isfinite(by_placement)) or np.any(by_placement < 0):
                raise ParameterError("needs.by_placement: every value must be a finite number >= 0")
            object.__setattr__(self, "by_placement", _readonly(by_placement))
        if (self.new_by_age is None) != (self.new_by_need is None):
            raise ParameterError("needs.new_by_age and needs.new_by_need: give both or neither")
        if self.new_by_age is not None:
            object.__setattr__(self, "new_by_age", _vector("needs.new_by_age", self.new_by_age))
            object.__setattr__(self, "new_by_need", _vector("needs.new_by_need", self.new_by_need, len(names)))

    def index(self, names: Sequence[str]) -> np.ndarray:
        """Positions of ``names`` in :attr:`names` (an unknown name is a ParameterError)."""
        unknown = [n for n in names if n not in self.names]
        if unknown:
            raise ParameterError(f"need {unknown[0]!r} is not one of {', '.join(self.names)}")
        return np.array([self.names.index(n) for n in names], dtype=np.int64)


#: Largest shift of identification the lever allows (years), and how far beyond the run
#: identifications are drawn so that every child the lever can move into the run is there.
MAX_YEARS_EARLIER = 3
#: "More identified" children come from a pool of potential extra identifications at ages
#: ``MORE_IDENTIFIED_AGES`` drawn in every scenario at ``MAX_MORE_IDENTIFIED`` times the usual
#: identification rate (so a scenario and its baseline share them; the lever keeps a share).
MAX_MORE_IDENTIFIED = 0.5
MORE_IDENTIFIED_AGES = (2, 7)


@dataclass(frozen=True)
class EarlyIdentification:
    """The early identification lever, shaped like the evidence.

    Who is reached (children "supported"), each calendar year, first come first served
    within ``capacity_children_per_year`` (``None``: no limit); the programme starts with
    the run, and identifications are drawn :data:`MAX_YEARS_EARLIER` years beyond it so
    its reach in the last years is complete:

    - *identified earlier*: of the children who would be identified at SEN support at
      ``late_age`` or older, a share ``share_identified_early`` is identified
      ``years_earlier`` years earlier (0-3; 0: supported when identified, not earlier);
    - *more identified*: children who would never have been identified, a share
      ``share_more_identified`` (at most :data:`MAX_MORE_IDENTIFIED`) of the usual
      identifications at ages ``MORE_IDENTIFIED_AGES`` [2, 7).

    Their escalation to a request: the age-average hazard times a multiple (the group's
    own rate: ``late_identified_escalation_multiple`` for the children identified earlier,
    applied in the years gained, before the age they would have been identified;
    ``more_identified_escalation_multiple`` for the extra children, always) times the
    relative risk of support, which varies with years since identification ``t`` (whole
    calendar years): from ``initial_relative_risk`` at ``t = 0`` (``None``: no ramp) in a
    straight line to ``relative_risk`` at ``t = years_to_full_effect``, held until
    ``t = effect_years`` (``None``: for good), then back to 1 in a straight line over
    ``fade_out_years``. "Needs met" exits from SEN support are multiplied by
    ``needs_met_multiplier``; a supported child's new plan is placed in a special school
    (state or independent) with the usual probability times ``special_placement_multiplier``
    (the rest goes to mainstream). Cost: ``cost_per_child_gbp`` per child for each of
    ``support_years`` calendar years from the year reached, plus ``programme_cost_gbp_per_year``.

    ``target_needs`` (``None``: every child): the lever reaches only children whose primary
    need (drawn at identification, :class:`PrimaryNeeds`) is one of these; the shares above
    are then shares of those children. Needs :attr:`Parameters.needs`.
    """

    share_identified_early: float = 0.0
    relative_risk: float = 1.0
    capacity_children_per_year: int | None = None
    cost_per_child_gbp: float = 0.0
    late_age: int = 7
    years_earlier: int = 2
    share_more_identified: float = 0.0
    late_identified_escalation_multiple: float = 1.0
    more_identified_escalation_multiple: float = 1.0
    initial_relative_risk: float | None = None
    years_to_full_effect: float = 0.0
    effect_years: float | None = None
    fade_out_years: float = 0.0
    needs_met_multiplier: float = 1.0
    special_placement_multiplier: float = 1.0
    support_years: int = 1
    programme_cost_gbp_per_year: float = 0.0
    target_needs: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.target_needs is not None:
            if isinstance(self.target_needs, str) or not self.target_needs:
                raise ParameterError("early_identification.target_needs: expected a non-empty list of needs or None")
            object.__setattr__(self, "target_needs", tuple(str(n) for n in self.target_needs))
        if not 0 <= self.share_identified_early <= 1:
            raise ParameterError("early_identification.share_identified_early must be in [0, 1]")
        if not 0 <= self.share_more_identified <= MAX_MORE_IDENTIFIED:
            raise ParameterError(f"early_identification.share_more_identified must be in [0, {MAX_MORE_IDENTIFIED}]")
        for name in (
            "relative_risk",
            "late_identified_escalation_multiple",
            "more_identified_escalation_multiple",
            "needs_met_multiplier",
        ):
            if not 0 < getattr(self, name) <= 10:
                raise ParameterError(f"early_identification.{name} must be in (0, 10]")
        if self.initial_relative_risk is not None and not 0 < self.initial_relative_risk <= 10:
            raise ParameterError("early_identification.initial_relative_risk must be in (0, 10]")
        if not 0 <= self.special_placement_multiplier <= 3:
            raise ParameterError("early_identification.special_placement_multiplier must be in [0, 3]")
        if self.capacity_children_per_year is not None and self.capacity_children_per_year < 0:
            raise ParameterError("early_identification.capacity_children_per_year must be >= 0 or None")
        for name in ("cost_per_child_gbp", "programme_cost_gbp_per_year", "years_to_full_effect", "fade_out_years"):
            if getattr(self, name) < 0:
                raise ParameterError(f"early_identification.{name} must be >= 0")
        if self.effect_years is not None and self.effect_years < self.years_to_full_effect:
            raise ParameterError("early_identification.effect_years must be at least years_to_full_effect")
        if int(self.years_earlier) != self.years_earlier or not 0 <= self.years_earlier <= MAX_YEARS_EARLIER:
            raise ParameterError(f"early_identification.years_earlier must be a whole number 0..{MAX_YEARS_EARLIER}")
        if int(self.support_years) != self.support_years or not 1 <= self.support_years <= 25:
            raise ParameterError("early_identification.support_years must be a whole number 1..25")
        if not 0 <= self.late_age < AGES:
            raise ParameterError("early_identification.late_age must be in 0..25")

    @property
    def active(self) -> bool:
        return self.share_identified_early > 0 or self.share_more_identified > 0

    def relative_risk_after(self, years: np.ndarray) -> np.ndarray:
        """The relative risk of escalation ``years`` (whole calendar years, >= 0) after identification."""
        t = np.asarray(years, dtype=float)
        start = self.relative_risk if self.initial_relative_risk is None else self.initial_relative_risk
        ramp = self.years_to_full_effect
        out = np.where(t < ramp, start + (self.relative_risk - start) * t / max(ramp, 1e-12), self.relative_risk)
        if self.effect_years is not None:
            fade = np.clip((t - self.effect_years) / max(self.fade_out_years, 1e-12), 0.0, 1.0)
            fade = np.where(t >= self.effect_years + self.fade_out_years, 1.0, fade)
            out = out + (1.0 - out) * fade
        return out


@dataclass(frozen=True, eq=False)
class Costs:
    """Unit costs in pounds at ``price_base`` prices: a year in each placement (follows
    :data:`PLACEMENTS`) and one completed EHC needs assessment.

    ``transport_gbp_per_year`` (optional, follows :data:`PLACEMENTS`): home-to-school
    transport a year per child in each placement, reported as its own cost component.
    ``fixed_gbp``: costs that do not depend on what children do, as pairs
    ``(component, ((calendar year, pounds), ...))``: the pounds fall in exactly those
    calendar years (not a step schedule), e.g. the capital cost of new special places in
    their opening year, or the staff cost of extra assessment capacity in each year.
    """

    placement_gbp_per_year: Any
    assessment_gbp: float = 0.0
    price_base: str = "2021-22"
    transport_gbp_per_year: Any = None
    fixed_gbp: Any = ()

    def __post_init__(self) -> None:
        values = self.placement_gbp_per_year
        if isinstance(values, Mapping):
            unknown = sorted(set(values) - set(PLACEMENTS))
            if unknown:
                raise ParameterError(
                    f"costs.placement_gbp_per_year: unknown placement {unknown[0]!r}; allowed: {', '.join(PLACEMENTS)}"
                )
            values = [float(values.get(p, 0.0)) for p in PLACEMENTS]
        object.__setattr__(
            self, "placement_gbp_per_year", _vector("costs.placement_gbp_per_year", values, len(PLACEMENTS))
        )
        if self.assessment_gbp < 0:
            raise ParameterError("costs.assessment_gbp must be >= 0")
        transport = np.zeros(len(PLACEMENTS)) if self.transport_gbp_per_year is None else self.transport_gbp_per_year
        if isinstance(transport, Mapping):
            unknown = sorted(set(transport) - set(PLACEMENTS))
            if unknown:
                raise ParameterError(f"costs.transport_gbp_per_year: unknown placement {unknown[0]!r}")
            transport = [float(transport.get(p, 0.0)) for p in PLACEMENTS]
        object.__setattr__(
            self, "transport_gbp_per_year", _vector("costs.transport_gbp_per_year", transport, len(PLACEMENTS))
        )
        fixed = []
        for item in self.fixed_gbp:
            try:
                component, pairs = item
                pairs = tuple((int(year), float(gbp)) for year, gbp in pairs)
            except (TypeError, ValueError):
                raise ParameterError(
                    f"costs.fixed_gbp: expected (component, ((year, pounds), ...)), found {item!r}"
                ) from None
            if not isinstance(component, str) or not component:
                raise ParameterError("costs.fixed_gbp: each component needs a name")
            if any(not np.isfinite(gbp) for _, gbp in pairs):
                raise ParameterError(f"costs.fixed_gbp: {component}: every amount must be a finite number")
            fixed.append((component, pairs))
        object.__setattr__(self, "fixed_gbp", tuple(fixed))

    def fixed_by_year(self, start_year: int, horizon: int) -> dict[str, np.ndarray]:
        """Each fixed component's pounds in calendar years ``start_year .. + horizon - 1``
        (amounts for years outside the run are left out)."""
        out: dict[str, np.ndarray] = {}
        for component, pairs in self.fixed_gbp:
            values = out.setdefault(component, np.zeros(horizon))
            for year, gbp in pairs:
                if start_year <= year < start_year + horizon:
                    values[year - start_year] += gbp
        return out


@dataclass(frozen=True, eq=False)
class Parameters:
    """Everything one scenario needs. Derive scenarios with :func:`dataclasses.replace`."""

    start_year: int
    horizon: int
    population: Population
    caseload: Caseload
    arrivals: Arrivals
    sen_support: SenSupport
    assessment: Assessment
    placement: Placement
    ceasing: Ceasing
    special_places: SpecialPlaces = field(default_factory=SpecialPlaces)
    early_identification: EarlyIdentification = field(default_factory=EarlyIdentification)
    costs: Costs = field(default_factory=lambda: Costs(placement_gbp_per_year=np.zeros(len(PLACEMENTS))))
    individual_support_plans: IndividualSupportPlans = field(default_factory=IndividualSupportPlans)
    needs: PrimaryNeeds | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.horizon <= 50:
            raise ParameterError("horizon must be 1..50 years")
        expected = {
            "population": Population,
            "caseload": Caseload,
            "arrivals": Arrivals,
            "sen_support": SenSupport,
            "assessment": Assessment,
            "placement": Placement,
            "ceasing": Ceasing,
            "special_places": SpecialPlaces,
            "early_identification": EarlyIdentification,
            "costs": Costs,
            "individual_support_plans": IndividualSupportPlans,
        }
        for name, kind in expected.items():
            if not isinstance(getattr(self, name), kind):
                raise ParameterError(f"{name}: expected a {kind.__name__}, found {type(getattr(self, name)).__name__}")
        if self.needs is not None and not isinstance(self.needs, PrimaryNeeds):
            raise ParameterError(f"needs: expected a PrimaryNeeds or None, found {type(self.needs).__name__}")
        targets = self.early_identification.target_needs
        if targets is not None:
            if self.needs is None:
                raise ParameterError("early_identification.target_needs: no primary needs given (Parameters.needs)")
            self.needs.index(targets)  # raises on a need not in needs.names
        self.population.for_years(self.start_year, self.horizon)  # raises if it starts too late

    @property
    def years(self) -> np.ndarray:
        """Calendar years of the flows (the January stocks run one year further)."""
        return np.arange(self.start_year, self.start_year + self.horizon)
