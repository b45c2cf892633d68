"""Options shared by several commands, so that they are spelt and explained alike."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from sendcast.runtime.parallel import BACKENDS


def data_option(parser: argparse.ArgumentParser) -> None:
    """``--data DIR``: the data folder holding ``raw/`` (default: the shipped ``data/``)."""
    parser.add_argument("--data", metavar="DIR", help="data folder holding raw/ (default: the shipped data/)")


def output_options(parser: argparse.ArgumentParser) -> None:
    """``--out DIR`` (a new folder; default a timestamped folder under reports/) and
    ``--force`` (replace an existing folder whole)."""
    parser.add_argument("--out", metavar="DIR",
                        help="a new folder for the outputs (default: a new timestamped folder under reports/)")
    parser.add_argument("--force", action="store_true", help="replace --out if it already exists")


def backend_options(parser: argparse.ArgumentParser) -> None:
    """``--backend``, ``--workers`` and ``--scheduler`` for runs of many independent tasks."""
    parser.add_argument("--backend", choices=BACKENDS, default="local",
                        help="where independent tasks run: in this process (local), a process pool, or Dask")
    parser.add_argument("--workers", type=whole_number(1, MAX_WORKERS), metavar="N",
                        help="worker processes (default: the number of cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --backend dask)")


#: The largest seed numpy's SeedSequence takes from the command line (2**63 - 1: a
#: signed 64-bit whole number, so it round-trips through every table and manifest).
MAX_SEED = 2**63 - 1
MAX_REPLICATIONS = 100_000
MAX_WORKERS = 256
MAX_YEARS = 50


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high`` inclusive, or a
    one-line error saying the allowed range and what was typed."""
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low:,} to {high:,}, "
                                             f"found {text[:40]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low:,} to {high:,}, found {value:,}"
                                             if len(text) < 40 else
                                             f"expected a whole number from {low:,} to {high:,}, found {text[:40]}...")
        return value
    parse.__name__ = "whole number"
    return parse


def finite_number(low: float, high: float) -> Callable[[str], float]:
    """An argparse ``type``: a finite number from ``low`` to ``high`` (never nan or inf)."""
    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number from {low:g} to {high:g}, "
                                             f"found {text[:40]!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a number from {low:g} to {high:g}, found {text[:40]!r}")
        return value
    parse.__name__ = "number"
    return parse


SEED = whole_number(0, MAX_SEED)
REPLICATIONS = whole_number(1, MAX_REPLICATIONS)
YEAR = whole_number(2000, 2100)
