"""Comparing scenarios: paired simulation, spend by financial year, appraisal, workbook, report.

Runs on the engine's Gloucestershire-sized example parameters (simulation.examples, whose
rates are labelled illustrative there) for a short horizon, so it is quick; the CLI tests run
the same path on parameters built from the shipped data.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from sendcast.reporting.comparison import figures, headline_table, workbook_sheets
from sendcast.reporting.story import report
from sendcast.data.years import financial_year_from_calendar
from sendcast.scenarios.pipeline import ComparisonError, compare_parameters, load_scenarios, per_replication
from sendcast.reporting.workbook import TITLE_ROWS, write_workbook
from simulation.examples import gloucestershire_example
from simulation.parameters import EarlyIdentification

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
REPLICATIONS = 6


@pytest.fixture(scope="module")
def comparison():
    loaded = load_scenarios([SCENARIOS / "baseline.toml", SCENARIOS / "early-identification.toml"])
    base = gloucestershire_example(2019, 3)
    early = dataclasses.replace(base, early_identification=EarlyIdentification(
        share_identified_early=0.3, relative_risk=0.8, capacity_children_per_year=600, cost_per_child_gbp=1500))
    return compare_parameters(loaded, {"Baseline": base, "Early identification": early}, replications=REPLICATIONS)


def test_an_option_identical_to_the_baseline_changes_nothing_at_all():
    loaded = load_scenarios([SCENARIOS / "baseline.toml", SCENARIOS / "early-identification.toml"])
    base = gloucestershire_example(2019, 2)
    same = compare_parameters(loaded, {"Baseline": base, "Early identification": base}, replications=3)
    assert (same.differences["mean"] == 0).all()
    stats = same.appraisal.set_index("statistic")
    assert stats.loc["npv_net_saving_gbp", "mean"] == 0
    assert stats.loc["break_even_year", "mean"] == 2019   # nothing spent, nothing lost: even from the start


def test_financial_year_spend_follows_the_calendar_rule_replication_by_replication(comparison):
    calendar = per_replication(comparison_replications(comparison), "Baseline", "cost_gbp")
    expected = calendar.T.apply(financial_year_from_calendar).T.mean(axis=0)
    spend = comparison.spend
    total = spend[(spend["scenario"] == "Baseline") & (spend["component"] == "total")]
    assert total["real_gbp_mean"].to_numpy() == pytest.approx(expected.to_numpy())
    assert total["financial_year"].tolist() == ["2019-20", "2020-21"]
    # Cash = real x (1.02 ** years from the scenario's 2025-26 price base).
    assert (total["cash_gbp_mean"] / total["real_gbp_mean"]).to_numpy() == pytest.approx([1.02 ** -6, 1.02 ** -5])


def comparison_replications(comparison):
    # The Comparison keeps summaries only; recompute the replications the same way for the check.
    from simulation.runner import run_scenarios
    base = gloucestershire_example(2019, 3)
    return run_scenarios({"Baseline": base}, replications=REPLICATIONS, seed=comparison.seed).replications


def test_components_add_up_to_the_total_in_every_year(comparison):
    spend = comparison.spend
    for (scenario, year), rows in spend.groupby(["scenario", "financial_year"]):
        parts = rows[rows["component"] != "total"]["real_gbp_mean"].sum()
        total = rows[rows["component"] == "total"]["real_gbp_mean"].iloc[0]
        assert parts == pytest.approx(total, rel=1e-9), (scenario, year)


def test_npv_matches_the_paired_yearly_savings(comparison):
    by_year = comparison.appraisal_by_year
    factors = 1 / 1.035 ** np.arange(len(by_year))
    npv = (by_year["net_saving_gbp_mean"] * factors).sum()
    stats = comparison.appraisal.set_index("statistic")
    assert stats.loc["npv_net_saving_gbp", "mean"] == pytest.approx(npv)
    assert stats.loc["total_net_saving_gbp", "mean"] == pytest.approx(by_year["net_saving_gbp_mean"].sum())


def test_workbook_reads_back_sheet_by_sheet_with_numbers_as_numbers(comparison, tmp_path):
    path = tmp_path / "finance.xlsx"
    write_workbook(path, workbook_sheets(comparison))
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Inputs", "Costs by year", "Activity", "Caseload by placement",
                               "Scenario differences", "Value for money", "PSA", "PSA draws", "Assumptions",
                               "Sources"]
    summary = book["Summary"]
    assert [c.value for c in summary[5]][:5] == ["Measure", "When", "Central", "Low (95% predictive)",
                                                 "High (95% predictive)"]
    first = [c.value for c in summary[6]]
    assert first[0] == "EHC plans" and isinstance(first[2], int)
    costs = book["Costs by year"]
    assert [c.value for c in costs[4]][:4] == ["Scenario", "Component", "Basis", "2019-20"]
    formula = costs.cell(row=5, column=4)
    assert str(formula.value).startswith("='Activity'!") or str(formula.value).startswith("=Activity")
    assert formula.number_format.startswith('"£"')
    caseload = book["Caseload by placement"]
    assert [c.value for c in caseload[TITLE_ROWS + 1]][:3] == ["Scenario", "Placement", "January 2019"]
    assumptions = [row[1] for row in book["Assumptions"].iter_rows(min_row=TITLE_ROWS + 2, values_only=True)]
    assert "Early identification: relative risk" in assumptions


def test_report_has_every_section_and_embedded_charts(comparison):
    charts = figures(comparison)
    html = report(comparison, charts).render()
    for anchor in ("expect", "options", "sufficiency", "costs", "children", "caveats", "accuracy"):
        assert f'id="{anchor}"' in html
    assert html.count("data:image/png;base64,") >= 3
    assert "<script" not in html and "http" not in html.split("<body>")[1]


def test_headline_changes_come_with_intervals_that_contain_them(comparison):
    table = headline_table(comparison)
    change = table["Early identification: change"]
    assert ((table["Early identification: change, low (95% CI)"] <= change + 1e-9)
            & (change <= table["Early identification: change, high (95% CI)"] + 1e-9)).all()


def test_scenarios_for_different_places_or_periods_cannot_be_paired(tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(f'based_on = "{SCENARIOS / "baseline.toml"}"\n[scenario]\nname = "Later"\nstart_year = 2026\n')
    with pytest.raises(ComparisonError, match="start_year"):
        load_scenarios([SCENARIOS / "baseline.toml", other])
    with pytest.raises(ComparisonError, match="same \\[scenario\\] name"):
        load_scenarios([SCENARIOS / "baseline.toml", SCENARIOS / "baseline.toml"])


def test_waiting_an_option_adds_is_said_as_added_in_positive_child_weeks(comparison):
    from sendcast.reporting.comparison import option_sentences

    appraisal = comparison.appraisal.copy()
    row = (appraisal["option"] == "Early identification") & (appraisal["statistic"] == "child_weeks_avoided")
    summary = comparison.summary.copy()
    waited = summary["measure"] == "child_weeks_waited"
    if not row.any() or not waited.any():
        pytest.skip("this comparison records no waiting for special places")
    appraisal.loc[row, ["mean", "lo95", "hi95"]] = [-120.0, -150.0, -90.0]
    summary.loc[waited, "mean"] = 10.0
    added = dataclasses.replace(comparison, appraisal=appraisal, summary=summary)
    (line,) = [s for s in option_sentences(added, "Early identification") if s.startswith("Waiting")]
    assert line == "Waiting for a local special place added: 120 child-weeks (95% CI 90 to 150)."


def test_an_option_that_changes_waiting_says_what_its_money_leaves_out():
    """With no overflow to independent schools, waiting children are costed where they wait,
    so fewer places read as a saving: the findings say so; with an overflow rate (or
    children placed independently at once) they do not need to."""
    from types import SimpleNamespace

    from sendcast.reporting.comparison import waiting_cost_caveat
    from sendcast.scenarios.files import SpecialPlaces

    def comparison(**places):
        return SimpleNamespace(scenario=lambda name: SimpleNamespace(special_places=SpecialPlaces(**places)))

    said = waiting_cost_caveat(comparison(overflow_rate_per_year=0.0, waiting_placement="mainstream"), "x")
    assert "a mainstream school at school age" in said and "Fewer places therefore read as a saving" in said
    assert "'other'" in waiting_cost_caveat(comparison(overflow_rate_per_year=0.0, waiting_placement="other"), "x")
    assert waiting_cost_caveat(comparison(overflow_rate_per_year=2.0), "x") == ""
    assert waiting_cost_caveat(comparison(overflow_policy="independent", overflow_rate_per_year=0.0), "x") == ""
