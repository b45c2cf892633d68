"""Read a council's own table of small-area counts (below LA level) for publication.

The file is a CSV, UTF-8, one row per area (school, ward, district...) and one column
per category (need, placement, age band...)::

    district,ASD,SEMH,SLCN
    Cheltenham,41,3,17
    Stroud,28,0,9

The first column names the areas; every other column holds whole counts of 0 or more.
Totals are left out: sendcast adds them, so that it can protect them too. Every count
must be given: a blank or a marker such as ``c`` means the table is already partly
suppressed, and protecting it again could not be audited.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.release import read_csv_text, read_input_file
from sendcast.runtime.errors import InputError

#: the label of a totals row or column, in a council's table and in the protected one
TOTAL = "Total"

#: Larger tables should be split: the audit solves two linear programmes per hidden cell
#: (measured: a 60 x 15 table with 419 counts of 1-5 took 15 s; 30 x 10, 3 s).
MAX_CELLS = 2_000


def read_small_area_counts(path: str | Path) -> pd.DataFrame:
    """The counts as a table: index = area names, columns = categories, whole numbers."""
    path = Path(path)
    label = str(path)
    data = read_input_file(path, label, what="a CSV file of small-area counts")
    frame = read_csv_text(data, label)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = [name.strip() for name in header]
    seen: set[str] = set()
    for name in header:
        if name == "" or name in seen:
            raise InputError(label, "a distinct, non-empty name for every column", row=1,
                             found=name or "an empty column name")
        seen.add(name)
        if name.lower() == TOTAL.lower():
            raise InputError(label, "counts only, without a total column (sendcast adds and protects the totals)",
                             row=1, column=name)
    if len(header) < 2:
        raise InputError(label, "an area column then at least one column of counts", row=1,
                         found=", ".join(header))
    area_column, categories = header[0], header[1:]
    frame.columns = header + ["_row"]
    areas = frame[area_column].str.strip()
    for index in range(len(frame)):
        name, row = areas.iloc[index], int(frame["_row"].iloc[index])
        if name == "":
            raise InputError(label, "an area name on every row", row=row, column=area_column, found="")
        if name.lower() == TOTAL.lower():
            raise InputError(label, "areas only, without a total row (sendcast adds and protects the totals)",
                             row=row, column=area_column, found=name)
    repeated = areas.duplicated()
    if repeated.any():
        row = frame.loc[repeated].iloc[0]
        raise InputError(label, "each area once", row=int(row["_row"]), column=area_column,
                         found=str(row[area_column]))
    if len(frame) * len(categories) > MAX_CELLS:
        raise InputError(label, f"at most {MAX_CELLS:,} counts (split the table)",
                         found=f"{len(frame)} rows x {len(categories)} columns")
    counts = {}
    for column in categories:
        values, _ = parse_numbers(frame[column], path=label, column=column, rows=frame["_row"], kind="count")
        if values.isna().any():
            row = frame.loc[values.isna()].iloc[0]
            raise InputError(label, "a whole number of 0 or more in every cell (no blanks or markers: "
                             "give the unsuppressed counts)", row=int(row["_row"]), column=column,
                             found=str(row[column]))
        counts[column] = values.astype(int).to_numpy()
    return pd.DataFrame(counts, index=pd.Index(areas.to_numpy(), name=area_column))
