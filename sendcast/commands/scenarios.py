"""``sendcast run``, ``sendcast compare`` and ``sendcast sweep``: scenario files in, a run
folder of tables, a finance workbook, a commissioners' report and charts out."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sendcast import __version__
from sendcast.runtime import atomic
from sendcast.commands.options import REPLICATIONS, backend_options, data_option, output_options
from sendcast.data.capacity import read_capacity
from sendcast.data.years import financial_year_start
from sendcast.reporting.psa_report import psa_sentences, psa_tables
from sendcast.reporting.comparison import (accuracy_lines, figures, headline_sentences, neighbours_sheet,
                                         option_sentences, sufficiency_sheet, workbook_sheets)
from sendcast.reporting.display import format_money
from sendcast.reporting.story import RunInfo, agreement_lines, engines_agreement, report
from sendcast.reporting.need_simulation import need_lines, option_need_lines, special_by_designation
from sendcast.forecasting.evidence import national_evidence
from sendcast.reporting.forecast_outputs import neighbour_lines, summary_lines, write_la_forecast, write_neighbours
from sendcast.forecasting.one_la import LaForecast, forecast_la
from sendcast.forecasting.neighbours import NeighbourComparison, compare_with_neighbours
from sendcast.data import store
from sendcast.data.paths import data_dir
from sendcast.scenarios.discrepancy import SHIPPED_CHECKS
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.parallel import Progress, map_tasks
from sendcast.runtime.progress import announce, progress_bar
from sendcast.runtime.runs import Run, run_folder
from sendcast.reporting.scenario_charts import sweep_chart
from sendcast.scenarios.retarget import check_series, retarget
from sendcast.scenarios.files import Scenario, merge_settings
from sendcast.scenarios.pipeline import Comparison, LoadedScenario, build_all_parameters, compare, load_scenarios
from sendcast.scenarios.recosting import COST_DRAWS_PER_RUN
from sendcast.scenarios.sweep import (SWEEP_OUTCOMES, SweepTask, break_even_along, grid, parse_vary, run_sweep_task,
                                     sweep_table)
from sendcast.reporting.workbook import write_workbook


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="simulate and cost one scenario file and write its report")
    run.add_argument("scenario", metavar="SCENARIO.toml")
    _common(run)
    run.set_defaults(handler=_run)

    comparison = commands.add_parser(
        "compare", help="compare options with a baseline (paired runs): changes, costs, NPV, break-even")
    comparison.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml",
                            help="the baseline first, then one or more options")
    _common(comparison)
    comparison.add_argument("--cost-draws", type=REPLICATIONS, default=COST_DRAWS_PER_RUN, metavar="K",
                            help="sensitivity analysis: draws of the inputs that only price activity (unit costs, "
                                 "cost per child...) on each simulated pair of runs, re-priced without simulating "
                                 f"again (default {COST_DRAWS_PER_RUN}; 1: one draw per run)")
    comparison.set_defaults(handler=_compare)

    sweep = commands.add_parser("sweep", help="run a scenario over a grid of one or two levers")
    sweep.add_argument("scenario", metavar="SCENARIO.toml")
    sweep.add_argument("--vary", action="append", required=True, metavar="SECTION.KEY=START:STOP:N",
                       help="a lever and its values, e.g. early_identification.relative_risk=0.6:1.2:7 "
                            "(repeat for a second lever)")
    _common(sweep)
    sweep.set_defaults(handler=_sweep)


def _common(parser: argparse.ArgumentParser) -> None:
    data_option(parser)
    output_options(parser)
    backend_options(parser)
    parser.add_argument("--replications", type=REPLICATIONS, metavar="N",
                        help="simulation runs per scenario (default: the scenario file's)")
    parser.add_argument("--la", metavar="NAME_OR_CODE",
                        help="run the scenarios for this LA instead of the one they name (levers kept as written; "
                             "places and unit costs become the LA's defaults)")


def record_scenarios(run: Run, loaded: list[LoadedScenario]) -> None:
    """Record every scenario file (once, with its checksum), the capacity and unit-cost files it
    names, and the scenarios as resolved, in the run's manifest."""
    seen = set()
    for item in loaded:
        for path in item.files:
            if path not in seen:
                seen.add(path)
                run.record_input(path, "scenario file")
        for optional, role in ((item.scenario.special_places.capacity_file, "capacity file"),
                               (item.scenario.costs.unit_costs_file, "unit costs file")):
            if optional and Path(optional) not in seen:
                seen.add(Path(optional))
                run.record_input(Path(optional), role)
    run.details["scenarios"] = {item.name: item.resolved for item in loaded}


def _simulate(args: argparse.Namespace, paths: list[str], *, progress: Progress | None = None
              ) -> tuple[list[LoadedScenario], Comparison, LaForecast, NeighbourComparison, dict, str]:
    loaded = load_scenarios(paths)
    dataset = store.load_dataset(args.data)
    if getattr(args, "la", None):
        loaded, notes = retarget(loaded, dataset, args.la, args.data)
        for note in notes:
            print(f"note: {note}")
    check_series(dataset, loaded[0].scenario.scenario.la, loaded[0].scenario.scenario.start_year)
    options = loaded[0].scenario.forecast
    if options.method != "auto" or options.growth_cap_pct is not None:
        raise SendcastError(f"{loaded[0].files[0]}: [forecast] method = 'auto' without growth_cap_pct is all that "
                            "run and compare apply so far (the backtest chooses each measure's method); remove the "
                            "other settings or use 'sendcast forecast'")
    info = loaded[0].scenario.scenario
    timings = {}
    started = time.perf_counter()
    capacity_file = loaded[0].scenario.special_places.capacity_file
    horizon = options.horizon or 5
    announce(1, 4, "forecasting from the published trend (national backtest evidence, every LA)", quiet=args.quiet)
    evidence = national_evidence(dataset, horizons=min(horizon, 5))
    costs = loaded[0].scenario.costs
    forecast = forecast_la(dataset, info.la, horizon=horizon, data=args.data, seed=info.seed, evidence=evidence,
                           capacity=read_capacity(Path(capacity_file)) if capacity_file else (
                               loaded[0].capacity if loaded[0].capacity is not None and not loaded[0].capacity.empty
                               else None),
                           price_base_year=financial_year_start(costs.price_base), inflation=costs.inflation_pct / 100)
    timings["forecast"] = round(time.perf_counter() - started, 2)
    announce(2, 4, "forecasting the statistical neighbours", quiet=args.quiet)
    neighbours = compare_with_neighbours(dataset, forecast, evidence, seed=info.seed, data=args.data)
    timings["neighbours"] = round(neighbours.seconds, 2)
    n = args.replications or info.replications
    started = time.perf_counter()
    announce(3, 4, f"calibrating and simulating {len(loaded)} scenario(s) x {n} runs", quiet=args.quiet)
    if progress:
        progress(0, n * len(loaded))
    with progress_bar(n * len(loaded), "simulating", quiet=args.quiet) as bar:
        comparison = compare(dataset, loaded, replications=n, backend=args.backend, workers=args.workers,
                             scheduler=args.scheduler, progress=_both(bar, progress), data=args.data,
                             cost_draws=getattr(args, "cost_draws", COST_DRAWS_PER_RUN))
    timings["simulation"] = round(time.perf_counter() - started, 2)
    return loaded, comparison, forecast, neighbours, timings, data_vintage(dataset)


def _both(first: Progress, second: Progress | None) -> Progress:
    """One ``progress(done, total)`` callback that calls both (the second may be None)."""
    if second is None:
        return first

    def update(done: int, total: int) -> None:
        first(done, total)
        second(done, total)
    return update


def run_info(run: Run, data_vintage: str) -> RunInfo:
    """When the report was made, on which data, by which version."""
    return RunInfo(run_date=time.strftime("%d %B %Y, %H:%M UTC", time.gmtime()), data_vintage=data_vintage,
                   version=__version__)


def data_vintage(dataset) -> str:
    """The data a run used, in words: the SEN2 releases and when the data were built."""
    releases = dataset.manifest.get("sen2_releases", [])
    latest = max((int(r.get("latest_january", 0)) for r in releases), default=0)
    names = " and ".join(str(r.get("format", "")) for r in releases)
    built = str(dataset.manifest.get("built_at_utc", ""))[:10]
    return (f"DfE SEN2 releases {names} (latest January {latest})" if releases else "DfE SEN2") + \
        (f", built {built}" if built else "")


def _write_comparison(run: Run, comparison: Comparison, forecast: LaForecast, neighbours: NeighbourComparison,
                      data_vintage: str = "", quiet: bool = False) -> None:
    announce(4, 4, "writing tables, charts, the finance workbook and the report", quiet=quiet)
    atomic.write_csv(run.path("simulation.csv"), comparison.summary)
    run.details["intervals"] = comparison.band_note
    if not comparison.discrepancy.empty:
        # the widening of simulation.csv's bands, and how such bands did out of sample
        atomic.write_csv(run.path("band_discrepancy.csv"), comparison.discrepancy)
        run.details["band_evidence"] = comparison.band_evidence
    atomic.write_csv(run.path("spend.csv"), comparison.spend)
    if comparison.options:
        atomic.write_csv(run.path("differences.csv"), comparison.differences)
        atomic.write_csv(run.path("appraisal.csv"), comparison.appraisal)
        atomic.write_csv(run.path("appraisal_by_year.csv"), comparison.appraisal_by_year)
        for name, table in psa_tables(comparison).items():
            atomic.write_csv(run.path(name), table)
    write_la_forecast(run, forecast, prefix="forecast_")
    atomic.write_csv(run.path("engines_agreement.csv"), engines_agreement(comparison, forecast))
    special = special_by_designation(comparison)
    if not special.empty:
        atomic.write_csv(run.path("simulation_special_by_need.csv"), special)
    write_neighbours(run, neighbours, prefix="forecast_")
    charts = figures(comparison)
    for name, figure in charts.items():
        figure.savefig(run.path(name), dpi=110)
    extra = [sufficiency_sheet(forecast)] if not forecast.sufficiency.empty else []
    extra += [neighbours_sheet(neighbours)] if not neighbours.empty else []
    write_workbook(run.path("finance.xlsx"), workbook_sheets(comparison, extra))
    page = report(comparison, charts, forecast=forecast, neighbours=neighbours, accuracy=accuracy_lines(forecast),
                  info=run_info(run, data_vintage))
    atomic.write_text(run.path("report.html"), page.render())


def _print_comparison(comparison: Comparison, forecast: LaForecast, neighbours: NeighbourComparison,
                      target: Path) -> None:
    print("Forecast from the published trend (time series, independent of the scenarios):")
    for line in summary_lines(forecast)[1:]:
        print(line)
    for line in neighbour_lines(neighbours):
        print(f"  {line}")
    print()
    for line in agreement_lines(engines_agreement(comparison, forecast)):
        print(f"  Simulation against the trend forecast: {line}")
    if comparison.options:
        print(f"{comparison.la}: {comparison.replications} paired runs per scenario; baseline {comparison.baseline!r}")
    else:
        print(f"{comparison.la}: {comparison.baseline}, {comparison.replications} simulation runs")
    for sentence in headline_sentences(comparison) + need_lines(comparison):
        print(f"  {sentence}")
    for option in comparison.options:
        print(f"\n{option} against {comparison.baseline}:")
        for sentence in (option_sentences(comparison, option) + option_need_lines(comparison, option)
                         + psa_sentences(comparison, option)):
            print(f"  - {sentence}")
    totals = comparison.spend[comparison.spend["component"] == "total"]
    table = totals.pivot_table(index="financial_year", columns="scenario", values="real_gbp_mean", sort=False)
    price_base = comparison.spend["price_base"].iloc[0]
    print(f"\nSpend by financial year ({price_base} prices):")
    print(table.map(format_money).to_string())
    print(f"\nWritten to {target}: finance.xlsx, report.html, tables (CSV) and charts (PNG).")


def record_checks(run: Run, comparison: Comparison, data: str | None) -> None:
    """Name the checks the bands were widened by among the run's inputs (sendcast's own output
    of an earlier national validation, :mod:`sendcast.scenarios.discrepancy`)."""
    path = data_dir(data) / SHIPPED_CHECKS
    if not comparison.discrepancy.empty and path.is_file():
        run.record_input(path, "model discrepancy checks (sendcast calibrate --all-las output, not published data)")


def _run(args: argparse.Namespace) -> int:
    with run_folder(args.out, command="run", label=Path(args.scenario).stem, force=args.force) as run:
        loaded, comparison, forecast, neighbours, timings, vintage = _simulate(args, [args.scenario])
        record_scenarios(run, loaded)
        record_checks(run, comparison, args.data)
        run.details.update({"seed": comparison.seed, "replications": comparison.replications})
        run.timings.update(timings)
        _write_comparison(run, comparison, forecast, neighbours, vintage, args.quiet)
    _print_comparison(comparison, forecast, neighbours, run.target)
    return 0


def _compare(args: argparse.Namespace) -> int:
    if len(args.scenarios) < 2:
        raise SendcastError("compare needs a baseline and at least one option (two or more scenario files)")
    label = "-vs-".join(Path(p).stem for p in args.scenarios[:3])
    with run_folder(args.out, command="compare", label=label, force=args.force) as run:
        comparison, forecast, neighbours = _compare_into(run, args, list(args.scenarios))
    _print_comparison(comparison, forecast, neighbours, run.target)
    return 0


def _compare_into(run: Run, args: argparse.Namespace, paths: list[str], *,
                  progress: Progress | None = None) -> tuple[Comparison, LaForecast, NeighbourComparison]:
    loaded, comparison, forecast, neighbours, timings, vintage = _simulate(args, paths, progress=progress)
    record_scenarios(run, loaded)
    record_checks(run, comparison, args.data)
    run.details.update({"seed": comparison.seed, "replications": comparison.replications,
                        "baseline": comparison.baseline})
    run.timings.update(timings)
    _write_comparison(run, comparison, forecast, neighbours, vintage, args.quiet)
    return comparison, forecast, neighbours


def write_comparison_run(run: Run, paths: Sequence[str | Path], *, data: str | None = None,
                         replications: int | None = None, backend: str = "local", workers: int | None = None,
                         la: str | None = None, progress: Progress | None = None) -> Comparison:
    """What ``sendcast compare PATHS --replications N --backend B [--la LA]`` writes into its run folder,
    written into ``run`` (a :func:`sendcast.runtime.runs.run_folder`) for callers other than the
    command line (the web app): the same tables, charts, workbook, report and manifest, from the
    same code. ``progress(done, total)`` is called once with ``done = 0`` before the replications
    start and then as they finish (it may raise to stop the run; the run folder is then removed)."""
    args = argparse.Namespace(data=data, replications=replications, backend=backend, workers=workers,
                              scheduler=None, quiet=True, la=la)
    comparison, _, _ = _compare_into(run, args, [str(p) for p in paths], progress=progress)
    return comparison


def _sweep(args: argparse.Namespace) -> int:
    (base,) = load_scenarios([args.scenario])
    levers = [parse_vary(text) for text in args.vary]  # a bad --vary is refused before any data is read
    dataset = store.load_dataset(args.data)
    if args.la:
        (base,), notes = retarget([base], dataset, args.la, args.data)
        for note in notes:
            print(f"note: {note}")
    points = grid(base.resolved, levers, source=str(base.files[0]))
    info = base.scenario.scenario
    n = args.replications or info.replications
    rate = base.scenario.costs.discount_rate_pct / 100
    with run_folder(args.out, command="sweep", label=Path(args.scenario).stem, force=args.force) as run:
        record_scenarios(run, [base])
        started = time.perf_counter()
        names = ["as given"] + [point.label for point in points]
        scenarios = [base.scenario] + [point.scenario for point in points]
        has_baseline = len(base.files) > 1  # the root of the based_on chain, to appraise against
        if has_baseline:
            # the root of the chain, for the same LA, years and seed as the scenario swept
            (root,) = load_scenarios([base.files[-1]])
            names.append("baseline")
            scenarios.append(Scenario.model_validate(merge_settings(root.resolved,
                                                                    {"scenario": base.resolved["scenario"]})))
        announce(1, 2, f"calibrating {len(names)} sweep points", quiet=args.quiet)
        parameters = build_all_parameters(dataset, scenarios, data=args.data, capacity=base.capacity)
        tasks = [SweepTask(name, params, n, info.seed, rate) for name, params in zip(names, parameters)]
        announce(2, 2, f"simulating {len(tasks)} points x {n} runs", quiet=args.quiet)
        with progress_bar(len(tasks), "sweep points", quiet=args.quiet) as progress:
            outcomes = map_tasks(run_sweep_task, tasks, backend=args.backend, workers=args.workers,
                                 scheduler=args.scheduler, progress=progress)
        baseline = outcomes.pop() if has_baseline else None
        table = sweep_table(points, outcomes[1:], outcomes[0], baseline)
        run.timings["sweep"] = round(time.perf_counter() - started, 2)
        run.details.update({"seed": info.seed, "replications": n, "levers": {lv.key: list(lv.values) for lv in levers},
                            "backend": args.backend})
        atomic.write_csv(run.path("sweep.csv"), table)
        x, line = levers[0].key, (levers[1].key if len(levers) > 1 else None)
        for outcome, units, title in (
                ("saving_npv_gbp", "GBP, present value", "Net present saving against the scenario as given"),
                ("ehcp_final", "children and young people", "EHC plans in the last January"),
                ("child_weeks_avoided", "child-weeks", "Waiting for a special place avoided"),
                *((("saving_vs_baseline_npv_gbp", "GBP, present value", "Net present saving against the baseline"),)
                  if "saving_vs_baseline_npv_gbp_mean" in table.columns else ())):
            figure = sweep_chart(table, x=x, outcome=outcome, line=line, title=f"{title}, {info.la}", units=units,
                                 x_label=x.split(".")[1].replace("_", " "),
                                 source=f"sendcast sweep, {n} paired runs per point")
            figure.savefig(run.path(f"sweep_{outcome}.png"), dpi=110)
            plt.close(figure)
    _print_sweep(table, levers, info.la, n, run.target)
    return 0


def _print_sweep(table: pd.DataFrame, levers, la: str, n: int, target: Path) -> None:
    keys = [lever.key for lever in levers]
    labels = {name: label for name, _, _, label in SWEEP_OUTCOMES}
    shown = table[keys + ["ehcp_final_mean", "saving_npv_gbp_mean", "saving_npv_gbp_lo95", "saving_npv_gbp_hi95"]]
    shown = shown.rename(columns={k: k.split(".")[1] for k in keys} | {
        "ehcp_final_mean": labels["ehcp_final"], "saving_npv_gbp_mean": "NPV saving (GBP m)",
        "saving_npv_gbp_lo95": "low (95% CI)", "saving_npv_gbp_hi95": "high (95% CI)"})
    for column in ("NPV saving (GBP m)", "low (95% CI)", "high (95% CI)"):
        shown[column] = (shown[column] / 1e6).round(2)
    print(f"{la}: sweep of {len(table)} points, {n} paired runs each (saving: against the scenario as given)")
    print(shown.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    if "saving_vs_baseline_npv_gbp_mean" in table.columns:
        versus = table[keys + ["saving_vs_baseline_npv_gbp_mean", "probability_saving_vs_baseline"]].copy()
        versus["saving_vs_baseline_npv_gbp_mean"] = (versus["saving_vs_baseline_npv_gbp_mean"] / 1e6).round(2)
        versus = versus.rename(columns={k: k.split(".")[1] for k in keys} | {
            "saving_vs_baseline_npv_gbp_mean": "NPV saving vs baseline (GBP m)",
            "probability_saving_vs_baseline": "P(saving vs baseline)"})
        print("\nAgainst the baseline (other uncertain inputs at their medians):")
        print(versus.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
        if len(keys) == 1:
            crossings = break_even_along(table, keys[0])
            label = keys[0].split(".")[1].replace("_", " ")
            print(f"Break-even {label} (NPV saving against the baseline crosses zero): "
                  + (", ".join(f"{v:.3g}" for v in crossings) if crossings else "not inside the grid"))
    print(f"\nWritten to {target}: sweep.csv and charts (PNG).")
