"""The national view: one row per LA (and England) bringing together what sendcast knows
about each LA, ranked nationally and within its region, beside its statistical neighbours.

Built from a :class:`sendcast.forecasting.national.NationalForecast` (forecasts, per 1,000
residents and sufficiency), the dataset (published placements and neighbours) and the unit-cost
table for every LA (:func:`sendcast.money.unit_costs.every_la_unit_costs`). No files, no printing.

Columns (years: January census for caseloads, mid-year for population; money: 2021-22 prices):

- identity and status: ``la_code, la_name, region, status`` (``forecast`` or ``skipped``),
  ``reason`` (why an LA has no forecast);
- ``ehcp_latest`` (SEN2, January ``last_year``), ``population_0_25_latest`` (ONS),
  ``ehcp_per_1000_latest``, ``ehcp_per_1000_projected`` (and ``_lo80``, ``_hi80``, January
  ``forecast_year``), ``growth_pct_a_year`` (and ``growth_lo80``, ``growth_hi80``);
- ``independent_share_pct``: EHC plans in independent or non-maintained special schools as a
  % of all EHC plans, January ``last_year`` (published);
- ``state_special_demand``: forecast EHC plans in state special schools, January
  ``forecast_year`` (central); ``state_special_places`` in that January; ``places_source``
  (``LA file`` or ``third-party, low confidence``; empty: no figure); ``demand_minus_places``;
  ``p_shortfall_<year>``: the forecast chance that demand exceeds places in each January;
- ``unit_cost_<group>_gbp`` for mainstream, state special, independent special and FE, and
  ``unit_cost_flags`` (groups where a regional median replaced the LA's own figure, and why);
- ``rank_*``: 1 = highest in England among forecast LAs; ``region_rank_*``: within the region;
- ``neighbours_*_median``: the median over the LA's statistical neighbours (DfE list) that have
  a figure, and ``neighbours_used``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendcast.data.build import Dataset
from sendcast.data.measures import ENGLAND_CODE
from sendcast.forecasting.national import NationalForecast

COSTED_GROUPS = ("ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe")
RANKED = ("ehcp_per_1000_latest", "growth_pct_a_year", "independent_share_pct", "unit_cost_state_special_gbp")
COMPARED = ("ehcp_per_1000_latest", "growth_pct_a_year", "independent_share_pct", "unit_cost_independent_special_gbp")
THIRD_PARTY = "third-party, low confidence"


def national_view(national: NationalForecast, dataset: Dataset, unit_costs: pd.DataFrame,
                  own_capacity_files: set[str] = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The national table (module docstring) and the LAs missing from it with their reasons
    (``la_code, la_name, reason``): every LA without a forecast. ``own_capacity_files``: the
    LA codes whose places come from their own capacity file (the rest: the third-party table)."""
    summary = national.summary
    keep = ["la_code", "la_name", "region", "status", "reason", "last_year", "ehcp_latest", "population_0_25_latest",
            "ehcp_per_1000_latest", "forecast_year", "ehcp_per_1000_projected", "ehcp_per_1000_lo80",
            "ehcp_per_1000_hi80", "growth_pct_a_year", "growth_lo80", "growth_hi80", "state_special_mean"]
    table = summary[keep].rename(columns={"state_special_mean": "state_special_demand"}).copy()
    table["independent_share_pct"] = _independent_share(dataset, table)
    table = table.merge(_places(national.sufficiency, table), on="la_code", how="left")
    has_places = table["state_special_places"].notna()
    table["places_source"] = np.where(~has_places, "", np.where(table["la_code"].isin(own_capacity_files),
                                                                "LA file", THIRD_PARTY))
    table["demand_minus_places"] = table["state_special_demand"] - table["state_special_places"]
    table = table.merge(_costs(unit_costs), on="la_code", how="left")
    las = table["la_code"] != ENGLAND_CODE
    forecast = las & (table["status"] == "forecast")
    for column in RANKED:
        name = column.removesuffix("_gbp").removeprefix("ehcp_")
        table[f"rank_{name}"] = table[column].where(forecast).rank(ascending=False, method="min").astype("Int64")
        table[f"region_rank_{name}"] = (table[column].where(forecast).groupby(table["region"])
                                        .rank(ascending=False, method="min").astype("Int64"))
    table = table.merge(_neighbour_medians(dataset, table.loc[forecast]), on="la_code", how="left")
    missing = table.loc[las & ~forecast, ["la_code", "la_name", "reason"]].reset_index(drop=True)
    return table.reset_index(drop=True), missing


def _independent_share(dataset: Dataset, table: pd.DataFrame) -> pd.Series:
    rows = dataset.measures[dataset.measures["measure"].isin(["ehcp_total", "ehcp_independent_special"])
                            & (dataset.measures["breakdown"] == "") & dataset.measures["value"].notna()]
    wide = rows.pivot_table(index=["la_code", "year"], columns="measure", values="value", aggfunc="first")
    share = 100 * wide["ehcp_independent_special"] / wide["ehcp_total"].where(wide["ehcp_total"] > 0)
    keys = list(zip(table["la_code"], table["last_year"].fillna(-1).astype(int)))
    return pd.Series([share.get(key, np.nan) for key in keys], index=table.index)


def _places(sufficiency: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    columns = ["la_code", "state_special_places"]
    if sufficiency.empty:
        return pd.DataFrame(columns=columns)
    horizon = table.set_index("la_code")["forecast_year"]
    rows = []
    for code, part in sufficiency.groupby("la_code"):
        part = part.set_index("year")
        year = horizon.get(code)
        places = part["capacity"].get(year, part["capacity"].iloc[-1]) if pd.notna(year) else part["capacity"].iloc[-1]
        row = {"la_code": code, "state_special_places": float(places)}
        row.update({f"p_shortfall_{int(y)}": float(p) for y, p in part["prob_exceeds"].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def _costs(unit_costs: pd.DataFrame) -> pd.DataFrame:
    costed = unit_costs[unit_costs["placement_group"].isin(COSTED_GROUPS)]
    wide = costed.pivot_table(index="la_code", columns="placement_group", values="annual_cost_gbp", aggfunc="first")
    wide.columns = [f"unit_cost_{c.removeprefix('ehcp_')}_gbp" for c in wide.columns]
    flags = (costed[costed["status"] == "regional median"]
             .assign(text=lambda f: f["placement_group"].str.removeprefix("ehcp_") + ": " + f["flag"])
             .groupby("la_code")["text"].agg("; ".join).rename("unit_cost_flags"))
    out = wide.join(flags, how="left").reset_index()
    out["unit_cost_flags"] = out["unit_cost_flags"].fillna("")
    return out


def _neighbour_medians(dataset: Dataset, forecast: pd.DataFrame) -> pd.DataFrame:
    values = forecast.set_index("la_code")
    rows = []
    for code, part in dataset.neighbours.groupby("la_code"):
        used = [n for n in part["neighbour_code"] if n in values.index]
        row = {"la_code": code, "neighbours_used": len(used)}
        for column in COMPARED:
            figures = values.loc[used, column].dropna() if used else pd.Series(dtype=float)
            row[f"neighbours_{column.removesuffix('_gbp').removeprefix('ehcp_')}_median"] = (
                float(figures.median()) if not figures.empty else np.nan)
        rows.append(row)
    return pd.DataFrame(rows, columns=["la_code", "neighbours_used"]
                        + [f"neighbours_{c.removesuffix('_gbp').removeprefix('ehcp_')}_median" for c in COMPARED])
