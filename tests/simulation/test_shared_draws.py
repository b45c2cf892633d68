"""What a replication's scenarios share (simulation.shared_draws) changes no number: a
scenario run after another in the same replication gives what it gives run alone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import shared_draws
from simulation.examples import gloucestershire_example
from simulation.model import simulate
from simulation.parameters import Assessment, EarlyIdentification


def _same(a, b) -> None:
    assert a.stocks.keys() == b.stocks.keys() and a.flows.keys() == b.flows.keys()
    for key in a.stocks:
        np.testing.assert_array_equal(a.stocks[key], b.stocks[key])
    for key in a.flows:
        np.testing.assert_array_equal(a.flows[key], b.flows[key])


@pytest.fixture(autouse=True)
def _nothing_kept():
    shared_draws.forget()
    yield
    shared_draws.forget()


def test_an_option_run_after_its_baseline_gives_what_it_gives_alone():
    base = gloucestershire_example(horizon=3)
    lever = EarlyIdentification(share_identified_early=0.3, share_more_identified=0.2, relative_risk=0.6,
                                capacity_children_per_year=300)
    options = [
        dataclasses.replace(base, early_identification=lever),
        dataclasses.replace(base, assessment=Assessment(capacity_per_year=500)),
        dataclasses.replace(base, assessment=Assessment(decision_weeks_mean=8.0)),  # other first draws
    ]
    for option in options:
        shared_draws.forget()
        alone = simulate(option, 11, 2)
        shared_draws.forget()
        simulate(base, 11, 2)
        _same(simulate(option, 11, 2), alone)
        # and the other way round, and again from what both kept
        _same(simulate(base, 11, 2), simulate(base, 11, 2))
        shared_draws.forget()
        baseline_alone = simulate(base, 11, 2)
        shared_draws.forget()
        simulate(option, 11, 2)
        _same(simulate(base, 11, 2), baseline_alone)


def test_other_replications_and_seeds_take_nothing_of_another():
    base = gloucestershire_example(horizon=2)
    first = simulate(base, 11, 0)
    shared_draws.forget()
    _same(simulate(base, 11, 0), first)
    other = simulate(base, 11, 1)
    assert not np.array_equal(other.flows[("requests", "")], first.flows[("requests", "")])
    shared_draws.forget()
    _same(simulate(base, 11, 1), other)


def test_what_is_kept_cannot_be_changed():
    base = gloucestershire_example(horizon=2)
    simulate(base, 11, 0)
    arrays = [value for kept in shared_draws._kept.values() for value in kept if isinstance(value, np.ndarray)]
    assert arrays and not any(array.flags.writeable for array in arrays)
