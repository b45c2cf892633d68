"""The DSG management plan's children-and-young-people table: it adds up in every year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendcast.money.cyp_table import BANDS, CATEGORIES, NEEDS, Pattern, cyp_table, published_pattern

GROUPS = ("ehcp_mainstream", "ehcp_resourced_unit", "ehcp_state_special", "ehcp_independent_special", "ehcp_ap",
          "ehcp_fe", "ehcp_other")


def _january(rng: np.random.Generator, years: range) -> pd.DataFrame:
    rows = []
    for year in years:
        groups = rng.uniform(10, 1000, size=6)
        unit = rng.uniform(0, 1) * groups[0]
        total = groups.sum()
        bands = rng.dirichlet(np.ones(5)) * total
        for name, value in zip(("ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_ap",
                                "ehcp_fe", "ehcp_other"), groups):
            rows.append((name, "", year, value))
        rows.append(("ehcp_resourced_unit", "", year, unit))
        rows.append(("ehcp_total", "", year, total))
        for (code, _, _), value in zip(BANDS, bands):
            rows.append(("ehcp_total", f"age_band={code}", year, value))
    return pd.DataFrame(rows, columns=["measure", "breakdown", "year", "mean"])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_needs_placements_and_ages_add_up_to_the_totals_in_every_year(seed):
    rng = np.random.default_rng(seed)
    pattern = Pattern(rng.uniform(0, 5, size=(len(CATEGORIES), len(BANDS), len(NEEDS))), 2025)
    january = _january(rng, range(2025, 2030))
    shares = pd.DataFrame(rng.dirichlet(np.ones(len(NEEDS)), size=5), index=range(2025, 2030), columns=NEEDS)
    table = cyp_table(pattern, january, shares, scenario="S", share_method="carry_forward")
    for year, block in table.groupby("financial_year"):
        start = int(year[:4])
        jan = january.set_index(["measure", "breakdown", "year"])["mean"]

        def average(m: str, b: str = "", start: int = start) -> float:
            return 0.25 * jan[(m, b, start)] + 0.75 * jan[(m, b, start + 1)]  # noqa: B023
        assert block["plans"].sum() == pytest.approx(average("ehcp_total"))
        by_band = block.groupby("age_band")["plans"].sum()
        for code, label, _ in BANDS:
            assert by_band[label] == pytest.approx(average("ehcp_total", f"age_band={code}"))
        by_place = block.groupby("placement")["plans"].sum()
        assert by_place["Resourced provision / SEN unit"] == pytest.approx(average("ehcp_resourced_unit"))
        assert by_place["Mainstream"] == pytest.approx(average("ehcp_mainstream") - average("ehcp_resourced_unit"))
        by_need = block.groupby("need")["plans"].sum()
        share = 0.25 * shares.loc[start] + 0.75 * shares.loc[start + 1]
        assert np.allclose(by_need[list(NEEDS)].to_numpy(), share.to_numpy() * average("ehcp_total"))
        assert (block["plans"] >= 0).all()


def test_gloucestershires_pattern_matches_the_published_tables(dataset):
    pattern = published_pattern(dataset, "E10000013")
    assert pattern.year == 2025
    assert pattern.table.sum() == pytest.approx(6412, abs=0.5)
    by_need = dict(zip(NEEDS, pattern.table.sum(axis=(0, 1))))
    assert by_need["asd"] == pytest.approx(1179, abs=0.5) and by_need["semh"] == pytest.approx(1495, abs=0.5)
    by_place = dict(zip([c for c, _ in CATEGORIES], pattern.table.sum(axis=(1, 2))))
    assert by_place["state_special"] == pytest.approx(1506, abs=0.5)
    state_special_asd = pattern.table[[c for c, _ in CATEGORIES].index("state_special"), :, NEEDS.index("asd")].sum()
    assert state_special_asd == pytest.approx(372, abs=0.5)   # published: 185 LA maintained + 187 academy
