"""Benchmark: the national simulation, every LA (or the first ``--las`` of them), baseline and
one option, on the dask backend with 1 and then 2 workers (a LocalCluster, one thread per
worker), one task per LA and replication chunk.

The scenarios are the shipped ``scenarios/baseline.toml`` and ``scenarios/new-special-school.toml``
re-targeted at each LA (``sendcast.scenarios.retarget``), horizon 10 years from January 2025.
LAs whose series a boundary change breaks inside the calibration window are left out and
listed. Parameters (calibration included) are built once before the clock starts; their time
is printed separately.

Prints, all measured in the same run:

- the set-up time (calibration and parameters) per LA;
- wall time of the whole simulation on 1 dask worker and on 2, the time per LA on each, and
  the speed-up from 1 to 2 workers (the pairs' results must be identical on both, and to a
  local run of the first LA: checked, not assumed);
- memory per task: the tracemalloc peak inside each task (Python allocations of one chunk of
  pairs for one LA), median and largest;
- ``os.cpu_count()``: this machine has 2 cores shared with other work, so the speed-up is an
  observation of this machine at this time, not of the code alone.

    .venv/bin/python benchmarks/bench_national.py [--las 150] [--pairs 100] [--chunk 25]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulation.model import simulate
from simulation.parameters import Parameters

ROOT = Path(__file__).resolve().parents[1]
SEED = 20251122


@dataclass(frozen=True)
class Task:
    """One LA's baseline and option for replications ``first`` to ``first + count - 1``."""

    la: str
    baseline: Parameters
    option: Parameters
    first: int
    count: int


def run_task(task: Task) -> dict:
    """Pairs of replications (same seed and replication number: common random numbers), reduced
    to EHC plans and independent special placements in the last January, per replication."""
    tracemalloc.start()
    out = {"la": task.la, "first": task.first, "ehcp": [], "independent": [], "ehcp_option": [],
           "independent_option": []}
    for r in range(task.first, task.first + task.count):
        for params, suffix in ((task.baseline, ""), (task.option, "_option")):
            result = simulate(params, SEED, r)
            out["ehcp" + suffix].append(float(result.stocks[("ehcp_total", "")][-1]))
            out["independent" + suffix].append(float(result.stocks[("ehcp_independent_special", "")][-1]))
    out["peak_bytes"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out


def build(las: int | None) -> tuple[dict[str, tuple[Parameters, Parameters]], list[str], float]:
    from sendcast.data.store import load_dataset
    from sendcast.runtime.errors import SendcastError
    from sendcast.scenarios.pipeline import build_all_parameters, load_scenarios
    from sendcast.scenarios.retarget import check_series, retarget

    dataset = load_dataset(ROOT / "data")
    loaded = load_scenarios([ROOT / "scenarios" / "baseline.toml", ROOT / "scenarios" / "new-special-school.toml"])
    geography = dataset.geography.las
    current = geography[(geography["la_number"] != "") & (geography["last_year"] == geography["last_year"].max())]
    built, refused = {}, []
    started = time.perf_counter()
    for code, name in zip(current["la_code"], current["la_name"]):
        if las is not None and len(built) >= las:
            break
        try:
            check_series(dataset, code, loaded[0].scenario.scenario.start_year)
            targeted, _ = retarget(loaded, dataset, code, ROOT / "data")
            base, option = build_all_parameters(dataset, [item.scenario for item in targeted], data=ROOT / "data",
                                                capacity=targeted[0].capacity)
        except SendcastError as error:
            refused.append(f"{name}: {error}")
            continue
        built[name] = (base, option)
    return built, refused, time.perf_counter() - started


def tasks_for(built: dict[str, tuple[Parameters, Parameters]], pairs: int, chunk: int) -> list[Task]:
    return [Task(la, base, option, first, min(chunk, pairs - first))
            for la, (base, option) in built.items() for first in range(0, pairs, chunk)]


def timed(tasks: list[Task], workers: int) -> tuple[list[dict], float]:
    from sendcast.runtime.parallel import map_tasks

    started = time.perf_counter()
    results = map_tasks(run_task, tasks, backend="dask", workers=workers)
    return results, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--las", type=int, help="the first N LAs with unbroken series (default: all)")
    parser.add_argument("--pairs", type=int, default=100, help="baseline-and-option pairs per LA (default 100)")
    parser.add_argument("--chunk", type=int, default=25, help="pairs per task (default 25)")
    args = parser.parse_args()

    built, refused, setup = build(args.las)
    tasks = tasks_for(built, args.pairs, args.chunk)
    print(f"{len(built)} LAs, {args.pairs} pairs each, {len(tasks)} tasks of up to {args.chunk} pairs; "
          f"os.cpu_count() = {os.cpu_count()}")
    print(f"set-up (calibration and parameters, not timed below): {setup:.1f} s, {setup / max(len(built), 1):.1f} s "
          "per LA")
    if refused:
        print(f"left out ({len(refused)}):")
        for line in refused:
            print(f"  - {line}")
    one, wall1 = timed(tasks, 1)
    two, wall2 = timed(tasks, 2)
    same = all(a == {**b, "peak_bytes": a["peak_bytes"]} for a, b in zip(one, two))
    local = run_task(tasks[0])
    same_local = {**local, "peak_bytes": 0} == {**one[0], "peak_bytes": 0}
    n = max(len(built), 1)
    print(f"dask, 1 worker : {wall1:8.1f} s  ({wall1 / n:.2f} s per LA)")
    print(f"dask, 2 workers: {wall2:8.1f} s  ({wall2 / n:.2f} s per LA)")
    print(f"speed-up 1 -> 2 workers: {wall1 / wall2:.2f}x")
    print(f"results identical on 1 and 2 workers: {same}; first task identical to a local run: {same_local}")
    peaks = [r["peak_bytes"] / 2**20 for r in one]
    print(f"memory per task (tracemalloc peak, {args.chunk} pairs of one LA): median {statistics.median(peaks):.1f} "
          f"MiB, largest {max(peaks):.1f} MiB")
    diffs = {la: np.mean(np.subtract([v for r in one if r["la"] == la for v in r["independent_option"]],
                                     [v for r in one if r["la"] == la for v in r["independent"]]))
             for la in built}
    print("mean change in independent special placements, last January (option - baseline), first LAs: "
          + ", ".join(f"{la} {d:+.1f}" for la, d in list(diffs.items())[:5]))


if __name__ == "__main__":
    main()
