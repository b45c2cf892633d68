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
from typing import Any

import numpy as np
from pydantic import ValidationError

from sendcast.errors import SendcastError
from sendcast.scenario import Scenario, _allowed_keys, _explain, _merge

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
    sections = _allowed_keys(())
    if section not in sections or section == "scenario":
        levers = [s for s in sections if s != "scenario"]
        raise SweepError(f"--vary {key}: unknown section {section!r}; allowed: {', '.join(levers)}")
    allowed = _allowed_keys((section,))
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
    as :func:`sendcast.scenario.load_scenario` returns them). ``source`` names the scenario
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
        merged = _merge(resolved, override)
        try:
            scenario = Scenario.model_validate(merged)
        except ValidationError as error:
            raise _explain(error, [source]) from None  # type: ignore[list-item]
        points.append(GridPoint(label=label, settings=settings, scenario=scenario))
    return points
