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
from sendcast.commands.options import REPLICATIONS, YEAR, data_option, finite_number, output_options
from sendcast.commands.scenarios import record_scenarios
from sendcast.data import store
from sendcast.money.deficit_plan import PROVISION, deficit_plan
from sendcast.runtime.errors import SendcastError
from sendcast.money.income import PUBLISHED_FILE, extend_income, published_income, read_income_file
from sendcast.runtime.progress import progress_bar
from sendcast.runtime.runs import Run, run_folder
from sendcast.reporting.scap import scap_forecast
from sendcast.data.build import Dataset
from sendcast.scenarios.pipeline import Comparison, LoadedScenario, compare, load_scenarios
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
    plan.add_argument("--income-growth", type=finite_number(-50, 100), default=3.0, metavar="PCT",
                      help="assumed growth of income a year after the last year given (default 3%%)")
    plan.add_argument("--opening-balance", type=finite_number(-1e12, 1e12), default=0.0, metavar="GBP",
                      help="high-needs DSG balance at the start of the first year, negative for a deficit (default 0)")
    _common(plan)
    plan.set_defaults(handler=_deficit_plan)


def _common(parser: argparse.ArgumentParser) -> None:
    data_option(parser)
    output_options(parser)
    parser.add_argument("--replications", type=REPLICATIONS, metavar="N",
                        help="simulation runs per scenario (default: the scenario file's)")


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
    for extra in places.additional:
        frames.append(pd.DataFrame([{"school": extra.name, "urn": "", "phase": extra.phase, "designation": "",
                                     "places": extra.places, "from_year": extra.from_year, "to_year": extra.to_year,
                                     "source": extra.source or str(item.files[0]), "confidence": "scenario"}]))
    if not frames:
        raise SendcastError(f"{item.files[0]}: SCAP needs special school capacity; set special_places.capacity_file")
    table = pd.concat(frames, ignore_index=True)
    for column in ("from_year", "to_year"):
        table[column] = table[column].astype("Int64")
    return table


def _scap(args: argparse.Namespace) -> int:
    loaded = load_scenarios([args.scenario])
    info = loaded[0].scenario.scenario
    first = args.first_year or info.start_year + 1
    with run_folder(args.out, command="export-scap", label=Path(args.scenario).stem, force=args.force) as run:
        _, comparison = _simulate(args, loaded)
        table = scap_forecast(comparison.summary, loaded[0].name, _capacity(loaded[0]), first_year=first)
        _record(run, loaded, comparison)
        atomic.write_csv(run.path("scap.csv"), table)
        shown = table.rename(columns={
            "phase": "Phase", "year": "January", "academic_year": "Academic year",
            "state_special": "State special schools (pupils)", "resourced_unit": "SEN units and resourced provision "
            "(pupils)", "independent_special": "Independent and non-maintained special (pupils)",
            "specialist_total": "Specialist places needed (pupils)", "capacity": "State-funded places (capacity file)",
            "planned_places": "of which planned (not yet open)", "gap": "Need minus places", "capacity_note": "Note"})
        write_workbook(run.path("scap.xlsx"), [Sheet(
            "SCAP specialist forecast", f"{comparison.la}: resident pupils with an EHC plan needing a specialist place",
            f"Mean of {comparison.replications} simulation runs of '{loaded[0].name}'. Primary 5 and secondary 7 "
            "academic years ahead. How each column is derived: see the README (SCAP export).", shown,
            {c: "decimal" for c in shown.columns if "(" in c or c in ("Need minus places",
                                                                        "of which planned (not yet open)")}
            | {"January": "year"})])
    print(f"{comparison.la}: SCAP specialist-place forecast, {comparison.replications} runs")
    print(table.drop(columns=["capacity_note"]).round(0).to_string(index=False))
    print(f"\nWritten to {run.target}: scap.csv and scap.xlsx.")
    return 0


def _income(args: argparse.Namespace, la_name: str, last_year: str) -> pd.DataFrame:
    if args.income:
        income = read_income_file(Path(args.income))
    else:
        income = published_income(paths.raw_dir(paths.data_dir(args.data)) / "finance" / PUBLISHED_FILE, la_name)
    return extend_income(income, last_year, args.income_growth)


def _unit_costs(comparison, name: str) -> dict[str, float]:
    costs = comparison.parameters[name].costs.placement_gbp_per_year
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
    loaded = load_scenarios([args.baseline, args.mitigated])
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
        run.details["income_growth_pct"] = args.income_growth
        run.details["opening_balance_gbp"] = args.opening_balance
        run.timings["total"] = round(time.perf_counter() - started, 2)
        atomic.write_csv(run.path("deficit_plan.csv"), plan)
        assumptions = pd.DataFrame([
            ("Unmitigated forecast", base, str(loaded[0].files[0])),
            ("Mitigated forecast", mitigated, str(loaded[1].files[0])),
            ("High-needs income", "published allocations (before deductions)" if not args.income else args.income,
             "ESFA DSG allocation tables" if not args.income else "council's file"),
            ("Income growth after the last year given", f"{args.income_growth:g}% a year", "assumption (--income-growth)"),
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
            Sheet("Income", "High-needs block income", "Published allocations, or the council's file; later years "
                  "grow at the stated assumption.", income_sheet, {"High-needs income (£)": "gbp"}),
            Sheet("Assumptions", "Assumptions, in plain English", "", assumptions, {}),
        ])
    _print_plan(plan, base, mitigated, run.target)
    return 0


def _print_plan(plan: pd.DataFrame, base: str, mitigated: str, target: Path) -> None:
    item = "Cumulative position (opening balance + in-year)"
    rows = plan[plan["item"] == item].pivot_table(index="financial_year", columns="scenario", values="value",
                                                  sort=False)
    print(f"Cumulative high-needs position (GBP m, cash; negative = deficit): {base} vs {mitigated}")
    print((rows / 1e6).round(1).to_string())
    print(f"\nWritten to {target}: deficit_plan.csv and deficit_plan.xlsx.")

