"""Assessment durations fitted to a published share of plans issued within 20 weeks
(simulation.timeliness), in planner language."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation.examples import gloucestershire_example
from simulation.model import simulate
from simulation.parameters import Assessment
from simulation.timeliness import DurationFit, fit_duration_scale, first_year_share, with_duration_scale


@pytest.fixture(scope="module")
def keeping_up():
    """A service with ample assessment capacity: only the durations set the share."""
    base = gloucestershire_example(horizon=2)
    return dataclasses.replace(base, assessment=Assessment(capacity_per_year=5_000))


def test_the_pipeline_alone_issues_what_the_whole_replication_issues(keeping_up):
    from simulation.model import issued_plans

    times, _ = issued_plans(keeping_up, 3, 0, 1.0)
    whole = simulate(keeping_up, 3, 0)
    assert times.size == whole.flows[("new_plans", "")][0]


def test_longer_assessments_never_raise_the_share_issued_within_20_weeks(keeping_up):
    shares = [first_year_share(with_duration_scale(keeping_up, s), 5, 2) for s in (0.5, 1.0, 1.5, 2.5)]
    assert all(a >= b for a, b in zip(shares, shares[1:])), shares


def test_a_council_that_publishes_a_lower_share_is_given_longer_assessments(keeping_up):
    scales = [fit_duration_scale(keeping_up, target, 7).scale for target in (90.0, 60.0, 30.0)]
    assert scales[0] < scales[1] < scales[2]


def test_the_fitted_durations_give_the_published_share_within_simulation_noise(keeping_up):
    fit = fit_duration_scale(keeping_up, 55.0, 11)
    assert fit.reached
    check = first_year_share(with_duration_scale(keeping_up, fit.scale), 99, 4)  # other seeds than the fit's
    assert check == pytest.approx(55.0, abs=6.0)


def test_a_share_the_model_cannot_reach_is_flagged_and_gets_the_nearest_end(keeping_up):
    fit = fit_duration_scale(keeping_up, 100.0, 7, grid=(1.0, 2.0))
    assert not fit.reached and fit.scale == pytest.approx(1.0)
    assert np.all(np.diff(fit.share_pct) <= 0)


def _curve() -> DurationFit:
    return DurationFit(scale=1.0, target_pct=50.0, grid=(0.5, 1.0, 2.0), share_pct=(80.0, 50.0, 20.0), reached=True)


def test_a_drawn_share_becomes_the_scale_that_gives_it_on_the_fitted_curve(keeping_up):
    from simulation.timeliness import draw_durations, scale_for_share

    fit = _curve()
    assert scale_for_share(fit, 80.0) == pytest.approx(0.5) and scale_for_share(fit, 20.0) == pytest.approx(2.0)
    assert scale_for_share(fit, 95.0) == pytest.approx(0.5)  # beyond the curve: its end
    changes = np.array([-30.0, 0.0, 30.0])
    drawn = [draw_durations(keeping_up, fit, changes, np.random.default_rng(seed)).assessment.assessment_weeks_mean
             for seed in range(40)]
    assert min(drawn) < keeping_up.assessment.assessment_weeks_mean < max(drawn)  # both ways round the fit
    same = draw_durations(keeping_up, fit, changes, np.random.default_rng(7)).assessment
    assert same == draw_durations(keeping_up, fit, changes, np.random.default_rng(7)).assessment  # one stream, one draw


def test_no_published_changes_draw_nothing_but_still_use_one_number(keeping_up):
    from simulation.timeliness import draw_durations

    rng = np.random.default_rng(3)
    assert draw_durations(keeping_up, _curve(), np.empty(0), rng) is keeping_up
    assert rng.random() == np.random.default_rng(3).random(2)[1]  # the stream's order never depends on the values


# ------------------------------------------------------------------ the backlog at the start
@pytest.fixture(scope="module")
def stretched():
    """A service whose capacity just covers its decisions to assess (663 a year in the
    example): a backlog at the start is worked off slowly, so its size sets the share."""
    base = gloucestershire_example(horizon=2)
    return dataclasses.replace(base, assessment=Assessment(capacity_per_year=680.0)), 663.0


def test_a_start_consistent_with_a_published_60_pct_issues_about_60_pct_in_the_first_year(stretched):
    """Planner's reading: a council that issued 60% of its plans within 20 weeks last year
    starts the run with the backlog that gives about 60% in the run's first year."""
    from simulation.timeliness import fit_starting_backlog, with_starting_backlog

    params, decided = stretched
    fit = fit_starting_backlog(params, 60.0, decided, 7)
    assert fit.reached
    check = first_year_share(with_starting_backlog(params, fit.weeks, decided), 99, 4)  # other seeds than the fit's
    assert check == pytest.approx(60.0, abs=10.0)
    started = with_starting_backlog(params, fit.weeks, decided).caseload
    assert started.in_assessment_by_age.sum() == pytest.approx(decided * fit.weeks / 52.0)
    assert started.in_assessment_weeks_open == pytest.approx(fit.weeks)  # Little's law: weeks of demand in hand


def test_a_council_that_published_a_lower_share_starts_with_a_larger_backlog(stretched):
    from simulation.timeliness import fit_starting_backlog

    params, decided = stretched
    weeks = [fit_starting_backlog(params, target, decided, 7).weeks for target in (80.0, 50.0, 25.0)]
    assert weeks[0] < weeks[1] < weeks[2]


def test_a_larger_backlog_at_the_start_never_raises_the_first_year_share(stretched):
    from simulation.timeliness import with_starting_backlog

    params, decided = stretched
    shares = [first_year_share(with_starting_backlog(params, w, decided), 5, 2) for w in (4.0, 15.0, 30.0, 60.0)]
    assert all(a >= b for a, b in zip(shares, shares[1:])), shares


def test_a_young_start_matched_to_last_years_completions_issues_about_that_many_plans(keeping_up):
    """Planner's reading: a council that kept up (a short queue at the start) but completed
    many assessments last year starts with as many more cases in hand, as young, as make the
    first year's plans about last year's; the age of the cases in hand is left as the share says."""
    from simulation.timeliness import first_year_plans, with_matched_completions, with_starting_backlog

    decided = 663.0
    short = with_starting_backlog(keeping_up, 4.0, decided)
    alone = first_year_plans(short, 7, 2)
    target = alone + 150.0
    matched, extra = with_matched_completions(keeping_up, 4.0, decided, target, 7, 2)
    assert extra > 100.0
    assert matched.caseload.in_assessment_weeks_open == pytest.approx(4.0)
    assert matched.caseload.in_assessment_by_age.sum() == pytest.approx(decided * 4.0 / 52.0 + extra)
    assert first_year_plans(matched, 99, 4) == pytest.approx(target, rel=0.05)  # other seeds than the fit's
    unchanged, none = with_matched_completions(keeping_up, 4.0, decided, alone - 50.0, 7, 2)
    assert none == 0.0
    assert unchanged.caseload.in_assessment_by_age.sum() == pytest.approx(decided * 4.0 / 52.0)


# ------------------------------------------------ the start and the first year's capacity
def test_more_first_year_capacity_never_lowers_the_share_or_the_plans(stretched):
    """Planner's reading: with the same cases in hand, a service that can complete more
    assessments in the year issues at least as many plans, and at least as large a share
    within 20 weeks."""
    from simulation.timeliness import first_year_plans, with_first_capacity, with_starting_backlog

    params, decided = stretched
    runs = [with_starting_backlog(with_first_capacity(params, c), 20.0, decided) for c in (400.0, 550.0, 680.0, 900.0)]
    shares = [first_year_share(run, 5, 2) for run in runs]
    plans = [first_year_plans(run, 5, 2) for run in runs]
    assert all(a <= b for a, b in zip(shares, shares[1:])), shares
    assert all(a <= b for a, b in zip(plans, plans[1:])), plans
    assert shares[-1] > shares[0] + 20.0  # capacity matters to a stretched service


def test_the_start_and_capacity_fitted_together_issue_the_published_share_and_last_years_plans(stretched):
    """Planner's reading: a council that issued 60% of its plans within 20 weeks last year and
    700 plans starts with the backlog and the first-year capacity that give both in the run's
    first year, the capacity (not extra cases in hand) supplying the plans."""
    from simulation.timeliness import (
        first_year_plans,
        fit_start_and_capacity,
        with_first_capacity,
        with_starting_backlog,
    )

    params, decided = stretched
    fit = fit_start_and_capacity(params, 60.0, 700.0, decided, 7)
    assert fit.reached and fit.capacity > 680.0  # more plans than the given capacity issues: more capacity
    run = with_starting_backlog(with_first_capacity(params, fit.capacity), fit.weeks, decided)
    assert run.caseload.in_assessment_by_age.sum() == pytest.approx(decided * fit.weeks / 52.0)  # nothing added
    assert first_year_plans(run, 99, 4) == pytest.approx(700.0, rel=0.05)  # other seeds than the fit's
    assert first_year_share(run, 99, 4) == pytest.approx(60.0, abs=10.0)
    fewer = fit_start_and_capacity(params, 60.0, 600.0, decided, 7)
    assert fewer.capacity < fit.capacity and fewer.weeks < fit.weeks  # fewer plans: less capacity, a shorter start
    assert all(a <= b for a, b in zip(fit.plans_at, fit.plans_at[1:]))


def test_plans_beyond_what_any_capacity_gives_are_flagged_and_get_the_nearest_end(stretched):
    from simulation.timeliness import fit_start_and_capacity

    params, decided = stretched
    fit = fit_start_and_capacity(params, 60.0, 100.0, decided, 7, factors=(1.0, 2.0))
    assert not fit.reached and fit.capacity == pytest.approx(680.0)


def test_the_first_years_capacity_is_set_and_later_years_kept():
    from simulation.timeliness import with_first_capacity

    base = gloucestershire_example(horizon=3)
    scheduled = dataclasses.replace(
        base, assessment=Assessment(capacity_per_year={base.start_year: 500.0, base.start_year + 1: 900.0})
    )
    set_ = with_first_capacity(scheduled, 750.0).assessment.capacity_per_year
    assert set_ == ((base.start_year, 750.0), (base.start_year + 1, 900.0))
    with pytest.raises(ValueError, match="unconstrained"):
        with_first_capacity(base, 750.0)


def test_the_capacity_response_is_completions_over_the_backlog_read_off_last_years_share():
    """Hand-sized: on a curve where 50% is 20 weeks in hand, 600 completions against 520
    decisions the year before are 600 / (520 x (1 + 20/52)); beyond the curve its end; a year
    without a published share has no response."""
    from simulation.timeliness import BacklogFit, corrected_responses

    curve = BacklogFit(weeks=20.0, target_pct=50.0, grid=(2.0, 20.0, 52.0), share_pct=(90.0, 50.0, 10.0), reached=True)
    got = corrected_responses(np.array([600.0, 600.0, 600.0]), np.array([520.0, 520.0, 520.0]),
                              np.array([50.0, 99.0, np.nan]), curve)
    assert got[0] == pytest.approx(600.0 / (520.0 * (1.0 + 20.0 / 52.0)))
    assert got[1] == pytest.approx(600.0 / (520.0 * (1.0 + 2.0 / 52.0)))
    assert np.isnan(got[2])


def test_a_share_above_what_the_model_issues_keeps_the_pipeline_in_hand_not_nobody():
    """Hand-sized: where last year's share (88.8%) is above the model's plateau (87%, within 1
    point up to 12 weeks), the backlog is the plateau's last weeks (12), not the grid's first
    (2); a share on the curve keeps the weeks read off it."""
    from simulation.timeliness import BacklogFit, kept_up_weeks

    grid, shares = (2.0, 8.0, 12.0, 15.0, 20.0), (87.0, 87.0, 86.5, 80.0, 60.0)
    above = BacklogFit(weeks=2.0, target_pct=88.8, grid=grid, share_pct=shares, reached=False)
    assert kept_up_weeks(above) == pytest.approx(12.0)
    on = BacklogFit(weeks=17.5, target_pct=70.0, grid=grid, share_pct=shares, reached=True)
    assert kept_up_weeks(on) == pytest.approx(17.5)
