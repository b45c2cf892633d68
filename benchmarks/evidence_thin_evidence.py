"""Evidence (not a timing): how much the thin-evidence rule's settings matter.

The rule (:mod:`forecast.realtime`, 3a: until the chooser has ``min_vintages`` scored
vintages, its choice is shrunk ``thin_evidence_weight`` of the way to the candidates'
median) was set after seeing the real-time backtest (issue 18). This script re-runs that
backtest on the shipped data for a grid of settings, so a reader can see whether the
headline depends on the exact values chosen: pooled relative MASE (against the five-year
straight line) at h = 1/2/3 and the worst single vintage (origins 2016-2022, h = 1..3) for
EHC plans, new plans and requests.

    .venv/bin/python benchmarks/evidence_thin_evidence.py [--data DIR]

About 20 s on 2 cores. It runs these three measures only (no placement groups), so its
EHC plan figures can differ from the full run's in the second decimal.
"""

from __future__ import annotations

import argparse

from forecast.realtime import CHOSEN, RealtimeSettings, realtime_backtest
from forecast.scores import pooled_table, vintage_table
from sendcast.data import store
from sendcast.forecasting.evidence import COMPARABLE_FROM, TABLE_METHODS, TRACK_RECORD_FROM
from sendcast.forecasting.realtime_panel import realtime_panel

MEASURES = ("ehcp_total", "new_plans", "requests")
#: (min_vintages, thin_evidence_weight); the first is the shipped setting, (0, 0) is the rule off.
SETTINGS = ((3, 0.5), (0, 0.0), (2, 0.5), (4, 0.5), (3, 0.25), (3, 0.75), (3, 1.0))
LAST_ORIGIN = 2022


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (default: the shipped data/)")
    args = parser.parse_args()
    panel = realtime_panel(store.load_dataset(args.data), list(MEASURES), comparable_from=COMPARABLE_FROM)
    print("min_vintages weight | " + " | ".join(f"{m}: pooled h1/h2/h3, worst vintage" for m in MEASURES))
    for min_vintages, weight in SETTINGS:
        result = realtime_backtest(panel, measures=list(MEASURES), settings=RealtimeSettings(
            horizons=5, min_vintages=min_vintages, thin_evidence_weight=weight))
        origins = range(TRACK_RECORD_FROM, int(result.forecasts["origin"].max()))
        pooled = pooled_table(result.forecasts, origins=origins, horizons=3, methods=TABLE_METHODS)
        vintages = vintage_table(result.forecasts, origins=origins, horizons=3, methods=TABLE_METHODS)
        cells = []
        for measure in MEASURES:
            by_h = pooled[(pooled["measure"] == measure) & (pooled["method"] == CHOSEN)].sort_values("horizon")
            rows = vintages[(vintages["measure"] == measure) & (vintages["method"] == CHOSEN)
                            & (vintages["origin"] <= LAST_ORIGIN)]
            worst = rows.loc[rows["relative_mase"].idxmax()]
            cells.append("/".join(f"{x:.2f}" for x in by_h["relative_mase"])
                         + f", worst {worst['relative_mase']:.2f} ({int(worst['origin'])}, h={int(worst['horizon'])})")
        print(f"{min_vintages:>12} {weight:>6} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
