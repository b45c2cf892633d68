"""Evidence: does the calibration land on the same point whatever OpenBLAS's kernels?

Calibrates each named LA (January ``--start-year``, :func:`sendcast.scenarios.parameters.calibrate_la`)
in one subprocess per ``OPENBLAS_CORETYPE`` (the variable is read once, when OpenBLAS loads,
and a user's own setting wins over the project's pin), and prints, per LA, the fitted
parameters that differ between the kernels by more than ``--show`` (relative, on the
multiplier scale; absolute for the linear parameters), the largest such difference, and the
cost of the fit (``0.5 x sum of squared weighted residuals``) under each kernel.

    .venv/bin/python benchmarks/fit_across_kernels.py [--las Gloucestershire Wiltshire] \
        [--kernels Haswell SkylakeX Sandybridge] [--start-year 2025] [--until] [--save FILE.json]

``--one LA`` (internal): calibrate one LA in this process and print its result as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one(la: str, start_year: int, until: bool = False) -> dict:
    """Calibrate ``la`` here; fitted values, cost per stage and overall, CPU seconds.
    ``until``: on the history as it stood in January ``start_year`` (as the out-of-sample
    validation calibrates at an origin), not everything published."""
    sys.path.insert(0, str(ROOT))
    import sendcast  # noqa: F401 -- pins the kernels unless OPENBLAS_CORETYPE is set
    from sendcast.data.store import load_dataset
    from sendcast.scenarios import parameters as sp

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("simulation.calibration")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(Keep())
    dataset = load_dataset(ROOT / "data")
    began = time.process_time()
    history = sp.history_until(sp.la_history(dataset, la), start_year) if until else None
    result = sp.calibrate_la(dataset, la, start_year=start_year, history=history)
    seconds = time.process_time() - began
    stages = {m.group(1): float(m.group(3)) for r in records if (m := re.match(r"calibration stage (\w+): (\d+) evaluations, cost ([-\d.e+]+)", r))}
    total = [float(m.group(1)) for r in records if (m := re.search(r"after \d+ evaluations, cost ([-\d.e+]+)", r))]
    return {"la": la, "kernels": os.environ.get("OPENBLAS_CORETYPE", ""), "fitted": result.fitted,
            "stage_cost": stages, "cost": total[-1] if total else None, "message": result.message,
            "cpu_s": seconds, "at_bounds": list(result.at_bounds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--las", nargs="+", default=["Gloucestershire", "Wiltshire", "Somerset", "Leeds", "Rutland"])
    parser.add_argument("--kernels", nargs="+", default=["Haswell", "SkylakeX", "Sandybridge"])
    parser.add_argument("--start-year", type=int, default=2025)
    parser.add_argument("--until", action="store_true",
                        help="calibrate on the history as it stood at --start-year (a validation origin)")
    parser.add_argument("--show", type=float, default=1e-3)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--one", default=None)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.start_year, args.until)))
        return
    results = []
    for la in args.las:
        runs = {}
        for kernels in args.kernels:  # one after the other: the machine is shared
            env = dict(os.environ, OPENBLAS_CORETYPE=kernels, PYTHONPATH=str(ROOT))
            command = [sys.executable, __file__, "--one", la, "--start-year", str(args.start_year)]
            out = subprocess.run(command + (["--until"] if args.until else []),
                                 env=env, capture_output=True, text=True, check=True)
            runs[kernels] = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(runs)
        summarise(la, runs, args.show)
    if args.save:
        args.save.write_text(json.dumps(results, indent=1))


def difference(name: str, a: float, b: float) -> float:
    from simulation.calibration import LINEAR_PARAMETERS

    if name in LINEAR_PARAMETERS:
        return abs(a - b)
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def summarise(la: str, runs: dict, show: float) -> float:
    kernels = list(runs)
    reference = runs[kernels[0]]["fitted"]
    worst, where = 0.0, ""
    lines = []
    for name in reference:
        values = [runs[k]["fitted"][name] for k in kernels]
        d = max(difference(name, values[0], v) for v in values[1:])
        if d > worst:
            worst, where = d, name
        if d > show:
            lines.append(f"    {name:<42} " + " ".join(f"{v:10.4f}" for v in values) + f"   {100 * d:6.2f}%")
    costs = " ".join(f"{k}={runs[k]['cost']:.6f} ({' '.join(f'{s}:{c:.6f}' for s, c in runs[k]['stage_cost'].items())})"
                     for k in kernels)
    cpu = " ".join(f"{runs[k]['cpu_s']:.0f}" for k in kernels)
    print(f"{la}: largest difference {100 * worst:.3f}% ({where}); cost {costs}; CPU s {cpu}", flush=True)
    if lines:
        print(f"    {'parameter':<42} " + " ".join(f"{k:>10}" for k in kernels) + "   rel.diff")
        print("\n".join(lines), flush=True)
    return worst


if __name__ == "__main__":
    main()
