"""Output measures of the simulation engines and how yearly values are made from event records.

Both engines (the SimPy model and the cohort model) report these names, the same as
``sendcast.data.measures`` where a measure exists there. A value is a stock on 1 January of
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
ehcp_total, placement groups,    january   with ``Parameters.needs``: also by primary need,
ehcp_resourced_unit by need                breakdown ``need=asd`` (the need names given);
                                           the needs of each measure add up to its total
new_plans by need                calendar  new plans issued by primary need, ``need=asd``
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

STOCK_MEASURES = (
    "sen_support",
    "in_assessment",
    "ehcp_total",
    "ehcp_mainstream",
    "ehcp_resourced_unit",
    "ehcp_state_special",
    "ehcp_independent_special",
    "ehcp_fe",
    "ehcp_ap",
    "ehcp_other",
    "waiting_special_place",
)
FLOW_MEASURES = (
    "sen_support_identified",
    "sen_support_exits",
    "requests",
    "requests_refused",
    "assessments",
    "assessed_not_issued",
    "new_plans",
    "issued_within_20wk_pct",
    "plans_ceased",
    "ehcp_moves_in",
    "overflow_independent",
    "child_weeks_waited",
    "cost_gbp",
)
#: ``january`` for stocks, ``calendar`` for flows.
YEAR_BASIS: dict[str, str] = {**{m: "january" for m in STOCK_MEASURES}, **{m: "calendar" for m in FLOW_MEASURES}}
#: Placement type -> sendcast placement group.
PLACEMENT_GROUP = {
    "mainstream": "ehcp_mainstream",
    "resourced_unit": "ehcp_mainstream",
    "state_special": "ehcp_state_special",
    "independent_special": "ehcp_independent_special",
    "fe": "ehcp_fe",
    "ap": "ehcp_ap",
    "other": "ehcp_other",
}
#: The placement groups, in report order (they sum to ``ehcp_total``).
PLACEMENT_GROUPS = tuple(dict.fromkeys(PLACEMENT_GROUP.values()))


def placement_group_stocks(by_type: dict[str, np.ndarray]) -> dict[tuple[str, str], np.ndarray]:
    """January stocks of ``ehcp_total``, each placement group and ``ehcp_resourced_unit``
    from the stock of every placement type (:data:`simulation.parameters.PLACEMENTS`)."""
    stocks: dict[tuple[str, str], np.ndarray] = {("ehcp_total", ""): np.asarray(sum(by_type.values()))}
    for group in PLACEMENT_GROUPS:
        stocks[(group, "")] = np.asarray(sum(v for k, v in by_type.items() if PLACEMENT_GROUP[k] == group))
    stocks[("ehcp_resourced_unit", "")] = by_type["resourced_unit"]
    return stocks


def need_breakdown(need: str) -> str:
    """The breakdown label of a primary need, as the sendcast data layer names it (``need=asd``)."""
    return f"need={need}"


def need_stocks(
    names: tuple[str, ...],
    start: np.ndarray,
    end: np.ndarray,
    placement: np.ndarray,
    need: np.ndarray,
    issued: np.ndarray,
    issued_need: np.ndarray,
    horizon: int,
) -> tuple[dict[tuple[str, str], np.ndarray], dict[tuple[str, str], np.ndarray]]:
    """EHC plans by primary need on each January (``ehcp_total``, every placement group and
    ``ehcp_resourced_unit``, breakdown :func:`need_breakdown`) from plan spells ``[start,
    end)`` in ``placement`` of children with ``need`` (index into ``names``), counted as
    :func:`plans_at_januaries` counts them, so each measure's needs add up to its total;
    and new plans by need per calendar year from the issue times ``issued`` and needs."""
    places, n = len(PLACEMENTS), len(names)
    key = np.asarray(need, dtype=np.int64) * places + np.asarray(placement, dtype=np.int64)
    counts = count_open(
        first_january_from(start, horizon), first_january_from(end, horizon), key, n * places, horizon
    ).reshape(n, places, horizon + 1)
    members = {g: [k for k, p in enumerate(PLACEMENTS) if PLACEMENT_GROUP[p] == g] for g in PLACEMENT_GROUPS}
    resourced = PLACEMENTS.index("resourced_unit")
    stocks: dict[tuple[str, str], np.ndarray] = {}
    for k, name in enumerate(names):
        label = need_breakdown(name)
        stocks[("ehcp_total", label)] = counts[k].sum(axis=0)
        for group, columns in members.items():
            stocks[(group, label)] = counts[k, columns].sum(axis=0)
        stocks[("ehcp_resourced_unit", label)] = counts[k, resourced]
    issued = np.asarray(issued, dtype=float)
    inside = (issued >= 0) & (issued < horizon)
    index = np.asarray(issued_need, dtype=np.int64)[inside] * horizon + np.floor(issued[inside]).astype(np.int64)
    new = np.bincount(index, minlength=n * horizon).reshape(n, horizon).astype(float)
    flows = {("new_plans", need_breakdown(name)): new[k] for k, name in enumerate(names)}
    return stocks, flows


SEN_EXIT_REASONS = ("needs_met", "moved_away", "left_school")
CEASE_REASONS = ("needs_met", "moved_away", "left_education", "aged_out")
COST_COMPONENTS = PLACEMENTS + ("assessment", "early_support")


#: Age bands of ``ehcp_total`` (lowest age, highest age + 1), as the sendcast data layer names them.
AGE_BANDS: dict[str, tuple[float, float]] = {
    "under_5": (0, 5),
    "5_to_10": (5, 11),
    "11_to_15": (11, 16),
    "16_to_19": (16, 20),
    "20_to_25": (20, np.inf),
}
#: School phases (ages on the January day) for specialist placements.
SCHOOL_PHASES: dict[str, tuple[float, float]] = {"primary": (4, 11), "secondary": (11, 16)}
#: Placement types counted by phase, and the measure each is reported under.
SPECIALIST_MEASURES: dict[str, str] = {
    "state_special": "ehcp_state_special",
    "resourced_unit": "ehcp_resourced_unit",
    "independent_special": "ehcp_independent_special",
}


def plans_by_age(
    start: np.ndarray, end: np.ndarray, placement: np.ndarray, birth: np.ndarray, horizon: int
) -> dict[tuple[str, str], np.ndarray]:
    """Plans open on each January 0..horizon by age band, and specialist placements by school
    phase, from plan spells ``[start, end)`` in ``placement`` (index into :data:`PLACEMENTS`)
    of children born at ``birth`` (run years; negative before the start)."""
    return plans_at_januaries(start, end, placement, birth, horizon)[1]


def plans_at_januaries(
    start: np.ndarray, end: np.ndarray, placement: np.ndarray, birth: np.ndarray, horizon: int
) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
    """Plans open on each January 0..horizon: ``(by_placement, by_age)``.

    ``by_placement[k]``: spells in placement ``k`` (index into :data:`PLACEMENTS`) open on
    each January, as :func:`stock_at_januaries` counts them; ``by_age``: as
    :func:`plans_by_age`. A spell ``[start, end)`` is counted on January ``j`` when
    ``start <= j < end`` and the child's age on the day, ``j - birth``, is in the band (the
    same float comparisons as testing every January one by one).

    Counted without a (Januaries x spells) table: a child's completed years of age on
    January ``j`` are ``j - ceil(birth)``, the same for every child of a birth cohort
    ``ceil(birth)``, so the spells open on each January are counted by placement and birth
    cohort in one pass (:func:`count_open`), and each band adds up the cohorts at its ages
    on each January. A child born a hair after a whole year, whose age on a January can
    round up to the next whole year, is counted by its own ages instead
    (:func:`first_januaries_aged`).
    """
    start = np.asarray(start, dtype=float)
    end = np.asarray(end, dtype=float)
    placement = np.asarray(placement, dtype=np.int64)
    birth = np.asarray(birth, dtype=float)
    places = len(PLACEMENTS)
    first = first_january_from(start, horizon)
    last = first_january_from(end, horizon)
    open_last = np.maximum(first, last)  # a spell that ends before it starts is open on no January
    # birth cohorts older than the oldest band edge, or born after the run, are alike in every band
    top = max(
        int(age) for bands in (AGE_BANDS, SCHOOL_PHASES) for band in bands.values() for age in band if np.isfinite(age)
    )
    cohorts = horizon + 2 + top
    whole = np.ceil(birth)
    cohort = np.clip(whole, -top, horizon + 1).astype(np.int64) + top
    key = placement * cohorts + cohort
    open_by = count_open(first, open_last, key, places * cohorts, horizon).reshape(places, cohorts, horizon + 1)
    by_placement = open_by.sum(axis=1)
    backwards = np.flatnonzero(last < first)
    if backwards.size:  # counted as spells started less spells ended: negative between end and start
        by_placement -= count_open(last[backwards], first[backwards], placement[backwards], places, horizon)
    # (rounding can move the age only if the birth is within far less than 1e-9 of a whole year)
    hair = np.flatnonzero(birth - (whole - 1.0) < 1e-9)
    if hair.size:
        open_by -= count_open(first[hair], open_last[hair], key[hair], places * cohorts, horizon).reshape(
            places, cohorts, horizon + 1
        )
    age = np.arange(horizon + 1)[None, :] - (np.arange(cohorts) - top)[:, None]  # (cohort, January)
    every_placement = open_by.sum(axis=0)
    by_age: dict[tuple[str, str], np.ndarray] = {}
    for band, (low, high) in AGE_BANDS.items():
        by_age[("ehcp_total", f"age_band={band}")] = (every_placement * ((age >= low) & (age < high))).sum(axis=0)
    for kind, measure in SPECIALIST_MEASURES.items():
        of_kind = open_by[PLACEMENTS.index(kind)]
        for phase, (low, high) in SCHOOL_PHASES.items():
            by_age[(measure, f"phase={phase}")] = (of_kind * ((age >= low) & (age < high))).sum(axis=0)
    if hair.size:
        exact = _by_age_from_ranges(first[hair], last[hair], placement[hair], birth[hair], horizon)
        for name, values in exact.items():
            by_age[name] = by_age[name] + values
    return by_placement, by_age


def _by_age_from_ranges(
    first: np.ndarray, last: np.ndarray, placement: np.ndarray, birth: np.ndarray, horizon: int
) -> dict[tuple[str, str], np.ndarray]:
    """:func:`plans_by_age` from the spells' ranges of Januaries ``[first, last)``
    (:func:`first_january_from`), for any births: each band cuts a spell's range to the
    Januaries at the band's ages (:func:`first_januaries_aged`)."""
    thresholds = sorted(
        {age for bands in (AGE_BANDS, SCHOOL_PHASES) for band in bands.values() for age in band if np.isfinite(age)}
    )
    aged = dict(zip(thresholds, first_januaries_aged(birth, thresholds, horizon)))
    # each band's range: from the later of the start and reaching the band to the earlier
    # of the end and leaving it, empty (not negative) where those cross
    ranges = []
    for low, high in AGE_BANDS.values():
        low_at = np.maximum(first, aged[low])
        ranges.append((low_at, np.maximum(low_at, np.minimum(last, aged[high]) if np.isfinite(high) else last)))
    for kind in SPECIALIST_MEASURES:
        of_kind = np.flatnonzero(placement == PLACEMENTS.index(kind))
        for low, high in SCHOOL_PHASES.values():
            low_at = np.maximum(first[of_kind], aged[low][of_kind])
            ranges.append((low_at, np.maximum(low_at, np.minimum(last[of_kind], aged[high][of_kind]))))
    rows = iter(count_open_each(ranges, horizon))
    by_age: dict[tuple[str, str], np.ndarray] = {}
    for band in AGE_BANDS:
        by_age[("ehcp_total", f"age_band={band}")] = next(rows)
    for measure in SPECIALIST_MEASURES.values():
        for phase in SCHOOL_PHASES:
            by_age[(measure, f"phase={phase}")] = next(rows)
    return by_age


def first_january_from(times: np.ndarray, horizon: int) -> np.ndarray:
    """Index of the first January ``j`` (0..horizon) with ``j >= time``, for each time;
    ``horizon + 1`` if there is none in the run. A spell ``[start, end)`` is open on
    January ``j`` exactly when ``first_january_from(start) <= j < first_january_from(end)``
    (``ceil`` is exact in floats, so this is the comparison ``start <= j < end`` itself)."""
    return np.clip(np.ceil(np.asarray(times, dtype=float)), 0, horizon + 1).astype(np.int64)


def first_januaries_aged(birth: np.ndarray, ages: list[float], horizon: int) -> np.ndarray:
    """Index of the first January ``j`` (0..horizon) on which a child born at ``birth`` (run
    years) is aged at least each of ``ages`` (whole years), ``horizon + 1`` if none:
    ``(len(ages), len(birth))``. The smallest ``j`` with ``j - birth >= age`` computed in
    floats exactly as a January-by-January test computes it.

    That is ``ceil(birth) + age`` (the exact difference is at least ``age`` there, and
    rounding cannot take it below), except for a child born a hair after a whole year,
    where ``j - birth`` on the January before can round up to exactly ``age``: only those
    few are tested.
    """
    years_of_age = np.asarray(ages, dtype=float)
    if not np.all(years_of_age == np.round(years_of_age)):
        raise ValueError(f"first_januaries_aged: ages {years_of_age.tolist()} are not all whole numbers of years")
    birth = np.asarray(birth, dtype=float)
    whole = np.ceil(birth)
    january = whole.astype(np.int64)[None, :] + years_of_age.astype(np.int64)[:, None]
    # the January before can only reach the age by rounding if the birth is within far
    # less than 1e-9 of a whole year (rounding moves ages under 1e5 by under 1e-11)
    hair = np.flatnonzero(birth - (whole - 1.0) < 1e-9)
    if hair.size:
        before = january[:, hair] - 1
        january[:, hair] -= before.astype(float) - birth[hair][None, :] >= years_of_age[:, None]
    np.clip(january, 0, horizon + 1, out=january)
    return january


def count_open(first: np.ndarray, last: np.ndarray, key: np.ndarray, keys: int, horizon: int) -> np.ndarray:
    """Spells open on each January 0..horizon, ``(keys, horizon + 1)``, by ``key`` (0..keys-1),
    from January index ranges ``[first, last)`` (:func:`first_january_from`, 0..horizon+1):
    on January ``j`` the spells with ``first <= j`` less those with ``last <= j`` (the
    spells open, where ``first <= last``), by a running sum of range starts and ends."""
    width = horizon + 2
    key = np.asarray(key, dtype=np.int64) * width
    starts = np.bincount(key + first, minlength=keys * width)
    ends = np.bincount(key + last, minlength=keys * width)
    return np.cumsum((starts - ends).reshape(keys, width), axis=1)[:, : horizon + 1].astype(float)


def count_open_each(ranges: list[tuple[np.ndarray, np.ndarray]], horizon: int) -> np.ndarray:
    """:func:`count_open` for several sets of spells, one row ``(horizon + 1)`` per pair
    ``(first, last)`` of January index ranges."""
    width = horizon + 2
    changes = np.empty((len(ranges), width), dtype=np.int64)
    for row, (first, last) in enumerate(ranges):
        changes[row] = np.bincount(first, minlength=width) - np.bincount(last, minlength=width)
    return np.cumsum(changes, axis=1)[:, : horizon + 1].astype(float)


def year_basis(measure: str) -> str:
    """``january`` (stock) or ``calendar`` (flow) for an engine measure."""
    return YEAR_BASIS[measure]


def stock_at_januaries(start: np.ndarray, end: np.ndarray, horizon: int) -> np.ndarray:
    """How many spells ``[start, end)`` are open at times 0, 1, ..., horizon (spells with
    ``start <= time`` less spells with ``end <= time``)."""
    start = np.asarray(start, dtype=float)
    return count_open(
        first_january_from(start, horizon),
        first_january_from(end, horizon),
        np.zeros(start.size, dtype=np.int64),
        1,
        horizon,
    )[0]


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
    return time_in_years_by(start, end, np.zeros(start.size, dtype=np.int64), 1, horizon)[0]


def time_in_years_by(start: np.ndarray, end: np.ndarray, key: np.ndarray, keys: int, horizon: int) -> np.ndarray:
    """Years spent inside spells ``[start, end)`` during each calendar year of the run,
    ``(keys, horizon)``, by ``key`` (0..keys-1; e.g. the placement, to cost placements).

    A spell's time in the year it starts and the year it ends is the part of that year it
    covers; every whole year between counts 1.0. The same numbers as clipping every spell
    to every year, added up in another order.
    """
    start = np.clip(np.asarray(start, dtype=float), 0.0, float(horizon))
    end = np.clip(np.asarray(end, dtype=float), 0.0, float(horizon))
    inside = start < end
    start, end, key = start[inside], end[inside], np.asarray(key, dtype=np.int64)[inside]
    first_year = np.floor(start)
    last_year = np.floor(end)
    same = first_year == last_year
    base = key * horizon
    first_index = base + first_year.astype(np.int64)
    # the first (or only) year, and the last year of spells over several years
    parts = np.bincount(first_index, weights=np.where(same, end, first_year + 1.0) - start, minlength=keys * horizon)
    ends_later = np.flatnonzero(~same & (last_year < horizon))
    parts += np.bincount(
        base[ends_later] + last_year[ends_later].astype(np.int64),
        weights=end[ends_later] - last_year[ends_later],
        minlength=keys * horizon,
    )
    # whole years between: a running count of spells from the year after the first to the last
    width = horizon + 1
    several = np.flatnonzero(~same)
    row = key[several] * width
    whole = np.bincount(row + first_year[several].astype(np.int64) + 1, minlength=keys * width) - np.bincount(
        row + last_year[several].astype(np.int64), minlength=keys * width
    )
    return parts.reshape(keys, horizon) + np.cumsum(whole.reshape(keys, width), axis=1)[:, :horizon]


def tidy(
    stocks: dict[tuple[str, str], np.ndarray], flows: dict[tuple[str, str], np.ndarray], start_year: int
) -> pd.DataFrame:
    """Long table ``measure, breakdown, year, value`` from yearly arrays."""
    rows = []
    for (measure, breakdown), values in stocks.items():
        rows.append(
            pd.DataFrame(
                {
                    "measure": measure,
                    "breakdown": breakdown,
                    "year": np.arange(start_year, start_year + len(values)),
                    "value": values,
                }
            )
        )
    for (measure, breakdown), values in flows.items():
        rows.append(
            pd.DataFrame(
                {
                    "measure": measure,
                    "breakdown": breakdown,
                    "year": np.arange(start_year, start_year + len(values)),
                    "value": values,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
