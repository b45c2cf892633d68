"""The calibration fit report's FE + other line: the two groups summed across the recording break."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendcast.reporting.fit_report import fe_plus_other, recording_summary
from simulation.calibration import RECORDING_SHIFT


def _report() -> pd.DataFrame:
    rows = [
        # measure, breakdown, year, actual, simulated_model
        ("ehcp_fe", np.nan, 2022, 563.0, 652.0), ("ehcp_other", np.nan, 2022, 605.0, 430.0),
        ("ehcp_fe", np.nan, 2023, 733.0, 699.0), ("ehcp_other", np.nan, 2023, 434.0, 521.0),
        ("ehcp_fe", np.nan, 2024, 742.0, 772.0), ("ehcp_other", np.nan, 2024, np.nan, 608.0),  # other unpublished
        ("ehcp_fe", "phase=post16", 2023, 100.0, 90.0),                                          # a breakdown row
        ("ehcp_total", np.nan, 2023, 6000.0, 6100.0),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "breakdown", "year", "actual", "simulated_model"])
    frame["error_pct_model"] = 100 * (frame["simulated_model"] / frame["actual"] - 1)
    return frame


def test_fe_plus_other_sums_both_groups_in_years_where_both_are_published():
    summed = fe_plus_other(_report())
    assert list(summed.index) == [2022, 2023]          # 2024 left out: 'other' unpublished
    assert summed.loc[2022, "actual"] == 1168 and summed.loc[2022, "model"] == 1082
    assert summed.loc[2023, "actual"] == 1167 and summed.loc[2023, "model"] == 1220   # breakdown row not added


def test_recording_summary_prints_fe_plus_other_with_its_error():
    lines = recording_summary(_report(), {RECORDING_SHIFT: 0.071})
    start = next(k for k, line in enumerate(lines) if line.startswith("FE + other together"))
    years = " ".join(lines[start + 1:])
    assert "2022: 1,082 / 1,168 (-7.4%)" in years and "2023: 1,220 / 1,167 (+4.5%)" in years
    assert recording_summary(_report(), {}) == []        # no recording rule fitted: nothing said
