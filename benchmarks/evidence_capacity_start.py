"""Evidence (not a timing, not a test): the start of the assessment pipeline read off the share
within 20 weeks published the year before, with the first year's assessment capacity set with
it and the capacity response re-estimated off the corrected backlog (``START_BACKLOG =
"timeliness_capacity"``), against the current rule (``"flow_balance"``), out of sample.

The rule (:func:`sendcast.scenarios.parameters.capacity_start`): at each first-year capacity
of :data:`simulation.timeliness.CAPACITY_FACTOR_GRID` times the flow balance's, the backlog
(weeks of the year before's decisions to assess in hand, requests dated over them) is read
off last year's published share; the capacity whose start issues the new plans published the
year before times the growth of decisions to assess (:func:`matched_target_plans`) is
interpolated, and the backlog read off the share again there
(:func:`simulation.timeliness.fit_start_and_capacity`): the capacity, not phantom children in
hand, supplies the first year's plans. The capacity response is re-estimated for 2019 to the
year before the origin with each year's backlog read off the share published the year before
on the same curve (:func:`simulation.timeliness.corrected_responses`), so a run does not drift
back to the flow balance's long queue; the predictive draws bootstrap the re-estimated years.
Every LA's panels and rows cut at the origin (time-respecting).

Adoption rule, stated before the runs: switch the default only if, on both held-out sets, the
20-week share's median absolute error one year ahead falls, and new plans, requests and EHC
plans one year ahead are each no worse than :data:`TOLERANCE` (median absolute log error).

    .venv/bin/python benchmarks/evidence_capacity_start.py --replications 10
    .venv/bin/python benchmarks/evidence_capacity_start.py --every 10 --replications 10
    .venv/bin/python benchmarks/evidence_capacity_start.py --every 10 --offset 5 --replications 10

Result: see the module notes of :data:`sendcast.scenarios.parameters.START_BACKLOG` and the
helper's report of 7 December 2026.
"""

from __future__ import annotations

import argparse
from functools import partial

import rule_evidence
import sendcast.scenarios.parameters as setup

MEASURES = ("ehcp_total", "requests", "new_plans", "issued_within_20wk_pct", "ehcp_state_special")
#: Most a count's median absolute log error one year ahead may grow under the candidate and it
#: still be adopted (new plans, requests, EHC plans).
TOLERANCE = 0.01
#: Rule name -> (START_BACKLOG, CAPACITY_START_RESPONSE, CAPACITY_START_PLANS).
RULES = {
    "current": ("flow_balance", "history", "published"),
    "capacity": ("timeliness_capacity", "history", "published"),
    "capacity+steady": ("timeliness_capacity", "steady", "published"),
    "capacity+steady+asis": ("timeliness_capacity", "steady", "as_is"),
    "capacity+keep+asis": ("timeliness_capacity", "flow_balance", "as_is"),
}


def _rule(values: tuple[str, str, str]) -> None:
    setup.START_BACKLOG, setup.CAPACITY_START_RESPONSE, setup.CAPACITY_START_PLANS = values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rule_evidence.add_arguments(parser)
    parser.add_argument("--rules", nargs="+", default=["current", "capacity"], choices=list(RULES))
    args = parser.parse_args(argv)
    return rule_evidence.compare(args, {name: partial(_rule, RULES[name]) for name in args.rules}, MEASURES)


if __name__ == "__main__":
    raise SystemExit(main())
