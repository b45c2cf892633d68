"""An LA's EHC plans, published and forecast, beside its DfE statistical neighbours'.

Areas differ in size, so every series is put on an **index**: each area's own value in the
LA's latest published January is 100 (``index, January 2025 = 100``). An index of 130 in
January 2030 means 30% more plans than that area had in January 2025. Growth, not size, is
compared, and the LA's own numbers are kept beside the index (``plans``).

The rule, per measure (EHC plans and the six placement groups) and year:

- ``value``: the LA's published figure (``kind`` ``history``) or central forecast
  (``kind`` ``forecast``) divided by its own figure in ``base_year``, times 100;
- ``neighbours_median``, ``neighbours_min``, ``neighbours_max``: the median, lowest and highest
  of the neighbours' indexes that year (each neighbour indexed on its own ``base_year``
  figure; forecast years use the neighbours' central forecasts, so the range is the spread of
  their central forecasts, **not** a prediction interval);
- ``n_neighbours``: how many neighbours have a value that year (the median of an even count
  is the mean of the middle two; no neighbour with a value gives no median, never zero).

A neighbour is left out, with its reason (see ``NeighbourComparison.neighbours``), when a
boundary change broke its series (``breaks.csv``, the list ``forecast --all-las`` skips), when
its EHC plan total could not be forecast, or, for one measure, when it has no positive figure
in ``base_year`` (an index on zero means nothing) or no forecast of that measure.

Neighbours are forecast with the national evidence the LA's own forecast used (passed in, not
recomputed), the same method, horizon, sample paths and seed, so each neighbour's forecast is
the one ``sendcast forecast --la NEIGHBOUR`` would give, at the cost of a quick forecast each.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data import query
from sendcast.data.build import Dataset
from sendcast.forecasting.evidence import Evidence
from sendcast.forecasting.one_la import LaForecast, forecast_la
from sendcast.data.measures import ENGLAND_CODE, PLACEMENT_GROUPS

#: Measures compared with the neighbours: January caseloads that sum to the total.
NEIGHBOUR_MEASURES: tuple[str, ...] = ("ehcp_total", *PLACEMENT_GROUPS)
#: Columns of ``NeighbourComparison.table`` (and of neighbours.csv).
TABLE_COLUMNS: tuple[str, ...] = ("la_code", "la_name", "measure", "year", "kind", "base_year", "value",
                                  "neighbours_median", "neighbours_min", "neighbours_max", "n_neighbours", "plans")
#: Columns of ``NeighbourComparison.neighbours`` (and of neighbours_used.csv).
NEIGHBOUR_COLUMNS: tuple[str, ...] = ("rank", "la_code", "la_name", "closeness", "used", "reason", "ehcp_base",
                                      "forecast_year", "ehcp_forecast", "ehcp_index_at_horizon")


@dataclass(frozen=True)
class NeighbourComparison:
    """The LA against its statistical neighbours.

    - ``table``: :data:`TABLE_COLUMNS`, one row per measure and January; empty when there is
      nothing to compare (see ``notes``).
    - ``neighbours``: :data:`NEIGHBOUR_COLUMNS`, one row per DfE neighbour, closest first:
      whether it was used, why not, and its EHC plans in ``base_year`` and at the horizon.
    - ``notes``: plain-English notes (no neighbours, neighbours left out, measures skipped).
    - ``seconds``: time taken to forecast the neighbours.
    """

    la_code: str
    la_name: str
    base_year: int | None
    table: pd.DataFrame
    neighbours: pd.DataFrame
    notes: tuple[str, ...]
    seconds: float = 0.0

    @property
    def empty(self) -> bool:
        return self.table.empty


def index_on(values: pd.Series, base_year: int) -> pd.Series | None:
    """``values`` (indexed by year) as an index, ``base_year`` = 100; None when there is no
    positive value in ``base_year`` (no index can be made on zero or a missing year)."""
    base = values.get(base_year)
    if base is None or pd.isna(base) or base <= 0:
        return None
    return 100.0 * values.astype(float) / float(base)


def neighbour_bands(la: pd.Series, neighbours: pd.DataFrame) -> pd.DataFrame:
    """Per year of ``la`` (indexed by year): its value and the median, lowest and highest of
    the ``neighbours`` (years down the side, one column per neighbour, NaN where a neighbour
    has no value) with the count of neighbours with a value. A year no neighbour covers has
    NaN median, min and max and a count of 0."""
    near = neighbours.reindex(index=la.index)
    return pd.DataFrame({
        "value": la.astype(float),
        "neighbours_median": near.median(axis=1, skipna=True),
        "neighbours_min": near.min(axis=1, skipna=True),
        "neighbours_max": near.max(axis=1, skipna=True),
        "n_neighbours": near.notna().sum(axis=1).astype(int),
    }, index=la.index)


def _by_measure(result: LaForecast) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Every measure's published values and central forecast (split once per forecast)."""
    history = {m: g.set_index("year")["value"].astype(float).sort_index()
               for m, g in result.history.groupby("measure", sort=False)}
    forecast = {m: g.set_index("year")["mean"].astype(float).sort_index()
                for m, g in result.forecast.groupby("measure", sort=False)}
    return {m: (history.get(m, _NOTHING[0]), forecast.get(m, _NOTHING[1])) for m in {*history, *forecast}}


#: No published values and no forecast.
_NOTHING: tuple[pd.Series, pd.Series] = (pd.Series(dtype=float), pd.Series(dtype=float))


def _empty(result: LaForecast, neighbours: pd.DataFrame, notes: list[str], seconds: float = 0.0,
           base_year: int | None = None) -> NeighbourComparison:
    return NeighbourComparison(result.la_code, result.la_name, base_year, pd.DataFrame(columns=list(TABLE_COLUMNS)),
                               neighbours.reindex(columns=list(NEIGHBOUR_COLUMNS)), tuple(notes), seconds)


def _listed(listed: pd.DataFrame, reason: str) -> pd.DataFrame:
    """The DfE list as :data:`NEIGHBOUR_COLUMNS`, none used, for ``reason``."""
    return pd.DataFrame({"rank": listed["rank"], "la_code": listed["neighbour_code"],
                         "la_name": listed["neighbour_name"], "closeness": listed["closeness"], "used": False,
                         "reason": reason}).reindex(columns=list(NEIGHBOUR_COLUMNS))


def compare_with_neighbours(dataset: Dataset, result: LaForecast, evidence: Evidence, *, n_paths: int = 1000,
                            seed: int = 0, data: str | Path | None = None,
                            measures: Sequence[str] = NEIGHBOUR_MEASURES,
                            progress: Callable[[str], None] | None = None) -> NeighbourComparison:
    """Forecast ``result``'s statistical neighbours with ``evidence`` (the national evidence
    the LA's forecast used: same ``until``) and compare (see the module docstring).

    Never raises for a missing comparison: an area with no neighbours in the data (England,
    or an LA missing from the DfE list), or an LA whose own forecast was refused, gives an
    empty comparison with a note saying why."""
    notes: list[str] = []
    listed = query.neighbours(dataset, result.la_code) if not dataset.neighbours.empty else dataset.neighbours
    if listed.empty:
        why = ("England is the whole country and has no statistical neighbours" if result.la_code == ENGLAND_CODE
               else f"{result.la_name} has no statistical neighbours in the data (the DfE list, "
                    "lait_sn_may_2025.xlsx, is missing or does not include it)")
        notes.append(f"statistical neighbours: not compared: {why}")
        return _empty(result, pd.DataFrame(columns=list(NEIGHBOUR_COLUMNS)), notes)
    own = _by_measure(result)
    own_history, own_forecast = own.get("ehcp_total", _NOTHING)
    if own_forecast.empty or own_history.empty:
        notes.append(f"statistical neighbours: not compared: {result.la_name}'s EHC plans were not forecast")
        return _empty(result, _listed(listed, "the LA's own EHC plans were not forecast"), notes)
    base_year = int(own_history.index.max())
    breaks = dataset.geography.breaks.groupby("la_code")["reason"].first()
    started = time.perf_counter()
    rows, forecasts, split = [], {}, {}
    for _, neighbour in listed.iterrows():
        code, name = str(neighbour["neighbour_code"]), str(neighbour["neighbour_name"])
        row = {"rank": int(neighbour["rank"]), "la_code": code, "la_name": name,
               "closeness": neighbour["closeness"], "used": False, "reason": ""}
        if code in breaks.index:
            row["reason"] = f"boundary change: {breaks[code]}"
        else:
            other = forecast_la(dataset, code, horizon=result.horizon, until=result.until, evidence=evidence,
                                n_paths=n_paths, seed=seed, data=data, measures=list(measures), age_bands=False,
                                la_backtest=False)
            split[code] = _by_measure(other)
            history, forecast = split[code].get("ehcp_total", _NOTHING)
            if forecast.empty:
                row["reason"] = next((w for w in other.warnings if "not forecast" in w),
                                     "its EHC plan total could not be forecast")
            elif base_year not in history.index or history[base_year] <= 0:
                row["reason"] = f"no EHC plan figure above zero in January {base_year} to index on"
            else:
                forecasts[code] = other
                last = int(forecast.index.max())
                row.update(used=True, ehcp_base=float(history[base_year]), forecast_year=last,
                           ehcp_forecast=float(forecast[last]),
                           ehcp_index_at_horizon=100.0 * float(forecast[last]) / float(history[base_year]))
        rows.append(row)
        if progress is not None:
            progress(name)
    seconds = time.perf_counter() - started
    neighbours = pd.DataFrame(rows).reindex(columns=list(NEIGHBOUR_COLUMNS))
    left_out = neighbours[~neighbours["used"]]
    if not left_out.empty:
        notes.append("statistical neighbours left out: "
                     + "; ".join(f"{r['la_name']} ({r['reason']})" for _, r in left_out.iterrows()))
    if not forecasts:
        notes.append(f"statistical neighbours: not compared: none of {result.la_name}'s {len(neighbours)} "
                     "neighbours could be forecast")
        return _empty(result, neighbours, notes, seconds, base_year)
    tables = [_measure_table(result, own, measure, forecasts, split, notes) for measure in measures]
    table = pd.concat([t for t in tables if t is not None and not t.empty] or
                      [pd.DataFrame(columns=list(TABLE_COLUMNS))], ignore_index=True)
    return NeighbourComparison(result.la_code, result.la_name, base_year, table.reindex(columns=list(TABLE_COLUMNS)),
                               neighbours, tuple(dict.fromkeys(notes)), seconds)


def _measure_table(result: LaForecast, own_split: dict[str, tuple[pd.Series, pd.Series]], measure: str,
                   forecasts: dict[str, LaForecast],
                   split: dict[str, dict[str, tuple[pd.Series, pd.Series]]], notes: list[str]) -> pd.DataFrame | None:
    history, forecast = own_split.get(measure, _NOTHING)
    if history.empty or forecast.empty:
        if measure != "ehcp_total":
            notes.append(f"statistical neighbours: {measure} not compared ({result.la_name} has no forecast of it)")
        return None
    base_year = int(history.index.max())
    own = pd.concat([history, forecast]).sort_index()
    own_index = index_on(own, base_year)
    if own_index is None:
        notes.append(f"statistical neighbours: {measure} not compared ({result.la_name} had no such plans in "
                     f"January {base_year} to index on)")
        return None
    columns, skipped = {}, []
    for code, other in forecasts.items():
        their_history, their_forecast = split[code].get(measure, _NOTHING)
        indexed = index_on(pd.concat([their_history, their_forecast]).sort_index(), base_year) \
            if not their_forecast.empty else None
        if indexed is None:
            skipped.append(other.la_name)
            continue
        columns[code] = indexed
    if skipped:
        notes.append(f"statistical neighbours: for {measure}, left out {', '.join(skipped)} (no forecast, or no "
                     f"such plans in January {base_year} to index on)")
    wide = pd.DataFrame(columns) if columns else pd.DataFrame(index=own_index.index)
    bands = neighbour_bands(own_index, wide)
    return bands.reset_index(names="year").assign(
        la_code=result.la_code, la_name=result.la_name, measure=measure, base_year=base_year,
        kind=lambda t: np.where(t["year"] > base_year, "forecast", "history"),
        plans=own.reindex(bands.index).to_numpy())
