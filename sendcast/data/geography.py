"""Local authorities: one identity per area, every code and name it has gone by, and
the boundary changes that break a series.

The stable key is the three-digit DfE LA number. The nine-character ONS code shown to
users is the one the newest data uses; older codes and names are kept as aliases so a
user can type any of them. An LA whose series starts late or stops early is flagged as
a break; where the reason is a known reorganisation it is named.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from sendcast.runtime.errors import UnknownNameError
from sendcast.data.measures import ENGLAND_CODE

ENGLAND_NAME = "England"

#: Reorganisations that changed LA boundaries within the SEN2 series (source: the
#: Structural Changes Orders for each; the DfE LA numbers are from the SEN2 releases).
KNOWN_REORGANISATIONS: dict[str, str] = {
    "835": "Dorset County Council was replaced on 1 April 2019 by Dorset Council (838) and "
           "Bournemouth, Christchurch and Poole (839)",
    "836": "Poole was merged into Bournemouth, Christchurch and Poole (839) on 1 April 2019",
    "837": "Bournemouth was merged into Bournemouth, Christchurch and Poole (839) on 1 April 2019",
    "838": "Dorset Council was created on 1 April 2019 from Dorset County Council (835) minus "
           "Christchurch",
    "839": "Bournemouth, Christchurch and Poole was created on 1 April 2019 from 836, 837 and "
           "Christchurch",
    "928": "Northamptonshire was replaced on 1 April 2021 by North (940) and West (941) "
           "Northamptonshire",
    "940": "North Northamptonshire was created on 1 April 2021 from part of Northamptonshire (928)",
    "941": "West Northamptonshire was created on 1 April 2021 from part of Northamptonshire (928)",
    "909": "Cumbria was replaced on 1 April 2023 by Cumberland (942) and Westmorland and "
           "Furness (943)",
    "942": "Cumberland was created on 1 April 2023 from part of Cumbria (909)",
    "943": "Westmorland and Furness was created on 1 April 2023 from part of Cumbria (909)",
}


@dataclass(frozen=True)
class Geography:
    """The LAs known to a dataset.

    ``las``: one row per LA and England (la_code, la_number, la_name, region,
    first_year, last_year, aliases). ``breaks``: one row per series break (la_code,
    la_name, year, kind ``starts``/``ends``, reason).
    """

    las: pd.DataFrame
    breaks: pd.DataFrame

    def resolve(self, text: str) -> pd.Series:
        """Find an LA by code, number, name or any alias (case-insensitive).

        Raises :class:`UnknownNameError` with the nearest names when nothing matches.
        """
        wanted = text.strip().casefold()
        for _, row in self.las.iterrows():
            names = {row["la_code"], row["la_number"], row["la_name"], *row["aliases"].split("|")}
            if wanted in {n.casefold() for n in names if n}:
                return row
        choices = list(self.las["la_name"]) + list(self.las["la_code"])
        starts = [c for c in self.las["la_name"] if c.casefold().startswith(wanted)]
        close = starts[:3] or difflib.get_close_matches(text, choices, n=3, cutoff=0.5)
        if not close:
            lowered = {c.casefold(): c for c in choices}
            close = [lowered[c] for c in difflib.get_close_matches(wanted, list(lowered), n=3, cutoff=0.4)]
        raise UnknownNameError("local authority", text, close)


def build_geography(areas: pd.DataFrame, measure_years: pd.DataFrame) -> Geography:
    """Build the LA list and series breaks.

    ``areas`` has (la_key, new_la_code, la_name, region_name, year) as the releases
    published them; ``measure_years`` has (la_key, year) for every January caseload row.
    """
    areas = areas.sort_values(["la_key", "year"])
    rows = []
    for key, group in areas.groupby("la_key", sort=True):
        latest = group.iloc[-1]
        aliases = sorted(set(group["new_la_code"]) | set(group["la_name"]) - {latest["la_name"], latest["new_la_code"]})
        rows.append({
            "la_code": latest["new_la_code"],
            "la_number": key,
            "la_name": latest["la_name"],
            "region": latest["region_name"],
            "aliases": "|".join(a for a in aliases if a),
        })
    las = pd.DataFrame(rows)
    years = measure_years.groupby("la_key")["year"].agg(["min", "max"])
    las["first_year"] = las["la_number"].map(years["min"]).astype("Int64")
    las["last_year"] = las["la_number"].map(years["max"]).astype("Int64")
    england = pd.DataFrame([{
        "la_code": ENGLAND_CODE, "la_number": "", "la_name": ENGLAND_NAME, "region": "",
        "aliases": "", "first_year": years["min"].min(), "last_year": years["max"].max(),
    }])
    las = pd.concat([england, las.sort_values("la_name")], ignore_index=True)
    las["first_year"] = las["first_year"].astype("Int64")
    las["last_year"] = las["last_year"].astype("Int64")
    return Geography(las=las, breaks=_breaks(las))


def _breaks(las: pd.DataFrame) -> pd.DataFrame:
    first, last = las["first_year"].min(), las["last_year"].max()
    rows = []
    for _, la in las.iterrows():
        reason = KNOWN_REORGANISATIONS.get(la["la_number"])
        if la["first_year"] > first:
            rows.append({"la_code": la["la_code"], "la_name": la["la_name"], "year": la["first_year"],
                         "kind": "starts", "reason": reason or "series starts late (reason not recorded)"})
        if la["last_year"] < last:
            rows.append({"la_code": la["la_code"], "la_name": la["la_name"], "year": la["last_year"],
                         "kind": "ends", "reason": reason or "series ends early (reason not recorded)"})
    return pd.DataFrame(rows, columns=["la_code", "la_name", "year", "kind", "reason"])
