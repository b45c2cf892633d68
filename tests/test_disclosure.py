"""Disclosure control: small counts hidden, and no hidden count recoverable from totals."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendcast.disclosure import SUPPRESSED, audit, suppress, with_margins


def test_a_lone_small_count_takes_a_partner_in_its_row_and_column():
    counts = pd.DataFrame({"ASD": [3, 40], "SEMH": [20, 30]}, index=["Stroud", "Tewkesbury"])
    published = suppress(with_margins(counts))
    assert published.loc["Stroud", "ASD"] == SUPPRESSED
    # 3 alone would be 23 - 20: so 20 is hidden too; then column ASD and SEMH each need a partner.
    hidden = (published == SUPPRESSED).to_numpy().sum()
    assert hidden >= 4
    assert published.loc["Total", "Total"] == 93


def test_zeros_and_counts_above_five_are_shown_when_safe():
    counts = pd.DataFrame({"a": [0, 12], "b": [7, 9]}, index=["x", "y"])
    published = suppress(with_margins(counts))
    assert not (published == SUPPRESSED).to_numpy().any()
    assert published.loc["x", "a"] == 0


def test_the_audit_finds_a_recoverable_cell_when_secondary_suppression_is_skipped():
    table = with_margins(pd.DataFrame({"a": [3, 40], "b": [20, 30]}, index=["x", "y"]))
    naive = table.astype(object)
    naive.loc["x", "a"] = SUPPRESSED  # primary only
    ranges = audit(naive)
    assert ranges.loc[0, "low"] == pytest.approx(3) and ranges.loc[0, "high"] == pytest.approx(3)


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        suppress(with_margins(pd.DataFrame({"a": [-1, 2]})))
    with pytest.raises(ValueError, match="Total"):
        suppress(pd.DataFrame({"a": [1, 2]}))


counts_tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda rows: st.integers(min_value=1, max_value=4).flatmap(
        lambda cols: st.lists(st.lists(st.integers(min_value=0, max_value=30), min_size=cols, max_size=cols),
                              min_size=rows, max_size=rows)))


@settings(max_examples=150, deadline=None)
@given(counts_tables)
def test_every_small_count_is_hidden_and_none_can_be_worked_out(rows):
    table = with_margins(pd.DataFrame(rows, columns=[f"c{j}" for j in range(len(rows[0]))],
                                      index=[f"r{i}" for i in range(len(rows))]))
    published = suppress(table)
    values = table.to_numpy()
    shown = published.to_numpy(dtype=object)
    for (i, j), value in pd.DataFrame(values).stack().items():
        if 1 <= value <= 5:
            assert shown[i, j] == SUPPRESSED
        if shown[i, j] != SUPPRESSED:
            assert shown[i, j] == value
    ranges = audit(published)
    for _, cell in ranges.iterrows():
        original = table.loc[cell["row"], cell["column"]]
        assert cell["low"] - 1e-6 <= original <= cell["high"] + 1e-6
        if 1 <= original <= 5:
            assert cell["high"] - cell["low"] >= 1 - 1e-6, f"{cell['row']}/{cell['column']} recoverable"
