"""The SCAP specialist-place forecast on a hand-made run and capacity file."""

from __future__ import annotations

import pandas as pd
import pytest

from sendcast.reporting.scap import ScapError, scap_forecast


def run(years=range(2026, 2034)):
    rows = []
    for year in years:
        for phase, base in (("primary", 100), ("secondary", 200)):
            for measure, share in (("ehcp_state_special", 0.6), ("ehcp_resourced_unit", 0.1),
                                   ("ehcp_independent_special", 0.3)):
                rows.append({"scenario": "Base", "measure": measure, "breakdown": f"phase={phase}", "year": year,
                             "mean": share * (base + year - 2026)})
    return pd.DataFrame(rows)


CAPACITY = pd.DataFrame({
    "phase": ["all-through", "primary", "secondary"], "places": [100, 50, 80],
    "from_year": pd.array([pd.NA, pd.NA, 2028], dtype="Int64"), "to_year": pd.array([pd.NA, 2029, pd.NA], dtype="Int64"),
})


def test_five_primary_and_seven_secondary_years():
    table = scap_forecast(run(), "Base", CAPACITY, first_year=2027)
    assert table.groupby("phase")["year"].apply(list).to_dict() == {
        "primary": [2027, 2028, 2029, 2030, 2031], "secondary": list(range(2027, 2034))}
    assert table["academic_year"].iloc[0] == "2026/27"


def test_columns_by_hand():
    table = scap_forecast(run(), "Base", CAPACITY, first_year=2027).set_index(["phase", "year"])
    primary_2027 = table.loc[("primary", 2027)]
    assert primary_2027["specialist_total"] == pytest.approx(101)
    assert primary_2027["capacity"] == 50 + 100 / 2
    assert primary_2027["gap"] == pytest.approx(1)
    assert table.loc[("primary", 2030), "capacity"] == 50   # the primary unit closed after January 2029
    assert table.loc[("secondary", 2027), "capacity"] == 50 and table.loc[("secondary", 2027), "planned_places"] == 0
    assert table.loc[("secondary", 2028), "capacity"] == 130 and table.loc[("secondary", 2028), "planned_places"] == 80


def test_a_run_too_short_for_seven_secondary_years_is_refused():
    with pytest.raises(ScapError, match="7 years of secondary"):
        scap_forecast(run(range(2026, 2033)), "Base", CAPACITY, first_year=2027)
