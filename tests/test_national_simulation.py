"""``sendcast simulate --all-las``: the national simulation, one set-up task per LA and one
simulation task per LA and chunk of replications, with the same tables whatever the backend,
the cluster and the chunk size."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sendcast.scenarios import national_simulation as national
from sendcast.scenarios.replications import run_replications
from simulation.examples import gloucestershire_example
from simulation.parameters import Assessment, Caseload
from tests.cli_run import run_cli as run


def _small(capacity: int) -> national.Parameters:
    """A tenth of the Gloucestershire example, three years."""
    p = gloucestershire_example(horizon=3)
    c = p.caseload
    return dataclasses.replace(
        p, population=dataclasses.replace(p.population, by_age=p.population.by_age * 0.1),
        caseload=Caseload(np.round(c.sen_support_by_age * 0.1), c.ehcp_by_age * 0.1, c.ehcp_by_placement * 0.1),
        assessment=Assessment(capacity_per_year=capacity))


def _hand_made_setups(replications: int) -> list[national.LaSetup]:
    """Two LAs set up by hand (the option: more assessment capacity), and one refused."""
    setups = []
    for code, name, seed in (("X1", "Smallshire", 11), ("X2", "Othershire", 12)):
        setups.append(national.LaSetup(code, name, national.SIMULATED, baseline_name="Baseline",
                                       option_name="More assessors", seed=seed,
                                       baseline=(_small(40),) * replications, option=(_small(80),) * replications))
    setups.insert(1, national.LaSetup("X3", "Brokenshire", national.REFUSED, "a boundary change"))
    return setups


def test_tables_do_not_depend_on_the_chunk_size_and_match_the_one_la_runner():
    setups = _hand_made_setups(4)
    by_four = national.simulate_set_up(setups, chunk=4)
    by_one = national.simulate_set_up(setups, chunk=1)
    by_three = national.simulate_set_up(setups, chunk=3)
    for other in (by_one, by_three):
        pd.testing.assert_frame_equal(other.summary, by_four.summary)
        pd.testing.assert_frame_equal(other.differences, by_four.differences)
    # each LA's tables are exactly what the one-LA runner (compare, simulate) gives
    for setup in (setups[0], setups[2]):
        alone = run_replications({"Baseline": list(setup.baseline), "More assessors": list(setup.option)},
                                 replications=4, seed=setup.seed, baseline="Baseline")
        mine = by_four.summary[by_four.summary["la_code"] == setup.la_code].drop(columns=["la_code", "la_name"])
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone.summary.reset_index(drop=True))
        diff = by_four.differences[by_four.differences["la_code"] == setup.la_code]
        pd.testing.assert_frame_equal(diff.drop(columns=["la_code", "la_name"]).reset_index(drop=True),
                                      alone.differences.reset_index(drop=True))
    # the two LAs have their own seeds: different random numbers, different results
    first, second = (by_four.summary[by_four.summary["la_code"] == code]["mean"].to_numpy() for code in ("X1", "X2"))
    assert not np.array_equal(first, second)


def test_every_la_asked_for_is_a_row_with_its_status_tasks_and_memory():
    result = national.simulate_set_up(_hand_made_setups(5), chunk=2)
    las = result.las.set_index("la_name")
    assert list(las.index) == ["Smallshire", "Brokenshire", "Othershire"]
    assert las.loc["Brokenshire", "status"] == "refused" and las.loc["Brokenshire", "reason"] == "a boundary change"
    assert las.loc["Brokenshire", "tasks"] == 0 and "X3" not in set(result.summary["la_code"])
    assert las.loc["Smallshire", "tasks"] == 3   # 5 replications in chunks of 2
    assert (las.loc[["Smallshire", "Othershire"], "peak_task_mib"] > 0).all()
    assert len(result.chunk_peaks_mib) == 6
    more = result.differences[(result.differences["measure"] == "in_assessment") & (result.differences["year"] == 2022)]
    assert len(more) == 2 and (more["mean"] <= 0).all()   # twice the assessors never lengthens the queue


def test_a_set_up_task_never_raises(monkeypatch):
    def broken(dataset, task):
        raise national.ParameterError("caseload: EHC plans by age total 14 but by placement 13")

    monkeypatch.setattr(national, "setup_la", broken)
    monkeypatch.setattr(national, "process_dataset", lambda data: None)
    outcome = national.setup_task(national.SetupTask("E09000001", "City of London", "x.toml", 2, None))
    assert outcome.status == "refused" and "invalid simulation parameters" in outcome.reason


@pytest.mark.parametrize("argv, message", [
    (["--all-las"], "--all-las needs --scenario FILE"),
    (["--all-las", "--scenario", "scenarios/baseline.toml"], "is a baseline (no based_on)"),
    (["--la", "Kent", "--chunk", "5"], "--chunk needs --all-las"),
    (["--all-las", "--scenario", "scenarios/new-special-school.toml", "--seed", "3"], "--seed is the scenario's"),
    (["--all-las", "--la", "Kent"], "not allowed with argument"),
    (["--all-las", "--scenario", "scenarios/new-special-school.toml", "--las", "Nowhereshire"],
     "unknown local authority 'Nowhereshire'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, built_data, argv, message):
    try:
        code, _, err = run(capsys, "simulate", *argv)
    except SystemExit as stop:  # refused by argparse before the command runs
        code, err = stop.code, capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow  # about 60 CPU-s: three LAs set up twice (calibration), 3 pairs each
def test_dask_on_an_existing_cluster_gives_the_local_tables_for_three_las(dataset):
    """Issue 25: the national simulation on a running Dask cluster (``--scheduler``) is
    identical to the local run; an LA the simulation cannot take is a row with the reason."""
    pytest.importorskip("distributed", reason="dask.distributed is an optional extra (pip install 'sendcast[dask]')")
    from distributed import LocalCluster

    las = pd.DataFrame({"la_code": ["E06000017", "E09000001", "E06000001"],
                        "la_name": ["Rutland", "City of London", "Hartlepool"]})
    scenario = "scenarios/new-special-school.toml"
    local = national.simulate_las(dataset, las, scenario, replications=3, chunk=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        remote = national.simulate_las(dataset, las, scenario, replications=3, chunk=2, backend="dask",
                                       scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(remote.summary, local.summary)
    pd.testing.assert_frame_equal(remote.differences, local.differences)
    pd.testing.assert_frame_equal(remote.forecast_check, local.forecast_check)
    assert set(local.forecast_check["la_code"]) == set(las["la_code"])   # every LA's baseline beside its forecast
    status = local.las.set_index("la_name")["status"]
    # City of London's two caseload tables part by one child: simulated (refusals: test above)
    assert dict(status) == {"Rutland": "simulated", "City of London": "simulated", "Hartlepool": "simulated"}
    assert set(local.summary["scenario"]) == {"Baseline", "New special school"}
    assert (local.las.loc[local.las["status"] == "simulated", "tasks"] == 2).all()


def test_each_la_baseline_is_checked_against_its_own_forecast_interval():
    """Issue 19's "one future" for every LA: the national run sets each LA's baseline (never the
    option) beside the forecast engine's 80% interval its set-up carried, year by year."""
    setups = _hand_made_setups(2)
    years = sorted(national.simulate_set_up(setups, chunk=2).summary["year"].unique())
    published = pd.DataFrame(columns=["measure", "breakdown", "year", "value"])   # no flows published: no own reason
    wide = pd.DataFrame({"measure": "ehcp_total", "year": years, "mean": 1.0, "lo80": 0.0, "hi80": 1e9})
    high = wide.assign(lo80=1e8)   # an interval no baseline of a tenth of Gloucestershire reaches
    setups[0] = dataclasses.replace(setups[0], forecast=wide, published=published)
    setups[2] = dataclasses.replace(setups[2], forecast=high, published=published)
    result = national.simulate_set_up(setups, chunk=2)
    check = result.forecast_check.dropna(subset=["year"])
    assert set(check["la_code"]) == {"X1", "X2"}   # the refused LA has no row
    where = check[check["measure"] == "ehcp_total"].groupby("la_code")["where"].unique()
    assert list(where["X1"]) == ["inside"] and list(where["X2"]) == ["below"]
    baseline = result.summary[(result.summary["la_code"] == "X1") & (result.summary["scenario"] == "Baseline")
                              & (result.summary["measure"] == "ehcp_total") & (result.summary["breakdown"] == "")]
    mine = check[(check["la_code"] == "X1") & (check["measure"] == "ehcp_total")]
    np.testing.assert_allclose(mine["simulated"].to_numpy(), baseline.set_index("year").loc[mine["year"], "mean"])
    # why, as the report says it: nothing inside, the general reason at least outside
    from sendcast.scenarios.forecast_agreement import WHY_THEY_DIFFER
    plans = check[check["measure"] == "ehcp_total"].groupby("la_code")["why"].first()
    assert plans["X1"] == "" and plans["X2"].endswith(WHY_THEY_DIFFER["ehcp_total"])
    # measures the forecast did not carry are said, not dropped
    assert set(result.forecast_check.loc[result.forecast_check["year"].isna(), "where"]) == {"no forecast"}
