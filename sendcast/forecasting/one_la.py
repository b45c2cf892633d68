"""Forecast one LA (or England): EHC plans, placement groups, flows and SEN support, with
sufficiency of state special places and high-needs costs.

The entry points, for the CLI, ``sendcast run`` and notebooks:

- :func:`national_evidence` (from :mod:`sendcast.forecasting.evidence`): the national backtest, the
  method chosen per measure, calibration factors and the reconciliation method. Compute it
  once and pass it to every :func:`forecast_la` call of a session.
- :func:`forecast_la`: one LA's forecast as a :class:`LaForecast` of tidy tables.

What is forecast (all January census years except the flows, which are calendar years):

- ``ehcp_total`` and the six placement groups, reconciled so that the groups sum to the
  total in every year and every sample path (method chosen by backtest, see
  :mod:`sendcast.forecasting.evidence`);
- ``new_plans`` and ``requests`` (calendar-year flows);
- SEN support as a **rate** (``sen_support_pct``, % of pupils, LAIT): the shipped data has
  no pupil counts, so counts cannot be forecast honestly;
- EHC plans by age band (``ehcp_total:age_band=...``) only when the age-band series reach
  the latest January; with the shipped releases they stop in 2022 (and single-year ages
  start in 2024), so they are skipped with a warning unless ``until`` is 2022 or earlier.
  Age bands use the total's method and calibration and are not reconciled to the total.

Fragile series never crash the forecast and never put a NaN in an output: a series with no
values, fewer than :data:`MIN_FORECAST_YEARS` years, or that stopped before the latest year,
is refused and the refusal is listed in ``warnings``; a series too short for the chosen
method falls back to a simpler one, with a warning; an LA whose boundary changed is
forecast from the years after its creation, with a warning, or refused if it no longer exists.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.backtest import rolling_origin_backtest
from forecast.costing import cost_forecast
from forecast.calibration import widen
from forecast.errors import ForecastError
from forecast.models import MIN_YEARS, forecast_series
from forecast.reconcile import reconcile_forecasts
from forecast.result import Forecast
from forecast.sufficiency import sufficiency_from_paths
from sendcast.data import paths
from sendcast.data.capacity import capacity_file, places_by_year, read_capacity
from sendcast.data.build import Dataset
from sendcast.data.query import series
from sendcast.runtime.errors import SendcastError
from sendcast.forecasting.evidence import (COMPARABLE_FROM, FORECAST_MEASURES, MIN_HISTORY, PLACEMENT_HIERARCHY, Evidence,
                               EvidenceError, national_evidence)
from sendcast.data.years import financial_year_average_paths, financial_year_label
from sendcast.data.measures import ENGLAND_CODE, MEASURES, PLACEMENT_GROUPS
from sendcast.money import prices
from sendcast.money.unit_costs import OUTTURN_FILE, PRICE_BASE as OUTTURN_PRICE_BASE, derive_unit_costs, read_outturn

__all__ = ["FORECAST_COLUMNS", "FORECAST_MEASURES", "Evidence", "EvidenceError", "LaForecast", "forecast_la",
           "national_evidence"]

LOGGER = logging.getLogger(__name__)

#: The columns of ``LaForecast.forecast`` (and of forecast.csv): a contract other tools use.
FORECAST_COLUMNS: tuple[str, ...] = ("la_code", "la_name", "measure", "year", "model", "mean", "lo80", "hi80",
                                     "lo95", "hi95")
BAND_COLUMNS: tuple[str, ...] = ("measure", "year", "mean", "lo50", "hi50", "lo80", "hi80", "lo95", "hi95")
#: Fewest published years sendcast will forecast from.
MIN_FORECAST_YEARS = 3
#: A latest year more than this factor above or below the year before is flagged for checking.
JUMP_RATIO = 1.5
#: Simpler methods to fall back to, in order, when a series is too short for the chosen one.
FALLBACKS: tuple[str, ...] = ("recent_growth", "log_drift", "drift")
#: Price base of every real-terms figure: financial year 2025-26 (:mod:`sendcast.money.prices`);
#: the default unit costs (2021-22 s251 outturn) are restated to it with the GDP deflator.
DEFAULT_PRICE_BASE_YEAR = prices.price_base_year()
#: Yearly inflation after the price base for cash figures: the one assumption the simulation
#: uses too (:data:`sendcast.money.prices.INFLATION_PCT`, 2%), not a forecast.
DEFAULT_INFLATION = prices.INFLATION_PCT / 100


class ForecastSetupError(SendcastError):
    """The forecast cannot be made as asked (e.g. evidence computed for another ``until``)."""


@dataclass(frozen=True)
class LaForecast:
    """One LA's forecast, as tidy tables (all future years only unless said otherwise).

    - ``forecast``: :data:`FORECAST_COLUMNS`; ``mean`` is the central forecast (for
      log-scale methods the median of the forecast distribution), ``lo80``... the calibrated,
      reconciled interval bounds. Caseloads: January census year; flows: calendar year;
      ``sen_support_pct``: % of pupils, January.
    - ``bands``: the same plus the 50% band (``lo50``, ``hi50``) from the sample paths, for
      fan charts.
    - ``history``: the published values used (``la_code, la_name, measure, year, value``).
    - ``backtest``: this LA's own rolling-origin backtest, per measure, model and horizon
      (``n, mape, mase, bias_pct, coverage80, coverage95``; raw, uncalibrated intervals).
    - ``backtest_summary``: per measure and horizon, the chosen model's national backtest
      record (MASE relative to drift, bias, coverage raw and calibrated on held-out LAs).
    - ``sufficiency``: per January, demand for state special places against places
      (``capacity``), ``prob_exceeds`` and ``expected_shortfall``; empty without capacity.
    - ``costs``: per financial year (``financial_year`` "2026-27", ``year`` its start),
      placement group and ``price_basis`` (``"cash"``: inflated; ``"real"``: at the price
      base), spend in pounds with intervals; empty without unit costs.
    - ``warnings``: plain-English notes on refusals, fallbacks and assumptions.
    - ``first_year_over``: first January in which demand for state special places more
      likely than not exceeds places (None: not within the horizon, or no capacity).
    - ``models``: measure -> the model description used; ``last_year``: latest January used.
    """

    la_code: str
    la_name: str
    horizon: int
    until: int | None
    last_year: int | None
    forecast: pd.DataFrame
    bands: pd.DataFrame
    history: pd.DataFrame
    backtest: pd.DataFrame
    backtest_summary: pd.DataFrame
    sufficiency: pd.DataFrame
    costs: pd.DataFrame
    warnings: tuple[str, ...]
    first_year_over: int | None = None
    models: dict = field(default_factory=dict)
    reconciliation_method: str = ""
    price_basis: str = ""
    price_base: str = prices.PRICE_BASE


# ---------------------------------------------------------------------------------------------
# series preparation

def _series_label(measure: str, breakdown: str) -> str:
    return measure if not breakdown else f"{measure}:{breakdown}"


def _usable_years(values: pd.Series, label: str, notes: list[str]) -> pd.Series:
    """The latest unbroken run of years (a gap is never filled in)."""
    clean = values.dropna().sort_index()
    if clean.empty:
        return clean
    years = clean.index.to_numpy()
    gaps = np.flatnonzero(np.diff(years) != 1)
    if gaps.size:
        start = years[gaps[-1] + 1]
        notes.append(f"{label}: years {years[gaps[-1]] + 1}-{start - 1} are missing; forecast from {start} on only")
        clean = clean[clean.index >= start]
    return clean


def _seed(seed: int, label: str) -> np.random.SeedSequence:
    """One independent, reproducible random stream per series (not per position in a list)."""
    return np.random.SeedSequence([seed, zlib.crc32(label.encode())])


def _choose_model(evidence: Evidence, measure: str, n_years: int, label: str, notes: list[str]) -> str | None:
    chosen = evidence.model_for(measure)
    if chosen is None:
        chosen = "log_drift"
        notes.append(f"{label}: the national backtest could not choose a method; constant growth (log_drift) used")
    if n_years >= MIN_YEARS.get(chosen, 2):
        return chosen
    for fallback in FALLBACKS:
        if n_years >= MIN_YEARS[fallback]:
            notes.append(f"{label}: only {n_years} years, too few for {chosen}; {fallback} used instead")
            return fallback
    return None


def _calibrated(forecast: Forecast, evidence: Evidence, measure: str, label: str, notes: list[str],
                extrapolated_after: dict[str, int]) -> Forecast:
    calibration = evidence.calibration
    group = (measure,) if calibration.group_columns else ()
    try:
        factors80, factors95, extrapolated = calibration.level_factors(forecast.model, len(forecast.years),
                                                                       group=group)
    except ForecastError as error:
        notes.append(f"{label}: intervals NOT calibrated ({error}); they are the model's own and likely too narrow")
        return forecast
    if extrapolated.any():
        extrapolated_after[label] = int(np.flatnonzero(~extrapolated)[-1]) + 1 if (~extrapolated).any() else 0
    return widen(forecast, factors80, factors95)


# ---------------------------------------------------------------------------------------------
# the forecast

def forecast_la(dataset: Dataset, la: str, *, horizon: int = 5, until: int | None = None,
                capacity: pd.DataFrame | None = None, unit_costs: pd.DataFrame | None = None,
                evidence: Evidence | None = None, n_paths: int = 1000, seed: int = 0,
                price_base_year: int = DEFAULT_PRICE_BASE_YEAR, inflation: float = DEFAULT_INFLATION,
                data: str | Path | None = None, measures: Sequence[str] = FORECAST_MEASURES,
                age_bands: bool = True, la_backtest: bool = True) -> LaForecast:
    """Forecast ``la`` (any code, number or name; ``"England"`` works) ``horizon`` years
    beyond its latest published year.

    - ``until``: drop every published value after this year (also from the evidence).
    - ``evidence``: the national backtest from :func:`national_evidence` for the same
      ``until``; computed here (about 10 s) if not given.
    - ``capacity``: a capacity table (:func:`sendcast.data.capacity.read_capacity`); default the
      file ``capacity/<la_code>.csv`` in the data folder ``data`` if there is one.
    - ``unit_costs``: a table with ``placement_group, annual_cost_gbp`` (pounds a year at
      ``price_base_year`` prices, financial year starting then); default derived from the
      2021-22 s251 outturn where the shipped outturn is this LA's (Gloucestershire).
      ``inflation``: yearly rate applied after the price base (an assumption; 2% default, the same
      as the scenarios').
    - ``n_paths`` sample paths per series, from ``seed`` (one stream per series).
    - ``la_backtest``: also backtest this LA's own series (cheap; off for bulk runs).
    """
    if horizon < 1:
        raise ForecastSetupError(f"horizon must be at least 1 year, found {horizon}")
    if n_paths < 100:
        raise ForecastSetupError(f"n_paths must be at least 100 for stable intervals, found {n_paths}")
    row = dataset.geography.resolve(la)
    code, name = str(row["la_code"]), str(row["la_name"])
    notes: list[str] = []
    if evidence is None:
        evidence = national_evidence(dataset, [m for m in measures if "age_band" not in m], until=until,
                                     horizons=min(horizon, 5))
    elif evidence.until != until:
        raise ForecastSetupError(f"the evidence was computed with until={evidence.until}, not until={until}; "
                                 "compute it with the same until so nothing after that year is used")
    rows = series(dataset, code, list(measures), breakdowns=age_bands, until=until)
    if age_bands:
        rows = rows[(rows["breakdown"] == "") | (rows["breakdown"].str.startswith("age_band=")
                                                 & (rows["measure"] == "ehcp_total"))]
    breaks = dataset.geography.breaks[dataset.geography.breaks["la_code"] == code]
    ended = breaks[(breaks["kind"] == "ends") & ((until is None) | (breaks["year"].astype(int) <= (until or 0)))]
    total_years = rows.loc[(rows["measure"] == "ehcp_total") & (rows["breakdown"] == ""), "year"]
    last_january = int(total_years.max()) if not total_years.empty else None
    latest_published = int(dataset.measures.loc[dataset.measures["measure"] == "ehcp_total", "year"].max())
    if until is not None:
        latest_published = min(latest_published, until)
    if not ended.empty or (last_january is not None and last_january < latest_published):
        reason = ended["reason"].iloc[0] if not ended.empty else f"no EHC plan figures after {last_january}"
        notes.append(f"{name}: not forecast: {reason}")
        return _empty(code, name, horizon, until, last_january, rows, notes)
    starts = breaks[breaks["kind"] == "starts"]
    if not starts.empty:
        notes.append(f"{name}: {starts['reason'].iloc[0]}; forecast from its own years only, too few for some "
                     "methods")
    forecasts: dict[str, Forecast] = {}
    extrapolated_after: dict[str, int] = {}
    measure_of: dict[str, str] = {}
    histories: dict[str, pd.Series] = {}
    for (measure, breakdown), group in rows.groupby(["measure", "breakdown"], sort=False):
        label = _series_label(measure, breakdown)
        values = group.set_index("year")["value"]
        if measure in COMPARABLE_FROM:
            since, why = COMPARABLE_FROM[measure]
            values = values[values.index >= since]
        history = _usable_years(values, label, notes)
        own_latest = rows.loc[(rows["measure"] == measure) & (rows["breakdown"] == ""), "year"].max()
        if breakdown and (history.empty or history.index.max() < own_latest):
            continue  # reported once below
        if len(history) < MIN_FORECAST_YEARS:
            notes.append(f"{label}: not forecast: only {len(history)} published years "
                         f"(at least {MIN_FORECAST_YEARS} needed)")
            continue
        model_measure = measure if not breakdown else "ehcp_total"
        model = _choose_model(evidence, model_measure, len(history), label, notes)
        if model is None:
            notes.append(f"{label}: not forecast: too few years for any method")
            continue
        if len(history) >= 2 and min(history.iloc[-2], history.iloc[-1]) >= 0 and history.iloc[-2] >= 20 \
                and not 1 / JUMP_RATIO <= (history.iloc[-1] + 1) / (history.iloc[-2] + 1) <= JUMP_RATIO:
            notes.append(f"{label}: the latest published value ({history.iloc[-1]:,.0f} in {history.index[-1]}) is "
                         f"far from the year before ({history.iloc[-2]:,.0f}); check it before trusting a forecast "
                         "that starts from it")
        if np.allclose(history.to_numpy(), history.iloc[-1]):
            notes.append(f"{label}: the same value ({history.iloc[-1]:g}) every year; the forecast repeats it and "
                         "its intervals have no width, so they say nothing about uncertainty")
        try:
            raw = forecast_series(history, model, horizon, n_paths=n_paths, seed=_seed(seed, f"{code}/{label}"),
                                  name=f"{code}/{label}")
        except ForecastError as error:
            notes.append(f"{label}: not forecast: {error}")
            continue
        forecasts[label] = _calibrated(raw, evidence, model_measure, label, notes, extrapolated_after)
        measure_of[label] = measure
        histories[label] = history
    if extrapolated_after:
        notes.append("calibration: the backtest could score these series only so many years ahead; later years "
                     "reuse the last factor and the backtest cannot vouch for them: "
                     + ", ".join(f"{label} (after {years} years)" for label, years in extrapolated_after.items()))
    _note_age_bands(rows, forecasts, notes, age_bands)
    forecasts = _reconciled(forecasts, evidence, notes)
    for measure in ("ehcp_fe",):
        if measure in forecasts and measure in COMPARABLE_FROM:
            notes.append(f"{measure}: history from {COMPARABLE_FROM[measure][0]} only ({COMPARABLE_FROM[measure][1]})")
    if "sen_support_pct" in forecasts:
        notes.append("sen_support_pct: SEN support is forecast as a rate (% of pupils, school census via LAIT); "
                     "the shipped data has no SEN support pupil counts")
    forecast_table, bands = _tables(code, name, forecasts)
    suff, first_over = _sufficiency(code, name, forecasts, capacity, data, notes)
    costs, basis = _costs(dataset, code, name, forecasts, histories, unit_costs, data, until, price_base_year,
                          inflation, notes)
    own = _own_backtest(code, histories, measure_of, evidence) if la_backtest else pd.DataFrame()
    history_table = rows.assign(measure=[_series_label(m, b) for m, b in zip(rows["measure"], rows["breakdown"])])
    history_table = history_table[history_table["measure"].isin(histories)]
    return LaForecast(
        la_code=code, la_name=name, horizon=horizon, until=until, last_year=last_january, forecast=forecast_table,
        bands=bands, history=history_table[["la_code", "la_name", "measure", "year", "value"]].reset_index(drop=True),
        backtest=own, backtest_summary=evidence.chosen_summary(), sufficiency=suff, costs=costs,
        warnings=tuple(dict.fromkeys(notes)), first_year_over=first_over,
        models={label: f.model for label, f in forecasts.items()},
        reconciliation_method=evidence.reconciliation_method, price_basis=basis,
        price_base=financial_year_label(price_base_year))


def _note_age_bands(rows: pd.DataFrame, forecasts: dict[str, Forecast], notes: list[str], age_bands: bool) -> None:
    if not age_bands:
        return
    bands = rows[rows["breakdown"].str.startswith("age_band=")]
    if bands.empty:
        notes.append("age bands: not published for this LA in the data used; not forecast")
        return
    if not any(label.startswith("ehcp_total:age_band=") for label in forecasts):
        total_last = rows.loc[(rows["measure"] == "ehcp_total") & (rows["breakdown"] == ""), "year"].max()
        notes.append(f"age bands: published only to {int(bands['year'].max())} (SEN2 2010-2022 release), before "
                     f"the latest January ({int(total_last)}); single-year ages start in 2024 (too few years): "
                     "not forecast")


def _reconciled(forecasts: dict[str, Forecast], evidence: Evidence, notes: list[str]) -> dict[str, Forecast]:
    nodes = PLACEMENT_HIERARCHY.nodes
    present = [n for n in nodes if n in forecasts]
    if not present:
        return forecasts
    missing = [n for n in nodes if n not in forecasts]
    out = dict(forecasts)
    if missing:
        for part in PLACEMENT_GROUPS:
            out.pop(part, None)
        notes.append(f"placement groups: not reported, because {', '.join(missing)} could not be forecast and "
                     "the groups could not be made to sum to the total")
        return out
    years = {tuple(forecasts[n].years) for n in nodes}
    if len(years) != 1:
        for part in PLACEMENT_GROUPS:
            out.pop(part, None)
        notes.append("placement groups: not reported: their latest published years differ from the total's")
        return out
    method = evidence.reconciliation_method
    variances = evidence.wls_variances({n: forecasts[n].mean for n in nodes}) if method == "wls" else None
    out.update(reconcile_forecasts({n: forecasts[n] for n in nodes}, PLACEMENT_HIERARCHY, method=method,
                                   variances=variances))
    return out


def _tables(code: str, name: str, forecasts: dict[str, Forecast]) -> tuple[pd.DataFrame, pd.DataFrame]:
    forecast_rows, band_rows = [], []
    for label, result in forecasts.items():
        frame = result.to_frame().reset_index()
        frame["measure"] = label
        band_rows.append(frame.reindex(columns=list(BAND_COLUMNS)))
        forecast_rows.append(frame.assign(la_code=code, la_name=name, model=result.model)
                             .reindex(columns=list(FORECAST_COLUMNS)))
    if not forecast_rows:
        return pd.DataFrame(columns=list(FORECAST_COLUMNS)), pd.DataFrame(columns=list(BAND_COLUMNS))
    return pd.concat(forecast_rows, ignore_index=True), pd.concat(band_rows, ignore_index=True)


def _data_root(data: str | Path | None) -> Path:
    return paths.data_dir(data)


def _sufficiency(code: str, name: str, forecasts: dict[str, Forecast], capacity: pd.DataFrame | None,
                 data: str | Path | None, notes: list[str]) -> tuple[pd.DataFrame, int | None]:
    empty = pd.DataFrame(columns=["la_code", "la_name", "year", "mean", "median", "lo80", "hi80", "lo95", "hi95",
                                  "capacity", "gap", "prob_exceeds", "expected_shortfall"])
    demand = forecasts.get("ehcp_state_special")
    if demand is None:
        return empty, None
    if capacity is None:
        path = capacity_file(_data_root(data), code)
        if not path.is_file():
            notes.append(f"sufficiency: no capacity file for {name} ({path.name}); state special demand is "
                         "forecast but not compared with places")
            return empty, None
        capacity = read_capacity(path)
        notes.append(f"sufficiency: places from {path}; read its source and confidence columns before relying on it")
    places = places_by_year(capacity, [int(y) for y in demand.years])
    result = sufficiency_from_paths(demand.paths, demand.years, places)
    table = result.table.reset_index().assign(la_code=code, la_name=name)
    return table[list(empty.columns)], result.first_year_over


def _default_unit_costs(dataset: Dataset, code: str, data: str | Path | None, until: int | None,
                        notes: list[str]) -> pd.DataFrame | None:
    path = _data_root(data) / "raw" / "finance" / OUTTURN_FILE
    number = str(dataset.geography.las.set_index("la_code").loc[code, "la_number"]) if code != ENGLAND_CODE else ""
    if not path.is_file():
        notes.append("costs: not computed: no unit costs given and no outturn file to derive them from")
        return None
    outturn_la = pd.read_csv(path, usecols=["la_code"], dtype=str)["la_code"].str.strip()
    if number not in set(outturn_la):
        notes.append("costs: not computed: default unit costs are derived for Gloucestershire only "
                     "(the shipped s251 outturn); supply a unit-cost file for this LA")
        return None
    if until is not None and until < 2022:
        notes.append("costs: not computed: default unit costs need the January 2021 and 2022 placements, "
                     f"after until={until}")
        return None
    rows = series(dataset, code, breakdowns=True)
    costs = derive_unit_costs(read_outturn(path), rows, str(path))
    notes.append("costs: default unit costs are estimates derived from the 2021-22 s251 outturn (education "
                  "costs only, no transport); AP and other placements are not costed")
    return costs


def _costs(dataset: Dataset, code: str, name: str, forecasts: dict[str, Forecast], histories: dict[str, pd.Series],
           unit_costs: pd.DataFrame | None, data: str | Path | None, until: int | None, price_base_year: int,
           inflation: float, notes: list[str]) -> tuple[pd.DataFrame, str]:
    if not all(group in forecasts for group in PLACEMENT_GROUPS):
        return pd.DataFrame(), ""
    if unit_costs is None:
        unit_costs = _default_unit_costs(dataset, code, data, until, notes)
        if unit_costs is None:
            return pd.DataFrame(), ""
        target = financial_year_label(price_base_year)
        if target != OUTTURN_PRICE_BASE:
            factor = prices.read_deflator().factor(OUTTURN_PRICE_BASE, target)
            unit_costs = unit_costs.assign(annual_cost_gbp=unit_costs["annual_cost_gbp"] * factor, price_base=target)
            notes.append(f"costs: unit costs restated from {OUTTURN_PRICE_BASE} to {target} prices with HM Treasury's "
                         f"GDP deflator (x{factor:.3f}; {prices.read_deflator().status} values, see "
                         "data/prices/gdp_deflator.csv)")
    costs = unit_costs.set_index("placement_group")["annual_cost_gbp"]
    fy_paths, fy_years = {}, None
    for group in PLACEMENT_GROUPS:
        forecast = forecasts[group]
        last = histories[group]
        january = pd.DataFrame(forecast.paths.T, index=forecast.years)
        january.loc[int(last.index.max())] = float(last.iloc[-1])
        averaged = financial_year_average_paths(january.sort_index())
        fy_paths[group] = averaged.to_numpy().T
        fy_years = averaged.index.to_numpy()
    costs_by_group = {g: (None if pd.isna(costs.get(g)) else float(costs.get(g))) for g in PLACEMENT_GROUPS}
    tables = []
    for basis, rate in (("cash", inflation), ("real", 0.0)):
        try:
            spend = cost_forecast(fy_paths, fy_years, costs_by_group, price_base_year=price_base_year,
                                  inflation=rate)
        except ForecastError as error:
            notes.append(f"costs: not computed: {error}")
            return pd.DataFrame(), ""
        tables.append(spend.table.assign(price_basis=basis, price_note=spend.table["price_basis"]))
    table = pd.concat(tables, ignore_index=True)
    table.insert(0, "financial_year", [financial_year_label(int(y)) for y in table["year"]])
    table.insert(0, "la_name", name)
    table.insert(0, "la_code", code)
    basis = (f"unit costs at {financial_year_label(price_base_year)} prices; 'cash' inflates them at "
             f"{inflation:.1%} a year (an assumption), 'real' keeps {financial_year_label(price_base_year)} prices")
    notes.append(f"costs: {basis}; financial-year caseload = 0.25 x January Y + 0.75 x January Y+1")
    return table.drop(columns=["year_basis"]), basis


def _own_backtest(code: str, histories: dict[str, pd.Series], measure_of: dict[str, str],
                  evidence: Evidence) -> pd.DataFrame:
    """This LA's own rolling-origin backtest of the national candidates (raw intervals)."""
    wanted = {label: h for label, h in histories.items() if label == measure_of[label]
              and len(h) > MIN_HISTORY}
    if not wanted:
        return pd.DataFrame()
    years = sorted({int(y) for h in wanted.values() for y in h.index})
    frame = pd.DataFrame({label: h for label, h in wanted.items()}).T.reindex(columns=range(years[0], years[-1] + 1))
    frame.index = pd.MultiIndex.from_arrays([list(frame.index), [code] * len(frame)], names=["measure", "la_code"])
    models = sorted(set(evidence.backtest.errors["model"]))
    result = rolling_origin_backtest(frame, models=models, horizons=evidence.horizons,
                                     min_history=evidence.backtest.min_history)
    metrics = result.metrics
    chosen = evidence.selection.set_index("measure")["model"]
    metrics["chosen"] = metrics["model"] == metrics["measure"].map(chosen)
    return metrics[["la_code", "measure", "model", "horizon", "chosen", "n", "mape", "mase", "bias_pct",
                    "coverage80", "coverage95"]]


def _empty(code: str, name: str, horizon: int, until: int | None, last_year: int | None, rows: pd.DataFrame,
           notes: list[str]) -> LaForecast:
    forecast_table, bands = _tables(code, name, {})
    return LaForecast(la_code=code, la_name=name, horizon=horizon, until=until, last_year=last_year,
                      forecast=forecast_table, bands=bands,
                      history=rows.assign(measure=rows["measure"])[["la_code", "la_name", "measure", "year", "value"]],
                      backtest=pd.DataFrame(), backtest_summary=pd.DataFrame(), sufficiency=pd.DataFrame(),
                      costs=pd.DataFrame(), warnings=tuple(notes))


def measure_label(label: str) -> tuple[str, str]:
    """``"ehcp_total:age_band=5_to_10"`` -> (planning name, unit) for titles."""
    measure, _, breakdown = label.partition(":")
    info = MEASURES[measure]
    text = info.label + (f", {breakdown.split('=', 1)[1].replace('_', ' ')}" if breakdown else "")
    return text, info.unit

