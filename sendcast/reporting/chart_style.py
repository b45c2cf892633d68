"""One look for every chart: how axes count, how money reads, where titles and legends go.

Every chart function in :mod:`sendcast.reporting.charts` and
:mod:`sendcast.reporting.scenario_charts` draws on these helpers, so the rules hold everywhere:

- ticks on small counts are whole numbers or carry just enough decimals to differ
  ("0, 1, 2", or "0.0, 0.5, 1.0"), never "0 0 0 0", and never "-0";
- money is shown in pounds million ("£1.2m") at a step the axis needs, never raw pounds;
- bar charts start at zero (a truncated bar axis makes a 2% change look like 25%);
- titles are plain English, wrapped to fit the figure, without method jargon;
- legends sit outside the data, below the axes.

Importing this module does not choose a matplotlib backend: in a notebook the charts show
inline; scripts and the command save figures to files whatever the backend.
"""

from __future__ import annotations

import math
import re
import textwrap

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

#: Default figure size (inches) and resolution for every chart.
FIGURE_SIZE = (8.0, 4.8)
DPI = 110
TITLE_SIZE = 11
#: Words of method jargon that must not reach a title, with what a reader would say instead.
JARGON = {
    r"\bnaive\b": "",
    r"\breconciled\b": "",
    r"\bwls\b": "",
    r"\bols\b": "",
    r"\bmint(?:_shrink)?\b": "",
    r"\bets\b": "",
    r"\barima\b": "",
    r"\bdamped\b": "",
    r"\bdrift\b": "",
}


def decimals_for_step(step: float) -> int:
    """Decimal places needed to tell ticks ``step`` apart: 0 for a step of 1 or more, 1 for
    0.1-0.9, 2 for 0.01-0.09, ... (at most 6)."""
    if not math.isfinite(step) or step <= 0 or step >= 1:
        return 0
    return min(6, max(0, math.ceil(-math.log10(step) - 1e-9)))


def no_negative_zero(text: str) -> str:
    """"-0", "-0.0", "-£0.0m" read as zero: drop the sign."""
    if text.startswith("-") and not re.search(r"[1-9]", text):
        return text[1:]
    if text.startswith("\u2212") and not re.search(r"[1-9]", text):
        return text[1:]
    return text


def format_count(value: float, step: float = 1.0) -> str:
    """A count tick: thousands separated, just enough decimals for ``step``, no "-0"."""
    decimals = decimals_for_step(step)
    return no_negative_zero(f"{value:,.{decimals}f}")


def format_money_m(value: float, step: float = 1e6) -> str:
    """A money tick in pounds million: "£1.2m", "-£0.35m", "£0m"; decimals follow ``step``."""
    decimals = decimals_for_step(abs(step) / 1e6)
    text = f"{abs(value) / 1e6:,.{decimals}f}"
    sign = "-" if value < 0 and re.search(r"[1-9]", text) else ""
    return f"{sign}£{text}m"


def format_percent(value: float, step: float = 1.0) -> str:
    """A percentage tick (the value already in per cent): "12%", "0.5%", no "-0%"."""
    return no_negative_zero(f"{value:,.{decimals_for_step(step)}f}") + "%"


def _step(axis) -> float:
    ticks = [t for t in axis.get_majorticklocs() if math.isfinite(t)]
    if len(ticks) < 2:
        return 1.0
    return min(abs(b - a) for a, b in zip(ticks, ticks[1:]) if b != a) if len(set(ticks)) > 1 else 1.0


def count_axis(axes: Axes, which: str = "y") -> None:
    """Ticks for counts of children, places or requests: whole numbers where the range allows
    (so a chart of 0-3 children shows 0, 1, 2, 3), thousands separated, never "-0"."""
    axis = axes.yaxis if which == "y" else axes.xaxis
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], integer=_integer_range(axes, which)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_count(v, _step(axis))))


def money_axis(axes: Axes, which: str = "y") -> None:
    """Ticks in pounds million ("£12.5m"), at a step in round numbers of pounds."""
    axis = axes.yaxis if which == "y" else axes.xaxis
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_money_m(v, _step(axis))))


def percent_axis(axes: Axes, which: str = "y") -> None:
    """Ticks for values already in per cent: "40%", never "-0%"."""
    axis = axes.yaxis if which == "y" else axes.xaxis
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_percent(v, _step(axis))))


def _integer_range(axes: Axes, which: str) -> bool:
    low, high = axes.get_ylim() if which == "y" else axes.get_xlim()
    return abs(high - low) >= 2


def is_money(units: str) -> bool:
    """True when an axis label names pounds (``GBP`` or ``£``)."""
    return "GBP" in units or "£" in units


def value_axis(axes: Axes, units: str, which: str = "y") -> None:
    """Choose the tick style from the units: money in £m, per cent, or a count."""
    if is_money(units):
        money_axis(axes, which)
    elif units.strip().startswith("%") or "per cent" in units:
        percent_axis(axes, which)
    else:
        count_axis(axes, which)


def money_units(units: str) -> str:
    """The axis label for money once ticks are in millions: "GBP, 2025-26 prices" ->
    "£ million, 2025-26 prices"."""
    text = re.sub(r"^\s*(GBP|£)\s*,?\s*", "", units)
    return "£ million" + (f", {text}" if text else "")


def plain_title(text: str) -> str:
    """A title without method jargon (model names such as "naive" or "reconciled wls"),
    bracketed remains or doubled spaces."""
    out = text
    for pattern, replacement in JARGON.items():
        out = re.sub(pattern, replacement, out, flags=re.IGNORECASE)
    out = re.sub(r"\(\s*[,;]*\s*\)", "", out)
    out = re.sub(r"\s*,\s*(,\s*)+", ", ", out)
    out = re.sub(r"\s{2,}", " ", out).strip(" ,;")
    return out


def wrap_title(text: str, figure: Figure, fontsize: float = TITLE_SIZE) -> str:
    """Wrap ``text`` so that each line fits the figure's width at ``fontsize`` (an average
    character is about 0.55 of the font size wide in the default sans-serif)."""
    width_points = figure.get_figwidth() * 72 * 0.92
    per_line = max(20, int(width_points / (0.55 * fontsize)))
    return "\n".join(textwrap.wrap(text, per_line)) or text


def title(axes: Axes, text: str, fontsize: float = TITLE_SIZE) -> None:
    """A plain-English title, wrapped to fit, left-aligned above the axes."""
    axes.set_title(wrap_title(plain_title(text), axes.figure, fontsize), fontsize=fontsize, loc="left")


def legend_below(axes: Axes, handles=None, labels=None, *, columns: int = 2) -> None:
    """The legend under the axes, outside the data, in ``columns`` columns."""
    if handles is None:
        handles, labels = axes.get_legend_handles_labels()
    if not handles:
        return
    axes.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=columns, frameon=False,
                fontsize=8)


def source_note(figure: Figure, source: str) -> None:
    """"Source: ..." in small grey type at the figure's bottom left."""
    figure.text(0.01, 0.005, f"Source: {source}", fontsize=7, color="grey", ha="left", va="bottom")


def bars_from_zero(axes: Axes) -> None:
    """Make sure the value axis of a bar chart includes zero (bars are never truncated)."""
    low, high = axes.get_ylim()
    axes.set_ylim(min(low, 0.0), max(high, 0.0))


def finish(figure: Figure) -> Figure:
    """Lay the figure out so the title, the legend below and the source all fit."""
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    return figure
