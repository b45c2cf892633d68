"""The runner: tidy tables, paired differences, identical results on 1 or 2 cores."""

from __future__ import annotations

import dataclasses

import numpy as np

from simulation.examples import gloucestershire_example
from simulation.parameters import Assessment, Caseload
from simulation.runner import SUMMARY_COLUMNS, run_scenarios


def _small():
    p = gloucestershire_example(horizon=3)
    c = p.caseload
    return dataclasses.replace(
        p, population=dataclasses.replace(p.population, by_age=p.population.by_age * 0.1),
        caseload=Caseload(np.round(c.sen_support_by_age * 0.1), c.ehcp_by_age * 0.1, c.ehcp_by_placement * 0.1),
        assessment=Assessment(capacity_per_year=40))


def test_tables_and_progress():
    # the same replications on other backends: tests/test_parallel.py (the application runs them)
    base = _small()
    more = dataclasses.replace(base, assessment=Assessment(capacity_per_year=80))
    calls = []
    one = run_scenarios({"baseline": base, "more capacity": more}, replications=4, seed=5,
                        progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (8, 8) and len(calls) == 8
    assert list(one.summary.columns) == SUMMARY_COLUMNS
    assert set(one.differences["scenario"]) == {"more capacity - baseline"}
    s = one.summary.set_index(["scenario", "measure", "breakdown", "year"])
    row = s.loc[("baseline", "ehcp_total", "", 2020)]
    assert row["lo95"] <= row["mean"] <= row["hi95"]
    reps = one.replications
    manual = reps[(reps.scenario == "baseline") & (reps.measure == "ehcp_total") & (reps.breakdown == "")
                  & (reps.year == 2020)]["value"]
    assert row["mean"] == manual.mean()


def test_common_random_numbers_make_paired_differences_narrow():
    base = _small()
    more = dataclasses.replace(base, assessment=Assessment(capacity_per_year=45))
    out = run_scenarios({"baseline": base, "more": more}, replications=12, seed=8, interval="mean")
    d = out.differences.set_index(["measure", "breakdown", "year"]).loc[("sen_support", "", 2021)]
    s = out.summary.set_index(["scenario", "measure", "breakdown", "year"]).loc[("baseline", "sen_support", "", 2021)]
    assert (d["hi95"] - d["lo95"]) < 0.5 * (s["hi95"] - s["lo95"])
