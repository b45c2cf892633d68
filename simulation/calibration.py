"""Calibration: rates estimated from published flows, the rest fitted against the cohort model.

Pure: targets come in as DataFrames, fitted parameters and a fit report go out.

``targets`` is tidy, one row per (measure, year), columns ``measure, year, value`` and
optionally ``breakdown``: rows with an empty breakdown are used, and placement groups by
school phase (breakdown ``phase=primary`` etc., the phases of
:data:`simulation.parameters.PHASES` by age on the January day; SEN2 publishes plans by
age and placement from January 2024). Years follow sendcast: January for ``ehcp_total``
and the placement groups, calendar year for the flows. The run must start in the January
of the first caseload year.

**Estimated directly** (:func:`estimate_rates`), one value per calendar year:

- ``refusal_probability`` = ``requests_refused / requests``. Denominator: requests
  received in the year. 0/0 or a missing year: no estimate for that year (the schedule
  keeps the previous year's value). A result outside [0, 1] is an error.
- ``not_issued_probability`` = ``assessed_not_issued / (new_plans + assessed_not_issued)``.
  Denominator: assessments completed in the year. Same rules.
- ``assessments`` = ``new_plans + assessed_not_issued``: completed assessments.
- ``assessment_capacity``: the assessments the service could complete in the year. A
  service with a backlog completes what its capacity allows, so capacity = completed
  assessments; but where ``issued_within_20wk_pct`` is at least :data:`TIMELY_PCT` (or
  not published) the service was keeping up, its throughput was set by demand, not
  capacity, and capacity = max(completed assessments, decisions to assess) /
  :data:`TIMELY_UTILISATION`. The 0.9 utilisation is an ASSUMPTION (a service that
  meets the deadline has some slack), not an estimate. A year with no completed
  assessment gives no estimate (the schedule keeps the year before's; an LA of a few
  children may complete none in a year, and capacity must allow at least one).

- ``decisions_to_assess`` = ``(requests - requests_refused) x (1 - withdrawal)``
  (withdrawals are not published; ``withdrawal`` is their estimated share of the
  decisions to assess, :mod:`simulation.withdrawals`; with 0 they count as decided to
  assess and stay in the backlog until completed), ``backlog_january``: children waiting for
  a decision or an assessment on 1 January of the year, a flow balance from the first
  year (the pipeline of a service keeping up, ``completed x pipeline_weeks / 52``, then
  plus decisions to assess minus completed assessments each year; never below 0);
  a year whose flows are not published moves it by nothing, up to
  :data:`simulation.flow_balance.CARRIED_YEARS` in a row (:mod:`simulation.flow_balance`);
  ``work_in_hand`` = the backlog plus the year before's decisions to assess; and
  ``capacity_response`` = ``assessments / work_in_hand``: the share of the work in hand
  the service completed in the year (the rule of
  :attr:`simulation.parameters.Assessment.capacity_response`). NaN where a flow is missing
  (and the response where no assessment was completed).

**Fitted** (:func:`calibrate`, ``scipy.optimize.least_squares`` on log ratios of the
cohort model to the targets): a request-rate multiplier for every calendar year with a
``requests`` target (held at the last value after it); scales on the ceasing hazards
(:data:`CEASING_SCALES`: needs met and moved away at every age, leaving education at
16-17, 18, 19 and 20-25; informed by ``plans_ceased`` in total, by ``reason=`` and by
``age=`` when the plan ceased, calendar years from :data:`CEASED_COMPARABLE_FROM`, and
by ``ehcp_total`` by phase post-16 and post-19; a weak prior,
:data:`CEASING_PRIOR_WEIGHT`, keeps a scale the targets cannot inform at 1); a scale on
moves in; identification at SEN support by the rule :data:`IDENTIFICATION` (a level and
a yearly log-linear trend, or a multiplier per calendar year fitted with SEN support at
weight :data:`YEARLY_SEN_SUPPORT_WEIGHT`; only informed when ``sen_support`` counts,
January, are among the targets, and without them the level and trend; held at the last
year's value after the window); scales on the request rates at early-years, secondary
and post-16 ages relative to primary ages (:data:`REQUEST_AGE_SCALES`, informed by
``new_plans`` by phase, the age when plans start); and scales on the share of placements going to state
special, independent special, FE, AP and other *by school phase*
(:data:`SHARE_PARAMETERS`), each applied to new plans in that phase and to the moves at
the transfer into it. The phase scales are informed by the phase targets where there
are some and by the yearly group totals otherwise; a weak prior,
:data:`SHARE_PRIOR_WEIGHT`, keeps a scale the targets cannot inform at 1.

A phase target below :data:`MIN_PHASE_COUNT` children is reported but not fitted (a
log ratio on a handful of children is noise); ceased plans by reason below it are fitted
on their total over the years published (:data:`POOLED_MEASURES`).

**Recording break** (:data:`RECORDING_BREAK_YEAR`): FE and other before January 2023 are
compared with SEN2 as the aggregate collection recorded them, through one fitted share
``fe_other_recording_shift`` of the model's FE + other moved from FE to other
(:func:`as_recorded`); the starting January, if earlier, is converted to the person-level
recording (:func:`shift_fe_other`). The report keeps the raw comparison
(``simulated_model``, ``error_pct_model``) beside it. The shift changes no rate: a run
from a January of 2023 or later starts from that January as published.

**What the published series allow** (:func:`achievable_accuracy`): the chance band of a
small count, the largest year-on-year move, and the worst error of the best smooth curve
through the published series; the fit report uses them to say which targets no smooth
model can meet.

**One point whatever the BLAS kernels** (measured 7 December 2026 with
``benchmarks/fit_across_kernels.py``: Gloucestershire, Wiltshire, Somerset, Leeds and
Rutland from January 2025, OpenBLAS's Haswell, SkylakeX and Sandybridge kernels chosen by
``OPENBLAS_CORETYPE``). The fit used to stop wherever the last bits of the kernels sent it:
Gloucestershire's 2019 request multiplier 0.4978, 0.5360 and 0.4844, its open requests
scale 0.93, 0.53 and 1.10; the largest relative difference of a flow parameter between
kernels was 17-66% in each LA (the open requests scale), of a share scale 79-98%, at costs
up to 6% apart. Two causes, and not the data failing to separate the first year's
requests from the starting open requests (smooth, that pair is determined: the smallest
singular value of the flows' Jacobian is 0.19, condition 42, Gloucestershire):

- a staircase: the cohort engine rounded the starting open requests, which the fit scales
  (``open_requests_scale``), to whole children, so the cost moved in steps in that scale
  (Gloucestershire: 4 distinct values over +-2% of it) and the flows stage stopped on
  ``xtol`` with the gradient still at 0.13. The cohort engine now takes them as given (an
  expected count; the discrete-event model still rounds to whole children): the flows
  stage stops on ``ftol`` with the gradient at 1e-6 and a lower cost (Gloucestershire
  0.4700; it was 0.4900, 0.4701 and 0.5047 on the three kernels), and every flow
  parameter agrees across the kernels to 2e-5;
- directions no target informs: some share scales move no fitted count at all (AP post-16
  and other early years in Gloucestershire: a zero column of the Jacobian) or almost none
  (FE and other post-19), and the solver left them anywhere between their bounds. The
  weak prior :data:`SHARE_PRIOR_WEIGHT` holds them at 1 (it costs the placements' fit
  0.002-0.014 of cost in sample, Gloucestershire 0.3745 -> 0.3814).

Every fitted value then agrees across the three kernels to 2e-5 at January 2025 (Rutland;
the others to 1e-6), and at the validation origins 2021-2023 (two kernels) to 1e-4 in
14 of 15 fits and 0.46% in one (Wiltshire 2023: a share scale where the placements stage
stops on ``xtol`` with the gradient at 0.003; a 0.1% step of the Jacobian makes it agree
but lands other placement fits in worse minima with bounds active, Wiltshire 2022 cost
0.329 against 0.317, so :data:`DIFF_STEP` stays). Out of sample (``benchmarks/
evidence_smooth_fit.py``, origins 2021-2023, 30 replications, Gloucestershire and its ten
neighbours and 13 held-out LAs) the errors are no worse on average: the mean log ratio of
the median absolute errors (EHC plans, requests, new plans, state and independent special,
20-week share; horizons 1-4) to the old fit's on the pinned kernels is -0.000 and -0.001,
where the old fit on SkylakeX against itself is +0.035 and +0.025; per measure the new fit
is better than both old fits on EHC plans 3 years ahead (both sets) and worse than both
on independent special in 6 of the 8 horizons (the script has the figures).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from simulation.caseload import age_placement_counts
from simulation.cohort import expected_arrays, new_plans_by_step, placements_given_new_plans
from simulation.cohort_batch import expected_arrays_batch, placements_given_new_plans_batch
from simulation.errors import CalibrationError
from simulation.flow_balance import backlog_januaries
from simulation.outputs import AGE_BANDS, PLACEMENT_GROUPS
from simulation.parameters import (
    AGES,
    AP,
    FE,
    INDEPENDENT,
    OTHER,
    PHASE_START_AGES,
    PHASES,
    STATE_SPECIAL,
    Arrivals,
    Caseload,
    Ceasing,
    Parameters,
    Placement,
    SenSupport,
    schedule_values,
)

log = logging.getLogger(__name__)

STOCK_TARGETS = ("sen_support", "ehcp_total") + PLACEMENT_GROUPS
#: Placement groups: targets by school phase are allowed for these.
PLACEMENT_TARGETS = STOCK_TARGETS[2:]
FLOW_TARGETS = ("new_plans", "requests", "requests_refused", "assessed_not_issued", "plans_ceased")
#: Published % of new plans issued within 20 weeks: used to estimate capacity, not fitted.
TIMELINESS = "issued_within_20wk_pct"
#: How identification at SEN support is fitted: ``"trend"``, a level and a yearly
#: log-linear trend over the window (``identification_scale``, ``identification_trend``);
#: ``"yearly"``, a multiplier for every calendar year whose next January's SEN support
#: count is a target (``identification_multiplier_<year>``, as the request multipliers),
#: so the fitted history of SEN support follows the published one and the request rate
#: per child on SEN support is fitted jointly with it (issue 19).
IDENTIFICATION_RULES = ("trend", "yearly")
#: Weight of SEN support under the ``"yearly"`` rule: with a free multiplier each year, at
#: weight 1 the fit used identification to buy a better fit of requests and plans by age
#: and missed SEN support by up to 8% (Gloucestershire, January 2020-2025); at this weight
#: the count is followed to within the cohort model's step error.
YEARLY_SEN_SUPPORT_WEIGHT = 10.0
#: The rule :func:`calibrate` uses by default. Chosen out of sample (issue 19;
#: ``benchmarks/evidence_identification.py``: Gloucestershire and its five closest
#: statistical neighbours, origins 2021-2023, horizons 1-4): ``"yearly"`` follows SEN support
#: in sample (mean absolute error 0.5-0.7% against 1.5-1.9%) but not out of sample: the
#: SEN support share's error (points) 1.71 against 1.13 from 2021, 0.65 against 0.96 from
#: 2022, 0.76 against 0.93 from 2023, worse 2-4 years ahead, and requests, EHC plans and
#: new plans no better (worse from 2021). So the level and trend stay.
IDENTIFICATION = "trend"
#: Weight of each measure's log-ratio residuals in the fit (AP is small and noisy).
WEIGHTS = {
    "sen_support": 1.0,
    "ehcp_total": 3.0,
    "ehcp_mainstream": 1.0,
    "ehcp_state_special": 1.5,
    "ehcp_independent_special": 1.5,
    "ehcp_fe": 1.0,
    "ehcp_ap": 0.2,
    "ehcp_other": 0.7,
    "new_plans": 1.5,
    "requests": 1.5,
    "plans_ceased": 1.0,
}
#: Multiplier on the weight of the placement groups' targets (:data:`PLACEMENT_TARGETS`, in
#: total and by phase) in the last January of the window: above 1 the placement mix is
#: fitted closer to the latest January than to the window's average (1: every January alike).
#: Tried at 3 and 10 and not adopted: the one-year-ahead state special bias it was meant to
#: cut grew (held out +2.2% -> +2.7%; ``benchmarks/evidence_latest_placements.py``).
LATEST_PLACEMENT_WEIGHT = 1.0
#: A published 20-week share at or above this means the service was keeping up (per cent).
TIMELY_PCT = 90.0
#: Share of its capacity a service keeping up is assumed to use (an ASSUMPTION).
TIMELY_UTILISATION = 0.9
#: Fitted share scales: name, placement column, the phases (indices into
#: :data:`simulation.parameters.PHASES`) whose new-plan shares and transfer-in moves it scales.
SHARE_PARAMETERS: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("state_special_primary", STATE_SPECIAL, (0, 1)),
    ("state_special_secondary", STATE_SPECIAL, (2,)),
    ("state_special_post16", STATE_SPECIAL, (3,)),
    ("independent_special_primary", INDEPENDENT, (0, 1)),
    ("independent_special_secondary", INDEPENDENT, (2,)),
    ("independent_special_post16", INDEPENDENT, (3, 4)),
    ("fe_post16", FE, (3,)),
    ("fe_post19", FE, (4,)),
    ("ap_primary", AP, (0, 1)),
    ("ap_secondary", AP, (2,)),
    ("ap_post16", AP, (3, 4)),
    ("other_early_years", OTHER, (0,)),
    ("other_primary", OTHER, (1,)),
    ("other_secondary", OTHER, (2,)),
    ("other_post16", OTHER, (3,)),
    ("other_post19", OTHER, (4,)),
)
#: Fitted scales on the age profile of requests (from SEN support and direct), relative to
#: primary ages (whose level the yearly multipliers set): name, (lowest age, highest age).
REQUEST_AGE_SCALES: tuple[tuple[str, tuple[int, int]], ...] = (
    ("early_years", (0, 3)),
    ("reception", (4, 5)),
    ("secondary", (11, 15)),
    ("post16", (16, 25)),
)
#: Share of young people in FE at 19 moving to ``other`` at the start of the fit (scaled by
#: ``fe_to_other_post19_share_scale``): SEN2 shows 40% of post-19 plans in other settings
#: in January 2025 (156 of 391), most of whom were in FE at 16-18.
FE_TO_OTHER_POST19 = 0.2
#: Phases whose total plans (``ehcp_total`` by phase) are fitted: the ages where the
#: hazard of leaving education decides the count (the ``ceasing_left_education_*`` scales).
TOTAL_PHASES = ("post16", "post19")
#: Ceasing reasons the model has a hazard for (``plans_ceased`` breakdown ``reason=...``);
#: SEN2's ``reason=other`` (deceased, not recorded, other: under 2% of ceased plans) has
#: none and is reported, not fitted; ``aged_out`` follows from ``Ceasing.max_age``.
CEASE_REASON_TARGETS = ("needs_met", "moved_away", "left_education", "aged_out")
#: Fitted scales on the ceasing hazards, one per reason, and for leaving education one per
#: age band (the age on the day the plan ceases): name, hazard field of
#: :class:`simulation.parameters.Ceasing`, (lowest age, highest age).
CEASING_SCALES: tuple[tuple[str, str, tuple[int, int]], ...] = (
    ("needs_met", "needs_met_rate_by_age", (0, 25)),
    ("moved_away", "moved_away_rate_by_age", (0, 25)),
    ("left_education_16_17", "left_education_rate_by_age", (16, 17)),
    ("left_education_18", "left_education_rate_by_age", (18, 18)),
    ("left_education_19", "left_education_rate_by_age", (19, 19)),
    ("left_education_20_25", "left_education_rate_by_age", (20, 25)),
)
#: First calendar year of ceased plans from the person-level collection. DfE's ceased
#: plans before it (the aggregate collection's "discontinued" columns) are not comparable
#: (England 21,546 in 2021, 34,724 in 2022; Gloucestershire 155 and 467): reported, not fitted.
CEASED_COMPARABLE_FROM = 2022
#: First January of SEN2's person-level collection. It moved children between the FE and
#: "other" placement groups without moving them (Gloucestershire: FE 563 -> 733, other
#: 605 -> 434, FE + other 1,168 -> 1,167). The fit models the recording, not a change in
#: placements: the model counts children as the collection records them from this January
#: on; before it, a share ``fe_other_recording_shift`` of the model's FE + other is taken
#: from FE and added to other, as the aggregate collection recorded them (a negative share
#: moves children the other way). The starting January, if before it, is converted the
#: other way (the share moved from other aged 16+ to FE, by age as other is).
RECORDING_BREAK_YEAR = 2023
#: Measures (with an empty breakdown) the recording rule applies to before the break.
RECORDING_MEASURES = ("ehcp_fe", "ehcp_other")
#: Measures whose breakdown rows under :data:`MIN_PHASE_COUNT` a year are fitted on their
#: total over the years published (one residual), if that total reaches it: ceased plans
#: by reason (needs met: 2, 5 and 15 plans in Gloucestershire 2022-2024).
POOLED_MEASURES = ("plans_ceased",)
#: Weight of a weak prior holding each ceasing scale (:data:`CEASING_SCALES`) at 1 (one
#: residual ``CEASING_PRIOR_WEIGHT x log(scale)`` each): with ceased plans by reason and
#: age among the targets it moves them by a few per cent; without (total ceased plans
#: only) it keeps the scales the data cannot tell apart at the default hazards instead of
#: at a bound.
CEASING_PRIOR_WEIGHT = 0.05
#: Weight of a weak prior holding each placement share scale (``*_share_scale``:
#: :data:`SHARE_PARAMETERS` and ``fe_to_other_post19_share_scale``) at 1, the default
#: shares (one residual ``SHARE_PRIOR_WEIGHT x log(scale)`` each, fitted with the
#: placements), the rule of :data:`CEASING_PRIOR_WEIGHT`: without it a scale the placement
#: targets do not inform (AP post-16 in Gloucestershire moves no fitted count at all) went
#: wherever the solver's last bits sent it, anywhere between its bounds (1/20 to 20), and
#: scales the targets cannot tell apart ran to them (Gloucestershire from 2022:
#: ``other_secondary_share_scale`` 20.06). Out of sample it is neutral on average and mixed
#: per measure (``benchmarks/evidence_smooth_fit.py``: with the open requests unrounded;
#: held out, state special four years ahead 0.080 -> 0.104, requests 0.169 -> 0.118);
#: with the request age scales' prior as well (:data:`REQUEST_AGE_PRIOR_WEIGHT` 0.05,
#: ``benchmarks/evidence_weak_priors.py``, rounded open requests) state special and
#: independent were worse held out (0.080 -> 0.114, 0.195 -> 0.271).
SHARE_PRIOR_WEIGHT = 0.05
#: Weight of a weak prior holding each scale on the age profile of requests
#: (:data:`REQUEST_AGE_SCALES`) at 1, fitted with the flows. 0: none (tried at 0.05 with
#: the share prior, :data:`SHARE_PRIOR_WEIGHT`: not adopted, figures there).
REQUEST_AGE_PRIOR_WEIGHT = 0.0
#: Phase targets (breakdown ``phase=...``) below this many children are not fitted.
MIN_PHASE_COUNT = 20.0
#: Weight of a target by phase or age relative to its measure's weight (:data:`WEIGHTS`,
#: or :data:`BREAKDOWN_WEIGHTS` where the part weighs differently from the total).
PHASE_WEIGHT = 1.0
#: Relative tolerance (cost and parameters) at which a stage of the fit stops.
TOLERANCE = 1e-6
#: A fitted value within this factor of a bound counts as at the bound (5%, or 0.05 on the
#: linear parameters' scale).
NEAR_BOUND = 0.05
#: Relative step of the finite-difference Jacobian. Chosen at 1% when the cohort model
#: rounded the fitted open requests to whole children and the cost was a staircase (at a
#: 0.1% step the fit stopped wherever the inputs' last digit sent it). The cost is smooth in
#: every fitted parameter now (see "One point whatever the BLAS kernels" in the module
#: notes); a 0.1% step fitted the five LAs measured there no better (the same cost, or up
#: to 0.3% more in the placements) and agreed across kernels as well, so 1% stays.
DIFF_STEP = 1e-2
#: ``ehcp_total`` by phase (post-16, post-19) weighs 3: these stocks are what a planner
#: uses, and SEN2's ceased plans by age disagree with them at 16-17 (Gloucestershire: the
#: plans aged 17 in January 2024 fell from 305 to 234 aged 18 a year later, about 80 exits
#: net of new plans, where ceased plans at 17 and 18 in 2024 account for about 52), so
#: ceased plans by age and reason weigh less (0.5).
BREAKDOWN_WEIGHTS = {"ehcp_total": 3.0, "new_plans": 1.0, "plans_ceased": 0.5}


@dataclass(frozen=True)
class CalibrationResult:
    parameters: Parameters
    #: One row per target: measure, breakdown, year, year_basis (january: stocks on the January
    #: census day; calendar: flows in the calendar year), actual (published), simulated (the
    #: cohort model as SEN2 recorded the measure that year: :func:`as_recorded`), error_pct
    #: (simulated / actual - 1, per cent; NaN for a breakdown under :data:`MIN_PHASE_COUNT`),
    #: fitted (whether the row entered the fit, alone or pooled), simulated_model and
    #: error_pct_model (the model's own count, without the recording rule: the raw
    #: comparison with the published series; equal to the others except FE and other
    #: before :data:`RECORDING_BREAK_YEAR`).
    report: pd.DataFrame
    estimates: pd.DataFrame  # year, refusal_probability, not_issued_probability, assessments, assessment_capacity
    fitted: dict[str, float]  # the fitted free parameters
    success: bool
    message: str
    #: Free parameters that ended within :data:`NEAR_BOUND` of a bound of the fit: the
    #: data pushed them as far as they were allowed to go (the rest are interior).
    at_bounds: tuple[str, ...] = ()


def _target_table(targets: pd.DataFrame) -> pd.DataFrame:
    """Usable target rows, columns ``measure, breakdown, year, value`` (breakdown ``""`` or
    ``phase=...`` on a placement group)."""
    missing = {"measure", "year", "value"} - set(targets.columns)
    if missing:
        raise CalibrationError(
            f"targets: missing column(s) {', '.join(sorted(missing))}; expected measure, year, value"
        )
    table = targets.copy()
    table["breakdown"] = table["breakdown"].fillna("").astype(str) if "breakdown" in table.columns else ""
    by_phase = (
        table["breakdown"].isin([f"phase={phase}" for phase in PHASES]) & table["measure"].isin(PLACEMENT_TARGETS)
    ) | (table["breakdown"].isin([f"phase={phase}" for phase in TOTAL_PHASES]) & (table["measure"] == "ehcp_total"))
    by_age = table["breakdown"].str.fullmatch(r"age=\d+(-\d+)?") & table["measure"].isin(["new_plans", "plans_ceased"])
    by_reason = table["breakdown"].isin([f"reason={r}" for r in CEASE_REASON_TARGETS]) & (
        table["measure"] == "plans_ceased"
    )
    by_band = table["breakdown"].isin([f"age_band={band}" for band in AGE_BANDS]) & (table["measure"] == "ehcp_total")
    table = table[(table["breakdown"] == "") | by_phase | by_age | by_band | by_reason]
    wanted = STOCK_TARGETS + FLOW_TARGETS + (TIMELINESS,)
    table = table[table["measure"].isin(wanted)][["measure", "breakdown", "year", "value"]].copy()
    table["year"] = table["year"].astype(int)
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    table = table.dropna(subset=["value"])
    keys = ["measure", "breakdown", "year"]
    if table.duplicated(keys).any():
        first = table[table.duplicated(keys)].iloc[0]
        where = f" {first['breakdown']}" if first["breakdown"] else ""
        raise CalibrationError(f"targets: {first['measure']}{where} {first['year']} appears more than once")
    if (table["value"] < 0).any():
        first = table[table["value"] < 0].iloc[0]
        raise CalibrationError(f"targets: {first['measure']} {first['year']} is negative ({first['value']})")
    return table


def estimate_rates(targets: pd.DataFrame, pipeline_weeks: float = 15.0, withdrawal: float = 0.0) -> pd.DataFrame:
    """Per calendar year: ``refusal_probability``, ``not_issued_probability``, ``assessments``,
    ``assessment_capacity``, ``decisions_to_assess``, ``backlog_january``, ``work_in_hand``,
    ``capacity_response`` (NaN where not estimable: see the module notes for the rules;
    ``pipeline_weeks``: decision plus assessment weeks of a service keeping up;
    ``withdrawal``: the share of decisions to assess withdrawn before an outcome,
    :attr:`simulation.parameters.Assessment.withdrawal_probability`: the decisions to assess,
    and so the backlog's flow balance and the work in hand, are net of it; 0: every decision
    to assess stays in hand until completed, the rule before it)."""
    table = _target_table(targets)
    table = table[table["breakdown"] == ""].pivot(index="year", columns="measure", values="value")
    for measure in ("requests", "requests_refused", "new_plans", "assessed_not_issued", "issued_within_20wk_pct"):
        if measure not in table:
            table[measure] = np.nan
    out = pd.DataFrame(index=table.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["refusal_probability"] = np.where(
            table["requests"] > 0, table["requests_refused"] / table["requests"], np.nan
        )
        assessed = table["new_plans"] + table["assessed_not_issued"]
        out["not_issued_probability"] = np.where(assessed > 0, table["assessed_not_issued"] / assessed, np.nan)
    out["assessments"] = assessed
    keeping_up = ~(table["issued_within_20wk_pct"] < TIMELY_PCT)  # NaN (not published) counts as keeping up
    decided = table["requests"] - table["requests_refused"]
    if withdrawal > 0:
        decided = decided * (1.0 - withdrawal)
    demand = decided.fillna(0.0)
    capacity = np.where(keeping_up, np.maximum(assessed, demand) / TIMELY_UTILISATION, assessed)
    # a year with no assessment completed shows nothing of what the service could complete
    # (an LA of a few children a year: Isles of Scilly 2019, no request): no estimate
    out["assessment_capacity"] = np.where(assessed > 0, capacity, np.nan)
    out["decisions_to_assess"] = decided
    years = table.index.to_numpy()
    every_year = np.arange(years.min(), years.max() + 1) if len(years) else years
    balance = backlog_januaries(
        decided.reindex(every_year).to_numpy(float), assessed.reindex(every_year).to_numpy(float), pipeline_weeks
    )[:-1]
    backlog = pd.Series(balance, index=every_year).reindex(years).to_numpy()
    out["backlog_january"] = backlog
    before = decided.reindex(table.index - 1).to_numpy()
    out["work_in_hand"] = backlog + before
    with np.errstate(invalid="ignore", divide="ignore"):
        # (no assessment completed: no estimate, as for the capacity; a response of 0 would
        # stop the service in a replication that drew it: Isles of Scilly 2019)
        out["capacity_response"] = np.where(
            (out["work_in_hand"] > 0) & (assessed > 0), assessed / out["work_in_hand"], np.nan
        )
    for column in ("refusal_probability", "not_issued_probability"):
        bad = out[column].dropna()
        bad = bad[(bad < 0) | (bad > 1)]
        if not bad.empty:
            raise CalibrationError(
                f"targets: {column} for {bad.index[0]} is {bad.iloc[0]:.3f}, outside [0, 1] "
                "(refusals or no-plan assessments exceed their denominator)"
            )
    out = out.dropna(how="all")
    out.index.name = "year"
    return out.reset_index()


def _series(stocks: dict, flows: dict, measure: str, breakdown: str) -> np.ndarray | None:
    """The cohort model's yearly values for a target row; ``age=a-b`` sums single ages."""
    if breakdown.startswith("age=") and "-" in breakdown:
        if (measure, "age=0") not in flows:
            return None
        low, high = (int(v) for v in breakdown.removeprefix("age=").split("-"))
        return sum(flows[(measure, f"age={age}")] for age in range(low, high + 1))
    return stocks.get((measure, breakdown), flows.get((measure, breakdown)))


def _wanted(rows: list[tuple[str, str, int]]) -> frozenset:
    """The ``(measure, breakdown)`` keys of the cohort engine's results that :func:`_series`
    reads for ``rows`` (ages summed over single ages) and the recording rule needs (FE and other)."""
    out = {("ehcp_fe", ""), ("ehcp_other", "")}
    for measure, breakdown, _ in rows:
        out.add((measure, breakdown))
        if breakdown.startswith("age=") and "-" in breakdown:
            low, high = (int(v) for v in breakdown.removeprefix("age=").split("-"))
            out.update((measure, f"age={age}") for age in [0, *range(low, high + 1)])
    return frozenset(out)


def _reading_plan(
    rows: list[tuple[str, str, int]], first: int
) -> list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray | None]]:
    """How to read ``rows`` (measure, breakdown, year) from a cohort run's results, one entry
    per series: ``(measure, breakdown, row positions, years after first, recording)``;
    ``recording``: which of them :func:`as_recorded` moves by the recording shift (FE and
    other with no breakdown, before :data:`RECORDING_BREAK_YEAR`), ``None`` for no row."""
    positions: dict[tuple[str, str], list[int]] = {}
    for i, (measure, breakdown, _) in enumerate(rows):
        positions.setdefault((measure, breakdown), []).append(i)
    plan = []
    for (measure, breakdown), at in positions.items():
        years = np.array([rows[i][2] for i in at], dtype=int)
        recording = None
        if breakdown == "" and measure in RECORDING_MEASURES:
            recording = years < RECORDING_BREAK_YEAR
        plan.append((measure, breakdown, np.array(at, dtype=int), years - first, recording))
    return plan


def _schedule(frame: pd.DataFrame, column: str) -> tuple[tuple[int, float], ...] | None:
    values = frame[["year", column]].dropna()
    if values.empty:
        return None
    return tuple((int(y), float(v)) for y, v in zip(values["year"], values[column]))


def _scale_column(rows: np.ndarray, column: int, factor: float, locked: np.ndarray | None = None) -> np.ndarray:
    """Multiply one column's share by ``factor`` (capped at 0.98) and rescale the others
    (except the ``locked`` mask, e.g. staying put) so rows still sum to one."""
    rows = rows.copy()
    old = rows[..., column].copy()
    new = np.minimum(old * factor, 0.98)
    rest = 1.0 - old
    ratio = np.divide(1.0 - new, rest, out=np.ones_like(rest), where=rest > 0)
    rows *= ratio[..., None]
    rows[..., column] = new
    return rows / rows.sum(axis=-1, keepdims=True)


RECORDING_SHIFT = "fe_other_recording_shift"


def free_parameter_names(
    request_years: list[int],
    recording_shift: bool = False,
    identification_years: list[int] | None = None,
    mid_phase_moves: bool = False,
) -> list[str]:
    """Names of the free parameters, in the order of ``theta`` (see :func:`apply_free_parameters`);
    ``recording_shift``: with the FE / other recording share (:data:`RECORDING_BREAK_YEAR`);
    ``identification_years``: identification at SEN support by a multiplier for each of these
    calendar years (``identification_multiplier_<year>``, rule ``"yearly"`` of
    :data:`IDENTIFICATION_RULES`) instead of a level and a trend (``None`` or empty)."""
    identification = (
        [f"identification_multiplier_{y}" for y in identification_years]
        if identification_years
        else ["identification_scale", "identification_trend"]
    )
    return (
        [f"request_multiplier_{y}" for y in request_years]
        + [f"ceasing_{name}_scale" for name, _, _ in CEASING_SCALES]
        + ["moves_in_scale", "open_requests_scale"]
        + identification
        + [f"requests_{name}_scale" for name, _ in REQUEST_AGE_SCALES]
        + [f"{name}_share_scale" for name, _, _ in SHARE_PARAMETERS]
        + ["fe_to_other_post19_share_scale"]
        + ([RECORDING_SHIFT] if recording_shift else [])
        + ([MID_PHASE_MOVES_SCALE] if mid_phase_moves else [])
    )


#: Free parameter: the log of a multiplier on the mid-phase moves the parameters start with
#: (fitted on one cohort-year of the joint age x placement table, :mod:`simulation.mid_phase_moves`),
#: fitted with the placement shares to the placements of every January of the window: one
#: cohort-year's rate applied over the whole window must also fit the years before it.
MID_PHASE_MOVES_SCALE = "mid_phase_moves_scale"
#: Bounds on :data:`MID_PHASE_MOVES_SCALE` (log): from 1/50 of the cohort-year's rate (no
#: moves, in effect) to 1.5 times it.
MID_PHASE_MOVES_BOUNDS = (float(np.log(0.02)), float(np.log(1.5)))
#: Free parameters that are not the log of a multiplier: their value is used as it is.
LINEAR_PARAMETERS = ("identification_trend", RECORDING_SHIFT)


def _without_moves(placement: Placement) -> Placement:
    return replace(placement, mid_phase_moves=None)


def scaled_moves(moves: np.ndarray, scale: float) -> np.ndarray:
    """The mid-phase moves (:attr:`simulation.parameters.Placement.mid_phase_moves`) times
    ``scale``, each phase's total kept at most 1."""
    out = np.asarray(moves, dtype=float) * scale
    total = out.sum(axis=1, keepdims=True)
    return np.where(total > 1.0, out / np.maximum(total, 1e-300), out)


def shift_fe_other(joint: np.ndarray, share: float) -> np.ndarray:
    """Starting plans by (age, placement) as the person-level collection records them, from
    a January before :data:`RECORDING_BREAK_YEAR`: ``share`` of FE + other (all ages) moved
    from other aged 16 and over into FE, by age as other is (``share`` < 0: from FE to
    other, by age as FE is). Raises if there are not enough children to move."""
    out = np.asarray(joint, dtype=float).copy()
    moved = share * (out[:, FE].sum() + out[:, OTHER].sum())
    source, target = (OTHER, FE) if moved >= 0 else (FE, OTHER)
    pool = out[:, source] * (np.arange(AGES) >= PHASE_START_AGES[3])
    if abs(moved) > pool.sum() + 1e-9:
        raise CalibrationError(
            f"{RECORDING_SHIFT} {share:.3f}: {abs(moved):.0f} children to move but only "
            f"{pool.sum():.0f} aged 16+ in the group they come from"
        )
    if pool.sum() > 0:
        part = pool / pool.sum() * abs(moved)
        out[:, source] -= part
        out[:, target] += part
    return out


def recording_shift_bounds(joint: np.ndarray) -> tuple[float, float]:
    """Range of :data:`RECORDING_SHIFT` that :func:`shift_fe_other` can apply to ``joint``
    (90% of the children aged 16+ in FE one way, in other the other way)."""
    joint = np.asarray(joint, dtype=float)
    both = joint[:, FE].sum() + joint[:, OTHER].sum()
    if both <= 0:
        return 0.0, 0.0
    older = np.arange(AGES) >= PHASE_START_AGES[3]
    return -0.9 * joint[older, FE].sum() / both, 0.9 * joint[older, OTHER].sum() / both


def as_recorded(measure: str, year: int, value: float, fe_plus_other: float, shift: float) -> float:
    """A model count as SEN2 recorded it in January ``year`` (see :data:`RECORDING_BREAK_YEAR`):
    FE and other before the break move by ``shift`` x the model's FE + other; anything else,
    or a year from the break on, is as the model counts it."""
    if measure not in RECORDING_MEASURES or year >= RECORDING_BREAK_YEAR or not shift:
        return value
    moved = shift * fe_plus_other
    return value - moved if measure == "ehcp_fe" else value + moved


def scale_phase_shares(placement: Placement, column: int, phases: tuple[int, ...], factor: float) -> Placement:
    """The placement mix with the share going to ``column`` scaled by ``factor`` for new
    plans in each of ``phases`` and for moves at the transfer into it (other destinations
    rescaled in proportion, rows still summing to 1; a child already in ``column`` stays)."""
    new_shares = np.array(placement.new_plan_shares)
    transfer = np.array(placement.transfer)
    _scale_phases(new_shares, transfer, column, phases, factor)
    return _placement(new_shares, transfer, placement.mid_phase_moves)


def _scale_phases(
    new_shares: np.ndarray, transfer: np.ndarray, column: int, phases: tuple[int, ...], factor: float
) -> None:
    """:func:`scale_phase_shares` on the arrays, in place: every row the phases touch (new
    plans' shares, and moves at the transfer into each phase from every placement) scaled
    in one call, row by row as one at a time would (a fit calls this thousands of times)."""
    entered = list(phases)
    moved = [phase - 1 for phase in entered if phase >= 1]
    n_groups = new_shares.shape[-1]
    rows = _scale_column(np.concatenate([new_shares[entered], transfer[moved].reshape(-1, n_groups)]), column, factor)
    new_shares[entered] = rows[: len(entered)]
    transfer[moved] = rows[len(entered) :].reshape(len(moved), n_groups, n_groups)


def _placement(new_shares: np.ndarray, transfer: np.ndarray, moves: np.ndarray | None) -> Placement:
    """The placement mix from the arrays (no state special placement after 19, rows summing
    to 1), with the mid-phase ``moves`` kept as they are."""
    new_shares[4, STATE_SPECIAL] = 0.0
    transfer[3, :, STATE_SPECIAL] = 0.0
    new_shares /= new_shares.sum(axis=1, keepdims=True)
    transfer /= transfer.sum(axis=-1, keepdims=True)
    return Placement(new_plan_shares=new_shares, transfer=transfer, mid_phase_moves=moves)


def fe_to_other_at_19(placement: Placement, share: float) -> Placement:
    """The placement mix with a share ``share`` (capped at 0.95) of young people in FE at
    19 moving to ``other`` (NEET, educated elsewhere) and the rest staying in FE."""
    transfer = np.array(placement.transfer)
    _fe_to_other(transfer, share)
    return Placement(
        new_plan_shares=placement.new_plan_shares, transfer=transfer, mid_phase_moves=placement.mid_phase_moves
    )


def _fe_to_other(transfer: np.ndarray, share: float) -> None:
    share = min(share, 0.95)
    transfer[3, FE] = 0.0
    transfer[3, FE, FE], transfer[3, FE, OTHER] = 1.0 - share, share


#: Free parameters that only change the placement mix (:func:`apply_free_parameters`).
PLACEMENT_PARAMETERS = tuple(f"{name}_share_scale" for name, _, _ in SHARE_PARAMETERS) + (
    "fe_to_other_post19_share_scale",
    MID_PHASE_MOVES_SCALE,
)


def apply_free_parameters(
    base: Parameters,
    theta: np.ndarray,
    request_years: list[int],
    names: list[str] | None = None,
    memo: dict | None = None,
) -> Parameters:
    """Parameters with the free parameters ``theta`` applied (order: ``names``, by default
    :func:`free_parameter_names` of ``request_years``).

    Every entry is the log of a multiplier except those in :data:`LINEAR_PARAMETERS`:
    ``identification_trend``, the yearly change of log identification (identification in
    calendar year ``y`` is multiplied by ``identification_scale * exp(identification_trend
    * (y - start_year))``; with ``identification_multiplier_<year>`` names instead,
    identification in calendar year ``y`` is multiplied by that year's multiplier, the
    first year's before it and the last year's after it), and :data:`RECORDING_SHIFT`, which converts the starting
    caseload (:func:`shift_fe_other`) and is otherwise applied to the model's counts when
    they are compared with SEN2 before 2023 (:func:`as_recorded`), not to any rate.

    ``memo``: a dict kept by a caller that applies many ``theta`` to the same ``base``,
    ``request_years`` and ``names`` (a fit): the placement mix and each section of the
    rest (:data:`_RATE_SECTIONS`) are reused when their own parameters have exactly the
    values of the last call (a fit moves one set at a time: :func:`calibrate`'s stages,
    and a finite difference one parameter), the same numbers as made anew.
    """
    names = free_parameter_names(request_years) if names is None else names
    if len(names) != len(theta):
        raise CalibrationError(f"{len(theta)} free parameter values for {len(names)} names")
    raw_values = [float(v) for v in theta]
    raw = dict(zip(names, raw_values))
    if memo is None:
        return _apply(base, raw, request_years, names)
    # where each part's parameters are in theta, worked out once for the names
    layout = memo.get("layout")
    if layout is None or layout[0] != names:
        layout = memo["layout"] = (
            list(names),
            [i for i, name in enumerate(names) if name in PLACEMENT_PARAMETERS],
            [i for i, name in enumerate(names) if name not in PLACEMENT_PARAMETERS],
            [[i for i, name in enumerate(names) if uses(name)] for _, uses, _ in _RATE_SECTIONS],
        )
    _, placement_at, rates_at, sections_at = layout
    placement_key = tuple([raw_values[i] for i in placement_at])
    rates_key = tuple([raw_values[i] for i in rates_at])
    value: dict[str, float] | None = None
    last = memo.get("placement")
    if last is not None and last[0] == placement_key:
        placement = last[1]
    else:
        value = _values(raw, memo.setdefault("exp", {}))
        placement = _placement_from(base, value, memo.setdefault("phase_rows", {}))
        memo["placement"] = (placement_key, placement)
    last = memo.get("rates")
    if last is not None and last[0] == rates_key:
        rates = last[1]
    else:
        value = _values(raw, memo.setdefault("exp", {})) if value is None else value
        rates = {}
        for (section, _, build), at in zip(_RATE_SECTIONS, sections_at):
            section_key = tuple([raw_values[i] for i in at])
            last = memo.get(section)
            if last is None or last[0] != section_key:
                last = memo[section] = (section_key, build(base, value, request_years, names))
            rates[section] = last[1]
        memo["rates"] = (rates_key, rates)
    return replace(base, placement=placement, **rates)


#: Multipliers a memo of :func:`_values` holds before it is emptied.
_EXP_KEPT = 4096


def _values(raw: dict[str, float], exp: dict[float, float] | None = None) -> dict[str, float]:
    """Free parameter values as applied: the multiplier (exp) or, for :data:`LINEAR_PARAMETERS`,
    as they are. ``exp``: a memo of multipliers by value kept by a caller (a fit applies the
    same values thousands of times): the same numbers as made anew."""
    if exp is None:
        return {name: (v if name in LINEAR_PARAMETERS else float(np.exp(v))) for name, v in raw.items()}
    if len(exp) > _EXP_KEPT:
        exp.clear()
    out = {}
    for name, v in raw.items():
        if name in LINEAR_PARAMETERS:
            out[name] = v
        else:
            multiplier = exp.get(v)
            if multiplier is None:
                multiplier = exp[v] = float(np.exp(v))
            out[name] = multiplier
    return out


def _apply(base: Parameters, raw: dict[str, float], request_years: list[int], names: list[str]) -> Parameters:
    value = _values(raw)
    return replace(base, placement=_placement_from(base, value), **_rates_from(base, value, request_years, names))


#: The share scales of each phase (:data:`SHARE_PARAMETERS` touching it, in their order):
#: (free parameter name, placement column).
_PHASE_SHARE_SCALES = tuple(
    tuple((f"{name}_share_scale", column) for name, column, phases in SHARE_PARAMETERS if phase in phases)
    for phase in range(len(PHASES))
)
#: Entries a memo of :func:`_placement_from` holds before it is emptied (each phase's rows
#: after its first scales, its first two, ...).
_PHASE_ROWS_KEPT = 2048


def _placement_from(base: Parameters, value: dict[str, float], phase_rows: dict | None = None) -> Placement:
    """The placement mix of :func:`apply_free_parameters`.

    The share scales act row by row, and the rows of a phase (its new plans' shares and
    the moves at the transfer into it) only meet the scales of that phase, in the order of
    :data:`SHARE_PARAMETERS`: so each phase's rows are scaled on their own.
    ``phase_rows``: a memo of each phase's scaled rows by the scales' values, kept by a
    caller that scales the same base many times (a fit's finite differences move one
    scale at a time, and a scale touches one or two phases): the same numbers as made anew."""
    new_shares, transfer = np.array(base.placement.new_plan_shares), np.array(base.placement.transfer)
    if phase_rows is not None and len(phase_rows) > _PHASE_ROWS_KEPT:
        phase_rows.clear()
    for phase, scales in enumerate(_PHASE_SHARE_SCALES):
        factors = tuple([(column, value[name]) for name, column in scales])
        rows = None if phase_rows is None else phase_rows.get((phase, factors))
        if rows is None:
            done = 0  # the scales already applied: the longest chain of them kept (one scale moves at a time)
            if phase_rows is not None:
                for done in range(len(factors) - 1, -1, -1):
                    rows = phase_rows.get((phase, factors[:done])) if done else None
                    if rows is not None:
                        break
            if rows is None:
                rows = new_shares[[phase]] if phase == 0 else np.concatenate([new_shares[[phase]], transfer[phase - 1]])
            for i in range(done, len(factors)):
                rows = _scale_column(rows, *factors[i])
                if phase_rows is not None:
                    phase_rows[(phase, factors[: i + 1])] = rows
        new_shares[phase] = rows[0]
        if phase >= 1:
            transfer[phase - 1] = rows[1:]
    _fe_to_other(transfer, FE_TO_OTHER_POST19 * value["fe_to_other_post19_share_scale"])
    moves = base.placement.mid_phase_moves
    if MID_PHASE_MOVES_SCALE in value and moves is not None:
        moves = scaled_moves(moves, value[MID_PHASE_MOVES_SCALE])
    return _placement(new_shares, transfer, moves)


def _rates_from(
    base: Parameters, value: dict[str, float], request_years: list[int], names: list[str]
) -> dict[str, Any]:
    """Everything :func:`apply_free_parameters` changes but the placement mix: ceasing,
    arrivals, SEN support and the caseload, as keyword arguments of ``replace``."""
    return {section: build(base, value, request_years, names) for section, _, build in _RATE_SECTIONS}


def _ceasing_from(base: Parameters, value: dict[str, float], request_years: list[int], names: list[str]) -> Ceasing:
    """The ceasing hazards times their scales (:data:`CEASING_SCALES`)."""
    c = base.ceasing
    hazards: dict[str, Any] = {
        field: np.array(getattr(c, field), dtype=float)
        for field in ("needs_met_rate_by_age", "moved_away_rate_by_age", "left_education_rate_by_age")
    }
    for name, field, (low, high) in CEASING_SCALES:
        hazards[field][low : high + 1] *= value[f"ceasing_{name}_scale"]
    return replace(c, **hazards)


def _request_age_profile(value: dict[str, float]) -> np.ndarray:
    """The multiplier on requests at each single year of age (:data:`REQUEST_AGE_SCALES`)."""
    by_age = np.ones(AGES)
    for name, (low, high) in REQUEST_AGE_SCALES:
        by_age[low : high + 1] = value[f"requests_{name}_scale"]
    return by_age


def _arrivals_from(base: Parameters, value: dict[str, float], request_years: list[int], names: list[str]) -> Arrivals:
    """Arrivals: moves in scaled, direct requests by the request age profile, and
    identification at SEN support by the rule the names carry (level and trend, or yearly)."""
    by_age = _request_age_profile(value)
    years = np.arange(base.start_year, base.start_year + base.horizon)
    level = schedule_values(base.arrivals.sen_support_multiplier, base.start_year, base.horizon)
    yearly = {
        int(name.removeprefix("identification_multiplier_")): value[name]
        for name in names
        if name.startswith("identification_multiplier_")
    }
    if yearly:  # a multiplier per calendar year, the first before the first and the last after the last
        by_year = schedule_values(tuple(sorted(yearly.items())), base.start_year, base.horizon)
        multiplier = {int(y): float(v * m) for y, v, m in zip(years, level, by_year)}
        scale = 1.0
    else:
        trend = value["identification_trend"]
        multiplier = {int(y): float(v * np.exp(trend * k)) for k, (y, v) in enumerate(zip(years, level))}
        scale = value["identification_scale"]
    return replace(
        base.arrivals,
        move_in_rate_by_age=base.arrivals.move_in_rate_by_age * value["moves_in_scale"],
        sen_support_rate_by_age=base.arrivals.sen_support_rate_by_age * scale,
        direct_request_rate_by_age=base.arrivals.direct_request_rate_by_age * by_age,
        sen_support_multiplier=multiplier,
    )


def _sen_support_from(
    base: Parameters, value: dict[str, float], request_years: list[int], names: list[str]
) -> SenSupport:
    """SEN support: the yearly request multipliers and the request age profile."""
    request = {year: value[f"request_multiplier_{year}"] for year in request_years}
    return replace(
        base.sen_support,
        request_multiplier=request or 1.0,
        request_rate_by_age=base.sen_support.request_rate_by_age * _request_age_profile(value),
    )


def _caseload_from(base: Parameters, value: dict[str, float], request_years: list[int], names: list[str]) -> Caseload:
    """The starting caseload: open requests scaled, and (a start before the recording
    break) plans by placement converted by the recording shift."""
    caseload = replace(
        base.caseload, in_assessment_by_age=base.caseload.in_assessment_by_age * value["open_requests_scale"]
    )
    shift = value.get(RECORDING_SHIFT, 0.0)
    if shift and base.start_year < RECORDING_BREAK_YEAR:
        joint = shift_fe_other(age_placement_counts(base.caseload), shift)
        caseload = replace(caseload, ehcp_by_placement=joint.sum(axis=0), age_placement_shape=joint)
    return caseload


#: The sections of the parameters :func:`_rates_from` makes: name, which free parameters
#: it depends on (by name), and its builder.
_RATE_SECTIONS: tuple[tuple[str, Callable[[str], bool], Callable[..., Any]], ...] = (
    ("ceasing", lambda name: name.startswith("ceasing_"), _ceasing_from),
    (
        "arrivals",
        lambda name: name == "moves_in_scale" or name.startswith(("requests_", "identification_")),
        _arrivals_from,
    ),
    ("sen_support", lambda name: name.startswith(("request_multiplier_", "requests_")), _sen_support_from),
    ("caseload", lambda name: name in ("open_requests_scale", RECORDING_SHIFT), _caseload_from),
)


def weak_priors(names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The free parameters held toward 1 (0 in logs) by a weak prior, in the order of their
    residuals: their positions in ``names``, the weight of each one's residual
    (``weight x log(scale)``) and whether it is fitted with the placements (else with the
    flows). The ceasing scales (:data:`CEASING_PRIOR_WEIGHT`), then every placement share
    scale (``*_share_scale``, :data:`SHARE_PRIOR_WEIGHT`), then, where
    :data:`REQUEST_AGE_PRIOR_WEIGHT` is above 0, the request age scales."""
    held = [(names.index(f"ceasing_{name}_scale"), CEASING_PRIOR_WEIGHT, False) for name, _, _ in CEASING_SCALES]
    held += [(at, SHARE_PRIOR_WEIGHT, True) for at, name in enumerate(names) if name.endswith("_share_scale")]
    if REQUEST_AGE_PRIOR_WEIGHT > 0:
        held += [
            (names.index(f"requests_{name}_scale"), REQUEST_AGE_PRIOR_WEIGHT, False)
            for name, _ in REQUEST_AGE_SCALES
            if f"requests_{name}_scale" in names
        ]
    return (
        np.array([at for at, _, _ in held], dtype=int),
        np.array([weight for _, weight, _ in held]),
        np.array([placement for _, _, placement in held], dtype=bool),
    )


def open_requests(base: Parameters, count: float) -> np.ndarray:
    """``count`` open requests at the start spread over ages like new requests: SEN support
    by age times the request rate by age (rounded to whole children)."""
    weight = base.caseload.sen_support_by_age * base.sen_support.request_rate_by_age
    weight = weight + base.arrivals.direct_request_rate_by_age * base.population.by_age[0]
    if weight.sum() <= 0:
        return np.zeros_like(weight)
    return np.round(weight / weight.sum() * count)


def calibrate(
    base: Parameters,
    targets: pd.DataFrame,
    *,
    capacity_from_assessments: bool = True,
    steps_per_year: int = 6,
    report_steps_per_year: int = 12,
    max_evaluations: int = 400,
    identification: str | None = None,
) -> CalibrationResult:
    """Fit ``base`` to ``targets`` (see the module notes); returns parameters and a fit report.

    ``base`` supplies the starting caseload (January of ``base.start_year``), population,
    and the shapes of every rate. If its caseload has no open requests, the assessments
    under way at the start are estimated as the first year's completed assessments times
    (decision + assessment weeks) / 52 (the pipeline of a service keeping up), spread by
    :func:`open_requests`; its horizon must cover the target years. With
    ``capacity_from_assessments`` the assessment capacity of each year is the estimated
    ``assessment_capacity`` (see the module notes), and the cohort model serves the queue
    within it (fluid approximation). ``identification``: how identification at SEN support
    is fitted, one of :data:`IDENTIFICATION_RULES` (default :data:`IDENTIFICATION`).
    """
    identification = IDENTIFICATION if identification is None else identification
    if identification not in IDENTIFICATION_RULES:
        raise CalibrationError(
            f"identification rule {identification!r}: expected one of {', '.join(IDENTIFICATION_RULES)}"
        )
    table = _target_table(targets)
    first, last = base.start_year, base.start_year + base.horizon
    table = table[(table["year"] >= first) & (table["year"] <= last)]
    if table.empty:
        raise CalibrationError(f"targets: nothing between {first} and {last}, the years of the run")
    if not table[table["measure"] == "ehcp_total"]["year"].eq(first).any():
        raise CalibrationError(f"targets: no ehcp_total for January {first}, the start of the run")
    estimates = estimate_rates(targets, withdrawal=base.assessment.withdrawal_probability)
    assessment = base.assessment
    refusal = _schedule(estimates, "refusal_probability")
    not_issued = _schedule(estimates, "not_issued_probability")
    assessment = replace(
        assessment,
        refusal_probability=refusal or assessment.refusal_probability,
        not_issued_probability=not_issued or assessment.not_issued_probability,
    )
    if capacity_from_assessments:
        capacity = _schedule(estimates, "assessment_capacity")
        if capacity is not None:
            assessment = replace(assessment, capacity_per_year=capacity)
    start = replace(base, assessment=assessment)
    if not np.any(base.caseload.in_assessment_by_age > 0):
        first_year = estimates[estimates["year"] == first]
        if not first_year.empty and np.isfinite(first_year["assessments"].iloc[0]):
            weeks = base.assessment.decision_weeks_mean + base.assessment.assessment_weeks_mean
            start = replace(
                start,
                caseload=replace(
                    base.caseload,
                    in_assessment_by_age=open_requests(base, float(first_year["assessments"].iloc[0]) * weeks / 52.0),
                ),
            )
    request_years = sorted(table[table["measure"] == "requests"]["year"].unique().tolist()) or [first]
    fit = table[table["measure"].isin(WEIGHTS)]
    fit = fit[~((fit["measure"].isin(STOCK_TARGETS)) & (fit["year"] == first))]  # the start is given
    keys = list(zip(fit["measure"], fit["breakdown"], fit["year"]))
    actual = fit["value"].to_numpy(dtype=float)
    by_phase = (fit["breakdown"] != "").to_numpy()
    weights = np.array([(BREAKDOWN_WEIGHTS.get(m, WEIGHTS[m]) * PHASE_WEIGHT) if b else WEIGHTS[m] for m, b, _ in keys])
    if LATEST_PLACEMENT_WEIGHT != 1.0:
        placement_years = [y for m, _, y in keys if m in PLACEMENT_TARGETS]
        if placement_years:
            latest = [m in PLACEMENT_TARGETS and y == max(placement_years) for m, _, y in keys]
            weights[latest] = weights[latest] * LATEST_PLACEMENT_WEIGHT
    if identification == "yearly":  # SEN support's history is to be followed, not traded against the rest
        weights[[m == "sen_support" and b == "" for m, b, _ in keys]] = YEARLY_SEN_SUPPORT_WEIGHT
    comparable = np.array([not (m == "plans_ceased" and y < CEASED_COMPARABLE_FROM) for m, _, y in keys], dtype=bool)
    usable = np.where(by_phase, actual >= MIN_PHASE_COUNT, actual > 0) & comparable
    # small breakdown rows of a pooled measure: one residual on their total over the years
    small = by_phase & ~usable & comparable & np.isin(fit["measure"].to_numpy(), POOLED_MEASURES)
    pools = [
        mask
        for mask in (
            small & (fit["measure"].to_numpy() == m) & (fit["breakdown"].to_numpy() == b)
            for m, b in sorted({(m, b) for (m, b, _), s in zip(keys, small) if s})
        )
        if actual[mask].sum() >= MIN_PHASE_COUNT
    ]
    pool_weights = np.array([weights[mask][0] for mask in pools])
    use_shift = bool(
        first < RECORDING_BREAK_YEAR
        and all(
            any(m == measure and b == "" and y > first and (y >= RECORDING_BREAK_YEAR) == after for m, b, y in keys)
            for measure in RECORDING_MEASURES
            for after in (False, True)
        )
    )

    # identification in calendar year y shows in the SEN support count of January y + 1
    identification_years = (
        sorted({int(y) - 1 for m, b, y in keys if m == "sen_support" and b == ""})
        if identification == "yearly"
        else None
    )
    joint = age_placement_counts(start.caseload)
    names = free_parameter_names(
        request_years,
        recording_shift=use_shift,
        identification_years=identification_years,
        mid_phase_moves=base.placement.moves,
    )
    shift_at = names.index(RECORDING_SHIFT) if use_shift else None
    # the fit's last placement mix and rates (apply_free_parameters), one memo for each base
    # the fit runs on (the start, and the start without mid-phase moves for the flows)
    memos: dict[int, dict] = {}
    # the flows are fitted without the mid-phase moves (kept for the fit: its id keys a memo)
    flows_base = replace(start, placement=_without_moves(start.placement)) if start.placement.moves else start

    def prepared(theta: np.ndarray, base: Parameters) -> tuple[Parameters, np.ndarray, float]:
        """The parameters of ``theta`` on ``base``, the starting plans by age and placement
        and the recording shift."""
        shift = 0.0
        rates = theta
        if shift_at is not None:
            shift = float(theta[shift_at])
            rates = theta.copy()
            rates[shift_at] = 0.0  # the start is converted here, once, without rounding
        params = apply_free_parameters(base, rates, request_years, names, memos.setdefault(id(base), {}))
        start_joint = shift_fe_other(joint, shift) if shift else joint
        return params, start_joint, shift

    plans: dict[int, tuple[list, list]] = {}  # reading plans (_reading_plan) by the id of their rows
    wanted = _wanted(keys)

    def read(stocks: dict, flows: dict, rows: list[tuple[str, str, int]], shift: float, recorded: bool) -> np.ndarray:
        """Model values of ``rows`` from a run's results; ``recorded``: FE and other as SEN2
        recorded them each year (:func:`as_recorded`, on every row it applies to at once)."""
        entry = plans.get(id(rows))
        if entry is None or entry[0] is not rows:
            entry = plans[id(rows)] = (rows, _reading_plan(rows, first))
        out = np.full(len(rows), np.nan)
        both = None
        for measure, breakdown, at, offsets, recording in entry[1]:
            series = _series(stocks, flows, measure, breakdown)
            if series is None:
                continue
            inside = (offsets >= 0) & (offsets < len(series))
            out[at[inside]] = series[offsets[inside]]
            if recorded and shift and recording is not None:
                before = inside & recording
                if before.any():
                    if both is None:
                        both = stocks[("ehcp_fe", "")] + stocks[("ehcp_other", "")]
                    moved = shift * both[offsets[before]]
                    rows_at = at[before]
                    out[rows_at] = out[rows_at] - moved if measure == "ehcp_fe" else out[rows_at] + moved
        return out

    def simulated(
        theta: np.ndarray,
        rows: list[tuple[str, str, int]] = keys,
        steps: int = steps_per_year,
        new_plans: np.ndarray | None = None,
        recorded: bool = True,
        base: Parameters = start,
    ) -> np.ndarray:
        """Model values of ``rows``; ``recorded``: FE and other as SEN2 recorded them each year."""
        params, start_joint, shift = prepared(theta, base)
        if rows is keys and steps == steps_per_year:  # a step of the fit: only its rows assembled
            return simulated_together([theta], new_plans, base, [(params, start_joint, shift)])[0]
        if new_plans is None:
            stocks, flows = expected_arrays(params, steps, start_by_age_placement=start_joint)
        else:  # only the placement mix changes: replay the new plans, do not run requests again
            stocks, flows = placements_given_new_plans(params, new_plans, steps, start_by_age_placement=start_joint), {}
        return read(stocks, flows, rows, shift, recorded)

    def simulated_together(
        thetas: list[np.ndarray], new_plans: np.ndarray | None, base: Parameters, made: list | None = None
    ) -> list[np.ndarray]:
        """:func:`simulated` of each of ``thetas`` (the fit's rows and steps), the cohort
        engine's runs stepped together (:mod:`simulation.cohort_batch`: the same numbers),
        with only the fit's rows assembled; ``made``: :func:`prepared` of each, if known."""
        made = [prepared(theta, base) for theta in thetas] if made is None else made
        params, joints = [m[0] for m in made], [m[1] for m in made]
        if new_plans is None:
            results = expected_arrays_batch(params, steps_per_year, start_by_age_placement=joints, wanted=wanted)
        else:
            results = [
                (stocks, {})
                for stocks in placements_given_new_plans_batch(
                    params, new_plans, steps_per_year, start_by_age_placement=joints, wanted=wanted
                )
            ]
        return [read(stocks, flows, keys, shift, True) for (stocks, flows), (_, _, shift) in zip(results, made)]

    def residuals_of(theta: np.ndarray, model: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(usable, np.log(np.maximum(model, 1e-9) / np.where(usable, actual, 1.0)) * weights, 0.0)
            pooled = [np.log(max(np.nansum(model[mask]), 1e-9) / actual[mask].sum()) for mask in pools]
        return np.concatenate([r, np.array(pooled) * pool_weights, prior_weights * theta[prior_at]])

    def residuals(theta: np.ndarray, new_plans: np.ndarray | None = None, base: Parameters = start) -> np.ndarray:
        return residuals_of(theta, simulated(theta, new_plans=new_plans, base=base))

    prior_at, prior_weights, prior_placement = weak_priors(names)
    theta = np.zeros(len(names))
    lower, upper = np.full(len(names), -3.0), np.full(len(names), 3.0)
    if "identification_trend" in names:
        trend = names.index("identification_trend")
        lower[trend], upper[trend] = -0.3, 0.3  # at most about 35% a year either way
    pipeline = names.index("open_requests_scale")
    lower[pipeline], upper[pipeline] = np.log(0.5), np.log(1.5)  # an estimate to refine, not to replace
    if shift_at is not None:
        lower[shift_at], upper[shift_at] = recording_shift_bounds(joint)
    if MID_PHASE_MOVES_SCALE in names:
        at = names.index(MID_PHASE_MOVES_SCALE)
        lower[at], upper[at] = MID_PHASE_MOVES_BOUNDS
    # Two stages: placement shares move no flow, no total and no SEN support count, so the
    # flow parameters are fitted to those first and the shares to the placements after.
    is_share = np.array(
        [name.endswith("_share_scale") or name in (RECORDING_SHIFT, MID_PHASE_MOVES_SCALE) for name in names]
    )
    is_placement = np.array(
        [measure in PLACEMENT_TARGETS for measure, _, _ in keys] + [False] * len(pools) + list(prior_placement)
    )
    stages = [("flows", ~is_share, ~is_placement), ("placements", is_share, is_placement)]
    messages, success, evaluations = [], True, 0
    for stage, free, rows in stages:
        # a parameter whose range is one point is fixed (no child aged 16 or over in FE or
        # "other" leaves no recording shift to fit: an LA of a few children)
        free = free & (upper > lower)
        if not rows.any() or not free.any():
            continue

        # the flows are fitted without the mid-phase moves: they move no flow, total or SEN
        # support count, and leaving them out keeps the rounding of the placement matrices
        # out of the flows' finite differences (which sent the fit elsewhere)
        stage_base = start if stage == "placements" else flows_base
        new_plans = None
        if stage == "placements":
            new_plans = new_plans_by_step(
                apply_free_parameters(start, theta, request_years, names), steps_per_year, start_by_age_placement=joint
            )

        def stage_residuals(
            sub: np.ndarray,
            free: np.ndarray = free,
            rows: np.ndarray = rows,
            new_plans: np.ndarray | None = new_plans,
            stage_base: Parameters = stage_base,
        ) -> np.ndarray:
            full = theta.copy()
            full[free] = sub
            return residuals(full, new_plans, stage_base)[rows]

        def all_residuals(
            fun: Callable[[np.ndarray], np.ndarray],
            points: Iterable[np.ndarray],
            free: np.ndarray = free,
            rows: np.ndarray = rows,
            new_plans: np.ndarray | None = new_plans,
            stage_base: Parameters = stage_base,
        ) -> list[np.ndarray]:
            """``map(stage_residuals, points)``, the runs stepped together: how
            ``least_squares`` evaluates the points of its finite-difference Jacobian (its
            ``workers``, scipy 1.16 or later; ``fun`` is its wrapper of ``stage_residuals``:
            the same numbers). The points and steps are scipy's own 2-point rule with its
            bounds handling, so the fit is exactly the one it makes one point at a time."""
            fulls = []
            for sub in points:
                full = theta.copy()
                full[free] = sub
                fulls.append(full)
            models = simulated_together(fulls, new_plans, stage_base)
            return [residuals_of(full, model)[rows] for full, model in zip(fulls, models)]

        solution = least_squares(
            stage_residuals,
            theta[free],
            bounds=(lower[free], upper[free]),
            x_scale=1.0,
            diff_step=DIFF_STEP,
            max_nfev=max_evaluations,
            ftol=TOLERANCE,
            xtol=TOLERANCE,
            workers=all_residuals,
        )
        log.debug("calibration stage %s: %d evaluations, cost %.4f", stage, solution.nfev, solution.cost)
        evaluations += solution.nfev
        theta[free] = solution.x
        messages.append(f"{stage}: {solution.message}")
        success &= bool(solution.success)
    fitted_params = apply_free_parameters(start, theta, request_years, names)
    linear = np.isin(names, LINEAR_PARAMETERS)
    values = np.where(linear, theta, np.exp(theta))
    fitted = dict(zip(names, values.round(6).tolist()))
    report = table.rename(columns={"value": "actual"}).copy()
    report_keys = list(zip(report["measure"], report["breakdown"], report["year"]))
    # one run of the fitted parameters, read as SEN2 recorded FE and other and as the model has them
    report_params, report_joint, report_shift = prepared(theta, start)
    report_stocks, report_flows = expected_arrays(
        report_params, report_steps_per_year, start_by_age_placement=report_joint
    )
    report["simulated"] = read(report_stocks, report_flows, report_keys, report_shift, True)
    report["simulated_model"] = read(report_stocks, report_flows, report_keys, report_shift, False)
    for column, model in (("error_pct", "simulated"), ("error_pct_model", "simulated_model")):
        with np.errstate(divide="ignore", invalid="ignore"):
            report[column] = np.where(report["actual"] > 0, 100.0 * (report[model] / report["actual"] - 1.0), np.nan)
        report.loc[(report["breakdown"] != "") & (report["actual"] < MIN_PHASE_COUNT), column] = np.nan
    report["year_basis"] = np.where(report["measure"].isin(STOCK_TARGETS), "january", "calendar")
    fitted_keys = {k for k, u in zip(keys, usable) if u} | {k for mask in pools for k, m in zip(keys, mask) if m}
    report["fitted"] = [k in fitted_keys for k in report_keys]
    report = report[
        [
            "measure",
            "breakdown",
            "year",
            "year_basis",
            "actual",
            "simulated",
            "error_pct",
            "fitted",
            "simulated_model",
            "error_pct_model",
        ]
    ]
    report = report.sort_values(["measure", "breakdown", "year"]).reset_index(drop=True)
    message = "; ".join(messages)
    cost = 0.5 * float(np.sum(residuals(theta) ** 2))
    log.info("calibration: %s after %d evaluations, cost %.4f", message, evaluations, cost)
    margin = np.where(linear, NEAR_BOUND, np.log1p(NEAR_BOUND))
    near = ((theta - lower) <= margin) | ((upper - theta) <= margin)
    at_bounds = tuple(name for name, hit, low, high in zip(names, near, lower, upper) if hit and high > low)
    return CalibrationResult(fitted_params, report, estimates, fitted, success, message, at_bounds)


def achievable_accuracy(published: pd.Series, limit_pct: float) -> dict[str, float | bool]:
    """What accuracy any smooth model can reach on a published yearly series (index: year).

    - ``chance_band_pct``: half-width of the 95% Poisson band of the smallest published
      count, 100 x 1.96 / sqrt(count): even a model that knew the true underlying rate
      would miss a count that small by up to this in one year in twenty.
    - ``largest_move_pct``: the largest year-on-year change of the published series
      (|count / previous - 1|, per cent).
    - ``smooth_floor_pct``: the worst-year error of the best smooth curve through the
      published series itself (least squares on log counts, a quadratic in the year: a
      level, a trend and a bend; three parameters for a handful of years). No model whose
      yearly path is as smooth as that can do better in its worst year.
    - ``achievable``: ``smooth_floor_pct <= limit_pct``.

    Counts of 0 are left out (no log); fewer than 4 years: the floor is NaN (not judged,
    ``achievable`` True).
    """
    values = published.dropna()
    values = values[values > 0].sort_index()
    out: dict[str, float | bool] = {
        "chance_band_pct": np.nan,
        "largest_move_pct": np.nan,
        "smooth_floor_pct": np.nan,
        "achievable": True,
    }
    if values.empty:
        return out
    out["chance_band_pct"] = float(100.0 * 1.96 / np.sqrt(values.min()))
    if len(values) >= 2:
        out["largest_move_pct"] = float(100.0 * np.abs(values.to_numpy()[1:] / values.to_numpy()[:-1] - 1.0).max())
    if len(values) >= 4:
        years = values.index.to_numpy(dtype=float)
        x = years - years.mean()
        coefficients = np.polyfit(x, np.log(values.to_numpy(dtype=float)), 2)
        smooth = np.exp(np.polyval(coefficients, x))
        out["smooth_floor_pct"] = float(100.0 * np.abs(smooth / values.to_numpy() - 1.0).max())
        out["achievable"] = bool(out["smooth_floor_pct"] <= limit_pct)
    return out
