"""Out-of-sample validation of the simulation: the history cut at an origin and the scoring rules."""

from __future__ import annotations

import pandas as pd

from sendcast.scenarios.parameters import LaHistory, history_until
from sendcast.scenarios.validation import error_of, row_passes, score_origin, simulated_values, target_summary


def _history() -> LaHistory:
    rows = []
    for year in range(2018, 2026):
        rows += [("ehcp_total", "", year, 1000.0 + 100 * year), ("requests", "", year, 50.0 + year),
                 ("issued_within_20wk_pct", "", year, 40.0), ("population", "age=3", year, 7.0),
                 ("ehcp_total", "age=3", year, 9.0)]
    return LaHistory("E1", "Test", "999", pd.DataFrame(rows, columns=["measure", "breakdown", "year", "value"]))


def test_the_history_at_an_origin_has_januaries_to_it_and_flows_to_the_year_before():
    cut = history_until(_history(), 2021)
    rows = cut.rows
    assert cut.until == 2021
    assert rows.loc[rows["measure"] == "ehcp_total", "year"].max() == 2021
    assert rows.loc[rows["measure"] == "requests", "year"].max() == 2020
    assert rows.loc[rows["measure"] == "issued_within_20wk_pct", "year"].max() == 2020
    assert rows.loc[rows["measure"] == "population", "year"].max() == 2025   # an input of the run, kept


def test_targets_per_measure_one_year_ahead():
    assert row_passes("ehcp_total", 1049, 1000) and not row_passes("ehcp_total", 1051, 1000)
    # special schools: within 10% or 25 children, whichever is wider
    assert row_passes("ehcp_independent_special", 120, 100) and not row_passes("ehcp_independent_special", 126, 100)
    assert row_passes("ehcp_state_special", 1095, 1000) and not row_passes("ehcp_state_special", 1120, 1000)
    assert row_passes("issued_within_20wk_pct", 45, 36) and not row_passes("issued_within_20wk_pct", 47, 36)
    assert row_passes("ehcp_ap", 20, 30) is None                 # scored over the origins
    assert error_of("issued_within_20wk_pct", 30, 40) == -10 and abs(error_of("requests", 110, 100) - 10.0) < 1e-9


def test_scoring_an_origin_and_the_summary():
    published = {("ehcp_total", 2022): 1000.0, ("ehcp_total", 2023): 1100.0, ("requests", 2021): 200.0,
                 ("ehcp_ap", 2022): 30.0}
    simulated = pd.DataFrame([("ehcp_total", 2022, 1020.0, 990.0, 1050.0), ("ehcp_total", 2023, 1000.0, 950.0, 1050.0),
                              ("requests", 2021, 150.0, 140.0, 160.0), ("ehcp_ap", 2022, 25.0, 20.0, 35.0)],
                             columns=["measure", "year", "mean", "lo95", "hi95"])
    table = score_origin(2021, 2023, simulated, published, {("ehcp_total", 2022): (1000.0, 900.0, 1100.0)})
    total = table[table["measure"] == "ehcp_total"].set_index("horizon")
    assert total.loc[1, "year"] == 2022 and total.loc[1, "passed"] and total.loc[1, "inside_95"]
    assert total.loc[2, "target"] == "" and total.loc[2, "passed"] is None and not total.loc[2, "inside_95"]
    requests = table[table["measure"] == "requests"].iloc[0]
    assert requests["year"] == 2021 and requests["year_basis"] == "calendar" and not requests["passed"]
    summary = target_summary(table).set_index("target")
    assert summary.loc["ehcp_total", "simulation_passed"] and not summary.loc["requests", "simulation_passed"]
    assert summary.loc["ehcp_ap", "simulation"] == "MAE 5.0"
    assert not summary.loc["ehcp_ap", "simulation_passed"]       # one origin: errors all of one sign
    assert summary.loc["coverage_95", "simulation"] == "2 of 3"


def test_simulated_bands_are_percentiles_over_replications_and_fe_plus_other_adds_per_replication():
    frames = []
    for r in range(40):
        frames.append(pd.DataFrame([("ehcp_fe", "", 2022, float(r)), ("ehcp_other", "", 2022, float(100 - r)),
                                    ("ehcp_total", "", 2022, float(r))],
                                   columns=["measure", "breakdown", "year", "value"]))
    values = simulated_values(frames).set_index("measure")
    assert values.loc["ehcp_fe_plus_other", "lo95"] == values.loc["ehcp_fe_plus_other", "hi95"] == 100
    assert values.loc["ehcp_total", "mean"] == 19.5 and values.loc["ehcp_total", "hi95"] > 37
