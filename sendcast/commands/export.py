"""``sendcast export scap`` and ``sendcast export deficit-plan``: statutory returns from the
same model run as the budget paper and the commissioners' report."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.runtime import atomic

from sendcast.data import paths
from sendcast.data.capacity import read_capacity
from sendcast.commands.options import (REPLICATIONS, YEAR, data_option, finite_number, output_options,
                                       percent_a_year_option)
from sendcast.commands.scenarios import record_scenarios
from sendcast.data import store
from sendcast.money.cyp_table import cyp_table, published_pattern
from sendcast.forecasting.need_shares import projected_need_shares
from sendcast.money.deficit_plan import PROVISION, deficit_plan
from sendcast.data.measures import PRIMARY_NEEDS
from sendcast.runtime.errors import SendcastError
from sendcast.money.income import PUBLISHED_FILE, extend_income, published_income, read_income_file
from sendcast.runtime.progress import progress_bar
from sendcast.runtime.runs import Run, run_folder
from sendcast.reporting.scap import (PROVISIONS, RETURN_KEYS, against_the_trend_notes, return_layout,
                                      scap_forecast, unrounded_need)
from sendcast.reporting.scap_inputs import scap_inputs
from sendcast.data.build import Dataset
from sendcast.scenarios.pipeline import Comparison, LoadedScenario, compare, load_scenarios
from sendcast.scenarios.retarget import check_series, retarget
from sendcast.reporting.workbook import Sheet, write_workbook
from simulation.parameters import PLACEMENTS


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export", help="statutory returns: SCAP specialist places, deficit management plan")
    kinds = export.add_subparsers(title="returns", metavar="RETURN")

    scap = kinds.add_parser("scap", help="SCAP: pupils with EHC plans needing a specialist place, by phase")
    scap.add_argument("scenario", metavar="SCENARIO.toml")
    scap.add_argument("--first-year", type=YEAR, metavar="YEAR",
                      help="January of the first forecast academic year (default: the year after the start year)")
    _common(scap)
    scap.set_defaults(handler=_scap)

    plan = kinds.add_parser("deficit-plan", help="high-needs deficit management plan: unmitigated and mitigated")
    plan.add_argument("baseline", metavar="BASE.toml", help="the unmitigated forecast")
    plan.add_argument("mitigated", metavar="MITIGATED.toml", help="the mitigated forecast")
    plan.add_argument("--income", metavar="FILE", help="high-needs block income by financial year (CSV: "
                      "financial_year, high_needs_income_gbp, source); default: the published allocations shipped")
    percent_a_year_option(plan, "--income-growth-pct", default=3.0, low=-50, high=100,
                          help="assumed growth of income after the last year given", old_flag="--income-growth")
    plan.add_argument("--opening-balance", type=finite_number(-1e12, 1e12), default=0.0, metavar="GBP",
                      help="high-needs DSG balance at the start of the first year, negative for a deficit (default 0)")
    _common(plan)
    plan.set_defaults(handler=_deficit_plan)


def _common(parser: argparse.ArgumentParser) -> None:
    data_option(parser)
    output_options(parser)
    parser.add_argument("--replications", type=REPLICATIONS, metavar="N",
                        help="simulation runs per scenario (default: the scenario file's)")
    parser.add_argument("--la", metavar="NAME_OR_CODE",
                        help="run the scenarios for this LA instead of the one they name (levers kept as written; "
                             "places and unit costs become the LA's defaults)")


def _load(args: argparse.Namespace, files: list[str]) -> list[LoadedScenario]:
    """The scenario files, re-targeted at ``--la`` when given; an LA whose series a boundary
    change breaks is refused with the reason."""
    loaded = load_scenarios(files)
    dataset = store.load_dataset(args.data)
    if args.la:
        loaded, notes = retarget(loaded, dataset, args.la, args.data)
        for note in notes:
            print(f"note: {note}")
    check_series(dataset, loaded[0].scenario.scenario.la, loaded[0].scenario.scenario.start_year)
    return loaded


def _simulate(args: argparse.Namespace, loaded: list[LoadedScenario]) -> tuple[Dataset, Comparison]:
    dataset = store.load_dataset(args.data)
    n = args.replications or loaded[0].scenario.scenario.replications
    with progress_bar(n * len(loaded), "simulating", quiet=args.quiet) as progress:
        return dataset, compare(dataset, loaded, replications=n, progress=progress, data=args.data)


def _record(run: Run, loaded: list[LoadedScenario], comparison) -> None:
    record_scenarios(run, loaded)
    run.details.update({"seed": comparison.seed, "replications": comparison.replications})


def _capacity(item: LoadedScenario) -> pd.DataFrame:
    places = item.scenario.special_places
    frames = []
    if places.capacity_file:
        frames.append(read_capacity(Path(places.capacity_file)))
    elif item.capacity is not None and not item.capacity.empty:
        frames.append(item.capacity)
    for extra in places.additional:
        frames.append(pd.DataFrame([{"school": extra.name, "urn": "", "phase": extra.phase, "designation": "",
                                     "places": extra.places, "from_year": extra.from_year, "to_year": extra.to_year,
                                     "source": extra.source or str(item.files[0]), "confidence": "scenario"}]))
    if not frames:
        raise SendcastError(f"{item.files[0]}: SCAP needs special school capacity; set special_places.capacity_file "
                            f"(no capacity file or third-party figure for {item.scenario.scenario.la})")
    table = pd.concat(frames, ignore_index=True)
    for column in ("from_year", "to_year"):
        table[column] = table[column].astype("Int64")
    return table


def _scap(args: argparse.Namespace) -> int:
    loaded = _load(args, [args.scenario])
    info = loaded[0].scenario.scenario
    first = args.first_year or info.start_year + 1
    name = loaded[0].name
    with run_folder(args.out, command="export-scap", label=Path(args.scenario).stem, force=args.force) as run:
        dataset, comparison = _simulate(args, loaded)
        la_code = dataset.geography.resolve(comparison.la)["la_code"]
        inputs = scap_inputs(dataset, la_code)
        capacity = _capacity(loaded[0])
        table = scap_forecast(comparison.summary, name, capacity, inputs, first_year=first)
        layout = return_layout(table, inputs)
        need = unrounded_need(comparison.summary, name, inputs, first_year=first)
        notes = scap_notes(inputs, comparison, name, need)
        _record(run, loaded, comparison)
        atomic.write_csv(run.path("scap.csv"), table)
        atomic.write_csv(run.path("scap_return.csv"), layout)
        atomic.write_csv(run.path("scap_unrounded.csv"), need.round(3))
        atomic.write_text(run.path("scap_notes.txt"), "\n".join(notes) + "\n")
        shown = table.rename(columns={
            "planning_area": "Pseudo planning area", "phase": "Phase", "year": "January",
            "academic_year": "Academic year", **{k: f"{v} (pupils)" for k, v in PROVISIONS.items()},
            "specialist_total": "Specialist places needed (pupils)", "capacity": "State-funded places (capacity file)",
            "planned_places": "of which planned (not yet open)", "gap": "Need minus places", "capacity_note": "Note"})
        write_workbook(run.path("scap.xlsx"), [
            Sheet("SCAP return", f"{comparison.la}: resident pupils with an EHC plan needing a specialist place",
                  f"Whole pupils (largest remainder: types add up to the total), mean of {comparison.replications} "
                  f"simulation runs of '{name}'. Primary 5 and secondary 7 academic years ahead. See Notes.",
                  layout, {c: "count" for c in layout.columns[len(RETURN_KEYS):]}),
            Sheet("Need against places", f"{comparison.la}: specialist need beside state-funded places",
                  "Places from the capacity file. How each column is derived: see the README (SCAP export).", shown,
                  {c: "count" for c in shown.columns if "(" in c or c in ("Need minus places",
                                                                           "of which planned (not yet open)")}
                  | {"January": "year"}),
            Sheet("Notes", "How the figures are derived, and why some series move against the others", "",
                  pd.DataFrame({"Note": notes}), {}),
        ])
    print(f"{comparison.la}: SCAP specialist-place forecast, {comparison.replications} runs (whole pupils)")
    print(layout.drop(columns=["planning_area_code"]).to_string(index=False))
    print("\nNotes:")
    for note in notes:
        print(f"  - {note}")
    print(f"\nWritten to {run.target}: scap_return.csv, scap.csv, scap_unrounded.csv, scap_notes.txt and scap.xlsx.")
    return 0


def _parameters(comparison: Comparison, name: str):
    """The scenario's central simulation parameters (undrawn: :attr:`Comparison.parameters`)."""
    return comparison.parameters[name]


def scap_notes(inputs, comparison, name: str, need: pd.DataFrame) -> list[str]:
    """The derivation notes and an explanation of every series moving against the others."""
    blocks = _parameters(comparison, name).special_places.blocks
    model_places = None
    if blocks is not None:
        years = range(int(need["year"].min()) - 1, int(need["year"].max()) + 1)
        model_places = {y: sum(b.places for b in blocks if (b.from_year is None or b.from_year <= y)
                               and (b.to_year is None or b.to_year >= y)) for y in years}
    ap = ", ".join(f"{p} {s:.0%}" for p, s in inputs.ap_phase_shares.items())
    notes = [
        inputs.planning_area_note,
        "Primary = ages 4-10, secondary = ages 11-15 on the January census day (SCAP counts year groups R-Y6 and "
        "Y7-Y11; they differ only for children taught out of their year group). Post-16 is not forecast.",
        f"Non-maintained special schools are counted with state-funded special, as SCAP asks: the simulation does "
        f"not separate them from independent special schools, so their published share in January "
        f"{inputs.non_maintained_year} ({inputs.non_maintained_share:.1%} of independent and non-maintained special "
        "placements, SEN2) is held constant in both phases (an assumption).",
        f"Alternative provision: the simulation's AP placements (all ages) times the published share aged 4-10 "
        f"and 11-15 (SEN2 by single year of age, January {'+'.join(map(str, inputs.ap_years))} pooled: {ap}).",
        "Whole pupils: each phase and year's provision types are rounded by the largest remainder method, so they "
        "add up to the rounded total; scap_unrounded.csv has the unrounded means.",
    ]
    return notes + against_the_trend_notes(need, comparison.summary, name, model_places=model_places)


def _income(args: argparse.Namespace, la_name: str, last_year: str) -> pd.DataFrame:
    if args.income:
        income = read_income_file(Path(args.income))
    else:
        income = published_income(paths.raw_dir(paths.data_dir(args.data)) / "finance" / PUBLISHED_FILE, la_name)
    return extend_income(income, last_year, args.income_growth_pct)


def _unit_costs(comparison, name: str) -> dict[str, float]:
    costs = _parameters(comparison, name).costs.placement_gbp_per_year
    by_type = dict(zip(PLACEMENTS, np.asarray(costs, dtype=float)))
    return {component: by_type.get(component, np.nan) for _, component, _ in PROVISION}


def _plan_sheet(plan: pd.DataFrame, scenario: str, name: str, title: str) -> Sheet:
    rows = plan[plan["scenario"] == scenario]
    wide = rows.pivot_table(index=["section", "item", "unit"], columns="financial_year", values="value",
                            sort=False, dropna=False).reset_index()
    wide.columns = ["Section", "Item", "Unit", *wide.columns[3:]]
    return Sheet(name, title, "Financial years April-March. Plans are financial-year averages of the "
                 "January caseloads; spend is the run's own, in cash terms.", wide,
                 {c: "decimal" for c in wide.columns[3:]})


def _deficit_plan(args: argparse.Namespace) -> int:
    loaded = _load(args, [args.baseline, args.mitigated])
    base, mitigated = loaded[0].name, loaded[1].name
    started = time.perf_counter()
    with run_folder(args.out, command="export-deficit-plan", label=Path(args.mitigated).stem,
                    force=args.force) as run:
        dataset, comparison = _simulate(args, loaded)
        years = sorted(set(comparison.spend["financial_year"]))
        income = _income(args, dataset.geography.resolve(comparison.la)["la_name"], years[-1])
        plan = deficit_plan(comparison.summary, comparison.spend, unmitigated=base, mitigated=mitigated,
                            income=income, unit_costs_gbp=_unit_costs(comparison, base),
                            opening_balance_gbp=args.opening_balance)
        _record(run, loaded, comparison)
        if args.income:
            run.record_input(Path(args.income), "high-needs income file")
        run.details["income_growth_pct"] = args.income_growth_pct
        run.details["opening_balance_gbp"] = args.opening_balance
        run.timings["total"] = round(time.perf_counter() - started, 2)
        atomic.write_csv(run.path("deficit_plan.csv"), plan)
        cyp = _cyp_tables(dataset, comparison, [(f"unmitigated: {base}", base), (f"mitigated: {mitigated}", mitigated)])
        cyp = cyp[cyp["financial_year"].isin(years)]  # the plan's financial years
        atomic.write_csv(run.path("deficit_plan_cyp.csv"), cyp)
        assumptions = pd.DataFrame([
            ("Unmitigated forecast", base, str(loaded[0].files[0])),
            ("Mitigated forecast", mitigated, str(loaded[1].files[0])),
            ("High-needs income", "published allocations (before deductions)" if not args.income else args.income,
             "ESFA DSG allocation tables" if not args.income else "council's file"),
            ("Income growth after the last year given", f"{args.income_growth_pct:g}% a year",
             "assumption (--income-growth-pct)"),
            ("Opening high-needs balance", args.opening_balance, "assumption (--opening-balance)"),
            ("Simulation runs per scenario", comparison.replications, "paired: same random numbers"),
            ("Spend", "cash terms, inflated from the price base at the scenario's rate", "scenario file"),
        ], columns=["Assumption", "Value", "Source"])
        assumptions["Value"] = assumptions["Value"].map(lambda v: v if isinstance(v, (int, float)) else str(v))
        income_sheet = income.rename(columns={"financial_year": "Financial year", "high_needs_income_gbp":
                                              "High-needs income (£)", "status": "Status", "source": "Source"})
        write_workbook(run.path("deficit_plan.xlsx"), [
            _plan_sheet(plan, f"unmitigated: {base}", "Unmitigated", f"Unmitigated forecast: {base}"),
            _plan_sheet(plan, f"mitigated: {mitigated}", "Mitigated", f"Mitigated forecast: {mitigated}"),
            _plan_sheet(plan, "difference", "Difference", "Difference: mitigated minus unmitigated"),
            _cyp_sheet(cyp, f"unmitigated: {base}", "CYP unmitigated"),
            _cyp_sheet(cyp, f"mitigated: {mitigated}", "CYP mitigated"),
            Sheet("Income", "High-needs block income", "Published allocations, or the council's file; later years "
                  "grow at the stated assumption.", income_sheet, {"High-needs income (£)": "gbp"}),
            Sheet("Assumptions", "Assumptions, in plain English", "", assumptions, {}),
        ])
    _print_plan(plan, base, mitigated, run.target)
    return 0


def _cyp_tables(dataset: Dataset, comparison, scenarios: list[tuple[str, str]]) -> pd.DataFrame:
    """The children-and-young-people table (placement x age band x need) for each scenario."""
    la_code = dataset.geography.resolve(comparison.la)["la_code"]
    pattern = published_pattern(dataset, la_code)
    years = sorted(int(y) for y in comparison.summary["year"].unique())
    shares, method = projected_need_shares(dataset, la_code, years)
    return pd.concat([cyp_table(pattern, comparison.summary[comparison.summary["scenario"] == name], shares,
                                scenario=label, share_method=method) for label, name in scenarios],
                     ignore_index=True)


def _cyp_sheet(cyp: pd.DataFrame, scenario: str, name: str) -> Sheet:
    rows = cyp[cyp["scenario"] == scenario]
    wide = rows.pivot_table(index=["financial_year", "placement", "age_band"], columns="need", values="plans",
                            sort=False).reset_index()
    needs = [n for n in PRIMARY_NEEDS if n in wide.columns]
    wide = wide[["financial_year", "placement", "age_band", *needs]]
    wide["All needs"] = wide[needs].sum(axis=1)
    wide.columns = ["Financial year", "Placement", "Age band", *[PRIMARY_NEEDS[n] for n in needs], "All needs"]
    return Sheet(name, f"Children and young people with an EHC plan: {scenario}",
                 "Plans (financial-year average of January caseloads) by placement, age band and primary need. "
                 + rows["method"].iloc[0] + ".", wide, {c: "decimal" for c in wide.columns[3:]})


def _print_plan(plan: pd.DataFrame, base: str, mitigated: str, target: Path) -> None:
    item = "Cumulative position (opening balance + in-year)"
    rows = plan[plan["item"] == item].pivot_table(index="financial_year", columns="scenario", values="value",
                                                  sort=False)
    print(f"Cumulative high-needs position (GBP m, cash; negative = deficit): {base} vs {mitigated}")
    print((rows / 1e6).round(1).to_string())
    print(f"\nWritten to {target}: deficit_plan.csv, deficit_plan_cyp.csv (EHC plans by placement, age band and "
          "primary need) and deficit_plan.xlsx.")

