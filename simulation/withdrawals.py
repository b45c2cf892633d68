"""Withdrawn requests: the share of decisions to assess that never reach an outcome,
estimated from every LA's published flows.

SEN2 publishes requests, refusals, plans issued and assessments ended without a plan, but
not requests withdrawn (a parent withdrew it, the child moved away, the case closed before
an outcome). Counted as "decided to assess", a withdrawn request stays in a flow balance of
the backlog for ever: a service that kept up for years then looks as if it held months of
work (issue 19, 7 December 2026: the national checks' 20-week share was biased -22% one year
ahead in log terms, worst where the published share was high).

**Rule** (:func:`withdrawal_rate`). Where a service issued at least
:data:`KEEPING_UP_PCT` per cent of its plans within 20 weeks in a calendar year and in the
year before, its backlog was no more than the pipeline of a service keeping up at the start
and at the end of the year, so the decisions to assess it did not complete in that year were
withdrawn (to within the change of a small pipeline). Pooled over every such LA-year to the
last year given: ``withdrawal = 1 - sum(completed) / sum(decided)``, where ``decided`` =
requests less refusals and ``completed`` = new plans plus assessments ended without a plan,
in the same calendar year. Kept within [0, :data:`MAX_WITHDRAWAL`]; with no such LA-year,
``None``.

An ASSUMPTION labelled as such: the share is the same in every LA and year (a service with a
backlog is assumed to lose the same share of its decisions as one keeping up), and a year's
decisions and completions are compared in the same calendar year (a request made in December
is completed the next year; the pooling over years evens that out).

Used only where ``sendcast.scenarios.parameters.WITHDRAWALS = "estimated"``; tried out of
sample and turned down on 7 December 2026 (``benchmarks/evidence_withdrawals.py``: the
simulated 20-week share then erred more one and two years ahead, most on LAs whose
timeliness collapsed in 2021-2023), so the runs count no withdrawals.

Years are calendar years (flows); shares in per cent. Pure computation: no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A service issuing at least this per cent of plans within 20 weeks (in the year and the year
#: before) is taken to be keeping up: its backlog is its pipeline (ASSUMPTION).
KEEPING_UP_PCT = 80.0
#: The largest share of decisions to assess taken as withdrawn (a guard against a few odd
#: LA-years; the national figure to 2023 is about 0.09).
MAX_WITHDRAWAL = 0.3


def keeping_up_years(
    decided: pd.DataFrame, completed: pd.DataFrame, timely_pct: pd.DataFrame, last_year: int
) -> pd.DataFrame:
    """Every LA-year (calendar years to ``last_year``) where the service kept up: the share
    within 20 weeks at least :data:`KEEPING_UP_PCT` in the year and the year before, and
    both flows published and positive. ``decided``, ``completed``, ``timely_pct``: one row per
    LA code, one column per calendar year. Returns ``la, year, decided, completed``."""
    rows = []
    for la in decided.index.intersection(completed.index).intersection(timely_pct.index):
        for year in decided.columns:
            year = int(year)
            if year > last_year or year not in completed.columns or year not in timely_pct.columns:
                continue
            if year - 1 not in timely_pct.columns:
                continue
            d, c = float(decided.at[la, year]), float(completed.at[la, year])
            now, before = float(timely_pct.at[la, year]), float(timely_pct.at[la, year - 1])
            if not (np.isfinite(d) and np.isfinite(c) and d > 0 and c > 0):
                continue
            if now >= KEEPING_UP_PCT and before >= KEEPING_UP_PCT:
                rows.append((la, year, d, c))
    return pd.DataFrame(rows, columns=["la", "year", "decided", "completed"])


def withdrawal_rate(
    decided: pd.DataFrame, completed: pd.DataFrame, timely_pct: pd.DataFrame, last_year: int
) -> tuple[float | None, int]:
    """The share of decisions to assess withdrawn (see the module notes) from the LA-years of
    :func:`keeping_up_years` to ``last_year``, and how many LA-years it pooled; ``(None, 0)``
    with none."""
    years = keeping_up_years(decided, completed, timely_pct, last_year)
    if years.empty:
        return None, 0
    share = 1.0 - float(years["completed"].sum()) / float(years["decided"].sum())
    return float(np.clip(share, 0.0, MAX_WITHDRAWAL)), len(years)
