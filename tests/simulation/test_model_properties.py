"""Properties a planner would recognise, on the discrete-event model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulation.examples import gloucestershire_example
from simulation.model import arrivals_and_exits, simulate
from simulation.parameters import (AGES, Assessment, Caseload, EarlyIdentification, PlaceBlock, SpecialPlaces)


def small(params, scale: float):
    """The same scenario for a population ``scale`` times the size."""
    c = params.caseload
    return dataclasses.replace(
        params,
        population=dataclasses.replace(params.population, by_age=params.population.by_age * scale),
        caseload=Caseload(sen_support_by_age=np.round(c.sen_support_by_age * scale),
                          ehcp_by_age=c.ehcp_by_age * scale, ehcp_by_placement=c.ehcp_by_placement * scale))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0.005, 0.05), request=st.floats(0.0, 3.0), identification=st.floats(0.0, 3.0),
       cease=st.floats(0.0, 3.0), capacity=st.one_of(st.none(), st.integers(1, 60)),
       places=st.one_of(st.none(), st.integers(0, 40)), policy=st.sampled_from(["independent", "wait"]),
       early=st.floats(0.0, 1.0), relative_risk=st.floats(0.2, 3.0), refusal=st.floats(0.0, 1.0),
       horizon=st.integers(1, 8), seed=st.integers(0, 2**32), response=st.one_of(st.none(), st.floats(0.1, 2.0)),
       backlog=st.integers(0, 40), weeks_open=st.one_of(st.none(), st.floats(1.0, 100.0)),
       over_capacity=st.floats(0.0, 0.3), overflow_rate=st.one_of(st.just(0.0), st.floats(0.1, 5.0)),
       waiting=st.sampled_from(["other", "mainstream"]))
# found by this test: a child waiting for a place went independent before it began to wait
# (the overflow delay was counted from the SimPy clock, which lags a plan's start), giving a
# negative stock of waiting children; mended in simulation/model.py (_Model._wait)
@example(scale=0.03125, request=1.0, identification=2.0, cease=0.0, capacity=1, places=0, policy="wait", early=0.0,
         relative_risk=1.0, refusal=0.0, horizon=5, seed=0, response=None, backlog=0, weeks_open=None,
         over_capacity=0.0, overflow_rate=1.0, waiting="other")
def test_no_child_is_created_or_lost(scale, request, identification, cease, capacity, places, policy, early,
                                     relative_risk, refusal, horizon, seed, response, backlog, weeks_open,
                                     over_capacity, overflow_rate, waiting):
    base = small(gloucestershire_example(horizon=horizon), scale)
    open_now = np.zeros(AGES)
    open_now[[3, 8, 13]] = [backlog // 3, backlog // 3, backlog - 2 * (backlog // 3)]
    base = dataclasses.replace(base, caseload=dataclasses.replace(base.caseload, in_assessment_by_age=open_now,
                                                                  in_assessment_weeks_open=weeks_open))
    if capacity is None:
        response = None
    c = base.ceasing
    params = dataclasses.replace(
        base,
        sen_support=dataclasses.replace(base.sen_support, request_rate_by_age=base.sen_support.request_rate_by_age * request),
        arrivals=dataclasses.replace(base.arrivals, sen_support_rate_by_age=base.arrivals.sen_support_rate_by_age * identification),
        ceasing=dataclasses.replace(c, left_education_rate_by_age=c.left_education_rate_by_age * cease),
        assessment=Assessment(capacity_per_year=capacity, refusal_probability=refusal, capacity_response=response),
        special_places=SpecialPlaces(blocks=None if places is None else (PlaceBlock("all", places),),
                                     overflow_policy=policy, over_capacity_share=over_capacity,
                                     overflow_rate_per_year=overflow_rate, waiting_placement=waiting),
        early_identification=EarlyIdentification(share_identified_early=early, relative_risk=relative_risk,
                                                  capacity_children_per_year=5),
    )
    result = simulate(params, seed)
    arrivals, exits, change = arrivals_and_exits(result)
    np.testing.assert_array_equal(arrivals - exits, change)
    for values in result.stocks.values():
        assert np.all(values >= 0)
    groups = sum(result.stocks[(m, "")] for m in ("ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special",
                                                  "ehcp_fe", "ehcp_ap", "ehcp_other"))
    np.testing.assert_array_equal(groups, result.stocks[("ehcp_total", "")])


def test_zero_identification_gives_zero_new_plans():
    base = small(gloucestershire_example(horizon=6), 0.3)
    zero_rates = np.zeros(AGES)
    none_identified = dataclasses.replace(
        base,
        caseload=dataclasses.replace(base.caseload, sen_support_by_age=zero_rates),
        arrivals=dataclasses.replace(base.arrivals, sen_support_rate_by_age=zero_rates,
                                     direct_request_rate_by_age=zero_rates))
    result = simulate(none_identified, 11)
    assert result.flows[("new_plans", "")].sum() == 0
    assert result.flows[("requests", "")].sum() == 0
    assert result.stocks[("ehcp_total", "")][0] > 0  # plans there at the start remain, and cease
    assert result.flows[("plans_ceased", "")].sum() > 0
    # and the same scenario with identification does issue plans (the test can fail)
    assert simulate(base, 11).flows[("new_plans", "")].sum() > 0


def _runs(params, reps, seed=21):
    return [simulate(params, seed, r) for r in range(reps)]


def test_more_assessment_capacity_never_lowers_the_share_within_20_weeks():
    base = small(gloucestershire_example(horizon=5), 0.5)
    curves = []
    for capacity in (150, 250, 400, 1000):
        params = dataclasses.replace(base, assessment=Assessment(capacity_per_year=capacity))
        runs = _runs(params, 8)
        curves.append(np.nanmean([r.flows[("issued_within_20wk_pct", "")] for r in runs], axis=0))
    curves = np.array(curves)
    assert curves[0].mean() < 60 < curves[-1].mean()  # the range tested runs from short to ample
    assert np.all(np.diff(curves, axis=0) >= -1.0), curves  # never lower (1 point of noise allowed)
    assert np.all(np.diff(curves.mean(axis=1)) > 0)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(low=st.integers(20, 120), extra=st.integers(10, 120), discipline=st.sampled_from(["random", "fifo"]))
def test_more_assessment_capacity_never_lowers_the_share_within_20_weeks_property(low, extra, discipline):
    """Any two capacities, the same random numbers (common random numbers), 24 replications:
    the larger capacity's mean share within 20 weeks is never lower (each year, up to a
    point of Monte Carlo noise) and its mean over the years is not lower at all."""
    base = small(gloucestershire_example(horizon=4), 0.1)
    shares = []
    for capacity in (low, low + extra):
        params = dataclasses.replace(base, assessment=Assessment(capacity_per_year=capacity,
                                                                 queue_discipline=discipline))
        shares.append(np.nanmean([r.flows[("issued_within_20wk_pct", "")] for r in _runs(params, 24)], axis=0))
    assert np.all(shares[1] >= shares[0] - 1.5), np.round(shares, 1)
    assert shares[1].mean() >= shares[0].mean() - 0.25, np.round(shares, 1)


def _backlogged(horizon: int = 5):
    """The example at half size with a backlog of 400 children at the start, dated over 30 weeks."""
    base = small(gloucestershire_example(horizon=horizon), 0.5)
    open_now = np.zeros(AGES)
    open_now[4:16] = 400 / 12
    return dataclasses.replace(base, caseload=dataclasses.replace(base.caseload, in_assessment_by_age=open_now,
                                                                  in_assessment_weeks_open=30.0))


def test_capacity_that_responds_to_a_longer_queue_shortens_it():
    """The same first-year capacity; frozen, the backlog stays; responding to the work in
    hand each January, the service takes it on and the queue is shorter and faster."""
    base = _backlogged()
    out = {}
    for name, response in (("frozen", None), ("responsive", 0.6)):
        params = dataclasses.replace(base, assessment=Assessment(capacity_per_year=250, capacity_response=response))
        runs = _runs(params, 6)
        out[name] = (np.mean([r.stocks[("in_assessment", "")] for r in runs], axis=0),
                     np.nanmean([r.flows[("issued_within_20wk_pct", "")] for r in runs], axis=0))
    frozen_queue, frozen_share = out["frozen"]
    queue, share = out["responsive"]
    assert frozen_queue[-1] > 300                        # frozen, the queue does not clear
    assert queue[-1] < 0.6 * frozen_queue[-1], (queue, frozen_queue)
    assert share[-1] > frozen_share[-1] + 10, (share, frozen_share)


def test_more_assessment_capacity_never_lowers_the_share_within_20_weeks_when_capacity_responds():
    """Capacity responding to demand: a service that takes on more of its work in hand each
    year, or a funded floor under it, never issues a lower share within 20 weeks."""
    base = _backlogged()
    shares = []
    for response, floor in ((0.4, 1), (0.55, 1), (0.7, 1), (0.7, 500)):
        params = dataclasses.replace(base, assessment=Assessment(capacity_per_year={2019: 250, 2020: floor},
                                                                 capacity_response=response))
        shares.append(np.nanmean([r.flows[("issued_within_20wk_pct", "")] for r in _runs(params, 8)], axis=0))
    shares = np.array(shares)
    assert np.all(np.diff(shares, axis=0) >= -1.0), shares.round(1)
    assert np.all(np.diff(shares.mean(axis=1)) > 0), shares.round(1)


def test_a_backlog_dated_over_past_weeks_issues_fewer_plans_on_time():
    """The starting backlog's requests dated from the flows (30 weeks) rather than all 5
    weeks back: the first year's plans from it are later against the 20-week limit."""
    base = _backlogged(horizon=2)
    late = dataclasses.replace(base, assessment=Assessment(capacity_per_year=600))
    recent = dataclasses.replace(late, caseload=dataclasses.replace(late.caseload, in_assessment_weeks_open=None))
    share = [np.mean([r.flows[("issued_within_20wk_pct", "")][0] for r in _runs(p, 4)]) for p in (late, recent)]
    assert share[0] < share[1] - 10, share


def test_more_special_places_never_raises_independent_placements():
    base = small(gloucestershire_example(horizon=6), 0.5)
    totals = []
    for places in (300, 450, 600, 800):
        params = dataclasses.replace(base, special_places=SpecialPlaces(blocks=(PlaceBlock("all", places),)))
        runs = _runs(params, 6)
        totals.append(np.mean([r.stocks[("ehcp_independent_special", "")] for r in runs], axis=0))
    totals = np.array(totals)
    assert totals[0, -1] > totals[-1, -1] + 20  # shortage does turn into independent placements
    assert np.all(np.diff(totals, axis=0) <= 0.5), totals


def test_more_special_places_never_raises_independent_placements_when_children_wait_and_overflow_at_a_rate():
    """The baseline's rule (wait, then independent at 2 a year) with places growing each
    January: paired seeds (common random numbers), more places never raise independent
    placements (mean of the replications, each January) and never change the number of
    plans in any replication (places move children between placements; they never create
    or lose one)."""
    base = small(gloucestershire_example(horizon=6), 0.5)
    independent, totals = [], []
    for places in (300, 450, 600, 800):
        growing = tuple(PlaceBlock("all", 15, from_year=2020 + k) for k in range(5))
        params = dataclasses.replace(base, special_places=SpecialPlaces(
            blocks=(PlaceBlock("all", places), *growing), overflow_policy="wait", overflow_rate_per_year=2.0))
        runs = _runs(params, 6)
        independent.append(np.mean([r.stocks[("ehcp_independent_special", "")] for r in runs], axis=0))
        totals.append([r.stocks[("ehcp_total", "")] for r in runs])
        if places == 300:  # short of places: children overflow, after a wait
            assert sum(r.flows[("overflow_independent", "")].sum() for r in runs) > 0
            assert sum(r.flows[("child_weeks_waited", "")].sum() for r in runs) > 0
    independent = np.array(independent)
    assert independent[0, -1] > independent[-1, -1] + 20  # a shortage does turn into independent placements
    assert np.all(np.diff(independent, axis=0) <= 0.5), independent.round(1)
    for other in totals[1:]:
        np.testing.assert_array_equal(other, totals[0])


def test_places_opening_on_the_runs_last_january_are_given_before_its_last_count():
    """Places that open on the last 1 January of a run go to children waiting before that
    January's count, as on every earlier January (after repaying the children already in
    places beyond capacity): nothing before it changes (same seed), plans are neither made
    nor lost, and state special gains what waiting loses."""
    base = small(gloucestershire_example(horizon=4), 0.5)
    last, extra, places = base.start_year + base.horizon, 150, 300
    counts = {}
    for added in (0, extra):
        blocks = (PlaceBlock("all", places),) + ((PlaceBlock("all", added, from_year=last),) if added else ())
        settings = SpecialPlaces(blocks=blocks, overflow_policy="wait", waiting_placement="mainstream")
        counts[added] = simulate(dataclasses.replace(base, special_places=settings), 11).stocks
    before, after = counts[0], counts[extra]
    for measure in ("ehcp_state_special", "waiting_special_place", "ehcp_mainstream", "ehcp_total"):
        np.testing.assert_array_equal(after[(measure, "")][:-1], before[(measure, "")][:-1])
    waiting, special = before[("waiting_special_place", "")][-1], before[("ehcp_state_special", "")][-1]
    given = min(waiting, extra - max(special - places, 0))  # beyond capacity repaid first
    assert given > 0
    assert after[("ehcp_state_special", "")][-1] - special == given
    assert waiting - after[("waiting_special_place", "")][-1] == given
    assert after[("ehcp_total", "")][-1] == before[("ehcp_total", "")][-1]


def test_waiting_policy_makes_children_wait_instead():
    base = small(gloucestershire_example(horizon=5), 0.5)
    blocks = (PlaceBlock("all", 350),)
    independent = simulate(dataclasses.replace(base, special_places=SpecialPlaces(blocks=blocks)), 4)
    waiting = simulate(dataclasses.replace(base, special_places=SpecialPlaces(blocks=blocks, overflow_policy="wait")), 4)
    assert independent.flows[("overflow_independent", "")].sum() > 0
    assert independent.flows[("child_weeks_waited", "")].sum() == 0
    assert waiting.flows[("overflow_independent", "")].sum() == 0
    assert waiting.flows[("child_weeks_waited", "")].sum() > 0
    assert waiting.stocks[("waiting_special_place", "")][-1] > 0


def test_a_child_of_school_age_waiting_for_a_special_place_can_be_counted_in_mainstream():
    """Where a waiting child is counted moves children between "other" and mainstream, and
    nothing else: the same seed gives the same plans, special and independent placements,
    waits and overflow; mainstream gains each January exactly the children "other" loses."""
    base = small(gloucestershire_example(horizon=5), 0.5)
    blocks = (PlaceBlock("all", 300), *(PlaceBlock("all", 10, from_year=2021 + k) for k in range(4)))
    runs = {}
    for waiting in ("other", "mainstream"):
        places = SpecialPlaces(blocks=blocks, overflow_policy="wait", overflow_rate_per_year=1.0,
                               waiting_placement=waiting)
        runs[waiting] = simulate(dataclasses.replace(base, special_places=places), 7)
    other, mainstream = runs["other"].stocks, runs["mainstream"].stocks
    assert other[("waiting_special_place", "")][1:].min() > 0  # children do wait
    moved = mainstream[("ehcp_mainstream", "")] - other[("ehcp_mainstream", "")]
    assert moved[1:].min() > 0
    np.testing.assert_array_equal(other[("ehcp_other", "")] - mainstream[("ehcp_other", "")], moved)
    assert np.all(moved <= other[("waiting_special_place", "")])  # only waiting children move
    for measure in ("ehcp_total", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe", "ehcp_ap",
                    "waiting_special_place"):
        np.testing.assert_array_equal(mainstream[(measure, "")], other[(measure, "")])
    for flow in ("overflow_independent", "child_weeks_waited", "new_plans"):
        np.testing.assert_array_equal(runs["mainstream"].flows[(flow, "")], runs["other"].flows[(flow, "")])


def test_same_seed_gives_identical_output_and_another_seed_does_not():
    params = small(gloucestershire_example(horizon=4), 0.3)
    params = dataclasses.replace(params, assessment=Assessment(capacity_per_year=120),
                                 special_places=SpecialPlaces(blocks=(PlaceBlock("all", 300),)))
    first = simulate(params, 99, 3).to_frame()
    pd.testing.assert_frame_equal(first, simulate(params, 99, 3).to_frame())
    assert not first.equals(simulate(params, 99, 4).to_frame())
    assert not first.equals(simulate(params, 100, 3).to_frame())


def test_costs_add_up_by_component():
    params = gloucestershire_example(horizon=3)
    result = simulate(params, 1)
    parts = sum(v for (m, b), v in result.flows.items() if m == "cost_gbp" and b.startswith("component="))
    np.testing.assert_allclose(parts, result.flows[("cost_gbp", "")])
    first_year = result.flows[("cost_gbp", "component=independent_special")][0]
    stock = result.stocks[("ehcp_independent_special", "")][:2].mean()
    assert abs(first_year / 82_000 - stock) < 0.05 * stock  # a year in a placement costs its unit cost
