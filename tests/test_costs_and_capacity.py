"""Unit costs derived from published outturn, and capacity files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendcast.data.capacity import places_by_year, read_capacity
from sendcast.data import query
from sendcast.runtime.errors import InputError
from sendcast.money.unit_costs import OUTTURN_FILE, apply_overrides, derive_unit_costs, read_outturn, read_unit_cost_file

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def glos_costs(dataset):
    rows = query.series(dataset, "Gloucestershire", breakdowns=True)
    return derive_unit_costs(read_outturn(REPO / "data" / "raw" / "finance" / OUTTURN_FILE), rows,
                             "test").set_index("placement_group")


@pytest.mark.slow  # shares glos_costs, 7 CPU-s measured
def test_independent_special_cost_is_outturn_over_average_placements(glos_costs):
    # 16,704,761 / mean(196, 213) = 81,686 (SUMMARY.md: "about GBP 82k")
    assert glos_costs.loc["ehcp_independent_special", "annual_cost_gbp"] == round(16_704_761 / 204.5)


@pytest.mark.slow  # shares glos_costs, 7 CPU-s measured
def test_state_special_adds_academy_place_funding(glos_costs):
    expected = (6_945_722 + 15_662_754) / 1262 + 10_000 * 738 / 1293
    assert glos_costs.loc["ehcp_state_special", "annual_cost_gbp"] == round(expected)
    assert 23_000 <= expected <= 25_000


@pytest.mark.slow  # shares glos_costs, 7 CPU-s measured
def test_ap_is_a_place_cost_from_the_pru_ap_lines_and_other_is_labelled_illustrative(glos_costs):
    # (2,669,002 + 2,165,681) / (2,669,002 / 10,000 places) = GBP 18,114 a place
    assert glos_costs.loc["ehcp_ap", "annual_cost_gbp"] == round((2_669_002 + 2_165_681) / 266.9002)
    assert glos_costs.loc["ehcp_other", "status"] == "illustrative"
    assert glos_costs.loc["ehcp_other", "annual_cost_gbp"] == glos_costs.loc["ehcp_mainstream", "annual_cost_gbp"]
    assert glos_costs["annual_cost_gbp"].notna().all()  # nothing silently zero
    assert (glos_costs["source"].str.startswith("derived") | (glos_costs["status"] == "illustrative")).all()


@pytest.mark.slow  # shares glos_costs, 7 CPU-s measured
def test_user_unit_costs_override_defaults(glos_costs, tmp_path):
    path = tmp_path / "costs.csv"
    path.write_text("placement_group,annual_cost_gbp,price_base,source\nehcp_ap,45000,2025-26,finance team\n")
    merged = apply_overrides(glos_costs.reset_index(), read_unit_cost_file(path)).set_index("placement_group")
    assert merged.loc["ehcp_ap", "annual_cost_gbp"] == 45000 and merged.loc["ehcp_ap", "status"] == "user"
    assert merged.loc["ehcp_mainstream", "status"] == "estimate"


@pytest.mark.parametrize("line, column", [("ehcp_special,1000,2025-26,x", "placement_group"),
                                          ("ehcp_ap,-5,2025-26,x", "annual_cost_gbp"),
                                          ("ehcp_ap,lots,2025-26,x", "annual_cost_gbp")])
def test_bad_unit_cost_rows(tmp_path, line, column):
    path = tmp_path / "costs.csv"
    path.write_text("placement_group,annual_cost_gbp,price_base,source\n" + line + "\n")
    with pytest.raises(InputError) as caught:
        read_unit_cost_file(path)
    assert (caught.value.row, caught.value.column) == (2, column)


def test_shipped_gloucestershire_capacity():
    capacity = read_capacity(REPO / "data" / "capacity" / "E10000013.csv")
    assert places_by_year(capacity, [2023, 2024, 2030]).tolist() == [1238, 1298, 1298]
    assert capacity["confidence"].str.startswith("low").all()


def test_openings_and_closures_change_places_by_year(tmp_path):
    path = tmp_path / "cap.csv"
    path.write_text("school,urn,phase,designation,places,from_year,to_year,source,confidence\n"
                    "A,,primary,ASD,100,,2026,x,high\nB,,secondary,SEMH,150,2027,,x,planned\n")
    assert places_by_year(read_capacity(path), [2025, 2026, 2027]).tolist() == [100, 100, 150]


@pytest.mark.parametrize("row, column", [("A,,nursery,ASD,100,,,x,high", "phase"),
                                         ("A,,primary,ASD,-3,,,x,high", "places"),
                                         ("A,,primary,ASD,10,27,,x,high", "from_year"),
                                         ("A,,primary,ASD,10,2028,2026,x,high", "to_year")])
def test_bad_capacity_rows(tmp_path, row, column):
    path = tmp_path / "cap.csv"
    path.write_text("school,urn,phase,designation,places,from_year,to_year,source,confidence\n" + row + "\n")
    with pytest.raises(InputError) as caught:
        read_capacity(path)
    assert (caught.value.row, caught.value.column) == (2, column)
