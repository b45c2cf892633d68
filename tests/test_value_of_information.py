"""Probabilistic sensitivity analysis statistics on hand-sized examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendcast.money import value_of_information as voi


def test_evppi_of_a_two_point_lever_matches_the_hand_computation():
    # the lever is 0.6 or 1.0 with equal chance; the option saves GBP 10 at 0.6 and loses 30 at 1.0.
    # Deciding now: E[NPV] = -10, so do not adopt (worth 0). Knowing the lever first: adopt only at
    # 0.6, worth 0.5 x 10 = 5. EVPPI = 5 - 0 = 5.
    lever = np.array([0.6, 1.0] * 50)
    npv = np.where(lever == 0.6, 10.0, -30.0)
    assert voi.evppi(lever, npv) == pytest.approx(5.0)
    assert voi.evpi(npv) == pytest.approx(5.0)


def test_evppi_is_zero_when_the_lever_is_certain():
    npv = np.random.default_rng(1).normal(-5, 20, 200)  # chance still varies the NPV
    assert voi.evppi(np.full(200, 0.85), npv) == 0.0
    assert voi.evpi(npv) > 0  # but perfect information on everything (chance included) is not


def test_evppi_is_zero_when_the_decision_never_changes():
    lever = np.linspace(0.5, 1.1, 300)
    assert voi.evppi(lever, 100 + 10 * lever) == pytest.approx(0.0, abs=1e-9)


def test_break_even_and_tornado_on_a_linear_example():
    rng = np.random.default_rng(2)
    inputs = pd.DataFrame({"rr": rng.uniform(0.5, 1.1, 500), "cost": rng.uniform(1000, 2000, 500)})
    npv = 1e6 * (0.9 - inputs["rr"]) - 10 * (inputs["cost"] - 1500)
    at_median_cost = 0.9 - 10 * (inputs["cost"].median() - 1500) / 1e6  # other inputs at their medians
    assert voi.break_even(inputs, npv.to_numpy(), "rr") == pytest.approx(at_median_cost, abs=1e-9)
    table = voi.tornado(inputs, npv.to_numpy())
    assert list(table["input"]) == ["rr", "cost"]  # the relative risk matters most
    low, high = inputs["rr"].quantile([0.1, 0.9])
    assert table.loc[0, "swing_gbp"] == pytest.approx(1e6 * (high - low))
    assert table.loc[0, "rank_correlation"] < -0.9


def test_break_even_outside_the_range_is_none():
    inputs = pd.DataFrame({"rr": np.linspace(0.5, 0.8, 50)})
    assert voi.break_even(inputs, (1e6 * (0.9 - inputs["rr"])).to_numpy(), "rr") is None


def test_probability_of_saving_by_year():
    cumulative = np.array([[-1.0, 2.0], [1.0, 3.0], [-2.0, -1.0], [0.0, 5.0]])
    table = voi.probability_saving_by_year(np.array([2025, 2026]), cumulative)
    assert list(table["probability_saving"]) == [0.25, 0.75]


def test_an_option_s_psa_table_from_paired_spend():
    from sendcast.scenarios.psa import OptionDraws, analyse_option
    rng = np.random.default_rng(3)
    rr = rng.uniform(0.5, 1.1, 400)
    years = np.arange(2025, 2030)
    base = np.full((400, 5), 100.0)
    option = base - 10 * (0.8 - rr)[:, None]  # saves money when the relative risk is below 0.8
    draws = OptionDraws({}, pd.DataFrame({"early_identification.relative_risk": rr}), [])
    result = analyse_option("x", years, base, option, 0.0, draws)
    stats = result.summary.set_index("statistic")["value"]
    assert stats["break_even_relative_risk"] == pytest.approx(0.8)
    assert stats["probability_npv_positive"] == pytest.approx((rr < 0.8).mean())
    assert stats["evppi_relative_risk_gbp"] == pytest.approx(np.maximum(50 * (0.8 - rr), 0).mean()
                                                             - max(50 * (0.8 - rr).mean(), 0), rel=0.02)
    assert result.by_year["probability_saving"].tolist() == pytest.approx([(rr < 0.8).mean()] * 5)
    assert list(result.tornado["input"]) == ["early_identification.relative_risk"]
    beyond = analyse_option("x", years, base, base - 10 * (2.0 - rr)[:, None], 0.0, draws)
    stats = beyond.summary.set_index("statistic")["value"]
    assert np.isnan(stats["break_even_relative_risk"])  # never loses money in the range drawn
    assert stats["break_even_relative_risk_extrapolated"] == pytest.approx(2.0)
