"""One series' live forecast, read from the national real-time run.

The real-time engine (:mod:`forecast.realtime`) forecasts every area's series at the last
origin with the method, windows, shrinkage and interval calibration chosen from the data up
to that origin. This module turns one area's rows of that run into a
:class:`forecast.result.Forecast` for the CLI and reports:

- years ``origin + 1 .. origin + horizon`` (January census years for caseloads, calendar
  years for flows);
- beyond the engine's horizons (``--horizon`` over 5) the last year's growth continues and
  the interval's log half-widths grow in proportion to the years ahead, and the note says
  the backtest cannot vouch for those years;
- sample paths (``n_paths``) drawn comonotonically from the interval's quantiles
  (:func:`forecast.empirical_intervals.comonotone_paths`) from ``uniforms`` the caller
  seeds; the placement groups and the total of one LA share their draws, so their paths
  move together before they are reconciled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.empirical_intervals import comonotone_paths
from forecast.realtime import BROAD, CHOSEN, SHORT_HISTORY_METHOD, RealtimeResult
from forecast.result import Forecast


@dataclass(frozen=True)
class LiveForecast:
    """``forecast``; ``short_history``: the short-history fallback was used; ``method``: what
    was chosen (in words); ``origin``: the last year used; ``extrapolated_after``: years
    ahead the engine scored (later years extrapolated) or None; ``borrowed_intervals``: no
    error of this measure was known yet (its first published year), so a part's interval is
    its parent's relative interval."""

    forecast: Forecast
    short_history: bool
    method: str
    origin: int
    extrapolated_after: int | None
    borrowed_intervals: bool = False


def chosen_method(result: RealtimeResult, measure: str, origin: int) -> str:
    """The real-time choice at ``origin`` in words, e.g. ``"mean of fitted_blend,
    shrunk_growth, national_growth_1"`` or ``"national_growth_1"``, with ", shrunk 50% to the
    candidates' median (few vintages)" when the engine had too few vintages to trust it
    (:data:`forecast.realtime.BROAD`)."""
    rows = result.choices[(result.choices["measure"] == measure) & (result.choices["origin"] == origin)]
    if rows.empty:
        return "real-time choice"
    row = rows.iloc[0]
    choice = "mean of " + ", ".join(str(row["members"]).split(",")) if bool(row["combination"]) else str(row["single"])
    if row.get("rule") == BROAD:
        return f"{choice}, shrunk {result.settings.thin_evidence_weight:.0%} to the candidates' median (few vintages)"
    return choice


def short_history_method(result: RealtimeResult, measure: str, origin: int) -> str:
    """The fallback used at ``origin`` for a series too short for evidence (not a part):
    ``national_growth_2`` (England's steady growth of the last 2 years) or ``naive``."""
    rows = result.choices[(result.choices["measure"] == measure) & (result.choices["origin"] == origin)]
    if rows.empty or "short_history_method" not in rows.columns:
        return SHORT_HISTORY_METHOD
    return str(rows.iloc[0]["short_history_method"])


@dataclass(frozen=True)
class _Lookup:
    """The chosen method's rows of a real-time run by (measure, area), found by position rather
    than by comparing every row's strings on each call (the national table has about a
    million rows and a forecast of one LA reads it some ten times)."""

    forecasts: pd.DataFrame
    chosen: pd.DataFrame
    positions: dict
    last_origin: dict

    def rows(self, measure: str, code: str) -> pd.DataFrame:
        found = self.positions.get((measure, code))
        return self.chosen.iloc[found] if found is not None else self.chosen.iloc[:0]


#: Lookups of the real-time runs seen in this process (a few at most: one per evidence).
_LOOKUPS: dict[int, _Lookup] = {}


def _lookup(result: RealtimeResult) -> _Lookup:
    table = result.forecasts
    found = _LOOKUPS.get(id(table))
    if found is None or found.forecasts is not table:
        chosen = table[table["method"] == CHOSEN]
        positions = chosen.groupby(["measure", "la_code"], sort=False, observed=True).indices
        last = {str(m): int(o) for m, o in table.groupby("measure", observed=True)["origin"].max().items()}
        found = _Lookup(table, chosen, {(str(m), str(c)): p for (m, c), p in positions.items()}, last)
        if len(_LOOKUPS) >= 8:
            _LOOKUPS.pop(next(iter(_LOOKUPS)))
        _LOOKUPS[id(table)] = found
    return found


def chosen_rows(result: RealtimeResult, measure: str, code: str) -> pd.DataFrame:
    """The real-time choice's rows (every origin and horizon) of ``measure`` for ``code``, in the
    run's order; empty when the run has none."""
    return _lookup(result).rows(measure, code)


def extend_beyond(base: np.ndarray, offsets: np.ndarray, horizon: int, *,
                  last_known: float) -> tuple[np.ndarray, np.ndarray]:
    """The engine's central forecast ``base`` (``log(1 + x)``, one value a year ahead) and its
    interval's offsets from it (``offsets``: one row a year, one column a bound) carried to
    ``horizon`` years: beyond the years the engine scored, the last year's growth continues
    and the offsets grow in proportion to the years ahead (``last_known``: ``log(1 + x)`` of
    the last published value, the growth's base when the engine scored one year only).
    Tested by truncation (``benchmarks/evidence_extrapolation.py``: the engine's forecasts
    scored to 3 years carried to 4 and 5, every LA's origins 2013-2020): the centre erred as
    little as the engine's own 4- and 5-year forecasts (EHC plans: median absolute log error
    0.146 / 0.180 both; damped growth 0.189 and no further growth 0.270 five years ahead), and
    the 80% interval held at least as many outcomes as the engine's own at every origin (EHC
    plans 62% against 59-60%, state special 80-83% against 77%, new plans 84-89% against
    77-80%); widening with the square root of the years ahead held fewer (EHC plans 53-56%)."""
    scored = base.size
    if horizon <= scored:
        return base[:horizon], offsets[:horizon]
    extra = np.arange(scored + 1, horizon + 1)
    step = base[-1] - (base[-2] if scored > 1 else last_known)
    return (np.concatenate([base, base[-1] + step * (extra - scored)]),
            np.concatenate([offsets, offsets[-1][None, :] * (extra / scored)[:, None]]))


def live_forecast(result: RealtimeResult, code: str, measure: str, history: pd.Series, horizon: int, *,
                  uniforms: np.ndarray, name: str = "") -> LiveForecast | None:
    """The live forecast of ``measure`` for ``code`` (see the module docstring), or None when
    the run has no forecast of that series from the last year of ``history``."""
    lookup = _lookup(result)
    rows = lookup.rows(measure, code)
    if rows.empty or history.empty:
        return None
    origin = int(history.index.max())
    rows = rows[rows["origin"] == origin].sort_values("horizon")
    if rows.empty or int(rows["origin"].max()) != lookup.last_origin[measure]:
        return None
    central = rows["forecast"].to_numpy(dtype=float)
    if np.isnan(central).any():
        return None
    base = np.log1p(central)
    offsets = np.stack([np.log1p(rows[b].to_numpy(dtype=float)) - base for b in ("lo95", "lo80", "hi80", "hi95")],
                       axis=1)
    borrowed = False
    if np.isnan(offsets).any() and measure in result.settings.parents:
        parent = lookup.rows(result.settings.parents[measure], code)
        parent = parent[parent["origin"] == origin].sort_values("horizon")
        if len(parent) == len(rows):
            parent_base = np.log1p(parent["forecast"].to_numpy(dtype=float))
            offsets = np.stack([np.log1p(parent[b].to_numpy(dtype=float)) - parent_base
                                for b in ("lo95", "lo80", "hi80", "hi95")], axis=1)
            borrowed = True
    if np.isnan(offsets).any():
        return None
    engine_horizon = central.size
    extrapolated_after = engine_horizon if horizon > engine_horizon else None
    base, offsets = extend_beyond(base, offsets, horizon, last_known=float(np.log1p(float(history.iloc[-1]))))
    central = np.maximum(np.expm1(base), 0.0)
    def at(column: int) -> np.ndarray:
        return np.maximum(np.expm1(base + offsets[:, column]), 0.0)
    lo95, lo80, hi80, hi95 = (at(i) for i in range(4))
    lo80, hi80 = np.minimum(lo80, central), np.maximum(hi80, central)
    lo95, hi95 = np.minimum(lo95, lo80), np.maximum(hi95, hi80)
    paths = comonotone_paths(central, offsets, uniforms) if uniforms.size else None
    short = bool(rows["short_history"].iloc[0])
    method = ("latest share of the parent" if measure in result.settings.parents
              else short_history_method(result, measure, origin)) if short else chosen_method(result, measure, origin)
    label = f"{method} (short history)" if short else f"{method} (real-time choice)"
    years = np.arange(origin + 1, origin + 1 + horizon)
    made = Forecast(model=label, scale="log", years=years, mean=central, lower80=lo80, upper80=hi80,
                    lower95=lo95, upper95=hi95, log_offset=1.0, paths=paths, name=name)
    return LiveForecast(made, short, method, origin, extrapolated_after, borrowed)
