"""Output measures of the simulation engines and how yearly values are made from event records.

Both engines (the SimPy model and the cohort model) report these names, the same as
``sendcast.measures`` where a measure exists there. A value is a stock on 1 January of
``year`` (``year_basis`` ``january``) or a flow over calendar ``year`` (``calendar``):

==============================  ========  ==============================================
measure                          basis     meaning
==============================  ========  ==============================================
sen_support                      january   children on SEN support
in_assessment                    january   children with a request not yet decided or an
                                           assessment not yet finished (queue included)
ehcp_total                       january   EHC plans; breakdown ``""``
ehcp_mainstream ... ehcp_other   january   plans by placement group (``sendcast`` groups;
                                           mainstream includes resourced provision)
ehcp_resourced_unit              january   the resourced provision / SEN unit part of mainstream
ehcp_total by age band           january   breakdown ``age_band=under_5``, ``5_to_10``, ``11_to_15``,
                                           ``16_to_19``, ``20_to_25`` (age on the January day;
                                           the sendcast age bands)
specialist placements by phase   january   ``ehcp_state_special``, ``ehcp_resourced_unit`` and
                                           ``ehcp_independent_special`` with breakdown
                                           ``phase=primary`` (ages 4-10) or ``phase=secondary``
                                           (ages 11-15) on the January day
waiting_special_place            january   plans waiting for a local special place (inside ehcp_other)
sen_support_identified           calendar  children newly identified at SEN support;
                                           breakdown ``route=early_identification`` for
                                           those reached by the lever
sen_support_exits                calendar  children leaving SEN support other than by a
                                           request; breakdown ``reason=...``
requests                         calendar  requests for an EHC needs assessment; breakdown
                                           ``route=direct`` for requests without SEN support
requests_refused                 calendar  decided not to assess
assessments                      calendar  assessments completed (plan or no plan)
assessed_not_issued              calendar  assessed, no plan issued
new_plans                        calendar  new plans issued
issued_within_20wk_pct           calendar  % of new plans issued within 20 weeks of the request
plans_ceased                     calendar  plans ceased; breakdown ``reason=...``
ehcp_moves_in                    calendar  plans arriving with children moving in
overflow_independent             calendar  independent special placements made because no
                                           local special place was free
child_weeks_waited               calendar  weeks waited for a local special place, summed
cost_gbp                         calendar  cost accrued in the calendar year, breakdown
                                           ``component=...`` (placement types, assessment,
                                           early_support) and ``""`` for the total; pounds
                                           at the parameters' price base
==============================  ========  ==============================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.parameters import PLACEMENTS

STOCK_MEASURES = ("sen_support", "in_assessment", "ehcp_total", "ehcp_mainstream", "ehcp_resourced_unit",
                  "ehcp_state_special", "ehcp_independent_special", "ehcp_fe", "ehcp_ap", "ehcp_other",
                  "waiting_special_place")
FLOW_MEASURES = ("sen_support_identified", "sen_support_exits", "requests", "requests_refused", "assessments",
                 "assessed_not_issued", "new_plans", "issued_within_20wk_pct", "plans_ceased", "ehcp_moves_in",
                 "overflow_independent", "child_weeks_waited", "cost_gbp")
#: ``january`` for stocks, ``calendar`` for flows.
YEAR_BASIS: dict[str, str] = {**{m: "january" for m in STOCK_MEASURES}, **{m: "calendar" for m in FLOW_MEASURES}}
#: Placement type -> sendcast placement group.
PLACEMENT_GROUP = {"mainstream": "ehcp_mainstream", "resourced_unit": "ehcp_mainstream",
                   "state_special": "ehcp_state_special", "independent_special": "ehcp_independent_special",
                   "fe": "ehcp_fe", "ap": "ehcp_ap", "other": "ehcp_other"}
SEN_EXIT_REASONS = ("needs_met", "moved_away", "left_school")
CEASE_REASONS = ("needs_met", "moved_away", "left_education", "aged_out")
COST_COMPONENTS = PLACEMENTS + ("assessment", "early_support")


#: Age bands of ``ehcp_total`` (lowest age, highest age + 1), as the sendcast data layer names them.
AGE_BANDS: dict[str, tuple[float, float]] = {"under_5": (0, 5), "5_to_10": (5, 11), "11_to_15": (11, 16),
                                             "16_to_19": (16, 20), "20_to_25": (20, np.inf)}
#: School phases (ages on the January day) for specialist placements.
SCHOOL_PHASES: dict[str, tuple[float, float]] = {"primary": (4, 11), "secondary": (11, 16)}
#: Placement types counted by phase, and the measure each is reported under.
SPECIALIST_MEASURES: dict[str, str] = {"state_special": "ehcp_state_special", "resourced_unit": "ehcp_resourced_unit",
                                       "independent_special": "ehcp_independent_special"}


def plans_by_age(start: np.ndarray, end: np.ndarray, placement: np.ndarray, birth: np.ndarray,
                 horizon: int) -> dict[tuple[str, str], np.ndarray]:
    """Plans open on each January 0..horizon by age band, and specialist placements by school
    phase, from plan spells ``[start, end)`` in ``placement`` (index into :data:`PLACEMENTS`)
    of children born at ``birth`` (run years; negative before the start)."""
    points = np.arange(horizon + 1, dtype=float)
    open_at = (start[None, :] <= points[:, None]) & (end[None, :] > points[:, None])  # (januaries, spells)
    age = points[:, None] - birth[None, :]
    out: dict[tuple[str, str], np.ndarray] = {}
    for band, (low, high) in AGE_BANDS.items():
        out[("ehcp_total", f"age_band={band}")] = (open_at & (age >= low) & (age < high)).sum(axis=1).astype(float)
    for kind, measure in SPECIALIST_MEASURES.items():
        of_kind = open_at & (placement == PLACEMENTS.index(kind))[None, :]
        for phase, (low, high) in SCHOOL_PHASES.items():
            out[(measure, f"phase={phase}")] = (of_kind & (age >= low) & (age < high)).sum(axis=1).astype(float)
    return out


def year_basis(measure: str) -> str:
    """``january`` (stock) or ``calendar`` (flow) for an engine measure."""
    return YEAR_BASIS[measure]


def stock_at_januaries(start: np.ndarray, end: np.ndarray, horizon: int) -> np.ndarray:
    """How many spells ``[start, end)`` are open at times 0, 1, ..., horizon."""
    points = np.arange(horizon + 1, dtype=float)
    started = np.searchsorted(np.sort(start), points, side="right")
    ended = np.searchsorted(np.sort(end), points, side="right")
    return (started - ended).astype(float)


def per_year(times: np.ndarray, horizon: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum of ``weights`` (or count) of events in each calendar year of the run."""
    times = np.asarray(times, dtype=float)
    inside = (times >= 0) & (times < horizon)
    index = np.floor(times[inside]).astype(np.int64)
    w = None if weights is None else np.asarray(weights, dtype=float)[inside]
    return np.bincount(index, weights=w, minlength=horizon)[:horizon].astype(float)


def time_in_years(start: np.ndarray, end: np.ndarray, horizon: int) -> np.ndarray:
    """Years spent inside spells ``[start, end)`` during each calendar year of the run."""
    start = np.asarray(start, dtype=float)
    end = np.asarray(end, dtype=float)
    out = np.empty(horizon)
    for k in range(horizon):
        out[k] = np.clip(np.minimum(end, k + 1.0) - np.maximum(start, float(k)), 0.0, None).sum()
    return out


def tidy(stocks: dict[tuple[str, str], np.ndarray], flows: dict[tuple[str, str], np.ndarray],
         start_year: int) -> pd.DataFrame:
    """Long table ``measure, breakdown, year, value`` from yearly arrays."""
    rows = []
    for (measure, breakdown), values in stocks.items():
        rows.append(pd.DataFrame({"measure": measure, "breakdown": breakdown,
                                  "year": np.arange(start_year, start_year + len(values)), "value": values}))
    for (measure, breakdown), values in flows.items():
        rows.append(pd.DataFrame({"measure": measure, "breakdown": breakdown,
                                  "year": np.arange(start_year, start_year + len(values)), "value": values}))
    return pd.concat(rows, ignore_index=True)
