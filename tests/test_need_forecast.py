"""Need in the forecast, on the shipped data: shares applied to the totals and placement groups."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import pandas as pd

from sendcast.data.capacity import capacity_file, read_capacity
from sendcast.forecasting import need_shares
from sendcast.runtime.notes import NoteKind
from tests.conftest import REPO

GLOS = "E10000013"
RUTLAND = "E06000017"
SURREY = "E10000030"


def _totals(values: dict[str, float]) -> pd.DataFrame:
    rows = [(m, y, v * (1.1 ** (y - 2025))) for m, v in values.items() for y in range(2026, 2031)]
    return pd.DataFrame(rows, columns=["measure", "year", "mean"])


def test_needs_add_up_to_each_forecast_total_every_year(dataset):
    totals = _totals({"ehcp_total": 6412, "ehcp_state_special": 1506, "ehcp_independent_special": 289})
    out, notes = need_shares.project_needs(dataset, GLOS, totals, method="carry_forward")
    assert notes == []
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
    by_need, _ = need_shares.project_needs(dataset, GLOS, totals, method="carry_forward")
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


def test_a_placement_with_no_plans_is_not_split_by_need_and_says_why(dataset):
    # Rutland published no EHC plans in alternative provision in January 2025 (every need 0,
    # total 0): no shares to project. Its forecast is not split by need (nothing invented)
    # and a note says so; the other measures are split as before.
    totals = _totals({"ehcp_total": 376, "ehcp_ap": 1.0, "ehcp_state_special": 45})
    out, notes = need_shares.project_needs(dataset, RUTLAND, totals, method="carry_forward")
    assert set(out["measure"]) == {"ehcp_total", "ehcp_state_special"}
    assert [n.subjects for n in notes] == [("ehcp_ap",)]
    assert notes[0].kind is NoteKind.NEED_SPLIT and notes[0].severity == "warning"
    assert "not split by primary need" in str(notes[0]) and "January 2025" in str(notes[0])
    assert "total 0" in str(notes[0])


def test_a_year_with_no_total_is_left_out_and_the_years_used_are_named(dataset):
    # A made-up earlier year (January 2024: Gloucestershire's 2025 split, scaled) and a 2025
    # state special split of zeros: the state special shares come from January 2024, said so.
    m = dataset.measures
    need_rows = (m["la_code"] == GLOS) & m["breakdown"].str.fullmatch(r"need=[a-z]+")
    earlier = m[need_rows & (m["year"] == 2025)].assign(year=2024, value=lambda f: f["value"] * 0.9)
    special_2025 = need_rows & (m["year"] == 2025) & (m["measure"] == "ehcp_state_special")
    zeroed = m.assign(value=m["value"].where(~special_2025, 0.0))
    edited = replace(dataset, measures=pd.concat([zeroed, earlier], ignore_index=True))
    totals = _totals({"ehcp_total": 6412, "ehcp_state_special": 1506})
    out, notes = need_shares.project_needs(edited, GLOS, totals, method="carry_forward")
    special = out[out["measure"] == "ehcp_state_special"]
    assert set(special["base_year"]) == {2024}
    published = earlier[earlier["measure"] == "ehcp_state_special"].set_index("breakdown")["value"]
    expected = published / published.sum()
    got = special[special["year"] == 2026].set_index("need")["share"]
    assert np.allclose(got.sort_index(), expected.rename(lambda b: b.split("=")[1]).sort_index())
    special_total = totals[totals["measure"] == "ehcp_state_special"].set_index("year")["mean"]
    assert np.allclose(special.groupby("year")["value"].sum(), special_total)  # every future January, all of it
    assert set(out.loc[out["measure"] == "ehcp_total", "base_year"]) == {2025}
    [note] = notes
    assert note.subjects == ("ehcp_state_special",)
    assert "projected from January 2024 only" in str(note) and "January 2025" in str(note)


def test_a_withheld_need_split_is_said_not_silently_dropped(dataset):
    # Surrey's January 2025 placement-group need splits contradict the release's totals and
    # are withheld (checks.csv): no shares; the total is split, each placement group noted.
    totals = _totals({"ehcp_total": 14000, "ehcp_state_special": 2500})
    out, notes = need_shares.project_needs(dataset, SURREY, totals, method="carry_forward")
    assert set(out["measure"]) == {"ehcp_total"}
    assert [n.subjects for n in notes] == [("ehcp_state_special",)]
    assert "withheld" in str(notes[0])


def test_measures_unsplit_for_one_reason_share_one_note(dataset):
    # Cambridgeshire publishes the need split of all its plans but of no placement group
    totals = _totals({"ehcp_total": 6000, "ehcp_state_special": 900, "ehcp_mainstream": 3000})
    out, notes = need_shares.project_needs(dataset, "E10000003", totals, method="carry_forward")
    assert set(out["measure"]) == {"ehcp_total"}
    [note] = notes
    assert note.subjects == ("ehcp_mainstream", "ehcp_state_special")
    assert str(note).startswith("EHC plans: mainstream school, state special school: not split by primary need "
                                "for Cambridgeshire: SEN2 publishes no need split of it.")


def test_the_need_forecast_notes_a_capacity_comparison_it_cannot_make(dataset):
    capacity = read_capacity(capacity_file(REPO / "data", GLOS))
    totals = _totals({"ehcp_total": 376, "ehcp_state_special": 45})
    need = need_shares.forecast_needs(dataset, SURREY, totals, capacity)
    assert need.special.empty
    assert [n.subjects for n in need.notes] == [("ehcp_state_special",), ("ehcp_state_special",)]
    assert "special_by_need.csv" in str(need.notes[1])


def test_a_forecast_until_a_year_splits_by_need_from_what_was_published_by_then(dataset):
    # forecast --until 2024 used to project the January 2025 split (the first published); with
    # the data cut there is nothing to split, and the note says the total stands unsplit
    totals = _totals({"ehcp_total": 5000})
    before = need_shares.forecast_needs(dataset, GLOS, totals, None, until=2024)
    assert before.by_need.empty and before.latest.empty
    assert any("not split by primary need" in str(note) for note in before.notes)
    full = need_shares.forecast_needs(dataset, GLOS, totals, None)
    assert set(full.by_need["base_year"]) == {2025}
