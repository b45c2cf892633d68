"""The web app's layers below the browser: levers from the scenario validation, scenarios
written from settings, background jobs that can be cancelled, uploads checked as `sendcast
check` checks them, and the `sendcast app` command (address printed, a warning off loopback)."""

from __future__ import annotations

import signal
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from sendcast.app.jobs import CANCELLED, DONE, FAILED, Jobs
from sendcast.cli import main
from sendcast.commands.app import is_loopback
from sendcast.runtime.errors import InputError, SendcastError
from sendcast.runtime.runs import default_folder
from sendcast.scenarios.files import EarlyIdentification, Scenario, load_scenario
from sendcast.scenarios.from_settings import (
    check_settings,
    scenario_toml,
    write_scenario_files,
)
from sendcast.scenarios.levers import (
    current_value,
    levers,
    set_levers,
    unit_cost_levers,
)
from tests.app_process import start_app, wait_for_page

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


def test_every_early_identification_setting_is_a_lever_with_the_validations_range():
    by_key = {lever.key: lever for lever in levers()}
    for name, field in EarlyIdentification.model_fields.items():
        # sources: where the values come from, not a lever; target_needs: a list of primary
        # needs, set in the scenario file (the app has no list control yet; a scenario file
        # that sets it runs in the app as written)
        if name not in ("sources", "target_needs"):
            assert f"early_identification.{name}" in by_key, name
    risk = by_key["early_identification.relative_risk"]
    assert (risk.minimum, risk.maximum, risk.above_minimum) == (0, 10, True)
    assert risk.allowed == "more than 0, at most 10"
    assert by_key["assessment.capacity_per_year"].optional
    assert by_key["special_places.overflow_policy"].choices == ("independent", "wait")
    assert all(lever.optional and lever.minimum == 0 for lever in unit_cost_levers())


def test_every_lever_states_its_unit_and_allowed_range():
    for lever in levers() + unit_cost_levers():
        assert lever.unit.strip(), f"{lever.key} has no unit (add its words to sendcast.scenarios.levers.WORDS)"
        assert lever.allowed and lever.allowed != "any number", lever.key


def test_a_value_inside_a_levers_range_validates_and_one_outside_is_refused_in_one_line():
    _, settings, _ = load_scenario(SCENARIOS / "early-identification.toml")
    risk = next(lever for lever in levers() if lever.key.endswith("relative_risk"))
    check_settings(set_levers(settings, {risk.key: risk.maximum}), "option")
    with pytest.raises(InputError) as refused:
        check_settings(set_levers(settings, {risk.key: risk.maximum + 1}), "option")
    assert "early_identification.relative_risk" in str(refused.value) and "\n" not in str(refused.value)


def test_set_levers_copies_and_blank_means_from_the_data():
    _, settings, _ = load_scenario(SCENARIOS / "combined.toml")
    changed = set_levers(settings, {"assessment.capacity_per_year": None, "costs.unit_costs_gbp.ehcp_fe": 9000.0})
    assert current_value(settings, "assessment.capacity_per_year") == 1250  # the original is untouched
    assert current_value(changed, "assessment.capacity_per_year") is None
    assert current_value(changed, "costs.unit_costs_gbp.ehcp_fe") == 9000.0


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.toml")))
def test_a_scenario_written_from_its_settings_reads_back_the_same(name, tmp_path):
    scenario, settings, _ = load_scenario(SCENARIOS / name)
    settings = set_levers(settings, {"costs.unit_costs_gbp.ehcp_state_special": 45000.5})
    assert tomllib.loads(scenario_toml(settings, comment="a note")) == settings
    (written,) = write_scenario_files(tmp_path, [settings])
    again, _, _ = load_scenario(written)
    assert isinstance(again, Scenario)
    assert again.early_identification == scenario.early_identification
    if scenario.special_places.capacity_file:  # copied beside the scenario, named relative to it
        assert Path(again.special_places.capacity_file) == (tmp_path / "capacity.csv").resolve()
        assert (tmp_path / "capacity.csv").read_bytes() == Path(scenario.special_places.capacity_file).read_bytes()


def test_default_folder_can_be_put_under_another_reports_folder(tmp_path):
    folder = default_folder("compare", "Baseline vs option", root=tmp_path)
    assert folder.parent == tmp_path and folder.name.startswith("compare-baseline-vs-option-")


def _finish(job, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while job.active:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return job


def test_a_job_reports_progress_and_its_result():
    jobs = Jobs()

    def work(progress):
        for done in range(1, 4):
            progress(done, 3)
        return "finished"

    job = _finish(jobs.start("three steps", work))
    assert (job.status, job.result, job.done, job.total, job.fraction) == (DONE, "finished", 3, 3, 1.0)
    jobs.shutdown()


def test_a_cancelled_job_stops_at_its_next_progress_call():
    jobs = Jobs()
    steps = []

    def work(progress):
        for done in range(1, 1000):
            progress(done, 1000)
            steps.append(done)
            time.sleep(0.005)

    job = jobs.start("long", work)
    while not steps:
        time.sleep(0.005)
    job.cancel()
    _finish(job)
    assert job.status == CANCELLED and len(steps) < 999
    assert job.message == "the run was cancelled; nothing was written"
    jobs.shutdown()


def test_a_failing_job_gives_one_line_never_a_traceback():
    jobs = Jobs()

    def user_error(progress):
        raise SendcastError("scenarios/x.toml: expected key 'scenario.la' to be set")

    def bug(progress):
        return {}["missing"]

    first, second = _finish(jobs.start("user", user_error)), _finish(jobs.start("bug", bug))
    assert (first.status, first.message) == (FAILED, "scenarios/x.toml: expected key 'scenario.la' to be set")
    assert second.status == FAILED and "\n" not in second.message and "KeyError" in second.message
    jobs.shutdown()


def test_an_upload_is_checked_as_sendcast_check_does_and_named_as_uploaded(tmp_path, data_dir, capsys, monkeypatch):
    from sendcast.app.workspace import Workspace

    workspace = Workspace(data=str(data_dir))
    browser_temp = tmp_path / "0.csv"  # what the server's upload handler hands over
    browser_temp.write_text("placement_group,annual_cost_gbp,price_base,source\nehcp_state_special,-5,2021-22,x\n")
    with pytest.raises(SendcastError) as refused:
        workspace.check_upload("unit_costs", browser_temp, "../../etc/My costs.csv")
    message = str(refused.value)
    assert message.startswith("My_costs.csv") and str(tmp_path) not in message
    (tmp_path / "My_costs.csv").write_bytes(browser_temp.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["check", "unit-costs", "My_costs.csv"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"sendcast: error: {message}"
    good = tmp_path / "1.csv"
    good.write_bytes((REPO / "data" / "capacity" / "E10000013.csv").read_bytes())
    upload = workspace.check_upload("capacity", good, "capacity.csv")
    assert upload.path.is_file() and upload.path.parent.parent != tmp_path and "places in all" in upload.summary
    workspace.close()
    assert not upload.path.exists()


@pytest.mark.parametrize(
    "host,loopback",
    [
        ("127.0.0.1", True),
        ("127.3.4.5", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_the_app_warns_when_it_listens_beyond_this_machine(monkeypatch, capsys):
    import types

    import uvicorn

    from sendcast.app import server, workspace

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **_: started.update(host=host, port=port))
    monkeypatch.setattr(workspace.Workspace, "dataset", None)  # no data needed to start a stand-in app
    monkeypatch.setattr(
        server, "create_app", lambda _: types.SimpleNamespace(jobs=types.SimpleNamespace(shutdown=lambda: None))
    )
    assert main(["app", "--host", "0.0.0.0", "--port", "8123"]) == 0
    out, err = capsys.readouterr()
    assert started == {"host": "0.0.0.0", "port": 8123}
    assert "http://0.0.0.0:8123/" in out
    assert "sendcast: warning: listening on 0.0.0.0, not this machine only" in err
    assert main(["app", "--port", "8124"]) == 0
    out, err = capsys.readouterr()
    assert started["host"] == "127.0.0.1" and "http://127.0.0.1:8124/" in out and "warning" not in err


@pytest.mark.slow  # 24 s measured (load 9): the new process builds the test's data folder, then serves
def test_sendcast_app_starts_serves_the_pages_and_stops(data_dir, tmp_path):
    process, port = start_app("--data", str(data_dir), "--reports", str(tmp_path), cwd=tmp_path,
                              stderr=subprocess.PIPE)
    try:
        line = process.stdout.readline()
        assert line.strip() == f"sendcast app: open http://127.0.0.1:{port}/ in your browser (Ctrl+C to stop)"
        page = wait_for_page(f"http://127.0.0.1:{port}/", timeout=30)
        for name in ("Area", "Forecast", "Options", "Download"):
            assert f">{name}<" in page
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert list(tmp_path.iterdir()) == []  # nothing written without a run
