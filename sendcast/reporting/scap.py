"""The school capacity survey (SCAP) specialist-place forecast, from a model run.

Since 2023 every LA sends the DfE, in SCAP, its forecast of resident pupils with an EHC plan
who need a specialist place: 5 academic years ahead for primary and 7 for secondary, beside
the capacity of its special schools and of SEN units and resourced provision in mainstream
schools (DfE, "School capacity (SCAP) survey: guide for local authorities" and "Forecasting
demand for SEND provision for SCAP", gov.uk, updated each April). Capacity in SCAP excludes
independent and alternative provision; the forecast of need includes children placed in
independent and non-maintained special schools.

How each column is derived here (and where the model differs from the return):

- ``phase``: primary = ages 4 to 10 and secondary = ages 11 to 15 on the January census day,
  from the simulation's placements by phase (breakdown ``phase=primary|secondary``). SCAP counts
  National Curriculum year groups (reception to year 6, years 7 to 11) in academic years; an
  age on 1 January is the year group's age for most of that academic year, so the two agree
  except for children educated out of their year group. Post-16 is not part of the forecast.
- ``year``: the January of the academic year (January 2027 is academic year 2026/27).
- ``state_special``, ``resourced_unit`` (SEN units and resourced provision), ``independent_special``:
  the simulation's mean January caseload by placement and phase; ``specialist_total`` is their sum.
- ``capacity``: places open that January in the capacity file (``data/capacity/<la_code>.csv``)
  whose phase matches, plus half of the ``all`` and ``all-through`` places (the file does not
  split them by phase; said in ``capacity_note``). Resourced provision places are counted when
  the file lists them; the shipped Gloucestershire file lists special schools only.
- ``planned_places``: places in that capacity that open after the first forecast year, so a
  reader sees which of the capacity is not there yet.
- ``gap``: ``specialist_total - capacity``, positive where need exceeds state-funded places
  (a lower bound on the places to find, since independent placements are already in the need).
"""

from __future__ import annotations

import pandas as pd

from sendcast.runtime.errors import SendcastError

HORIZONS = {"primary": 5, "secondary": 7}
PLACEMENTS = (("state_special", "ehcp_state_special"), ("resourced_unit", "ehcp_resourced_unit"),
              ("independent_special", "ehcp_independent_special"))
SCAP_COLUMNS = ["phase", "year", "academic_year", "state_special", "resourced_unit", "independent_special",
                "specialist_total", "capacity", "planned_places", "gap", "capacity_note"]


class ScapError(SendcastError):
    """The run cannot give a SCAP forecast (missing phases or too short a horizon)."""


def _places(capacity: pd.DataFrame, phase: str, year: int, *, opened_after: int | None = None) -> float:
    opened = capacity["from_year"].isna() | (capacity["from_year"] <= year)
    still = capacity["to_year"].isna() | (capacity["to_year"] >= year)
    live = capacity[(opened & still).fillna(False).astype(bool)]
    if opened_after is not None:
        live = live[live["from_year"].notna() & (live["from_year"] > opened_after)]
    exact = live.loc[live["phase"] == phase, "places"].sum()
    shared = live.loc[live["phase"].isin(["all", "all-through"]), "places"].sum()
    return float(exact + shared / 2)


def scap_forecast(summary: pd.DataFrame, scenario: str, capacity: pd.DataFrame, *, first_year: int) -> pd.DataFrame:
    """The SCAP table for ``scenario``: one row per phase and January from ``first_year``, for
    5 primary and 7 secondary years (see the module docstring)."""
    rows = []
    runs = summary[summary["scenario"] == scenario]
    has_shared = capacity["phase"].isin(["all", "all-through"]).any()
    for phase, horizon in HORIZONS.items():
        for year in range(first_year, first_year + horizon):
            row: dict = {"phase": phase, "year": year, "academic_year": f"{year - 1}/{year % 100:02d}"}
            for column, measure in PLACEMENTS:
                value = runs[(runs["measure"] == measure) & (runs["breakdown"] == f"phase={phase}")
                             & (runs["year"] == year)]["mean"]
                if value.empty:
                    raise ScapError(f"the run has no {measure} for phase {phase} in January {year}: SCAP needs "
                                    f"{horizon} years of {phase} forecasts from {first_year} (simulate at least "
                                    f"{max(HORIZONS.values())} years)")
                row[column] = float(value.iloc[0])
            row["specialist_total"] = row["state_special"] + row["resourced_unit"] + row["independent_special"]
            row["capacity"] = _places(capacity, phase, year)
            row["planned_places"] = _places(capacity, phase, year, opened_after=first_year)
            row["gap"] = row["specialist_total"] - row["capacity"]
            row["capacity_note"] = ("includes half of the places the capacity file does not split by phase"
                                    if has_shared else "")
            rows.append(row)
    return pd.DataFrame(rows, columns=SCAP_COLUMNS)
