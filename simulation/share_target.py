"""Identification at SEN support, or requests for assessment, set so the expected caseload
follows a target path.

The **share target** rule of carrying identification forward (issue 19): the trend is
chosen on the published share of pupils on SEN support, so the simulation should carry
that share, not the growth of the identification multiplier (a different quantity: the
children identified each year are only one of the flows that make the January count;
requests, needs met, moving away and leaving school draw children off it, and the
number of pupils changes). Here the identification multiplier of each projected calendar
year ``c`` is set so that the cohort engine's expected children on SEN support in
January ``c + 1`` equal the target for that January, one year at a time (earlier years
already set), by the secant method on the multiplier (the January count is close to
affine in one calendar year's multiplier, so two or three runs of the cohort engine a
year suffice).

Each year's multiplier is kept within ``bounds`` times the year before's (the last
fitted year's value for the first projected year); a year where a bound binds is
reported (:attr:`ShareTarget.bound_years`) and its count then misses the target.

The same for requests (:func:`requests_for_targets`, the **plans target** rule): the request
multiplier of each projected calendar year ``c`` set so the expected EHC plans in January
``c + 1`` equal a target path (e.g. the forecast engine's central forecast).

Units: children (the target counts and the expected counts); years: January for the
targets and the counts, calendar for the multipliers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize_scalar

from simulation.cohort import expected_arrays
from simulation.parameters import Parameters, SpecialPlaces, schedule_values

#: Each projected year's multiplier is kept within these factors of the year before's.
BOUNDS = (0.5, 2.0)
#: Runs of the cohort engine at most per year (the first at the current multiplier).
MAX_RUNS = 5
#: Relative miss of the January count at which a year is taken as reached.
TOLERANCE = 1e-4


@dataclass(frozen=True)
class ShareTarget:
    """The result of :func:`identification_for_targets`: ``params`` with the identification
    multiplier set; ``multipliers``: calendar year -> multiplier set; ``expected``: January
    -> expected children on SEN support with it; ``bound_years``: calendar years whose
    multiplier sits on a bound; ``growth``: the one yearly log growth chosen
    (:func:`requests_for_targets` only; ``None`` otherwise)."""

    params: Parameters
    multipliers: dict[int, float]
    expected: dict[int, float]
    bound_years: tuple[int, ...]
    growth: float | None = None


def _expected(params: Parameters, measure: str, january: int, steps_per_year: int) -> float:
    """Expected ``measure`` (a January stock of the cohort engine, total) in ``january``
    (the run cut to end on that January)."""
    stocks, _ = expected_arrays(replace(params, horizon=january - params.start_year), steps_per_year)
    return float(stocks[(measure, "")][-1])


def follow_targets(
    years: list[int],
    schedule: dict[int, float],
    before: float,
    targets: Mapping[int, float],
    count: Callable[[dict[int, float], int], float],
    bounds: tuple[float, float],
) -> tuple[dict[int, float], dict[int, float], list[int]]:
    """Each calendar year of ``years`` in turn: the multiplier of ``schedule`` (calendar year
    -> multiplier; changed in place) that makes ``count(schedule, january)`` equal
    ``targets[january]`` for the January after it, by the secant method (see the module
    notes), within ``bounds`` times the year before's (``before``: the last fitted year's).
    Returns the schedule, the expected count each January with it and the years on a bound."""
    low, high = bounds
    expected: dict[int, float] = {}
    bound_years: list[int] = []
    for year in years:
        january = year + 1
        floor, ceiling = low * before, high * before
        if january in targets:
            target = float(targets[january])
            tried: list[tuple[float, float]] = []
            value = float(np.clip(schedule[year], floor, ceiling))
            for _ in range(MAX_RUNS):
                schedule[year] = value
                reached = count(schedule, january)
                tried.append((value, reached))
                if abs(reached - target) <= TOLERANCE * max(target, 1.0):
                    break
                if len(tried) == 1:
                    step = value * 0.05  # a first probe to measure the slope
                    guess = value + (step if reached < target else -step)
                else:
                    (m0, c0), (m1, c1) = tried[-2], tried[-1]
                    guess = m1 + (target - c1) * (m1 - m0) / (c1 - c0) if c1 != c0 else m1
                new = float(np.clip(guess, floor, ceiling))
                if new == value:
                    break  # on a bound
                value = new
            best = min(tried, key=lambda pair: abs(pair[1] - target))
            schedule[year] = best[0]
            expected[january] = best[1]
            if abs(best[1] - target) > TOLERANCE * max(target, 1.0) and best[0] in (floor, ceiling):
                bound_years.append(year)
        before = schedule[year]
    return schedule, expected, bound_years


def _starting_schedule(own_schedule, params: Parameters, last_fitted_year: int) -> tuple[dict[int, float], float]:
    """A multiplier schedule as a dict over the fitted years to ``last_fitted_year`` and every
    year of the run, and the last fitted year's value."""
    years = [int(y) for y in params.years]
    own = schedule_values(own_schedule, years[0], len(years))
    schedule = {int(y): float(v) for y, v in own_schedule if y <= last_fitted_year}
    schedule.update({y: float(v) for y, v in zip(years, own)})
    return schedule, float(schedule_values(own_schedule, last_fitted_year, 1)[0])


def identification_for_targets(
    params: Parameters,
    last_fitted_year: int,
    targets: Mapping[int, float],
    *,
    bounds: tuple[float, float] = BOUNDS,
    steps_per_year: int = 52,
) -> ShareTarget:
    """``params`` with the identification multiplier of each calendar year ``c`` after
    ``last_fitted_year`` (from ``params.start_year``) set so the cohort engine's expected
    children on SEN support in January ``c + 1`` equal ``targets[c + 1]`` (children; a
    January with no target keeps its multiplier); see the module notes. Special school
    places are left out of the runs that set it (the cohort engine does not model them, and
    they do not move children on or off SEN support); ``params`` keeps its own."""
    if params.start_year <= last_fitted_year:
        raise ValueError("the run must start after the last fitted year")
    probe = replace(params, special_places=SpecialPlaces())
    schedule, before = _starting_schedule(params.arrivals.sen_support_multiplier, params, last_fitted_year)

    def count(trial: dict[int, float], january: int) -> float:
        run = replace(probe, arrivals=replace(probe.arrivals, sen_support_multiplier=dict(trial)))
        return _expected(run, "sen_support", january, steps_per_year)

    years = [int(y) for y in params.years]
    schedule, expected, bound_years = follow_targets(years, schedule, before, targets, count, bounds)
    out = replace(params, arrivals=replace(params.arrivals, sen_support_multiplier=schedule))
    return ShareTarget(out, {y: schedule[y] for y in years}, expected, tuple(bound_years))


#: The yearly log growth of the request multiplier :func:`requests_for_targets` may choose.
GROWTH_LIMITS = (-0.3, 0.3)


def requests_for_targets(
    params: Parameters,
    last_fitted_year: int,
    targets: Mapping[int, float],
    *,
    limits: tuple[float, float] = GROWTH_LIMITS,
    steps_per_year: int = 12,
) -> ShareTarget:
    """``params`` with the request multiplier (requests for an EHC needs assessment per child
    on SEN support, relative to the fitted rates) of each calendar year ``c`` after
    ``last_fitted_year`` set to the last fitted year's times ``exp(g (c - last_fitted_year))``,
    one yearly log growth ``g`` within ``limits``, the one whose cohort-engine EHC plans
    (January) grow most like ``targets`` (January -> plans): the sum of squared differences
    of their yearly log changes from the first January targeted (the level of that first
    January is the work in hand's, not the requests'). Not year by year, as :func:`identification_for_targets` sets SEN support: a
    year's requests become plans mostly in the next year and the year after (decision and
    assessment, and the queue), so a January's plans hardly move with the year before's
    requests and year-by-year setting swings from bound to bound. Special school places are
    left out of the runs that set it (they place children, not change how many have a plan);
    ``params`` keeps its own. ``bound_years``: every projected year when ``g`` sits on a limit."""
    if params.start_year <= last_fitted_year:
        raise ValueError("the run must start after the last fitted year")
    probe = replace(params, special_places=SpecialPlaces())
    schedule, before = _starting_schedule(params.sen_support.request_multiplier, params, last_fitted_year)
    years = [int(y) for y in params.years]
    januaries = [j for j in sorted(targets) if params.start_year < j <= params.start_year + params.horizon]
    if not januaries:
        return ShareTarget(params, {y: schedule[y] for y in years}, {}, ())
    wanted = np.log(np.array([float(targets[j]) for j in januaries]))

    def path(growth: float) -> dict[int, float]:
        out = dict(schedule)
        out.update({y: before * float(np.exp(growth * (y - last_fitted_year))) for y in years})
        return out

    def plans(growth: float) -> np.ndarray:
        run = replace(probe, sen_support=replace(probe.sen_support, request_multiplier=path(growth)))
        stocks, _ = expected_arrays(run, steps_per_year)
        series = stocks[("ehcp_total", "")]
        return np.array([series[j - params.start_year] for j in januaries], dtype=float)

    def miss(growth: float) -> float:
        # the growth of plans from the first January on, not their level: the first
        # January's plans come from requests already made (the work in hand at the start),
        # so a level missed there would otherwise be made up by bending every later year
        got = np.log(np.maximum(plans(growth), 1e-9))
        return float(np.sum((np.diff(got) - np.diff(wanted)) ** 2)) if got.size > 1 else float((got - wanted)[0] ** 2)

    found = minimize_scalar(miss, bounds=limits, method="bounded", options={"xatol": 1e-4})
    growth = float(found.x)
    chosen = path(growth)
    expected = dict(zip(januaries, plans(growth).tolist()))
    on_limit = min(abs(growth - limits[0]), abs(growth - limits[1])) < 1e-3
    out = replace(params, sen_support=replace(params.sen_support, request_multiplier=chosen))
    return ShareTarget(out, {y: chosen[y] for y in years}, expected, tuple(years) if on_limit else (), growth)
