"""Runs of the cohort engine stepped together give each run's own numbers, bit for bit, and
the calibration that uses them fits exactly what it fits one run at a time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import glos_figures as glos
import simulation.calibration as calibration
from simulation.calibration import apply_free_parameters, calibrate, free_parameter_names
from simulation.cohort import expected_arrays, new_plans_by_step, placements_given_new_plans
from simulation.cohort_batch import _can_share_steps, expected_arrays_batch, placements_given_new_plans_batch
from simulation.cohort import _CohortRun
from simulation.examples import gloucestershire_example
from simulation.mid_phase_moves import fit_mid_phase_moves  # noqa: F401  (the module the moves come from)
from simulation.parameters import Assessment, EarlyIdentification


def _identical(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        x, y = np.asarray(a[key], dtype=float), np.asarray(b[key], dtype=float)
        assert x.shape == y.shape, key
        assert np.array_equal(x, y, equal_nan=True), key  # exactly, not within a tolerance
        assert np.array_equal(np.signbit(x), np.signbit(y)), key


def _perturbed(base, count: int = 6) -> list:
    """Parameter sets as a fit's Jacobian makes them: one free parameter moved at a time."""
    years = list(range(base.start_year, base.start_year + base.horizon))
    names = free_parameter_names(years)
    out = []
    for k in range(count):
        theta = np.zeros(len(names))
        theta[(7 * k) % len(names)] = 0.05 * (k + 1)
        out.append(apply_free_parameters(base, theta, years))
    return out


@pytest.mark.parametrize(
    "assessment",
    [
        Assessment(),  # capacity unconstrained
        Assessment(capacity_per_year=((2022, 900.0), (2023, 700.0))),  # a queue for slots
        Assessment(capacity_per_year=((2022, 900.0),), capacity_response=0.6),  # responsive capacity
    ],
    ids=["unconstrained", "capacity", "responsive"],
)
def test_runs_stepped_together_give_each_run_its_own_numbers(assessment):
    base = gloucestershire_example(2022, horizon=3, assessment=assessment)
    params = _perturbed(base)
    runs = [_CohortRun(p, 6, None, None) for p in params]
    assert _can_share_steps(runs)  # the shared path is the one tested
    together = expected_arrays_batch(params, 6)
    for p, (stocks, flows) in zip(params, together):
        alone_stocks, alone_flows = expected_arrays(p, 6)
        _identical(alone_stocks, stocks)
        _identical(alone_flows, flows)


def test_replayed_placement_mixes_stepped_together_are_each_their_own():
    base = gloucestershire_example(2022, horizon=3)
    years = list(range(2022, 2025))
    names = free_parameter_names(years)
    new_plans = new_plans_by_step(base, 6)
    params = []
    for k, name in enumerate(n for n in names if n.endswith("_share_scale")):
        theta = np.zeros(len(names))
        theta[names.index(name)] = 0.1 * (k % 3 + 1)
        params.append(apply_free_parameters(base, theta, years))
    together = placements_given_new_plans_batch(params, new_plans, 6)
    for p, stocks in zip(params, together):
        _identical(placements_given_new_plans(p, new_plans, 6), stocks)


def test_runs_that_cannot_share_steps_are_run_one_at_a_time_with_the_same_numbers():
    base = gloucestershire_example(2022, horizon=3)
    early = dataclasses.replace(
        base, early_identification=EarlyIdentification(share_identified_early=0.2, relative_risk=0.7)
    )
    shorter = dataclasses.replace(base, horizon=2)
    for params in ([base, early], [base, shorter]):
        assert not _can_share_steps([_CohortRun(p, 6, None, None) for p in params])
        for p, (stocks, flows) in zip(params, expected_arrays_batch(params, 6)):
            alone_stocks, alone_flows = expected_arrays(p, 6)
            _identical(alone_stocks, stocks)
            _identical(alone_flows, flows)


def test_the_fit_is_the_same_with_its_jacobian_runs_stepped_together(monkeypatch):
    """A few iterations of the calibration with the Jacobian's runs stepped together
    (``least_squares`` ``workers``) and one at a time (scipy's own map): the same fit."""
    base = gloucestershire_example(2022, horizon=3, population=glos.POPULATION)
    targets = glos.targets()
    targets = targets[targets["year"] >= 2022]
    together = calibrate(base, targets, max_evaluations=4)

    real = calibration.least_squares

    def one_at_a_time(*args, **kwargs):
        kwargs.pop("workers")
        return real(*args, **kwargs)

    monkeypatch.setattr(calibration, "least_squares", one_at_a_time)
    alone = calibrate(base, targets, max_evaluations=4)
    assert together.fitted == alone.fitted
    assert together.report.equals(alone.report)
    _identical(expected_arrays(together.parameters, 6)[0], expected_arrays(alone.parameters, 6)[0])
