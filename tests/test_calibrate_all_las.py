"""``sendcast calibrate --all-las``: every LA validated as its own task, LAs lacking an input
listed with the input, a failing LA a row, the national summary per measure."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sendcast.scenarios import validation_all_las as national
from sendcast.scenarios.validation import TARGETS, Validation, score_origin, target_summary
from tests.cli_run import run_cli as run


def test_an_la_whose_series_starts_after_the_window_is_listed_with_the_missing_input(dataset):
    cumberland = national.missing_inputs(dataset, "E06000063", (2021, 2022, 2023), 2025)
    assert len(cumberland) == 1 and "EHC plan series from January" in cumberland[0]
    assert "created on 1 April 2023" in cumberland[0]
    assert national.missing_inputs(dataset, "E10000013", (2021, 2022, 2023), 2025) == []   # Gloucestershire


def test_choosing_las_is_reproducible(dataset):
    every = national.choose_las(dataset, every=10)
    codes = national.current_las(dataset)["la_code"]
    assert list(every["la_code"]) == list(codes.iloc[::10])
    around = national.choose_las(dataset, neighbours_of="Gloucestershire")
    assert len(around) == 11 and "E10000013" in set(around["la_code"])
    both = national.choose_las(dataset, names=["Rutland"], every=10, neighbours_of="Gloucestershire")
    assert set(both["la_code"]) == set(every["la_code"]) | set(around["la_code"]) | {"E06000017"}
    assert list(both["la_code"]) == sorted(both["la_code"])


def _small_validation(la_code: str, origin: int, published_total: float, simulated_total: float) -> Validation:
    """A hand-sized validation: EHC plans only, one origin, one year ahead."""
    simulated = pd.DataFrame([("ehcp_total", origin + 1, simulated_total, simulated_total * 0.95,
                               simulated_total * 1.05)], columns=["measure", "year", "mean", "lo95", "hi95"])
    table = score_origin(origin, origin + 1, simulated, {("ehcp_total", origin + 1): published_total}, {})
    return Validation(table, target_summary(table), ("hand-made",))


def test_a_failing_la_becomes_a_row_and_the_others_still_run(dataset, monkeypatch):
    def fake(dataset_, la, **_):
        if la == "E06000017":
            raise RuntimeError("the optimiser diverged\nsecond line")
        return _small_validation(la, 2023, 1000.0, {"E06000001": 1030.0, "E06000002": 1200.0}[la]), None

    monkeypatch.setattr(national, "validate_one_la", fake)
    monkeypatch.setattr(national, "in_sample_fit", lambda *a: pd.DataFrame(columns=national.FIT_COLUMNS))
    las = pd.DataFrame({"la_code": ["E06000001", "E06000017", "E06000002", "E06000063"],
                        "la_name": ["Hartlepool", "Rutland", "Middlesbrough", "Cumberland"]})
    result = national.validate_las(dataset, las, origins=[2023], replications=2, seed=1)
    status = result.las.set_index("la_name")["status"]
    assert dict(status) == {"Hartlepool": "validated", "Rutland": "failed", "Middlesbrough": "validated",
                            "Cumberland": "missing input"}
    rutland = result.table[result.table["la_name"] == "Rutland"]
    assert len(rutland) == 1 and rutland["reason"].iloc[0] == "RuntimeError: the optimiser diverged"
    assert rutland["measure"].isna().all()
    assert "EHC plan series" in result.table.loc[result.table["la_name"] == "Cumberland", "reason"].iloc[0]
    # the summary: median of +3% and +20%, worst Middlesbrough, one LA of two within 5%
    row = result.summary[(result.summary["measure"] == "ehcp_total") & (result.summary["origin"] == "2023")].iloc[0]
    assert row["las"] == 2 and row["median_error"] == pytest.approx(11.5)
    assert row["worst_la"] == "Middlesbrough" and row["worst_error"] == pytest.approx(20.0)
    assert row["share_passed"] == 0.5 and row["target"] == TARGETS["ehcp_total"]
    everywhere = result.summary[(result.summary["measure"] == "ehcp_total") & (result.summary["origin"] == "all")]
    assert everywhere["share_passed"].iloc[0] == 0.5 and everywhere["worst_la"].iloc[0] == "Middlesbrough (2023)"


@pytest.mark.parametrize("argv, message", [
    (["--all-las", "--la", "Kent"], "not allowed with argument"),
    (["--all-las", "--las", "Nowhereshire"], "unknown local authority 'Nowhereshire'"),
    (["--la", "Kent", "--las", "Leeds"], "--las needs --all-las"),
    (["--all-las", "--origins", "2030"], "--origins: 2030 is not between 2018"),
    (["--all-las", "--start-year", "2024"], "--start-year is for one LA's fit"),
    (["--all-las", "--every", "0"], "expected a whole number from 1"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, built_data, argv, message):
    try:
        code, _, err = run(capsys, "calibrate", *argv)
    except SystemExit as stop:  # refused by argparse before the command runs
        code, err = stop.code, capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_calibrate_all_las_writes_the_national_table_for_small_las(tmp_path, capsys, data_dir):
    out = tmp_path / "national"
    code, text, _ = run(capsys, "calibrate", "--all-las", "--las", "Rutland", "City of London", "Cumberland",
                        "--origins", "2023", "--replications", "3", "--data", str(data_dir), "--out", str(out))
    assert code == 0
    table = pd.read_csv(out / "validation_all_las.csv")
    assert list(table.columns) == national.NATIONAL_COLUMNS
    rutland = table[table["la_name"] == "Rutland"]
    assert set(rutland["status"]) == {"validated"} and set(rutland["origin"]) == {2023}
    total = rutland[(rutland["measure"] == "ehcp_total") & (rutland["horizon"] == 1)].iloc[0]
    assert total["year"] == 2024 and np.isfinite(total["simulated"]) and np.isfinite(total["forecast_error"])
    assert total["error"] == pytest.approx(100 * (total["simulated"] / total["published"] - 1), abs=1e-3)
    # City of London (15 plans by age, 14 by placement: within simulation.parameters.CASELOAD_SLACK) is
    # validated; an LA whose inputs are missing is a row, not a crash
    las = pd.read_csv(out / "las.csv").set_index("la_name")
    assert las.loc["Rutland", "status"] == "validated"
    assert las.loc["Cumberland", "status"] == "missing input"
    assert las.loc["City of London", "status"] == "validated"
    summary = pd.read_csv(out / "validation_summary.csv")
    assert {"ehcp_total", "requests", "coverage_95"} <= set(summary["measure"])
    assert set(summary.columns) == set(national.VALIDATION_SUMMARY_COLUMNS)
    fit = pd.read_csv(out / "fit_all_las.csv")
    assert set(fit["la_name"]) == {"Rutland", "City of London"} and (fit["origin"] == 2023).all()
    assert "LAs not validated" in text and "Cumberland" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["las_chosen"] == 3 and manifest["replications"] == 3


def test_a_checkpoint_keeps_finished_las_and_a_rerun_reads_them_back(dataset, monkeypatch, tmp_path):
    calls = []

    def fake(dataset_, la, **_):
        calls.append(la)
        return _small_validation(la, 2023, 1000.0, 1010.0), None

    monkeypatch.setattr(national, "validate_one_la", fake)
    monkeypatch.setattr(national, "in_sample_fit", lambda *a: pd.DataFrame(columns=national.FIT_COLUMNS))
    las = pd.DataFrame({"la_code": ["E06000001", "E06000002"], "la_name": ["Hartlepool", "Middlesbrough"]})
    first = national.validate_las(dataset, las, origins=[2023], replications=2, seed=1, checkpoint=tmp_path)
    assert calls == ["E06000001", "E06000002"] and len(list(tmp_path.glob("*.pickle"))) == 2
    again = national.validate_las(dataset, las, origins=[2023], replications=2, seed=1, checkpoint=tmp_path)
    assert calls == ["E06000001", "E06000002"]                 # nothing run again
    pd.testing.assert_frame_equal(first.table, again.table)
    national.validate_las(dataset, las, origins=[2023], replications=3, seed=1, checkpoint=tmp_path)
    assert calls[2:] == ["E06000001", "E06000002"]             # other settings: run again


def test_an_la_without_population_is_listed_with_that_input(dataset):
    from dataclasses import replace

    m = dataset.measures
    without = replace(dataset, measures=m[~((m["la_code"] == "E06000017") & (m["measure"] == "population"))])
    assert national.missing_inputs(without, "E06000017", (2021, 2022, 2023), 2025) == [
        "ONS population by single year of age 0-25 for 2019 or earlier (the calibration needs two years before the "
        "first origin, 2021); none published"]
    fewer = replace(dataset, measures=m[~((m["la_code"] == "E06000017") & (m["measure"] == "requests")
                                          & (m["year"] == 2018))])
    assert national.missing_inputs(fewer, "E06000017", (2021, 2022, 2023), 2025) == [
        "requests (calendar year) for 2018"]
