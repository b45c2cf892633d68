"""The method-selection rule on hand-made backtest scores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.backtest import BacktestResult, metrics_from_errors, rolling_origin_backtest
from forecast.selection import select_models

from .conftest import synthetic_panel


def _result(mase: dict[str, float], n_series: int = 12) -> BacktestResult:
    rows = []
    for model, value in mase.items():
        for series in range(n_series):
            for horizon in (1, 2):
                rows.append({"la_code": f"E{series}", "model": model, "origin": 2020, "horizon": horizon,
                             "year": 2020 + horizon, "actual": 100.0, "forecast": 100.0, "pct_error": 1.0,
                             "scaled_error": value, "covered80": True, "covered95": True})
    errors = pd.DataFrame(rows)
    return BacktestResult(errors=errors, metrics=metrics_from_errors(errors, ("la_code",)),
                          id_columns=("la_code",), min_history=6, horizons=2)


def test_lowest_score_wins():
    choice = select_models(_result({"drift": 1.0, "damped_trend": 0.8, "theta": 0.9})).iloc[0]
    assert choice["model"] == "damped_trend"
    assert choice["runner_up"] == "theta"


def test_a_simpler_method_within_two_percent_is_preferred():
    choice = select_models(_result({"drift": 1.01, "damped_trend": 1.0})).iloc[0]
    assert choice["model"] == "drift"
    assert choice["best_score_model"] == "damped_trend"
    assert "simplest" in choice["reason"]


def test_too_few_series_is_not_evidence():
    choice = select_models(_result({"drift": 1.0, "theta": 0.5}, n_series=3), min_series=10).iloc[0]
    assert choice["model"] is None or pd.isna(choice["model"])


def test_per_measure_on_synthetic_multiplicative_growth():
    panel = synthetic_panel(n_series=30, n_years=14, measures=("ehcp_total", "ehcp_fe"), seed=7,
                            growth=0.10, noise=0.02)
    result = rolling_origin_backtest(panel, models=["naive", "drift", "log_drift"])
    chosen = select_models(result).set_index("measure")["model"]
    assert chosen.to_dict() == {"ehcp_fe": "log_drift", "ehcp_total": "log_drift"}
    per_series = select_models(result, by="series")
    assert len(per_series) == 60 and set(per_series["model"]) <= {"naive", "drift", "log_drift"}
    assert np.isfinite(per_series["score"]).all()


def test_a_measure_with_fewer_years_is_judged_on_the_horizons_it_has():
    long = synthetic_panel(n_series=15, n_years=14, measures=("ehcp_total",), seed=8)
    short = synthetic_panel(n_series=15, n_years=9, measures=("requests",), seed=9, first_year=2017)
    values = pd.concat([long, short]).reindex(columns=range(2012, 2026))
    result = rolling_origin_backtest(values, models=["drift", "log_drift"])
    chosen = select_models(result).set_index("measure")
    assert chosen["model"].notna().all()  # requests has only horizons 1-3, and still gets a choice
