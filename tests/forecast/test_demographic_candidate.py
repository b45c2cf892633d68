"""The demographic rate model in the real-time backtest, on hand-made panels with known answers
(synthetic data, not any LA's): exact on exact exponential rates and populations, blind to the
population after the origin, never chosen, and scored against the five-year line on the same
forecasts only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.candidates import POPULATION, OriginData, demographic_rate, population_forward
from forecast.realtime import CHOSEN, RealtimeSettings, realtime_backtest
from forecast.scores import pooled_table, vintage_table


def long_panel(values: np.ndarray, first_year: int, measure: str) -> pd.DataFrame:
    years = np.arange(first_year, first_year + values.shape[1])
    frame = pd.DataFrame(values, index=[f"LA{i:03d}" for i in range(values.shape[0])], columns=years)
    out = frame.stack().rename("value").reset_index()
    out.columns = ["la_code", "year", "value"]
    return out.assign(measure=measure)


def exact(n: int = 3, years: int = 8, rate_growth: float = 0.05, population_growth: float = 0.01):
    """Plans per resident growing exactly 5% a year, population exactly 1% a year."""
    t = np.arange(years, dtype=float)
    people = np.array([[50_000.0], [120_000.0], [300_000.0]])[:n] * np.exp(population_growth * t)[None, :]
    rate = np.array([[0.02], [0.03], [0.04]])[:n] * np.exp(rate_growth * t)[None, :]
    return rate * people, people


def test_exact_rates_and_populations_are_forecast_exactly():
    counts, people = exact()
    data = OriginData(
        measure="ehcp_total",
        origin=2024,
        horizon=3,
        values=counts,
        pooled=np.ones(3, dtype=bool),
        national=np.zeros(7),
        flows={POPULATION: people},
    )
    expected = counts[:, -1:] * np.exp(0.06 * np.arange(1, 4))[None, :]
    assert np.allclose(demographic_rate(data), expected, rtol=1e-9)


def test_population_is_carried_forward_at_its_own_recent_growth():
    people = np.array([[100.0, 110.0, 121.0, 133.1]])
    assert np.allclose(population_forward(people, 2)[0, 4:], [146.41, 161.051])
    assert np.allclose(population_forward(np.array([[100.0]]), 2), [[100.0, 100.0, 100.0]])  # one year: level


def test_without_enough_population_the_model_is_not_run():
    counts, people = exact()
    people = people.copy()
    people[1, -2] = np.nan  # the second LA has 1 year with a population in the last 5 ... after the gap
    people[2, :-3] = np.nan  # the third only 3 years
    data = OriginData(
        measure="ehcp_total",
        origin=2024,
        horizon=2,
        values=counts,
        pooled=np.ones(3, dtype=bool),
        national=np.zeros(7),
        flows={POPULATION: people},
    )
    out = demographic_rate(data)
    assert np.isfinite(out[0]).all() and np.isnan(out[1:]).all()
    alone = OriginData(
        measure="ehcp_total", origin=2024, horizon=2, values=counts, pooled=np.ones(3, dtype=bool), national=np.zeros(7)
    )
    assert np.isnan(demographic_rate(alone)).all()


def _panel(counts: np.ndarray, people: np.ndarray) -> pd.DataFrame:
    return pd.concat([long_panel(counts, 2012, "ehcp_total"), long_panel(people, 2012, POPULATION)], ignore_index=True)


def test_the_population_after_the_origin_is_never_seen_and_the_model_is_never_chosen():
    rng = np.random.default_rng(5)
    n, years = 40, 12
    people = rng.uniform(20_000, 400_000, (n, 1)) * np.exp(0.01 * np.arange(years))[None, :]
    counts = np.round(
        people * 0.03 * np.exp(0.06 * np.arange(years))[None, :] * np.exp(rng.normal(0, 0.03, (n, years)))
    )
    settings = RealtimeSettings(horizons=3)
    with_people = realtime_backtest(_panel(counts, people), settings=settings, measures=["ehcp_total"])
    changed = people.copy()
    changed[:, -3:] *= 3.0  # 2021 onward rewritten
    after = realtime_backtest(_panel(counts, changed), settings=settings, measures=["ehcp_total"])
    keys = ["la_code", "origin", "horizon"]
    mine = with_people.forecasts[with_people.forecasts["method"] == "demographic_rate"].set_index(keys)["forecast"]
    theirs = after.forecasts[after.forecasts["method"] == "demographic_rate"].set_index(keys)["forecast"]
    early = mine.index.get_level_values("origin") <= 2020
    assert mine[early].notna().any()
    pd.testing.assert_series_equal(mine[early], theirs.reindex(mine.index)[early])
    assert not np.allclose(mine[~early].dropna(), theirs.reindex(mine.index)[~early].dropna())
    # never chosen: the choices and the chosen forecast are those of a panel without the population
    without = realtime_backtest(long_panel(counts, 2012, "ehcp_total"), settings=settings)
    pd.testing.assert_frame_equal(with_people.choices, without.choices)
    chosen = [f[f["method"] == CHOSEN].reset_index(drop=True) for f in (with_people.forecasts, without.forecasts)]
    pd.testing.assert_frame_equal(*chosen)


def test_a_method_missing_some_forecasts_is_compared_with_the_line_on_the_same_ones():
    errors = {"A": ((1, 1), (2, None)), "B": ((3, 3), (3, None)), "C": ((5, 5), (5, 5))}  # (line, yardstick) by origin
    rows = []
    for la, (line_errors, other_errors) in errors.items():
        for origin, line, other in zip((2020, 2021), line_errors, other_errors):
            base = {
                "measure": "ehcp_total",
                "la_code": la,
                "origin": origin,
                "horizon": 1,
                "year": origin + 1,
                "actual": 100.0,
                "scale": 1.0,
                "pooled": True,
                "short_history": False,
                "lo80": np.nan,
                "hi80": np.nan,
                "lo95": np.nan,
                "hi95": np.nan,
            }
            rows.append({**base, "method": "five_year_line", "forecast": 100.0 + line})
            rows.append({**base, "method": "yardstick", "forecast": np.nan if other is None else 100.0 + other})
    forecasts = pd.DataFrame(rows)
    vintages = vintage_table(forecasts, origins=[2020, 2021], horizons=1).set_index(["origin", "method"])
    assert vintages.loc[(2020, "yardstick"), "n"] == 3 and vintages.loc[(2020, "yardstick"), "relative_mase"] == 1.0
    # 2021: the yardstick made one forecast (C, scaled error 5); the line's median over all three
    # is 3, but on that same forecast it is 5: relative 1, not 5/3
    assert vintages.loc[(2021, "yardstick"), "n"] == 1 and vintages.loc[(2021, "five_year_line"), "mase"] == 3.0
    assert vintages.loc[(2021, "yardstick"), "relative_mase"] == 1.0
    pooled = pooled_table(forecasts, origins=[2020, 2021], horizons=1).set_index("method")
    assert pooled.loc["yardstick", "n"] == 4 and pooled.loc["five_year_line", "relative_mase"] == 1.0
