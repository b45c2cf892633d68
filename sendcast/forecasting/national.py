"""Forecast every LA and England in one go, with one summary table.

An LA is **skipped**, with its reason listed, when a boundary change broke its series (it was
created or abolished inside the data: see ``breaks.csv``) or when :func:`forecast_la`
refuses its EHC plan total. Every other LA is forecast with the same national evidence
(computed once), so the whole run is one national backtest plus a quick forecast per LA.

The summary (one row per LA, England first) says, for the horizon year (January census):
the central forecast of EHC plans and its 80% interval, the growth that implies per year,
and state special demand; ``ehcp_pct_latest`` is the published share of pupils with an EHC
plan (school census, LAIT ``SEN_TotStat``, January ``ehcp_pct_year``), for context.

EHC plans per 1,000 residents cannot be given for every LA: ONS population is shipped for
Gloucestershire only. EHC plans **per 1,000 pupils** can, with a stated assumption
(:data:`PER_PUPIL_ASSUMPTION`):

- ``ehcp_per_1000_pupils_latest`` = ``ehcp_pct_latest`` x 10 (published);
- ``ehcp_per_1000_pupils_projected`` (and ``_lo80``, ``_hi80``) = that x the LA's forecast
  EHC plans at the horizon / its published EHC plans in January ``ehcp_pct_year`` (SEN2),
  i.e. the share of pupils with a plan grows as the LA's plans (all ages) are forecast to
  grow, and pupil numbers stay at their January ``ehcp_pct_year`` level. Left empty when the
  LA has no published share or no SEN2 figure for that January.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sendcast.data.build import Dataset
from sendcast.forecasting.evidence import Evidence
from sendcast.forecasting.one_la import FORECAST_COLUMNS, forecast_la
from sendcast.data.measures import ENGLAND_CODE

NATIONAL_SUMMARY_COLUMNS: tuple[str, ...] = (
    "la_code", "la_name", "region", "status", "last_year", "ehcp_latest", "forecast_year", "ehcp_mean", "ehcp_lo80",
    "ehcp_hi80", "growth_pct_a_year", "growth_lo80", "growth_hi80", "state_special_mean", "ehcp_pct_year",
    "ehcp_pct_latest", "ehcp_per_1000_pupils_latest", "ehcp_per_1000_pupils_projected", "ehcp_per_1000_pupils_lo80",
    "ehcp_per_1000_pupils_hi80", "per_1000_pupils_basis", "model", "n_warnings", "reason",
)
#: The assumption behind the projected EHC plans per 1,000 pupils, said wherever it is shown.
PER_PUPIL_ASSUMPTION = ("EHC plans per 1,000 pupils: published = school census share of pupils with an EHC plan "
                        "(January {year}) x 10; projected = that share grown as the LA's EHC plans (SEN2, all ages) "
                        "are forecast to grow, assuming pupil numbers stay at their January {year} level")


@dataclass(frozen=True)
class NationalForecast:
    """``summary``: :data:`NATIONAL_SUMMARY_COLUMNS`, one row per LA (status ``forecast`` or
    ``skipped``); ``forecast``: every LA's forecast rows (the contract columns);
    ``warnings``: ``la_code, la_name, warning``."""

    summary: pd.DataFrame
    forecast: pd.DataFrame
    warnings: pd.DataFrame


def forecast_all_las(dataset: Dataset, evidence: Evidence, *, horizon: int = 5, until: int | None = None,
                     n_paths: int = 1000, seed: int = 0,
                     progress: Callable[[str], None] | None = None) -> NationalForecast:
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
    rows, forecasts, notes = [], [], []
    for _, la in order.iterrows():
        code, name = la["la_code"], la["la_name"]
        per_pupil_year = pct_year.get(code)
        base = {"la_code": code, "la_name": name, "region": la.get("region", ""),
                "ehcp_pct_latest": pct_latest.get(code),
                "ehcp_pct_year": None if per_pupil_year is None else int(per_pupil_year),
                "ehcp_per_1000_pupils_latest": None if code not in pct_latest.index else 10 * pct_latest[code]}
        if code in breaks.index:
            rows.append({**base, "status": "skipped", "reason": f"boundary change: {breaks[code]}"})
        else:
            result = forecast_la(dataset, code, horizon=horizon, until=until, evidence=evidence, n_paths=n_paths,
                                 seed=seed, la_backtest=False, age_bands=False)
            notes += [{"la_code": code, "la_name": name, "warning": w} for w in result.warnings]
            total = result.forecast[result.forecast["measure"] == "ehcp_total"]
            if total.empty:
                reason = next((w for w in result.warnings if "ehcp_total" in w or "not forecast" in w),
                              "EHC plan total could not be forecast")
                rows.append({**base, "status": "skipped", "reason": reason})
            else:
                forecasts.append(result.forecast)
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
                             **per_1000_pupils(base["ehcp_per_1000_pupils_latest"], per_pupil_year, history, last)})
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
                            warnings=pd.DataFrame(notes, columns=["la_code", "la_name", "warning"]))


def per_1000_pupils(latest: float | None, year: int | None, history: pd.Series, horizon: pd.Series) -> dict:
    """EHC plans per 1,000 pupils projected to the horizon (see the module docstring):
    ``latest`` (published, January ``year``) x forecast / published EHC plans in ``year``
    (``history``, SEN2, by January), for the central forecast and the 80% interval (the
    ``mean``, ``lo80`` and ``hi80`` of ``horizon``). Empty (no keys filled) when ``latest``,
    ``year`` or a positive SEN2 figure in ``year`` is missing."""
    empty = {"ehcp_per_1000_pupils_projected": None, "ehcp_per_1000_pupils_lo80": None,
             "ehcp_per_1000_pupils_hi80": None, "per_1000_pupils_basis": ""}
    if latest is None or pd.isna(latest) or year is None or year not in history.index or not history[year] > 0:
        return empty
    ratio = 1.0 / float(history[year])
    return {"ehcp_per_1000_pupils_projected": latest * ratio * float(horizon["mean"]),
            "ehcp_per_1000_pupils_lo80": latest * ratio * float(horizon["lo80"]),
            "ehcp_per_1000_pupils_hi80": latest * ratio * float(horizon["hi80"]),
            "per_1000_pupils_basis": PER_PUPIL_ASSUMPTION.format(year=int(year))}
