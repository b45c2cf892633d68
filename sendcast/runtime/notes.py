"""Notes on how a run's figures were made, as data: a kind to decide on, a message for people.

A function that makes an assumption or a choice the reader should know about returns
:class:`Note` objects beside its result. Code decides on ``kind`` and ``subjects``, never on the
wording; ``message`` (``str(note)``) is what the terminal, the manifest and the report print.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class NoteKind(str, Enum):
    """What a note is about (its value is the stable code written beside the message)."""

    #: where a unit cost came from (an outturn, a user's file, an illustrative default)
    UNIT_COSTS = "unit_costs"
    #: placement groups with no unit cost: their cost is 0 in the totals (``subjects``: the groups)
    NOT_COSTED = "not_costed"
    #: special school places and what happens when they are full
    SPECIAL_PLACES = "special_places"
    #: the assessment service's capacity rule
    ASSESSMENT_CAPACITY = "assessment_capacity"
    #: how the request and identification trends are carried forward (damping and how it was chosen)
    TRENDS = "trends"
    #: how the engine's rates were set (calibrated, illustrative)
    RATES = "rates"
    #: a forecast measure not split by primary need, or split from fewer years than published
    #: (``subjects``: the measures)
    NEED_SPLIT = "need_split"


@dataclass(frozen=True)
class Note:
    """One note: ``kind`` (:class:`NoteKind`), ``message`` for people, ``severity``
    (``"info"``, or ``"warning"`` when a figure is missing or illustrative) and ``subjects``:
    the names it is about (placement groups, ...), so that code never parses the message."""

    kind: NoteKind
    message: str
    severity: str = "info"
    subjects: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


def notes_of(kind: NoteKind, messages: Iterable[str], severity: str = "info") -> list[Note]:
    """Plain messages (from a function that returns prose) as notes of one ``kind``."""
    return [Note(kind, message, severity) for message in messages]


def subjects(notes: Iterable[Note], kind: NoteKind) -> list[str]:
    """Every subject of the notes of ``kind``, in order (e.g. the placement groups not costed)."""
    return [subject for note in notes if note.kind is kind for subject in note.subjects]
