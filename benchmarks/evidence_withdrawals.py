"""Evidence (not a timing): should the simulation take a share of decisions to assess as
withdrawn (``sendcast.scenarios.parameters.WITHDRAWALS``), judged on its own errors out of
sample?

Diagnosis (7 December 2026, Gloucestershire and its ten neighbours, origins 2021-2023): the
simulated share of plans issued within 20 weeks in the first year is set by the starting
backlog against the completions (the flow balance of decisions to assess less completed
assessments since 2016): about 90% where the balance sits at the pipeline of a service
keeping up (0.29 of a year's completions), 17-28% where it is 0.7-1.9 of them, whatever the
LA published the year before. SEN2 publishes no withdrawals, so every request withdrawn
after a decision to assess stays in the balance for ever: in LA-years where a service kept
up two years running (at least 80% within 20 weeks), 6.7-9.9% of decisions to assess were
never completed (to 2020-2024), and over five years that is about a third of a year's
decisions held as a backlog that is not there (Leicestershire from 2021: 80% issued in time
in 2020, yet a balance of 0.71 of a year's completions, simulated 27%). The run's queue
also keeps them: the capacity response (completions over that work in hand) is too low for
the work the run's service has to do, and its queue grows.

The rule tried, ``"estimated"`` (:mod:`simulation.withdrawals`): the share estimated on every
LA's flows to the year before the origin; the flow balance, the work in hand behind the
capacity response, the calibration and the run's decisions all net of it.

Each LA is validated under each rule (:func:`sendcast.scenarios.validation.validate_la`,
origins 2021-2023, the national run's seed); printed per measure and horizon, pooled over
LAs and origins: the median absolute log error (percentage points for the 20-week share),
the median signed error and the 95% bands' coverage as run.

    .venv/bin/python benchmarks/evidence_withdrawals.py [--replications 10] [--out FILE.csv]
    .venv/bin/python benchmarks/evidence_withdrawals.py --every 10    # a held-out set of LAs
"""

from __future__ import annotations

import argparse

import rule_evidence
import sendcast.scenarios.parameters as setup
from sendcast.scenarios import timeliness_setup

MEASURES = ("ehcp_total", "requests", "new_plans", "issued_within_20wk_pct", "ehcp_state_special",
            "ehcp_independent_special")


def _rule(name: str) -> None:
    """``name``: a withdrawals rule (``setup.WITHDRAWALS``), followed by ``+start`` for the
    starting backlog fitted to the share published the year before (``setup.START_BACKLOG =
    "timeliness"``) and/or ``+fitted`` for the durations scaled to it
    (``timeliness_setup.DURATIONS_RULE = "fitted"``)."""
    withdrawals, *options = name.split("+")
    setup.WITHDRAWALS = withdrawals
    setup.START_BACKLOG = "timeliness" if "start" in options else "flow_balance"
    timeliness_setup.DURATIONS_RULE = "fitted" if "fitted" in options else "illustrative"
    timeliness_setup._FITS.clear()  # the durations' curve is measured on the run's own start
    setup._STARTS.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rule_evidence.add_arguments(parser)
    parser.add_argument("--rules", nargs="+", default=["none", "estimated"],
                        help="WITHDRAWALS[+start][+fitted], e.g. none estimated none+start estimated+start")
    args = parser.parse_args(argv)
    dataset, las, chosen = rule_evidence.chosen_las(args)
    rules = {name: (lambda name=name: _rule(name)) for name in args.rules}
    tested = rule_evidence.validate_under_rules(dataset, las, rules, args)
    rule_evidence.report(tested, MEASURES, chosen, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
