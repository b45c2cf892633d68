"""Responsive assessment capacity that moves part of the way toward the work in hand each
year, and the out-of-sample choice of how far (issue 19)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.capacity_adjustment import (DEFAULT_ADJUSTMENT, adjusted, adjustment_scores, choose_adjustment,
                                            choose_adjustment_ahead, one_year_ahead, path_scores, years_ahead)
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


def test_years_ahead_carries_the_backlog_with_the_rule_s_own_completions():
    """Hand-worked, at once (1): A 100, 100, 120, 130; D 150, 150, 150, -; pipeline 52
    weeks. Origin 2022: share 100 / 300 (2021); backlog 1 January 2022 = 200; year 2022
    projects (1/3)(200 + 150); the backlog then moves by 150 less that projection, and
    year 2023 projects (1/3)(that backlog + 150). Half (0.5) moves from 100 in 2022."""
    decided, assessed = _panels({"L": {2020: 150.0, 2021: 150.0, 2022: 150.0}},
                                {"L": {2020: 100.0, 2021: 100.0, 2022: 120.0, 2023: 130.0}})
    paths = years_ahead(decided, assessed, response_from=2021, pipeline_weeks=52.0, candidates=(0.5, 1.0))
    at_once = paths[(paths["capacity_adjustment"] == 1.0) & (paths["origin"] == 2022)].set_index("horizon")
    first = 350.0 / 3.0
    assert np.isclose(at_once.loc[1, "projected"], first) and at_once.loc[1, "actual"] == 120.0
    assert np.isclose(at_once.loc[2, "projected"], (200.0 + 150.0 - first + 150.0) / 3.0)
    assert at_once.loc[2, "year"] == 2023 and at_once.loc[2, "actual"] == 130.0
    half = paths[(paths["capacity_adjustment"] == 0.5) & (paths["origin"] == 2022) & (paths["horizon"] == 1)]
    assert np.isclose(half["projected"].iloc[0], np.sqrt(100.0 * first))
    origin_2023 = paths[(paths["capacity_adjustment"] == 1.0) & (paths["origin"] == 2023)]
    share = (100.0 / 300.0 + 120.0 / 350.0) / 2.0
    assert np.isclose(origin_2023["projected"].iloc[0], share * (230.0 + 150.0))


def test_a_service_never_completes_more_than_it_has_been_given():
    decided, assessed = _panels({"L": {2020: 10.0, 2021: 10.0, 2022: 10.0}},
                                {"L": {2020: 100.0, 2021: 5.0, 2022: 100.0}})
    paths = years_ahead(decided, assessed, response_from=2021, pipeline_weeks=52.0, candidates=(1.0,))
    row = paths[paths["origin"] == 2022].iloc[0]
    assert row["projected"] <= 10.0 + 10.0 + 1e-9     # backlog 1 January 2022 (10) plus 2022's decisions


def _planted(adjustment: float, seed: int = 3, n: int = 150) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Panels of ``n`` LAs whose services follow the rule with ``adjustment`` (small noise)."""
    rng = np.random.default_rng(seed)
    years = list(range(2017, 2025))
    decided, assessed = np.zeros((n, len(years))), np.zeros((n, len(years)))
    share = rng.uniform(0.5, 0.9, n)
    decided[:, 0] = rng.uniform(100, 1000, n)
    assessed[:, 0] = decided[:, 0] * rng.uniform(0.8, 1.0, n)
    for i in range(1, len(years)):
        decided[:, i] = decided[:, i - 1] * np.exp(rng.normal(0.08, 0.1, n))
    backlog = assessed[:, 0] * 15.0 / 52.0
    for i in range(1, len(years)):
        backlog = np.maximum(backlog + decided[:, i - 1] - assessed[:, i - 1], 0.0)
        target = share * (backlog + decided[:, i - 1])
        assessed[:, i] = np.minimum(adjusted(assessed[:, i - 1], target, adjustment) * np.exp(rng.normal(0, 0.03, n)),
                                    backlog + decided[:, i])
    return pd.DataFrame(decided, columns=years), pd.DataFrame(assessed, columns=years)


@pytest.mark.parametrize("planted", [0.25, 0.5, 0.75, 1.0])
def test_the_choice_over_years_ahead_finds_the_adjustment_services_follow(planted):
    decided, assessed = _planted(planted)
    chosen, scores = choose_adjustment_ahead(years_ahead(decided, assessed, response_from=2018))
    assert chosen == planted
    assert (scores["checks"] > 0).all()


def test_the_choice_over_years_ahead_uses_only_the_flows_it_is_given():
    """A year's flows after the cut change nothing chosen before it: the caller cuts the
    panels at the origin (:func:`sendcast.scenarios.parameters.capacity_adjustment_choice`),
    and a path never reads a column it was not given."""
    decided, assessed = _planted(0.5)
    cut = {name: table.loc[:, [y for y in table.columns if y <= 2022]] for name, table in
           (("decided", decided), ("assessed", assessed))}
    before = years_ahead(cut["decided"], cut["assessed"], response_from=2018)
    assert before["year"].max() == 2022
    later = assessed.copy()
    later[2023] *= 3.0
    after = years_ahead(decided, later, response_from=2018)
    pd.testing.assert_frame_equal(before.reset_index(drop=True),
                                  after[(after["year"] <= 2022)].reset_index(drop=True))
    empty = years_ahead(decided.iloc[0:0], assessed.iloc[0:0], response_from=2018)
    assert choose_adjustment_ahead(empty)[0] == DEFAULT_ADJUSTMENT and path_scores(empty)["checks"].sum() == 0


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
    from simulation.errors import ParameterError

    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ParameterError):
            replace(_service(1.0), capacity_adjustment=bad)
