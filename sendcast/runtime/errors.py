"""Exceptions of the application layer.

Every error a user can cause by handing sendcast a file says which file, which row
and which column, and what was expected there. The CLI turns these into one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class SendcastError(Exception):
    """Base class for errors the user can act on (bad input, unknown names)."""


class InputError(SendcastError):
    """A user-supplied file is malformed.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it (the
    header is row 1), or ``None`` when the problem is with the file as a whole.
    """

    def __init__(
        self,
        path: str | Path,
        expected: str,
        *,
        row: int | None = None,
        column: str | None = None,
        found: str | None = None,
    ) -> None:
        self.path = str(path)
        self.row = row
        self.column = column
        self.expected = expected
        self.found = found
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        message = f"{where}: expected {expected}"
        if found is not None:
            message += f", found {found!r}"
        super().__init__(message)


class UnknownNameError(SendcastError):
    """A name the user typed (LA, measure, scenario key) is not one we know."""

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        message = f"unknown {kind} {name!r}"
        if suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        super().__init__(message)
