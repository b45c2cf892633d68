"""The commissioners' report as a person sees it, in headless Chromium, and its headline
numbers checked against the CSVs and the finance workbook (slow: a short compare).

- every chart loads (an image with a natural width);
- no text runs out of its box (no element wider than its container, nothing past the page);
- the headline numbers on the page equal the CSVs' (simulation.csv, spend.csv), and the
  workbook's Summary shows the same numbers.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from sendcast.cli import main
from sendcast.reporting.display import format_children, format_money
from tests.browser import chromium  # noqa: F401  (the fixture)

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def compared(tmp_path_factory, data_dir) -> Path:
    tmp = tmp_path_factory.mktemp("scenarios")
    files = []
    for name in ("baseline", "early-identification"):
        path = tmp / f"{name}.toml"
        path.write_text(f'based_on = "{SCENARIOS / (name + ".toml")}"\n[scenario]\nhorizon = 3\n')
        files.append(str(path))
    out = tmp_path_factory.mktemp("runs") / "compare"
    assert main(["--quiet", "compare", *files, "--replications", "3", "--out", str(out), "--data",
                 str(data_dir)]) == 0
    return out


def headline_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "in the baseline future (95% of simulated futures" in line]


def expected_headlines(folder: Path) -> dict[str, tuple[str, str, str]]:
    """The headline numbers as the CSVs give them, formatted as every output prints them."""
    summary = pd.read_csv(folder / "simulation.csv", keep_default_na=False)
    out = {}
    for measure, label in (("ehcp_total", "EHC plans"), ("requests", "Requests for an EHC needs assessment")):
        rows = summary[(summary["scenario"] == "Baseline") & (summary["measure"] == measure)
                       & (summary["breakdown"] == "")].sort_values("year")
        last = rows.iloc[-1]
        out[label] = (format_children(last["mean"]), format_children(last["lo95"]), format_children(last["hi95"]))
    spend = pd.read_csv(folder / "spend.csv")
    total = spend[(spend["scenario"] == "Baseline") & (spend["component"] == "total")].sort_values("financial_year")
    last = total.iloc[-1]
    out["Spend on the pathway"] = (format_money(last["real_gbp_mean"]), format_money(last["real_gbp_lo95"]),
                                   format_money(last["real_gbp_hi95"]))
    return out


def test_report_in_chromium_loads_every_chart_overflows_nothing_and_matches_the_csvs(compared, chromium):  # noqa: F811
    chromium.get((compared / "report.html").as_uri())
    images = chromium.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth]);")
    assert len(images) >= 4
    assert all(complete and width > 0 for _, complete, width in images), images
    overflowing = chromium.execute_script("""
        const page = document.documentElement.clientWidth;
        const out = [];
        for (const el of document.querySelectorAll('h1,h2,p,li,td,th,figcaption,table,img')) {
          const box = el.getBoundingClientRect();
          const what = (el.innerText || el.alt || '').slice(0, 60);
          if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'IMG') out.push(el.tagName + ': ' + what);
          if (box.right > page + 1) out.push('past the page: ' + el.tagName + ' ' + what);
        }
        return out;""")
    assert overflowing == []
    text = chromium.execute_script("return document.body.innerText;")
    lines = headline_lines(text)
    assert len(lines) == 3, lines
    for line, (label, (central, low, high)) in zip(lines, expected_headlines(compared).items()):
        assert line.startswith(label), line
        assert f": {central} in the baseline future (95% of simulated futures between {low} and {high})." in line
    for banned in ("costs.transport_gbp", "np.float64", "-0%"):
        assert banned not in text
    assert re.search(r"Run \d{2} \w+ \d{4}", text) and "sendcast 0." in text and "DfE SEN2 releases" in text


def test_headline_numbers_are_identical_in_report_workbook_and_csvs(compared):
    formulas = pytest.importorskip("formulas", reason="the formula engine recalculates the workbook's spend")
    expected = expected_headlines(compared)
    report = html.unescape(re.sub(r"<[^>]+>", "", (compared / "report.html").read_text()))
    for label, (central, low, high) in expected.items():
        assert f"{central} in the baseline future (95% of simulated futures between {low} and {high})" in report
    summary = load_workbook(compared / "finance.xlsx")["Summary"]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=6, max_row=8)}
    for label in ("EHC plans", "Requests for an EHC needs assessment"):
        central, low, high = (format_children(c.value) for c in rows[label][2:5])
        assert (central, low, high) == expected[label]
    spend_cell = rows["Spend on the pathway"][2]
    assert str(spend_cell.value).startswith("='Costs by year'!")
    solution = formulas.ExcelModel().loads(str(compared / "finance.xlsx")).finish().calculate()
    address = f"SUMMARY'!{spend_cell.coordinate}"
    value = next(v.value[0][0] for k, v in solution.items() if str(k).upper().endswith(address))
    assert format_money(value) == expected["Spend on the pathway"][0]
    assert format_money(rows["Spend on the pathway"][3].value) == expected["Spend on the pathway"][1]


def test_run_on_one_scenario_speaks_of_that_scenario_only(tmp_path, data_dir):
    path = tmp_path / "baseline.toml"
    path.write_text(f'based_on = "{SCENARIOS / "baseline.toml"}"\n[scenario]\nhorizon = 2\n')
    out = tmp_path / "run"
    assert main(["--quiet", "run", str(path), "--replications", "2", "--out", str(out), "--data", str(data_dir)]) == 0
    text = html.unescape(re.sub(r"<[^>]+>", "", (out / "report.html").read_text()))
    assert "paired" not in text and "minus" not in text and "What each option changes" not in text
    assert "2 simulation runs" in text
