"""The simulation's baseline against the forecast engine's 80% interval, for any LA (issue 19).

Issue 19 asks that the simulation's baseline (``simulate --la X`` as things stand) keep its
EHC plans, requests and new plans inside the trend forecast's 80% interval in every year,
or say which and why, for every LA. :func:`baseline_check` runs one LA's baseline exactly as
``simulate`` does (one calibration, each replication's parameters drawn from their
uncertainty, the same seeds) and its forecast (:func:`sendcast.forecasting.one_la.forecast_la`,
no neighbours), and returns one row per measure and year of :data:`CHECK_MEASURES` that both
engines cover: the simulation's mean against the forecast's ``lo80 .. hi80``, and for a
measure outside in any year what drives it (:func:`outside_reasons`).
:func:`check_summary` condenses it to one row per LA and measure: years inside, the worst
year and how far outside it is.

Years: January census year for caseloads, calendar year for flows (requests, new plans), as
in both engines' tables. The simulation's figure is the mean over replications.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sendcast.data.build import Dataset
from sendcast.forecasting.evidence import Evidence
from sendcast.forecasting.one_la import forecast_la
from sendcast.scenarios.files import as_things_stand
from sendcast.scenarios.parameters import (build_parameters, calibrate_la, draw_spread, la_history, parameter_draws,
                                           scenario_places)
from sendcast.scenarios.replications import run_replications
from sendcast.scenarios.retarget import check_series

#: The measures checked, in table order (caseloads: January; flows: calendar year).
CHECK_MEASURES = ("ehcp_total", "requests", "new_plans", "ehcp_state_special", "ehcp_independent_special")
CHECK_COLUMNS = ["la_code", "la_name", "measure", "year", "simulated", "lo80", "hi80", "where", "outside_pct"]
SUMMARY_COLUMNS = ["la_code", "la_name", "measure", "years", "inside", "worst_year", "simulated", "lo80", "hi80",
                   "outside_pct", "why"]
DEFAULT_SEED = 20251122


@dataclass(frozen=True)
class LaCheck:
    """One LA's check (``rows``: :data:`CHECK_COLUMNS` and ``why``) and its baseline's
    means by year (``flows``: ``measure, year, mean``; :data:`FLOW_MEASURES`)."""

    rows: pd.DataFrame
    flows: pd.DataFrame


def simulated_baseline(dataset: Dataset, la: str, *, years: int, replications: int, seed: int = DEFAULT_SEED,
                       start_year: int | None = None, data=None) -> pd.DataFrame:
    """The baseline's summary (``scenario, measure, breakdown, year, mean, lo95, hi95``) of
    ``la`` as ``sendcast simulate --la`` runs it without a scenario, on this process."""
    history = la_history(dataset, la)
    rows = history.rows
    start_year = start_year or int(rows.loc[(rows["measure"] == "ehcp_total") & (rows["breakdown"] == ""), "year"].max())
    check_series(dataset, history.la_code, start_year)
    fit = calibrate_la(dataset, history.la_code, start_year=start_year)
    scenario = as_things_stand(history.la_name, start_year)
    capacity, _ = scenario_places(dataset, history, scenario, data, start_year)
    params = build_parameters(dataset, history.la_code, start_year=start_year, horizon=years, scenario=scenario,
                              capacity=capacity, calibration=fit, data=data)
    rule = scenario.trends.rule
    spread = draw_spread(params, history, fit, start_year, trends=rule)
    drawn = parameter_draws(params, history, fit, start_year, seed, replications, trends=rule, spread=spread)
    name = scenario.scenario.name
    results = run_replications({name: drawn}, replications=replications, seed=seed, baseline=name)
    return results.summary


def baseline_check(dataset: Dataset, la: str, *, years: int = 6, replications: int = 6, seed: int = DEFAULT_SEED,
                   evidence: Evidence | None = None, data=None) -> LaCheck:
    """:class:`LaCheck` of ``la``: its simulated baseline (``years`` from the latest
    January, ``replications``) against its trend forecast's 80% interval (``evidence``: the
    national backtest, computed once for many LAs)."""
    history = la_history(dataset, la)
    summary = simulated_baseline(dataset, la, years=years, replications=replications, seed=seed, data=data)
    summary = summary[summary["breakdown"].fillna("") == ""]
    forecast = forecast_la(dataset, history.la_code, horizon=years, evidence=evidence, data=data,
                           la_backtest=False, age_bands=False).forecast
    return LaCheck(against_forecast(history, summary, forecast), _flows(summary))


def against_forecast(history, summary: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """:data:`CHECK_COLUMNS` and ``why``: the baseline's mean (``summary``, totals:
    ``measure, year, mean``) against the forecast's 80% interval (``forecast``: ``measure,
    year, lo80, hi80``) for every year of :data:`CHECK_MEASURES` both cover, and for a
    measure outside in any year what drives it (:func:`outside_reasons`, on ``history``'s
    published rows and the run's own flows in ``summary``)."""
    if "breakdown" in summary:
        summary = summary[summary["breakdown"].fillna("") == ""]
    rows = []
    for measure in CHECK_MEASURES:
        simulated = summary[summary["measure"] == measure].set_index("year")["mean"]
        trend = forecast[forecast["measure"] == measure].set_index("year")
        for year in sorted(set(simulated.index) & set(trend.index)):
            value, low, high = float(simulated[year]), float(trend.at[year, "lo80"]), float(trend.at[year, "hi80"])
            where = "below" if value < low else "above" if value > high else "inside"
            outside = 0.0 if where == "inside" else 100.0 * (value / (low if where == "below" else high) - 1.0)
            rows.append((history.la_code, history.la_name, measure, int(year), value, low, high, where, outside))
        if simulated.empty or trend.empty:
            rows.append((history.la_code, history.la_name, measure, np.nan, np.nan, np.nan, np.nan,
                         "no forecast" if trend.empty else "not simulated", np.nan))
    table = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    return table.assign(why=table["measure"].map(outside_reasons(history, table, _flows(summary))))


def _flows(summary: pd.DataFrame) -> pd.DataFrame:
    return summary[summary["measure"].isin(FLOW_MEASURES)][["measure", "year", "mean"]].reset_index(drop=True)


#: The baseline's figures kept beside the check (mean over replications).
FLOW_MEASURES = ("ehcp_total", "requests", "requests_refused", "new_plans", "plans_ceased", "ehcp_moves_in",
                 "in_assessment", "overflow_independent", "waiting_special_place")


def outside_reasons(history, rows: pd.DataFrame, flows: pd.DataFrame) -> dict[str, str]:
    """Per measure with a year outside the interval, what in the published flows and the
    run's own flows pushes it that way, in a planner's words (a measure with no entry:
    none of these rules found a reason). Above the interval (EHC plans, new plans,
    requests):

    - a backlog at the start larger than the last published year's new plans (the run
      assesses it as its capacity catches up);
    - requests carried forward to more than 1.5 times the last published year's;
    - a refusal rate in the last published year 10 points or more below the three years
      before (the run holds the last year's rate: the rule that scores best one year ahead);

    below it: requests falling below 1 / 1.5 of the last published year's, or a refusal
    rate 10 points or more above the three years before. Independent special above, or
    state special below: state special places full (children placed in independent
    schools from the wait for a place).
    """
    def published(measure: str) -> pd.Series:
        part = history.rows[(history.rows["measure"] == measure) & (history.rows["breakdown"] == "")]
        return part.set_index("year")["value"].sort_index()

    def run(measure: str) -> pd.Series:
        return flows[flows["measure"] == measure].set_index("year")["mean"].sort_index()

    requests, refused, new_plans = published("requests"), published("requests_refused"), published("new_plans")
    last = int(requests.index.max()) if not requests.empty else None
    out: dict[str, str] = {}
    for measure, group in rows.groupby("measure", sort=False):
        where = set(group["where"])
        parts = []
        if last is not None and measure in ("ehcp_total", "new_plans", "requests"):
            decided = requests.get(last, np.nan) - refused.get(last, np.nan)
            waiting = run("in_assessment")
            start = waiting.iloc[0] if not waiting.empty else np.nan
            completed = new_plans.get(last, np.nan)
            if "above" in where and np.isfinite(start) and np.isfinite(completed) and start > completed:
                parts.append(f"{start:,.0f} requests waiting for a decision or an assessment at the start against "
                             f"{completed:,.0f} new plans in {last} (published: {decided:,.0f} decisions to assess); "
                             f"the run assesses them as its capacity catches up")
            carried = run("requests")
            if not carried.empty and requests.get(last, 0) > 0:
                ratio = carried.iloc[-1] / requests[last]
                if ("above" in where and ratio > 1.5) or ("below" in where and ratio < 1 / 1.5):
                    parts.append(f"requests go from {requests[last]:,.0f} ({last}) to {carried.iloc[-1]:,.0f} "
                                 f"({int(carried.index[-1])})")
            rates = (refused / requests.where(requests > 0)).dropna()
            if last in rates.index and len(rates[rates.index < last]) >= 3:
                before = float(rates[rates.index < last].iloc[-3:].mean())
                moved = rates[last] - before
                if ("above" in where and moved <= -0.10) or ("below" in where and moved >= 0.10):
                    parts.append(f"{rates[last]:.0%} of requests refused in {last} against {before:.0%} in the three "
                                 f"years before (the run holds the last year's rate)")
        overflow = run("overflow_independent")
        if ((measure == "ehcp_independent_special" and "above" in where)
                or (measure == "ehcp_state_special" and "below" in where)) and overflow.sum() > 0:
            parts.append(f"state special places full: {overflow.sum():,.0f} children placed in independent "
                         f"schools from the wait for a place over the run")
        if parts:
            out[measure] = "; ".join(parts)
    return out


def check_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per LA and measure of :func:`baseline_check`'s rows: years compared, years
    inside, and the worst year (the largest distance outside, else the last year) with its
    simulated figure, interval and distance outside (per cent beyond the nearer bound,
    signed: below is negative)."""
    out = []
    for (code, name, measure), group in rows.groupby(["la_code", "la_name", "measure"], sort=False):
        scored = group.dropna(subset=["year"])
        why = str(group["why"].iloc[0]) if "why" in group and isinstance(group["why"].iloc[0], str) else ""
        if scored.empty:
            out.append((code, name, measure, 0, 0, np.nan, np.nan, np.nan, np.nan, np.nan, why))
            continue
        worst = scored.loc[scored["outside_pct"].abs().idxmax()] if (scored["where"] != "inside").any() \
            else scored.iloc[-1]
        out.append((code, name, measure, len(scored), int((scored["where"] == "inside").sum()), int(worst["year"]),
                    worst["simulated"], worst["lo80"], worst["hi80"], worst["outside_pct"], why))
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)
