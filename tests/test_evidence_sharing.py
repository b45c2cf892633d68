"""Work made once and shared, with the same numbers: the forecast engine's national evidence
cut at a year that drops nothing is the evidence of all the data, and the forecast table the
simulation's baseline follows is the one its validation scores."""

from __future__ import annotations

import pandas as pd
import pytest

from sendcast.forecasting import evidence as evidence_module
from sendcast.forecasting.evidence import last_published_year, national_evidence
from sendcast.forecasting import one_la
from sendcast.forecasting.one_la import central_forecast_table, forecast_la, kept_forecasts

MEASURES = ("ehcp_total",)


@pytest.mark.slow  # the evidence of one measure, made three times (both tests: 16.8 CPU-s with the data build)
def test_evidence_cut_at_the_last_published_year_is_the_evidence_of_all_the_data(dataset, monkeypatch):
    monkeypatch.setattr(evidence_module, "_EVIDENCE", {})
    last = last_published_year(dataset)
    assert last == int(dataset.measures.loc[dataset.measures["measure"] == "ehcp_total", "year"].max())
    # the same numbers, computed each way
    cut = evidence_module._national_evidence(dataset, MEASURES, until=last, horizons=1,
                                             models=evidence_module.BACKTEST_MODELS,
                                             min_history=evidence_module.MIN_HISTORY)
    whole = evidence_module._national_evidence(dataset, MEASURES, until=None, horizons=1,
                                               models=evidence_module.BACKTEST_MODELS,
                                               min_history=evidence_module.MIN_HISTORY)
    pd.testing.assert_frame_equal(cut.backtest.errors, whole.backtest.errors)
    pd.testing.assert_frame_equal(cut.realtime.forecasts, whole.realtime.forecasts)
    pd.testing.assert_frame_equal(cut.summary, whole.summary)
    # so it is computed once, and each caller is told the until it asked for
    first = national_evidence(dataset, MEASURES, until=last, horizons=1)
    again = national_evidence(dataset, MEASURES, until=None, horizons=1)
    assert first.until == last and again.until is None
    assert again.backtest is first.backtest and again.realtime is first.realtime
    # a cut that drops published years is evidence of its own
    earlier = national_evidence(dataset, MEASURES, until=last - 1, horizons=1)
    assert earlier.until == last - 1 and earlier.realtime is not first.realtime


@pytest.mark.slow  # the national evidence of one origin
def test_the_kept_forecast_table_is_the_forecast_of_forecast_la_and_is_kept_only_inside(dataset, monkeypatch):
    made = forecast_la(dataset, "Rutland", until=2022, horizon=3, la_backtest=False, age_bands=False).forecast
    with kept_forecasts():
        kept = central_forecast_table(dataset, "Rutland", until=2022, horizon=3)
        pd.testing.assert_frame_equal(kept, made, check_exact=True)
        kept.loc[:, "mean"] = 0.0  # a copy: the caller cannot change what is kept
        monkeypatch.setattr(one_la, "forecast_la", None)  # made once: not made again
        pd.testing.assert_frame_equal(central_forecast_table(dataset, "E06000017", until=2022, horizon=3), made,
                                      check_exact=True)
    with pytest.raises(TypeError):  # outside, nothing is kept: made anew (here by no function at all)
        central_forecast_table(dataset, "Rutland", until=2022, horizon=3)
