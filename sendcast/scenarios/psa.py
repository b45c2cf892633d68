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
    ``option, draw, replication``, each input's value and the draw's ``npv_saving_gbp``;
    ``saving``: the saving of each draw by the years given (rows: draws, columns: years; the
    application gives April-March financial years, labelled "2025-26"; pounds at the price
    base, undiscounted); ``inputs``: the distribution of each input drawn."""

    summary: pd.DataFrame
    by_year: pd.DataFrame
    tornado: pd.DataFrame = field(default_factory=pd.DataFrame)
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)
    saving: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: dict[str, Distribution] = field(default_factory=dict)


#: Percentiles of the NPV across draws reported in the summary (besides 2.5 and 97.5).
NPV_PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


def analyse_option(option: str, years: np.ndarray, baseline_cost: np.ndarray, option_cost: np.ndarray,
                   discount_rate: float, draws: OptionDraws | None, *, clusters: np.ndarray | None = None
                   ) -> PsaResult:
    """The PSA statistics of one option from paired (draw x year) spend arrays; ``draws.draws``
    holds the inputs of each row (or ``None``: chance only); ``clusters``: the simulated run of
    each row when several draws share one (:mod:`sendcast.scenarios.recosting`), for the Monte
    Carlo errors."""
    saving = np.asarray(baseline_cost, dtype=float) - np.asarray(option_cost, dtype=float)
    npv = saving @ discount_factors(saving.shape[1], discount_rate)
    runs = saving.shape[0] if clusters is None else np.unique(clusters).size
    rows = []

    def add(statistic: str, value: float | None, unit: str, note: str) -> None:
        rows.append({"option": option, "statistic": statistic, "value": np.nan if value is None else value,
                     "unit": unit, "note": note})

    add("draws", saving.shape[0], "count", "draws of the uncertain inputs (each a paired baseline and option)")
    add("simulated_runs", runs, "count", "simulated pairs of runs; draws beyond them re-price a run's activity at "
        "other cost draws (costs are linear in unit costs)")
    summary = voi.npv_summary(npv, clusters)
    add("expected_npv_saving_gbp", summary["expected_npv_gbp"], "GBP, price base, discounted",
        "mean over draws; positive: the option saves money")
    add("expected_npv_mcse_gbp", summary["expected_npv_mcse_gbp"], "GBP",
        "Monte Carlo standard error of the expected NPV (over simulated runs)")
    add("npv_saving_p2_5_gbp", summary["npv_p2_5_gbp"], "GBP", "2.5th percentile of the NPV across draws")
    for q, value in zip(NPV_PERCENTILES, np.percentile(npv, NPV_PERCENTILES)):
        add(f"npv_saving_p{q}_gbp", float(value), "GBP", f"{q}th percentile of the NPV across draws")
    add("npv_saving_p97_5_gbp", summary["npv_p97_5_gbp"], "GBP", "97.5th percentile of the NPV across draws")
    add("expected_npv_lo95_gbp", summary["expected_npv_lo95_gbp"], "GBP", "95% CI for the mean (Monte Carlo error)")
    add("expected_npv_hi95_gbp", summary["expected_npv_hi95_gbp"], "GBP", "95% CI for the mean (Monte Carlo error)")
    add("probability_npv_positive", summary["probability_npv_positive"], "probability",
        "share of draws whose discounted saving over the run is above zero")
    add("probability_npv_positive_mcse", summary["probability_npv_positive_mcse"], "probability",
        "Monte Carlo standard error of that share (over simulated runs)")
    by_year = voi.probability_saving_by_year(years, np.cumsum(saving, axis=1)).assign(option=option)
    add("evpi_gbp", voi.evpi(npv), "GBP", "expected value of perfect information on everything uncertain "
        "(upper bound: includes chance)")
    saving_table = pd.DataFrame(saving, columns=[int(y) for y in years]).rename_axis("draw")
    if draws is None:
        return PsaResult(pd.DataFrame(rows), by_year[["option", "year", "probability_saving"]], saving=saving_table)
    inputs = draws.draws.reset_index(drop=True)
    for key in inputs.columns:
        add(f"break_even_{key.split('.')[1]}", voi.break_even(inputs, npv, key), "input value",
            "value at which the expected NPV is zero, other inputs at their medians (linear metamodel); "
            "empty: not inside the range drawn")
        if key in BREAK_EVEN_KEYS:
            add(f"break_even_{key.split('.')[1]}_extrapolated", voi.break_even(inputs, npv, key, within_range=False),
                "input value", "the same line extended beyond the range drawn (an extrapolation; empty: no effect)")
    for key in sorted(inputs.columns, key=lambda k: (k not in LEVER_KEYS, LEVER_KEYS.index(k) if k in LEVER_KEYS
                                                     else 0)):
        add(f"evppi_{key.split('.')[1]}_gbp", voi.evppi(inputs[key].to_numpy(), npv), "GBP",
            "expected value of perfect information on this input: what evaluating it before deciding is worth")
    table = voi.tornado(inputs, npv).assign(option=option)
    table = table[["option", *voi.TORNADO_COLUMNS]]
    replication = np.arange(len(inputs)) if clusters is None else np.asarray(clusters)
    values = inputs.rename_axis("draw").reset_index().assign(option=option, replication=replication,
                                                              npv_saving_gbp=npv)
    return PsaResult(pd.DataFrame(rows), by_year[["option", "year", "probability_saving"]], table,
                     values[["option", "draw", "replication", *inputs.columns, "npv_saving_gbp"]], saving_table,
                     dict(draws.inputs))
