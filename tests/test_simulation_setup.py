"""Simulation parameters built from the shipped data and the scenario files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sendcast.money.prices import read_deflator

from sendcast.runtime.errors import UnknownNameError
from sendcast.scenarios.files import load_scenario
from sendcast.scenarios.replications import run_replications
from sendcast.scenarios.parameters import (OVER_CAPACITY_SHARE, LaHistory, SetupError, baseline_path, build_parameters,
                                           central_forecast,
                                           calibrate_la, changed_fields, la_history, mid_phase_moves_note,
                                           over_capacity, place_growth, assumed_places, special_place_blocks)
from sendcast.scenarios import parameters as parameters_module
from simulation import PlaceBlock

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="module")
def fit(dataset):
    return calibrate_la(dataset, "Gloucestershire", start_year=2025)


@pytest.fixture(scope="module")
def baseline(dataset, fit):
    scenario, _, _ = load_scenario(SCENARIOS / "baseline.toml")
    return build_parameters(dataset, "E10000013", start_year=2025, horizon=10, scenario=scenario, calibration=fit)


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_the_start_is_the_published_january_2025_caseload(baseline):
    c = baseline.caseload
    assert c.ehcp_by_placement.sum() == pytest.approx(6412)           # SEN2 ehcp_total, January 2025
    assert c.ehcp_by_placement[2] == 1506                             # state special
    assert c.ehcp_by_placement[3] == 289                              # independent special
    assert c.ehcp_by_placement[0] + c.ehcp_by_placement[1] == 3122    # mainstream incl. resourced (73)
    assert c.ehcp_by_age.sum() == pytest.approx(6412)
    assert c.ehcp_by_age[10] == pytest.approx(482, abs=1)             # single ages published for 2025
    # SEN support: 15.3% x residents aged 4-15 (an approximation, see the module notes)
    pupils = baseline.population.by_age[0, 4:16].sum()
    assert c.sen_support_by_age.sum() == pytest.approx(0.153 * pupils, abs=20)
    # open requests from the flow balance 2019-2024: a backlog of several hundred
    assert 500 < c.in_assessment_by_age.sum() < 1000
    assert baseline.population.start_year == 2025 and baseline.horizon == 10


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_baseline_levers_come_from_the_data_and_the_capacity_file(dataset, baseline):
    # capacity responds to the work in hand: the 2019-2024 share completed of it (53-65% a year)
    assert 0.55 < baseline.assessment.capacity_response < 0.62
    (first_year, first), (then, floor) = baseline.assessment.capacity_per_year
    assert first_year == 2025 and then == 2026 and floor == 1.0        # no floor in the baseline
    backlog = baseline.caseload.in_assessment_by_age.sum()
    target = baseline.assessment.capacity_response * (backlog + 1168)  # 1,625 - 457
    # moves three quarters of the way (in logs) from 2024's completed assessments (967 plans + 39 without),
    # chosen 1-3 years ahead on every LA's published flows to 2024 (simulation.capacity_adjustment)
    assert baseline.assessment.capacity_adjustment == 0.75
    assert first == pytest.approx((967 + 39) ** 0.25 * target ** 0.75, rel=0.01)
    assert 30 < baseline.caseload.in_assessment_weeks_open < 45          # the backlog holds ~9 months of demand
    blocks = baseline.special_places.blocks
    open_2025 = sum(v[0] for v in baseline.special_places.places_by_year(2025, 1).values())
    # 1,238 + 60 in the file, 1,506 children in January 2025: schools run 16.0% over their places
    assert baseline.special_places.over_capacity_share == pytest.approx(1506 / 1298 - 1)
    assert 1500 <= open_2025 <= 1506  # each pool rounded down
    assert not any("implied" in b.name for b in blocks)
    assert any(b.places == 60 and b.from_year == 2024 for b in blocks)    # Stroud, from the capacity file
    # the county opens places as the forecast engine's central forecast of children in state special
    # schools grows from the 1,506 of January 2025 (places_rule = "forecast"), at 16% over capacity
    path = central_forecast(dataset, la_history(dataset, "Gloucestershire"), 2025, 10, "ehcp_state_special")
    places = sum(baseline.special_places.places_by_year(2025, 10).values())
    expected = np.array([1505] + [1505 + path[year] - 1506 for year in range(2026, 2035)])
    assert np.all(np.abs(places - expected) <= 2), (places, expected.round())
    assert places[-1] > places[0] + 500  # the forecast grows
    assert {b.from_year for b in blocks if b.name == "places opened as the forecast grows from 2025 (assumed)"} == set(
        range(2026, 2036))
    # a child who finds no place waits, in a mainstream school at school age, for a local place (no
    # overflow to independent special schools: chosen out of sample, sendcast.scenarios.files)
    places_set = baseline.special_places
    assert (places_set.overflow_policy, places_set.overflow_rate_per_year, places_set.waiting_placement) == (
        "wait", 0.0, "mainstream")
    # s251 outturn / plans (2021-22), restated at the 2025-26 price base with the GDP deflator
    assert baseline.costs.placement_gbp_per_year[3] == pytest.approx(81_686 * read_deflator().factor("2021-22"))
    assert not baseline.early_identification.active


@pytest.mark.parametrize("name, changes", [
    ("early-identification.toml", {"early_identification"}),
    ("assessment-capacity.toml", {"assessment.capacity_per_year", "costs.fixed_gbp"}),  # + staff cost
    ("new-special-school.toml", {"special_places.blocks", "costs.fixed_gbp"}),  # + capital cost
    ("combined.toml", {"early_identification", "assessment.capacity_per_year", "special_places.blocks",
                       "costs.fixed_gbp"}),
    ("frozen-assessment-capacity.toml", {"assessment.capacity_per_year", "assessment.capacity_response"}),
    ("no-new-special-places.toml", {"special_places.blocks"}),
])
@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_a_scenario_differs_from_its_baseline_only_in_what_it_changes(dataset, fit, baseline, name, changes):
    scenario, _, chain = load_scenario(SCENARIOS / name)
    assert baseline_path(chain).name == "baseline.toml"
    params = build_parameters(dataset, "Gloucestershire", start_year=2025, horizon=10, scenario=scenario,
                              calibration=fit)
    changed = {name.split(".")[0] if name.startswith("early_identification") else name
               for name in changed_fields(baseline, params)}
    assert changed == changes
    if name == "frozen-assessment-capacity.toml":   # today's level, not responding: 2024's 967 + 39
        assert params.assessment.capacity_per_year == ((0, 1006.0),) and params.assessment.capacity_response is None
    elif "assessment.capacity_per_year" in changes:  # a funded floor of 1,250 under the responsive capacity
        first = baseline.assessment.capacity_per_year[0][1]
        assert params.assessment.capacity_per_year == ((2025, max(first, 1250.0)), (2026, 1250.0))
        assert params.assessment.capacity_response == baseline.assessment.capacity_response
    if "early_identification" in changes:
        lever = params.early_identification
        given = scenario.early_identification  # distributions enter a single run at their medians
        assert (lever.share_identified_early, lever.relative_risk, lever.capacity_children_per_year,
                lever.cost_per_child_gbp, lever.years_earlier) == pytest.approx(
            (given.share_identified_early.central, given.relative_risk.central, 600,
             given.cost_per_child_gbp.central, 2))
        assert lever.share_identified_early == pytest.approx(0.25)


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire
def test_new_places_come_on_top_of_the_growth_and_no_new_places_keeps_todays(dataset, fit, baseline):
    def places(name):
        scenario, _, _ = load_scenario(SCENARIOS / name)
        params = build_parameters(dataset, "Gloucestershire", start_year=2025, horizon=10, scenario=scenario,
                                  calibration=fit)
        return sum(params.special_places.places_by_year(2025, 10).values())
    growing = sum(baseline.special_places.places_by_year(2025, 10).values())
    assert np.all(places("no-new-special-places.toml") == growing[0])            # 1,505 every January
    extra = places("new-special-school.toml") - growing
    # 150 places x 1.16 from 2027 (each January's total rounded down: 174 or 175)
    assert extra[:2].tolist() == [0, 0] and np.all(np.abs(extra[2:] - 150 * (1506 / 1298)) < 1)


def _state_special(values: dict[int, float]) -> LaHistory:
    return LaHistory("E1", "Test", "999", pd.DataFrame(
        [("ehcp_state_special", "", year, value) for year, value in values.items()],
        columns=["measure", "breakdown", "year", "value"]))


def test_places_grow_by_the_mean_yearly_increase_of_children_in_state_special_schools():
    history = _state_special({2018: 10.0, 2019: 100.0, 2022: 130.0, 2025: 160.0, 2026: 900.0})
    blocks, notes = place_growth(history, 2025, 5, 0.25)
    # 2019-2025 (six Januaries back; 2018 and the later 2026 not read): 10 children a year, 8 places
    # at 25% over capacity, opening each January 2026-2030 (the run's last included)
    assert [(b.pool, b.places, b.from_year, b.to_year) for b in blocks] == [("all", 8, y, None)
                                                                            for y in range(2026, 2031)]
    assert "ASSUMPTION" in notes[0] and "10.0 a year" in notes[0]
    # places rounded on the running total: 2.5 a year gives 2 or 3 each year, 12 over five years
    blocks, _ = place_growth(_state_special({2019: 100.0, 2025: 115.0}), 2025, 5, 0.0)
    assert sorted(b.places for b in blocks) == [2, 2, 2, 3, 3]
    assert place_growth(history, 2025, 5, 0.25, "frozen")[0] == ()
    assert place_growth(_state_special({2019: 160.0, 2025: 100.0}), 2025, 5, 0.0)[0] == ()  # none closed
    assert place_growth(_state_special({2025: 100.0}), 2025, 5, 0.0)[0] == ()                # one January


def test_places_open_as_the_forecast_of_children_in_state_special_schools_grows(monkeypatch):
    """places_rule = "forecast": each January opens the forecast's rise since the start over
    1 + share, less the places already opened; a forecast that falls closes none and opens
    none until it passes its highest; the run's last January (start + horizon) opens too."""
    history = _state_special({2024: 900.0, 2025: 1000.0})
    path = {2026: 1100.0, 2027: 1050.0, 2028: 1200.0, 2029: 1300.0}
    asked = []

    def forecast(dataset, hist, start_year, horizon, measure):
        asked.append((start_year, horizon, measure))
        return path

    monkeypatch.setattr(parameters_module, "central_forecast", forecast)
    blocks, notes = place_growth(history, 2025, 4, 0.25, "forecast", dataset="data")
    assert asked == [(2025, 4, "ehcp_state_special")]  # made with the figures to the start only (its own test)
    assert [(b.pool, b.places, b.from_year) for b in blocks] == [("all", 80, 2026), ("all", 80, 2028),
                                                                 ("all", 80, 2029)]  # to the run's last January
    assert "ASSUMPTION" in notes[0] and "240 places by January 2029" in notes[0]
    with pytest.raises(SetupError, match="need the dataset"):
        place_growth(history, 2025, 4, 0.25, "forecast")


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_an_early_identification_programme_without_capacity_is_an_error(dataset, fit, tmp_path):
    path = tmp_path / "no-capacity.toml"
    path.write_text(f'based_on = "{SCENARIOS / "baseline.toml"}"\n[scenario]\nname = "x"\n'
                    "[early_identification]\nshare_identified_early = 0.3\n")
    scenario, _, _ = load_scenario(path)
    with pytest.raises(SetupError, match="capacity_children_per_year is 0"):
        build_parameters(dataset, "Gloucestershire", start_year=2025, scenario=scenario, calibration=fit)


def test_a_start_year_without_published_caseload_is_an_error(dataset):
    with pytest.raises(SetupError, match="no ehcp_total for 2027"):
        calibrate_la(dataset, "Gloucestershire", start_year=2027)


def test_an_unknown_la_is_an_error_with_suggestions(dataset):
    with pytest.raises(UnknownNameError, match="Gloucestershire"):
        calibrate_la(dataset, "Gloucestershre", start_year=2025)


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_results_are_identical_whatever_the_backend(dataset, fit):
    params = build_parameters(dataset, "Gloucestershire", start_year=2025, horizon=2, calibration=fit)
    small = {"as things stand": params}
    local = run_replications(small, replications=2, seed=3, baseline="as things stand", backend="local")
    pooled = run_replications(small, replications=2, seed=3, baseline="as things stand", backend="processes",
                              workers=2)
    pd.testing.assert_frame_equal(local.summary, pooled.summary)
    again = run_replications(small, replications=2, seed=3, baseline="as things stand")
    pd.testing.assert_frame_equal(local.summary, again.summary)      # same seed, same output
    other = run_replications(small, replications=2, seed=4, baseline="as things stand")
    assert not local.summary.equals(other.summary)


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_transport_is_added_to_the_placements_yearly_cost(dataset, fit, baseline, tmp_path):
    path = tmp_path / "transport.toml"
    path.write_text(f'based_on = "{SCENARIOS / "baseline.toml"}"\n[scenario]\nname = "with transport"\n'
                    "[costs.transport_gbp]\nehcp_independent_special = 12000\nehcp_ap = 3000\n")
    scenario, _, _ = load_scenario(path)
    params = build_parameters(dataset, "E10000013", start_year=2025, horizon=10, scenario=scenario, calibration=fit)
    from simulation.parameters import PLACEMENTS
    before = dict(zip(PLACEMENTS, baseline.costs.placement_gbp_per_year))
    after = dict(zip(PLACEMENTS, params.costs.placement_gbp_per_year))
    assert after["independent_special"] == pytest.approx(before["independent_special"] + 12000)
    assert after["ap"] == pytest.approx(before["ap"] + 3000)
    assert after["state_special"] == before["state_special"]


# ------------------------------------------------------------- placements by age and phase
def test_the_joint_table_of_age_and_placement_from_hand_sized_rows():
    from sendcast.scenarios.parameters import LaHistory, ehcp_by_age_placement
    rows = pd.DataFrame([("ehcp_total", "age=0-2", 2025, 1.0), ("ehcp_total", "age=4", 2025, 10.0),
                         ("ehcp_total", "age=16", 2025, 5.0), ("ehcp_mainstream", "age=4", 2025, 6.0),
                         ("ehcp_state_special", "age=4", 2025, 3.0), ("ehcp_independent_special", "age=4", 2025, 0.0),
                         ("ehcp_fe", "age=16", 2025, 4.0), ("ehcp_ap", "age=4", 2025, 0.0),
                         ("ehcp_mainstream", "", 2025, 6.0), ("ehcp_resourced_unit", "", 2025, 1.0)],
                        columns=["measure", "breakdown", "year", "value"])
    table = ehcp_by_age_placement(LaHistory("E1", "Hand", "1", rows), 2025)
    # age 4: mainstream 6 of which 1/6 resourced (the LA's share), state special 3, other 10 - 9 = 1
    np.testing.assert_allclose(table[4], [5, 1, 3, 0, 0, 0, 1])
    np.testing.assert_allclose(table[2], [0, 0, 0, 0, 0, 0, 1])      # "under 3" at 2, all other
    np.testing.assert_allclose(table[16], [0, 0, 0, 0, 4, 0, 1])
    assert ehcp_by_age_placement(LaHistory("E1", "Hand", "1", rows), 2024) is None   # not published


def test_gloucestershire_placements_by_phase_are_the_published_ones(dataset):
    from sendcast.scenarios.parameters import phase_targets
    history = la_history(dataset, "Gloucestershire")
    targets = phase_targets(history, 2019, 2025).set_index(["measure", "breakdown", "year"])["value"]
    # SEN2 2025 release, January 2025: state special at ages 4-10 and 11-15 (LA-maintained + academy/free)
    assert targets[("ehcp_state_special", "phase=primary", 2025)] == 613
    assert targets[("ehcp_state_special", "phase=secondary", 2025)] == 804
    assert targets[("ehcp_total", "phase=post19", 2025)] == 391       # FE 232, other 156, mainstream 3
    # new plans by the age they started, 2024: 108 + 134 at ages 4 and 5
    assert targets[("new_plans", "age=4-5", 2024)] == 242
    assert sorted(targets.index.get_level_values("year").unique()) == [2022, 2023, 2024, 2025]


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_the_baseline_starts_from_the_published_age_and_placement_table(baseline):
    from simulation.caseload import age_placement_counts
    joint = age_placement_counts(baseline.caseload)
    assert joint[4:11, 2].sum() == pytest.approx(613, abs=3)      # state special, primary ages
    assert joint[11:16, 2].sum() == pytest.approx(807, abs=5)     # secondary (804 + 3 moved from post-19 cells)
    # SEN support by age follows the calibrated model's own profile in January 2025
    assert baseline.caseload.sen_support_by_age.sum() == pytest.approx(0.153 * baseline.population.by_age[0, 4:16].sum(),
                                                                       abs=20)


#: Worst-year errors (%) of the calibration to Gloucestershire 2019-2025 when this was written,
#: plus half a point: a change that makes the fit worse fails here. FE and other are compared
#: as SEN2 recorded them each year (the 2023 recording break, simulation.calibration). AP
#: (20-50 plans) and other (605 -> 434 -> 614) are reported, and fail the 10% goal. AP was 111.4
#: and other 20.0 until the placement share scales got their weak prior
#: (simulation.calibration.SHARE_PRIOR_WEIGHT, 7 December 2026): it holds the AP and other scales
#: nearer 1 (AP weighs 0.2, other 0.7) and the model's AP is a few plans higher (2025: 44.4
#: against 39.3 without the prior, 33 published), other 20.6% off at worst (19.9 without);
#: accepted for a fit that lands on one point whatever the BLAS kernels (out of sample no worse
#: on average: benchmarks/evidence_smooth_fit.py).
FIT_WHEN_WRITTEN = {"ehcp_total": 2.7, "ehcp_mainstream": 4.0, "ehcp_state_special": 4.6,
                    "ehcp_independent_special": 9.6, "ehcp_fe": 8.1, "ehcp_ap": 122.7, "ehcp_other": 20.6,
                    "new_plans": 4.7, "requests": 4.9}


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_the_fit_to_gloucestershire_does_not_regress(fit):
    report = fit.report
    totals = report[report["breakdown"] == ""].groupby("measure")["error_pct"].apply(lambda e: e.abs().max())
    for measure, worst in FIT_WHEN_WRITTEN.items():
        assert totals[measure] <= worst + 0.5, (measure, round(totals[measure], 1))
    phases = report[report["breakdown"].isin(["phase=primary", "phase=secondary"])
                    & report["measure"].eq("ehcp_state_special")]
    assert len(phases) == 4 and phases["error_pct"].abs().max() < 10     # 2024 and 2025


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_ceasing_is_fitted_to_ceased_plans_by_reason_and_age_with_no_scale_at_a_bound(fit):
    report = fit.report
    ceased = report[report["measure"] == "plans_ceased"]
    assert {"reason=left_education", "reason=moved_away", "age=16-17", "age=18", "age=19", "age=20-25"} <= \
        set(ceased["breakdown"])
    # 2022-2024 (person-level collection) fitted; before 2022 (aggregate collection) shown only
    totals = ceased[ceased["breakdown"] == ""].set_index("year")
    assert totals.loc[2022:2024, "fitted"].all() and not totals.loc[2019:2021, "fitted"].any()
    assert totals.loc[2022:2024, "error_pct"].abs().max() < 35           # was -39% (2022) before reasons and ages
    assert not [name for name in fit.at_bounds if name.startswith("ceasing_")]
    scales = {k: v for k, v in fit.fitted.items() if k.startswith("ceasing_")}
    assert len(scales) == 6
    for name, value in scales.items():
        assert np.exp(-3) * 1.05 < value < np.exp(3) / 1.05, (name, value)  # none at its bound (e^-3, e^3)


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_fe_and_other_are_scored_as_recorded_each_year_and_the_raw_errors_are_kept(fit):
    report = fit.report
    fe = report[(report["measure"] == "ehcp_fe") & (report["breakdown"] == "")].set_index("year")
    assert 0 < fit.fitted["fe_other_recording_shift"] < 0.3
    # from January 2023 the model's own count is what is compared; before, the rule applies
    assert (fe.loc[2023:, "simulated"] == fe.loc[2023:, "simulated_model"]).all()
    assert (fe.loc[2020:2022, "simulated"] < fe.loc[2020:2022, "simulated_model"]).all()
    assert fe["error_pct_model"].abs().max() > fe["error_pct"].abs().max()   # the raw comparison is worse, and shown


@pytest.mark.parametrize("children", [0.0, 1.0, 57.0, 1506.0, 4999.0])
def test_an_la_with_no_list_of_its_places_has_as_many_places_as_children_on_the_start_day(children):
    history = _state_special({2019: children / 2, 2023: children})
    capacity = assumed_places(history, 2023)
    assert capacity["source"].iloc[0].startswith("ASSUMPTION") and capacity["phase"].iloc[0] == "all"
    blocks, _ = special_place_blocks(history, 2023, capacity, None)
    share, notes = over_capacity(history, 2023, blocks, capacity)
    assert share == pytest.approx(OVER_CAPACITY_SHARE, abs=0.02) or capacity["places"].iloc[0] == 0
    if children >= 50:   # whole places: the run's places are the children, give or take one
        assumed = int(capacity["places"].iloc[0] * (1 + share) + 1e-9)
        assert abs(assumed - children) <= 1


def test_schools_run_over_their_places_at_least_as_far_as_dfe_reports_and_the_note_says_how_many_places():
    history = LaHistory("E1", "Test", "999", pd.DataFrame(
        [("ehcp_state_special", "", 2021, 100.0), ("ehcp_state_special", "", 2025, 150.0)],
        columns=["measure", "breakdown", "year", "value"]))
    blocks = (PlaceBlock("all", 120),)
    capacity = pd.DataFrame({"school": ["A"], "phase": ["all"], "places": [120]})
    share, notes = over_capacity(history, 2021, blocks, capacity)
    assert share == OVER_CAPACITY_SHARE                                  # 100 children in 120 places: the DfE 12%
    assert "134 places" in notes[0] and "14 beyond the listed places" in notes[0]
    share, notes = over_capacity(history, 2025, blocks, capacity)
    assert share == pytest.approx(0.25)                                  # 150 in 120: the LA's own 25%
    assert over_capacity(history, 2025, None, None) == (0.0, [])


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire, 12 CPU-s measured (fast tier: under 3)
def test_an_option_pays_for_what_it_provides(dataset, fit, baseline):
    """New places carry their capital cost in the opening year; extra assessment capacity its
    staff cost every year; transport is costed by default for every placement."""
    scenario, _, _ = load_scenario(SCENARIOS / "new-special-school.toml")
    params = build_parameters(dataset, "Gloucestershire", start_year=2025, horizon=10, scenario=scenario,
                              calibration=fit)
    capital = params.costs.fixed_by_year(2025, 10)["capital"]
    assert capital[2027 - 2025] == 150 * 75_000 and capital.sum() == 150 * 75_000
    scenario, _, _ = load_scenario(SCENARIOS / "assessment-capacity.toml")
    params = build_parameters(dataset, "Gloucestershire", start_year=2025, horizon=10, scenario=scenario,
                              calibration=fit)
    staff = params.costs.fixed_by_year(2025, 10)["assessment_staff"]
    # 2023-24 pounds restated at 2025-26 prices: up two years at the deflator (a 2% a year assumption)
    extra = 1250 - baseline.assessment.capacity_per_year[0][1]
    assert extra > 0 and staff == pytest.approx(np.full(10, extra * 2470466 / 1016 * 1.02 ** 2))
    assert baseline.costs.transport_gbp_per_year == pytest.approx(np.full(7, 14938117 / 5876 * 1.02 ** 2))
    assert not baseline.costs.fixed_gbp


def test_groups_without_a_unit_cost_travel_as_a_structured_note(dataset):
    from sendcast.runtime.notes import NoteKind, subjects
    from sendcast.scenarios.parameters import GROUP_OF_PLACEMENT, placement_costs
    from simulation.parameters import PLACEMENTS

    costs, notes = placement_costs(la_history(dataset, "Somerset"), None, None, dataset)
    missing = subjects(notes, NoteKind.NOT_COSTED)
    assert missing == ["ehcp_ap", "ehcp_other"]                       # no AP or "other" line for Somerset
    unit = np.asarray(costs.placement_gbp_per_year, dtype=float)
    assert all(unit[k] == 0 for k, p in enumerate(PLACEMENTS)
               if GROUP_OF_PLACEMENT[p] in missing)
    assert [n.severity for n in notes if n.kind is NoteKind.NOT_COSTED] == ["warning"]
    _, glos = placement_costs(la_history(dataset, "Gloucestershire"), None, None, dataset)
    assert subjects(glos, NoteKind.NOT_COSTED) == [] and all(n.kind is NoteKind.UNIT_COSTS for n in glos)


def test_the_trend_damping_is_chosen_on_every_las_requests_known_at_the_origin(dataset):
    from sendcast.scenarios.parameters import damping_choice, history_until

    history = la_history(dataset, "Gloucestershire")
    assert history.requests_panel.shape[0] > 140 and history.requests_panel.columns.max() == 2024
    damping, line = damping_choice(history, 2025)
    assert "every LA's published requests to 2024" in line and f"damping {damping:g}," in line
    cut = history_until(history, 2022)
    assert cut.requests_panel.columns.max() == 2021                   # nothing after the origin
    assert "to 2021" in damping_choice(cut, 2022)[1]
    own = LaHistory(history.la_code, history.la_name, history.la_number, history.rows)
    assert "own requests" in damping_choice(own, 2025)[1]


@pytest.mark.slow  # shares fit: one calibration of Gloucestershire
def test_assessment_durations_stay_illustrative_and_each_run_draws_its_share_within_20_weeks(dataset, fit, baseline):
    from sendcast.scenarios.parameters import duration_key, parameter_draws
    from sendcast.scenarios.timeliness_setup import known_fit, published_share

    history = la_history(dataset, "Gloucestershire")
    assert published_share(history.rows, 2025) == pytest.approx(26.3)  # SEN2, calendar 2024
    assert (baseline.assessment.decision_weeks_mean, baseline.assessment.assessment_weeks_mean) == (5.0, 10.0)
    curve = known_fit(duration_key(history, 2025))
    assert curve is not None and curve.scale == 1.0  # measured for the draws, not applied (chosen out of sample)
    draws = parameter_draws(baseline, history, fit, 2025, 11, 6)
    weeks = [d.assessment.assessment_weeks_mean for d in draws]
    assert len(set(weeks)) == 6 and min(weeks) < 10.0 < max(weeks)


@pytest.mark.slow  # two calibrations of Gloucestershire, about 20 CPU-s
def test_mid_phase_moves_when_switched_on_are_fitted_with_the_placements_and_move_no_flow(dataset, fit, monkeypatch):
    """Moves are off in the product (not adopted, issue 19); switched on, the calibration
    fits their scale with the placement shares and leaves every flow as without them."""
    monkeypatch.setattr(parameters_module, "FIT_MID_PHASE_MOVES", True)
    moved = calibrate_la(dataset, "Gloucestershire", start_year=2025)
    assert fit.parameters.placement.mid_phase_moves is None
    assert moved.parameters.placement.moves
    assert 0.02 <= moved.fitted["mid_phase_moves_scale"] <= 1.5
    flows = ["new_plans", "requests", "plans_ceased", "sen_support", "ehcp_total"]
    for report in (fit.report, moved.report):
        assert set(flows) <= set(report["measure"])
    without = fit.report[fit.report["measure"].isin(flows)].set_index(["measure", "breakdown", "year"])["simulated"]
    with_moves = moved.report[moved.report["measure"].isin(flows)].set_index(["measure", "breakdown", "year"])["simulated"]
    np.testing.assert_allclose(with_moves.reindex(without.index).to_numpy(), without.to_numpy(), rtol=1e-6)
    note = mid_phase_moves_note(la_history(dataset, "E10000013"), 2025, moved.parameters.placement.mid_phase_moves,
                                moved.fitted["mid_phase_moves_scale"])
    assert "the calibration scales them by" in note and "not validated out of sample" in note


def test_the_share_of_requests_withdrawn_is_estimated_from_flows_published_by_the_origin(dataset, monkeypatch):
    """WITHDRAWALS (an option, off): the share pooled on every LA's flows to the calendar year
    before the start only; a later year's flows do not move it; off, it is 0."""
    import sendcast.scenarios.parameters as setup

    history = setup.la_history(dataset, "Gloucestershire")
    assert setup.withdrawal_choice(setup.history_until(history, 2022), 2022)[0] == 0.0  # off by default
    monkeypatch.setattr(setup, "WITHDRAWALS", "estimated")
    cut = setup.history_until(history, 2022)
    share, line = setup.withdrawal_choice(cut, 2022)
    assert 0.03 < share < 0.15 and "ASSUMPTION" in line and "to 2021" in line
    later = setup.history_until(history, 2025)  # flows to 2024, the timeliness panel beyond
    assert setup.withdrawal_choice(later, 2022)[0] == share  # only years to 2021 pooled


def _hand_start_fit():
    from simulation.timeliness import BacklogFit, StartCapacityFit

    curve = BacklogFit(weeks=15.0, target_pct=60.0, grid=(2.0, 15.0, 52.0), share_pct=(90.0, 60.0, 10.0), reached=True)
    return StartCapacityFit(weeks=15.0, capacity=800.0, target_pct=60.0, target_plans=700.0, factors=(1.0,),
                            weeks_at=(15.0,), plans_at=(700.0,), backlog=curve, reached=True)


def test_the_capacity_response_re_estimated_off_the_corrected_backlog_uses_only_years_before_the_origin(dataset):
    """START_BACKLOG = "timeliness_capacity" (an option, off): each year's response from 2019 is
    its completions over the year before's decisions plus the backlog read off the share
    published the year before; a later year's flows and shares do not move it."""
    import sendcast.scenarios.parameters as setup

    history = setup.la_history(dataset, "Gloucestershire")
    a = setup.Assessment()
    cut = setup.history_until(history, 2022)
    years, responses = setup.corrected_response_series(cut, 2022, a, _hand_start_fit())
    assert years == (2019, 2020, 2021)
    later = setup.corrected_response_series(setup.history_until(history, 2025), 2022, a, _hand_start_fit())
    assert later == (years, responses)  # only flows and shares to 2021
    done = (history.total("new_plans", 2021) or 0.0) + (history.total("assessed_not_issued", 2021) or 0.0)
    decided = history.total("requests", 2020) - (history.total("requests_refused", 2020) or 0.0)
    from simulation.timeliness import weeks_for_share

    weeks = weeks_for_share(_hand_start_fit().backlog, history.total("issued_within_20wk_pct", 2020))
    assert responses[-1] == pytest.approx(done / (decided * (1.0 + weeks / 52.0)))
    assert setup.capacity_start(cut, 2022, None) is None  # off by default: the flow balance's start and response


@pytest.mark.slow  # one calibration of Gloucestershire to 2022 and the joint fit: about 15 CPU-s
def test_under_the_capacity_start_the_run_starts_with_the_fitted_backlog_capacity_and_response(dataset,
                                                                                                monkeypatch):
    import sendcast.scenarios.parameters as setup

    monkeypatch.setattr(setup, "START_BACKLOG", "timeliness_capacity")
    monkeypatch.setattr(setup, "_CAPACITY_STARTS", {})
    cut = setup.history_until(setup.la_history(dataset, "Gloucestershire"), 2022)
    fit = setup.calibrate_la(dataset, "Gloucestershire", start_year=2022, history=cut)
    params = build_parameters(dataset, "E10000013", start_year=2022, horizon=3, calibration=fit, history=cut)
    (start,) = setup._CAPACITY_STARTS.values()
    assert start is not None and start.fit.target_plans == pytest.approx(setup.matched_target_plans(cut, 2022))
    assert params.assessment.capacity_per_year[0] == (2022, pytest.approx(start.capacity))
    assert params.assessment.capacity_response == pytest.approx(np.mean(start.responses))
    decided = setup._decided_before(cut, 2022, params.assessment)
    assert params.caseload.in_assessment_by_age.sum() == pytest.approx(decided * start.weeks / 52.0)
    assert params.caseload.in_assessment_weeks_open == pytest.approx(start.weeks)
    draws = setup.parameter_draws(params, cut, fit, 2022, 5, 3, spread=False)
    drawn = [d.assessment.capacity_response for d in draws]  # bootstrap means of the re-estimated years
    assert all(min(start.responses) - 1e-9 <= r <= max(start.responses) + 1e-9 for r in drawn), drawn
    monkeypatch.setattr(setup, "CAPACITY_START_RESPONSE", "steady")  # the fitted start kept steady
    params = build_parameters(dataset, "E10000013", start_year=2022, horizon=3, calibration=fit, history=cut)
    steady = setup._CAPACITY_STARTS[next(k for k in setup._CAPACITY_STARTS if "steady" in k)]
    assert params.assessment.capacity_response == pytest.approx(steady.capacity / (decided * (1 + steady.weeks / 52)))
    monkeypatch.setattr(setup, "CAPACITY_START_PLANS", "typo")
    with pytest.raises(SetupError, match="CAPACITY_START_PLANS"):
        build_parameters(dataset, "E10000013", start_year=2022, horizon=3, calibration=fit, history=cut)


def test_the_run_starts_from_the_calibration_s_flow_balance_across_a_withheld_year(dataset):
    """One backlog rule (simulation.flow_balance): the run's starting backlog is the balance
    the calibration estimated the capacity response on. Sheffield's 2022 new plans are
    withheld (they contradict their own rows); the run's start once read them as none
    completed, adding a year's plans to the backlog (1,114 waiting in January 2025)."""
    from simulation.calibration import estimate_rates

    for name in ("Sheffield", "Bath and North East Somerset", "Gloucestershire"):
        history = parameters_module.la_history(dataset, name)
        first = parameters_module.FIRST_CALIBRATION_YEAR
        rates = estimate_rates(parameters_module.assessment_flows(history, first, 2024), 15.0).set_index("year")
        last = rates.loc[2024]
        balance = max(last["backlog_january"] + last["decisions_to_assess"] - last["assessments"], 0.0)
        expected = max(balance, last["assessments"] * 15.0 / 52.0)
        assert parameters_module.open_assessments(history, first, 2025, 15.0) == pytest.approx(expected), name
    sheffield = parameters_module.la_history(dataset, "Sheffield")
    assert parameters_module.open_assessments(sheffield, parameters_module.FIRST_CALIBRATION_YEAR, 2025, 15.0) < 400
