"""Simulation parameters built from the shipped data and the scenario files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sendcast.errors import UnknownNameError
from sendcast.scenario import load_scenario
from sendcast.simulation_runs import run_replications
from sendcast.simulation_setup import SetupError, baseline_path, build_parameters, calibrate_la, changed_fields

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="module")
def fit(dataset):
    return calibrate_la(dataset, "Gloucestershire", start_year=2025)


@pytest.fixture(scope="module")
def baseline(dataset, fit):
    scenario, _, _ = load_scenario(SCENARIOS / "baseline.toml")
    return build_parameters(dataset, "E10000013", start_year=2025, horizon=10, scenario=scenario, calibration=fit)


def test_the_start_is_the_published_january_2025_caseload(baseline):
    c = baseline.caseload
    assert c.ehcp_by_placement.sum() == pytest.approx(6412)           # SEN2 ehcp_total, January 2025
    assert c.ehcp_by_placement[2] == 1506                             # state special
    assert c.ehcp_by_placement[3] == 289                              # independent special
    assert c.ehcp_by_placement[0] + c.ehcp_by_placement[1] == 3122    # mainstream incl. resourced (73)
    assert c.ehcp_by_age.sum() == pytest.approx(6412)
    assert c.ehcp_by_age[10] == pytest.approx(482, abs=1)             # single ages published for 2025
    # SEN support: 15.3% x residents aged 4-15 (an approximation, see the module notes)
    pupils = baseline.population.by_age[0, 4:16].sum()
    assert c.sen_support_by_age.sum() == pytest.approx(0.153 * pupils, abs=20)
    # open requests from the flow balance 2019-2024: a backlog of several hundred
    assert 500 < c.in_assessment_by_age.sum() < 1000
    assert baseline.population.start_year == 2025 and baseline.horizon == 10


def test_baseline_levers_come_from_the_data_and_the_capacity_file(baseline):
    assert baseline.assessment.capacity_per_year == ((0, 1006.0),)   # 2024: 967 plans + 39 not issued
    blocks = baseline.special_places.blocks
    open_2025 = sum(v[0] for v in baseline.special_places.places_by_year(2025, 1).values())
    assert open_2025 == 1506          # 1,238 + 60 in the file, topped up to the January caseload
    assert any(b.places == 60 and b.from_year == 2024 for b in blocks)    # Stroud, from the capacity file
    assert baseline.costs.placement_gbp_per_year[3] == pytest.approx(81_686)  # s251 outturn / plans
    assert not baseline.early_identification.active


@pytest.mark.parametrize("name, changes", [
    ("early-identification.toml", {"early_identification"}),
    ("assessment-capacity.toml", {"assessment.capacity_per_year"}),
    ("new-special-school.toml", {"special_places.blocks"}),
    ("combined.toml", {"early_identification", "assessment.capacity_per_year", "special_places.blocks"}),
])
def test_a_scenario_differs_from_its_baseline_only_in_what_it_changes(dataset, fit, baseline, name, changes):
    scenario, _, chain = load_scenario(SCENARIOS / name)
    assert baseline_path(chain).name == "baseline.toml"
    params = build_parameters(dataset, "Gloucestershire", start_year=2025, horizon=10, scenario=scenario,
                              calibration=fit)
    changed = {name.split(".")[0] if name.startswith("early_identification") else name
               for name in changed_fields(baseline, params)}
    assert changed == changes
    if "assessment.capacity_per_year" in changes:
        assert params.assessment.capacity_per_year == ((0, 1250.0),)
    if "early_identification" in changes:
        lever = params.early_identification
        assert (lever.share_identified_early, lever.relative_risk, lever.capacity_children_per_year,
                lever.cost_per_child_gbp) == (0.3, 0.8, 600, 1500)


def test_an_early_identification_programme_without_capacity_is_an_error(dataset, fit, tmp_path):
    path = tmp_path / "no-capacity.toml"
    path.write_text(f'based_on = "{SCENARIOS / "baseline.toml"}"\n[scenario]\nname = "x"\n'
                    "[early_identification]\nshare_identified_early = 0.3\n")
    scenario, _, _ = load_scenario(path)
    with pytest.raises(SetupError, match="capacity_children_per_year is 0"):
        build_parameters(dataset, "Gloucestershire", start_year=2025, scenario=scenario, calibration=fit)


def test_a_start_year_without_published_caseload_is_an_error(dataset):
    with pytest.raises(SetupError, match="no ehcp_total for 2027"):
        calibrate_la(dataset, "Gloucestershire", start_year=2027)


def test_an_unknown_la_is_an_error_with_suggestions(dataset):
    with pytest.raises(UnknownNameError, match="Gloucestershire"):
        calibrate_la(dataset, "Gloucestershre", start_year=2025)


def test_results_are_identical_whatever_the_backend(dataset, fit):
    params = build_parameters(dataset, "Gloucestershire", start_year=2025, horizon=2, calibration=fit)
    small = {"as things stand": params}
    local = run_replications(small, replications=2, seed=3, baseline="as things stand", backend="local")
    pooled = run_replications(small, replications=2, seed=3, baseline="as things stand", backend="processes",
                              workers=2)
    pd.testing.assert_frame_equal(local.summary, pooled.summary)
    again = run_replications(small, replications=2, seed=3, baseline="as things stand")
    pd.testing.assert_frame_equal(local.summary, again.summary)      # same seed, same output
    other = run_replications(small, replications=2, seed=4, baseline="as things stand")
    assert not local.summary.equals(other.summary)


def test_transport_is_added_to_the_placements_yearly_cost(dataset, fit, baseline, tmp_path):
    path = tmp_path / "transport.toml"
    path.write_text(f'based_on = "{SCENARIOS / "baseline.toml"}"\n[scenario]\nname = "with transport"\n'
                    "[costs.transport_gbp]\nehcp_independent_special = 12000\nehcp_ap = 3000\n")
    scenario, _, _ = load_scenario(path)
    params = build_parameters(dataset, "E10000013", start_year=2025, horizon=10, scenario=scenario, calibration=fit)
    from simulation.parameters import PLACEMENTS
    before = dict(zip(PLACEMENTS, baseline.costs.placement_gbp_per_year))
    after = dict(zip(PLACEMENTS, params.costs.placement_gbp_per_year))
    assert after["independent_special"] == pytest.approx(before["independent_special"] + 12000)
    assert after["ap"] == pytest.approx(before["ap"] + 3000)
    assert after["state_special"] == before["state_special"]
