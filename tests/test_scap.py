"""The SCAP specialist-place forecast on a hand-made run and capacity file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendcast.reporting.scap import (
    PROVISIONS,
    RETURN_KEYS,
    ScapError,
    ScapInputs,
    against_the_trend_notes,
    largest_remainder,
    return_layout,
    scap_forecast,
    unrounded_need,
)

INPUTS = ScapInputs(non_maintained_share=0.25, non_maintained_year=2025,
                    ap_phase_shares={"primary": 0.4, "secondary": 0.5}, ap_years=(2024, 2025),
                    planning_areas={"primary": ("999-PRI-LA", "Testshire (LA-wide, primary)"),
                                    "secondary": ("999-SEC-LA", "Testshire (LA-wide, secondary)")})


def run(years=range(2026, 2034)):
    rows = []
    for year in years:
        for phase, base in (("primary", 100), ("secondary", 200)):
            for measure, share in (("ehcp_state_special", 0.6), ("ehcp_resourced_unit", 0.1),
                                   ("ehcp_independent_special", 0.3)):
                rows.append({"scenario": "Base", "measure": measure, "breakdown": f"phase={phase}", "year": year,
                             "mean": share * (base + 10 * (year - 2026))})
        rows.append({"scenario": "Base", "measure": "ehcp_ap", "breakdown": "", "year": year, "mean": 10.0})
    return pd.DataFrame(rows)


CAPACITY = pd.DataFrame({
    "phase": ["all-through", "primary", "secondary"], "places": [101, 50, 80],
    "from_year": pd.array([pd.NA, pd.NA, 2028], dtype="Int64"),
    "to_year": pd.array([pd.NA, 2029, pd.NA], dtype="Int64"),
})


def test_five_primary_and_seven_secondary_years_in_the_return_layout():
    table = scap_forecast(run(), "Base", CAPACITY, INPUTS, first_year=2027)
    assert table.groupby("phase")["year"].apply(list).to_dict() == {
        "primary": [2027, 2028, 2029, 2030, 2031], "secondary": list(range(2027, 2034))}
    assert table["academic_year"].iloc[0] == "2026/27"
    layout = return_layout(table, INPUTS)
    years = [f"{y - 1}/{y % 100:02d}" for y in range(2027, 2034)]
    assert list(layout.columns) == RETURN_KEYS + years
    assert list(layout["provision_type"].unique()) == list(PROVISIONS.values()) + ["Total"]
    primary = layout[layout["phase"] == "primary"]
    assert primary[years[:5]].notna().all().all() and primary[years[5:]].isna().all().all()
    assert layout[layout["phase"] == "secondary"][years].notna().all().all()
    assert set(layout["planning_area_code"]) == {"999-PRI-LA", "999-SEC-LA"}


def test_whole_pupils_whose_types_add_up_to_the_total():
    table = scap_forecast(run(), "Base", CAPACITY, INPUTS, first_year=2027)
    for column in (*PROVISIONS, "specialist_total", "capacity", "gap"):
        assert table[column].dtype.kind == "i", column
    assert (table[list(PROVISIONS)].sum(axis=1) == table["specialist_total"]).all()
    need = unrounded_need(run(), "Base", INPUTS, first_year=2027)
    assert (table["specialist_total"] == np.floor(need[list(PROVISIONS)].sum(axis=1) + 0.5)).all()


def test_columns_by_hand():
    need = unrounded_need(run(), "Base", INPUTS, first_year=2027).set_index(["phase", "year"])
    row = need.loc[("primary", 2027)]   # 110 children: state 66, unit 11, independent and NMSS 33, AP 10 x 0.4
    assert row["state_special"] == pytest.approx(66 + 0.25 * 33)
    assert row["independent"] == pytest.approx(0.75 * 33)
    assert row["resourced_unit"] == pytest.approx(11) and row["alternative_provision"] == pytest.approx(4.0)
    table = scap_forecast(run(), "Base", CAPACITY, INPUTS, first_year=2027).set_index(["phase", "year"])
    assert table.loc[("primary", 2027), "capacity"] == 50 + 51   # 101 shared places: the odd one to primary
    assert table.loc[("secondary", 2027), "capacity"] == 50
    assert table.loc[("primary", 2030), "capacity"] == 51        # the primary unit closed after January 2029
    assert table.loc[("secondary", 2028), "capacity"] == 130 and table.loc[("secondary", 2028), "planned_places"] == 80
    assert table.loc[("primary", 2027), "gap"] == table.loc[("primary", 2027), "specialist_total"] - 101


def test_a_run_too_short_for_seven_secondary_years_is_refused():
    with pytest.raises(ScapError, match="7 years of secondary"):
        scap_forecast(run(range(2026, 2033)), "Base", CAPACITY, INPUTS, first_year=2027)


def test_a_series_moving_against_the_others_is_explained():
    summary = run()
    falling = (summary["measure"] == "ehcp_state_special") & (summary["breakdown"] == "phase=primary")
    summary.loc[falling, "mean"] = 80.0 - 3.0 * (summary.loc[falling, "year"] - 2026)
    totals = pd.DataFrame([{"scenario": "Base", "measure": m, "breakdown": "", "year": y, "mean": v}
                           for y in range(2025, 2034)
                           for m, v in (("ehcp_state_special", 500.0), ("overflow_independent", 20.0))])
    summary = pd.concat([summary, totals], ignore_index=True)
    need = unrounded_need(summary, "Base", INPUTS, first_year=2027)
    notes = against_the_trend_notes(need, summary, "Base", model_places={y: 500 for y in range(2026, 2034)})
    assert len(notes) == 1
    assert notes[0].startswith("primary state-funded special school (incl. non-maintained) falls")
    assert "stay full" in notes[0] and "500 places" in notes[0]
    assert against_the_trend_notes(unrounded_need(run(), "Base", INPUTS, first_year=2027), run(), "Base") == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 5000, allow_nan=False), min_size=1, max_size=8))
def test_largest_remainder_adds_up_to_the_rounded_total(values):
    whole = largest_remainder(values)
    assert whole.sum() == int(np.floor(sum(values) + 0.5))
    assert (whole >= np.floor(np.asarray(values) + 1e-9) - 0).all()
    assert (whole <= np.floor(np.asarray(values) + 1e-9) + 1).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=8))
def test_whole_numbers_are_left_alone(values):
    assert largest_remainder([float(v) for v in values]).tolist() == values


def test_largest_remainder_by_hand():
    assert largest_remainder([1.4, 1.4, 1.2]).tolist() == [2, 1, 1]   # 4.0: one extra unit, to the first of the ties
    assert largest_remainder([0.5, 0.5]).tolist() == [1, 0]
    assert largest_remainder([2.6, 3.7, 0.2]).tolist() == [3, 4, 0]   # 6.5 rounds to 7
    with pytest.raises(ValueError):
        largest_remainder([-1.0, 2.0])
