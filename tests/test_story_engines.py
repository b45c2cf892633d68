"""The report says, measure by measure, where the simulation's baseline leaves the trend
forecast's 80% interval, when, on which side and why (issue 19 item 4, issue 21)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from sendcast.reporting.story import agreement_lines, engines_agreement
from sendcast.scenarios.forecast_agreement import WHY_THEY_DIFFER


def _runs(simulated: dict[str, dict[int, float]], trend: dict[str, dict[int, tuple[float, float]]]):
    summary = pd.DataFrame([("Base", m, "", y, v, v, v) for m, ys in simulated.items() for y, v in ys.items()],
                           columns=["scenario", "measure", "breakdown", "year", "mean", "lo95", "hi95"])
    forecast = pd.DataFrame([(m, y, (lo + hi) / 2, lo, hi) for m, ys in trend.items() for y, (lo, hi) in ys.items()],
                            columns=["measure", "year", "mean", "lo80", "hi80"])
    return SimpleNamespace(summary=summary, baseline="Base"), SimpleNamespace(forecast=forecast)


def test_each_year_both_engines_cover_is_placed_below_inside_or_above_the_trend_interval():
    comparison, forecast = _runs({"ehcp_total": {2025: 1.0, 2026: 100.0, 2027: 300.0, 2028: 50.0}},
                                 {"ehcp_total": {2026: (90, 110), 2027: (100, 200), 2028: (60, 80), 2029: (1, 2)}})
    table = engines_agreement(comparison, forecast).set_index("year")
    assert table["inside"].to_dict() == {2026: "inside", 2027: "above", 2028: "below"}    # only common years
    (line,) = agreement_lines(engines_agreement(comparison, forecast))
    assert line.startswith("EHC plans: the simulation is outside the trend forecast's 80% interval (above it in "
                           "2027 and below it in 2028)")
    assert "the work in hand" in line                                                      # and why
    # the table written beside the report (engines_agreement.csv) carries the same reason
    assert table["reason"].to_dict() == {2026: "", 2027: WHY_THEY_DIFFER["ehcp_total"],
                                         2028: WHY_THEY_DIFFER["ehcp_total"]}
    assert WHY_THEY_DIFFER["ehcp_total"] in line


def test_a_simulation_inside_every_interval_gets_one_sentence_saying_so():
    comparison, forecast = _runs({"requests": {y: 10.0 for y in range(2025, 2030)}},
                                 {"requests": {y: (5, 15) for y in range(2025, 2030)}})
    assert agreement_lines(engines_agreement(comparison, forecast)) == [
        "In every year both engines cover (2025-2029), the simulation's baseline lies inside the trend forecast's 80% "
        "interval for requests for an EHC needs assessment."]
    assert agreement_lines(engines_agreement(comparison, None)) == []


def test_sen_support_is_compared_as_a_share_of_residents_aged_4_to_15():
    """The trend forecast has SEN support as a share of pupils; the simulation counts children.
    The report divides the count by the residents aged 4-15 of that January (the calibration's
    rule), so the two engines are compared on one scale."""
    import numpy as np

    from simulation.parameters import Population

    by_age = np.zeros((2, 26))
    by_age[0, 4:16] = 100.0          # 1,200 residents aged 4-15 in 2025
    by_age[1, 4:16] = 50.0           # 600 in 2026
    by_age[:, 0:4] = 1_000.0         # under-4s are not pupils
    comparison, forecast = _runs({"sen_support": {2025: 180.0, 2026: 180.0}},
                                 {"sen_support_pct": {2025: (14, 16), 2026: (14, 16)}})
    comparison.parameters = {"Base": SimpleNamespace(population=Population(2025, by_age))}
    table = engines_agreement(comparison, forecast).set_index("year")
    assert table["simulated"].round(6).to_dict() == {2025: 15.0, 2026: 30.0}
    assert table["inside"].to_dict() == {2025: "inside", 2026: "above"}
    (line,) = agreement_lines(engines_agreement(comparison, forecast))
    assert line.startswith("Pupils on SEN support (% of residents aged 4-15): the simulation is outside")


def test_the_la_s_own_reason_comes_before_the_general_one_in_the_table_and_the_report():
    """Isle of Wight published 74 requests for 2024 (382 for 2022) and 187 new plans: its plans
    fall below the trend's interval, and the report says so in its own figures, then why the
    engines can differ at all; an LA with no published flows gets the general reason only."""
    comparison, forecast = _runs({"ehcp_total": {2026: 50.0, 2027: 150.0}},
                                 {"ehcp_total": {2026: (100, 200), 2027: (100, 200)}})
    general = engines_agreement(comparison, forecast).set_index("year")
    assert general.loc[2026, "reason"] == WHY_THEY_DIFFER["ehcp_total"]
    comparison.published = pd.DataFrame(
        [("requests", "", 2022, 382.0), ("requests", "", 2024, 74.0), ("new_plans", "", 2024, 187.0)],
        columns=["measure", "breakdown", "year", "value"])
    table = engines_agreement(comparison, forecast).set_index("year")
    own = "published requests fell from 382 (2022) to 74 (2024), fewer than the 187 new plans issued in 2024"
    assert table.loc[2026, "reason"].startswith(own) and table.loc[2026, "reason"].endswith(WHY_THEY_DIFFER["ehcp_total"])
    assert table.loc[2027, "reason"] == ""                                          # inside: nothing to explain
    (line,) = agreement_lines(engines_agreement(comparison, forecast))
    assert own in line and WHY_THEY_DIFFER["ehcp_total"] in line
