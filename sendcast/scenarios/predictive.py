"""The spread of the simulation's predictive bands, measured out of sample on every LA's
published figures before the run's origin (issue 19).

A replication draws its parameters (:mod:`simulation.uncertainty`); the spread of the
draws of requests, identification, conversion and the placement mix is the spread of
the errors a rule like the simulation's made, one to :data:`simulation.trends.
PANEL_HORIZONS` years ahead, from every past origin of every English LA. Time-respecting:
the panels are cut at the run's origin January ``t`` (:func:`panels_until`: January
counts to ``t``, calendar-year flows to ``t - 1``) before any error is measured, and each
error uses only the years before its own past origin.

- **Requests** (calendar years): the baseline's rule (:mod:`simulation.trends`: damped
  growth with a yearly growth cap), its log errors at every horizon
  (:func:`simulation.trends.panel_log_errors`), from each past origin with the damping
  and cap the baseline would have chosen there, on every LA's requests to that origin
  only (:func:`simulation.trends.rules_chosen_at`; :func:`panel_rule` remembers the
  choices): a choice is never scored on the data that made it, and an LA whose requests
  grow faster than the cap has the errors of the capped rule the baseline carries.
- **Identification**: the same on SEN support (% of pupils, January), with its own damping
  and cap chosen at each past origin on that panel (as
  :func:`sendcast.scenarios.parameters.identification_choice` chooses the run's).
- **Conversion**: new plans of a year against last year's requests times the recent
  ratio of the two (:func:`simulation.uncertainty.conversion_log_errors`), one year ahead.
- **Placement mix**: each group's share of EHC plans (January; state special and
  independent special together, :data:`simulation.uncertainty.PLACEMENT_DRAW_GROUPS`),
  carried by the damped rule with the damping chosen at each past origin on that share's
  panel to it, its log errors ``k = 1 ..`` :data:`PLACEMENT_HORIZONS` years ahead; turned
  into a factor on the group's share of placements matched to the errors at every
  horizon through the cohort engine's sensitivity at each horizon at the run's central
  parameters (:func:`simulation.uncertainty.placement_sensitivities`,
  :func:`simulation.uncertainty.placement_log_factor`). A split of :data:`simulation.uncertainty.SPLITS` (independent special's
  share of the two) is measured the same way on its own share panel (``splits``; by
  default :data:`simulation.uncertainty.SPLIT_DRAWS`). With local special places, the
  places move with the state special demand a draw implies
  (:func:`simulation.uncertainty.places_sensitivity`, measured here once per run).

**LAs of a similar size.** A small LA's errors carry more chance than a large one's, so
requests, conversion and each placement group are measured on the LAs whose figure at
the origin (last year's requests; the group's January count) is within a factor
:data:`SIZE_FACTOR` of the run's LA's (at least :data:`MIN_SIZE_MATCHED` LAs, else every
LA). The panel errors include the chance the simulation also draws (its own Monte Carlo
noise), so the bands lean wide (they are meant to cover, see ``sendcast calibrate
--validate``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sendcast.data.build import Dataset
from simulation.parameters import Parameters
from simulation.trends import PANEL_HORIZONS, choose_panel_damping, choose_panel_rule, panel_log_errors, rules_chosen_at
from simulation.uncertainty import (PLACEMENT_DRAW_GROUPS, PLACEMENT_MEASURES, SPLIT_DRAWS, SPLITS, PredictiveSpread,
                                    conversion_log_errors, placement_sensitivities, placement_sensitivity,
                                    places_sensitivity)

#: Published series the spread is measured on: calendar-year flows ...
PANEL_FLOWS = ("requests", "new_plans")
#: ... and January counts and rates.
PANEL_COUNTS = ("sen_support_pct", "ehcp_total", "ehcp_state_special", "ehcp_independent_special", "ehcp_ap",
                "ehcp_fe", "ehcp_other")
ENGLAND = "E92000001"
#: Horizons (years) of the placement groups' errors the draws are matched to (issue 19:
#: one to four years ahead, the horizons ``calibrate --validate`` scores).
PLACEMENT_HORIZONS = 4
#: LAs within this factor of the run's LA's size (either way) are "of a similar size".
SIZE_FACTOR = 2.0
#: Fewest LAs of a similar size to measure on; with fewer, every LA.
MIN_SIZE_MATCHED = 30


_RULE_CACHE: dict[tuple, tuple[float, float | None, pd.DataFrame]] = {}


def panel_rule(panel: pd.DataFrame) -> tuple[float, float | None, pd.DataFrame]:
    """:func:`simulation.trends.choose_panel_rule` on ``panel``, remembered by the panel's
    contents (every LA's run from the same origin scores the same panels, and the errors
    of each run choose again at every past origin; a few dozen kept)."""
    key = (tuple(panel.index), tuple(int(y) for y in panel.columns), panel.to_numpy(dtype=float).tobytes())
    if key not in _RULE_CACHE:
        if len(_RULE_CACHE) >= 64:
            _RULE_CACHE.pop(next(iter(_RULE_CACHE)))
        _RULE_CACHE[key] = choose_panel_rule(panel)
    return _RULE_CACHE[key]


def trend_rule_errors(panel: pd.DataFrame, areas=None, horizons: int = PANEL_HORIZONS) -> tuple[np.ndarray, ...]:
    """The log errors at each horizon ``1 .. horizons`` of the baseline's trend rule on
    ``panel`` (one row per LA, one column per year, cut at the run's origin), from every
    past origin with the damping and growth cap chosen at that origin on every LA of
    ``panel`` to it (:func:`simulation.trends.rules_chosen_at`), measured on the LAs
    ``areas`` (default: every LA)."""
    scored = panel if areas is None else panel.loc[areas]
    return panel_log_errors(scored, 0.0, horizons, rule_at=rules_chosen_at(panel, panel_rule))


def published_panels(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """Every LA's published totals of :data:`PANEL_FLOWS` and :data:`PANEL_COUNTS`: one
    table per measure, one row per LA code (England left out), one column per year
    (calendar for flows, January for counts; missing: NaN)."""
    m = dataset.measures
    rows = m[m["measure"].isin(PANEL_FLOWS + PANEL_COUNTS) & (m["breakdown"].fillna("") == "")
             & m["la_code"].str.startswith("E") & (m["la_code"] != ENGLAND)]
    panels = {}
    for measure in PANEL_FLOWS + PANEL_COUNTS:
        part = rows[rows["measure"] == measure]
        panels[measure] = part.pivot_table(index="la_code", columns="year", values="value", aggfunc="first")
    return panels


def panels_until(panels: Mapping[str, pd.DataFrame], origin: int) -> dict[str, pd.DataFrame]:
    """The panels as they stood on the origin January ``origin``: counts to January
    ``origin``, flows to calendar year ``origin - 1``."""
    out = {}
    for measure, panel in panels.items():
        last = origin - 1 if measure in PANEL_FLOWS else origin
        out[measure] = panel.loc[:, [y for y in panel.columns if int(y) <= last]]
    return out


def _count_panel(panels: Mapping[str, pd.DataFrame], columns) -> pd.DataFrame:
    """The January count of the placement ``columns`` together, one row per LA."""
    parts = [panels[PLACEMENT_MEASURES[c]] for c in columns]
    total = parts[0]
    for part in parts[1:]:
        total = total + part.reindex(index=total.index, columns=total.columns)
    return total


def group_share_panel(panels: Mapping[str, pd.DataFrame], group: str) -> pd.DataFrame:
    """A placement group's count as a share of all EHC plans (January), one row per LA
    (``ehcp_specialist``: state special and independent special together;
    ``ehcp_fe_plus_other``: FE and other together, across the January 2023 recording
    break); a split of :data:`simulation.uncertainty.SPLITS`: its column's count as a share
    of the pair's."""
    if group in SPLITS:
        column, pair = SPLITS[group]
        total, count = _count_panel(panels, pair), _count_panel(panels, (column,))
    else:
        total, count = panels["ehcp_total"], _count_panel(panels, PLACEMENT_DRAW_GROUPS[group])
    count = count.reindex(index=total.index, columns=total.columns)
    return count / total.where(total > 0)


def group_count_panel(panels: Mapping[str, pd.DataFrame], group: str) -> pd.DataFrame:
    """The January count a group's (or split's) errors are about, one row per LA."""
    columns = SPLITS[group][0:1] if group in SPLITS else PLACEMENT_DRAW_GROUPS[group]
    return _count_panel(panels, columns)


def similar_in_size(sizes: pd.Series, own: float | None) -> pd.Index:
    """LAs (index of ``sizes``) whose size is within :data:`SIZE_FACTOR` of ``own``; every
    LA when ``own`` is unknown or fewer than :data:`MIN_SIZE_MATCHED` match."""
    if own is None or not own > 0:
        return sizes.index
    near = sizes[(sizes >= own / SIZE_FACTOR) & (sizes <= own * SIZE_FACTOR)]
    return near.index if len(near) >= MIN_SIZE_MATCHED else sizes.index


def _latest(panel: pd.DataFrame) -> pd.Series:
    return panel[max(panel.columns)] if panel.shape[1] else pd.Series(dtype=float)


def group_count_errors(panels: Mapping[str, pd.DataFrame], own: Mapping[str, float] | None = None,
                       splits: tuple[str, ...] = SPLIT_DRAWS, horizons: int = PLACEMENT_HORIZONS
                       ) -> dict[str, object]:
    """Per placement group (and per split in ``splits``), the log errors of its share
    (:func:`group_share_panel`) ``1 .. horizons`` years ahead (one array per horizon)
    under the damped rule with the damping chosen at each past origin on that share's
    panel to it (:func:`simulation.trends.rules_chosen_at`, no growth cap), on the LAs of
    a size similar to ``own[group]`` (the run's LA's count in the group at the origin)."""
    out = {}
    for group in (*PLACEMENT_DRAW_GROUPS, *splits):
        share = group_share_panel(panels, group)
        if share.shape[1] < 5:
            continue
        counts = _latest(group_count_panel(panels, group).reindex_like(share))
        share = share.loc[similar_in_size(counts.dropna(), (own or {}).get(group))]
        errors = panel_log_errors(share, 0.0, horizons, rule_at=rules_chosen_at(share, _damping_only))
        if errors:
            out[group] = errors
    return out


def _damping_only(panel: pd.DataFrame) -> tuple[float, None]:
    """The damping :func:`simulation.trends.choose_panel_damping` chooses on ``panel``, and
    no growth cap (the placement shares' rule)."""
    return choose_panel_damping(panel)[0], None


def own_group_counts(params: Parameters) -> dict[str, float]:
    """The run's starting January count in each placement group (and split) of the draws."""
    by_placement = np.asarray(params.caseload.ehcp_by_placement, dtype=float)
    out = {group: float(by_placement[list(columns)].sum()) for group, columns in PLACEMENT_DRAW_GROUPS.items()}
    out.update({split: float(by_placement[column]) for split, (column, _) in SPLITS.items()})
    return out


def predictive_spread(panels: Mapping[str, pd.DataFrame] | None, params: Parameters, start_year: int,
                      *, la_code: str | None = None, trends: bool = True, scale: float = 1.0,
                      splits: tuple[str, ...] = SPLIT_DRAWS, places: bool = True) -> PredictiveSpread | None:
    """The spread of the draws of a run starting in January ``start_year`` (see the
    module notes), from the panels cut at ``start_year`` here, whatever they hold;
    ``la_code``: the run's LA (its size chooses the LAs
    measured on); ``trends``: request and identification errors (only when the rates are
    carried forward by the damped rule); ``splits``: the splits of
    :data:`simulation.uncertainty.SPLITS` drawn; ``places``: with local special places, the
    places move with the drawn specialist demand (:func:`simulation.uncertainty.
    scale_places`). ``None`` without panels."""
    if not panels:
        return None
    cut = panels_until(panels, start_year)
    requests = cut["requests"]
    latest = _latest(requests).dropna()
    near = similar_in_size(latest, float(latest[la_code]) if la_code in latest.index else None)
    request_errors = trend_rule_errors(requests, near) if trends else ()
    identification_errors = trend_rule_errors(cut["sen_support_pct"]) if trends else ()
    conversion = (conversion_log_errors(cut["new_plans"].reindex(near), requests.loc[near])
                  if cut["new_plans"].shape[1] else None)
    counts = group_count_errors(cut, own_group_counts(params), splits)
    sensitivity = placement_sensitivity(params) if counts else {}
    by_horizon = placement_sensitivities(params, PLACEMENT_HORIZONS) if counts else {}
    drawn = {group: sensitivity.get(group, 0.0) for group in counts}
    moving = places_sensitivity(params, drawn) if counts and places and params.special_places.constrained else {}
    return PredictiveSpread(request_errors=request_errors, identification_errors=identification_errors,
                            conversion_errors=conversion, placement_errors=counts,
                            placement_sensitivity=sensitivity, placement_path_sensitivity=by_horizon,
                            places_sensitivity=moving, scale=scale)
