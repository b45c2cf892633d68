"""The results of one replication: the yearly stocks and flows tallied from the model's
records (:func:`replication_result`), and the :class:`ReplicationResult` they are kept in.

Stocks are counts on 1 January of each year of the run (``horizon + 1`` values, the first
the run's start); flows are counts (or GBP, ``cost_gbp``, at the parameters' price base)
per calendar year (``horizon`` values).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation.early_support import early_support_cost
from simulation.outputs import (
    CEASE_REASONS,
    SEN_EXIT_REASONS,
    need_stocks,
    per_year,
    placement_group_stocks,
    plans_at_januaries,
    stock_at_januaries,
    tidy,
    time_in_years,
    time_in_years_by,
)
from simulation.parameters import PLACEMENTS

if TYPE_CHECKING:
    from simulation.model import _Model

WEEKS = 52.0


@dataclass(frozen=True)
class ReplicationResult:
    """Yearly results of one replication: ``stocks`` at Januaries (``horizon + 1`` values)
    and ``flows`` per calendar year (``horizon`` values), keyed by (measure, breakdown)."""

    start_year: int
    stocks: dict[tuple[str, str], np.ndarray]
    flows: dict[tuple[str, str], np.ndarray]
    events: int

    def to_frame(self) -> pd.DataFrame:
        """Tidy ``measure, breakdown, year, value``."""
        return tidy(self.stocks, self.flows, self.start_year)


def records(rows: list[float], width: int) -> np.ndarray:
    """Event records (a flat list: each row's ``width`` numbers one after another) as a float
    array ``(rows, width)``."""
    return np.fromiter(rows, dtype=float, count=len(rows)).reshape(-1, width)


def gather(values: list, children: list[int]) -> np.ndarray:
    """``values[child]`` for each of ``children`` (a per-child list), as a float array."""
    if len(children) < 2:  # itemgetter of one index gives the value, not a tuple
        return np.array([values[child] for child in children], dtype=float)
    return np.array(itemgetter(*children)(values), dtype=float)


def replication_result(model: _Model) -> ReplicationResult:
    """The yearly stocks (Januaries) and flows (calendar years) of a replication that has run
    (:meth:`simulation.model._Model.run`): from the model's event records and the spells of
    the plans that needed no events; costs at the parameters' price base."""
    h, p = model.h, model.p
    inf = np.inf
    # spells still open at the end of the run
    for child in sorted(model.waiting):
        model.waits.extend((model.wait_event[child].since, inf))  # type: ignore[union-attr]
    stocks: dict[tuple[str, str], np.ndarray] = {}
    flows: dict[tuple[str, str], np.ndarray] = {}
    sen = records(model.sen_spells, 2)
    stocks[("sen_support", "")] = stock_at_januaries(
        np.concatenate([model.sen_start0, model.return_start0, sen[:, 0]]),
        np.concatenate([model.sen_end0, model.return_end0, sen[:, 1]]),
        h,
    )
    not_issued = records(model.not_issued_done, 2)
    issued = model.issued
    open_requests = model._open_requests()
    still_open = np.column_stack([open_requests, np.full(open_requests.size, inf)])
    pipe = np.concatenate(
        [model.pipeline0, records(model.pipeline_spells, 2), not_issued[:, ::-1], issued[:, 1::-1], still_open]
    )
    stocks[("in_assessment", "")] = stock_at_januaries(pipe[:, 0], pipe[:, 1], h)
    later, ceased = model._deferred_spells()
    spells = np.concatenate([records(model.plan_spells, 4), model._open_plan_spells(), later])
    groups = spells[:, 2].astype(np.int64)
    by_placement, by_age = plans_at_januaries(
        spells[:, 0], spells[:, 1], groups, model.births[spells[:, 3].astype(np.int64)], h
    )
    stocks.update(by_age)
    stocks.update(placement_group_stocks(dict(zip(PLACEMENTS, by_placement))))
    waits = records(model.waits, 2)
    stocks[("waiting_special_place", "")] = stock_at_januaries(waits[:, 0], waits[:, 1], h)

    flows[("sen_support_identified", "")] = per_year(model.identified_times, h)
    flows[("sen_support_identified", "route=early_identification")] = per_year(model.early_times, h)
    flows[("sen_support_identified", "route=more_identified")] = per_year(model.more_times, h)
    exits = records(model.sen_exits, 2)
    exit_times = np.concatenate([model.sen_exit_times0, model.return_exit_times0, exits[:, 0]])
    exit_causes = np.concatenate([model.sen_exit_causes0, model.return_exit_causes0, exits[:, 1]]).astype(np.int64)
    flows[("sen_support_exits", "")] = per_year(exit_times, h)
    for k, reason in enumerate(SEN_EXIT_REASONS):
        flows[("sen_support_exits", f"reason={reason}")] = per_year(exit_times[exit_causes == k], h)
    flows[("requests", "")] = per_year(np.concatenate([model.requests0, model.requests]), h)
    flows[("requests", "route=direct")] = per_year(model.direct_times, h)
    flows[("requests_refused", "")] = per_year(np.concatenate([model.refused0, model.refused]), h)
    assessed = per_year(np.concatenate([not_issued[:, 0], issued[:, 0]]), h)
    flows[("assessments", "")] = assessed
    flows[("assessed_not_issued", "")] = per_year(not_issued[:, 0], h)
    weeks = (issued[:, 0] - issued[:, 1]) * WEEKS
    within = per_year(issued[weeks <= 20.0, 0], h)
    issued = per_year(issued[:, 0], h)
    flows[("new_plans", "")] = issued
    flows[("issued_within_20wk_pct", "")] = np.where(issued > 0, 100.0 * within / np.maximum(issued, 1), np.nan)
    ceased = np.concatenate([records(model.ceased, 2), ceased])
    flows[("plans_ceased", "")] = per_year(ceased[:, 0], h)
    for k, reason in enumerate(CEASE_REASONS):
        flows[("plans_ceased", f"reason={reason}")] = per_year(ceased[ceased[:, 1] == k, 0], h)
    flows[("ehcp_moves_in", "")] = per_year(model.move_in_times, h)
    flows[("overflow_independent", "")] = per_year(np.array(model.overflow), h)
    flows[("child_weeks_waited", "")] = time_in_years(waits[:, 0], waits[:, 1], h) * WEEKS
    costs = p.costs.placement_gbp_per_year
    total = np.zeros(h)
    years_placed = time_in_years_by(spells[:, 0], spells[:, 1], groups, len(PLACEMENTS), h)
    for k, name in enumerate(PLACEMENTS):
        value = years_placed[k] * costs[k]
        flows[("cost_gbp", f"component={name}")] = value
        total += value
    value = assessed * p.costs.assessment_gbp
    flows[("cost_gbp", "component=assessment")] = value
    total += value
    if p.costs.transport_gbp_per_year.any():
        value = p.costs.transport_gbp_per_year @ years_placed
        flows[("cost_gbp", "component=transport")] = value
        total = total + value
    for component, value in p.costs.fixed_by_year(p.start_year, h).items():
        flows[("cost_gbp", f"component={component}")] = value
        total = total + value
    value = early_support_cost(p.early_identification, np.concatenate([model.early_times, model.more_times]), h)
    flows[("cost_gbp", "component=early_support")] = value
    flows[("cost_gbp", "")] = total + value
    if model.need_names:  # EHC plans (January) and new plans (calendar year) by primary need
        need_of = model.plan_need[spells[:, 3].astype(np.int64)]
        new_stocks, new_flows = need_stocks(
            model.need_names,
            spells[:, 0],
            spells[:, 1],
            groups,
            need_of,
            model.issued[:, 0],
            model.plan_need[model.issued[:, 2].astype(np.int64)],
            h,
        )
        stocks.update(new_stocks)
        flows.update(new_flows)
    return ReplicationResult(p.start_year, stocks, flows, model.events)
