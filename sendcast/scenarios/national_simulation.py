"""The national simulation: a baseline and one option for every LA, on any backend.

``sendcast simulate --all-las --scenario FILE``. The scenario (and its baseline, the root of
its ``based_on`` chain) is re-targeted at each LA (:mod:`sendcast.scenarios.retarget`) and
simulated exactly as ``compare`` does for one LA: one shared calibration, each replication's
calibrated parameters drawn from their uncertainty (the same draws for both scenarios, so the
pairs stay paired), the option's uncertain inputs drawn on top, and both scenarios run with the
streams of ``(seed, replication)`` (common random numbers).

Two kinds of task, both on :func:`sendcast.runtime.parallel.map_tasks` (``local``,
``processes`` or ``dask``, an existing cluster at ``scheduler`` included):

1. **set-up, one task per LA** (:func:`setup_task`): calibration and each replication's
   Parameters. The task reads the data folder itself (a Dask worker needs the same path: run
   the workers on this machine or on a shared file system). An LA the simulation cannot take
   (a boundary change inside the calibration window, a missing input, published figures that
   make invalid parameters) is an outcome with status ``refused`` and the reason, never an exception that stops the others.
2. **simulation, one task per LA and chunk of replications** (:func:`chunk_task`): the
   baseline and option of replications ``first .. first + count - 1``, each flattened to a
   vector (:func:`simulation.runner.replication_values`), with the task's own peak memory.

Results are identical whatever the backend, the number of workers and the chunk size: every
replication carries its own seed, and tables are assembled in task order. Per LA the tables
are the engine's own summaries (:func:`simulation.runner.results_from_wide`), the same as
``compare``'s: ``summary`` (mean and 2.5-97.5 percentiles of the outcomes, January counts and
calendar-year flows; costs in pounds at the scenario's price base) and ``differences``
(option - baseline, mean and the 95% confidence interval of the mean paired difference).
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data.build import Dataset
from sendcast.data.store import process_dataset, remember_dataset
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.parallel import Progress, map_tasks
from sendcast.scenarios.forecast_agreement import CHECK_COLUMNS, CHECK_MEASURES, against_forecast, published_for_reasons
from simulation import Parameters
from simulation.errors import ParameterError
from simulation.runner import SUMMARY_COLUMNS, replication_values, results_from_wide, wide_table

SIMULATED, REFUSED, FAILED = "simulated", "refused", "failed"
#: Replications per simulation task (both scenarios of each), unless told otherwise.
DEFAULT_CHUNK = 25
LA_COLUMNS = ["la_code", "la_name", "status", "reason", "setup_seconds", "simulation_cpu_seconds", "tasks",
              "peak_task_mib"]


@dataclass(frozen=True)
class SetupTask:
    """One LA's set-up: the scenario file (its baseline is the root of its chain), the
    replications to draw, and the data folder (``None``: the shipped one)."""

    la_code: str
    la_name: str
    scenario: str
    replications: int
    data: str | None


@dataclass(frozen=True)
class LaSetup:
    """One LA ready to simulate (``status`` :data:`SIMULATED`), or refused with the reason.
    ``baseline`` and ``option``: one Parameters per replication."""

    la_code: str
    la_name: str
    status: str
    reason: str = ""
    baseline_name: str = ""
    option_name: str = ""
    seed: int = 0
    baseline: tuple[Parameters, ...] = ()
    option: tuple[Parameters, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    #: The forecast engine's 80% interval for the baseline's years (``measure, year, mean,
    #: lo80, hi80``; :data:`sendcast.scenarios.forecast_agreement.CHECK_MEASURES`, made with the
    #: published figures to the start January) and the published rows the reasons read
    #: (:func:`sendcast.scenarios.forecast_agreement.published_for_reasons`); ``None``: not checked.
    forecast: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    published: pd.DataFrame | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ChunkTask:
    """Replications ``first .. first + len(baseline) - 1`` of one LA's baseline and option."""

    la_code: str
    seed: int
    first: int
    baseline: tuple[Parameters, ...]
    option: tuple[Parameters, ...]


@dataclass(frozen=True)
class ChunkResult:
    """The flattened replications of a :class:`ChunkTask` (each scenario's keys as
    :func:`simulation.runner.replication_values`: an option may have outcomes the baseline has not), its CPU time and the tracemalloc peak of
    the task (Python allocations, bytes)."""

    la_code: str
    first: int
    baseline_keys: list[tuple]
    option_keys: list[tuple]
    baseline: list[np.ndarray]
    option: list[np.ndarray]
    cpu_seconds: float
    peak_bytes: int


@dataclass(frozen=True)
class NationalSimulation:
    """Every LA's tables: ``summary`` and ``differences`` are :data:`SUMMARY_COLUMNS` with
    ``la_code, la_name`` in front; ``las`` is :data:`LA_COLUMNS`, one row per LA asked for."""

    summary: pd.DataFrame
    differences: pd.DataFrame
    las: pd.DataFrame
    setup_seconds: float
    simulation_seconds: float
    chunk_peaks_mib: tuple[float, ...] = field(default=())
    #: Each LA's baseline against the forecast engine's 80% interval, one row per LA, measure
    #: and year (:func:`sendcast.scenarios.forecast_agreement.against_forecast`: issue 19's "one
    #: future" for every LA); empty when no set-up carried a forecast.
    forecast_check: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*CHECK_COLUMNS, "why"]))


def setup_la(dataset: Dataset, task: SetupTask) -> LaSetup:
    """Calibrate ``task.la_code`` and draw each replication's Parameters for the baseline and
    the option (as :func:`sendcast.scenarios.pipeline.compare`). Raises
    :class:`SendcastError` when the LA cannot be simulated. Also keeps the forecast engine's
    80% interval the baseline is checked against (:attr:`LaSetup.forecast`)."""
    from sendcast.forecasting.one_la import kept_forecasts

    with kept_forecasts():  # the forecast the baseline follows is the one it is checked against: made once
        return _setup_la(dataset, task)


def _setup_la(dataset: Dataset, task: SetupTask) -> LaSetup:
    from sendcast.forecasting.one_la import central_forecast_table
    from sendcast.scenarios.files import load_scenario
    from sendcast.scenarios.parameters import baseline_path, calibrate_la, la_history, parameter_draws
    from sendcast.scenarios.pipeline import LoadedScenario, build_all_parameters
    from sendcast.scenarios.psa import option_draws
    from sendcast.scenarios.retarget import check_series, retarget

    option, _, chain = load_scenario(task.scenario)
    baseline, _, base_chain = load_scenario(baseline_path(chain))
    loaded = [LoadedScenario(baseline, {}, tuple(base_chain)), LoadedScenario(option, {}, tuple(chain))]
    if loaded[0].name == loaded[1].name:
        raise SendcastError(f"{task.scenario}: is its own baseline; give an option based on a baseline")
    info = option.scenario
    check_series(dataset, task.la_code, info.start_year)
    targeted, notes = retarget(loaded, dataset, task.la_code, task.data)
    info = targeted[0].scenario.scenario
    fit = calibrate_la(dataset, task.la_code, start_year=info.start_year)
    built = build_all_parameters(dataset, [item.scenario for item in targeted], data=task.data,
                                 capacity=targeted[0].capacity, calibration=fit)
    history = la_history(dataset, task.la_code)
    drawn = [parameter_draws(params, history, fit, info.start_year, info.seed, task.replications,
                             trends=item.scenario.trends.rule) for item, params in zip(targeted, built)]
    extra = option_draws(targeted[1].scenario, drawn[1], seed=info.seed, replications=task.replications)
    option_parameters = extra.parameters if extra is not None else drawn[1]
    forecast = central_forecast_table(dataset, task.la_code, until=info.start_year, horizon=built[0].horizon)
    forecast = forecast[forecast["measure"].isin(CHECK_MEASURES)][["measure", "year", "mean", "lo80", "hi80"]]
    return LaSetup(task.la_code, task.la_name, SIMULATED, baseline_name=targeted[0].name,
                   option_name=targeted[1].name, seed=int(info.seed), baseline=tuple(_each(drawn[0], task)),
                   option=tuple(_each(option_parameters, task)), notes=tuple(notes),
                   forecast=forecast.reset_index(drop=True), published=published_for_reasons(history, info.start_year))


def _each(params: Parameters | Sequence[Parameters], task: SetupTask) -> list[Parameters]:
    return [params] * task.replications if isinstance(params, Parameters) else list(params)


def setup_task(task: SetupTask) -> LaSetup:
    """:func:`setup_la` on the dataset of ``task.data`` (read once per process); never raises:
    a refused or failing LA is an outcome with the reason."""
    began = time.perf_counter()
    try:
        setup = setup_la(process_dataset(task.data), task)
    except SendcastError as error:
        return LaSetup(task.la_code, task.la_name, REFUSED, str(error), seconds=time.perf_counter() - began)
    except ParameterError as error:  # the published figures cannot make valid parameters (small, rounded counts)
        return LaSetup(task.la_code, task.la_name, REFUSED, f"its published figures make invalid simulation "
                       f"parameters: {error}", seconds=time.perf_counter() - began)
    except (ArithmeticError, ValueError, KeyError, IndexError, RuntimeError) as error:
        return LaSetup(task.la_code, task.la_name, FAILED, f"{type(error).__name__}: {error}",
                       seconds=time.perf_counter() - began)
    return replace(setup, seconds=time.perf_counter() - began)


def chunk_task(task: ChunkTask) -> ChunkResult:
    """Simulate one chunk (module docstring, 2)."""
    cpu = time.process_time()
    tracemalloc.start()
    try:
        keys: list[list[tuple]] = [[], []]
        baseline, option = [], []
        for k, (base, opt) in enumerate(zip(task.baseline, task.option)):
            keys[0], values = replication_values(base, task.seed, task.first + k)
            baseline.append(values)
            keys[1], values = replication_values(opt, task.seed, task.first + k)
            option.append(values)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return ChunkResult(task.la_code, task.first, keys[0], keys[1], baseline, option, time.process_time() - cpu, peak)


def chunks(setup: LaSetup, chunk: int) -> list[ChunkTask]:
    """One LA's simulation tasks: replications in chunks of ``chunk``."""
    n = len(setup.baseline)
    return [ChunkTask(setup.la_code, setup.seed, first, setup.baseline[first:first + chunk],
                      setup.option[first:first + chunk]) for first in range(0, n, chunk)]


def la_tables(setup: LaSetup, results: Sequence[ChunkResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One LA's ``summary`` and ``differences`` from its chunks (in replication order)."""
    ordered = sorted(results, key=lambda r: r.first)
    replications = list(range(sum(len(r.baseline) for r in ordered)))
    wide = {setup.baseline_name: wide_table(ordered[0].baseline_keys, [v for r in ordered for v in r.baseline],
                                            replications),
            setup.option_name: wide_table(ordered[0].option_keys, [v for r in ordered for v in r.option],
                                          replications)}
    found = results_from_wide(wide, setup.baseline_name)
    front = {"la_code": setup.la_code, "la_name": setup.la_name}
    return (found.summary[SUMMARY_COLUMNS].assign(**front)[[*front, *SUMMARY_COLUMNS]],
            found.differences[SUMMARY_COLUMNS].assign(**front)[[*front, *SUMMARY_COLUMNS]])


def set_up_las(dataset: Dataset, las: pd.DataFrame, scenario: str | Path, *, replications: int,
               data: str | Path | None = None, backend: str = "local", workers: int | None = None,
               scheduler: str | None = None, progress: Progress | None = None) -> tuple[list[LaSetup], float]:
    """Set-up tasks (module docstring, 1) for every LA of ``las`` (``la_code, la_name``), in
    order, and the wall seconds they took."""
    if replications < 1:
        raise SendcastError(f"replications must be at least 1, found {replications}")
    remember_dataset(dataset, data)
    data_text = None if data is None else str(data)
    tasks = [SetupTask(code, name, str(scenario), replications, data_text)
             for code, name in zip(las["la_code"], las["la_name"])]
    began = time.perf_counter()
    setups = map_tasks(setup_task, tasks, backend=backend, workers=workers, scheduler=scheduler, progress=progress)
    return setups, time.perf_counter() - began


def simulate_set_up(setups: Sequence[LaSetup], *, chunk: int = DEFAULT_CHUNK, backend: str = "local",
                    workers: int | None = None, scheduler: str | None = None, progress: Progress | None = None,
                    setup_seconds: float = 0.0) -> NationalSimulation:
    """Simulation tasks (module docstring, 2) for every LA set up, and the tables."""
    if chunk < 1:
        raise SendcastError(f"chunk must be at least 1, found {chunk}")
    ready = [s for s in setups if s.status == SIMULATED]
    work = [task for setup in ready for task in chunks(setup, chunk)]
    began = time.perf_counter()
    results = map_tasks(chunk_task, work, backend=backend, workers=workers, scheduler=scheduler,
                        progress=progress)
    simulation_seconds = time.perf_counter() - began
    by_la: dict[str, list[ChunkResult]] = {}
    for result in results:
        by_la.setdefault(result.la_code, []).append(result)
    summaries, differences, checks = [], [], []
    for setup in ready:
        summary, difference = la_tables(setup, by_la[setup.la_code])
        summaries.append(summary)
        differences.append(difference)
        if setup.forecast is not None and setup.published is not None:
            checks.append(against_forecast(setup.la_code, setup.la_name, setup.published,
                                           summary[summary["scenario"] == setup.baseline_name], setup.forecast))
    rows = []
    for setup in setups:
        own = by_la.get(setup.la_code, [])
        rows.append({"la_code": setup.la_code, "la_name": setup.la_name, "status": setup.status,
                     "reason": setup.reason, "setup_seconds": round(setup.seconds, 2),
                     "simulation_cpu_seconds": round(sum(r.cpu_seconds for r in own), 2), "tasks": len(own),
                     "peak_task_mib": round(max((r.peak_bytes for r in own), default=0) / 2**20, 1)})
    empty = pd.DataFrame(columns=["la_code", "la_name", *SUMMARY_COLUMNS])
    return NationalSimulation(
        summary=pd.concat(summaries, ignore_index=True) if summaries else empty,
        differences=pd.concat(differences, ignore_index=True) if differences else empty,
        las=pd.DataFrame(rows, columns=LA_COLUMNS), setup_seconds=setup_seconds,
        simulation_seconds=simulation_seconds,
        chunk_peaks_mib=tuple(r.peak_bytes / 2**20 for r in results),
        **({"forecast_check": pd.concat(checks, ignore_index=True)} if checks else {}))


def simulate_las(dataset: Dataset, las: pd.DataFrame, scenario: str | Path, *, replications: int,
                 chunk: int = DEFAULT_CHUNK, data: str | Path | None = None, backend: str = "local",
                 workers: int | None = None, scheduler: str | None = None) -> NationalSimulation:
    """Simulate the baseline and ``scenario`` for every LA of ``las`` (``la_code, la_name``):
    :func:`set_up_las`, then :func:`simulate_set_up`, both on ``backend``."""
    setups, seconds = set_up_las(dataset, las, scenario, replications=replications, data=data, backend=backend,
                                 workers=workers, scheduler=scheduler)
    return simulate_set_up(setups, chunk=chunk, backend=backend, workers=workers, scheduler=scheduler,
                           setup_seconds=seconds)
