"""Mid-phase moves: a plan in mainstream moving to a special school, an independent school or
AP on a 1 September inside a school phase (issue 19, "Moves")."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.errors import ParameterError
from simulation.examples import gloucestershire_example
from simulation.mid_phase_moves import MAX_YEARLY_MOVE, fit_mid_phase_moves
from simulation.model import _Model, arrivals_and_exits, simulate
from simulation.parameters import (
    AGES,
    INDEPENDENT,
    MAINSTREAM,
    SEPTEMBER,
    STATE_SPECIAL,
    Assessment,
    PlaceBlock,
    Placement,
    SpecialPlaces,
    school_year_ages,
)
from simulation.plan_paths import MoveDraws, move_ages, move_time, move_times, paths_with_moves, plan_segments
from test_cohort_agreement import moves_example
from test_model_properties import small

PRIMARY, SECONDARY = 1, 2


def _with_moves(params, moves):
    return dataclasses.replace(params, placement=dataclasses.replace(params.placement, mid_phase_moves=moves))


# ------------------------------------------------------------------ when a child moves
def test_a_child_moves_on_a_september_inside_the_phase_after_its_spell_began():
    # born at -6.5: school-year age 6 in the first school year; primary runs to the September of age 11
    birth, since = np.array([-6.5]), np.array([0.0])
    # u at or below p: the first September inside the phase after the start (age 7, September of year 0)
    assert move_times(birth, since, PRIMARY, 0.3, np.array([0.29]))[0] == pytest.approx(SEPTEMBER)
    # a little above p: the second (age 8)
    assert move_times(birth, since, PRIMARY, 0.3, np.array([0.31]))[0] == pytest.approx(1 + SEPTEMBER)
    # a draw whose n-th September would be after the phase: no move (ages 7-10 are left: four Septembers)
    assert move_times(birth, since, PRIMARY, 0.1, np.array([0.999]))[0] == np.inf
    assert move_times(birth, since, PRIMARY, 0.0, np.array([0.0]))[0] == np.inf


@settings(max_examples=200, deadline=None)
@given(birth=st.floats(-24.0, 3.0), since=st.floats(0.0, 10.0), phase=st.integers(0, 4),
       probability=st.floats(0.0, 1.0), u=st.floats(0.0, 0.999999))
def test_one_child_and_many_children_move_at_the_same_time(birth, since, phase, probability, u):
    many = move_times(np.array([birth]), np.array([since]), phase, probability, np.array([u]))[0]
    one = move_time(birth, since, phase, probability, u)
    assert many == one
    if np.isfinite(one):  # on a 1 September, after the spell began, at a school-year age inside the phase
        assert one > since
        assert (one - np.floor(one)) == pytest.approx(SEPTEMBER)
        first, last = move_ages(phase)
        assert first <= school_year_ages(np.array([one]), np.array([birth]))[0] <= last


def test_the_chance_of_a_move_each_september_is_the_probability_given():
    rng = np.random.default_rng(3)
    u = rng.random(200_000)
    when = move_times(np.full(u.size, -4.5), np.zeros(u.size), PRIMARY, 0.05, u)
    # aged 4 in the first school year: Septembers at ages 5-10 in years 0-5
    counts = np.array([(np.round(when - SEPTEMBER) == k).sum() for k in range(6)])
    expected = u.size * 0.05 * 0.95 ** np.arange(6)
    np.testing.assert_allclose(counts, expected, rtol=0.03)
    assert np.isinf(when).sum() == pytest.approx(u.size * 0.95**6, rel=0.01)


def test_a_moved_plan_is_split_at_its_move_and_keeps_its_new_placement_until_the_next_transfer():
    transfer_cum = np.cumsum(np.tile(np.eye(7), (4, 1, 1)), axis=2)  # every transfer keeps the placement
    moves = np.zeros((5, 7))
    moves[PRIMARY, INDEPENDENT] = 0.5
    draws = MoveDraws(moves, start=np.array([0.0, 0.0]), birth=np.array([-6.5, -6.5]),
                      u=np.array([[[0.9, 0.5]] * 5, [[0.4, 0.5]] * 5]))  # the second child moves at the first September
    paths, moved = paths_with_moves(np.array([MAINSTREAM, MAINSTREAM]), np.array([PRIMARY, PRIMARY]), transfer_cum,
                                    np.full((2, 4), 0.5), draws)
    # the first child: n = ceil(log 0.1 / log 0.5) = 4 Septembers from age 7:
    # age 10, the last September of primary
    assert moved[0, PRIMARY] == pytest.approx(3 + SEPTEMBER)
    assert moved[1, PRIMARY] == pytest.approx(SEPTEMBER)
    np.testing.assert_array_equal(paths[1], [-1, -1, MAINSTREAM, INDEPENDENT, INDEPENDENT, INDEPENDENT,
                                             INDEPENDENT, INDEPENDENT, INDEPENDENT, INDEPENDENT])
    start, end, placement, index = plan_segments(np.zeros(2), np.array([2.0, 2.0]), np.array([-6.5, -6.5]), paths,
                                                 moved=moved)
    np.testing.assert_array_equal(placement, [MAINSTREAM, MAINSTREAM, INDEPENDENT])  # the first moves after ceasing
    np.testing.assert_allclose(start, [0.0, 0.0, SEPTEMBER])
    np.testing.assert_allclose(end, [2.0, SEPTEMBER, 2.0])
    np.testing.assert_array_equal(index, [0, 1, 1])


# ------------------------------------------------------------------ the model with moves
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0.01, 0.05), moves=st.floats(0.0, 3.0), places=st.one_of(st.none(), st.integers(0, 40)),
       policy=st.sampled_from(["independent", "wait"]), capacity=st.one_of(st.none(), st.integers(5, 60)),
       horizon=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_no_child_is_created_or_lost_when_plans_move_inside_a_phase(scale, moves, places, policy, capacity, horizon,
                                                                    seed):
    params = _with_moves(small(gloucestershire_example(horizon=horizon), scale), moves_example(moves))
    params = dataclasses.replace(params, assessment=Assessment(capacity_per_year=capacity),
                                 special_places=SpecialPlaces(
                                     blocks=None if places is None else (PlaceBlock("all", places),),
                                     overflow_policy=policy, overflow_rate_per_year=1.0))
    result = simulate(params, seed)
    arrivals, exits, change = arrivals_and_exits(result)
    np.testing.assert_array_equal(arrivals - exits, change)
    for values in result.stocks.values():
        assert np.all(values >= 0)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0.01, 0.05), places=st.integers(0, 60), policy=st.sampled_from(["independent", "wait"]),
       seed=st.integers(0, 2**32 - 1))
def test_moved_plans_written_ahead_equal_moved_plans_run_through_events(scale, places, policy, seed):
    base = _with_moves(small(gloucestershire_example(horizon=6), scale), moves_example(2.0))
    params = dataclasses.replace(base, special_places=SpecialPlaces(
        blocks=(PlaceBlock("all", places), PlaceBlock("primary", places // 3)), overflow_policy=policy))
    ahead, events = (_Model(params, seed, 0, defer_plans=defer).run().to_frame()
                     .set_index(["measure", "breakdown", "year"])["value"] for defer in (True, False))
    np.testing.assert_allclose(ahead.to_numpy(), events.reindex(ahead.index).to_numpy(), rtol=1e-9, atol=1e-6)


def test_more_moves_into_special_schools_never_lower_the_children_in_them():
    """With places unlimited, a higher yearly chance of moving from mainstream to a special
    school gives at least as many children in special schools on every January (each child's
    own draws: a move comes earlier or not at all), and fewer in mainstream."""
    base = small(gloucestershire_example(horizon=6), 0.2)
    special, mainstream = [], []
    for rate in (0.0, 0.02, 0.06):
        moves = np.zeros((5, 7))
        moves[[PRIMARY, SECONDARY], STATE_SPECIAL] = rate
        result = simulate(_with_moves(base, moves if rate else None), 5)
        special.append(result.stocks[("ehcp_state_special", "")])
        mainstream.append(result.stocks[("ehcp_mainstream", "")])
    special, mainstream = np.array(special), np.array(mainstream)
    assert np.all(np.diff(special, axis=0) >= 0), special
    assert special[-1, -1] > special[0, -1]
    assert mainstream[-1, -1] < mainstream[0, -1]


def test_a_run_without_moves_is_the_run_it_was():
    """Moves of zero give the same numbers as no moves at all (the stream is not drawn)."""
    params = small(gloucestershire_example(horizon=4), 0.1)
    plain = simulate(params, 8).to_frame()
    zero = simulate(_with_moves(params, np.zeros((5, 7))), 8).to_frame()
    assert plain.equals(zero)


def test_moves_are_checked_like_every_placement_setting():
    shares, transfer = np.full((5, 7), 1 / 7), np.tile(np.eye(7), (4, 1, 1))
    shares[4] = [0.5, 0.1, 0.0, 0.1, 0.1, 0.1, 0.1]
    transfer[3, :, STATE_SPECIAL] = 0.0
    transfer[3, STATE_SPECIAL, MAINSTREAM] = 1.0
    bad = np.zeros((5, 7))
    bad[1, MAINSTREAM] = 0.1
    with pytest.raises(ParameterError, match="their own columns must be 0"):
        Placement(shares, transfer, mid_phase_moves=bad)
    with pytest.raises(ParameterError, match="expected shape"):
        Placement(shares, transfer, mid_phase_moves=np.zeros((4, 7)))
    post19 = np.zeros((5, 7))
    post19[4, STATE_SPECIAL] = 0.1
    with pytest.raises(ParameterError, match="post-19"):
        Placement(shares, transfer, mid_phase_moves=post19)
    assert not Placement(shares, transfer, mid_phase_moves=np.zeros((5, 7))).moves


# ------------------------------------------------------------------ the fit
def _cohort_year(share: float, rate: float, rng: np.random.Generator | None = None):
    """Two Januaries of plans by age and placement one cohort-year apart, from a known share
    of new plans placed in special schools and a known move rate out of mainstream inside
    primary and secondary (ages 4-14), and the new plans by age between them."""
    before = np.zeros((AGES, 7))
    before[4:16, MAINSTREAM] = np.linspace(150, 300, 12)
    before[4:16, STATE_SPECIAL] = np.linspace(10, 140, 12)
    issued = np.zeros(AGES)
    issued[4:16] = np.linspace(130, 30, 12)
    after = np.zeros_like(before)
    new = (issued[:-1] + issued[1:]) / 2
    after[1:, STATE_SPECIAL] = before[:-1, STATE_SPECIAL] + share * new + rate * before[:-1, MAINSTREAM]
    after[1:, MAINSTREAM] = before[:-1, MAINSTREAM] * (1 - rate) + (1 - share) * new
    if rng is not None:
        after[1:, STATE_SPECIAL] += rng.normal(0, 2, AGES - 1)
    return before, after, issued


def test_the_fit_finds_the_move_rate_that_made_the_tables():
    before, after, issued = _cohort_year(share=0.15, rate=0.03)
    moves = fit_mid_phase_moves(before, after, issued)
    assert moves[PRIMARY, STATE_SPECIAL] == pytest.approx(0.03, abs=1e-6)
    assert moves[SECONDARY, STATE_SPECIAL] == pytest.approx(0.03, abs=1e-6)
    assert moves[PRIMARY, INDEPENDENT] == 0.0  # nothing changed there
    assert moves[[0, 3, 4]].sum() == 0.0  # fitted for primary and secondary only
    # growth by new plans alone is not taken for moves
    assert fit_mid_phase_moves(*_cohort_year(share=0.15, rate=0.0))[PRIMARY, STATE_SPECIAL] == pytest.approx(0, abs=1e-6)
    # noise of a couple of children an age moves the rate a little, not a lot
    noisy = fit_mid_phase_moves(*_cohort_year(share=0.15, rate=0.03, rng=np.random.default_rng(1)))
    assert noisy[PRIMARY, STATE_SPECIAL] == pytest.approx(0.03, abs=0.01)


def test_the_fit_never_gives_a_yearly_move_above_the_cap():
    before, after, issued = _cohort_year(share=0.0, rate=0.4)
    moves = fit_mid_phase_moves(before, after, issued)
    assert moves[PRIMARY].sum() == pytest.approx(MAX_YEARLY_MOVE)
