"""How special places are shared: a freed all-through place goes to whoever has waited
longest for a place it can serve, in any phase; a phase's own places only to that phase."""

from __future__ import annotations

import simpy

from simulation.place_pools import PlacePool


def _pools(all_through: int, primary: int) -> tuple[simpy.Environment, PlacePool, PlacePool, PlacePool]:
    env = simpy.Environment()
    primary_pool, secondary_pool = PlacePool(env, primary, "primary"), PlacePool(env, 0, "secondary")
    all_pool = PlacePool(env, all_through, "all")
    all_pool.also_serves = [primary_pool, secondary_pool]
    return env, primary_pool, secondary_pool, all_pool


def test_a_freed_all_through_place_goes_to_a_child_waiting_in_a_phase_pool():
    env, primary, _, all_pool = _pools(all_through=1, primary=0)
    all_pool.take()
    waiting = primary.wait(0.0)
    assert not waiting.triggered
    all_pool.release()
    assert waiting.triggered and waiting.value is all_pool
    assert all_pool.level == 0


def test_the_longest_waiting_child_in_any_phase_is_served_first():
    env, primary, secondary, all_pool = _pools(all_through=1, primary=0)
    all_pool.take()
    later = primary.wait(2.0)
    earlier = secondary.wait(1.0)
    own = all_pool.wait(3.0)
    all_pool.release()
    assert earlier.triggered and not later.triggered and not own.triggered
    all_pool.release()
    assert later.triggered and not own.triggered


def test_a_phase_place_is_not_given_to_another_phase():
    env, primary, secondary, _ = _pools(all_through=0, primary=1)
    primary.take()
    other_phase = secondary.wait(0.0)
    primary.release()
    assert not other_phase.triggered
    assert primary.level == 1


def test_a_place_granted_but_not_taken_up_goes_back_to_the_pool_that_gave_it():
    env, primary, _, all_pool = _pools(all_through=1, primary=0)
    all_pool.take()
    waiting = primary.wait(0.0)
    all_pool.release()
    primary.leave(waiting)  # the child moved on at this instant
    assert all_pool.level == 1 and primary.level == 0


def test_over_capacity_share_adds_places_and_waiting_children_go_independent_at_the_overflow_rate():
    import dataclasses

    import numpy as np

    from simulation.examples import gloucestershire_example
    from simulation.model import simulate
    from simulation.parameters import PlaceBlock, SpecialPlaces

    places = SpecialPlaces(blocks=(PlaceBlock("all", 100), PlaceBlock("primary", 10)), over_capacity_share=0.12)
    assert {k: int(v[0]) for k, v in places.places_by_year(2019, 1).items()} == \
        {"primary": 11, "secondary": 0, "post16": 0, "all": 112}
    base = gloucestershire_example(horizon=6)
    independent = []
    for policy, rate in (("wait", 0.0), ("wait", 1.0), ("wait", 5.0), ("independent", 0.0)):
        params = dataclasses.replace(base, special_places=SpecialPlaces(
            blocks=(PlaceBlock("all", 1100),), overflow_policy=policy, overflow_rate_per_year=rate))
        independent.append(np.mean([simulate(params, 5, r).stocks[("ehcp_independent_special", "")][-1]
                                    for r in range(3)]))
    # waiting forever < a yearly overflow < a faster one < at once (same random numbers)
    assert independent[0] < independent[1] < independent[2] < independent[3], independent
