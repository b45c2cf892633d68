"""Random number streams: one per random activity and per replication.

Stream ``(seed, replication, activity)`` is ``SeedSequence(seed, spawn_key=(replication,
activity_index))``: the same whatever the number of replications, the scenario or the
worker that runs it. A scenario and its baseline therefore draw the same numbers for every
activity the scenario does not change (common random numbers). Never add an activity in
the middle of :data:`ACTIVITIES`: append, so existing streams keep their numbers.
"""

from __future__ import annotations

import numpy as np

ACTIVITIES: tuple[str, ...] = (
    "initial_caseload",  # exact ages and placements of the starting caseload
    "identification",  # arrivals at SEN support: counts, times, ages
    "direct_requests",  # arrivals straight to a request
    "moves_in",  # arrivals with a plan
    "sen_support_path",  # first time and cause of leaving SEN support, per child
    "decision",  # decision time and refusal, first request of each child
    "assessment",  # assessment time and plan / no plan, first assessment of each child
    "placement",  # placement of a new plan, per child
    "transfer",  # placement moves at the phase transfers, per child
    "plan_path",  # time and reason a plan ceases, per child
    "early_identification",  # who is reached by the early identification lever
    "repeat",  # draws for second and later requests (order-dependent)
    "assessment_queue",  # which waiting child is picked up next (random discipline)
    "sen_support_return",  # time and cause of leaving SEN support after the first return to it, per child
    "special_place_overflow",  # how long a child waits for a local special place before going independent
    "parameter_draw",  # the replication's draw of the calibrated parameters (simulation.uncertainty)
    "parameter_draws",  # uncertain inputs drawn per replication (sensitivity analysis; one stream per input)
    "more_identified",  # the pool of potential extra identifications the early identification lever may make
    "primary_need",  # each child's primary need (simulation.needs), drawn in child order
    "assessment_durations",  # the replication's draw of the share within 20 weeks (simulation.timeliness)
    "mid_phase_moves",  # when and where a plan moves inside a school phase, per child and phase
)


def stream(seed: int, replication: int, activity: str) -> np.random.Generator:
    """The generator for one activity in one replication."""
    index = ACTIVITIES.index(activity)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replication, index))))


def replication_streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """A generator for every activity of one replication."""
    return {activity: stream(seed, replication, activity) for activity in ACTIVITIES}
