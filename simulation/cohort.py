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

from functools import lru_cache

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
    so fitting the placement mix costs a fraction of a full run. Flows other than plan
    ceasing, moves in and placement years are not computed (zero)."""
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
    p = params
    if p.special_places.constrained:
        raise ParameterError(
            "the cohort engine does not model special school places (special_places.blocks given); "
            "run the discrete-event model, or the cohort engine without places"
        )
    h = p.horizon
    dt = 1.0 / spy
    a0 = AGES * spy
    steps = h * spy
    nb = a0 + steps
    n_groups = len(PLACEMENTS)
    rev_bin = a0 - 1 - np.arange(a0)  # age bin of window position j
    rev_year = rev_bin // spy  # single year of age of window position j
    phase_pos = phase_by_age()[rev_year]
    pop = p.population.for_years(p.start_year, h)
    span = h + MAX_YEARS_EARLIER
    ident = (
        p.population.for_years(p.start_year, span)
        * p.arrivals.sen_support_rate_by_age[None, :]
        * schedule_values(p.arrivals.sen_support_multiplier, p.start_year, span)[:, None]
    )
    ident_normal, ident_early = early_identification_flows(p, ident)
    direct = pop * p.arrivals.direct_request_rate_by_age[None, :]
    moves = pop * p.arrivals.move_in_rate_by_age[None, :]
    req_mult = schedule_values(p.sen_support.request_multiplier, p.start_year, h)
    refusal = schedule_values(p.assessment.refusal_probability, p.start_year, h)
    not_issued = schedule_values(p.assessment.not_issued_probability, p.start_year, h)
    rr = p.early_identification.relative_risk
    n_flags = 2 if p.early_identification.active else 1
    flag_rr = np.array([1.0, rr])[:n_flags]
    # hazards by window position
    s = p.sen_support
    req_age = s.request_rate_by_age[rev_year]
    nm_age = s.needs_met_rate_by_age[rev_year]
    leave_bin = int(round(s.leaving_age * spy))
    c = p.ceasing
    cease_rates = np.stack(
        [c.needs_met_rate_by_age[rev_year], c.moved_away_rate_by_age[rev_year], c.left_education_rate_by_age[rev_year]]
    )
    cease_total = cease_rates.sum(axis=0)
    cease_p = -np.expm1(-cease_total * dt)
    cease_split = np.divide(cease_rates, cease_total, out=np.zeros_like(cease_rates), where=cease_total > 0)
    max_bin = int(round(c.max_age * spy))
    shares_pos = p.placement.new_plan_shares[phase_pos]  # (a0, groups)
    transfer = p.placement.transfer
    pmf_dec = delay_pmf(p.assessment.decision_weeks_mean, p.assessment.decision_weeks_shape, spy)
    pmf_ass = delay_pmf(p.assessment.assessment_weeks_mean, p.assessment.assessment_weeks_shape, spy)
    k_dec, k_ass = pmf_dec.size, pmf_ass.size
    capacity = p.assessment.capacity_per_year
    slots = (
        None
        if capacity is None
        else np.array([p.assessment.slots(v) for v in schedule_values(capacity, p.start_year, h)], dtype=float)
    )
    responsive = slots is not None and p.assessment.capacity_response is not None
    floor = None if slots is None else slots.copy()  # the schedule: a floor under responsive capacity
    from simulation.caseload import age_placement_counts  # local: avoids a cycle in documentation builds

    # state, indexed by birth cohort b; window at step w is b in [w, w + a0), position j = b - w
    sen = np.zeros((n_flags, nb))
    ehcp = np.zeros((n_groups, nb))
    ring_dec = np.zeros((k_dec, n_flags, nb))
    ring_ass = np.zeros((k_ass, n_flags, nb))
    queue = np.zeros((n_flags, nb))
    # starting caseload spread evenly over the cohorts of each single year of age
    sen[0, :a0] = np.round(p.caseload.sen_support_by_age)[rev_year] / spy
    joint = (age_placement_counts(p.caseload) if joint is None else joint).astype(float)
    ehcp[:, :a0] = (joint[rev_year] / spy).T
    open_at_start = np.round(p.caseload.in_assessment_by_age)[rev_year] / spy

    stock_names = ("sen_support", "in_assessment") + tuple(PLACEMENTS) + ("waiting_special_place",)
    stock = {name: np.zeros(h + 1) for name in stock_names}
    by_phase = np.zeros((h + 1, n_groups, len(PHASES)))  # plans by placement and phase on each January
    new_by_age = np.zeros((h, AGES))  # new plans by single year of age at issue
    plans_by_age = np.zeros((h + 1, AGES))  # plans by single year of age on each January
    sen_by_age = np.zeros((h + 1, AGES))  # SEN support by single year of age on each January
    ceased_by_age = np.zeros((h, AGES))  # plans ceased by single year of age when ceased
    phase_mask = (phase_pos[None, :] == np.arange(len(PHASES))[:, None]).astype(float)  # (phases, a0)
    flow_names = (
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
    flow = {name: np.zeros(h) for name in flow_names}
    transfer_pos = [(k, a0 - 1 - start * spy) for k, start in enumerate(PHASE_START_AGES[1:])]
    move_pos = _mid_phase_moves(p, n_groups, rev_bin, spy)
    september_step = int(round(SEPTEMBER * spy))
    leave_pos = a0 - 1 - leave_bin if leave_bin < a0 else None
    max_pos = a0 - 1 - max_bin if max_bin < a0 else None
    old_enough = rev_bin >= leave_bin

    def record(k: int, w: int) -> None:
        win = slice(w, w + a0)
        stock["sen_support"][k] = sen[:, win].sum()
        stock["in_assessment"][k] = ring_dec.sum() + ring_ass.sum() + queue.sum()
        for g, name in enumerate(PLACEMENTS):
            stock[name][k] = ehcp[g, win].sum()
        by_phase[k] = ehcp[:, win] @ phase_mask.T
        plans_by_age[k] = np.bincount(rev_year, weights=ehcp[:, win].sum(axis=0), minlength=AGES)
        sen_by_age[k] = np.bincount(rev_year, weights=sen[:, win].sum(axis=0), minlength=AGES)

    for w in range(steps):
        y = w // spy
        if w % spy == 0:
            record(y, w)
        win = slice(w, w + a0)
        # phase transfers for the cohort that has just reached each transfer age
        for k, pos in transfer_pos:
            b = w + pos
            ehcp[:, b] = ehcp[:, b] @ transfer[k]
        # mid-phase moves, on 1 September, for the cohorts whose school-year age is then inside a phase
        if move_pos and w % spy == september_step:
            window = ehcp[:, win]
            for matrix, positions in move_pos:
                window[:, positions] = matrix.T @ window[:, positions]
        # leaving SEN support at the leaving age
        if leave_pos is not None:
            b = w + leave_pos
            flow["sen_exit_left_school"][y] += sen[:, b].sum()
            sen[:, b] = 0.0
        if max_pos is not None:
            b = w + max_pos
            flow["ceased_aged_out"][y] += ehcp[:, b].sum()
            ceased_by_age[y, min(int(c.max_age), AGES) - 1] += ehcp[:, b].sum()
            ehcp[:, b] = 0.0
        if replay is None:
            # SEN support hazards
            window_sen = sen[:, win]
            req_rate = req_age[None, :] * req_mult[y] * flag_rr[:, None]
            total = req_rate + nm_age[None, :] + s.moved_away_rate
            leaving = window_sen * -np.expm1(-total * dt)
            share = np.divide(leaving, total, out=np.zeros_like(leaving), where=total > 0)
            requests = share * req_rate
            flow["sen_exit_needs_met"][y] += (share * nm_age[None, :]).sum()
            flow["sen_exit_moved_away"][y] += (share * s.moved_away_rate).sum()
            window_sen -= leaving
        # plans: ceasing
        window_plan = ehcp[:, win]
        ceasing = window_plan * cease_p[None, :]
        ceased_by_pos = ceasing.sum(axis=0)
        for r, reason in enumerate(CEASE_REASONS[:3]):
            flow[f"ceased_{reason}"][y] += (ceased_by_pos * cease_split[r]).sum()
        ceased_by_age[y] += np.bincount(rev_year, weights=ceased_by_pos, minlength=AGES)
        window_plan -= ceasing
        # arrivals during the step
        per_cohort = 1.0 / (spy * spy)
        if replay is None:
            window_sen[0] += ident_normal[y][rev_year] * per_cohort
            if n_flags == 2:
                window_sen[1] += ident_early[y][rev_year] * per_cohort
            flow["identified"][y] += (ident_normal[y].sum() + ident_early[y].sum()) / spy
            flow["identified_early"][y] += ident_early[y].sum() / spy
            direct_now = direct[y][rev_year] * per_cohort
            requests[0] += direct_now
            flow["direct"][y] += direct_now.sum()
            flow["requests"][y] += requests.sum()
        moving_in = moves[y][rev_year] * per_cohort
        flow["moves_in"][y] += moving_in.sum()
        window_plan += (moving_in[:, None] * shares_pos).T
        if replay is None:
            # decisions
            slots_dec = (w + np.arange(k_dec)) % k_dec
            ring_dec[slots_dec, :, win] += pmf_dec[:, None, None] * requests[None, :, :]
            decided = ring_dec[w % k_dec, :, win].copy()
            ring_dec[w % k_dec] = 0.0
            refused = decided * refusal[y]
            flow["refused"][y] += refused.sum()
            to_assess = decided - refused
            flow["decided"][y] += to_assess.sum()
            if responsive and slots is not None and floor is not None and y >= 1 and w % spy == 0:
                # responsive capacity, worked out on 1 January (before the step's decisions
                # join): children waiting or in an assessment, plus last year's decisions
                slots[y] = p.assessment.responsive_slots(
                    flow["decided"][y - 1] + queue.sum() + ring_ass.sum(), int(floor[y]), slots[y - 1]
                )
            # assessments
            if w == 0 and open_at_start.sum() > 0:
                # assessments under way at the start: part-way through (remaining time uniform on
                # [0, mean]) up to the slots there are, the rest queue for a full assessment
                part_way = 1.0 if slots is None else min(1.0, slots[0] / open_at_start.sum())
                ring_ass[:, 0, win] += remaining_pmf(p, spy, k_ass)[:, None] * (open_at_start * part_way)[None, :]
                to_assess[0] += open_at_start * (1.0 - part_way)
            if slots is None:
                starting = to_assess
            else:
                queue[:, win] += to_assess
                # slots freed by assessments finishing during this step are free for this step
                free = max(slots[y] - (ring_ass.sum() - ring_ass[w % k_ass].sum()), 0.0)
                waiting = queue[:, win].sum()
                fraction = 1.0 if waiting <= free else free / waiting
                starting = queue[:, win] * fraction
                queue[:, win] -= starting
            slots_ass = (w + np.arange(k_ass)) % k_ass
            ring_ass[slots_ass, :, win] += pmf_ass[:, None, None] * starting[None, :, :]
            done = ring_ass[w % k_ass, :, win].copy()
            ring_ass[w % k_ass] = 0.0
            flow["assessments"][y] += done.sum()
            no_plan = done * not_issued[y]
            flow["not_issued"][y] += no_plan.sum()
            issued = (done - no_plan).sum(axis=0)
        else:
            issued = replay[w]
        if kept is not None:
            kept.append(issued)
        flow["new_plans"][y] += issued.sum()
        new_by_age[y] += np.bincount(rev_year, weights=issued, minlength=AGES)
        window_plan += (issued[:, None] * shares_pos).T
        if replay is None:
            back = refused + no_plan
            flow["sen_exit_left_school"][y] += back[:, old_enough].sum()
            back[:, old_enough] = 0.0
            window_sen += back
        # time in each placement, for costs
        totals = window_plan.sum(axis=1) * dt
        for g, name in enumerate(PLACEMENTS):
            flow[f"years_{name}"][y] += totals[g]
        # the oldest cohort leaves the window (turns 26) at the end of the step
        if max_pos is None:
            flow["ceased_aged_out"][y] += ehcp[:, w].sum()
            ceased_by_age[y, AGES - 1] += ehcp[:, w].sum()
            ehcp[:, w] = 0.0
        flow["sen_exit_left_school"][y] += sen[:, w].sum()
        sen[:, w] = 0.0
    record(h, steps)
    return _assemble(p, stock, flow, by_phase, new_by_age, plans_by_age, sen_by_age, ceased_by_age)


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


def _assemble(
    p: Parameters,
    stock: dict,
    flow: dict,
    by_phase: np.ndarray,
    new_by_age: np.ndarray,
    plans_by_age: np.ndarray,
    sen_by_age: np.ndarray,
    ceased_by_age: np.ndarray,
) -> tuple[dict, dict]:
    h = p.horizon
    stocks: dict[tuple[str, str], np.ndarray] = {
        ("sen_support", ""): stock["sen_support"],
        ("in_assessment", ""): stock["in_assessment"],
    }
    stocks.update(placement_group_stocks({g: stock[g] for g in PLACEMENTS}))
    ages = np.arange(AGES)
    for age in ages:
        stocks[("sen_support", f"age={age}")] = sen_by_age[:, age]
    for band, (low, high) in AGE_BANDS.items():
        stocks[("ehcp_total", f"age_band={band}")] = plans_by_age[:, (ages >= low) & (ages < high)].sum(axis=1)
    for measure in PLACEMENT_GROUPS + ("ehcp_resourced_unit",):
        members = [
            g
            for g, name in enumerate(PLACEMENTS)
            if (name == "resourced_unit" if measure == "ehcp_resourced_unit" else PLACEMENT_GROUP[name] == measure)
        ]
        for f, phase in enumerate(PHASES):
            stocks[(measure, f"phase={phase}")] = by_phase[:, members, f].sum(axis=1)
    for f, phase in enumerate(PHASES):
        stocks[("ehcp_total", f"phase={phase}")] = by_phase[:, :, f].sum(axis=1)
    stocks[("waiting_special_place", "")] = np.zeros(h + 1)
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
    for f, phase in enumerate(PHASES):
        flows[("new_plans", f"phase={phase}")] = new_by_age[:, phase_by_age() == f].sum(axis=1)
    for single_age in range(AGES):
        flows[("new_plans", f"age={single_age}")] = new_by_age[:, single_age]
    pct = within_20_weeks(p) if p.assessment.capacity_per_year is None else np.nan
    flows[("issued_within_20wk_pct", "")] = np.full(h, pct)
    ceased = [flow[f"ceased_{r}"] for r in CEASE_REASONS]
    flows[("plans_ceased", "")] = sum(ceased)
    for r, values in zip(CEASE_REASONS, ceased):
        flows[("plans_ceased", f"reason={r}")] = values
    for single_age in range(AGES):
        flows[("plans_ceased", f"age={single_age}")] = ceased_by_age[:, single_age]
    flows[("ehcp_moves_in", "")] = flow["moves_in"]
    flows[("overflow_independent", "")] = np.zeros(h)
    flows[("child_weeks_waited", "")] = np.zeros(h)
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
    return stocks, flows
