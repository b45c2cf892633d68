"""The same scenario files and seed give the same headline numbers everywhere a person reads
them: the notebook, the report, the workbook and the CSVs (slow: a full compare and a
notebook run on 4 replications)."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from sendcast.cli import main

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def compared(tmp_path_factory, data_dir) -> Path:
    """``sendcast compare`` on the shipped baseline and early identification, 4 replications
    (what notebook 03 runs under SENDCAST_SMALL=1)."""
    out = tmp_path_factory.mktemp("agree") / "compare"
    assert main(["--quiet", "compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "early-identification.toml"),
                 "--replications", "4", "--out", str(out), "--data", str(data_dir)]) == 0
    return out


def _notebook_text(name: str, data_dir: Path) -> str:
    # imported here, not when the fast tier is collected (about a CPU-second a worker)
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(REPO / "notebooks" / name, as_version=4)
    saved = dict(os.environ)
    os.environ.update({"SENDCAST_DATA": str(data_dir), "SENDCAST_SMALL": "1"})
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


def _headline_sentences(report: str) -> list[str]:
    text = re.sub(r"</?span[^>]*>", "", report)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    return [line for line in text.splitlines() if "in the baseline future (95% of simulated futures" in line]


def test_notebook_headline_equals_the_report_and_the_csv(compared, data_dir):
    report = (compared / "report.html").read_text()
    sentences = _headline_sentences(report)
    assert len(sentences) == 3, sentences
    printed = _notebook_text("03_early_identification.ipynb", data_dir)
    for sentence in sentences:
        assert sentence in printed, f"{sentence!r} not in the notebook's output"
    summary = pd.read_csv(compared / "simulation.csv", keep_default_na=False)
    plans = summary[(summary["scenario"] == "Baseline") & (summary["measure"] == "ehcp_total")
                    & (summary["breakdown"] == "")].sort_values("year").iloc[-1]
    assert f"EHC plans, January {plans['year']}: {round(plans['mean']):,} in the baseline future" in sentences[0]


def test_the_appraisal_adds_up_to_the_spend_table(compared):
    """One money convention: the appraisal's saving over the run is the spend table's
    baseline total minus the option's, over the same April-March financial years (the
    waterfall charts the same components), to the pound."""
    spend = pd.read_csv(compared / "spend.csv")
    totals = spend[spend["component"] == "total"].pivot(index="financial_year", columns="scenario",
                                                          values="real_gbp_mean")
    appraisal = pd.read_csv(compared / "appraisal.csv")
    by_year = pd.read_csv(compared / "appraisal_by_year.csv")
    option = "Early identification"
    assert by_year.loc[by_year["option"] == option, "financial_year"].tolist() == totals.index.tolist()
    saving = appraisal.set_index(["option", "statistic"]).loc[(option, "total_net_saving_gbp"), "mean"]
    assert saving == pytest.approx((totals["Baseline"] - totals[option]).sum(), abs=1.0)
    parts = spend[spend["component"] != "total"].groupby("scenario")["real_gbp_mean"].sum()
    assert parts["Baseline"] - parts[option] == pytest.approx(saving, abs=1.0)
