"""Golden outputs: the main job's tables, stored, so that "outputs identical" is a test.

The main job (``make run``: the Gloucestershire baseline against early identification) is run
with a few replications and its tables are compared with the copies in ``tests/golden/``:
numbers to a relative 1e-9 (sums added in another order differ by about 1e-15), text exactly.

A change that moves the outputs on purpose updates them in the same commit, and says why:

    SENDCAST_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

The outputs are the same bit for bit only on the same platform. The calibration's fit used to
be flat enough that the last bits of the BLAS kernels moved its fitted rates (Gloucestershire
2025, measured 7 December 2026: the 2019 request multiplier 0.4978 with OpenBLAS's Haswell
kernels, 0.5360 with its SkylakeX kernels, same machine; 0.4853 on Python 3.12.1); it now
lands on one point to about 1e-6 (:mod:`simulation.calibration`, "One point whatever the BLAS
kernels"; ``tests/test_fit_across_kernels.py``), but the replications' integer paths still
follow the last bits (Gloucestershire's validation, 30 replications: the same targets table on
Haswell and SkylakeX, the simulated values within 0.02% at the median, up to 3% on AP). ``import sendcast`` pins the Haswell kernels on x86-64
(:mod:`sendcast.runtime.reproducible_blas`), so the goldens hold on any x86-64 machine with AVX2 and
the same Python and packages. ``ENVIRONMENT`` beside the goldens records where they were made;
a failure says so when this run's differs.
"""

from __future__ import annotations

import os
import platform
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_run import run_cli

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "compare_baseline_early-identification"
REPLICATIONS = "3"
#: the tables a planner reads: simulation, paired differences, money, and the forecast beside them
TABLES = ("simulation.csv", "differences.csv", "spend.csv", "appraisal.csv", "appraisal_by_year.csv",
          "forecast_forecast.csv", "forecast_bands.csv", "forecast_costs.csv", "forecast_sufficiency.csv",
          "psa_summary.csv", "psa_probability_saving_by_year.csv", "psa_tornado.csv")
UPDATE = os.environ.get("SENDCAST_UPDATE_GOLDEN") == "1"


def environment() -> str:
    """Where outputs are made: Python, the numeric packages, the machine and its processor."""
    import scipy
    import statsmodels

    cpu = ""
    info = Path("/proc/cpuinfo")
    if info.is_file():
        lines = [line for line in info.read_text().splitlines() if line.startswith(("model name", "flags"))]
        model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
        flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
        cpu = f"{model} ({'avx512f' if 'avx512f' in flags else 'avx2' if 'avx2' in flags else 'no avx2'})"
    return (f"python {platform.python_version()}; numpy {np.__version__}; scipy {scipy.__version__}; "
            f"pandas {pd.__version__}; statsmodels {statsmodels.__version__}; {platform.machine()} {cpu}; "
            f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}\n")


def assert_same_table(made: pd.DataFrame, golden: pd.DataFrame, name: str) -> None:
    """Same columns and rows; numbers equal to a relative 1e-9, everything else exactly."""
    assert list(made.columns) == list(golden.columns), f"{name}: columns changed"
    assert len(made) == len(golden), f"{name}: {len(made)} rows, golden has {len(golden)}"
    for column in golden.columns:
        a, b = made[column], golden[column]
        if pd.api.types.is_numeric_dtype(b) and pd.api.types.is_numeric_dtype(a):
            close = np.isclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True)
            if not close.all():
                row = int(np.flatnonzero(~close)[0])
                raise AssertionError(f"{name}, row {row + 2}, column {column}: {a.iloc[row]!r} != golden "
                                     f"{b.iloc[row]!r} (and {int((~close).sum()) - 1} more)")
        else:
            diff = a.fillna("").astype(str).to_numpy() != b.fillna("").astype(str).to_numpy()
            if diff.any():
                row = int(np.flatnonzero(diff)[0])
                raise AssertionError(f"{name}, row {row + 2}, column {column}: {a.iloc[row]!r} != golden {b.iloc[row]!r}")


def test_assert_same_table_catches_a_changed_number():
    golden = pd.DataFrame({"measure": ["ehcp_total"], "mean": [6990.916002]})
    assert_same_table(golden.copy(), golden, "t")
    with pytest.raises(AssertionError, match="column mean"):
        assert_same_table(golden.assign(mean=6990.917), golden, "t")
    with pytest.raises(AssertionError, match="column measure"):
        assert_same_table(golden.assign(measure="requests"), golden, "t")


@pytest.mark.slow
def test_the_main_job_gives_the_stored_outputs(capsys, tmp_path, data_dir):
    out = tmp_path / "run"
    code, _, err = run_cli(capsys, "-q", "compare", str(REPO / "scenarios" / "baseline.toml"),
                           str(REPO / "scenarios" / "early-identification.toml"),
                           "--replications", REPLICATIONS, "--backend", "local", "--data", str(data_dir),
                           "--out", str(out))
    assert code == 0, err
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            shutil.copyfile(out / name, GOLDEN / name)
        (GOLDEN / "ENVIRONMENT").write_text(environment())
        pytest.skip("golden outputs updated (SENDCAST_UPDATE_GOLDEN=1): review and commit them")
    made_on = (GOLDEN / "ENVIRONMENT").read_text() if (GOLDEN / "ENVIRONMENT").is_file() else "not recorded\n"
    for name in TABLES:
        try:
            assert_same_table(pd.read_csv(out / name), pd.read_csv(GOLDEN / name), name)
        except AssertionError as error:
            if made_on != environment():
                raise AssertionError(f"{error}; the goldens were made on {made_on.strip()}, this run is on "
                                     f"{environment().strip()}: outputs match bit for bit only on the same "
                                     "platform (see the module notes)") from None
            raise
