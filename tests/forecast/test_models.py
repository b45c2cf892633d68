"""Each method on hand-made series whose right answer is known, and the fast versions
against statsmodels where both exist."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from forecast.arima import ORDERS, arima, select_arima_order
from forecast.combine import combine
from forecast.damped_trend import damped_trend, damped_trend_statsmodels, fit_damped_trend
from forecast.demographic import demographic_rate, rate_per_thousand
from forecast.errors import ForecastError
from forecast.models import MODEL_NAMES, forecast_panel, forecast_series
from forecast.random_walks import drift, log_drift, naive, recent_growth
from forecast.result import Z80, Forecast
from forecast.theta import theta, theta_statsmodels

YEARS = np.arange(2012, 2026)


def test_naive_repeats_the_last_published_year():
    result = naive(np.array([[10.0, 12, 11, 15, 14]]), 4)
    assert np.array_equal(result.mean, np.full((1, 4), 14.0))


def test_naive_interval_grows_with_the_square_root_of_the_horizon():
    # year-on-year changes +1, -1, +1, -1: sigma = 1
    result = naive(np.array([[10.0, 11, 10, 11, 10]]), 4)
    assert np.allclose(result.upper80 - result.mean, Z80 * np.sqrt([1, 2, 3, 4]))


def test_drift_recovers_a_straight_line_exactly():
    history = 100.0 + 7 * np.arange(10)
    result = drift(history[None, :], 5)
    assert np.allclose(result.mean, 100 + 7 * np.arange(10, 15))
    assert np.allclose(result.upper95, result.mean)  # a perfect line leaves no error to project


def test_constant_growth_recovered_by_log_drift():
    history = 800 * 1.08 ** np.arange(12)
    result = log_drift(history[None, :], 5)
    assert np.allclose(result.mean, 800 * 1.08 ** np.arange(12, 17))


def test_log_drift_uses_the_geometric_mean_growth_rate():
    history = np.array([[100.0, 150, 120, 200]])
    result = log_drift(history, 1)
    assert result.mean[0, 0] == pytest.approx(200 * (200 / 100) ** (1 / 3))


def test_recent_growth_follows_the_last_three_years_not_the_whole_history():
    # 5% a year for eight years, then 12% a year for three: the recent rate is 12%
    history = np.concatenate([1000 * 1.05 ** np.arange(9), 1000 * 1.05 ** 8 * 1.12 ** np.arange(1, 4)])
    result = recent_growth(history[None, :], 3)
    assert np.allclose(result.mean[0], history[-1] * 1.12 ** np.arange(1, 4))
    whole = log_drift(history[None, :], 3)
    assert (whole.mean < result.mean).all()


def test_recent_growth_on_exact_constant_growth_has_no_interval_width():
    history = 800 * 1.08 ** np.arange(12)
    result = recent_growth(history[None, :], 4, n_paths=20, rng=np.random.default_rng(0))
    assert np.allclose(result.mean, 800 * 1.08 ** np.arange(12, 16))
    assert np.allclose(result.upper95, result.mean) and np.allclose(result.paths, result.mean[:, None, :])


def test_recent_growth_interval_widens_with_horizon_and_window_uncertainty():
    history = np.array([[100.0, 110, 118, 131, 140, 155, 166, 181]])
    result = recent_growth(history, 4, window=3)
    logs = np.log(history[0])
    changes = np.diff(logs)
    sigma = changes.std(ddof=1)
    steps = np.arange(1, 5)
    expected_sd = sigma * np.sqrt(steps * (1 + steps / 3))
    assert np.allclose(np.log(result.upper80[0]) - np.log(result.mean[0]), Z80 * expected_sd)
    assert result.mean[0, 0] == pytest.approx(181 * (181 / 140) ** (1 / 3))


def test_theta_on_exact_constant_growth_forecasts_half_the_growth_rate():
    # SES picks alpha = 1 on a straight line (in logs) and the theta line adds half its slope
    history = 500 * 1.10 ** np.arange(12)
    result = theta(history[None, :], 4)
    expected = history[-1] * np.exp(0.5 * np.log(1.10) * np.arange(1, 5))
    assert np.allclose(result.mean[0], expected, rtol=1e-6)


def test_damped_trend_growth_fades_on_constant_growth():
    history = 500 * 1.10 ** np.arange(12)
    result = damped_trend(history[None, :], 10)
    growth = np.diff(np.log(np.concatenate([[history[-1]], result.mean[0]])))
    assert (growth > 0).all()
    assert (np.diff(growth) < 0).all()  # each year's growth is smaller than the last
    assert growth[0] == pytest.approx(np.log(1.10), rel=0.05)


def _noisy_growth(n_series: int, n_years: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    growth = rng.uniform(0.0, 0.12, (n_series, 1))
    return 200 * np.exp(np.cumsum(growth + rng.normal(0, 0.04, (n_series, n_years)), axis=1))


@pytest.mark.slow  # 4 CPU-s measured (fast tier: under 3)
def test_vectorised_damped_trend_fits_as_well_as_statsmodels():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    history = _noisy_growth(12, 12, seed=3)
    fast = damped_trend(history, 5)
    reference = damped_trend_statsmodels(history, 5)
    _, _, sse = fit_damped_trend(np.log(history))
    agreeing = 0
    for row in range(history.shape[0]):
        series = pd.Series(np.log(history[row]), index=pd.period_range("2000", periods=12, freq="Y"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            statsmodels_sse = ETSModel(series, error="add", trend="add", damped_trend=True).fit(disp=False).sse
        # the grid is never more than 3% worse than statsmodels' optimiser (often better:
        # statsmodels stops at a local optimum on some short series)
        assert sse[row] <= statsmodels_sse * 1.03
        if abs(sse[row] / statsmodels_sse - 1) < 0.01:
            assert np.allclose(fast.mean[row], reference.mean[row], rtol=0.03)
            agreeing += 1
    assert agreeing >= 6


@pytest.mark.slow  # 20 CPU-s measured (fast tier: under 3)
def test_vectorised_theta_agrees_with_statsmodels():
    history = _noisy_growth(15, 10, seed=4)
    fast = theta(history, 5)
    reference = theta_statsmodels(history, 5)
    relative = np.abs(fast.mean / reference.mean - 1)
    assert np.median(relative) < 1e-4
    assert (relative.max(axis=1) < 1e-3).sum() >= 13


def test_demographic_rate_constant_rate_times_population():
    population = 100_000 * 1.01 ** np.arange(15)
    history = 0.03 * population[:10]
    result = demographic_rate(history[None, :], 5, population=population[None, :])
    assert np.allclose(result.mean[0], 0.03 * population[10:])


def test_demographic_rate_trend_in_the_rate_is_continued():
    population = np.full(14, 50_000.0)
    rates = 0.02 * 1.05 ** np.arange(14)
    result = demographic_rate((rates[:10] * population[:10])[None, :], 4, population=population[None, :])
    assert np.allclose(result.mean[0], rates[10:] * 50_000, rtol=1e-9)
    assert rate_per_thousand(np.array([30.0]), np.array([1000.0]))[0] == pytest.approx(30.0)


def test_demographic_rate_logit_close_to_log_for_small_rates():
    population = 100_000 * 1.01 ** np.arange(15)
    rng = np.random.default_rng(0)
    history = 0.03 * 1.04 ** np.arange(10) * population[:10] * np.exp(rng.normal(0, 0.02, 10))
    log_link = demographic_rate(history[None, :], 5, population=population[None, :])
    logit_link = demographic_rate(history[None, :], 5, population=population[None, :], link="logit")
    assert np.allclose(log_link.mean, logit_link.mean, rtol=0.01)


def test_demographic_rate_paths_match_its_t_intervals():
    population = np.full(17, 80_000.0)
    rng = np.random.default_rng(1)
    history = 2000 * np.exp(0.05 * np.arange(12) + rng.normal(0, 0.03, 12))
    result = demographic_rate(history[None, :], 5, population=population[None, :], n_paths=20_000,
                              rng=np.random.default_rng(2))
    inside = ((result.paths[0] >= result.lower80[0]) & (result.paths[0] <= result.upper80[0])).mean(axis=0)
    assert np.allclose(inside, 0.80, atol=0.015)


def test_demographic_rate_needs_population_for_every_forecast_year():
    with pytest.raises(ForecastError, match="population"):
        demographic_rate(np.ones((1, 8)) * 10, 3, population=np.ones((1, 9)) * 1000)


def test_drift_paths_match_its_intervals():
    rng = np.random.default_rng(5)
    history = 300 + np.cumsum(rng.normal(10, 5, 12))
    result = drift(history[None, :], 5, n_paths=20_000, rng=np.random.default_rng(6))
    inside = ((result.paths[0] >= result.lower95[0]) & (result.paths[0] <= result.upper95[0])).mean(axis=0)
    assert np.allclose(inside, 0.95, atol=0.01)


def test_damped_trend_and_theta_paths_match_their_intervals():
    history = _noisy_growth(1, 12, seed=8)
    for model in (damped_trend, theta):
        result = model(history, 5, n_paths=20_000, rng=np.random.default_rng(9))
        inside = ((result.paths[0] >= result.lower80[0]) & (result.paths[0] <= result.upper80[0])).mean(axis=0)
        assert np.allclose(inside, 0.80, atol=0.015), model.__name__


@pytest.mark.slow  # 10 CPU-s measured (fast tier: under 3)
def test_arima_chooses_a_listed_order_and_gives_sensible_paths():
    history = _noisy_growth(1, 14, seed=10)
    result = arima(history, 5, n_paths=200, rng=np.random.default_rng(0))
    assert result.paths.shape == (1, 200, 5)
    order, _ = select_arima_order(np.log(history[0]))
    assert order in ORDERS
    # forecasts continue upward growth of a growing series
    assert result.mean[0, -1] > history[0, -1]


def test_combination_median_is_the_middle_candidate():
    history = _noisy_growth(3, 12, seed=11)
    parts = [log_drift(history, 5), damped_trend(history, 5), theta(history, 5)]
    combined = combine(parts)
    stacked = np.stack([p.mean for p in parts])
    assert np.allclose(combined.mean, np.median(stacked, axis=0))


def test_weighted_combination_with_all_weight_on_one_candidate_is_that_candidate():
    history = _noisy_growth(2, 12, seed=12)
    first, second = log_drift(history, 4, n_paths=50, rng=np.random.default_rng(1)), theta(
        history, 4, n_paths=50, rng=np.random.default_rng(2))
    combined = combine([first, second], method="weighted", weights=[1.0, 0.0])
    assert np.allclose(combined.upper95, first.upper95)
    assert np.allclose(combined.paths, first.paths)


def test_combination_rejects_weights_that_do_not_sum_to_one():
    history = _noisy_growth(1, 8, seed=1)
    with pytest.raises(ForecastError, match="sum to 1"):
        combine([naive(history, 2), drift(history, 2)], method="weighted", weights=[0.5, 0.6])


def test_series_with_a_zero_is_modelled_with_log_offset_one():
    history = np.array([[0.0, 0, 3, 5, 8, 10, 14]])
    result = log_drift(history, 3)
    assert result.log_offset[0] == 1.0
    assert np.allclose(result.mean[0], (15) * (15 / 1) ** (np.arange(1, 4) / 6) - 1)


@pytest.mark.parametrize("bad, message", [(np.array([[1.0, -2, 3, 4]]), "negative"),
                                          (np.array([[1.0, np.nan, 3, 4]]), "missing")])
def test_bad_history_is_an_error_not_a_forecast(bad, message):
    with pytest.raises(ForecastError, match=message):
        drift(bad, 2)


def test_forecast_series_years_follow_the_history():
    history = pd.Series(100 * 1.05 ** np.arange(10), index=range(2016, 2026))
    result = forecast_series(history, "log_drift", 3, n_paths=100, seed=1)
    assert result.years.tolist() == [2026, 2027, 2028]
    frame = result.to_frame()
    assert list(frame.columns[:5]) == ["mean", "lo80", "hi80", "lo95", "hi95"]
    assert not result.widened


def test_forecast_series_rejects_a_gap():
    history = pd.Series([1.0, 2, 3, 4, 5, 6], index=[2015, 2016, 2017, 2019, 2020, 2021])
    with pytest.raises(ForecastError, match="consecutive"):
        forecast_series(history, "drift", 2)


def test_unknown_model_names_the_known_ones():
    with pytest.raises(ForecastError, match="known: naive"):
        forecast_panel("prophet", np.ones((1, 8)), 2)


@pytest.mark.slow  # 3 to 6 CPU-s measured (fast tier: under 3)
def test_every_named_model_runs_on_one_series():
    history = pd.Series(_noisy_growth(1, 12, seed=13)[0], index=range(2014, 2026))
    population = pd.Series(np.full(17, 90_000.0), index=range(2014, 2031))
    for model in MODEL_NAMES:
        result = forecast_series(history, model, 5, population=population, n_paths=50, seed=1)
        assert isinstance(result, Forecast)
        assert (result.mean > 0).all(), model


def test_forecast_refuses_intervals_that_are_not_nested():
    with pytest.raises(ForecastError, match="nested"):
        Forecast(model="x", scale="level", years=np.array([2026]), mean=np.array([10.0]),
                 lower80=np.array([11.0]), upper80=np.array([12.0]), lower95=np.array([9.0]),
                 upper95=np.array([13.0]))
