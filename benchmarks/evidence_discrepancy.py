"""Evidence (not a timing): do the simulation's 95% bands, widened by the model discrepancy
known at each origin, cover what was published next (issue 19)?

Reads a national validation table (default: the checks shipped with sendcast,
``data/evidence/simulation_checks_all_las.csv``, written by ``sendcast calibrate
--all-las``), and for each origin scores every check with the discrepancy measured on the
checks known at that origin only (:func:`sendcast.scenarios.discrepancy.widen_checks`):
an origin with none known (the first) is left as it was. Printed per origin and horizon,
the targets' measures together (the SEN support share left out, as in the coverage
target), then per measure one year ahead: the coverage and median width (per cent of the
published value for counts and flows; points for the 20-week share) of the bands as run,
widened, and the forecast engine's on the same rows (where the table has them).

    .venv/bin/python benchmarks/evidence_discrepancy.py [--table validation_all_las.csv] [--out FILE.csv]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sendcast.data.paths import data_dir  # noqa: E402
from sendcast.scenarios.discrepancy import (POINT_MEASURES, SHIPPED_CHECKS, checks_from, discrepancy,  # noqa: E402
                                            read_checks, widen_checks)
from sendcast.scenarios.validation import REPORTED  # noqa: E402


def _width(rows: pd.DataFrame, lo: str, hi: str) -> pd.Series:
    width = rows[hi] - rows[lo]
    points = rows["measure"].isin(POINT_MEASURES)
    return width.where(points, 100.0 * width / rows["published"].where(rows["published"] > 0))


def _inside(rows: pd.DataFrame, lo: str, hi: str) -> pd.Series:
    known = rows[lo].notna() & rows[hi].notna()
    return ((rows[lo] <= rows["published"]) & (rows["published"] <= rows[hi])).where(known)


def scored(table: pd.DataFrame) -> pd.DataFrame:
    """Every check with its band as run, widened and the forecast engine's: inside and width."""
    checks = checks_from(table)
    out = widen_checks(checks, checks)
    for name, lo, hi in (("run", "lo95", "hi95"), ("widened", "lo95_calibrated", "hi95_calibrated"),
                         ("forecast", "forecast_lo95", "forecast_hi95")):
        if lo in out.columns:
            out[f"{name}_inside"] = _inside(out, lo, hi)
            out[f"{name}_width"] = _width(out, lo, hi)
    return out


def _line(label: str, rows: pd.DataFrame) -> str:
    parts = [f"{label:34} {len(rows):>5}"]
    for name in ("run", "widened", "forecast"):
        inside = rows.get(f"{name}_inside")
        if inside is None or inside.dropna().empty:
            parts.append(f"{'':>16}")
            continue
        counts = rows[~rows["measure"].isin(POINT_MEASURES)] if label.startswith("all") else rows
        parts.append(f"{100 * inside.dropna().astype(float).mean():5.1f}% {counts[f'{name}_width'].median():7.1f}  ")
    return " ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=None,
                        help="validation_all_las.csv of `sendcast calibrate --all-las` (default: the shipped checks)")
    parser.add_argument("--out", type=Path, default=None, help="write every scored check here")
    args = parser.parse_args(argv)
    path = args.table or data_dir() / SHIPPED_CHECKS
    table = pd.read_csv(path, dtype={"la_code": str}) if args.table else read_checks(path)
    rows = scored(table)
    print(f"Checks: {path} ({len(rows)} rows, {rows['la_code'].nunique()} LAs, origins "
          f"{', '.join(str(int(o)) for o in sorted(rows['origin'].unique()))})")
    print(f"{'':34} {'n':>5} {'as run: cover width':>20} {'widened':>16} {'forecast engine':>16}")
    targets = rows[~rows["measure"].isin(REPORTED)]
    for (origin, horizon), part in targets.groupby(["origin", "horizon"]):
        print(_line(f"all targets' measures {int(origin)} h{int(horizon)}", part))
    print("One year ahead, per measure:")
    for (measure, origin), part in rows[rows["horizon"] == 1].groupby(["measure", "origin"]):
        print(_line(f"{measure} {int(origin)}", part))
    print("Discrepancy known at each origin (spread on the measure's scale, one to four years ahead):")
    checks = checks_from(table)
    latest = int(rows.loc[rows["year_basis"] == "january", "year"].max())  # a run from the latest January
    for origin in sorted({int(o) for o in rows["origin"].unique()} | {latest}):
        measured = discrepancy(checks, origin)
        if measured.empty:
            print(f"  {origin}: no check known")
            continue
        wide = measured.pivot_table(index="measure", columns="horizon", values="spread")
        print(f"  {origin}:")
        for measure, values in wide.iterrows():
            print(f"    {measure:26} " + " ".join(f"h{int(h)} {v:6.3f}" for h, v in values.items() if np.isfinite(v)))
    if args.out:
        rows.to_csv(args.out, index=False, float_format="%.6g")
        print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
