"""Replications of one or more scenarios on any execution backend.

The engine's runner (:mod:`simulation.runner`) runs replications in this process or a
process pool; this module runs the same tasks through :func:`sendcast.runtime.parallel.map_tasks`
so ``--backend local|processes|dask`` all work, and gives identical results whatever the
backend (every task carries its own seed and replication number; results come back in
task order). A task is one replication of every scenario, run one after another in one
process, so the draws they share are made once (:mod:`simulation.shared_draws`); it
returns each scenario's replication flattened to a vector (small to send back), and the
tables are built here with the engine's own summaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sendcast.runtime.memory import hold_freed_memory
from sendcast.runtime.parallel import Progress, map_tasks
from simulation import Parameters
from simulation.runner import SimulationResults, replication_values, results_from_wide, wide_table
from simulation.shared_draws import forget as forget_shared_draws

Task = tuple[tuple[Parameters, ...], int, int]


def _replication(task: Task) -> list[tuple[list[tuple], np.ndarray]]:
    """Replication ``replication`` of each scenario's parameters, in order."""
    scenarios, seed, replication = task
    return [replication_values(params, seed, replication) for params in scenarios]


def _of(params: Parameters | Sequence[Parameters], replication: int) -> Parameters:
    """A scenario's parameters for one replication: the same for all, or one each (drawn
    parameters, :func:`sendcast.scenarios.parameters.parameter_draws`)."""
    return params if isinstance(params, Parameters) else params[replication]


def run_replications(scenarios: Mapping[str, Parameters | Sequence[Parameters]], *, replications: int, seed: int,
                     baseline: str,
                     backend: str = "local", workers: int | None = None, scheduler: str | None = None,
                     progress: Progress | None = None) -> SimulationResults:
    """Replications ``0 .. replications - 1`` of every scenario with the streams of
    ``(seed, replication)``; summaries (mean and 2.5-97.5 percentiles of the outcomes),
    paired differences from ``baseline`` (mean and its 95% confidence interval). A scenario
    gives one set of parameters for all replications, or one per replication (calibrated
    parameters drawn from their uncertainty, and an option's uncertain inputs)."""
    names = list(scenarios)
    tasks = [(tuple(_of(scenarios[name], r) for name in names), seed, r) for r in range(replications)]
    # each replication's ~40 MiB reused by the next, not returned to the kernel and zeroed
    # anew (about 7 ms of system time a replication; forked workers inherit the setting)
    hold_freed_memory()
    per_task = len(names)
    # progress counts replications of a scenario, as before tasks held every scenario
    counted = None if progress is None else (lambda done, total: progress(done * per_task, total * per_task))
    results = map_tasks(_replication, tasks, backend=backend, workers=workers, scheduler=scheduler,
                        progress=counted)
    forget_shared_draws()  # (kept in this process by the local backend)
    wide = {}
    for k, name in enumerate(names):
        chunk = [result[k] for result in results]
        wide[name] = wide_table(chunk[0][0], [values for _, values in chunk], list(range(replications)))
    return results_from_wide(wide, baseline)
