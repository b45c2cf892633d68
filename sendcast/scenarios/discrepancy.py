"""Model discrepancy: the part of the simulation's out-of-sample error that its predictive
bands miss, measured on every LA's checks before the origin and added to the bands
(issue 19).

Why. The simulation's 95% bands draw its parameters with the spread of their out-of-sample
errors (:mod:`simulation.uncertainty`), yet across every LA they covered only 71% of the
3,445 one-year-ahead checks of ``calibrate --all-las`` (145 LAs, origins 2021-2023, code
9ea50a3; the forecast engine's covered 92%): the simulation's centre misses by more than
its parameters move it (the 2021-2023 surge in requests, SEN support and AP were not in
the draws). The bands are widened by a **discrepancy** ``s`` per measure and horizon,
added in quadrature to each side of the band (on the log scale for counts, in percentage
points for the 20-week share)::

    lower = centre - sqrt((centre - lo95)^2 + s^2)
    upper = centre + sqrt((hi95 - centre)^2 + s^2)

so a band already wide (a small LA's, a long horizon's) is widened little, and a narrow
one by about ``s``. ``s`` is the smallest spread that puts 95% of the past checks inside
their widened band (:func:`shortfall`, the conformal rank ``ceil((n + 1) x 0.95)`` of
``n`` checks: :func:`discrepancy`), never less at a longer horizon than at a shorter one.

**Time-respecting.** At origin January ``t`` only checks whose published value was known
by then are used (:func:`known_by`: a January count of ``t`` or before, a calendar-year
flow of ``t - 1`` or before): each of those came from a simulation calibrated before
``t``. An origin with no such checks (2021, the first validated) is not widened. Beyond
the longest horizon with checks, ``K``: ``s_K x sqrt(h / K)`` (a random walk's spread,
as :func:`simulation.uncertainty.error_path` extrapolates).

Evidence (the national table above, scored origin by origin with the discrepancy known
at that origin; one year ahead, the targets' measures): the bands covered 92.6% of the
2022 checks (raw 70.3%) and 92.9% of the 2023 checks (raw 73.8%), the forecast engine's
88.7% and 93.1%; median widths 74% and 83% of the published value (raw 40% and 41%,
forecast engine 67% and 78%). On the checks shipped now (code f9af44b: requests following
the forecast engine's EHC plans; 146 LAs): 91.9% and 91.4% (raw 72.6% and 72.1%), widths
67% and 77%. ``benchmarks/evidence_discrepancy.py`` recomputes it.

Which measures. The measures of :data:`sendcast.scenarios.validation.MEASURES` (a
run's ``ehcp_fe`` and ``ehcp_other`` each take FE + other's discrepancy: the pair is
scored together across the January 2023 recording break; ``sen_support`` counts take the
SEN support share's, on the log scale, the population being the same), totals only
(breakdowns and every other measure, e.g. spend, keep the replications' band: said in
the run's notes). The checks shipped with sendcast are ``data/evidence/
simulation_checks_all_las.csv`` (:data:`CHECK_COLUMNS`; written by ``sendcast calibrate
--all-las``, not published data).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.runtime.errors import SendcastError
from sendcast.scenarios.validation import FLOWS, REPORTED

#: Share of past checks the widened bands must hold.
COVERAGE = 0.95
#: Columns of the checks table (one row per LA, measure, origin and horizon) ...
CHECK_COLUMNS = ["la_code", "measure", "origin", "horizon", "year", "year_basis", "published", "simulated",
                 "lo95", "hi95"]
#: ... and, where there are any, the forecast engine's on the same rows (for the evidence).
FORECAST_COLUMNS = ["forecast", "forecast_lo95", "forecast_hi95"]
#: Measures whose discrepancy is in percentage points; on the log scale (shares that are
#: never 0: their discrepancy applies to the counts they are a share of); every other
#: measure (counts, possibly 0) on the ``log(1 + x)`` scale. Calendar-year flows (horizon
#: ``h``: calendar year ``t + h - 1``) are :data:`sendcast.scenarios.validation.FLOWS`.
POINT_MEASURES = ("issued_within_20wk_pct",)
LOG_MEASURES = ("sen_support_pct",)
#: A run's measure -> the validated measure whose discrepancy it takes.
RUN_MEASURES = {
    "ehcp_total": "ehcp_total",
    "ehcp_state_special": "ehcp_state_special",
    "ehcp_independent_special": "ehcp_independent_special",
    "ehcp_ap": "ehcp_ap",
    "ehcp_fe": "ehcp_fe_plus_other",
    "ehcp_other": "ehcp_fe_plus_other",
    "new_plans": "new_plans",
    "requests": "requests",
    "issued_within_20wk_pct": "issued_within_20wk_pct",
    "sen_support": "sen_support_pct",
}
#: The discrepancy table's columns.
DISCREPANCY_COLUMNS = ["measure", "horizon", "spread", "checks", "scale"]
#: Where the shipped checks are, under the data folder.
SHIPPED_CHECKS = Path("evidence") / "simulation_checks_all_las.csv"


def on_scale(measure: str, values) -> np.ndarray:
    """Values on the discrepancy's scale: percentage points for :data:`POINT_MEASURES`,
    ``log(x)`` for :data:`LOG_MEASURES`, ``log(1 + x)`` otherwise (``x`` below 0 taken as 0)."""
    values = np.asarray(values, dtype=float)
    if measure in POINT_MEASURES:
        return values
    if measure in LOG_MEASURES:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(np.where(values > 0, values, np.nan))
    return np.log1p(np.maximum(values, 0.0))


def from_scale(measure: str, values) -> np.ndarray:
    """Back from :func:`on_scale`: counts at least 0, shares within 0-100."""
    values = np.asarray(values, dtype=float)
    if measure in POINT_MEASURES:
        return np.clip(values, 0.0, 100.0)
    return np.exp(values) if measure in LOG_MEASURES else np.maximum(np.expm1(values), 0.0)


def known_by(checks: pd.DataFrame) -> pd.Series:
    """The January by which each check's published value was known: its year for a January
    count, the year after for a calendar-year flow (flows to ``t - 1`` are known at ``t``)."""
    return checks["year"].astype(int) + (checks["year_basis"] == "calendar").astype(int)


def shortfall(checks: pd.DataFrame) -> np.ndarray:
    """Per check, the smallest discrepancy ``s`` that puts its published value inside the
    widened band (0 for one inside the band already; infinite for no value)."""
    out = np.full(len(checks), np.inf)
    for measure, part in checks.groupby("measure", sort=False):
        centre = on_scale(measure, part["simulated"])
        published = on_scale(measure, part["published"])
        side = np.where(published >= centre, on_scale(measure, part["hi95"]) - centre,
                        centre - on_scale(measure, part["lo95"]))
        error = np.abs(published - centre)
        needed = np.sqrt(np.maximum(error**2 - np.maximum(side, 0.0) ** 2, 0.0))
        out[checks.index.get_indexer(part.index)] = np.where(np.isfinite(needed), needed, np.inf)
    return out


def conformal_quantile(values: np.ndarray, coverage: float = COVERAGE) -> float:
    """The ``ceil((n + 1) x coverage)``-th smallest of ``n`` values (the largest when that
    rank is past ``n``): a new value from the same spread falls at or below it with
    probability at least ``coverage``."""
    ordered = np.sort(np.asarray(values, dtype=float))
    if ordered.size == 0:
        return math.nan
    rank = math.ceil((ordered.size + 1) * coverage)
    return float(ordered[min(rank, ordered.size) - 1])


def discrepancy(checks: pd.DataFrame, origin: int, coverage: float = COVERAGE) -> pd.DataFrame:
    """Per measure and horizon (:data:`DISCREPANCY_COLUMNS`): the discrepancy ``spread`` of the
    checks known by January ``origin`` (:func:`known_by`), how many there were, and its
    ``scale`` (``log`` or ``points``). Checks with no published or simulated value are left
    out. Empty when none was known."""
    usable = checks.dropna(subset=["published", "simulated", "lo95", "hi95"])
    usable = usable[known_by(usable) <= origin]
    rows = []
    if not usable.empty:
        needed = pd.Series(shortfall(usable), index=usable.index)
        for (measure, horizon), part in usable.groupby(["measure", "horizon"]):
            values = needed.loc[part.index]
            values = values[np.isfinite(values)]
            if values.empty:
                continue
            rows.append({"measure": measure, "horizon": int(horizon),
                         "spread": conformal_quantile(values.to_numpy(), coverage), "checks": int(values.size),
                         "scale": ("points" if measure in POINT_MEASURES else
                                   "log" if measure in LOG_MEASURES else "log(1 + x)")})
    table = pd.DataFrame(rows, columns=DISCREPANCY_COLUMNS).astype({"spread": float})
    # never less at a longer horizon than at a shorter one (errors do not shrink with time)
    table["spread"] = table.groupby("measure")["spread"].cummax()
    return table


def spread_at(table: pd.DataFrame, measure: str, horizon: int) -> float:
    """The discrepancy of ``measure`` (a validated measure) ``horizon`` years ahead: as
    measured, or beyond the longest horizon measured ``K``, ``s_K x sqrt(horizon / K)``;
    0 with none measured or for a horizon below 1 (a value known at the origin)."""
    rows = table[table["measure"] == measure]
    if rows.empty or horizon < 1:
        return 0.0
    exact = rows[rows["horizon"] == horizon]
    if not exact.empty:
        return float(exact["spread"].iloc[0])
    longest = rows.loc[rows["horizon"].idxmax()]
    if horizon > longest["horizon"]:
        return float(longest["spread"]) * math.sqrt(horizon / float(longest["horizon"]))
    below = rows[rows["horizon"] < horizon]  # a gap inside the measured horizons: the nearest below
    return float(below.loc[below["horizon"].idxmax(), "spread"]) if not below.empty else 0.0


def widen(measure: str, centre, lo, hi, spread) -> tuple[np.ndarray, np.ndarray]:
    """The band ``lo``-``hi`` around ``centre`` widened by ``spread`` (one number, or one
    per value) in quadrature on each side (see the module notes), on the scale of
    ``measure``."""
    c, low, high = (on_scale(measure, v) for v in (centre, lo, hi))
    spread = np.asarray(spread, dtype=float)
    lower = c - np.sqrt(np.maximum(c - low, 0.0) ** 2 + spread**2)
    upper = c + np.sqrt(np.maximum(high - c, 0.0) ** 2 + spread**2)
    return from_scale(measure, lower), from_scale(measure, upper)


def horizon_of(measure: str, year, origin: int):
    """Years ahead of January ``origin``: a January count of ``year`` is ``year - origin``
    ahead; a flow of calendar ``year`` is ``year - origin + 1`` (calendar ``origin`` ends
    on the first January not known)."""
    return np.asarray(year, dtype=int) - origin + (1 if measure in FLOWS else 0)


def widen_summary(summary: pd.DataFrame, table: pd.DataFrame, origin: int) -> pd.DataFrame:
    """A run's ``summary`` (``scenario, measure, breakdown, year, mean, lo95, hi95``) with the
    bands of the totals of :data:`RUN_MEASURES` widened by the discrepancy ``table`` (of
    :func:`discrepancy` at the run's origin January ``origin``); other rows unchanged."""
    if table.empty:
        return summary
    out = summary.astype({"lo95": float, "hi95": float})
    for measure, validated in RUN_MEASURES.items():
        rows = (out["measure"] == measure) & (out["breakdown"].fillna("") == "")
        if not rows.any():
            continue
        part = out.loc[rows]
        scale_measure = "sen_support" if validated == "sen_support_pct" else validated
        spreads = np.array([spread_at(table, validated, int(h))
                            for h in horizon_of(validated, part["year"], origin)])
        out.loc[rows, "lo95"], out.loc[rows, "hi95"] = widen(scale_measure, part["mean"], part["lo95"],
                                                             part["hi95"], spreads)
    return out


def widen_checks(table: pd.DataFrame, checks: pd.DataFrame | None) -> pd.DataFrame:
    """A validation table (:data:`sendcast.scenarios.validation.SCORED_COLUMNS`) with
    ``lo95_calibrated``, ``hi95_calibrated`` and ``inside_95_calibrated``: each row's band
    widened by the discrepancy of ``checks`` known at the row's own origin (``None``, or
    none known: the band as run)."""
    out = table.copy()
    out["lo95_calibrated"] = out["lo95"].astype(float)
    out["hi95_calibrated"] = out["hi95"].astype(float)
    for origin, at_origin in out.groupby("origin") if checks is not None else ():
        measured = discrepancy(checks, int(origin))
        if measured.empty:
            continue
        for measure, part in at_origin.groupby("measure"):
            spreads = np.array([spread_at(measured, measure, int(h)) for h in part["horizon"]])
            lower, upper = widen(measure, part["simulated"], part["lo95"], part["hi95"], spreads)
            keep = np.isfinite(part["lo95"].to_numpy(dtype=float))
            out.loc[part.index, "lo95_calibrated"] = np.where(keep, lower, np.nan)
            out.loc[part.index, "hi95_calibrated"] = np.where(keep, upper, np.nan)
    inside = (out["lo95_calibrated"] <= out["published"]) & (out["published"] <= out["hi95_calibrated"])
    out["inside_95_calibrated"] = inside.where(out["lo95_calibrated"].notna(), None)
    return out


def checks_from(table: pd.DataFrame) -> pd.DataFrame:
    """The checks (:data:`CHECK_COLUMNS`) of a national validation table: validated LAs'
    rows with a band."""
    rows = table[table["status"] == "validated"] if "status" in table.columns else table
    rows = rows.dropna(subset=["lo95", "hi95", "simulated", "published"])
    return rows[CHECK_COLUMNS + [c for c in FORECAST_COLUMNS if c in rows.columns]].reset_index(drop=True)


def read_checks(path: Path) -> pd.DataFrame:
    """The shipped checks file (:data:`CHECK_COLUMNS`); one line naming the file, the row and
    the column for anything not as expected."""
    try:
        frame = pd.read_csv(path, dtype={"la_code": str, "measure": str, "year_basis": str})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise SendcastError(f"{path}: cannot be read as a CSV table ({error})") from None
    missing = [c for c in CHECK_COLUMNS if c not in frame.columns]
    if missing:
        raise SendcastError(f"{path}: column {missing[0]!r} missing; expected columns {', '.join(CHECK_COLUMNS)}")
    numbers = ("origin", "horizon", "year", "published", "simulated", "lo95", "hi95",
               *[c for c in FORECAST_COLUMNS if c in frame.columns])
    for column in numbers:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise SendcastError(f"{path}: row {row + 2}, column {column!r}: expected a number, found "
                                f"{frame[column].iloc[row]!r}")
        frame[column] = values
    bases = ~frame["year_basis"].isin(["january", "calendar"])
    if bases.any():
        row = int(np.flatnonzero(bases.to_numpy())[0])
        raise SendcastError(f"{path}: row {row + 2}, column 'year_basis': expected 'january' or 'calendar', found "
                            f"{frame['year_basis'].iloc[row]!r}")
    return frame[CHECK_COLUMNS + [c for c in FORECAST_COLUMNS if c in frame.columns]]


def shipped_checks(data: Path) -> pd.DataFrame | None:
    """The checks under the data folder ``data`` (:data:`SHIPPED_CHECKS`), or ``None`` when
    there are none (then no band is widened, and the run says so). Read once per file and
    modification time in a process (a national validation asks for them once per LA)."""
    path = Path(data) / SHIPPED_CHECKS
    if not path.is_file():
        return None
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _CHECKS:
        _CHECKS.clear()
        _CHECKS[key] = read_checks(path)
    return _CHECKS[key]


_CHECKS: dict[tuple, pd.DataFrame] = {}


def one_year_coverage(checks: pd.DataFrame) -> pd.DataFrame:
    """Per origin after the first, one year ahead, the targets' measures (the SEN support
    share left out, as in the coverage target): the share of the checks inside the band as
    run (``as_run``), widened by the discrepancy known at the origin (``widened``) and the
    forecast engine's (``forecast``, where the checks have it)."""
    one = checks[(checks["horizon"] == 1) & ~checks["measure"].isin(REPORTED)]
    scored = widen_checks(one, checks)
    first_known = int(known_by(checks.dropna(subset=["published", "simulated", "lo95", "hi95"])).min())
    rows = []
    for origin, part in scored.groupby("origin"):
        if origin < first_known:  # nothing was known before it: not widened
            continue
        inside = (part["lo95"] <= part["published"]) & (part["published"] <= part["hi95"])
        row = {"origin": int(origin), "checks": len(part), "as_run": float(inside.mean()),
               "widened": float(part["inside_95_calibrated"].astype(bool).mean()), "forecast": math.nan}
        if "forecast_lo95" in part.columns:
            known = part.dropna(subset=["forecast_lo95", "forecast_hi95"])
            if not known.empty:
                row["forecast"] = float(((known["forecast_lo95"] <= known["published"])
                                         & (known["published"] <= known["forecast_hi95"])).mean())
        rows.append(row)
    return pd.DataFrame(rows, columns=["origin", "checks", "as_run", "widened", "forecast"])


def evidence_words(checks: pd.DataFrame) -> str:
    """One sentence: how the bands as run and widened covered the checks out of sample
    (:func:`one_year_coverage`), for a report."""
    table = one_year_coverage(checks)
    if table.empty:
        return "No origin has checks known before it: the bands' coverage out of sample is not measured."

    def shares(column: str) -> str:
        return " and ".join(f"{100 * v:.0f}%" for v in table[column])

    origins = " and ".join(str(o) for o in table["origin"])
    forecast = (f" (the trend forecast's 95% intervals: {shares('forecast')})"
                if table["forecast"].notna().all() else "")
    return (f"Run from {origins} on {checks['la_code'].nunique()} English LAs and scored one year ahead on what "
            f"was published later, the simulation's ranges held {shares('as_run')} of the published figures; "
            f"widened by the discrepancy known at each origin, {shares('widened')}{forecast}.")


_RUN_CACHE: dict[tuple, tuple[pd.DataFrame | None, str]] = {}


def for_run(data: Path, start_year: int) -> tuple[pd.DataFrame | None, str]:
    """The discrepancy a run from January ``start_year`` takes (:func:`discrepancy` of the
    checks shipped under the data folder ``data`` known by then; ``None`` without checks or
    with none known: the bands are then not widened) and :func:`evidence_words` of the
    checks (remembered per file and its modification time)."""
    checks = shipped_checks(data)
    if checks is None:
        return None, "No checks of earlier runs are shipped (data/evidence): the bands are not widened."
    path = Path(data) / SHIPPED_CHECKS
    key = (str(path.resolve()), path.stat().st_mtime_ns, int(start_year))
    if key not in _RUN_CACHE:
        table = discrepancy(checks, start_year)
        _RUN_CACHE.clear()
        _RUN_CACHE[key] = (None if table.empty else table, evidence_words(checks))
    return _RUN_CACHE[key]
