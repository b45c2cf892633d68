"""``sendcast forecast`` and ``sendcast backtest``: forecasts with their track record.

- ``sendcast forecast --la NAME_OR_CODE [--horizon 5] [--until YEAR]``: one LA (or England)
  into a new run folder (see :mod:`sendcast.reporting.forecast_outputs` for the files), with its
  statistical neighbours' forecasts beside its own (``--no-neighbours`` to leave them out).
- ``sendcast forecast --all-las``: every LA and England, one summary table and a national
  chart; LAs whose series break are skipped with the reason.
- ``sendcast backtest --all-las [--measure M ...] [--until YEAR]``: the national backtest
  table (per LA, measure, model and horizon) and its summary.
"""

from __future__ import annotations

import argparse
import itertools
import time

import matplotlib.pyplot as plt

from sendcast.money import prices
import pandas as pd

from sendcast.runtime import atomic

from sendcast.data import paths
from sendcast.reporting.charts import national_growth_chart, national_per_pupil_chart
from sendcast.commands.options import data_option, output_options
from sendcast.data import store
from sendcast.data.query import check_measures
from sendcast.runtime.errors import SendcastError
from sendcast.forecasting.evidence import FORECAST_MEASURES, national_evidence
from sendcast.reporting.forecast_outputs import SOURCE, neighbour_lines, summary_lines, write_la_forecast, write_neighbours
from sendcast.forecasting.one_la import forecast_la
from sendcast.forecasting.national import PER_PUPIL_ASSUMPTION, forecast_all_las
from sendcast.forecasting.neighbours import compare_with_neighbours
from sendcast.runtime.progress import progress_bar
from sendcast.runtime.runs import Run, run_folder
from sendcast.money.unit_costs import read_unit_cost_file


class UsageError(SendcastError):
    """Options that do not make sense together."""


def register(commands: argparse._SubParsersAction) -> None:
    forecast = commands.add_parser("forecast", help="forecast EHC plans, placements, sufficiency and costs")
    target = forecast.add_mutually_exclusive_group(required=True)
    target.add_argument("--la", metavar="NAME_OR_CODE", help="LA name, code or number; or England")
    target.add_argument("--all-las", action="store_true", help="every LA and England, with a summary table")
    _common(forecast)
    forecast.add_argument("--horizon", type=int, default=5, metavar="YEARS", help="years ahead (default 5)")
    forecast.add_argument("--paths", type=int, default=1000, metavar="N", help="sample paths per series (default 1000)")
    forecast.add_argument("--seed", type=int, default=0, help="random seed for the sample paths (default 0)")
    forecast.add_argument("--unit-costs", metavar="CSV",
                          help="unit costs (placement_group, annual_cost_gbp, price_base, source) at 2025-26 prices")
    forecast.add_argument("--inflation", type=float, default=prices.INFLATION_PCT / 100, metavar="RATE",
                          help="yearly cost inflation after the 2025-26 price base for cash figures (default 0.02, "
                               "the scenarios' assumption)")
    forecast.add_argument("--no-neighbours", action="store_true",
                          help="with --la: do not forecast the LA's statistical neighbours for comparison")
    forecast.set_defaults(handler=_forecast)

    backtest = commands.add_parser("backtest", help="national rolling-origin backtest of the forecasting methods")
    backtest.add_argument("--all-las", action="store_true", required=True, help="every LA with an unbroken series")
    backtest.add_argument("--measure", action="append", metavar="M",
                          help="measure to backtest (repeatable; default: every forecast measure)")
    backtest.add_argument("--horizons", type=int, default=5, metavar="YEARS", help="years ahead (default 5)")
    _common(backtest)
    backtest.set_defaults(handler=_backtest)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--until", type=int, metavar="YEAR", help="drop every published value after YEAR")
    data_option(parser)
    output_options(parser)


def _record_inputs(run: Run, args: argparse.Namespace, dataset) -> None:
    root = paths.data_dir(args.data)
    for item in dataset.manifest.get("inputs", []):
        run.inputs.append({"role": "raw data", "path": item.get("path"), "sha256": item.get("sha256")})
    processed = paths.processed_dir(root) / "measures.csv"
    if processed.is_file():
        run.record_input(processed, "processed measures")
    if getattr(args, "unit_costs", None):
        run.record_input(args.unit_costs, "unit costs")


def _forecast(args: argparse.Namespace) -> int:
    if args.horizon < 1 or args.horizon > 15:
        raise UsageError(f"--horizon must be between 1 and 15 years, found {args.horizon}")
    dataset = store.load_dataset(args.data)
    unit_costs = read_unit_cost_file(args.unit_costs) if args.unit_costs else None
    if args.all_las:
        return _forecast_all(args, dataset)
    la = dataset.geography.resolve(args.la)
    with run_folder(args.out, command="forecast", label=la["la_name"], force=args.force) as run:
        started = time.perf_counter()
        evidence = national_evidence(dataset, until=args.until, horizons=min(args.horizon, 5))
        evidence_seconds = time.perf_counter() - started
        result = forecast_la(dataset, la["la_code"], horizon=args.horizon, until=args.until, evidence=evidence,
                             unit_costs=unit_costs, n_paths=args.paths, seed=args.seed,
                             inflation=args.inflation, data=args.data)
        forecast_seconds = time.perf_counter() - started - evidence_seconds
        write_la_forecast(run, result)
        neighbours = None
        if not args.no_neighbours:
            neighbours = compare_with_neighbours(dataset, result, evidence, n_paths=args.paths, seed=args.seed,
                                                 data=args.data)
            write_neighbours(run, neighbours)
            run.timings["neighbours"] = round(neighbours.seconds, 2)
            run.details["neighbours"] = {"base_year": neighbours.base_year,
                                         "used": neighbours.neighbours.loc[neighbours.neighbours["used"].astype(bool),
                                                                           "la_name"].tolist(),
                                         "notes": list(neighbours.notes)}
        _record_inputs(run, args, dataset)
        capacity = paths.data_dir(args.data) / "capacity" / f"{result.la_code}.csv"
        if capacity.is_file() and not result.sufficiency.empty:
            run.record_input(capacity, "capacity")
        run.timings.update({"evidence": round(evidence_seconds, 2), "forecast": round(forecast_seconds, 2)})
        run.details.update({"la_code": result.la_code, "la_name": result.la_name, "horizon": args.horizon,
                            "until": args.until, "seed": args.seed, "n_paths": args.paths,
                            "models": result.models, "reconciliation": result.reconciliation_method,
                            "price_basis": result.price_basis, "warnings": list(result.warnings)})
    for line in summary_lines(result):
        print(line)
    if neighbours is not None:
        for line in neighbour_lines(neighbours):
            print(f"  {line}")
        if not neighbours.empty:
            print(f"  (neighbours' forecasts took {neighbours.seconds:.1f} s, reusing the national evidence)")
    if result.warnings:
        print(f"Notes ({len(result.warnings)}; also in warnings.txt):")
        for note in result.warnings:
            print(f"  - {note}")
    print(f"Written to {run.target}")
    return 0


def _forecast_all(args: argparse.Namespace, dataset) -> int:
    if args.unit_costs:
        raise UsageError("--unit-costs applies to one LA; use --la with it")
    if args.no_neighbours:
        raise UsageError("--no-neighbours applies to one LA; --all-las does not compare neighbours")
    n_las = len(dataset.geography.las)
    with run_folder(args.out, command="forecast", label="all-las", force=args.force) as run:
        started = time.perf_counter()
        evidence = national_evidence(dataset, until=args.until, horizons=min(args.horizon, 5))
        evidence_seconds = time.perf_counter() - started
        started = time.perf_counter()
        done = itertools.count(1)
        with progress_bar(n_las, "forecasting LAs", quiet=args.quiet) as update:
            result = forecast_all_las(dataset, evidence, horizon=args.horizon, until=args.until,
                                      n_paths=args.paths, seed=args.seed, progress=lambda _: update(next(done), n_las))
        seconds = time.perf_counter() - started
        atomic.write_csv(run.path("summary.csv"), result.summary)
        atomic.write_csv(run.path("forecast.csv"), result.forecast)
        atomic.write_csv(run.path("warnings.csv"), result.warnings)
        atomic.write_csv(run.path("skipped.csv"), result.summary.loc[result.summary["status"] == "skipped",
                                                                     ["la_code", "la_name", "reason"]])
        drawn = result.summary[result.summary["status"] == "forecast"]
        year = int(drawn["forecast_year"].max()) if not drawn.empty else None
        figure = national_growth_chart(drawn, title=f"Projected growth in EHC plans to January {year}, by LA "
                                       "(% a year; England in red)", source=SOURCE)
        figure.savefig(run.path("national_growth.png"))
        plt.close(figure)
        per_pupil = drawn[drawn["ehcp_per_1000_pupils_projected"].notna()]
        pupil_year = int(per_pupil["ehcp_pct_year"].max()) if not per_pupil.empty else None
        if not per_pupil.empty:
            figure = national_per_pupil_chart(
                per_pupil, title=f"EHC plans per 1,000 pupils by LA: January {pupil_year} and projected\n"
                f"to January {year} (England in red)", source=SOURCE + "; pupils: LAIT school census (SEN_TotStat)",
                assumption=PER_PUPIL_ASSUMPTION.format(year=pupil_year))
            figure.savefig(run.path("national_per_1000_pupils.png"))
            plt.close(figure)
        _record_inputs(run, args, dataset)
        run.timings.update({"evidence": round(evidence_seconds, 2), "forecasts": round(seconds, 2)})
        run.details.update({"horizon": args.horizon, "until": args.until, "seed": args.seed, "n_paths": args.paths,
                            "reconciliation": evidence.reconciliation_method})
    forecast_count = int((result.summary["status"] == "forecast").sum())
    skipped = result.summary[result.summary["status"] == "skipped"]
    print(f"Forecast {forecast_count} areas (England and LAs) in {seconds:.0f} s after a {evidence_seconds:.0f} s "
          f"national backtest; {len(skipped)} skipped:")
    for _, row in skipped.iterrows():
        print(f"  - {row['la_name']} ({row['la_code']}): {row['reason']}")
    england = result.summary[result.summary["la_name"] == "England"]
    if not england.empty and england["status"].iloc[0] == "forecast":
        row = england.iloc[0]
        print(f"England, EHC plans, January {row['forecast_year']}: {row['ehcp_mean']:,.0f} (80% interval "
              f"{row['ehcp_lo80']:,.0f}-{row['ehcp_hi80']:,.0f}), {row['growth_pct_a_year']:.1f}% a year")
        if pd.notna(row["ehcp_per_1000_pupils_projected"]):
            print(f"England, EHC plans per 1,000 pupils: {row['ehcp_per_1000_pupils_latest']:.1f} in January "
                  f"{row['ehcp_pct_year']}, {row['ehcp_per_1000_pupils_projected']:.1f} projected for January "
                  f"{row['forecast_year']} (80% interval {row['ehcp_per_1000_pupils_lo80']:.1f}-"
                  f"{row['ehcp_per_1000_pupils_hi80']:.1f})")
            print(f"  ({PER_PUPIL_ASSUMPTION.format(year=row['ehcp_pct_year'])})")
    impossible = drawn[drawn["ehcp_per_1000_pupils_hi80"] > 1000]
    if not impossible.empty:
        print(f"{len(impossible)} LAs' upper 80% bounds exceed 1,000 EHC plans per 1,000 pupils ("
              + ", ".join(impossible["la_name"]) + "): their forecasts' upper tails outrun the pupils there are; "
              "read those bounds as 'very uncertain', not as numbers")
    fastest = drawn[drawn["la_name"] != "England"].nlargest(3, "growth_pct_a_year")
    if not fastest.empty:
        print("Fastest projected growth: " + ", ".join(f"{r['la_name']} {r['growth_pct_a_year']:.1f}% a year"
                                                       for _, r in fastest.iterrows()))
    print(f"Written to {run.target}")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    measures = check_measures(args.measure) if args.measure else list(FORECAST_MEASURES)
    if args.horizons < 1 or args.horizons > 10:
        raise UsageError(f"--horizons must be between 1 and 10, found {args.horizons}")
    dataset = store.load_dataset(args.data)
    label = "all-las" + (f"-until-{args.until}" if args.until else "")
    with run_folder(args.out, command="backtest", label=label, force=args.force) as run:
        started = time.perf_counter()
        evidence = national_evidence(dataset, measures, until=args.until, horizons=args.horizons)
        seconds = time.perf_counter() - started
        names = dataset.geography.las.set_index("la_code")["la_name"]
        metrics = evidence.backtest.metrics
        metrics.insert(2, "la_name", metrics["la_code"].map(names))
        summary = evidence.summary.merge(evidence.holdout[["measure", "model", "horizon", "coverage80_calibrated",
                                                           "coverage95_calibrated"]],
                                         on=["measure", "model", "horizon"], how="left")
        chosen = evidence.selection.set_index("measure")["model"]
        summary.insert(2, "chosen", summary["model"] == summary["measure"].map(chosen))
        atomic.write_csv(run.path("backtest.csv"), metrics)
        atomic.write_csv(run.path("summary.csv"), summary)
        atomic.write_csv(run.path("selection.csv"), evidence.selection)
        atomic.write_csv(run.path("calibration.csv"), evidence.calibration.table)
        atomic.write_csv(run.path("reconciliation.csv"), evidence.reconciliation)
        atomic.write_csv(run.path("excluded.csv"), evidence.excluded)
        _record_inputs(run, args, dataset)
        run.timings["backtest"] = round(seconds, 2)
        run.details.update({"measures": measures, "until": args.until, "horizons": args.horizons,
                            "reconciliation": evidence.reconciliation_method,
                            "forecasts_scored": int(len(evidence.backtest.errors))})
    print(f"National backtest: {len(evidence.backtest.errors):,} forecasts scored in {seconds:.1f} s "
          f"({evidence.backtest.metrics['la_code'].nunique()} LAs"
          + (f", data to {args.until}" if args.until else "") + ").")
    print("Chosen method per measure (MASE relative to drift, below 1 is better; coverage of 80% intervals: "
          "raw / calibrated on held-out LAs):")
    for _, pick in evidence.selection.iterrows():
        rows = summary[(summary["measure"] == pick["measure"]) & summary["chosen"]].sort_values("horizon")
        if rows.empty:
            print(f"  {pick['measure']}: {pick['reason']}")
            continue
        cells = "  ".join(f"h{int(r['horizon'])} {r['relative_mase']:.2f} {r['coverage80']:.0%}/"
                          f"{r['coverage80_calibrated']:.0%}" for _, r in rows.iterrows())
        print(f"  {pick['measure']:<25} {pick['model']:<14} {cells}")
    total = summary[(summary["measure"] == "ehcp_total") & (summary["horizon"] <= 3)]
    if not total.empty:
        table = total.pivot_table(index="model", columns="horizon", values="relative_mase")
        table.columns = [f"h={c}" for c in table.columns]
        print("EHC plans (ehcp_total), median MASE relative to drift by model:")
        print(table.round(3).to_string())
    print(f"Reconciliation of placement groups by backtest: {evidence.reconciliation_method}")
    print(f"Written to {run.target}")
    return 0
