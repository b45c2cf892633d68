"""High-needs block income: the published allocations and a council's own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendcast.runtime.errors import InputError
from sendcast.money.income import PUBLISHED_FILE, extend_income, published_income, read_income_file

PUBLISHED = Path(__file__).resolve().parent.parent / "data" / "raw" / "finance" / PUBLISHED_FILE


def test_gloucestershire_allocations_are_the_published_before_deduction_figures():
    income = published_income(PUBLISHED, "Gloucestershire").set_index("financial_year")["high_needs_income_gbp"]
    assert income.to_dict() == {"2019-20": 59_895_405.0, "2020-21": 66_375_573.0, "2021-22": 74_352_481.0,
                                "2022-23": 84_255_991.0, "2023-24": 93_231_734.0}


def test_the_latest_dated_table_wins_over_the_undated_one(tmp_path):
    path = tmp_path / "dsg.csv"
    path.write_text(
        "file,sheet,title,area,hnb_before_deductions,total_dsg_before,hnb_after_deductions,total_dsg_after\n"
        "dedicated-schools-grant_hardcoded.ods,A,2023 to 2024 allocations,Testshire,100,0,0,0\n"
        "dedicated-schools-grant_2024_07_20.ods,A,2023 to 2024 allocations,Testshire,300000,0,0,0\n"
        "dedicated-schools-grant_2023_07_20.ods,A,2023 to 2024 allocations,Testshire,200000,0,0,0\n")
    income = published_income(path, "Testshire")
    assert income["high_needs_income_gbp"].tolist() == [300000.0]
    assert "2024_07_20" in income["source"].iloc[0]


def test_extension_is_labelled_as_an_assumption_and_compounds():
    income = published_income(PUBLISHED, "Gloucestershire")
    extended = extend_income(income, "2025-26", 10)
    tail = extended.tail(2)
    assert tail["status"].tolist() == ["assumption", "assumption"]
    assert tail["high_needs_income_gbp"].tolist() == pytest.approx([93_231_734 * 1.1, 93_231_734 * 1.21])


@pytest.mark.parametrize("body, column, row", [
    ("financial_year,high_needs_income_gbp,source\n2025/26,100,me\n", "financial_year", 2),
    ("financial_year,high_needs_income_gbp,source\n2025-26,100,me\n2025-26,200,me\n", "financial_year", 3),
    ("financial_year,high_needs_income_gbp,source\n2025-26,-5,me\n", "high_needs_income_gbp", 2),
    ("financial_year,high_needs_income_gbp,source\n2025-26,lots,me\n", "high_needs_income_gbp", 2),
])
def test_a_bad_income_file_names_the_row_and_column(tmp_path, body, column, row):
    path = tmp_path / "income.csv"
    path.write_text(body)
    with pytest.raises(InputError) as error:
        read_income_file(path)
    assert error.value.column == column and error.value.row == row and str(path) in str(error.value)


def test_a_council_file_is_read_in_year_order(tmp_path):
    path = tmp_path / "income.csv"
    path.write_text("financial_year,high_needs_income_gbp,source\n2026-27,2000,budget\n2025-26,1000,budget\n")
    income = read_income_file(path)
    assert income["financial_year"].tolist() == ["2025-26", "2026-27"]
    assert income["status"].eq("user").all()
