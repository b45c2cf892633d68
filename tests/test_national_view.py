"""``sendcast national``: one table of every LA, with ranks, neighbours and the LAs missing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sendcast.cli import main
from sendcast.forecasting.evidence import FORECAST_MEASURES, national_evidence
from sendcast.forecasting.national import forecast_all_las
from sendcast.money.unit_costs import NATIONAL_OUTTURN_FILE, every_la_unit_costs
from sendcast.reporting.national_view import national_view

REPO = Path(__file__).resolve().parent.parent
KEEP = ["E92000001", "E10000013", "E10000006", "E10000016", "E08000035", "E06000017", "E10000027", "E06000058"]


@pytest.fixture(scope="module")
def small(dataset):
    las = dataset.geography.las[dataset.geography.las["la_code"].isin(KEEP)]
    return replace(dataset, geography=replace(dataset.geography, las=las))


@pytest.fixture(scope="module")
def view(dataset, small, data_dir):
    evidence = national_evidence(dataset, FORECAST_MEASURES, horizons=3)
    result = forecast_all_las(small, evidence, horizon=3, n_paths=200, data=data_dir)
    costs = every_la_unit_costs(dataset, REPO / "data" / "raw" / "finance" / NATIONAL_OUTTURN_FILE)
    return national_view(result, small, costs, {"E10000013"})


@pytest.mark.slow  # 6 CPU-s measured (fast tier: under 3)
def test_the_table_has_one_row_per_la_and_lists_the_missing_with_reasons(view):
    table, missing = view
    assert table["la_code"].tolist()[0] == "E92000001" and table["la_code"].is_unique
    assert set(missing["la_code"]) == {"E10000006", "E06000058"}             # Cumbria, BCP: boundary changes
    assert missing["reason"].str.contains("boundary change").all()
    forecast = table[(table["status"] == "forecast") & (table["la_code"] != "E92000001")]
    assert len(forecast) == 5
    for column in ("ehcp_per_1000_latest", "growth_pct_a_year", "independent_share_pct",
                   "unit_cost_state_special_gbp", "unit_cost_independent_special_gbp"):
        assert forecast[column].notna().all(), column


@pytest.mark.slow  # shares view: every LA's table, 6 CPU-s measured
def test_figures_are_the_published_ones_and_the_ranks_follow_them(view, dataset):
    table, _ = view
    kent = table.set_index("la_code").loc["E10000016"]
    m = dataset.measures[(dataset.measures["la_code"] == "E10000016") & (dataset.measures["breakdown"] == "")]
    year = int(kent["last_year"])
    value = m.set_index(["measure", "year"])["value"]
    assert kent["independent_share_pct"] == pytest.approx(
        100 * value[("ehcp_independent_special", year)] / value[("ehcp_total", year)])
    assert kent["ehcp_per_1000_latest"] == pytest.approx(1000 * value[("ehcp_total", year)]
                                                         / value[("population", year)])
    assert kent["state_special_places"] == 4838 and kent["places_source"] == "third-party, low confidence"
    assert table.set_index("la_code").loc["E10000013", "places_source"] == "LA file"
    forecast = table[(table["status"] == "forecast") & (table["la_code"] != "E92000001")]
    order = forecast.sort_values("ehcp_per_1000_latest", ascending=False)["rank_per_1000_latest"].tolist()
    assert order == sorted(order) and order[0] == 1
    shortfall = [c for c in table.columns if c.startswith("p_shortfall_")]
    values = table[shortfall].to_numpy().ravel()
    values = values[~np.isnan(values)]
    assert shortfall and len(values) > 0 and ((values >= 0) & (values <= 1)).all()


@pytest.mark.slow  # shares view: every LA's table, 6 CPU-s measured
def test_neighbour_medians_use_the_neighbours_that_have_figures(view, small):
    table, _ = view
    indexed = table.set_index("la_code")
    for code, part in small.neighbours.groupby("la_code"):
        if code not in indexed.index:
            continue
        used = [n for n in part["neighbour_code"] if n in indexed.index and indexed.loc[n, "status"] == "forecast"
                and n != "E92000001"]
        assert indexed.loc[code, "neighbours_used"] == len(used)
        if used:
            assert indexed.loc[code, "neighbours_per_1000_latest_median"] == pytest.approx(
                np.median(indexed.loc[used, "ehcp_per_1000_latest"]))


@pytest.mark.slow
def test_national_command_writes_the_table_missing_list_and_charts(small, data_dir, tmp_path, monkeypatch, capsys):
    from sendcast.data import store
    monkeypatch.setattr(store, "load_dataset", lambda data=None: small)
    out = tmp_path / "national"
    assert main(["-q", "national", "--horizon", "3", "--paths", "200", "--data", str(data_dir), "--out", str(out)]) == 0
    written = {p.name for p in out.iterdir()}
    assert {"national.csv", "missing.csv", "unit_costs.csv", "national_by_region.png",
            "national_special_demand_vs_places.png", "national_per_1000_residents.png"} <= written
    assert len(pd.read_csv(out / "missing.csv")) == 2
    printed = capsys.readouterr().out
    assert "5 LAs forecast, 2 missing" in printed and "Cumbria" in printed
