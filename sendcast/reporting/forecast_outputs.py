"""Write a forecast into a run folder, and say it in plain English.

Files for one LA (:func:`write_la_forecast`): ``forecast.csv`` (the contract columns),
``bands.csv`` (with the 50% band), ``history.csv``, ``backtest.csv`` (this LA's own
backtest), ``backtest_summary.csv`` (the chosen methods' national record),
``sufficiency.csv``, ``costs.csv``, ``warnings.txt`` and fan charts ``fan_<measure>.png``
for the total and every placement group, plus ``sufficiency.png``.
:func:`summary_lines` gives the short summary the CLI prints.

Beside its statistical neighbours (:func:`write_neighbours`): ``neighbours.csv`` (the tidy
comparison, index: each area's latest January = 100), ``neighbours_used.csv`` (the DfE list,
who was used and why not) and ``neighbours_ehcp_total.png``; :func:`neighbour_lines` says it
in words.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sendcast.reporting.display import format_money
from sendcast.runtime import atomic
from sendcast.reporting.charts import fan_chart, neighbour_forecast_chart, sufficiency_chart
from sendcast.forecasting.one_la import LaForecast, measure_label
from sendcast.data.measures import PLACEMENT_GROUPS
from sendcast.forecasting.neighbours import NeighbourComparison
from sendcast.runtime.runs import Run

SOURCE = "DfE SEN2 (EHC plans), LAIT school census; sendcast forecast"
CHART_MEASURES: tuple[str, ...] = ("ehcp_total", *PLACEMENT_GROUPS)
FLOW_MEASURES: tuple[str, ...] = ("requests", "new_plans")


def write_la_forecast(run: Run, result: LaForecast, *, prefix: str = "", charts: bool = True) -> list[str]:
    """Write ``result``'s tables (and charts) into ``run``; returns the file names."""
    written = []
    tables = {"forecast.csv": result.forecast, "bands.csv": result.bands, "history.csv": result.history,
              "backtest.csv": result.backtest, "backtest_summary.csv": result.backtest_summary,
              "sufficiency.csv": result.sufficiency, "costs.csv": result.costs}
    for name, table in tables.items():
        atomic.write_csv(run.path(prefix + name), table)
        written.append(prefix + name)
    atomic.write_text(run.path(prefix + "warnings.txt"), "".join(f"{w}\n" for w in result.warnings))
    written.append(prefix + "warnings.txt")
    if charts:
        written += write_charts(run, result, prefix=prefix)
    return written


def write_charts(run: Run, result: LaForecast, *, prefix: str = "") -> list[str]:
    """Fan charts for the total and each placement group, and the sufficiency chart."""
    written: list[str] = []
    for measure in CHART_MEASURES:
        _save_figure(run, fan_figure(result, measure), f"{prefix}fan_{measure}.png", written)
    _save_figure(run, sufficiency_figure(result), f"{prefix}sufficiency.png", written)
    return written


def _save_figure(run: Run, figure: Figure | None, name: str, written: list[str]) -> None:
    """Save ``figure`` (if there is one) as ``name`` in ``run``, close it and list the name in ``written``."""
    if figure is None:
        return
    figure.savefig(run.path(name))
    plt.close(figure)
    written.append(name)


def fan_figure(result: LaForecast, measure: str, past: pd.DataFrame | None = None) -> Figure | None:
    """The fan chart of one forecast measure (history and 50/80/95% bands); None if the
    forecast has no such measure. Caseloads by January census, flows by calendar year.
    ``past``: the track-record line to draw over the history
    (:func:`sendcast.forecasting.past_forecasts.past_forecasts`)."""
    bands = result.bands[result.bands["measure"] == measure].set_index("year")
    if bands.empty:
        return None
    history = result.history[result.history["measure"] == measure].set_index("year")["value"]
    label, unit = measure_label(measure)
    basis = "calendar year" if measure in FLOW_MEASURES else "January census"
    return fan_chart(history, bands, title=f"{result.la_name}: {label}, {basis}, forecast from the "
                     "published trend (50/80/95% intervals)", units=unit, source=SOURCE, past=past)


def sufficiency_figure(result: LaForecast) -> Figure | None:
    """Demand for state special places against places (None without a capacity file)."""
    if result.sufficiency.empty:
        return None
    table = result.sufficiency.set_index("year")
    return sufficiency_chart(table, title=f"{result.la_name}: demand for state special places against places"
                             ", January census", source=SOURCE + "; places: data/capacity file (see its "
                             "confidence column)")


def _interval(row: pd.Series, unit: str) -> str:
    if "percent" in unit:
        return f"{row['mean']:.1f}% (80% interval {row['lo80']:.1f}-{row['hi80']:.1f}%)"
    return f"{row['mean']:,.0f} (80% interval {row['lo80']:,.0f}-{row['hi80']:,.0f})"


def summary_lines(result: LaForecast) -> list[str]:
    """A few plain-English lines: the total and state special demand at the horizon,
    the first year demand likely exceeds places, spend, and the method's track record."""
    lines = [f"{result.la_name} ({result.la_code}): forecast from January {result.last_year}"
             + (f" (data after {result.until} dropped)" if result.until is not None else "")]
    if result.forecast.empty:
        lines.append("Nothing could be forecast; see the notes.")
        return lines
    for measure in ("ehcp_total", "ehcp_state_special", "ehcp_independent_special", "requests", "new_plans",
                    "sen_support_pct"):
        rows = result.forecast[result.forecast["measure"] == measure]
        if rows.empty:
            continue
        last = rows.iloc[-1]
        label, unit = measure_label(measure)
        when = f"calendar {int(last['year'])}" if measure in ("requests", "new_plans") else \
            f"January {int(last['year'])}"
        lines.append(f"  {label}, {when}: {_interval(last, unit)}")
    if not result.sufficiency.empty:
        if result.first_year_over is None:
            lines.append("  State special demand is not likely (chance above 50%) to exceed places within "
                         f"{result.horizon} years.")
        else:
            row = result.sufficiency.set_index("year").loc[result.first_year_over]
            lines.append(f"  State special demand likely exceeds places from January {result.first_year_over}: "
                         f"{row['mean']:,.0f} expected against {row['capacity']:,.0f} places "
                         f"(chance {row['prob_exceeds']:.0%}).")
    if not result.costs.empty:
        total = result.costs[(result.costs["placement_group"] == "total_costed")
                             & (result.costs["price_basis"] == "real")]
        if not total.empty:
            last = total.iloc[-1]
            lines.append(f"  High-needs spend on costed placements, {last['financial_year']}: "
                         f"{format_money(last['spend_gbp_mean'])} at {result.price_base} prices "
                         f"(80% interval {format_money(last['spend_gbp_lo80'])} to "
                         f"{format_money(last['spend_gbp_hi80'])})")
    record = result.backtest_summary
    total = record[(record["measure"] == "ehcp_total") & (record["horizon"] == 3)] if not record.empty else record
    if not total.empty:
        row = total.iloc[0]
        lines.append(f"  Track record (real-time backtest, EHC plans, 3 years ahead, {int(row['n_series'])} LAs, origins "
                     f"{int(row['first_origin'])}-{int(row['last_origin'])}): typically {row['median_ape_pct']:.1f}% out, "
                     f"MASE {row['relative_mase']:.2f} x the five-year straight line, median bias "
                     f"{row['median_bias_pct']:+.1f}%; 80% intervals held {row['coverage80']:.0%} of outcomes "
                     f"(median width {row['median_width80_pct']:.0f}% of the forecast), 95% intervals "
                     f"{row['coverage95']:.0%}.")
    return lines


NEIGHBOURS_SOURCE = "DfE SEN2 (EHC plans); DfE statistical neighbours (LAIT, May 2025); sendcast forecast"


def neighbour_figure(comparison: NeighbourComparison, measure: str = "ehcp_total") -> Figure | None:
    """The LA against its neighbours for ``measure``, or None when there is nothing to draw."""
    table = comparison.table[comparison.table["measure"] == measure].set_index("year")
    if table.empty:
        return None
    label, _ = measure_label(measure)
    base_year = int(table["base_year"].iloc[0])
    return neighbour_forecast_chart(
        table, la_name=comparison.la_name,
        title=f"{comparison.la_name} beside its statistical neighbours: {label.split(' (')[0]}\n"
              f"January census; index, each area's own January {base_year} = 100",
        units=f"index (January {base_year} = 100)", source=NEIGHBOURS_SOURCE)


def write_neighbours(run: Run, comparison: NeighbourComparison, *, prefix: str = "") -> list[str]:
    """Write the comparison's tables and, when there is one, its chart into ``run``."""
    atomic.write_csv(run.path(prefix + "neighbours.csv"), comparison.table)
    atomic.write_csv(run.path(prefix + "neighbours_used.csv"), comparison.neighbours)
    written = [prefix + "neighbours.csv", prefix + "neighbours_used.csv"]
    _save_figure(run, neighbour_figure(comparison), f"{prefix}neighbours_ehcp_total.png", written)
    return written


def neighbour_lines(comparison: NeighbourComparison, *, lookback: int = 5) -> list[str]:
    """Plain-English lines: where the LA's EHC plans stood ``lookback`` years before the
    latest January and where they are forecast to be at the horizon, each against the
    neighbours' median and range, with the neighbours left out."""
    total = comparison.table[comparison.table["measure"] == "ehcp_total"].set_index("year")
    if total.empty:
        return [note.replace("statistical neighbours: ", "Statistical neighbours: ", 1) for note in comparison.notes]
    base_year = int(total["base_year"].iloc[0])
    used = int(comparison.neighbours["used"].sum())
    lines = [f"EHC plans beside {comparison.la_name}'s {used} statistical neighbours (DfE list), as an index: each "
             f"area's own January {base_year} = 100."]
    earlier = total[(total["kind"] == "history") & (total.index <= base_year - lookback)]
    if not earlier.empty:
        year = int(earlier.index.max())
        row = earlier.loc[year]
        lines.append(f"Published, January {year}: {comparison.la_name} {row['value']:.0f} (its plans have grown "
                     f"{100 / row['value'] - 1:.0%} since), neighbours' median {row['neighbours_median']:.0f} "
                     f"(lowest {row['neighbours_min']:.0f}, highest {row['neighbours_max']:.0f}).")
    last = total[total["kind"] == "forecast"]
    if not last.empty:
        year = int(last.index.max())
        row = last.loc[year]
        lines.append(f"Forecast, January {year}: {comparison.la_name} {row['value']:.0f} ({row['plans']:,.0f} plans, "
                     f"central forecast); neighbours' central forecasts: median {row['neighbours_median']:.0f}, "
                     f"lowest {row['neighbours_min']:.0f}, highest {row['neighbours_max']:.0f} "
                     f"({int(row['n_neighbours'])} neighbours). The neighbours' range is the spread of their central "
                     "forecasts, not a prediction interval.")
    left_out = comparison.neighbours[~comparison.neighbours["used"].astype(bool)]
    if not left_out.empty:
        lines.append("Left out: " + "; ".join(f"{r['la_name']} ({r['reason']})" for _, r in left_out.iterrows())
                     + ".")
    return lines
