"""Calibration: rates estimated from published flows, the rest fitted against the cohort model.

Pure: targets come in as DataFrames, fitted parameters and a fit report go out.

``targets`` is tidy, one row per (measure, year), columns ``measure, year, value`` (a
``breakdown`` column is allowed; only rows with an empty breakdown are used). Years
follow sendcast: January for ``ehcp_total`` and the placement groups, calendar year for
the flows. The run must start in the January of the first caseload year.

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
``requests`` target (held at the last value after it); scales on ceasing hazards, on
moves in and on identification at SEN support (only informed when ``sen_support``
counts, January, are among the targets); and scales on the share of
placements going to state special, independent special, FE, AP and other, applied to new
plans and to moves at phase transfers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from simulation.cohort import expected_trajectories
from simulation.errors import CalibrationError
from simulation.parameters import AP, FE, INDEPENDENT, OTHER, STATE_SPECIAL, Parameters, Placement

log = logging.getLogger(__name__)

STOCK_TARGETS = ("sen_support", "ehcp_total", "ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe",
                 "ehcp_ap", "ehcp_other")
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
#: Placement columns whose share is scaled by a fitted factor.
SCALED_PLACEMENTS = {"state_special": STATE_SPECIAL, "independent_special": INDEPENDENT, "fe": FE, "ap": AP,
                     "other": OTHER}


@dataclass(frozen=True)
class CalibrationResult:
    parameters: Parameters
    report: pd.DataFrame       # measure, year, year_basis, actual, simulated, error_pct
    estimates: pd.DataFrame    # year, refusal_probability, not_issued_probability, assessments, assessment_capacity
    fitted: dict[str, float]   # the fitted free parameters
    success: bool
    message: str


def _target_table(targets: pd.DataFrame) -> pd.DataFrame:
    missing = {"measure", "year", "value"} - set(targets.columns)
    if missing:
        raise CalibrationError(f"targets: missing column(s) {', '.join(sorted(missing))}; "
                               "expected measure, year, value")
    table = targets
    if "breakdown" in table.columns:
        table = table[table["breakdown"].fillna("") == ""]
    wanted = STOCK_TARGETS + FLOW_TARGETS + (TIMELINESS,)
    table = table[table["measure"].isin(wanted)][["measure", "year", "value"]].copy()
    table["year"] = table["year"].astype(int)
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    table = table.dropna(subset=["value"])
    if table.duplicated(["measure", "year"]).any():
        first = table[table.duplicated(["measure", "year"])].iloc[0]
        raise CalibrationError(f"targets: {first['measure']} {first['year']} appears more than once")
    if (table["value"] < 0).any():
        first = table[table["value"] < 0].iloc[0]
        raise CalibrationError(f"targets: {first['measure']} {first['year']} is negative ({first['value']})")
    return table


def estimate_rates(targets: pd.DataFrame) -> pd.DataFrame:
    """Per calendar year: ``refusal_probability``, ``not_issued_probability``, ``assessments``,
    ``assessment_capacity`` (NaN where not estimable: see the module notes for the rules)."""
    table = _target_table(targets).pivot(index="year", columns="measure", values="value")
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


def apply_free_parameters(base: Parameters, theta: np.ndarray, request_years: list[int]) -> Parameters:
    """Parameters with the free parameters ``theta`` (log scales) applied; see :func:`calibrate`."""
    n_req = len(request_years)
    request = {year: float(np.exp(v)) for year, v in zip(request_years, theta[:n_req])}
    cease, moves, identification, *shares = np.exp(theta[n_req:])
    c = base.ceasing
    ceasing = replace(c, needs_met_rate_by_age=c.needs_met_rate_by_age * cease,
                      moved_away_rate_by_age=c.moved_away_rate_by_age * cease,
                      left_education_rate_by_age=c.left_education_rate_by_age * cease)
    arrivals = replace(base.arrivals, move_in_rate_by_age=base.arrivals.move_in_rate_by_age * moves,
                       sen_support_rate_by_age=base.arrivals.sen_support_rate_by_age * identification)
    new_shares = np.array(base.placement.new_plan_shares)
    transfer = np.array(base.placement.transfer)
    for factor, column in zip(shares, SCALED_PLACEMENTS.values()):
        new_shares = _scale_column(new_shares, column, factor)
        transfer = _scale_column(transfer, column, factor)
    new_shares[4, STATE_SPECIAL] = 0.0
    transfer[3, :, STATE_SPECIAL] = 0.0
    new_shares /= new_shares.sum(axis=1, keepdims=True)
    transfer /= transfer.sum(axis=-1, keepdims=True)
    sen = replace(base.sen_support, request_multiplier=request or 1.0)
    return replace(base, ceasing=ceasing, arrivals=arrivals, sen_support=sen,
                   placement=Placement(new_plan_shares=new_shares, transfer=transfer))


def open_requests(base: Parameters, count: float) -> np.ndarray:
    """``count`` open requests at the start spread over ages like new requests: SEN support
    by age times the request rate by age (rounded to whole children)."""
    weight = base.caseload.sen_support_by_age * base.sen_support.request_rate_by_age
    weight = weight + base.arrivals.direct_request_rate_by_age * base.population.by_age[0]
    if weight.sum() <= 0:
        return np.zeros_like(weight)
    return np.round(weight / weight.sum() * count)


def calibrate(base: Parameters, targets: pd.DataFrame, *, capacity_from_assessments: bool = True,
              steps_per_year: int = 12, max_evaluations: int = 400) -> CalibrationResult:
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
    keys = list(zip(fit["measure"], fit["year"]))
    actual = fit["value"].to_numpy(dtype=float)
    weights = np.array([WEIGHTS[m] for m, _ in keys])
    usable = actual > 0

    def simulated(theta: np.ndarray) -> np.ndarray:
        params = apply_free_parameters(start, theta, request_years)
        out = expected_trajectories(params, steps_per_year)
        out = out[out["breakdown"] == ""].set_index(["measure", "year"])["value"]
        return out.reindex(keys).to_numpy(dtype=float)

    def residuals(theta: np.ndarray) -> np.ndarray:
        model = simulated(theta)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.log(np.maximum(model, 1e-9) / np.where(usable, actual, 1.0))
        return np.where(usable, r * weights, 0.0)

    n_free = len(request_years) + 3 + len(SCALED_PLACEMENTS)
    theta0 = np.zeros(n_free)
    bounds = (np.full(n_free, -3.0), np.full(n_free, 3.0))
    solution = least_squares(residuals, theta0, bounds=bounds, x_scale=1.0, diff_step=1e-3,
                             max_nfev=max_evaluations)
    fitted_params = apply_free_parameters(start, solution.x, request_years)
    names = ([f"request_multiplier_{y}" for y in request_years] + ["ceasing_scale", "moves_in_scale", "identification_scale"]
             + [f"{name}_share_scale" for name in SCALED_PLACEMENTS])
    fitted = dict(zip(names, np.exp(solution.x).round(6).tolist()))
    model = expected_trajectories(fitted_params, steps_per_year)
    model = model[model["breakdown"] == ""].set_index(["measure", "year"])["value"]
    report = table.rename(columns={"value": "actual"}).copy()
    report["simulated"] = model.reindex(list(zip(report["measure"], report["year"]))).to_numpy()
    report["error_pct"] = 100.0 * (report["simulated"] / report["actual"] - 1.0)
    report["year_basis"] = np.where(report["measure"].isin(STOCK_TARGETS), "january", "calendar")
    report = report[["measure", "year", "year_basis", "actual", "simulated", "error_pct"]]
    report = report.sort_values(["measure", "year"]).reset_index(drop=True)
    log.info("calibration: %s after %d evaluations, cost %.4f", solution.message, solution.nfev, solution.cost)
    return CalibrationResult(fitted_params, report, estimates, fitted, bool(solution.success), str(solution.message))
