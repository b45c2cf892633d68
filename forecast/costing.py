"""What the forecast caseload would cost: unit costs times placements, with intervals.

Planning meaning: high-needs spend by year if the forecast comes true, with the range a
finance team should plan for, by placement group and in total.

Rule: spend in year ``y`` for a group = placements x unit annual cost at the price base x
``price index(y)``, where the price index is ``(1 + inflation) ** (y - price_base_year)``
for a constant rate, or the product of the given yearly rates after the base year. It is
computed for every sample path, and the intervals are quantiles of spend across paths.
For one group, that equals the unit cost times the caseload's own quantiles (the cost is a
positive multiple of the count), but the *total* over groups must come from paths: adding the
groups' upper bounds would assume every group is at its 97.5th percentile at once.

Years are the paths' years: for January caseloads convert to financial years first in the
application layer (the 0.25/0.75 rule in ``sendcast.data.years``); the result says which
``year_basis`` it was given. A group with no unit cost (``None`` or NaN, e.g. alternative
provision, whose spend is not derivable from outturn) is reported as not costed, never as
zero, and is left out of ``total_costed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import ForecastError

TOTAL = "total_costed"
COST_COLUMNS: tuple[str, ...] = (
    "placement_group",
    "year",
    "year_basis",
    "costed",
    "unit_cost_gbp",
    "price_index",
    "spend_gbp_mean",
    "spend_gbp_median",
    "spend_gbp_lo80",
    "spend_gbp_hi80",
    "spend_gbp_lo95",
    "spend_gbp_hi95",
    "price_basis",
)


@dataclass(frozen=True)
class CostForecast:
    """``table``: one row per placement group (and ``total_costed``) and year, columns
    :data:`COST_COLUMNS`, spend in cash pounds (``price_basis`` says how inflated).
    ``total_paths``: ``(paths, years)`` spend of all costed groups, for further statements.
    ``not_costed``: groups left out for want of a unit cost."""

    table: pd.DataFrame
    total_paths: np.ndarray
    not_costed: tuple[str, ...]


def price_index(years: np.ndarray, price_base_year: int, inflation: float | Mapping[int, float]) -> np.ndarray:
    """Prices in each year relative to the price base year (1.0 in the base year).
    ``inflation`` is a constant yearly rate (0.03 for 3%) or a rate per year, where the rate
    for year ``y`` takes prices from ``y - 1`` to ``y``."""
    years = np.asarray(years, dtype=int)
    if not isinstance(inflation, Mapping):
        if inflation <= -1:
            raise ForecastError(f"costing: inflation rate {inflation} would make prices non-positive")
        return (1.0 + float(inflation)) ** (years - price_base_year)
    index = []
    for year in years:
        factor = 1.0
        span = range(price_base_year + 1, year + 1) if year >= price_base_year else range(year + 1, price_base_year + 1)
        for step in span:
            if step not in inflation:
                raise ForecastError(f"costing: no inflation rate for {step}")
            factor *= 1.0 + float(inflation[step])
        index.append(factor if year >= price_base_year else 1.0 / factor)
    return np.array(index)


def _summaries(spend: np.ndarray) -> dict[str, np.ndarray]:
    lo95, lo80, median, hi80, hi95 = np.quantile(spend, [0.025, 0.10, 0.5, 0.90, 0.975], axis=0)
    return {
        "spend_gbp_mean": spend.mean(axis=0),
        "spend_gbp_median": median,
        "spend_gbp_lo80": lo80,
        "spend_gbp_hi80": hi80,
        "spend_gbp_lo95": lo95,
        "spend_gbp_hi95": hi95,
    }


def cost_forecast(
    paths: Mapping[str, np.ndarray],
    years: np.ndarray | list[int],
    unit_costs: Mapping[str, float | None],
    *,
    price_base_year: int,
    inflation: float | Mapping[int, float],
    year_basis: str = "financial",
) -> CostForecast:
    """Spend by placement group and year from sample paths of placements
    (``paths[group]`` is ``(paths, years)``; every group the same shape, paths aligned so
    path ``k`` of each group is one joint scenario, as after reconciliation) and unit annual
    costs in pounds at ``price_base_year`` prices."""
    years = np.asarray(years, dtype=int)
    if not paths:
        raise ForecastError("costing: no placement paths given")
    shapes = {np.asarray(p).shape for p in paths.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2 or next(iter(shapes))[1] != years.size:
        raise ForecastError("costing: every group's paths must be (paths, years) with the same shape")
    unknown = [g for g in paths if g not in unit_costs]
    if unknown:
        raise ForecastError(f"costing: no unit cost entry for {unknown} (give None to mark it not costed)")
    index = price_index(years, price_base_year, inflation)
    basis = f"cash prices: gbp_{price_base_year} unit costs inflated " + (
        f"at {float(inflation):.1%} a year" if not isinstance(inflation, Mapping) else "by the yearly rates given"
    )
    rows, not_costed = [], []
    total = np.zeros(next(iter(shapes)))
    for group, group_paths in paths.items():
        given = unit_costs[group]
        cost = float("nan") if given is None else float(given)
        costed = bool(np.isfinite(cost))
        if costed and cost < 0:
            raise ForecastError(f"costing: unit cost for {group} is negative ({given})")
        if costed:
            spend = np.asarray(group_paths, dtype=float) * cost * index[None, :]
            total += spend
            summary = _summaries(spend)
        else:
            not_costed.append(group)
            summary = {key: np.full(years.size, np.nan) for key in _summaries(total[:1]).keys()}
        rows.append(
            pd.DataFrame(
                {
                    "placement_group": group,
                    "year": years,
                    "year_basis": year_basis,
                    "costed": costed,
                    "unit_cost_gbp": cost if costed else np.nan,
                    "price_index": index,
                    **summary,
                    "price_basis": basis,
                }
            )
        )
    if len(not_costed) == len(paths):
        raise ForecastError("costing: no group has a unit cost")
    rows.append(
        pd.DataFrame(
            {
                "placement_group": TOTAL,
                "year": years,
                "year_basis": year_basis,
                "costed": True,
                "unit_cost_gbp": np.nan,
                "price_index": index,
                **_summaries(total),
                "price_basis": basis + (f"; not costed: {', '.join(not_costed)}" if not_costed else ""),
            }
        )
    )
    table = pd.concat(rows, ignore_index=True)[list(COST_COLUMNS)]
    return CostForecast(table=table, total_paths=total, not_costed=tuple(not_costed))
