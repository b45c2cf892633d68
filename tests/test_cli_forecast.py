"""End to end: ``sendcast forecast`` and ``sendcast backtest`` on the shipped (real) data,
and ``forecast_la`` on fragile series. One CLI run is shared by the file checks
(module-scoped fixture) to keep the suite quick; sample paths are few (200) for speed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sendcast.cli import main
from sendcast.forecasting.evidence import FORECAST_MEASURES, national_evidence
from sendcast.forecasting.one_la import FORECAST_COLUMNS, ForecastSetupError, forecast_la
from sendcast.data.measures import PLACEMENT_GROUPS
from sendcast.forecasting.national import forecast_all_las, population_0_25

REPO = Path(__file__).resolve().parent.parent
GLOS = "E10000013"


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the shipped raw data and capacity files linked (never written)."""
    root = tmp_path_factory.mktemp("forecast-data")
    (root / "raw").symlink_to(REPO / "data" / "raw", target_is_directory=True)
    (root / "capacity").symlink_to(REPO / "data" / "capacity", target_is_directory=True)
    return root


@pytest.fixture(scope="module")
def glos_run(data_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("runs") / "glos"
    import contextlib
    import io
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["-q", "forecast", "--la", "Gloucestershire", "--horizon", "4", "--paths", "200",
                       "--data", str(data_folder), "--out", str(out)])
    assert status == 0
    return out, printed.getvalue()


@pytest.fixture(scope="module")
def evidence(dataset):
    return national_evidence(dataset, FORECAST_MEASURES, horizons=3)


def _nested(frame: pd.DataFrame) -> bool:
    tol = 1e-6 * np.maximum(1.0, frame["hi95"].abs())
    return bool(((frame["lo95"] <= frame["lo80"] + tol) & (frame["lo80"] <= frame["mean"] + tol)
                 & (frame["mean"] <= frame["hi80"] + tol) & (frame["hi80"] <= frame["hi95"] + tol)).all())


def _coherent(forecast: pd.DataFrame) -> float:
    total = forecast[forecast["measure"] == "ehcp_total"].set_index("year")["mean"]
    parts = forecast[forecast["measure"].isin(PLACEMENT_GROUPS)].groupby("year")["mean"].sum()
    assert sorted(forecast.loc[forecast["measure"].isin(PLACEMENT_GROUPS), "measure"].unique()) \
        == sorted(PLACEMENT_GROUPS)
    return float((total - parts.reindex(total.index)).abs().max())


@pytest.mark.slow  # 30 CPU-s measured (fast tier: under 3)
def test_forecast_writes_every_output(glos_run):
    out, _ = glos_run
    expected = {"forecast.csv", "backtest.csv", "sufficiency.csv", "costs.csv", "manifest.json",
                "sufficiency.png", "fan_ehcp_total.png", *(f"fan_{g}.png" for g in PLACEMENT_GROUPS),
                "need_forecast.csv", "need_latest.csv", "special_by_need.csv"}
    assert expected <= {p.name for p in out.iterdir()}


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_forecast_by_need_adds_up_to_the_forecast(glos_run):
    out, _ = glos_run
    forecast = pd.read_csv(out / "forecast.csv").set_index(["measure", "year"])["mean"]
    need = pd.read_csv(out / "need_forecast.csv")
    assert need["need"].nunique() == 13 and set(need["method"]) == {"carry_forward"}
    summed = need.groupby(["measure", "year"])["value"].sum()
    assert np.allclose(summed.to_numpy(), forecast.reindex(summed.index).to_numpy())
    special = pd.read_csv(out / "special_by_need.csv")
    assert set(special["designation"]) == {"mixed", "MLD"}


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_forecast_csv_has_the_contract_columns_future_years_only(glos_run):
    out, _ = glos_run
    forecast = pd.read_csv(out / "forecast.csv")
    assert list(forecast.columns) == list(FORECAST_COLUMNS)
    history = pd.read_csv(out / "history.csv")
    caseload = forecast[forecast["measure"] == "ehcp_total"]
    assert caseload["year"].tolist() == [2026, 2027, 2028, 2029]
    assert caseload["year"].min() > history.loc[history["measure"] == "ehcp_total", "year"].max()
    assert {"ehcp_total", *PLACEMENT_GROUPS, "new_plans", "requests", "sen_support_pct"} <= set(forecast["measure"])


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_forecast_intervals_are_nested_non_negative_and_complete(glos_run):
    out, _ = glos_run
    forecast = pd.read_csv(out / "forecast.csv")
    numbers = forecast[["mean", "lo80", "hi80", "lo95", "hi95"]]
    assert numbers.notna().all().all() and (numbers >= 0).all().all()
    assert _nested(forecast)


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_placement_groups_sum_to_the_total_every_year(glos_run):
    out, _ = glos_run
    assert _coherent(pd.read_csv(out / "forecast.csv")) < 1e-6


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_sufficiency_costs_and_backtest_tables(glos_run):
    out, printed = glos_run
    sufficiency = pd.read_csv(out / "sufficiency.csv")
    assert sufficiency["prob_exceeds"].between(0, 1).all() and (sufficiency["capacity"] > 0).all()
    costs = pd.read_csv(out / "costs.csv")
    assert set(costs["price_basis"]) == {"cash", "real"}
    costed = costs[costs["costed"]]
    assert (costed["spend_gbp_lo80"] <= costed["spend_gbp_hi80"]).all()
    assert costs.loc[costs["placement_group"] == "ehcp_ap", "costed"].all()  # a place cost from the PRU/AP lines
    backtest = pd.read_csv(out / "backtest.csv")
    assert {"measure", "model", "horizon", "mase", "coverage80"} <= set(backtest.columns)
    assert "EHC plans (and statements before 2019), January 2029" in printed
    assert "80% interval" in printed


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_manifest_records_inputs_with_checksums(glos_run):
    out, _ = glos_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["la_code"] == GLOS and manifest["horizon"] == 4
    assert manifest["sendcast_version"] and manifest["command"]
    roles = {item["role"] for item in manifest["inputs"]}
    assert {"raw data", "processed measures", "capacity"} <= roles
    assert all(len(item["sha256"]) == 64 for item in manifest["inputs"])


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_forecast_writes_the_neighbours_table_and_chart(glos_run):
    out, printed = glos_run
    assert {"neighbours.csv", "neighbours_used.csv", "neighbours_ehcp_total.png"} <= {p.name for p in out.iterdir()}
    table = pd.read_csv(out / "neighbours.csv")
    assert list(table.columns) == ["la_code", "la_name", "measure", "year", "kind", "base_year", "value",
                                   "neighbours_median", "neighbours_min", "neighbours_max", "n_neighbours", "plans"]
    total = table[table["measure"] == "ehcp_total"].set_index("year")
    assert set(total["kind"]) == {"history", "forecast"} and total.loc[2025, "kind"] == "history"
    assert total.loc[2026:, "kind"].eq("forecast").all() and total.index.max() == 2029
    assert np.allclose(total.loc[2025, ["value", "neighbours_median", "neighbours_min", "neighbours_max"]], 100)
    assert (total["n_neighbours"] == 10).all()  # none of Gloucestershire's neighbours has a broken series
    forecast = pd.read_csv(out / "forecast.csv").query("measure == 'ehcp_total'").set_index("year")["mean"]
    assert np.allclose(total.loc[2026:, "plans"], forecast)
    # the median and range at the horizon, worked out again from each neighbour's own figures
    used = pd.read_csv(out / "neighbours_used.csv")
    assert used["used"].all() and (used["forecast_year"] == 2029).all()
    at_horizon = 100 * used["ehcp_forecast"] / used["ehcp_base"]
    assert np.isclose(total.loc[2029, "neighbours_median"], at_horizon.median())
    assert np.isclose(total.loc[2029, "neighbours_min"], at_horizon.min())
    assert np.isclose(total.loc[2029, "neighbours_max"], at_horizon.max())
    assert "statistical neighbours" in printed and "not a prediction interval" in printed
    assert "neighbours" in json.loads((out / "manifest.json").read_text())["timings_seconds"]


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_a_neighbours_forecast_is_the_one_forecast_la_gives_it(glos_run, dataset):
    out, _ = glos_run
    used = pd.read_csv(out / "neighbours_used.csv").set_index("la_name")
    evidence = national_evidence(dataset, horizons=4)  # already computed in this process by the run
    alone = forecast_la(dataset, "Warwickshire", horizon=4, evidence=evidence, n_paths=200, la_backtest=False,
                        age_bands=False)
    mean = alone.forecast.query("measure == 'ehcp_total'").set_index("year")["mean"]
    assert np.isclose(used.loc["Warwickshire", "ehcp_forecast"], mean[2029])


@pytest.mark.slow  # 9 CPU-s measured (fast tier: under 3)
def test_neighbours_reuse_the_national_evidence_and_leave_out_broken_series(dataset, evidence, monkeypatch):
    from sendcast.forecasting import evidence as evidence_module
    from sendcast.forecasting.neighbours import compare_with_neighbours

    def refuse(*args, **kwargs):
        raise AssertionError("the national backtest was run again")

    monkeypatch.setattr(evidence_module, "_national_evidence", refuse)
    own = forecast_la(dataset, "Bedford", horizon=3, evidence=evidence, n_paths=100, la_backtest=False,
                      age_bands=False)
    comparison = compare_with_neighbours(dataset, own, evidence, n_paths=100, measures=("ehcp_total",))
    listed = comparison.neighbours.set_index("la_name")
    # two of Bedford's ten neighbours were created by reorganisations inside the data
    assert not comparison.empty and listed["used"].sum() == 8
    assert listed.loc["West Northamptonshire", "reason"].startswith("boundary change: West Northamptonshire was")
    assert listed.loc["Bournemouth, Christchurch and Poole", "reason"].startswith("boundary change:")
    assert (comparison.table["n_neighbours"] <= 8).all()


@pytest.mark.slow  # 5 CPU-s measured (fast tier: under 3)
def test_forecast_for_england_says_it_has_no_neighbours(data_folder, tmp_path, capsys):
    out = tmp_path / "england"
    assert main(["-q", "forecast", "--la", "England", "--horizon", "4", "--paths", "200", "--data", str(data_folder),
                 "--out", str(out)]) == 0
    assert "England is the whole country and has no statistical neighbours" in capsys.readouterr().out
    assert pd.read_csv(out / "neighbours.csv").empty
    assert not (out / "neighbours_ehcp_total.png").exists()


@pytest.mark.slow  # 3.4 CPU-s measured after glos_run (its national evidence reused); about 18 alone
def test_forecast_for_a_small_la_with_an_empty_placement_says_what_it_does_not_split(data_folder, tmp_path, capsys):
    # Rutland published no EHC plans in alternative provision in January 2025 (every need 0):
    # the forecast used to stop with a traceback ("a composition needs a positive total").
    out = tmp_path / "rutland"
    assert main(["-q", "forecast", "--la", "Rutland", "--horizon", "4", "--paths", "200", "--no-neighbours",
                 "--data", str(data_folder), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    need = pd.read_csv(out / "need_forecast.csv")
    assert "ehcp_ap" not in set(need["measure"]) and {"ehcp_total", "ehcp_state_special"} <= set(need["measure"])
    forecast = pd.read_csv(out / "forecast.csv")
    assert "ehcp_ap" in set(forecast["measure"])  # the total is forecast; only its need split is not
    note = "EHC plans: alternative provision or pupil referral unit: not split by primary need for Rutland"
    assert note in (out / "warnings.txt").read_text() and note in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert any(n.startswith(note) for n in manifest["need_share_method"]["notes"])


@pytest.mark.slow  # shares glos_run: one forecast, 35 CPU-s measured (fast tier: under 3)
def test_existing_output_folder_is_refused(glos_run, data_folder, capsys):
    out, _ = glos_run
    before = sorted(p.name for p in out.iterdir())
    status = main(["forecast", "--la", "Gloucestershire", "--data", str(data_folder), "--out", str(out)])
    assert status == 2
    assert "already exists" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == before


def test_until_drops_every_later_value_including_the_evidence(dataset):
    evidence = national_evidence(dataset, ["ehcp_total", "ehcp_state_special"], until=2020, horizons=3)
    assert evidence.backtest.errors["year"].max() <= 2020
    assert evidence.until == 2020
    result = forecast_la(dataset, "Gloucestershire", until=2020, evidence=evidence, n_paths=200,
                         measures=["ehcp_total", "ehcp_state_special"], age_bands=False)
    assert result.history["year"].max() == 2020
    assert result.forecast["year"].min() == 2021
    with pytest.raises(ForecastSetupError, match="until"):
        forecast_la(dataset, "Gloucestershire", until=2021, evidence=evidence)


@pytest.mark.slow  # shares the national evidence (backtest), 9 CPU-s measured
def test_england_is_forecast_and_coherent(dataset, evidence):
    result = forecast_la(dataset, "England", horizon=3, evidence=evidence, n_paths=200, la_backtest=False)
    assert result.la_code == "E92000001" and not result.forecast.empty
    assert _nested(result.forecast) and _coherent(result.forecast) < 1e-6
    assert any("no capacity file" in w for w in result.warnings)


@pytest.mark.parametrize("la, expect", [
    ("Cumbria", "not forecast"),          # abolished in 2023: a forecast from 2022 would be meaningless
    ("Cumberland", "only 2 published years"),  # created in 2023: too short
])
@pytest.mark.slow  # shares the national evidence (backtest), 9 CPU-s measured
def test_broken_series_are_refused_with_a_reason_never_a_crash(dataset, evidence, la, expect):
    result = forecast_la(dataset, la, horizon=3, evidence=evidence, n_paths=200, la_backtest=False)
    assert result.forecast.empty
    assert any(expect in w for w in result.warnings)


@pytest.mark.slow  # shares the national evidence (backtest), 9 CPU-s measured
def test_tiny_and_zero_series_give_numbers_or_notes_never_nan(dataset, evidence):
    result = forecast_la(dataset, "Isles of Scilly", horizon=3, evidence=evidence, n_paths=200, la_backtest=False)
    numbers = result.forecast[["mean", "lo80", "hi80", "lo95", "hi95"]]
    assert numbers.notna().all().all() and _nested(result.forecast)
    assert any("the same value" in w for w in result.warnings)


@pytest.mark.slow  # 3 CPU-s measured (fast tier: under 3)
def test_all_las_skips_broken_areas_with_their_reason(dataset, evidence):
    keep = ["E92000001", GLOS, "E10000006", "E06000053"]
    las = dataset.geography.las[dataset.geography.las["la_code"].isin(keep)]
    small = replace(dataset, geography=replace(dataset.geography, las=las))
    result = forecast_all_las(small, evidence, horizon=3, n_paths=200)
    status = result.summary.set_index("la_code")["status"]
    assert status.to_dict() == {"E92000001": "forecast", GLOS: "forecast", "E10000006": "skipped",
                                "E06000053": "forecast"}
    assert result.summary.iloc[0]["la_name"] == "England"
    assert "boundary change" in result.summary.set_index("la_code").loc["E10000006", "reason"]
    assert set(result.forecast["la_code"]) == {"E92000001", GLOS, "E06000053"}
    # EHC plans per 1,000 residents aged 0-25: SEN2 plans / ONS population 0-25 of the same year
    glos = result.summary.set_index("la_code").loc[GLOS]
    people = dataset.measures.query("la_code == @GLOS and measure == 'population' and breakdown == ''")
    people = people.set_index("year")["value"]
    plans = dataset.measures.query("la_code == @GLOS and measure == 'ehcp_total' and breakdown == ''")
    plans = plans.set_index("year")["value"]
    latest, horizon = int(glos["last_year"]), int(glos["forecast_year"])
    assert np.isclose(glos["ehcp_per_1000_latest"], 1000 * plans[latest] / people[latest])
    for column, forecast in (("projected", "ehcp_mean"), ("lo80", "ehcp_lo80"), ("hi80", "ehcp_hi80")):
        assert np.isclose(glos[f"ehcp_per_1000_{column}"], 1000 * glos[forecast] / people[horizon])
    assert "per 1,000 residents aged 0-25" in glos["per_1000_basis"]
    # England = the sum of the current LAs: 17.38m in 2022 and 17.69m in 2025 (shared SNPP2022_README.md)
    england = population_0_25(dataset)["E92000001"]
    assert england[2022] == pytest.approx(17.38e6, rel=0.003) and england[2025] == pytest.approx(17.69e6, rel=0.003)
    cumbria = result.summary.set_index("la_code").loc["E10000006"]
    assert pd.isna(cumbria["ehcp_per_1000_projected"])  # skipped: no projection is made up


@pytest.mark.slow  # 5 CPU-s measured (fast tier: under 3)
def test_forecast_all_las_writes_the_summary_and_national_charts(dataset, data_folder, tmp_path, capsys,
                                                                 monkeypatch):
    from sendcast.data import store
    keep = ["E92000001", GLOS, "E10000006", "E06000053", "E10000031"]
    las = dataset.geography.las[dataset.geography.las["la_code"].isin(keep)]
    small = replace(dataset, geography=replace(dataset.geography, las=las))
    monkeypatch.setattr(store, "load_dataset", lambda data=None: small)
    out = tmp_path / "all"
    assert main(["-q", "forecast", "--all-las", "--horizon", "3", "--paths", "200", "--data", str(data_folder),
                 "--out", str(out)]) == 0
    assert {"summary.csv", "forecast.csv", "skipped.csv", "national_growth.png",
            "national_per_1000_residents.png"} <= {p.name for p in out.iterdir()}
    summary = pd.read_csv(out / "summary.csv")
    forecast = summary[summary["status"] == "forecast"]
    assert forecast["ehcp_per_1000_projected"].notna().all()
    assert (forecast["ehcp_per_1000_lo80"] <= forecast["ehcp_per_1000_hi80"]).all()
    printed = capsys.readouterr().out
    assert "EHC plans per 1,000 residents aged 0-25" in printed and "ONS 2022-based" in printed


@pytest.mark.slow  # 7 CPU-s measured (fast tier: under 3)
def test_backtest_all_las_writes_the_table_and_summary(data_folder, tmp_path, capsys):
    out = tmp_path / "bt"
    status = main(["-q", "backtest", "--all-las", "--measure", "ehcp_total", "--measure", "ehcp_state_special",
                   "--horizons", "3", "--data", str(data_folder), "--out", str(out)])
    assert status == 0
    table = pd.read_csv(out / "backtest.csv")
    assert {"measure", "la_code", "la_name", "model", "horizon", "mase", "coverage80"} <= set(table.columns)
    assert table["la_code"].nunique() > 100 and set(table["horizon"]) == {1, 2, 3}
    pooled = pd.read_csv(out / "track_record.csv")
    line = pooled[pooled["method"] == "five_year_line"]
    assert np.allclose(line["relative_mase"], 1.0)
    assert {"sendcast", "naive", "drift", "constant_growth", "demographic_rate"} <= set(pooled["method"])
    # the demographic rate model is scored for EHC plans only, without intervals (never chosen)
    demographic = pooled[pooled["method"] == "demographic_rate"]
    assert set(demographic["measure"]) == {"ehcp_total"} and demographic["relative_mase"].between(0.3, 3).all()
    assert demographic["coverage80"].isna().all()
    pooled = pooled[pooled["method"] != "demographic_rate"]
    assert pooled["coverage80"].between(0, 1).all() and (pooled["coverage95"] >= pooled["coverage80"] - 0.05).all()
    vintages = pd.read_csv(out / "vintages.csv")
    assert set(vintages["origin"]) >= set(range(2016, 2023)) and set(vintages["horizon"]) == {1, 2, 3}
    printed = capsys.readouterr().out
    assert "Real-time national backtest" in printed and "per vintage" in printed and "five_year_line" in printed
    needs = pd.read_csv(out / "need_shares_backtest.csv")
    assert set(needs["horizon"]) == {1, 2, 3}
    by_need = needs[needs["series"].str.startswith("need shares")]
    assert (by_need["scored"] == 0).all() and by_need["mae_pp"].isna().all()  # one published year: not measured
    assert "Need shares (EHC plans by primary need): carry_forward" in printed and "not measured" in printed
