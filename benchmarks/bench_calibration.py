"""Benchmark: the calibration's CPU time per LA (issue 19: ``calibrate --all-las`` under 15
minutes on 2 cores; about half of each LA's time is calibration).

For each named LA: its history once (:func:`sendcast.scenarios.parameters.la_history`), then
the calibration at each validation origin on the history as it stood then (the path
``calibrate --all-las`` takes), timed in CPU seconds (``time.process_time``, one process,
the cache of calibrations emptied before each). Prints the CPU seconds per LA and per
calibration and the load average before and after (the machine is shared: CPU time is less
inflated than wall time by other work, but not immune to it).

``--save FILE`` writes the results (report, fitted values, and the cohort engine's expected
arrays of the fitted parameters at 52 steps a year) and ``--compare FILE`` compares them with
a file saved earlier (e.g. before a change): prints the largest relative difference, which
must be 0 (bit-identical) or within 1e-12 for a speed change.

    .venv/bin/python benchmarks/bench_calibration.py [--las Wiltshire Rutland Kent] [--save F] [--compare F]
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from sendcast.data.store import load_dataset
    from sendcast.scenarios import parameters as sp
    from sendcast.scenarios.validation import ORIGINS
    from simulation.cohort import expected_arrays

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--las", nargs="+", default=["Wiltshire", "Rutland", "Kent", "Gloucestershire"])
    parser.add_argument("--origins", type=int, nargs="+", default=list(ORIGINS))
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()

    dataset = load_dataset(ROOT / "data")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    results: dict[tuple[str, int], dict] = {}
    total = 0.0
    print(f"{'LA':<20} {'history s':>9} " + " ".join(f"{o:>8}" for o in args.origins) + f" {'LA CPU s':>9}")
    for la in args.las:
        sp._CALIBRATIONS.clear()
        t0 = time.process_time()
        history = sp.la_history(dataset, la)
        t_history = time.process_time() - t0
        times = []
        for origin in args.origins:
            sp._CALIBRATIONS.clear()
            t1 = time.process_time()
            result = sp.calibrate_la(dataset, la, start_year=origin, history=sp.history_until(history, origin))
            times.append(time.process_time() - t1)
            stocks, flows = expected_arrays(result.parameters, 52)
            results[(la, origin)] = {
                "report": result.report,
                "fitted": result.fitted,
                "stocks": stocks,
                "flows": flows,
            }
        la_total = t_history + sum(times)
        total += la_total
        print(f"{la:<20} {t_history:9.2f} " + " ".join(f"{t:8.2f}" for t in times) + f" {la_total:9.2f}")
    print(f"mean CPU s per LA: {total / len(args.las):.2f}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.save:
        args.save.write_bytes(pickle.dumps(results))
    if args.compare:
        print(
            f"largest relative difference from {args.compare}: {_compare(pickle.loads(args.compare.read_bytes()), results):.3g}"
        )


def _compare(before: dict, after: dict) -> float:
    """The largest relative difference between the results ``after`` and the same ones in
    ``before`` (inf: one is missing or their keys or shapes differ)."""
    worst = 0.0
    if not after.keys() <= before.keys():
        return float("inf")
    for key in after:
        b, a = before[key], after[key]
        if b["fitted"].keys() != a["fitted"].keys():
            return float("inf")
        pairs = [(np.array(list(b["fitted"].values())), np.array(list(a["fitted"].values())))]
        for column in ("simulated", "simulated_model", "actual"):
            pairs.append((b["report"][column].to_numpy(float), a["report"][column].to_numpy(float)))
        for part in ("stocks", "flows"):
            if b[part].keys() != a[part].keys():
                return float("inf")
            pairs += [(np.asarray(b[part][k], float), np.asarray(a[part][k], float)) for k in b[part]]
        for x, y in pairs:
            if x.shape != y.shape or not np.array_equal(np.isnan(x), np.isnan(y)):
                return float("inf")
            ok = ~np.isnan(x)
            diff = np.abs(x[ok] - y[ok]) / np.maximum(np.abs(x[ok]), 1e-300)
            diff[(x[ok] == y[ok])] = 0.0
            if diff.size:
                worst = max(worst, float(diff.max()))
    return worst


if __name__ == "__main__":
    main()
