"""Headless Chromium for end-to-end tests that look at a page as a person would.

Chromium and its driver come from Debian's packages (``make browser`` installs them where it
can). Where they are missing the tests that need them are skipped, and say why.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest


def chromium_paths() -> tuple[str, str] | None:
    """The Chromium binary and its driver, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture
def chromium() -> Iterator[object]:
    """A headless Chromium driven by Selenium, 1280 x 1600 pixels; closed after the test."""
    paths = chromium_paths()
    if paths is None:
        pytest.skip("headless Chromium is not installed (make browser installs Debian's chromium and chromium-driver)")
    driver = headless_chromium(paths)
    try:
        yield driver
    finally:
        driver.quit()


def headless_chromium(paths: tuple[str, str]):
    """A new headless Chromium (Selenium driver), 1280 x 1600 pixels, from ``paths``
    (:func:`chromium_paths`); the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1600"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=paths[1]), options=options)
