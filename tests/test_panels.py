"""National panels leave out broken or gappy series with a stated reason."""

from __future__ import annotations

from sendcast.forecasting.panels import panel


def test_ehcp_total_panel_excludes_reorganised_las_with_reasons(dataset):
    result = panel(dataset, "ehcp_total")
    excluded = result.excluded.set_index("la_name")["reason"]
    assert "boundary change" in excluded["Cumbria"] and "boundary change" in excluded["Poole"]
    assert "E10000013" in result.values.index and "E92000001" not in result.values.index
    assert result.values.notna().all().all()
    assert len(result.values) + len(result.excluded) == 158
    assert list(result.values.columns) == list(range(2010, 2026))


def test_until_drops_later_years_and_england_can_be_included(dataset):
    result = panel(dataset, "ehcp_total", until=2020, include_england=True)
    assert max(result.values.columns) == 2020
    assert result.values.loc["E92000001", 2020] == 390109


def test_a_series_with_a_withheld_year_is_excluded_for_its_gap(dataset):
    result = panel(dataset, "new_plans")
    excluded = result.excluded.set_index("la_name")["reason"]
    assert excluded["Sheffield"] == "missing years 2022"
