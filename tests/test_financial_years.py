"""Year conventions: January caseloads to April-March financial years."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendcast.data.years import (financial_year_average, financial_year_average_paths,
                                     financial_year_from_calendar, financial_year_label, financial_year_start)


def test_financial_year_is_a_quarter_of_the_first_january_and_three_quarters_of_the_second():
    january = pd.Series({2024: 5876.0, 2025: 6412.0})
    average = financial_year_average(january)
    # 1 October 2024 on the straight line from January 2024 to January 2025.
    assert average.to_dict() == {2024: pytest.approx(0.25 * 5876 + 0.75 * 6412)}


def test_a_missing_january_gives_no_financial_year():
    january = pd.Series({2020: 1.0, 2021: 2.0, 2023: 4.0})
    assert list(financial_year_average(january).index) == [2020]


def test_labels_round_trip_and_bad_labels_are_refused():
    assert financial_year_label(2025) == "2025-26" and financial_year_label(1999) == "1999-00"
    assert financial_year_start("2025-26") == 2025
    for bad in ("2025/26", "2025-27", "25-26", "2025"):
        with pytest.raises(ValueError, match="2025-26"):
            financial_year_start(bad)


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=2, max_size=12))
def test_average_lies_between_the_two_januaries_and_paths_agree(values):
    january = pd.Series(values, index=range(2020, 2020 + len(values)))
    average = financial_year_average(january)
    for year, value in average.items():
        low, high = sorted((january[year], january[year + 1]))
        assert low - 1e-6 <= value <= high + 1e-6
    paths = financial_year_average_paths(pd.DataFrame({"a": january, "b": 2 * january}))
    assert paths["a"].tolist() == pytest.approx(average.tolist())
    assert paths["b"].tolist() == pytest.approx((2 * average).tolist())


def test_financial_year_flow_is_nine_months_of_one_calendar_year_and_three_of_the_next():
    spend = pd.Series({2025: 1200.0, 2026: 2400.0, 2027: 3600.0})
    # April-December 2025 at 100 a month, January-March 2026 at 200 a month.
    assert financial_year_from_calendar(spend).to_dict() == {2025: pytest.approx(900 + 600),
                                                             2026: pytest.approx(1800 + 900)}


@given(st.floats(min_value=0, max_value=1e9), st.integers(min_value=2, max_value=12))
def test_a_steady_flow_is_the_same_in_financial_and_calendar_years(level, years):
    calendar = pd.Series([level] * years, index=range(2020, 2020 + years))
    assert financial_year_from_calendar(calendar).tolist() == pytest.approx([level] * (years - 1))
