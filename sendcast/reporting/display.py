"""Format numbers and tables for people: counts with thousands separators,
percentages to one decimal place, plain-English measure labels."""

from __future__ import annotations

import math

import pandas as pd

from sendcast.data.measures import MEASURES, NEED_WORDS


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


def round_significant(value: float, figures: int = 3) -> float:
    """``value`` rounded to ``figures`` significant figures (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, figures - 1 - int(math.floor(math.log10(abs(value)))))


def format_money(value: float, figures: int = 3) -> str:
    """Pounds to 3 significant figures, in the unit a reader expects: "£153m", "£16.8m",
    "£1.23m", "£845,000", "£1,500", "-£2.10m"; "£1.31bn" from a thousand million. Missing: "-"."""
    if value is None or not math.isfinite(value):
        return "-"
    rounded = round_significant(float(value), figures)
    size = abs(rounded)
    sign = "-" if rounded < 0 and size >= 0.5 else ""
    if size >= 1e9:
        return f"{sign}£{_significant(size / 1e9, figures)}bn"
    if size >= 1e6:
        return f"{sign}£{_significant(size / 1e6, figures)}m"
    return f"{sign}£{size:,.0f}"


def _significant(value: float, figures: int) -> str:
    """``value`` (already rounded) with the decimals its significant figures need: 153, 16.8, 1.23."""
    digits = int(math.floor(math.log10(abs(value)))) + 1 if value else 1
    decimals = max(0, figures - digits)
    return f"{value:,.{decimals}f}"


def format_children(value: float) -> str:
    """A number of children: whole, thousands separated, never "-0". Missing: "-"."""
    if value is None or not math.isfinite(value):
        return "-"
    whole = int(round(float(value)))
    return f"{whole:,}"


def format_change(value: float) -> str:
    """A change in children: "+45", "-932", "0" (no "+0" or "-0")."""
    if value is None or not math.isfinite(value):
        return "-"
    whole = int(round(float(value)))
    return f"{whole:+,}" if whole else "0"


def format_percent(value: float, decimals: int = 1) -> str:
    """A value already in per cent: "5.7%", never "-0.0%". Missing: "-"."""
    if value is None or not math.isfinite(value):
        return "-"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not any(c in text for c in "123456789"):
        text = text[1:]
    return text + "%"


def format_share(value: float) -> str:
    """A share between 0 and 1 as a whole percentage: "2%", "100%"; clipped into [0%, 100%]."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{min(max(value, 0.0), 1.0):.0%}"


def _kind(name: str, values: pd.Series) -> str:
    lower = str(name).lower()
    if pd.api.types.is_bool_dtype(values):
        return "yes/no"
    if not pd.api.types.is_numeric_dtype(values):
        return "text"
    if lower in ("year", "january", "calendar year", "from_year", "start_year") or lower.endswith("_year") \
            or lower.startswith("year"):
        return "year"
    if "gbp" in lower or "£" in lower or "spend" in lower or "cost" in lower or "saving" in lower:
        return "money"
    if lower.endswith("_pct") or "%" in lower or "percent" in lower:
        return "percent"
    if lower.startswith(("share", "prob", "chance")) or "share" in lower or "prob_" in lower or "coverage" in lower:
        return "share"
    finite = values.dropna()
    if len(finite) and (finite.abs() >= 10).mean() > 0.5:
        return "count"
    return "number"


def _general(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{round_significant(float(value), 3):,.6g}"


FORMATTERS = {"year": lambda v: "-" if pd.isna(v) else f"{int(v)}", "money": format_money,
              "percent": format_percent, "share": lambda v: "-" if pd.isna(v) else f"{v:.0%}",
              "count": format_children, "number": _general,
              "yes/no": lambda v: "-" if pd.isna(v) else ("yes" if v else "no")}


def readable(frame: pd.DataFrame, *, kinds: dict[str, str] | None = None, caption: str | None = None):
    """A table as a commissioner reads it, for a notebook: money to 3 significant figures
    (£m), counts whole with thousands separators, per cent to 1 decimal, shares as whole
    percentages, small numbers such as a relative risk to 3 significant figures (0.65 stays
    0.65), years without separators; every column shown. ``kinds`` overrides the guess from
    each column's name (``year``, ``money``, ``percent``, ``share``, ``count``, ``number``).
    Returns a pandas Styler (shown as an HTML table)."""
    kinds = kinds or {}
    if frame.index.name or not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    formats, text = {}, []
    for column in frame.columns:
        kind = kinds.get(column) or _kind(column, frame[column])
        if kind == "text":
            text.append(column)
        else:
            formats[column] = FORMATTERS[kind]
    styler = frame.style.format(formats, na_rep="-").hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    styler = styler.set_table_styles([{"selector": "td", "props": "text-align: right; padding: 2px 8px"},
                                      {"selector": "th", "props": "text-align: left; padding: 2px 8px"}])
    return styler.set_properties(subset=text, **{"text-align": "left"}) if text else styler


#: Placement groups' short names (``ehcp_ap`` -> ``ap``) in plain words, for labels.
PLACEMENT_WORDS = {"ap": "alternative provision", "fe": "further education", "other": "other placements",
                   "state_special": "state special", "independent_special": "independent special",
                   "mainstream": "mainstream", "resourced_unit": "resourced provision"}


def placement_words(short: str) -> str:
    """``"ap"`` -> "alternative provision" (a name we do not know: underscores as spaces)."""
    return PLACEMENT_WORDS.get(short, short.replace("_", " "))


def input_words(key: str, *, unit_cost: str = "unit cost, ") -> str:
    """An uncertain input's key in words: ``early_identification.cost_per_child_gbp`` -> "cost
    per child (£ a year)", ``unit_cost.ehcp_ap`` -> ``unit_cost`` + "alternative provision"."""
    if key.startswith("unit_cost."):
        return unit_cost + placement_words(key.removeprefix("unit_cost.").removeprefix("ehcp_"))
    name = key.split(".")[-1]
    return name.removesuffix("_gbp").replace("_", " ") + (" (£ a year)" if name.endswith("_gbp") else "")


def need_words(code: str) -> str:
    """A primary need's code (``"slcn"``) in plain words ("speech, language and
    communication"); a code we do not know is shown as it is."""
    return NEED_WORDS.get(code, code)


def needs_words(joined: str, *, most: int = 3) -> str:
    """Needs joined by "+" (``"asd+semh"``, as the capacity tables give a designation's needs)
    in plain words; more than ``most`` of them are a mixed designation's: "needs without places designated for them"."""
    codes = [c for c in joined.split("+") if c]
    if len(codes) > most:
        return "needs without places designated for them"
    return " and ".join(need_words(c) for c in codes)
