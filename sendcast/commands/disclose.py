"""``sendcast disclose``: protect a council's own small-area counts before publishing them.

Reads a CSV of counts by area and category (:mod:`sendcast.data.small_area`), applies
disclosure control (:mod:`sendcast.reporting.disclosure`: counts 1-5 shown as ``c``, further cells
hidden until no hidden count can be worked out from the totals) and writes a new run
folder holding ``protected.csv`` (the table with totals, safe to publish),
``audit.csv`` (the range a reader could deduce for each hidden cell, also safe to
publish) and ``manifest.json``.
"""

from __future__ import annotations

import argparse
import logging

import numpy as np

from sendcast.runtime import atomic
from sendcast.commands.options import output_options, whole_number
from sendcast.reporting.disclosure import PROTECTION_LEVEL, SUPPRESSED, apply_disclosure_control
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.runs import run_folder
from sendcast.data.small_area import read_small_area_counts

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``sendcast disclose``."""
    parser = commands.add_parser(
        "disclose", help="hide small counts in your own small-area table before publishing it",
        description="Show counts 1-5 as 'c' and hide further cells until no hidden count can be worked "
                    "out from the totals (checked by linear programming).")
    parser.add_argument("file", metavar="FILE.csv", help="counts by area (first column) and category (other columns)")
    parser.add_argument("--protection", type=whole_number(1, 1_000_000), default=PROTECTION_LEVEL, metavar="N",
                        help=f"smallest range a reader may deduce for a hidden count (default {PROTECTION_LEVEL})")
    output_options(parser)
    parser.set_defaults(handler=_disclose)


def _disclose(args: argparse.Namespace) -> int:
    if args.protection < 1:
        raise SendcastError(f"--protection must be 1 or more, found {args.protection}")
    counts = read_small_area_counts(args.file)
    result = apply_disclosure_control(counts, protection_level=args.protection)
    log.info("disclosure control: %d repair rounds", result.rounds)
    hidden = int((result.published == SUPPRESSED).to_numpy().sum())
    with run_folder(args.out, command="disclose", label=counts.index.name or "table", force=args.force) as run:
        atomic.write_csv(run.path("protected.csv"), result.published.reset_index(names=counts.index.name))
        audit = result.audit.copy()
        audit["high"] = audit["high"].map(lambda v: "unbounded" if np.isinf(v) else f"{v:g}")
        audit["width"] = audit["width"].map(lambda v: "unbounded" if np.isinf(v) else f"{v:g}")
        atomic.write_csv(run.path("audit.csv"), audit)
        # No checksum of the input: with the protected table, a reader could test guesses
        # of the hidden counts against it. The file name only, not the folder.
        run.details["input"] = {"role": "small-area counts", "file": args.file.replace("\\", "/").rsplit("/", 1)[-1],
                                "sha256": "withheld (it would let a reader test guesses of hidden counts)"}
        run.details["disclosure"] = {"protection_level": args.protection, "cells": int(result.published.size),
                                     "hidden": hidden}
    print(f"{hidden} of {result.published.size} cells (totals included) shown as '{SUPPRESSED}'; "
          f"every hidden count has a range of at least {args.protection} -> {run.target}")
    return 0
