"""Probabilistic sensitivity analysis in a comparison: draw each option's uncertain inputs
per replication and summarise what they mean for the decision.

The computation behind the PSA part of ``sendcast compare`` (no printing, no files). The
statistics are defined in :mod:`sendcast.money.value_of_information`; inputs are drawn as
:mod:`sendcast.scenarios.uncertainty` says. An option without uncertain inputs still gets
the probability of saving and the expected NPV (then only chance varies between
replications) but no tornado, break-even or EVPI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sendcast.money import value_of_information as voi
from sendcast.money.appraisal import discount_factors
from sendcast.scenarios.files import Distribution, Scenario
from sendcast.scenarios.uncertainty import (
    draw_inputs,
    replication_parameters,
    uncertain_inputs,
)
from simulation.parameters import Parameters

#: The inputs whose break-even value is reported when they are uncertain.
BREAK_EVEN_KEYS = ("early_identification.relative_risk", "early_identification.share_identified_early")
LEVER_KEYS = ("early_identification.relative_risk", "early_identification.share_identified_early")


@dataclass(frozen=True)
class OptionDraws:
    """An option's uncertain inputs and each replication's values and parameters."""

    inputs: dict[str, Distribution]
    draws: pd.DataFrame
    parameters: list[Parameters]


def option_draws(scenario: Scenario, params: Parameters | Sequence[Parameters], *, seed: int, replications: int) -> OptionDraws | None:
    """Draw the option's uncertain inputs for replications ``0 .. replications - 1``
    (``None`` when it has none)."""
    inputs = uncertain_inputs(scenario)
    if not inputs:
        return None
    draws = draw_inputs(inputs, seed, range(replications))
    return OptionDraws(inputs, draws, replication_parameters(params, draws, inputs))


@dataclass(frozen=True)
class PsaResult:
    """``summary``: ``option, statistic, value, unit, note``; ``by_year``: ``option, year,
    probability_saving``; ``tornado``: ``option`` + :data:`voi.TORNADO_COLUMNS`; ``draws``:
    ``option, replication``, each input's value and the replication's ``npv_saving_gbp``."""

    summary: pd.DataFrame
    by_year: pd.DataFrame
    tornado: pd.DataFrame = field(default_factory=pd.DataFrame)
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)


def analyse_option(option: str, years: np.ndarray, baseline_cost: np.ndarray, option_cost: np.ndarray,
                   discount_rate: float, draws: OptionDraws | None) -> PsaResult:
    """The PSA statistics of one option from paired (replication x year) spend arrays."""
    saving = np.asarray(baseline_cost, dtype=float) - np.asarray(option_cost, dtype=float)
    npv = saving @ discount_factors(saving.shape[1], discount_rate)
    rows = []

    def add(statistic: str, value: float | None, unit: str, note: str) -> None:
        rows.append({"option": option, "statistic": statistic, "value": np.nan if value is None else value,
                     "unit": unit, "note": note})

    summary = voi.npv_summary(npv)
    add("expected_npv_saving_gbp", summary["expected_npv_gbp"], "GBP, price base, discounted",
        "mean over replications; positive: the option saves money")
    add("npv_saving_p2_5_gbp", summary["npv_p2_5_gbp"], "GBP", "2.5th percentile of the NPV across replications")
    add("npv_saving_p97_5_gbp", summary["npv_p97_5_gbp"], "GBP", "97.5th percentile of the NPV across replications")
    add("expected_npv_lo95_gbp", summary["expected_npv_lo95_gbp"], "GBP", "95% CI for the mean (Monte Carlo error)")
    add("expected_npv_hi95_gbp", summary["expected_npv_hi95_gbp"], "GBP", "95% CI for the mean (Monte Carlo error)")
    add("probability_npv_positive", summary["probability_npv_positive"], "probability",
        "share of replications whose discounted saving over the run is above zero")
    by_year = voi.probability_saving_by_year(years, np.cumsum(saving, axis=1)).assign(option=option)
    add("evpi_gbp", voi.evpi(npv), "GBP", "expected value of perfect information on everything uncertain "
        "(upper bound: includes chance)")
    if draws is None:
        return PsaResult(pd.DataFrame(rows), by_year[["option", "year", "probability_saving"]])
    inputs = draws.draws
    for key in inputs.columns:
        add(f"break_even_{key.split('.')[1]}", voi.break_even(inputs, npv, key), "input value",
            "value at which the expected NPV is zero, other inputs at their medians (linear metamodel); "
            "empty: not inside the range drawn")
        if key in BREAK_EVEN_KEYS:
            add(f"break_even_{key.split('.')[1]}_extrapolated", voi.break_even(inputs, npv, key, within_range=False),
                "input value", "the same line extended beyond the range drawn (an extrapolation; empty: no effect)")
    for key in LEVER_KEYS:
        if key in inputs:
            add(f"evppi_{key.split('.')[1]}_gbp", voi.evppi(inputs[key].to_numpy(), npv), "GBP",
                "expected value of perfect information on this input: what evaluating it before deciding is worth")
    table = voi.tornado(inputs, npv).assign(option=option)
    table = table[["option", *voi.TORNADO_COLUMNS]]
    values = inputs.rename_axis("replication").reset_index().assign(option=option, npv_saving_gbp=npv)
    return PsaResult(pd.DataFrame(rows), by_year[["option", "year", "probability_saving"]], table,
                     values[["option", "replication", *inputs.columns, "npv_saving_gbp"]])
