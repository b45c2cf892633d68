"""EHC plans by primary need, read from the SEN2 release (2025 format) and checked.

Two published tables, both from the person-level SEN2 collection:

- ``sen_needs_all_plans.csv``: EHC plans active in January by primary need (January
  census year; the shipped release publishes January 2025 only), for all plans, by single
  year of age and by type of placement;
- ``sen_need_newplans.csv``: new EHC plans in the calendar year by primary need (the
  shipped release publishes calendar 2024 only), for all new plans. Its age breakdown
  ("child or young person's age") is not the age when the plan started that
  ``newplans.csv`` publishes (Gloucestershire 2024, age 3: 150 against 19), so it is not
  read: it would not add up to any published total of new plans by age.

In the tidy table the measure is the one the plans already have (``ehcp_total``, the
placement groups of :data:`~sendcast.data.measures.PLACEMENT_GROUPS` plus
``ehcp_resourced_unit``, ``new_plans``) and the breakdown names the need:
``need=asd``; with age, ``need=asd;age=10`` (need first, so a filter on ``age=`` never
picks these rows up). The thirteen needs are :data:`~sendcast.data.measures.PRIMARY_NEEDS`;
"primary need not recorded" is kept as its own type, ``need=unknown``, so the needs of a
group always add up to the group.

Placement groups by need are sums of the published rows, as for the caseload table:
state special = LA maintained + academy/free special; independent special = independent +
non-maintained special; resourced/unit = the six resourced provision and SEN unit rows;
``ehcp_other`` = the need's total minus the five published groups (derived).

The ``ehcp_total`` rows for all plans (no age, no placement) are read by the caseload
specs in :mod:`sendcast.data.sources`; this module adds everything else.

Collection breaks and caveats (stated in :data:`NEED_NOTES`, printed by ``data show``):
primary need comes from the person-level collection (January 2023 on), so there is no
comparable series before it; the shipped release has one year; Down syndrome is counted
under "other difficulty/disability"; Surrey's characteristics (age, placement) by need are
not published (``x``), so those rows are missing, never zero.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from sendcast.data import sen2
from sendcast.data.cells import parse_numbers
from sendcast.data.measures import PRIMARY_NEEDS
from sendcast.data.release import Release
from sendcast.data.sources import AREA_COLUMNS, TableSpec

log = logging.getLogger(__name__)

ALL_PLANS_FILE = "sen_needs_all_plans.csv"
NEW_PLANS_FILE = "sen_need_newplans.csv"

#: The published count column of each primary need.
NEED_COLUMNS: dict[str, str] = {
    need: ("number_need_unknown" if need == "unknown" else f"number_{need}") for need in PRIMARY_NEEDS
}

NEED_NOTES: tuple[str, ...] = (
    "Primary need: SEN2 person-level collection; the shipped release publishes January 2025 "
    "(all plans) and calendar 2024 (new plans) only, so there is no need series before them.",
    "Down syndrome is counted under 'other difficulty/disability' (DfE footnote).",
    "'unknown' = primary need not recorded, kept as its own type so the needs add up to the total.",
    "Surrey: age and placement by need not published (x); missing, not zero.",
)

_AGES_ALL = {"under 3": "0-2", **{f"age {a}": str(a) for a in range(3, 26)}}

#: Published placement rows -> the placement measure they add up to.
PLACEMENT_ROWS: dict[str, str] = {
    "Mainstream - total": "ehcp_mainstream",
    "Mainstream - LA maintained (resourced provision)": "ehcp_resourced_unit",
    "Mainstream - LA maintained (SEN unit)": "ehcp_resourced_unit",
    "Mainstream - academy (resourced provision)": "ehcp_resourced_unit",
    "Mainstream - academy (SEN unit)": "ehcp_resourced_unit",
    "Mainstream - free school (resourced provision)": "ehcp_resourced_unit",
    "Mainstream - free school (SEN unit)": "ehcp_resourced_unit",
    "Special - LA maintained": "ehcp_state_special",
    "Special - Academy/free schools": "ehcp_state_special",
    "Special - independent": "ehcp_independent_special",
    "Special - non-maintained": "ehcp_independent_special",
    "FE - total": "ehcp_fe",
    "AP/PRU - total": "ehcp_ap",
}
_FIVE_GROUPS = ("ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe", "ehcp_ap")


def need_label(need: str, age: str | None = None) -> str:
    """The tidy breakdown label: ``need=asd`` or ``need=asd;age=10``."""
    return f"need={need}" if age is None else f"need={need};age={age}"


def split_label(breakdown: pd.Series) -> pd.DataFrame:
    """Split need labels into ``need`` and ``age`` columns (``age`` empty when absent;
    both empty for labels that are not need labels)."""
    unique = pd.Series(pd.unique(breakdown.astype(str)))
    parts = unique.str.extract(r"^need=([a-z]+)(?:;age=([0-9-]+))?$").fillna("")
    need = dict(zip(unique, parts[0]))
    age = dict(zip(unique, parts[1]))
    text = breakdown.astype(str)
    return pd.DataFrame({"need": text.map(need), "age": text.map(age)}, index=breakdown.index)


def need_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``rows`` that split a measure by primary need across all ages (a need
    label without an age), with a ``need`` column. The column is taken from the selected
    rows' own labels: assigning the whole label column to an empty selection would make
    every row's label its rows (an LA that never published the split, Isle of Wight's new
    plans)."""
    labels = split_label(rows["breakdown"])
    keep = (labels["need"] != "") & (labels["age"] == "")
    return rows[keep].assign(need=labels.loc[keep, "need"])


def with_needs(tables: sen2.ReleaseTables) -> sen2.ReleaseTables:
    """Add the need rows of a 2025-format release to what :func:`sen2.read_release` read.

    A release without the need files (the 2022 format, or a trimmed download) is returned
    unchanged.
    """
    release = tables.release
    if tables.format != "2025" or not release.has(ALL_PLANS_FILE):
        return tables
    pieces = [_read(release, ALL_PLANS_FILE, "january", "ehcp_total", _AGES_ALL, placements=True)]
    if release.has(NEW_PLANS_FILE):
        pieces.append(_read(release, NEW_PLANS_FILE, "calendar", "new_plans", None, placements=False,
                            all_row=True))
    measures = pd.concat([tables.measures, *pieces], ignore_index=True)
    file_of = {m: (NEW_PLANS_FILE if m == "new_plans" else ALL_PLANS_FILE) for m in measures["measure"].unique()}
    measures, withheld = _withhold_contradictions(measures, file_of, release)
    if not withheld.empty:
        log.warning("%s: %d need splits contradict the release's totals and are withheld (listed in checks.csv)",
                    release.path.name, len(withheld))
        withheld = pd.concat([tables.withheld, withheld], ignore_index=True)
    else:
        withheld = tables.withheld
    return dataclasses.replace(tables, measures=measures, withheld=withheld)


def _read(release: Release, file: str, year_basis: str, measure: str, ages: dict[str, str] | None, *,
          placements: bool, all_row: bool = False) -> pd.DataFrame:
    """One need table -> tidy rows (see the module docstring for what each row is)."""
    spec = TableSpec(file=file, year_basis=year_basis, components=())
    required = AREA_COLUMNS + ("breakdown_topic", "breakdown", "ehc_plans") + tuple(NEED_COLUMNS.values())
    frame, label, _ = sen2.load_table(release, spec, required)
    topic = frame["breakdown_topic"].str.strip()
    text = frame["breakdown"].str.strip()
    counts = {need: parse_numbers(frame[column], path=label, column=column, rows=frame["_row"], kind="count")[0]
              for need, column in NEED_COLUMNS.items()}
    values = pd.DataFrame(counts)
    # A row with any need not published has no usable need split: all its needs are missing.
    values = values.where(values.notna().all(axis=1), axis=0)
    source = f"DfE SEN2 {release.path.name}: {file}"
    out = []

    def emit(mask: pd.Series, ages_of_rows: pd.Series | None) -> None:
        chosen = frame[mask]
        for need in PRIMARY_NEEDS:
            labels = (f"need={need}" if ages_of_rows is None
                      else ("need=" + need + ";age=" + ages_of_rows[mask]).to_numpy())
            out.append(pd.DataFrame({"la_key": chosen["la_key"].to_numpy(), "year": chosen["year"].to_numpy(),
                                     "year_basis": year_basis, "measure": measure, "breakdown": labels,
                                     "value": values.loc[mask, need].to_numpy(), "source": source}))

    if all_row:
        emit(topic == "All EHC plans", None)
    if ages is not None:
        by_age = (topic == "Child or young persons age") & text.isin(ages)
        sen2.check_unique(frame[by_age], ["year", "la_key", "breakdown"], label)
        emit(by_age, text.map(ages))
    if placements:
        out.append(_placements(frame, topic, text, values, year_basis, source, label))
    return pd.concat(out, ignore_index=True)


def _placements(frame: pd.DataFrame, topic: pd.Series, text: pd.Series, values: pd.DataFrame,
                year_basis: str, source: str, label: str) -> pd.DataFrame:
    """Placement groups by need: sums of the published placement rows, plus the derived
    ``ehcp_other`` (the need's total minus the five published groups).

    DfE publishes no row for a placement type an LA has no plans in, so within an LA and
    year whose placement rows are published, a group with no row is 0; a group any of
    whose rows is ``x`` is missing.
    """
    placed = (topic == "Type of placement") & text.isin(PLACEMENT_ROWS)
    sen2.check_unique(frame[placed], ["year", "la_key", "breakdown"], label)
    long = values[placed].assign(la_key=frame.loc[placed, "la_key"], year=frame.loc[placed, "year"],
                                 measure=text[placed].map(PLACEMENT_ROWS))
    long = long.melt(id_vars=["la_key", "year", "measure"], var_name="need", value_name="value")
    grouped = long.groupby(["la_key", "year", "need", "measure"])["value"]
    summed = grouped.sum(min_count=1).where(grouped.count() == grouped.size())
    wide = summed.unstack("measure")
    present = grouped.size().unstack("measure").notna()
    for group in _FIVE_GROUPS + ("ehcp_resourced_unit",):
        wide[group] = wide[group].where(present[group], 0.0) if group in wide else 0.0
    all_rows = topic == "All EHC plans"
    totals = values[all_rows].assign(la_key=frame.loc[all_rows, "la_key"], year=frame.loc[all_rows, "year"])
    totals = totals.melt(id_vars=["la_key", "year"], var_name="need", value_name="total")
    wide = wide.reset_index().merge(totals, on=["la_key", "year", "need"], how="left")
    wide["ehcp_other"] = wide["total"] - wide[list(_FIVE_GROUPS)].sum(axis=1, min_count=len(_FIVE_GROUPS))
    rows = wide.melt(id_vars=["la_key", "year", "need"], value_vars=list(_FIVE_GROUPS)
                     + ["ehcp_resourced_unit", "ehcp_other"], var_name="measure", value_name="value")
    derived = {"ehcp_other": " (derived: need total minus the five placement groups)",
               "ehcp_state_special": " (derived: sum of placement rows)",
               "ehcp_independent_special": " (derived: sum of placement rows)",
               "ehcp_resourced_unit": " (derived: sum of placement rows)"}
    return pd.DataFrame({"la_key": rows["la_key"], "year": rows["year"], "year_basis": year_basis,
                         "measure": rows["measure"], "breakdown": "need=" + rows["need"],
                         "value": rows["value"], "source": source + rows["measure"].map(derived).fillna("")})


# ------------------------------------------------------------------ checks
CHECK_COLUMNS = ["check", "la_code", "measure", "year", "expected", "found", "tolerance", "status", "note"]


#: A need split whose sum differs from the group's total published in another table of the
#: release by more than this (relative) or :data:`NEED_SLACK` children is withheld as
#: missing (the rule of :class:`sendcast.data.sources.ShareCheck`). The 2025 release gives
#: the Isle of Wight 3 new plans in 2024 in the need table against 187 in ``newplans.csv``.
NEED_TOLERANCE = 0.02
NEED_SLACK = 2.0


def need_checks(tidy: pd.DataFrame, key: str = "la_code") -> pd.DataFrame:
    """``needs_sum_to_total``: in every table, year and area, the thirteen needs (unknown
    included) add up to the same group's total published in the caseload or new-plans
    table of the release: ``pass`` when equal to the child, ``pass`` with a note when within
    :data:`NEED_TOLERANCE` or :data:`NEED_SLACK` (England's new plans 2024: 184 fewer in
    the need table, the Isle of Wight's), else ``fail``. An area whose need split is not
    published (``x``) is ``skipped`` with the reason. ``key`` is the area column of ``tidy``.
    """
    labels = split_label(tidy["breakdown"])
    is_need = labels["need"] != ""
    parts = tidy[is_need].assign(_age=labels.loc[is_need, "age"])
    if parts.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    keys = [key, "measure", "year", "year_basis", "_age"]
    summed = parts.groupby(keys)["value"].agg(found="sum", published="count", size="size").reset_index()
    plain_age = tidy["breakdown"].isin([f"age={a}" for a in ("0-2", *map(str, range(3, 26)))])
    totals = tidy[~is_need & ((tidy["breakdown"] == "") | plain_age)]
    totals = totals.assign(_age=totals["breakdown"].str.replace("age=", "", regex=False))
    totals = totals[keys + ["value"]].rename(columns={"value": "expected"})
    joined = summed.merge(totals, on=keys, how="inner").dropna(subset=["expected"])
    complete = joined["published"] == joined["size"]
    gap = (joined["found"] - joined["expected"]).abs()
    exact = gap < 1e-9
    close = gap <= (NEED_TOLERANCE * joined["expected"]).clip(lower=NEED_SLACK)
    status = np.where(~complete, "skipped", np.where(close, "pass", "fail"))
    context = np.where(joined["_age"] == "", "all ages", "age=" + joined["_age"])
    note = np.where(~complete, context + ": need split missing (not published, x, or withheld: see the withheld rows)",
                    np.where(exact | ~close, context, context + ": the need table's total differs, within tolerance"))
    return pd.DataFrame({"check": "needs_sum_to_total", "la_code": joined[key], "measure": joined["measure"],
                         "year": joined["year"], "expected": joined["expected"],
                         "found": joined["found"].where(complete), "tolerance": NEED_TOLERANCE,
                         "status": status, "note": note, "_age": joined["_age"]})


def _withhold_contradictions(measures: pd.DataFrame, file_of: dict[str, str], release: Release
                             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Withhold need splits that contradict the release's own totals (see :data:`NEED_TOLERANCE`)."""
    results = need_checks(measures, key="la_key")
    bad = results[results["status"] == "fail"]
    if bad.empty:
        return measures, _NO_WITHHELD
    labels = split_label(measures["breakdown"])
    hit = pd.Series(False, index=measures.index)
    for _, row in bad.iterrows():
        hit |= ((measures["la_key"] == row["la_code"]) & (measures["measure"] == row["measure"])
                & (measures["year"] == row["year"]) & (labels["need"] != "") & (labels["age"] == row["_age"]))
    withheld = pd.DataFrame({"la_key": bad["la_code"], "year": bad["year"],
                             "file": [release.label(file_of[m]) for m in bad["measure"]],
                             "row": 0, "column": "number_* (" + bad["note"] + ", " + bad["measure"] + ")",
                             "published": bad["found"], "implied": bad["expected"]})
    return measures.assign(value=measures["value"].mask(hit)), withheld


_NO_WITHHELD = pd.DataFrame(columns=["la_key", "year", "file", "row", "column", "published", "implied"])


def need_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One LA's need rows (tidy, all ages) as a table: need down the side, one column per
    measure and year (``ehcp_total 2025``, ...), with the share of each measure in %."""
    labels = split_label(rows["breakdown"])
    chosen = rows[(labels["need"] != "") & (labels["age"] == "")].assign(need=labels["need"])
    if chosen.empty:
        return pd.DataFrame()
    chosen = chosen.assign(column=chosen["measure"] + " " + chosen["year"].astype(str))
    table = chosen.pivot_table(index="need", columns="column", values="value", aggfunc="first", sort=False)
    table = table.reindex([n for n in PRIMARY_NEEDS if n in table.index])
    return table
