"""The calibration fit report: which targets the fit meets, and which no smooth model can.

Reads the report of :func:`simulation.calibrate` (one row per measure, breakdown and year:
``actual`` published, ``simulated`` as SEN2 recorded the measure that year,
``simulated_model`` the model's own count) and says, per target, the worst-year error,
whether it is within the limit, and what accuracy the published series allows at all
(:func:`simulation.calibration.achievable_accuracy`). Years: January census year for
caseloads, calendar year for flows.

Rules the report states in plain words (and :func:`print_report` prints):

- **FE and other, recording break.** SEN2 became a person-level collection in January
  2023 and that moved children between the FE and "other" groups without moving them.
  The model counts children as the collection records them from 2023; for the Januaries
  before, it is compared with the published figures after moving the fitted share
  (``fe_other_recording_shift``) of its FE + other from FE to other, as the old
  collection recorded them. The verdict uses that comparison; the raw comparison (the
  model's own count against the published series) is printed and saved beside it
  (``worst_error_pct_raw``), and is never called a pass. FE + other together, which the
  break did not change, is printed too (:func:`fe_plus_other`; information, not a target).
- **Small and jumpy series.** A target whose published series no smooth curve can follow
  within its limit is still reported FAIL against the limit, with the numbers that show
  why: the chance band of the smallest count, the largest year-on-year move, the worst
  error of the best smooth curve through the published figures, and in how many years
  the model is within the chance band.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from simulation.calibration import CEASED_COMPARABLE_FROM, RECORDING_BREAK_YEAR, RECORDING_MEASURES, \
    RECORDING_SHIFT, achievable_accuracy

#: Targets for the calibration fit (absolute % error, every year of the window).
TARGETS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("EHC plans in total within 5% every year", ("ehcp_total",), 5.0),
    ("plans in mainstream within 10%", ("ehcp_mainstream",), 10.0),
    ("plans in state special schools within 10%", ("ehcp_state_special",), 10.0),
    ("plans in independent special schools within 10%", ("ehcp_independent_special",), 10.0),
    ("plans in further education within 10%", ("ehcp_fe",), 10.0),
    ("plans in alternative provision within 10%", ("ehcp_ap",), 10.0),
    ("plans in other settings within 10%", ("ehcp_other",), 10.0),
    ("new plans within 10%", ("new_plans",), 10.0),
    ("requests for assessment within 10%", ("requests",), 10.0),
)
#: Targets whose yearly path the model cannot bend year by year (placement shares are
#: fixed over the window), so the smooth-curve floor applies to them. New plans and
#: requests have a fitted multiplier per year and are not judged against it.
SMOOTH_MEASURES = ("ehcp_total", "ehcp_mainstream", "ehcp_state_special", "ehcp_independent_special", "ehcp_fe",
                   "ehcp_ap", "ehcp_other")
#: z of the two-sided 95% Poisson (normal approximation) band.
CHANCE_Z = 1.96


def _totals(report: pd.DataFrame) -> pd.DataFrame:
    breakdown = report["breakdown"].fillna("") if "breakdown" in report.columns else pd.Series("", index=report.index)
    return report[breakdown == ""]


def target_checks(report: pd.DataFrame) -> pd.DataFrame:
    """One row per target: ``target, measures, worst_error_pct, worst_year, limit_pct, passed,
    worst_error_pct_raw, chance_band_pct, largest_move_pct, smooth_floor_pct,
    achievable_by_smooth_model, years_within_chance, years_scored`` (yearly totals only;
    rows by phase, age or reason are reported, not targets). ``years_within_chance``: of
    the ``years_scored`` fitted years (the starting January is given, not scored), those
    where the model is within the 95% Poisson band of the published count.

    ``worst_error_pct`` compares the model with each year's published figure as SEN2
    defined it that year (the recording rule, module notes); ``worst_error_pct_raw`` with
    the model's own count (equal except FE and other). ``passed`` is ``worst_error_pct <=
    limit_pct``. The accuracy columns are NaN for targets the smooth-curve floor does not
    apply to (:data:`SMOOTH_MEASURES`).
    """
    totals = _totals(report)
    rows = []
    for label, measures, limit in TARGETS:
        part = totals[totals["measure"].isin(measures) & totals["error_pct"].notna()]
        worst = float(part["error_pct"].abs().max()) if not part.empty else float("nan")
        worst_year = int(part.loc[part["error_pct"].abs().idxmax(), "year"]) if not part.empty else -1
        raw_column = "error_pct_model" if "error_pct_model" in part.columns else "error_pct"
        raw = float(part[raw_column].abs().max()) if not part.empty else float("nan")
        row = {"target": label, "measures": ",".join(measures), "worst_error_pct": round(worst, 1),
               "worst_year": worst_year, "limit_pct": limit, "passed": bool(worst <= limit),
               "worst_error_pct_raw": round(raw, 1), "chance_band_pct": np.nan, "largest_move_pct": np.nan,
               "smooth_floor_pct": np.nan, "achievable_by_smooth_model": True, "years_within_chance": -1,
               "years_scored": int(len(part))}
        if set(measures) <= set(SMOOTH_MEASURES) and len(measures) == 1:
            series = totals[totals["measure"] == measures[0]].set_index("year")["actual"]
            accuracy = achievable_accuracy(series, limit)
            row.update({"chance_band_pct": round(float(accuracy["chance_band_pct"]), 1),
                        "largest_move_pct": round(float(accuracy["largest_move_pct"]), 1),
                        "smooth_floor_pct": round(float(accuracy["smooth_floor_pct"]), 1),
                        "achievable_by_smooth_model": bool(accuracy["achievable"])})
            scored = part[part["fitted"].astype(bool)] if "fitted" in part.columns else part  # not the given start
            gap = (scored["simulated"] - scored["actual"]).abs()
            row["years_within_chance"] = int((gap <= CHANCE_Z * np.sqrt(scored["actual"])).sum())
            row["years_scored"] = int(len(scored))
        rows.append(row)
    return pd.DataFrame(rows)


def recording_summary(report: pd.DataFrame, fitted: dict[str, float]) -> list[str]:
    """Plain-English lines on the FE / other recording rule and the raw errors (empty if the
    fit did not use it)."""
    if RECORDING_SHIFT not in fitted:
        return []
    shift = fitted[RECORDING_SHIFT]
    totals = _totals(report)
    part = totals[totals["measure"].isin(RECORDING_MEASURES)]
    before = part[part["year"] < RECORDING_BREAK_YEAR]
    both = before.groupby("year")["simulated_model"].sum()
    moved = (shift * both).round().astype(int)
    direction = "from FE to other" if shift >= 0 else "from other to FE"
    lines = [
        f"Recording break: SEN2 became a person-level collection in January {RECORDING_BREAK_YEAR}, and that moved",
        "children between FE and 'other' without moving them (Gloucestershire 2022 -> 2023: FE 563 -> 733,",
        "other 605 -> 434, FE + other 1,168 -> 1,167). The model counts children as the collection records",
        f"them from {RECORDING_BREAK_YEAR}. Rule: for the Januaries before {RECORDING_BREAK_YEAR}, {abs(shift):.1%} of the model's FE + other",
        f"is moved {direction} before comparing with the published figures (fitted; "
        + ", ".join(f"{y}: {n}" for y, n in moved.items()) + " children).",
        "Raw errors, the model's own count against the published series (no rule), per cent:",
    ]
    table = part.pivot_table(index="measure", columns="year", values="error_pct_model", aggfunc="first")
    lines += ["  " + line for line in table.to_string(float_format=lambda v: f"{v:+.1f}", na_rep=".").splitlines()]
    lines.append("FE + other together (the break moved children between them, not out of them), model against "
                 "published:")
    years = ", ".join(f"{year}: {model:,.0f} / {actual:,.0f} ({100 * (model / actual - 1):+.1f}%)"
                      for year, model, actual in fe_plus_other(report).itertuples())
    lines += textwrap.wrap(years, width=110, initial_indent="  ", subsequent_indent="  ")
    return lines


def fe_plus_other(report: pd.DataFrame) -> pd.DataFrame:
    """FE + other together per January, ``model`` (the model's own count) and ``actual``
    (published); years where either group is unpublished are left out. The recording
    break of January 2023 moved children between the two groups but not out of them, so
    their sum is comparable across it."""
    part = _totals(report)
    part = part[part["measure"].isin(RECORDING_MEASURES)]
    both = part.groupby("year").filter(lambda g: len(g) == len(RECORDING_MEASURES) and g["actual"].notna().all())
    summed = both.groupby("year")[["simulated_model", "actual"]].sum()
    return summed.rename(columns={"simulated_model": "model"})[["model", "actual"]]


def ceased_summary(report: pd.DataFrame) -> list[str]:
    """Lines on how ceased plans are fitted (which years and breakdowns)."""
    part = report[report["measure"] == "plans_ceased"]
    if part.empty:
        return []
    unfitted = sorted(part.loc[(part["breakdown"].fillna("") == "") & (part["year"] < CEASED_COMPARABLE_FROM), "year"])
    lines = [f"Ceased plans: fitted from {CEASED_COMPARABLE_FROM} (person-level collection), in total, by reason and by age"
             " when the plan ceased;"]
    if unfitted:
        lines.append(f"  {unfitted[0]}-{unfitted[-1]} are shown but not fitted: the aggregate collection's 'discontinued plans'"
                     " are not comparable (England 21,546 in 2021, 34,724 in 2022).")
    lines.append("  A reason under 20 plans a year (needs met) is fitted on its total over the years published.")
    comparable = part[(part["breakdown"].fillna("") == "") & (part["year"] >= CEASED_COMPARABLE_FROM)]
    comparable = comparable.sort_values("year")
    if len(comparable) >= 2:
        values = comparable["actual"].to_numpy()
        moves = ", ".join(f"{100 * (b / a - 1):+.0f}%" for a, b in zip(values[:-1], values[1:]) if a > 0)
        lines.append(f"  Published {comparable['year'].iloc[0]}-{comparable['year'].iloc[-1]}: "
                     + ", ".join(f"{v:,.0f}" for v in values) + f" (year-on-year {moves}); a model whose ceasing"
                     " hazards do not change from year to year cannot follow such moves.")
    return lines


def bounds_summary(at_bounds: tuple[str, ...]) -> list[str]:
    """A line naming the fitted parameters that ended at a bound of the fit (none: nothing)."""
    if not at_bounds:
        return []
    return [f"At a bound of the fit (pushed as far as allowed; read their targets with care): {', '.join(at_bounds)}."]


def print_report(label: str, report: pd.DataFrame, checks: pd.DataFrame, fitted: dict[str, float],
                 at_bounds: tuple[str, ...] = ()) -> None:
    """The fit report on standard output (see the module notes)."""
    print(f"Calibration of the simulation to {label} (caseloads: January; flows: calendar year).")
    print("Error = simulated / published - 1, in per cent (cohort model); the 20-week share is the")
    print("discrete-event model's mean, not fitted, and its error is in percentage points.")
    print(f"FE and other before {RECORDING_BREAK_YEAR}: as SEN2 recorded them then (see the recording rule below).")
    totals = _totals(report)
    table = totals.pivot_table(index="measure", columns="year", values="error_pct", aggfunc="first")
    print(table.to_string(float_format=lambda v: f"{v:+.1f}", na_rep="."))
    parts = report[report["breakdown"].fillna("") != ""].assign(row=lambda f: f["measure"] + " " + f["breakdown"])
    if not parts.empty:
        print()
        print("By school phase (age on the January day; SEN2 joint table of age and placement), new plans by age")
        print("when the plan started, ceased plans by reason and by age when ceased; error in per cent, '.' where")
        print("nothing is published or fewer than 20 children:")
        table = parts.pivot_table(index="row", columns="year", values="error_pct", aggfunc="first").dropna(how="all")
        table.index.name = None
        print(table.to_string(float_format=lambda v: f"{v:+.1f}", na_rep="."))
    for block in (recording_summary(report, fitted), ceased_summary(report), bounds_summary(at_bounds)):
        if block:
            print()
            print("\n".join(block))
    print()
    for row in checks.itertuples():
        print(f"  {'PASS' if row.passed else 'FAIL'}  {row.target} (worst {row.worst_error_pct:.1f}%, {row.worst_year})")
        if row.worst_error_pct_raw != row.worst_error_pct:
            verdict = "within" if row.worst_error_pct_raw <= row.limit_pct else "NOT within"
            print(f"        as SEN2 recorded it each year; against the published series without the recording rule "
                  f"worst {row.worst_error_pct_raw:.1f}% ({verdict} {row.limit_pct:.0f}%)")
        if not row.achievable_by_smooth_model:
            print(f"        not achievable by any smooth model: the best smooth curve through the published figures "
                  f"themselves misses by {row.smooth_floor_pct:.0f}% in its worst year; the series moves by up to "
                  f"{row.largest_move_pct:.0f}% in a year; chance alone (95% band at its smallest count) is "
                  f"+-{row.chance_band_pct:.0f}%. The model is within that chance band in {row.years_within_chance} of "
                  f"{row.years_scored} years.")
        if not row.passed:
            part = totals[totals["measure"].isin(row.measures.split(","))].sort_values("year")
            print("        published " + ", ".join(f"{v:,.0f}" for v in part["actual"]) + "; model (as recorded) "
                  + ", ".join(f"{v:,.0f}" for v in part["simulated"]) + f" ({part['year'].min()}-{part['year'].max()})")
    print(f"{int(checks['passed'].sum())} of {len(checks)} targets met.")
