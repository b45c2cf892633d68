"""What earlier forecasts said against what happened: one LA's track record, forecast by forecast.

The real-time run (:func:`sendcast.forecasting.evidence.realtime_evidence`,
:mod:`forecast.realtime`) forecast every area from every past origin using only the data up
to that origin (method, windows and intervals chosen then). :func:`past_forecasts` reads out
one LA's forecasts of one measure made ``horizon`` years before each year that has since been
published, beside the published value: the "track-record line" a fan chart draws over the
history. Nothing is refitted here and nothing after the origin was used to make them.

Years follow the measure: January census year for caseloads, calendar year for flows
(``requests``, ``new_plans``). The placement groups are shown as the real-time run forecast
them, each on its own (the live forecast then scales the groups to add up to the total).
"""

from __future__ import annotations

import pandas as pd

from sendcast.forecasting.evidence import TRACK_RECORD_FROM, Evidence
from sendcast.forecasting.live import chosen_rows

#: The columns of :func:`past_forecasts`.
PAST_COLUMNS: tuple[str, ...] = ("measure", "origin", "horizon", "year", "forecast", "lo80", "hi80", "actual")


def past_forecasts(evidence: Evidence, la_code: str, measure: str, *, horizon: int = 1,
                   first_origin: int = TRACK_RECORD_FROM) -> pd.DataFrame:
    """The real-time forecasts of ``measure`` for ``la_code`` made ``horizon`` years ahead from
    each origin from ``first_origin`` (default :data:`~sendcast.forecasting.evidence.TRACK_RECORD_FROM`,
    as the printed track record), for years whose outcome is published in the data the
    evidence was computed on: :data:`PAST_COLUMNS`, one row per year, sorted by year.

    ``forecast`` is the central forecast sendcast gave then, ``lo80``/``hi80`` its 80% interval
    (NaN where the run gave none, e.g. the first years of a short series) and ``actual`` what
    was published. Empty (with the columns) when there is no such forecast."""
    rows = chosen_rows(evidence.realtime, measure, la_code)
    rows = rows[(rows["horizon"] == horizon) & (rows["origin"] >= first_origin) & rows["actual"].notna()]
    return rows.reindex(columns=list(PAST_COLUMNS)).sort_values("year").reset_index(drop=True)
