"""EHC plans by primary need in the forecast: shares projected, applied to the totals.

What it does (the engine is :mod:`forecast.need_shares`; this module only gathers the
published data and labels the results):

- :func:`national_need_backtest`: the time-respecting backtest of the share methods against
  carrying the latest shares forward, for the need shares of every LA (``ehcp_total`` by
  primary need). The shipped release publishes need for January 2025 only, so it scores
  nothing (said in the table: ``scored`` 0, errors blank). Beside it, for evidence on how
  compositions of EHC plans move, the same methods on the **placement-group shares**
  (six groups, January 2015-2025, every LA without a series break): the one composition of
  SEN2 with a history. Those rows inform, they do not choose: the need-share method is
  chosen on need data only (:func:`forecast.need_shares.choose_method`).
- :func:`project_needs`: an LA's EHC plans by primary need for each future January: the
  chosen method's shares (for each measure, from that measure's own need split: the total
  and each placement group) times the central forecast of that measure's total.
- :func:`special_demand_by_designation`: state special demand by need against the places
  in the capacity file by designation.

Caseloads are January census years throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecast import need_shares as engine
from sendcast.data.build import Dataset
from sendcast.data.measures import ENGLAND_CODE, MEASURES, PLACEMENT_GROUPS, PRIMARY_NEEDS
from sendcast.data.needs import need_rows
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.notes import Note, NoteKind

#: Measures whose need split is projected: the total and the placement groups.
NEED_MEASURES: tuple[str, ...] = ("ehcp_total",) + PLACEMENT_GROUPS + ("ehcp_resourced_unit",)
#: First January of the placement-share analogue: FE placements entered the collection in
#: 2015 and many LAs report none that January (Gloucestershire 0, then 201 in 2016).
ANALOGUE_FROM = 2016
#: Fewest consecutive years an origin needs to be scored: a trend from two points is one
#: year's change extrapolated. (Set after a first run with 1; with 1, 3 or 5 carrying
#: forward wins at every horizon on the placement analogue, so the choice does not hang on it.)
MIN_HISTORY = 3

BACKTEST_COLUMNS = ["series", "method", "horizon", "scored", "areas", "mae_pp", "mae_pp_carry_forward",
                    "ratio_to_carry_forward", "chosen", "note"]


def need_panel(dataset: Dataset, measure: str = "ehcp_total", *, until: int | None = None) -> pd.DataFrame:
    """Every LA's need split of ``measure`` (all ages): ``area, year, category, count``.

    An area-year with any need missing is left out (a share needs every category)."""
    rows = dataset.measures[(dataset.measures["measure"] == measure) & (dataset.measures["la_code"] != ENGLAND_CODE)]
    rows = need_rows(rows).rename(columns={"need": "category"})
    if until is not None:
        rows = rows[rows["year"] <= until]
    complete = rows.groupby(["la_code", "year"])["value"].transform(lambda v: v.notna().all())
    rows = rows[complete.astype(bool)]
    return pd.DataFrame({"area": rows["la_code"], "year": rows["year"], "category": rows["category"],
                         "count": rows["value"]}).reset_index(drop=True)


def placement_panel(dataset: Dataset, *, until: int | None = None) -> pd.DataFrame:
    """The six placement groups' January caseloads, every LA without a series break,
    January :data:`ANALOGUE_FROM` on: ``area, year, category, count``."""
    m = dataset.measures
    broken = set(dataset.geography.breaks["la_code"])
    rows = m[m["measure"].isin(PLACEMENT_GROUPS) & (m["breakdown"] == "") & (m["la_code"] != ENGLAND_CODE)
             & ~m["la_code"].isin(broken) & (m["year"] >= ANALOGUE_FROM) & m["value"].notna()]
    if until is not None:
        rows = rows[rows["year"] <= until]
    complete = rows.groupby(["la_code", "year"])["measure"].transform("size") == len(PLACEMENT_GROUPS)
    rows = rows[complete & (rows["value"] >= 0)]
    return pd.DataFrame({"area": rows["la_code"], "year": rows["year"], "category": rows["measure"],
                         "count": rows["value"]}).reset_index(drop=True)


@dataclass(frozen=True)
class NeedBacktest:
    """The national backtest of need shares: the table, the choice and its reason."""

    table: pd.DataFrame  # BACKTEST_COLUMNS
    choice: engine.ShareChoice
    need_years: tuple[int, ...]


def national_need_backtest(dataset: Dataset, *, horizons: int = 5, until: int | None = None) -> NeedBacktest:
    """Backtest the share methods on every LA's need shares, with the placement-share
    analogue beside them; choose the need-share method on the need rows only."""
    needs = need_panel(dataset, until=until)
    need_errors = engine.backtest_shares(needs, horizons=horizons, min_history=MIN_HISTORY)
    need_summary = engine.summarise_backtest(need_errors, horizons=horizons)
    choice = engine.choose_method(need_summary)
    years = tuple(sorted(int(y) for y in needs["year"].unique()))
    need_summary = need_summary.assign(series="need shares (EHC plans by primary need)",
                                       chosen=need_summary["method"] == choice.method,
                                       note=_need_note(years, len(needs["area"].unique())))
    analogue_errors = engine.backtest_shares(placement_panel(dataset, until=until), horizons=horizons,
                                             min_history=MIN_HISTORY)
    analogue = engine.summarise_backtest(analogue_errors, horizons=horizons)
    analogue = analogue.assign(series="placement shares (six groups; analogue with history, not used to choose)",
                               chosen=False,
                               note=f"January {ANALOGUE_FROM}-{until or 'latest'}, LAs without a series break; "
                               "includes the January 2023 FE/other recording break")
    table = pd.concat([need_summary, analogue], ignore_index=True)[BACKTEST_COLUMNS]
    return NeedBacktest(table, choice, years)


def _need_note(years: tuple[int, ...], areas: int) -> str:
    if len(years) < 2:
        shown = ", ".join(map(str, years)) or "none"
        return (f"need published for January {shown} only ({areas} LAs): no origin has a later year to score; "
                "not measured")
    return f"January {years[0]}-{years[-1]}, {areas} LAs"


def _need_rows(dataset: Dataset, la_code: str, measure: str) -> pd.DataFrame:
    """The LA's published need rows of ``measure`` (all ages), with a ``need`` column."""
    m = dataset.measures
    return need_rows(m[(m["la_code"] == la_code) & (m["measure"] == measure)])


def need_counts(dataset: Dataset, la_code: str, measure: str = "ehcp_total") -> pd.DataFrame:
    """One LA's published need split of ``measure`` (all ages): a year down the side, the
    thirteen needs across (a need with no row is 0; a published value withheld stays NaN,
    so its year is incomplete). Empty when none is published."""
    rows = _need_rows(dataset, la_code, measure)
    if rows.empty:
        return pd.DataFrame(columns=list(PRIMARY_NEEDS), index=pd.Index([], name="year"), dtype=float)
    counts = rows.pivot_table(index="year", columns="need", values="value", aggfunc="first", dropna=False)
    return counts.reindex(columns=list(PRIMARY_NEEDS), fill_value=0.0).sort_index().astype(float)


def need_history(dataset: Dataset, la_code: str, measure: str = "ehcp_total") -> tuple[pd.DataFrame, str | None]:
    """The years of the LA's need split of ``measure`` its shares are projected from
    (:func:`forecast.need_shares.projectable_history`: a positive total, every need
    published, the latest run of consecutive years), and why any published year is left out
    (``None`` when none is). An empty history (nothing to project: no split published, or
    none with a positive total) always comes with its reason."""
    counts = need_counts(dataset, la_code, measure)
    history = engine.projectable_history(counts)
    if counts.empty:
        return history, "SEN2 publishes no need split of it"
    left_out = [int(y) for y in counts.index if y not in history.index]
    if not left_out:
        return history, None
    incomplete = {int(y) for y in counts.index[counts.isna().any(axis=1)]}
    zero = {int(y) for y in counts.index[counts.fillna(0).sum(axis=1) <= 0]} - incomplete
    reasons = []
    if zero:
        published = _published_totals(dataset, la_code, measure)
        none = {y for y in zero if published.get(y) == 0}
        hidden = zero - none
        if none:
            reasons.append(f"January {_years(none)}: no such plans published (total 0), so no shares")
        if hidden:
            reasons.append(f"January {_years(hidden)}: every need published as 0 though the total is not "
                           "(counts too small to publish, or missing), so the shares are not known")
    if incomplete:
        reasons.append(f"January {_years(incomplete)}: a need's count withheld, so the shares are not known")
    earlier = set(left_out) - zero - incomplete
    if earlier:
        reasons.append(f"January {_years(earlier)}: before a year left out (a trend is not carried across a gap)")
    if history.empty:
        return history, "; ".join(reasons)
    return history, (f"projected from January {_years(history.index)} only (the latest years with a positive "
                     "total); left out: " + "; ".join(reasons))


def _need_notes(name: str, unsplit: dict[str, list[str]], partial: dict[str, list[str]]) -> list[Note]:
    """One note per reason: the measures (by reason) not split by need, then those split
    from fewer years than published (``partial``: reason -> measures)."""
    notes = [Note(NoteKind.NEED_SPLIT, f"{_labels(measures)}: not split by primary need for {name}: {reason}. "
                  "Nothing is filled in: " + ("the forecast totals stand" if len(measures) > 1 else
                                              "the forecast total stands") + " in forecast.csv, without a need split.",
                  "warning", tuple(measures)) for reason, measures in unsplit.items()]
    notes += [Note(NoteKind.NEED_SPLIT, f"{_labels(measures)}: need shares for {name} {reason}.", "warning",
                   tuple(measures)) for reason, measures in partial.items()]
    return notes


def _labels(measures: list[str]) -> str:
    """The measures in words: ``EHC plans: mainstream school, state special school`` for
    placement groups, ``EHC plans, all and in: mainstream school, ...`` with the total."""
    if len(measures) == 1:
        return MEASURES[measures[0]].label
    prefix = "EHC plans: "
    groups = [MEASURES[m].label for m in measures if m != "ehcp_total"]
    if not all(label.startswith(prefix) for label in groups):
        return "; ".join(MEASURES[m].label for m in measures)
    places = ", ".join(label[len(prefix):] for label in groups)
    return f"EHC plans, all and in: {places}" if "ehcp_total" in measures else prefix + places


def _published_totals(dataset: Dataset, la_code: str, measure: str) -> dict[int, float]:
    """The LA's published total of ``measure`` (all needs, all ages) by year."""
    m = dataset.measures
    rows = m[(m["la_code"] == la_code) & (m["measure"] == measure) & (m["breakdown"] == "") & m["value"].notna()]
    return {int(y): float(v) for y, v in zip(rows["year"], rows["value"])}


def _years(years) -> str:
    """Januaries in words: 2021-2023 for a run, else listed (2019, 2021)."""
    years = sorted(int(y) for y in years)
    if len(years) > 1 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def _la_name(dataset: Dataset, la_code: str) -> str:
    las = dataset.geography.las
    names = las.loc[las["la_code"] == la_code, "la_name"]
    return str(names.iloc[0]) if not names.empty else la_code


def project_needs(dataset: Dataset, la_code: str, totals: pd.DataFrame, *,
                  method: str) -> tuple[pd.DataFrame, list[Note]]:
    """An LA's EHC plans by primary need in future Januaries, and notes on what was left out.

    ``totals``: ``measure, year, mean`` (central forecasts of :data:`NEED_MEASURES`; others
    ignored). Each measure's shares come from its own published need split (the years of
    :func:`need_history`), projected by ``method`` from its last year (``base_year``). A
    measure forecast but with no split to project (none published, or every need 0 in every
    year) is left out of the table, nothing filled in; a note for each reason names the
    measures (its ``subjects``), as does one for measures split from fewer years than
    published. Returns ``measure, need, year, share, value, method, base_year``: ``value`` =
    ``share`` x the measure's total (expected children, not rounded; needs add up to the
    total exactly).
    """
    out = []
    unsplit: dict[str, list[str]] = {}
    partial: dict[str, list[str]] = {}
    for measure in NEED_MEASURES:
        future = totals[totals["measure"] == measure].set_index("year")["mean"].sort_index()
        if future.empty:
            continue
        counts, reason = need_history(dataset, la_code, measure)
        if reason is not None:
            (unsplit if counts.empty else partial).setdefault(reason, []).append(measure)
        if counts.empty:
            continue
        base = int(counts.index[-1])
        future = future[future.index > base]
        if future.empty:
            continue
        shares = engine.project_shares(counts.rename_axis(columns="category"), method, int(future.index.max()) - base)
        applied = engine.apply_shares(future, shares)
        applied = applied.merge(shares.stack().rename("share").reset_index().rename(columns={"level_1": "category"}),
                                on=["year", "category"])
        out.append(applied.assign(measure=measure, method=method, base_year=base))
    notes = _need_notes(_la_name(dataset, la_code), unsplit, partial)
    if not out:
        return pd.DataFrame(columns=["measure", "need", "year", "share", "value", "method", "base_year"]), notes
    table = pd.concat(out, ignore_index=True).rename(columns={"category": "need"})
    return table[["measure", "need", "year", "share", "value", "method", "base_year"]], notes


def latest_mix(dataset: Dataset, la_code: str, measure: str = "ehcp_total") -> pd.DataFrame:
    """The published need split of ``measure`` the projection starts from (the last year of
    :func:`need_history`): ``need, year, value, share``; empty when there is none."""
    counts, _ = need_history(dataset, la_code, measure)
    if counts.empty:
        return pd.DataFrame(columns=["need", "year", "value", "share"])
    rows = _need_rows(dataset, la_code, measure)
    rows = rows[rows["year"] == counts.index[-1]]
    return pd.DataFrame({"need": rows["need"], "year": rows["year"], "value": rows["value"],
                         "share": rows["value"] / rows["value"].sum()}).reset_index(drop=True)


# -------------------------------------------------------------------------- designations
#: Words in a capacity file's ``designation`` -> the primary needs they take. "mixed",
#: "all" or a blank designation takes any need. Matched case-insensitively, word by word.
DESIGNATION_NEEDS: dict[str, tuple[str, ...]] = {
    "asd": ("asd",), "autism": ("asd",), "autistic": ("asd",),
    "semh": ("semh",), "slcn": ("slcn",),
    "mld": ("mld",), "sld": ("sld",), "pmld": ("pmld",), "spld": ("spld",),
    "pd": ("pd",), "physical": ("pd",), "hi": ("hi",), "vi": ("vi",), "msi": ("msi",),
}
_ANY = ("mixed", "all", "any", "generic", "")


def designation_needs(designation: str) -> tuple[str, ...] | None:
    """The needs a designation takes (``None``: any need; ``()``: not understood)."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in designation.lower()).split()]
    if not words or all(w in _ANY for w in words):
        return None
    found: list[str] = []
    for word in words:
        found.extend(DESIGNATION_NEEDS.get(word, ()))
    return tuple(dict.fromkeys(found))


def special_demand_by_designation(need_forecast: pd.DataFrame, capacity: pd.DataFrame,
                                  years: list[int]) -> pd.DataFrame:
    """State special demand by need against places by designation, per January.

    ``need_forecast``: :func:`project_needs` rows (``ehcp_state_special`` used). For each
    designation in the capacity file: the places open that January and the demand of the
    needs it takes; places designated "mixed" (or blank) are set against the demand of every
    need no designated places take. A designation not understood is reported with no
    demand and a note, never guessed. Demand: expected children (not rounded), all phases
    (SEN2 gives need by placement, not by placement and phase); ``places_phase`` says which
    phases the places serve, so a primary-only designation is read against it.
    """
    special = need_forecast[need_forecast["measure"] == "ehcp_state_special"]
    rows = []
    designations = capacity.assign(_needs=capacity["designation"].map(designation_needs))
    designated = sorted({n for needs in designations["_needs"] if needs for n in needs})
    for year in years:
        demand = special[special["year"] == year].set_index("need")["value"]
        opened = (designations["from_year"].isna() | (designations["from_year"] <= year)) & (
            designations["to_year"].isna() | (designations["to_year"] >= year))
        open_now = designations[opened.fillna(False).astype(bool)]
        for label, group in designations.groupby("designation", sort=False):
            needs = group["_needs"].iloc[0]
            if needs is None:
                covered = [n for n in PRIMARY_NEEDS if n not in designated]
                note = "places for any need, set against the needs no designated places take"
            elif not needs:
                covered, note = [], "designation not understood: no demand set against it"
            else:
                covered, note = list(needs), ""
            here = open_now[open_now["designation"] == label]
            places = int(here["places"].sum())
            phases = "/".join(sorted(set(group["phase"]))) if "phase" in group else ""
            need_demand = float(demand.reindex(covered).fillna(0.0).sum()) if len(demand) else np.nan
            rows.append({"year": year, "designation": label, "needs": "+".join(covered) or "-",
                         "places_phase": phases, "places": places, "demand": need_demand,
                         "gap": need_demand - places, "note": note})
    return pd.DataFrame(rows, columns=["year", "designation", "needs", "places_phase", "places", "demand", "gap",
                                       "note"])


def choose_need_method(dataset: Dataset, *, until: int | None = None, horizons: int = 5) -> engine.ShareChoice:
    """The need-share method chosen by the backtest on need data alone (cheap: no analogue)."""
    errors = engine.backtest_shares(need_panel(dataset, until=until), horizons=horizons, min_history=MIN_HISTORY)
    return engine.choose_method(engine.summarise_backtest(errors, horizons=horizons))


@dataclass(frozen=True)
class NeedForecast:
    """An LA's need forecast: ``by_need`` (:func:`project_needs` rows), ``latest`` (the
    published mix behind it), ``special`` (:func:`special_demand_by_designation`; empty
    without a capacity file), the method with its reason, and ``notes`` on every measure
    forecast but not split by need, or split from fewer years than published, and why."""

    by_need: pd.DataFrame
    latest: pd.DataFrame
    special: pd.DataFrame
    choice: engine.ShareChoice
    notes: tuple[Note, ...] = ()


def forecast_needs(dataset: Dataset, la_code: str, forecast: pd.DataFrame, capacity: pd.DataFrame | None, *,
                   until: int | None = None) -> NeedForecast:
    """Need shares for one LA applied to its forecast (``forecast``: ``measure, year, mean``);
    ``until``: only need splits published to January ``until`` (as the forecast itself)."""
    choice = choose_need_method(dataset, until=until)
    if until is not None:
        # the split projected from what was published by then, not from later Januaries
        dataset = replace(dataset, measures=dataset.measures[dataset.measures["year"] <= until])
    by_need, notes = project_needs(dataset, la_code, forecast, method=choice.method)
    special = pd.DataFrame()
    if capacity is not None and not capacity.empty:
        years = sorted(by_need.loc[by_need["measure"] == "ehcp_state_special", "year"].unique())
        if years:
            special = special_demand_by_designation(by_need, capacity, [int(y) for y in years])
        else:
            notes.append(Note(NoteKind.NEED_SPLIT, "State special demand by need is not set against the places by "
                              "designation in the capacity file (no special_by_need.csv): state special schools' "
                              "forecast is not split by need (see the note on them).", "warning",
                              ("ehcp_state_special",)))
    return NeedForecast(by_need, latest_mix(dataset, la_code), special, choice, tuple(notes))


class NeedSplitError(SendcastError):
    """An LA with no need split to project (none published, or every need 0)."""


def projected_need_shares(dataset: Dataset, la_code: str, years: list[int]) -> tuple[pd.DataFrame, str]:
    """Projected need shares of all EHC plans for the Januaries ``years`` (and the method),
    from the years of :func:`need_history`; :class:`NeedSplitError` when there are none."""
    choice = choose_need_method(dataset)
    counts, reason = need_history(dataset, la_code, "ehcp_total")
    if counts.empty:
        raise NeedSplitError(f"{_la_name(dataset, la_code)}: EHC plans cannot be split by primary need: {reason}")
    base = int(counts.index.max())
    ahead = max(1, max(years) - base)
    shares = engine.project_shares(counts, choice.method, ahead)
    published = engine.shares_of(counts)
    return pd.concat([published, shares]).sort_index(), choice.method
