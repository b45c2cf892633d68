"""A Gloucestershire-sized example scenario with sensible default rates.

For benchmarks, tests and notebooks; real runs do not read this module (their priors are
:mod:`simulation.priors`, calibrated to the LA by sendcast). Nothing here is read from a
file. Where the numbers come from:

- Population 0-25 by single year of age: ONS 2018-based subnational projection for
  Gloucestershire (E10000013), mid-2019 (held constant unless ``population`` is given).
- EHC plans, January 2019: 3,658 (DfE SEN2 2025 release); placements mainstream 1,651
  (57 of them in resourced provision or SEN units), state special 1,122, independent and
  non-maintained special 149, FE 474, AP 52, other 210. The age shape is January 2024's
  (the first Gloucestershire age breakdown in the release), scaled to 3,658.
- SEN support: about 12,400 pupils in January 2019 (SUMMARY.md, derived); the age shape is an
  ASSUMPTION (school ages, rising through primary, falling after 15).
- Rates (identification, escalation, ceasing, placement shares and moves at transfer) are
  ASSUMPTIONS of plausible size, not estimates: calibrate them (``simulation.calibration``)
  before using the model for anything but engineering.
- Unit costs (GBP a year, 2021-22 prices): mainstream 7,000, state special 23,000 and
  independent 82,000 are the derived figures in SUMMARY.md; resourced provision 12,000,
  FE 8,000, AP 18,000, other 0 and an assessment 5,000 are ASSUMPTIONS.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulation.parameters import Assessment, Caseload, Parameters, Population, SpecialPlaces
from simulation.priors import (
    EHCP_AGE_SHAPE_2024,
    SEN_SUPPORT_AGE_SHAPE,
    default_arrivals,
    default_ceasing,
    default_costs,
    default_placement,
    default_sen_support,
    scaled,
)

#: ONS 2018-based SNPP, Gloucestershire, mid-2019, ages 0..25.
POPULATION_2019 = (
    6373,
    6694,
    6759,
    7209,
    7167,
    7384,
    7429,
    7749,
    7594,
    7486,
    7435,
    7583,
    7297,
    7171,
    6902,
    7119,
    6911,
    6946,
    7166,
    6643,
    6676,
    6656,
    6722,
    6697,
    6767,
    6942,
)
EHCP_PLACEMENTS_2019 = (1594, 57, 1122, 149, 474, 52, 210)


def gloucestershire_example(
    start_year: int = 2019,
    horizon: int = 10,
    *,
    population: Any = None,
    special_places: SpecialPlaces | None = None,
    assessment: Assessment | None = None,
) -> Parameters:
    """A Gloucestershire-sized scenario starting in January ``start_year`` (see module notes)."""
    caseload = Caseload(
        sen_support_by_age=np.round(scaled(SEN_SUPPORT_AGE_SHAPE, 12_400)),
        ehcp_by_age=scaled(EHCP_AGE_SHAPE_2024, 3_658),
        ehcp_by_placement=EHCP_PLACEMENTS_2019,
    )
    return Parameters(
        start_year=start_year,
        horizon=horizon,
        population=Population(start_year=start_year, by_age=POPULATION_2019 if population is None else population),
        caseload=caseload,
        arrivals=default_arrivals(),
        sen_support=default_sen_support(),
        assessment=assessment or Assessment(),
        placement=default_placement(),
        ceasing=default_ceasing(),
        special_places=special_places or SpecialPlaces(),
        costs=default_costs(),
    )
