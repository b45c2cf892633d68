"""An LA beside its statistical neighbours: the index, the median and range, and the
neighbours left out, checked on hand-sized examples (the neighbours' forecasts are stood in
for by hand-made tables, so every number can be worked out on paper)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sendcast.forecasting import neighbours as neighbour_forecasts
from sendcast.forecasting.one_la import FORECAST_COLUMNS, LaForecast
from sendcast.forecasting.neighbours import compare_with_neighbours, index_on, neighbour_bands

GLOS, WARWICKSHIRE, WEST_SUSSEX, HAMPSHIRE, CUMBRIA = "E10000013", "E10000031", "E10000032", "E10000014", "E10000006"


def _hand_forecast(code: str, name: str, history: dict[int, float], forecast: dict[int, float],
                   warnings: tuple[str, ...] = ()) -> LaForecast:
    """A forecast of EHC plans only, with the given published and central values."""
    hist = pd.DataFrame({"la_code": code, "la_name": name, "measure": "ehcp_total", "year": list(history),
                         "value": list(history.values())})
    ahead = pd.DataFrame({"la_code": code, "la_name": name, "measure": "ehcp_total", "year": list(forecast),
                          "model": "hand", "mean": list(forecast.values())})
    for column in ("lo80", "hi80", "lo95", "hi95"):
        ahead[column] = ahead["mean"]
    return LaForecast(la_code=code, la_name=name, horizon=len(forecast), until=None,
                      last_year=max(history) if history else None,
                      forecast=ahead.reindex(columns=list(FORECAST_COLUMNS)), bands=pd.DataFrame(), history=hist,
                      backtest=pd.DataFrame(), backtest_summary=pd.DataFrame(), sufficiency=pd.DataFrame(),
                      costs=pd.DataFrame(), warnings=warnings)


def test_index_is_100_in_the_base_year_and_refuses_zero_or_missing():
    values = pd.Series({2023: 50.0, 2024: 80.0, 2025: 100.0, 2026: 130.0})
    assert index_on(values, 2024).tolist() == [62.5, 100.0, 125.0, 162.5]
    assert index_on(pd.Series({2024: 0.0, 2025: 3.0}), 2024) is None
    assert index_on(values, 2019) is None


def test_median_and_range_equal_a_hand_computation():
    la = pd.Series({2024: 90.0, 2025: 100.0, 2026: 110.0})
    near = pd.DataFrame({"a": {2024: 80.0, 2025: 100.0, 2026: 120.0},
                         "b": {2024: 60.0, 2025: 100.0, 2026: 140.0},
                         "c": {2024: np.nan, 2025: 100.0, 2026: 160.0}})
    bands = neighbour_bands(la, near)
    assert bands["value"].tolist() == [90.0, 100.0, 110.0]
    assert bands["neighbours_median"].tolist() == [70.0, 100.0, 140.0]  # 2024: mean of the middle two
    assert bands["neighbours_min"].tolist() == [60.0, 100.0, 120.0]
    assert bands["neighbours_max"].tolist() == [80.0, 100.0, 160.0]
    assert bands["n_neighbours"].tolist() == [2, 3, 3]


def test_a_year_no_neighbour_covers_has_no_median_and_a_count_of_zero():
    bands = neighbour_bands(pd.Series({2020: 1.0, 2021: 2.0}), pd.DataFrame({"a": {2021: 5.0}}))
    assert np.isnan(bands.loc[2020, "neighbours_median"]) and bands.loc[2020, "n_neighbours"] == 0


@pytest.fixture()
def hand_made(dataset, monkeypatch):
    """Gloucestershire with four neighbours: two forecast, one whose series broke (Cumbria,
    abolished 2023) and one whose forecast was refused; the neighbours' forecasts by hand."""
    listed = pd.DataFrame({"la_code": GLOS, "rank": [1, 2, 3, 4],
                           "neighbour_code": [WARWICKSHIRE, WEST_SUSSEX, CUMBRIA, HAMPSHIRE],
                           "neighbour_name": ["Warwickshire", "West Sussex", "Cumbria", "Hampshire"],
                           "closeness": "Very close"})
    small = replace(dataset, neighbours=listed)
    theirs = {
        WARWICKSHIRE: _hand_forecast(WARWICKSHIRE, "Warwickshire", {2024: 400.0, 2025: 500.0}, {2026: 600.0}),
        WEST_SUSSEX: _hand_forecast(WEST_SUSSEX, "West Sussex", {2024: 30.0, 2025: 50.0}, {2026: 70.0}),
        HAMPSHIRE: _hand_forecast(HAMPSHIRE, "Hampshire", {2024: 10.0, 2025: 11.0}, {},
                                  warnings=("Hampshire: not forecast: a reason given by the forecast",)),
    }
    called = []

    def fake_forecast_la(dataset, code, **options):
        called.append(code)
        return theirs[code]

    monkeypatch.setattr(neighbour_forecasts, "forecast_la", fake_forecast_la)
    own = _hand_forecast(GLOS, "Gloucestershire", {2024: 900.0, 2025: 1000.0}, {2026: 1100.0})
    return compare_with_neighbours(small, own, evidence=None, measures=("ehcp_total",)), called


def test_comparison_indexes_each_area_on_its_own_base_year(hand_made):
    comparison, called = hand_made
    assert CUMBRIA not in called  # a broken series is never forecast
    table = comparison.table.set_index("year")
    assert comparison.base_year == 2025
    assert table["kind"].tolist() == ["history", "history", "forecast"]
    assert table["value"].tolist() == [90.0, 100.0, 110.0]
    assert table["plans"].tolist() == [900.0, 1000.0, 1100.0]
    # Warwickshire 80, 100, 120; West Sussex 60, 100, 140 (each on its own January 2025)
    assert table["neighbours_median"].tolist() == [70.0, 100.0, 130.0]
    assert table["neighbours_min"].tolist() == [60.0, 100.0, 120.0]
    assert table["neighbours_max"].tolist() == [80.0, 100.0, 140.0]
    assert table["n_neighbours"].tolist() == [2, 2, 2]
    assert list(comparison.table.columns) == list(neighbour_forecasts.TABLE_COLUMNS)


def test_neighbours_left_out_are_listed_with_their_reason(hand_made):
    comparison, _ = hand_made
    listed = comparison.neighbours.set_index("la_code")
    assert listed["used"].tolist() == [True, True, False, False]
    assert listed.loc[CUMBRIA, "reason"].startswith("boundary change: ")
    assert listed.loc[HAMPSHIRE, "reason"] == "Hampshire: not forecast: a reason given by the forecast"
    assert listed.loc[WARWICKSHIRE, "ehcp_index_at_horizon"] == 120.0
    assert any("Cumbria (boundary change" in note for note in comparison.notes)


def test_england_and_an_la_missing_from_the_list_get_a_note_not_a_crash(dataset):
    england = _hand_forecast("E92000001", "England", {2024: 9.0, 2025: 10.0}, {2026: 11.0})
    comparison = compare_with_neighbours(dataset, england, evidence=None)
    assert comparison.empty and comparison.neighbours.empty
    assert comparison.notes == ("statistical neighbours: not compared: England is the whole country and has no "
                                "statistical neighbours",)
    without = replace(dataset, neighbours=dataset.neighbours[dataset.neighbours["la_code"] != GLOS])
    glos = _hand_forecast(GLOS, "Gloucestershire", {2024: 9.0, 2025: 10.0}, {2026: 11.0})
    comparison = compare_with_neighbours(without, glos, evidence=None)
    assert comparison.empty
    assert "Gloucestershire has no statistical neighbours in the data" in comparison.notes[0]


def test_an_la_not_forecast_is_not_compared(dataset):
    refused = _hand_forecast("E10000006", "Cumbria", {2022: 9.0}, {})
    comparison = compare_with_neighbours(dataset, refused, evidence=None)
    assert comparison.empty and not comparison.neighbours["used"].any()
    assert "Cumbria's EHC plans were not forecast" in comparison.notes[0]
