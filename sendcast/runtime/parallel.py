"""Run many independent tasks (replications, sweep points, LAs) on a chosen backend.

``backend``:

- ``local``: one after another in this process (needs nothing installed; the default);
- ``processes``: a pool of worker processes on this machine;
- ``dask``: a dask.distributed cluster: an existing one at ``scheduler`` (an address such
  as ``tcp://10.0.0.5:8786``), or a local cluster of ``workers`` processes.

Results come back in task order and are identical whatever the backend and the number
of workers: every task carries its own seed (never one per worker), and the task
function must be a pure function of its task. Task functions should return small
summaries (reduce on the worker), not whole simulations.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from sendcast.runtime.errors import SendcastError

log = logging.getLogger(__name__)

BACKENDS = ("local", "processes", "dask")
T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None]


class BackendError(SendcastError):
    """The backend asked for is not available or not reachable."""


def map_tasks(function: Callable[[T], R], tasks: Sequence[T], *, backend: str = "local",
              workers: int | None = None, scheduler: str | None = None,
              progress: Progress | None = None) -> list[R]:
    """Apply ``function`` to every task; return the results in task order.

    ``progress(done, total)`` is called as tasks finish.
    """
    if backend not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if scheduler is not None and backend != "dask":
        raise BackendError("--scheduler needs --backend dask")
    total = len(tasks)
    if backend == "local" or total <= 1:
        results = []
        for done, task in enumerate(tasks, start=1):
            results.append(function(task))
            if progress:
                progress(done, total)
        return results
    if backend == "processes":
        return _processes(function, tasks, workers or os.cpu_count() or 1, progress)
    return _dask(function, tasks, workers or os.cpu_count() or 1, scheduler, progress)


def _processes(function: Callable[[T], R], tasks: Sequence[T], workers: int, progress: Progress | None) -> list[R]:
    results: list[Any] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(function, task): i for i, task in enumerate(tasks)}
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress:
                    progress(done, len(tasks))
        except BaseException:
            # a failed task, or progress() raising to stop the run: drop the tasks not yet started
            # rather than wait for all of them (the pool still waits for those already running)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _dask(function: Callable[[T], R], tasks: Sequence[T], workers: int, scheduler: str | None,
          progress: Progress | None) -> list[R]:
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as error:
        raise BackendError("the dask backend needs dask.distributed: pip install 'sendcast[dask]'") from error
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise BackendError(f"cannot reach the dask scheduler at {scheduler}: {error}") from error
    try:
        futures = client.map(function, list(tasks), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[Any] = [None] * len(tasks)
        for done, future in enumerate(dask_completed(futures), start=1):
            results[index[future.key]] = future.result()
            if progress:
                progress(done, len(tasks))
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
