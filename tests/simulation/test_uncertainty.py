"""Parameter uncertainty: a bootstrap over the fitted years, drawn per replication."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulation.examples import gloucestershire_example
from simulation.parameters import Assessment, schedule_values
from simulation.streams import stream
from simulation.trends import damped_factors
from simulation.uncertainty import bootstrap_mean, draw_parameters


def _params():
    base = gloucestershire_example(horizon=6)    # 2019-2024, fitted to 2020
    return replace(base, sen_support=replace(base.sen_support, request_multiplier={2019: 1.0, 2020: 1.2}),
                   assessment=Assessment(capacity_per_year={2019: 600.0, 2020: 1.0}, capacity_response=0.6))


def test_bootstrap_means_stay_within_the_values_and_vary():
    rng = np.random.default_rng(1)
    draws = [bootstrap_mean(np.array([0.1, 0.2, 0.4]), rng) for _ in range(200)]
    assert min(draws) >= 0.1 - 1e-12 and max(draws) <= 0.4 + 1e-12 and len(set(np.round(draws, 6))) > 3


def test_a_draw_changes_only_the_growth_after_the_fitted_years_and_the_capacity_response():
    params = _params()
    drawn = draw_parameters(params, stream(7, 0, "parameter_draw"), last_fitted_year=2020,
                            request_changes=np.array([0.1, 0.3]), damping=1.0,
                            response_shares=np.array([0.5, 0.7]))
    values = schedule_values(drawn.sen_support.request_multiplier, 2019, 6)
    np.testing.assert_allclose(values[:2], [1.0, 1.2])                      # fitted years as fitted
    growth = np.log(values[2] / 1.2)
    assert growth in (0.1, 0.2, 0.3) or np.isclose(growth, [0.1, 0.2, 0.3]).any()
    np.testing.assert_allclose(values[2:], 1.2 * damped_factors(growth, 1.0, 4))
    response = drawn.assessment.capacity_response
    assert np.isclose(response, [0.5, 0.6, 0.7]).any()
    first = drawn.assessment.capacity_per_year[0][1]
    assert np.isclose(first, 600.0 * response / 0.6)                        # the first year moves with it
    # half-way adjustment (lambda = 0.5): the whole capacity path moves, the first year in full
    half = replace(params, assessment=replace(params.assessment, capacity_adjustment=0.5))
    drawn = draw_parameters(half, stream(7, 0, "parameter_draw"), last_fitted_year=2020,
                            request_changes=np.array([0.1, 0.3]), damping=1.0, response_shares=np.array([0.5, 0.7]))
    assert drawn.assessment.capacity_response == response
    assert np.isclose(drawn.assessment.capacity_per_year[0][1], 600.0 * response / 0.6)
    # the same stream draws the same parameters (a scenario and its baseline agree)
    again = draw_parameters(params, stream(7, 0, "parameter_draw"), last_fitted_year=2020,
                            request_changes=np.array([0.1, 0.3]), damping=1.0, response_shares=np.array([0.5, 0.7]))
    assert again.assessment.capacity_response == response


def test_nothing_to_resample_leaves_the_parameters_as_they_are():
    params = _params()
    same = draw_parameters(params, stream(7, 0, "parameter_draw"), last_fitted_year=2020,
                           request_changes=np.array([0.2]), response_shares=None)
    assert same is params


# ------------------------------------------------------------ predictive draws (issue 19)
import pytest  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from simulation.parameters import AP, INDEPENDENT, STATE_SPECIAL  # noqa: E402
from simulation.uncertainty import (PLACEMENT_DRAW_GROUPS, SOURCES, PredictiveSpread, conversion_log_errors,  # noqa: E402
                                    error_path, placement_sensitivity, reachable_count_error,
                                    share_factor)

ERRORS = np.array([-0.3, -0.1, 0.0, 0.05, 0.2, 0.4])


def _spread(scale: float = 1.0) -> PredictiveSpread:
    return PredictiveSpread(request_errors=(ERRORS, 1.5 * ERRORS), identification_errors=(0.5 * ERRORS,),
                            conversion_errors=ERRORS, placement_errors={g: ERRORS for g in PLACEMENT_DRAW_GROUPS},
                            placement_sensitivity={g: 0.15 for g in PLACEMENT_DRAW_GROUPS}, scale=scale)


def _draws(spread, replications: int = 60, seed: int = 3, changes=np.array([0.1, 0.3]), shares=np.array([0.5, 0.7])):
    params = _params()
    return [draw_parameters(params, stream(seed, r, "parameter_draw"), last_fitted_year=2020, request_changes=changes,
                            damping=0.8, response_shares=shares, spread=spread)
            for r in range(replications)]


def _requests(params, year: int) -> float:
    return float(schedule_values(params.sen_support.request_multiplier, year, 1)[0])


def test_errors_are_centred_so_the_median_draw_is_the_central_rule():
    spread = _spread()
    assert np.median(spread.request_errors[0]) == 0.0 and np.median(spread.conversion_errors) == 0.0
    np.testing.assert_allclose(error_path(spread.request_errors, 0.5, 4), 0.0, atol=1e-12)
    path = error_path(spread.request_errors, 1.0, 4)              # the largest error at every horizon
    top = spread.request_errors[1].max()
    np.testing.assert_allclose(path, [spread.request_errors[0].max(), top, top * np.sqrt(3 / 2), top * np.sqrt(4 / 2)])


def test_the_request_draw_shifts_only_the_years_after_the_fitted_ones_by_the_error_path():
    params = _params()
    central = draw_parameters(params, stream(5, 0, "parameter_draw"), last_fitted_year=2020, damping=0.8,
                              request_changes=np.array([0.1, 0.3]))
    spread = PredictiveSpread(request_errors=(ERRORS, 1.5 * ERRORS))
    rng = stream(5, 0, "parameter_draw")
    drawn = draw_parameters(params, rng, last_fitted_year=2020, damping=0.8, request_changes=np.array([0.1, 0.3]),
                            spread=spread)
    # the stream after the bootstrap: the same uniform numbers the draw used
    check = stream(5, 0, "parameter_draw")
    check.integers(0, 2, 2)
    u = check.random(6)[0]
    expected = error_path(spread.request_errors, u, 4)
    for year, k in ((2019, 0), (2020, 0), (2021, 1), (2022, 2), (2024, 4)):
        shift = expected[k - 1] if k else 0.0
        assert np.isclose(_requests(drawn, year), _requests(central, year) * np.exp(shift)), year
    # nothing else moved
    assert drawn.assessment == central.assessment and drawn.placement is central.placement
    assert drawn.arrivals.sen_support_multiplier == central.arrivals.sen_support_multiplier


def test_the_identification_draw_moves_the_identification_multiplier_after_the_fitted_years():
    params = _params()
    drawn = [draw_parameters(params, stream(5, r, "parameter_draw"), last_fitted_year=2020,
                             spread=PredictiveSpread(identification_errors=(ERRORS,))) for r in range(20)]
    before = {float(schedule_values(d.arrivals.sen_support_multiplier, 2020, 1)[0]) for d in drawn}
    after = {round(float(schedule_values(d.arrivals.sen_support_multiplier, 2022, 1)[0]), 9) for d in drawn}
    assert before == {float(schedule_values(params.arrivals.sen_support_multiplier, 2020, 1)[0])}
    assert len(after) > 10                                        # every replication its own
    assert all(d.sen_support.request_multiplier == params.sen_support.request_multiplier for d in drawn)


@pytest.mark.parametrize("adjustment", [1.0, 0.5, 0.25])
def test_the_conversion_draw_moves_the_whole_capacity_path_whatever_the_adjustment(adjustment):
    """The draw moves the capacity response (the target) and the first year's capacity by
    the same exp(e): the half-way rule applied to the moved path is the central path
    times exp(e) (simulation.uncertainty.scale_conversion gives why not half the way)."""
    params = replace(_params(), assessment=replace(_params().assessment, capacity_adjustment=adjustment))
    factors = []
    for r in range(10):
        drawn = draw_parameters(params, stream(5, r, "parameter_draw"), last_fitted_year=2020,
                                spread=PredictiveSpread(conversion_errors=ERRORS))
        a = drawn.assessment
        factor = a.capacity_response / 0.6
        assert np.isclose(a.capacity_per_year[0][1], 600.0 * factor)
        assert np.exp(ERRORS.min() - np.median(ERRORS)) - 1e-9 <= factor <= np.exp(ERRORS.max() - np.median(ERRORS))
        factors.append(factor)
    assert len(set(np.round(factors, 9))) > 5
    frozen = replace(params, assessment=Assessment(capacity_per_year={2019: 600.0, 2021: 700.0}))
    drawn = draw_parameters(frozen, stream(5, 1, "parameter_draw"), last_fitted_year=2020,
                            spread=PredictiveSpread(conversion_errors=ERRORS))
    values = np.array([v for _, v in drawn.assessment.capacity_per_year])
    assert np.isclose(values[1] / values[0], 700.0 / 600.0)         # frozen: every year's capacity, alike


def _placement_draws(source: str, replications: int = 30):
    """The fitted placement mix and the mixes drawn for ``replications`` replications with
    ``source``'s errors (:data:`ERRORS`, count sensitivity 0.2) and no other source."""
    params = _params()
    spread = PredictiveSpread(placement_errors={source: ERRORS}, placement_sensitivity={source: 0.2})
    drawn = [draw_parameters(params, stream(5, r, "parameter_draw"), last_fitted_year=2020, spread=spread).placement
             for r in range(replications)]
    return params.placement, drawn


def test_the_placement_draw_scales_state_special_and_independent_together():
    """Specialist places are drawn as one group (issue 19): their combined share moves, the
    split between state special and independent stays as fitted (the places decide it)."""
    base, drawn = _placement_draws("ehcp_specialist")
    specialist = np.array([d.new_plan_shares[2, [STATE_SPECIAL, INDEPENDENT]].sum() for d in drawn])
    assert specialist.min() < base.new_plan_shares[2, [STATE_SPECIAL, INDEPENDENT]].sum() < specialist.max()
    for d in drawn:   # the split inside the group, and the mix of the rest, stay as fitted
        for rows, fitted in ((d.new_plan_shares[:4], base.new_plan_shares[:4]), (d.transfer, base.transfer)):
            with np.errstate(invalid="ignore", divide="ignore"):
                np.testing.assert_allclose(rows[..., INDEPENDENT] / rows[..., STATE_SPECIAL],
                                           fitted[..., INDEPENDENT] / fitted[..., STATE_SPECIAL], rtol=1e-9)
                np.testing.assert_allclose(rows[..., AP] / rows[..., 0], fitted[..., AP] / fitted[..., 0], rtol=1e-9)
        np.testing.assert_allclose(d.new_plan_shares.sum(axis=1), 1.0)
        np.testing.assert_allclose(d.transfer.sum(axis=-1), 1.0)


def test_a_split_draw_moves_independent_against_state_special_and_keeps_their_total():
    base, drawn = _placement_draws("independent_share_of_specialist")
    independent = np.array([d.new_plan_shares[2, INDEPENDENT] for d in drawn])
    assert independent.min() < base.new_plan_shares[2, INDEPENDENT] < independent.max()
    pair = [STATE_SPECIAL, INDEPENDENT]
    for d in drawn:
        np.testing.assert_allclose(d.new_plan_shares[:4, pair].sum(axis=1), base.new_plan_shares[:4, pair].sum(axis=1))
        np.testing.assert_allclose(d.transfer[..., pair].sum(axis=-1), base.transfer[..., pair].sum(axis=-1))
        np.testing.assert_allclose(d.new_plan_shares[:, AP], base.new_plan_shares[:, AP])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), replication=st.integers(0, 500))
def test_with_no_spread_the_draws_are_the_bootstrap_draws(seed, replication):
    params = _params()
    kwargs = dict(last_fitted_year=2020, request_changes=np.array([0.1, 0.3, 0.05]), damping=0.8,
                  identification_growth=0.02, response_shares=np.array([0.5, 0.7, 0.6]))
    plain = draw_parameters(params, stream(seed, replication, "parameter_draw"), **kwargs)
    zero = draw_parameters(params, stream(seed, replication, "parameter_draw"), spread=_spread(0.0), **kwargs)
    assert zero.sen_support.request_multiplier == plain.sen_support.request_multiplier
    assert zero.arrivals.sen_support_multiplier == plain.arrivals.sen_support_multiplier
    assert zero.assessment == plain.assessment
    np.testing.assert_array_equal(zero.placement.new_plan_shares, plain.placement.new_plan_shares)
    np.testing.assert_array_equal(zero.placement.transfer, plain.placement.transfer)


def _band(values) -> float:
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(hi - lo)


#: Each source alone (a measure mixing sources, e.g. one group's share when every group's
#: share is drawn, need not widen: the draws of the other groups rescale it), and what it moves.
ONE_SOURCE = (
    (dict(request_errors=(ERRORS, 1.5 * ERRORS)), lambda p: np.log(_requests(p, 2023))),
    (dict(identification_errors=(0.5 * ERRORS,)),
     lambda p: np.log(float(schedule_values(p.arrivals.sen_support_multiplier, 2022, 1)[0]))),
    (dict(conversion_errors=ERRORS), lambda p: np.log(p.assessment.capacity_response)),
    (dict(placement_errors={"ehcp_specialist": ERRORS}, placement_sensitivity={"ehcp_specialist": 0.15}),
     lambda p: np.log(p.placement.new_plan_shares[2, [STATE_SPECIAL, INDEPENDENT]].sum())),
    (dict(placement_errors={"independent_share_of_specialist": ERRORS},
          placement_sensitivity={"independent_share_of_specialist": 0.15}),
     lambda p: np.log(p.placement.new_plan_shares[2, INDEPENDENT])),
)


@settings(max_examples=8, deadline=None)
@given(low=st.floats(0.0, 2.0), extra=st.floats(0.01, 2.0), seed=st.integers(0, 10_000))
@example(low=0.0, extra=0.25, seed=9400)  # with the bootstrap of the capacity response on too, a
# sample's 2.5-97.5% range of a sum need not widen with one part (30 draws): found by hypothesis
def test_bands_widen_with_the_spread(low, extra, seed):
    # the source's own draws alone (no bootstrap of the growth or the response beside them),
    # drawn with the same uniform numbers at both scales
    for errors, measure in ONE_SOURCE:
        narrow, wide = (_draws(PredictiveSpread(**errors, scale=scale), replications=30, seed=seed, changes=None,
                               shares=None)
                        for scale in (low, low + extra))
        assert _band([measure(p) for p in wide]) >= _band([measure(p) for p in narrow]) - 1e-12


def test_a_scenario_and_its_baseline_draw_the_same_factors():
    params = _params()
    option = replace(params, assessment=Assessment(capacity_per_year={2019: 900.0, 2020: 1.0}, capacity_response=0.6))
    spread = _spread()
    for r in range(5):
        base = draw_parameters(params, stream(9, r, "parameter_draw"), last_fitted_year=2020, spread=spread)
        other = draw_parameters(option, stream(9, r, "parameter_draw"), last_fitted_year=2020, spread=spread)
        assert base.sen_support.request_multiplier == other.sen_support.request_multiplier
        np.testing.assert_array_equal(base.placement.new_plan_shares, other.placement.new_plan_shares)
        assert np.isclose(base.assessment.capacity_response, other.assessment.capacity_response)
        assert np.isclose(other.assessment.capacity_per_year[0][1] / base.assessment.capacity_per_year[0][1], 1.5)


def test_conversion_errors_use_only_the_years_before_each_forecast():
    import pandas as pd

    years = list(range(2016, 2024))
    requests = pd.DataFrame([[100.0 * 1.1**k for k in range(8)]], columns=years)
    plans = pd.DataFrame([[50.0 * 1.1**k for k in range(8)]], columns=years)
    # new plans half of last year's requests times 1.1: the rule is exact, every error 0
    np.testing.assert_allclose(conversion_log_errors(plans, requests), 0.0, atol=1e-12)
    moved = plans.copy()
    moved[2023] = moved[2023] * 2
    errors = conversion_log_errors(moved, requests)
    # only the forecast of 2023 itself sees its change (no earlier forecast uses it)
    np.testing.assert_allclose(errors[:-1], 0.0, atol=1e-12)
    assert np.isclose(errors[-1], np.log(2))


def test_count_errors_become_share_factors_through_the_sensitivity():
    from simulation.cohort import expected_arrays
    from simulation.uncertainty import scale_placement_groups

    params = _params()
    sensitivity = placement_sensitivity(params)
    assert 0 < sensitivity["ehcp_specialist"] < 1 and 0 < sensitivity["independent_share_of_specialist"] < 1

    def specialist(stocks):
        return stocks[("ehcp_state_special", "")][1] + stocks[("ehcp_independent_special", "")][1]

    # the factor that should move the count by +5% (within reach) moves it by about 5% in
    # the cohort engine
    assert np.log(1.05) < reachable_count_error(sensitivity["ehcp_specialist"])
    one_year = replace(params, horizon=1)
    before = expected_arrays(one_year, 12)[0]
    factor = share_factor(np.log(1.05), sensitivity["ehcp_specialist"])
    after = expected_arrays(scale_placement_groups(one_year, {"ehcp_specialist": np.log(factor)}), 12)[0]
    assert abs(specialist(after) / specialist(before) - 1.05) < 0.005
    # a split: independent moves by about 5%, the two together stay
    factor = share_factor(np.log(1.05), sensitivity["independent_share_of_specialist"])
    split = expected_arrays(scale_placement_groups(one_year, {"independent_share_of_specialist": np.log(factor)}), 12)[0]
    key = ("ehcp_independent_special", "")
    assert abs(split[key][1] / before[key][1] - 1.05) < 0.005
    assert abs(specialist(split) / specialist(before) - 1.0) < 0.005
    assert share_factor(0.0, 0.2) == 1.0 and share_factor(-5.0, 0.2) == pytest.approx(0.05)
    # the same reach both ways: the largest rise is the largest fall, mirrored
    reach = reachable_count_error(0.2)
    assert share_factor(5.0, 0.2) == pytest.approx(1.0 + np.expm1(reach) / 0.2) and share_factor(5.0, 0.2) < 10.0
    assert share_factor(reach / 2, 0.2) == pytest.approx(1.0 + np.expm1(reach / 2) / 0.2)
    # a share that moves nothing is not drawn
    spread = PredictiveSpread(placement_errors={"ehcp_ap": ERRORS}, placement_sensitivity={"ehcp_ap": 0.001})
    assert spread.placement_errors == {}


# ------------------------------------------------- places moving with the draws (issue 19)
from simulation.parameters import PlaceBlock, SpecialPlaces  # noqa: E402
from simulation.uncertainty import places_ratios, predictive_draw, scale_places  # noqa: E402

#: Rows of S_t (f < 1, f > 1) for t = 0 .. 6: the state special count's response to the
#: specialist factor, hand-made.
SLOPES = np.array([[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.0, 0.08, 0.16, 0.24, 0.3, 0.36, 0.4]])


def _with_places(params, places: int = 500):
    return replace(params, special_places=SpecialPlaces(
        blocks=(PlaceBlock("all", places), PlaceBlock("primary", 40, from_year=2021, name="new school"))))


def test_places_ratios_follow_the_drawn_demand_at_the_january_each_year_ends_on():
    ratios = places_ratios({"ehcp_specialist": SLOPES}, {"ehcp_specialist": np.log(0.5)}, 6)
    np.testing.assert_allclose(ratios, 1.0 - 0.5 * SLOPES[0, 1:7])         # f < 1: row 0, S_{k+1}
    ratios = places_ratios({"ehcp_specialist": SLOPES}, {"ehcp_specialist": np.log(2.0)}, 8)
    np.testing.assert_allclose(ratios, 1.0 + np.r_[SLOPES[1, 1:7], 0.4, 0.4])  # beyond the last: the last
    assert places_ratios({"ehcp_specialist": SLOPES}, {"ehcp_ap": 1.0}, 3).tolist() == [1.0, 1.0, 1.0]
    assert places_ratios({"ehcp_specialist": 10 * SLOPES}, {"ehcp_specialist": np.log(0.05)}, 3).min() == 0.0


def test_scaled_places_keep_each_blocks_years_and_never_reverse_more_places():
    ratios = np.array([1.0, 1.1, 1.2, 0.9, 0.8, 1.0])
    start = 2019
    base = _with_places(_params()).special_places
    scaled = scale_places(base, start, ratios)
    before = base.places_by_year(start, 6)
    after = scaled.places_by_year(start, 6)
    np.testing.assert_array_equal(after["primary"], np.floor(before["primary"] * ratios + 0.5))
    np.testing.assert_array_equal(after["all"], np.floor(before["all"] * ratios + 0.5))
    assert after["primary"][:2].tolist() == [0, 0]                          # the new school opens as listed
    more = scale_places(_with_places(_params(), 520).special_places, start, ratios).places_by_year(start, 6)
    assert np.all(more["all"] >= after["all"])
    unconstrained = SpecialPlaces()
    assert scale_places(unconstrained, start, ratios) is unconstrained


def test_places_move_only_with_a_placement_draw_and_alike_for_a_scenario_and_its_baseline():
    params = _with_places(_params())
    spread = PredictiveSpread(placement_errors={"ehcp_specialist": ERRORS},
                              placement_sensitivity={"ehcp_specialist": 0.15},
                              places_sensitivity={"ehcp_specialist": SLOPES})
    central = predictive_draw(params, spread, {"ehcp_specialist": 0.5}, 2018)
    assert central.special_places == params.special_places
    high = predictive_draw(params, spread, {"ehcp_specialist": 0.95}, 2018).special_places.places_by_year(2019, 6)
    low = predictive_draw(params, spread, {"ehcp_specialist": 0.05}, 2018).special_places.places_by_year(2019, 6)
    fitted = params.special_places.places_by_year(2019, 6)
    assert np.all(high["all"] >= fitted["all"]) and high["all"][-1] > fitted["all"][-1]
    assert np.all(low["all"] <= fitted["all"]) and low["all"][-1] < fitted["all"][-1]
    more = _with_places(_params(), 600)
    for r in range(5):   # common random numbers: the same stream gives the same ratios
        a = draw_parameters(params, stream(9, r, "parameter_draw"), last_fitted_year=2018, spread=spread)
        b = draw_parameters(more, stream(9, r, "parameter_draw"), last_fitted_year=2018, spread=spread)
        pa, pb = a.special_places.places_by_year(2019, 6), b.special_places.places_by_year(2019, 6)
        np.testing.assert_array_equal(pa["primary"], pb["primary"])
        assert np.all(pb["all"] >= pa["all"])
    # a spread at scale 0 is the central rule: the places as given
    zero = draw_parameters(params, stream(9, 0, "parameter_draw"), last_fitted_year=2018, spread=spread.with_scale(0.0))
    assert zero.special_places == params.special_places


def test_a_path_moved_as_a_whole_keeps_the_half_way_rule():
    """Capacity k years on under the half-way rule from a first year and a target both
    times f is f times the central capacity (simulation.capacity_adjustment.adjusted)."""
    from simulation.capacity_adjustment import adjusted

    for adjustment in (0.25, 0.5, 1.0):
        central, moved = 400.0, 400.0 * 1.3
        for _ in range(5):
            central, moved = adjusted(central, 900.0, adjustment), adjusted(moved, 900.0 * 1.3, adjustment)
            assert np.isclose(moved, 1.3 * central)


# ------------------------------------------------------------ placement draws matched by horizon (issue 19)
def test_one_horizon_gives_the_one_year_share_factor():
    from simulation.uncertainty import placement_log_factor

    errors = (np.sort(ERRORS - np.median(ERRORS)),)
    for u in (0.05, 0.3, 0.5, 0.8, 0.99):
        e = float(np.quantile(errors[0], u))
        assert np.isclose(placement_log_factor(errors, u, [0.15]), np.log(share_factor(e, 0.15)))


def test_errors_growing_slower_than_the_inflow_draw_a_smaller_factor_than_one_year_alone():
    """The count moves S_k (f - 1) k years ahead; when the published k-year errors do not
    grow as S_k does (here they stay as one year's), matching every horizon draws a
    smaller factor than matching one year ahead (which put S_k / S_1 times the error on
    year k), and the least squares one: f - 1 = y sum S_k / sum S_k**2."""
    from simulation.uncertainty import placement_log_factor

    slopes = np.array([0.1, 0.2, 0.3, 0.4])
    errors = tuple(np.sort(ERRORS - np.median(ERRORS)) * 0.02 for _ in slopes)
    u = 0.9
    y = np.expm1(np.quantile(errors[0], u))
    one = placement_log_factor(errors[:1], u, slopes[:1])
    every = placement_log_factor(errors, u, slopes)
    assert np.isclose(np.expm1(one), y / 0.1)
    assert np.isclose(np.expm1(every), y * slopes.sum() / (slopes**2).sum())
    assert 0 < every < one
    assert placement_log_factor(errors, 0.5, slopes) == 0.0                 # the median: the central rule
    low, high = placement_log_factor(errors, 0.1, slopes), placement_log_factor(errors, 0.95, slopes)
    assert low < 0 < high


def test_the_year_k_placement_draw_moves_the_count_by_the_k_year_spread():
    """With published errors whose spread k years ahead is what the share moves (e_k =
    log(1 + S_k g)), the drawn share moves the group's expected count k years ahead (the
    cohort engine) by e_k at every horizon, not only one year ahead."""
    from simulation.cohort import expected_arrays
    from simulation.uncertainty import (placement_log_factor, placement_sensitivities, predictive_draw,
                                        scale_placement_groups)

    params = replace(gloucestershire_example(horizon=4), special_places=replace(
        gloucestershire_example(horizon=4).special_places, blocks=None))
    slopes = placement_sensitivities(params, 4)["ehcp_specialist"]
    grid = np.linspace(-0.4, 0.4, 81)
    errors = tuple(np.log1p(s * grid) for s in slopes)
    u = 70 / 80                                           # a grid point: g = 0.3
    log_factor = placement_log_factor(errors, u, slopes)
    assert np.isclose(np.expm1(log_factor), 0.3)

    def specialist(p):
        stocks, _ = expected_arrays(p, 12)
        return np.asarray(stocks[("ehcp_state_special", "")]) + np.asarray(stocks[("ehcp_independent_special", "")])

    moved = np.log(specialist(scale_placement_groups(params, {"ehcp_specialist": log_factor})) / specialist(params))
    expected = np.array([np.quantile(e, u) for e in errors])
    np.testing.assert_allclose(moved[1:], expected, rtol=0.1)
    # drawn from a spread carrying the path, the replication's factor is this one
    spread = PredictiveSpread(placement_errors={"ehcp_specialist": errors},
                              placement_sensitivity={"ehcp_specialist": float(slopes[0])},
                              placement_path_sensitivity={"ehcp_specialist": slopes})
    assert len(spread.placement_errors["ehcp_specialist"]) == 4
    drawn = predictive_draw(params, spread, {name: 0.5 for name in SOURCES} | {"ehcp_specialist": u}, 2019)
    np.testing.assert_allclose(np.log(specialist(drawn) / specialist(params)), moved, atol=1e-9)


# ------------------------------------------- the request growth drawn, kept within bounds
from simulation.share_target import GROWTH_LIMITS  # noqa: E402
from simulation.uncertainty import bounded_growth  # noqa: E402

#: Yearly log changes of a tiny LA's request multiplier (City of London's fitted years to
#: 2022: a handful of requests a year, 1 to 11, so the changes are mostly counting noise).
TINY_LA_CHANGES = np.array([0.001, -2.501, 2.381])


def _drawn_growths(changes, limits, replications: int = 200) -> np.ndarray:
    params = _params()
    out = []
    for r in range(replications):
        drawn = draw_parameters(params, stream(11, r, "parameter_draw"), last_fitted_year=2020,
                                request_changes=changes, damping=1.0, request_growth_limits=limits)
        out.append(np.log(_requests(drawn, 2022) / _requests(drawn, 2021)))
    return np.array(out)


def test_a_tiny_las_noisy_request_changes_draw_growths_within_the_bounds():
    unbounded = _drawn_growths(TINY_LA_CHANGES, None)
    assert np.abs(unbounded).max() > 1.0                  # the explosion the bound prevents
    bounded = _drawn_growths(TINY_LA_CHANGES, GROWTH_LIMITS)
    assert bounded.min() >= GROWTH_LIMITS[0] - 1e-12 and bounded.max() <= GROWTH_LIMITS[1] + 1e-12
    inside = np.abs(unbounded) <= GROWTH_LIMITS[1]
    np.testing.assert_allclose(bounded[inside], unbounded[inside], rtol=0, atol=1e-12)


def test_draws_within_the_bounds_are_bit_identical_to_unbounded_ones():
    params = _params()
    for r in range(30):
        args = dict(last_fitted_year=2020, request_changes=np.array([0.05, 0.1, 0.2]), damping=0.8,
                    response_shares=np.array([0.5, 0.7]), spread=_spread())
        old = draw_parameters(params, stream(4, r, "parameter_draw"), **args)
        new = draw_parameters(params, stream(4, r, "parameter_draw"), request_growth_limits=GROWTH_LIMITS, **args)
        assert new.sen_support.request_multiplier == old.sen_support.request_multiplier
        assert new.assessment.capacity_per_year == old.assessment.capacity_per_year
        assert new.assessment.capacity_response == old.assessment.capacity_response
        np.testing.assert_array_equal(new.placement.new_plan_shares, old.placement.new_plan_shares)


@given(growth=st.floats(-50, 50, allow_nan=False), low=st.floats(-1, 0), width=st.floats(0, 2))
def test_a_bounded_growth_is_within_its_limits_and_unchanged_inside_them(growth, low, width):
    limits = (low, low + width)
    kept = bounded_growth(growth, limits)
    assert limits[0] <= kept <= limits[1]
    if limits[0] <= growth <= limits[1]:
        assert kept == growth
    assert bounded_growth(growth, None) == growth


def test_bounds_the_wrong_way_round_are_an_error():
    with pytest.raises(ValueError, match="low <= high"):
        bounded_growth(0.1, (0.3, -0.3))
