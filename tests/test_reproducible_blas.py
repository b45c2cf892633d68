"""The BLAS kernels are pinned so that a run gives the same numbers on every x86-64 machine."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import pytest

from sendcast.runtime import reproducible_blas


def _avx2_linux() -> bool:
    info = Path("/proc/cpuinfo")
    return (sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "amd64")
            and info.is_file() and " avx2" in info.read_text())


@pytest.mark.skipif(not _avx2_linux(), reason="the kernels are pinned on Linux x86-64 with AVX2 only")
def test_the_tests_run_on_the_pinned_kernels():
    # conftest imports sendcast before numpy; the goldens are made on these kernels
    assert os.environ.get("OPENBLAS_CORETYPE") == reproducible_blas.KERNELS


def test_a_users_own_choice_of_kernels_is_kept_and_numpy_loaded_first_is_too_late(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "SkylakeX")
    assert reproducible_blas.pin() is False and os.environ["OPENBLAS_CORETYPE"] == "SkylakeX"
    monkeypatch.setenv("OPENBLAS_CORETYPE", reproducible_blas.KERNELS)
    assert reproducible_blas.pin() is True
    monkeypatch.delenv("OPENBLAS_CORETYPE")
    assert "numpy" in sys.modules                      # loaded by now: setting the variable would change nothing
    assert reproducible_blas.pin() is False and "OPENBLAS_CORETYPE" not in os.environ
