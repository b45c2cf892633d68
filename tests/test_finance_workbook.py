"""The finance workbook works in a spreadsheet: its formulas, recalculated by a formula
engine (the ``formulas`` package, as Excel or LibreOffice would), give the CSV's spend to the
pound; changing one unit cost on Inputs moves the totals; it prints landscape, one page wide,
with repeated headers; the same inputs give the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

import pytest
from openpyxl import load_workbook

from sendcast.reporting.comparison import workbook_sheets
from sendcast.reporting.finance_sheets import COMPONENTS
from sendcast.reporting.workbook import write_workbook
from sendcast.scenarios.pipeline import compare, load_scenarios

formulas = pytest.importorskip("formulas", reason="the formula engine (pip install formulas, a dev dependency) "
                                                  "is needed to recalculate the workbook")

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def comparison(dataset, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scenarios")
    files = []
    for name in ("baseline", "early-identification"):
        path = tmp / f"{name}.toml"
        path.write_text(f'based_on = "{SCENARIOS / (name + ".toml")}"\n[scenario]\nhorizon = 3\n')
        files.append(path)
    return compare(dataset, load_scenarios(files), replications=3)


@pytest.fixture(scope="module")
def workbook(comparison, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("book") / "finance.xlsx"
    write_workbook(path, workbook_sheets(comparison))
    return path


def _recalculate(path: Path) -> dict[tuple[str, str], object]:
    """Every cell's value after recalculation, by (sheet name in capitals, A1 address)."""
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    out = {}
    for key, ranges in solution.items():
        text = str(key)
        if "]" not in text or "!" not in text:
            continue
        sheet, address = text.split("]", 1)[1].split("!")
        value = ranges.value[0][0] if hasattr(ranges, "value") else ranges
        out[(sheet.strip("'"), address.replace("$", ""))] = value
    return out


def _spend_rows(path: Path) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(scenario, component label or 'Total', basis) -> row on Costs by year, and the
    financial year of each year column."""
    sheet = load_workbook(path)["Costs by year"]
    header = {cell.column_letter: cell.value for cell in sheet[4]
              if isinstance(cell.value, str) and cell.value[:4].isdigit()}
    rows = {}
    for row in sheet.iter_rows(min_row=5):
        if row[0].value:
            rows[(row[0].value, row[1].value, row[2].value)] = row[0].row
    return rows, header


def test_formulas_recalculate_to_the_csv_totals_to_the_pound(workbook, comparison):
    values = _recalculate(workbook)
    rows, header = _spend_rows(workbook)
    spend = comparison.spend
    checked = 0
    for name in (comparison.baseline, *comparison.options):
        totals = spend[(spend["scenario"] == name) & (spend["component"] == "total")].set_index("financial_year")
        for letter, year in header.items():
            if year not in totals.index:
                continue
            real = values[("COSTS BY YEAR", f"{letter}{rows[(name, 'Total', 'real')]}")]
            cash = values[("COSTS BY YEAR", f"{letter}{rows[(name, 'Total', 'cash (inflated)')]}")]
            assert abs(real - totals.at[year, "real_gbp_mean"]) < 0.5, (name, year)
            assert abs(cash - totals.at[year, "cash_gbp_mean"]) < 0.5, (name, year)
            checked += 1
    assert checked >= 4
    # the Summary's spend rows are the same numbers (formulas pointing at Costs by year)
    summary = load_workbook(workbook)["Summary"]
    baseline_row = next(r[0].row for r in summary.iter_rows(min_row=5) if r[0].value == comparison.baseline
                        and r[1].value == "real")
    first_year = sorted(spend["financial_year"].unique())[0]
    expected = spend[(spend["scenario"] == comparison.baseline) & (spend["component"] == "total")
                     & (spend["financial_year"] == first_year)]["real_gbp_mean"].iloc[0]
    assert abs(values[("SUMMARY", f"C{baseline_row}")] - expected) < 0.5


def test_changing_one_unit_cost_on_inputs_moves_the_totals(workbook, comparison, tmp_path):
    book = load_workbook(workbook)
    inputs = book["Inputs"]
    label = COMPONENTS["state_special"][0]
    row = next(r[0].row for r in inputs.iter_rows(min_row=10) if r[0].value == label)
    column = next(c.column_letter for c in inputs[10] if c.value == comparison.baseline)
    before_cost = inputs[f"{column}{row}"].value
    inputs[f"{column}{row}"].value = before_cost + 10_000
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    old, new = _recalculate(workbook), _recalculate(changed)
    rows, header = _spend_rows(workbook)
    total_row = rows[(comparison.baseline, "Total", "real")]
    special_row = rows[(comparison.baseline, label, "real")]
    activity = load_workbook(workbook)["Activity"]
    for letter in header:
        child_years = activity[f"{letter}{special_row}"].value
        rise = new[("COSTS BY YEAR", f"{letter}{total_row}")] - old[("COSTS BY YEAR", f"{letter}{total_row}")]
        assert rise == pytest.approx(10_000 * child_years, rel=1e-9)
        assert rise > 0
    option_row = rows[(comparison.options[0], "Total", "real")]
    letter = next(iter(header))
    assert new[("COSTS BY YEAR", f"{letter}{option_row}")] == old[("COSTS BY YEAR", f"{letter}{option_row}")], \
        "the option has its own unit costs column"


def test_inputs_sheet_has_the_settings_and_the_deflator(workbook):
    book = load_workbook(workbook)
    assert book.sheetnames[:4] == ["Summary", "Inputs", "Costs by year", "Activity"]
    text = " ".join(str(c.value) for row in book["Inputs"].iter_rows() for c in row if c.value is not None)
    for needed in ("Price base", "2025-26", "Inflation after the price base", "Discount rate", "GDP deflator",
                   "assumption"):
        assert needed in text
    assert {"InflationPct", "DiscountRatePct"} <= set(book.defined_names)


def test_years_run_across_and_every_sheet_prints_landscape_one_page_wide(workbook):
    book = load_workbook(workbook)
    header = [c.value for c in book["Costs by year"][4]]
    assert header[3] == "2025-26" and header[4] == "2026-27"
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows, sheet.title


def test_same_inputs_give_the_same_bytes(comparison, workbook, tmp_path):
    again = tmp_path / "again.xlsx"
    write_workbook(again, workbook_sheets(comparison))
    assert again.read_bytes() == workbook.read_bytes()


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    import pandas as pd

    from sendcast.reporting.workbook import Sheet

    path = tmp_path / "text.xlsx"
    write_workbook(path, [Sheet("Notes", "=1+1", "note", pd.DataFrame({"Name": ["=HYPERLINK(\"x\")", "+1-2"]}), {})])
    sheet = load_workbook(io.BytesIO(path.read_bytes()))["Notes"]
    assert sheet["A1"].data_type == "s" and sheet["A5"].data_type == "s"


def test_the_psa_sheets_recalculate_to_the_psa_summary_and_follow_the_discount_rate(workbook, comparison, tmp_path):
    book = load_workbook(workbook)
    assert {"PSA", "PSA draws"} <= set(book.sheetnames)
    result = comparison.psa[comparison.options[0]]
    stats = result.summary.set_index("statistic")["value"]
    sheet = book["PSA"]
    where = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=3) if isinstance(row[0].value, str)}
    values = _recalculate(workbook)

    def cell(label: str, book_values=values) -> float:
        return book_values[("PSA", f"B{where[label]}")]

    assert cell("Expected NPV of the saving (£)") == pytest.approx(stats["expected_npv_saving_gbp"], rel=1e-9)
    assert cell("Chance the NPV is above zero") == pytest.approx(stats["probability_npv_positive"], abs=1e-12)
    assert cell("Expected value of perfect information, EVPI (£)") == pytest.approx(stats["evpi_gbp"], abs=0.01)
    for q in ("2.5", "50", "97.5"):
        name = f"npv_saving_p{q.replace('.', '_')}_gbp"
        assert cell(f"{q}th percentile (£)") == pytest.approx(stats[name], rel=1e-9)
    assert sheet[f"B{where['Draws of the uncertain inputs']}"].value == len(result.saving) == 3 * 4
    assert sheet[f"B{where['Monte Carlo standard error of the expected NPV (£)']}"].value == pytest.approx(
        stats["expected_npv_mcse_gbp"])
    # every uncertain input is listed with its distribution and a source, placement unit costs among them
    text = [(r[0].value, r[3].value) for r in sheet.iter_rows(min_row=where["Uncertain inputs: every assumption and "
                                                                            "its source"] + 2) if r[0].value]
    assert len(text) == len(result.inputs) and all(source for _, source in text)
    assert any(label.startswith("Unit cost") and "DfE high-needs benchmarking" in source for label, source in text)
    assert any("illustrative" in source for _, source in text)
    # the NPVs are formulas on the Inputs discount rate: at 10% they equal the draws' savings discounted at 10%
    rate_row = next(r[0].row for r in book["Inputs"].iter_rows(min_row=4) if r[0].value == "Discount rate")
    book["Inputs"][f"B{rate_row}"].value = 10.0
    changed = tmp_path / "rate.xlsx"
    book.save(changed)
    after = _recalculate(changed)
    saving = result.saving.to_numpy()
    expected = (saving / 1.1 ** np.arange(saving.shape[1])).sum(axis=1).mean()
    assert cell("Expected NPV of the saving (£)", after) == pytest.approx(expected, rel=1e-9)
    assert expected != pytest.approx(stats["expected_npv_saving_gbp"], rel=1e-3)
