"""Widening prediction intervals that were too narrow in the backtest.

Planning meaning: on 10-16 yearly points every method's own intervals are too narrow (in a
synthetic test nominal 80% intervals held the outcome only 32-63% of the time). A planner
told "80% chance between 1,200 and 1,300" must be able to trust the 80%. So each model's
intervals are widened, horizon by horizon, by as much as the backtest says they need, and
never narrowed.

The rule (one factor per group, model and horizon; a group is a measure when the backtest
has several):

1. Work on the model's own scale: ``g(x) = log(x + offset)`` for log-scale models (the
   offset the model used), ``g(x) = x`` for level-scale models.
2. For each scored forecast with centre ``c = g(forecast)``, outcome ``a = g(actual)`` and
   bounds ``l``, ``u`` (on the same scale), the factor that would just cover it is
   ``(a - c) / (u - c)`` if ``a > c``, else ``(c - a) / (c - l)`` (0 if ``a == c``;
   infinite if that side of the interval has no width).
3. The calibration factor is ``max(1, q80, q95)``, with ``q80`` the 80th percentile of
   those factors for the 80% interval and ``q95`` the 95th percentile for the 95% interval:
   the smallest common factor with which at least 80% of backtest outcomes fall in the
   widened 80% intervals and 95% in the widened 95% intervals. One common factor keeps
   the intervals nested and lets sample paths be widened the same way.
   Per level (``factor80 = max(1, q80)``, ``factor95 = max(1, q95)``): when forecast errors
   have heavier tails than the model assumes, the common factor is set by the 95% level and
   makes the 80% interval cover far more than 80% (on the national EHCP backtest, about
   88%). :meth:`Calibration.level_factors` and ``widen(..., factors95=...)`` widen each
   level by its own factor instead; the 95% bound is kept at least as far out as the 80%
   bound, and sample paths are stretched by a monotone piecewise-linear map of their
   distance from the centre (by ``factor80`` inside the 80% bounds, ``factor95`` beyond the
   95% bounds, linearly in between), so the paths' quantiles move with the bounds.
4. Evidence: at least ``min_forecasts`` scored forecasts (default 30) in the group at that
   horizon; otherwise the model's forecasts at that horizon are pooled over all groups
   (``basis = "pooled"``); if there are still too few the factor is 1 and
   ``basis = "insufficient"``. If more than 20% (or 5%) of the forecasts had an interval of
   zero width that missed (a series constant over its training window), no factor can help:
   the factor is NaN, ``basis = "cannot widen"``, and applying it is an error.
5. Horizons beyond the longest backtested one reuse the last backtested factor
   (``extrapolated``); the backtest cannot vouch for them.

Applying a factor ``s`` moves every bound and every sample path away from the central
forecast: ``g^-1(c + s * (g(b) - c))``, floored at zero. The central forecast does not move.
The result says whether widening was applied (``Forecast.interval_scale`` and
``Forecast.widened``). Coverage of calibrated intervals on the same backtest is at least
nominal by construction; :func:`holdout_coverage` gives an honest check on series the
factors were not estimated from.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecast.backtest import BacktestResult
from forecast.errors import ForecastError
from forecast.result import Forecast

LOGGER = logging.getLogger(__name__)
NOMINAL: dict[str, float] = {"80": 0.80, "95": 0.95}
_FACTORS: tuple[str, ...] = ("factor", "factor80", "factor95")


def _model_scale(values: np.ndarray, scale: np.ndarray, offset: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale == "log", np.log(np.maximum(values, 0.0) + offset), values)


def needed_factors(errors: pd.DataFrame) -> pd.DataFrame:
    """Per scored forecast: the factors ``need80`` and ``need95`` by which its intervals
    would have to be widened to contain the outcome (step 2 of the rule)."""
    scale = errors["scale"].to_numpy()
    offset = errors["log_offset"].to_numpy(dtype=float)
    centre = _model_scale(errors["forecast"].to_numpy(dtype=float), scale, offset)
    actual = _model_scale(errors["actual"].to_numpy(dtype=float), scale, offset)
    out = {}
    for level in ("80", "95"):
        lower = _model_scale(errors[f"lo{level}"].to_numpy(dtype=float), scale, offset)
        upper = _model_scale(errors[f"hi{level}"].to_numpy(dtype=float), scale, offset)
        with np.errstate(divide="ignore", invalid="ignore"):
            above = np.where(upper > centre, (actual - centre) / (upper - centre), np.inf)
            below = np.where(centre > lower, (centre - actual) / (centre - lower), np.inf)
        need = np.where(actual > centre, above, np.where(actual < centre, below, 0.0))
        need[np.isnan(actual)] = np.nan
        out[f"need{level}"] = need
    return errors.assign(**out)


@dataclass(frozen=True)
class Calibration:
    """``table``: one row per (group,) model and horizon with ``n_forecasts``,
    ``coverage80``/``coverage95`` before calibration, ``factor``, ``widened`` and ``basis``
    (``"group"``, ``"pooled"`` or ``"insufficient"``). ``group_columns``: e.g.
    ``("measure",)`` or ``()``."""

    table: pd.DataFrame
    group_columns: tuple[str, ...]

    def factors(self, model: str, horizon: int, *, group: tuple = ()) -> tuple[np.ndarray, np.ndarray]:
        """Common factors for horizons 1..``horizon`` and a flag per horizon for
        "extrapolated beyond the backtest". Unknown model or group: :class:`ForecastError`."""
        return self._factors("factor", model, horizon, group)

    def level_factors(
        self, model: str, horizon: int, *, group: tuple = ()
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-level factors (rule 3, per level): ``factor80``, ``factor95`` for horizons
        1..``horizon`` and the "extrapolated" flags."""
        factor80, extrapolated = self._factors("factor80", model, horizon, group)
        factor95, _ = self._factors("factor95", model, horizon, group)
        return factor80, factor95, extrapolated

    def _factors(self, factor: str, model: str, horizon: int, group: tuple) -> tuple[np.ndarray, np.ndarray]:
        rows = self.table[self.table["model"] == model]
        for column, value in zip(self.group_columns, group):
            rows = rows[rows[column] == value]
        if len(group) != len(self.group_columns):
            raise ForecastError(f"calibration: give a value for each of {self.group_columns}")
        if rows.empty:
            raise ForecastError(
                f"calibration: no backtest evidence for model {model!r}"
                + (f" in {dict(zip(self.group_columns, group))}" if group else "")
            )
        by_horizon = rows.set_index("horizon")[factor].sort_index()
        steps = np.arange(1, horizon + 1)
        last = int(by_horizon.index.max())
        factors = by_horizon.reindex(np.minimum(steps, last)).to_numpy(dtype=float)
        if np.isnan(factors).any():
            raise ForecastError(
                f"calibration: {model}'s intervals cannot be calibrated by widening at some "
                "horizons (zero-width intervals that missed); choose another model"
            )
        return factors, steps > last


def _factor_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    work = frame.assign(covered80=frame["covered80"].astype(float), covered95=frame["covered95"].astype(float))
    grouped = work.groupby(keys, observed=True)
    table = grouped.agg(
        n_forecasts=("actual", "count"), coverage80=("covered80", "mean"), coverage95=("covered95", "mean")
    )
    q80 = grouped["need80"].quantile(NOMINAL["80"], interpolation="higher")
    q95 = grouped["need95"].quantile(NOMINAL["95"], interpolation="higher")
    table["factor80"] = np.fmax(1.0, q80.to_numpy(dtype=float))
    table["factor95"] = np.fmax(1.0, q95.to_numpy(dtype=float))
    table["factor"] = np.fmax(table["factor80"], table["factor95"])
    return table.reset_index()


def calibrate(
    result: BacktestResult | pd.DataFrame, *, by: Sequence[str] | None = None, min_forecasts: int = 30
) -> Calibration:
    """Estimate calibration factors from a backtest (``BacktestResult`` or its ``errors``
    table). ``by`` defaults to ``("measure",)`` when the errors have a measure column."""
    errors = result.errors if isinstance(result, BacktestResult) else result
    errors = errors[errors["actual"].notna()]
    if by is None:
        by = ("measure",) if "measure" in errors.columns else ()
    group_columns = tuple(by)
    scored = needed_factors(errors)
    pooled = _factor_rows(scored, ["model", "horizon"])
    if group_columns:
        table = _factor_rows(scored, [*group_columns, "model", "horizon"])
        table["basis"] = "group"
        merged = table.merge(
            pooled[["model", "horizon", "n_forecasts", *_FACTORS]], on=["model", "horizon"], suffixes=("", "_pooled")
        )
        thin = merged["n_forecasts"] < min_forecasts
        for column in _FACTORS:
            merged.loc[thin, column] = merged.loc[thin, f"{column}_pooled"]
        merged.loc[thin, "basis"] = "pooled"
        still_thin = thin & (merged["n_forecasts_pooled"] < min_forecasts)
        table = merged.drop(columns=[*(f"{c}_pooled" for c in _FACTORS), "n_forecasts_pooled"])
    else:
        table = pooled.assign(basis="group")
        still_thin = table["n_forecasts"] < min_forecasts
    table.loc[still_thin, list(_FACTORS)] = 1.0
    table.loc[still_thin, "basis"] = "insufficient"
    hopeless = np.isinf(table["factor"].to_numpy(dtype=float))
    if hopeless.any():
        # Info, not a warning: these are candidate models; a chosen model that cannot be
        # calibrated is refused where it is used (Calibration.factors raises).
        LOGGER.info(
            "calibration: %d model/horizon cells have too many zero-width intervals that missed; "
            "they cannot be calibrated by widening and are marked basis='cannot widen'",
            hopeless.sum(),
        )
    table.loc[hopeless, list(_FACTORS)] = np.nan
    table.loc[hopeless, "basis"] = "cannot widen"
    table["widened"] = table["factor"] > 1.0
    return Calibration(table=table.reset_index(drop=True), group_columns=group_columns)


def _piecewise(
    deviation: np.ndarray, w80: np.ndarray, w95: np.ndarray, new80: np.ndarray, new95: np.ndarray
) -> np.ndarray:
    """Monotone map of distances from the centre (one side): ``w80 -> new80``,
    ``w95 -> new95``, linear in between, proportional inside ``w80`` and beyond ``w95``."""
    size = np.abs(deviation)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.where(w80 > 0, new80 / w80, 1.0)
        middle_slope = np.where(w95 > w80, (new95 - new80) / (w95 - w80), inner)
        outer = np.where(w95 > 0, new95 / w95, inner)
        mapped = np.where(
            size <= w80,
            size * inner,
            np.where(size <= w95, new80 + (size - w80) * middle_slope, new95 + (size - w95) * outer),
        )
    return np.sign(deviation) * mapped


def widen(forecast: Forecast, factors: np.ndarray, factors95: np.ndarray | None = None) -> Forecast:
    """Widen ``forecast``'s intervals and paths by ``factors`` (one per year, each >= 1)
    around its central forecast, as the module docstring describes. With ``factors95``,
    ``factors`` widens the 80% interval and ``factors95`` the 95% interval (rule 3, per
    level); ``interval_scale`` then records the 80% factors."""
    factors = np.asarray(factors, dtype=float)
    if factors.shape != forecast.years.shape or (factors < 1).any() or not np.isfinite(factors).all():
        raise ForecastError("calibration: need one finite factor >= 1 per forecast year")
    if factors95 is not None:
        return _widen_by_level(forecast, factors, np.asarray(factors95, dtype=float))
    forward, back = _scale_functions(forecast)
    centre = forward(forecast.mean)

    def stretch(values: np.ndarray) -> np.ndarray:
        moved = forward(values)
        with np.errstate(invalid="ignore"):
            out = back(centre + factors * (moved - centre))
        return np.where(np.isneginf(moved), 0.0, out)

    return replace(
        forecast,
        lower80=stretch(forecast.lower80),
        upper80=stretch(forecast.upper80),
        lower95=stretch(forecast.lower95),
        upper95=stretch(forecast.upper95),
        paths=None if forecast.paths is None else stretch(forecast.paths),
        interval_scale=forecast.interval_scale * factors,
    )


def _widen_by_level(forecast: Forecast, factors80: np.ndarray, factors95: np.ndarray) -> Forecast:
    if factors95.shape != forecast.years.shape or (factors95 < 1).any() or not np.isfinite(factors95).all():
        raise ForecastError("calibration: need one finite 95% factor >= 1 per forecast year")
    forward, back = _scale_functions(forecast)
    centre = forward(forecast.mean)
    out = {}
    sides = {"upper": (forecast.upper80, forecast.upper95, 1.0), "lower": (forecast.lower80, forecast.lower95, -1.0)}
    widths = {}
    for side, (bound80, bound95, sign) in sides.items():
        w80 = sign * (forward(bound80) - centre)
        w95 = sign * (forward(bound95) - centre)
        finite = np.isfinite(w80) & np.isfinite(w95)
        w80, w95 = np.where(finite, w80, 0.0), np.where(finite, w95, 0.0)
        new80 = factors80 * w80
        new95 = np.maximum(factors95 * w95, new80)
        widths[side] = (w80, w95, new80, new95)
        with np.errstate(invalid="ignore", over="ignore"):
            out[f"{side}80"] = np.where(finite, back(centre + sign * new80), bound80 if side == "upper" else 0.0)
            out[f"{side}95"] = np.where(finite, back(centre + sign * new95), bound95 if side == "upper" else 0.0)
    paths = None
    if forecast.paths is not None:
        moved = forward(forecast.paths) - centre
        above = moved >= 0
        up = _piecewise(moved, *widths["upper"])
        down = _piecewise(moved, *widths["lower"])
        with np.errstate(invalid="ignore", over="ignore"):
            paths = back(centre + np.where(above, up, down))
        paths = np.where(np.isneginf(forward(forecast.paths)), 0.0, paths)
    return replace(
        forecast,
        lower80=np.minimum(out["lower80"], forecast.mean),
        upper80=out["upper80"],
        lower95=np.minimum(out["lower95"], out["lower80"]),
        upper95=np.maximum(out["upper95"], out["upper80"]),
        paths=paths,
        interval_scale=forecast.interval_scale * factors80,
    )


def _scale_functions(forecast: Forecast):
    offset = forecast.log_offset
    if forecast.scale == "log":

        def forward(x: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore"):
                return np.log(np.maximum(x, 0.0) + offset)

        def back(x: np.ndarray) -> np.ndarray:
            return np.maximum(np.exp(x) - offset, 0.0)
    else:

        def forward(x: np.ndarray) -> np.ndarray:
            return x

        def back(x: np.ndarray) -> np.ndarray:
            return np.maximum(x, 0.0)

    return forward, back


def calibrate_forecast(
    forecast: Forecast, calibration: Calibration, *, model: str | None = None, group: tuple = ()
) -> Forecast:
    """Apply the backtest factors for ``model`` (default: the forecast's own model) and
    ``group`` (e.g. ``("ehcp_state_special",)``) to a forecast."""
    factors, _ = calibration.factors(model or forecast.model, len(forecast.years), group=group)
    return widen(forecast, factors)


def holdout_coverage(
    result: BacktestResult,
    *,
    folds: int = 2,
    by: Sequence[str] | None = None,
    min_forecasts: int = 30,
    separate_levels: bool = False,
) -> pd.DataFrame:
    """An honest check of the calibration rule: series are split into ``folds`` groups by a
    stable hash of their id; factors estimated on the other folds are applied to each fold's
    backtest forecasts. Returns per (group,) model and horizon the coverage of the
    calibrated 80% and 95% intervals on series the factors never saw. With
    ``separate_levels`` each level uses its own factor (``factor80``, ``factor95``); the 95%
    coverage is then a lower bound (the 95% bound is also kept outside the 80% bound)."""
    errors = needed_factors(result.errors[result.errors["actual"].notna()])
    id_frame = errors[list(result.id_columns)].astype(str)
    unique = id_frame.drop_duplicates()
    unique_fold = [zlib.crc32("/".join(row).encode()) % folds for row in unique.itertuples(index=False)]
    fold_of = pd.Series(unique_fold, index=pd.MultiIndex.from_frame(unique))
    fold = fold_of.reindex(pd.MultiIndex.from_frame(id_frame)).to_numpy()
    parts = []
    for k in range(folds):
        calibration = calibrate(errors[fold != k], by=by, min_forecasts=min_forecasts)
        keys = [*calibration.group_columns, "model", "horizon"]
        test = errors[fold == k].merge(calibration.table[[*keys, *_FACTORS]], on=keys, how="left")
        test[list(_FACTORS)] = test[list(_FACTORS)].fillna(1.0)
        level80, level95 = ("factor80", "factor95") if separate_levels else ("factor", "factor")
        parts.append(
            test.assign(held_covered80=test["need80"] <= test[level80], held_covered95=test["need95"] <= test[level95])
        )
    held = pd.concat(parts, ignore_index=True)
    keys = [*(by if by is not None else (("measure",) if "measure" in held.columns else ())), "model", "horizon"]
    return (
        held.groupby(keys, observed=True)
        .agg(
            n_forecasts=("actual", "size"),
            coverage80_raw=("covered80", "mean"),
            coverage95_raw=("covered95", "mean"),
            coverage80_calibrated=("held_covered80", "mean"),
            coverage95_calibrated=("held_covered95", "mean"),
        )
        .reset_index()
    )
