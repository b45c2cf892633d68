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
from functools import partial

import rule_evidence
import sendcast.scenarios.parameters as setup

MEASURES = ("ehcp_total", "requests", "new_plans", "ehcp_state_special", "ehcp_independent_special", "ehcp_ap",
            "ehcp_fe_plus_other", "sen_support_pct")


def _rule(plans: str, identification: str) -> None:
    setup.PLANS_FORWARD, setup.IDENTIFICATION_FORWARD = plans, identification


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rule_evidence.add_arguments(parser)
    parser.add_argument("--identification", choices=setup.IDENTIFICATION_FORWARD_RULES, default="held_share",
                        help="identification at SEN support with the plans target (default: held_share)")
    args = parser.parse_args(argv)
    rules = {"request_growth": partial(_rule, "request_growth", "multiplier_growth"),
             "forecast_target": partial(_rule, "forecast_target", args.identification)}
    return rule_evidence.compare(args, rules, MEASURES, points=())


if __name__ == "__main__":
    raise SystemExit(main())
