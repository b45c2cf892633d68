"""Diagnosis (not a timing, not a test): the start of the simulation's assessment pipeline
against what the published flows imply, for Gloucestershire's ten neighbours (the design set)
at each validation origin, one and two years ahead.

Per LA and origin January ``t`` (history cut at the origin, central parameters as the
validation builds them, ``--replications`` runs of the assessment pipeline only):

- ``backlog``: children decided to assess and not yet completed on the start day, and
  ``backlog_over_completed``: over the assessments completed in calendar ``t - 1``
  (Little's law: the mean years from request to completion if the backlog were real);
  ``weeks_open``: the span their requests are dated over (52 x backlog / decisions of
  ``t - 1``);
- ``published_pct_before`` / ``published_pct``: DfE's share of plans issued within 20 weeks
  (excluding exceptions) in calendar ``t - 1`` / ``t``; ``simulated_pct`` (and year two):
  the run's share of plans issued in calendar ``t`` within 20 weeks of the request (every
  plan, the starting backlog's included); ``from_backlog_pct``: the share of the first
  year's plans that came from the starting backlog; ``new_requests_pct``: the share within
  20 weeks of the plans requested in the run;
- ``completed_published`` / ``completed_simulated``: assessments completed in calendar
  ``t``; ``capacity``: the first year's capacity (completions a year); ``median_weeks``:
  median weeks from request to plan in the first year;
- the rules in force (``sendcast.scenarios.parameters.WITHDRAWALS``, ``START_BACKLOG``).

    .venv/bin/python benchmarks/diagnose_assessment_start.py [--withdrawals estimated]
        [--start timeliness] [--replications 3] [--out FILE.csv] [LA ...]

Result (7 December 2026, 3 replications, rules as shipped): the first-year share correlates
-0.82 with ``backlog_over_completed`` and +0.40 with ``published_pct_before``; simulated -
published median +4.6 points, median absolute 16.6 (last year's share: 20.4); completions in
the first year median log(simulated / published) -0.058. What was tried on it:
``benchmarks/evidence_withdrawals.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sendcast  # noqa: E402,F401 -- first: it pins the BLAS kernels before numpy loads
from sendcast.data import store  # noqa: E402
from sendcast.scenarios import parameters as setup  # noqa: E402
from sendcast.scenarios.validation import origin_places  # noqa: E402
from sendcast.scenarios.validation_all_las import choose_las  # noqa: E402
from simulation.model import _Model  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ORIGINS = (2021, 2022, 2023)
SEED = 20251122


def one_start(dataset, la_code: str, la_name: str, origin: int, replications: int) -> dict:
    history = setup.la_history(dataset, la_code)
    cut = setup.history_until(history, origin)
    fit = setup.calibrate_la(dataset, la_code, start_year=origin, history=cut)
    params = setup.build_parameters(dataset, la_code, start_year=origin, horizon=2, calibration=fit,
                                    capacity=origin_places(cut, origin, None), history=cut)
    a = params.assessment

    def published(measure: str, year: int) -> float:
        value = history.total(measure, year)
        return np.nan if value is None else value

    completed_before = published("new_plans", origin - 1) + published("assessed_not_issued", origin - 1)
    backlog = float(params.caseload.in_assessment_by_age.sum())
    row = {"la": la_name, "origin": origin, "backlog": backlog, "backlog_over_completed": backlog / completed_before,
           "weeks_open": params.caseload.in_assessment_weeks_open,
           "published_pct_before": published("issued_within_20wk_pct", origin - 1),
           "published_pct": published("issued_within_20wk_pct", origin),
           "completed_published": published("new_plans", origin) + published("assessed_not_issued", origin),
           "capacity": float(list(a.capacity_per_year)[0][1]) if a.capacity_per_year is not None else np.nan,
           "capacity_response": a.capacity_response, "withdrawal": a.withdrawal_probability}
    runs = []
    for replication in range(replications):
        model = _Model(params, SEED, replication)
        model.build()
        model._assess_all(2.0)
        issued, requested = np.asarray(model.issued_times), np.asarray(model.issued_requested)
        not_issued = np.asarray(model.not_issued_done).reshape(-1, 2)[:, 0]
        weeks = (issued - requested) * 52.0
        first, second, old = issued < 1, (issued >= 1) & (issued < 2), requested < 0
        runs.append({"simulated_pct": 100 * (weeks[first] <= 20).mean(),
                     "simulated_pct_year_two": 100 * (weeks[second] <= 20).mean(),
                     "from_backlog_pct": 100 * (first & old).sum() / max(first.sum(), 1),
                     "new_requests_pct": 100 * (weeks[first & ~old] <= 20).mean(),
                     "completed_simulated": float(first.sum() + (not_issued < 1).sum()),
                     "median_weeks": float(np.median(weeks[first]))})
    return row | pd.DataFrame(runs).mean().to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("las", nargs="*", help="LA names or codes (default: Gloucestershire and its ten neighbours)")
    parser.add_argument("--withdrawals", default=setup.WITHDRAWALS, choices=setup.WITHDRAWALS_RULES)
    parser.add_argument("--start", default=setup.START_BACKLOG, choices=setup.START_BACKLOG_RULES)
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    setup.WITHDRAWALS, setup.START_BACKLOG = args.withdrawals, args.start
    dataset = store.load_dataset(None)
    las = choose_las(dataset, names=args.las) if args.las else choose_las(dataset, neighbours_of="Gloucestershire")
    rows = [one_start(dataset, la.la_code, la.la_name, origin, args.replications)
            for la in las.itertuples(index=False) for origin in ORIGINS]
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 40):
        print(f"withdrawals {args.withdrawals}, start {args.start}, {args.replications} replications")
        print(table.round(2).to_string(index=False))
        error = table["simulated_pct"] - table["published_pct"]
        naive = table["published_pct_before"] - table["published_pct"]
        print(f"first year, points: simulated - published median {error.median():+.1f}, median absolute "
              f"{error.abs().median():.1f}; last year's share (naive) median absolute {naive.abs().median():.1f}")
        print(f"completed in the first year, median log(simulated / published) "
              f"{np.log(table['completed_simulated'] / table['completed_published']).median():+.3f}")
        print("correlation of the simulated first-year share with: backlog / completed "
              f"{table['simulated_pct'].corr(table['backlog_over_completed']):+.2f}, last year's published share "
              f"{table['simulated_pct'].corr(table['published_pct_before']):+.2f}")
    if args.out:
        table.to_csv(args.out, index=False, float_format="%.6g")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
