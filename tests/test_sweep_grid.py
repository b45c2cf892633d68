"""Sweep grids: --vary parsing and scenarios validated point by point."""

from __future__ import annotations

from pathlib import Path

import pytest
import pandas as pd

from sendcast.runtime.errors import InputError
from sendcast.scenarios.files import load_scenario
from sendcast.scenarios.sweep import SweepError, grid, parse_vary

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def early():
    scenario, resolved, chain = load_scenario(SCENARIOS / "early-identification.toml")
    return resolved, str(chain[0])


def test_values_are_evenly_spaced_and_inclusive():
    lever = parse_vary("early_identification.relative_risk=0.6:1.2:7")
    assert lever.key == "early_identification.relative_risk"
    assert lever.values == pytest.approx((0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2))


def test_whole_values_become_whole_numbers_for_counts():
    assert parse_vary("assessment.capacity_per_year=500:900:3").values == (500, 700, 900)


@pytest.mark.parametrize("text, message", [
    ("early_identification.relative_risk=1:2", "SECTION.KEY=START:STOP:N"),
    ("relative_risk=1:2:3", "SECTION.KEY=START:STOP:N"),
    ("early_identification.relative_risk=a:2:3", "numbers"),
    ("foo.bar=1:2:3", "unknown section 'foo'"),
    ("scenario.seed=1:2:2", "unknown section 'scenario'"),
    ("early_identification.rr=1:2:3", "unknown key 'rr'"),
    ("early_identification.relative_risk=1:2:1", "N must be at least 2"),
])
def test_bad_vary_options_say_what_is_wrong(text, message):
    with pytest.raises(SweepError, match=message):
        parse_vary(text)


def test_grid_is_every_combination_and_changes_only_the_levers(early):
    resolved, source = early
    levers = [parse_vary("early_identification.relative_risk=0.6:1.2:3"),
              parse_vary("early_identification.share_identified_early=0:0.5:2")]
    points = grid(resolved, levers, source=source)
    assert len(points) == 6
    assert {(p.settings["early_identification.relative_risk"], p.settings["early_identification.share_identified_early"])
            for p in points} == {(0.6, 0), (0.6, 0.5), (0.9, 0), (0.9, 0.5), (1.2, 0), (1.2, 0.5)}
    base, _, _ = load_scenario(SCENARIOS / "early-identification.toml")
    for point in points:
        assert point.scenario.early_identification.relative_risk == point.settings["early_identification.relative_risk"]
        assert point.scenario.early_identification.capacity_children_per_year == \
            base.early_identification.capacity_children_per_year
        assert point.scenario.costs == base.costs
    assert points[0].label == "relative_risk=0.6, share_identified_early=0"


def test_a_value_out_of_range_is_refused_like_a_bad_scenario_file(early):
    resolved, source = early
    with pytest.raises(InputError, match=r"relative_risk.*a number in \(0, 10\]"):
        grid(resolved, [parse_vary("early_identification.relative_risk=0:1:3")], source=source)
    with pytest.raises(InputError, match="capacity_children_per_year"):
        grid(resolved, [parse_vary("early_identification.capacity_children_per_year=0:10:4")], source=source)


def test_grids_are_kept_small(early):
    resolved, source = early
    levers = [parse_vary(f"early_identification.relative_risk=0.5:1.5:{n}") for n in (3,)]
    with pytest.raises(SweepError, match="at most 2"):
        grid(resolved, levers * 3, source=source)
    with pytest.raises(SweepError, match="same setting twice"):
        grid(resolved, levers * 2, source=source)
    with pytest.raises(SweepError, match="points"):
        grid(resolved, [parse_vary("early_identification.relative_risk=0.5:1.5:30"),
                        parse_vary("early_identification.share_identified_early=0:1:30")], source=source)


def test_break_even_is_where_the_saving_against_the_baseline_crosses_zero():
    from sendcast.scenarios.sweep import break_even_along
    table = pd.DataFrame({"early_identification.relative_risk": [0.5, 0.7, 0.9, 1.1],
                          "saving_vs_baseline_npv_gbp_mean": [4.0, 2.0, -2.0, -6.0]})
    assert break_even_along(table, "early_identification.relative_risk") == pytest.approx([0.8])
    assert break_even_along(table.assign(saving_vs_baseline_npv_gbp_mean=[1, 2, 3, 4]),
                            "early_identification.relative_risk") == []
