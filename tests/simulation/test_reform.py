"""Reform: plans replaced by individual support plans at phase transfer from a year."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import simulate
from simulation.errors import ParameterError
from simulation.examples import gloucestershire_example
from simulation.reform import IndividualSupportPlans


def test_plans_end_at_transfer_only_from_the_reform_year():
    base = gloucestershire_example(start_year=2025, horizon=8)
    reform = dataclasses.replace(base, individual_support_plans=IndividualSupportPlans(0.2, 2030))
    a, b = simulate(base, 4, 0), simulate(reform, 4, 0)
    np.testing.assert_array_equal(a.stocks[("ehcp_total", "")][:6], b.stocks[("ehcp_total", "")][:6])  # to Jan 2030
    assert b.stocks[("ehcp_total", "")][-1] < a.stocks[("ehcp_total", "")][-1]
    assert b.flows[("plans_ceased", "")][5:].sum() > a.flows[("plans_ceased", "")][5:].sum()


def test_the_hazard_gives_the_share_within_the_year_of_transfer():
    hazard = IndividualSupportPlans(0.2, 2030, (11,)).extra_hazard(2029, 2, 26)
    assert hazard[0].sum() == 0 and 1 - np.exp(-hazard[1, 11]) == pytest.approx(0.2)
    with pytest.raises(ParameterError):
        IndividualSupportPlans(1.0)
