"""The cohort model's breakdowns by phase and age add up, and a published joint table of
age and placement is reproduced by the starting caseload."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.caseload import age_placement_counts
from simulation.cohort import expected_arrays
from simulation.examples import gloucestershire_example
from simulation.parameters import AGES, PHASES, PLACEMENTS, Caseload


@pytest.fixture(scope="module")
def arrays():
    return expected_arrays(gloucestershire_example(horizon=4), 12)


@pytest.mark.parametrize("measure", ["ehcp_total", "ehcp_mainstream", "ehcp_state_special", "ehcp_fe", "ehcp_other"])
def test_plans_by_phase_add_up_to_the_total(arrays, measure):
    stocks, _ = arrays
    parts = sum(stocks[(measure, f"phase={phase}")] for phase in PHASES)
    np.testing.assert_allclose(parts, stocks[(measure, "")], rtol=1e-9)


def test_new_plans_and_sen_support_by_age_add_up(arrays):
    stocks, flows = arrays
    np.testing.assert_allclose(sum(flows[("new_plans", f"age={a}")] for a in range(AGES)), flows[("new_plans", "")])
    np.testing.assert_allclose(sum(stocks[("sen_support", f"age={a}")] for a in range(AGES)), stocks[("sen_support", "")])
    # nobody gets a new plan by phase that is not counted by age
    np.testing.assert_allclose(sum(flows[("new_plans", f"phase={p}")] for p in PHASES), flows[("new_plans", "")])


def test_a_published_joint_table_is_the_starting_caseload():
    # a hand-sized joint table: 12 plans at 5 (8 mainstream, 4 state special), 6 at 17
    # (5 FE, 1 other), 2 at 20 (other); the margins agree with it
    joint = np.zeros((AGES, len(PLACEMENTS)))
    joint[5, [0, 2]] = (8, 4)
    joint[17, [4, 6]] = (5, 1)
    joint[20, 6] = 2
    caseload = Caseload(sen_support_by_age=np.zeros(AGES), ehcp_by_age=joint.sum(axis=1),
                        ehcp_by_placement=joint.sum(axis=0), age_placement_shape=joint)
    np.testing.assert_array_equal(age_placement_counts(caseload), joint)
    # without the shape, the 4 state special plans are spread over the ages where they are possible
    plain = age_placement_counts(Caseload(sen_support_by_age=np.zeros(AGES), ehcp_by_age=joint.sum(axis=1),
                                          ehcp_by_placement=joint.sum(axis=0)))
    assert plain[17, 2] > 0


def test_replaying_new_plans_gives_the_same_placements_as_a_full_run():
    """The calibration fits the placement mix by replaying the new plans of one full run:
    exact when only the placement mix differs."""
    import dataclasses

    from simulation.calibration import scale_phase_shares
    from simulation.cohort import new_plans_by_step, placements_given_new_plans
    from simulation.parameters import STATE_SPECIAL
    params = gloucestershire_example(horizon=3)
    other_mix = dataclasses.replace(params, placement=scale_phase_shares(params.placement, STATE_SPECIAL, (1, 2), 1.7))
    full, _ = expected_arrays(other_mix, 6)
    replayed = placements_given_new_plans(other_mix, new_plans_by_step(params, 6), 6)
    for key, values in full.items():
        if key[0].startswith("ehcp_"):
            np.testing.assert_allclose(replayed[key], values, rtol=1e-12, atol=1e-9)
