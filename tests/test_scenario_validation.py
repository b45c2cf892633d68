"""Out-of-sample validation of the simulation: the history cut at an origin and the scoring rules."""

from __future__ import annotations

import pandas as pd

from sendcast.scenarios.parameters import LaHistory, history_until
from sendcast.scenarios import validation
from sendcast.scenarios.validation import (error_of, origin_places, row_passes, score_origin, simulated_values,
                                           target_summary)


def _history() -> LaHistory:
    rows = []
    for year in range(2018, 2026):
        rows += [("ehcp_total", "", year, 1000.0 + 100 * year), ("requests", "", year, 50.0 + year),
                 ("issued_within_20wk_pct", "", year, 40.0), ("population", "age=3", year, 7.0),
                 ("ehcp_total", "age=3", year, 9.0)]
    return LaHistory("E1", "Test", "999", pd.DataFrame(rows, columns=["measure", "breakdown", "year", "value"]))


def test_the_history_at_an_origin_has_januaries_to_it_and_flows_to_the_year_before():
    cut = history_until(_history(), 2021)
    rows = cut.rows
    assert cut.until == 2021
    assert rows.loc[rows["measure"] == "ehcp_total", "year"].max() == 2021
    assert rows.loc[rows["measure"] == "requests", "year"].max() == 2020
    assert rows.loc[rows["measure"] == "issued_within_20wk_pct", "year"].max() == 2020
    assert rows.loc[rows["measure"] == "population", "year"].max() == 2025   # an input of the run, kept


def test_a_validation_assuming_places_full_takes_them_on_the_origin_day_and_reads_no_later_year(
        monkeypatch):
    assert origin_places(_history(), 2021, None) is None     # the default: unconstrained (not supported out of sample)
    monkeypatch.setattr(validation, "PLACES_WITHOUT_FILE", "assumed_full")
    history = LaHistory("E1", "Test", "999", pd.DataFrame(
        [("ehcp_state_special", "", year, value) for year, value in ((2020, 200.0), (2021, 224.0), (2022, 900.0))],
        columns=["measure", "breakdown", "year", "value"]))
    cut = history_until(history, 2021)
    places = origin_places(cut, 2021, None)
    assert places["places"].tolist() == [200] and places["source"].iloc[0].startswith("ASSUMPTION")  # 224 / 1.12
    own = pd.DataFrame({"school": ["A"], "phase": ["all"], "places": [150]})
    assert origin_places(cut, 2021, own) is own                        # the LA's own file wins
    assert origin_places(history_until(history, 2019), 2019, None) is None   # nothing published that January


def test_targets_per_measure_one_year_ahead():
    assert row_passes("ehcp_total", 1049, 1000) and not row_passes("ehcp_total", 1051, 1000)
    # special schools: within 10% or 25 children, whichever is wider
    assert row_passes("ehcp_independent_special", 120, 100) and not row_passes("ehcp_independent_special", 126, 100)
    assert row_passes("ehcp_state_special", 1095, 1000) and not row_passes("ehcp_state_special", 1120, 1000)
    assert row_passes("issued_within_20wk_pct", 45, 36) and not row_passes("issued_within_20wk_pct", 47, 36)
    assert row_passes("ehcp_ap", 20, 30) is None                 # scored over the origins
    assert error_of("issued_within_20wk_pct", 30, 40) == -10 and abs(error_of("requests", 110, 100) - 10.0) < 1e-9


def test_scoring_an_origin_and_the_summary():
    published = {("ehcp_total", 2022): 1000.0, ("ehcp_total", 2023): 1100.0, ("requests", 2021): 200.0,
                 ("ehcp_ap", 2022): 30.0}
    simulated = pd.DataFrame([("ehcp_total", 2022, 1020.0, 990.0, 1050.0), ("ehcp_total", 2023, 1000.0, 950.0, 1050.0),
                              ("requests", 2021, 150.0, 140.0, 160.0), ("ehcp_ap", 2022, 25.0, 20.0, 35.0)],
                             columns=["measure", "year", "mean", "lo95", "hi95"])
    table = score_origin(2021, 2023, simulated, published, {("ehcp_total", 2022): (1000.0, 900.0, 1100.0)})
    total = table[table["measure"] == "ehcp_total"].set_index("horizon")
    assert total.loc[1, "year"] == 2022 and total.loc[1, "passed"] and total.loc[1, "inside_95"]
    assert total.loc[2, "target"] == "" and total.loc[2, "passed"] is None and not total.loc[2, "inside_95"]
    requests = table[table["measure"] == "requests"].iloc[0]
    assert requests["year"] == 2021 and requests["year_basis"] == "calendar" and not requests["passed"]
    summary = target_summary(table).set_index("target")
    assert summary.loc["ehcp_total", "simulation_passed"] and not summary.loc["requests", "simulation_passed"]
    assert summary.loc["ehcp_ap", "simulation"] == "MAE 5.0"
    assert not summary.loc["ehcp_ap", "simulation_passed"]       # one origin: errors all of one sign
    assert summary.loc["coverage_95", "simulation"] == "2 of 3"


def test_simulated_bands_are_percentiles_over_replications_and_fe_plus_other_adds_per_replication():
    frames = []
    for r in range(40):
        frames.append(pd.DataFrame([("ehcp_fe", "", 2022, float(r)), ("ehcp_other", "", 2022, float(100 - r)),
                                    ("ehcp_total", "", 2022, float(r))],
                                   columns=["measure", "breakdown", "year", "value"]))
    values = simulated_values(frames).set_index("measure")
    assert values.loc["ehcp_fe_plus_other", "lo95"] == values.loc["ehcp_fe_plus_other", "hi95"] == 100
    assert values.loc["ehcp_total", "mean"] == 19.5 and values.loc["ehcp_total", "hi95"] > 37


def test_a_replication_read_from_its_arrays_gives_the_numbers_of_its_tidy_frame():
    # validate_la reads each replication's yearly arrays instead of making a tidy frame and
    # pivoting it: the same table, bit for bit, and so the same bands
    from sendcast.scenarios.validation import totals_by_year
    from simulation import simulate
    from simulation.examples import gloucestershire_example

    results = [simulate(gloucestershire_example(2019, 2), 7, r) for r in range(3)]
    for result in results:
        pd.testing.assert_frame_equal(totals_by_year(result), totals_by_year(result.to_frame()), check_exact=True)
    pupils = {2019: 70_000.0, 2020: 71_000.0, 2021: 72_000.0}
    pd.testing.assert_frame_equal(simulated_values(results, pupils),
                                  simulated_values([r.to_frame() for r in results], pupils), check_exact=True)


# ------------------------------------------------------- time-respecting predictive bands
import dataclasses  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sendcast.scenarios.predictive import PANEL_COUNTS, PANEL_FLOWS, panels_until, predictive_spread  # noqa: E402
from sendcast.scenarios.validation import band_summary  # noqa: E402
from simulation.examples import gloucestershire_example  # noqa: E402
from simulation.uncertainty import PLACEMENT_DRAW_GROUPS, SPLIT_DRAWS  # noqa: E402


def _panels(seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = [f"E{n:08d}" for n in range(60)]
    size = rng.uniform(100, 2000, len(codes))[:, None]
    panels = {}
    for measure in PANEL_FLOWS + PANEL_COUNTS:
        years = range(2016, 2025) if measure in PANEL_FLOWS else range(2012, 2026)
        growth = np.exp(np.cumsum(rng.normal(0.08, 0.1, (len(codes), len(years))), axis=1))
        scale = 0.1 if measure != "ehcp_total" else 1.0
        panels[measure] = pd.DataFrame(size * scale * growth, index=codes, columns=list(years))
    return panels


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 1000), origin=st.sampled_from([2021, 2022, 2023]), factor=st.floats(0.2, 5.0))
def test_the_predictive_spread_uses_nothing_published_after_the_origin(seed, origin, factor):
    panels = _panels(seed)
    later = {m: p.copy() for m, p in panels.items()}
    for measure, panel in later.items():       # change everything published after the origin
        after = [y for y in panel.columns if y >= origin] if measure in PANEL_FLOWS else \
            [y for y in panel.columns if y > origin]
        panel.loc[:, after] = panel.loc[:, after] * factor
    params = gloucestershire_example(start_year=origin, horizon=3)
    a = predictive_spread(panels, params, origin, la_code="E00000001")
    b = predictive_spread(later, params, origin, la_code="E00000001")
    assert a.request_errors and a.conversion_errors is not None
    assert set(a.placement_errors) <= set(PLACEMENT_DRAW_GROUPS) | set(SPLIT_DRAWS)
    for x, y in zip(a.request_errors + a.identification_errors, b.request_errors + b.identification_errors):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.conversion_errors, b.conversion_errors)
    assert a.placement_errors.keys() == b.placement_errors.keys()
    for group in a.placement_errors:
        assert len(a.placement_errors[group]) == len(b.placement_errors[group]) >= 1
        for x, y in zip(a.placement_errors[group], b.placement_errors[group]):
            np.testing.assert_array_equal(x, y)
    cut = panels_until(panels, origin)
    assert max(cut["requests"].columns) == origin - 1 and max(cut["ehcp_total"].columns) == origin


def test_band_summary_counts_coverage_and_width_per_origin():
    published = {("ehcp_total", 2022): 1000.0, ("ehcp_total", 2023): 1100.0, ("requests", 2021): 200.0,
                 ("issued_within_20wk_pct", 2021): 40.0}
    simulated = pd.DataFrame([("ehcp_total", 2022, 1020.0, 990.0, 1050.0), ("ehcp_total", 2023, 1000.0, 950.0, 1050.0),
                              ("requests", 2021, 150.0, 140.0, 160.0),
                              ("issued_within_20wk_pct", 2021, 35.0, 30.0, 45.0)],
                             columns=["measure", "year", "mean", "lo95", "hi95"])
    table = score_origin(2021, 2023, simulated, published, {("ehcp_total", 2022): (1000.0, 900.0, 1100.0)})
    bands = band_summary(table).set_index(["measure", "origin"])
    everything = bands.loc[("all", "2021")]
    assert everything["checks"] == 3 and everything["simulation_inside_95"] == 2     # requests missed
    assert everything["forecast_checks"] == 1 and everything["forecast_coverage"] == 1.0
    # widths: 6% (ehcp_total) and 10% (requests) of the published value; the 20-week share apart, in points
    assert everything["simulation_median_width"] == pytest.approx(8.0)
    assert bands.loc[("issued_within_20wk_pct", "2021"), "simulation_median_width"] == pytest.approx(15.0)
    assert bands.loc[("ehcp_total", "all"), "forecast_median_width"] == pytest.approx(20.0)


@pytest.mark.slow  # about 22 CPU-seconds (the data build, one calibration, two validations of Gloucestershire)
def test_the_validation_bands_do_not_move_when_later_published_figures_change(dataset, monkeypatch):
    """The coverage is time-respecting: change every figure published after the origin (for
    every LA, so the panels change too) and the simulated bands stay exactly as they were;
    only the published values they are scored against move."""
    import sendcast.forecasting.one_la as one_la
    from sendcast.scenarios.parameters import HISTORY_FLOWS
    from sendcast.scenarios.validation import validate_la

    class _NoForecast:
        forecast = pd.DataFrame(columns=["measure", "year", "mean", "lo95", "hi95"])

    monkeypatch.setattr(one_la, "forecast_la", lambda *args, **kwargs: _NoForecast())
    origin = 2023
    m = dataset.measures
    flow = m["measure"].isin(HISTORY_FLOWS)
    after = (m["measure"] != "population") & ((flow & (m["year"] >= origin)) | (~flow & (m["year"] > origin)))
    changed = dataclasses.replace(dataset, measures=m.assign(value=m["value"].where(~after, m["value"] * 1.7)))
    first = validate_la(dataset, "Gloucestershire", origins=(origin,), replications=3, seed=5).table
    again = validate_la(changed, "Gloucestershire", origins=(origin,), replications=3, seed=5).table
    for column in ("simulated", "lo95", "hi95"):
        np.testing.assert_array_equal(first[column].to_numpy(), again[column].to_numpy())
    assert (again["published"] != first["published"]).all()


# ------------------------------------------------------------------ the SEN support share
def test_the_sen_support_share_is_children_on_sen_support_per_resident_aged_4_to_15():
    from sendcast.scenarios.validation import pupils_by_january
    from simulation import Population

    by_age = np.zeros((2, 26))
    by_age[0, 4:16], by_age[1, 4:16] = 100.0, 50.0        # 1,200 residents aged 4-15 in 2022, 600 in 2023
    by_age[:, 3] = by_age[:, 16] = 1e6                     # other ages do not count
    pupils = pupils_by_january(Population(start_year=2022, by_age=by_age), [2022, 2023, 2024])
    assert pupils == {2022: 1200.0, 2023: 600.0, 2024: 600.0}   # after the last row: the last row
    frames = [pd.DataFrame([("sen_support", "", 2023, 60.0 + r), ("ehcp_fe", "", 2023, 1.0),
                            ("ehcp_other", "", 2023, 1.0)], columns=["measure", "breakdown", "year", "value"])
              for r in range(2)]
    values = simulated_values(frames, pupils).set_index("measure")
    assert values.loc["sen_support_pct", "mean"] == pytest.approx(100 * 60.5 / 600)
    assert "sen_support_pct" not in simulated_values(frames).set_index("measure").index   # no pupils, no share


def test_the_sen_support_share_is_scored_in_points_with_no_target_and_outside_the_coverage_target():
    published = {("ehcp_total", 2022): 1000.0, ("sen_support_pct", 2022): 12.0}
    simulated = pd.DataFrame([("ehcp_total", 2022, 1020.0, 990.0, 1050.0),
                              ("sen_support_pct", 2022, 11.5, 11.0, 11.8)],
                             columns=["measure", "year", "mean", "lo95", "hi95"])
    table = score_origin(2021, 2022, simulated, published, {("sen_support_pct", 2022): (12.4, 11.0, 13.0)})
    row = table.set_index("measure").loc["sen_support_pct"]
    assert row["error"] == pytest.approx(-0.5) and row["error_unit"] == "points"
    assert row["forecast_error"] == pytest.approx(0.4) and row["forecast_inside_95"]
    assert row["passed"] is None and not row["inside_95"]
    summary = target_summary(table).set_index("target")
    assert summary.loc["sen_support_pct", "simulation"] == "worst -0.5pt (2021)"
    assert summary.loc["sen_support_pct", "simulation_passed"] is None
    assert summary.loc["coverage_95", "simulation"] == "1 of 1"       # the SEN support miss is not a target's check
    bands = band_summary(table).set_index(["measure", "origin"])
    assert bands.loc[("all", "2021"), "checks"] == 1
    assert bands.loc[("sen_support_pct", "2021"), "simulation_median_width"] == pytest.approx(0.8)


@pytest.mark.slow  # about 10 CPU-s (one calibration of Gloucestershire)
def test_the_yearly_identification_rule_follows_the_published_sen_support_and_requests(dataset, monkeypatch):
    """Gloucestershire 2019-2025: under the level-and-trend rule the fit missed January 2025
    SEN support by 5.3% (12,781 against 13,499); with a multiplier a year it follows every
    January to within the cohort model's step error, and requests stay within 10%."""
    from sendcast.scenarios.parameters import calibrate_la
    from simulation import calibration
    from simulation.trends import identification_growth

    monkeypatch.setattr(calibration, "IDENTIFICATION", "yearly")
    result = calibrate_la(dataset, "Gloucestershire", start_year=2025)
    report = result.report[result.report["breakdown"] == ""].set_index(["measure", "year"])["error_pct"].abs()
    assert report.loc["sen_support"].max() < 2.5, report.loc["sen_support"]
    assert report.loc["requests"].max() < 10 and report.loc["ehcp_total"].max() < 5
    years = sorted(int(k.removeprefix("identification_multiplier_")) for k in result.fitted
                   if k.startswith("identification_multiplier_"))
    assert years == list(range(2019, 2025))       # the calendar years before each January 2020-2025
    growth = identification_growth(result.fitted, 2024)
    first, last = result.fitted["identification_multiplier_2021"], result.fitted["identification_multiplier_2024"]
    assert growth == pytest.approx(np.log(last / first) / 3, rel=1e-4)


# ------------------------------------------------------------------ the planner's baselines
from sendcast.scenarios.validation import LINE_YEARS, planner_baselines  # noqa: E402


def test_the_naive_baseline_is_the_latest_value_published_at_the_origin():
    published = {("ehcp_total", year): 100.0 + year - 2015 for year in range(2015, 2026)}
    published |= {("requests", year): 10.0 * (year - 2014) for year in range(2015, 2026)}
    assert planner_baselines(published, "ehcp_total", 2022, 2023)["naive"] == published[("ehcp_total", 2022)]
    # a flow's latest known year is the calendar year before the origin January
    assert planner_baselines(published, "requests", 2022, 2022)["naive"] == published[("requests", 2021)]


def test_the_straight_line_continues_a_straight_series_and_needs_three_years():
    published = {("new_plans", year): 500.0 + 40.0 * (year - 2016) for year in range(2016, 2025)}
    for origin, year in ((2021, 2020), (2022, 2024), (2023, 2025)):
        assert planner_baselines(published, "new_plans", origin, year)["straight_line"] == pytest.approx(
            500.0 + 40.0 * (year - 2016))
    assert np.isnan(planner_baselines(published, "new_plans", 2018, 2018)["straight_line"])  # 2016-2017 only
    assert np.isnan(planner_baselines({}, "new_plans", 2022, 2022)["naive"])


def test_a_straight_line_of_a_share_stays_between_0_and_100_and_a_count_above_0():
    rising = {("issued_within_20wk_pct", year): 60.0 + 10.0 * (year - 2017) for year in range(2017, 2022)}
    falling = {("ehcp_ap", year): 50.0 - 15.0 * (year - 2017) for year in range(2017, 2022)}
    assert planner_baselines(rising, "issued_within_20wk_pct", 2022, 2025)["straight_line"] == 100.0
    assert planner_baselines(falling, "ehcp_ap", 2021, 2025)["straight_line"] == 0.0


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(1.0, 1e4), min_size=11, max_size=11), origin=st.integers(2019, 2024),
       measure=st.sampled_from(["ehcp_total", "requests"]), later=st.floats(1.0, 1e6))
def test_the_baselines_read_nothing_published_after_the_origin(values, origin, measure, later):
    published = {(measure, 2015 + i): value for i, value in enumerate(values)}
    last_known = origin - 1 if measure == "requests" else origin
    changed = {key: (later if key[1] > last_known else value) for key, value in published.items()}
    before, after = (planner_baselines(p, measure, origin, 2026) for p in (published, changed))
    assert before == pytest.approx(after, nan_ok=True)
    assert before["naive"] == published[(measure, last_known)]
    recent = [published[(measure, year)] for year in range(max(last_known - LINE_YEARS + 1, 2015), last_known + 1)]
    assert len(recent) >= 3 or np.isnan(before["straight_line"])


def test_the_summary_scores_the_baselines_on_the_same_targets():
    published = {("ehcp_total", year): 1000.0 * 1.1 ** (year - 2017) for year in range(2017, 2024)}
    simulated = pd.DataFrame([("ehcp_total", 2022, 1600.0, 1500.0, 1700.0)],
                             columns=["measure", "year", "mean", "lo95", "hi95"])
    table = score_origin(2021, 2022, simulated, published, {})
    row = table.iloc[0]
    assert row["naive"] == published[("ehcp_total", 2021)] and not row["naive_passed"]  # 10% growth missed
    assert abs(row["straight_line_error"]) < 5.0 and row["straight_line_passed"]
    summary = target_summary(table).set_index("target")
    assert summary.loc["ehcp_total", "naive"] == f"worst {row['naive_error']:+.1f}% (2021)"
    assert summary.loc["ehcp_total", "naive_passed"] is False and summary.loc["ehcp_total", "straight_line_passed"]
    assert summary.loc["coverage_95", "naive"] == "no band" and summary.loc["coverage_95", "naive_passed"] is None


@pytest.mark.parametrize("start", [2021, 2023])
def test_a_fit_ending_before_the_latest_january_has_the_targets_of_the_history_as_it_stood(dataset, start):
    """``calibrate --start-year 2021`` on everything published read the flows of 2021 and
    later, which a run ending in January 2021 does not have (the fit failed: "Residuals are
    not finite"); its targets are now those of the history cut at that January."""
    from sendcast.scenarios.parameters import la_history, targets

    history = la_history(dataset, "E10000013")
    whole = targets(history, 2018, start).sort_values(["measure", "breakdown", "year"]).reset_index(drop=True)
    cut = targets(history_until(history, start), 2018, start).sort_values(
        ["measure", "breakdown", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(whole, cut)
    assert not whole[whole["measure"].isin(["new_plans", "requests"])]["year"].ge(start).any()
