"""The finance workbook and the commissioners' HTML report, read back."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
from openpyxl import load_workbook

from sendcast.reporting.html_report import Report
from sendcast.reporting.workbook import Sheet, write_workbook


def test_workbook_numbers_are_numbers_with_units_and_formats(tmp_path):
    costs = pd.DataFrame({"Financial year": ["2025-26", "2026-27"], "Spend (£, 2021-22 prices)": [1_234_567.4, 2e6],
                          "Children": [10, 12], "Note": ["a", None]})
    path = tmp_path / "out.xlsx"
    write_workbook(path, [Sheet("Costs by year", "Costs", "Plain note", costs,
                                {"Spend (£, 2021-22 prices)": "gbp", "Children": "count"})])
    book = load_workbook(path)
    ws = book["Costs by year"]
    assert ws["A1"].value == "Costs" and ws["A2"].value == "Plain note"
    assert [c.value for c in ws[4]] == list(costs.columns)
    assert ws["B5"].value == 1_234_567.4 and ws["B5"].number_format == '"£"#,##0'
    assert isinstance(ws["C6"].value, int) and ws["D6"].value is None
    assert ws.freeze_panes == "A5"
    assert not list(tmp_path.glob(".*")), "no temporary file left"


def test_report_is_self_contained_with_sections_and_embedded_charts():
    report = Report("Title", "Lead")
    report.heading("What we expect", "expect")
    report.paragraph("EHC plans <rise>.")
    report.table(pd.DataFrame({"a": [1]}), caption="A table")
    figure, axes = plt.subplots()
    axes.plot([1, 2])
    report.figure(figure, caption="A chart", alt="line")
    text = report.render()
    assert 'id="expect"' in text and "&lt;rise&gt;" in text
    assert len(re.findall(r'src="data:image/png;base64,', text)) == 1
    assert not re.search(r'(src|href)="(http|//)', text)
