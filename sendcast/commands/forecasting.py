"""``sendcast forecast`` and ``sendcast backtest``: forecasts with their track record.

- ``sendcast forecast --la NAME_OR_CODE [--horizon 5] [--until YEAR]``: one LA (or England)
  into a new run folder (see :mod:`sendcast.reporting.forecast_outputs` for the files), with its
  statistical neighbours' forecasts beside its own (``--no-neighbours`` to leave them out).
- ``sendcast forecast --all-las``: every LA and England, one summary table and a national
  chart; LAs whose series break are skipped with the reason.
- ``sendcast backtest --all-las [--measure M ...] [--until YEAR]``: the real-time (nested
  rolling-origin) national backtest: per measure, the real-time choice and the baselines
  pooled over origins and per vintage (``track_record.csv``, ``vintages.csv``), every
  candidate's pooled record (``candidates.csv``), the choices made at each origin
  (``choices.csv``) and the scored forecasts; ``backtest.csv`` keeps each fixed method's
  per-LA record.
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import replace

import matplotlib.pyplot as plt

from sendcast.money import prices
import pandas as pd

from sendcast.runtime import atomic

from sendcast.data import paths
from sendcast.reporting.charts import national_growth_chart, national_per_1000_chart
from sendcast.commands.options import (SEED, YEAR, data_option, output_options, percent_a_year_option,
                                       whole_number)
from sendcast.data import store
from sendcast.data.query import check_measures
from sendcast.runtime.errors import SendcastError
from forecast.scores import pooled_table
from sendcast.forecasting.evidence import FORECAST_MEASURES, TABLE_METHODS, TRACK_RECORD_FROM, national_evidence
from sendcast.reporting.forecast_outputs import SOURCE, neighbour_lines, summary_lines, write_la_forecast, write_neighbours
from sendcast.forecasting.one_la import forecast_la
from sendcast.forecasting.national import PER_1000_BASIS, forecast_all_las
from sendcast.forecasting.neighbours import compare_with_neighbours
from sendcast.forecasting.need_shares import national_need_backtest
from sendcast.reporting.need_outputs import need_backtest_lines, need_lines, write_need_forecast
from sendcast.reporting.track_record import pooled_lines, vintage_lines
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
    forecast.add_argument("--horizon", type=whole_number(1, 15), default=5, metavar="YEARS",
                          help="years ahead (default 5)")
    forecast.add_argument("--paths", type=whole_number(1, 100_000), default=1000, metavar="N",
                          help="sample paths per series (default 1000)")
    forecast.add_argument("--seed", type=SEED, metavar="S", default=0,
                          help="random seed for the sample paths (default 0)")
    forecast.add_argument("--unit-costs", metavar="CSV",
                          help="unit costs (placement_group, annual_cost_gbp, price_base, source), each row at "
                               "its own price_base")
    percent_a_year_option(forecast, "--inflation-pct", default=prices.INFLATION_PCT, low=-5, high=25,
                          help="cost inflation after the 2025-26 price base for cash figures (the scenarios' "
                               "assumption)", old_flag="--inflation", old_scale=100)
    forecast.add_argument("--no-neighbours", action="store_true",
                          help="with --la: do not forecast the LA's statistical neighbours for comparison")
    forecast.set_defaults(handler=_forecast)

    backtest = commands.add_parser("backtest", help="national rolling-origin backtest of the forecasting methods")
    backtest.add_argument("--all-las", action="store_true", required=True, help="every LA with an unbroken series")
    backtest.add_argument("--measure", action="append", metavar="M",
                          help="measure to backtest (repeatable; default: every forecast measure)")
    backtest.add_argument("--horizons", type=whole_number(1, 10), default=5, metavar="YEARS",
                          help="years ahead (default 5)")
    _common(backtest)
    backtest.set_defaults(handler=_backtest)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--until", type=YEAR, metavar="YEAR", help="drop every published value after YEAR")
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
                             inflation=args.inflation_pct / 100, data=args.data)
        forecast_seconds = time.perf_counter() - started - evidence_seconds
        need = write_need_forecast(run, dataset, result, args)
        # what the need split leaves out is said where every other note of the run is
        result = replace(result, warnings=result.warnings + tuple(str(note) for note in need.notes))
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
    for line in need_lines(need):
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
                                      n_paths=args.paths, seed=args.seed, progress=lambda _: update(next(done), n_las),
                                      data=args.data)
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
        rated = drawn[drawn["ehcp_per_1000_projected"].notna()]
        if not rated.empty:
            latest = int(rated["last_year"].max())
            figure = national_per_1000_chart(
                rated, title=f"EHC plans per 1,000 residents aged 0-25 by LA: January {latest} and projected\n"
                f"to January {year} (England in red)", source=SOURCE + "; population: ONS mid-year estimates and "
                "2022-based subnational projections", assumption=PER_1000_BASIS.format(latest=latest, horizon=year))
            figure.savefig(run.path("national_per_1000_residents.png"))
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
        if pd.notna(row["ehcp_per_1000_projected"]):
            print(f"England, EHC plans per 1,000 residents aged 0-25: {row['ehcp_per_1000_latest']:.1f} in January "
                  f"{row['last_year']}, {row['ehcp_per_1000_projected']:.1f} projected for January "
                  f"{row['forecast_year']} (80% interval {row['ehcp_per_1000_lo80']:.1f}-"
                  f"{row['ehcp_per_1000_hi80']:.1f})")
            print(f"  ({row['per_1000_basis']})")
    impossible = drawn[drawn["ehcp_per_1000_hi80"] > 1000]
    if not impossible.empty:
        print(f"{len(impossible)} LAs' upper 80% bounds exceed 1,000 EHC plans per 1,000 residents aged 0-25 ("
              + ", ".join(impossible["la_name"]) + "): their forecasts' upper tails outrun the residents there are; "
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
        realtime = evidence.realtime
        scored = realtime.forecasts[realtime.forecasts["actual"].notna()
                                    & realtime.forecasts["method"].isin(TABLE_METHODS)]
        origins = range(TRACK_RECORD_FROM, int(realtime.forecasts["origin"].max()))
        candidates = pooled_table(realtime.forecasts, origins=origins, horizons=3)
        atomic.write_csv(run.path("vintages.csv"), evidence.vintages)
        atomic.write_csv(run.path("track_record.csv"), evidence.track_record)
        atomic.write_csv(run.path("candidates.csv"), candidates)
        atomic.write_csv(run.path("choices.csv"), realtime.choices)
        atomic.write_csv(run.path("candidate_scores.csv"), realtime.candidate_scores)
        atomic.write_csv(run.path("realtime_forecasts.csv"), scored)
        atomic.write_csv(run.path("backtest.csv"), metrics)
        atomic.write_csv(run.path("excluded.csv"), evidence.excluded)
        need_backtest = national_need_backtest(dataset, horizons=args.horizons, until=args.until)
        atomic.write_csv(run.path("need_shares_backtest.csv"), need_backtest.table)
        _record_inputs(run, args, dataset)
        run.timings["backtest"] = round(seconds, 2)
        run.details.update({"measures": measures, "until": args.until, "horizons": args.horizons,
                            "reconciliation": evidence.reconciliation_method,
                            "realtime_forecasts_scored": int(len(scored))})
    chosen = scored[(scored["method"] == "sendcast") & scored["pooled"].astype(bool)]
    print(f"Real-time national backtest (nested rolling origin: at each origin the method, windows, shrinkage "
          f"toward England and interval calibration use only the data up to it): {len(chosen):,} forecasts "
          f"scored, {chosen['la_code'].nunique()} LAs, in {seconds:.1f} s"
          + (f", data to {args.until}" if args.until else "") + ".")
    print(f"Scores over origins {origins.start}-{origins.stop - 1}, 1-3 years ahead. MASE/5yr: median MASE "
          "relative to a straight line through the last five years (below 1 beats it); bias and APE: median % "
          "error and |% error| against the outcome; cov80/cov95: share of outcomes inside the 80%/95% intervals; "
          "width80%: median 80% width as % of the forecast; IS: mean interval score as % of the outcome "
          "(lower is better). demographic_rate (EHC plans only): plans per resident aged 0-25 on a 5-year trend "
          "times the population carried forward from the origin, scored beside the others but never chosen, from "
          "the origins with 4 years of population known (n/a before), against the five-year line on the same "
          "forecasts; the population is ONS's 2022-based series (back-cast before mid-2022), not as known then.")
    for measure in measures:
        lines = pooled_lines(evidence.track_record, measure)
        if not lines:
            print(f"{measure}: no forecast could be scored")
            continue
        print(f"{measure}, pooled over origins:")
        print("\n".join(f"  {line}" for line in lines))
        print(f"{measure}, the real-time choice per vintage (origin), with the baselines' MASE/5yr:")
        print("\n".join(f"  {line}" for line in vintage_lines(evidence.vintages, measure)))
    print("Placement groups are scaled to the total, which is kept as forecast (reconciliation: "
          f"{evidence.reconciliation_method}).")
    for line in need_backtest_lines(need_backtest):
        print(line)
    print(f"Written to {run.target}")
    return 0
