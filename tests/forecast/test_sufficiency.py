"""Demand against places: probabilities on constructed demand distributions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ForecastError
from forecast.result import Z95, Forecast
from forecast.sufficiency import sufficiency_from_forecast, sufficiency_from_paths

YEARS = np.array([2026, 2027, 2028, 2029])


def _paths() -> np.ndarray:
    # demand in each year: the 1,000 values base + 0..999, base 0, 200, 400, 600
    return np.arange(1000.0)[:, None] + np.array([0.0, 200, 400, 600])[None, :]


def test_probability_demand_exceeds_places_counts_paths_strictly_above():
    capacity = pd.Series(700.0, index=YEARS)
    result = sufficiency_from_paths(_paths(), YEARS, capacity)
    # year 1: values 701..999 exceed 700 -> 299 of 1000; then 499, 699, 899
    assert result.table["prob_exceeds"].tolist() == [0.299, 0.499, 0.699, 0.899]
    assert result.first_year_over == 2028  # 0.499 does not pass one half
    assert result.table.loc[2026, "gap"] == pytest.approx(499.5 - 700)
    # mean shortfall in 2026: sum(1..299) / 1000
    assert result.table.loc[2026, "expected_shortfall"] == pytest.approx(299 * 300 / 2 / 1000)


def test_enough_places_every_year_means_no_first_year():
    result = sufficiency_from_paths(_paths(), YEARS, pd.Series(5000.0, index=YEARS))
    assert result.first_year_over is None
    assert (result.table["prob_exceeds"] == 0).all()


def test_new_places_lower_the_probability():
    before = sufficiency_from_paths(_paths(), YEARS, pd.Series(700.0, index=YEARS))
    after = sufficiency_from_paths(_paths(), YEARS, pd.Series([700.0, 700, 900, 900], index=YEARS))
    assert (after.table["prob_exceeds"] <= before.table["prob_exceeds"]).all()
    assert after.first_year_over == 2029


def test_capacity_must_cover_every_year():
    with pytest.raises(ForecastError, match="2029"):
        sufficiency_from_paths(_paths(), YEARS, pd.Series(700.0, index=YEARS[:3]))


def test_normal_approximation_without_paths():
    # log-scale forecast centred on 1000 with a 95% interval of exp(+/- Z95 * 0.1)
    mean = np.full(4, 1000.0)
    forecast = Forecast(model="x", scale="log", years=YEARS, mean=mean, lower80=mean * np.exp(-0.128),
                        upper80=mean * np.exp(0.128), lower95=mean * np.exp(-Z95 * 0.1),
                        upper95=mean * np.exp(Z95 * 0.1))
    capacity = pd.Series([1000.0, 1000 * np.exp(0.1), 1000 * np.exp(-0.1), 2000], index=YEARS)
    result = sufficiency_from_forecast(forecast, capacity)
    assert result.method == "normal approximation"
    assert np.allclose(result.table["prob_exceeds"], [0.5, 0.158655, 0.841345, 0.0], atol=1e-5)
    assert result.first_year_over == 2028
