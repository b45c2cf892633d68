"""The assessment backlog as a flow balance, one rule for the calibration, the choice of
the capacity adjustment and the run's starting backlog (simulation.flow_balance)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.calibration import estimate_rates
from simulation.flow_balance import CARRIED_YEARS, backlog_januaries

NAN = np.nan


def test_a_year_not_published_moves_the_backlog_by_nothing():
    """Hand-worked, pipeline 52 weeks: completed 100 a year, decided 150. January 2020: 100;
    2021: 150; 2021's decisions withheld: 2022 and the year before's balance alike (150);
    then +50 again: 200 in January 2023 (before this rule: restarted at 100 in 2022)."""
    decided = np.array([150.0, NAN, 150.0])
    assessed = np.array([100.0, 100.0, 100.0])
    np.testing.assert_allclose(backlog_januaries(decided, assessed, 52.0), [100.0, 150.0, 150.0, 200.0])
    assert CARRIED_YEARS == 1


def test_after_more_years_missing_than_are_carried_the_balance_restarts():
    decided = np.array([150.0, NAN, NAN, 150.0, 150.0])
    assessed = np.array([100.0, 100.0, NAN, 120.0, 100.0])
    out = backlog_januaries(decided, assessed, 52.0)
    np.testing.assert_allclose(out[:3], [100.0, 150.0, 150.0])
    np.testing.assert_allclose(out[3:], [120.0, 150.0, 200.0])


def test_the_balance_never_falls_below_zero_and_areas_are_independent():
    decided = np.array([[10.0, 10.0, 10.0], [150.0, NAN, 150.0]])
    assessed = np.array([[100.0, 100.0, 100.0], [100.0, 100.0, 100.0]])
    both = backlog_januaries(decided, assessed, 52.0)
    np.testing.assert_allclose(both[0], [100.0, 10.0, 0.0, 0.0])      # 100 + 10 - 100, then never below 0
    np.testing.assert_allclose(both[1], backlog_januaries(decided[1], assessed[1], 52.0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.floats(0, 5000)), st.one_of(st.none(), st.floats(1, 5000))),
                min_size=2, max_size=9))
def test_the_calibration_reads_the_same_backlog(flows):
    """estimate_rates' backlog is this rule's, year by year, however the flows are missing."""
    years = range(2016, 2016 + len(flows))
    rows = []
    for year, (decided, assessed) in zip(years, flows):
        if decided is not None:
            rows += [("requests", year, decided), ("requests_refused", year, 0.0)]
        if assessed is not None:
            rows += [("new_plans", year, assessed), ("assessed_not_issued", year, 0.0)]
    if not rows:
        return
    table = pd.DataFrame(rows, columns=["measure", "year", "value"])
    rates = estimate_rates(table, pipeline_weeks=15.0).set_index("year")
    d = np.array([NAN if f[0] is None else f[0] for f in flows])
    a = np.array([NAN if f[1] is None else f[1] for f in flows])
    expected = pd.Series(backlog_januaries(d, a, 15.0)[:-1], index=list(years))
    got = rates["backlog_january"].reindex(expected.index)
    present = expected.index.isin(rates.index)
    np.testing.assert_allclose(got[present].to_numpy(), expected[present].to_numpy(), equal_nan=True)


@pytest.mark.parametrize("withdrawal", [0.0, 0.1])
def test_the_run_s_work_in_hand_is_the_calibration_s_flow_balance(monkeypatch, withdrawal):
    """The capacity response is estimated on the published flows (backlog plus the year
    before's decisions to assess, by the year of the request) and applied to the run's own
    work in hand: the two must count the same thing. In a run, the work in hand on 1
    January T less the decisions to assess among T - 1's requests is a backlog that moves
    exactly as the calibration's flow balance: the start's open assessments, plus each
    year's decisions to assess, less its completed assessments. Before 8 December 2026 the
    run left out the requests awaiting a decision and this failed."""
    import dataclasses

    from simulation.examples import gloucestershire_example
    from simulation.model import _Model
    from simulation.parameters import Assessment

    params = gloucestershire_example(horizon=6)
    params = dataclasses.replace(params, assessment=Assessment(
        capacity_per_year=500, capacity_response=0.6, withdrawal_probability=withdrawal))
    works: list[float] = []
    responsive = Assessment.responsive_slots

    def counted(self, work, floor=1, previous=None):
        works.append(work)
        return responsive(self, work, floor, previous)

    monkeypatch.setattr(Assessment, "responsive_slots", counted)
    model = _Model(params, 7, 0)
    completed = model.run().flows[("assessments", "")]
    decided = model.assess_requested
    backlog = [work - decided[t] for t, work in enumerate(works)]  # works[t]: 1 January of year t + 1
    assert len(backlog) == params.horizon - 1
    balance = float(params.caseload.in_assessment_by_age.sum())
    for t, level in enumerate(backlog):
        balance += decided[t] - completed[t]
        assert level == pytest.approx(balance)
