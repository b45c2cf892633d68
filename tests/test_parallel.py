"""Backends give identical results in task order, whatever the number of workers."""

from __future__ import annotations

import numpy as np
import pytest

from sendcast.runtime.parallel import BackendError, map_tasks


def seeded_summary(task: tuple[int, float]) -> tuple[int, float, float]:
    """A stand-in replication: its own seed, a reduced summary back."""
    seed, scale = task
    draws = np.random.default_rng(seed).gamma(2.0, scale, size=10_000)
    return seed, float(draws.mean()), float(np.quantile(draws, 0.95))


TASKS = [(int(s), 1.5) for s in np.random.SeedSequence(42).generate_state(6)]


def test_processes_match_local_exactly():
    local = map_tasks(seeded_summary, TASKS, backend="local")
    assert map_tasks(seeded_summary, TASKS, backend="processes", workers=2) == local
    assert map_tasks(seeded_summary, TASKS, backend="processes", workers=1) == local


@pytest.mark.slow
def test_dask_local_cluster_with_two_workers_matches_local():
    pytest.importorskip("distributed", reason="dask.distributed is an optional extra")
    local = map_tasks(seeded_summary, TASKS, backend="local")
    seen = []
    result = map_tasks(seeded_summary, TASKS, backend="dask", workers=2, progress=lambda d, t: seen.append((d, t)))
    assert result == local
    assert seen[-1] == (len(TASKS), len(TASKS))


def test_unknown_backend_and_misplaced_scheduler_are_clear_errors():
    with pytest.raises(BackendError, match="local, processes, dask"):
        map_tasks(seeded_summary, TASKS, backend="threads")
    with pytest.raises(BackendError, match="--backend dask"):
        map_tasks(seeded_summary, TASKS, backend="processes", scheduler="tcp://127.0.0.1:8786")
