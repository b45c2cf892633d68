"""Scenarios given as settings (plain dicts, as a scenario file holds them) rather than as
files: checked as a file would be, and written as scenario files (TOML) beside copies of the
capacity and unit-cost files they name, so that the folder they are written to is enough to
run them (the web app then compares them: :mod:`sendcast.app.comparisons`).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sendcast.runtime import atomic
from sendcast.runtime.runs import slug
from sendcast.scenarios.files import Scenario, explain_error

#: scenario keys that name a file, and the name its copy gets in the run folder
FILE_KEYS = {("special_places", "capacity_file"): "capacity.csv", ("costs", "unit_costs_file"): "unit_costs.csv"}


def check_settings(settings: dict[str, Any], name: str) -> Scenario:
    """Validate ``settings`` as a scenario file would be; an :class:`InputError` (one line:
    the key, what is allowed, what was found) names it ``name``."""
    try:
        return Scenario.model_validate(settings)
    except ValidationError as error:
        raise explain_error(error, [Path(name)]) from None


def scenario_toml(settings: dict[str, Any], *, comment: str = "") -> str:
    """``settings`` as a scenario file (TOML): top-level values first, then one table per
    section; lists of tables (``special_places.additional``) as ``[[...]]`` blocks."""
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    if lines:
        lines.append("")
    lines += _table(settings, [])
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(values: dict[str, Any], path: list[str]) -> list[str]:
    def inline(v: Any) -> bool:  # a table of plain values inside a section: written on one line
        return isinstance(v, dict) and bool(path) and all(not isinstance(x, dict) for x in v.values())

    plain = {k: v for k, v in values.items() if (not isinstance(v, dict) or inline(v)) and not _is_table_list(v)}
    tables = {k: v for k, v in values.items() if isinstance(v, dict) and k not in plain}
    lists = {k: v for k, v in values.items() if _is_table_list(v)}
    out = []
    if path and (plain or not (tables or lists)):
        out.append(f"[{'.'.join(path)}]")
    out += [f"{_key(k)} = {_value(v)}" for k, v in plain.items()]
    if plain or path:
        out.append("")
    for key, table in tables.items():
        out += _table(table, path + [key])
    for key, items in lists.items():
        for item in items:
            out.append(f"[[{'.'.join(path + [key])}]]")
            out += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
            out.append("")
    return out


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else _value(key)


def _inline(table: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in table.items()) + " }"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return _inline(value)
    raise TypeError(f"cannot write {type(value).__name__} in a scenario file")


def write_scenario_files(folder: Path, scenarios: Sequence[dict[str, Any]]) -> list[Path]:
    """Write each scenario's settings as ``<folder>/<name>.toml`` and copy the capacity and
    unit-cost files they name beside them (the files refer to the copies by name). Returns
    the scenario files, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    copied: dict[Path, str] = {}
    for settings in scenarios:
        settings = {k: dict(v) if isinstance(v, dict) else v for k, v in settings.items()}
        for (section, key), copy_name in FILE_KEYS.items():
            source = settings.get(section, {}).get(key)
            if not source:
                continue
            source = Path(source).resolve()
            if source not in copied:
                name = copy_name if copy_name not in copied.values() else f"{Path(copy_name).stem}-{len(copied)}.csv"
                shutil.copyfile(source, folder / name)
                copied[source] = name
            settings[section][key] = copied[source]
        name = settings["scenario"]["name"]
        path = folder / f"{slug(name) or 'scenario'}.toml"
        atomic.write_text(path, scenario_toml(settings, comment=f"Scenario '{name}', written by the sendcast app."))
        written.append(path)
    return written
