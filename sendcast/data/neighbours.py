"""DfE children's services statistical neighbours (LAIT workbook, May 2025 model).

Each LA has ten neighbours, ranked, with DfE's closeness label ("Extremely close",
"Very close", ...). The workbook also lists the LAs abolished by reorganisation
("Old SNs", e.g. Dorset before 2019) after a blank row; they are read too. Read from the published workbook layout: a header row holding
``LA num``, ``LA Name``, ``SN1``..``SN10``, each followed by an ``SNP`` closeness column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sendcast.runtime.errors import InputError

COLUMNS = ["la_number", "rank", "neighbour_number", "closeness"]


def read_neighbours(path: Path, known_numbers: set[str]) -> pd.DataFrame:
    """Return one row per (LA, rank): the neighbour's LA number and closeness."""
    label = str(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str)
    except (ValueError, OSError, KeyError) as error:
        raise InputError(label, "an Excel workbook of statistical neighbours", found=str(error)) from error
    sheet = next(iter(sheets.values()))
    header_rows = sheet.index[sheet.iloc[:, 0].astype(str).str.strip() == "LA num"]
    if len(header_rows) == 0:
        raise InputError(label, "a header row starting 'LA num'", column="A")
    start = int(header_rows[0])
    header = [str(c).strip() for c in sheet.iloc[start]]
    if "SN1" not in header or "SN10" not in header:
        raise InputError(label, "columns SN1 to SN10", row=start + 1)
    body = sheet.iloc[start + 1:].dropna(how="all")
    rows = []
    for index, record in body.iterrows():
        number = str(record.iloc[0]).strip().removesuffix(".0")
        if number in {"", "nan"}:  # separator rows, e.g. before the "Old SNs:" section
            continue
        if number not in known_numbers:
            raise InputError(label, "an LA number that appears in the SEN2 data", row=int(index) + 1,
                             column="LA num", found=number)
        for rank in range(1, 11):
            position = header.index(f"SN{rank}")
            neighbour = str(record.iloc[position]).strip().removesuffix(".0")
            if neighbour in {"", "nan"}:
                continue
            if neighbour not in known_numbers:
                raise InputError(label, "a neighbour LA number that appears in the SEN2 data",
                                 row=int(index) + 1, column=f"SN{rank}", found=neighbour)
            closeness = str(record.iloc[position + 1]).strip()
            rows.append({"la_number": number, "rank": rank, "neighbour_number": neighbour,
                         "closeness": closeness})
    return pd.DataFrame(rows, columns=COLUMNS)
