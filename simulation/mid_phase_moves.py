"""Mid-phase moves of EHC plans, fitted to the published joint table of plans by age and placement.

SEN2 publishes plans by single year of age and placement from January 2024. Following one
cohort from one January to the next (aged ``a`` in January ``Y - 1``, ``a + 1`` in January
``Y``) the change in the number placed in a state special school, an independent special
school or AP inside a school phase is, to a good approximation (ceasing inside a school
phase is small),

    change(a) = share x new plans at that age + move rate x plans in mainstream at age a,

where the new plans are those the cohort received during calendar year ``Y - 1`` (SEN2's
new plans by age at issue, the mean of ages ``a`` and ``a + 1``) and the plans in mainstream
include resourced units (not published by age). Both coefficients are fitted together,
neither below zero (:func:`scipy.optimize.nnls`), over the ages whose September lies inside
the phase (:func:`simulation.plan_paths.move_ages`): in primary, the cohorts aged 4-9 in
January ``Y - 1``; in secondary, 11-14. The age profile tells them apart: new plans fall
with age, plans in mainstream rise. Only the move rate is kept; the calibration fits the
placement of new plans by phase with the moves in the model.

What this is and is not (the application labels it in every output that uses it):

- a NET rate, from mainstream to the placement, on ONE cohort-year: moves back to
  mainstream are not identified from stock tables and are not modelled; a year of noise
  in a small LA goes straight into the rate (capped: :data:`MAX_YEARLY_MOVE`);
- fitted for primary and secondary only: in early years plans are few, and after 16 the
  cohort changes are dominated by young people leaving and by FE.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import nnls

from simulation.parameters import AP, INDEPENDENT, PHASES, PLACEMENTS, RESOURCED, STATE_SPECIAL
from simulation.plan_paths import move_ages

#: Phases with fitted moves, and the placements moved to.
FITTED_PHASES: tuple[str, ...] = ("primary", "secondary")
DESTINATIONS: tuple[int, ...] = (STATE_SPECIAL, INDEPENDENT, AP)
#: Cap on the fitted yearly chance of a move out of mainstream in a phase (all destinations
#: together): a guard against one noisy cohort-year in a small LA, not a fitted value
#: (ILLUSTRATIVE).
MAX_YEARLY_MOVE = 0.15


def fit_mid_phase_moves(before: np.ndarray, after: np.ndarray, issued: np.ndarray) -> np.ndarray:
    """The yearly probability, by phase (rows, :data:`simulation.parameters.PHASES`) and
    placement moved to (columns, :data:`simulation.parameters.PLACEMENTS`), that a plan in
    mainstream or a resourced unit moves on a September inside the phase (see the module
    notes). ``before``, ``after``: plans by single year of age 0-25 (rows) and placement
    (columns) in two consecutive Januaries; ``issued``: new plans by single year of age at
    issue in the calendar year between them."""
    moves = np.zeros((len(PHASES), len(PLACEMENTS)))
    mainstream = before[:, : RESOURCED + 1].sum(axis=1)
    for phase_name in FITTED_PHASES:
        phase = PHASES.index(phase_name)
        first, last = move_ages(phase)
        ages = np.arange(first - 1, last)  # January ages whose next September is inside the phase
        if mainstream[ages].sum() <= 0:
            continue
        regressors = np.column_stack([(issued[ages] + issued[ages + 1]) / 2, mainstream[ages]])
        for column in DESTINATIONS:
            change = after[ages + 1, column] - before[ages, column]
            (_, rate), _ = nnls(regressors, change)
            moves[phase, column] = rate
    total = moves.sum(axis=1, keepdims=True)
    return np.where(total > MAX_YEARLY_MOVE, moves * MAX_YEARLY_MOVE / np.maximum(total, 1e-300), moves)
