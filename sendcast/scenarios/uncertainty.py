"""Uncertain inputs of a scenario: which they are, each replication's draw, and the
replication's simulation parameters.

A scenario may give a distribution (:class:`sendcast.scenarios.files.Distribution`)
instead of a number for the early identification lever and for the option's own costs
(:data:`UNCERTAIN_KEYS`). A run without sensitivity analysis uses each median; a
comparison draws one value of every uncertain input per replication, from the input's
own stream: ``SeedSequence(seed, spawn_key=(replication, index of "parameter_draws" in
simulation.streams.ACTIVITIES, CRC-32 of the key))``. So a draw depends only on the seed,
the replication and the key (adding an input changes no other input's draws), and
replication ``r`` of the option still shares every other random number with replication
``r`` of the baseline (common random numbers): the paired difference is the option's
effect at that replication's input values.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from sendcast.scenarios.files import Distribution, Scenario
from sendcast.scenarios.tree import SECTIONS
from simulation.parameters import Parameters
from simulation.streams import ACTIVITIES

#: Scenario keys that may be distributions, and how a drawn value reaches the engine.
#: The lever's settings the engine takes as they are: every field the scenario file's
#: ``[early_identification]`` and the engine's EarlyIdentification share, in the file's order
#: (derived, so a setting added to both is carried without a list to edit), except
#: the ones resolved against the LA's data (:data:`sendcast.scenarios.tree.SECTIONS`).
ENGINE_LEVER_FIELDS: tuple[str, ...] = SECTIONS["early_identification"].carried
UNCERTAIN_KEYS: tuple[str, ...] = (
    "early_identification.share_identified_early",
    "early_identification.relative_risk",
    "early_identification.cost_per_child_gbp",
    "early_identification.share_more_identified",
    "early_identification.late_identified_escalation_multiple",
    "early_identification.more_identified_escalation_multiple",
    "early_identification.initial_relative_risk",
    "early_identification.needs_met_multiplier",
    "early_identification.special_placement_multiplier",
    "early_identification.programme_cost_gbp_per_year",
    "costs.capital_gbp_per_special_place",
    "costs.assessment_staff_gbp_per_assessment",
)
#: Cost keys that scale one of the engine's fixed cost components (linear in the rate).
_FIXED_COMPONENT = {"costs.capital_gbp_per_special_place": "capital",
                    "costs.assessment_staff_gbp_per_assessment": "assessment_staff"}
STREAM = "parameter_draws"


def central(value: object) -> object:
    """A setting as a single run uses it: a distribution's median, anything else as it is."""
    return value.central if isinstance(value, Distribution) else value


def uncertain_inputs(scenario: Scenario) -> dict[str, Distribution]:
    """The scenario's inputs given as distributions, by key (``section.name``)."""
    out = {}
    for key in UNCERTAIN_KEYS:
        section, name = key.split(".")
        value = getattr(getattr(scenario, section), name)
        if isinstance(value, Distribution):
            out[key] = value
    return out


def _stream(seed: int, replication: int, key: str) -> np.random.Generator:
    index = ACTIVITIES.index(STREAM)
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, index, zlib.crc32(key.encode())))
    return np.random.Generator(np.random.PCG64(sequence))


def draw_inputs(inputs: Mapping[str, Distribution], seed: int, replications: Sequence[int]) -> pd.DataFrame:
    """One row per replication (index ``replication``), one column per input: the value drawn
    for it (inverse CDF of one uniform from the input's own stream)."""
    columns = {}
    for key, dist in inputs.items():
        u = np.array([_stream(seed, r, key).random() for r in replications])
        columns[key] = np.asarray(dist.ppf(u), dtype=float)
    return pd.DataFrame(columns, index=pd.Index(list(replications), name="replication"))


def apply_inputs(params: Parameters, values: Mapping[str, float], inputs: Mapping[str, Distribution]) -> Parameters:
    """``params`` (built with every input at its median) with ``values`` put in instead."""
    lever = params.early_identification
    changes = {}
    fixed = list(params.costs.fixed_gbp)
    for key, value in values.items():
        section, name = key.split(".")
        if section == "early_identification":
            changes[name] = float(value)
        elif key in _FIXED_COMPONENT:
            factor = float(value) / inputs[key].central if inputs[key].central > 0 else 0.0
            component = _FIXED_COMPONENT[key]
            fixed = [(c, tuple((y, g * factor) for y, g in pairs)) if c == component else (c, pairs)
                     for c, pairs in fixed]
        else:
            raise KeyError(f"no way to apply uncertain input {key!r}")
    out = params
    if changes and lever.active:
        out = replace(out, early_identification=replace(lever, **changes))
    if fixed != list(params.costs.fixed_gbp):
        out = replace(out, costs=replace(params.costs, fixed_gbp=tuple(fixed)))
    return out


def replication_parameters(params: Parameters | Sequence[Parameters], draws: pd.DataFrame,
                           inputs: Mapping[str, Distribution]) -> list[Parameters]:
    """Each replication's parameters, in the order of ``draws``' rows: the inputs drawn for
    replication ``r`` put into ``params`` (the same for all) or into ``params[r]`` (one each,
    calibrated parameters drawn from their uncertainty)."""
    return [apply_inputs(params if isinstance(params, Parameters) else params[r], row, inputs)
            for r, (_, row) in enumerate(draws.iterrows())]

