"""One set of BLAS kernels on every x86-64 machine, so a run gives the same numbers on each.

The calibration's least-squares fit goes through OpenBLAS (bundled with numpy and scipy),
which picks its kernels for the processor it finds. The fit was flat enough that the last
bits of those kernels moved the fitted rates: Gloucestershire from January 2025, the 2019
request multiplier was 0.4978 with OpenBLAS's Haswell or Zen kernels and 0.5360 with its
SkylakeX kernels (an Intel processor with AVX-512), on the same machine, data and code
(measured 7 December 2026 with ``OPENBLAS_CORETYPE``; issue 19 note), and every replication
followed. The goldens stored on one kind of machine then failed on another.

:func:`pin` sets ``OPENBLAS_CORETYPE=Haswell`` (AVX2 kernels, which every x86-64 processor
with AVX2 runs) unless the variable is already set: the user's choice wins. It must run
before numpy is first imported (OpenBLAS reads the variable once, when it loads), so
``import sendcast`` calls it first and imports nothing numerical; where numpy was imported
earlier (a notebook that imported pandas first) it does nothing and returns ``False``.
Linux on x86-64 with AVX2 only; elsewhere the platform's own kernels are used.

This pins where a result is computed. The fit itself no longer depends on the kernels
(:mod:`simulation.calibration`, "One point whatever the BLAS kernels": the cohort engine
no longer rounds the fitted open requests, and a weak prior holds the placement share scales
no target informs; the 2019 multiplier above is 0.5404 with every kernel, and every fitted
value of five LAs agrees to 2e-5 across the Haswell, SkylakeX and Sandybridge kernels,
``tests/test_fit_across_kernels.py``); the pin stays so that a run's every last bit, which
the goldens compare, is the same on every machine.
"""

from __future__ import annotations

import os
import platform
import sys

#: The OpenBLAS kernel set used on every x86-64 machine with AVX2.
KERNELS = "Haswell"


def pin() -> bool:
    """Set ``OPENBLAS_CORETYPE`` to :data:`KERNELS` if it is unset and numpy is not loaded
    yet, on Linux x86-64 with AVX2; ``True`` if the kernels in use are :data:`KERNELS`."""
    if os.environ.get("OPENBLAS_CORETYPE"):
        return os.environ["OPENBLAS_CORETYPE"] == KERNELS
    if "numpy" in sys.modules or not sys.platform.startswith("linux"):
        return False
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            flags = next((line.split(":", 1)[1].split() for line in info if line.startswith("flags")), [])
    except OSError:
        return False
    if "avx2" not in flags:
        return False
    os.environ["OPENBLAS_CORETYPE"] = KERNELS
    return True
