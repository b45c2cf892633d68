"""Charts for comparing scenarios: one function per chart, each returning a Figure.

- :func:`scenario_chart`: one measure over time, each scenario's mean with its 95% range of
  outcomes as a band (from a tidy summary);
- :func:`difference_chart`: an option minus the baseline with the 95% confidence interval
  for the mean difference, and a zero line;
- :func:`cost_waterfall`: how the option changes total spend over the run, component by
  component, from the baseline's total to the option's;
- :func:`sweep_chart`: an outcome against one lever (a line per value of a second lever).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sendcast.reporting import charts
from sendcast.reporting.charts import plt, style_axes

PALETTE = ("#000000", "#1f5fa8", "#d9730d", "#2e8b57", "#8b3a8b", "#b22222")


def scenario_chart(summary: pd.DataFrame, *, measure: str, breakdown: str = "", scenarios: Sequence[str],
                   title: str, units: str, source: str) -> Figure:
    """One measure for each scenario from a tidy summary (``scenario, measure, breakdown,
    year, mean, lo95, hi95``): :func:`sendcast.reporting.charts.scenario_chart` without history."""
    rows = summary[(summary["measure"] == measure) & (summary["breakdown"] == breakdown)]
    frames = {name: rows[rows["scenario"] == name].set_index("year").sort_index()[["mean", "lo95", "hi95"]]
              for name in scenarios if (rows["scenario"] == name).any()}
    return charts.scenario_chart(pd.Series(dtype=float), frames, title=title, units=units, source=source)


def difference_chart(differences: pd.DataFrame, *, measure: str, breakdown: str = "", option: str,
                     title: str, units: str, source: str) -> Figure:
    """An option minus the baseline (``differences`` rows whose ``scenario`` starts with
    ``option``), mean and 95% confidence interval for the mean, with a zero line."""
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
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
    axes.legend(loc="best", frameon=False, fontsize=8)
    figure.tight_layout()
    return figure


def cost_waterfall(baseline_total: float, changes: pd.Series, *, title: str, units: str, source: str) -> Figure:
    """From the baseline's total spend, one bar per component change (``changes`` indexed by
    component, option minus baseline; rises red, falls green) to the option's total."""
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    labels = ["baseline"] + [str(c).replace("_", " ") for c in changes.index] + ["option"]
    level = baseline_total
    axes.bar(0, baseline_total, color="#555555")
    for position, change in enumerate(changes.to_numpy(dtype=float), start=1):
        bottom = level if change >= 0 else level + change
        axes.bar(position, abs(change), bottom=bottom, color="#b22222" if change > 0 else "#2e8b57")
        level += change
    axes.bar(len(labels) - 1, level, color=PALETTE[1])
    style_axes(axes, title=title, units=units, source=source)
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
    axes.set_xlabel("")
    spread = max(abs(changes).sum(), 1.0)
    axes.set_ylim(max(0.0, min(baseline_total, level) - 2 * spread), max(baseline_total, level) + spread)
    figure.tight_layout()
    return figure


def sweep_chart(table: pd.DataFrame, *, x: str, outcome: str, line: str | None = None, title: str,
                units: str, x_label: str, source: str) -> Figure:
    """``table``: one row per grid point with columns ``x``, ``line`` (optional) and
    ``<outcome>_mean``, ``<outcome>_lo95``, ``<outcome>_hi95``."""
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
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
    if line is not None:
        axes.legend(loc="best", frameon=False, fontsize=8)
    figure.tight_layout()
    return figure
