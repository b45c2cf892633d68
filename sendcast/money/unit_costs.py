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

import pandas as pd

from sendcast.data.cells import parse_numbers
from sendcast.data.release import read_csv_text, read_input_file, require_columns
from sendcast.runtime.errors import InputError
from sendcast.data.years import financial_year_label, financial_year_start
from sendcast.data.measures import PLACEMENT_GROUPS

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
    places = float(outturn["c065"]) / ACADEMY_PLACE_FUNDING_GBP
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
    ``to_year``, at ``inflation_rate`` a year (a fraction: 0.02 is 2%). A file at 2025-26
    prices is therefore never inflated again from 2021-22."""
    if not math.isfinite(inflation_rate) or inflation_rate <= -1:
        raise ValueError(f"inflation rate must be a finite fraction above -1, found {inflation_rate}")
    years = to_year - costs["price_base"].map(financial_year_start)
    out = costs.copy()
    out["annual_cost_gbp"] = costs["annual_cost_gbp"] * (1 + inflation_rate) ** years
    out["price_base"] = financial_year_label(to_year)
    return out


def apply_overrides(defaults: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """Replace default rows by the user's rows for the same placement groups."""
    kept = defaults[~defaults["placement_group"].isin(user["placement_group"])]
    out = pd.concat([kept, user], ignore_index=True)
    order = {g: i for i, g in enumerate(PLACEMENT_GROUPS)}
    return out.sort_values("placement_group", key=lambda s: s.map(order)).reset_index(drop=True)
