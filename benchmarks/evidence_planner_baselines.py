"""Evidence (not a timing): the planner's baselines against the shipped national checks.

The simulation's out-of-sample checks of every LA (``data/evidence/simulation_checks_all_las.csv``,
origins 2021-2023, one year ahead) scored beside the forecast engine's and the two baselines
a planner would use, made from each LA's published series as they stood at the origin
(:func:`sendcast.scenarios.validation.planner_baselines`: ``naive``, the latest published
value; ``line``, a straight line through the last five), on the issue-19 targets
(:func:`sendcast.scenarios.validation.row_passes`). Printed per measure: the share of LAs
meeting the target at every origin, and the share of checks meeting it. No simulation is
run: the simulated and forecast values are the shipped ones (their code version is in
``data/README.md``).

Result (7 December 2026, the checks shipped at code e086538; 146 LAs): share of LAs meeting
the target at every origin, simulation / forecast engine / naive / straight line: EHC plans
50.7 / 41.1 / 0.7 / 22.6%; state special 58.9 / 87.0 / 67.1 / 79.5; independent 46.6 / 51.4 /
41.8 / 43.2; new plans 4.8 / 6.2 / 2.7 / 4.8; requests 5.5 / 3.4 / 1.4 / 2.1; FE + other 19.9
/ 19.2 / 6.2 / 13.0; 20-week share 4.8 / - / 8.2 / 6.8. Of the checks: state special 81.2 /
94.3 / 86.2 / 91.1, 20-week share 23.3 / - / 39.5 / 31.2, new plans 34.2 / 30.0 / 31.1 /
28.0. The simulation beats both baselines on EHC plans, requests and FE + other (new plans:
ahead of both by checks, level with the line by LAs), and is beaten by the naive value on
state special and the 20-week share one year ahead. (On the checks of code 0f5b47b: the
same picture, state special 57.5% of LAs, 20-week share 3.4%.)

    .venv/bin/python benchmarks/evidence_planner_baselines.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sendcast  # noqa: E402,F401 -- first: it pins the BLAS kernels before numpy loads
from sendcast.data import paths, store  # noqa: E402
from sendcast.scenarios.parameters import la_history  # noqa: E402
from sendcast.scenarios.validation import planner_baselines, published_values, row_passes  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

SCORERS = ("simulation", "forecast", "naive", "line")


def scored_checks(dataset: store.Dataset, checks: pd.DataFrame) -> pd.DataFrame:
    """One row per one-year-ahead check: whether each scorer met the measure's target
    (``None``: not scored, e.g. the forecast engine has no 20-week share)."""
    rows = []
    for code, part in checks[checks["horizon"] == 1].groupby("la_code"):
        published = published_values(la_history(dataset, code).rows)
        for row in part.itertuples(index=False):
            baseline = planner_baselines(published, row.measure, int(row.origin), int(row.year))
            values = (row.simulated, row.forecast, baseline["naive"], baseline["straight_line"])
            rows.append({"la_code": code, "measure": row.measure, "origin": int(row.origin),
                         **{name: row_passes(row.measure, value, row.published) if np.isfinite(value) else None
                            for name, value in zip(SCORERS, values)}})
    return pd.DataFrame(rows)


def _every_origin(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.astype(bool).all()) if len(values) else np.nan


def _share(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.astype(bool).mean()) if len(values) else np.nan


def main() -> int:
    dataset = store.load_dataset(None)
    checks = pd.read_csv(paths.data_dir(None) / "evidence" / "simulation_checks_all_las.csv")
    table = scored_checks(dataset, checks)
    table = table[table[list(SCORERS)].notna().any(axis=1)]
    by_la = table.groupby(["measure", "la_code"])[list(SCORERS)].agg(_every_origin)
    print(f"{table['la_code'].nunique()} LAs, origins {table['origin'].min()}-{table['origin'].max()}, one year "
          "ahead, issue-19 targets (AP is scored over origins and left out here).")
    with pd.option_context("display.width", 200):
        print("Share of LAs meeting the target at every origin (%):")
        print((100 * by_la.groupby("measure").mean()).round(1).to_string())
        print("Share of checks meeting it (%):")
        print((100 * table.groupby("measure")[list(SCORERS)].agg(_share)).round(1).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
