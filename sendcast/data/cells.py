"""Turn the text in a published cell into a number, or say exactly why it is not one.

DfE statistics mark values that are not numbers with short codes. The rule here:

- ``x`` (suppressed or not collected), ``c`` (confidential), ``low`` (rounds to zero but
  is not zero), ``u`` (low reliability), ``:`` or ``..`` (not available) and an empty cell
  are **missing**: the value exists but is unknown. They become NaN, never zero.
- ``z`` is **not applicable** (for example statements after they were abolished). Alone it
  is missing, but as one component of a sum whose other components are published it adds
  nothing (see :func:`sum_components`).
- Anything else that is not a number is an error naming the file, row and column.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sendcast.runtime.errors import InputError

MISSING_MARKERS: frozenset[str] = frozenset({"", "x", "c", "low", "u", ":", "..", "-", "~"})
NOT_APPLICABLE = "z"
#: Counts at or above this are refused: no count of children or places is so large, and
#: a whole number beyond 2**63 would wrap round to a negative one.
MAX_COUNT = 1_000_000_000
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_numbers(
    text: pd.Series,
    *,
    path: str,
    column: str,
    rows: pd.Series,
    kind: str,
) -> tuple[pd.Series, pd.Series]:
    """Parse one column of published text cells.

    ``kind`` is ``"count"`` (a whole number >= 0), ``"percent"`` (0 to 100) or
    ``"number"`` (any finite number). ``rows`` holds each cell's row number in the file.

    Returns ``(values, not_applicable)``: floats with NaN for every marker, and a boolean
    mask of the ``z`` cells. Raises :class:`InputError` on the first bad cell.
    """
    stripped = text.astype("string").fillna("").str.strip()
    lowered = stripped.str.lower()
    not_applicable = (lowered == NOT_APPLICABLE).to_numpy(dtype=bool)
    missing = lowered.isin(MISSING_MARKERS).to_numpy(dtype=bool) | not_applicable
    candidates = stripped.where(~missing, "0")
    is_number = candidates.str.match(_NUMBER).fillna(False).to_numpy(dtype=bool)
    if not is_number.all():
        bad = int(np.flatnonzero(~is_number)[0])
        raise InputError(
            path,
            _expectation(kind) + " or a DfE marker (x, z, c, low)",
            row=int(rows.iloc[bad]),
            column=column,
            found=str(text.iloc[bad]),
        )
    values = candidates.astype(float).to_numpy(copy=True)
    values[missing] = np.nan
    _check_representable(values, candidates, path=path, column=column, rows=rows, raw=text)
    _check_range(values, kind=kind, path=path, column=column, rows=rows, raw=text)
    return pd.Series(values, index=text.index), pd.Series(not_applicable, index=text.index)


_NONZERO_MANTISSA = re.compile(r"^[+-]?0*\.?0*[1-9]")


def _check_representable(values: np.ndarray, text: pd.Series, *, path: str, column: str, rows: pd.Series,
                         raw: pd.Series) -> None:
    """A written number must survive becoming a float: ``1e-400`` is not zero and ``1e400``
    is not infinity, so both are refused rather than silently changed."""
    with np.errstate(invalid="ignore"):
        suspect = (values == 0) | ~np.isfinite(values)
    suspect &= ~np.isnan(values)
    for index in np.flatnonzero(suspect):
        written = str(text.iloc[index]).split("e")[0].split("E")[0]
        if values[index] == 0 and not _NONZERO_MANTISSA.match(written):
            continue  # a real zero (0, 0.0, -0, 0e5)
        raise InputError(path, "a number of ordinary size (between 1e-300 and 1e300 in magnitude, or 0)",
                         row=int(rows.iloc[index]), column=column, found=str(raw.iloc[index]))


def _expectation(kind: str) -> str:
    return {
        "count": "a whole number of 0 or more",
        "percent": "a percentage from 0 to 100",
        "number": "a number",
    }[kind]


def _check_range(
    values: np.ndarray, *, kind: str, path: str, column: str, rows: pd.Series, raw: pd.Series
) -> None:
    with np.errstate(invalid="ignore"):
        if kind == "count":
            bad = (values < 0) | (np.abs(values - np.round(values)) > 1e-9)
        elif kind == "percent":
            bad = (values < 0) | (values > 100)
        else:
            bad = ~np.isfinite(values) & ~np.isnan(values)
    bad &= ~np.isnan(values)
    if kind == "count" and not bad.any():
        with np.errstate(invalid="ignore"):
            huge = values >= MAX_COUNT
        if huge.any():
            first = int(np.flatnonzero(huge)[0])
            raise InputError(path, f"a whole number of 0 or more, below {MAX_COUNT:,} (no count of children "
                             "is larger)", row=int(rows.iloc[first]), column=column, found=str(raw.iloc[first]))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            path,
            _expectation(kind),
            row=int(rows.iloc[first]),
            column=column,
            found=str(raw.iloc[first]),
        )


def sum_components(values: list[pd.Series], not_applicable: list[pd.Series]) -> pd.Series:
    """Add published components cell by cell, honouring the marker rule.

    A ``z`` component adds nothing when at least one component is a number; any other
    missing component makes the sum missing; all ``z`` gives missing.
    """
    total = pd.Series(0.0, index=values[0].index)
    any_number = pd.Series(False, index=values[0].index)
    unknown = pd.Series(False, index=values[0].index)
    for value, na in zip(values, not_applicable, strict=True):
        present = value.notna()
        total = total + value.fillna(0.0)
        any_number |= present
        unknown |= ~present & ~na
    return total.where(any_number & ~unknown)
