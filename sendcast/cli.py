"""The ``sendcast`` command.

Every error a user can cause (bad file, unknown LA or measure) prints one line to
stderr and exits with status 2, without a traceback. Engines log; this module prints.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import sys
from collections.abc import Sequence

import pandas as pd

from sendcast import __version__
from sendcast.data import needs, query, store
from sendcast.data.build import build_dataset, discover_inputs
from sendcast.reporting.display import wide_table
from sendcast.runtime.errors import SendcastError
from sendcast.runtime.safe_text import escape_controls
from sendcast.data.measures import MEASURES, PRIMARY_NEEDS
from sendcast.data import paths
from sendcast.runtime import atomic

EXIT_USER_ERROR = 2
#: Command families beyond ``data`` and ``summary``, each a module with ``register(commands)``.
COMMAND_MODULES: tuple[str, ...] = ("sendcast.commands.forecasting", "sendcast.commands.simulating",
                                     "sendcast.commands.scenarios", "sendcast.commands.export",
                                     "sendcast.commands.check", "sendcast.commands.disclose",
                                     "sendcast.commands.national", "sendcast.commands.app")
SUMMARY_MEASURES = ["ehcp_total", "ehcp_state_special", "ehcp_independent_special", "new_plans",
                    "requests", "issued_within_20wk_pct", "sen_support_pct", "ehcp_pct"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_noise_first(sys.argv[1:] if argv is None else list(argv)))
    verbose = int(args.verbose or 0)
    _log_to_stderr(logging.DEBUG if verbose else logging.ERROR if args.quiet else logging.WARNING,
                   libraries=logging.DEBUG if verbose >= 2 else logging.WARNING)
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
        return EXIT_USER_ERROR
    try:
        return args.handler(args) or 0
    except SendcastError as error:
        _error_line(str(error))
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return 0
    except OSError as error:
        # Disk full, a read-only file system or folder, a name too long: the user's
        # machine, not sendcast, so one line naming the path and no traceback.
        if error.errno not in USER_OS_ERRORS:
            raise
        where = error.filename if error.filename is not None else "output"
        _error_line(f"{where}: {error.strerror or error} (check the disk space and the folder's permissions)")
        return EXIT_USER_ERROR


#: Operating-system errors the user's machine causes (errno numbers), reported in one line.
USER_OS_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG,
                            errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOTEMPTY, errno.EIO,
                            errno.EFBIG, errno.ELOOP, errno.EXDEV, errno.EBUSY, errno.ETXTBSY})


def _error_line(message: str) -> None:
    """The one line a user error prints: control characters escaped, never a second line."""
    print(f"sendcast: error: {escape_controls(message)}", file=sys.stderr)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2, like
    every other user error (argparse's own adds the whole usage text above it)."""

    def error(self, message: str):  # type: ignore[override]
        _error_line(f"{self.prog}: {message} (see {self.prog} --help)")
        raise SystemExit(EXIT_USER_ERROR)


NOISE_FLAGS = ("-v", "-vv", "--verbose", "-q", "--quiet")


def _noise_first(argv: list[str]) -> list[str]:
    """Let ``--verbose``/``--quiet`` be typed anywhere (``sendcast data build -q``) by
    moving them in front of the command, where the parser defines them."""
    end = argv.index("--") if "--" in argv else len(argv)
    flags = [a for a in argv[:end] if a in NOISE_FLAGS]
    return flags + [a for a in argv[:end] if a not in NOISE_FLAGS] + argv[end:]


class _StderrHandler(logging.StreamHandler):
    """Log lines to whatever ``sys.stderr`` is when they are written, never stdout."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


#: Libraries whose log lines (font searches, image plugins, worker chatter) are noise to a
#: planner: shown only with ``-vv``.
LIBRARY_LOGGERS = ("matplotlib", "PIL", "fontTools", "numba", "asyncio", "urllib3", "distributed", "tornado",
                   "bokeh", "fsspec", "nbclient", "traitlets", "h5py", "statsmodels")


def _log_to_stderr(level: int, *, libraries: int = logging.WARNING) -> None:
    """Set the log level for this run; replaces the handler of an earlier run in the same
    process (tests, notebooks), where ``logging.basicConfig`` would keep the first level.
    Third-party libraries log at ``libraries`` (warnings only unless ``-vv``)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    root.addHandler(_StderrHandler())
    root.setLevel(level)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(max(libraries, level))


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="sendcast",
        description="Forecast and simulate SEND provision for English local authorities.")
    parser.add_argument("--version", action="version", version=f"sendcast {__version__}")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="count", default=0,
                       help="log progress and decisions (-vv: also the libraries' own log lines)")
    noise.add_argument("-q", "--quiet", action="store_true", help="log errors only")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    data = commands.add_parser("data", help="build and inspect the published data")
    data_commands = data.add_subparsers(title="data commands", metavar="ACTION")

    build = data_commands.add_parser("build", help="read the raw files and write data/processed/")
    _data_option(build)
    build.add_argument("--release", action="append", default=[], metavar="PATH",
                       help="an extra SEN2 release zip or folder (repeatable), e.g. a newer download")
    build.set_defaults(handler=_data_build)

    las = data_commands.add_parser("las", help="list the local authorities (code, name, region)")
    _data_option(las)
    las.add_argument("--format", choices=("table", "csv"), default="table")
    las.set_defaults(handler=_data_las)

    show = data_commands.add_parser("show", help="print one LA's series")
    _data_option(show)
    show.add_argument("--la", required=True, metavar="NAME_OR_CODE", help="LA name, code or number; or England")
    show.add_argument("--measure", action="append", metavar="M", help="measure name (repeatable); default all")
    show.add_argument("--breakdowns", action="store_true", help="include breakdowns (age band, age, need)")
    show.add_argument("--need", action="store_true",
                      help="EHC plans by primary need: need down the side, count and share of each measure")
    show.add_argument("--format", choices=("table", "csv"), default="table")
    show.set_defaults(handler=_data_show)

    measures = data_commands.add_parser("measures", help="list the measure names and what they mean")
    measures.set_defaults(handler=_data_measures)

    summary = commands.add_parser("summary", help="a plain-English history of one LA beside England")
    _data_option(summary)
    summary.add_argument("--la", default="Gloucestershire", metavar="NAME_OR_CODE")
    summary.set_defaults(handler=_summary)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR", help="data folder holding raw/ (default: the shipped data/)")


def _data_build(args: argparse.Namespace) -> int:
    root = paths.data_dir(args.data)
    inputs = discover_inputs(paths.raw_dir(root), tuple(args.release))
    dataset = build_dataset(inputs)
    store.save_dataset(dataset, paths.processed_dir(root))
    manifest = dataset.manifest
    measures = dataset.measures[dataset.measures["value"].notna()]
    print(f"Built {manifest['rows']:,} rows in {manifest['build_seconds']:.1f} s -> {paths.processed_dir(root)}")
    print(f"  local authorities: {manifest['local_authorities']} (plus England); "
          f"series breaks flagged: {manifest['series_breaks']}")
    print(f"  measures: {measures['measure'].nunique()}; years {measures['year'].min()}-{measures['year'].max()}")
    print("  checks: " + ", ".join(f"{k} {v:,}" for k, v in manifest["checks"].items()))
    withheld = dataset.checks[dataset.checks["status"] == "withheld"]
    collapsed = withheld[withheld["check"] == "requests_collapse"]
    withheld = withheld[withheld["check"] != "requests_collapse"]
    if not withheld.empty:
        print(f"  {len(withheld)} published values withheld as self-contradictory (see checks.csv), e.g.:")
        for _, row in withheld.head(3).iterrows():
            print(f"    {row['note']}: {row['found']:g} published, about {row['expected']:g} implied")
    if not collapsed.empty:
        names = dataset.geography.las.set_index("la_code")["la_name"]
        print(f"  {len(collapsed)} years of requests withheld as a collapse in the return (fewer than the year "
              f"before's / {collapsed['tolerance'].iloc[0]:g} and than the year's new plans; see checks.csv):")
        for _, row in collapsed.iterrows():
            print(f"    {names.get(row['la_code'], row['la_code'])}: {row['note']}")
    failed = dataset.checks[dataset.checks["status"] == "fail"]
    if not failed.empty:
        print(f"  WARNING: {len(failed)} checks failed; see checks.csv", file=sys.stderr)
    return 0


def _data_las(args: argparse.Namespace) -> int:
    geography = store.load_dataset(args.data).geography
    las, breaks = geography.las, geography.breaks
    notes = breaks.groupby("la_code")["kind"].apply(lambda k: "series " + " and ".join(sorted(set(k))))
    out = las.assign(note=las["la_code"].map(notes).fillna(""))
    out = out[["la_code", "la_number", "la_name", "region", "first_year", "last_year", "note"]]
    if args.format == "csv":
        sys.stdout.write(atomic.csv_text(out))
    else:
        print(out.to_string(index=False))
    return 0


def _data_show(args: argparse.Namespace) -> int:
    dataset = store.load_dataset(args.data)
    rows = query.series(dataset, args.la, args.measure, breakdowns=args.breakdowns or args.need)
    if args.need:
        return _print_needs(rows, args.format)
    if args.format == "csv":
        sys.stdout.write(atomic.csv_text(rows))
        return 0
    if rows.empty:
        print("No published values for that selection.")
        return 0
    la = rows.iloc[0]
    print(f"{la['la_name']} ({la['la_code']})")
    print(wide_table(query.wide(rows)))
    if args.breakdowns:
        detail = rows[rows["breakdown"] != ""]
        if not detail.empty:
            print(detail.pivot_table(index="breakdown", columns="year", values="value", aggfunc="first")
                  .to_string(float_format=lambda v: f"{v:,.0f}"))
    return 0


def _print_needs(rows: pd.DataFrame, form: str) -> int:
    table = needs.need_table(rows)
    if table.empty:
        print("No primary-need breakdown published for that selection (sendcast data measures lists them).")
        return 0
    if form == "csv":
        sys.stdout.write(atomic.csv_text(table.reset_index()))
        return 0
    la = rows.iloc[0]
    print(f"{la['la_name']} ({la['la_code']}): EHC plans by primary need (count, % of the column)")
    shares = table / table.sum() * 100
    shown = pd.DataFrame({c: [f"{v:,.0f} ({p:4.1f}%)" if v == v else "-" for v, p in zip(table[c], shares[c])]
                          for c in table.columns}, index=[f"{n} {PRIMARY_NEEDS[n][:38]}" for n in table.index])
    shown.loc["total"] = [f"{v:,.0f}" for v in table.sum()]
    print(shown.to_string())
    for note in needs.NEED_NOTES:
        print("  " + note)
    return 0


def _data_measures(args: argparse.Namespace) -> int:
    for m in MEASURES.values():
        print(f"{m.name:26} {m.label} [{m.unit}; {m.year_basis} year]")
    print("\nPrimary needs (breakdown need=CODE, with age need=CODE;age=A; sendcast data show --need):")
    for code, label in PRIMARY_NEEDS.items():
        print(f"  {code:8} {label}")
    return 0


def _summary(args: argparse.Namespace) -> int:
    dataset = store.load_dataset(args.data)
    la = query.series(dataset, args.la, SUMMARY_MEASURES)
    england = query.series(dataset, "England", ["ehcp_total"])
    if la.empty:
        print("No published values for that LA.")
        return 0
    name = la.iloc[0]["la_name"]
    table = query.wide(la)
    print(f"{name}: published SEND figures (SEN2 and school census; caseload = January, flows = calendar year)")
    print(wide_table(table))
    _print_growth(name, table["ehcp_total"].dropna(),
                  england.set_index("year")["value"])
    return 0


def _print_growth(name: str, la: pd.Series, england: pd.Series) -> None:
    first, last = int(la.index.min()), int(la.index.max())
    ratio = la[last] / la[first]
    years = last - first
    line = (f"EHC plans in {name} went from {la[first]:,.0f} (January {first}) to {la[last]:,.0f} "
            f"(January {last}): x{ratio:.2f}, {100 * (ratio ** (1 / years) - 1):.1f}% a year")
    if first in england.index and last in england.index:
        e = england[last] / england[first]
        line += f"; England x{e:.2f}, {100 * (e ** (1 / years) - 1):.1f}% a year."
    print(line)
    recent = la.loc[la.index >= last - 3]
    if len(recent) == 4:
        print(f"Last three years: {100 * ((recent.iloc[-1] / recent.iloc[0]) ** (1 / 3) - 1):.1f}% a year.")


if __name__ == "__main__":
    raise SystemExit(main())
