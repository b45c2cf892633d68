"""Cost draws on simulated runs: the sensitivity analysis's draws of inputs that only
price what the children do.

Spend is linear in every unit cost, so an input that only prices activity (a placement's
unit cost, the early-support cost per child and the programme's fixed cost, capital per new
place, staff per unit of assessment capacity) need not be simulated again: its draw
rescales that cost component of a run already simulated. So each simulated pair of runs
(replication ``r`` of the baseline and of the option, common random numbers) carries
``per_run`` draws ``d = r * per_run + j``:

- inputs that change what children do (the lever's reach, escalation multiples, relative
  risk...) take the replication's values, as simulated (the same for ``j = 0 .. per_run - 1``);
- the option's cost-only inputs (:data:`COST_ONLY_KEYS`) take the simulated value at
  ``j = 0`` and a fresh draw for ``j >= 1``;
- placement unit costs (:func:`placement_cost_inputs`, keys ``unit_cost.<placement group>``,
  one draw for both scenarios: they price the same placements) are drawn for every ``j``.

Each input's draw ``j >= 1`` comes from its own stream ``SeedSequence(seed, spawn_key=
(replication, index of "parameter_draws", CRC-32 of the key, j))`` (``j = 0``: the key of
:func:`sendcast.scenarios.uncertainty.draw_inputs`), so ``per_run = 1`` reproduces a run
without cost draws exactly. Draws that share a run share its chance and its lever values:
Monte Carlo errors are computed over runs (clusters), not draws.

Money: pounds at the scenario's price base, calendar years, (draw x year) arrays.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data import paths
from sendcast.money import prices
from sendcast.money.unit_cost_spread import cost_ranges, national_spread
from sendcast.money.unit_costs import NATIONAL_OUTTURN_FILE, PRICE_BASE, every_la_unit_costs
from sendcast.scenarios.files import Distribution
from sendcast.scenarios.parameters import GROUP_OF_PLACEMENT
from sendcast.scenarios.uncertainty import STREAM
from simulation.parameters import PLACEMENTS, Parameters
from simulation.streams import ACTIVITIES

#: The option's uncertain inputs that only price activity (recosted, not simulated, for j >= 1).
COST_ONLY_KEYS: tuple[str, ...] = (
    "early_identification.cost_per_child_gbp",
    "early_identification.programme_cost_gbp_per_year",
    "costs.capital_gbp_per_special_place",
    "costs.assessment_staff_gbp_per_assessment",
)
_FIXED_COMPONENT = {"costs.capital_gbp_per_special_place": "capital",
                    "costs.assessment_staff_gbp_per_assessment": "assessment_staff"}
UNIT_COST_PREFIX = "unit_cost."
#: Default cost draws per simulated pair of runs (``sendcast compare --cost-draws``).
COST_DRAWS_PER_RUN = 4


def placement_cost_inputs(dataset, params: Parameters, data: str | Path | None = None) -> dict[str, Distribution]:
    """A triangular distribution for each costed placement group's unit cost around the cost
    ``params`` uses (:mod:`sendcast.money.unit_cost_spread`), keyed ``unit_cost.<group>``;
    empty when the shipped national benchmarking file is missing."""
    path = paths.raw_dir(paths.data_dir(data)) / "finance" / NATIONAL_OUTTURN_FILE
    if not path.is_file():
        return {}
    spread = national_spread(every_la_unit_costs(dataset, path))
    costs = np.asarray(params.costs.placement_gbp_per_year, dtype=float)
    used: dict[str, float] = {}
    for k, placement in enumerate(PLACEMENTS):
        used.setdefault(GROUP_OF_PLACEMENT[placement], float(costs[k]))
    price_base = params.costs.price_base
    restated = 1.0
    if price_base != PRICE_BASE:
        try:
            restated = prices.read_deflator().factor(PRICE_BASE, price_base)
        except (KeyError, ValueError):
            restated = 1.0
    ranges = cost_ranges(used, spread, restated_by=restated)
    return {UNIT_COST_PREFIX + row.placement_group: Distribution(
        dist="triangular", low=row.low_gbp, mode=row.mode_gbp, high=row.high_gbp,
        source=f"{row.source} (pounds at {price_base} prices)") for row in ranges.itertuples()}


def _uniform(seed: int, replication: int, key: str, j: int) -> float:
    tail = (j,) if j else ()
    sequence = np.random.SeedSequence(
        seed, spawn_key=(replication, ACTIVITIES.index(STREAM), zlib.crc32(key.encode()), *tail))
    return float(np.random.Generator(np.random.PCG64(sequence)).random())


def psa_draws(simulated: pd.DataFrame | None, option_inputs: Mapping[str, Distribution],
              unit_costs: Mapping[str, Distribution], *, seed: int, replications: int, per_run: int) -> pd.DataFrame:
    """One row per draw (index ``draw``): ``replication`` and each input's value (see the
    module notes). ``simulated``: the option's inputs as simulated, one row per replication
    (:func:`sendcast.scenarios.uncertainty.draw_inputs`), or ``None``."""
    if per_run < 1:
        raise ValueError(f"cost draws per run must be at least 1, found {per_run}")
    replication = np.repeat(np.arange(replications), per_run)
    j = np.tile(np.arange(per_run), replications)
    out = {"replication": replication}
    for key, dist in option_inputs.items():
        values = simulated[key].to_numpy(dtype=float)[replication]
        if key in COST_ONLY_KEYS and per_run > 1:
            fresh = [(i, _uniform(seed, r, key, k)) for i, (r, k) in enumerate(zip(replication, j)) if k > 0]
            index = np.array([i for i, _ in fresh], dtype=int)
            values[index] = dist.ppf(np.array([u for _, u in fresh]))
        out[key] = values
    for key, dist in unit_costs.items():
        u = np.array([_uniform(seed, r, key, k) for r, k in zip(replication, j)])
        out[key] = np.asarray(dist.ppf(u), dtype=float)
    return pd.DataFrame(out, index=pd.Index(np.arange(replications * per_run), name="draw"))


def recost(total: np.ndarray, components: Mapping[str, np.ndarray], draws: pd.DataFrame,
           unit_costs: Mapping[str, Distribution], *, simulated: pd.DataFrame | None = None,
           parameters: Sequence[Parameters] | None = None) -> np.ndarray:
    """Spend of every draw, (draw x year): the simulated ``total`` (replication x year) of the
    draw's run, with each cost component (``components``: breakdown name, as in
    ``component=...``, -> replication x year) rescaled to the draw's inputs.

    Placement components follow ``unit_costs`` (draw / the distribution's mode: the unit cost
    the runs used). The option's own cost-only inputs (when ``simulated``, its inputs per
    replication, and ``parameters``, its per-replication parameters, are given) rescale
    capital and assessment staff (draw / simulated value) and split early support into
    children supported x cost per child + the programme's fixed cost."""
    rep = draws["replication"].to_numpy(dtype=int)
    out = np.asarray(total, dtype=float)[rep].copy()
    groups = GROUP_OF_PLACEMENT
    for key, dist in unit_costs.items():
        if key not in draws:
            continue
        factor = draws[key].to_numpy(dtype=float) / dist.mode - 1.0
        group = key.removeprefix(UNIT_COST_PREFIX)
        for placement in PLACEMENTS:
            if groups[placement] == group and placement in components:
                out += components[placement][rep] * factor[:, None]
    if simulated is None:
        return out
    for key, component in _FIXED_COMPONENT.items():
        if key in draws and component in components:
            used = simulated[key].to_numpy(dtype=float)[rep]
            factor = np.divide(draws[key].to_numpy(dtype=float), used, out=np.ones_like(used), where=used != 0) - 1.0
            out += components[component][rep] * factor[:, None]
    child_key, fixed_key = COST_ONLY_KEYS[0], COST_ONLY_KEYS[1]
    if (child_key in draws or fixed_key in draws) and "early_support" in components and parameters is not None:
        lever = [parameters[r].early_identification for r in range(len(parameters))]
        per_child = np.array([x.cost_per_child_gbp for x in lever])[rep]
        fixed = np.array([x.programme_cost_gbp_per_year if x.active else 0.0 for x in lever])[rep]
        active = np.array([x.active for x in lever])[rep]
        simulated_cost = components["early_support"][rep]
        if child_key in draws and np.any(active & (per_child <= 0)):
            # an inactive lever reaches nobody (no children to re-price); an active one at 0 a child is unknown
            raise ValueError("early support: a run simulated at a cost per child of 0 cannot be recosted")
        children = (simulated_cost - fixed[:, None]) / np.where(per_child > 0, per_child, 1.0)[:, None]
        new_child = draws[child_key].to_numpy(dtype=float) if child_key in draws else per_child
        new_fixed = np.where(active, draws[fixed_key].to_numpy(dtype=float), 0.0) if fixed_key in draws else fixed
        out += children * new_child[:, None] + new_fixed[:, None] - simulated_cost
    return out
