"""The simulation's baseline against the forecast engine's 80% interval, for any LA (issue 19).

Issue 19 asks that the simulation's baseline (``simulate --la X`` as things stand) keep its
EHC plans, requests and new plans inside the trend forecast's 80% interval in every year,
or say which and why, for every LA. :func:`baseline_check` runs one LA's baseline exactly as
``simulate`` does (one calibration, each replication's parameters drawn from their
uncertainty, the same seeds) and its forecast (:func:`sendcast.forecasting.one_la.forecast_la`,
no neighbours), and returns one row per measure and year of :data:`CHECK_MEASURES` that both
engines cover: the simulation's mean against the forecast's ``lo80 .. hi80``, and for a
measure outside in any year what drives it (the tables' logic:
:mod:`sendcast.scenarios.forecast_agreement`).

Years: January census year for caseloads, calendar year for flows (requests, new plans), as
in both engines' tables. The simulation's figure is the mean over replications.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sendcast.data.build import Dataset
from sendcast.forecasting.evidence import Evidence
from sendcast.forecasting.one_la import forecast_la
from sendcast.scenarios.files import as_things_stand
from sendcast.scenarios.parameters import (build_parameters, calibrate_la, draw_spread, la_history, parameter_draws,
                                           scenario_places)
from sendcast.scenarios.forecast_agreement import against_forecast, flows_of
from sendcast.scenarios.replications import run_replications
from sendcast.scenarios.retarget import check_series

DEFAULT_SEED = 20251122


@dataclass(frozen=True)
class LaCheck:
    """One LA's check (``rows``: :data:`sendcast.scenarios.forecast_agreement.CHECK_COLUMNS`
    and ``why``) and its baseline's means by year (``flows``: ``measure, year, mean``;
    :data:`sendcast.scenarios.forecast_agreement.FLOW_MEASURES`)."""

    rows: pd.DataFrame
    flows: pd.DataFrame


def simulated_baseline(dataset: Dataset, la: str, *, years: int, replications: int, seed: int = DEFAULT_SEED,
                       start_year: int | None = None, data=None) -> pd.DataFrame:
    """The baseline's summary (``scenario, measure, breakdown, year, mean, lo95, hi95``) of
    ``la`` as ``sendcast simulate --la`` runs it without a scenario, on this process."""
    history = la_history(dataset, la)
    rows = history.rows
    start_year = start_year or int(rows.loc[(rows["measure"] == "ehcp_total") & (rows["breakdown"] == ""), "year"].max())
    check_series(dataset, history.la_code, start_year)
    fit = calibrate_la(dataset, history.la_code, start_year=start_year)
    scenario = as_things_stand(history.la_name, start_year)
    capacity, _ = scenario_places(dataset, history, scenario, data, start_year)
    params = build_parameters(dataset, history.la_code, start_year=start_year, horizon=years, scenario=scenario,
                              capacity=capacity, calibration=fit, data=data)
    rule = scenario.trends.rule
    spread = draw_spread(params, history, fit, start_year, trends=rule)
    drawn = parameter_draws(params, history, fit, start_year, seed, replications, trends=rule, spread=spread)
    name = scenario.scenario.name
    results = run_replications({name: drawn}, replications=replications, seed=seed, baseline=name)
    return results.summary


def baseline_check(dataset: Dataset, la: str, *, years: int = 6, replications: int = 6, seed: int = DEFAULT_SEED,
                   evidence: Evidence | None = None, data=None) -> LaCheck:
    """:class:`LaCheck` of ``la``: its simulated baseline (``years`` from the latest
    January, ``replications``) against its trend forecast's 80% interval (``evidence``: the
    national backtest, computed once for many LAs)."""
    history = la_history(dataset, la)
    summary = simulated_baseline(dataset, la, years=years, replications=replications, seed=seed, data=data)
    summary = summary[summary["breakdown"].fillna("") == ""]
    forecast = forecast_la(dataset, history.la_code, horizon=years, evidence=evidence, data=data,
                           la_backtest=False, age_bands=False).forecast
    return LaCheck(against_forecast(history.la_code, history.la_name, history.rows, summary, forecast),
                   flows_of(summary))
