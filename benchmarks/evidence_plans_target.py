"""Evidence (not a timing): should the simulation's requests be carried forward so its EHC
plans follow the forecast engine's central forecast (issue 19, "one baseline future, drawn
from both engines"), and how should identification at SEN support go with it?

Out of sample, the simulation's EHC plans fell behind what was published when requests were
carried forward by their own damped growth (every LA, from January 2021: median log error
-12% three years ahead, -18% four years ahead, where the forecast engine's is +1%; the
national checks of code 9ea50a3). The rules compared, each LA validated under both
(:func:`sendcast.scenarios.validation.validate_la`, origins 2021-2023, ``--replications``,
the seed of the national run):

- ``request_growth`` (the rule before 7 December): :data:`sendcast.scenarios.parameters.PLANS_FORWARD`
  ``= "request_growth"``, ``IDENTIFICATION_FORWARD = "multiplier_growth"``;
- the rule tested (default: the model's default, ``PLANS_FORWARD = "forecast_target"`` with
  ``--identification`` (default ``held_share``)): at each origin the forecast engine forecasts
  EHC plans with the published figures to that January only, and the request multiplier
  after the calibration window grows at the one yearly rate whose cohort-engine EHC plans
  come closest to that forecast (:func:`simulation.share_target.requests_for_targets`),
  identification solved with it (:func:`sendcast.scenarios.parameters.follow_paths`).

Printed per measure and horizon, pooled over LAs and origins, then per origin one year
ahead: the median absolute log error and median log error (bias) of both, and the 95%
bands' coverage as run.

    .venv/bin/python benchmarks/evidence_plans_target.py [--neighbours-of Gloucestershire] [--replications 30]
        [--identification held_share] [--out FILE.csv]
    .venv/bin/python benchmarks/evidence_plans_target.py --every 10    # a held-out set of LAs
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
    parser.add_argument("--identification", choices=setup.IDENTIFICATION_FORWARD_RULES, default="held_share",
                        help="identification at SEN support with the plans target (default: held_share)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    dataset = store.load_dataset(None)
    las = choose_las(dataset, neighbours_of=args.neighbours_of)
    if args.every:
        held_out = choose_las(dataset, every=args.every)
        las = held_out[~held_out["la_code"].isin(las["la_code"])].reset_index(drop=True)
    rules = {"request_growth": ("request_growth", "multiplier_growth"),
             "forecast_target": ("forecast_target", args.identification)}
    parts, began = [], time.perf_counter()
    for row in las.itertuples(index=False):
        for rule, (plans, identification) in rules.items():
            setup.PLANS_FORWARD, setup.IDENTIFICATION_FORWARD = plans, identification
            try:
                result, _ = validate_one_la(dataset, row.la_code, origins=(2021, 2022, 2023),
                                            replications=args.replications, seed=args.seed)
            except Exception as error:  # noqa: BLE001 -- one LA's failure is reported, never stops the others
                print(f"  {row.la_name} ({rule}): not validated ({type(error).__name__}: {error})", flush=True)
                continue
            parts.append(result.table.assign(la_code=row.la_code, rule=rule))
        print(f"  {row.la_name}: done ({time.perf_counter() - began:.0f} s)", flush=True)
    tested = pd.concat(parts, ignore_index=True)
    tested = tested[tested.groupby("la_code")["rule"].transform("nunique") == len(rules)]  # both rules ran
    both = tested[tested["measure"].isin(MEASURES)]
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
