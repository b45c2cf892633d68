"""Read school-census SEN percentages from the DfE Local Authority Interactive Tool.

LAIT publishes one long file: measure code, year label, area name, value, LA number.
Two measures are used, both January census, all schools, 1 decimal place:

- ``SEN_TotSENSuP`` -> ``sen_support_pct``
- ``SEN_TotStat`` -> ``ehcp_pct``
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.periods import parse_time_periods
from sendcast.data.release import read_csv_text, read_input_file, require_columns
from sendcast.data.sen2 import ENGLAND_KEY
from sendcast.runtime.errors import InputError

LAIT_MEASURES: dict[str, str] = {"SEN_TotSENSuP": "sen_support_pct", "SEN_TotStat": "ehcp_pct"}
REQUIRED = ("measure_short", "year_label", "area", "value", "la_number")
#: LAIT's own numbers for England (970) and the regions (980-990, not used here).
LAIT_ENGLAND = "970"
LAIT_REGIONS = frozenset(str(n) for n in range(980, 991))


def read_lait(path: Path, known_numbers: set[str]) -> pd.DataFrame:
    """Return tidy rows (la_key, year, year_basis, measure, breakdown, value, source).

    ``known_numbers`` are the LA numbers in the SEN2 data; a LAIT row for any other
    number is an error (an LA we cannot place), not silently dropped.
    """
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, REQUIRED, label)
    frame = frame[frame["measure_short"].str.strip().isin(LAIT_MEASURES)].copy()
    if frame.empty:
        raise InputError(label, "rows for " + " and ".join(LAIT_MEASURES), column="measure_short",
                         found="none")
    number = frame["la_number"].str.strip().str.replace(r"\.0$", "", regex=True)
    frame, number = frame[~number.isin(LAIT_REGIONS)], number[~number.isin(LAIT_REGIONS)]
    number = number.where(number != LAIT_ENGLAND, ENGLAND_KEY)
    unknown = ~number.isin(known_numbers | {ENGLAND_KEY})
    if unknown.any():
        row = frame.loc[unknown].iloc[0]
        raise InputError(label, "an LA number that appears in the SEN2 data", row=int(row["_row"]),
                         column="la_number", found=str(row["la_number"]))
    duplicated = frame.assign(_n=number).duplicated(["measure_short", "year_label", "_n"], keep=False)
    if duplicated.any():
        rows = frame.loc[duplicated, "_row"].head(2).tolist()
        raise InputError(label, f"one value per measure, year and LA (rows {rows[0]} and {rows[1]} repeat)",
                         row=int(rows[1]))
    values, _ = parse_numbers(frame["value"], path=label, column="value", rows=frame["_row"], kind="percent")
    years = parse_time_periods(frame["year_label"], frame["_row"], label)
    return pd.DataFrame({
        "la_key": number.to_numpy(),
        "year": years.to_numpy(),
        "year_basis": "january",
        "measure": frame["measure_short"].str.strip().map(LAIT_MEASURES).to_numpy(),
        "breakdown": "",
        "value": values.to_numpy(),
        "source": "DfE LAIT " + path.name + ": " + frame["measure_short"].str.strip().to_numpy(),
    })
