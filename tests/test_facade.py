"""The public facade: ``import sendcast`` reaches what notebooks and the app need, lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import sendcast


@pytest.mark.parametrize("name", [n for n in sendcast.__all__ if n != "__version__"])
def test_every_public_name_resolves(name: str):
    assert callable(getattr(sendcast, name))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'forecast_everything'"):
        sendcast.forecast_everything  # noqa: B018


def test_importing_sendcast_loads_no_heavy_library():
    code = "import sys, sendcast; print(sorted(m for m in ('pandas', 'matplotlib', 'simpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
