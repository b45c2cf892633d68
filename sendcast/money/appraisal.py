"""Appraising an option against its baseline: what it saves, when it pays back, what it buys.

Planning meaning: finance asks of every option "what does it cost or save each year, in
total, in today's money, when does it pay for itself, and what does it buy for children?".
This module answers from paired simulation replications (replication ``r`` of the option
and of the baseline share random numbers, so their difference is the option's effect and
not noise).

Inputs are arrays ``(replications, years)`` aligned by replication and year: spend in
pounds at the scenario's price base (real terms) and, optionally, child-weeks waited for a
local special place. The years are whatever the caller gives, consecutive, the first is year
0 for discounting, and ``year_unit`` names them; the application appraises by April-March
financial year (:func:`sendcast.scenarios.pipeline.appraise_options`, labelled by each
year's start year), so that the appraisal, the spend table and the waterfall add up to the
same figures.

Definitions (every one per replication first, then summarised across replications as the
mean and a 95% confidence interval for the mean, t distribution; a single replication gives
no interval):

- ``net_saving`` in year ``y``: baseline spend minus option spend (positive: the option
  saves money);
- ``cumulative_net_saving``: the running total of ``net_saving`` from the first year;
- ``discount_factor``: ``1 / (1 + rate) ** t`` with ``t`` years since the first year
  (HM Treasury Green Book, default rate 3.5% a year, applied to real-terms values);
- ``npv_net_saving_gbp``: the sum of discounted net savings over the horizon (the net
  present value of choosing the option; positive: worth it on cost alone);
- ``break_even_year``: the first year from which the mean cumulative net saving is at
  least zero in that year and every later year of the run; ``None`` if it never is (an
  option that saves from its first year breaks even in its first year);
  ``share_broken_even`` is the share of replications whose own cumulative saving is at
  least zero in the last year;
- ``child_weeks_avoided``: baseline minus option child-weeks waited, summed over the run;
- ``cost_per_child_week_avoided_gbp``: extra spend (option minus baseline, summed over the
  run, undiscounted real terms) divided by child-weeks avoided: a ratio of means across
  replications, with a 95% percentile bootstrap interval over replications (seeded). It is
  only defined when the option avoids waiting with confidence (the interval for
  ``child_weeks_avoided`` lies above zero); otherwise it is NaN and the note says why. A
  negative value means the option both saves money and avoids waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sendcast.runtime.errors import SendcastError

GREEN_BOOK_RATE = 0.035
#: The unit of a break-even year given as an April-March financial year's start year.
FINANCIAL_YEAR = "financial year"
BOOTSTRAP_DRAWS = 2000
APPRAISAL_COLUMNS = ["statistic", "mean", "lo95", "hi95", "unit", "note"]


class AppraisalError(SendcastError):
    """The inputs cannot be appraised (misaligned or empty)."""


@dataclass(frozen=True)
class Appraisal:
    """``by_year``: one row per year with baseline and option spend, net saving, cumulative
    net saving (each ``_mean``, ``_lo95``, ``_hi95``) and the discount factor.
    ``summary``: one row per statistic with :data:`APPRAISAL_COLUMNS`.
    ``break_even_year``: see the module docstring."""

    by_year: pd.DataFrame
    summary: pd.DataFrame
    break_even_year: int | None


def mean_interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over axis 0 and a 95% t-interval for the mean (NaN bounds for one replication)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    mean = values.mean(axis=0)
    if n < 2:
        nan = np.full_like(mean, np.nan)
        return mean, nan, nan
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def discount_factors(n_years: int, rate: float = GREEN_BOOK_RATE) -> np.ndarray:
    """Green Book discount factors for years 0..n_years-1 of a run."""
    if rate < 0:
        raise AppraisalError(f"discount rate must not be negative, found {rate}")
    return 1.0 / (1.0 + rate) ** np.arange(n_years)


def break_even_year(years: np.ndarray, cumulative_saving: np.ndarray) -> int | None:
    """The first year from which ``cumulative_saving`` (one value per year) stays >= 0."""
    below = np.flatnonzero(np.asarray(cumulative_saving) < 0)
    if below.size == 0:
        return int(years[0])
    last_below = below[-1]
    return None if last_below == len(years) - 1 else int(years[last_below + 1])


def _check(name: str, array: np.ndarray, shape: tuple[int, ...] | None) -> np.ndarray:
    array = np.asarray(array, dtype=float)
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 1:
        raise AppraisalError(f"appraisal: {name} must be (replications, years) with at least one of each")
    if shape is not None and array.shape != shape:
        raise AppraisalError(f"appraisal: {name} has shape {array.shape}, expected {shape} (paired replications)")
    if not np.isfinite(array).all():
        raise AppraisalError(f"appraisal: {name} has missing or infinite values")
    return array


def _cost_per_week(extra_cost: np.ndarray, weeks_avoided: np.ndarray, seed: int) -> tuple[float, float, float, str]:
    n = extra_cost.size
    _, lo_weeks, _ = mean_interval(weeks_avoided[:, None])
    if weeks_avoided.mean() <= 0 or not (n >= 2 and lo_weeks[0] > 0):
        return np.nan, np.nan, np.nan, "not defined: the option does not avoid waiting with confidence"
    ratio = extra_cost.mean() / weeks_avoided.mean()
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(BOOTSTRAP_DRAWS, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = extra_cost[draws].mean(axis=1) / weeks_avoided[draws].mean(axis=1)
    boot = boot[np.isfinite(boot)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    note = "extra spend per child-week of waiting avoided" if ratio >= 0 else \
        "negative: the option saves money and avoids waiting"
    return float(ratio), float(lo), float(hi), note


def appraise(years: np.ndarray | list[int], baseline_cost_gbp: np.ndarray, option_cost_gbp: np.ndarray, *,
             baseline_child_weeks: np.ndarray | None = None, option_child_weeks: np.ndarray | None = None,
             discount_rate: float = GREEN_BOOK_RATE, seed: int = 0,
             year_unit: str = "calendar year") -> Appraisal:
    """Appraise an option against its baseline (see the module docstring for every definition);
    ``year_unit`` is the unit of the break-even year (e.g. ``"financial year"``: its start year)."""
    years = np.asarray(years, dtype=int)
    base = _check("baseline spend", baseline_cost_gbp, None)
    option = _check("option spend", option_cost_gbp, base.shape)
    if years.shape != (base.shape[1],):
        raise AppraisalError(f"appraisal: {years.size} years given for {base.shape[1]} yearly values")
    saving = base - option
    cumulative = np.cumsum(saving, axis=1)
    factors = discount_factors(len(years), discount_rate)
    npv = (saving * factors[None, :]).sum(axis=1)
    columns: dict[str, np.ndarray] = {"year": years}
    for name, values in (("baseline_cost_gbp", base), ("option_cost_gbp", option), ("net_saving_gbp", saving),
                         ("cumulative_net_saving_gbp", cumulative)):
        mean, lo, hi = mean_interval(values)
        columns.update({f"{name}_mean": mean, f"{name}_lo95": lo, f"{name}_hi95": hi})
    columns["discount_factor"] = factors
    by_year = pd.DataFrame(columns)
    even = break_even_year(years, by_year["cumulative_net_saving_gbp_mean"].to_numpy())
    rows = []

    def add(statistic: str, values: np.ndarray, unit: str, note: str) -> None:
        mean, lo, hi = mean_interval(np.asarray(values, dtype=float)[:, None])
        rows.append({"statistic": statistic, "mean": mean[0], "lo95": lo[0], "hi95": hi[0], "unit": unit,
                     "note": note})

    add("total_net_saving_gbp", saving.sum(axis=1), "GBP, price base, undiscounted",
        "baseline spend minus option spend over the run")
    add("npv_net_saving_gbp", npv, "GBP, price base, discounted",
        f"Green Book discounting at {discount_rate:.1%} a year; positive means the option saves money")
    add("share_broken_even", (cumulative[:, -1] >= 0).astype(float), "share of replications",
        "replications whose cumulative saving is at least zero by the last year")
    rows.append({"statistic": "break_even_year", "mean": np.nan if even is None else float(even), "lo95": np.nan,
                 "hi95": np.nan, "unit": year_unit,
                 "note": "never within the run" if even is None else
                 "first year from which the mean cumulative saving stays at or above zero"})
    if (baseline_child_weeks is None) != (option_child_weeks is None):
        raise AppraisalError("appraisal: give child-weeks waited for both the baseline and the option, or neither")
    if baseline_child_weeks is not None:
        base_weeks = _check("baseline child-weeks", baseline_child_weeks, base.shape)
        option_weeks = _check("option child-weeks", option_child_weeks, base.shape)
        avoided = (base_weeks - option_weeks).sum(axis=1)
        add("child_weeks_avoided", avoided, "child-weeks", "waiting for a local special place, summed over the run")
        ratio, lo, hi, note = _cost_per_week(-saving.sum(axis=1), avoided, seed)
        rows.append({"statistic": "cost_per_child_week_avoided_gbp", "mean": ratio, "lo95": lo, "hi95": hi,
                     "unit": "GBP per child-week, price base", "note": note})
    return Appraisal(by_year=by_year, summary=pd.DataFrame(rows, columns=APPRAISAL_COLUMNS), break_even_year=even)
