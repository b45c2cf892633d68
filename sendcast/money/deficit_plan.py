"""High-needs deficit management plan tables: "unmitigated" and "mitigated" forecasts by
financial year, from the same model run as every other output.

National programmes (Safety Valve, Delivering Better Value) ask an LA with a high-needs
deficit for a plan by April-March financial year: EHC plans by age band and by provision
type, unit costs, high-needs spend, and the in-year and cumulative position against the
high-needs block income. Here the unmitigated forecast is the baseline scenario and the
mitigated forecast an option, both from one paired simulation run.

Rules, so that the plan reconciles with the run's own tables:

- **EHC plans in a financial year** are the average caseload over the year: 0.25 x
  January Y + 0.75 x January Y+1 (:func:`sendcast.data.years.financial_year_average`),
  from the simulation's mean January caseload (``simulation.csv``). A financial year needs
  both Januaries.
- **Spend** is the run's own spend by financial year and component (``spend.csv``), in cash
  terms: the numbers are the same to the pound. The simulation accrues a placement's cost
  for the days a child is in it, so spend differs slightly from average plans x unit cost;
  ``cost_per_plan_gbp`` (spend / average plans) shows the implied rate beside the
  ``unit_cost_gbp`` assumed.
- **Income** is the high-needs block income by financial year (:mod:`sendcast.high_needs_
  income`); a year without income has no position (never a zero).
- **In-year position** = income - high-needs spend (negative: overspend); **cumulative
  position** = the opening balance (the DSG high-needs balance at the start of the first
  year, negative for a deficit, as the user states it) + in-year positions to date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sendcast.runtime.errors import SendcastError
from sendcast.data.years import financial_year_average, financial_year_label

AGE_BANDS: tuple[tuple[str, str], ...] = (
    ("age_band=under_5", "Under 5"), ("age_band=5_to_10", "Age 5 to 10"), ("age_band=11_to_15", "Age 11 to 15"),
    ("age_band=16_to_19", "Age 16 to 19"), ("age_band=20_to_25", "Age 20 to 25"))
PROVISION: tuple[tuple[str, str, str], ...] = (
    ("ehcp_mainstream", "mainstream", "Mainstream (incl. resourced provision)"),
    ("ehcp_state_special", "state_special", "State special schools"),
    ("ehcp_independent_special", "independent_special", "Independent and non-maintained special schools"),
    ("ehcp_fe", "fe", "Further education and post-16"),
    ("ehcp_ap", "ap", "Alternative provision"),
    ("ehcp_other", "other", "Other"),
)
PLAN_COLUMNS = ["scenario", "financial_year", "section", "item", "value", "unit"]


class DeficitPlanError(SendcastError):
    """The run's tables lack something the plan needs."""


def _average_plans(summary: pd.DataFrame, scenario: str, measure: str, breakdown: str) -> pd.Series:
    rows = summary[(summary["scenario"] == scenario) & (summary["measure"] == measure)
                   & (summary["breakdown"] == breakdown)]
    if rows.empty:
        raise DeficitPlanError(f"the run has no January caseload for {measure} {breakdown or ''}".strip()
                               + f" in scenario {scenario!r}")
    january = rows.set_index("year")["mean"].sort_index()
    average = financial_year_average(january)
    average.index = [financial_year_label(int(y)) for y in average.index]
    return average


def _spend(spend: pd.DataFrame, scenario: str, component: str) -> pd.Series:
    rows = spend[(spend["scenario"] == scenario) & (spend["component"] == component)]
    return rows.set_index("financial_year")["cash_gbp_mean"]


def scenario_plan(summary: pd.DataFrame, spend: pd.DataFrame, scenario: str, *, income: pd.DataFrame,
                  unit_costs_gbp: Mapping[str, float], opening_balance_gbp: float,
                  components: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """The plan for one scenario, long: one row per financial year, section and item.

    ``unit_costs_gbp`` maps a provision component (``mainstream``, ``state_special`` ...) to
    the unit cost assumed (pounds a year, as shown to the reader). ``components`` maps each
    provision row to the simulation cost components it sums (default: the provision's own
    name, plus ``resourced_unit`` for mainstream)."""
    components = dict(components or {"mainstream": ("mainstream", "resourced_unit")})
    years = sorted(set(spend.loc[spend["scenario"] == scenario, "financial_year"]))
    if not years:
        raise DeficitPlanError(f"the run has no spend for scenario {scenario!r}")
    rows: list[dict] = []

    def add(section: str, item: str, values: pd.Series, unit: str) -> None:
        for year in years:
            value = values.get(year, np.nan)
            rows.append({"scenario": scenario, "financial_year": year, "section": section, "item": item,
                         "value": float(value) if pd.notna(value) else np.nan, "unit": unit})

    total_plans = _average_plans(summary, scenario, "ehcp_total", "")
    for breakdown, label in AGE_BANDS:
        add("EHC plans by age band", label, _average_plans(summary, scenario, "ehcp_total", breakdown),
            "plans (financial-year average)")
    add("EHC plans by age band", "All ages", total_plans, "plans (financial-year average)")
    for measure, component, label in PROVISION:
        add("EHC plans by provision", label, _average_plans(summary, scenario, measure, ""),
            "plans (financial-year average)")
    total_spend = _spend(spend, scenario, "total")
    for measure, component, label in PROVISION:
        parts = components.get(component, (component,))
        series = [_spend(spend, scenario, part) for part in parts if not _spend(spend, scenario, part).empty]
        cost = sum(series[1:], series[0]) if series else pd.Series(dtype=float)
        plans = _average_plans(summary, scenario, measure, "")
        add("Unit costs", label, pd.Series({y: unit_costs_gbp.get(component, np.nan) for y in years}),
            "GBP a year per plan, price base (assumption)")
        add("High-needs spend by provision", label, cost, "GBP, cash")
        with np.errstate(divide="ignore", invalid="ignore"):
            add("Cost per plan implied by the run", label, cost / plans.reindex(cost.index), "GBP a year, cash")
    add("High-needs spend", "Total high-needs spend (all components)", total_spend, "GBP, cash")
    income_by_year = income.set_index("financial_year")["high_needs_income_gbp"]
    add("Position", "High-needs block income", income_by_year, "GBP, cash")
    in_year = income_by_year.reindex(years) - total_spend.reindex(years)
    add("Position", "In-year position (income minus spend)", in_year, "GBP, cash")
    cumulative = opening_balance_gbp + in_year.cumsum(skipna=False)
    add("Position", "Cumulative position (opening balance + in-year)", cumulative, "GBP, cash")
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def deficit_plan(summary: pd.DataFrame, spend: pd.DataFrame, *, unmitigated: str, mitigated: str,
                 income: pd.DataFrame, unit_costs_gbp: Mapping[str, float],
                 opening_balance_gbp: float = 0.0) -> pd.DataFrame:
    """Unmitigated and mitigated plans and their difference (mitigated minus unmitigated),
    long, with a ``scenario`` column reading ``unmitigated: <name>``, ``mitigated: <name>``
    and ``difference``."""
    parts = []
    for role, name in (("unmitigated", unmitigated), ("mitigated", mitigated)):
        plan = scenario_plan(summary, spend, name, income=income, unit_costs_gbp=unit_costs_gbp,
                             opening_balance_gbp=opening_balance_gbp)
        parts.append(plan.assign(scenario=f"{role}: {name}"))
    keys = ["financial_year", "section", "item", "unit"]
    base = parts[0].set_index(keys)["value"]
    other = parts[1].set_index(keys)["value"]
    difference = (other - base).reset_index().assign(scenario="difference")
    skip = difference["section"].isin(["Unit costs"]) | (difference["item"] == "High-needs block income")
    difference = difference[~skip]
    return pd.concat([*parts, difference[PLAN_COLUMNS]], ignore_index=True)
