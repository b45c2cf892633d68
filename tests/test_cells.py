"""Reading one published cell: numbers, markers and everything else."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendcast.data.cells import MISSING_MARKERS, parse_numbers, sum_components
from sendcast.runtime.errors import InputError


def _parse(cells: list[str], kind: str = "count"):
    text = pd.Series(cells, dtype=object)
    return parse_numbers(text, path="f.csv", column="c", rows=pd.Series(range(2, len(cells) + 2)), kind=kind)


def test_markers_become_missing_and_z_is_flagged():
    values, z = _parse(["12", "x", "z", "c", "low", "", " 7 "])
    assert values.iloc[0] == 12 and values.iloc[6] == 7
    assert values.iloc[1:6].isna().all()
    assert z.tolist() == [False, False, True, False, False, False, False]


def test_sum_of_components_z_adds_nothing_x_makes_it_unknown():
    a, za = _parse(["3", "3", "z", "x"])
    b, zb = _parse(["z", "4", "z", "4"])
    total = sum_components([a, b], [za, zb])
    assert total.iloc[0] == 3 and total.iloc[1] == 7
    assert math.isnan(total.iloc[2]) and math.isnan(total.iloc[3])


@pytest.mark.parametrize("cell, kind", [("1,234", "count"), ("-1", "count"), ("2.5", "count"),
                                        ("101", "percent"), ("n/a", "percent"), ("12abc", "number")])
def test_bad_cells_name_their_row(cell, kind):
    with pytest.raises(InputError) as caught:
        _parse(["1", "2", cell], kind)
    assert caught.value.row == 4 and caught.value.column == "c" and caught.value.found == cell


@given(st.lists(st.text(max_size=8), min_size=1, max_size=20))
def test_any_text_is_a_number_a_marker_or_an_error(cells):
    try:
        values, _ = _parse(cells, "number")
    except InputError as error:
        bad = cells[error.row - 2]
        assert bad.strip().lower() not in MISSING_MARKERS
        return
    for cell, value in zip(cells, values):
        if cell.strip().lower() in MISSING_MARKERS | {"z"}:
            assert math.isnan(value)
        else:
            assert value == float(cell.strip())


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=30))
def test_whole_numbers_round_trip(numbers):
    values, _ = _parse([str(n) for n in numbers])
    assert values.tolist() == [float(n) for n in numbers]
