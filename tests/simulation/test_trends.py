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


# --------------------------------------------------------------------------- growth cap (issue 19)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from simulation.trends import GROWTH_CAP_CANDIDATES, capped, choose_panel_rule, panel_rule_scores  # noqa: E402


def test_a_cap_keeps_growth_within_it_both_ways_and_none_leaves_it():
    assert capped(0.43, 0.1) == 0.1 and capped(-0.3, 0.1) == -0.1 and capped(0.05, 0.1) == 0.05
    assert capped(0.43, None) == 0.43
    np.testing.assert_allclose(capped(np.array([0.5, -0.5, 0.0]), 0.2), [0.2, -0.2, 0.0])


def test_the_panel_chooses_a_cap_when_bursts_of_growth_do_not_last():
    """Most areas grow steadily at 5% a year; a third have one burst (+60% a year for three
    years) and then go back to 5%: carrying the burst forward is the error a cap prevents."""
    years = list(range(2012, 2025))
    rows = {}
    for a in range(30):
        logs = np.log(100.0) + 0.05 * np.arange(len(years))
        if a % 3 == 0:
            start = 2 + a % 5
            logs[start:start + 3] += 0.6 * np.arange(1, 4)
            logs[start + 3:] += 1.8
        rows[f"A{a}"] = np.exp(logs)
    panel = pd.DataFrame(rows, index=years).T
    damping, cap, scores = choose_panel_rule(panel)
    assert cap is not None and cap <= 0.2
    no_cap = scores[scores["growth_cap"].isna()]["mean_abs_log_error"].min()
    assert scores["mean_abs_log_error"].min() < no_cap
    assert set(scores["growth_cap"].fillna(-1)) == {-1 if c is None else c for c in GROWTH_CAP_CANDIDATES}


def test_steady_growth_above_every_cap_chooses_no_cap():
    years = list(range(2012, 2025))
    panel = pd.DataFrame({f"A{a}": 100 * np.exp(0.35 * np.arange(len(years))) for a in range(5)}, index=years).T
    damping, cap, _ = choose_panel_rule(panel)
    assert cap is None and damping == 1.0


def test_rule_scores_use_only_years_after_each_origin():
    """Changing the last year changes only the checks that reach it: the scores of a panel
    cut a year earlier are those of the same rule on fewer years."""
    years = list(range(2015, 2025))
    rng = np.random.default_rng(1)
    panel = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0.08, 0.1, (12, len(years))), axis=1)), columns=years)
    cut = panel.loc[:, years[:-1]]
    moved = panel.copy()
    moved[years[-1]] *= 3.0
    a = panel_rule_scores(cut)
    b = panel_rule_scores(moved.loc[:, years[:-1]])
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(growth=st.floats(-1.0, 1.0), damping=st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0]),
       cap=st.sampled_from([0.05, 0.1, 0.2, 0.3]), last=st.floats(0.2, 5.0))
def test_the_carried_forward_request_rate_never_grows_faster_than_the_cap_a_year(growth, damping, cap, last):
    """Planner's reading: whatever an LA's requests did in its last three years, the run
    carries its request rate forward by at most the cap a year, up or down."""
    base = gloucestershire_example(start_year=2025, horizon=10)
    params = replace(base, sen_support=replace(base.sen_support, request_multiplier={2024: last}))
    run = carry_forward(params, 2024, request_growth=float(capped(growth, cap)), identification_growth=0.0,
                        damping=damping)
    values = np.concatenate([[last], schedule_values(run.sen_support.request_multiplier, 2025, 10)])
    yearly = np.diff(np.log(values))
    assert np.all(np.abs(yearly) <= cap + 1e-12)


def test_identification_can_have_its_own_damping():
    base = gloucestershire_example(horizon=6)        # 2019-2024
    params = carry_forward(base, 2021, request_growth=0.2, identification_growth=0.05, damping=1.0,
                           identification_damping=0.5)
    ident = schedule_values(params.arrivals.sen_support_multiplier, 2019, 6)
    at_last = schedule_values(base.arrivals.sen_support_multiplier, 2021, 1)[0]
    np.testing.assert_allclose(ident[3:], at_last * damped_factors(0.05, 0.5, 3))
    requests = schedule_values(params.sen_support.request_multiplier, 2019, 6)
    at_last = schedule_values(base.sen_support.request_multiplier, 2021, 1)[0]
    np.testing.assert_allclose(requests[3:], at_last * damped_factors(0.2, 1.0, 3))


def test_identification_growth_is_the_yearly_multipliers_mean_log_change_or_the_fitted_trend():
    from simulation.trends import identification_growth
    yearly = {"identification_multiplier_2020": 1.0, "identification_multiplier_2021": 2.0,
              "identification_multiplier_2022": 2.0, "identification_multiplier_2023": 8.0,
              "request_multiplier_2023": 100.0}
    assert np.isclose(identification_growth(yearly, 2023), np.log(8.0) / 3)
    assert np.isclose(identification_growth(yearly, 2022), np.log(2.0) / 2)   # only years to the last fitted one
    assert identification_growth({"identification_trend": 0.07, "identification_scale": 1.2}, 2023) == 0.07
    assert identification_growth({}, 2023) == 0.0


# --------------------------------------------------------------------------- errors of the rule the baseline uses (issue 19)
from simulation.trends import panel_log_errors, rules_chosen_at  # noqa: E402


def test_growth_above_the_cap_gives_the_capped_rules_errors_not_the_uncapped_ones():
    """An area growing 40% a year: the capped rule (10%) falls short by 30% a year, the
    uncapped rule is exact; the errors follow the cap asked for."""
    years = list(range(2015, 2025))
    panel = pd.DataFrame([100 * np.exp(0.4 * np.arange(len(years)))], columns=years)
    uncapped = panel_log_errors(panel, 1.0, horizons=2)
    capped_errors = panel_log_errors(panel, 1.0, horizons=2, growth_cap=0.1)
    np.testing.assert_allclose(uncapped[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(capped_errors[0], 0.3)
    np.testing.assert_allclose(capped_errors[1], 0.6)
    # a rule given per origin is the one used from that origin
    by_origin = panel_log_errors(panel, 0.0, horizons=1, rule_at=lambda year: (1.0, 0.1 if year < 2020 else None))
    n_capped = sum(1 for year in range(2018, 2024) if year < 2020)
    np.testing.assert_allclose(by_origin[0], [0.3] * n_capped + [0.0] * (len(by_origin[0]) - n_capped), atol=1e-12)


def test_the_rule_at_each_origin_is_chosen_on_the_data_to_it_only():
    years = list(range(2015, 2025))
    rng = np.random.default_rng(3)
    panel = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0.08, 0.1, (20, len(years))), axis=1)), columns=years)
    moved = panel.copy()
    moved.loc[:, 2022:] *= np.exp(rng.normal(0.5, 0.5, (20, 3)))  # everything after 2021 changed
    chosen, chosen_moved = rules_chosen_at(panel), rules_chosen_at(moved)
    for year in range(2018, 2022):
        assert chosen(year) == chosen_moved(year)
        assert chosen(year) == choose_panel_rule(panel.loc[:, :year])[:2]
    assert chosen(2018) == (DEFAULT_DAMPING, None)  # nothing to score before the first origin
    # errors from origins to 2021 one year ahead are those of the rules chosen then
    errors = panel_log_errors(panel.loc[:, :2022], 0.0, horizons=1, rule_at=chosen)
    expected = [panel_log_errors(panel.loc[:, year - 3:year + 1], 0.0, 1, rule_at=lambda _, y=year: chosen(y))[0]
                for year in range(2018, 2022)]
    np.testing.assert_allclose(errors[0], np.concatenate(expected))
