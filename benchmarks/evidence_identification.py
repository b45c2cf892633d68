"""Evidence (not a timing): how the calibration should fit identification at SEN support (issue 19).

Each rule is run through the out-of-sample validation (:func:`sendcast.scenarios.validation.
validate_la`: at each origin January the calibration sees January counts to the origin and
flows to the calendar year before it, the run is scored on what was published later, one to
four years ahead where published) on an LA and its closest DfE statistical neighbours:

- ``trend`` (the status quo): a level and a yearly log-linear trend of identification,
  carried forward by its fitted trend, damped;
- ``yearly``: a multiplier per calendar year (:data:`simulation.calibration.IDENTIFICATION_RULES`),
  fitted jointly with the yearly request multipliers so the fitted history of SEN support
  follows the published one; carried forward by the mean yearly growth of its last three
  multipliers, damped as requests are (:func:`simulation.trends.identification_growth`);
- ``trend_w3``: the status quo with weight 3 on SEN support in the fit (option (b) of the
  issue note, rejected there on five neighbours).

Printed per rule, measure and origin (pooled over the LAs and horizons 1-4), and per rule,
measure and horizon (pooled over LAs and origins): the mean absolute error (percentage points
of the share for ``sen_support_pct``, per cent of the published value for counts and flows),
the mean signed error, the number of checks; then the in-sample fit of each rule's
calibrations (mean absolute per cent error over the window's years, yearly totals), and the
calibration time per LA-origin. The forecast engine's errors on the same rows are printed
beside (the same for every rule). Rows are saved with ``--out``.

    .venv/bin/python benchmarks/evidence_identification.py [--la Gloucestershire] [--neighbours 5]
        [--rules trend yearly trend_w3] [--replications 4] [--out FILE.csv]

About 30 minutes for six LAs and three rules on a loaded 2-core machine. The scores are on
the replications' mean (few replications suffice for it; the bands are not scored here).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import sendcast.forecasting.one_la as one_la
from sendcast.data import store
from sendcast.scenarios import parameters as setup
from sendcast.scenarios.validation import ORIGINS, validate_la
from simulation import calibration

MEASURES = ("sen_support_pct", "ehcp_total", "requests", "new_plans")
#: rule name -> (identification rule, weight of SEN support in the fit).
RULES = {"trend": ("trend", 1.0), "yearly": ("yearly", 1.0), "trend_w3": ("trend", 3.0)}
FIT_MEASURES = ("sen_support", "ehcp_total", "requests", "new_plans")


def _memo_forecast():
    """The forecast engine's results do not depend on the rule: computed once per call."""
    original, cache = one_la.forecast_la, {}

    def forecast_la(dataset, la, **kwargs):
        key = (la, tuple(sorted((k, str(v)) for k, v in kwargs.items())))
        if key not in cache:
            cache[key] = original(dataset, la, **kwargs)
        return cache[key]

    one_la.forecast_la = forecast_la


def run_rule(dataset, las, rule: str, replications: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    identification, weight = RULES[rule]
    calibration.IDENTIFICATION = identification
    calibration.WEIGHTS["sen_support"] = weight
    setup._CALIBRATIONS.clear()
    tables, fits, seconds = [], [], 0.0
    for code in las:
        history = setup.la_history(dataset, code)
        for origin in ORIGINS:  # the calibrations, timed on their own (validate_la reuses them)
            began = time.perf_counter()
            fit = setup.calibrate_la(dataset, code, start_year=origin, history=setup.history_until(history, origin))
            seconds += time.perf_counter() - began
            report = fit.report[(fit.report["breakdown"] == "") & fit.report["measure"].isin(FIT_MEASURES)]
            fits.append(report.assign(rule=rule, la_code=code, origin=origin))
        table = validate_la(dataset, code, replications=replications, seed=seed).table
        tables.append(table.assign(rule=rule, la_code=code, la_name=history.la_name))
        print(f"  {rule} {history.la_name} done", flush=True)
    calibration.WEIGHTS["sen_support"] = 1.0
    calibration.IDENTIFICATION = "trend"
    return pd.concat(tables, ignore_index=True), pd.concat(fits, ignore_index=True), seconds / (len(las) * len(ORIGINS))


def summary(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """MAE and mean signed error per rule x measure x ``by``, simulation and forecast."""
    rows = rows[rows["measure"].isin(MEASURES)]
    out = rows.groupby(["measure", by, "rule"]).agg(
        checks=("error", "size"), mae=("error", lambda e: e.abs().mean()), bias=("error", "mean"),
        forecast_mae=("forecast_error", lambda e: e.abs().mean()))
    return out.round(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="Gloucestershire")
    parser.add_argument("--neighbours", type=int, default=5, help="closest DfE statistical neighbours to add")
    parser.add_argument("--rules", nargs="+", default=list(RULES), choices=list(RULES))
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20251122)
    parser.add_argument("--out", help="CSV of every scored row")
    args = parser.parse_args()
    dataset = store.load_dataset()
    code = str(dataset.geography.resolve(args.la)["la_code"])
    near = dataset.neighbours[dataset.neighbours["la_code"] == code].sort_values("rank")
    las = [code, *near["neighbour_code"].head(args.neighbours)]
    _memo_forecast()
    tables, fits, timing = [], [], {}
    for rule in args.rules:
        table, fit, seconds = run_rule(dataset, las, rule, args.replications, args.seed)
        tables.append(table)
        fits.append(fit)
        timing[rule] = seconds
        if args.out:  # after every rule, so a long run that is stopped keeps what it made
            pd.concat(tables, ignore_index=True).to_csv(args.out, index=False, float_format="%.6g")
            pd.concat(fits, ignore_index=True).to_csv(args.out.removesuffix(".csv") + "_fit.csv", index=False,
                                                      float_format="%.6g")
    rows = pd.concat(tables, ignore_index=True)
    pd.set_option("display.width", 200)
    print(f"LAs: {', '.join(rows['la_name'].unique())}; origins {ORIGINS}; {args.replications} replications")
    print("Out of sample, per origin (pooled over LAs and horizons 1-4); errors: points for sen_support_pct, "
          "% otherwise")
    print(summary(rows, "origin").to_string())
    print("Out of sample, per horizon (pooled over LAs and origins)")
    print(summary(rows, "horizon").to_string())
    fit = pd.concat(fits, ignore_index=True)
    fit = fit[fit["fitted"]]
    print("In sample: mean absolute % error over each calibration window's years (yearly totals)")
    print(fit.groupby(["measure", "origin", "rule"])["error_pct"].apply(lambda e: e.abs().mean()).unstack("rule")
          .round(2).to_string())
    print("Calibration seconds per LA-origin: " + ", ".join(f"{r} {s:.1f}" for r, s in timing.items()))


if __name__ == "__main__":
    main()
