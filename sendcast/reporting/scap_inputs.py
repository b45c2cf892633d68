"""The published shares the SCAP export needs beyond the simulation, read from the dataset.

- Non-maintained special schools' share of independent and non-maintained special
  placements: SEN2 caseload, breakdown ``provider=non_maintained`` of
  ``ehcp_independent_special``, latest January.
- Alternative provision by phase: SEN2 caseload by single year of age (``ehcp_ap``,
  ``age=4``..``age=15``), the latest two Januaries pooled (AP counts are small: one year
  of Gloucestershire has 33 plans).
- Pseudo planning areas: one LA-wide area per phase (the shipped data has no planning-area
  split), named after the LA, with the LA number as its code stem.
"""

from __future__ import annotations

from sendcast.data.build import Dataset
from sendcast.reporting.scap import HORIZONS, ScapError, ScapInputs

PHASE_AGES = {"primary": range(4, 11), "secondary": range(11, 16)}


def scap_inputs(dataset: Dataset, la_code: str) -> ScapInputs:
    """Build :class:`ScapInputs` for one LA (raises :class:`ScapError` naming what is missing)."""
    m = dataset.measures
    rows = m[(m["la_code"] == la_code) & m["value"].notna()]
    las = dataset.geography.las.set_index("la_code")
    name, number = las.loc[la_code, "la_name"], las.loc[la_code, "la_number"]
    independent = rows[rows["measure"] == "ehcp_independent_special"]
    split = independent[independent["breakdown"] == "provider=non_maintained"]
    if split.empty:
        raise ScapError(f"{name}: no published split of independent and non-maintained special placements "
                        "(SEN2 caseload, January 2019 on): rebuild the data (sendcast data build)")
    year = int(split["year"].max())
    both = independent[(independent["breakdown"] == "") & (independent["year"] == year)]["value"].sum()
    share = float(split.loc[split["year"] == year, "value"].iloc[0] / both) if both > 0 else 0.0
    ap = rows[(rows["measure"] == "ehcp_ap") & rows["breakdown"].str.match(r"^age=\d+$")]
    if ap.empty:
        raise ScapError(f"{name}: no AP placements by single year of age (SEN2 caseload, January 2024 on)")
    years = tuple(sorted(int(y) for y in ap["year"].unique())[-2:])
    ap = ap[ap["year"].isin(years)]
    ages = ap["breakdown"].str.slice(4).astype(int)
    all_ages = float(rows[(rows["measure"] == "ehcp_ap") & (rows["breakdown"] == "")
                          & rows["year"].isin(years)]["value"].sum())
    shares = {phase: (float(ap.loc[ages.isin(list(span)), "value"].sum()) / all_ages if all_ages > 0 else 0.0)
              for phase, span in PHASE_AGES.items()}
    areas = {phase: (f"{number}-{phase[:3].upper()}-LA", f"{name} (LA-wide, {phase})") for phase in HORIZONS}
    note = (f"Pseudo planning areas: one LA-wide area per phase ({', '.join(c for c, _ in areas.values())}); "
            "the shipped data has no planning-area split (SEN2 is published by LA, and the capacity file is "
            "an LA aggregate). Replace the codes with the LA's own pseudo planning areas from the SCAP "
            "collection before submitting.")
    return ScapInputs(non_maintained_share=share, non_maintained_year=year, ap_phase_shares=shares, ap_years=years,
                      planning_areas=areas, planning_area_note=note)
