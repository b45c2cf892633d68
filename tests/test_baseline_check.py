"""The baseline-against-forecast check (issue 19): its summary and its reasons, on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendcast.scenarios.forecast_agreement import CHECK_COLUMNS, check_summary, outside_reasons
from sendcast.scenarios.parameters import LaHistory


def _rows(measure: str, simulated: list[float], low: float = 100.0, high: float = 200.0) -> pd.DataFrame:
    out = []
    for k, value in enumerate(simulated):
        where = "below" if value < low else "above" if value > high else "inside"
        outside = 0.0 if where == "inside" else 100 * (value / (low if where == "below" else high) - 1)
        out.append(("E1", "Shire", measure, 2026 + k, value, low, high, where, outside))
    return pd.DataFrame(out, columns=CHECK_COLUMNS)


def test_the_summary_counts_years_inside_and_names_the_worst():
    rows = pd.concat([_rows("ehcp_total", [150, 210, 300]), _rows("requests", [120, 130])], ignore_index=True)
    summary = check_summary(rows.assign(why="")).set_index("measure")
    assert summary.loc["ehcp_total", "inside"] == 1 and summary.loc["ehcp_total", "years"] == 3
    assert summary.loc["ehcp_total", "worst_year"] == 2028
    assert np.isclose(summary.loc["ehcp_total", "outside_pct"], 50.0)
    assert summary.loc["requests", "inside"] == 2 and summary.loc["requests", "worst_year"] == 2027  # last year


def _history(requests: dict, refused: dict, new_plans: dict) -> LaHistory:
    rows = [(m, "", y, v) for m, series in (("requests", requests), ("requests_refused", refused),
                                             ("new_plans", new_plans)) for y, v in series.items()]
    return LaHistory("E1", "Shire", "1", pd.DataFrame(rows, columns=["measure", "breakdown", "year", "value"]))


def test_the_reasons_name_the_backlog_the_requests_and_a_refusal_rate_that_jumped():
    history = _history({2021: 1000, 2022: 1000, 2023: 1000, 2024: 2000},
                       {2021: 600, 2022: 600, 2023: 600, 2024: 200}, {2024: 700})
    flows = pd.DataFrame([("in_assessment", 2025, 2500.0), ("requests", 2025, 2100.0), ("requests", 2030, 3100.0),
                          ("overflow_independent", 2025, 40.0)], columns=["measure", "year", "mean"])
    rows = pd.concat([_rows("ehcp_total", [150, 250]), _rows("ehcp_independent_special", [300]),
                      _rows("ehcp_state_special", [150])], ignore_index=True)
    why = outside_reasons(history.rows, rows, flows)
    assert "2,500 requests waiting" in why["ehcp_total"] and "700 new plans in 2024" in why["ehcp_total"]
    assert "requests go from 2,000 (2024) to 3,100 (2030)" in why["ehcp_total"]
    assert "10% of requests refused in 2024 against 60%" in why["ehcp_total"]
    assert "40 children placed in independent" in why["ehcp_independent_special"]
    assert "ehcp_state_special" not in why                     # inside every year: nothing to explain


def test_a_reason_must_push_the_measure_the_way_it_is_out():
    """A refusal rate that rose explains plans below the interval, never above it."""
    history = _history({2021: 1000, 2022: 1000, 2023: 1000, 2024: 1000},
                       {2021: 300, 2022: 300, 2023: 300, 2024: 550}, {2024: 700})
    flows = pd.DataFrame([("in_assessment", 2025, 100.0), ("requests", 2030, 1000.0)],
                         columns=["measure", "year", "mean"])
    assert "55% of requests refused" in outside_reasons(history.rows, _rows("ehcp_total", [50]), flows)["ehcp_total"]
    assert "ehcp_total" not in outside_reasons(history.rows, _rows("ehcp_total", [250]), flows)


def test_a_collapse_in_the_last_published_requests_explains_plans_below_the_interval():
    """Isle of Wight published 74 requests for 2024 (382 for 2022, none for 2023) and 187 new
    plans: the run carries 74 forward, and its plans fall below the trend's interval."""
    history = _history({2021: 361, 2022: 382, 2024: 74}, {2021: 40, 2022: 40, 2024: 7}, {2024: 187})
    flows = pd.DataFrame([("in_assessment", 2025, 50.0), ("requests", 2030, 240.0)],
                         columns=["measure", "year", "mean"])
    why = outside_reasons(history.rows, _rows("ehcp_total", [50]), flows)["ehcp_total"]
    assert "published requests fell from 382 (2022) to 74 (2024)" in why
    assert "fewer than the 187 new plans issued in 2024" in why and "carries requests forward from 2024" in why
    # the collapse never explains plans above the interval
    assert "published requests fell" not in outside_reasons(history.rows, _rows("ehcp_total", [250]), flows).get(
        "ehcp_total", "")
    # a small fall (within 1 / 1.5) with more requests than plans is no reason
    steady = _history({2023: 400, 2024: 300}, {2023: 40, 2024: 40}, {2024: 200})
    assert "ehcp_total" not in outside_reasons(steady.rows, _rows("ehcp_total", [50]), flows)


def test_a_placement_outside_on_the_same_side_as_the_plans_is_said_to_follow_them():
    history = _history({2023: 400, 2024: 400}, {2023: 40, 2024: 40}, {2024: 200})
    flows = pd.DataFrame([("in_assessment", 2025, 50.0), ("requests", 2030, 400.0)], columns=["measure", "year", "mean"])
    rows = pd.concat([_rows("ehcp_total", [50, 50, 150]), _rows("ehcp_state_special", [50, 50, 50]),
                      _rows("ehcp_independent_special", [250, 150, 150])], ignore_index=True)
    why = outside_reasons(history.rows, rows, flows)
    assert "EHC plans are below the trend's interval too in 2026, 2027" in why["ehcp_state_special"]
    assert "2028" not in why["ehcp_state_special"]            # plans inside that year: not their doing
    assert "ehcp_independent_special" not in why              # above while the plans are below


def test_a_queue_that_keeps_growing_explains_plans_below_the_interval():
    history = _history({2023: 400, 2024: 420}, {2023: 100, 2024: 100}, {2024: 180})
    growing = pd.DataFrame([("in_assessment", 2025, 53.0), ("in_assessment", 2030, 600.0), ("in_assessment", 2035, 1031.0),
                            ("requests", 2034, 430.0)], columns=["measure", "year", "mean"])
    why = outside_reasons(history.rows, _rows("ehcp_total", [50]), growing)
    assert "grow from 53 (2025) to 1,031 (2035)" in why["ehcp_total"]
    assert "ehcp_total" not in outside_reasons(history.rows, _rows("ehcp_total", [250]), growing)   # never above
    steady = growing.assign(mean=[53.0, 60.0, 70.0, 430.0])
    assert "ehcp_total" not in outside_reasons(history.rows, _rows("ehcp_total", [50]), steady)
