"""Forecast every LA and England in one go, with one summary table.

An LA is **skipped**, with its reason listed, when a boundary change broke its series (it was
created or abolished inside the data: see ``breaks.csv``) or when :func:`forecast_la`
refuses its EHC plan total. Every other LA is forecast with the same national evidence
(computed once), so the whole run is one national backtest plus a quick forecast per LA.

The summary (one row per LA, England first) says, for the horizon year (January census):
the central forecast of EHC plans and its 80% interval, the growth that implies per year,
and state special demand; ``ehcp_pct_latest`` is the published share of pupils with an EHC
plan (school census, LAIT ``SEN_TotStat``, January ``ehcp_pct_year``), for context.

EHC plans **per 1,000 residents aged 0-25** (:data:`PER_1000_BASIS`): EHC plans in January Y
(SEN2, ages 0-25) / ONS population aged 0-25 at mid-year Y x 1,000, published for the latest
January (``ehcp_per_1000_latest``) and projected at the horizon (``ehcp_per_1000_projected``,
``_lo80``, ``_hi80``: the forecast EHC plans over the ONS 2022-based projection for that
mid-year, so pupil numbers are no longer assumed flat). England's population is the sum of
the current LAs'. Left empty where the LA has no population figure for the year (the
pre-2019 Dorset, Bournemouth and Poole). ``ehcp_pct_latest`` stays as context: the published
share of pupils with an EHC plan (school census, LAIT ``SEN_TotStat``, January ``ehcp_pct_year``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sendcast.data.build import Dataset
from sendcast.forecasting.evidence import Evidence
from sendcast.forecasting.one_la import FORECAST_COLUMNS, forecast_la
from sendcast.forecasting.panels import population_0_25
from sendcast.data.measures import ENGLAND_CODE

NATIONAL_SUMMARY_COLUMNS: tuple[str, ...] = (
    "la_code", "la_name", "region", "status", "last_year", "ehcp_latest", "forecast_year", "ehcp_mean", "ehcp_lo80",
    "ehcp_hi80", "growth_pct_a_year", "growth_lo80", "growth_hi80", "state_special_mean", "ehcp_pct_year",
    "ehcp_pct_latest", "population_0_25_latest", "ehcp_per_1000_latest", "ehcp_per_1000_projected",
    "ehcp_per_1000_lo80", "ehcp_per_1000_hi80", "per_1000_basis", "model", "n_warnings", "reason",
)
#: How EHC plans per 1,000 residents are computed, said wherever they are shown.
PER_1000_BASIS = ("EHC plans per 1,000 residents aged 0-25: EHC plans (DfE SEN2, January {latest}) / ONS "
                  "population aged 0-25 (mid-{latest}) x 1,000; projected: forecast EHC plans (January {horizon}) / "
                  "ONS 2022-based projection of residents aged 0-25 (mid-{horizon}) x 1,000")

@dataclass(frozen=True)
class NationalForecast:
    """``summary``: :data:`NATIONAL_SUMMARY_COLUMNS`, one row per LA (status ``forecast`` or
    ``skipped``); ``forecast``: every LA's forecast rows (the contract columns);
    ``warnings``: ``la_code, la_name, warning``; ``sufficiency``: every forecast LA's state
    special demand against places by January (``LaForecast.sufficiency``: places from the LA's
    capacity file or the third-party default; LAs with neither are absent)."""

    summary: pd.DataFrame
    forecast: pd.DataFrame
    warnings: pd.DataFrame
    sufficiency: pd.DataFrame = field(default_factory=pd.DataFrame)


def forecast_all_las(dataset: Dataset, evidence: Evidence, *, horizon: int = 5, until: int | None = None,
                     n_paths: int = 1000, seed: int = 0,
                     progress: Callable[[str], None] | None = None,
                     data: str | Path | None = None) -> NationalForecast:
    """Forecast England and every LA (see the module docstring). ``progress`` is called
    with each LA's name after it is done (for a progress bar)."""
    las = dataset.geography.las
    order = pd.concat([las[las["la_code"] == ENGLAND_CODE], las[las["la_code"] != ENGLAND_CODE]])
    breaks = dataset.geography.breaks.groupby("la_code")["reason"].first()
    pct = dataset.measures[(dataset.measures["measure"] == "ehcp_pct") & (dataset.measures["breakdown"] == "")
                           & dataset.measures["value"].notna()]
    if until is not None:
        pct = pct[pct["year"] <= until]
    pct_latest = pct.sort_values("year").groupby("la_code")["value"].last()
    pct_year = pct.sort_values("year").groupby("la_code")["year"].last()
    people = population_0_25(dataset)
    rows, forecasts, notes, sufficiency = [], [], [], []
    for _, la in order.iterrows():
        code, name = la["la_code"], la["la_name"]
        pct_in = pct_year.get(code)
        base = {"la_code": code, "la_name": name, "region": la.get("region", ""),
                "ehcp_pct_latest": pct_latest.get(code), "ehcp_pct_year": None if pct_in is None else int(pct_in)}
        if code in breaks.index:
            rows.append({**base, "status": "skipped", "reason": f"boundary change: {breaks[code]}"})
        else:
            result = forecast_la(dataset, code, horizon=horizon, until=until, evidence=evidence, n_paths=n_paths,
                                 seed=seed, la_backtest=False, age_bands=False, data=data)
            notes += [{"la_code": code, "la_name": name, "warning": w} for w in result.warnings]
            total = result.forecast[result.forecast["measure"] == "ehcp_total"]
            if total.empty:
                reason = next((w for w in result.warnings if "ehcp_total" in w or "not forecast" in w),
                              "EHC plan total could not be forecast")
                rows.append({**base, "status": "skipped", "reason": reason})
            else:
                forecasts.append(result.forecast)
                if not result.sufficiency.empty:
                    sufficiency.append(result.sufficiency)
                history = result.history[result.history["measure"] == "ehcp_total"].set_index("year")["value"]
                last = total.iloc[-1]
                special = result.forecast[result.forecast["measure"] == "ehcp_state_special"]
                years = int(last["year"]) - int(history.index.max())
                latest = float(history.iloc[-1])

                def growth(value: float, latest: float = latest, years: int = years) -> float | None:
                    return 100 * ((value / latest) ** (1 / years) - 1) if latest > 0 else None

                rows.append({**base, "status": "forecast", "last_year": int(history.index.max()),
                             "ehcp_latest": latest, "forecast_year": int(last["year"]),
                             "ehcp_mean": last["mean"], "ehcp_lo80": last["lo80"], "ehcp_hi80": last["hi80"],
                             "growth_pct_a_year": growth(last["mean"]), "growth_lo80": growth(last["lo80"]),
                             "growth_hi80": growth(last["hi80"]),
                             "state_special_mean": special["mean"].iloc[-1] if not special.empty else None,
                             "model": last["model"], "n_warnings": len(result.warnings), "reason": "",
                             **per_1000_residents(people.get(code), history, last)})
        if progress is not None:
            progress(name)
    summary = pd.DataFrame(rows).reindex(columns=list(NATIONAL_SUMMARY_COLUMNS))
    summary["last_year"] = summary["last_year"].astype("Int64")
    summary["forecast_year"] = summary["forecast_year"].astype("Int64")
    summary["n_warnings"] = summary["n_warnings"].astype("Int64")
    summary["ehcp_pct_year"] = summary["ehcp_pct_year"].astype("Int64")
    forecast = (pd.concat(forecasts, ignore_index=True) if forecasts
                else pd.DataFrame(columns=list(FORECAST_COLUMNS)))
    return NationalForecast(summary=summary, forecast=forecast,
                            warnings=pd.DataFrame(notes, columns=["la_code", "la_name", "warning"]),
                            sufficiency=pd.concat(sufficiency, ignore_index=True) if sufficiency else pd.DataFrame())


def per_1000_residents(people: pd.Series | None, history: pd.Series, horizon: pd.Series) -> dict:
    """EHC plans per 1,000 residents aged 0-25 (see the module docstring): the latest January
    of ``history`` (published EHC plans by January) over ``people`` (population 0-25 by
    mid-year) of that year, and the horizon's ``mean``, ``lo80`` and ``hi80`` over the
    population of the horizon year. Empty (None) where a population figure is missing."""
    empty = {"population_0_25_latest": None, "ehcp_per_1000_latest": None, "ehcp_per_1000_projected": None,
             "ehcp_per_1000_lo80": None, "ehcp_per_1000_hi80": None, "per_1000_basis": ""}
    latest, year = int(history.index.max()), int(horizon["year"])
    if people is None or latest not in people.index or year not in people.index:
        return empty
    now, then = float(people[latest]), float(people[year])
    if not (now > 0 and then > 0):
        return empty
    return {"population_0_25_latest": now, "ehcp_per_1000_latest": 1000 * float(history[latest]) / now,
            "ehcp_per_1000_projected": 1000 * float(horizon["mean"]) / then,
            "ehcp_per_1000_lo80": 1000 * float(horizon["lo80"]) / then,
            "ehcp_per_1000_hi80": 1000 * float(horizon["hi80"]) / then,
            "per_1000_basis": PER_1000_BASIS.format(latest=latest, horizon=year)}
