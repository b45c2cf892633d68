"""Deficit management plan tables: a golden case small enough to compute by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from sendcast.money.deficit_plan import DeficitPlanError, deficit_plan

JANUARIES = {  # measure/breakdown: (January 2025, January 2026), both scenarios alike
    ("ehcp_total", ""): (100, 120), ("ehcp_total", "age_band=under_5"): (10, 12),
    ("ehcp_total", "age_band=5_to_10"): (40, 48), ("ehcp_total", "age_band=11_to_15"): (30, 36),
    ("ehcp_total", "age_band=16_to_19"): (15, 18), ("ehcp_total", "age_band=20_to_25"): (5, 6),
    ("ehcp_mainstream", ""): (50, 60), ("ehcp_state_special", ""): (30, 36), ("ehcp_independent_special", ""): (10, 12),
    ("ehcp_fe", ""): (5, 6), ("ehcp_ap", ""): (3, 4), ("ehcp_other", ""): (2, 2),
}
COMPONENTS = {"mainstream": 300_000, "resourced_unit": 50_000, "state_special": 700_000,
              "independent_special": 900_000, "fe": 60_000, "ap": 50_000, "other": 0, "assessment": 40_000}


def tables(mitigated_independent: float):
    summary = pd.DataFrame([
        {"scenario": s, "measure": m, "breakdown": b, "year": year, "mean": v}
        for s in ("Base", "Option") for (m, b), pair in JANUARIES.items() for year, v in zip((2025, 2026), pair)])
    spend = []
    for scenario, independent in (("Base", 900_000), ("Option", mitigated_independent)):
        parts = dict(COMPONENTS, independent_special=independent)
        for component, cash in [*parts.items(), ("total", sum(parts.values()))]:
            spend.append({"scenario": scenario, "financial_year": "2025-26", "component": component,
                          "cash_gbp_mean": float(cash)})
    return summary, pd.DataFrame(spend)


def value(plan, scenario, item):
    rows = plan[(plan["scenario"] == scenario) & (plan["item"] == item)]
    assert len(rows) == 1, (scenario, item)
    return rows["value"].iloc[0]


@pytest.fixture
def plan():
    summary, spend = tables(mitigated_independent=750_000)
    income = pd.DataFrame({"financial_year": ["2025-26"], "high_needs_income_gbp": [2_000_000.0]})
    return deficit_plan(summary, spend, unmitigated="Base", mitigated="Option", income=income,
                        unit_costs_gbp={"mainstream": 7_000, "independent_special": 82_000},
                        opening_balance_gbp=-500_000)


def test_plans_are_the_financial_year_average_of_the_two_januaries(plan):
    assert value(plan, "unmitigated: Base", "All ages") == pytest.approx(0.25 * 100 + 0.75 * 120)  # 115
    assert value(plan, "unmitigated: Base", "Under 5") == pytest.approx(11.5)
    bands = plan[(plan["scenario"] == "unmitigated: Base") & (plan["section"] == "EHC plans by age band")
                 & (plan["item"] != "All ages")]["value"].sum()
    assert bands == pytest.approx(115)


def test_spend_is_the_runs_own_spend_to_the_pound(plan):
    assert value(plan, "unmitigated: Base", "Total high-needs spend (all components)") == 2_100_000
    units = plan[(plan["section"] == "Unit costs") & (plan["scenario"] == "unmitigated: Base")].set_index("item")
    assert units["value"]["Mainstream (incl. resourced provision)"] == 7_000
    spend = plan[(plan["section"] == "High-needs spend by provision") & (plan["scenario"] == "unmitigated: Base")]
    assert spend.set_index("item")["value"]["Mainstream (incl. resourced provision)"] == 350_000
    implied = plan[(plan["section"] == "Cost per plan implied by the run") & (plan["scenario"] == "unmitigated: Base")]
    assert implied.set_index("item")["value"]["Mainstream (incl. resourced provision)"] == pytest.approx(
        350_000 / (0.25 * 50 + 0.75 * 60))


def test_positions_by_hand(plan):
    assert value(plan, "unmitigated: Base", "In-year position (income minus spend)") == -100_000
    assert value(plan, "unmitigated: Base", "Cumulative position (opening balance + in-year)") == -600_000
    assert value(plan, "mitigated: Option", "In-year position (income minus spend)") == 50_000
    assert value(plan, "mitigated: Option", "Cumulative position (opening balance + in-year)") == -450_000
    assert value(plan, "difference", "Cumulative position (opening balance + in-year)") == 150_000


def test_a_year_without_income_has_no_position():
    summary, spend = tables(750_000)
    income = pd.DataFrame({"financial_year": ["2024-25"], "high_needs_income_gbp": [1.0]})
    plan = deficit_plan(summary, spend, unmitigated="Base", mitigated="Option", income=income, unit_costs_gbp={})
    assert pd.isna(value(plan, "unmitigated: Base", "In-year position (income minus spend)"))


def test_missing_age_bands_are_an_error_not_a_zero():
    summary, spend = tables(750_000)
    summary = summary[summary["breakdown"] != "age_band=under_5"]
    income = pd.DataFrame({"financial_year": ["2025-26"], "high_needs_income_gbp": [1.0]})
    with pytest.raises(DeficitPlanError, match="age_band=under_5"):
        deficit_plan(summary, spend, unmitigated="Base", mitigated="Option", income=income, unit_costs_gbp={})
