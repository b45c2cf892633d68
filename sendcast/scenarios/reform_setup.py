"""The policy reform settings of a scenario, for the engine (:mod:`simulation.reform`)."""

from __future__ import annotations

from sendcast.scenarios.files import Scenario
from simulation.reform import IndividualSupportPlans


def reform_settings(scenario: Scenario | None) -> IndividualSupportPlans:
    """The engine's reform settings from the scenario's ``[individual_support_plans]``."""
    if scenario is None:
        return IndividualSupportPlans()
    given = scenario.individual_support_plans
    return IndividualSupportPlans(share_at_transfer=given.share_at_transfer, from_year=given.from_year,
                                  transfer_ages=tuple(given.transfer_ages))
