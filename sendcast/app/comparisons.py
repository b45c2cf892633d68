"""Comparisons of scenarios given as settings rather than files: what the web app runs when
a planner has moved the levers.

The settings are written as scenario files (TOML) into the new run folder's ``scenarios/``,
beside copies of the capacity and unit-cost files they name
(:func:`sendcast.scenarios.from_settings.write_scenario_files`), and the comparison is then run
from those files by the same code as ``sendcast compare``
(:func:`sendcast.commands.scenarios.write_comparison_run`). So the run folder holds everything
needed to repeat the run on the command line:

    sendcast compare scenarios/<baseline>.toml scenarios/<option>.toml

run from inside the folder (the replications and the seed are in the scenario files).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sendcast.commands.scenarios import write_comparison_run
from sendcast.runtime.runs import default_folder, run_folder, slug
from sendcast.scenarios.from_settings import check_settings, write_scenario_files
from sendcast.scenarios.pipeline import Comparison

Progress = Callable[[int, int], None]
INPUTS_FOLDER = "scenarios"


def compare_settings(
    scenarios: Sequence[dict[str, Any]],
    *,
    reports: Path | None = None,
    data: str | None = None,
    backend: str = "local",
    workers: int | None = None,
    la: str | None = None,
    progress: Progress | None = None,
) -> tuple[Path, Comparison]:
    """Compare scenarios given as settings (the first is the baseline; its ``replications``
    and ``seed`` are used for all) into a new run folder under ``reports`` (default
    ``reports/``), written as ``sendcast compare`` writes one; returns the folder and the
    comparison. ``la``: run them for another LA as ``sendcast compare --la`` does
    (:mod:`sendcast.scenarios.retarget`).

    The run folder is filled under a hidden name and renamed at the end, so an error or a
    ``progress`` callback that raises (a cancelled run) leaves no folder behind.
    """
    for settings in scenarios:
        check_settings(settings, f"scenario '{settings.get('scenario', {}).get('name', '?')}'")
    label = "-vs-".join(slug(s["scenario"]["name"]) for s in scenarios[:3])
    target = default_folder("compare", label, root=reports)
    with run_folder(target, command="compare", label=label) as run:
        files = write_scenario_files(run.path(INPUTS_FOLDER), scenarios)
        comparison = write_comparison_run(
            run, files, data=data, backend=backend, workers=workers, la=la, progress=progress
        )
        relative = [f"{INPUTS_FOLDER}/{path.name}" for path in files] + (["--la", repr(la)] if la else [])
        run.details["reproduce"] = "sendcast compare " + " ".join(relative) + "   (run inside this folder)"
        _move_paths(run, str(run.staging), str(run.target))
    return target, comparison


def _move_paths(run: Any, old: str, new: str) -> None:
    """Paths recorded while the folder had its temporary name, given their final name."""

    def moved(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(old, new)
        if isinstance(value, dict):
            return {k: moved(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [moved(v) for v in value]
        return value

    run.inputs[:] = moved(run.inputs)
    run.details.update(moved(run.details))
