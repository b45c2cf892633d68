"""Placement paths worked out ahead, and the model's shortcut that uses them.

Plans that can never need a local special place are written in one pass at the end of a
replication instead of through events; the shortcut must give exactly what the events give.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.examples import gloucestershire_example
from simulation.model import _Model
from simulation.parameters import Assessment, PlaceBlock, SpecialPlaces
from simulation.plan_paths import choose, placement_paths, plan_segments, touches
from test_model_properties import small


def test_choose_picks_the_first_category_whose_cumulative_share_reaches_the_draw():
    cumulative = np.array([0.2, 0.5, 1.0])
    np.testing.assert_array_equal(choose(cumulative, np.array([0.0, 0.2, 0.21, 0.5, 0.99, 1.0])), [0, 0, 1, 1, 2, 2])


def test_paths_follow_the_transfer_draws_from_the_start_phase():
    groups = 2
    # transfer p-1: out of placement 0 go to 1 when u > 0.5; placement 1 always stays
    transfer_cum = np.tile(np.array([[0.5, 1.0], [0.0, 1.0]]), (4, 1, 1))
    u = np.array([[0.9, 0.1, 0.1, 0.1],    # moves to 1 at the first transfer (into phase 1)
                  [0.1, 0.1, 0.9, 0.1]])   # moves to 1 on entering phase 3
    paths = placement_paths(np.array([0, 0]), np.array([0, 1]), transfer_cum, u)
    np.testing.assert_array_equal(paths, [[0, 1, 1, 1, 1], [-1, 0, 0, 1, 1]])
    np.testing.assert_array_equal(touches(paths, 1), [True, True])
    assert paths.max() < groups


def test_segments_split_a_plan_at_each_phase_transfer_in_september_and_stop_at_ceasing():
    # born at -9 (age 9 on 1 January of the first year): phases start at school-year ages 0, 4, 11,
    # 16, 19, each on a 1 September: secondary in September of the second year (1 + 243/365), post-16
    # five years later
    paths = np.array([[-1, 0, 1, 1, 2]])
    start, end, placement, index = plan_segments(np.array([0.5]), np.array([8.0]), np.array([-9.0]), paths)
    september = 243 / 365
    np.testing.assert_allclose(start, [0.5, 1 + september, 6 + september])
    np.testing.assert_allclose(end, [1 + september, 6 + september, 8.0])
    np.testing.assert_array_equal(placement, [0, 1, 1])
    np.testing.assert_array_equal(index, [0, 0, 0])


def _both_ways(params, seed):
    results = []
    for defer in (True, False):
        model = _Model(params, seed, 0, defer_plans=defer)
        results.append(model.run().to_frame().set_index(["measure", "breakdown", "year"])["value"])
    return results


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0.01, 0.06), places=st.integers(0, 60), policy=st.sampled_from(["independent", "wait"]),
       capacity=st.one_of(st.none(), st.integers(5, 60)), seed=st.integers(0, 2**32 - 1))
def test_plans_written_ahead_equal_plans_run_through_events(scale, places, policy, capacity, seed):
    base = small(gloucestershire_example(horizon=6), scale)
    params = dataclasses.replace(base, assessment=Assessment(capacity_per_year=capacity),
                                 special_places=SpecialPlaces(blocks=(PlaceBlock("all", places),
                                                                      PlaceBlock("primary", places // 3)),
                                                              overflow_policy=policy))
    ahead, events = _both_ways(params, seed)
    np.testing.assert_allclose(ahead.to_numpy(), events.reindex(ahead.index).to_numpy(), rtol=1e-9, atol=1e-6)
