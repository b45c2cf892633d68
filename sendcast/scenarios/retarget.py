"""Run a scenario written for one LA on another (``--la``), and refuse LAs whose series a
boundary change breaks inside the years a run needs.

Re-targeting keeps every lever of the scenario as written (new places, early identification,
assessment capacity, costs settings) and changes what belongs to the LA:

- ``[scenario] la``: the new LA;
- ``special_places.capacity_file``: the new LA's own file (``data/capacity/<la_code>.csv``)
  if there is one, else the third-party table's aggregate (:func:`sendcast.data.capacity.
  default_capacity`, flagged low confidence), else the places assumed full on the start day
  (:func:`sendcast.scenarios.parameters.assumed_places`: the January caseload in state special
  schools taken as the places there are, an ASSUMPTION the notes state);
- ``costs.unit_costs_file``: dropped (a unit-cost file describes one LA); the new LA's
  default unit costs apply (:func:`sendcast.money.unit_costs.default_unit_costs`).

Each change is listed in ``notes``; the resolved settings (the manifest) are the re-targeted
scenario's, its description saying where it was re-targeted from.
A lever sized for the first LA (say 150 new places) is not rescaled: say so when reporting.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from sendcast.data import paths
from sendcast.data.build import Dataset
from sendcast.data.capacity import capacity_file, codes_to_numbers, default_capacity
from sendcast.runtime.errors import SendcastError
from sendcast.scenarios.parameters import (MIN_CALIBRATION_YEARS, counting_noise_note, la_history,
                                           refusal_change_note, withheld_requests_note,
                                           latest_complete_january, places_without_list,
                                           usual_calibration_start)
from sendcast.scenarios.pipeline import LoadedScenario


class BrokenSeriesError(SendcastError):
    """The LA's series starts or ends inside the years a run needs (a boundary change)."""


def check_series(dataset: Dataset, la: str, start_year: int) -> None:
    """Refuse an LA whose published series does not cover the calibration window ending in
    January ``start_year`` (``start_year - CALIBRATION_YEARS``, not before
    ``FIRST_CALIBRATION_YEAR``) with the reason (the boundary change when it is known): one
    whose series starts inside the window with fewer than ``MIN_CALIBRATION_YEARS`` years
    before ``start_year`` (with more it is fitted from its start), one whose series ends
    before ``start_year``, or one that no longer exists."""
    row = dataset.geography.resolve(la)
    first = usual_calibration_start(start_year)
    breaks = dataset.geography.breaks
    reasons = breaks.loc[breaks["la_code"] == row["la_code"], "reason"]
    starts, ends = row["first_year"], row["last_year"]
    if pd.notna(starts) and int(starts) > first and start_year - int(starts) < MIN_CALIBRATION_YEARS:
        # a series starting inside the window is fitted from its start (calibration_start),
        # given at least MIN_CALIBRATION_YEARS years of it
        raise BrokenSeriesError(f"{row['la_name']}: its EHC plan series starts in January {int(starts)}: "
                                + (reasons.iloc[0] if not reasons.empty else "reason not recorded")
                                + f"; the simulation needs at least {MIN_CALIBRATION_YEARS} years of an LA's "
                                f"own history before January {start_year} and cannot be calibrated across a "
                                "boundary change")
    if pd.notna(ends) and int(ends) < start_year:
        raise BrokenSeriesError(f"{row['la_name']}: its EHC plan series ends in January {int(ends)}, before "
                                f"January {start_year}: "
                                + (reasons.iloc[0] if not reasons.empty else "reason not recorded"))
    ended = breaks.loc[(breaks["la_code"] == row["la_code"]) & (breaks["kind"] == "ends"), "reason"]
    if not ended.empty and pd.notna(ends) and int(ends) <= start_year:
        # an LA that no longer exists: nothing after its last January to plan for (its
        # population stops there too, so the run would fail later on a missing input)
        raise BrokenSeriesError(f"{row['la_name']} ({row['la_code']}) no longer exists: {ended.iloc[0]}; its "
                                f"figures end in January {int(ends)}. Plan for the LA that replaced it")


def retarget(loaded: list[LoadedScenario], dataset: Dataset, la: str,
             data: str | Path | None = None) -> tuple[list[LoadedScenario], list[str]]:
    """The scenarios re-targeted at ``la`` (see the module docstring) and notes; unchanged
    (and no notes) when they already name that LA."""
    target = dataset.geography.resolve(la)
    named = dataset.geography.resolve(loaded[0].scenario.scenario.la)
    if named["la_code"] == target["la_code"]:
        return loaded, []
    root = paths.data_dir(data)
    own = capacity_file(root, target["la_code"])
    capacity, capacity_note = (None, "")
    if not own.is_file():
        capacity, capacity_note = default_capacity(root, target["la_code"], target["la_number"],
                                                   codes_to_numbers(dataset.geography.las))
    notes = [f"scenarios written for {named['la_name']} re-targeted at {target['la_name']} (--la): levers kept "
             "as written, not rescaled to the LA's size"]
    # a January whose placements the target LA has not published cannot start its run: the
    # scenarios start from its latest complete January instead (said in the notes)
    start_year = loaded[0].scenario.scenario.start_year
    history = la_history(dataset, target["la_code"])
    latest, why = latest_complete_january(history)
    moved = why is not None and start_year > latest
    if moved:
        notes.append(f"{why}: the scenarios' start moved from January {start_year} to January {latest}")
        start_year = latest
    noise = counting_noise_note(history, start_year)  # a handful of requests a year: say what the bands are
    if noise is not None:
        notes.append(noise)
    refusals = refusal_change_note(history, start_year)  # refusals that all but stopped: say what follows
    if refusals is not None:
        notes.append(refusals)
    withheld = withheld_requests_note(dataset.checks, history, start_year)
    if withheld is not None:
        notes.append(withheld)
    if own.is_file():
        notes.append(f"special school places: {own} (the LA's own file)")
    elif capacity is not None:
        notes.append(f"special school places: {capacity_note}")
    else:
        # No figure at all: the places assumed full on the start day (the January caseload in
        # state special schools), not none: otherwise an option adding places would be the only
        # constrained scenario. (An empty list is not "no limit": every child already in a state
        # special school would hold a place beyond capacity that a leaver repays, not frees, so
        # the number in state special schools would drain away.)
        capacity, assumed = places_without_list(history, start_year)
        notes.append(f"special school places: {capacity_note}; {assumed}")
    out = []
    for item in loaded:
        scenario = item.scenario
        places = scenario.special_places.model_copy(update={"capacity_file": str(own) if own.is_file() else None})
        costs = scenario.costs
        if costs.unit_costs_file:
            notes.append(f"{item.name}: unit-cost file {costs.unit_costs_file} dropped (it is for "
                         f"{named['la_name']}); {target['la_name']}'s default unit costs apply")
            costs = costs.model_copy(update={"unit_costs_file": None})
        info = scenario.scenario.model_copy(update={
            "la": target["la_name"],
            **({"start_year": start_year} if moved else {}),
            "description": (scenario.scenario.description + f" (re-targeted at {target['la_name']} from "
                            f"{named['la_name']})").strip()})
        scenario = scenario.model_copy(update={"scenario": info, "special_places": places, "costs": costs})
        resolved = scenario.model_dump(mode="json")
        out.append(replace(item, scenario=scenario, resolved=resolved, capacity=capacity))
    return out, list(dict.fromkeys(notes))
