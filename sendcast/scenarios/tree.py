"""One parameter tree: how each section of a scenario file reaches the engine's dataclass.

A scenario file (:mod:`sendcast.scenarios.files`, validated at the file boundary) and the
simulation's parameters (:mod:`simulation.parameters`) name their settings alike. A
setting is then one of:

- **carried**: in both, under the same name, meaning the same thing; copied as it is
  (its central value, for the settings that may be distributions), by :meth:`Section.carry`,
  never by a hand-kept list;
- **resolved**: in the file, turned into engine settings against the LA's published data
  (a capacity file into blocks of places, a capacity rule into a capacity schedule, unit
  costs into a cost per placement) by the function :attr:`Section.resolver` names;
- **derived**: in the engine only, computed from the published data or the calibration
  (:mod:`sendcast.scenarios.parameters` says from what);
- **documentation**: in the file only, for people (``sources``);
- **applied elsewhere**: in the file only, used by the application after the run (the
  money layer's inflation and discount rate), never by the engine.

Every setting of every section is exactly one of these (``tests/test_parameter_tree.py``),
so a setting added to one side and not the other fails a test instead of being dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from pydantic import BaseModel

from sendcast.scenarios import files
from simulation import parameters as engine
from simulation import reform


@dataclass(frozen=True)
class Section:
    """One section of a scenario file and the engine dataclass it becomes.

    ``resolved``: file settings turned into engine settings against the data (by
    ``resolver``, a dotted name for people); ``derived``: engine settings the file does not
    hold; ``documentation``: file settings for people only; ``applied_elsewhere``: file
    settings the application uses after the run."""

    file: type[BaseModel]
    engine: type
    resolver: str
    resolved: frozenset[str] = frozenset()
    derived: frozenset[str] = frozenset()
    documentation: frozenset[str] = frozenset()
    applied_elsewhere: frozenset[str] = frozenset()

    @property
    def file_settings(self) -> tuple[str, ...]:
        return tuple(self.file.model_fields)

    @property
    def engine_settings(self) -> tuple[str, ...]:
        return tuple(item.name for item in fields(self.engine))

    @property
    def carried(self) -> tuple[str, ...]:
        """Settings in both, meaning the same, in the file's order."""
        shared = set(self.engine_settings) - self.resolved - self.documentation - self.applied_elsewhere
        return tuple(name for name in self.file_settings if name in shared)

    def carry(self, given: BaseModel, value: Callable[[Any], Any] = lambda v: v) -> dict[str, Any]:
        """The carried settings of ``given`` (a file section), each through ``value`` (e.g.
        the central value of a distribution), as keyword arguments for the engine class."""
        return {name: value(getattr(given, name)) for name in self.carried}


#: Every section of a scenario file that reaches the simulation, by its key in the file.
SECTIONS: dict[str, Section] = {
    "early_identification": Section(
        files.EarlyIdentification, engine.EarlyIdentification,
        resolver="sendcast.scenarios.need_setup.target_needs",
        resolved=frozenset({"target_needs"}),  # need names checked against the LA's published needs
        documentation=frozenset({"sources"}),
    ),
    "individual_support_plans": Section(
        files.IndividualSupportPlans, reform.IndividualSupportPlans,
        resolver="sendcast.scenarios.reform_setup.reform_settings",
        documentation=frozenset({"sources"}),
    ),
    "special_places": Section(
        files.SpecialPlaces, engine.SpecialPlaces,
        resolver="sendcast.scenarios.parameters.special_place_blocks, place_growth, over_capacity",
        resolved=frozenset({"capacity_file", "additional", "places_rule"}),
        derived=frozenset({"blocks", "over_capacity_share"}),
    ),
    "assessment": Section(
        files.Assessment, engine.Assessment,
        resolver="sendcast.scenarios.parameters.assessment_capacity",
        # the file's capacity_per_year is a number of assessments a year the LA funds; the
        # engine's is a schedule built from it and the published flows
        resolved=frozenset({"capacity_per_year", "capacity_rule"}),
        derived=frozenset({"decision_weeks_mean", "decision_weeks_shape", "assessment_weeks_mean",
                           "assessment_weeks_shape", "refusal_probability", "not_issued_probability",
                           "queue_discipline", "capacity_response", "capacity_adjustment",
                           "withdrawal_probability"}),
    ),
    "costs": Section(
        files.Costs, engine.Costs,
        resolver="sendcast.scenarios.parameters.placement_costs, sendcast.scenarios.option_cost_setup.provision_costs",
        resolved=frozenset({"unit_costs_file", "unit_costs_gbp", "transport_gbp", "default_transport",
                            "capital_gbp_per_special_place", "assessment_staff_gbp_per_assessment",
                            "price_base"}),
        # inflation and discounting apply to the cost tables (sendcast.money), not the engine
        applied_elsewhere=frozenset({"inflation_pct", "discount_rate_pct"}),
        derived=frozenset({"placement_gbp_per_year", "assessment_gbp", "transport_gbp_per_year", "fixed_gbp"}),
    ),
}
