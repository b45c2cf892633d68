"""``sendcast national``: every LA in England in one table and a few charts.

Forecasts every LA (the same run as ``forecast --all-las``), then writes ``national.csv`` (one
row per LA and England: EHC plans per 1,000 residents aged 0-25, forecast growth, state special
demand against places with the chance of a shortfall by year, independent share, unit costs,
national and regional ranks, statistical neighbours' medians; columns in
:mod:`sendcast.reporting.national_view`), ``missing.csv`` (each LA without a forecast and why),
``unit_costs.csv`` (every LA's unit costs with the rule's flags) and charts.
"""

from __future__ import annotations

import argparse
import itertools
import time

import matplotlib.pyplot as plt

from sendcast.commands.options import data_option, output_options
from sendcast.data import paths, store
from sendcast.data.capacity import capacity_file
from sendcast.forecasting.evidence import national_evidence
from sendcast.forecasting.national import PER_1000_BASIS, forecast_all_las
from sendcast.money.unit_costs import NATIONAL_OUTTURN_FILE, every_la_unit_costs
from sendcast.reporting.charts import national_growth_chart, national_per_1000_chart
from sendcast.reporting.forecast_outputs import SOURCE
from sendcast.reporting.national_charts import by_region_chart, demand_places_chart
from sendcast.reporting.national_view import national_view
from sendcast.runtime import atomic
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.progress import progress_bar
from sendcast.runtime.runs import run_folder

MIN_LAS = 140


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("national", help="every LA in one table: EHC plans per 1,000, growth, places, "
                                 "independent share, unit costs, ranks and neighbours")
    parser.add_argument("--horizon", type=int, default=5, metavar="YEARS", help="years ahead (default 5)")
    parser.add_argument("--paths", type=int, default=1000, metavar="N", help="sample paths per series (default 1000)")
    parser.add_argument("--seed", type=int, default=0, metavar="SEED", help="random seed (default 0)")
    data_option(parser)
    output_options(parser)
    parser.set_defaults(handler=_national)


def _national(args: argparse.Namespace) -> int:
    if not 1 <= args.horizon <= 15:
        raise SendcastError(f"--horizon must be between 1 and 15 years, found {args.horizon}")
    dataset = store.load_dataset(args.data)
    root = paths.data_dir(args.data)
    costs_path = paths.raw_dir(root) / "finance" / NATIONAL_OUTTURN_FILE
    if not costs_path.is_file():
        raise SendcastError(f"{costs_path}: the national high-needs benchmarking file is missing (data/README.md)")
    n_las = len(dataset.geography.las)
    with run_folder(args.out, command="national", label="england", force=args.force) as run:
        started = time.perf_counter()
        evidence = national_evidence(dataset, horizons=min(args.horizon, 5))
        done = itertools.count(1)
        with progress_bar(n_las, "forecasting LAs", quiet=args.quiet) as update:
            result = forecast_all_las(dataset, evidence, horizon=args.horizon, n_paths=args.paths, seed=args.seed,
                                      progress=lambda _: update(next(done), n_las), data=args.data)
        unit_costs = every_la_unit_costs(dataset, costs_path)
        own = {code for code in dataset.geography.las["la_code"] if capacity_file(root, code).is_file()}
        table, missing = national_view(result, dataset, unit_costs, own)
        run.timings["national"] = round(time.perf_counter() - started, 2)
        atomic.write_csv(run.path("national.csv"), table)
        atomic.write_csv(run.path("missing.csv"), missing)
        atomic.write_csv(run.path("unit_costs.csv"), unit_costs)
        drawn = table[table["status"] == "forecast"]
        year = int(drawn["forecast_year"].max()) if not drawn.empty else None
        latest = int(drawn["last_year"].max()) if not drawn.empty else None
        source = SOURCE + "; ONS population; DfE high-needs benchmarking 2021-22"
        charts = {
            "national_per_1000_residents.png": national_per_1000_chart(
                drawn[drawn["ehcp_per_1000_projected"].notna()],
                title=f"EHC plans per 1,000 residents aged 0-25 by LA: January {latest} and projected\n"
                f"to January {year} (England in red)", source=source,
                assumption=PER_1000_BASIS.format(latest=latest, horizon=year)),
            "national_growth.png": national_growth_chart(
                drawn, title=f"Projected growth in EHC plans to January {year}, by LA (% a year; England in red)",
                source=source),
            "national_by_region.png": by_region_chart(table, title="LAs by region", source=source),
            "national_special_demand_vs_places.png": demand_places_chart(
                table, title=f"State special demand in January {year} against places, by LA", source=source),
        }
        for name, figure in charts.items():
            figure.savefig(run.path(name))
            plt.close(figure)
        run.details.update({"horizon": args.horizon, "seed": args.seed, "n_paths": args.paths,
                            "las_in_table": int((drawn["la_code"] != "E92000001").sum()),
                            "las_missing": int(len(missing))})
        for item in dataset.manifest.get("inputs", []):
            run.inputs.append({"role": "raw data", "path": item.get("path"), "sha256": item.get("sha256")})
    _print(table, missing, run.target)
    return 0


def _print(table, missing, target) -> None:
    las = table[(table["la_code"] != "E92000001") & (table["status"] == "forecast")]
    print(f"National view: {len(las)} LAs forecast, {len(missing)} missing "
          f"({'at least' if len(las) >= MIN_LAS else 'FEWER THAN'} {MIN_LAS} LAs):")
    for row in missing.itertuples():
        print(f"  - {row.la_name} ({row.la_code}): {row.reason}")
    for column, label in (("ehcp_per_1000_latest", "EHC plans per 1,000 residents aged 0-25"),
                          ("growth_pct_a_year", "forecast growth, % a year"),
                          ("independent_share_pct", "independent special share, %")):
        top = las.nlargest(3, column)
        print(f"Highest {label}: " + ", ".join(f"{r['la_name']} {r[column]:.1f}" for _, r in top.iterrows()))
    flagged = table["unit_cost_flags"].fillna("").ne("").sum()
    with_places = las["state_special_places"].notna().sum()
    print(f"Unit costs: {flagged} LAs have at least one regional median in place of their own figure (unit_costs.csv "
          f"says why); places: {with_places} LAs ({(las['places_source'] == 'third-party, low confidence').sum()} "
          "from the third-party table, low confidence)")
    print(f"Written to {target}: national.csv, missing.csv, unit_costs.csv and charts.")
