"""The commissioners' report as one story, in this order:

1. the baseline future (the simulation's central figure and the range of 95% of simulated
   futures), with the trend forecast beside it, each engine's numbers labelled as such;
2. what each option changes (each described in a sentence first);
3. sufficiency: special school places against children, including places already
   over-occupied at the start;
4. costs (money to 3 significant figures at the price base);
5. children: waiting for an assessment, timeliness, waiting for a place, placed far from home;
6. caveats in plain English; 7. the method's track record.

Whole children, never fractions; "run" on one scenario speaks of that scenario, not of a
baseline or pairs. The page states the run date, the data vintage and the sendcast version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sendcast.data.measures import PLACEMENT_GROUPS
from sendcast.forecasting.neighbours import NeighbourComparison
from sendcast.forecasting.one_la import LaForecast
from sendcast.reporting import comparison as tables
from sendcast.reporting.charts import fan_chart, sufficiency_chart
from sendcast.reporting.finance_sheets import scenario_parameters
from sendcast.reporting.display import format_children, format_money, format_percent
from sendcast.reporting.forecast_outputs import SOURCE as FORECAST_SOURCE
from sendcast.reporting.forecast_outputs import neighbour_figure, neighbour_lines
from sendcast.reporting.need_simulation import need_caveats, need_lines, option_need_lines
from sendcast.reporting.html_report import Report
from sendcast.reporting.psa_report import psa_sentences, psa_sources_table
from sendcast.runtime.runs import option_file_names
from sendcast.scenarios.forecast_agreement import flows_of, outside_reasons, reason
from sendcast.scenarios.parameters import ADDED_PLACES, FORECAST_PLACES, PUPIL_AGES
from sendcast.scenarios.pipeline import Comparison


@dataclass(frozen=True)
class RunInfo:
    """What the reader needs to place the report: when it was run, on which data, by which version."""

    run_date: str
    data_vintage: str
    version: str


def _value(summary: pd.DataFrame, scenario: str, measure: str, year: int | None = None) -> pd.Series | None:
    rows = summary[(summary["scenario"] == scenario) & (summary["measure"] == measure) & (summary["breakdown"] == "")]
    if rows.empty:
        return None
    rows = rows.sort_values("year")
    if year is None:
        return rows.iloc[-1]
    match = rows[rows["year"] == year]
    return match.iloc[0] if len(match) else None


def _total(summary: pd.DataFrame, scenario: str, measure: str) -> float:
    rows = summary[(summary["scenario"] == scenario) & (summary["measure"] == measure) & (summary["breakdown"] == "")]
    return float(rows["mean"].sum()) if len(rows) else float("nan")


#: The measures both engines project, with their label and year convention, in report order.
ENGINE_MEASURES = (("ehcp_total", "EHC plans", "January"),
                   ("requests", "Requests for an EHC needs assessment", "calendar year"),
                   ("new_plans", "New EHC plans issued", "calendar year"),
                   ("ehcp_state_special", "State special school placements", "January"),
                   ("ehcp_independent_special", "Independent or non-maintained special placements", "January"),
                   ("sen_support_pct", "Pupils on SEN support (% of residents aged 4-15)", "January"))

def engines_agreement(comparison: Comparison, forecast: LaForecast | None) -> pd.DataFrame:
    """For every measure of :data:`ENGINE_MEASURES` and every year both engines cover: the
    simulation's baseline central figure against the trend forecast's 80% interval
    (``measure, year, simulated, trend_lo80, trend_hi80, inside, reason``: ``inside`` is
    ``below`` / ``inside`` / ``above``; ``reason``, for a year outside, why the engines
    differ on that measure as the report and the terminal say it
    (:func:`sendcast.scenarios.forecast_agreement.reason`), empty inside)."""
    columns = ["measure", "year", "simulated", "trend_lo80", "trend_hi80", "inside", "reason"]
    if forecast is None or forecast.forecast.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for measure, _, _ in ENGINE_MEASURES:
        trend = forecast.forecast[forecast.forecast["measure"] == measure].set_index("year")
        simulated = _baseline_series(comparison, measure)["mean"]
        for year in sorted(set(trend.index) & set(simulated.index)):
            value, low, high = float(simulated[year]), float(trend.at[year, "lo80"]), float(trend.at[year, "hi80"])
            where = "below" if value < low else "above" if value > high else "inside"
            rows.append((measure, int(year), value, low, high, where, ""))
    table = pd.DataFrame(rows, columns=columns)
    own = _own_reasons(comparison, table)
    outside = table["inside"] != "inside"
    table.loc[outside, "reason"] = [reason(m, own) for m in table.loc[outside, "measure"]]
    return table


def _own_reasons(comparison: Comparison, table: pd.DataFrame) -> dict[str, str]:
    """What in this LA's published flows and its baseline's own flows pushes a measure outside
    the trend's interval (:func:`sendcast.scenarios.forecast_agreement.outside_reasons`: a
    backlog at the start, requests carried far, a refusal rate that jumped, a collapse in the
    last published requests, special places full), said before the general reason; none
    without the LA's published flows (:attr:`Comparison.published`)."""
    published = getattr(comparison, "published", None)
    if published is None or published.empty or table.empty:
        return {}
    summary = comparison.summary
    summary = summary[(summary["scenario"] == comparison.baseline) & (summary["breakdown"].fillna("") == "")]
    return outside_reasons(published, table.rename(columns={"inside": "where"}), flows_of(summary))


def _baseline_series(comparison: Comparison, measure: str) -> pd.DataFrame:
    """The simulation baseline's ``mean, lo95, hi95`` of ``measure`` by year. For
    ``sen_support_pct``: children on SEN support each January as a percentage of the
    residents aged 4-15 that year (the rule the calibration converts the published share
    by, :func:`sendcast.scenarios.parameters.sen_support_by_age`)."""
    summary = comparison.summary
    summary = summary[(summary["scenario"] == comparison.baseline) & (summary["breakdown"].fillna("") == "")]
    if measure != "sen_support_pct":
        return summary[summary["measure"] == measure].set_index("year")[["mean", "lo95", "hi95"]]
    counts = summary[summary["measure"] == "sen_support"].set_index("year")[["mean", "lo95", "hi95"]]
    params = getattr(comparison, "parameters", {}).get(comparison.baseline)
    if params is None or counts.empty:
        return counts.iloc[0:0]
    rows = np.asarray(params.population.by_age)
    first, last = PUPIL_AGES
    pupils = np.array([rows[min(max(int(y) - params.population.start_year, 0), len(rows) - 1), first:last + 1].sum()
                       for y in counts.index])
    return counts[pupils > 0].div(pupils[pupils > 0], axis=0) * 100.0


def _years(years: list[int]) -> str:
    """2027, 2028, 2029 -> '2027-2029'; 2027, 2029 -> '2027 and 2029'."""
    years = sorted(years)
    if len(years) > 2 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years[:-1])) + (" and " if len(years) > 1 else "") + str(years[-1])


def agreement_lines(agreement: pd.DataFrame) -> list[str]:
    """One sentence per measure where the simulation's baseline leaves the trend forecast's
    80% interval in any year (saying when, which side and why), or one sentence saying it
    stays inside for every measure and year both cover."""
    if agreement.empty:
        return []
    labels = {measure: label for measure, label, _ in ENGINE_MEASURES}
    lines = []
    for measure, rows in agreement.groupby("measure", sort=False):
        out = rows[rows["inside"] != "inside"]
        if out.empty:
            continue
        sides = " and ".join(f"{side} it in {_years(out.loc[out['inside'] == side, 'year'].tolist())}"
                             for side in ("above", "below") if (out["inside"] == side).any())
        lines.append(f"{labels[measure]}: the simulation is outside the trend forecast's 80% interval ({sides}); "
                     f"{out['reason'].iloc[0]}.")
    if not lines:
        years = _years(sorted(agreement["year"].unique().tolist()))
        return [f"In every year both engines cover ({years}), the simulation's baseline lies inside the trend "
                f"forecast's 80% interval for " + ", ".join(labels[m] if labels[m].startswith("EHC") else labels[m][0].lower() + labels[m][1:]
                            for m in agreement["measure"].unique())
                + "."]
    return lines


#: What the simulation's band is, with and without the model discrepancy.
BAND_WORDS = {
    True: ("The band is the range of the simulated futures (each run draws its parameters from their out-of-sample "
           "errors) widened by the model discrepancy: the error such ranges missed when the simulation was run "
           "from earlier years on every English LA, measured one to four years ahead and, beyond that, assumed to "
           "grow as a random walk (an assumption, not evidence)."),
    False: ("The band is the range of the simulated futures (each run draws its parameters from their out-of-sample "
            "errors); it is not widened by the model discrepancy."),
}


def engines_table(comparison: Comparison, forecast: LaForecast | None) -> pd.DataFrame:
    """The simulation's baseline beside the trend forecast, for the last year both cover:
    EHC plans, state special and independent special placements (January), requests and
    new plans (calendar year), spend on placements (financial year, price base). Each
    engine's figure is labelled with its interval: 95% of simulated futures for the
    simulation, 80% prediction interval for the trend forecast; a last column says in how
    many of the years both cover the simulation lies inside the trend's 80% interval."""
    if forecast is None or forecast.forecast.empty:
        return pd.DataFrame()
    base = comparison.baseline
    agreement = engines_agreement(comparison, forecast)
    rows = []
    for measure, label, kind in ENGINE_MEASURES:
        years = agreement[agreement["measure"] == measure]
        if years.empty:
            continue
        last = forecast.forecast[(forecast.forecast["measure"] == measure)
                                 & (forecast.forecast["year"] == years["year"].max())].iloc[0]
        simulated = _baseline_series(comparison, measure).loc[int(last["year"])]
        show = format_percent if measure.endswith("_pct") else format_children
        rows.append({"Measure": label, "When": f"{kind} {int(last['year'])}",
                     "Simulation, baseline (central)": show(simulated["mean"]),
                     "Simulation: 95% predictive band": f"{show(simulated['lo95'])} to {show(simulated['hi95'])}",
                     "Trend forecast (central)": show(last["mean"]),
                     "Trend forecast: 80% interval": f"{show(last['lo80'])} to {show(last['hi80'])}",
                     "Simulation inside the trend's 80% interval": f"{(years['inside'] == 'inside').sum()} of "
                                                                    f"{len(years)} years"})
    costs = forecast.costs
    if not costs.empty:
        real = costs[(costs["placement_group"] == "total_costed") & (costs["price_basis"] == "real")]
        spend = comparison.spend
        # placements only, as the trend forecast costs them: no transport, assessments, early
        # support or an option's fixed costs
        placements = spend[(spend["scenario"] == base)
                           & spend["component"].isin([g.removeprefix("ehcp_") for g in PLACEMENT_GROUPS])]
        by_year = placements.groupby("financial_year")["real_gbp_mean"].sum()
        common = [y for y in real["financial_year"] if y in by_year.index]
        if common:
            year = common[-1]
            row = real[real["financial_year"] == year].iloc[0]
            rows.append({"Measure": "Spend on placements", "When": f"financial year {year}, "
                         f"{spend['price_base'].iloc[0]} prices",
                         "Simulation, baseline (central)": format_money(by_year[year]),
                         "Simulation: 95% predictive band": "-",
                         "Trend forecast (central)": format_money(row["spend_gbp_mean"]),
                         "Trend forecast: 80% interval": f"{format_money(row['spend_gbp_lo80'])} to "
                                                         f"{format_money(row['spend_gbp_hi80'])}",
                         "Simulation inside the trend's 80% interval": "-"})
    return pd.DataFrame(rows)


def sufficiency_lines(comparison: Comparison, forecast: LaForecast | None) -> tuple[list[str], pd.DataFrame]:
    """State special school places against children: places already over-occupied at the start
    (published January caseload against the places listed), and each scenario's places and
    simulated children at the end of the run, with the children sent to independent schools
    because no local place was free."""
    lines = []
    start = None
    first = scenario_parameters(comparison, comparison.baseline) if comparison.parameters else None
    if first is not None:
        start = first.start_year
    if forecast is not None and start is not None:
        history = forecast.history[forecast.history["measure"] == "ehcp_state_special"]
        published = history[history["year"] == start]["value"]
        listed = None
        if first is not None:
            blocks = [b for b in first.special_places.blocks or () if "implied" not in b.name
                      and (b.from_year is None or b.from_year <= start) and (b.to_year is None or b.to_year >= start)]
            listed = sum(int(b.places) for b in blocks)
        if len(published) and listed:
            children = float(published.iloc[0])
            over = children - listed
            if over > 0:
                lines.append(f"Places are already over-occupied: in January {start}, {format_children(children)} "
                             f"children were in state special schools (published) against {format_children(listed)} "
                             f"places listed in the capacity file, {format_children(over)} more children than places. "
                             "Either the list is out of date or schools are over capacity. The simulation counts those "
                             f"{format_children(over)} as places already there and full.")
            else:
                lines.append(f"In January {start}, {format_children(children)} children were in state special schools "
                             f"(published) and the capacity file lists {format_children(listed)} places.")
    if first is not None:
        lines += added_places_lines(first)
    rows = []
    for name in (comparison.baseline, *comparison.options):
        parameters = scenario_parameters(comparison, name) if name in comparison.parameters else None
        last = _value(comparison.summary, name, "ehcp_state_special")
        if parameters is None or last is None:
            continue
        year = int(last["year"])
        places = parameters.special_places.places_by_year(parameters.start_year, year - parameters.start_year + 1)
        open_places = int(sum(values[-1] for values in places.values()))
        rows.append({"Scenario": name, "When": f"January {year}",
                     "Room in state special schools": format_children(open_places),
                     "Children in state special schools (simulated)": format_children(last["mean"]),
                     "Sent to independent schools because no local place was free (over the run)":
                         format_children(_total(comparison.summary, name, "overflow_independent"))})
    return lines, pd.DataFrame(rows)


def added_places_lines(parameters) -> list[str]:
    """The places the baseline assumes the county goes on adding (:data:`FORECAST_PLACES` or
    :data:`ADDED_PLACES` blocks), in a sentence saying it is an assumption and where the other
    case is; nothing when the run adds none."""
    blocks = parameters.special_places.blocks or ()
    forecast = [b for b in blocks if b.name.startswith(FORECAST_PLACES)]
    added = forecast or [b for b in blocks if b.name.startswith(ADDED_PLACES)]
    if not added:
        return []
    total = sum(int(b.places) for b in added)
    first, last = min(b.from_year for b in added), max(b.from_year for b in added)
    share = parameters.special_places.over_capacity_share
    filled = (f" (room for {format_children(total * (1 + share))} children at the {share:.0%} over capacity the "
              "schools ran at, as the table counts places)" if share > 0 else "")
    if forecast:
        how = ("as the trend forecast of children in state special schools grows (the forecast below, made with "
               "the published figures only)")
    else:
        window = added[0].name.removeprefix(ADDED_PLACES).removesuffix("(assumed)").strip()
        how = f"as the number of children in them grew in {window}"
    return [f"ASSUMPTION: the simulation has the county go on adding state special school places {how}: "
            f"{format_children(total)} places in all{filled}, opening each January {first}-{last}. This is not a "
            "plan: the scenario scenarios/no-new-special-places.toml shows the other case. The chart below sets "
            "the trend forecast of children against the places listed in the capacity file only."]


def children_lines(comparison: Comparison) -> list[str]:
    """What the scenarios mean for children, in whole children and per cent."""
    names = [comparison.baseline, *comparison.options]
    single = not comparison.options
    out = []

    def each(measure: str, show) -> str:
        parts = []
        for name in names:
            row = _value(comparison.summary, name, measure)
            if row is not None:
                parts.append(show(row["mean"]) if single else f"{name} {show(row['mean'])}")
        return "; ".join(parts)

    def when(measure: str, kind: str) -> str:
        row = _value(comparison.summary, comparison.baseline, measure)
        return "" if row is None else f"{kind} {int(row['year'])}"

    if _value(comparison.summary, comparison.baseline, "in_assessment") is not None:
        out.append(f"Children waiting for an EHC needs assessment ({when('in_assessment', 'January')}): "
                   f"{each('in_assessment', format_children)}.")
    if _value(comparison.summary, comparison.baseline, "issued_within_20wk_pct") is not None:
        out.append(f"New EHC plans issued within the 20-week legal limit "
                   f"({when('issued_within_20wk_pct', 'calendar year')}): "
                   f"{each('issued_within_20wk_pct', format_percent)}.")
    waiting = [_total(comparison.summary, name, "child_weeks_waited") for name in names]
    if all(np.isfinite(w) and w <= 0.5 for w in waiting):
        sent = "; ".join((format_children(_total(comparison.summary, n, "overflow_independent")) if single else
                          f"{n} {format_children(_total(comparison.summary, n, 'overflow_independent'))}")
                         for n in names)
        out.append("No child waits for a local special school place in this model, because when none is free the "
                   f"child is placed in an independent special school instead (children placed that way over the "
                   f"run: {sent}). Waiting is hidden as distance from home, not absent.")
    else:
        out.append(f"Children waiting for a local special school place "
                   f"({when('waiting_special_place', 'January')}): {each('waiting_special_place', format_children)}. "
                   "These are children whose plans the simulation, following the placement pattern of the years it "
                   "was fitted on, would place in a state special school beyond the places assumed; while they wait "
                   "they are counted, and costed, where the scenario file says (the baseline: a mainstream school at "
                   "school age).")
    if _value(comparison.summary, comparison.baseline, "ehcp_independent_special") is not None:
        out.append(f"Children in independent or non-maintained special schools, often far from home "
                   f"({when('ehcp_independent_special', 'January')}): "
                   f"{each('ehcp_independent_special', format_children)}.")
    return out


def option_description(comparison: Comparison, option: str) -> str:
    """What an option does, in one sentence from its scenario file."""
    text = comparison.scenario(option).scenario.description.strip().rstrip(".")
    return f"{option}: {text[0].lower() + text[1:] if text else 'no description in its scenario file'}."


def caveats(comparison: Comparison) -> list[str]:
    """The caveats a commissioner needs, in plain English."""
    settings = comparison.scenario(comparison.baseline).costs
    transport = any(item.scenario.costs.transport_gbp for item in comparison.scenarios)
    out = ["Forecasts and simulations are not targets: they must never be used to ration the plans children need.",
           "Unit costs are estimates derived from the council's 2021-22 spending return (education only: no social "
           "care or health) and restated at " + settings.price_base + " prices at an assumed 2% a year "
           "(HM Treasury's GDP deflator is not in the data yet; prices rose faster than that, so costs restated "
           "from 2021-22 are probably too low). "
           + ("Home-to-school transport is included where a scenario gives its cost." if transport else
              "Home-to-school transport is not included."),
           f"Cash figures assume prices rise {settings.inflation_pct:g}% a year after {settings.price_base} "
           "(an assumption, the same in the forecast and the simulation).",
           "The cost of building new places and of the staff for extra assessments is derived or illustrative, as "
           "each scenario file says.",
           "The special school places come from a third-party table of low confidence for Gloucestershire.",
           "The ranges show chance, not doubt about the model's assumptions: a different assumption can move the "
           "whole range."]
    if any(item.scenario.early_identification.share_identified_early for item in comparison.scenarios):
        out.insert(1, "The early identification levers (how many children are reached, by how much their risk of "
                      "escalation falls, what it costs) are illustrative: no published evaluation gives them for "
                      "this county. Test any value you quote with a sweep.")
    base = comparison.parameters.get(comparison.baseline)
    if base is not None:
        a = base.assessment
        out.append(f"Deciding on a request and assessing take an illustrative {a.decision_weeks_mean:g} and "
                   f"{a.assessment_weeks_mean:g} weeks on average before any wait for an assessment slot. The "
                   "share of plans issued within 20 weeks has moved by a median of 12-15 points a year across "
                   "councils, and no rule we tried predicts it a year ahead to within 10 points in more than "
                   "about four cases in ten, so each run draws it with that spread: read it as a rough guide.")
    out += need_caveats(comparison)
    return out


def report(comparison: Comparison, charts: dict[str, Figure], *, forecast: LaForecast | None = None,
           neighbours: NeighbourComparison | None = None, accuracy: list[str] | None = None,
           info: RunInfo | None = None) -> Report:
    """The commissioners' report (see the module docstring for the order)."""
    base = comparison.baseline
    single = not comparison.options
    title = f"SEND provision in {comparison.la}: " + (
        " and ".join(comparison.options) + f" against {base}" if comparison.options else base)
    runs = (f"{comparison.replications} simulation runs" if single else
            f"{comparison.replications} paired simulation runs per scenario")
    meta = [runs, f"seed {comparison.seed}"]
    if info is not None:
        meta = [f"Run {info.run_date}", f"data: {info.data_vintage}", f"sendcast {info.version}"] + meta
    page = Report(title, subtitle=" · ".join(meta))

    page.heading(f"The {base.lower()} future" if not single else f"What we expect: {base}", "expect")
    for sentence in tables.headline_sentences(comparison):
        page.paragraph(sentence, css="lead")
    page.paragraph("Simulation: children followed one by one from the latest published January, many times over; "
                   "the range holds 95% of the simulated futures.")
    if "scenarios_ehcp_total.png" in charts:
        page.figure(charts["scenarios_ehcp_total.png"], caption="EHC plans each January: the simulation's average "
                    "and its 95% predictive band" + ("" if single else ", by scenario") + ". " + BAND_WORDS[
                        not comparison.discrepancy.empty] + (" " + comparison.band_evidence if comparison.band_evidence
                                                             else ""), alt="EHC plans each January, simulated")
    engines = engines_table(comparison, forecast)
    if not engines.empty:
        page.paragraph("The trend forecast carries the published figures forward as a time series, independently of "
                       "the simulation. Where the two differ, the difference is a question about the assumptions, "
                       "not a second answer: the simulation's figures are the ones the rest of this report uses.")
        page.table(engines, caption="The simulation's baseline beside the trend forecast, for the last year both "
                   "cover; the last column counts every year both cover.")
        for line in agreement_lines(engines_agreement(comparison, forecast)):
            page.paragraph(line)
    if forecast is not None:
        bands = forecast.bands[forecast.bands["measure"] == "ehcp_total"].set_index("year")
        if not bands.empty:
            history = forecast.history[forecast.history["measure"] == "ehcp_total"].set_index("year")["value"]
            page.figure(fan_chart(history, bands, title=f"{forecast.la_name}: EHC plans each January, trend forecast "
                                  "(50/80/95% intervals)", units="children and young people", source=FORECAST_SOURCE),
                        caption="Trend forecast of EHC plans from the published figures.", alt="trend forecast")
    if neighbours is not None and not neighbours.empty:
        page.paragraph("Beside its statistical neighbours: " + " ".join(neighbour_lines(neighbours)))
        page.figure(neighbour_figure(neighbours), caption="EHC plans as an index against the DfE's statistical "
                    "neighbours.", alt="statistical neighbours")

    if comparison.options:
        page.heading("What each option changes", "options")
        page.paragraph("Every scenario sees the same random numbers, so a difference reflects the option, not chance. "
                       "Ranges for a change are 95% confidence intervals for the average change.")
        file_names = option_file_names(list(comparison.options))
        for option in comparison.options:
            page.paragraph(option_description(comparison, option), css="lead")
            page.bullets(tables.option_sentences(comparison, option) + option_need_lines(comparison, option)
                         + psa_sentences(comparison, option, sources=False))
            inputs = psa_sources_table(comparison, option)
            if not inputs.empty:
                page.table(inputs, caption=f"{option}: every uncertain input, how it is drawn in the sensitivity "
                                           "analysis and where it comes from.")
            name_part = file_names[option]
            for kind, caption in (("tornado", "Net present saving at each uncertain input's 10th and 90th "
                                   "percentile, the others at their medians (linear metamodel of the runs)."),
                                  ("probability_saving", "Share of runs whose cumulative saving is above zero.")):
                if f"{kind}_{name_part}.png" in charts:
                    page.figure(charts[f"{kind}_{name_part}.png"], caption=caption, alt=kind.replace("_", " "))
            if f"difference_{name_part}_ehcp_total.png" in charts:
                page.figure(charts[f"difference_{name_part}_ehcp_total.png"], caption=f"EHC plans: {option} minus "
                            f"{base}, with the 95% confidence interval for the average change.",
                            alt=f"EHC plans, {option} minus {base}")

    page.heading("Will there be enough special school places?", "sufficiency")
    lines, places = sufficiency_lines(comparison, forecast)
    for line in lines:
        page.paragraph(line)
    if not places.empty:
        page.table(places, caption="State special school places and children at the end of the run (simulation). "
                                   "Room: the places with the schools' over-capacity allowance, as the simulation "
                                   "fills them.")
    for line in need_lines(comparison):
        page.paragraph(line)
    if forecast is not None and not forecast.sufficiency.empty:
        page.figure(sufficiency_chart(forecast.sufficiency.set_index("year"),
                                      title=f"{forecast.la_name}: children needing a state special place (trend "
                                      "forecast) against places", source=FORECAST_SOURCE +
                                      "; places: capacity file (low confidence)"),
                    caption="Trend forecast of children in state special schools against the places listed.",
                    alt="sufficiency")

    page.heading("What it costs", "costs")
    price_base = comparison.spend["price_base"].iloc[0] if len(comparison.spend) else ""
    totals = comparison.spend[comparison.spend["component"] == "total"]
    table = totals.pivot_table(index="financial_year", columns="scenario", values="real_gbp_mean", sort=False)
    table = table[[n for n in (base, *comparison.options) if n in table.columns]]
    page.table(table.map(format_money).reset_index().rename(columns={"financial_year": "Financial year"}),
               caption=f"Spend on the pathway by financial year (April-March), {price_base} prices. The finance "
               "workbook has the same figures as formulas driven by its Inputs sheet.")
    for name, figure in charts.items():
        if name.startswith("waterfall_"):
            page.figure(figure, caption="How the option changes spend over the run, component by component (bars "
                        "from zero; the net change at the right).", alt="change in spend by component")
    if not comparison.appraisal.empty:
        page.table(tables.readable_appraisal(tables.appraisal_table(comparison)),
                   caption="Value for money, per option (saving: baseline spend minus option spend; 95% confidence "
                   "intervals).")

    page.heading("What it means for children", "children")
    page.bullets(children_lines(comparison))

    page.heading("Caveats", "caveats")
    page.bullets(caveats(comparison))

    page.heading("How accurate the method has been", "accuracy")
    for line in accuracy or ["The forecasting backtest was not run for this report."]:
        page.paragraph(line)
    return page
