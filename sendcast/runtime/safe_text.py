"""Text that is safe to hand to a spreadsheet or a terminal.

- :func:`neutralise_cell`: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return is read by Excel and LibreOffice as a formula (OWASP's "CSV
  injection"); it is written with a leading apostrophe instead, so it shows as the text
  it is. Plain numbers written as text (``-5``, ``+1.5e3``) and a lone ``-`` are left
  alone: they cannot be formulas. Every CSV and workbook cell sendcast writes goes through this function.
- :func:`escape_controls`: control characters (escape sequences, carriage returns,
  line breaks) in a message are shown as ``\\x1b``, ``\\r``..., so a file or a scenario
  key cannot rewrite the user's terminal or split an error into several lines.
"""

from __future__ import annotations

import re

import pandas as pd

#: First characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def neutralise_cell(value):
    """``value`` unchanged unless it is text a spreadsheet would run as a formula;
    then the same text behind an apostrophe (``"=1+1"`` -> ``"'=1+1"``)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value) \
            and value not in ("-", "+"):  # a lone sign is how tables show "none"; it cannot be a formula
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name passed through
    :func:`neutralise_cell` (numeric columns are not touched)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def escape_controls(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\n``)."""
    def show(match: re.Match) -> str:
        char = match.group(0)
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}" if ord(char) < 256
                                                         else f"\\u{ord(char):04x}")
    return _CONTROL.sub(show, text)
