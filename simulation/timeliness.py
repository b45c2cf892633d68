"""Assessment durations fitted to the published timeliness: the share of new plans issued
within 20 weeks of the request.

Only the share within 20 weeks is published (SEN2, calendar year), not the average weeks,
so one number is fitted: the **duration scale**, a factor on the mean decision time and the
mean assessment time together (:class:`simulation.parameters.Assessment`; the Erlang shapes
and the 1:2 split of the illustrative 5 + 10 weeks are kept). The assessment capacity in
completions a year is unchanged by it (the concurrent slots scale with the mean assessment
time, :meth:`Assessment.slots`), so the scale moves waiting, not throughput. The share also
depends on the queue for assessment slots (a service behind has children waiting), which the
discrete-event model carries; the scale takes up what the queue does not explain.

:func:`first_year_share` runs only the assessment pipeline of the discrete-event model for
the first calendar year of the run (it never depends on special places), a few hundredths
of a second a replication; :func:`fit_duration_scale` evaluates it on a grid of scales
(:data:`SCALE_GRID`) with the same seeds at every scale (common random numbers), makes the
curve non-increasing and interpolates the scale that gives the target share. A target the
grid cannot reach gets the nearest end of the grid.

**Predictive draw** (:func:`draw_durations`): each replication draws the first-year share
from the spread of every LA's year-on-year changes in the published share before the run's
origin (the errors of the rule the fit carries: :func:`year_on_year_changes`), and takes
the scale that gives it on the fitted curve, so the band of the share within 20 weeks is
"what we expect", not only simulation noise.

**The backlog at the start** (:func:`fit_starting_backlog`, an option tried out of sample and
turned down: ``sendcast.scenarios.parameters.START_BACKLOG``): instead of the durations, the
open cases on the start day are read off the same kind of curve, as weeks of the year
before's decisions to assess held in hand (:func:`with_starting_backlog`), the first year's
capacity and durations as given. :func:`with_matched_completions` (also tried and turned
down: ``START_BACKLOG = "timeliness_completions"``) adds as many more, as young, as make the
first calendar year's plans a target (the last published year's).
:func:`fit_start_and_capacity` (a fourth option, tried and turned down: ``START_BACKLOG =
"timeliness_capacity"``) sets the first year's capacity with the start instead, so that the
capacity, not extra cases in hand, supplies the target plans; :func:`corrected_responses`
re-estimates the capacity response with each past year's backlog read off the share.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulation.model import issued_plans
from simulation.parameters import Parameters

#: Duration scales tried: a third to three times the illustrative 5 + 10 weeks (5 to 45
#: weeks from request to plan on average, without waiting for a slot).
SCALE_GRID: tuple[float, ...] = (0.33, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0)
#: Statutory limit, weeks from request to plan (SEND Regulations 2014, reg. 13).
LIMIT_WEEKS = 20.0


def with_duration_scale(params: Parameters, scale: float) -> Parameters:
    """``params`` with the mean decision and assessment times multiplied by ``scale``."""
    a = params.assessment
    return replace(
        params,
        assessment=replace(
            a,
            decision_weeks_mean=a.decision_weeks_mean * scale,
            assessment_weeks_mean=a.assessment_weeks_mean * scale,
        ),
    )


def first_year_share(params: Parameters, seed: int, replications: int = 2) -> float:
    """Per cent of the plans issued in the run's first calendar year that were issued within
    :data:`LIMIT_WEEKS` of the request, pooled over ``replications`` (streams of ``seed``,
    replications 0, 1, ...); NaN when none is issued."""
    within = issued = 0
    for replication in range(replications):
        times, requested = issued_plans(params, seed, replication, 1.0)
        issued += times.size
        within += int(((times - requested) * 52.0 <= LIMIT_WEEKS).sum())
    return 100.0 * within / issued if issued else float("nan")


@dataclass(frozen=True)
class DurationFit:
    """The fitted scale, the target share (per cent) and the curve it was read from."""

    scale: float
    target_pct: float
    grid: tuple[float, ...]
    share_pct: tuple[float, ...]  # first-year share at each scale of ``grid``, made non-increasing
    reached: bool  # False: the target is outside what the grid gives, the nearest end is used


def fit_duration_scale(
    params: Parameters, target_pct: float, seed: int, replications: int = 2, grid: tuple[float, ...] = SCALE_GRID
) -> DurationFit:
    """The duration scale whose first-year share within 20 weeks is ``target_pct`` (per
    cent), read off the share at each scale of ``grid`` (non-increasing in the scale: a
    running minimum removes Monte Carlo wiggles), interpolated on the log of the scale."""
    shares = np.array([first_year_share(with_duration_scale(params, s), seed, replications) for s in grid])
    shares = np.minimum.accumulate(np.where(np.isfinite(shares), shares, 100.0))
    log_grid = np.log(np.asarray(grid, dtype=float))
    reached = bool(shares[-1] <= target_pct <= shares[0])
    # np.interp needs increasing x: the share read backwards
    log_scale = float(np.interp(target_pct, shares[::-1], log_grid[::-1]))
    return DurationFit(
        float(np.exp(log_scale)), float(target_pct), tuple(grid), tuple(float(v) for v in shares), reached
    )


def scale_for_share(fit: DurationFit, share_pct: float) -> float:
    """The duration scale that gives a first-year share of ``share_pct`` on ``fit``'s curve
    (the nearest end of its grid beyond what the grid reaches): a drawn share becomes a
    drawn scale without running the model again."""
    log_grid = np.log(np.asarray(fit.grid, dtype=float))
    shares = np.asarray(fit.share_pct, dtype=float)
    return float(np.exp(np.interp(share_pct, shares[::-1], log_grid[::-1])))


def share_at_scale(fit: DurationFit, scale: float) -> float:
    """The first-year share (per cent) the fit's curve gives at ``scale`` (its ends beyond the grid)."""
    log_grid = np.log(np.asarray(fit.grid, dtype=float))
    return float(np.interp(np.log(scale), log_grid, np.asarray(fit.share_pct, dtype=float)))


def unfitted(fit: DurationFit) -> DurationFit:
    """``fit``'s curve kept at scale 1 (the illustrative durations): its target becomes the share
    the curve gives there, so draws (:func:`draw_durations`) centre on the model's own share."""
    return replace(fit, scale=1.0, target_pct=share_at_scale(fit, 1.0))


def year_on_year_changes(panel) -> np.ndarray:
    """Every LA's change in the share within 20 weeks from one calendar year to the next
    (points; ``panel``: one row per LA, one column per calendar year): the one-year-ahead
    errors of the rule "next year's share is last year's", which the fitted durations carry."""
    values = np.asarray(panel, dtype=float)
    changes = np.diff(values, axis=1).ravel() if values.ndim == 2 and values.shape[1] > 1 else np.empty(0)
    return changes[np.isfinite(changes)]


def draw_durations(params: Parameters, fit: DurationFit, changes: np.ndarray, rng: np.random.Generator) -> Parameters:
    """``params`` (durations at ``fit.scale``) with the durations of a drawn first-year share:
    ``fit.target_pct`` plus the ``u``-quantile of ``changes`` (points, centred on their
    median), ``u`` one uniform from ``rng``, kept within 0-100, read off the fit's curve
    (:func:`scale_for_share`). One uniform is always drawn; no changes: ``params`` as given."""
    u = float(rng.random())
    values = np.sort(np.asarray(changes, dtype=float))
    values = values[np.isfinite(values)]
    if not values.size:
        return params
    share = float(np.clip(fit.target_pct + np.quantile(values - np.median(values), u), 0.0, 100.0))
    return with_duration_scale(params, scale_for_share(fit, share) / fit.scale)


# ------------------------------------------------------------------ the backlog at the start
#: Weeks of decisions to assess held in hand at the start tried by :func:`fit_starting_backlog`
#: (2 weeks: almost none; 78 weeks: a year and a half of decisions waiting; the most the flow
#: balance of decisions less completions gives in Gloucestershire's neighbours, 2021-2023, is
#: Essex in January 2023, 47 weeks). Denser round 20 weeks, where the share falls fastest.
BACKLOG_WEEKS_GRID: tuple[float, ...] = (2.0, 8.0, 12.0, 15.0, 18.0, 21.0, 25.0, 30.0, 40.0, 52.0, 65.0, 78.0)


def with_starting_backlog(params: Parameters, weeks: float, decided_per_year: float) -> Parameters:
    """``params`` with the assessments under way at the start set to ``weeks`` of decisions
    to assess: ``decided_per_year x weeks / 52`` children (spread over ages as the given
    ones are, or as they would be asked for when none are given), their requests dated evenly
    over the last ``weeks`` weeks (a backlog served in turn holds the last that many weeks of
    demand: Little's law with the decisions to assess as the arrival rate). ``weeks`` in
    (0, 208]; ``decided_per_year``: decisions to assess in the calendar year before the start."""
    if not 0 < weeks <= 208:
        raise ValueError(f"weeks of decisions in hand {weeks}: expected (0, 208]")
    shape = np.asarray(params.caseload.in_assessment_by_age, dtype=float)
    if shape.sum() <= 0:
        shape = params.caseload.sen_support_by_age * params.sen_support.request_rate_by_age
    shape = shape / shape.sum() if shape.sum() > 0 else shape
    caseload = replace(
        params.caseload,
        in_assessment_by_age=shape * max(float(decided_per_year), 0.0) * weeks / 52.0,
        in_assessment_weeks_open=float(weeks),
    )
    return replace(params, caseload=caseload)


@dataclass(frozen=True)
class BacklogFit:
    """The weeks of decisions in hand at the start whose first-year share within 20 weeks is
    the target (per cent), and the curve it was read from (``share_pct`` at each of ``grid``)."""

    weeks: float
    target_pct: float
    grid: tuple[float, ...]
    share_pct: tuple[float, ...]
    reached: bool


def fit_starting_backlog(
    params: Parameters,
    target_pct: float,
    decided_per_year: float,
    seed: int,
    replications: int = 2,
    grid: tuple[float, ...] = BACKLOG_WEEKS_GRID,
) -> BacklogFit:
    """The starting backlog (weeks of decisions to assess in hand, :func:`with_starting_backlog`)
    whose first-year share within :data:`LIMIT_WEEKS` (:func:`first_year_share`) is
    ``target_pct``, with the first year's capacity and durations of ``params`` as they are:
    the share at each of ``grid`` (same seeds at every point, made non-increasing by a
    running minimum), interpolated on the log of the weeks; a target beyond the curve gets
    its nearest end (``reached`` False)."""
    shares = np.array(
        [first_year_share(with_starting_backlog(params, w, decided_per_year), seed, replications) for w in grid]
    )
    shares = np.minimum.accumulate(np.where(np.isfinite(shares), shares, 100.0))
    log_grid = np.log(np.asarray(grid, dtype=float))
    reached = bool(shares[-1] <= target_pct <= shares[0])
    log_weeks = float(np.interp(target_pct, shares[::-1], log_grid[::-1]))
    return BacklogFit(
        float(np.exp(log_weeks)), float(target_pct), tuple(grid), tuple(float(v) for v in shares), reached
    )


def first_year_plans(params: Parameters, seed: int, replications: int = 2) -> float:
    """Plans issued in the run's first calendar year, the mean over ``replications`` (streams
    of ``seed``, replications 0, 1, ...; the assessment pipeline only, as :func:`first_year_share`)."""
    return float(np.mean([issued_plans(params, seed, r, 1.0)[0].size for r in range(replications)]))


def with_matched_completions(
    params: Parameters,
    weeks: float,
    decided_per_year: float,
    target_plans: float,
    seed: int,
    replications: int = 2,
) -> tuple[Parameters, float]:
    """``params`` started with ``weeks`` of decisions in hand (:func:`with_starting_backlog`)
    plus as many more children in hand, their requests dated over the same last ``weeks``
    weeks, as make the plans issued in the run's first calendar year
    (:func:`first_year_plans`) about ``target_plans`` (plans a year), and that number of
    extra children (0 when the start alone issues the target or more: never fewer in hand).

    ASSUMPTION: the open cases on the start day number what the first year's completions need
    (a backlog that is there, not the flow balance's phantom withdrawals) but are as young as
    the share within 20 weeks published the year before says: the count and the age of the
    backlog are set apart, no longer tied by Little's law. The extra is found by one secant
    step on the first year's plans (a first try of the shortfall itself, then scaled by the
    plans it gave per extra child), kept within 0 to 3 times the shortfall."""
    start = with_starting_backlog(params, weeks, decided_per_year)
    base = first_year_plans(start, seed, replications)
    shortfall = float(target_plans) - base
    if not np.isfinite(shortfall) or shortfall <= 0 or start.caseload.in_assessment_by_age.sum() <= 0:
        return start, 0.0
    gained = first_year_plans(with_more_in_hand(start, shortfall), seed, replications) - base
    extra = shortfall * shortfall / gained if gained > 0 else shortfall
    extra = float(np.clip(extra, 0.0, 3.0 * shortfall))
    return with_more_in_hand(start, extra), extra


def with_more_in_hand(params: Parameters, extra: float) -> Parameters:
    """``params`` with ``extra`` more children in hand on the start day, spread over ages as
    those in hand are and as young (the weeks open unchanged); unchanged when ``extra`` is not
    above 0 or nobody is in hand."""
    in_hand = np.asarray(params.caseload.in_assessment_by_age, dtype=float)
    total = in_hand.sum()
    if extra <= 0 or total <= 0:
        return params
    return replace(params, caseload=replace(params.caseload, in_assessment_by_age=in_hand * (1.0 + extra / total)))


# ------------------------------------------------ the start and the first year's capacity
#: First-year assessment capacities tried by :func:`fit_start_and_capacity`, as multiples of
#: the capacity given (the flow balance's: last year's completions moved toward the share of
#: its work in hand). ASSUMPTION: a service completes at most three times what it did the year
#: before; 0.8: the start rarely needs less than the given capacity to issue last year's plans.
CAPACITY_FACTOR_GRID: tuple[float, ...] = (0.8, 1.0, 1.25, 1.6, 2.0, 2.5, 3.0)


def with_first_capacity(params: Parameters, capacity_per_year: float) -> Parameters:
    """``params`` with the assessment capacity of the run's first calendar year (the first
    value of ``assessment.capacity_per_year``) set to ``capacity_per_year`` (completions a
    year; later values, a responsive service's floors, kept). The schedule must be given."""
    a = params.assessment
    if a.capacity_per_year is None:
        raise ValueError("with_first_capacity: the assessment capacity is unconstrained (no schedule to set)")
    if not capacity_per_year >= 1.0:
        raise ValueError(f"first-year capacity {capacity_per_year}: expected at least 1 completion a year")
    schedule = list(a.capacity_per_year)
    schedule[0] = (schedule[0][0], float(capacity_per_year))
    return replace(params, assessment=replace(a, capacity_per_year=tuple(schedule)))


@dataclass(frozen=True)
class StartCapacityFit:
    """The start (weeks of decisions to assess in hand) and the first year's assessment capacity
    that together give the first calendar year the target share within 20 weeks and the target
    plans; at each of ``factors`` (multiples of the capacity given): the weeks read off the share
    and the plans they issue; ``backlog``: the share's curve at the chosen capacity."""

    weeks: float
    capacity: float
    target_pct: float
    target_plans: float
    factors: tuple[float, ...]
    weeks_at: tuple[float, ...]
    plans_at: tuple[float, ...]  # made non-decreasing in the factor
    backlog: BacklogFit
    reached: bool  # False: the target plans are outside what the factors give, the nearest end is used


#: Points below the highest first-year share a capacity gives (the share with almost nobody in
#: hand) within which the share is taken as on its plateau (:func:`kept_up_weeks`): about the
#: simulation noise of two replications of a small LA's first year.
PLATEAU_POINTS = 1.0


def kept_up_weeks(fit: BacklogFit, plateau_points: float = PLATEAU_POINTS) -> float:
    """The weeks in hand of ``fit``, except where the target share is above the curve's plateau
    (the highest share the model issues at that capacity, within ``plateau_points``): there the
    largest weeks of the grid still on the plateau. A service that kept up holds its pipeline of
    decisions in hand (which the first year completes), not nobody: the share cannot tell 2
    weeks from the pipeline's 10-15 when both issue the model's highest share."""
    shares = np.asarray(fit.share_pct, dtype=float)
    if fit.target_pct < shares[0] - plateau_points:
        return fit.weeks
    on_plateau = np.flatnonzero(shares >= shares[0] - plateau_points)
    return float(max(fit.weeks, fit.grid[int(on_plateau[-1])]))


def fit_start_and_capacity(
    params: Parameters,
    target_pct: float,
    target_plans: float,
    decided_per_year: float,
    seed: int,
    replications: int = 2,
    factors: tuple[float, ...] = CAPACITY_FACTOR_GRID,
) -> StartCapacityFit:
    """The first calendar year's assessment capacity and the starting backlog set together, so
    that the first year both issues ``target_plans`` plans (:func:`first_year_plans`) and issues
    ``target_pct`` per cent of them within :data:`LIMIT_WEEKS` (:func:`first_year_share`).

    At each capacity ``factor x`` the capacity given (``params``' first-year value), the backlog
    is read off the share (:func:`fit_starting_backlog`: weeks of ``decided_per_year`` in hand,
    requests dated over them; on the share's plateau, :func:`kept_up_weeks`) and the plans that
    start issues are counted; the plans are made
    non-decreasing in the factor (a running maximum: more capacity, read with the share, never
    issues fewer), the factor giving ``target_plans`` is interpolated on the log of the factor
    (the nearest end beyond the curve: ``reached`` False), and the backlog is read off the share
    again at that capacity. Same seeds at every point (common random numbers)."""
    if params.assessment.capacity_per_year is None:
        raise ValueError("fit_start_and_capacity: the assessment capacity is unconstrained")
    given = float(params.assessment.capacity_per_year[0][1])
    weeks_at, plans_at = [], []
    for factor in factors:
        trial = with_first_capacity(params, max(factor * given, 1.0))
        weeks = kept_up_weeks(fit_starting_backlog(trial, target_pct, decided_per_year, seed, replications))
        weeks_at.append(weeks)
        plans_at.append(first_year_plans(with_starting_backlog(trial, weeks, decided_per_year), seed, replications))
    plans = np.maximum.accumulate(np.asarray(plans_at, dtype=float))
    log_factors = np.log(np.asarray(factors, dtype=float))
    reached = bool(plans[0] <= target_plans <= plans[-1])
    if plans[-1] > plans[0]:
        # np.interp needs increasing x: flat stretches keep their first factor (the least capacity)
        keep = np.concatenate(([True], np.diff(plans) > 0))
        log_factor = float(np.interp(target_plans, plans[keep], log_factors[keep]))
    else:
        log_factor = float(log_factors[0] if target_plans <= plans[0] else log_factors[-1])
    capacity = max(float(np.exp(log_factor)) * given, 1.0)
    backlog = fit_starting_backlog(
        with_first_capacity(params, capacity), target_pct, decided_per_year, seed, replications
    )
    return StartCapacityFit(
        kept_up_weeks(backlog),
        capacity,
        float(target_pct),
        float(target_plans),
        tuple(float(f) for f in factors),
        tuple(float(w) for w in weeks_at),
        tuple(float(p) for p in plans),
        backlog,
        reached,
    )


def weeks_for_share(fit: BacklogFit, share_pct: float) -> float:
    """The weeks of decisions in hand that give a first-year share of ``share_pct`` (per cent) on
    ``fit``'s curve (the nearest end of its grid beyond what the curve reaches)."""
    log_grid = np.log(np.asarray(fit.grid, dtype=float))
    shares = np.asarray(fit.share_pct, dtype=float)
    return float(np.exp(np.interp(share_pct, shares[::-1], log_grid[::-1])))


def corrected_responses(
    completed: np.ndarray, decided_before: np.ndarray, share_before: np.ndarray, fit: BacklogFit
) -> np.ndarray:
    """The capacity response of each year (completed assessments over the work in hand on 1
    January: the backlog plus the year before's decisions to assess) with the backlog read
    off the share within 20 weeks published the year before on ``fit``'s curve
    (:func:`weeks_for_share`: weeks of the year before's decisions in hand) instead of the flow
    balance since 2016, which keeps every withdrawn request:
    ``completed / (decided_before x (1 + weeks / 52))``. ``completed``, ``decided_before``,
    ``share_before``: one value per year (NaN where not published); NaN where any is missing
    or the work in hand is not above 0.

    ASSUMPTION: the LA's curve of share against weeks in hand measured at the run's origin holds
    for its earlier years (weeks of each year's own decisions: the curve's scale, not its level)."""
    completed = np.asarray(completed, dtype=float)
    decided_before = np.asarray(decided_before, dtype=float)
    share_before = np.asarray(share_before, dtype=float)
    weeks = np.array([weeks_for_share(fit, s) if np.isfinite(s) else np.nan for s in share_before])
    work = decided_before * (1.0 + weeks / 52.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isfinite(work) & (work > 0) & np.isfinite(completed), completed / work, np.nan)
