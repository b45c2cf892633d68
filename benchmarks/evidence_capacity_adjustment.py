"""Evidence (not a timing): how fast should the simulation's responsive assessment capacity
move toward its target (``capacity_adjustment``), judged on the simulation's own errors out
of sample?

The adjustment the model uses is chosen on every LA's published flows, one year ahead
(:func:`sendcast.scenarios.parameters.capacity_adjustment_choice`: completed assessments
against the work in hand; 0.5 at every origin since 2021). Under the rule that sets requests
so the simulated EHC plans follow the forecast engine's (7 December 2026), the simulation's
new plans fell short and its share within 20 weeks fell too far out of sample (every LA, four
years ahead: 20-week share bias -20 points; issue 19 note): the queue, not the requests, held
plans back. This validates each LA with the adjustment fixed at each candidate instead
(:func:`sendcast.scenarios.validation.validate_la`, origins 2021-2023, the national run's
seed), the chosen one first. Printed per measure and horizon, pooled over LAs and origins:
the median absolute log error (percentage points for the 20-week share), the median signed
error and the 95% bands' coverage as run.

Result (7 December 2026, 30 replications, seed 20251122; median absolute error at horizons
1/2/3/4, the chosen 0.5 -> at once, 1):

- held out (13 LAs, every 10th by code, not neighbours): new plans 0.150/0.287/0.291/0.154 ->
  0.146/0.252/0.230/0.162; 20-week share (points) 18.0/19.7/23.4/25.9 -> 20.2/19.2/20.4/18.4
  (bias -0.0/-16.8/-23.4/-25.9 -> +2.8/-10.5/-16.1/-18.0); EHC plans 0.030/0.049/0.080/0.075
  -> 0.030/0.044/0.073/0.072; requests 0.137/0.207/0.178/0.169 -> 0.143/0.186/0.229/0.188;
  state special 0.041/0.074/0.073/0.080 -> 0.047/0.077/0.085/0.132;
- design set (Gloucestershire and its ten neighbours; run with places assumed full where no
  list is known, an option since rejected): new plans 0.142/0.279/0.282/0.199 -> 0.117/0.262/
  0.216/0.177; 20-week share 14.1/15.3/14.1/13.4 -> 14.2/16.6/14.6/12.1; requests 0.160/0.218/
  0.226/0.269 -> 0.160/0.221/0.269/0.340.

Mixed: faster adjustment helps new plans and, held out, the 20-week share, and costs requests
three and four years ahead and state special. Not adopted: the adjustment stays chosen on the
published flows (0.5), where at once errs more one year ahead (0.236 against 0.192 to 2024).

    .venv/bin/python benchmarks/evidence_capacity_adjustment.py [--neighbours-of Gloucestershire]
        [--candidates 0.75 1] [--out FILE.csv]
    .venv/bin/python benchmarks/evidence_capacity_adjustment.py --every 10    # a held-out set of LAs
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
from sendcast.scenarios import timeliness_setup  # noqa: E402
from sendcast.scenarios.validation_all_las import choose_las, validate_one_la  # noqa: E402

MEASURES = ("ehcp_total", "requests", "new_plans", "issued_within_20wk_pct", "ehcp_state_special",
            "ehcp_independent_special", "sen_support_pct")
POINTS = ("issued_within_20wk_pct", "sen_support_pct")


def _scores(rows: pd.DataFrame) -> pd.Series:
    if rows.name[0] in POINTS:
        error = rows["simulated"] - rows["published"]
    else:
        error = np.log(rows["simulated"] / rows["published"])
    error = error[np.isfinite(error)]
    inside = (rows["lo95"] <= rows["published"]) & (rows["published"] <= rows["hi95"])
    return pd.Series({"checks": len(error), "median_abs_error": float(error.abs().median()),
                      "median_error": float(error.median()), "inside_95": float(inside.mean())})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neighbours-of", default="Gloucestershire")
    parser.add_argument("--every", type=int, default=None,
                        help="instead: every N-th LA by code, leaving out the neighbours (a held-out set)")
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20251122)
    parser.add_argument("--candidates", type=float, nargs="+", default=[0.75, 1.0],
                        help="adjustments (share of the gap in logs closed a year) tried beside the chosen one")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    dataset = store.load_dataset(None)
    las = choose_las(dataset, neighbours_of=args.neighbours_of)
    if args.every:
        held_out = choose_las(dataset, every=args.every)
        las = held_out[~held_out["la_code"].isin(las["la_code"])].reset_index(drop=True)
    chosen = setup.capacity_adjustment_choice
    rules: dict[str, float | None] = {"chosen": None} | {f"{value:g}": value for value in args.candidates}
    parts, began = [], time.perf_counter()
    for row in las.itertuples(index=False):
        for rule, value in rules.items():
            setup.capacity_adjustment_choice = chosen if value is None else (
                lambda history, start_year, pipeline_weeks=0.0, value=value: (value, f"fixed at {value:g}"))
            timeliness_setup._FITS.clear()  # the fitted durations depend on the first year's capacity
            try:
                result, _ = validate_one_la(dataset, row.la_code, origins=(2021, 2022, 2023),
                                            replications=args.replications, seed=args.seed)
            except Exception as error:  # noqa: BLE001 -- one LA's failure is reported, never stops the others
                print(f"  {row.la_name} ({rule}): not validated ({type(error).__name__}: {error})", flush=True)
                continue
            parts.append(result.table.assign(la_code=row.la_code, rule=rule))
        print(f"  {row.la_name}: done ({time.perf_counter() - began:.0f} s)", flush=True)
    tested = pd.concat(parts, ignore_index=True)
    tested = tested[tested.groupby("la_code")["rule"].transform("nunique") == len(rules)]  # every rule ran
    both = tested[tested["measure"].isin(MEASURES)]
    where = f"every {args.every}th LA, not {args.neighbours_of}'s neighbours" if args.every else \
        f"{args.neighbours_of} and its neighbours"
    print(f"{tested['la_code'].nunique()} LAs ({where}), origins 2021-2023, {args.replications} replications; "
          "errors log(simulated / published), points for shares")
    table = both.groupby(["measure", "horizon", "rule"]).apply(_scores).unstack("rule")
    with pd.option_context("display.width", 250, "display.max_rows", 200):
        print(table.round(3).to_string())
    if args.out:
        both.to_csv(args.out, index=False, float_format="%.6g")
        print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
