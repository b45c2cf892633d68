"""Plans by age band and specialist placements by phase: the simulation's outputs for the
deficit plan and the SCAP return."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.examples import gloucestershire_example
from simulation.model import simulate
from simulation.outputs import AGE_BANDS, plans_by_age
from simulation.parameters import PLACEMENTS


def test_age_bands_add_up_to_every_plan_in_every_january():
    result = simulate(gloucestershire_example(2019, 3), 7, 0)
    bands = sum(result.stocks[("ehcp_total", f"age_band={band}")] for band in AGE_BANDS)
    assert np.array_equal(bands, result.stocks[("ehcp_total", "")])


def test_phases_never_exceed_the_placement():
    result = simulate(gloucestershire_example(2019, 3), 7, 0)
    for measure in ("ehcp_state_special", "ehcp_independent_special", "ehcp_resourced_unit"):
        phases = result.stocks[(measure, "phase=primary")] + result.stocks[(measure, "phase=secondary")]
        assert (phases <= result.stocks[(measure, "")]).all()


def test_a_hand_made_spell_is_counted_by_its_age_on_each_january():
    # One child born 9.5 years before the start, in a state special school from 0.5 to 3.0.
    special = PLACEMENTS.index("state_special")
    out = plans_by_age(np.array([0.5]), np.array([3.0]), np.array([special]), np.array([-9.5]), 3)
    assert out[("ehcp_total", "age_band=5_to_10")].tolist() == [0, 1, 0, 0]     # aged 10.5 in January 1
    assert out[("ehcp_total", "age_band=11_to_15")].tolist() == [0, 0, 1, 0]    # 11.5 in January 2; ended at 3.0
    assert out[("ehcp_state_special", "phase=primary")].tolist() == [0, 1, 0, 0]
    assert out[("ehcp_state_special", "phase=secondary")].tolist() == [0, 0, 1, 0]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 5), st.floats(0, 5), st.integers(0, len(PLACEMENTS) - 1),
                          st.floats(0, 25)), min_size=1, max_size=40))
def test_every_open_plan_is_in_exactly_one_age_band(spells):
    start = np.array([min(a, b) for a, b, _, _ in spells])
    end = np.array([max(a, b) for a, b, _, _ in spells])
    birth = start - np.array([age for *_, age in spells])     # a child is born before its plan starts
    out = plans_by_age(start, end, np.array([p for _, _, p, _ in spells]), birth, 5)
    points = np.arange(6.0)
    open_count = ((start[None, :] <= points[:, None]) & (end[None, :] > points[:, None])).sum(axis=1)
    assert np.array_equal(sum(out[("ehcp_total", f"age_band={band}")] for band in AGE_BANDS), open_count)


def test_the_cohort_model_counts_every_ceased_plan_at_one_age_and_leaving_education_after_16():
    from simulation.cohort import expected_arrays
    params = gloucestershire_example(2019, 3)
    _, flows = expected_arrays(params, 12)
    by_age = np.array([flows[("plans_ceased", f"age={age}")] for age in range(26)])
    np.testing.assert_allclose(by_age.sum(axis=0), flows[("plans_ceased", "")])
    # before 16 only needs met and moving away end plans (the default hazards), so the
    # plans ceased under 16 are those two reasons' share of the plans held under 16
    assert by_age[:16].sum() < flows[("plans_ceased", "reason=needs_met")].sum() + \
        flows[("plans_ceased", "reason=moved_away")].sum()
    assert by_age[25].sum() >= flows[("plans_ceased", "reason=aged_out")].sum()   # ageing out counts at 25
