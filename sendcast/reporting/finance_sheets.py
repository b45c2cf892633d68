"""The finance workbook's working sheets: Inputs drive formulas for every cost and total.

- **Inputs**: the price base, cash inflation (% a year after the price base), the discount
  rate, each scenario's unit cost per component (pounds at the price base, shaded: change
  them), and HM Treasury's GDP deflator with its source and status.
- **Activity**: what the money buys, per scenario, component and April-March financial year,
  years across: child-years in each placement, assessments completed, children given early
  support (means over the simulation runs). It is the simulation's spend divided by the unit
  cost it used, so activity x unit cost gives back the simulation's spend to the pound.
- **Costs by year**: per scenario, each component = Activity x Inputs unit cost (a formula),
  the total (SUM), the total in cash terms (x (1 + inflation) ^ years after the price base) and
  the present value (discounted at the Inputs rate); a column for the run's total.
- **Summary**: the baseline's headline numbers, then spend by financial year for every scenario
  (formulas pointing at Costs by year), real and cash, then the key outcomes.

Components with no unit cost (alternative provision and "other": no published cost) have no
activity in pounds and are listed as not costed. Units: pounds at the price base (real) or
inflated (cash); financial years April-March.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sendcast.data.years import financial_year_start
from sendcast.money import prices
from sendcast.reporting.workbook import FormulaSheet
from sendcast.scenarios.pipeline import Comparison
from simulation.parameters import PLACEMENTS

#: Cost component -> (plain label, unit of activity).
COMPONENTS = {
    "mainstream": ("Mainstream school (EHC plan top-up)", "child-years"),
    "resourced_unit": ("Resourced provision or SEN unit", "child-years"),
    "state_special": ("State special school", "child-years"),
    "independent_special": ("Independent or non-maintained special school", "child-years"),
    "fe": ("Further education", "child-years"),
    "ap": ("Alternative provision", "child-years"),
    "other": ("Other placements", "child-years"),
    "assessment": ("EHC needs assessments", "assessments completed"),
    "early_support": ("Early support (early identification)", "children supported"),
}
FIRST_DATA_COLUMN = 4  # A: scenario, B: component, C: unit / basis; years from D

#: Names of the cost components that are not a placement or activity of :data:`COMPONENTS`
#: (options' costs: :mod:`sendcast.scenarios.option_cost_setup`).
OPTION_COMPONENTS = {"transport": "Home-to-school transport", "capital": "Capital cost of new places",
                     "assessment_staff": "Assessment staff"}


def component_name(component: str) -> str:
    """A cost component's name as the finance tables and charts show it."""
    if component in COMPONENTS:
        return COMPONENTS[component][0]
    return OPTION_COMPONENTS.get(component, str(component).replace("_", " ").capitalize())


@dataclass(frozen=True)
class CostCells:
    """Where each scenario's totals are on Costs by year: row numbers by scenario, and the
    column of each financial year (the same on Activity and Summary)."""

    real_total_row: dict[str, int]
    cash_total_row: dict[str, int]
    present_value_row: dict[str, int]
    year_columns: dict[str, int]
    total_column: int


def scenario_parameters(comparison: Comparison, name: str):
    """A scenario's central simulation parameters (undrawn: :attr:`Comparison.parameters`; an
    option's uncertain costs are drawn on top at run time, so the workbook shows the value the
    scenario file gives)."""
    return comparison.parameters[name]


def unit_costs(comparison: Comparison) -> pd.DataFrame:
    """One row per cost component, one column per scenario: the unit cost (pounds at the
    price base) the simulation used."""
    table = {}
    for name in (comparison.baseline, *comparison.options):
        parameters = scenario_parameters(comparison, name)
        costs = np.asarray(parameters.costs.placement_gbp_per_year, dtype=float)
        column = {placement: float(costs[k]) for k, placement in enumerate(PLACEMENTS)}
        column["assessment"] = float(parameters.costs.assessment_gbp)
        column["early_support"] = float(parameters.early_identification.cost_per_child_gbp)
        table[name] = column
    return pd.DataFrame(table).reindex(list(COMPONENTS))


def activity(comparison: Comparison, costs: pd.DataFrame) -> pd.DataFrame:
    """Activity by scenario, component and financial year (mean over runs): the simulation's
    real-terms spend divided by the unit cost; NaN where the unit cost is 0 (not costed)."""
    spend = comparison.spend[comparison.spend["component"] != "total"]
    rows = []
    for (scenario, component), part in spend.groupby(["scenario", "component"], sort=False):
        cost = costs.at[component, scenario] if component in costs.index else 0.0
        for year, value in zip(part["financial_year"], part["real_gbp_mean"]):
            rows.append({"scenario": scenario, "component": component, "financial_year": year,
                         "activity": value / cost if cost > 0 else np.nan})
    return pd.DataFrame(rows)


def inputs_sheet(comparison: Comparison, costs: pd.DataFrame) -> tuple[FormulaSheet, dict[tuple[str, str], str]]:
    """The Inputs sheet and the address of each (component, scenario) unit cost."""
    settings = comparison.scenario(comparison.baseline).costs
    sheet = FormulaSheet("Inputs", header_rows=(1, 3), freeze="A4")
    sheet.put(1, 1, "Inputs: change the shaded cells and every cost and total in the workbook follows", bold=True)
    sheet.put(2, 1, f"Money in pounds at {settings.price_base} prices (financial year April-March) unless said "
              "otherwise. Values from the scenario files and the data; shaded cells are assumptions you may replace.")
    sheet.put(3, 1, "Setting", header=True)
    sheet.put(3, 2, "Value", header=True)
    sheet.put(3, 3, "Unit", header=True)
    sheet.put(3, 4, "Source", header=True)
    rows = [("Price base", settings.price_base, "financial year", "text",
             "every real-terms figure; unit costs restated to it with HM Treasury's GDP deflator (below)"),
            ("Price base year", financial_year_start(settings.price_base), "year the financial year starts", "year",
             "from the price base"),
            ("Inflation after the price base", settings.inflation_pct, "% a year (cash terms)", "decimal2",
             "assumption: the scenario's costs.inflation_pct (Bank of England CPI target); the trend forecast uses "
             "the same rate"),
            ("Discount rate", settings.discount_rate_pct, "% a year", "decimal2", "HM Treasury Green Book")]
    names = {"Price base year": "PriceBaseYear", "Inflation after the price base": "InflationPct",
             "Discount rate": "DiscountRatePct"}
    for offset, (label, value, unit, fmt, source) in enumerate(rows):
        row = 4 + offset
        sheet.put(row, 1, label)
        sheet.put(row, 2, value, fmt if fmt != "text" else None, input=label in names and label != "Price base year")
        sheet.put(row, 3, unit)
        sheet.put(row, 4, source)
        if label in names:
            sheet.names[names[label]] = f"$B${row}"
    top = 10
    sheet.put(top - 1, 1, "Unit costs by scenario (pounds at the price base)", bold=True)
    sheet.put(top, 1, "Component", header=True)
    sheet.put(top, 2, "Cost of", header=True)
    scenarios = list(costs.columns)
    for j, name in enumerate(scenarios):
        sheet.put(top, 3 + j, name, header=True)
    source_column = 3 + len(scenarios)
    sheet.put(top, source_column, "Source", header=True)
    where = {}
    for i, component in enumerate(COMPONENTS):
        row = top + 1 + i
        label, unit = COMPONENTS[component]
        sheet.put(row, 1, label)
        sheet.put(row, 2, "one " + unit.removesuffix("s").replace("child-year", "child for a year")
                  .replace("assessments completed", "assessment").replace("children supported", "child supported"))
        for j, name in enumerate(scenarios):
            value = float(costs.at[component, name])
            where[(component, name)] = sheet.put(row, 3 + j, value, "gbp", input=True)
        sheet.put(row, source_column, _cost_source(component))
    row = top + len(COMPONENTS) + 3
    deflator = prices.read_deflator()
    sheet.put(row, 1, "HM Treasury GDP deflator at market prices (2025-26 = 100)", bold=True)
    sheet.put(row + 1, 1, "Financial year", header=True)
    sheet.put(row + 1, 2, "Index", header=True)
    sheet.put(row + 1, 3, "Status", header=True)
    for k, (year, value) in enumerate(sorted(deflator.index.items()), start=2):
        sheet.put(row + k, 1, year)
        sheet.put(row + k, 2, value, "decimal2")
        sheet.put(row + k, 3, deflator.status)
    sheet.put(row + len(deflator.index) + 2, 1, "Source: " + deflator.source)
    sheet.widths.update({1: 46, 2: 22, 3: 22, 4: 22})
    for j in range(len(scenarios)):
        sheet.widths[3 + j] = 22
    sheet.widths[source_column] = 60
    return sheet, where


def _cost_source(component: str) -> str:
    if component in ("ap", "other"):
        return "no published unit cost: not costed (0) unless you enter one here and the activity is known"
    if component == "assessment":
        return "ILLUSTRATIVE: GBP 5,000 per completed assessment (no published figure)"
    if component == "early_support":
        return "scenario file: early_identification.cost_per_child_gbp (illustrative)"
    return ("derived from the 2021-22 s251 outturn / average plans (DfE high-needs benchmarking), restated with the "
            "GDP deflator; a scenario's unit_costs_gbp or transport_gbp replaces or adds to it")


def activity_and_cost_sheets(comparison: Comparison, costs: pd.DataFrame, cost_cells: dict[tuple[str, str], str]
                             ) -> tuple[FormulaSheet, FormulaSheet, CostCells]:
    """Activity (values) and Costs by year (formulas), years across."""
    table = activity(comparison, costs)
    years = sorted(comparison.spend["financial_year"].unique())
    settings = comparison.scenario(comparison.baseline).costs
    base_year = financial_year_start(settings.price_base)
    act = FormulaSheet("Activity", header_rows=(1, 4), freeze="D5")
    act.put(1, 1, "What the money buys: activity by April-March financial year (mean over the simulation runs)",
            bold=True)
    act.put(2, 1, "Child-years in each placement, assessments completed and children given early support. Equal to "
            "the simulation's spend divided by its unit cost, so Activity x unit cost (Inputs) gives back its spend.")
    cost = FormulaSheet("Costs by year", header_rows=(1, 4), freeze="D5")
    cost.put(1, 1, f"Spend by April-March financial year: activity x unit cost, pounds at {settings.price_base} "
             "prices (real) and cash", bold=True)
    cost.put(2, 1, "Every figure is a formula: change a unit cost, the inflation or the discount rate on Inputs and "
             "the totals here and on Summary follow. Cash = real x (1 + inflation) ^ (years after the price base).")
    for sheet in (act, cost):
        for j, text in enumerate(("Scenario", "Component", "Unit" if sheet is act else "Basis"), start=1):
            sheet.put(4, j, text, header=True)
        for k, year in enumerate(years):
            sheet.put(4, FIRST_DATA_COLUMN + k, year, header=True)
    total_column = FIRST_DATA_COLUMN + len(years)
    cost.put(4, total_column, "Total over the run", header=True)
    year_columns = {year: FIRST_DATA_COLUMN + k for k, year in enumerate(years)}
    real_rows, cash_rows, pv_rows = {}, {}, {}
    row = 5
    for name in (comparison.baseline, *comparison.options):
        part = table[table["scenario"] == name]
        first = row
        for component in COMPONENTS:
            rows = part[part["component"] == component]
            if rows.empty:
                continue
            label, unit = COMPONENTS[component]
            for sheet in (act, cost):
                sheet.put(row, 1, name)
                sheet.put(row, 2, label)
            act.put(row, 3, unit)
            costed = rows["activity"].notna().all()
            cost.put(row, 3, "real" if costed else "not costed")
            for year, value in zip(rows["financial_year"], rows["activity"]):
                column = year_columns[year]
                if costed:
                    act.put(row, column, float(value), "decimal")
                    unit_cost = cost_cells[(component, name)]
                    cost.formula(row, column, f"={act.ref(row, column, absolute=False)}*{unit_cost}", "gbp")
                else:
                    act.put(row, column, "-")
                    cost.put(row, column, 0, "gbp")
            cost.formula(row, total_column, f"=SUM({_a1(row, FIRST_DATA_COLUMN)}:{_a1(row, total_column - 1)})", "gbp")
            row += 1
        spend = comparison.spend
        others = spend[(spend["scenario"] == name) & ~spend["component"].isin([*COMPONENTS, "total"])]
        for component, rows in others.groupby("component", sort=True):
            # a cost the simulation adds without a unit cost here (capital, staff, transport...)
            label = component_name(str(component))
            for sheet in (act, cost):
                sheet.put(row, 1, name)
                sheet.put(row, 2, label)
            act.put(row, 3, "-")
            cost.put(row, 3, "real, as simulated")
            for year, value in zip(rows["financial_year"], rows["real_gbp_mean"]):
                act.put(row, year_columns[year], "-")
                cost.put(row, year_columns[year], float(value), "gbp")
            cost.formula(row, total_column, f"=SUM({_a1(row, FIRST_DATA_COLUMN)}:{_a1(row, total_column - 1)})", "gbp")
            row += 1
        last = row - 1
        cost.put(row, 1, name, bold=True)
        cost.put(row, 2, "Total", bold=True)
        cost.put(row, 3, "real", bold=True)
        for column in [*year_columns.values(), total_column]:
            cost.formula(row, column, f"=SUM({_a1(first, column)}:{_a1(last, column)})", "gbp", bold=True)
        real_rows[name] = row
        cost.put(row + 1, 1, name)
        cost.put(row + 1, 2, "Total")
        cost.put(row + 1, 3, "cash (inflated)")
        for year, column in year_columns.items():
            after = financial_year_start(year) - base_year
            cost.formula(row + 1, column, f"={_a1(row, column)}*(1+InflationPct/100)^{after}", "gbp")
        cost.formula(row + 1, total_column, f"=SUM({_a1(row + 1, FIRST_DATA_COLUMN)}:{_a1(row + 1, total_column - 1)})",
                     "gbp")
        cash_rows[name] = row + 1
        cost.put(row + 2, 1, name)
        cost.put(row + 2, 2, "Total, present value")
        cost.put(row + 2, 3, "real, discounted to the first year")
        for k, column in enumerate(year_columns.values()):
            cost.formula(row + 2, column, f"={_a1(row, column)}/(1+DiscountRatePct/100)^{k}", "gbp")
        cost.formula(row + 2, total_column, f"=SUM({_a1(row + 2, FIRST_DATA_COLUMN)}:{_a1(row + 2, total_column - 1)})",
                     "gbp")
        pv_rows[name] = row + 2
        row += 4
    for sheet in (act, cost):
        sheet.widths.update({1: 22, 2: 44, 3: 22})
        for column in [*year_columns.values(), total_column]:
            sheet.widths[column] = 14 if sheet is act else 16
    return act, cost, CostCells(real_rows, cash_rows, pv_rows, year_columns, total_column)


def _a1(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def summary_sheet(comparison: Comparison, cells: CostCells, headline_rows: list,
                  outcomes: pd.DataFrame) -> FormulaSheet:
    """Summary: the baseline's headline numbers, spend by financial year (formulas), key outcomes."""
    settings = comparison.scenario(comparison.baseline).costs
    title = (f"{comparison.la}: {', '.join(comparison.options)} against {comparison.baseline}" if comparison.options
             else f"{comparison.la}: {comparison.baseline}")
    sheet = FormulaSheet("Summary", header_rows=(1, 2), freeze="A3")
    sheet.put(1, 1, title, bold=True)
    sheet.put(2, 1, f"Means over {comparison.replications} simulation runs"
              + (" (paired: every scenario sees the same random numbers)" if comparison.options else "")
              + f". Money: pounds at {settings.price_base} prices unless marked cash; financial years April-March.")
    row = 4
    sheet.put(row, 1, f"The {comparison.baseline.lower()} future", bold=True)
    row += 1
    for j, text in enumerate(("Measure", "When", "Central", "Low (95% predictive)", "High (95% predictive)"), start=1):
        sheet.put(row, j, text, header=True)
    last_year = max(cells.year_columns)
    for item in headline_rows:
        row += 1
        sheet.put(row, 1, item.label)
        sheet.put(row, 2, item.when)
        fmt = "gbp" if item.key == "spend" else "count"
        if item.key == "spend":
            total_row = cells.real_total_row[comparison.baseline]
            cost_ref = f"'Costs by year'!{_a1(total_row, cells.year_columns[last_year])}"
            sheet.formula(row, 3, f"={cost_ref}", fmt)
        else:
            sheet.put(row, 3, round(item.value), fmt)
        sheet.put(row, 4, round(item.low) if item.key != "spend" else item.low, fmt)
        sheet.put(row, 5, round(item.high) if item.key != "spend" else item.high, fmt)
    row += 2
    sheet.put(row, 1, "Spend by financial year (formulas from Costs by year)", bold=True)
    row += 1
    sheet.put(row, 1, "Scenario", header=True)
    sheet.put(row, 2, "Basis", header=True)
    for year, column in cells.year_columns.items():
        sheet.put(row, column - 1, year, header=True)
    sheet.put(row, cells.total_column - 1, "Total over the run", header=True)
    for name in (comparison.baseline, *comparison.options):
        for basis, source_row in (("real", cells.real_total_row[name]), ("cash", cells.cash_total_row[name]),
                                  ("present value", cells.present_value_row[name])):
            row += 1
            sheet.put(row, 1, name)
            sheet.put(row, 2, basis)
            for column in [*cells.year_columns.values(), cells.total_column]:
                sheet.formula(row, column - 1, f"='Costs by year'!{_a1(source_row, column)}", "gbp")
    if comparison.options:
        for option in comparison.options:
            row += 1
            sheet.put(row, 1, f"{option} minus {comparison.baseline}", bold=True)
            sheet.put(row, 2, "real")
            for column in [*cells.year_columns.values(), cells.total_column]:
                sheet.formula(row, column - 1,
                              f"='Costs by year'!{_a1(cells.real_total_row[option], column)}"
                              f"-'Costs by year'!{_a1(cells.real_total_row[comparison.baseline], column)}", "gbp")
    row += 2
    sheet.put(row, 1, "Key outcomes (last year of the run)", bold=True)
    row += 1
    for j, column in enumerate(outcomes.columns, start=1):
        sheet.put(row, j, str(column), header=True)
    for record in outcomes.itertuples(index=False):
        row += 1
        for j, (column, value) in enumerate(zip(outcomes.columns, record), start=1):
            numeric = isinstance(value, (int, float, np.floating)) and column not in ("Outcome", "Unit", "When")
            whole = "%" not in str(record[1])
            sheet.put(row, j, value, ("count" if whole else "decimal") if numeric else None)
    sheet.widths.update({1: 46, 2: 30})
    for column in range(3, cells.total_column + 1):
        sheet.widths[column] = 16
    return sheet
