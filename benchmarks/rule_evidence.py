"""What the evidence scripts that compare baseline rules out of sample share: the LAs (a design
set, Gloucestershire and its ten DfE neighbours, or a held-out set, every N-th LA by code
leaving the neighbours out), each LA validated once under each rule
(:func:`sendcast.scenarios.validation_all_las.validate_one_la`, origins 2021-2023), and the
scores printed per measure and horizon, pooled over LAs and origins: the median absolute
error and the median error (bias), log(simulated / published) for counts and flows and
percentage points for the shares, and the 95% bands' coverage as run; and, for two rules
scored on the same checks, the paired mean change of the absolute error (:func:`paired`).

Used by ``evidence_plans_target.py``, ``evidence_place_limits.py``,
``evidence_capacity_adjustment.py``, ``evidence_request_floor.py`` and
``evidence_share_floor.py``; not a script itself.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sendcast  # noqa: E402,F401 -- first: it pins the BLAS kernels before numpy loads
from sendcast.data import store  # noqa: E402
from sendcast.scenarios import parameters as setup  # noqa: E402
from sendcast.scenarios import timeliness_setup  # noqa: E402
from sendcast.scenarios.validation_all_las import choose_las, validate_one_la  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ORIGINS = (2021, 2022, 2023)
#: Shares: errors in percentage points, not logs.
POINTS = ("issued_within_20wk_pct", "sen_support_pct")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every such script takes: the LAs, replications, seed and an output file."""
    parser.add_argument("--neighbours-of", default="Gloucestershire")
    parser.add_argument("--every", type=int, default=None,
                        help="instead: every N-th LA by code, leaving out the neighbours (a held-out set)")
    parser.add_argument("--offset", type=int, default=0,
                        help="with --every: start from the LA at this place in code order (0: the first), so "
                             "--every 10 --offset 5 is a second held-out set beside --every 10")
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20251122)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--paired", nargs="+", type=Path, default=None,
                        help="instead of running: the mean change of the absolute error, rule by rule against the "
                             "first, over the same checks of these written tables (--out), :func:`paired`")


def chosen_las(args: argparse.Namespace) -> tuple[store.Dataset, pd.DataFrame, str]:
    """The dataset, the LAs the options choose and a line naming them."""
    dataset = store.load_dataset(None)
    las = choose_las(dataset, neighbours_of=args.neighbours_of)
    if args.every:
        every = choose_las(dataset)
        held_out = every.iloc[getattr(args, "offset", 0)::args.every]
        las = held_out[~held_out["la_code"].isin(las["la_code"])].reset_index(drop=True)
        start = f" from the {args.offset + 1}th" if getattr(args, "offset", 0) else ""
        return dataset, las, f"every {args.every}th LA{start}, not {args.neighbours_of}'s neighbours"
    return dataset, las, f"{args.neighbours_of} and its neighbours"


def candidate_rules(set_rule: Callable[[Any], None], reference: tuple[str, Any],
                    candidates: Iterable[float]) -> dict[str, Callable[[], None]]:
    """Rules that set one value: the reference first (its name and value), then one per
    candidate, named by its value."""
    name, value = reference
    return {name: partial(set_rule, value)} | {f"{c:g}": partial(set_rule, c) for c in candidates}


def forget_fitted() -> None:
    """Forget what this process fitted on the calibrated parameters of a run (the assessment
    durations' curve, the starting backlog and its matched extra): kept by LA and start, not
    by rule, so a rule that changes the calibration or the start must not find another
    rule's. Deterministic (fixed seeds): forgetting costs time, never changes a number."""
    timeliness_setup._FITS.clear()
    setup._STARTS.clear()
    setup._EXTRAS.clear()
    setup._CAPACITY_STARTS.clear()


def validate_under_rules(dataset: store.Dataset, las: pd.DataFrame, rules: dict[str, Callable[[], None]],
                         args: argparse.Namespace) -> pd.DataFrame:
    """Every LA validated under every rule (``rules``: name -> what sets the rule up before
    the LA is validated; :func:`forget_fitted` after it), the tables stacked with ``la_code``
    and ``rule``; LAs that failed under any rule are printed and left out, so every rule is
    scored on the same LAs."""
    parts, began = [], time.perf_counter()
    for row in las.itertuples(index=False):
        for rule, set_up in rules.items():
            set_up()
            forget_fitted()
            try:
                result, _ = validate_one_la(dataset, row.la_code, origins=ORIGINS, replications=args.replications,
                                            seed=args.seed)
            except Exception as error:  # noqa: BLE001 -- one LA's failure is reported, never stops the others
                print(f"  {row.la_name} ({rule}): not validated ({type(error).__name__}: {error})", flush=True)
                continue
            parts.append(result.table.assign(la_code=row.la_code, rule=rule))
        print(f"  {row.la_name}: done ({time.perf_counter() - began:.0f} s)", flush=True)
    tested = pd.concat(parts, ignore_index=True)
    return tested[tested.groupby("la_code")["rule"].transform("nunique") == len(rules)]


def _scores(rows: pd.DataFrame, points: tuple[str, ...]) -> pd.Series:
    if rows.name[0] in points:
        error = rows["simulated"] - rows["published"]
    else:
        with np.errstate(divide="ignore"):  # a published or simulated 0 is left out below
            error = np.log(rows["simulated"] / rows["published"])
    error = error[np.isfinite(error)]
    inside = (rows["lo95"] <= rows["published"]) & (rows["published"] <= rows["hi95"])
    return pd.Series({"checks": len(error), "median_abs_error": float(error.abs().median()),
                      "median_error": float(error.median()), "inside_95": float(inside.mean())})


def compare(args: argparse.Namespace, rules: dict[str, Callable[[], None]], measures: tuple[str, ...],
            points: tuple[str, ...] = POINTS) -> int:
    """The LAs the options choose, validated under every rule and the scores printed
    (:func:`report`): what an evidence script's ``main`` does once its rules are set. With
    ``--paired``: nothing run, the written tables compared rule by rule (:func:`paired`)."""
    if args.paired:
        print(paired(pd.concat([pd.read_csv(path) for path in args.paired], ignore_index=True), list(rules)))
        return 0
    dataset, las, chosen = chosen_las(args)
    report(validate_under_rules(dataset, las, rules, args), measures, chosen, args, points)
    return 0


def report(tested: pd.DataFrame, measures: tuple[str, ...], chosen: str, args: argparse.Namespace,
           points: tuple[str, ...] = POINTS) -> None:
    """Print the scores per measure and horizon, then one year ahead per origin; write the rows.
    ``points``: the measures scored in percentage points (``()``: every measure on the log
    scale, as the scripts written before this module print them)."""
    rows = tested[tested["measure"].isin(measures)]
    unit = "points for " + ", ".join(points) if points else "every measure"
    print(f"{tested['la_code'].nunique()} LAs ({chosen}), origins {ORIGINS[0]}-{ORIGINS[-1]}, "
          f"{args.replications} replications; errors log(simulated / published) ({unit})")
    with pd.option_context("display.width", 250, "display.max_rows", 300):
        table = rows.groupby(["measure", "horizon", "rule"]).apply(_scores, points).unstack("rule")
        print(table.round(3).to_string())
        print("One year ahead, per origin:")
        one = rows[rows["horizon"] == 1]
        print(one.groupby(["measure", "origin", "rule"]).apply(_scores, points).unstack("rule").round(3).to_string())
    if args.out:
        rows.to_csv(args.out, index=False, float_format="%.6g")
        print(f"Wrote {args.out}")


def paired(rows: pd.DataFrame, rules) -> pd.DataFrame:
    """Per measure and horizon, for each rule after the first: the mean over the same checks
    (LA, origin, horizon) of |its error| - |the first rule's| (log errors; points for the
    shares), and how many checks it made better and worse."""
    rows = rows[(rows["published"] > 0) & (rows["simulated"] > 0)]
    shares = rows["measure"].isin(POINTS)
    error = np.where(shares, rows["simulated"] - rows["published"], np.log(rows["simulated"] / rows["published"]))
    wide = rows.assign(error=error).pivot_table(index=["la_code", "measure", "origin", "horizon"], columns="rule",
                                                values="error")
    first, parts = rules[0], {}
    for rule in rules[1:]:
        change = (wide[rule].abs() - wide[first].abs()).dropna()
        grouped = change.groupby(level=["measure", "horizon"])
        parts[rule] = pd.DataFrame({"checks": grouped.size(), "mean_change": grouped.mean().round(4),
                                    "better": grouped.apply(lambda x: int((x < 0).sum())),
                                    "worse": grouped.apply(lambda x: int((x > 0).sum()))})
    return pd.concat(parts, axis=1)
