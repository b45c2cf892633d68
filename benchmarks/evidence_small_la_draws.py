"""Evidence (not a timing): should the request growth a replication draws be bounded
(:data:`sendcast.scenarios.parameters.DRAW_GROWTH_RULE`), e.g. kept within the calibration's
own trend bounds (:data:`simulation.share_target.GROWTH_LIMITS`, +-0.3 a year in logs), or
drawn unbounded as before?

Why asked: for the smallest LAs the predictive run exploded. City of London (26 EHC plans in
January 2025, 1-11 requests a year), ``sendcast simulate`` with 200 replications: EHC plans in
January 2035 mean 244.5 (95% 17.5-719.1), while 30 replications of the central parameters
give a median of 76 (65-98) and the forecast engine 141. The draw of source 1
(:mod:`simulation.uncertainty`) is the mean of a bootstrap resample of the yearly changes of
the log request multiplier over the last three fitted years, centred on the central growth
and carried forward undamped; for City of London those changes are counting noise (origin
2023: 0.001, -2.501, +2.381; 2022: 0.249, -0.057, -2.453), so a replication's growth was often
+-1 or more a year.

Rules considered before any run (and why the first was set aside without a run):

- the resampled changes shrunk toward their centre by the share of their variance that is
  Poisson counting noise (var of a log change ~ 1/a + 1/b for counts a, b). It does not fix
  the case: City of London's changes (origin 2023, counts 1, 11, 2 requests) have variance
  5.96 against a counting noise of about 0.9 (1/1 + 1/11, 1/11 + 1/2), so they would keep
  about 92% of their spread (sqrt(1 - 0.9 / 5.96)); the changes are more dispersed than
  Poisson counts (a fitted multiplier per year, 0.14 to 1.76), and it would shrink every
  large LA's draws a little too (not bit-identical);
- no growth draw below a stated count of requests: a threshold to choose;
- the drawn growth kept within the limits the central growth is chosen in
  (:func:`simulation.share_target.requests_for_targets`, ``GROWTH_LIMITS``): no new number,
  and a draw within the limits is returned unchanged, so an LA whose draws stay inside them
  is bit-identical. Run here against the unbounded draw.

Adoption criterion (written before the run): on the design set (the LAs with the fewest EHC
plans in January 2021, ``--smallest 13``: 12 to 1,059 plans, 2-233 requests in 2020; the
Isles of Scilly is not validated, so City of London is the smallest scored), for
EHC plans and requests pooled over origins 2021-2023 and horizons 1-4: the 95% bands'
coverage not lower (by more than one check), their median relative width ((hi95 - lo95) /
published) smaller or equal, and the median absolute log error not worse (by more than
0.005); and on a second set not looked at while choosing (``--smallest 25 --skip 13``: the
next 12 by size, 1,074-1,301 plans, 133-333 requests in 2020) the same holds. Each LA validated once under each
rule (:func:`sendcast.scenarios.validation_all_las.validate_one_la`, origins 2021-2023, data
cut at each origin, 10 replications, the national run's seed).

First result (7 December 2026, 10 replications, seed 20251122; ``--smallest 13``: 12 LAs
validated, the Isles of Scilly not: its calibration gives no assessment capacity; pooled
over origins and horizons 1-4, unbounded -> growth_limits):

- EHC plans (108 checks): median absolute log error 0.051 -> 0.055, inside the 95% band
  63.9% -> 58.3% (6 checks fewer), median relative width 0.135 -> 0.133;
- requests (108 checks): 0.231 -> 0.227, 84.3% -> 79.6% (5 fewer), 0.895 -> 0.797;
- the bound bound in 11 of the 12 LAs (every one but York): the central growth under the
  forecast target is often on its limit (+0.3: Rutland 2023, Darlington 2021-2022,
  Kensington and Chelsea 2022, City of London 2022-2023), so every draw above it was cut
  to it and the bands lost their upper side; coverage was lost in Windsor and Maidenhead
  (5 checks), City of London (5) and Rutland (1).

Fails the criterion (coverage 6 and 5 checks lower): ``growth_limits`` not adopted; the
second set was not run for it.

Second criterion (written after the first result, before either run below): two rules that
do not cut one side of the draws when the centre sits on a limit, scored against
``unbounded`` by the same criterion on both sets: ``around_centre`` (the draw kept within
+-0.3 a year of the central growth) and ``fewest_requests`` (no growth draw where the
published requests over the fitted years average fewer than
:data:`sendcast.scenarios.parameters.FEWEST_REQUESTS_DRAWN`, about 22 a year, where the
counting noise of one yearly change exceeds the largest growth allowed; in these sets only
City of London has so few, so it is judged on City of London's 18 checks of the two
measures there, not lower coverage, narrower bands).

Results (7 December 2026, 10 replications, seed 20251122; pooled over origins 2021-2023 and
horizons 1-4; unbounded -> around_centre / fewest_requests; coverage as the share of checks
inside the 95% band, width the median relative width):

==========================  ======  =====================  ======================  =====================
set, measure                checks  median abs log error   inside 95%              median rel. width
==========================  ======  =====================  ======================  =====================
design, EHC plans           108     0.051 -> 0.051 / 0.051 63.9 -> 62.0 / 62.0%    0.135 -> 0.135 / 0.135
design, requests            108     0.231 -> 0.213 / 0.231 84.3 -> 78.7 / 80.6%    0.895 -> 0.866 / 0.886
held out, EHC plans         108     0.071 -> 0.071 / 0.071 44.4 -> 43.5 / 44.4%    0.134 -> 0.134 / 0.134
held out, requests          105     0.241 -> 0.257 / 0.241 63.8 -> 61.0 / 63.8%    0.607 -> 0.576 / 0.607
==========================  ======  =====================  ======================  =====================

- ``around_centre`` bound in 6 of the 12 design LAs and 8 of the 12 held out; it lost 2 and
  6 checks of coverage on the design set, 1 and 3 held out (requests' error worse there,
  0.241 -> 0.257): fails;
- ``fewest_requests`` changed City of London only (no other LA of either set averages
  fewer than 22 requests a year; held out: bit-identical). City of London's 18 checks lost
  coverage: 2 of EHC plans and 4 of requests with 10 replications;
- robustness (not the criterion's run): the design set with 30 replications, unbounded ->
  growth_limits / around_centre / fewest_requests: EHC plans error 0.050 -> 0.053 / 0.049 /
  0.050, inside 79.6 -> 75.9 / 80.6 / 80.6%, width 0.211 -> 0.196 / 0.211 / 0.211; requests
  0.224 -> 0.230 / 0.224 / 0.224, inside 89.8 -> 83.3 / 85.2 / 86.1%, width 1.006 -> 0.852 /
  0.956 / 0.978: every bound loses request coverage (fewest_requests: 4 checks, all City of
  London's);
- City of London alone with 50 replications (``--smallest 2 --skip 1``; 9 checks a
  measure), unbounded -> growth_limits / around_centre / fewest_requests: EHC plans median
  absolute log error 0.321 -> 0.164 / 0.161 / 0.159, inside 5 of 9 under every rule, width
  0.648 -> 0.455 / 0.465 / 0.333; requests error 1.753 -> 1.018 / 1.278 / 1.128, inside 8 ->
  6 / 5 / 4 of 9, width 13.7 -> 4.6 / 4.5 / 2.4 times the published count. The unbounded
  bands cover City of London's requests (published 1, 11, 2, 5 in 2021-2024: far more
  dispersed than counts of that size) by being 14 times the count wide, and its mean
  (the point the error is scored on) doubles the error of EHC plans.

Ten years ahead (the full run from January 2025, 200 replications, the scenario's seed,
``benchmarks/small_la_ten_years.py``; 2.5-97.5% percentiles of the replications): City of London EHC
plans in January 2035 mean 244.5 (2.5-97.5% 18.0-673.1, median 86.5) unbounded;
growth_limits 175.4 (26.0-500.2); around_centre 155.7 (24.0-455.1); fewest_requests 80.1
(37.0-154.2, median 73.0; the central parameters' median 76, the forecast engine 141).
Gloucestershire: the request multipliers of all 200 draws are identical under every rule
(its draws stay within the bounds and it has 1,000+ requests a year), so its outputs do not
change.

Decision: NOT adopted. By the criterion written before the runs no rule qualifies: each lowers
the coverage of the requests' bands on the design set by more than one check (and
``around_centre`` held out too); ``DRAW_GROWTH_RULE`` stays ``"unbounded"``, nothing the model
outputs changes. What the criterion cannot see: the 10-year explosion (the checks reach four
years ahead), and that the coverage lost is bought by bands many times the count wide.
``fewest_requests`` is the candidate if the lead weighs the ten-year band over coverage at
one to four years: it touches only the LAs averaging fewer than 22 requests a year (City of
London and the Isles of Scilly nationally, 2020-2024 means 4.8 and 3.2; the next, Rutland,
64) and no large LA at all.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/evidence_small_la_draws.py --smallest 13 --replications 10
    PYTHONPATH=$PWD .venv/bin/python benchmarks/evidence_small_la_draws.py --smallest 13 --replications 10 \
        --rules unbounded around_centre fewest_requests
    PYTHONPATH=$PWD .venv/bin/python benchmarks/evidence_small_la_draws.py --smallest 25 --skip 13 --replications 10 \
        --rules unbounded around_centre fewest_requests
    PYTHONPATH=$PWD .venv/bin/python benchmarks/evidence_small_la_draws.py --smallest 13 --replications 30 \
        --rules unbounded growth_limits around_centre fewest_requests      # robustness
    PYTHONPATH=$PWD .venv/bin/python benchmarks/evidence_small_la_draws.py --smallest 2 --skip 1 --replications 50 \
        --rules unbounded fewest_requests growth_limits around_centre      # City of London alone
"""

from __future__ import annotations

import argparse
from functools import partial

import numpy as np
import pandas as pd
import rule_evidence
import sendcast.scenarios.parameters as setup
from sendcast.data import store
from sendcast.scenarios.validation_all_las import choose_las
MEASURES = ("ehcp_total", "requests")


def _rule(rule: str) -> None:
    setup.DRAW_GROWTH_RULE = rule


def smallest_las(dataset: store.Dataset, smallest: int, skip: int) -> pd.DataFrame:
    """The validated LAs ranked by EHC plans in January 2021 (fewest first), ranks ``skip ..
    smallest - 1``, with their plans and the requests of calendar 2020."""
    rows = dataset.measures[dataset.measures["breakdown"] == ""]
    plans = rows[(rows["measure"] == "ehcp_total") & (rows["year"] == 2021)].set_index("la_code")["value"]
    asked = rows[(rows["measure"] == "requests") & (rows["year"] == 2020)].set_index("la_code")["value"]
    las = choose_las(dataset)
    las = las.assign(plans_2021=las["la_code"].map(plans), requests_2020=las["la_code"].map(asked))
    return las.dropna(subset=["plans_2021"]).sort_values("plans_2021").iloc[skip:smallest].reset_index(drop=True)


def scores(rows: pd.DataFrame) -> pd.Series:
    """Checks, median absolute and median log error, share inside the 95% band and its
    median relative width ((hi95 - lo95) / published); a published or simulated 0 is left
    out of the errors and the widths, never out of the coverage."""
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.log(rows["simulated"] / rows["published"])
        width = (rows["hi95"] - rows["lo95"]) / rows["published"]
    error = error[np.isfinite(error)]
    width = width[np.isfinite(width)]
    inside = (rows["lo95"] <= rows["published"]) & (rows["published"] <= rows["hi95"])
    return pd.Series({"checks": len(rows), "median_abs_error": float(error.abs().median()),
                      "median_error": float(error.median()), "inside_95": float(inside.mean()),
                      "median_rel_width": float(width.median())})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rule_evidence.add_arguments(parser)
    parser.add_argument("--smallest", type=int, default=13, help="the LAs up to this rank by EHC plans in 2021")
    parser.add_argument("--skip", type=int, default=0, help="leave out the LAs before this rank")
    parser.add_argument("--rules", nargs="+", default=["unbounded", "growth_limits"], choices=setup.DRAW_GROWTH_RULES,
                        help="the rules compared, the reference first")
    args = parser.parse_args(argv)
    dataset = store.load_dataset(None)
    las = smallest_las(dataset, args.smallest, args.skip)
    print(las[["la_code", "la_name", "plans_2021", "requests_2020"]].to_string(index=False), flush=True)
    rules = {rule: partial(_rule, rule) for rule in args.rules}
    tested = rule_evidence.validate_under_rules(dataset, las, rules, args)
    rows = tested[tested["measure"].isin(MEASURES)]
    chosen = f"ranks {args.skip + 1}-{args.smallest} by EHC plans in January 2021"
    print(f"{rows['la_code'].nunique()} LAs ({chosen}), origins {rule_evidence.ORIGINS[0]}-"
          f"{rule_evidence.ORIGINS[-1]}, {args.replications} replications, seed {args.seed}")
    with pd.option_context("display.width", 250, "display.max_rows", 300):
        for keys in (["measure", "rule"], ["measure", "horizon", "rule"], ["measure", "origin", "rule"]):
            print(rows.groupby(keys).apply(scores).round(3).to_string())
        changed = rows.pivot_table(index=["la_code", "measure", "origin", "horizon"], columns="rule",
                                   values=["simulated", "lo95", "hi95"])
        reference = changed.xs(args.rules[0], axis=1, level="rule")
        for rule in args.rules[1:]:
            moved = (changed.xs(rule, axis=1, level="rule") != reference).any(axis=1)
            print(f"LAs whose checks changed at all under {rule}: "
                  f"{sorted(moved[moved].index.get_level_values('la_code').unique())}")
    if args.out:
        rows.to_csv(args.out, index=False, float_format="%.6g")
        print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
