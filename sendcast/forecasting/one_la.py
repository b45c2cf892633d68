"""Forecast one LA (or England): EHC plans, placement groups, flows and SEN support, with
sufficiency of state special places and high-needs costs.

The entry points, for the CLI, ``sendcast run`` and notebooks:

- :func:`national_evidence` (from :mod:`sendcast.forecasting.evidence`): the national
  real-time backtest of every area, whose last origin is the forecast (method, windows,
  shrinkage toward England and intervals all chosen from the data up to then; see
  :mod:`forecast.realtime`). Compute it once and pass it to every :func:`forecast_la` call
  of a session.
- :func:`forecast_la`: one LA's forecast as a :class:`LaForecast` of tidy tables.

What is forecast (all January census years except the flows, which are calendar years):

- ``ehcp_total`` and the six placement groups; the total is kept as forecast and the
  groups are scaled to add up to it each year (:func:`forecast.reconcile.keep_total`);
- ``new_plans`` and ``requests`` (calendar-year flows);
- SEN support as a **rate** (``sen_support_pct``, % of pupils, LAIT): the shipped data has
  no pupil counts, so counts cannot be forecast honestly;
- EHC plans by age band (``ehcp_total:age_band=...``) only when the age-band series reach
  the latest January; with the shipped releases they stop in 2022 (and single-year ages
  start in 2024), so they are skipped with a warning unless ``until`` is 2022 or earlier.
  Each age band keeps its latest share of the total (a stated assumption).

Fragile series never crash the forecast and never put a NaN in an output: a series with no
values, fewer than :data:`MIN_FORECAST_YEARS` years, or that stopped before the latest year,
is refused and the refusal is listed in ``warnings``; a series with fewer than five years of
comparable history (FE before 2020, requests before 2020) grows at England's steady growth
of the last two years, or is held at its latest value (naive) when England's growth is not
known or jumped, or (a placement group) keeps its latest share of the total: fallbacks that
cannot explode, with a warning; an LA whose boundary changed is
forecast from the years after its creation, with a warning, or refused if it no longer exists.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.backtest import rolling_origin_backtest
from forecast.costing import cost_forecast
from forecast.errors import ForecastError
from forecast.reconcile import keep_total
from forecast.result import Forecast
from forecast.realtime import SHORT_HISTORY_GROWTH
from forecast.sufficiency import sufficiency_from_paths
from sendcast.data import paths
from sendcast.data.capacity import codes_to_numbers, default_capacity, places_by_year
from sendcast.data.build import Dataset
from sendcast.data.query import series
from sendcast.runtime.errors import SendcastError
from sendcast.forecasting.evidence import (COMPARABLE_FROM, FORECAST_MEASURES, MIN_HISTORY, PLACEMENT_HIERARCHY, Evidence,
                               EvidenceError, national_evidence)
from sendcast.forecasting.live import live_forecast
from sendcast.data.years import financial_year_average_paths, financial_year_label
from sendcast.data.measures import ENGLAND_CODE, MEASURES, PLACEMENT_GROUPS
from sendcast.money import prices
from sendcast.money.unit_costs import default_unit_costs, restate_prices

__all__ = ["FORECAST_COLUMNS", "FORECAST_MEASURES", "Evidence", "EvidenceError", "LaForecast", "forecast_la",
           "national_evidence"]

LOGGER = logging.getLogger(__name__)

#: The columns of ``LaForecast.forecast`` (and of forecast.csv): a contract other tools use.
FORECAST_COLUMNS: tuple[str, ...] = ("la_code", "la_name", "measure", "year", "model", "mean", "lo80", "hi80",
                                     "lo95", "hi95")
BAND_COLUMNS: tuple[str, ...] = ("measure", "year", "mean", "lo50", "hi50", "lo80", "hi80", "lo95", "hi95")
#: Fewest published years sendcast will forecast from (a placement group needs one: when its
#: history is short it keeps its latest share of the total, see :mod:`forecast.realtime`).
MIN_FORECAST_YEARS = 3
#: A latest year more than this factor above or below the year before is flagged for checking.
JUMP_RATIO = 1.5
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


def _uniforms(seed: int, label: str, n_paths: int) -> np.ndarray:
    """The uniform draws behind a series' sample paths (see :mod:`sendcast.forecasting.live`)."""
    return np.random.default_rng(_seed(seed, label)).random(n_paths)


def _age_band_forecasts(rows: pd.DataFrame, forecasts: dict[str, Forecast], histories: dict[str, pd.Series],
                        notes: list[str]) -> None:
    """Age bands (``ehcp_total:age_band=...``) reaching the total's latest January: each band
    keeps its latest share of the total (its forecast and interval are the total's times that
    share). A stated assumption: bands are not forecast on their own."""
    total = forecasts.get("ehcp_total")
    if total is None:
        return
    total_last = histories["ehcp_total"]
    shares = []
    for label, history in histories.items():
        if not label.startswith("ehcp_total:age_band=") or history.index.max() != total_last.index.max():
            continue
        share = float(history.iloc[-1]) / float(total_last.iloc[-1]) if total_last.iloc[-1] > 0 else 0.0
        forecasts[label] = replace(total, model=f"share of the total ({share:.1%}, January {history.index.max()})",
                                   mean=total.mean * share, lower80=total.lower80 * share,
                                   upper80=total.upper80 * share, lower95=total.lower95 * share,
                                   upper95=total.upper95 * share,
                                   paths=None if total.paths is None else total.paths * share, name=label)
        shares.append(label)
    if shares:
        notes.append("age bands: each keeps its latest share of all EHC plans (an assumption, not a forecast of "
                     "each band)")


# ---------------------------------------------------------------------------------------------
# the forecast

def forecast_la(dataset: Dataset, la: str, *, horizon: int = 5, until: int | None = None,
                capacity: pd.DataFrame | None = None, unit_costs: pd.DataFrame | None = None,
                evidence: Evidence | None = None, n_paths: int = 1000, seed: int = 0,
                price_base_year: int = DEFAULT_PRICE_BASE_YEAR, inflation: float = DEFAULT_INFLATION,
                data: str | Path | None = None, measures: Sequence[str] = FORECAST_MEASURES,
                age_bands: bool = True, la_backtest: bool = True, extras: bool = True) -> LaForecast:
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
    - ``extras``: also the sufficiency and cost tables (``False``: left empty, and nothing
      said about them, for a caller that reads only the forecast; the forecast is the same).
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
        if len(history) < (1 if measure in PLACEMENT_GROUPS and not breakdown else MIN_FORECAST_YEARS):
            notes.append(f"{label}: not forecast: only {len(history)} published years "
                         f"(at least {MIN_FORECAST_YEARS} needed)")
            continue
        if len(history) >= 2 and min(history.iloc[-2], history.iloc[-1]) >= 0 and history.iloc[-2] >= 20 \
                and not 1 / JUMP_RATIO <= (history.iloc[-1] + 1) / (history.iloc[-2] + 1) <= JUMP_RATIO:
            notes.append(f"{label}: the latest published value ({history.iloc[-1]:,.0f} in {history.index[-1]}) is "
                         f"far from the year before ({history.iloc[-2]:,.0f}); check it before trusting a forecast "
                         "that starts from it")
        if len(history) >= 2 and np.allclose(history.to_numpy(), history.iloc[-1]):
            notes.append(f"{label}: the same value ({history.iloc[-1]:g}) every year; check it before trusting "
                         "a forecast that starts from it")
        if breakdown:
            histories[label] = history
            continue  # age bands follow the total (_age_band_forecasts)
        stream = f"{code}/placements" if measure in PLACEMENT_HIERARCHY.nodes else f"{code}/{label}"
        made = live_forecast(evidence.realtime, code, measure, history, horizon,
                             uniforms=_uniforms(seed, stream, n_paths), name=f"{code}/{label}")
        if made is None:
            notes.append(f"{label}: not forecast: the national real-time run has no forecast of this series from "
                         f"{int(history.index.max())}")
            continue
        if made.short_history:
            rule = ("keeps its latest share of all EHC plans" if measure in PLACEMENT_GROUPS
                    else "grows at England's growth of the last 2 years" if made.method == SHORT_HISTORY_GROWTH
                    else "held at its latest value (naive)")
            notes.append(f"{label}: only {len(history)} years of comparable history (fewer than "
                         f"{evidence.realtime.settings.min_years}); {rule}, a fallback that cannot explode, with "
                         "intervals from the pooled errors of that fallback")
        if made.borrowed_intervals:
            notes.append(f"{label}: no forecast of this measure had been scored by {int(history.index.max())}; its "
                         "intervals are the total's, in proportion")
        if made.extrapolated_after is not None:
            extrapolated_after[label] = made.extrapolated_after
        forecasts[label] = made.forecast
        measure_of[label] = measure
        histories[label] = history
    if extrapolated_after:
        notes.append("intervals: the real-time backtest scored these series only so many years ahead; later years "
                     "continue the last year's growth with intervals widened in proportion, and the backtest cannot "
                     "vouch for them: "
                     + ", ".join(f"{label} (after {years} years)" for label, years in extrapolated_after.items()))
    _age_band_forecasts(rows, forecasts, histories, notes)
    histories = {label: h for label, h in histories.items() if label in forecasts}
    _note_age_bands(rows, forecasts, notes, age_bands)
    forecasts = _reconciled(forecasts, evidence, notes)
    for measure in ("ehcp_fe",):
        if measure in forecasts and measure in COMPARABLE_FROM:
            notes.append(f"{measure}: history from {COMPARABLE_FROM[measure][0]} only ({COMPARABLE_FROM[measure][1]})")
    if "sen_support_pct" in forecasts:
        notes.append("sen_support_pct: SEN support is forecast as a rate (% of pupils, school census via LAIT); "
                     "the shipped data has no SEN support pupil counts")
    forecast_table, bands = _tables(code, name, forecasts)
    suff, first_over, costs, basis = pd.DataFrame(columns=SUFFICIENCY_COLUMNS), None, pd.DataFrame(), ""
    if extras:
        suff, first_over = _sufficiency(dataset, code, name, forecasts, capacity, data, notes)
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


def central_forecast_table(dataset: Dataset, la: str, *, until: int | None, horizon: int) -> pd.DataFrame:
    """The forecast table (:data:`FORECAST_COLUMNS`) of :func:`forecast_la` for ``la`` with
    ``until`` and ``horizon`` and the defaults otherwise, without the LA's own backtest, the
    age bands, the sufficiency and the costs (the forecast is the same: the data folder
    moves only those): what the simulation's baseline follows and its validation scores.
    Inside :func:`kept_forecasts` a table already made for the same dataset (the object),
    LA, ``until`` and ``horizon`` is returned again (a copy), not made anew."""
    code = str(dataset.geography.resolve(la)["la_code"])
    kept = _KEPT[-1] if _KEPT else None
    key = (id(dataset), code, until, horizon)
    if kept is not None and key in kept:
        return kept[key][1].copy()
    table = forecast_la(dataset, code, until=until, horizon=horizon, la_backtest=False, age_bands=False,
                        extras=False).forecast
    if kept is not None:
        kept[key] = (dataset, table)  # the entry holds its dataset: no other can take the id meanwhile
    return table.copy()


@contextmanager
def kept_forecasts() -> Iterator[None]:
    """Within: :func:`central_forecast_table` keeps the tables it makes (one LA's validation
    asks for the forecast of each origin twice: the baseline follows it, and it is scored);
    forgotten on leaving, so nothing made under one setting outlives it."""
    _KEPT.append({})
    try:
        yield
    finally:
        _KEPT.pop()


#: The tables kept by each :func:`kept_forecasts` open, innermost last.
_KEPT: list[dict[tuple, tuple[Dataset, pd.DataFrame]]] = []


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
    out.update(keep_total({n: forecasts[n] for n in nodes}, PLACEMENT_HIERARCHY))
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


#: Columns of the sufficiency table (:func:`_sufficiency`).
SUFFICIENCY_COLUMNS = ["la_code", "la_name", "year", "mean", "median", "lo80", "hi80", "lo95", "hi95", "capacity",
                       "gap", "prob_exceeds", "expected_shortfall"]


def _sufficiency(dataset: Dataset, code: str, name: str, forecasts: dict[str, Forecast],
                 capacity: pd.DataFrame | None, data: str | Path | None,
                 notes: list[str]) -> tuple[pd.DataFrame, int | None]:
    empty = pd.DataFrame(columns=SUFFICIENCY_COLUMNS)
    demand = forecasts.get("ehcp_state_special")
    if demand is None:
        return empty, None
    if capacity is None:
        las = dataset.geography.las.set_index("la_code")
        number = str(las.loc[code, "la_number"]) if code in las.index else ""
        capacity, note = default_capacity(_data_root(data), code, number, codes_to_numbers(dataset.geography.las))
        if capacity is None:
            notes.append(f"sufficiency: {note}; state special demand is forecast but not compared with places")
            return empty, None
        notes.append(f"sufficiency: {note}")
    places = places_by_year(capacity, [int(y) for y in demand.years])
    result = sufficiency_from_paths(demand.paths, demand.years, places)
    table = result.table.reset_index().assign(la_code=code, la_name=name)
    return table[list(empty.columns)], result.first_year_over


def _default_unit_costs(dataset: Dataset, code: str, data: str | Path | None, until: int | None,
                        notes: list[str]) -> pd.DataFrame | None:
    if code == ENGLAND_CODE:
        notes.append("costs: not computed for England (unit costs are per LA); supply a unit-cost file")
        return None
    if until is not None and until < 2022:
        notes.append("costs: not computed: default unit costs need the January 2021 and 2022 placements, "
                     f"after until={until}")
        return None
    costs, cost_notes = default_unit_costs(dataset, code, _data_root(data) / "raw" / "finance")
    if costs is None:
        notes.append("costs: not computed: no 2021-22 s251 outturn in the data for this LA; supply a unit-cost file")
        return None
    notes.append("costs: default unit costs are estimates derived from the 2021-22 s251 outturn (education "
                 "costs only, no transport, 2021-22 prices; sendcast.money.unit_costs states the rule and the "
                 "national 5th-95th percentile bounds); AP is a place cost from the PRU/AP lines, other is illustrative")
    notes.extend("costs: " + n.removeprefix("unit costs: ") for n in cost_notes)
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
    if "price_base" in unit_costs and unit_costs["price_base"].notna().all():
        unit_costs = restate_prices(unit_costs, price_base_year, inflation)  # each row from its own price base
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
    wanted = {label: h for label, h in histories.items() if label == measure_of.get(label)
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

