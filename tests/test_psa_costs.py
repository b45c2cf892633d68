"""Cost draws in the sensitivity analysis: placement unit-cost ranges from the national
spread, re-pricing a simulated run equals simulating at the drawn costs, draws sharing a run
share its lever values, and Monte Carlo errors are taken over runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sendcast.money import value_of_information as voi
from sendcast.money.unit_cost_spread import cost_ranges, national_spread
from sendcast.scenarios.files import Distribution
from sendcast.scenarios.recosting import psa_draws, recost
from simulation import simulate
from simulation.examples import gloucestershire_example
from simulation.parameters import PLACEMENTS, EarlyIdentification

SPREAD = pd.DataFrame([{"placement_group": "ehcp_state_special", "las": 150, "p5_gbp": 18_000.0,
                        "p25_gbp": 20_000.0, "median_gbp": 25_000.0, "p75_gbp": 30_000.0, "p95_gbp": 34_000.0}])


def test_a_unit_cost_range_is_the_national_quartile_spread_around_the_cost_used_within_the_5_95_bounds():
    table = cost_ranges({"ehcp_state_special": 25_000.0}, SPREAD).set_index("placement_group")
    row = table.loc["ehcp_state_special"]
    assert (row["low_gbp"], row["mode_gbp"], row["high_gbp"]) == pytest.approx((20_000.0, 25_000.0, 30_000.0))
    assert "150 LAs" in row["source"] and "illustrative" in row["source"]
    # a dear LA: the quartile spread would pass the national 95th percentile, so it stops there
    dear = cost_ranges({"ehcp_state_special": 32_000.0}, SPREAD).iloc[0]
    assert (dear["low_gbp"], dear["high_gbp"]) == pytest.approx((25_600.0, 34_000.0))
    # above the 95th percentile: the range never excludes the cost used
    above = cost_ranges({"ehcp_state_special": 40_000.0}, SPREAD).iloc[0]
    assert above["low_gbp"] < 40_000.0 == above["high_gbp"] == above["mode_gbp"]
    # prices: the bounds move with the cost's restatement
    restated = cost_ranges({"ehcp_state_special": 32_000.0}, SPREAD, restated_by=1.1).iloc[0]
    assert restated["high_gbp"] == pytest.approx(34_000.0 * 1.1)


def test_groups_without_a_national_distribution_are_labelled_illustrative_and_uncosted_ones_left_out():
    table = cost_ranges({"ehcp_ap": 20_000.0, "ehcp_other": 7_000.0, "ehcp_fe": 0.0}, SPREAD)
    assert set(table["placement_group"]) == {"ehcp_ap", "ehcp_other"}
    assert table["source"].str.startswith("illustrative").all()
    other = table.set_index("placement_group").loc["ehcp_other"]
    assert (other["low_gbp"], other["mode_gbp"], other["high_gbp"]) == (7_000.0, 7_000.0, 14_000.0)


def test_national_spread_uses_positive_derived_costs_of_the_rule_groups_only():
    values = [0.0, np.inf, 10.0, 20.0, 30.0, 40.0, 50.0, np.nan]
    table = pd.DataFrame({"placement_group": ["ehcp_fe"] * len(values) + ["ehcp_other"] * 6,
                          "derived_gbp": values + [1.0] * 6})
    spread = national_spread(table).set_index("placement_group")
    assert list(spread.index) == ["ehcp_fe"]
    assert spread.loc["ehcp_fe", "las"] == 5 and spread.loc["ehcp_fe", "median_gbp"] == 30.0


def _components(result) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    flows = result.flows
    parts = {key[1].removeprefix("component="): value[None, :] for key, value in flows.items()
             if key[0] == "cost_gbp" and key[1]}
    return flows[("cost_gbp", "")][None, :], parts


def test_re_pricing_a_run_equals_simulating_it_at_the_drawn_costs():
    base = gloucestershire_example(start_year=2025, horizon=5)
    lever = EarlyIdentification(share_identified_early=0.3, relative_risk=0.8, capacity_children_per_year=300,
                                cost_per_child_gbp=1_500.0, programme_cost_gbp_per_year=250_000.0)
    simulated = dataclasses.replace(base, early_identification=lever)
    costs = dict(zip(PLACEMENTS, np.asarray(base.costs.placement_gbp_per_year, dtype=float)))
    dearer = dataclasses.replace(
        simulated, early_identification=dataclasses.replace(lever, cost_per_child_gbp=2_400.0,
                                                             programme_cost_gbp_per_year=90_000.0),
        costs=dataclasses.replace(base.costs, placement_gbp_per_year={
            **costs, "state_special": costs["state_special"] * 1.3}))
    total, parts = _components(simulate(simulated, 5, 0))
    expected = simulate(dearer, 5, 0).flows[("cost_gbp", "")]
    unit = {"unit_cost.ehcp_state_special": Distribution(dist="triangular", low=costs["state_special"] * 0.8,
                                                         mode=costs["state_special"],
                                                         high=costs["state_special"] * 1.5)}
    child, fixed = "early_identification.cost_per_child_gbp", "early_identification.programme_cost_gbp_per_year"
    draws = pd.DataFrame({"replication": [0], child: [2_400.0], fixed: [90_000.0],
                          "unit_cost.ehcp_state_special": [costs["state_special"] * 1.3]})
    as_simulated = pd.DataFrame({child: [1_500.0], fixed: [250_000.0]})
    got = recost(total, parts, draws, unit, simulated=as_simulated, parameters=[simulated])
    assert parts["early_support"].sum() > 250_000.0 * 5  # children were supported
    np.testing.assert_allclose(got[0], expected, rtol=1e-12)
    # at the values simulated, nothing moves
    same = draws.assign(**{child: 1_500.0, fixed: 250_000.0, "unit_cost.ehcp_state_special": costs["state_special"]})
    np.testing.assert_allclose(recost(total, parts, same, unit, simulated=as_simulated, parameters=[simulated])[0],
                               total[0], rtol=1e-12)


def test_draws_sharing_a_run_keep_its_lever_values_and_one_draw_a_run_is_the_simulated_one():
    rr = Distribution(dist="uniform", low=0.5, high=1.0)
    cost = Distribution(dist="uniform", low=1_000.0, high=2_000.0)
    unit = {"unit_cost.ehcp_fe": Distribution(dist="triangular", low=8.0, mode=10.0, high=12.0)}
    inputs = {"early_identification.relative_risk": rr, "early_identification.cost_per_child_gbp": cost}
    simulated = pd.DataFrame({"early_identification.relative_risk": [0.6, 0.9],
                              "early_identification.cost_per_child_gbp": [1_200.0, 1_800.0]})
    one = psa_draws(simulated, inputs, unit, seed=7, replications=2, per_run=1)
    pd.testing.assert_frame_equal(one[list(inputs)].reset_index(drop=True), simulated)
    three = psa_draws(simulated, inputs, unit, seed=7, replications=2, per_run=3)
    assert list(three["replication"]) == [0, 0, 0, 1, 1, 1]
    assert list(three["early_identification.relative_risk"]) == [0.6] * 3 + [0.9] * 3
    costs = three["early_identification.cost_per_child_gbp"].to_numpy()
    assert costs[0] == 1_200.0 and costs[3] == 1_800.0 and len(set(costs)) == 6
    assert three["unit_cost.ehcp_fe"].between(8.0, 12.0).all() and three["unit_cost.ehcp_fe"].nunique() == 6
    assert three["unit_cost.ehcp_fe"].iloc[[0, 3]].tolist() == one["unit_cost.ehcp_fe"].tolist()
    again = psa_draws(simulated, inputs, unit, seed=7, replications=2, per_run=3)
    pd.testing.assert_frame_equal(three, again)


def test_monte_carlo_error_is_taken_over_runs_not_draws():
    npv = np.array([1.0, 1.0, 3.0, 3.0, 8.0, 8.0])
    runs = np.array([0, 0, 1, 1, 2, 2])
    means = np.array([1.0, 3.0, 8.0])
    assert voi.monte_carlo_se(npv, runs) == pytest.approx(means.std(ddof=1) / np.sqrt(3))
    assert voi.monte_carlo_se(npv) == pytest.approx(npv.std(ddof=1) / np.sqrt(6))
    summary = voi.npv_summary(npv, runs)
    assert summary["expected_npv_mcse_gbp"] == pytest.approx(means.std(ddof=1) / np.sqrt(3))
    assert summary["expected_npv_lo95_gbp"] < 4.0 < summary["expected_npv_hi95_gbp"]
