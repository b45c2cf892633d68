"""The levers a planner can move in a scenario, with units and allowed ranges taken from the
scenario validation itself (:mod:`sendcast.scenarios.files`), so a control can never offer a
value that the scenario file would refuse, and a lever added to a scenario section appears
here without another list to keep in step.

A lever is named by its key in the scenario file (``early_identification.relative_risk``);
its range is the one the validation enforces. Optional levers (``assessment.capacity_per_year``,
the unit costs) may be left blank: the value then comes from the data, as in a scenario file
that does not set them.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError

from sendcast.data.measures import MEASURES, PLACEMENT_GROUPS
from sendcast.scenarios.files import (
    Assessment,
    Costs,
    EarlyIdentification,
    SpecialPlaces,
)

#: The scenario sections whose plain values are levers, in the order a planner meets them.
SECTIONS: tuple[tuple[str, type[BaseModel], str], ...] = (
    ("early_identification", EarlyIdentification, "Early identification"),
    ("assessment", Assessment, "EHC needs assessment"),
    ("special_places", SpecialPlaces, "Special school places"),
    ("costs", Costs, "Costs"),
)

#: Words for a lever's name and unit where its key does not say them plainly (every lever of the
#: shipped sections has its words here: a control states its unit; meanings in
#: :class:`simulation.parameters.EarlyIdentification` and :mod:`sendcast.scenarios.files`).
WORDS: dict[str, tuple[str, str]] = {
    "share_identified_early": ("Share of late-identified children reached early", "share, 0 to 1"),
    "relative_risk": ("Relative risk of a request after early support", "times the usual chance"),
    "capacity_children_per_year": ("Children supported early at most", "children a year"),
    "cost_per_child_gbp": ("Cost of early support", "£ per child, price base"),
    "years_earlier": ("Years earlier the children are identified", "years (0: when identified)"),
    "late_age": ("Age from which identification counts as late", "years of age"),
    "share_more_identified": ("Extra children identified, beyond the usual", "share of the usual, 0 to 0.5"),
    "late_identified_escalation_multiple": ("Request rate of the children identified earlier",
                                            "times the age-average rate"),
    "more_identified_escalation_multiple": ("Request rate of the extra children identified",
                                            "times the age-average rate"),
    "initial_relative_risk": ("Relative risk in the first year (ramp start)",
                              "times the usual chance (blank: no ramp)"),
    "years_to_full_effect": ("Years to full effect", "years from the start"),
    "effect_years": ("Years the full effect lasts", "years from the start (blank: for good)"),
    "fade_out_years": ("Years the effect takes to fade", "years"),
    "needs_met_multiplier": ("Exits from SEN support with needs met", "times the usual rate"),
    "special_placement_multiplier": ("Chance a supported child's new plan is in a special school",
                                     "times the usual chance"),
    "support_years": ("Years each child is supported", "calendar years"),
    "programme_cost_gbp_per_year": ("Fixed cost of the programme", "£ a year, price base"),
    "capacity_per_year": ("Assessments the service can complete", "assessments a year (blank: from the data)"),
    "capacity_rule": ("Assessment capacity", "responsive: follows the work in hand; frozen: held"),
    "places_rule": ("Special places beyond the capacity file",
                    "forecast: as the forecast of children in special schools grows; growing: as the LA has added "
                    "them; frozen: none"),
    "overflow_policy": ("When no special place is free", "independent school or wait"),
    "overflow_rate_per_year": ("Rate a waiting child is placed independently", "rate a year per waiting child "
                               "(0: waits for a local place)"),
    "waiting_placement": ("Where a child waiting for a special place is counted",
                          "mainstream (at school age) or other"),
    "capital_gbp_per_special_place": ("Capital cost of a new special place", "£ per place, price base "
                                      "(blank: the default)"),
    "assessment_staff_gbp_per_assessment": ("Staff cost of an extra assessment", "£ per assessment, price base "
                                            "(blank: the default)"),
    "inflation_pct": ("Inflation after the price base", "% a year"),
    "discount_rate_pct": ("Discount rate (Green Book)", "% a year"),
}


@dataclass(frozen=True)
class Lever:
    """One control: ``key`` as in the scenario file, the ``kind`` of value (``int``, ``float``
    or ``choice``), its allowed range (``minimum`` is excluded when ``above_minimum``) or
    ``choices``; ``optional`` levers may be left blank."""

    key: str
    label: str
    unit: str
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    above_minimum: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False

    @property
    def allowed(self) -> str:
        """The allowed values in words, e.g. ``"more than 0, at most 10"``."""
        if self.kind == "choice":
            return " or ".join(self.choices)
        parts = []
        if self.minimum is not None:
            parts.append(f"{'more than' if self.above_minimum else 'at least'} {_number(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"at most {_number(self.maximum)}")
        text = ", ".join(parts) or "any number"
        return text + (", or blank" if self.optional else "")

    @property
    def step(self) -> float:
        """A sensible step for a number box (1 for whole numbers)."""
        if self.kind == "int":
            return 1
        span = (self.maximum or 1) - (self.minimum or 0)
        return 0.01 if span <= 10 else 1


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _bounds(metadata: list) -> tuple[float | None, float | None, bool]:
    low = high = None
    above = False
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            low, above = float(item.gt), True  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            high = float(item.le)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            high = float(item.lt)  # type: ignore[arg-type]
    return low, high, above


def _unwrap(annotation: Any) -> tuple[Any, list, bool]:
    """(base type, constraint metadata, optional) of a field annotation such as
    ``Annotated[int, Field(ge=1)] | None``."""
    optional = False
    args = typing.get_args(annotation)
    if args and type(None) in args and typing.get_origin(annotation) in (typing.Union, types.UnionType):
        optional = True
        annotation = next(a for a in args if a is not type(None))
    metadata: list = []
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        for extra in extras:
            metadata += list(getattr(extra, "metadata", [extra]))
        annotation = base
    return annotation, metadata, optional


_RANGE = re.compile(r"a number in ([\[(])([-+.\deE]+), ([-+.\deE]+)\]")


def _probed(model: type[BaseModel], name: str) -> tuple[float, float, bool] | None:
    """The range a field validator enforces on a value that may be a number or a distribution
    (:func:`sendcast.scenarios.files.uncertain`), read from its own refusal of a huge number."""
    try:
        model.model_validate({name: 1e300})
    except ValidationError as error:
        found = _RANGE.search(error.errors()[0]["msg"])
        if found:
            return float(found.group(2)), float(found.group(3)), found.group(1) == "("
    return None


def _lever(section: str, name: str, field: Any, model: type[BaseModel]) -> Lever | None:
    base, metadata, optional = _unwrap(field.annotation)
    metadata = list(field.metadata) + metadata
    label, unit = WORDS.get(name, (name.replace("_", " ").capitalize(), _unit_from_name(name)))
    key = f"{section}.{name}"
    if base is Any:  # a number or a distribution, checked by a validator
        probed = _probed(model, name)
        if probed is None:
            return None
        return Lever(key, label, unit, "float", field.default, *probed, optional=field.default is None)
    if typing.get_origin(base) is typing.Literal:
        return Lever(key, label, unit, "choice", field.default, choices=tuple(typing.get_args(base)))
    if base in (int, float) and base is not bool:
        low, high, above = _bounds(metadata)
        return Lever(key, label, unit, base.__name__, field.default, low, high, above, optional=optional)
    return None  # files, lists of new places and tables are set by their own controls


def _unit_from_name(name: str) -> str:
    if name.endswith("_gbp"):
        return "£, price base"
    if name.endswith("_pct"):
        return "%"
    if name.endswith("_per_year"):
        return "a year"
    return ""


def levers() -> list[Lever]:
    """Every plain-valued lever of the scenario sections in :data:`SECTIONS`."""
    out = []
    for section, model, _ in SECTIONS:
        for name, field in model.model_fields.items():
            lever = _lever(section, name, field, model)
            if lever is not None:
                out.append(lever)
    return out


def unit_cost_levers() -> list[Lever]:
    """One optional lever per placement group: ``costs.unit_costs_gbp.<group>``, pounds a year
    per child at the price base (blank: the cost derived from the data)."""
    _, metadata, _ = _unwrap(typing.get_args(Costs.model_fields["unit_costs_gbp"].annotation)[1])
    low, high, above = _bounds(metadata)
    return [
        Lever(
            f"costs.unit_costs_gbp.{group}",
            MEASURES[group].label.removeprefix("EHC plans: ").capitalize(),
            "£ a year per child, price base",
            "float",
            None,
            low,
            high,
            above,
            optional=True,
        )
        for group in PLACEMENT_GROUPS
    ]


def section_title(section: str) -> str:
    return next(title for name, _, title in SECTIONS if name == section)


def current_value(settings: dict[str, Any], key: str) -> Any:
    """The value ``settings`` (a scenario as a plain dict) gives ``key``; None if unset."""
    value: Any = settings
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def set_levers(settings: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``settings`` with each ``key -> value`` set (a value of None removes the key,
    so the data decide, as in a scenario file that does not set it)."""
    out = _copy(settings)
    for key, value in values.items():
        *path, last = key.split(".")
        block = out
        for part in path:
            block = block.setdefault(part, {})
        if value is None:
            block.pop(last, None)
        else:
            block[last] = value
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value
