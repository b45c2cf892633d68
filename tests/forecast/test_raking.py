"""Raking (iterative proportional fitting): margins met, the seed's pattern kept."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.raking import RakingError, rake


def test_a_two_way_table_by_hand():
    seed = np.array([[1.0, 1.0], [1.0, 3.0]])
    out = rake(seed, [((0,), np.array([4.0, 6.0])), ((1,), np.array([5.0, 5.0]))])
    assert out.sum(axis=1) == pytest.approx([4, 6]) and out.sum(axis=0) == pytest.approx([5, 5])
    # the odds ratio of the seed (3) is kept
    assert out[0, 0] * out[1, 1] / (out[0, 1] * out[1, 0]) == pytest.approx(3.0)


@settings(max_examples=60, deadline=None)
@given(arrays(float, (3, 4, 5), elements=st.floats(0.1, 100)), arrays(float, 3, elements=st.floats(0, 50)),
       arrays(float, 4, elements=st.floats(0.1, 50)), arrays(float, 5, elements=st.floats(0.1, 50)))
def test_three_margins_are_met_and_add_up(seed, a, b, c):
    total = 1000.0
    if a.sum() == 0:
        a = a + 1
    margins = [((0,), a / a.sum() * total), ((1,), b / b.sum() * total), ((2,), c / c.sum() * total)]
    out = rake(seed, margins)
    assert out.sum() == pytest.approx(total)
    for axes, target in margins:
        other = tuple(x for x in range(3) if x not in axes)
        assert np.allclose(out.sum(axis=other), target, atol=1e-6)
    assert (out >= 0).all()


def test_children_where_the_seed_has_none_are_refused_without_a_floor():
    seed = np.array([[1.0, 0.0], [1.0, 0.0]])
    margins = [((0,), np.array([1.0, 1.0])), ((1,), np.array([1.0, 1.0]))]
    with pytest.raises(RakingError):
        rake(seed, margins)
    out = rake(seed, margins, floor=1e-6)
    assert out.sum(axis=0) == pytest.approx([1, 1])


def test_margins_that_disagree_are_refused():
    with pytest.raises(RakingError, match="disagree"):
        rake(np.ones((2, 2)), [((0,), np.array([1.0, 1.0])), ((1,), np.array([2.0, 2.0]))])
