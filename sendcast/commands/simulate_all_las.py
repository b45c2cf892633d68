"""``sendcast simulate --all-las --scenario FILE``: the national simulation, a baseline and one
option for every LA (:mod:`sendcast.scenarios.national_simulation`).

Set-up (calibration and parameters) is one task per LA, the simulation one task per LA and
chunk of replications (``--chunk``), on ``--backend local|processes|dask`` (``--scheduler``:
an existing Dask cluster whose workers can read the same data folder). Results are identical
on every backend. Writes, into a new run folder:

- ``national_simulation.csv``: per LA, scenario, measure, breakdown and year, the mean and the
  2.5-97.5 percentiles of the replications (January counts, calendar-year flows, pounds at the
  scenario's price base);
- ``national_differences.csv``: per LA, option - baseline, the mean paired difference and its
  95% confidence interval (simulation noise);
- ``national_forecast_check.csv``: per LA, measure and year, the baseline's mean against the
  forecast engine's 80% interval (made with the published figures to the start January) and,
  for a measure outside in any year, why (issue 19: one future from both engines, for every
  LA; :func:`sendcast.scenarios.forecast_agreement.against_forecast`);
- ``las.csv``: every LA asked for, its status (``simulated``, ``refused`` with the reason, or
  ``failed``), set-up seconds, simulation CPU seconds, tasks and the largest task's peak memory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sendcast.data.build import Dataset
from sendcast.runtime import atomic
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.progress import announce, progress_bar
from sendcast.runtime.runs import run_folder
from sendcast.scenarios.files import load_scenario
from sendcast.scenarios.national_simulation import DEFAULT_CHUNK, SIMULATED, set_up_las, simulate_set_up
from sendcast.scenarios.parameters import baseline_path
from sendcast.scenarios.validation_all_las import choose_las

#: Replications per LA when neither ``--replications`` nor the scenario says (issue 25: 100 pairs).
DEFAULT_NATIONAL_REPLICATIONS = 100


def simulate_all_las(args: argparse.Namespace, dataset: Dataset) -> int:
    if args.scenario is None:
        raise SendcastError("--all-las needs --scenario FILE (the option; its baseline is the root of its based_on "
                            "chain)")
    for option, given in (("--years", args.years), ("--start-year", args.start_year), ("--seed", args.seed)):
        if given is not None:
            raise SendcastError(f"{option} is the scenario's own with --all-las (edit the scenario file)")
    if args.workers is not None and args.backend == "local":
        raise SendcastError("--workers needs --backend processes or dask")
    option, _, chain = load_scenario(args.scenario)
    if baseline_path(chain) == chain[0]:
        raise SendcastError(f"{args.scenario}: is a baseline (no based_on); --all-las simulates an option beside "
                            "its baseline")
    replications = args.replications or DEFAULT_NATIONAL_REPLICATIONS
    las = choose_las(dataset, names=args.las, every=args.every, neighbours_of=args.neighbours_of)
    if las.empty:
        raise SendcastError("no LA chosen")
    quiet = args.quiet
    announce(1, 3, f"calibrating {len(las)} LAs (one task each, backend {args.backend})", quiet=quiet)
    where = dict(backend=args.backend, workers=args.workers, scheduler=args.scheduler)
    with progress_bar(len(las), "LAs set up", quiet=quiet) as update:
        setups, seconds = set_up_las(dataset, las, args.scenario, replications=replications, data=args.data,
                                     progress=update, **where)
    ready = sum(setup.status == SIMULATED for setup in setups)
    n_tasks = ready * -(-replications // args.chunk)
    announce(2, 3, f"simulating {ready} LAs x {replications} replications of the baseline and the option "
             f"({n_tasks} tasks of up to {args.chunk} pairs)", quiet=quiet)
    with progress_bar(n_tasks, "simulation tasks", quiet=quiet) as update:
        result = simulate_set_up(setups, chunk=args.chunk, progress=update, setup_seconds=seconds, **where)
    announce(3, 3, "writing the national tables", quiet=quiet)
    simulated = result.las[result.las["status"] == SIMULATED]
    with run_folder(args.out, command="simulate", label="all-las", force=args.force) as run:
        atomic.write_csv(run.path("national_simulation.csv"), result.summary, float_format="%.6g")
        atomic.write_csv(run.path("national_differences.csv"), result.differences, float_format="%.6g")
        atomic.write_csv(run.path("national_forecast_check.csv"), result.forecast_check, float_format="%.6g")
        atomic.write_csv(run.path("las.csv"), result.las)
        for path in chain:
            run.record_input(Path(path), "scenario")
        run.timings.update({"setup": round(result.setup_seconds, 2),
                            "simulation": round(result.simulation_seconds, 2)})
        run.details.update({
            "scenario": option.scenario.name, "replications": replications, "chunk": args.chunk,
            "seed": option.scenario.seed, "backend": args.backend, "workers": args.workers,
            "scheduler": args.scheduler, "las_chosen": int(len(las)), "las_simulated": int(len(simulated)),
            "data_manifest": dataset.manifest.get("inputs", []),
        })
        target = run.target
    _print(result, replications, option.scenario.name)
    print(f"Wrote {target}")
    return 0


def _print(result, replications: int, option: str) -> None:
    las = result.las
    simulated = las[las["status"] == SIMULATED]
    print(f"National simulation: {len(simulated)} of {len(las)} LAs, baseline and {option!r}, {replications} "
          f"replications each; set-up {result.setup_seconds:.0f} s, simulation {result.simulation_seconds:.0f} s "
          f"({simulated['simulation_cpu_seconds'].sum():.0f} CPU-s in the tasks).")
    last = result.differences[(result.differences["measure"] == "ehcp_independent_special")
                              & (result.differences["breakdown"] == "")]
    if not last.empty:
        final = last[last["year"] == last["year"].max()]
        print(f"Change in independent special placements, January {int(final['year'].max())} (option - baseline, "
              "mean of the pairs), largest five:")
        for row in final.reindex(final["mean"].abs().sort_values(ascending=False).index).head(5).itertuples():
            print(f"  {row.la_name}: {row.mean:+,.1f} (95% CI {row.lo95:+,.1f} to {row.hi95:+,.1f})")
    _print_forecast_check(result.forecast_check)
    left_out = las[las["status"] != SIMULATED]
    if not left_out.empty:
        print(f"LAs not simulated ({len(left_out)}):")
        for row in left_out.itertuples(index=False):
            print(f"  - {row.la_name} ({row.la_code}): {row.status}: {row.reason}")


def _print_forecast_check(rows) -> None:
    """Per measure: the LAs whose baseline sits inside the forecast engine's 80% interval in
    every year both engines cover, and how many years of all LAs are above and below it."""
    scored = rows.dropna(subset=["year"])
    if scored.empty:
        return
    print("Baseline against the forecast engine's 80% interval (national_forecast_check.csv, with why for each "
          "measure outside):")
    for measure, group in scored.groupby("measure", sort=False):
        by_la = group.groupby("la_code")["where"]
        every = int(by_la.apply(lambda where: (where == "inside").all()).sum())
        years = len(group)
        print(f"  {measure}: inside in every year for {every} of {by_la.ngroups} LAs; of {years:,} LA-years "
              f"{(group['where'] == 'above').mean():.0%} above, {(group['where'] == 'below').mean():.0%} below")


def add_options(parser: argparse.ArgumentParser) -> None:
    """The ``--all-las`` options of ``simulate`` (``--las``, ``--every``, ``--neighbours-of``, ``--chunk``)."""
    from sendcast.commands.options import la_selection_options, whole_number

    la_selection_options(parser)
    parser.add_argument("--chunk", type=whole_number(1, 100_000), default=DEFAULT_CHUNK, metavar="N",
                        help=f"with --all-las: replications per simulation task (default {DEFAULT_CHUNK})")
