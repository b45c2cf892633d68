"""Benchmark: a probabilistic sensitivity analysis of one option against the baseline.

The shipped ``scenarios/early-identification.toml`` (its uncertain levers and costs drawn
per replication) against ``scenarios/baseline.toml``, Gloucestershire from the shipped
data, ``--draws`` paired replications (one draw of the inputs each), on the ``processes``
backend with ``--workers`` workers: what ``sendcast compare`` does for the simulation and
the PSA, without the forecast and the output files. Target: 1,000 draws in under
3 minutes on 2 cores.

Prints, measured in the same run: the set-up (data, calibration, parameters) on its own,
the simulation and PSA wall time, the time per simulated replication, one replication on
one core for comparison (the speed-up of the pool), and the headline PSA results.

    .venv/bin/python benchmarks/bench_psa.py [--draws 1000 --workers 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sendcast.data import store
from sendcast.scenarios.pipeline import (
    build_all_parameters,
    compare_parameters,
    load_scenarios,
)
from simulation.model import simulate

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TARGET_SECONDS = 180.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    loaded = load_scenarios([SCENARIOS / "baseline.toml", SCENARIOS / "early-identification.toml"])
    dataset = store.load_dataset(None)
    parameters = dict(zip([item.name for item in loaded],
                          build_all_parameters(dataset, [item.scenario for item in loaded])))
    setup = time.perf_counter() - start
    start = time.perf_counter()
    simulate(parameters["Early identification"], 1, 0)
    one = time.perf_counter() - start
    start = time.perf_counter()
    comparison = compare_parameters(loaded, parameters, replications=args.draws, backend="processes",
                                    workers=args.workers)
    elapsed = time.perf_counter() - start
    runs = 2 * args.draws
    print(f"set-up (data, calibration, parameters): {setup:6.1f} s (not counted)")
    print(f"PSA, {args.draws} draws x 2 scenarios = {runs} replications on {args.workers} workers: "
          f"{elapsed:6.1f} s ({elapsed / runs * 1000:.0f} ms a replication; one replication on one core "
          f"{one * 1000:.0f} ms, pool speed-up {one * runs / elapsed:.2f}x)")
    print(f"target {TARGET_SECONDS:.0f} s: {'met' if elapsed < TARGET_SECONDS else 'NOT met'} "
          f"({elapsed / TARGET_SECONDS:.2f} of the target)")
    summary = comparison.psa["Early identification"].summary.set_index("statistic")["value"]
    for name in ("probability_npv_positive", "expected_npv_saving_gbp", "npv_saving_p2_5_gbp",
                 "npv_saving_p97_5_gbp", "break_even_relative_risk", "evppi_relative_risk_gbp", "evpi_gbp"):
        if name in summary.index:
            print(f"  {name}: {summary[name]:,.3f}")
    print(comparison.psa["Early identification"].tornado[["input", "swing_gbp", "rank_correlation"]]
          .to_string(index=False))


if __name__ == "__main__":
    main()
