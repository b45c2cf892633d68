"""Placement groups add up to the total after reconciliation, for central forecasts and for
every sample path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.errors import ForecastError
from forecast.models import forecast_series
from forecast.reconcile import Hierarchy, reconcile, reconcile_forecasts, shrunk_covariance

GROUPS = ("ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe", "ehcp_ap", "ehcp_other")
HIERARCHY = Hierarchy("ehcp_total", GROUPS)


def _values(rng: np.random.Generator, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    out = {g: rng.uniform(10, 2000, shape) for g in GROUPS}
    out["ehcp_total"] = sum(out.values()) * rng.uniform(0.9, 1.1, shape)  # incoherent on purpose
    return out


@pytest.mark.parametrize("method", ["bottom_up", "top_down", "mint", "wls"])
def test_parts_sum_exactly_to_the_total(method):
    rng = np.random.default_rng(0)
    residuals = pd.DataFrame(rng.normal(0, 1, (12, 7)), columns=HIERARCHY.nodes)
    variances = {n: rng.uniform(1, 100, 5) for n in HIERARCHY.nodes}
    for shape in [(5,), (200, 5)]:
        out = reconcile(_values(rng, shape), HIERARCHY, method=method, residuals=residuals, variances=variances)
        assert np.allclose(sum(out[g] for g in GROUPS), out["ehcp_total"], rtol=1e-12)


def test_bottom_up_keeps_the_parts_and_top_down_keeps_the_total():
    values = {g: np.full(3, 10.0 * (i + 1)) for i, g in enumerate(GROUPS)}
    values["ehcp_total"] = np.full(3, 420.0)  # parts sum to 210
    up = reconcile(values, HIERARCHY, method="bottom_up")
    assert up["ehcp_total"].tolist() == [210.0] * 3
    down = reconcile(values, HIERARCHY, method="top_down")
    assert down["ehcp_total"].tolist() == [420.0] * 3
    assert down["ehcp_mainstream"].tolist() == [20.0] * 3  # each share doubled: proportions kept


def test_top_down_splits_equally_when_every_part_is_zero():
    values = {g: np.zeros(2) for g in GROUPS}
    values["ehcp_total"] = np.array([60.0, 0.0])
    down = reconcile(values, HIERARCHY, method="top_down")
    assert down["ehcp_ap"].tolist() == [10.0, 0.0]


def test_mint_with_equal_uncorrelated_errors_moves_every_part_equally():
    # with W proportional to I, MinT is OLS: the discrepancy is shared out as (S'S)^-1 S'
    rng = np.random.default_rng(1)
    residuals = pd.DataFrame(rng.normal(0, 1, (4000, 7)), columns=HIERARCHY.nodes)
    values = {g: np.array([100.0]) for g in GROUPS}
    values["ehcp_total"] = np.array([670.0])  # parts sum to 600: 70 short
    out = reconcile(values, HIERARCHY, method="mint", residuals=residuals)
    assert np.allclose([out[g][0] for g in GROUPS], 110.0, atol=0.5)  # 70 shared among 7 nodes: +10 each


def test_shrunk_covariance_keeps_the_variances():
    data = np.random.default_rng(2).normal(0, [1, 2, 3], (50, 3))
    covariance = shrunk_covariance(data)
    assert np.allclose(np.diag(covariance), data.var(axis=0))


@settings(max_examples=50, deadline=None)
@given(parts=arrays(np.float64, (6, 4), elements=st.floats(min_value=0, max_value=1e5)),
       total=arrays(np.float64, 4, elements=st.floats(min_value=0, max_value=1e5)))
def test_top_down_and_bottom_up_are_coherent_and_non_negative(parts, total):
    values = {g: parts[i] for i, g in enumerate(GROUPS)}
    values["ehcp_total"] = total
    for method in ("bottom_up", "top_down"):
        out = reconcile(values, HIERARCHY, method=method)
        assert np.allclose(sum(out[g] for g in GROUPS), out["ehcp_total"], rtol=1e-9, atol=1e-6)
        assert all((out[g] >= 0).all() for g in GROUPS)


def test_reconciled_forecasts_have_coherent_paths_and_nested_intervals():
    rng = np.random.default_rng(3)
    years = range(2012, 2026)
    forecasts = {}
    for i, name in enumerate(HIERARCHY.nodes):
        level = 3000 if name == "ehcp_total" else 100 * (i + 1)
        history = pd.Series(level * 1.07 ** np.arange(14) * np.exp(rng.normal(0, 0.03, 14)), index=years)
        forecasts[name] = forecast_series(history, "log_drift", 5, n_paths=500, seed=i)
    out = reconcile_forecasts(forecasts, HIERARCHY, method="top_down")
    total_paths = sum(out[g].paths for g in GROUPS)
    assert np.allclose(total_paths, out["ehcp_total"].paths)
    assert np.allclose(sum(out[g].mean for g in GROUPS), out["ehcp_total"].mean)
    assert np.allclose(out["ehcp_total"].paths, forecasts["ehcp_total"].paths, rtol=1e-12)  # total kept


def test_reconcile_forecasts_needs_paths():
    history = pd.Series(100 * 1.05 ** np.arange(10), index=range(2016, 2026))
    forecasts = {n: forecast_series(history, "drift", 3, n_paths=0) for n in HIERARCHY.nodes}
    with pytest.raises(ForecastError, match="sample paths"):
        reconcile_forecasts(forecasts, HIERARCHY)


def test_hierarchy_rejects_duplicates():
    with pytest.raises(ForecastError):
        Hierarchy("ehcp_total", ("ehcp_fe", "ehcp_fe"))


def test_wls_moves_the_least_certain_forecasts_most():
    values = {g: np.array([100.0]) for g in GROUPS}
    values["ehcp_total"] = np.array([700.0])  # parts sum to 600: 100 short
    variances = {g: np.array([1.0]) for g in GROUPS}
    variances["ehcp_other"] = np.array([3.0])
    variances["ehcp_total"] = np.array([2.0])  # total 2 + parts 5 x 1 + 3 = 10
    out = reconcile(values, HIERARCHY, method="wls", variances=variances)
    assert out["ehcp_other"][0] == pytest.approx(130.0)  # 3/10 of the gap
    assert out["ehcp_state_special"][0] == pytest.approx(110.0)  # 1/10
    assert out["ehcp_total"][0] == pytest.approx(680.0)  # the total gives up 2/10


def test_wls_with_a_near_certain_total_keeps_the_total():
    values = {g: np.array([100.0, 50.0]) for g in GROUPS}
    values["ehcp_total"] = np.array([660.0, 330.0])
    variances = {g: np.ones(2) for g in GROUPS}
    variances["ehcp_total"] = np.full(2, 1e-12)
    out = reconcile(values, HIERARCHY, method="wls", variances=variances)
    assert np.allclose(out["ehcp_total"], [660.0, 330.0])


def test_wls_refuses_missing_or_non_positive_variances():
    values = _values(np.random.default_rng(2), (3,))
    with pytest.raises(ForecastError, match="variances missing"):
        reconcile(values, HIERARCHY, method="wls", variances={"ehcp_total": np.ones(3)})
    with pytest.raises(ForecastError, match="positive"):
        reconcile(values, HIERARCHY, method="wls", variances={n: np.zeros(3) for n in HIERARCHY.nodes})
