"""Keep freed memory in the process for the next replication (glibc's malloc on Linux).

A replication allocates about 40 MiB of arrays and lists (one entry per child) and frees
them at its end. By default glibc hands large blocks straight back to the kernel (blocks
over its mmap threshold, and free memory at the top of the heap beyond its trim
threshold), so the next replication asks for them again and the kernel zeroes every page
anew: about 7 ms of system time a replication of the Gloucestershire scenario (of about
150 ms), measured with ``time.process_time`` alternately with and without
(``benchmarks/bench_simulation.py --real``). :func:`hold_freed_memory` raises both
thresholds so the memory stays with the process and is reused: the process keeps its
peak size (tens of MiB more) instead of shrinking between replications. Numbers are
unchanged: only where the memory comes from.

Set once in the process that runs replications; worker processes forked from it (the
``processes`` backend on Linux) inherit it. Elsewhere (not glibc) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

# mallopt parameters (glibc <malloc.h>)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD_BYTES = 32 * 2**20  # blocks below this come from the heap (glibc default: 128 KiB, rising to 32 MiB; 32 MiB is the most older glibc accepts)
TRIM_THRESHOLD_BYTES = 1024 * 2**20  # free memory at the top of the heap kept up to this
TOP_PAD_BYTES = 64 * 2**20  # extra asked for each time the heap grows (fewer, larger growths)

_done = False


def hold_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse (see the module notes); ``True``
    if it took effect (once a process: later calls do nothing)."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = all(
        mallopt(option, value) == 1
        for option, value in (
            (_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES),
            (_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES),
            (_M_TOP_PAD, TOP_PAD_BYTES),
        )
    )
    log.debug("malloc set to keep freed memory: %s", _done)
    return _done
