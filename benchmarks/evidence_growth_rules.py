"""Evidence (not a timing): the simulation's growth rules, each chosen and scored out of sample.

Issue 19: the baseline ran away outside Gloucestershire (Leeds: EHC plans 6,093 in January
2025, about 25,000 by 2031). Three rules carry the published trends into a run, and each is
chosen at run time on every LA's published figures to the run's origin. This script checks
each choice the way it is used: at every origin ``t`` the choice is made on the panel cut
at ``t`` only, then scored on the years after ``t``, beside the naive rule (hold the last
value) and the five-year straight line (least squares through the last five published
values, or as many as there are, at least two), on the same checks.

1. **Requests** (calendar years; origin = last calendar year of data): the damped-growth
   rule with a growth cap (:func:`simulation.trends.choose_panel_rule`) against the damping
   alone (:func:`simulation.trends.choose_panel_damping`, the rule before issue 19's cap),
   1-5 years ahead.
2. **Identification**, on the share of pupils on SEN support (January; origin = last
   January): the same pair.
3. **Assessment capacity** (completed assessments, calendar year ``t``, one year ahead
   from the flows to ``t - 1``): the partial adjustment chosen on the years before ``t``
   (:func:`simulation.capacity_adjustment.choose_adjustment`) against "at once" (the
   rule before) and last year's completions (naive).
4. **Refusals** (kept, not changed): the run holds the last published year's refusal rate.
   Scored one year ahead on every LA's decisions to assess (requests times one less the
   rate): the last year's rate ("chosen") against the mean of the last 3 ("before"), 2
   (in the "naive" column) and 5 (in the "five-year line" column) years' rates.

    .venv/bin/python benchmarks/evidence_growth_rules.py [--data DIR]

Mean absolute log error (0.10 is about 10% out); lower is better. A few seconds.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sendcast.data import store
from sendcast.scenarios.parameters import RESPONSE_FROM, assessment_panels, requests_panel
from sendcast.scenarios.predictive import published_panels
from simulation.capacity_adjustment import adjusted, choose_adjustment, one_year_ahead
from simulation.trends import GROWTH_YEARS, PANEL_HORIZONS, capped, choose_panel_damping, choose_panel_rule

LINE_YEARS = 5


def _logs(panel: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = np.arange(int(min(panel.columns)), int(max(panel.columns)) + 1)
    values = panel.reindex(columns=years).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return years, values, np.where(values > 0, np.log(values), np.nan)


def trend_rows(panel: pd.DataFrame, origins: range, label: str) -> list[tuple]:
    """One row per origin: the checks and mean absolute log errors, 1-5 years ahead, of the
    chosen rule (damping and cap), the damping alone, naive and the five-year line."""
    years, values, logs = _logs(panel)
    out = []
    for origin in origins:
        cut = panel.loc[:, [y for y in panel.columns if int(y) <= origin]]
        damping, cap, _ = choose_panel_rule(cut)
        damping_only, _ = choose_panel_damping(cut)
        i = int(np.flatnonzero(years == origin)[0])
        growth = (logs[:, i] - logs[:, i - GROWTH_YEARS]) / GROWTH_YEARS
        n = min(LINE_YEARS, i + 1)
        errors: dict[str, list[np.ndarray]] = {"chosen": [], "damping only": [], "naive": [], "five-year line": []}
        for k in range(1, PANEL_HORIZONS + 1):
            if i + k >= len(years):
                break
            actual = logs[:, i + k]
            chosen = logs[:, i] + capped(growth, cap) * np.sum(damping ** np.arange(1, k + 1))
            old = logs[:, i] + growth * np.sum(damping_only ** np.arange(1, k + 1))
            recent = values[:, i - n + 1:i + 1]
            ok = np.isfinite(recent).sum(axis=1) >= 2
            line = np.full(len(values), np.nan)
            x = np.arange(n)
            for r in np.flatnonzero(ok):
                keep = np.isfinite(recent[r])
                slope, intercept = np.polyfit(x[keep], recent[r, keep], 1)
                level = slope * (n - 1 + k) + intercept
                line[r] = np.log(level) if level > 0 else np.nan
            valid = np.isfinite(actual) & np.isfinite(chosen) & np.isfinite(old) & np.isfinite(line)
            for name, forecast in (("chosen", chosen), ("damping only", old), ("naive", logs[:, i]),
                                   ("five-year line", line)):
                errors[name].append(np.abs(forecast - actual)[valid])
        pooled = {name: np.concatenate(parts) for name, parts in errors.items()}
        cap_text = "none" if cap is None else f"{cap:g}"
        out.append((label, origin, f"{damping:g}, cap {cap_text}", f"{damping_only:g}", pooled["chosen"].size,
                    *(float(pooled[name].mean()) for name in ("chosen", "damping only", "naive", "five-year line"))))
    return out


def capacity_rows(decided: pd.DataFrame, assessed: pd.DataFrame, years: range) -> list[tuple]:
    """One row per target year ``t``: the adjustment chosen on the years before ``t`` and
    its mean absolute log error in ``t`` beside at once, naive and the five-year line."""
    checks = one_year_ahead(decided, assessed, response_from=RESPONSE_FROM)
    out = []
    for year in years:
        before = checks[checks["year"] < year]
        now = checks[checks["year"] == year]
        if now.empty:
            continue
        share, _ = choose_adjustment(before)
        actual = now["actual"].to_numpy(float)
        line = []
        for la in now["la"]:
            past = assessed.loc[la, [y for y in assessed.columns if year - LINE_YEARS <= int(y) < year]].dropna()
            if len(past) >= 2:
                slope, intercept = np.polyfit(past.index.to_numpy(float), past.to_numpy(float), 1)
                level = slope * year + intercept
                line.append(level if level > 0 else np.nan)
            else:
                line.append(np.nan)
        line = np.array(line)
        ok = np.isfinite(line)

        def error(forecast: np.ndarray) -> float:
            return float(np.abs(np.log(forecast[ok] / actual[ok])).mean())

        out.append(("completed assessments", year, f"{share:g}", "1 (at once)", int(ok.sum()),
                    error(adjusted(now["previous"].to_numpy(float), now["target"].to_numpy(float), share)),
                    error(now["target"].to_numpy(float)), error(now["previous"].to_numpy(float)), error(line)))
    return out


def refusal_rows(requests: pd.DataFrame, refused: pd.DataFrame, years: range) -> list[tuple]:
    """One row per calendar year ``t``: the mean absolute log error of decisions to assess
    (requests times one less the refusal rate) in ``t`` with the rate of ``t - 1`` against
    the means of the last 3, 2 and 5 years before ``t``, on LAs with more than 20 requests."""
    rate = refused.reindex_like(requests) / requests.where(requests > 0)
    out = []
    for year in years:
        before = [y for y in rate.columns if int(y) < year]
        actual = rate[year]
        rules = {k: rate[before[-k:]].mean(axis=1) for k in (1, 2, 3, 5)}
        ok = actual.notna() & (requests[year] > 20)
        for rule in rules.values():
            ok &= rule.notna()

        def error(forecast: pd.Series) -> float:
            return float(np.abs(np.log((1 - forecast[ok]).clip(0.01) / (1 - actual[ok]).clip(0.01))).mean())

        out.append(("decisions to assess (refusal rate)", year, "last year's rate", "mean of 3", int(ok.sum()),
                    error(rules[1]), error(rules[3]), error(rules[2]), error(rules[5])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (default: the shipped data/)")
    args = parser.parse_args()
    dataset = store.load_dataset(args.data)
    rows = trend_rows(requests_panel(dataset), range(2019, 2024), "requests")
    rows += trend_rows(published_panels(dataset)["sen_support_pct"], range(2019, 2025), "SEN support share")
    flows = assessment_panels(dataset)
    rows += capacity_rows(flows["decided"], flows["assessed"], range(2021, 2025))
    m = dataset.measures
    totals = m[(m["breakdown"].fillna("") == "") & m["la_code"].str.startswith("E") & (m["la_code"] != "E92000001")]
    wide = {
        name: totals[totals["measure"] == name].pivot_table(index="la_code", columns="year", values="value",
                                                             aggfunc="first")
        for name in ("requests", "requests_refused")
    }
    rows += refusal_rows(wide["requests"], wide["requests_refused"], range(2019, 2025))
    print("| series | origin (or year scored) | chosen | before | checks | chosen | before | naive | five-year line |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, origin, chosen, before, checks, *errors in rows:
        print(f"| {label} | {origin} | {chosen} | {before} | {checks:,} | " + " | ".join(f"{e:.3f}" for e in errors)
              + " |")


if __name__ == "__main__":
    main()
