"""Evidence (not a timing): should the simulation's requests be carried forward so its EHC
plans follow the forecast engine's central forecast (issue 19, "one baseline future, drawn
from both engines")?

Out of sample, the simulation's EHC plans fall behind what was published (every LA, from
January 2021: median log error -12% three years ahead, -18% four years ahead, where the
forecast engine's is +1%; ``data/evidence/simulation_checks_all_las.csv``). The rule tested,
:data:`sendcast.scenarios.parameters.PLANS_FORWARD` ``= "forecast_target"``: at each origin
the forecast engine forecasts EHC plans with the published figures to that January only,
and the request multiplier after the calibration window grows at the one yearly rate whose
cohort-engine EHC plans come closest to that forecast
(:func:`simulation.share_target.requests_for_targets`); everything else as the baseline.

Each chosen LA is validated under the rule (:func:`sendcast.scenarios.validation.validate_la`,
origins 2021-2023, ``--replications``, the seed of the national run) and scored beside the
status quo's checks for the same LAs (the shipped checks, the same code and seed: the
status quo's rows are reproduced exactly by a validation run). Printed per measure and
horizon, pooled over LAs and origins, then per origin one year ahead: the median absolute
log error and median log error (bias) of both, and the 95% bands' coverage as run.

    .venv/bin/python benchmarks/evidence_plans_target.py [--neighbours-of Gloucestershire] [--replications 30]
        [--out FILE.csv]
    .venv/bin/python benchmarks/evidence_plans_target.py --every 10    # a held-out set of LAs
    .venv/bin/python benchmarks/evidence_plans_target.py --identification forecast_target   # with the SEN
        support share following the forecast engine's too
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sendcast.scenarios.parameters as setup  # noqa: E402
from sendcast.data import store  # noqa: E402
from sendcast.data.paths import data_dir  # noqa: E402
from sendcast.scenarios.discrepancy import SHIPPED_CHECKS, read_checks  # noqa: E402
from sendcast.scenarios.validation_all_las import choose_las, validate_one_la  # noqa: E402

MEASURES = ("ehcp_total", "requests", "new_plans", "ehcp_state_special", "ehcp_independent_special", "ehcp_ap",
            "ehcp_fe_plus_other", "sen_support_pct")


def _scores(rows: pd.DataFrame) -> pd.Series:
    error = np.log(rows["simulated"] / rows["published"])
    error = error[np.isfinite(error)]
    inside = (rows["lo95"] <= rows["published"]) & (rows["published"] <= rows["hi95"])
    return pd.Series({"checks": len(error), "median_abs_log_error": float(error.abs().median()),
                      "median_log_error": float(error.median()), "inside_95": float(inside.mean())})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neighbours-of", default="Gloucestershire")
    parser.add_argument("--every", type=int, default=None,
                        help="instead: every N-th LA by code, leaving out the neighbours (a held-out set)")
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20251122)
    parser.add_argument("--identification", choices=setup.IDENTIFICATION_FORWARD_RULES, default=None,
                        help="also carry identification forward by this rule (default: the model's)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    dataset = store.load_dataset(None)
    las = choose_las(dataset, neighbours_of=args.neighbours_of)
    if args.every:
        held_out = choose_las(dataset, every=args.every)
        las = held_out[~held_out["la_code"].isin(las["la_code"])].reset_index(drop=True)
    shipped = read_checks(data_dir() / SHIPPED_CHECKS)
    status_quo = shipped[shipped["la_code"].isin(las["la_code"])].assign(rule="request_growth")
    setup.PLANS_FORWARD = "forecast_target"
    if args.identification:
        setup.IDENTIFICATION_FORWARD = args.identification
    parts, began = [], time.perf_counter()
    for row in las.itertuples(index=False):
        try:
            result, _ = validate_one_la(dataset, row.la_code, origins=(2021, 2022, 2023),
                                        replications=args.replications, seed=args.seed)
        except Exception as error:  # noqa: BLE001 -- one LA's failure is reported, never stops the others
            print(f"  {row.la_name}: not validated ({type(error).__name__}: {error})", flush=True)
            continue
        parts.append(result.table.assign(la_code=row.la_code))
        print(f"  {row.la_name}: done ({time.perf_counter() - began:.0f} s)", flush=True)
    tested = pd.concat(parts, ignore_index=True).assign(rule="forecast_target")
    both = pd.concat([status_quo[status_quo["la_code"].isin(tested["la_code"])], tested], ignore_index=True)
    both = both[both["measure"].isin(MEASURES)]
    chosen = f"every {args.every}th LA, not {args.neighbours_of}'s neighbours" if args.every else \
        f"neighbours of {args.neighbours_of}"
    print(f"{tested['la_code'].nunique()} LAs ({chosen}), origins 2021-2023, "
          f"{args.replications} replications; log errors log(simulated / published)")
    table = both.groupby(["measure", "horizon", "rule"]).apply(_scores).unstack("rule")
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table.round(3).to_string())
        one = both[both["horizon"] == 1].groupby(["measure", "origin", "rule"]).apply(_scores).unstack("rule")
        print("One year ahead, per origin:")
        print(one.round(3).to_string())
    if args.out:
        both.to_csv(args.out, index=False, float_format="%.6g")
        print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
