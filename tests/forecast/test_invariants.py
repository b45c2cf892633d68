"""Property-based checks: whatever positive history a planner gives, every method returns
non-negative forecasts and intervals nested around the central forecast."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.calibration import widen
from forecast.models import FAST_MODELS, forecast_panel
from forecast.result import PanelForecast

HISTORIES = st.integers(min_value=6, max_value=16).flatmap(
    lambda n: arrays(np.float64, (3, n), elements=st.integers(min_value=0, max_value=20_000).map(float)))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _nested_and_non_negative(result: PanelForecast) -> None:
    assert (result.lower95 >= 0).all()
    assert (result.lower95 <= result.lower80 + 1e-9).all()
    assert (result.lower80 <= result.mean + 1e-9).all()
    assert (result.mean <= result.upper80 + 1e-9).all()
    assert (result.upper80 <= result.upper95 + 1e-9).all()
    if result.paths is not None:
        assert (result.paths >= 0).all()


@SETTINGS
@given(history=HISTORIES, horizon=st.integers(min_value=1, max_value=8))
def test_fast_models_are_non_negative_and_nested(history, horizon):
    for model in [*FAST_MODELS, "combination"]:
        result = forecast_panel(model, history, horizon, n_paths=20, rng=np.random.default_rng(0))
        assert np.isfinite(result.mean).all()
        _nested_and_non_negative(result)


@SETTINGS
@given(history=HISTORIES, growth=st.floats(min_value=-0.05, max_value=0.05))
def test_demographic_rate_is_non_negative_and_nested(history, growth):
    population = 50_000 * (1 + growth) ** np.arange(history.shape[1] + 5)
    population = np.tile(population, (history.shape[0], 1))
    result = forecast_panel("demographic_rate", history, 5, population=population, n_paths=20,
                            rng=np.random.default_rng(0))
    _nested_and_non_negative(result)


@SETTINGS
@given(history=HISTORIES, factors=arrays(np.float64, 4, elements=st.floats(min_value=1, max_value=10)))
def test_widening_keeps_intervals_nested_and_the_centre_fixed(history, factors):
    for model in ("drift", "log_drift"):
        forecast = forecast_panel(model, history, 4, n_paths=10, rng=np.random.default_rng(0)).row(0, range(2026, 2030))
        wider = widen(forecast, factors)
        assert np.array_equal(wider.mean, forecast.mean)
        assert (wider.lower95 <= forecast.lower95 + 1e-9).all() and (wider.upper95 >= forecast.upper95 - 1e-9).all()
        assert wider.widened == bool((factors > 1).any())
