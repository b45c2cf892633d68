"""Primary need for the simulation: the published counts the engine draws each child's
need from (:class:`simulation.parameters.PrimaryNeeds`, :mod:`simulation.needs`), and the
early identification lever's target needs.

Source: DfE SEN2 ``sen_needs_all_plans.csv`` as the data layer reads it
(:mod:`sendcast.data.needs`): EHC plans in January by primary need, by single year of age
(``need=asd;age=10``; "under 3" spread evenly over ages 0-2) and by placement group
(``ehcp_state_special`` with breakdown ``need=asd``, ...). The January used is the latest
at or before the run's first (time-respecting: an out-of-sample run from an earlier
January, when need was not yet published, has no need and draws none). The thirteen
needs include "not recorded" (``unknown``) as a need of its own.

Engine placements (:data:`simulation.parameters.PLACEMENTS`) from the published groups:
mainstream less its resourced provision and SEN units; resourced provision / SEN units;
state special; independent and non-maintained special; FE; AP; other (the need's total
less the five published groups, never below 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendcast.data.measures import PRIMARY_NEEDS
from sendcast.data.needs import need_rows, split_label
from sendcast.runtime.errors import SendcastError
from simulation.parameters import AGES, PrimaryNeeds

#: Published groups in the order of the engine's placements (mainstream is split below).
_GROUPS = ("ehcp_mainstream", "ehcp_resourced_unit", "ehcp_state_special", "ehcp_independent_special",
           "ehcp_fe", "ehcp_ap", "ehcp_other")


class NeedSetupError(SendcastError):
    """A scenario asks for something about primary need that the data cannot give."""


def _age_rows(rows: pd.DataFrame) -> np.ndarray | None:
    """EHC plans by single year of age 0-25 and need (``(26, 13)``), or ``None`` if any is missing."""
    out = np.zeros((AGES, len(PRIMARY_NEEDS)))
    column = {need: k for k, need in enumerate(PRIMARY_NEEDS)}
    seen = 0
    for need, age, value in zip(rows["need"], rows["age"], rows["value"]):
        if need not in column:
            continue
        if pd.isna(value):
            return None
        ages = [0, 1, 2] if age == "0-2" else [int(age)]
        for a in ages:
            if a < AGES:
                out[a, column[need]] += float(value) / len(ages)
        seen += 1
    return out if seen and out.sum() > 0 else None


def _placement_rows(rows: pd.DataFrame) -> np.ndarray | None:
    """EHC plans by engine placement and need (``(7, 13)``), or ``None`` if any group is missing."""
    wide = rows.pivot_table(index="measure", columns="need", values="value", aggfunc="first", dropna=False)
    if not set(_GROUPS) <= set(wide.index) or not set(PRIMARY_NEEDS) <= set(wide.columns):
        return None
    wide = wide.reindex(index=list(_GROUPS), columns=list(PRIMARY_NEEDS))
    if wide.isna().to_numpy().any():
        return None
    values = np.array(wide.to_numpy(dtype=float), copy=True)
    resourced = np.minimum(values[1], values[0])
    values[0] = values[0] - resourced
    values[1] = resourced
    return np.clip(values, 0.0, None)


def _spread(label: str) -> list[int]:
    """Single years of a published age label: ``"0-2"`` -> 0, 1, 2; ``"10"`` -> 10."""
    low, _, high = label.partition("-")
    return list(range(int(low), min(int(high or low), AGES - 1) + 1))


def new_plan_counts(rows: pd.DataFrame, start_year: int) -> tuple[np.ndarray, np.ndarray, int] | None:
    """New plans of the latest calendar year before January ``start_year`` with both an age
    and a need split published: by age at the start of the plan (``(26,)``, bands spread
    evenly over their ages) and by need (``(13,)``), and the year; ``None`` if none."""
    new = rows[(rows["measure"] == "new_plans") & (rows["year"] <= start_year - 1)]
    split = need_rows(new)
    for year in sorted(new["year"].unique(), reverse=True):
        here = new["year"] == year
        by_need = split[split["year"] == year].set_index("need")["value"].reindex(list(PRIMARY_NEEDS))
        ages = new[here & new["breakdown"].str.match(r"^age=\d+(-\d+)?$")]
        if by_need.isna().any() or ages.empty or ages["value"].isna().any():
            continue
        by_age = np.zeros(AGES)
        for label, value in zip(ages["breakdown"].str.removeprefix("age="), ages["value"]):
            years = _spread(label)
            by_age[years] += float(value) / len(years)
        if by_age.sum() > 0 and by_need.sum() > 0:
            return by_age, by_need.to_numpy(dtype=float), int(year)
    return None


def primary_needs(rows: pd.DataFrame, start_year: int, la_name: str) -> tuple[PrimaryNeeds | None, str]:
    """The engine's :class:`PrimaryNeeds` from one LA's tidy rows, and a note saying where
    they come from (or why there are none). See the module notes."""
    labels = split_label(rows["breakdown"])
    need_rows = rows.assign(need=labels["need"], age=labels["age"])
    need_rows = need_rows[(need_rows["need"] != "") & (need_rows["year"] <= start_year)]
    by_age_rows = need_rows[(need_rows["measure"] == "ehcp_total") & (need_rows["age"] != "")]
    years = sorted(by_age_rows["year"].unique(), reverse=True)
    for year in years:
        by_age = _age_rows(by_age_rows[by_age_rows["year"] == year])
        if by_age is None:
            continue
        placed = need_rows[(need_rows["year"] == year) & (need_rows["age"] == "")
                           & need_rows["measure"].isin(_GROUPS)]
        by_placement = _placement_rows(placed)
        new = new_plan_counts(rows, start_year)
        needs = PrimaryNeeds(tuple(PRIMARY_NEEDS), by_age, by_placement, int(year),
                             new_by_age=None if new is None else new[0], new_by_need=None if new is None else new[1])
        how = ("new plans placed by need (the phase's placement shares tilted by each need's published "
               "placement mix and raked back to them)" if by_placement is not None else
               "placement by need not published, so new plans are placed as before, whatever the need")
        plans = (f"a new plan's need follows the need mix of {la_name}'s new plans in {new[2]} by age at the start "
                 f"of the plan (sen_need_newplans.csv, newplans.csv), kept from the child's need at entry wherever "
                 f"that mix allows (an ASSUMPTION)" if new is not None else
                 "a new plan keeps the child's need at entry (new plans by need not published before the run)")
        return needs, (f"primary need: each child's need at entry (the need the early identification lever "
                       f"targets) drawn from {la_name}'s EHC plans by need at that age, January {year} (DfE SEN2 "
                       f"sen_needs_all_plans.csv; an ASSUMPTION: no source gives the need of children at SEN "
                       f"support); {plans}; {how}. LIMITATION: ceasing does not depend on need, so the mix of "
                       f"plans held drifts towards the mix of new plans over the run (needs whose plans last "
                       f"longest, such as autism and severe learning difficulty, lose share)")
    return None, (f"primary need: not drawn ({la_name}'s EHC plans by need and age are not published for a January "
                  f"at or before {start_year})")


def target_needs(scenario, needs: PrimaryNeeds | None, la_name: str, start_year: int) -> tuple[str, ...] | None:
    """The lever's target needs (``early_identification.target_needs``), checked against the
    needs the run can draw; ``None``: the lever is not targeted."""
    if scenario is None:
        return None
    targets = scenario.early_identification.target_needs
    if targets is None:
        return None
    if needs is None:
        raise NeedSetupError(
            f"scenario {scenario.scenario.name!r}: early_identification.target_needs = {list(targets)} needs the "
            f"primary need of EHC plans by age, which is not published for {la_name} at or before January "
            f"{start_year} (DfE SEN2 sen_needs_all_plans.csv); remove target_needs or start the run later")
    return tuple(targets)
