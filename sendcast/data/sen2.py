"""Read the DfE "Education, health and care plans" (SEN2) releases into tidy measures.

Two formats are understood, recognised by the files a release holds:

- the 2025 format (``caseload.csv``, ``newplans.csv``, ...): Januaries 2019 onwards;
- the 2022 format (``sen2_estab_caseload.csv``, ...): Januaries 2010-2022, long by
  establishment type.

Each published table is described once in :mod:`sendcast.data.sources`; this module
validates the rows (markers, counts, years, duplicates, LA codes) and turns each
:class:`~sendcast.data.sources.Component` into rows of the tidy table.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pandas as pd

from sendcast.data import sources
from sendcast.data.cells import parse_numbers, sum_components
from sendcast.data.periods import parse_time_periods
from sendcast.data.release import Release, read_csv_text, require_columns
from sendcast.runtime.errors import InputError

log = logging.getLogger(__name__)

ENGLAND_KEY = "england"
_OLD_CODE = re.compile(r"^\d{3}$")
_NEW_CODE = re.compile(r"^E\d{8}$")
_KEEP_LEVELS = ("National", "Local authority")


@dataclass(frozen=True)
class ReleaseTables:
    """What one release yields: tidy measure rows and the LA names and codes it used."""

    release: Release
    format: str
    measures: pd.DataFrame  # la_key, year, year_basis, measure, breakdown, value, source
    areas: pd.DataFrame  # la_key, new_la_code, la_name, region_name, year
    latest_january: int
    withheld: pd.DataFrame  # la_key, year, file, row, column, published, implied


def release_format(release: Release) -> str:
    """Say which SEN2 format a release is in, or raise naming what is missing."""
    if release.has("caseload.csv"):
        return "2025"
    if release.has("sen2_estab_caseload.csv"):
        return "2022"
    raise InputError(
        release.path,
        "an SEN2 release holding caseload.csv (2023 onwards) or sen2_estab_caseload.csv "
        "(up to 2022)",
        found="CSV files: " + (", ".join(sorted(release.members)) or "none"),
    )


def read_release(release: Release) -> ReleaseTables:
    """Read every table sendcast uses from one SEN2 release."""
    fmt = release_format(release)
    if fmt == "2025":
        pieces = [_read_wide(release, spec) for spec in sources.FORMAT_2025]
    else:
        pieces = [
            _read_establishments(release, sources.CASELOAD_2022, "Total_all"),
            _read_establishments(release, sources.NEWPLANS_2022, "Total_new_all"),
            _read_wide(release, sources.CASELOAD_AGE_2022),
            _read_wide(release, sources.MI_2022),
        ]
    measures = pd.concat([p[0] for p in pieces], ignore_index=True)
    measures = _add_other_placements(measures)
    areas = pd.concat([p[1] for p in pieces], ignore_index=True)
    _check_areas_agree(areas)
    areas = areas.drop(columns=["_file", "_row", "_basis"]).drop_duplicates()
    withheld = pd.concat([p[2] for p in pieces], ignore_index=True)
    latest = int(measures.loc[measures["measure"] == "ehcp_total", "year"].max())
    log.info("read SEN2 %s-format release %s: %d rows, %d withheld", fmt, release.path,
             len(measures), len(withheld))
    return ReleaseTables(release, fmt, measures, areas, latest, withheld)


# ------------------------------------------------------------------ shared steps
def _load(release: Release, spec: sources.TableSpec, required: tuple[str, ...] | None = None
          ) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Read a table, check its columns, keep England and LA rows, parse years and areas.

    Also returns the table's regional rows (unvalidated), used only to spot LA rows
    that repeat their region's total.

    ``required`` overrides the spec's own column list (for tables pivoted after reading).
    """
    label = release.label(spec.file)
    if not release.has(spec.file):
        raise InputError(release.path, f"a table named {spec.file} in the release", found="no such file")
    frame = read_csv_text(release.read_bytes(spec.file), label)
    require_columns(frame, spec.required_columns if required is None else required, label)
    check_vocabulary(frame, "geographic_level", sources.GEOGRAPHIC_LEVELS, label)
    if "breakdown_topic" in spec.row_filter and spec.file in sources.BREAKDOWN_TOPICS_2025:
        check_vocabulary(frame, "breakdown_topic", sources.BREAKDOWN_TOPICS_2025[spec.file], label)
    for column, value in spec.row_filter.items():
        frame = frame[frame[column].str.strip() == value]
    level = frame["geographic_level"].str.strip()
    regional = frame[level == "Regional"]
    frame = frame[level.isin(_KEEP_LEVELS)]
    if frame.empty:
        raise InputError(label, f"England and LA rows matching {spec.row_filter or 'the table'}", found="none")
    frame = frame.copy()
    frame["year"] = parse_time_periods(frame["time_period"], frame["_row"], label)
    if spec.from_year is not None:
        frame = frame[frame["year"] >= spec.from_year]
    frame["la_key"] = _area_keys(frame, label)
    return frame, label, regional


def check_vocabulary(frame: pd.DataFrame, column: str, allowed, label: str) -> None:
    """Every cell of ``column`` (spaces trimmed) is one of ``allowed``, or an error naming the
    first row that is not, what it holds and what is allowed."""
    text = frame[column].str.strip()
    unknown = ~text.isin(allowed)
    if unknown.any():
        row = frame.loc[unknown].iloc[0]
        listed = sorted(allowed)
        shown = ", ".join(repr(v) for v in listed[:8]) + (", ..." if len(listed) > 8 else "")
        raise InputError(label, f"one of {shown} (as published; another spelling would drop the row)",
                         row=int(row["_row"]), column=column, found=str(row[column]))


def _area_keys(frame: pd.DataFrame, label: str) -> pd.Series:
    """Stable LA key: the three-digit DfE LA number (``ENGLAND_KEY`` for England).

    Nine-character ONS codes change without any change of area (Gateshead 2014,
    Northumberland 2014, Buckinghamshire 2020), so they are kept as aliases, not keys.
    """
    national = frame["geographic_level"].str.strip() == "National"
    old = frame["old_la_code"].str.strip()
    new = frame["new_la_code"].str.strip()
    bad_old = ~national & ~old.str.match(_OLD_CODE)
    if bad_old.any():
        row = frame.loc[bad_old, "_row"].iloc[0]
        raise InputError(label, "a three-digit LA number such as 916", row=int(row),
                         column="old_la_code", found=str(old[bad_old].iloc[0]))
    bad_new = ~national & ~new.str.match(_NEW_CODE)
    if bad_new.any():
        row = frame.loc[bad_new, "_row"].iloc[0]
        raise InputError(label, "a nine-character LA code such as E10000013", row=int(row),
                         column="new_la_code", found=str(new[bad_new].iloc[0]))
    return old.where(~national, ENGLAND_KEY)


def _check_unique(frame: pd.DataFrame, keys: list[str], label: str) -> None:
    duplicated = frame.duplicated(keys, keep=False)
    if duplicated.any():
        rows = frame.loc[duplicated, "_row"].head(2).tolist()
        first = frame.loc[duplicated].iloc[0]
        what = ", ".join(f"{k}={first[k]}" for k in keys if k != "la_key")
        raise InputError(label, f"one row per area and year ({what} appears in rows {rows[0]} and {rows[1]})",
                         row=int(rows[1]))


def _areas(frame: pd.DataFrame, label: str, year_basis: str) -> pd.DataFrame:
    la = frame[frame["la_key"] != ENGLAND_KEY]
    out = la[["la_key", "new_la_code", "la_name", "region_name", "year", "_row"]].copy()
    for column in ("new_la_code", "la_name", "region_name"):
        out[column] = out[column].str.strip()
    out["_file"] = label
    out["_basis"] = year_basis
    return out.drop_duplicates(["la_key", "new_la_code", "la_name", "region_name", "year"])


def _check_areas_agree(areas: pd.DataFrame) -> None:
    """Within one release, an LA name carries one LA number in every table for a year.

    Compared within a year basis (a January caseload and a calendar-year flow of the same
    number are different dates). The number most tables agree on is taken as right; the
    first row that disagrees holds an unknown LA number (a typo, or a row from another
    LA) and is refused, naming its file and row. Nine-character codes are not compared:
    DfE's own tables disagree on them around reorganisations (Buckinghamshire, 2022 new
    plans), and the three-digit number is the key.
    """
    table = areas.assign(_name=areas["la_name"].str.casefold())
    groups = ["_name", "year", "_basis"]
    votes = table.groupby(groups + ["la_key"])["_file"].nunique().rename("_votes").reset_index()
    votes = votes.sort_values(groups + ["_votes", "la_key"], ascending=[True, True, True, False, True])
    agreed = votes.drop_duplicates(groups).set_index(groups)["la_key"]
    expected = agreed.reindex(pd.MultiIndex.from_frame(table[groups])).to_numpy()
    bad = table["la_key"].to_numpy() != expected
    if bad.any():
        row = table[bad].iloc[0]
        raise InputError(row["_file"], f"LA number {expected[bad][0]}, which the other tables of the release "
                         f"give {row['la_name']} for {row['year']}", row=int(row["_row"]), column="old_la_code",
                         found=str(row["la_key"]))


def _source(release: Release, spec_file: str, component: sources.Component) -> str:
    source = f"DfE SEN2 {release.path.name}: {spec_file}"
    if component.derived:
        source += " (derived: sum of " + " + ".join(component.columns) + ")"
    return source


def _tidy(frame: pd.DataFrame, spec: sources.TableSpec, release: Release, label: str,
          parsed: dict[str, tuple[pd.Series, pd.Series]]) -> pd.DataFrame:
    rows = []
    for component in spec.components:
        values = sum_components([parsed[c][0] for c in component.columns],
                                [parsed[c][1] for c in component.columns])
        rows.append(pd.DataFrame({
            "la_key": frame["la_key"].to_numpy(),
            "year": frame["year"].to_numpy(),
            "year_basis": spec.year_basis,
            "measure": component.measure,
            "breakdown": frame["_breakdown"].to_numpy() if "_breakdown" in frame else component.breakdown,
            "value": values.to_numpy(),
            "source": _source(release, spec.file, component),
        }))
    return pd.concat(rows, ignore_index=True)


# ------------------------------------------------------------------ wide tables
def _read_wide(release: Release, spec: sources.TableSpec
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A table with one row per area, year (and breakdown) and one column per count."""
    frame, label, regional = _load(release, spec)
    keys = ["year", "la_key"]
    if spec.breakdown_column:
        check_vocabulary(frame, spec.breakdown_column, spec.breakdown_map, label)
        frame = frame.copy()
        frame["_breakdown"] = frame[spec.breakdown_column].str.strip().map(spec.breakdown_map)
        frame = frame[frame["_breakdown"].notna()]
        keys.append("_breakdown")
    _check_unique(frame, keys, label)
    parsed = {
        column: parse_numbers(frame[column], path=label, column=column, rows=frame["_row"],
                              kind=_kind(spec, column))
        for column in spec.value_columns
    }
    withheld = _NO_WITHHELD
    if spec.share_check is not None:
        parsed, withheld = _withhold_inconsistent(frame, regional, spec.share_check, parsed, label)
    return _tidy(frame, spec, release, label, parsed), _areas(frame, label, spec.year_basis), withheld


def _equals_region_total(frame: pd.DataFrame, regional: pd.DataFrame, column: str,
                         total: pd.Series) -> pd.Series:
    """LA rows whose total equals their region's published total (region of 2+ LAs)."""
    if regional.empty:
        return pd.Series(False, index=frame.index)
    region_values = pd.to_numeric(regional[column].str.strip(), errors="coerce")
    lookup = dict(zip(zip(regional["time_period"].str.strip(), regional["region_name"].str.strip()),
                      region_values))
    is_la = frame["la_key"] != ENGLAND_KEY
    keys = list(zip(frame["time_period"].str.strip(), frame["region_name"].str.strip()))
    region_total = pd.Series([lookup.get(k) for k in keys], index=frame.index, dtype=float)
    las_in_region = frame[is_la].groupby([frame["time_period"], frame["region_name"]])["la_key"].transform("nunique")
    several = las_in_region.reindex(frame.index).fillna(0) > 1
    return (is_la & several & (total == region_total)).fillna(False).astype(bool)


_NO_WITHHELD = pd.DataFrame(columns=["la_key", "year", "file", "row", "column", "published", "implied"])


def _withhold_inconsistent(frame: pd.DataFrame, regional: pd.DataFrame, check: sources.ShareCheck,
                           parsed: dict[str, tuple[pd.Series, pd.Series]], label: str
                           ) -> tuple[dict[str, tuple[pd.Series, pd.Series]], pd.DataFrame]:
    """Withhold totals that contradict their own row (see :class:`~sources.ShareCheck`)."""
    part, _ = parse_numbers(frame[check.part], path=label, column=check.part, rows=frame["_row"], kind="count")
    share, _ = parse_numbers(frame[check.share], path=label, column=check.share, rows=frame["_row"],
                             kind="percent")
    total, total_na = parsed[check.total]
    implied = part / (share / 100.0)
    allowed = (sources.SHARE_TOLERANCE * total).clip(lower=sources.SHARE_SLACK)
    bad = (share > 0) & ((implied - total).abs() > allowed)
    bad = bad.fillna(False).astype(bool) | _equals_region_total(frame, regional, check.total, total)
    if not bad.any():
        return parsed, _NO_WITHHELD
    for row, value, guess in zip(frame.loc[bad, "_row"], total[bad], implied[bad]):
        log.info("%s, row %d, column '%s': published %g contradicts its own row (%s/%s gives %.0f, "
                 "or it repeats the regional total); withheld", label, row, check.total, value,
                 check.part, check.share, guess)
    log.warning("%s: %d published values of '%s' contradict their own rows and are withheld as "
                "missing (listed in checks.csv)", label, int(bad.sum()), check.total)
    withheld = pd.DataFrame({"la_key": frame.loc[bad, "la_key"], "year": frame.loc[bad, "year"],
                             "file": label, "row": frame.loc[bad, "_row"], "column": check.total,
                             "published": total[bad], "implied": implied[bad].round(1)})
    fixed = dict(parsed)
    fixed[check.total] = (total.mask(bad), total_na)
    return fixed, withheld


def _kind(spec: sources.TableSpec, column: str) -> str:
    return next(c.kind for c in spec.components if column in c.columns)


# ------------------------------------------------------------------ long 2022 tables
def _read_establishments(release: Release, spec: sources.TableSpec, value_column: str
                         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The 2010-2022 establishment tables: one row per area, year and establishment.

    Each establishment type (or group, on the ``Total`` rows) becomes a column; an
    establishment row absent in a year was not collected then and counts as none.
    """
    required = sources.AREA_COLUMNS + ("establishment_type", "establishment_group", value_column)
    frame, label, _ = _load(release, spec, required)
    _check_unique(frame, ["year", "la_key", "establishment_type", "establishment_group"], label)
    values, not_applicable = parse_numbers(frame[value_column], path=label, column=value_column,
                                           rows=frame["_row"], kind="count")
    check_vocabulary(frame, "establishment_type", sources.ESTABLISHMENT_TYPES_2022, label)
    check_vocabulary(frame, "establishment_group", sources.ESTABLISHMENT_GROUPS_2022, label)
    etype = frame["establishment_type"].str.strip()
    group = frame["establishment_group"].str.strip()
    target = etype.map(sources.ESTABLISHMENT_COLUMNS_2022)
    on_total = etype == "Total"
    target = target.where(~on_total | (group == "Total"),
                          group.map(sources.ESTABLISHMENT_GROUP_COLUMNS_2022))
    keep = target.notna()
    long = pd.DataFrame({"year": frame["year"], "la_key": frame["la_key"], "target": target,
                         "value": values, "z": not_applicable})[keep]
    wide_values = long.pivot(index=["year", "la_key"], columns="target", values="value")
    wide_z = long.pivot(index=["year", "la_key"], columns="target", values="z")
    # An establishment row the release does not publish for a year was not part of the
    # collection then (FE placements before 2015, academies before 2011): none recorded.
    for column in spec.value_columns:
        if column not in wide_values:
            wide_values[column] = float("nan")
            wide_z[column] = False
    absent = wide_values.isna() & wide_z.isna()
    wide_values = wide_values.mask(absent, 0.0)
    wide_z = wide_z.astype("boolean").fillna(False).astype(bool)
    wide = wide_values.reset_index()
    parsed = {c: (wide[c].astype(float), wide_z[c].reset_index(drop=True)) for c in spec.value_columns}
    tidy = _tidy(wide, spec, release, label, parsed)
    return tidy, _areas(frame, label, spec.year_basis), _NO_WITHHELD


# ------------------------------------------------------------------ derived measures
def _add_other_placements(measures: pd.DataFrame) -> pd.DataFrame:
    """Add ``ehcp_other`` = total minus the five published placement groups."""
    totals = measures[(measures["year_basis"] == "january") & (measures["breakdown"] == "")]
    groups = ["ehcp_total", "ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special",
              "ehcp_fe", "ehcp_ap"]
    wide = totals[totals["measure"].isin(groups)].pivot_table(
        index=["la_key", "year"], columns="measure", values="value", aggfunc="first", dropna=False)
    if wide.empty:
        return measures
    other = wide["ehcp_total"] - wide[groups[1:]].sum(axis=1, min_count=len(groups) - 1)
    source = totals["source"].iloc[0].split(":")[0] + ": derived: ehcp_total minus the five placement groups"
    extra = other.rename("value").reset_index()
    extra = extra.assign(year_basis="january", measure="ehcp_other", breakdown="", source=source)
    return pd.concat([measures, extra[measures.columns]], ignore_index=True)


#: Public names for readers of further published tables in the same release format
#: (:mod:`sendcast.data.needs`).
load_table = _load
check_unique = _check_unique
