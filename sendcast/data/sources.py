"""Declarative descriptions of the published SEN2 tables sendcast reads.

One :class:`TableSpec` per published CSV: which rows to keep, which columns must be
there, which measure each column (or sum of columns) becomes, and its year basis.
Adding a new release format means adding specs here, not code elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Identification columns every SEN2 table carries.
AREA_COLUMNS: tuple[str, ...] = (
    "time_period",
    "geographic_level",
    "old_la_code",
    "new_la_code",
    "la_name",
    "region_name",
)

#: The geographic levels SEN2 tables publish; any other spelling is an error naming the row
#: (``Local Authority`` or ``national`` would otherwise drop the row without a word).
GEOGRAPHIC_LEVELS: tuple[str, ...] = ("National", "Regional", "Local authority")

#: The ``breakdown_topic`` values of each 2025-format table sendcast reads, as published in
#: the 2025 release. A table holding another value is refused naming the row: a misspelt
#: topic would otherwise make its rows vanish. A later release that adds a topic needs it
#: added here (one line), which is the point: sendcast never drops rows it does not know.
BREAKDOWN_TOPICS_2025: dict[str, frozenset[str]] = {
    "caseload.csv": frozenset({"All EHC plans", "Age when plan started", "Child or young persons age", "Ethnicity",
                               "Sex", "Years EHC plan in place"}),
    "newplans.csv": frozenset({"New EHC plans", "Age when plan started", "Ethnicity", "Sex"}),
    "requests.csv": frozenset({"All requests for EHC needs assessments", "Child or young persons age", "Ethnicity",
                               "Sex"}),
    "assessments.csv": frozenset({"All EHC needs assessments", "Child or young persons age", "Ethnicity", "Sex"}),
    "timeliness_20_week.csv": frozenset({"All EHC plans issued", "Child or young persons age", "Ethnicity", "Sex"}),
    "ceased_plans.csv": frozenset({"All ceased EHC plans", "Age plan ceased", "Ethnicity", "Sex",
                                   "Type of placement", "Years plan held"}),
    "sen_needs_all_plans.csv": frozenset({"All EHC plans", "Child or young persons age", "Ethnicity", "Sex",
                                          "Type of placement", "Years EHC plan in place"}),
}


@dataclass(frozen=True)
class Component:
    """A measure built from published columns: their sum (marker rule in cells.py)."""

    measure: str
    columns: tuple[str, ...]
    kind: str = "count"  # count | percent
    breakdown: str = ""

    @property
    def derived(self) -> bool:
        return len(self.columns) > 1


@dataclass(frozen=True)
class ShareCheck:
    """A published total must agree with a part of it and that part's published share.

    ``total`` should equal ``part / (share / 100)`` within :data:`SHARE_TOLERANCE` (relative)
    or :data:`SHARE_SLACK` children, whichever is larger. A row that fails has its total
    withheld as missing: the 2025 release's ``newplans.csv`` gives every Yorkshire and The
    Humber LA the regional total (6,078) for 2022, and this rule catches it.
    """

    total: str
    part: str
    share: str


SHARE_TOLERANCE = 0.02
SHARE_SLACK = 2.0


@dataclass(frozen=True)
class TableSpec:
    """How one published CSV becomes measures.

    ``row_filter`` keeps rows whose column equals the value. ``breakdown_column`` with
    ``breakdown_map`` turns a breakdown column (age, need) into tidy breakdown labels;
    rows whose label maps to ``None`` are dropped. ``from_year`` drops earlier years
    (documented per spec where early years use another definition).
    """

    file: str
    year_basis: str
    components: tuple[Component, ...]
    row_filter: dict[str, str] = field(default_factory=dict)
    breakdown_column: str | None = None
    breakdown_map: dict[str, str | None] = field(default_factory=dict)
    from_year: int | None = None
    share_check: ShareCheck | None = None

    @property
    def value_columns(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for component in self.components:
            for column in component.columns:
                seen.setdefault(column, None)
        return tuple(seen)

    @property
    def required_columns(self) -> tuple[str, ...]:
        extra = tuple(self.row_filter) + ((self.breakdown_column,) if self.breakdown_column else ())
        checked = (self.share_check.part, self.share_check.share) if self.share_check else ()
        return tuple(dict.fromkeys(AREA_COLUMNS + extra + self.value_columns + checked))


def _single_ages(prefix: str, low: int, high: int) -> dict[str, str]:
    return {f"{prefix}{age}": f"age={age}" for age in range(low, high + 1)}


# ---------------------------------------------------------------- 2025-format release
_RESOURCED_2025 = (
    "mainstream_la_maintained_resourced_provision",
    "mainstream_la_maintained_senunit",
    "mainstream_academy_resourced_provision",
    "mainstream_academy_senunit",
    "mainstream_free_school_resourced_provision",
    "mainstream_free_school_senunit",
)

CASELOAD_2025 = TableSpec(
    file="caseload.csv",
    year_basis="january",
    row_filter={"breakdown_topic": "All EHC plans"},
    share_check=ShareCheck("ehcplans", "mainstream_total", "mainstream_total_pc"),
    components=(
        Component("ehcp_total", ("ehcplans",)),
        Component("ehcp_mainstream", ("mainstream_total",)),
        Component("ehcp_resourced_unit", _RESOURCED_2025),
        Component("ehcp_state_special", ("special_la_maintained", "special_academy_free")),
        Component("ehcp_state_special", ("special_la_maintained",), breakdown="provider=la_maintained"),
        Component("ehcp_state_special", ("special_academy_free",), breakdown="provider=academy_free"),
        Component("ehcp_independent_special", ("special_independent", "special_non_maintained")),
        Component("ehcp_independent_special", ("special_independent",), breakdown="provider=independent"),
        Component("ehcp_independent_special", ("special_non_maintained",), breakdown="provider=non_maintained"),
        Component("ehcp_fe", ("fe_total",)),
        Component("ehcp_ap", ("ap_pru_total",)),
    ),
)

_AGE_2025 = {"under 3": "age=0-2", **_single_ages("age ", 3, 25)}
CASELOAD_AGE_2025 = TableSpec(
    file="caseload.csv",
    year_basis="january",
    row_filter={"breakdown_topic": "Child or young persons age"},
    breakdown_column="breakdown",
    breakdown_map=_AGE_2025,
    # Placement groups by single year of age (January 2024 on): the published joint table
    # the simulation starts from and calibrates placements by school phase against.
    components=(
        Component("ehcp_total", ("ehcplans",)),
        Component("ehcp_mainstream", ("mainstream_total",)),
        Component("ehcp_state_special", ("special_la_maintained", "special_academy_free")),
        Component("ehcp_independent_special", ("special_independent", "special_non_maintained")),
        Component("ehcp_fe", ("fe_total",)),
        Component("ehcp_ap", ("ap_pru_total",)),
    ),
)

NEWPLANS_2025 = TableSpec(
    file="newplans.csv",
    year_basis="calendar",
    row_filter={"breakdown_topic": "New EHC plans"},
    share_check=ShareCheck("new_ehc_plans", "mainstream_total", "mainstream_total_pc"),
    components=(Component("new_plans", ("new_ehc_plans",)),),
)

# New plans by the age the plan started (2022 on): the age profile of new plans by school phase.
_NEW_AGE_2025 = {"age 2 and under": "age=0-2", **_single_ages("age ", 3, 19), "age 20 and over": "age=20-25"}
NEWPLANS_AGE_2025 = TableSpec(
    file="newplans.csv",
    year_basis="calendar",
    row_filter={"breakdown_topic": "Age when plan started"},
    breakdown_column="breakdown",
    breakdown_map=_NEW_AGE_2025,
    components=(Component("new_plans", ("new_ehc_plans",)),),
)

REQUESTS_2025 = TableSpec(
    file="requests.csv",
    year_basis="calendar",
    row_filter={"breakdown_topic": "All requests for EHC needs assessments"},
    components=(
        Component("requests", ("requests_received_in_year",)),
        Component("requests_refused", ("requests_decided_not_to_assess",)),
    ),
)

ASSESSMENTS_2025 = TableSpec(
    file="assessments.csv",
    year_basis="calendar",
    row_filter={"breakdown_topic": "All EHC needs assessments"},
    components=(
        Component("assessed_not_issued", ("assess_not_issued",)),
        Component("assessments", ("assess_issued", "assess_not_issued")),
    ),
)

TIMELINESS_2025 = TableSpec(
    file="timeliness_20_week.csv",
    year_basis="calendar",
    row_filter={"breakdown_topic": "All EHC plans issued"},
    components=(
        Component("issued_within_20wk_pct", ("pc_plans_issued_within_20_weeks",), kind="percent"),
    ),
)

#: Reasons a plan ceased (person-level collection, calendar years 2022 on), grouped as the
#: simulation's competing hazards (:data:`simulation.outputs.CEASE_REASONS`) plus ``other``:
#: ``needs_met``: needs met without a plan; ``moved_away``: transferred to another LA or
#: moved outside England; ``left_education``: moved on to higher education, to paid
#: employment or training, or the young person no longer wishes to engage in education or
#: training; ``aged_out``: reached the maximum age (25); ``other``: deceased, not recorded,
#: other. The five add up to ``total_ceased``.
CEASE_REASON_COLUMNS_2025: dict[str, tuple[str, ...]] = {
    "needs_met": ("needs_met",),
    "moved_away": ("transfer", "moved_outside_eng"),
    "left_education": ("he", "employ", "no_engage"),
    "aged_out": ("max_age",),
    "other": ("deceased", "not_rec", "other"),
}

# The 2022 release's discontinued-plan columns (before 2022) come from the aggregate
# collection: not comparable with these (England 21,546 in 2021, 34,724 in 2022), so no
# reasons are read from it.
CEASED_2025 = TableSpec(
    file="ceased_plans.csv",
    year_basis="calendar",
    row_filter={"breakdown_topic": "All ceased EHC plans"},
    components=(Component("plans_ceased", ("total_ceased",)),)
    + tuple(Component("plans_ceased", columns, breakdown=f"reason={reason}")
            for reason, columns in CEASE_REASON_COLUMNS_2025.items()),
)

# Ceased plans by the age when the plan ceased (calendar years 2023 on; not published for
# 2022). "Age unknown" is dropped (0 for Gloucestershire).
_CEASED_AGE_2025: dict[str, str | None] = {**_NEW_AGE_2025, "Age unknown": None}
CEASED_AGE_2025 = TableSpec(
    file="ceased_plans.csv",
    year_basis="calendar",
    row_filter={"breakdown_topic": "Age plan ceased"},
    breakdown_column="breakdown",
    breakdown_map=_CEASED_AGE_2025,
    components=(Component("plans_ceased", ("total_ceased",)),),
)

_NEEDS = ("asd", "hi", "mld", "msi", "oth", "pd", "pmld", "semh", "slcn", "sld", "spld", "vi")
NEEDS_2025 = TableSpec(
    file="sen_needs_all_plans.csv",
    year_basis="january",
    row_filter={"breakdown_topic": "All EHC plans"},
    components=tuple(
        Component("ehcp_total", (f"number_{need}",), breakdown=f"need={need}") for need in _NEEDS
    )
    + (Component("ehcp_total", ("number_need_unknown",), breakdown="need=unknown"),),
)

FORMAT_2025: tuple[TableSpec, ...] = (
    CASELOAD_2025,
    CASELOAD_AGE_2025,
    NEWPLANS_2025,
    NEWPLANS_AGE_2025,
    REQUESTS_2025,
    ASSESSMENTS_2025,
    TIMELINESS_2025,
    CEASED_2025,
    CEASED_AGE_2025,
    NEEDS_2025,
)

# ---------------------------------------------------------------- 2022-format release
# The 2010-2022 release is long by establishment: one row per (LA, year, type).
# establishment_type -> the column it becomes before the specs below read it.
ESTABLISHMENT_COLUMNS_2022: dict[str, str] = {
    "Total": "total",
    "Mainstream - LA maintained": "mainstream_la",
    "Mainstream - LA maintained - SEN unit": "unit_la",
    "Mainstream - LA maintained - Resourced provision": "rp_la",
    "Mainstream - Academy": "mainstream_academy",
    "Mainstream - Academy - SEN unit": "unit_academy",
    "Mainstream - Academy - Resourced Provision": "rp_academy",
    "Mainstream - Free school": "mainstream_free",
    "Mainstream - Free school - SEN unit": "unit_free",
    "Mainstream - Free school - Resourced provision": "rp_free",
    "Special - LA maintained": "special_la",
    "Special - Academy/free": "special_academy_free",
    "Special - Academy": "special_academy",
    "Special - Free school": "special_free",
    "Special - Independent": "special_independent",
    "Special - Non-maintained": "special_non_maintained",
}
#: Every establishment type and group the 2010-2022 release publishes; the ones not in the
#: maps above are read and not used (a type outside this list is an error naming the row).
ESTABLISHMENT_TYPES_2022: frozenset[str] = frozenset({
    "AP/PRU - Academy", "AP/PRU - Free school", "AP/PRU - LA maintained", "Apprenticeship",
    "Awaiting provision - above compulsory school age and in education",
    "Awaiting provision - above compulsory school age and not in education",
    "Awaiting provision - below compulsory school age and in education",
    "Awaiting provision - below compulsory school age and not in education",
    "Awaiting provision - compulsory school age and in education",
    "Awaiting provision - compulsory school age and not in education", "Awaiting provision - total",
    "Elective home education", "General FE and tertiary colleges/HE", "Hospital School",
    "Independent specialist providers", "Mainstream - Independent", "NEET", "Non-maintained early years", "Other",
    "Other FE", "Other arrangements by local authority", "Other arrangements by parents", "Permanently excluded",
    "Sixth form college", "Specialist post-16 institutions", "Supported Internship", "Traineeship",
    "Work-based learning"}) | frozenset(ESTABLISHMENT_COLUMNS_2022)
ESTABLISHMENT_GROUPS_2022: frozenset[str] = frozenset({
    "Alternative provision/Pupil referral unit", "Educated elsewhere", "Further education", "Mainstream school",
    "NEET", "Non-maintained early years", "Other", "Special school", "Total", "Unknown"})
# establishment_group (on the establishment_type == "Total" rows) -> column.
ESTABLISHMENT_GROUP_COLUMNS_2022: dict[str, str] = {
    "Mainstream school": "group_mainstream",
    "Further education": "group_fe",
    "Alternative provision/Pupil referral unit": "group_ap",
}

CASELOAD_2022 = TableSpec(
    file="sen2_estab_caseload.csv",
    year_basis="january",
    components=(
        Component("ehcp_total", ("total",)),
        Component("ehcp_mainstream", ("group_mainstream",)),
        Component(
            "ehcp_resourced_unit",
            ("unit_la", "rp_la", "unit_academy", "rp_academy", "unit_free", "rp_free"),
        ),
        Component(
            "ehcp_state_special",
            ("special_la", "special_academy_free", "special_academy", "special_free"),
        ),
        Component("ehcp_state_special", ("special_la",), breakdown="provider=la_maintained"),
        Component("ehcp_state_special", ("special_academy_free", "special_academy", "special_free"),
                  breakdown="provider=academy_free"),
        Component("ehcp_independent_special", ("special_independent", "special_non_maintained")),
        Component("ehcp_fe", ("group_fe",)),
        Component("ehcp_ap", ("group_ap",)),
    ),
)

NEWPLANS_2022 = TableSpec(
    file="sen2_estab_new_plans.csv",
    year_basis="calendar",
    components=(Component("new_plans", ("total",)),),
)

AGE_BANDS_2022: dict[str, str | None] = {
    "Total": None,
    "Under 5": "age_band=under_5",
    "Age 5 to 10": "age_band=5_to_10",
    "Age 11 to 15": "age_band=11_to_15",
    "Age 16 to 19": "age_band=16_to_19",
    "Age 20 to 25": "age_band=20_to_25",
}
CASELOAD_AGE_2022 = TableSpec(
    file="sen2_age_caseload.csv",
    year_basis="january",
    breakdown_column="characteristic_age",
    breakdown_map=AGE_BANDS_2022,
    components=(Component("ehcp_total", ("Total_all",)),),
)

# The MI table: requests, assessments, timeliness and discontinued plans. Statements
# were still being assessed in 2014; from 2015 the EHC columns cover new assessments,
# so refusals and assessments start in 2015 (statement columns are z from then on).
MI_2022 = TableSpec(
    file="sen2_mi.csv",
    year_basis="calendar",
    from_year=2015,
    components=(
        Component("requests", ("InreqEHC",)),
        Component("requests_refused", ("AssRefusedEHC", "AssRefused")),
        Component("assessed_not_issued", ("AssnoneEHC", "Assnone")),
        Component("assessments", ("NewallEHC_AssnoneEHC_sum",)),
        Component("issued_within_20wk_pct", ("IncExc20weekRate",), kind="percent"),
        Component(
            "plans_ceased",
            ("Dislea", "Dismet", "Disoth", "Disleft", "DisleaEHC", "DismetEHC", "DisothEHC", "DisleftEHC"),
        ),
    ),
)
