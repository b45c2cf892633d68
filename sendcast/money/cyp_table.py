"""The DSG management plan's children-and-young-people table: EHC plans by financial year,
7 placement categories, 5 age bands and primary need.

The DSG management plan template counts EHC plans by placement (mainstream; resourced
provision / SEN unit; maintained and academy special; non-maintained and independent
special; hospital / AP; post-16 and FE; other and direct payments), age band (under 5,
5-10, 11-15, 16-19, 20-25) and primary need. Nothing published or simulated gives that
four-way table, so it is **estimated** (said in every row's ``method``):

1. *Pattern* (January of the latest published need year, 2025 in the shipped data): a
   placement x age band x need table fitted by iterative proportional fitting
   (:func:`forecast.raking.rake`) to the three published two-way tables of the LA:
   placement by age (SEN2 caseload by single year of age), need by age and need by placement
   (SEN2 ``sen_needs_all_plans.csv``). Resourced provision is not published by age, so the
   placement-by-age margin splits mainstream into resourced provision and the rest in the
   all-age proportion (an assumption; the need-by-placement margin does publish it).
2. *Each financial year*: the pattern raked to that year's totals: placements and age bands
   from the run (financial-year averages of its January caseloads, 0.25 x January Y +
   0.75 x January Y+1, as the rest of the plan), needs from the projected need shares
   (given by the caller: :func:`sendcast.forecasting.need_shares.projected_need_shares`, the
   method the need backtest chose, carried forward in the shipped data) times the year's
   plans. The raking keeps the pattern's associations (autism in special schools, SEMH in
   AP...) and takes the year's totals.

Every cell starts from a floor of :data:`FLOOR` plans so that a year's totals can always be
met; cells with no published children stay near zero. The table adds up to the year's
plans; by placement, by age band and by need to the year's margins (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.raking import rake
from sendcast.data.build import Dataset
from sendcast.data.measures import PRIMARY_NEEDS
from sendcast.data.needs import need_rows, split_label
from sendcast.data.years import financial_year_average, financial_year_label
from sendcast.runtime.errors import SendcastError

#: The DSG management plan's placement categories -> how each is made from the placement groups.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("mainstream", "Mainstream"),
    ("resourced_unit", "Resourced provision / SEN unit"),
    ("state_special", "Maintained and academy special"),
    ("independent_special", "Non-maintained and independent special"),
    ("hospital_ap", "Hospital / alternative provision"),
    ("post16_fe", "Post-16 and FE"),
    ("other", "Other and direct payments"),
)
BANDS: tuple[tuple[str, str, range], ...] = (
    ("under_5", "Under 5", range(0, 5)), ("5_to_10", "Age 5 to 10", range(5, 11)),
    ("11_to_15", "Age 11 to 15", range(11, 16)), ("16_to_19", "Age 16 to 19", range(16, 20)),
    ("20_to_25", "Age 20 to 25", range(20, 26)))
NEEDS = tuple(PRIMARY_NEEDS)
FLOOR = 1e-6
CYP_COLUMNS = ["scenario", "financial_year", "placement", "age_band", "need", "plans", "method"]
METHOD = ("estimated: January {year} published pattern (placement x age, need x age, need x placement) "
          "raked to the year's placements and ages (run) and needs (shares: {share_method})")


class CypTableError(SendcastError):
    """The data or the run lack something the table needs."""


def _category_totals(values: dict[str, float]) -> dict[str, float]:
    """Placement group values -> the 7 categories (mainstream without resourced provision)."""
    return {"mainstream": values["ehcp_mainstream"] - values["ehcp_resourced_unit"],
            "resourced_unit": values["ehcp_resourced_unit"], "state_special": values["ehcp_state_special"],
            "independent_special": values["ehcp_independent_special"], "hospital_ap": values["ehcp_ap"],
            "post16_fe": values["ehcp_fe"], "other": values["ehcp_other"]}


def _age_of(label: str) -> int:
    return 0 if label == "0-2" else int(label)


def _band_index(age: int) -> int:
    return next(i for i, (_, _, ages) in enumerate(BANDS) if age in ages)


@dataclass(frozen=True)
class Pattern:
    """The published placement x age band x need pattern (``table``, shape 7 x 5 x 13) and its January."""

    table: np.ndarray
    year: int


def published_pattern(dataset: Dataset, la_code: str) -> Pattern:
    """Fit the January pattern to the LA's three published two-way tables (module docstring)."""
    m = dataset.measures
    rows = m[(m["la_code"] == la_code) & (m["year_basis"] == "january") & m["value"].notna()]
    labels = split_label(rows["breakdown"])
    any_need = rows[labels["need"] != ""]
    if any_need.empty:
        raise CypTableError(f"{la_code}: no EHC plans by primary need published (SEN2 2025 release on)")
    year = int(any_need["year"].max())
    rows, labels = rows[rows["year"] == year], labels[rows["year"] == year]
    groups = ("ehcp_mainstream", "ehcp_resourced_unit", "ehcp_state_special", "ehcp_independent_special",
              "ehcp_ap", "ehcp_fe", "ehcp_other")
    # need x placement
    need_place = np.zeros((len(NEEDS), len(CATEGORIES)))
    by_need = need_rows(rows)
    for n, need in enumerate(NEEDS):
        values = {g: float(by_need[(by_need["measure"] == g) & (by_need["need"] == need)]["value"].sum())
                  for g in groups}
        need_place[n] = list(_category_totals(values).values())
    # need x age band
    need_age = np.zeros((len(NEEDS), len(BANDS)))
    aged = rows[(labels["need"] != "") & (labels["age"] != "") & (rows["measure"] == "ehcp_total")]
    for _, row in aged.iterrows():
        need, age = row["breakdown"][5:].split(";age=")
        need_age[NEEDS.index(need), _band_index(_age_of(age))] += row["value"]
    # placement x age band (resourced provision split from mainstream in the all-age proportion)
    plain = rows[rows["breakdown"].str.match(r"^age=[0-9-]+$")]
    totals = rows[rows["breakdown"] == ""].set_index("measure")["value"]
    unit_share = float(totals.get("ehcp_resourced_unit", 0.0) / totals["ehcp_mainstream"]) \
        if totals.get("ehcp_mainstream", 0) else 0.0
    place_age = np.zeros((len(CATEGORIES), len(BANDS)))
    for band_index, (_, _, ages) in enumerate(BANDS):
        labels_in = [("age=0-2" if a < 3 else f"age={a}") for a in ages]
        in_band = plain[plain["breakdown"].isin(set(labels_in))].groupby("measure")["value"].sum()
        five = sum(in_band.get(g, 0.0) for g in ("ehcp_mainstream", "ehcp_state_special",
                                                  "ehcp_independent_special", "ehcp_ap", "ehcp_fe"))
        values = {g: float(in_band.get(g, 0.0)) for g in groups}
        values["ehcp_resourced_unit"] = values["ehcp_mainstream"] * unit_share
        values["ehcp_other"] = float(in_band.get("ehcp_total", 0.0)) - five
        place_age[:, band_index] = list(_category_totals(values).values())
    place_age = np.clip(place_age, 0.0, None)
    seed = np.ones((len(CATEGORIES), len(BANDS), len(NEEDS)))
    margins = [((0, 1), place_age), ((1, 2), need_age.T), ((0, 2), need_place.T)]
    # the three published tables come from two files and may differ by a child or two: each is
    # scaled to the need table's total before fitting, and the fit stops at 0.1 plan
    grand = need_place.sum()
    margins = [(axes, target * grand / target.sum()) for axes, target in margins]
    table = rake(seed, margins, tolerance=1e-4, max_iterations=20_000) if grand > 0 else seed * 0
    return Pattern(table, year)


def cyp_table(pattern: Pattern, january: pd.DataFrame, shares: pd.DataFrame, *, scenario: str,
              share_method: str) -> pd.DataFrame:
    """The table for one scenario, long (:data:`CYP_COLUMNS`).

    ``january``: the run's mean January caseloads, ``measure, breakdown, year, mean``
    (``ehcp_total`` by ``age_band=...`` and the placement groups with breakdown ``""``).
    ``shares``: projected need shares by January (index year, columns the needs)."""
    def series(measure: str, breakdown: str = "") -> pd.Series:
        rows = january[(january["measure"] == measure) & (january["breakdown"] == breakdown)]
        if rows.empty:
            raise CypTableError(f"the run has no January caseload for {measure} {breakdown}".strip())
        return financial_year_average(rows.set_index("year")["mean"].sort_index())

    groups = ("ehcp_mainstream", "ehcp_resourced_unit", "ehcp_state_special", "ehcp_independent_special",
              "ehcp_ap", "ehcp_fe", "ehcp_other")
    places = {g: series(g) for g in groups}
    bands = [series("ehcp_total", f"age_band={code}") for code, _, _ in BANDS]
    total = series("ehcp_total")
    january_shares = shares.reindex(sorted(set(shares.index) | set(total.index))).ffill().bfill()
    out = []
    method = METHOD.format(year=pattern.year, share_method=share_method)
    for year in total.index:
        cats = np.array(list(_category_totals({g: float(places[g][year]) for g in groups}).values()))
        cats = np.clip(cats, 0.0, None)
        ages = np.array([float(b[year]) for b in bands])
        # need shares over the financial year: 0.25 x January Y + 0.75 x January Y+1, as the plans
        need_share = 0.25 * january_shares.loc[year].to_numpy() + 0.75 * january_shares.loc[
            min(year + 1, january_shares.index.max())].to_numpy()
        grand = float(total[year])
        margins = [((0,), cats * grand / cats.sum()), ((1,), ages * grand / ages.sum()),
                   ((2,), need_share / need_share.sum() * grand)]
        table = rake(pattern.table, margins, floor=FLOOR, tolerance=1e-9)
        label = financial_year_label(int(year))
        for c, (_, category) in enumerate(CATEGORIES):
            for b, (_, band, _) in enumerate(BANDS):
                for n, need in enumerate(NEEDS):
                    out.append((scenario, label, category, band, need, float(table[c, b, n]), method))
    return pd.DataFrame(out, columns=CYP_COLUMNS)
