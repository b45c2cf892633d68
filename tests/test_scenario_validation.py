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


# ------------------------------------------------------- time-respecting predictive bands
import dataclasses  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sendcast.scenarios.predictive import PANEL_COUNTS, PANEL_FLOWS, panels_until, predictive_spread  # noqa: E402
from sendcast.scenarios.validation import band_summary  # noqa: E402
from simulation.examples import gloucestershire_example  # noqa: E402
from simulation.uncertainty import PLACEMENT_DRAW_GROUPS, SPLIT_DRAWS  # noqa: E402


def _panels(seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = [f"E{n:08d}" for n in range(60)]
    size = rng.uniform(100, 2000, len(codes))[:, None]
    panels = {}
    for measure in PANEL_FLOWS + PANEL_COUNTS:
        years = range(2016, 2025) if measure in PANEL_FLOWS else range(2012, 2026)
        growth = np.exp(np.cumsum(rng.normal(0.08, 0.1, (len(codes), len(years))), axis=1))
        scale = 0.1 if measure != "ehcp_total" else 1.0
        panels[measure] = pd.DataFrame(size * scale * growth, index=codes, columns=list(years))
    return panels


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 1000), origin=st.sampled_from([2021, 2022, 2023]), factor=st.floats(0.2, 5.0))
def test_the_predictive_spread_uses_nothing_published_after_the_origin(seed, origin, factor):
    panels = _panels(seed)
    later = {m: p.copy() for m, p in panels.items()}
    for measure, panel in later.items():       # change everything published after the origin
        after = [y for y in panel.columns if y >= origin] if measure in PANEL_FLOWS else \
            [y for y in panel.columns if y > origin]
        panel.loc[:, after] = panel.loc[:, after] * factor
    params = gloucestershire_example(start_year=origin, horizon=3)
    a = predictive_spread(panels, params, origin, 0.8, la_code="E00000001")
    b = predictive_spread(later, params, origin, 0.8, la_code="E00000001")
    assert a.request_errors and a.conversion_errors is not None
    assert set(a.placement_errors) <= set(PLACEMENT_DRAW_GROUPS) | set(SPLIT_DRAWS)
    for x, y in zip(a.request_errors + a.identification_errors, b.request_errors + b.identification_errors):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.conversion_errors, b.conversion_errors)
    assert a.placement_errors.keys() == b.placement_errors.keys()
    for group in a.placement_errors:
        np.testing.assert_array_equal(a.placement_errors[group], b.placement_errors[group])
    cut = panels_until(panels, origin)
    assert max(cut["requests"].columns) == origin - 1 and max(cut["ehcp_total"].columns) == origin


def test_band_summary_counts_coverage_and_width_per_origin():
    published = {("ehcp_total", 2022): 1000.0, ("ehcp_total", 2023): 1100.0, ("requests", 2021): 200.0,
                 ("issued_within_20wk_pct", 2021): 40.0}
    simulated = pd.DataFrame([("ehcp_total", 2022, 1020.0, 990.0, 1050.0), ("ehcp_total", 2023, 1000.0, 950.0, 1050.0),
                              ("requests", 2021, 150.0, 140.0, 160.0),
                              ("issued_within_20wk_pct", 2021, 35.0, 30.0, 45.0)],
                             columns=["measure", "year", "mean", "lo95", "hi95"])
    table = score_origin(2021, 2023, simulated, published, {("ehcp_total", 2022): (1000.0, 900.0, 1100.0)})
    bands = band_summary(table).set_index(["measure", "origin"])
    everything = bands.loc[("all", "2021")]
    assert everything["checks"] == 3 and everything["simulation_inside_95"] == 2     # requests missed
    assert everything["forecast_checks"] == 1 and everything["forecast_coverage"] == 1.0
    # widths: 6% (ehcp_total) and 10% (requests) of the published value; the 20-week share apart, in points
    assert everything["simulation_median_width"] == pytest.approx(8.0)
    assert bands.loc[("issued_within_20wk_pct", "2021"), "simulation_median_width"] == pytest.approx(15.0)
    assert bands.loc[("ehcp_total", "all"), "forecast_median_width"] == pytest.approx(20.0)


@pytest.mark.slow  # about 22 CPU-seconds (the data build, one calibration, two validations of Gloucestershire)
def test_the_validation_bands_do_not_move_when_later_published_figures_change(dataset, monkeypatch):
    """The coverage is time-respecting: change every figure published after the origin (for
    every LA, so the panels change too) and the simulated bands stay exactly as they were;
    only the published values they are scored against move."""
    import sendcast.forecasting.one_la as one_la
    from sendcast.scenarios.parameters import HISTORY_FLOWS
    from sendcast.scenarios.validation import validate_la

    class _NoForecast:
        forecast = pd.DataFrame(columns=["measure", "year", "mean", "lo95", "hi95"])

    monkeypatch.setattr(one_la, "forecast_la", lambda *args, **kwargs: _NoForecast())
    origin = 2023
    m = dataset.measures
    flow = m["measure"].isin(HISTORY_FLOWS)
    after = (m["measure"] != "population") & ((flow & (m["year"] >= origin)) | (~flow & (m["year"] > origin)))
    changed = dataclasses.replace(dataset, measures=m.assign(value=m["value"].where(~after, m["value"] * 1.7)))
    first = validate_la(dataset, "Gloucestershire", origins=(origin,), replications=3, seed=5).table
    again = validate_la(changed, "Gloucestershire", origins=(origin,), replications=3, seed=5).table
    for column in ("simulated", "lo95", "hi95"):
        np.testing.assert_array_equal(first[column].to_numpy(), again[column].to_numpy())
    assert (again["published"] != first["published"]).all()
