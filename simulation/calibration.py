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
  capacity, and capacity = max(completed assessments, requests - refused) /
  :data:`TIMELY_UTILISATION`. The 0.9 utilisation is an ASSUMPTION (a service that
  meets the deadline has some slack), not an estimate.

**Fitted** (:func:`calibrate`, ``scipy.optimize.least_squares`` on log ratios of the
cohort model to the targets): a request-rate multiplier for every calendar year with a
``requests`` target (held at the last value after it); scales on ceasing hazards and on
moves in; a level and a yearly log-linear trend of identification at SEN support (only
informed when ``sen_support`` counts, January, are among the targets; held at the last
year's value after the window); scales on the request rates at early-years, secondary
and post-16 ages relative to primary ages (:data:`REQUEST_AGE_SCALES`, informed by
``new_plans`` by phase, the age when plans start); and scales on the share of placements going to state
special, independent special, FE, AP and other *by school phase*
(:data:`SHARE_PARAMETERS`), each applied to new plans in that phase and to the moves at
the transfer into it. The phase scales are informed by the phase targets where there
are some and by the yearly group totals otherwise.

A phase target below :data:`MIN_PHASE_COUNT` children is reported but not fitted (a
log ratio on a handful of children is noise).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from simulation.caseload import age_placement_counts
from simulation.cohort import expected_arrays, new_plans_by_step, placements_given_new_plans
from simulation.errors import CalibrationError
from simulation.outputs import AGE_BANDS
from simulation.parameters import AGES, AP, FE, INDEPENDENT, OTHER, PHASE_START_AGES, PHASES, STATE_SPECIAL, Parameters, Placement, schedule_values

log = logging.getLogger(__name__)

STOCK_TARGETS = ("sen_support", "ehcp_total", "ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe",
                 "ehcp_ap", "ehcp_other")
#: Placement groups: targets by school phase are allowed for these.
PLACEMENT_TARGETS = STOCK_TARGETS[2:]
FLOW_TARGETS = ("new_plans", "requests", "requests_refused", "assessed_not_issued", "plans_ceased")
#: Published % of new plans issued within 20 weeks: used to estimate capacity, not fitted.
TIMELINESS = "issued_within_20wk_pct"
#: Weight of each measure's log-ratio residuals in the fit (AP is small and noisy).
WEIGHTS = {"sen_support": 1.0, "ehcp_total": 3.0, "ehcp_mainstream": 1.0, "ehcp_state_special": 1.5, "ehcp_independent_special": 1.5,
           "ehcp_fe": 1.0, "ehcp_ap": 0.2, "ehcp_other": 0.7, "new_plans": 1.5, "requests": 1.5,
           "plans_ceased": 0.5}
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
    ("ap", AP, (0, 1, 2, 3, 4)),
    ("other_early_years", OTHER, (0,)),
    ("other_primary", OTHER, (1,)),
    ("other_secondary", OTHER, (2,)),
    ("other_post16", OTHER, (3,)),
    ("other_post19", OTHER, (4,)),
)
#: Fitted scales on the age profile of requests (from SEN support and direct), relative to
#: primary ages (whose level the yearly multipliers set): name, (lowest age, highest age).
REQUEST_AGE_SCALES: tuple[tuple[str, tuple[int, int]], ...] = (
    ("early_years", (0, 3)), ("reception", (4, 5)), ("secondary", (11, 15)), ("post16", (16, 25)))
#: Share of young people in FE at 19 moving to ``other`` at the start of the fit (scaled by
#: ``fe_to_other_post19_share_scale``): SEN2 shows 40% of post-19 plans in other settings
#: in January 2025 (156 of 391), most of whom were in FE at 16-18.
FE_TO_OTHER_POST19 = 0.2
#: Phases whose total plans (``ehcp_total`` by phase) are fitted: the ages where the
#: hazard of leaving education decides the count (``ceasing_post16_scale``,
#: ``ceasing_post19_scale``: 16-18 and 19-25 on top of ``ceasing_scale``).
TOTAL_PHASES = ("post16", "post19")
#: Phase targets (breakdown ``phase=...``) below this many children are not fitted.
MIN_PHASE_COUNT = 20.0
#: Weight of a target by phase or age relative to its measure's weight (:data:`WEIGHTS`,
#: or :data:`BREAKDOWN_WEIGHTS` where the part weighs differently from the total).
PHASE_WEIGHT = 1.0
#: Relative tolerance (cost and parameters) at which a stage of the fit stops.
TOLERANCE = 1e-6
BREAKDOWN_WEIGHTS = {"ehcp_total": 1.0, "new_plans": 1.0}


@dataclass(frozen=True)
class CalibrationResult:
    parameters: Parameters
    report: pd.DataFrame       # measure, breakdown, year, year_basis, actual, simulated, error_pct
    estimates: pd.DataFrame    # year, refusal_probability, not_issued_probability, assessments, assessment_capacity
    fitted: dict[str, float]   # the fitted free parameters
    success: bool
    message: str


def _target_table(targets: pd.DataFrame) -> pd.DataFrame:
    """Usable target rows, columns ``measure, breakdown, year, value`` (breakdown ``""`` or
    ``phase=...`` on a placement group)."""
    missing = {"measure", "year", "value"} - set(targets.columns)
    if missing:
        raise CalibrationError(f"targets: missing column(s) {', '.join(sorted(missing))}; "
                               "expected measure, year, value")
    table = targets.copy()
    table["breakdown"] = table["breakdown"].fillna("").astype(str) if "breakdown" in table.columns else ""
    by_phase = (table["breakdown"].isin([f"phase={phase}" for phase in PHASES])
                & table["measure"].isin(PLACEMENT_TARGETS)) | \
        (table["breakdown"].isin([f"phase={phase}" for phase in TOTAL_PHASES]) & (table["measure"] == "ehcp_total"))
    by_age = table["breakdown"].str.fullmatch(r"age=\d+(-\d+)?") & (table["measure"] == "new_plans")
    by_band = table["breakdown"].isin([f"age_band={band}" for band in AGE_BANDS]) & (table["measure"] == "ehcp_total")
    table = table[(table["breakdown"] == "") | by_phase | by_age | by_band]
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


def estimate_rates(targets: pd.DataFrame) -> pd.DataFrame:
    """Per calendar year: ``refusal_probability``, ``not_issued_probability``, ``assessments``,
    ``assessment_capacity`` (NaN where not estimable: see the module notes for the rules)."""
    table = _target_table(targets)
    table = table[table["breakdown"] == ""].pivot(index="year", columns="measure", values="value")
    for measure in ("requests", "requests_refused", "new_plans", "assessed_not_issued", "issued_within_20wk_pct"):
        if measure not in table:
            table[measure] = np.nan
    out = pd.DataFrame(index=table.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["refusal_probability"] = np.where(table["requests"] > 0, table["requests_refused"] / table["requests"],
                                              np.nan)
        assessed = table["new_plans"] + table["assessed_not_issued"]
        out["not_issued_probability"] = np.where(assessed > 0, table["assessed_not_issued"] / assessed, np.nan)
    out["assessments"] = assessed
    keeping_up = ~(table["issued_within_20wk_pct"] < TIMELY_PCT)  # NaN (not published) counts as keeping up
    demand = (table["requests"] - table["requests_refused"]).fillna(0.0)
    out["assessment_capacity"] = np.where(keeping_up, np.maximum(assessed, demand) / TIMELY_UTILISATION, assessed)
    for column in ("refusal_probability", "not_issued_probability"):
        bad = out[column].dropna()
        bad = bad[(bad < 0) | (bad > 1)]
        if not bad.empty:
            raise CalibrationError(f"targets: {column} for {bad.index[0]} is {bad.iloc[0]:.3f}, outside [0, 1] "
                                   "(refusals or no-plan assessments exceed their denominator)")
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
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(rest > 0, (1.0 - new) / rest, 1.0)
    rows *= ratio[..., None]
    rows[..., column] = new
    return rows / rows.sum(axis=-1, keepdims=True)


def free_parameter_names(request_years: list[int]) -> list[str]:
    """Names of the free parameters, in the order of ``theta`` (see :func:`apply_free_parameters`)."""
    return ([f"request_multiplier_{y}" for y in request_years]
            + ["ceasing_scale", "ceasing_post16_scale", "ceasing_post19_scale", "moves_in_scale", "open_requests_scale",
               "identification_scale", "identification_trend"]
            + [f"requests_{name}_scale" for name, _ in REQUEST_AGE_SCALES]
            + [f"{name}_share_scale" for name, _, _ in SHARE_PARAMETERS] + ["fe_to_other_post19_share_scale"])


def scale_phase_shares(placement: Placement, column: int, phases: tuple[int, ...], factor: float) -> Placement:
    """The placement mix with the share going to ``column`` scaled by ``factor`` for new
    plans in each of ``phases`` and for moves at the transfer into it (other destinations
    rescaled in proportion, rows still summing to 1; a child already in ``column`` stays)."""
    new_shares = np.array(placement.new_plan_shares)
    transfer = np.array(placement.transfer)
    _scale_phases(new_shares, transfer, column, phases, factor)
    return _placement(new_shares, transfer)


def _scale_phases(new_shares: np.ndarray, transfer: np.ndarray, column: int, phases: tuple[int, ...],
                  factor: float) -> None:
    """:func:`scale_phase_shares` on the arrays, in place."""
    for phase in phases:
        new_shares[phase] = _scale_column(new_shares[phase], column, factor)
        if phase >= 1:
            transfer[phase - 1] = _scale_column(transfer[phase - 1], column, factor)


def _placement(new_shares: np.ndarray, transfer: np.ndarray) -> Placement:
    new_shares[4, STATE_SPECIAL] = 0.0
    transfer[3, :, STATE_SPECIAL] = 0.0
    new_shares /= new_shares.sum(axis=1, keepdims=True)
    transfer /= transfer.sum(axis=-1, keepdims=True)
    return Placement(new_plan_shares=new_shares, transfer=transfer)


def fe_to_other_at_19(placement: Placement, share: float) -> Placement:
    """The placement mix with a share ``share`` (capped at 0.95) of young people in FE at
    19 moving to ``other`` (NEET, educated elsewhere) and the rest staying in FE."""
    transfer = np.array(placement.transfer)
    _fe_to_other(transfer, share)
    return Placement(new_plan_shares=placement.new_plan_shares, transfer=transfer)


def _fe_to_other(transfer: np.ndarray, share: float) -> None:
    share = min(share, 0.95)
    transfer[3, FE] = 0.0
    transfer[3, FE, FE], transfer[3, FE, OTHER] = 1.0 - share, share


def apply_free_parameters(base: Parameters, theta: np.ndarray, request_years: list[int]) -> Parameters:
    """Parameters with the free parameters ``theta`` applied (order: :func:`free_parameter_names`).

    Every entry is the log of a multiplier except ``identification_trend``, the yearly
    change of log identification: identification in calendar year ``y`` is multiplied by
    ``identification_scale * exp(identification_trend * (y - start_year))``.
    """
    n_req = len(request_years)
    request = {year: float(np.exp(v)) for year, v in zip(request_years, theta[:n_req])}
    cease, cease_post16, cease_post19, moves, open_at_start, identification = np.exp(theta[n_req:n_req + 6])
    trend = float(theta[n_req + 6])
    n_age = len(REQUEST_AGE_SCALES)
    age_scales = np.exp(theta[n_req + 7:n_req + 7 + n_age])
    shares = np.exp(theta[n_req + 7 + n_age:])
    ages = np.arange(AGES)
    cease = cease * np.where(ages >= PHASE_START_AGES[4], cease_post19,
                             np.where(ages >= PHASE_START_AGES[3], cease_post16, 1.0))
    by_age = np.ones(AGES)
    for factor, (_, (low, high)) in zip(age_scales, REQUEST_AGE_SCALES):
        by_age[low:high + 1] = factor
    c = base.ceasing
    ceasing = replace(c, needs_met_rate_by_age=c.needs_met_rate_by_age * cease,
                      moved_away_rate_by_age=c.moved_away_rate_by_age * cease,
                      left_education_rate_by_age=c.left_education_rate_by_age * cease)
    years = np.arange(base.start_year, base.start_year + base.horizon)
    level = schedule_values(base.arrivals.sen_support_multiplier, base.start_year, base.horizon)
    multiplier = {int(y): float(v * np.exp(trend * k)) for k, (y, v) in enumerate(zip(years, level))}
    arrivals = replace(base.arrivals, move_in_rate_by_age=base.arrivals.move_in_rate_by_age * moves,
                       sen_support_rate_by_age=base.arrivals.sen_support_rate_by_age * identification,
                       direct_request_rate_by_age=base.arrivals.direct_request_rate_by_age * by_age,
                       sen_support_multiplier=multiplier)
    new_shares, transfer = np.array(base.placement.new_plan_shares), np.array(base.placement.transfer)
    for factor, (_, column, phases) in zip(shares, SHARE_PARAMETERS):
        _scale_phases(new_shares, transfer, column, phases, float(factor))
    _fe_to_other(transfer, FE_TO_OTHER_POST19 * float(shares[-1]))
    placement = _placement(new_shares, transfer)
    sen = replace(base.sen_support, request_multiplier=request or 1.0,
                  request_rate_by_age=base.sen_support.request_rate_by_age * by_age)
    caseload = replace(base.caseload, in_assessment_by_age=base.caseload.in_assessment_by_age * open_at_start)
    return replace(base, ceasing=ceasing, arrivals=arrivals, sen_support=sen, placement=placement, caseload=caseload)


def open_requests(base: Parameters, count: float) -> np.ndarray:
    """``count`` open requests at the start spread over ages like new requests: SEN support
    by age times the request rate by age (rounded to whole children)."""
    weight = base.caseload.sen_support_by_age * base.sen_support.request_rate_by_age
    weight = weight + base.arrivals.direct_request_rate_by_age * base.population.by_age[0]
    if weight.sum() <= 0:
        return np.zeros_like(weight)
    return np.round(weight / weight.sum() * count)


def calibrate(base: Parameters, targets: pd.DataFrame, *, capacity_from_assessments: bool = True,
              steps_per_year: int = 6, report_steps_per_year: int = 12,
              max_evaluations: int = 400) -> CalibrationResult:
    """Fit ``base`` to ``targets`` (see the module notes); returns parameters and a fit report.

    ``base`` supplies the starting caseload (January of ``base.start_year``), population,
    and the shapes of every rate. If its caseload has no open requests, the assessments
    under way at the start are estimated as the first year's completed assessments times
    (decision + assessment weeks) / 52 (the pipeline of a service keeping up), spread by
    :func:`open_requests`; its horizon must cover the target years. With
    ``capacity_from_assessments`` the assessment capacity of each year is the estimated
    ``assessment_capacity`` (see the module notes), and the cohort model serves the queue
    within it (fluid approximation).
    """
    table = _target_table(targets)
    first, last = base.start_year, base.start_year + base.horizon
    table = table[(table["year"] >= first) & (table["year"] <= last)]
    if table.empty:
        raise CalibrationError(f"targets: nothing between {first} and {last}, the years of the run")
    if not table[table["measure"] == "ehcp_total"]["year"].eq(first).any():
        raise CalibrationError(f"targets: no ehcp_total for January {first}, the start of the run")
    estimates = estimate_rates(targets)
    assessment = base.assessment
    refusal = _schedule(estimates, "refusal_probability")
    not_issued = _schedule(estimates, "not_issued_probability")
    assessment = replace(assessment, refusal_probability=refusal or assessment.refusal_probability,
                         not_issued_probability=not_issued or assessment.not_issued_probability)
    if capacity_from_assessments:
        capacity = _schedule(estimates, "assessment_capacity")
        if capacity is not None:
            assessment = replace(assessment, capacity_per_year=capacity)
    start = replace(base, assessment=assessment)
    if not np.any(base.caseload.in_assessment_by_age > 0):
        first_year = estimates[estimates["year"] == first]
        if not first_year.empty and np.isfinite(first_year["assessments"].iloc[0]):
            weeks = base.assessment.decision_weeks_mean + base.assessment.assessment_weeks_mean
            start = replace(start, caseload=replace(base.caseload, in_assessment_by_age=open_requests(
                base, float(first_year["assessments"].iloc[0]) * weeks / 52.0)))
    request_years = sorted(table[table["measure"] == "requests"]["year"].unique().tolist()) or [first]
    fit = table[table["measure"].isin(WEIGHTS)]
    fit = fit[~((fit["measure"].isin(STOCK_TARGETS)) & (fit["year"] == first))]  # the start is given
    keys = list(zip(fit["measure"], fit["breakdown"], fit["year"]))
    actual = fit["value"].to_numpy(dtype=float)
    by_phase = (fit["breakdown"] != "").to_numpy()
    weights = np.array([(BREAKDOWN_WEIGHTS.get(m, WEIGHTS[m]) * PHASE_WEIGHT) if b else WEIGHTS[m] for m, b, _ in keys])
    usable = np.where(by_phase, actual >= MIN_PHASE_COUNT, actual > 0)

    joint = age_placement_counts(start.caseload)

    def simulated(theta: np.ndarray, rows: list[tuple[str, str, int]] = keys, steps: int = steps_per_year,
                  new_plans: np.ndarray | None = None) -> np.ndarray:
        params = apply_free_parameters(start, theta, request_years)
        if new_plans is None:
            stocks, flows = expected_arrays(params, steps, start_by_age_placement=joint)
        else:  # only the placement mix changes: replay the new plans, do not run requests again
            stocks, flows = placements_given_new_plans(params, new_plans, steps, start_by_age_placement=joint), {}
        out = np.full(len(rows), np.nan)
        for i, (measure, breakdown, year) in enumerate(rows):
            series = _series(stocks, flows, measure, breakdown)
            if series is not None and 0 <= year - first < len(series):
                out[i] = series[year - first]
        return out

    def residuals(theta: np.ndarray, new_plans: np.ndarray | None = None) -> np.ndarray:
        model = simulated(theta, new_plans=new_plans)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.log(np.maximum(model, 1e-9) / np.where(usable, actual, 1.0))
        return np.where(usable, r * weights, 0.0)

    names = free_parameter_names(request_years)
    theta = np.zeros(len(names))
    lower, upper = np.full(len(names), -3.0), np.full(len(names), 3.0)
    trend = names.index("identification_trend")
    lower[trend], upper[trend] = -0.3, 0.3  # at most about 35% a year either way
    pipeline = names.index("open_requests_scale")
    lower[pipeline], upper[pipeline] = np.log(0.5), np.log(1.5)  # an estimate to refine, not to replace
    # Two stages: placement shares move no flow, no total and no SEN support count, so the
    # flow parameters are fitted to those first and the shares to the placements after.
    is_share = np.array([name.endswith("_share_scale") for name in names])
    is_placement = np.array([measure in PLACEMENT_TARGETS for measure, _, _ in keys])  # the rest are flow targets
    messages, success, evaluations = [], True, 0
    for stage, free, rows in (("flows", ~is_share, ~is_placement), ("placements", is_share, is_placement)):
        if not rows.any():
            continue

        new_plans = None
        if stage == "placements":
            new_plans = new_plans_by_step(apply_free_parameters(start, theta, request_years), steps_per_year,
                                          start_by_age_placement=joint)

        def stage_residuals(sub: np.ndarray, free: np.ndarray = free, rows: np.ndarray = rows,
                            new_plans: np.ndarray | None = new_plans) -> np.ndarray:
            full = theta.copy()
            full[free] = sub
            return residuals(full, new_plans)[rows]

        solution = least_squares(stage_residuals, theta[free], bounds=(lower[free], upper[free]), x_scale=1.0,
                                 diff_step=1e-3, max_nfev=max_evaluations, ftol=TOLERANCE, xtol=TOLERANCE)
        log.debug("calibration stage %s: %d evaluations", stage, solution.nfev)
        theta[free] = solution.x
        messages.append(f"{stage}: {solution.message}")
        success &= bool(solution.success)
        evaluations += solution.nfev
    fitted_params = apply_free_parameters(start, theta, request_years)
    values = np.exp(theta)
    values[trend] = theta[trend]
    fitted = dict(zip(names, values.round(6).tolist()))
    report = table.rename(columns={"value": "actual"}).copy()
    report["simulated"] = simulated(theta, list(zip(report["measure"], report["breakdown"], report["year"])),
                                    report_steps_per_year)
    with np.errstate(divide="ignore", invalid="ignore"):
        report["error_pct"] = np.where(report["actual"] > 0, 100.0 * (report["simulated"] / report["actual"] - 1.0),
                                       np.nan)
    report.loc[(report["breakdown"] != "") & (report["actual"] < MIN_PHASE_COUNT), "error_pct"] = np.nan
    report["year_basis"] = np.where(report["measure"].isin(STOCK_TARGETS), "january", "calendar")
    report = report[["measure", "breakdown", "year", "year_basis", "actual", "simulated", "error_pct"]]
    report = report.sort_values(["measure", "breakdown", "year"]).reset_index(drop=True)
    message = "; ".join(messages)
    cost = 0.5 * float(np.sum(residuals(theta) ** 2))
    log.info("calibration: %s after %d evaluations, cost %.4f", message, evaluations, cost)
    return CalibrationResult(fitted_params, report, estimates, fitted, success, message)
