"""The real-time engine on hand-made panels with known answers (synthetic data, not any
LA's): shrinkage toward England, the stock-flow identity, time-respecting choices, scores,
intervals and the one-registration API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import candidates as candidate_module
from forecast.candidates import OriginData, register, shrunk_growth
from forecast.empirical_intervals import bounds, interval_score
from forecast.errors import ForecastError
from forecast.realtime import CHOSEN, RealtimeSettings, realtime_backtest
from forecast.reconcile import Hierarchy, keep_total
from forecast.result import Forecast
from forecast.scores import pooled_table, scored_rows, vintage_table
from forecast.shrinkage import empirical_bayes_weights, fitted_blend_weight, national_growth, noise_variance
from forecast.stock_flow import stock_flow_path


def long_panel(values: np.ndarray, first_year: int = 2010, measure: str = "ehcp_total") -> pd.DataFrame:
    years = np.arange(first_year, first_year + values.shape[1])
    frame = pd.DataFrame(values, index=[f"LA{i:03d}" for i in range(values.shape[0])], columns=years)
    out = frame.stack().rename("value").reset_index()
    out.columns = ["la_code", "year", "value"]
    return out.assign(measure=measure)


def noisy_panel(n: int = 120, years: int = 12, growth: float = 0.05, noise: float = 0.15, seed: int = 1) -> np.ndarray:
    """Every LA's true growth is ``growth``; yearly log noise ``noise`` dominates."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(200, 5000, (n, 1))
    trend = np.exp(growth * np.arange(years))[None, :]
    return np.round(level * trend * np.exp(rng.normal(0, noise, (n, years))))


def test_shrinkage_recovers_the_national_rate_when_la_noise_dominates():
    values = noisy_panel()
    pooled = np.ones(values.shape[0], dtype=bool)
    national = national_growth(values, pooled)
    data = OriginData(measure="ehcp_total", origin=2021, horizon=1, values=values, pooled=pooled, national=national)
    own = np.log1p(values[:, -1]) - np.log1p(values[:, -4])
    own /= 3
    shrunk = np.log1p(shrunk_growth(data)[:, 0]) - np.log1p(values[:, -1])
    # every LA's true rate is 5%: its own 3-year rate is far off, the shrunk one is close to England's
    assert np.median(np.abs(own - 0.05)) > 0.04
    assert np.max(np.abs(shrunk - data.national_rate(2))) < 0.01
    weights, tau2 = empirical_bayes_weights(own - 0.05, noise_variance(values), 3, pooled)
    assert tau2 < 0.002 and np.median(weights) < 0.2


def test_persistent_la_differences_keep_their_own_rate():
    rng = np.random.default_rng(3)
    rates = rng.uniform(0.0, 0.15, (120, 1))
    values = np.round(1000 * np.exp(rates * np.arange(12)[None, :]) * np.exp(rng.normal(0, 0.002, (120, 12))))
    pooled = np.ones(120, dtype=bool)
    assert fitted_blend_weight(values, pooled, 3, 2) > 0.9
    own = np.log1p(values[:, -1]) - np.log1p(values[:, -4])
    weights, _ = empirical_bayes_weights(own / 3, noise_variance(values), 3, pooled)
    assert np.median(weights) > 0.9


def test_fitted_blend_leans_on_england_when_la_noise_dominates():
    values = noisy_panel(seed=4)
    assert fitted_blend_weight(values, np.ones(values.shape[0], dtype=bool), 3, 2) < 0.2


def test_stock_flow_identity_holds_exactly():
    rng = np.random.default_rng(5)
    stock = rng.uniform(500, 3000, (20, 8))
    new, ceased, requests = (rng.uniform(50, 400, (20, 8)) for _ in range(3))
    path = stock_flow_path(stock, new, ceased, requests, 4, requests_growth=0.07)
    before = np.concatenate([stock[:, -1:], path.stock[:, :-1]], axis=1)
    assert np.array_equal(path.stock, before + path.new_plans - path.ceased + path.moves)
    # the first new plans come from the requests of the calendar year before the origin
    assert np.allclose(path.new_plans[:, 0], path.conversion * requests[:, -2])
    assert np.allclose(path.new_plans[:, 1], path.conversion * requests[:, -2] * np.exp(0.07))


def test_stock_flow_continues_a_history_made_by_its_own_rules():
    years = 8
    stock = np.empty((1, years))
    requests = 200 * 1.1 ** np.arange(years)[None, :]
    new, ceased = np.zeros((1, years)), np.zeros((1, years))
    stock[0, 0] = 1000.0
    for y in range(years - 1):
        new[0, y] = 0.6 * requests[0, y - 1] if y else 0.6 * 200 / 1.1
        ceased[0, y] = 0.08 * stock[0, y]
        stock[0, y + 1] = stock[0, y] + new[0, y] - ceased[0, y] + 0.01 * stock[0, y]
    path = stock_flow_path(stock, new, ceased, requests, 1, requests_growth=np.log(1.1))
    expected = stock[0, -1] + 0.6 * requests[0, -2] - 0.08 * stock[0, -1] + 0.01 * stock[0, -1]
    assert path.conversion[0] == pytest.approx(0.6) and path.cease_rate[0] == pytest.approx(0.08)
    assert path.moves_rate[0] == pytest.approx(0.01)
    assert path.stock[0, 0] == pytest.approx(expected)


def test_coverage_width_and_interval_score_are_computed_as_defined():
    rows = pd.DataFrame({
        "measure": "m", "la_code": ["A", "B", "C", "D"], "origin": 2020, "horizon": 1, "year": 2021,
        "method": "sendcast", "forecast": [100.0, 100.0, 100.0, 100.0], "actual": [100.0, 115.0, 95.0, 130.0],
        "lo80": [90.0, 90.0, 90.0, 90.0], "hi80": [110.0, 120.0, 110.0, 110.0],
        "lo95": [80.0, 80.0, 80.0, 80.0], "hi95": [120.0, 130.0, 120.0, 120.0],
        "scale": 10.0, "pooled": True, "short_history": False})
    scored = scored_rows(rows)
    assert scored["covered80"].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert scored["covered95"].tolist() == [1.0, 1.0, 1.0, 0.0]
    # D: width 20 plus 2 / 0.2 x 20 outside = 220, relative to the outcome 130
    assert scored["interval_score80_pct"].iloc[3] == pytest.approx(100 * 220 / 130)
    line = rows.assign(method="five_year_line", forecast=[110.0, 110.0, 110.0, 110.0])
    table = vintage_table(pd.concat([rows, line]), origins=[2020], horizons=1)
    chosen = table[table["method"] == "sendcast"].iloc[0]
    assert chosen["coverage80"] == 0.75 and chosen["median_width80_pct"] == pytest.approx(20.0)
    assert chosen["mase"] == pytest.approx(np.median([0.0, 1.5, 0.5, 3.0]))
    assert chosen["relative_mase"] == pytest.approx(1.0 / np.median([1.0, 0.5, 1.5, 2.0]))
    assert interval_score(np.array([1.0]), np.array([2.0]), np.array([1.5]), 0.2)[0] == 1.0


def test_intervals_are_nested_contain_the_forecast_and_rise_with_the_level():
    quantiles = np.array([[0.05, 0.10, 0.2, 0.3], [-0.4, -0.2, 0.1, 0.2]])
    central = np.array([[100.0, 100.0], [1000.0, 1000.0]])
    made = bounds(central, quantiles)
    assert (made["lo95"] <= made["lo80"]).all() and (made["lo80"] <= central).all()
    assert (central <= made["hi80"]).all() and (made["hi80"] <= made["hi95"]).all()
    for name in made:
        assert (made[name][1] >= made[name][0]).all()


def run(values: np.ndarray, **settings) -> pd.DataFrame:
    return realtime_backtest(long_panel(values), settings=RealtimeSettings(horizons=3, **settings)).forecasts


def test_nothing_after_the_origin_changes_a_forecast_made_at_it():
    values = noisy_panel(n=60, years=14, noise=0.05, seed=7)
    changed = values.copy()
    changed[:, -4:] *= np.random.default_rng(8).uniform(0.5, 2.0, (60, 4))   # 2020 onward rewritten
    before, after = run(values), run(changed)
    keys = ["la_code", "origin", "horizon", "method"]
    early_before = before[before["origin"] <= 2019].set_index(keys).sort_index()
    early_after = after[after["origin"] <= 2019].set_index(keys).sort_index()
    columns = ["forecast", "lo80", "hi80", "lo95", "hi95"]
    pd.testing.assert_frame_equal(early_before[columns], early_after[columns])
    late = before[before["origin"] == 2023].set_index(keys)["forecast"]
    assert not np.allclose(late, after[after["origin"] == 2023].set_index(keys)["forecast"].reindex(late.index))


def test_real_time_choice_beats_no_change_and_covers_about_as_stated_on_growing_panels():
    values = noisy_panel(n=100, years=16, noise=0.06, seed=11)
    forecasts = run(values)
    table = pooled_table(forecasts, origins=range(2018, 2024), horizons=3)
    chosen = table[table["method"] == CHOSEN].set_index("horizon")
    naive = table[table["method"] == "naive"].set_index("horizon")
    assert (chosen["mase"] < naive["mase"]).all() and chosen.loc[3, "relative_mase"] < 1.0
    assert chosen["coverage80"].between(0.6, 0.95).all() and chosen["coverage95"].between(0.8, 1.0).all()


def test_short_histories_are_held_level_when_englands_growth_jumped():
    values = noisy_panel(n=40, years=12, noise=0.05, seed=12)
    values[:5, :9] = np.nan           # five series start in 2019: 3 years at the last origin
    values[:5, 9:] *= np.array([1.0, 3.0, 9.0])   # and explode, so England's 2021 growth is a break (+57%)
    result = realtime_backtest(long_panel(values), settings=RealtimeSettings(horizons=3))
    forecasts = result.forecasts
    last = forecasts[(forecasts["origin"] == 2021) & (forecasts["method"] == CHOSEN)]
    short = last[last["la_code"].isin([f"LA{i:03d}" for i in range(5)])]
    assert short["short_history"].all()
    latest = pd.Series(values[:5, -1], index=[f"LA{i:03d}" for i in range(5)])
    assert np.allclose(short["forecast"], short["la_code"].map(latest))
    assert not last.loc[~last["la_code"].isin(short["la_code"]), "short_history"].any()
    assert result.choices.set_index("origin").loc[2021, "short_history_method"] == "naive"


def test_short_histories_grow_at_englands_steady_growth_and_cannot_explode():
    values = noisy_panel(n=40, years=12, growth=0.08, noise=0.02, seed=21)
    values[:5, :9] = np.nan           # five series start in 2019: 3 years at the last origin
    values[:5, 10:] *= 2.0            # one of their own years doubled: their own growth is not used
    result = realtime_backtest(long_panel(values), settings=RealtimeSettings(horizons=3))
    last = result.forecasts[(result.forecasts["origin"] == 2021) & (result.forecasts["method"] == CHOSEN)]
    short = last[last["la_code"].isin([f"LA{i:03d}" for i in range(5)])].sort_values(["la_code", "horizon"])
    assert short["short_history"].all()
    pooled_national = national_growth(values, np.ones(40, dtype=bool))
    rate = pooled_national[-2:].mean()          # England's growth into 2020 and 2021
    assert 0.05 < rate < 0.2           # not their own jump (log 2 = 0.69)
    expected = np.expm1(np.log1p(np.repeat(values[:5, -1], 3)) + rate * np.tile([1.0, 2.0, 3.0], 5))
    assert np.allclose(short["forecast"].to_numpy(), expected)
    assert result.choices.set_index("origin").loc[2021, "short_history_method"] == "national_growth_2"


def test_thin_evidence_shrinks_the_choice_halfway_to_the_median_of_the_candidates():
    values = noisy_panel(n=50, years=14, noise=0.05, seed=22)   # 2010-2023; transition era to 2016
    result = realtime_backtest(long_panel(values), settings=RealtimeSettings(horizons=3))
    choices = result.choices.set_index("origin")
    # origins scored at h=3 with every outcome after 2016: 2016, 2017, ... -> 3 of them by 2021
    assert choices.loc[2020, "vintages"] == 2 and choices.loc[2021, "vintages"] == 3
    assert (choices.loc[:2020, "rule"] == "shrunk_to_median").all()
    assert set(choices.loc[2021:, "rule"]) <= {"single", "combination"}
    wide = result.forecasts.pivot_table(index=["origin", "la_code", "horizon"], columns="method", values="forecast")
    for origin in (2019, 2022):
        row = choices.loc[origin]
        members = str(row["members"]).split(",") if row["combination"] else [row["single"]]
        at = wide.loc[origin]
        choice = np.log1p(at[members]).mean(axis=1)
        candidates = [m for m in at.columns if m not in (CHOSEN, "naive")]
        median = np.log1p(at[candidates]).median(axis=1)
        expected = 0.5 * choice + 0.5 * median if origin == 2019 else choice
        assert np.allclose(np.log1p(at[CHOSEN]), expected)
    never = realtime_backtest(long_panel(values), settings=RealtimeSettings(horizons=3, min_vintages=0))
    assert (never.choices["rule"] != "shrunk_to_median").all()


def test_requests_can_grow_with_englands_stock_of_plans():
    stock = noisy_panel(n=30, years=9, growth=0.10, noise=0.0, seed=23)        # every LA +10% a year
    requests = np.round(0.2 * stock[:, :1] * np.ones((1, 9)))                     # requests flat
    panel = pd.concat([long_panel(stock, 2016, "ehcp_total"), long_panel(requests, 2016, "requests")])
    result = realtime_backtest(panel, measures=["requests"], settings=RealtimeSettings(horizons=2))
    rows = result.forecasts[(result.forecasts["method"] == "stock_growth") & (result.forecasts["origin"] == 2024)]
    rate = national_growth(stock, np.ones(30, dtype=bool))[-2:].mean()
    assert 0.095 < rate < 0.105
    expected = np.expm1(np.log1p(np.repeat(requests[:, -1], 2)) + rate * np.tile([1.0, 2.0], 30))
    assert np.allclose(rows.sort_values(["la_code", "horizon"])["forecast"].to_numpy(), expected)
    alone = realtime_backtest(long_panel(requests, 2016, "requests"), settings=RealtimeSettings(horizons=2))
    flat = alone.forecasts[(alone.forecasts["method"] == "stock_growth") & (alone.forecasts["origin"] == 2024)]
    assert np.allclose(flat["forecast"], flat["la_code"].map(pd.Series(requests[:, -1], index=flat["la_code"].unique())))


def test_a_measure_whose_series_all_just_reached_min_years_still_gets_intervals():
    values = noisy_panel(n=40, years=9, noise=0.05, seed=24)      # 2016-2024, like requests
    forecasts = realtime_backtest(long_panel(values, 2016, "requests"), settings=RealtimeSettings(horizons=3)).forecasts
    chosen = forecasts[forecasts["method"] == CHOSEN]
    first_long = chosen[~chosen["short_history"]]["origin"].min()
    assert first_long == 2020
    at = chosen[chosen["origin"] >= first_long]
    assert at[["lo80", "hi80", "lo95", "hi95"]].notna().all().all()
    assert (at["lo80"] <= at["forecast"]).all() and (at["forecast"] <= at["hi80"]).all()


def test_a_method_is_added_by_one_registration():
    name = "test_only_half_growth"
    try:
        @register(name, "half England's latest growth (test only)")
        def half(data: OriginData) -> np.ndarray:
            return data.grow(0.5 * data.national_rate(1))

        forecasts = run(noisy_panel(n=30, years=10, noise=0.05, seed=2))
        assert name in set(forecasts["method"])
        with pytest.raises(ForecastError, match="twice"):
            register(name, "again")(half)
    finally:
        candidate_module.CANDIDATES.pop(name, None)


def test_keep_total_never_moves_the_total():
    years = np.array([2026, 2027])
    def made(mean: list[float]) -> Forecast:
        m = np.array(mean)
        return Forecast(model="x", scale="log", years=years, mean=m, lower80=0.9 * m, upper80=1.1 * m,
                        lower95=0.8 * m, upper95=1.2 * m, paths=np.stack([0.95 * m, 1.05 * m]))
    hierarchy = Hierarchy("total", ("a", "b"))
    out = keep_total({"total": made([100.0, 110.0]), "a": made([30.0, 40.0]), "b": made([90.0, 90.0])}, hierarchy)
    assert np.array_equal(out["total"].mean, [100.0, 110.0])
    assert np.allclose(out["a"].mean + out["b"].mean, [100.0, 110.0])
    assert np.allclose(out["a"].upper80 / out["a"].mean, 1.1)


def test_volatility_scaling_widens_an_erratic_las_interval():
    values = noisy_panel(n=60, years=14, noise=0.03, seed=13)
    values[0] *= np.exp(np.random.default_rng(14).normal(0, 0.3, 14))      # one erratic LA
    scaled = run(values, volatility_scaled=True)
    last = scaled[(scaled["origin"] == 2023) & (scaled["method"] == CHOSEN) & (scaled["horizon"] == 1)]
    width = (last["hi80"] - last["lo80"]) / last["forecast"]
    erratic = width[last["la_code"] == "LA000"].iloc[0]
    assert erratic > 2 * width[last["la_code"] != "LA000"].median()
