"""Priors: the rates, age shapes and unit costs a real run starts from before calibration.

The sendcast application (:mod:`sendcast.scenarios.parameters`) builds every LA's
parameters on these and calibrates the rates to the LA's published history; the example
scenario (:mod:`simulation.examples`, for benchmarks, tests and notebooks) uses them as they
are. Where the numbers come from:

- EHC plans by age: DfE SEN2 2025 release, Gloucestershire, January 2024 (the first
  Gloucestershire age breakdown in the release): a shape, scaled to each LA's total.
- SEN support by age: an ASSUMPTION (school ages, rising through primary, falling after 15);
  the calibrated cohort model replaces it at the start of a run.
- Rates (identification, direct requests, moves in, escalation, needs met, ceasing, placement
  shares and moves at transfer): ILLUSTRATIVE ASSUMPTIONS of plausible size, not estimates;
  the calibration (:mod:`simulation.calibration`) scales them to the LA before any real use.
- Unit costs (GBP a year, 2021-22 prices): mainstream 7,000, state special 23,000 and
  independent 82,000 are the derived Gloucestershire figures in the shared data's SUMMARY.md;
  resourced provision 12,000, FE 8,000, AP 18,000, other 0 and an assessment 5,000 are
  ILLUSTRATIVE ASSUMPTIONS. sendcast replaces them with each LA's outturn-derived costs where
  it has them and says so in the run's notes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulation.parameters import AGES, Arrivals, Ceasing, Costs, Placement, SenSupport

#: DfE SEN2 2025 release, Gloucestershire, January 2024 caseload by age 0..25 ("under 3" put at 2).
EHCP_AGE_SHAPE_2024 = (
    0,
    0,
    1,
    25,
    218,
    228,
    301,
    347,
    353,
    397,
    425,
    524,
    480,
    448,
    447,
    377,
    357,
    305,
    227,
    190,
    98,
    70,
    32,
    16,
    9,
    1,
)
#: ASSUMPTION: children on SEN support by age 0..25 (a shape, see the module notes).
SEN_SUPPORT_AGE_SHAPE = (
    0,
    0,
    20,
    150,
    500,
    800,
    1000,
    1100,
    1150,
    1150,
    1150,
    1100,
    1050,
    1000,
    950,
    850,
    300,
    180,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
)


def _by_age(pairs: dict[tuple[int, int], float]) -> np.ndarray:
    out = np.zeros(AGES)
    for (low, high), value in pairs.items():
        out[low : high + 1] = value
    return out


def scaled(shape: Any, total: float) -> np.ndarray:
    """``shape`` scaled to sum to ``total``."""
    shape = np.asarray(shape, dtype=float)
    return shape * (total / shape.sum())


def default_arrivals() -> Arrivals:
    return Arrivals(
        sen_support_rate_by_age=_by_age(
            {
                (2, 2): 0.002,
                (3, 3): 0.008,
                (4, 4): 0.03,
                (5, 6): 0.03,
                (7, 8): 0.025,
                (9, 10): 0.02,
                (11, 11): 0.02,
                (12, 13): 0.012,
                (14, 15): 0.008,
                (16, 17): 0.002,
            }
        ),
        direct_request_rate_by_age=_by_age({(1, 1): 0.0005, (2, 3): 0.0025, (4, 4): 0.0015, (16, 24): 0.0002}),
        move_in_rate_by_age=_by_age({(2, 17): 0.0003, (18, 24): 0.0001}),
    )


def default_sen_support() -> SenSupport:
    return SenSupport(
        request_rate_by_age=_by_age(
            {(2, 4): 0.10, (5, 7): 0.07, (8, 10): 0.05, (11, 12): 0.05, (13, 15): 0.035, (16, 17): 0.02}
        ),
        needs_met_rate_by_age=_by_age({(0, 10): 0.07, (11, 15): 0.09, (16, 25): 0.12}),
        moved_away_rate=0.02,
        leaving_age=18.0,
    )


def default_placement() -> Placement:
    ms, ru, ss, ind, fe, ap, ot = range(7)
    shares = np.zeros((5, 7))
    shares[0, [ms, ss, ot]] = (0.35, 0.10, 0.55)
    shares[1, [ms, ru, ss, ind, ap, ot]] = (0.78, 0.04, 0.12, 0.02, 0.01, 0.03)
    shares[2, [ms, ru, ss, ind, ap, ot]] = (0.70, 0.03, 0.12, 0.05, 0.06, 0.04)
    shares[3, [ms, ss, ind, fe, ot]] = (0.15, 0.10, 0.03, 0.62, 0.10)
    shares[4, [fe, ot]] = (0.75, 0.25)
    transfer = np.tile(np.eye(7), (4, 1, 1))
    # into primary (age 4): early years settings move into school
    transfer[0, ot] = 0.0
    transfer[0, ot, [ms, ru, ss, ot]] = (0.70, 0.05, 0.20, 0.05)
    transfer[0, ms] = 0.0
    transfer[0, ms, [ms, ru, ss]] = (0.85, 0.03, 0.12)
    # into secondary (age 11)
    transfer[1, ms] = 0.0
    transfer[1, ms, [ms, ru, ss, ind, ap]] = (0.80, 0.03, 0.12, 0.03, 0.02)
    transfer[1, ru] = 0.0
    transfer[1, ru, [ms, ru, ss, ind]] = (0.30, 0.45, 0.20, 0.05)
    # into post-16 (age 16)
    for group, row in (
        (ms, (0.10, 0, 0, 0, 0.75, 0, 0.15)),
        (ru, (0, 0, 0, 0, 0.80, 0, 0.20)),
        (ss, (0, 0, 0.70, 0, 0.25, 0, 0.05)),
        (ind, (0, 0, 0, 0.60, 0.35, 0, 0.05)),
        (ap, (0, 0, 0, 0, 0.60, 0, 0.40)),
        (ot, (0, 0, 0, 0, 0.50, 0, 0.50)),
    ):
        transfer[2, group] = row
    # into post-19 (age 19): no state special places post-19
    for group, row in (
        (ms, (0, 0, 0, 0, 0.70, 0, 0.30)),
        (ru, (0, 0, 0, 0, 0.70, 0, 0.30)),
        (ss, (0, 0, 0, 0, 0.70, 0, 0.30)),
        (ind, (0, 0, 0, 0, 0.60, 0, 0.40)),
        (ap, (0, 0, 0, 0, 0, 0, 1.0)),
    ):
        transfer[3, group] = row
    return Placement(new_plan_shares=shares, transfer=transfer)


def default_ceasing() -> Ceasing:
    return Ceasing(
        needs_met_rate_by_age=_by_age({(0, 15): 0.008, (16, 25): 0.01}),
        moved_away_rate_by_age=_by_age({(0, 25): 0.015}),
        left_education_rate_by_age=_by_age(
            {(16, 17): 0.04, (18, 18): 0.12, (19, 19): 0.25, (20, 21): 0.30, (22, 25): 0.45}
        ),
    )


def default_costs() -> Costs:
    return Costs(
        placement_gbp_per_year={
            "mainstream": 7_000,
            "resourced_unit": 12_000,
            "state_special": 23_000,
            "independent_special": 82_000,
            "fe": 8_000,
            "ap": 18_000,
            "other": 0,
        },
        assessment_gbp=5_000,
        price_base="2021-22",
    )
