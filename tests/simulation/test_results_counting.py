"""How a replication's records become yearly stocks and flows: the fast counts agree exactly
with the plain definitions (every January tested one by one, every year clipped one by one).

A stock must be the same whole number of children whichever way it is counted, including
for the awkward records: spells starting or ending exactly on 1 January, spells still open
at the end of the run (end ``inf``), and children whose birthday puts them exactly on the
edge of an age band on the January day (where the float subtraction ``january - birth``
decides).
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.outputs import (AGE_BANDS, SCHOOL_PHASES, SPECIALIST_MEASURES, _by_age_from_ranges, count_open,
                                count_open_each, first_januaries_aged, first_january_from, plans_at_januaries,
                                stock_at_januaries, time_in_years, time_in_years_by)
from simulation.parameters import PLACEMENTS
from simulation.plan_paths import choose, choose_by_row, placement_paths, plan_segments

HORIZON = 6


def _births(rng: np.random.Generator, n: int) -> np.ndarray:
    """Births in run years: random, whole years, and a hair either side of whole years."""
    whole = rng.integers(-26, HORIZON + 2, n).astype(float)
    return np.concatenate([rng.uniform(-26, HORIZON + 2, n), whole, np.nextafter(whole, np.inf),
                           np.nextafter(whole, -np.inf), whole + 1e-15, whole - 1e-15])


def _spells(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Spells ``[start, end)``: random, on whole years, open at the end (``inf``), before and
    after the run, and some that end before they start."""
    start = np.concatenate([rng.uniform(-3, HORIZON + 3, n), rng.integers(-2, HORIZON + 3, n).astype(float)])
    length = np.concatenate([rng.exponential(2.0, n), rng.integers(0, 4, n).astype(float)])
    end = start + length
    end[rng.random(end.size) < 0.2] = np.inf
    backwards = rng.random(end.size) < 0.05
    end[backwards] = start[backwards] - rng.uniform(0, 2, int(backwards.sum()))
    return start, end


def _dense_stock(start: np.ndarray, end: np.ndarray, horizon: int) -> np.ndarray:
    """The definition: spells started by each January less spells ended by it."""
    points = np.arange(horizon + 1, dtype=float)
    return ((start[None, :] <= points[:, None]).sum(axis=1) - (end[None, :] <= points[:, None]).sum(axis=1)
            ).astype(float)


def _dense_plans_by_age(start, end, placement, birth, horizon):
    """The definition: every January tested against every spell (the engine's earlier code)."""
    points = np.arange(horizon + 1, dtype=float)
    open_at = (start[None, :] <= points[:, None]) & (end[None, :] > points[:, None])
    age = points[:, None] - birth[None, :]
    out = {}
    for band, (low, high) in AGE_BANDS.items():
        out[("ehcp_total", f"age_band={band}")] = (open_at & (age >= low) & (age < high)).sum(axis=1).astype(float)
    for kind, measure in SPECIALIST_MEASURES.items():
        of_kind = open_at & (placement == PLACEMENTS.index(kind))[None, :]
        for phase, (low, high) in SCHOOL_PHASES.items():
            out[(measure, f"phase={phase}")] = (of_kind & (age >= low) & (age < high)).sum(axis=1).astype(float)
    return out


def _looped_time_in_years(start: np.ndarray, end: np.ndarray, horizon: int) -> np.ndarray:
    """The definition: every spell clipped to every calendar year."""
    return np.array([np.clip(np.minimum(end, k + 1.0) - np.maximum(start, float(k)), 0.0, None).sum()
                     for k in range(horizon)])


@pytest.mark.parametrize("seed", range(5))
def test_first_january_from_is_the_first_january_at_or_after_each_time(seed):
    rng = np.random.default_rng(seed)
    start, end = _spells(rng, 300)
    times = np.concatenate([start, end, [-np.inf, np.inf, 0.0, float(HORIZON), HORIZON + 1.0]])
    points = np.arange(HORIZON + 1, dtype=float)
    at_or_after = points[:, None] >= times[None, :]
    expected = np.where(at_or_after.any(axis=0), at_or_after.argmax(axis=0), HORIZON + 1)
    np.testing.assert_array_equal(first_january_from(times, HORIZON), expected)


@pytest.mark.parametrize("age", [0, 4, 5, 11, 16, 20, 25])
def test_first_januaries_aged_matches_the_float_test_january_by_january(age):
    birth = _births(np.random.default_rng(age), 400)
    points = np.arange(HORIZON + 1, dtype=float)
    aged = (points[:, None] - birth[None, :]) >= age
    expected = np.where(aged.any(axis=0), aged.argmax(axis=0), HORIZON + 1)
    np.testing.assert_array_equal(first_januaries_aged(birth, [age], HORIZON)[0], expected)


def test_births_a_hair_after_a_whole_year_are_where_rounding_decides_the_age():
    # the case the correction is for: January 6 - birth rounds up to exactly 5 for a child
    # born a hair after run year 1, who is a hair short of 5 on that day
    birth = np.concatenate([np.nextafter(np.arange(-22.0, 6.0), np.inf), _births(np.random.default_rng(3), 200)])
    points = np.arange(HORIZON + 1, dtype=float)
    assert (((points[:, None] - birth[None, :]) >= 5) & (points[:, None] - 5 < birth[None, :])).any()
    ages = [0, 4, 5, 11, 16, 20]
    got = first_januaries_aged(birth, ages, HORIZON)
    for row, age in enumerate(ages):
        aged = (points[:, None] - birth[None, :]) >= age
        np.testing.assert_array_equal(got[row], np.where(aged.any(axis=0), aged.argmax(axis=0), HORIZON + 1))


def test_first_januaries_aged_takes_whole_years_only():
    with pytest.raises(ValueError, match="whole numbers"):
        first_januaries_aged(np.zeros(2), [4, 4.5], HORIZON)


@pytest.mark.parametrize("seed", range(5))
def test_stock_at_januaries_counts_spells_started_less_spells_ended(seed):
    start, end = _spells(np.random.default_rng(seed), 300)
    np.testing.assert_array_equal(stock_at_januaries(start, end, HORIZON), _dense_stock(start, end, HORIZON))


def test_count_open_by_key_and_each_agree_with_counting_one_set_at_a_time():
    rng = np.random.default_rng(11)
    start, end = _spells(rng, 200)
    key = rng.integers(0, 3, start.size)
    first, last = first_january_from(start, HORIZON), first_january_from(end, HORIZON)
    by_key = count_open(first, last, key, 4, HORIZON)
    each = count_open_each([(first[key == k], last[key == k]) for k in range(4)], HORIZON)
    for k in range(4):
        expected = _dense_stock(start[key == k], end[key == k], HORIZON)
        np.testing.assert_array_equal(by_key[k], expected)
        np.testing.assert_array_equal(each[k], expected)
    assert not by_key[3].any()


def _random_plans(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Plan spells (start, end), births shared by about six spells each, and placements."""
    rng = np.random.default_rng(seed)
    start, end = _spells(rng, 250)
    birth = np.resize(_births(rng, start.size // 6 + 1), start.size)
    return start, end, birth, rng.integers(0, len(PLACEMENTS), start.size)


@pytest.mark.parametrize("seed", range(8))
def test_plans_by_age_and_placement_equal_testing_every_january(seed):
    start, end, birth, placement = _random_plans(seed)
    by_placement, by_age = plans_at_januaries(start, end, placement, birth, HORIZON)
    expected = _dense_plans_by_age(start, end, placement, birth, HORIZON)
    assert list(by_age) == list(expected)
    for key, values in expected.items():
        np.testing.assert_array_equal(by_age[key], values, err_msg=str(key))
    for k in range(len(PLACEMENTS)):
        mine = placement == k
        np.testing.assert_array_equal(by_placement[k], _dense_stock(start[mine], end[mine], HORIZON))


@pytest.mark.parametrize("seed", range(3))
def test_plans_by_age_from_each_spells_own_ages_equal_testing_every_january(seed):
    # the way children born a hair after a whole year are counted, here for every child
    start, end, birth, placement = _random_plans(seed)
    by_age = _by_age_from_ranges(first_january_from(start, HORIZON), first_january_from(end, HORIZON), placement,
                                 birth, HORIZON)
    for key, values in _dense_plans_by_age(start, end, placement, birth, HORIZON).items():
        np.testing.assert_array_equal(by_age[key], values, err_msg=str(key))


def test_a_plan_on_a_birthday_january_is_counted_in_the_older_band():
    # born exactly 11 years before January 2: 11 on that day, in 11_to_15 and secondary
    special = PLACEMENTS.index("state_special")
    _, by_age = plans_at_januaries(np.array([0.0]), np.array([np.inf]), np.array([special]), np.array([-9.0]), 3)
    assert by_age[("ehcp_total", "age_band=5_to_10")].tolist() == [1, 1, 0, 0]
    assert by_age[("ehcp_total", "age_band=11_to_15")].tolist() == [0, 0, 1, 1]
    assert by_age[("ehcp_state_special", "phase=secondary")].tolist() == [0, 0, 1, 1]


@pytest.mark.parametrize("seed", range(5))
def test_time_in_years_by_key_equals_clipping_every_spell_to_every_year(seed):
    rng = np.random.default_rng(seed)
    start, end = _spells(rng, 300)
    key = rng.integers(0, 4, start.size)
    by_key = time_in_years_by(start, end, key, 5, HORIZON)
    for k in range(4):
        np.testing.assert_allclose(by_key[k], _looped_time_in_years(start[key == k], end[key == k], HORIZON),
                                   rtol=1e-12, atol=1e-12)
    assert not by_key[4].any()
    np.testing.assert_allclose(time_in_years(start, end, HORIZON), _looped_time_in_years(start, end, HORIZON),
                               rtol=1e-12, atol=1e-12)


def test_a_spell_inside_one_year_and_one_over_several_years():
    years = time_in_years(np.array([1.25, 2.5]), np.array([1.75, np.inf]), 5)
    np.testing.assert_allclose(years, [0.0, 0.5, 0.5, 1.0, 1.0])


@pytest.mark.parametrize("seed", range(5))
def test_choose_by_row_equals_choose_on_each_childs_row(seed):
    rng = np.random.default_rng(seed)
    shares = rng.random((6, 7)) * (rng.random((6, 7)) < 0.7)
    shares[:, -1] += 0.01
    cumulative = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    row = rng.integers(0, 6, 2000)
    u = np.concatenate([rng.random(1990), [0.0, 1.0, *cumulative[row[1992:], 3]]])
    np.testing.assert_array_equal(choose_by_row(cumulative, row, u), choose(cumulative[row], u))


def _placement_paths_one_by_one(start_group, start_phase, transfer_cum, transfer_u):
    """The definition: each child walked through its transfers with :func:`choose`."""
    paths = np.full((start_group.size, 5), -1, dtype=np.int64)
    for child in range(start_group.size):
        current = -1
        for phase in range(5):
            if current >= 0 and phase > start_phase[child]:
                current = int(choose(transfer_cum[phase - 1, current], transfer_u[child:child + 1, phase - 1])[0])
            if phase == start_phase[child]:
                current = int(start_group[child])
            paths[child, phase] = current
    return paths


@pytest.mark.parametrize("seed", range(4))
def test_placement_paths_follow_each_child_through_its_transfers(seed):
    rng = np.random.default_rng(seed)
    transfer = rng.random((4, 7, 7)) * (rng.random((4, 7, 7)) < 0.6) + np.eye(7)[None] * 0.5
    transfer_cum = np.cumsum(transfer / transfer.sum(axis=2, keepdims=True), axis=2)
    n = 400
    start_group, start_phase = rng.integers(0, 7, n), rng.integers(0, 5, n)
    transfer_u = rng.random((n, 4))
    transfer_u[:5] = transfer_cum[0, start_group[:5], 2][:, None]     # draws exactly on a cumulative share
    np.testing.assert_array_equal(placement_paths(start_group, start_phase, transfer_cum, transfer_u),
                                  _placement_paths_one_by_one(start_group, start_phase, transfer_cum, transfer_u))


def test_segments_after_the_end_of_the_run_are_left_out():
    # born at -9: phases start at school-year ages 4, 11, 16, 19 -> 1 September of run years -5, 1, 6, 9
    paths = np.array([[-1, 0, 1, 1, 2]])
    args = (np.array([0.5]), np.array([np.inf]), np.array([-9.0]), paths)
    september = 243 / 365
    starts = [0.5, 1 + september, 6 + september, 9 + september]
    start, end, _, _ = plan_segments(*args)
    np.testing.assert_allclose(start, starts)
    start, end, placement, index = plan_segments(*args, until=starts[-1])  # a spell starting at the end is kept
    np.testing.assert_allclose(start, starts)
    start, end, placement, index = plan_segments(*args, until=9.5)
    np.testing.assert_allclose(start, starts[:3])
    np.testing.assert_allclose(end, starts[1:])
    np.testing.assert_array_equal(placement, [0, 1, 1])
    np.testing.assert_array_equal(index, [0, 0, 0])
