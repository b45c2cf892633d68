"""One parameter tree for the early identification lever: the scenario file's section and the
engine's dataclass name the same settings, and the bridge between them is derived, not a
hand-kept list (issue 17). A setting added to one and not the other fails here."""

from __future__ import annotations

from dataclasses import fields

from sendcast.scenarios.files import EarlyIdentification as FileLever
from sendcast.scenarios.uncertainty import ENGINE_LEVER_FIELDS, LEVER_FIELDS_RESOLVED
from simulation.parameters import EarlyIdentification as EngineLever

DOCUMENTATION_ONLY = {"sources"}


def test_every_engine_setting_of_the_lever_is_written_in_the_scenario_file():
    engine = {item.name for item in fields(EngineLever)}
    assert engine <= set(FileLever.model_fields), engine - set(FileLever.model_fields)


def test_every_file_setting_reaches_the_engine_or_is_resolved_or_documentation():
    carried = set(ENGINE_LEVER_FIELDS)
    assert set(FileLever.model_fields) == carried | set(LEVER_FIELDS_RESOLVED) | DOCUMENTATION_ONLY
    assert not carried & (set(LEVER_FIELDS_RESOLVED) | DOCUMENTATION_ONLY)
