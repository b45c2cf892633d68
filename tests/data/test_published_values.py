"""The shipped data reproduces figures DfE published, to the child."""

from __future__ import annotations

import pandas as pd
import pytest

from sendcast.data import query
from sendcast.data.measures import PLACEMENT_GROUPS

GLOS_EHCP_2010_2025 = [2248, 2248, 2337, 2417, 2496, 2425, 2643, 3044, 3210, 3658, 3922, 4332,
                       4854, 5289, 5876, 6412]


def _values(dataset, la: str, measure: str) -> pd.Series:
    rows = query.series(dataset, la, [measure])
    return rows.set_index("year")["value"]


def test_gloucestershire_ehcp_total_every_january_2010_to_2025(dataset):
    values = _values(dataset, "Gloucestershire", "ehcp_total")
    assert values.loc[2010:2025].tolist() == GLOS_EHCP_2010_2025


def test_england_ehcp_total_2025(dataset):
    assert _values(dataset, "England", "ehcp_total")[2025] == 638745


def test_gloucestershire_special_school_placements_2025(dataset):
    assert _values(dataset, "E10000013", "ehcp_state_special")[2025] == 1506
    assert _values(dataset, "916", "ehcp_independent_special")[2025] == 289


@pytest.mark.parametrize("year, expected", [(2010, 867), (2014, 999), (2017, 1031), (2019, 1122)])
def test_state_special_excludes_hospital_schools_and_joins_the_academy_columns(dataset, year, expected):
    # SUMMARY.md: LA-maintained + academy/free special, from both releases.
    assert _values(dataset, "Gloucestershire", "ehcp_state_special")[year] == expected


def test_flows_are_calendar_years_and_sen_support_is_a_january_percentage(dataset):
    rows = dataset.measures[(dataset.measures["la_code"] == "E10000013")]
    flows = rows[rows["measure"].isin(["new_plans", "requests"])]
    assert set(flows["year_basis"]) == {"calendar"}
    assert _values(dataset, "Gloucestershire", "new_plans")[2024] == 967
    assert _values(dataset, "Gloucestershire", "requests")[2016] == 505  # 2010-2022 release MI table
    assert _values(dataset, "Gloucestershire", "issued_within_20wk_pct")[2021] == pytest.approx(22.4)
    assert _values(dataset, "Gloucestershire", "sen_support_pct")[2025] == pytest.approx(15.3)


def test_placement_groups_add_up_to_the_total_for_every_la_and_year(dataset):
    wide = (dataset.measures[dataset.measures["measure"].isin(("ehcp_total",) + PLACEMENT_GROUPS)
                             & (dataset.measures["breakdown"] == "")]
            .pivot_table(index=["la_code", "year"], columns="measure", values="value").dropna())
    assert len(wide) > 2000
    assert (wide[list(PLACEMENT_GROUPS)].sum(axis=1) == wide["ehcp_total"]).all()
    assert (wide[list(PLACEMENT_GROUPS)] >= 0).all().all()


def test_age_bands_are_read_as_published_including_their_own_gaps(dataset):
    # The 2010-2022 release's age table matches the caseload total exactly in 11 of 13
    # years for Gloucestershire; in 2016 it is 16 short and in 2018 80 over, as published.
    rows = dataset.measures[(dataset.measures["la_code"] == "E10000013")
                            & (dataset.measures["measure"] == "ehcp_total")]
    bands = rows[rows["breakdown"].str.startswith("age_band=")].groupby("year")["value"].sum()
    total = rows[rows["breakdown"] == ""].set_index("year")["value"]
    assert list(bands.index) == list(range(2010, 2023))
    gap = (bands - total.loc[bands.index])
    assert gap[gap != 0].to_dict() == {2016: -16.0, 2018: 80.0}
    singles = rows[rows["breakdown"].str.startswith("age=")].groupby("year")["value"].sum()
    assert (singles == total.loc[singles.index]).all() and list(singles.index) == [2024, 2025]


def test_missing_markers_stay_missing_never_zero(dataset):
    # The 2010-2022 release has no requests before 2016 (published as z): absent, not 0.
    requests = _values(dataset, "Gloucestershire", "requests")
    assert requests.index.min() == 2016
    assert (requests > 0).all()


def test_population_uses_the_newest_ons_vintage_for_each_year(dataset):
    rows = dataset.measures[(dataset.measures["measure"] == "population") & (dataset.measures["la_code"] == "E10000013")
                            & (dataset.measures["breakdown"] == "")].set_index("year")
    assert rows.loc[2018, "value"] == pytest.approx(182692, abs=1)  # mid-2018 estimate
    assert rows.loc[2022, "value"] == pytest.approx(182367, abs=1)  # mid-2022 estimate
    assert "2018-based" in rows.loc[2021, "source"] and "2022-based" in rows.loc[2023, "source"]
    assert "estimate" in rows.loc[2022, "source"] and "projection" in rows.loc[2025, "source"]


def test_gloucestershire_ceased_plans_by_reason_and_age_add_up_to_the_published_totals(dataset):
    # ceased_plans.csv, Gloucestershire 2024: max_age 9, needs_met 15, he 1 + employ 0 + no_engage 344,
    # transfer 87 + moved_outside_eng 4, deceased 3 + not_rec 0 + other 4; total 467.
    rows = dataset.measures[(dataset.measures["la_code"] == "E10000013") & (dataset.measures["measure"] == "plans_ceased")]
    year = rows[rows["year"] == 2024].set_index("breakdown")["value"]
    assert year[""] == 467
    assert year[["reason=aged_out", "reason=needs_met", "reason=left_education", "reason=moved_away",
                 "reason=other"]].tolist() == [9, 15, 345, 91, 7]
    assert year[year.index.str.startswith("age=")].sum() == 467      # by age when the plan ceased
    assert year["age=20-25"] == 185 and year["age=19"] == 89
    assert set(rows.loc[rows["breakdown"].str.startswith("age="), "year"]) == {2023, 2024}   # not published for 2022
    assert set(rows.loc[rows["breakdown"] == "reason=left_education", "year"]) == {2022, 2023, 2024}


def test_the_2023_person_level_collection_moved_children_between_fe_and_other_not_in_or_out_of_both(dataset):
    """The evidence for the calibration's FE / other recording rule (simulation.calibration):
    across all LAs, the FE share of FE + other moved far more in January 2023 (the first
    person-level collection) than in any other year, while FE + other together grew as usual."""
    rows = dataset.measures[dataset.measures["measure"].isin(["ehcp_fe", "ehcp_other", "ehcp_total"])
                            & (dataset.measures["breakdown"] == "") & (dataset.measures["year"] >= 2019)]
    wide = rows.pivot_table(index=["la_code", "year"], columns="measure", values="value")
    both = wide["ehcp_fe"] + wide["ehcp_other"]
    share_move = (wide["ehcp_fe"] / both).unstack("year").diff(axis=1).abs().median()
    growth_gap = (both.unstack("year").pct_change(axis=1) - wide["ehcp_total"].unstack("year").pct_change(axis=1))
    growth_gap = growth_gap.abs().median()
    assert share_move.idxmax() == 2023                                     # 9.5 points: the largest move of any year
    assert share_move[2023] > 1.5 * share_move.loc[2020:2022].max()        # against 3-5 before the break
    assert growth_gap[2023] <= growth_gap.drop(2023).max()                 # the sum moved as usual
    glos = wide.loc["E10000013"]
    assert both.loc[("E10000013", 2022)] == 1168 and both.loc[("E10000013", 2023)] == 1167
    assert glos.loc[2023, "ehcp_fe"] - glos.loc[2022, "ehcp_fe"] == 170
