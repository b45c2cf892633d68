"""Need shares: projected shares sum to one; a hand-made trend; the backtest and its choice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import need_shares as ns


def _counts(rows: dict[int, list[float]], columns=("asd", "semh", "mld")) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(columns)).rename_axis("year")


def test_carry_forward_repeats_the_latest_shares():
    counts = _counts({2024: [10, 30, 60], 2025: [20, 30, 50]})
    out = ns.project_shares(counts, "carry_forward", 3)
    assert list(out.index) == [2026, 2027, 2028]
    assert np.allclose(out.to_numpy(), [[0.2, 0.3, 0.5]] * 3)


def test_damped_trend_by_hand():
    # Two needs whose log-ratio rises by exactly 0.2 a year: log(a/b) = -1.0, -0.8, -0.6.
    # The centred log-ratio of each moves by +-0.1 a year, so the log-ratio keeps rising by
    # 0.2 damped: after 1 year -0.6 + 0.2*0.8 = -0.44; after 2 years -0.6 + 0.2*(0.8+0.64) = -0.312.
    b = 1000.0
    counts = _counts({2023: [b * math.exp(-1.0), b], 2024: [b * math.exp(-0.8), b], 2025: [b * math.exp(-0.6), b]},
                     columns=("asd", "semh"))
    out = ns.damped_log_ratio_trend(counts, 2, window=5, phi=0.8)
    expected = [1 / (1 + math.exp(0.44)), 1 / (1 + math.exp(0.312))]
    assert out["asd"].to_numpy() == pytest.approx(expected, abs=1e-12)
    assert out.sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])


def test_one_year_of_history_means_no_trend():
    counts = _counts({2025: [5, 0, 95]})
    assert np.allclose(ns.project_shares(counts, "damped_log_ratio_trend", 4),
                       ns.project_shares(counts, "carry_forward", 4))


def test_an_undamped_trend_with_phi_zero_is_carry_forward():
    counts = _counts({2021: [10, 30, 60], 2022: [12, 30, 58], 2023: [15, 30, 55], 2024: [18, 31, 51]})
    assert np.allclose(ns.damped_log_ratio_trend(counts, 3, phi=0.0), ns.carry_forward(counts, 3))


_COMPOSITIONS = st.lists(st.lists(st.integers(0, 3000), min_size=13, max_size=13).filter(lambda r: sum(r) > 0),
                         min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@given(_COMPOSITIONS, st.integers(1, 7), st.sampled_from(ns.METHODS))
def test_projected_shares_sum_to_one_and_stay_in_range(rows, horizon, method):
    counts = pd.DataFrame(rows, index=pd.Index(range(2025 - len(rows) + 1, 2026), name="year"), dtype=float)
    out = ns.project_shares(counts, method, horizon)
    assert len(out) == horizon
    assert np.allclose(out.sum(axis=1), 1.0)
    assert ((out >= 0) & (out <= 1)).all().all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 50_000), min_size=1, max_size=7), _COMPOSITIONS)
def test_needs_add_up_to_the_total_every_year(totals, rows):
    counts = pd.DataFrame(rows, index=pd.Index(range(2025 - len(rows) + 1, 2026), name="year"), dtype=float)
    shares = ns.project_shares(counts, "damped_log_ratio_trend", len(totals))
    future = pd.Series(totals, index=shares.index)
    applied = ns.apply_shares(future, shares)
    assert np.allclose(applied.groupby("year")["value"].sum().to_numpy(), future.to_numpy())


def _panel(trend: bool) -> pd.DataFrame:
    rows = []
    for area in range(6):
        for i, year in enumerate(range(2015, 2026)):
            a = 100 + (20 * i if trend else (7 if i % 2 else -7)) + area
            rows += [(f"A{area}", year, "asd", a), (f"A{area}", year, "semh", 300.0), (f"A{area}", year, "mld", 200.0)]
    return pd.DataFrame(rows, columns=["area", "year", "category", "count"])


def test_a_steady_trend_beats_carrying_forward_and_is_chosen():
    summary = ns.summarise_backtest(ns.backtest_shares(_panel(trend=True), min_history=3))
    trend = summary[summary["method"] == "damped_log_ratio_trend"]
    assert (trend["ratio_to_carry_forward"] < 1).all()
    assert ns.choose_method(summary, min_origins=10).method == "damped_log_ratio_trend"


def test_noise_around_a_level_keeps_carry_forward():
    summary = ns.summarise_backtest(ns.backtest_shares(_panel(trend=False), min_history=3))
    assert ns.choose_method(summary, min_origins=10).method == "carry_forward"


def test_one_year_of_data_scores_nothing_and_says_so():
    panel = _panel(trend=True)
    panel = panel[panel["year"] == 2025]
    summary = ns.summarise_backtest(ns.backtest_shares(panel))
    assert (summary["scored"] == 0).all() and summary["mae_pp"].isna().all()
    choice = ns.choose_method(summary)
    assert choice.method == "carry_forward" and "no origin" in choice.reason


def test_the_backtest_never_sees_the_year_it_is_scored_on():
    # A jump in the last year only: carry-forward from 2024 must miss it by exactly the jump.
    rows = [("A", y, "asd", 100.0) for y in range(2020, 2025)] + [("A", 2025, "asd", 300.0)]
    rows += [("A", y, "semh", 100.0) for y in range(2020, 2026)]
    errors = ns.backtest_shares(pd.DataFrame(rows, columns=["area", "year", "category", "count"]),
                                methods=("carry_forward",))
    last = errors[(errors["origin"] == 2024) & (errors["horizon"] == 1)]["mae_pp"].item()
    assert last == pytest.approx(25.0)  # 50% -> 75%: 25 points for each of the two needs


def test_bad_compositions_are_refused():
    with pytest.raises(ValueError):
        ns.project_shares(_counts({2025: [1, -1, 3]}), "carry_forward", 1)
    with pytest.raises(ValueError):
        ns.project_shares(_counts({2025: [0, 0, 0]}), "carry_forward", 1)
    with pytest.raises(ValueError):
        ns.project_shares(_counts({2025: [1, 2, 3]}), "no_such_method", 1)


def test_projectable_history_leaves_out_years_with_no_total_and_what_comes_before_them():
    # 2023 has no total (every need 0): no shares that year, and the trend is not carried across it.
    counts = _counts({2021: [10, 30, 60], 2022: [12, 30, 58], 2023: [0, 0, 0], 2024: [18, 31, 51], 2025: [20, 30, 50]})
    history = ns.projectable_history(counts)
    assert list(history.index) == [2024, 2025]
    assert np.allclose(ns.project_shares(history, "carry_forward", 1).to_numpy(), [[0.2, 0.3, 0.5]])
    # the latest year empty: projected from the years before it, never from the zeros
    latest_empty = _counts({2023: [10, 30, 60], 2024: [20, 30, 50], 2025: [0, 0, 0]})
    assert list(ns.projectable_history(latest_empty).index) == [2023, 2024]
    # a year with a count withheld (NaN) has no shares either
    withheld = _counts({2024: [20, 30, 50], 2025: [np.nan, 30, 50]})
    assert list(ns.projectable_history(withheld).index) == [2024]


def test_projectable_history_of_zeros_is_empty_and_the_methods_still_refuse_zeros():
    history = ns.projectable_history(_counts({2024: [0, 0, 0], 2025: [0, 0, 0]}))
    assert history.empty and list(history.columns) == ["asd", "semh", "mld"]
    with pytest.raises(ValueError, match="positive total"):
        ns.project_shares(_counts({2024: [1, 2, 3], 2025: [0, 0, 0]}), "carry_forward", 1)
