"""The school capacity survey (SCAP) specialist-place forecast, from a model run, in DfE's shape.

Since 2023 every LA sends the DfE, in SCAP, its forecast of resident pupils with an EHC plan
who need a specialist place, by phase and provision type, 5 academic years ahead for
primary and 7 for secondary (DfE, "School capacity (SCAP) survey: guide for local
authorities" and "Forecasting demand for SEND provision for SCAP", gov.uk, updated each
April). The provision types are SEN units and resourced provision, independent special
schools, state-funded special schools (including non-maintained special schools) and
alternative provision. Capacity in SCAP covers state-funded places only.

How each figure is derived here (the README's SCAP table says the same):

- **Phase**: primary = ages 4 to 10 and secondary = ages 11 to 15 on the January census day
  (the simulation's placements by phase, breakdown ``phase=primary|secondary``). SCAP counts
  National Curriculum year groups (reception to year 6, years 7 to 11); the two agree except
  for children taught out of their year group. Post-16 is not part of the forecast.
- **Year**: the January of the academic year (January 2027 is academic year 2026/27).
- **SEN unit / resourced provision**: the simulation's ``ehcp_resourced_unit`` by phase.
- **State-funded special (incl. non-maintained)**: the simulation's ``ehcp_state_special`` by
  phase plus the non-maintained part of its independent and non-maintained placements.
  The simulation does not separate non-maintained from independent special schools, so the
  published share in the latest January (:attr:`ScapInputs.non_maintained_share`, SEN2
  ``special_non_maintained`` / (``special_independent`` + ``special_non_maintained``)) is
  held constant and applied in both phases: an assumption, stated in the notes.
- **Independent special**: the rest of the independent and non-maintained placements.
- **Alternative provision**: the simulation's ``ehcp_ap`` (all ages) times the published
  share of AP plans aged 4-10 (primary) or 11-15 (secondary) in the latest Januaries
  published by single year of age (:attr:`ScapInputs.ap_phase_shares`); the simulation
  does not place AP by phase.
- **Whole pupils**: each phase and year's four provision types are rounded by the largest
  remainder method (:func:`largest_remainder`), so they add up to the rounded total of the
  unrounded figures. Capacity is in whole places too (shared places split the same way).
- **Layout**: one row per pseudo planning area, phase and provision type (and a total row
  per area and phase), one column per academic year, as the return is keyed. The shipped
  data have no planning-area split (SEN2 is LA-level; the capacity file is an LA
  aggregate), so there is **one LA-wide pseudo planning area per phase** unless the LA
  gives its own (:attr:`ScapInputs.planning_areas`); said in the notes.
- **Capacity** (in the capacity table, ``scap.csv``): places open that January in the
  capacity file whose phase matches, plus a half share of the ``all`` and ``all-through``
  places (split in whole places); ``planned_places`` those that open after the first
  forecast year; ``gap`` = specialist places needed minus capacity (a lower bound on the
  places to find, since independent placements are already in the need).

Every series that moves against the others over the forecast is explained in the notes
(:func:`against_the_trend_notes`), from the run's own figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sendcast.runtime.errors import SendcastError

HORIZONS = {"primary": 5, "secondary": 7}
#: SCAP provision types: column name -> the return's label.
PROVISIONS: dict[str, str] = {
    "resourced_unit": "SEN unit / resourced provision",
    "independent": "Independent special school",
    "state_special": "State-funded special school (incl. non-maintained)",
    "alternative_provision": "Alternative provision",
}
SCAP_COLUMNS = ["planning_area", "phase", "year", "academic_year", *PROVISIONS, "specialist_total",
                "capacity", "planned_places", "gap", "capacity_note"]
RETURN_KEYS = ["planning_area_code", "planning_area_name", "phase", "provision_type"]


class ScapError(SendcastError):
    """The run cannot give a SCAP forecast (missing phases or too short a horizon)."""


@dataclass(frozen=True)
class ScapInputs:
    """Published shares the SCAP split needs beyond the simulation (see the module docstring).

    ``non_maintained_share``: of independent and non-maintained special placements, the
    share in non-maintained special schools (``non_maintained_year`` its January).
    ``ap_phase_shares``: of AP placements, the share aged 4-10 and 11-15
    (``ap_years``: the Januaries pooled). ``planning_areas``: phase -> (code, name).
    """

    non_maintained_share: float
    non_maintained_year: int
    ap_phase_shares: dict[str, float]
    ap_years: tuple[int, ...]
    planning_areas: dict[str, tuple[str, str]] = field(default_factory=dict)
    planning_area_note: str = ""


def largest_remainder(values: np.ndarray | list[float], total: int | None = None) -> np.ndarray:
    """Whole numbers that add up to ``total`` (default: the rounded sum of ``values``), each
    the floor of its value plus one for the largest fractional parts (ties: the larger value,
    then the earlier). Values must be 0 or more; the result is never below a value's floor
    minus nothing, nor above its ceiling, when ``total`` is the rounded sum."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError("largest_remainder needs values of 0 or more")
    target = int(np.floor(values.sum() + 0.5)) if total is None else int(total)
    floors = np.floor(values + 1e-9)
    short = target - int(floors.sum())
    if short < 0 or short > values.size:
        raise ValueError(f"cannot round {values.tolist()} to add up to {target}")
    order = sorted(range(values.size), key=lambda i: (-(values[i] - floors[i]), -values[i], i))
    out = floors.astype(np.int64)
    out[order[:short]] += 1
    return out


def _mean(runs: pd.DataFrame, measure: str, breakdown: str, year: int, phase: str, horizon: int,
          first_year: int) -> float:
    value = runs[(runs["measure"] == measure) & (runs["breakdown"] == breakdown) & (runs["year"] == year)]["mean"]
    if value.empty:
        raise ScapError(f"the run has no {measure} ({breakdown or 'all ages'}) in January {year}: SCAP needs "
                        f"{horizon} years of {phase} forecasts from {first_year} (simulate at least "
                        f"{max(HORIZONS.values())} years)")
    return float(value.iloc[0])


def unrounded_need(summary: pd.DataFrame, scenario: str, inputs: ScapInputs, *, first_year: int) -> pd.DataFrame:
    """Expected pupils (not rounded) by phase, January and provision type: ``phase, year,``
    one column per :data:`PROVISIONS`."""
    runs = summary[summary["scenario"] == scenario]
    rows = []
    for phase, horizon in HORIZONS.items():
        for year in range(first_year, first_year + horizon):
            def get(measure: str, breakdown: str) -> float:
                return _mean(runs, measure, breakdown, year, phase, horizon, first_year)  # noqa: B023

            by_phase = f"phase={phase}"
            independent_all = get("ehcp_independent_special", by_phase)
            non_maintained = independent_all * inputs.non_maintained_share
            rows.append({"phase": phase, "year": year,
                         "resourced_unit": get("ehcp_resourced_unit", by_phase),
                         "independent": independent_all - non_maintained,
                         "state_special": get("ehcp_state_special", by_phase) + non_maintained,
                         "alternative_provision": get("ehcp_ap", "") * inputs.ap_phase_shares[phase]})
    return pd.DataFrame(rows)


def _places(capacity: pd.DataFrame, year: int, *, opened_after: int | None = None) -> dict[str, int]:
    """Whole places by phase that January: each phase's own plus a whole-place half share
    of the places not split by phase (primary gets the odd place)."""
    opened = capacity["from_year"].isna() | (capacity["from_year"] <= year)
    still = capacity["to_year"].isna() | (capacity["to_year"] >= year)
    live = capacity[(opened & still).fillna(False).astype(bool)]
    if opened_after is not None:
        live = live[live["from_year"].notna() & (live["from_year"] > opened_after)]
    shared = int(live.loc[live["phase"].isin(["all", "all-through"]), "places"].sum())
    halves = largest_remainder([shared / 2, shared / 2], shared)
    return {phase: int(live.loc[live["phase"] == phase, "places"].sum()) + int(half)
            for phase, half in zip(HORIZONS, halves)}


def scap_forecast(summary: pd.DataFrame, scenario: str, capacity: pd.DataFrame, inputs: ScapInputs, *,
                  first_year: int) -> pd.DataFrame:
    """The SCAP table in whole pupils: one row per phase and January from ``first_year``, for
    5 primary and 7 secondary years, with capacity and gap (:data:`SCAP_COLUMNS`)."""
    need = unrounded_need(summary, scenario, inputs, first_year=first_year)
    has_shared = capacity["phase"].isin(["all", "all-through"]).any()
    rows = []
    for _, row in need.iterrows():
        phase, year = row["phase"], int(row["year"])
        whole = largest_remainder(row[list(PROVISIONS)].to_numpy(dtype=float))
        out = {"planning_area": inputs.planning_areas.get(phase, ("", ""))[1], "phase": phase, "year": year,
               "academic_year": f"{year - 1}/{year % 100:02d}", **dict(zip(PROVISIONS, whole.tolist()))}
        out["specialist_total"] = int(whole.sum())
        out["capacity"] = _places(capacity, year)[phase]
        out["planned_places"] = _places(capacity, year, opened_after=first_year)[phase]
        out["gap"] = out["specialist_total"] - out["capacity"]
        out["capacity_note"] = "includes a half share of the places the capacity file does not split by phase" \
            if has_shared else ""
        rows.append(out)
    return pd.DataFrame(rows, columns=SCAP_COLUMNS)


def return_layout(table: pd.DataFrame, inputs: ScapInputs) -> pd.DataFrame:
    """The table as the return is keyed: one row per pseudo planning area, phase and provision
    type plus a total row, one column per academic year (blank past the phase's horizon)."""
    years = sorted(table["academic_year"].unique())
    rows = []
    for phase in HORIZONS:
        block = table[table["phase"] == phase].set_index("academic_year")
        code, name = inputs.planning_areas.get(phase, ("", ""))
        for column, label in list(PROVISIONS.items()) + [("specialist_total", "Total")]:
            line: dict[str, object] = {"planning_area_code": code, "planning_area_name": name, "phase": phase,
                                       "provision_type": label}
            for year in years:
                line[year] = int(block.loc[year, column]) if year in block.index else None
            rows.append(line)
    out = pd.DataFrame(rows, columns=RETURN_KEYS + years)
    for year in years:
        out[year] = out[year].astype("Int64")
    return out


def against_the_trend_notes(need: pd.DataFrame, summary: pd.DataFrame, scenario: str, *,
                            model_places: dict[int, int] | None = None, threshold: float = 0.02) -> list[str]:
    """A note for every series (phase x provision type) whose change over the forecast has the
    opposite sign to the change of all the other series together, by more than ``threshold``
    of its first value (or 1 pupil). The reason is read from the run: state special schools
    held at the model's places (a fixed number of places shared between phases), or the
    simulation's all-age series for that provision moving the same way."""
    runs = summary[(summary["scenario"] == scenario) & (summary["breakdown"] == "")]
    notes = []
    series = {(row_phase, column): need[need["phase"] == row_phase].set_index("year")[column]
              for row_phase in HORIZONS for column in PROVISIONS}
    total_change = sum(float(s.iloc[-1] - s.iloc[0]) for s in series.values())
    for (phase, column), values in series.items():
        change = float(values.iloc[-1] - values.iloc[0])
        others = total_change - change
        if abs(change) < max(1.0, threshold * float(values.iloc[0])) or np.sign(change) == np.sign(others):
            continue
        first, last = int(values.index[0]), int(values.index[-1])
        head = (f"{phase} {PROVISIONS[column].lower()} {'falls' if change < 0 else 'rises'} from "
                f"{values.iloc[0]:,.0f} to {values.iloc[-1]:,.0f} (January {first}-{last}) while the other "
                f"series together {'rise' if others > 0 else 'fall'} by {abs(others):,.0f}: ")
        notes.append(head + _reason(column, phase, runs, first, last, model_places))
    return notes


def _reason(column: str, phase: str, runs: pd.DataFrame, first: int, last: int,
            model_places: dict[int, int] | None) -> str:
    def all_ages(measure: str) -> pd.Series:
        return runs[runs["measure"] == measure].set_index("year")["mean"]

    if column == "state_special":
        special = all_ages("ehcp_state_special")
        overflow = all_ages("overflow_independent")
        span = special.loc[first:last]
        places = [model_places.get(y) for y in range(first, last + 1)] if model_places else []
        full = bool(places) and all(p is not None and abs(s - p) <= max(2.0, 0.01 * p)
                                    for s, p in zip(span.to_numpy(), places))
        held = (span.max() - span.min()) <= max(5.0, 0.01 * span.mean())
        if full or held:
            moved = overflow.loc[first - 1:last - 1]
            return (f"state special schools stay full ({span.min():,.0f}-{span.max():,.0f} children of all ages "
                    f"each January" + (f", the model's {places[0]:,} places" if places and places[0] else "")
                    + "). Children already in special schools keep their places as they move up to "
                    "secondary and post-16, a freed place goes to whoever has waited longest in any phase, and "
                    f"a child who finds no place goes to an independent special school ({moved.min():,.0f}-"
                    f"{moved.max():,.0f} such placements a year), so the {phase} share of a fixed number of places "
                    "falls. More state special places for this phase would change it (a capacity scenario).")
        return (f"the simulation's state special caseload (all ages) goes from {special.get(first, np.nan):,.0f} "
                f"to {special.get(last, np.nan):,.0f}; the {phase} part moves with it")
    measure = {"resourced_unit": "ehcp_resourced_unit", "independent": "ehcp_independent_special",
               "alternative_provision": "ehcp_ap"}[column]
    series = all_ages(measure)
    derived = (" (SCAP's figure is a fixed published share of it)" if column == "alternative_provision" else "")
    return (f"it follows the simulation's {measure} for all ages, {series.get(first, np.nan):,.0f} in January "
            f"{first} and {series.get(last, np.nan):,.0f} in {last}{derived}; the SCAP derivation itself does not "
            "change its direction")
