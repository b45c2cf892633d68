"""The simulation's baseline against the forecast engine's 80% interval, and why a measure
is outside it, from tables alone (issue 19: one future from both engines, for any LA).

:func:`against_forecast` sets a baseline's mean beside the forecast's ``lo80 .. hi80`` for
every year of :data:`CHECK_MEASURES` both cover; :func:`outside_reasons` says, for a measure
outside in any year, what in the LA's published flows (:func:`published_for_reasons`) and
the run's own flows pushes it that way; :func:`check_summary` condenses the rows to one per
LA and measure. Used by the one-LA check (:mod:`sendcast.scenarios.baseline_check`), the
national simulation (:mod:`sendcast.scenarios.national_simulation`) and the report
(:func:`sendcast.reporting.story.engines_agreement`), so all three give the same reasons.

Years: January census year for caseloads, calendar year for flows (requests, new plans), as
in both engines' tables. The simulation's figure is the mean over replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendcast.data.checks import COLLAPSE_RATIO

#: The measures checked, in table order (caseloads: January; flows: calendar year).
CHECK_MEASURES = ("ehcp_total", "requests", "new_plans", "ehcp_state_special", "ehcp_independent_special")
CHECK_COLUMNS = ["la_code", "la_name", "measure", "year", "simulated", "lo80", "hi80", "where", "outside_pct"]
SUMMARY_COLUMNS = ["la_code", "la_name", "measure", "years", "inside", "worst_year", "simulated", "lo80", "hi80",
                   "outside_pct", "why"]


#: Why the engines can part on a measure at all: what the simulation assumes that the trend
#: forecast does not (said after the LA's own reason, :func:`reason`).
WHY_THEY_DIFFER = {
    "ehcp_total": "the simulation's requests are set so its plans grow as the trend forecast's central forecast "
                  "(one yearly growth of the request rate); they part where the first January's plans, made by the "
                  "work in hand, differ from the trend's, or where that growth sits on its limit (the request rate is never "
                  "set to fall: where the trend's plans grow more slowly than the simulation's with requests held, the "
                  "simulation's grow faster)",
    "requests": "the simulation's requests are those that make its plans grow as the trend forecast's; the trend "
                "forecast projects the requests series on its own, which out of sample fell far behind the "
                "published requests (every LA, four years ahead: median log error -0.57 against +0.05 for the "
                "simulation's rule, issue 19)",
    "new_plans": "new plans follow the simulation's requests and its assessment capacity",
    "ehcp_state_special": "the simulation fills only the places it has (listed places plus the over-capacity "
                          "allowance and any places the scenario adds); the trend forecast has no place limit",
    "ehcp_independent_special": "in the simulation a child who cannot get a state special place goes to an "
                                "independent school; the trend forecast carries the published independent "
                                "placements forward",
    "sen_support_pct": "the simulation keeps the share its fitted identification rate, damped, would give (never "
                       "below the share published in its start January), while its "
                       "requests rise to follow the trend forecast of plans (taking children off SEN support) and the "
                       "resident children aged 4-15 fall (ONS projections); the trend forecast carries the published "
                       "share's growth forward. Out of sample (13 held-out LAs, origins 2021-2023, four years ahead) "
                       "the simulation's rule erred less than following the trend forecast's share (median absolute "
                       "log error 0.114 against 0.156), but both fell short of the published share (bias -11% and "
                       "-16%): benchmarks/evidence_plans_target.py, issue 19",
}


def reason(measure: str, own: dict[str, str]) -> str:
    """Why ``measure`` is outside the trend's interval: the LA's own reason (``own``:
    :func:`outside_reasons`) where one was found, then why the engines can part on it at all
    (:data:`WHY_THEY_DIFFER`; empty for a measure it does not name)."""
    general = WHY_THEY_DIFFER.get(measure, "")
    return "; ".join(part for part in (own.get(measure, ""), general) if part)


def against_forecast(la_code: str, la_name: str, published: pd.DataFrame, summary: pd.DataFrame,
                     forecast: pd.DataFrame) -> pd.DataFrame:
    """:data:`CHECK_COLUMNS` and ``why`` for one LA: the baseline's mean (``summary``,
    totals: ``measure, year, mean``) against the forecast's 80% interval (``forecast``:
    ``measure, year, lo80, hi80``) for every year of :data:`CHECK_MEASURES` both cover, and
    for a measure outside in any year why (:func:`reason`: what drives it,
    :func:`outside_reasons` on the LA's ``published`` rows (:func:`published_for_reasons`)
    and the run's own flows in ``summary``, then why the engines can part on it at all)."""
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
            rows.append((la_code, la_name, measure, int(year), value, low, high, where, outside))
        if simulated.empty or trend.empty:
            rows.append((la_code, la_name, measure, np.nan, np.nan, np.nan, np.nan,
                         "no forecast" if trend.empty else "not simulated", np.nan))
    table = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    own = outside_reasons(published, table, flows_of(summary))
    outside = set(table.loc[table["where"].isin(["above", "below"]), "measure"])
    return table.assign(why=[reason(m, own) if m in outside else "" for m in table["measure"]])


def flows_of(summary: pd.DataFrame) -> pd.DataFrame:
    """The baseline's figures kept beside the check (:data:`FLOW_MEASURES`: ``measure, year, mean``)."""
    return summary[summary["measure"].isin(FLOW_MEASURES)][["measure", "year", "mean"]].reset_index(drop=True)


#: The baseline's figures kept beside the check (mean over replications).
FLOW_MEASURES = ("ehcp_total", "requests", "requests_refused", "new_plans", "plans_ceased", "ehcp_moves_in",
                 "in_assessment", "overflow_independent", "waiting_special_place")


def outside_reasons(published: pd.DataFrame, rows: pd.DataFrame, flows: pd.DataFrame) -> dict[str, str]:
    """Per measure with a year outside the interval (``rows``: ``measure, where``), what in
    the published flows (``published``: the LA's rows, ``measure, breakdown, year, value``;
    :func:`published_for_reasons`) and the run's own flows (``flows``: ``measure, year,
    mean``) pushes it that way, in a planner's words (a measure with no entry:
    none of these rules found a reason). Above the interval (EHC plans, new plans,
    requests):

    - a backlog at the start larger than the last published year's new plans (the run
      assesses it as its capacity catches up);
    - requests carried forward to more than 1.5 times the last published year's;
    - a refusal rate in the last published year 10 points or more below the three years
      before (the run holds the last year's rate: the rule that scores best one year ahead);

    below it (EHC plans, new plans): the requests waiting for a decision or an assessment
    more than doubling over the run, to more than the last published year's new plans
    (assessment capacity that does not keep pace: Isle of Wight from January 2025, 53 to
    1,031 by 2035, after its 2024 requests were withheld as a collapse); below it (any):
    requests falling below 1 / 1.5 of the last published year's, or a refusal
    rate 10 points or more above the three years before, or published requests in the last
    year below 1 / 1.5 of the year before or fewer than that year's new plans (the run
    carries requests forward from that last year; a year with both is withheld by the data
    build as a collapse in the return, :func:`sendcast.data.checks.collapsed_requests`, so
    this names the years with one of the two). Independent special above, or
    state special below: state special places full (children placed in independent
    schools from the wait for a place). A placement outside on the same side as EHC plans in
    the same years: the plans (placements follow them).
    """
    def series(measure: str) -> pd.Series:
        part = published[(published["measure"] == measure) & (published["breakdown"] == "")]
        return part.set_index("year")["value"].sort_index()

    def run(measure: str) -> pd.Series:
        return flows[flows["measure"] == measure].set_index("year")["mean"].sort_index()

    requests, refused, new_plans = series("requests"), series("requests_refused"), series("new_plans")
    last = int(requests.index.max()) if not requests.empty else None
    plans = rows[rows["measure"] == "ehcp_total"]
    plans_outside = {side: set(plans.loc[plans["where"] == side, "year"]) for side in ("below", "above")}
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
            end = waiting.iloc[-1] if not waiting.empty else np.nan
            if ("below" in where and measure != "requests" and np.isfinite(start) and np.isfinite(end)
                    and end > 2 * start and end > (completed if np.isfinite(completed) else 0)):
                parts.append(f"requests waiting for a decision or an assessment grow from {start:,.0f} "
                             f"({int(waiting.index[0])}) to {end:,.0f} ({int(waiting.index[-1])}): the run's "
                             "assessments do not keep pace with its requests")
            fell = _requests_fell(requests, new_plans, last)
            if "below" in where and fell:
                parts.append(fell)
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
        if measure in ("ehcp_state_special", "ehcp_independent_special"):
            for side in ("below", "above"):
                years = set(group.loc[group["where"] == side, "year"]) & plans_outside[side]
                if years:
                    parts.append(f"EHC plans are {side} the trend's interval too in {_span(sorted(years))} "
                                 "(placements follow the plans)")
        if parts:
            out[measure] = "; ".join(parts)
    return out


def _span(years: list) -> str:
    """2026, 2027, 2028 -> '2026-2028'; one year -> '2026'; otherwise the years listed."""
    years = [int(y) for y in years]
    if len(years) > 2 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


#: The published series :func:`outside_reasons` reads.
PUBLISHED_FOR_REASONS = ("requests", "requests_refused", "new_plans")


def published_for_reasons(history, start_year: int) -> pd.DataFrame:
    """The LA's published totals :func:`outside_reasons` reads (``measure, breakdown, year,
    value``): requests, refusals and new plans, calendar years to ``start_year - 1`` (what
    was published by the start January)."""
    rows = history.rows
    rows = rows[rows["measure"].isin(PUBLISHED_FOR_REASONS) & (rows["breakdown"] == "") & (rows["year"] < start_year)]
    return rows[["measure", "breakdown", "year", "value"]].reset_index(drop=True)


def _requests_fell(requests: pd.Series, new_plans: pd.Series, last: int) -> str:
    """In words, a collapse in the last year's published requests (below the year before it
    was published divided by :data:`sendcast.data.checks.COLLAPSE_RATIO`, or fewer than that
    year's new plans; the data build withholds a year with both); empty when none."""
    latest = float(requests.get(last, np.nan))
    before = requests[(requests.index < last) & (requests > 0)]
    plans = float(new_plans.get(last, np.nan))
    fewer = np.isfinite(latest) and np.isfinite(plans) and latest < plans
    dropped = np.isfinite(latest) and not before.empty and latest < float(before.iloc[-1]) / COLLAPSE_RATIO
    if not (fewer or dropped):
        return ""
    said = f"published requests fell from {before.iloc[-1]:,.0f} ({int(before.index[-1])}) to {latest:,.0f} " \
           f"({last})" if dropped else f"{latest:,.0f} requests published for {last}"
    if fewer:
        said += f", fewer than the {plans:,.0f} new plans issued in {last}"
    return f"{said}; the run carries requests forward from {last}"


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
