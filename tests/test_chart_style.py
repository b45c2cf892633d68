"""The chart style on the edge cases people saw: "0 0 0 0" and "-0" ticks on small counts,
raw pounds and truncated bar axes on the cost waterfall, jargon and clipped titles, legends
over the data."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sendcast.reporting import chart_style
from sendcast.reporting.charts import fan_chart, new_figure, style_axes
from sendcast.reporting.scenario_charts import cost_waterfall, difference_chart


def _tick_labels(axes, which="y") -> list[str]:
    FigureCanvasAgg(axes.figure).draw()
    axis = axes.yaxis if which == "y" else axes.xaxis
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


@pytest.mark.parametrize(("step", "decimals"), [(1, 0), (5, 0), (1000, 0), (0.5, 1), (0.2, 1), (0.05, 2), (0.01, 2),
                                                (0.001, 3)])
def test_decimals_follow_the_tick_step(step, decimals):
    assert chart_style.decimals_for_step(step) == decimals


@pytest.mark.parametrize("text", ["-0", "-0.0", "-0.00", "\u22120"])
def test_negative_zero_reads_as_zero(text):
    assert chart_style.no_negative_zero(text) in ("0", "0.0", "0.00")


def test_counts_and_money_formats():
    assert chart_style.format_count(-0.0001) == "0"
    assert chart_style.format_count(1234.0) == "1,234"
    assert chart_style.format_count(0.4, 0.2) == "0.4"
    assert chart_style.format_money_m(1_310_000_000, 1e8) == "£1,310m"
    assert chart_style.format_money_m(-2_500_000, 5e5) == "-£2.5m"
    assert chart_style.format_money_m(-1.0, 1e6) == "£0m"
    assert chart_style.format_percent(-0.0) == "0%"


def test_small_count_axis_has_distinct_ticks_and_no_minus_zero():
    """Averages of a few children (0 to 0.6) used to tick as "0 0 0 0"; differences near zero
    as "0 -0 -0"."""
    for values in ([0.0, 0.2, 0.6, 0.3], [0.0, -0.1, -0.3, 0.05]):
        figure, axes = new_figure()
        axes.plot([2025, 2026, 2027, 2028], values)
        style_axes(axes, title="Children waiting", units="children", source="test")
        axes.set_ylim(min(values) - 0.05, max(values) + 0.05)
        chart_style.value_axis(axes, "children")
        labels = _tick_labels(axes)
        assert len(labels) == len(set(labels)) >= 3, labels
        assert not any(label.startswith(("-0", "\u22120")) and not any(c in label for c in "123456789")
                       for label in labels), labels


def test_money_axis_in_millions():
    figure, axes = new_figure()
    axes.plot([2025, 2030], [120e6, 153e6])
    style_axes(axes, title="Spend", units="GBP, 2025-26 prices", source="test")
    labels = _tick_labels(axes)
    assert all(label.startswith(("£", "-£")) and label.endswith("m") for label in labels), labels
    assert axes.get_ylabel() == "£ million, 2025-26 prices"


def test_waterfall_is_differences_from_zero_in_millions():
    """A 1-3% change must not fill the chart: the axis includes zero and never the baseline
    total of £1,310m."""
    changes = pd.Series({"independent_special": 12e6, "state_special": -4e6, "early_support": 1.2e6})
    figure = cost_waterfall(1_310_000_000.0, changes, title="Spend over the run: Baseline to Option",
                            units="GBP, 2025-26 prices", source="test")
    axes = figure.axes[0]
    low, high = axes.get_ylim()
    assert low <= 0 <= high
    assert high < 50e6, "the baseline total is not drawn as a bar with a cut axis"
    labels = _tick_labels(axes)
    assert all("£" in label and label.endswith("m") for label in labels), labels
    assert not any("1,310,000,000" in label for label in labels)


def test_bars_from_zero_widens_a_truncated_axis():
    figure, axes = new_figure()
    axes.bar([0, 1], [1300, 1330])
    axes.set_ylim(1290, 1340)
    chart_style.bars_from_zero(axes)
    assert axes.get_ylim()[0] == 0


@pytest.mark.parametrize("raw", ["EHC plans (naive, reconciled wls)", "EHC plans, forecast (ets; mint_shrink)"])
def test_titles_lose_method_jargon(raw):
    clean = chart_style.plain_title(raw)
    for word in ("naive", "wls", "reconciled", "ets", "mint"):
        assert word not in clean.lower().split(), clean
    assert clean.startswith("EHC plans")


def test_long_titles_wrap_to_fit_the_figure():
    figure, axes = new_figure()
    text = ("Gloucestershire: EHC plans placed in independent or non-maintained special schools, January census, "
            "forecast from the published trend (50/80/95% intervals)")
    chart_style.title(axes, text)
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    left_title = axes._left_title  # matplotlib keeps loc="left" titles here
    box = left_title.get_window_extent(renderer)
    assert box.x1 <= figure.bbox.x1 + 1 and box.x0 >= figure.bbox.x0 - 1
    assert "\n" in axes.get_title(loc="left")


def test_legend_sits_outside_the_data():
    history = pd.Series([4000.0, 4500.0, 5000.0], index=[2023, 2024, 2025])
    forecast = pd.DataFrame({"mean": [5400.0, 5800.0], "lo95": [5000.0, 5100.0], "hi95": [5800.0, 6500.0],
                             "lo80": [5100.0, 5300.0], "hi80": [5700.0, 6300.0]}, index=[2026, 2027])
    figure = fan_chart(history, forecast, title="EHC plans", units="children and young people", source="test")
    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    legend = axes.get_legend().get_window_extent(renderer)
    plot = axes.get_window_extent(renderer)
    assert legend.y1 <= plot.y0, "the legend is below the plotting area"
    assert legend.y0 >= figure.bbox.y0 - 1, "and inside the figure"


def test_difference_chart_of_tiny_changes_reads():
    differences = pd.DataFrame({"scenario": ["Option - Baseline"] * 3, "measure": ["waiting"] * 3,
                                "breakdown": [""] * 3, "year": [2026, 2027, 2028], "mean": [0.0, -0.02, 0.01],
                                "lo95": [-0.05, -0.06, -0.02], "hi95": [0.04, 0.03, 0.05]})
    figure = difference_chart(differences, measure="waiting", option="Option", title="Children waiting",
                              units="children", source="test")
    labels = _tick_labels(figure.axes[0])
    assert len(labels) == len(set(labels)), labels


def test_importing_charts_does_not_choose_a_backend(tmp_path):
    """Notebooks show charts inline only if the chart modules leave the backend alone."""
    import subprocess
    import sys

    code = ("import os; os.environ['MPLBACKEND']='svg'\n"
            "import sendcast.reporting.charts, sendcast.reporting.scenario_charts, matplotlib\n"
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "svg"
