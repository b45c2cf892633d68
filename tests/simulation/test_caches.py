"""What the engine keeps between replications is keyed by value: a replication run in a
worker process gets its own copy of the parameters, and must reuse (and never confuse)
what an equal copy made."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np

import simulation.caseload as caseload_module
import simulation.needs as needs_module
from simulation.examples import gloucestershire_example
from simulation.needs import need_tables
from simulation.parameters import PrimaryNeeds


def test_the_starting_caseload_fit_is_reused_for_an_equal_copy_and_not_for_another_caseload():
    params = gloucestershire_example(horizon=2)
    first = caseload_module.age_placement_counts(params.caseload)
    copy = pickle.loads(pickle.dumps(params.caseload))
    assert copy is not params.caseload
    key = caseload_module._fit_key(copy, 200)
    assert key in caseload_module._fits
    np.testing.assert_array_equal(caseload_module.age_placement_counts(copy), first)
    older = dataclasses.replace(params.caseload, ehcp_by_age=np.roll(params.caseload.ehcp_by_age, 1))
    np.testing.assert_array_equal(caseload_module.age_placement_counts(older).sum(axis=1),
                                  np.round(older.ehcp_by_age))


def test_need_tables_are_reused_for_an_equal_copy_and_not_for_other_needs():
    params = gloucestershire_example(horizon=2)
    counts = np.ones((26, 2))
    counts[:, 1] = np.linspace(1, 5, 26)
    params = dataclasses.replace(params, needs=PrimaryNeeds(names=("asd", "semh"), by_age=counts))
    tables = need_tables(params)
    assert need_tables(pickle.loads(pickle.dumps(params))) is tables
    other = dataclasses.replace(params, needs=PrimaryNeeds(names=("asd", "semh"), by_age=counts[:, ::-1]))
    assert need_tables(other) is not tables
    np.testing.assert_array_equal(need_tables(other).by_age, needs_module._tables(other.needs,
                                  other.placement.new_plan_shares, 1.0).by_age)
