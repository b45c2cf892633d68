"""Parameter uncertainty: a bootstrap over the fitted years, drawn per replication."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulation.examples import gloucestershire_example
from simulation.parameters import Assessment, schedule_values
from simulation.streams import stream
from simulation.trends import damped_factors
from simulation.uncertainty import bootstrap_mean, draw_parameters


def _params():
    base = gloucestershire_example(horizon=6)    # 2019-2024, fitted to 2020
    return replace(base, sen_support=replace(base.sen_support, request_multiplier={2019: 1.0, 2020: 1.2}),
                   assessment=Assessment(capacity_per_year={2019: 600.0, 2020: 1.0}, capacity_response=0.6))


def test_bootstrap_means_stay_within_the_values_and_vary():
    rng = np.random.default_rng(1)
    draws = [bootstrap_mean(np.array([0.1, 0.2, 0.4]), rng) for _ in range(200)]
    assert min(draws) >= 0.1 - 1e-12 and max(draws) <= 0.4 + 1e-12 and len(set(np.round(draws, 6))) > 3


def test_a_draw_changes_only_the_growth_after_the_fitted_years_and_the_capacity_response():
    params = _params()
    drawn = draw_parameters(params, stream(7, 0, "parameter_draw"), last_fitted_year=2020,
                            request_changes=np.array([0.1, 0.3]), damping=1.0,
                            response_shares=np.array([0.5, 0.7]))
    values = schedule_values(drawn.sen_support.request_multiplier, 2019, 6)
    np.testing.assert_allclose(values[:2], [1.0, 1.2])                      # fitted years as fitted
    growth = np.log(values[2] / 1.2)
    assert growth in (0.1, 0.2, 0.3) or np.isclose(growth, [0.1, 0.2, 0.3]).any()
    np.testing.assert_allclose(values[2:], 1.2 * damped_factors(growth, 1.0, 4))
    response = drawn.assessment.capacity_response
    assert np.isclose(response, [0.5, 0.6, 0.7]).any()
    first = drawn.assessment.capacity_per_year[0][1]
    assert np.isclose(first, 600.0 * response / 0.6)                        # the first year moves with it
    # the same stream draws the same parameters (a scenario and its baseline agree)
    again = draw_parameters(params, stream(7, 0, "parameter_draw"), last_fitted_year=2020,
                            request_changes=np.array([0.1, 0.3]), damping=1.0, response_shares=np.array([0.5, 0.7]))
    assert again.assessment.capacity_response == response


def test_nothing_to_resample_leaves_the_parameters_as_they_are():
    params = _params()
    same = draw_parameters(params, stream(7, 0, "parameter_draw"), last_fitted_year=2020,
                           request_changes=np.array([0.2]), response_shares=None)
    assert same is params
