"""Benchmark: would compiling the simulation's hot modules with mypyc meet the 1,000-pair target?

Issue 19 asks for 1,000 baseline-and-scenario pairs in under 90 s on 2 cores; the pure-Python
engine takes about 120-130 s (``bench_simulation.py --real``), so a replication must get about
30% cheaper. A sampling profile puts about 60% of a replication in ``simulation/model.py`` and
4% in SimPy. This measures the cheapest compiled route, with no code rewritten for it: mypyc
(installed with mypy, a dev dependency) compiles :data:`MODULES` as they are (their only
change for it: the per-child memoryviews of floats typed ``Any``, since typeshed's memoryview
indexes to ``int`` and mypyc checks that at run time) into a temporary copy of the package,
and the shipped Gloucestershire baseline and early identification pair is timed there and in
the pure-Python package, alternately, in fresh processes (CPU seconds a replication, median
over ``--replications``), and their outputs compared (bit-identical or not).

Result (7 December 2026, this machine shared with other work; ``--rounds 3 --replications
20``): CPU a replication of the pair, compiled against pure, 0.120/0.141, 0.118/0.138,
0.120/0.135 s: ratio 0.850, 0.857, 0.891 (median 0.857), outputs identical. So about 14% off
a replication, where about 30% is needed (1,000 pairs in ~127 s -> ~109 s, not 90 s). The
per-event code works on numpy memoryviews, tuples on heaps and SimPy's callbacks, which mypyc
runs as generic Python objects; the rest would need the hot loops rewritten for a compiler
(typed lists, native classes) or another language. Not adopted: a C build at install, with
its fallback and a guard against a compiled module older than its source, is a dependency
for the team to decide on, and it would not meet the target alone.

    .venv/bin/python benchmarks/bench_compiled.py [--rounds 3] [--replications 20]

Needs a C compiler and Python's headers (Debian: gcc, python3-dev); about 30 s to build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("model", "hazards", "place_pools", "plan_paths", "early_support", "assessment_queue", "streams")

TIMING = r"""
import hashlib, pickle, sys, time
import simulation.model as model
from benchmarks.bench_simulation import real_scenarios
from simulation.runner import replication_values
params, more = real_scenarios()
replication_values(params, 7, 0)
cpu = []
digest = hashlib.sha256()
for r in range(1, int(sys.argv[1]) + 1):
    start = time.process_time()
    a = replication_values(params, 7, r)
    b = replication_values(more, 7, r)
    cpu.append((time.process_time() - start) / 2)
    digest.update(pickle.dumps((a, b)))
compiled = model.__file__.endswith(".so")
print(("compiled" if compiled else "pure"), sorted(cpu)[len(cpu) // 2], digest.hexdigest())
"""


def build(into: Path) -> Path:
    """A copy of the simulation package with :data:`MODULES` compiled by mypyc."""
    package = into / "simulation"
    shutil.copytree(ROOT / "simulation", package, ignore=shutil.ignore_patterns("__pycache__"))
    mypyc = Path(sys.executable).with_name("mypyc")
    files = [f"simulation/{name}.py" for name in MODULES]
    done = subprocess.run([str(mypyc), *files], cwd=into, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"mypyc failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return into


def timed(path_first: list[Path], replications: int, neutral: Path) -> tuple[str, float, str]:
    """(kind, CPU seconds a replication, digest of the outputs) of a fresh process importing
    the package from ``path_first`` (run from ``neutral``, so the working folder is not
    searched first)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in path_first))
    out = subprocess.run([sys.executable, "-c", TIMING, str(replications)], cwd=neutral, env=env,
                         capture_output=True, text=True, check=True).stdout.split()[-3:]
    return out[0], float(out[1]), out[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--replications", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as neutral:
        compiled_root = build(Path(tmp))
        print(f"compiled {', '.join(MODULES)} with mypyc")
        ratios, same = [], True
        for k in range(args.rounds):
            kind_c, cpu_c, hash_c = timed([compiled_root, ROOT], args.replications, Path(neutral))
            kind_p, cpu_p, hash_p = timed([ROOT], args.replications, Path(neutral))
            assert kind_c == "compiled" and kind_p == "pure", (kind_c, kind_p)
            same &= hash_c == hash_p
            ratios.append(cpu_c / cpu_p)
            print(f"round {k + 1}: CPU a replication compiled {cpu_c:.3f} s, pure {cpu_p:.3f} s, ratio {cpu_c / cpu_p:.3f}")
        print(f"median ratio {statistics.median(ratios):.3f} (target: about 0.7 for 1,000 pairs in 90 s); "
              f"outputs {'identical' if same else 'DIFFERENT'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
