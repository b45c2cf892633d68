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
import numpy as np
import pandas as pd

from sendcast.data import paths
from sendcast.runtime import atomic
from sendcast.data.capacity import THIRD_PARTY_FILE, capacity_file
from sendcast.data.population import population_note
from sendcast.reporting.charts import scenarios_with_history_chart
from sendcast.commands.options import (MAX_YEARS, REPLICATIONS, SEED, YEAR, backend_options, data_option, la_selection_options,
                                       output_options, whole_number)
from sendcast.data import store
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.notes import Note, NoteKind, notes_of, subjects
from sendcast.reporting.fit_report import print_report, target_checks
from sendcast.runtime.progress import announce, progress_bar
from sendcast.runtime.runs import run_folder
from sendcast.scenarios.files import as_things_stand, load_scenario
from sendcast.scenarios.option_cost_setup import default_transport, transport_note
from sendcast.scenarios.pipeline import LoadedScenario
from sendcast.scenarios.retarget import check_series, retarget
from sendcast.scenarios.replications import run_replications
from sendcast.scenarios.discrepancy import for_run, widen_summary
from sendcast.scenarios.validation import ORIGINS, band_summary
from sendcast.scenarios.validation_all_las import validate_one_la
from sendcast.scenarios.national_simulation import DEFAULT_CHUNK
from sendcast.commands.calibrate_all_las import calibrate_all_las, check_origins
from sendcast.commands.simulate_all_las import add_options as add_all_las_options, simulate_all_las
from sendcast.scenarios.parameters import (MIN_CALIBRATION_YEARS, baseline_path, build_parameters, calibrate_la,
                                           calibration_start, counting_noise_note, latest_complete_january,
                                           refusal_change_note, withheld_requests_note,
                                           usual_calibration_start,
                                           capacity_adjustment_choice, changed_fields,
                                           mid_phase_moves_note, trends_line,
                                           draw_spread, duration_key, la_history, parameter_draws, placement_costs,
                                           scenario_places,
                                           special_place_notes)
from sendcast.scenarios.timeliness_setup import duration_note, known_fit
from simulation.calibration import MID_PHASE_MOVES_SCALE
from simulation import simulate
from simulation.parameters import Assessment
from simulation.runner import SUMMARY_COLUMNS

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
#: What the bands are (issue 19: "simulation noise" against "what we expect").
_REPLICATIONS_BAND = (
    "2.5th-97.5th percentiles of the replications, each with its own draw of the parameters: the request growth "
    "and capacity response by bootstrap over the fitted years, and requests, identification at SEN support, "
    "conversion of the work in hand into new plans and the placement mix (state special, independent, AP, FE and "
    "other) with the spread of their errors out of sample on every LA's published figures before the start "
    "(sendcast.scenarios.predictive), plus each replication's own random numbers; levels, ceasing and the damping "
    "are held")
_NOISE_BAND = ("lo95/hi95 in differences.csv: SIMULATION NOISE (Monte Carlo), the 95% confidence interval of the "
               "mean paired difference (how precisely the replications pin down the mean, not the range of outcomes)")
BANDS = (f"lo95/hi95 in simulation.csv: PREDICTIVE (what we expect): the {_REPLICATIONS_BAND}; for the totals of "
         "EHC plans, state special, independent special, AP, FE, other, requests, new plans, the 20-week share and "
         "SEN support (the measures validated), widened by the "
         "model discrepancy (the error those bands missed one to four years ahead out of sample on every LA, checks "
         "known at the start January: sendcast.scenarios.discrepancy, data/evidence/simulation_checks_all_las.csv; "
         "beyond the four years measured EXTRAPOLATED as a random walk, an assumption). "
         + _NOISE_BAND)
#: The same without the shipped checks (no discrepancy known: not widened).
UNWIDENED_BANDS = (f"lo95/hi95 in simulation.csv: PREDICTIVE: the {_REPLICATIONS_BAND}; NOT widened by the model "
                   "discrepancy (no checks known at the start: they under-cover out of sample, see sendcast "
                   "calibrate --validate). " + _NOISE_BAND)
DEFAULT_SEED = 20251122


def register(commands: argparse._SubParsersAction) -> None:
    calibrate = commands.add_parser("calibrate", help="fit the simulation to an LA's history and report the fit")
    which = calibrate.add_mutually_exclusive_group(required=True)
    which.add_argument("--la", metavar="NAME_OR_CODE", help="LA name, code or number")
    which.add_argument("--all-las", action="store_true",
                       help="out-of-sample validation (as --validate) of every LA with the data, one task per LA: "
                            "a national table, a summary per measure, and the LAs left out with the missing input")
    calibrate.add_argument("--start-year", type=YEAR, metavar="YEAR",
                           help="the January the fit ends in (default: the latest published caseload)")
    calibrate.add_argument("--replications", type=REPLICATIONS, default=8, metavar="N",
                           help="discrete-event replications for the 20-week check (default 8)")
    calibrate.add_argument("--seed", type=SEED, default=DEFAULT_SEED, metavar="S")
    calibrate.add_argument("--validate", action="store_true",
                           help="out-of-sample validation: calibrate at each origin on the data to it, project and "
                                "score against what was published, beside the forecast engine (validation.csv)")
    calibrate.add_argument("--origins", type=YEAR, nargs="+", default=list(ORIGINS), metavar="YEAR",
                           help="origin Januaries of --validate (default: %(default)s)")
    la_selection_options(calibrate)
    calibrate.add_argument("--checkpoint", metavar="DIR",
                           help="with --all-las: save each LA's result in DIR as it finishes; a rerun with the same "
                                "settings reads those back instead of running them again")
    data_option(calibrate)
    output_options(calibrate)
    backend_options(calibrate)
    calibrate.set_defaults(handler=_calibrate)

    simulate_ = commands.add_parser("simulate", help="simulate the pathway for an LA, as things stand or a scenario")
    which = simulate_.add_mutually_exclusive_group(required=True)
    which.add_argument("--la", metavar="NAME_OR_CODE", help="LA name, code or number")
    which.add_argument("--all-las", action="store_true",
                       help="the national simulation: --scenario and its baseline re-targeted at every LA with the "
                            "data, one set-up task per LA and one simulation task per LA and --chunk of "
                            "replications (default 100 replications)")
    simulate_.add_argument("--scenario", metavar="FILE",
                           help="a scenario file (TOML); its baseline (the root of its based_on chain) is run too")
    simulate_.add_argument("--years", type=whole_number(1, MAX_YEARS), metavar="N",
                           help="years to simulate (default: the scenario's, or 10)")
    simulate_.add_argument("--replications", type=REPLICATIONS, metavar="N",
                           help=f"replications per scenario (default: the scenario's, or {DEFAULT_REPLICATIONS})")
    simulate_.add_argument("--seed", type=SEED, metavar="S",
                           help=f"random seed (default: the scenario's, or {DEFAULT_SEED})")
    simulate_.add_argument("--start-year", type=YEAR, metavar="YEAR",
                           help="the January caseload to start from (default: the scenario's, or the latest published)")
    add_all_las_options(simulate_)
    data_option(simulate_)
    output_options(simulate_)
    backend_options(simulate_)
    simulate_.set_defaults(handler=_simulate)


# ----------------------------------------------------------------------------- helpers
def _latest_caseload_year(history) -> int:
    """The January a run starts from unless told (:func:`latest_complete_january`), its note
    printed when it is not the latest January with plans."""
    year, note = latest_complete_january(history)
    if note:
        print(f"note: {note}; --start-year chooses another")
    return year


def _validation_replications(asked: int) -> int:
    """Replications of ``--validate``: at least 30 unless ``--replications`` says otherwise
    (its default, 8, is the plain calibration's)."""
    return max(asked, 30) if asked == 8 else asked


def _positive(value: int | None, name: str) -> None:
    if value is not None and value < 1:
        raise SendcastError(f"{name} must be at least 1, found {value}")


# --------------------------------------------------------------------------- calibrate
def _calibrate(args: argparse.Namespace) -> int:
    _positive(args.replications, "--replications")
    if not args.all_las:
        for option, given in (("--las", args.las), ("--every", args.every), ("--neighbours-of", args.neighbours_of),
                              ("--checkpoint", args.checkpoint),
                              ("--backend", args.backend != "local"), ("--workers", args.workers),
                              ("--scheduler", args.scheduler)):
            if given:
                raise SendcastError(f"{option} needs --all-las")
    dataset = store.load_dataset(args.data)
    if args.all_las:
        return calibrate_all_las(args, dataset, _validation_replications(args.replications))
    history = la_history(dataset, args.la)
    if args.validate:
        return _validate(args, dataset, history)
    start_year = args.start_year or _latest_caseload_year(history)
    timings = {}
    began = time.perf_counter()
    announce(1, 3, f"calibrating {history.la_name}'s rates to its published history", quiet=args.quiet)
    check_series(dataset, history.la_code, start_year)
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
    population = population_note(dataset.measures, history.la_code, params.start_year, start_year)
    with run_folder(args.out, command="calibrate", label=history.la_name, force=args.force) as run:
        atomic.write_csv(run.path("calibration.csv"), report, float_format="%.6g")
        atomic.write_csv(run.path("targets.csv"), checks)
        fitted = pd.DataFrame({"parameter": list(result.fitted), "value": list(result.fitted.values())})
        estimates = result.estimates.melt(id_vars="year", var_name="parameter")
        atomic.write_csv(run.path("fitted_parameters.csv"), pd.concat([fitted.assign(year=""), estimates],
                         ignore_index=True)[["parameter", "year", "value"]], float_format="%.6g")
        run.timings.update(timings)
        run.details.update({"la_code": history.la_code, "la_name": history.la_name,
                            "window_january": [params.start_year, start_year], "seed": args.seed,
                            "des_replications": args.replications, "optimiser": result.message,
                            "targets_passed": int(checks["passed"].sum()), "targets": len(checks),
                            "parameters_at_bounds": list(result.at_bounds),
                            "population": population})
        target = run.target
    print_report(label, report, checks, result.fitted, result.at_bounds)
    if population:
        print(population)
    print(f"Wrote {target}")
    return 0


def _validate(args: argparse.Namespace, dataset, history) -> int:
    check_origins(args.origins, _latest_caseload_year(history))
    replications = _validation_replications(args.replications)
    began = time.perf_counter()
    with progress_bar(replications * len(set(args.origins)), "validation replications", quiet=args.quiet) as update:
        result, capacity_path = validate_one_la(dataset, history.la_code, origins=args.origins,
                                                replications=replications, seed=args.seed, data=args.data,
                                                progress=update)
    seconds = round(time.perf_counter() - began, 2)
    with run_folder(args.out, command="calibrate", label=f"{history.la_name}-validation", force=args.force) as run:
        result.table.to_csv(run.path("validation.csv"), index=False, float_format="%.6g", lineterminator="\n")
        result.targets.to_csv(run.path("validation_targets.csv"), index=False, lineterminator="\n")
        band_summary(result.table).to_csv(run.path("validation_bands.csv"), index=False, float_format="%.6g",
                                          lineterminator="\n")
        if capacity_path is not None:
            run.record_input(capacity_path, "special school places")
        run.timings["validation"] = seconds
        run.details.update({"la_code": history.la_code, "la_name": history.la_name, "origins": args.origins,
                            "replications": replications, "seed": args.seed, "notes": list(result.notes)})
        target = run.target
    _print_validation(history.la_name, result)
    print(f"Wrote {target}")
    return 0


def _print_validation(la_name: str, result) -> None:
    print(f"{la_name}: out-of-sample validation (simulation beside the forecast engine; errors % of published, "
          "points for the 20-week and SEN support shares; flows are calendar years, counts January).")
    table = result.table
    print(f"  {'measure':26} {'origin':>6} {'h':>2} {'year':>5} {'published':>9} {'simulated':>9} {'error':>7} "
          f"{'in95':>5} {'pass':>5} {'forecast':>9} {'f.error':>7} {'f.pass':>6}")
    for row in table.itertuples(index=False):
        def mark(value) -> str:
            return "" if value is None or (isinstance(value, float) and np.isnan(value)) else ("yes" if value else "NO")
        print(f"  {row.measure:26} {row.origin:>6} {row.horizon:>2} {row.year:>5} {row.published:>9,.1f} "
              f"{row.simulated:>9,.1f} {row.error:>+7.1f} {mark(row.inside_95):>5} {mark(row.passed):>5} "
              f"{row.forecast:>9,.1f} {row.forecast_error:>+7.1f} {mark(row.forecast_passed):>6}")
    print("  Targets (one year ahead, over the origins; beside the planner's baselines: naive = the latest value "
          "published at the origin, straight line = through the last five):")
    def verdict(value) -> str:
        return "n/a" if value is None or value != value else ("PASS" if value else "FAIL")

    for row in result.targets.itertuples(index=False):
        print(f"    {row.target:26} {row.rule:58} simulation {row.simulation:>18} {verdict(row.simulation_passed):4}"
              f"  forecast {row.forecast:>18} {verdict(row.forecast_passed):4}"
              f"  naive {row.naive:>18} {verdict(row.naive_passed):4}"
              f"  straight line {row.straight_line:>18} {verdict(row.straight_line_passed)}")
    bands = band_summary(table)
    print("  95% bands one year ahead (simulation PREDICTIVE beside the forecast engine's; width: median, % of the "
          "published value, counts and flows):")
    for row in bands[bands["measure"] == "all"].itertuples(index=False):
        print(f"    origin {row.origin:>4}: simulation covers {row.simulation_inside_95} of {row.checks}, width "
              f"{row.simulation_median_width:.1f}%; widened by the discrepancy known then "
              f"{row.calibrated_inside_95} of {row.checks}, width {row.calibrated_median_width:.1f}%; forecast "
              f"covers {row.forecast_inside_95} of {row.forecast_checks}, width {row.forecast_median_width:.1f}%")
    for note in result.notes:
        print(f"  note: {note}")


# ---------------------------------------------------------------------------- simulate
def _simulate(args: argparse.Namespace) -> int:
    for name in ("years", "replications", "workers"):
        _positive(getattr(args, name), f"--{name}")
    if not args.all_las:
        for option, given in (("--las", args.las), ("--every", args.every), ("--neighbours-of", args.neighbours_of),
                              ("--chunk", args.chunk != DEFAULT_CHUNK)):
            if given:
                raise SendcastError(f"{option} needs --all-las")
    dataset = store.load_dataset(args.data)
    if args.all_las:
        return simulate_all_las(args, dataset)
    history = la_history(dataset, args.la)
    scenario = baseline = default_places = None
    chain: list[Path] = []
    if args.scenario:
        scenario, _, chain = load_scenario(args.scenario)
        baseline, _, _ = load_scenario(baseline_path(chain))
        # A scenario written for another LA is re-targeted at --la (sendcast.scenarios.retarget).
        (item, base_item), retarget_notes = retarget([LoadedScenario(scenario, {}, tuple(chain)),
                                                      LoadedScenario(baseline, {}, ())], dataset, history.la_code,
                                                     args.data)
        scenario, baseline, default_places = item.scenario, base_item.scenario, item.capacity
        for note in retarget_notes:
            print(f"note: {note}")
    info = scenario.scenario if scenario is not None else None
    start_year = args.start_year or (info.start_year if info else _latest_caseload_year(history))
    horizon = args.years or (info.horizon if info else 10)
    replications = args.replications or (info.replications if info else DEFAULT_REPLICATIONS)
    seed = args.seed if args.seed is not None else (info.seed if info else DEFAULT_SEED)
    if horizon > 50:
        raise SendcastError(f"--years must be at most 50, found {horizon}")

    timings = {}
    began = time.perf_counter()
    check_series(dataset, history.la_code, start_year)
    fit = calibrate_la(dataset, history.la_code, start_year=start_year)
    timings["calibration"] = round(time.perf_counter() - began, 2)
    if scenario is None:
        # As things stand: the defaults a scenario file gets (one meaning of baseline, one
        # money convention; sendcast.scenarios.files.as_things_stand)
        scenario = as_things_stand(history.la_name, start_year)
    capacity = default_places
    if capacity is None:
        capacity, _ = scenario_places(dataset, history, scenario, args.data, start_year)
    scenarios = {}
    if chain and baseline_path(chain) != chain[0]:
        scenarios[baseline.scenario.name] = build_parameters(
            dataset, history.la_code, start_year=start_year, horizon=horizon, scenario=baseline, calibration=fit,
            data=args.data, capacity=None if baseline.special_places.capacity_file else default_places)
    main_name = scenario.scenario.name
    scenarios[main_name] = build_parameters(dataset, history.la_code, start_year=start_year, horizon=horizon,
                                            scenario=scenario, capacity=capacity, calibration=fit, data=args.data)
    base_name = next(iter(scenarios))
    notes = _notes(history, start_year, capacity, scenario, args.data, dataset, horizon)
    notes.append(Note(NoteKind.RATES, mid_phase_moves_note(history, start_year, fit.parameters.placement.mid_phase_moves,
                                                           fit.fitted.get(MID_PHASE_MOVES_SCALE))))

    rules = {name: item.trends.rule
             for name, item in zip(scenarios, ([baseline] if len(scenarios) == 2 else []) + [scenario])}
    # the spread of the predictive draws is measured at the baseline's parameters: both
    # scenarios draw the same factors in the same replication (common random numbers)
    spreads = {rule: draw_spread(scenarios[base_name], history, fit, start_year, trends=rule)
               for rule in set(rules.values())}
    drawn = {name: parameter_draws(params, history, fit, start_year, seed, replications, trends=rules[name],
                                   spread=spreads[rules[name]])
             for name, params in scenarios.items()}

    began = time.perf_counter()
    with progress_bar(replications * len(scenarios), "replications", quiet=args.quiet) as update:
        results = run_replications(drawn, replications=replications, seed=seed, baseline=base_name,
                                   backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                                   progress=update)
    timings["replications"] = round(time.perf_counter() - began, 2)
    uncosted = [group.removeprefix("ehcp_") for group in subjects(notes, NoteKind.NOT_COSTED)]
    widening, _ = for_run(paths.data_dir(args.data), start_year)
    summary = results.summary if widening is None else widen_summary(results.summary, widening, start_year)
    summary = _drop_uncosted(summary, uncosted)
    differences = _drop_uncosted(results.differences, uncosted)

    with run_folder(args.out, command="simulate", label=f"{history.la_name}-{main_name}", force=args.force) as run:
        atomic.write_csv(run.path("simulation.csv"), summary[SUMMARY_COLUMNS], float_format="%.6g")
        if not differences.empty:
            atomic.write_csv(run.path("differences.csv"), differences[SUMMARY_COLUMNS], float_format="%.6g")
        _write_charts(run, history, summary, replications, start_year)
        for path in chain:
            run.record_input(path, "scenario")
        if capacity is not None and capacity_file(paths.data_dir(args.data), history.la_code).is_file():
            run.record_input(capacity_file(paths.data_dir(args.data), history.la_code), "special school places")
        elif capacity is not None and not capacity.empty:
            run.record_input(paths.raw_dir(paths.data_dir(args.data)) / "national" / THIRD_PARTY_FILE,
                             "special school places (third-party, low confidence)")
        run.timings.update(timings)
        run.details.update({
            "la_code": history.la_code, "la_name": history.la_name, "start_year_january": start_year,
            "horizon_years": horizon, "replications": replications, "seed": seed, "backend": args.backend,
            "scenarios": list(scenarios), "baseline": base_name,
            "scenario_changes": (changed_fields(scenarios[base_name], scenarios[main_name])
                                 if main_name != base_name else []),
            "calibration_fitted": fit.fitted, "notes": [str(note) for note in notes],
            "intervals": BANDS if widening is not None else UNWIDENED_BANDS,
            "data_manifest": dataset.manifest.get("inputs", []),
        })
        target = run.target
    _print_summary(summary, differences, history.la_name, start_year, horizon, replications, notes,
                   widened=widening is not None)
    print(f"Wrote {target} ({timings['replications']:.1f} s for {replications * len(scenarios)} replications)")
    return 0


def _notes(history, start_year, capacity, scenario, data, dataset=None, horizon: int = 10) -> list[Note]:
    """How the run's figures were made, as :class:`Note` objects (decided on by kind, printed as text)."""
    place_notes = special_place_notes(history, start_year, horizon, capacity, scenario, dataset)
    _, cost_notes = placement_costs(history, scenario, data, dataset)
    transport = default_transport(scenario)
    if transport is not None:
        cost_notes.append(Note(NoteKind.UNIT_COSTS, transport_note(transport)))
    capacity_note = ("assessment capacity: responds to the work in hand each January as it has since 2019 "
                     "(sendcast.scenarios.parameters.assessment_capacity); "
                     + capacity_adjustment_choice(history, start_year)[1].removeprefix(
                         "assessment capacity: ")
                     if scenario.assessment.capacity_rule == "responsive" else
                     "assessment capacity: frozen at today's level (scenario capacity_rule = \"frozen\")")
    if scenario.trends.rule == "damped":
        trends = trends_line(history, start_year)
    else:
        trends = ("trends: request and identification rates held at their last fitted values (scenario trends.rule = "
                  "\"held\")")
    return [*notes_of(NoteKind.SPECIAL_PLACES, place_notes), *cost_notes,
            Note(NoteKind.ASSESSMENT_CAPACITY, capacity_note), Note(NoteKind.TRENDS, trends),
            Note(NoteKind.RATES, rates_note(history, start_year)),
            *([] if (noise := counting_noise_note(history, start_year)) is None else [Note(NoteKind.RATES, noise)]),
            *([] if (refusals := refusal_change_note(history, start_year)) is None
              else [Note(NoteKind.RATES, refusals)]),
            *([] if (withheld := withheld_requests_note(getattr(dataset, "checks", None), history, start_year)) is None
              else [Note(NoteKind.RATES, withheld)]),
            Note(NoteKind.RATES, duration_note(known_fit(duration_key(history, start_year)), start_year, Assessment()))]


def rates_note(history, start_year: int) -> str:
    """The calibration's note: fitted to the published history, and from when when the LA's
    own series starts inside the usual window (an LA created by a boundary change)."""
    first = calibration_start(history, start_year)
    usual = usual_calibration_start(start_year)
    window = "" if first <= usual else (
        f" from January {first} only, where its own series starts ({start_year - first} years, not the usual "
        f"{start_year - usual}; at least {MIN_CALIBRATION_YEARS} allowed: benchmarks/evidence_calibration_window.py)")
    return (f"rates: calibrated to the published history{window}; age profiles are illustrative defaults "
            "(sendcast.scenarios.parameters)")


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


def _print_summary(summary, differences, la_name, start_year, horizon, replications, notes, *,
                   widened: bool) -> None:
    last = start_year + horizon
    print(f"{la_name}: simulated from January {start_year}, {horizon} years, {replications} replications "
          "per scenario (mean, and lo95 to hi95: a PREDICTIVE band, parameters drawn per replication with the "
          "spread of their out-of-sample errors, plus simulation noise"
          + (", and for the main totals the model discrepancy measured out of sample on every LA)." if widened else
             "; NOT widened by the model discrepancy: no checks known at the start)."))
    wanted = [("ehcp_total", "EHC plans, January", last), ("ehcp_independent_special",
              "independent special placements, January", last),
              ("requests", "requests for assessment", last - 1), ("new_plans", "new plans", last - 1),
              ("issued_within_20wk_pct", "% of new plans within 20 weeks", last - 1),
              ("cost_gbp", "cost, pounds (calendar year)", last - 1)]
    for table, title in ((summary, None), (differences, "difference from the baseline")):
        if table.empty:
            continue
        if title:
            print(f"Paired {title} (95% confidence interval of the mean: simulation noise only):")
        for name, part in table.groupby("scenario", sort=False):
            print(f"  {name}")
            index = part[part["breakdown"] == ""].set_index(["measure", "year"])
            for measure, label, year in wanted:
                if (measure, year) in index.index:
                    row = index.loc[(measure, year)]
                    print(f"    {label} {year}: {row['mean']:,.1f} ({row['lo95']:,.1f} to {row['hi95']:,.1f})")
    for note in notes:
        print(f"  note: {note}")
