"""Benchmark: the web app as a planner meets it (``sendcast app``), in headless Chromium.

Starts ``sendcast app`` on a free loopback port (a new process, runs written to a temporary
folder), chooses Gloucestershire, waits for its forecast, then on the Options page runs a
comparison of the baseline with early identification (``--replications``, default 100) and
prints, measured in the same run:

- seconds from opening the page to the Area chart, and to the first Forecast chart
  (the first forecast includes the national backtest);
- seconds from the click on "Run the comparison" to the first chart of its results, and the
  time the run itself reports (what the page waits for);
- the resident memory (RSS, MiB) of the app process when idle after start-up, at its peak
  while running (sampled every 0.2 s, with its worker processes counted separately), and
  after the run;
- the wall time of ``sendcast compare`` on the scenario files the app's run folder holds (same
  replications and backend, a new process), and the app's click-to-first-chart as a multiple of it.

    .venv/bin/python benchmarks/bench_app.py [--replications 100] [--backend processes|local]

Needs chromium and chromedriver (``make browser``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.app_process import start_app, wait_for_page  # noqa: E402
from tests.browser import chromium_paths, headless_chromium  # noqa: E402


def rss_mib(pid: int) -> float:
    """Resident memory of one process, MiB (0 if it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """The child processes of every thread of ``pid`` (the worker pool is started from the
    app's job thread, so its workers are that thread's children)."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--backend", choices=("processes", "local"), default="processes")
    args = parser.parse_args()
    paths = chromium_paths()
    if paths is None:
        sys.exit("needs chromium and chromedriver (make browser)")
    from selenium.webdriver.support.ui import WebDriverWait

    reports = Path(tempfile.mkdtemp(prefix="sendcast-bench-app-"))
    started = time.perf_counter()
    app, port = start_app("--reports", str(reports), "--backend", args.backend, cwd=REPO)
    app.stdout.readline()
    url = f"http://127.0.0.1:{port}/"
    wait_for_page(url, timeout=600)
    ready_s = time.perf_counter() - started
    idle_rss = rss_mib(app.pid)

    peak = {"app": 0.0, "workers": 0.0}
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            peak["app"] = max(peak["app"], rss_mib(app.pid))
            peak["workers"] = max(peak["workers"], sum(rss_mib(c) for c in children(app.pid)))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    driver = headless_chromium(paths)
    wait = WebDriverWait(driver, 900, poll_frequency=0.05)
    click = "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();"
    try:
        opened = time.perf_counter()
        driver.get(url)
        control = wait.until(lambda d: d.find_element("css selector", "#la + .selectize-control .selectize-input"))
        control.click()
        driver.find_element("css selector", "#la + .selectize-control input").send_keys("916")
        wait.until(
            lambda d: next(
                (
                    o
                    for o in d.find_elements("css selector", ".selectize-dropdown .option")
                    if o.text.startswith("Gloucestershire (916") and o.is_displayed()
                ),
                False,
            )
        ).click()
        wait.until(lambda d: d.find_elements("css selector", "#area_chart img.chart"))
        area_s = time.perf_counter() - opened
        driver.execute_script(click, driver.find_element("link text", "Forecast"))
        wait.until(lambda d: d.find_elements("css selector", "#forecast_charts img.chart"))
        forecast_s = time.perf_counter() - opened
        driver.execute_script(click, driver.find_element("link text", "Options"))
        box = wait.until(lambda d: d.find_element("id", "replications"))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
        box.clear()
        box.send_keys(str(args.replications), "\t")
        time.sleep(1)  # let the page send the value
        button = driver.find_element("id", "run")
        clicked = time.perf_counter()
        driver.execute_script(click, button)
        wait.until(lambda d: d.find_elements("css selector", "#results img.chart"))
        first_chart_s = time.perf_counter() - clicked
        state = driver.find_element("id", "run_state").text
    finally:
        driver.quit()
        sampling.set()
        sampler.join()
    after_rss = rss_mib(app.pid)
    app.terminate()
    app.wait(timeout=30)
    folder = next(reports.glob("compare-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    files = sorted(str(p.relative_to(folder)) for p in (folder / "scenarios").glob("*.toml"))
    files.sort(key=lambda name: name != "scenarios/baseline.toml")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sendcast",
            "compare",
            *files,
            "--backend",
            args.backend,
            "--out",
            str(reports / "by-command"),
            "-q",
        ],
        check=True,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    command_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "replications": args.replications,
                "backend": args.backend,
                "app_ready_s": round(ready_s, 1),
                "open_to_area_chart_s": round(area_s, 1),
                "open_to_first_forecast_chart_s": round(forecast_s, 1),
                "click_to_first_result_chart_s": round(first_chart_s, 1),
                "run_state": state,
                "run_timings_s": manifest.get("timings_seconds"),
                "sendcast_compare_same_files_s": round(command_s, 1),
                "app_click_to_chart_over_command": round(first_chart_s / command_s, 2),
                "rss_mib": {
                    "idle_after_start": round(idle_rss),
                    "peak_app": round(peak["app"]),
                    "peak_workers_together": round(peak["workers"]),
                    "after_run": round(after_rss),
                },
                "load_average_1min": os.getloadavg()[0],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
