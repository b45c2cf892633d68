"""Running scenarios against a baseline: the computation behind ``sendcast run``, ``compare``
and ``sweep`` (no printing, no files; :mod:`sendcast.commands.scenarios` writes the outputs).

Every scenario in a comparison is simulated for the same replications with the same seed,
so replication ``r`` of an option and of the baseline share random numbers for everything
the option does not change (common random numbers); the paired differences then measure
the option's effect, not luck. The first scenario is the baseline.

Scenarios in one comparison must describe the same LA, start year and horizon (a
comparison of different places or periods is not a paired comparison); the baseline's
replications and seed are used for all.

Money: the simulation reports spend by calendar year in pounds at the scenario's price
base. Finance tables are by April-March financial year (:func:`sendcast.data.years.
financial_year_from_calendar`), in real terms (price base) and in cash terms (inflated at the
scenario's ``inflation_pct`` from the price base year).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.costing import price_index
from sendcast.money.appraisal import FINANCIAL_YEAR, Appraisal, appraise
from sendcast.data.build import Dataset
from sendcast.runtime.errors import SendcastError
from sendcast.data.years import (
    financial_year_from_calendar,
    financial_year_label,
    financial_year_start,
    financial_years_from_calendar_rows,
)
from sendcast.data.paths import data_dir
from sendcast.scenarios.forecast_agreement import published_for_reasons
from sendcast.scenarios.discrepancy import DISCREPANCY_COLUMNS, for_run, widen_summary
from sendcast.scenarios.files import Distribution, Scenario, load_scenario
from sendcast.scenarios.psa import OptionDraws, PsaResult, analyse_option, option_draws
from sendcast.scenarios.recosting import COST_DRAWS_PER_RUN, COST_ONLY_KEYS, placement_cost_inputs, psa_draws, recost
from sendcast.scenarios.replications import run_replications
from sendcast.scenarios.parameters import build_parameters, calibrate_la, draw_spread, la_history, parameter_draws
from simulation import CalibrationResult
from simulation.parameters import Parameters
from simulation.runner import SimulationResults

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
SPEND_COLUMNS = ["scenario", "financial_year", "component", "real_gbp_mean", "real_gbp_lo95", "real_gbp_hi95",
                 "cash_gbp_mean", "cash_gbp_lo95", "cash_gbp_hi95", "price_base"]


class ComparisonError(SendcastError):
    """Scenarios that cannot be compared (different LA, start year or horizon; same name)."""


@dataclass(frozen=True)
class LoadedScenario:
    """A scenario file as read: the validated scenario, its resolved settings (for the
    manifest) and the files read (the file first, then what it is based on)."""

    scenario: Scenario
    resolved: dict[str, Any]
    files: tuple[Path, ...]
    #: Special school places to use when the scenario names no capacity file (a scenario
    #: re-targeted at another LA: :mod:`sendcast.scenarios.retarget`).
    capacity: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.scenario.scenario.name


def load_scenarios(paths: Sequence[str | Path]) -> list[LoadedScenario]:
    """Load scenario files for one comparison; the first is the baseline."""
    loaded = []
    for path in paths:
        scenario, resolved, chain = load_scenario(path)
        loaded.append(LoadedScenario(scenario, resolved, tuple(chain)))
    check_comparable(loaded)
    return loaded


def check_comparable(loaded: Sequence[LoadedScenario]) -> None:
    """Refuse scenarios that cannot be paired (see the module docstring)."""
    if not loaded:
        raise ComparisonError("no scenarios given")
    names = [item.name for item in loaded]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ComparisonError(f"two scenario files have the same [scenario] name {duplicated[0]!r}; "
                              "give each option its own name")
    base = loaded[0].scenario.scenario
    for item in loaded[1:]:
        info = item.scenario.scenario
        for key in ("la", "start_year", "horizon"):
            if getattr(info, key) != getattr(base, key):
                raise ComparisonError(
                    f"{item.files[0]}: [scenario] {key} is {getattr(info, key)!r} but the baseline "
                    f"{loaded[0].files[0].name} has {getattr(base, key)!r}; a paired comparison needs the same "
                    "LA, start year and horizon")


@dataclass(frozen=True)
class Comparison:
    """The results of simulating a baseline and options (tables tidy, years as labelled):

    - ``summary``: ``scenario, measure, breakdown, year, mean, lo95, hi95`` (mean and the 2.5-97.5%
      range of outcomes across replications, each with its own parameter draw: a PREDICTIVE
      band; January for stocks, calendar year for flows);
    - ``differences``: the same for each option minus the baseline, paired by replication,
      with a 95% confidence interval for the mean difference (SIMULATION NOISE: how precisely
      the replications pin down the mean);
    - ``spend``: :data:`SPEND_COLUMNS`, by financial year and cost component (``total`` for
      all), real and cash;
    - ``appraisal``: one row per option and statistic (:mod:`sendcast.money.appraisal`);
    - ``appraisal_by_year``: one row per option and financial year (April-March);
    - ``parameters``: each scenario's central simulation parameters, before any draw (unit
      costs, places, levers; uncertain inputs at their medians; the calibrated growth,
      capacity response, requests, identification, conversion and placement mix as fitted,
      not a replication's predictive draw, :mod:`simulation.uncertainty`);
    - ``psa``: each option's probabilistic sensitivity analysis (:mod:`sendcast.scenarios.psa`):
      probability of saving, expected NPV, break-even lever values, tornado and EVPI.

    The bands of ``summary``'s totals of EHC plans, state special, independent special, AP, FE, other, requests,
    new plans, the 20-week share and SEN support are widened by the model discrepancy
    measured out of sample on every LA (:mod:`sendcast.scenarios.discrepancy`) when a
    ``discrepancy`` is given; the others are the replications' range.
    """

    la: str
    baseline: str
    options: tuple[str, ...]
    scenarios: tuple[LoadedScenario, ...]
    replications: int
    seed: int
    summary: pd.DataFrame
    differences: pd.DataFrame
    spend: pd.DataFrame
    appraisal: pd.DataFrame
    appraisal_by_year: pd.DataFrame
    appraisals: dict[str, Appraisal] = field(default_factory=dict)
    parameters: dict[str, Parameters] = field(default_factory=dict)
    psa: dict[str, PsaResult] = field(default_factory=dict)
    #: The model discrepancy the bands of ``summary`` were widened by
    #: (:func:`sendcast.scenarios.discrepancy.discrepancy` at the start January; empty: not
    #: widened) and, in words, what the bands are.
    discrepancy: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DISCREPANCY_COLUMNS))
    band_note: str = "PREDICTIVE bands: the replications' spread (parameter draws and simulation noise), not widened"
    band_evidence: str = ""
    #: The LA's published requests, refusals and new plans (totals: ``measure, breakdown, year,
    #: value``) the reasons for a baseline outside the trend forecast's interval read
    #: (:func:`sendcast.scenarios.forecast_agreement.outside_reasons`); empty: not known (a
    #: comparison of given parameters).
    published: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["measure", "breakdown", "year",
                                                                                    "value"]))

    def scenario(self, name: str) -> Scenario:
        return next(item.scenario for item in self.scenarios if item.name == name)


#: What the widened bands are, in words (for the manifest and the report).
BAND_NOTE = ("PREDICTIVE bands (what we expect): the replications' spread (parameter draws and simulation noise), "
             "and, for the totals of EHC plans, state special, independent special, AP, FE, other, requests, new "
             "plans, the 20-week share and SEN support (the measures validated), widened by the model discrepancy: "
             "the error the simulation's own bands missed one to four years ahead out of sample on every LA "
             "(data/evidence/simulation_checks_all_las.csv, checks known at the start January; "
             "sendcast.scenarios.discrepancy); beyond the four years measured the discrepancy is EXTRAPOLATED as a "
             "random walk (an assumption, not evidence). Other measures (spend, waiting, mainstream and resourced "
             "units, breakdowns) keep the replications' spread")


def per_replication(replications: pd.DataFrame, scenario: str, measure: str, breakdown: str = "") -> pd.DataFrame:
    """One measure of one scenario as a (replication x year) table."""
    rows = replications[(replications["scenario"] == scenario) & (replications["measure"] == measure)
                        & (replications["breakdown"] == breakdown)]
    if rows.empty:
        raise ComparisonError(f"the simulation reported no {measure!r} ({breakdown or 'total'}) for {scenario!r}")
    return rows.pivot_table(index="replication", columns="year", values="value", aggfunc="first").sort_index()


def _quantiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = np.percentile(values, [2.5, 97.5], axis=0)
    return values.mean(axis=0), lo, hi


def spend_by_financial_year(replications: pd.DataFrame, loaded: LoadedScenario) -> pd.DataFrame:
    """Spend by financial year and component for one scenario: mean and 2.5-97.5% range
    across replications, real (price base) and cash (inflated)."""
    costs = replications[(replications["scenario"] == loaded.name) & (replications["measure"] == "cost_gbp")]
    settings = loaded.scenario.costs
    base_year = financial_year_start(settings.price_base)
    frames = []
    for breakdown in sorted(costs["breakdown"].unique()):
        calendar = per_replication(replications, loaded.name, "cost_gbp", breakdown)
        financial = calendar.T.apply(financial_year_from_calendar).T  # replication x financial year
        years = financial.columns.to_numpy(dtype=int)
        real = financial.to_numpy(dtype=float)
        cash = real * price_index(years, base_year, settings.inflation_pct / 100)[None, :]
        real_mean, real_lo, real_hi = _quantiles(real)
        cash_mean, cash_lo, cash_hi = _quantiles(cash)
        component = breakdown.removeprefix("component=") if breakdown else "total"
        frames.append(pd.DataFrame({
            "scenario": loaded.name, "financial_year": [financial_year_label(int(y)) for y in years],
            "component": component, "real_gbp_mean": real_mean, "real_gbp_lo95": real_lo, "real_gbp_hi95": real_hi,
            "cash_gbp_mean": cash_mean, "cash_gbp_lo95": cash_lo, "cash_gbp_hi95": cash_hi,
            "price_base": settings.price_base}))
    return pd.concat(frames, ignore_index=True)[SPEND_COLUMNS]


def appraise_options(results: SimulationResults, baseline: LoadedScenario,
                     options: Sequence[LoadedScenario]) -> tuple[dict[str, Appraisal], pd.DataFrame, pd.DataFrame]:
    """Appraise each option against the baseline from paired replications (real terms, by
    April-March financial year as the spend table and the waterfall are: the whole financial
    years inside the run, :func:`financial_years_from_calendar_rows`; discounted at the
    baseline's Green Book rate from the first). ``appraisal_by_year`` is labelled by
    ``financial_year`` ("2025-26"); the break-even year is a financial year's start year."""
    table = results.replications
    base_cost = per_replication(table, baseline.name, "cost_gbp")
    base_weeks = per_replication(table, baseline.name, "child_weeks_waited").reindex_like(base_cost)
    calendar = base_cost.columns.to_numpy(dtype=int)
    years, base_money = financial_years_from_calendar_rows(calendar, base_cost.to_numpy())
    _, base_waited = financial_years_from_calendar_rows(calendar, base_weeks.to_numpy())
    rate = baseline.scenario.costs.discount_rate_pct / 100
    appraisals, summaries, by_year = {}, [], []
    for option in options:
        cost = per_replication(table, option.name, "cost_gbp").reindex_like(base_cost)
        weeks = per_replication(table, option.name, "child_weeks_waited").reindex_like(base_cost)
        result = appraise(years, base_money, financial_years_from_calendar_rows(calendar, cost.to_numpy())[1],
                          baseline_child_weeks=base_waited,
                          option_child_weeks=financial_years_from_calendar_rows(calendar, weeks.to_numpy())[1],
                          discount_rate=rate, seed=baseline.scenario.scenario.seed, year_unit=FINANCIAL_YEAR)
        appraisals[option.name] = result
        summaries.append(result.summary.assign(option=option.name))
        labelled = result.by_year.assign(option=option.name,
                                         financial_year=[financial_year_label(int(y)) for y in result.by_year["year"]])
        by_year.append(labelled.drop(columns="year"))
    summary = (pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame())
    yearly = (pd.concat(by_year, ignore_index=True) if by_year else pd.DataFrame())
    if not summary.empty:
        summary = summary[["option", *[c for c in summary.columns if c != "option"]]]
        first = ["option", "financial_year"]
        yearly = yearly[[*first, *[c for c in yearly.columns if c not in first]]]
    return appraisals, summary, yearly


def compare_parameters(loaded: Sequence[LoadedScenario], parameters: Mapping[str, Parameters | Sequence[Parameters]], *,
                       central: Mapping[str, Parameters] | None = None,
                       replications: int | None = None, backend: str = "local", workers: int | None = None,
                       scheduler: str | None = None, progress: Progress | None = None,
                       unit_cost_inputs: Mapping[str, Distribution] | None = None,
                       cost_draws: int = COST_DRAWS_PER_RUN,
                       band_discrepancy: pd.DataFrame | None = None, band_evidence: str = "") -> Comparison:
    """Simulate given Parameters for each loaded scenario (keyed by scenario name; the
    first scenario is the baseline) and compare them, replications on ``backend``
    (:mod:`sendcast.runtime.parallel`; identical results on every backend). :func:`compare` builds
    the Parameters from the data; notebooks and tests may pass their own.

    ``parameters``: one :class:`Parameters` per scenario, or one per replication (calibrated
    draws). ``central``: each scenario's undrawn Parameters (the unit costs, places and levers
    the reports and exports show, :attr:`Comparison.parameters`); needed for a scenario given
    per-replication draws, defaults to ``parameters`` for one given a single Parameters.


    The sensitivity analysis of each option has ``replications x cost_draws`` draws: each
    simulated pair of runs is priced at ``cost_draws`` draws of the inputs that only price
    activity, among them the placement unit costs ``unit_cost_inputs``
    (:mod:`sendcast.scenarios.recosting`). The other tables are the simulated runs at the
    unit costs of the scenarios.

    ``band_discrepancy``: the model discrepancy (:func:`sendcast.scenarios.discrepancy.
    discrepancy` at the start January) the summary's bands are widened by; ``None``: not
    widened. ``band_evidence``: how such bands covered out of sample, in words."""
    check_comparable(loaded)
    missing = [item.name for item in loaded if item.name not in parameters]
    if missing:
        raise ComparisonError(f"no simulation parameters for {missing}")
    central = dict(central or {})
    for item in loaded:
        if item.name not in central:
            if not isinstance(parameters[item.name], Parameters):
                raise ComparisonError(f"scenario {item.name!r} has per-replication parameters but no central "
                                      "(undrawn) parameters: pass central={name: Parameters}")
            central[item.name] = parameters[item.name]
    base = loaded[0]
    info = base.scenario.scenario
    n = replications or info.replications
    log.info("simulating %d scenarios x %d replications", len(loaded), n)
    draws = {item.name: option_draws(item.scenario, parameters[item.name], seed=info.seed, replications=n)
             for item in loaded[1:]}
    # one set of parameters per replication: the calibrated draw, with the option's uncertain inputs on top
    per_replication_parameters = {item.name: parameters[item.name] for item in loaded}
    per_replication_parameters.update({name: d.parameters for name, d in draws.items() if d is not None})
    results = run_replications(per_replication_parameters, replications=n, seed=info.seed, baseline=base.name,
                               backend=backend, workers=workers, scheduler=scheduler, progress=progress)
    spend = pd.concat([spend_by_financial_year(results.replications, item) for item in loaded], ignore_index=True)
    appraisals, appraisal, by_year = appraise_options(results, base, loaded[1:])
    psa = {item.name: _psa(results.replications, base, item, draws[item.name], dict(unit_cost_inputs or {}),
                           seed=info.seed, replications=n, cost_draws=cost_draws)
           for item in loaded[1:]}
    summary, extra = results.summary, {}
    if band_discrepancy is not None and not band_discrepancy.empty:
        summary = widen_summary(summary, band_discrepancy, info.start_year)
        extra = {"discrepancy": band_discrepancy, "band_note": BAND_NOTE}
    if band_evidence:
        extra["band_evidence"] = band_evidence
    return Comparison(la=info.la, baseline=base.name, options=tuple(item.name for item in loaded[1:]),
                      scenarios=tuple(loaded), replications=n, seed=info.seed, summary=summary, **extra,
                      differences=results.differences, spend=spend, appraisal=appraisal,
                      appraisal_by_year=by_year, appraisals=appraisals,
                      parameters={item.name: central[item.name] for item in loaded}, psa=psa)


def _cost_components(table: pd.DataFrame, scenario: str, like: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each cost component of a scenario as (replication x year), by component name."""
    rows = table[(table["scenario"] == scenario) & (table["measure"] == "cost_gbp")]
    names = sorted(b.removeprefix("component=") for b in rows["breakdown"].unique() if b)
    return {name: per_replication(table, scenario, "cost_gbp", f"component={name}").reindex_like(like).to_numpy()
            for name in names}


def _psa(table: pd.DataFrame, base: LoadedScenario, option: LoadedScenario, draws: OptionDraws | None,
         unit_costs: dict[str, Distribution], *, seed: int, replications: int, cost_draws: int) -> PsaResult:
    """One option's sensitivity analysis: every draw's paired spend (recosted), then the statistics."""
    base_cost = per_replication(table, base.name, "cost_gbp")
    option_cost = per_replication(table, option.name, "cost_gbp").reindex_like(base_cost)
    simulated = draws.draws if draws is not None else None
    option_inputs = draws.inputs if draws is not None else {}
    per_run = cost_draws if (unit_costs or any(k in COST_ONLY_KEYS for k in option_inputs)) else 1
    table_of_draws = psa_draws(simulated, option_inputs, unit_costs, seed=seed, replications=replications,
                               per_run=per_run)
    baseline = recost(base_cost.to_numpy(), _cost_components(table, base.name, base_cost), table_of_draws, unit_costs)
    costed = recost(option_cost.to_numpy(), _cost_components(table, option.name, base_cost), table_of_draws,
                    unit_costs, simulated=simulated, parameters=draws.parameters if draws is not None else None)
    inputs = {**option_inputs, **unit_costs}
    every = OptionDraws(inputs, table_of_draws.drop(columns="replication"), []) if inputs else None
    # by April-March financial year, as the appraisal and the spend table
    calendar = base_cost.columns.to_numpy(dtype=int)
    years, baseline = financial_years_from_calendar_rows(calendar, baseline)
    costed = financial_years_from_calendar_rows(calendar, costed)[1]
    result = analyse_option(option.name, years, baseline, costed, base.scenario.costs.discount_rate_pct / 100, every,
                            clusters=table_of_draws["replication"].to_numpy())
    labels = [financial_year_label(int(y)) for y in years]
    by_year = result.by_year.assign(financial_year=labels)[["option", "financial_year", "probability_saving"]]
    return replace(result, by_year=by_year, saving=result.saving.set_axis(labels, axis=1))



def build_all_parameters(dataset: Dataset, scenarios: Sequence[Scenario], *,
                         data: str | Path | None = None, capacity: pd.DataFrame | None = None,
                         calibration: CalibrationResult | None = None) -> list[Parameters]:
    """Simulation Parameters for each scenario (in order) from the data, on one shared
    calibration of the first scenario's LA and start year (``calibration``, fitted here when
    not given), so that they differ only in their levers (common random numbers then pair them)."""
    info = scenarios[0].scenario
    fit = calibration if calibration is not None else calibrate_la(dataset, info.la, start_year=info.start_year)
    return [build_parameters(dataset, info.la, start_year=info.start_year, horizon=info.horizon, scenario=scenario,
                             calibration=fit, data=data,
                             capacity=None if scenario.special_places.capacity_file else capacity)
            for scenario in scenarios]


def compare(dataset: Dataset, loaded: Sequence[LoadedScenario], *, replications: int | None = None,
            backend: str = "local", workers: int | None = None, scheduler: str | None = None,
            progress: Progress | None = None, data: str | Path | None = None,
            cost_draws: int = COST_DRAWS_PER_RUN) -> Comparison:
    """Build each scenario's simulation Parameters from the data and compare them (the
    placement unit costs uncertain in the sensitivity analysis, as
    :func:`sendcast.scenarios.recosting.placement_cost_inputs` says)."""
    check_comparable(loaded)
    info = loaded[0].scenario.scenario
    fit = calibrate_la(dataset, info.la, start_year=info.start_year)
    built = build_all_parameters(dataset, [item.scenario for item in loaded], data=data,
                                 capacity=loaded[0].capacity, calibration=fit)
    # each replication draws its calibrated parameters (predictive bands): the same draws
    # for every scenario, so the pairs stay paired; the spread of the draws is measured at
    # the baseline's parameters and used for every scenario (the same factors for the same
    # replication)
    n = replications or info.replications
    history = la_history(dataset, info.la)
    spreads = {rule: draw_spread(built[0], history, fit, info.start_year, trends=rule)
               for rule in {item.scenario.trends.rule for item in loaded}}
    parameters = {item.name: parameter_draws(params, history, fit, info.start_year, info.seed, n,
                                             trends=item.scenario.trends.rule,
                                             spread=spreads[item.scenario.trends.rule])
                  for item, params in zip(loaded, built)}
    unit_costs = placement_cost_inputs(dataset, built[0], data) if len(loaded) > 1 else {}
    widening, evidence = for_run(data_dir(data), info.start_year)
    result = compare_parameters(loaded, parameters, central={item.name: params for item, params in zip(loaded, built)},
                                replications=replications, backend=backend, workers=workers, scheduler=scheduler,
                                progress=progress, unit_cost_inputs=unit_costs, cost_draws=cost_draws,
                                band_discrepancy=widening, band_evidence=evidence)
    return replace(result, published=published_for_reasons(history, info.start_year))
