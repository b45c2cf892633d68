"""What an option costs beyond the children it places: capital, staff, transport.

Planning meaning: an option's running costs come out of the simulation (placements,
assessments, early support); the costs of *providing* it do not, and leaving them out
makes options look free (100 new special places "paying back" before they open). This
module turns a scenario's levers into the engine's fixed cost components
(:class:`simulation.parameters.Costs.fixed_gbp`) and default transport costs. Money in
pounds at the 2021-22 price base (:data:`sendcast.money.unit_costs.PRICE_BASE`) unless
the scenario's own ``price_base`` says otherwise; years are calendar years of the run.

Defaults and where they come from (each one repeated in the comparison report):

- Capital cost of a new state special school place: GBP 75,000 a place, ILLUSTRATIVE.
  The shared data hold no special-school cost per place; DfE's "Local authority school
  places scorecards" (explore-education-statistics, 2025 release) publish mainstream new
  school costs of about GBP 25,000 (primary) and GBP 30,000 (secondary) a place, and
  special school places need two to three times the floor area a pupil (DfE Building
  Bulletin 104), hence 2.5 x GBP 30,000. Replace it with the council's capital programme.
  Charged once, in the calendar year the places open (``from_year``), in full.
- Staff cost of assessment capacity: GBP 2,431 a year for each assessment a year of
  capacity above the capacity the baseline was calibrated to. Derived: Gloucestershire's
  s251 2023-24 educational psychology service line GBP 2,470,466 (third-party extraction,
  shared data ``thirdparty_kali89_la_spend_model``) / 1,016 assessments completed in 2024
  (SEN2 2025 release: 977 issued + 39 not issued), at 2023-24 prices, deflated to
  2021-22 at the scenario's inflation rate. EP advice is one of several inputs to an
  assessment (caseworkers, health and care advice are not in it), so this is a floor.
- Home-to-school transport: GBP 2,542 a year per child with a plan at 2023-24 prices.
  Derived: s251 2023-24 "SEN transport" GBP 14,938,117 / 5,876 active plans (same
  third-party extraction of the s251 return), deflated to 2021-22 at the scenario's
  inflation rate. The s251 line is not split by placement, so the same average is used
  for every placement (the split is ILLUSTRATIVE: out-of-county independent placements
  usually cost more to reach). On by default (a cited total); a scenario turns it off
  with ``costs.default_transport = false`` or replaces it with ``costs.transport_gbp``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

CAPITAL_GBP_PER_SPECIAL_PLACE = 75_000.0
CAPITAL_SOURCE = ("ILLUSTRATIVE: 2.5 x the DfE school places scorecard cost of a new secondary place (about "
                  "GBP 30,000); no special-school cost per place in the shared data")
EP_SERVICE_GBP_2023_24 = 2_470_466.0
ASSESSMENTS_COMPLETED_2024 = 1_016.0
ASSESSMENT_STAFF_SOURCE = ("derived: s251 2023-24 EP service GBP 2,470,466 / 1,016 assessments completed in 2024 "
                           "(SEN2), restated at the price base; a floor (EP advice only)")
SEN_TRANSPORT_GBP_2023_24 = 14_938_117.0
ACTIVE_PLANS_2023_24 = 5_876.0
TRANSPORT_SOURCE = ("derived: s251 2023-24 SEN transport GBP 14,938,117 / 5,876 plans (third-party extraction), "
                    "restated at the price base; the same average for every placement (split ILLUSTRATIVE)")
DATA_PRICE_YEAR = 2023  # financial year 2023-24 of the two s251 lines above


def deflate(gbp: float, from_year: int, to_year: int, inflation_pct: float) -> float:
    """``gbp`` at financial year ``from_year`` prices expressed at ``to_year`` prices
    (years are the April of the financial year), at ``inflation_pct`` a year."""
    return gbp / (1.0 + inflation_pct / 100.0) ** (from_year - to_year)


def assessment_staff_gbp_per_unit(price_year: int, inflation_pct: float) -> float:
    """Default staff cost a year of one assessment a year of capacity, at ``price_year`` prices."""
    return deflate(EP_SERVICE_GBP_2023_24 / ASSESSMENTS_COMPLETED_2024, DATA_PRICE_YEAR, price_year, inflation_pct)


def transport_gbp_per_child(price_year: int, inflation_pct: float) -> float:
    """Default home-to-school transport a year per child with a plan, at ``price_year`` prices."""
    return deflate(SEN_TRANSPORT_GBP_2023_24 / ACTIVE_PLANS_2023_24, DATA_PRICE_YEAR, price_year, inflation_pct)


def capital_costs(openings: Iterable[tuple[int, int]], gbp_per_place: float) -> tuple[tuple[int, float], ...]:
    """Capital cost ``(calendar year, pounds)`` of places ``(from_year, places)``: each block
    in full in the year it opens."""
    totals: dict[int, float] = {}
    for year, places in openings:
        totals[int(year)] = totals.get(int(year), 0.0) + float(places) * gbp_per_place
    return tuple(sorted(totals.items()))


def assessment_staff_costs(years: Sequence[int], capacity: Sequence[float], calibrated: float | None,
                           gbp_per_unit: float) -> tuple[tuple[int, float], ...]:
    """Staff cost ``(calendar year, pounds)`` of the capacity above ``calibrated`` in each year
    (nothing where the scenario keeps the calibrated capacity, or no capacity is known)."""
    if calibrated is None:
        return ()
    return tuple((int(y), max(float(c) - calibrated, 0.0) * gbp_per_unit) for y, c in zip(years, capacity)
                 if float(c) > calibrated)
