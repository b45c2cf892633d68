"""The cohort (Markov) version of the same flows: expected trajectories in milliseconds.

The same parameters and the same rules as :mod:`simulation.model`, computed as expected
numbers instead of individual children: state arrays indexed by birth cohort (one cohort
per time step, so children age without any shifting), advanced ``steps_per_year`` times a
year (weekly by default). Hazards act as ``1 - exp(-h dt)`` over a step and are split
between competing causes in proportion; decision and assessment times are carried in
pipelines holding the exact discretised delay distribution (including where in the step a
request arrives). With assessment and special school capacity unconstrained the
discrete-event model's mean agrees with this within Monte Carlo error and a few tenths of
a per cent of discretisation (tested).

The cohort model reports ``ehcp_total`` by age band as the DES does. Besides the
measures of :mod:`simulation.outputs`, it reports all plans and every
placement group (and ``ehcp_resourced_unit``) by phase on the January day, breakdown
``phase=early_years`` (ages 0-3), ``primary`` (4-10), ``secondary`` (11-15), ``post16``
(16-18) and ``post19`` (19-25): the DES reports the specialist ones for primary and
secondary with the same definition; the calibration fits the others. ``new_plans`` by
phase and by single year of age (``age=7``), the age when the plan is issued, likewise;
``plans_ceased`` by single year of age when the plan ceased (``age=19``; a plan ending at
the maximum age counts at 25), calendar years, as SEN2 publishes ceased plans from 2023;
and ``sen_support`` by single year of age on the January day.

Capacity, when given, is handled as a *fluid* approximation, not exactly as the DES does:

- assessments: at most ``slots`` children in assessment at once; the queue is served in
  proportion across the cohorts waiting (not first come first served), so flows are right
  on average but ``issued_within_20wk_pct`` is reported only when unconstrained (``nan``
  otherwise);
- special school places are not modelled: parameters with places (``special_places.blocks``
  given) are refused (:class:`simulation.errors.ParameterError`) rather than run as if
  places were unlimited; the DES models them (a child who finds no place goes
  independent at once, or waits and goes independent at ``overflow_rate_per_year``). The
  cohort engine is exact only where places never bind, which is how the calibration uses
  it (its window runs without places) and what the agreement test checks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simulation.errors import ParameterError
from simulation.outputs import (
    AGE_BANDS,
    CEASE_REASONS,
    PLACEMENT_GROUP,
    PLACEMENT_GROUPS,
    SEN_EXIT_REASONS,
    placement_group_stocks,
    tidy,
)
from simulation.parameters import (
    AGES,
    MAX_YEARS_EARLIER,
    MOVE_FROM,
    PHASE_START_AGES,
    PHASES,
    PLACEMENTS,
    SEPTEMBER,
    Parameters,
    phase_by_age,
    schedule_values,
)
from simulation.plan_paths import move_ages

WEEKS = 52.0

#: ``ndarray.sum()`` without its Python wrapper (the same reduction, bit for bit): the
#: engine sums small arrays hundreds of thousands of times in a calibration.
_sum = np.add.reduce


def delay_pmf(mean_weeks: float, shape: int, steps_per_year: int, grid: int = 400) -> np.ndarray:
    """P(request made at a uniform point of step 0 is done in step k), k = 0, 1, ...
    (computed once per argument set: a calibration asks for the same ones hundreds of times)."""
    return _delay_pmf(float(mean_weeks), int(shape), int(steps_per_year), int(grid)).copy()


@lru_cache(maxsize=64)
def _delay_pmf(mean_weeks: float, shape: int, steps_per_year: int, grid: int) -> np.ndarray:
    scale_steps = mean_weeks / shape * steps_per_year / WEEKS
    dist = stats.gamma(shape, scale=scale_steps)
    kmax = int(np.ceil(dist.ppf(1 - 1e-9))) + 2
    u = (np.arange(grid) + 0.5) / grid
    edges = np.arange(kmax + 2, dtype=float)
    cdf = dist.cdf(edges[:, None] - u[None, :]).mean(axis=1)
    pmf = np.diff(cdf)
    pmf[-1] += 1.0 - cdf[-1]
    return pmf / pmf.sum()


#: The set-ups runs share (:meth:`_CohortRun._shared_set_up`), by part and the ids of the
#: parameter sections they were made from; emptied when it holds :data:`_SHARED_SET_UPS_KEPT`.
_SHARED_SET_UPS: dict[tuple, tuple[tuple, dict]] = {}
_SHARED_SET_UPS_KEPT = 64


def _read_only(value: object) -> object:
    """``value`` made read-only to share between runs: an array (in place: it is new) and
    the arrays of a list (then a tuple); anything else as it is."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, list) and all(isinstance(item, np.ndarray) for item in value):
        for item in value:
            item.flags.writeable = False
        return tuple(value)
    return value


def _add_in_delay_order(ring: np.ndarray, now: int, win: slice, values: np.ndarray) -> None:
    """``ring[(now + d) % k, :, win] += values[d]`` for each delay ``d`` (``k = len(ring)``):
    a ring buffer indexed by step modulo its length, filled in delay order from the slot
    of step ``now`` (two slices: the slots from ``now`` on, then those before it)."""
    k = ring.shape[0]
    ring[now:, :, win] += values[: k - now]
    if now:
        ring[:now, :, win] += values[k - now :]


def remaining_pmf(params: Parameters, steps_per_year: int, length: int) -> np.ndarray:
    """P(an assessment under way at the start finishes in step k): remaining time uniform
    on [0, assessment_weeks_mean] weeks (``length`` steps, the tail folded into the last)."""
    top = params.assessment.assessment_weeks_mean * steps_per_year / WEEKS
    edges = np.minimum(np.arange(length + 1, dtype=float), top) / top
    pmf = np.diff(edges)
    pmf[-1] += 1.0 - pmf.sum()
    return pmf


def within_20_weeks(params: Parameters) -> float:
    """P(decision time + assessment time <= 20 weeks), in per cent, when nobody queues."""
    a = params.assessment
    return _within_20_weeks(
        float(a.decision_weeks_mean),
        int(a.decision_weeks_shape),
        float(a.assessment_weeks_mean),
        int(a.assessment_weeks_shape),
    )


@lru_cache(maxsize=64)
def _within_20_weeks(decision_mean: float, decision_shape: int, assessment_mean: float, assessment_shape: int) -> float:
    d = stats.gamma(decision_shape, scale=decision_mean / decision_shape)
    s = stats.gamma(assessment_shape, scale=assessment_mean / assessment_shape)
    x = np.linspace(0, 20, 4001)
    return float(100 * np.trapezoid(d.pdf(x) * s.cdf(20 - x), x))


def advance(run: Any, w: int) -> np.ndarray:
    """One time step ``w`` of a cohort run, in the engine's one order of operations: January
    stocks, placement moves, age limits, SEN support exits and requests, ceasing, arrivals,
    moves in, assessments and new plans (or the replayed new plans), returns to SEN
    support, placement years, the oldest cohort leaving. ``run``: a :class:`_CohortRun`, or several
    stepped together (:mod:`simulation.cohort_batch`), which must keep this order to give
    the same numbers. Returns the new plans issued, by window position."""
    y = w // run.spy
    if w % run.spy == 0:
        run.record_january(y, w)
    win = slice(w, w + run.a0)
    run.placement_moves(w)
    run.leave_at_age_limits(w, y)
    replayed = run.replayed_plans(w)
    requests = run.sen_support_exits(win, y) if replayed is None else None
    run.cease_plans(win, y)
    if requests is not None:
        run.arrive_at_sen_support(win, y, requests)
    run.move_in(win, y)
    if requests is not None:
        issued, back = run.requests_to_plans(w, win, y, requests)
    else:
        issued, back = replayed, None
    run.issue_plans(win, y, issued)
    if back is not None:
        run.return_to_sen_support(win, y, back)
    if run.counting_flows:
        run.count_placement_years(win, y)
    run.leave_window(w, y)
    return issued


def early_identification_flows(params: Parameters, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split expected identifications ``(year, age)`` into (normal, reached) by the lever's
    rule (:func:`simulation.early_support.reach`): ``expected`` covers the run and
    :data:`MAX_YEARS_EARLIER` years beyond it (so identifications moved into the run are
    there); both results cover the run. The cohort model follows who is reached, with a
    constant relative risk: it does not have the lever's escalation multiples, time-varying
    relative risk, extra ("more identified") children or placement effect."""
    lever = params.early_identification
    h = params.horizon
    normal = expected[:h].copy()
    early = np.zeros_like(normal)
    if not lever.active:
        return normal, early
    shift = int(lever.years_earlier)
    moved = np.zeros_like(expected)
    moved[shift:, lever.late_age :] = lever.share_identified_early * expected[shift:, lever.late_age :]
    dest = np.zeros_like(normal)  # by destination year and age
    dest[:, lever.late_age - shift : AGES - shift] = moved[shift : shift + h, lever.late_age :]
    scale = np.ones(h)
    if lever.capacity_children_per_year is not None:
        total = dest.sum(axis=1)
        scale = np.where(
            total > lever.capacity_children_per_year, lever.capacity_children_per_year / np.maximum(total, 1e-300), 1.0
        )
    reached = dest * scale[:, None]
    early += reached
    back = np.zeros_like(expected)
    back[shift : shift + h, lever.late_age :] = reached[:, lever.late_age - shift : AGES - shift]
    normal -= back[:h]
    return normal, early


def expected_trajectories(params: Parameters, steps_per_year: int = 52) -> pd.DataFrame:
    """Expected yearly results, tidy ``measure, breakdown, year, value`` (same measures as the DES)."""
    stocks, flows = expected_arrays(params, steps_per_year)
    return tidy(stocks, flows, params.start_year)


def expected_arrays(
    params: Parameters, steps_per_year: int = 52, *, start_by_age_placement: np.ndarray | None = None
) -> tuple[dict, dict]:
    """The numbers behind :func:`expected_trajectories`, without building a table (for a
    fit that runs the model hundreds of times): ``(stocks, flows)``, dicts from
    ``(measure, breakdown)`` to yearly arrays (stocks: ``horizon + 1`` Januaries; flows:
    ``horizon`` calendar years). ``start_by_age_placement``: the starting plans by age and
    placement (:func:`simulation.caseload.age_placement_counts` of the caseload, which is
    what is used when ``None``), to compute once when only rates change between runs."""
    return _run(params, steps_per_year, start_by_age_placement)


def new_plans_by_step(
    params: Parameters, steps_per_year: int = 52, *, start_by_age_placement: np.ndarray | None = None
) -> np.ndarray:
    """Expected new plans issued in each time step by window position (age), shape
    ``(steps, 26 * steps_per_year)``: what :func:`placements_given_new_plans` replays."""
    kept: list[np.ndarray] = []
    _run(params, steps_per_year, start_by_age_placement, kept=kept)
    return np.array(kept)


def placements_given_new_plans(
    params: Parameters,
    new_plans: np.ndarray,
    steps_per_year: int = 52,
    *,
    start_by_age_placement: np.ndarray | None = None,
) -> dict:
    """Plans by placement (the stocks of :func:`expected_arrays`) when the new plans issued
    each step are ``new_plans`` (from :func:`new_plans_by_step` of parameters that differ
    only in the placement mix): SEN support, requests and assessments are not run again,
    so fitting the placement mix costs a fraction of a full run. No flows are counted."""
    if new_plans.shape != (params.horizon * steps_per_year, AGES * steps_per_year):
        raise ValueError(
            f"new_plans: expected shape {(params.horizon * steps_per_year, AGES * steps_per_year)}, "
            f"found {new_plans.shape}"
        )
    stocks, _ = _run(params, steps_per_year, start_by_age_placement, replay=new_plans)
    return stocks


def _run(
    params: Parameters,
    spy: int,
    joint: np.ndarray | None = None,
    replay: np.ndarray | None = None,
    kept: list | None = None,
) -> tuple[dict, dict]:
    """Run the cohort engine ``spy`` steps a year over the horizon: ``(stocks, flows)`` as
    :func:`expected_arrays` returns them. ``joint``: the starting plans by age and placement
    (``None``: from the caseload); ``replay``: new plans issued each step, by window
    position, to use instead of running SEN support, requests and assessments; ``kept``:
    a list that receives the new plans issued each step (for a later replay)."""
    run = _CohortRun(params, spy, joint, replay)
    for w in range(run.steps):
        issued = run.step(w)
        if kept is not None:
            kept.append(issued)
    return _finish(run)


def _finish(run: _CohortRun, last_january: bool = True, wanted: frozenset | None = None) -> tuple[dict, dict]:
    """The last January's stocks (unless ``last_january`` is false: recorded already), then
    ``(stocks, flows)`` of a run whose steps are done; ``wanted``: see :func:`_assemble_stocks`."""
    params = run.p
    if last_january:
        run.record_january(params.horizon, run.steps)
    run.gather()
    stocks = _assemble_stocks(params, run.stock, run.by_phase, run.plans_by_age, run.sen_by_age, wanted)
    if not run.counting_flows:
        return stocks, {}
    return stocks, _assemble_flows(params, run.flow, run.new_by_age, run.ceased_by_age, wanted)


_STOCK_NAMES = ("sen_support", "in_assessment") + tuple(PLACEMENTS) + ("waiting_special_place",)
_FLOW_NAMES = (
    (
        "identified",
        "identified_early",
        "requests",
        "direct",
        "refused",
        "decided",
        "assessments",
        "not_issued",
        "new_plans",
        "moves_in",
    )
    + tuple(f"sen_exit_{r}" for r in SEN_EXIT_REASONS)
    + tuple(f"ceased_{r}" for r in CEASE_REASONS)
    + tuple(f"years_{g}" for g in PLACEMENTS)
)


class _CohortRun:
    """One run of the cohort engine: set up from the parameters, then advanced one time
    step at a time by :meth:`step`, whose named steps are taken in a fixed order (the
    order matters: each acts on what the one before left).

    Time: step ``w`` covers ``[w, w + 1) / spy`` years from 1 January of ``start_year``
    (``dt = 1 / spy`` years; weekly by default). Stocks are recorded on 1 January of the
    census year ``start_year + k`` (January census year), at step ``k * spy``, index
    ``k = 0 .. horizon``. Flows of step ``w`` are added to index ``y = w // spy``, the
    calendar year ``start_year + y``. Numbers are expected children (not whole ones);
    rates are per year; money is left to :func:`_assemble_flows`.

    State is indexed by birth cohort ``b`` (one cohort a step, so children age without
    any shifting): at step ``w`` the window of children aged 0-25 is the cohorts
    ``[w, w + a0)`` (``a0 = 26 * spy``); window position ``j = b - w`` is age bin
    ``a0 - 1 - j`` (in steps) and single year of age ``rev_year[j]``. SEN support and
    the requests pipelines carry a row per early identification flag (0: usual; 1:
    reached early by the lever, whose escalation is multiplied by its relative risk).

    A replay (``replay`` given) counts no flows (``counting_flows`` false): its caller
    keeps the stocks only (:func:`placements_given_new_plans`), and the stocks are the
    same numbers either way.
    """

    def __init__(
        self, params: Parameters, spy: int, joint: np.ndarray | None, replay: np.ndarray | None, results: bool = True
    ) -> None:
        """``results``: set up where results are counted (:meth:`_set_up_results`; runs
        stepped together, :mod:`simulation.cohort_batch`, count theirs in shared arrays)."""
        if params.special_places.constrained:
            raise ParameterError(
                "the cohort engine does not model special school places (special_places.blocks given); "
                "run the discrete-event model, or the cohort engine without places"
            )
        self.p = params
        self.spy = spy
        self.replay = replay
        self.counting_flows = replay is None
        self._set_up_rates()
        self._set_up_placement()
        self._set_up_state(joint)
        if results:
            self._set_up_results()

    # -- set-up -------------------------------------------------------------------------

    def _set_up_rates(self) -> None:
        """The window, arrivals, SEN support, ceasing and assessment: everything that
        depends on neither the placement mix nor the starting state. A fit runs the engine
        thousands of times on the same sections while it moves the placement mix, so these
        are made once for each set of sections (the same objects: they are frozen, their
        arrays read-only) and shared, read-only, by the runs (:data:`_SHARED_SET_UPS`), each
        part by the sections it reads (a fit's finite difference moves one of them)."""
        p = self.p
        self._shared_set_up("window", (), self._set_up_window)
        self._shared_set_up("arrivals", (p.population, p.arrivals, p.early_identification), self._set_up_arrivals)
        self._shared_set_up("sen_support", (p.sen_support, p.early_identification), self._set_up_sen_support)
        self._shared_set_up("ceasing", (p.ceasing,), self._set_up_ceasing)
        self._shared_set_up("assessment", (p.assessment,), self._set_up_assessment)
        # capacity of each year: responsive capacity changes it during the run
        self.slots = None if self.slots_schedule is None else self.slots_schedule.copy()

    def _shared_set_up(self, part: str, sections: tuple, make: Callable[[], None]) -> None:
        """The attributes ``make`` sets, made once for each ``sections`` (the same objects)
        with the start year, horizon and steps a year, and shared read-only by the runs."""
        p = self.p
        key = (part, *(id(section) for section in sections), p.start_year, p.horizon, self.spy)
        entry = _SHARED_SET_UPS.get(key)
        if entry is None:
            before = set(vars(self))
            make()
            made = {name: _read_only(value) for name, value in vars(self).items() if name not in before}
            if len(_SHARED_SET_UPS) >= _SHARED_SET_UPS_KEPT:
                _SHARED_SET_UPS.clear()
            # the entry holds the sections, so no other object can take their ids while it is kept
            entry = _SHARED_SET_UPS[key] = (sections, made)
        vars(self).update(entry[1])

    def _set_up_window(self) -> None:
        """Steps and the window: ``dt`` (years), ``a0`` (window positions, ages 0-25 in
        steps), ``steps`` (over the horizon), ``nb`` (birth cohorts the run meets), and
        for each window position its age bin (steps), single year of age and phase."""
        spy = self.spy
        self.h = self.p.horizon
        self.dt = 1.0 / spy
        self.a0 = AGES * spy
        self.steps = self.h * spy
        self.nb = self.a0 + self.steps
        self.rev_bin = self.a0 - 1 - np.arange(self.a0)  # age bin of window position j
        self.rev_year = self.rev_bin // spy  # single year of age of window position j
        self.phase_pos = phase_by_age()[self.rev_year]

    def _set_up_arrivals(self) -> None:
        """Expected arrivals by year of the run (calendar years) and single year of age,
        children a year: identified at SEN support (split into usual and reached early by
        :func:`early_identification_flows`), direct requests and moves in with a plan; and
        the early identification flags (usual, reached early) with their relative risk."""
        p, h = self.p, self.h
        pop = p.population.for_years(p.start_year, h)
        span = h + MAX_YEARS_EARLIER
        ident = (
            p.population.for_years(p.start_year, span)
            * p.arrivals.sen_support_rate_by_age[None, :]
            * schedule_values(p.arrivals.sen_support_multiplier, p.start_year, span)[:, None]
        )
        self.ident_normal, self.ident_early = early_identification_flows(p, ident)
        self.direct = pop * p.arrivals.direct_request_rate_by_age[None, :]
        self.moves = pop * p.arrivals.move_in_rate_by_age[None, :]
        self.n_flags = 2 if p.early_identification.active else 1
        self.flag_rr = np.array([1.0, p.early_identification.relative_risk])[: self.n_flags]
        # each year's arrivals in a step by window position, and their totals (the same every step of the year)
        rev_year, spy = self.rev_year, self.spy
        per_cohort = 1.0 / (spy * spy)
        self.ident_normal_pos = [self.ident_normal[y][rev_year] * per_cohort for y in range(h)]
        self.ident_early_pos = [self.ident_early[y][rev_year] * per_cohort for y in range(h)]
        self.identified_step = [
            (_sum(self.ident_normal[y], None) + _sum(self.ident_early[y], None)) / spy for y in range(h)
        ]
        self.identified_early_step = [_sum(self.ident_early[y], None) / spy for y in range(h)]
        self.direct_pos = [self.direct[y][rev_year] * per_cohort for y in range(h)]
        self.direct_step = [_sum(d, None) for d in self.direct_pos]
        self.moves_pos = [self.moves[y][rev_year] * per_cohort for y in range(h)]
        self.moves_step = [_sum(m, None) for m in self.moves_pos]

    def _set_up_sen_support(self) -> None:
        """SEN support hazards (a year) by window position: requests (times the year's
        request multiplier) and needs met; and where SEN support ends with leaving school
        (``leave_pos``: the window position reaching ``leaving_age``; ``None``: at 26)."""
        p, spy = self.p, self.spy
        s = p.sen_support
        self.req_mult = schedule_values(s.request_multiplier, p.start_year, self.h)
        self.req_age = s.request_rate_by_age[self.rev_year]
        self.nm_age = s.needs_met_rate_by_age[self.rev_year]
        self.moved_away_rate = s.moved_away_rate
        leave_bin = int(round(s.leaving_age * spy))
        self.leave_pos = self.a0 - 1 - leave_bin if leave_bin < self.a0 else None
        self.old_enough = self.rev_bin >= leave_bin  # too old to return to SEN support
        # the hazards of each year (flag, window position), worked out once for the run
        self.req_rate_y = [self.req_age[None, :] * self.req_mult[y] * self.flag_rr[:, None] for y in range(self.h)]
        self.total_y = [r + self.nm_age[None, :] + self.moved_away_rate for r in self.req_rate_y]
        self.leave_p_y = [-np.expm1(-total * self.dt) for total in self.total_y]
        self.total_positive = [bool(np.all(total > 0)) for total in self.total_y]

    def _set_up_ceasing(self) -> None:
        """Plans by window position: the probability a plan ceases in a step and its split
        by reason; and where plans end at ``max_age`` (``max_pos``; ``None``: at 26)."""
        c, spy, a0 = self.p.ceasing, self.spy, self.a0
        rev_year = self.rev_year
        cease_rates = np.stack(
            [
                c.needs_met_rate_by_age[rev_year],
                c.moved_away_rate_by_age[rev_year],
                c.left_education_rate_by_age[rev_year],
            ]
        )
        cease_total = cease_rates.sum(axis=0)
        self.cease_p = -np.expm1(-cease_total * self.dt)
        self.cease_names = [f"ceased_{reason}" for reason in CEASE_REASONS[:3]]
        self.cease_split = np.divide(cease_rates, cease_total, out=np.zeros_like(cease_rates), where=cease_total > 0)
        max_bin = int(round(c.max_age * spy))
        self.max_pos = a0 - 1 - max_bin if max_bin < a0 else None
        self.max_age_index = min(int(c.max_age), AGES) - 1  # a plan ending at the maximum age counts here

    def _set_up_placement(self) -> None:
        """The placement shares of a new plan or a plan moving in (by the child's phase),
        and the window positions of the phase transfers with their placement matrices."""
        spy, a0 = self.spy, self.a0
        # (groups, a0), laid out as the plans are (the products are the same numbers either way)
        self.shares_pos = np.ascontiguousarray(self.p.placement.new_plan_shares[self.phase_pos].T)
        # each year's moves in of a step, placed: (groups, a0)
        self.moves_placed = [self.shares_pos * m for m in self.moves_pos]
        # the window position of each phase transfer, with its placement matrix
        self.transfer_pos = [
            (a0 - 1 - start * spy, self.p.placement.transfer[k]) for k, start in enumerate(PHASE_START_AGES[1:])
        ]
        self.mid_phase_pos = _mid_phase_moves_kept(self.p, len(PLACEMENTS), self.rev_bin, spy)
        self.september_step = int(round(SEPTEMBER * spy))

    def _set_up_assessment(self) -> None:
        """Decisions and assessments: the year's refusal and not-issued probabilities, the
        discretised delay distributions (steps) and, when capacity is given, the slots
        each year by the schedule (children in assessment at once; responsive capacity sets
        the run's ``slots`` each 1 January after the first, at least the schedule's ``floor``)."""
        p, a, h = self.p, self.p.assessment, self.h
        self.refusal = schedule_values(a.refusal_probability, p.start_year, h)
        self.withdrawal = float(a.withdrawal_probability)
        self.not_issued = schedule_values(a.not_issued_probability, p.start_year, h)
        self.pmf_dec = delay_pmf(a.decision_weeks_mean, a.decision_weeks_shape, self.spy)
        self.pmf_ass = delay_pmf(a.assessment_weeks_mean, a.assessment_weeks_shape, self.spy)
        self.k_dec, self.k_ass = self.pmf_dec.size, self.pmf_ass.size
        self.pmf_dec_3 = self.pmf_dec[:, None, None]
        self.pmf_ass_3 = self.pmf_ass[:, None, None]
        capacity = a.capacity_per_year
        self.slots_schedule: np.ndarray | None = (
            None
            if capacity is None
            else np.array([a.slots(v) for v in schedule_values(capacity, p.start_year, h)], dtype=float)
        )
        self.responsive = self.slots_schedule is not None and a.capacity_response is not None
        # the schedule: a floor under responsive capacity
        self.floor: np.ndarray | None = self.slots_schedule

    def _set_up_state(self, joint: np.ndarray | None) -> None:
        """The state by birth cohort (children): SEN support by flag, plans by placement,
        the decision and assessment pipelines (ring buffers indexed by step modulo their
        length) and the queue for assessment; filled with the starting caseload (January
        ``start_year``) spread evenly over the cohorts of each single year of age."""
        from simulation.caseload import age_placement_counts  # local: avoids a cycle in documentation builds

        p, spy, nb, rev_year = self.p, self.spy, self.nb, self.rev_year
        self.sen = np.zeros((self.n_flags, nb))
        self.ehcp = np.zeros((len(PLACEMENTS), nb))
        self.ring_dec = np.zeros((self.k_dec, self.n_flags, nb))
        self.ring_ass = np.zeros((self.k_ass, self.n_flags, nb))
        self.queue = np.zeros((self.n_flags, nb))
        # requests awaiting a decision to assess on the last 1 January (responsive capacity);
        # none at the start: the starting caseload's open requests are decided already
        self.awaiting_last = 0.0
        self.sen[0, : self.a0] = np.round(p.caseload.sen_support_by_age)[rev_year] / spy
        joint = (age_placement_counts(p.caseload) if joint is None else joint).astype(float)
        self.ehcp[:, : self.a0] = (joint[rev_year] / spy).T
        # open requests as given, not rounded: an expected count (the discrete-event model
        # rounds them to whole children); the calibration scales them by a fitted factor,
        # and rounding here made its cost a staircase in that factor
        self.open_at_start = np.asarray(p.caseload.in_assessment_by_age, dtype=float)[rev_year] / spy

    def _set_up_results(self) -> None:
        """Where results are gathered: stocks on each January (``horizon + 1``) and flows
        by calendar year (``horizon``), by name, and the breakdowns by phase and age."""
        h = self.h
        self.stock = {name: np.zeros(h + 1) for name in _STOCK_NAMES}
        self.flow = {name: np.zeros(h) for name in _FLOW_NAMES}
        # columns of stocks and flows (copied to them by :meth:`gather`): plans by placement on
        # each January, years in each placement and plans ceased by reason, by calendar year
        self.placed = np.zeros((h + 1, len(PLACEMENTS)))
        self.years = np.zeros((h, len(PLACEMENTS)))
        self.ceased = np.zeros((h, len(self.cease_names)))
        self.by_phase = np.zeros((h + 1, len(PLACEMENTS), len(PHASES)))  # plans by placement and phase, Januaries
        self.new_by_age = np.zeros((h, AGES))  # new plans by single year of age at issue
        self.plans_by_age = np.zeros((h + 1, AGES))  # plans by single year of age on each January
        self.sen_by_age = np.zeros((h + 1, AGES))  # SEN support by single year of age on each January
        self.ceased_by_age = np.zeros((h, AGES))  # plans ceased by single year of age when ceased
        self.phase_mask = (self.phase_pos[None, :] == np.arange(len(PHASES))[:, None]).astype(float)  # (phases, a0)

    # -- one time step ----------------------------------------------------------------------

    def step(self, w: int) -> np.ndarray:
        """Advance step ``w``; returns the new plans issued in it by window position. When
        replaying (``replay`` given), SEN support, requests and assessments are not run:
        the step's new plans are the replayed ones."""
        return advance(self, w)

    def replayed_plans(self, w: int) -> np.ndarray | None:
        """The new plans of step ``w`` when replaying, else ``None`` (run the requests)."""
        return None if self.replay is None else self.replay[w]

    def record_january(self, k: int, w: int) -> None:
        """Stocks on 1 January of census year ``start_year + k`` (the start of step ``w``)."""
        win = slice(w, w + self.a0)
        sen, ehcp, stock = self.sen, self.ehcp, self.stock
        stock["sen_support"][k] = _sum(sen[:, win], None)
        stock["in_assessment"][k] = _sum(self.ring_dec, None) + _sum(self.ring_ass, None) + _sum(self.queue, None)
        self.placed[k] = ehcp[:, win].sum(axis=1)
        self.by_phase[k] = ehcp[:, win] @ self.phase_mask.T
        self.plans_by_age[k] = np.bincount(self.rev_year, weights=ehcp[:, win].sum(axis=0), minlength=AGES)
        self.sen_by_age[k] = np.bincount(self.rev_year, weights=sen[:, win].sum(axis=0), minlength=AGES)

    def gather(self) -> None:
        """At the end of the run, the stocks and flows kept by column: plans by placement,
        years in each placement and plans ceased by reason."""
        for g, name in enumerate(PLACEMENTS):
            self.stock[name] = self.placed[:, g].copy()
            self.flow[f"years_{name}"] = self.years[:, g].copy()
        for r, name in enumerate(self.cease_names):
            self.flow[name] = self.ceased[:, r].copy()

    def placement_moves(self, w: int) -> None:
        """Placement moves of plans already open, in step ``w``: the cohort that has just
        reached each phase's start age (primary 4, secondary 11, post-16 16, post-19 19)
        moves between placements by that transfer's matrix (``placement.transfer``); on
        1 September, the cohorts whose school-year age is then inside a phase move by its
        mid-phase matrix (``placement.mid_phase_moves``, :func:`_mid_phase_moves`)."""
        ehcp = self.ehcp
        for pos, matrix in self.transfer_pos:
            b = w + pos
            ehcp[:, b] = ehcp[:, b] @ matrix
        if self.mid_phase_pos and w % self.spy == self.september_step:
            window = ehcp[:, w : w + self.a0]
            for matrix, positions in self.mid_phase_pos:
                window[:, positions] = matrix.T @ window[:, positions]

    def leave_at_age_limits(self, w: int, y: int) -> None:
        """The cohort reaching ``sen_support.leaving_age`` leaves SEN support (left school)
        and the one reaching ``ceasing.max_age`` has its plans cease (aged out), when those
        ages are below 26 (at 26 the cohort leaves the window: :meth:`leave_window`)."""
        flow = self.flow
        if self.leave_pos is not None:
            b = w + self.leave_pos
            if self.counting_flows:
                flow["sen_exit_left_school"][y] += _sum(self.sen[:, b], None)
            self.sen[:, b] = 0.0
        if self.max_pos is not None:
            b = w + self.max_pos
            if self.counting_flows:
                aged_out = _sum(self.ehcp[:, b], None)
                flow["ceased_aged_out"][y] += aged_out
                self.ceased_by_age[y, self.max_age_index] += aged_out
            self.ehcp[:, b] = 0.0

    def sen_support_exits(self, win: slice, y: int) -> np.ndarray:
        """Children leaving SEN support in the step by competing hazards (a request for
        an assessment, needs met, moved away), ``1 - exp(-h dt)`` split in proportion;
        returns the requests (flag, window position)."""
        window_sen = self.sen[:, win]
        req_rate, total = self.req_rate_y[y], self.total_y[y]
        leaving = window_sen * self.leave_p_y[y]
        if self.total_positive[y]:
            share = leaving / total
        else:
            share = np.divide(leaving, total, out=np.zeros_like(leaving), where=total > 0)
        requests = share * req_rate
        self.flow["sen_exit_needs_met"][y] += _sum(share * self.nm_age[None, :], None)
        self.flow["sen_exit_moved_away"][y] += _sum(share * self.moved_away_rate, None)
        window_sen -= leaving
        return requests

    def cease_plans(self, win: slice, y: int) -> None:
        """Plans ceasing in the step (needs met, moved away, left education), counted by
        reason and by single year of age when ceased."""
        window_plan = self.ehcp[:, win]
        ceasing = window_plan * self.cease_p[None, :]
        if self.counting_flows:
            ceased_by_pos = ceasing.sum(axis=0)
            self.ceased[y] += (ceased_by_pos[None, :] * self.cease_split).sum(axis=1)
            self.ceased_by_age[y] += np.bincount(self.rev_year, weights=ceased_by_pos, minlength=AGES)
        window_plan -= ceasing

    def arrive_at_sen_support(self, win: slice, y: int, requests: np.ndarray) -> None:
        """Arrivals during the step (a year's arrivals at each age spread over the step's
        ``spy`` cohorts of that age): identified at SEN support (usual and reached early),
        and direct requests, added to ``requests`` (changed in place)."""
        window_sen = self.sen[:, win]
        flow = self.flow
        window_sen[0] += self.ident_normal_pos[y]
        if self.n_flags == 2:
            window_sen[1] += self.ident_early_pos[y]
        flow["identified"][y] += self.identified_step[y]
        flow["identified_early"][y] += self.identified_early_step[y]
        requests[0] += self.direct_pos[y]
        flow["direct"][y] += self.direct_step[y]
        flow["requests"][y] += _sum(requests, None)

    def move_in(self, win: slice, y: int) -> None:
        """Children moving into the area with a plan during the step, placed as new plans."""
        if self.counting_flows:
            self.flow["moves_in"][y] += self.moves_step[y]
        window_plan = self.ehcp[:, win]
        window_plan += self.moves_placed[y]

    def requests_to_plans(self, w: int, win: slice, y: int, requests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The step's requests through decisions and assessments (responsive capacity set
        on 1 January, before both): ``(plans issued by window position, children going
        back from a refusal or no plan, by flag and window position)``."""
        if self.responsive and y >= 1 and w % self.spy == 0:
            self.set_responsive_slots(y, w)
        to_assess, refused = self.decide(w, win, y, requests)
        issued, no_plan = self.assess(w, win, y, to_assess)
        return issued, refused + no_plan

    def decide(self, w: int, win: slice, y: int, requests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The step's requests join the decision pipeline (by their discretised delay); the
        decisions due this step are split into refused (or withdrawn: back to SEN support too)
        and to assess: ``(to_assess, refused or withdrawn)``."""
        now = w % self.k_dec
        _add_in_delay_order(self.ring_dec, now, win, self.pmf_dec_3 * requests[None, :, :])
        decided = self.ring_dec[now, :, win].copy()
        self.ring_dec[now] = 0.0
        refused = decided * self.refusal[y]
        self.flow["refused"][y] += _sum(refused, None)
        to_assess = decided - refused
        if self.withdrawal > 0:  # withdrawn: back to SEN support as after a refusal, not counted as refused
            withdrawn = to_assess * self.withdrawal
            to_assess = to_assess - withdrawn
            refused = refused + withdrawn
        self.flow["decided"][y] += _sum(to_assess, None)
        return to_assess, refused

    def awaiting_assessment(self, w: int) -> float:
        """Requests made before step ``w`` still to be decided that will be decided to assess:
        the decision pipeline's children by the step each is decided in, times the share
        that step's year passes on to assessment (neither refused nor withdrawn)."""
        k, now, h = self.k_dec, w % self.k_dec, self.h
        due = self.ring_dec.reshape(k, -1).sum(axis=1)
        years = np.minimum((w + np.arange(k)) // self.spy, h - 1)
        passes = (1.0 - np.asarray(self.refusal)[years]) * (1.0 - self.withdrawal)
        return float((np.roll(due, -now) * passes).sum())

    def set_responsive_slots(self, y: int, w: int) -> None:
        """Responsive capacity, worked out on 1 January of year ``y`` (step ``w``, before its
        requests and decisions join), from the work in hand as the calibration counts it
        (:meth:`simulation.model._Model._work_in_hand`): children waiting for or in an
        assessment, requests awaiting a decision to assess, and last year's decisions to
        assess by the year of the request (decided in the year, plus those awaiting now,
        less those awaiting a year before: all of last year's requests, none earlier)."""
        assert self.slots is not None and self.floor is not None
        awaiting = self.awaiting_assessment(w)
        requested = self.flow["decided"][y - 1] + awaiting - self.awaiting_last  # set every 1 January in turn
        self.awaiting_last = awaiting
        self.slots[y] = self.p.assessment.responsive_slots(
            requested + awaiting + self.queue.sum() + self.ring_ass.sum(), int(self.floor[y]), self.slots[y - 1]
        )

    def assess(self, w: int, win: slice, y: int, to_assess: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Assessments: those under way at the start join at step 0; children to assess
        start at once or (capacity given) queue for a free slot, served in proportion; the
        assessments finishing this step issue a plan or not: ``(issued by window position,
        not issued by flag and window position)``."""
        slots, k_ass, ring_ass = self.slots, self.k_ass, self.ring_ass
        if w == 0 and self.open_at_start.sum() > 0:
            # assessments under way at the start: part-way through (remaining time uniform on
            # [0, mean]) up to the slots there are, the rest queue for a full assessment
            part_way = 1.0 if slots is None else min(1.0, slots[0] / self.open_at_start.sum())
            ring_ass[:, 0, win] += (
                remaining_pmf(self.p, self.spy, k_ass)[:, None] * (self.open_at_start * part_way)[None, :]
            )
            to_assess[0] += self.open_at_start * (1.0 - part_way)
        if slots is None:
            starting = to_assess
        else:
            queue = self.queue
            queue[:, win] += to_assess
            # slots freed by assessments finishing during this step are free for this step
            free = max(slots[y] - (_sum(ring_ass, None) - _sum(ring_ass[w % k_ass], None)), 0.0)
            waiting = _sum(queue[:, win], None)
            fraction = 1.0 if waiting <= free else free / waiting
            starting = queue[:, win] * fraction
            queue[:, win] -= starting
        now = w % k_ass
        _add_in_delay_order(ring_ass, now, win, self.pmf_ass_3 * starting[None, :, :])
        done = ring_ass[now, :, win].copy()
        ring_ass[now] = 0.0
        self.flow["assessments"][y] += _sum(done, None)
        no_plan = done * self.not_issued[y]
        self.flow["not_issued"][y] += _sum(no_plan, None)
        return (done - no_plan).sum(axis=0), no_plan

    def issue_plans(self, win: slice, y: int, issued: np.ndarray) -> None:
        """New plans issued in the step, counted by single year of age at issue and placed
        by the new plan shares of the child's phase."""
        if self.counting_flows:
            self.flow["new_plans"][y] += _sum(issued, None)
            self.new_by_age[y] += np.bincount(self.rev_year, weights=issued, minlength=AGES)
        window_plan = self.ehcp[:, win]
        window_plan += self.shares_pos * issued

    def return_to_sen_support(self, win: slice, y: int, back: np.ndarray) -> None:
        """Children refused an assessment or assessed without a plan go back to SEN
        support, unless past the leaving age (left school)."""
        self.flow["sen_exit_left_school"][y] += _sum(back[:, self.old_enough], None)
        back[:, self.old_enough] = 0.0
        window_sen = self.sen[:, win]
        window_sen += back

    def count_placement_years(self, win: slice, y: int) -> None:
        """Time spent in each placement during the step (child-years, for costs)."""
        totals = self.ehcp[:, win].sum(axis=1) * self.dt
        self.years[y] += totals

    def leave_window(self, w: int, y: int) -> None:
        """The oldest cohort leaves the window (turns 26) at the end of the step: its plans
        cease (aged out, unless they ended at a lower ``max_age``) and its SEN support ends."""
        if self.max_pos is None:
            if self.counting_flows:
                aged_out = _sum(self.ehcp[:, w], None)
                self.flow["ceased_aged_out"][y] += aged_out
                self.ceased_by_age[y, AGES - 1] += aged_out
            self.ehcp[:, w] = 0.0
        if self.counting_flows:
            self.flow["sen_exit_left_school"][y] += _sum(self.sen[:, w], None)
        self.sen[:, w] = 0.0


#: :func:`_mid_phase_moves` already made, by the moves' values and the steps a year (a fit
#: makes the same ones for thousands of runs); emptied when it holds :data:`_MID_PHASE_KEPT`.
_MID_PHASE: dict[tuple, list[tuple[np.ndarray, np.ndarray]]] = {}
_MID_PHASE_KEPT = 256


def _mid_phase_moves_kept(
    p: Parameters, n_groups: int, rev_bin: np.ndarray, spy: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`_mid_phase_moves`, made once for each value of the moves (the same objects,
    read-only: the engine only reads them)."""
    moves = p.placement.mid_phase_moves
    if moves is None:
        return _mid_phase_moves(p, n_groups, rev_bin, spy)
    key = (np.asarray(moves, dtype=float).tobytes(), n_groups, rev_bin.tobytes(), spy)
    made = _MID_PHASE.get(key)
    if made is None:
        if len(_MID_PHASE) >= _MID_PHASE_KEPT:
            _MID_PHASE.clear()
        made = _MID_PHASE[key] = _mid_phase_moves(p, n_groups, rev_bin, spy)
        for matrix, positions in made:
            matrix.flags.writeable = False
            positions.flags.writeable = False
    return list(made)


def _mid_phase_moves(
    p: Parameters, n_groups: int, rev_bin: np.ndarray, spy: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The mid-phase moves (:attr:`simulation.parameters.Placement.mid_phase_moves`) as a
    one-year move matrix for each phase, with the window positions of the cohorts it acts on
    each 1 September: those whose school-year age (the whole part of their age on the next
    1 January) is then one a child can move at inside the phase
    (:func:`simulation.plan_paths.move_ages`), as in the discrete-event model (the phase
    transfers here stay on birthdays). From mainstream and resourced units at the phase's
    rate, the rest staying put. A child moves at most once a phase in the discrete-event
    model; here a moved child cannot move again either, because nothing moves out of the
    placements moved to."""
    if not p.placement.moves:
        return []
    school_year_age = np.floor((rev_bin + 0.5) / spy + 1.0 - SEPTEMBER)  # on 1 September
    moves = []
    for phase in range(len(PHASES)):
        row = p.placement.mid_phase_moves[phase]
        if row.sum() <= 0:
            continue
        matrix = np.eye(n_groups)
        for g in MOVE_FROM:
            matrix[g] = row
            matrix[g, g] = 1.0 - row.sum()
        first, last = move_ages(phase)
        moves.append((matrix, np.flatnonzero((school_year_age >= first) & (school_year_age <= last))))
    return moves


#: What :func:`_assemble_stocks` and :func:`_assemble_flows` name and select, the same for every run: keys by single year of
#: age, the ages of each age band, the placements of each group and the ages of each phase.
_AGE_LABELS = tuple(f"age={age}" for age in range(AGES))
_BAND_AGES = tuple(
    (f"age_band={band}", (np.arange(AGES) >= low) & (np.arange(AGES) < high)) for band, (low, high) in AGE_BANDS.items()
)
_GROUP_MEMBERS = tuple(
    (
        measure,
        [
            g
            for g, name in enumerate(PLACEMENTS)
            if (name == "resourced_unit" if measure == "ehcp_resourced_unit" else PLACEMENT_GROUP[name] == measure)
        ],
    )
    for measure in PLACEMENT_GROUPS + ("ehcp_resourced_unit",)
)
_PHASE_LABELS = tuple(f"phase={phase}" for phase in PHASES)
_PHASE_AGES = tuple(phase_by_age() == f for f in range(len(PHASES)))


def _members_by_phase(by_phase: np.ndarray, members: list[int]) -> np.ndarray:
    """``by_phase[:, members, f].sum(axis=1)`` for every phase ``f`` (rows), bit for bit:
    with one or two members that reduction is ``0.0 + first (+ second)`` (``0.0 +`` as the
    reduction turns -0.0 into 0.0), done here for all phases in one or two additions."""
    if len(members) > 2:
        return np.array([by_phase[:, members, f].sum(axis=1) for f in range(by_phase.shape[2])])
    total = 0.0 + by_phase[:, members[0], :]
    for g in members[1:]:
        total = total + by_phase[:, g, :]
    return np.ascontiguousarray(total.T)


def _assemble_stocks(
    p: Parameters,
    stock: dict,
    by_phase: np.ndarray,
    plans_by_age: np.ndarray,
    sen_by_age: np.ndarray,
    wanted: frozenset | None = None,
) -> dict:
    """The stocks of :func:`expected_arrays` by ``(measure, breakdown)``, each January.
    ``wanted``: the ``(measure, breakdown)`` keys a caller reads (a fit, thousands of runs);
    the breakdowns by age, band and phase not among them are left out (``None``: all)."""
    h = p.horizon
    stocks: dict[tuple[str, str], np.ndarray] = {
        ("sen_support", ""): stock["sen_support"],
        ("in_assessment", ""): stock["in_assessment"],
    }
    stocks.update(placement_group_stocks({g: stock[g] for g in PLACEMENTS}))
    if wanted is None or any(("sen_support", label) in wanted for label in _AGE_LABELS):
        for age, label in enumerate(_AGE_LABELS):
            stocks[("sen_support", label)] = sen_by_age[:, age]
    for label, in_band in _BAND_AGES:
        if wanted is None or ("ehcp_total", label) in wanted:
            stocks[("ehcp_total", label)] = plans_by_age[:, in_band].sum(axis=1)
    for measure, members in _GROUP_MEMBERS:
        if wanted is None or any((measure, label) in wanted for label in _PHASE_LABELS):
            for label, values in zip(_PHASE_LABELS, _members_by_phase(by_phase, members)):
                stocks[(measure, label)] = values
    for f, label in enumerate(_PHASE_LABELS):
        if wanted is None or ("ehcp_total", label) in wanted:
            stocks[("ehcp_total", label)] = by_phase[:, :, f].sum(axis=1)
    stocks[("waiting_special_place", "")] = np.zeros(h + 1)
    return stocks


def _assemble_flows(
    p: Parameters, flow: dict, new_by_age: np.ndarray, ceased_by_age: np.ndarray, wanted: frozenset | None = None
) -> dict:
    """The flows of :func:`expected_arrays` by ``(measure, breakdown)``, each calendar year;
    costs in pounds at the parameters' price base. ``wanted``: as :func:`_assemble_stocks`
    (new plans by phase and the costs are left out unless among them)."""
    h = p.horizon
    flows: dict[tuple[str, str], np.ndarray] = {}
    flows[("sen_support_identified", "")] = flow["identified"]
    flows[("sen_support_identified", "route=early_identification")] = flow["identified_early"]
    exits = [flow[f"sen_exit_{r}"] for r in SEN_EXIT_REASONS]
    flows[("sen_support_exits", "")] = sum(exits)
    for r, values in zip(SEN_EXIT_REASONS, exits):
        flows[("sen_support_exits", f"reason={r}")] = values
    flows[("requests", "")] = flow["requests"]
    flows[("requests", "route=direct")] = flow["direct"]
    flows[("requests_refused", "")] = flow["refused"]
    flows[("assessments", "")] = flow["assessments"]
    flows[("assessed_not_issued", "")] = flow["not_issued"]
    flows[("new_plans", "")] = flow["new_plans"]
    for label, in_phase in zip(_PHASE_LABELS, _PHASE_AGES):
        if wanted is None or ("new_plans", label) in wanted:
            flows[("new_plans", label)] = new_by_age[:, in_phase].sum(axis=1)
    for single_age, label in enumerate(_AGE_LABELS):
        flows[("new_plans", label)] = new_by_age[:, single_age]
    pct = within_20_weeks(p) if p.assessment.capacity_per_year is None else np.nan
    flows[("issued_within_20wk_pct", "")] = np.full(h, pct)
    ceased = [flow[f"ceased_{r}"] for r in CEASE_REASONS]
    flows[("plans_ceased", "")] = sum(ceased)
    for r, values in zip(CEASE_REASONS, ceased):
        flows[("plans_ceased", f"reason={r}")] = values
    for single_age, label in enumerate(_AGE_LABELS):
        flows[("plans_ceased", label)] = ceased_by_age[:, single_age]
    flows[("ehcp_moves_in", "")] = flow["moves_in"]
    flows[("overflow_independent", "")] = np.zeros(h)
    flows[("child_weeks_waited", "")] = np.zeros(h)
    if wanted is not None and not any(measure == "cost_gbp" for measure, _ in wanted):
        return flows
    total = np.zeros(h)
    for k, name in enumerate(PLACEMENTS):
        value = flow[f"years_{name}"] * p.costs.placement_gbp_per_year[k]
        flows[("cost_gbp", f"component={name}")] = value
        total += value
    flows[("cost_gbp", "component=assessment")] = flow["assessments"] * p.costs.assessment_gbp
    flows[("cost_gbp", "component=early_support")] = (
        flow["identified_early"] * p.early_identification.cost_per_child_gbp
    )
    flows[("cost_gbp", "")] = (
        total + flows[("cost_gbp", "component=assessment")] + flows[("cost_gbp", "component=early_support")]
    )
    return flows
