"""Identification at SEN support set so the expected caseload follows a target path.

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

Units: children (the target counts and the expected counts); years: January for the
targets and the counts, calendar for the multipliers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

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
    multiplier sits on a bound."""

    params: Parameters
    multipliers: dict[int, float]
    expected: dict[int, float]
    bound_years: tuple[int, ...]


def _expected_count(params: Parameters, schedule: dict[int, float], january: int, steps_per_year: int) -> float:
    """Expected children on SEN support in ``january`` with the identification ``schedule``
    (the run cut to end on that January)."""
    run = replace(
        params,
        horizon=january - params.start_year,
        arrivals=replace(params.arrivals, sen_support_multiplier=dict(schedule)),
    )
    stocks, _ = expected_arrays(run, steps_per_year)
    return float(stocks[("sen_support", "")][-1])


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
    low, high = bounds
    probe = replace(params, special_places=SpecialPlaces())
    years = [int(y) for y in params.years]
    own = schedule_values(params.arrivals.sen_support_multiplier, years[0], len(years))
    schedule = {int(y): float(v) for y, v in params.arrivals.sen_support_multiplier if y <= last_fitted_year}
    schedule.update({y: float(v) for y, v in zip(years, own)})
    before = float(schedule_values(params.arrivals.sen_support_multiplier, last_fitted_year, 1)[0])
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
                count = _expected_count(probe, schedule, january, steps_per_year)
                tried.append((value, count))
                if abs(count - target) <= TOLERANCE * max(target, 1.0):
                    break
                if len(tried) == 1:
                    step = value * 0.05  # a first probe to measure the slope
                    guess = value + (step if count < target else -step)
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
    out = replace(params, arrivals=replace(params.arrivals, sen_support_multiplier=schedule))
    multipliers = {y: schedule[y] for y in years}
    return ShareTarget(out, multipliers, expected, tuple(bound_years))
