"""The policy reform settings of a scenario, for the engine (:mod:`simulation.reform`)."""

from __future__ import annotations

from sendcast.scenarios.files import Scenario
from sendcast.scenarios.tree import SECTIONS
from simulation.reform import IndividualSupportPlans


def reform_settings(scenario: Scenario | None) -> IndividualSupportPlans:
    """The engine's reform settings from the scenario's ``[individual_support_plans]``."""
    if scenario is None:
        return IndividualSupportPlans()
    return IndividualSupportPlans(**SECTIONS["individual_support_plans"].carry(scenario.individual_support_plans))
