"""Charts for planners and commissioners: one function per chart, each returning a Figure.

Fan charts show the 50%, 80% and 95% prediction intervals as nested bands, history in
black, and a title that states the units and the source.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sendcast.reporting import chart_style

BAND_COLOUR = "#1f5fa8"


def new_figure(height: float | None = None) -> tuple[Figure, object]:
    """A figure not held by pyplot (nothing to close, no backend chosen) and its axes, at the
    house size. In a notebook a returned figure shows inline; the command saves it to a file."""
    width, default = chart_style.FIGURE_SIZE
    figure = Figure(figsize=(width, height or default), dpi=chart_style.DPI)
    return figure, figure.subplots()


def fan_chart(history: pd.Series, forecast: pd.DataFrame, *, title: str, units: str, source: str,
              past: pd.DataFrame | None = None) -> Figure:
    """History (black line) and forecast bands.

    ``forecast`` is indexed by year with columns ``mean``, ``lo95``, ``hi95``, ``lo80``,
    ``hi80`` and, when available, ``lo50``, ``hi50``. ``past`` (optional): the track-record
    line, earlier forecasts of published years (``year``, ``forecast``, ``lo80``, ``hi80``,
    :func:`sendcast.forecasting.past_forecasts.past_forecasts`), drawn as dashed orange points
    with their 80% intervals as whiskers over the black history.
    """
    figure, axes = new_figure()
    years = forecast.index.to_numpy()
    bands = [("95", 0.18), ("80", 0.3), ("50", 0.45)]
    for level, alpha in bands:
        low, high = f"lo{level}", f"hi{level}"
        if low in forecast and high in forecast:
            axes.fill_between(years, forecast[low], forecast[high], color=BAND_COLOUR, alpha=alpha,
                              linewidth=0, label=f"{level}% interval")
    axes.plot(years, forecast["mean"], color=BAND_COLOUR, linewidth=2, label="forecast (central)")
    axes.plot(history.index, history.to_numpy(), color="black", linewidth=2, marker="o", markersize=3,
              label="published")
    if len(history):
        axes.plot([history.index[-1], years[0]], [history.iloc[-1], forecast["mean"].iloc[0]],
                  color=BAND_COLOUR, linewidth=1, linestyle=":")
    if past is not None and len(past):
        track_record_line(axes, past)
    style_axes(axes, title=title, units=units, source=source)
    chart_style.legend_below(axes)
    return chart_style.finish(figure)


PAST_COLOUR = "#d95f02"


def track_record_line(axes, past: pd.DataFrame) -> None:
    """Earlier forecasts of published years on ``axes`` (columns ``year``, ``horizon``,
    ``forecast``, ``lo80``, ``hi80``): a dashed line through each central forecast and whiskers
    for its 80% interval (none where the forecast had no interval)."""
    central = past["forecast"].to_numpy(dtype=float)
    below = np.nan_to_num(central - past["lo80"].to_numpy(dtype=float)).clip(min=0)
    above = np.nan_to_num(past["hi80"].to_numpy(dtype=float) - central).clip(min=0)
    ahead = int(past["horizon"].iloc[0])
    when = "a year" if ahead == 1 else f"{ahead} years"
    axes.errorbar(past["year"].to_numpy(), central, yerr=[below, above], color=PAST_COLOUR, linestyle="--",
                  linewidth=1.2, marker="o", markersize=3.5, capsize=2.5, elinewidth=1,
                  label=f"forecast made {when} earlier, with its 80% interval")


def sufficiency_chart(table: pd.DataFrame, *, title: str, source: str) -> Figure:
    """Demand for state special places (central and 80% band) against places, with the
    probability that demand exceeds places on a second axis.

    ``table`` is indexed by year with ``mean``, ``lo80``, ``hi80``, ``capacity`` and
    ``prob_exceeds``.
    """
    figure, axes = new_figure()
    years = table.index.to_numpy()
    axes.fill_between(years, table["lo80"], table["hi80"], color=BAND_COLOUR, alpha=0.25, linewidth=0,
                      label="demand, 80% interval")
    axes.plot(years, table["mean"], color=BAND_COLOUR, linewidth=2, label="demand (central)")
    axes.step(years, table["capacity"], where="mid", color="#b22222", linewidth=2, label="places listed (capacity file)")
    style_axes(axes, title=title, units="children and young people / places", source=source)
    second = axes.twinx()
    second.plot(years, 100 * table["prob_exceeds"], color="grey", linestyle="--", marker="s", markersize=3,
                label="chance demand exceeds places")
    second.set_ylim(0, 105)  # a chance of 100% stays visible above the frame's top edge
    second.set_yticks(range(0, 101, 20))
    second.set_ylabel("chance demand exceeds places")
    chart_style.percent_axis(second)
    lines = axes.get_legend_handles_labels()
    extra = second.get_legend_handles_labels()
    chart_style.legend_below(axes, lines[0] + extra[0], lines[1] + extra[1])
    return chart_style.finish(figure)


def context_chart(table: pd.DataFrame, *, la_name: str, title: str, units: str, source: str) -> Figure:
    """An LA (black) against England (dashed) and its statistical neighbours (median line
    and min-max band). ``table`` comes from :func:`sendcast.forecasting.context.neighbour_comparison`."""
    figure, axes = new_figure()
    years = table.index.to_numpy()
    axes.fill_between(years, table["neighbours_min"], table["neighbours_max"], color="#999999", alpha=0.25,
                      linewidth=0, label="statistical neighbours: range")
    axes.plot(years, table["neighbours_median"], color="#666666", linewidth=1.5, label="statistical neighbours: median")
    axes.plot(years, table["england"], color=BAND_COLOUR, linewidth=1.5, linestyle="--", label="England")
    axes.plot(years, table["la"], color="black", linewidth=2.2, marker="o", markersize=3, label=la_name)
    style_axes(axes, title=title, units=units, source=source)
    chart_style.legend_below(axes)
    return chart_style.finish(figure)


def style_axes(axes, *, title: str, units: str, source: str,
               x_label: str = "year (January census for caseloads; calendar year for flows)") -> None:
    """The house style for a chart over years: plain-English title that fits, value ticks
    chosen from ``units`` (counts, per cent, or money in £m), whole years on the x axis,
    the value axis from zero, and the source under the chart."""
    chart_style.title(axes, title)
    axes.set_ylabel(chart_style.money_units(units) if chart_style.is_money(units) else units)
    axes.set_xlabel(x_label)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    chart_style.value_axis(axes, units)
    axes.spines[["top", "right"]].set_visible(False)
    chart_style.source_note(axes.figure, source)


def national_growth_chart(summary: pd.DataFrame, *, title: str, source: str, england: str = "England") -> Figure:
    """Projected yearly growth in EHC plans by LA (central, with the 80% interval of the
    horizon-year forecast expressed as growth), sorted, England highlighted.

    ``summary`` has ``la_name``, ``growth_pct_a_year``, ``growth_lo80``, ``growth_hi80``
    (per cent a year) for the LAs to draw."""
    table = summary.sort_values("growth_pct_a_year").reset_index(drop=True)
    figure, axes = new_figure(max(4.5, 0.12 * len(table) + 1.5))
    positions = range(len(table))
    colours = ["#b22222" if name == england else BAND_COLOUR for name in table["la_name"]]
    axes.hlines(list(positions), table["growth_lo80"], table["growth_hi80"], color=colours, alpha=0.35, linewidth=2)
    axes.scatter(table["growth_pct_a_year"], list(positions), color=colours, s=8, zorder=3)
    axes.set_yticks(list(positions))
    axes.set_yticklabels(table["la_name"], fontsize=4 if len(table) > 60 else 7)
    axes.axvline(0, color="grey", linewidth=0.8)
    chart_style.title(axes, title)
    axes.set_xlabel("projected change in EHC plans, % a year (dot: central; bar: 80% interval)")
    chart_style.percent_axis(axes, "x")
    axes.spines[["top", "right"]].set_visible(False)
    chart_style.source_note(figure, source)
    return chart_style.finish(figure)


def scenarios_with_history_chart(history: pd.Series, scenarios: dict[str, pd.DataFrame], *, title: str,
                                 units: str, source: str) -> Figure:
    """Published history (black) and, for each scenario, the simulated mean (line) and its
    95% predictive band (the runs' range, widened by the model discrepancy where the run
    was: :mod:`sendcast.scenarios.discrepancy`). Each frame in ``scenarios`` is
    indexed by year with ``mean``, ``lo95`` and ``hi95``."""
    figure, axes = new_figure()
    colours = [BAND_COLOUR, "#d95f02", "#1b9e77", "#7570b3", "#e7298a"]
    for (name, frame), colour in zip(scenarios.items(), colours * 4):
        years = frame.index.to_numpy()
        axes.fill_between(years, frame["lo95"], frame["hi95"], color=colour, alpha=0.18, linewidth=0)
        axes.plot(years, frame["mean"], color=colour, linewidth=2, label=f"{name} (average; band: 95% predictive)")
    if len(history):
        axes.plot(history.index, history.to_numpy(), color="black", linewidth=2, marker="o", markersize=3,
                  label="published")
    style_axes(axes, title=title, units=units, source=source)
    chart_style.legend_below(axes)
    return chart_style.finish(figure)


def neighbour_forecast_chart(table: pd.DataFrame, *, la_name: str, title: str, units: str, source: str) -> Figure:
    """An LA's published figures (black) and central forecast (blue) against its statistical
    neighbours' median (grey line) and range, lowest to highest (grey band), published and
    forecast (the forecast years shaded lighter and the median dashed).

    ``table`` is one measure of :attr:`sendcast.forecasting.neighbours.NeighbourComparison.table`
    indexed by year, with ``kind``, ``value``, ``neighbours_median``, ``neighbours_min``,
    ``neighbours_max`` and ``base_year``."""
    figure, axes = new_figure()
    history = table[table["kind"] == "history"]
    base_year = int(table["base_year"].iloc[0])
    # the forecast part starts at the base year so the lines join
    ahead = table[table.index >= base_year]
    axes.fill_between(history.index, history["neighbours_min"], history["neighbours_max"], color="#999999",
                      alpha=0.3, linewidth=0, label="neighbours: lowest to highest (published)")
    axes.fill_between(ahead.index, ahead["neighbours_min"], ahead["neighbours_max"], color="#999999", alpha=0.15,
                      linewidth=0, label="neighbours: lowest to highest central forecast")
    axes.plot(history.index, history["neighbours_median"], color="#666666", linewidth=1.5,
              label="neighbours: median")
    axes.plot(ahead.index, ahead["neighbours_median"], color="#666666", linewidth=1.5, linestyle="--")
    axes.plot(ahead.index, ahead["value"], color=BAND_COLOUR, linewidth=2.2, label=f"{la_name}: central forecast")
    axes.plot(history.index, history["value"], color="black", linewidth=2.2, marker="o", markersize=3,
              label=f"{la_name}: published")
    axes.axhline(100, color="grey", linewidth=0.6, linestyle=":")
    axes.axvline(base_year, color="grey", linewidth=0.6, linestyle=":")
    style_axes(axes, title=title, units=units, source=source)
    chart_style.legend_below(axes)
    return chart_style.finish(figure)


def national_per_1000_chart(summary: pd.DataFrame, *, title: str, source: str, assumption: str,
                            england: str = "England") -> Figure:
    """EHC plans per 1,000 residents aged 0-25 by LA: published (open circle) and projected at
    the horizon (dot, with the 80% interval as a bar), sorted by the projection, England in
    red. ``assumption`` (how the figures were made) is printed under the title. Bars are cut
    at twice the highest central projection, with an arrow (the full figures are in the
    summary table).

    ``summary`` has ``la_name``, ``ehcp_per_1000_latest``, ``ehcp_per_1000_projected``,
    ``ehcp_per_1000_lo80`` and ``ehcp_per_1000_hi80`` for the LAs to draw."""
    table = summary.sort_values("ehcp_per_1000_projected").reset_index(drop=True)
    height = max(5.0, 0.1 * len(table) + 2.2)
    figure = Figure(figsize=(8, height), dpi=chart_style.DPI)
    axes = figure.subplots()
    figure.subplots_adjust(left=0.24, right=0.97, top=1 - 1.15 / height, bottom=1.05 / height)
    positions = list(range(len(table)))
    colours = ["#b22222" if name == england else BAND_COLOUR for name in table["la_name"]]
    edge = 2 * float(table[["ehcp_per_1000_projected", "ehcp_per_1000_latest"]].max().max())
    high = table["ehcp_per_1000_hi80"].clip(upper=edge)
    axes.hlines(positions, table["ehcp_per_1000_lo80"], high, color=colours, alpha=0.35, linewidth=2,
                label="projected, 80% interval")
    cut = table["ehcp_per_1000_hi80"] > edge
    if cut.any():
        axes.scatter(high[cut], [p for p, c in zip(positions, cut) if c], marker=">", color="grey", s=8,
                     label="interval runs beyond the chart")
    axes.scatter(table["ehcp_per_1000_projected"], positions, color=colours, s=8, zorder=3,
                 label="projected (central)")
    axes.scatter(table["ehcp_per_1000_latest"], positions, facecolors="none", edgecolors=colours, s=10,
                 linewidths=0.6, zorder=3, label="published (latest January)")
    axes.set_yticks(positions)
    axes.set_yticklabels(table["la_name"], fontsize=4 if len(table) > 60 else 7)
    axes.set_ylim(-1, len(table))
    axes.set_xlim(0, edge * 1.02)
    axes.set_xlabel("EHC plans per 1,000 residents aged 0-25")
    chart_style.count_axis(axes, "x")
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(*axes.get_legend_handles_labels(), loc="lower right", ncol=2, frameon=False, fontsize=7,
                  bbox_to_anchor=(0.97, 0.05 / height))
    figure.text(0.01, 1 - 0.1 / height, chart_style.plain_title(title), fontsize=11, va="top")
    figure.text(0.01, 1 - 0.55 / height, textwrap.fill(f"{assumption}.", 125), fontsize=6.5,
                color="#444444", va="top")
    figure.text(0.01, 0.08 / height, f"Source: {source}", fontsize=7, color="grey")
    return figure
