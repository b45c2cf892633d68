"""Write a forecast into a run folder, and say it in plain English.

Files for one LA (:func:`write_la_forecast`): ``forecast.csv`` (the contract columns),
``bands.csv`` (with the 50% band), ``history.csv``, ``backtest.csv`` (this LA's own
backtest), ``backtest_summary.csv`` (the chosen methods' national record),
``sufficiency.csv``, ``costs.csv``, ``warnings.txt`` and fan charts ``fan_<measure>.png``
for the total and every placement group, plus ``sufficiency.png``.
:func:`summary_lines` gives the short summary the CLI prints.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from sendcast import atomic
from sendcast.charts import fan_chart, sufficiency_chart
from sendcast.forecasting import LaForecast, measure_label
from sendcast.measures import PLACEMENT_GROUPS
from sendcast.runs import Run

SOURCE = "DfE SEN2 (EHC plans), LAIT school census; sendcast forecast"
CHART_MEASURES: tuple[str, ...] = ("ehcp_total", *PLACEMENT_GROUPS)


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
    written = []
    for measure in CHART_MEASURES:
        bands = result.bands[result.bands["measure"] == measure].set_index("year")
        if bands.empty:
            continue
        history = result.history[result.history["measure"] == measure].set_index("year")["value"]
        label, unit = measure_label(measure)
        model = result.models.get(measure, "")
        figure = fan_chart(history, bands, title=f"{result.la_name}: {label}, January census\n"
                           f"forecast ({model}; 50/80/95% intervals)", units=unit, source=SOURCE)
        name = f"{prefix}fan_{measure}.png"
        figure.savefig(run.path(name))
        plt.close(figure)
        written.append(name)
    if not result.sufficiency.empty:
        table = result.sufficiency.set_index("year")
        figure = sufficiency_chart(table, title=f"{result.la_name}: demand for state special places against places"
                                   ", January census", source=SOURCE + "; places: data/capacity file (see its "
                                   "confidence column)")
        name = f"{prefix}sufficiency.png"
        figure.savefig(run.path(name))
        plt.close(figure)
        written.append(name)
    return written


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
                         f"GBP {last['spend_gbp_mean'] / 1e6:,.1f}m at 2021-22 prices "
                         f"(80% interval {last['spend_gbp_lo80'] / 1e6:,.1f}-{last['spend_gbp_hi80'] / 1e6:,.1f}m)")
    record = result.backtest_summary
    total = record[(record["measure"] == "ehcp_total") & (record["horizon"] == 3)] if not record.empty else record
    if not total.empty:
        row = total.iloc[0]
        lines.append(f"  Track record ({row['model']}, EHC plans, 3 years ahead, {int(row['n_series'])} LAs): "
                     f"typically {row['median_mape']:.1f}% out, MASE {row['relative_mase']:.2f} x drift; "
                     f"calibrated 80% intervals held {row['coverage80_calibrated']:.0%} of outcomes in LAs "
                     "they were not fitted to.")
    return lines
