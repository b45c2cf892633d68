"""The damped-growth rule that carries fitted rates forward, and its out-of-sample choice."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from simulation.examples import gloucestershire_example
from simulation.parameters import schedule_values
from simulation.trends import (DEFAULT_DAMPING, carry_forward, choose_damping, choose_panel_damping, damped_factors,
                               damping_scores, panel_damping_scores,
                               multiplier_growth)


def test_damped_factors():
    np.testing.assert_allclose(damped_factors(0.1, 1.0, 3), np.exp([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(damped_factors(0.1, 0.0, 3), [1.0, 1.0, 1.0])        # held at the last value
    np.testing.assert_allclose(damped_factors(0.1, 0.5, 2), np.exp([0.05, 0.075]))


def test_growth_that_keeps_going_chooses_no_damping_and_growth_that_stops_chooses_damping():
    years = range(2010, 2022)
    steady = pd.Series([100 * np.exp(0.1 * k) for k in range(12)], index=years)
    assert choose_damping(steady)[0] == 1.0
    levelling = pd.Series([100 * np.exp(0.2 * min(k, 4) + 0.01 * max(k - 4, 0)) for k in range(12)], index=years)
    assert choose_damping(levelling)[0] < 0.5


def test_each_origin_is_scored_on_data_after_it_only():
    series = pd.Series([100.0, 110.0, 121.0, 133.1, 146.41], index=range(2016, 2021))
    scores = damping_scores(series).set_index("damping")
    # origins 2019 (3 growths before it; scored on 2020) only: 2020 is the last year
    assert scores.loc[1.0, "origins"] == 1 and scores.loc[1.0, "checks"] == 1
    assert scores.loc[1.0, "mean_abs_log_error"] < 1e-12
    assert choose_damping(series.iloc[:3])[0] == DEFAULT_DAMPING                    # nothing to score


def test_carry_forward_keeps_the_fitted_years_and_grows_after_them():
    base = gloucestershire_example(horizon=6)        # 2019-2024
    fitted = {2019: 1.0, 2020: 1.2, 2021: 1.5}
    params = carry_forward(replace(base, sen_support=replace(base.sen_support, request_multiplier=fitted)),
                           2021, request_growth=0.2, identification_growth=0.05, damping=0.5)
    values = schedule_values(params.sen_support.request_multiplier, 2019, 6)
    np.testing.assert_allclose(values[:3], [1.0, 1.2, 1.5])
    np.testing.assert_allclose(values[3:], 1.5 * damped_factors(0.2, 0.5, 3))
    ident = schedule_values(params.arrivals.sen_support_multiplier, 2019, 6)
    np.testing.assert_allclose(ident[3:], damped_factors(0.05, 0.5, 3))


def test_multiplier_growth_is_the_mean_log_change_over_the_last_three_fitted_years():
    fitted = {"request_multiplier_2019": 1.0, "request_multiplier_2020": 2.0, "request_multiplier_2021": 2.0,
              "request_multiplier_2022": 4.0, "request_multiplier_2023": 8.0, "identification_trend": 0.1}
    assert np.isclose(multiplier_growth(fitted, 2023), np.log(4.0) / 3)
    assert np.isclose(multiplier_growth(fitted, 2021), np.log(2.0) / 2)
    assert multiplier_growth({"request_multiplier_2019": 1.0}, 2019) == 0.0


def test_carrying_forward_twice_starts_again_from_the_fitted_year():
    base = gloucestershire_example(start_year=2022, horizon=4)
    params = replace(base, sen_support=replace(base.sen_support, request_multiplier={2020: 1.0, 2021: 1.5}))
    once = carry_forward(params, 2021, request_growth=0.2, identification_growth=0.0, damping=1.0)
    twice = carry_forward(once, 2021, request_growth=0.1, identification_growth=0.0, damping=1.0)
    np.testing.assert_allclose(schedule_values(twice.sen_support.request_multiplier, 2022, 4),
                               1.5 * damped_factors(0.1, 1.0, 4))


def test_the_panel_choice_pools_every_area_and_scores_only_later_years():
    years = list(range(2015, 2025))
    steady = [100 * np.exp(0.1 * k) for k in range(10)]
    levelling = [100 * np.exp(0.2 * min(k, 4)) for k in range(10)]
    panel = pd.DataFrame([steady, levelling], index=["A", "B"], columns=years)
    scores = panel_damping_scores(panel).set_index("damping")
    # origins 2018-2023 (three growths before each), horizons 1-5 within 2024: 5+5+4+3+2+1 = 20 per area
    assert scores.loc[1.0, "checks"] == 40 and scores.loc[1.0, "areas"] == 2 and scores.loc[1.0, "origins"] == 12
    alone = panel_damping_scores(panel.loc[["A"]]).set_index("damping")
    assert alone.loc[1.0, "mean_abs_log_error"] < 1e-12                     # growth that keeps going
    # the pooled error is the mean over both areas' checks
    both = (alone["mean_abs_log_error"] * 20 + panel_damping_scores(panel.loc[["B"]]).set_index("damping")[
        "mean_abs_log_error"] * 20) / 40
    np.testing.assert_allclose(scores["mean_abs_log_error"], both)
    # a later year changed beyond every horizon leaves the early origins' scores alone; gaps are not scored
    gappy = panel.astype(float).copy()
    gappy.loc["A", 2020] = np.nan
    assert panel_damping_scores(gappy).set_index("damping").loc[1.0, "checks"] < 40
    assert choose_panel_damping(panel.loc[:, :2017])[0] == DEFAULT_DAMPING       # nothing to score


def test_the_panel_choice_damps_growth_that_stops_in_most_areas():
    years = list(range(2015, 2025))
    levelling = [[100 * s * np.exp(0.2 * min(k, 4)) for k in range(10)] for s in (1, 2, 3)]
    steady = [[100 * np.exp(0.1 * k) for k in range(10)]]
    damping, _ = choose_panel_damping(pd.DataFrame(levelling + steady, columns=years))
    assert damping < 1.0


def test_identification_growth_is_the_yearly_multipliers_mean_log_change_or_the_fitted_trend():
    from simulation.trends import identification_growth
    yearly = {"identification_multiplier_2020": 1.0, "identification_multiplier_2021": 2.0,
              "identification_multiplier_2022": 2.0, "identification_multiplier_2023": 8.0,
              "request_multiplier_2023": 100.0}
    assert np.isclose(identification_growth(yearly, 2023), np.log(8.0) / 3)
    assert np.isclose(identification_growth(yearly, 2022), np.log(2.0) / 2)   # only years to the last fitted one
    assert identification_growth({"identification_trend": 0.07, "identification_scale": 1.2}, 2023) == 0.07
    assert identification_growth({}, 2023) == 0.0
