"""Benchmark: a probabilistic sensitivity analysis of one option against the baseline.

The shipped ``scenarios/early-identification.toml`` (its uncertain levers and costs drawn
per replication) against ``scenarios/baseline.toml``, Gloucestershire from the shipped
data, on the ``processes`` backend with ``--workers`` workers: what ``sendcast compare`` does
for the simulation and the PSA, without the forecast and the output files. Target: 1,000
draws in under 3 minutes on 2 cores.

Two ways to make ``--draws`` draws, timed in the same run (the ratio is what to compare on a
shared machine; the load average is printed beside it):

- *before*: one simulated pair of runs (baseline and option) per draw;
- *after*: ``--draws / --cost-draws`` simulated pairs, each re-priced at ``--cost-draws``
  draws of the inputs that only price activity (placement unit costs, cost per child...;
  :mod:`sendcast.scenarios.recosting`). The lever's behavioural inputs then take
  ``--draws / --cost-draws`` distinct values; the Monte Carlo standard error of the expected
  NPV (over runs) is printed for both, so the price of the shortcut in precision is measured
  too.

``--seeds 3``: seed stability instead: the full ``compare`` (calibrated parameter draws,
``--runs`` pairs x ``--cost-draws``) under that many master seeds; expected NPV with its
Monte Carlo standard error and P(saving) with its error, for each seed, and the gaps
between seeds against the issue's limits (5% of the NPV, 2 points of probability).

    .venv/bin/python benchmarks/bench_psa.py [--draws 1000 --cost-draws 2 --workers 2] [--no-before]
    .venv/bin/python benchmarks/bench_psa.py --seeds 3 [--runs 200 --cost-draws 4]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from itertools import combinations
from pathlib import Path

import numpy as np

from sendcast.data import store
from sendcast.scenarios.pipeline import build_all_parameters, compare, compare_parameters, load_scenarios
from sendcast.scenarios.recosting import placement_cost_inputs
from simulation.model import simulate

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TARGET_SECONDS = 180.0
OPTION = "Early identification"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(loaded, parameters, unit_costs, *, runs: int, per_run: int, workers: int):
    start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    comparison = compare_parameters(loaded, parameters, replications=runs, backend="processes", workers=workers,
                                    unit_cost_inputs=unit_costs, cost_draws=per_run)
    return comparison, time.perf_counter() - start, time.process_time() - cpu, _children_cpu() - children


def _stats(comparison) -> dict[str, float]:
    return comparison.psa[OPTION].summary.set_index("statistic")["value"].to_dict()


def speed(args: argparse.Namespace) -> None:
    if args.draws % args.cost_draws:
        raise SystemExit("--draws must be a multiple of --cost-draws")
    start = time.perf_counter()
    loaded = load_scenarios([SCENARIOS / "baseline.toml", SCENARIOS / "early-identification.toml"])
    dataset = store.load_dataset(None)
    parameters = dict(zip([item.name for item in loaded],
                          build_all_parameters(dataset, [item.scenario for item in loaded])))
    unit_costs = placement_cost_inputs(dataset, parameters["Baseline"])
    setup = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    simulate(parameters[OPTION], 1, 0)
    one, one_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"set-up (data, calibration, parameters): {setup:6.1f} s (not counted); one replication on one core "
          f"{one * 1000:.0f} ms ({one_cpu * 1000:.0f} CPU-ms)")
    ways = [("after", args.draws // args.cost_draws, args.cost_draws)]
    if not args.no_before:
        ways.insert(0, ("before", args.draws, 1))
    measured = {}
    for label, runs, per_run in ways:
        comparison, wall, parent_cpu, worker_cpu = _timed(loaded, parameters, unit_costs, runs=runs, per_run=per_run,
                                                          workers=args.workers)
        stats = _stats(comparison)
        measured[label] = (wall, parent_cpu + worker_cpu)
        print(f"{label}: {args.draws} draws = {runs} simulated pairs x {per_run} cost draws, {2 * runs} replications "
              f"on {args.workers} workers: {wall:6.1f} s wall; CPU {worker_cpu:,.0f} s in workers + {parent_cpu:,.1f} s "
              f"in the parent ({worker_cpu / (2 * runs) * 1000:.0f} ms a replication); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; on {args.workers} idle cores about "
              f"{worker_cpu / args.workers + parent_cpu:,.0f} s (target {TARGET_SECONDS:.0f} s: "
              f"{'met' if worker_cpu / args.workers + parent_cpu < TARGET_SECONDS else 'NOT met'})")
        print(f"  expected NPV {stats['expected_npv_saving_gbp'] / 1e6:,.2f}m, Monte Carlo SE "
              f"{stats['expected_npv_mcse_gbp'] / 1e6:,.2f}m; P(NPV > 0) {stats['probability_npv_positive']:.3f} "
              f"(SE {stats['probability_npv_positive_mcse']:.3f}); EVPI {stats['evpi_gbp'] / 1e6:,.2f}m; "
              f"EVPPI relative risk {stats.get('evppi_relative_risk_gbp', np.nan) / 1e6:,.2f}m; break-even relative "
              f"risk {stats.get('break_even_relative_risk', np.nan):.3f} (extrapolated "
              f"{stats.get('break_even_relative_risk_extrapolated', np.nan):.3f})")
        top = comparison.psa[OPTION].tornado.head(6)
        print("  tornado: " + "; ".join(f"{r.input.split('.')[-1]} {r.swing_gbp / 1e6:,.1f}m" for r in top.itertuples()))
    if "before" in measured:
        (wall_b, cpu_b), (wall_a, cpu_a) = measured["before"], measured["after"]
        print(f"speed-up, same run: wall {wall_b / wall_a:.2f}x, CPU {cpu_b / cpu_a:.2f}x")


def seeds(args: argparse.Namespace) -> None:
    dataset = store.load_dataset(None)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for k in range(args.seeds):
            seed = 20251122 + 7919 * k
            files = []
            for name in ("baseline", "early-identification"):
                path = Path(folder) / f"{name}-{seed}.toml"
                path.write_text(f'based_on = "{SCENARIOS / (name + ".toml")}"\n'
                                + (f"[scenario]\nseed = {seed}\n" if name == "baseline" else ""))
                files.append(path)
            start, children = time.perf_counter(), _children_cpu()
            comparison = compare(dataset, load_scenarios(files), replications=args.runs, backend="processes",
                                 workers=args.workers, cost_draws=args.cost_draws)
            stats = _stats(comparison)
            rows.append((seed, stats))
            print(f"seed {seed}: {args.runs} pairs x {args.cost_draws} cost draws = {stats['draws']:,.0f} draws: "
                  f"expected NPV {stats['expected_npv_saving_gbp'] / 1e6:,.2f}m (Monte Carlo SE "
                  f"{stats['expected_npv_mcse_gbp'] / 1e6:,.2f}m, 95% CI {stats['expected_npv_lo95_gbp'] / 1e6:,.2f}m "
                  f"to {stats['expected_npv_hi95_gbp'] / 1e6:,.2f}m); P(NPV > 0) {stats['probability_npv_positive']:.4f} "
                  f"(SE {stats['probability_npv_positive_mcse']:.4f}); P(saving by the last year) "
                  f"{comparison.psa[OPTION].by_year['probability_saving'].iloc[-1]:.4f}; "
                  f"{time.perf_counter() - start:,.0f} s wall, {_children_cpu() - children:,.0f} CPU s in workers, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    for (seed_a, a), (seed_b, b) in combinations(rows, 2):
        gap = a["expected_npv_saving_gbp"] - b["expected_npv_saving_gbp"]
        se = np.hypot(a["expected_npv_mcse_gbp"], b["expected_npv_mcse_gbp"])
        relative = abs(gap) / abs(np.mean([a["expected_npv_saving_gbp"], b["expected_npv_saving_gbp"]]))
        points = 100 * abs(a["probability_npv_positive"] - b["probability_npv_positive"])
        print(f"seeds {seed_a} vs {seed_b}: NPV gap {gap / 1e6:,.2f}m = {100 * relative:.1f}% (limit 5%), "
              f"{abs(gap) / se:.2f} combined Monte Carlo SEs; P(NPV > 0) gap {points:.1f} points (limit 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--cost-draws", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-before", action="store_true", help="time only the 'after' way")
    parser.add_argument("--seeds", type=int, default=0, help="seed stability over this many master seeds")
    parser.add_argument("--runs", type=int, default=200, help="simulated pairs per seed (--seeds)")
    args = parser.parse_args()
    if args.seeds:
        seeds(args)
    else:
        speed(args)


if __name__ == "__main__":
    main()
