"""End to end: sendcast export scap and export deficit-plan, reconciled with the run's own
tables (same scenarios, seed and replications give the same run)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from sendcast.cli import main
from sendcast.data import store
from sendcast.data.years import financial_year_average
from sendcast.scenarios.pipeline import compare, load_scenarios

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def short(tmp: Path, name: str, horizon: int) -> Path:
    path = tmp / f"{name}-{horizon}.toml"
    path.write_text(f'based_on = "{SCENARIOS / (name + ".toml")}"\n[scenario]\nhorizon = {horizon}\n')
    return path


@pytest.fixture(scope="module")
def plan_run(tmp_path_factory, data_dir):
    tmp = tmp_path_factory.mktemp("plan")
    files = [short(tmp, "baseline", 3), short(tmp, "early-identification", 3)]
    out = tmp / "out"
    assert main(["--quiet", "export", "deficit-plan", *map(str, files), "--replications", "2",
                 "--opening-balance", "-28600000", "--out", str(out), "--data", str(data_dir)]) == 0
    run = compare(store.load_dataset(data_dir), load_scenarios(files), replications=2, data=data_dir)
    return out, run


@pytest.mark.slow  # 10 CPU-s measured (fast tier: under 3)
def test_deficit_plan_spend_and_plans_reconcile_with_the_run(plan_run):
    out, run = plan_run
    plan = pd.read_csv(out / "deficit_plan.csv")
    base = plan[plan["scenario"] == "unmitigated: Baseline"].set_index(["financial_year", "item"])["value"]
    spend = run.spend[(run.spend["scenario"] == "Baseline") & (run.spend["component"] == "total")]
    for _, row in spend.iterrows():
        assert base[(row["financial_year"], "Total high-needs spend (all components)")] == pytest.approx(
            row["cash_gbp_mean"], abs=0.5)  # to the pound
    january = run.summary[(run.summary["scenario"] == "Baseline") & (run.summary["measure"] == "ehcp_total")
                          & (run.summary["breakdown"] == "")].set_index("year")["mean"]
    averages = financial_year_average(january)
    for label in sorted(set(plan["financial_year"])):
        value = averages[int(label[:4])]
        assert base[(label, "All ages")] == pytest.approx(value)
        bands = sum(base[(label, band)] for band in ("Under 5", "Age 5 to 10", "Age 11 to 15", "Age 16 to 19",
                                                      "Age 20 to 25"))
        assert bands == pytest.approx(value)


@pytest.mark.slow  # shares plan_run: one deficit-plan export, 7 CPU-s measured
def test_the_cyp_table_adds_up_to_the_plans_by_placement_age_and_need(plan_run):
    out, run = plan_run
    cyp = pd.read_csv(out / "deficit_plan_cyp.csv")
    plan = pd.read_csv(out / "deficit_plan.csv")
    assert set(cyp["placement"].unique()) == {
        "Mainstream", "Resourced provision / SEN unit", "Maintained and academy special",
        "Non-maintained and independent special", "Hospital / alternative provision", "Post-16 and FE",
        "Other and direct payments"}
    assert cyp["age_band"].nunique() == 5 and cyp["need"].nunique() == 13
    for scenario in ("unmitigated: Baseline", "mitigated: Early identification"):
        mine = cyp[cyp["scenario"] == scenario]
        assert not mine.empty
        mine_plan = plan[(plan["scenario"] == scenario) & plan["section"].str.startswith("EHC plans")]
        rows = mine_plan.set_index(["financial_year", "item"])["value"]
        for year, block in mine.groupby("financial_year"):
            assert block["plans"].sum() == pytest.approx(rows[(year, "All ages")], rel=1e-6)
            by_band = block.groupby("age_band")["plans"].sum()
            assert by_band["Age 11 to 15"] == pytest.approx(rows[(year, "Age 11 to 15")], rel=1e-6)
            by_place = block.groupby("placement")["plans"].sum()
            assert by_place["Maintained and academy special"] == pytest.approx(
                rows[(year, "State special schools")], rel=1e-6)
    assert cyp["method"].str.startswith("estimated").all()


@pytest.mark.slow  # shares plan_run: one deficit-plan export, 7 CPU-s measured
def test_cumulative_position_starts_from_the_opening_balance(plan_run):
    out, _ = plan_run
    plan = pd.read_csv(out / "deficit_plan.csv")
    rows = plan[plan["scenario"] == "unmitigated: Baseline"]
    in_year = rows[rows["item"] == "In-year position (income minus spend)"]["value"].to_numpy()
    cumulative = rows[rows["item"] == "Cumulative position (opening balance + in-year)"]["value"].to_numpy()
    assert cumulative == pytest.approx(-28_600_000 + in_year.cumsum())


@pytest.mark.slow  # shares plan_run: one deficit-plan export, 7 CPU-s measured
def test_deficit_plan_workbook_round_trip(plan_run):
    out, _ = plan_run
    book = load_workbook(out / "deficit_plan.xlsx")
    assert book.sheetnames == ["Unmitigated", "Mitigated", "Difference", "CYP unmitigated", "CYP mitigated",
                               "Income", "Assumptions"]
    sheet = book["Unmitigated"]
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["Section", "Item", "Unit"] and header[3] == "2025-26"
    values = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[1] == "All ages"]
    # a number Excel can add up (a whole number comes back from the workbook as int), not text
    assert isinstance(values[0][3], (int, float)) and not isinstance(values[0][3], bool) and values[0][3] > 0


@pytest.mark.slow  # 3 CPU-s measured (fast tier: under 3)
def test_scap_export_has_five_primary_and_seven_secondary_years(tmp_path, data_dir):
    scenario = short(tmp_path, "baseline", 8)
    out = tmp_path / "scap"
    assert main(["--quiet", "export", "scap", str(scenario), "--replications", "2", "--out", str(out),
                 "--data", str(data_dir)]) == 0
    table = pd.read_csv(out / "scap.csv")
    assert table.groupby("phase")["year"].count().to_dict() == {"primary": 5, "secondary": 7}
    assert (table["specialist_total"] == table["state_special"] + table["resourced_unit"]
            + table["independent"] + table["alternative_provision"]).all()
    layout = pd.read_csv(out / "scap_return.csv")
    years = ["2025/26", "2026/27", "2027/28", "2028/29", "2029/30", "2030/31", "2031/32"]
    assert list(layout.columns) == ["planning_area_code", "planning_area_name", "phase", "provision_type"] + years
    for phase, block in layout.groupby("phase"):
        filled = years[:5] if phase == "primary" else years
        parts = block[block["provision_type"] != "Total"][filled].sum()
        assert (parts == block[block["provision_type"] == "Total"][filled].iloc[0]).all()
    notes = (out / "scap_notes.txt").read_text()
    assert "largest remainder" in notes and "LA-wide" in notes
    assert load_workbook(out / "scap.xlsx").sheetnames == ["SCAP return", "Need against places", "Notes"]


@pytest.mark.slow  # 3 to 5 CPU-s measured: builds a scenario's parameters (fast tier: under 3)
def test_scap_refuses_a_run_too_short(tmp_path, capsys, data_dir):
    scenario = short(tmp_path, "baseline", 4)
    assert main(["export", "scap", str(scenario), "--replications", "1", "--out", str(tmp_path / "o"),
                 "--data", str(data_dir)]) == 2
    assert "simulate at least 7 years" in capsys.readouterr().err
