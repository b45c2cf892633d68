"""Check that a speed change leaves the out-of-sample validation as it was: run one LA's
validation (as a ``calibrate --all-las`` task does: :func:`validate_one_la` and
:func:`in_sample_fit`, origins 2021-2023, 20 replications) in each of two source trees and
compare the tables with ``DataFrame.equals`` (values and dtypes), the notes as they are.

    # in the old tree, then in the new one (each reads its own code: PYTHONPATH=its root)
    .venv/bin/python benchmarks/validation_identity.py save OUT_OLD Rutland Oxfordshire
    .venv/bin/python benchmarks/validation_identity.py save OUT_NEW Rutland Oxfordshire
    .venv/bin/python benchmarks/validation_identity.py compare OUT_OLD OUT_NEW

Prints the CPU seconds of each LA (the first in a process also pays the national evidence).
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def save(out: Path, las: list[str]) -> None:
    from sendcast.data.store import load_dataset, remember_dataset
    from sendcast.scenarios.validation import ORIGINS
    from sendcast.scenarios.validation_all_las import in_sample_fit, validate_one_la

    out.mkdir(parents=True, exist_ok=True)
    dataset = load_dataset(ROOT / "data")
    remember_dataset(dataset, ROOT / "data")
    for la in las:
        started = time.process_time()
        result, _ = validate_one_la(dataset, la, origins=ORIGINS, replications=20, seed=20251122, data=ROOT / "data")
        fit = in_sample_fit(dataset, str(dataset.geography.resolve(la)["la_code"]), ORIGINS)
        print(f"{la}: {time.process_time() - started:.1f} CPU-s")
        with open(out / f"{la}.pickle", "wb") as handle:
            pickle.dump({"table": result.table, "targets": result.targets, "fit": fit, "notes": result.notes}, handle)


def compare(old: Path, new: Path) -> bool:
    same_all = True
    for path in sorted(old.glob("*.pickle")):
        with open(path, "rb") as a, open(new / path.name, "rb") as b:
            before, after = pickle.load(a), pickle.load(b)
        for name in ("table", "targets", "fit"):
            same = before[name].equals(after[name]) and list(before[name].dtypes) == list(after[name].dtypes)
            same_all &= same
            print(f"{path.stem} {name} {before[name].shape}: {'identical' if same else 'DIFFERENT'}")
        same = before["notes"] == after["notes"]
        same_all &= same
        print(f"{path.stem} notes: {'identical' if same else 'DIFFERENT'}")
    print("all identical" if same_all else "SOME DIFFER")
    return same_all


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "save":
        save(Path(rest[0]), rest[1:])
    elif command == "compare":
        sys.exit(0 if compare(Path(rest[0]), Path(rest[1])) else 1)
    else:
        sys.exit(__doc__)
