"""One parameter tree (issue 17): every setting of every scenario-file section that becomes an
engine dataclass is carried as it is, resolved against the data, derived, documentation or
applied after the run, exactly one of these; and a carried setting reaches the engine. A
setting added to one side and not the other fails here instead of being silently dropped."""

from __future__ import annotations

import pytest

from sendcast.scenarios.files import Scenario
from sendcast.scenarios.parameters import early_identification
from sendcast.scenarios.reform_setup import reform_settings
from sendcast.scenarios.tree import SECTIONS
from sendcast.scenarios.uncertainty import ENGINE_LEVER_FIELDS


@pytest.mark.parametrize("key", sorted(SECTIONS))
def test_every_file_setting_is_carried_resolved_documented_or_applied_after_the_run(key):
    section = SECTIONS[key]
    kinds = [set(section.carried), set(section.resolved), set(section.documentation), set(section.applied_elsewhere)]
    assert set(section.file_settings) == set().union(*kinds), set(section.file_settings) ^ set().union(*kinds)
    assert sum(len(k) for k in kinds) == len(section.file_settings), "a setting is of two kinds"


@pytest.mark.parametrize("key", sorted(SECTIONS))
def test_every_engine_setting_is_carried_resolved_or_derived(key):
    section = SECTIONS[key]
    from_file = set(section.carried) | (set(section.resolved) & set(section.engine_settings))
    assert set(section.engine_settings) == from_file | set(section.derived)
    assert not from_file & set(section.derived), "an engine setting both comes from the file and is derived"


def test_the_lever_carries_every_setting_both_sides_name_except_the_needs_resolved_against_the_data():
    assert set(ENGINE_LEVER_FIELDS) == set(SECTIONS["early_identification"].engine_settings) - {"target_needs"}


def _scenario(**sections) -> Scenario:
    return Scenario.model_validate({"scenario": {"name": "t", "la": "Gloucestershire", "start_year": 2025},
                                    **sections})


def test_a_changed_lever_setting_reaches_the_engine_lever():
    lever = early_identification(_scenario(early_identification={
        "share_identified_early": {"dist": "triangular", "low": 0.1, "mode": 0.2, "high": 0.4},
        "capacity_children_per_year": 300, "years_earlier": 3, "support_years": 4, "fade_out_years": 2.5}))
    assert lever.capacity_children_per_year == 300
    assert lever.years_earlier == 3 and lever.support_years == 4 and lever.fade_out_years == 2.5
    assert 0.1 < lever.share_identified_early < 0.4  # the distribution's central value, not the distribution


def test_changed_reform_settings_reach_the_engine():
    reform = reform_settings(_scenario(individual_support_plans={
        "share_at_transfer": 0.25, "from_year": 2031, "transfer_ages": [11, 16]}))
    assert (reform.share_at_transfer, reform.from_year, reform.transfer_ages) == (0.25, 2031, (11, 16))


def test_the_overflow_settings_are_carried_by_name():
    assert set(SECTIONS["special_places"].carried) == {"overflow_policy", "overflow_rate_per_year", "waiting_placement"}
