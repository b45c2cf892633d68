"""Evidence (not a timing): where an LA has no list of its special school places, should the
out-of-sample validation run with places unconstrained, or with the places assumed full at
each origin (:func:`sendcast.scenarios.parameters.assumed_places`: the children in state
special schools that January are the places, at the 12% over-capacity allowance, and the LA
goes on adding places as it has, :func:`sendcast.scenarios.parameters.place_growth`; a child
who finds no place waits and goes independent at the illustrative overflow rate)?

Why asked: with requests following the forecast engine's EHC plans (7 December), state
special placements grew too fast out of sample where places were unconstrained (every LA,
four years ahead: median absolute log error 0.092 -> 0.120, bias +10%; issue 19 note): more
plans filled more state special places where history shows the growth going elsewhere.

Each LA is validated under both rules (:func:`sendcast.scenarios.validation.validate_la`,
origins 2021-2023, ``--replications``, the seed of the national run); LAs with their own
capacity file are left out (the rule does not touch them). Printed per measure and horizon,
pooled over LAs and origins: the median absolute log error, the median log error (bias) and
the 95% bands' coverage as run; then one year ahead per origin.

Result (7 December 2026, code of that day, 30 replications, seed 20251122; median absolute log
error four years ahead, unconstrained -> assumed full with overflow 0.5 / 2 a year):

- design set (Gloucestershire's ten neighbours, none has a capacity file): state special 0.118
  -> 0.090 / 0.090 (bias +12% -> -9%); independent 0.253 -> 0.082 / 0.263; FE + other 0.120
  -> 0.124 / 0.128;
- held out (13 LAs, every 10th by code, not neighbours): state special 0.080 -> 0.130 / 0.136
  (bias +3% -> -12%); independent 0.195 -> 0.377 / 0.617 (0.195 at overflow 0: nobody goes);
  FE + other 0.165 -> 0.135 / 0.145.

The design set's gain did not hold out: the validation keeps places unconstrained where no
list is known (:data:`sendcast.scenarios.validation.PLACES_WITHOUT_FILE`).

    .venv/bin/python benchmarks/evidence_place_limits.py [--neighbours-of Gloucestershire] [--out FILE.csv]
    .venv/bin/python benchmarks/evidence_place_limits.py --every 10    # a held-out set of LAs
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sendcast.scenarios.parameters as setup  # noqa: E402
import sendcast.scenarios.validation as validation  # noqa: E402
from sendcast.data import paths, store  # noqa: E402
from sendcast.data.capacity import capacity_file  # noqa: E402
from sendcast.scenarios.files import OVERFLOW_RATE_PER_YEAR, SpecialPlaces as SpecialPlacesSettings  # noqa: E402
from sendcast.scenarios.validation_all_las import choose_las, validate_one_la  # noqa: E402

MEASURES = ("ehcp_total", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe_plus_other", "ehcp_ap",
            "new_plans", "requests", "sen_support_pct")


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
    parser.add_argument("--overflow-rates", type=float, nargs="+", default=[OVERFLOW_RATE_PER_YEAR],
                        help="with places assumed full, the rates a year at which a child who finds no place is "
                             "placed independently, each a rule (default: the baseline's)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    dataset = store.load_dataset(None)
    las = choose_las(dataset, neighbours_of=args.neighbours_of)
    if args.every:
        held_out = choose_las(dataset, every=args.every)
        las = held_out[~held_out["la_code"].isin(las["la_code"])].reset_index(drop=True)
    las = las[[not capacity_file(paths.data_dir(None), code).is_file() for code in las["la_code"]]]
    rules = {"unconstrained": ("unconstrained", OVERFLOW_RATE_PER_YEAR)}
    rules |= {f"assumed_full, overflow {rate:g}/yr": ("assumed_full", rate) for rate in args.overflow_rates}
    parts, began = [], time.perf_counter()
    for row in las.itertuples(index=False):
        for rule, (places, rate) in rules.items():
            validation.PLACES_WITHOUT_FILE = places
            # the baseline's overflow rate, set the one way a run without a scenario takes it
            setup.SpecialPlacesSettings = partial(SpecialPlacesSettings, overflow_rate_per_year=rate)
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
    chosen = f"every {args.every}th LA, not {args.neighbours_of}'s neighbours" if args.every else \
        f"neighbours of {args.neighbours_of}"
    print(f"{tested['la_code'].nunique()} LAs without a capacity file ({chosen}), origins 2021-2023, "
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
