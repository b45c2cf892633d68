"""Appraisal of an option against its baseline, on cases small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sendcast.money.appraisal import AppraisalError, appraise, break_even_year, discount_factors

YEARS = np.array([2025, 2026, 2027])


def stat(appraisal, name):
    return appraisal.summary.set_index("statistic").loc[name]


def test_green_book_discount_factors():
    assert discount_factors(3) == pytest.approx([1.0, 1 / 1.035, 1 / 1.035 ** 2])
    assert discount_factors(2, 0.0) == pytest.approx([1.0, 1.0])
    with pytest.raises(AppraisalError):
        discount_factors(2, -0.01)


def test_invest_then_save_breaks_even_in_the_year_the_running_total_turns():
    # Option costs 100 more in year 0, then saves 60 a year: cumulative -100, -40, +20.
    base = np.array([[1000.0, 1000.0, 1000.0]] * 2)
    option = np.array([[1100.0, 940.0, 940.0]] * 2)
    result = appraise(YEARS, base, option)
    assert result.break_even_year == 2027
    assert stat(result, "total_net_saving_gbp")["mean"] == pytest.approx(20.0)
    npv = -100 + 60 / 1.035 + 60 / 1.035 ** 2
    assert stat(result, "npv_net_saving_gbp")["mean"] == pytest.approx(npv)
    assert stat(result, "break_even_year")["mean"] == 2027
    assert stat(result, "share_broken_even")["mean"] == 1.0
    assert result.by_year["cumulative_net_saving_gbp_mean"].tolist() == pytest.approx([-100.0, -40.0, 20.0])


def test_an_option_that_never_pays_back_has_no_break_even_year():
    base = np.zeros((3, 3))
    option = np.ones((3, 3))
    result = appraise(YEARS, base, option)
    assert result.break_even_year is None
    assert np.isnan(stat(result, "break_even_year")["mean"])
    assert stat(result, "break_even_year")["note"] == "never within the run"


def test_break_even_must_hold_to_the_end_of_the_run():
    assert break_even_year(YEARS, np.array([5.0, -1.0, 2.0])) == 2027
    assert break_even_year(YEARS, np.array([1.0, 2.0, 3.0])) == 2025
    assert break_even_year(YEARS, np.array([1.0, 2.0, -3.0])) is None


def test_interval_for_the_mean_uses_the_paired_differences():
    base = np.array([[10.0], [20.0], [30.0]])
    option = base - np.array([[1.0], [2.0], [3.0]])   # savings 1, 2, 3
    result = appraise([2025], base, option)
    row = stat(result, "total_net_saving_gbp")
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert row["mean"] == pytest.approx(2.0)
    assert row["lo95"] == pytest.approx(2.0 - half)
    assert row["hi95"] == pytest.approx(2.0 + half)


def test_cost_per_child_week_avoided_is_extra_spend_over_weeks_avoided():
    base = np.full((4, 2), 100.0)
    option = np.full((4, 2), 150.0)                 # 100 extra over the run
    base_weeks = np.array([[30.0, 30.0], [31.0, 29.0], [29.0, 31.0], [30.0, 30.0]])
    option_weeks = base_weeks - np.array([[10.0, 10.0], [11.0, 9.0], [9.0, 11.0], [10.0, 10.0]])  # 20 avoided
    result = appraise([2025, 2026], base, option, baseline_child_weeks=base_weeks, option_child_weeks=option_weeks)
    row = stat(result, "cost_per_child_week_avoided_gbp")
    assert row["mean"] == pytest.approx(5.0)
    assert row["lo95"] <= 5.0 <= row["hi95"]
    assert stat(result, "child_weeks_avoided")["mean"] == pytest.approx(20.0)


def test_cost_per_child_week_is_not_defined_when_waiting_is_not_avoided():
    base = np.full((3, 2), 100.0)
    weeks = np.array([[5.0, 5.0], [6.0, 4.0], [4.0, 6.0]])
    result = appraise([2025, 2026], base, base + 1, baseline_child_weeks=weeks, option_child_weeks=weeks + 1)
    row = stat(result, "cost_per_child_week_avoided_gbp")
    assert np.isnan(row["mean"])
    assert row["note"].startswith("not defined")


def test_misaligned_inputs_are_refused():
    with pytest.raises(AppraisalError, match="paired"):
        appraise(YEARS, np.zeros((2, 3)), np.zeros((3, 3)))
    with pytest.raises(AppraisalError, match="years"):
        appraise([2025], np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(AppraisalError, match="missing"):
        appraise(YEARS, np.full((2, 3), np.nan), np.zeros((2, 3)))
    with pytest.raises(AppraisalError, match="both"):
        appraise(YEARS, np.zeros((2, 3)), np.zeros((2, 3)), baseline_child_weeks=np.zeros((2, 3)))


spend = arrays(np.float64, (5, 4), elements=st.floats(0, 1e7, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(spend, spend)
def test_savings_are_antisymmetric_and_npv_never_exceeds_the_undiscounted_total_in_size(base, option):
    forward = appraise(np.arange(2025, 2029), base, option)
    backward = appraise(np.arange(2025, 2029), option, base)
    a, b = stat(forward, "npv_net_saving_gbp")["mean"], stat(backward, "npv_net_saving_gbp")["mean"]
    assert a == pytest.approx(-b, abs=1e-6)
    per_year = (base - option).mean(axis=0)
    assert abs(a) <= np.abs(per_year).sum() + 1e-6
