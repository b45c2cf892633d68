"""Sweeps: a grid of scenarios that differ in one or two levers.

A planner writes ``--vary early_identification.relative_risk=0.6:1.2:7``: the key is a
scenario setting as written in the TOML file (``section.key``), and ``START:STOP:N`` gives
``N`` evenly spaced values from ``START`` to ``STOP`` inclusive. Each point of the grid is
the scenario with those settings replaced, validated exactly like a scenario file, so a
value outside a lever's allowed range is an error naming the key and the range.
Whole values are passed as whole numbers, so integer settings work (``0:600:4`` gives 0,
200, 400, 600); ``0:10:4`` on a count of children is refused by validation (3.33 children).

At most two levers at once (a table or a heat map a reader can take in); a grid has at most
:data:`MAX_POINTS` points.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sendcast.data.years import financial_years_from_calendar_rows
from sendcast.money.appraisal import discount_factors, mean_interval
from sendcast.runtime.errors import SendcastError
from sendcast.scenarios.files import Scenario, allowed_keys, explain_error, merge_settings
from simulation.runner import replicate

MAX_LEVERS = 2
MAX_POINTS = 400


class SweepError(SendcastError):
    """A ``--vary`` option that cannot be turned into a grid."""


@dataclass(frozen=True)
class Lever:
    """One varied setting: ``key`` as ``section.name`` and the values it takes."""

    key: str
    values: tuple[float | int, ...]

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


def parse_vary(text: str) -> Lever:
    """Parse ``section.key=START:STOP:N`` (see the module docstring)."""
    usage = "--vary takes SECTION.KEY=START:STOP:N, e.g. early_identification.relative_risk=0.6:1.2:7"
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or key.count(".") != 1 or not all(key.split(".")):
        raise SweepError(f"{usage}; found {text!r}")
    section, name = key.split(".")
    sections = allowed_keys(())
    if section not in sections or section == "scenario":
        levers = [s for s in sections if s != "scenario"]
        raise SweepError(f"--vary {key}: unknown section {section!r}; allowed: {', '.join(levers)}")
    allowed = allowed_keys((section,))
    if name not in allowed:
        raise SweepError(f"--vary {key}: unknown key {name!r} in [{section}]; allowed: {', '.join(allowed)}")
    parts = spec.split(":")
    if len(parts) != 3:
        raise SweepError(f"{usage}; found {text!r}")
    try:
        start, stop = float(parts[0]), float(parts[1])
        count = int(parts[2])
    except ValueError:
        raise SweepError(f"{usage}; found {text!r} (START and STOP numbers, N a whole number)") from None
    if count < 1 or (count == 1 and start != stop):
        raise SweepError(f"--vary {key}: N must be at least 2 (or 1 with START equal to STOP), found {count}")
    if count > MAX_POINTS:  # refused before any value is made (a billion points would fill the memory)
        raise SweepError(f"--vary {key}: expected N of at most {MAX_POINTS} (a grid has at most {MAX_POINTS} "
                         f"points), found {count:,}")
    if not (np.isfinite(start) and np.isfinite(stop)):
        raise SweepError(f"--vary {key}: expected finite numbers for START and STOP, found {parts[0]!r} and "
                         f"{parts[1]!r}")
    values = np.linspace(start, stop, count)
    return Lever(key, tuple(int(round(v)) if float(v).is_integer() else float(round(v, 10)) for v in values))


@dataclass(frozen=True)
class GridPoint:
    """One scenario of the sweep: its label, its lever values and the validated scenario."""

    label: str
    settings: dict[str, float | int]
    scenario: Scenario


def grid(resolved: dict[str, Any], levers: Sequence[Lever], *, source: str) -> list[GridPoint]:
    """Every combination of the levers' values applied to ``resolved`` (a scenario's settings
    as :func:`sendcast.scenarios.files.load_scenario` returns them). ``source`` names the scenario
    file in error messages."""
    if not levers:
        raise SweepError("a sweep needs at least one --vary")
    if len(levers) > MAX_LEVERS:
        raise SweepError(f"a sweep varies at most {MAX_LEVERS} settings at once, found {len(levers)}")
    keys = [lever.key for lever in levers]
    if len(set(keys)) != len(keys):
        raise SweepError(f"--vary names the same setting twice: {keys}")
    size = int(np.prod([len(lever.values) for lever in levers]))
    if size > MAX_POINTS:
        raise SweepError(f"the grid has {size} points; at most {MAX_POINTS} (use fewer values per setting)")
    points = []
    for combination in itertools.product(*(lever.values for lever in levers)):
        override: dict[str, dict[str, Any]] = {}
        for lever, value in zip(levers, combination):
            override.setdefault(lever.section, {})[lever.name] = value
        settings = dict(zip(keys, combination))
        label = ", ".join(f"{key.split('.')[1]}={value:g}" for key, value in settings.items())
        merged = merge_settings(resolved, override)
        try:
            scenario = Scenario.model_validate(merged)
        except ValidationError as error:
            raise explain_error(error, [Path(source)]) from None
        points.append(GridPoint(label=label, settings=settings, scenario=scenario))
    return points


#: Outcomes reported per grid point, each per replication: (name, measure, how, plain label).
#: ``final``: the value on the last January of the run; ``total``: summed over the run's calendar years.
SWEEP_OUTCOMES: tuple[tuple[str, str, str, str], ...] = (
    ("ehcp_final", "ehcp_total", "final", "EHC plans in the last January"),
    ("sen_support_final", "sen_support", "final", "children on SEN support in the last January"),
    ("independent_final", "ehcp_independent_special", "final", "independent special placements, last January"),
    ("requests_total", "requests", "total", "requests for assessment over the run"),
    ("new_plans_total", "new_plans", "total", "new EHC plans over the run"),
    ("child_weeks_waited_total", "child_weeks_waited", "total", "child-weeks waited for a special place"),
    ("spend_total_gbp", "cost_gbp", "total", "spend over the run (GBP, price base)"),
)


@dataclass(frozen=True)
class SweepTask:
    """One grid point to simulate: self-contained and picklable, seeded per task."""

    label: str
    parameters: Any
    replications: int
    seed: int
    discount_rate: float


def reduce_replications(wide: Any, discount_rate: float) -> dict[str, np.ndarray]:
    """Per-replication outcomes (:data:`SWEEP_OUTCOMES`, plus ``spend_npv_gbp``, spend by
    April-March financial year discounted at ``discount_rate`` from the first) from a wide replications table
    (rows replications, columns ``(measure, breakdown, year)``)."""
    out: dict[str, np.ndarray] = {}
    for name, measure, how, _ in SWEEP_OUTCOMES:
        block = wide.xs((measure, ""), axis=1, level=("measure", "breakdown")).sort_index(axis=1)
        out[name] = block.iloc[:, -1].to_numpy(dtype=float) if how == "final" else block.sum(axis=1).to_numpy(float)
    calendar = wide.xs(("cost_gbp", ""), axis=1, level=("measure", "breakdown")).sort_index(axis=1)
    # by April-March financial year, as the appraisal of a comparison
    _, spend = financial_years_from_calendar_rows(calendar.columns.to_numpy(dtype=int), calendar.to_numpy(float))
    out["spend_npv_gbp"] = spend @ discount_factors(spend.shape[1], discount_rate)
    return out


def run_sweep_task(task: SweepTask) -> dict[str, np.ndarray]:
    """Simulate one grid point and reduce it on the worker (a few numbers per replication)."""
    wide = replicate(task.parameters, replications=task.replications, seed=task.seed)
    return reduce_replications(wide, task.discount_rate)


def sweep_table(points: Sequence[GridPoint], outcomes: Sequence[dict[str, np.ndarray]],
                reference: dict[str, np.ndarray], baseline: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """One row per grid point: its lever values, each outcome's mean and 95% range of
    outcomes, and ``saving_npv_gbp`` (the scenario as given minus the point: positive when
    the point spends less, in present value) and ``child_weeks_avoided`` with 95% confidence
    intervals for the mean paired difference (same seed, so paired by replication).
    With ``baseline`` (the scenario's baseline, the root of its ``based_on`` chain):
    ``saving_vs_baseline_npv_gbp`` (mean and 95% CI, paired) and
    ``probability_saving_vs_baseline`` (share of replications whose discounted saving
    against the baseline is above zero)."""
    rows = []
    for point, result in zip(points, outcomes):
        row: dict[str, Any] = {"point": point.label, **point.settings}
        if baseline is not None:
            paired = baseline["spend_npv_gbp"] - result["spend_npv_gbp"]
            mean, lo, hi = mean_interval(paired[:, None])
            row.update({"saving_vs_baseline_npv_gbp_mean": float(mean[0]),
                        "saving_vs_baseline_npv_gbp_lo95": float(lo[0]),
                        "saving_vs_baseline_npv_gbp_hi95": float(hi[0]),
                        "probability_saving_vs_baseline": float((paired > 0).mean())})
        for name, values in result.items():
            lo, hi = np.percentile(values, [2.5, 97.5])
            row.update({f"{name}_mean": float(values.mean()), f"{name}_lo95": float(lo), f"{name}_hi95": float(hi)})
        for name, paired in (("saving_npv_gbp", reference["spend_npv_gbp"] - result["spend_npv_gbp"]),
                             ("child_weeks_avoided", reference["child_weeks_waited_total"]
                              - result["child_weeks_waited_total"])):
            mean, lo, hi = mean_interval(paired[:, None])
            row.update({f"{name}_mean": float(mean[0]), f"{name}_lo95": float(lo[0]), f"{name}_hi95": float(hi[0])})
        rows.append(row)
    return pd.DataFrame(rows)


def break_even_along(table: pd.DataFrame, key: str, column: str = "saving_vs_baseline_npv_gbp_mean") -> list[float]:
    """Values of the lever ``key`` at which ``column`` crosses zero (straight-line
    interpolation between neighbouring grid points, one lever; other levers must be fixed):
    the break-even values a sweep finds. Empty when it never crosses."""
    rows = table.sort_values(key)
    x, y = rows[key].to_numpy(dtype=float), rows[column].to_numpy(dtype=float)
    out = []
    for k in range(len(x) - 1):
        if y[k] == 0:
            out.append(float(x[k]))
        elif y[k] * y[k + 1] < 0:
            out.append(float(x[k] + (x[k + 1] - x[k]) * y[k] / (y[k] - y[k + 1])))
    if len(y) and y[-1] == 0:
        out.append(float(x[-1]))
    return out
