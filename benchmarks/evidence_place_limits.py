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
from functools import partial

import rule_evidence
import sendcast.scenarios.parameters as setup
import sendcast.scenarios.validation as validation
from sendcast.data import paths
from sendcast.data.capacity import capacity_file
from sendcast.scenarios.files import OVERFLOW_RATE_PER_YEAR
from sendcast.scenarios.files import SpecialPlaces as SpecialPlacesSettings

MEASURES = ("ehcp_total", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe_plus_other", "ehcp_ap",
            "new_plans", "requests", "sen_support_pct")


def _rule(places: str, rate: float) -> None:
    validation.PLACES_WITHOUT_FILE = places
    # the baseline's overflow rate, set the one way a run without a scenario takes it
    setup.SpecialPlacesSettings = partial(SpecialPlacesSettings, overflow_rate_per_year=rate)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rule_evidence.add_arguments(parser)
    parser.add_argument("--overflow-rates", type=float, nargs="+", default=[OVERFLOW_RATE_PER_YEAR],
                        help="with places assumed full, the rates a year at which a child who finds no place is "
                             "placed independently, each a rule (default: the baseline's)")
    args = parser.parse_args(argv)
    dataset, las, chosen = rule_evidence.chosen_las(args)
    las = las[[not capacity_file(paths.data_dir(None), code).is_file() for code in las["la_code"]]]
    rules = {"unconstrained": partial(_rule, "unconstrained", OVERFLOW_RATE_PER_YEAR)}
    rules |= {f"assumed_full, overflow {rate:g}/yr": partial(_rule, "assumed_full", rate)
              for rate in args.overflow_rates}
    tested = rule_evidence.validate_under_rules(dataset, las, rules, args)
    rule_evidence.report(tested, MEASURES, chosen + ", without a capacity file", args, points=())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
