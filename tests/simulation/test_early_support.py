"""The early identification lever on hand-sized checks: null programmes change nothing,
relative risk over time, the reach rule, and no horizon artefact."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import simulate
from simulation.early_support import EARLIER, MORE, early_support_cost, reach
from simulation.errors import ParameterError
from simulation.examples import gloucestershire_example
from simulation.parameters import EarlyIdentification


def _same_except_reach(base, option):
    for table in ("stocks", "flows"):
        a, b = getattr(base, table), getattr(option, table)
        for key in a:
            if key[1].startswith("route=early") or key[1].startswith("route=more"):
                continue
            np.testing.assert_array_equal(a[key], b[key], err_msg=str(key))


def test_support_without_effect_or_cost_changes_nothing_paired_exactly():
    """Children reached at their usual age (no shift), relative risk 1, no multiples, zero
    cost: every output equals the baseline's, replication by replication."""
    base = gloucestershire_example(start_year=2025, horizon=6)
    lever = EarlyIdentification(share_identified_early=0.5, years_earlier=0, relative_risk=1.0,
                                capacity_children_per_year=400, cost_per_child_gbp=0.0)
    option = dataclasses.replace(base, early_identification=lever)
    for r in range(2):
        a, b = simulate(base, 11, r), simulate(option, 11, r)
        assert b.flows[("sen_support_identified", "route=early_identification")].sum() > 100  # it does reach children
        _same_except_reach(a, b)


def test_a_programme_reaching_nobody_changes_nothing():
    base = gloucestershire_example(start_year=2025, horizon=6)
    lever = EarlyIdentification(share_identified_early=0.4, share_more_identified=0.3, relative_risk=0.5,
                                capacity_children_per_year=0, cost_per_child_gbp=2_000.0,
                                late_identified_escalation_multiple=0.5)
    option = dataclasses.replace(base, early_identification=lever)
    a, b = simulate(base, 3, 0), simulate(option, 3, 0)
    assert b.flows[("sen_support_identified", "route=early_identification")].sum() == 0
    _same_except_reach(a, b)


def test_relative_risk_ramps_holds_and_fades_out():
    lever = EarlyIdentification(share_identified_early=0.3, relative_risk=0.7, initial_relative_risk=1.1,
                                years_to_full_effect=2, effect_years=4, fade_out_years=2)
    assert lever.relative_risk_after(np.arange(8)) == pytest.approx([1.1, 0.9, 0.7, 0.7, 0.7, 0.85, 1.0, 1.0])
    assert EarlyIdentification(relative_risk=0.8).relative_risk_after(np.arange(3)) == pytest.approx([0.8] * 3)


def test_reach_moves_late_identifications_a_bounded_shift_within_capacity():
    lever = EarlyIdentification(share_identified_early=1.0, years_earlier=2, capacity_children_per_year=1,
                                share_more_identified=0.5)
    time = np.array([3.5, 3.6, 1.0, 4.2])
    birth = time - np.array([9.0, 8.0, 9.0, 5.0])  # ages 9, 8, 9 (too soon to move), 5 (too young)
    result = reach(lever, time, birth, np.zeros(4), np.array([2.5]), np.array([0.1]))
    # 3.5 -> 1.5 is first in year 1; 3.6 -> 1.6 is over capacity; the pool child at 2.5 is year 2
    assert result.time[:4] == pytest.approx([1.5, 3.6, 1.0, 4.2])
    assert list(result.group) == [EARLIER, -1, -1, -1, MORE]
    assert result.time[4] == 2.5
    with pytest.raises(ParameterError):
        EarlyIdentification(years_earlier=5)


def test_support_costs_per_child_per_year_and_the_programme():
    lever = EarlyIdentification(share_identified_early=0.1, cost_per_child_gbp=100.0, support_years=2,
                                programme_cost_gbp_per_year=1_000.0)
    cost = early_support_cost(lever, np.array([0.2, 0.7, 2.5, np.inf]), 4)
    assert cost == pytest.approx([1_200.0, 1_200.0, 1_100.0, 1_100.0])


@pytest.mark.slow
def test_the_lever_in_the_last_year_does_not_depend_on_the_run_length():
    """Paired effect of the lever on requests and on children reached in 2030: the last
    year of a 6-year run and the sixth year of a 10-year run. Identifications are drawn
    three years beyond the run, so the programme's reach does not fall off at the end and
    the effect agrees (within Monte Carlo error; before this the reach in the last years
    fell towards zero and the effect's sign flipped with the run length)."""
    lever = EarlyIdentification(share_identified_early=0.3, years_earlier=3, relative_risk=0.8,
                                capacity_children_per_year=600)
    effects = {}
    for horizon in (6, 10):
        base = gloucestershire_example(start_year=2025, horizon=horizon)
        option = dataclasses.replace(base, early_identification=lever)
        reached, requests = [], []
        for r in range(12):
            a, b = simulate(base, 7, r), simulate(option, 7, r)
            reached.append(b.flows[("sen_support_identified", "route=early_identification")][5])
            requests.append(b.flows[("requests", "")][5] - a.flows[("requests", "")][5])
        effects[horizon] = (np.array(reached), np.array(requests))
    short, long = effects[6], effects[10]
    # reach in the last year of the short run is as large as mid-run in the long one
    assert abs(short[0].mean() - long[0].mean()) < 4 * np.sqrt((short[0].var() + long[0].var()) / 12) + 5
    assert short[0].mean() > 0.9 * long[0][...].mean()
    # and the effect on requests agrees within Monte Carlo error
    se = np.sqrt(short[1].var(ddof=1) / 12 + long[1].var(ddof=1) / 12)
    assert abs(short[1].mean() - long[1].mean()) < 3 * se + 5
