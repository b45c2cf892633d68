"""Responsive assessment capacity that moves part of the way toward the work in hand each
year, and the out-of-sample choice of how far (issue 19)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.capacity_adjustment import (DEFAULT_ADJUSTMENT, adjusted, adjustment_scores, choose_adjustment,
                                            one_year_ahead)
from simulation.parameters import Assessment


def _panels(decided: dict, assessed: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(decided).T, pd.DataFrame(assessed).T


def test_one_year_ahead_builds_the_backlog_and_share_as_the_calibration_does():
    """Hand-worked: A (completed) 100, 100, 120; D (decided) 150, 150, -. Pipeline 52
    weeks, so the first backlog is A = 100. Backlog 2021 = 100 + 150 - 100 = 150, work in
    hand 2021 = 150 + 150 = 300, share 2021 = 100 / 300. For 2022: backlog 150 + 150 - 100
    = 200, work in hand 200 + 150 = 350, target (1/3) * 350."""
    decided, assessed = _panels({"L": {2020: 150.0, 2021: 150.0}}, {"L": {2020: 100.0, 2021: 100.0, 2022: 120.0}})
    checks = one_year_ahead(decided, assessed, response_from=2021, pipeline_weeks=52.0)
    assert len(checks) == 1
    row = checks.iloc[0]
    assert row["year"] == 2022 and row["previous"] == 100.0 and row["actual"] == 120.0
    assert np.isclose(row["target"], 350.0 / 3.0)


def test_a_year_is_scored_with_flows_before_it_only():
    decided, assessed = _panels({"L": {y: 150.0 for y in range(2018, 2024)}},
                                {"L": {y: 100.0 + 10 * (y - 2018) for y in range(2018, 2025)}})
    full = one_year_ahead(decided, assessed, response_from=2019)
    moved = assessed.copy()
    moved[2024] = 999.0
    again = one_year_ahead(decided, moved, response_from=2019)
    same = full["year"] < 2024
    pd.testing.assert_frame_equal(full[same].reset_index(drop=True), again[again["year"] < 2024].reset_index(drop=True))
    assert again.loc[again["year"] == 2024, "actual"].iloc[0] == 999.0


def test_the_choice_finds_a_service_that_closes_half_the_gap_a_year():
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"la": range(200), "year": 2022, "previous": rng.uniform(100, 1000, 200)})
    rows["target"] = rows["previous"] * np.exp(rng.normal(0.0, 0.6, 200))
    rows["actual"] = adjusted(rows["previous"], rows["target"], 0.5) * np.exp(rng.normal(0, 0.02, 200))
    chosen, scores = choose_adjustment(rows)
    assert chosen == 0.5
    assert scores.set_index("capacity_adjustment").loc[1.0, "mean_abs_log_error"] > 0.2
    assert choose_adjustment(rows.iloc[0:0])[0] == DEFAULT_ADJUSTMENT
    assert adjustment_scores(rows.iloc[0:0])["checks"].sum() == 0


def _service(adjustment: float) -> Assessment:
    return Assessment(capacity_per_year=500.0, capacity_response=0.6, capacity_adjustment=adjustment)


def test_at_once_is_the_rule_before_and_partial_adjustment_lies_between():
    at_once, half = _service(1.0), _service(0.5)
    target = at_once.responsive_slots(3000.0)
    assert at_once.responsive_slots(3000.0, 1, 50) == target
    step = half.responsive_slots(3000.0, 1, 50)
    assert 50 < step < target
    assert abs(step - np.sqrt(50 * target)) <= 1
    assert half.responsive_slots(3000.0, 1, None) == target      # no year before: at once


@settings(max_examples=80, deadline=None)
@given(work=st.floats(1.0, 50_000.0), more=st.floats(0.0, 50_000.0), previous=st.integers(1, 2_000),
       floor=st.integers(1, 500), adjustment=st.sampled_from([0.1, 0.25, 0.5, 0.75, 1.0]))
def test_more_work_in_hand_never_lowers_capacity_and_the_floor_holds(work, more, previous, floor, adjustment):
    """Planner's reading: a longer queue never gets fewer assessors; a funded floor is
    always met; a service moving part of the way never overshoots its target."""
    service = _service(adjustment)
    low = service.responsive_slots(work, floor, previous)
    high = service.responsive_slots(work + more, floor, previous)
    assert high >= low >= floor
    target = service.responsive_slots(work, 1)
    assert low <= max(target, previous, floor) + 1 and low >= min(target, previous, floor) - 1


def test_the_adjustment_must_be_a_share_of_the_gap():
    import pytest

    from simulation.errors import ParameterError

    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ParameterError):
            replace(_service(1.0), capacity_adjustment=bad)
