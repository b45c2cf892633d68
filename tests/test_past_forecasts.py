"""The track-record line: one LA's earlier real-time forecasts against what was published, read
out of the real-time run (never refitted), worded in one line and drawn on the fan chart."""

from __future__ import annotations

import math
import types

import numpy as np
import pandas as pd

from forecast.realtime import CHOSEN
from sendcast.forecasting.past_forecasts import PAST_COLUMNS, past_forecasts
from sendcast.reporting.charts import PAST_COLOUR, fan_chart
from sendcast.reporting.track_record import past_forecast_line


def _row(origin, horizon=1, *, code="E1", measure="ehcp_total", method=CHOSEN, forecast=100.0, lo80=90.0,
         hi80=110.0, actual=105.0):
    return {"measure": measure, "la_code": code, "origin": origin, "horizon": horizon, "year": origin + horizon,
            "method": method, "forecast": forecast, "lo80": lo80, "hi80": hi80, "lo95": np.nan, "hi95": np.nan,
            "actual": actual, "scale": 1.0, "pooled": True, "short_history": False}


def _evidence(rows):
    return types.SimpleNamespace(realtime=types.SimpleNamespace(forecasts=pd.DataFrame(rows)))


def test_past_forecasts_are_the_chosen_methods_for_the_la_measure_and_horizon_with_a_published_outcome():
    rows = [
        _row(2019, forecast=101.0),
        _row(2017, forecast=99.0),  # out of order: sorted by year
        _row(2015),  # before the first origin of the track record
        _row(2018, method="naive"),  # a baseline, not what sendcast said
        _row(2018, horizon=2),  # another horizon
        _row(2018, code="E2"),  # another LA
        _row(2018, measure="requests"),  # another measure
        _row(2024, actual=np.nan),  # not yet published: that is the live forecast, not its record
    ]
    past = past_forecasts(_evidence(rows), "E1", "ehcp_total", first_origin=2016)
    assert tuple(past.columns) == PAST_COLUMNS
    assert past["year"].tolist() == [2018, 2020] and past["forecast"].tolist() == [99.0, 101.0]
    assert past_forecasts(_evidence(rows), "E1", "ehcp_total", horizon=2, first_origin=2016)["origin"].tolist() == [2018]
    empty = past_forecasts(_evidence(rows), "E9", "ehcp_total")
    assert empty.empty and tuple(empty.columns) == PAST_COLUMNS


def test_the_record_line_counts_outcomes_inside_the_80_percent_interval_and_the_median_error():
    past = pd.DataFrame([
        # year, forecast, lo80, hi80, actual: inside, on the bound (inside), outside, no interval
        {"horizon": 1, "year": 2018, "forecast": 100.0, "lo80": 90.0, "hi80": 110.0, "actual": 105.0},
        {"horizon": 1, "year": 2019, "forecast": 100.0, "lo80": 90.0, "hi80": 110.0, "actual": 110.0},
        {"horizon": 1, "year": 2020, "forecast": 100.0, "lo80": 90.0, "hi80": 110.0, "actual": 125.0},
        {"horizon": 1, "year": 2021, "forecast": 100.0, "lo80": np.nan, "hi80": np.nan, "actual": 80.0},
    ])
    line = past_forecast_line(past, "Gloucestershire")
    # errors: 5/105, 10/110, 25/125, 20/80 -> 4.8%, 9.1%, 20%, 25%: median 14.5%
    median = 100 * float(np.median([5 / 105, 10 / 110, 25 / 125, 20 / 80]))
    assert line == ("Forecasts for Gloucestershire made a year earlier, 2018-2021 (4 years): 2 of 3 published values "
                    f"fell inside their 80% interval; median error {median:.1f}% of the published value.")
    assert "no earlier forecast" in past_forecast_line(past.iloc[:0], "Rutland").lower()


def test_the_fan_chart_draws_the_track_record_line_at_the_earlier_forecasts():
    history = pd.Series([100.0, 110.0, 120.0], index=[2019, 2020, 2021])
    bands = pd.DataFrame({"mean": [130.0, 140.0], "lo80": [120.0, 125.0], "hi80": [140.0, 155.0],
                          "lo95": [115.0, 118.0], "hi95": [145.0, 165.0]}, index=[2022, 2023])
    past = pd.DataFrame({"horizon": [1, 1], "year": [2020, 2021], "forecast": [108.0, 123.0],
                         "lo80": [100.0, np.nan], "hi80": [115.0, np.nan]})
    figure = fan_chart(history, bands, title="t", units="children", source="s", past=past)
    axes = figure.axes[0]
    (record,) = [c for c in axes.containers if c.get_label().startswith("forecast made a year earlier")]
    line, _, (whiskers,) = record.lines
    assert line.get_color() == PAST_COLOUR and line.get_linestyle() == "--"
    assert line.get_xdata().tolist() == [2020, 2021] and line.get_ydata().tolist() == [108.0, 123.0]
    spans = [(seg[0][1], seg[1][1]) for seg in whiskers.get_segments()]
    assert spans[0] == (100.0, 115.0) and math.isclose(spans[1][0], spans[1][1])  # no interval: no whisker
    without = fan_chart(history, bands, title="t", units="children", source="s")
    assert not without.axes[0].containers

