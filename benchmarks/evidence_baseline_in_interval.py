"""Evidence (not a timing): does the simulation's baseline stay inside the forecast's 80% interval?

Issue 19: the baseline's EHC plans, requests and new plans (and state special, independent
special placements) should sit inside the trend forecast's 80% interval in every year, or the
output should say which and why, for every LA. For a sample of LAs this runs each one's
baseline as ``sendcast simulate --la X`` does (as things stand, from the latest January,
``--years`` years, ``--replications`` replications, the default seed) and its forecast
(``sendcast forecast --la X``, the national backtest computed once), and prints one row per LA
and measure: years inside the interval, the worst year, the simulated mean against the
interval and how far outside it is (per cent beyond the nearer bound). It writes the per-year
table (``baseline_in_interval.csv``), the summary (``baseline_in_interval_summary.csv``) and
each LA's mean flows (``baseline_flows.csv``: requests, new plans, plans ceased, moves in) to
``--out``.

    .venv/bin/python benchmarks/evidence_baseline_in_interval.py [--las LA ...] [--years 6]
        [--replications 6] [--out DIR] [--data DIR]

The default sample (:func:`default_sample`): Gloucestershire and its ten statistical
neighbours, Leeds, the four largest and the four smallest other LAs by EHC plans (January,
latest): 20 LAs; about 20-30 s an LA on one core.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from sendcast.data import store
from sendcast.forecasting.evidence import national_evidence
from sendcast.runtime.errors import SendcastError
from sendcast.scenarios.baseline_check import baseline_check
from sendcast.scenarios.forecast_agreement import check_summary
from sendcast.scenarios.validation_all_las import choose_las, current_las
from simulation.errors import ParameterError

EXTREMES = 4


def default_sample(dataset) -> list[str]:
    """Gloucestershire, its neighbours and Leeds, then the :data:`EXTREMES` largest and
    smallest other LAs by EHC plans in the latest January (among LAs with at least 100
    plans, so that an LA too small to simulate is not chosen)."""
    chosen = list(choose_las(dataset, names=["Leeds"], neighbours_of="Gloucestershire")["la_code"])
    codes = set(current_las(dataset)["la_code"])
    m = dataset.measures
    rows = m[(m["measure"] == "ehcp_total") & (m["breakdown"].fillna("") == "") & m["la_code"].isin(codes)
             & m["value"].notna()]
    latest = rows[rows["year"] == rows["year"].max()].set_index("la_code")["value"]
    latest = latest[latest >= 100].sort_values()
    others = [c for c in latest.index if c not in chosen]
    return chosen + others[-EXTREMES:][::-1] + others[:EXTREMES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--las", nargs="+", help="LAs (names, codes or numbers); default: default_sample")
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--replications", type=int, default=6)
    parser.add_argument("--out", default="reports/baseline_in_interval")
    parser.add_argument("--data", help="data folder (default: the shipped data/)")
    args = parser.parse_args()
    dataset = store.load_dataset(args.data)
    las = args.las or default_sample(dataset)
    evidence = national_evidence(dataset, horizons=min(args.years, 5))
    tables, flows, refused = [], [], []
    began = time.perf_counter()
    for la in las:
        try:
            check = baseline_check(dataset, la, years=args.years, replications=args.replications, evidence=evidence,
                                   data=args.data)
        except (SendcastError, ParameterError) as error:
            refused.append((la, str(error)))
            print(f"{la}: not checked: {error}", flush=True)
            continue
        tables.append(check.rows)
        flows.append(check.flows.assign(la_code=check.rows["la_code"].iloc[0], la_name=check.rows["la_name"].iloc[0]))
        one = check_summary(check.rows)
        print(f"{one['la_name'].iloc[0]}: {int(one['inside'].sum())} of {int(one['years'].sum())} years inside "
              f"({time.perf_counter() - began:.0f} s)", flush=True)
    rows = pd.concat(tables, ignore_index=True)
    summary = check_summary(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows.to_csv(out / "baseline_in_interval.csv", index=False, float_format="%.6g")
    summary.to_csv(out / "baseline_in_interval_summary.csv", index=False, float_format="%.6g")
    pd.concat(flows, ignore_index=True).to_csv(out / "baseline_flows.csv", index=False, float_format="%.6g")
    print(f"\n{args.replications} replications, {args.years} years from the latest January; simulated mean against "
          "the trend forecast's 80% interval (outside: % beyond the nearer bound)")
    print("| LA | measure | years inside | worst year | simulated | 80% interval | outside |")
    print("|---|---|---|---|---|---|---|")
    for _, r in summary.iterrows():
        if r["years"] == 0:
            print(f"| {r['la_name']} | {r['measure']} | no forecast | | | | |")
            continue
        print(f"| {r['la_name']} | {r['measure']} | {r['inside']}/{r['years']} | {int(r['worst_year'])} | "
              f"{r['simulated']:,.0f} | {r['lo80']:,.0f}-{r['hi80']:,.0f} | {r['outside_pct']:+.0f}% |")
    print("\nWhy, where a measure is outside in any year:")
    for _, r in summary[(summary["years"] > 0) & (summary["inside"] < summary["years"])].iterrows():
        why = r["why"] if isinstance(r["why"], str) and r["why"] else "none of the rules found a reason"
        print(f"- {r['la_name']}, {r['measure']} ({r['outside_pct']:+.0f}% in {int(r['worst_year'])}): {why}")
    scored = summary[summary["years"] > 0]
    for measure, group in scored.groupby("measure", sort=False):
        print(f"{measure}: {int(group['inside'].sum())} of {int(group['years'].sum())} LA-years inside; "
              f"{int((group['inside'] == group['years']).sum())} of {len(group)} LAs inside every year")
    print(f"all: {int(scored['inside'].sum())} of {int(scored['years'].sum())} LA-years inside; "
          f"{len(tables)} LAs checked, {len(refused)} not: " + "; ".join(f"{la} ({why})" for la, why in refused))


if __name__ == "__main__":
    main()
