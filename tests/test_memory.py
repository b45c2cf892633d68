"""Keeping freed memory for the next replication changes where memory comes from, not numbers."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sendcast.runtime.memory import hold_freed_memory
from simulation.examples import gloucestershire_example
from simulation.model import simulate


def test_holding_freed_memory_is_set_once_and_leaves_replications_unchanged():
    params = gloucestershire_example(2019, 3)
    before = simulate(params, 11, 0)
    held = hold_freed_memory()
    if sys.platform.startswith("linux"):
        assert held  # glibc (the CI image); elsewhere it may do nothing
    assert hold_freed_memory() == held
    after = simulate(params, 11, 0)
    for table in ("stocks", "flows"):
        a, b = getattr(before, table), getattr(after, table)
        assert list(a) == list(b)
        assert all(np.array_equal(a[key], b[key], equal_nan=True) for key in a)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_the_thresholds_are_ones_older_glibc_accepts():
    from sendcast.runtime import memory

    assert memory.MMAP_THRESHOLD_BYTES <= 32 * 2**20  # glibc's largest on 64-bit before 2.36
