"""The bound on the request growth a replication draws (``DRAW_GROWTH_RULE``,
:func:`sendcast.scenarios.parameters.draw_growth_limits`), on hand-sized histories."""

from __future__ import annotations

import pandas as pd
import pytest

from sendcast.scenarios import parameters as setup
from simulation.share_target import GROWTH_LIMITS


def _history(requests: dict[int, float]) -> setup.LaHistory:
    rows = pd.DataFrame([("requests", "", year, value) for year, value in requests.items()],
                        columns=["measure", "breakdown", "year", "value"])
    return setup.LaHistory("E1", "Testshire", "999", rows)


TINY = _history({2019: 8.0, 2020: 5.0, 2021: 1.0, 2022: 11.0})        # a handful a year
LARGE = _history({2019: 613.0, 2020: 700.0, 2021: 907.0, 2022: 1116.0})


def test_unbounded_draws_are_not_bounded_and_is_the_default():
    assert setup.DRAW_GROWTH_RULE == "unbounded"
    assert setup.draw_growth_limits(TINY, 2023, 0.3) is None
    assert setup.draw_growth_limits(LARGE, 2023, 0.1, "unbounded") is None


def test_the_growth_limits_rule_gives_the_calibrations_own_bounds():
    assert setup.draw_growth_limits(LARGE, 2023, 0.1, "growth_limits") == GROWTH_LIMITS


def test_around_the_centre_the_bounds_are_symmetric_about_the_central_growth():
    low, high = setup.draw_growth_limits(TINY, 2023, 0.3, "around_centre")
    assert low == pytest.approx(0.0) and high == pytest.approx(0.6)


def test_fewest_requests_holds_the_growth_only_where_requests_are_below_the_threshold():
    # 2019-2022 average 6.25 requests a year, below about 22: no growth drawn (the central one)
    assert setup.FEWEST_REQUESTS_DRAWN == pytest.approx(2 / 0.09)
    assert setup.draw_growth_limits(TINY, 2023, 0.3, "fewest_requests") == (0.3, 0.3)
    assert setup.draw_growth_limits(LARGE, 2023, 0.1, "fewest_requests") is None
    # only the years to the origin count: from 2020 the tiny history has 8 and 5 requests
    assert setup.draw_growth_limits(TINY, 2021, 0.0, "fewest_requests") == (0.0, 0.0)


def test_an_unknown_rule_is_an_error_naming_the_rules():
    with pytest.raises(setup.SetupError, match="growth_limits"):
        setup.draw_growth_limits(TINY, 2023, 0.1, "clipped")


def test_a_run_of_an_la_with_a_handful_of_requests_says_its_later_years_are_illustrative():
    note = setup.counting_noise_note(TINY, 2023)
    assert note is not None and "counting noise" in note and "Testshire published 6 requests a year" in note
    assert "(2019-2022)" in note and "illustrative" in note
    assert setup.counting_noise_note(LARGE, 2023) is None
