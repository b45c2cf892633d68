"""The run's assessment durations, fitted to the LA's published timeliness (issue 19).

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
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simulation.parameters import Assessment, Parameters
from simulation.timeliness import DurationFit, fit_duration_scale

#: A fixed seed for the fit (common to every run: the fit is a property of the LA's history).
FIT_SEED = 20_190_101
#: Replications of the assessment pipeline per scale tried.
FIT_REPLICATIONS = 2

_FITS: dict[tuple, DurationFit | None] = {}


def published_share(rows: pd.DataFrame, start_year: int) -> float | None:
    """Per cent of new plans issued within 20 weeks in calendar year ``start_year - 1`` (all
    plans, no breakdown), or ``None`` when not published."""
    match = rows[(rows["measure"] == "issued_within_20wk_pct") & (rows["breakdown"] == "")
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
        _FITS[key] = (None if target is None else
                      fit_duration_scale(as_things_stand(), target, FIT_SEED, FIT_REPLICATIONS))
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
    reach = "" if fit.reached else (" as nearly as the model can (the queue for assessment slots sets most of "
                                    "the waiting)")
    return (f"assessment durations: the ILLUSTRATIVE {base.decision_weeks_mean:g} + {base.assessment_weeks_mean:g} "
            f"weeks scaled by {fit.scale:.2f} (to {base.decision_weeks_mean * fit.scale:.1f} + "
            f"{base.assessment_weeks_mean * fit.scale:.1f} weeks on average, before any wait for a slot) so that the "
            f"first year issues {fit.target_pct:.0f}% of plans within 20 weeks, as published for {start_year - 1}"
            f"{reach}")
