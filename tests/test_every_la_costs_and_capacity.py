"""Unit costs and special school places for every LA: one rule, its bounds, and the
third-party capacity default (tests on the shipped data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sendcast.data.capacity import THIRD_PARTY_CONFIDENCE, codes_to_numbers, default_capacity
from sendcast.money.unit_costs import (
    NATIONAL_OUTTURN_FILE,
    OUTTURN_FILE,
    default_unit_costs,
    derive_unit_costs,
    every_la_unit_costs,
    read_outturn,
)

REPO = Path(__file__).resolve().parent.parent
FINANCE = REPO / "data" / "raw" / "finance"
COSTED = ["ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe"]


@pytest.fixture(scope="module")
def table(dataset):
    return every_la_unit_costs(dataset, FINANCE / NATIONAL_OUTTURN_FILE)


def test_every_current_la_has_a_positive_cost_for_each_costed_group(table, dataset):
    costed = table[table["placement_group"].isin(COSTED)]
    assert costed["la_code"].nunique() >= 150
    assert (costed["annual_cost_gbp"] > 0).all() and np.isfinite(costed["annual_cost_gbp"]).all()
    assert set(costed["price_base"]) == {"2021-22"}
    assert table.loc[~table["placement_group"].isin(COSTED), "status"].eq("not costed").all()


def test_gloucestershire_national_derivation_equals_its_own_file(table, dataset):
    rows = dataset.measures[dataset.measures["la_code"] == "E10000013"]
    own = derive_unit_costs(read_outturn(FINANCE / OUTTURN_FILE), rows, "own").set_index("placement_group")
    national = table[table["la_code"] == "E10000013"].set_index("placement_group")
    for group in COSTED:
        assert national.loc[group, "derived_gbp"] == own.loc[group, "annual_cost_gbp"]


def test_costs_outside_the_national_5th_to_95th_percentile_are_flagged_and_replaced(table):
    for group in COSTED:
        part = table[table["placement_group"] == group]
        positive = part["derived_gbp"].where(part["derived_gbp"] > 0)
        low, high = np.nanpercentile(positive, [5, 95])
        outside = positive.notna() & ~positive.between(low, high)
        assert outside.sum() >= 10
        flagged = part[outside]
        assert flagged["status"].eq("regional median").all()
        assert flagged["flag"].str.contains("outside the national 5th-95th percentile").all()
        assert flagged["source"].str.contains("median").all()
        assert part.loc[part["derived_gbp"] == 0, "flag"].str.contains("coding difference").all()
        inside = part[positive.between(low, high)]
        assert (inside["annual_cost_gbp"] == inside["derived_gbp"]).all()
        # The replacement is the median of the region's in-bounds LAs.
        row = flagged.iloc[0]
        region = inside[inside["region"] == row["region"]]["derived_gbp"]
        assert row["annual_cost_gbp"] == pytest.approx(region.median(), abs=0.5)


def test_las_without_an_outturn_get_the_regional_median_and_say_why(table):
    for code in ("E06000053", "E09000001", "E06000063"):  # Isles of Scilly, City of London, Cumberland
        rows = table[(table["la_code"] == code) & table["placement_group"].isin(COSTED)]
        if rows.empty:
            continue
        assert rows["status"].eq("regional median").all()
        assert rows["flag"].str.startswith("not derivable").all()


def test_gloucestershire_keeps_its_own_costs_which_are_within_the_national_bounds(dataset, table):
    costs, notes = default_unit_costs(dataset, "E10000013", FINANCE)
    own = derive_unit_costs(read_outturn(FINANCE / OUTTURN_FILE),
                            dataset.measures[dataset.measures["la_code"] == "E10000013"], "own")
    assert costs["annual_cost_gbp"].fillna(-1).tolist() == own["annual_cost_gbp"].fillna(-1).tolist()
    national = table[(table["la_code"] == "E10000013") & table["placement_group"].isin(COSTED)]
    assert national["status"].eq("estimate").all() and not any("outside" in n for n in notes)
    assert (national["annual_cost_gbp"] == national["derived_gbp"]).all()


def test_kent_costs_come_from_the_national_table(dataset, table):
    costs, _ = default_unit_costs(dataset, "E10000016", FINANCE)
    kent = table[table["la_code"] == "E10000016"].set_index("placement_group")["annual_cost_gbp"]
    assert costs.set_index("placement_group")["annual_cost_gbp"].dropna().to_dict() == kent.dropna().to_dict()


def test_capacity_defaults_to_the_third_party_table_flagged_low_confidence(dataset, data_dir):
    numbers = codes_to_numbers(dataset.geography.las)
    kent, note = default_capacity(data_dir, "E10000016", "886", numbers)
    assert kent["places"].sum() == 4838 and kent["confidence"].eq(THIRD_PARTY_CONFIDENCE).all()
    assert "third-party, low confidence" in note
    glos, note = default_capacity(data_dir, "E10000013", "916", numbers)
    assert len(glos) == 2 and "E10000013.csv" in note          # the LA's own file wins
    somerset, note = default_capacity(data_dir, "E10000027", "933", numbers)
    assert somerset is None and "blank" in note                 # the table's GIAS join failed there
    cumberland, _ = default_capacity(data_dir, "E06000063", "942", numbers)
    assert cumberland["places"].sum() == 506
