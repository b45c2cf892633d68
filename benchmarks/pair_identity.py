"""Check that a speed change to the replication leaves its numbers as they were, bit for bit,
and time the two trees against each other.

``save``: run replications of the shipped Gloucestershire scenarios (the baseline and every
other scenario file, each against the baseline's calibration, as ``make run`` builds them)
with :func:`simulation.runner.replication_values` and pickle the keys and values; each tree
reads its own code (``PYTHONPATH`` = its root). ``compare``: the two pickles must be equal
exactly (``numpy.array_equal`` on the values, NaN equal to NaN; keys equal).

``time``: the CPU seconds (``time.process_time``) of one replication of the baseline and of
early identification in each tree, the two trees alternated in one run (subprocesses, one
per round per tree: a drift in the machine's speed hits both alike); prints each round and
the median ratio new/old. Each replication's baseline then early identification, as
``run_replications`` runs a pair (one task), so what they share is timed as a run shares it.

    .venv/bin/python benchmarks/pair_identity.py save OUT_OLD   # PYTHONPATH=old tree
    .venv/bin/python benchmarks/pair_identity.py save OUT_NEW   # PYTHONPATH=new tree
    .venv/bin/python benchmarks/pair_identity.py save OUT_NEW --by-replication   # shared draws taken
    .venv/bin/python benchmarks/pair_identity.py compare OUT_OLD OUT_NEW
    .venv/bin/python benchmarks/pair_identity.py time OLD_ROOT NEW_ROOT [--rounds 6 --replications 8]
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline", "early-identification", "no-new-special-places", "new-special-school",
             "frozen-assessment-capacity", "assessment-capacity", "combined", "send-reform-2026",
             "early-identification-slcn-semh")


def scenario_parameters(names=SCENARIOS, root: Path = ROOT):
    """Simulation Parameters of the named scenario files (``scenarios/NAME.toml``) in this tree."""
    from sendcast.data.store import load_dataset
    from sendcast.scenarios.files import load_scenario
    from sendcast.scenarios.pipeline import build_all_parameters

    scenarios = [load_scenario(root / "scenarios" / f"{name}.toml")[0] for name in names]
    return dict(zip(names, build_all_parameters(load_dataset(root / "data"), scenarios)))


def with_variants(params: dict) -> dict:
    """The scenarios, and the baseline and early identification with mid-phase moves (about
    the national upper quartile of the fitted rates, twice over; no shipped scenario has
    them), and the baseline placing in an independent school at once when no place is free,
    and with a lower overflow rate: every path of the plans' events."""
    import dataclasses

    moves = np.zeros((5, 7))
    moves[1, [2, 3, 5]] = [0.06, 0.06, 0.01]
    moves[2, [2, 3, 5]] = [0.04, 0.09, 0.03]
    moves[3, 3] = 0.02
    out = dict(params)
    for name in ("baseline", "early-identification"):
        p = params[name]
        out[f"{name}+moves"] = dataclasses.replace(p, placement=dataclasses.replace(p.placement, mid_phase_moves=moves))
    base = params["baseline"]
    places = base.special_places
    out["baseline+independent"] = dataclasses.replace(
        base, special_places=dataclasses.replace(places, overflow_policy="independent"))
    out["baseline+slow-overflow"] = dataclasses.replace(
        base, special_places=dataclasses.replace(places, overflow_rate_per_year=0.5))
    out["baseline+moves+wait-only"] = dataclasses.replace(
        out["baseline+moves"], special_places=dataclasses.replace(places, overflow_rate_per_year=0.0))
    return out


def save(out: Path, replications: int, seeds: list[int], by_replication: bool = False) -> None:
    """``by_replication``: every scenario of a replication before the next replication (as
    ``run_replications`` runs them: draws shared between the scenarios of a replication,
    :mod:`simulation.shared_draws`, are then taken, not made); otherwise every replication
    of a scenario before the next scenario (each made)."""
    from simulation.runner import replication_values

    params = with_variants(scenario_parameters())
    results = {}
    started = time.process_time()
    if by_replication:
        order = [(name, seed, r) for seed in seeds for r in range(replications) for name in params]
    else:
        order = [(name, seed, r) for name in params for seed in seeds for r in range(replications)]
    for name, seed, r in order:
        results[(name, seed, r)] = replication_values(params[name], seed, r)
    print(f"{len(results)} replications in {time.process_time() - started:.1f} CPU-s")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as handle:
        pickle.dump(results, handle)


def compare(old: Path, new: Path) -> bool:
    with open(old, "rb") as a, open(new, "rb") as b:
        before, after = pickle.load(a), pickle.load(b)
    same_all = before.keys() == after.keys()
    differ = []
    for key in before:
        keys_a, values_a = before[key]
        keys_b, values_b = after.get(key, (None, None))
        if keys_a != keys_b or not np.array_equal(values_a, values_b, equal_nan=True):
            differ.append(key)
    same_all &= not differ
    print(f"{len(before)} replications compared: "
          f"{'all identical' if same_all else f'{len(differ)} DIFFER, first {differ[:5]}'}")
    return same_all


_TIMER = """
import pickle, sys, time
import simulation
from sendcast.runtime.memory import hold_freed_memory
from simulation.model import simulate
hold_freed_memory()  # as the application's replications do
print(simulation.__file__, file=sys.stderr)
params = pickle.load(open(sys.argv[1], "rb"))
for p in params:
    simulate(p, 7, 999)  # warm
print("ready", flush=True)
for line in sys.stdin:  # 'first n': replications first .. first + n - 1 of each scenario
    first, n = (int(x) for x in line.split())
    out = [0.0] * len(params)
    for r in range(first, first + n):  # every scenario of a replication, as run_replications runs them
        for k, p in enumerate(params):
            start = time.process_time()
            simulate(p, 7, r)
            out[k] += time.process_time() - start
    print(" ".join(f"{x / n:.6f}" for x in out), flush=True)
"""


def timing(old: Path, new: Path, rounds: int, replications: int) -> None:
    """Old and new tree alternated (which goes first alternates too), each in its own
    subprocess kept for the whole run, on the same parameters (built here, pickled for both)
    and the same replications in each round."""
    import tempfile

    params = scenario_parameters(("baseline", "early-identification"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "params.pickle"
        with open(path, "wb") as handle:
            pickle.dump(list(params.values()), handle)
        workers = {}
        for label, tree in (("old", old), ("new", new)):
            # (run in the tree: ``python -c`` puts the working folder first on the path)
            workers[label] = subprocess.Popen([sys.executable, "-c", _TIMER, str(path)], cwd=tree,
                                              env=dict(os.environ, PYTHONPATH=str(tree)), stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, text=True)
        for worker in workers.values():
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        got: dict[str, list[list[float]]] = {"old": [], "new": []}
        try:
            for k in range(rounds):
                for label in ("old", "new") if k % 2 == 0 else ("new", "old"):
                    worker = workers[label]
                    assert worker.stdin is not None and worker.stdout is not None
                    worker.stdin.write(f"{k * replications} {replications}\n")
                    worker.stdin.flush()
                    got[label].append([float(x) for x in worker.stdout.readline().split()])
                print(f"round {k}: old " + " ".join(f"{x * 1000:.1f}" for x in got["old"][-1]) + " ms, new "
                      + " ".join(f"{x * 1000:.1f}" for x in got["new"][-1])
                      + f" ms (baseline, early identification; load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            for worker in workers.values():
                assert worker.stdin is not None
                worker.stdin.close()
                worker.wait()
        for i, name in enumerate(params):
            ratios = [n[i] / o[i] for o, n in zip(got["old"], got["new"])]
            print(f"{name}: old median {statistics.median(o[i] for o in got['old']) * 1000:.1f} ms, new median "
                  f"{statistics.median(n[i] for n in got['new']) * 1000:.1f} ms CPU a replication; "
                  f"new/old median of the rounds' ratios {statistics.median(ratios):.3f}")
        both = [sum(n) / sum(o) for o, n in zip(got["old"], got["new"])]
        print(f"pair (baseline + early identification): new/old median ratio {statistics.median(both):.3f} "
              f"(rounds {min(both):.3f} to {max(both):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("save", "compare", "time"))
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--seeds", default="7,20251122")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--by-replication", action="store_true",
                        help="save: every scenario of a replication, then the next replication")
    args = parser.parse_args()
    if args.command == "save":
        save(Path(args.paths[0]), args.replications, [int(s) for s in args.seeds.split(",")], args.by_replication)
    elif args.command == "compare":
        sys.exit(0 if compare(Path(args.paths[0]), Path(args.paths[1])) else 1)
    else:
        timing(Path(args.paths[0]), Path(args.paths[1]), args.rounds, args.replications)


if __name__ == "__main__":
    main()
