"""Time-respecting (nested rolling-origin) forecasting of a whole national panel.

Planning meaning: every forecast here could have been made at its origin. At origin ``t``
(the latest year known) the method, its windows, the shrinkage toward England, the
combination and the interval calibration are all chosen from data up to ``t``; the forecast
is then scored against what happened after ``t``. The same run gives the live forecast (the
last origin), so the track record and the forecast come from one procedure.

Input (long form, one row per series and year): ``panel`` with columns ``measure``,
``la_code``, ``year``, ``value`` and optionally ``pooled`` (bool; default True): pooled
series make the national figures and the error pools (sendcast passes England and LAs whose
boundary changed with ``pooled=False``: they are forecast, never pooled). A series must be
consecutive years (a gap is an error: the caller keeps the latest unbroken run).

The protocol, per measure (``m``), at every origin ``t``:

1. Level 0: every registered candidate (:mod:`forecast.candidates`) forecasts every series
   ``1..horizons`` years ahead from the data up to ``t`` (their own internal fits, such as
   shrinkage weights, also use data up to ``t`` only).
2. Level 1: candidates are ranked by the mean over ``h = 1..selection_horizons`` of the
   median absolute log error, over pooled series with at least ``min_years`` years, of the
   forecasts whose outcome is known at ``t`` and falls in the last ``selection_years``
   years (outcomes in the transition era are left out when later ones exist). The best is
   the *single* choice; the mean (on the log scale) of the best ``combination_size`` is the
   *combination*.
3. Level 2: single or combination, whichever has the lower score on the same rule from
   their own real-time forecasts at earlier origins.
3a. Too little evidence: until the chooser has scored at least ``min_vintages`` past origins
   whose outcomes at every horizon ``1..selection_horizons`` are known at ``t`` and fall
   after the transition era (``intervals.transition_until``), its choice (3) is shrunk
   toward the *median of the candidates*: the forecast is, on the log scale,
   ``(1 - thin_evidence_weight) * choice + thin_evidence_weight * median`` (the geometric
   mean of the two at the default 0.5), where the median is, per series and year, the
   median of every candidate's forecast except ``naive`` (a no-growth yardstick in a
   growing system). The choices table says ``rule`` = :data:`BROAD` with the choice it
   shrank. Why: a choice made from one or two vintages follows whatever had just worked,
   and in ``ehcp_total`` that failed in the next vintages (issue 18: 2019 and 2020 were
   the worst vintages, 1.00 and 1.02 times the five-year line's MASE); a median of many
   methods, none of them chosen, cannot be led by one lucky vintage. Measured on the shipped
   data (origins 2016-2022, h=1..3, MASE relative to the five-year line, worst vintage):
   choice alone 0.71/0.69/0.71, worst 1.02; median alone 0.71/0.66/0.68, worst 0.98 (but
   new plans 0.90 -> 1.02 at h=3); halfway 0.69/0.65/0.68, worst 0.94. ``min_vintages = 0``
   turns this off. These settings were chosen after seeing that backtest (hindsight);
   ``benchmarks/evidence_thin_evidence.py`` re-runs it over a grid: for ``ehcp_total`` any
   weight from 0.25 to 1 keeps the worst vintage at or under 0.98 with ``min_vintages`` 3 or
   4, but ``min_vintages`` 2 gives 1.02 (as off); new plans' worst vintage rises with the
   weight (1.01 off, 1.08 at 0.25, 1.18 at 0.5, 1.34 at 1).
4. A series with fewer than ``min_years`` years at ``t`` (``short_history``) grows at
   England's growth of the last two years (:data:`SHORT_HISTORY_GROWTH`: the sum over every
   pooled LA, so one LA's start-up jump cannot drive it) when both years of England's growth
   are known and neither is a break (more than 50% either way,
   :data:`forecast.shrinkage.BREAK_LOG_CHANGE`); otherwise it is held level (``naive``).
   A part of a parent measure (``parents``) instead keeps its latest share of the parent's
   chosen forecast. None of these can explode, and the output says which was used
   (``short_history_method`` in the choices; it is used only when ``national_growth_2`` is
   among the candidates run). Holding level was the rule for every series
   until issue 18's second pass: requests (published from calendar 2016) were then held
   level at every origin to 2019 while they grew 12-23% a year, and ran 26-28% low at h=3.
   A part's share of its parent's forecast stays within ``share_limit`` (1.5) times or
   divided by its latest share.
5. Intervals: :func:`forecast.empirical_intervals.realtime_intervals` on the chosen
   forecasts' own real-time errors (short-history series, and origins with no long series'
   error known yet: on the short-history fallback's), each error divided by
   its series' volatility at its origin (``volatility_scaled``, :func:`_volatility`) and the
   quantiles multiplied back by each series' volatility now: an erratic LA gets a wider
   interval than a steady one. Off by default: on the shipped data it did not improve the
   interval score of ``ehcp_total`` (49.1 against 51.2% of the level at h=3, origins
   2016-2022), so every LA gets the same relative interval per measure and horizon.

Before any outcome is known (the first origins of a series) the chosen method is
``DEFAULT_METHOD`` (the first candidate when it is not among them). ``naive`` is always a
candidate (the short-history fallback).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.candidates import (
    CANDIDATES,
    POPULATION,
    REQUESTS_DRIVER,
    STOCK_FLOW_FLOWS,
    OriginData,
    candidates_for,
)
from forecast.empirical_intervals import IntervalSettings, bounds, realtime_intervals
from forecast.errors import ForecastError
from forecast.shrinkage import BREAK_LOG_CHANGE, national_growth, robust_changes

#: The name of the chosen (real-time) forecast in every table.
CHOSEN = "sendcast"
#: Used before any outcome is known.
DEFAULT_METHOD = "fitted_blend"
#: The fallback for series too short for evidence.
SHORT_HISTORY_METHOD = "naive"
#: The fallback for series too short for evidence that are not a part of a parent measure,
#: while England's growth of the last two years is known and steady (module docstring, 4).
SHORT_HISTORY_GROWTH = "national_growth_2"
#: The ``rule`` in the choices table when the choice was shrunk toward the median of the
#: candidates for want of evidence (module docstring, 3a).
BROAD = "shrunk_to_median"
FORECAST_COLUMNS: tuple[str, ...] = (
    "measure",
    "la_code",
    "origin",
    "horizon",
    "year",
    "method",
    "forecast",
    "lo80",
    "hi80",
    "lo95",
    "hi95",
    "actual",
    "scale",
    "pooled",
    "short_history",
)


@dataclass(frozen=True)
class RealtimeSettings:
    """See the module docstring. ``candidates``: restrict to these registered names (None:
    all that apply). ``interval_methods``: methods given intervals besides the chosen one
    (the baselines by default, so their sharpness can be compared)."""

    horizons: int = 5
    min_years: int = 5
    selection_years: int = 4
    selection_horizons: int = 3
    combination_size: int = 3
    min_vintages: int = 3
    thin_evidence_weight: float = 0.5
    candidates: tuple[str, ...] | None = None
    intervals: IntervalSettings = field(default_factory=IntervalSettings)
    interval_methods: tuple[str, ...] = ("naive", "drift", "five_year_line", "constant_growth")
    parents: Mapping[str, str] = field(default_factory=dict)
    share_limit: float = 1.5
    volatility_scaled: bool = False


@dataclass(frozen=True)
class RealtimeResult:
    """``forecasts``: :data:`FORECAST_COLUMNS`, one row per measure, series, origin, horizon
    and method (the chosen forecast ``sendcast``, every candidate; interval bounds for the
    chosen one and ``interval_methods``, NaN for the others). ``actual`` is NaN where the
    outcome is not yet known; ``scale`` is MASE's denominator (mean absolute yearly change up
    to the origin). ``choices``: per measure and origin, the single best candidate, the
    combination members, whether the combination was used, the interval window and the
    evidence (number of scored forecasts). ``candidate_scores``: per measure, origin and
    candidate, the level-1 score (median absolute log error)."""

    forecasts: pd.DataFrame
    choices: pd.DataFrame
    candidate_scores: pd.DataFrame
    settings: RealtimeSettings

    def latest(self, measure: str | None = None, method: str = CHOSEN) -> pd.DataFrame:
        """The live forecast: each series' rows at its measure's last origin."""
        rows = self.forecasts[self.forecasts["method"] == method]
        if measure is not None:
            rows = rows[rows["measure"] == measure]
        last = rows.groupby("measure")["origin"].transform("max")
        return rows[rows["origin"] == last].reset_index(drop=True)


def _wide(panel: pd.DataFrame, measure: str, codes: pd.Index, years: np.ndarray) -> np.ndarray:
    rows = panel[panel["measure"] == measure]
    wide = rows.pivot_table(index="la_code", columns="year", values="value", aggfunc="first")
    return wide.reindex(index=codes, columns=years).to_numpy(dtype=float)


def _check(panel: pd.DataFrame) -> pd.DataFrame:
    missing = {"measure", "la_code", "year", "value"} - set(panel.columns)
    if missing:
        raise ForecastError(f"realtime: the panel needs columns {sorted(missing)}")
    panel = panel[panel["value"].notna()].copy()
    if (panel["value"] < 0).any():
        raise ForecastError("realtime: negative counts in the panel")
    if "pooled" not in panel.columns:
        panel["pooled"] = True
    spans = panel.groupby(["measure", "la_code"])["year"].agg(["min", "max", "count"])
    gappy = spans[spans["max"] - spans["min"] + 1 != spans["count"]]
    if not gappy.empty:
        measure, code = gappy.index[0]
        raise ForecastError(
            f"realtime: series {measure}/{code} has a missing year inside its span; pass the latest unbroken run only"
        )
    return panel


def _scale(values: np.ndarray) -> np.ndarray:
    changes = np.abs(np.diff(values, axis=1))
    counts = np.isfinite(changes).sum(axis=1)
    mae = np.where(counts > 0, np.nansum(changes, axis=1) / np.maximum(counts, 1), np.nan)
    return np.where(mae > 0, mae, np.nan)


#: Years of changes behind an LA's volatility.
VOLATILITY_YEARS = 6


def _volatility(history: np.ndarray, national: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """Per series: how erratic its growth is relative to the typical LA, ``sqrt((own^2 +
    typical^2) / 2) / typical``, where ``own`` is the root mean square of its last
    :data:`VOLATILITY_YEARS` yearly log changes' departures from England's (breaks clipped)
    and ``typical`` the median of ``own`` over pooled series. 1 for a typical LA; a series
    with fewer than 3 changes counts as typical. Uses the data up to the origin only."""
    departures = robust_changes(history, national)[:, -VOLATILITY_YEARS:] - national[None, -VOLATILITY_YEARS:]
    counts = np.isfinite(departures).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        own = np.sqrt(np.nansum(departures**2, axis=1) / np.maximum(counts, 1))
    own = np.where(counts >= 3, own, np.nan)
    usable = pooled & np.isfinite(own)
    if usable.sum() < 5:
        return np.ones(history.shape[0])
    typical = float(np.median(own[usable]))
    if typical <= 0:
        return np.ones(history.shape[0])
    own = np.where(np.isfinite(own), own, typical)
    return np.sqrt((own**2 + typical**2) / 2) / typical


def _vintages(usable: np.ndarray, origins: np.ndarray, t: int, settings: RealtimeSettings) -> int:
    """Past origins the chooser can score at ``t`` (module docstring, 3a): origins with a
    usable series whose outcomes at every horizon up to ``selection_horizons`` are known at
    ``t`` and all fall after ``intervals.transition_until``."""
    last = origins + settings.selection_horizons
    evidence = (last <= t) & (origins + 1 > settings.intervals.transition_until) & usable.any(axis=1)
    return int(evidence.sum())


def _score(
    errors: np.ndarray, usable: np.ndarray, origins: np.ndarray, t: int, settings: RealtimeSettings
) -> tuple[float, int]:
    """Level-1 score at ``t`` (mean over horizons of the median |log error|), and the count."""
    per_h, count = [], 0
    for h in range(1, min(settings.selection_horizons, errors.shape[2]) + 1):
        target = origins + h
        known = (target <= t) & (target > t - settings.selection_years)
        later = known & (target > settings.intervals.transition_until)
        rows = later if later.any() else known
        values = errors[rows, :, h - 1][usable[rows]]
        values = values[np.isfinite(values)]
        if values.size:
            per_h.append(float(np.median(np.abs(values))))
            count += values.size
    if not per_h:
        return np.nan, 0
    return float(np.mean(per_h)), count


def _measure(
    measure: str,
    codes: pd.Index,
    years: np.ndarray,
    values: np.ndarray,
    pooled: np.ndarray,
    flows: Mapping[str, np.ndarray],
    settings: RealtimeSettings,
    parent_growth: np.ndarray | None = None,
) -> tuple[list[pd.DataFrame], list, list, np.ndarray]:
    horizons = settings.horizons
    present = ~np.isnan(values)
    pooled_cols = present[pooled].any(axis=0) if pooled.any() else present.any(axis=0)
    first = int(np.argmax(present.any(axis=0)))
    last = int(len(years) - 1 - np.argmax(pooled_cols[::-1]))
    origin_index = np.arange(first, last + 1)
    origins = years[origin_index]
    national = national_growth(values, pooled)
    flow_national = {name: national_growth(array, pooled) for name, array in flows.items()}
    wanted = None if settings.candidates is None else tuple({*settings.candidates, SHORT_HISTORY_METHOD})
    candidates = candidates_for(measure, wanted)
    names = [c.name for c in candidates]
    default = DEFAULT_METHOD if DEFAULT_METHOD in names else names[0]
    n_series = values.shape[0]
    shape = (len(origins), n_series, horizons)
    central = {name: np.full(shape, np.nan) for name in names}
    actual = np.full(shape, np.nan)
    scale = np.full((len(origins), n_series), np.nan)
    n_years = np.zeros((len(origins), n_series), dtype=int)
    volatility = np.ones((len(origins), n_series))
    for k, o in enumerate(origin_index):
        history = values[:, : o + 1]
        data = OriginData(
            measure=measure,
            origin=int(years[o]),
            horizon=horizons,
            values=history,
            pooled=pooled,
            national=national[:o],
            flows={n: a[:, : o + 1] for n, a in flows.items()},
            flow_national={n: a[:o] for n, a in flow_national.items()},
        )
        alive = present[:, o]
        for candidate in candidates:
            out = candidate.function(data)
            central[candidate.name][k] = np.where(alive[:, None], out, np.nan)
        ahead = values[:, o + 1 : o + 1 + horizons]
        actual[k, :, : ahead.shape[1]] = ahead
        scale[k] = _scale(history)
        volatility[k] = _volatility(history, national[:o], pooled)
        n_years[k] = present[:, : o + 1].sum(axis=1) * present[:, o]
    with np.errstate(invalid="ignore", divide="ignore"):
        errors = {name: np.log1p(actual) - np.log1p(central[name]) for name in names}
    long_enough = n_years >= settings.min_years
    usable = long_enough & pooled[None, :]
    selectable = [c.name for c in candidates if c.selectable]
    # the median of the selectable candidates: a yardstick that is never chosen does not move it
    broad_members = [n for n in selectable if n != SHORT_HISTORY_METHOD] or selectable or names
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows (a one-year series) stay NaN
        broad = np.expm1(np.nanmedian(np.stack([np.log1p(central[n]) for n in broad_members]), axis=0))
    # levels 1 and 2, origin by origin
    chosen = np.full(shape, np.nan)
    single = np.full(shape, np.nan)
    combined = np.full(shape, np.nan)
    choice_rows, score_rows = [], []
    for k, t in enumerate(origins):
        scores = {}
        for name in selectable:
            score, count = _score(errors[name], usable, origins, int(t), settings)
            scores[name] = score
            score_rows.append({"measure": measure, "origin": int(t), "candidate": name, "score": score, "n": count})
        ranked = sorted((s, n) for n, s in scores.items() if np.isfinite(s))
        best = ranked[0][1] if ranked else default
        members = [n for _, n in ranked[: settings.combination_size]] or [default]
        single[k] = central[best][k]
        with np.errstate(invalid="ignore"):
            combined[k] = np.expm1(np.mean([np.log1p(central[n][k]) for n in members], axis=0))
        with np.errstate(invalid="ignore", divide="ignore"):
            single_errors = np.log1p(actual) - np.log1p(single)
            combined_errors = np.log1p(actual) - np.log1p(combined)
        single_score, n_scored = _score(single_errors, usable, origins, int(t), settings)
        combined_score, _ = _score(combined_errors, usable, origins, int(t), settings)
        use_combination = bool(
            np.isfinite(combined_score) and np.isfinite(single_score) and combined_score < single_score
        )
        vintages = _vintages(usable, origins, int(t), settings)
        choice = combined[k] if use_combination else single[k]
        if vintages < settings.min_vintages:
            rule = BROAD
            weight = settings.thin_evidence_weight
            with np.errstate(invalid="ignore"):
                shrunk = np.expm1((1 - weight) * np.log1p(choice) + weight * np.log1p(broad[k]))
            chosen[k] = np.where(np.isfinite(shrunk), shrunk, choice)
        else:
            rule = "combination" if use_combination else "single"
            chosen[k] = choice
        choice_rows.append(
            {
                "measure": measure,
                "origin": int(t),
                "single": best,
                "members": ",".join(members),
                "combination": use_combination,
                "rule": rule,
                "vintages": vintages,
                "single_score": single_score,
                "combination_score": combined_score,
                "n_scored": n_scored,
            }
        )
    short = (n_years < settings.min_years) & (n_years > 0)
    fallback_names = []
    for o in origin_index:
        recent = national[max(o - 2, 0) : o]
        steady = recent.size == 2 and bool(np.all(np.isfinite(recent) & (np.abs(recent) <= BREAK_LOG_CHANGE)))
        growth_ok = parent_growth is None and SHORT_HISTORY_GROWTH in central and steady
        fallback_names.append(SHORT_HISTORY_GROWTH if growth_ok else SHORT_HISTORY_METHOD)
    fallback = np.stack([central[name][k] for k, name in enumerate(fallback_names)])
    with np.errstate(invalid="ignore", divide="ignore"):
        fallback_errors = np.log1p(actual) - np.log1p(fallback)
    for row, name in zip(choice_rows, fallback_names):
        row["short_history_method"] = name
    if parent_growth is not None:
        ratio = parent_growth[origin_index]  # the parent's chosen forecast / its latest value
        with np.errstate(invalid="ignore"):
            fallback = np.where(np.isfinite(ratio), fallback * ratio, fallback)
    chosen = np.where(short[:, :, None], fallback, chosen)
    if parent_growth is not None:
        ratio = parent_growth[origin_index]
        latest = values[:, origin_index].T[:, :, None]
        low, high = latest * ratio / settings.share_limit, latest * ratio * settings.share_limit
        with np.errstate(invalid="ignore"):
            chosen = np.where(np.isfinite(ratio), np.clip(chosen, low, high), chosen)
    with np.errstate(invalid="ignore", divide="ignore"):
        chosen_errors = np.log1p(actual) - np.log1p(chosen)
    streams = {CHOSEN: chosen, **{m: central[m] for m in names}}
    bands = {}
    windows = {}
    naive_usable = (n_years >= 1) & pooled[None, :]
    spread = volatility if settings.volatility_scaled else np.ones_like(volatility)

    def standardised(array: np.ndarray) -> np.ndarray:
        return array / spread[:, :, None]

    naive_intervals = realtime_intervals(
        standardised(errors[SHORT_HISTORY_METHOD]), naive_usable, origins, settings.intervals
    )
    fallback_intervals = realtime_intervals(standardised(fallback_errors), naive_usable, origins, settings.intervals)
    for method in (CHOSEN, *[m for m in settings.interval_methods if m in names]):
        stream_errors = chosen_errors if method == CHOSEN else errors[method]
        stream_usable = usable if method == CHOSEN else naive_usable
        found = (
            naive_intervals
            if method == SHORT_HISTORY_METHOD
            else realtime_intervals(standardised(stream_errors), stream_usable, origins, settings.intervals)
        )
        q = np.broadcast_to(found.quantiles[:, None], shape + (4,)).copy()
        if method == CHOSEN:
            # short series, and origins where no long series' error is known yet (a measure
            # whose every series has just reached min_years): the fallback's own errors
            backup = np.broadcast_to(fallback_intervals.quantiles[:, None], q.shape)
            q = np.where(short[:, :, None, None] | np.isnan(q), backup, q)
        q = q * spread[:, :, None, None]
        bands[method] = bounds(streams[method], q)
        windows[method] = found.window
    for row, k in zip(choice_rows, range(len(origins))):
        row["interval_window"] = int(windows[CHOSEN][k])
    frames = []
    origin_grid, series_grid, horizon_grid = np.meshgrid(
        np.arange(len(origins)), np.arange(n_series), np.arange(horizons), indexing="ij"
    )
    base = pd.DataFrame(
        {
            "measure": measure,
            "la_code": codes.to_numpy()[series_grid.ravel()],
            "origin": origins[origin_grid.ravel()],
            "horizon": horizon_grid.ravel() + 1,
        }
    )
    base["year"] = base["origin"] + base["horizon"]
    base["actual"] = actual.ravel()
    base["scale"] = scale[origin_grid.ravel(), series_grid.ravel()]
    base["pooled"] = pooled[series_grid.ravel()]
    base["short_history"] = short[origin_grid.ravel(), series_grid.ravel()]
    keep = np.isfinite(chosen.ravel())
    for method, forecast in streams.items():
        frame = base.assign(method=method, forecast=forecast.ravel())
        if method in bands:
            for name, bound in bands[method].items():
                frame[name] = bound.ravel()
        else:
            for name in ("lo80", "hi80", "lo95", "hi95"):
                frame[name] = np.nan
        frames.append(frame[keep])
    growth = np.full((len(years), n_series, horizons), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        latest = values[:, origin_index].T[:, :, None]
        growth[origin_index] = np.where(latest > 0, chosen / latest, np.nan)
    return frames, choice_rows, score_rows, growth


def realtime_backtest(
    panel: pd.DataFrame,
    *,
    settings: RealtimeSettings = RealtimeSettings(),
    measures: Sequence[str] | None = None,
    flows: Mapping[str, Sequence[str]] | None = None,
    optional_flows: Mapping[str, Sequence[str]] | None = None,
) -> RealtimeResult:
    """Run the protocol of the module docstring on every measure of ``panel`` (or
    ``measures``). ``flows``: per measure, the other measures of the panel its candidates
    may read, all or none (default: ``ehcp_total`` reads ``new_plans``, ``plans_ceased``,
    ``requests`` and ``requests`` reads ``ehcp_total``, when the panel has them).
    ``optional_flows``: per measure, further series read each one when the panel has it
    (default: ``ehcp_total`` reads ``population_0_25``, for ``demographic_rate``)."""
    panel = _check(panel)
    if settings.horizons < 1:
        raise ForecastError(f"realtime: horizons must be at least 1, found {settings.horizons}")
    if flows is None:
        flows = {"ehcp_total": STOCK_FLOW_FLOWS, "requests": (REQUESTS_DRIVER,)}
    optional = {"ehcp_total": (POPULATION,)} if optional_flows is None else optional_flows
    wanted = list(measures) if measures is not None else sorted(panel["measure"].unique())
    available = set(panel["measure"].unique())
    years = np.arange(int(panel["year"].min()), int(panel["year"].max()) + 1)
    frames, choices, scores = [], [], []
    growths: dict[str, tuple[pd.Index, np.ndarray]] = {}
    parents = dict(settings.parents)
    wanted = sorted(wanted, key=lambda m: m in parents)  # parents first
    for measure in wanted:
        if measure not in available:
            raise ForecastError(f"realtime: measure {measure!r} is not in the panel")
        rows = panel[panel["measure"] == measure]
        codes = pd.Index(sorted(rows["la_code"].unique()), name="la_code")
        values = _wide(panel, measure, codes, years)
        pooled = rows.groupby("la_code")["pooled"].first().reindex(codes).fillna(False).to_numpy(dtype=bool)
        extra = {name: _wide(panel, name, codes, years) for name in flows.get(measure, ()) if name in available}
        if len(extra) != len(flows.get(measure, ())):
            extra = {}
        extra.update(
            {name: _wide(panel, name, codes, years) for name in optional.get(measure, ()) if name in available}
        )
        parent_growth = None
        if parents.get(measure) in growths:
            parent_codes, parent_array = growths[parents[measure]]
            position = parent_codes.get_indexer(codes)
            parent_growth = np.where((position >= 0)[None, :, None], parent_array[:, np.maximum(position, 0)], np.nan)
        f, c, s, growth = _measure(measure, codes, years, values, pooled, extra, settings, parent_growth)
        growths[measure] = (codes, growth)
        frames += f
        choices += c
        scores += s
    forecasts = pd.concat(frames, ignore_index=True).reindex(columns=list(FORECAST_COLUMNS))
    return RealtimeResult(
        forecasts=forecasts, choices=pd.DataFrame(choices), candidate_scores=pd.DataFrame(scores), settings=settings
    )


def known_candidates() -> tuple[str, ...]:
    """Every registered candidate name."""
    return tuple(CANDIDATES)
