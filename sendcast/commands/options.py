"""Options shared by several commands, so that they are spelt and explained alike."""

from __future__ import annotations

import argparse

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
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes (default: the number of cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --backend dask)")
