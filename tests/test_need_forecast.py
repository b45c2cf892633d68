"""Need in the forecast, on the shipped data: shares applied to the totals and placement groups."""

from __future__ import annotations

import numpy as np
import pytest
import pandas as pd

from sendcast.data.capacity import capacity_file, read_capacity
from sendcast.forecasting import need_shares
from tests.conftest import REPO

GLOS = "E10000013"


def _totals(values: dict[str, float]) -> pd.DataFrame:
    rows = [(m, y, v * (1.1 ** (y - 2025))) for m, v in values.items() for y in range(2026, 2031)]
    return pd.DataFrame(rows, columns=["measure", "year", "mean"])


def test_needs_add_up_to_each_forecast_total_every_year(dataset):
    totals = _totals({"ehcp_total": 6412, "ehcp_state_special": 1506, "ehcp_independent_special": 289})
    out = need_shares.project_needs(dataset, GLOS, totals, method="carry_forward")
    assert set(out["measure"]) == {"ehcp_total", "ehcp_state_special", "ehcp_independent_special"}
    summed = out.groupby(["measure", "year"])["value"].sum()
    expected = totals.set_index(["measure", "year"])["mean"]
    assert np.allclose(summed.sort_index(), expected.sort_index())
    assert np.allclose(out.groupby(["measure", "year"])["share"].sum(), 1.0)
    # carried forward from the published January 2025 split (Gloucestershire: 1,179 of 6,412 autism)
    asd = out[(out["measure"] == "ehcp_total") & (out["need"] == "asd")]
    assert np.allclose(asd["share"], 1179 / 6412)


@pytest.mark.slow  # 4 CPU-s measured (fast tier: under 3)
def test_the_need_backtest_has_no_origin_on_one_year_and_says_so(dataset):
    result = need_shares.national_need_backtest(dataset, horizons=5)
    needs = result.table[result.table["series"].str.startswith("need shares")]
    assert len(needs) == 10 and (needs["scored"] == 0).all() and needs["mae_pp"].isna().all()
    assert result.choice.method == "carry_forward" and result.need_years == (2025,)
    analogue = result.table[result.table["series"].str.startswith("placement shares")]
    assert (analogue["scored"] > 100).all() and not analogue["chosen"].any()


def test_special_demand_is_set_against_places_by_designation(dataset):
    capacity = read_capacity(capacity_file(REPO / "data", GLOS))
    totals = _totals({"ehcp_state_special": 1506})
    by_need = need_shares.project_needs(dataset, GLOS, totals, method="carry_forward")
    table = need_shares.special_demand_by_designation(by_need, capacity, [2026, 2030])
    assert set(table["designation"]) == {"mixed", "MLD"}
    # every need's demand is counted once: designated and mixed demand add up to the total
    for year, rows in table.groupby("year"):
        assert np.isclose(rows["demand"].sum(), totals.set_index("year").loc[year, "mean"])
    mld = table[table["designation"] == "MLD"].iloc[0]
    assert mld["needs"] == "mld" and mld["places"] == 60 and mld["places_phase"] == "primary"


def test_designations_are_read_word_by_word():
    assert need_shares.designation_needs("mixed") is None
    assert need_shares.designation_needs("") is None
    assert need_shares.designation_needs("ASD/SEMH") == ("asd", "semh")
    assert need_shares.designation_needs("Autism") == ("asd",)
    assert need_shares.designation_needs("hospital") == ()
