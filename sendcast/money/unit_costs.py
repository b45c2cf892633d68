"""Annual unit costs per EHC plan by placement group, derived from published outturn.

Default costs come from the section 251 high-needs **outturn** for 2021-22 (DfE
high-needs benchmarking tool) divided by the average number of EHC plans in that
placement group in the two Januaries around the financial year (SEN2, January 2021 and
January 2022). Education cost only: home-to-school transport, social care and health
contributions are not included. Price base: 2021-22 prices (``gbp_2022``).

Rules, one per placement group (outturn columns as the benchmarking tool numbers them):

- ``ehcp_independent_special``: top-ups to non-maintained and independent special schools
  (c079) / plans.
- ``ehcp_state_special``: place funding (c064) + top-ups (c071) to special schools and
  academies, paid by the LA, / plans, **plus** the GBP 10,000 place funding the ESFA pays
  for academy and free special school places, weighted by the January 2022 share of state
  special plans in academies and free schools.
- ``ehcp_mainstream``: primary place funding (c062, resourced provision) + primary (c069)
  and secondary (c070) top-ups / plans. The school's own notional SEN budget (the first
  GBP 6,000) is not included.
- ``ehcp_fe``: post-school top-ups (c073) / plans. Element 2 place funding for colleges is
  paid by the ESFA and not included.
- ``ehcp_ap``: a year in an alternative provision place: PRU/AP place funding (c065) +
  PRU/AP top-ups (c072) / the number of AP places that place funding buys (c065 / GBP
  10,000, the national high-needs place funding rate for an AP place, ESFA high needs
  funding operational guide). PRU and AP spend also serves pupils without plans, so this
  is the cost of a place, not of "a plan in AP".
- ``ehcp_other`` (education otherwise than at school, awaiting provision, early years
  settings): no s251 line isolates it. ILLUSTRATIVE: the mainstream top-up per plan
  (a floor: EOTAS packages are often dearer), status ``illustrative``, so it is never
  silently zero; users replace it in a unit-cost file.

A user's unit-cost CSV (columns ``placement_group, annual_cost_gbp, price_base, source``)
replaces any of these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.release import read_csv_text, read_input_file, require_columns
from sendcast.runtime.errors import InputError
from sendcast.data.years import financial_year_label, financial_year_start
from sendcast.data.measures import PLACEMENT_GROUPS
from sendcast.money import prices

OUTTURN_FILE = "high_needs_benchmarking_outturn_202122__glos_long.csv"
PRICE_BASE = "2021-22"
#: A unit cost above this (pounds a year per plan) is refused as a typing or unit error; the
#: dearest residential placements cost about GBP 500,000 a year (illustrative bound).
MAX_UNIT_COST_GBP = 2_000_000.0
ACADEMY_PLACE_FUNDING_GBP = 10_000.0
COLUMNS = ["placement_group", "annual_cost_gbp", "price_base", "status", "source"]


@dataclass(frozen=True)
class CostRule:
    placement_group: str
    outturn_columns: tuple[str, ...]
    explanation: str


RULES: tuple[CostRule, ...] = (
    CostRule("ehcp_independent_special", ("c079",), "s251 outturn top-ups to NMSS/independent special schools"),
    CostRule("ehcp_state_special", ("c064", "c071"), "s251 outturn place funding + top-ups, special schools "
             "and academies, plus ESFA academy place funding GBP 10,000 x academy share"),
    CostRule("ehcp_mainstream", ("c062", "c069", "c070"), "s251 outturn primary place funding + primary and "
             "secondary top-ups"),
    CostRule("ehcp_fe", ("c073",), "s251 outturn post-school top-ups"),
)


def read_outturn(path: Path) -> pd.Series:
    """The outturn sheet in long form: value by column code (``c079``...)."""
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, ("la_code", "column", "value"), label)
    values, _ = parse_numbers(frame["value"], path=label, column="value", rows=frame["_row"], kind="number")
    codes = frame["column"].str.extract(r"^(c\d{3}):", expand=False)
    return pd.Series(values.to_numpy(), index=codes.to_numpy())


def derive_unit_costs(outturn: pd.Series, placements: pd.DataFrame, source: str) -> pd.DataFrame:
    """Apply :data:`RULES`.

    ``placements`` is the tidy table for one LA (``measure``, ``breakdown``, ``year``,
    ``value``) holding the placement groups for January 2021 and 2022 and the
    ``provider=academy_free`` breakdown of ``ehcp_state_special``. Returns one row per
    placement group in :data:`COLUMNS`.
    """
    wide = placements[placements["breakdown"] == ""].pivot_table(index="year", columns="measure", values="value")
    academy = placements[(placements["measure"] == "ehcp_state_special")
                         & (placements["breakdown"] == "provider=academy_free")].set_index("year")["value"]
    missing = [y for y in (2021, 2022) if y not in wide.index or y not in academy.index]
    if missing:
        raise InputError(source, f"EHC plan placements for January {missing} to divide the 2021-22 outturn by")
    plans = wide.loc[[2021, 2022]].mean()
    rows = []
    for rule in RULES:
        spend = float(sum(outturn[c] for c in rule.outturn_columns))
        cost = spend / plans[rule.placement_group]
        text = (f"derived: {rule.explanation} ({' + '.join(rule.outturn_columns)} = GBP {spend:,.0f}) "
                f"/ {plans[rule.placement_group]:,.1f} plans (mean of Jan 2021 and Jan 2022, SEN2)")
        if rule.placement_group == "ehcp_state_special":
            share = float(academy[2022] / wide.loc[2022, "ehcp_state_special"])
            cost += ACADEMY_PLACE_FUNDING_GBP * share
            text += f" + GBP 10,000 x {share:.3f} academy/free share (Jan 2022)"
        rows.append({"placement_group": rule.placement_group, "annual_cost_gbp": round(cost, 0),
                     "price_base": PRICE_BASE, "status": "estimate", "source": f"{text}; {source}"})
    # the AP lines are in an LA's own s251 outturn file; the national benchmarking extract maps
    # only the placement lines of RULES, so there AP stays uncosted (and says so below)
    places = float(outturn["c065"]) / ACADEMY_PLACE_FUNDING_GBP if {"c065", "c072"} <= set(outturn.index) else 0.0
    if places > 0:
        spend = float(outturn["c065"] + outturn["c072"])
        rows.append({"placement_group": "ehcp_ap", "annual_cost_gbp": round(spend / places, 0),
                     "price_base": PRICE_BASE, "status": "estimate",
                     "source": f"derived: s251 outturn PRU/AP place funding + top-ups (c065 + c072 = GBP {spend:,.0f}) "
                               f"/ {places:,.1f} AP places (c065 / GBP 10,000 national AP place funding rate); "
                               f"{source}"})
    mainstream = next((r for r in rows if r["placement_group"] == "ehcp_mainstream"), None)
    if mainstream is not None:
        rows.append({"placement_group": "ehcp_other", "annual_cost_gbp": mainstream["annual_cost_gbp"],
                     "price_base": PRICE_BASE, "status": "illustrative",
                     "source": "illustrative: no s251 line isolates education otherwise than at school; the "
                               "mainstream top-up per plan is used as a floor"})
    for group in PLACEMENT_GROUPS:
        if group not in {r["placement_group"] for r in rows}:
            rows.append({"placement_group": group, "annual_cost_gbp": float("nan"), "price_base": PRICE_BASE,
                         "status": "not costed",
                         "source": "no published outturn line isolates this group; supply it in a unit-cost file"})
    return pd.DataFrame(rows, columns=COLUMNS)


def read_unit_cost_file(path: Path) -> pd.DataFrame:
    """A user's unit costs: one row per placement group, a cost of 0 or more in pounds."""
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, ("placement_group", "annual_cost_gbp", "price_base", "source"), label)
    groups = frame["placement_group"].str.strip()
    unknown = ~groups.isin(PLACEMENT_GROUPS)
    if unknown.any():
        row = frame.loc[unknown].iloc[0]
        raise InputError(label, "a placement group: " + ", ".join(PLACEMENT_GROUPS), row=int(row["_row"]),
                         column="placement_group", found=row["placement_group"])
    if groups.duplicated().any():
        row = frame.loc[groups.duplicated()].iloc[0]
        raise InputError(label, "each placement group once", row=int(row["_row"]), column="placement_group",
                         found=row["placement_group"])
    costs, _ = parse_numbers(frame["annual_cost_gbp"], path=label, column="annual_cost_gbp", rows=frame["_row"],
                             kind="number")
    outside = (costs < 0) | (costs > MAX_UNIT_COST_GBP)
    if outside.any():
        row = frame.loc[outside].iloc[0]
        raise InputError(label, f"a cost of 0 or more pounds a year per plan, at most {MAX_UNIT_COST_GBP:,.0f}",
                         row=int(row["_row"]), column="annual_cost_gbp", found=row["annual_cost_gbp"])
    for index, text in frame["price_base"].str.strip().items():
        try:
            financial_year_start(text)
        except ValueError:
            raise InputError(label, "a financial year such as 2025-26", row=int(frame.loc[index, "_row"]),
                             column="price_base", found=text) from None
    return pd.DataFrame({"placement_group": groups, "annual_cost_gbp": costs,
                         "price_base": frame["price_base"].str.strip(),
                         "status": costs.notna().map({True: "user", False: "not costed"}),
                         "source": frame["source"].str.strip() + f" ({path})"})[COLUMNS].reset_index(drop=True)


def restate_prices(costs: pd.DataFrame, to_year: int, inflation_rate: float) -> pd.DataFrame:
    """Unit costs moved from each row's own ``price_base`` to the financial year starting in
    ``to_year``: with HM Treasury's GDP deflator between years it covers (2021-22 to 2025-26),
    else at ``inflation_rate`` a year (a fraction: 0.02 is 2%). A file at 2025-26 prices is
    therefore never inflated again from 2021-22."""
    if not math.isfinite(inflation_rate) or inflation_rate <= -1:
        raise ValueError(f"inflation rate must be a finite fraction above -1, found {inflation_rate}")
    deflator = prices.read_deflator()
    target = financial_year_label(to_year)

    def factor(label: str) -> float:
        # Past years to a year the deflator covers: HM Treasury's GDP deflator; beyond it: the
        # inflation assumption (one convention with the simulation, sendcast.money.prices).
        if label in deflator.index and target in deflator.index:
            return deflator.factor(label, target)
        return (1 + inflation_rate) ** (to_year - financial_year_start(label))

    out = costs.copy()
    out["annual_cost_gbp"] = costs["annual_cost_gbp"] * costs["price_base"].map(factor)
    out["price_base"] = financial_year_label(to_year)
    return out


def apply_overrides(defaults: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """Replace default rows by the user's rows for the same placement groups."""
    kept = defaults[~defaults["placement_group"].isin(user["placement_group"])]
    out = pd.concat([kept, user], ignore_index=True)
    order = {g: i for i, g in enumerate(PLACEMENT_GROUPS)}
    return out.sort_values("placement_group", key=lambda s: s.map(order)).reset_index(drop=True)


# ------------------------------------------------------------------------ every LA in England
#: DfE high-needs benchmarking 2021-22, one row per LA (values as the workbook has them).
NATIONAL_OUTTURN_FILE = "hn_benchmarking_202122_by_la_unitcost_inputs.csv"
#: The national file's column for each outturn column code of :data:`RULES`.
NATIONAL_COLUMN_OF = {
    "c062": "outturn_202122_place_primary",
    "c064": "outturn_202122_place_special",
    "c069": "outturn_202122_topup_maint_primary",
    "c070": "outturn_202122_topup_maint_secondary",
    "c071": "outturn_202122_topup_maint_special",
    "c073": "outturn_202122_topup_maint_post_school",
    "c079": "outturn_202122_topup_nmss_indep_special",
}
#: A derived cost outside this range of the national distribution (percentiles over every LA
#: with a derived cost for that group) is flagged and replaced by its region's median.
SANITY_PERCENTILES = (5.0, 95.0)
NATIONAL_COLUMNS = ["la_code", "la_name", "region", "placement_group", "derived_gbp", "annual_cost_gbp",
                    "price_base", "status", "flag", "source"]
_CACHE: dict[tuple, pd.DataFrame] = {}


def read_national_outturn(path: Path) -> pd.DataFrame:
    """The national benchmarking file: one row per DfE LA number, one column per outturn code of
    :data:`RULES` (pounds, 2021-22; ``#N/A`` in the workbook is read as missing)."""
    label = str(path)
    frame = read_csv_text(read_input_file(path, label), label)
    require_columns(frame, ("la_code_dfe", "la_name", *NATIONAL_COLUMN_OF.values()), label)
    numbers = frame["la_code_dfe"].str.strip()
    bad = ~numbers.str.fullmatch(r"\d{3}")
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise InputError(label, "a three-digit DfE LA number", row=int(row["_row"]), column="la_code_dfe",
                         found=row["la_code_dfe"])
    if numbers.duplicated().any():
        row = frame.loc[numbers.duplicated()].iloc[0]
        raise InputError(label, "each LA once", row=int(row["_row"]), column="la_code_dfe", found=row["la_code_dfe"])
    out = pd.DataFrame(index=pd.Index(numbers.to_numpy(), name="la_number"))
    for code, column in NATIONAL_COLUMN_OF.items():
        text = frame[column].str.strip().replace("#N/A", "")
        values, _ = parse_numbers(text, path=label, column=column, rows=frame["_row"], kind="number")
        out[code] = values.to_numpy()
    return out


def national_unit_costs(outturn: pd.DataFrame, measures: pd.DataFrame, las: pd.DataFrame, source: str) -> pd.DataFrame:
    """Unit costs for every LA by one rule, with sanity bounds: :data:`NATIONAL_COLUMNS`.

    ``outturn``: :func:`read_national_outturn`; ``measures``: the dataset's tidy table;
    ``las``: the dataset's LA list (``la_code, la_number, la_name, region``).

    1. **Derived**: :func:`derive_unit_costs` (the rule used for Gloucestershire, see the
       module notes) on the LA's outturn row and its SEN2 placements of January 2021 and 2022.
       Not derivable when the LA has no outturn row (City of London, Isles of Scilly, LAs
       created in 2023), an empty one (#N/A), or no placements for those Januaries (North and
       West Northamptonshire before 2022).
    2. **Bounds**: for each placement group, the 5th and 95th percentiles of the positive
       derived costs over all LAs. A derived cost outside them is flagged ``outside the national
       5th-95th percentile``; a cost of 0 (the spend is booked on another s251 line: a coding
       difference) is not derivable.
    3. **Used**: the derived cost if within bounds; else (flagged or not derivable) the median
       of the in-bounds derived costs of the LA's region (``status`` ``regional median``;
       ``flag`` and ``source`` say why).

    Price base 2021-22 (``gbp_2022``) for every LA, as for Gloucestershire. AP and "other" are
    not costed (:func:`derive_unit_costs`).
    """
    rows = []
    current = las[las["la_number"].astype(str).str.len() == 3]
    wanted = measures[measures["measure"].isin(PLACEMENT_GROUPS) & measures["year"].isin([2021, 2022])]
    by_la = dict(tuple(wanted.groupby("la_code")))
    for _, la in current.iterrows():
        base = {"la_code": la["la_code"], "la_name": la["la_name"], "region": la["region"]}
        derived, reason = None, ""
        if la["la_number"] not in outturn.index:
            reason = "no 2021-22 outturn row for this LA in the benchmarking data"
        elif outturn.loc[la["la_number"]].isna().any():
            reason = "the 2021-22 outturn row is empty (#N/A)"
        else:
            try:
                derived = derive_unit_costs(outturn.loc[la["la_number"]], by_la.get(la["la_code"], wanted.iloc[:0]),
                                            source)
            except InputError:
                reason = "no SEN2 placements for January 2021 and 2022 to divide the outturn by"
        for group in PLACEMENT_GROUPS:
            if derived is not None:
                found = derived[derived["placement_group"] == group].iloc[0]
                rows.append({**base, "placement_group": group, "derived_gbp": found["annual_cost_gbp"],
                             "source": found["source"], "reason": "" if found["status"] == "estimate"
                             else found["source"], "costed": found["status"] == "estimate"})
            else:
                rows.append({**base, "placement_group": group, "derived_gbp": float("nan"), "source": "",
                             "reason": reason, "costed": group in {r.placement_group for r in RULES}})
    table = pd.DataFrame(rows)
    table["price_base"] = PRICE_BASE
    table["annual_cost_gbp"] = float("nan")
    table["status"] = "not costed"
    table["flag"] = ""
    for _, part in table[table["costed"]].groupby("placement_group"):
        # A zero (or infinite) cost is an s251 coding difference (spend booked on another line),
        # not a real cost: not derivable, and left out of the national distribution.
        values = part["derived_gbp"].replace([np.inf, -np.inf], np.nan)
        zero = values == 0
        table.loc[part.index[zero.to_numpy()], "reason"] = "the outturn line is 0 (an s251 coding difference)"
        values = values.where(~zero)
        low, high = np.nanpercentile(values, SANITY_PERCENTILES)
        inside = values.between(low, high)
        medians = part[inside].groupby("region")["derived_gbp"].median()
        national = float(part.loc[inside, "derived_gbp"].median())
        for index in part.index:
            value = values[index]
            if inside[index]:
                table.loc[index, ["annual_cost_gbp", "status"]] = [value, "estimate"]
                continue
            region = table.loc[index, "region"]
            median = medians.get(region, national)
            where = f"{region} median" if region in medians.index else "national median (no region figure)"
            if pd.notna(value) and value != 0:
                flag = (f"derived GBP {value:,.0f} outside the national 5th-95th percentile "
                        f"(GBP {low:,.0f}-{high:,.0f})")
            else:
                flag = f"not derivable: {table.loc[index, 'reason'] or 'no plans of this type to divide by'}"
            table.loc[index, ["annual_cost_gbp", "status", "flag"]] = [round(float(median), 0), "regional median",
                                                                      flag]
            table.loc[index, "source"] = (f"{where} of the in-bounds derived unit costs (GBP {median:,.0f}), "
                                          f"used because {flag}; {source}")
    table.loc[~table["costed"], "source"] = table.loc[~table["costed"], "reason"].where(
        table.loc[~table["costed"], "reason"] != "", "no published outturn line isolates this group")
    return table[NATIONAL_COLUMNS].reset_index(drop=True)


def every_la_unit_costs(dataset, path: Path) -> pd.DataFrame:
    """:func:`national_unit_costs` for a dataset and the national file (computed once per
    dataset and file in a session)."""
    las = dataset.geography.las
    current = las[(las["la_number"] != "") & (las["last_year"] == las["last_year"].max())]
    key = (str(path), Path(path).stat().st_mtime_ns, id(dataset.measures), dataset.input_checksums,
           tuple(current["la_code"]))
    if key not in _CACHE:
        _CACHE[key] = national_unit_costs(read_national_outturn(path), dataset.measures, current, str(path))
    return _CACHE[key]


def default_unit_costs(dataset, la_code: str, finance: Path) -> tuple[pd.DataFrame | None, list[str]]:
    """The default unit costs of one LA from the shipped finance folder, and notes.

    An LA with an outturn file of its own (:data:`OUTTURN_FILE`, Gloucestershire) keeps the
    costs derived from it by the same rule, unbounded (the note says where the national
    bounds would have put it); every other LA takes its row of :func:`every_la_unit_costs`.
    ``None`` when neither file covers the LA.
    """
    las = dataset.geography.las.set_index("la_code")
    number = str(las.loc[la_code, "la_number"]) if la_code in las.index else ""
    own_path = Path(finance) / OUTTURN_FILE
    national_path = Path(finance) / NATIONAL_OUTTURN_FILE
    national = every_la_unit_costs(dataset, national_path) if national_path.is_file() else None
    own_las = (set(pd.read_csv(own_path, usecols=["la_code"], dtype=str)["la_code"].str.strip())
               if own_path.is_file() else set())
    if number in own_las:
        rows = dataset.measures[dataset.measures["la_code"] == la_code]
        table = derive_unit_costs(read_outturn(own_path), rows, str(own_path))
        notes = ["unit costs: derived from the LA's own 2021-22 s251 outturn file by the national rule, "
                 "without the national bounds"]
        if national is not None:
            notes += [f"unit costs: {r.placement_group}: {r.flag}; kept (the national table would use "
                      f"GBP {r.annual_cost_gbp:,.0f})" for r in national[national["la_code"] == la_code].itertuples()
                      if r.status == "regional median"]
        return table, notes
    if national is None or la_code not in set(national["la_code"]):
        return None, []
    return la_unit_costs(national, la_code)


def la_unit_costs(table: pd.DataFrame, la_code: str) -> tuple[pd.DataFrame, list[str]]:
    """One LA's rows of :func:`national_unit_costs` as a unit-cost table (:data:`COLUMNS`) and
    notes naming each figure that is not the LA's own derived cost."""
    rows = table[table["la_code"] == la_code]
    notes = [f"unit costs: {r.placement_group}: {r.status} GBP {r.annual_cost_gbp:,.0f} ({r.flag})"
             for r in rows.itertuples() if r.status == "regional median"]
    return rows[COLUMNS].reset_index(drop=True), notes
