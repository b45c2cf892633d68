"""Making placement-group forecasts add up to the total forecast, year by year.

Planning meaning: mainstream + state special + independent special + FE + AP + other must
equal all EHC plans; a plan in which the parts and the total disagree cannot be costed or
trusted. Forecasting each series separately never guarantees that, so we reconcile.

The hierarchy is an argument (:class:`Hierarchy`), e.g. ``Hierarchy("ehcp_total",
("ehcp_mainstream", "ehcp_state_special", ...))``; the engine does not know the measure
names.

Methods (arrays may be one forecast per year, ``(years,)``, or sample paths,
``(paths, years)``; the same rule is applied to each path, so every path is coherent and any
statement made from paths, such as an interval for the total, agrees with the parts):

- ``bottom_up``: the total is the sum of the parts. The total's uncertainty is then whatever
  the sum of the parts' paths gives: if the parts' paths were simulated independently, the
  total's intervals are too narrow when groups move together.
- ``top_down``: proportional top-down with forecast proportions: each part is scaled so the
  parts sum to the total, keeping their forecast shares (per path, the shares of that path,
  so the uncertainty in the mix is kept). The total's distribution is untouched. If every
  part is 0 in a year, the total is split equally (logged).
- ``mint``: MinT with a shrinkage covariance (Wickramasuriya, Athanasopoulos and Hyndman
  2019): ``S (S' W^-1 S)^-1 S' W^-1 y_hat``, with ``W`` the covariance of the base
  forecasts' one-step in-sample (or backtest) errors shrunk towards its diagonal with the
  Schafer-Strimmer intensity. MinT can give a negative part; such parts are set to 0 and the
  total is re-summed from the parts (so coherence holds, and minimality is lost there).
- ``wls``: weighted least squares with a diagonal ``W`` of forecast-error variances given per
  node and year (MinT with the correlations set to zero, "WLS_v"). For one total and its
  parts it has a closed form: with ``gap = total - sum(parts)`` and variances ``v_total``,
  ``v_i``, each part moves by ``v_i / (v_total + sum(v)) * gap`` and the total by
  ``-v_total / (v_total + sum(v)) * gap``. So the least certain forecasts absorb most of the
  disagreement: a volatile "other arrangements" group moves, a steady state special group
  hardly does. The same variances (one per node and year) are used for every sample path, so
  the map is linear and every path stays coherent. Negative parts are set to 0 and the total
  re-summed, as for MinT.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.result import Forecast

LOGGER = logging.getLogger(__name__)
METHODS: tuple[str, ...] = ("bottom_up", "top_down", "mint", "wls")


@dataclass(frozen=True)
class Hierarchy:
    """A total and the parts that sum to it (for sendcast: ``ehcp_total`` and the six
    placement groups)."""

    total: str
    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.parts) < 2 or len(set(self.parts)) != len(self.parts) or self.total in self.parts:
            raise ForecastError("hierarchy: need at least two distinct parts, none named like the total")

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.total, *self.parts)

    def summing_matrix(self) -> np.ndarray:
        """``S``: rows are nodes (total first), columns the parts."""
        return np.vstack([np.ones(len(self.parts)), np.eye(len(self.parts))])


def _stack(values: Mapping[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    missing = [n for n in names if n not in values]
    if missing:
        raise ForecastError(f"reconcile: forecasts missing for {missing}")
    arrays = [np.asarray(values[n], dtype=float) for n in names]
    if len({a.shape for a in arrays}) != 1:
        raise ForecastError("reconcile: every series needs forecasts of the same shape (years, or paths x years)")
    return np.stack(arrays)


def bottom_up(values: Mapping[str, np.ndarray], hierarchy: Hierarchy) -> dict[str, np.ndarray]:
    """The parts as given; the total replaced by their sum."""
    parts = _stack(values, hierarchy.parts)
    out = {name: parts[i] for i, name in enumerate(hierarchy.parts)}
    out[hierarchy.total] = parts.sum(axis=0)
    return out


def top_down(values: Mapping[str, np.ndarray], hierarchy: Hierarchy) -> dict[str, np.ndarray]:
    """The total as given; each part scaled by ``total / sum(parts)`` (forecast
    proportions), elementwise."""
    parts = _stack(values, hierarchy.parts)
    total = np.asarray(values[hierarchy.total], dtype=float)
    if total.shape != parts.shape[1:]:
        raise ForecastError("reconcile: the total's forecasts must have the same shape as the parts'")
    share_sum = parts.sum(axis=0)
    empty = share_sum <= 0
    if empty.any():
        LOGGER.warning("top_down: every part is 0 in %d cells; the total is split equally there", int(empty.sum()))
    shares = np.where(empty, 1.0 / len(hierarchy.parts), parts / np.where(empty, 1.0, share_sum))
    scaled = shares * total
    out = {name: scaled[i] for i, name in enumerate(hierarchy.parts)}
    out[hierarchy.total] = scaled.sum(axis=0)
    return out


def shrunk_covariance(residuals: np.ndarray) -> np.ndarray:
    """Covariance of ``residuals`` (``(observations, nodes)``, NaN rows dropped) shrunk
    towards its diagonal with the Schafer-Strimmer (2005) intensity for correlations."""
    data = residuals[~np.isnan(residuals).any(axis=1)]
    n_obs = data.shape[0]
    if n_obs < 3:
        raise ForecastError(f"mint: need at least 3 complete rows of residuals, found {n_obs}")
    centred = data - data.mean(axis=0)
    sd = np.sqrt((centred**2).mean(axis=0))
    sd = np.where(sd > 0, sd, 1e-12)
    standard = centred / sd
    corr = standard.T @ standard / n_obs
    products = np.einsum("ti,tj->tij", standard, standard)
    variance_of_corr = n_obs / (n_obs - 1) ** 3 * ((products - corr) ** 2).sum(axis=0)
    off = ~np.eye(corr.shape[0], dtype=bool)
    denominator = (corr[off] ** 2).sum()
    intensity = 1.0 if denominator == 0 else float(np.clip(variance_of_corr[off].sum() / denominator, 0.0, 1.0))
    shrunk = (1 - intensity) * corr
    np.fill_diagonal(shrunk, 1.0)
    return shrunk * np.outer(sd, sd)


def mint(values: Mapping[str, np.ndarray], hierarchy: Hierarchy, residuals: pd.DataFrame) -> dict[str, np.ndarray]:
    """MinT (shrinkage) reconciliation; ``residuals`` has one column per node of the
    hierarchy (the base forecasts' one-step errors, aligned by row)."""
    missing = [n for n in hierarchy.nodes if n not in residuals.columns]
    if missing:
        raise ForecastError(f"mint: residuals missing for {missing}")
    base = _stack(values, hierarchy.nodes)
    summing = hierarchy.summing_matrix()
    covariance = shrunk_covariance(residuals[list(hierarchy.nodes)].to_numpy(dtype=float))
    precision = np.linalg.pinv(covariance)
    mapping = np.linalg.solve(summing.T @ precision @ summing, summing.T @ precision)
    bottom = np.tensordot(mapping, base, axes=1)
    if (bottom < 0).any():
        LOGGER.info("mint: %d negative part values set to 0 and the total re-summed", int((bottom < 0).sum()))
        bottom = np.maximum(bottom, 0.0)
    out = {name: bottom[i] for i, name in enumerate(hierarchy.parts)}
    out[hierarchy.total] = bottom.sum(axis=0)
    return out


def wls(
    values: Mapping[str, np.ndarray], hierarchy: Hierarchy, variances: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """WLS reconciliation (see the module docstring). ``variances[node]`` broadcasts against
    the node's values (one per year for arrays ``(years,)`` or ``(paths, years)``); every
    variance must be positive and finite."""
    missing = [n for n in hierarchy.nodes if n not in variances]
    if missing:
        raise ForecastError(f"wls: variances missing for {missing}")
    base = _stack(values, hierarchy.nodes)
    weights = np.stack(
        [np.broadcast_to(np.asarray(variances[n], dtype=float), base.shape[1:]) for n in hierarchy.nodes]
    )
    if not np.isfinite(weights).all() or (weights <= 0).any():
        raise ForecastError("wls: every variance must be positive and finite")
    gap = base[0] - base[1:].sum(axis=0)
    share = weights / weights.sum(axis=0)
    bottom = base[1:] + share[1:] * gap
    if (bottom < 0).any():
        LOGGER.info("wls: %d negative part values set to 0 and the total re-summed", int((bottom < 0).sum()))
        bottom = np.maximum(bottom, 0.0)
    out = {name: bottom[i] for i, name in enumerate(hierarchy.parts)}
    out[hierarchy.total] = bottom.sum(axis=0)
    return out


def reconcile(
    values: Mapping[str, np.ndarray],
    hierarchy: Hierarchy,
    *,
    method: str = "top_down",
    residuals: pd.DataFrame | None = None,
    variances: Mapping[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Reconcile arrays (one per node, same shape) by ``method``; ``mint`` needs
    ``residuals``, ``wls`` needs ``variances``."""
    if method == "bottom_up":
        return bottom_up(values, hierarchy)
    if method == "top_down":
        return top_down(values, hierarchy)
    if method == "mint":
        if residuals is None:
            raise ForecastError("mint needs the base forecasts' residuals")
        return mint(values, hierarchy, residuals)
    if method == "wls":
        if variances is None:
            raise ForecastError("wls needs the forecast-error variances of every node")
        return wls(values, hierarchy, variances)
    raise ForecastError(f"reconcile: method must be one of {METHODS}, found {method!r}")


def reconcile_forecasts(
    forecasts: Mapping[str, Forecast],
    hierarchy: Hierarchy,
    *,
    method: str = "top_down",
    residuals: pd.DataFrame | None = None,
    variances: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Forecast]:
    """Reconcile whole forecasts: central forecasts by ``method``, and every sample path by
    the same method; intervals are then the reconciled paths' quantiles (widened if need be
    so that each still contains its reconciled central forecast). Every forecast needs the
    same years and the same number of sample paths."""
    nodes = hierarchy.nodes
    missing = [n for n in nodes if n not in forecasts]
    if missing:
        raise ForecastError(f"reconcile: forecasts missing for {missing}")
    years = forecasts[nodes[0]].years
    if any(not np.array_equal(forecasts[n].years, years) for n in nodes):
        raise ForecastError("reconcile: every forecast must cover the same years")
    if any(forecasts[n].paths is None for n in nodes):
        raise ForecastError("reconcile: every forecast needs sample paths (n_paths > 0)")
    central = reconcile(
        {n: forecasts[n].mean for n in nodes}, hierarchy, method=method, residuals=residuals, variances=variances
    )
    paths = reconcile(
        {n: np.asarray(forecasts[n].paths) for n in nodes},
        hierarchy,
        method=method,
        residuals=residuals,
        variances=variances,
    )
    out = {}
    for name in nodes:
        node_paths, mean = paths[name], central[name]
        lo95, lo80, hi80, hi95 = np.quantile(node_paths, [0.025, 0.10, 0.90, 0.975], axis=0)
        lo80, hi80 = np.minimum(lo80, mean), np.maximum(hi80, mean)
        out[name] = replace(
            forecasts[name],
            model=f"{forecasts[name].model}, reconciled {method}",
            mean=mean,
            lower80=lo80,
            upper80=hi80,
            lower95=np.minimum(lo95, lo80),
            upper95=np.maximum(hi95, hi80),
            paths=node_paths,
        )
    return out


def part_factors(total: np.ndarray, parts: Mapping[str, np.ndarray]) -> np.ndarray:
    """Per year (last axis): ``total / sum(parts)``, the factor that makes central forecasts
    of the parts add up to the total's; 1 where the parts sum to 0 (nothing to scale)."""
    summed = np.sum([np.asarray(p, dtype=float) for p in parts.values()], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(summed > 0, np.asarray(total, dtype=float) / summed, 1.0)


def keep_total(forecasts: Mapping[str, Forecast], hierarchy: Hierarchy) -> dict[str, Forecast]:
    """Reconcile by keeping the total exactly as forecast: each year, every part's central
    forecast, interval bounds and sample paths are multiplied by the same factor
    :func:`part_factors` of the central forecasts. The total never moves (reconciliation
    cannot degrade it), the parts' central forecasts add up to it, and each part keeps its
    own calibrated relative spread. Per sample path the parts add up to the total only
    approximately (their paths are not rescaled one by one, which would let a small, very
    uncertain group squeeze the others' tails). Parts that sum to 0 in a year are left."""
    nodes = hierarchy.nodes
    missing = [n for n in nodes if n not in forecasts]
    if missing:
        raise ForecastError(f"reconcile: forecasts missing for {missing}")
    years = forecasts[hierarchy.total].years
    if any(not np.array_equal(forecasts[n].years, years) for n in nodes):
        raise ForecastError("reconcile: every forecast must cover the same years")
    factor = part_factors(forecasts[hierarchy.total].mean, {p: forecasts[p].mean for p in hierarchy.parts})
    out = {hierarchy.total: forecasts[hierarchy.total]}
    for part in hierarchy.parts:
        made = forecasts[part]
        out[part] = replace(
            made,
            model=f"{made.model}, scaled to the total",
            mean=made.mean * factor,
            lower80=made.lower80 * factor,
            upper80=made.upper80 * factor,
            lower95=made.lower95 * factor,
            upper95=made.upper95 * factor,
            paths=None if made.paths is None else made.paths * factor[None, :],
        )
    return out
