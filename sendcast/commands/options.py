"""Options shared by several commands, so that they are spelt and explained alike."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any

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


def la_selection_options(parser: argparse.ArgumentParser) -> None:
    """``--las``, ``--every`` and ``--neighbours-of``: which LAs an ``--all-las`` run takes."""
    parser.add_argument("--las", nargs="+", default=[], metavar="LA",
                        help="with --all-las: only these LAs (names, codes or numbers)")
    parser.add_argument("--every", type=whole_number(1, 1000), metavar="N",
                        help="with --all-las: only every N-th LA by code (the 1st, the N+1-th, ...)")
    parser.add_argument("--neighbours-of", metavar="LA",
                        help="with --all-las: only this LA and its ten DfE statistical neighbours")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high`` inclusive, or a
    one-line error saying the allowed range and what was typed."""
    return _in_range("whole number", int, low, high, f"{low:,}", f"{high:,}", lambda value: low <= value <= high,
                     lambda text, value: f"{value:,}" if len(text) < 40 else f"{text[:40]}...")


def finite_number(low: float, high: float) -> Callable[[str], float]:
    """An argparse ``type``: a finite number from ``low`` to ``high`` (never nan or inf)."""
    return _in_range("number", float, low, high, f"{low:g}", f"{high:g}",
                     lambda value: math.isfinite(value) and low <= value <= high,
                     lambda text, value: repr(text[:40]))


def _in_range(name: str, convert: Callable[[str], Any], low: Any, high: Any, low_text: str, high_text: str,
              allowed: Callable[[Any], bool], found: Callable[[str, Any], str]) -> Callable[[str], Any]:
    """An argparse ``type`` called ``name``: ``convert`` the text, then check it is ``allowed``;
    either failure is a one-line error "expected a NAME from LOW to HIGH, found ..." (``found``
    says what was typed)."""
    expected = f"expected a {name} from {low_text} to {high_text}"

    def parse(text: str) -> Any:
        try:
            value = convert(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{expected}, found {text[:40]!r}") from None
        if not allowed(value):
            raise argparse.ArgumentTypeError(f"{expected}, found {found(text, value)}")
        return value
    parse.__name__ = name
    return parse


SEED = whole_number(0, MAX_SEED)
REPLICATIONS = whole_number(1, MAX_REPLICATIONS)
YEAR = whole_number(2000, 2100)


def percent_a_year_option(parser: argparse.ArgumentParser, flag: str, *, default: float, low: float, high: float,
                          help: str, old_flag: str | None = None, old_scale: float = 1.0) -> None:
    """A yearly rate in **percent** (``3`` is 3% a year), the one money convention of the
    options and the scenario files (``costs.inflation_pct``): ``flag`` ends in ``-pct``.

    ``old_flag``: an earlier spelling still accepted, with a deprecation message on stderr;
    its value times ``old_scale`` is the percentage (``--inflation 0.03``, a fraction, has
    ``old_scale = 100``)."""
    dest = flag.lstrip("-").replace("-", "_")
    parser.add_argument(flag, type=finite_number(low, high), default=default, metavar="PCT", dest=dest,
                        help=f"{help} (percent a year; default {default:g})")
    if old_flag is not None:
        parser.add_argument(old_flag, type=finite_number(low / old_scale, high / old_scale), dest=dest,
                            action=_deprecated(flag, old_scale), help=argparse.SUPPRESS)


def _deprecated(flag: str, scale: float) -> type[argparse.Action]:
    """An argparse action for an old spelling: stores ``value * scale`` and says the new form."""
    class Deprecated(argparse.Action):
        def __call__(self, parser, namespace, values, option_string=None):
            value = round(float(values) * scale, 10)
            print(f"sendcast: warning: {option_string} {values:g} is deprecated; write {flag} {value:g} "
                  "(percent a year)", file=sys.stderr)
            setattr(namespace, self.dest, value)
    return Deprecated
