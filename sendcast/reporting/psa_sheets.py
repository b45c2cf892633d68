"""The finance workbook's sensitivity analysis sheets: one option's draws and what they say.

- **PSA draws** (values and formulas): one row per draw of the uncertain inputs: the
  simulated run it re-prices, each input's value, the saving in each April-March financial year (baseline
  minus option, pounds at the price base, undiscounted: values from the paired runs), then
  formulas: the net present value at the Inputs sheet's discount rate, ``MAX(NPV, 0)``
  (the value of deciding with the draw known) and whether the draw saves money.
- **PSA** (formulas over PSA draws, values where a spreadsheet cannot redo the statistic):
  the draws summary, the expected NPV with its Monte Carlo standard error (over simulated
  runs), the chance the option saves money, the NPV's percentiles across draws, EVPI
  (formula) and EVPPI (regression-based: values), break-even values, the tornado, the
  chance of a cumulative saving by each year, and every uncertain input with its
  distribution and source ("illustrative" where it is not published data).

Changing the discount rate on Inputs moves every NPV here; the draws carry their own unit
costs, so a unit cost changed on Inputs does not re-price them (the sheet says so).
"""

from __future__ import annotations

import numpy as np

from sendcast.reporting.display import input_words
from sendcast.reporting.workbook import FormulaSheet
from sendcast.scenarios.psa import NPV_PERCENTILES, PsaResult

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1


def _label(key: str) -> str:
    """An uncertain input's name as a sheet heading: "Unit cost: alternative provision"."""
    return input_words(key, unit_cost="unit cost: ").capitalize()


def _a1(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def _number(value: float) -> str:
    """A distribution's parameter as text: pounds-sized numbers whole with thousands separators."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"


def _number_format(key: str) -> str:
    return "gbp" if key.endswith("_gbp") or key.startswith("unit_cost.") or key.endswith("gbp_per_year") \
        else "decimal2"


def psa_sheets(option: str, result: PsaResult, *, price_base: str, suffix: str = "") -> list[FormulaSheet]:
    """``PSA{suffix}`` and ``PSA draws{suffix}`` for one option's :class:`PsaResult`."""
    draws_sheet, ranges = _draws_sheet(option, result, price_base, f"PSA draws{suffix}")
    return [_summary_sheet(option, result, price_base, f"PSA{suffix}", draws_sheet.name, ranges), draws_sheet]


def _draws_sheet(option: str, result: PsaResult, price_base: str, name: str) -> tuple[FormulaSheet, dict[str, str]]:
    sheet = FormulaSheet(name, header_rows=(1, HEADER_ROW), freeze=_a1(FIRST_ROW, 3))
    sheet.put(1, 1, f"{option}: every draw of the sensitivity analysis (pounds at {price_base} prices)", bold=True)
    sheet.put(2, 1, "Saving = baseline spend minus option spend in each April-March financial year of the paired runs "
              "(positive: the option saves). NPV, 'Value if known' and 'Saves money' are formulas; the NPV uses the discount "
              "rate on Inputs. Draws on the same simulated run share its chance and its lever values.")
    inputs = [c for c in result.draws.columns if c not in ("option", "draw", "replication", "npv_saving_gbp")]
    years = [str(y) for y in result.saving.columns]
    headers = ["Draw", "Simulated run", *[_label(k) for k in inputs], *[f"Saving {y} (£)" for y in years],
               "NPV of the saving (£)", "Value if known (£): MAX(NPV, 0)", "Saves money (1 = yes)"]
    for j, text in enumerate(headers, start=1):
        sheet.put(HEADER_ROW, j, text, header=True)
    first_year = 3 + len(inputs)
    npv_column = first_year + len(years)
    saving = result.saving.to_numpy(dtype=float)
    draws = result.draws.reset_index(drop=True) if not result.draws.empty else None
    rows = saving.shape[0]
    for i in range(rows):
        row = FIRST_ROW + i
        sheet.put(row, 1, i)
        sheet.put(row, 2, int(draws["replication"].iloc[i]) if draws is not None else i)
        for j, key in enumerate(inputs):
            sheet.put(row, 3 + j, float(draws[key].iloc[i]), _number_format(key))
        for k in range(len(years)):
            sheet.put(row, first_year + k, float(saving[i, k]), "gbp")
        terms = "+".join(f"{_a1(row, first_year + k)}/(1+DiscountRatePct/100)^{k}" for k in range(len(years)))
        sheet.formula(row, npv_column, f"={terms}", "gbp")
        sheet.formula(row, npv_column + 1, f"=MAX({_a1(row, npv_column)},0)", "gbp")
        sheet.formula(row, npv_column + 2, f"=IF({_a1(row, npv_column)}>0,1,0)", "count")
    last = FIRST_ROW + rows - 1

    def span(column: int) -> str:
        return f"'{name}'!${_a1(FIRST_ROW, column).rstrip('0123456789')}${FIRST_ROW}:" \
               f"${_a1(last, column).rstrip('0123456789')}${last}"

    sheet.widths.update({1: 8, 2: 12})
    for column in range(3, npv_column + 3):
        sheet.widths[column] = 16
    return sheet, {"npv": span(npv_column), "known": span(npv_column + 1), "saves": span(npv_column + 2)}


def _summary_sheet(option: str, result: PsaResult, price_base: str, name: str, draws_name: str,
                   ranges: dict[str, str]) -> FormulaSheet:
    stats = result.summary.set_index("statistic")["value"]
    sheet = FormulaSheet(name, header_rows=(1, 2), freeze="A3")
    sheet.put(1, 1, f"{option}: probabilistic sensitivity analysis (pounds at {price_base} prices, discounted)",
              bold=True)
    sheet.put(2, 1, f"Formulas over '{draws_name}' (change the discount rate on Inputs and they follow); the Monte "
              "Carlo errors, EVPPI, break-even values and the tornado are computed by sendcast (values). The draws "
              "carry their own unit costs: a unit cost changed on Inputs does not re-price them.")
    row = 4

    def heading(text: str) -> None:
        nonlocal row
        sheet.put(row, 1, text, bold=True)
        row += 1

    def line(label: str, value: object, fmt: str | None, basis: str, *, formula: bool = False) -> None:
        nonlocal row
        sheet.put(row, 1, label)
        if formula:
            sheet.formula(row, 2, str(value), fmt)
        else:
            sheet.put(row, 2, value, fmt)
        sheet.put(row, 3, basis)
        row += 1

    heading("Draws")
    line("Draws of the uncertain inputs", stats.get("draws", np.nan), "count", "each a paired baseline and option")
    line("Simulated pairs of runs", stats.get("simulated_runs", np.nan), "count",
         "draws beyond them re-price a run's activity at other cost draws (spend is linear in unit costs)")
    row += 1
    heading("Result")
    npv, known, saves = ranges["npv"], ranges["known"], ranges["saves"]
    line("Expected NPV of the saving (£)", f"=AVERAGE({npv})", "gbp", "formula: mean over draws; positive: saves money",
         formula=True)
    line("Monte Carlo standard error of the expected NPV (£)", stats.get("expected_npv_mcse_gbp", np.nan), "gbp",
         "sendcast: standard deviation of the simulated runs' means / sqrt(runs)")
    line("95% CI for the expected NPV, low (£)", stats.get("expected_npv_lo95_gbp", np.nan), "gbp",
         "sendcast: Monte Carlo error only")
    line("95% CI for the expected NPV, high (£)", stats.get("expected_npv_hi95_gbp", np.nan), "gbp",
         "sendcast: Monte Carlo error only")
    line("Chance the NPV is above zero", f"=AVERAGE({saves})", "decimal2", "formula: share of draws that save money",
         formula=True)
    line("Monte Carlo standard error of that chance", stats.get("probability_npv_positive_mcse", np.nan), "decimal2",
         "sendcast: over simulated runs")
    line("Expected value of perfect information, EVPI (£)", f"=AVERAGE({known})-MAX(AVERAGE({npv}),0)", "gbp",
         "formula: mean of MAX(NPV, 0) - MAX(mean NPV, 0); includes chance, so an upper bound", formula=True)
    row += 1
    heading("NPV of the saving across draws (percentiles)")
    for q in (2.5, *NPV_PERCENTILES, 97.5):
        line(f"{q:g}th percentile (£)", f"=PERCENTILE({npv},{q / 100:g})", "gbp", "formula", formula=True)
    row += 1
    heading("Value of information and break-even, by input")
    for j, text in enumerate(("Input", "EVPPI (£)", "Break-even value", "Break-even, line extended"), start=1):
        sheet.put(row, j, text, header=True)
    row += 1
    inputs = [c for c in result.draws.columns if c not in ("option", "draw", "replication", "npv_saving_gbp")]
    for key in inputs:
        short = key.split(".")[1]
        sheet.put(row, 1, _label(key))
        sheet.put(row, 2, stats.get(f"evppi_{short}_gbp", np.nan), "gbp")
        sheet.put(row, 3, stats.get(f"break_even_{short}", np.nan), _number_format(key))
        sheet.put(row, 4, stats.get(f"break_even_{short}_extrapolated", np.nan), _number_format(key))
        row += 1
    sheet.put(row, 1, "EVPPI: expected value of perfect information on one input (regression-based, Strong, Oakley "
              "and Brennan 2014); break-even: the value at which the linear metamodel's NPV is zero, other inputs at "
              "their medians (empty: outside the range drawn; 'line extended' is an extrapolation).")
    row += 2
    if not result.tornado.empty:
        heading("Tornado: NPV at each input's 10th and 90th percentile, others at their medians (linear metamodel)")
        columns = ("Input", "10th percentile", "90th percentile", "NPV at 10th (£)", "NPV at 90th (£)", "Swing (£)",
                   "Rank correlation")
        for j, text in enumerate(columns, start=1):
            sheet.put(row, j, text, header=True)
        row += 1
        for item in result.tornado.itertuples():
            fmt = _number_format(item.input)
            for j, (value, f) in enumerate(((_label(item.input), None), (item.low_value, fmt), (item.high_value, fmt),
                                            (item.npv_at_low_gbp, "gbp"), (item.npv_at_high_gbp, "gbp"),
                                            (item.swing_gbp, "gbp"), (item.rank_correlation, "decimal2")), start=1):
                sheet.put(row, j, value, f)
            row += 1
        row += 1
    heading("Chance of a cumulative saving above zero by the end of each April-March financial year (from the draws)")
    for item in result.by_year.itertuples():
        line(str(item.financial_year), float(item.probability_saving), "decimal2",
             "share of draws (undiscounted, real)")
    row += 1
    heading("Uncertain inputs: every assumption and its source")
    for j, text in enumerate(("Input", "Distribution", "Median (a single run's value)", "Source"), start=1):
        sheet.put(row, j, text, header=True)
    row += 1
    for key, dist in result.inputs.items():
        sheet.put(row, 1, _label(key))
        parts = ", ".join(f"{p} {_number(getattr(dist, p))}" for p in ("low", "mode", "high", "alpha", "beta",
                                                                         "median", "sdlog")
                          if getattr(dist, p) is not None)
        sheet.put(row, 2, f"{dist.dist}({parts})")
        sheet.put(row, 3, dist.central, _number_format(key))
        sheet.put(row, 4, dist.source or "illustrative: no source given")
        row += 1
    sheet.widths.update({1: 52, 2: 24, 3: 24, 4: 24, 5: 18, 6: 18, 7: 16})
    return sheet
