"""What a comparison of scenarios hands to people: tidy CSVs, the finance workbook and the
commissioners' HTML report (built here, written by the command).

Every label is plain English with its unit and year basis; every number in the workbook is
a number (formatted), never text; intervals are said in words once, where they first appear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sendcast.reporting.display import format_change, format_children, format_money, format_share
from sendcast.forecasting.one_la import LaForecast
from sendcast.data.measures import MEASURES, PLACEMENT_GROUPS
from sendcast.data.years import financial_year_label
from sendcast.money.appraisal import FINANCIAL_YEAR
from sendcast.forecasting.neighbours import NeighbourComparison
from sendcast.reporting.psa_report import probability_chart, tornado_chart
from sendcast.reporting.psa_sheets import psa_sheets
from sendcast.runtime.runs import option_file_names
from sendcast.reporting.scenario_charts import cost_waterfall, difference_chart, scenario_chart
from sendcast.scenarios.files import OVERFLOW_RATE_PER_YEAR, Distribution
from sendcast.scenarios.uncertainty import ENGINE_LEVER_FIELDS, central
from sendcast.scenarios.pipeline import Comparison
from sendcast.scenarios.parameters import MOVES_SOURCE, describe_moves
from sendcast.reporting import finance_sheets
from sendcast.reporting.workbook import FormulaSheet, Sheet

SOURCE = "sendcast simulation calibrated to DfE SEN2; ONS population"


@dataclass(frozen=True)
class Outcome:
    """A simulated measure as a planner reads it."""

    measure: str
    label: str
    unit: str
    kind: str  # "stock" (January) or "flow" (calendar year)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("ehcp_total", "EHC plans", "children and young people", "stock"),
    Outcome("sen_support", "Children on SEN support", "children", "stock"),
    Outcome("ehcp_state_special", "Plans placed in state special schools", "children and young people", "stock"),
    Outcome("ehcp_independent_special", "Plans placed in independent or non-maintained special schools",
            "children and young people", "stock"),
    Outcome("waiting_special_place", "Children waiting for a local special school place", "children", "stock"),
    Outcome("in_assessment", "Children waiting for an EHC needs assessment", "children", "stock"),
    Outcome("requests", "Requests for an EHC needs assessment", "requests a year", "flow"),
    Outcome("new_plans", "New EHC plans issued", "plans a year", "flow"),
    Outcome("issued_within_20wk_pct", "New plans issued within 20 weeks", "% of new plans", "flow"),
    Outcome("child_weeks_waited", "Time waited for a local special school place", "child-weeks a year", "flow"),
    Outcome("cost_gbp", "Spend on the pathway", "GBP a year, price base", "flow"),
)
#: Placement group -> plain label, from the one vocabulary of measures.
PLACEMENT_LABELS = {group: MEASURES[group].label.removeprefix("EHC plans: ").capitalize() for group in PLACEMENT_GROUPS}


def _year_label(outcome: Outcome, year: int) -> str:
    return f"January {year}" if outcome.kind == "stock" else f"calendar {year}"


def headline_table(comparison: Comparison) -> pd.DataFrame:
    """One row per headline outcome: each scenario's mean in the last year of the run (last
    January for stocks, last calendar year for flows), and each option's mean difference from
    the baseline with its 95% confidence interval."""
    rows = []
    summary, differences = comparison.summary, comparison.differences
    for outcome in OUTCOMES:
        at = summary[(summary["measure"] == outcome.measure) & (summary["breakdown"] == "")]
        if at.empty:
            continue
        year = int(at["year"].max())
        row = {"Outcome": outcome.label, "Unit": outcome.unit, "When": _year_label(outcome, year)}
        for name in (comparison.baseline, *comparison.options):
            value = at[(at["scenario"] == name) & (at["year"] == year)]["mean"]
            row[name] = float(value.iloc[0]) if len(value) else np.nan
        for name in comparison.options:
            diff = differences[(differences["measure"] == outcome.measure) & (differences["breakdown"] == "")
                               & (differences["year"] == year)
                               & (differences["scenario"] == f"{name} - {comparison.baseline}")]
            if len(diff):
                row[f"{name}: change"] = float(diff["mean"].iloc[0])
                row[f"{name}: change, low (95% CI)"] = float(diff["lo95"].iloc[0])
                row[f"{name}: change, high (95% CI)"] = float(diff["hi95"].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Headline:
    """One headline number of the baseline future, as every output states it.

    ``value``, ``low`` and ``high`` are the CSV's numbers (``simulation.csv`` mean, lo95 and
    hi95, or ``spend.csv`` real_gbp_*); ``text``, ``low_text`` and ``high_text`` are how the
    report, the workbook and the notebooks print them (whole children; money to 3
    significant figures)."""

    key: str
    label: str
    when: str
    value: float
    low: float
    high: float
    text: str
    low_text: str
    high_text: str

    def sentence(self, scenario: str) -> str:
        return (f"{self.label}, {self.when}: {self.text} in the {scenario.lower()} future "
                f"(95% of simulated futures between {self.low_text} and {self.high_text}).")


def headlines(comparison: Comparison) -> list[Headline]:
    """The baseline future in three numbers: EHC plans in the last January of the run,
    requests for assessment in the last calendar year, and spend in the last financial year
    (real terms, at the price base). The same objects feed the report's lead, the workbook's
    Summary and the notebooks, so they cannot disagree."""
    out = []
    summary = comparison.summary
    base = comparison.baseline
    for key, label, kind in (("ehcp_total", "EHC plans", "stock"), ("requests", "Requests for an EHC needs assessment",
                                                                    "flow")):
        rows = summary[(summary["scenario"] == base) & (summary["measure"] == key) & (summary["breakdown"] == "")]
        if rows.empty:
            continue
        row = rows.loc[rows["year"].idxmax()]
        when = f"January {int(row['year'])}" if kind == "stock" else f"calendar year {int(row['year'])}"
        out.append(Headline(key, label, when, float(row["mean"]), float(row["lo95"]), float(row["hi95"]),
                            format_children(row["mean"]), format_children(row["lo95"]), format_children(row["hi95"])))
    spend = comparison.spend
    totals = spend[(spend["scenario"] == base) & (spend["component"] == "total")]
    if not totals.empty:
        row = totals.sort_values("financial_year").iloc[-1]
        out.append(Headline("spend", "Spend on the pathway", f"financial year {row['financial_year']}, "
                            f"{row['price_base']} prices", float(row["real_gbp_mean"]), float(row["real_gbp_lo95"]),
                            float(row["real_gbp_hi95"]), format_money(row["real_gbp_mean"]),
                            format_money(row["real_gbp_lo95"]), format_money(row["real_gbp_hi95"])))
    return out


def headline_sentences(comparison: Comparison) -> list[str]:
    """The baseline future in words, one sentence per headline number."""
    return [item.sentence(comparison.baseline) for item in headlines(comparison)]


def caseload_table(comparison: Comparison) -> pd.DataFrame:
    """EHC plans by placement group, each January, per scenario: mean and 95% range."""
    rows = comparison.summary[comparison.summary["measure"].isin(list(PLACEMENT_LABELS))
                              & (comparison.summary["breakdown"] == "")]
    table = rows.assign(Placement=rows["measure"].map(PLACEMENT_LABELS))
    table = table.rename(columns={"scenario": "Scenario", "year": "January", "mean": "Plans (mean)",
                                  "lo95": "Plans, low (95% predictive)", "hi95": "Plans, high (95% predictive)"})
    return table[["Scenario", "January", "Placement", "Plans (mean)", "Plans, low (95% predictive)",
                  "Plans, high (95% predictive)"]].sort_values(["Scenario", "January", "Placement"],
                                                               kind="stable").reset_index(drop=True)


def costs_table(comparison: Comparison) -> pd.DataFrame:
    """Spend by financial year and component, real and cash, per scenario."""
    spend = comparison.spend
    price_base = spend["price_base"].iloc[0] if len(spend) else ""
    table = spend.rename(columns={
        "scenario": "Scenario", "financial_year": "Financial year", "component": "Component",
        "real_gbp_mean": f"Real (£, {price_base} prices)", "real_gbp_lo95": "Real, low (95%)",
        "real_gbp_hi95": "Real, high (95%)", "cash_gbp_mean": "Cash (£, inflated)", "cash_gbp_lo95": "Cash, low (95%)",
        "cash_gbp_hi95": "Cash, high (95%)"})
    table["Component"] = table["Component"].str.replace("_", " ")
    return table.drop(columns=["price_base"])


def differences_table(comparison: Comparison) -> pd.DataFrame:
    """Option minus baseline for the headline outcomes, every year, with 95% confidence
    intervals for the mean paired difference."""
    labels = {o.measure: o for o in OUTCOMES}
    rows = comparison.differences[comparison.differences["measure"].isin(list(labels))
                                  & (comparison.differences["breakdown"] == "")]
    return pd.DataFrame({
        "Comparison": rows["scenario"].to_numpy(),
        "Outcome": rows["measure"].map(lambda m: labels[m].label).to_numpy(),
        "Unit": rows["measure"].map(lambda m: labels[m].unit).to_numpy(),
        "Year": rows["year"].to_numpy(),
        "Year basis": rows["measure"].map(lambda m: "January" if labels[m].kind == "stock" else "calendar").to_numpy(),
        "Change (mean)": rows["mean"].to_numpy(), "Change, low (95% CI)": rows["lo95"].to_numpy(),
        "Change, high (95% CI)": rows["hi95"].to_numpy(),
    })


def appraisal_table(comparison: Comparison) -> pd.DataFrame:
    """Each option's appraisal statistics in words."""
    if comparison.appraisal.empty:
        return pd.DataFrame(columns=["Option", "Statistic", "Mean", "Low (95% CI)", "High (95% CI)", "Unit", "Note"])
    names = {"total_net_saving_gbp": "Net saving over the run", "npv_net_saving_gbp": "Net present value of the saving",
             "share_broken_even": "Share of runs in which the option has paid back by the end",
             "break_even_year": "Break-even year", "child_weeks_avoided": "Waiting avoided",
             "cost_per_child_week_avoided_gbp": "Extra spend per child-week of waiting avoided"}
    table = comparison.appraisal
    return pd.DataFrame({"Option": table["option"], "Statistic": table["statistic"].map(names).fillna(table["statistic"]),
                         "Mean": table["mean"], "Low (95% CI)": table["lo95"], "High (95% CI)": table["hi95"],
                         "Unit": table["unit"], "Note": table["note"]})


def readable_appraisal(table: pd.DataFrame) -> pd.DataFrame:
    """The appraisal table as a reader takes it in: money in pounds (millions where large),
    shares as percentages, years as years, missing as "-"."""
    def show(value: float, unit: str) -> str:
        if pd.isna(value):
            return "-"
        if unit.startswith("GBP"):
            return _money(value)
        if unit.startswith("share"):
            return format_share(value)
        if unit == "calendar year":
            return f"{value:.0f}"
        if unit == FINANCIAL_YEAR:
            return financial_year_label(int(value))
        return format_children(value)

    out = table.copy()
    for column in ("Mean", "Low (95% CI)", "High (95% CI)"):
        out[column] = [show(v, u) for v, u in zip(table[column], table["Unit"])]
    return out.drop(columns=["Note"])


def assumptions_table(comparison: Comparison) -> pd.DataFrame:
    """One row per assumption a reader should know, with its value and where it comes from."""
    rows = []
    for item in comparison.scenarios:
        s = item.scenario
        source = item.files[0].name
        early = s.early_identification
        rows += [
            (item.name, "Start year (January caseload)", s.scenario.start_year, "scenario file " + source),
            (item.name, "Years simulated", s.scenario.horizon, "scenario file " + source),
        ]
        if central(early.share_identified_early) or central(early.share_more_identified):
            rows += [(item.name, f"Early identification: {name.replace('_', ' ')}", getattr(early, name),
                      f"scenario file {source}: {early.source_of(name)}") for name in ENGINE_LEVER_FIELDS]
        else:
            rows.append((item.name, "Early identification", "none", "scenario file " + source))
        rows += [
            (item.name, "Assessment capacity (assessments a year)",
             s.assessment.capacity_per_year if s.assessment.capacity_per_year is not None else "as calibrated",
             "scenario file " + source),
            (item.name, "New special school places",
             "; ".join(f"{p.name}: {p.places} {p.phase} places from {p.from_year}" for p in s.special_places.additional)
             or "none", "scenario file " + source),
            (item.name, "Places added each January (assumed)",
             {"forecast": "as the forecast engine's central forecast of children in state special schools grows "
                          "from the start January (places never closed)",
              "growing": "the mean yearly increase of children in state special schools over the six "
                         "Januaries to the start",
              "frozen": "none: no places beyond the capacity file and the new places above"}[s.special_places.places_rule],
             "scenario file " + source),
            (item.name, "When no local special place is free", _overflow_text(s.special_places),
             "scenario file " + source),
            (item.name, "Home-to-school transport (£ a year per child, by placement)",
             "; ".join(f"{g}: {v:,.0f}" for g, v in s.costs.transport_gbp.items()) or (
                 "default: s251 SEN transport per plan (sendcast.money.option_costs)" if s.costs.default_transport
                 else "not included"),
             "scenario file " + source),
            (item.name, "Price base", s.costs.price_base, "scenario file " + source),
            (item.name, "Inflation (% a year)", s.costs.inflation_pct, "scenario file " + source + " (assumption)"),
            (item.name, "Discount rate (% a year)", s.costs.discount_rate_pct, "HM Treasury Green Book"),
        ]
        params = comparison.parameters.get(item.name)
        if params is not None and params.placement.moves:
            rows.append((item.name, "Plans moving inside a school phase (a year, of plans in mainstream)",
                         describe_moves(params.placement.mid_phase_moves), MOVES_SOURCE))
    rows.append(("all", "Replications (paired runs per scenario)", comparison.replications,
                 "the same random numbers for every scenario (common random numbers)"))
    rows.append(("all", "Random seed", comparison.seed, "scenario file of the baseline"))
    table = pd.DataFrame(rows, columns=["Scenario", "Assumption", "Value", "Source"])
    table["Value"] = table["Value"].map(lambda v: v.describe() if isinstance(v, Distribution)
                                        else v if isinstance(v, (int, float)) else str(v))
    return table


SOURCES = pd.DataFrame([
    ("EHC plans, placements, requests, assessments, new plans, ceased plans, 20-week timeliness",
     "DfE, Education, health and care plans (SEN2), releases 2022 and 2025", "Open Government Licence v3.0"),
    ("SEN support and EHC plan percentages of pupils", "DfE Local Authority Interactive Tool (school census)",
     "Open Government Licence v3.0"),
    ("Population aged 0-25", "ONS subnational population projections (2018- and 2022-based)",
     "Open Government Licence v3.0"),
    ("Unit costs by placement", "DfE high-needs benchmarking tool, s251 outturn 2021-22; derived by sendcast "
     "(outturn / average plans)", "Open Government Licence v3.0; derived estimate"),
    ("Special school places", "data/capacity/<LA code>.csv (for Gloucestershire: third-party table, low confidence)",
     "see the file's source column"),
    ("Early identification levers", "scenario files: illustrative unless the file says otherwise", "assumption"),
    ("GDP deflator (restating 2021-22 unit costs at 2025-26 prices)", "HM Treasury, GDP deflators at market prices, "
     "and money GDP (data/prices/gdp_deflator.csv)", "ASSUMPTION: 2% a year stands in for the published deflator, "
     "which is not in the shipped data (see the file)"),
], columns=["What", "Source", "Licence or status"])


def caseload_years_across(comparison: Comparison) -> pd.DataFrame:
    """EHC plans by placement group, one row per scenario and placement, Januaries across
    (means over the runs; the 95% ranges are in simulation.csv)."""
    table = caseload_table(comparison)
    wide = table.pivot_table(index=["Scenario", "Placement"], columns="January", values="Plans (mean)", sort=False)
    wide.columns = [f"January {int(c)}" for c in wide.columns]
    return wide.reset_index()


def differences_years_across(comparison: Comparison) -> pd.DataFrame:
    """Option minus baseline for the headline outcomes, years across (mean paired change; the
    95% confidence intervals are in differences.csv and the report)."""
    table = differences_table(comparison)
    wide = table.pivot_table(index=["Comparison", "Outcome", "Unit", "Year basis"], columns="Year",
                             values="Change (mean)", sort=False)
    wide.columns = [str(int(c)) for c in wide.columns]
    return wide.reset_index()


def workbook_sheets(comparison: Comparison, extra: list[Sheet] | None = None) -> list[Sheet | FormulaSheet]:
    """The finance workbook: Summary (headline, spend by financial year: formulas), Inputs
    (unit costs, inflation, price base, discount rate, GDP deflator), Costs by year (formulas),
    Activity, Caseload by placement, Scenario differences, Value for money and the sensitivity
    analysis (PSA, PSA draws: :mod:`sendcast.reporting.psa_sheets`) with options, extra sheets
    (Sufficiency, Neighbours), Assumptions, Sources."""
    costs = finance_sheets.unit_costs(comparison)
    inputs, cost_cells = finance_sheets.inputs_sheet(comparison, costs)
    activity_sheet, cost_sheet, cells = finance_sheets.activity_and_cost_sheets(comparison, costs, cost_cells)
    outcomes = headline_table(comparison)
    summary = finance_sheets.summary_sheet(comparison, cells, headlines(comparison), outcomes)
    caseload = caseload_years_across(comparison)
    sheets: list[Sheet | FormulaSheet] = [
        summary, inputs, cost_sheet, activity_sheet,
        Sheet("Caseload by placement", "EHC plans by placement, each January (mean over the simulation runs)",
              f"The 95% band is in simulation.csv: {comparison.band_note}.", caseload,
              {c: "count" for c in caseload.columns if c.startswith("January")}),
    ]
    if comparison.options:
        differences = differences_years_across(comparison)
        sheets.append(Sheet("Scenario differences", "What each option changes, year by year (option minus baseline)",
                            "Mean paired change over the simulation runs; 95% confidence intervals (simulation "
                            "noise: how precisely the runs pin down the mean change) in differences.csv and the report.",
                            differences,
                            {c: "decimal" for c in differences.columns if c.isdigit()}))
        caveats = [f"{option}: {caveat}" for option in comparison.options if anyone_waits(comparison, option)
                   for caveat in [waiting_cost_caveat(comparison, option)] if caveat]
        sheets.append(Sheet("Value for money", "Net saving, net present value, break-even and cost per week of "
                            "waiting avoided", " ".join(["Saving = baseline spend minus option spend (positive: the "
                            "option saves), by April-March financial year from the paired runs; Green Book "
                            "discounting.", *caveats]),
                            appraisal_table(comparison),
                            {"Mean": "decimal", "Low (95% CI)": "decimal", "High (95% CI)": "decimal"}))
        psa = [(option, comparison.psa[option]) for option in comparison.options if option in comparison.psa
               and not comparison.psa[option].saving.empty]
        for k, (option, result) in enumerate(psa):
            sheets += psa_sheets(option, result, price_base=comparison.scenario(comparison.baseline).costs.price_base,
                                 suffix="" if len(psa) == 1 else f" {k + 1}")
    sheets += list(extra or [])
    sheets.append(Sheet("Assumptions", "Assumptions, one per row, with their source",
                        "Illustrative values are labelled in the scenario files; replace them with local evidence.",
                        assumptions_table(comparison), {}))
    sheets.append(Sheet("Sources", "Where the data come from", "All inputs are published aggregate data unless "
                        "marked as an assumption or a derived estimate.", SOURCES, {}))
    return sheets


def _money(value: float) -> str:
    """Pounds to 3 significant figures (:func:`sendcast.reporting.display.format_money`)."""
    return format_money(value)


def option_sentences(comparison: Comparison, option: str) -> list[str]:
    """Plain-English findings for one option against the baseline, from the numbers."""
    stats = comparison.appraisal[comparison.appraisal["option"] == option].set_index("statistic")
    head = headline_table(comparison).set_index("Outcome")
    out = []
    for label, noun in (("EHC plans", "EHC plans"), ("Children on SEN support", "children on SEN support"),
                        ("Plans placed in independent or non-maintained special schools",
                         "independent special school placements")):
        if label in head.index and f"{option}: change" in head.columns:
            row = head.loc[label]
            lo, hi = row[f"{option}: change, low (95% CI)"], row[f"{option}: change, high (95% CI)"]
            change = row[f"{option}: change"]
            certain = "" if (lo > 0 or hi < 0) else " (not distinguishable from no change)"
            out.append(f"{noun[0].upper() + noun[1:]} in {row['When']}: {format_children(row[comparison.baseline])} in "
                       f"the baseline, {format_change(change)} with this option (95% CI {format_change(lo)} to "
                       f"{format_change(hi)}){certain}.")
    if "npv_net_saving_gbp" in stats.index:
        npv = stats.loc["npv_net_saving_gbp"]
        verdict = "saves money" if npv["lo95"] > 0 else "costs more" if npv["hi95"] < 0 else "is close to cost-neutral"
        out.append(f"Over the run the option {verdict}: net present value of the saving {_money(npv['mean'])} "
                   f"(95% CI {_money(npv['lo95'])} to {_money(npv['hi95'])}).")
    if "break_even_year" in stats.index:
        year = stats.loc["break_even_year"]["mean"]
        share = stats.loc["share_broken_even"]["mean"] if "share_broken_even" in stats.index else np.nan
        if np.isnan(year):
            out.append("On average it does not pay back within the run "
                       f"(it had paid back by the end in {format_share(share)} of runs).")
        else:
            certain = "" if share >= 0.9 else f", but this is uncertain: it had paid back by the end in only " \
                                              f"{format_share(share)} of runs"
            out.append("On average it pays back (cumulative saving stays positive) from financial year "
                       f"{financial_year_label(int(year))}{certain}.")
    if "child_weeks_avoided" in stats.index:
        weeks = stats.loc["child_weeks_avoided"]
        if not anyone_waits(comparison, option):
            return out  # nobody waits in either scenario: the children section says where they went instead
        if weeks["mean"] < 0:  # the option adds waiting: say so, in positive child-weeks
            out.append(f"Waiting for a local special place added: {format_children(-weeks['mean'])} child-weeks "
                       f"(95% CI {format_children(-weeks['hi95'])} to {format_children(-weeks['lo95'])}).")
        else:
            out.append(f"Waiting for a local special place avoided: {format_children(weeks['mean'])} child-weeks "
                       f"(95% CI {format_change(weeks['lo95'])} to {format_change(weeks['hi95'])}).")
        caveat = waiting_cost_caveat(comparison, option)
        if caveat:
            out.append(caveat)
    return out


def anyone_waits(comparison: Comparison, option: str) -> bool:
    """Whether any child waits for a local special place in the baseline or ``option``."""
    summary = comparison.summary
    waited = summary[(summary["measure"] == "child_weeks_waited")
                     & summary["scenario"].isin([comparison.baseline, option])]["mean"]
    return bool((waited > 0).any())


def waiting_cost_caveat(comparison: Comparison, option: str) -> str:
    """What a money figure leaves out when an option changes how many children wait for a
    special place and waiting children never go to independent schools (overflow rate 0):
    they are costed where they wait, so fewer places read as a saving; empty otherwise."""
    places = comparison.scenario(option).special_places
    if places.overflow_policy != "wait" or places.overflow_rate_per_year > 0:
        return ""
    where = "a mainstream school at school age" if places.waiting_placement == "mainstream" else "'other'"
    return ("Read the money with the waiting: a child waiting for a special place is costed where it waits "
            f"({where}), without the special provision its plan names, and is never placed in an independent "
            "special school (overflow rate 0, chosen on 2021-2025 history, when places kept pace with children). "
            "Fewer places therefore read as a saving and more places as a cost; a shortage beyond history's may "
            "cost more (tribunals, independent placements): to test that, set overflow_rate_per_year in both "
            "scenario files, as a stated assumption.")


def _spend_by_component(spend: pd.DataFrame, scenario: str) -> pd.Series:
    """A scenario's real-terms spend over the run, by cost component."""
    rows = spend[(spend["scenario"] == scenario) & (spend["component"] != "total")]
    return rows.groupby("component")["real_gbp_mean"].sum()


def figures(comparison: Comparison) -> dict[str, Figure]:
    """Charts for the report and the run folder, by file name."""
    names = [comparison.baseline, *comparison.options]
    out = {}
    for outcome in OUTCOMES:
        if outcome.measure in ("cost_gbp", "issued_within_20wk_pct", "child_weeks_waited"):
            continue
        out[f"scenarios_{outcome.measure}.png"] = scenario_chart(
            comparison.summary, measure=outcome.measure, scenarios=names,
            title=f"{outcome.label}, {comparison.la}: scenarios", units=outcome.unit, source=SOURCE)
    file_names = option_file_names(list(comparison.options))
    for option in comparison.options:
        name_part = file_names[option]
        out[f"difference_{name_part}_ehcp_total.png"] = difference_chart(
            comparison.differences, measure="ehcp_total", option=option,
            title=f"EHC plans: {option} minus {comparison.baseline}", units="children and young people",
            source=SOURCE)
        spend = comparison.spend
        base, other = _spend_by_component(spend, comparison.baseline), _spend_by_component(spend, option)
        every = base.index.union(other.index)
        changes = other.reindex(every, fill_value=0.0) - base.reindex(every, fill_value=0.0)
        changes = changes[changes.abs() > 0.5]
        changes.index = [finance_sheets.component_name(c) for c in changes.index]
        result = comparison.psa.get(option)
        if result is not None and not result.tornado.empty:
            out[f"tornado_{name_part}.png"] = tornado_chart(
                result.tornado, title=f"What drives the saving: {option}", source=SOURCE)
        if result is not None and not result.by_year.empty:
            out[f"probability_saving_{name_part}.png"] = probability_chart(
                result.by_year, title=f"Chance {option} has saved money, by year", source=SOURCE)
        out[f"waterfall_{name_part}.png"] = cost_waterfall(
            float(base.sum()), changes, title=f"Spend over the run: {comparison.baseline} to {option}",
            units=f"GBP, {spend['price_base'].iloc[0]} prices", source=SOURCE)
    return out


def accuracy_lines(result: LaForecast) -> list[str]:
    """How accurate the forecasting method has been, in words, from the national backtest."""
    record = result.backtest_summary
    if record.empty:
        return ["No backtest record is available for this forecast."]
    out = ["Every method was tested on every LA in England in real time: at each past year, the method, its "
           "windows, how far each LA leans on England's growth and the intervals were chosen from the data known "
           "then, and the forecast was scored against what was published later (a nested rolling-origin backtest)."]
    total = record[record["measure"] == "ehcp_total"].sort_values("horizon")
    for _, row in total[total["horizon"] <= 3].iterrows():
        out.append(f"EHC plans, {int(row['horizon'])} year(s) ahead ({int(row['n_series'])} LAs, origins "
                   f"{int(row['first_origin'])}-{int(row['last_origin'])}): typically {row['median_ape_pct']:.1f}% "
                   f"out; error {row['relative_mase']:.2f} times that of a straight line through the last five "
                   f"Januaries; 80% intervals held {row['coverage80']:.0%} and 95% intervals "
                   f"{row['coverage95']:.0%} of outcomes.")
    return out


def sufficiency_sheet(result: LaForecast) -> Sheet:
    """State special demand against places, per January, for the finance workbook."""
    table = result.sufficiency.rename(columns={
        "year": "January", "mean": "Demand (mean)", "lo80": "Demand, low (80%)", "hi80": "Demand, high (80%)",
        "capacity": "Places", "gap": "Demand minus places", "prob_exceeds": "Chance demand exceeds places",
        "expected_shortfall": "Expected children without a place"})
    keep = [c for c in ("January", "Demand (mean)", "Demand, low (80%)", "Demand, high (80%)", "Places",
                        "Demand minus places", "Chance demand exceeds places", "Expected children without a place")
            if c in table.columns]
    return Sheet("Sufficiency", "State special school places against forecast demand",
                 "From the time-series forecast of the published trend; places from the capacity file (low "
                 "confidence for Gloucestershire).", table[keep],
                 {c: "count" for c in keep if c not in ("January", "Chance demand exceeds places")}
                 | {"January": "year", "Chance demand exceeds places": "decimal"})


def neighbours_sheet(neighbours: NeighbourComparison) -> Sheet:
    """EHC plans against the statistical neighbours, each January, for the finance workbook:
    the LA's plans and its index beside the neighbours' median and range."""
    rows = neighbours.table[neighbours.table["measure"] == "ehcp_total"]
    base_year = neighbours.base_year
    table = pd.DataFrame({
        "January": rows["year"].to_numpy(),
        "Published or forecast": rows["kind"].map({"history": "published", "forecast": "central forecast"}).to_numpy(),
        f"{neighbours.la_name}: EHC plans": rows["plans"].to_numpy(),
        f"{neighbours.la_name}: index (January {base_year} = 100)": rows["value"].to_numpy(),
        "Neighbours: median index": rows["neighbours_median"].to_numpy(),
        "Neighbours: lowest index": rows["neighbours_min"].to_numpy(),
        "Neighbours: highest index": rows["neighbours_max"].to_numpy(),
        "Neighbours with a value": rows["n_neighbours"].to_numpy(),
    })
    return Sheet("Neighbours", f"EHC plans in {neighbours.la_name} against its statistical neighbours",
                 f"Index: each area's own EHC plans in January {base_year} = 100. Forecast years use each area's "
                 "central forecast by the same method; the neighbours' range is the spread of those central "
                 "forecasts, not a prediction interval. Neighbours: DfE statistical neighbours (May 2025).", table,
                 {"January": "year", f"{neighbours.la_name}: EHC plans": "count", "Neighbours with a value": "count"})


def _overflow_text(places) -> str:
    """What happens to a child who finds no local special place, as the assumptions table says it."""
    if places.overflow_policy == "independent":
        return "placed in an independent special school at once"
    rate = places.overflow_rate_per_year
    where = ("in a mainstream school at school age, in 'other' otherwise" if places.waiting_placement == "mainstream"
             else "counted in 'other'")
    if rate <= 0:
        return f"the child waits ({where}) until a local place frees (chosen out of sample)"
    source = "the baseline's" if rate == OVERFLOW_RATE_PER_YEAR else "the scenario's figure, an assumption"
    return (f"the child waits ({where}), and is placed in an independent special school at {rate:g} a year "
            f"(mean wait {12 / rate:.0f} months; {source})")
