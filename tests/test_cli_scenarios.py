"""End to end through the CLI: sendcast run, compare and sweep on small settings.

Scenario files here are the shipped examples with a 3-year horizon (``based_on`` the real
files, overriding only the horizon), so the tests exercise the same code as ``make run``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from sendcast.cli import main

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def short(tmp: Path, name: str, extra: str = "") -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(f'based_on = "{SCENARIOS / (name + ".toml")}"\n[scenario]\nhorizon = 3\n{extra}')
    return path


@pytest.fixture(scope="module")
def scenario_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scenarios")
    return short(tmp, "baseline"), short(tmp, "early-identification")


@pytest.fixture(scope="module")
def compared(scenario_files, tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("runs") / "compare"
    code = main(["--quiet", "compare", *map(str, scenario_files), "--replications", "3", "--out", str(out),
                 "--data", str(data_dir)])
    assert code == 0
    return out


@pytest.mark.slow  # 33 CPU-s measured (fast tier: under 3)
def test_compare_writes_every_output_and_a_manifest(compared):
    names = {p.name for p in compared.iterdir()}
    for expected in ("simulation.csv", "differences.csv", "spend.csv", "appraisal.csv", "appraisal_by_year.csv",
                     "finance.xlsx", "report.html", "manifest.json", "scenarios_ehcp_total.png",
                     "forecast_forecast.csv", "forecast_fan_ehcp_total.png", "forecast_sufficiency.csv",
                     "forecast_neighbours.csv", "forecast_neighbours_used.csv", "forecast_neighbours_ehcp_total.png"):
        assert expected in names
    manifest = json.loads((compared / "manifest.json").read_text())
    assert manifest["seed"] == 20251122 and manifest["replications"] == 3
    assert set(manifest["scenarios"]) == {"Baseline", "Early identification"}
    roles = {item["role"] for item in manifest["inputs"]}
    assert {"scenario file", "capacity file"} <= roles
    assert any(role.startswith("model discrepancy checks") for role in roles)
    assert all(len(item["sha256"]) == 64 for item in manifest["inputs"])
    # the bands say what they are: widened by the discrepancy, with the table it came from
    assert "model discrepancy" in manifest["intervals"] and "EXTRAPOLATED" in manifest["intervals"]
    widening = pd.read_csv(compared / "band_discrepancy.csv")
    assert {"ehcp_total", "requests", "new_plans"} <= set(widening["measure"])


@pytest.mark.slow  # shares compared: one comparison, 32 CPU-s measured
def test_compare_tables_are_tidy_and_paired(compared):
    summary = pd.read_csv(compared / "simulation.csv", keep_default_na=False)
    assert list(summary.columns) == ["scenario", "measure", "breakdown", "year", "mean", "lo95", "hi95"]
    differences = pd.read_csv(compared / "differences.csv", keep_default_na=False)
    assert set(differences["scenario"]) == {"Early identification - Baseline"}
    totals = summary[(summary["measure"] == "ehcp_total") & (summary["breakdown"] == "")]
    assert totals["year"].tolist()[:4] == [2025, 2026, 2027, 2028]
    assert ((totals["lo95"] <= totals["mean"] + 1e-9) & (totals["mean"] <= totals["hi95"] + 1e-9)).all()


@pytest.mark.slow  # shares compared: one comparison, 32 CPU-s measured
def test_workbook_and_report_open(compared):
    book = load_workbook(compared / "finance.xlsx")
    assert book.sheetnames[:7] == ["Summary", "Inputs", "Costs by year", "Activity", "Caseload by placement",
                                   "Scenario differences", "Value for money"]
    assert "Sufficiency" in book.sheetnames
    html = (compared / "report.html").read_text()
    assert 'id="options"' in html and "data:image/png;base64," in html
    assert "rolling-origin backtest" in html and "The trend forecast carries the published figures forward" in html
    assert "Beside its statistical neighbours" in html and "not a prediction interval" in html
    # the option's uncertain inputs in a table, each with its source, not one long sentence
    assert "every uncertain input, how it is drawn" in html and "Uncertain inputs:" not in html
    assert '<td class="text">relative risk</td>' in html and "Reynolds et al. 2001" in html
    # the places the table counts say where the ones beyond the capacity file come from
    assert "ASSUMPTION: the simulation has the county go on adding state special school places" in html
    assert "no-new-special-places.toml" in html
    sheet = book["Neighbours"]
    assert sheet.max_row > 10 and "index" in " ".join(str(c.value) for row in sheet.iter_rows(max_row=4) for c in row)


@pytest.mark.slow  # 23 CPU-s measured (fast tier: under 3)
def test_same_inputs_and_seed_give_byte_identical_tables_on_any_backend(scenario_files, compared, tmp_path,
                                                                         data_dir):
    again = tmp_path / "again"
    assert main(["--quiet", "compare", *map(str, scenario_files), "--replications", "3", "--out", str(again),
                 "--data", str(data_dir), "--backend", "processes", "--workers", "2"]) == 0
    for name in ("simulation.csv", "differences.csv", "spend.csv", "appraisal.csv"):
        assert (again / name).read_bytes() == (compared / name).read_bytes(), name


@pytest.mark.slow  # shares compared: one comparison, 32 CPU-s measured
def test_an_existing_output_folder_is_never_written_into(scenario_files, compared, capsys, data_dir):
    before = {p.name: p.stat().st_mtime_ns for p in compared.iterdir()}
    code = main(["compare", *map(str, scenario_files), "--replications", "2", "--out", str(compared),
                 "--data", str(data_dir)])
    assert code == 2
    assert "already exists" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in compared.iterdir()} == before


@pytest.mark.slow  # 22 CPU-s measured (fast tier: under 3)
def test_run_writes_one_scenario_without_differences(scenario_files, tmp_path, capsys, data_dir):
    out = tmp_path / "run"
    assert main(["run", str(scenario_files[0]), "--replications", "2", "--out", str(out), "--data",
                 str(data_dir)]) == 0
    assert (out / "finance.xlsx").exists() and (out / "report.html").exists()
    assert not (out / "differences.csv").exists()
    assert "Spend by financial year" in capsys.readouterr().out


@pytest.mark.slow  # 4 CPU-s measured (fast tier: under 3)
def test_sweep_gives_one_row_per_point_and_charts(scenario_files, tmp_path, capsys, data_dir):
    out = tmp_path / "sweep"
    code = main(["sweep", str(scenario_files[1]), "--vary", "early_identification.relative_risk=0.8:1.2:2",
                 "--replications", "2", "--out", str(out), "--data", str(data_dir)])
    assert code == 0
    table = pd.read_csv(out / "sweep.csv")
    assert table["early_identification.relative_risk"].tolist() == [0.8, 1.2]
    assert {"saving_npv_gbp_mean", "ehcp_final_mean", "child_weeks_avoided_mean"} <= set(table.columns)
    assert (out / "sweep_saving_npv_gbp.png").exists()
    assert table["probability_saving_vs_baseline"].between(0, 1).all()  # against the based_on baseline
    assert (out / "sweep_saving_vs_baseline_npv_gbp.png").exists()
    printed = capsys.readouterr().out
    assert "sweep of 2 points" in printed and "Break-even relative risk" in printed


@pytest.mark.parametrize("body, message", [
    ("[scenario]\nhorizon = 3\nhorizn = 4\n", "no key 'scenario.horizn'"),
    ("[scenario]\nhorizon = 'three'\n", "scenario.horizon"),
    ("[early_identification]\nrelative_risk = -1\n", "a number in (0, 10]"),
    ("[forecast]\nmethod = 'theta'\n", "method = 'auto'"),
])
def test_bad_scenario_files_give_one_clear_error(tmp_path, capsys, body, message, data_dir):
    path = tmp_path / "bad.toml"
    path.write_text(f'based_on = "{SCENARIOS / "baseline.toml"}"\n{body}')
    assert main(["run", str(path), "--replications", "1", "--out", str(tmp_path / "o"), "--data",
                 str(data_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and str(path) in err[0]
    assert not (tmp_path / "o").exists()


def test_a_missing_based_on_file_is_named(tmp_path, capsys, data_dir):
    path = tmp_path / "orphan.toml"
    path.write_text('based_on = "nowhere.toml"\n')
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--data", str(data_dir)]) == 2
    assert "nowhere.toml" in capsys.readouterr().err


def test_compare_needs_two_files(scenario_files, tmp_path, capsys, data_dir):
    assert main(["compare", str(scenario_files[0]), "--out", str(tmp_path / "o"), "--data", str(data_dir)]) == 2
    assert "at least one option" in capsys.readouterr().err
