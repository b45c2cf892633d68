"""``--until Y`` for every Y from 2016 to 2024 and every LA, checked on the engine's real-time
run of the shipped data (one run forecasts every LA from every origin with only the data up
to it, what ``--until Y`` gives, except that which LAs are pooled is decided on all years): keeping the total and scaling the placement groups
to it never moves a group by more than 50% of its own forecast, and no forecast explodes."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.realtime import CHOSEN
from sendcast.data.measures import PLACEMENT_GROUPS
from sendcast.forecasting.evidence import FORECAST_MEASURES, realtime_evidence

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def placements(dataset):
    realtime, _, _ = realtime_evidence(dataset, FORECAST_MEASURES, horizons=5)
    rows = realtime.forecasts
    rows = rows[(rows["method"] == CHOSEN) & rows["origin"].between(2016, 2024)
                & rows["measure"].isin(["ehcp_total", *PLACEMENT_GROUPS])]
    return rows.pivot_table(index=["la_code", "origin", "horizon"], columns="measure", values="forecast")


def test_every_la_and_until_year_has_a_total_and_every_group(placements):
    complete = placements.dropna()
    assert set(complete.index.get_level_values("origin")) == set(range(2016, 2025))
    per_origin = complete.index.droplevel("horizon").unique().to_frame(index=False).groupby("origin").size()
    assert (per_origin >= 140).all()


def test_scaling_groups_to_the_total_never_moves_a_group_by_more_than_half(placements):
    complete = placements.dropna()
    factor = complete["ehcp_total"] / complete[list(PLACEMENT_GROUPS)].sum(axis=1)
    assert factor.between(1 / 1.5, 1.5).all(), factor[~factor.between(1 / 1.5, 1.5)].head()


def test_no_group_explodes_against_the_total(placements):
    complete = placements.dropna()
    assert np.isfinite(complete.to_numpy()).all()
    assert (complete[list(PLACEMENT_GROUPS)].max(axis=1) <= 1.5 * complete["ehcp_total"]).all()
