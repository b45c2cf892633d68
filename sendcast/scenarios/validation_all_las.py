"""Out-of-sample validation of the simulation for every LA (``sendcast calibrate --all-las``).

One LA is one task: the same code path as ``calibrate --la X --validate``
(:func:`validate_one_la`, which calls :func:`sendcast.scenarios.validation.validate_la`),
run over LAs on any backend of :mod:`sendcast.runtime.parallel`. A task never raises: an LA
that fails is returned as an outcome with status ``failed`` and the error, so one LA cannot
stop the others. LAs that lack an input the run needs are found before any task starts
(:func:`missing_inputs`) and listed with status ``missing input`` and which input.

Special school places: an LA's own capacity file (``data/capacity/<la_code>.csv``) when it has
one, as in ``--validate``; otherwise places are unconstrained. The third-party capacity table
describes May 2026 and would carry information from after the origins, so it is not used here.

Tables (errors: per cent of the published value for counts, percentage points for the
20-week and SEN support shares; January counts, calendar-year flows, as :mod:`sendcast.scenarios.validation`):

- :func:`national_table`: one row per LA x measure x origin x horizon, plus one row for each
  LA not validated (``status``, ``reason``);
- :func:`summary_by_measure`: per measure and origin, one year ahead: the median and worst
  LA, the share of LAs passing the issue-19 target and inside the 95% band (as run, and
  widened by the model discrepancy known at the origin: the shipped checks of every LA,
  :mod:`sendcast.scenarios.discrepancy`), beside the forecast engine's; ``origin == "all"``: the share of LAs passing the target over all
  origins (the per-LA verdicts of :func:`sendcast.scenarios.validation.target_summary`);
- the in-sample fit of each origin's calibration window (cohort engine), from the
  calibrations the validation made (no extra fitting).
"""

from __future__ import annotations

import os
import pickle
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sendcast.data import paths
from sendcast.data.build import Dataset
from sendcast.data.store import process_dataset, remember_dataset
from sendcast.data.capacity import capacity_file, read_capacity
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.parallel import Progress, map_tasks
from sendcast.scenarios.parameters import (CALIBRATION_YEARS, FIRST_CALIBRATION_YEAR, calibrate_la, history_until,
                                           la_history)
from simulation.parameters import AGES
from sendcast.scenarios.discrepancy import shipped_checks
from sendcast.scenarios.validation import (BASELINES, MEASURES, TARGET_COLUMNS, TARGETS, VALIDATION_COLUMNS,
                                           Validation, validate_la)

VALIDATED, MISSING, FAILED = "validated", "missing input", "failed"
#: Columns of the national table: the LA and its status, then :data:`VALIDATION_COLUMNS`.
NATIONAL_COLUMNS = ["la_code", "la_name", "status", "reason", *VALIDATION_COLUMNS]
LA_COLUMNS = ["la_code", "la_name", "status", "reason", "seconds", "cpu_seconds", "peak_rss_mib"]
FIT_COLUMNS = ["la_code", "la_name", "origin", "measure", "year", "year_basis", "actual", "simulated", "error_pct"]
VALIDATION_SUMMARY_COLUMNS = ["measure", "origin", "target", "las", "median_error", "median_abs_error", "worst_la",
                   "worst_error", "share_passed", "share_inside_95", "share_inside_95_calibrated",
                   "forecast_median_abs_error", "forecast_share_passed",
                   *[f"{name}_{column}" for name in BASELINES for column in ("median_abs_error", "share_passed")]]
#: Flows the calibration needs in every year of its window (calendar years).
REQUIRED_FLOWS = ("requests", "new_plans")


# ------------------------------------------------------------------------------ one LA
def own_capacity(data: str | Path | None, la_code: str) -> tuple[Path | None, pd.DataFrame | None]:
    """The LA's own capacity file and table, or ``(None, None)`` (places unconstrained)."""
    path = capacity_file(paths.data_dir(data), la_code)
    return (path, read_capacity(path)) if path.is_file() else (None, None)


def validate_one_la(dataset: Dataset, la: str, *, origins: Sequence[int], replications: int, seed: int,
                    data: str | Path | None = None, progress: Progress | None = None) -> tuple[Validation, Path | None]:
    """``calibrate --la LA --validate`` without the files: the validation and the capacity
    file used (``None``: unconstrained)."""
    code = str(dataset.geography.resolve(la)["la_code"])
    path, capacity = own_capacity(data, code)
    result = validate_la(dataset, code, origins=tuple(sorted(set(origins))), replications=replications, seed=seed,
                         data=data, capacity=capacity, progress=progress,
                         checks=shipped_checks(paths.data_dir(data)))
    return result, path


def missing_inputs(dataset: Dataset, la_code: str, origins: Sequence[int], last_year: int) -> list[str]:
    """The inputs a validation of ``la_code`` at ``origins`` (scored to January ``last_year``)
    needs and the data lack, each in words; empty when it can run."""
    row = dataset.geography.las.set_index("la_code").loc[la_code]
    rows = dataset.measures[dataset.measures["la_code"] == la_code]
    population = rows[(rows["measure"] == "population") & rows["breakdown"].str.startswith("age=")]
    ages = population.groupby("year")["breakdown"].nunique()
    complete = sorted(int(y) for y, n in ages.items() if n >= AGES)
    # the calibration window's first January, as calibrate_la chooses it
    first = max(min(origins) - CALIBRATION_YEARS, FIRST_CALIBRATION_YEAR, complete[0] if complete else 0)
    missing = []
    breaks = dataset.geography.breaks
    reason = breaks.loc[breaks["la_code"] == la_code, "reason"]
    why = f" ({reason.iloc[0]})" if not reason.empty else ""
    if pd.notna(row["first_year"]) and int(row["first_year"]) > first:
        missing.append(f"EHC plan series from January {first} (it starts in {int(row['first_year'])}{why})")
    if pd.notna(row["last_year"]) and int(row["last_year"]) < last_year:
        missing.append(f"EHC plan series to January {last_year} (it ends in {int(row['last_year'])}{why})")
    if missing:
        return missing
    if not complete or first > min(origins) - 2:
        return [f"ONS population by single year of age 0-25 for {min(origins) - 2} or earlier (the calibration "
                f"needs two years before the first origin, {min(origins)})"
                + (f"; complete from {complete[0]}" if complete else "; none published")]
    totals = rows[rows["breakdown"] == ""]
    years_needed = range(first, last_year + 1)
    for measure in ("ehcp_total",):
        have = set(totals.loc[totals["measure"] == measure, "year"].astype(int))
        lacking = [y for y in years_needed if y not in have]
        if lacking:
            missing.append(f"{measure} (January) for {_years(lacking)}")
    for measure in REQUIRED_FLOWS:
        have = set(totals.loc[totals["measure"] == measure, "year"].astype(int))
        lacking = [y for y in range(first, max(origins)) if y not in have]
        if lacking:
            missing.append(f"{measure} (calendar year) for {_years(lacking)}")
    return missing


def _years(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 and years[-1] - years[0] == len(years) - 1 else \
        ", ".join(str(y) for y in years)


@dataclass(frozen=True)
class LaTask:
    """One LA to validate. ``data``: the data folder (the worker reads the dataset from it
    once per process; on a remote Dask cluster the folder must be readable by the workers)."""

    la_code: str
    la_name: str
    origins: tuple[int, ...]
    replications: int
    seed: int
    data: str | None = None
    #: A folder to save the outcome in as soon as it is made (:func:`read_checkpoint`).
    checkpoint: str | None = None


@dataclass(frozen=True)
class LaOutcome:
    """What one task returns: the LA's validation (or why there is none) and what it cost.
    ``peak_rss_mib``: the worker process's peak resident memory so far (MiB)."""

    la_code: str
    la_name: str
    status: str
    reason: str = ""
    table: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    fit: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mib: float = 0.0


def validate_task(task: LaTask) -> LaOutcome:
    """Validate one LA (:func:`validate_one_la`); never raises: a failure is an outcome with
    status ``failed`` and the error's type and message. Saved in ``task.checkpoint`` if set."""
    outcome = _validate(task)
    if task.checkpoint is not None:
        _save_checkpoint(task, outcome)
    return outcome


def _checkpoint_path(task: LaTask) -> Path:
    return Path(task.checkpoint or ".") / f"{task.la_code}.pickle"


def _task_key(task: LaTask) -> tuple:
    """What must match for a saved outcome to stand for this task (the data's checksums are
    checked separately)."""
    return (task.la_code, tuple(task.origins), task.replications, task.seed)


def _save_checkpoint(task: LaTask, outcome: LaOutcome) -> None:
    path = _checkpoint_path(task)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_suffix(".partial")
    with open(staging, "wb") as handle:
        pickle.dump({"key": _task_key(task), "inputs": process_dataset(task.data).input_checksums, "outcome": outcome},
                    handle)
    os.replace(staging, path)


def read_checkpoint(task: LaTask, inputs) -> LaOutcome | None:
    """The outcome saved for ``task`` in its checkpoint folder by an earlier run (same LA,
    origins, replications and seed, and data files with the same checksums ``inputs``), or
    ``None``. Failed LAs are not read back (they are run again). The files are pickles this
    command wrote: point ``--checkpoint`` only at a folder of your own."""
    path = _checkpoint_path(task)
    if task.checkpoint is None or not path.is_file():
        return None
    with open(path, "rb") as handle:
        saved = pickle.load(handle)
    if saved.get("key") != _task_key(task) or saved.get("inputs") != inputs:
        return None
    outcome = saved["outcome"]
    return outcome if outcome.status == VALIDATED else None


def _validate(task: LaTask) -> LaOutcome:
    began, cpu = time.perf_counter(), time.process_time()
    try:
        dataset = process_dataset(task.data)
        result, _ = validate_one_la(dataset, task.la_code, origins=task.origins, replications=task.replications,
                                    seed=task.seed, data=task.data)
        fit = in_sample_fit(dataset, task.la_code, task.origins)
    except Exception as error:  # noqa: BLE001 -- one LA's failure is reported as its row, never stops the others
        kind = "" if isinstance(error, SendcastError) else f"{type(error).__name__}: "
        return LaOutcome(task.la_code, task.la_name, FAILED, f"{kind}{error}".splitlines()[0] if str(error) else kind,
                         seconds=time.perf_counter() - began, cpu_seconds=time.process_time() - cpu,
                         peak_rss_mib=_peak_rss_mib())
    return LaOutcome(task.la_code, task.la_name, VALIDATED, "", result.table, result.targets, fit, result.notes,
                     seconds=time.perf_counter() - began, cpu_seconds=time.process_time() - cpu,
                     peak_rss_mib=_peak_rss_mib())


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def in_sample_fit(dataset: Dataset, la_code: str, origins: Sequence[int]) -> pd.DataFrame:
    """The cohort engine's in-sample fit of each origin's calibration window (yearly totals):
    ``origin, measure, year, year_basis, actual, simulated, error_pct``. The calibrations are
    the validation's own (cached in this process, not refitted)."""
    history = la_history(dataset, la_code)
    parts = []
    for origin in sorted(set(origins)):
        report = calibrate_la(dataset, la_code, start_year=origin, history=history_until(history, origin)).report
        totals = report[report["breakdown"] == ""]
        parts.append(totals.assign(origin=origin, la_code=history.la_code, la_name=history.la_name))
    fit = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FIT_COLUMNS)
    return fit.reindex(columns=FIT_COLUMNS)


def prime_evidence(dataset: Dataset, origins: Sequence[int], last_year: int,
                   data: str | Path | None = None) -> None:
    """Compute, in this process, the forecast engine's national evidence that every LA's
    validation uses (one per ``until`` and horizon, as
    :func:`sendcast.forecasting.one_la.forecast_la` asks for it in
    :func:`sendcast.scenarios.validation.validate_la`: the forecasts it scores, and the
    forecast of EHC plans the baseline follows, also over the assessment durations' fixed
    horizon, :data:`sendcast.scenarios.timeliness_setup.FIT_HORIZON`), and the other tables
    that are the same for every LA (every LA's panels, the national unit costs and the
    shipped checks from the data folder ``data``), so that tasks run here or in worker
    processes forked from here find them cached instead of each worker computing them again."""
    from sendcast.forecasting.evidence import FORECAST_MEASURES, national_evidence
    from sendcast.money.unit_costs import NATIONAL_OUTTURN_FILE, every_la_unit_costs
    from sendcast.scenarios.timeliness_setup import FIT_HORIZON

    measures = [m for m in FORECAST_MEASURES if "age_band" not in m]
    for origin in sorted(set(origins)):
        for until, horizon in ((origin, last_year - origin), (origin - 1, last_year - origin + 1),
                               (origin, FIT_HORIZON)):
            national_evidence(dataset, measures, until=until, horizons=min(horizon, 5))
    las = current_las(dataset)
    if not las.empty:
        la_history(dataset, las["la_code"].iloc[0])  # every LA's panels: made once per dataset and process
    national = paths.raw_dir(paths.data_dir(data)) / "finance" / NATIONAL_OUTTURN_FILE  # as placement_costs reads it
    if national.is_file():
        every_la_unit_costs(dataset, national)
    shipped_checks(paths.data_dir(data))  # every LA's earlier checks, read once


# ---------------------------------------------------------------------------- every LA
def current_las(dataset: Dataset) -> pd.DataFrame:
    """LAs (not England) in code order: ``la_code, la_name``."""
    las = dataset.geography.las
    las = las[las["la_code"] != "E92000001"]
    return las.sort_values("la_code")[["la_code", "la_name"]].reset_index(drop=True)


def choose_las(dataset: Dataset, *, names: Sequence[str] = (), every: int | None = None,
               neighbours_of: str | None = None) -> pd.DataFrame:
    """The LAs of a run, in code order: all (nothing chosen), or the union of ``names``
    (names, codes or numbers), every ``every``-th LA by code (the 1st, the ``every+1``-th, ...)
    and ``neighbours_of`` with its ten DfE statistical neighbours."""
    las = current_las(dataset)
    if not names and every is None and neighbours_of is None:
        return las
    chosen: set[str] = {str(dataset.geography.resolve(name)["la_code"]) for name in names}
    if every is not None:
        chosen |= set(las["la_code"].iloc[::every])
    if neighbours_of is not None:
        code = str(dataset.geography.resolve(neighbours_of)["la_code"])
        chosen |= {code} | set(dataset.neighbours.loc[dataset.neighbours["la_code"] == code, "neighbour_code"])
    return las[las["la_code"].isin(chosen)].reset_index(drop=True)


@dataclass(frozen=True)
class NationalValidation:
    """Every LA's outcome and the tables made from them."""

    outcomes: tuple[LaOutcome, ...]
    table: pd.DataFrame
    targets: pd.DataFrame
    summary: pd.DataFrame
    las: pd.DataFrame
    fit: pd.DataFrame
    seconds: float
    notes: tuple[str, ...] = field(default=())


def validate_las(dataset: Dataset, las: pd.DataFrame, *, origins: Sequence[int], replications: int, seed: int,
                 data: str | Path | None = None, backend: str = "local", workers: int | None = None,
                 scheduler: str | None = None, progress: Progress | None = None,
                 task_function: Callable[[LaTask], LaOutcome] = validate_task,
                 prime: bool | None = None, checkpoint: str | Path | None = None) -> NationalValidation:
    """Validate every LA of ``las`` (``la_code, la_name``) as independent tasks on ``backend``.
    LAs lacking an input are not run (status ``missing input``); a failing LA is a row.
    ``prime``: compute the national evidence here first (:func:`prime_evidence`); default on
    for the ``processes`` backend with two or more LAs to run (forked workers inherit it).
    ``checkpoint``: a folder where each LA's outcome is saved as it finishes; LAs validated
    there by an earlier run with the same settings and data are read back, not run again."""
    origins = tuple(sorted(set(origins)))
    published = dataset.measures.loc[(dataset.measures["measure"] == "ehcp_total")
                                     & (dataset.measures["la_code"] != "E92000001"), "year"]
    last_year = int(published.max())
    remember_dataset(dataset, data)
    outcomes: dict[str, LaOutcome] = {}
    tasks = []
    for code, name in zip(las["la_code"], las["la_name"]):
        missing = missing_inputs(dataset, code, origins, last_year)
        task = LaTask(code, name, origins, replications, seed, None if data is None else str(data),
                      None if checkpoint is None else str(checkpoint))
        saved = read_checkpoint(task, dataset.input_checksums)
        if missing:
            outcomes[code] = LaOutcome(code, name, MISSING, "; ".join(missing))
        elif saved is not None:
            outcomes[code] = saved
        else:
            tasks.append(task)
    began = time.perf_counter()
    if prime if prime is not None else (backend == "processes" and len(tasks) > 1):
        prime_evidence(dataset, origins, last_year, data)
    for outcome in map_tasks(task_function, tasks, backend=backend, workers=workers, scheduler=scheduler,
                             progress=progress):
        outcomes[outcome.la_code] = outcome
    seconds = time.perf_counter() - began
    ordered = tuple(outcomes[code] for code in las["la_code"])
    table = national_table(ordered)
    targets = national_targets(ordered)
    notes = next((o.notes[:3] for o in ordered if o.status == VALIDATED), ())
    return NationalValidation(ordered, table, targets, summary_by_measure(table, targets), la_table(ordered),
                              national_fit(ordered), seconds, notes)


def la_table(outcomes: Sequence[LaOutcome]) -> pd.DataFrame:
    """One row per LA: ``status``, ``reason`` (the missing inputs or the error), time and memory."""
    return pd.DataFrame([{"la_code": o.la_code, "la_name": o.la_name, "status": o.status, "reason": o.reason,
                          "seconds": round(o.seconds, 2), "cpu_seconds": round(o.cpu_seconds, 2),
                          "peak_rss_mib": round(o.peak_rss_mib, 1)} for o in outcomes], columns=LA_COLUMNS)


def national_table(outcomes: Sequence[LaOutcome]) -> pd.DataFrame:
    """One row per LA x measure x origin x horizon (:data:`NATIONAL_COLUMNS`); an LA not
    validated is one row with its status and reason and nothing else."""
    parts = []
    for o in outcomes:
        if o.status == VALIDATED and o.table is not None:
            parts.append(o.table.assign(la_code=o.la_code, la_name=o.la_name, status=o.status, reason=""))
        else:
            parts.append(pd.DataFrame([{"la_code": o.la_code, "la_name": o.la_name, "status": o.status,
                                        "reason": o.reason}]))
    if not parts:
        return pd.DataFrame(columns=NATIONAL_COLUMNS)
    table = pd.concat([p.reindex(columns=NATIONAL_COLUMNS) for p in parts], ignore_index=True)
    return table.astype({"origin": "Int64", "horizon": "Int64", "year": "Int64"})


def national_targets(outcomes: Sequence[LaOutcome]) -> pd.DataFrame:
    """Each validated LA's verdict per target over the origins (``target_summary``)."""
    parts = [o.targets.assign(la_code=o.la_code, la_name=o.la_name) for o in outcomes
             if o.status == VALIDATED and o.targets is not None]
    if not parts:
        return pd.DataFrame(columns=["la_code", "la_name", *TARGET_COLUMNS])
    table = pd.concat(parts, ignore_index=True)
    return table[["la_code", "la_name", *[c for c in table.columns if c not in ("la_code", "la_name")]]]


def national_fit(outcomes: Sequence[LaOutcome]) -> pd.DataFrame:
    parts = [o.fit for o in outcomes if o.status == VALIDATED and o.fit is not None and not o.fit.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FIT_COLUMNS)


def _median_abs(table: pd.DataFrame, column: str) -> float:
    values = table[column].dropna() if column in table.columns else pd.Series(dtype=float)
    return float(values.abs().median()) if not values.empty else np.nan


def _share_of(table: pd.DataFrame, column: str) -> float:
    """:func:`_share` of a column (NaN where the table has none)."""
    return _share(table[column]) if column in table.columns else np.nan


def _share(values: pd.Series) -> float:
    values = values.dropna().astype(bool)
    return float(values.mean()) if not values.empty else np.nan


def summary_by_measure(table: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Per measure, one year ahead: a row per origin and an ``all`` row (see the module notes).
    ``median_error``/``median_abs_error``/``worst_error``: over LAs (and origins in ``all``),
    in the table's units; ``worst_la``: the LA with the largest absolute error (its origin in
    ``all``). ``share_passed``: per origin, the LAs whose one-year-ahead value meets the
    target; in ``all``, the LAs meeting it at every origin (AP: mean absolute error over the
    origins <= 10 children, errors not all of one sign, scored only in ``all``)."""
    one = table[(table["status"] == VALIDATED) & (table["horizon"] == 1)]
    verdicts = targets.set_index("target") if not targets.empty else pd.DataFrame()
    rows = []
    for measure in MEASURES:
        part = one[one["measure"] == measure].dropna(subset=["error"])
        if part.empty:
            continue
        groups = [(str(origin), group) for origin, group in part.groupby("origin")] + [("all", part)]
        for origin, group in groups:
            worst = group.loc[group["error"].abs().idxmax()]
            if origin == "all":  # an LA passes if it passes at every origin: its verdict over them
                passes = verdicts.loc[[measure]] if measure in verdicts.index else pd.DataFrame()
                share = _share_of(passes, "simulation_passed")
                worst_la = f"{worst['la_name']} ({int(worst['origin'])})"
            else:
                passes = group
                share = _share_of(group, "passed")
                worst_la = str(worst["la_name"])
            rows.append({"measure": measure, "origin": origin, "target": TARGETS[measure],
                         "las": int(group["la_code"].nunique()), "median_error": float(group["error"].median()),
                         "median_abs_error": float(group["error"].abs().median()), "worst_la": worst_la,
                         "worst_error": float(worst["error"]), "share_passed": share,
                         "share_inside_95": _share(group["inside_95"]),
                         "share_inside_95_calibrated": _share(group["inside_95_calibrated"]),
                         "forecast_median_abs_error": _median_abs(group, "forecast_error"),
                         "forecast_share_passed": _share_of(passes, "forecast_passed"),
                         **{f"{name}_median_abs_error": _median_abs(group, f"{name}_error") for name in BASELINES},
                         **{f"{name}_share_passed": _share_of(passes, f"{name}_passed") for name in BASELINES}})
    if not verdicts.empty and "coverage_95" in verdicts.index:
        cover = verdicts.loc[["coverage_95"]]
        rows.append({"measure": "coverage_95", "origin": "all", "target": "95% bands cover >= 5 of 6 one-year checks",
                     "las": int(len(cover)), "median_error": np.nan, "median_abs_error": np.nan, "worst_la": "",
                     "worst_error": np.nan, "share_passed": _share(cover["simulation_passed"]),
                     "share_inside_95": _share(one["inside_95"]),
                     "share_inside_95_calibrated": _share(one["inside_95_calibrated"]),
                     "forecast_median_abs_error": np.nan,
                     "forecast_share_passed": _share(cover["forecast_passed"])})
    return pd.DataFrame(rows, columns=VALIDATION_SUMMARY_COLUMNS)
