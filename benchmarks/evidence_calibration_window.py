"""Evidence (not a timing): how few years of its own history may a calibration fit, for an LA
created by a boundary change (``sendcast.scenarios.parameters.MIN_CALIBRATION_YEARS``)?

Bournemouth, Christchurch and Poole and Dorset publish EHC plans from January 2020, North and
West Northamptonshire from 2022, Cumberland and Westmorland and Furness from 2024. The usual
window is six years (``CALIBRATION_YEARS``, January ``start - 6`` to ``start``, not before
2016); an LA whose series started inside it was refused. This validates LAs with unbroken
series out of sample (:func:`sendcast.scenarios.validation_all_las.validate_one_la`, origins
2021-2023, each LA's data cut at the origin) with the window shortened to each candidate, the
usual one first, and prints the errors per measure and horizon: the median absolute log error
(points for the shares), the median signed error and the 95% bands' coverage as run.

Adoption (written before running): the shortest window whose median absolute error one and
two years ahead is no more than 0.01 (log; 1 point for the 20-week share) worse than the
usual window's for EHC plans, requests and new plans, pooled over the design set, becomes
the least an LA created by a boundary change may be calibrated on.

Result (7 December 2026, 11 LAs, 10 replications, seed 20251122; median absolute log error one
and two years ahead, the usual six years -> five / four / three):

- EHC plans: 0.018 / 0.035 -> 0.021 / 0.036, 0.018 / 0.035, 0.024 / 0.042;
- requests: 0.137 / 0.205 -> 0.140 / 0.196, 0.117 / 0.178, 0.146 / 0.206;
- new plans: 0.105 / 0.276 -> 0.105 / 0.276, 0.105 / 0.276, 0.122 / 0.298 (three: +0.017 /
  +0.022, over the tolerance);
- four years ahead, for the record (not the criterion): EHC plans 0.087 -> 0.087, 0.128,
  0.118; state special 0.066 -> 0.066, 0.053, 0.105.

Four years pass, three fail on new plans: ``MIN_CALIBRATION_YEARS = 4``. Bournemouth,
Christchurch and Poole and Dorset (from 2020) now run from January 2025 on five years; North
and West Northamptonshire (from 2022) wait for January 2026; Cumberland and Westmorland and
Furness (from 2024) for 2028.

    .venv/bin/python benchmarks/evidence_calibration_window.py [--candidates 4 3] [--replications 10]
"""

from __future__ import annotations

import argparse

import rule_evidence
import sendcast.scenarios.parameters as setup

MEASURES = ("ehcp_total", "requests", "new_plans", "issued_within_20wk_pct", "ehcp_state_special",
            "ehcp_independent_special", "sen_support_pct")
USUAL = setup.CALIBRATION_YEARS


def _window(years: float) -> None:
    setup.CALIBRATION_YEARS = int(years)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rule_evidence.add_arguments(parser)
    parser.add_argument("--candidates", type=int, nargs="+", default=[4, 3],
                        help="windows (years of history before the origin) tried beside the usual one")
    args = parser.parse_args(argv)
    rules = rule_evidence.candidate_rules(_window, (f"usual {USUAL}", USUAL), args.candidates)
    return rule_evidence.compare(args, rules, MEASURES)


if __name__ == "__main__":
    raise SystemExit(main())
