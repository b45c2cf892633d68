"""Benchmark: ``sendcast calibrate --all-las`` (issue 19 target: every LA under 15 minutes on
2 cores), measured on a sample of LAs with 1 and then 2 workers in the same run.

The sample: ``--las`` LAs drawn at random (seeded, ``--sample-seed``) from the LAs the run
would validate (no missing input), so that the time per LA is an unbiased estimate of the
national mean (LAs differ in size: Rutland has about 300 EHC plans, Kent about 20,000).
Each timed run is the real code path (:func:`sendcast.scenarios.validation_all_las.validate_las`:
calibration at each origin, replications, the forecast engine's forecasts) on a fresh pool of
worker processes. The forecast engine's national evidence (the same for every LA) is computed
once in the parent first, as the command does (:func:`prime_evidence`; forked workers inherit
it), and timed on its own: it is paid once per national run, not per LA.

Prints, all measured in the same run:

- wall time with 1 worker and with 2, per LA, and the speed-up (the tables must be identical:
  checked, not assumed);
- the extrapolation to every LA the run would validate: ``evidence + LAs x (wall time with 2
  workers / N)``,
  and a 90% range from resampling the sample's per-LA task times (bootstrap of the mean),
  scaled by the measured speed-up; a sample's small LAs or large ones move it, so the range
  is printed, not only the point;
- memory: the worker processes' peak resident set size (``ru_maxrss``), largest over tasks;
- the machine's load average before and after (2 cores shared with other work: times
  measured while others run are inflated; the ratio 1 -> 2 workers is the comparable figure).

    .venv/bin/python benchmarks/bench_calibrate_all_las.py [--las 4] [--replications 20] [--backend processes]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = 20251122
TARGET_MINUTES = 15


def main() -> None:
    from sendcast.data.store import load_dataset
    from sendcast.scenarios.validation import ORIGINS
    from sendcast.scenarios.validation_all_las import current_las, missing_inputs, prime_evidence, validate_las

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--las", type=int, default=4, help="LAs in the sample (default 4)")
    parser.add_argument("--replications", type=int, default=20, help="replications per origin (default 20)")
    parser.add_argument("--origins", type=int, nargs="+", default=list(ORIGINS))
    parser.add_argument("--sample-seed", type=int, default=1, help="seed of the LA sample (default 1)")
    parser.add_argument("--backend", choices=("processes", "dask"), default="processes")
    args = parser.parse_args()

    dataset = load_dataset(ROOT / "data")
    las = current_las(dataset)
    last_year = int(dataset.measures.loc[dataset.measures["measure"] == "ehcp_total", "year"].max())
    runnable = las[[not missing_inputs(dataset, code, args.origins, last_year) for code in las["la_code"]]]
    rng = np.random.default_rng(args.sample_seed)
    sample = runnable.iloc[sorted(rng.choice(len(runnable), size=min(args.las, len(runnable)), replace=False))]
    sizes = dataset.measures[(dataset.measures["measure"] == "ehcp_total") & (dataset.measures["breakdown"] == "")
                             & (dataset.measures["year"] == last_year)].set_index("la_code")["value"]
    print(f"{len(runnable)} of {len(las)} LAs have every input; sample of {len(sample)} (seed {args.sample_seed}): "
          + ", ".join(f"{n} ({sizes.get(c, np.nan):,.0f} plans)" for c, n in zip(sample["la_code"], sample["la_name"])))
    print(f"origins {args.origins}, {args.replications} replications each; backend {args.backend}; "
          f"os.cpu_count() = {os.cpu_count()}; load average before: {os.getloadavg()}")

    started = time.perf_counter()
    prime_evidence(dataset, args.origins, last_year, ROOT / "data")
    evidence = time.perf_counter() - started
    print(f"national evidence of the forecast engine (once per run, before the tasks): {evidence:.1f} s")
    runs = {}
    for workers in (1, 2):
        started = time.perf_counter()
        result = validate_las(dataset, sample, origins=args.origins, replications=args.replications, seed=SEED,
                              data=ROOT / "data", backend=args.backend, workers=workers)
        runs[workers] = (result, time.perf_counter() - started)
        print(f"{workers} worker(s): {runs[workers][1]:7.1f} s wall ({runs[workers][1] / len(sample):.1f} s per LA); "
              f"load average after: {os.getloadavg()}")
    (one, wall1), (two, wall2) = runs[1], runs[2]
    same = one.table.equals(two.table)
    statuses = one.las["status"].value_counts().to_dict()
    print(f"speed-up 1 -> 2 workers: {wall1 / wall2:.2f}x; tables identical on 1 and 2 workers: {same}; "
          f"statuses: {statuses}")
    tasks = one.las.set_index("la_name")
    print("per-LA task time with 1 worker (s): "
          + ", ".join(f"{n} {s:.1f}" for n, s in tasks["seconds"].items()))
    n_all = len(runnable)
    point = evidence + n_all * wall2 / len(sample)
    boot = rng.choice(tasks["seconds"].to_numpy(), size=(2000, len(tasks)), replace=True).mean(axis=1)
    low, high = evidence + np.percentile(boot, [5, 95]) * n_all / (wall1 / wall2)
    verdict = "under" if high < TARGET_MINUTES * 60 else ("over" if low > TARGET_MINUTES * 60 else "unclear against")
    print(f"extrapolated to all {n_all} LAs with 2 workers: {point / 60:.1f} min (90% range {low / 60:.1f}-"
          f"{high / 60:.1f} min from the sample's spread); {verdict} the {TARGET_MINUTES}-minute target on this "
          "machine at this load")
    cpu = tasks["cpu_seconds"]
    print(f"CPU time per LA (worker process time, less sensitive to other load): median {cpu.median():.1f} s, "
          f"mean {cpu.mean():.1f} s; all {n_all} LAs on 2 free cores at that mean: "
          f"{n_all * cpu.mean() / 2 / 60:.1f} min of tasks (+ the evidence, {evidence:.0f} s wall here)")
    peaks = pd.concat([one.las["peak_rss_mib"], two.las["peak_rss_mib"]])
    print(f"memory: worker peak resident set up to {peaks.max():.0f} MiB (median over tasks {peaks.median():.0f} MiB)")


if __name__ == "__main__":
    main()
