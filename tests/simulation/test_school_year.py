"""Children change school phase on 1 September, at the start of the school year, not on their
birthdays (issue 19)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.examples import gloucestershire_example
from simulation.model import _Model
from simulation.parameters import (SEPTEMBER, PlaceBlock, SpecialPlaces, school_year_age, school_year_ages,
                                   transfer_time, transfer_times)
from simulation.replication_results import records
from test_model_properties import small


@settings(max_examples=200, deadline=None)
@given(birth=st.floats(-30.0, 10.0), start_age=st.sampled_from([4, 11, 16, 19]))
def test_the_transfer_is_the_first_1_september_of_the_school_year_the_child_reaches_the_phase_age(birth, start_age):
    when = transfer_time(birth, start_age)
    assert abs(when - np.floor(when) - SEPTEMBER) < 1e-9
    assert school_year_age(when, birth) == start_age
    assert school_year_age(when - 1e-6, birth) == start_age - 1  # the day before, still in the old phase
    assert transfer_times(np.array([birth]), start_age)[0] == when
    assert school_year_ages(np.array([when]), np.array([birth]))[0] == start_age


def test_on_a_1_january_the_school_year_age_is_the_whole_age():
    birth = np.array([-10.99, -10.5, -10.0, -9.01])
    np.testing.assert_array_equal(school_year_ages(np.zeros(4), birth), [10, 10, 10, 9])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0.01, 0.04), seed=st.integers(0, 2**32 - 1), through_events=st.booleans())
def test_a_child_never_changes_phase_placement_outside_september(scale, seed, through_events):
    """With places for everyone (no child waits, so no placement changes but transfers), every
    change of a plan's placement while the plan goes on happens on a 1 September, whether the
    plan runs through events or is written ahead."""
    base = small(gloucestershire_example(horizon=6), scale)
    params = dataclasses.replace(base, special_places=SpecialPlaces(blocks=(PlaceBlock("all", 100_000),),
                                                                   overflow_policy="independent"))
    model = _Model(params, seed, 0, defer_plans=not through_events)
    model.run()
    later, _ = model._deferred_spells()
    spells = np.concatenate([records(model.plan_spells, 4), later])
    spells = spells[np.lexsort((spells[:, 0], spells[:, 3]))]
    same_child = spells[1:, 3] == spells[:-1, 3]
    goes_on = same_child & np.isclose(spells[1:, 0], spells[:-1, 1])
    changes = spells[1:, 0][goes_on]
    assert changes.size > 0  # the check is not empty: children do change phase in the run
    np.testing.assert_allclose(changes - np.floor(changes), SEPTEMBER, atol=1e-9)
