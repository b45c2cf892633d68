"""Need in the simulation, on the shipped data: the needs the engine draws from, the lever's
target needs in scenario files, and a need-targeted comparison end to end through the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendcast.data.measures import PRIMARY_NEEDS
from sendcast.runtime.errors import InputError
from sendcast.scenarios.files import load_scenario
from sendcast.scenarios.need_setup import NeedSetupError, primary_needs, target_needs
from sendcast.scenarios.parameters import history_until, la_history
from simulation.parameters import PLACEMENTS, STATE_SPECIAL
from tests.cli_run import run_cli
from tests.conftest import REPO

SCENARIOS = REPO / "scenarios"


def test_the_engine_draws_from_the_published_january_2025_counts(dataset):
    history = la_history(dataset, "Gloucestershire")
    needs, note = primary_needs(history.rows, 2025, history.la_name)
    assert needs is not None and needs.year == 2025 and needs.names == tuple(PRIMARY_NEEDS)
    # by age and need: Gloucestershire's 6,412 plans in January 2025, 1,179 of them autism
    assert needs.by_age.sum() == pytest.approx(6412)
    assert needs.by_age[:, list(PRIMARY_NEEDS).index("asd")].sum() == pytest.approx(1179)
    # by placement and need: the 1,506 in state special schools, every placement adding to the total
    assert needs.by_placement.shape == (len(PLACEMENTS), len(PRIMARY_NEEDS))
    assert needs.by_placement[STATE_SPECIAL].sum() == pytest.approx(1506)
    assert needs.by_placement.sum() == pytest.approx(6412)
    assert "January 2025" in note and "ASSUMPTION" in note
    # new plans of calendar 2024 (the year before the run) by age and by need: 967 each way
    assert needs.new_by_age.sum() == pytest.approx(967) and needs.new_by_need.sum() == pytest.approx(967)
    assert needs.new_by_need[list(PRIMARY_NEEDS).index("semh")] == 307 and "new plans in 2024" in note


def test_a_run_from_before_need_was_published_draws_no_need(dataset):
    history = history_until(la_history(dataset, "Gloucestershire"), 2023)
    needs, note = primary_needs(history.rows, 2023, history.la_name)
    assert needs is None and "not drawn" in note
    scenario, _, _ = load_scenario(SCENARIOS / "early-identification-slcn-semh.toml")
    with pytest.raises(NeedSetupError, match="target_needs"):
        target_needs(scenario, None, history.la_name, 2023)


def test_an_la_that_never_published_new_plans_by_need_still_gets_its_needs_from_the_caseload(dataset):
    # Isle of Wight: no new plans by need in any year (the selection used to take every
    # row's label and stop the run on duplicate labels)
    history = la_history(dataset, "Isle of Wight")
    needs, note = primary_needs(history.rows, 2025, history.la_name)
    assert needs is not None and needs.by_age.sum() > 0
    assert needs.new_by_need is None or needs.new_by_need.sum() > 0


def test_the_targeted_scenario_loads_and_an_unknown_need_is_one_clear_error(tmp_path):
    scenario, _, chain = load_scenario(SCENARIOS / "early-identification-slcn-semh.toml")
    assert scenario.early_identification.target_needs == ["slcn", "semh"]
    assert [p.name for p in chain][-1] == "baseline.toml"
    path = tmp_path / "bad.toml"
    path.write_text(f'based_on = "{SCENARIOS / "early-identification.toml"}"\n[scenario]\nname = "t"\n'
                    '[early_identification]\ntarget_needs = ["slcn", "speech"]\n')
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message and "row 5" in message and "early_identification.target_needs" in message
    assert "unknown primary need 'speech'" in message and "allowed: asd, semh, slcn" in message


def test_bad_target_needs_exit_2_with_one_line(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(f'based_on = "{SCENARIOS / "early-identification.toml"}"\n[scenario]\nname = "t"\n'
                    '[early_identification]\ntarget_needs = []\n')
    code, _, err = run_cli(capsys, "compare", str(SCENARIOS / "baseline.toml"), str(path), "--replications", "2",
                           "--out", str(tmp_path / "run"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "early_identification.target_needs" in err and "at least one primary need" in err


@pytest.mark.slow  # about 60 CPU-s measured: a three-scenario comparison of 2 runs
def test_a_need_targeted_comparison_end_to_end(capsys, tmp_path, data_dir):
    out = tmp_path / "run"
    code, printed, err = run_cli(capsys, "-q", "compare", str(SCENARIOS / "baseline.toml"),
                                 str(SCENARIOS / "early-identification-slcn-semh.toml"), "--replications", "2",
                                 "--backend", "local", "--data", str(data_dir), "--out", str(out))
    assert code == 0, err
    summary = pd.read_csv(out / "simulation.csv", keep_default_na=False)
    for measure in ("ehcp_total", "ehcp_state_special", "new_plans"):
        rows = summary[summary["measure"] == measure]
        by_need = rows[rows["breakdown"].str.startswith("need=")]
        assert set(by_need["breakdown"]) == {f"need={n}" for n in PRIMARY_NEEDS}
        parts = by_need.groupby(["scenario", "year"])["mean"].sum()
        total = rows[rows["breakdown"] == ""].set_index(["scenario", "year"])["mean"]
        np.testing.assert_allclose(parts.sort_index(), total.sort_index().loc[parts.index], rtol=1e-12)
    special = pd.read_csv(out / "simulation_special_by_need.csv")
    assert {"mixed", "MLD"} <= set(special["designation"])
    mld = special[(special["designation"] == "MLD") & (special["scenario"] == "Baseline")]
    assert (mld["places"].iloc[-1] == 60) and (mld["needs"] == "mld").all() and (mld["demand"] > 0).all()
    assert "EHC plans by primary need (Baseline, simulated)" in printed
    assert "State special school children by need against the places designated for it" in printed
    assert "places designated MLD (moderate learning difficulty, primary only)" in printed
    assert ("The lever reaches only children whose primary need when identified is speech, language and "
            "communication or social, emotional and mental health") in printed
    assert "asd+" not in printed and " slcn " not in printed  # codes stay in the CSVs, words in what people read
    differences = pd.read_csv(out / "differences.csv", keep_default_na=False)
    asd = differences[(differences["measure"] == "sen_support_identified")
                      & (differences["breakdown"] == "route=early_identification")]
    assert (asd["mean"] >= 0).all() and asd["mean"].sum() > 0
