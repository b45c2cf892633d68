"""Format numbers and tables for people: counts with thousands separators,
percentages to one decimal place, plain-English measure labels."""

from __future__ import annotations

import math

import pandas as pd

from sendcast.data.measures import MEASURES


def format_value(measure: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    unit = MEASURES[measure].unit if measure in MEASURES else ""
    if "percent" in unit:
        return f"{value:.1f}%"
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}"
    return f"{value:,.1f}"


def wide_table(table: pd.DataFrame, *, labels: bool = True) -> str:
    """Render a years-by-measures table with short plain-English headers and a key."""
    shown = pd.DataFrame(index=table.index)
    for measure in table.columns:
        header = MEASURES[measure].short if labels and measure in MEASURES else measure
        shown[header] = [format_value(measure, v) for v in table[measure]]
    shown.index.name = "Year"
    if not labels:
        return shown.to_string()
    key = "\n".join(f"  {MEASURES[m].short}: {MEASURES[m].label} ({MEASURES[m].year_basis} year)"
                    for m in table.columns if m in MEASURES)
    return shown.to_string() + "\n" + key
