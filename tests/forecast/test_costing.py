"""Spend: placements times unit costs, inflated explicitly, with totals from paths."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.costing import TOTAL, cost_forecast, price_index
from forecast.errors import ForecastError

YEARS = np.array([2025, 2026, 2027])


def test_costs_equal_counts_times_unit_costs_at_the_price_base():
    counts = {"ehcp_state_special": np.tile([100.0, 110, 120], (50, 1)),
              "ehcp_independent_special": np.tile([10.0, 12, 15], (50, 1))}
    result = cost_forecast(counts, YEARS, {"ehcp_state_special": 25_000.0, "ehcp_independent_special": 80_000.0},
                           price_base_year=2025, inflation=0.0)
    table = result.table.set_index(["placement_group", "year"])
    assert table.loc[("ehcp_state_special", 2026), "spend_gbp_mean"] == pytest.approx(110 * 25_000)
    assert table.loc[(TOTAL, 2027), "spend_gbp_hi95"] == pytest.approx(120 * 25_000 + 15 * 80_000)


def test_inflation_is_applied_from_the_price_base_year():
    assert np.allclose(price_index(YEARS, 2025, 0.02), [1.0, 1.02, 1.02 ** 2])
    assert np.allclose(price_index(np.array([2024, 2026]), 2025, {2025: 0.05, 2026: 0.03}), [1 / 1.05, 1.03])
    result = cost_forecast({"ehcp_fe": np.ones((3, 3))}, YEARS, {"ehcp_fe": 1000.0}, price_base_year=2025,
                           inflation=0.1)
    assert np.allclose(result.table.query("placement_group == 'ehcp_fe'")["spend_gbp_mean"], [1000, 1100, 1210])


def test_a_group_without_a_unit_cost_is_not_costed_never_zero():
    result = cost_forecast({"ehcp_ap": np.ones((4, 3)), "ehcp_fe": np.ones((4, 3))}, YEARS,
                           {"ehcp_ap": None, "ehcp_fe": 500.0}, price_base_year=2025, inflation=0.0)
    ap = result.table[result.table["placement_group"] == "ehcp_ap"]
    assert ap["spend_gbp_mean"].isna().all() and not ap["costed"].any()
    assert result.not_costed == ("ehcp_ap",)
    assert "not costed: ehcp_ap" in result.table.loc[result.table["placement_group"] == TOTAL, "price_basis"].iloc[0]


def test_total_interval_comes_from_paths_not_from_adding_bounds():
    # two groups that move in opposite directions: their sum is the same on every path
    rng = np.random.default_rng(0)
    swing = rng.uniform(-50, 50, (1000, 1)) * np.ones((1, 3))
    paths = {"ehcp_mainstream": 200 + swing, "ehcp_state_special": 200 - swing}
    result = cost_forecast(paths, YEARS, {"ehcp_mainstream": 1.0, "ehcp_state_special": 1.0}, price_base_year=2025,
                           inflation=0.0)
    total = result.table[result.table["placement_group"] == TOTAL]
    assert np.allclose(total["spend_gbp_lo95"], 400) and np.allclose(total["spend_gbp_hi95"], 400)
    group = result.table[result.table["placement_group"] == "ehcp_mainstream"]
    assert (group["spend_gbp_hi95"] - group["spend_gbp_lo95"] > 80).all()


def test_missing_unit_cost_entry_is_an_error():
    with pytest.raises(ForecastError, match="ehcp_other"):
        cost_forecast({"ehcp_other": np.ones((2, 3))}, YEARS, {}, price_base_year=2025, inflation=0.0)
