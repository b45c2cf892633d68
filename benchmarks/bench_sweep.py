"""Benchmark: a lever sweep on each execution backend, measured in one run.

The sweep is the engine's Gloucestershire-sized example (``simulation.examples``, rates
illustrative) over ``--points`` values of the early identification relative risk, with
``--replications`` replications per point, each point one task reduced on its worker to a
few numbers per replication (:func:`sendcast.scenarios.sweep.run_sweep_task`).

Prints, all measured in the same run:

- wall time on the ``local`` backend (one process) and on ``processes`` and ``dask``
  (a LocalCluster started by the command) with 2 workers, and the speed-up of each over local;
- ``dask`` on a cluster that is already running (``--scheduler``, as on a shared cluster):
  the cluster start-up timed on its own, then the sweep on 1 and on 2 workers, and the
  speed-up from 1 to 2 workers;
- that the results are identical on every backend (seeded per task, not per worker);
- memory per task: the tracemalloc peak while one task runs, and the pickled size of what a
  task sends back.

    .venv/bin/python benchmarks/bench_sweep.py [--points 8 --replications 10 --years 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import time
import tracemalloc

import numpy as np

from sendcast.runtime.parallel import map_tasks
from sendcast.scenarios.sweep import SweepTask, run_sweep_task
from simulation.examples import gloucestershire_example
from simulation.parameters import EarlyIdentification


def tasks(points: int, replications: int, years: int) -> list[SweepTask]:
    base = gloucestershire_example(2019, years)
    out = []
    for risk in np.linspace(0.6, 1.2, points):
        lever = EarlyIdentification(share_identified_early=0.3, relative_risk=float(risk),
                                    capacity_children_per_year=600, cost_per_child_gbp=1500)
        out.append(SweepTask(f"relative_risk={risk:.2f}", dataclasses.replace(base, early_identification=lever),
                             replications, 20251122, 0.035))
    return out


def timed(backend: str, work: list[SweepTask], workers: int | None,
          scheduler: str | None = None) -> tuple[float, list]:
    start = time.perf_counter()
    result = map_tasks(run_sweep_task, work, backend=backend, workers=workers, scheduler=scheduler)
    return time.perf_counter() - start, result


def on_running_cluster(work: list[SweepTask], workers: int, local: list) -> float | None:
    """The sweep on an already running LocalCluster of ``workers`` workers (start-up not timed)."""
    from distributed import LocalCluster

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        started = time.perf_counter() - start
        elapsed, result = timed("dask", work, None, cluster.scheduler_address)
    print(f"dask, running cluster ({workers} worker{'s' if workers > 1 else ''}): {elapsed:7.2f} s "
          f"(cluster start-up {started:.1f} s, not counted); identical to local: {same(local, result)}")
    return elapsed


def same(a: list[dict], b: list[dict]) -> bool:
    return all(x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x) for x, y in zip(a, b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = tasks(args.points, args.replications, args.years)
    print(f"sweep: {args.points} points x {args.replications} replications x {args.years} years "
          "(engine example scenario, illustrative rates)")

    tracemalloc.start()
    run_sweep_task(dataclasses.replace(work[0], replications=1))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sent = len(pickle.dumps(run_sweep_task(work[0])))
    print(f"memory per task: peak {peak / 2**20:.1f} MiB while one replication runs; "
          f"{sent / 1024:.1f} KiB sent back for {args.replications} replications")

    local_time, local = timed("local", work, None)
    print(f"local (1 process):            {local_time:7.2f} s")
    for backend in ("processes", "dask"):
        try:
            elapsed, result = timed(backend, work, args.workers)
        except Exception as error:  # noqa: BLE001 - a benchmark reports what failed and goes on
            print(f"{backend}: not measured ({error})")
            continue
        print(f"{backend:9} ({args.workers} workers):      {elapsed:7.2f} s  speed-up x{local_time / elapsed:.2f}; "
              f"identical to local: {same(local, result)}")
    try:
        one = on_running_cluster(work, 1, local)
        two = on_running_cluster(work, args.workers, local)
        print(f"dask on a running cluster, 1 -> {args.workers} workers: speed-up x{one / two:.2f}")
    except Exception as error:  # noqa: BLE001 - a benchmark reports what failed and goes on
        print(f"dask on a running cluster: not measured ({error})")


if __name__ == "__main__":
    main()
