"""Charts for comparing scenarios: one function per chart, each returning a Figure.

- :func:`scenario_chart`: one measure over time, each scenario's mean with its 95% range of
  outcomes as a band (from a tidy summary);
- :func:`difference_chart`: an option minus the baseline with the 95% confidence interval
  for the mean difference, and a zero line;
- :func:`cost_waterfall`: how the option changes total spend over the run, component by
  component, drawn as differences from zero (never a truncated axis of totals);
- :func:`sweep_chart`: an outcome against one lever (a line per value of a second lever).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sendcast.reporting import chart_style, charts
from sendcast.reporting.charts import new_figure, style_axes
from sendcast.reporting.display import format_money

PALETTE = ("#000000", "#1f5fa8", "#d9730d", "#2e8b57", "#8b3a8b", "#b22222")


def scenario_chart(summary: pd.DataFrame, *, measure: str, breakdown: str = "", scenarios: Sequence[str],
                   title: str, units: str, source: str) -> Figure:
    """One measure for each scenario from a tidy summary (``scenario, measure, breakdown,
    year, mean, lo95, hi95``): :func:`sendcast.reporting.charts.scenarios_with_history_chart`
    without history."""
    rows = summary[(summary["measure"] == measure) & (summary["breakdown"] == breakdown)]
    frames = {name: rows[rows["scenario"] == name].set_index("year").sort_index()[["mean", "lo95", "hi95"]]
              for name in scenarios if (rows["scenario"] == name).any()}
    return charts.scenarios_with_history_chart(pd.Series(dtype=float), frames, title=title, units=units, source=source)


def difference_chart(differences: pd.DataFrame, *, measure: str, breakdown: str = "", option: str,
                     title: str, units: str, source: str) -> Figure:
    """An option minus the baseline (``differences`` rows whose ``scenario`` starts with
    ``option``), mean and 95% confidence interval for the mean, with a zero line."""
    figure, axes = new_figure()
    rows = differences[(differences["measure"] == measure) & (differences["breakdown"] == breakdown)
                       & differences["scenario"].str.startswith(f"{option} - ")].sort_values("year")
    axes.axhline(0, color="grey", linewidth=1)
    axes.fill_between(rows["year"], rows["lo95"], rows["hi95"], color=PALETTE[1], alpha=0.25, linewidth=0,
                      label="95% confidence interval")
    axes.plot(rows["year"], rows["mean"], color=PALETTE[1], linewidth=2, marker="o", markersize=3,
              label=f"{option} minus baseline")
    style_axes(axes, title=title, units=units, source=source)
    axes.set_ylim(auto=True)
    low = float(np.nanmin([rows["lo95"].min(), 0.0])) if len(rows) else 0.0
    high = float(np.nanmax([rows["hi95"].max(), 0.0])) if len(rows) else 1.0
    pad = 0.08 * max(high - low, 1.0)
    axes.set_ylim(low - pad, high + pad)
    chart_style.value_axis(axes, units)
    chart_style.legend_below(axes)
    return chart_style.finish(figure)


def cost_waterfall(baseline_total: float, changes: pd.Series, *, title: str, units: str, source: str) -> Figure:
    """How an option changes spend over the run, as differences only: one bar per component
    (``changes``, option minus baseline, indexed by component; rises red, falls green) stacked
    from zero, then the net change. The axis is in £m and always includes zero, so a 2%
    change looks like 2% of nothing else: the baseline's total is said in the title, not
    drawn as a tall bar with a cut axis."""
    figure, axes = new_figure()
    labels = [str(c).replace("_", " ") for c in changes.index] + ["net change"]
    level = 0.0
    for position, change in enumerate(changes.to_numpy(dtype=float)):
        bottom = level if change >= 0 else level + change
        axes.bar(position, abs(change), bottom=bottom, color="#b22222" if change > 0 else "#2e8b57", width=0.6)
        level += change
    axes.bar(len(labels) - 1, level, color=_net_colour(level), width=0.6)
    axes.axhline(0, color="grey", linewidth=1)
    if baseline_total:
        share = 100 * level / baseline_total
        title = (f"{title} (baseline over the run {format_money(baseline_total)}; net change "
                 f"{'+' if level > 0 else ''}{format_money(level)}, {share:+.1f}%)")
    style_axes(axes, title=title, units=units, source=source, x_label="")
    axes.set_ylim(auto=True)
    axes.relim()
    axes.autoscale_view()
    chart_style.bars_from_zero(axes)
    chart_style.value_axis(axes, units)
    axes.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=8)
    return chart_style.finish(figure)


def _net_colour(level: float) -> str:
    """The net-change bar: red when spend rises, green when it falls."""
    return "#b22222" if level > 0 else "#2e8b57"


def sweep_chart(table: pd.DataFrame, *, x: str, outcome: str, line: str | None = None, title: str,
                units: str, x_label: str, source: str) -> Figure:
    """``table``: one row per grid point with columns ``x``, ``line`` (optional) and
    ``<outcome>_mean``, ``<outcome>_lo95``, ``<outcome>_hi95``."""
    figure, axes = new_figure()
    groups = [(None, table)] if line is None else list(table.groupby(line, sort=True))
    for colour, (value, rows) in zip(PALETTE[1:] * 4, groups):
        rows = rows.sort_values(x)
        label = None if value is None else f"{line.split('.')[-1].replace('_', ' ')} = {value:g}"
        axes.fill_between(rows[x], rows[f"{outcome}_lo95"], rows[f"{outcome}_hi95"], color=colour, alpha=0.15,
                          linewidth=0)
        axes.plot(rows[x], rows[f"{outcome}_mean"], color=colour, linewidth=2, marker="o", markersize=4, label=label)
    axes.axhline(0, color="grey", linewidth=1)
    style_axes(axes, title=title, units=units, source=source)
    axes.set_xlabel(x_label)
    axes.xaxis.set_major_locator(MaxNLocator(8))
    axes.set_ylim(auto=True)
    axes.relim()
    axes.autoscale_view()
    chart_style.value_axis(axes, units)
    chart_style.count_axis(axes, "x")
    if line is not None:
        chart_style.legend_below(axes)
    return chart_style.finish(figure)
