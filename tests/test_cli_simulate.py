"""``sendcast calibrate`` and ``sendcast simulate`` end to end on the shipped data (small settings)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_run import run_cli as run

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


@pytest.mark.slow  # 4 CPU-s measured (fast tier: under 3)
def test_calibrate_writes_a_fit_report_and_says_which_targets_pass(tmp_path, capsys):
    out = tmp_path / "calibration"
    code, text, _ = run(capsys, "calibrate", "--la", "916", "--replications", "2", "--out", str(out))
    assert code == 0
    report = pd.read_csv(out / "calibration.csv")
    assert list(report.columns) == ["measure", "breakdown", "year", "year_basis", "actual", "simulated", "error_pct",
                                    "fitted", "simulated_model", "error_pct_model", "simulated_des"]
    total = report[(report["measure"] == "ehcp_total") & report["breakdown"].isna()].set_index("year")
    assert total.loc[2025, "actual"] == 6412                      # published January 2025 (SEN2)
    assert total["error_pct"].abs().max() < 5
    assert "PASS  EHC plans in total within 5% every year" in text
    targets = pd.read_csv(out / "targets.csv")
    assert len(targets) == 9 and targets["passed"].dtype == bool
    # AP is judged against the 10% limit (FAIL) and the report says, with numbers, why no smooth model can meet it
    ap = targets.set_index("measures").loc["ehcp_ap"]
    assert not ap["passed"] and not ap["achievable_by_smooth_model"] and ap["chance_band_pct"] > 40
    assert "FAIL  plans in alternative provision within 10%" in text and "not achievable by any smooth model" in text
    # FE and other: the recording rule stated in words, the raw errors printed beside the verdict
    assert "Recording break" in text and "without the recording rule worst" in text
    fe = targets.set_index("measures").loc["ehcp_fe"]
    assert fe["worst_error_pct_raw"] > fe["worst_error_pct"]
    timely = report[report["measure"] == "issued_within_20wk_pct"]
    assert timely["simulated_des"].notna().all()                  # the 20-week share comes from the DES
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["la_code"] == "E10000013" and manifest["window_january"] == [2019, 2025]
    assert isinstance(manifest["parameters_at_bounds"], list)
    # an existing folder is never overwritten without --force
    code, _, err = run(capsys, "calibrate", "--la", "916", "--out", str(out))
    assert code == 2 and "already exists" in err


@pytest.mark.slow  # 4 CPU-s measured (fast tier: under 3)
def test_simulate_a_scenario_and_its_baseline(tmp_path, capsys):
    out = tmp_path / "run"
    code, text, err = run(capsys, "simulate", "--la", "Gloucestershire", "--scenario",
                          str(SCENARIOS / "assessment-capacity.toml"), "--years", "3", "--replications", "3",
                          "--seed", "5", "--out", str(out))
    assert code == 0, err
    table = pd.read_csv(out / "simulation.csv", keep_default_na=False)
    assert list(table.columns) == ["scenario", "measure", "breakdown", "year", "mean", "lo95", "hi95"]
    assert set(table["scenario"]) == {"Baseline", "More assessment capacity"}
    totals = table[(table["measure"] == "ehcp_total") & (table["breakdown"] == "")]
    assert sorted(totals["year"].unique()) == [2025, 2026, 2027, 2028]
    assert (totals[totals["year"] == 2025]["mean"] == 6412).all()
    assert ((table["measure"] == "cost_gbp") & (table["breakdown"] == "component=ap")).any()  # s251 PRU/AP lines
    assert ((table["measure"] == "cost_gbp") & (table["breakdown"] == "component=transport")).any()  # default
    differences = pd.read_csv(out / "differences.csv", keep_default_na=False)
    assert set(differences["scenario"]) == {"More assessment capacity - Baseline"}
    for name in ("ehcp_total.png", "issued_within_20wk_pct.png", "ehcp_independent_special.png"):
        assert (out / name).stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario_changes"] == ["assessment.capacity_per_year", "costs.fixed_gbp"]  # + staff cost
    # the two scenario files and the places they run with (the baseline's capacity file)
    assert sorted(i["role"] for i in manifest["inputs"]) == ["scenario", "scenario", "special school places"]
    assert "More assessment capacity" in text and "Paired difference" in text


@pytest.mark.parametrize("argv, message", [
    (["--replications", "0"], "--replications: expected a whole number from 1 to"),
    # A scenario for another LA is re-targeted (tests/test_every_la_simulation.py); an LA whose series
    # a boundary change breaks is refused with the reason.
    (["--scenario", str(SCENARIOS / "baseline.toml"), "--la", "Cumberland"], "created on 1 April 2023 from part of"),
    (["--la", "Glocestershire"], "unknown local authority"),
])
def test_simulate_errors_are_one_line(tmp_path, capsys, argv, message):
    args = ["simulate", "--out", str(tmp_path / "x")] + argv
    if "--la" not in argv:
        args += ["--la", "Gloucestershire"]
    try:
        code, _, err = run(capsys, *args)
    except SystemExit as stop:  # refused by the option's type, before the command runs
        code, err = stop.code, capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_calibrate_validate_writes_the_out_of_sample_table(tmp_path, capsys):
    out = tmp_path / "validation"
    code, text, _ = run(capsys, "calibrate", "--la", "916", "--validate", "--origins", "2023", "--replications", "3",
                        "--out", str(out))
    assert code == 0
    table = pd.read_csv(out / "validation.csv")
    assert set(table["origin"]) == {2023}
    total = table[(table["measure"] == "ehcp_total") & (table["horizon"] == 1)].iloc[0]
    assert total["year"] == 2024 and total["published"] == 5876          # published January 2024 (SEN2)
    requests = table[(table["measure"] == "requests") & (table["horizon"] == 1)].iloc[0]
    assert requests["year"] == 2023 and requests["year_basis"] == "calendar"
    assert table["forecast"].notna().sum() > 0                           # the forecast engine beside it
    targets = pd.read_csv(out / "validation_targets.csv")
    assert "coverage_95" in set(targets["target"]) and "Targets (one year ahead" in text


@pytest.mark.slow  # about 6 CPU-s (two short runs)
def test_simulate_without_a_scenario_is_a_scenario_file_that_changes_nothing(tmp_path, capsys):
    """One meaning of baseline, one money convention: ``simulate --la X`` is placed and priced
    as a scenario file naming only X and its start year (2025-26 prices, default transport),
    so its costs are the ones ``compare`` shows."""
    plain = tmp_path / "plain.toml"
    plain.write_text('[scenario]\nname = "As things stand"\nla = "Gloucestershire"\nstart_year = 2025\n')
    tables = []
    for extra, out in (([], tmp_path / "none"), (["--scenario", str(plain)], tmp_path / "file")):
        code, text, err = run(capsys, "simulate", "--la", "Gloucestershire", *extra, "--years", "2",
                              "--replications", "2", "--seed", "5", "--out", str(out))
        assert code == 0, err
        assert "restated from 2021-22 to 2025-26 prices" in text and "transport: GBP" in text
        tables.append(pd.read_csv(out / "simulation.csv", keep_default_na=False))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    cost = tables[0].set_index(["measure", "breakdown", "year"])["mean"]
    assert cost[("cost_gbp", "component=transport", 2026)] > 0
