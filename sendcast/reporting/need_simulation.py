"""EHC plans by primary need in a comparison (the simulation's own need outputs).

The simulation draws each child's primary need (:mod:`simulation.needs`, set up by
:mod:`sendcast.scenarios.need_setup`) and reports ``ehcp_total``, each placement group and
``new_plans`` with breakdown ``need=...`` (January census years for plans, calendar years
for new plans). This module reads them from a :class:`~sendcast.scenarios.pipeline.Comparison`:

- :func:`plans_by_need`: one measure by need (mean and 95% range of the runs);
- :func:`special_by_designation`: each scenario's simulated state special demand by need
  against the places in the capacity file by designation
  (:func:`sendcast.forecasting.need_shares.special_demand_by_designation`);
- :func:`need_lines` and :func:`option_need_lines`: a few sentences for the printout and the report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendcast.data.capacity import read_capacity
from sendcast.data.measures import PRIMARY_NEEDS
from sendcast.reporting.display import format_children, need_words, needs_words
from sendcast.forecasting.need_shares import special_demand_by_designation
from sendcast.runtime.errors import SendcastError

SPECIAL_COLUMNS = ["scenario", "year", "designation", "needs", "places_phase", "places", "demand", "gap", "note"]


def _by_need(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = table[(table["measure"] == measure) & table["breakdown"].fillna("").str.startswith("need=")]
    return rows.assign(need=rows["breakdown"].str.removeprefix("need="))


def plans_by_need(comparison, measure: str = "ehcp_total") -> pd.DataFrame:
    """``scenario, need, year, mean, lo95, hi95`` of ``measure`` by primary need (empty when
    the run drew no need)."""
    rows = _by_need(comparison.summary, measure)
    return rows[["scenario", "need", "year", "mean", "lo95", "hi95"]].reset_index(drop=True)


def _capacity(comparison) -> pd.DataFrame | None:
    item = next(i for i in comparison.scenarios if i.name == comparison.baseline)
    path = item.scenario.special_places.capacity_file
    if path:
        try:
            return read_capacity(Path(path))
        except SendcastError:
            return None  # the run read it already; a file changed since is not this table's to report
    return item.capacity


def special_by_designation(comparison) -> pd.DataFrame:
    """:data:`SPECIAL_COLUMNS`: each scenario's simulated state special demand by need (mean
    of the runs, every January of the run) against the places of the baseline's capacity
    file by designation. Places are the file's, as listed (the places the baseline assumes
    it goes on adding are not designated, and are not in this table); empty without need
    outputs or a capacity file."""
    special = _by_need(comparison.summary, "ehcp_state_special")
    capacity = _capacity(comparison)
    if special.empty or capacity is None or capacity.empty:
        return pd.DataFrame(columns=SPECIAL_COLUMNS)
    out = []
    for scenario, rows in special.groupby("scenario", sort=False):
        forecast = rows.assign(measure="ehcp_state_special", value=rows["mean"])
        years = sorted(int(y) for y in rows["year"].unique())
        table = special_demand_by_designation(forecast[["measure", "need", "year", "value"]], capacity, years)
        out.append(table.assign(scenario=scenario))
    return pd.concat(out, ignore_index=True)[SPECIAL_COLUMNS]


def _phases(phase: str) -> str:
    """A capacity row's phases in words: ``"all"`` -> "all phases", ``"primary"`` -> "primary only"."""
    return "all phases" if phase in ("all", "") else f"{phase} only"


def need_lines(comparison, *, top: int = 5) -> list[str]:
    """The baseline's simulated need mix at the start and the end of the run, and state
    special demand by need against places by designation at the end."""
    total = plans_by_need(comparison)
    base = total[total["scenario"] == comparison.baseline]
    if base.empty:
        return []
    first, last = int(base["year"].min()), int(base["year"].max())
    start = base[base["year"] == first].set_index("need")["mean"]
    end = base[base["year"] == last].set_index("need")["mean"]
    order = [n for n in start.sort_values(ascending=False).index[:top]]
    cells = "; ".join(f"{need_words(n)} {start[n] / start.sum():.0%} to {end[n] / end.sum():.0%} "
                      f"({format_children(end[n])} plans)" for n in order)
    lines = [f"EHC plans by primary need ({comparison.baseline}, simulated), share of plans in January {first} "
             f"and in January {last}: {cells}."]
    special = special_by_designation(comparison)
    rows = special[(special["scenario"] == comparison.baseline) & (special["year"] == last)]
    if not rows.empty:
        cells = "; ".join(f"places designated {r['designation']} ({needs_words(r['needs'])}, "
                          f"{_phases(r['places_phase'])}): {format_children(r['demand'])} children against "
                          f"{r['places']:,} places"
                          for _, r in rows.iterrows())
        lines.append(f"State special school children by need against the places designated for it (capacity file "
                     f"as listed), January {last}, {comparison.baseline}: {cells}.")
    return lines


def option_need_lines(comparison, option: str) -> list[str]:
    """For an option whose early identification lever targets some needs: the change in EHC
    plans by need in the last January (the targeted needs, then every other need together),
    with the 95% confidence interval for the average change."""
    params = comparison.parameters.get(option)
    targets = params.early_identification.target_needs if params is not None else None
    if not targets:
        return []
    diff = _by_need(comparison.differences, "ehcp_total")
    diff = diff[diff["scenario"] == f"{option} - {comparison.baseline}"]
    if diff.empty:
        return []
    last = int(diff["year"].max())
    rows = diff[diff["year"] == last].set_index("need")
    cells = [f"{need_words(n)} {rows.loc[n, 'mean']:+,.0f} ({rows.loc[n, 'lo95']:+,.0f} to "
             f"{rows.loc[n, 'hi95']:+,.0f})" for n in targets if n in rows.index]
    others = [n for n in PRIMARY_NEEDS if n in rows.index and n not in targets]
    other = float(rows.loc[others, "mean"].sum()) if others else 0.0
    reached = " or ".join(need_words(n) for n in targets)
    return [f"The lever reaches only children whose primary need when identified is {reached} (a "
            f"plan may name another need): EHC plans in January {last} change by {'; '.join(cells)}; every other "
            f"need together {other:+,.0f}."]


def need_caveats(comparison) -> list[str]:
    """What the simulated need figures rest on, when the run drew needs."""
    params = comparison.parameters.get(comparison.baseline)
    if params is None or params.needs is None:
        return []
    return [f"Primary need is drawn for each child from the county's published EHC plans by need (January "
            f"{params.needs.year}) and new plans by need: an assumption, as nothing published gives the need of "
            "children on SEN support. Leaving a plan does not depend on need, so the simulated mix drifts towards "
            "the mix of new plans over the run (needs whose plans last longest, such as autism, lose share); read "
            "the need figures beyond a few years with that in mind."]
