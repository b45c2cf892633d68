"""``sendcast app`` in a new process on a free loopback port, for the tests and the app benchmark."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port free on the loopback interface just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(*options: str, cwd: Path, stderr: int | None = None) -> tuple[subprocess.Popen, int]:
    """``python -m sendcast app --port PORT OPTIONS`` from this checkout, with its stdout piped
    (text); returns the process and its port. The caller stops it."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sendcast", "app", "--port", str(port), *options],
                               stdout=subprocess.PIPE, stderr=stderr, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=cwd)
    return process, port


def wait_for_page(url: str, timeout: float) -> str:
    """The page at ``url`` once it answers (polled every 0.1 s), or AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer within {timeout:g} s"
            time.sleep(0.1)
