"""The costs of providing an option, added to a scenario's engine costs.

Glue between a scenario file and :mod:`sendcast.money.option_costs`: capital for the
scenario's additional special places (in their opening year), staff for assessment
capacity above the calibrated level, and the default home-to-school transport. Each
choice is returned with a note saying where its figure comes from (the comparison report
repeats them).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sendcast.data.years import financial_year_start
from sendcast.money import option_costs
from sendcast.scenarios.files import Scenario
from sendcast.scenarios.uncertainty import central
from simulation.parameters import PLACEMENTS, Costs, schedule_values


def provision_costs(costs: Costs, scenario: Scenario | None, *, start_year: int, horizon: int,
                    capacity_per_year: object, calibrated_capacity: float | None) -> tuple[Costs, list[str]]:
    """``costs`` with the option's capital, assessment staff and default transport added."""
    if scenario is None:
        return costs, []
    settings = scenario.costs
    price_year = financial_year_start(costs.price_base)
    notes: list[str] = []
    fixed = list(costs.fixed_gbp)
    default_rate = central(settings.capital_gbp_per_special_place)
    openings: dict[float, list[tuple[int, int]]] = {}
    for block in scenario.special_places.additional:
        rate = block.capital_gbp_per_place if block.capital_gbp_per_place is not None else default_rate
        if rate is None:
            rate = option_costs.CAPITAL_GBP_PER_SPECIAL_PLACE
            notes.append(f"capital: {block.name}: GBP {rate:,.0f} a place, {option_costs.CAPITAL_SOURCE}")
        else:
            notes.append(f"capital: {block.name}: GBP {rate:,.0f} a place (scenario file)")
        openings.setdefault(rate, []).append((block.from_year, block.places))
    pairs: dict[int, float] = {}
    for rate, blocks in openings.items():
        for year, gbp in option_costs.capital_costs(blocks, rate):
            pairs[year] = pairs.get(year, 0.0) + gbp
    if pairs:
        fixed.append(("capital", tuple(sorted(pairs.items()))))
    if capacity_per_year is not None and scenario.assessment.capacity_per_year is not None:
        unit = central(settings.assessment_staff_gbp_per_assessment)
        if unit is None:
            unit = option_costs.assessment_staff_gbp_per_unit(price_year, settings.inflation_pct)
            notes.append(f"assessment staff: GBP {unit:,.0f} a year per assessment a year of extra capacity, "
                         f"{option_costs.ASSESSMENT_STAFF_SOURCE}")
        years = list(range(start_year, start_year + horizon))
        capacity = schedule_values(capacity_per_year, start_year, horizon)
        staff = option_costs.assessment_staff_costs(years, capacity, calibrated_capacity, unit)
        if staff:
            fixed.append(("assessment_staff", staff))
    transport = costs.transport_gbp_per_year
    per_child = default_transport(scenario)
    if per_child is not None:
        transport = np.full(len(PLACEMENTS), per_child)
        notes.append(transport_note(per_child))
    return replace(costs, fixed_gbp=tuple(fixed), transport_gbp_per_year=transport), notes


def default_transport(scenario: Scenario) -> float | None:
    """The default home-to-school transport, pounds a year per child with a plan at the
    scenario's price base, or ``None`` where the scenario gives its own or turns it off."""
    settings = scenario.costs
    if not settings.default_transport or settings.transport_gbp:
        return None
    return option_costs.transport_gbp_per_child(financial_year_start(settings.price_base), settings.inflation_pct)


def transport_note(per_child: float) -> str:
    """Where the default transport figure comes from."""
    return f"transport: GBP {per_child:,.0f} a year per child with a plan, {option_costs.TRANSPORT_SOURCE}"
