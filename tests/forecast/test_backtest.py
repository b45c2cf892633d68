"""Rolling-origin backtest: scores computed by hand on tiny cases, and the shape of the
tables on a synthetic national-style panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.backtest import rolling_origin_backtest, score_forecasts, summarise
from forecast.errors import ForecastError

from .conftest import synthetic_panel


def _line() -> pd.DataFrame:
    # 1, 2, ..., 8 for 2010-2017: the naive forecast misses by exactly h
    return pd.DataFrame([np.arange(1.0, 9.0)], index=pd.Index(["E1"], name="la_code"), columns=range(2010, 2018))


def test_origins_need_six_years_of_history_and_a_known_outcome():
    result = rolling_origin_backtest(_line(), models=["naive"])
    assert sorted(result.errors["origin"].unique()) == [2015, 2016]
    assert result.errors.groupby("origin")["horizon"].max().to_dict() == {2015: 2, 2016: 1}


def test_mase_and_mape_by_hand():
    metrics = rolling_origin_backtest(_line(), models=["naive"]).metrics.set_index("horizon")
    # in-sample naive MAE is 1 in every window; errors are 1 (h=1, twice) and 2 (h=2)
    assert metrics.loc[1, "mase"] == pytest.approx(1.0)
    assert metrics.loc[2, "mase"] == pytest.approx(2.0)
    assert metrics.loc[1, "mape"] == pytest.approx(100 * (1 / 7 + 1 / 8) / 2)
    assert metrics.loc[1, "bias_pct"] == pytest.approx(-100 * (1 / 7 + 1 / 8) / 2)  # under-forecast is negative
    assert metrics.loc[2, "n"] == 1


def test_coverage_by_hand():
    # naive sigma = 1: the 80% interval is +/-1.28*sqrt(h), the 95% +/-1.96*sqrt(h)
    # h=1 misses by 1 (inside both); h=2 misses by 2 (outside 80%: 1.81, inside 95%: 2.77)
    metrics = rolling_origin_backtest(_line(), models=["naive"]).metrics.set_index("horizon")
    assert metrics.loc[1, "coverage80"] == 1.0
    assert metrics.loc[2, "coverage80"] == 0.0
    assert metrics.loc[2, "coverage95"] == 1.0


def test_score_forecasts_hand_case():
    scores = score_forecasts(forecast=np.array([110.0, 90.0, 100.0]), actual=np.array([100.0, 100.0, 0.0]),
                             lower80=np.array([95.0, 91.0, 0.0]), upper80=np.array([120.0, 100.0, 5.0]),
                             lower95=np.array([90.0, 80.0, 0.0]), upper95=np.array([130.0, 110.0, 5.0]),
                             mase_scale=np.array([5.0, 20.0, np.nan]))
    assert scores["pct_error"][:2].tolist() == [10.0, -10.0]
    assert np.isnan(scores["pct_error"][2])  # no percentage error on an outcome of 0
    assert scores["scaled_error"][:2].tolist() == [2.0, 0.5]
    assert scores["covered80"].tolist() == [True, True, True]  # bounds count as covered
    assert scores["covered95"].tolist() == [True, True, True]


def test_a_gap_inside_a_series_is_an_error():
    values = _line()
    values.loc["E1", 2013] = np.nan
    with pytest.raises(ForecastError, match="missing year"):
        rolling_origin_backtest(values, models=["naive"])


def test_series_may_start_late():
    values = pd.DataFrame([np.arange(1.0, 11.0), np.arange(1.0, 11.0)], index=pd.Index(["E1", "E2"], name="la_code"),
                          columns=range(2010, 2020))
    values.loc["E2", [2010, 2011]] = np.nan
    errors = rolling_origin_backtest(values, models=["naive"]).errors
    assert errors.loc[errors["la_code"] == "E1", "origin"].min() == 2015
    assert errors.loc[errors["la_code"] == "E2", "origin"].min() == 2017  # 2012-2017 is its first 6 years


def test_national_style_backtest_tables_and_summary():
    panel = synthetic_panel(n_series=30, n_years=14, measures=("ehcp_total", "ehcp_state_special"), growth=0.10,
                            noise=0.02)
    result = rolling_origin_backtest(panel)
    assert set(result.errors["model"]) == {"naive", "drift", "log_drift", "recent_growth", "damped_trend", "theta",
                                             "combination"}
    assert result.id_columns == ("measure", "la_code")
    # 30 series x 2 measures x 8 origins; horizons 1-5 where the outcome is known
    per_model = result.errors[result.errors["model"] == "drift"]
    assert len(per_model) == 60 * sum(min(5, 2025 - o) for o in range(2017, 2025))
    summary = summarise(result)
    drift_rows = summary[summary["model"] == "drift"]
    assert np.allclose(drift_rows["relative_mase"], 1.0)
    assert set(summary["measure"]) == {"ehcp_total", "ehcp_state_special"}
    # on multiplicative growth, constant growth beats the additive drift at 5 years
    five = summary[(summary["horizon"] == 5)].set_index(["measure", "model"])["relative_mase"]
    assert (five.xs("log_drift", level="model") < 1).all()


def test_demographic_rate_in_the_backtest_needs_population():
    panel = synthetic_panel(n_series=5, n_years=10)
    with pytest.raises(ForecastError, match="population"):
        rolling_origin_backtest(panel, models=["demographic_rate"])
    population = pd.DataFrame(100_000.0, index=panel.index, columns=range(2012, 2027))
    result = rolling_origin_backtest(panel, models=["demographic_rate", "drift"], population=population)
    assert "demographic_rate" in set(result.metrics["model"])
