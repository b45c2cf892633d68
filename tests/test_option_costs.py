"""Option costs: what providing an option costs, and when it can pay back."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sendcast.money import option_costs
from sendcast.money.appraisal import appraise
from simulation import simulate
from simulation.examples import gloucestershire_example
from simulation.parameters import PlaceBlock, SpecialPlaces


def test_capital_falls_in_full_in_the_opening_year():
    assert option_costs.capital_costs([(2027, 150), (2029, 10), (2027, 50)], 75_000) == \
        ((2027, 200 * 75_000.0), (2029, 10 * 75_000.0))


def test_assessment_staff_is_charged_only_above_the_calibrated_capacity():
    assert option_costs.assessment_staff_costs([2025, 2026], [1000, 1250], 1016.0, 2_000.0) == ((2026, 234 * 2_000.0),)
    assert option_costs.assessment_staff_costs([2025], [1250], None, 2_000.0) == ()


def test_deflating_to_an_earlier_price_base():
    assert option_costs.deflate(104.04, 2023, 2021, 2.0) == pytest.approx(100.0)


def test_new_places_opening_in_2027_cannot_pay_back_before_2027():
    """Before 2027 the option is the baseline exactly (same random numbers); in 2027 it pays
    for the places; so its cumulative saving is negative in 2027 and it breaks even, if ever,
    later."""
    places = SpecialPlaces(blocks=(PlaceBlock("all", 1_300),), overflow_policy="independent")
    base = gloucestershire_example(start_year=2025, horizon=6, special_places=places)
    extra = PlaceBlock("all", 150, from_year=2027, name="new school")
    option = replace(base, special_places=replace(places, blocks=places.blocks + (extra,)),
                     costs=replace(base.costs, fixed_gbp=(("capital", option_costs.capital_costs(
                         [(2027, 150)], option_costs.CAPITAL_GBP_PER_SPECIAL_PLACE)),)))
    years = np.arange(2025, 2031)
    base_cost = np.array([simulate(base, 5, r).flows[("cost_gbp", "")] for r in range(3)])
    option_cost = np.array([simulate(option, 5, r).flows[("cost_gbp", "")] for r in range(3)])
    np.testing.assert_array_equal(option_cost[:, :2], base_cost[:, :2])  # nothing changes before 2027
    result = appraise(years, base_cost, option_cost)
    cumulative = result.by_year.set_index("year")["cumulative_net_saving_gbp_mean"]
    assert cumulative[2027] < 0
    assert result.break_even_year is None or result.break_even_year > 2027
