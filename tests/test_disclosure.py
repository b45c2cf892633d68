"""Disclosure control: small counts hidden, and no hidden count can be worked out from
what is published, whatever the table."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sendcast.reporting.disclosure import HIGH, LOW, PROTECTION_LEVEL, SUPPRESSED, TOTAL, apply_disclosure_control, audit, with_margins


def _table(rows: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[f"need{j}" for j in range(len(rows[0]))],
                        index=[f"area{i}" for i in range(len(rows))])


def _reader_bounds(published: pd.DataFrame) -> dict[tuple[int, int], tuple[float, float]]:
    """What a reader can work out, computed independently of the module: one variable
    per hidden cell, one equation per row and column of the published table."""
    shown = published.to_numpy(dtype=object)
    hidden = [(i, j) for i, j in itertools.product(*map(range, shown.shape)) if shown[i, j] == SUPPRESSED]
    if not hidden:
        return {}
    index = {cell: k for k, cell in enumerate(hidden)}
    lines = [[(i, j) for j in range(shown.shape[1])] for i in range(shown.shape[0])]
    lines += [[(i, j) for i in range(shown.shape[0])] for j in range(shown.shape[1])]
    a_eq, b_eq = [], []
    for *inner, total in lines:
        coefficients, constant = np.zeros(len(hidden)), 0.0
        for cell, sign in [(c, 1.0) for c in inner] + [(total, -1.0)]:
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                constant += sign * float(shown[cell])
        if coefficients.any():
            a_eq.append(coefficients)
            b_eq.append(-constant)
    out = {}
    for cell, k in index.items():
        objective = np.zeros(len(hidden))
        objective[k] = 1.0
        low = linprog(objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
        out[cell] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return out


def test_the_table_that_broke_the_one_pass_rule_is_now_protected():
    # The withdrawn one-pass rule published this with area1/need2 (3) hidden but
    # recoverable exactly: column need2 and row area2 pinned it.
    counts = _table([[0, 8, 7], [0, 1, 3], [5, 10, 6]])
    result = apply_disclosure_control(counts, protection_level=1)
    bounds = _reader_bounds(result.published)
    assert result.published.loc["area1", "need2"] == SUPPRESSED
    assert all(high - low >= 1 - 1e-6 for low, high in bounds.values())


def test_a_lone_small_count_takes_partners_until_it_cannot_be_worked_out():
    counts = _table([[3, 40], [20, 30]])
    result = apply_disclosure_control(counts)
    published = result.published
    assert published.loc["area0", "need0"] == SUPPRESSED
    assert published.loc[TOTAL, TOTAL] == 93, "the grand total is not small and stays shown"
    low, high = _reader_bounds(published)[(0, 0)]
    assert high - low >= PROTECTION_LEVEL
    assert result.primary == 1 and result.secondary >= 3


def test_zeros_and_counts_above_five_are_shown_when_nothing_is_small():
    published = apply_disclosure_control(_table([[0, 12], [7, 9]])).published
    assert not (published == SUPPRESSED).to_numpy().any()
    assert published.loc["area0", "need0"] == 0 and published.loc[TOTAL, TOTAL] == 28


def test_a_small_total_is_hidden_like_any_other_count():
    published = apply_disclosure_control(_table([[0, 2], [30, 40]])).published
    assert published.loc["area0", TOTAL] == SUPPRESSED and published.loc["area0", "need1"] == SUPPRESSED


def test_a_table_of_one_small_count_hides_everything():
    result = apply_disclosure_control(_table([[4]]))
    assert (result.published == SUPPRESSED).to_numpy().all()
    assert np.isinf(result.audit["high"]).all()


def test_the_audit_reports_only_what_a_reader_could_compute():
    result = apply_disclosure_control(_table([[3, 40, 12], [20, 30, 9], [11, 2, 17]]))
    assert list(result.audit.columns) == ["row", "column", "low", "high", "width", "protected"]
    assert result.audit["protected"].all()
    again = audit(result.published)
    pd.testing.assert_frame_equal(again, result.audit)


def test_the_audit_catches_a_table_with_primary_suppression_only():
    table = with_margins(_table([[3, 40], [20, 30]])).astype(object)
    table.loc["area0", "need0"] = SUPPRESSED
    ranges = audit(table)
    assert ranges.loc[0, ["low", "high"]].tolist() == [3, 3] and not ranges.loc[0, "protected"]


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="0 or more"):
        apply_disclosure_control(_table([[-1, 2]]))
    with pytest.raises(ValueError, match="whole"):
        apply_disclosure_control(_table([[1.5, 2]]))
    with pytest.raises(ValueError, match="Total"):
        apply_disclosure_control(pd.DataFrame({"Total": [1, 2]}))
    with pytest.raises(ValueError, match="at least 1"):
        apply_disclosure_control(_table([[1, 2]]), protection_level=0)


counts_tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda rows: st.integers(min_value=1, max_value=4).flatmap(
        lambda cols: st.lists(st.lists(st.integers(min_value=0, max_value=25), min_size=cols, max_size=cols),
                              min_size=rows, max_size=rows)))


@pytest.mark.slow  # 10 CPU-s measured (fast tier: under 3)
@settings(max_examples=80, deadline=None)
@given(counts_tables, st.sampled_from([1, 3, PROTECTION_LEVEL]))
def test_no_hidden_count_can_be_worked_out_from_what_is_published(rows, protection_level):
    counts = _table(rows)
    result = apply_disclosure_control(counts, protection_level=protection_level)  # returns: the loop ends
    truth = with_margins(counts).to_numpy()
    shown = result.published.to_numpy(dtype=object)
    for (i, j), value in np.ndenumerate(truth):
        if LOW <= value <= HIGH:
            assert shown[i, j] == SUPPRESSED, "every count from 1 to 5 is hidden"
        elif shown[i, j] != SUPPRESSED:
            assert shown[i, j] == value, "shown counts are the true counts"
    for (i, j), (low, high) in _reader_bounds(result.published).items():
        assert low - 1e-6 <= truth[i, j] <= high + 1e-6
        assert high - low >= protection_level - 1e-6, f"cell {i},{j} narrowed to {low}..{high}"

