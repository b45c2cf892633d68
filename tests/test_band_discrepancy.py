"""The model discrepancy that widens the simulation's bands (sendcast.scenarios.discrepancy):
what a planner relies on when a band says 95%."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendcast.data.paths import data_dir
from sendcast.runtime.errors import SendcastError
from sendcast.scenarios.discrepancy import (CHECK_COLUMNS, SHIPPED_CHECKS, conformal_quantile, discrepancy, for_run,
                                            known_by, one_year_coverage, read_checks, shortfall, spread_at, widen,
                                            widen_checks, widen_summary)
from sendcast.scenarios.validation import COVERAGE_TARGET


def _checks(rows) -> pd.DataFrame:
    """Checks from (la, measure, origin, horizon, published, simulated, lo95, hi95)."""
    out = []
    for la, measure, origin, horizon, published, simulated, lo, hi in rows:
        flow = measure in ("requests", "new_plans", "issued_within_20wk_pct")
        year = origin + horizon - 1 if flow else origin + horizon
        out.append({"la_code": la, "measure": measure, "origin": origin, "horizon": horizon, "year": year,
                    "year_basis": "calendar" if flow else "january", "published": published,
                    "simulated": simulated, "lo95": lo, "hi95": hi})
    return pd.DataFrame(out, columns=CHECK_COLUMNS)


def test_the_conformal_rank_holds_at_least_the_share_asked_for():
    values = np.arange(1.0, 101.0)  # 1 .. 100
    assert conformal_quantile(values, 0.95) == 96.0  # ceil(101 x 0.95) = 96th smallest
    assert conformal_quantile(values[:10], 0.95) == 10.0  # the rank is past n: the largest
    assert math.isnan(conformal_quantile(np.array([]), 0.95))


def test_a_published_figure_inside_its_band_needs_no_discrepancy_and_one_outside_needs_just_enough():
    checks = _checks([("A", "ehcp_total", 2021, 1, 1000, 1000, 900, 1100),
                      ("B", "ehcp_total", 2021, 1, 1500, 1000, 900, 1100)])
    need = shortfall(checks)
    assert need[0] == 0.0
    lo, hi = widen("ehcp_total", 1000.0, 900.0, 1100.0, need[1])
    assert hi == pytest.approx(1500.0)  # widened by exactly that much, the figure sits on the edge
    assert lo < 900.0


@settings(max_examples=60, deadline=None)
@given(centre=st.floats(0, 5000), below=st.floats(0, 1), above=st.floats(0, 2), spread=st.floats(0, 3),
       more=st.floats(0, 2))
def test_a_band_is_never_narrowed_and_widens_with_the_discrepancy(centre, below, above, spread, more):
    lo, hi = centre * (1 - below), centre * (1 + above)
    low1, high1 = widen("requests", centre, lo, hi, spread)
    low2, high2 = widen("requests", centre, lo, hi, spread + more)
    assert low1 <= lo + 1e-6 * (1 + lo) and high1 >= hi - 1e-6 * (1 + hi)
    assert low2 <= low1 + 1e-9 * (1 + low1) and high2 >= high1 - 1e-9 * (1 + high1)
    assert low1 >= 0.0
    same = widen("requests", centre, lo, hi, 0.0)
    assert same[0] == pytest.approx(lo, rel=1e-9, abs=1e-6) and same[1] == pytest.approx(hi, rel=1e-9, abs=1e-6)


def test_a_share_band_stays_between_0_and_100_per_cent():
    lo, hi = widen("issued_within_20wk_pct", 50.0, 40.0, 60.0, 80.0)
    assert lo == 0.0 and hi == 100.0


def test_only_checks_published_by_the_origin_are_used():
    # a January count of 2022 is known in January 2022; a flow of calendar 2022 only in January 2023
    known = _checks([("A", "ehcp_total", 2021, 1, 1200, 1000, 950, 1050)])
    later = _checks([("B", "ehcp_total", 2022, 1, 9000, 1000, 950, 1050),  # January 2023: not known in 2022
                     ("C", "requests", 2022, 1, 9000, 1000, 950, 1050)])   # calendar 2022: not known in 2022
    assert known_by(later).tolist() == [2023, 2023]
    alone = discrepancy(known, 2022)
    with_later = discrepancy(pd.concat([known, later], ignore_index=True), 2022)
    pd.testing.assert_frame_equal(alone, with_later)
    assert discrepancy(known, 2021).empty  # nothing was published after a 2021 origin by January 2021


def test_the_discrepancy_never_shrinks_with_the_horizon_and_grows_as_a_random_walk_beyond_it():
    checks = _checks([("A", "ehcp_total", 2020, 1, 1300, 1000, 950, 1050),
                      ("A", "ehcp_total", 2020, 2, 1000, 1000, 900, 1100)])  # inside at h2: 0 on its own
    table = discrepancy(checks, 2025)
    one = spread_at(table, "ehcp_total", 1)
    assert one > 0 and spread_at(table, "ehcp_total", 2) == pytest.approx(one)
    assert spread_at(table, "ehcp_total", 8) == pytest.approx(one * math.sqrt(8 / 2))
    assert spread_at(table, "ehcp_total", 0) == 0.0  # the start January is known
    assert spread_at(table, "requests", 1) == 0.0  # nothing measured


def test_a_run_widens_only_the_totals_it_has_evidence_for_and_not_the_start():
    table = pd.DataFrame({"measure": ["ehcp_total", "requests"], "horizon": [1, 1], "spread": [0.2, 0.3],
                          "checks": [100, 100], "scale": ["log(1 + x)"] * 2})
    summary = pd.DataFrame({
        "scenario": "Baseline",
        "measure": ["ehcp_total", "ehcp_total", "ehcp_total", "requests", "cost_gbp", "ehcp_total"],
        "breakdown": ["", "", "", "", "", "age_band=under_5"],
        "year": [2025, 2026, 2027, 2025, 2026, 2026],
        "mean": [1000.0, 1100.0, 1200.0, 500.0, 1e6, 50.0], "lo95": [1000.0, 1050.0, 1100.0, 480.0, 9e5, 45.0],
        "hi95": [1000.0, 1150.0, 1300.0, 520.0, 1.1e6, 55.0]})
    out = widen_summary(summary, table, 2025)
    unchanged = [0, 4, 5]  # the start January (known); spend; a breakdown
    pd.testing.assert_frame_equal(out.loc[unchanged], summary.loc[unchanged])
    assert (out.loc[[1, 2, 3], "lo95"] < summary.loc[[1, 2, 3], "lo95"]).all()
    assert (out.loc[[1, 2, 3], "hi95"] > summary.loc[[1, 2, 3], "hi95"]).all()
    # calendar 2025 requests are one year ahead of January 2025; January 2027 plans two
    upper_2027 = np.log1p(out.loc[2, "hi95"]) - np.log1p(1200.0)
    assert upper_2027 == pytest.approx(math.hypot(np.log1p(1300.0) - np.log1p(1200.0), 0.2 * math.sqrt(2)))


def test_an_origin_with_no_earlier_checks_keeps_its_band():
    checks = _checks([("A", "ehcp_total", 2021, 1, 1500, 1000, 950, 1050),
                      ("A", "ehcp_total", 2022, 1, 1400, 1000, 950, 1050)])
    scored = widen_checks(checks, checks)
    first, second = scored.iloc[0], scored.iloc[1]
    assert first["lo95_calibrated"] == first["lo95"] and not first["inside_95_calibrated"]
    assert second["hi95_calibrated"] > second["hi95"] and second["inside_95_calibrated"]
    none = widen_checks(checks, None)
    assert (none["lo95_calibrated"] == none["lo95"]).all()


def test_a_broken_checks_file_is_named_with_its_row_and_column(tmp_path):
    path = tmp_path / "checks.csv"
    good = _checks([("A", "ehcp_total", 2021, 1, 1500, 1000, 950, 1050)])
    bad = good.astype(object)
    bad.loc[0, "lo95"] = "lots"
    bad.to_csv(path, index=False)
    with pytest.raises(SendcastError, match=r"checks\.csv: row 2, column 'lo95': expected a number, found 'lots'"):
        read_checks(path)
    good.drop(columns="hi95").to_csv(path, index=False)
    with pytest.raises(SendcastError, match=r"column 'hi95' missing"):
        read_checks(path)


def test_the_shipped_checks_widened_cover_five_of_six_one_year_checks_out_of_sample():
    """The evidence the bands rest on: every origin after the first, one year ahead, with
    the discrepancy known at that origin only. Fails if new checks say the rule no longer
    covers."""
    checks = read_checks(data_dir() / SHIPPED_CHECKS)
    coverage = one_year_coverage(checks)
    assert len(coverage) >= 2
    assert (coverage["widened"] >= COVERAGE_TARGET).all(), coverage
    assert (coverage["widened"] > coverage["as_run"]).all()


def test_a_run_from_the_latest_january_takes_every_measure_validated():
    table, words = for_run(data_dir(), 2025)
    assert table is not None
    assert {"ehcp_total", "requests", "new_plans", "ehcp_state_special", "issued_within_20wk_pct",
            "sen_support_pct"} <= set(table["measure"])
    assert "widened by the discrepancy known at each origin" in words
    assert for_run(data_dir(), 2021)[0] is None  # nothing known before the first origin
