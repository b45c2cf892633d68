"""Probabilistic sensitivity analysis of an option: how likely it saves money, which inputs
drive the answer, and what knowing an input better would be worth.

Inputs are per replication (one row per replication, paired with the baseline by common
random numbers): the option's net present saving ``npv`` in pounds at the price base
(baseline spend minus option spend, discounted; positive = the option saves money) and
the values of the uncertain inputs drawn for that replication. The decision is "adopt
the option or not": not adopting is worth 0, adopting is worth ``npv``.

Definitions:

- ``probability_saving_by_year``: share of replications whose cumulative (undiscounted,
  real-terms) net saving is above zero at the end of each year;
- ``npv_summary``: the expected NPV (mean), the 2.5th-97.5th percentiles of the NPV across
  replications (what the uncertain inputs and chance together allow), the Monte Carlo
  standard error of the mean and a 95% confidence interval for it (Monte Carlo error only;
  over simulated runs when several draws share one: :func:`monte_carlo_se`);
- ``linear_metamodel``: least-squares fit ``npv ~ b0 + sum(b_i x_i)`` over the replications,
  the standard regression metamodel of a PSA;
- ``break_even``: the value of one input at which the metamodel's NPV is zero with every
  other input at its median (``None`` when the fitted NPV does not change sign inside the
  range drawn, or the input has no effect);
- ``tornado``: for each input, the metamodel's NPV at the input's 10th and 90th percentiles
  with the other inputs at their medians; the swing (difference) ranks the inputs. The
  Spearman rank correlation of each input with the NPV is given beside it (no model);
- ``evpi``: expected value of perfect information on everything uncertain,
  ``mean(max(npv, 0)) - max(mean(npv), 0)`` (pounds: what resolving all uncertainty before
  deciding would be worth; Monte Carlo noise counts as uncertainty here, so it is an upper
  bound);
- ``evppi``: the same for one input (the value of evaluating the lever first):
  ``mean(max(g(x), 0)) - max(mean(npv), 0)`` with ``g(x)`` the expected NPV given the input's
  value: the mean NPV of the replications with that value where the input takes few values
  (at most :data:`EXACT_GROUPS`), else a cubic polynomial fit of NPV on the input
  (regression-based EVPPI, Strong, Oakley and Brennan 2014). Zero when the input never varies.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

EXACT_GROUPS = 20
TORNADO_COLUMNS = ["input", "low_value", "high_value", "npv_at_low_gbp", "npv_at_high_gbp", "swing_gbp",
                   "rank_correlation"]


def probability_saving_by_year(years: np.ndarray, cumulative_saving: np.ndarray) -> pd.DataFrame:
    """``year, probability_saving``: share of replications (rows of ``cumulative_saving``)
    with a cumulative saving above zero at the end of each year."""
    cumulative = np.asarray(cumulative_saving, dtype=float)
    return pd.DataFrame({"year": np.asarray(years, dtype=int), "probability_saving": (cumulative > 0).mean(axis=0)})


def cluster_means(values: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """The mean of ``values`` in each cluster (draws that share a simulated run), in cluster
    order; ``values`` themselves when there are no clusters."""
    values = np.asarray(values, dtype=float)
    if clusters is None:
        return values
    _, groups = np.unique(np.asarray(clusters), return_inverse=True)
    return np.bincount(groups, weights=values) / np.bincount(groups)


def monte_carlo_se(values: np.ndarray, clusters: np.ndarray | None = None) -> float:
    """Monte Carlo standard error of the mean of ``values``: the standard deviation of the
    cluster means over the square root of their number (draws sharing a run are not
    independent; with equal cluster sizes this is the usual cluster-robust error)."""
    means = cluster_means(values, clusters)
    return float(means.std(ddof=1) / np.sqrt(means.size)) if means.size > 1 else float("nan")


def npv_summary(npv: np.ndarray, clusters: np.ndarray | None = None) -> dict[str, float]:
    """Expected NPV, its 2.5-97.5% range across draws, its Monte Carlo standard error and a
    95% CI for the mean (t over the clusters: draws that share a simulated run, or every draw
    on its own), and the probability the NPV is positive with its Monte Carlo error."""
    npv = np.asarray(npv, dtype=float)
    lo, hi = np.percentile(npv, [2.5, 97.5])
    se = monte_carlo_se(npv, clusters)
    runs = cluster_means(npv, clusters).size
    half = stats.t.ppf(0.975, runs - 1) * se if runs > 1 else np.nan
    positive = (npv > 0).astype(float)
    return {"expected_npv_gbp": float(npv.mean()), "npv_p2_5_gbp": float(lo), "npv_p97_5_gbp": float(hi),
            "expected_npv_mcse_gbp": se,
            "expected_npv_lo95_gbp": float(npv.mean() - half), "expected_npv_hi95_gbp": float(npv.mean() + half),
            "probability_npv_positive": float(positive.mean()),
            "probability_npv_positive_mcse": monte_carlo_se(positive, clusters)}


def linear_metamodel(inputs: pd.DataFrame, npv: np.ndarray) -> tuple[float, pd.Series]:
    """Intercept and slopes of ``npv ~ b0 + sum(b_i x_i)``; an input that never varies gets
    slope 0."""
    x = inputs.to_numpy(dtype=float)
    varying = x.std(axis=0) > 0
    design = np.column_stack([np.ones(len(x)), x[:, varying]])
    coefficients, *_ = np.linalg.lstsq(design, np.asarray(npv, dtype=float), rcond=None)
    slopes = np.zeros(x.shape[1])
    slopes[varying] = coefficients[1:]
    return float(coefficients[0]), pd.Series(slopes, index=inputs.columns)


def _predict(intercept: float, slopes: pd.Series, values: Mapping[str, float]) -> float:
    return intercept + float(sum(slopes[k] * values[k] for k in slopes.index))


def break_even(inputs: pd.DataFrame, npv: np.ndarray, key: str, *, within_range: bool = True) -> float | None:
    """The value of ``key`` at which the metamodel NPV is zero, others at their medians
    (``None`` when ``key`` has no effect, or, with ``within_range``, outside the range drawn;
    without it the straight line is extended, an extrapolation to be labelled as such)."""
    intercept, slopes = linear_metamodel(inputs, npv)
    if slopes[key] == 0:
        return None
    medians = inputs.median()
    rest = _predict(intercept, slopes, medians) - slopes[key] * medians[key]
    value = -rest / slopes[key]
    low, high = inputs[key].min(), inputs[key].max()
    return float(value) if (low <= value <= high or not within_range) else None


def tornado(inputs: pd.DataFrame, npv: np.ndarray, low_q: float = 0.10, high_q: float = 0.90) -> pd.DataFrame:
    """:data:`TORNADO_COLUMNS`, one row per input, largest swing first."""
    intercept, slopes = linear_metamodel(inputs, npv)
    medians = inputs.median()
    rows = []
    for key in inputs.columns:
        low, high = inputs[key].quantile([low_q, high_q])
        at = {}
        for name, value in (("low", low), ("high", high)):
            values = dict(medians)
            values[key] = value
            at[name] = _predict(intercept, slopes, values)
        varies = inputs[key].std() > 0 and np.std(npv) > 0
        rho = float(stats.spearmanr(inputs[key], npv).statistic) if varies else 0.0
        rows.append({"input": key, "low_value": float(low), "high_value": float(high),
                     "npv_at_low_gbp": at["low"], "npv_at_high_gbp": at["high"],
                     "swing_gbp": abs(at["high"] - at["low"]), "rank_correlation": rho})
    table = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
    return table.sort_values("swing_gbp", ascending=False, kind="stable").reset_index(drop=True)


def evpi(npv: np.ndarray) -> float:
    """Expected value of perfect information (pounds), adopt-or-not decision."""
    npv = np.asarray(npv, dtype=float)
    return float(np.maximum(npv, 0.0).mean() - max(npv.mean(), 0.0))


def conditional_npv(x: np.ndarray, npv: np.ndarray) -> np.ndarray:
    """Expected NPV given the input's value, at each replication's value (see the module notes)."""
    x = np.asarray(x, dtype=float)
    npv = np.asarray(npv, dtype=float)
    values, groups = np.unique(x, return_inverse=True)
    if values.size <= EXACT_GROUPS:
        means = np.bincount(groups, weights=npv) / np.bincount(groups)
        return means[groups]
    scaled = (x - x.mean()) / x.std()
    coefficients = np.polynomial.polynomial.polyfit(scaled, npv, 3)
    return np.polynomial.polynomial.polyval(scaled, coefficients)


def evppi(x: np.ndarray, npv: np.ndarray) -> float:
    """Expected value of perfect information on one input (pounds)."""
    npv = np.asarray(npv, dtype=float)
    given = conditional_npv(x, npv)
    return float(max(np.maximum(given, 0.0).mean() - max(npv.mean(), 0.0), 0.0))
