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

import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sendcast.data.release import read_input_file, require_regular_file
from sendcast.runtime.errors import InputError
from sendcast.data.years import financial_year_start
from sendcast.money.unit_costs import MAX_UNIT_COST_GBP
from sendcast.data.measures import PLACEMENT_GROUPS, PRIMARY_NEEDS
from sendcast.money.prices import INFLATION_PCT, PRICE_BASE

FORECAST_METHODS = ("auto", "naive", "drift", "log_drift", "ets", "arima", "theta", "rate", "combination")
PHASES = ("primary", "secondary", "post16", "all")


class _Section(BaseModel):
    # No key outside the model, no nan or inf anywhere (TOML writes them as nan and inf).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ScenarioInfo(_Section):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5_000)
    la: str = Field(min_length=1, description="LA name, code or number")
    start_year: Annotated[int, Field(ge=2015, le=2100, description="January caseload the run starts from")]
    horizon: Annotated[int, Field(ge=1, le=25, description="years simulated and forecast")] = 10
    replications: Annotated[int, Field(ge=1, le=100_000)] = 200
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 20251122


class ForecastOptions(_Section):
    method: Literal[FORECAST_METHODS] = "auto"  # type: ignore[valid-type]
    horizon: Annotated[int, Field(ge=1, le=15)] | None = None
    growth_cap_pct: Annotated[float, Field(gt=0, le=100)] | None = None


DISTRIBUTIONS = ("triangular", "uniform", "beta", "lognormal")
_PARAMETERS = {"triangular": ("low", "mode", "high"), "uniform": ("low", "high"),
               "beta": ("alpha", "beta"), "lognormal": ("median", "sdlog")}


class Distribution(_Section):
    """An uncertain input: ``{dist = "triangular", low = 0.5, mode = 0.85, high = 1.1}``,
    ``{dist = "uniform", low, high}``, ``{dist = "beta", alpha, beta}`` (optionally scaled
    to ``[low, high]``) or ``{dist = "lognormal", median, sdlog}``; ``source`` cites it or
    says "illustrative". Each replication draws its own value (probabilistic sensitivity
    analysis); a single run uses the median."""

    dist: Literal[DISTRIBUTIONS]  # type: ignore[valid-type]
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    alpha: Annotated[float, Field(gt=0)] | None = None
    beta: Annotated[float, Field(gt=0)] | None = None
    median: Annotated[float, Field(gt=0)] | None = None
    sdlog: Annotated[float, Field(gt=0, le=5)] | None = None
    source: str = ""

    @model_validator(mode="after")
    def _shape(self) -> Distribution:
        needed = _PARAMETERS[self.dist]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(needed)}; missing {', '.join(missing)}")
        extra = [name for name in ("low", "mode", "high", "alpha", "beta", "median", "sdlog")
                 if getattr(self, name) is not None and name not in needed
                 and not (self.dist == "beta" and name in ("low", "high"))]
        if extra:
            raise ValueError(f"a {self.dist} distribution takes {', '.join(needed)}; not {', '.join(extra)}")
        low, high = self.support
        if not low < high:
            raise ValueError(f"{self.dist} distribution: low must be below high")
        if self.dist == "triangular" and not low <= self.mode <= high:  # type: ignore[operator]
            raise ValueError("triangular distribution: need low <= mode <= high")
        return self

    @property
    def support(self) -> tuple[float, float]:
        """The lowest and highest value a draw can take."""
        if self.dist == "lognormal":
            return 0.0, float("inf")
        if self.dist == "beta":
            return (0.0 if self.low is None else self.low), (1.0 if self.high is None else self.high)
        return float(self.low), float(self.high)  # type: ignore[arg-type]

    def ppf(self, u: Any) -> Any:
        """The value at cumulative probability ``u`` (array or number): draws are ``ppf`` of
        uniform numbers, so a 10th percentile is ``ppf(0.1)``."""
        import numpy as np
        from scipy import stats
        u = np.asarray(u, dtype=float)
        if self.dist == "uniform":
            return self.low + u * (self.high - self.low)  # type: ignore[operator]
        if self.dist == "triangular":
            low, mode, high = self.low, self.mode, self.high
            return stats.triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low)  # type: ignore
        if self.dist == "beta":
            low, high = self.support
            return low + (high - low) * stats.beta.ppf(u, self.alpha, self.beta)
        return self.median * np.exp(self.sdlog * stats.norm.ppf(u))  # type: ignore[operator]

    def describe(self) -> str:
        """``triangular(low 0.5, mode 0.85, high 1.1)`` and its source."""
        parts = ", ".join(f"{name} {getattr(self, name):g}" for name in _PARAMETERS[self.dist])
        return f"{self.dist}({parts}); {self.source or 'illustrative: no source given'}"

    @property
    def central(self) -> float:
        """The median: the value a run without sensitivity analysis uses."""
        return float(self.ppf(0.5))


def uncertain(low: float, high: float, *, low_open: bool = False, whole: bool = False):
    """A field validator: a number in ``[low, high]`` (``(low, high]`` if ``low_open``) or a
    :class:`Distribution` whose draws stay inside that range."""

    def check(value: Any) -> Any:
        if isinstance(value, Distribution):
            dist = value
        elif isinstance(value, dict):
            dist = Distribution.model_validate(value)
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"expected a number or a distribution such as "
                                 f"{{dist = \"triangular\", low = ..., mode = ..., high = ...}}, found {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"expected a finite number, found {value!r}")
            below = value <= low if low_open else value < low
            if below or value > high:
                bracket = "(" if low_open else "["
                raise ValueError(f"expected a number in {bracket}{low:g}, {high:g}], found {value!r}")
            return int(value) if whole else float(value)
        lo, hi = dist.support
        if lo < low or (low_open and lo <= low) or hi > high:
            if dist.dist != "lognormal" or float(dist.ppf(0.999)) > high:
                raise ValueError(f"the {dist.dist} distribution reaches {lo:g} to {hi:g}; allowed "
                                 f"{'(' if low_open else '['}{low:g}, {high:g}]")
        return dist

    return check


class EarlyIdentification(_Section):
    """The lever (meanings: :class:`simulation.parameters.EarlyIdentification`). Numbers may
    be distributions where :data:`sendcast.scenarios.uncertainty.UNCERTAIN_KEYS` says so.
    ``sources``: where each value comes from (``{relative_risk = "illustrative: ..."}``);
    the report repeats them, and says "illustrative: no source given" for any it lacks."""

    share_identified_early: Any = 0.0
    relative_risk: Any = 1.0
    capacity_children_per_year: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    cost_per_child_gbp: Any = 0.0
    years_earlier: Annotated[int, Field(ge=0, le=3)] = 2
    late_age: Annotated[int, Field(ge=1, le=20)] = 7
    share_more_identified: Any = 0.0
    late_identified_escalation_multiple: Any = 1.0
    more_identified_escalation_multiple: Any = 1.0
    initial_relative_risk: Any = None
    years_to_full_effect: Annotated[float, Field(ge=0, le=20)] = 0.0
    effect_years: Annotated[float, Field(ge=0, le=30)] | None = None
    fade_out_years: Annotated[float, Field(ge=0, le=30)] = 0.0
    needs_met_multiplier: Any = 1.0
    special_placement_multiplier: Any = 1.0
    support_years: Annotated[int, Field(ge=1, le=25)] = 1
    programme_cost_gbp_per_year: Any = 0.0
    #: Primary needs the lever is restricted to (SEN2 codes, e.g. ``["slcn", "semh"]``);
    #: unset: every child. The shares are then shares of the children with those needs.
    target_needs: list[str] | None = None
    sources: dict[str, str] = {}

    _share = field_validator("share_identified_early")(classmethod(lambda cls, v: uncertain(0, 1)(v)))
    _more = field_validator("share_more_identified")(classmethod(lambda cls, v: uncertain(0, 0.5)(v)))
    _risk = field_validator("relative_risk", "late_identified_escalation_multiple",
                            "more_identified_escalation_multiple", "needs_met_multiplier")(
        classmethod(lambda cls, v: uncertain(0, 10, low_open=True)(v)))
    _initial = field_validator("initial_relative_risk")(
        classmethod(lambda cls, v: None if v is None else uncertain(0, 10, low_open=True)(v)))
    _placement = field_validator("special_placement_multiplier")(classmethod(lambda cls, v: uncertain(0, 3)(v)))
    _cost = field_validator("cost_per_child_gbp", "programme_cost_gbp_per_year")(
        classmethod(lambda cls, v: uncertain(0, 100_000_000)(v)))

    @field_validator("target_needs")
    @classmethod
    def _needs(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("expected at least one primary need (or leave target_needs out: every child)")
        for need in value:
            if need not in PRIMARY_NEEDS:
                raise ValueError(f"unknown primary need {need!r}; allowed: {', '.join(PRIMARY_NEEDS)}")
        if len(set(value)) != len(value):
            raise ValueError("a primary need is listed twice")
        return value

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(cls.model_fields))
        if unknown:
            raise ValueError(f"sources names {unknown[0]!r}, which is not a setting of this section")
        return value

    @model_validator(mode="after")
    def _effect(self) -> EarlyIdentification:
        if self.effect_years is not None and self.effect_years < self.years_to_full_effect:
            raise ValueError("effect_years must be at least years_to_full_effect")
        return self

    def source_of(self, name: str) -> str:
        """Where a setting comes from, as the report says it."""
        value = getattr(self, name)
        if isinstance(value, Distribution) and value.source:
            return value.source
        return self.sources.get(name, "illustrative: no source given")


class Assessment(_Section):
    """``capacity_rule``: ``responsive`` (the baseline: capacity follows the work in hand as
    it has since 2019, with ``capacity_per_year`` as a floor) or ``frozen`` (capacity held
    at today's level, or at ``capacity_per_year``)."""

    capacity_per_year: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    capacity_rule: Literal["responsive", "frozen"] = "responsive"


class NewPlaces(_Section):
    name: str = Field(min_length=1)
    phase: Literal[PHASES]  # type: ignore[valid-type]
    places: Annotated[int, Field(ge=1, le=5_000)]
    from_year: Annotated[int, Field(ge=2015, le=2100)]
    to_year: Annotated[int, Field(ge=2015, le=2100)] | None = None
    source: str = ""
    capital_gbp_per_place: Annotated[float, Field(ge=0, le=10_000_000)] | None = None

    @model_validator(mode="after")
    def _order(self) -> NewPlaces:
        if self.to_year is not None and self.to_year < self.from_year:
            raise ValueError("to_year must be on or after from_year")
        return self


#: A child who finds no local special place waits and is placed in an independent special
#: school at this rate a year (mean wait ``1 / rate``), unless a place frees first; 0: waits
#: until a local place frees. Chosen out of sample (7 December 2026,
#: ``benchmarks/evidence_place_limits.py``, origins 2021-2023, every LA's data cut at the
#: origin, places following the forecast, waiting children of school age in mainstream): the
#: independent placements' median absolute log error one / four years ahead was 0.111 / 0.205
#: at 0, 0.112 / 0.245 at 0.5 and 0.221 / 0.388 at 2 a year on the design set (Gloucestershire's
#: ten neighbours), 0.123 / 0.207, 0.156 / 0.286 and 0.201 / 0.511 on 13 held-out LAs, 0.126 /
#: 0.178 at 0 and 0.328 / 0.539 at 2 on 15 more. Reading: the calibrated placement shares
#: already carry the independent placements history's shortages made, so a rate on top counts
#: them twice. A scenario testing a shortage beyond the baseline's may set its own rate (an
#: assumption it must state: no history of waits for a place is published).
OVERFLOW_RATE_PER_YEAR = 0.0

#: Where a child waiting for a special place is counted: ``"mainstream"`` (a child of school
#: age stays in a mainstream school while waiting; early years and post-16 in "other") or
#: ``"other"`` (SEN2's awaiting provision); :class:`simulation.parameters.SpecialPlaces`.
#: Chosen out of sample (same script and day): with places following the forecast the
#: simulation's mainstream placements (EHC plans less every other placement) were too low
#: and its "other" too high where waiting children counted in "other"; counted in mainstream,
#: the mainstream error four years ahead fell from 0.276 to 0.183 (15 held-out LAs) and 0.227
#: to 0.195 (11 LAs never looked at before the choice), FE + other about unchanged.
WAITING_PLACEMENT = "mainstream"


class SpecialPlaces(_Section):
    """``places_rule``: ``forecast`` (the baseline "as things stand": the LA opens places as
    the forecast engine's central forecast of children in state special schools grows,
    :func:`sendcast.scenarios.parameters.forecast_place_growth`), ``growing`` (it goes on
    adding places each January as it has, :func:`sendcast.scenarios.parameters.place_growth`)
    or ``frozen`` (no new places beyond the capacity file and ``additional``). ``additional``
    places come on top of either. ``overflow_policy``: a child who finds no place goes to
    an independent special school at once (``independent``) or waits (``wait``, the
    baseline), and is placed in one at ``overflow_rate_per_year`` (0: waits until a local
    place frees). ``waiting_placement``: where a waiting child is counted meanwhile
    (:data:`WAITING_PLACEMENT`)."""

    capacity_file: str | None = None
    additional: tuple[NewPlaces, ...] = ()
    places_rule: Literal["forecast", "growing", "frozen"] = "forecast"
    overflow_policy: Literal["independent", "wait"] = "wait"
    overflow_rate_per_year: Annotated[float, Field(ge=0, le=52)] = OVERFLOW_RATE_PER_YEAR
    waiting_placement: Literal["other", "mainstream"] = WAITING_PLACEMENT


class Costs(_Section):
    unit_costs_file: str | None = None
    unit_costs_gbp: dict[str, Annotated[float, Field(ge=0, le=MAX_UNIT_COST_GBP)]] = {}
    transport_gbp: dict[str, Annotated[float, Field(ge=0, le=MAX_UNIT_COST_GBP)]] = {}
    default_transport: bool = True
    capital_gbp_per_special_place: Any = None
    assessment_staff_gbp_per_assessment: Any = None
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

    @field_validator("capital_gbp_per_special_place", "assessment_staff_gbp_per_assessment")
    @classmethod
    def _uncertain_costs(cls, value: Any) -> Any:
        return None if value is None else uncertain(0, 10_000_000)(value)

    @field_validator("price_base")
    @classmethod
    def _price_base(cls, value: str) -> str:
        financial_year_start(value)
        return value


class Trends(_Section):
    """How the fitted request and identification rates go on after the published years:
    ``damped`` (the baseline: damped growth, the damping chosen out of sample,
    :mod:`simulation.trends`) or ``held`` (held at the last fitted year's values)."""

    rule: Literal["damped", "held"] = "damped"


class IndividualSupportPlans(_Section):
    """Reform: a share of plans replaced by individual support plans at phase transfer from
    a year (:mod:`simulation.reform`, which says what it does not model yet)."""

    share_at_transfer: Annotated[float, Field(ge=0, lt=1)] = 0.0
    from_year: Annotated[int, Field(ge=2015, le=2100)] = 2030
    transfer_ages: tuple[Annotated[int, Field(ge=0, le=25)], ...] = (4, 11, 16)
    sources: dict[str, str] = {}


class Scenario(_Section):
    """One scenario, fully resolved (``based_on`` already applied)."""

    scenario: ScenarioInfo
    forecast: ForecastOptions = ForecastOptions()
    early_identification: EarlyIdentification = EarlyIdentification()
    assessment: Assessment = Assessment()
    trends: Trends = Trends()
    special_places: SpecialPlaces = SpecialPlaces()
    costs: Costs = Costs()
    individual_support_plans: IndividualSupportPlans = IndividualSupportPlans()


#: The name of the run made without a scenario file.
AS_THINGS_STAND = "As things stand"


def as_things_stand(la: str, start_year: int) -> Scenario:
    """The scenario a run without a scenario file stands for: every setting at the
    default a scenario file gets when it names only its LA and start year (places growing
    as they have, overflow waiting, costs at the default price base with default
    transport). One meaning of "baseline": ``simulate --la X`` and a scenario file that
    changes nothing are placed and priced the same way. The run's horizon, replications
    and seed are the command's, not this object's."""
    return Scenario(scenario=ScenarioInfo(name=AS_THINGS_STAND, la=la, start_year=start_year))


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


#: A scenario's tables nest at most this deep (the deepest real one: 3, ``[[special_places.additional]]``);
#: a file nested thousands deep would exhaust Python's recursion limit.
MAX_NESTING = 8
#: A ``based_on`` chain is at most this long (the shipped examples use 2).
MAX_CHAIN = 20
#: Largest scenario file read (a real one is under 2 kB).
MAX_SCENARIO_BYTES = 1024**2


def _read(path: Path, referrer: Path | None) -> dict[str, Any]:
    if not path.exists():
        if referrer is None:
            raise InputError(path, "a scenario file (TOML)", found="no such file")
        raise InputError(referrer, f"key 'based_on' to name an existing scenario file ({path})",
                         found=str(path.name))
    require_regular_file(path, what="a scenario file (TOML)", max_bytes=MAX_SCENARIO_BYTES)
    raw = read_input_file(path, what="a scenario file (TOML)")
    try:
        text = raw.decode("utf-8-sig")
        _check_nesting(text, path)
        data = tomllib.loads(text)
    except RecursionError:
        raise InputError(path, f"tables and lists nested at most {MAX_NESTING} deep", found="deeper") from None
    except UnicodeDecodeError as error:
        raise InputError(path, "UTF-8 text (save the file as UTF-8)", row=error.object[: error.start].count(b"\n") + 1,
                         found=f"byte 0x{error.object[error.start]:02x}") from error
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"at line (\d+)", str(error))
        last = len(text.rstrip("\n").splitlines()) or 1
        raise InputError(path, "valid TOML", row=int(line.group(1)) if line else last,
                         found=str(error)) from error
    if _depth(data) > MAX_NESTING:
        raise InputError(path, f"tables and lists nested at most {MAX_NESTING} deep", found="deeper")
    for section in ("special_places", "costs"):
        block = data.get(section)
        if isinstance(block, dict):
            for key in ("capacity_file", "unit_costs_file"):
                if isinstance(block.get(key), str):
                    named = block[key]
                    try:
                        block[key] = str((path.parent / named).resolve())
                    except (OSError, RuntimeError, ValueError) as error:
                        raise InputError(path, f"key '{section}.{key}' to name a file",
                                         row=_line_of(path, [section, key]),
                                         found=str(error)) from None
                    try:
                        require_regular_file(block[key], what=f"a file (named by key '{section}.{key}')")
                    except InputError as error:
                        raise InputError(path, f"key '{section}.{key}' to name an existing regular file",
                                         row=_line_of(path, [section, key]),
                                         found=f"{named}: {error.found}") from None
    return data


def _check_nesting(text: str, path: Path) -> None:
    """Refuse text whose brackets open deeper than :data:`MAX_NESTING` before parsing it
    (counting outside quoted strings would need a parser; counting all brackets errs on the
    side of refusing, and a real scenario never comes near the limit)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > 4 * MAX_NESTING:
                raise InputError(path, f"tables and lists nested at most {MAX_NESTING} deep", found="deeper")
        elif char in "]}":
            depth = max(depth - 1, 0)


def _depth(value: Any) -> int:
    """How deeply tables and lists nest in parsed TOML, without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
        else:
            continue
        deepest = max(deepest, level + 1)
    return deepest


def _resolve(path: Path, seen: list[Path]) -> tuple[dict[str, Any], list[Path]]:
    """Follow the ``based_on`` chain from ``path`` (a loop, not recursion: a chain is at most
    :data:`MAX_CHAIN` files) and merge it, the file itself last."""
    chain: list[Path] = list(seen)
    layers: list[dict[str, Any]] = []
    current = path
    while True:
        try:
            resolved = current.resolve()
        except (OSError, RuntimeError) as error:
            raise InputError(chain[-1] if chain else current, "key 'based_on' to name a scenario file",
                             found=str(error)) from None
        if resolved in chain:
            raise InputError(chain[-1], "a based_on chain without cycles",
                             found=" -> ".join(p.name for p in chain + [resolved]))
        if len(chain) >= MAX_CHAIN:
            raise InputError(chain[0], f"a based_on chain of at most {MAX_CHAIN} files",
                             found=f"more ({chain[-1].name} is based on {resolved.name})")
        data = _read(resolved, chain[-1] if chain else None)
        chain.append(resolved)
        base_name = data.pop("based_on", None)
        layers.append(data)
        if base_name is None:
            break
        if not isinstance(base_name, str):
            raise InputError(resolved, "key 'based_on' to be a file name in quotes", found=repr(base_name)[:80])
        current = resolved.parent / base_name
    merged = layers[-1]
    for layer in reversed(layers[:-1]):
        merged = merge_settings(merged, layer)
    return merged, chain[len(seen):]


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
