"""Identification set so the expected children on SEN support follow a target path."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.cohort import expected_arrays
from simulation.examples import gloucestershire_example
from simulation.parameters import schedule_values
from simulation.share_target import BOUNDS, GROWTH_LIMITS, TOLERANCE, identification_for_targets, requests_for_targets
from simulation.trends import carry_forward

START, YEARS = 2019, 4


def _sen_support(params) -> np.ndarray:
    stocks, _ = expected_arrays(params)
    return stocks[("sen_support", "")]


def _targets(growth: float) -> dict[int, float]:
    """Children on SEN support growing ``growth`` a year (in logs) from the example's January 2019."""
    params = gloucestershire_example(START, YEARS)
    first = float(params.caseload.sen_support_by_age.sum())
    return {START + k: first * float(np.exp(growth * k)) for k in range(1, YEARS + 1)}


def test_the_expected_children_on_sen_support_follow_the_target_each_january():
    params = gloucestershire_example(START, YEARS)
    targets = _targets(0.03)
    result = identification_for_targets(params, START - 1, targets)
    assert result.bound_years == ()
    got = _sen_support(result.params)                                  # a fresh run of the whole horizon
    for k in range(1, YEARS + 1):
        assert got[k] == pytest.approx(targets[START + k], rel=10 * TOLERANCE)
        assert result.expected[START + k] == pytest.approx(targets[START + k], rel=TOLERANCE)
    # the years before the run keep their multipliers
    before = schedule_values(params.arrivals.sen_support_multiplier, START - 1, 1)[0]
    assert schedule_values(result.params.arrivals.sen_support_multiplier, START - 1, 1)[0] == before


def test_a_higher_share_growth_never_lowers_children_on_sen_support():
    params = gloucestershire_example(START, YEARS)
    lower = _sen_support(identification_for_targets(params, START - 1, _targets(0.0)).params)
    higher = _sen_support(identification_for_targets(params, START - 1, _targets(0.04)).params)
    assert np.all(higher[1:] >= lower[1:]) and higher[-1] > lower[-1]


def test_a_target_out_of_reach_stops_at_the_bound_and_says_so():
    params = gloucestershire_example(START, 2)
    first = float(params.caseload.sen_support_by_age.sum())
    result = identification_for_targets(params, START - 1, {START + 1: 5 * first, START + 2: 25 * first})
    assert result.bound_years == (START, START + 1)
    last = schedule_values(params.arrivals.sen_support_multiplier, START - 1, 1)[0]
    assert result.multipliers[START] == pytest.approx(BOUNDS[1] * last)
    assert result.multipliers[START + 1] == pytest.approx(BOUNDS[1] ** 2 * last)


def test_carrying_requests_forward_keeps_an_identification_path_set_by_another_rule():
    params = gloucestershire_example(START, YEARS)
    result = identification_for_targets(params, START - 1, _targets(0.03))
    carried = carry_forward(result.params, START - 1, request_growth=0.1, identification_growth=None, damping=0.9)
    assert carried.arrivals.sen_support_multiplier == result.params.arrivals.sen_support_multiplier
    assert carried.sen_support.request_multiplier != result.params.sen_support.request_multiplier


# ------------------------------------------------ requests set so EHC plans follow a path
def _plans(params) -> np.ndarray:
    stocks, _ = expected_arrays(params)
    return stocks[("ehcp_total", "")]


def test_requests_set_to_a_path_of_plans_their_own_growth_made_recover_that_growth():
    """Self-consistency: plans made by requests growing 4% a year are followed back by a growth
    of about 4% a year."""
    params = gloucestershire_example(START, YEARS)
    grown = carry_forward(params, START - 1, request_growth=0.04, identification_growth=None, damping=1.0)
    made = _plans(grown)
    result = requests_for_targets(params, START - 1, {START + k: float(made[k]) for k in range(1, YEARS + 1)})
    assert result.bound_years == ()
    last = schedule_values(params.sen_support.request_multiplier, START - 1, 1)[0]
    growth = np.log(result.multipliers[START + YEARS - 1] / last) / YEARS
    assert growth == pytest.approx(0.04, abs=0.01)
    assert _plans(result.params)[1:] == pytest.approx(made[1:], rel=0.01)


def test_a_faster_growing_path_of_plans_never_means_fewer_requests():
    params = gloucestershire_example(START, YEARS)
    first = float(_plans(params)[0])

    def requests_for(growth: float) -> np.ndarray:
        targets = {START + k: first * float(np.exp(growth * k)) for k in range(1, YEARS + 1)}
        _, flows = expected_arrays(requests_for_targets(params, START - 1, targets).params)
        return flows[("requests", "")]

    slow, fast = requests_for(0.02), requests_for(0.08)
    assert np.all(fast >= slow) and fast[-1] > slow[-1]


def test_a_path_of_plans_out_of_reach_sets_the_growth_on_its_limit_and_says_so():
    params = gloucestershire_example(START, 2)
    first = float(_plans(params)[0])
    result = requests_for_targets(params, START - 1, {START + 1: 10 * first, START + 2: 100 * first})
    assert result.bound_years == (START, START + 1)
    last = schedule_values(params.sen_support.request_multiplier, START - 1, 1)[0]
    assert result.multipliers[START + 1] == pytest.approx(last * np.exp(GROWTH_LIMITS[1] * 2), rel=1e-3)
    assert result.growth == pytest.approx(GROWTH_LIMITS[1], abs=1e-3)


def test_a_floor_on_the_growth_keeps_requests_from_falling_to_meet_a_falling_path_of_plans():
    """Plans that fall would have requests cut; with the floor at no fall, the request rate is
    held at the last fitted year's, and the growth is said to sit on its limit."""
    params = gloucestershire_example(START, 2)
    first = float(_plans(params)[0])
    falling = {START + 1: 0.9 * first, START + 2: 0.8 * first}
    cut = requests_for_targets(params, START - 1, falling)
    held = requests_for_targets(params, START - 1, falling, limits=(0.0, GROWTH_LIMITS[1]))
    last = schedule_values(params.sen_support.request_multiplier, START - 1, 1)[0]
    assert cut.growth < 0
    assert held.growth == pytest.approx(0.0, abs=1e-3) and held.bound_years == (START, START + 1)
    assert held.multipliers[START + 1] == pytest.approx(last, rel=1e-3)
