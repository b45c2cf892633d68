"""Benchmark: the national backtests (fixed-method and real-time) on a SYNTHETIC panel.

The panel is made up (clearly synthetic, not DfE data): ``--las`` x ``--measures`` series of
``--years`` yearly counts growing multiplicatively (about 6% a year, spread across series)
with 5% noise on the log scale, sizes from 20 to 5,000. It mimics the shape of the national
backtest (about 150 LAs x a dozen measures x 16 Januaries).

Prints wall time, model fits per second, and the ratio to a drift-only backtest timed in the
same run (so numbers from different machines can be compared by ratio), for the fixed-method
backtest and for the real-time (nested rolling-origin) backtest that sendcast's forecasts and
track record come from (:func:`forecast.realtime.realtime_backtest`, every registered
candidate, every origin, with the pooled and per-vintage tables). The target: the whole
national evidence (both) in under 60 s on 2 cores. Optionally times
statsmodels ETS on a sample of windows to estimate what a per-series loop would cost.

    .venv/bin/python benchmarks/bench_forecast_backtest.py [--las 150 --measures 12 --years 16]
    .venv/bin/python benchmarks/bench_forecast_backtest.py --real [--data DIR]

``--real`` uses the shipped DfE data instead: every LA's unbroken series of every measure
sendcast forecasts (the national panels of ``sendcast backtest --all-las``).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from forecast.backtest import rolling_origin_backtest, summarise
from forecast.calibration import calibrate
from forecast.damped_trend import damped_trend_statsmodels
from forecast.models import BACKTEST_MODELS
from forecast.realtime import RealtimeSettings, realtime_backtest
from forecast.scores import pooled_table, vintage_table
from forecast.selection import select_models


def synthetic_panel(n_las: int, n_measures: int, n_years: int, seed: int) -> pd.DataFrame:
    """SYNTHETIC counts: multiplicative growth with noise (see the module docstring)."""
    rng = np.random.default_rng(seed)
    rows = n_las * n_measures
    growth = rng.normal(0.06, 0.04, (rows, 1))
    level = np.exp(rng.uniform(np.log(20), np.log(5000), (rows, 1)))
    values = np.round(level * np.exp(np.cumsum(growth + rng.normal(0, 0.05, (rows, n_years)), axis=1)))
    index = pd.MultiIndex.from_product([[f"synthetic_measure_{m}" for m in range(n_measures)],
                                        [f"SYN{i:05d}" for i in range(n_las)]], names=["measure", "la_code"])
    return pd.DataFrame(values, index=index, columns=range(2026 - n_years, 2026))


def best_of(repeats: int, function) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--las", type=int, default=150)
    parser.add_argument("--measures", type=int, default=12)
    parser.add_argument("--years", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--statsmodels-sample", type=int, default=40,
                        help="windows to fit with statsmodels ETS to estimate a per-series loop (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real", action="store_true", help="backtest the shipped DfE data instead")
    parser.add_argument("--data", metavar="DIR", help="data folder for --real (default: the shipped data/)")
    args = parser.parse_args()

    parents: dict[str, str] = {}
    forecast_measures: list[str] | None = None
    if args.real:
        from sendcast.data.store import load_dataset
        from sendcast.forecasting.evidence import (COMPARABLE_FROM, FORECAST_MEASURES, PLACEMENT_HIERARCHY,
                                                   national_panels)
        from sendcast.forecasting.realtime_panel import realtime_panel

        dataset = load_dataset(args.data)
        panel, excluded = national_panels(dataset, FORECAST_MEASURES)
        long = realtime_panel(dataset, FORECAST_MEASURES, comparable_from=COMPARABLE_FROM)
        parents = {part: PLACEMENT_HIERARCHY.total for part in PLACEMENT_HIERARCHY.parts}
        forecast_measures = list(FORECAST_MEASURES)
        print(f"REAL panel (DfE SEN2 and LAIT, shipped data): {len(panel)} series of "
              f"{panel.index.get_level_values('measure').nunique()} measures, years {panel.columns.min()}-"
              f"{panel.columns.max()}; {len(excluded)} LA series left out (boundary changes, gaps)")
    else:
        panel = synthetic_panel(args.las, args.measures, args.years, args.seed)
        long = panel.stack().rename("value").reset_index().rename(columns={"level_2": "year"})
        print(f"SYNTHETIC panel: {args.las} LAs x {args.measures} measures x {args.years} years "
              f"= {len(panel)} series (multiplicative growth with noise; not real data)")

    drift_time, drift_result = best_of(args.repeats, lambda: rolling_origin_backtest(panel, models=["drift"]))
    windows = len(drift_result.errors[drift_result.errors["horizon"] == 1])
    print(f"windows (series x origins): {windows}")
    print(f"drift-only backtest:        {drift_time:7.2f} s  ({windows / drift_time:,.0f} fits/s)")

    full_time, result = best_of(args.repeats, lambda: rolling_origin_backtest(panel, models=BACKTEST_MODELS))
    fitted = [m for m in BACKTEST_MODELS if m != "combination"]
    fits = windows * len(fitted)
    print(f"full backtest {', '.join(BACKTEST_MODELS)}:")
    print(f"                            {full_time:7.2f} s  ({fits / full_time:,.0f} fits/s; "
          f"{full_time / drift_time:.1f}x the drift-only run)")
    print(f"forecasts scored: {len(result.errors):,}")

    post_time, _ = best_of(args.repeats, lambda: (summarise(result), calibrate(result), select_models(result)))
    print(f"summary + calibration + selection: {post_time:.2f} s")

    measures = forecast_measures or sorted(long["measure"].unique())

    def realtime_run():
        run = realtime_backtest(long, measures=measures, settings=RealtimeSettings(parents=parents))
        origins = range(2016, int(run.forecasts["origin"].max()))
        return run, pooled_table(run.forecasts, origins=origins), vintage_table(run.forecasts, origins=origins)

    realtime_time, (run, _, _) = best_of(args.repeats, realtime_run)
    scored = run.forecasts[run.forecasts["actual"].notna() & (run.forecasts["method"] == "sendcast")]
    print(f"real-time backtest (every candidate, nested choice and intervals at every origin, {len(measures)} "
          f"measures, tables included):")
    print(f"                            {realtime_time:7.2f} s  ({realtime_time / drift_time:.1f}x the drift-only "
          f"run; {len(scored):,} real-time forecasts scored)")
    demographic = vintage_table(run.forecasts[run.forecasts["measure"] == "ehcp_total"],
                                origins=range(2016, int(run.forecasts["origin"].max())),
                                methods=["five_year_line", "demographic_rate", "sendcast"])
    demographic = demographic[demographic["method"] != "five_year_line"]
    if not demographic.empty and demographic["relative_mase"].notna().any():
        table = demographic.pivot_table(index="origin", columns=["method", "horizon"], values="relative_mase")
        print("EHC plans, MASE relative to the five-year line per vintage (demographic_rate: scored from the origins "
              "with 4 years of population, never chosen):")
        print("\n".join("  " + line for line in table.round(2).to_string().splitlines()))
    total = full_time + post_time + realtime_time
    print(f"whole national evidence (fixed-method backtest + its summaries + real-time backtest): {total:.2f} s "
          f"({total / drift_time:.1f}x the drift-only run; target under 60 s on 2 cores: "
          f"{'met' if total < 60 else 'NOT met'})")

    if args.statsmodels_sample:
        rng = np.random.default_rng(args.seed)
        rows = rng.choice(len(panel), size=args.statsmodels_sample, replace=False)
        # the last 10 published years of each sampled series with at least 10 (real panels have NaN edges)
        sample = np.array([row[~np.isnan(row)][-10:] for row in panel.to_numpy()[rows]
                           if np.sum(~np.isnan(row)) >= 10])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm_time, _ = best_of(1, lambda: damped_trend_statsmodels(sample, 5))
        per_fit = sm_time / len(sample)
        print(f"statsmodels ETS: {1000 * per_fit:.1f} ms per fit -> a per-series loop over {windows} windows "
              f"would take about {per_fit * windows:,.0f} s for that one model "
              f"({per_fit * windows / full_time:,.0f}x the whole vectorised backtest)")


if __name__ == "__main__":
    main()
