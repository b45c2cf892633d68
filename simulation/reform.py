"""Policy reform: plans moving to individual support plans at phase transfer.

A contained first step for the 2026 SEND reform proposals (scenario
``scenarios/send-reform-2026.toml``): from calendar year ``from_year``, a share
``share_at_transfer`` of the plans held at each phase transfer in ``transfer_ages`` end
in the year of age that starts there (the plan is replaced by an individual support
plan, outside the EHC plan caseload). It is a hazard added to "needs met" ceasing,
``-ln(1 - share)`` a year at those ages, so about that share of the plans reaching the
transfer end within the year (competing causes aside).

What it does not do yet (needs changes to plan paths and outputs): choose plans by
placement (the proposals keep plans for specialist provision; here every placement is
affected alike), report the moves as their own ceasing reason (they are counted under
"needs met"), or cost the individual support plans that replace them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.errors import ParameterError


@dataclass(frozen=True)
class IndividualSupportPlans:
    share_at_transfer: float = 0.0
    from_year: int = 2030
    transfer_ages: tuple[int, ...] = (4, 11, 16)

    def __post_init__(self) -> None:
        if not 0 <= self.share_at_transfer < 1:
            raise ParameterError("individual_support_plans.share_at_transfer must be in [0, 1)")
        ages = tuple(int(a) for a in self.transfer_ages)
        if any(not 0 <= a <= 25 for a in ages):
            raise ParameterError("individual_support_plans.transfer_ages must be ages 0..25")
        object.__setattr__(self, "transfer_ages", ages)

    def extra_hazard(self, start_year: int, horizon: int, ages: int) -> np.ndarray:
        """Hazard per plan a year, ``(horizon, ages)``, added to needs-met ceasing."""
        out = np.zeros((horizon, ages))
        if self.share_at_transfer <= 0:
            return out
        years = np.arange(start_year, start_year + horizon) >= self.from_year
        for age in self.transfer_ages:
            out[years, age] = -np.log1p(-self.share_at_transfer)
        return out
