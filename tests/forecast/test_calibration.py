"""Calibration: the widening rule on a hand-made backtest, and that widened intervals
cover as promised on series they were not estimated from (synthetic data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.backtest import rolling_origin_backtest
from forecast.calibration import calibrate, calibrate_forecast, holdout_coverage, widen
from forecast.models import forecast_series

from .conftest import synthetic_panel


def _hand_errors(deviations: np.ndarray, model: str = "drift") -> pd.DataFrame:
    """Level-scale forecasts of 100 with 80% interval +/-10 and 95% +/-20."""
    n = len(deviations)
    actual = 100.0 + deviations
    return pd.DataFrame({
        "la_code": [f"E{i}" for i in range(n)], "model": model, "origin": 2020, "horizon": 1, "year": 2021,
        "actual": actual, "forecast": 100.0, "lo80": 90.0, "hi80": 110.0, "lo95": 80.0, "hi95": 120.0,
        "scale": "level", "log_offset": 0.0, "covered80": np.abs(deviations) <= 10,
        "covered95": np.abs(deviations) <= 20,
    })


def test_factor_is_the_smallest_that_restores_both_levels():
    # misses of 5, 10, ..., 50, alternately above and below
    deviations = np.arange(5.0, 55.0, 5.0) * np.where(np.arange(10) % 2 == 0, 1, -1)
    table = calibrate(_hand_errors(deviations), min_forecasts=5).table
    row = table.iloc[0]
    # needed for 80%: 0.5, 1.0, ..., 5.0 -> 80th percentile (next observation up) 4.5
    # needed for 95%: 0.25, ..., 2.5   -> 95th percentile 2.5; the larger wins
    assert row["factor"] == pytest.approx(4.5)
    assert row["coverage80"] == pytest.approx(0.2)
    assert bool(row["widened"]) and row["basis"] == "group"


def test_intervals_that_already_cover_are_not_narrowed():
    table = calibrate(_hand_errors(np.array([1.0, -2, 3, -1, 0, 2, -3, 1])), min_forecasts=5).table
    assert table["factor"].iloc[0] == 1.0
    assert not table["widened"].iloc[0]


def test_too_little_evidence_means_no_widening_and_says_so():
    table = calibrate(_hand_errors(np.array([40.0, -45, 50])), min_forecasts=30).table
    assert table["factor"].iloc[0] == 1.0
    assert table["basis"].iloc[0] == "insufficient"


def test_thin_group_borrows_the_pooled_factor():
    big = _hand_errors(np.tile([15.0, -15.0], 20)).assign(measure="ehcp_total")
    thin = _hand_errors(np.array([1.0, -1.0])).assign(measure="ehcp_ap")
    table = calibrate(pd.concat([big, thin]), min_forecasts=10).table.set_index("measure")
    assert table.loc["ehcp_ap", "basis"] == "pooled"
    # pooled over all 42 forecasts: 40 need 1.5 (80%) and 0.75 (95%), so the factor is 1.5
    assert table.loc["ehcp_ap", "factor"] == pytest.approx(1.5)
    assert table.loc["ehcp_total", "factor"] == pytest.approx(1.5)


def test_widening_a_log_forecast_stretches_log_distances():
    history = pd.Series(200 * 1.06 ** np.arange(10) * np.exp(np.resize([0.03, -0.03], 10)), index=range(2016, 2026))
    forecast = forecast_series(history, "log_drift", 3, n_paths=0)
    wider = widen(forecast, np.array([2.0, 2.0, 3.0]))
    ratio = np.log(wider.upper95 / wider.mean) / np.log(forecast.upper95 / forecast.mean)
    assert np.allclose(ratio, [2.0, 2.0, 3.0])
    assert wider.widened and wider.interval_scale.tolist() == [2.0, 2.0, 3.0]


def test_calibrated_intervals_cover_on_unseen_series():
    panel = synthetic_panel(n_series=80, n_years=14, seed=3)
    result = rolling_origin_backtest(panel, models=["damped_trend", "log_drift"])
    check = holdout_coverage(result)
    damped = check[check["model"] == "damped_trend"]
    assert (damped["coverage80_raw"] < 0.75).all()  # the textbook intervals under-cover
    assert (np.abs(damped["coverage80_calibrated"] - 0.80) < 0.08).all()
    assert (np.abs(damped["coverage95_calibrated"] - 0.95) < 0.05).all()


def test_calibrate_forecast_extends_the_last_factor_beyond_the_backtest():
    panel = synthetic_panel(n_series=40, n_years=12, seed=4)
    calibration = calibrate(rolling_origin_backtest(panel, models=["damped_trend"]))
    factors, extrapolated = calibration.factors("damped_trend", 7)
    assert extrapolated.tolist() == [False] * 5 + [True] * 2
    assert factors[5] == factors[4] == factors[6]
    history = panel.iloc[0]
    forecast = forecast_series(history, "damped_trend", 7, n_paths=100, seed=1)
    calibrated = calibrate_forecast(forecast, calibration)
    assert np.allclose(calibrated.interval_scale, factors)
    assert np.array_equal(calibrated.mean, forecast.mean)


def test_per_level_factors_restore_each_level_separately():
    # misses of 5, 10, ..., 50 as in the common-factor test: 80% needs 4.5, 95% needs 2.5
    deviations = np.arange(5.0, 55.0, 5.0) * np.where(np.arange(10) % 2 == 0, 1, -1)
    row = calibrate(_hand_errors(deviations), min_forecasts=5).table.iloc[0]
    assert row["factor80"] == pytest.approx(4.5) and row["factor95"] == pytest.approx(2.5)
    assert row["factor"] == pytest.approx(4.5)


def test_widening_by_level_keeps_bounds_nested_and_moves_path_quantiles_with_them():
    history = pd.Series(200 * 1.06 ** np.arange(10) * np.exp(np.resize([0.03, -0.03], 10)), index=range(2016, 2026))
    forecast = forecast_series(history, "log_drift", 3, n_paths=20000, seed=2)
    wider = widen(forecast, np.array([1.2, 1.2, 1.5]), np.array([2.0, 1.0, 1.0]))
    log_up80 = np.log(wider.upper80 / wider.mean) / np.log(forecast.upper80 / forecast.mean)
    assert np.allclose(log_up80, [1.2, 1.2, 1.5])
    # 95% bound: its own factor where that keeps it outside the 80% bound, else the 80% bound
    assert np.log(wider.upper95[0] / wider.mean[0]) == pytest.approx(2.0 * np.log(forecast.upper95[0] / forecast.mean[0]))
    assert (wider.upper95 >= wider.upper80).all() and (wider.lower95 <= wider.lower80).all()
    # the paths' 10% and 90% quantiles follow the widened 80% bounds
    assert np.allclose(np.quantile(wider.paths, 0.9, axis=0), wider.upper80, rtol=0.02)
    assert np.allclose(np.quantile(wider.paths, 0.1, axis=0), wider.lower80, rtol=0.02)
    assert np.array_equal(wider.mean, forecast.mean)


def test_per_level_holdout_is_closer_to_nominal_at_80_than_a_common_factor():
    panel = synthetic_panel(n_series=80, n_years=14, seed=3)
    result = rolling_origin_backtest(panel, models=["damped_trend"])
    common = holdout_coverage(result)
    separate = holdout_coverage(result, separate_levels=True)
    assert (separate["coverage80_calibrated"] <= common["coverage80_calibrated"] + 1e-12).all()
    assert (np.abs(separate["coverage80_calibrated"] - 0.80) < 0.08).all()


def test_level_factors_by_group_pick_the_group_asked_for():
    wide = _hand_errors(np.tile([15.0, -15.0, 5.0, -5.0, 30.0], 8)).assign(measure="ehcp_total")
    narrow = _hand_errors(np.tile([1.0, -1.0], 20)).assign(measure="ehcp_ap")
    calibration = calibrate(pd.concat([wide, narrow]), min_forecasts=10)
    f80, f95, extrapolated = calibration.level_factors("drift", 2, group=("ehcp_total",))
    # needed for 80%: 0.5 (16x), 1.5 (16x), 3.0 (8x) -> 3.0; for 95%: 0.25, 0.75, 1.5 -> 1.5
    assert f80.tolist() == [3.0, 3.0] and f95.tolist() == [1.5, 1.5] and extrapolated.tolist() == [False, True]
    f80, f95, _ = calibration.level_factors("drift", 1, group=("ehcp_ap",))
    assert f80.tolist() == [1.0] and f95.tolist() == [1.0]
