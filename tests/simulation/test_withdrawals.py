"""Requests withdrawn after a decision to assess (SEN2 publishes none): their share estimated
on the flows of services keeping up (simulation.withdrawals), the backlog's flow balance net
of them (simulation.calibration.estimate_rates) and the run's decisions (simulation.model,
simulation.cohort), in planner language."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from simulation.calibration import estimate_rates
from simulation.cohort import expected_trajectories
from simulation.errors import ParameterError
from simulation.examples import gloucestershire_example
from simulation.model import simulate
from simulation.parameters import Assessment
from simulation.withdrawals import KEEPING_UP_PCT, MAX_WITHDRAWAL, keeping_up_years, withdrawal_rate


def _panel(values: dict) -> pd.DataFrame:
    return pd.DataFrame(values).T


def test_the_share_is_what_services_keeping_up_decided_and_never_completed():
    """Hand-worked: L1 kept up 2019-2020 (90%, 92%, 95%): decided 1,000 and 1,000, completed 900
    and 920; L2 had a backlog (40%): left out whatever its flows. Withdrawn: 1 - 1,820 / 2,000."""
    decided = _panel({"L1": {2019: 1000.0, 2020: 1000.0}, "L2": {2019: 500.0, 2020: 500.0}})
    completed = _panel({"L1": {2019: 900.0, 2020: 920.0}, "L2": {2019: 100.0, 2020: 100.0}})
    timely = _panel({"L1": {2018: 90.0, 2019: 92.0, 2020: 95.0}, "L2": {2018: 40.0, 2019: 40.0, 2020: 40.0}})
    share, years = withdrawal_rate(decided, completed, timely, 2020)
    assert years == 2 and share == pytest.approx(1 - 1820 / 2000)
    # only years to the origin's last calendar year count (time-respecting)
    assert withdrawal_rate(decided, completed, timely, 2019) == (pytest.approx(0.1), 1)
    assert withdrawal_rate(decided, completed, timely, 2018) == (None, 0)


def test_a_service_must_keep_up_in_the_year_and_the_year_before():
    decided = _panel({"L": {2019: 100.0, 2020: 100.0}})
    completed = _panel({"L": {2019: 50.0, 2020: 90.0}})
    timely = _panel({"L": {2018: KEEPING_UP_PCT - 1, 2019: KEEPING_UP_PCT, 2020: 99.0}})
    rows = keeping_up_years(decided, completed, timely, 2020)
    assert rows["year"].tolist() == [2020]


def test_odd_flows_are_kept_within_bounds():
    decided = _panel({"L": {2020: 100.0}})
    timely = _panel({"L": {2019: 95.0, 2020: 95.0}})
    assert withdrawal_rate(decided, _panel({"L": {2020: 130.0}}), timely, 2020)[0] == 0.0  # more completed
    assert withdrawal_rate(decided, _panel({"L": {2020: 10.0}}), timely, 2020)[0] == MAX_WITHDRAWAL


def _flows(rows):
    return pd.DataFrame([(m, "", y, v) for m, y, v in rows], columns=["measure", "breakdown", "year", "value"])


def test_a_service_that_kept_up_for_years_starts_with_its_pipeline_not_a_backlog():
    """Planner's reading: five years of 1,000 decisions to assess and 920 completed, every year
    90% within 20 weeks. Counting withdrawn requests as decided, the balance says 80 more
    children wait every year (400 by the fifth); with 8% withdrawn it stays at the pipeline."""
    rows = []
    for year in range(2016, 2021):
        rows += [("requests", year, 1250.0), ("requests_refused", year, 250.0), ("new_plans", year, 900.0),
                 ("assessed_not_issued", year, 20.0), ("issued_within_20wk_pct", year, 90.0)]
    before = estimate_rates(_flows(rows), pipeline_weeks=15.0).set_index("year")
    after = estimate_rates(_flows(rows), pipeline_weeks=15.0, withdrawal=0.08).set_index("year")
    pipeline = 920.0 * 15.0 / 52.0
    assert before.loc[2020, "backlog_january"] == pytest.approx(pipeline + 4 * 80.0)
    assert after.loc[2020, "backlog_january"] == pytest.approx(pipeline)
    assert after.loc[2020, "decisions_to_assess"] == pytest.approx(920.0)
    # the share of the work in hand completed is then that of a service keeping up
    assert after.loc[2020, "capacity_response"] > before.loc[2020, "capacity_response"]
    assert estimate_rates(_flows(rows), 15.0, 0.0).set_index("year").equals(before)  # 0: the rule before


def test_withdrawn_requests_are_neither_refused_nor_assessed_and_none_is_the_rule_before():
    base = gloucestershire_example(horizon=3)
    same = dataclasses.replace(base, assessment=dataclasses.replace(base.assessment, withdrawal_probability=0.0))
    a, b = simulate(base, 5, 0), simulate(same, 5, 0)
    for key, values in a.flows.items():
        np.testing.assert_array_equal(values, b.flows[key])
    more = dataclasses.replace(base, assessment=dataclasses.replace(base.assessment, withdrawal_probability=0.2))
    c = simulate(more, 5, 0)
    requests = a.flows[("requests", "")].sum()
    # the same children ask (the run's first requests come from the same draws) and the same
    # share is refused; fewer are assessed and fewer plans issued
    assert c.flows[("requests_refused", "")].sum() == pytest.approx(a.flows[("requests_refused", "")].sum(),
                                                                     rel=0.08)
    assert c.flows[("assessments", "")].sum() < 0.9 * a.flows[("assessments", "")].sum()
    assert c.flows[("new_plans", "")].sum() < a.flows[("new_plans", "")].sum()
    assert c.flows[("requests", "")].sum() >= 0.9 * requests  # withdrawn children may ask again


def test_the_cohort_model_withdraws_the_same_share():
    base = gloucestershire_example(horizon=3)
    none = expected_trajectories(base, 12)
    some = expected_trajectories(
        dataclasses.replace(base, assessment=dataclasses.replace(base.assessment, withdrawal_probability=0.1)), 12)
    assert none.equals(expected_trajectories(base, 12))
    flows = lambda frame, m: frame[(frame["measure"] == m) & (frame["breakdown"] == "")]["value"].sum()  # noqa: E731
    assert flows(some, "new_plans") < flows(none, "new_plans")
    assert flows(some, "requests_refused") == pytest.approx(flows(none, "requests_refused"), rel=0.05)


def test_the_share_must_be_below_one():
    for bad in (-0.1, 1.0, 1.5):
        with pytest.raises(ParameterError):
            Assessment(withdrawal_probability=bad)
