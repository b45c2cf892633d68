"""Benchmark: the national simulation (issue 25), a baseline and one option for every LA, 100
pairs each, on a Dask cluster that is already running (as ``sendcast simulate --all-las
--backend dask --scheduler ADDRESS`` uses it), with 1 and then 2 workers, in one run.

The code timed is the product's (:mod:`sendcast.scenarios.national_simulation`): set-up (the
calibration and each replication's parameters) one task per LA, then the simulation one task
per LA and chunk of replications. The scenarios are the shipped ``scenarios/new-special-school.toml``
and its baseline re-targeted at each LA.

The cluster: the benchmark starts ``dask scheduler`` and one ``dask worker`` process (one
thread) as separate processes, runs set-up and simulation, then starts a second worker and runs
the simulation again; both clusters are "existing" to the code timed (it connects with
``scheduler=ADDRESS``). ``--scheduler ADDRESS`` times a cluster you run yourself instead (one
timing, with however many workers it has).

Which LAs: ``--sample N`` (default 6) takes N LAs spread evenly over the size distribution
(the LAs with an unbroken series, sorted by EHC plans in the latest January, the LAs at the
(i + 0.5)/N quantiles), so the sample's mean size is close to the national mean; ``--all``
runs every LA (hours on 2 cores: the full run when given the time). From a sample the whole
run is EXTRAPOLATED, and printed as such: simulation time in proportion to EHC plans (the
simulation follows each child; the per-LA CPU per 1,000 plans is printed so the rule can be
checked), set-up time in proportion to the number of LAs (the calibration's cost hardly
depends on size).

Prints, all measured in the same run: set-up wall and per LA; simulation wall on 1 and on 2
workers, per LA, the speed-up from 1 to 2 workers; whether the tables are identical on 1 and 2
workers and to a local run of the smallest LA (checked, not assumed); memory per task (the
tracemalloc peak of each task: Python allocations of one chunk of pairs of one LA) and each
worker process's peak resident memory; ``os.cpu_count()`` and the load average before and after,
because this machine's 2 cores are shared and the speed-up is an observation of the machine at
that time, not of the code alone.

    .venv/bin/python benchmarks/bench_national.py [--sample 6 | --all] [--pairs 100] [--chunk 25]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "new-special-school.toml"
DASK = Path(sys.executable).with_name("dask")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def eligible_las(dataset) -> pd.DataFrame:
    """LAs whose series covers the calibration window (``la_code, la_name, plans``), by size."""
    from sendcast.runtime.errors import SendcastError
    from sendcast.scenarios.files import load_scenario
    from sendcast.scenarios.retarget import check_series
    from sendcast.scenarios.validation_all_las import current_las

    start = load_scenario(SCENARIO)[0].scenario.start_year
    measures = dataset.measures
    totals = measures[(measures["measure"] == "ehcp_total") & (measures["breakdown"] == "")]
    latest = totals[totals["year"] == totals["year"].max()].set_index("la_code")["value"]
    rows = []
    for code, name in zip(*(current_las(dataset)[c] for c in ("la_code", "la_name"))):
        try:
            check_series(dataset, code, start)
        except SendcastError:
            continue
        if code in latest.index:
            rows.append((code, name, float(latest[code])))
    return pd.DataFrame(rows, columns=["la_code", "la_name", "plans"]).sort_values("plans").reset_index(drop=True)


def sample(las: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` LAs at the (i + 0.5)/n quantiles of size (module docstring)."""
    picks = sorted({min(int((i + 0.5) / n * len(las)), len(las) - 1) for i in range(n)})
    return las.iloc[picks].reset_index(drop=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes started here (and stopped at the end)."""

    def __init__(self) -> None:
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.env = env
        self.processes.append(subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1],
             "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def add_worker(self) -> None:
        self.processes.append(subprocess.Popen(
            [str(DASK), "worker", self.address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
             "--memory-limit", "0"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def wait_for(self, workers: int, timeout: float = 120) -> None:
        from distributed import Client

        client = Client(self.address, timeout="60s")
        try:
            client.wait_for_workers(workers, timeout=timeout)
        finally:
            client.close()

    def worker_peak_rss_mib(self) -> list[float]:
        from distributed import Client

        client = Client(self.address, timeout="60s")
        try:
            found = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        finally:
            client.close()
        return sorted(found.values())

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sample", type=int, default=6, help="LAs spread over the sizes (default 6)")
    which.add_argument("--all", action="store_true", help="every LA with an unbroken series (the full run)")
    parser.add_argument("--pairs", type=int, default=100, help="baseline-and-option pairs per LA (default 100)")
    parser.add_argument("--chunk", type=int, default=25, help="pairs per simulation task (default 25)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="time a running cluster of yours instead (one timing)")
    args = parser.parse_args()

    from sendcast.data.store import load_dataset
    from sendcast.scenarios.national_simulation import SIMULATED, set_up_las, simulate_set_up

    dataset = load_dataset(ROOT / "data")
    everyone = eligible_las(dataset)
    las = everyone if args.all else sample(everyone, args.sample)
    print(f"os.cpu_count() = {os.cpu_count()}; {load()} at the start")
    print(f"{len(everyone)} LAs with an unbroken series ({everyone['plans'].sum():,.0f} EHC plans in the latest "
          f"January, mean {everyone['plans'].mean():,.0f} per LA)")
    print(f"timed: {len(las)} LAs ({'all' if args.all else 'a sample spread over the sizes'}; "
          f"{las['plans'].sum():,.0f} plans, mean {las['plans'].mean():,.0f}), {args.pairs} pairs each, "
          f"chunks of {args.chunk}: " + ", ".join(f"{r.la_name} ({r.plans:,.0f})" for r in las.itertuples()))

    cluster = None if args.scheduler else Cluster()
    address = args.scheduler or cluster.address
    try:
        if cluster is not None:
            cluster.add_worker()
            cluster.wait_for(1)
        where = dict(backend="dask", scheduler=address)
        setups, setup_wall = set_up_las(dataset, las, SCENARIO, replications=args.pairs, data=ROOT / "data",
                                        **where)
        refused = [s for s in setups if s.status != SIMULATED]
        print(f"set-up on 1 worker: {setup_wall:.1f} s wall, {setup_wall / len(las):.1f} s per LA ({load()})")
        for s in refused:
            print(f"  left out: {s.la_name}: {s.status}: {s.reason}")
        began = time.perf_counter()
        one = simulate_set_up(setups, chunk=args.chunk, **where)
        wall1 = time.perf_counter() - began
        print(f"simulation on 1 worker ({'your cluster' if cluster is None else 'dask worker, 1 thread'}): "
              f"{wall1:.1f} s wall ({load()})")
        two = None
        if cluster is not None:
            cluster.add_worker()
            cluster.wait_for(2)
            began = time.perf_counter()
            two = simulate_set_up(setups, chunk=args.chunk, **where)
            wall2 = time.perf_counter() - began
            print(f"simulation on 2 workers: {wall2:.1f} s wall ({load()})")
            rss = cluster.worker_peak_rss_mib()
    finally:
        if cluster is not None:
            cluster.stop()

    ready = [s for s in setups if s.status == SIMULATED]
    n = max(len(ready), 1)
    smallest = min(ready, key=lambda s: float(las.set_index("la_code").loc[s.la_code, "plans"]))
    local = simulate_set_up([smallest], chunk=args.chunk)
    mine = one.summary[one.summary["la_code"] == smallest.la_code].reset_index(drop=True)
    same_local = mine.equals(local.summary.reset_index(drop=True))
    print("\nresults:")
    if two is not None:
        same = one.summary.equals(two.summary) and one.differences.equals(two.differences)
        print(f"  tables identical on 1 and 2 workers: {same}; {smallest.la_name} identical to a local run: "
              f"{same_local}")
        print(f"  speed-up of the simulation from 1 to 2 workers: {wall1 / wall2:.2f}x")
    per = one.las[one.las["status"] == SIMULATED].merge(las[["la_code", "plans"]], on="la_code")
    per["cpu_per_1000_plans"] = per["simulation_cpu_seconds"] / per["plans"] * 1000
    print("  per LA (simulation CPU-s in the tasks on 1 worker, set-up s):")
    for row in per.itertuples():
        print(f"    {row.la_name:28} {row.plans:8,.0f} plans  simulation {row.simulation_cpu_seconds:7.1f} CPU-s "
              f"({row.cpu_per_1000_plans:5.1f} per 1,000 plans)  set-up {row.setup_seconds:5.1f} s  "
              f"peak task {row.peak_task_mib:6.1f} MiB")
    print(f"  time per LA: set-up {setup_wall / len(las):.1f} s; simulation {wall1 / n:.1f} s on 1 worker"
          + (f", {wall2 / n:.1f} s on 2" if two is not None else ""))
    peaks = one.chunk_peaks_mib
    print(f"  memory per task (tracemalloc peak, {args.chunk} pairs of one LA): median {statistics.median(peaks):.1f} "
          f"MiB, largest {max(peaks):.1f} MiB" + ("; worker processes' peak RSS: "
                                                   + ", ".join(f"{x:.0f} MiB" for x in rss) if two is not None else ""))
    if not args.all:
        share = per["plans"].sum() / everyone["plans"].sum()
        sim1 = wall1 / share
        print(f"\nEXTRAPOLATED to all {len(everyone)} LAs (not measured): the sample holds {100 * share:.1f}% of the "
              f"plans; simulation on 1 worker {sim1 / 60:.0f} min"
              + (f", on 2 workers {wall2 / share / 60:.0f} min" if two is not None else "")
              + f"; set-up {setup_wall / len(las) * len(everyone) / 60:.0f} min on 1 worker"
              + (f" (about {setup_wall / len(las) * len(everyone) / 60 / (wall1 / wall2):.0f} min on 2 at the "
                 "same speed-up)" if two is not None else "") + f". Measured under {load()}.")
        cpu = per["simulation_cpu_seconds"].sum()
        print(f"  by CPU time (less moved by other work than wall time): the tasks used {cpu:,.0f} CPU-s, "
              f"{cpu / per['plans'].sum() * 1000:.1f} per 1,000 plans; all LAs about {cpu / share / 3600:.1f} CPU-hours, "
              f"about {cpu / share / 2 / 3600:.1f} h on 2 idle cores if they scale perfectly (an upper bound on the "
              "speed-up, not a measurement).")


if __name__ == "__main__":
    main()
