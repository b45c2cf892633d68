"""Scenario files: what a planner writes to describe one option.

A scenario is a TOML file validated on load. Unknown keys are errors (a typo must not be
silently ignored); every value has a type and a range, and an error names the file, the
key, what is allowed and what was found. A scenario may say ``based_on = "other.toml"``
(relative to its own folder) and override only what changes; chains are followed and
cycles refused.

Money is in pounds at the scenario's ``price_base`` (a financial year such as
``"2025-26"``); rates are percentages a year.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sendcast.runtime.errors import InputError
from sendcast.data.years import financial_year_start
from sendcast.data.measures import PLACEMENT_GROUPS
from sendcast.money.prices import INFLATION_PCT, PRICE_BASE

FORECAST_METHODS = ("auto", "naive", "drift", "log_drift", "ets", "arima", "theta", "rate", "combination")
PHASES = ("primary", "secondary", "post16", "all")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioInfo(_Section):
    name: str = Field(min_length=1)
    description: str = ""
    la: str = Field(min_length=1, description="LA name, code or number")
    start_year: Annotated[int, Field(ge=2015, le=2100, description="January caseload the run starts from")]
    horizon: Annotated[int, Field(ge=1, le=25, description="years simulated and forecast")] = 10
    replications: Annotated[int, Field(ge=1, le=100_000)] = 200
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 20251122


class ForecastOptions(_Section):
    method: Literal[FORECAST_METHODS] = "auto"  # type: ignore[valid-type]
    horizon: Annotated[int, Field(ge=1, le=15)] | None = None
    growth_cap_pct: Annotated[float, Field(gt=0, le=100)] | None = None


class EarlyIdentification(_Section):
    share_identified_early: Annotated[float, Field(ge=0, le=1)] = 0.0
    relative_risk: Annotated[float, Field(gt=0, le=10)] = 1.0
    capacity_children_per_year: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    cost_per_child_gbp: Annotated[float, Field(ge=0, le=1_000_000)] = 0.0


class Assessment(_Section):
    capacity_per_year: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


class NewPlaces(_Section):
    name: str = Field(min_length=1)
    phase: Literal[PHASES]  # type: ignore[valid-type]
    places: Annotated[int, Field(ge=1, le=5_000)]
    from_year: Annotated[int, Field(ge=2015, le=2100)]
    to_year: Annotated[int, Field(ge=2015, le=2100)] | None = None
    source: str = ""

    @model_validator(mode="after")
    def _order(self) -> NewPlaces:
        if self.to_year is not None and self.to_year < self.from_year:
            raise ValueError("to_year must be on or after from_year")
        return self


class SpecialPlaces(_Section):
    capacity_file: str | None = None
    additional: tuple[NewPlaces, ...] = ()
    overflow_policy: Literal["independent", "wait"] = "independent"


class Costs(_Section):
    unit_costs_file: str | None = None
    unit_costs_gbp: dict[str, Annotated[float, Field(ge=0)]] = {}
    transport_gbp: dict[str, Annotated[float, Field(ge=0)]] = {}
    price_base: str = PRICE_BASE
    inflation_pct: Annotated[float, Field(ge=-5, le=25)] = INFLATION_PCT
    discount_rate_pct: Annotated[float, Field(ge=0, le=20)] = 3.5

    @field_validator("unit_costs_gbp", "transport_gbp")
    @classmethod
    def _groups(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(PLACEMENT_GROUPS))
        if unknown:
            raise ValueError(f"unknown placement group {unknown[0]!r}; allowed: {', '.join(PLACEMENT_GROUPS)}")
        return value

    @field_validator("price_base")
    @classmethod
    def _price_base(cls, value: str) -> str:
        financial_year_start(value)
        return value


class Scenario(_Section):
    """One scenario, fully resolved (``based_on`` already applied)."""

    scenario: ScenarioInfo
    forecast: ForecastOptions = ForecastOptions()
    early_identification: EarlyIdentification = EarlyIdentification()
    assessment: Assessment = Assessment()
    special_places: SpecialPlaces = SpecialPlaces()
    costs: Costs = Costs()


def load_scenario(path: str | Path) -> tuple[Scenario, dict[str, Any], list[Path]]:
    """Read, resolve ``based_on`` and validate a scenario file.

    Returns the scenario, the resolved settings as a plain dict (for the manifest) and
    the chain of files read (the file first). File paths inside the scenario are made
    absolute relative to the file that named them.
    """
    path = Path(path)
    merged, chain = _resolve(path, [])
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as error:
        raise explain_error(error, chain) from None
    return scenario, merged, chain


def _read(path: Path, referrer: Path | None) -> dict[str, Any]:
    if not path.is_file():
        if referrer is None:
            raise InputError(path, "a scenario file (TOML)", found="no such file")
        raise InputError(referrer, f"key 'based_on' to name an existing scenario file ({path})",
                         found=str(path.name))
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InputError(path, "UTF-8 text (save the file as UTF-8)", row=error.object[: error.start].count(b"\n") + 1,
                         found=f"byte 0x{error.object[error.start]:02x}") from error
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"at line (\d+)", str(error))
        text = path.read_bytes().decode("utf-8-sig")
        last = len(text.rstrip("\n").splitlines()) or 1
        raise InputError(path, "valid TOML", row=int(line.group(1)) if line else last,
                         found=str(error)) from error
    for section in ("special_places", "costs"):
        block = data.get(section)
        if isinstance(block, dict):
            for key in ("capacity_file", "unit_costs_file"):
                if isinstance(block.get(key), str):
                    block[key] = str((path.parent / block[key]).resolve())
    return data


def _resolve(path: Path, seen: list[Path]) -> tuple[dict[str, Any], list[Path]]:
    resolved = path.resolve()
    if resolved in seen:
        raise InputError(seen[-1], "a based_on chain without cycles", found=" -> ".join(p.name for p in seen + [resolved]))
    data = _read(resolved, seen[-1] if seen else None)
    base_name = data.pop("based_on", None)
    if base_name is None:
        return data, [resolved]
    if not isinstance(base_name, str):
        raise InputError(resolved, "key 'based_on' to be a file name in quotes", found=repr(base_name))
    base, chain = _resolve(resolved.parent / base_name, seen + [resolved])
    return merge_settings(base, data), [resolved] + chain


def merge_settings(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` applied section by section (what ``based_on`` does)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_settings(out[key], value)
        else:
            out[key] = value
    return out


def explain_error(error: ValidationError, chain: list[Path]) -> InputError:
    """One plain message for the first validation error, naming the file (and what it is
    based on), the key, what is allowed and what was found."""
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    kind = first["type"]
    found = first.get("input")
    if kind == "extra_forbidden":
        allowed = allowed_keys(first["loc"][:-1])
        expected = f"no key '{key}' (allowed here: {', '.join(allowed)})"
    elif kind == "missing":
        expected = f"key '{key}' to be set"
        found = None
    else:
        reason = first["msg"].removeprefix("Value error, ")
        expected = f"key '{key}': {reason.removeprefix('expected ')}"
        if ", found " in reason:
            found = None  # the reason already says what was found
    where, line = locate_key(first["loc"], chain)
    return InputError(where, expected, row=line,
                      found=None if found is None or isinstance(found, dict) else str(found))


def locate_key(location: tuple, chain: list[Path]) -> tuple[str, int | None]:
    """The file of the ``based_on`` chain that sets a key, and the line it is set on.

    Overrides come first in the chain, so the first file that sets the key is the one
    whose value was used. A key no file sets (a missing one) names the chain.
    """
    keys = [str(part) for part in location if not isinstance(part, int)]
    for path in chain:
        line = _line_of(path, keys)
        if line is not None:
            return str(path), line
    if len(chain) == 1:
        return str(chain[0]), None
    return f"{chain[0]} (based on {', '.join(p.name for p in chain[1:])})", None


def _line_of(path: Path, keys: list[str]) -> int | None:
    """Line number of ``[a]`` / ``key =`` for a key path such as ``["costs", "price_base"]``."""
    try:
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    section: list[str] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if text.startswith("["):
            section = [part.strip() for part in text.strip("[]").split(".")]
            if section == keys:
                return number
            continue
        name = text.split("=", 1)[0].strip().strip('"')
        if "=" in text and section + [part.strip() for part in name.split(".")] == keys:
            return number
        if "=" in text and section + [name.split(".")[0].strip()] == keys[: len(section) + 1] \
                and len(keys) > len(section) + 1 and "{" in text:
            return number  # an inline table: costs.unit_costs_gbp = { ... }
    return None


def allowed_keys(location: tuple) -> list[str]:
    """The keys allowed in the section at ``location`` (``()`` for the top level)."""
    model: type[BaseModel] = Scenario
    for part in location:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            break
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        model = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), model)
    return sorted(model.model_fields)
