"""The share-target rule: the published share of pupils on SEN support carried forward by the
rule chosen on every LA's share, and the simulated share made to follow it (issue 19)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sendcast.scenarios import parameters as setup
from sendcast.scenarios.validation import pupils_by_january
from simulation.cohort import expected_trajectories
from simulation.parameters import SpecialPlaces
from simulation.trends import damped_factors

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_the_share_carried_forward_is_the_chosen_damped_growth_of_the_published_share(dataset):
    history = setup.la_history(dataset, "Gloucestershire")
    path = setup.share_path(history, 2025, 5)
    damping, cap, line = setup.identification_choice(history, 2025, 1.0)
    published = {y: history.total("sen_support_pct", y) for y in (2022, 2025)}
    growth = min(np.log(published[2025] / published[2022]) / 3, cap if cap is not None else np.inf)
    expected = published[2025] * damped_factors(growth, damping, 5)
    assert [path[y] for y in range(2026, 2031)] == pytest.approx(list(expected))
    assert all(b >= a for a, b in zip([published[2025], *path.values()], path.values()))  # the share has grown


def test_the_share_rule_uses_no_published_figure_after_the_origin(dataset):
    history = setup.la_history(dataset, "Gloucestershire")
    cut = setup.history_until(history, 2022)
    rows = history.rows.copy()
    later = (rows["measure"] == "sen_support_pct") & (rows["year"] > 2022)
    rows.loc[later, "value"] *= 3                                      # a very different future
    panels = {}
    for name, table in history.panels.items():
        table = table.copy()
        table.loc[:, [y for y in table.columns if int(y) > 2022]] *= 3
        panels[name] = table
    changed = replace(history, rows=rows, panels=panels)
    assert setup.share_path(changed, 2022, 4) == pytest.approx(setup.share_path(cut, 2022, 4))
    assert setup.share_path(history, 2022, 4) == pytest.approx(setup.share_path(cut, 2022, 4))


@pytest.mark.slow  # one calibration of Gloucestershire and the share target set over ten years (about 15 CPU-s)
def test_the_simulated_share_follows_the_chosen_rules_path_and_a_scenario_identifies_on_top(dataset, monkeypatch):
    from sendcast.scenarios.files import load_scenario

    monkeypatch.setattr(setup, "IDENTIFICATION_FORWARD", "share_target")
    monkeypatch.setattr(setup, "PLANS_FORWARD", "request_growth")  # the share rule alone
    history = setup.la_history(dataset, "Gloucestershire")
    fit = setup.calibrate_la(dataset, "Gloucestershire", start_year=2025)
    built = {}
    for name in ("baseline", "early-identification"):
        scenario, _, _ = load_scenario(SCENARIOS / f"{name}.toml")
        params = setup.build_parameters(dataset, "E10000013", start_year=2025, horizon=10, scenario=scenario,
                                        calibration=fit)
        built[name] = expected_trajectories(replace(params, special_places=SpecialPlaces()), setup.TARGET_STEPS_PER_YEAR)
    params_pupils = pupils_by_january(params.population, range(2026, 2036))
    path = setup.share_path(history, 2025, 10)
    base = built["baseline"]
    sen = base[(base["measure"] == "sen_support") & (base["breakdown"] == "")].set_index("year")["value"]
    for year, share in path.items():
        assert 100 * sen[year] / params_pupils[year] == pytest.approx(share, abs=0.01)
    # the programme's own identification comes on top of the baseline's path, not in place of it
    early = built["early-identification"]
    identified = {name: t.loc[(t["measure"] == "sen_support_identified") & (t["breakdown"] == ""), "value"].sum()
                  for name, t in built.items()}
    assert identified["early-identification"] > identified["baseline"]
    assert early.loc[(early["measure"] == "sen_support_identified")
                     & (early["breakdown"] == "route=early_identification"), "value"].sum() > 0


def _run_from(dataset, origin: int, years: int, **rules):
    """The cohort engine's totals (measure, January) for Gloucestershire from ``origin`` under
    ``rules`` (module attributes of :mod:`sendcast.scenarios.parameters`), and the params."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in rules.items():
            patch.setattr(setup, name, value)
        history = setup.history_until(setup.la_history(dataset, "Gloucestershire"), origin)
        params = setup.build_parameters(dataset, "E10000013", start_year=origin, horizon=years, history=history)
    run = expected_trajectories(replace(params, special_places=SpecialPlaces()), setup.TARGET_STEPS_PER_YEAR)
    return run[run["breakdown"] == ""].set_index(["measure", "year"])["value"], params, history


@pytest.mark.slow  # two calibrations of Gloucestershire to 2021 and the joint solve (about 60 CPU-s)
@pytest.mark.parametrize("identification", ["held_share", "forecast_target"])
def test_identification_and_requests_set_together_follow_both_paths(dataset, identification):
    """Requests follow the forecast engine's EHC plans, and the share of pupils on SEN support
    its own path (``held_share``, the default: the share the carried-forward rates give;
    ``forecast_target``: the forecast engine's share), each January, although requests draw
    children off SEN support (set one after the other, the share would fall below its path
    once requests were raised)."""
    origin, years = 2022, 3
    total, params, history = _run_from(dataset, origin, years, PLANS_FORWARD="forecast_target",
                                       IDENTIFICATION_FORWARD=identification)
    pupils = pupils_by_january(params.population, range(origin + 1, origin + years + 1))
    if identification == "held_share":
        carried, _, _ = _run_from(dataset, origin, years, PLANS_FORWARD="request_growth",
                                  IDENTIFICATION_FORWARD="multiplier_growth")
        share = {y: 100 * carried["sen_support", y] / pupils[y] for y in pupils}
        assert carried["ehcp_total", origin + years] < total["ehcp_total", origin + years]  # requests raised
    else:
        share = setup.forecast_share_path(dataset, history, origin, years)
    plans = setup.forecast_plans_path(dataset, history, origin, years)
    for year in range(origin + 1, origin + years + 1):
        assert 100 * total["sen_support", year] / pupils[year] == pytest.approx(share[year], abs=0.1)
    simulated = np.diff(np.log([total["ehcp_total", y] for y in range(origin + 1, origin + years + 1)]))
    wanted = np.diff(np.log([plans[y] for y in range(origin + 1, origin + years + 1)]))
    assert simulated == pytest.approx(wanted, abs=0.01)


@pytest.mark.parametrize("on_limit", [0.3, -0.3, 0.0, None])
def test_requests_on_their_growth_limit_are_said_once_a_run_with_the_start_year(monkeypatch, caplog, on_limit):
    from simulation.examples import gloucestershire_example

    params = gloucestershire_example()
    start = params.start_year
    rounds = []

    def plans_multipliers(p, history, start_year, path):
        rounds.append(1)   # a different answer each round, so the joint solve goes several rounds
        return {start + k: 1.0 + 0.1 * len(rounds) ** -1 + k / 10 for k in range(3)}, on_limit

    monkeypatch.setattr(setup, "plans_target_multipliers", plans_multipliers)
    monkeypatch.setattr(setup, "share_target_multipliers", lambda *args: params.arrivals.sen_support_multiplier)
    history = setup.LaHistory("E1", "Testshire", "999", None)
    with caplog.at_level("WARNING", logger=setup.log.name):
        setup.follow_paths(params, lambda p: p, history, None, start, {start + 1: 15.0}, {start + 1: 100.0})
    said = [r.getMessage() for r in caplog.records if "forecast of EHC plans" in r.getMessage()]
    assert len(rounds) > 1
    # the limit it sits on, with its sign: on the floor the requests were cut, and the plans outgrow the forecast
    expected = {0.3: "(+35% a year); the simulated EHC plans fall short of the forecast",
                -0.3: "(-26% a year); the simulated EHC plans grow faster than the forecast"}
    if on_limit == 0.0:  # the floor of the rule chosen: the request rate held, not "growing 0% on a limit"
        expected_lines = [f"Testshire from January {start}: the request rate is held at its last fitted year's, the "
                          "floor of the growth set to follow the forecast of EHC plans (following it, requests would "
                          "fall); the simulated EHC plans grow faster than the forecast"]
    else:
        expected_lines = ([f"Testshire from January {start}: the growth of requests set to follow the forecast of EHC "
                           f"plans is on its limit {expected[on_limit]}"] if on_limit is not None else [])
    assert said == expected_lines


def test_the_durations_fitting_run_does_not_say_what_the_run_itself_says(monkeypatch, caplog):
    from simulation.examples import gloucestershire_example

    params = gloucestershire_example()
    start = params.start_year
    monkeypatch.setattr(setup, "plans_target_multipliers", lambda *args: ({start: 1.0}, 0.3))
    monkeypatch.setattr(setup, "share_target_multipliers", lambda *args: params.arrivals.sen_support_multiplier)
    history = setup.LaHistory("E1", "Testshire", "999", None)
    with caplog.at_level("WARNING", logger=setup.log.name):
        setup.follow_paths(params, lambda p: p, history, None, start, None, {start + 1: 100.0}, say=False)
    assert not [r for r in caplog.records if "forecast of EHC plans" in r.getMessage()]


@pytest.mark.slow  # one calibration and build of West Sussex, about 15 CPU-s
@pytest.mark.parametrize("floor", ["none", "latest_published"])
def test_the_share_of_pupils_on_sen_support_is_not_set_below_the_one_published_at_the_start(
        dataset, monkeypatch, floor):
    # West Sussex from January 2025: 16.1% published (13.7% in 2018, rising), and its request rate
    # per child on SEN support grew about sevenfold in six years: the held share fell to 5.7% by
    # 2035 (19,706 children on SEN support -> 6,424) before the floor
    from simulation.cohort import expected_arrays

    monkeypatch.setattr(setup, "SHARE_FLOOR", floor)
    history = setup.la_history(dataset, "West Sussex")
    fit = setup.calibrate_la(dataset, history.la_code, start_year=2025, history=history)
    params = setup.build_parameters(dataset, history.la_code, start_year=2025, horizon=10, calibration=fit,
                                    history=history)
    stocks, _ = expected_arrays(replace(params, special_places=SpecialPlaces()), setup.TARGET_STEPS_PER_YEAR)
    pupils = pupils_by_january(params.population, range(2025, 2036))
    share = [100 * stocks[("sen_support", "")][y - 2025] / pupils[y] for y in range(2026, 2036)]
    published = history.total("sen_support_pct", 2025)
    if floor == "latest_published":
        assert min(share) >= published - 0.1
    else:
        assert share[-1] < published - 5  # the fall the floor stops (the test fails if it no longer happens)
