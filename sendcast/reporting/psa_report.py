"""The probabilistic sensitivity analysis in words, tables and charts.

- :func:`psa_sentences`: plain-English lines for one option (printed by ``compare`` and in
  the HTML report);
- :func:`tornado_chart`: the NPV at each input's 10th and 90th percentile (others at their
  medians), largest swing on top;
- :func:`probability_chart`: the probability that the option has saved money by the end
  of each year;
- :func:`psa_tables`: the tables written as CSV.

Every line repeats where the uncertain inputs come from (the ``source`` of each
distribution in the scenario file, "illustrative" where none is given).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sendcast.reporting import chart_style
from sendcast.reporting.charts import new_figure
from sendcast.reporting.display import input_words
from sendcast.scenarios.pipeline import Comparison
from sendcast.scenarios.psa import LEVER_KEYS


def _money(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value) / 1e6:,.1f}m"


def _label(key: str) -> str:
    """An uncertain input's name in words (:func:`display.input_words`)."""
    return input_words(key)


def input_value(key: str, value: float) -> str:
    """One value of an uncertain input as a reader takes it in: shares as percentages, money
    in pounds (thousands as "£89.7k"), relative risks and multiples to two decimals."""
    name = key.split(".")[-1]
    if not np.isfinite(value):
        return "-"
    if name.startswith("share_"):
        return f"{100 * value:.0f}%" if abs(value) >= 0.1 else f"{100 * value:.1f}%"
    if key.startswith("unit_cost.") or name.endswith("_gbp"):
        sign = "-" if value < 0 else ""
        return f"{sign}£{abs(value) / 1e3:,.1f}k" if abs(value) >= 1e4 else f"{sign}£{abs(value):,.0f}"
    return f"{value:.2f}"


def psa_sentences(comparison: Comparison, option: str, *, sources: bool = True) -> list[str]:
    """What the sensitivity analysis says about one option; ``sources``: end with a sentence
    naming every uncertain input and its source (the report shows
    :func:`psa_sources_table` instead)."""
    result = comparison.psa.get(option)
    if result is None or result.summary.empty:
        return []
    stats = result.summary.set_index("statistic")["value"]
    by_year = result.by_year.set_index("financial_year")["probability_saving"]
    last = by_year.index[-1]
    early = by_year.index[4] if len(by_year) > 5 else None
    out = [f"Chance the option has saved money by the end of financial year {last}: {by_year[last]:.0%} "
           + (f"(by the end of {early}: {by_year[early]:.0%}); " if early is not None else "; ") +
           f"chance its discounted saving over the run is positive: {stats['probability_npv_positive']:.0%} "
           f"(Monte Carlo standard error {100 * stats['probability_npv_positive_mcse']:.1f} points).",
           f"Expected net present saving {_money(stats['expected_npv_saving_gbp'])} "
           f"(Monte Carlo standard error {_money(stats['expected_npv_mcse_gbp'])}; 95% of draws between "
           f"{_money(stats['npv_saving_p2_5_gbp'])} and {_money(stats['npv_saving_p97_5_gbp'])}; "
           f"Monte Carlo 95% CI for the mean {_money(stats['expected_npv_lo95_gbp'])} to "
           f"{_money(stats['expected_npv_hi95_gbp'])}; {stats['draws']:,.0f} draws on "
           f"{stats['simulated_runs']:,.0f} simulated pairs of runs)."]
    if result.draws.empty:
        out.append("No input of this option is given as a distribution: the spread is chance only, not "
                   "uncertainty about the levers.")
        return out
    for key in ("relative_risk", "share_identified_early", "cost_per_child_gbp"):
        name = f"break_even_{key}"
        if name not in stats.index:
            continue
        value = stats[name]
        if np.isfinite(value):
            text = input_value(key, value) + (" (the option saves money below it)" if key == "relative_risk" else "")
        else:
            text = "not inside the range drawn"
            extended = stats.get(f"{name}_extrapolated", np.nan)
            if np.isfinite(extended):
                text += f" (the fitted line reaches zero at {input_value(key, extended)}, an extrapolation" + (
                    ": no relative risk of 0 or more makes the option pay within the run)"
                    if key == "relative_risk" and extended < 0 else ")")
        out.append(f"Break-even {_label(key)}: {text}.")
    if not result.tornado.empty:
        top = result.tornado.head(3)
        out.append("Inputs that matter most (swing in NPV between their 10th and 90th percentiles): " + "; ".join(
            f"{_label(r.input)} {_money(r.swing_gbp)}" for r in top.itertuples()) + ".")
    for name in [f"evppi_{k.split('.')[1]}_gbp" for k in LEVER_KEYS if f"evppi_{k.split('.')[1]}_gbp" in stats.index]:
        key = name.removeprefix("evppi_").removesuffix("_gbp")
        out.append(f"Value of knowing the {_label(key)} before deciding (EVPPI): {_money(stats[name])}; "
                   f"of knowing everything (EVPI): {_money(stats['evpi_gbp'])}.")
    named = psa_sources(comparison, option) if sources else {}
    if named:
        out.append("Uncertain inputs: " + "; ".join(f"{_label(k)} ({v})" for k, v in named.items()) + ".")
    return out


def psa_sources_table(comparison: Comparison, option: str) -> pd.DataFrame:
    """One row per uncertain input of an option: its name in words and how it is drawn and
    where it comes from (its distribution's ``source``; "illustrative" where none is given)."""
    named = psa_sources(comparison, option)
    return pd.DataFrame({"Uncertain input": [_label(k) for k in named],
                         "How it is drawn, and its source": list(named.values())})


def psa_sources(comparison: Comparison, option: str) -> dict[str, str]:
    """Where each uncertain input of an option comes from (its distribution's ``source``)."""
    from sendcast.scenarios.uncertainty import uncertain_inputs
    result = comparison.psa.get(option)
    inputs = result.inputs if result is not None and result.inputs else uncertain_inputs(comparison.scenario(option))
    return {key: (dist.source or "illustrative: no source given") for key, dist in inputs.items()}


def psa_tables(comparison: Comparison) -> dict[str, pd.DataFrame]:
    """CSV tables by file name (empty tables left out)."""
    results = list(comparison.psa.values())
    if not results:
        return {}
    tables = {"psa_summary.csv": pd.concat([r.summary for r in results], ignore_index=True),
              "psa_probability_saving_by_year.csv": pd.concat([r.by_year for r in results], ignore_index=True)}
    tornado = [r.tornado for r in results if not r.tornado.empty]
    if tornado:
        tables["psa_tornado.csv"] = pd.concat(tornado, ignore_index=True)
        tables["psa_draws.csv"] = pd.concat([r.draws for r in results if not r.draws.empty], ignore_index=True)
    return tables


def tornado_chart(table: pd.DataFrame, *, title: str, source: str) -> Figure:
    """Horizontal bars from the NPV at each input's 10th percentile to its 90th."""
    rows = table.iloc[::-1]
    figure, axes = new_figure(1.6 + 0.6 * len(rows))
    centre = float(np.median(np.r_[rows["npv_at_low_gbp"], rows["npv_at_high_gbp"]]))
    for position, row in enumerate(rows.itertuples()):
        low, high = sorted((row.npv_at_low_gbp, row.npv_at_high_gbp))
        axes.barh(position, high - low, left=low, color="#1f5fa8", height=0.6)
        axes.text(high, position, f"  {input_value(row.input, row.low_value)} to "
                  f"{input_value(row.input, row.high_value)}", va="center", fontsize=8)
    axes.axvline(0, color="black", linewidth=1)
    axes.axvline(centre, color="grey", linewidth=1, linestyle=":")
    axes.set_yticks(range(len(rows)), [_label(k) for k in rows["input"]])
    chart_style.money_axis(axes, "x")
    axes.set_xlabel("net present saving, £ million (positive: the option saves money)")
    chart_style.title(axes, title)
    axes.spines[["top", "right"]].set_visible(False)
    chart_style.source_note(figure, source)
    return chart_style.finish(figure)


def probability_chart(by_year: pd.DataFrame, *, title: str, source: str) -> Figure:
    """Probability of a cumulative saving above zero by the end of each April-March financial
    year (``by_year``: ``financial_year`` labels such as "2025-26", in order)."""
    figure, axes = new_figure()
    labels = by_year["financial_year"].astype(str).tolist()
    axes.plot(range(len(labels)), 100 * by_year["probability_saving"], color="#1f5fa8", marker="o", linewidth=2)
    step = max(1, -(-len(labels) // 8))  # at most about 8 labels, so they never overlap
    axes.set_xticks(range(0, len(labels), step), labels[::step])
    axes.axhline(50, color="grey", linewidth=1, linestyle=":")
    axes.set_ylim(0, 100)
    chart_style.percent_axis(axes)
    axes.set_ylabel("runs with a cumulative saving above zero")
    axes.set_xlabel("financial year (April-March)")
    chart_style.title(axes, title)
    axes.spines[["top", "right"]].set_visible(False)
    chart_style.source_note(figure, source)
    return chart_style.finish(figure)
