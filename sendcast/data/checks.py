"""Consistency checks on the built table, with their tolerances written down.

Each check returns rows (check, la_code, measure, year, expected, found, tolerance,
passed). They are reported in ``checks.csv`` and the manifest, and the test suite
asserts they pass on the shipped data.

Tolerances:

- ``placement_groups_sum``: the six placement groups add up to ``ehcp_total`` exactly
  (0 children), and no group is negative. ``ehcp_other`` is the residual, so this fails
  when the published groups add up to more than the published total.
- ``resourced_within_mainstream``: resourced provision and units are part of mainstream.
- ``england_equals_las``: England equals the sum of its LAs within
  :data:`ENGLAND_TOLERANCE` (relative), for the published counts. SEN2 counts are
  published unrounded, so the gap is LAs whose values are suppressed or missing.
- ``releases_agree``: where two releases publish the same January total, they agree to
  the child (``ehcp_total``). Placement groups are revised between releases by a few
  children; they are reported as ``release_revision`` within
  :data:`RELEASE_GROUP_TOLERANCE` (relative) or :data:`RELEASE_GROUP_SLACK` children.
- ``ceased_reasons_sum``: ceased plans by reason (needs met, moved away, left education,
  aged out, other) add up to the published total of ceased plans within
  :data:`CEASED_TOLERANCE` (relative) or :data:`CEASED_SLACK` plans, whichever is larger,
  for every LA and year where all five are published. DfE's own rows differ by a few
  (Essex 2023: reasons 600, total 606; England inherits it), so the fit uses the
  published total and the reasons as published.
- ``published_total_consistent``: a total a release publishes that contradicts its own
  row (see :class:`sendcast.data.sources.ShareCheck`) is withheld as missing; each one is
  listed with status ``withheld``.
- ``requests_collapse``: an LA's requests for a calendar year that are both fewer than the
  last year published before it divided by :data:`COLLAPSE_RATIO` and fewer than the new
  plans it issued that year are withheld as missing (listed with status ``withheld``; the
  year itself and the years before decide, never a later year, so a backtest at any origin
  sees the same rule). Such a year reads as a recording failure, not demand. On the shipped
  releases (requests the year before, the year, the year after; new plans the year):
  West Berkshire 2022: 270, **0**, 407 (176 new plans); Newcastle upon Tyne 2017: 259, **17**,
  364 (170); Redcar and Cleveland 2022: 220, **115**, 249 (145); Bath and North East Somerset
  2022: 401, **223**, 560 (288); Gateshead 2020: 251, **161**, 277 (169); Waltham Forest 2018:
  528, **278**, 390 (308); City of London 2023: 11, **2**, 5 (5); Isle of Wight 2024: 382 (for
  2022), **74**, not yet published (187). Every one with a later year published went back up
  the next year. Kept, the forecast engine forecast West Berkshire's requests for 2023 at 1
  (from January 2023) and the simulation carried Isle of Wight's 74 forward.

``status`` is ``pass``, ``fail``, ``skipped`` (not comparable: the note says why),
``revised`` (a placement group the newer release revised by more than the tolerance;
the newer value is used) or ``withheld``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendcast.data.sen2 import ReleaseTables
from sendcast.data.sources import CEASE_REASON_COLUMNS_2025
from sendcast.data.measures import ENGLAND_CODE, PLACEMENT_GROUPS

ENGLAND_TOLERANCE = 0.005
RELEASE_GROUP_TOLERANCE = 0.05
RELEASE_GROUP_SLACK = 10.0
COUNT_MEASURES = ("ehcp_total", "ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special",
                  "ehcp_fe", "ehcp_ap", "new_plans", "requests", "plans_ceased")
COLUMNS = ["check", "la_code", "measure", "year", "expected", "found", "tolerance", "status", "note"]


#: Requests below the last published year's divided by this (and below the year's new plans)
#: are withheld: ILLUSTRATIVE threshold, the same 1.5 as the plans jump that sets the last
#: complete January (:data:`sendcast.scenarios.parameters.JUMP_RATIO`).
COLLAPSE_RATIO = 1.5


def collapsed_requests(tidy: pd.DataFrame) -> pd.DataFrame:
    """Check rows (:data:`COLUMNS`, status ``withheld``) for each LA's requests that
    collapsed (module notes, ``requests_collapse``); England is not checked."""
    rows = tidy[(tidy["breakdown"] == "") & tidy["measure"].isin(["requests", "new_plans"])
                & (tidy["la_code"] != ENGLAND_CODE) & tidy["value"].notna()]
    wide = rows.pivot_table(index=["la_code", "year"], columns="measure", values="value", aggfunc="first")
    if wide.empty or "requests" not in wide or "new_plans" not in wide:
        return pd.DataFrame(columns=COLUMNS)
    wide = wide.reset_index().sort_values(["la_code", "year"])
    requests = wide.dropna(subset=["requests"])
    before = requests.groupby("la_code")["requests"].shift(1)
    before_year = requests.groupby("la_code")["year"].shift(1)
    collapsed = (requests["requests"] < before / COLLAPSE_RATIO) & (requests["requests"] < requests["new_plans"])
    hit = requests[collapsed].assign(before=before[collapsed], before_year=before_year[collapsed])
    return pd.DataFrame({
        "check": "requests_collapse", "la_code": hit["la_code"], "measure": "requests", "year": hit["year"],
        "expected": hit["before"], "found": hit["requests"], "tolerance": COLLAPSE_RATIO, "status": "withheld",
        "note": [f"requests {found:,.0f} for {int(year)} against {b:,.0f} for {int(by)} and {plans:,.0f} new plans "
                 f"issued in {int(year)}: withheld as missing"
                 for found, year, b, by, plans in zip(hit["requests"], hit["year"], hit["before"],
                                                     hit["before_year"], hit["new_plans"])],
    }, columns=COLUMNS).reset_index(drop=True)


def without_collapsed_requests(tidy: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``tidy`` with the requests :func:`collapsed_requests` finds set to missing (every
    breakdown of that LA and year), and those check rows."""
    found = collapsed_requests(tidy)
    if found.empty:
        return tidy, found
    keys = pd.MultiIndex.from_arrays([found["la_code"], found["year"].astype(int)])
    hit = (tidy["measure"] == "requests") & pd.MultiIndex.from_arrays(
        [tidy["la_code"], tidy["year"].astype(int)]).isin(keys)
    tidy = tidy.copy()
    tidy.loc[hit, "value"] = np.nan
    return tidy, found


def run_all(tidy: pd.DataFrame, releases: list[ReleaseTables]) -> pd.DataFrame:
    """Run every check; return one row per check performed."""
    pieces = [placement_groups_sum(tidy), resourced_within_mainstream(tidy),
              england_equals_las(tidy), ceased_reasons_sum(tidy), releases_agree(releases),
              withheld_totals(releases)]
    out = pd.concat([p for p in pieces if not p.empty], ignore_index=True)
    if "note" not in out:
        out["note"] = ""
    out["note"] = out["note"].fillna("")
    return out[COLUMNS]


def _status(passed: pd.Series | np.ndarray) -> np.ndarray:
    return np.where(np.asarray(passed, dtype=bool), "pass", "fail")


def _wide(tidy: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    rows = tidy[tidy["measure"].isin(measures) & (tidy["breakdown"] == "")]
    return rows.pivot_table(index=["la_code", "year"], columns="measure", values="value", aggfunc="first")


def _per_la_year(check: str, measure: str, wide: pd.DataFrame, expected: pd.Series, found: pd.Series,
                 tolerance: float, passed: pd.Series | np.ndarray) -> pd.DataFrame:
    """Check rows for a table indexed by ``(la_code, year)``."""
    return pd.DataFrame({
        "check": check,
        "la_code": wide.index.get_level_values(0),
        "measure": measure,
        "year": wide.index.get_level_values(1),
        "expected": expected.to_numpy(),
        "found": found.to_numpy(),
        "tolerance": tolerance,
        "status": _status(passed),
    })


def placement_groups_sum(tidy: pd.DataFrame) -> pd.DataFrame:
    wide = _wide(tidy, ("ehcp_total",) + PLACEMENT_GROUPS).dropna()
    found = wide[list(PLACEMENT_GROUPS)].sum(axis=1)
    negative = (wide[list(PLACEMENT_GROUPS)] < 0).any(axis=1)
    return _per_la_year("placement_groups_sum", "ehcp_total", wide, wide["ehcp_total"], found, 0.0,
                        ((found - wide["ehcp_total"]).abs().to_numpy() < 1e-9) & ~negative.to_numpy())


def resourced_within_mainstream(tidy: pd.DataFrame) -> pd.DataFrame:
    wide = _wide(tidy, ("ehcp_mainstream", "ehcp_resourced_unit")).dropna()
    return _per_la_year("resourced_within_mainstream", "ehcp_resourced_unit", wide, wide["ehcp_mainstream"],
                        wide["ehcp_resourced_unit"], 0.0,
                        (wide["ehcp_resourced_unit"] <= wide["ehcp_mainstream"]).to_numpy())


CEASED_TOLERANCE = 0.02
CEASED_SLACK = 2.0
CEASE_REASONS = tuple(CEASE_REASON_COLUMNS_2025)


def ceased_reasons_sum(tidy: pd.DataFrame) -> pd.DataFrame:
    rows = tidy[tidy["measure"] == "plans_ceased"]
    wide = rows.pivot_table(index=["la_code", "year"], columns="breakdown", values="value", aggfunc="first")
    parts = [f"reason={r}" for r in CEASE_REASONS]
    if "" not in wide or not set(parts) <= set(wide.columns):
        return pd.DataFrame(columns=COLUMNS)
    wide = wide[[""] + parts].dropna()
    found = wide[parts].sum(axis=1)
    allowed = (CEASED_TOLERANCE * wide[""]).clip(lower=CEASED_SLACK)
    return _per_la_year("ceased_reasons_sum", "plans_ceased", wide, wide[""], found, CEASED_TOLERANCE,
                        ((found - wide[""]).abs() <= allowed).to_numpy())


def england_equals_las(tidy: pd.DataFrame) -> pd.DataFrame:
    rows = tidy[tidy["measure"].isin(COUNT_MEASURES) & (tidy["breakdown"] == "")]
    england = rows[rows["la_code"] == ENGLAND_CODE].set_index(["measure", "year"])["value"]
    las = rows[rows["la_code"] != ENGLAND_CODE].groupby(["measure", "year"])["value"]
    both = pd.concat({"expected": england, "found": las.sum(min_count=1),
                      "missing": las.apply(lambda v: int(v.isna().sum()))}, axis=1)
    both = both.dropna(subset=["expected", "found"])
    relative = (both["found"] - both["expected"]).abs() / both["expected"].where(both["expected"] > 0)
    status = _status(relative.fillna(0.0) <= ENGLAND_TOLERANCE)
    incomplete = both["missing"].to_numpy() > 0
    status = np.where(incomplete, "skipped", status)
    note = np.where(incomplete, both["missing"].astype(int).astype(str) + " LAs have no value", "")
    return pd.DataFrame({
        "check": "england_equals_las",
        "la_code": ENGLAND_CODE,
        "measure": both.index.get_level_values(0),
        "year": both.index.get_level_values(1),
        "expected": both["expected"].to_numpy(),
        "found": both["found"].to_numpy(),
        "tolerance": ENGLAND_TOLERANCE,
        "status": status,
        "note": note,
    })


def releases_agree(releases: list[ReleaseTables]) -> pd.DataFrame:
    pieces = []
    measures = ("ehcp_total",) + PLACEMENT_GROUPS
    for i, older in enumerate(releases):
        for newer in releases[i + 1:]:
            a = older.measures[older.measures["measure"].isin(measures) & (older.measures["breakdown"] == "")]
            b = newer.measures[newer.measures["measure"].isin(measures) & (newer.measures["breakdown"] == "")]
            keys = ["la_key", "measure", "year"]
            joined = a[keys + ["value"]].merge(b[keys + ["value"]], on=keys, suffixes=("_a", "_b")).dropna()
            if joined.empty:
                continue
            is_total = joined["measure"] == "ehcp_total"
            tolerance = np.where(is_total, 0.0, RELEASE_GROUP_TOLERANCE)
            slack = np.where(is_total, 0.0, RELEASE_GROUP_SLACK)
            gap = (joined["value_a"] - joined["value_b"]).abs()
            allowed = np.maximum(tolerance * joined[["value_a", "value_b"]].max(axis=1), slack)
            passed = gap <= allowed + 1e-9
            status = np.where(passed, "pass", np.where(is_total, "fail", "revised"))
            pieces.append(pd.DataFrame({
                "check": np.where(is_total, "releases_agree", "release_revision"),
                "la_code": joined["la_key"],  # replaced by codes below when known
                "measure": joined["measure"],
                "year": joined["year"],
                "expected": joined["value_b"],
                "found": joined["value_a"],
                "tolerance": tolerance,
                "status": status,
                "note": "older " + older.release.path.name + " vs newer " + newer.release.path.name,
            }))
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=COLUMNS)


def withheld_totals(releases: list[ReleaseTables]) -> pd.DataFrame:
    pieces = [r.withheld for r in releases if not r.withheld.empty]
    if not pieces:
        return pd.DataFrame(columns=COLUMNS)
    withheld = pd.concat(pieces, ignore_index=True)
    return pd.DataFrame({
        "check": "published_total_consistent",
        "la_code": withheld["la_key"],
        "measure": withheld["column"],
        "year": withheld["year"],
        "expected": withheld["implied"],
        "found": withheld["published"],
        "tolerance": 0.02,
        "status": "withheld",
        "note": withheld["file"] + ", row " + withheld["row"].astype(str),
    })
