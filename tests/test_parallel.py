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


def test_replications_on_a_process_pool_match_the_engine_in_process():
    # the one replication path (sendcast.scenarios.replications) against the engine's own loop
    import dataclasses

    import pandas as pd

    from sendcast.scenarios.replications import run_replications
    from simulation.examples import gloucestershire_example
    from simulation.parameters import Assessment, Caseload
    from simulation.runner import run_scenarios

    p = gloucestershire_example(horizon=3)
    c = p.caseload
    base = dataclasses.replace(
        p, population=dataclasses.replace(p.population, by_age=p.population.by_age * 0.1),
        caseload=Caseload(np.round(c.sen_support_by_age * 0.1), c.ehcp_by_age * 0.1, c.ehcp_by_placement * 0.1),
        assessment=Assessment(capacity_per_year=40))
    scenarios = {"baseline": base, "more capacity": dataclasses.replace(base, assessment=Assessment(capacity_per_year=80))}
    engine = run_scenarios(scenarios, replications=4, seed=5)
    pooled = run_replications(scenarios, replications=4, seed=5, baseline="baseline", backend="processes", workers=2)
    pd.testing.assert_frame_equal(engine.summary, pooled.summary)
    pd.testing.assert_frame_equal(engine.differences, pooled.differences)
    pd.testing.assert_frame_equal(engine.replications, pooled.replications)
