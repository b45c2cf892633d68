"""``sendcast check KIND FILE``: validate one of your files before you use it.

Reads the file exactly as the commands that use it will, and says either what it holds
or, in one line naming the file, row and column, what is wrong (exit status 2). Nothing
is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sendcast.data.capacity import places_by_year, read_capacity
from sendcast.commands.options import data_option
from sendcast.data import store
from sendcast.data.population import POPULATION_SOURCES, read_population_file
from sendcast.data.release import open_release, require_regular_file
from sendcast.data.sen2 import read_release
from sendcast.runtime.errors import InputError, UnknownNameError
from sendcast.scenarios.files import load_scenario, locate_key
from sendcast.money.unit_costs import read_unit_cost_file


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``sendcast check release|population|capacity|unit-costs|scenario FILE``."""
    parser = commands.add_parser("check", help="validate a file of yours (release, population, capacity, "
                                                "unit costs, scenario) without running anything")
    kinds = parser.add_subparsers(title="kinds of file", metavar="KIND")
    for name, handler, text in (
        ("release", _release, "a DfE SEN2 release zip or folder"),
        ("population", _population, "an ONS population projection file (one of the names data/README.md lists)"),
        ("capacity", _capacity, "a special school capacity CSV"),
        ("unit-costs", _unit_costs, "a unit-cost CSV (placement_group, annual_cost_gbp, price_base, source)"),
        ("scenario", _scenario, "a scenario TOML file (its LA is looked up in the built data)"),
    ):
        kind = kinds.add_parser(name, help=text)
        kind.add_argument("file", metavar="PATH")
        if name == "scenario":
            data_option(kind)
        kind.set_defaults(handler=handler)


def _release(args: argparse.Namespace) -> int:
    tables = read_release(open_release(args.file))
    measures = tables.measures[tables.measures["value"].notna()]
    print(f"{args.file}: a {tables.format}-format SEN2 release, {len(measures):,} values, "
          f"{tables.areas['la_key'].nunique()} LAs, years {measures['year'].min()}-{measures['year'].max()}")
    return 0


def _population(args: argparse.Namespace) -> int:
    path = Path(args.file)
    source = next((s for s in POPULATION_SOURCES if s.file == path.name), None)
    if source is None:
        raise InputError(path, "a population file named one of " + ", ".join(s.file for s in POPULATION_SOURCES),
                         found=path.name)
    require_regular_file(path, what="a population file")
    rows = read_population_file(path, source)
    print(f"{path}: {source.vintage}, ages {rows['age'].min()}-{rows['age'].max()}, "
          f"years {rows['year'].min()}-{rows['year'].max()}")
    return 0


def _capacity(args: argparse.Namespace) -> int:
    capacity = read_capacity(_existing(args.file))
    print(f"{args.file}: {len(capacity)} rows, {int(capacity['places'].sum()):,} places in all; "
          f"open now and later: {places_by_year(capacity, [2025, 2030]).to_dict()}")
    return 0


def _unit_costs(args: argparse.Namespace) -> int:
    costs = read_unit_cost_file(_existing(args.file))
    print(f"{args.file}: unit costs for {', '.join(costs['placement_group'])}")
    return 0


def _scenario(args: argparse.Namespace) -> int:
    scenario, _, chain = load_scenario(args.file)
    try:
        la = store.load_dataset(args.data).geography.resolve(scenario.scenario.la)
    except UnknownNameError as error:
        hint = f" (did you mean {', '.join(error.suggestions)}?)" if error.suggestions else ""
        where, line = locate_key(("scenario", "la"), chain)
        raise InputError(where, "key 'scenario.la' to name a local authority by code, number or name" + hint,
                         row=line, found=scenario.scenario.la) from error
    print(f"{args.file}: scenario {scenario.scenario.name!r} for {la['la_name']} ({la['la_code']}), "
          f"from January {scenario.scenario.start_year}, {len(chain)} file(s) read")
    return 0


def _existing(path: str) -> Path:
    """``path``, once it is known to be an existing regular file (not a pipe, device or folder)."""
    require_regular_file(path, what="an existing file")
    return Path(path)
