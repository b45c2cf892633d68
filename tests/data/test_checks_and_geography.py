"""Consistency checks, series breaks and LA identities on the shipped data."""

from __future__ import annotations

import pandas as pd
import pytest

from sendcast.runtime.errors import UnknownNameError


def test_no_check_fails_on_the_shipped_data(dataset):
    status = dataset.checks["status"].value_counts()
    assert status.get("fail", 0) == 0
    assert status["pass"] > 9000


def test_overlapping_releases_agree_on_every_total(dataset):
    agree = dataset.checks[dataset.checks["check"] == "releases_agree"]
    assert len(agree) > 600  # 2019-2022, every LA and England
    assert (agree["status"] == "pass").all()
    assert set(agree["year"]) == {2019, 2020, 2021, 2022}


def test_england_equals_the_sum_of_las_within_tolerance(dataset):
    england = dataset.checks[dataset.checks["check"] == "england_equals_las"]
    compared = england[england["status"] != "skipped"]
    assert len(compared) > 100 and (compared["status"] == "pass").all()


def test_self_contradicting_published_totals_are_withheld(dataset):
    # newplans.csv (2025 release) gives every Yorkshire and The Humber LA the regional
    # total 6,078 for 2022. Those values must not reach the table.
    withheld = dataset.checks[(dataset.checks["status"] == "withheld")
                              & (dataset.checks["measure"] == "new_ehc_plans")]
    assert len(withheld) == 15 and set(withheld["year"]) == {2022} and set(withheld["found"]) == {6078}
    sheffield = dataset.measures[(dataset.measures["la_name"] == "Sheffield")
                                 & (dataset.measures["measure"] == "new_plans")
                                 & (dataset.measures["year"] == 2022)]
    assert sheffield.loc[sheffield["breakdown"] == "", "value"].isna().all()
    # the rows by age when the plan started are published separately and add up to the LA's own count
    assert sheffield.loc[sheffield["breakdown"] != "", "value"].sum() == 955


@pytest.mark.parametrize("la, kind, year", [
    ("Bournemouth, Christchurch and Poole", "starts", 2020),
    ("Poole", "ends", 2019),
    ("Northamptonshire", "ends", 2021),
    ("West Northamptonshire", "starts", 2022),
    ("Cumbria", "ends", 2023),
    ("Cumberland", "starts", 2024),
])
def test_boundary_changes_are_flagged_as_breaks(dataset, la, kind, year):
    breaks = dataset.geography.breaks
    row = breaks[(breaks["la_name"] == la) & (breaks["kind"] == kind)]
    assert len(row) == 1 and row["year"].iloc[0] == year
    assert "April" in row["reason"].iloc[0]


def test_a_code_change_without_a_boundary_change_is_not_a_break(dataset):
    # Buckinghamshire was E10000002, then E06000060 (2020-2023), then E10000002 again in
    # the 2025 release: one LA, one series, found by either code.
    geography = dataset.geography
    assert geography.resolve("E06000060")["la_number"] == "825"
    assert geography.resolve("E10000002")["la_number"] == "825"
    assert "Buckinghamshire" not in set(geography.breaks["la_name"])
    assert "Gateshead" not in set(geography.breaks["la_name"])


def test_la_lookup_by_name_code_number_and_england(dataset):
    geography = dataset.geography
    assert geography.resolve("gloucestershire")["la_code"] == "E10000013"
    assert geography.resolve("916")["la_name"] == "Gloucestershire"
    assert geography.resolve("England")["la_code"] == "E92000001"
    assert len(geography.las) == 159  # 158 LAs past and present, plus England


def test_unknown_la_suggests_the_nearest_names(dataset):
    with pytest.raises(UnknownNameError) as caught:
        dataset.geography.resolve("Gloucestershre")
    assert "Gloucestershire" in caught.value.suggestions


def test_statistical_neighbours_are_dfe_may_2025_list(dataset):
    from sendcast.data import query
    names = query.neighbours(dataset, "Gloucestershire")["neighbour_name"].tolist()
    assert names == ["Warwickshire", "West Sussex", "Hampshire", "North Somerset", "Wiltshire", "Cheshire East",
                     "Leicestershire", "Oxfordshire", "Essex", "Worcestershire"]
    assert dataset.neighbours.notna().all().all() and dataset.neighbours["la_code"].nunique() == 158


def test_neighbour_comparison_indexes_every_series(dataset):
    from sendcast.forecasting.context import neighbour_comparison
    table = neighbour_comparison(dataset, "Gloucestershire", "ehcp_total", index_year=2015)
    assert table.loc[2015, ["la", "england", "neighbours_median"]].tolist() == [100.0, 100.0, 100.0]
    assert table.loc[2025, "la"] == pytest.approx(100 * 6412 / 2425)
    assert (table["neighbours_count"] == 10).all()


def test_a_collapse_in_an_la_s_requests_is_withheld_not_forecast(dataset):
    """West Berkshire published 0 requests for 2022 (270 for 2021, 407 for 2023) while issuing
    176 new plans; Isle of Wight 74 for 2024 (382 for 2022) with 187. Kept, the forecast engine
    forecast West Berkshire's 2023 requests at 1. Withheld as missing, listed in checks.csv."""
    collapsed = dataset.checks[dataset.checks["check"] == "requests_collapse"].set_index("la_code")
    assert (collapsed["status"] == "withheld").all()
    assert collapsed.loc["E06000037", "found"] == 0 and collapsed.loc["E06000037", "year"] == 2022
    assert collapsed.loc["E06000046", "found"] == 74 and collapsed.loc["E06000046", "expected"] == 382
    requests = dataset.measures[(dataset.measures["measure"] == "requests") & (dataset.measures["breakdown"] == "")]
    west_berkshire = requests[requests["la_code"] == "E06000037"].set_index("year")["value"]
    assert pd.isna(west_berkshire[2022]) and west_berkshire[2023] == 407
    # a fall within the ratio, or a year with more requests than new plans, is kept as published
    assert "E10000013" not in collapsed.index
    assert "E92000001" not in collapsed.index                                         # England is not checked


def test_the_collapse_rule_reads_only_the_year_and_the_years_before():
    """A backtest at any origin must see the same rule: a later year's rebound never decides."""
    from sendcast.data.checks import collapsed_requests

    def rows(requests, plans):
        return pd.DataFrame([("E1", y, "requests", "", v) for y, v in requests.items()]
                            + [("E1", y, "new_plans", "", v) for y, v in plans.items()],
                            columns=["la_code", "year", "measure", "breakdown", "value"])
    plans = {2020: 100.0, 2021: 100.0, 2022: 100.0}
    alone = collapsed_requests(rows({2020: 300.0, 2021: 90.0}, plans))
    with_later = collapsed_requests(rows({2020: 300.0, 2021: 90.0, 2022: 310.0}, plans))
    assert list(alone["year"]) == [2021] and list(with_later["year"]) == [2021]
    assert collapsed_requests(rows({2020: 300.0, 2021: 210.0}, plans)).empty      # fell, but by less than 1.5x
    assert collapsed_requests(rows({2020: 300.0, 2021: 150.0}, {2021: 140.0})).empty   # more requests than plans
