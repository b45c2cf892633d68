"""How uncertain an LA's placement unit costs are: ranges for a sensitivity analysis.

An LA's unit cost per EHC plan is one s251 outturn line divided by a count of plans
(:mod:`sendcast.money.unit_costs`). The figure is uncertain: LAs book spend on different
s251 lines, the plan count is an average of two Januaries, and a year's outturn is one
year. No publication states that uncertainty, so the ranges here borrow a published
spread: how far the same rule's costs spread across England's LAs (DfE high-needs
benchmarking 2021-22 over SEN2 plans, :func:`sendcast.money.unit_costs.national_unit_costs`).

Rule, per placement group with a national distribution (:func:`national_spread`):

- ``mode``: the unit cost the run uses (the LA's own derived cost, restated to the price base);
- ``low`` = ``mode`` x (national 25th percentile / national median), ``high`` = ``mode`` x
  (75th percentile / median): the LA's cost could be off by as much as the middle half of
  LAs differ from the typical LA;
- both kept within the national 5th-95th percentile (the same sanity bounds the unit-cost
  rule uses), restated by the same factor as the LA's cost, and never past ``mode``.

Reading between-LA spread as uncertainty about one LA's cost is a judgement: the *width* is
ILLUSTRATIVE, the shape of the spread is published data. Groups with no national
distribution get ILLUSTRATIVE ranges, labelled: alternative provision (a place cost from
the LA's own PRU/AP lines) +/-25%; "other" (education otherwise than at school, costed at
the mainstream top-up as a floor) from that floor to twice it, mode at the floor. Money in
pounds at the caller's price base; percentiles over LAs with a positive derived cost.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sendcast.money.unit_costs import RULES

SPREAD_COLUMNS = ["placement_group", "las", "p5_gbp", "p25_gbp", "median_gbp", "p75_gbp", "p95_gbp"]
RANGE_COLUMNS = ["placement_group", "low_gbp", "mode_gbp", "high_gbp", "status", "source"]
#: ILLUSTRATIVE ranges for groups with no national distribution, as (low, high) multiples of the cost used.
ILLUSTRATIVE_MULTIPLES = {"ehcp_ap": (0.75, 1.25), "ehcp_other": (1.0, 2.0)}
_ILLUSTRATIVE_TEXT = {
    "ehcp_ap": "illustrative: +/-25% around the LA's own PRU/AP place cost (no national distribution: the national "
               "benchmarking extract has no AP lines)",
    "ehcp_other": "illustrative: from the mainstream top-up (a floor: EOTAS packages are often dearer) to twice it, "
                  "mode at the floor",
}


def national_spread(table: pd.DataFrame) -> pd.DataFrame:
    """:data:`SPREAD_COLUMNS` per placement group derived by a national rule, from
    :func:`sendcast.money.unit_costs.national_unit_costs` (its ``derived_gbp``: positive,
    finite values only; 2021-22 prices; groups with fewer than 5 such LAs left out)."""
    rows = []
    derived = {rule.placement_group for rule in RULES}  # "other" copies mainstream; AP is not in the national file
    for group, part in table[table["placement_group"].isin(derived)].groupby("placement_group", sort=False):
        values = part["derived_gbp"].replace([np.inf, -np.inf], np.nan).to_numpy(dtype=float)
        values = values[np.isfinite(values) & (values > 0)]
        if values.size < 5:
            continue
        p5, p25, p50, p75, p95 = np.percentile(values, [5, 25, 50, 75, 95])
        rows.append({"placement_group": group, "las": int(values.size), "p5_gbp": p5, "p25_gbp": p25,
                     "median_gbp": p50, "p75_gbp": p75, "p95_gbp": p95})
    return pd.DataFrame(rows, columns=SPREAD_COLUMNS)


def cost_ranges(used: Mapping[str, float], spread: pd.DataFrame, *, restated_by: float = 1.0,
                source: str = "DfE high-needs benchmarking 2021-22 / SEN2") -> pd.DataFrame:
    """:data:`RANGE_COLUMNS`: a (low, mode, high) range for each placement group's unit cost.

    ``used``: the unit cost the run uses by placement group (pounds at the price base; groups
    at 0 or missing are left out: not costed); ``spread``: :func:`national_spread`;
    ``restated_by``: the factor from 2021-22 prices to the price base (moves the national
    5th-95th percentile bounds to the same prices)."""
    spread = spread.set_index("placement_group")
    rows = []
    for group, mode in used.items():
        mode = float(mode)
        if not np.isfinite(mode) or mode <= 0:
            continue
        if group in spread.index:
            s = spread.loc[group]
            low = min(mode, max(s["p5_gbp"] * restated_by, mode * s["p25_gbp"] / s["median_gbp"]))
            high = max(mode, min(s["p95_gbp"] * restated_by, mode * s["p75_gbp"] / s["median_gbp"]))
            text = (f"triangular around the unit cost used (mode); low/high = it x the national 25th/75th percentile "
                    f"/ median of the same rule over {int(s['las'])} LAs ({s['p25_gbp'] / s['median_gbp']:.2f}, "
                    f"{s['p75_gbp'] / s['median_gbp']:.2f}), within the national 5th-95th percentile "
                    f"(GBP {s['p5_gbp'] * restated_by:,.0f}-{s['p95_gbp'] * restated_by:,.0f}); {source}; "
                    "width illustrative (between-LA spread read as uncertainty)")
            status = "derived spread"
        elif group in ILLUSTRATIVE_MULTIPLES:
            lo, hi = ILLUSTRATIVE_MULTIPLES[group]
            low, high, text, status = mode * lo, mode * hi, _ILLUSTRATIVE_TEXT[group], "illustrative"
        else:
            continue
        if high > low:
            rows.append({"placement_group": group, "low_gbp": low, "mode_gbp": mode, "high_gbp": high,
                         "status": status, "source": text})
    return pd.DataFrame(rows, columns=RANGE_COLUMNS)
