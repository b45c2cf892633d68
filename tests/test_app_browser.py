"""The web app end to end, in headless Chromium, as a planner would use it: choose
Gloucestershire, look at its forecast, change the early-identification relative risk, run a
small comparison, and check that the charts render, that the numbers on the page are those
``sendcast compare`` writes for the scenario files the run folder holds (same seed), that a bad
upload shows the one line ``sendcast check`` prints, and that a cancelled run leaves no folder.

The app runs in this process (uvicorn on a thread, a free loopback port), so the national
backtest the app computes is reused by the command run here.
"""

from __future__ import annotations

import io
import math
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sendcast.cli import main
from tests.app_process import free_port
from tests.browser import chromium  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
REPLICATIONS = 3
RELATIVE_RISK = "0.7"
WAIT = 600  # seconds: generous, the machine is shared (a page that fails shows it sooner: see below)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory, data_dir: Path):
    """The app on a free loopback port, writing runs into a fresh reports folder."""
    import uvicorn

    from sendcast.app.server import create_app
    from sendcast.app.workspace import Workspace

    reports = tmp_path_factory.mktemp("reports")
    workspace = Workspace(data=str(data_dir), reports=reports, backend="local")
    app = create_app(workspace)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/", reports, data_dir
    server.should_exit = True
    thread.join(timeout=10)
    app.jobs.shutdown()
    workspace.close()


# -- driving the page ------------------------------------------------------------------------------


def _wait(driver, condition, timeout: float = WAIT):
    """Wait for ``condition(driver)`` to be true; parts of the page being redrawn meanwhile
    (stale elements) are looked up again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver, timeout, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition)


def _css(driver, selector: str):
    return driver.find_elements("css selector", selector)


def _click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def _page(driver, name: str) -> None:
    _click(driver, driver.find_element("link text", name))


def _type(driver, element_id: str, text: str) -> None:
    box = _wait(driver, lambda d: d.find_element("id", element_id))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.clear()
    box.send_keys(text)
    box.send_keys("\t")


def _choose_la(driver, name: str) -> None:
    """Type in the LA box and pick the suggestion, as a person does."""
    control = _wait(driver, lambda d: d.find_element("css selector", "#la + .selectize-control .selectize-input"))
    control.click()
    driver.find_element("css selector", "#la + .selectize-control input").send_keys(name[:8])
    option = _wait(
        driver,
        lambda d: next(
            (o for o in _css(d, ".selectize-dropdown .option") if name in o.text and o.is_displayed()), False
        ),
    )
    option.click()
    _wait(driver, lambda d: name in d.find_element("id", "area_name").text)


def _images_drawn(driver, selector: str) -> list:
    """The chart images under ``selector`` once each has loaded with a non-zero size."""
    images = _css(driver, selector)
    sizes = [
        driver.execute_script(
            "return [arguments[0].naturalWidth, arguments[0].naturalHeight, "
            "arguments[0].getBoundingClientRect().width];",
            image,
        )
        for image in images
    ]
    return images if images and all(w > 0 and h > 0 and shown > 0 for w, h, shown in sizes) else []


def _run_state(driver) -> tuple[str, str]:
    """(status, text) of the run as the page shows it."""
    return driver.execute_script(
        "const s = document.getElementById('run_state'); return s ? [s.dataset.status, s.innerText] : ['', ''];"
    )


def _values(driver, table: str, key: str) -> dict[str, list[float | None]]:
    """``data-<key>`` of each row -> the exact values its cells carry."""
    out = {}
    for row in _css(driver, f"#{table} tbody tr"):
        cells = [c.get_attribute("data-value") for c in row.find_elements("css selector", "td[data-value]")]
        out[row.get_attribute(f"data-{key}")] = [float(c) if c else None for c in cells]
    return out


def _close(a: float | None, b: float) -> bool:
    if a is None:
        return isinstance(b, float) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-6)


# -- the test --------------------------------------------------------------------------------------


def test_a_planner_compares_an_option_and_gets_the_commands_numbers(
    app_server,
    chromium,  # noqa: F811
    tmp_path,
    capsys,
    monkeypatch,
):
    url, _, data_dir = app_server
    driver = chromium
    driver.get(url)

    # Area: Gloucestershire beside England and its neighbours
    _choose_la(driver, "Gloucestershire")
    assert _wait(driver, lambda d: _images_drawn(d, "#area_chart img.chart"))
    assert "latest January 2025" in driver.find_element("id", "area_vintage").text

    # Forecast: fan charts for the total, the placement groups, requests and new plans; sufficiency
    _page(driver, "Forecast")
    _wait(
        driver, lambda d: _images_drawn(d, "#forecast_charts img.chart") or _css(d, "#forecast_status .one-line-error")
    )
    assert not _css(driver, "#forecast_status .one-line-error"), driver.find_element("id", "forecast_status").text
    charts = _images_drawn(driver, "#forecast_charts img.chart")
    names = {image.get_attribute("data-name") for image in charts}
    assert {"fan_ehcp_total", "fan_ehcp_state_special", "fan_requests", "fan_new_plans", "sufficiency"} <= names
    assert all("Track record" in line.text for line in _css(driver, "#forecast_charts .track-record"))

    # Options: a bad capacity file gets the same one line as `sendcast check capacity`
    _page(driver, "Options")
    bad = tmp_path / "my_capacity.csv"
    bad.write_text(
        "school,urn,phase,designation,places,from_year,to_year,source,confidence\n"
        "Hill School,,all,mixed,lots,,,survey,high\n"
    )
    upload = _wait(driver, lambda d: d.find_element("css selector", "#capacity_upload"))
    upload.send_keys(str(bad))
    shown = _wait(driver, lambda d: d.find_element("id", "capacity_check").text)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "capacity", bad.name]) == 2
    err = capsys.readouterr().err
    (command_line,) = [line for line in err.splitlines() if line.startswith("sendcast: ")]  # the app's thread may log
    assert command_line == f"sendcast: error: {shown}"
    assert "\n" not in shown and "Traceback" not in driver.page_source

    # Options: move the relative risk, run a small comparison, see its charts
    _type(driver, "lever__early_identification__relative_risk", RELATIVE_RISK)
    _type(driver, "replications", str(REPLICATIONS))
    _click(driver, driver.find_element("id", "run"))
    _wait(driver, lambda d: _run_state(d)[0] in ("done", "failed", "cancelled"))
    assert _run_state(driver)[0] == "done", _run_state(driver)[1]
    assert _wait(driver, lambda d: _images_drawn(d, "#results img.chart"))
    headline = _values(driver, "headline", "measure")
    appraisal = _values(driver, "appraisal", "statistic")

    # Download: the run folder as a zip, with the scenario files that repeat it
    _page(driver, "Download")
    link = _wait(driver, lambda d: d.find_element("id", "download_zip"))
    _wait(driver, lambda d: "disabled" not in (link.get_attribute("class") or "") and link.get_attribute("href"))
    with urllib.request.urlopen(link.get_attribute("href"), timeout=60) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    (folder_name,) = {name.split("/")[0] for name in archive.namelist()}
    archive.extractall(tmp_path / "download")
    folder = tmp_path / "download" / folder_name
    option_file = next(p for p in (folder / "scenarios").glob("*.toml") if p.name != "baseline.toml")
    assert f"relative_risk = {RELATIVE_RISK}" in option_file.read_text()
    assert {"report.html", "finance.xlsx", "manifest.json", "simulation.csv", "differences.csv"} <= {
        p.name for p in folder.iterdir()
    }

    # The command, on the downloaded scenario files, writes the numbers the page showed
    monkeypatch.chdir(folder)
    out = tmp_path / "by-command"
    assert (
        main(
            [
                "compare",
                "scenarios/baseline.toml",
                f"scenarios/{option_file.name}",
                "--data",
                str(data_dir),
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    capsys.readouterr()
    for table in ("simulation.csv", "differences.csv", "appraisal.csv", "spend.csv"):
        assert (out / table).read_bytes() == (folder / table).read_bytes(), table
    summary, differences = pd.read_csv(out / "simulation.csv"), pd.read_csv(out / "differences.csv")
    checked = 0
    for measure, (base, option, change, low, high) in headline.items():
        rows = summary[(summary["measure"] == measure) & summary["breakdown"].isna()]
        last = rows["year"].max()
        at = rows[rows["year"] == last].set_index("scenario")["mean"]
        diff = differences[
            (differences["measure"] == measure) & differences["breakdown"].isna() & (differences["year"] == last)
        ].iloc[0]
        assert _close(base, at["Baseline"]) and _close(option, at[at.index != "Baseline"].iloc[0]), measure
        assert _close(change, diff["mean"]) and _close(low, diff["lo95"]) and _close(high, diff["hi95"]), measure
        checked += 1
    assert checked >= 5
    by_command = pd.read_csv(out / "appraisal.csv").set_index("statistic")
    for statistic in ("npv_net_saving_gbp", "share_broken_even", "total_net_saving_gbp"):
        assert _close(appraisal[statistic][0], by_command.loc[statistic, "mean"]), statistic


def test_cancelling_a_run_leaves_no_folder(app_server, chromium):  # noqa: F811
    url, reports, _ = app_server
    before = sorted(p.name for p in reports.iterdir())
    driver = chromium
    driver.get(url)
    _choose_la(driver, "Gloucestershire")
    _page(driver, "Options")
    _type(driver, "replications", "5000")
    _click(driver, _wait(driver, lambda d: d.find_element("id", "run")))
    _wait(driver, lambda d: _run_state(d)[0] == "running")
    _wait(driver, lambda d: "Simulating" in _run_state(d)[1])  # the run folder is being filled
    assert any(p.name.startswith(".") for p in reports.iterdir()), "no run folder was being filled"
    _click(driver, driver.find_element("id", "cancel"))
    _wait(driver, lambda d: _run_state(d)[0] in ("cancelled", "done", "failed"), timeout=60)
    assert tuple(_run_state(driver)) == ("cancelled", "the run was cancelled; nothing was written")
    assert sorted(p.name for p in reports.iterdir()) == before
