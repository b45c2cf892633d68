"""Evidence (not a timing): the rules that carry both engines past the horizons they were scored on.

Ten-year outputs need years no backtest reaches. Two rules do it, and this script tests each by
truncation: pretend the scored horizons stop earlier, extrapolate with the rule, and score the
extrapolated years against what was published (and against what measuring them gives).

1. **Forecast engine** (:func:`sendcast.forecasting.live.extend_beyond`): beyond the engine's
   horizons the last year's growth continues and the 80% / 95% interval's log half-widths grow in
   proportion to the years ahead. Truncated at ``--scored`` (3) years, carried to 4 and 5, on the
   national real-time run (every LA's series, origins whose outcomes 4 and 5 years ahead are
   published; the engine's own chosen forecast, not the short-history fallback). Candidates: the
   centre "continue the last growth" (the rule), "damped" (0.8 a year) and "no further growth";
   the widths "in proportion" (the rule) and "square root of the years ahead" (a random walk's).
   Scored: median absolute log error of the centre, coverage of the 80% interval and its median
   log width, beside the engine's own 4- and 5-year forecasts (what measuring gives). Per measure,
   pooled over origins, and per origin (vintage) for the rule.
2. **Simulation's model discrepancy** (:func:`sendcast.scenarios.discrepancy.spread_at`): beyond
   the longest horizon with checks ``K`` the discrepancy added to the simulation's bands is
   ``s_K x sqrt(h / K)``. Truncated at ``K`` = 1, 2, 3 on the shipped checks
   (``data/evidence/simulation_checks_all_las.csv``), carried to 4: coverage of the widened 95%
   bands and their median width (as a share of the published value), with the candidates "in
   proportion" and "flat" (``s_K``), beside the discrepancy measured at that horizon (in sample).

    .venv/bin/python benchmarks/evidence_extrapolation.py [--scored 3] [--data DIR]

Result at d888696 (issue 19 note, 7 December 2026): **both shipped rules kept.**

1. Forecast engine: "continue the last growth" erred as little as the engine's own forecasts 4
   and 5 years ahead (EHC plans 0.146 / 0.180 median absolute log error, the same; damped 0.189
   and no further growth 0.270 five years ahead; new plans 0.405 against damped 0.394, the one
   measure where damping did better). Widths in proportion held at least as many outcomes in the
   80% interval as the engine's own at every origin (pooled: EHC plans 62% against 59-60%, state
   special 80-83% against 77%, independent 86-90% against 84-85%, new plans 84-89% against
   77-80%), at median widths 7-40% wider; the square root held fewer (EHC plans 53-56%, state
   special 73-75%). EHC plans' intervals from the 2014-2016 origins held 10-55% (the 2014 reform):
   a weakness of the engine's own calibration at those origins, not of the extrapolation.
2. Simulation: the square root already holds more than 95% (96.6-97.4% beyond K = 1, 2, 3 against
   96.2% for the discrepancy measured at that horizon); in proportion holds 97.5-99.0% at up to
   twice the width; flat holds 92-96%.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data import store
from sendcast.forecasting.evidence import FORECAST_MEASURES, realtime_evidence
from sendcast.forecasting.live import extend_beyond
from sendcast.scenarios.discrepancy import SHIPPED_CHECKS, discrepancy, read_checks, widen

MEASURES = ("ehcp_total", "ehcp_state_special", "ehcp_independent_special", "new_plans", "requests",
            "sen_support_pct")
BANDS = ("lo95", "lo80", "hi80", "hi95")


def engine_table(forecasts: pd.DataFrame, scored: int, targets: tuple[int, ...]) -> pd.DataFrame:
    """One row per measure, LA and origin with the engine's chosen forecast 1..max(targets) years
    ahead and the published outcomes at ``targets`` (only complete rows)."""
    rows = forecasts[(forecasts["method"] == "sendcast") & ~forecasts["short_history"].astype(bool)
                     & forecasts["measure"].isin(MEASURES)]
    horizons = range(1, max(targets) + 1)
    wide = rows.pivot_table(index=["measure", "la_code", "origin"], columns="horizon",
                            values=["forecast", *BANDS, "actual"])
    need = [(c, h) for c in ("forecast", *BANDS) for h in horizons] + [("actual", h) for h in targets]
    return wide.dropna(subset=need)


def score_engine(wide: pd.DataFrame, scored: int, targets: tuple[int, ...]) -> pd.DataFrame:
    """Each candidate rule's centre error, 80% coverage and width at ``targets`` (see the module notes)."""
    base = np.log1p(wide["forecast"].to_numpy(dtype=float))
    offsets = np.stack([np.log1p(wide[b].to_numpy(dtype=float)) - base for b in BANDS], axis=2)
    actual = {h: np.log1p(wide[("actual", h)].to_numpy(dtype=float)) for h in targets}
    index = wide.index.to_frame(index=False)
    candidates = {}
    for centre in ("continue", "damped", "flat"):
        for width in ("proportional", "sqrt"):
            candidates[(centre, width)] = extend_candidate(base[:, :scored], offsets[:, :scored, :], max(targets),
                                                           centre, width)
    candidates[("engine", "engine")] = (base[:, :max(targets)], offsets[:, :max(targets), :])
    out = []
    for (centre, width), (b, o) in candidates.items():
        for h in targets:
            c = b[:, h - 1]
            lo, hi = c + o[:, h - 1, 1], c + o[:, h - 1, 2]
            frame = index.assign(h=h, error=actual[h] - c, inside=(actual[h] >= lo) & (actual[h] <= hi),
                                 width=hi - lo, centre=centre, widths=width)
            out.append(frame)
    return pd.concat(out, ignore_index=True)


def extend_candidate(base: np.ndarray, offsets: np.ndarray, horizon: int, centre: str, width: str):
    """The shipped rule (``continue``, ``proportional``: :func:`extend_beyond`, row by row) or a
    candidate, for arrays of series (rows)."""
    if (centre, width) == ("continue", "proportional"):
        pairs = [extend_beyond(b, o, horizon, last_known=math.nan) for b, o in zip(base, offsets)]  # 2+ scored years: unused
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
    scored = base.shape[1]
    extra = np.arange(scored + 1, horizon + 1)
    step = base[:, -1] - base[:, -2]
    ahead = extra - scored
    growth = {"continue": ahead.astype(float), "damped": np.array([sum(0.8**k for k in range(1, a + 1)) for a in ahead]),
              "flat": np.zeros(ahead.size)}[centre]
    grow = {"proportional": extra / scored, "sqrt": np.sqrt(extra / scored)}[width]
    b = np.concatenate([base, base[:, -1:] + step[:, None] * growth[None, :]], axis=1)
    o = np.concatenate([offsets, offsets[:, -1:, :] * grow[None, :, None]], axis=1)
    return b, o


def print_engine(scores: pd.DataFrame) -> None:
    summary = scores.groupby(["centre", "widths", "measure", "h"]).agg(
        error=("error", lambda e: float(np.median(np.abs(e)))), coverage80=("inside", "mean"),
        width=("width", "median"), n=("error", "size")).reset_index()
    pd.set_option("display.width", 200)
    for name, column in (("median absolute log error of the centre", "error"), ("80% coverage", "coverage80"),
                         ("median log width of the 80% interval", "width")):
        print(f"\n{name} (rows: rule; engine = the engine's own forecast at that horizon):")
        table = summary.pivot_table(index=["centre", "widths"], columns=["measure", "h"], values=column)
        print(table.round(3).to_string())
    print("\nchecks per measure:", summary[summary["centre"] == "engine"].groupby("measure")["n"].first().to_dict())
    rule = scores[(scores["centre"] == "continue") & (scores["widths"] == "proportional")]
    engine = scores[scores["centre"] == "engine"]
    print("\nper origin (vintage), the rule against the engine's own, 80% coverage / median absolute log error:")
    for (measure, h), part in rule.groupby(["measure", "h"]):
        own = engine[(engine["measure"] == measure) & (engine["h"] == h)]
        cells = []
        for origin, group in part.groupby("origin"):
            mine = own[own["origin"] == origin]
            cells.append(f"{origin}: {group['inside'].mean():.2f}/{np.median(np.abs(group['error'])):.3f} "
                         f"(engine {mine['inside'].mean():.2f}/{np.median(np.abs(mine['error'])):.3f})")
        print(f"  {measure} {h} years ahead: " + "; ".join(cells))


def score_discrepancy(checks: pd.DataFrame, last: int = 4) -> pd.DataFrame:
    """Coverage and width of the widened 95% bands at horizons past ``K`` (see the module notes)."""
    rows = []
    full = discrepancy(checks, origin=10_000)
    for k in range(1, last):
        table = discrepancy(checks[checks["horizon"] <= k], origin=10_000)
        rules = {"sqrt (shipped)": lambda h, k=k: math.sqrt(h / k), "proportional": lambda h, k=k: h / k,
                 "flat": lambda h: 1.0}
        for h in range(k + 1, last + 1):
            part = checks[checks["horizon"] == h].dropna(subset=["published", "simulated", "lo95", "hi95"])
            for rule, grow in [*rules.items(), ("measured at h (in sample)", None)]:
                inside, width = [], []
                for measure, group in part.groupby("measure"):
                    source = full[(full["measure"] == measure) & (full["horizon"] == h)] if grow is None else \
                        table[(table["measure"] == measure) & (table["horizon"] == k)]
                    if source.empty:
                        continue
                    spread = float(source["spread"].iloc[0]) * (1.0 if grow is None else grow(h))
                    lo, hi = widen(measure, group["simulated"], group["lo95"], group["hi95"], spread)
                    published = group["published"].to_numpy(dtype=float)
                    inside.append((published >= lo) & (published <= hi))
                    width.append((hi - lo) / np.maximum(published, 1.0))
                rows.append({"K": k, "horizon": h, "rule": rule, "coverage95": float(np.concatenate(inside).mean()),
                             "median_width": float(np.median(np.concatenate(width))),
                             "checks": int(sum(a.size for a in inside))})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scored", type=int, default=3, help="horizons the forecast engine is truncated to")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = parser.parse_args()
    targets = tuple(range(args.scored + 1, 6))
    dataset = store.load_dataset(args.data)
    realtime = realtime_evidence(dataset, FORECAST_MEASURES)[0]
    print(f"1. Forecast engine, truncated at {args.scored} years, carried to {targets}")
    print_engine(score_engine(engine_table(realtime.forecasts, args.scored, targets), args.scored, targets))
    checks = read_checks(args.data / SHIPPED_CHECKS)
    checks = checks[checks["la_code"] != "E92000001"]
    print("\n2. Simulation's model discrepancy, truncated at K years (95% bands, every validated measure pooled)")
    print(score_discrepancy(checks).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
