"""Files and printed lines for EHC plans by primary need.

``forecast --la`` writes ``need_forecast.csv`` (measure, need, January year, share, expected
children, method, base year), ``need_latest.csv`` (the published mix it starts from) and,
where the LA has a capacity file, ``special_by_need.csv`` (state special demand by need
against places by designation). A measure forecast but not split by need (no split
published, or every need 0), or split from fewer years than published, has a note saying
which and why (:attr:`NeedForecast.notes`): in the run's manifest and, through the CLI, in
``warnings.txt`` and the printed notes. ``backtest --all-las`` writes
``need_shares_backtest.csv`` (:data:`sendcast.forecasting.need_shares.BACKTEST_COLUMNS`).
"""

from __future__ import annotations

import argparse

import pandas as pd

from sendcast.data import paths
from sendcast.data.build import Dataset
from sendcast.data.capacity import capacity_file, read_capacity
from sendcast.data.measures import PRIMARY_NEEDS
from sendcast.forecasting.need_shares import NeedBacktest, NeedForecast, forecast_needs
from sendcast.runtime import atomic
from sendcast.runtime.runs import Run


def write_need_forecast(run: Run, dataset: Dataset, result, args: argparse.Namespace) -> NeedForecast:
    """Project the LA's need mix onto its forecast and write the need files into ``run``."""
    path = capacity_file(paths.data_dir(args.data), result.la_code)
    capacity = read_capacity(path) if path.is_file() else None
    need = forecast_needs(dataset, result.la_code, result.forecast[["measure", "year", "mean"]], capacity,
                          until=args.until)
    atomic.write_csv(run.path("need_forecast.csv"), need.by_need)
    atomic.write_csv(run.path("need_latest.csv"), need.latest)
    if not need.special.empty:
        atomic.write_csv(run.path("special_by_need.csv"), need.special)
    run.details["need_share_method"] = {"method": need.choice.method, "reason": need.choice.reason,
                                        "notes": [str(note) for note in need.notes]}
    return need


def need_lines(need: NeedForecast, *, top: int = 5) -> list[str]:
    """A few plain lines: the mix now and at the horizon, and special places by designation."""
    total = need.by_need[need.by_need["measure"] == "ehcp_total"]
    if total.empty or need.latest.empty:
        return []
    last = int(total["year"].max())
    base = int(need.latest["year"].iloc[0])
    now = need.latest.set_index("need")
    then = total[total["year"] == last].set_index("need")
    order = now["share"].sort_values(ascending=False).index[:top]
    cells = ", ".join(f"{n} {now.loc[n, 'share']:.1%} -> {then.loc[n, 'value']:,.0f}" for n in order)
    lines = [f"EHC plans by primary need, January {base} share -> expected plans January {last} "
             f"({need.choice.method}: {need.choice.reason}): {cells}"]
    if not need.special.empty:
        rows = need.special[need.special["year"] == need.special["year"].max()]
        cells = "; ".join(f"{r['designation']} ({r['needs']}, {r['places_phase']}): demand {r['demand']:,.0f} "
                          f"against {r['places']:,} places" for _, r in rows.iterrows())
        lines.append(f"State special school demand by need against places by designation, January "
                     f"{int(rows['year'].iloc[0])}: {cells}")
    return lines


def need_backtest_lines(backtest: NeedBacktest) -> list[str]:
    """The need-share backtest as a small table (MAE in percentage points by horizon)."""
    table = backtest.table
    lines = [f"Need shares (EHC plans by primary need): {backtest.choice.method}: {backtest.choice.reason}",
             "Share backtest, mean absolute error in percentage points (ratio to carrying forward):"]
    for series, rows in table.groupby("series", sort=False):
        lines.append(f"  {series}")
        for method, block in rows.groupby("method", sort=False):
            cells = "  ".join(f"h{int(r['horizon'])} {_cell(r)}" for _, r in block.iterrows())
            lines.append(f"    {method:<24} {cells}")
    return lines


def _cell(row: pd.Series) -> str:
    if row["scored"] == 0:
        return "not measured"
    return f"{row['mae_pp']:.2f} ({row['ratio_to_carry_forward']:.2f}, n={int(row['scored'])})"


def need_mix_table(need: NeedForecast) -> pd.DataFrame:
    """Need down the side: published count and share, then expected plans each future January."""
    total = need.by_need[need.by_need["measure"] == "ehcp_total"]
    wide = total.pivot_table(index="need", columns="year", values="value")
    latest = need.latest.set_index("need")
    out = pd.concat([latest[["value", "share"]].rename(columns={"value": f"published {int(latest['year'].iloc[0])}"}),
                     wide], axis=1)
    return out.reindex([n for n in PRIMARY_NEEDS if n in out.index])
