"""Benchmark: the forecast of every LA in England (``sendcast forecast --all-las``), in one run.

On the shipped data (``data/``, built if needed), prints:

- the national evidence (backtest of every LA's series, selection, calibration and
  reconciliation) in seconds;
- the forecast of England and every LA with that evidence (what ``--all-las`` adds),
  in seconds, per area, and as a multiple of one LA's forecast (Gloucestershire, with the
  same evidence) measured in the same run.

The all-LA loop runs in one process: at about 0.1-0.2 s per area it is not worth sending
to workers on 2 cores (see the issue notes for a 64-worker cluster).

    .venv/bin/python benchmarks/bench_all_las.py [--data DIR] [--paths 1000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sendcast.data.store import load_dataset
from sendcast.forecasting.evidence import national_evidence
from sendcast.forecasting.one_la import forecast_la
from sendcast.forecasting.national import forecast_all_las


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="DIR", help="data folder (default: the shipped data/)")
    parser.add_argument("--paths", type=int, default=1000, help="simulated paths per forecast")
    args = parser.parse_args()
    dataset = load_dataset(args.data or Path(__file__).resolve().parents[1] / "data")

    start = time.perf_counter()
    evidence = national_evidence(dataset)
    evidence_s = time.perf_counter() - start

    start = time.perf_counter()
    forecast_la(dataset, "Gloucestershire", evidence=evidence, n_paths=args.paths, age_bands=False,
                la_backtest=False)
    one_s = time.perf_counter() - start

    start = time.perf_counter()
    result = forecast_all_las(dataset, evidence, n_paths=args.paths)
    all_s = time.perf_counter() - start
    status = result.summary["status"].value_counts()
    done, skipped = int(status.get("forecast", 0)), int(status.get("skipped", 0))

    print(f"national evidence (backtest, selection, calibration, reconciliation): {evidence_s:.1f} s")
    print(f"one LA (Gloucestershire) with that evidence: {one_s:.2f} s")
    print(f"England and every LA: {all_s:.1f} s for {done} areas ({skipped} skipped for boundary changes); "
          f"{all_s / max(done, 1):.2f} s an area = {all_s / one_s:.0f}x one LA")
    print(f"whole --all-las computation: {evidence_s + all_s:.1f} s (charts and files not timed)")


if __name__ == "__main__":
    main()
