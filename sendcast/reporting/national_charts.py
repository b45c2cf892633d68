"""Charts of the national view (:mod:`sendcast.reporting.national_view`): by region, and state
special demand against places. One function per chart, each returning the Figure."""

from __future__ import annotations

import textwrap

import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sendcast.data.measures import ENGLAND_CODE  # noqa: E402

BY_REGION = (
    ("ehcp_per_1000_latest", "EHC plans per 1,000 residents aged 0-25 (latest January)"),
    ("growth_pct_a_year", "Forecast growth in EHC plans (% a year, central)"),
    ("independent_share_pct", "Independent or non-maintained special (% of EHC plans)"),
    ("unit_cost_state_special_gbp", "State special unit cost (GBP a year, 2021-22 prices)"),
)


def by_region_chart(table: pd.DataFrame, *, title: str, source: str) -> Figure:
    """Four panels, one per measure of :data:`BY_REGION`: each LA a dot in its region's row,
    the region's median a bar, England's figure (where there is one) a red line."""
    las = table[(table["la_code"] != ENGLAND_CODE) & (table["status"] == "forecast")]
    regions = sorted(r for r in las["region"].dropna().unique() if r)
    figure = Figure(figsize=(11, 7.5), dpi=110)
    axes = figure.subplots(2, 2, sharey=True)
    england = table[table["la_code"] == ENGLAND_CODE]
    for ax, (column, label) in zip(axes.ravel(), BY_REGION):
        for position, region in enumerate(regions):
            values = las.loc[las["region"] == region, column].dropna()
            ax.scatter(values, [position] * len(values), s=9, color="#4a6fa5", alpha=0.6)
            if not values.empty:
                ax.plot([values.median()] * 2, [position - 0.35, position + 0.35], color="black", linewidth=2)
        if not england.empty and pd.notna(england[column].iloc[0]):
            ax.axvline(float(england[column].iloc[0]), color="#b22222", linewidth=0.8)
        ax.set_title(textwrap.fill(label, 55), fontsize=9, loc="left")
        ax.set_yticks(range(len(regions)))
        ax.set_yticklabels(regions, fontsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    figure.suptitle(title, x=0.01, ha="left", fontsize=11)
    figure.text(0.01, 0.005, f"Dots: LAs; black bar: region median; red line: England. Source: {source}",
                fontsize=7, color="grey")
    figure.tight_layout(rect=(0, 0.02, 1, 0.96))
    return figure


def demand_places_chart(table: pd.DataFrame, *, title: str, source: str) -> Figure:
    """State special demand at the horizon (central forecast) as a % of places, by LA, sorted;
    LAs whose places come from the third-party table (low confidence) in grey, from their own
    file in blue; 100% marked."""
    rows = table[(table["la_code"] != ENGLAND_CODE) & table["state_special_places"].gt(0)
                 & table["state_special_demand"].notna()].copy()
    rows["ratio"] = 100 * rows["state_special_demand"] / rows["state_special_places"]
    rows = rows.sort_values("ratio").reset_index(drop=True)
    height = max(5.0, 0.1 * len(rows) + 2.0)
    figure = Figure(figsize=(8, height), dpi=110)
    axes = figure.subplots()
    colours = ["#4a6fa5" if s == "LA file" else "#999999" for s in rows["places_source"]]
    axes.barh(range(len(rows)), rows["ratio"], color=colours, height=0.7)
    axes.axvline(100, color="#b22222", linewidth=0.8)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels(rows["la_name"], fontsize=4 if len(rows) > 60 else 7)
    axes.set_ylim(-1, len(rows))
    axes.set_xlabel("forecast EHC plans in state special schools as % of places (100% = full)")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, fontsize=11, loc="left")
    figure.text(0.01, 0.3 / height, f"Grey: places from a third-party table (GIAS capacity, low confidence); "
                f"blue: the LA's own file. Source: {source}", fontsize=6.5, color="grey")
    figure.tight_layout(rect=(0, 0.5 / height, 1, 1))
    return figure
