"""The run's assessment durations, fitted to the LA's published timeliness (issue 19), and
the spread of their predictive draw.

SEN2 publishes, per calendar year, the share of new plans issued within 20 weeks of the
request, not the average weeks. The engine's decision and assessment times (Erlang, means
5 + 10 weeks: ILLUSTRATIVE defaults, :class:`simulation.parameters.Assessment`) are scaled
by one factor so that the simulation's first calendar year issues the share published for
the last calendar year before the run's start (:func:`simulation.timeliness.fit_duration_scale`):
the rule "next year's share is last year's" (the naive rule) carried by the model, whose
queue for assessment slots then moves it with demand and capacity. The rule was chosen out
of sample: the share changes by a median of 12-15 points from one year to the next in
England's LAs (2019-2024), so a target of "within 10 points a year ahead" is met by no rule
we have tried in more than about 44% of LA-years (see the issue 19 note).

The scale is fitted once per LA, start and history, on the LA **as things stand** (the
responsive capacity rule, no lever), with a fixed seed: a scenario and its baseline share
it, so a lever that adds assessment capacity is not fitted away. No share published for the
year before the start: the illustrative durations are kept, and the note says so.

Each replication of a run with predictive bands draws its share from the spread of every
LA's year-on-year changes published before the origin (:func:`timeliness_changes`): the
share's band is then what we expect a year ahead, not only the queue's simulation noise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simulation.parameters import Assessment, Parameters
from sendcast.data.build import Dataset
from simulation.timeliness import DurationFit, fit_duration_scale, unfitted, year_on_year_changes

#: The published measure: per cent of new plans issued within 20 weeks, calendar years.
TIMELINESS = "issued_within_20wk_pct"
#: How the central run's durations are set: "illustrative" (5 + 10 weeks; the default, chosen
#: out of sample: see the module notes) or "fitted" (scaled to last year's published share).
#: Either way the curve is measured, and predictive draws move the share round the central one.
DURATIONS_RULE = "illustrative"
#: A fixed seed for the fit (common to every run: the fit is a property of the LA's history).
FIT_SEED = 20_190_101
#: Years of the run the curve is measured on (only the first is read; fixed so that the
#: curve is the same whichever run of the process measures it first).
FIT_HORIZON = 2
#: Replications of the assessment pipeline per scale tried.
FIT_REPLICATIONS = 2

_FITS: dict[tuple, DurationFit | None] = {}


def published_share(rows: pd.DataFrame, start_year: int) -> float | None:
    """Per cent of new plans issued within 20 weeks in calendar year ``start_year - 1`` (all
    plans, no breakdown), or ``None`` when not published."""
    match = rows[(rows["measure"] == TIMELINESS) & (rows["breakdown"] == "")
                 & (rows["year"] == start_year - 1)]["value"]
    value = float(match.iloc[0]) if not match.empty else np.nan
    return value if np.isfinite(value) else None


def duration_fit(key: tuple, rows: pd.DataFrame, start_year: int,
                 as_things_stand: Callable[[], Parameters]) -> DurationFit | None:
    """The LA's fitted duration scale (``None``: no share published the year before the
    start); ``as_things_stand`` builds the parameters it is fitted on (called only when the
    fit is not already known for ``key``: the LA, the start and the history's rows)."""
    if key not in _FITS:
        target = published_share(rows, start_year)
        fit = None if target is None else fit_duration_scale(as_things_stand(), target, FIT_SEED, FIT_REPLICATIONS)
        _FITS[key] = fit if fit is None or DURATIONS_RULE == "fitted" else unfitted(fit)
    return _FITS[key]


def known_fit(key: tuple) -> DurationFit | None:
    """The fit already made for ``key`` (``None`` if none was made or none could be)."""
    return _FITS.get(key)


def duration_note(fit: DurationFit | None, start_year: int, base: Assessment) -> str:
    """One line for people: how the run's assessment durations were set from ``base``'s
    (the illustrative means)."""
    if fit is None:
        return (f"assessment durations: no share within 20 weeks published for {start_year - 1}; decision and "
                f"assessment times are the ILLUSTRATIVE {base.decision_weeks_mean:g} + "
                f"{base.assessment_weeks_mean:g} weeks on average")
    if DURATIONS_RULE != "fitted":
        return (f"assessment durations: the ILLUSTRATIVE {base.decision_weeks_mean:g} + "
                f"{base.assessment_weeks_mean:g} weeks on average before any wait for a slot (scaling them to the "
                f"share within 20 weeks published the year before made the simulated share worse out of sample); "
                f"each run draws its share within 20 weeks round the model's {fit.target_pct:.0f}% with the spread "
                "of every council's year-on-year changes")
    reach = "" if fit.reached else (" as nearly as the model can (the queue for assessment slots sets most of "
                                    "the waiting)")
    return (f"assessment durations: the ILLUSTRATIVE {base.decision_weeks_mean:g} + {base.assessment_weeks_mean:g} "
            f"weeks scaled by {fit.scale:.2f} (to {base.decision_weeks_mean * fit.scale:.1f} + "
            f"{base.assessment_weeks_mean * fit.scale:.1f} weeks on average, before any wait for a slot) so that the "
            f"first year issues {fit.target_pct:.0f}% of plans within 20 weeks, as published for {start_year - 1}"
            f"{reach}")


def timeliness_panel(dataset: Dataset) -> pd.DataFrame:
    """Every English LA's published share within 20 weeks: one row per LA code, one column per
    calendar year (missing: NaN; England left out)."""
    panel = la_panel(dataset, TIMELINESS)
    return panel.drop(index="E92000001", errors="ignore")


def timeliness_changes(panels: dict[str, pd.DataFrame] | None, start_year: int) -> np.ndarray:
    """Every LA's year-on-year changes in the share within 20 weeks (points), calendar years
    to ``start_year - 1`` only (what was published at the run's origin): the spread of the
    predictive draw of the share (:func:`simulation.timeliness.draw_durations`)."""
    panel = (panels or {}).get(TIMELINESS)
    if panel is None or panel.empty:
        return np.empty(0)
    return year_on_year_changes(panel.loc[:, [y for y in panel.columns if int(y) <= start_year - 1]])


def la_panel(dataset: Dataset, measure: str) -> pd.DataFrame:
    """Every English code's published total of ``measure`` (no breakdown): one row per code
    (England's included), one column per year (missing: NaN)."""
    m = dataset.measures
    rows = m[(m["measure"] == measure) & (m["breakdown"].fillna("") == "") & m["la_code"].str.startswith("E")]
    return rows.pivot_table(index="la_code", columns="year", values="value", aggfunc="first")
