"""``sendcast calibrate --all-las``: out-of-sample validation of the simulation for every LA.

Each LA is one task (:mod:`sendcast.scenarios.validation_all_las`, the same code path as
``calibrate --la X --validate``) on ``--backend local|processes|dask``. Writes, into a new
run folder:

- ``validation_all_las.csv``: one row per LA x measure x origin x horizon (simulated, published,
  error, inside the 95% band, the forecast engine's value and error on the same origin, and the
  planner's baselines, naive and a five-year straight line), and
  one row for each LA not validated with its status (``missing input``, ``failed``) and reason;
- ``validation_summary.csv``: per measure and origin, one year ahead: median and worst LA,
  share of LAs passing the issue-19 target and inside the band, beside the forecast engine and
  the planner's baselines;
- ``validation_targets_all_las.csv``: each LA's verdict per target over the origins;
- ``validation_bands.csv``: coverage and width of the 95% bands one year ahead, as run and
  widened by the model discrepancy known at each origin (the shipped checks), beside the
  forecast engine's;
- ``simulation_checks_all_las.csv``: this run's checks in the shipped format (copy it to
  ``data/evidence/`` to refresh the discrepancy after a change to the simulation) and
  ``band_discrepancy.csv``: the discrepancy a run from the latest January would take from
  them (:mod:`sendcast.scenarios.discrepancy`);
- ``fit_all_las.csv``: the in-sample fit of each origin's calibration window (cohort engine);
- ``las.csv``: every LA with its status, reason, seconds and the worker's peak memory.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from sendcast.data.build import Dataset
from sendcast.runtime import atomic
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.progress import announce, progress_bar
from sendcast.runtime.runs import run_folder
from sendcast.scenarios.discrepancy import checks_from, discrepancy
from sendcast.scenarios.validation_all_las import FAILED, MISSING, VALIDATED, choose_las, validate_las
from sendcast.scenarios.validation import POINTS, band_summary


def check_origins(origins: list[int], latest: int) -> None:
    """Origins of a validation: from 2018 (two years of flows before) to the year before the
    latest published January (something to score against)."""
    bad = [o for o in origins if not 2018 <= o < latest]
    if bad:
        raise SendcastError(f"--origins: {bad[0]} is not between 2018 and {latest - 1} (the fit needs two years "
                            f"of flows before it, and a published January after it)")


def calibrate_all_las(args: argparse.Namespace, dataset: Dataset, replications: int) -> int:
    if args.start_year is not None:
        raise SendcastError("--start-year is for one LA's fit; --all-las validates at --origins")
    if args.checkpoint is not None and args.backend == "dask" and args.scheduler is not None:
        raise SendcastError("--checkpoint is a folder on this machine; a remote Dask cluster's workers cannot write "
                            "to it")
    if args.workers is not None and args.backend == "local":
        raise SendcastError("--workers needs --backend processes or dask")
    measures = dataset.measures
    latest = int(measures.loc[(measures["measure"] == "ehcp_total") & (measures["la_code"] != "E92000001"),
                              "year"].max())
    check_origins(args.origins, latest)
    las = choose_las(dataset, names=args.las, every=args.every, neighbours_of=args.neighbours_of)
    if las.empty:
        raise SendcastError("no LA chosen")
    quiet = args.quiet
    announce(1, 2, f"validating {len(las)} LAs at origins {', '.join(map(str, sorted(set(args.origins))))} "
             f"({replications} replications each, backend {args.backend}"
             + (f", {args.workers} workers" if args.workers else "") + ")", quiet=quiet)
    with progress_bar(len(las), "LAs validated", quiet=quiet) as update:
        result = validate_las(dataset, las, origins=args.origins, replications=replications, seed=args.seed,
                              data=args.data, backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                              progress=_with_lines(update, quiet), checkpoint=args.checkpoint)
    announce(2, 2, "writing the national tables", quiet=quiet)
    counts = result.las["status"].value_counts()
    with run_folder(args.out, command="calibrate", label="all-las-validation", force=args.force) as run:
        atomic.write_csv(run.path("validation_all_las.csv"), result.table, float_format="%.6g")
        atomic.write_csv(run.path("validation_summary.csv"), result.summary, float_format="%.6g")
        atomic.write_csv(run.path("validation_bands.csv"), band_summary(result.table), float_format="%.6g")
        atomic.write_csv(run.path("validation_targets_all_las.csv"), result.targets)
        checks = checks_from(result.table)
        atomic.write_csv(run.path("simulation_checks_all_las.csv"), checks, float_format="%.6g")
        atomic.write_csv(run.path("band_discrepancy.csv"), discrepancy(checks, latest), float_format="%.6g")
        atomic.write_csv(run.path("fit_all_las.csv"), result.fit, float_format="%.6g")
        atomic.write_csv(run.path("las.csv"), result.las)
        run.timings["validation"] = round(result.seconds, 2)
        run.details.update({
            "origins": sorted(set(args.origins)), "replications": replications, "seed": args.seed,
            "backend": args.backend, "workers": args.workers, "las_chosen": int(len(las)),
            "las_validated": int(counts.get(VALIDATED, 0)), "las_missing_input": int(counts.get(MISSING, 0)),
            "las_failed": int(counts.get(FAILED, 0)), "notes": list(result.notes),
            "places": "each LA's own capacity file where it has one, else unconstrained (the third-party table "
                      "describes 2026, after the origins)",
            "data_manifest": dataset.manifest.get("inputs", []),
        })
        target = run.target
    print_national(result, replications)
    print(f"Wrote {target}")
    return 0


def _with_lines(update, quiet: bool):
    """The bar's callback, plus (when stderr is not a terminal, so there is no bar) a line at
    every tenth of the LAs: a national run takes many minutes and must not be silent in a log."""
    began = time.perf_counter()

    def progress(done: int, total: int) -> None:
        update(done, total)
        step = max(1, total // 10)
        if not quiet and not sys.stderr.isatty() and (done % step == 0 or done == total):
            print(f"  {done} of {total} LAs done ({time.perf_counter() - began:.0f} s)", file=sys.stderr, flush=True)
    return progress


def _number(value: float, unit: str) -> str:
    return "" if not np.isfinite(value) else f"{value:+.1f}{unit}"


def _share(value: float) -> str:
    return "  n/a" if not np.isfinite(value) else f"{100 * value:4.0f}%"


def print_national(result, replications: int) -> None:
    """The summary per measure (one year ahead) and every LA left out, with why."""
    las = result.las
    validated = las[las["status"] == VALIDATED]
    print(f"Out-of-sample validation of the simulation: {len(validated)} of {len(las)} LAs validated, "
          f"{replications} replications each, in {result.seconds:.0f} s. One year ahead; errors % of published "
          "(points for the 20-week and SEN support shares); 'pass' = share of LAs meeting the issue-19 target (per origin; 'all': at "
          "every origin); 'f.' the forecast engine; 'naive' (the latest published value) and 'line' (a straight line "
          "through the last five) the planner's baselines.")
    print(f"  {'measure':26} {'origin':>6} {'LAs':>4} {'median':>7} {'med|e|':>7} {'worst':>8} {'worst LA':32} "
          f"{'pass':>5} {'in95':>5} {'f.med|e|':>8} {'f.pass':>6} {'naive':>6} {'line':>6}")
    for row in result.summary.itertuples(index=False):
        unit = "pt" if row.measure in POINTS else "%"
        print(f"  {row.measure:26} {row.origin:>6} {row.las:>4} {_number(row.median_error, unit):>7} "
              f"{_number(row.median_abs_error, unit).lstrip('+'):>7} {_number(row.worst_error, unit):>8} "
              f"{str(row.worst_la)[:32]:32} {_share(row.share_passed):>5} {_share(row.share_inside_95):>5} "
              f"{_number(row.forecast_median_abs_error, unit).lstrip('+'):>8} {_share(row.forecast_share_passed):>6} "
              f"{_share(row.naive_share_passed):>6} {_share(row.straight_line_share_passed):>6}")
    bands = band_summary(result.table)
    if not bands.empty:
        print("95% bands one year ahead, every LA's checks together (simulation PREDICTIVE beside the forecast "
              "engine's; width: median over checks, % of the published value, counts and flows):")
        for row in bands[bands["measure"] == "all"].itertuples(index=False):
            print(f"  origin {row.origin:>4}: simulation covers {_share(row.simulation_coverage).strip()} of "
                  f"{row.checks} checks, width {row.simulation_median_width:.1f}%; widened by the discrepancy "
                  f"known then {_share(row.calibrated_coverage).strip()}, width {row.calibrated_median_width:.1f}%; "
                  f"forecast covers {_share(row.forecast_coverage).strip()} of {row.forecast_checks}, width "
                  f"{row.forecast_median_width:.1f}%")
    left_out = las[las["status"] != VALIDATED]
    if not left_out.empty:
        print(f"LAs not validated ({len(left_out)}):")
        for row in left_out.itertuples(index=False):
            print(f"  - {row.la_name} ({row.la_code}): {row.status}: {row.reason}")
    if not validated.empty:
        print(f"Time per validated LA: median {validated['seconds'].median():.1f} s, largest "
              f"{validated['seconds'].max():.1f} s ({validated.loc[validated['seconds'].idxmax(), 'la_name']}); "
              f"worker peak memory up to {validated['peak_rss_mib'].max():.0f} MiB.")
    sys.stdout.flush()


