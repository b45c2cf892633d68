"""Running the ``sendcast`` command in-process for end-to-end tests."""

from __future__ import annotations

import pytest

from sendcast.cli import main


def run_cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``sendcast ARGV...``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
