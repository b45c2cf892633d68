"""EHC plans as a stock that flows: next January = this January + new plans - plans ceased
+ net moves.

Year conventions: ``stock`` is the January census count (year ``Y`` = January ``Y``);
``new_plans``, ``ceased`` and ``requests`` are calendar-year flows (year ``y`` = calendar
``y``, January ``y`` to December ``y``). So

    stock(Y + 1) = stock(Y) + new_plans(Y) - ceased(Y) + moves(Y)

where ``moves`` is everything else (plans moving in and out of the LA, corrections): the
residual of the published figures, never assumed to be zero.

At an origin ``T`` (the latest January known) the flows of calendar ``T - 1`` are published
with it; calendar ``T`` is not. The forecast uses, per series, over the last ``rate_years``
known calendar years (``T - rate_years .. T - 1``):

- ``conversion`` = new plans in ``y`` / requests in ``y - 1`` (requests lead new plans by
  months: the 20-week timescale);
- ``cease_rate`` = plans ceased in ``y`` / stock in January ``y``;
- ``moves_rate`` = moves in ``y`` / stock in January ``y``;

each a ratio of sums (so 0/0 does not occur for a series with plans); a series whose ratio
cannot be formed (missing flows, zero denominators) takes the ratio of the pooled sums (the
national ratio). Requests after the latest known year grow at ``requests_growth`` a year
(the caller's choice; sendcast uses the national rate). Then for ``h = 1..horizon``,
January ``T + h`` follows from the identity with ``new_plans(T+h-1) = conversion *
requests(T+h-2)``, ``ceased = cease_rate * stock``, ``moves = moves_rate * stock``.
:func:`stock_flow_path` returns the components, so the identity can be checked exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.errors import ForecastError


@dataclass(frozen=True)
class StockFlowPath:
    """Arrays ``(series, horizon)``: January stocks ``stock`` for ``T+1..T+horizon`` and the
    calendar-year flows into each (``new_plans``, ``ceased``, ``moves`` of the year before);
    per-series rates ``conversion``, ``cease_rate``, ``moves_rate`` (``(series,)``)."""

    stock: np.ndarray
    new_plans: np.ndarray
    ceased: np.ndarray
    moves: np.ndarray
    conversion: np.ndarray
    cease_rate: np.ndarray
    moves_rate: np.ndarray


def _ratio(numerator: np.ndarray, denominator: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    ok = np.isfinite(numerator) & np.isfinite(denominator)
    num = np.where(ok, numerator, 0.0).sum(axis=1)
    den = np.where(ok, denominator, 0.0).sum(axis=1)
    rows = np.asarray(pooled, dtype=bool)
    national = num[rows].sum() / den[rows].sum() if den[rows].sum() > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where((den > 0) & ok.any(axis=1), num / den, np.nan)
    return np.where(np.isfinite(own), own, national)


def stock_flow_path(
    stock: np.ndarray,
    new_plans: np.ndarray,
    ceased: np.ndarray,
    requests: np.ndarray,
    horizon: int,
    *,
    requests_growth: float,
    pooled: np.ndarray | None = None,
    rate_years: int = 2,
) -> StockFlowPath:
    """Forecast January stocks ``horizon`` years past the last column of ``stock``.

    All four arrays are ``(series, years)`` on the same year labels, the last column being
    the origin January ``T``; the flow arrays' last column (calendar ``T``) is ignored, as it
    is not published at ``T``. ``requests_growth``: yearly log growth of requests after the
    last known year. ``pooled``: series whose sums give the fallback (national) ratios
    (default: all)."""
    if horizon < 1:
        raise ForecastError(f"stock-flow: horizon must be at least 1, found {horizon}")
    shapes = {a.shape for a in (stock, new_plans, ceased, requests)}
    if len(shapes) != 1 or stock.ndim != 2 or stock.shape[1] < rate_years + 2:
        raise ForecastError(
            "stock-flow: stock and flows must be (series, years) arrays of one shape with at least "
            f"{rate_years + 2} years"
        )
    pooled = np.ones(stock.shape[0], dtype=bool) if pooled is None else np.asarray(pooled, dtype=bool)
    known = slice(-1 - rate_years, -1)  # calendar years T - rate_years .. T - 1
    lagged = slice(-2 - rate_years, -2)  # the year before each of those
    start = stock[:, known]  # January y for each calendar year y
    after = stock[:, -rate_years:]  # January y + 1
    flows_in, flows_out = new_plans[:, known], ceased[:, known]
    conversion = _ratio(flows_in, requests[:, lagged], pooled)
    cease_rate = _ratio(flows_out, start, pooled)
    moves_rate = _ratio(after - start - flows_in + flows_out, start, pooled)
    last_requests = requests[:, -2]
    level = stock[:, -1].astype(float).copy()
    out = {name: np.empty((stock.shape[0], horizon)) for name in ("stock", "new_plans", "ceased", "moves")}
    for step in range(horizon):
        drive = last_requests * np.exp(requests_growth * step)  # requests of calendar T - 1 + step
        new = conversion * drive
        gone = cease_rate * level
        moved = moves_rate * level
        level = np.maximum(level + new - gone + moved, 0.0)
        out["stock"][:, step], out["new_plans"][:, step] = level, new
        out["ceased"][:, step], out["moves"][:, step] = gone, moved
    return StockFlowPath(conversion=conversion, cease_rate=cease_rate, moves_rate=moves_rate, **out)
