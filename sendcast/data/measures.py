"""The one vocabulary of measures that every part of sendcast shares.

Every processed table is long and tidy, with the columns in :data:`TIDY_COLUMNS`:
one row per (la_code, measure, breakdown, year). A measure name is fixed once here;
the forecast, the simulation, the costing and the reports all use these names, and
the tests assert against them.

Year conventions (``year_basis``):

- ``january``: a snapshot on the January census day of ``year`` (SEN2 caseload,
  school census). DfE ``time_period`` 202425 is ``year`` 2025.
- ``calendar``: a flow over January-December of ``year`` (new plans, requests,
  assessments, 20-week timeliness, ceased plans). Flows for calendar 2024 lead into
  the January 2025 caseload.
- ``financial``: April of ``year`` to March of ``year + 1`` (high-needs money).
- ``mid_year``: ONS population on 30 June of ``year``.
"""

from __future__ import annotations

from dataclasses import dataclass

TIDY_COLUMNS: tuple[str, ...] = (
    "la_code",
    "la_name",
    "year",
    "year_basis",
    "measure",
    "breakdown",
    "value",
    "source",
)

YEAR_BASES: tuple[str, ...] = ("january", "calendar", "financial", "mid_year")


@dataclass(frozen=True)
class Measure:
    """One measure: its name, what it counts, its unit and its year basis."""

    name: str
    label: str
    unit: str
    year_basis: str
    description: str
    short: str = ""


_MEASURES: tuple[Measure, ...] = (
    Measure(
        "ehcp_total",
        "EHC plans (and statements before 2019)",
        "children and young people",
        "january",
        "All EHC plans maintained by the LA in January; statements plus EHC plans before "
        "2019 (statements were converted to EHC plans 2014-2018). By primary need "
        "(breakdown need=..., January 2025 on), also by age and for each placement group.",
        short="EHC plans",
    ),
    Measure(
        "ehcp_mainstream",
        "EHC plans: mainstream school",
        "children and young people",
        "january",
        "Placed in a mainstream school of any type (LA-maintained, academy, free, "
        "independent mainstream), including resourced provision and SEN units.",
        short="Mainstream",
    ),
    Measure(
        "ehcp_resourced_unit",
        "EHC plans: resourced provision or SEN unit",
        "children and young people",
        "january",
        "The part of ehcp_mainstream placed in a resourced provision or SEN unit. "
        "Not a separate placement group: it is already inside ehcp_mainstream.",
        short="Resourced/unit",
    ),
    Measure(
        "ehcp_state_special",
        "EHC plans: state special school",
        "children and young people",
        "january",
        "LA-maintained plus academy and free special schools, so academy conversions do not "
        "show as a shift of children. Hospital schools (2010-2018 release only) are in "
        "ehcp_other.",
        short="State special",
    ),
    Measure(
        "ehcp_independent_special",
        "EHC plans: independent or non-maintained special school",
        "children and young people",
        "january",
        "Independent special plus non-maintained special schools: the out-of-county / "
        "independent specialist placement proxy. Excludes independent mainstream schools.",
        short="Indep./NMS special",
    ),
    Measure(
        "ehcp_fe",
        "EHC plans: further education and specialist post-16",
        "children and young people",
        "january",
        "General FE and tertiary colleges, sixth form colleges, specialist post-16 "
        "institutions and other FE providers. Not part of the SEN2 collection before 2015 "
        "(statements ended at school leaving), so 0 for 2010-2014 by construction.",
        short="FE/post-16",
    ),
    Measure(
        "ehcp_ap",
        "EHC plans: alternative provision or pupil referral unit",
        "children and young people",
        "january",
        "AP/PRU of any type (LA-maintained, academy, free school).",
        short="AP/PRU",
    ),
    Measure(
        "ehcp_other",
        "EHC plans: other arrangements",
        "children and young people",
        "january",
        "Derived: ehcp_total minus the five placement groups above. Covers educated "
        "elsewhere (home education, other arrangements), early years settings, NEET, "
        "awaiting provision, hospital schools and unknown placements.",
        short="Other",
    ),
    Measure(
        "new_plans",
        "New EHC plans issued",
        "plans",
        "calendar",
        "EHC plans (statements too before 2015) issued for the first time in the calendar year. "
        "By primary need (breakdown need=..., calendar 2024 on).",
        short="New plans",
    ),
    Measure(
        "requests",
        "Requests for an EHC needs assessment",
        "requests",
        "calendar",
        "Initial requests for an EHC needs assessment received in the calendar year.",
        short="Requests",
    ),
    Measure(
        "requests_refused",
        "Requests refused (decided not to assess)",
        "requests",
        "calendar",
        "Initial requests where the LA decided not to carry out an assessment.",
        short="Refused",
    ),
    Measure(
        "assessments",
        "EHC needs assessments completed",
        "assessments",
        "calendar",
        "Assessments completed in the calendar year with a decision: plan issued plus "
        "decided not to issue. Derived as new_plans + assessed_not_issued where the "
        "release does not publish the sum.",
        short="Assessed",
    ),
    Measure(
        "assessed_not_issued",
        "Assessed, decided not to issue a plan",
        "assessments",
        "calendar",
        "Assessments completed in the calendar year where the LA decided not to issue a plan.",
        short="Not issued",
    ),
    Measure(
        "issued_within_20wk_pct",
        "New EHC plans issued within 20 weeks",
        "percent",
        "calendar",
        "Percentage of new EHC plans issued within 20 weeks, exception cases included.",
        short="In 20 wks",
    ),
    Measure(
        "plans_ceased",
        "EHC plans ceased",
        "plans",
        "calendar",
        "EHC plans ceased to be maintained in the calendar year (any reason).",
        short="Ceased",
    ),
    Measure(
        "sen_support_pct",
        "Pupils on SEN support",
        "percent of pupils",
        "january",
        "Percentage of pupils on SEN support, all schools, January school census (LAIT, 1 dp).",
        short="SEN support",
    ),
    Measure(
        "ehcp_pct",
        "Pupils with an EHC plan",
        "percent of pupils",
        "january",
        "Percentage of pupils with an EHC plan or statement, all schools, January school "
        "census (LAIT, 1 dp).",
        short="EHCP pupils",
    ),
    Measure(
        "population",
        "Resident population",
        "people",
        "mid_year",
        "ONS mid-year population estimate or projection (source column names which). "
        "Breakdown is the single year of age '0'..'25'; the total row covers ages 0-25.",
        short="Population 0-25",
    ),
)

MEASURES: dict[str, Measure] = {m.name: m for m in _MEASURES}

#: The placement groups that sum to ``ehcp_total`` in every January.
PLACEMENT_GROUPS: tuple[str, ...] = (
    "ehcp_mainstream",
    "ehcp_state_special",
    "ehcp_independent_special",
    "ehcp_fe",
    "ehcp_ap",
    "ehcp_other",
)

#: The thirteen primary needs of SEN2 (breakdown ``need=<code>``, with age
#: ``need=<code>;age=<age>``; read by :mod:`sendcast.data.needs`). ``unknown`` (primary need
#: not recorded) is a type of its own, so the needs of any group add up to the group.
PRIMARY_NEEDS: dict[str, str] = {
    "asd": "Autistic spectrum disorder",
    "semh": "Social, emotional and mental health",
    "slcn": "Speech, language and communication needs",
    "mld": "Moderate learning difficulty",
    "sld": "Severe learning difficulty",
    "pmld": "Profound and multiple learning difficulty",
    "spld": "Specific learning difficulty",
    "pd": "Physical disability",
    "hi": "Hearing impairment",
    "vi": "Visual impairment",
    "msi": "Multi-sensory impairment",
    "oth": "Other difficulty/disability (includes Down syndrome)",
    "unknown": "Primary need not recorded",
}

#: Each primary need in a few plain words, for sentences (:data:`PRIMARY_NEEDS` has DfE's names).
NEED_WORDS: dict[str, str] = {
    "asd": "autism",
    "semh": "social, emotional and mental health",
    "slcn": "speech, language and communication",
    "mld": "moderate learning difficulty",
    "sld": "severe learning difficulty",
    "pmld": "profound and multiple learning difficulty",
    "spld": "specific learning difficulty",
    "pd": "physical disability",
    "hi": "hearing impairment",
    "vi": "visual impairment",
    "msi": "multi-sensory impairment",
    "oth": "other difficulty or disability",
    "unknown": "need not recorded",
}

#: Age bands used for EHCP caseload breakdowns (SEN2 2010-2022 release bands).
AGE_BANDS: tuple[str, ...] = ("under_5", "5_to_10", "11_to_15", "16_to_19", "20_to_25")

ENGLAND_CODE = "E92000001"


def measure(name: str) -> Measure:
    """Return the :class:`Measure` called ``name``; ``KeyError`` if it is not one of ours."""
    return MEASURES[name]
