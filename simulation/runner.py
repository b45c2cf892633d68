"""Replications of one or more scenarios, and tidy summaries of them.

The model only simulates; this module repeats it. Replication ``r`` of every scenario
uses the streams of ``(seed, r)`` (:mod:`simulation.streams`), so a scenario and its
baseline share random numbers and their paired differences have narrow intervals.
Replications run one after another in this process: the engine manages no processes. The
application runs the same replications on any backend (in this process, a process pool, Dask)
through :func:`sendcast.scenarios.replications.run_replications`, one task per
:func:`replication_values`, with identical results (every replication carries its own seed).

Tables (all tidy, years as in :mod:`simulation.outputs`: January for stocks, calendar
year for flows; money in pounds at the parameters' price base):

- ``summary``: ``scenario, measure, breakdown, year, mean, lo95, hi95``: the mean across
  replications and, by default, the 2.5th and 97.5th percentiles of the replications (the
  range of outcomes; ``interval="mean"`` gives a 95% confidence interval for the mean);
- ``differences``: the same columns for scenario minus baseline, paired by replication; by
  default a 95% confidence interval for the mean difference (t distribution);
- ``replications``: ``scenario, replication, measure, breakdown, year, value``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simulation.errors import SimulationError
from simulation.model import simulate
from simulation.parameters import Parameters

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
SUMMARY_COLUMNS = ["scenario", "measure", "breakdown", "year", "mean", "lo95", "hi95"]
INTERVALS = ("outcomes", "mean")


@dataclass(frozen=True)
class SimulationResults:
    summary: pd.DataFrame
    differences: pd.DataFrame
    replications: pd.DataFrame


def replication_values(params: Parameters, seed: int, replication: int) -> tuple[list[tuple], np.ndarray]:
    """One replication flattened: keys ``(measure, breakdown, year)`` and their values
    (small to send back from a worker process)."""
    result = simulate(params, seed, replication)
    keys: list[tuple] = []
    values: list[np.ndarray] = []
    for table in (result.stocks, result.flows):
        for (measure, breakdown), array in table.items():
            keys.extend((measure, breakdown, params.start_year + k) for k in range(len(array)))
            values.append(np.asarray(array, dtype=float))
    return keys, np.concatenate(values)


def replicate(
    params: Parameters,
    *,
    replications: int,
    seed: int,
    progress: Progress | None = None,
    first_replication: int = 0,
) -> pd.DataFrame:
    """Run ``replications`` replications of one scenario: wide table, one row per replication,
    columns a MultiIndex ``(measure, breakdown, year)``."""
    return _run_many({"_": params}, replications, seed, progress, first_replication)["_"]


def _run_many(
    scenarios: Mapping[str, Parameters],
    replications: int,
    seed: int,
    progress: Progress | None,
    first: int = 0,
) -> dict[str, pd.DataFrame]:
    if replications < 1:
        raise SimulationError("replications must be at least 1")
    names = list(scenarios)
    keys: dict[str, list[tuple]] = {}
    reps = list(range(first, first + replications))
    total = replications * len(names)
    rows: dict[str, list[np.ndarray]] = {name: [] for name in names}
    done = 0
    for name in names:
        for r in reps:
            keys[name], values = replication_values(scenarios[name], seed, r)
            rows[name].append(values)
            done += 1
            if progress:
                progress(done, total)
    return {name: wide_table(keys[name], rows[name], reps) for name in names}


def _interval(values: np.ndarray, interval: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=0)
            if interval == "outcomes":
                lo, hi = np.nanpercentile(values, [2.5, 97.5], axis=0)
            else:
                n = np.sum(~np.isnan(values), axis=0)
                sd = np.nanstd(values, axis=0, ddof=1) if values.shape[0] > 1 else np.zeros(values.shape[1])
                half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
                lo, hi = mean - half, mean + half
    return mean, lo, hi


def summarise(wide: pd.DataFrame, scenario: str, interval: str = "outcomes") -> pd.DataFrame:
    """Tidy mean and 95% interval of a wide replications table (see the module notes)."""
    if interval not in INTERVALS:
        raise SimulationError(f"interval {interval!r}; allowed: {', '.join(INTERVALS)}")
    mean, lo, hi = _interval(wide.to_numpy(dtype=float), interval)
    frame = wide.columns.to_frame(index=False)
    frame.insert(0, "scenario", scenario)
    frame["mean"], frame["lo95"], frame["hi95"] = mean, lo, hi
    return frame[SUMMARY_COLUMNS]


def run_scenarios(
    scenarios: Mapping[str, Parameters],
    *,
    replications: int,
    seed: int,
    baseline: str | None = None,
    progress: Progress | None = None,
    interval: str = "outcomes",
    difference_interval: str = "mean",
) -> SimulationResults:
    """Run every scenario for the same replications; summarise; pair each with ``baseline``.

    ``baseline`` defaults to the first scenario. ``progress(done, total)`` is called as
    replications finish (for a progress bar).
    """
    if not scenarios:
        raise SimulationError("no scenarios to run")
    names = list(scenarios)
    baseline = names[0] if baseline is None else baseline
    if baseline not in scenarios:
        raise SimulationError(f"baseline {baseline!r} is not one of the scenarios: {', '.join(names)}")
    wide = _run_many(scenarios, replications, seed, progress)
    return results_from_wide(wide, baseline, interval=interval, difference_interval=difference_interval)


def wide_table(keys: list[tuple], rows: list[np.ndarray], replications: list[int]) -> pd.DataFrame:
    """Replications of one scenario as a wide table (one row per replication, columns
    ``(measure, breakdown, year)``) from :func:`replication_values` outputs."""
    index = pd.MultiIndex.from_tuples(keys, names=["measure", "breakdown", "year"])
    return pd.DataFrame(np.vstack(rows), index=pd.Index(replications, name="replication"), columns=index)


def long_table(wide: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """``scenario, replication, measure, breakdown, year, value`` from a wide table: one row
    per replication and column, replications in order, columns in order within each."""
    n_rows, n_columns = wide.shape
    columns = wide.columns.to_frame(index=False)
    frame = {
        "scenario": np.full(n_rows * n_columns, scenario, dtype=object),
        "replication": np.repeat(wide.index.to_numpy(), n_columns),
    }
    for level in ("measure", "breakdown", "year"):
        frame[level] = np.tile(columns[level].to_numpy(), n_rows)
    frame["value"] = wide.to_numpy(dtype=float).ravel()
    return pd.DataFrame(frame)


def results_from_wide(
    wide: Mapping[str, pd.DataFrame], baseline: str, *, interval: str = "outcomes", difference_interval: str = "mean"
) -> SimulationResults:
    """Summaries, paired differences against ``baseline`` and the long replications table
    from wide tables of the same replications of each scenario."""
    names = list(wide)
    summary = pd.concat([summarise(wide[name], name, interval) for name in names], ignore_index=True)
    differences = []
    for name in names:
        if name == baseline:
            continue
        base = wide[baseline]
        other = wide[name]
        common = base.columns.intersection(other.columns, sort=False)
        diff = other[common] - base[common]
        differences.append(summarise(diff, f"{name} - {baseline}", difference_interval))
    differences_frame = (
        pd.concat(differences, ignore_index=True) if differences else pd.DataFrame(columns=SUMMARY_COLUMNS)
    )
    replications_frame = pd.concat([long_table(wide[name], name) for name in names], ignore_index=True)
    return SimulationResults(summary, differences_frame, replications_frame)
