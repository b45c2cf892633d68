"""National backtest evidence: how well each method would have forecast every LA, and what follows.

:func:`national_evidence` runs the engine's rolling-origin backtest on the national panel of
each measure (every LA whose series is unbroken, see :mod:`sendcast.forecasting.panels`) and derives, per
measure:

- the **chosen method**, by :func:`forecast.selection.select_models`: lowest mean (over
  horizons 1..``horizons``) of the median MASE across LAs, a simpler method preferred when
  within 2% of the best (the rule is written out in that module's docstring);
- **calibration factors** per method and horizon, widening intervals that under-covered,
  each level (80%, 95%) by its own factor (:mod:`forecast.calibration`, rule 3 per level),
  with their coverage on *held-out* LAs
  (:func:`forecast.calibration.holdout_coverage`, 2 folds by a hash of the LA code: factors
  estimated on one half of the LAs, coverage measured on the other);
- the **reconciliation method** for the placement groups, by a backtest of its own
  (:func:`reconciliation_backtest`).

The forecasts sendcast gives, and every accuracy figure it prints, come from the
**real-time run** (:func:`realtime_evidence`, :mod:`forecast.realtime`): a nested
rolling-origin backtest of every area in which the method, windows, shrinkage toward
England and interval calibration at each origin use only the data up to it; its last
origin is the live forecast, and its scores per vintage and pooled (with the baselines
naive, drift, the five-year straight line and constant growth) are the track record. The
fixed-method backtest above is kept for each LA's own per-method record (``backtest.csv``)
and for comparison.

``until`` drops every published value after that year before anything is computed, so the
evidence is what a planner would have had in ``until``.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecast.backtest import BacktestResult, rolling_origin_backtest, summarise
from forecast.calibration import Calibration, calibrate, holdout_coverage
from forecast.errors import ForecastError
from forecast.models import BACKTEST_MODELS
from forecast.realtime import CHOSEN, RealtimeResult, RealtimeSettings, realtime_backtest
from forecast.scores import pooled_table, vintage_table
from forecast.reconcile import Hierarchy, reconcile
from forecast.selection import select_models
from sendcast.data.build import Dataset
from sendcast.runtime.errors import SendcastError
from sendcast.data.measures import PLACEMENT_GROUPS
from sendcast.forecasting.realtime_panel import realtime_panel
from sendcast.forecasting.panels import panel

LOGGER = logging.getLogger(__name__)

#: The measures sendcast forecasts (SEN support as a rate: the shipped data has no pupil counts).
FORECAST_MEASURES: tuple[str, ...] = ("ehcp_total", *PLACEMENT_GROUPS, "new_plans", "requests", "sen_support_pct")
#: Placement groups sum to the total in every January.
PLACEMENT_HIERARCHY = Hierarchy("ehcp_total", PLACEMENT_GROUPS)
#: Reconciliation methods compared by backtest. Full MinT is not among them: it needs a
#: covariance of each LA's own forecast errors, and 6-9 origins per LA cannot estimate a 7 x 7
#: covariance; ``wls`` is MinT with a diagonal covariance taken from the national backtest.
RECONCILIATION_CANDIDATES: tuple[str, ...] = ("bottom_up", "top_down", "wls")
#: Measures whose published series is not comparable before a year: (first year, why).
#: Applied to the national panels and to every LA's forecast alike.
COMPARABLE_FROM: dict[str, tuple[int, str]] = {
    "ehcp_fe": (2016, "SEN2 counted no further-education placements before January 2016; plans were extended "
                "to age 25 from 2014 and the zeros before are not children"),
}
#: Fewest years of history at a backtest origin.
MIN_HISTORY = 6
#: The first origin (vintage) of the printed track record: the statement-to-EHC-plan transition
#: (2014-2016 Januaries) is behind it.
TRACK_RECORD_FROM = 2016
#: Methods in every track-record table: the real-time choice, the baselines and the demographic
#: rate model (EHC plans only; scored, never chosen: from the origins with 4 years of population
#: known, 2020 on, and compared with the five-year line on those same forecasts).
TABLE_METHODS: tuple[str, ...] = (CHOSEN, "naive", "drift", "five_year_line", "constant_growth", "demographic_rate")


class EvidenceError(SendcastError):
    """The national backtest cannot be run for the settings asked for."""


@dataclass(frozen=True)
class Evidence:
    """The national backtest and what was decided from it.

    - ``backtest``: the engine's result; series ids ``(measure, la_code)``.
    - ``summary``: per measure, model and horizon: median MASE, MASE relative to drift,
      median bias, raw coverage (:func:`forecast.backtest.summarise`).
    - ``selection``: per measure, the chosen model and why.
    - ``calibration``: widening factors per measure, model and horizon.
    - ``holdout``: per measure, model and horizon, coverage raw and calibrated on LAs the
      factors were not estimated from.
    - ``reconciliation``: per method, measure and horizon, median MASE of the reconciled
      central forecasts; ``reconciliation_method`` the method chosen.
    - ``error_scale``: per measure and horizon, the typical error of the chosen model on the
      log scale (robust standard deviation, :func:`log_error_scale`), the weights of ``wls``.
    - ``excluded``: LAs left out of each measure's panel, with the reason.
    - ``until``: last year of data used (None: all); ``horizons``: years ahead backtested.
    - ``realtime``: the real-time (nested rolling-origin) run of every area
      (:func:`forecast.realtime.realtime_backtest`); the forecasts sendcast gives are its
      last origin.
    - ``track_record``: per measure, horizon (1-3) and method, the real-time run's scores
      pooled over the origins from :data:`TRACK_RECORD_FROM` (:func:`forecast.scores.pooled_table`);
      ``vintages``: the same per origin (:func:`forecast.scores.vintage_table`). Methods: the
      real-time choice (``sendcast``) and the baselines.

    ``reconciliation_method`` is ``keep_total`` by rule (:func:`forecast.reconcile.keep_total`):
    the total is kept as forecast and the placement groups are scaled to it, so reconciliation never moves the total (issue 18:
    WLS pulled the total down). ``reconciliation`` still scores the alternatives.
    """

    backtest: BacktestResult
    summary: pd.DataFrame
    selection: pd.DataFrame
    calibration: Calibration
    holdout: pd.DataFrame
    reconciliation: pd.DataFrame
    reconciliation_method: str
    error_scale: pd.DataFrame
    excluded: pd.DataFrame
    until: int | None
    horizons: int
    realtime: RealtimeResult
    track_record: pd.DataFrame
    vintages: pd.DataFrame

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(self.selection["measure"])

    def model_for(self, measure: str) -> str | None:
        """The chosen model for ``measure``, or None if the backtest could not choose."""
        rows = self.selection[self.selection["measure"] == measure]
        if rows.empty or pd.isna(rows["model"].iloc[0]):
            return None
        return str(rows["model"].iloc[0])

    def wls_variances(self, central: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Forecast-error variances per node and year for ``wls`` reconciliation:
        ``(sd_log(measure, h) * (central + 1)) ** 2``, horizons beyond the backtest reusing
        the longest one."""
        return wls_variances(self.error_scale, central)

    def chosen_summary(self) -> pd.DataFrame:
        """Per measure and horizon, the real-time forecasts' track record (pooled over
        origins): ``relative_mase`` (to the five-year straight line), ``median_ape_pct``,
        ``median_bias_pct``, ``coverage80``/``coverage95``, ``median_width80_pct``,
        ``interval_score80_pct``, with ``n_series``, ``n_forecasts`` and the origins
        ``first_origin``-``last_origin``."""
        table = self.track_record[self.track_record["method"] == CHOSEN]
        out = table.rename(columns={"n": "n_forecasts"}).assign(model="real-time choice")
        origins = self.realtime.forecasts["origin"]
        out = out.assign(first_origin=TRACK_RECORD_FROM, last_origin=int(origins.max()) - out["horizon"])
        return out[["measure", "model", "horizon", "n_series", "n_forecasts", "relative_mase", "median_ape_pct",
                    "median_bias_pct", "coverage80", "coverage95", "median_width80_pct", "interval_score80_pct",
                    "first_origin", "last_origin"]].reset_index(drop=True)


def national_panels(dataset: Dataset, measures: Sequence[str], *, until: int | None = None,
                    min_history: int = MIN_HISTORY) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every measure's national panel stacked: values indexed by ``(measure, la_code)`` with
    one column per year, and the LAs excluded with reasons (``measure, la_code, la_name,
    reason``). An LA needs ``min_history + 1`` years to be scored at least once."""
    frames, excluded = [], []
    for measure in measures:
        since = COMPARABLE_FROM[measure][0] if measure in COMPARABLE_FROM else None
        built = panel(dataset, measure, until=until, min_years=min_history + 1, since=since)
        excluded.append(built.excluded.assign(measure=measure))
        if built.values.empty:
            continue
        values = built.values.copy()
        values.index = pd.MultiIndex.from_product([[measure], values.index], names=["measure", "la_code"])
        frames.append(values)
    if not frames:
        raise EvidenceError("no measure has an LA with enough years to backtest"
                            + (f" up to {until}" if until is not None else ""))
    stacked = pd.concat(frames).sort_index(axis=1)
    years = np.arange(int(stacked.columns.min()), int(stacked.columns.max()) + 1)
    reasons = pd.concat(excluded, ignore_index=True)[["measure", "la_code", "la_name", "reason"]]
    return stacked.reindex(columns=years), reasons


def _chosen_errors(result: BacktestResult, selection: pd.DataFrame) -> pd.DataFrame:
    chosen = selection.set_index("measure")["model"].dropna()
    errors = result.errors
    return errors[errors["model"] == errors["measure"].map(chosen)]


def log_error_scale(errors: pd.DataFrame) -> pd.DataFrame:
    """Per measure and horizon: ``sd_log``, a robust standard deviation of the log forecast
    errors ``log((actual + 1) / (forecast + 1))`` (median absolute error / 0.6745, so one
    wild LA does not dominate), from the rows of ``errors`` given."""
    work = errors[errors["actual"].notna()]
    logs = np.abs(np.log1p(work["actual"].to_numpy(dtype=float)) - np.log1p(work["forecast"].to_numpy(dtype=float)))
    table = work.assign(abs_log=logs).groupby(["measure", "horizon"])["abs_log"].median() / 0.6745
    return table.rename("sd_log").reset_index()


def wls_variances(error_scale: pd.DataFrame, central: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """See :meth:`Evidence.wls_variances`. A floor of 1e-6 on ``sd_log`` keeps every
    variance positive."""
    out = {}
    for node, level in central.items():
        rows = error_scale[error_scale["measure"] == node].set_index("horizon")["sd_log"].sort_index()
        if rows.empty:
            raise EvidenceError(f"no backtest error scale for {node}; cannot weight the reconciliation")
        steps = np.minimum(np.arange(1, np.asarray(level).shape[-1] + 1), int(rows.index.max()))
        sd = np.maximum(rows.reindex(steps).ffill().bfill().to_numpy(dtype=float), 1e-6)
        out[node] = (sd * (np.asarray(level, dtype=float) + 1.0)) ** 2
    return out


def reconciliation_backtest(result: BacktestResult, selection: pd.DataFrame,
                            hierarchy: Hierarchy = PLACEMENT_HIERARCHY, *, folds: int = 2) -> pd.DataFrame:
    """Score each reconciliation method on the backtest's own central forecasts.

    For every LA, origin and horizon at which the chosen model of the total and of every
    part was scored, the central forecasts are reconciled by each method in
    :data:`RECONCILIATION_CANDIDATES` (and ``"none"``: as forecast) and scored against the
    outcomes by the scaled error of :mod:`forecast.backtest`. ``wls`` weights come from the
    LAs of the other folds (LAs split by a hash of their code), never from the LA scored.
    Returns per method, measure and horizon the median across LAs of each LA's MASE
    (columns ``method, measure, horizon, n_series, median_mase``). Empty if no LA has every
    node scored."""
    chosen = selection.set_index("measure")["model"].dropna()
    if any(node not in chosen.index for node in hierarchy.nodes):
        return pd.DataFrame(columns=["method", "measure", "horizon", "n_series", "median_mase"])
    keep = _chosen_errors(result, selection)
    keep = keep[keep["measure"].isin(hierarchy.nodes)]
    keys = ["la_code", "origin", "horizon"]
    wide = {name: keep.pivot_table(index=keys, columns="measure", values=name, aggfunc="first")
            .reindex(columns=list(hierarchy.nodes)) for name in ("forecast", "actual", "mase_scale")}
    complete = wide["forecast"].notna().all(axis=1) & wide["actual"].notna().all(axis=1)
    if not complete.any():
        return pd.DataFrame(columns=["method", "measure", "horizon", "n_series", "median_mase"])
    forecast = wide["forecast"][complete]
    actual, scale = wide["actual"][complete], wide["mase_scale"][complete]
    fold_of = {code: zlib.crc32(code.encode()) % folds for code in keep["la_code"].unique()}
    row_fold = forecast.index.get_level_values("la_code").map(fold_of).to_numpy()
    row_horizon = forecast.index.get_level_values("horizon").to_numpy()
    keep_fold = keep["la_code"].map(fold_of).to_numpy()
    variances = {node: np.empty(len(forecast)) for node in hierarchy.nodes}
    for fold in range(folds):
        scale_table = log_error_scale(keep[keep_fold != fold])
        for node in hierarchy.nodes:
            sd = scale_table[scale_table["measure"] == node].set_index("horizon")["sd_log"]
            mine = row_fold == fold
            level = forecast[node].to_numpy()[mine]
            variances[node][mine] = (np.maximum(sd.reindex(row_horizon[mine]).to_numpy(dtype=float), 1e-6)
                                     * (level + 1.0)) ** 2
    rows = []
    for method in ("none", *RECONCILIATION_CANDIDATES):
        base = {node: forecast[node].to_numpy() for node in hierarchy.nodes}
        reconciled = base if method == "none" else reconcile(base, hierarchy, method=method, variances=variances)
        for node in hierarchy.nodes:
            scaled = np.abs(reconciled[node] - actual[node].to_numpy()) / scale[node].to_numpy()
            frame = pd.DataFrame({"la_code": forecast.index.get_level_values("la_code"),
                                  "horizon": forecast.index.get_level_values("horizon"), "scaled": scaled})
            per_la = frame.groupby(["horizon", "la_code"])["scaled"].mean()
            summary = per_la.groupby("horizon").agg(["size", "median"])
            for horizon, row in summary.iterrows():
                rows.append({"method": method, "measure": node, "horizon": int(horizon),
                             "n_series": int(row["size"]), "median_mase": float(row["median"])})
    return pd.DataFrame(rows)


def choose_reconciliation(table: pd.DataFrame) -> str:
    """The rule: the candidate with the lowest mean, over the total and every part and
    every horizon, of the median MASE relative to the unreconciled forecasts of the same
    node and horizon (so that large and small groups count alike). ``top_down`` (the
    total's calibrated distribution is kept as it is) when there is no evidence."""
    if table.empty:
        return "top_down"
    base = table[table["method"] == "none"].set_index(["measure", "horizon"])["median_mase"]
    scores = {}
    for method in RECONCILIATION_CANDIDATES:
        rows = table[table["method"] == method].set_index(["measure", "horizon"])["median_mase"]
        scores[method] = float((rows / base.reindex(rows.index)).mean())
    return min(scores, key=lambda m: (scores[m], RECONCILIATION_CANDIDATES.index(m)))


def national_evidence(dataset: Dataset, measures: Sequence[str] = FORECAST_MEASURES, *, until: int | None = None,
                      horizons: int = 5, models: Sequence[str] = BACKTEST_MODELS,
                      min_history: int = MIN_HISTORY) -> Evidence:
    """Backtest ``models`` on every LA's series of each of ``measures`` (data after
    ``until`` dropped), 1..``horizons`` years ahead from every origin with at least
    ``min_history`` years, and choose, calibrate and reconcile from it (see the module
    docstring). Takes about a second per measure on the full national data; evidence already
    computed in this process for the same input files and settings is returned again; so is
    the evidence of ``until=None`` for an ``until`` at or after the last year of every
    published measure (:func:`last_published_year`: nothing is dropped, the same numbers),
    with its ``until`` as asked."""
    if horizons < 1:
        raise EvidenceError(f"horizons must be at least 1, found {horizons}")
    inputs = dataset.input_checksums
    same_as = None if until is not None and inputs and until >= last_published_year(dataset) else until
    key = (inputs, tuple(measures), same_as, horizons, tuple(models), min_history)
    if inputs and key in _EVIDENCE:
        evidence = _EVIDENCE[key]
    else:
        evidence = _national_evidence(dataset, measures, until=until, horizons=horizons, models=models,
                                      min_history=min_history)
        if inputs:
            _EVIDENCE[key] = evidence
    return evidence if evidence.until == until else replace(evidence, until=until)


def last_published_year(dataset: Dataset) -> int:
    """The last year of any published measure but the population (ONS projections run decades
    ahead; the evidence reads the population only to the last year of the measures it
    forecasts, :func:`sendcast.forecasting.realtime_panel.population_rows`): an ``until`` at or
    after it drops nothing the evidence reads. Kept per process for the table of measures (the
    object: a dataset changed in a test keeps its input checksums)."""
    rows = dataset.measures
    entry = _LAST_YEAR.get(id(rows))
    if entry is None or entry[0] is not rows:
        if len(_LAST_YEAR) >= 8:
            _LAST_YEAR.clear()
        years = rows.loc[rows["measure"] != "population", "year"]
        entry = _LAST_YEAR[id(rows)] = (rows, int(years.max()) if not years.empty else 0)
    return entry[1]


#: :func:`last_published_year` by the id of the table of measures (each entry holds its table,
#: so no other can take the id while it is kept).
_LAST_YEAR: dict[int, tuple[pd.DataFrame, int]] = {}


#: Evidence already computed in this process, by the checksums of the data's input files and the
#: settings: the backtest is deterministic given the data.
_EVIDENCE: dict[tuple, Evidence] = {}


def _national_evidence(dataset: Dataset, measures: Sequence[str], *, until: int | None, horizons: int,
                       models: Sequence[str], min_history: int) -> Evidence:
    values, excluded = national_panels(dataset, measures, until=until, min_history=min_history)
    try:
        result = rolling_origin_backtest(values, models=models, horizons=horizons, min_history=min_history)
    except ForecastError as error:
        raise EvidenceError(f"national backtest: {error}") from error
    summary = summarise(result)
    selection = select_models(result)
    calibration = calibrate(result)
    holdout = holdout_coverage(result, separate_levels=True)
    reconciliation = reconciliation_backtest(result, selection)
    error_scale = log_error_scale(_chosen_errors(result, selection))
    realtime, track_record, vintages = realtime_evidence(dataset, measures, until=until, horizons=horizons)
    LOGGER.info("evidence: %d forecasts scored; %d real-time forecasts", len(result.errors), len(realtime.forecasts))
    return Evidence(backtest=result, summary=summary, selection=selection, calibration=calibration,
                    holdout=holdout, reconciliation=reconciliation, reconciliation_method="keep_total",
                    error_scale=error_scale, excluded=excluded, until=until, horizons=horizons, realtime=realtime,
                    track_record=track_record, vintages=vintages)


def realtime_evidence(dataset: Dataset, measures: Sequence[str], *, until: int | None = None, horizons: int = 5
                      ) -> tuple[RealtimeResult, pd.DataFrame, pd.DataFrame]:
    """The real-time run of every area's series of ``measures`` (data after ``until``
    dropped) and its track record, pooled and per vintage (origins from
    :data:`TRACK_RECORD_FROM`, horizons 1-3, :data:`TABLE_METHODS`)."""
    long = realtime_panel(dataset, measures, until=until, comparable_from=COMPARABLE_FROM)
    present = [m for m in measures if m in set(long["measure"])]
    if not present:
        raise EvidenceError("no measure has data to forecast" + (f" up to {until}" if until is not None else ""))
    try:
        realtime = realtime_backtest(long, measures=present, settings=RealtimeSettings(
            horizons=max(horizons, 3), parents={part: PLACEMENT_HIERARCHY.total for part in PLACEMENT_HIERARCHY.parts}))
    except ForecastError as error:
        raise EvidenceError(f"real-time backtest: {error}") from error
    origins = range(TRACK_RECORD_FROM, int(realtime.forecasts["origin"].max()))
    track_record = pooled_table(realtime.forecasts, origins=origins, horizons=3, methods=TABLE_METHODS)
    vintages = vintage_table(realtime.forecasts, origins=origins, horizons=3, methods=TABLE_METHODS)
    return realtime, track_record, vintages
