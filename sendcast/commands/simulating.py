"""``sendcast calibrate`` and ``sendcast simulate``: the pathway simulation for one LA.

``calibrate`` fits the simulation's rates to the LA's published history and writes a fit
report (simulated against published, per measure and year) with pass or fail against
the targets. ``simulate`` runs replications of the LA as things stand, or of a scenario
file and its baseline, and writes ``simulation.csv`` (columns exactly
``scenario,measure,breakdown,year,mean,lo95,hi95``), charts and a manifest.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sendcast.data import paths
from sendcast.data.capacity import capacity_file, read_capacity
from sendcast.reporting.charts import scenarios_with_history_chart
from sendcast.commands.options import backend_options, data_option, output_options
from sendcast.data import store
from sendcast.runtime.errors import SendcastError
from sendcast.reporting.fit_report import print_report, target_checks
from sendcast.runtime.progress import announce, progress_bar
from sendcast.runtime.runs import run_folder
from sendcast.scenarios.files import load_scenario
from sendcast.scenarios.replications import run_replications
from sendcast.scenarios.parameters import (baseline_path, build_parameters, calibrate_la, changed_fields, la_history,
                                       special_place_blocks, unit_costs)
from simulation import simulate

SUMMARY_COLUMNS = ["scenario", "measure", "breakdown", "year", "mean", "lo95", "hi95"]
#: Charts: measure, title, units; history is the published series where there is one.
CHARTS = (
    ("ehcp_total", "EHC plans", "EHC plans (January)"),
    ("ehcp_state_special", "EHC plans in state special schools", "children and young people (January)"),
    ("ehcp_independent_special", "EHC plans in independent or non-maintained special schools",
     "children and young people (January)"),
    ("issued_within_20wk_pct", "New EHC plans issued within 20 weeks of the request", "per cent of new plans"),
    ("in_assessment", "Requests waiting for a decision or an assessment", "children (January)"),
    ("cost_gbp", "Cost of EHC plan placements, assessments and early support", "pounds a year (constant prices)"),
)
DEFAULT_REPLICATIONS = 100
DEFAULT_SEED = 20251122


def register(commands: argparse._SubParsersAction) -> None:
    calibrate = commands.add_parser("calibrate", help="fit the simulation to an LA's history and report the fit")
    calibrate.add_argument("--la", required=True, metavar="NAME_OR_CODE", help="LA name, code or number")
    calibrate.add_argument("--start-year", type=int, metavar="YEAR",
                           help="the January the fit ends in (default: the latest published caseload)")
    calibrate.add_argument("--replications", type=int, default=8, metavar="N",
                           help="discrete-event replications for the 20-week check (default 8)")
    calibrate.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S")
    data_option(calibrate)
    output_options(calibrate)
    calibrate.set_defaults(handler=_calibrate)

    simulate_ = commands.add_parser("simulate", help="simulate the pathway for an LA, as things stand or a scenario")
    simulate_.add_argument("--la", required=True, metavar="NAME_OR_CODE", help="LA name, code or number")
    simulate_.add_argument("--scenario", metavar="FILE",
                           help="a scenario file (TOML); its baseline (the root of its based_on chain) is run too")
    simulate_.add_argument("--years", type=int, metavar="N", help="years to simulate (default: the scenario's, or 10)")
    simulate_.add_argument("--replications", type=int, metavar="N",
                           help=f"replications per scenario (default: the scenario's, or {DEFAULT_REPLICATIONS})")
    simulate_.add_argument("--seed", type=int, metavar="S", help=f"random seed (default: the scenario's, or {DEFAULT_SEED})")
    simulate_.add_argument("--start-year", type=int, metavar="YEAR",
                           help="the January caseload to start from (default: the scenario's, or the latest published)")
    data_option(simulate_)
    output_options(simulate_)
    backend_options(simulate_)
    simulate_.set_defaults(handler=_simulate)


# ----------------------------------------------------------------------------- helpers
def _latest_caseload_year(history) -> int:
    years = history.rows.loc[(history.rows["measure"] == "ehcp_total") & (history.rows["breakdown"] == ""), "year"]
    if years.empty:
        raise SendcastError(f"{history.la_name}: no published EHC plan caseload")
    return int(years.max())


def _positive(value: int | None, name: str) -> None:
    if value is not None and value < 1:
        raise SendcastError(f"{name} must be at least 1, found {value}")


# --------------------------------------------------------------------------- calibrate
def _calibrate(args: argparse.Namespace) -> int:
    _positive(args.replications, "--replications")
    dataset = store.load_dataset(args.data)
    history = la_history(dataset, args.la)
    start_year = args.start_year or _latest_caseload_year(history)
    timings = {}
    began = time.perf_counter()
    announce(1, 3, f"calibrating {history.la_name}'s rates to its published history", quiet=args.quiet)
    result = calibrate_la(dataset, history.la_code, start_year=start_year)
    timings["calibration"] = round(time.perf_counter() - began, 2)
    params = result.parameters
    began = time.perf_counter()
    runs = []
    announce(2, 3, f"checking the fit with {args.replications} discrete-event runs", quiet=args.quiet)
    with progress_bar(args.replications, "discrete-event check", quiet=args.quiet) as update:
        for r in range(args.replications):
            runs.append(simulate(params, args.seed, r).to_frame())
            update(r + 1, args.replications)
    timings["discrete_event_check"] = round(time.perf_counter() - began, 2)
    des = pd.concat(runs).groupby(["measure", "breakdown", "year"])["value"].mean()
    report = result.report.copy()
    report["simulated_des"] = des.reindex(list(zip(report["measure"], report["breakdown"], report["year"]))).to_numpy()
    timely = report["measure"] == "issued_within_20wk_pct"
    report.loc[timely, "error_pct"] = report.loc[timely, "simulated_des"] - report.loc[timely, "actual"]
    checks = target_checks(report)
    label = f"{history.la_name} {params.start_year}-{start_year}"
    announce(3, 3, "writing the fit report", quiet=args.quiet)
    with run_folder(args.out, command="calibrate", label=history.la_name, force=args.force) as run:
        report.to_csv(run.path("calibration.csv"), index=False, float_format="%.6g", lineterminator="\n")
        checks.to_csv(run.path("targets.csv"), index=False, lineterminator="\n")
        fitted = pd.DataFrame({"parameter": list(result.fitted), "value": list(result.fitted.values())})
        estimates = result.estimates.melt(id_vars="year", var_name="parameter")
        pd.concat([fitted.assign(year=""), estimates], ignore_index=True)[["parameter", "year", "value"]].to_csv(
            run.path("fitted_parameters.csv"), index=False, float_format="%.6g", lineterminator="\n")
        run.timings.update(timings)
        run.details.update({"la_code": history.la_code, "la_name": history.la_name,
                            "window_january": [params.start_year, start_year], "seed": args.seed,
                            "des_replications": args.replications, "optimiser": result.message,
                            "targets_passed": int(checks["passed"].sum()), "targets": len(checks),
                            "parameters_at_bounds": list(result.at_bounds)})
        target = run.target
    print_report(label, report, checks, result.fitted, result.at_bounds)
    print(f"Wrote {target}")
    return 0


# ---------------------------------------------------------------------------- simulate
def _simulate(args: argparse.Namespace) -> int:
    for name in ("years", "replications", "workers"):
        _positive(getattr(args, name), f"--{name}")
    dataset = store.load_dataset(args.data)
    history = la_history(dataset, args.la)
    scenario = baseline = None
    chain: list[Path] = []
    if args.scenario:
        scenario, _, chain = load_scenario(args.scenario)
        named = dataset.geography.resolve(scenario.scenario.la)["la_code"]
        if named != history.la_code:
            raise SendcastError(f"{args.scenario}: the scenario is for {scenario.scenario.la} but --la is "
                                f"{history.la_name}; make them agree")
        baseline, _, _ = load_scenario(baseline_path(chain))
    info = scenario.scenario if scenario is not None else None
    start_year = args.start_year or (info.start_year if info else _latest_caseload_year(history))
    horizon = args.years or (info.horizon if info else 10)
    replications = args.replications or (info.replications if info else DEFAULT_REPLICATIONS)
    seed = args.seed if args.seed is not None else (info.seed if info else DEFAULT_SEED)
    if horizon > 50:
        raise SendcastError(f"--years must be at most 50, found {horizon}")

    timings = {}
    began = time.perf_counter()
    fit = calibrate_la(dataset, history.la_code, start_year=start_year)
    timings["calibration"] = round(time.perf_counter() - began, 2)
    capacity = None
    if scenario is None:
        default_file = capacity_file(paths.data_dir(args.data), history.la_code)
        capacity = read_capacity(default_file) if default_file.is_file() else None
    scenarios = {}
    if scenario is not None and baseline_path(chain) != chain[0]:
        scenarios[baseline.scenario.name] = build_parameters(
            dataset, history.la_code, start_year=start_year, horizon=horizon, scenario=baseline, calibration=fit,
            data=args.data)
    main_name = info.name if info else "As things stand"
    scenarios[main_name] = build_parameters(dataset, history.la_code, start_year=start_year, horizon=horizon,
                                            scenario=scenario, capacity=capacity, calibration=fit, data=args.data)
    base_name = next(iter(scenarios))
    notes = _notes(history, start_year, capacity, scenario, args.data)

    began = time.perf_counter()
    with progress_bar(replications * len(scenarios), "replications", quiet=args.quiet) as update:
        results = run_replications(scenarios, replications=replications, seed=seed, baseline=base_name,
                                   backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                                   progress=update)
    timings["replications"] = round(time.perf_counter() - began, 2)
    uncosted = [g.removeprefix("ehcp_") for note in notes if note.startswith("not costed")
                for g in note.split(": ", 1)[1].split(", ")]
    summary = _drop_uncosted(results.summary, uncosted)
    differences = _drop_uncosted(results.differences, uncosted)

    with run_folder(args.out, command="simulate", label=f"{history.la_name}-{main_name}", force=args.force) as run:
        summary[SUMMARY_COLUMNS].to_csv(run.path("simulation.csv"), index=False, float_format="%.6g",
                                        lineterminator="\n")
        if not differences.empty:
            differences[SUMMARY_COLUMNS].to_csv(run.path("differences.csv"), index=False, float_format="%.6g",
                                                lineterminator="\n")
        _write_charts(run, history, summary, replications, start_year)
        for path in chain:
            run.record_input(path, "scenario")
        if capacity is not None:
            run.record_input(capacity_file(paths.data_dir(args.data), history.la_code), "special school places")
        run.timings.update(timings)
        run.details.update({
            "la_code": history.la_code, "la_name": history.la_name, "start_year_january": start_year,
            "horizon_years": horizon, "replications": replications, "seed": seed, "backend": args.backend,
            "scenarios": list(scenarios), "baseline": base_name,
            "scenario_changes": (changed_fields(scenarios[base_name], scenarios[main_name])
                                 if main_name != base_name else []),
            "calibration_fitted": fit.fitted, "notes": notes,
            "intervals": "lo95/hi95 in simulation.csv: 2.5th-97.5th percentiles of the replications; in "
                         "differences.csv: 95% confidence interval of the mean paired difference",
            "data_manifest": dataset.manifest.get("inputs", []),
        })
        target = run.target
    _print_summary(summary, differences, history.la_name, start_year, horizon, replications, notes)
    print(f"Wrote {target} ({timings['replications']:.1f} s for {replications * len(scenarios)} replications)")
    return 0


def _notes(history, start_year, capacity, scenario, data) -> list[str]:
    if capacity is None and scenario is not None and scenario.special_places.capacity_file:
        capacity = read_capacity(Path(scenario.special_places.capacity_file))
    _, place_notes = special_place_blocks(history, start_year, capacity, scenario)
    _, cost_notes = unit_costs(history, scenario, data)
    return place_notes + cost_notes + ["rates: calibrated to the published history; age profiles, decision and "
                                       "assessment times are illustrative defaults (sendcast.scenarios.parameters)"]


def _drop_uncosted(table: pd.DataFrame, components: list[str]) -> pd.DataFrame:
    if table.empty or not components:
        return table
    drop = (table["measure"] == "cost_gbp") & table["breakdown"].isin([f"component={c}" for c in components])
    return table[~drop].reset_index(drop=True)


def _write_charts(run, history, summary: pd.DataFrame, replications: int, start_year: int) -> None:
    source = (f"sendcast simulation, {replications} replications from January {start_year}; "
              "published: DfE SEN2 (Open Government Licence v3.0)")
    for measure, title, units in CHARTS:
        rows = summary[(summary["measure"] == measure) & (summary["breakdown"] == "")]
        if rows.empty:
            continue
        frames = {name: part.set_index("year")[["mean", "lo95", "hi95"]] for name, part in rows.groupby(
            "scenario", sort=False)}
        published = history.rows[(history.rows["measure"] == measure) & (history.rows["breakdown"] == "")]
        published = published[published["year"] >= start_year - 6].set_index("year")["value"]
        figure = scenarios_with_history_chart(published, frames, title=f"{title}, {history.la_name}: simulated",
                                              units=units, source=source)
        figure.savefig(run.path(f"{measure}.png"))
        plt.close(figure)


def _print_summary(summary, differences, la_name, start_year, horizon, replications, notes) -> None:
    last = start_year + horizon
    print(f"{la_name}: simulated from January {start_year}, {horizon} years, {replications} replications "
          "per scenario (mean, and 95% of replications between lo95 and hi95).")
    wanted = [("ehcp_total", "EHC plans, January", last), ("ehcp_independent_special",
              "independent special placements, January", last),
              ("requests", "requests for assessment", last - 1), ("new_plans", "new plans", last - 1),
              ("issued_within_20wk_pct", "% of new plans within 20 weeks", last - 1),
              ("cost_gbp", "cost, pounds (calendar year)", last - 1)]
    for table, title in ((summary, None), (differences, "difference from the baseline")):
        if table.empty:
            continue
        if title:
            print(f"Paired {title} (95% confidence interval of the mean):")
        for name, part in table.groupby("scenario", sort=False):
            print(f"  {name}")
            index = part[part["breakdown"] == ""].set_index(["measure", "year"])
            for measure, label, year in wanted:
                if (measure, year) in index.index:
                    row = index.loc[(measure, year)]
                    print(f"    {label} {year}: {row['mean']:,.1f} ({row['lo95']:,.1f} to {row['hi95']:,.1f})")
    for note in notes:
        print(f"  note: {note}")
